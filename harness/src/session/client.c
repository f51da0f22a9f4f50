/* client: the Engine.IO session, the socket.io namespace connection and the encrypted counter, for one
 * client. Transports hand in whole Engine.IO packets; this file decides what they mean and what to send. */
#include "session/client.h"
#include "base/text.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/clock.h"
#include "proto/eio.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "base/jsonv.h"
#include "proto/sio.h"
#include "report/stats.h"
#include "load/worker.h"

#define CLIENT_CLOSE_GRACE_NS 2000000000LL

static void client_fail(client *c, const char *cls, const char *detail);
static void client_send_counter(client *c, int64_t id, int64_t intended_ns);
static void client_finish(client *c);
static void client_on_timer(sched_entry *e, int64_t now);
static const transport_events client_ws_events, client_poll_events;

static void client_log(const client *c, const char *what, const char *detail)
{
    if (c->w->cfg->verbose)
        text_fprintf(stderr, "client %d: %s%s%s\n", c->index, what, detail ? ": " : "", detail ? detail : "");
}

void client_init(client *c, worker *w, int index)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->index = index;
    c->state = CLIENT_IDLE;
    c->next_id = w->cfg->start_id;
    c->last_id = w->cfg->start_id - 2;
    sched_entry_init(&c->timer, client_on_timer);
    ws_conn_init(&c->ws, &w->net);
    poll_conn_init(&c->poll, &w->net);
}

static const transport_ops *client_ops(client_transport t) { return t == CT_WEBSOCKET ? &ws_ops : &poll_ops; }
static void *client_conn(client *c, client_transport t) { return t == CT_WEBSOCKET ? (void *)&c->ws : (void *)&c->poll; }

/* ---- sending ---------------------------------------------------------------------------------------- */

void client_send_packet(client *c, char eio_type, const char *data, size_t n)
{
    uint32_t len = (uint32_t)(n + 1);
    /* a server that does not read (while it pings, say) must not make us queue without end */
    if ((int64_t)(c->outq.len + 5 + n) > c->w->cfg->max_queue_bytes) {
        client_fail(c, "backpressure", "send queue full");
        return;
    }
    if (buf_reserve(&c->outq, 4 + (size_t)len) < 0) { client_fail(c, "protocol", "out of memory"); return; }
    buf_append(&c->outq, &len, 4);
    buf_append_char(&c->outq, eio_type);
    buf_append(&c->outq, data, n);
    /* polling paused for the upgrade does not carry the queue: it waits for the websocket */
    if (c->active != CT_NONE) client_ops(c->active)->send(client_conn(c, c->active));
}

static void client_send_sio_connect(client *c)
{
    const run_config *cfg = c->w->cfg;
    /* Socket.IO protocol 4 (Engine.IO 3 servers) connects "/" unasked; other namespaces are asked for. */
    if (cfg->eio == 3 && !strcmp(cfg->nsp, "/")) return;
    buf_clear(&c->scratch);
    sio_encode_connect(&c->scratch, cfg->nsp, cfg->eio == 3 ? NULL : cfg->auth_json);
    client_send_packet(c, '4', c->scratch.data, c->scratch.len);
}

/* ---- messages in flight ------------------------------------------------------------------------- */

/* Messages still unanswered when we give up on them because the connection goes away (drain over, run
 * aborted) are counted, not lost: one `timeout` each, with why. */
static void client_drop_pending(client *c, const char *why)
{
    int64_t now = clock_now_ns();
    for (size_t n = inflight_clear(&c->fl); n; n--) stats_error(c->w->st, now, "timeout", why);
}

static void client_continue(client *c, int64_t next_id);

/* A bad answer (undecryptable, no id, a server's counter_error, a wrong id) is the outcome of the oldest
 * message waiting: answers come back in order on one connection. Counted once, under its class; the message
 * is then settled, so it cannot also time out, and the closed model goes on with a fresh id (a late answer
 * to the old one cannot pass for it). With nothing waiting it is counted on its own. */
static void client_bad_answer(client *c, int64_t now, const char *cls, const char *detail)
{
    stats_error(c->w->st, now, cls, detail);
    if (!inflight_waiting(&c->fl)) return;
    inflight_settle_oldest(&c->fl);
    client_continue(c, c->last_id + 2);
}

/* ---- the counter ------------------------------------------------------------------------------------ */

static int client_may_send(const client *c)
{
    const run_config *cfg = c->w->cfg;
    if (c->state != CLIENT_OPEN || c->w->draining || c->done_sending) return 0;
    if (cfg->messages && c->sent >= cfg->messages) return 0;
    return 1;
}

/* Nothing more to send and nothing to wait for: close politely. */
static void client_maybe_done(client *c)
{
    const run_config *cfg = c->w->cfg;
    if (c->state != CLIENT_OPEN) return;
    int sending_over = c->done_sending || c->w->draining || (cfg->messages && c->sent >= cfg->messages);
    if (sending_over && inflight_waiting(&c->fl) == 0) client_close(c);
}

static void client_send_counter(client *c, int64_t id, int64_t intended_ns)
{
    worker *w = c->w;
    const run_config *cfg = w->cfg;
    char json[40];
    int n = snprintf(json, sizeof json, "{\"id\":%" PRId64 "}", id);   /* as JSON.stringify({id}) writes it */
    buf_clear(&c->plain);
    int64_t t0 = clock_now_ns();
    envelope_err e = envelope_encrypt(w->env, json, (size_t)n, NULL, &c->plain);
    int64_t t1 = clock_now_ns();
    if (e != ENVELOPE_OK) { client_fail(c, "protocol", envelope_err_name(e)); return; }
    stats_encrypt_ns(w->st, t1 - t0);
    if (inflight_push(&c->fl, id, intended_ns ? intended_ns : t0) < 0) { client_fail(c, "protocol", "out of memory"); return; }
    buf_clear(&c->scratch);
    sio_encode_event_str(&c->scratch, cfg->nsp, -1, cfg->event, c->plain.data, c->plain.len);
    c->last_id = id;
    c->sent++;
    stats_sent(w->st, t1);
    client_send_packet(c, '4', c->scratch.data, c->scratch.len);
}

static void client_timer_at(client *c, int64_t at_ns)
{
    if (sched_at(&c->w->sched, &c->timer, at_ns) < 0) client_fail(c, "protocol", "scheduler full");
}

/* Open model: send every message whose intended time has come, then sleep until the next one. A client
 * that already has max_inflight messages unanswered holds the send (counted, said in the report): the
 * schedule goes on, and latency stays measured from each message's own intended time. */
static void client_open_model_step(client *c, int64_t now)
{
    const run_config *cfg = c->w->cfg;
    int64_t period = (int64_t)(1e9 / cfg->rate);
    int burst = 0;
    while (client_may_send(c) && c->next_send_ns <= now && burst++ < 1000) {
        if ((int64_t)inflight_waiting(&c->fl) >= cfg->max_inflight) stats_held(c->w->st);
        else client_send_counter(c, c->next_id, c->next_send_ns);
        c->next_id += 2;   /* the answer to id N is N+1: keep ids of different messages apart */
        c->next_send_ns += period;
    }
    if (client_may_send(c)) client_timer_at(c, c->next_send_ns);
    else client_maybe_done(c);
}

static void client_on_timer(sched_entry *e, int64_t now)
{
    client *c = (client *)((char *)e - offsetof(client, timer));
    if (c->state == CLIENT_IDLE) { client_start(c); return; }
    if (c->state != CLIENT_OPEN) return;
    if (c->w->cfg->rate > 0) { client_open_model_step(c, now); return; }
    if (client_may_send(c)) client_send_counter(c, c->next_id, 0);   /* closed model, after think time */
    else client_maybe_done(c);
}

/* ---- probe mode ------------------------------------------------------------------------------------- */

static int client_probing(const client *c) { return c->w->cfg->probe_args != NULL; }

static void client_probe_end(client *c, client_probe_outcome o, const char *what, size_t n)
{
    if (c->probe_outcome != CLIENT_PROBE_PENDING) return;
    c->probe_outcome = o;
    buf_clear(&c->probe_reply);
    if (what) buf_append(&c->probe_reply, what, n);
}

static void client_send_probe(client *c)
{
    const run_config *cfg = c->w->cfg;
    buf_clear(&c->scratch);
    if (sio_encode_event_json(&c->scratch, cfg->nsp, -1, cfg->probe_args, strlen(cfg->probe_args)) != SIO_OK) {
        client_fail(c, "protocol", "probe frame is not a JSON array");
        return;
    }
    c->probe_sent_ns = clock_now_ns();
    client_send_packet(c, '4', c->scratch.data, c->scratch.len);
}

/* An answer to the probe: keep the event's arguments as they came, then leave. */
static void client_probe_answer(client *c, client_probe_outcome o, const sio_packet *sp)
{
    client_probe_end(c, o, sp->data, sp->data_len);
    client_close(c);
}

static void client_on_connected(client *c)
{
    worker *w = c->w;
    int64_t now = clock_now_ns();
    c->state = CLIENT_OPEN;
    c->sio_connected = 1;
    w->conns_open++;
    stats_conn_established(w->st, now, now - c->t_start_ns);
    client_log(c, "connected", c->sid);
    if (client_probing(c)) {
        client_send_probe(c);
    } else if (w->cfg->rate > 0) {
        /* spread clients' schedules over one period so that they do not all send in the same instant */
        int64_t period = (int64_t)(1e9 / w->cfg->rate);
        c->next_send_ns = now + (period * (c->index % 97)) / 97;
        client_open_model_step(c, now);
    } else if (client_may_send(c)) {
        client_send_counter(c, c->next_id, 0);
    } else {
        client_maybe_done(c);
    }
}

/* The answer's id as g-crypt's JSON.parse reads the plaintext. The server writes `{"id":N}` with a plain
 * integer: that form is read directly (no leading zero, at most 15 digits: exact and far below 2^53);
 * anything else goes through jsonv, which is JSON.parse exactly (the last of duplicate keys wins, 1.5 is
 * not an id, 1e308 is beyond any id). NULL, or the error detail. */
static const char *client_parse_id(const char *s, size_t n, int64_t *id)
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
static void client_continue(client *c, int64_t next_id)
{
    const run_config *cfg = c->w->cfg;
    if (cfg->rate > 0) { client_maybe_done(c); return; }
    c->next_id = next_id;
    if (!client_may_send(c)) { client_maybe_done(c); return; }
    if (cfg->think_ns > 0) client_timer_at(c, clock_now_ns() + cfg->think_ns);
    else client_send_counter(c, c->next_id, 0);
}

/* A counter answer: decrypt, read the id, match it with the message it answers. Each message gets one
 * outcome: verified, late (answered after its timeout), or the class of the bad answer that ended it. */
static void client_on_counter(client *c, const sio_packet *sp)
{
    worker *w = c->w;
    const char *name;
    size_t name_len;
    int64_t now = clock_now_ns();
    if (client_probing(c)) { client_probe_answer(c, CLIENT_PROBE_COUNTER, sp); return; }
    stats_received(w->st, now);
    buf_clear(&c->arg);
    int r = sio_event_first_string(sp, &name, &name_len, &c->arg);
    if (r != SIO_OK) { client_bad_answer(c, now, "protocol", sio_err_name(r)); return; }

    buf_clear(&c->plain);
    unsigned warn = 0;
    int64_t t0 = clock_now_ns();
    envelope_err e = envelope_decrypt(w->env, c->arg.data, c->arg.len, &c->plain, &warn);
    int64_t t1 = clock_now_ns();
    stats_decrypt_ns(w->st, t1 - t0);
    if (e != ENVELOPE_OK) { client_bad_answer(c, t1, "decrypt", envelope_err_name(e)); return; }
    envseen_add(w->seen, c->arg.data, c->arg.len, warn);

    int64_t id, intended;
    const char *bad = client_parse_id(c->plain.data, c->plain.len, &id);
    if (bad) { client_bad_answer(c, t1, "counter-mismatch", bad); return; }
    /* id - 1 cannot overflow: ids are within +-2^53 */
    switch (inflight_take(&c->fl, id - 1, &intended)) {
    case INFLIGHT_WAITING: {
        int64_t done = clock_now_ns();
        c->verified++;
        stats_verified(w->st, done, done - intended);
        client_continue(c, id);   /* the seed's page sends the answer's id back */
        return;
    }
    case INFLIGHT_LATE:   /* already counted as a timeout; the closed model has sent a fresh id since */
        stats_late(w->st, t1, t1 - intended);
        client_maybe_done(c);
        return;
    case INFLIGHT_UNKNOWN:
        client_bad_answer(c, t1, "counter-mismatch", "wrong-id");
        return;
    }
}

/* The hardened server answers what it cannot decrypt with `counter_error`. */
static void client_on_counter_error(client *c, const sio_packet *sp)
{
    worker *w = c->w;
    int64_t now = clock_now_ns();
    if (client_probing(c)) { client_probe_answer(c, CLIENT_PROBE_COUNTER_ERROR, sp); return; }
    stats_received(w->st, now);
    client_bad_answer(c, now, "decrypt", "server-rejected");
}

/* ---- Socket.IO -------------------------------------------------------------------------------------- */

/* Is the event's name (the raw JSON string, quotes included) the given one plus suffix? */
static int event_is(const char *raw, size_t n, const char *name, const char *suffix)
{
    size_t a = strlen(name), b = strlen(suffix);
    return n == a + b + 2 && raw[0] == '"' && !memcmp(raw + 1, name, a) && !memcmp(raw + 1 + a, suffix, b);
}

static void client_on_sio(client *c, const char *p, size_t n)
{
    const run_config *cfg = c->w->cfg;
    sio_packet sp;
    int r = sio_packet_parse(p, n, &sp);
    if (r != SIO_OK) { client_fail(c, "protocol", sio_err_name(r)); return; }
    if (!sio_nsp_is(&sp, cfg->nsp)) return;   /* another namespace: not ours */
    switch (sp.type) {
    case SIO_CONNECT:
        if (c->state == CLIENT_HANDSHAKING) client_on_connected(c);
        return;
    case SIO_CONNECT_ERROR:
        /* before the CONNECT it refuses the namespace (a handshake error, e.g. bad auth); once connected the
         * server is putting an end to a session it had accepted */
        client_fail(c, c->sio_connected ? "disconnect" : "handshake",
                    c->sio_connected ? "CONNECT_ERROR after connect" : "CONNECT_ERROR");
        return;
    case SIO_DISCONNECT:
        client_fail(c, "disconnect", "server DISCONNECT");
        return;
    case SIO_EVENT: {
        const char *name;
        size_t name_len, pos = 0;
        if (sio_array_next(sp.data, sp.data_len, &pos, &name, &name_len) != SIO_OK) {
            client_fail(c, "protocol", "bad event");
            return;
        }
        if (event_is(name, name_len, cfg->event, "")) client_on_counter(c, &sp);
        else if (event_is(name, name_len, cfg->event, "_error")) client_on_counter_error(c, &sp);
        return;
    }
    default:
        return;   /* ACKs are not used by the counter */
    }
}

/* ---- Engine.IO -------------------------------------------------------------------------------------- */

static void client_on_open_packet(client *c, client_transport from, const char *data, size_t n)
{
    eio_open o;
    if (c->state != CLIENT_CONNECTING) { client_fail(c, "protocol", "unexpected open packet"); return; }
    if (eio_open_parse(data, n, &o) != EIO_OK) {
        char why[96];
        snprintf(why, sizeof why, "bad open packet: %s", o.why ? o.why : "?");
        client_fail(c, "handshake", why);
        return;
    }
    snprintf(c->sid, sizeof c->sid, "%s", o.sid);
    c->ping_interval_ns = (int64_t)o.ping_interval * 1000000;
    c->ping_timeout_ns = (int64_t)o.ping_timeout * 1000000;
    c->max_payload = o.max_payload;
    int64_t now = clock_now_ns();
    c->last_rx_ns = now;
    c->next_ping_ns = now + c->ping_interval_ns;
    c->state = CLIENT_HANDSHAKING;
    c->active = from;
    transport_link_session(&c->poll.link, c->sid, c->ping_interval_ns + c->ping_timeout_ns);
    transport_link_session(&c->ws.link, c->sid, c->ping_interval_ns + c->ping_timeout_ns);
    client_send_sio_connect(c);
    /* over polling, the transport starts the next GET once this payload is handled */
    if (from == CT_POLLING) {
        if (c->w->cfg->transport == TRANSPORT_UPGRADE && o.upgrade_websocket) {
            c->upgrade = UPGRADE_CONNECTING;
            c->t_upgrade_ns = now;
            /* the second transport, not carrying the session until the probe has been answered */
            if (ws_ops.open(&c->ws, &client_ws_events, c, NULL) < 0 && c->upgrade == UPGRADE_CONNECTING) {
                stats_error(c->w->st, now, "upgrade", "connect");
                c->upgrade = UPGRADE_NONE;
            }
        }
    }
}

/* Polling is quiet: finish the upgrade with `5`, and move the queue over to the websocket. */
static void client_finish_upgrade(client *c)
{
    if (c->upgrade != UPGRADE_PAUSING || poll_ops.busy(&c->poll)) return;
    c->upgrade = UPGRADE_DONE;
    c->active = CT_WEBSOCKET;
    /* `5` goes ahead of everything queued: it is what tells the server to switch */
    ws_ops.push(&c->ws, "5", 1);
    ws_ops.carry(&c->ws, &c->outq);
    stats_upgrade_ns(c->w->st, clock_now_ns() - c->t_upgrade_ns);
    client_log(c, "upgraded", NULL);
}

/* A polling request ended and no GET follows: paused for the upgrade (its GET came back), or a POST
 * ended with nothing left to send (then no POST is in flight). */
static void client_on_poll_idle(void *user)
{
    client *c = user;
    if (c->upgrade == UPGRADE_PAUSING) client_finish_upgrade(c);
    /* our close packet has been delivered: the session is over, whatever the pending GET says */
    else if (c->state == CLIENT_CLOSING && c->active == CT_POLLING && c->outq.len == 0) client_finish(c);
}

static void client_on_packet(client *c, client_transport from, const eio_packet *pk)
{
    eio_packet p = *pk;
    c->last_rx_ns = clock_now_ns();
    switch (p.type) {
    case EIO_OPEN:
        client_on_open_packet(c, from, p.data, p.len);
        return;
    case EIO_CLOSE:
        if (c->state == CLIENT_CLOSING) client_finish(c);
        else client_fail(c, "disconnect", "server closed the session");
        return;
    case EIO_PING:
        client_send_packet(c, '3', p.data, p.len);   /* EIO4: the server pings, we answer */
        return;
    case EIO_PONG:
        if (from == CT_WEBSOCKET && c->upgrade == UPGRADE_PROBING && p.len == 5 && !memcmp(p.data, "probe", 5)) {
            c->upgrade = UPGRADE_PAUSING;
            poll_ops.carry(&c->poll, NULL);   /* no more GETs or POSTs: the websocket takes over */
            client_finish_upgrade(c);
            return;
        }
        c->pong_deadline_ns = 0;   /* EIO3: our ping was answered */
        return;
    case EIO_MESSAGE:
        client_on_sio(c, p.data, p.len);
        return;
    case EIO_NOOP:
    case EIO_UPGRADE:
        return;
    }
}

/* ---- transports' events ----------------------------------------------------------------------------- */

/* The upgrade failed: stay on polling, as socket.io-client does; it polls again and sends what waited. */
static void client_upgrade_failed(client *c, const char *why)
{
    stats_error(c->w->st, clock_now_ns(), "upgrade", why);
    c->upgrade = UPGRADE_NONE;
    poll_ops.carry(&c->poll, &c->outq);
}

static void client_ws_on_open(void *user)
{
    client *c = user;
    if (c->upgrade == UPGRADE_CONNECTING) {
        c->upgrade = UPGRADE_PROBING;
        ws_ops.push(&c->ws, "2probe", 6);
        return;
    }
    c->active = CT_WEBSOCKET;   /* websocket-only: the open packet comes next */
}

static void client_ws_on_closed(void *user)
{
    client *c = user;
    if (c->state == CLIENT_CLOSED) return;
    if (c->state == CLIENT_CLOSING) { client_finish(c); return; }
    if (c->active != CT_WEBSOCKET) {
        /* the upgrade's websocket went away: stay on polling, as socket.io-client does */
        if (c->upgrade != UPGRADE_NONE && c->upgrade != UPGRADE_DONE) client_upgrade_failed(c, "websocket closed");
        return;
    }
    client_fail(c, c->state == CLIENT_OPEN ? "disconnect" : "handshake", "websocket closed");
}

static void client_on_transport_error(client *c, client_transport from, const char *cls, const char *detail)
{
    if (c->state == CLIENT_CLOSED) return;
    if (from == CT_WEBSOCKET && c->active != CT_WEBSOCKET) {
        if (c->upgrade != UPGRADE_NONE && c->upgrade != UPGRADE_DONE) {
            client_log(c, "upgrade failed", detail);
            client_upgrade_failed(c, detail);   /* while closing, polling sends the close but GETs no more */
            return;
        }
        if (c->state != CLIENT_CONNECTING) return;
    }
    if (c->state == CLIENT_CLOSING) { client_finish(c); return; }
    client_fail(c, cls, detail);
}

static void client_ws_on_packet(void *user, const eio_packet *p) { client_on_packet(user, CT_WEBSOCKET, p); }
static void client_poll_on_packet(void *user, const eio_packet *p) { client_on_packet(user, CT_POLLING, p); }
static void client_ws_on_error(void *user, const char *cls, const char *detail)
{
    client_on_transport_error(user, CT_WEBSOCKET, cls, detail);
}
static void client_poll_on_error(void *user, const char *cls, const char *detail)
{
    client_on_transport_error(user, CT_POLLING, cls, detail);
}

static const transport_events client_ws_events = {client_ws_on_open, client_ws_on_packet, client_ws_on_error,
                                                  client_ws_on_closed, NULL};
static const transport_events client_poll_events = {NULL, client_poll_on_packet, client_poll_on_error, NULL,
                                                    client_on_poll_idle};

/* ---- lifecycle -------------------------------------------------------------------------------------- */

void client_start(client *c)
{
    worker *w = c->w;
    c->t_start_ns = clock_now_ns();
    c->state = CLIENT_CONNECTING;
    stats_conn_attempt(w->st, c->t_start_ns);
    if (w->cfg->transport == TRANSPORT_WEBSOCKET_ONLY) {
        c->active = CT_WEBSOCKET;
        if (ws_ops.open(&c->ws, &client_ws_events, c, &c->outq) < 0 && c->state == CLIENT_CONNECTING)
            client_fail(c, "connect-refused", "connect failed");
    } else {
        c->active = CT_POLLING;
        poll_ops.open(&c->poll, &client_poll_events, c, &c->outq);
    }
}

void client_schedule_start(client *c, int64_t delay_ns)
{
    if (delay_ns <= 0) client_start(c);
    else client_timer_at(c, clock_now_ns() + delay_ns);
}

static void client_release_transports(client *c)
{
    poll_ops.abort(&c->poll);
    ws_ops.abort(&c->ws);
    sched_cancel(&c->w->sched, &c->timer);
}

/* The connection is over (politely or not). */
static void client_finish(client *c)
{
    if (c->state == CLIENT_CLOSED) return;
    if (c->sio_connected) {
        c->w->conns_open--;
        stats_conn_closed(c->w->st, clock_now_ns());
    }
    c->state = CLIENT_CLOSED;
    client_release_transports(c);
}

/* Crossing a limit (limits.*) keeps its class whenever it happens: it is the harness refusing, not the
 * server failing a handshake. */
static int client_over_limit(const char *cls, const char *detail)
{
    return !strcmp(cls, "backpressure") || (detail && !strcmp(detail, CLIENT_MESSAGE_TOO_LARGE));
}

static void client_fail(client *c, const char *cls, const char *detail)
{
    if (c->state == CLIENT_CLOSED) return;
    int64_t now = clock_now_ns();
    /* Until socket.io has connected, whatever the server did wrong (garbage, a cut-off answer, a close) is
     * a failed handshake; not reaching it at all (connect-refused) and silence (timeout) keep their class. */
    if (!c->sio_connected && strcmp(cls, "connect-refused") && strcmp(cls, "timeout") && !client_over_limit(cls, detail))
        cls = "handshake";
    /* a polling request that finds nobody listening after the session was up: the server went away */
    if (c->sio_connected && !strcmp(cls, "connect-refused")) cls = "disconnect";
    client_log(c, cls, detail);
    if (client_probing(c)) {
        char why[192];
        int n = snprintf(why, sizeof why, "%s%s%s", cls, detail ? ": " : "", detail ? detail : "");
        client_probe_end(c, c->probe_sent_ns ? CLIENT_PROBE_DISCONNECTED : CLIENT_PROBE_NOT_SENT, why,
                         n < (int)sizeof why ? (size_t)n : sizeof why - 1);
    }
    if (!c->sio_connected) stats_conn_failed(c->w->st, now);
    stats_error(c->w->st, now, cls, detail);   /* details are short fixed texts: kinds stay few */
    client_finish(c);
}

void client_tick(client *c, int64_t now)
{
    const run_config *cfg = c->w->cfg;
    if (c->state == CLIENT_CLOSED || c->state == CLIENT_IDLE) return;
    if (c->state == CLIENT_CLOSING) {   /* a peer that never acknowledges our close must not hold the run */
        if (now - c->t_close_ns > CLIENT_CLOSE_GRACE_NS) client_finish(c);
        return;
    }
    if (c->state == CLIENT_CONNECTING || c->state == CLIENT_HANDSHAKING) {
        if (now - c->t_start_ns > cfg->connect_timeout_ns)
            client_fail(c, "timeout", c->state == CLIENT_CONNECTING ? "connect" : "socket.io connect");
        return;
    }
    if (c->upgrade != UPGRADE_NONE && c->upgrade != UPGRADE_DONE && now - c->t_upgrade_ns > cfg->connect_timeout_ns) {
        ws_ops.abort(&c->ws);
        client_upgrade_failed(c, "timeout");
    }
    /* messages that waited too long: one `timeout` each; they are remembered, so an answer that still
     * comes is counted late, not as a mismatch */
    long expired = inflight_expire(&c->fl, now - cfg->message_timeout_ns);
    if (expired < 0) { client_fail(c, "protocol", "out of memory"); return; }
    for (long k = 0; k < expired; k++) stats_error(c->w->st, now, "timeout", "message");
    if (expired) client_continue(c, c->last_id + 2);
    if (c->state != CLIENT_OPEN && c->state != CLIENT_HANDSHAKING) return;
    if (c->probe_sent_ns && c->probe_outcome == CLIENT_PROBE_PENDING && now - c->probe_sent_ns > cfg->probe_wait_ns) {
        client_probe_end(c, CLIENT_PROBE_SILENT, NULL, 0);
        client_close(c);
        return;
    }
    /* heartbeats */
    if (cfg->eio == 3) {
        if (c->pong_deadline_ns && now > c->pong_deadline_ns) { client_fail(c, "timeout", "pong"); return; }
        if (now >= c->next_ping_ns) {
            client_send_packet(c, '2', "", 0);
            c->pong_deadline_ns = now + c->ping_timeout_ns;
            c->next_ping_ns = now + c->ping_interval_ns;
        }
    } else if (c->ping_interval_ns && now - c->last_rx_ns > c->ping_interval_ns + c->ping_timeout_ns) {
        client_fail(c, "timeout", "heartbeat");
    }
}

void client_stop_sending(client *c)
{
    c->done_sending = 1;
    client_maybe_done(c);
}

void client_close(client *c)
{
    if (c->state == CLIENT_CLOSED || c->state == CLIENT_CLOSING) return;
    if (c->state == CLIENT_IDLE) { sched_cancel(&c->w->sched, &c->timer); c->state = CLIENT_CLOSED; return; }
    c->w->close_began_ns = clock_now_ns();
    client_drop_pending(c, "drain");
    if (c->state == CLIENT_CONNECTING || c->upgrade == UPGRADE_PAUSING) { client_finish(c); return; }
    sched_cancel(&c->w->sched, &c->timer);
    c->state = CLIENT_CLOSING;
    c->t_close_ns = clock_now_ns();
    if (c->sio_connected) {
        buf_clear(&c->scratch);
        sio_encode_disconnect(&c->scratch, c->w->cfg->nsp);
        client_send_packet(c, '4', c->scratch.data, c->scratch.len);
    }
    client_send_packet(c, '1', "", 0);
    /* websocket: after the queue has gone out; polling: the close packet's POST goes, no GET follows */
    if (c->active != CT_NONE) client_ops(c->active)->close(client_conn(c, c->active));
}

void client_abort(client *c)
{
    if (c->state == CLIENT_OPEN) client_drop_pending(c, "aborted");
    client_finish(c);
}

int client_is_finished(const client *c) { return c->state == CLIENT_CLOSED; }

void client_free(client *c)
{
    ws_conn_free(&c->ws);
    poll_conn_free(&c->poll);
    buf *bufs[] = {&c->outq, &c->scratch, &c->plain, &c->arg, &c->probe_reply};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) buf_free(bufs[i]);
    inflight_free(&c->fl);
}
