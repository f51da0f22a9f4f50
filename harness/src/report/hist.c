/* hist: see hist.h for the layout. Index arithmetic, with half = 2^B:
 *   shift = max(0, msb(v) - B)      (which power of two, counted from the linear first 2*half values)
 *   idx   = shift * half + (v >> shift)
 * and back: idx < 2*half -> value idx, width 1; else shift = idx/half - 1, lowest = (idx - shift*half) << shift. */
#include "report/hist.h"
#include "report/jsonx.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct hist {
    int sub_bits;
    int nbuckets;
    uint64_t total;
    uint64_t clamped_low, clamped_high;
    uint64_t sum;            /* of recorded (clamped) values, for an exact mean */
    int64_t min, max;
    uint64_t counts[];
};

static inline int index_of(int b, int64_t v)
{
    int shift = (63 - __builtin_clzll((uint64_t)v | 1)) - b;
    shift = shift < 0 ? 0 : shift;
    return (shift << b) + (int)(v >> shift);
}

int hist_index_for(int sub_bits, int64_t v) { return index_of(sub_bits, v); }

int64_t hist_lowest_equiv(int b, int idx)
{
    int half = 1 << b;
    if (idx < 2 * half) return idx;
    int shift = idx / half - 1;
    return (int64_t)(idx - shift * half) << shift;
}

int64_t hist_highest_equiv(int b, int idx)
{
    int half = 1 << b;
    if (idx < 2 * half) return idx;
    int shift = idx / half - 1;
    return hist_lowest_equiv(b, idx) + ((int64_t)1 << shift) - 1;
}

hist *hist_new_bits(int sub_bits)
{
    if (sub_bits < 3 || sub_bits > 10) return NULL;
    int n = index_of(sub_bits, HIST_HIGHEST) + 1;
    hist *h = calloc(1, sizeof *h + (size_t)n * sizeof h->counts[0]);
    if (!h) return NULL;
    h->sub_bits = sub_bits;
    h->nbuckets = n;
    h->min = INT64_MAX;
    return h;
}

hist *hist_new(void) { return hist_new_bits(HIST_SUB_BITS); }
void hist_free(hist *h) { free(h); }

void hist_reset(hist *h)
{
    memset(h->counts, 0, (size_t)h->nbuckets * sizeof h->counts[0]);
    h->total = h->clamped_low = h->clamped_high = h->sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

void hist_record_n(hist *h, int64_t v, uint64_t n)
{
    if (v < HIST_LOWEST) { v = HIST_LOWEST; h->clamped_low += n; }
    else if (v > HIST_HIGHEST) { v = HIST_HIGHEST; h->clamped_high += n; }
    h->counts[index_of(h->sub_bits, v)] += n;
    h->total += n;
    h->sum += (uint64_t)v * n;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

void hist_record(hist *h, int64_t v) { hist_record_n(h, v, 1); }

int hist_merge(hist *dst, const hist *src)
{
    if (dst->sub_bits != src->sub_bits || dst->nbuckets != src->nbuckets) return -1;
    for (int i = 0; i < src->nbuckets; i++) dst->counts[i] += src->counts[i];
    dst->total += src->total;
    dst->clamped_low += src->clamped_low;
    dst->clamped_high += src->clamped_high;
    dst->sum += src->sum;
    if (src->total) {
        if (src->min < dst->min) dst->min = src->min;
        if (src->max > dst->max) dst->max = src->max;
    }
    return 0;
}

uint64_t hist_count(const hist *h) { return h->total; }
int64_t hist_min(const hist *h) { return h->total ? h->min : 0; }
int64_t hist_max(const hist *h) { return h->total ? h->max : 0; }
double hist_mean(const hist *h) { return h->total ? (double)h->sum / (double)h->total : 0.0; }
uint64_t hist_clamped_low(const hist *h) { return h->clamped_low; }
uint64_t hist_clamped_high(const hist *h) { return h->clamped_high; }
int hist_buckets(const hist *h) { return h->nbuckets; }
uint64_t hist_count_at(const hist *h, int idx) { return idx >= 0 && idx < h->nbuckets ? h->counts[idx] : 0; }

double hist_stddev(const hist *h)
{
    if (!h->total) return 0.0;
    double mean = hist_mean(h), acc = 0.0;
    for (int i = 0; i < h->nbuckets; i++) {
        if (!h->counts[i]) continue;
        double lo = (double)hist_lowest_equiv(h->sub_bits, i);
        double mid = lo + ((double)hist_highest_equiv(h->sub_bits, i) + 1.0 - lo) / 2.0;
        acc += (mid - mean) * (mid - mean) * (double)h->counts[i];
    }
    return sqrt(acc / (double)h->total);
}

static int64_t clamp_to_seen(const hist *h, int64_t v)
{
    if (v < h->min) return h->min;
    if (v > h->max) return h->max;
    return v;
}

int64_t hist_value_at_percentile(const hist *h, double p)
{
    if (!h->total) return 0;
    if (!(p > 0)) p = 0;          /* NaN too */
    if (p > 100) p = 100;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)h->total + 0.5);
    if (rank < 1) rank = 1;
    if (rank > h->total) rank = h->total;
    uint64_t cum = 0;
    for (int i = 0; i < h->nbuckets; i++) {
        cum += h->counts[i];
        if (cum >= rank)
            return clamp_to_seen(h, p == 0 ? hist_lowest_equiv(h->sub_bits, i)
                                             : hist_highest_equiv(h->sub_bits, i));
    }
    return h->max;
}

int hist_hdr_sub_bucket_count(const hist *h) { return 2 << h->sub_bits; }

int hist_hdr_bucket_count(const hist *h)
{
    int last = h->nbuckets - 1, half = 1 << h->sub_bits;
    return last < 2 * half ? 1 : last / half;   /* shift of the last bucket + 1 */
}

/* ---- percentile iteration (HdrHistogram's PercentileIterator) ---- */

void hist_piter_init(hist_piter *it, const hist *h, int ticks)
{
    memset(it, 0, sizeof *it);
    it->h = h;
    it->ticks = ticks > 0 ? ticks : 5;
    it->idx = -1;
    it->state = h->total ? 0 : 2;
}

static void piter_advance_level(hist_piter *it)
{
    /* ticks per half distance: the step halves each time the remaining distance to 100% halves */
    double rem = 100.0 - it->level;
    if (rem <= 0) { it->level = 100.0; return; }
    int64_t halvings = (int64_t)(log(100.0 / rem) / log(2.0));
    if (halvings > 60) halvings = 60;
    double ticks = (double)it->ticks * ldexp(1.0, (int)halvings + 1);
    it->level += 100.0 / ticks;
}

int hist_piter_next(hist_piter *it)
{
    const hist *h = it->h;
    if (it->state == 2) return 0;
    if (it->state == 1) {       /* the closing line: the last value at 100% */
        it->value = hist_highest_equiv(h->sub_bits, it->idx);
        it->percentile = 100.0;
        it->total_count = it->cum;
        it->last = 1;
        it->state = 2;
        return 1;
    }
    for (;;) {
        if (it->idx >= 0 && h->counts[it->idx]) {
            double cur = 100.0 * (double)it->cum / (double)h->total;
            if (cur >= it->level) {
                it->value = hist_highest_equiv(h->sub_bits, it->idx);
                it->percentile = it->level;
                it->total_count = it->cum;
                it->last = 0;
                piter_advance_level(it);
                if (it->cum >= h->total) it->state = 1;
                return 1;
            }
        }
        if (it->cum >= h->total && it->idx >= 0) { it->state = 1; return hist_piter_next(it); }
        if (++it->idx >= h->nbuckets) { it->state = 2; return 0; }
        it->cum += h->counts[it->idx];
    }
}

/* ---- JSON ---- */

cJSON *hist_to_json(const hist *h)
{
    cJSON *o = cJSON_CreateObject(), *b = cJSON_CreateArray();
    if (!o || !b) { cJSON_Delete(o); cJSON_Delete(b); return NULL; }
    cJSON_AddStringToObject(o, "unit", "ns");
    jsonx_add_int(o, "sub_bucket_bits", h->sub_bits);
    jsonx_add_int(o, "lowest", HIST_LOWEST);
    jsonx_add_int(o, "highest", HIST_HIGHEST);
    jsonx_add_int(o, "count", (int64_t)h->total);
    jsonx_add_int(o, "min", hist_min(h));
    jsonx_add_int(o, "max", hist_max(h));
    if (h->sum <= (uint64_t)INT64_MAX) jsonx_add_int(o, "sum", (int64_t)h->sum);
    else jsonx_add_num(o, "sum", (double)h->sum);
    jsonx_add_int(o, "clamped_low", (int64_t)h->clamped_low);
    jsonx_add_int(o, "clamped_high", (int64_t)h->clamped_high);
    for (int i = 0; i < h->nbuckets; i++) {
        if (!h->counts[i]) continue;
        cJSON *pair = cJSON_CreateArray();
        if (!pair) continue;
        cJSON_AddItemToArray(pair, jsonx_int(i));
        cJSON_AddItemToArray(pair, jsonx_int((int64_t)h->counts[i]));
        cJSON_AddItemToArray(b, pair);
    }
    cJSON_AddItemToObject(o, "buckets", b);
    return o;
}

hist *hist_from_json(const cJSON *j, const char *what, buf *err)
{
    int64_t bits, lowest, highest, count, min, max, cl, ch;
    double dsum;   /* the sum of ns may pass 2^53 on huge runs: read as a number (exact below 2^53) */
    char unit[8];
    if (!cJSON_IsObject(j)) { if (err) buf_printf(err, "%s: not an object", what); return NULL; }
    if (jsonx_get_str(j, "unit", unit, sizeof unit, what, err) < 0) return NULL;
    if (strcmp(unit, "ns")) { if (err) buf_printf(err, "%s.unit: \"%s\", expected \"ns\"", what, unit); return NULL; }
    if (jsonx_get_int(j, "sub_bucket_bits", &bits, what, err) < 0 ||
        jsonx_get_int(j, "lowest", &lowest, what, err) < 0 ||
        jsonx_get_int(j, "highest", &highest, what, err) < 0 ||
        jsonx_get_int(j, "count", &count, what, err) < 0 ||
        jsonx_get_int(j, "min", &min, what, err) < 0 ||
        jsonx_get_int(j, "max", &max, what, err) < 0 ||
        jsonx_get_num(j, "sum", &dsum, what, err) < 0 ||
        jsonx_get_int(j, "clamped_low", &cl, what, err) < 0 ||
        jsonx_get_int(j, "clamped_high", &ch, what, err) < 0) return NULL;
    if (bits < 3 || bits > 10 || lowest != HIST_LOWEST || highest != HIST_HIGHEST) {
        if (err) buf_printf(err, "%s: histogram layout (sub_bucket_bits %lld, range %lld..%lld) is not one this "
                            "version reads", what, (long long)bits, (long long)lowest, (long long)highest);
        return NULL;
    }
    if (!(dsum >= 0) || dsum > 1.8e19) { if (err) buf_printf(err, "%s.sum: not a non-negative number", what); return NULL; }
    if (count < 0 || cl < 0 || ch < 0 || (count && (min < HIST_LOWEST || max > HIST_HIGHEST || min > max))) {
        if (err) buf_printf(err, "%s: inconsistent count/min/max/sum", what);
        return NULL;
    }
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "buckets");
    if (!cJSON_IsArray(b)) { if (err) buf_printf(err, "%s.buckets: missing or not an array", what); return NULL; }
    hist *h = hist_new_bits((int)bits);
    if (!h) { if (err) buf_printf(err, "%s: out of memory", what); return NULL; }
    uint64_t total = 0;
    const cJSON *pair;
    int k = 0;
    cJSON_ArrayForEach(pair, b) {
        int64_t idx, n;
        if (cJSON_GetArraySize(pair) != 2 || jsonx_int_of(cJSON_GetArrayItem(pair, 0), &idx) < 0 ||
            jsonx_int_of(cJSON_GetArrayItem(pair, 1), &n) < 0 || idx < 0 || idx >= h->nbuckets || n < 0) {
            if (err) buf_printf(err, "%s.buckets[%d]: expected [index, count] with 0 <= index < %d", what, k, h->nbuckets);
            hist_free(h);
            return NULL;
        }
        h->counts[idx] += (uint64_t)n;
        total += (uint64_t)n;
        k++;
    }
    if (total != (uint64_t)count) {
        if (err) buf_printf(err, "%s: bucket counts add up to %llu, \"count\" says %lld", what,
                            (unsigned long long)total, (long long)count);
        hist_free(h);
        return NULL;
    }
    h->total = total;
    h->sum = (uint64_t)dsum;
    h->clamped_low = (uint64_t)cl;
    h->clamped_high = (uint64_t)ch;
    h->min = count ? min : INT64_MAX;
    h->max = count ? max : 0;
    return h;
}
