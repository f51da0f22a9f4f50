/* compare_report: compare.md, compare.json, junit.xml and the terminal table of a comparison (compare.h),
 * and the four files written as a set. compare.html is compare_html.c. Rows shown: every row with a value
 * in either report, or a gate; gated rows first. */
#include "report/compare.h"
#include "report/report.h"
#include "report/writers.h"
#include "report/jsonx.h"
#include "base/text.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int shown(const compare_row *r) { return r->gated || !isnan(r->base) || !isnan(r->cur); }

/* The rows in the order they are shown: gated first, then the rest in table order. n is returned. */
static size_t order(const compare *c, size_t *idx)
{
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < c->nrows; i++)
            if (shown(&c->rows[i]) && c->rows[i].gated == !pass) idx[n++] = i;
    return n;
}

static const char *fmt_val(const compare_row *r, double v, char *t, size_t cap)
{
    if (isnan(v)) snprintf(t, cap, "-");
    else if (!strcmp(r->unit, "ms")) snprintf(t, cap, "%.3f", v);
    else if (r->unit[0]) snprintf(t, cap, "%.1f", v);
    else if (v == floor(v) && fabs(v) < 1e15) snprintf(t, cap, "%.0f", v);
    else snprintf(t, cap, "%.6g", v);
    return t;
}

static const char *arrow(const compare_row *r)
{
    if (isnan(r->delta)) return "";
    return r->delta > 0 ? "\xe2\x86\x91 " : r->delta < 0 ? "\xe2\x86\x93 " : "\xe2\x86\x92 ";   /* up down right */
}

/* The allowed changes of a row's gates: "+15%", "-10%, +5 ms" */
static void allowed(const compare *c, size_t row, buf *o)
{
    int first = 1;
    for (size_t i = 0; i < c->ngates; i++) {
        const compare_gate *g = &c->gates[i];
        if (g->row != (int)row) continue;
        const char *unit = g->relative ? "%" : c->rows[row].unit;
        buf_printf(o, "%s%c%g%s%s", first ? "" : ", ", g->dir > 0 ? '+' : '-', g->limit,
                   !g->relative && unit[0] && unit[0] != '/' ? " " : "", unit);
        first = 0;
    }
}

static const char *headline(const compare *c)
{
    return c->regressions ? "REGRESSION" : c->ngates ? "PASS" : "compared (no gates)";
}

/* ---- compare.md ---- */

static void md_side(buf *o, const char *label, const result *r, const char *path)
{
    buf_printf(o, "| %s | ", label);
    report_md_escape(o, path);
    buf_printf(o, " | ");
    report_md_escape(o, r->meta.scenario);
    buf_printf(o, " | ");
    report_md_escape(o, r->meta.transport);
    buf_printf(o, ", EIO %d | %d | %llu | %.1f | %s |\n", r->meta.eio, r->meta.clients,
               (unsigned long long)r->stats->verified, r->meta.duration_s, r->d.pass ? "pass" : "fail");
}

int compare_md(const compare *c, buf *o)
{
    size_t *idx = malloc((c->nrows ? c->nrows : 1) * sizeof *idx);
    if (!idx) return -1;
    size_t n = order(c, idx);
    char a[48], b[48], d[48];
    buf_printf(o, "## siocrypt compare: ");
    report_md_escape(o, c->cur->meta.scenario);
    buf_printf(o, " - %s", headline(c));
    if (c->ngates) buf_printf(o, " (%zu of %zu gates failed)", c->regressions, c->ngates);
    buf_printf(o, "\n\n| | report | scenario | transport | clients | verified | duration (s) | run |\n"
                  "|---|---|---|---|---:|---:|---:|---|\n");
    md_side(o, "baseline", c->base, c->base_path);
    md_side(o, "current", c->cur, c->cur_path);
    buf_printf(o, "\n");
    if (c->forced && c->differs[0]) {
        buf_printf(o, "**Compared with --force although they differ:** ");
        report_md_escape(o, c->differs);
        buf_printf(o, "\n\n");
    }
    if (c->notes[0]) {
        buf_printf(o, "Also different: ");
        report_md_escape(o, c->notes);
        buf_printf(o, "\n\n");
    }
    buf_printf(o, "| metric | baseline | current | change | allowed | verdict | note |\n"
                  "|---|---:|---:|---:|---|---|---|\n");
    for (size_t k = 0; k < n; k++) {
        const compare_row *r = &c->rows[idx[k]];
        buf al = BUF_INIT;
        allowed(c, idx[k], &al);
        int bad = r->verdict == CMP_REGRESSION || r->verdict == CMP_MISSING;
        buf_printf(o, "| ");
        report_md_escape(o, r->metric);
        buf_printf(o, " | %s | %s | %s%s | %s | %s%s%s | ", fmt_val(r, r->base, a, sizeof a),
                   fmt_val(r, r->cur, b, sizeof b), arrow(r), compare_change_str(r, d, sizeof d),
                   al.len ? buf_cstr(&al) : "", bad ? "**" : "", compare_verdict_str(r->verdict), bad ? "**" : "");
        report_md_escape(o, r->note);
        buf_printf(o, " |\n");
        buf_free(&al);
    }
    free(idx);
    return buf_printf(o, "\nArrows: the change from baseline to current. Only the metrics in *allowed* gate; "
                         "*within precision* and *noise* never do.\n") < 0 ? -1 : 0;
}

/* ---- compare.json ---- */

static cJSON *side_json(const result *r, const char *path)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    jsonx_add_str(o, "path", path);
    jsonx_add_str(o, "scenario", r->meta.scenario);
    jsonx_add_str(o, "target", r->meta.target);
    jsonx_add_str(o, "transport", r->meta.transport);
    jsonx_add_int(o, "eio", r->meta.eio);
    jsonx_add_int(o, "clients", r->meta.clients);
    jsonx_add_str(o, "model", r->meta.model);
    jsonx_add_str(o, "version", r->meta.version);
    jsonx_add_int(o, "start_unix_ms", r->meta.start_wall_ns / 1000000);
    jsonx_add_num(o, "duration_s", r->meta.duration_s);
    cJSON_AddBoolToObject(o, "pass", r->d.pass);
    return o;
}

static cJSON *row_json(const compare *c, size_t i)
{
    const compare_row *r = &c->rows[i];
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    jsonx_add_str(o, "metric", r->metric);
    jsonx_add_str(o, "unit", r->unit);
    jsonx_add_str(o, "worse", r->worse > 0 ? "up" : "down");
    jsonx_add_num(o, "baseline", r->base);
    jsonx_add_num(o, "current", r->cur);
    jsonx_add_num(o, "change", r->delta);
    jsonx_add_num(o, "change_pct", r->delta_pct);
    if (r->h_base || r->h_cur) {
        jsonx_add_int(o, "samples_baseline", (int64_t)r->n_base);
        jsonx_add_int(o, "samples_current", (int64_t)r->n_cur);
    }
    cJSON_AddBoolToObject(o, "gated", r->gated);
    jsonx_add_str(o, "verdict", compare_verdict_str(r->verdict));
    jsonx_add_str(o, "note", r->note);
    return o;
}

static cJSON *compare_to_json(const compare *c)
{
    cJSON *o = cJSON_CreateObject(), *x;
    if (!o) return NULL;
    jsonx_add_str(o, "schema", COMPARE_SCHEMA);
    jsonx_add_str(o, "version", c->cur->meta.version);
    cJSON_AddItemToObject(o, "baseline", side_json(c->base, c->base_path));
    cJSON_AddItemToObject(o, "current", side_json(c->cur, c->cur_path));
    cJSON_AddBoolToObject(o, "forced", c->forced);
    jsonx_add_str(o, "differs", c->differs);
    jsonx_add_str(o, "notes", c->notes);
    x = cJSON_AddArrayToObject(o, "gates");
    for (size_t i = 0; i < c->ngates; i++) {
        const compare_gate *g = &c->gates[i];
        cJSON *e = cJSON_CreateObject();
        if (!e) continue;
        jsonx_add_str(e, "expr", g->expr);
        jsonx_add_str(e, "metric", g->metric);
        jsonx_add_str(e, "direction", g->dir > 0 ? "up" : "down");
        jsonx_add_num(e, "limit", g->limit);
        jsonx_add_str(e, "limit_unit", g->relative ? "%" : c->rows[g->row].unit);
        jsonx_add_num(e, "change", isinf(g->change) ? NAN : g->change);
        jsonx_add_str(e, "verdict", compare_verdict_str(c->rows[g->row].verdict));
        cJSON_AddBoolToObject(e, "pass", g->pass);
        cJSON_AddItemToArray(x, e);
    }
    x = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < c->nrows; i++)
        if (shown(&c->rows[i])) cJSON_AddItemToArray(x, row_json(c, i));
    jsonx_add_int(o, "regressions", (int64_t)c->regressions);
    cJSON_AddBoolToObject(o, "pass", c->regressions == 0);
    jsonx_add_int(o, "exit_code", c->exit_code);
    return o;
}

int compare_json(const compare *c, buf *out) { return jsonx_print(compare_to_json(c), out); }

/* ---- junit.xml: a testcase per metric shown; gated ones fail on a regression ---- */

int compare_junit(const compare *c, buf *out)
{
    size_t *idx = malloc((c->nrows ? c->nrows : 1) * sizeof *idx);
    if (!idx) return -1;
    size_t n = order(c, idx);
    buf cases = BUF_INIT, msg = BUF_INIT;
    char a[48], b[48], d[48];
    int failures = 0;
    for (size_t k = 0; k < n; k++) {
        const compare_row *r = &c->rows[idx[k]];
        buf_printf(&cases, "    <testcase classname=\"siocrypt.compare.%s\" name=\"", r->gated ? "gate" : "metric");
        report_xml_escape(&cases, r->metric);
        buf_printf(&cases, "\" time=\"0\">");
        buf_clear(&msg);
        buf_printf(&msg, "%s: baseline %s, current %s, change %s", r->metric, fmt_val(r, r->base, a, sizeof a),
                   fmt_val(r, r->cur, b, sizeof b), compare_change_str(r, d, sizeof d));
        if (r->gated) { buf_printf(&msg, ", allowed "); allowed(c, idx[k], &msg); }
        buf_printf(&msg, ": %s", compare_verdict_str(r->verdict));
        if (r->note[0]) buf_printf(&msg, " (%s)", r->note);
        if (r->verdict == CMP_REGRESSION || r->verdict == CMP_MISSING) {
            failures++;
            buf_printf(&cases, "\n      <failure type=\"%s\" message=\"", compare_verdict_str(r->verdict));
            report_xml_escape(&cases, buf_cstr(&msg));
            buf_printf(&cases, "\"/>\n    ");
        } else {
            buf_printf(&cases, "\n      <system-out>");
            report_xml_escape(&cases, buf_cstr(&msg));
            buf_printf(&cases, "</system-out>\n    ");
        }
        buf_printf(&cases, "</testcase>\n");
    }
    free(idx);
    buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<testsuites name=\"siocrypt compare\" tests=\"%zu\" failures=\"%d\" errors=\"0\" time=\"0\">\n", n, failures);
    buf_printf(out, "  <testsuite name=\"siocrypt.compare.");
    report_xml_escape(out, c->cur->meta.scenario);
    buf_printf(out, "\" tests=\"%zu\" failures=\"%d\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
                    "    <properties>\n      <property name=\"baseline\" value=\"", n, failures);
    report_xml_escape(out, c->base_path);
    buf_printf(out, "\"/>\n      <property name=\"current\" value=\"");
    report_xml_escape(out, c->cur_path);
    buf_printf(out, "\"/>\n      <property name=\"forced\" value=\"%s\"/>\n    </properties>\n", c->forced ? "true" : "false");
    buf_append(out, cases.data ? cases.data : "", cases.len);
    int rc = buf_printf(out, "  </testsuite>\n</testsuites>\n");
    buf_free(&cases);
    buf_free(&msg);
    return rc < 0 ? -1 : 0;
}

/* ---- the set, and the terminal ---- */

int compare_write_all(const compare *c, const char *dir, buf *err)
{
    static const char *const names[] = {"compare.md", "compare.json", "junit.xml", "compare.html"};
    int (*const render[])(const compare *, buf *) = {compare_md, compare_json, compare_junit, compare_html};
    buf files[4] = {BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT};
    int rc = 0;
    for (size_t i = 0; i < 4 && rc == 0; i++)
        if (render[i](c, &files[i]) < 0) rc = buf_fail(err, "%s/%s: out of memory while rendering", dir, names[i]);
    if (rc == 0) rc = report_write_set(dir, names, files, 4, err);
    for (size_t i = 0; i < 4; i++) buf_free(&files[i]);
    return rc;
}

void compare_print(FILE *f, const compare *c)
{
    size_t *idx = malloc((c->nrows ? c->nrows : 1) * sizeof *idx);
    if (!idx) return;
    size_t n = order(c, idx);
    buf o = BUF_INIT;
    char a[48], b[48], d[48];
    buf_printf(&o, "siocrypt compare: '%s' %s (%s, EIO %d) -> %s (%s, EIO %d)\n", c->cur->meta.scenario, c->base_path,
               c->base->meta.transport, c->base->meta.eio, c->cur_path, c->cur->meta.transport, c->cur->meta.eio);
    if (c->forced && c->differs[0]) buf_printf(&o, "  forced: %s\n", c->differs);
    if (c->notes[0]) buf_printf(&o, "  also different: %s\n", c->notes);
    buf_printf(&o, "  %-30s %12s %12s %12s %-12s %s\n", "metric", "baseline", "current", "change", "allowed", "verdict");
    for (size_t k = 0; k < n; k++) {
        const compare_row *r = &c->rows[idx[k]];
        buf al = BUF_INIT;
        allowed(c, idx[k], &al);
        buf_printf(&o, "  %-30s %12s %12s %12s %-12s %s%s%s\n", r->metric, fmt_val(r, r->base, a, sizeof a),
                   fmt_val(r, r->cur, b, sizeof b), compare_change_str(r, d, sizeof d), buf_cstr(&al),
                   compare_verdict_str(r->verdict), r->note[0] ? ": " : "", r->note);
        buf_free(&al);
    }
    buf_printf(&o, "  Result: %s", headline(c));
    if (c->ngates) buf_printf(&o, ", %zu of %zu gates failed", c->regressions, c->ngates);
    buf_printf(&o, "\n");
    text_fwrite(f, buf_cstr(&o), o.len);
    buf_free(&o);
    free(idx);
}
