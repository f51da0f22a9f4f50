/* headers: the user's HTTP headers (-H/--header, target.headers, target.headers_file), sent on every
 * polling request (GET and POST) and on the websocket upgrade request alike, in the manner of curl's -H.
 *
 *   -H 'Authorization: Bearer abc'      every client
 *   -H 'X-Client: c{{client}}'          {{client}}: the client's global index (base/template.h)
 *   -H @tokens.txt                      one "Name: value" line per client: client i sends line i
 *
 * Names are RFC 9110 tokens; values hold no control character but TAB (no CR, LF or NUL: nothing can
 * smuggle a header or a request) and are trimmed of blanks around them. Headers siocrypt sets itself are
 * refused (Host, Connection, Upgrade, Origin, Content-Length, Transfer-Encoding, Sec-WebSocket-*): the
 * transports write those from the URL and the protocol. One client's headers together stay within
 * HEADERS_MAX_BYTES, which the websocket's handshake buffer is sized for. */
#ifndef SIOCRYPT_HEADERS_H
#define SIOCRYPT_HEADERS_H
#include <stddef.h>
#include "base/buf.h"

#define HEADERS_MAX_BYTES (8u << 10)     /* one client's headers, "Name: value\r\n" each */
#define HEADERS_MAX_FILE  (16u << 20)    /* a headers file (a token per client: 100,000 JWTs fit) */

typedef struct headers {
    char **lines;        /* "Name: value" (values may hold {{client}}), sent by every client */
    size_t n;
    char **per_client;   /* the headers file's lines: client i sends line i (i mod the count past it) */
    size_t nper;
    size_t bytes;        /* the lines' total, as sent */
    size_t per_client_max;   /* the longest file line, as sent */
} headers;

/* One header as a name and a value; what names the source in errors ("-H", "target.headers.X"). */
int  headers_check(const char *name, const char *value, const char *what, buf *err);
/* "Name: value" into name and value (checked, value trimmed). */
int  headers_split(const char *line, size_t n, buf *name, buf *value, const char *what, buf *err);
int  headers_add(headers *h, const char *name, const char *value, const char *what, buf *err);
/* The file's non-empty lines (CRLF or LF), each checked; read through base/fileio (HEADERS_MAX_FILE). */
int  headers_load_file(headers *h, const char *path, buf *err);
/* A headers file with fewer lines than clients is a usage error: a pre-issued token each. */
int  headers_check_clients(const headers *h, int clients, buf *err);
size_t headers_count(const headers *h);
/* Header k of client `client` as "Name: value", {{client}} expanded, appended to out; *name_len is the
 * name's length. -1 on ENOMEM. */
int  headers_line(const headers *h, size_t k, int client, buf *out, size_t *name_len);
void headers_free(headers *h);

#endif
