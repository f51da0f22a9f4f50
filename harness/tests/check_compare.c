/* compare (report/compare.h) on synthetic results: the gate parser, the verdicts (regression, pass,
 * within precision, noise, missing), the directions, flow series from the JSON, the writers and the set,
 * and `siocrypt compare` itself through cmd_compare with real report files. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cmd.h"
#include "report/compare.h"
#include "report/report.h"
#include "synth.h"

#define S INT64_C(1000000000)

/* n round trips of a lognormal latency (median 2 ms) times factor, one every step_ns from t = 1 s. The
 * same seed every time, so two results differ only by factor and step. */
static result *mk(const char *transport, int n, double factor, int64_t step_ns)
{
    synth_rng = 0x9E3779B97F4A7C15ULL;
    result *r = result_new();
    RESULT_SET(r->meta.scenario, "counter");
    RESULT_SET(r->meta.target, "http://127.0.0.1:3000/");
    RESULT_SET(r->meta.transport, transport);
    RESULT_SET(r->meta.model, "closed");
    r->meta.eio = 4;
    r->meta.clients = 4;
    r->meta.threads = 1;
    r->meta.start_wall_ns = 1700000000 * S;
    r->meta.end_wall_ns = r->meta.start_wall_ns + 2 * S + (int64_t)n * step_ns;
    r->meta.duration_s = (double)(r->meta.end_wall_ns - r->meta.start_wall_ns) / 1e9;
    stats *s = r->stats;
    stats_set_epoch(s, 0, r->meta.start_wall_ns);
    for (int c = 0; c < 4; c++) { stats_conn_attempt(s, 0); stats_conn_established(s, 1500000, 1500000); }
    for (int i = 0; i < n; i++) {
        int64_t t = S + i * step_ns, rtt = (int64_t)(factor * exp(log(2e6) + 0.45 * synth_normal()));
        stats_sent(s, t);
        stats_received(s, t + rtt);
        stats_verified(s, t + rtt, rtt);
    }
    for (int c = 0; c < 4; c++) stats_conn_closed(s, r->meta.end_wall_ns - r->meta.start_wall_ns);
    r->harness_cpu_s = 0.0001 * n;
    r->harness_max_rss_kb = 12000;
    r->server_measured = 1;
    r->server_cpu_s = 0.001 * n;
    result_finish(r);
    return r;
}

/* Gates from texts (each must parse), evaluated; the compare is returned (exit code in it). */
static compare *run_gates(const result *a, const result *b, const char *const *texts, size_t n)
{
    compare_gate g[8];
    buf err = BUF_INIT;
    for (size_t i = 0; i < n; i++) ck_assert_msg(compare_gate_parse(texts[i], &g[i], &err) == 0, "%s: %s", texts[i], buf_cstr(&err));
    compare *c = compare_new(a, NULL, "a/report.json", b, NULL, "b/report.json");
    ck_assert_ptr_nonnull(c);
    ck_assert_msg(compare_evaluate(c, g, n, &err) == 0, "%s", buf_cstr(&err));
    buf_free(&err);
    return c;
}

static const compare_row *row(const compare *c, const char *metric)
{
    for (size_t i = 0; i < c->nrows; i++) if (!strcmp(c->rows[i].metric, metric)) return &c->rows[i];
    ck_abort_msg("no row %s", metric);
    return NULL;
}

START_TEST(gate_parse_forms)
{
    compare_gate g;
    buf err = BUF_INIT;
    ck_assert_int_eq(compare_gate_parse("p99_ms=15%", &g, &err), 0);
    ck_assert_str_eq(g.metric, "p99_ms");
    ck_assert_int_eq(g.dir, 1); ck_assert(g.relative); ck_assert(!g.explicit_dir); ck_assert(g.limit == 15);
    ck_assert_int_eq(compare_gate_parse("round_trips_per_s=-10%", &g, &err), 0);
    ck_assert_int_eq(g.dir, -1); ck_assert(g.explicit_dir); ck_assert(g.limit == 10);
    ck_assert_int_eq(compare_gate_parse("round_trips_per_s=10%", &g, &err), 0);
    ck_assert_int_eq(g.dir, -1);            /* unsigned: the metric's bad direction, down for throughput */
    ck_assert_int_eq(compare_gate_parse("round_trips_per_s=+10%", &g, &err), 0);
    ck_assert_int_eq(g.dir, 1);
    ck_assert_int_eq(compare_gate_parse(" p50_ms = +5ms ", &g, &err), 0);
    ck_assert_str_eq(g.metric, "p50_ms");
    ck_assert(!g.relative); ck_assert(g.limit == 5); ck_assert_int_eq(g.dir, 1);
    ck_assert_int_eq(compare_gate_parse("connect_p99_ms=2.5", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("harness_cpu_per_rt_us=3us", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("harness_rss_per_client_kib=1KiB", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("errors=0", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("p99_ms{say}=10%", &g, &err), 0);
    ck_assert_str_eq(g.metric, "p99_ms{say}");
    ck_assert_int_eq(compare_gate_parse("errors{fan out}=0", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("error_rate{say}=0%", &g, &err), 0);
    ck_assert_int_eq(compare_gate_parse("lost{fanout}=+2", &g, &err), 0);
    static const char *const bad[][2] = {
        {"p99ms=5%", "unknown metric 'p99ms'"}, {"p99_ms", "expected METRIC=LIMIT"}, {"=5%", "no metric"},
        {"p99_ms=abc", "expected a number"}, {"p99_ms=5s", "unexpected 's'"}, {"errors=5ms", "which it has none"},
        {"p99_ms=--5%", "expected a number"}, {"p99_ms=inf", "expected a number"}, {"p99_ms=1e999", "finite"},
        {"p99_ms=5% x", "unexpected text"}, {"bogus{x}=1", "not a figure of a series"},
        {"p99_ms{}=1", "1..63 bytes"}, {"failed{say}=0", "not a figure of a series"}, {"p99_ms{a{b}=1", "no braces"}, {"round_trips_per_s{x}=1", "not a figure"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_clear(&err);
        ck_assert_msg(compare_gate_parse(bad[i][0], &g, &err) == -1, "%s parsed", bad[i][0]);
        ck_assert_msg(strstr(buf_cstr(&err), bad[i][1]), "%s: %s", bad[i][0], buf_cstr(&err));
    }
    buf_free(&err);
}
END_TEST

START_TEST(identical_is_same_and_passes)
{
    result *a = mk("websocket", 5000, 1.0, S / 1000), *b = mk("websocket", 5000, 1.0, S / 1000);
    static const char *const g[] = {"p99_ms=0%", "round_trips_per_s=0%", "errors=0"};
    compare *c = run_gates(a, b, g, 3);
    ck_assert_int_eq(compare_check(c), 0);
    ck_assert_int_eq(c->exit_code, 0);
    ck_assert_int_eq(row(c, "p99_ms")->verdict, CMP_PASS);
    ck_assert_int_eq(row(c, "p50_ms")->verdict, CMP_SAME);
    ck_assert_int_eq(row(c, "tls_p99_ms")->verdict, CMP_NA);     /* no TLS in either: not shown */
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

START_TEST(latency_regression_and_limits)
{
    result *a = mk("websocket", 5000, 1.0, S / 1000), *b = mk("websocket", 5000, 1.5, S / 1000);
    static const char *const g1[] = {"p99_ms=10%"};
    compare *c = run_gates(a, b, g1, 1);
    const compare_row *r = row(c, "p99_ms");
    ck_assert_int_eq(r->verdict, CMP_REGRESSION);
    ck_assert_int_eq(c->exit_code, 1);
    ck_assert_uint_eq(c->regressions, 1);
    ck_assert_msg(fabs(r->delta_pct - 50) < 2, "p99 change %.2f%%", r->delta_pct);   /* 1.5x, within a bucket */
    ck_assert_uint_eq(r->n_base, 5000);
    ck_assert_int_eq(row(c, "p50_ms")->verdict, CMP_WORSE);       /* not gated: shown only */
    compare_free(c);
    static const char *const g2[] = {"p99_ms=60%", "p50_ms=+5ms", "p99_ms=-1%"};
    c = run_gates(a, b, g2, 3);
    ck_assert_int_eq(c->exit_code, 0);
    ck_assert_int_eq(row(c, "p99_ms")->verdict, CMP_PASS);
    ck_assert_int_eq(row(c, "p50_ms")->verdict, CMP_PASS);
    compare_free(c);
    static const char *const g3[] = {"p50_ms=+0.5ms"};              /* p50 went from ~2 to ~3 ms */
    c = run_gates(a, b, g3, 1);
    ck_assert_int_eq(row(c, "p50_ms")->verdict, CMP_REGRESSION);
    ck_assert_int_eq(c->exit_code, 1);
    compare_free(c);
    /* the other way round it is better, and a gate on the bad direction passes */
    static const char *const g4[] = {"p99_ms=0%"};
    c = run_gates(b, a, g4, 1);
    ck_assert_int_eq(row(c, "p99_ms")->verdict, CMP_PASS);
    ck_assert_int_eq(row(c, "p50_ms")->verdict, CMP_BETTER);
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

START_TEST(within_precision_does_not_gate)
{
    /* 0.3% slower: inside one bucket of the 128-sub-bucket histograms (0.78%) */
    result *a = mk("websocket", 5000, 1.0, S / 1000), *b = mk("websocket", 5000, 1.003, S / 1000);
    static const char *const g[] = {"p99_ms=0%", "p50_ms=0%", "mean_ms=0%"};
    compare *c = run_gates(a, b, g, 3);
    const compare_row *r = row(c, "p99_ms");
    ck_assert_msg(r->verdict == CMP_PRECISION || r->verdict == CMP_SAME, "p99 verdict %s", compare_verdict_str(r->verdict));
    if (r->verdict == CMP_PRECISION) ck_assert(strstr(r->note, "precision"));
    ck_assert(row(c, "p50_ms")->verdict == CMP_PRECISION || row(c, "p50_ms")->verdict == CMP_SAME);
    ck_assert_int_eq(row(c, "mean_ms")->verdict, CMP_REGRESSION);   /* the mean is exact: no precision excuse */
    ck_assert_uint_eq(c->regressions, 1);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

START_TEST(few_samples_are_noise)
{
    /* 40 round trips, 10% slower: a p99 of 40 samples is the maximum, and the intervals overlap */
    result *a = mk("websocket", 40, 1.0, S / 10), *b = mk("websocket", 40, 1.1, S / 10);
    static const char *const g[] = {"p99_ms=1%", "p90_ms=1%"};
    compare *c = run_gates(a, b, g, 2);
    const compare_row *r = row(c, "p99_ms");
    ck_assert_msg(r->verdict == CMP_NOISE, "p99 verdict %s (%s)", compare_verdict_str(r->verdict), r->note);
    ck_assert_msg(strstr(r->note, "p99 of 40 samples"), "%s", r->note);
    ck_assert_int_eq(row(c, "p90_ms")->verdict, CMP_NOISE);
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    /* 80 samples have no upper bound on their p99 (a rank past the last sample): a run of 80 three times
     * slower than a baseline of 5000 is still a regression, but one of 80 three times faster than 5000
     * cannot be shown to be lower */
    a = (result_free(a), mk("websocket", 5000, 1.0, S / 1000));
    b = (result_free(b), mk("websocket", 80, 3.0, S / 100));
    c = run_gates(a, b, g, 1);
    ck_assert_int_eq(row(c, "p99_ms")->verdict, CMP_REGRESSION);
    compare_free(c);
    static const char *const down[] = {"p99_ms=-1%"};
    result_free(a);
    result_free(b);
    a = mk("websocket", 5000, 3.0, S / 1000);
    b = mk("websocket", 80, 1.0, S / 100);
    c = run_gates(a, b, down, 1);
    r = row(c, "p99_ms");
    ck_assert_msg(r->verdict == CMP_NOISE && strstr(r->note, "(no upper end)"), "%s: %s", compare_verdict_str(r->verdict), r->note);
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    /* the same 10% on 20000 samples is not noise */
    a = (result_free(a), mk("websocket", 20000, 1.0, S / 1000));
    b = (result_free(b), mk("websocket", 20000, 1.1, S / 1000));
    c = run_gates(a, b, g, 2);
    ck_assert_int_eq(row(c, "p90_ms")->verdict, CMP_REGRESSION);
    ck_assert_int_eq(c->exit_code, 1);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

/* Two realistic runs (synth.h) drawn from the same distribution: the percentiles differ a little, by
 * chance, and none of that gates. */
START_TEST(same_distribution_does_not_gate)
{
    synth_rng = 0x9E3779B97F4A7C15ULL;
    result *a = synth_result(1700000000, 20, 20), *b = synth_result(1700000100, 20, 20);
    result_finish(a);
    result_finish(b);
    static const char *const g[] = {"p50_ms=0%", "p90_ms=0%", "p99_ms=0%", "p999_ms=0%"};
    compare *c = run_gates(a, b, g, 4);
    for (int i = 0; i < 4; i++) {
        const compare_row *r = &c->rows[c->gates[i].row];
        ck_assert_msg(r->verdict == CMP_NOISE || r->verdict == CMP_PRECISION || r->verdict == CMP_PASS,
                      "%s: %s (%g -> %g, %s)", r->metric, compare_verdict_str(r->verdict), r->base, r->cur, r->note);
    }
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

/* The exact order-statistic bounds of a median: 5 samples cannot bound it from above (1 - 0.5^5 < 97.5%),
 * 6 can (the 6th sample), and a p99 needs 367 samples for an upper end. */
static const compare_row *one_row(int n, double q_factor_cur, const char *metric, compare **out)
{
    result *a = mk("websocket", n, 1.0, S / 100), *b = mk("websocket", n, q_factor_cur, S / 100);
    *out = run_gates(a, b, NULL, 0);
    result_free(a);
    result_free(b);
    return row(*out, metric);
}

START_TEST(interval_ends)
{
    compare *c;
    const compare_row *r = one_row(5, 1.2, "p50_ms", &c);
    ck_assert_msg(r->verdict == CMP_NOISE && strstr(r->note, "(no upper end)"), "%s", r->note);
    compare_free(c);
    r = one_row(6, 1.2, "p50_ms", &c);
    ck_assert_msg(r->verdict == CMP_NOISE && !strstr(r->note, "(no upper end)"), "%s", r->note);
    compare_free(c);
    r = one_row(366, 1.05, "p99_ms", &c);
    ck_assert_msg(r->verdict == CMP_NOISE && strstr(r->note, "(no upper end)"), "366: %s", r->note);
    compare_free(c);
    r = one_row(368, 1.05, "p99_ms", &c);
    ck_assert_msg(r->verdict == CMP_NOISE && !strstr(r->note, "(no upper end)"), "368: %s", r->note);
    compare_free(c);
}
END_TEST

START_TEST(throughput_and_cpu_directions)
{
    /* half the rate: round trips per second down 50% */
    result *a = mk("websocket", 2000, 1.0, S / 1000), *b = mk("websocket", 2000, 1.0, S / 500);
    static const char *const g1[] = {"round_trips_per_s=-10%"};
    compare *c = run_gates(a, b, g1, 1);
    const compare_row *r = row(c, "round_trips_per_s");
    ck_assert_msg(fabs(r->delta_pct + 50) < 1, "%.2f", r->delta_pct);
    ck_assert_int_eq(r->verdict, CMP_REGRESSION);
    compare_free(c);
    static const char *const g2[] = {"round_trips_per_s=10%"};      /* unsigned: down is the bad way */
    c = run_gates(a, b, g2, 1);
    ck_assert_int_eq(c->exit_code, 1);
    compare_free(c);
    static const char *const g3[] = {"round_trips_per_s=+10%"};     /* explicit: only a rise would fail */
    c = run_gates(a, b, g3, 1);
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    c = run_gates(b, a, g3, 1);                                       /* doubled: a rise of 100% */
    ck_assert_int_eq(c->exit_code, 1);
    ck_assert_int_eq(row(c, "round_trips_per_s")->verdict, CMP_REGRESSION);
    compare_free(c);
    /* CPU per round trip up 25% */
    b->harness_cpu_s = a->harness_cpu_s * 1.25;
    result_finish(b);
    static const char *const g4[] = {"harness_cpu_per_rt_us=10%"}, *const g5[] = {"harness_cpu_per_rt_us=-10%"};
    c = run_gates(a, b, g4, 1);
    ck_assert_int_eq(row(c, "harness_cpu_per_rt_us")->verdict, CMP_REGRESSION);
    compare_free(c);
    c = run_gates(a, b, g5, 1);
    ck_assert_int_eq(c->exit_code, 0);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

START_TEST(errors_missing_and_zero_baseline)
{
    result *a = mk("websocket", 1000, 1.0, S / 1000), *b = mk("websocket", 1000, 1.0, S / 1000);
    stats_error(b->stats, 2 * S, "timeout", "message");
    b->server_measured = 0;
    result_finish(b);
    static const char *const g[] = {"errors=0", "error_rate=0%", "server_cpu_per_rt_us=50%", "p99_ms=10%"};
    compare *c = run_gates(a, b, g, 4);
    ck_assert_int_eq(row(c, "errors")->verdict, CMP_REGRESSION);
    ck_assert_int_eq(row(c, "error_rate")->verdict, CMP_REGRESSION);     /* from 0: any rise fails */
    ck_assert_int_eq(row(c, "server_cpu_per_rt_us")->verdict, CMP_MISSING);
    ck_assert(strstr(row(c, "server_cpu_per_rt_us")->note, "not in the current report"));
    ck_assert_int_eq(row(c, "p99_ms")->verdict, CMP_PASS);
    ck_assert_uint_eq(c->regressions, 3);
    ck_assert_int_eq(c->exit_code, 1);
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

START_TEST(refuses_other_transport_protocol_scenario)
{
    result *a = mk("websocket", 100, 1.0, S / 100), *b = mk("polling", 100, 1.0, S / 100);
    compare *c = compare_new(a, NULL, "a", b, NULL, "b");
    ck_assert_int_eq(compare_check(c), -1);
    ck_assert_msg(strstr(c->differs, "transport: websocket vs polling"), "%s", c->differs);
    compare_free(c);
    RESULT_SET(b->meta.transport, "websocket");
    b->meta.eio = 3;
    RESULT_SET(b->meta.scenario, "other");
    b->meta.clients = 8;
    c = compare_new(a, NULL, "a", b, NULL, "b");
    ck_assert_int_eq(compare_check(c), -1);
    ck_assert_msg(strstr(c->differs, "scenario: 'counter' vs 'other'") && strstr(c->differs, "EIO 4 vs EIO 3") &&
                  !strstr(c->differs, "transport"), "%s", c->differs);
    ck_assert_msg(strstr(c->notes, "clients: 4 vs 8"), "%s", c->notes);    /* shown, not refused */
    compare_free(c);
    result_free(a); result_free(b);
}
END_TEST

/* report JSON with a "series" array: one step with a histogram scaled by factor, one without */
static cJSON *series_json(double factor, int with_hist_series)
{
    cJSON *j = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(j, "series");
    hist *h = hist_new();
    for (int i = 0; i < 3000; i++) hist_record(h, (int64_t)(factor * (1e6 + 1000.0 * (i % 1000))));
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", "say");
    cJSON_AddStringToObject(e, "kind", "step");
    cJSON_AddNumberToObject(e, "sent", 3000);
    cJSON_AddNumberToObject(e, "failed", factor > 1 ? 3 : 0);
    cJSON_AddNumberToObject(e, "lost", 0);
    cJSON_AddItemToObject(e, "histogram", hist_to_json(h));
    if (with_hist_series) cJSON_AddItemToArray(arr, e); else cJSON_Delete(e);
    e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", "fanout");
    cJSON_AddStringToObject(e, "kind", "on");
    cJSON_AddNumberToObject(e, "lost", factor > 1 ? 5 : 1);
    cJSON *lat = cJSON_AddObjectToObject(e, "latency_ms");
    cJSON_AddNumberToObject(lat, "p50", 3 * factor);
    cJSON_AddNumberToObject(lat, "p99", 9 * factor);
    cJSON_AddItemToArray(arr, e);
    cJSON_AddItemToArray(arr, cJSON_CreateString("not an object"));   /* tolerated, skipped */
    hist_free(h);
    char *text = cJSON_PrintUnformatted(j);     /* as a report is read: hist_to_json writes raw integers */
    cJSON_Delete(j);
    j = cJSON_Parse(text);
    free(text);
    return j;
}

START_TEST(flow_series_rows_and_gates)
{
    result *a = mk("websocket", 100, 1.0, S / 100), *b = mk("websocket", 100, 1.0, S / 100);
    cJSON *ja = series_json(1.0, 1), *jb = series_json(2.0, 1);
    compare_gate g[3];
    buf err = BUF_INIT;
    ck_assert_int_eq(compare_gate_parse("p99_ms{say}=10%", &g[0], &err), 0);
    ck_assert_int_eq(compare_gate_parse("errors{say}=0", &g[1], &err), 0);
    ck_assert_int_eq(compare_gate_parse("p99_ms{fanout}=200%", &g[2], &err), 0);
    compare *c = compare_new(a, ja, "a", b, jb, "b");
    ck_assert_int_eq(compare_evaluate(c, g, 3, &err), 0);
    ck_assert_int_eq(row(c, "p99_ms{say}")->verdict, CMP_REGRESSION);
    ck_assert_uint_eq(row(c, "p99_ms{say}")->n_cur, 3000);
    ck_assert_int_eq(row(c, "errors{say}")->verdict, CMP_REGRESSION);
    ck_assert(fabs(row(c, "error_rate{say}")->cur - 0.001) < 1e-12);             /* 3 of 3000 */
    ck_assert(isnan(row(c, "lost{say}")->base));                                 /* a step loses nothing */
    ck_assert(row(c, "lost{fanout}")->base == 1 && row(c, "lost{fanout}")->cur == 5);
    ck_assert_int_eq(row(c, "p99_ms{fanout}")->verdict, CMP_PASS);          /* 9 -> 18 ms: +100% */
    ck_assert(strstr(row(c, "p50_ms{fanout}")->note, "summary figures"));
    ck_assert(isnan(row(c, "p90_ms{fanout}")->base));                          /* not given */
    ck_assert_uint_eq(c->regressions, 2);
    /* a series that is in neither report is a usage error; one only in the baseline is missing */
    ck_assert_int_eq(compare_gate_parse("p99_ms{nope}=10%", &g[0], &err), 0);
    ck_assert_int_eq(compare_evaluate(c, g, 1, &err), -1);
    ck_assert_msg(strstr(buf_cstr(&err), "no series 'nope'"), "%s", buf_cstr(&err));
    compare_free(c);
    cJSON_Delete(jb);
    jb = series_json(1.0, 0);
    c = compare_new(a, ja, "a", b, jb, "b");
    ck_assert_int_eq(compare_gate_parse("p50_ms{say}=10%", &g[0], &err), 0);
    ck_assert_int_eq(compare_evaluate(c, g, 1, &err), 0);
    ck_assert_int_eq(row(c, "p50_ms{say}")->verdict, CMP_MISSING);
    ck_assert_int_eq(c->exit_code, 1);
    compare_free(c);
    /* and reports without any series */
    c = compare_new(a, NULL, "a", b, NULL, "b");
    ck_assert_int_eq(compare_evaluate(c, NULL, 0, &err), 0);
    for (size_t i = 0; i < c->nrows; i++) ck_assert(!strchr(c->rows[i].metric, '{'));
    compare_free(c);
    cJSON_Delete(ja); cJSON_Delete(jb);
    buf_free(&err);
    result_free(a); result_free(b);
}
END_TEST

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

START_TEST(writers_and_the_set)
{
    result *a = mk("websocket", 3000, 1.0, S / 1000), *b = mk("websocket", 3000, 1.5, S / 1000);
    static const char *const g[] = {"p99_ms=10%", "round_trips_per_s=-10%"};
    compare *c = run_gates(a, b, g, 2);
    buf md = BUF_INIT, js = BUF_INIT, ju = BUF_INIT, html = BUF_INIT, err = BUF_INIT;
    ck_assert_int_eq(compare_md(c, &md), 0);
    ck_assert(strstr(buf_cstr(&md), "REGRESSION (1 of 2 gates failed)"));
    ck_assert(strstr(buf_cstr(&md), "| p99\\_ms | "));
    ck_assert(strstr(buf_cstr(&md), "\xe2\x86\x91 +"));                 /* an up arrow */
    ck_assert(strstr(buf_cstr(&md), "**regression**"));
    ck_assert_int_eq(compare_json(c, &js), 0);
    cJSON *j = cJSON_Parse(buf_cstr(&js));
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "schema")->valuestring, COMPARE_SCHEMA);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "gates")), 2);
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "pass")));
    ck_assert_int_eq((int)cJSON_GetObjectItem(j, "exit_code")->valuedouble, 1);
    cJSON_Delete(j);
    ck_assert_int_eq(compare_junit(c, &ju), 0);
    ck_assert_int_eq(count_of(buf_cstr(&ju), "<failure "), 1);
    ck_assert(strstr(buf_cstr(&ju), "classname=\"siocrypt.compare.gate\" name=\"p99_ms\""));
    ck_assert_int_eq(compare_html(c, &html), 0);
    ck_assert_int_eq(count_of(buf_cstr(&html), "<svg "), 3);
    ck_assert_int_eq(count_of(buf_cstr(&html), "#868e96\" stroke-width"), 3);   /* a baseline line on each plot */
    ck_assert(!strstr(buf_cstr(&html), "<script"));

    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/check_compare.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(compare_write_all(c, dir, &err), 0);
    const char *names[] = {"compare.md", "compare.json", "junit.xml", "compare.html"};
    struct stat st;
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        ck_assert_msg(stat(path, &st) == 0 && st.st_size > 0, "%s", path);
        unlink(path);
    }
    /* a set that cannot be written: a file where the folder should be */
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(compare_write_all(c, path, &err), -1);
    ck_assert_msg(strstr(buf_cstr(&err), "not a directory") || strstr(buf_cstr(&err), "cannot create"), "%s", buf_cstr(&err));
    unlink(path);
    rmdir(dir);
    compare_free(c);
    buf_free(&md); buf_free(&js); buf_free(&ju); buf_free(&html); buf_free(&err);
    result_free(a); result_free(b);
}
END_TEST

static char base[64];

static void save(const char *name, result *r)
{
    char d[128];
    buf err = BUF_INIT;
    snprintf(d, sizeof d, "%s/%s", base, name);
    ck_assert_int_eq(report_write_all(r, d, &err), 0);
    buf_free(&err);
    result_free(r);
}

static int cmd(int argc, char **argv)
{
    fflush(stdout);
    return cmd_compare(argc, argv);
}

START_TEST(command_exit_codes)
{
    char a[128], b[128], p[128], out[128], md[160];
    snprintf(base, sizeof base, "/tmp/check_compare_cmd.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
    save("a", mk("websocket", 3000, 1.0, S / 1000));
    save("b", mk("websocket", 3000, 1.5, S / 1000));
    save("p", mk("polling", 3000, 1.0, S / 1000));
    snprintf(a, sizeof a, "%s/a/report.json", base);
    snprintf(b, sizeof b, "%s/b/report.json", base);
    snprintf(p, sizeof p, "%s/p/report.json", base);
    snprintf(out, sizeof out, "%s/cmp", base);
    char *v1[] = {"compare", "-q", a, b, NULL};
    ck_assert_int_eq(cmd(4, v1), 0);
    char *v2[] = {"compare", "-q", "--max-regress", "p99_ms=10%", "--out", out, a, b, NULL};
    ck_assert_int_eq(cmd(8, v2), 1);
    snprintf(md, sizeof md, "%s/compare.md", out);
    ck_assert_int_eq(access(md, R_OK), 0);
    char *v3[] = {"compare", "-q", "-r", "p99_ms=60%", a, b, NULL};
    ck_assert_int_eq(cmd(6, v3), 0);
    char *v4[] = {"compare", "-q", a, p, NULL};
    ck_assert_int_eq(cmd(4, v4), 2);
    char *v5[] = {"compare", "-q", "--force", a, p, NULL};
    ck_assert_int_eq(cmd(5, v5), 0);
    char *v6[] = {"compare", "-q", "-r", "p99ms=1%", a, b, NULL};
    ck_assert_int_eq(cmd(6, v6), 2);
    char *v7[] = {"compare", "-q", a, NULL};
    ck_assert_int_eq(cmd(3, v7), 2);
    char *v8[] = {"compare", "-q", a, "/nonexistent/report.json", NULL};
    ck_assert_int_eq(cmd(4, v8), 2);
    char *v9[] = {"compare", "--bogus", a, b, NULL};
    ck_assert_int_eq(cmd(4, v9), 2);
    char *v10[] = {"compare", "-q", "-r", "p99_ms{nope}=1%", a, b, NULL};
    ck_assert_int_eq(cmd(6, v10), 2);
    char cmdline[512];
    snprintf(cmdline, sizeof cmdline, "rm -rf '%s'", base);
    ck_assert_int_eq(system(cmdline), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("compare");
    TCase *t = tcase_create("compare");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, gate_parse_forms);
    tcase_add_test(t, identical_is_same_and_passes);
    tcase_add_test(t, latency_regression_and_limits);
    tcase_add_test(t, within_precision_does_not_gate);
    tcase_add_test(t, few_samples_are_noise);
    tcase_add_test(t, same_distribution_does_not_gate);
    tcase_add_test(t, interval_ends);
    tcase_add_test(t, throughput_and_cpu_directions);
    tcase_add_test(t, errors_missing_and_zero_baseline);
    tcase_add_test(t, refuses_other_transport_protocol_scenario);
    tcase_add_test(t, flow_series_rows_and_gates);
    tcase_add_test(t, writers_and_the_set);
    tcase_add_test(t, command_exit_codes);
    suite_add_tcase(s, t);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? 1 : 0;
}
