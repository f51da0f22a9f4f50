/* flowspec: the "flow" object checked once, field by field, into flow_spec (flowspec.h). The walk keeps
 * the place it is at ("flow.steps[1].repeat[0]") for every message, and the variables captured so far, so
 * a template naming a variable that no earlier step captures is refused where it is written. `on`
 * handlers are read first: they may fire at any time, so their captures count as available to every step
 * (their variables come first in flow_spec.vars), and their names must be known to check the steps'
 * names and deliveries. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsonv.h"
#include "base/text.h"
#include "load/flowspec.h"
#include "load/flowtmpl.h"

#define MAX_MS 3600000                  /* timeouts, think and linger: an hour, as scenario.c's */
#define PATH_MAX_LEN 255                /* flowspec_capture.path, flowspec_on.latency_from */

typedef struct pctx {
    flow_spec *f;
    buf *err;
    buf at;                             /* the place being read: "flow.steps[0].args[1].room" */
    int cap;                            /* steps allocated */
    uint64_t payload;                   /* {{payload N}} bytes in the argument being checked */
    int emits;
} pctx;

/* "<place>: <message>", the place cleaned (object keys are the user's bytes). */
static int fail(pctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(pctx *c, const char *fmt, ...)
{
    va_list ap;
    if (!c->err) return -1;
    buf_clear(c->err);
    text_clean(c->err, buf_cstr(&c->at), c->at.len, 200, 0);
    buf_append_str(c->err, ": ");
    va_start(ap, fmt);
    buf_vprintf(c->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* at += ".key" or "[i]"; returns the old length for at_pop. */
static size_t at_key(pctx *c, const char *key)
{
    size_t len = c->at.len;
    buf_printf(&c->at, ".%s", key);
    return len;
}

static size_t at_index(pctx *c, int i)
{
    size_t len = c->at.len;
    buf_printf(&c->at, "[%d]", i);
    return len;
}

static void at_pop(pctx *c, size_t len)
{
    c->at.len = len;
    if (c->at.data) c->at.data[len] = '\0';
}

/* Fail at a member of the current place. */
#define FAIL_AT(c, key, ...) (at_key((c), (key)), fail((c), __VA_ARGS__))

/* ---- generic checks ------------------------------------------------------------------------------ */

/* Every key of obj is one of allowed (NULL-terminated), none twice. what names the object in the message. */
static int check_keys(pctx *c, const cJSON *obj, const char *const *allowed, const char *what)
{
    for (const cJSON *e = obj->child; e; e = e->next) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, e->string)) a++;
        for (const cJSON *p = obj->child; p != e; p = p->next)
            if (!strcmp(p->string, e->string)) return FAIL_AT(c, e->string, "duplicate key");
        if (!*a) return FAIL_AT(c, e->string, "unknown key (%s)", what);
    }
    return 0;
}

/* An integer in [lo, hi] milliseconds into *ns. */
static int get_ms(pctx *c, const cJSON *v, const char *key, double lo, double hi, int integer, int64_t *ns)
{
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!isfinite(d) || d < lo || d > hi || (integer && d != floor(d)))
        return FAIL_AT(c, key, "must be %s in [%.0f, %.0f]", integer ? "an integer" : "a number", lo, hi);
    *ns = llround(d * 1e6);
    return 0;
}

static int get_bool(pctx *c, const cJSON *v, const char *key, int *out)
{
    if (!cJSON_IsBool(v)) return FAIL_AT(c, key, "must be true or false");
    *out = cJSON_IsTrue(v);
    return 0;
}

/* An event name, as socket.io clients accept one (they refuse to emit the reserved ones). */
static int check_event(pctx *c, const cJSON *v, const char *key, char *out)
{
    static const char *const reserved[] = {"connect", "connect_error", "disconnect", "disconnecting",
                                           "newListener", "removeListener"};
    size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
    if (!n || n > FLOWSPEC_NAME_MAX || !text_is_clean(v->valuestring, n, 0))
        return FAIL_AT(c, key, "must be a non-empty string of at most %d bytes (UTF-8, no control characters)",
                       FLOWSPEC_NAME_MAX);
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(v->valuestring, reserved[i])) return FAIL_AT(c, key, "\"%s\" is reserved by socket.io", reserved[i]);
    memcpy(out, v->valuestring, n + 1);
    return 0;
}

/* A series name: it appears in thresholds (p99_ms{say}) and file names, hence no braces. */
static int check_name(pctx *c, const cJSON *v, const char *key, char *out)
{
    size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
    if (!n || n > FLOWSPEC_NAME_MAX || !text_is_clean(v->valuestring, n, 0) || strpbrk(v->valuestring, "{}"))
        return FAIL_AT(c, key, "must be a non-empty string of at most %d bytes (UTF-8, no control characters, "
                       "no braces)", FLOWSPEC_NAME_MAX);
    memcpy(out, v->valuestring, n + 1);
    return 0;
}

/* A dotted path ("a.b.0.c"): segments non-empty, clean text. empty_ok: "" (the value itself) allowed. */
static int check_path(pctx *c, const cJSON *v, const char *key, int empty_ok, char out[PATH_MAX_LEN + 1])
{
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    size_t n = s ? strlen(s) : 0;
    int ok = s && n <= PATH_MAX_LEN && (n || empty_ok) && text_is_clean(s, n, 0) &&
             (!n || (s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..")));
    if (!ok)
        return FAIL_AT(c, key, "must be a dotted path (\"a.b.0\": keys, and numbers for array items) of at most "
                       "%d bytes%s", PATH_MAX_LEN, empty_ok ? ", or \"\" for the whole value" : "");
    memcpy(out, s, n + 1);
    return 0;
}

static int is_builtin(const char *s)
{
    static const char *const names[] = {"client", "seq", "now_us", "unix_us", "random", "uuid", "payload"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i])) return 1;
    return 0;
}

static int valid_var(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > FLOWSPEC_NAME_MAX || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_')) return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
    return 1;
}

/* capture: {"var": "path"} into caps; each variable registered in f->vars (first seen order). */
static int parse_capture(pctx *c, const cJSON *v, flowspec_capture *caps, int *ncaps)
{
    size_t len = at_key(c, "capture");
    int n = 0;
    if (!cJSON_IsObject(v) || !v->child) return fail(c, "must be an object {\"variable\": \"path.in.value\"}");
    for (const cJSON *e = v->child; e; e = e->next) {
        flowspec_capture *cp = &caps[n];
        for (const cJSON *p = v->child; p != e; p = p->next)
            if (!strcmp(p->string, e->string)) return FAIL_AT(c, e->string, "duplicate key");
        if (n == FLOWSPEC_MAX_CAPTURE) return fail(c, "more than %d captures in one step", FLOWSPEC_MAX_CAPTURE);
        if (!valid_var(e->string))
            return FAIL_AT(c, e->string, "a variable name is [A-Za-z_][A-Za-z0-9_]*, at most %d bytes", FLOWSPEC_NAME_MAX);
        if (is_builtin(e->string)) return FAIL_AT(c, e->string, "'%s' is a built-in template, not a variable", e->string);
        if (check_path(c, e, e->string, 1, cp->path) < 0) return -1;
        strcpy(cp->var, e->string);
        cp->var_index = flowspec_var_index(c->f, cp->var, strlen(cp->var));
        if (cp->var_index < 0) {
            if (c->f->nvars == FLOWSPEC_MAX_VARS)
                return FAIL_AT(c, e->string, "more than %d capture variables in the flow", FLOWSPEC_MAX_VARS);
            strcpy(c->f->vars[c->f->nvars], cp->var);
            cp->var_index = c->f->nvars++;
        }
        n++;
    }
    *ncaps = n;
    at_pop(c, len);
    return 0;
}

/* ---- values: templates everywhere a string is sent or expected ------------------------------------ */

/* Every string in v passes flowtmpl_check against the variables captured so far. Object keys are never
 * templates (they are sent as written); they must be UTF-8 like every string sent. expect: also the
 * {"$exists": bool} and {"$type": "name"} operators. */
static int check_value(pctx *c, const cJSON *v, int expect)
{
    if (cJSON_IsString(v)) {
        size_t n = strlen(v->valuestring);
        buf why = BUF_INIT;
        if (!jsonv_utf8_valid(v->valuestring, n)) return fail(c, "a string must be valid UTF-8");
        int bad = flowtmpl_check(c->f, v->valuestring, n, &why) < 0;
        if (bad) fail(c, "%s", buf_cstr(&why));
        else c->payload += flowtmpl_payload_bytes(c->f, v->valuestring, n);
        buf_free(&why);
        return bad ? -1 : 0;
    }
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v)) return 0;
    int obj = cJSON_IsObject(v), i = 0;
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t len = obj ? at_key(c, e->string) : at_index(c, i);
        if (obj && !jsonv_utf8_valid(e->string, strlen(e->string))) return fail(c, "a key must be valid UTF-8");
        if (expect && obj && (!strcmp(e->string, "$exists") || !strcmp(e->string, "$type"))) {
            if (v->child->next) return fail(c, "an operator object holds only its operator");
            if (e->string[1] == 'e' && !cJSON_IsBool(e)) return fail(c, "must be true or false");
            if (e->string[1] == 't' && !(cJSON_IsString(e) && flowtmpl_type_name_ok(e->valuestring)))
                return fail(c, "must be one of \"number\", \"string\", \"boolean\", \"object\", \"array\", \"null\"");
        } else if (check_value(c, e, expect) < 0) return -1;
        at_pop(c, len);
    }
    return 0;
}

static int check_member(pctx *c, const cJSON *v, const char *key, int expect)
{
    size_t len = at_key(c, key);
    if (check_value(c, v, expect) < 0) return -1;
    at_pop(c, len);
    return 0;
}

/* ---- series -------------------------------------------------------------------------------------- */

static int find_series(const flow_spec *f, const char *name)
{
    for (int i = 0; i < f->nseries; i++)
        if (!strcmp(f->series[i].name, name)) return i;
    return -1;
}

static int add_series(pctx *c, const char *name, int is_on, const char *key)
{
    int i = find_series(c->f, name);
    if (i >= 0) return i;
    if (c->f->nseries == FLOWSPEC_MAX_SERIES)
        return FAIL_AT(c, key, "more than %d distinct step and handler names", FLOWSPEC_MAX_SERIES);
    strcpy(c->f->series[c->f->nseries].name, name);
    c->f->series[c->f->nseries].is_on = is_on;
    return c->f->nseries++;
}

static int find_on(const flow_spec *f, const char *name)
{
    for (int i = 0; i < f->non; i++)
        if (!strcmp(f->on[i].name, name)) return i;
    return -1;
}

/* ---- on ------------------------------------------------------------------------------------------ */

static int parse_on_one(pctx *c, const cJSON *v, flowspec_on *h, int idx)
{
    static const char *const keys[] = {"event", "name", "latency_from", "expect", "capture", NULL};
    const cJSON *e;
    if (!cJSON_IsObject(v)) return fail(c, "must be an object {\"event\": ..., \"name\": ..., ...}");
    if (check_keys(c, v, keys, "a handler takes event, name, latency_from, expect, capture") < 0) return -1;
    if (check_event(c, cJSON_GetObjectItemCaseSensitive(v, "event"), "event", h->event) < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "name")) && check_name(c, e, "name", h->name) < 0) return -1;
    if (!e) strcpy(h->name, h->event);
    for (int k = 0; k < idx; k++) {
        if (!strcmp(c->f->on[k].event, h->event))
            return FAIL_AT(c, "event", "\"%s\" already has a handler (flow.on[%d])", h->event, k);
        if (!strcmp(c->f->on[k].name, h->name))
            return FAIL_AT(c, "name", "\"%s\" is already the name of flow.on[%d]", h->name, k);
    }
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "latency_from")) &&
        check_path(c, e, "latency_from", 0, h->latency_from) < 0)
        return -1;
    h->expect = cJSON_GetObjectItemCaseSensitive(v, "expect");
    h->series = -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "capture")) && parse_capture(c, e, h->capture, &h->ncapture) < 0)
        return -1;
    return 0;
}

static int parse_on(pctx *c, const cJSON *on)
{
    size_t len = at_key(c, "on");
    int n, i = 0;
    if (!cJSON_IsArray(on)) return fail(c, "must be an array of handlers");
    n = cJSON_GetArraySize(on);
    if (n > FLOWSPEC_MAX_SERIES) return fail(c, "more than %d handlers", FLOWSPEC_MAX_SERIES);
    if (n && !(c->f->on = calloc((size_t)n, sizeof *c->f->on))) return fail(c, "out of memory");
    for (const cJSON *e = on->child; e; e = e->next, i++) {
        size_t l2 = at_index(c, i);
        if (parse_on_one(c, e, &c->f->on[i], i) < 0) return -1;
        c->f->non = i + 1;
        at_pop(c, l2);
    }
    at_pop(c, len);
    return 0;
}

/* After the steps: the handlers' series (after the steps'), and their expects, which may use any variable. */
static int finish_on(pctx *c)
{
    for (int i = 0; i < c->f->non; i++) {
        flowspec_on *h = &c->f->on[i];
        size_t len = at_key(c, "on");
        at_index(c, i);
        if ((h->series = add_series(c, h->name, 1, "name")) < 0) return -1;
        if (h->expect && check_member(c, h->expect, "expect", 1) < 0) return -1;
        at_pop(c, len);
    }
    return 0;
}

/* ---- steps --------------------------------------------------------------------------------------- */

static int parse_steps(pctx *c, const cJSON *arr, int depth);

static int new_step(pctx *c)
{
    if (c->f->nsteps == FLOWSPEC_MAX_STEPS)
        return fail(c, "more than %d steps in the flow (nested ones included)", FLOWSPEC_MAX_STEPS);
    if (c->f->nsteps == c->cap) {
        int cap = c->cap ? c->cap * 2 : 8;
        flowspec_step *s = realloc(c->f->steps, (size_t)cap * sizeof *s);
        if (!s) return fail(c, "out of memory");
        c->f->steps = s;
        c->cap = cap;
    }
    flowspec_step *s = &c->f->steps[c->f->nsteps];
    memset(s, 0, sizeof *s);
    s->series = -1;
    s->deliveries.on_index = -1;
    return c->f->nsteps++;
}

static int parse_deliveries(pctx *c, const cJSON *v, flowspec_step *s)
{
    static const char *const keys[] = {"on", "count", NULL};
    size_t len = at_key(c, "deliveries");
    const cJSON *on, *count;
    buf why = BUF_INIT;
    if (!cJSON_IsObject(v)) return fail(c, "must be an object {\"on\": \"handler name\", \"count\": ...}");
    if (check_keys(c, v, keys, "deliveries take on, count") < 0) return -1;
    on = cJSON_GetObjectItemCaseSensitive(v, "on");
    count = cJSON_GetObjectItemCaseSensitive(v, "count");
    if (!cJSON_IsString(on) || (s->deliveries.on_index = find_on(c->f, on->valuestring)) < 0)
        return FAIL_AT(c, "on", "must be the name of a handler in flow.on");
    if (cJSON_IsNumber(count)) {
        double d = count->valuedouble;
        if (!isfinite(d) || d != floor(d) || d < 0 || d > 2147483647)
            return FAIL_AT(c, "count", "must be an integer in [0, 2147483647] or a template (\"{{members}}\")");
    } else if (!cJSON_IsString(count)) {
        return FAIL_AT(c, "count", "must be an integer or a template (\"{{members}}\")");
    } else if (flowtmpl_check_int(c->f, count->valuestring, strlen(count->valuestring), &why) < 0) {
        FAIL_AT(c, "count", "%s", buf_cstr(&why));
        buf_free(&why);
        return -1;
    }
    s->deliveries.count = count;
    at_pop(c, len);
    return 0;
}

static int parse_args(pctx *c, const cJSON *v, flowspec_step *s)
{
    size_t len = at_key(c, "args");
    int i = 0;
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > FLOWSPEC_MAX_ARGS)
        return fail(c, "must be an array of at most %d arguments (any JSON values)", FLOWSPEC_MAX_ARGS);
    for (const cJSON *e = v->child; e; e = e->next, i++) {
        size_t l2 = at_index(c, i);
        c->payload = 0;
        if (check_value(c, e, 0) < 0) return -1;
        if (c->payload > FLOWTMPL_MAX_RENDER)
            return fail(c, "its {{payload N}} templates add up to %llu bytes, over the %d bytes a rendered "
                        "argument may have", (unsigned long long)c->payload, FLOWTMPL_MAX_RENDER);
        at_pop(c, l2);
        s->args[i] = e;
    }
    s->nargs = i;
    at_pop(c, len);
    return 0;
}

/* emit and wait: the fields they share, in a fixed order (so the first problem reported does not depend
 * on the order of keys). Captures come after args and expect, which may not use the step's own captures,
 * and before deliveries, whose count may (it is rendered after the step's captures are applied). */
static int parse_io(pctx *c, const cJSON *v, int idx, int emit)
{
    static const char *const emit_keys[] = {"emit", "args", "ack", "timeout_ms", "expect", "capture", "name",
                                            "deliveries", NULL};
    static const char *const wait_keys[] = {"wait", "expect", "capture", "timeout_ms", "name", NULL};
    flowspec_step *s = &c->f->steps[idx];
    const cJSON *e;
    s->kind = emit ? FLOW_EMIT : FLOW_WAIT;
    if (check_keys(c, v, emit ? emit_keys : wait_keys,
                   emit ? "an emit step takes emit, args, ack, timeout_ms, expect, capture, name, deliveries"
                        : "a wait step takes wait, expect, capture, timeout_ms, name") < 0)
        return -1;
    if (check_event(c, cJSON_GetObjectItemCaseSensitive(v, emit ? "emit" : "wait"), emit ? "emit" : "wait", s->event) < 0)
        return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "name")) && check_name(c, e, "name", s->name) < 0) return -1;
    if (!e) strcpy(s->name, s->event);
    int h = find_on(c->f, s->name);
    if (h >= 0) return FAIL_AT(c, "name", "\"%s\" is the name of a handler (flow.on[%d]); give the step a name", s->name, h);
    if ((s->series = add_series(c, s->name, 0, "name")) < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "ack")) && get_bool(c, e, "ack", &s->ack) < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "timeout_ms"))) {
        if (emit && !s->ack) return FAIL_AT(c, "timeout_ms", "needs \"ack\": true (an emit without ack waits for nothing)");
        if (get_ms(c, e, "timeout_ms", 1, MAX_MS, 1, &s->timeout_ns) < 0) return -1;
    }
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "args")) && parse_args(c, e, s) < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "expect"))) {
        if (emit && !s->ack) return FAIL_AT(c, "expect", "needs \"ack\": true (an emit without ack gets no value)");
        if (check_member(c, e, "expect", 1) < 0) return -1;
        s->expect = e;
    }
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "capture"))) {
        if (emit && !s->ack) return FAIL_AT(c, "capture", "needs \"ack\": true (an emit without ack gets no value)");
        if (parse_capture(c, e, s->capture, &s->ncapture) < 0) return -1;
    }
    /* after the captures: the count is rendered once the step succeeded, its own captures applied */
    if ((e = cJSON_GetObjectItemCaseSensitive(v, "deliveries")) && parse_deliveries(c, e, s) < 0) return -1;
    c->emits += emit;
    return 0;
}

static int parse_step(pctx *c, const cJSON *v, int depth)
{
    static const char *const kinds[] = {"emit", "wait", "think_ms", "repeat"};
    const cJSON *e;
    int kind = -1, nkinds = 0, idx;
    if (!cJSON_IsObject(v)) return fail(c, "a step must be an object");
    for (int k = 0; k < 4; k++)
        if (cJSON_GetObjectItemCaseSensitive(v, kinds[k])) { kind = k; nkinds++; }
    if (nkinds != 1) return fail(c, "a step is exactly one of emit, wait, think_ms, repeat");
    if ((idx = new_step(c)) < 0) return -1;
    if (kind <= 1) return parse_io(c, v, idx, kind == 0);
    e = cJSON_GetObjectItemCaseSensitive(v, kinds[kind]);
    if (check_keys(c, v, (const char *const[]){kinds[kind], NULL},
                   kind == 2 ? "a think step takes think_ms only" : "a repeat step takes repeat only") < 0)
        return -1;
    if (kind == 2) {
        c->f->steps[idx].kind = FLOW_THINK;
        return get_ms(c, e, "think_ms", 0, MAX_MS, 0, &c->f->steps[idx].think_ns);
    }
    c->f->steps[idx].kind = FLOW_REPEAT;
    size_t len = at_key(c, "repeat");
    if (depth + 1 > FLOWSPEC_MAX_DEPTH) return fail(c, "repeat nested more than %d deep", FLOWSPEC_MAX_DEPTH);
    c->f->steps[idx].first = idx + 1;
    if (parse_steps(c, e, depth + 1) < 0) return -1;
    c->f->steps[idx].count = c->f->nsteps - idx - 1;
    at_pop(c, len);
    return 0;
}

static int parse_steps(pctx *c, const cJSON *arr, int depth)
{
    int i = 0;
    if (!cJSON_IsArray(arr) || !arr->child) return fail(c, "must be a non-empty array of steps");
    for (const cJSON *e = arr->child; e; e = e->next, i++) {
        size_t len = at_index(c, i);
        if (parse_step(c, e, depth) < 0) return -1;
        at_pop(c, len);
    }
    return 0;
}

/* ---- public -------------------------------------------------------------------------------------- */

static int parse_flow(pctx *c, const cJSON *flow)
{
    static const char *const keys[] = {"encrypt", "linger_ms", "steps", "on", NULL};
    flow_spec *f = c->f;
    const cJSON *e;
    if (!cJSON_IsObject(flow)) return fail(c, "must be an object {\"steps\": [...], ...}");
    if (check_keys(c, flow, keys, "a flow takes encrypt, linger_ms, steps, on") < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(flow, "encrypt")) && get_bool(c, e, "encrypt", &f->encrypt) < 0) return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(flow, "linger_ms")) && get_ms(c, e, "linger_ms", 0, MAX_MS, 1, &f->linger_ns) < 0)
        return -1;
    if ((e = cJSON_GetObjectItemCaseSensitive(flow, "on")) && parse_on(c, e) < 0) return -1;
    size_t len = at_key(c, "steps");
    if (parse_steps(c, cJSON_GetObjectItemCaseSensitive(flow, "steps"), 0) < 0) return -1;
    if (!c->emits) return fail(c, "the flow has no emit step");
    at_pop(c, len);
    return finish_on(c);
}

int flowspec_parse(const cJSON *flow, flow_spec *out, buf *err)
{
    pctx c = {.f = out, .err = err, .at = BUF_INIT};
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(flow)) return buf_fail(err, "flow: must be an object {\"steps\": [...], ...}");
    out->encrypt = 1;
    if (!(out->root = cJSON_Duplicate(flow, 1))) {
        buf_fail(err, "flow: out of memory");
        return -1;
    }
    buf_append_str(&c.at, "flow");
    int rc = parse_flow(&c, out->root);
    if (rc < 0) {
        if (!err || !err->len) buf_fail(err, "flow: out of memory");
        flowspec_free(out);
    }
    buf_free(&c.at);
    return rc;
}

void flowspec_free(flow_spec *f)
{
    cJSON_Delete(f->root);
    free(f->steps);
    free(f->on);
    memset(f, 0, sizeof *f);
}

int flowspec_var_index(const flow_spec *f, const char *name, size_t n)
{
    if (n > FLOWSPEC_NAME_MAX) return -1;
    for (int i = 0; i < f->nvars; i++)
        if (!strncmp(f->vars[i], name, n) && f->vars[i][n] == '\0') return i;
    return -1;
}
