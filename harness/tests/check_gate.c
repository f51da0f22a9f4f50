/* gate: at most cap entries held at once, the rest started oldest first as slots free up (never inside
 * gate_release: on the scheduler), cancelled waiters skipped, and a rate that spaces the starts. */
#include <check.h>
#include <uv.h>
#include "check_run.h"
#include "base/clock.h"
#include "load/gate.h"

#define N 10
static gate_entry ents[N];
static int order[N], started;
static int64_t started_at[N];
static int in_release;

static void on_start(gate_entry *e)
{
    ck_assert_int_eq(in_release, 0);   /* never from inside gate_release */
    int i = (int)(e - ents);
    order[started++] = i;
    started_at[i] = clock_now_ns();
}

static void release(gate *g, int i)
{
    in_release = 1;
    gate_release(g, &ents[i]);
    in_release = 0;
}

static void setup(uv_loop_t *loop, sched *s, gate *g, int cap, double rate)
{
    uv_loop_init(loop);
    ck_assert_int_eq(sched_init(s, loop, 4), 0);
    gate_init(g, s, cap, rate, on_start);
    for (int i = 0; i < N; i++) gate_entry_init(&ents[i]);
    started = 0;
}

static void teardown(uv_loop_t *loop, sched *s, gate *g)
{
    gate_close(g);
    sched_close(s);
    uv_run(loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(loop), 0);
}

START_TEST(test_cap_and_order)
{
    uv_loop_t loop; sched s; gate g;
    setup(&loop, &s, &g, 3, 0);
    for (int i = 0; i < N; i++) gate_request(&g, &ents[i]);
    ck_assert_int_eq(started, 3);               /* 0, 1, 2 at once; the rest wait */
    ck_assert_int_eq(g.held, 3);
    ck_assert_int_eq(g.queued, N - 3);
    gate_request(&g, &ents[5]);                 /* already waiting: left as it is */
    ck_assert_int_eq(g.queued, N - 3);
    release(&g, 4);                             /* a waiter gives up: its place goes, nothing starts */
    ck_assert_int_eq(g.queued, N - 4);
    release(&g, 1);                             /* a slot frees: the oldest waiter starts, on the loop */
    ck_assert_int_eq(started, 3);
    uv_run(&loop, UV_RUN_NOWAIT);
    for (int k = 0; k < 5 && started < 4; k++) uv_run(&loop, UV_RUN_ONCE);
    ck_assert_int_eq(started, 4);
    ck_assert_int_eq(order[3], 3);
    release(&g, 1);                             /* holds nothing any more: no effect */
    ck_assert_int_eq(g.held, 3);
    for (int k = 0; k < 50 && (g.queued || g.held); k++) {   /* handshakes end: the rest start, 3 at a time */
        ck_assert_int_le(g.held, 3);
        for (int i = 0; i < N; i++)
            if (ents[i].state == GATE_HELD) release(&g, i);
        if (g.queued) uv_run(&loop, UV_RUN_ONCE);   /* the pump is due: this returns */
    }
    ck_assert_int_eq(started, N - 1);           /* 4 gave up */
    for (int k = 1; k < started; k++) ck_assert_int_lt(order[k - 1], order[k]);   /* oldest first */
    teardown(&loop, &s, &g);
}
END_TEST

START_TEST(test_no_cap)
{
    uv_loop_t loop; sched s; gate g;
    setup(&loop, &s, &g, 0, 0);
    for (int i = 0; i < N; i++) gate_request(&g, &ents[i]);
    ck_assert_int_eq(started, N);
    ck_assert_int_eq(g.queued, 0);
    teardown(&loop, &s, &g);
}
END_TEST

START_TEST(test_rate)
{
    uv_loop_t loop; sched s; gate g;
    setup(&loop, &s, &g, 0, 200);               /* 5 ms apart */
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < N; i++) gate_request(&g, &ents[i]);
    ck_assert_int_eq(started, 1);
    for (int k = 0; k < 1000 && started < N; k++) uv_run(&loop, UV_RUN_ONCE);
    ck_assert_int_eq(started, N);
    /* never faster than the rate: the k-th start at least (k - 1) periods after the first */
    for (int i = 1; i < N; i++) ck_assert_int_ge(started_at[i] - t0, (int64_t)(i - 1) * 5000000);
    teardown(&loop, &s, &g);
}
END_TEST

START_TEST(test_close_forgets)
{
    uv_loop_t loop; sched s; gate g;
    setup(&loop, &s, &g, 1, 0);
    for (int i = 0; i < N; i++) gate_request(&g, &ents[i]);
    gate_close(&g);
    ck_assert_int_eq(g.queued, 0);
    for (int i = 1; i < N; i++) ck_assert(!gate_is_queued(&ents[i]));
    teardown(&loop, &s, &g);
    ck_assert_int_eq(started, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cap_and_order);
    tcase_add_test(tc, test_no_cap);
    tcase_add_test(tc, test_rate);
    tcase_add_test(tc, test_close_forgets);
    suite_add_tcase(s, tc);
    return check_run(s);
}
