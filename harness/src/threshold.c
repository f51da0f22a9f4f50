#include "threshold.h"
#include "result.h"
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const metrics[] = {
    "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "mean_ms",
    "round_trips_per_s", "error_rate", "errors", "connect_failures", "unverified",
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])

const char *threshold_metric_list(void)
{
    return "p50_ms, p90_ms, p99_ms, p999_ms, max_ms, mean_ms, round_trips_per_s, error_rate, errors, "
           "connect_failures, unverified";
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

int threshold_parse(const char *text, threshold *t, buf *err)
{
    memset(t, 0, sizeof *t);
    t->value = NAN;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    const char *m = p;
    while (isalnum((unsigned char)*p) || *p == '_') p++;
    size_t mlen = (size_t)(p - m);
    size_t i = 0;
    for (; i < NMETRICS; i++)
        if (strlen(metrics[i]) == mlen && !strncmp(metrics[i], m, mlen)) break;
    if (i == NMETRICS) {
        buf_printf(err, "threshold '%s': unknown metric '%.*s' (known: %s)", text, (int)mlen, m,
                   threshold_metric_list());
        return -1;
    }
    memcpy(t->metric, m, mlen);
    while (isspace((unsigned char)*p)) p++;
    if (p[0] == '<' && p[1] == '=') { t->op = THRESHOLD_LE; p += 2; }
    else if (p[0] == '>' && p[1] == '=') { t->op = THRESHOLD_GE; p += 2; }
    else if (p[0] == '<') { t->op = THRESHOLD_LT; p++; }
    else if (p[0] == '>') { t->op = THRESHOLD_GT; p++; }
    else {
        buf_printf(err, "threshold '%s': expected one of < <= > >= after '%s'", text, t->metric);
        return -1;
    }
    while (isspace((unsigned char)*p)) p++;
    char *end;
    t->limit = strtod(p, &end);
    if (end == p || !isfinite(t->limit)) {
        buf_printf(err, "threshold '%s': expected a number after '%s'", text, threshold_op_str(t->op));
        return -1;
    }
    while (isspace((unsigned char)*end)) end++;
    if (*end) {
        buf_printf(err, "threshold '%s': unexpected '%s' after the number", text, end);
        return -1;
    }
    snprintf(t->expr, sizeof t->expr, "%s%s%.17g", t->metric, threshold_op_str(t->op), t->limit);
    /* keep the user's spelling of the number when it is short and exact */
    char num[48];
    size_t nlen = (size_t)(end - p);
    while (nlen && isspace((unsigned char)p[nlen - 1])) nlen--;
    if (nlen < sizeof num) {
        memcpy(num, p, nlen);
        num[nlen] = '\0';
        snprintf(t->expr, sizeof t->expr, "%s%s%s", t->metric, threshold_op_str(t->op), num);
    }
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
    return NAN;
}

void threshold_eval(threshold *t, const result *r)
{
    double v = metric_value(t->metric, r);
    t->value = v;
    if (isnan(v)) { t->pass = 0; return; }
    switch (t->op) {
    case THRESHOLD_LT: t->pass = v < t->limit; break;
    case THRESHOLD_LE: t->pass = v <= t->limit; break;
    case THRESHOLD_GT: t->pass = v > t->limit; break;
    case THRESHOLD_GE: t->pass = v >= t->limit; break;
    }
}
