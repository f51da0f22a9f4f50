/* redirect: where a 3xx's Location points, for the websocket (target.follow_redirects; curl follows the
 * polling requests itself). Same scheme only (ws:// or http:// for a plain target, wss:// or https:// for a TLS one), at most NET_MAX_REDIRECTS
 * in a row; lws resolves names with a blocking call, so a Location must name the target's own host or a
 * numeric address. Relative Locations ("/socket.io/?...") are taken against the target. Pure. */
#ifndef SIOCRYPT_REDIRECT_H
#define SIOCRYPT_REDIRECT_H
#include <netinet/in.h>
#include "base/buf.h"
#include "net/target.h"

#define NET_MAX_REDIRECTS 3

typedef struct redirect_to {
    char addr[INET6_ADDRSTRLEN];           /* numeric, bare */
    int port;
    char host[TARGET_MAX_HOST + 16];       /* the Host header: brackets for IPv6, the port unless the scheme's default */
    char path[TARGET_MAX_REQUEST + 1];     /* the request target, as the Location gave it */
} redirect_to;

/* 0 with *out filled; -1 with why in err ("another scheme ..."). */
int redirect_parse(const char *location, const target *t, redirect_to *out, buf *err);

#endif
