/* transport_poll: Engine.IO HTTP long-polling with libcurl's multi-socket interface on the worker's libuv
 * loop: GET to receive, POST to send, at most one of each in flight per session, never blocking. */
#ifndef SIOCRYPT_TRANSPORT_POLL_H
#define SIOCRYPT_TRANSPORT_POLL_H
#include "session/client.h"

int  poll_multi_init(struct worker *w);     /* -1 on failure */
void poll_multi_cleanup(struct worker *w);
void poll_get(client *c);                   /* start a GET if none is in flight (the first one is the handshake) */
void poll_kick(client *c);                  /* there is data in c->outq: start a POST if none is in flight */
void poll_cancel(client *c);                /* drop requests in flight */
int  poll_busy(const client *c);            /* a GET or POST is in flight */
/* The scheduler's callback for c->poll_retry: the next GET after empty replies (client_init sets it). */
void poll_on_retry(sched_entry *e, int64_t now);

#endif
