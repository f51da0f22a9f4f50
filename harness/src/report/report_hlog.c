/* latency.hlog: the round trips of every second of the timeline as HdrHistogram's interval log, for
 * HistogramLogAnalyzer, HistogramLogProcessor and the jHiccup tools.
 *
 * Values are NANOSECONDS (integers, as the Java tools expect; HistogramLogProcessor's default
 * -outputValueUnitRatio 1e6 prints them as ms) and Interval_Max is in ms, as HistogramLogWriter writes it.
 * The per-second data is the timeline's coarse histogram (TIMELINE_SUB_BITS: 32 sub-buckets, ~3%); no
 * HdrHistogram has that layout, so each coarse bucket's count goes into the bucket of a 2-digit
 * (HIST_SUB_BITS) HdrHistogram that holds the coarse bucket's highest value. The fine buckets nest in the
 * coarse ones, so nothing is merged or split: the Java reader's percentiles and max are the coarse
 * buckets' highest equivalent values, at most 1/32 above the exact ones in report.json.
 * StartTime and BaseTime are the first whole second of the run (or of the timeline, if earlier); each
 * line is one wall-clock second, seconds without round trips included (empty histograms). */
#include "report/writers.h"
#include "report/hlog.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hlog_second(buf *out, const timeline_sec *s, double start, uint64_t *counts, int ncounts)
{
    const hlog_layout l = {hlog_digits_for_sub_bits(HIST_SUB_BITS), HIST_LOWEST, HIST_HIGHEST};
    int top = -1;
    int64_t max = 0;
    memset(counts, 0, (size_t)ncounts * sizeof counts[0]);
    for (uint32_t k = 0; k < s->nb; k++) {
        int64_t hi = hist_highest_equiv(TIMELINE_SUB_BITS, (int)s->b[k].idx);
        if (hi > HIST_HIGHEST) hi = HIST_HIGHEST;
        int f = hist_index_for(HIST_SUB_BITS, hi);
        if (f < 0 || f >= ncounts) continue;
        counts[f] += s->b[k].count;
        if (f > top) { top = f; max = hist_highest_equiv(HIST_SUB_BITS, f); }
    }
    buf b64 = BUF_INIT;
    int rc = hlog_encode_b64(&b64, &l, counts, (size_t)(top + 1));
    if (rc == 0) rc = hlog_interval(out, start, 1.0, (double)max / 1e6, buf_cstr(&b64));
    buf_free(&b64);
    return rc;
}

int report_hlog(const result *r, buf *out)
{
    const timeline *tl = &r->stats->tl;
    char comment[160];
    snprintf(comment, sizeof comment, "Logged with siocrypt %s: round-trip latency in nanoseconds, "
             "Interval_Max in milliseconds (max value unit ratio 1000000.0)", r->meta.version);
    double base = tl->n ? (double)tl->first : 0;      /* a report read back may have no start time */
    if (r->meta.start_wall_ns > 0) {
        double start = floor((double)r->meta.start_wall_ns / 1e9);
        if (!tl->n || start < base) base = start;
    }
    if (hlog_header(out, comment, base) < 0) return -1;
    int ncounts = hist_index_for(HIST_SUB_BITS, HIST_HIGHEST) + 1;
    uint64_t *counts = malloc((size_t)ncounts * sizeof *counts);
    if (!counts) return -1;
    int rc = 0;
    for (size_t i = 0; i < tl->n && rc == 0; i++)
        rc = hlog_second(out, &tl->secs[i], (double)tl->first + (double)i - base, counts, ncounts);
    free(counts);
    return rc;
}
