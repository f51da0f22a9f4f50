#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/result.h"
#include "synth.h"
#include "check_run.h"

static char *to_text(const result *r)
{
    cJSON *j = result_to_json(r);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return t;
}

static result *from_text(const char *text, buf *err)
{
    cJSON *j = cJSON_Parse(text);
    ck_assert_ptr_nonnull(j);
    result *r = result_from_json(j, "report.json", err);
    cJSON_Delete(j);
    return r;
}

START_TEST(json_round_trip_exact)
{
    result *r = synth_result(1700000000, 40, 20);
    stats_error(r->stats, 3000000000LL, "decrypt", "bad-padding");
    stats_error(r->stats, 3000000000LL, "timeout", NULL);
    buf err = BUF_INIT;
    ck_assert_int_eq(result_add_threshold(r, "p99_ms<50", &err), 0);
    ck_assert_int_eq(result_add_threshold(r, "round_trips_per_s>1000000", &err), 0);
    ck_assert_int_eq(result_add_finding(r, "eio-unknown-packet", "medium", "server closes on 7", "sent \"7\""), 0);
    ck_assert_int_eq(result_add_finding(r, "x", "urgent", "", ""), -1);
    result_finish(r);
    char *a = to_text(r);
    result *back = from_text(a, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    char *b = to_text(back);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(back->stats->verified, r->stats->verified);
    ck_assert(back->d.latency_ms.p99 == r->d.latency_ms.p99);
    ck_assert(back->d.latency_ms.mean == r->d.latency_ms.mean);
    ck_assert_uint_eq(back->d.thresholds_failed, 1);
    ck_assert_int_eq(result_exit_code(back), 1);
    ck_assert_str_eq(back->findings[0].evidence, "sent \"7\"");
    /* the required fields are where the schema says */
    cJSON *j = cJSON_Parse(a);
    ck_assert_str_eq(cJSON_GetObjectItem(j, "schema")->valuestring, RESULT_SCHEMA);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "connections"), "established"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "throughput"), "round_trips_per_s"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "encryption_us"), "decrypt"), "p99"));
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "errors"), "decrypt")->valueint, 1);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "server"), "cpu_s"));
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "derived"), "server_cpu_per_round_trip_us"));
    cJSON_Delete(j);
    free(a); free(b);
    result_free(r); result_free(back);
    buf_free(&err);
}
END_TEST

/* tls{} and tls_ms: written, read back exactly, merged (histograms added, the first names kept, -k
 * anywhere is -k in the merge); a report without them (before TLS) still reads, as no TLS. */
START_TEST(tls_round_trip_and_merge)
{
    result *a = synth_result(1700000000, 10, 5), *b = synth_result(1700000001, 10, 5);
    stats_tls(a->stats, 3000000, "TLSv1.3", "TLS_AES_256_GCM_SHA384");
    stats_tls(a->stats, 5000000, "TLSv1.2", "other");
    stats_tls(b->stats, 7000000, NULL, NULL);
    stats_tls_insecure(b->stats);
    result_finish(a);
    result_finish(b);
    ck_assert_uint_eq(a->d.tls_ms.count, 2);
    ck_assert(a->d.tls_ms.max > 4.9 && a->d.tls_ms.max < 5.1);
    buf err = BUF_INIT;
    char *ta = to_text(a), *tb = to_text(b);
    result *ra = from_text(ta, &err), *rb = from_text(tb, &err);
    ck_assert_msg(ra && rb, "%s", buf_cstr(&err));
    char *again = to_text(ra);
    ck_assert_str_eq(ta, again);
    ck_assert_str_eq(ra->stats->tls_version, "TLSv1.3");
    ck_assert_int_eq(ra->stats->tls_insecure, 0);
    ck_assert_int_eq(rb->stats->tls_insecure, 1);
    ck_assert_int_eq(result_merge(ra, rb, &err), 0);
    result_finish(ra);
    ck_assert_uint_eq(ra->d.tls_ms.count, 3);
    ck_assert_str_eq(ra->stats->tls_cipher, "TLS_AES_256_GCM_SHA384");
    ck_assert_int_eq(ra->stats->tls_insecure, 1);
    /* without TLS: "tls": null; and a report with neither key reads as no TLS */
    result *plain = synth_result(1700000000, 10, 5);
    result_finish(plain);
    char *tp = to_text(plain);
    cJSON *j = cJSON_Parse(tp);
    free(tp);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "tls")));
    cJSON_DeleteItemFromObject(j, "tls");
    cJSON_DeleteItemFromObject(cJSON_GetObjectItem(j, "histograms"), "tls");
    result *old = result_from_json(j, "old.json", &err);
    ck_assert_msg(old != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(old->d.tls_ms.count, 0);
    ck_assert_str_eq(old->stats->tls_version, "");
    cJSON_Delete(j);
    free(ta); free(tb); free(again);
    result_free(a); result_free(b); result_free(ra); result_free(rb); result_free(plain); result_free(old);
    buf_free(&err);
}
END_TEST

static void expect_invalid(const char *text, const char *want)
{
    buf err = BUF_INIT;
    result *r = from_text(text, &err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(buf_cstr(&err), want) != NULL, "error '%s' lacks '%s'", buf_cstr(&err), want);
    buf_free(&err);
}

START_TEST(invalid_reports_are_named)
{
    result *r = synth_result(1700000000, 4, 5);
    result_finish(r);
    cJSON *j = result_to_json(r);
    char *t;
    cJSON_ReplaceItemInObject(j, "schema", cJSON_CreateString("other/9"));
    expect_invalid(t = cJSON_PrintUnformatted(j), "schema");
    free(t);
    cJSON_ReplaceItemInObject(j, "schema", cJSON_CreateString(RESULT_SCHEMA));
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "messages"), "verified", cJSON_CreateNumber(1));
    expect_invalid(t = cJSON_PrintUnformatted(j), "messages.verified");
    free(t);
    cJSON_DeleteItemFromObject(j, "messages");
    expect_invalid(t = cJSON_PrintUnformatted(j), "messages");
    free(t);
    cJSON_Delete(j);
    expect_invalid("[1,2]", "not a JSON object");
    result_free(r);
}
END_TEST

/* A committed fuzzer input (harness/fuzz/regressions/), read from the repository root as make test runs,
 * parsed with its length as fuzz_report does (an input may hold NUL bytes), and expected refused. */
static void expect_invalid_file(const char *path, const char *want)
{
    static char text[65536];
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    cJSON *j = cJSON_ParseWithLength(text, n);
    ck_assert_msg(j != NULL, "%s: not JSON", path);
    buf err = BUF_INIT;
    result *r = result_from_json(j, "report.json", &err);
    cJSON_Delete(j);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(buf_cstr(&err), want) != NULL, "error '%s' lacks '%s'", buf_cstr(&err), want);
    buf_free(&err);
}

/* Found by fuzz_report: end_unix_ms 17956316090040 made ms -> ns overflow int64 (UBSan). Numbers that
 * later arithmetic scales or sums are range-checked on reading. */
START_TEST(hostile_numbers_are_refused)
{
    expect_invalid_file("harness/fuzz/regressions/report/end-unix-ms-overflow.json",
                        "end_unix_ms: 17956316090040 is outside");
    /* found by fuzz_report: duration_s 1e217447262 read as infinity, written back as null, then refused */
    expect_invalid_file("harness/fuzz/regressions/report/duration-infinite.json", "duration_s: out of range");
    result *r = synth_result(1700000000, 4, 5);
    result_finish(r);
    cJSON *j = result_to_json(r);
    char *t;
    static const struct { const char *field; double v; } bad[] = {
        {"start_unix_ms", -1}, {"start_unix_ms", 9300000000000.0}, {"clients", -3}, {"clients", 3e9},
        {"threads", 1e8}, {"instances", -1}, {"eio", 7},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cJSON *saved = cJSON_Duplicate(cJSON_GetObjectItem(j, bad[k].field), 1);
        cJSON_ReplaceItemInObject(j, bad[k].field, cJSON_CreateNumber(bad[k].v));
        expect_invalid(t = cJSON_PrintUnformatted(j), bad[k].field);
        free(t);
        cJSON_ReplaceItemInObject(j, bad[k].field, saved);
    }
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(j, "harness"), "max_rss_kb", cJSON_CreateNumber(-5));
    expect_invalid(t = cJSON_PrintUnformatted(j), "max_rss_kb");
    free(t);
    cJSON_Delete(j);
    /* the largest accepted counts, merged many times, saturate instead of overflowing */
    r->meta.clients = r->meta.threads = r->meta.instances = 10000000;
    result *sum = result_new();
    buf err = BUF_INIT;
    for (int k = 0; k < 300; k++) ck_assert_int_eq(result_merge(sum, r, &err), 0);
    ck_assert_int_eq(sum->meta.clients, INT_MAX);
    ck_assert_int_eq(sum->meta.instances, INT_MAX);
    result_free(sum);
    result_free(r);
    buf_free(&err);
}
END_TEST

START_TEST(merge_adds_exactly_and_aligns_by_wall_second)
{
    /* two instances, the second started 3 s after the first */
    result *a = synth_result(1700000000, 30, 20), *b = synth_result(1700000003, 20, 20);
    stats_error(b->stats, 5000000000LL, "decrypt", "bad-padding");
    buf err = BUF_INIT;
    result_add_threshold(a, "p99_ms<100", &err);
    result_finish(a);
    result_finish(b);
    /* go through JSON, as `siocrypt merge` does */
    char *ta = to_text(a), *tb = to_text(b);
    result *m = from_text(ta, &err), *mb = from_text(tb, &err);
    ck_assert_int_eq(result_merge(m, mb, &err), 0);
    result_finish(m);
    const stats *s = m->stats;
    ck_assert_uint_eq(s->sent, a->stats->sent + b->stats->sent);
    ck_assert_uint_eq(s->verified, a->stats->verified + b->stats->verified);
    ck_assert_uint_eq(s->conn_established, 50);
    ck_assert_uint_eq(s->errors, 1);
    ck_assert_uint_eq(hist_count(s->rtt), hist_count(a->stats->rtt) + hist_count(b->stats->rtt));
    for (int i = 0; i < hist_buckets(s->rtt); i++)
        ck_assert_uint_eq(hist_count_at(s->rtt, i), hist_count_at(a->stats->rtt, i) + hist_count_at(b->stats->rtt, i));
    ck_assert_int_eq(hist_max(s->rtt), hist_max(a->stats->rtt) > hist_max(b->stats->rtt) ? hist_max(a->stats->rtt)
                                                                                      : hist_max(b->stats->rtt));
    /* timeline: wall second T of the merge = a's T + b's T */
    const timeline *ma = &a->stats->tl, *mbt = &b->stats->tl, *mt = &s->tl;
    ck_assert_int_eq(mt->first, 1700000000);
    ck_assert_uint_eq(mt->n, 23);
    for (int64_t t = mt->first; t < mt->first + (int64_t)mt->n; t++) {
        uint64_t want = 0, want_rtts = 0;
        if (t >= ma->first && t < ma->first + (int64_t)ma->n) {
            want += ma->secs[t - ma->first].verified;
            want_rtts += timeline_sec_rtt_count(&ma->secs[t - ma->first]);
        }
        if (t >= mbt->first && t < mbt->first + (int64_t)mbt->n) {
            want += mbt->secs[t - mbt->first].verified;
            want_rtts += timeline_sec_rtt_count(&mbt->secs[t - mbt->first]);
        }
        ck_assert_uint_eq(mt->secs[t - mt->first].verified, want);
        ck_assert_uint_eq(timeline_sec_rtt_count(&mt->secs[t - mt->first]), want_rtts);
    }
    int64_t open[64];
    timeline_conns_open(mt, open);
    ck_assert_int_eq(open[2], 30);       /* a's clients are all up by its second 2 */
    ck_assert_int_eq(open[6], 50);       /* and b's by 1700000005 */
    ck_assert_int_eq(open[22], 0);
    /* meta and derived figures */
    ck_assert_int_eq(m->meta.instances, 2);
    ck_assert_int_eq(m->meta.clients, 50);
    ck_assert(m->meta.duration_s == 23.0);
    ck_assert(m->harness_cpu_s == 6.5);
    ck_assert(m->server_cpu_s == 15.0);
    ck_assert_int_eq(m->harness_max_rss_kb, 48000);
    /* instances side by side: the longest steady window, the round trips of both in it */
    stats_win wa = stats_window(a->stats), wb = stats_window(b->stats);
    ck_assert(wa.ns > 0 && wb.ns > 0 && wa.ns != wb.ns);
    ck_assert(m->d.window_s == (double)(wa.ns > wb.ns ? wa.ns : wb.ns) / 1e9);
    ck_assert_uint_eq(m->d.window_verified, wa.verified + wb.verified);
    ck_assert(m->d.round_trips_per_s == (double)(wa.verified + wb.verified) / m->d.window_s);
    ck_assert(m->d.harness_cpu_per_rt_us == 6.5e6 / (double)s->verified);
    ck_assert_uint_eq(m->nthresholds, 1);
    ck_assert_int_eq(m->thresholds[0].pass, 1);
    ck_assert_int_eq(result_exit_code(m), 1);      /* b's decrypt error */
    free(ta); free(tb);
    result_free(a); result_free(b); result_free(m); result_free(mb);
    buf_free(&err);
}
END_TEST

START_TEST(exit_rule)
{
    result *r = synth_result(1700000000, 4, 5);
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 0);
    ck_assert(r->d.pass);
    stats_sent(r->stats, 0);                  /* a message never verified */
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 1);
    ck_assert_uint_eq(r->d.unverified, 1);
    stats_verified(r->stats, 0, 1000000);
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 0);
    result_add_finding(r, "f", "low", "d", "e");
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 0);
    result_add_finding(r, "g", "high", "d", "e");
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 1);
    result_free(r);
    r = synth_result(1700000000, 4, 5);
    stats_conn_attempt(r->stats, 0);
    stats_conn_failed(r->stats, 0);
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 1);
    result_free(r);
}
END_TEST

static cJSON *series_of(cJSON *j, const char *name)
{
    cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "series"))
        if (!strcmp(cJSON_GetObjectItem(it, "name")->valuestring, name)) return it;
    return NULL;
}

static int64_t int_at(cJSON *o, const char *a, const char *b)
{
    cJSON *x = cJSON_GetObjectItem(o, a);
    if (b) x = cJSON_GetObjectItem(x, b);
    ck_assert_msg(cJSON_IsNumber(x), "%s.%s missing", a, b ? b : "");
    return (int64_t)x->valuedouble;
}

/* "series": always there, the figures derived once, read back exactly. */
START_TEST(series_round_trip)
{
    result *plain = synth_result(1700000000, 4, 5);
    result_finish(plain);
    char *tp = to_text(plain);
    cJSON *j = cJSON_Parse(tp);
    ck_assert(cJSON_IsArray(cJSON_GetObjectItem(j, "series")));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "series")), 0);
    cJSON_DeleteItemFromObject(j, "series");          /* a report from before flows reads as none */
    buf err = BUF_INIT;
    result *old = result_from_json(j, "old.json", &err);
    ck_assert_msg(old != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(old->d.nseries, 0);
    cJSON_Delete(j);

    result *r = synth_result(1700000000, 10, 5);
    synth_series(r->stats, 10);
    result_finish(r);
    ck_assert_uint_eq(r->d.nseries, 3);
    const result_series *say = &r->d.series[1], *fan = &r->d.series[2];
    ck_assert_str_eq(say->s->name, "say");
    ck_assert_uint_eq(say->latency_ms.count, 96);
    ck_assert(say->latency_ms.p50 > 1.5 && say->latency_ms.p50 < 2.7);
    ck_assert_uint_eq(say->lost, 0);
    ck_assert(say->error_rate == 4.0 / 100.0);
    ck_assert_uint_eq(fan->lost, 9);                  /* 900 expected, 891 ok */
    ck_assert(fan->error_rate == 2.0 / 893.0);
    ck_assert_str_eq(fan->hgrm, "latency.fanout.hgrm");
    char *a = to_text(r);
    result *back = from_text(a, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    char *b = to_text(back);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(back->d.nseries, 3);
    ck_assert(back->d.series[1].latency_ms.p99 == say->latency_ms.p99);
    ck_assert_int_eq(back->stats->series[2].is_on, 1);
    j = cJSON_Parse(a);
    cJSON *e = series_of(j, "say");
    ck_assert_str_eq(cJSON_GetObjectItem(e, "kind")->valuestring, "step");
    ck_assert_int_eq(int_at(e, "sent", NULL), 100);
    ck_assert_int_eq(int_at(e, "ok", NULL), 96);
    ck_assert_int_eq(int_at(e, "failed", NULL), 4);
    ck_assert_int_eq(int_at(e, "errors", "timeout"), 2);
    ck_assert_int_eq(int_at(e, "errors", "mismatch"), 2);
    ck_assert_int_eq(int_at(e, "expected", NULL), 0);
    ck_assert_int_eq(int_at(e, "lost", NULL), 0);
    ck_assert_int_eq(int_at(e, "latency_ms", "count"), 96);
    ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "latency_ms"), "p999"));
    ck_assert_int_eq(int_at(e, "histogram", "count"), 96);
    ck_assert_int_eq(int_at(e, "histogram", "sub_bucket_bits"), 7);
    e = series_of(j, "fanout");
    ck_assert_str_eq(cJSON_GetObjectItem(e, "kind")->valuestring, "on");
    ck_assert_int_eq(int_at(e, "expected", NULL), 900);
    ck_assert_int_eq(int_at(e, "lost", NULL), 9);
    ck_assert_int_eq(int_at(e, "errors", "decrypt"), 2);
    cJSON_Delete(j);
    /* ok past expected (members joined after the capture) is no loss, never negative */
    stats_series_expected(r->stats, 2, 0);
    for (int i = 0; i < 20; i++) stats_series_ok(r->stats, 2, 1000000);
    result_finish(r);
    ck_assert_uint_eq(r->d.series[2].lost, 0);
    free(tp); free(a); free(b);
    result_free(plain); result_free(old); result_free(r); result_free(back);
    buf_free(&err);
}
END_TEST

/* A hostile "series" is refused with the entry and field named. */
START_TEST(series_invalid)
{
    result *r = synth_result(1700000000, 4, 5);
    synth_series(r->stats, 4);
    result_finish(r);
    char *good = to_text(r);
    static const struct { const char *path, *json, *want; } bad[] = {
        {"", "{\"a\":1}", "series: not an array"},
        {"0", "{}", "series[0].name: missing"},
        {"0.name", "\"\"", "series[0].name: empty"},
        {"0.name", "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"", "series[0].name: too long"},
        {"1.name", "\"join\"", "series[1].name: \"join\" is there twice"},
        {"0.kind", "\"emit\"", "series[0].kind: \"emit\", not"},
        {"0.sent", "-1", "series[0].sent: negative"},
        {"1.failed", "5", "series[1].failed: 5, but its errors add up to 4"},
        {"1.errors", "[]", "series[1].errors: missing or not an object"},
        {"1.errors", "{\"timeout\":-2}", "series[1].errors: not a count"},
        {"1.ok", "3", "series[1].histogram.count: 36, more than ok (3)"},
        {"2.histogram", "{}", "series[2].histogram"},
    };
    buf err = BUF_INIT;
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cJSON *j = cJSON_Parse(good), *arr = cJSON_GetObjectItem(j, "series"), *v = cJSON_Parse(bad[k].json);
        ck_assert_ptr_nonnull(v);
        if (!bad[k].path[0]) cJSON_ReplaceItemInObject(j, "series", v);
        else {
            int idx = bad[k].path[0] - '0';
            cJSON *e = cJSON_GetArrayItem(arr, idx);
            if (!bad[k].path[1]) cJSON_ReplaceItemInArray(arr, idx, v);
            else cJSON_ReplaceItemInObject(e, bad[k].path + 2, v);
        }
        char *t = cJSON_PrintUnformatted(j);
        expect_invalid(t, bad[k].want);
        free(t);
        cJSON_Delete(j);
    }
    /* too many entries, and too many classes in one */
    cJSON *j = cJSON_Parse(good), *arr = cJSON_GetObjectItem(j, "series");
    for (int i = 3; i <= STATS_MAX_SERIES; i++) {
        cJSON *e = cJSON_Duplicate(cJSON_GetArrayItem(arr, 0), 1);
        char n[16];
        snprintf(n, sizeof n, "n%d", i);
        cJSON_ReplaceItemInObject(e, "name", cJSON_CreateString(n));
        cJSON_AddItemToArray(arr, e);
    }
    char *t = cJSON_PrintUnformatted(j);
    expect_invalid(t, "series: more than 64 entries");
    free(t);
    cJSON_DeleteItemFromArray(arr, STATS_MAX_SERIES);  /* exactly 64 read */
    t = cJSON_PrintUnformatted(j);
    result *ok = from_text(t, &err);
    ck_assert_msg(ok != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(ok->d.nseries, STATS_MAX_SERIES);
    result_free(ok);
    free(t);
    cJSON *errs = cJSON_GetObjectItem(cJSON_GetArrayItem(arr, 1), "errors");
    for (int c = 0; c < 16; c++) {
        char n[16];
        snprintf(n, sizeof n, "c%d", c);
        cJSON_AddNumberToObject(errs, n, 0);
    }
    t = cJSON_PrintUnformatted(j);
    expect_invalid(t, "series[1].errors: more than 16 classes");
    free(t);
    cJSON_Delete(j);
    free(good);
    result_free(r);
    buf_free(&err);
}
END_TEST

/* result_merge adds series by name; a name only one side has is added; the union stays within 64. */
START_TEST(series_merge_by_name)
{
    result *a = synth_result(1700000000, 4, 5), *b = synth_result(1700000001, 4, 5);
    synth_series(a->stats, 10);
    int extra = stats_series_add(b->stats, "extra", 1);
    synth_series(b->stats, 5);                        /* say at index 2 here, 1 in a */
    stats_series_sent(b->stats, extra);
    stats_series_expected(b->stats, extra, 3);
    result_finish(a);
    result_finish(b);
    buf err = BUF_INIT;
    char *ta = to_text(a), *tb = to_text(b);
    result *m = from_text(ta, &err), *mb = from_text(tb, &err);
    ck_assert_int_eq(result_merge(m, mb, &err), 0);
    result_finish(m);
    ck_assert_uint_eq(m->d.nseries, 4);
    const char *order[] = {"join", "say", "fanout", "extra"};
    for (int i = 0; i < 4; i++) ck_assert_str_eq(m->d.series[i].s->name, order[i]);
    const stats_series *say = m->d.series[1].s;
    ck_assert_uint_eq(say->sent, 150);
    ck_assert_uint_eq(say->failed, 8);
    ck_assert_uint_eq(hist_count(say->latency), hist_count(a->stats->series[1].latency) +
                                                hist_count(b->stats->series[2].latency));
    ck_assert_uint_eq(m->d.series[2].s->expected, 1350);
    ck_assert_uint_eq(m->d.series[2].lost, 18);
    ck_assert_uint_eq(m->d.series[3].lost, 3);
    ck_assert_int_eq(m->d.series[3].s->is_on, 1);
    /* 3 + 62 names together: refused, saying why */
    result *many = result_new();
    for (int i = 0; i < 62; i++) {
        char n[16];
        snprintf(n, sizeof n, "m%d", i);
        stats_series_add(many->stats, n, 0);
    }
    ck_assert_int_eq(result_merge(a, many, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "65 series names together, more than 64"));
    free(ta); free(tb);
    result_free(a); result_free(b); result_free(m); result_free(mb); result_free(many);
    buf_free(&err);
}
END_TEST

START_TEST(probes_round_trip)
{
    result *r = synth_result(1700000000, 4, 2);
    buf err = BUF_INIT;
    ck_assert_int_eq(result_add_probe(r, "not-json", 1, "disconnected", "disconnect: websocket closed",
                                      "failed: connect-refused"), 0);
    ck_assert_int_eq(result_add_probe(r, "oversized", 0, "not-run", "not run: server gone", ""), 0);
    ck_assert_int_eq(result_add_probe(r, "", 1, "x", "", ""), -1);
    result_finish(r);
    char *a = to_text(r);
    result *back = from_text(a, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    char *b = to_text(back);
    ck_assert_str_eq(a, b);
    ck_assert_uint_eq(back->nprobes, 2);
    ck_assert_int_eq(back->probes[1].ran, 0);
    ck_assert_str_eq(back->probes[0].health, "failed: connect-refused");
    /* merged reports keep every instance's probes */
    ck_assert_int_eq(result_merge(back, r, &err), 0);
    ck_assert_uint_eq(back->nprobes, 4);
    /* a bad probe entry is named */
    char *bad = strdup(a);
    char *at = strstr(bad, "\"ran\":false");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"ran\":0    ", 11);
    ck_assert_ptr_null(from_text(bad, &err));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "probes[1].ran: missing or not true/false"));
    free(bad); free(a); free(b);
    result_free(r); result_free(back);
    buf_free(&err);
}
END_TEST

/* The scenario's compare gates: kept in report.json, read back, taken once by a merge, bounded. */
START_TEST(compare_gates_round_trip)
{
    result *r = synth_result(1700000000, 4, 2), *m = result_new();
    buf err = BUF_INIT;
    ck_assert_int_eq(result_add_compare(r, "p99_ms=15%"), 0);
    ck_assert_int_eq(result_add_compare(r, "round_trips_per_s=-10%"), 0);
    ck_assert_int_eq(result_add_compare(r, ""), -1);
    char longer[200];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    ck_assert_int_eq(result_add_compare(r, longer), -1);
    result_finish(r);
    char *a = to_text(r);
    ck_assert_ptr_nonnull(strstr(a, "\"compare\":[\"p99_ms=15%\",\"round_trips_per_s=-10%\"]"));
    result *back = from_text(a, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(back->ncompare, 2);
    ck_assert_str_eq(back->compare[1], "round_trips_per_s=-10%");
    ck_assert_int_eq(result_merge(m, r, &err), 0);
    ck_assert_int_eq(result_merge(m, back, &err), 0);
    ck_assert_uint_eq(m->ncompare, 2);   /* once, not once per instance */
    char *bad = strdup(a), *at = strstr(bad, "\"p99_ms=15%\"");
    memcpy(at, "12345678901 ", 12);
    ck_assert_ptr_null(from_text(bad, &err));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "compare[0]"));
    for (int i = 0; i < RESULT_MAX_COMPARE - 2; i++) ck_assert_int_eq(result_add_compare(back, "errors=0"), 0);
    ck_assert_int_eq(result_add_compare(back, "errors=0"), -1);
    free(bad); free(a);
    result_free(r); result_free(back); result_free(m);
    buf_free(&err);
}
END_TEST

/* A timeline second past the run's own span is refused (fuzz_report: one flipped digit of a second's t had
 * report.html draw 400,000 points a plot); the seconds of the run itself are read. */
START_TEST(timeline_within_the_run)
{
    result *r = synth_result(1700000000, 4, 5);
    buf err = BUF_INIT;
    result_finish(r);
    char *a = to_text(r);
    result *back = from_text(a, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    result_free(back);
    char *bad = strdup(a), *at = strstr(bad, "\"t\":1700000003");
    ck_assert_ptr_nonnull(at);
    memcpy(at, "\"t\":1700400003", 14);
    ck_assert_ptr_null(from_text(bad, &err));
    ck_assert_msg(strstr(buf_cstr(&err), "timeline: seconds 1700000000 .. 1700400003 lie outside the run") != NULL,
                  "%s", buf_cstr(&err));
    free(bad); free(a);
    result_free(r);
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("result");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, json_round_trip_exact);
    tcase_add_test(tc, tls_round_trip_and_merge);
    tcase_add_test(tc, invalid_reports_are_named);
    tcase_add_test(tc, hostile_numbers_are_refused);
    tcase_add_test(tc, merge_adds_exactly_and_aligns_by_wall_second);
    tcase_add_test(tc, exit_rule);
    tcase_add_test(tc, probes_round_trip);
    tcase_add_test(tc, compare_gates_round_trip);
    tcase_add_test(tc, timeline_within_the_run);
    tcase_add_test(tc, series_round_trip);
    tcase_add_test(tc, series_invalid);
    tcase_add_test(tc, series_merge_by_name);
    suite_add_tcase(s, tc);
    return check_run(s);
}
