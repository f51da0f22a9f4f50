/* redirect: a Location taken apart for the websocket's own follow (redirect.h). */
#include "net/redirect.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Nothing that could end or split the request line we write from it. */
static int redirect_clean(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f) return 0;
    return 1;
}

static int redirect_path(const char *p, redirect_to *out, buf *err)
{
    size_t n = strcspn(p, "#");   /* the fragment is not sent, as browsers do */
    if (!n) { p = "/"; n = 1; }
    if (*p != '/' || n > TARGET_MAX_REQUEST)
        return buf_fail(err, "the path must start with / and fit %d bytes", TARGET_MAX_REQUEST);
    memcpy(out->path, p, n);
    out->path[n] = '\0';
    return 0;
}

/* host[:port] of an absolute Location; a name must be the target's (resolved once, before the run) */
static int redirect_host(const char *h, size_t n, const target *t, redirect_to *out, buf *err)
{
    char host[TARGET_MAX_HOST + 1];
    const char *colon, *hs = h, *he;
    if (*h == '[') {
        he = memchr(h, ']', n);
        if (!he) return buf_fail(err, "an IPv6 literal without ]");
        hs = h + 1;
        colon = he + 1 < h + n && he[1] == ':' ? he + 1 : NULL;
    } else {
        colon = memchr(h, ':', n);
        he = colon ? colon : h + n;
    }
    if (he == hs || (size_t)(he - hs) > TARGET_MAX_HOST) return buf_fail(err, "no host, or too long");
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    int def_port = t->tls ? 443 : 80;
    out->port = def_port;
    if (colon) {
        int port = 0;
        const char *p = colon + 1;
        if (p == h + n) return buf_fail(err, "an empty port");
        for (; p < h + n; p++)
            if (*p < '0' || *p > '9' || (port = port * 10 + (*p - '0')) > 65535) return buf_fail(err, "a bad port");
        if (!port) return buf_fail(err, "a bad port");
        out->port = port;
    }
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1) {
        snprintf(out->addr, sizeof out->addr, "%.45s", host);   /* a numeric address fits */
    } else if (!strcasecmp(host, t->host)) {
        snprintf(out->addr, sizeof out->addr, "%s", t->addr);
    } else {
        return buf_fail(err, "host %.100s is neither the target's nor a numeric address (not followed "
                        "on the websocket, which cannot resolve names during the run)", host);
    }
    int v6 = strchr(host, ':') != NULL;
    if (out->port == def_port) snprintf(out->host, sizeof out->host, v6 ? "[%s]" : "%s", host);
    else snprintf(out->host, sizeof out->host, v6 ? "[%s]:%d" : "%s:%d", host, out->port);
    return 0;
}

int redirect_parse(const char *location, const target *t, redirect_to *out, buf *err)
{
    /* same scheme only: a TLS target is followed to TLS places, a plain one to plain ones */
    static const char *plain[] = {"ws://", "http://"}, *tls[] = {"wss://", "https://"};
    const char **schemes = t->tls ? tls : plain;
    memset(out, 0, sizeof *out);
    if (!*location || !redirect_clean(location)) return buf_fail(err, "empty, or has a space or a control byte");
    if (location[0] == '/' && location[1] != '/') {
        snprintf(out->addr, sizeof out->addr, "%s", t->addr);
        out->port = t->port;
        snprintf(out->host, sizeof out->host, "%s", t->host_header);
        return redirect_path(location, out, err);
    }
    for (size_t i = 0; i < 2; i++) {
        size_t sn = strlen(schemes[i]);
        if (strncasecmp(location, schemes[i], sn)) continue;
        const char *h = location + sn;
        size_t hn = strcspn(h, "/?#");
        if (redirect_host(h, hn, t, out, err) < 0) return -1;
        if (h[hn] == '?') {   /* "ws://host?x": the path is "/" */
            char p[TARGET_MAX_REQUEST + 2];
            snprintf(p, sizeof p, "/%s", h + hn);
            return redirect_path(p, out, err);
        }
        return redirect_path(h + hn, out, err);
    }
    return buf_fail(err, t->tls ? "another scheme (same scheme only: wss:// or https://)"
                                : "another scheme (same scheme only: ws:// or http://)");
}
