/* junit.xml: what CI shows. Testcases: delivery (every message verified), connections (none failed),
 * one per threshold, one per error class (failing; its details in the body; "no errors" passes when
 * there are none), one per finding (failing when severity is high), one per robustness probe (failing when
 * the health check after it failed, skipped when it did not run), one per series (a flow step or `on`
 * handler: failing when any of it failed or, for a handler, deliveries it expected did not come). */
#include "report/writers.h"
#include <stdlib.h>
#include <string.h>

typedef struct tcase { buf xml; int failed; } tcase;

static void open_case(buf *o, const char *classname, const char *name)
{
    buf_printf(o, "    <testcase classname=\"siocrypt.%s\" name=\"", classname);
    report_xml_escape(o, name);
    buf_printf(o, "\" time=\"0\">");
}

static void failure(buf *o, const char *type, const char *message, const char *body)
{
    buf_printf(o, "\n      <failure type=\"");
    report_xml_escape(o, type);
    buf_printf(o, "\" message=\"");
    report_xml_escape(o, message);
    buf_printf(o, "\">");
    if (body) report_xml_escape(o, body);
    buf_printf(o, "</failure>\n    ");
}

int report_junit(const result *r, buf *out)
{
    const result_derived *d = &r->d;
    const stats *s = r->stats;
    buf cases = BUF_INIT, msg = BUF_INIT, body = BUF_INIT;
    int tests = 0, failures = 0;
    char v[32];

    tests++;
    open_case(&cases, "delivery", "every message verified");
    if (d->unverified) {
        failures++;
        buf_printf(&msg, "%llu of %llu messages sent were not verified", (unsigned long long)d->unverified,
                   (unsigned long long)s->sent);
        failure(&cases, "unverified", buf_cstr(&msg), NULL);
    }
    buf_printf(&cases, "</testcase>\n");

    tests++;
    open_case(&cases, "connections", "every connection established");
    if (s->conn_failed) {
        failures++;
        buf_clear(&msg);
        buf_printf(&msg, "%llu of %llu connections failed", (unsigned long long)s->conn_failed,
                   (unsigned long long)s->conn_attempted);
        failure(&cases, "connect_failures", buf_cstr(&msg), NULL);
    }
    buf_printf(&cases, "</testcase>\n");

    for (size_t i = 0; i < r->nthresholds; i++) {
        const threshold *t = &r->thresholds[i];
        tests++;
        open_case(&cases, "thresholds", t->expr);
        if (!t->pass) {
            failures++;
            buf_clear(&msg);
            if (t->note[0]) buf_printf(&msg, "%s, threshold %s", t->note, t->expr);
            else buf_printf(&msg, "%s%s%s%s is %s, threshold %s", t->metric, t->series[0] ? "{" : "", t->series,
                            t->series[0] ? "}" : "", report_fmt(v, sizeof v, "%.6g", t->value), t->expr);
            failure(&cases, "threshold", buf_cstr(&msg), NULL);
        }
        buf_printf(&cases, "</testcase>\n");
    }

    if (!d->nclasses) {
        tests++;
        open_case(&cases, "errors", "no errors");
        if (d->errors_total) {
            failures++;
            buf_clear(&msg);
            buf_printf(&msg, "%llu errors", (unsigned long long)d->errors_total);
            failure(&cases, "errors", buf_cstr(&msg), NULL);
        }
        buf_printf(&cases, "</testcase>\n");
    }
    for (size_t i = 0; i < d->nclasses; i++) {
        const char *cls = d->classes[i].cls;
        tests++;
        failures++;
        open_case(&cases, "errors", cls);
        buf_clear(&msg);
        buf_clear(&body);
        buf_printf(&msg, "%llu errors of class %s", (unsigned long long)d->classes[i].count, cls);
        for (size_t k = 0; k < s->nerr; k++)
            if (!strcmp(s->err[k].cls, cls))
                buf_printf(&body, "%s: %llu\n", s->err[k].detail[0] ? s->err[k].detail : "(no detail)",
                           (unsigned long long)s->err[k].count);
        failure(&cases, cls, buf_cstr(&msg), buf_cstr(&body));
        buf_printf(&cases, "</testcase>\n");
    }

    for (size_t i = 0; i < d->nseries; i++) {   /* a flow's steps and `on` handlers */
        const result_series *a = &d->series[i];
        const stats_series *x = a->s;
        tests++;
        open_case(&cases, "series", x->name);
        buf_clear(&msg);
        if (x->failed) {
            buf_printf(&msg, "%llu of %llu failed: ", (unsigned long long)x->failed, (unsigned long long)x->sent);
            report_series_classes(&msg, x);
        }
        if (a->lost)
            buf_printf(&msg, "%s%llu of %llu expected deliveries lost", msg.len ? "; " : "", (unsigned long long)a->lost,
                       (unsigned long long)x->expected);
        if (msg.len) {
            failures++;
            failure(&cases, x->failed ? "series-failed" : "series-lost", buf_cstr(&msg), NULL);
        }
        buf_printf(&cases, "</testcase>\n");
    }

    for (size_t i = 0; i < r->nfindings; i++) {
        const result_finding *f = &r->findings[i];
        tests++;
        open_case(&cases, "findings", f->id);
        buf_clear(&msg);
        buf_printf(&msg, "[%s] %s", f->severity, f->detail);
        if (!strcmp(f->severity, "high")) {
            failures++;
            failure(&cases, "finding", buf_cstr(&msg), f->evidence);
        } else {
            buf_printf(&cases, "\n      <system-out>");
            report_xml_escape(&cases, buf_cstr(&msg));
            buf_printf(&cases, "\n");
            report_xml_escape(&cases, f->evidence);
            buf_printf(&cases, "</system-out>\n    ");
        }
        buf_printf(&cases, "</testcase>\n");
    }

    int skipped = 0;
    for (size_t i = 0; i < r->nprobes; i++) {   /* robustness runs: a probe the server did not survive fails */
        const result_probe *p = &r->probes[i];
        tests++;
        open_case(&cases, "probes", p->name);
        buf_clear(&msg);
        buf_printf(&msg, "%s: %s", p->outcome, p->detail);
        if (!p->ran) {
            skipped++;
            buf_printf(&cases, "\n      <skipped message=\"");
            report_xml_escape(&cases, p->detail);
            buf_printf(&cases, "\"/>\n    ");
        } else if (!strncmp(p->health, "failed", 6)) {
            failures++;
            failure(&cases, "server-gone", buf_cstr(&msg), p->health);
        } else {
            buf_printf(&cases, "\n      <system-out>");
            report_xml_escape(&cases, buf_cstr(&msg));
            buf_printf(&cases, "</system-out>\n    ");
        }
        buf_printf(&cases, "</testcase>\n");
    }

    buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    buf_printf(out, "<testsuites name=\"siocrypt\" tests=\"%d\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n",
               tests, failures, r->meta.duration_s);
    buf_printf(out, "  <testsuite name=\"siocrypt.");
    report_xml_escape(out, r->meta.scenario);
    buf_printf(out, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\">\n", tests, failures,
               skipped, r->meta.duration_s);
    buf_printf(out, "    <properties>\n      <property name=\"target\" value=\"");
    report_xml_escape(out, r->meta.target);
    buf_printf(out, "\"/>\n      <property name=\"transport\" value=\"");
    report_xml_escape(out, r->meta.transport);
    buf_printf(out, "\"/>\n      <property name=\"clients\" value=\"%d\"/>\n"
                    "      <property name=\"round_trips_per_s\" value=\"%.1f\"/>\n"
                    "      <property name=\"p99_ms\" value=\"%.3f\"/>\n    </properties>\n",
               r->meta.clients, d->round_trips_per_s, d->latency_ms.p99);
    buf_append(out, cases.data ? cases.data : "", cases.len);
    int rc = buf_printf(out, "  </testsuite>\n</testsuites>\n");
    buf_free(&cases);
    buf_free(&msg);
    buf_free(&body);
    return rc < 0 ? -1 : 0;
}
