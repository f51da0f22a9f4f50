/* target: a URL turned into what the transports need (scheme, host, port, path, query), and the host name
 * resolved once, before the run: lws resolves names with a blocking call, so the workers only ever see a
 * numeric address. Pure apart from target_resolve (getaddrinfo).
 *
 *   http://host[:port][/path][?query][#fragment]   ws:// is the same; https:// and wss:// are TLS (port 443)
 *   http://[::1]:3000/socket.io/?token=abc           IPv6 literals in brackets
 *
 * The user's query is kept and sent on every request (polling GETs and POSTs, the websocket and the
 * upgrade), after the Engine.IO parameters. EIO, transport, sid, b64 and j are siocrypt's to set: a URL or a
 * target.query that sets one is a usage error. Paths and queries are percent-encoded where they need it
 * (existing %XX escapes are kept, a bad one is refused); the fragment is dropped, as browsers do.
 * Sizes are dynamic, but a request target (path and query with the Engine.IO parameters) is limited to
 * TARGET_MAX_REQUEST bytes, below what lws's header buffer holds, and a host name to 253 (DNS). */
#ifndef SIOCRYPT_TARGET_H
#define SIOCRYPT_TARGET_H
#include <netinet/in.h>
#include "base/buf.h"

#define TARGET_MAX_HOST    253
#define TARGET_MAX_REQUEST 2048
#define TARGET_MAX_SID     128   /* room kept for the session id in the request limit */

/* TLS settings (target.tls, --cacert, -k, --cert/--key): what both transports use for an https/wss target.
 * Paths are the user's and only read by OpenSSL; NULL = the default (system store, no client cert). */
typedef struct target_tls {
    const char *cacert, *cert, *key;
    const char *servername;   /* SNI and the name the certificate must carry; NULL = the URL's host */
    int insecure;             /* -k: no verification at all */
} target_tls;

typedef struct target {
    char *host;          /* as written, without brackets: "example.com", "::1" */
    int port;            /* 80 (443 for https/wss) when the URL has none */
    int tls;             /* https:// or wss:// */
    target_tls tlsopt;   /* set by the caller after target_parse; read when tls */
    int bracketed;       /* the URL gave an IPv6 literal */
    char *path;          /* percent-encoded, ends with '/': "/socket.io/" */
    char *query;         /* the user's parameters, percent-encoded, joined by '&'; "" when none */
    char addr[INET6_ADDRSTRLEN]; /* numeric, after target_resolve: "127.0.0.1", "::1" (bare, as lws takes it) */
    int family;          /* AF_INET or AF_INET6, after target_resolve */
    char *host_header;   /* "example.com:3000", "[::1]:3000"; no port when it is the scheme's default */
    char *base;          /* after target_resolve: "http://127.0.0.1:3000", "http://[::1]:3000" (curl's form);
                          * for TLS "https://<tls name>:port", curl being told where it connects (CONNECT_TO) */
    char *tls_name;      /* TLS: servername or the host; the SNI and the name verified */
    char *connect_to;    /* TLS: "<tls name>:port:<addr>:port" (curl's CURLOPT_CONNECT_TO), after target_resolve */
    struct headers *headers;  /* the user's headers (net/headers.h), owned; NULL when none */
} target;

void target_init(target *t);
/* The URL's parts; a URL without a path (or with just "/") keeps the path already set (target_set_path),
 * "/socket.io/" by default. Errors start with "url: ". */
int  target_parse(target *t, const char *url, buf *err);
int  target_set_path(target *t, const char *path, buf *err);                /* target.path */
/* One target.query entry, percent-encoded here; name is the field for the error ("target.query.x"). */
int  target_add_param(target *t, const char *key, const char *value, const char *name, buf *err);
int  target_param_reserved(const char *key);   /* 1 for EIO, transport, sid, b64, j */
/* getaddrinfo (AF_UNSPEC), the first answer; fills addr, family, base. Errors start with "url: ". */
int  target_resolve(target *t, buf *err);
/* Appends the request target for one request to out: path?EIO=N&transport=T[&sid=S][&b64=1][&user query]. The sid is
 * percent-encoded; -1 when the result would pass TARGET_MAX_REQUEST (only a long sid can do that, since
 * target_check leaves room for one of TARGET_MAX_SID bytes). */
int  target_request(const target *t, int eio, const char *transport, const char *sid, int b64, buf *out);
/* The same for one client: {{client}} in the query (the URL's or target.query's) is its global index. */
int  target_request_for(const target *t, int eio, const char *transport, const char *sid, int b64, int client,
                        buf *out);
/* The request limit with a session id of TARGET_MAX_SID bytes; call after the path and query are final. */
int  target_check(const target *t, buf *err);
/* The URL for reports and logs: each query value replaced by '*' (a query usually carries a token or JWT,
 * which must not end up in CI artifacts), the fragment dropped. */
int  target_redact(const char *url, buf *out);
void target_free(target *t);

#endif
