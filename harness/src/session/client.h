/* client: one socket.io client's state machine and the encrypted counter protocol.
 *
 * A client speaks Engine.IO over one of three transports (websocket, polling, upgrade) and is driven by
 * events the transports deliver: client_on_eio_packet (a whole Engine.IO packet arrived), client_on_transport_open,
 * client_on_transport_error/closed. It never touches a socket itself: it asks the transport modules to send.
 * Everything it measures goes into its worker's stats. */
#ifndef SIOCRYPT_CLIENT_H
#define SIOCRYPT_CLIENT_H
#include <stdint.h>
#include "base/buf.h"
#include "load/inflight.h"
#include "net/schedule.h"
#include "net/transport_poll.h"
#include "net/transport_ws.h"

struct worker;

typedef enum client_state {
    CLIENT_IDLE,          /* not started yet (ramp-up) */
    CLIENT_CONNECTING,    /* TCP / first HTTP request under way */
    CLIENT_HANDSHAKING,   /* Engine.IO open received, waiting for the socket.io CONNECT */
    CLIENT_OPEN,          /* socket.io connected: the counter runs */
    CLIENT_CLOSING,       /* we asked to close */
    CLIENT_CLOSED
} client_state;

typedef enum client_transport { CT_NONE, CT_POLLING, CT_WEBSOCKET } client_transport;

typedef enum upgrade_state {
    UPGRADE_NONE,         /* no upgrade wanted or possible */
    UPGRADE_CONNECTING,   /* websocket opening with the polling session's sid */
    UPGRADE_PROBING,      /* 2probe sent */
    UPGRADE_PAUSING,      /* 3probe received: waiting for polling requests in flight to end */
    UPGRADE_DONE
} upgrade_state;

/* Probe mode (run_config.probe_args set): the client sends that one EVENT after the socket.io CONNECT
 * instead of the counter, records what became of it, and closes. */
typedef enum client_probe_outcome {
    CLIENT_PROBE_PENDING,         /* not sent yet, or waiting for an answer */
    CLIENT_PROBE_NOT_SENT,        /* the connection failed before the frame went out (probe_reply: why) */
    CLIENT_PROBE_COUNTER,         /* answered with the counter event (probe_reply: the event's JSON array) */
    CLIENT_PROBE_COUNTER_ERROR,   /* answered with <event>_error (probe_reply: the event's JSON array) */
    CLIENT_PROBE_DISCONNECTED,    /* the connection ended after the frame went out (probe_reply: why) */
    CLIENT_PROBE_SILENT           /* nothing within probe_wait_ns */
} client_probe_outcome;

/* The detail (class protocol) when a server's message or polling body is past limits.max_message_bytes. */
#define CLIENT_MESSAGE_TOO_LARGE TRANSPORT_MESSAGE_TOO_LARGE

typedef struct client {
    struct worker *w;
    int index;                    /* global index over all workers, for logs */
    client_state state;
    client_transport active;      /* which transport carries packets now */
    upgrade_state upgrade;

    /* Engine.IO session */
    char sid[64];
    int64_t ping_interval_ns, ping_timeout_ns;
    int64_t next_ping_ns;         /* EIO3: when we send the next ping */
    int64_t pong_deadline_ns;     /* EIO3: 0 when no ping is outstanding */
    int64_t last_rx_ns;           /* EIO4: server pings keep this fresh */

    /* the transports (their state is their own: transport_ws.h, transport_poll.h) */
    ws_conn ws;
    poll_conn poll;

    /* packets waiting to go out: records of [uint32 len][bytes]; the active transport drains it */
    buf outq;

    /* the counter */
    int64_t t_start_ns;           /* connect began */
    int64_t t_upgrade_ns;         /* upgrade began */
    int64_t t_close_ns;           /* we asked to close */
    int64_t sent, verified;       /* messages sent and verified */
    int64_t next_id;              /* id of the next message to send */
    int64_t next_send_ns;         /* open model: intended time of the next send */
    int64_t last_id;              /* the id of the last message sent (ids only grow: see inflight.h) */
    inflight fl;                  /* messages waiting for their answer, and those given up on */
    int sio_connected;
    int done_sending;

    sched_entry timer;            /* on the worker's scheduler: start delay, open-model schedule, think time */

    /* probe mode */
    client_probe_outcome probe_outcome;
    int64_t probe_sent_ns;        /* 0 until the frame is queued */
    buf probe_reply;
    long max_payload;             /* the open packet's maxPayload (EIO4), 0 when absent */

    /* scratch buffers reused per message: nothing is allocated on the hot path once they have grown */
    buf scratch, plain, arg;
} client;

void client_init(client *c, struct worker *w, int index);
void client_start(client *c);                 /* begin connecting now */
void client_schedule_start(client *c, int64_t delay_ns);
void client_tick(client *c, int64_t now);     /* timeouts and EIO3 pings, called by the worker's sweep */
void client_stop_sending(client *c);          /* drain: no new messages */
void client_close(client *c);                 /* close politely (socket.io DISCONNECT, Engine.IO close) */
void client_abort(client *c);                 /* drop the connection now */
void client_free(client *c);
int  client_is_finished(const client *c);

/* Queue one Engine.IO packet (type digit + data) on the active transport. */
void client_send_packet(client *c, char eio_type, const char *data, size_t n);

#endif
