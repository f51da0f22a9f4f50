#include "report/result.h"
#include "base/fileio.h"
#include "base/version.h"
#include "report/jsonx.h"
#include "base/text.h"
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

result *result_new(void)
{
    result *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->stats = stats_new();
    if (!r->stats) { free(r); return NULL; }
    r->meta.instances = 1;
    RESULT_SET(r->meta.version, SIOCRYPT_VERSION);
    return r;
}

static void finding_free(result_finding *f)
{
    free(f->id); free(f->severity); free(f->detail); free(f->evidence);
}

static void probe_free(result_probe *p)
{
    free(p->name); free(p->outcome); free(p->detail); free(p->health);
}

void result_free(result *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->nprobes; i++) probe_free(&r->probes[i]);
    free(r->probes);
    stats_free(r->stats);
    free(r->thresholds);
    for (size_t i = 0; i < r->nfindings; i++) finding_free(&r->findings[i]);
    free(r->findings);
    free(r->compare);
    free(r->d.classes);
    free(r->d.series);
    free(r);
}

void result_set_str(char *field, size_t cap, const char *value)
{
    text_clean_to(field, cap, value ? value : "", value ? strlen(value) : 0, 0);
}

int result_add_threshold(result *r, const char *expr, buf *err)
{
    threshold t;
    if (threshold_parse(expr, &t, err) < 0) return -1;
    threshold *a = realloc(r->thresholds, (r->nthresholds + 1) * sizeof *a);
    if (!a) { buf_printf(err, "out of memory"); return -1; }
    r->thresholds = a;
    r->thresholds[r->nthresholds++] = t;
    return 0;
}

static int severity_ok(const char *s)
{
    return s && (!strcmp(s, "high") || !strcmp(s, "medium") || !strcmp(s, "low") || !strcmp(s, "info"));
}

int result_add_finding(result *r, const char *id, const char *severity, const char *detail, const char *evidence)
{
    if (!id || !*id || !severity_ok(severity)) return -1;
    result_finding *a = realloc(r->findings, (r->nfindings + 1) * sizeof *a);
    if (!a) return -1;
    r->findings = a;
    result_finding *f = &r->findings[r->nfindings];
    f->id = text_dup(id, 0);
    f->severity = strdup(severity);
    f->detail = text_dup(detail, TEXT_MULTILINE);
    f->evidence = text_dup(evidence, TEXT_MULTILINE);
    if (!f->id || !f->severity || !f->detail || !f->evidence) { finding_free(f); return -1; }
    r->nfindings++;
    return 0;
}

int result_add_compare(result *r, const char *gate)
{
    if (!gate || !*gate || strlen(gate) >= sizeof *r->compare || r->ncompare >= RESULT_MAX_COMPARE) return -1;
    char (*a)[128] = realloc(r->compare, (r->ncompare + 1) * sizeof *a);
    if (!a) return -1;
    r->compare = a;
    text_clean_to(r->compare[r->ncompare++], sizeof *r->compare, gate, strlen(gate), TEXT_MARK_CUT);
    return 0;
}

int result_add_probe(result *r, const char *name, int ran, const char *outcome, const char *detail,
                     const char *health)
{
    if (!name || !*name) return -1;
    result_probe *a = realloc(r->probes, (r->nprobes + 1) * sizeof *a);
    if (!a) return -1;
    r->probes = a;
    result_probe *p = &r->probes[r->nprobes];
    p->name = text_dup(name, 0);
    p->ran = ran != 0;
    p->outcome = text_dup(outcome, 0);
    p->detail = text_dup(detail, TEXT_MULTILINE);
    p->health = text_dup(health, TEXT_MULTILINE);
    if (!p->name || !p->outcome || !p->detail || !p->health) { probe_free(p); return -1; }
    r->nprobes++;
    return 0;
}

void result_measure_harness(result *r, const usage_snap *since)
{
    usage_snap now = usage_self();
    r->harness_cpu_s = usage_cpu_since(since, &now);
    r->harness_max_rss_kb = now.max_rss_kb;
}

/* ---- derived figures: computed here once, read by every writer ---- */

static result_dist dist_of(const hist *h, double unit_ns)
{
    result_dist d = {0};
    d.count = hist_count(h);
    if (!d.count) return d;
    d.min = (double)hist_min(h) / unit_ns;
    d.p50 = (double)hist_value_at_percentile(h, 50) / unit_ns;
    d.p90 = (double)hist_value_at_percentile(h, 90) / unit_ns;
    d.p99 = (double)hist_value_at_percentile(h, 99) / unit_ns;
    d.p999 = (double)hist_value_at_percentile(h, 99.9) / unit_ns;
    d.max = (double)hist_max(h) / unit_ns;
    d.mean = hist_mean(h) / unit_ns;
    return d;
}

/* latency.<name>.hgrm: a name safe in any file system, unique among the first k series' files. */
static void series_file(result_series *a, size_t k)
{
    char safe[sizeof a->s->name];
    size_t n = 0;
    for (const char *p = a[k].s->name; *p && n < sizeof safe - 1; p++)
        safe[n++] = (isalnum((unsigned char)*p) && (unsigned char)*p < 0x80) || strchr("_.-", *p) ? *p : '_';
    safe[n] = '\0';
    for (int suffix = 1; ; suffix++) {
        char *f = a[k].hgrm;
        if (suffix == 1) snprintf(f, sizeof a[k].hgrm, "latency.%s.hgrm", safe);
        else snprintf(f, sizeof a[k].hgrm, "latency.%s-%d.hgrm", safe, suffix);
        size_t i = 0;
        while (i < k && strcmp(a[i].hgrm, f)) i++;
        if (i == k) return;
    }
}

static void series_derive(result_derived *d, const stats *s)
{
    if (!s->nseries || !(d->series = calloc(s->nseries, sizeof *d->series))) return;
    d->nseries = s->nseries;
    for (size_t i = 0; i < s->nseries; i++) {
        const stats_series *x = &s->series[i];
        result_series *a = &d->series[i];
        a->s = x;
        a->latency_ms = dist_of(x->latency, 1e6);
        a->lost = x->is_on && x->expected > x->ok ? x->expected - x->ok : 0;
        a->error_rate = x->sent ? (double)x->failed / (double)x->sent : x->failed ? 1.0 : 0.0;
        series_file(d->series, i);
    }
}

void result_finish(result *r)
{
    stats *s = r->stats;
    result_derived *d = &r->d;
    stats_flush(s);
    free(d->classes);
    free(d->series);
    memset(d, 0, sizeof *d);
    series_derive(d, s);
    d->latency_ms = dist_of(s->rtt, 1e6);
    d->connect_ms = dist_of(s->connect, 1e6);
    d->upgrade_ms = dist_of(s->upgrade, 1e6);
    d->tls_ms = dist_of(s->tls, 1e6);
    d->encrypt_us = dist_of(s->encrypt, 1e3);
    d->decrypt_us = dist_of(s->decrypt, 1e3);
    d->late_ms = dist_of(s->late_rtt, 1e6);
    d->reconnect_ms = dist_of(s->reconnect, 1e6);
    stats_win w = stats_window(s);
    d->window_s = (double)w.ns / 1e9;
    d->window_verified = w.verified;
    d->window_sent = w.sent;
    d->round_trips_per_s = w.ns > 0 ? (double)w.verified / d->window_s : 0.0;
    d->offered_per_s = w.ns > 0 ? (double)w.sent / d->window_s : 0.0;
    d->errors_total = s->errors;
    d->unverified = s->sent > s->verified ? s->sent - s->verified : 0;
    uint64_t ops = s->sent + s->conn_attempted;
    d->error_rate = ops ? (double)s->errors / (double)ops : 0.0;
    d->harness_cpu_per_rt_us = s->verified ? r->harness_cpu_s * 1e6 / (double)s->verified : NAN;
    d->server_cpu_per_rt_us = r->server_measured && s->verified ? r->server_cpu_s * 1e6 / (double)s->verified : NAN;
    d->harness_rss_per_client_kib = r->meta.clients > 0 ? (double)r->harness_max_rss_kb / r->meta.clients : NAN;

    size_t cap = s->nerr ? s->nerr : 1;
    stats_class_total *tmp = malloc(cap * sizeof *tmp);
    d->classes = malloc(cap * sizeof *d->classes);
    if (tmp && d->classes) {
        d->nclasses = stats_error_classes(s, tmp, cap);
        for (size_t i = 0; i < d->nclasses; i++) { d->classes[i].cls = tmp[i].cls; d->classes[i].count = tmp[i].count; }
    }
    free(tmp);

    for (size_t i = 0; i < r->nthresholds; i++) {
        threshold_eval(&r->thresholds[i], r);
        if (!r->thresholds[i].pass) d->thresholds_failed++;
    }
    for (size_t i = 0; i < r->nfindings; i++)
        if (!strcmp(r->findings[i].severity, "high")) d->findings_high++;
    d->pass = d->unverified == 0 && d->errors_total == 0 && s->conn_failed == 0 &&
              d->thresholds_failed == 0 && d->findings_high == 0;
    d->exit_code = d->pass ? 0 : 1;
}

int result_exit_code(const result *r) { return r->d.exit_code; }

/* ---- JSON ---- */

static void add_iso_time(cJSON *o, const char *name, int64_t ns)
{
    char tmp[64] = "";
    time_t t = (time_t)(ns / 1000000000);
    struct tm tm;
    if (ns > 0 && gmtime_r(&t, &tm)) {
        size_t n = strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(tmp + n, sizeof tmp - n, ".%03dZ", (int)(ns / 1000000 % 1000));
    }
    jsonx_add_str(o, name, tmp);
}

static cJSON *dist_json(const result_dist *d, int full)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    jsonx_add_int(o, "count", (int64_t)d->count);
    if (full) jsonx_add_num(o, "min", d->min);
    jsonx_add_num(o, "p50", d->p50);
    if (full) jsonx_add_num(o, "p90", d->p90);
    jsonx_add_num(o, "p99", d->p99);
    if (full) jsonx_add_num(o, "p999", d->p999);
    jsonx_add_num(o, "max", d->max);
    jsonx_add_num(o, "mean", d->mean);
    return o;
}

/* "series": one entry per flow step name and `on` handler; errors{} is its failures by class. */
static cJSON *series_json(const result_series *a)
{
    const stats_series *x = a->s;
    cJSON *e = cJSON_CreateObject(), *c;
    if (!e) return NULL;
    jsonx_add_str(e, "name", x->name);
    jsonx_add_str(e, "kind", x->is_on ? "on" : "step");
    jsonx_add_int(e, "sent", (int64_t)x->sent);
    jsonx_add_int(e, "ok", (int64_t)x->ok);
    jsonx_add_int(e, "failed", (int64_t)x->failed);
    c = cJSON_AddObjectToObject(e, "errors");
    for (size_t k = 0; k < x->nfail; k++) {
        char key[sizeof x->fail[k].cls];   /* a key: cleaned like any string (stats did already) */
        TEXT_SET(key, x->fail[k].cls, 0);
        jsonx_add_int(c, key, (int64_t)x->fail[k].count);
    }
    jsonx_add_int(e, "expected", (int64_t)x->expected);
    jsonx_add_int(e, "lost", (int64_t)a->lost);
    cJSON_AddItemToObject(e, "latency_ms", dist_json(&a->latency_ms, 1));
    cJSON_AddItemToObject(e, "histogram", hist_to_json(x->latency));
    return e;
}

/* tls: what the first TLS handshake negotiated, and whether verification was off (-k); null without TLS. */
static void tls_json(cJSON *o, const stats *s)
{
    if (!s->tls_version[0] && !s->tls_insecure) { cJSON_AddNullToObject(o, "tls"); return; }
    cJSON *x = cJSON_AddObjectToObject(o, "tls");
    jsonx_add_str(x, "version", s->tls_version);
    jsonx_add_str(x, "cipher", s->tls_cipher);
    cJSON_AddBoolToObject(x, "insecure", s->tls_insecure);
}

/* tls (optional: null or absent without TLS, and in reports from before it). */
static int tls_from_json(stats *s, const cJSON *j, buf *e)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "tls"), *k;
    if (!x || cJSON_IsNull(x)) return 0;
    if (!cJSON_IsObject(x)) { buf_printf(e, "tls: not an object or null"); return -1; }
    if (jsonx_get_str(x, "version", s->tls_version, sizeof s->tls_version, "tls", e) < 0 ||
        jsonx_get_str(x, "cipher", s->tls_cipher, sizeof s->tls_cipher, "tls", e) < 0) return -1;
    k = cJSON_GetObjectItemCaseSensitive(x, "insecure");
    if (!cJSON_IsBool(k)) { buf_printf(e, "tls.insecure: missing or not true/false"); return -1; }
    s->tls_insecure = cJSON_IsTrue(k);
    return 0;
}

const char *result_ws_compression(const stats *s)
{
    if (!s->ws_deflate) return "none";
    return s->ws_deflate == s->ws_opened ? "permessage-deflate" : "partial";
}

cJSON *result_to_json(const result *r)
{
    const stats *s = r->stats;
    const result_derived *d = &r->d;
    cJSON *o = cJSON_CreateObject(), *x;
    if (!o) return NULL;
    jsonx_add_str(o, "schema", RESULT_SCHEMA);
    jsonx_add_str(o, "version", r->meta.version);
    jsonx_add_str(o, "scenario", r->meta.scenario);
    jsonx_add_str(o, "target", r->meta.target);
    jsonx_add_str(o, "transport", r->meta.transport);
    jsonx_add_int(o, "eio", r->meta.eio);
    jsonx_add_int(o, "clients", r->meta.clients);
    jsonx_add_int(o, "threads", r->meta.threads);
    jsonx_add_str(o, "model", r->meta.model);
    jsonx_add_num(o, "rate", r->meta.rate);
    jsonx_add_int(o, "instances", r->meta.instances);
    add_iso_time(o, "start", r->meta.start_wall_ns);
    jsonx_add_int(o, "start_unix_ms", r->meta.start_wall_ns / 1000000);   /* ns would pass 2^53 */
    add_iso_time(o, "end", r->meta.end_wall_ns);
    jsonx_add_int(o, "end_unix_ms", r->meta.end_wall_ns / 1000000);
    jsonx_add_num(o, "duration_s", r->meta.duration_s);
    x = cJSON_AddObjectToObject(o, "phases");
    jsonx_add_num(x, "ramp_s", r->meta.ramp_s);
    jsonx_add_num(x, "steady_s", d->window_s);
    jsonx_add_num(x, "drain_s", r->meta.drain_s);
    jsonx_add_num(x, "close_s", r->meta.close_s);
    cJSON_AddBoolToObject(o, "pass", d->pass);
    jsonx_add_int(o, "exit_code", d->exit_code);

    x = cJSON_AddObjectToObject(o, "connections");
    jsonx_add_int(x, "attempted", (int64_t)s->conn_attempted);
    jsonx_add_int(x, "established", (int64_t)s->conn_established);
    jsonx_add_int(x, "failed", (int64_t)s->conn_failed);
    jsonx_add_int(x, "closed", (int64_t)s->conn_closed);
    x = cJSON_AddObjectToObject(o, "messages");
    jsonx_add_int(x, "sent", (int64_t)s->sent);
    jsonx_add_int(x, "received", (int64_t)s->received);
    jsonx_add_int(x, "verified", (int64_t)s->verified);
    jsonx_add_int(x, "unverified", (int64_t)d->unverified);
    jsonx_add_int(x, "late", (int64_t)s->late);
    jsonx_add_int(x, "held", (int64_t)s->held);
    x = cJSON_AddObjectToObject(o, "websocket");
    jsonx_add_str(x, "compression", result_ws_compression(s));
    jsonx_add_int(x, "opened", (int64_t)s->ws_opened);
    jsonx_add_int(x, "compressed", (int64_t)s->ws_deflate);

    x = cJSON_AddObjectToObject(o, "errors");
    for (size_t i = 0; i < d->nclasses; i++) {
        char key[64];   /* a class name is a key here: clean it like any string (stats did already) */
        TEXT_SET(key, d->classes[i].cls, 0);
        jsonx_add_int(x, key, (int64_t)d->classes[i].count);
    }
    jsonx_add_int(o, "errors_total", (int64_t)d->errors_total);
    x = cJSON_AddArrayToObject(o, "error_details");
    for (size_t i = 0; i < s->nerr; i++) {
        cJSON *e = cJSON_CreateObject();
        if (!e) continue;
        jsonx_add_str(e, "class", s->err[i].cls);
        jsonx_add_str(e, "detail", s->err[i].detail);
        jsonx_add_int(e, "count", (int64_t)s->err[i].count);
        cJSON_AddItemToArray(x, e);
    }

    x = cJSON_AddObjectToObject(o, "throughput");
    jsonx_add_num(x, "round_trips_per_s", d->round_trips_per_s);
    jsonx_add_num(x, "window_s", d->window_s);
    jsonx_add_int(x, "verified_in_window", (int64_t)d->window_verified);
    jsonx_add_int(x, "sent_in_window", (int64_t)d->window_sent);
    jsonx_add_num(x, "offered_per_s", d->offered_per_s);
    cJSON_AddItemToObject(o, "latency_ms", dist_json(&d->latency_ms, 1));
    cJSON_AddItemToObject(o, "late_ms", dist_json(&d->late_ms, 1));
    cJSON_AddItemToObject(o, "connect_ms", dist_json(&d->connect_ms, 1));
    cJSON_AddItemToObject(o, "upgrade_ms", dist_json(&d->upgrade_ms, 1));
    cJSON_AddItemToObject(o, "tls_ms", dist_json(&d->tls_ms, 1));
    tls_json(o, s);
    cJSON_AddItemToObject(o, "reconnect_ms", dist_json(&d->reconnect_ms, 1));
    x = cJSON_AddObjectToObject(o, "reconnection");
    jsonx_add_int(x, "drops", (int64_t)s->drops);
    jsonx_add_int(x, "reconnects", (int64_t)s->reconnects);
    x = cJSON_AddObjectToObject(o, "encryption_us");
    cJSON_AddItemToObject(x, "encrypt", dist_json(&d->encrypt_us, 0));
    cJSON_AddItemToObject(x, "decrypt", dist_json(&d->decrypt_us, 0));
    x = cJSON_AddArrayToObject(o, "series");
    for (size_t i = 0; i < d->nseries; i++) cJSON_AddItemToArray(x, series_json(&d->series[i]));

    x = cJSON_AddObjectToObject(o, "harness");
    jsonx_add_num(x, "cpu_s", r->harness_cpu_s);
    jsonx_add_int(x, "max_rss_kb", r->harness_max_rss_kb);
    if (r->server_measured) {
        x = cJSON_AddObjectToObject(o, "server");
        jsonx_add_num(x, "cpu_s", r->server_cpu_s);
    }
    x = cJSON_AddObjectToObject(o, "derived");
    jsonx_add_num(x, "harness_cpu_per_round_trip_us", d->harness_cpu_per_rt_us);
    jsonx_add_num(x, "server_cpu_per_round_trip_us", d->server_cpu_per_rt_us);
    jsonx_add_num(x, "harness_rss_per_client_kib", d->harness_rss_per_client_kib);
    jsonx_add_num(x, "error_rate", d->error_rate);

    x = cJSON_AddArrayToObject(o, "compare");
    for (size_t i = 0; x && i < r->ncompare; i++) cJSON_AddItemToArray(x, cJSON_CreateString(r->compare[i]));

    x = cJSON_AddArrayToObject(o, "thresholds");
    for (size_t i = 0; i < r->nthresholds; i++) {
        const threshold *t = &r->thresholds[i];
        cJSON *e = cJSON_CreateObject();
        if (!e) continue;
        jsonx_add_str(e, "expr", t->expr);
        jsonx_add_str(e, "metric", t->metric);
        if (t->series[0]) jsonx_add_str(e, "series", t->series);
        jsonx_add_str(e, "op", threshold_op_str(t->op));
        jsonx_add_num(e, "limit", t->limit);
        jsonx_add_num(e, "value", t->value);
        cJSON_AddBoolToObject(e, "pass", t->pass);
        if (t->note[0]) jsonx_add_str(e, "note", t->note);
        cJSON_AddItemToArray(x, e);
    }
    x = cJSON_AddArrayToObject(o, "findings");
    for (size_t i = 0; i < r->nfindings; i++) {
        const result_finding *f = &r->findings[i];
        cJSON *e = cJSON_CreateObject();
        if (!e) continue;
        jsonx_add_str(e, "id", f->id);
        jsonx_add_str(e, "severity", f->severity);
        jsonx_add_str(e, "detail", f->detail);
        jsonx_add_str(e, "evidence", f->evidence);
        cJSON_AddItemToArray(x, e);
    }
    if (r->nprobes) {
        x = cJSON_AddArrayToObject(o, "probes");
        for (size_t i = 0; i < r->nprobes; i++) {
            const result_probe *p = &r->probes[i];
            cJSON *e = cJSON_CreateObject();
            if (!e) continue;
            jsonx_add_str(e, "name", p->name);
            cJSON_AddBoolToObject(e, "ran", p->ran);
            jsonx_add_str(e, "outcome", p->outcome);
            jsonx_add_str(e, "detail", p->detail);
            jsonx_add_str(e, "health", p->health);
            cJSON_AddItemToArray(x, e);
        }
    }
    x = cJSON_AddObjectToObject(o, "histograms");
    cJSON_AddItemToObject(x, "round_trip", hist_to_json(s->rtt));
    cJSON_AddItemToObject(x, "connect", hist_to_json(s->connect));
    cJSON_AddItemToObject(x, "upgrade", hist_to_json(s->upgrade));
    cJSON_AddItemToObject(x, "encrypt", hist_to_json(s->encrypt));
    cJSON_AddItemToObject(x, "decrypt", hist_to_json(s->decrypt));
    cJSON_AddItemToObject(x, "late", hist_to_json(s->late_rtt));
    cJSON_AddItemToObject(x, "tls", hist_to_json(s->tls));
    cJSON_AddItemToObject(x, "reconnect", hist_to_json(s->reconnect));
    cJSON_AddItemToObject(o, "timeline", timeline_to_json(&s->tl));
    return o;
}

static const cJSON *obj(const cJSON *j, const char *name, const char *what, buf *err)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(j, name);
    if (!cJSON_IsObject(o)) { buf_printf(err, "%s: %s: missing or not an object", what, name); return NULL; }
    return o;
}

static int read_hist(hist **slot, const cJSON *hs, const char *name, const char *what, buf *err)
{
    char w[64];
    snprintf(w, sizeof w, "histograms.%s", name);
    buf e = BUF_INIT;
    hist *h = hist_from_json(cJSON_GetObjectItemCaseSensitive(hs, name), w, &e);
    if (!h) { buf_printf(err, "%s: %s", what, buf_cstr(&e)); buf_free(&e); return -1; }
    buf_free(&e);
    hist_free(*slot);
    *slot = h;
    return 0;
}

/* An integer member within [lo, hi]: a hostile report must not make later arithmetic overflow
 * (ms -> ns, sums over merged instances). */
static int get_int_in(const cJSON *j, const char *name, int64_t lo, int64_t hi, int64_t *v, buf *e)
{
    if (jsonx_get_int(j, name, v, "", e) < 0) return -1;
    if (*v < lo || *v > hi) {
        buf_printf(e, "%s: %lld is outside %lld..%lld", name, (long long)*v, (long long)lo, (long long)hi);
        return -1;
    }
    return 0;
}

#define MAX_REPORT_SECONDS 3.2e9   /* a century: seconds stay exact in ns within int64 */

/* A span in seconds: finite, 0 .. MAX_REPORT_SECONDS (so that s -> ns cannot overflow). */
static int get_seconds(const cJSON *j, const char *name, double *v, buf *e)
{
    if (jsonx_get_num(j, name, v, "", e) < 0) return -1;
    if (!(*v >= 0 && *v <= MAX_REPORT_SECONDS)) {
        buf_printf(e, "%s: not a number of seconds in 0..%.0f", name, MAX_REPORT_SECONDS);
        return -1;
    }
    return 0;
}

/* One entry of "series" into s; latency_ms and lost are derived, so not read. */
static int series_entry(stats *s, const cJSON *it, int k, buf *e)
{
    char w[32], name[sizeof s->series[0].name], kind[8];
    uint64_t sent, ok, failed, expected;
    snprintf(w, sizeof w, "series[%d]", k);
    if (jsonx_get_str(it, "name", name, sizeof name, w, e) < 0 || jsonx_get_str(it, "kind", kind, sizeof kind, w, e) < 0 ||
        jsonx_get_uint(it, "sent", &sent, w, e) < 0 || jsonx_get_uint(it, "ok", &ok, w, e) < 0 ||
        jsonx_get_uint(it, "failed", &failed, w, e) < 0 || jsonx_get_uint(it, "expected", &expected, w, e) < 0)
        return -1;
    if (!name[0]) return buf_fail(e, "%s.name: empty", w);
    if (strcmp(kind, "step") && strcmp(kind, "on")) return buf_fail(e, "%s.kind: \"%s\", not \"step\" or \"on\"", w, kind);
    size_t before = s->nseries;
    int i = stats_series_add(s, name, !strcmp(kind, "on"));
    if (i < 0) return buf_fail(e, "%s: out of memory", w);
    if ((size_t)i < before) return buf_fail(e, "%s.name: \"%s\" is there twice", w, s->series[i].name);
    stats_series *x = &s->series[i];
    x->sent = sent;
    x->ok = ok;
    x->expected = expected;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "errors"), *cls;
    if (!cJSON_IsObject(c)) return buf_fail(e, "%s.errors: missing or not an object", w);
    if (cJSON_GetArraySize(c) > STATS_SERIES_MAX_CLASSES)
        return buf_fail(e, "%s.errors: more than %d classes", w, STATS_SERIES_MAX_CLASSES);
    cJSON_ArrayForEach(cls, c) {
        int64_t n;
        if (jsonx_int_of(cls, &n) < 0 || n < 0) return buf_fail(e, "%s.errors: not a count", w);
        stats_series_fail_add(s, i, cls->string, (uint64_t)n);
    }
    if (x->failed != failed)
        return buf_fail(e, "%s.failed: %llu, but its errors add up to %llu", w, (unsigned long long)failed,
                        (unsigned long long)x->failed);
    char hw[48];
    snprintf(hw, sizeof hw, "%s.histogram", w);
    buf he = BUF_INIT;
    hist *h = hist_from_json(cJSON_GetObjectItemCaseSensitive(it, "histogram"), hw, &he);
    if (!h) { buf_printf(e, "%s", buf_cstr(&he)); buf_free(&he); return -1; }
    buf_free(&he);
    hist_free(x->latency);
    x->latency = h;
    if (hist_count(h) > ok)
        return buf_fail(e, "%s.histogram.count: %llu, more than ok (%llu)", w, (unsigned long long)hist_count(h),
                        (unsigned long long)ok);
    return 0;
}

/* "series" (optional: reports from before flows have none): at most STATS_MAX_SERIES, names unique. */
static int series_from_json(stats *s, const cJSON *j, buf *e)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "series"), *it;
    if (!x) return 0;
    if (!cJSON_IsArray(x)) return buf_fail(e, "series: not an array");
    if (cJSON_GetArraySize(x) > STATS_MAX_SERIES) return buf_fail(e, "series: more than %d entries", STATS_MAX_SERIES);
    int k = 0;
    cJSON_ArrayForEach(it, x)
        if (series_entry(s, it, k++, e) < 0) return -1;
    return 0;
}

#define MAX_INSTANCE_COUNT 10000000     /* clients, threads, instances of one report: far beyond any run */
#define MAX_UNIX_MS (INT64_MAX / 1000000)

/* The body of result_from_json; fields named for the caller's error message. */
static int from_json(result *r, const cJSON *j, const char *what, buf *err)
{
    stats *s = r->stats;
    result_meta *m = &r->meta;
    buf e = BUF_INIT;
    char schema[64];
    int64_t v;
    const cJSON *x;
#define TRY(call) do { if ((call) < 0) goto bad; } while (0)
    if (!cJSON_IsObject(j)) { buf_printf(err, "%s: not a JSON object", what); return -1; }
    TRY(jsonx_get_str(j, "schema", schema, sizeof schema, "", &e));
    if (strcmp(schema, RESULT_SCHEMA)) {
        buf_printf(err, "%s: schema: \"%s\", this version reads \"%s\"", what, schema, RESULT_SCHEMA);
        buf_free(&e);
        return -1;
    }
    TRY(jsonx_get_str(j, "version", m->version, sizeof m->version, "", &e));
    TRY(jsonx_get_str(j, "scenario", m->scenario, sizeof m->scenario, "", &e));
    TRY(jsonx_get_str(j, "target", m->target, sizeof m->target, "", &e));
    TRY(jsonx_get_str(j, "transport", m->transport, sizeof m->transport, "", &e));
    TRY(jsonx_get_str(j, "model", m->model, sizeof m->model, "", &e));
    TRY(get_int_in(j, "eio", 0, 4, &v, &e)); m->eio = (int)v;       /* 0: mixed, after a merge */
    TRY(get_int_in(j, "clients", 0, MAX_INSTANCE_COUNT, &v, &e)); m->clients = (int)v;
    TRY(get_int_in(j, "threads", 0, MAX_INSTANCE_COUNT, &v, &e)); m->threads = (int)v;
    TRY(get_int_in(j, "instances", 0, MAX_INSTANCE_COUNT, &v, &e)); m->instances = (int)v;
    TRY(jsonx_get_num(j, "rate", &m->rate, "", &e));
    TRY(get_int_in(j, "start_unix_ms", 0, MAX_UNIX_MS, &v, &e)); m->start_wall_ns = v * 1000000;
    TRY(get_int_in(j, "end_unix_ms", 0, MAX_UNIX_MS, &v, &e)); m->end_wall_ns = v * 1000000;
    TRY(jsonx_get_num(j, "duration_s", &m->duration_s, "", &e));
    if (!(m->duration_s >= 0)) { buf_printf(&e, "duration_s: negative or null"); goto bad; }
    if (!(x = obj(j, "phases", what, err))) goto fail;
    TRY(get_seconds(x, "ramp_s", &m->ramp_s, &e));   /* steady_s is throughput.window_s, read there */
    TRY(get_seconds(x, "drain_s", &m->drain_s, &e));
    TRY(get_seconds(x, "close_s", &m->close_s, &e));

    if (!(x = obj(j, "connections", what, err))) goto fail;
    TRY(jsonx_get_uint(x, "attempted", &s->conn_attempted, "connections", &e));
    TRY(jsonx_get_uint(x, "established", &s->conn_established, "connections", &e));
    TRY(jsonx_get_uint(x, "failed", &s->conn_failed, "connections", &e));
    TRY(jsonx_get_uint(x, "closed", &s->conn_closed, "connections", &e));
    if (!(x = obj(j, "messages", what, err))) goto fail;
    TRY(jsonx_get_uint(x, "sent", &s->sent, "messages", &e));
    TRY(jsonx_get_uint(x, "received", &s->received, "messages", &e));
    TRY(jsonx_get_uint(x, "verified", &s->verified, "messages", &e));
    TRY(jsonx_get_uint(x, "late", &s->late, "messages", &e));
    TRY(jsonx_get_uint(x, "held", &s->held, "messages", &e));

    x = cJSON_GetObjectItemCaseSensitive(j, "reconnection");   /* optional: reports before reconnection */
    if (x) {
        if (!cJSON_IsObject(x)) { buf_printf(&e, "reconnection: not an object"); goto bad; }
        TRY(jsonx_get_uint(x, "drops", &s->drops, "reconnection", &e));
        TRY(jsonx_get_uint(x, "reconnects", &s->reconnects, "reconnection", &e));
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "websocket");   /* optional: reports before compression */
    if (x) {
        if (!cJSON_IsObject(x)) { buf_printf(&e, "websocket: not an object"); goto bad; }
        TRY(jsonx_get_uint(x, "opened", &s->ws_opened, "websocket", &e));
        TRY(jsonx_get_uint(x, "compressed", &s->ws_deflate, "websocket", &e));
        if (s->ws_deflate > s->ws_opened) { buf_printf(&e, "websocket: more compressed than opened"); goto bad; }
    }

    x = cJSON_GetObjectItemCaseSensitive(j, "error_details");
    if (!cJSON_IsArray(x)) { buf_printf(&e, "error_details: missing or not an array"); goto bad; }
    const cJSON *it;
    int k = 0;
    cJSON_ArrayForEach(it, x) {
        char w[48], cls[64], detail[160];
        uint64_t n;
        snprintf(w, sizeof w, "error_details[%d]", k++);
        TRY(jsonx_get_str(it, "class", cls, sizeof cls, w, &e));
        TRY(jsonx_get_str(it, "detail", detail, sizeof detail, w, &e));
        TRY(jsonx_get_uint(it, "count", &n, w, &e));
        if (stats_error_add(s, cls, detail, n) < 0) { buf_printf(&e, "%s: out of memory", w); goto bad; }
    }
    uint64_t total;
    TRY(jsonx_get_uint(j, "errors_total", &total, "", &e));
    if (total < s->errors) { buf_printf(&e, "errors_total: %llu is less than error_details add up to",
                                        (unsigned long long)total); goto bad; }
    s->errors = total;

    if (!(x = obj(j, "harness", what, err))) goto fail;
    TRY(jsonx_get_num(x, "cpu_s", &r->harness_cpu_s, "harness", &e));
    TRY(jsonx_get_int(x, "max_rss_kb", &v, "harness", &e));
    if (v < 0 || v > (INT64_C(1) << 40)) { buf_printf(&e, "harness.max_rss_kb: %lld out of range", (long long)v); goto bad; }
    r->harness_max_rss_kb = (long)v;
    x = cJSON_GetObjectItemCaseSensitive(j, "server");
    if (x) {
        if (!cJSON_IsObject(x)) { buf_printf(&e, "server: not an object"); goto bad; }
        TRY(jsonx_get_num(x, "cpu_s", &r->server_cpu_s, "server", &e));
        r->server_measured = 1;
    }

    x = cJSON_GetObjectItemCaseSensitive(j, "compare");   /* optional: reports before it have none */
    if (x && !cJSON_IsArray(x)) { buf_printf(&e, "compare: not an array"); goto bad; }
    k = 0;
    cJSON_ArrayForEach(it, x) {
        if (!cJSON_IsString(it) || result_add_compare(r, it->valuestring) < 0) {
            buf_printf(&e, "compare[%d]: not a gate string of 1..127 bytes (at most %d)", k, RESULT_MAX_COMPARE);
            goto bad;
        }
        k++;
    }

    x = cJSON_GetObjectItemCaseSensitive(j, "thresholds");
    if (!cJSON_IsArray(x)) { buf_printf(&e, "thresholds: missing or not an array"); goto bad; }
    k = 0;
    cJSON_ArrayForEach(it, x) {
        char w[48], expr[sizeof r->thresholds->expr];
        snprintf(w, sizeof w, "thresholds[%d]", k++);
        TRY(jsonx_get_str(it, "expr", expr, sizeof expr, w, &e));
        if (result_add_threshold(r, expr, &e) < 0) { buf_printf(&e, " (in %s)", w); goto bad; }
    }
    x = cJSON_GetObjectItemCaseSensitive(j, "findings");
    if (!cJSON_IsArray(x)) { buf_printf(&e, "findings: missing or not an array"); goto bad; }
    k = 0;
    cJSON_ArrayForEach(it, x) {
        const char *f[4] = {"id", "severity", "detail", "evidence"};
        const char *val[4];
        for (int i = 0; i < 4; i++) {
            const cJSON *sv = cJSON_GetObjectItemCaseSensitive(it, f[i]);
            if (!cJSON_IsString(sv)) { buf_printf(&e, "findings[%d].%s: missing or not a string", k, f[i]); goto bad; }
            val[i] = sv->valuestring;
        }
        if (result_add_finding(r, val[0], val[1], val[2], val[3]) < 0) {
            buf_printf(&e, "findings[%d]: empty id or severity not high/medium/low/info", k);
            goto bad;
        }
        k++;
    }

    x = cJSON_GetObjectItemCaseSensitive(j, "probes");   /* optional: robustness runs only */
    if (x && !cJSON_IsArray(x)) { buf_printf(&e, "probes: not an array"); goto bad; }
    k = 0;
    cJSON_ArrayForEach(it, x) {
        const char *f[4] = {"name", "outcome", "detail", "health"};
        const char *val[4];
        const cJSON *ran = cJSON_GetObjectItemCaseSensitive(it, "ran");
        for (int i = 0; i < 4; i++) {
            const cJSON *sv = cJSON_GetObjectItemCaseSensitive(it, f[i]);
            if (!cJSON_IsString(sv)) { buf_printf(&e, "probes[%d].%s: missing or not a string", k, f[i]); goto bad; }
            val[i] = sv->valuestring;
        }
        if (!cJSON_IsBool(ran)) { buf_printf(&e, "probes[%d].ran: missing or not true/false", k); goto bad; }
        if (result_add_probe(r, val[0], cJSON_IsTrue(ran), val[1], val[2], val[3]) < 0) {
            buf_printf(&e, "probes[%d]: empty name", k);
            goto bad;
        }
        k++;
    }

    if (!(x = obj(j, "histograms", what, err))) goto fail;
    if (read_hist(&s->rtt, x, "round_trip", what, err) < 0 || read_hist(&s->connect, x, "connect", what, err) < 0 ||
        read_hist(&s->upgrade, x, "upgrade", what, err) < 0 || read_hist(&s->encrypt, x, "encrypt", what, err) < 0 ||
        read_hist(&s->decrypt, x, "decrypt", what, err) < 0 || read_hist(&s->late_rtt, x, "late", what, err) < 0 ||
        (cJSON_GetObjectItemCaseSensitive(x, "reconnect") && read_hist(&s->reconnect, x, "reconnect", what, err) < 0))
        goto fail;
    /* histograms.tls is optional: reports from before TLS have none */
    if (cJSON_GetObjectItemCaseSensitive(x, "tls") && read_hist(&s->tls, x, "tls", what, err) < 0) goto fail;
    TRY(tls_from_json(s, j, &e));
    TRY(series_from_json(s, j, &e));
    if (hist_count(s->reconnect) != s->reconnects) {
        buf_printf(&e, "histograms.reconnect.count: %llu, but reconnection.reconnects is %llu",
                   (unsigned long long)hist_count(s->reconnect), (unsigned long long)s->reconnects);
        goto bad;
    }
    if (hist_count(s->late_rtt) != s->late) {
        buf_printf(&e, "histograms.late.count: %llu, but messages.late is %llu",
                   (unsigned long long)hist_count(s->late_rtt), (unsigned long long)s->late);
        goto bad;
    }
    if (hist_count(s->rtt) != s->verified) {
        buf_printf(&e, "histograms.round_trip.count: %llu, but messages.verified is %llu",
                   (unsigned long long)hist_count(s->rtt), (unsigned long long)s->verified);
        goto bad;
    }
    if (hist_count(s->connect) != s->conn_established) {
        buf_printf(&e, "histograms.connect.count: %llu, but connections.established is %llu",
                   (unsigned long long)hist_count(s->connect), (unsigned long long)s->conn_established);
        goto bad;
    }
    if (!(x = obj(j, "throughput", what, err))) goto fail;
    double window_s;
    uint64_t win_verified, win_sent;
    TRY(get_seconds(x, "window_s", &window_s, &e));
    TRY(jsonx_get_uint(x, "verified_in_window", &win_verified, "throughput", &e));
    TRY(jsonx_get_uint(x, "sent_in_window", &win_sent, "throughput", &e));
    if (win_verified > s->verified || win_sent > s->sent) {
        buf_printf(&e, "throughput: more verified or sent in the window than in the run");
        goto bad;
    }
    stats_set_window(s, (stats_win){(int64_t)(window_s * 1e9), win_verified, win_sent});
    TRY(timeline_from_json(&s->tl, cJSON_GetObjectItemCaseSensitive(j, "timeline"), "timeline", &e));
    buf_free(&e);
    return 0;
#undef TRY
bad:
    buf_printf(err, "%s: %s", what, buf_cstr(&e));
fail:
    buf_free(&e);
    return -1;
}

/* Every second of the timeline lies within the run (start .. end, 2 s either way for the clocks' sampling):
 * a report whose seconds stray past its own span is not one a run wrote, and reading it on would have the
 * per-second writers (the plots, latency.hlog) go over days of seconds nobody ran. */
static int timeline_within_run(const result *r, const char *what, buf *err)
{
    const timeline *tl = &r->stats->tl;
    if (!tl->n || !r->meta.start_wall_ns) return 0;   /* no seconds, or a report from before start_unix_ms */
    int64_t from = r->meta.start_wall_ns / 1000000000 - 2, to = r->meta.end_wall_ns / 1000000000 + 2;
    int64_t last = tl->first + (int64_t)tl->n - 1;
    if (tl->first >= from && last <= to) return 0;
    buf_printf(err, "%s: timeline: seconds %lld .. %lld lie outside the run (%lld .. %lld, start_unix_ms .. "
               "end_unix_ms)", what, (long long)tl->first, (long long)last, (long long)from + 2, (long long)to - 2);
    return -1;
}

result *result_from_json(const cJSON *j, const char *what, buf *err)
{
    result *r = result_new();
    if (!r) { buf_printf(err, "%s: out of memory", what); return NULL; }
    if (from_json(r, j, what, err) < 0 || timeline_within_run(r, what, err) < 0) { result_free(r); return NULL; }
    result_finish(r);
    return r;
}

result *result_load(const char *path, buf *err)
{
    buf text = BUF_INIT;
    if (fileio_read(path, FILEIO_MAX_REPORT, &text, err) < 0) { buf_free(&text); return NULL; }
    cJSON *j = cJSON_ParseWithLength(buf_cstr(&text), text.len);
    buf_free(&text);
    if (!j) { buf_printf(err, "%s: not valid JSON", path); return NULL; }
    result *r = result_from_json(j, path, err);
    cJSON_Delete(j);
    return r;
}

static void merge_str(char *dst, size_t cap, const char *src)
{
    if (strcmp(dst, src)) snprintf(dst, cap, "mixed");
}

/* Counts read from reports are non-negative and bounded, but many merged could still pass INT_MAX. */
static int add_sat(int a, int b)
{
    return a > INT_MAX - b ? INT_MAX : a + b;
}

/* An instance's steady window on the wall clock: from its start plus the ramp, for the window's length; a run
 * that sent nothing (connections held, heartbeats only) counts from its start to its end. */
static void merge_span(const result *r, int64_t *from, int64_t *to)
{
    const result_meta *m = &r->meta;
    stats_win w = stats_window(r->stats);
    if (m->common_from_ns || m->common_to_ns) { *from = m->common_from_ns; *to = m->common_to_ns; return; }
    if (w.ns > 0) {
        *from = m->start_wall_ns + (int64_t)(m->ramp_s * 1e9);
        *to = *from + w.ns;
    } else {
        *from = m->start_wall_ns;
        *to = m->end_wall_ns;
    }
}

/* Merged instances are read as having run side by side; when their steady windows share no moment (a pod
 * that started late, runs one after another) the sums and the rate mean little, so the report says so and
 * by how much: the latest window start minus the earliest window end over all instances so far. */
static int merge_overlap(result *dst, const result *src)
{
    static const char id[] = "instances-not-overlapping";
    int64_t af, at, bf, bt;
    char detail[300];
    if (!dst->meta.start_wall_ns || !src->meta.start_wall_ns) return 0;   /* old reports: nothing to compare */
    merge_span(dst, &af, &at);
    merge_span(src, &bf, &bt);
    dst->meta.common_from_ns = af > bf ? af : bf;
    dst->meta.common_to_ns = at < bt ? at : bt;
    if (dst->meta.common_from_ns <= dst->meta.common_to_ns) return 0;
    snprintf(detail, sizeof detail, "the instances' steady windows have no moment in common: %.3f s lie between the "
             "end of the earliest and the start of the latest; the merged figures add runs that did not happen "
             "together (start them with the same --start-at)",
             (double)(dst->meta.common_from_ns - dst->meta.common_to_ns) / 1e9);
    for (size_t k = 0; k < dst->nfindings; k++) {
        if (strcmp(dst->findings[k].id, id)) continue;
        char *d = text_dup(detail, 0);   /* an earlier merge's gap: this one covers every instance so far */
        if (!d) return -1;
        free(dst->findings[k].detail);
        dst->findings[k].detail = d;
        return 0;
    }
    return result_add_finding(dst, id, "medium", detail, NULL);
}

int result_merge(result *dst, const result *src, buf *err)
{
    result_meta *a = &dst->meta;
    const result_meta *b = &src->meta;
    size_t names = dst->stats->nseries;     /* series merge by name: the union must stay within the bound */
    for (size_t i = 0; i < src->stats->nseries; i++) {
        size_t k = 0;
        while (k < dst->stats->nseries && strcmp(dst->stats->series[k].name, src->stats->series[i].name)) k++;
        names += k == dst->stats->nseries;
    }
    if (names > STATS_MAX_SERIES) {
        buf_printf(err, "merge: %zu series names together, more than %d", names, STATS_MAX_SERIES);
        return -1;
    }
    /* the instances ran one scenario: its compare gates once (the first report's that has any) */
    for (size_t i = 0, take = !dst->ncompare; take && i < src->ncompare; i++)
        if (result_add_compare(dst, src->compare[i]) < 0) { buf_printf(err, "merge: out of memory"); return -1; }
    /* before anything is added: dst's window is still its own (or what the instances so far share) */
    if (merge_overlap(dst, src) < 0) { buf_printf(err, "merge: out of memory"); return -1; }
    if (stats_merge(dst->stats, src->stats) < 0) { buf_printf(err, "merge: out of memory"); return -1; }
    merge_str(a->transport, sizeof a->transport, b->transport);
    merge_str(a->model, sizeof a->model, b->model);
    if (a->eio != b->eio) a->eio = 0;
    a->clients = add_sat(a->clients, b->clients);
    a->threads = add_sat(a->threads, b->threads);
    a->instances = add_sat(a->instances, b->instances);
    a->rate += b->rate;
    /* The instances ran side by side: the merged run spans from the first start to the last end. */
    if (a->start_wall_ns > 0 && b->start_wall_ns > 0 && a->end_wall_ns > 0 && b->end_wall_ns > 0) {
        if (b->start_wall_ns < a->start_wall_ns) a->start_wall_ns = b->start_wall_ns;
        if (b->end_wall_ns > a->end_wall_ns) a->end_wall_ns = b->end_wall_ns;
        a->duration_s = (double)(a->end_wall_ns - a->start_wall_ns) / 1e9;
    } else if (b->duration_s > a->duration_s) {
        a->duration_s = b->duration_s;
    }
    if (b->ramp_s > a->ramp_s) a->ramp_s = b->ramp_s;
    if (b->drain_s > a->drain_s) a->drain_s = b->drain_s;
    if (b->close_s > a->close_s) a->close_s = b->close_s;
    dst->harness_cpu_s += src->harness_cpu_s;
    dst->harness_max_rss_kb += src->harness_max_rss_kb;
    if (src->server_measured) { dst->server_measured = 1; dst->server_cpu_s += src->server_cpu_s; }
    for (size_t i = 0; i < src->nfindings; i++) {
        const result_finding *f = &src->findings[i];
        size_t k = 0;
        while (k < dst->nfindings && (strcmp(dst->findings[k].id, f->id) || strcmp(dst->findings[k].detail, f->detail))) k++;
        if (k == dst->nfindings && result_add_finding(dst, f->id, f->severity, f->detail, f->evidence) < 0) {
            buf_printf(err, "merge: out of memory");
            return -1;
        }
    }
    for (size_t i = 0; i < src->nprobes; i++) {
        const result_probe *p = &src->probes[i];
        if (result_add_probe(dst, p->name, p->ran, p->outcome, p->detail, p->health) < 0) {
            buf_printf(err, "merge: out of memory");
            return -1;
        }
    }
    return 0;
}
