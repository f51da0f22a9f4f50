/* metrics: the live figures `--metrics-listen` serves, as a snapshot, and their rendering in the Prometheus
 * text exposition format (0.0.4) or OpenMetrics 1.0.0.
 *
 * How the numbers get here without a lock on the hot path: each worker's stats count round trips into fixed
 * buckets as they happen (metrics_rtt, inside stats), and once per sweep (100 ms) the worker copies its
 * counters into a metrics_snap it publishes under its progress lock (load/worker.c). The run's main thread
 * sums the workers' snapshots once per tick and sets the result on a metrics_board, which the listener's
 * thread (net/metrics_http.c) copies under the board's lock and renders. */
#ifndef SIOCRYPT_METRICS_H
#define SIOCRYPT_METRICS_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

/* The fixed round-trip buckets (upper bounds, seconds): 0.0001 0.00025 0.0005 0.001 0.0025 0.005 0.01
 * 0.025 0.05 0.1 0.25 0.5 1 2.5 5 10, then +Inf. */
#define METRICS_RTT_BOUNDS 16
extern const int64_t metrics_rtt_bounds_ns[METRICS_RTT_BOUNDS];

typedef struct metrics_rtt {
    uint64_t n[METRICS_RTT_BOUNDS + 1];   /* per bucket, NOT cumulative; the last: above 10 s */
    uint64_t sum_ns;
} metrics_rtt;

void metrics_rtt_record(metrics_rtt *r, int64_t ns);            /* a few compares and two adds */
void metrics_rtt_add(metrics_rtt *dst, const metrics_rtt *src);

/* Error classes in a snapshot; past the cap, the rest are counted under "(other)". */
#define METRICS_MAX_CLASSES 32
typedef struct metrics_class { char cls[64]; uint64_t count; } metrics_class;

typedef struct metrics_snap {
    uint64_t sent, received, verified, reconnects;
    uint64_t conn_attempted, conn_established, conn_failed, conn_closed;
    int64_t conns_open, in_flight, clients;   /* gauges */
    metrics_rtt rtt;
    metrics_class err[METRICS_MAX_CLASSES];
    size_t nerr;
} metrics_snap;

struct stats;
/* The counters of one worker's stats (its gauges are the worker's to fill). */
void metrics_snap_from_stats(metrics_snap *m, const struct stats *st);
/* dst += src: counters, buckets, gauges, errors by class name. */
void metrics_snap_add(metrics_snap *dst, const metrics_snap *src);
/* Count n errors of cls (clean text) into m, "(other)" past the cap. */
void metrics_snap_error(metrics_snap *m, const char *cls, uint64_t n);

/* Appends the exposition of s to out: Prometheus text format 0.0.4, or OpenMetrics 1.0.0 (families named
 * without _total, `# UNIT`, info type, `# EOF`). -1 on ENOMEM. */
int metrics_render(const metrics_snap *s, int openmetrics, buf *out);
#define METRICS_CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* A label value as both formats want it: \ " and line feed escaped. */
int metrics_escape_label(buf *out, const char *v);

/* The snapshot shared between the run's main thread (set) and the listener's thread (get). */
typedef struct metrics_board {
    pthread_mutex_t lock;
    metrics_snap snap;
} metrics_board;

void metrics_board_init(metrics_board *b);
void metrics_board_destroy(metrics_board *b);
void metrics_board_set(metrics_board *b, const metrics_snap *s);
void metrics_board_get(metrics_board *b, metrics_snap *out);

#endif
