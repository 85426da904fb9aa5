/* Physical page allocator: bitmap over caller storage, next-fit single and contiguous aligned
 * allocation, frees checked against the usable map for double frees and never-usable pages. */
#include "kernel/pmm.h"

#include "kernel/string.h"

#define NOT_FOUND UINT64_MAX

size_t pmm_bitmap_words_for(uint64_t highest_end)
{
    uint64_t pages = highest_end / PMM_PAGE_SIZE + (highest_end % PMM_PAGE_SIZE != 0);
    return (size_t)(pages / PMM_PAGES_PER_WORD + (pages % PMM_PAGES_PER_WORD != 0));
}

static void set_page_state(struct pmm *p, uint64_t page, bool used)
{
    uint64_t bit = (uint64_t)1 << (page % PMM_PAGES_PER_WORD);
    if (used) {
        p->bitmap[page / PMM_PAGES_PER_WORD] |= bit;
    } else {
        p->bitmap[page / PMM_PAGES_PER_WORD] &= ~bit;
    }
}

static void set_run_state(struct pmm *p, uint64_t first, uint64_t count, bool used)
{
    for (uint64_t page = first; page < first + count; page++) {
        if (page % PMM_PAGES_PER_WORD == 0 && first + count - page >= PMM_PAGES_PER_WORD) {
            p->bitmap[page / PMM_PAGES_PER_WORD] = used ? UINT64_MAX : 0;
            page += PMM_PAGES_PER_WORD - 1;
            continue;
        }
        set_page_state(p, page, used);
    }
}

/* First page in [first, first + count) whose state is `used`, or NOT_FOUND. */
static uint64_t find_page_in_state(const struct pmm *p, uint64_t first, uint64_t count, bool used)
{
    uint64_t page = first;
    uint64_t end = first + count;
    while (page < end) {
        uint64_t bit = page % PMM_PAGES_PER_WORD;
        uint64_t span = PMM_PAGES_PER_WORD - bit;
        if (span > end - page) {
            span = end - page;
        }
        uint64_t word = p->bitmap[page / PMM_PAGES_PER_WORD];
        uint64_t matches = (used ? word : ~word) >> bit;
        if (span < PMM_PAGES_PER_WORD) {
            matches &= ((uint64_t)1 << span) - 1;
        }
        if (matches != 0) {
            return page + (uint64_t)__builtin_ctzll(matches);
        }
        page += span;
    }
    return NOT_FOUND;
}

/* x rounded up to a multiple of align (a power of two), or NOT_FOUND on overflow. */
static uint64_t align_up(uint64_t x, uint64_t align)
{
    if (x > UINT64_MAX - (align - 1)) {
        return NOT_FOUND;
    }
    return (x + align - 1) & ~(align - 1);
}

enum pmm_status pmm_init(struct pmm *p, uint64_t *bitmap_words, size_t nwords,
                         const struct memmap *usable)
{
    if (p == NULL || usable == NULL || (bitmap_words == NULL && nwords > 0)) {
        return PMM_ERR_NULL_ARGUMENT;
    }
    uint64_t highest_end = memmap_highest_end(usable);
    if (nwords < pmm_bitmap_words_for(highest_end)) {
        return PMM_ERR_BITMAP_TOO_SMALL;
    }
    memset(p, 0, sizeof *p);
    p->bitmap = bitmap_words;
    p->nwords = nwords;
    p->page_limit = highest_end / PMM_PAGE_SIZE + (highest_end % PMM_PAGE_SIZE != 0);
    p->usable = *usable;
    if (nwords > 0) {
        memset(bitmap_words, 0xff, nwords * sizeof bitmap_words[0]);
    }
    for (unsigned i = 0; i < usable->count; i++) {
        /* Whole pages only, should a range ever be unaligned. */
        uint64_t first =
            usable->r[i].base / PMM_PAGE_SIZE + (usable->r[i].base % PMM_PAGE_SIZE != 0);
        uint64_t past = usable->r[i].end / PMM_PAGE_SIZE;
        if (first >= past) {
            continue;
        }
        set_run_state(p, first, past - first, false);
        p->total_pages += past - first;
    }
    p->free_pages = p->total_pages;
    return PMM_OK;
}

static void advance_next_fit(struct pmm *p, uint64_t past_allocated)
{
    p->next_fit_page = past_allocated >= p->page_limit ? 0 : past_allocated;
}

bool pmm_alloc_page(struct pmm *p, uint64_t *phys_out)
{
    if (p == NULL || phys_out == NULL || p->free_pages == 0) {
        return false;
    }
    uint64_t words = p->page_limit / PMM_PAGES_PER_WORD + (p->page_limit % PMM_PAGES_PER_WORD != 0);
    uint64_t start_word = p->next_fit_page / PMM_PAGES_PER_WORD;
    uint64_t start_bit = p->next_fit_page % PMM_PAGES_PER_WORD;
    /* words + 1 steps: the start word is visited first from start_bit up, last in full.
     * Bits past page_limit are set, so any free bit is a tracked page. */
    for (uint64_t step = 0; step <= words; step++) {
        uint64_t w = (start_word + step) % words;
        uint64_t free_bits = ~p->bitmap[w];
        if (step == 0) {
            free_bits &= UINT64_MAX << start_bit;
        }
        if (free_bits == 0) {
            continue;
        }
        uint64_t page = w * PMM_PAGES_PER_WORD + (uint64_t)__builtin_ctzll(free_bits);
        set_page_state(p, page, true);
        p->free_pages--;
        advance_next_fit(p, page + 1);
        *phys_out = page * PMM_PAGE_SIZE;
        return true;
    }
    return false;
}

/* First run of count free pages in [from, page_limit) starting at a multiple of align. */
static uint64_t find_free_run(const struct pmm *p, uint64_t from, uint64_t count, uint64_t align)
{
    uint64_t candidate = align_up(from, align);
    while (candidate < p->page_limit && p->page_limit - candidate >= count) {
        uint64_t used = find_page_in_state(p, candidate, count, true);
        if (used == NOT_FOUND) {
            return candidate;
        }
        candidate = align_up(used + 1, align);
    }
    return NOT_FOUND;
}

bool pmm_alloc_pages(struct pmm *p, uint64_t count, uint64_t align_pages, uint64_t *phys_out)
{
    if (p == NULL || phys_out == NULL || count == 0 || count > p->free_pages) {
        return false;
    }
    if (align_pages == 0) {
        align_pages = 1;
    }
    if ((align_pages & (align_pages - 1)) != 0) {
        return false;
    }
    uint64_t first = find_free_run(p, p->next_fit_page, count, align_pages);
    if (first == NOT_FOUND && p->next_fit_page != 0) {
        first = find_free_run(p, 0, count, align_pages);
    }
    if (first == NOT_FOUND) {
        return false;
    }
    set_run_state(p, first, count, true);
    p->free_pages -= count;
    advance_next_fit(p, first + count);
    *phys_out = first * PMM_PAGE_SIZE;
    return true;
}

enum pmm_status pmm_free_pages(struct pmm *p, uint64_t phys, uint64_t count)
{
    if (p == NULL) {
        return PMM_ERR_NULL_ARGUMENT;
    }
    if (phys % PMM_PAGE_SIZE != 0) {
        return PMM_ERR_UNALIGNED;
    }
    if (count == 0) {
        return PMM_OK;
    }
    if (count > (UINT64_MAX - phys) / PMM_PAGE_SIZE ||
        !memmap_contains(&p->usable, phys, phys + count * PMM_PAGE_SIZE)) {
        return PMM_ERR_NOT_USABLE;
    }
    uint64_t first = phys / PMM_PAGE_SIZE;
    if (find_page_in_state(p, first, count, false) != NOT_FOUND) {
        return PMM_ERR_DOUBLE_FREE;
    }
    set_run_state(p, first, count, false);
    p->free_pages += count;
    return PMM_OK;
}

enum pmm_status pmm_free_page(struct pmm *p, uint64_t phys)
{
    return pmm_free_pages(p, phys, 1);
}

uint64_t pmm_free_count(const struct pmm *p)
{
    return p->free_pages;
}

uint64_t pmm_total_count(const struct pmm *p)
{
    return p->total_pages;
}

const char *pmm_strerror(enum pmm_status status)
{
    switch (status) {
    case PMM_OK:
        return "success";
    case PMM_ERR_NULL_ARGUMENT:
        return "NULL allocator, bitmap or memory map";
    case PMM_ERR_BITMAP_TOO_SMALL:
        return "bitmap storage is too small for the highest usable address";
    case PMM_ERR_UNALIGNED:
        return "physical address is not 4 KiB aligned";
    case PMM_ERR_NOT_USABLE:
        return "page was never usable RAM (reserved, outside the memory map or untracked)";
    case PMM_ERR_DOUBLE_FREE:
        return "page is already free (double free)";
    }
    return "unknown page allocator status";
}
