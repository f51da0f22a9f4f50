/* transport_ws: Engine.IO over WebSocket with libwebsockets, one lws context per worker on its libuv loop. */
#ifndef SIOCRYPT_TRANSPORT_WS_H
#define SIOCRYPT_TRANSPORT_WS_H
#include "net/net.h"
#include "net/transport.h"

struct lws;

typedef struct ws_conn {
    transport_link link;
    net_loop *net;
    struct lws *wsi;
    buf rx;                       /* fragments of the message being received */
    buf tx;                       /* scratch with LWS_PRE headroom */
    buf wq;                       /* its own write queue: packets that go out ahead of the session's (2probe, 5) */
    int closing;
    int established;              /* the websocket handshake is done */
    int tcp_up;                   /* the TCP connection was made: a later failure is not connect-refused */
    int client;                   /* the client's global index: {{client}} in headers and the query */
    int tls_err;                  /* the first X509 error of the server's certificate (tls.c), 0 none */
    int redirects;                /* upgrade redirects followed in a row (target.follow_redirects) */
    int deflate;                  /* the server accepted permessage-deflate (set before on_open) */
} ws_conn;

extern const transport_ops ws_ops;

void ws_conn_init(ws_conn *c, net_loop *net);
void ws_conn_free(ws_conn *c);
int  ws_context_create(net_loop *net);        /* -1 on failure */
void ws_context_destroy(struct lws_context *ctx);
#endif
