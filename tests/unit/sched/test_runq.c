/*
 * test_runq.c - the per-CPU run queues (sched/runq.h) on simulated CPUs:
 * placement, work stealing, affinity, and a simulation of rounds of time
 * slices on four CPUs that checks no CPU idles while a thread it may run
 * waits, and that every thread gets its share.
 */
#include <check.h>
#include <k/errno.h>
#include <sched/runq.h>
#include <sched/thread.h>
#include <string.h>

Suite *runq_suite(void);

#define NT 32

static struct runq rq;
static struct thread th[NT];

static void setup(void)
{
    runq_init(&rq);
    memset(th, 0, sizeof(th));
    for (int i = 0; i < NT; i++)
        th[i].id = (uint64_t)i;
}

static void online(unsigned n)
{
    for (unsigned c = 0; c < n; c++) {
        ck_assert_int_eq(runq_cpu_online(&rq, c), 0);
        rq.cpu[c].idle = true;
    }
}

START_TEST(cpus_come_online_once)
{
    ck_assert_int_eq(runq_cpu_online(&rq, 2), 0);
    ck_assert_int_eq(runq_cpu_online(&rq, 2), -EEXIST);
    ck_assert_int_eq(runq_cpu_online(&rq, SCHED_MAX_CPUS), -EINVAL);
    ck_assert_uint_eq(rq.ncpus, 3);
    ck_assert_uint_eq(rq.online_mask, 1u << 2);
    /* CPUs 0 and 1 are not online: nothing may run there. */
    ck_assert(!runq_allowed(&rq, &th[0], 0));
    ck_assert(runq_allowed(&rq, &th[0], 2));
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 2);
}
END_TEST

START_TEST(an_idle_last_cpu_keeps_its_thread)
{
    online(4);
    th[0].cpu = 3;
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 3);
    /* Busy there, with someone waiting: another idle CPU wins. */
    rq.cpu[3].idle = false;
    runq_push(&rq, 3, &th[1]);
    rq.cpu[0].idle = false;
    unsigned c = runq_place(&rq, &th[0], 0);
    ck_assert(c == 1 || c == 2);
}
END_TEST

START_TEST(busy_cpus_get_the_shortest_queue)
{
    online(3);
    for (unsigned c = 0; c < 3; c++)
        rq.cpu[c].idle = false;
    runq_push(&rq, 0, &th[1]);
    runq_push(&rq, 0, &th[2]);
    runq_push(&rq, 1, &th[3]);
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 2);
    runq_push(&rq, 2, &th[4]);
    /* 1 and 2 tie at one queued: the waker's CPU is not among them, so the
     * last CPU wins, then the lowest number. */
    th[0].cpu = 2;
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 2);
    th[0].cpu = 0;
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 1);
    /* Among equals the waker's own CPU comes first. */
    ck_assert_uint_eq(runq_place(&rq, &th[0], 1), 1);
    ck_assert_uint_eq(runq_total(&rq), 4);
}
END_TEST

START_TEST(affinity_limits_placement)
{
    online(4);
    th[0].affinity = 1u << 2;
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 2);
    rq.cpu[2].idle = false;
    runq_push(&rq, 2, &th[1]);
    runq_push(&rq, 2, &th[2]);
    ck_assert_uint_eq(runq_place(&rq, &th[0], 0), 2); /* still 2, however long */
    /* A mask with no online CPU: the caller's CPU keeps it. */
    th[0].affinity = 1u << 9;
    ck_assert(!runq_allowed(&rq, &th[0], 9));
    ck_assert_uint_eq(runq_place(&rq, &th[0], 1), 1);
}
END_TEST

START_TEST(own_queue_is_fifo)
{
    online(2);
    for (int i = 0; i < 4; i++)
        runq_push(&rq, 0, &th[i]);
    ck_assert_int_eq(th[2].state, THREAD_READY);
    for (int i = 0; i < 4; i++) {
        struct thread *t = runq_pop(&rq, 0);
        ck_assert_ptr_eq(t, &th[i]);
        ck_assert_ptr_null(t->next);
    }
    ck_assert_ptr_null(runq_pop(&rq, 0));
    ck_assert_ptr_null(rq.cpu[0].tail);
    ck_assert_uint_eq(rq.cpu[0].steals, 0);
}
END_TEST

START_TEST(an_empty_cpu_steals_the_oldest_from_the_longest_queue)
{
    online(3);
    runq_push(&rq, 0, &th[0]);
    runq_push(&rq, 1, &th[1]);
    runq_push(&rq, 1, &th[2]);
    runq_push(&rq, 1, &th[3]);
    struct thread *t = runq_pop(&rq, 2);
    ck_assert_ptr_eq(t, &th[1]);
    ck_assert_uint_eq(t->cpu, 2);
    ck_assert_uint_eq(rq.cpu[2].steals, 1);
    ck_assert_uint_eq(rq.cpu[1].stolen_from, 1);
    ck_assert_uint_eq(rq.cpu[1].len, 2);
    ck_assert_ptr_eq(rq.cpu[1].head, &th[2]);
}
END_TEST

START_TEST(stealing_skips_what_the_thief_may_not_run)
{
    online(3);
    /* CPU 0's long queue holds only threads pinned to it; CPU 1 has one
     * free thread behind a pinned one. */
    for (int i = 0; i < 3; i++) {
        th[i].affinity = 1u << 0;
        runq_push(&rq, 0, &th[i]);
    }
    th[3].affinity = 1u << 1;
    runq_push(&rq, 1, &th[3]);
    runq_push(&rq, 1, &th[4]);
    ck_assert_int_eq(runq_idle_cpu(&rq, 0, 0), -1); /* nobody else may run CPU 0's */
    ck_assert_int_eq(runq_idle_cpu(&rq, 1, 1), 2);
    struct thread *t = runq_pop(&rq, 2);
    ck_assert_ptr_eq(t, &th[4]);
    ck_assert_ptr_eq(rq.cpu[1].tail, &th[3]); /* unlinked from the tail */
    ck_assert_ptr_null(runq_pop(&rq, 2));     /* the rest are pinned */
    ck_assert_uint_eq(runq_total(&rq), 4);
}
END_TEST

START_TEST(remove_takes_a_thread_off_its_queue)
{
    online(2);
    runq_push(&rq, 1, &th[0]);
    runq_push(&rq, 1, &th[1]);
    runq_push(&rq, 1, &th[2]);
    ck_assert(runq_remove(&rq, &th[1]));
    ck_assert(!runq_remove(&rq, &th[1]));
    ck_assert(runq_remove(&rq, &th[2]));
    ck_assert_ptr_eq(rq.cpu[1].tail, &th[0]);
    runq_push(&rq, 1, &th[3]);
    ck_assert_ptr_eq(runq_pop(&rq, 1), &th[0]);
    ck_assert_ptr_eq(runq_pop(&rq, 1), &th[3]);
    th[5].cpu = SCHED_MAX_CPUS;
    ck_assert(!runq_remove(&rq, &th[5]));
}
END_TEST

/*
 * Rounds of time slices on @p ncpus simulated CPUs, as sched.c drives them:
 * each CPU puts its running thread back on the shortest queue (a preemption
 * at the end of its slice, runq_requeue()) and takes the next one, stealing
 * when its own queue is empty. Threads start where make_ready() would put them, all woken by
 * CPU 0. Returns the number of slices each thread got in @p runs.
 */
static int migrations;

static void simulate(unsigned ncpus, int nthreads, int rounds, int runs[NT], int on_cpu[NT][4])
{
    int last[NT];
    for (int i = 0; i < NT; i++)
        last[i] = -1;
    migrations = 0;
    struct thread *cur[SCHED_MAX_CPUS] = { 0 };
    for (int i = 0; i < nthreads; i++) {
        unsigned c = runq_place(&rq, &th[i], 0);
        runq_push(&rq, c, &th[i]);
        /* A placed thread makes its CPU busy as far as later placements see. */
        rq.cpu[c].idle = false;
    }
    for (int r = 0; r < rounds; r++) {
        for (unsigned c = 0; c < ncpus; c++)
            if (cur[c])
                runq_push(&rq, runq_requeue(&rq, cur[c], c), cur[c]);
        int busy = 0;
        for (unsigned c = 0; c < ncpus; c++) {
            cur[c] = runq_pop(&rq, c);
            rq.cpu[c].idle = cur[c] == NULL;
            if (cur[c]) {
                int i = (int)(cur[c] - th);
                ck_assert(runq_allowed(&rq, cur[c], c));
                runs[i]++;
                on_cpu[i][c]++;
                migrations += last[i] >= 0 && last[i] != (int)c;
                last[i] = (int)c;
                busy++;
            }
        }
        /* Work conservation: a CPU idles only if nothing queued may run there. */
        for (unsigned c = 0; c < ncpus; c++)
            for (unsigned v = 0; !cur[c] && v < ncpus; v++)
                for (struct thread *t = rq.cpu[v].head; t; t = t->next)
                    ck_assert_msg(!runq_allowed(&rq, t, c),
                                  "round %d: CPU %u idle while thread %d waits", r, c,
                                  (int)(t - th));
        ck_assert_int_eq(busy, nthreads < (int)ncpus ? nthreads : (int)ncpus);
    }
}

START_TEST(four_cpus_share_the_work_evenly)
{
    online(4);
    int runs[NT] = { 0 }, on_cpu[NT][4] = { { 0 } };
    simulate(4, 10, 1000, runs, on_cpu);
    int lo = runs[0], hi = runs[0], total = 0;
    for (int i = 0; i < 10; i++) {
        lo = runs[i] < lo ? runs[i] : lo;
        hi = runs[i] > hi ? runs[i] : hi;
        total += runs[i];
    }
    ck_assert_int_eq(total, 4000);
    /* 400 slices each, within 5%: waiting threads move between queues. */
    ck_assert_msg(lo >= 380 && hi <= 420, "slices per thread from %d to %d", lo, hi);
}
END_TEST

START_TEST(pinned_threads_stay_and_the_rest_spread)
{
    online(4);
    th[0].affinity = 1u << 1;
    th[1].affinity = 1u << 1;
    int runs[NT] = { 0 }, on_cpu[NT][4] = { { 0 } };
    simulate(4, 8, 600, runs, on_cpu);
    for (int i = 0; i < 2; i++)
        for (unsigned c = 0; c < 4; c++)
            if (c != 1)
                ck_assert_int_eq(on_cpu[i][c], 0);
    /* Every CPU ran something: the free threads went where there was room. */
    for (unsigned c = 0; c < 4; c++) {
        int n = 0;
        for (int i = 0; i < 8; i++)
            n += on_cpu[i][c];
        ck_assert_msg(n >= 590, "CPU %u ran only %d slices of 600", c, n);
    }
}
END_TEST

START_TEST(fewer_threads_than_cpus_never_wait)
{
    online(4);
    int runs[NT] = { 0 }, on_cpu[NT][4] = { { 0 } };
    simulate(4, 3, 200, runs, on_cpu);
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(runs[i], 200); /* a slice every round */
    ck_assert_int_eq(migrations, 0);    /* each stays where its caches are */
}
END_TEST

Suite *runq_suite(void)
{
    Suite *s = suite_create("runq");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, cpus_come_online_once);
    tcase_add_test(tc, an_idle_last_cpu_keeps_its_thread);
    tcase_add_test(tc, busy_cpus_get_the_shortest_queue);
    tcase_add_test(tc, affinity_limits_placement);
    tcase_add_test(tc, own_queue_is_fifo);
    tcase_add_test(tc, an_empty_cpu_steals_the_oldest_from_the_longest_queue);
    tcase_add_test(tc, stealing_skips_what_the_thief_may_not_run);
    tcase_add_test(tc, remove_takes_a_thread_off_its_queue);
    tcase_add_test(tc, four_cpus_share_the_work_evenly);
    tcase_add_test(tc, pinned_threads_stay_and_the_rest_spread);
    tcase_add_test(tc, fewer_threads_than_cpus_never_wait);
    suite_add_tcase(s, tc);
    return s;
}
