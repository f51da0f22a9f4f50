/* cookie: one client's cookie jar, as a browser keeps one: what a response's Set-Cookie says (a load
 * balancer's affinity cookie, socket.io's `io` cookie) goes back as `Cookie:` on every later request of that
 * client, polling and websocket alike. The session owns the jar; both its transports reach it through
 * transport_link.jar (NULL: cookies off, --no-cookies). Pure: no I/O, the caller gives the time.
 *
 * Kept: name=value, Path (RFC 6265 path-match; default the request's directory), Max-Age and Expires (in
 * the past or Max-Age<=0 deletes the cookie). Ignored: Domain (a run has one target host), Secure, HttpOnly,
 * SameSite. Bounded: COOKIE_JAR_MAX cookies per client, COOKIE_MAX_BYTES per cookie (name, value and path
 * together, RFC 6265's minimum), COOKIE_JAR_MAX_BYTES for the whole jar; a new cookie past a limit pushes
 * out the oldest ones, a single one past COOKIE_MAX_BYTES (or with a control character) is ignored. */
#ifndef SIOCRYPT_COOKIE_H
#define SIOCRYPT_COOKIE_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

#define COOKIE_JAR_MAX       16
#define COOKIE_MAX_BYTES     4096
#define COOKIE_JAR_MAX_BYTES 8192   /* so the Cookie header fits lws's upgrade request buffer (transport_ws) */

typedef struct cookie {
    char *name;          /* one allocation: name\0value\0path\0 */
    const char *value, *path;
    size_t bytes;        /* strlen(name) + strlen(value) + strlen(path) */
    int64_t expires_s;   /* wall-clock seconds; 0 = until the run ends (a session cookie) */
} cookie;

typedef struct cookie_jar {
    cookie c[COOKIE_JAR_MAX];   /* oldest first */
    int n;
    size_t bytes;
} cookie_jar;

void cookie_jar_init(cookie_jar *j);
void cookie_jar_free(cookie_jar *j);
/* One Set-Cookie value (after "Set-Cookie:"), received for a request to request_path (e.g. "/socket.io/").
 * 1 stored, 0 deleted (or expired on arrival), -1 ignored (malformed, too large, out of memory). */
int  cookie_jar_set(cookie_jar *j, const char *line, size_t n, const char *request_path, int64_t now_s);
/* Appends "a=b; c=d" (what a Cookie header carries) for a request to path; returns how many cookies. */
int  cookie_jar_header(cookie_jar *j, const char *path, int64_t now_s, buf *out);
/* The value of a "Set-Cookie:" header line (any case, CRLF or not), or NULL for any other line. */
const char *cookie_header_value(const char *line, size_t n, size_t *value_len);

#endif
