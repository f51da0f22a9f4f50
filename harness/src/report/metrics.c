/* metrics: see metrics.h. One table of families drives both formats, so they cannot name different
 * metrics; the formats differ only in the lines around the samples. */
#include "report/metrics.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/version.h"
#include "report/stats.h"

const int64_t metrics_rtt_bounds_ns[METRICS_RTT_BOUNDS] = {
    100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000, 25000000, 50000000,
    100000000, 250000000, 500000000, 1000000000, 2500000000, 5000000000, 10000000000};
/* As `le` values: with a decimal point, the same in both formats, so a series keeps its labels whichever
 * format the scraper asked for. */
static const char *const metrics_le[METRICS_RTT_BOUNDS] = {
    "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0"};

void metrics_rtt_record(metrics_rtt *r, int64_t ns)
{
    int i = 0;
    while (i < METRICS_RTT_BOUNDS && ns > metrics_rtt_bounds_ns[i]) i++;   /* le: value <= bound */
    r->n[i]++;
    r->sum_ns += ns > 0 ? (uint64_t)ns : 0;
}

void metrics_rtt_add(metrics_rtt *dst, const metrics_rtt *src)
{
    for (int i = 0; i <= METRICS_RTT_BOUNDS; i++) dst->n[i] += src->n[i];
    dst->sum_ns += src->sum_ns;
}

/* ---- snapshots ---------------------------------------------------------------------------------- */

void metrics_snap_error(metrics_snap *m, const char *cls, uint64_t n)
{
    size_t i = 0;
    while (i < m->nerr && strcmp(m->err[i].cls, cls)) i++;
    if (i == m->nerr) {
        if (m->nerr >= METRICS_MAX_CLASSES - 1) cls = "(other)";   /* keep the last slot for it */
        i = 0;
        while (i < m->nerr && strcmp(m->err[i].cls, cls)) i++;
        if (i == m->nerr) {
            snprintf(m->err[i].cls, sizeof m->err[i].cls, "%s", cls);
            m->err[i].count = 0;
            m->nerr++;
        }
    }
    m->err[i].count += n;
}

void metrics_snap_from_stats(metrics_snap *m, const stats *st)
{
    stats_class_total cls[METRICS_MAX_CLASSES];
    memset(m, 0, sizeof *m);
    m->sent = st->sent;
    m->received = st->received;
    m->verified = st->verified;
    m->reconnects = st->reconnects;
    m->conn_attempted = st->conn_attempted;
    m->conn_established = st->conn_established;
    m->conn_failed = st->conn_failed;
    m->conn_closed = st->conn_closed;
    m->rtt = st->rtt_fixed;
    size_t n = stats_error_classes(st, cls, METRICS_MAX_CLASSES);
    uint64_t listed = 0;
    for (size_t i = 0; i < n; i++) {
        metrics_snap_error(m, cls[i].cls, cls[i].count);
        listed += cls[i].count;
    }
    if (st->errors > listed) metrics_snap_error(m, "(other)", st->errors - listed);   /* classes past the cap */
}

void metrics_snap_add(metrics_snap *dst, const metrics_snap *src)
{
    dst->sent += src->sent;
    dst->received += src->received;
    dst->verified += src->verified;
    dst->reconnects += src->reconnects;
    dst->conn_attempted += src->conn_attempted;
    dst->conn_established += src->conn_established;
    dst->conn_failed += src->conn_failed;
    dst->conn_closed += src->conn_closed;
    dst->conns_open += src->conns_open;
    dst->in_flight += src->in_flight;
    dst->clients += src->clients;
    metrics_rtt_add(&dst->rtt, &src->rtt);
    for (size_t i = 0; i < src->nerr; i++) metrics_snap_error(dst, src->err[i].cls, src->err[i].count);
}

/* ---- rendering ---------------------------------------------------------------------------------- */

int metrics_escape_label(buf *out, const char *v)
{
    for (; *v; v++) {
        int rc = *v == '\\' ? buf_append(out, "\\\\", 2) : *v == '"' ? buf_append(out, "\\\"", 2)
               : *v == '\n' ? buf_append(out, "\\n", 2) : buf_append_char(out, *v);
        if (rc < 0) return -1;
    }
    return 0;
}

#define METRICS_RENDER_MAX 32768   /* ~5 KiB of fixed families + 32 classes x (126 + 40) bytes, with room */

typedef enum { M_COUNTER, M_GAUGE, M_HISTOGRAM, M_INFO } metrics_type;

/* The HELP and TYPE lines of a family. name is the sample name as the text format writes it (counters end
 * in _total, the info metric in _info); OpenMetrics names the family without that suffix. */
static void metrics_family(buf *out, const char *name, metrics_type t, const char *help, int om)
{
    static const char *const text_type[] = {"counter", "gauge", "histogram", "gauge"};
    static const char *const om_type[] = {"counter", "gauge", "histogram", "info"};
    size_t len = strlen(name);
    if (om && t == M_COUNTER && len > 6 && !strcmp(name + len - 6, "_total")) len -= 6;
    if (om && t == M_INFO && len > 5 && !strcmp(name + len - 5, "_info")) len -= 5;
    buf_printf(out, "# HELP %.*s %s\n", (int)len, name, help);
    buf_printf(out, "# TYPE %.*s %s\n", (int)len, name, om ? om_type[t] : text_type[t]);
    if (om && t == M_HISTOGRAM) buf_printf(out, "# UNIT %.*s seconds\n", (int)len, name);
}

static void metrics_u64(buf *out, const char *name, metrics_type t, const char *help, uint64_t v, int om)
{
    metrics_family(out, name, t, help, om);
    buf_printf(out, "%s %llu\n", name, (unsigned long long)v);
}

static void metrics_i64(buf *out, const char *name, const char *help, int64_t v, int om)
{
    metrics_family(out, name, M_GAUGE, help, om);
    buf_printf(out, "%s %lld\n", name, (long long)v);
}

static void metrics_connections(buf *out, const metrics_snap *s, int om)
{
    const struct { const char *state; uint64_t n; } st[] = {
        {"attempted", s->conn_attempted}, {"established", s->conn_established},
        {"failed", s->conn_failed}, {"closed", s->conn_closed}};
    metrics_family(out, "siocrypt_connections_total", M_COUNTER,
                   "Connections (Engine.IO sessions) by state: attempted, established, failed, closed.", om);
    for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
        buf_printf(out, "siocrypt_connections_total{state=\"%s\"} %llu\n", st[i].state, (unsigned long long)st[i].n);
}

static int metrics_class_cmp(const void *a, const void *b)
{
    return strcmp(((const metrics_class *)a)->cls, ((const metrics_class *)b)->cls);
}

static void metrics_errors(buf *out, const metrics_snap *s, int om)
{
    metrics_class sorted[METRICS_MAX_CLASSES];
    memcpy(sorted, s->err, s->nerr * sizeof *sorted);
    qsort(sorted, s->nerr, sizeof *sorted, metrics_class_cmp);   /* a stable order from scrape to scrape */
    metrics_family(out, "siocrypt_errors_total", M_COUNTER,
                   "Errors by class (the report's errors{}); a class appears with its first error.", om);
    for (size_t i = 0; i < s->nerr; i++) {
        buf_append_str(out, "siocrypt_errors_total{class=\"");
        metrics_escape_label(out, sorted[i].cls);
        buf_printf(out, "\"} %llu\n", (unsigned long long)sorted[i].count);
    }
}

static void metrics_histogram(buf *out, const metrics_rtt *r, int om)
{
    uint64_t cum = 0;
    metrics_family(out, "siocrypt_round_trip_seconds", M_HISTOGRAM,
                   "Verified round trips' latency from the intended send time, in fixed buckets.", om);
    for (int i = 0; i < METRICS_RTT_BOUNDS; i++) {
        cum += r->n[i];
        buf_printf(out, "siocrypt_round_trip_seconds_bucket{le=\"%s\"} %llu\n", metrics_le[i], (unsigned long long)cum);
    }
    cum += r->n[METRICS_RTT_BOUNDS];
    buf_printf(out, "siocrypt_round_trip_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
    buf_printf(out, "siocrypt_round_trip_seconds_sum %llu.%09llu\n", (unsigned long long)(r->sum_ns / 1000000000u),
               (unsigned long long)(r->sum_ns % 1000000000u));
    buf_printf(out, "siocrypt_round_trip_seconds_count %llu\n", (unsigned long long)cum);
}

int metrics_render(const metrics_snap *s, int om, buf *out)
{
    buf b = BUF_INIT;
    /* The exposition is bounded (at most METRICS_MAX_CLASSES classes of 63 bytes, each escape doubling at
     * most): with room for all of it made first, no append below can fail half-way. */
    if (buf_reserve(&b, METRICS_RENDER_MAX) < 0) return -1;
    metrics_u64(&b, "siocrypt_messages_sent_total", M_COUNTER, "Encrypted counter messages sent.", s->sent, om);
    metrics_u64(&b, "siocrypt_messages_received_total", M_COUNTER, "Counter answers received.", s->received, om);
    metrics_u64(&b, "siocrypt_round_trips_total", M_COUNTER,
                "Round trips verified (decrypted, the right id): the report's messages.verified.", s->verified, om);
    metrics_errors(&b, s, om);
    metrics_connections(&b, s, om);
    metrics_u64(&b, "siocrypt_reconnects_total", M_COUNTER, "Dropped clients connected again.", s->reconnects, om);
    metrics_i64(&b, "siocrypt_connections_open", "Connections open now.", s->conns_open, om);
    metrics_i64(&b, "siocrypt_messages_in_flight", "Messages sent and not answered or given up yet.", s->in_flight, om);
    metrics_i64(&b, "siocrypt_clients", "Clients of the run (or ramp step) that have not finished.", s->clients, om);
    metrics_histogram(&b, &s->rtt, om);
    metrics_family(&b, "siocrypt_build_info", M_INFO, "The siocrypt that serves these metrics.", om);
    buf_append_str(&b, "siocrypt_build_info{version=\"");
    metrics_escape_label(&b, SIOCRYPT_VERSION);
    buf_append_str(&b, "\"} 1\n");
    if (om) buf_append_str(&b, "# EOF\n");
    int rc = b.len < METRICS_RENDER_MAX ? buf_append(out, b.data, b.len) : -1;
    buf_free(&b);
    return rc;
}

/* ---- the board ---------------------------------------------------------------------------------- */

void metrics_board_init(metrics_board *b)
{
    memset(&b->snap, 0, sizeof b->snap);
    pthread_mutex_init(&b->lock, NULL);
}

void metrics_board_destroy(metrics_board *b) { pthread_mutex_destroy(&b->lock); }

void metrics_board_set(metrics_board *b, const metrics_snap *s)
{
    pthread_mutex_lock(&b->lock);
    b->snap = *s;
    pthread_mutex_unlock(&b->lock);
}

void metrics_board_get(metrics_board *b, metrics_snap *out)
{
    pthread_mutex_lock(&b->lock);
    *out = b->snap;
    pthread_mutex_unlock(&b->lock);
}
