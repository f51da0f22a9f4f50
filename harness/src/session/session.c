/* session: the Engine.IO session of one client (handshake, heartbeat, send queue, upgrade, close).
 * Transports hand in whole Engine.IO packets; this file decides what they mean and what to send. Its
 * MESSAGE packets are the socket.io socket's (socket.c); what a socket.io EVENT means is the workload's
 * business (session_handler). */
#include "session/session.h"
#include "session/socket.h"
#include "base/text.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "proto/eio.h"
#include "report/stats.h"

#define SESSION_CLOSE_GRACE_NS 2000000000LL

static void session_finish(session *s);
static const transport_events session_ws_events, session_poll_events;

void session_log(const session *s, const char *what, const char *detail)
{
    if (s->ctx->cfg->verbose)
        text_fprintf(stderr, "client %d: %s%s%s\n", s->index, what, detail ? ": " : "", detail ? detail : "");
}

void session_init(session *s, session_ctx *ctx, int index, const session_handler *h, void *user)
{
    memset(s, 0, sizeof *s);
    s->ctx = ctx;
    s->h = h;
    s->user = user;
    s->index = index;
    s->state = SESSION_IDLE;
    ws_conn_init(&s->ws, ctx->net);
    poll_conn_init(&s->poll, ctx->net);
    s->ws.client = s->poll.client = index;   /* {{client}} in the user's headers and query */
    cookie_jar_init(&s->jar);
    if (ctx->net->cfg.cookies) s->ws.link.jar = s->poll.link.jar = &s->jar;
}

static const transport_ops *session_ops(session_carrier t) { return t == CT_WEBSOCKET ? &ws_ops : &poll_ops; }
static void *session_conn(session *s, session_carrier t) { return t == CT_WEBSOCKET ? (void *)&s->ws : (void *)&s->poll; }

/* ---- sending ---------------------------------------------------------------------------------------- */

/* Queue one Engine.IO packet (type digit + data) on the active transport. */
void session_send_packet(session *s, char eio_type, const char *data, size_t n)
{
    uint32_t len = (uint32_t)(n + 1);
    /* a server that does not read (while it pings, say) must not make us queue without end */
    if ((int64_t)(s->outq.len + 5 + n) > s->ctx->cfg->max_queue_bytes) {
        session_fail(s, "backpressure", "send queue full");
        return;
    }
    if (buf_reserve(&s->outq, 4 + (size_t)len) < 0) { session_fail(s, "protocol", "out of memory"); return; }
    buf_append(&s->outq, &len, 4);
    buf_append_char(&s->outq, eio_type);
    buf_append(&s->outq, data, n);
    /* polling paused for the upgrade does not carry the queue: it waits for the websocket */
    if (s->active != CT_NONE) session_ops(s->active)->send(session_conn(s, s->active));
}

/* ---- Engine.IO -------------------------------------------------------------------------------------- */

static void session_on_open_packet(session *s, session_carrier from, const char *data, size_t n)
{
    eio_open o;
    if (s->state != SESSION_CONNECTING) { session_fail(s, "protocol", "unexpected open packet"); return; }
    if (eio_open_parse(data, n, &o) != EIO_OK) {
        char why[96];
        snprintf(why, sizeof why, "bad open packet: %s", o.why ? o.why : "?");
        session_fail(s, "handshake", why);
        return;
    }
    snprintf(s->sid, sizeof s->sid, "%s", o.sid);
    s->ping_interval_ns = (int64_t)o.ping_interval * 1000000;
    s->ping_timeout_ns = (int64_t)o.ping_timeout * 1000000;
    s->max_payload = o.max_payload;
    int64_t now = clock_now_ns();
    s->last_rx_ns = now;
    s->next_ping_ns = now + s->ping_interval_ns;
    s->state = SESSION_HANDSHAKING;
    s->active = from;
    transport_link_session(&s->poll.link, s->sid, s->ping_interval_ns + s->ping_timeout_ns);
    transport_link_session(&s->ws.link, s->sid, s->ping_interval_ns + s->ping_timeout_ns);
    socket_send_connect(s);
    /* over polling, the transport starts the next GET once this payload is handled */
    if (from == CT_POLLING) {
        if (s->ctx->cfg->transport == SESSION_UPGRADE && o.upgrade_websocket) {
            s->upgrade = UPGRADE_CONNECTING;
            s->t_upgrade_ns = now;
            /* the second transport, not carrying the session until the probe has been answered */
            if (ws_ops.open(&s->ws, &session_ws_events, s, NULL) < 0 && s->upgrade == UPGRADE_CONNECTING) {
                stats_error(s->ctx->st, now, "upgrade", "connect");
                s->upgrade = UPGRADE_NONE;
            }
        }
    }
}

/* Polling is quiet: finish the upgrade with `5`, and move the queue over to the websocket. */
static void session_finish_upgrade(session *s)
{
    if (s->upgrade != UPGRADE_PAUSING || poll_ops.busy(&s->poll)) return;
    s->upgrade = UPGRADE_DONE;
    s->active = CT_WEBSOCKET;
    /* `5` goes ahead of everything queued: it is what tells the server to switch */
    ws_ops.push(&s->ws, "5", 1);
    ws_ops.carry(&s->ws, &s->outq);
    stats_upgrade_ns(s->ctx->st, clock_now_ns() - s->t_upgrade_ns);
    session_log(s, "upgraded", NULL);
}

/* A polling request ended and no GET follows: paused for the upgrade (its GET came back), or a POST
 * ended with nothing left to send (then no POST is in flight). */
static void session_on_poll_idle(void *user)
{
    session *s = user;
    if (s->upgrade == UPGRADE_PAUSING) session_finish_upgrade(s);
    /* our close packet has been delivered: the session is over, whatever the pending GET says */
    else if (s->state == SESSION_CLOSING && s->active == CT_POLLING && s->outq.len == 0) session_finish(s);
}

static void session_on_packet(session *s, session_carrier from, const eio_packet *pk)
{
    eio_packet p = *pk;
    s->last_rx_ns = clock_now_ns();
    switch (p.type) {
    case EIO_OPEN:
        session_on_open_packet(s, from, p.data, p.len);
        return;
    case EIO_CLOSE:
        if (s->state == SESSION_CLOSING) session_finish(s);
        else session_fail(s, "disconnect", "server closed the session");
        return;
    case EIO_PING:
        session_send_packet(s, '3', p.data, p.len);   /* EIO4: the server pings, we answer */
        return;
    case EIO_PONG:
        if (from == CT_WEBSOCKET && s->upgrade == UPGRADE_PROBING && p.len == 5 && !memcmp(p.data, "probe", 5)) {
            s->upgrade = UPGRADE_PAUSING;
            poll_ops.carry(&s->poll, NULL);   /* no more GETs or POSTs: the websocket takes over */
            session_finish_upgrade(s);
            return;
        }
        s->pong_deadline_ns = 0;   /* EIO3: our ping was answered */
        return;
    case EIO_MESSAGE:
        socket_on_message(s, p.data, p.len);
        return;
    case EIO_NOOP:
    case EIO_UPGRADE:
        return;
    }
}

/* ---- transports' events ----------------------------------------------------------------------------- */

/* The upgrade failed: stay on polling, as socket.io-client does; it polls again and sends what waited. */
static void session_upgrade_failed(session *s, const char *why)
{
    stats_error(s->ctx->st, clock_now_ns(), "upgrade", why);
    s->upgrade = UPGRADE_NONE;
    poll_ops.carry(&s->poll, &s->outq);
}

static void session_ws_on_open(void *user)
{
    session *s = user;
    stats_ws_open(s->ctx->st, s->ws.deflate);
    if (s->upgrade == UPGRADE_CONNECTING) {
        s->upgrade = UPGRADE_PROBING;
        ws_ops.push(&s->ws, "2probe", 6);
        return;
    }
    s->active = CT_WEBSOCKET;   /* websocket-only: the open packet comes next */
}

static void session_ws_on_closed(void *user)
{
    session *s = user;
    if (s->state == SESSION_CLOSED) return;
    if (s->state == SESSION_CLOSING) { session_finish(s); return; }
    if (s->active != CT_WEBSOCKET) {
        /* the upgrade's websocket went away: stay on polling, as socket.io-client does */
        if (s->upgrade != UPGRADE_NONE && s->upgrade != UPGRADE_DONE) session_upgrade_failed(s, "websocket closed");
        return;
    }
    session_fail(s, s->state == SESSION_OPEN ? "disconnect" : "handshake", "websocket closed");
}

static void session_on_transport_error(session *s, session_carrier from, const char *cls, const char *detail)
{
    if (s->state == SESSION_CLOSED) return;
    if (from == CT_WEBSOCKET && s->active != CT_WEBSOCKET) {
        if (s->upgrade != UPGRADE_NONE && s->upgrade != UPGRADE_DONE) {
            session_log(s, "upgrade failed", detail);
            session_upgrade_failed(s, detail);   /* while closing, polling sends the close but GETs no more */
            return;
        }
        if (s->state != SESSION_CONNECTING) return;
    }
    if (s->state == SESSION_CLOSING) { session_finish(s); return; }
    session_fail(s, cls, detail);
}

static void session_ws_on_packet(void *user, const eio_packet *p) { session_on_packet(user, CT_WEBSOCKET, p); }
static void session_poll_on_packet(void *user, const eio_packet *p) { session_on_packet(user, CT_POLLING, p); }
static void session_ws_on_error(void *user, const char *cls, const char *detail)
{
    session_on_transport_error(user, CT_WEBSOCKET, cls, detail);
}
static void session_poll_on_error(void *user, const char *cls, const char *detail)
{
    session_on_transport_error(user, CT_POLLING, cls, detail);
}

static const transport_events session_ws_events = {session_ws_on_open, session_ws_on_packet, session_ws_on_error,
                                                   session_ws_on_closed, NULL};
static const transport_events session_poll_events = {NULL, session_poll_on_packet, session_poll_on_error, NULL,
                                                     session_on_poll_idle};

/* ---- lifecycle -------------------------------------------------------------------------------------- */

void session_start(session *s)
{
    s->t_start_ns = clock_now_ns();
    s->state = SESSION_CONNECTING;
    stats_conn_attempt(s->ctx->st, s->t_start_ns);
    if (s->ctx->cfg->transport == SESSION_WEBSOCKET_ONLY) {
        s->active = CT_WEBSOCKET;
        if (ws_ops.open(&s->ws, &session_ws_events, s, &s->outq) < 0 && s->state == SESSION_CONNECTING)
            session_fail(s, "connect-refused", "connect failed");
    } else {
        s->active = CT_POLLING;
        poll_ops.open(&s->poll, &session_poll_events, s, &s->outq);
    }
}

/* The connection is over (politely or not). */
static void session_finish(session *s)
{
    if (s->state == SESSION_CLOSED) return;
    if (s->sio_connected) {
        s->ctx->conns_open--;
        stats_conn_closed(s->ctx->st, clock_now_ns());
    }
    s->state = SESSION_CLOSED;
    poll_ops.abort(&s->poll);
    ws_ops.abort(&s->ws);
    s->h->on_closed(s->user);
}

/* Crossing a limit (limits.*) keeps its class whenever it happens: it is the harness refusing, not the
 * server failing a handshake; so does a TLS failure (a certificate that does not verify says why). */
static int session_over_limit(const char *cls, const char *detail)
{
    return !strcmp(cls, "backpressure") || !strcmp(cls, "tls") || (detail && !strcmp(detail, SESSION_MESSAGE_TOO_LARGE));
}

void session_fail(session *s, const char *cls, const char *detail)
{
    if (s->state == SESSION_CLOSED) return;
    int64_t now = clock_now_ns();
    /* Until socket.io has connected, whatever the server did wrong (garbage, a cut-off answer, a close) is
     * a failed handshake; not reaching it at all (connect-refused) and silence (timeout) keep their class. */
    if (!s->sio_connected && strcmp(cls, "connect-refused") && strcmp(cls, "timeout") && !session_over_limit(cls, detail))
        cls = "handshake";
    /* a polling request that finds nobody listening after the session was up: the server went away */
    if (s->sio_connected && !strcmp(cls, "connect-refused")) cls = "disconnect";
    session_log(s, cls, detail);
    s->h->on_error(s->user, cls, detail);
    if (!s->sio_connected) stats_conn_failed(s->ctx->st, now);
    stats_error(s->ctx->st, now, cls, detail);   /* details are short fixed texts: kinds stay few */
    session_finish(s);
}

void session_tick(session *s, int64_t now)
{
    const session_config *cfg = s->ctx->cfg;
    if (s->state == SESSION_CLOSED || s->state == SESSION_IDLE) return;
    if (s->state == SESSION_CLOSING) {   /* a peer that never acknowledges our close must not hold the run */
        if (now - s->t_close_ns > SESSION_CLOSE_GRACE_NS) session_finish(s);
        return;
    }
    if (s->state == SESSION_CONNECTING || s->state == SESSION_HANDSHAKING) {
        if (now - s->t_start_ns > cfg->connect_timeout_ns)
            session_fail(s, "timeout", s->state == SESSION_CONNECTING ? "connect" : "socket.io connect");
        return;
    }
    if (s->upgrade != UPGRADE_NONE && s->upgrade != UPGRADE_DONE && now - s->t_upgrade_ns > cfg->connect_timeout_ns) {
        ws_ops.abort(&s->ws);
        session_upgrade_failed(s, "timeout");
    }
    s->h->on_tick(s->user, now);   /* the workload's timeouts */
    if (s->state != SESSION_OPEN && s->state != SESSION_HANDSHAKING) return;
    /* heartbeats */
    if (cfg->eio == 3) {
        if (s->pong_deadline_ns && now > s->pong_deadline_ns) { session_fail(s, "timeout", "pong"); return; }
        if (now >= s->next_ping_ns) {
            session_send_packet(s, '2', "", 0);
            s->pong_deadline_ns = now + s->ping_timeout_ns;
            s->next_ping_ns = now + s->ping_interval_ns;
        }
    } else if (s->ping_interval_ns && now - s->last_rx_ns > s->ping_interval_ns + s->ping_timeout_ns) {
        session_fail(s, "timeout", "heartbeat");
    }
}

void session_close(session *s)
{
    if (s->state == SESSION_CLOSED || s->state == SESSION_CLOSING) return;
    if (s->state == SESSION_IDLE) { s->state = SESSION_CLOSED; return; }
    s->ctx->close_began_ns = clock_now_ns();
    if (s->state == SESSION_CONNECTING || s->upgrade == UPGRADE_PAUSING) { session_finish(s); return; }
    s->state = SESSION_CLOSING;
    s->t_close_ns = clock_now_ns();
    if (s->sio_connected) socket_send_disconnect(s);
    session_send_packet(s, '1', "", 0);
    /* websocket: after the queue has gone out; polling: the close packet's POST goes, no GET follows */
    if (s->active != CT_NONE) session_ops(s->active)->close(session_conn(s, s->active));
}

void session_abort(session *s) { session_finish(s); }

void session_reset(session *s)
{
    if (s->state != SESSION_CLOSED) return;
    /* the transports were aborted when it closed (no wsi, no curl handle points here any more) */
    ws_conn_free(&s->ws);
    poll_conn_free(&s->poll);
    ws_conn_init(&s->ws, s->ctx->net);
    poll_conn_init(&s->poll, s->ctx->net);
    /* what session_init gave the transports: the client's index ({{client}}, its --source address) and jar */
    s->ws.client = s->poll.client = s->index;
    if (s->ctx->net->cfg.cookies) s->ws.link.jar = s->poll.link.jar = &s->jar;
    buf_clear(&s->outq);
    s->state = SESSION_IDLE;
    s->active = CT_NONE;
    s->upgrade = UPGRADE_NONE;
    s->sid[0] = '\0';
    s->ping_interval_ns = s->ping_timeout_ns = s->next_ping_ns = s->pong_deadline_ns = 0;
    s->max_payload = 0;
    s->sio_connected = 0;
}

void session_free(session *s)
{
    ws_conn_free(&s->ws);
    poll_conn_free(&s->poll);
    cookie_jar_free(&s->jar);
    buf_free(&s->outq);
    buf_free(&s->scratch);
}
