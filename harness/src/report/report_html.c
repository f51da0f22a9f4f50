/* report.html: one self-contained page (inline CSS and SVG, no scripts, nothing fetched): the verdict,
 * key figures, plots of the latency percentile distribution (x: 1/(1-p) on a log scale, as HdrHistogram's
 * plotter draws it), round trips per second, p50/p99 per second and connections open per second, then
 * the tables, and for a flow a table and a percentile plot per series. Plot points come from the same percentile iteration as latency.hgrm and from the timeline. */
#include "report/writers.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W 1000
#define H 280
#define ML 70
#define MR 40
#define MT 30
#define MB 44

typedef report_series series;

static double nice_step(double range, int target)
{
    if (!(range > 0)) return 1;
    double raw = range / target, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void fmt_tick(char *t, size_t cap, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6) dec = 6;
    snprintf(t, cap, "%.*f", dec, v);
}

static const char *pct_label(int decade, char *t, size_t cap)
{
    /* decade k of 1/(1-p) = 10^k is the percentile 100 * (1 - 10^-k) */
    if (decade == 0) snprintf(t, cap, "0%%");
    else {
        snprintf(t, cap, "%.*f", decade > 2 ? decade - 2 : 0, 100.0 * (1 - pow(10, -decade)));
        strncat(t, "%", cap - strlen(t) - 1);
    }
    return t;
}

/* A line chart. x must be increasing; NaN y values break the line. pct_axis: x is log10(1/(1-p)). */
static void chart(buf *o, const char *title, const char *xlabel, const char *ylabel, const double *x, size_t n,
                  const series *s, size_t ns, int pct_axis)
{
    double xmin = n ? x[0] : 0, xmax = n ? x[n - 1] : 1, ymax = 0;
    for (size_t k = 0; k < ns; k++)
        for (size_t i = 0; i < n; i++)
            if (isfinite(s[k].y[i]) && s[k].y[i] > ymax) ymax = s[k].y[i];
    if (pct_axis) { xmin = 0; xmax = ceil(xmax); if (xmax < 2) xmax = 2; }
    if (xmax <= xmin) xmax = xmin + 1;
    double ystep = nice_step(ymax > 0 ? ymax : 1, 5);
    double ytop = ceil((ymax > 0 ? ymax * 1.06 : 1) / ystep) * ystep;   /* headroom above the top value */
    const double pw = W - ML - MR, ph = H - MT - MB;
#define PX(v) (ML + ((v) - xmin) / (xmax - xmin) * pw)
#define PY(v) (MT + ph - (v) / ytop * ph)
    char t[48];
    buf_printf(o, "<figure><figcaption>");
    report_xml_escape(o, title);
    buf_printf(o, "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                  "height=\"%d\" role=\"img\">\n", W, H, W, H);
    buf_printf(o, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#ccc\"/>\n", ML, MT, pw, ph);
    for (double v = 0; v <= ytop + ystep / 2; v += ystep) {
        fmt_tick(t, sizeof t, v, ystep);
        buf_printf(o, "<line x1=\"%d\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                      "<text x=\"%d\" y=\"%.1f\" class=\"yt\">%s</text>\n", ML, ML + pw, PY(v), PY(v), ML - 6, PY(v) + 4, t);
    }
    if (pct_axis) {
        for (int k = 0; k <= (int)xmax; k++)
            buf_printf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"xt\">%s</text>\n", PX(k), PX(k), MT, MT + ph, PX(k),
                       MT + ph + 16, pct_label(k, t, sizeof t));
    } else {
        double xstep = nice_step(xmax - xmin, 10);
        for (double v = ceil(xmin / xstep) * xstep; v <= xmax + xstep / 1000; v += xstep) {
            fmt_tick(t, sizeof t, v, xstep);
            buf_printf(o, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" class=\"xt\">%s</text>\n", PX(v), PX(v), MT, MT + ph, PX(v),
                       MT + ph + 16, t);
        }
    }
    buf_printf(o, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">", ML + pw / 2, H - 6);
    report_xml_escape(o, xlabel);
    buf_printf(o, "</text><text x=\"14\" y=\"%.1f\" class=\"yl\" transform=\"rotate(-90 14 %.1f)\">", MT + ph / 2, MT + ph / 2);
    report_xml_escape(o, ylabel);
    buf_printf(o, "</text>\n");
    double legend_x = ML;
    for (size_t k = 0; k < ns; k++) {
        buf_printf(o, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" d=\"", s[k].color);
        int pen = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(s[k].y[i]) || !isfinite(x[i])) { pen = 0; continue; }
            buf_printf(o, "%c%.1f %.1f ", pen ? 'L' : 'M', PX(x[i]), PY(s[k].y[i]));
            pen = 1;
        }
        buf_printf(o, "\"/>\n");
        if (n == 1 && isfinite(s[k].y[0]))
            buf_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(x[0]), PY(s[k].y[0]), s[k].color);
        /* the legend sits in the top margin, entries side by side */
        buf_printf(o, "<rect x=\"%.0f\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/><text x=\"%.0f\" y=\"%d\" "
                      "class=\"lg\">", legend_x, MT - 14, s[k].color, legend_x + 20, MT - 9);
        report_xml_escape(o, s[k].name);
        legend_x += 40 + 7.0 * (double)strlen(s[k].name);
        buf_printf(o, "</text>\n");
    }
    if (!n) buf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"xl\">no data</text>\n", ML + pw / 2, MT + ph / 2);
    buf_printf(o, "</svg></figure>\n");
#undef PX
#undef PY
}

static void percentile_chart(buf *o, const hist *h, const char *title, const char *legend, const char *color)
{
    size_t cap = 256, n = 0;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    hist_piter it;
    hist_piter_init(&it, h, 5);
    while (x && y && hist_piter_next(&it)) {
        if (it.last) break;                      /* 1/(1-1) is infinite: the last step is drawn below */
        if (n == cap) {
            cap *= 2;
            double *nx = realloc(x, cap * sizeof *x), *ny = realloc(y, cap * sizeof *y);
            if (nx) x = nx;
            if (ny) y = ny;
            if (!nx || !ny) break;
        }
        x[n] = log10(1.0 / (1.0 - it.percentile / 100.0));
        y[n] = (double)it.value / 1e6;
        n++;
    }
    if (x && y && n && n < cap) {   /* the max, at the rank of the last sample: 1/(1-p) = count */
        x[n] = fmax(x[n - 1], log10((double)hist_count(h)));
        y[n] = (double)hist_max(h) / 1e6;
        n++;
    }
    series s = {legend, color, y};
    chart(o, title, "percentile (log scale of 1/(1-p))", "latency (ms)", x, x && y ? n : 0, &s, 1, 1);
    free(x);
    free(y);
}

/* At most this many points per timeline plot: a long run (or a report read back that spans days) is drawn
 * in groups of seconds, each the mean of its per-second counts, the highest of its p50 / p99 and the
 * connections open at its end, so the page stays small whatever the run's length. */
#define TIMELINE_PLOT_POINTS 1000

static void timeline_charts(buf *o, const timeline *tl)
{
    size_t n = tl->n, step = timeline_plot_step(n, TIMELINE_PLOT_POINTS), m = (n + step - 1) / step;
    double *x = calloc(m ? m : 1, sizeof *x), *rt = calloc(m ? m : 1, sizeof *rt),
           *p50 = calloc(m ? m : 1, sizeof *p50), *p99 = calloc(m ? m : 1, sizeof *p99),
           *open = calloc(m ? m : 1, sizeof *open), *err = calloc(m ? m : 1, sizeof *err);
    int64_t *conns = calloc(n ? n : 1, sizeof *conns);
    if (x && rt && p50 && p99 && open && err && conns) {
        timeline_conns_open(tl, conns);
        for (size_t j = 0; j < m; j++) {
            size_t from = j * step, to = from + step < n ? from + step : n;
            timeline_point pt = timeline_group(tl, from, to);
            x[j] = (double)from;
            rt[j] = pt.verified;
            err[j] = pt.errors;
            p50[j] = pt.p50_ms;
            p99[j] = pt.p99_ms;
            open[j] = (double)conns[to - 1];
        }
        series a[2] = {{"verified round trips", "#2b8a3e", rt}, {"errors", "#c92a2a", err}};
        chart(o, "Round trips per second", "seconds since start", "per second", x, m, a, 2, 0);
        series b[2] = {{"p99", "#c2410c", p99}, {"p50", "#1f6fb2", p50}};
        chart(o, "Round-trip latency per second (p50, p99)", "seconds since start", "latency (ms)", x, m, b, 2, 0);
        series c = {"connections open", "#6741d9", open};
        chart(o, "Connections open", "seconds since start", "connections", x, m, &c, 1, 0);
    }
    free(x); free(rt); free(p50); free(p99); free(open); free(err); free(conns);
}

static void td(buf *o, const char *s) { buf_printf(o, "<td class=\"t\">"); report_xml_escape(o, s); buf_printf(o, "</td>"); }

static void dist_row(buf *o, const char *name, const result_dist *x)
{
    buf_printf(o, "<tr><th>%s</th>", name);
    if (!x->count) buf_printf(o, "<td colspan=\"8\" class=\"na\">no samples</td></tr>\n");
    else buf_printf(o, "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td>"
                       "<td>%llu</td></tr>\n", x->min, x->p50, x->p90, x->p99, x->p999, x->max, x->mean,
                    (unsigned long long)x->count);
}

static void card(buf *o, const char *label, const char *value)
{
    buf_printf(o, "<div class=\"card\"><div class=\"v\">");
    report_xml_escape(o, value);
    buf_printf(o, "</div><div class=\"l\">%s</div></div>\n", label);
}

static const char CSS[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1040px;"
    "color:#222;padding:0 12px}h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;"
    "border-bottom:1px solid #ddd;padding-bottom:4px}.sub{color:#555}.badge{display:inline-block;padding:2px 10px;"
    "border-radius:4px;color:#fff;font-weight:600;margin-left:8px;font-size:15px}.pass{background:#2b8a3e}"
    ".fail{background:#c92a2a}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}.card{border:1px solid #ddd;"
    "border-radius:6px;padding:8px 14px;min-width:130px}.card .v{font-size:20px;font-weight:600}.card .l{color:#666;"
    "font-size:12px}table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:4px 10px;"
    "text-align:right}th{background:#f6f6f6}td.t,th.t{text-align:left}.na{color:#888;text-align:center}"
    "figure{margin:14px 0}figcaption{font-weight:600;margin-bottom:4px}svg{max-width:100%;height:auto}"
    "svg text{font:12px system-ui,sans-serif;fill:#444}.yt{text-anchor:end}.xt,.xl{text-anchor:middle}"
    ".yl{text-anchor:middle}.lg{fill:#222}td.bad{color:#c92a2a;font-weight:600}td.ok{color:#2b8a3e}"
    ".sev-high{color:#c92a2a;font-weight:600}.sev-medium{color:#c2410c}"
    "table.notes{width:100%;table-layout:fixed}table.notes td{overflow-wrap:anywhere;vertical-align:top}";

/* A flow's steps and `on` handlers: a table, then one latency-by-percentile plot per series (own scale
 * each: an ack in 1 ms and a fan-out in 40 ms would flatten each other on a shared one). */
static void html_series(buf *o, const result *r)
{
    const result_derived *d = &r->d;
    if (!d->nseries) return;
    buf_printf(o, "<h2>Series</h2>\n<table><tr><th class=\"t\">series</th><th class=\"t\">kind</th><th>sent</th>"
                  "<th>ok</th><th>failed</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>expected</th>"
                  "<th>lost</th><th class=\"t\">failures</th></tr>\n");
    for (size_t i = 0; i < d->nseries; i++) {
        const result_series *a = &d->series[i];
        const stats_series *x = a->s;
        buf f = BUF_INIT;
        buf_printf(o, "<tr>");
        td(o, x->name);
        buf_printf(o, "<td class=\"t\">%s</td><td>%llu</td><td>%llu</td><td%s>%llu</td>", x->is_on ? "on" : "step",
                   (unsigned long long)x->sent, (unsigned long long)x->ok, x->failed ? " class=\"bad\"" : "",
                   (unsigned long long)x->failed);
        if (a->latency_ms.count)
            buf_printf(o, "<td>%.3f</td><td>%.3f</td><td>%.3f</td>", a->latency_ms.p50, a->latency_ms.p99, a->latency_ms.max);
        else buf_printf(o, "<td colspan=\"3\" class=\"na\">no samples</td>");
        if (x->is_on)
            buf_printf(o, "<td>%llu</td><td%s>%llu</td>", (unsigned long long)x->expected, a->lost ? " class=\"bad\"" : "",
                       (unsigned long long)a->lost);
        else buf_printf(o, "<td class=\"na\">-</td><td class=\"na\">-</td>");
        report_series_classes(&f, x);
        td(o, f.len ? buf_cstr(&f) : "-");
        buf_printf(o, "</tr>\n");
        buf_free(&f);
    }
    buf_printf(o, "</table>\n");
    static const char *const colors[] = {"#1f6fb2", "#c2410c", "#2b8a3e", "#6741d9", "#c92a2a", "#0b7285"};
    for (size_t i = 0; i < d->nseries; i++) {
        const stats_series *x = d->series[i].s;
        buf title = BUF_INIT;
        buf_printf(&title, "Latency by percentile: %s (%s)", x->name, x->is_on ? "on handler" : "step");
        percentile_chart(o, x->latency, buf_cstr(&title), x->name, colors[i % (sizeof colors / sizeof colors[0])]);
        buf_free(&title);
    }
}

/* Findings and probes come right after the verdict: in a robustness run they are the result. */
static void html_findings(buf *o, const result *r)
{
    if (r->nfindings) {
        buf_printf(o, "<h2>Findings</h2>\n<table class=\"notes\"><col style=\"width:15%%\"><col style=\"width:8%%\">"
                      "<col style=\"width:44%%\"><col style=\"width:33%%\"><tr><th class=\"t\">id</th><th class=\"t\">severity</th>"
                      "<th class=\"t\">detail</th><th class=\"t\">evidence</th></tr>\n");
        for (size_t i = 0; i < r->nfindings; i++) {
            const result_finding *f = &r->findings[i];
            buf_printf(o, "<tr>");
            td(o, f->id);
            buf_printf(o, "<td class=\"t sev-%s\">%s</td>", f->severity, f->severity);
            td(o, f->detail);
            td(o, f->evidence);
            buf_printf(o, "</tr>\n");
        }
        buf_printf(o, "</table>\n");
    }
    if (r->nprobes) {
        buf_printf(o, "<h2>Probes</h2>\n<table class=\"notes\"><col style=\"width:16%%\"><col style=\"width:6%%\">"
                      "<col style=\"width:12%%\"><col style=\"width:36%%\"><col style=\"width:30%%\">"
                      "<tr><th class=\"t\">probe</th><th class=\"t\">ran</th>"
                      "<th class=\"t\">outcome</th><th class=\"t\">detail</th><th class=\"t\">health after it</th></tr>\n");
        for (size_t i = 0; i < r->nprobes; i++) {
            const result_probe *p = &r->probes[i];
            int bad = !strncmp(p->health, "failed", 6);
            buf_printf(o, "<tr>");
            td(o, p->name);
            buf_printf(o, "<td class=\"t%s\">%s</td>", p->ran ? "" : " bad", p->ran ? "yes" : "no");
            td(o, p->outcome);
            td(o, p->detail);
            buf_printf(o, "<td class=\"t %s\">", bad ? "bad" : "ok");
            report_xml_escape(o, p->health[0] ? p->health : "-");
            buf_printf(o, "</td></tr>\n");
        }
        buf_printf(o, "</table>\n");
    }
}

int report_html(const result *r, buf *o)
{
    const result_meta *m = &r->meta;
    const result_derived *d = &r->d;
    const stats *s = r->stats;
    char t[96], a[32], b[32];

    buf_printf(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>siocrypt: ");
    report_xml_escape(o, m->scenario);
    buf_printf(o, "</title><style>%s</style></head><body>\n<h1>siocrypt: ", CSS);
    report_xml_escape(o, m->scenario);
    buf_printf(o, "<span class=\"badge %s\">%s</span></h1>\n<div class=\"sub\">", d->pass ? "pass" : "fail",
               d->pass ? "PASS" : "FAIL");
    report_xml_escape(o, m->target);
    buf_printf(o, " &middot; ");
    report_xml_escape(o, m->transport);
    buf_printf(o, ", EIO %d &middot; %d clients on %d threads, ", m->eio, m->clients, m->threads);
    report_xml_escape(o, m->model);   /* a merged report's model is whatever its file said */
    buf_printf(o, " model");
    if (m->rate > 0) buf_printf(o, " at %.1f msg/s", m->rate);
    buf_printf(o, " &middot; %.2f s", m->duration_s);
    if (m->instances > 1) buf_printf(o, " &middot; merged from %d instances", m->instances);
    if (s->tls_version[0]) {
        buf_printf(o, " &middot; ");
        report_xml_escape(o, s->tls_version);
        buf_printf(o, " ");
        report_xml_escape(o, s->tls_cipher);
    }
    if (s->tls_insecure) buf_printf(o, " &middot; <b>INSECURE (-k): certificates not verified</b>");
    buf_printf(o, " &middot; siocrypt ");
    report_xml_escape(o, m->version);
    buf_printf(o, "</div>\n<div class=\"cards\">\n");
    snprintf(t, sizeof t, "%.1f", d->round_trips_per_s); card(o, "round trips / s", t);
    snprintf(t, sizeof t, "%.3f ms", d->latency_ms.p50); card(o, "p50 latency", t);
    snprintf(t, sizeof t, "%.3f ms", d->latency_ms.p99); card(o, "p99 latency", t);
    snprintf(t, sizeof t, "%llu / %llu", (unsigned long long)s->verified, (unsigned long long)s->sent);
    card(o, "verified / sent", t);
    snprintf(t, sizeof t, "%llu", (unsigned long long)d->errors_total); card(o, "errors", t);
    snprintf(t, sizeof t, "%llu / %llu", (unsigned long long)s->conn_established, (unsigned long long)s->conn_attempted);
    card(o, "connections established", t);
    card(o, "harness CPU / round trip (us)", report_fmt(t, sizeof t, "%.1f", d->harness_cpu_per_rt_us));
    if (r->server_measured) card(o, "server CPU / round trip (us)", report_fmt(t, sizeof t, "%.1f", d->server_cpu_per_rt_us));
    buf_printf(o, "</div>\n");

    if (r->nthresholds || r->nfindings || !d->pass) {
        buf_printf(o, "<h2>Verdict</h2>\n<table><tr><th class=\"t\">check</th><th class=\"t\">value</th>"
                      "<th class=\"t\">result</th></tr>\n");
        buf_printf(o, "<tr><td class=\"t\">every message verified</td><td class=\"t\">%llu unverified</td>"
                      "<td class=\"t %s\">%s</td></tr>\n", (unsigned long long)d->unverified,
                   d->unverified ? "bad" : "ok", d->unverified ? "FAIL" : "pass");
        buf_printf(o, "<tr><td class=\"t\">no errors</td><td class=\"t\">%llu</td><td class=\"t %s\">%s</td></tr>\n",
                   (unsigned long long)d->errors_total, d->errors_total ? "bad" : "ok", d->errors_total ? "FAIL" : "pass");
        buf_printf(o, "<tr><td class=\"t\">no connection failed</td><td class=\"t\">%llu</td><td class=\"t %s\">%s</td></tr>\n",
                   (unsigned long long)s->conn_failed, s->conn_failed ? "bad" : "ok", s->conn_failed ? "FAIL" : "pass");
        if (r->nfindings)
            buf_printf(o, "<tr><td class=\"t\">no high finding</td><td class=\"t\">%zu</td><td class=\"t %s\">%s</td></tr>\n",
                       d->findings_high, d->findings_high ? "bad" : "ok", d->findings_high ? "FAIL" : "pass");
        for (size_t i = 0; i < r->nthresholds; i++) {
            const threshold *th = &r->thresholds[i];
            buf_printf(o, "<tr><td class=\"t\"><code>");
            report_xml_escape(o, th->expr);
            buf_printf(o, "</code></td><td class=\"t\">");
            if (th->note[0]) report_xml_escape(o, th->note);
            else buf_printf(o, "%s", report_fmt(a, sizeof a, "%.6g", th->value));
            buf_printf(o, "</td><td class=\"t %s\">%s</td></tr>\n", th->pass ? "ok" : "bad", th->pass ? "pass" : "FAIL");
        }
        buf_printf(o, "</table>\n");
    }
    html_findings(o, r);

    buf_printf(o, "<h2>Latency</h2>\n");
    percentile_chart(o, s->rtt, "Round-trip latency by percentile", "round trip", "#1f6fb2");
    buf_printf(o, "<table><tr><th class=\"t\">ms</th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th>"
                  "<th>max</th><th>mean</th><th>count</th></tr>\n");
    dist_row(o, "round trip", &d->latency_ms);
    dist_row(o, "connect", &d->connect_ms);
    dist_row(o, "upgrade", &d->upgrade_ms);
    if (d->tls_ms.count) dist_row(o, "tls handshake", &d->tls_ms);
    if (d->reconnect_ms.count) dist_row(o, "reconnect", &d->reconnect_ms);
    buf_printf(o, "</table>\n");
    html_series(o, r);
    buf_printf(o, "<h2>Over time</h2>\n");
    timeline_charts(o, &s->tl);

    buf_printf(o, "<h2>Counts</h2>\n<table><tr><th class=\"t\">connections</th><th>attempted</th><th>established</th>"
                  "<th>failed</th><th>closed</th></tr><tr><td class=\"t\"></td><td>%llu</td><td>%llu</td><td>%llu</td>"
                  "<td>%llu</td></tr></table>\n", (unsigned long long)s->conn_attempted,
               (unsigned long long)s->conn_established, (unsigned long long)s->conn_failed,
               (unsigned long long)s->conn_closed);
    buf_printf(o, "<table><tr><th class=\"t\">messages</th><th>sent</th><th>received</th><th>verified</th>"
                  "<th>unverified</th><th>round trips / s</th></tr><tr><td class=\"t\"></td><td>%llu</td><td>%llu</td>"
                  "<td>%llu</td><td>%llu</td><td>%.1f</td></tr></table>\n", (unsigned long long)s->sent,
               (unsigned long long)s->received, (unsigned long long)s->verified, (unsigned long long)d->unverified,
               d->round_trips_per_s);

    buf_printf(o, "<h2>Encryption</h2>\n<table><tr><th class=\"t\">us</th><th>p50</th><th>p99</th><th>mean</th>"
                  "<th>max</th><th>count</th></tr>\n");
    const struct { const char *n; const result_dist *x; } enc[2] = {{"encrypt", &d->encrypt_us}, {"decrypt", &d->decrypt_us}};
    for (int i = 0; i < 2; i++)
        buf_printf(o, "<tr><th class=\"t\">%s</th><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%llu</td></tr>\n",
                   enc[i].n, enc[i].x->p50, enc[i].x->p99, enc[i].x->mean, enc[i].x->max,
                   (unsigned long long)enc[i].x->count);
    buf_printf(o, "</table>\n<h2>Resources</h2>\n<table><tr><th class=\"t\"></th><th>CPU s</th>"
                  "<th>CPU per round trip (us)</th><th>max RSS (KiB)</th><th>RSS per client (KiB)</th></tr>\n");
    buf_printf(o, "<tr><th class=\"t\">harness</th><td>%.2f</td><td>%s</td><td>%ld</td><td>%s</td></tr>\n",
               r->harness_cpu_s, report_fmt(a, sizeof a, "%.1f", d->harness_cpu_per_rt_us), r->harness_max_rss_kb,
               report_fmt(b, sizeof b, "%.1f", d->harness_rss_per_client_kib));
    if (r->server_measured)
        buf_printf(o, "<tr><th class=\"t\">server</th><td>%.2f</td><td>%s</td><td>-</td><td>-</td></tr>\n",
                   r->server_cpu_s, report_fmt(a, sizeof a, "%.1f", d->server_cpu_per_rt_us));
    buf_printf(o, "</table>\n");

    buf_printf(o, "<h2>Errors</h2>\n");
    if (!s->nerr && !d->errors_total) buf_printf(o, "<p>None.</p>\n");
    else {
        buf_printf(o, "<table><tr><th class=\"t\">class</th><th class=\"t\">detail</th><th>count</th></tr>\n");
        for (size_t i = 0; i < s->nerr; i++) {
            buf_printf(o, "<tr>");
            td(o, s->err[i].cls);
            td(o, s->err[i].detail[0] ? s->err[i].detail : "-");
            buf_printf(o, "<td>%llu</td></tr>\n", (unsigned long long)s->err[i].count);
        }
        buf_printf(o, "</table>\n");
    }
    return buf_printf(o, "</body></html>\n") < 0 ? -1 : 0;
}

/* The line chart for other pages (compare.html): the same drawing as this page's. */
void report_chart(buf *o, const char *title, const char *xlabel, const char *ylabel, const double *x, size_t n,
                  const report_series *s, size_t ns, int pct_axis)
{
    chart(o, title, xlabel, ylabel, x, n, s, ns, pct_axis);
}
