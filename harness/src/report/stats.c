#include "report/stats.h"
#include "base/text.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

stats *stats_new(void)
{
    stats *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->rtt = hist_new();
    s->connect = hist_new();
    s->upgrade = hist_new();
    s->encrypt = hist_new();
    s->decrypt = hist_new();
    s->late_rtt = hist_new();
    s->tls = hist_new();
    s->reconnect = hist_new();
    if (!s->rtt || !s->connect || !s->upgrade || !s->encrypt || !s->decrypt || !s->late_rtt || !s->tls || !s->reconnect ||
        timeline_init(&s->tl) < 0) {
        stats_free(s);
        return NULL;
    }
    int64_t m = clock_ns(CLOCK_MONOTONIC);
    stats_set_epoch(s, m, clock_ns(CLOCK_REALTIME));
    return s;
}

void stats_free(stats *s)
{
    if (!s) return;
    hist_free(s->rtt); hist_free(s->connect); hist_free(s->upgrade);
    hist_free(s->encrypt); hist_free(s->decrypt); hist_free(s->late_rtt); hist_free(s->reconnect);
    hist_free(s->tls);
    timeline_free(&s->tl);
    free(s->err);
    for (size_t i = 0; i < s->nseries; i++) hist_free(s->series[i].latency);
    free(s->series);
    free(s);
}

void stats_set_epoch(stats *s, int64_t mono_ns, int64_t wall_ns) { s->wall_minus_mono_ns = wall_ns - mono_ns; }

int64_t stats_wall_second(const stats *s, int64_t now_ns)
{
    int64_t w = now_ns + s->wall_minus_mono_ns;
    return w >= 0 ? w / 1000000000 : -((-w + 999999999) / 1000000000);
}

/* The second's counters; NULL only on ENOMEM or an absurd clock, and then just the timeline misses it. */
static timeline_sec *sec(stats *s, int64_t now_ns) { return timeline_at(&s->tl, stats_wall_second(s, now_ns)); }

void stats_conn_attempt(stats *s, int64_t now_ns) { (void)now_ns; s->conn_attempted++; }

void stats_conn_established(stats *s, int64_t now_ns, int64_t connect_ns)
{
    s->conn_established++;
    hist_record(s->connect, connect_ns);
    timeline_sec *t = sec(s, now_ns);
    if (t) t->opened++;
}

void stats_conn_failed(stats *s, int64_t now_ns)
{
    s->conn_failed++;
    timeline_sec *t = sec(s, now_ns);
    if (t) t->conn_failed++;
}

void stats_conn_closed(stats *s, int64_t now_ns)
{
    s->conn_closed++;
    timeline_sec *t = sec(s, now_ns);
    if (t) t->closed++;
}

void stats_sent(stats *s, int64_t now_ns)
{
    s->sent++;
    if (!s->first_send_ns) s->first_send_ns = now_ns;
    s->last_send_ns = now_ns;
    s->verified_at_last_send = s->verified;
    if (now_ns < s->win_from_ns) s->sent_before_win++;
    timeline_sec *t = sec(s, now_ns);
    if (t) t->sent++;
}

void stats_received(stats *s, int64_t now_ns)
{
    s->received++;
    timeline_sec *t = sec(s, now_ns);
    if (t) t->received++;
}

void stats_verified(stats *s, int64_t now_ns, int64_t rtt_ns)
{
    s->verified++;
    s->last_verified_ns = now_ns;
    if (now_ns < s->win_from_ns) s->verified_before_win++;
    hist_record(s->rtt, rtt_ns);
    metrics_rtt_record(&s->rtt_fixed, rtt_ns);
    int64_t w = stats_wall_second(s, now_ns);
    timeline_sec *t = timeline_at(&s->tl, w);
    if (t) t->verified++;
    timeline_rtt(&s->tl, w, rtt_ns);
}

void stats_late(stats *s, int64_t now_ns, int64_t rtt_ns)
{
    (void)now_ns;
    s->late++;
    hist_record(s->late_rtt, rtt_ns);
}

void stats_held(stats *s) { s->held++; }

void stats_window_from(stats *s, int64_t from_ns) { s->win_from_ns = from_ns; }

stats_win stats_window(const stats *s)
{
    if (s->win_merged) return (stats_win){s->win_ns, s->win_verified, s->win_sent};
    stats_win w = {0, 0, 0};
    if (!s->first_send_ns) return w;
    int64_t from = s->win_from_ns > s->first_send_ns ? s->win_from_ns : s->first_send_ns;
    uint64_t before = s->verified_before_win < s->verified_at_last_send ? s->verified_before_win
                                                                         : s->verified_at_last_send;
    w.ns = s->last_send_ns - from;
    w.verified = s->verified_at_last_send - before;
    w.sent = s->sent - s->sent_before_win;
    if (w.ns > 0 && w.verified > 0) return w;
    /* no steady stretch between two sends (one message each): the time from the first send to the last answer */
    w.ns = s->last_verified_ns > s->first_send_ns ? s->last_verified_ns - s->first_send_ns : 0;
    w.verified = w.ns > 0 ? s->verified : 0;
    w.sent = w.ns > 0 ? s->sent : 0;
    return w;
}

void stats_set_window(stats *s, stats_win w)
{
    s->win_merged = 1;
    s->win_ns = w.ns > 0 ? w.ns : 0;
    s->win_verified = w.verified;
    s->win_sent = w.sent;
}

void stats_encrypt_ns(stats *s, int64_t ns) { hist_record(s->encrypt, ns); }
void stats_decrypt_ns(stats *s, int64_t ns) { hist_record(s->decrypt, ns); }
void stats_upgrade_ns(stats *s, int64_t ns) { hist_record(s->upgrade, ns); }

/* The first session's figures stand for the run: one target, one configuration, so they rarely differ. */
void stats_tls_names(stats *s, const char *version, const char *cipher)
{
    if (s->tls_version[0] || !version || !version[0]) return;
    TEXT_SET(s->tls_version, version, 0);
    TEXT_SET(s->tls_cipher, cipher ? cipher : "", 0);
}

void stats_tls_insecure(stats *s) { s->tls_insecure = 1; }

void stats_tls(stats *s, int64_t ns, const char *version, const char *cipher)
{
    hist_record(s->tls, ns);
    stats_tls_names(s, version, cipher);
}

void stats_drop(stats *s) { s->drops++; }

void stats_reconnected(stats *s, int64_t since_drop_ns)
{
    s->reconnects++;
    hist_record(s->reconnect, since_drop_ns);
}

void stats_ws_open(stats *s, int deflate)
{
    s->ws_opened++;
    s->ws_deflate += deflate != 0;
}

/* Clean (text.h) and cut on a character boundary ("..." when cut), so every writer can print it; ':'
 * separates class and detail, so a class keeps none. */
static void clean_copy(char *dst, size_t cap, const char *src, size_t n, int is_class)
{
    text_clean_to(dst, cap, src, n, TEXT_MARK_CUT);
    if (is_class)
        for (char *p = dst; (p = strchr(p, ':')); p++) *p = '_';
}

static stats_error_kind *error_kind(stats *s, const char *cls, size_t cls_len, const char *detail)
{
    char c[64], d[160];
    clean_copy(c, sizeof c, cls, cls_len, 1);
    clean_copy(d, sizeof d, detail ? detail : "", detail ? strlen(detail) : 0, 0);
    if (!c[0]) strcpy(c, "unknown");
    for (size_t i = 0; i < s->nerr; i++)
        if (!strcmp(s->err[i].cls, c) && !strcmp(s->err[i].detail, d)) return &s->err[i];
    if (s->nerr >= STATS_MAX_ERROR_KINDS) {
        /* past the limit a class gets one "(other)" detail; past that too, the last slot absorbs it */
        if (strcmp(d, "(other)")) return error_kind(s, c, strlen(c), "(other)");
        if (s->nerr >= STATS_MAX_ERROR_KINDS + 64) return &s->err[s->nerr - 1];
    }
    if (s->nerr == s->caperr) {
        size_t cap = s->caperr ? s->caperr * 2 : 8;
        stats_error_kind *e = realloc(s->err, cap * sizeof *e);
        if (!e) return NULL;
        s->err = e;
        s->caperr = cap;
    }
    stats_error_kind *k = &s->err[s->nerr++];
    memcpy(k->cls, c, sizeof c);
    memcpy(k->detail, d, sizeof d);
    k->count = 0;
    return k;
}

static int error_add(stats *s, const char *cls, const char *detail, uint64_t n)
{
    if (!cls) cls = "unknown";
    size_t len = strlen(cls);
    const char *colon = strchr(cls, ':');
    if (!detail && colon) { len = (size_t)(colon - cls); detail = colon + 1; }
    stats_error_kind *k = error_kind(s, cls, len, detail);
    if (!k) return -1;
    k->count += n;
    return 0;
}

void stats_error(stats *s, int64_t now_ns, const char *cls, const char *detail)
{
    s->errors++;
    error_add(s, cls, detail, 1);
    timeline_sec *t = sec(s, now_ns);
    if (t) t->errors++;
}

int stats_error_add(stats *s, const char *cls, const char *detail, uint64_t count)
{
    s->errors += count;
    return error_add(s, cls, detail && *detail ? detail : NULL, count);
}

size_t stats_error_classes(const stats *s, stats_class_total *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nerr; i++) {
        size_t j = 0;
        while (j < n && strcmp(out[j].cls, s->err[i].cls)) j++;
        if (j == n) {
            if (n == cap) continue;
            out[n].cls = s->err[i].cls;
            out[n].count = 0;
            n++;
        }
        out[j].count += s->err[i].count;
    }
    return n;
}

/* ---- named series ---- */

static int series_find(const stats *s, const char *name)
{
    for (size_t i = 0; i < s->nseries; i++)
        if (!strcmp(s->series[i].name, name)) return (int)i;
    return -1;
}

/* The array takes all STATS_MAX_SERIES slots at the first add, so indices and the slots stay put. */
int stats_series_add(stats *s, const char *name, int is_on)
{
    char n[sizeof s->series[0].name];
    TEXT_SET(n, name, TEXT_MARK_CUT);
    if (!n[0]) strcpy(n, "unnamed");
    int i = series_find(s, n);
    if (i >= 0) return i;
    if (s->nseries >= STATS_MAX_SERIES) return -1;
    if (!s->series && !(s->series = calloc(STATS_MAX_SERIES, sizeof *s->series))) return -1;
    stats_series *x = &s->series[s->nseries];
    memset(x, 0, sizeof *x);
    if (!(x->latency = hist_new())) return -1;
    memcpy(x->name, n, sizeof n);
    x->is_on = is_on != 0;
    return (int)s->nseries++;
}

static stats_series *series_at(stats *s, int i)
{
    return i >= 0 && (size_t)i < s->nseries ? &s->series[i] : NULL;
}

void stats_series_sent(stats *s, int i)
{
    stats_series *x = series_at(s, i);
    if (x) x->sent++;
}

void stats_series_ok(stats *s, int i, int64_t latency_ns)
{
    stats_series *x = series_at(s, i);
    if (!x) return;
    x->ok++;
    if (latency_ns >= 0) hist_record(x->latency, latency_ns);
}

/* The class as the run's errors{} keys it (the part before ':', cleaned); past the last free slot but one,
 * new classes count as "(other)", which keeps the last slot. */
static void series_fail_add(stats_series *x, const char *cls, uint64_t n)
{
    char c[sizeof x->fail[0].cls];
    if (!cls) cls = "unknown";
    clean_copy(c, sizeof c, cls, strcspn(cls, ":"), 1);
    if (!c[0]) strcpy(c, "unknown");
    size_t k = 0;
    while (k < x->nfail && strcmp(x->fail[k].cls, c)) k++;
    if (k == x->nfail && x->nfail >= STATS_SERIES_MAX_CLASSES - 1 && strcmp(c, "(other)")) {
        strcpy(c, "(other)");
        for (k = 0; k < x->nfail && strcmp(x->fail[k].cls, c); k++) {}
    }
    if (k == x->nfail) {
        memcpy(x->fail[k].cls, c, sizeof c);
        x->fail[k].count = 0;
        x->nfail++;
    }
    x->fail[k].count += n;
    x->failed += n;
}

void stats_series_failed(stats *s, int i, const char *cls)
{
    stats_series *x = series_at(s, i);
    if (x) series_fail_add(x, cls, 1);
}

void stats_series_expected(stats *s, int i, uint64_t n)
{
    stats_series *x = series_at(s, i);
    if (x) x->expected += n;
}

int stats_series_fail_add(stats *s, int i, const char *cls, uint64_t n)
{
    stats_series *x = series_at(s, i);
    if (!x) return -1;
    series_fail_add(x, cls, n);
    return 0;
}

/* By name: a name dst lacks is added (kind as src has it); counts add, histograms merge. */
static int series_merge(stats *dst, const stats *src)
{
    for (size_t i = 0; i < src->nseries; i++) {
        const stats_series *b = &src->series[i];
        int k = stats_series_add(dst, b->name, b->is_on);
        if (k < 0) return -1;
        stats_series *a = &dst->series[k];
        a->sent += b->sent;
        a->ok += b->ok;
        a->expected += b->expected;
        if (hist_merge(a->latency, b->latency) < 0) return -1;
        for (size_t c = 0; c < b->nfail; c++) series_fail_add(a, b->fail[c].cls, b->fail[c].count);
    }
    return 0;
}

int stats_merge(stats *dst, const stats *src)
{
    dst->conn_attempted += src->conn_attempted;
    dst->conn_established += src->conn_established;
    dst->conn_failed += src->conn_failed;
    dst->conn_closed += src->conn_closed;
    dst->sent += src->sent;
    dst->received += src->received;
    dst->verified += src->verified;
    metrics_rtt_add(&dst->rtt_fixed, &src->rtt_fixed);
    dst->late += src->late;
    dst->held += src->held;
    dst->ws_opened += src->ws_opened;
    dst->drops += src->drops;
    dst->reconnects += src->reconnects;
    dst->ws_deflate += src->ws_deflate;
    stats_win a = stats_window(dst), b = stats_window(src);
    stats_set_window(dst, (stats_win){a.ns > b.ns ? a.ns : b.ns, a.verified + b.verified, a.sent + b.sent});
    if (hist_merge(dst->rtt, src->rtt) < 0 || hist_merge(dst->connect, src->connect) < 0 ||
        hist_merge(dst->upgrade, src->upgrade) < 0 || hist_merge(dst->encrypt, src->encrypt) < 0 ||
        hist_merge(dst->decrypt, src->decrypt) < 0 || hist_merge(dst->late_rtt, src->late_rtt) < 0 ||
        hist_merge(dst->tls, src->tls) < 0 || hist_merge(dst->reconnect, src->reconnect) < 0) return -1;
    stats_tls_names(dst, src->tls_version, src->tls_cipher);
    dst->tls_insecure |= src->tls_insecure;
    for (size_t i = 0; i < src->nerr; i++)
        if (stats_error_add(dst, src->err[i].cls, src->err[i].detail, src->err[i].count) < 0) return -1;
    /* errors that never got a kind (ENOMEM) still count */
    uint64_t kinds = 0;
    for (size_t i = 0; i < src->nerr; i++) kinds += src->err[i].count;
    dst->errors += src->errors - kinds;
    if (series_merge(dst, src) < 0) return -1;
    return timeline_merge(&dst->tl, &src->tl);
}

void stats_flush(stats *s) { timeline_flush(&s->tl); }
