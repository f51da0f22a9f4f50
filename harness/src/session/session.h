/* session: one socket.io client connection below any workload: the Engine.IO session (handshake, heartbeat,
 * the send queue and its limit, the upgrade, close) and the socket.io socket on one namespace (CONNECT,
 * CONNECT_ERROR, DISCONNECT, events).
 *
 * A session speaks Engine.IO over one of three transports (websocket, polling, upgrade) through the
 * transport interface (net/transport.h) and is driven by the events they deliver. It never touches a socket
 * itself. The upgrade is a session-level step: open the websocket as a second transport with the polling
 * session's sid, probe it (2probe / 3probe), pause polling, swap (5). What happens on the socket.io socket
 * goes to the layer above (the workload, load/workload.h) through a session_handler; what it measures about
 * connections goes into the stats it is given (report/stats.h). */
#ifndef SIOCRYPT_SESSION_H
#define SIOCRYPT_SESSION_H
#include <stdint.h>
#include "base/buf.h"
#include "net/cookie.h"
#include "net/net.h"
#include "net/transport_poll.h"
#include "net/transport_ws.h"

struct stats;
struct sio_packet;

typedef enum session_transport { SESSION_WEBSOCKET_ONLY, SESSION_POLLING_ONLY, SESSION_UPGRADE } session_transport;

/* What every session of a run needs to know: filled by the worker from the run's configuration. */
typedef struct session_config {
    int eio;                      /* 3 or 4 */
    session_transport transport;
    char nsp[128];                /* "/" or "/admin" */
    const char *auth_json;        /* socket.io v5 CONNECT payload, or NULL */
    int64_t connect_timeout_ns;   /* connect .. socket.io CONNECT, and the upgrade */
    int64_t max_queue_bytes;      /* more than this waiting to go out (the server does not read): closed */
    int verbose;
} session_config;

/* What the sessions of one worker share. */
typedef struct session_ctx {
    const session_config *cfg;
    net_loop *net;
    struct stats *st;
    int64_t conns_open;           /* live count of socket.io-connected sessions */
    int64_t close_began_ns;       /* the last moment a session began to close (phases: drain | close) */
} session_ctx;

typedef enum session_state {
    SESSION_IDLE,          /* not started yet (ramp-up) */
    SESSION_CONNECTING,    /* TCP / first HTTP request under way */
    SESSION_HANDSHAKING,   /* Engine.IO open received, waiting for the socket.io CONNECT */
    SESSION_OPEN,          /* socket.io connected: the workload runs */
    SESSION_CLOSING,       /* we asked to close */
    SESSION_CLOSED
} session_state;

typedef enum session_carrier { CT_NONE, CT_POLLING, CT_WEBSOCKET } session_carrier;

typedef enum upgrade_state {
    UPGRADE_NONE,         /* no upgrade wanted or possible */
    UPGRADE_CONNECTING,   /* websocket opening with the polling session's sid */
    UPGRADE_PROBING,      /* 2probe sent */
    UPGRADE_PAUSING,      /* 3probe received: waiting for polling requests in flight to end */
    UPGRADE_DONE
} upgrade_state;

/* The detail (class protocol) when a server's message or polling body is past limits.max_message_bytes. */
#define SESSION_MESSAGE_TOO_LARGE TRANSPORT_MESSAGE_TOO_LARGE

/* What the session tells the layer above; user is the pointer given at session_init. */
typedef struct session_handler {
    void (*on_connect)(void *user);   /* socket.io connected on our namespace */
    /* an EVENT on our namespace; name is its first element as raw JSON (a quoted string) */
    void (*on_event)(void *user, const struct sio_packet *sp, const char *name, size_t name_len);
    /* an ACK on our namespace (sp->ack_id, sp->data: the array of the ack's arguments); NULL: ignored */
    void (*on_ack)(void *user, const struct sio_packet *sp);
    void (*on_tick)(void *user, int64_t now);   /* every sweep while open, before the heartbeat */
    /* the session is ending with an error (cls as counted, detail may be NULL), just before it is counted */
    void (*on_error)(void *user, const char *cls, const char *detail);
    void (*on_closed)(void *user);    /* the connection is over */
} session_handler;

typedef struct session {
    session_ctx *ctx;
    const session_handler *h;
    void *user;
    int index;                    /* global index over all workers, for logs */
    session_state state;
    session_carrier active;       /* which transport carries packets now */
    upgrade_state upgrade;

    /* Engine.IO session */
    char sid[64];
    int64_t ping_interval_ns, ping_timeout_ns;
    int64_t next_ping_ns;         /* EIO3: when we send the next ping */
    int64_t pong_deadline_ns;     /* EIO3: 0 when no ping is outstanding */
    int64_t last_rx_ns;           /* EIO4: server pings keep this fresh */
    long max_payload;             /* the open packet's maxPayload (EIO4), 0 when absent */

    /* the transports (their state is their own: transport_ws.h, transport_poll.h) */
    ws_conn ws;
    poll_conn poll;
    cookie_jar jar;               /* the client's cookies, which both transports send (net/cookie.h) */

    /* packets waiting to go out: records of [uint32 len][bytes]; the active transport drains it */
    buf outq;

    int64_t t_start_ns;           /* connect began */
    int64_t t_upgrade_ns;         /* upgrade began */
    int64_t t_close_ns;           /* we asked to close */
    int sio_connected;
    buf scratch;                  /* reused per packet: nothing is allocated on the hot path once it has grown */
} session;

void session_init(session *s, session_ctx *ctx, int index, const session_handler *h, void *user);
void session_start(session *s);                 /* begin connecting now */
void session_tick(session *s, int64_t now);     /* timeouts and heartbeats, called by the worker's sweep */
void session_close(session *s);                 /* close politely (socket.io DISCONNECT, Engine.IO close) */
void session_abort(session *s);                 /* drop the connection now */
void session_fail(session *s, const char *cls, const char *detail);   /* end it with an error, counted */
void session_free(session *s);
/* A closed session back to idle, for a fresh start (reconnection): a new Engine.IO session, nothing of the
 * old one kept. Not from inside a transport's event (the client calls it from its timer). */
void session_reset(session *s);
static inline session_state session_get_state(const session *s) { return s->state; }

/* socket.io EVENTs on our namespace: [event, string] (the counter's form), or a whole JSON array as given
 * (-1 when it is not one: nothing is sent); _ack asks for an ack with ack_id (>= 0; -1: none), which comes
 * back through the handler's on_ack. */
void session_emit_str(session *s, const char *event, const char *str, size_t n);
int  session_emit_json(session *s, const char *args, size_t n);
int  session_emit_json_ack(session *s, long ack_id, const char *args, size_t n);

#endif
