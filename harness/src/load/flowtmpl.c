/* flowtmpl: templates rendered into JSON text, captured variables, expect and capture (flowtmpl.h).
 * One writer serves every output: it walks a cJSON value and appends JSON text, with templates (a client's
 * env) or without (raw: captured values, values shown in a mismatch detail), bounded by a byte limit. Its
 * strings are escaped as JSON.stringify writes them, and a byte that is not valid UTF-8 becomes \ufffd, so
 * the text is valid JSON whatever bytes a received value held. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/text.h"
#include "load/flowtmpl.h"

#define SHOW_MAX   60    /* bytes of a value shown in a mismatch detail */
#define PATH_SHOW  120   /* bytes of a path shown in a detail */

/* ---- templates ----------------------------------------------------------------------------------- */

typedef enum { T_CLIENT, T_CLIENT_MOD, T_SEQ, T_SEQ_PLUS, T_NOW, T_UNIX, T_RANDOM, T_UUID, T_PAYLOAD, T_VAR } tkind;

typedef struct tmpl {
    tkind kind;
    uint64_t arg;            /* K of client % K and of seq + K, N of payload N */
    int var;                 /* T_VAR: index into spec->vars */
    size_t start, end;       /* the template's bytes in the string: "{{" at start, just past "}}" at end */
} tmpl;

static int is_ident_start(int c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
static int is_ident(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }
static int is_blank(int c) { return c == ' ' || c == '\t'; }

/* Digits at s[*i..n) into *out (no sign; more than 19 digits: -1). */
static int parse_uint(const char *s, size_t n, size_t *i, uint64_t *out)
{
    size_t k = *i;
    uint64_t v = 0;
    while (k < n && s[k] >= '0' && s[k] <= '9' && k - *i < 19) v = v * 10 + (uint64_t)(s[k++] - '0');
    if (k == *i || (k < n && s[k] >= '0' && s[k] <= '9')) return -1;
    *i = k;
    *out = v;
    return 0;
}

/* The clean form of s[0..n) appended to d, at most max bytes; when it does not fit, cut shorter and ending
 * in "..." (text_clean does not mark a cut). */
static void clip(buf *d, const char *s, size_t n, size_t max)
{
    size_t len = d->len;
    long took = text_clean(d, s, n, max, 0);
    if (took < 0 || (size_t)took == n) return;
    d->len = len;
    if (d->data) d->data[len] = '\0';
    text_clean(d, s, n, max - 3, 0);
    buf_append_str(d, "...");
}

/* "unknown template '{{x}}'": the template as written, cut and cleaned. */
static int fail_tmpl(buf *err, const char *what, const char *s, size_t n)
{
    if (!err) return -1;
    buf_clear(err);
    buf_printf(err, "%s '", what);
    clip(err, s, n, 48);
    buf_append_char(err, '\'');
    return -1;
}

/* The template whose text is s[t->start..t->end): its kind, or -1 with err. */
static int parse_tmpl(const flow_spec *spec, const char *s, tmpl *t, buf *err)
{
    const char *body = s + t->start + 2;
    size_t n = t->end - t->start - 4, i = 0, id;
    while (i < n && is_blank(body[i])) i++;
    while (n > i && is_blank(body[n - 1])) n--;
    id = i;
    if (i < n && is_ident_start(body[i]))
        while (i < n && is_ident(body[i])) i++;
    size_t idn = i - id;
    const char *name = body + id;
    while (i < n && is_blank(body[i])) i++;
#define IS(lit) (idn == sizeof(lit) - 1 && !memcmp(name, lit, idn))
    if (IS("client") && i < n && body[i] == '%') {
        for (i++; i < n && is_blank(body[i]); i++) {}
        if (parse_uint(body, n, &i, &t->arg) < 0 || i != n || t->arg < 1 || t->arg > INT32_MAX)
            return buf_fail(err, "{{client %% K}}: K must be an integer in [1, 2147483647]");
        t->kind = T_CLIENT_MOD;
        return 0;
    }
    /* {{seq + K}}: what a server that counts on from the client's value answers (the counter: id + 1) */
    if (IS("seq") && i < n && body[i] == '+') {
        for (i++; i < n && is_blank(body[i]); i++) {}
        if (parse_uint(body, n, &i, &t->arg) < 0 || i != n || t->arg > INT32_MAX)
            return buf_fail(err, "{{seq + K}}: K must be an integer in [0, 2147483647]");
        t->kind = T_SEQ_PLUS;
        return 0;
    }
    if (IS("payload")) {
        if (parse_uint(body, n, &i, &t->arg) < 0 || i != n || t->arg > FLOWTMPL_MAX_PAYLOAD)
            return buf_fail(err, "{{payload N}}: N must be an integer in [0, %d]", FLOWTMPL_MAX_PAYLOAD);
        t->kind = T_PAYLOAD;
        return 0;
    }
    if (idn == 0 || i != n) return fail_tmpl(err, "unknown template", s + t->start, t->end - t->start);
    if (IS("client")) t->kind = T_CLIENT;
    else if (IS("seq")) t->kind = T_SEQ;
    else if (IS("now_us")) t->kind = T_NOW;
    else if (IS("unix_us")) t->kind = T_UNIX;
    else if (IS("random")) t->kind = T_RANDOM;
    else if (IS("uuid")) t->kind = T_UUID;
    else {
        t->kind = T_VAR;
        t->var = spec ? flowspec_var_index(spec, name, idn) : -1;
        if (t->var < 0) return fail_tmpl(err, "unknown template", s + t->start, t->end - t->start);
    }
#undef IS
    return 0;
}

/* The next template in s[*pos..n): 1 with *t, 0 when there is none, -1 with err. *pos moves past it. */
static int next_tmpl(const flow_spec *spec, const char *s, size_t n, size_t *pos, tmpl *t, buf *err)
{
    const char *p = s + *pos, *end = s + n, *close;
    while ((p = memchr(p, '{', (size_t)(end - p))) && (p + 1 >= end || p[1] != '{')) p++;
    if (!p) return 0;
    for (close = p + 2; close + 1 < end && !(close[0] == '}' && close[1] == '}'); close++) {}
    if (close + 1 >= end) return buf_fail(err, "unclosed '{{'");
    t->start = (size_t)(p - s);
    t->end = (size_t)(close + 2 - s);
    *pos = t->end;
    return parse_tmpl(spec, s, t, err) < 0 ? -1 : 1;
}

static int has_tmpl(const char *s, size_t n) { return memmem(s, n, "{{", 2) != NULL; }

int flowtmpl_check(const flow_spec *spec, const char *s, size_t n, buf *err)
{
    size_t pos = 0;
    tmpl t;
    int r;
    while ((r = next_tmpl(spec, s, n, &pos, &t, err)) == 1) {}
    return r;
}

uint64_t flowtmpl_payload_bytes(const flow_spec *spec, const char *s, size_t n)
{
    size_t pos = 0;
    uint64_t sum = 0;
    tmpl t;
    while (next_tmpl(spec, s, n, &pos, &t, NULL) == 1)
        if (t.kind == T_PAYLOAD) sum += t.arg;
    return sum;
}

int flowtmpl_check_int(const flow_spec *spec, const char *s, size_t n, buf *err)
{
    size_t pos = 0;
    tmpl t;
    int r = next_tmpl(spec, s, n, &pos, &t, err);
    if (r < 0) return -1;
    if (r == 0 || t.start != 0 || t.end != n || t.kind == T_UUID || t.kind == T_PAYLOAD)
        return buf_fail(err, "must be an integer or one template that gives one (\"{{members}}\")");
    return 0;
}

/* ---- the writer ---------------------------------------------------------------------------------- */

typedef struct wr {
    const flowtmpl_env *e;   /* NULL: raw (no templates) */
    buf *out;
    size_t start;            /* out->len when the value began */
    size_t limit;            /* bytes of this value at most */
    buf *err;
} wr;

static int wr_full(wr *w)
{
    if (w->out->len - w->start <= w->limit) return 0;
    return buf_fail(w->err, "the rendered value is over %zu bytes", w->limit);
}

static int oom(buf *err) { return buf_fail(err, "out of memory"); }

/* s[0..n) escaped as the inside of a JSON string (no quotes). */
static int esc(buf *out, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { i++; continue; }
        size_t ulen = c >= 0x80 ? text_utf8_seq(p + i, n - i) : 0;
        if (ulen) { i += ulen; continue; }
        if (buf_append(out, s + run, i - run) < 0) return -1;
        char e[8];
        const char *q = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\b' ? "\\b" : c == '\f' ? "\\f"
                      : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t" : NULL;
        if (!q) {
            if (c < 0x20) snprintf(e, sizeof e, "\\u%04x", c);
            else memcpy(e, "\\ufffd", 7);          /* not UTF-8: U+FFFD, as Node decodes it */
            q = e;
        }
        if (buf_append_str(out, q) < 0) return -1;
        run = ++i;
    }
    return buf_append(out, s + run, n - run);
}

static int put_str(buf *out, const char *s, size_t n)
{
    if (buf_append_char(out, '"') < 0 || esc(out, s, n) < 0 || buf_append_char(out, '"') < 0) return -1;
    return 0;
}

/* Decimal digits without printf: rendering runs per emit, and most of its numbers are these. */
static int put_u64(buf *out, uint64_t v, int neg)
{
    char t[24], *p = t + sizeof t;
    do { *--p = (char)('0' + v % 10); v /= 10; } while (v);
    if (neg) *--p = '-';
    return buf_append(out, p, (size_t)(t + sizeof t - p));
}

static int put_i64(buf *out, int64_t v)
{
    return put_u64(out, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

/* A number as JSON.stringify would accept it back: integers in digits, others in the shortest %g that
 * reads back the same double; not finite: null (as JSON.stringify writes NaN and Infinity). */
static int put_num(buf *out, double d)
{
    if (!isfinite(d)) return buf_append_str(out, "null");
    if (d == 0) return buf_append_char(out, '0');     /* -0 too, as JSON.stringify */
    if (d == floor(d) && fabs(d) < 9e18) return put_i64(out, (int64_t)d);
    if (d == floor(d) && fabs(d) < 1e21) return buf_printf(out, "%.0f", d);
    char t[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(t, sizeof t, "%.*g", prec, d);
        if (strtod(t, NULL) == d) break;
    }
    return buf_append_str(out, t);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

static int put_uuid(buf *out, uint64_t *rng)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    uint64_t r[2] = {rng_next(rng), rng_next(rng)};
    char s[37];
    size_t k = 0;
    memcpy(b, r, 16);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);  /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);  /* variant RFC 4122 */
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s[k++] = '-';
        s[k++] = hex[b[i] >> 4];
        s[k++] = hex[b[i] & 15];
    }
    return buf_append(out, s, 36);
}

/* N bytes of URL-safe base64 characters from a generator seeded by the client's: printable, nothing to
 * escape, and not a repetition that permessage-deflate would squeeze to nothing. */
static int put_payload(buf *out, size_t n, uint64_t *rng)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    uint64_t s = rng_next(rng) | 1, r = 0;
    if (n == 0) return 0;
    if (buf_reserve(out, n) < 0) return -1;
    char *p = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        if (i % 10 == 0) r = rng_next(&s);
        p[i] = al[r & 63];
        r >>= 6;
    }
    out->len += n;
    out->data[out->len] = '\0';
    return 0;
}

/* A template's value: as a JSON value (typed: the whole string was this template), or as text inside a
 * string being written (the caller wrote the opening quote). */
static int put_tmpl(wr *w, const tmpl *t, int typed)
{
    static __thread uint64_t fallback = 0x9e3779b97f4a7c15ull;   /* an env without a generator */
    const flowtmpl_env *e = w->e;
    uint64_t *rng = e->rng ? e->rng : &fallback;
    buf *out = w->out;
    int r;
    switch (t->kind) {
    case T_CLIENT:     return put_i64(out, e->client) < 0 ? oom(w->err) : 0;
    case T_CLIENT_MOD: return put_i64(out, (int64_t)e->client % (int64_t)t->arg) < 0 ? oom(w->err) : 0;
    case T_SEQ:        return put_i64(out, e->seq) < 0 ? oom(w->err) : 0;
    case T_SEQ_PLUS:   return put_i64(out, e->seq + (int64_t)t->arg) < 0 ? oom(w->err) : 0;   /* seq < 1e12 */
    case T_NOW:        return put_i64(out, clock_now_ns() / 1000) < 0 ? oom(w->err) : 0;
    case T_UNIX:       return put_i64(out, clock_wall_ns() / 1000) < 0 ? oom(w->err) : 0;
    case T_RANDOM:     return put_u64(out, rng_next(rng), 0) < 0 ? oom(w->err) : 0;
    case T_UUID:
        r = (typed && buf_append_char(out, '"') < 0) || put_uuid(out, rng) < 0 ||
            (typed && buf_append_char(out, '"') < 0);
        return r ? oom(w->err) : 0;
    case T_PAYLOAD:
        r = (typed && buf_append_char(out, '"') < 0) || put_payload(out, (size_t)t->arg, rng) < 0 ||
            (typed && buf_append_char(out, '"') < 0);
        return r ? oom(w->err) : 0;
    case T_VAR: break;
    }
    if (!e->vars || t->var < 0 || t->var >= FLOWSPEC_MAX_VARS || !e->vars->set[t->var])
        return buf_fail(w->err, "variable '%s' not captured yet",
                        t->var >= 0 && t->var < e->spec->nvars ? e->spec->vars[t->var] : "?");
    const buf *v = &e->vars->val[t->var];
    if (typed) r = buf_append(out, v->data, v->len);
    else if (v->len >= 2 && v->data[0] == '"') r = buf_append(out, v->data + 1, v->len - 2);  /* escaped already */
    else r = esc(out, v->data, v->len);     /* a number, object... spliced as its JSON text */
    return r < 0 ? oom(w->err) : 0;
}

static int put_string(wr *w, const char *s, size_t n)
{
    size_t pos = 0, lit = 0;
    tmpl t;
    int r;
    if (!w->e || !has_tmpl(s, n)) return put_str(w->out, s, n) < 0 ? oom(w->err) : wr_full(w);
    if ((r = next_tmpl(w->e->spec, s, n, &pos, &t, w->err)) < 0) return -1;
    if (t.start == 0 && t.end == n) return put_tmpl(w, &t, 1) < 0 ? -1 : wr_full(w);
    if (buf_append_char(w->out, '"') < 0) return oom(w->err);
    for (; r == 1; r = next_tmpl(w->e->spec, s, n, &pos, &t, w->err)) {
        if (esc(w->out, s + lit, t.start - lit) < 0) return oom(w->err);
        if (put_tmpl(w, &t, 0) < 0 || wr_full(w) < 0) return -1;
        lit = t.end;
    }
    if (r < 0) return -1;
    if (esc(w->out, s + lit, n - lit) < 0 || buf_append_char(w->out, '"') < 0) return oom(w->err);
    return wr_full(w);
}

static int put_value(wr *w, const cJSON *v)
{
    const cJSON *c;
    buf *out = w->out;
    if (cJSON_IsString(v)) return put_string(w, v->valuestring, strlen(v->valuestring));
    if (cJSON_IsNumber(v)) return put_num(out, v->valuedouble) < 0 ? oom(w->err) : 0;
    if (cJSON_IsTrue(v)) return buf_append_str(out, "true") < 0 ? oom(w->err) : 0;
    if (cJSON_IsFalse(v)) return buf_append_str(out, "false") < 0 ? oom(w->err) : 0;
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) return buf_append_str(out, "null") < 0 ? oom(w->err) : 0;
    int obj = cJSON_IsObject(v);
    if (buf_append_char(out, obj ? '{' : '[') < 0) return oom(w->err);
    for (c = v->child; c; c = c->next) {
        if (c != v->child && buf_append_char(out, ',') < 0) return oom(w->err);
        /* keys are written as they are: never templates */
        if (obj && (put_str(out, c->string ? c->string : "", c->string ? strlen(c->string) : 0) < 0 ||
                    buf_append_char(out, ':') < 0))
            return oom(w->err);
        if (put_value(w, c) < 0 || wr_full(w) < 0) return -1;
    }
    return buf_append_char(out, obj ? '}' : ']') < 0 ? oom(w->err) : 0;
}

/* Append v to out (e: templates for that client; NULL: raw). On failure out is as it was. */
static int write_json(const flowtmpl_env *e, const cJSON *v, buf *out, size_t limit, buf *err)
{
    wr w = {e, out, out->len, limit, err};
    if (put_value(&w, v) < 0 || wr_full(&w) < 0) {
        out->len = w.start;
        if (out->data) out->data[out->len] = '\0';
        return -1;
    }
    return 0;
}

int flowtmpl_render(const flowtmpl_env *e, const cJSON *v, buf *out, buf *err)
{
    return write_json(e, v, out, FLOWTMPL_MAX_RENDER, err);
}

int flowtmpl_render_int(const flowtmpl_env *e, const cJSON *v, int64_t *out, buf *err)
{
    buf t = BUF_INIT;
    double d;
    int rc = -1;
    if (cJSON_IsNumber(v)) d = v->valuedouble;
    else {
        if (write_json(e, v, &t, FLOWTMPL_MAX_VAR, err) < 0) goto done;
        cJSON *n = cJSON_ParseWithLength(t.data, t.len);
        int num = cJSON_IsNumber(n);
        d = num ? n->valuedouble : 0;
        cJSON_Delete(n);
        if (!num) {
            buf_fail(err, "not an integer: ");
            clip(err, t.data, t.len, SHOW_MAX);
            goto done;
        }
    }
    if (!isfinite(d) || d != floor(d) || d < 0 || d > 9007199254740992.0) {
        buf_fail(err, "not an integer in [0, 2^53]: %.17g", d);
        goto done;
    }
    *out = (int64_t)d;
    rc = 0;
done:
    buf_free(&t);
    return rc;
}

/* ---- variables ----------------------------------------------------------------------------------- */

void flowtmpl_vars_init(flowtmpl_vars *vs) { memset(vs, 0, sizeof *vs); }

void flowtmpl_vars_free(flowtmpl_vars *vs)
{
    for (int i = 0; i < FLOWSPEC_MAX_VARS; i++) buf_free(&vs->val[i]);
    memset(vs, 0, sizeof *vs);
}

/* Written after the old text, then moved down: the old value stays on failure, and the buffer's memory
 * is reused from one capture to the next. */
int flowtmpl_vars_set(flowtmpl_vars *vs, int i, const cJSON *v)
{
    if (i < 0 || i >= FLOWSPEC_MAX_VARS) return -1;
    buf *b = &vs->val[i];
    size_t old = b->len;
    if (write_json(NULL, v, b, FLOWTMPL_MAX_VAR, NULL) < 0) return -1;
    memmove(b->data, b->data + old, b->len - old + 1);
    b->len -= old;
    vs->set[i] = 1;
    return 0;
}

/* ---- paths --------------------------------------------------------------------------------------- */

/* The member named key[0..n) of an object: the last one, as JSON.parse keeps the last duplicate. */
static const cJSON *member(const cJSON *obj, const char *key, size_t n)
{
    const cJSON *c, *found = NULL;
    for (c = obj->child; c; c = c->next)
        if (c->string && strlen(c->string) == n && !memcmp(c->string, key, n)) found = c;
    return found;
}

const cJSON *flowtmpl_path(const cJSON *v, const char *path)
{
    const char *p = path;
    while (v && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (cJSON_IsObject(v)) v = member(v, p, n);
        else if (cJSON_IsArray(v)) {
            size_t k = 0;
            uint64_t idx;
            if (parse_uint(p, n, &k, &idx) < 0 || k != n || idx > INT32_MAX) return NULL;
            v = cJSON_GetArrayItem(v, (int)idx);
        } else return NULL;
        if (!dot) break;
        p = dot + 1;
        if (!*p) return NULL;                       /* "a." */
    }
    return v;
}

/* ---- match --------------------------------------------------------------------------------------- */

typedef struct mctx {
    const flowtmpl_env *e;
    buf path;                /* "a.b.0" of the value being compared */
    buf *detail;
} mctx;

/* v as JSON text, cut to SHOW_MAX (raw: no templates). */
static void show(buf *d, const cJSON *v)
{
    buf t = BUF_INIT;
    wr w = {NULL, &t, 0, SHOW_MAX + 8, NULL};
    if (!v) {
        buf_append_str(d, "(missing)");
        return;
    }
    put_value(&w, v);      /* stops soon after the limit: what it wrote is cut here */
    clip(d, buf_cstr(&t), t.len, SHOW_MAX);
    buf_free(&t);
}

static void show_path(mctx *m)
{
    buf_clear(m->detail);
    if (m->path.len) clip(m->detail, m->path.data, m->path.len, PATH_SHOW);
    else buf_append_str(m->detail, "(root)");
    buf_append_str(m->detail, ": want ");
}

/* "path: want <want>, got <got>" (want_text: a description instead of want's JSON). */
static int mismatch(mctx *m, const cJSON *want, const char *want_text, const cJSON *got)
{
    show_path(m);
    if (want_text) buf_append_str(m->detail, want_text);
    else show(m->detail, want);
    buf_append_str(m->detail, ", got ");
    show(m->detail, got);
    return 0;
}

static const char *const type_names[] = {"number", "string", "boolean", "object", "array", "null"};

static int type_is(const cJSON *v, const char *t)
{
    if (!strcmp(t, "number")) return cJSON_IsNumber(v);
    if (!strcmp(t, "string")) return cJSON_IsString(v);
    if (!strcmp(t, "boolean")) return cJSON_IsBool(v);
    if (!strcmp(t, "object")) return cJSON_IsObject(v);
    if (!strcmp(t, "array")) return cJSON_IsArray(v);
    if (!strcmp(t, "null")) return cJSON_IsNull(v);
    return 0;
}

int flowtmpl_type_name_ok(const char *t)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (!strcmp(t, type_names[i])) return 1;
    return 0;
}

/* {"$exists": b} or {"$type": "t"}: its one member, else NULL. */
static const cJSON *op_of(const cJSON *want)
{
    const cJSON *c = cJSON_IsObject(want) ? want->child : NULL;
    if (!c || c->next || !c->string) return NULL;
    return !strcmp(c->string, "$exists") || !strcmp(c->string, "$type") ? c : NULL;
}

static int m_value(mctx *m, const cJSON *want, const cJSON *got, int raw);

static int m_op(mctx *m, const cJSON *op, const cJSON *got)
{
    char t[80];
    if (!strcmp(op->string, "$exists")) {
        int want = cJSON_IsTrue(op);
        if (want == (got != NULL)) return 1;
        return mismatch(m, NULL, want ? "(present)" : "(absent)", got);
    }
    const char *tn = cJSON_IsString(op) ? op->valuestring : "?";
    if (got && type_is(got, tn)) return 1;
    snprintf(t, sizeof t, "a value of type %s", tn);
    return mismatch(m, NULL, t, got);
}

/* The item want describes, got (NULL: missing) at the path in m. */
static int m_field(mctx *m, const cJSON *want, const cJSON *got, int raw)
{
    const cJSON *op = raw ? NULL : op_of(want);
    if (op) return m_op(m, op, got);
    if (!got) return mismatch(m, want, NULL, got);
    return m_value(m, want, got, raw);
}

/* A string of expect with templates: rendered for the client, then compared as the value it gives. */
static int m_template(mctx *m, const cJSON *want, const cJSON *got)
{
    buf t = BUF_INIT, err = BUF_INIT;
    int r;
    if (write_json(m->e, want, &t, FLOWTMPL_MAX_RENDER, &err) < 0) {
        buf_clear(m->detail);
        if (m->path.len) clip(m->detail, m->path.data, m->path.len, PATH_SHOW);
        else buf_append_str(m->detail, "(root)");
        buf_printf(m->detail, ": %s", buf_cstr(&err));
        r = -1;
    } else if (t.len >= 2 && t.data[0] == '"' && !memchr(t.data, '\\', t.len)) {
        /* the usual case, a string with nothing escaped: compared without reading it back */
        int same = cJSON_IsString(got) && strlen(got->valuestring) == t.len - 2 &&
                   !memcmp(got->valuestring, t.data + 1, t.len - 2);
        cJSON *shown = same ? NULL : cJSON_ParseWithLength(t.data, t.len);
        r = same ? 1 : mismatch(m, shown, shown ? NULL : "(a string)", got);
        cJSON_Delete(shown);
    } else {
        cJSON *v = cJSON_ParseWithLength(t.data, t.len);
        r = v ? m_value(m, v, got, 1) : buf_fail(m->detail, "out of memory (reading a rendered value back)");
        cJSON_Delete(v);
    }
    buf_free(&t);
    buf_free(&err);
    return r;
}

static int push_path(mctx *m, const char *key, int idx)
{
    if (m->path.len) buf_append_char(&m->path, '.');
    return key ? buf_append_str(&m->path, key) : buf_printf(&m->path, "%d", idx);
}

static void pop_path(mctx *m, size_t len)
{
    m->path.len = len;
    if (m->path.data) m->path.data[len] = '\0';
}

static int m_container(mctx *m, const cJSON *want, const cJSON *got, int raw)
{
    int obj = cJSON_IsObject(want), i = 0, r = 1;
    size_t len = m->path.len;
    if (obj ? !cJSON_IsObject(got) : !cJSON_IsArray(got))
        return mismatch(m, NULL, obj ? "an object" : "an array", got);
    if (!obj && cJSON_GetArraySize(want) != cJSON_GetArraySize(got)) {
        char t[64];
        snprintf(t, sizeof t, "an array of %d", cJSON_GetArraySize(want));
        return mismatch(m, NULL, t, got);
    }
    const cJSON *g = obj ? NULL : got->child;
    for (const cJSON *c = want->child; c && r == 1; c = c->next, i++) {
        const cJSON *item = obj ? member(got, c->string, strlen(c->string)) : g;
        if (push_path(m, obj ? c->string : NULL, i) < 0) return buf_fail(m->detail, "out of memory");
        r = m_field(m, c, item, raw);
        pop_path(m, len);
        if (g) g = g->next;
    }
    return r;
}

static int m_value(mctx *m, const cJSON *want, const cJSON *got, int raw)
{
    if (cJSON_IsString(want)) {
        if (!raw && has_tmpl(want->valuestring, strlen(want->valuestring))) return m_template(m, want, got);
        if (cJSON_IsString(got) && !strcmp(want->valuestring, got->valuestring)) return 1;
        return mismatch(m, want, NULL, got);
    }
    if (cJSON_IsNumber(want)) {
        if (cJSON_IsNumber(got) && want->valuedouble == got->valuedouble) return 1;
        return mismatch(m, want, NULL, got);
    }
    if (cJSON_IsBool(want) || cJSON_IsNull(want)) {
        if ((got->type & 0xff) == (want->type & 0xff)) return 1;
        return mismatch(m, want, NULL, got);
    }
    return m_container(m, want, got, raw);
}

int flowtmpl_match(const flowtmpl_env *e, const cJSON *expect, const cJSON *got, buf *detail)
{
    mctx m = {e, BUF_INIT, detail};
    buf_clear(detail);
    int r = m_field(&m, expect, got, 0);
    buf_free(&m.path);
    return r;
}

/* ---- capture ------------------------------------------------------------------------------------- */

static int capture_fail(buf *detail, const flowspec_capture *c, const char *why)
{
    buf_clear(detail);
    buf_printf(detail, "capture '%s': ", c->var);
    if (why) return buf_append_str(detail, why), -1;
    buf_append_str(detail, "no '");
    clip(detail, c->path, strlen(c->path), PATH_SHOW);
    buf_append_str(detail, "' in the value");
    return -1;
}

int flowtmpl_capture(flowtmpl_vars *vs, const flowspec_capture *caps, int ncaps, const cJSON *got, buf *detail)
{
    /* every path first, so a capture that fails leaves no variable half-updated */
    for (int i = 0; i < ncaps; i++)
        if (!got || !flowtmpl_path(got, caps[i].path)) return capture_fail(detail, &caps[i], NULL);
    for (int i = 0; i < ncaps; i++)
        if (flowtmpl_vars_set(vs, caps[i].var_index, flowtmpl_path(got, caps[i].path)) < 0)
            return capture_fail(detail, &caps[i], "the value's JSON is over 65536 bytes");
    return 0;
}
