/* timeline: per wall-clock second counters and a compact round-trip histogram, for the per-second plots
 * and for aligning several harness instances by wall second in `siocrypt merge`.
 *
 * Memory stays bounded on hour-long runs: the seconds keep their round trips as a SPARSE coarse
 * histogram (TIMELINE_SUB_BITS = 5: 32 sub-buckets per octave, ~3% precision; only non-zero buckets,
 * 8 bytes each, so a second costs 64 bytes plus 8 per distinct bucket, at most 1211). While a second is
 * current its round trips go into one dense coarse histogram (constant-time record); when time moves to
 * a later second the dense one is folded into that second's sparse list and cleared. A round trip that
 * arrives for an older second (a caller with a stale clock) is folded straight into its sparse list. */
#ifndef SIOCRYPT_TIMELINE_H
#define SIOCRYPT_TIMELINE_H
#include <stdint.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/buf.h"
#include "report/hist.h"

#define TIMELINE_SUB_BITS 5

typedef struct timeline_bucket { uint32_t idx, count; } timeline_bucket;

typedef struct timeline_sec {
    uint64_t sent, received, verified, errors;
    uint64_t opened, closed, conn_failed;    /* connections established / closed / failed in this second */
    uint32_t nb, capb;                       /* sparse round-trip buckets, sorted by idx */
    timeline_bucket *b;
} timeline_sec;

typedef struct timeline {
    int64_t first;            /* wall second (Unix time) of secs[0]; meaningful when n > 0 */
    size_t n, cap;
    timeline_sec *secs;
    hist *cur;                /* dense coarse histogram of the current second's round trips */
    int64_t cur_t;            /* its wall second, or INT64_MIN when empty */
} timeline;

int  timeline_init(timeline *tl);       /* 0, -1 on ENOMEM */
void timeline_free(timeline *tl);

/* The second t, created (with any gap before it) if new; NULL on ENOMEM. */
timeline_sec *timeline_at(timeline *tl, int64_t t);
void timeline_rtt(timeline *tl, int64_t t, int64_t rtt_ns);
void timeline_flush(timeline *tl);                       /* fold the dense current second in */
int  timeline_merge(timeline *dst, const timeline *src); /* src may be unflushed; 0 or -1 */

/* Readers (call timeline_flush first). */
int64_t  timeline_sec_percentile(const timeline_sec *s, double p);  /* ns, 0 when no round trips */
uint64_t timeline_sec_rtt_count(const timeline_sec *s);
/* Plots of long runs draw groups of seconds, at most max_points of them: timeline_plot_step is how many
 * seconds make a group (1 when n fits), timeline_group one group, seconds [from, to) with from < to <= n:
 * the mean verified round trips and errors per second, and the highest per-second p50 and p99 (ms; NaN
 * when none of them had a round trip). */
typedef struct timeline_point { double verified, errors, p50_ms, p99_ms; } timeline_point;
size_t timeline_plot_step(size_t n, size_t max_points);
timeline_point timeline_group(const timeline *tl, size_t from, size_t to);

/* Connections open at the end of every second: a running sum of opened - closed. out has tl->n slots. */
void timeline_conns_open(const timeline *tl, int64_t *out);

/* {"sub_bucket_bits":5,"unit":"ns","first":T,"seconds":[{"t":..,"sent":..,"received":..,"verified":..,
 *   "errors":..,"opened":..,"closed":..,"conn_failed":..,"conns_open":..,"p50_ms":..,"p99_ms":..,
 *   "rtt":[[idx,count],...]},...]}   conns_open/p50_ms/p99_ms are derived (p50/p99 null in a second
 *   without round trips) and ignored when read. */
cJSON *timeline_to_json(const timeline *tl);
int    timeline_from_json(timeline *tl, const cJSON *j, const char *what, buf *err);  /* tl from init */

#endif
