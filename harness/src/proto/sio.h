/* sio: Socket.IO packets, protocol 4 (socket.io 2.x) and 5 (socket.io 3.x/4.x), the text form carried in
 * Engine.IO "4" message packets. Pure codec: no I/O. Parsers take (const char *, size_t), never read past
 * n, need no NUL, and return pointers into the input (zero-copy).
 *
 * Form: <type>[<namespace>,][<ack id>][<JSON>]; the namespace is left out when it is "/".
 * Frames captured from the real servers (socket.io 4.8.4 and 2.5.1), shown without the Engine.IO '4':
 *   0                         v4 (2.x): the server sends it for "/" unasked; v5: the client sends it first
 *   0{"sid":"..."}            v5 server's answer to a CONNECT           (v4 answers "0" / "0/admin,")
 *   0/admin,{"token":"abc"}   v5 client CONNECT with auth               (v4 client: "0/admin?token=abc,")
 *   4/random,{"message":"Invalid namespace"}   v5 CONNECT_ERROR: an object
 *   4/random,"Invalid namespace"               v4 CONNECT_ERROR: a plain JSON string
 *   1  1/admin,               DISCONNECT
 *   2["counter","..."]  2/admin,0["ev",1]  20["ack-me","x"]           EVENT (ack id before the JSON)
 *   3456[1]  3/admin,17["ok"]                                         ACK
 *   51-["bin",{"_placeholder":true,"num":0}] + binary attachment     BINARY_EVENT: refused here
 *
 * Differences from socket.io-parser's own checks, on purpose: EVENT and ACK without JSON are refused
 * ("bad-payload"; the JS parser lets them through with no data); reserved event names ("connect", ...)
 * are not checked; nesting deeper than SIO_JSON_MAX_DEPTH is refused; UTF-8 inside strings is not
 * validated (the WebSocket layer or the caller does that). */
#ifndef SIOCRYPT_SIO_H
#define SIOCRYPT_SIO_H
#include <stddef.h>
#include "base/buf.h"

typedef enum {
    SIO_CONNECT = 0, SIO_DISCONNECT = 1, SIO_EVENT = 2, SIO_ACK = 3,
    SIO_CONNECT_ERROR = 4, SIO_BINARY_EVENT = 5, SIO_BINARY_ACK = 6
} sio_type;

/* Results: 0 ok, SIO_END ends an iteration, negative errors with stable names (sio_err_name). */
enum {
    SIO_OK = 0,
    SIO_END = 1,
    SIO_ERR_EMPTY = -1,                 /* "empty" */
    SIO_ERR_BAD_TYPE = -2,              /* "bad-type": not '0'..'6' */
    SIO_ERR_BINARY_UNSUPPORTED = -3,    /* "binary-unsupported": BINARY_EVENT / BINARY_ACK */
    SIO_ERR_BAD_NAMESPACE = -4,         /* "bad-namespace": no ',' after it and it swallowed JSON; encoder: not "/..." or has ',' */
    SIO_ERR_BAD_ACK_ID = -5,            /* "bad-ack-id": more than 15 digits */
    SIO_ERR_BAD_JSON = -6,              /* "bad-json": the JSON part does not parse */
    SIO_ERR_BAD_PAYLOAD = -7,           /* "bad-payload": valid JSON of the wrong shape for the type */
    SIO_ERR_NOT_EVENT = -8,             /* "not-event": extractor given another packet type */
    SIO_ERR_BAD_EVENT_NAME = -9,        /* "bad-event-name": first element is not a string */
    SIO_ERR_NO_ARG = -10,               /* "no-arg": no first argument */
    SIO_ERR_ARG_NOT_STRING = -11,       /* "arg-not-string": first argument is an object, number, ... */
    SIO_ERR_NOMEM = -12,                /* "nomem" */
    SIO_ERR_BAD_ARG = -13               /* "bad-arg": encoder given an invalid argument */
};

#define SIO_JSON_MAX_DEPTH 64

const char *sio_err_name(int err);      /* "ok", "end", "empty", ...; "unknown" for anything else */
const char *sio_type_name(sio_type t);  /* "CONNECT", "DISCONNECT", "EVENT", ... */

typedef struct sio_packet {
    sio_type type;
    const char *nsp;    /* "/" (a static string) when absent; else points into the input, e.g. "/admin" */
    size_t nsp_len;
    long ack_id;        /* -1 when none */
    const char *data;   /* the JSON part, into the input; data_len 0 when absent */
    size_t data_len;
} sio_packet;

/* Parse a Socket.IO packet (the data of an Engine.IO message, without the '4'). The JSON part is fully
 * validated and its shape checked against the type: CONNECT object or nothing; DISCONNECT nothing;
 * EVENT a non-empty array whose first element is a string or number; ACK an array; CONNECT_ERROR a
 * string (v4), an object (v5), or nothing. */
int sio_packet_parse(const char *s, size_t n, sio_packet *out);

/* 1 when the packet's namespace equals nsp (NUL-terminated). */
int sio_nsp_is(const sio_packet *p, const char *nsp);

/* Hot path: for EVENT ["name","first arg",...] give the name (raw JSON string content between the
 * quotes, still escaped: "counter" has no escapes) and the first argument unescaped into arg (arg is
 * cleared first; \uXXXX and surrogate pairs become UTF-8, a lone surrogate becomes U+FFFD as Node's
 * Buffer.from does). Errors: not-event, bad-payload, bad-event-name, no-arg, arg-not-string, bad-json. */
int sio_event_first_string(const sio_packet *p, const char **name, size_t *name_len, buf *arg);

/* For ACK [ "first arg", ... ] (e.g. "3456[\"x\"]"): the first argument unescaped into arg. Errors:
 * not-event (not an ACK), no-arg, arg-not-string, bad-json. */
int sio_ack_first_string(const sio_packet *p, buf *arg);

/* General path: iterate the elements of a JSON array s[0..n) (e.g. p->data). *pos starts at 0.
 * Gives each element as a raw JSON span; SIO_END after the last; SIO_ERR_BAD_JSON on malformed input. */
int sio_array_next(const char *s, size_t n, size_t *pos, const char **elem, size_t *elem_len);

/* JSON strings. escape appends "<s escaped>" exactly as JavaScript's JSON.stringify writes a string:
 * \" \\ \b \f \n \r \t, other bytes below 0x20 as \u00xx (lowercase), everything else (DEL, '/',
 * non-ASCII UTF-8) as is. Bytes are not checked for UTF-8 validity.
 * unescape appends the value of the JSON string literal s[0..n) (with its quotes). */
int sio_json_escape(buf *b, const char *s, size_t n);
int sio_json_unescape(buf *b, const char *s, size_t n);
int sio_json_valid(const char *s, size_t n);     /* SIO_OK or SIO_ERR_BAD_JSON; surrounding whitespace ok */

/* Encoders APPEND to b and never clear it: to build a whole WebSocket frame in one buffer with no extra
 * copy, put the Engine.IO message type first:  buf_clear(b); buf_append_char(b, '4');
 * sio_encode_event_str(b, "/", -1, "counter", env, envlen);   ->  42["counter","{\"ct\":...}"]
 * nsp NULL or "/" is the main namespace (left out); any other must start with '/' and hold no ','.
 * ack_id < 0: no ack wanted. On error b is left as it was. The auth JSON of a CONNECT is appended as given;
 * array_json is checked to be one valid JSON array. */
int sio_encode_connect(buf *b, const char *nsp, const char *auth_json_or_null);      /* 0[/ns,][auth] */
int sio_encode_disconnect(buf *b, const char *nsp);                                  /* 1[/ns,] */
int sio_encode_event_str(buf *b, const char *nsp, long ack_id, const char *event,
                         const char *arg, size_t arglen);                 /* 2[/ns,][id]["event","arg"] */
int sio_encode_event_json(buf *b, const char *nsp, long ack_id,
                          const char *array_json, size_t n);              /* 2[/ns,][id]<array as given> */
int sio_encode_ack(buf *b, const char *nsp, long ack_id,
                   const char *array_json, size_t n);                     /* 3[/ns,]<id><array as given> */

#endif
