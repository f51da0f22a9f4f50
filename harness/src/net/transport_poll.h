/* transport_poll: Engine.IO HTTP long-polling with libcurl's multi-socket interface on the worker's libuv
 * loop: GET to receive, POST to send, at most one of each in flight per session, never blocking. */
#ifndef SIOCRYPT_TRANSPORT_POLL_H
#define SIOCRYPT_TRANSPORT_POLL_H
#include "net/net.h"
#include "net/transport.h"

typedef struct poll_conn {
    transport_link link;
    net_loop *net;
    void *get, *post;             /* CURL easy handles, NULL while none is in flight */
    buf get_body, post_body, post_resp;
    int64_t get_started_ns;
    int too_large;                /* the write callback refused a body past limits.max_message_bytes */
    int empty;                    /* empty 200 replies in a row: the next GET waits longer */
    sched_entry retry;            /* that wait, on the worker's scheduler */
    int closing;                  /* the session is closing: no more GETs, the POSTs still go */
    int dropped;                  /* aborted: nothing more is read or started */
    int client;                   /* the client's global index: {{client}} in headers and the query */
    void *headers;                /* struct curl_slist: Host and the user's headers for this client, built
                                     at its first request; NULL while none (or none but Host: net's) */
    char tls_why[160];            /* the request that just ended failed its TLS: why (tls.c), else "" */
    long proxy_code;              /* the proxy's answer to the last request's CONNECT (target.proxy), 0: none */
} poll_conn;

extern const transport_ops poll_ops;

void poll_conn_init(poll_conn *c, net_loop *net);
void poll_conn_free(poll_conn *c);
int  poll_multi_init(net_loop *net);          /* -1 on failure */
void poll_multi_cleanup(net_loop *net);

#endif
