#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "report/result.h"
#include "report/threshold.h"
#include "synth.h"
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

START_TEST(parse_series)
{
    threshold t;
    buf err = BUF_INIT;
    ck_assert_int_eq(threshold_parse("p99_ms{say}<50", &t, &err), 0);
    ck_assert_str_eq(t.metric, "p99_ms");
    ck_assert_str_eq(t.series, "say");
    ck_assert_str_eq(t.expr, "p99_ms{say}<50");
    ck_assert(t.limit == 50);
    ck_assert_int_eq(threshold_parse("  error_rate {fan out} <= 0.001 ", &t, &err), 0);
    ck_assert_str_eq(t.metric, "error_rate");
    ck_assert_str_eq(t.series, "fan out");        /* the name exactly as between the braces */
    ck_assert_str_eq(t.expr, "error_rate{fan out}<=0.001");
    const char *ok[] = {"p50_ms{a}<1", "p90_ms{a}<1", "p999_ms{a}<1", "max_ms{a}<1", "mean_ms{a}<1", "errors{a}<1",
                        "lost{fanout}<1", "p99_ms{a{b}<1", "p99_ms{r\xc3\xa9p}<1"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        ck_assert_msg(threshold_parse(ok[i], &t, &err) == 0, "%s: %s", ok[i], buf_cstr(&err));
    char name63[160];
    snprintf(name63, sizeof name63, "p99_ms{%063d}<1", 7);
    ck_assert_int_eq(threshold_parse(name63, &t, &err), 0);
    ck_assert_uint_eq(strlen(t.series), 63);
    snprintf(name63, sizeof name63, "p99_ms{%063d}<%047d", 7, 1);   /* the longest expr still fits */
    ck_assert_int_eq(threshold_parse(name63, &t, &err), 0);
    ck_assert_str_eq(t.expr, name63);
    ck_assert_int_eq(threshold_parse("p99_ms<50", &t, &err), 0);
    ck_assert_str_eq(t.series, "");
    buf_free(&err);
}
END_TEST

START_TEST(parse_series_bad)
{
    bad("p99_ms{say<50", "unclosed '{' after 'p99_ms'");
    bad("p99_ms{<50", "unclosed '{'");
    bad("p99_ms{}<50", "empty series name in 'p99_ms{}'");
    char longname[96];
    snprintf(longname, sizeof longname, "p99_ms{%064d}<1", 7);
    bad(longname, "series name longer than 63 bytes");
    bad("round_trips_per_s{say}>5", "round_trips_per_s takes no series selector (those that do: p50_ms, p90_ms, "
                                   "p99_ms, p999_ms, max_ms, mean_ms, error_rate, errors, lost)");
    bad("connect_failures{x}<1", "connect_failures takes no series selector");
    bad("unverified{x}<1", "takes no series selector");
    bad("lost<1", "lost needs a series: lost{name}");
    bad("p99_ms{a\nb}<1", "a control character in the series name");
    bad("p99_ms{say}}<1", "expected an operator (one of < <= > >=) after 'p99_ms{say}'");
    bad("p99_ms{say}{x}<1", "expected an operator");
    bad("p99_ms{say}", "expected an operator");
    bad("p99_ms{say}<", "expected a number");
}
END_TEST

/* Series thresholds on a synthetic flow: values from r->d.series; a name the run lacks fails with a note. */
START_TEST(evaluate_series)
{
    result *r = synth_result(1700000000, 4, 5);
    synth_series(r->stats, 10);
    buf err = BUF_INIT;
    const char *exprs[] = {"p99_ms{say}<50", "p50_ms{say}>50", "error_rate{say}<=0.04", "error_rate{fanout}<0.001",
                           "errors{say}<5", "lost{fanout}<10", "lost{fanout}<9", "max_ms{join}<100",
                           "p99_ms{nosuch}<50", "lost{say}<1", "p99_ms<1000", "errors{empty}<1", "mean_ms{empty}<1"};
    const int want[] = {1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0};
    stats_series_add(r->stats, "empty", 0);       /* a step that never ran */
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        ck_assert_int_eq(result_add_threshold(r, exprs[i], &err), 0);
    result_finish(r);
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++)
        ck_assert_msg(r->thresholds[i].pass == want[i], "%s: value %g pass %d", exprs[i], r->thresholds[i].value,
                      r->thresholds[i].pass);
    ck_assert(r->thresholds[0].value == r->d.series[1].latency_ms.p99);
    ck_assert(r->thresholds[2].value == 0.04);
    ck_assert(fabs(r->thresholds[3].value - 2.0 / 893.0) < 1e-15);
    ck_assert(r->thresholds[4].value == 4);
    ck_assert(r->thresholds[5].value == 9);
    ck_assert_str_eq(r->thresholds[5].note, "");
    ck_assert(isnan(r->thresholds[8].value));
    ck_assert_str_eq(r->thresholds[8].note, "no series 'nosuch'");
    ck_assert(isnan(r->thresholds[9].value));
    ck_assert_str_eq(r->thresholds[9].note, "'say' is a step: lost counts on handlers only");
    ck_assert(r->thresholds[11].value == 0);
    ck_assert(isnan(r->thresholds[12].value));
    ck_assert_str_eq(r->thresholds[12].note, "no latency measured for 'empty'");
    ck_assert_uint_eq(r->d.thresholds_failed, 6);
    /* report.json keeps the braces, the series and the note; reading it back evaluates the same */
    cJSON *j = result_to_json(r);
    cJSON *t8 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "thresholds"), 8);
    ck_assert_str_eq(cJSON_GetObjectItem(t8, "expr")->valuestring, "p99_ms{nosuch}<50");
    ck_assert_str_eq(cJSON_GetObjectItem(t8, "metric")->valuestring, "p99_ms");
    ck_assert_str_eq(cJSON_GetObjectItem(t8, "series")->valuestring, "nosuch");
    ck_assert_str_eq(cJSON_GetObjectItem(t8, "note")->valuestring, "no series 'nosuch'");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(t8, "value")));
    ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "thresholds"), 10), "series"));
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    j = cJSON_Parse(text);
    result *back = result_from_json(j, "report.json", &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        ck_assert_int_eq(back->thresholds[i].pass, want[i]);
        ck_assert_str_eq(back->thresholds[i].note, r->thresholds[i].note);
    }
    /* a run without the series (the counter) fails such a threshold */
    result *plain = synth_result(1700000000, 4, 5);
    ck_assert_int_eq(result_add_threshold(plain, "error_rate{fanout}<0.001", &err), 0);
    result_finish(plain);
    ck_assert_int_eq(plain->thresholds[0].pass, 0);
    ck_assert_str_eq(plain->thresholds[0].note, "no series 'fanout'");
    ck_assert_int_eq(result_exit_code(plain), 1);
    free(text);
    cJSON_Delete(j);
    result_free(r); result_free(back); result_free(plain);
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
    tcase_add_test(tc, parse_series);
    tcase_add_test(tc, parse_series_bad);
    tcase_add_test(tc, evaluate_series);
    suite_add_tcase(s, tc);
    return check_run(s);
}
