/* report: the six output files of a run or a merge, all rendered from one finished result
 * (result_finish), plus the short summary a run prints on stdout. The writers only format: every figure
 * comes from r->d, r->stats or the histograms' own iteration, so two files never disagree.
 *
 *   report.json   everything (result_to_json): counts, derived figures, histograms, timeline
 *   summary.md    the table a person pastes into a PR
 *   junit.xml     one testcase per threshold, per error class, per finding, plus delivery and connections
 *   latency.hgrm  HdrHistogram's outputPercentileDistribution text of the round trips, in ms
 *   latency.hlog  HdrHistogram interval log: a V2 compressed histogram of the round trips per second
 *   report.html   one self-contained page: inline SVG plots and the tables, no scripts
 *   latency.<name>.hgrm  per series of a flow (result_series.hgrm names it), at most STATS_MAX_SERIES;
 *                 written in the same set as the six */
#ifndef SIOCRYPT_REPORT_H
#define SIOCRYPT_REPORT_H
#include <stdio.h>
#include "base/buf.h"
#include "report/result.h"

/* Before a run: dir is usable for reports (at most 960 bytes, room for step-NN-Mc/ and temporary names;
 * created with its parents, a directory, and a file can really be written there, which for root is the
 * only test of a read-only mount or a full disk). 0, or -1 with the reason in err; then nothing of dir is
 * left that this call made. */
int  report_prepare_dir(const char *dir, buf *err);
/* mkdir -p dir, then write the six files and the series' .hgrm files as a set: each through a temporary
 * file (written completely, fsync'd, closed), and renamed into place only when all are; on any failure none
 * is left. 0, or
 * -1 with the failing path and reason in err. */
int  report_write_all(const result *r, const char *dir, buf *err);
/* The same all-or-none for any set of n rendered files (e.g. `siocrypt compare`'s): mkdir -p dir, each
 * written to a temporary and fsync'd, then all renamed into place; on any failure none is left. */
int  report_write_set(const char *dir, const char *const *names, const buf *contents, size_t n, buf *err);
/* report_write_all, and when it fails, a high finding "report-not-written" with the reason in r (which
 * is finished again, so it fails) and no out_dir, so the summary lists no report files. */
int  report_save(result *r, const char *dir, buf *err);
/* One file dir/name through a temporary file and rename(2) (dir must exist). 0, or -1 with the reason. */
int  report_write_file(const char *dir, const char *name, const buf *content, buf *err);
/* wrk-style text: connections, round trips, throughput, latency table, series, encryption, errors, CPU,
 * thresholds, findings, and r->meta.out_dir when set; written as clean text (text.h), for terminals. */
void report_print_summary(FILE *f, const result *r);

#endif
