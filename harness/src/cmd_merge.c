/* siocrypt merge: one report from the report.json files of several harness instances (e.g. one per pod).
 * Counts add exactly, histograms merge bucket by bucket, timelines line up on wall-clock seconds; the
 * first report's thresholds (plus any --threshold) are evaluated again on the merged result. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "text.h"
#include "report.h"
#include "result.h"

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
        "summary.md, junit.xml, latency.hgrm, report.html in DIR): exact counts, merged histograms,\n"
        "timelines aligned on wall-clock seconds. The first report's thresholds are evaluated again\n"
        "on the merged result.\n"
        "\n"
        "  -o, --out DIR          where to write the merged report (created if missing)\n"
        "  -t, --threshold EXPR   an extra threshold, e.g. 'p99_ms<50' (repeatable); metrics:\n"
        "                         %s\n"
        "  -q, --quiet            no summary on stdout\n"
        "  -h, --help             this text\n"
        "\n"
        "Exit: 0 every message verified, no errors, all thresholds passed; 1 otherwise; 2 bad usage or\n"
        "an unreadable or invalid report.\n", threshold_metric_list());
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
    const char *extra[64];
    int nextra = 0, quiet = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 't':
            if (nextra == (int)(sizeof extra / sizeof extra[0])) {
                text_fprintf(stderr, "siocrypt merge: too many --threshold options\n");
                return 2;
            }
            extra[nextra++] = optarg;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: return usage_error();
        }
    }
    if (!out || !*out) { text_fprintf(stderr, "siocrypt merge: --out DIR is required\n"); return usage_error(); }
    if (optind >= argc) { text_fprintf(stderr, "siocrypt merge: no REPORT.json given\n"); return usage_error(); }

    buf err = BUF_INIT;
    result *merged = NULL;
    int rc = 2;
    for (int i = optind; i < argc; i++) {
        result *r = result_load(argv[i], &err);
        if (!r) goto done;
        if (!merged) { merged = r; continue; }
        int m = result_merge(merged, r, &err);
        result_free(r);
        if (m < 0) goto done;
    }
    for (int i = 0; i < nextra; i++)
        if (result_add_threshold(merged, extra[i], &err) < 0) goto done;
    RESULT_SET(merged->meta.out_dir, out);
    result_finish(merged);
    if (report_write_all(merged, out, &err) < 0) goto done;
    if (!quiet) report_print_summary(stdout, merged);
    rc = result_exit_code(merged);
done:
    if (rc == 2) text_fprintf(stderr, "siocrypt merge: %s\n", buf_cstr(&err));
    result_free(merged);
    buf_free(&err);
    return rc;
}
