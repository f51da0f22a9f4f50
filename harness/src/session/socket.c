/* socket: the socket.io socket on one namespace, above the Engine.IO session (session.c): the namespace
 * CONNECT (with auth), CONNECT_ERROR, DISCONNECT, and EVENTs in both directions. Its packets travel as
 * Engine.IO MESSAGEs (type 4) of the session. */
#include "session/socket.h"
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "base/clock.h"
#include "base/template.h"
#include "base/text.h"
#include "proto/sio.h"
#include "report/stats.h"

void socket_send_connect(session *s)
{
    const session_config *cfg = s->ctx->cfg;
    /* Socket.IO protocol 4 (Engine.IO 3 servers) connects "/" unasked; other namespaces are asked for. */
    if (cfg->eio == 3 && !strcmp(cfg->nsp, "/")) return;
    const char *auth = cfg->eio == 3 ? NULL : cfg->auth_json;
    buf mine = BUF_INIT;   /* {{client}} in the auth object's strings: this client's index (JSON digits) */
    if (auth && strstr(auth, TEMPLATE_CLIENT)) {
        if (template_expand(&mine, auth, strlen(auth), TEMPLATE_CLIENT, s->index) < 0) {
            buf_free(&mine);
            session_fail(s, "protocol", "out of memory");
            return;
        }
        auth = buf_cstr(&mine);
    }
    buf_clear(&s->scratch);
    sio_encode_connect(&s->scratch, cfg->nsp, auth);
    buf_free(&mine);
    session_send_packet(s, '4', s->scratch.data, s->scratch.len);
}

/* The server's reason in a CONNECT_ERROR: {"message": "..."} (v5) or "..." (v4), else its JSON as sent;
 * cleaned and cut between characters (base/text). */
static void socket_refusal(const sio_packet *sp, const char *prefix, char *out, size_t cap)
{
    cJSON *j = sp->data_len ? cJSON_ParseWithLength(sp->data, sp->data_len) : NULL;
    const cJSON *m = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "message") : j;
    const char *why = cJSON_IsString(m) ? m->valuestring : NULL;
    size_t n = why ? strlen(why) : sp->data_len;
    int at = snprintf(out, cap, "%s%s", prefix, n ? ": " : "");
    if (at >= 0 && (size_t)at < cap) text_clean_to(out + at, cap - (size_t)at, why ? why : sp->data, n, TEXT_MARK_CUT);
    cJSON_Delete(j);
}

/* Ours to the server before the Engine.IO close. */
void socket_send_disconnect(session *s)
{
    buf_clear(&s->scratch);
    sio_encode_disconnect(&s->scratch, s->ctx->cfg->nsp);
    session_send_packet(s, '4', s->scratch.data, s->scratch.len);
}

void session_emit_str(session *s, const char *event, const char *str, size_t n)
{
    buf_clear(&s->scratch);
    sio_encode_event_str(&s->scratch, s->ctx->cfg->nsp, -1, event, str, n);
    session_send_packet(s, '4', s->scratch.data, s->scratch.len);
}

int session_emit_json_ack(session *s, long ack_id, const char *args, size_t n)
{
    buf_clear(&s->scratch);
    if (sio_encode_event_json(&s->scratch, s->ctx->cfg->nsp, ack_id, args, n) != SIO_OK) return -1;
    session_send_packet(s, '4', s->scratch.data, s->scratch.len);
    return 0;
}

int session_emit_json(session *s, const char *args, size_t n) { return session_emit_json_ack(s, -1, args, n); }

static void socket_on_connected(session *s)
{
    int64_t now = clock_now_ns();
    s->state = SESSION_OPEN;
    s->sio_connected = 1;
    s->ctx->conns_open++;
    stats_conn_established(s->ctx->st, now, now - s->t_start_ns);
    session_log(s, "connected", s->sid);
    s->h->on_connect(s->user);
}

void socket_on_message(session *s, const char *p, size_t n)
{
    sio_packet sp;
    int r = sio_packet_parse(p, n, &sp);
    if (r != SIO_OK) { session_fail(s, "protocol", sio_err_name(r)); return; }
    if (!sio_nsp_is(&sp, s->ctx->cfg->nsp)) return;   /* another namespace: not ours */
    switch (sp.type) {
    case SIO_CONNECT:
        if (s->state == SESSION_HANDSHAKING) socket_on_connected(s);
        return;
    case SIO_CONNECT_ERROR:
        /* before the CONNECT it refuses the namespace (a handshake error, e.g. bad auth); once connected the
         * server is putting an end to a session it had accepted */
    {
        char why[200];
        socket_refusal(&sp, s->sio_connected ? "CONNECT_ERROR after connect" : "CONNECT_ERROR", why, sizeof why);
        session_fail(s, s->sio_connected ? "disconnect" : "handshake", why);
        return;
    }
    case SIO_DISCONNECT:
        session_fail(s, "disconnect", "server DISCONNECT");
        return;
    case SIO_EVENT: {
        const char *name;
        size_t name_len, pos = 0;
        if (sio_array_next(sp.data, sp.data_len, &pos, &name, &name_len) != SIO_OK) {
            session_fail(s, "protocol", "bad event");
            return;
        }
        s->h->on_event(s->user, &sp, name, name_len);
        return;
    }
    case SIO_ACK:
        /* a flow's emit with an ack id (the counter sends none, and has no handler) */
        if (s->h->on_ack && s->state == SESSION_OPEN) s->h->on_ack(s->user, &sp);
        return;
    default:
        return;
    }
}
