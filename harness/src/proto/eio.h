/* eio: Engine.IO packets and polling payloads, protocol 3 (socket.io 2.x) and 4 (socket.io 3.x/4.x).
 * Pure codec: no I/O, no allocation except in the caller's buf. Parsers take (const char *, size_t), never
 * read past n, never need a NUL, and point into the input (zero-copy): an eio_packet is valid only as long
 * as the bytes it was parsed from.
 *
 * Wire forms (captured from socket.io 2.5.1 / engine.io 3.6.2 and socket.io 4.8.4 / engine.io 6.6.12):
 *   packet (one WebSocket text frame):  <type digit><data>            "4hello", "2", "3probe"
 *   EIO4 polling payload:               packets joined by 0x1E        "42[\"a\",1]\x1e42[\"b\",\"two\"]"
 *   EIO3 polling payload:               <len>:<packet> repeated       "2:4012:42[\"e\",\"😀\"]"
 *     where len counts UTF-16 code units of the packet (an emoji counts 2, "é" counts 1), not bytes.
 * Binary packets ("b<base64>" in a text payload, EIO3's application/octet-stream payloads) are refused with
 * EIO_ERR_BINARY_UNSUPPORTED: the harness speaks only text. */
#ifndef SIOCRYPT_EIO_H
#define SIOCRYPT_EIO_H
#include <stddef.h>
#include "base/buf.h"

typedef enum {
    EIO_OPEN = 0, EIO_CLOSE = 1, EIO_PING = 2, EIO_PONG = 3,
    EIO_MESSAGE = 4, EIO_UPGRADE = 5, EIO_NOOP = 6
} eio_type;

/* Results. 0 is success, EIO_END (positive) ends a payload iteration, errors are negative and have
 * stable names (eio_err_name) that reports and tests may rely on. */
enum {
    EIO_OK = 0,
    EIO_END = 1,                        /* eio_payload_next: no more packets */
    EIO_ERR_EMPTY = -1,                 /* "empty": zero-length packet */
    EIO_ERR_BAD_TYPE = -2,              /* "bad-type": first byte is not '0'..'6' */
    EIO_ERR_BAD_LENGTH = -3,            /* "bad-length": EIO3 length prefix not digits, too big, or splits a char */
    EIO_ERR_TRUNCATED = -4,             /* "truncated": payload ends inside a length prefix or packet */
    EIO_ERR_BINARY_UNSUPPORTED = -5,    /* "binary-unsupported": base64 "b..." packet or binary payload */
    EIO_ERR_BAD_JSON = -6,              /* "bad-json": open packet / error body is not the expected JSON */
    EIO_ERR_BAD_UTF8 = -7,              /* "bad-utf8": EIO3 needs UTF-16 lengths, so invalid UTF-8 is refused */
    EIO_ERR_BAD_PROTO = -8,             /* "bad-proto": protocol other than 3 or 4 */
    EIO_ERR_NOMEM = -9,                 /* "nomem": buf could not grow */
    EIO_ERR_BAD_ARG = -10,              /* "bad-arg": encoder given a type outside 0..6 */
    EIO_ERR_BAD_SID = -11               /* "bad-sid": the open packet's sid is not a plain token */
};

const char *eio_err_name(int err);      /* "ok", "end", "empty", ...; "unknown" for anything else */
const char *eio_type_name(eio_type t);  /* "open", "close", ... */

typedef struct eio_packet {
    eio_type type;
    const char *data;   /* points into the parsed input, right after the type byte; not NUL-terminated */
    size_t len;
} eio_packet;

/* One packet, e.g. a WebSocket text frame. Same form in protocols 3 and 4. */
int eio_packet_parse(const char *s, size_t n, eio_packet *out);

/* Iterate a polling (GET) response body. *pos starts at 0 and is opaque between calls.
 * Returns EIO_OK with *out set, EIO_END when the payload is used up, or an error: engine.io drops the
 * whole payload on any error, so after one every later call gives EIO_END. An empty body gives EIO_END.
 * EIO3: "0:" (empty payload) entries are skipped as engine.io-parser 2 does; a body starting with byte
 * 0x00 or 0x01 is a binary payload -> EIO_ERR_BINARY_UNSUPPORTED.
 * EIO4: an empty piece between separators or after a trailing 0x1E -> EIO_ERR_EMPTY. */
int eio_payload_next(int proto, const char *s, size_t n, size_t *pos, eio_packet *out);

/* Encoders APPEND to b (they never clear it), so a caller can build a frame in one buffer. */
int eio_packet_encode(buf *b, eio_type t, const char *data, size_t n);   /* "<t><data>" */

/* Append one packet to a POST body that b holds ALONE (b->len == 0 means "first packet").
 * EIO4: 0x1E before every packet but the first. EIO3: "<UTF-16 length>:<packet>"; data must be valid
 * UTF-8 (else EIO_ERR_BAD_UTF8, b unchanged). */
int eio_payload_append(int proto, buf *b, eio_type t, const char *data, size_t n);

/* UTF-16 code units of valid UTF-8 s[0..n); -1 if s is not valid UTF-8. */
long eio_utf16_len(const char *s, size_t n);

/* The open packet's JSON (the data of an EIO_OPEN packet, without the '0').
 * EIO3 has no maxPayload (max_payload = 0).
 * The sid goes into every later request line (polling URLs, the websocket upgrade), so it must be a plain
 * token: 1..EIO_SID_MAX-1 bytes of A-Z a-z 0-9 - _ . ~ (engine.io's base64id sids are 20 of them);
 * anything else (CR LF, spaces, control bytes, '&', too long) -> EIO_ERR_BAD_SID.
 * The server's numbers are clamped where they are read, so nothing later multiplies them past int64:
 * pingInterval and pingTimeout above EIO_PING_MAX_MS read as EIO_PING_MAX_MS; maxPayload is kept as
 * announced (at most 9e15), its users cap it (probe.c: at the message limit).
 * On any failure why is a short fixed text saying what was wrong ("sid has a control byte"). */
#define EIO_SID_MAX 64
#define EIO_PING_MAX_MS 3600000L        /* one hour; engine.io's defaults are 25000 and 20000 */
typedef struct eio_open {
    char sid[EIO_SID_MAX];      /* NUL-terminated copy */
    int upgrade_websocket;      /* 1 if "upgrades" lists "websocket" (polling handshake); 0 over ws */
    long ping_interval;         /* ms, 0..EIO_PING_MAX_MS */
    long ping_timeout;          /* ms, 0..EIO_PING_MAX_MS */
    long max_payload;           /* bytes, 0 if absent (EIO3) */
    const char *why;            /* NULL on success */
} eio_open;
int eio_open_parse(const char *json, size_t n, eio_open *out);
/* NULL when s[0..n) is a plain sid token (rule above), else why not. */
const char *eio_sid_problem(const char *s, size_t n);

/* The body of an HTTP 400 from the engine.io server: {"code":N,"message":"..."}.
 * Codes captured from engine.io 6.6.12: 0 "Transport unknown", 1 "Session ID unknown", 2 "Bad handshake
 * method" (a POST without sid), 5 "Unsupported protocol version" (EIO=3 without allowEIO3, or EIO=5).
 * engine.io 3.6.2 gives the same 0 and 1, and answers EIO=5 with an EIO3 handshake. */
typedef struct eio_http_error {
    int code;
    char message[128];          /* NUL-terminated copy, truncated to fit */
} eio_http_error;
int eio_error_parse(const char *json, size_t n, eio_http_error *out);

#endif
