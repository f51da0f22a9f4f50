/* compare.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched): the verdict,
 * the rows, both round-trip latency-by-percentile curves on one plot (from the stored histograms, on a
 * shared percentile axis) and both timelines (round trips and p99 per second, each run from its own first
 * second). The plots are report.html's (report_chart). */
#include "report/compare.h"
#include "report/writers.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BASE_COLOR "#868e96"
#define CUR_COLOR "#1f6fb2"

static int dcmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The latency (ms) at x = log10(1/(1-p)) of h: NaN past its last sample (x beyond log10(count)). */
static double at_x(const hist *h, double x)
{
    uint64_t n = hist_count(h);
    if (!n || x > log10((double)n) + 1e-9) return NAN;
    if (x >= log10((double)n) - 1e-9) return (double)hist_max(h) / 1e6;
    return (double)hist_value_at_percentile(h, 100.0 * (1 - pow(10, -x))) / 1e6;
}

static void percentile_plot(buf *o, const hist *hb, const hist *hc)
{
    double top = log10(fmax(2, (double)(hist_count(hb) > hist_count(hc) ? hist_count(hb) : hist_count(hc))));
    size_t cap = (size_t)(top / 0.02) + 4, n = 0;
    double *x = malloc(cap * sizeof *x), *yb = malloc(cap * sizeof *yb), *yc = malloc(cap * sizeof *yc);
    if (x && yb && yc) {
        for (double v = 0; v < top && n + 2 < cap; v += 0.02) x[n++] = v;
        if (hist_count(hb)) x[n++] = log10((double)hist_count(hb));
        if (hist_count(hc)) x[n++] = log10((double)hist_count(hc));
        qsort(x, n, sizeof *x, dcmp);
        size_t k = 0;
        for (size_t i = 0; i < n; i++) if (!k || x[i] > x[k - 1] + 1e-9) x[k++] = x[i];
        n = k;
        for (size_t i = 0; i < n; i++) { yb[i] = at_x(hb, x[i]); yc[i] = at_x(hc, x[i]); }
        report_series s[2] = {{"baseline", BASE_COLOR, yb}, {"current", CUR_COLOR, yc}};
        report_chart(o, "Round-trip latency by percentile: baseline and current", "percentile (log scale of 1/(1-p))",
                     "latency (ms)", x, n, s, 2, 1);
    }
    free(x); free(yb); free(yc);
}

/* At most this many points per plot: long runs are drawn in groups of seconds (the mean of each group's
 * round trips per second, the highest of its p99), as report.html draws them. */
#define COMPARE_PLOT_POINTS 1000

static void timeline_plots(buf *o, const timeline *tb, const timeline *tc)
{
    size_t n = tb->n > tc->n ? tb->n : tc->n;
    size_t step = timeline_plot_step(n, COMPARE_PLOT_POINTS), pts = (n + step - 1) / step, m = pts ? pts : 1;
    double *x = calloc(m, sizeof *x), *rb = calloc(m, sizeof *rb), *rc = calloc(m, sizeof *rc),
           *pb = calloc(m, sizeof *pb), *pc = calloc(m, sizeof *pc);
    if (x && rb && rc && pb && pc) {
        const timeline *tl[2] = {tb, tc};
        double *rt[2] = {rb, rc}, *p99[2] = {pb, pc};
        for (size_t j = 0; j < pts; j++) {
            x[j] = (double)(j * step);
            for (int k = 0; k < 2; k++) {
                size_t from = j * step, to = from + step < tl[k]->n ? from + step : tl[k]->n;
                timeline_point pt = to > from ? timeline_group(tl[k], from, to) : (timeline_point){NAN, 0, NAN, NAN};
                rt[k][j] = pt.verified;
                p99[k][j] = pt.p99_ms;
            }
        }
        report_series a[2] = {{"baseline", BASE_COLOR, rb}, {"current", CUR_COLOR, rc}};
        report_chart(o, "Verified round trips per second", "seconds since each run's start", "per second", x, pts, a, 2, 0);
        report_series b[2] = {{"baseline p99", BASE_COLOR, pb}, {"current p99", CUR_COLOR, pc}};
        report_chart(o, "Round-trip p99 per second", "seconds since each run's start", "latency (ms)", x, pts, b, 2, 0);
    }
    free(x); free(rb); free(rc); free(pb); free(pc);
}

static const char CSS[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1040px;"
    "color:#222;padding:0 12px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}.sub{color:#555}.badge{display:inline-block;padding:2px 10px;"
    "border-radius:4px;color:#fff;font-weight:600;margin-left:8px;font-size:15px}.pass{background:#2b8a3e}"
    ".fail{background:#c92a2a}.none{background:#868e96}table{border-collapse:collapse;margin:6px 0}"
    "th,td{border:1px solid #ddd;padding:4px 10px;text-align:right}th{background:#f6f6f6}td.t,th.t{text-align:left}"
    "td.bad{color:#c92a2a;font-weight:600}td.ok{color:#2b8a3e}td.worse{color:#c2410c}td.better{color:#2b8a3e}"
    "td.note{color:#555;text-align:left;font-size:12px}figure{margin:14px 0}figcaption{font-weight:600;margin-bottom:4px}"
    "svg{max-width:100%;height:auto}svg text{font:12px system-ui,sans-serif;fill:#444}.yt{text-anchor:end}"
    ".xt,.xl{text-anchor:middle}.yl{text-anchor:middle}.lg{fill:#222}";

static const char *verdict_class(const compare_row *r)
{
    switch (r->verdict) {
    case CMP_REGRESSION: case CMP_MISSING: return "bad";
    case CMP_PASS: return "ok";
    case CMP_WORSE: return "worse";
    case CMP_BETTER: return "better";
    default: return "";
    }
}

static void side_row(buf *o, const char *label, const result *r, const char *path)
{
    buf_printf(o, "<tr><th class=\"t\">%s</th><td class=\"t\"><code>", label);
    report_xml_escape(o, path);
    buf_printf(o, "</code></td><td class=\"t\">");
    report_xml_escape(o, r->meta.scenario);
    buf_printf(o, "</td><td class=\"t\">");
    report_xml_escape(o, r->meta.transport);
    buf_printf(o, ", EIO %d</td><td>%d</td><td>%llu</td><td>%.1f</td></tr>\n", r->meta.eio, r->meta.clients,
               (unsigned long long)r->stats->verified, r->meta.duration_s);
}

static void rows_table(buf *o, const compare *c)
{
    char a[48], b[48], d[48];
    buf_printf(o, "<table><tr><th class=\"t\">metric</th><th>baseline</th><th>current</th><th>change</th>"
                  "<th class=\"t\">allowed</th><th class=\"t\">verdict</th><th class=\"t\">note</th></tr>\n");
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < c->nrows; i++) {
            const compare_row *r = &c->rows[i];
            if (r->gated != !pass || (!r->gated && isnan(r->base) && isnan(r->cur))) continue;
            buf_printf(o, "<tr><td class=\"t\"><code>");
            report_xml_escape(o, r->metric);
            buf_printf(o, "</code></td><td>%s</td><td>%s</td><td>%s%s</td><td class=\"t\">",
                       isnan(r->base) ? "-" : (snprintf(a, sizeof a, "%.4g", r->base), a),
                       isnan(r->cur) ? "-" : (snprintf(b, sizeof b, "%.4g", r->cur), b),
                       isnan(r->delta) ? "" : r->delta > 0 ? "&uarr; " : r->delta < 0 ? "&darr; " : "",
                       compare_change_str(r, d, sizeof d));
            for (size_t g = 0; g < c->ngates; g++)
                if (c->gates[g].row == (int)i) {
                    report_xml_escape(o, c->gates[g].expr);
                    buf_printf(o, " ");
                }
            buf_printf(o, "</td><td class=\"t %s\">%s</td><td class=\"note\">", verdict_class(r),
                       compare_verdict_str(r->verdict));
            report_xml_escape(o, r->note);
            buf_printf(o, "</td></tr>\n");
        }
    }
    buf_printf(o, "</table>\n");
}

int compare_html(const compare *c, buf *o)
{
    const char *badge = c->regressions ? "fail" : c->ngates ? "pass" : "none";
    buf_printf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>siocrypt compare: ");
    report_xml_escape(o, c->cur->meta.scenario);
    buf_printf(o, "</title><style>%s</style></head><body>\n<h1>siocrypt compare: ", CSS);
    report_xml_escape(o, c->cur->meta.scenario);
    buf_printf(o, "<span class=\"badge %s\">%s</span></h1>\n<div class=\"sub\">", badge,
               c->regressions ? "REGRESSION" : c->ngates ? "PASS" : "NO GATES");
    if (c->ngates) buf_printf(o, "%zu of %zu gates failed", c->regressions, c->ngates);
    else buf_printf(o, "no --max-regress: every metric is shown, none gates");
    if (c->forced && c->differs[0]) {
        buf_printf(o, " &middot; <b>compared with --force although they differ:</b> ");
        report_xml_escape(o, c->differs);
    }
    if (c->notes[0]) {
        buf_printf(o, " &middot; also different: ");
        report_xml_escape(o, c->notes);
    }
    buf_printf(o, "</div>\n<table><tr><th class=\"t\"></th><th class=\"t\">report</th><th class=\"t\">scenario</th>"
                  "<th class=\"t\">transport</th><th>clients</th><th>verified</th><th>duration (s)</th></tr>\n");
    side_row(o, "baseline", c->base, c->base_path);
    side_row(o, "current", c->cur, c->cur_path);
    buf_printf(o, "</table>\n<h2>Metrics</h2>\n");
    rows_table(o, c);
    buf_printf(o, "<h2>Latency</h2>\n");
    percentile_plot(o, c->base->stats->rtt, c->cur->stats->rtt);
    buf_printf(o, "<h2>Over time</h2>\n");
    timeline_plots(o, &c->base->stats->tl, &c->cur->stats->tl);
    return buf_printf(o, "</body></html>\n") < 0 ? -1 : 0;
}
