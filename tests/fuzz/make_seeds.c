/* Host program writing the hand-made seed corpora of the fuzz targets (tests/fuzz/corpus/NAME/):
 * valid and slightly broken inputs for each input format. Usage: make_seeds CORPUS_DIR */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BUF_MAX 8192

struct buf {
    uint8_t b[BUF_MAX];
    size_t len;
};

static const char *root;

static void die(const char *what)
{
    fprintf(stderr, "make_seeds: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void save(const char *target, const char *name, const struct buf *b)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die(path);
    snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b->b, 1, b->len, f) != b->len || fclose(f) != 0)
        die(path);
}

/* Little-endian stores at an offset, growing the buffer as needed. */
static void at8(struct buf *b, size_t off, uint8_t v)
{
    if (off >= BUF_MAX) {
        fprintf(stderr, "make_seeds: seed too large\n");
        exit(1);
    }
    b->b[off] = v;
    if (off + 1 > b->len)
        b->len = off + 1;
}

static void at16(struct buf *b, size_t off, uint16_t v)
{
    at8(b, off, (uint8_t)v);
    at8(b, off + 1, (uint8_t)(v >> 8));
}

static void at32(struct buf *b, size_t off, uint32_t v)
{
    at16(b, off, (uint16_t)v);
    at16(b, off + 2, (uint16_t)(v >> 16));
}

static void at64(struct buf *b, size_t off, uint64_t v)
{
    at32(b, off, (uint32_t)v);
    at32(b, off + 4, (uint32_t)(v >> 32));
}

static void atbytes(struct buf *b, size_t off, const void *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        at8(b, off + i, ((const uint8_t *)p)[i]);
}

static void put8(struct buf *b, uint8_t v)
{
    at8(b, b->len, v);
}

static void put16(struct buf *b, uint16_t v)
{
    at16(b, b->len, v);
}

static void put32(struct buf *b, uint32_t v)
{
    at32(b, b->len, v);
}

static void put_bytes(struct buf *b, const void *p, size_t n)
{
    atbytes(b, b->len, p, n);
}

static void pad_to(struct buf *b, size_t len)
{
    while (b->len < len)
        put8(b, 0);
}

/* ---- io_batch and io_batch_devices: entries of struct mica_io_op ----------------------------- */

#define IO_OUT    0x01
#define IO_STRING 0x02

static void op(struct buf *b, size_t off, uint16_t port, uint8_t size, uint8_t flags,
               uint32_t count, uint64_t value)
{
    at16(b, off, port);
    at8(b, off + 2, size);
    at8(b, off + 3, flags);
    at32(b, off + 4, count);
    at64(b, off + 8, value);
}

/* fuzz_io_batch.c header: mode, count, array offset, denied range. */
static void batch_header(struct buf *b, uint8_t mode, uint16_t count, uint16_t array,
                         uint16_t deny_first, uint8_t deny_count)
{
    b->len = 0;
    put8(b, mode);
    put16(b, count);
    put16(b, array);
    put16(b, deny_first);
    put8(b, deny_count);
}

static void seeds_io_batch(void)
{
    struct buf b;
    const size_t r = 8; /* RAM starts after the header */

    batch_header(&b, 0, 4, 0, 0xcf8, 8);
    op(&b, r + 0x00, 0x80, 1, IO_OUT, 1, 0x11);
    op(&b, r + 0x10, 0x60, 2, 0, 0, 0);
    op(&b, r + 0x20, 0x3f8, 4, IO_OUT, 1, 0x1122334455667788ull);
    op(&b, r + 0x30, 0xe9, 1, IO_OUT | IO_STRING, 8, 0x100);
    atbytes(&b, r + 0x100, "hello, batch", 12);
    save("io_batch", "basic", &b);

    batch_header(&b, 0x01, 20, 0x40, 0, 0); /* RAM at 1 MiB, 20 entries: one chunk boundary */
    for (unsigned i = 0; i < 20; i++)
        op(&b, r + 0x40 + 16 * i, (uint16_t)(0x70 + (i & 1)), (uint8_t)(i % 3 == 2 ? 4 : 1 + i % 2),
           (uint8_t)(i & 1 ? 0 : IO_OUT), 1, i);
    op(&b, r + 0x40 + 16 * 7, 0x1f0, 2, IO_STRING, 4, 0x100000 + 0x200);
    pad_to(&b, r + 0x210);
    save("io_batch", "string_in_chunks", &b);

    batch_header(&b, 0x04, 4, 0, 0xcf8, 8); /* hostile: entries rewritten once copied */
    op(&b, r + 0x00, 0x80, 1, IO_OUT, 1, 1);
    op(&b, r + 0x10, 0xcf6, 4, IO_OUT, 1, 0x80000000u); /* straddles the denied range */
    op(&b, r + 0x20, 0x80, 3, IO_OUT, 1, 2);
    op(&b, r + 0x30, 0x80, 1, IO_OUT | IO_STRING, 4097, 0);
    save("io_batch", "hostile_errors", &b);

    batch_header(&b, 0x03, 3, 0x10, 0, 0); /* RAM just below 2^64 */
    op(&b, r + 0x10, 0x43, 1, IO_OUT, 1, 0x34);
    op(&b, r + 0x20, 0x40, 1, IO_OUT | IO_STRING, 2, 0);
    op(&b, r + 0x30, 0x40, 2, IO_STRING, 2, 0xfffffffffffffffcull);
    save("io_batch", "top_of_memory", &b);
}

/* fuzz_io_batch_devices.c header: clock, count, array, denied range, RTC date. */
static void devices_batch_header(struct buf *b, uint8_t clock, uint16_t count, uint16_t array)
{
    b->len = 0;
    put8(b, clock);
    put16(b, count);
    put16(b, array);
    put16(b, 0);
    put8(b, 0);
    put16(b, 2024);
    put8(b, 2);
    put8(b, 29);
    put8(b, 23);
    put8(b, 59);
    put8(b, 58);
}

static void seeds_io_batch_devices(void)
{
    struct buf b;
    const size_t r = 15;
    static const struct {
        uint16_t port;
        uint8_t value;
    } pic_pit[] = {
        {0x20, 0x11}, {0x21, 0x20}, {0x21, 0x04}, {0x21, 0x01}, {0xa0, 0x11}, {0xa1, 0x28},
        {0xa1, 0x02}, {0xa1, 0x01}, {0x21, 0xfa}, {0xa1, 0xfe}, {0x43, 0x34}, {0x40, 0xa9},
        {0x40, 0x04}, {0x61, 0x01}, {0x43, 0xb6}, {0x42, 0x10}, {0x42, 0x00},
    };
    const unsigned n = sizeof(pic_pit) / sizeof(pic_pit[0]);
    devices_batch_header(&b, 0x8f, (uint16_t)(n + 4), 0);
    for (unsigned i = 0; i < n; i++)
        op(&b, r + 16 * i, pic_pit[i].port, 1, IO_OUT, 1, pic_pit[i].value);
    op(&b, r + 16 * n, 0x43, 1, IO_OUT, 1, 0xc2);           /* read-back status, counter 0 */
    op(&b, r + 16 * (n + 1), 0x40, 1, 0, 1, 0);             /* status */
    op(&b, r + 16 * (n + 2), 0x40, 1, IO_STRING, 2, 0x300); /* count LSB, MSB */
    op(&b, r + 16 * (n + 3), 0x20, 1, 0, 1, 0);             /* IRR */
    pad_to(&b, r + 0x310);
    save("io_batch_devices", "pic_pit", &b);

    devices_batch_header(&b, 0x03, 13, 0x40);
    const uint16_t com = 0x3f8;
    op(&b, r + 0x40, com + 3, 1, IO_OUT, 1, 0x80); /* DLAB */
    op(&b, r + 0x50, com, 2, IO_OUT, 1, 0x0001);   /* divisor 1: DLL, DLM */
    op(&b, r + 0x60, com + 3, 1, IO_OUT, 1, 0x03); /* 8N1 */
    op(&b, r + 0x70, com + 2, 1, IO_OUT, 1, 0xc7); /* FIFO, trigger 14 */
    op(&b, r + 0x80, com + 4, 1, IO_OUT, 1, 0x1b); /* loopback, OUT2, RTS, DTR */
    op(&b, r + 0x90, com + 1, 1, IO_OUT, 1, 0x0f);
    op(&b, r + 0xa0, com, 1, IO_OUT | IO_STRING, 6, 0x200);
    op(&b, r + 0xb0, com + 2, 1, 0, 1, 0);
    op(&b, r + 0xc0, com, 1, IO_STRING, 6, 0x210);
    op(&b, r + 0xd0, com + 5, 1, 0, 1, 0);
    op(&b, r + 0xe0, com + 4, 1, IO_OUT, 1, 0x08); /* loopback off: to the console */
    op(&b, r + 0xf0, com, 1, IO_OUT | IO_STRING, 9, 0x220);
    op(&b, r + 0x100, 0xe9, 1, IO_OUT | IO_STRING, 9, 0x230);
    atbytes(&b, r + 0x200, "hello\n", 6);
    atbytes(&b, r + 0x220, "via uart\n", 9);
    atbytes(&b, r + 0x230, "batch ok\n", 9);
    pad_to(&b, r + 0x240);
    save("io_batch_devices", "uart_console", &b);

    devices_batch_header(&b, 0xff, 8, 0);
    op(&b, r + 0x00, 0x70, 1, IO_OUT, 1, 0x0b);
    op(&b, r + 0x10, 0x71, 1, IO_OUT, 1, 0x72);   /* PIE AIE UIE, 24-hour, BCD */
    op(&b, r + 0x20, 0x70, 2, IO_OUT, 1, 0x0000); /* word: index 0, then 0 to port 0x71 */
    op(&b, r + 0x30, 0x70, 1, IO_OUT, 1, 0x0a);
    op(&b, r + 0x40, 0x71, 1, 0, 1, 0);
    op(&b, r + 0x50, 0x70, 1, IO_OUT, 1, 0x8c); /* register C, NMI disabled */
    op(&b, r + 0x60, 0x71, 1, IO_STRING, 16, 0x100);
    op(&b, r + 0x70, 0xcf8, 4, 0, 1, 0); /* denied: EPERM */
    pad_to(&b, r + 0x110);
    save("io_batch_devices", "rtc_denied", &b);

    /* ATA: READ SECTORS of 2 sectors with REP INSW, then WRITE MULTIPLE with REP OUTSD. */
    devices_batch_header(&b, 0x01, 15, 0);
    op(&b, r + 0x00, 0x1f6, 1, IO_OUT, 1, 0xe0);
    op(&b, r + 0x10, 0x1f2, 1, IO_OUT, 1, 2);
    op(&b, r + 0x20, 0x1f3, 1, IO_OUT, 1, 7);
    op(&b, r + 0x30, 0x1f7, 1, IO_OUT, 1, 0x20);
    op(&b, r + 0x40, 0x1f7, 1, 0, 1, 0);
    op(&b, r + 0x50, 0x1f0, 2, IO_STRING, 512, 0x100);
    op(&b, r + 0x60, 0x1f2, 1, IO_OUT, 1, 2);
    op(&b, r + 0x70, 0x1f7, 1, IO_OUT, 1, 0xc6); /* SET MULTIPLE MODE: 2 */
    op(&b, r + 0x80, 0x1f2, 1, IO_OUT, 1, 2);
    op(&b, r + 0x90, 0x1f3, 1, IO_OUT, 1, 9);
    op(&b, r + 0xa0, 0x1f7, 1, IO_OUT, 1, 0xc5); /* WRITE MULTIPLE */
    op(&b, r + 0xb0, 0x1f0, 4, IO_OUT | IO_STRING, 256, 0x100);
    op(&b, r + 0xc0, 0x1f7, 1, 0, 1, 0);
    op(&b, r + 0xd0, 0x1f7, 1, IO_OUT, 1, 0xe7); /* FLUSH CACHE */
    op(&b, r + 0xe0, 0x1f1, 1, 0, 1, 0);
    pad_to(&b, r + 0x100 + 1024);
    save("io_batch_devices", "ata_pio", &b);

    /* ATA with REP OUTSW/INSW (the model's block handler): WRITE MULTIPLE of 3 sectors in blocks
     * of 2 started with one word, so the string starts mid-sector and runs one word past the end;
     * READ SECTORS of 3 read as 300 words, 1 word, then 600 words (past the end); byte strings. */
    devices_batch_header(&b, 0x02, 16, 0);
    op(&b, r + 0x00, 0x1f6, 1, IO_OUT, 1, 0xe0);
    op(&b, r + 0x10, 0x1f2, 1, IO_OUT, 1, 2);
    op(&b, r + 0x20, 0x1f7, 1, IO_OUT, 1, 0xc6); /* SET MULTIPLE MODE: 2 */
    op(&b, r + 0x30, 0x1f2, 1, IO_OUT, 1, 3);
    op(&b, r + 0x40, 0x1f3, 1, IO_OUT, 1, 20);
    op(&b, r + 0x50, 0x1f7, 1, IO_OUT, 1, 0xc5); /* WRITE MULTIPLE */
    op(&b, r + 0x60, 0x1f0, 2, IO_OUT, 1, 0xabcd);
    op(&b, r + 0x70, 0x1f0, 2, IO_OUT | IO_STRING, 768, 0x100);
    op(&b, r + 0x80, 0x1f7, 1, 0, 1, 0);
    op(&b, r + 0x90, 0x1f2, 1, IO_OUT, 1, 3);
    op(&b, r + 0xa0, 0x1f7, 1, IO_OUT, 1, 0x20); /* READ SECTORS */
    op(&b, r + 0xb0, 0x1f0, 2, IO_STRING, 300, 0x800);
    op(&b, r + 0xc0, 0x1f0, 2, 0, 1, 0);
    op(&b, r + 0xd0, 0x1f0, 2, IO_STRING, 600, 0xb00);
    op(&b, r + 0xe0, 0x3f6, 1, IO_OUT, 1, 0x02); /* nIEN */
    op(&b, r + 0xf0, 0x1f0, 1, IO_STRING, 4, 0xff0);
    for (unsigned i = 0; i < 768 * 2; i++)
        at8(&b, r + 0x100 + i, (uint8_t)(i * 7 + 3));
    pad_to(&b, r + 0x1000);
    save("io_batch_devices", "ata_pio_strings", &b);
}

/* ---- exit_qualification: 8-byte words -------------------------------------------------------- */

static void seeds_exit_qualification(void)
{
    struct buf b = {.len = 0};
    const uint64_t words[] = {
        0x03f80008ull,                   /* in al, dx from 0x3f8 */
        0x00700040ull,                   /* out 0x70, al (immediate) */
        0x00e90033ull,                   /* rep outsd to 0xe9 */
        0x00000003ull,                   /* mov cr3, rax */
        0x00000514ull,                   /* mov rbp, cr4 (from) */
        0x00000020ull,                   /* clts */
        0x00110070ull,                   /* lmsw from memory, data 0x11 */
        0x0000000000000181ull,           /* EPT read, gla valid, translation */
        0x0000000000003fffull,           /* every EPT bit */
        0x0000000000018100ull,           /* instruction info: 64-bit, DS */
        0x8000000000000100ull | 0x28000, /* info in the high half */
    };
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        at64(&b, 8 * i, words[i]);
    save("exit_qualification", "known_words", &b);
    b.len = 0;
    at64(&b, 0, 0x0000000000000102ull); /* I/O size code 2 (unused), EPT bit 8 without 7 */
    at64(&b, 8, 0x0000000000000054ull); /* string with immediate; CR access 1, CR 4 */
    at64(&b, 16, 0xffffffffffffffffull);
    save("exit_qualification", "invalid_words", &b);
}

/* ---- devices: programs of fuzz_devices.c ----------------------------------------------------- */

#define D_OUT(size_code) ((uint8_t)(0x04 | (size_code)))
#define D_IN(size_code)  ((uint8_t)(size_code))
#define D_ADV_NS         0x08
#define D_ADV_US         0x10
#define D_ADV_64MS       0x18
#define D_EVENT(n)       ((uint8_t)(0x03 | (n) << 2))

enum {
    P_PIC_M = 0,
    P_PIC_M1 = 1,
    P_PIC_S = 2,
    P_PIC_S1 = 3,
    P_ELCR = 4,
    P_PIT0 = 6,
    P_PIT2 = 8,
    P_PITC = 9,
    P_61 = 10,
    P_CMOS_I = 11,
    P_CMOS_D = 12,
    P_COM = 13,
    P_E9 = 21,
    P_ATA = 48, /* 0x1f0-0x1f7 */
    P_ATA_CTRL = 56,
};

static void date(struct buf *b)
{
    b->len = 0;
    put16(b, 1999);
    put8(b, 12);
    put8(b, 31);
    put8(b, 23);
    put8(b, 59);
    put8(b, 50);
}

static void out8(struct buf *b, uint8_t port, uint8_t value)
{
    put8(b, D_OUT(0));
    put8(b, port);
    put8(b, value);
}

static void in8(struct buf *b, uint8_t port)
{
    put8(b, D_IN(0));
    put8(b, port);
}

static void pic_init(struct buf *b)
{
    out8(b, P_PIC_M, 0x11);
    out8(b, P_PIC_M1, 0x20);
    out8(b, P_PIC_M1, 0x04);
    out8(b, P_PIC_M1, 0x01);
    out8(b, P_PIC_S, 0x11);
    out8(b, P_PIC_S1, 0x28);
    out8(b, P_PIC_S1, 0x02);
    out8(b, P_PIC_S1, 0x01);
}

static void seeds_devices(void)
{
    struct buf b;

    date(&b);
    pic_init(&b);
    out8(&b, P_PIC_M1, 0xfe);
    out8(&b, P_PITC, 0x34);
    out8(&b, P_PIT0, 0xa9);
    out8(&b, P_PIT0, 0x04);
    put8(&b, D_EVENT(1));
    for (int i = 0; i < 3; i++) {
        put8(&b, D_IN(0) | D_ADV_US);
        put8(&b, P_PIT0);
        put8(&b, 250);
        put8(&b, D_EVENT(1));
        put8(&b, D_EVENT(0));
        out8(&b, P_PIC_M, 0x20); /* EOI */
    }
    out8(&b, P_PITC, 0xe2); /* read-back count and status of counter 0 */
    in8(&b, P_PIT0);
    in8(&b, P_PIT0);
    in8(&b, P_PIT0);
    out8(&b, P_61, 0x01);
    out8(&b, P_PITC, 0xb0); /* counter 2, mode 0 */
    out8(&b, P_PIT2, 0x10);
    out8(&b, P_PIT2, 0x00);
    put8(&b, D_IN(0) | D_ADV_64MS);
    put8(&b, P_61);
    put8(&b, 2);
    put8(&b, D_EVENT(7) | 0x20); /* queries and a dump */
    save("devices", "pit_pic", &b);

    date(&b);
    pic_init(&b);
    out8(&b, P_PIC_M1, 0xfb);
    out8(&b, P_PIC_S1, 0xfe);
    out8(&b, P_CMOS_I, 0x0b);
    out8(&b, P_CMOS_D, 0x72);
    out8(&b, P_CMOS_I, 0x01);
    out8(&b, P_CMOS_D, 0xc0);
    out8(&b, P_CMOS_I, 0x03);
    out8(&b, P_CMOS_D, 0xc0);
    out8(&b, P_CMOS_I, 0x05);
    out8(&b, P_CMOS_D, 0xc0);
    put8(&b, D_EVENT(6));
    put16(&b, 1);
    put8(&b, D_EVENT(1));
    put8(&b, D_EVENT(0));
    out8(&b, P_CMOS_I, 0x0c);
    in8(&b, P_CMOS_D);
    out8(&b, P_CMOS_I, 0x0a);
    in8(&b, P_CMOS_D);
    put8(&b, D_EVENT(6));
    put16(&b, 40000);
    put8(&b, D_EVENT(1));
    for (uint8_t reg = 0; reg < 10; reg++) {
        out8(&b, P_CMOS_I, reg);
        in8(&b, P_CMOS_D);
    }
    out8(&b, P_CMOS_I, 0x0b);
    out8(&b, P_CMOS_D, 0x86); /* SET, binary, 24-hour */
    put8(&b, D_OUT(1));       /* word write: index 0x32 (century), value 0x20 */
    put8(&b, P_CMOS_I);
    put16(&b, 0x2032);
    put8(&b, D_EVENT(7) | 0x20);
    save("devices", "rtc", &b);

    date(&b);
    out8(&b, P_COM + 3, 0x80);
    out8(&b, P_COM + 0, 0x01);
    out8(&b, P_COM + 1, 0x00);
    out8(&b, P_COM + 3, 0x03);
    out8(&b, P_COM + 2, 0xc7);
    out8(&b, P_COM + 4, 0x0b);
    out8(&b, P_COM + 1, 0x0f);
    for (int i = 0; i < 18; i++) {
        put8(&b, D_EVENT(2));
        put8(&b, (uint8_t)('a' + i));
    }
    put8(&b, D_EVENT(3));
    put8(&b, D_EVENT(4));
    put8(&b, 0x50);
    in8(&b, P_COM + 2);
    in8(&b, P_COM + 5);
    put8(&b, D_IN(2));
    put8(&b, P_COM);
    in8(&b, P_COM + 6);
    out8(&b, P_COM + 4, 0x1f);
    out8(&b, P_COM, 'x');
    in8(&b, P_COM);
    out8(&b, P_COM + 4, 0x08);
    put8(&b, D_OUT(2));
    put8(&b, P_COM);
    put_bytes(&b, "ok\n\x1b", 4);
    for (const char *s = "hi\t\x07\n"; *s; s++)
        out8(&b, P_E9, (uint8_t)*s);
    put8(&b, D_IN(2)); /* unclaimed COM2 */
    put8(&b, 0xf0);
    put16(&b, 0x2f8);
    put8(&b, D_IN(2)); /* denied PCI configuration */
    put8(&b, 0xf0);
    put16(&b, 0xcf8);
    put8(&b, D_EVENT(7) | 0x20);
    save("devices", "uart_console", &b);

    /* ATA: IDENTIFY, READ SECTORS (LBA28), WRITE SECTORS EXT (LBA48), SRST, through IRQ14. */
    date(&b);
    pic_init(&b);
    out8(&b, P_PIC_M1, 0xfb);
    out8(&b, P_PIC_S1, 0xbf);
    out8(&b, P_ATA + 6, 0xe0);
    out8(&b, P_ATA + 7, 0xec);
    put8(&b, D_EVENT(0));
    in8(&b, P_ATA + 7);
    for (int k = 0; k < 8; k++) {
        put8(&b, D_IN(2));
        put8(&b, P_ATA);
    }
    out8(&b, P_ATA + 2, 2);
    out8(&b, P_ATA + 3, 5);
    out8(&b, P_ATA + 4, 0);
    out8(&b, P_ATA + 5, 0);
    out8(&b, P_ATA + 6, 0xe0);
    out8(&b, P_ATA + 7, 0x20);
    in8(&b, P_ATA_CTRL);
    in8(&b, P_ATA + 7);
    put8(&b, D_IN(2) | 0xe0); /* 128 dwords: the first sector */
    put8(&b, P_ATA);
    for (int k = 0; k < 4; k++) {
        put8(&b, D_IN(1));
        put8(&b, P_ATA);
    }
    out8(&b, P_ATA + 2, 0); /* count 0001h, LBA 0000_0000_0010h: the HOB bytes first */
    out8(&b, P_ATA + 2, 1);
    out8(&b, P_ATA + 3, 0);
    out8(&b, P_ATA + 3, 0x10);
    out8(&b, P_ATA + 6, 0x40);
    out8(&b, P_ATA + 7, 0x34);
    put8(&b, D_OUT(2) | 0xe0); /* 128 dwords: the whole sector */
    put8(&b, P_ATA);
    put32(&b, 0xdeadbeefu);
    out8(&b, P_ATA_CTRL, 0x86); /* HOB, SRST, nIEN */
    in8(&b, P_ATA + 2);
    out8(&b, P_ATA_CTRL, 0x00);
    in8(&b, P_ATA + 1);
    put8(&b, D_EVENT(7) | 0x20);
    save("devices", "ata", &b);
}

/* ---- multiboot2 ------------------------------------------------------------------------------ */

static size_t mb2_tag(struct buf *b, uint32_t type, const void *payload, size_t n)
{
    size_t start = b->len;
    put32(b, type);
    put32(b, (uint32_t)(8 + n));
    put_bytes(b, payload, n);
    pad_to(b, (b->len + 7) & ~(size_t)7);
    return start;
}

static void mb2_finish(struct buf *b)
{
    put32(b, 0);
    put32(b, 8);
    at32(b, 0, (uint32_t)b->len);
}

static void rsdp_v1(uint8_t *r, uint32_t rsdt)
{
    memset(r, 0, 20);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "MICA  ", 6);
    for (int i = 0; i < 4; i++)
        r[16 + i] = (uint8_t)(rsdt >> (8 * i));
    uint8_t sum = 0;
    for (int i = 0; i < 20; i++)
        sum = (uint8_t)(sum + r[i]);
    r[8] = (uint8_t)-sum;
}

static void seeds_multiboot2(void)
{
    struct buf b = {.len = 0};
    put32(&b, 0);
    put32(&b, 0);
    mb2_finish(&b);
    save("multiboot2", "minimal", &b);

    b.len = 0;
    put32(&b, 0);
    put32(&b, 0);
    mb2_tag(&b, 1, "test=all fatal=poweroff", 24);
    mb2_tag(&b, 2, "GRUB 2.06", 10);
    uint8_t module[16] = {0};
    module[2] = 0x20;                   /* mod_start 0x200000 */
    module[5] = 0x10, module[6] = 0x20; /* mod_end 0x201000 */
    memcpy(module + 8, "guest", 6);
    mb2_tag(&b, 3, module, 14);
    uint8_t meminfo[8] = {0x7f, 0x02, 0, 0, 0x00, 0xfc, 0x01, 0};
    mb2_tag(&b, 4, meminfo, 8);
    uint8_t mmap[8 + 3 * 24] = {24, 0, 0, 0, 0, 0, 0, 0};
    const uint64_t entries[3][3] = {
        {0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x7ee0000, 1}};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 8; k++) {
            mmap[8 + 24 * i + k] = (uint8_t)(entries[i][0] >> (8 * k));
            mmap[8 + 24 * i + 8 + k] = (uint8_t)(entries[i][1] >> (8 * k));
            if (k < 4)
                mmap[8 + 24 * i + 16 + k] = (uint8_t)(entries[i][2] >> (8 * k));
        }
    mb2_tag(&b, 6, mmap, sizeof(mmap));
    uint8_t rsdp[20];
    rsdp_v1(rsdp, 0x7fe0000);
    mb2_tag(&b, 14, rsdp, 20);
    uint8_t ptr[8] = {0x00, 0x10, 0xee, 0x7f};
    mb2_tag(&b, 12, ptr, 8);
    mb2_tag(&b, 18, NULL, 0);
    mb2_tag(&b, 20, ptr, 8);
    mb2_tag(&b, 8, "framebuffer tag, skipped", 24);
    mb2_finish(&b);
    save("multiboot2", "full", &b);

    b.len = 0;
    put32(&b, 0);
    put32(&b, 0);
    mb2_tag(&b, 1, "first", 6);
    mb2_tag(&b, 1, "second", 7);
    mb2_finish(&b);
    save("multiboot2", "duplicate_cmdline", &b);
}

/* ---- acpi: byte 0 = base select, then physical memory ---------------------------------------- */

static void sdt(struct buf *b, size_t at, const char *sig, uint32_t length, uint8_t revision)
{
    atbytes(b, at, sig, 4);
    at32(b, at + 4, length);
    at8(b, at + 8, revision);
    atbytes(b, at + 10, "MICA  ", 6);
    atbytes(b, at + 16, "FUZZSEED", 8);
    at32(b, at + 24, 1);
    at32(b, at + 28, 0x4143494d);
    at32(b, at + 32, 1);
}

static void checksum(struct buf *b, size_t at, size_t len, size_t field)
{
    at8(b, at + field, 0);
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + b->b[at + i]);
    at8(b, at + field, (uint8_t)-s);
}

/* A MADT at `at` (memory offset): two CPUs, an I/O APIC, two overrides, an NMI, an address
 * override and an x2APIC CPU; returns its length. */
static size_t madt(struct buf *b, size_t at)
{
    size_t e = at + 44;
    at32(b, at + 36, 0xfee00000u);
    at32(b, at + 40, 1);
    const uint8_t lapic0[8] = {0, 8, 0, 0, 1, 0, 0, 0}, lapic1[8] = {0, 8, 1, 1, 2, 0, 0, 0};
    const uint8_t ioapic[12] = {1, 12, 2, 0, 0x00, 0x00, 0xc0, 0xfe, 0, 0, 0, 0};
    const uint8_t iso0[10] = {2, 10, 0, 0, 2, 0, 0, 0, 0, 0};
    const uint8_t iso9[10] = {2, 10, 0, 9, 9, 0, 0, 0, 0x0d, 0};
    const uint8_t nmi[6] = {4, 6, 0xff, 5, 0, 1};
    const uint8_t over[12] = {5, 12, 0, 0, 0x00, 0x00, 0xe0, 0xfe, 0, 0, 0, 0};
    const uint8_t x2[16] = {9, 16, 0, 0, 0x00, 0x01, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0};
    const uint8_t *list[] = {lapic0, lapic1, ioapic, iso0, iso9, nmi, over, x2};
    for (size_t i = 0; i < sizeof(list) / sizeof(list[0]); i++) {
        atbytes(b, e, list[i], list[i][1]);
        e += list[i][1];
    }
    size_t len = e - at;
    sdt(b, at, "APIC", (uint32_t)len, 5);
    checksum(b, at, len, 9);
    return len;
}

static void gas(struct buf *b, size_t at, uint8_t space, uint8_t width, uint8_t access,
                uint64_t address)
{
    at8(b, at, space);
    at8(b, at + 1, width);
    at8(b, at + 2, 0);
    at8(b, at + 3, access);
    at64(b, at + 4, address);
}

static void fadt(struct buf *b, size_t at, uint32_t len, uint8_t revision, uint64_t dsdt)
{
    sdt(b, at, "FACP", len, revision);
    at32(b, at + 40, (uint32_t)dsdt);
    at32(b, at + 48, 0xb2);
    at8(b, at + 52, 0xf0);
    at8(b, at + 53, 0xf1);
    at32(b, at + 56, 0x600);
    at32(b, at + 64, 0x604);
    at32(b, at + 76, 0x608);
    at8(b, at + 88, 4);
    at8(b, at + 89, 2);
    at8(b, at + 91, 4);
    at16(b, at + 109, 0x0003);
    at32(b, at + 112, 1u << 10);
    if (len >= 129) {
        gas(b, at + 116, 1, 8, 1, 0xcf9);
        at8(b, at + 128, 0x06);
    }
    if (len >= 244) {
        at64(b, at + 140, dsdt);
        gas(b, at + 148, 1, 32, 3, 0x600);
        gas(b, at + 172, 1, 16, 2, 0x604);
    }
    pad_to(b, at + len);
    checksum(b, at, len, 9);
}

static void seeds_acpi(void)
{
    struct buf b = {.len = 0};
    const size_t m = 1; /* memory offset 0 is byte 1 of the seed */
    at8(&b, 0, 0x04);   /* base 0, checksum fix-ups */
    /* RSDP 2.0 at 0: RSDT at 0x40, XSDT at 0x80. */
    atbytes(&b, m, "RSD PTR ", 8);
    atbytes(&b, m + 9, "MICA  ", 6);
    at8(&b, m + 15, 2);
    at32(&b, m + 16, 0x40);
    at32(&b, m + 20, 36);
    at64(&b, m + 24, 0x80);
    checksum(&b, m, 20, 8);
    checksum(&b, m, 36, 32);
    const uint32_t tables[4] = {0x100, 0x200, 0x400, 0x480};
    sdt(&b, m + 0x40, "RSDT", 36 + 4 * 4, 1);
    for (int i = 0; i < 4; i++)
        at32(&b, m + 0x40 + 36 + 4 * i, tables[i]);
    checksum(&b, m + 0x40, 36 + 16, 9);
    sdt(&b, m + 0x80, "XSDT", 36 + 8 * 4, 1);
    for (int i = 0; i < 4; i++)
        at64(&b, m + 0x80 + 36 + 8 * i, tables[i]);
    checksum(&b, m + 0x80, 36 + 32, 9);
    madt(&b, m + 0x100);
    fadt(&b, m + 0x200, 276, 6, 0x340);
    const uint8_t s5[] = {0x10, 0x05, 0x5c, 0x00, 0x08, '_',  'S',  '5',  '_',
                          0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
    sdt(&b, m + 0x340, "DSDT", (uint32_t)(36 + sizeof(s5)), 2);
    atbytes(&b, m + 0x340 + 36, s5, sizeof(s5));
    checksum(&b, m + 0x340, 36 + sizeof(s5), 9);
    sdt(&b, m + 0x400, "SPCR", 80, 2);
    at8(&b, m + 0x400 + 36, 0);
    gas(&b, m + 0x400 + 40, 1, 8, 1, 0x3f8);
    at8(&b, m + 0x400 + 52, 1);
    at8(&b, m + 0x400 + 53, 4);
    at8(&b, m + 0x400 + 58, 7);
    at8(&b, m + 0x400 + 60, 1);
    at16(&b, m + 0x400 + 64, 0xffff);
    at16(&b, m + 0x400 + 66, 0xffff);
    checksum(&b, m + 0x400, 80, 9);
    const uint8_t ssdt_s5[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x07};
    sdt(&b, m + 0x480, "SSDT", (uint32_t)(36 + sizeof(ssdt_s5)), 2);
    atbytes(&b, m + 0x480 + 36, ssdt_s5, sizeof(ssdt_s5));
    checksum(&b, m + 0x480, 36 + sizeof(ssdt_s5), 9);
    save("acpi", "rsdp2_xsdt_tables", &b);

    b.len = 0;
    at8(&b, 0, 0x06); /* base 4 GiB, fix-ups: the MADT alone, parsed directly */
    madt(&b, 1);
    save("acpi", "madt", &b);

    /* More CPUs, I/O APICs and overrides than the parser keeps. */
    b.len = 0;
    at8(&b, 0, 0x04);
    size_t e = 1 + 44;
    for (unsigned k = 0; k < 66; k++, e += 8) {
        const uint8_t lapic[8] = {0, 8, (uint8_t)k, (uint8_t)k, 1, 0, 0, 0};
        atbytes(&b, e, lapic, 8);
    }
    for (unsigned k = 0; k < 9; k++, e += 12) {
        const uint8_t ioapic[12] = {1, 12, (uint8_t)k, 0, 0, (uint8_t)k, 0xc0, 0xfe, 0, 0, 0, 0};
        atbytes(&b, e, ioapic, 12);
    }
    for (unsigned k = 0; k < 17; k++, e += 10) {
        const uint8_t iso[10] = {2, 10, 0, (uint8_t)k, (uint8_t)k, 0, 0, 0, 0x0f, 0};
        atbytes(&b, e, iso, 10);
    }
    at32(&b, 1 + 36, 0xfee00000u);
    sdt(&b, 1, "APIC", (uint32_t)(e - 1), 5);
    checksum(&b, 1, e - 1, 9);
    save("acpi", "madt_truncated", &b);

    b.len = 0;
    at8(&b, 0, 1); /* base 0xe0000: ACPI 1.0 RSDP, RSDT, a 116-byte FADT, its DSDT */
    uint8_t r[20];
    rsdp_v1(r, 0xe0020);
    atbytes(&b, 1, r, 20);
    sdt(&b, 1 + 0x20, "RSDT", 40, 1);
    at32(&b, 1 + 0x20 + 36, 0xe0080);
    checksum(&b, 1 + 0x20, 40, 9);
    fadt(&b, 1 + 0x80, 116, 1, 0xe0100);
    const uint8_t dsdt[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x05, 0x05};
    sdt(&b, 1 + 0x100, "DSDT", (uint32_t)(36 + sizeof(dsdt)), 1);
    atbytes(&b, 1 + 0x100 + 36, dsdt, sizeof(dsdt));
    checksum(&b, 1 + 0x100, 36 + sizeof(dsdt), 9);
    save("acpi", "rsdp1_fadt1", &b);
}

/* ---- cmdline --------------------------------------------------------------------------------- */

static void text(const char *target, const char *name, const char *s)
{
    struct buf b = {.len = 0};
    put_bytes(&b, s, strlen(s));
    save(target, name, &b);
}

static void seeds_cmdline(void)
{
    text("cmdline", "all_options",
         "/boot/mica.elf loglevel=debug console=com2 test=all fatal=poweroff guest_mem=128M "
         "guest_flat=0x7c00 rt_task=1000");
    text("cmdline", "bad_values",
         "loglevel=loud frobnicate=1 console test=Bad guest_mem=3M guest_flat=0x100000 "
         "rt_task=20000 fatal=");
    text("cmdline", "numbers",
         "guest_mem=0x4000000 loglevel=0\ttest=timers,acpi,pmm console=ttyS1 "
         "guest_mem=4G guest_mem=18446744073709551616");
}

/* ---- guest_loader: configuration byte, then the image ---------------------------------------- */

#define MB1_MAGIC 0x1badb002u

static void mb1_header(struct buf *b, size_t at, uint32_t flags)
{
    at32(b, at, MB1_MAGIC);
    at32(b, at + 4, flags);
    at32(b, at + 8, (uint32_t)(0u - MB1_MAGIC - flags));
}

static void seeds_guest_loader(void)
{
    struct buf b = {.len = 0};
    const size_t i = 1; /* the image starts after the configuration byte */

    /* ELF32 Multiboot kernel loaded at 1 MiB into 2 MiB of RAM, with bss. */
    at8(&b, 0, 0x23); /* 2 MiB, no command line, checksum fix-up */
    const uint8_t ident32[16] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    atbytes(&b, i, ident32, 16);
    at16(&b, i + 16, 2);
    at16(&b, i + 18, 3);
    at32(&b, i + 20, 1);
    at32(&b, i + 24, 0x100080);
    at32(&b, i + 28, 52);
    at16(&b, i + 40, 52);
    at16(&b, i + 42, 32);
    at16(&b, i + 44, 1);
    at32(&b, i + 52, 1);        /* PT_LOAD */
    at32(&b, i + 56, 0);        /* offset */
    at32(&b, i + 60, 0x100000); /* vaddr */
    at32(&b, i + 64, 0x100000); /* paddr */
    at32(&b, i + 68, 0x100);    /* filesz */
    at32(&b, i + 72, 0x400);    /* memsz */
    at32(&b, i + 76, 5);        /* R X */
    mb1_header(&b, i + 0x60, 0x3);
    at8(&b, i + 0x80, 0xf4); /* hlt */
    pad_to(&b, i + 0x100);
    save("guest_loader", "elf32", &b);

    /* ELF64 with a text and a data segment in 128 KiB of RAM, empty command line. */
    b.len = 0;
    at8(&b, 0, 0x29); /* 128 KiB, empty command line, fix-up */
    const uint8_t ident64[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    atbytes(&b, i, ident64, 16);
    at16(&b, i + 16, 2);
    at16(&b, i + 18, 62);
    at32(&b, i + 20, 1);
    at64(&b, i + 24, 0xffffffff80010010ull); /* virtual entry, in the text segment */
    at64(&b, i + 32, 64);
    at16(&b, i + 52, 64);
    at16(&b, i + 54, 56);
    at16(&b, i + 56, 2);
    const struct {
        uint32_t flags;
        uint64_t off, vaddr, paddr, filesz, memsz;
    } ph[2] = {{5, 0, 0xffffffff80010000ull, 0x10000, 0x100, 0x100},
               {6, 0x100, 0xffffffff80012000ull, 0x12000, 0x40, 0x1000}};
    for (int k = 0; k < 2; k++) {
        size_t p = i + 64 + 56 * k;
        at32(&b, p, 1);
        at32(&b, p + 4, ph[k].flags);
        at64(&b, p + 8, ph[k].off);
        at64(&b, p + 16, ph[k].vaddr);
        at64(&b, p + 24, ph[k].paddr);
        at64(&b, p + 32, ph[k].filesz);
        at64(&b, p + 40, ph[k].memsz);
        at64(&b, p + 48, 0x1000);
    }
    mb1_header(&b, i + 0xb0, 0x2);
    pad_to(&b, i + 0x140);
    save("guest_loader", "elf64", &b);

    /* a.out kludge: header at 0 with addresses, loaded at 1 MiB, long command line. */
    b.len = 0;
    at8(&b, 0, 0x3a); /* 1 MiB + 64 KiB, long command line, fix-up */
    mb1_header(&b, i, 0x10003);
    at32(&b, i + 12, 0x100000); /* header_addr */
    at32(&b, i + 16, 0x100000); /* load_addr */
    at32(&b, i + 20, 0);        /* load_end_addr: the whole file */
    at32(&b, i + 24, 0x100400); /* bss_end_addr */
    at32(&b, i + 28, 0x100020); /* entry_addr */
    at8(&b, i + 0x20, 0xf4);
    pad_to(&b, i + 0x80);
    save("guest_loader", "aout_kludge", &b);

    /* A flat boot sector at 0x7c00. */
    b.len = 0;
    at8(&b, 0, 0x25);
    for (size_t k = 0; k < 510; k++)
        at8(&b, i + k, (uint8_t)(k * 7));
    at8(&b, i + 510, 0x55);
    at8(&b, i + 511, 0xaa);
    save("guest_loader", "flat_boot_sector", &b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
        return 2;
    }
    root = argv[1];
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        die(root);
    seeds_io_batch();
    seeds_io_batch_devices();
    seeds_exit_qualification();
    seeds_devices();
    seeds_multiboot2();
    seeds_acpi();
    seeds_cmdline();
    seeds_guest_loader();
    return 0;
}
