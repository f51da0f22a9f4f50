/* siocrypt merge: one report from the report.json files of several harness instances (e.g. one per pod).
 * Counts add exactly, histograms merge bucket by bucket, timelines line up on wall-clock seconds; the
 * first report's thresholds (plus any --threshold) are evaluated again on the merged result. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cli/cmd.h"
#include "base/text.h"
#include "report/report.h"
#include "report/result.h"

#define MERGE_USAGE "usage: siocrypt merge --out DIR [--threshold EXPR]... REPORT.json...\n"

static int usage_error(void)
{
    text_fprintf(stderr, MERGE_USAGE "(siocrypt merge --help for more)\n");
    return 2;
}

static void usage(FILE *f)
{
    fprintf(f,
        MERGE_USAGE
        "\n"
        "Merge the report.json files of several siocrypt instances into one report (report.json,\n"
        "summary.md, junit.xml, latency.hgrm, latency.hlog, report.html in DIR): exact counts, merged\n"
        "histograms, timelines aligned on wall-clock seconds. The first report's thresholds are\n"
        "evaluated again on the merged result.\n"
        "\n"
        "  -o, --out DIR          where to write the merged report (created if missing)\n"
        "  -t, --threshold EXPR   an extra threshold, e.g. 'p99_ms<50' (repeatable); metrics:\n"
        "                         %s\n"
        "  -q, --quiet            no summary on stdout\n"
        "  -h, --help             this text\n"
        "\n"
        "Exit: 0 every message verified, no errors, all thresholds passed; 1 otherwise (also when the\n"
        "merged reports could not be written); 2 bad usage, an unreadable or invalid report (each is read\n"
        "up to 64 MiB), or an --out that cannot take the reports.\n", threshold_metric_list());
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"threshold", required_argument, NULL, 't'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *out = NULL;
    int quiet = 0, c;
    buf err = BUF_INIT;
    result *merged = NULL, *extra = result_new();   /* extra: the --threshold list, parsed as it comes */
    int rc = 2;
    if (!extra) { fprintf(stderr, "siocrypt merge: out of memory\n"); return 2; }
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't':
            if (result_add_threshold(extra, optarg, &err) < 0) {
                buf what = BUF_INIT;
                buf_printf(&what, "--threshold '%s': %s", optarg, buf_cstr(&err));
                buf_fail(&err, "%s", buf_cstr(&what));
                buf_free(&what);
                goto done;
            }
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); rc = 0; goto quiet_done;
        default: rc = usage_error(); goto quiet_done;
        }
    }
    if (!out || !*out) { text_fprintf(stderr, "siocrypt merge: --out DIR is required\n"); rc = usage_error(); goto quiet_done; }
    if (optind >= argc) { text_fprintf(stderr, "siocrypt merge: no REPORT.json given\n"); rc = usage_error(); goto quiet_done; }
    for (int i = optind; i < argc; i++) {
        result *r = result_load(argv[i], &err);
        if (!r) goto done;
        if (!merged) { merged = r; continue; }
        int m = result_merge(merged, r, &err);
        result_free(r);
        if (m < 0) goto done;
    }
    /* a folder that cannot take the reports is a usage error, found before anything is written; checked
     * after the inputs, so a bad input leaves no folder behind */
    if (report_prepare_dir(out, &err) < 0) goto done;
    for (size_t i = 0; i < extra->nthresholds; i++)
        if (result_add_threshold(merged, extra->thresholds[i].expr, &err) < 0) goto done;
    RESULT_SET(merged->meta.out_dir, out);
    result_finish(merged);
    /* after the merge a report that cannot be written fails it (exit 1), with the reason */
    if (report_save(merged, out, &err) < 0) fprintf(stderr, "siocrypt merge: writing reports: %s\n", buf_cstr(&err));
    if (!quiet) report_print_summary(stdout, merged);
    rc = result_exit_code(merged);
done:
    if (rc == 2) text_fprintf(stderr, "siocrypt merge: %s\n", buf_cstr(&err));
quiet_done:
    result_free(merged);
    result_free(extra);
    buf_free(&err);
    return rc;
}
