/* The block layer's request queue: direct dispatch, or the elevator's plug, stable LBA sort and
 * merge of contiguous same-direction requests. */
#include "guest/kernel/elevator.h"

#include <stddef.h>

void blk_queue_init(struct blk_queue *q, enum blk_sched sched, unsigned capacity,
                    uint32_t max_sectors, blk_issue_fn issue, void *ctx)
{
    *q = (struct blk_queue){
        .sched = sched,
        .capacity = capacity == 0 || capacity > BLK_QUEUE_MAX ? BLK_QUEUE_MAX : capacity,
        .max_sectors = max_sectors == 0 ? 1 : max_sectors,
        .issue = issue,
        .ctx = ctx,
    };
}

static bool issue_command(struct blk_queue *q, struct blk_command *cmd)
{
    q->commands++;
    q->merges += cmd->requests - 1;
    bool ok = q->issue(q->ctx, cmd);
    if (!ok) {
        q->failed_commands++;
        for (struct blk_request *r = cmd->first; r != NULL; r = r->next)
            r->failed = true;
    }
    return ok;
}

static bool overlaps(const struct blk_request *a, const struct blk_request *b)
{
    return a->lba < b->lba + b->count && b->lba < a->lba + a->count;
}

bool blk_submit(struct blk_queue *q, struct blk_request *req)
{
    req->next = NULL;
    req->failed = false;
    q->submitted++;
    if (q->sched == BLK_SCHED_DIRECT) {
        struct blk_command cmd = {req->lba, req->count, req->dir, req, 1};
        return issue_command(q, &cmd);
    }
    bool ok = true;
    bool conflict = false;
    for (unsigned i = 0; i < q->count && !conflict; i++)
        conflict = overlaps(q->queued[i], req) &&
                   (q->queued[i]->dir == BLK_WRITE || req->dir == BLK_WRITE);
    if (conflict || q->count == q->capacity)
        ok = blk_unplug(q);
    q->queued[q->count++] = req;
    return ok;
}

/* Insertion sort by LBA: stable, and the queue is short (and usually nearly sorted). */
static void sort_by_lba(struct blk_request **r, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        struct blk_request *x = r[i];
        unsigned j = i;
        for (; j > 0 && r[j - 1]->lba > x->lba; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

bool blk_unplug(struct blk_queue *q)
{
    if (q->count == 0)
        return true;
    q->unplugs++;
    sort_by_lba(q->queued, q->count);
    bool ok = true;
    struct blk_command cmd = {0};
    struct blk_request *last = NULL;
    for (unsigned i = 0; i < q->count; i++) {
        struct blk_request *r = q->queued[i];
        r->next = NULL;
        bool mergeable = last != NULL && r->dir == cmd.dir && r->lba == cmd.lba + cmd.count &&
                         (uint64_t)cmd.count + r->count <= q->max_sectors;
        if (mergeable) {
            last->next = r;
            cmd.count += r->count;
            cmd.requests++;
        } else {
            if (last != NULL)
                ok &= issue_command(q, &cmd);
            cmd = (struct blk_command){r->lba, r->count, r->dir, r, 1};
        }
        last = r;
    }
    ok &= issue_command(q, &cmd);
    q->count = 0;
    return ok;
}
