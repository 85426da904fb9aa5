/* The block layer's request queue: direct dispatch (each request is a command at once) or an
 * elevator (a plugged queue sorted by LBA, adjacent same-direction requests merged into one
 * command up to a size limit, dispatched on unplug or when full). Pure C (host-tested). */
#ifndef MICA_GUEST_ELEVATOR_H
#define MICA_GUEST_ELEVATOR_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_QUEUE_MAX 128 /* requests a plug can hold */

enum blk_dir { BLK_READ, BLK_WRITE };
enum blk_sched { BLK_SCHED_ELEVATOR, BLK_SCHED_DIRECT };

struct blk_request {
    uint64_t lba;
    uint32_t count; /* sectors */
    enum blk_dir dir;
    void *buf;                /* count sectors of data */
    struct blk_request *next; /* the next request of the same command (set at dispatch) */
    bool failed;              /* set at dispatch if its command failed */
};

/* One command for the driver: `requests` requests chained through `next`, in LBA order, whose
 * sectors are contiguous from lba. */
struct blk_command {
    uint64_t lba;
    uint32_t count;
    enum blk_dir dir;
    struct blk_request *first;
    unsigned requests;
};

/* Runs one command; returns false if it failed. */
typedef bool (*blk_issue_fn)(void *ctx, const struct blk_command *cmd);

struct blk_queue {
    enum blk_sched sched;
    struct blk_request *queued[BLK_QUEUE_MAX];
    unsigned count;
    unsigned capacity;    /* 1..BLK_QUEUE_MAX: an elevator unplugs when this many are queued */
    uint32_t max_sectors; /* largest merged command */
    blk_issue_fn issue;
    void *ctx;
    /* Statistics. */
    uint64_t submitted, commands, merges, failed_commands, unplugs;
};

void blk_queue_init(struct blk_queue *q, enum blk_sched sched, unsigned capacity,
                    uint32_t max_sectors, blk_issue_fn issue, void *ctx);
/* Direct: issues the request as one command now. Elevator: queues it (unplugging first if the
 * queue is full, or if it overlaps a queued request and one of the two is a write, so that
 * sorting never reorders dependent requests). Returns false if a command issued here failed. */
bool blk_submit(struct blk_queue *q, struct blk_request *req);
/* Sorts what is queued by LBA (stable), merges and issues it; the queue is then empty. Returns
 * false if a command failed (its requests are marked failed). */
bool blk_unplug(struct blk_queue *q);

#endif
