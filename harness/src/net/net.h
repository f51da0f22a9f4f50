/* net: what the connections of one worker share. One event loop (libuv) carries a libwebsockets context and
 * a libcurl multi handle, one timer heap (schedule.h) serves every connection, and the transports read their
 * limits and the target here. The worker owns one net_loop and hands it to every connection it opens; nothing
 * in it is global, so workers never share a lock. */
#ifndef SIOCRYPT_NET_H
#define SIOCRYPT_NET_H
#include <stdint.h>
#include <uv.h>
#include "net/schedule.h"

struct target;
struct lws_context;
struct stats;
struct source_list;

/* What the transports need to know about the run: filled by the worker from the run's configuration. */
typedef struct net_config {
    const struct target *target;  /* host, port, path, query, the numeric address resolved once (target.h) */
    int eio;                      /* 3 or 4: request parameters and the polling payload framing */
    int64_t connect_timeout_ns;   /* TCP and the first request */
    int64_t post_timeout_ns;      /* a polling POST's whole time (the message timeout) */
    int64_t max_message_bytes;    /* a websocket message or polling body larger than this is refused */
    int cookies;                  /* each client keeps a cookie jar (cookie.h); 0: --no-cookies */
    int follow_redirects;         /* same-scheme 3xx are followed (redirect.h); 0: an error naming Location */
    const struct target *proxy;   /* an HTTP proxy both transports tunnel through (CONNECT); NULL: none */
    int compression;              /* offer permessage-deflate on the websocket (target.compression) */
    const struct source_list *sources;   /* local addresses, client i binds the i % n th (source.h); NULL: any */
} net_config;

typedef struct net_loop {
    net_config cfg;
    uv_loop_t *loop;
    sched *sched;                 /* every connection's timers: one heap, one timerfd */
    int nconns;                   /* how many sessions will use it: sizes lws's fd table and curl's cache */
    struct lws_context *lws;
    struct lws_context *lws_live; /* lws writes NULL here once the context is really freed (info.pcontext) */
    void *multi;                  /* CURLM */
    uv_timer_t curl_timer;
    void *poll_headers;           /* struct curl_slist: the Host header of every polling request */
    void *poll_connect_to;        /* struct curl_slist: TLS, where curl connects for the URL's name (tls.c) */
    struct stats *st;             /* the worker's: TLS handshake times and the negotiated version, cipher */
} net_loop;

#endif
