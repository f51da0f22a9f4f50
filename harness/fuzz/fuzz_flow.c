/* fuzz_flow: the flow parser (flowspec_parse) on hostile JSON, then the run-time side on what it accepts.
 * The input is a scenario's "flow" object as JSON text. Properties:
 *   - a refusal says why (err is not empty, clean text) and leaves the spec zeroed;
 *   - an accepted spec keeps its bounds: 1..256 steps in pre-order (every repeat's body inside the array,
 *     nested at most 4 deep), at most 64 series and 32 variables, every index in range, at least one emit;
 *   - every emit's arguments render for a client, before any capture (only an unset variable may fail)
 *     and after every variable is set (then only the size bound may fail), always to valid JSON within
 *     FLOWTMPL_MAX_RENDER bytes;
 *   - every expect matched against the input itself gives 1 (empty detail) or 0 / -1 (a clean detail);
 *     an expect without templates or operators matches itself;
 *   - captures from the input itself succeed or say why; deliveries.count renders to an integer or fails. */
#include <string.h>
#include "fuzz.h"
#include "base/jsonv.h"
#include "base/text.h"
#include "load/flowspec.h"
#include "load/flowtmpl.h"

static void check_bounds(const flow_spec *f)
{
    int emits = 0;
    FUZZ_ASSERT(f->root != NULL);
    FUZZ_ASSERT(f->nsteps >= 1 && f->nsteps <= FLOWSPEC_MAX_STEPS);
    FUZZ_ASSERT(f->nseries >= 1 && f->nseries <= FLOWSPEC_MAX_SERIES);
    FUZZ_ASSERT(f->nvars >= 0 && f->nvars <= FLOWSPEC_MAX_VARS);
    for (int i = 0; i < f->nsteps; i++) {
        const flowspec_step *s = &f->steps[i];
        if (s->kind == FLOW_REPEAT) {
            FUZZ_ASSERT(s->first == i + 1 && s->count >= 1 && i + s->count < f->nsteps);
            FUZZ_ASSERT(s->series == -1);
        } else if (s->kind == FLOW_THINK) {
            FUZZ_ASSERT(s->series == -1 && s->think_ns >= 0 && s->think_ns <= 3600000000000LL);
        } else {
            FUZZ_ASSERT(s->series >= 0 && s->series < f->nseries && !f->series[s->series].is_on);
            FUZZ_ASSERT(!strcmp(f->series[s->series].name, s->name));
            FUZZ_ASSERT(s->event[0] && s->nargs >= 0 && s->nargs <= FLOWSPEC_MAX_ARGS);
            FUZZ_ASSERT(s->timeout_ns >= 0 && s->timeout_ns <= 3600000000000LL);
            FUZZ_ASSERT(s->kind == FLOW_WAIT || s->ack || (!s->expect && !s->ncapture));
            FUZZ_ASSERT(s->deliveries.on_index >= -1 && s->deliveries.on_index < f->non);
            FUZZ_ASSERT((s->deliveries.on_index >= 0) == (s->deliveries.count != NULL));
            emits += s->kind == FLOW_EMIT;
        }
        FUZZ_ASSERT(s->ncapture >= 0 && s->ncapture <= FLOWSPEC_MAX_CAPTURE);
        for (int k = 0; k < s->ncapture; k++)
            FUZZ_ASSERT(s->capture[k].var_index >= 0 && s->capture[k].var_index < f->nvars &&
                        !strcmp(f->vars[s->capture[k].var_index], s->capture[k].var));
    }
    FUZZ_ASSERT(emits >= 1);
    for (int i = 0; i < f->non; i++) {
        const flowspec_on *h = &f->on[i];
        FUZZ_ASSERT(h->series >= 0 && h->series < f->nseries && f->series[h->series].is_on);
        FUZZ_ASSERT(!strcmp(f->series[h->series].name, h->name));
    }
    /* a repeat's body nests inside it: depth never past FLOWSPEC_MAX_DEPTH */
    int end[FLOWSPEC_MAX_STEPS + 1], depth = 0;
    for (int i = 0; i < f->nsteps; i++) {
        while (depth > 0 && i > end[depth - 1]) depth--;
        if (f->steps[i].kind == FLOW_REPEAT) {
            FUZZ_ASSERT(depth < FLOWSPEC_MAX_DEPTH);
            FUZZ_ASSERT(depth == 0 || i + f->steps[i].count <= end[depth - 1]);
            end[depth++] = i + f->steps[i].count;
        }
    }
}

static int has_text(const buf *b) { return b->len > 0 && text_is_clean(b->data, b->len, 0); }

/* 1 when v matches itself for sure: no templates, no operators, no duplicate keys. */
static int plain(const cJSON *v)
{
    if (cJSON_IsString(v)) return !strstr(v->valuestring, "{{");
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v)) {
            if (!strcmp(c->string, "$exists") || !strcmp(c->string, "$type")) return 0;
            for (const cJSON *p = v->child; p != c; p = p->next)
                if (!strcmp(p->string, c->string)) return 0;
        }
        if (!plain(c)) return 0;
    }
    return 1;
}

static void check_render(const flowtmpl_env *e, const cJSON *v, int vars_set)
{
    buf out = BUF_INIT, err = BUF_INIT;
    if (flowtmpl_render(e, v, &out, &err) == 0) {
        FUZZ_ASSERT(out.len <= FLOWTMPL_MAX_RENDER && jsonv_valid(out.data, out.len));
    } else {
        FUZZ_ASSERT(out.len == 0 && has_text(&err));
        FUZZ_ASSERT(vars_set ? strstr(err.data, "over") != NULL : strstr(err.data, "not captured yet") != NULL
                                                                  || strstr(err.data, "over") != NULL);
    }
    buf_free(&out);
    buf_free(&err);
}

static void check_match(const flowtmpl_env *e, const cJSON *expect, const cJSON *got)
{
    buf d = BUF_INIT;
    int r = flowtmpl_match(e, expect, got, &d);
    FUZZ_ASSERT(r >= -1 && r <= 1);
    if (r == 1) FUZZ_ASSERT(d.len == 0);
    else FUZZ_ASSERT(has_text(&d));
    if (plain(expect)) FUZZ_ASSERT(flowtmpl_match(e, expect, expect, &d) == 1);
    buf_free(&d);
}

static void run_client(const flow_spec *f, flowtmpl_vars *vs, int vars_set)
{
    uint64_t rng = 0x853c49e6748fea9bull;
    flowtmpl_env e = {f, 7, 3, &rng, vs};
    buf d = BUF_INIT;
    int64_t n;
    for (int i = 0; i < f->nsteps; i++) {
        const flowspec_step *s = &f->steps[i];
        for (int k = 0; k < s->nargs; k++) check_render(&e, s->args[k], vars_set);
        if (s->expect) check_match(&e, s->expect, f->root);
        if (s->deliveries.count && flowtmpl_render_int(&e, s->deliveries.count, &n, &d) == 0) FUZZ_ASSERT(n >= 0);
    }
    for (int i = 0; i < f->non; i++) {
        if (f->on[i].expect) check_match(&e, f->on[i].expect, f->root);
        if (f->on[i].latency_from[0]) flowtmpl_path(f->root, f->on[i].latency_from);
    }
    buf_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    flow_spec f, zero;
    buf err = BUF_INIT, d = BUF_INIT;
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    memset(&zero, 0, sizeof zero);
    if (!j) return 0;
    if (flowspec_parse(j, &f, &err) != 0) {
        FUZZ_ASSERT(err.len > 0 && text_is_clean(err.data, err.len, 0));
        FUZZ_ASSERT(memcmp(&f, &zero, sizeof f) == 0);
    } else {
        check_bounds(&f);
        flowtmpl_vars vs;
        flowtmpl_vars_init(&vs);
        run_client(&f, &vs, 0);
        /* captures out of the input itself, then every variable set (the input's first member or the input) */
        for (int i = 0; i < f.nsteps; i++)
            if (f.steps[i].ncapture && flowtmpl_capture(&vs, f.steps[i].capture, f.steps[i].ncapture, j, &d) < 0)
                FUZZ_ASSERT(has_text(&d));
        for (int i = 0; i < f.nvars; i++)
            if (flowtmpl_vars_set(&vs, i, j->child ? j->child : j) < 0) {
                cJSON *num = cJSON_CreateNumber(i);
                FUZZ_ASSERT(flowtmpl_vars_set(&vs, i, num) == 0);
                cJSON_Delete(num);
            }
        run_client(&f, &vs, 1);
        flowtmpl_vars_free(&vs);
    }
    flowspec_free(&f);
    cJSON_Delete(j);
    buf_free(&err);
    buf_free(&d);
    return 0;
}
