#include "report/threshold.h"
#include "report/result.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metrics[] = {
    "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms",
    "round_trips_per_s", "error_rate", "errors", "connect_failures", "unverified", "reconnect_ms", "reconnect_p99_ms",
    "lost",
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

const char *threshold_metric_list(void)
{
    return "p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, round_trips_per_s, error_rate, errors, "
           "connect_failures, unverified, reconnect_ms, reconnect_p99_ms, lost";
}

/* The metrics that take a series selector (lost only with one), and their list for error texts. */
static const char *const series_metrics[] = {
    "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms", "error_rate", "errors", "lost",
};
static const char SERIES_METRICS[] = "p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, error_rate, errors, lost";

static int takes_series(const char *m)
{
    for (size_t i = 0; i < sizeof series_metrics / sizeof series_metrics[0]; i++)
        if (!strcmp(series_metrics[i], m)) return 1;
    return 0;
}

const char *threshold_op_str(threshold_op op)
{
    switch (op) {
    case THRESHOLD_LT: return "<";
    case THRESHOLD_LE: return "<=";
    case THRESHOLD_GT: return ">";
    case THRESHOLD_GE: return ">=";
    }
    return "?";
}

static int threshold_metric(const char **p, threshold *t, buf *err)
{
    const char *m = *p;
    size_t n = 0;
    while (isalnum((unsigned char)m[n]) || m[n] == '_') n++;
    for (size_t i = 0; i < NMETRICS; i++)
        if (strlen(metrics[i]) == n && !strncmp(metrics[i], m, n)) {
            memcpy(t->metric, m, n);
            *p = m + n;
            return 0;
        }
    return buf_fail(err, "unknown metric '%.*s' (known: %s)", (int)(n ? n : strcspn(m, "<>=! ")), m,
                    threshold_metric_list());
}

/* The operator is the run of < > = ! characters after the metric, so "==", "=<" and "<<" are named as
 * what they are instead of being half-read. */
static int threshold_operator(const char **p, threshold *t, buf *err)
{
    static const struct { const char *s; threshold_op op; } ops[] = {
        {"<", THRESHOLD_LT}, {"<=", THRESHOLD_LE}, {">", THRESHOLD_GT}, {">=", THRESHOLD_GE}};
    size_t n = strspn(*p, "<>=!");
    if (!n)
        return buf_fail(err, "expected an operator (one of < <= > >=) after '%s%s%s%s'", t->metric,
                        t->series[0] ? "{" : "", t->series, t->series[0] ? "}" : "");
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strlen(ops[i].s) == n && !strncmp(ops[i].s, *p, n)) {
            t->op = ops[i].op;
            *p += n;
            return 0;
        }
    return buf_fail(err, "unknown operator '%.*s' (known: < <= > >=)", (int)n, *p);
}

/* A plain decimal number: strtod's hex, inf and nan forms are not limits anyone means. */
static int threshold_number(const char *p, threshold *t, const char **end, buf *err)
{
    char *e;
    if (!strchr("0123456789+-.", *p) || !*p) return buf_fail(err, "expected a number after '%s'", threshold_op_str(t->op));
    errno = 0;
    t->limit = strtod(p, &e);
    if (e == p || errno == ERANGE || !isfinite(t->limit) || memchr(p, 'x', (size_t)(e - p)) ||
        memchr(p, 'X', (size_t)(e - p)))
        return buf_fail(err, "expected a finite decimal number after '%s'", threshold_op_str(t->op));
    *end = e;
    return 0;
}

/* {name}: the name as it is between the braces (a series name is clean text, so no control character
 * can match one; '}' ends it). */
static int threshold_series(const char **p, threshold *t, buf *err)
{
    if (**p != '{') {
        if (!strcmp(t->metric, "lost")) return buf_fail(err, "lost needs a series: lost{name}");
        return 0;
    }
    if (!takes_series(t->metric))
        return buf_fail(err, "%s takes no series selector (those that do: %s)", t->metric, SERIES_METRICS);
    const char *name = *p + 1;
    size_t n = strcspn(name, "}");
    if (!name[n]) return buf_fail(err, "unclosed '{' after '%s'", t->metric);
    if (!n) return buf_fail(err, "empty series name in '%s{}'", t->metric);
    if (n >= sizeof t->series) return buf_fail(err, "series name longer than %zu bytes", sizeof t->series - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return buf_fail(err, "a control character in the series name");
    memcpy(t->series, name, n);
    *p = name + n + 1;
    return 0;
}

int threshold_parse(const char *text, threshold *t, buf *err)
{
    const char *p = text, *end = NULL;
    memset(t, 0, sizeof *t);
    t->value = NAN;
    while (isspace((unsigned char)*p)) p++;
    if (threshold_metric(&p, t, err) < 0) return -1;
    while (isspace((unsigned char)*p)) p++;
    if (threshold_series(&p, t, err) < 0) return -1;
    while (isspace((unsigned char)*p)) p++;
    if (threshold_operator(&p, t, err) < 0) return -1;
    while (isspace((unsigned char)*p)) p++;
    if (threshold_number(p, t, &end, err) < 0) return -1;
    size_t nlen = (size_t)(end - p);
    while (isspace((unsigned char)*end)) end++;
    if (*end) return buf_fail(err, "unexpected '%s' after the number", end);
    /* keep the user's spelling of the number when it is short, else the shortest exact form */
    char sel[sizeof t->series + 2] = "";
    if (t->series[0]) snprintf(sel, sizeof sel, "{%s}", t->series);
    if (nlen < 48) snprintf(t->expr, sizeof t->expr, "%s%s%s%.*s", t->metric, sel, threshold_op_str(t->op), (int)nlen, p);
    else snprintf(t->expr, sizeof t->expr, "%s%s%s%.17g", t->metric, sel, threshold_op_str(t->op), t->limit);
    return 0;
}

static double metric_value(const char *m, const result *r)
{
    const result_derived *d = &r->d;
    int lat = d->latency_ms.count > 0;
    if (!strcmp(m, "p50_ms")) return lat ? d->latency_ms.p50 : NAN;
    if (!strcmp(m, "p90_ms")) return lat ? d->latency_ms.p90 : NAN;
    if (!strcmp(m, "p99_ms")) return lat ? d->latency_ms.p99 : NAN;
    if (!strcmp(m, "p999_ms")) return lat ? d->latency_ms.p999 : NAN;
    if (!strcmp(m, "max_ms")) return lat ? d->latency_ms.max : NAN;
    if (!strcmp(m, "mean_ms")) return lat ? d->latency_ms.mean : NAN;
    if (!strcmp(m, "round_trips_per_s")) return d->round_trips_per_s;
    if (!strcmp(m, "error_rate")) return d->error_rate;
    if (!strcmp(m, "errors")) return (double)d->errors_total;
    if (!strcmp(m, "connect_failures")) return (double)r->stats->conn_failed;
    if (!strcmp(m, "unverified")) return (double)d->unverified;
    /* the slowest recovery (and its p99): 0 when no client had to reconnect */
    if (!strcmp(m, "reconnect_ms")) return d->reconnect_ms.count ? d->reconnect_ms.max : 0;
    if (!strcmp(m, "reconnect_p99_ms")) return d->reconnect_ms.count ? d->reconnect_ms.p99 : 0;
    return NAN;
}

static double dist_value(const char *m, const result_dist *x)
{
    if (!strcmp(m, "p50_ms")) return x->p50;
    if (!strcmp(m, "p90_ms")) return x->p90;
    if (!strcmp(m, "p99_ms")) return x->p99;
    if (!strcmp(m, "p999_ms")) return x->p999;
    if (!strcmp(m, "max_ms")) return x->max;
    return x->mean;
}

/* A metric of one series; NaN with the reason in t->note when there is none. */
static double series_value(threshold *t, const result *r)
{
    const result_series *a = NULL;
    for (size_t i = 0; i < r->d.nseries && !a; i++)
        if (!strcmp(r->d.series[i].s->name, t->series)) a = &r->d.series[i];
    if (!a) {
        snprintf(t->note, sizeof t->note, "no series '%s'", t->series);
        return NAN;
    }
    const char *m = t->metric;
    if (!strcmp(m, "error_rate")) return a->error_rate;
    if (!strcmp(m, "errors")) return (double)a->s->failed;
    if (!strcmp(m, "lost")) {
        if (a->s->is_on) return (double)a->lost;
        snprintf(t->note, sizeof t->note, "'%s' is a step: lost counts on handlers only", t->series);
        return NAN;
    }
    if (!a->latency_ms.count) {
        snprintf(t->note, sizeof t->note, "no latency measured for '%s'", t->series);
        return NAN;
    }
    return dist_value(m, &a->latency_ms);
}

void threshold_eval(threshold *t, const result *r)
{
    t->note[0] = '\0';
    double v = t->series[0] ? series_value(t, r) : metric_value(t->metric, r);
    t->value = v;
    if (isnan(v)) { t->pass = 0; return; }
    switch (t->op) {
    case THRESHOLD_LT: t->pass = v < t->limit; break;
    case THRESHOLD_LE: t->pass = v <= t->limit; break;
    case THRESHOLD_GT: t->pass = v > t->limit; break;
    case THRESHOLD_GE: t->pass = v >= t->limit; break;
    }
}
