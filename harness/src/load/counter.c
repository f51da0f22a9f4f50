/* counter: the encrypted counter workload (counter.h), the seed's demo under load. */
#include "load/counter.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "base/clock.h"
#include "base/jsonv.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "proto/sio.h"
#include "report/stats.h"
#include "load/client.h"
#include "load/run_config.h"

static void counter_continue(client *c, int64_t next_id);

static void counter_init(client *c)
{
    c->counter.next_id = c->x->cfg->start_id;
    c->counter.last_id = c->x->cfg->start_id - 2;
}

/* ---- messages in flight ------------------------------------------------------------------------- */

/* Messages still unanswered when we give up on them because the connection goes away (drain over, run
 * aborted) are counted, not lost: one `timeout` each, with why. A drop that will be reconnected ("disconnect")
 * gives them up as `disconnect`: the server went away with them, and the next session cannot answer them
 * (the closed model goes on there with a fresh id). */
static void counter_on_close(client *c, const char *why)
{
    int64_t now = clock_now_ns();
    int drop = !strcmp(why, "disconnect");
    for (size_t n = inflight_clear(&c->counter.fl); n; n--)
        stats_error(c->x->st, now, drop ? "disconnect" : "timeout", drop ? "in flight at the drop" : why);
    if (drop) c->counter.next_id = c->counter.last_id + 2;
}

/* A bad answer (undecryptable, no id, a server's counter_error, a wrong id) is the outcome of the oldest
 * message waiting: answers come back in order on one connection. Counted once, under its class; the message
 * is then settled, so it cannot also time out, and the closed model goes on with a fresh id (a late answer
 * to the old one cannot pass for it). With nothing waiting it is counted on its own. */
static void counter_bad_answer(client *c, int64_t now, const char *cls, const char *detail)
{
    stats_error(c->x->st, now, cls, detail);
    if (!inflight_waiting(&c->counter.fl)) return;
    inflight_settle_oldest(&c->counter.fl);
    counter_continue(c, c->counter.last_id + 2);
}

/* ---- sending ---------------------------------------------------------------------------------------- */

static int counter_may_send(const client *c)
{
    const run_config *cfg = c->x->cfg;
    if (c->s.state != SESSION_OPEN || c->x->draining || c->counter.done_sending) return 0;
    if (cfg->messages && c->counter.sent >= cfg->messages) return 0;
    return 1;
}

/* Nothing more to send and nothing to wait for: close politely. */
static void counter_maybe_done(client *c)
{
    const run_config *cfg = c->x->cfg;
    const counter_state *k = &c->counter;
    if (c->s.state != SESSION_OPEN) return;
    int sending_over = k->done_sending || c->x->draining || (cfg->messages && k->sent >= cfg->messages);
    if (sending_over && inflight_waiting(&k->fl) == 0) client_close(c);
}

/* {"id":N} as JSON.stringify({id}) writes it, into json (at least 32 bytes); its length. By hand: snprintf's
 * format parsing was a visible part of the per-message path. */
static int counter_json(char *json, int64_t id)
{
    char digits[24];
    int nd = 0, n = 0;
    uint64_t v = id < 0 ? 0 - (uint64_t)id : (uint64_t)id;
    do digits[nd++] = (char)('0' + v % 10); while ((v /= 10));
    memcpy(json, "{\"id\":", 6);
    n = 6;
    if (id < 0) json[n++] = '-';
    while (nd) json[n++] = digits[--nd];
    json[n++] = '}';
    return n;
}

static void counter_send(client *c, int64_t id, int64_t intended_ns)
{
    workload_ctx *w = c->x;
    counter_state *k = &c->counter;
    char json[40];
    int n = counter_json(json, id);
    buf_clear(&k->plain);
    int64_t t0 = clock_now_ns();
    envelope_err e = envelope_encrypt(w->env, json, (size_t)n, NULL, &k->plain);
    int64_t t1 = clock_now_ns();
    if (e != ENVELOPE_OK) { session_fail(&c->s, "protocol", envelope_err_name(e)); return; }
    stats_encrypt_ns(w->st, t1 - t0);
    if (inflight_push(&k->fl, id, intended_ns ? intended_ns : t0) < 0) { session_fail(&c->s, "protocol", "out of memory"); return; }
    k->last_id = id;
    k->sent++;
    stats_sent(w->st, t1);
    session_emit_str(&c->s, w->cfg->event, k->plain.data, k->plain.len);
}

/* Open model: send every message whose intended time has come, then sleep until the next one. A client
 * that already has max_inflight messages unanswered holds the send (counted, said in the report): the
 * schedule goes on, and latency stays measured from each message's own intended time. */
static void counter_open_model_step(client *c, int64_t now)
{
    const run_config *cfg = c->x->cfg;
    counter_state *k = &c->counter;
    int64_t period = (int64_t)(1e9 / cfg->rate);
    int burst = 0;
    while (counter_may_send(c) && k->next_send_ns <= now && burst++ < 1000) {
        if ((int64_t)inflight_waiting(&k->fl) >= cfg->max_inflight) stats_held(c->x->st);
        else counter_send(c, k->next_id, k->next_send_ns);
        k->next_id += 2;   /* the answer to id N is N+1: keep ids of different messages apart */
        k->next_send_ns += period;
    }
    if (counter_may_send(c)) client_timer_at(c, k->next_send_ns);
    else counter_maybe_done(c);
}

static void counter_on_timer(client *c, int64_t now)
{
    if (c->s.state != SESSION_OPEN) return;
    if (c->x->cfg->rate > 0) { counter_open_model_step(c, now); return; }
    if (counter_may_send(c)) counter_send(c, c->counter.next_id, 0);   /* closed model, after think time */
    else counter_maybe_done(c);
}

static void counter_on_connect(client *c)
{
    workload_ctx *w = c->x;
    int64_t now = clock_now_ns();
    if (w->cfg->rate > 0) {
        /* spread clients' schedules over one period so that they do not all send in the same instant */
        int64_t period = (int64_t)(1e9 / w->cfg->rate);
        c->counter.next_send_ns = now + (period * (c->index % 97)) / 97;
        counter_open_model_step(c, now);
    } else if (counter_may_send(c)) {
        counter_send(c, c->counter.next_id, 0);
    } else {
        counter_maybe_done(c);
    }
}

/* ---- answers ---------------------------------------------------------------------------------------- */

/* The answer's id as g-crypt's JSON.parse reads the plaintext. The server writes `{"id":N}` with a plain
 * integer: that form is read directly (no leading zero, at most 15 digits: exact and far below 2^53);
 * anything else goes through jsonv, which is JSON.parse exactly (the last of duplicate keys wins, 1.5 is
 * not an id, 1e308 is beyond any id). NULL, or the error detail. */
static const char *counter_parse_id(const char *s, size_t n, int64_t *id)
{
    if (n > 7 && n < 6 + 16 + 2 && !memcmp(s, "{\"id\":", 6) && s[n - 1] == '}') {
        const char *p = s + 6, *end = s + n - 1;
        int neg = *p == '-';
        p += neg;
        int plain = p < end && (*p != '0' || p + 1 == end);
        int64_t v = 0;
        for (const char *q = p; plain && q < end; q++) {
            if (*q < '0' || *q > '9') plain = 0;
            else v = v * 10 + (*q - '0');
        }
        if (plain) { *id = neg ? -v : v; return NULL; }
    }
    switch (jsonv_object_int(s, n, "id", id)) {
    case JSONV_INT_OK: return NULL;
    case JSONV_INT_FRACTION: return "id-not-integer";
    case JSONV_INT_RANGE: return "id-out-of-range";
    default: return "no-id";
    }
}

/* A message has its outcome: the closed model sends the next one (after think time), with next_id. The open
 * model keeps its own schedule. */
static void counter_continue(client *c, int64_t next_id)
{
    const run_config *cfg = c->x->cfg;
    if (cfg->rate > 0) { counter_maybe_done(c); return; }
    c->counter.next_id = next_id;
    if (!counter_may_send(c)) { counter_maybe_done(c); return; }
    if (cfg->think_ns > 0) client_timer_at(c, clock_now_ns() + cfg->think_ns);
    else counter_send(c, c->counter.next_id, 0);
}

/* A counter answer: decrypt, read the id, match it with the message it answers. Each message gets one
 * outcome: verified, late (answered after its timeout), or the class of the bad answer that ended it. */
static void counter_on_answer(client *c, const sio_packet *sp)
{
    workload_ctx *w = c->x;
    counter_state *k = &c->counter;
    const char *name;
    size_t name_len;
    int64_t now = clock_now_ns();
    stats_received(w->st, now);
    buf_clear(&k->arg);
    int r = sio_event_first_string(sp, &name, &name_len, &k->arg);
    if (r != SIO_OK) { counter_bad_answer(c, now, "protocol", sio_err_name(r)); return; }

    buf_clear(&k->plain);
    unsigned warn = 0;
    int64_t t0 = clock_now_ns();
    envelope_err e = envelope_decrypt(w->env, k->arg.data, k->arg.len, &k->plain, &warn);
    int64_t t1 = clock_now_ns();
    stats_decrypt_ns(w->st, t1 - t0);
    if (e != ENVELOPE_OK) { counter_bad_answer(c, t1, "decrypt", envelope_err_name(e)); return; }
    envseen_add(w->seen, k->arg.data, k->arg.len, warn);

    int64_t id, intended;
    const char *bad = counter_parse_id(k->plain.data, k->plain.len, &id);
    if (bad) { counter_bad_answer(c, t1, "counter-mismatch", bad); return; }
    /* id - 1 cannot overflow: ids are within +-2^53 */
    switch (inflight_take(&k->fl, id - 1, &intended)) {
    case INFLIGHT_WAITING: {
        int64_t done = clock_now_ns();
        k->verified++;
        stats_verified(w->st, done, done - intended);
        counter_continue(c, id);   /* the seed's page sends the answer's id back */
        return;
    }
    case INFLIGHT_LATE:   /* already counted as a timeout; the closed model has sent a fresh id since */
        stats_late(w->st, t1, t1 - intended);
        counter_maybe_done(c);
        return;
    case INFLIGHT_UNKNOWN:
        counter_bad_answer(c, t1, "counter-mismatch", "wrong-id");
        return;
    }
}

int counter_event_is(const char *raw, size_t n, const char *name, const char *suffix)
{
    size_t a = strlen(name), b = strlen(suffix);
    return n == a + b + 2 && raw[0] == '"' && !memcmp(raw + 1, name, a) && !memcmp(raw + 1 + a, suffix, b);
}

static void counter_on_event(client *c, const sio_packet *sp, const char *name, size_t name_len)
{
    const char *event = c->x->cfg->event;
    if (counter_event_is(name, name_len, event, "")) {
        counter_on_answer(c, sp);
    } else if (counter_event_is(name, name_len, event, "_error")) {
        /* The hardened server answers what it cannot decrypt with `counter_error`. */
        int64_t now = clock_now_ns();
        stats_received(c->x->st, now);
        counter_bad_answer(c, now, "decrypt", "server-rejected");
    }
}

/* Messages that waited too long: one `timeout` each; they are remembered, so an answer that still comes is
 * counted late, not as a mismatch. */
static void counter_on_tick(client *c, int64_t now)
{
    long expired = inflight_expire(&c->counter.fl, now - c->x->cfg->message_timeout_ns);
    if (expired < 0) { session_fail(&c->s, "protocol", "out of memory"); return; }
    for (long k = 0; k < expired; k++) stats_error(c->x->st, now, "timeout", "message");
    if (expired) counter_continue(c, c->counter.last_id + 2);
}

static void counter_on_stop(client *c)
{
    c->counter.done_sending = 1;
    counter_maybe_done(c);
}

static void counter_on_error(client *c, const char *cls, const char *detail) { (void)c; (void)cls; (void)detail; }

static size_t counter_waiting(const client *c) { return inflight_waiting(&c->counter.fl); }

static void counter_free(client *c)
{
    buf_free(&c->counter.plain);
    buf_free(&c->counter.arg);
    inflight_free(&c->counter.fl);
}

const workload counter_workload = {"counter", counter_init, counter_on_connect, counter_on_event, counter_on_timer,
                                   counter_on_tick, counter_on_stop, counter_on_close, counter_on_error,
                                   counter_waiting, counter_free, NULL};
