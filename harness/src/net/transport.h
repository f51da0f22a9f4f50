/* transport: the interface between one Engine.IO session and what carries its packets (transport_ws,
 * transport_poll), in the manner of wrk's struct sock. A transport connection is a struct of its own (the
 * session holds one of each it uses) whose first member is a transport_link: the events it reports, given
 * at open, and the session's send queue it drains while it carries the session. A transport never looks at
 * the session: what the session decides (which transport carries it, the upgrade, when to close) reaches it
 * only through these operations. */
#ifndef SIOCRYPT_TRANSPORT_H
#define SIOCRYPT_TRANSPORT_H
#include <stdint.h>
#include "base/buf.h"

struct eio_packet;
struct cookie_jar;

/* The detail (class protocol) when a server's message or polling body is past limits.max_message_bytes. */
#define TRANSPORT_MESSAGE_TOO_LARGE "message-too-large"

typedef struct transport_events {
    void (*on_open)(void *user);                                  /* websocket: the handshake is done */
    void (*on_packet)(void *user, const struct eio_packet *p);    /* a whole Engine.IO packet arrived */
    void (*on_error)(void *user, const char *cls, const char *detail);
    void (*on_closed)(void *user);                                /* websocket: the connection went away */
    void (*on_idle)(void *user);   /* polling: a request ended and no GET follows (paused, or the last POST) */
} transport_events;

typedef struct transport_link {
    const transport_events *ev;
    void *user;
    /* records [uint32 len][type digit][data]: the session's send queue, drained while this transport carries
     * the session; NULL while it does not (a websocket being probed, polling paused for the upgrade) */
    buf *queue;
    char sid[64];                 /* the Engine.IO session id, "" until the open packet (a handshake) */
    int64_t hold_ns;              /* how long a server may hold a long-poll GET: pingInterval + pingTimeout */
    struct cookie_jar *jar;       /* the client's cookies, shared by its transports (cookie.h); NULL: off */
} transport_link;

typedef struct transport_ops {
    const char *name;
    /* Begin (websocket: connect, with link.sid when upgrading; polling: the first GET, the handshake) with the
     * events and the queue to drain (NULL: not carrying yet). -1 when it failed at once. */
    int  (*open)(void *conn, const transport_events *ev, void *user, buf *queue);
    void (*send)(void *conn);                         /* the queue (or the transport's own) has data */
    void (*push)(void *conn, const char *pkt, size_t n);   /* one packet ahead of the queue (2probe, 5) */
    void (*carry)(void *conn, buf *queue);            /* carry the session from now on (queue), or stop (NULL) */
    void (*close)(void *conn);                        /* politely, once the queue has gone out */
    void (*abort)(void *conn);                        /* drop it now; no event follows */
    int  (*busy)(const void *conn);                   /* a request is in flight (polling) */
} transport_ops;

/* The session id and the heartbeat figures from the open packet, for the requests that follow. */
static inline void transport_link_session(transport_link *l, const char *sid, int64_t hold_ns)
{
    size_t n = 0;
    while (sid[n] && n + 1 < sizeof l->sid) { l->sid[n] = sid[n]; n++; }
    l->sid[n] = '\0';
    l->hold_ns = hold_ns;
}

#endif
