/* hist: an HDR-style log-linear histogram of int64 values (the harness records NANOSECONDS).
 *
 * Layout (the same as HdrHistogram's with unit 1): with B = sub_bits, values below 2^(B+1) have their own
 * counter; above that every power of two is split into 2^B equal sub-buckets. The width of the bucket
 * holding v is at most v / 2^B, so with the default B = 7 (128 sub-buckets per octave, 256 "SubBuckets"
 * in HdrHistogram's terms, the same as its 2 significant digits) a reported value is within 0.79% of any
 * value recorded in its bucket. Range 1 ns .. 1 hour (HIST_HIGHEST); values outside are clamped to the
 * range and counted (clamped_low / clamped_high), never dropped, so counts stay exact.
 *
 * hist_record is constant time (one count-leading-zeros, a shift, an add) and never allocates.
 * Not thread safe: one histogram per worker, merged at the end. */
#ifndef SIOCRYPT_HIST_H
#define SIOCRYPT_HIST_H
#include <stdint.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/buf.h"

#define HIST_LOWEST   INT64_C(1)
#define HIST_HIGHEST  INT64_C(3600000000000)   /* one hour in ns */
#define HIST_SUB_BITS 7                        /* ~0.8% precision; 4562 counters, 36 KiB */

typedef struct hist hist;

hist    *hist_new(void);                        /* default precision (HIST_SUB_BITS) */
hist    *hist_new_bits(int sub_bits);           /* 3..10; coarser histograms, e.g. per-second ones */
void     hist_free(hist *h);
void     hist_reset(hist *h);

void     hist_record(hist *h, int64_t v);
void     hist_record_n(hist *h, int64_t v, uint64_t n);
int      hist_merge(hist *dst, const hist *src);   /* 0, or -1 when the layouts differ */

uint64_t hist_count(const hist *h);
int64_t  hist_min(const hist *h);                /* exact; 0 when empty */
int64_t  hist_max(const hist *h);                /* exact; 0 when empty */
double   hist_mean(const hist *h);               /* exact (from the sum of recorded values); 0 when empty */
double   hist_stddev(const hist *h);             /* from bucket midpoints, as HdrHistogram does */
uint64_t hist_clamped_low(const hist *h);
uint64_t hist_clamped_high(const hist *h);
/* HdrHistogram's getValueAtPercentile (p in 0..100): the highest equivalent value (lowest for p = 0) of
 * the bucket holding rank round(p/100 * count) (at least 1), clamped to the exact [min, max]; 0 when empty. */
int64_t  hist_value_at_percentile(const hist *h, double p);

/* Layout, for iteration and for sparse copies. */
int      hist_buckets(const hist *h);            /* number of counters */
uint64_t hist_count_at(const hist *h, int idx);
int      hist_index_for(int sub_bits, int64_t v);       /* v already inside the range */
int64_t  hist_lowest_equiv(int sub_bits, int idx);
int64_t  hist_highest_equiv(int sub_bits, int idx);
int      hist_hdr_bucket_count(const hist *h);   /* HdrHistogram's "Buckets" for the footer of .hgrm */
int      hist_hdr_sub_bucket_count(const hist *h);

/* Percentile iteration, HdrHistogram's PercentileIterator (ticks per half distance to 100%; it uses 5
 * in outputPercentileDistribution): steps 0%, 10%, 20%, ... 50%, 55%, ... closing in on 100%, then one
 * last step at 100%. Each step gives the highest equivalent value reached, the percentile level stepped
 * to (0..100) and the total count up to that value. */
typedef struct hist_piter {
    const hist *h;
    int ticks;
    int idx;               /* current bucket */
    uint64_t cum;          /* count up to and including idx */
    double level;          /* next level to report */
    int state;             /* 0 running, 1 the 100% line is next, 2 done */
    /* outputs of the last hist_piter_next */
    int64_t value;
    double percentile;
    uint64_t total_count;
    int last;              /* 1 for the closing 100% line */
} hist_piter;

void hist_piter_init(hist_piter *it, const hist *h, int ticks_per_half_distance);
int  hist_piter_next(hist_piter *it);     /* 1 while it yields a step, 0 at the end */

/* JSON form (compact, only non-zero buckets):
 * {"unit":"ns","sub_bucket_bits":7,"lowest":1,"highest":3600000000000,"count":N,"min":..,"max":..,
 *  "sum":..,"clamped_low":0,"clamped_high":0,"buckets":[[index,count],...]}
 * hist_from_json checks the layout, every index and that the bucket counts add up to "count". */
cJSON   *hist_to_json(const hist *h);
hist    *hist_from_json(const cJSON *j, const char *what, buf *err);

#endif
