/* eio: Engine.IO protocol 3 and 4 packets and payloads. See eio.h for the wire forms. */
#include "proto/eio.h"
#include <cjson/cJSON.h>
#include <string.h>
#include "base/jsonv.h"

const char *eio_err_name(int err)
{
    switch (err) {
    case EIO_OK: return "ok";
    case EIO_END: return "end";
    case EIO_ERR_EMPTY: return "empty";
    case EIO_ERR_BAD_TYPE: return "bad-type";
    case EIO_ERR_BAD_LENGTH: return "bad-length";
    case EIO_ERR_TRUNCATED: return "truncated";
    case EIO_ERR_BINARY_UNSUPPORTED: return "binary-unsupported";
    case EIO_ERR_BAD_JSON: return "bad-json";
    case EIO_ERR_BAD_UTF8: return "bad-utf8";
    case EIO_ERR_BAD_PROTO: return "bad-proto";
    case EIO_ERR_NOMEM: return "nomem";
    case EIO_ERR_BAD_ARG: return "bad-arg";
    case EIO_ERR_BAD_SID: return "bad-sid";
    default: return "unknown";
    }
}

const char *eio_type_name(eio_type t)
{
    static const char *names[] = {"open", "close", "ping", "pong", "message", "upgrade", "noop"};
    return (unsigned)t <= EIO_NOOP ? names[t] : "unknown";
}

int eio_packet_parse(const char *s, size_t n, eio_packet *out)
{
    if (n == 0) return EIO_ERR_EMPTY;
    /* "b<base64>": a binary packet in a text transport (EIO3 "b4...", EIO4 "b..."). */
    if (s[0] == 'b') return EIO_ERR_BINARY_UNSUPPORTED;
    if (s[0] < '0' || s[0] > '6') return EIO_ERR_BAD_TYPE;
    out->type = (eio_type)(s[0] - '0');
    out->data = s + 1;
    out->len = n - 1;
    return EIO_OK;
}

/* Length of the UTF-8 sequence at p (avail bytes left) and its UTF-16 units in *units.
 * 0 when the sequence is cut by the end of input, -1 when invalid (overlongs, surrogates, > U+10FFFF). */
static int utf8_seq(const unsigned char *p, size_t avail, int *units)
{
    unsigned char c = p[0];
    int len;
    unsigned char lo = 0x80, hi = 0xBF;     /* allowed range of the second byte */
    *units = 1;
    if (c < 0x80) return 1;
    if (c < 0xC2) return -1;
    if (c < 0xE0) len = 2;
    else if (c < 0xF0) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;           /* overlong */
        if (c == 0xED) hi = 0x9F;           /* UTF-16 surrogates */
    } else if (c < 0xF5) {
        len = 4;
        *units = 2;
        if (c == 0xF0) lo = 0x90;           /* overlong */
        if (c == 0xF4) hi = 0x8F;           /* > U+10FFFF */
    } else return -1;
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= avail) return 0;
        unsigned char lo_i = i == 1 ? lo : 0x80, hi_i = i == 1 ? hi : 0xBF;
        if (p[i] < lo_i || p[i] > hi_i) return -1;
    }
    return len;
}

long eio_utf16_len(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    long units = 0;
    size_t i = 0;
    while (i < n) {
        int u, l = utf8_seq(p + i, n - i, &u);
        if (l <= 0) return -1;
        i += (size_t)l;
        units += u;
    }
    return units;
}

/* EIO3: "<len>:<packet>"; len counts UTF-16 units, so walk the UTF-8 to find the packet's byte end. */
static int payload3_next(const char *s, size_t n, size_t *pos, eio_packet *out)
{
    const unsigned char *p = (const unsigned char *)s;
    for (;;) {
        size_t i = *pos;
        if (i >= n) return EIO_END;
        if (i == 0 && (p[0] == 0x00 || p[0] == 0x01)) return EIO_ERR_BINARY_UNSUPPORTED;
        size_t units = 0, digits = 0;
        while (i < n && p[i] != ':') {
            if (p[i] < '0' || p[i] > '9' || ++digits > 9) return EIO_ERR_BAD_LENGTH;
            units = units * 10 + (size_t)(p[i] - '0');
            i++;
        }
        if (i >= n) return EIO_ERR_TRUNCATED;
        if (digits == 0) return EIO_ERR_BAD_LENGTH;
        size_t start = ++i, seen = 0;
        while (seen < units) {
            if (i >= n) return EIO_ERR_TRUNCATED;
            int u, l = utf8_seq(p + i, n - i, &u);
            if (l == 0) return EIO_ERR_TRUNCATED;
            if (l < 0) return EIO_ERR_BAD_UTF8;
            if (seen + (size_t)u > units) return EIO_ERR_BAD_LENGTH;   /* splits a surrogate pair */
            seen += (size_t)u;
            i += (size_t)l;
        }
        *pos = i;
        if (units == 0) continue;           /* "0:" is how engine.io 3 writes an empty payload */
        return eio_packet_parse(s + start, i - start, out);
    }
}

/* EIO4: packets joined by 0x1E. *pos is one past the separator that ended the last packet (n + 1 after
 * the last packet), so a trailing separator still yields its empty, hence invalid, last piece, and every
 * call makes progress even when the caller keeps going after an error. */
static int payload4_next(const char *s, size_t n, size_t *pos, eio_packet *out)
{
    size_t i = *pos;
    if (n == 0 || i > n) return EIO_END;
    const char *sep = i < n ? memchr(s + i, 0x1e, n - i) : NULL;
    size_t end = sep ? (size_t)(sep - s) : n;
    *pos = end + 1;
    return eio_packet_parse(s + i, end - i, out);
}

int eio_payload_next(int proto, const char *s, size_t n, size_t *pos, eio_packet *out)
{
    int rc;
    if (proto == 3) rc = payload3_next(s, n, pos, out);
    else if (proto == 4) rc = payload4_next(s, n, pos, out);
    else return EIO_ERR_BAD_PROTO;
    if (rc < 0) *pos = n + 1;               /* engine.io drops the rest of the payload: so do we */
    return rc;
}

int eio_packet_encode(buf *b, eio_type t, const char *data, size_t n)
{
    if ((unsigned)t > EIO_NOOP) return EIO_ERR_BAD_ARG;
    if (buf_reserve(b, n + 1) < 0) return EIO_ERR_NOMEM;
    buf_append_char(b, (char)('0' + t));
    buf_append(b, data, n);
    return EIO_OK;
}

int eio_payload_append(int proto, buf *b, eio_type t, const char *data, size_t n)
{
    if ((unsigned)t > EIO_NOOP) return EIO_ERR_BAD_ARG;
    if (proto == 4) {
        if (b->len > 0 && buf_append_char(b, 0x1e) < 0) return EIO_ERR_NOMEM;
        return eio_packet_encode(b, t, data, n);
    }
    if (proto != 3) return EIO_ERR_BAD_PROTO;
    long units = eio_utf16_len(data, n);
    if (units < 0) return EIO_ERR_BAD_UTF8;
    if (buf_printf(b, "%ld:", units + 1) < 0) return EIO_ERR_NOMEM;
    return eio_packet_encode(b, t, data, n);
}

/* A JSON number that is a non-negative integer fitting a long. */
static int json_long(const cJSON *o, const char *key, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.0e15) return -1;
    *out = (long)v->valuedouble;
    return 0;
}

static int copy_str(char *dst, size_t cap, const char *src, int truncate)
{
    size_t l = strlen(src);
    if (l >= cap) {
        if (!truncate) return -1;
        l = cap - 1;
    }
    memcpy(dst, src, l);
    dst[l] = '\0';
    return 0;
}

static int is_sid_char(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_' || ch == '.' || ch == '~';
}

const char *eio_sid_problem(const char *s, size_t n)
{
    if (n == 0) return "sid is empty";
    if (n >= EIO_SID_MAX) return "sid is longer than 63 bytes";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) return "sid has a control byte";
        if (ch == ' ') return "sid has a space";
        if (!is_sid_char(ch)) return "sid has a byte outside A-Z a-z 0-9 - _ . ~";
    }
    return NULL;
}

/* pingInterval / pingTimeout: a non-negative number; past EIO_PING_MAX_MS it reads as that. */
static int json_ping_ms(const cJSON *o, const char *key, long *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0)) return -1;
    *out = v->valuedouble > (double)EIO_PING_MAX_MS ? EIO_PING_MAX_MS : (long)v->valuedouble;
    return 0;
}

static int open_fail(eio_open *out, int rc, const char *why)
{
    out->why = why;
    return rc;
}

static int open_fields(const cJSON *o, eio_open *out)
{
    if (!cJSON_IsObject(o)) return open_fail(out, EIO_ERR_BAD_JSON, "not a JSON object");
    const cJSON *sid = cJSON_GetObjectItemCaseSensitive(o, "sid");
    const cJSON *up = cJSON_GetObjectItemCaseSensitive(o, "upgrades");
    if (!cJSON_IsString(sid)) return open_fail(out, EIO_ERR_BAD_JSON, "sid is not a string");
    const char *why = eio_sid_problem(sid->valuestring, strlen(sid->valuestring));
    if (why) return open_fail(out, EIO_ERR_BAD_SID, why);
    copy_str(out->sid, sizeof out->sid, sid->valuestring, 0);
    if (!cJSON_IsArray(up)) return open_fail(out, EIO_ERR_BAD_JSON, "upgrades is not an array");
    const cJSON *u;
    cJSON_ArrayForEach(u, up)
        if (cJSON_IsString(u) && strcmp(u->valuestring, "websocket") == 0) out->upgrade_websocket = 1;
    if (json_ping_ms(o, "pingInterval", &out->ping_interval) < 0)
        return open_fail(out, EIO_ERR_BAD_JSON, "pingInterval is not a number >= 0");
    if (json_ping_ms(o, "pingTimeout", &out->ping_timeout) < 0)
        return open_fail(out, EIO_ERR_BAD_JSON, "pingTimeout is not a number >= 0");
    if (cJSON_GetObjectItemCaseSensitive(o, "maxPayload") && json_long(o, "maxPayload", &out->max_payload) < 0)
        return open_fail(out, EIO_ERR_BAD_JSON, "maxPayload is not a number in [0, 9e15]");
    return EIO_OK;
}

int eio_open_parse(const char *json, size_t n, eio_open *out)
{
    memset(out, 0, sizeof *out);
    /* accepted as engine.io-client's JSON.parse accepts it (cJSON alone would take "{...}x" or 01), the
     * bytes as they came (JSONV_BYTES: the client parses text it has decoded already); then read by cJSON */
    if (jsonv_check(json, n, JSONV_BYTES) < 0) return open_fail(out, EIO_ERR_BAD_JSON, "not JSON");
    cJSON *o = cJSON_ParseWithLength(json, n);
    int rc = o ? open_fields(o, out) : open_fail(out, EIO_ERR_BAD_JSON, "not JSON");
    cJSON_Delete(o);
    return rc;
}

int eio_error_parse(const char *json, size_t n, eio_http_error *out)
{
    memset(out, 0, sizeof *out);
    cJSON *o = cJSON_ParseWithLength(json, n);
    int rc = EIO_ERR_BAD_JSON;
    long code;
    const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "message");
    if (!cJSON_IsObject(o) || json_long(o, "code", &code) < 0 || code > 1000 || !cJSON_IsString(msg))
        goto done;
    out->code = (int)code;
    copy_str(out->message, sizeof out->message, msg->valuestring, 1);
    rc = EIO_OK;
done:
    cJSON_Delete(o);
    return rc;
}
