/* Host unit tests of guest/kernel/elevator.c: direct dispatch, the elevator's sort and merge
 * rules (direction, contiguity, size limit), unplug when full, ordering of dependent requests,
 * failure marking, and a randomized check that every sector is issued exactly once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "guest/kernel/elevator.h"

#define MAX_ISSUED 512

struct issued {
    struct blk_command cmd[MAX_ISSUED];
    unsigned n;
    bool fail;
};

static bool record(void *ctx, const struct blk_command *cmd)
{
    struct issued *log = ctx;
    assert_true(log->n < MAX_ISSUED);
    /* The chain holds `requests` contiguous requests, in LBA order, in the command's direction. */
    uint64_t lba = cmd->lba;
    unsigned n = 0;
    for (const struct blk_request *r = cmd->first; r; r = r->next, n++) {
        assert_int_equal(r->lba, lba);
        assert_int_equal(r->dir, cmd->dir);
        lba += r->count;
    }
    assert_int_equal(n, cmd->requests);
    assert_int_equal(lba, cmd->lba + cmd->count);
    log->cmd[log->n++] = *cmd;
    return !log->fail;
}

static struct issued log_;
static struct blk_queue q;
static struct blk_request reqs[MAX_ISSUED];

static int setup(void **state)
{
    (void)state;
    memset(&log_, 0, sizeof(log_));
    memset(reqs, 0, sizeof(reqs));
    return 0;
}

static struct blk_request *req(unsigned i, uint64_t lba, uint32_t count, enum blk_dir dir)
{
    reqs[i] = (struct blk_request){.lba = lba, .count = count, .dir = dir};
    return &reqs[i];
}

static void test_direct_issues_each_request(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_DIRECT, 32, 256, record, &log_);
    assert_true(blk_submit(&q, req(0, 8, 8, BLK_WRITE)));
    assert_true(blk_submit(&q, req(1, 0, 8, BLK_WRITE)));
    assert_int_equal(log_.n, 2);
    assert_int_equal(log_.cmd[0].lba, 8);
    assert_int_equal(log_.cmd[1].lba, 0);
    assert_true(blk_unplug(&q));
    assert_int_equal(log_.n, 2);
    assert_int_equal(q.commands, 2);
    assert_int_equal(q.merges, 0);
}

static void test_elevator_sorts_and_merges(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_ELEVATOR, 32, 256, record, &log_);
    assert_true(blk_submit(&q, req(0, 16, 8, BLK_WRITE)));
    assert_true(blk_submit(&q, req(1, 0, 8, BLK_WRITE)));
    assert_true(blk_submit(&q, req(2, 8, 8, BLK_WRITE)));
    assert_true(blk_submit(&q, req(3, 100, 4, BLK_WRITE)));
    assert_int_equal(log_.n, 0); /* plugged */
    assert_true(blk_unplug(&q));
    assert_int_equal(log_.n, 2);
    assert_int_equal(log_.cmd[0].lba, 0);
    assert_int_equal(log_.cmd[0].count, 24);
    assert_int_equal(log_.cmd[0].requests, 3);
    assert_int_equal(log_.cmd[1].lba, 100);
    assert_int_equal(q.merges, 2);
    assert_int_equal(q.count, 0);
}

static void test_no_merge_across_direction_gap_or_limit(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_ELEVATOR, 32, 16, record, &log_);
    assert_true(blk_submit(&q, req(0, 0, 8, BLK_READ)));
    assert_true(blk_submit(&q, req(1, 8, 8, BLK_WRITE)));  /* other direction */
    assert_true(blk_submit(&q, req(2, 17, 8, BLK_WRITE))); /* gap of one sector */
    assert_true(blk_submit(&q, req(3, 25, 8, BLK_WRITE))); /* merges: 16 sectors */
    assert_true(blk_submit(&q, req(4, 33, 1, BLK_WRITE))); /* would make 17 > 16 */
    assert_true(blk_unplug(&q));
    assert_int_equal(log_.n, 4);
    assert_int_equal(log_.cmd[2].lba, 17);
    assert_int_equal(log_.cmd[2].count, 16);
    assert_int_equal(log_.cmd[3].lba, 33);
}

static void test_full_queue_unplugs(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_ELEVATOR, 4, 256, record, &log_);
    for (unsigned i = 0; i < 5; i++)
        assert_true(blk_submit(&q, req(i, i * 8, 8, BLK_WRITE)));
    assert_int_equal(log_.n, 1); /* the first four, merged */
    assert_int_equal(log_.cmd[0].count, 32);
    assert_int_equal(q.count, 1);
    assert_true(blk_unplug(&q));
    assert_int_equal(log_.n, 2);
    assert_int_equal(log_.cmd[1].lba, 32);
}

static void test_dependent_requests_keep_their_order(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_ELEVATOR, 32, 256, record, &log_);
    assert_true(blk_submit(&q, req(0, 4, 4, BLK_WRITE)));
    assert_true(blk_submit(&q, req(1, 0, 8, BLK_READ))); /* overlaps the write: unplugs first */
    assert_int_equal(log_.n, 1);
    assert_int_equal(log_.cmd[0].dir, BLK_WRITE);
    /* Overlapping reads do not depend on each other. */
    assert_true(blk_submit(&q, req(2, 2, 8, BLK_READ)));
    assert_int_equal(log_.n, 1);
    assert_true(blk_unplug(&q));
    assert_int_equal(log_.n, 3);
    assert_int_equal(log_.cmd[1].lba, 0);
    assert_int_equal(log_.cmd[2].lba, 2);
}

static void test_failure_marks_requests(void **state)
{
    (void)state;
    blk_queue_init(&q, BLK_SCHED_ELEVATOR, 32, 256, record, &log_);
    assert_true(blk_submit(&q, req(0, 0, 8, BLK_WRITE)));
    assert_true(blk_submit(&q, req(1, 8, 8, BLK_WRITE)));
    log_.fail = true;
    assert_false(blk_unplug(&q));
    assert_true(reqs[0].failed);
    assert_true(reqs[1].failed);
    assert_int_equal(q.failed_commands, 1);
}

static void test_random_workloads_issue_each_sector_once(void **state)
{
    (void)state;
    srand(1);
    for (unsigned round = 0; round < 200; round++) {
        setup(NULL);
        unsigned cap = 1 + (unsigned)rand() % 40, max = 1 + (unsigned)rand() % 64;
        blk_queue_init(&q, rand() % 2 ? BLK_SCHED_ELEVATOR : BLK_SCHED_DIRECT, cap, max, record,
                       &log_);
        /* Distinct sector ranges, submitted in random order. */
        unsigned n = 1 + (unsigned)rand() % 100, sectors = 0;
        uint8_t seen[4096] = {0};
        for (unsigned i = 0; i < n; i++) {
            uint32_t count = 1 + (uint32_t)rand() % (max < 8 ? max : 8);
            req(i, sectors, count, BLK_WRITE);
            sectors += count + (unsigned)(rand() % 3 == 0);
        }
        for (unsigned i = n; i > 1; i--) {
            unsigned j = (unsigned)rand() % i;
            struct blk_request t = reqs[i - 1];
            reqs[i - 1] = reqs[j];
            reqs[j] = t;
        }
        for (unsigned i = 0; i < n; i++)
            assert_true(blk_submit(&q, &reqs[i]));
        assert_true(blk_unplug(&q));
        for (unsigned c = 0; c < log_.n; c++) {
            assert_true(log_.cmd[c].count <= max);
            for (uint64_t s = log_.cmd[c].lba; s < log_.cmd[c].lba + log_.cmd[c].count; s++)
                seen[s]++;
        }
        unsigned total = 0;
        for (unsigned i = 0; i < n; i++) {
            total += reqs[i].count;
            for (uint64_t s = reqs[i].lba; s < reqs[i].lba + reqs[i].count; s++)
                assert_int_equal(seen[s], 1);
        }
        uint64_t issued = 0;
        for (unsigned c = 0; c < log_.n; c++)
            issued += log_.cmd[c].count;
        assert_int_equal(issued, total);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_direct_issues_each_request, setup),
        cmocka_unit_test_setup(test_elevator_sorts_and_merges, setup),
        cmocka_unit_test_setup(test_no_merge_across_direction_gap_or_limit, setup),
        cmocka_unit_test_setup(test_full_queue_unplugs, setup),
        cmocka_unit_test_setup(test_dependent_requests_keep_their_order, setup),
        cmocka_unit_test_setup(test_failure_marks_requests, setup),
        cmocka_unit_test_setup(test_random_workloads_issue_each_sector_once, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
