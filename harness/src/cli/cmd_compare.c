/* siocrypt compare BASELINE.json CURRENT.json: a regression gate against a baseline report. Every metric
 * side by side (report/compare.h); only those named by --max-regress gate. Reports of another scenario,
 * protocol or transport are refused (exit 2, naming what differs) unless --force. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cmd.h"
#include "base/fileio.h"
#include "base/text.h"
#include "report/compare.h"
#include "report/report.h"
#include "report/result.h"

#define COMPARE_USAGE "usage: siocrypt compare [--max-regress METRIC=LIMIT]... [--out DIR] [--force] BASELINE.json CURRENT.json\n"

static int usage_error(void)
{
    text_fprintf(stderr, COMPARE_USAGE "(siocrypt compare --help for more)\n");
    return 2;
}

static void usage(FILE *f)
{
    fprintf(f,
        COMPARE_USAGE
        "\n"
        "Compare a run's report.json with a baseline's, metric by metric: both values, the change, a verdict.\n"
        "Latency comes from the stored histograms: a difference within their precision or within the run's\n"
        "noise (the 95%% intervals of the percentile overlap) is said so and never gates.\n"
        "\n"
        "  -r, --max-regress METRIC=LIMIT  a gate (repeatable). LIMIT: [+|-]N%% of the baseline, or [+|-]N in\n"
        "                         the metric's unit (p99_ms=+5ms, errors=0). No sign: the metric's bad\n"
        "                         direction (up; down for round_trips_per_s and offered_per_s); + or - checks\n"
        "                         that direction explicitly. Fails when the change is larger than LIMIT.\n"
        "                         Metrics: %s\n"
        "                         None given: the gates of the current run's scenario (its \"compare\"\n"
        "                         field, kept in report.json), if any.\n"
        "  -o, --out DIR          write compare.md, compare.json, junit.xml, compare.html there (as a set)\n"
        "  -f, --force            compare reports of another scenario, protocol or transport anyway\n"
        "  -q, --quiet            no table on stdout\n"
        "  -h, --help             this text\n"
        "\n"
        "Exit: 0 every gate within its limit (or no gates); 1 a regression, a gated metric missing from a\n"
        "report, or files that could not be written; 2 bad usage, an unreadable or invalid report (read up to\n"
        "64 MiB), reports that cannot be compared (without --force), or an --out that cannot take the files.\n",
        compare_metric_list());
}

/* A report and its JSON (kept for what result.h does not read, e.g. the flow series). */
static result *load(const char *path, cJSON **json, buf *err)
{
    buf text = BUF_INIT;
    *json = NULL;
    if (fileio_read(path, FILEIO_MAX_REPORT, &text, err) < 0) { buf_free(&text); return NULL; }
    *json = cJSON_ParseWithLength(buf_cstr(&text), text.len);
    buf_free(&text);
    if (!*json) { buf_fail(err, "%s: not valid JSON", path); return NULL; }
    return result_from_json(*json, path, err);
}

static int holds_report(const char *dir)
{
    char path[4096];
    struct stat st;
    return snprintf(path, sizeof path, "%s/report.json", dir) < (int)sizeof path && stat(path, &st) == 0;
}

typedef struct compare_opts {
    compare_gate gates[COMPARE_MAX_GATES];
    size_t ngates;
    const char *out;
    int force, quiet;
} compare_opts;

/* What parse found (not exit codes: cmd_compare turns them into those). */
enum parse_outcome { PARSE_GO, PARSE_HELP, PARSE_BAD, PARSE_BAD_OPTION };

/* PARSE_BAD with the reason in err; PARSE_BAD_OPTION when getopt has said it already. */
static enum parse_outcome parse(int argc, char **argv, compare_opts *o, buf *err)
{
    static const struct option opts[] = {
        {"max-regress", required_argument, NULL, 'r'}, {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:o:fqh", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (o->ngates == COMPARE_MAX_GATES) { buf_fail(err, "at most %d --max-regress", COMPARE_MAX_GATES); return PARSE_BAD; }
            if (compare_gate_parse(optarg, &o->gates[o->ngates], err) < 0) {
                buf what = BUF_INIT;
                buf_printf(&what, "--max-regress '%s': %s", optarg, buf_cstr(err));
                buf_fail(err, "%s", buf_cstr(&what));
                buf_free(&what);
                return PARSE_BAD;
            }
            o->ngates++;
            break;
        case 'o': o->out = optarg; break;
        case 'f': o->force = 1; break;
        case 'q': o->quiet = 1; break;
        case 'h': usage(stdout); return PARSE_HELP;
        default: return PARSE_BAD_OPTION;
        }
    }
    if (argc - optind != 2) { buf_fail(err, "two reports are needed, BASELINE.json and CURRENT.json"); return PARSE_BAD; }
    if (o->out && !*o->out) { buf_fail(err, "--out: empty path"); return PARSE_BAD; }
    return PARSE_GO;
}

int cmd_compare(int argc, char **argv)
{
    static compare_opts o;   /* the gates are 24 KiB: not on the stack */
    buf err = BUF_INIT;
    cJSON *jb = NULL, *jc = NULL;
    result *rb = NULL, *rc = NULL;
    compare *c = NULL;
    int rc_exit = 2;
    memset(&o, 0, sizeof o);
    enum parse_outcome p = parse(argc, argv, &o, &err);
    if (p == PARSE_HELP) { rc_exit = 0; goto done; }
    if (p == PARSE_BAD_OPTION) { rc_exit = usage_error(); goto done; }
    if (p == PARSE_BAD) goto fail;
    const char *bpath = argv[optind], *cpath = argv[optind + 1];
    if (!(rb = load(bpath, &jb, &err)) || !(rc = load(cpath, &jc, &err))) goto fail;
    if (!(c = compare_new(rb, jb, bpath, rc, jc, cpath))) { buf_fail(&err, "out of memory"); goto fail; }
    if (compare_check(c) < 0) {
        if (!o.force) { buf_fail(&err, "the reports differ in %s (--force compares them anyway)", c->differs); goto fail; }
        c->forced = 1;
        text_fprintf(stderr, "siocrypt compare: warning: comparing anyway (--force): %s\n", c->differs);
    }
    /* no --max-regress: the gates the current run's scenario named (report.json "compare"), if any */
    for (size_t i = 0; !o.ngates && i < rc->ncompare; i++) {
        if (compare_gate_parse(rc->compare[i], &o.gates[i], &err) < 0) {
            buf what = BUF_INIT;
            buf_printf(&what, "%s: compare[%zu] '%s': %s", cpath, i, rc->compare[i], buf_cstr(&err));
            buf_fail(&err, "%s", buf_cstr(&what));
            buf_free(&what);
            goto fail;
        }
        if (i + 1 == rc->ncompare) o.ngates = rc->ncompare;
    }
    if (compare_evaluate(c, o.gates, o.ngates, &err) < 0) goto fail;
    /* a folder that cannot take the files is known before anything is written: a usage error; so is a run's
     * report folder, whose junit.xml the comparison's would replace */
    if (o.out && holds_report(o.out)) {
        buf_fail(&err, "--out %s holds a run's report.json: compare's junit.xml would replace the run's (choose another folder)", o.out);
        goto fail;
    }
    if (o.out && report_prepare_dir(o.out, &err) < 0) goto fail;
    if (!o.quiet) compare_print(stdout, c);
    rc_exit = c->exit_code;
    /* files that cannot be written fail the comparison, as a report that cannot be written fails a run */
    if (o.out && compare_write_all(c, o.out, &err) < 0) {
        text_fprintf(stderr, "siocrypt compare: writing %s: %s\n", o.out, buf_cstr(&err));
        rc_exit = 1;
    } else if (o.out && !o.quiet) {
        text_fprintf(stdout, "  Files: %s/{compare.md,compare.json,junit.xml,compare.html}\n", o.out);
    }
    goto done;
fail:
    text_fprintf(stderr, "siocrypt compare: %s\n", buf_cstr(&err));
    rc_exit = 2;
done:
    compare_free(c);
    result_free(rb);
    result_free(rc);
    cJSON_Delete(jb);
    cJSON_Delete(jc);
    buf_free(&err);
    return rc_exit;
}
