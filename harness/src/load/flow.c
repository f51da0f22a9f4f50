/* flow: the scripted flow workload (flow.h). One client runs its steps as a small state machine on its
 * session and its one timer; nothing here is shared between clients but the read-only spec. */
#include "load/flow.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/clock.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "proto/sio.h"
#include "report/stats.h"
#include "load/client.h"
#include "load/run_config.h"

/* A value at or past this many microseconds is a Unix time ({{unix_us}}: 1e15 us is the year 2001), below it a
 * monotonic one ({{now_us}}: microseconds since boot, 31 years of uptime away). */
#define FLOW_UNIX_US_MIN 1000000000000000LL

static void flow_advance(client *c);

static const flow_spec *flow_spec_of(const client *c) { return c->x->cfg->flow; }

static flowtmpl_env flow_env(client *c)
{
    flow_state *f = c->flow;
    flowtmpl_env e = {flow_spec_of(c), c->index, f->depth ? f->stack[f->depth - 1].seq : 0, &f->rng, &f->vars};
    return e;
}

int flow_stats_init(stats *st, const flow_spec *spec)
{
    for (int i = 0; i < spec->nseries; i++)
        if (stats_series_add(st, spec->series[i].name, spec->series[i].is_on) != i) return -1;
    return 0;
}

/* ---- outcomes ---------------------------------------------------------------------------------------- */

/* A step or handler failed: counted in its series and as an error of the run, with the name in the detail. */
static void flow_fail(client *c, int series, const char *cls, const char *what, const char *detail)
{
    char d[160];
    snprintf(d, sizeof d, "%s%s%s", what, detail && *detail ? ": " : "", detail ? detail : "");
    stats_series_failed(c->x->st, series, cls);
    stats_error(c->x->st, clock_now_ns(), cls, d);
}

/* ---- values received ----------------------------------------------------------------------------------- */

/* The first of the arguments in a JSON array (an event's after its name, or an ack's), decrypted when the flow
 * is encrypted and the argument is a string, as a cJSON value (*out; NULL when there is none). Every other
 * string argument is decrypted too, so an envelope that does not decrypt anywhere is a `decrypt` error.
 * Answers to this client (acks, awaited events) go to the salt-reuse check; pushed events do not: a server
 * broadcasts one envelope to a whole room, so its salt comes back once per member by design.
 * 0, or -1 with the class in *cls and a detail in f->err. */
static int flow_decode_args(client *c, const char *arr, size_t n, size_t pos, int check_salts, cJSON **out,
                            const char **cls)
{
    flow_state *f = c->flow;
    workload_ctx *w = c->x;
    const char *el;
    size_t el_len;
    int first = 1, r;
    *out = NULL;
    buf_clear(&f->err);
    while ((r = sio_array_next(arr, n, &pos, &el, &el_len)) == SIO_OK) {
        const char *json = el;
        size_t json_len = el_len;
        if (flow_spec_of(c)->encrypt && el_len && el[0] == '"') {
            buf_clear(&f->arg);
            buf_clear(&f->plain);
            unsigned warn = 0;
            if (sio_json_unescape(&f->arg, el, el_len) != SIO_OK) { *cls = "protocol"; buf_printf(&f->err, "bad string"); goto fail; }
            int64_t t0 = clock_now_ns();
            envelope_err e = envelope_decrypt(w->env, f->arg.data, f->arg.len, &f->plain, &warn);
            stats_decrypt_ns(w->st, clock_now_ns() - t0);
            if (e != ENVELOPE_OK) { *cls = "decrypt"; buf_printf(&f->err, "%s", envelope_err_name(e)); goto fail; }
            if (check_salts) envseen_add(w->seen, f->arg.data, f->arg.len, warn);
            json = f->plain.data;
            json_len = f->plain.len;
        }
        if (first) {
            *out = cJSON_ParseWithLength(json, json_len);
            if (!*out) { *cls = "protocol"; buf_printf(&f->err, "argument is not JSON"); goto fail; }
            first = 0;
        }
    }
    if (r == SIO_END) return 0;
    *cls = "protocol";
    buf_printf(&f->err, "bad arguments");
fail:
    cJSON_Delete(*out);
    *out = NULL;
    return -1;
}

/* expect, then captures, on a value received: 0, or -1 with the detail in f->err (class mismatch or flow). */
static int flow_check_value(client *c, const cJSON *expect, const flowspec_capture *caps, int ncaps,
                            const cJSON *got, const char **cls)
{
    flow_state *f = c->flow;
    flowtmpl_env e = flow_env(c);
    buf_clear(&f->err);
    if (expect) {
        int m = got ? flowtmpl_match(&e, expect, got, &f->err) : 0;
        if (!got) buf_printf(&f->err, "no value to match");
        if (m != 1) { *cls = m < 0 ? "flow" : "mismatch"; return -1; }
    }
    if (ncaps) {
        if (!got) { *cls = "mismatch"; buf_printf(&f->err, "no value to capture from"); return -1; }
        if (flowtmpl_capture(&f->vars, caps, ncaps, got, &f->err) < 0) { *cls = "mismatch"; return -1; }
    }
    return 0;
}

/* ---- sending ---------------------------------------------------------------------------------------- */

/* ["event", arg, ...] with each argument rendered; an object or array argument goes out as its envelope
 * string when the flow is encrypted, as apps do with crypter.encrypt(data). 0, or -1 with f->err. */
static int flow_build_emit(client *c, const flowspec_step *st)
{
    flow_state *f = c->flow;
    workload_ctx *w = c->x;
    flowtmpl_env e = flow_env(c);
    int oom = 0;
    buf_clear(&f->out);
    buf_clear(&f->err);
    oom |= buf_append_char(&f->out, '[') < 0;
    oom |= sio_json_escape(&f->out, st->event, strlen(st->event)) != SIO_OK;
    for (int i = 0; i < st->nargs; i++) {
        oom |= buf_append_char(&f->out, ',') < 0;
        buf_clear(&f->tmp);
        if (flowtmpl_render(&e, st->args[i], &f->tmp, &f->err) < 0) return -1;
        int structured = f->tmp.len && (f->tmp.data[0] == '{' || f->tmp.data[0] == '[');
        if (!flow_spec_of(c)->encrypt || !structured) { oom |= buf_append(&f->out, f->tmp.data, f->tmp.len) < 0; continue; }
        buf_clear(&f->plain);
        int64_t t0 = clock_now_ns();
        envelope_err r = envelope_encrypt(w->env, f->tmp.data, f->tmp.len, NULL, &f->plain);
        stats_encrypt_ns(w->st, clock_now_ns() - t0);
        if (r != ENVELOPE_OK) { buf_printf(&f->err, "encrypt: %s", envelope_err_name(r)); return -1; }
        oom |= sio_json_escape(&f->out, f->plain.data, f->plain.len) != SIO_OK;
    }
    oom |= buf_append_char(&f->out, ']') < 0;
    if (oom) { buf_printf(&f->err, "out of memory"); return -1; }
    return 0;
}

/* The open model's intended time for this emit: the first emit of an iteration consumes it. */
static int64_t flow_take_intended(flow_state *f)
{
    for (int d = f->depth - 1; d >= 0; d--) {
        int64_t t = f->stack[d].intended_ns;
        if (t) { f->stack[d].intended_ns = 0; return t; }
    }
    return 0;
}

static int64_t flow_timeout_ns(const client *c, const flowspec_step *st)
{
    return st->timeout_ns ? st->timeout_ns : c->x->cfg->message_timeout_ns;
}

/* The deliveries a step tells its handler to expect (fan-out), once it has succeeded: rendered after the
 * step's own captures (the room size its ack reported). A count that cannot be had fails the step, so the
 * step has one outcome. 0, or -1 when it failed. */
static int flow_expect_deliveries(client *c, const flowspec_step *st)
{
    flow_state *f = c->flow;
    int64_t n = 0;
    if (st->deliveries.on_index < 0) return 0;
    flowtmpl_env e = flow_env(c);
    buf_clear(&f->err);
    if (flowtmpl_render_int(&e, st->deliveries.count, &n, &f->err) < 0 || n < 0) {
        flow_fail(c, st->series, "flow", st->name, f->err.len ? buf_cstr(&f->err) : "deliveries: a negative count");
        return -1;
    }
    stats_series_expected(c->x->st, flow_spec_of(c)->on[st->deliveries.on_index].series, (uint64_t)n);
    return 0;
}

/* An emit: sent now; with an ack it waits (FLOW_ACK), without one it is done. 0: the flow goes on now. */
static int flow_emit(client *c, int idx)
{
    flow_state *f = c->flow;
    workload_ctx *w = c->x;
    const flowspec_step *st = &flow_spec_of(c)->steps[idx];
    int64_t intended = flow_take_intended(f);
    if (flow_build_emit(c, st) < 0) {
        stats_series_sent(w->st, st->series);
        flow_fail(c, st->series, "flow", st->name, buf_cstr(&f->err));
        return 0;
    }
    long id = -1;
    if (st->ack) {
        id = f->next_ack_id++;
        if (f->next_ack_id > 999999999999999L) f->next_ack_id = 0;   /* sio's ack ids: at most 15 digits */
    }
    int64_t now = clock_now_ns();
    if (session_emit_json_ack(&c->s, id, f->out.data, f->out.len) < 0) {
        stats_series_sent(w->st, st->series);
        flow_fail(c, st->series, "flow", st->name, "the arguments do not make a JSON array");
        return 0;
    }
    stats_series_sent(w->st, st->series);
    f->last_emit_ns = now;
    if (!st->ack) {
        if (flow_expect_deliveries(c, st) == 0) stats_series_ok(w->st, st->series, -1);
        return 0;
    }
    stats_sent(w->st, now);
    f->phase = FLOW_ACK;
    f->cur = idx;
    f->ack_id = id;
    f->origin_ns = intended ? intended : now;
    f->deadline_ns = now + flow_timeout_ns(c, st);
    return 1;
}

static void flow_wait_begin(client *c, int idx)
{
    flow_state *f = c->flow;
    const flowspec_step *st = &flow_spec_of(c)->steps[idx];
    int64_t now = clock_now_ns();
    stats_series_sent(c->x->st, st->series);
    stats_sent(c->x->st, now);
    f->phase = FLOW_EVENT;
    f->cur = idx;
    f->origin_ns = f->last_emit_ns ? f->last_emit_ns : now;
    f->deadline_ns = now + flow_timeout_ns(c, st);
}

/* A step awaited (ack or event) has its value: expect, capture, deliveries, and its latency. */
static void flow_step_done(client *c, const cJSON *got)
{
    flow_state *f = c->flow;
    workload_ctx *w = c->x;
    const flowspec_step *st = &flow_spec_of(c)->steps[f->cur];
    int64_t now = clock_now_ns();
    const char *cls = NULL;
    f->phase = FLOW_RUNNING;
    if (flow_check_value(c, st->expect, st->capture, st->ncapture, got, &cls) < 0) {
        flow_fail(c, st->series, cls, st->name, buf_cstr(&f->err));
        return;
    }
    if (flow_expect_deliveries(c, st) < 0) return;
    stats_verified(w->st, now, now - f->origin_ns);
    stats_series_ok(w->st, st->series, now - f->origin_ns);
}

/* ---- the state machine ------------------------------------------------------------------------------- */

static int flow_more_iterations(const client *c, const flow_frame *fr)
{
    int64_t max = c->x->cfg->messages;
    return !c->x->draining && (max == 0 || fr->seq < max);
}

/* A repeat's iteration begins: in the open model on its schedule (a pause when that is still ahead). 1: the
 * flow pauses now. */
static int flow_iteration_begin(client *c, flow_frame *fr)
{
    double rate = c->x->cfg->rate;
    if (rate <= 0) return 0;
    int64_t period = (int64_t)(1e9 / rate);
    int64_t at = fr->start_ns + fr->seq * period;
    fr->intended_ns = at;
    if (at <= clock_now_ns()) return 0;
    c->flow->phase = FLOW_PAUSE;
    client_timer_at(c, at);
    return 1;
}

static void flow_finish(client *c)
{
    flow_state *f = c->flow;
    int64_t linger = flow_spec_of(c)->linger_ns;
    if (linger > 0 && !c->x->draining) {
        f->phase = FLOW_LINGER;
        client_timer_at(c, clock_now_ns() + linger);
        return;
    }
    f->phase = FLOW_DONE;
    client_close(c);
}

/* Run steps until one has to wait (an ack, an event, a pause) or the flow is over. */
static void flow_advance(client *c)
{
    flow_state *f = c->flow;
    const flow_spec *spec = flow_spec_of(c);
    for (int guard = 0; f->phase == FLOW_RUNNING && c->s.state == SESSION_OPEN; guard++) {
        if (guard > 4 * FLOWSPEC_MAX_STEPS) {   /* a body of steps that never wait: let the loop breathe */
            f->phase = FLOW_PAUSE;
            client_timer_at(c, clock_now_ns());
            return;
        }
        if (f->depth) {
            flow_frame *fr = &f->stack[f->depth - 1];
            const flowspec_step *rep = &spec->steps[fr->step];
            if (f->pc == fr->step + 1 + rep->count) {   /* the body's end */
                fr->seq++;
                if (flow_more_iterations(c, fr)) {
                    f->pc = fr->step + 1;
                    if (flow_iteration_begin(c, fr)) return;
                } else {
                    f->depth--;
                }
                continue;
            }
        }
        if (c->x->draining || f->pc >= spec->nsteps) { flow_finish(c); return; }
        int idx = f->pc;
        const flowspec_step *st = &spec->steps[idx];
        switch (st->kind) {
        case FLOW_REPEAT: {
            /* iteration 0 always runs: the drain was checked above, and messages is 0 (no cap) or at least 1;
             * flowspec keeps repeats within FLOWSPEC_MAX_DEPTH, the stack's size */
            f->pc++;
            flow_frame *fr = &f->stack[f->depth++];
            int64_t now = clock_now_ns();
            *fr = (flow_frame){idx, 0, now, 0};
            if (c->x->cfg->rate > 0)   /* spread clients over one period, as the counter does */
                fr->start_ns = now + ((int64_t)(1e9 / c->x->cfg->rate) * (c->index % 97)) / 97;
            if (flow_iteration_begin(c, fr)) return;
            break;
        }
        case FLOW_THINK:
            f->pc++;
            if (st->think_ns > 0) {
                f->phase = FLOW_PAUSE;
                client_timer_at(c, clock_now_ns() + st->think_ns);
                return;
            }
            break;
        case FLOW_EMIT:
            f->pc++;
            if (flow_emit(c, idx)) return;
            break;
        case FLOW_WAIT:
            f->pc++;
            flow_wait_begin(c, idx);
            return;
        }
    }
}

/* ---- the workload's events -------------------------------------------------------------------------- */

static void flow_init(client *c)
{
    flow_state *f = calloc(1, sizeof *f);
    c->flow = f;
    if (!f) return;   /* on_connect fails the session */
    flowtmpl_vars_init(&f->vars);
    f->rng = ((0xd1b54a32d192ed03ULL * (uint64_t)(c->index + 1)) ^ (uint64_t)clock_now_ns()) | 1;
}

static void flow_on_connect(client *c)
{
    flow_state *f = c->flow;
    if (!f) { session_fail(&c->s, "protocol", "out of memory"); return; }
    /* a fresh session (the first, or one after a reconnection) runs the flow from its first step: rooms and
     * server-side state went away with the old one */
    f->pc = 0;
    f->depth = 0;
    f->phase = FLOW_RUNNING;
    f->last_emit_ns = 0;
    flow_advance(c);
}

static void flow_on_timer(client *c, int64_t now)
{
    (void)now;
    flow_state *f = c->flow;
    if (c->s.state != SESSION_OPEN) return;
    if (f->phase == FLOW_LINGER) { f->phase = FLOW_DONE; client_close(c); return; }
    if (f->phase != FLOW_PAUSE) return;
    f->phase = FLOW_RUNNING;
    flow_advance(c);
}

/* The awaited step's answer came (its ack, or the event a wait takes; its arguments from args_pos of the
 * packet's array): the step's outcome, then the flow goes on. */
static void flow_answer(client *c, const sio_packet *sp, size_t args_pos)
{
    flow_state *f = c->flow;
    const flowspec_step *st = &flow_spec_of(c)->steps[f->cur];
    stats_received(c->x->st, clock_now_ns());
    cJSON *got = NULL;
    const char *cls = NULL;
    if (flow_decode_args(c, sp->data, sp->data_len, args_pos, 1, &got, &cls) < 0) {
        f->phase = FLOW_RUNNING;
        flow_fail(c, st->series, cls, st->name, buf_cstr(&f->err));
    } else {
        flow_step_done(c, got);
        cJSON_Delete(got);
    }
    flow_advance(c);
}

static void flow_on_ack(client *c, const sio_packet *sp)
{
    flow_state *f = c->flow;
    if (f->phase != FLOW_ACK || sp->ack_id != f->ack_id) return;   /* one given up on already: late, ignored */
    flow_answer(c, sp, 0);
}

/* An event pushed by the server, for an `on` handler: counted, decrypted, matched, captured, and its latency
 * from the time the sender wrote into it (latency_from). */
static void flow_on_pushed(client *c, const flowspec_on *h, const sio_packet *sp, size_t args_pos)
{
    flow_state *f = c->flow;
    workload_ctx *w = c->x;
    stats_series_sent(w->st, h->series);
    cJSON *got = NULL;
    const char *cls = NULL;
    if (flow_decode_args(c, sp->data, sp->data_len, args_pos, 0, &got, &cls) < 0 ||
        flow_check_value(c, h->expect, h->capture, h->ncapture, got, &cls) < 0) {
        flow_fail(c, h->series, cls, h->name, buf_cstr(&f->err));
        cJSON_Delete(got);
        return;
    }
    int64_t latency = -1;
    if (h->latency_from[0]) {
        const cJSON *t = flowtmpl_path(got, h->latency_from);
        if (!cJSON_IsNumber(t)) {
            flow_fail(c, h->series, "mismatch", h->name, "latency_from: no number at that path");
            cJSON_Delete(got);
            return;
        }
        double sent_us = t->valuedouble;
        double now_us = (double)(sent_us >= (double)FLOW_UNIX_US_MIN ? clock_wall_ns() : clock_now_ns()) / 1e3;
        latency = now_us >= sent_us ? (int64_t)((now_us - sent_us) * 1e3) : 0;   /* wall clocks may step back */
    }
    stats_series_ok(w->st, h->series, latency);
    cJSON_Delete(got);
}

/* Is the event's raw name (a JSON string, quotes included) this one? Names with escapes are unescaped first. */
static int flow_name_is(client *c, const char *raw, size_t n, const char *name)
{
    size_t len = strlen(name);
    if (!memchr(raw, '\\', n)) return n == len + 2 && !memcmp(raw + 1, name, len);
    buf_clear(&c->flow->tmp);
    return sio_json_unescape(&c->flow->tmp, raw, n) == SIO_OK && c->flow->tmp.len == len &&
           !memcmp(c->flow->tmp.data, name, len);
}

static void flow_on_event(client *c, const sio_packet *sp, const char *name, size_t name_len)
{
    flow_state *f = c->flow;
    const flow_spec *spec = flow_spec_of(c);
    size_t pos = (size_t)(name + name_len - sp->data);   /* the arguments follow the name */
    if (f->phase == FLOW_EVENT && flow_name_is(c, name, name_len, spec->steps[f->cur].event)) {
        flow_answer(c, sp, pos);
        return;
    }
    for (int i = 0; i < spec->non; i++)
        if (flow_name_is(c, name, name_len, spec->on[i].event)) {
            stats_received(c->x->st, clock_now_ns());
            flow_on_pushed(c, &spec->on[i], sp, pos);
        }
}

/* An ack or event that did not come in time: a `timeout` of its step; the flow goes on with the next one. */
static void flow_on_tick(client *c, int64_t now)
{
    flow_state *f = c->flow;
    if ((f->phase != FLOW_ACK && f->phase != FLOW_EVENT) || now < f->deadline_ns) return;
    const flowspec_step *st = &flow_spec_of(c)->steps[f->cur];
    f->phase = FLOW_RUNNING;
    flow_fail(c, st->series, "timeout", st->name, st->kind == FLOW_EMIT ? "no ack" : "no event");
    flow_advance(c);
}

static void flow_on_stop(client *c)
{
    flow_state *f = c->flow;
    if (!f || c->s.state != SESSION_OPEN) return;
    if (f->phase == FLOW_ACK || f->phase == FLOW_EVENT) return;   /* the drain waits for it */
    sched_cancel(c->x->sched, &c->timer);
    f->phase = FLOW_DONE;
    client_close(c);
}

/* The connection goes away with a step still waiting: that step's outcome, as the counter counts it. */
static void flow_on_close(client *c, const char *why)
{
    flow_state *f = c->flow;
    if (!f) return;
    if (f->phase == FLOW_ACK || f->phase == FLOW_EVENT) {
        const flowspec_step *st = &flow_spec_of(c)->steps[f->cur];
        int drop = !strcmp(why, "disconnect");
        flow_fail(c, st->series, drop ? "disconnect" : "timeout", st->name, drop ? "waiting at the drop" : why);
    }
    f->phase = FLOW_DONE;
}

static void flow_on_error(client *c, const char *cls, const char *detail) { (void)c; (void)cls; (void)detail; }

static size_t flow_waiting(const client *c)
{
    const flow_state *f = c->flow;
    return f && (f->phase == FLOW_ACK || f->phase == FLOW_EVENT) && c->s.state == SESSION_OPEN;
}

static void flow_free(client *c)
{
    flow_state *f = c->flow;
    if (!f) return;
    flowtmpl_vars_free(&f->vars);
    buf_free(&f->out);
    buf_free(&f->arg);
    buf_free(&f->tmp);
    buf_free(&f->plain);
    buf_free(&f->err);
    free(f);
    c->flow = NULL;
}

const workload flow_workload = {"flow", flow_init, flow_on_connect, flow_on_event, flow_on_timer, flow_on_tick,
                                flow_on_stop, flow_on_close, flow_on_error, flow_waiting, flow_free, flow_on_ack};
