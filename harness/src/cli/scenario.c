/* scenario: JSON file -> struct scenario, field by field through one table per JSON object, so the file
 * and the command line share every check and every message. Cross-field rules live in scenario_validate. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/fileio.h"
#include "cli/scenario.h"
#include "load/flowspec.h"
#include "report/compare.h"
#include "net/headers.h"
#include "net/target.h"
#include "net/source.h"

#define MAX_SAFE_INT 9007199254740991.0 /* 2^53-1: ids travel as JSON numbers to JavaScript */
/* Ranges: wide enough for any real run, narrow enough that every conversion to int64 nanoseconds (and
 * 1e9 / rate, the open model's period) stays far from overflow. The README lists them. */
#define MAX_CLIENTS   1000000          /* also the steps' bounds */
#define MAX_MESSAGES  1e12             /* per client */
#define MIN_RUN_S     0.001            /* a nonzero duration shorter than this would be 0 ns: a run without end */
#define MAX_RUN_S     2592000          /* 30 days */
#define MAX_STEP_S    86400            /* a day per step; ramp_s likewise */
#define MAX_THINK_MS  3600000          /* an hour, like the timeouts */
#define MAX_PERIOD_S  1000             /* the open model's longest period per client... */
#define MIN_RATE      (1.0 / MAX_PERIOD_S)   /* ...so at least 0.001 messages/s */
#define MAX_RATE      100000           /* per client: a 10 us period */
#define MAX_TOTAL_RATE 10000000
#define MAX_STEPS     1000
/* the conversions cmd_run and client.c make, at the extremes: far inside an int64 of ns */
_Static_assert(MAX_RUN_S * 1000000000LL < INT64_MAX / 4, "duration_s in ns");
_Static_assert(MAX_STEP_S * 1000000000LL < INT64_MAX / 4, "ramp_s, step_s in ns");
_Static_assert(MAX_THINK_MS * 1000000LL < INT64_MAX / 4, "think_ms in ns");
_Static_assert(MAX_PERIOD_S * 1000000000LL < INT64_MAX / 4, "the open model's period, 1e9 / MIN_RATE ns");

/* set_ bits: what was given explicitly, for defaults that depend on other fields. */
enum {
    SET_MESSAGES = 1u << 0, SET_DURATION = 1u << 1, SET_ALLOW_EIO3 = 1u << 2, SET_NAME = 1u << 3,
    CLI_MESSAGES = 1u << 4, CLI_DURATION = 1u << 5, CLI_RATE = 1u << 6, CLI_TOTAL_RATE = 1u << 7,
    SET_MAX_QUEUE = 1u << 8, SET_WORKLOAD = 1u << 9,
};

/* K_NUM0: 0 (off), or a number in [min, max] */
enum kind { K_INT, K_I64, K_NUM, K_NUM0, K_BOOL, K_STR, K_OBJ, K_SPECIAL };

typedef int (*special_fn)(scenario *sc, const cJSON *v, const char *name, buf *err);

struct field {
    const char *key;
    enum kind kind;
    size_t off;                  /* into scenario, for the plain kinds */
    double min, max;             /* numbers: range; strings: min = minimum length */
    special_fn special;          /* K_SPECIAL */
    const struct field *sub;     /* K_OBJ: the object's own table */
    unsigned flag;               /* set_ bit to raise when given */
    const char *unit;            /* numbers: named in range errors ("seconds"), or NULL */
};


static int replace_str(char **dst, const char *s, buf *err)
{
    char *copy = strdup(s);
    if (!copy) return buf_fail(err, "out of memory");
    free(*dst);
    *dst = copy;
    return 0;
}

/* ---- special fields ---------------------------------------------------------------------------- */

static int has_ctl_or_space(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f) return 1;
    return 0;
}

/* A URL as net/target takes it apart (the one place that reads URLs): 0, or -1 with target's reason under
 * the field's name. */
static int url_check(const char *url, const char *name, buf *err)
{
    target t;
    buf why = BUF_INIT;
    target_init(&t);
    int bad = target_parse(&t, url, &why) < 0;
    target_free(&t);
    if (bad) {
        const char *w = buf_cstr(&why);
        if (!strncmp(w, "url: ", 5)) w += 5;   /* target's messages name the field "url" */
        buf_fail(err, "%s: %s", name, w);
    }
    buf_free(&why);
    return bad ? -1 : 0;
}

/* "local", or a URL net/target takes. */
static int sp_url(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (!cJSON_IsString(v)) return buf_fail(err, "%s: must be \"local\" or an http(s):// or ws(s):// URL", name);
    if (strcmp(v->valuestring, "local") && url_check(v->valuestring, name, err) < 0) return -1;
    return replace_str(&sc->url, v->valuestring, err);
}

static int sp_path(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (!cJSON_IsString(v) || v->valuestring[0] != '/' || has_ctl_or_space(v->valuestring) ||
        strpbrk(v->valuestring, "?#"))
        return buf_fail(err, "%s: must be a path starting with / (no spaces, ? or #)", name);
    return replace_str(&sc->path, v->valuestring, err);
}

static int sp_eio(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (!cJSON_IsNumber(v) || (v->valuedouble != 3 && v->valuedouble != 4))
        return buf_fail(err, "%s: must be 3 or 4", name);
    sc->eio = (int)v->valuedouble;
    return 0;
}

/* v is the name name_of gives one of lo..hi: that number into *out, 0; else -1 and *out unchanged. */
static int pick_name(const cJSON *v, int lo, int hi, const char *(*name_of)(int), int *out)
{
    for (int k = lo; k <= hi; k++)
        if (cJSON_IsString(v) && !strcmp(v->valuestring, name_of(k))) {
            *out = k;
            return 0;
        }
    return -1;
}

static int sp_transport(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (pick_name(v, SCENARIO_WEBSOCKET, SCENARIO_UPGRADE, scenario_transport_name, &sc->transport) == 0) return 0;
    return buf_fail(err, "%s: must be \"websocket\", \"polling\" or \"upgrade\"", name);
}

/* A namespace ends at the first ',' in a Socket.IO packet, so a comma cannot be part of one. */
static int sp_namespace(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (!cJSON_IsString(v) || v->valuestring[0] != '/' || strchr(v->valuestring, ',') ||
        has_ctl_or_space(v->valuestring))
        return buf_fail(err, "%s: must be a string starting with / (no commas or spaces)", name);
    return replace_str(&sc->ns, v->valuestring, err);
}

/* socket.io clients refuse to emit these; a scenario using one could never send a message. */
static int sp_event(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    static const char *reserved[] = {"connect", "connect_error", "disconnect", "disconnecting",
                                     "newListener", "removeListener"};
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return buf_fail(err, "%s: must be a non-empty string", name);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(v->valuestring, reserved[i]))
            return buf_fail(err, "%s: \"%s\" is reserved by socket.io", name, reserved[i]);
    return replace_str(&sc->event, v->valuestring, err);
}

static int sp_auth(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    char *text = NULL;
    if (!cJSON_IsNull(v) && !cJSON_IsObject(v)) return buf_fail(err, "%s: must be an object or null", name);
    if (cJSON_IsObject(v) && !(text = cJSON_PrintUnformatted(v))) return buf_fail(err, "out of memory");
    free(sc->auth_json);
    sc->auth_json = text;
    return 0;
}

static void free_query(scenario_param *q, size_t n)
{
    for (size_t i = 0; i < n; i++) { free(q[i].key); free(q[i].value); }
    free(q);
}

/* target.query: {"token": "abc", "v": 2}; strings or numbers, sent on every request after the Engine.IO
 * parameters, which no key may set. */
static int sp_query(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    size_t n = 0, i = 0;
    const cJSON *e;
    scenario_param *q;
    if (!cJSON_IsObject(v)) return buf_fail(err, "%s: must be an object of strings or numbers", name);
    cJSON_ArrayForEach(e, v) n++;
    if (!(q = calloc(n ? n : 1, sizeof *q))) return buf_fail(err, "out of memory");
    cJSON_ArrayForEach(e, v) {
        int dup = 0;
        for (size_t k = 0; k < i; k++) dup |= !strcmp(q[k].key, e->string);
        int bad = !e->string[0] ? buf_fail(err, "%s: a parameter needs a non-empty name", name)
                : dup ? buf_fail(err, "%s.%s: duplicate key", name, e->string)
                : target_param_reserved(e->string)
                    ? buf_fail(err, "%s.%s: an Engine.IO parameter that siocrypt sets itself (EIO, transport, "
                               "sid, b64 and j are refused)", name, e->string)
                : !cJSON_IsString(e) && !cJSON_IsNumber(e)
                    ? buf_fail(err, "%s.%s: must be a string or a number", name, e->string) : 0;
        if (!bad) {
            q[i].key = strdup(e->string);
            q[i].value = cJSON_IsString(e) ? strdup(e->valuestring) : cJSON_PrintUnformatted(e);
            bad = !q[i].key || !q[i].value ? buf_fail(err, "out of memory") : 0;
            i++;
        }
        if (bad) { free_query(q, i); return -1; }
    }
    free_query(sc->query, sc->nquery);
    sc->query = n ? q : NULL;
    sc->nquery = n;
    if (!n) free(q);
    return 0;
}

static int add_header(scenario *sc, const char *name, const char *value, buf *err)
{
    scenario_param *grown = realloc(sc->headers, (sc->nheaders + 1) * sizeof *grown);
    if (!grown) return buf_fail(err, "out of memory");
    sc->headers = grown;
    grown[sc->nheaders].key = strdup(name);
    grown[sc->nheaders].value = strdup(value);
    if (!grown[sc->nheaders].key || !grown[sc->nheaders].value) {
        free(grown[sc->nheaders].key);
        free(grown[sc->nheaders].value);
        return buf_fail(err, "out of memory");
    }
    sc->nheaders++;
    return 0;
}

/* target.headers: {"Authorization": "Bearer {{client}}"}; strings, each checked as -H checks it. */
static int sp_headers(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    const cJSON *e;
    char what[160];
    if (!cJSON_IsObject(v)) return buf_fail(err, "%s: must be an object of strings", name);
    free_query(sc->headers, sc->nheaders);
    sc->headers = NULL;
    sc->nheaders = 0;
    cJSON_ArrayForEach(e, v) {
        snprintf(what, sizeof what, "%s.%.100s", name, e->string);
        if (!cJSON_IsString(e)) return buf_fail(err, "%s: must be a string", what);
        if (headers_check(e->string, e->valuestring, what, err) < 0 ||
            add_header(sc, e->string, e->valuestring, err) < 0) return -1;
    }
    return 0;
}

static int sp_headers_file(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (!cJSON_IsString(v) || !v->valuestring[0]) return buf_fail(err, "%s: must be a non-empty string", name);
    return replace_str(&sc->headers_file, v->valuestring, err);
}

int scenario_add_header(scenario *sc, const char *text, const char *what, buf *err)
{
    if (text[0] == '@') {
        if (!text[1]) return buf_fail(err, "%s: '@' needs a file name", what);
        return replace_str(&sc->headers_file, text + 1, err);
    }
    buf name = BUF_INIT, value = BUF_INIT;
    int rc = headers_split(text, strlen(text), &name, &value, what, err);
    if (rc == 0) rc = add_header(sc, buf_cstr(&name), buf_cstr(&value), err);
    buf_free(&name);
    buf_free(&value);
    return rc;
}

/* target.proxy: an HTTP proxy as curl's --proxy takes it, [http://]host[:port][/], port 1080 by default;
 * kept as "http://host:port" for cmd_run to resolve. Other schemes (https, socks) and user:password@ are
 * refused. */
/* source_addresses: a string ("127.0.0.2-127.0.0.9", "127.0.0.2,127.0.0.3") or an array of such strings;
 * every address is checked now (expanded once more by cmd_run for the run). */
static int sp_sources(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    static const char *why = "must be a string or an array of strings: IPv4 or IPv6 addresses, IPv4 ranges A-B";
    const cJSON *e;
    buf all = BUF_INIT, sub = BUF_INIT;
    source_list l = {0};
    size_t i = 0;
    int rc = 0;
    if (cJSON_IsString(v)) buf_append_str(&all, v->valuestring);
    else if (!cJSON_IsArray(v) || !cJSON_GetArraySize(v)) rc = buf_fail(err, "%s: %s", name, why);
    if (cJSON_IsArray(v))
        cJSON_ArrayForEach(e, v) {
            if (rc == 0 && !cJSON_IsString(e)) rc = buf_fail(err, "%s[%zu]: %s", name, i, why);
            if (rc == 0 && source_add(&l, e->valuestring, &sub) < 0) rc = buf_fail(err, "%s[%zu]: %s", name, i, buf_cstr(&sub));
            if (rc == 0) buf_printf(&all, "%s%s", i ? "," : "", e->valuestring);
            i++;
        }
    else if (rc == 0 && source_add(&l, buf_cstr(&all), &sub) < 0)
        rc = buf_fail(err, "%s: %s", name, buf_cstr(&sub));
    if (rc == 0) rc = replace_str(&sc->sources, buf_cstr(&all), err);
    source_free(&l);
    buf_free(&all);
    buf_free(&sub);
    return rc;
}

static int sp_proxy(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    static const char *why = "must be an HTTP proxy, [http://]host[:port] ([::1] for IPv6; no user:password@)";
    if (!cJSON_IsString(v)) return buf_fail(err, "%s: %s", name, why);
    const char *s = v->valuestring, *e;
    if (!strncasecmp(s, "http://", 7)) s += 7;
    else if (strstr(s, "://")) return buf_fail(err, "%s: %s", name, why);
    size_t n = strlen(s);
    if (n && s[n - 1] == '/') n--;
    e = s + n;
    const char *host_end = *s == '[' ? memchr(s, ']', n) : NULL;
    if (*s == '[' && !host_end) return buf_fail(err, "%s: %s", name, why);
    const char *colon = memchr(host_end ? host_end : s, ':', (size_t)(e - (host_end ? host_end : s)));
    if (!n || has_ctl_or_space(s) || memchr(s, '/', n) || memchr(s, '@', n) || memchr(s, '?', n) ||
        memchr(s, '#', n) || colon == s || (host_end && host_end + 1 != e && host_end + 1 != colon))
        return buf_fail(err, "%s: %s", name, why);
    buf url = BUF_INIT;
    buf_printf(&url, "http://%.*s%s", (int)n, s, colon ? "" : ":1080");
    buf ignored = BUF_INIT;
    int rc = url_check(buf_cstr(&url), name, &ignored) == 0 ? replace_str(&sc->proxy, buf_cstr(&url), err)
                                                           : buf_fail(err, "%s: %s", name, why);
    buf_free(&ignored);
    buf_free(&url);
    return rc;
}

static int sp_impl(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (pick_name(v, SCENARIO_IMPL_V4, SCENARIO_IMPL_V1, scenario_impl_name, &sc->impl) == 0) return 0;
    return buf_fail(err, "%s: must be \"v4\", \"v2\" or \"v1\"", name);
}

static int sp_workload(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (pick_name(v, SCENARIO_WORKLOAD_COUNTER, SCENARIO_WORKLOAD_FLOW, scenario_workload_name, &sc->workload) == 0) {
        sc->set_ |= SET_WORKLOAD;
        return 0;
    }
    return buf_fail(err, "%s: must be \"counter\" or \"flow\"", name);
}

static int sp_app(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (pick_name(v, SCENARIO_APP_COUNTER, SCENARIO_APP_CHAT, scenario_app_name, &sc->app) == 0) return 0;
    return buf_fail(err, "%s: must be \"counter\" or \"chat\"", name);
}

/* flow: the scripted flow, parsed and checked whole here (flowspec.c names the place of every problem). */
static int sp_flow(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    flow_spec *f = calloc(1, sizeof *f);
    buf why = BUF_INIT;
    (void)name;
    if (!f) return buf_fail(err, "out of memory");
    if (flowspec_parse(v, f, &why) < 0) {
        buf_fail(err, "%s", buf_cstr(&why));
        buf_free(&why);
        free(f);
        return -1;
    }
    buf_free(&why);
    if (sc->flow) { flowspec_free(sc->flow); free(sc->flow); }
    sc->flow = f;
    return 0;
}

static int sp_mode(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (pick_name(v, SCENARIO_MODE_LOAD, SCENARIO_MODE_ROBUSTNESS, scenario_mode_name, &sc->mode) == 0) return 0;
    return buf_fail(err, "%s: must be \"load\" or \"robustness\"", name);
}

int scenario_add_threshold(scenario *sc, const char *text, const char *what, buf *err)
{
    threshold t, *grown;
    buf why = BUF_INIT;
    if (threshold_parse(text, &t, &why) < 0) {
        buf_fail(err, "%s: %s", what, buf_cstr(&why));
        buf_free(&why);
        return -1;
    }
    buf_free(&why);
    if (!(grown = realloc(sc->thresholds, (sc->nthresholds + 1) * sizeof *grown))) return buf_fail(err, "out of memory");
    sc->thresholds = grown;
    sc->thresholds[sc->nthresholds++] = t;
    return 0;
}

/* The file's list replaces what was there; each entry goes through threshold_parse, the parser the
 * command line and reports use, so a threshold that could not be evaluated never gets past here. */
static int sp_thresholds(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    const cJSON *e;
    char what[160];
    size_t i = 0;
    if (!cJSON_IsArray(v)) return buf_fail(err, "%s: must be an array of strings", name);
    free(sc->thresholds);
    sc->thresholds = NULL;
    sc->nthresholds = 0;
    cJSON_ArrayForEach(e, v) {
        snprintf(what, sizeof what, "%s[%zu]", name, i++);
        if (!cJSON_IsString(e))
            return buf_fail(err, "%s: must be a string <metric><op><number>, e.g. \"p99_ms<50\"", what);
        if (scenario_add_threshold(sc, e->valuestring, what, err) < 0) return -1;
    }
    return 0;
}

static void free_compare(scenario *sc)
{
    for (size_t i = 0; i < sc->ncompare; i++) free(sc->compare[i]);
    free(sc->compare);
    sc->compare = NULL;
    sc->ncompare = 0;
}

/* compare: the gates `siocrypt compare` applies when its command line names none (the same parser as
 * --max-regress), carried in report.json. The file's list replaces what was there. */
static int sp_compare(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    const cJSON *e;
    size_t i = 0, n = (size_t)cJSON_GetArraySize(v);
    if (!cJSON_IsArray(v) || n > COMPARE_MAX_GATES)
        return buf_fail(err, "%s: must be an array of at most %d strings METRIC=LIMIT, e.g. \"p99_ms=15%%\"", name, COMPARE_MAX_GATES);
    free_compare(sc);
    if (n && !(sc->compare = calloc(n, sizeof *sc->compare))) return buf_fail(err, "out of memory");
    cJSON_ArrayForEach(e, v) {
        compare_gate g;
        buf why = BUF_INIT;
        if (!cJSON_IsString(e) || compare_gate_parse(e->valuestring, &g, &why) < 0) {
            buf_fail(err, "%s[%zu]: %s", name, i, cJSON_IsString(e) ? buf_cstr(&why) : "must be a string METRIC=LIMIT");
            buf_free(&why);
            return -1;
        }
        buf_free(&why);
        if (!(sc->compare[i++] = strdup(e->valuestring))) return buf_fail(err, "out of memory");
        sc->ncompare = i;
    }
    return 0;
}

/* ---- the schema ---------------------------------------------------------------------------------- */

#define F(k, kind, member, lo, hi, flag) {k, kind, offsetof(scenario, member), lo, hi, NULL, NULL, flag, NULL}
#define FU(k, kind, member, lo, hi, flag, unit) {k, kind, offsetof(scenario, member), lo, hi, NULL, NULL, flag, unit}
#define S(k, fn) {k, K_SPECIAL, 0, 0, 0, fn, NULL, 0, NULL}
#define O(k, table) {k, K_OBJ, 0, 0, 0, NULL, table, 0, NULL}
#define END {NULL, 0, 0, 0, 0, NULL, NULL, 0, NULL}

/* target.tls: curl's --cacert, -k/--insecure, --cert, --key; servername as Node's tls.connect names it */
static const struct field tls_fields[] = {
    F("cacert", K_STR, tls_cacert, 1, 0, 0), F("cert", K_STR, tls_cert, 1, 0, 0),
    F("key", K_STR, tls_key, 1, 0, 0), F("servername", K_STR, tls_servername, 1, 0, 0),
    F("insecure", K_BOOL, tls_insecure, 0, 0, 0), END};

static const struct field target_fields[] = {
    S("url", sp_url), S("path", sp_path),
    F("passphrase", K_STR, passphrase, 0, 0, 0),
    S("eio", sp_eio), S("transport", sp_transport), S("namespace", sp_namespace),
    S("event", sp_event), S("auth", sp_auth), S("query", sp_query),
    S("headers", sp_headers), S("headers_file", sp_headers_file), O("tls", tls_fields),
    F("cookies", K_BOOL, cookies, 0, 0, 0),
    F("follow_redirects", K_BOOL, follow_redirects, 0, 0, 0), S("proxy", sp_proxy),
    F("compression", K_BOOL, compression, 0, 0, 0), END};

static const struct field server_fields[] = {
    S("impl", sp_impl), S("app", sp_app),
    FU("push_ms", K_INT, push_ms, 0, 3600000, 0, "ms"),
    FU("delay_ms", K_INT, delay_ms, 0, 3600000, 0, "ms"),
    F("allow_eio3", K_BOOL, allow_eio3, 0, 0, SET_ALLOW_EIO3),
    F("hardened", K_BOOL, hardened, 0, 0, 0),
    F("log", K_BOOL, log, 0, 0, 0), END};

static const struct field timeout_fields[] = {
    FU("connect_ms", K_INT, connect_ms, 1, 3600000, 0, "ms"),
    FU("message_ms", K_INT, message_ms, 1, 3600000, 0, "ms"),
    FU("drain_ms", K_INT, drain_ms, 0, 3600000, 0, "ms"), END};

/* What a server can make the harness hold per client: one message, and the queue of what it has not read. */
static const struct field limit_fields[] = {
    FU("max_message_bytes", K_I64, max_message_bytes, 1024, 1073741824, 0, "bytes"),
    FU("max_queue_bytes", K_I64, max_queue_bytes, 1024, 4294967296.0, SET_MAX_QUEUE, "bytes"), END};

/* socket.io-client's reconnectionDelay, reconnectionDelayMax, randomizationFactor, reconnectionAttempts */
static const struct field reconnect_fields[] = {
    FU("delay_ms", K_INT, reconnect_delay_ms, 0, 3600000, 0, "ms"),
    FU("max_delay_ms", K_INT, reconnect_max_delay_ms, 0, 3600000, 0, "ms"),
    F("jitter", K_NUM, reconnect_jitter, 0, 1, 0),
    F("max_attempts", K_I64, reconnect_max_attempts, 0, 1000000000, 0), END};

static int set_object(scenario *sc, const struct field *table, const cJSON *obj, const char *prefix, buf *err);

/* reconnect: true, false, or {delay_ms, max_delay_ms, jitter, max_attempts} (which means true). */
static int sp_reconnect(scenario *sc, const cJSON *v, const char *name, buf *err)
{
    if (cJSON_IsBool(v)) { sc->reconnect = cJSON_IsTrue(v); return 0; }
    if (!cJSON_IsObject(v))
        return buf_fail(err, "%s: must be true, false or an object {delay_ms, max_delay_ms, jitter, max_attempts}", name);
    if (set_object(sc, reconnect_fields, v, name, err)) return -1;
    sc->reconnect = 1;
    return 0;
}

static const struct field step_fields[] = {
    FU("from", K_INT, steps_from, 1, MAX_CLIENTS, 0, "clients"),
    FU("step", K_INT, steps_step, 1, MAX_CLIENTS, 0, "clients"),
    FU("to", K_INT, steps_to, 1, MAX_CLIENTS, 0, "clients"),
    FU("step_s", K_NUM0, step_s, MIN_RUN_S, MAX_STEP_S, 0, "seconds"), END};

static const struct field top_fields[] = {
    F("name", K_STR, name, 1, 0, SET_NAME),
    S("mode", sp_mode), S("workload", sp_workload), S("flow", sp_flow),
    O("target", target_fields), O("server", server_fields),
    F("clients", K_INT, clients, 1, MAX_CLIENTS, 0),
    F("messages", K_I64, messages, 0, MAX_MESSAGES, SET_MESSAGES),
    FU("duration_s", K_NUM0, duration_s, MIN_RUN_S, MAX_RUN_S, SET_DURATION, "seconds"),
    F("start_id", K_I64, start_id, -MAX_SAFE_INT, MAX_SAFE_INT, 0),
    F("threads", K_INT, threads, 0, 1024, 0),
    F("procs", K_INT, procs, 1, 64, 0),
    FU("ramp_s", K_NUM, ramp_s, 0, MAX_STEP_S, 0, "seconds"),
    FU("think_ms", K_NUM, think_ms, 0, MAX_THINK_MS, 0, "ms"),
    FU("rate", K_NUM0, rate, MIN_RATE, MAX_RATE, 0, "messages/s"),
    FU("total_rate", K_NUM0, total_rate, MIN_RATE, MAX_TOTAL_RATE, 0, "messages/s"),
    FU("max_inflight", K_I64, max_inflight, 0, 1000000, 0, "messages"),
    FU("connect_concurrency", K_INT, connect_concurrency, 0, MAX_CLIENTS, 0, "clients"),
    FU("connect_rate", K_NUM0, connect_rate, MIN_RATE, MAX_TOTAL_RATE, 0, "connects/s"),
    S("source_addresses", sp_sources),
    O("timeouts", timeout_fields),
    O("limits", limit_fields),
    O("steps", step_fields),
    S("reconnect", sp_reconnect),
    S("thresholds", sp_thresholds), S("compare", sp_compare), END};

/* ---- generic setters ------------------------------------------------------------------------------ */

/* "clients: must be an integer in [1, 1000000]", "rate: must be 0 or a number in [0.001, 100000] (messages/s)" */
static int bad_number(buf *err, const char *name, const struct field *f)
{
    int integer = f->kind == K_INT || f->kind == K_I64;
    return buf_fail(err, "%s: must be %s%s in [%.17g, %.17g]%s%s%s", name, f->kind == K_NUM0 ? "0 or " : "",
                    integer ? "an integer" : "a number", f->min, f->max, f->unit ? " (" : "", f->unit ? f->unit : "",
                    f->unit ? ")" : "");
}

static int set_object(scenario *sc, const struct field *table, const cJSON *obj, const char *prefix, buf *err);

static int set_field(scenario *sc, const struct field *f, const cJSON *v, const char *name, buf *err)
{
    char *at = (char *)sc + f->off;
    double d = cJSON_IsNumber(v) ? v->valuedouble : 0;
    switch (f->kind) {
    case K_INT:
    case K_I64:
        if (!cJSON_IsNumber(v) || !isfinite(d) || d != floor(d) || d < f->min || d > f->max)
            return bad_number(err, name, f);
        if (f->kind == K_INT) *(int *)at = (int)d;
        else *(long long *)at = (long long)d;
        break;
    case K_NUM:
    case K_NUM0:
        if (!cJSON_IsNumber(v) || !isfinite(d) || ((d < f->min || d > f->max) && !(f->kind == K_NUM0 && d == 0)))
            return bad_number(err, name, f);
        *(double *)at = d;
        break;
    case K_BOOL:
        if (!cJSON_IsBool(v)) return buf_fail(err, "%s: must be true or false", name);
        *(int *)at = cJSON_IsTrue(v);
        break;
    case K_STR:
        if (!cJSON_IsString(v) || strlen(v->valuestring) < (size_t)f->min)
            return buf_fail(err, "%s: must be a %sstring", name, f->min > 0 ? "non-empty " : "");
        if (replace_str((char **)at, v->valuestring, err)) return -1;
        break;
    case K_OBJ:
        if (set_object(sc, f->sub, v, name, err)) return -1;
        break;
    case K_SPECIAL:
        if (f->special(sc, v, name, err)) return -1;
        break;
    }
    sc->set_ |= f->flag;
    return 0;
}

static const struct field *find_field(const struct field *table, const char *key)
{
    for (; table->key; table++)
        if (!strcmp(table->key, key)) return table;
    return NULL;
}

static int set_object(scenario *sc, const struct field *table, const cJSON *obj, const char *prefix, buf *err)
{
    const cJSON *e, *p;
    char name[128];
    if (!cJSON_IsObject(obj)) return buf_fail(err, "%s: must be an object", prefix[0] ? prefix : "scenario");
    cJSON_ArrayForEach(e, obj) {
        const struct field *f = find_field(table, e->string);
        snprintf(name, sizeof name, "%s%s%s", prefix, prefix[0] ? "." : "", e->string);
        for (p = obj->child; p != e; p = p->next)
            if (!strcmp(p->string, e->string)) return buf_fail(err, "%s: duplicate key", name);
        if (!f) return buf_fail(err, "%s: unknown key", name);
        if (set_field(sc, f, e, name, err)) return -1;
    }
    return 0;
}

/* Defaults that follow other fields: a lone duration means no message cap; EIO 3 on socket.io 4
 * needs allowEIO3, which is switched on unless the file says otherwise; the send queue holds two
 * messages of the largest size unless told otherwise. */
static void resolve_defaults(scenario *sc)
{
    if ((sc->set_ & SET_DURATION) && !(sc->set_ & SET_MESSAGES) && sc->duration_s > 0) sc->messages = 0;
    if (!(sc->set_ & SET_ALLOW_EIO3)) sc->allow_eio3 = sc->eio == 3 && sc->impl == SCENARIO_IMPL_V4;
    if (!(sc->set_ & SET_MAX_QUEUE)) sc->max_queue_bytes = 2 * sc->max_message_bytes;
    if (!(sc->set_ & SET_WORKLOAD) && sc->flow) sc->workload = SCENARIO_WORKLOAD_FLOW;
}

/* ---- public --------------------------------------------------------------------------------------- */

int scenario_init(scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->name = strdup("scenario");
    sc->url = strdup("local");
    sc->path = strdup("/socket.io/");
    sc->passphrase = strdup("super-secret-passphrase");
    sc->ns = strdup("/");
    sc->event = strdup("counter");
    sc->eio = 4;
    sc->transport = SCENARIO_WEBSOCKET;
    sc->cookies = 1;
    sc->compression = 1;
    sc->impl = SCENARIO_IMPL_V4;
    sc->push_ms = -1;
    sc->clients = 1;
    sc->procs = 1;
    sc->messages = 10;
    sc->connect_ms = 5000;
    sc->message_ms = 5000;
    sc->drain_ms = 2000;
    sc->reconnect_delay_ms = 1000;
    sc->reconnect_max_delay_ms = 5000;
    sc->reconnect_jitter = 0.5;
    sc->connect_concurrency = 256;
    sc->max_message_bytes = SCENARIO_DEFAULT_MAX_MESSAGE;
    sc->max_queue_bytes = 2 * SCENARIO_DEFAULT_MAX_MESSAGE;
    if (!sc->name || !sc->url || !sc->path || !sc->passphrase || !sc->ns || !sc->event) {
        scenario_free(sc);
        return -1;
    }
    return 0;
}

static void line_col(const char *json, size_t at, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < at; i++) {
        if (json[i] == '\n') { (*line)++; *col = 1; }
        else (*col)++;
    }
}

int scenario_parse(const char *json, size_t n, scenario *sc, buf *err)
{
    const char *end = NULL;
    cJSON *root;
    scenario tmp;
    int rc;
    int line, col;

    memset(sc, 0, sizeof *sc);
    if (scenario_init(&tmp)) return buf_fail(err, "out of memory");
    root = cJSON_ParseWithLengthOpts(json, n, &end, 0);
    if (!root) {
        size_t at = end && end >= json && end <= json + n ? (size_t)(end - json) : 0;
        line_col(json, at, &line, &col);
        scenario_free(&tmp);
        return buf_fail(err, "invalid JSON at line %d column %d", line, col);
    }
    for (; end < json + n && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'); end++) {}
    if (end < json + n) {
        line_col(json, (size_t)(end - json), &line, &col);
        cJSON_Delete(root);
        scenario_free(&tmp);
        return buf_fail(err, "invalid JSON at line %d column %d: text after the top-level object", line, col);
    }
    rc = set_object(&tmp, top_fields, root, "", err);
    cJSON_Delete(root);
    if (rc) {
        scenario_free(&tmp);
        return -1;
    }
    resolve_defaults(&tmp);
    *sc = tmp;
    return 0;
}

static char *base_name(const char *path)
{
    const char *b = strrchr(path, '/');
    size_t n;
    b = b ? b + 1 : path;
    n = strlen(b);
    if (n > 5 && !strcmp(b + n - 5, ".json")) n -= 5;
    return n ? strndup(b, n) : NULL;
}

int scenario_load(const char *path, scenario *sc, buf *err)
{
    buf text = BUF_INIT, why = BUF_INIT;
    int rc = -1;

    memset(sc, 0, sizeof *sc);
    if (fileio_read(path, FILEIO_MAX_SCENARIO, &text, err) == 0) {
        if (scenario_parse(buf_cstr(&text), text.len, sc, &why)) buf_fail(err, "%s: %s", path, buf_cstr(&why));
        else rc = 0;
    }
    if (rc == 0 && !(sc->set_ & SET_NAME)) {
        char *b = base_name(path);
        if (b) { free(sc->name); sc->name = b; }
    }
    buf_free(&text);
    buf_free(&why);
    return rc;
}

/* Command-line keys: where each lands in the schema, and how its text becomes a JSON value. */
enum { V_STR, V_NUM, V_SECONDS, V_BOOL };
static const struct override {
    const char *key;
    const struct field *table;
    const char *field;
    int value;
    unsigned cli;
} overrides[] = {
    {"mode", top_fields, "mode", V_STR, 0},
    {"url", target_fields, "url", V_STR, 0},
    {"path", target_fields, "path", V_STR, 0},
    {"cacert", tls_fields, "cacert", V_STR, 0},
    {"cert", tls_fields, "cert", V_STR, 0},
    {"key", tls_fields, "key", V_STR, 0},
    {"passphrase", target_fields, "passphrase", V_STR, 0},
    {"eio", target_fields, "eio", V_NUM, 0},
    {"transport", target_fields, "transport", V_STR, 0},
    {"namespace", target_fields, "namespace", V_STR, 0},
    {"event", target_fields, "event", V_STR, 0},
    {"proxy", target_fields, "proxy", V_STR, 0},
    {"compression", target_fields, "compression", V_BOOL, 0},
    {"impl", server_fields, "impl", V_STR, 0},
    {"delay_ms", server_fields, "delay_ms", V_NUM, 0},
    {"clients", top_fields, "clients", V_NUM, 0},
    {"messages", top_fields, "messages", V_NUM, CLI_MESSAGES},
    {"duration", top_fields, "duration_s", V_SECONDS, CLI_DURATION},
    {"start_id", top_fields, "start_id", V_NUM, 0},
    {"threads", top_fields, "threads", V_NUM, 0},
    {"procs", top_fields, "procs", V_NUM, 0},
    {"ramp", top_fields, "ramp_s", V_SECONDS, 0},
    {"think_ms", top_fields, "think_ms", V_NUM, 0},
    {"rate", top_fields, "rate", V_NUM, CLI_RATE},
    {"total_rate", top_fields, "total_rate", V_NUM, CLI_TOTAL_RATE},
    {"max_inflight", top_fields, "max_inflight", V_NUM, 0},
    {"connect_concurrency", top_fields, "connect_concurrency", V_NUM, 0},
    {"connect_rate", top_fields, "connect_rate", V_NUM, 0},
    {"source", top_fields, "source_addresses", V_STR, 0},
    {"reconnect", top_fields, "reconnect", V_BOOL, 0},
};

/* Text to a JSON value: a number when it reads as a plain decimal one (no hex, inf or nan), else a
 * string, which the field's own check then refuses with the field's usual message. */
static cJSON *override_value(const char *text, int kind)
{
    static const struct { const char *unit; double scale; } units[] = {
        {"ms", 1e-3}, {"s", 1}, {"m", 60}, {"h", 3600}, {"", 1}};
    char *end;
    double d;
    if (kind == V_BOOL && (!strcmp(text, "true") || !strcmp(text, "false"))) return cJSON_CreateBool(text[0] == 't');
    if (kind == V_STR || kind == V_BOOL || !strchr("0123456789+-.", text[0]) || !text[0]) return cJSON_CreateString(text);
    errno = 0;
    d = strtod(text, &end);
    if (end == text || errno || !isfinite(d) || memchr(text, 'x', (size_t)(end - text)) ||
        memchr(text, 'X', (size_t)(end - text)))
        return cJSON_CreateString(text);
    if (kind == V_NUM) return *end ? cJSON_CreateString(text) : cJSON_CreateNumber(d);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) return cJSON_CreateNumber(d * units[i].scale);
    return cJSON_CreateString(text);
}

int scenario_override(scenario *sc, const char *key, const char *value, buf *err)
{
    const struct override *o = NULL;
    cJSON *v;
    int rc;
    for (size_t i = 0; i < sizeof overrides / sizeof overrides[0]; i++)
        if (!strcmp(overrides[i].key, key)) o = &overrides[i];
    if (!o) return buf_fail(err, "%s: not a scenario setting that can be overridden", key);
    if (!(v = override_value(value, o->value))) return buf_fail(err, "out of memory");
    rc = set_field(sc, find_field(o->table, o->field), v, key, err);
    cJSON_Delete(v);
    if (rc) return -1;
    /* The command line states a whole stop condition (or pace): it replaces the file's, unless both
     * halves are given on the command line. */
    if (o->cli == CLI_MESSAGES && !(sc->set_ & CLI_DURATION)) sc->duration_s = 0;
    if (o->cli == CLI_DURATION && !(sc->set_ & CLI_MESSAGES)) sc->messages = 0;
    if (o->cli == CLI_RATE && !(sc->set_ & CLI_TOTAL_RATE)) sc->total_rate = 0;
    if (o->cli == CLI_TOTAL_RATE && !(sc->set_ & CLI_RATE)) sc->rate = 0;
    sc->set_ |= o->cli;
    resolve_defaults(sc);
    return 0;
}

/* total_rate is shared by the clients (of each step, in a stepped ramp): each one's share must be a rate
 * a client can hold, like rate itself. */
static int check_total_rate(const scenario *sc, buf *err)
{
    int fewest = sc->steps_from ? sc->steps_from : sc->clients, most = sc->steps_from ? sc->steps_to : sc->clients;
    if (sc->total_rate <= 0) return 0;
    if (sc->total_rate / most < MIN_RATE)
        return buf_fail(err, "total_rate: %.17g messages/s over %d clients is below %.17g per client", sc->total_rate,
                        most, MIN_RATE);
    if (sc->total_rate / fewest > MAX_RATE)
        return buf_fail(err, "total_rate: %.17g messages/s over %d clients is above %d per client", sc->total_rate,
                        fewest, MAX_RATE);
    return 0;
}

int scenario_validate(const scenario *sc, buf *err)
{
    if (sc->messages == 0 && sc->duration_s <= 0)
        return buf_fail(err, "messages: 0 (no cap) needs duration_s > 0");
    if (sc->rate > 0 && sc->total_rate > 0)
        return buf_fail(err, "rate, total_rate: give one or the other, not both");
    if (sc->mode == SCENARIO_MODE_ROBUSTNESS && (sc->clients != 1 || sc->rate > 0 || sc->total_rate > 0))
        return buf_fail(err, "mode: robustness probes one connection at a time; clients, rate and total_rate do not "
                    "apply (leave them out)");
    if (sc->steps_from || sc->steps_step || sc->steps_to || sc->step_s > 0) {
        if (!sc->steps_from || !sc->steps_step || !sc->steps_to || sc->step_s <= 0)
            return buf_fail(err, "steps: needs from, step, to (clients, integers >= 1) and step_s (seconds > 0)");
        if (sc->steps_to < sc->steps_from)
            return buf_fail(err, "steps.to: %d is below steps.from %d", sc->steps_to, sc->steps_from);
        if ((sc->steps_to - sc->steps_from) / sc->steps_step >= MAX_STEPS)
            return buf_fail(err, "steps: %d steps from %d to %d by %d; at most %d", (sc->steps_to - sc->steps_from) /
                        sc->steps_step + 1, sc->steps_from, sc->steps_to, sc->steps_step, MAX_STEPS);
        if (sc->mode != SCENARIO_MODE_LOAD)
            return buf_fail(err, "steps: a stepped ramp is a load run (mode load)");
        if (sc->nthresholds == 0)
            return buf_fail(err, "steps: needs thresholds: the knee is the last step that meets them");
    }
    if (check_total_rate(sc, err) < 0) return -1;
    if (sc->procs > 1 && (sc->mode != SCENARIO_MODE_LOAD || sc->steps_from))
        return buf_fail(err, "procs: %d processes need a plain load run (not robustness, not a stepped ramp)", sc->procs);
    if (sc->procs > sc->clients)
        return buf_fail(err, "procs: %d processes for %d clients; at most one per client", sc->procs, sc->clients);
    if (sc->reconnect_max_delay_ms < sc->reconnect_delay_ms)
        return buf_fail(err, "reconnect.max_delay_ms: %d is below reconnect.delay_ms %d", sc->reconnect_max_delay_ms,
                        sc->reconnect_delay_ms);
    if (sc->workload == SCENARIO_WORKLOAD_FLOW && !sc->flow)
        return buf_fail(err, "workload: \"flow\" needs a flow (the \"flow\" object: see the README's flow language)");
    if (sc->workload == SCENARIO_WORKLOAD_COUNTER && sc->flow)
        return buf_fail(err, "flow: given, but workload is \"counter\" (leave workload out, or make it \"flow\")");
    if (sc->flow && sc->mode != SCENARIO_MODE_LOAD)
        return buf_fail(err, "flow: robustness runs send probes, not flows (leave one of them out)");
    if (sc->reconnect && sc->mode != SCENARIO_MODE_LOAD)
        return buf_fail(err, "reconnect: robustness probes never reconnect (leave it out)");
    if (sc->auth_json && sc->eio == 3)
        return buf_fail(err, "target.auth: needs eio 4 (an Engine.IO 3 client speaks Socket.IO protocol 4, "
                    "which has no CONNECT payload)");
    if (!sc->tls_cert != !sc->tls_key)
        return buf_fail(err, "target.tls: cert and key go together (--cert FILE --key FILE)");
    if (sc->tls_servername && strspn(sc->tls_servername, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789.-") != strlen(sc->tls_servername))
        return buf_fail(err, "target.tls.servername: must be a host name (letters, digits, '.', '-')");
    if (!scenario_is_local(sc)) return 0;
    if (sc->app == SCENARIO_APP_CHAT && sc->impl == SCENARIO_IMPL_V1)
        return buf_fail(err, "server.app: \"chat\" runs on server.impl v4 or v2 (there is no socket.io 1 chat app)");
    if (sc->eio == 4 && sc->impl != SCENARIO_IMPL_V4)
        return buf_fail(err, "target.eio: 4 is not served by server.impl %s (socket.io %s speaks Engine.IO 3); "
                    "use eio 3 or impl v4", scenario_impl_name(sc->impl), sc->impl == SCENARIO_IMPL_V1 ? "1" : "2");
    if (sc->eio == 3 && sc->impl == SCENARIO_IMPL_V4 && !sc->allow_eio3)
        return buf_fail(err, "server.allow_eio3: false, but eio 3 on impl v4 needs it (leave it out to have it "
                    "switched on)");
    if (sc->delay_ms >= sc->message_ms)
        return buf_fail(err, "timeouts.message_ms: %d is not above server.delay_ms %d, every answer would time out",
                    sc->message_ms, sc->delay_ms);
    return 0;
}

int scenario_is_local(const scenario *sc)
{
    return sc->url && !strcmp(sc->url, "local");
}

static void json_tls(cJSON *t, const scenario *sc)
{
    if (!sc->tls_cacert && !sc->tls_cert && !sc->tls_servername && !sc->tls_insecure) return;
    cJSON *o = cJSON_AddObjectToObject(t, "tls");
    if (!o) return;
    if (sc->tls_cacert) cJSON_AddStringToObject(o, "cacert", sc->tls_cacert);
    if (sc->tls_cert) cJSON_AddStringToObject(o, "cert", sc->tls_cert);
    if (sc->tls_key) cJSON_AddStringToObject(o, "key", sc->tls_key);
    if (sc->tls_servername) cJSON_AddStringToObject(o, "servername", sc->tls_servername);
    cJSON_AddBoolToObject(o, "insecure", sc->tls_insecure);
}

static cJSON *json_target(const scenario *sc, int with_passphrase)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "url", sc->url);
    cJSON_AddStringToObject(t, "path", sc->path);
    if (with_passphrase) cJSON_AddStringToObject(t, "passphrase", sc->passphrase);
    cJSON_AddNumberToObject(t, "eio", sc->eio);
    cJSON_AddStringToObject(t, "transport", scenario_transport_name(sc->transport));
    cJSON_AddStringToObject(t, "namespace", sc->ns);
    cJSON_AddStringToObject(t, "event", sc->event);
    cJSON_AddBoolToObject(t, "compression", sc->compression);
    cJSON_AddItemToObject(t, "auth", sc->auth_json ? cJSON_Parse(sc->auth_json) : cJSON_CreateNull());
    if (sc->nquery) {
        cJSON *q = cJSON_AddObjectToObject(t, "query");
        for (size_t i = 0; q && i < sc->nquery; i++) cJSON_AddStringToObject(q, sc->query[i].key, sc->query[i].value);
    }
    if (sc->nheaders) {   /* values are tokens as often as not: shown only with the passphrase */
        cJSON *h = cJSON_AddObjectToObject(t, "headers");
        for (size_t i = 0; h && i < sc->nheaders; i++)
            cJSON_AddStringToObject(h, sc->headers[i].key, with_passphrase ? sc->headers[i].value : "*");
    }
    if (sc->headers_file) cJSON_AddStringToObject(t, "headers_file", sc->headers_file);
    json_tls(t, sc);
    cJSON_AddBoolToObject(t, "cookies", sc->cookies);
    cJSON_AddBoolToObject(t, "follow_redirects", sc->follow_redirects);
    if (sc->proxy) cJSON_AddStringToObject(t, "proxy", sc->proxy);
    return t;
}

int scenario_to_json(const scenario *sc, int with_passphrase, buf *out)
{
    cJSON *root = cJSON_CreateObject(), *s, *t, *th;
    char *text;
    int rc = -1;
    if (!root) return -1;
    cJSON_AddStringToObject(root, "name", sc->name);
    cJSON_AddStringToObject(root, "mode", scenario_mode_name(sc->mode));
    cJSON_AddStringToObject(root, "workload", scenario_workload_name(sc->workload));
    if (sc->flow && sc->flow->root) cJSON_AddItemToObject(root, "flow", cJSON_Duplicate(sc->flow->root, 1));
    cJSON_AddItemToObject(root, "target", json_target(sc, with_passphrase));
    s = cJSON_AddObjectToObject(root, "server");
    cJSON_AddStringToObject(s, "impl", scenario_impl_name(sc->impl));
    cJSON_AddStringToObject(s, "app", scenario_app_name(sc->app));
    if (sc->push_ms >= 0) cJSON_AddNumberToObject(s, "push_ms", sc->push_ms);
    cJSON_AddNumberToObject(s, "delay_ms", sc->delay_ms);
    cJSON_AddBoolToObject(s, "allow_eio3", sc->allow_eio3);
    cJSON_AddBoolToObject(s, "hardened", sc->hardened);
    cJSON_AddBoolToObject(s, "log", sc->log);
    cJSON_AddNumberToObject(root, "clients", sc->clients);
    cJSON_AddNumberToObject(root, "messages", (double)sc->messages);
    cJSON_AddNumberToObject(root, "duration_s", sc->duration_s);
    cJSON_AddNumberToObject(root, "start_id", (double)sc->start_id);
    cJSON_AddNumberToObject(root, "threads", sc->threads);
    if (sc->procs > 1) cJSON_AddNumberToObject(root, "procs", sc->procs);
    cJSON_AddNumberToObject(root, "ramp_s", sc->ramp_s);
    cJSON_AddNumberToObject(root, "think_ms", sc->think_ms);
    cJSON_AddNumberToObject(root, "rate", sc->rate);
    cJSON_AddNumberToObject(root, "total_rate", sc->total_rate);
    cJSON_AddNumberToObject(root, "max_inflight", (double)sc->max_inflight);
    cJSON_AddNumberToObject(root, "connect_concurrency", sc->connect_concurrency);
    cJSON_AddNumberToObject(root, "connect_rate", sc->connect_rate);
    if (sc->sources) cJSON_AddStringToObject(root, "source_addresses", sc->sources);
    t = cJSON_AddObjectToObject(root, "timeouts");
    cJSON_AddNumberToObject(t, "connect_ms", sc->connect_ms);
    cJSON_AddNumberToObject(t, "message_ms", sc->message_ms);
    cJSON_AddNumberToObject(t, "drain_ms", sc->drain_ms);
    t = cJSON_AddObjectToObject(root, "limits");
    cJSON_AddNumberToObject(t, "max_message_bytes", (double)sc->max_message_bytes);
    cJSON_AddNumberToObject(t, "max_queue_bytes", (double)sc->max_queue_bytes);
    if (sc->steps_from) {
        cJSON *st = cJSON_AddObjectToObject(root, "steps");
        cJSON_AddNumberToObject(st, "from", sc->steps_from);
        cJSON_AddNumberToObject(st, "step", sc->steps_step);
        cJSON_AddNumberToObject(st, "to", sc->steps_to);
        cJSON_AddNumberToObject(st, "step_s", sc->step_s);
    }
    if (sc->reconnect) {
        cJSON *rc = cJSON_AddObjectToObject(root, "reconnect");
        cJSON_AddNumberToObject(rc, "delay_ms", sc->reconnect_delay_ms);
        cJSON_AddNumberToObject(rc, "max_delay_ms", sc->reconnect_max_delay_ms);
        cJSON_AddNumberToObject(rc, "jitter", sc->reconnect_jitter);
        cJSON_AddNumberToObject(rc, "max_attempts", (double)sc->reconnect_max_attempts);
    }
    th = cJSON_AddArrayToObject(root, "compare");
    for (size_t i = 0; th && i < sc->ncompare; i++) cJSON_AddItemToArray(th, cJSON_CreateString(sc->compare[i]));
    th = cJSON_AddArrayToObject(root, "thresholds");
    for (size_t i = 0; th && i < sc->nthresholds; i++)
        cJSON_AddItemToArray(th, cJSON_CreateString(sc->thresholds[i].expr));
    if ((text = cJSON_Print(root))) {
        rc = buf_append_str(out, text);
        free(text);
    }
    cJSON_Delete(root);
    return rc;
}

void scenario_free(scenario *sc)
{
    free(sc->name);
    free(sc->url);
    free(sc->path);
    free(sc->passphrase);
    free(sc->ns);
    free(sc->event);
    free(sc->auth_json);
    free(sc->tls_cacert);
    free(sc->tls_cert);
    free(sc->tls_key);
    free(sc->tls_servername);
    free(sc->proxy);
    free(sc->sources);
    free_query(sc->query, sc->nquery);
    free_query(sc->headers, sc->nheaders);
    free(sc->headers_file);
    free(sc->thresholds);
    if (sc->flow) { flowspec_free(sc->flow); free(sc->flow); }
    free_compare(sc);
    memset(sc, 0, sizeof *sc);
}

const char *scenario_transport_name(int t)
{
    switch (t) {
    case SCENARIO_WEBSOCKET: return "websocket";
    case SCENARIO_POLLING: return "polling";
    case SCENARIO_UPGRADE: return "upgrade";
    default: return "?";
    }
}

const char *scenario_impl_name(int impl)
{
    return impl == SCENARIO_IMPL_V2 ? "v2" : impl == SCENARIO_IMPL_V1 ? "v1" : impl == SCENARIO_IMPL_V4 ? "v4" : "?";
}

const char *scenario_workload_name(int w)
{
    return w == SCENARIO_WORKLOAD_FLOW ? "flow" : w == SCENARIO_WORKLOAD_COUNTER ? "counter" : "?";
}

const char *scenario_app_name(int app)
{
    return app == SCENARIO_APP_CHAT ? "chat" : app == SCENARIO_APP_COUNTER ? "counter" : "?";
}

const char *scenario_mode_name(int mode)
{
    return mode == SCENARIO_MODE_ROBUSTNESS ? "robustness" : mode == SCENARIO_MODE_LOAD ? "load" : "?";
}

long long scenario_max_inflight(const scenario *sc, double rate_per_client)
{
    if (sc->max_inflight > 0) return sc->max_inflight;
    double in_window = rate_per_client * sc->message_ms / 1000.0;   /* rate <= 1e5, message_ms <= 3.6e6 */
    return in_window < 1e6 ? 2 * (long long)ceil(in_window) + 64 : 2000064;
}
