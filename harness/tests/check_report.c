#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "report/report.h"
#include "report/writers.h"
#include "synth.h"
#include "check_run.h"

static char dir[256];

static result *sample(void)
{
    result *r = synth_result(1700000000, 50, 20);
    buf err = BUF_INIT;
    stats_error(r->stats, 13000000000LL, "decrypt", "bad-padding");
    stats_error(r->stats, 13000000000LL, "decrypt", "bad-padding");
    stats_error(r->stats, 14000000000LL, "timeout", "no reply in 5000 ms");
    result_add_threshold(r, "p99_ms<50", &err);
    result_add_threshold(r, "round_trips_per_s>5000", &err);
    result_add_threshold(r, "error_rate<=0.01", &err);
    result_add_finding(r, "eio-oversized-payload", "medium", "server accepts a 2 MB polling body",
                       "POST 2000000 bytes -> 200 ok");
    result_add_finding(r, "sio-bad-namespace", "info", "unknown namespace answered with 44", "< 44/x,{...}");
    RESULT_SET(r->meta.out_dir, dir);
    result_finish(r);
    buf_free(&err);
    return r;
}

static char *slurp(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    fclose(f);
    return p;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle)) n++;
    return n;
}

static void setup(void)
{
    char base[] = "/tmp/check_report.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(dir, sizeof dir, "%s/a/b", base);   /* write_all must create the missing levels */
}

START_TEST(write_all_files)
{
    result *r = sample();
    buf err = BUF_INIT;
    ck_assert_msg(report_write_all(r, dir, &err) == 0, "%s", buf_cstr(&err));
    const char *names[] = {"report.json", "summary.md", "junit.xml", "latency.hgrm", "latency.hlog", "report.html"};
    for (int i = 0; i < 6; i++) { char *p = slurp(names[i]); ck_assert_int_gt(strlen(p), 100); free(p); }
    DIR *d = opendir(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) if (e->d_name[0] != '.' || strstr(e->d_name, ".tmp")) { files++; ck_assert(!strstr(e->d_name, ".tmp")); }
    closedir(d);
    ck_assert_int_eq(files, 6);
    /* report.json reads back into the same result */
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", dir);
    result *back = result_load(path, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(back->stats->verified, r->stats->verified);
    ck_assert(back->d.latency_ms.p99 == r->d.latency_ms.p99);
    ck_assert_uint_eq(back->nfindings, 2);
    result_free(back);
    /* an impossible directory is an error with the path in it */
    buf_clear(&err);
    ck_assert_int_eq(report_write_all(r, "/proc/no/such/dir", &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "/proc/no"));
    /* a sample for people to look at */
    const char *keep = getenv("SIOCRYPT_REPORT_SAMPLE");
    if (keep) {
        RESULT_SET(r->meta.out_dir, keep);
        ck_assert_int_eq(report_write_all(r, keep, &err), 0);
        report_print_summary(stdout, r);
    }
    result_free(r);
    buf_free(&err);
}
END_TEST

/* A long timeline is drawn in groups of seconds: 3,000 seconds give 1,000 points per line, not 3,000. */
START_TEST(html_timeline_grouped)
{
    result *r = synth_result(1700000000, 2, 3000);
    buf html = BUF_INIT;
    result_finish(r);
    ck_assert_uint_gt(r->stats->tl.n, 2 * 1000);   /* more seconds than one plot draws */
    ck_assert_int_eq(report_html(r, &html), 0);
    size_t lines = 0;   /* SVG path segments: five timeline lines and the percentile curve */
    for (const char *p = html.data; (p = strstr(p, "L")) != NULL; p++)
        if (p[1] >= '0' && p[1] <= '9') lines++;
    ck_assert_msg(lines < 6000, "%zu path segments: the 3,000 seconds were not grouped", lines);
    ck_assert_msg(lines > 4000, "%zu path segments: fewer than the 1,000 points per line", lines);
    buf_free(&html);
    result_free(r);
}
END_TEST

START_TEST(hgrm_parses_back)
{
    result *r = sample();
    buf out = BUF_INIT;
    ck_assert_int_eq(report_hgrm(r, &out), 0);
    const hist *h = r->stats->rtt;
    uint64_t total = hist_count(h);
    const char *p = buf_cstr(&out);
    const char *hdr = "       Value     Percentile TotalCount 1/(1-Percentile)\n\n";
    ck_assert_int_eq(strncmp(p, hdr, strlen(hdr)), 0);
    p += strlen(hdr);
    double vals[1000], pcts[1000];
    unsigned long long counts[1000];
    int n = 0, saw_last = 0;
    char line[256];
    while (*p && *p != '#') {
        const char *nl = strchr(p, '\n');
        size_t len = (size_t)(nl - p);
        memcpy(line, p, len);
        line[len] = '\0';
        double inv;
        int f = sscanf(line, "%lf %lf %llu %lf", &vals[n], &pcts[n], &counts[n], &inv);
        ck_assert_msg(f == 4 || f == 3, "line '%s'", line);
        if (f == 4) ck_assert(fabs(inv - 1.0 / (1.0 - pcts[n])) < 0.01);
        else { saw_last = 1; ck_assert(pcts[n] == 1.0); ck_assert_uint_eq(counts[n], total); }
        /* each line: the top of a bucket, and the count up to that bucket */
        int64_t v = llround(vals[n] * 1e6) - 500;
        int idx = hist_index_for(HIST_SUB_BITS, v);
        uint64_t cum = 0;
        for (int i = 0; i <= idx; i++) cum += hist_count_at(h, i);
        ck_assert_uint_eq(cum, counts[n]);
        ck_assert(100.0 * (double)counts[n] / (double)total >= pcts[n] * 100.0 - 1e-9);
        /* and it is the first bucket that reaches the line's percentile */
        uint64_t before = cum - hist_count_at(h, idx);
        ck_assert_msg(pcts[n] == 0 || (double)before < pcts[n] * (double)total, "line %d (%s)", n, line);
        n++;
        p = nl + 1;
    }
    ck_assert(saw_last);
    ck_assert_int_gt(n, 20);
    /* p50 and p90 are lines of their own; p99 and p99.9 fall between lines, so the next line is at most
     * one step of the iteration above */
    const double ps[] = {50, 90, 99, 99.9};
    for (int k = 0; k < 4; k++) {
        uint64_t rank = (uint64_t)(ps[k] / 100.0 * (double)total + 0.5);
        int i = 0;
        while (counts[i] < rank) i++;
        double want = (double)hist_value_at_percentile(h, ps[k]) / 1e6;
        ck_assert_msg(vals[i] >= want - 0.0005 && pcts[i] * 100 - ps[k] < (100 - ps[k]) / 5, "p%g: hgrm %f hist %f",
                      ps[k], vals[i], want);
        if (ps[k] == 50 || ps[k] == 90) ck_assert(fabs(vals[i] - want) <= 0.0005);
    }
    double mean, sd, max;
    unsigned long long tc;
    int b, sb;
    ck_assert_int_eq(sscanf(p, "#[Mean    = %lf, StdDeviation   = %lf]\n#[Max     = %lf, Total count    = %llu]\n"
                               "#[Buckets = %d, SubBuckets     = %d]", &mean, &sd, &max, &tc, &b, &sb), 6);
    ck_assert_uint_eq(tc, total);
    ck_assert(fabs(max - (double)hist_max(h) / 1e6) < 0.0006);
    ck_assert(fabs(mean - r->d.latency_ms.mean) < 0.0006);
    ck_assert_int_eq(sb, 256);
    ck_assert_int_eq(b, 35);
    buf_free(&out);
    result_free(r);
}
END_TEST

START_TEST(junit_cases)
{
    result *r = sample();
    buf out = BUF_INIT;
    ck_assert_int_eq(report_junit(r, &out), 0);
    const char *x = buf_cstr(&out);
    ck_assert_ptr_nonnull(strstr(x, "<?xml version=\"1.0\""));
    /* p99 under 50 ms passes; 5000 round trips/s fails (the run makes ~1000) */
    ck_assert_ptr_nonnull(strstr(x, "name=\"p99_ms&lt;50\" time=\"0\"></testcase>"));
    ck_assert_ptr_nonnull(strstr(x, "name=\"round_trips_per_s&gt;5000\" time=\"0\">\n      <failure type=\"threshold\""));
    ck_assert_ptr_nonnull(strstr(x, "name=\"decrypt\" time=\"0\">\n      <failure type=\"decrypt\" message=\"2 errors of class decrypt\">bad-padding: 2"));
    ck_assert_ptr_nonnull(strstr(x, "classname=\"siocrypt.errors\" name=\"timeout\""));
    ck_assert_ptr_nonnull(strstr(x, "classname=\"siocrypt.findings\" name=\"eio-oversized-payload\""));
    int tests = count_of(x, "<testcase "), failures = count_of(x, "<failure ");
    /* delivery, connections, 3 thresholds, 2 error classes, 2 findings; failing: 1 threshold, 2 classes */
    ck_assert_int_eq(tests, 9);
    ck_assert_int_eq(failures, 3);
    char attr[64];
    snprintf(attr, sizeof attr, "tests=\"%d\" failures=\"%d\"", tests, failures);
    ck_assert_int_eq(count_of(x, attr), 2);
    ck_assert_int_eq(count_of(x, "<testcase "), count_of(x, "</testcase>"));
    buf_free(&out);
    result_free(r);
}
END_TEST

START_TEST(html_self_contained)
{
    result *r = sample();
    RESULT_SET(r->meta.scenario, "<script>alert(1)</script>");
    buf out = BUF_INIT;
    ck_assert_int_eq(report_html(r, &out), 0);
    const char *x = buf_cstr(&out);
    ck_assert_int_eq(count_of(x, "<svg"), 4);
    ck_assert_int_eq(count_of(x, "<script"), 0);
    ck_assert_int_eq(count_of(x, "src="), 0);
    ck_assert_int_eq(count_of(x, "http-equiv"), 0);
    ck_assert_ptr_nonnull(strstr(x, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(x, "99.9%"));               /* the percentile axis */
    ck_assert_ptr_nonnull(strstr(x, "round_trips_per_s&gt;5000"));
    ck_assert_ptr_nonnull(strstr(x, "eio-oversized-payload"));
    ck_assert_ptr_nonnull(strstr(x, "bad-padding"));
    ck_assert_ptr_null(strstr(x, "nan"));
    buf_free(&out);
    result_free(r);
}
END_TEST

START_TEST(markdown_and_summary)
{
    result *r = sample();
    buf out = BUF_INIT;
    ck_assert_int_eq(report_md(r, &out), 0);
    const char *x = buf_cstr(&out);
    ck_assert_ptr_nonnull(strstr(x, "## siocrypt: counter - FAIL"));
    ck_assert_ptr_nonnull(strstr(x, "| `p99_ms<50` |"));
    ck_assert_ptr_nonnull(strstr(x, "**FAIL**"));
    ck_assert_ptr_nonnull(strstr(x, "| decrypt | bad-padding | 2 |"));
    char tmp[64];
    snprintf(tmp, sizeof tmp, "| round trip | %.3f |", r->d.latency_ms.min);
    ck_assert_ptr_nonnull(strstr(x, tmp));
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    report_print_summary(f, r);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(mem, "Latency (ms)"));
    ck_assert_ptr_nonnull(strstr(mem, "FAIL round_trips_per_s>5000"));
    ck_assert_ptr_nonnull(strstr(mem, "decrypt 2, timeout 1"));
    ck_assert_ptr_nonnull(strstr(mem, "Reports      /tmp/check_report."));
    snprintf(tmp, sizeof tmp, "server 7.50 s (%.1f us/round trip)", r->d.server_cpu_per_rt_us);
    ck_assert_ptr_nonnull(strstr(mem, tmp));
    free(mem);
    buf_free(&out);
    result_free(r);
}
END_TEST

START_TEST(empty_run)
{
    /* a run that never connected still gets all six files, with no NaN and "no data" plots */
    result *r = result_new();
    RESULT_SET(r->meta.scenario, "empty");
    result_measure_harness(r, NULL);
    ck_assert(r->harness_cpu_s > 0);
    ck_assert_int_gt(r->harness_max_rss_kb, 0);
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 0);
    buf err = BUF_INIT;
    ck_assert_msg(report_write_all(r, dir, &err) == 0, "%s", buf_cstr(&err));
    char *html = slurp("report.html"), *hgrm = slurp("latency.hgrm"), *md = slurp("summary.md");
    ck_assert_ptr_nonnull(strstr(html, "no data"));
    ck_assert_ptr_null(strstr(html, "nan"));
    ck_assert_ptr_null(strstr(md, "nan"));
    ck_assert_ptr_nonnull(strstr(hgrm, "Total count    =            0]"));
    /* latency.hlog: the header and its legend, no interval (the timeline has no second) */
    char *hlog = slurp("latency.hlog");
    ck_assert_ptr_nonnull(strstr(hlog, "#[Histogram log format version 1.3]\n"));
    const char *legend = "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
    ck_assert_ptr_nonnull(strstr(hlog, legend));
    ck_assert_str_eq(strstr(hlog, legend) + strlen(legend), "");
    free(hlog);
    char path[512];
    snprintf(path, sizeof path, "%s/report.json", dir);
    result *back = result_load(path, &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    ck_assert_uint_eq(back->stats->tl.n, 0);
    free(html); free(hgrm); free(md);
    result_free(back);
    result_free(r);
    buf_free(&err);
}
END_TEST

/* sample() with a flow's series: join, say (4 failures), fanout (9 lost, 2 decrypt failures). */
static result *sample_flow(void)
{
    result *r = synth_result(1700000000, 50, 20);
    buf err = BUF_INIT;
    synth_series(r->stats, 10);
    result_add_threshold(r, "p99_ms{say}<50", &err);
    result_add_threshold(r, "lost{fanout}<1", &err);
    result_add_threshold(r, "error_rate{nosuch}<0.1", &err);
    RESULT_SET(r->meta.out_dir, dir);
    result_finish(r);
    buf_free(&err);
    return r;
}

/* Entries of dir other than . and .. */
static int entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d))) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* Files past `bytes` cannot be written (EFBIG, as a full disk gives ENOSPC): a real failing write(2)
 * without mounting anything. Only the soft limit moves, and unlimit_file_size puts it back before Check
 * itself writes its results. */
static struct rlimit saved_fsize;

static void limit_file_size(rlim_t bytes)
{
    struct rlimit rl;
    signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &saved_fsize), 0);
    rl.rlim_cur = bytes;
    rl.rlim_max = saved_fsize.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void unlimit_file_size(void)
{
    setrlimit(RLIMIT_FSIZE, &saved_fsize);
}

/* latency.<name>.hgrm per series, in the set: names made safe, collisions numbered, at most 64. */
START_TEST(series_files)
{
    result *r = sample_flow();
    buf err = BUF_INIT, out = BUF_INIT;
    ck_assert_msg(report_write_all(r, dir, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(entries(dir), 9);   /* the six files and three series .hgrm */
    char *say = slurp("latency.say.hgrm"), *fan = slurp("latency.fanout.hgrm"), *join = slurp("latency.join.hgrm");
    ck_assert_int_eq(report_hgrm_series(r, 1, &out), 0);
    ck_assert_str_eq(say, buf_cstr(&out));
    char tmp[400];
    snprintf(tmp, sizeof tmp, "Total count    = %12llu]", (unsigned long long)hist_count(r->stats->series[1].latency));
    ck_assert_ptr_nonnull(strstr(say, tmp));
    ck_assert_ptr_nonnull(strstr(fan, "Total count    =          891]"));
    ck_assert_ptr_nonnull(strstr(join, "Total count    =           10]"));
    ck_assert_int_eq(report_hgrm_series(r, 3, &out), -1);
    free(say); free(fan); free(join);
    /* the summary lists them */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    report_print_summary(f, r);
    fclose(f);
    snprintf(tmp, sizeof tmp, "Per series   %.60s/{latency.join.hgrm,latency.say.hgrm,latency.fanout.hgrm}\n", dir);
    ck_assert_msg(strstr(mem, tmp) != NULL, "%s", mem);
    free(mem);
    result_free(r);

    /* names that are not file names, and names that become the same one */
    r = result_new();
    const char *names[] = {"a b", "a_b", "a/b", "a_b-2", "../x", "r\xc3\xa9p", ".", "*"};
    const char *files[] = {"latency.a_b.hgrm", "latency.a_b-2.hgrm", "latency.a_b-3.hgrm", "latency.a_b-2-2.hgrm",
                           "latency..._x.hgrm", "latency.r__p.hgrm", "latency...hgrm", "latency._.hgrm"};
    for (int i = 0; i < 8; i++) ck_assert_int_eq(stats_series_add(r->stats, names[i], 0), i);
    RESULT_SET(r->meta.out_dir, dir);
    result_finish(r);
    for (int i = 0; i < 8; i++) ck_assert_str_eq(r->d.series[i].hgrm, files[i]);
    ck_assert_msg(report_write_all(r, dir, &err) == 0, "%s", buf_cstr(&err));
    for (int i = 0; i < 8; i++) { char *p = slurp(files[i]); ck_assert_ptr_nonnull(strstr(p, "Total count    =            0]")); free(p); }
    result_free(r);

    /* the bound: 64 series, 64 files, all in the set */
    char sub[300];
    snprintf(sub, sizeof sub, "%s/many", dir);
    r = result_new();
    for (int i = 0; i < STATS_MAX_SERIES + 3; i++) {
        char n[16];
        snprintf(n, sizeof n, "s%d", i);
        stats_series_add(r->stats, n, i % 2);
    }
    result_finish(r);
    ck_assert_uint_eq(r->d.nseries, STATS_MAX_SERIES);
    ck_assert_msg(report_write_all(r, sub, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(entries(sub), 6 + STATS_MAX_SERIES);
    result_free(r);
    buf_free(&out);
    buf_free(&err);
}
END_TEST

/* A series file that cannot take its place (a directory is in the way: rename fails) undoes the whole
 * set, the six already renamed included. */
START_TEST(series_files_all_or_nothing)
{
    result *r = sample_flow();
    buf err = BUF_INIT;
    char path[512];
    ck_assert_int_eq(report_prepare_dir(dir, &err), 0);
    snprintf(path, sizeof path, "%s/latency.fanout.hgrm", dir);
    ck_assert_int_eq(mkdir(path, 0777), 0);
    snprintf(path, sizeof path, "%s/latency.fanout.hgrm/keep", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(report_write_all(r, dir, &err), -1);
    ck_assert_msg(strstr(buf_cstr(&err), "latency.fanout.hgrm: rename failed"), "%s", buf_cstr(&err));
    ck_assert_int_eq(entries(dir), 1);          /* the directory in the way, nothing else */
    result_free(r);
    buf_free(&err);
}
END_TEST

START_TEST(series_in_every_report)
{
    result *r = sample_flow();
    buf out = BUF_INIT;
    /* junit: one case per series; say fails (4 failures), fanout fails (9 lost, 2 decrypt), join passes */
    ck_assert_int_eq(report_junit(r, &out), 0);
    const char *x = buf_cstr(&out);
    ck_assert_ptr_nonnull(strstr(x, "classname=\"siocrypt.series\" name=\"join\" time=\"0\"></testcase>"));
    ck_assert_ptr_nonnull(strstr(x, "classname=\"siocrypt.series\" name=\"say\" time=\"0\">\n      <failure "
                                    "type=\"series-failed\" message=\"4 of 100 failed: mismatch 2, timeout 2\">"));
    ck_assert_ptr_nonnull(strstr(x, "name=\"fanout\" time=\"0\">\n      <failure type=\"series-failed\" "
                                    "message=\"2 of 893 failed: decrypt 2; 9 of 900 expected deliveries lost\">"));
    ck_assert_ptr_nonnull(strstr(x, "message=\"no series &#39;nosuch&#39;, threshold error_rate{nosuch}&lt;0.1\""));
    ck_assert_int_eq(count_of(x, "classname=\"siocrypt.series\""), 3);
    int tests = count_of(x, "<testcase "), failures = count_of(x, "<failure ");
    char attr[64];
    snprintf(attr, sizeof attr, "tests=\"%d\" failures=\"%d\"", tests, failures);
    ck_assert_int_eq(count_of(x, attr), 2);
    /* a handler that lost nothing and failed nothing passes */
    result *clean = result_new();
    int h = stats_series_add(clean->stats, "pushed", 1);
    stats_series_expected(clean->stats, h, 2);
    for (int i = 0; i < 2; i++) { stats_series_sent(clean->stats, h); stats_series_ok(clean->stats, h, 1000); }
    result_finish(clean);
    buf_clear(&out);
    ck_assert_int_eq(report_junit(clean, &out), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "name=\"pushed\" time=\"0\"></testcase>"));
    stats_series_expected(clean->stats, h, 1);
    result_finish(clean);
    buf_clear(&out);
    ck_assert_int_eq(report_junit(clean, &out), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "type=\"series-lost\" message=\"1 of 3 expected deliveries lost\""));
    result_free(clean);

    /* summary.md: a row per series, the note of a threshold without its series */
    buf_clear(&out);
    ck_assert_int_eq(report_md(r, &out), 0);
    x = buf_cstr(&out);
    const result_series *say = &r->d.series[1];
    char row[256];
    snprintf(row, sizeof row, "| say | step | 100 | 96 | 4 | %.3f | %.3f | %.3f | - | - | mismatch 2, timeout 2 |",
             say->latency_ms.p50, say->latency_ms.p99, say->latency_ms.max);
    ck_assert_msg(strstr(x, row) != NULL, "%s", x);
    ck_assert_ptr_nonnull(strstr(x, "| fanout | on | 893 | 891 | 2 |"));
    ck_assert_ptr_nonnull(strstr(x, " | 900 | **9** | decrypt 2 |"));
    ck_assert_ptr_nonnull(strstr(x, "| `error_rate{nosuch}<0.1` | no series 'nosuch' | **FAIL** |"));
    ck_assert_ptr_nonnull(strstr(x, "| `p99_ms{say}<50` | "));

    /* the terminal summary */
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    report_print_summary(f, r);
    fclose(f);
    snprintf(row, sizeof row, "  say            step       100        96         4 %9.3f %9.3f %9.3f         -         -\n"
                              "                 failed: mismatch 2, timeout 2\n", say->latency_ms.p50, say->latency_ms.p99,
             say->latency_ms.max);
    ck_assert_msg(strstr(mem, row) != NULL, "%s", mem);
    ck_assert_ptr_nonnull(strstr(mem, "  Series         kind      sent        ok    failed    p50 ms"));
    ck_assert_ptr_nonnull(strstr(mem, "       900         9\n"));
    ck_assert_ptr_nonnull(strstr(mem, "FAIL error_rate{nosuch}<0.1 (no series 'nosuch')"));
    ck_assert_ptr_nonnull(strstr(mem, "FAIL lost{fanout}<1 (value 9)"));
    free(mem);

    /* html: a plot per series besides the four, and the table */
    buf_clear(&out);
    ck_assert_int_eq(report_html(r, &out), 0);
    x = buf_cstr(&out);
    ck_assert_int_eq(count_of(x, "<svg"), 4 + 3);
    ck_assert_ptr_nonnull(strstr(x, "Latency by percentile: say (step)"));
    ck_assert_ptr_nonnull(strstr(x, "Latency by percentile: fanout (on handler)"));
    ck_assert_ptr_nonnull(strstr(x, "<h2>Series</h2>"));
    ck_assert_ptr_nonnull(strstr(x, "no series &#39;nosuch&#39;"));
    ck_assert_ptr_null(strstr(x, "nan"));
    buf_free(&out);
    result_free(r);
}
END_TEST

START_TEST(write_all_or_nothing)
{
    /* the first files fit, a later one does not: none may be left, so no report.json says PASS beside a
     * missing report.html and the summary lists nothing that is not there */
    result *r = result_new();
    buf b = BUF_INIT, err = BUF_INIT;
    RESULT_SET(r->meta.out_dir, dir);
    result_finish(r);
    ck_assert_int_eq(report_json(r, &b), 0);
    size_t json = b.len;
    buf_clear(&b);
    ck_assert_int_eq(report_html(r, &b), 0);
    ck_assert_uint_gt(b.len, json);                 /* report.json (first) fits, report.html (last) does not */
    limit_file_size(json);
    int rc = report_write_all(r, dir, &err);
    unlimit_file_size();
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(buf_cstr(&err), "report.html") && strstr(buf_cstr(&err), "File too large"), "%s",
                  buf_cstr(&err));
    ck_assert_int_eq(entries(dir), 0);
    result_free(r);
    buf_free(&b);
    buf_free(&err);
}
END_TEST

START_TEST(save_fails_the_result)
{
    buf err = BUF_INIT;
    char *text = NULL;
    size_t len = 0;
    result *ok = result_new();                  /* a passing run */
    RESULT_SET(ok->meta.out_dir, dir);
    result_finish(ok);
    ck_assert_int_eq(result_exit_code(ok), 0);
    limit_file_size(16);
    int rc = report_save(ok, dir, &err);
    unlimit_file_size();
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(result_exit_code(ok), 1);
    ck_assert_uint_eq(ok->nfindings, 1);
    ck_assert_str_eq(ok->findings[0].id, "report-not-written");
    ck_assert_str_eq(ok->findings[0].severity, "high");
    ck_assert_str_eq(ok->findings[0].detail, buf_cstr(&err));
    FILE *f = open_memstream(&text, &len);
    report_print_summary(f, ok);
    fclose(f);
    ck_assert_ptr_null(strstr(text, "Reports"));
    ck_assert_ptr_null(strstr(text, "{report.json"));
    ck_assert_ptr_nonnull(strstr(text, "Result       FAIL"));
    ck_assert_ptr_nonnull(strstr(text, "report-not-written"));
    free(text);
    result_free(ok);
    buf_free(&err);
}
END_TEST

START_TEST(prepare_dir)
{
    buf err = BUF_INIT;
    char path[4200];
    /* usable: made with its parents, and the probe file is gone again */
    ck_assert_msg(report_prepare_dir(dir, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(entries(dir), 0);
    /* an existing file is not a folder (the run used to say PASS and list five files that did not exist) */
    snprintf(path, sizeof path, "%s/a-file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    ck_assert_int_eq(report_prepare_dir(path, &err), -1);
    ck_assert_str_eq(buf_cstr(&err) + strlen(path), ": not a directory");
    strcat(path, "/sub");
    ck_assert_int_eq(report_prepare_dir(path, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "cannot create directory: Not a directory"));
    /* too long, as a whole or in one component: refused before anything is made */
    memset(path, 'a', 1000);
    path[0] = '/';
    path[1000] = '\0';
    ck_assert_int_eq(report_prepare_dir(path, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "path too long (1000 bytes; at most 960)"));
    int n = snprintf(path, sizeof path, "%s/", dir);
    memset(path + n, 'b', 300);
    path[n + 300] = '\0';
    ck_assert_int_eq(report_prepare_dir(path, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "a path component is longer than 255 bytes"));
    ck_assert_int_eq(report_prepare_dir("", &err), -1);
    /* a folder where no file can be written (root ignores mode bits; a full disk or a read-only mount
     * behaves like this): refused, and the folder this call made is removed again */
    snprintf(path, sizeof path, "%s/unwritable", dir);
    limit_file_size(0);
    int rc = report_prepare_dir(path, &err);
    unlimit_file_size();
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(buf_cstr(&err), "cannot write a file there") != NULL, "%s", buf_cstr(&err));
    ck_assert_int_eq(access(path, F_OK), -1);
    buf_free(&err);
}
END_TEST

START_TEST(write_file_never_truncates_the_path)
{
    /* the path used to be cut at 4096 bytes by snprintf and the file written somewhere else */
    char longdir[5000];
    buf err = BUF_INIT, content = BUF_INIT;
    memset(longdir, 'c', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = '\0';
    buf_append_str(&content, "x");
    ck_assert_int_eq(report_write_file(longdir, "ramp.md", &content, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "path too long"));
    buf_free(&err);
    buf_free(&content);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, write_all_files);
    tcase_add_test(tc, hgrm_parses_back);
    tcase_add_test(tc, junit_cases);
    tcase_add_test(tc, html_self_contained);
    tcase_add_test(tc, markdown_and_summary);
    tcase_add_test(tc, empty_run);
    tcase_add_test(tc, write_all_or_nothing);
    tcase_add_test(tc, series_files);
    tcase_add_test(tc, series_files_all_or_nothing);
    tcase_add_test(tc, series_in_every_report);
    tcase_add_test(tc, save_fails_the_result);
    tcase_add_test(tc, html_timeline_grouped);
    tcase_add_test(tc, prepare_dir);
    tcase_add_test(tc, write_file_never_truncates_the_path);
    suite_add_tcase(s, tc);
    return check_run(s);
}
