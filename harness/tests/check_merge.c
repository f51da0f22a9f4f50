/* `siocrypt merge` end to end, through cmd_merge itself: real report files in, a merged report out. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cmd.h"
#include "report/report.h"
#include "synth.h"
#include "check_run.h"

static char base[64];

static void write_instance(const char *name, int64_t wall0, int clients, int with_error)
{
    char d[256];
    snprintf(d, sizeof d, "%s/%s", base, name);
    result *r = synth_result(wall0, clients, 10);
    buf err = BUF_INIT;
    result_add_threshold(r, "p99_ms<100", &err);
    if (with_error) stats_error(r->stats, 3000000000LL, "decrypt", "bad-padding");
    result_finish(r);
    ck_assert_int_eq(report_write_all(r, d, &err), 0);
    result_free(r);
    buf_free(&err);
}

static int run(int argc, char **argv)
{
    fflush(stdout);
    return cmd_merge(argc, argv);
}

static void setup(void)
{
    snprintf(base, sizeof base, "/tmp/check_merge.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(base));
    write_instance("a", 1700000000, 20, 0);
    write_instance("b", 1700000002, 30, 0);
    write_instance("c", 1700000001, 10, 1);
    write_instance("late", 1700000100, 10, 0);   /* began 90 s after a ended */
}

/* The merged finding instances-not-overlapping and its gap (s), or -1 when there is none. */
static double overlap_gap(const result *m)
{
    double gap = -1;
    for (size_t i = 0; i < m->nfindings; i++)
        if (!strcmp(m->findings[i].id, "instances-not-overlapping")) {
            ck_assert_str_eq(m->findings[i].severity, "medium");
            ck_assert_int_eq(sscanf(m->findings[i].detail, "the instances' steady windows have no moment in common: %lf s",
                                    &gap), 1);
        }
    return gap;
}

static result *merge_files(const char *x, const char *y, const char *z)
{
    char a[256], b[256], c[256], out[256], path[300];
    snprintf(a, sizeof a, "%s/%s/report.json", base, x);
    snprintf(b, sizeof b, "%s/%s/report.json", base, y);
    snprintf(c, sizeof c, "%s/%s/report.json", base, z ? z : y);
    snprintf(out, sizeof out, "%s/m-%s-%s", base, x, y);
    char *argv[] = {"merge", "-q", "--out", out, a, b, c, NULL};
    run(z ? 7 : 6, argv);
    snprintf(path, sizeof path, "%s/report.json", out);
    buf err = BUF_INIT;
    result *m = result_load(path, &err);
    ck_assert_msg(m != NULL, "%s", buf_cstr(&err));
    buf_free(&err);
    return m;
}

START_TEST(instances_apart_are_a_finding)
{
    result *m = merge_files("a", "b", NULL);   /* 2 s apart, 10 s each: side by side */
    ck_assert(overlap_gap(m) < 0);
    result_free(m);
    m = merge_files("a", "late", NULL);
    double gap = overlap_gap(m);
    ck_assert_msg(gap > 80 && gap <= 100, "gap %f", gap);
    ck_assert_int_eq(result_exit_code(m), 0);   /* medium: the run itself did not fail */
    result_free(m);
    /* three instances, the late one in the middle of the list: one finding, the same gap */
    m = merge_files("b", "late", "a");
    ck_assert_msg(overlap_gap(m) > 80, "gap %f", overlap_gap(m));
    size_t n = 0;
    for (size_t i = 0; i < m->nfindings; i++) n += !strcmp(m->findings[i].id, "instances-not-overlapping");
    ck_assert_uint_eq(n, 1);
    result_free(m);
}
END_TEST

START_TEST(merges_and_passes)
{
    char a[256], b[256], out[256], path[300];
    snprintf(a, sizeof a, "%s/a/report.json", base);
    snprintf(b, sizeof b, "%s/b/report.json", base);
    snprintf(out, sizeof out, "%s/merged", base);
    char *argv[] = {"merge", "-q", "--out", out, a, b, NULL};
    ck_assert_int_eq(run(6, argv), 0);
    snprintf(path, sizeof path, "%s/report.json", out);
    buf err = BUF_INIT;
    result *m = result_load(path, &err), *ra = result_load(a, &err), *rb = result_load(b, &err);
    ck_assert_msg(m && ra && rb, "%s", buf_cstr(&err));
    ck_assert_int_eq(m->meta.instances, 2);
    ck_assert_uint_eq(m->stats->verified, ra->stats->verified + rb->stats->verified);
    ck_assert_uint_eq(hist_count(m->stats->rtt), hist_count(ra->stats->rtt) + hist_count(rb->stats->rtt));
    ck_assert_int_eq(m->stats->tl.first, 1700000000);
    ck_assert_uint_eq(m->stats->tl.n, 12);
    ck_assert_uint_eq(m->nthresholds, 1);
    ck_assert(m->thresholds[0].pass);
    for (const char *f = "summary.md\0junit.xml\0latency.hgrm\0latency.hlog\0report.html\0"; *f; f += strlen(f) + 1) {
        snprintf(path, sizeof path, "%s/%s", out, f);
        ck_assert_msg(access(path, R_OK) == 0, "%s", path);
    }
    result_free(m); result_free(ra); result_free(rb);
    buf_free(&err);
}
END_TEST

START_TEST(failures_and_thresholds_give_1)
{
    char a[256], c[256], out[256];
    snprintf(a, sizeof a, "%s/a/report.json", base);
    snprintf(c, sizeof c, "%s/c/report.json", base);
    snprintf(out, sizeof out, "%s/m2", base);
    char *argv[] = {"merge", "-q", "-o", out, a, c, NULL};
    ck_assert_int_eq(run(6, argv), 1);              /* c has a decrypt error */
    char *argv2[] = {"merge", "-q", "-o", out, "--threshold", "round_trips_per_s>1e9", a, NULL};
    ck_assert_int_eq(run(7, argv2), 1);
}
END_TEST

START_TEST(bad_usage_and_input_give_2)
{
    char a[256], bad[256], out[256];
    snprintf(a, sizeof a, "%s/a/report.json", base);
    snprintf(bad, sizeof bad, "%s/bad.json", base);
    snprintf(out, sizeof out, "%s/m3", base);
    FILE *f = fopen(bad, "w");
    fputs("{\"schema\":\"siocrypt-report/1\"}", f);
    fclose(f);
    char *no_out[] = {"merge", a, NULL};
    ck_assert_int_eq(run(2, no_out), 2);
    char *no_in[] = {"merge", "--out", out, NULL};
    ck_assert_int_eq(run(3, no_in), 2);
    char *missing[] = {"merge", "--out", out, a, "/nonexistent/report.json", NULL};
    ck_assert_int_eq(run(5, missing), 2);
    char *invalid[] = {"merge", "--out", out, a, bad, NULL};
    ck_assert_int_eq(run(5, invalid), 2);
    char *bad_th[] = {"merge", "--out", out, "--threshold", "p98_ms<1", a, NULL};
    ck_assert_int_eq(run(6, bad_th), 2);
    char *help[] = {"merge", "--help", NULL};
    ck_assert_int_eq(run(2, help), 0);
    char *unknown[] = {"merge", "--bogus", NULL};
    ck_assert_int_eq(run(2, unknown), 2);
    ck_assert_int_ne(access(out, F_OK), 0);        /* nothing written on bad input */
}
END_TEST

/* Flow series through `siocrypt merge`: added by name (an order that differs, a name only one has), the
 * merged report's series and its latency.<name>.hgrm files, and a series threshold given at the merge. */
START_TEST(merges_series_by_name)
{
    char d1[256], d2[256], a[300], b[300], out[256], path[400];
    snprintf(d1, sizeof d1, "%s/f1", base);
    snprintf(d2, sizeof d2, "%s/f2", base);
    buf err = BUF_INIT;
    result *r1 = synth_result(1700000000, 10, 10), *r2 = synth_result(1700000001, 10, 10);
    synth_series(r1->stats, 10);
    int only = stats_series_add(r2->stats, "only-here", 1);
    synth_series(r2->stats, 6);
    stats_series_expected(r2->stats, only, 2);
    result_finish(r1);
    result_finish(r2);
    ck_assert_int_eq(report_write_all(r1, d1, &err), 0);
    ck_assert_int_eq(report_write_all(r2, d2, &err), 0);
    snprintf(a, sizeof a, "%s/report.json", d1);
    snprintf(b, sizeof b, "%s/report.json", d2);
    snprintf(out, sizeof out, "%s/fm", base);
    char *argv[] = {"merge", "-q", "--out", out, "--threshold", "lost{fanout}<20", "--threshold", "p99_ms{nosuch}<5",
                    a, b, NULL};
    ck_assert_int_eq(run(10, argv), 1);           /* failures in say and fanout, and the threshold without series */
    snprintf(path, sizeof path, "%s/report.json", out);
    result *m = result_load(path, &err);
    ck_assert_msg(m != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(m->d.nseries, 4);
    const char *order[] = {"join", "say", "fanout", "only-here"};
    for (int i = 0; i < 4; i++) ck_assert_str_eq(m->d.series[i].s->name, order[i]);
    const stats_series *say = m->d.series[1].s;
    ck_assert_uint_eq(say->sent, r1->stats->series[1].sent + r2->stats->series[2].sent);
    ck_assert_uint_eq(say->failed, 8);
    ck_assert_uint_eq(hist_count(say->latency), hist_count(r1->stats->series[1].latency) +
                                                hist_count(r2->stats->series[2].latency));
    ck_assert_uint_eq(m->d.series[2].s->expected, 900 + 540);
    ck_assert_uint_eq(m->d.series[2].lost, 18);
    ck_assert_uint_eq(m->d.series[3].lost, 2);
    ck_assert_uint_eq(m->nthresholds, 2);
    ck_assert(m->thresholds[0].pass);
    ck_assert(!m->thresholds[1].pass);
    ck_assert_str_eq(m->thresholds[1].note, "no series 'nosuch'");
    for (const char *f = "latency.join.hgrm\0latency.say.hgrm\0latency.fanout.hgrm\0latency.only-here.hgrm\0"; *f;
         f += strlen(f) + 1) {
        snprintf(path, sizeof path, "%s/%s", out, f);
        ck_assert_msg(access(path, R_OK) == 0, "%s", path);
    }
    result_free(m); result_free(r1); result_free(r2);
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("merge");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, merges_and_passes);
    tcase_add_test(tc, failures_and_thresholds_give_1);
    tcase_add_test(tc, bad_usage_and_input_give_2);
    tcase_add_test(tc, merges_series_by_name);
    tcase_add_test(tc, instances_apart_are_a_finding);
    suite_add_tcase(s, tc);
    return check_run(s);
}
