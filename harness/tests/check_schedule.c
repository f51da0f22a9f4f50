/* schedule: entries fire in deadline order, never before their deadline, and a callback that keeps
 * rescheduling for "now" cannot stop the loop from turning (the libuv 1.44 0 ms re-arm spin). */
#include <check.h>
#include <uv.h>
#include "check_run.h"
#include "base/clock.h"
#include "net/schedule.h"

typedef struct probe_entry { sched_entry e; int64_t fired_at; int order; } probe_entry;
static int fire_count;
static sched *the_sched;

static void on_fire(sched_entry *e, int64_t now)
{
    probe_entry *p = (probe_entry *)e;
    p->fired_at = now;
    p->order = fire_count++;
}

START_TEST(test_order_and_not_early)
{
    uv_loop_t loop;
    sched s;
    probe_entry p[50] = {0};
    uv_loop_init(&loop);
    ck_assert_int_eq(sched_init(&s, &loop, 50), 0);
    fire_count = 0;
    int64_t t0 = clock_now_ns();
    for (int i = 0; i < 50; i++) {
        sched_entry_init(&p[i].e, on_fire);
        /* 0.3 ms apart, in a shuffled order of scheduling: sub-millisecond intent */
        int k = (i * 17) % 50;
        ck_assert_int_eq(sched_at(&s, &p[i].e, t0 + 1000000 + k * 300000), 0);
    }
    sched_cancel(&s, &p[3].e);
    ck_assert(!sched_pending(&p[3].e));
    while (fire_count < 49) uv_run(&loop, UV_RUN_ONCE);
    for (int i = 0; i < 50; i++) {
        if (i == 3) { ck_assert_int_eq(p[i].fired_at, 0); continue; }
        ck_assert_int_ge(p[i].fired_at, p[i].e.at_ns);
        for (int j = 0; j < 50; j++)
            if (j != 3 && p[j].e.at_ns < p[i].e.at_ns) ck_assert_int_lt(p[j].order, p[i].order);
    }
    sched_close(&s);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static int reschedules;
static void on_fire_again(sched_entry *e, int64_t now)
{
    reschedules++;
    sched_at(the_sched, e, now);   /* due again at once, forever */
}

static int idle_turns;
static void on_idle(uv_idle_t *h) { if (++idle_turns == 5) uv_idle_stop(h); }

START_TEST(test_no_spin)
{
    uv_loop_t loop;
    sched s;
    sched_entry e;
    uv_idle_t idle;
    uv_loop_init(&loop);
    ck_assert_int_eq(sched_init(&s, &loop, 1), 0);
    the_sched = &s;
    sched_entry_init(&e, on_fire_again);
    sched_at(&s, &e, clock_now_ns());
    uv_idle_init(&loop, &idle);
    uv_idle_start(&idle, on_idle);
    /* the loop keeps turning: other handles run between the scheduler's passes */
    for (int i = 0; i < 100 && idle_turns < 5; i++) uv_run(&loop, UV_RUN_ONCE);
    ck_assert_int_eq(idle_turns, 5);
    ck_assert_int_gt(reschedules, 0);
    ck_assert_uint_le((uint64_t)reschedules, 66 * s.wakeups);   /* the budget of one pass */
    uv_close((uv_handle_t *)&idle, NULL);
    sched_close(&s);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_order_and_not_early);
    tcase_add_test(tc, test_no_spin);
    suite_add_tcase(s, tc);
    return check_run(s);
}
