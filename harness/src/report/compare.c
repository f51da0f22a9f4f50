/* compare: the rows, their verdicts and the gates (compare.h). */
#include "report/compare.h"
#include "base/text.h"
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The latency kinds: the metric prefix and the histogram of each. */
typedef struct cmp_kind { const char *prefix; size_t off; } cmp_kind;
static const cmp_kind kinds[] = {
    {"", offsetof(stats, rtt)}, {"connect_", offsetof(stats, connect)}, {"tls_", offsetof(stats, tls)},
    {"upgrade_", offsetof(stats, upgrade)}, {"reconnect_", offsetof(stats, reconnect)},
    {"late_", offsetof(stats, late_rtt)},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* The figures of a latency kind; q < 0: not a percentile (max and mean are exact). */
typedef struct cmp_fig { const char *name; double q; } cmp_fig;
static const cmp_fig figs[] = {
    {"p50_ms", 0.5}, {"p90_ms", 0.9}, {"p99_ms", 0.99}, {"p999_ms", 0.999}, {"max_ms", -1}, {"mean_ms", -2},
};
#define NFIGS (sizeof figs / sizeof figs[0])

/* The scalar metrics: name, unit, the bad direction. */
typedef struct cmp_scalar { const char *name, *unit; int worse; } cmp_scalar;
static const cmp_scalar scalars[] = {
    {"round_trips_per_s", "/s", -1}, {"offered_per_s", "/s", -1}, {"error_rate", "", +1}, {"errors", "", +1},
    {"unverified", "", +1}, {"connect_failures", "", +1}, {"harness_cpu_per_rt_us", "us", +1},
    {"server_cpu_per_rt_us", "us", +1}, {"harness_rss_per_client_kib", "KiB", +1},
};
#define NSCALARS (sizeof scalars / sizeof scalars[0])

/* Per flow series, as the thresholds name them (threshold.h): errors = its failures, error_rate = failed /
 * sent, lost = an `on` handler's expected deliveries that did not come; all bad when up. */
#define NCOUNTS 3
static const char *const series_counts[NCOUNTS] = {"errors", "error_rate", "lost"};

const char *compare_metric_list(void)
{
    return "p50_ms p90_ms p99_ms p999_ms max_ms mean_ms (round trips; also with a prefix connect_ tls_ "
           "upgrade_ reconnect_ late_, e.g. connect_p99_ms), round_trips_per_s offered_per_s error_rate errors "
           "unverified connect_failures harness_cpu_per_rt_us server_cpu_per_rt_us harness_rss_per_client_kib, "
           "and per flow series p50_ms{NAME} ... mean_ms{NAME} errors{NAME} error_rate{NAME} lost{NAME}";
}

static double scalar_of(const result *r, size_t i)
{
    const result_derived *d = &r->d;
    switch (i) {
    case 0: return d->round_trips_per_s;
    case 1: return d->offered_per_s;
    case 2: return d->error_rate;
    case 3: return (double)d->errors_total;
    case 4: return (double)d->unverified;
    case 5: return (double)r->stats->conn_failed;
    case 6: return d->harness_cpu_per_rt_us;
    case 7: return d->server_cpu_per_rt_us;
    default: return d->harness_rss_per_client_kib;
    }
}

/* ---- the flow series of a report's JSON ("series": [{name, kind, sent, failed, lost, latency_ms, histogram}]) ---- */

typedef struct cmp_series {
    char name[64];
    hist *h;                    /* NULL: the report gave no readable histogram */
    double fig[NFIGS];          /* from latency_ms when there is no histogram; NaN when absent */
    double count[NCOUNTS];      /* errors, error_rate, lost; NaN when absent */
} cmp_series;

typedef struct cmp_priv {
    cmp_series *s[2];
    size_t n[2];
} cmp_priv;

static double num_member(const cJSON *o, const char *name)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsNumber(x) && isfinite(x->valuedouble)) return x->valuedouble;
    if (cJSON_IsObject(x)) {            /* a count by class: the sum */
        double sum = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, x) if (cJSON_IsNumber(it) && isfinite(it->valuedouble)) sum += it->valuedouble;
        return isfinite(sum) ? sum : NAN;
    }
    return NAN;
}

/* errors is "failed"; error_rate failed / sent (0 when both are 0, 1 for failures without a send: as
 * result.c derives it); lost only for `on` handlers (a step has none). */
static void series_counts_of(cmp_series *s, const cJSON *it)
{
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(it, "kind");
    double failed = num_member(it, "failed"), sent = num_member(it, "sent");
    s->count[0] = failed;
    s->count[1] = isnan(failed) || isnan(sent) ? NAN : sent > 0 ? failed / sent : failed > 0 ? 1 : 0;
    s->count[2] = cJSON_IsString(kind) && !strcmp(kind->valuestring, "on") ? num_member(it, "lost") : NAN;
}

/* Tolerant: a report without "series", or with entries this version cannot read, gives fewer series. At
 * most COMPARE_MAX_SERIES are read (a run has at most STATS_MAX_SERIES): a hostile report of a million tiny
 * entries must not make a million rows. */
static size_t series_read(const cJSON *j, cmp_series **out)
{
    static const char *const dist_keys[NFIGS] = {"p50", "p90", "p99", "p999", "max", "mean"};
    const cJSON *arr = j ? cJSON_GetObjectItemCaseSensitive(j, "series") : NULL, *it;
    int n = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
    if (n > COMPARE_MAX_SERIES) n = COMPARE_MAX_SERIES;
    size_t k = 0;
    *out = n > 0 ? calloc((size_t)n, sizeof **out) : NULL;
    if (!*out) return 0;
    cJSON_ArrayForEach(it, arr) {
        if (k == (size_t)n) break;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (!cJSON_IsString(name) || !name->valuestring[0]) continue;
        cmp_series *s = &(*out)[k];
        TEXT_SET(s->name, name->valuestring, 0);
        buf e = BUF_INIT;
        const cJSON *hj = cJSON_GetObjectItemCaseSensitive(it, "histogram");
        s->h = hj ? hist_from_json(hj, "series.histogram", &e) : NULL;
        buf_free(&e);
        const cJSON *lat = cJSON_GetObjectItemCaseSensitive(it, "latency_ms");
        for (size_t f = 0; f < NFIGS; f++) s->fig[f] = cJSON_IsObject(lat) ? num_member(lat, dist_keys[f]) : NAN;
        series_counts_of(s, it);
        k++;
    }
    return k;
}

static const cmp_series *series_find(const cmp_series *s, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) if (!strcmp(s[i].name, name)) return &s[i];
    return NULL;
}

/* ---- rows ---- */

static compare_row *row_add(compare *c, size_t *cap, const char *metric, const char *unit, int worse)
{
    if (c->nrows == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        compare_row *a = realloc(c->rows, ncap * sizeof *a);
        if (!a) return NULL;
        c->rows = a;
        *cap = ncap;
    }
    compare_row *r = &c->rows[c->nrows++];
    memset(r, 0, sizeof *r);
    snprintf(r->metric, sizeof r->metric, "%s", metric);
    r->unit = unit;
    r->worse = worse;
    r->base = r->cur = NAN;
    return r;
}

/* One latency figure of a histogram in ms; NaN without samples. */
static double fig_of(const hist *h, const cmp_fig *f)
{
    if (!h || !hist_count(h)) return NAN;
    if (f->q > 0) return (double)hist_value_at_percentile(h, f->q * 100) / 1e6;
    return f->q == -1 ? (double)hist_max(h) / 1e6 : hist_mean(h) / 1e6;
}

static int fig_rows(compare *c, size_t *cap, const char *prefix, const char *suffix, const hist *hb,
                    const hist *hc, const double *fb, const double *fc)
{
    for (size_t f = 0; f < NFIGS; f++) {
        char m[96];
        snprintf(m, sizeof m, "%s%s%s", prefix, figs[f].name, suffix);
        compare_row *r = row_add(c, cap, m, "ms", +1);
        if (!r) return -1;
        r->q = figs[f].q;
        r->h_base = hb;
        r->h_cur = hc;
        r->base = hb ? fig_of(hb, &figs[f]) : fb ? fb[f] : NAN;
        r->cur = hc ? fig_of(hc, &figs[f]) : fc ? fc[f] : NAN;
        r->n_base = hb ? hist_count(hb) : 0;
        r->n_cur = hc ? hist_count(hc) : 0;
    }
    return 0;
}

static int series_rows(compare *c, size_t *cap, const cmp_priv *p)
{
    for (int side = 0; side < 2; side++) {
        for (size_t i = 0; i < p->n[side]; i++) {
            const char *name = p->s[side][i].name;
            if (side == 1 && series_find(p->s[0], p->n[0], name)) continue;   /* done with the baseline's */
            if (series_find(p->s[side], i, name)) continue;                     /* a repeated name */
            const cmp_series *b = series_find(p->s[0], p->n[0], name), *k = series_find(p->s[1], p->n[1], name);
            char suffix[80];
            snprintf(suffix, sizeof suffix, "{%s}", name);
            if (fig_rows(c, cap, "", suffix, b ? b->h : NULL, k ? k->h : NULL, b && !b->h ? b->fig : NULL,
                         k && !k->h ? k->fig : NULL) < 0)
                return -1;
            for (size_t f = 0; f < NCOUNTS; f++) {
                char m[96];
                snprintf(m, sizeof m, "%s%s", series_counts[f], suffix);
                compare_row *r = row_add(c, cap, m, "", +1);
                if (!r) return -1;
                r->base = b ? b->count[f] : NAN;
                r->cur = k ? k->count[f] : NAN;
            }
        }
    }
    return 0;
}

static void priv_free(cmp_priv *p)
{
    if (!p) return;
    for (int side = 0; side < 2; side++) {
        for (size_t i = 0; i < p->n[side]; i++) hist_free(p->s[side][i].h);
        free(p->s[side]);
    }
    free(p);
}

/* compare with what only compare.c sees: the series read from the JSON, whose histograms rows point at. */
typedef struct compare_full { compare pub; cmp_priv *priv; } compare_full;

compare *compare_new(const result *base, const cJSON *jbase, const char *base_path, const result *cur,
                     const cJSON *jcur, const char *cur_path)
{
    compare_full *cf = calloc(1, sizeof *cf);
    if (!cf) return NULL;
    compare *c = &cf->pub;
    size_t cap = 0;
    c->base = base;
    c->cur = cur;
    TEXT_SET(c->base_path, base_path, 0);
    TEXT_SET(c->cur_path, cur_path, 0);
    cf->priv = calloc(1, sizeof *cf->priv);
    if (!cf->priv) goto oom;
    cf->priv->n[0] = series_read(jbase, &cf->priv->s[0]);
    cf->priv->n[1] = series_read(jcur, &cf->priv->s[1]);
    for (size_t k = 0; k < NKINDS; k++) {
        const hist *hb = *(hist *const *)((const char *)base->stats + kinds[k].off);
        const hist *hc = *(hist *const *)((const char *)cur->stats + kinds[k].off);
        if (fig_rows(c, &cap, kinds[k].prefix, "", hb, hc, NULL, NULL) < 0) goto oom;
    }
    for (size_t i = 0; i < NSCALARS; i++) {
        compare_row *r = row_add(c, &cap, scalars[i].name, scalars[i].unit, scalars[i].worse);
        if (!r) goto oom;
        r->base = scalar_of(base, i);
        r->cur = scalar_of(cur, i);
    }
    if (series_rows(c, &cap, cf->priv) < 0) goto oom;
    return c;
oom:
    compare_free(c);
    return NULL;
}

void compare_free(compare *c)
{
    if (!c) return;
    compare_full *cf = (compare_full *)c;
    priv_free(cf->priv);
    free(c->rows);
    free(cf);
}

/* ---- comparable? ---- */

static void add_diff(char *out, size_t cap, const char *fmt, const char *a, const char *b)
{
    size_t n = strlen(out);
    if (n + 3 >= cap) return;
    if (n) { snprintf(out + n, cap - n, "; "); n += 2; }
    snprintf(out + n, cap - n, fmt, a, b);
}

int compare_check(compare *c)
{
    const result_meta *a = &c->base->meta, *b = &c->cur->meta;
    char ea[16], eb[16], ca[16], cb[16];
    c->differs[0] = c->notes[0] = '\0';
    if (strcmp(a->scenario, b->scenario)) add_diff(c->differs, sizeof c->differs, "scenario: '%s' vs '%s'", a->scenario, b->scenario);
    snprintf(ea, sizeof ea, a->eio ? "EIO %d" : "mixed EIO", a->eio);   /* 0: merged from both */
    snprintf(eb, sizeof eb, b->eio ? "EIO %d" : "mixed EIO", b->eio);
    if (a->eio != b->eio) add_diff(c->differs, sizeof c->differs, "protocol: %s vs %s", ea, eb);
    if (strcmp(a->transport, b->transport)) add_diff(c->differs, sizeof c->differs, "transport: %s vs %s", a->transport, b->transport);
    snprintf(ca, sizeof ca, "%d", a->clients);
    snprintf(cb, sizeof cb, "%d", b->clients);
    if (a->clients != b->clients) add_diff(c->notes, sizeof c->notes, "clients: %s vs %s", ca, cb);
    if (strcmp(a->model, b->model)) add_diff(c->notes, sizeof c->notes, "model: %s vs %s", a->model, b->model);
    if (strcmp(a->version, b->version)) add_diff(c->notes, sizeof c->notes, "siocrypt: %s vs %s", a->version, b->version);
    if (strcmp(a->target, b->target)) add_diff(c->notes, sizeof c->notes, "target: %s vs %s", a->target, b->target);
    return c->differs[0] ? -1 : 0;
}

/* ---- gates ---- */

/* The unit a metric's name says (ms, us, KiB), or "" */
static const char *name_unit(const char *m)
{
    size_t n = strcspn(m, "{");
    if (n >= 3 && !strncmp(m + n - 3, "_ms", 3)) return "ms";
    if (n >= 3 && !strncmp(m + n - 3, "_us", 3)) return "us";
    if (n >= 4 && !strncmp(m + n - 4, "_kib", 4)) return "KiB";
    return "";
}

static int known_plain(const char *m, size_t n)
{
    char t[96];
    for (size_t k = 0; k < NKINDS; k++)
        for (size_t f = 0; f < NFIGS; f++) {
            snprintf(t, sizeof t, "%s%s", kinds[k].prefix, figs[f].name);
            if (strlen(t) == n && !strncmp(t, m, n)) return 1;
        }
    for (size_t i = 0; i < NSCALARS; i++)
        if (strlen(scalars[i].name) == n && !strncmp(scalars[i].name, m, n)) return 1;
    return 0;
}

/* METRIC or FIGURE{SERIES}: a figure a series has, and a name of 1..63 bytes without braces or controls. */
static int metric_check(const char *m, buf *err)
{
    const char *brace = strchr(m, '{');
    if (!brace) {
        if (known_plain(m, strlen(m))) return 0;
        return buf_fail(err, "unknown metric '%s' (known: %s)", m, compare_metric_list());
    }
    size_t n = (size_t)(brace - m), len = strlen(brace + 1);
    int fig = 0;
    for (size_t f = 0; f < NFIGS; f++) fig |= strlen(figs[f].name) == n && !strncmp(figs[f].name, m, n);
    for (size_t f = 0; f < NCOUNTS; f++) fig |= strlen(series_counts[f]) == n && !strncmp(series_counts[f], m, n);
    if (!fig) return buf_fail(err, "'%.*s' is not a figure of a series (known: p50_ms ... mean_ms, errors, error_rate, lost)", (int)n, m);
    if (len < 2 || brace[len] != '}' || len - 1 > 63) return buf_fail(err, "a series name is 1..63 bytes in braces: p99_ms{NAME}");
    for (size_t i = 1; i < len; i++)
        if (brace[i] == '{' || brace[i] == '}' || (unsigned char)brace[i] < 0x20)
            return buf_fail(err, "a series name has no braces or control characters");
    return 0;
}

int compare_gate_parse(const char *text, compare_gate *g, buf *err)
{
    memset(g, 0, sizeof *g);
    g->row = -1;
    TEXT_SET(g->expr, text, 0);
    const char *eq = strchr(text, '=');
    if (!eq) return buf_fail(err, "expected METRIC=LIMIT, e.g. p99_ms=15%% or round_trips_per_s=-10%%");
    const char *a = text, *b = eq;
    while (a < b && isspace((unsigned char)*a)) a++;
    while (b > a && isspace((unsigned char)b[-1])) b--;
    if (b == a) return buf_fail(err, "no metric before '='");
    if ((size_t)(b - a) >= sizeof g->metric) return buf_fail(err, "metric name too long");
    memcpy(g->metric, a, (size_t)(b - a));
    g->metric[b - a] = '\0';
    if (metric_check(g->metric, err) < 0) return -1;
    const char *p = eq + 1;
    while (isspace((unsigned char)*p)) p++;
    g->dir = 0;
    if (*p == '+' || *p == '-') { g->dir = *p == '+' ? 1 : -1; g->explicit_dir = 1; p++; }
    if (!isdigit((unsigned char)*p) && *p != '.') return buf_fail(err, "expected a number after '=' (and an optional + or -)");
    char *end;
    g->limit = strtod(p, &end);
    if (end == p || !isfinite(g->limit) || g->limit < 0) return buf_fail(err, "expected a finite number");
    while (isspace((unsigned char)*end)) end++;
    const char *unit = name_unit(g->metric);
    char suf[16];
    size_t sn = strcspn(end, " \t");
    if (sn >= sizeof suf) sn = sizeof suf - 1;
    memcpy(suf, end, sn);
    suf[sn] = '\0';
    for (end += sn; isspace((unsigned char)*end); end++) {}
    if (*end) return buf_fail(err, "unexpected text after the limit");
    if (!strcmp(suf, "%")) g->relative = 1;
    else if (suf[0] && strcmp(suf, unit))
        return buf_fail(err, "unexpected '%s' after the number (a %% or the metric's unit%s%s)", suf,
                        unit[0] ? ": " : ", which it has none", unit);
    if (!g->dir) {
        /* the metric's bad direction: throughput down, everything else up */
        g->dir = (!strcmp(g->metric, "round_trips_per_s") || !strcmp(g->metric, "offered_per_s")) ? -1 : 1;
    }
    return 0;
}

/* ---- evaluation ---- */

/* The ranks (1..n) of the order statistics that bound the q-quantile of n samples with 95% confidence,
 * distribution free: the largest lo with P(Bin(n,q) < lo) <= 2.5% and the smallest hi with
 * P(Bin(n,q) < hi) >= 97.5%; 0 or n + 1 when no sample bounds it on that side. Exact (a sum of binomial
 * terms) for small n*q*(1-q), the normal approximation n*q +- 1.96*sqrt(n*q*(1-q)) beyond. */
static void quantile_ranks(uint64_t n, double q, double *lo, double *hi)
{
    double nn = (double)n, var = nn * q * (1 - q);
    if (var >= 25) {
        *lo = floor(nn * q - 1.96 * sqrt(var));
        *hi = ceil(nn * q + 1.96 * sqrt(var));
        return;
    }
    double below = 0, lq = log(q), lr = log1p(-q), lg = lgamma(nn + 1);
    *lo = 0;
    *hi = nn + 1;
    for (uint64_t i = 0; i < n; i++) {     /* below = P(Bin < i + 1): the chance rank i + 1 is above it */
        below += exp(lg - lgamma((double)i + 1) - lgamma(nn - (double)i + 1) + (double)i * lq + (nn - (double)i) * lr);
        if (below <= 0.025) *lo = (double)i + 1;
        if (below >= 0.975) { *hi = (double)i + 1; break; }
    }
}

/* That interval in ms: the values at those ranks; 0 below the first sample, INFINITY above the last (a
 * p99 needs 367 samples for an upper end, a p99.9 3,687, a median 6). */
static void quantile_ci(const hist *h, double q, double *lo, double *hi)
{
    uint64_t n = hist_count(h);
    double rl, rh;
    quantile_ranks(n, q, &rl, &rh);
    *lo = rl < 1 ? 0 : (double)hist_value_at_percentile(h, rl * 100 / (double)n) / 1e6;
    *hi = rh > (double)n ? INFINITY : (double)hist_value_at_percentile(h, rh * 100 / (double)n) / 1e6;
}

static const char *ci_end(double v, char *t, size_t cap)
{
    if (isinf(v)) snprintf(t, cap, "(no upper end)");
    else snprintf(t, cap, "%.3g", v);
    return t;
}

static void note_add(compare_row *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note_add(compare_row *r, const char *fmt, ...)
{
    size_t n = strlen(r->note);
    if (n + 3 >= sizeof r->note) return;
    if (n) { snprintf(r->note + n, sizeof r->note - n, "; "); n += 2; }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + n, sizeof r->note - n, fmt, ap);
    va_end(ap);
}

static const char *pct_name(double q, char *t, size_t cap)
{
    snprintf(t, cap, "p%g", q * 100);
    if (q == 0.999) snprintf(t, cap, "p99.9");
    return t;
}

/* Samples and precision: the row's verdict before any gate. */
static void row_verdict(compare_row *r)
{
    r->delta = r->cur - r->base;
    r->delta_pct = r->base != 0 ? r->delta / fabs(r->base) * 100 : NAN;
    if (isnan(r->base) || isnan(r->cur)) {
        r->delta = r->delta_pct = NAN;
        r->verdict = CMP_NA;
        note_add(r, "%s %s report", r->q != 0 ? "no samples in" : "not in",
                 isnan(r->base) && isnan(r->cur) ? "either" : isnan(r->base) ? "the baseline" : "the current");
        return;
    }
    char t[16];
    if (r->q > 0 && r->h_base && r->h_cur) {
        double few = 10 / (1 - r->q);   /* fewer samples than this: under 10 beyond the percentile */
        if (((double)r->n_base < few || (double)r->n_cur < few) && r->n_base == r->n_cur)
            note_add(r, "%s of %llu samples", pct_name(r->q, t, sizeof t), (unsigned long long)r->n_base);
        else if ((double)r->n_base < few || (double)r->n_cur < few)
            note_add(r, "%s of %llu and %llu samples", pct_name(r->q, t, sizeof t), (unsigned long long)r->n_base,
                     (unsigned long long)r->n_cur);
        int sb = hist_hdr_sub_bucket_count(r->h_base), sc = hist_hdr_sub_bucket_count(r->h_cur);
        double prec = 2.0 / (sb < sc ? sb : sc);
        if (fabs(r->delta) <= fmax(fabs(r->base), fabs(r->cur)) * prec && r->delta != 0) {
            r->verdict = CMP_PRECISION;
            note_add(r, "within the histograms' %.2g%% precision", prec * 100);
            return;
        }
        double bl, bh, cl, ch;
        char e1[24], e2[24];
        quantile_ci(r->h_base, r->q, &bl, &bh);
        quantile_ci(r->h_cur, r->q, &cl, &ch);
        if (r->delta != 0 && bl <= ch && cl <= bh) {
            r->verdict = CMP_NOISE;
            note_add(r, "within the noise: 95%% intervals %.3g..%s and %.3g..%s ms overlap", bl,
                     ci_end(bh, e1, sizeof e1), cl, ci_end(ch, e2, sizeof e2));
            return;
        }
    } else if (r->q > 0) {
        note_add(r, "from the summary figures (no histogram)");
    } else if (r->q == -1 && r->h_base && r->h_cur) {
        note_add(r, "one sample each: exact, but a single event");
    }
    r->verdict = r->delta == 0 ? CMP_SAME : r->delta * r->worse > 0 ? CMP_WORSE : CMP_BETTER;
}

static void gate_eval(compare_gate *g, compare_row *r)
{
    r->gated = 1;
    if (isnan(r->base) || isnan(r->cur)) { g->change = NAN; g->pass = 0; r->verdict = CMP_MISSING; return; }
    double along = r->delta * g->dir;   /* the change in the gate's direction */
    if (g->relative) g->change = r->base != 0 ? r->delta_pct * g->dir : along > 0 ? INFINITY : 0;
    else g->change = along;
    g->pass = !(g->change > g->limit);
    if (r->verdict == CMP_PRECISION || r->verdict == CMP_NOISE) { g->pass = 1; return; }   /* never gates */
    if (r->verdict == CMP_MISSING || r->verdict == CMP_REGRESSION) return;
    r->verdict = g->pass ? CMP_PASS : CMP_REGRESSION;
}

int compare_evaluate(compare *c, const compare_gate *gates, size_t ngates, buf *err)
{
    if (ngates > COMPARE_MAX_GATES) return buf_fail(err, "more than %d --max-regress", COMPARE_MAX_GATES);
    for (size_t i = 0; i < c->nrows; i++) { c->rows[i].note[0] = '\0'; c->rows[i].gated = 0; row_verdict(&c->rows[i]); }
    c->ngates = 0;
    c->regressions = 0;
    for (size_t i = 0; i < ngates; i++) {
        compare_gate *g = &c->gates[c->ngates++];
        *g = gates[i];
        g->row = -1;
        for (size_t k = 0; k < c->nrows; k++)
            if (!strcmp(c->rows[k].metric, g->metric)) { g->row = (int)k; break; }
        if (g->row < 0) {
            const char *name = g->metric + strcspn(g->metric, "{") + 1;
            return buf_fail(err, "--max-regress '%s': no series '%.*s' in either report", g->expr,
                            (int)strcspn(name, "}"), name);
        }
        gate_eval(g, &c->rows[g->row]);
    }
    for (size_t i = 0; i < c->ngates; i++) if (!c->gates[i].pass) c->regressions++;
    c->exit_code = c->regressions ? 1 : 0;
    return 0;
}

const char *compare_verdict_str(compare_verdict v)
{
    switch (v) {
    case CMP_NA: return "n/a";
    case CMP_SAME: return "same";
    case CMP_BETTER: return "better";
    case CMP_WORSE: return "worse";
    case CMP_PRECISION: return "within precision";
    case CMP_NOISE: return "noise";
    case CMP_PASS: return "pass";
    case CMP_REGRESSION: return "regression";
    default: return "missing";
    }
}

const char *compare_change_str(const compare_row *r, char *tmp, size_t cap)
{
    if (isnan(r->delta)) snprintf(tmp, cap, "-");
    else if (r->delta == 0) snprintf(tmp, cap, "0");
    else if (!isnan(r->delta_pct)) snprintf(tmp, cap, "%+.1f%%", r->delta_pct);
    else snprintf(tmp, cap, "%+.4g%s%s", r->delta, r->unit[0] && r->unit[0] != '/' ? " " : "", r->unit);
    return tmp;
}
