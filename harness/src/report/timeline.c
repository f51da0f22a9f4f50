#include "report/timeline.h"
#include "report/jsonx.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A clock jump must not allocate gigabytes: a timeline spans at most a week of seconds. */
#define TIMELINE_MAX_SPAN (7 * 86400)

int timeline_init(timeline *tl)
{
    memset(tl, 0, sizeof *tl);
    tl->cur_t = INT64_MIN;
    tl->cur = hist_new_bits(TIMELINE_SUB_BITS);
    return tl->cur ? 0 : -1;
}

void timeline_free(timeline *tl)
{
    for (size_t i = 0; i < tl->n; i++) free(tl->secs[i].b);
    free(tl->secs);
    hist_free(tl->cur);
    memset(tl, 0, sizeof *tl);
}

static int grow(timeline *tl, size_t need)
{
    if (need <= tl->cap) return 0;
    size_t cap = tl->cap ? tl->cap * 2 : 64;
    while (cap < need) cap *= 2;
    timeline_sec *s = realloc(tl->secs, cap * sizeof *s);
    if (!s) return -1;
    tl->secs = s;
    tl->cap = cap;
    return 0;
}

timeline_sec *timeline_at(timeline *tl, int64_t t)
{
    if (tl->n == 0) {
        if (grow(tl, 1) < 0) return NULL;
        memset(&tl->secs[0], 0, sizeof tl->secs[0]);
        tl->first = t;
        tl->n = 1;
        return &tl->secs[0];
    }
    if (t >= tl->first && t < tl->first + (int64_t)tl->n) return &tl->secs[t - tl->first];
    int64_t lo = t < tl->first ? t : tl->first;
    int64_t hi = t >= tl->first + (int64_t)tl->n ? t : tl->first + (int64_t)tl->n - 1;
    if (hi - lo >= TIMELINE_MAX_SPAN) return NULL;
    size_t n = (size_t)(hi - lo + 1);
    if (grow(tl, n) < 0) return NULL;
    if (t < tl->first) {
        size_t shift = (size_t)(tl->first - t);
        memmove(tl->secs + shift, tl->secs, tl->n * sizeof tl->secs[0]);
        memset(tl->secs, 0, shift * sizeof tl->secs[0]);
        tl->first = t;
    } else {
        memset(tl->secs + tl->n, 0, (n - tl->n) * sizeof tl->secs[0]);
    }
    tl->n = n;
    return &tl->secs[t - tl->first];
}

static int sparse_add(timeline_sec *s, uint32_t idx, uint64_t n)
{
    uint32_t lo = 0, hi = s->nb;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (s->b[mid].idx < idx) lo = mid + 1; else hi = mid;
    }
    if (lo < s->nb && s->b[lo].idx == idx) { s->b[lo].count += (uint32_t)n; return 0; }
    if (s->nb == s->capb) {
        uint32_t cap = s->capb ? s->capb * 2 : 16;
        timeline_bucket *b = realloc(s->b, cap * sizeof *b);
        if (!b) return -1;
        s->b = b;
        s->capb = cap;
    }
    memmove(s->b + lo + 1, s->b + lo, (s->nb - lo) * sizeof s->b[0]);
    s->b[lo].idx = idx;
    s->b[lo].count = (uint32_t)n;
    s->nb++;
    return 0;
}

static void fold_dense(timeline *dst, int64_t t, const hist *h)
{
    timeline_sec *s = timeline_at(dst, t);
    if (!s) return;
    for (int i = 0; i < hist_buckets(h); i++) {
        uint64_t c = hist_count_at(h, i);
        if (c) sparse_add(s, (uint32_t)i, c);
    }
}

void timeline_flush(timeline *tl)
{
    if (tl->cur_t == INT64_MIN) return;
    fold_dense(tl, tl->cur_t, tl->cur);
    hist_reset(tl->cur);
    tl->cur_t = INT64_MIN;
}

void timeline_rtt(timeline *tl, int64_t t, int64_t rtt_ns)
{
    if (t == tl->cur_t) { hist_record(tl->cur, rtt_ns); return; }
    if (tl->cur_t == INT64_MIN || t > tl->cur_t) {
        timeline_flush(tl);
        if (!timeline_at(tl, t)) return;
        tl->cur_t = t;
        hist_record(tl->cur, rtt_ns);
        return;
    }
    timeline_sec *s = timeline_at(tl, t);           /* late arrival for an older second */
    if (!s) return;
    if (rtt_ns < HIST_LOWEST) rtt_ns = HIST_LOWEST;
    if (rtt_ns > HIST_HIGHEST) rtt_ns = HIST_HIGHEST;
    sparse_add(s, (uint32_t)hist_index_for(TIMELINE_SUB_BITS, rtt_ns), 1);
}

int timeline_merge(timeline *dst, const timeline *src)
{
    for (size_t i = 0; i < src->n; i++) {
        const timeline_sec *a = &src->secs[i];
        timeline_sec *d = timeline_at(dst, src->first + (int64_t)i);
        if (!d) return -1;
        d->sent += a->sent; d->received += a->received; d->verified += a->verified;
        d->errors += a->errors; d->opened += a->opened; d->closed += a->closed;
        d->conn_failed += a->conn_failed;
        for (uint32_t k = 0; k < a->nb; k++)
            if (sparse_add(d, a->b[k].idx, a->b[k].count) < 0) return -1;
    }
    if (src->cur_t != INT64_MIN) fold_dense(dst, src->cur_t, src->cur);
    return 0;
}

uint64_t timeline_sec_rtt_count(const timeline_sec *s)
{
    uint64_t n = 0;
    for (uint32_t k = 0; k < s->nb; k++) n += s->b[k].count;
    return n;
}

int64_t timeline_sec_percentile(const timeline_sec *s, double p)
{
    uint64_t total = timeline_sec_rtt_count(s);
    if (!total) return 0;
    if (!(p > 0)) p = 0;
    if (p > 100) p = 100;
    uint64_t rank = (uint64_t)(p / 100.0 * (double)total + 0.5), cum = 0;
    if (rank < 1) rank = 1;
    for (uint32_t k = 0; k < s->nb; k++) {
        cum += s->b[k].count;
        if (cum >= rank)
            return p == 0 ? hist_lowest_equiv(TIMELINE_SUB_BITS, (int)s->b[k].idx)
                          : hist_highest_equiv(TIMELINE_SUB_BITS, (int)s->b[k].idx);
    }
    return hist_highest_equiv(TIMELINE_SUB_BITS, (int)s->b[s->nb - 1].idx);
}

void timeline_conns_open(const timeline *tl, int64_t *out)
{
    int64_t open = 0;
    for (size_t i = 0; i < tl->n; i++) {
        open += (int64_t)tl->secs[i].opened - (int64_t)tl->secs[i].closed;
        out[i] = open;
    }
}

cJSON *timeline_to_json(const timeline *tl)
{
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
    int64_t *open = malloc((tl->n ? tl->n : 1) * sizeof *open);
    if (!o || !arr || !open) { cJSON_Delete(o); cJSON_Delete(arr); free(open); return NULL; }
    timeline_conns_open(tl, open);
    cJSON_AddStringToObject(o, "unit", "ns");
    jsonx_add_int(o, "sub_bucket_bits", TIMELINE_SUB_BITS);
    jsonx_add_int(o, "first", tl->n ? tl->first : 0);
    for (size_t i = 0; i < tl->n; i++) {
        const timeline_sec *s = &tl->secs[i];
        cJSON *e = cJSON_CreateObject(), *r = cJSON_CreateArray();
        if (!e || !r) { cJSON_Delete(e); cJSON_Delete(r); continue; }
        jsonx_add_int(e, "t", tl->first + (int64_t)i);
        jsonx_add_int(e, "sent", (int64_t)s->sent);
        jsonx_add_int(e, "received", (int64_t)s->received);
        jsonx_add_int(e, "verified", (int64_t)s->verified);
        jsonx_add_int(e, "errors", (int64_t)s->errors);
        jsonx_add_int(e, "opened", (int64_t)s->opened);
        jsonx_add_int(e, "closed", (int64_t)s->closed);
        jsonx_add_int(e, "conn_failed", (int64_t)s->conn_failed);
        jsonx_add_int(e, "conns_open", open[i]);
        int has = s->nb > 0;      /* no round trips in this second: null, not 0 */
        jsonx_add_num(e, "p50_ms", has ? (double)timeline_sec_percentile(s, 50) / 1e6 : NAN);
        jsonx_add_num(e, "p99_ms", has ? (double)timeline_sec_percentile(s, 99) / 1e6 : NAN);
        for (uint32_t k = 0; k < s->nb; k++) {
            cJSON *pair = cJSON_CreateArray();
            if (!pair) continue;
            cJSON_AddItemToArray(pair, jsonx_int(s->b[k].idx));
            cJSON_AddItemToArray(pair, jsonx_int(s->b[k].count));
            cJSON_AddItemToArray(r, pair);
        }
        cJSON_AddItemToObject(e, "rtt", r);
        cJSON_AddItemToArray(arr, e);
    }
    cJSON_AddItemToObject(o, "seconds", arr);
    free(open);
    return o;
}

int timeline_from_json(timeline *tl, const cJSON *j, const char *what, buf *err)
{
    int64_t bits;
    if (!cJSON_IsObject(j)) { if (err) buf_printf(err, "%s: not an object", what); return -1; }
    if (jsonx_get_int(j, "sub_bucket_bits", &bits, what, err) < 0) return -1;
    if (bits != TIMELINE_SUB_BITS) {
        if (err) buf_printf(err, "%s.sub_bucket_bits: %lld, this version reads %d", what, (long long)bits, TIMELINE_SUB_BITS);
        return -1;
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "seconds"), *e;
    if (!cJSON_IsArray(arr)) { if (err) buf_printf(err, "%s.seconds: missing or not an array", what); return -1; }
    int nbk = hist_buckets(tl->cur), k = 0;
    cJSON_ArrayForEach(e, arr) {
        char w[96];
        snprintf(w, sizeof w, "%s.seconds[%d]", what, k++);
        int64_t t;
        uint64_t v[7];
        static const char *names[7] = {"sent", "received", "verified", "errors", "opened", "closed", "conn_failed"};
        if (jsonx_get_int(e, "t", &t, w, err) < 0) return -1;
        for (int i = 0; i < 7; i++)
            if (jsonx_get_uint(e, names[i], &v[i], w, err) < 0) return -1;
        timeline_sec *s = timeline_at(tl, t);
        if (!s) { if (err) buf_printf(err, "%s.t: %lld is more than a week from the other seconds", w, (long long)t); return -1; }
        s->sent += v[0]; s->received += v[1]; s->verified += v[2]; s->errors += v[3];
        s->opened += v[4]; s->closed += v[5]; s->conn_failed += v[6];
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(e, "rtt"), *pair;
        if (!cJSON_IsArray(r)) { if (err) buf_printf(err, "%s.rtt: missing or not an array", w); return -1; }
        cJSON_ArrayForEach(pair, r) {
            int64_t idx, n;
            if (cJSON_GetArraySize(pair) != 2 || jsonx_int_of(cJSON_GetArrayItem(pair, 0), &idx) < 0 ||
                jsonx_int_of(cJSON_GetArrayItem(pair, 1), &n) < 0 || idx < 0 || idx >= nbk || n < 0 ||
                n > UINT32_MAX) {
                if (err) buf_printf(err, "%s.rtt: expected [index, count] pairs with 0 <= index < %d", w, nbk);
                return -1;
            }
            if (sparse_add(s, (uint32_t)idx, (uint64_t)n) < 0) { if (err) buf_printf(err, "%s: out of memory", w); return -1; }
        }
    }
    return 0;
}

size_t timeline_plot_step(size_t n, size_t max_points)
{
    return n > max_points ? (n + max_points - 1) / max_points : 1;
}

timeline_point timeline_group(const timeline *tl, size_t from, size_t to)
{
    timeline_point pt = {0, 0, NAN, NAN};
    for (size_t i = from; i < to; i++) {
        const timeline_sec *s = &tl->secs[i];
        pt.verified += (double)s->verified;
        pt.errors += (double)s->errors;
        if (!timeline_sec_rtt_count(s)) continue;
        pt.p50_ms = fmax(isnan(pt.p50_ms) ? 0 : pt.p50_ms, (double)timeline_sec_percentile(s, 50) / 1e6);
        pt.p99_ms = fmax(isnan(pt.p99_ms) ? 0 : pt.p99_ms, (double)timeline_sec_percentile(s, 99) / 1e6);
    }
    pt.verified /= (double)(to - from);
    pt.errors /= (double)(to - from);
    return pt;
}
