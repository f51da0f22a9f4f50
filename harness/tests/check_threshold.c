#include <check.h>
#include <math.h>
#include <string.h>
#include "report/result.h"
#include "report/threshold.h"
#include "check_run.h"

START_TEST(parse_good)
{
    threshold t;
    buf err = BUF_INIT;
    ck_assert_int_eq(threshold_parse("p99_ms<50", &t, &err), 0);
    ck_assert_str_eq(t.metric, "p99_ms");
    ck_assert_int_eq(t.op, THRESHOLD_LT);
    ck_assert(t.limit == 50);
    ck_assert_str_eq(t.expr, "p99_ms<50");
    ck_assert_int_eq(threshold_parse("  round_trips_per_s >= 1e3 ", &t, &err), 0);
    ck_assert_int_eq(t.op, THRESHOLD_GE);
    ck_assert(t.limit == 1000);
    ck_assert_str_eq(t.expr, "round_trips_per_s>=1e3");
    ck_assert_int_eq(threshold_parse("error_rate<=0.01", &t, &err), 0);
    ck_assert_int_eq(t.op, THRESHOLD_LE);
    ck_assert(t.limit == 0.01);
    ck_assert_int_eq(threshold_parse("connect_failures<1", &t, &err), 0);
    ck_assert_int_eq(threshold_parse("p999_ms>0.5", &t, &err), 0);
    ck_assert_int_eq(t.op, THRESHOLD_GT);
    buf_free(&err);
}
END_TEST

static void bad(const char *text, const char *want)
{
    threshold t;
    buf err = BUF_INIT;
    ck_assert_int_eq(threshold_parse(text, &t, &err), -1);
    ck_assert_msg(strstr(buf_cstr(&err), want) != NULL, "'%s': error '%s' lacks '%s'", text, buf_cstr(&err), want);
    buf_free(&err);
}

START_TEST(parse_bad)
{
    bad("p98_ms<50", "unknown metric 'p98_ms'");
    bad("p99<50", "unknown metric");
    bad("p99ms<50", "unknown metric 'p99ms' (known: p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, "
                    "round_trips_per_s, error_rate, errors, connect_failures, unverified, "
                    "reconnect_ms, reconnect_p99_ms, lost)");
    bad("", "unknown metric ''");
    bad("<5", "unknown metric ''");
    bad("p99_ms=50", "unknown operator '=' (known: < <= > >=)");
    /* the scenario parser took "==" and dropped the threshold at the end of the run: now refused */
    bad("errors==0", "unknown operator '==' (known: < <= > >=)");
    bad("errors!=0", "unknown operator '!='");
    bad("p99_ms=<5", "unknown operator '=<'");
    bad("p99_ms<<5", "unknown operator '<<'");
    bad("p99_ms 5", "expected an operator (one of < <= > >=) after 'p99_ms'");
    bad("p99_ms<", "expected a number");
    bad("p99_ms<abc", "expected a number");
    bad("p99_ms<50ms", "unexpected 'ms'");
    bad("p99_ms<inf", "expected a number");
    bad("p99_ms<0x10", "expected a finite decimal number");
    bad("p99_ms<1e400", "expected a finite decimal number");
    /* messages name the problem, not the text: each caller says where it was (thresholds[0], --threshold) */
    threshold t;
    buf err = BUF_INIT;
    ck_assert_int_eq(threshold_parse("p99ms<50", &t, &err), -1);
    ck_assert_ptr_null(strstr(buf_cstr(&err), "p99ms<50"));
    buf_free(&err);
}
END_TEST

START_TEST(evaluate)
{
    result *r = result_new();
    r->meta.duration_s = 12;   /* setup and teardown included: throughput is over the steady window */
    for (int i = 0; i < 1000; i++) {   /* one send every 10 ms from t = 1 s: 999 round trips in 9.99 s */
        int64_t t = 1000000000LL + i * 10000000LL, rtt = (i < 990 ? 10 : 80) * 1000000LL;
        stats_sent(r->stats, t);
        stats_verified(r->stats, t + rtt, rtt);
    }
    stats_conn_attempt(r->stats, 0);
    stats_conn_failed(r->stats, 0);
    stats_error(r->stats, 0, "connect", "refused");
    buf err = BUF_INIT;
    const char *exprs[] = {"p50_ms<11", "p99_ms<50", "p999_ms<=81", "round_trips_per_s>99", "round_trips_per_s>100",
                           "error_rate<0.001", "connect_failures<1", "errors<=1", "unverified<1", "max_ms>=80"};
    const int want[] = {1, 1, 1, 1, 0, 1, 0, 1, 1, 1};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        ck_assert_int_eq(result_add_threshold(r, exprs[i], &err), 0);
    result_finish(r);
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        ck_assert_msg(r->thresholds[i].pass == want[i], "%s: value %g pass %d", exprs[i], r->thresholds[i].value,
                      r->thresholds[i].pass);
    ck_assert(fabs(r->thresholds[1].value - 10.0) < 0.1);
    ck_assert(fabs(r->thresholds[5].value - 1.0 / 1001.0) < 1e-12);
    ck_assert_uint_eq(r->d.thresholds_failed, 2);
    ck_assert_int_eq(result_exit_code(r), 1);
    result_free(r);

    /* no round trips: latency thresholds cannot pass */
    r = result_new();
    ck_assert_int_eq(result_add_threshold(r, "p99_ms<50", &err), 0);
    result_finish(r);
    ck_assert(isnan(r->thresholds[0].value));
    ck_assert_int_eq(r->thresholds[0].pass, 0);
    result_free(r);
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("threshold");
    TCase *tc = tcase_create("threshold");
    tcase_add_test(tc, parse_good);
    tcase_add_test(tc, parse_bad);
    tcase_add_test(tc, evaluate);
    suite_add_tcase(s, tc);
    return check_run(s);
}
