/* latency.hgrm: the round-trip histogram (and latency.<name>.hgrm: a series' latency) in the exact text of HdrHistogram's
 * outputPercentileDistribution(out, 5, 1e6): ns values scaled to ms, 5 percentile ticks per half
 * distance, the four-column header, one line per step (the 100% line has no 1/(1-Percentile)), and the
 * #[Mean / #[Max / #[Buckets footer. Values print with 3 decimals (1 us), as a 3-digit HdrHistogram would,
 * so sub-millisecond loopback latencies keep their resolution; Buckets/SubBuckets describe our layout. */
#include "report/writers.h"

static int hgrm_of(const hist *h, buf *out)
{
    const double scale = 1e6;
    int rc = 0;
    rc |= buf_printf(out, "%12s %14s %10s %14s\n\n", "Value", "Percentile", "TotalCount", "1/(1-Percentile)");
    hist_piter it;
    hist_piter_init(&it, h, 5);
    while (hist_piter_next(&it)) {
        double v = (double)it.value / scale, p = it.percentile / 100.0;
        if (!it.last)
            rc |= buf_printf(out, "%12.3f %2.12f %10llu %14.2f\n", v, p, (unsigned long long)it.total_count, 1.0 / (1.0 - p));
        else
            rc |= buf_printf(out, "%12.3f %2.12f %10llu\n", v, p, (unsigned long long)it.total_count);
    }
    rc |= buf_printf(out, "#[Mean    = %12.3f, StdDeviation   = %12.3f]\n", hist_mean(h) / scale, hist_stddev(h) / scale);
    rc |= buf_printf(out, "#[Max     = %12.3f, Total count    = %12llu]\n", (double)hist_max(h) / scale,
                     (unsigned long long)hist_count(h));
    rc |= buf_printf(out, "#[Buckets = %12d, SubBuckets     = %12d]\n", hist_hdr_bucket_count(h), hist_hdr_sub_bucket_count(h));
    return rc ? -1 : 0;
}

int report_hgrm(const result *r, buf *out) { return hgrm_of(r->stats->rtt, out); }

int report_hgrm_series(const result *r, size_t i, buf *out)
{
    return i < r->d.nseries ? hgrm_of(r->d.series[i].s->latency, out) : -1;
}
