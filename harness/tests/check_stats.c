#include <check.h>
#include <stdio.h>
#include <string.h>
#include "report/stats.h"
#include "check_run.h"

#define S INT64_C(1000000000)

START_TEST(counts_and_histograms)
{
    stats *s = stats_new();
    stats_set_epoch(s, 0, 1000 * S);
    stats_conn_attempt(s, 0);
    stats_conn_attempt(s, 0);
    stats_conn_established(s, 10, 2000000);
    stats_conn_failed(s, 20);
    for (int i = 0; i < 100; i++) {
        stats_encrypt_ns(s, 3000);
        stats_sent(s, i * 1000);
        stats_received(s, i * 1000 + 500);
        stats_decrypt_ns(s, 2500);
        if (i < 98) stats_verified(s, i * 1000 + 500, 1000000 + i);
    }
    stats_upgrade_ns(s, 700000);
    stats_conn_closed(s, 2 * S);
    ck_assert_uint_eq(s->conn_attempted, 2);
    ck_assert_uint_eq(s->conn_established, 1);
    ck_assert_uint_eq(s->conn_failed, 1);
    ck_assert_uint_eq(s->conn_closed, 1);
    ck_assert_uint_eq(s->sent, 100);
    ck_assert_uint_eq(s->received, 100);
    ck_assert_uint_eq(s->verified, 98);
    ck_assert_uint_eq(hist_count(s->rtt), 98);
    ck_assert_uint_eq(hist_count(s->encrypt), 100);
    ck_assert_uint_eq(hist_count(s->decrypt), 100);
    ck_assert_uint_eq(hist_count(s->connect), 1);
    ck_assert_uint_eq(hist_count(s->upgrade), 1);
    ck_assert_int_eq(hist_min(s->rtt), 1000000);
    ck_assert_int_eq(hist_max(s->rtt), 1000097);
    stats_free(s);
}
END_TEST

START_TEST(timeline_by_wall_second)
{
    stats *s = stats_new();
    stats_set_epoch(s, 5 * S, 1000 * S + S / 2);   /* mono 5.0 s = wall 1000.5 s */
    ck_assert_int_eq(stats_wall_second(s, 5 * S), 1000);
    ck_assert_int_eq(stats_wall_second(s, 5 * S + S / 2), 1001);
    stats_conn_established(s, 5 * S, 1000);             /* t 1000 */
    stats_conn_established(s, 5 * S + S / 2, 1000);     /* t 1001 */
    for (int i = 0; i < 100; i++) {
        stats_sent(s, 5 * S + S / 2 + i);                 /* t 1001 */
        stats_verified(s, 5 * S + S / 2 + i, 1000000);    /* 1 ms in t 1001 */
    }
    for (int i = 0; i < 100; i++) stats_verified(s, 7 * S + S / 2, i < 50 ? 2000000 : 10000000);  /* t 1003 */
    stats_verified(s, 5 * S + S / 2 + 1, 1000000);        /* late: back in 1001 */
    stats_conn_closed(s, 8 * S);                          /* t 1003 */
    stats_error(s, 8 * S, "timeout", NULL);
    stats_flush(s);
    const timeline *tl = &s->tl;
    ck_assert_int_eq(tl->first, 1000);
    ck_assert_uint_eq(tl->n, 4);
    ck_assert_uint_eq(tl->secs[1].sent, 100);
    ck_assert_uint_eq(tl->secs[1].verified, 101);
    ck_assert_uint_eq(timeline_sec_rtt_count(&tl->secs[1]), 101);
    ck_assert_uint_eq(tl->secs[2].verified, 0);
    ck_assert_uint_eq(tl->secs[3].verified, 100);
    ck_assert_uint_eq(tl->secs[3].errors, 1);
    int64_t p50 = timeline_sec_percentile(&tl->secs[3], 50), p99 = timeline_sec_percentile(&tl->secs[3], 99);
    ck_assert_msg(p50 >= 2000000 && p50 <= 2000000 * 1.035, "p50 %lld", (long long)p50);
    ck_assert_msg(p99 >= 10000000 && p99 <= 10000000 * 1.035, "p99 %lld", (long long)p99);
    ck_assert_int_eq(timeline_sec_percentile(&tl->secs[2], 99), 0);
    int64_t open[4];
    timeline_conns_open(tl, open);
    ck_assert_int_eq(open[0], 1);
    ck_assert_int_eq(open[1], 2);
    ck_assert_int_eq(open[2], 2);
    ck_assert_int_eq(open[3], 1);
    stats_free(s);
}
END_TEST

START_TEST(errors_by_class)
{
    stats *s = stats_new();
    stats_error(s, 0, "decrypt", "bad-padding");
    stats_error(s, 0, "decrypt:bad-padding", NULL);
    stats_error(s, 0, "decrypt", NULL);
    stats_error(s, 0, "connect", "ECONNREFUSED\n\x01");
    stats_error(s, 0, NULL, NULL);
    ck_assert_uint_eq(s->errors, 5);
    stats_class_total c[8];
    size_t n = stats_error_classes(s, c, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(c[0].cls, "decrypt");
    ck_assert_uint_eq(c[0].count, 3);
    ck_assert_str_eq(c[1].cls, "connect");
    ck_assert_uint_eq(c[1].count, 1);
    ck_assert_str_eq(c[2].cls, "unknown");
    ck_assert_uint_eq(s->nerr, 4);
    ck_assert_str_eq(s->err[0].detail, "bad-padding");
    ck_assert_uint_eq(s->err[0].count, 2);
    ck_assert_str_eq(s->err[1].detail, "");
    ck_assert_str_eq(s->err[2].detail, "ECONNREFUSED\\x0a\\x01");   /* control bytes never reach a report raw */
    /* a flood of distinct details stays bounded, and the class total stays exact */
    char d[32];
    for (int i = 0; i < 1000; i++) { snprintf(d, sizeof d, "d%d", i); stats_error(s, 0, "x", d); }
    ck_assert_uint_le(s->nerr, STATS_MAX_ERROR_KINDS + 64);
    ck_assert_str_eq(s->err[s->nerr - 1].detail, "(other)");
    n = stats_error_classes(s, c, 8);
    ck_assert_str_eq(c[3].cls, "x");
    ck_assert_uint_eq(c[3].count, 1000);
    stats_free(s);
}
END_TEST

START_TEST(merge_adds_exactly)
{
    stats *a = stats_new(), *b = stats_new(), *all = stats_new();
    stats_set_epoch(a, 0, 100 * S);
    stats_set_epoch(b, 0, 102 * S);      /* another worker whose clock mapping differs by 2 s */
    stats_set_epoch(all, 0, 100 * S);
    for (int i = 0; i < 3000; i++) {
        int64_t t = (int64_t)i * S / 1000, rtt = 1000000 + (i % 97) * 10000;
        stats *w = i % 2 ? a : b;
        int64_t tw = i % 2 ? t : t - 2 * S;      /* the same wall instant on b's monotonic clock */
        stats_sent(w, tw);
        stats_verified(w, tw, rtt);
        stats_sent(all, t);
        stats_verified(all, t, rtt);
    }
    stats_error(a, 0, "decrypt", "x");
    stats_error(b, 0, "decrypt", "x");
    stats_error(b, 0, "timeout", NULL);
    stats *m = stats_new();
    ck_assert_int_eq(stats_merge(m, a), 0);
    ck_assert_int_eq(stats_merge(m, b), 0);   /* b unflushed: its current second is folded in */
    stats_flush(m);
    stats_flush(all);
    ck_assert_uint_eq(m->sent, 3000);
    ck_assert_uint_eq(m->verified, 3000);
    ck_assert_uint_eq(m->errors, 3);
    ck_assert_uint_eq(m->nerr, 2);
    ck_assert_uint_eq(m->err[0].count, 2);
    for (int i = 0; i < hist_buckets(m->rtt); i++) ck_assert_uint_eq(hist_count_at(m->rtt, i), hist_count_at(all->rtt, i));
    ck_assert_int_eq(m->tl.first, all->tl.first);
    ck_assert_uint_eq(m->tl.n, all->tl.n);
    for (size_t i = 0; i < all->tl.n; i++) {
        ck_assert_uint_eq(m->tl.secs[i].verified, all->tl.secs[i].verified);
        ck_assert_uint_eq(timeline_sec_rtt_count(&m->tl.secs[i]), timeline_sec_rtt_count(&all->tl.secs[i]));
        ck_assert_int_eq(timeline_sec_percentile(&m->tl.secs[i], 99), timeline_sec_percentile(&all->tl.secs[i], 99));
    }
    stats_free(a); stats_free(b); stats_free(all); stats_free(m);
}
END_TEST

/* Named series: one index per name, recorders that ignore a bad index, failures by class with "(other)"
 * past the bound, at most STATS_MAX_SERIES names, and stats_merge by name. */
START_TEST(series_record_and_merge)
{
    stats *a = stats_new(), *b = stats_new();
    ck_assert_ptr_null(a->series);                    /* nothing allocated without a flow */
    int say = stats_series_add(a, "say", 0), fan = stats_series_add(a, "fanout", 1);
    ck_assert_int_eq(say, 0);
    ck_assert_int_eq(fan, 1);
    ck_assert_int_eq(stats_series_add(a, "say", 0), say);
    ck_assert_int_eq(stats_series_add(a, "", 0), 2);
    ck_assert_str_eq(a->series[2].name, "unnamed");
    char longname[200];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    int lg = stats_series_add(a, longname, 0);
    ck_assert_uint_eq(strlen(a->series[lg].name), 63);
    ck_assert_ptr_nonnull(strstr(a->series[lg].name, "..."));
    ck_assert_int_eq(stats_series_add(a, "ctl\x1b[2J", 0), 4);
    ck_assert_str_eq(a->series[4].name, "ctl\\x1b[2J");  /* clean text */
    for (int i = 0; i < 10; i++) {
        stats_series_sent(a, say);
        stats_series_ok(a, say, (i + 1) * 1000000);
    }
    stats_series_ok(a, say, -1);                      /* ok without a latency */
    stats_series_failed(a, say, "timeout");
    stats_series_failed(a, say, "mismatch:ack.room");
    stats_series_failed(a, say, NULL);
    stats_series_sent(a, 99);                         /* bad indices change nothing */
    stats_series_ok(a, -1, 5);
    stats_series_failed(a, 64, "x");
    stats_series_expected(a, 7, 3);
    stats_series_expected(a, fan, 20);
    stats_series_expected(a, fan, 5);
    const stats_series *x = &a->series[say];
    ck_assert_uint_eq(x->sent, 10);
    ck_assert_uint_eq(x->ok, 11);
    ck_assert_uint_eq(x->failed, 3);
    ck_assert_uint_eq(hist_count(x->latency), 10);
    ck_assert_int_eq(hist_max(x->latency), 10000000);
    ck_assert_uint_eq(x->nfail, 3);
    ck_assert_str_eq(x->fail[0].cls, "timeout");
    ck_assert_str_eq(x->fail[1].cls, "mismatch");    /* the class, as errors{} keys it */
    ck_assert_str_eq(x->fail[2].cls, "unknown");
    ck_assert_uint_eq(a->series[fan].expected, 25);
    ck_assert_int_eq(a->series[fan].is_on, 1);
    /* past STATS_SERIES_MAX_CLASSES - 1 classes, new ones are "(other)" in the last slot */
    int many = stats_series_add(a, "many", 0);
    for (int c = 0; c < 40; c++) {
        char cls[16];
        snprintf(cls, sizeof cls, "c%d", c);
        stats_series_failed(a, many, cls);
    }
    x = &a->series[many];
    ck_assert_uint_eq(x->nfail, STATS_SERIES_MAX_CLASSES);
    ck_assert_str_eq(x->fail[STATS_SERIES_MAX_CLASSES - 1].cls, "(other)");
    ck_assert_uint_eq(x->fail[STATS_SERIES_MAX_CLASSES - 1].count, 40 - (STATS_SERIES_MAX_CLASSES - 1));
    ck_assert_uint_eq(x->failed, 40);
    stats_series_failed(a, many, "c3");               /* a class it has still counts as itself */
    ck_assert_uint_eq(x->fail[3].count, 2);
    /* at most STATS_MAX_SERIES names */
    for (int i = (int)a->nseries; i < STATS_MAX_SERIES; i++) {
        char n[16];
        snprintf(n, sizeof n, "s%d", i);
        ck_assert_int_eq(stats_series_add(a, n, 0), i);
    }
    ck_assert_int_eq(stats_series_add(a, "one-too-many", 0), -1);
    ck_assert_int_eq(stats_series_add(a, "say", 0), say);   /* known names still resolve */
    ck_assert_uint_eq(a->nseries, STATS_MAX_SERIES);

    /* merge by name: b has say (another order) and a name a lacks */
    int bnew = stats_series_add(b, "only-in-b", 1), bsay = stats_series_add(b, "say", 0);
    ck_assert_int_eq(bnew, 0);
    stats_series_sent(b, bsay);
    stats_series_ok(b, bsay, 50000000);
    stats_series_failed(b, bsay, "timeout");
    stats_series_expected(b, bnew, 4);
    stats *m = stats_new();
    ck_assert_int_eq(stats_merge(m, b), 0);
    ck_assert_int_eq(stats_merge(m, b), 0);
    ck_assert_uint_eq(m->nseries, 2);
    ck_assert_str_eq(m->series[0].name, "only-in-b");
    ck_assert_int_eq(m->series[0].is_on, 1);
    ck_assert_uint_eq(m->series[0].expected, 8);
    ck_assert_uint_eq(m->series[1].failed, 2);
    ck_assert_uint_eq(m->series[1].fail[0].count, 2);
    ck_assert_uint_eq(hist_count(m->series[1].latency), 2);
    ck_assert_int_eq(stats_merge(b, a), -1);          /* 64 names and one more do not fit */
    stats *c = stats_new();
    stats_series_add(c, "say", 0);
    ck_assert_int_eq(stats_merge(c, a), 0);
    ck_assert_uint_eq(c->series[0].sent, 10);
    ck_assert_uint_eq(c->series[0].failed, 3);
    ck_assert_uint_eq(hist_count(c->series[0].latency), 10);
    ck_assert_uint_eq(c->nseries, STATS_MAX_SERIES);
    stats_free(a); stats_free(b); stats_free(m); stats_free(c);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, counts_and_histograms);
    tcase_add_test(tc, timeline_by_wall_second);
    tcase_add_test(tc, errors_by_class);
    tcase_add_test(tc, merge_adds_exactly);
    tcase_add_test(tc, series_record_and_merge);
    suite_add_tcase(s, tc);
    return check_run(s);
}
