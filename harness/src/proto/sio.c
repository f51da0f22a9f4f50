/* sio: Socket.IO protocol 4/5 text packets, and the small JSON reader/writer they need.
 * The JSON is checked by jsonv (the one JSON.parse grammar), on the hot path: one linear pass to
 * validate, one to pull the first string argument out, no allocation but the caller's buf. */
#include "proto/sio.h"
#include <string.h>
#include "base/jsonv.h"
#include "base/text.h"

const char *sio_err_name(int err)
{
    switch (err) {
    case SIO_OK: return "ok";
    case SIO_END: return "end";
    case SIO_ERR_EMPTY: return "empty";
    case SIO_ERR_BAD_TYPE: return "bad-type";
    case SIO_ERR_BINARY_UNSUPPORTED: return "binary-unsupported";
    case SIO_ERR_BAD_NAMESPACE: return "bad-namespace";
    case SIO_ERR_BAD_ACK_ID: return "bad-ack-id";
    case SIO_ERR_BAD_JSON: return "bad-json";
    case SIO_ERR_BAD_PAYLOAD: return "bad-payload";
    case SIO_ERR_NOT_EVENT: return "not-event";
    case SIO_ERR_BAD_EVENT_NAME: return "bad-event-name";
    case SIO_ERR_NO_ARG: return "no-arg";
    case SIO_ERR_ARG_NOT_STRING: return "arg-not-string";
    case SIO_ERR_NOMEM: return "nomem";
    case SIO_ERR_BAD_ARG: return "bad-arg";
    default: return "unknown";
    }
}

const char *sio_type_name(sio_type t)
{
    static const char *names[] = {"CONNECT", "DISCONNECT", "EVENT", "ACK", "CONNECT_ERROR",
                                  "BINARY_EVENT", "BINARY_ACK"};
    return (unsigned)t <= SIO_BINARY_ACK ? names[t] : "unknown";
}

/* ---- JSON reading ---- */

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }


/* s[*i] is '"': move *i past the closing quote. *escaped becomes 1 if the string holds a backslash. The
 * grammar is jsonv's (JSON.parse's), bytes as they are (JSONV_BYTES: see sio.h on UTF-8). */
static int json_string(const char *s, size_t n, size_t *i, int *escaped)
{
    size_t start = *i;
    if (jsonv_scan_string(s, n, i, JSONV_BYTES) < 0) return SIO_ERR_BAD_JSON;
    *escaped = memchr(s + start, '\\', *i - start) != NULL;
    return SIO_OK;
}

/* Move *i past the JSON value that starts at s[*i], itself inside depth containers. */
static int json_value(const char *s, size_t n, size_t *i, int depth)
{
    return jsonv_scan(s, n, i, JSONV_BYTES, (size_t)(SIO_JSON_MAX_DEPTH - depth)) < 0 ? SIO_ERR_BAD_JSON : SIO_OK;
}

int sio_json_valid(const char *s, size_t n)
{
    size_t i = skip_ws(s, n, 0);
    if (json_value(s, n, &i, 0) < 0) return SIO_ERR_BAD_JSON;
    return skip_ws(s, n, i) == n ? SIO_OK : SIO_ERR_BAD_JSON;
}

int sio_array_next(const char *s, size_t n, size_t *pos, const char **elem, size_t *elem_len)
{
    size_t i = *pos;
    if (i == 0) {                               /* first call: open the array */
        i = skip_ws(s, n, 0);
        if (i >= n || s[i] != '[') return SIO_ERR_BAD_JSON;
        i = skip_ws(s, n, i + 1);
        if (i < n && s[i] == ']') { *pos = n + 1; return SIO_END; }
    } else {
        if (i > n) return SIO_END;
        i = skip_ws(s, n, i);
        if (i < n && s[i] == ']') { *pos = n + 1; return SIO_END; }
        if (i >= n || s[i] != ',') return SIO_ERR_BAD_JSON;
        i = skip_ws(s, n, i + 1);
    }
    size_t start = i;
    if (json_value(s, n, &i, 1) < 0) return SIO_ERR_BAD_JSON;
    *elem = s + start;
    *elem_len = i - start;
    *pos = i;
    return SIO_OK;
}

/* ---- JSON strings ---- */

/* Undo a partial append: encoders leave b as it was when they fail. */
static int fail(buf *b, size_t mark, int err)
{
    b->len = mark;
    if (b->data) b->data[mark] = '\0';
    return err;
}


static char *put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) { *o++ = (char)cp; return o; }
    if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
    }
    *o++ = (char)(0x80 | (cp & 0x3F));
    return o;
}

static unsigned hex4(const char *p)
{
    return (unsigned)(text_hex_value((unsigned char)p[0]) << 12 | text_hex_value((unsigned char)p[1]) << 8 |
                      text_hex_value((unsigned char)p[2]) << 4 | text_hex_value((unsigned char)p[3]));
}

/* Decoded output is never longer than the literal (\uXXXX: 6 bytes in, at most 3 out; a pair: 12 in,
 * 4 out), so one reserve covers it and the loop writes straight into the buffer. */
int sio_json_unescape(buf *b, const char *s, size_t n)
{
    if (n < 2 || s[0] != '"') return SIO_ERR_BAD_JSON;
    size_t i = 0;
    int esc = 0;
    if (json_string(s, n, &i, &esc) < 0 || i != n) return SIO_ERR_BAD_JSON;
    if (buf_reserve(b, n) < 0) return SIO_ERR_NOMEM;
    char *o = b->data + b->len;
    const char *p = s + 1, *end = s + n - 1;
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = (size_t)((bs ? bs : end) - p);
        memcpy(o, p, run);
        o += run;
        p += run;
        if (!bs) break;
        char c = p[1];
        p += 2;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            unsigned cp = hex4(p);
            p += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                unsigned lo = hex4(p + 2);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;    /* lone surrogate */
            o = put_utf8(o, cp);
            break;
        }
        default: *o++ = c; break;                 /* " \ / */
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return SIO_OK;
}

int sio_json_escape(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t mark = b->len, run = 0;
    if (buf_reserve(b, n + 2) < 0 || buf_append_char(b, '"') < 0) return fail(b, mark, SIO_ERR_NOMEM);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        char e[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        default:
            memcpy(e + 1, "u00", 3);
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        }
        if (buf_append(b, s + run, i - run) < 0 || buf_append(b, e, el) < 0) goto nomem;
        run = i + 1;
    }
    if (buf_append(b, s + run, n - run) < 0 || buf_append_char(b, '"') < 0) goto nomem;
    return SIO_OK;
nomem:
    return fail(b, mark, SIO_ERR_NOMEM);
}

/* ---- packets ---- */

int sio_nsp_is(const sio_packet *p, const char *nsp)
{
    size_t l = strlen(nsp);
    return p->nsp_len == l && memcmp(p->nsp, nsp, l) == 0;
}

/* The JSON part must fit the packet type (socket.io-parser's isPayloadValid, see sio.h). */
static int check_shape(sio_type t, const char *d, size_t n)
{
    char c = n ? d[skip_ws(d, n, 0)] : 0;
    switch (t) {
    case SIO_CONNECT: return !n || c == '{' ? SIO_OK : SIO_ERR_BAD_PAYLOAD;
    case SIO_DISCONNECT: return !n ? SIO_OK : SIO_ERR_BAD_PAYLOAD;
    case SIO_CONNECT_ERROR: return !n || c == '{' || c == '"' ? SIO_OK : SIO_ERR_BAD_PAYLOAD;
    case SIO_ACK: return c == '[' ? SIO_OK : SIO_ERR_BAD_PAYLOAD;
    case SIO_EVENT: {
        const char *e;
        size_t pos = 0, el;
        if (c != '[' || sio_array_next(d, n, &pos, &e, &el) != SIO_OK) return SIO_ERR_BAD_PAYLOAD;
        return e[0] == '"' || e[0] == '-' || is_digit(e[0]) ? SIO_OK : SIO_ERR_BAD_PAYLOAD;
    }
    default: return SIO_ERR_BAD_TYPE;
    }
}

int sio_packet_parse(const char *s, size_t n, sio_packet *out)
{
    if (n == 0) return SIO_ERR_EMPTY;
    if (s[0] < '0' || s[0] > '6') return SIO_ERR_BAD_TYPE;
    out->type = (sio_type)(s[0] - '0');
    out->nsp = "/";
    out->nsp_len = 1;
    out->ack_id = -1;
    out->data = s + n;
    out->data_len = 0;
    if (out->type == SIO_BINARY_EVENT || out->type == SIO_BINARY_ACK) return SIO_ERR_BINARY_UNSUPPORTED;
    size_t i = 1;
    if (i < n && s[i] == '/') {
        /* As socket.io-parser does, a namespace with no ',' runs to the end of the packet; if it then
         * holds JSON-looking bytes, a ',' was missing ("2/admin[\"x\"]"): say so rather than guess. */
        const char *comma = memchr(s + i, ',', n - i);
        size_t end = comma ? (size_t)(comma - s) : n;
        if (!comma && (memchr(s + i, '[', n - i) || memchr(s + i, '{', n - i) || memchr(s + i, '"', n - i)))
            return SIO_ERR_BAD_NAMESPACE;
        out->nsp = s + i;
        out->nsp_len = end - i;
        i = comma ? end + 1 : n;
    }
    size_t d = i;
    long id = 0;
    while (i < n && is_digit(s[i])) {
        if (i - d >= 15) return SIO_ERR_BAD_ACK_ID;     /* keeps ids exact as JS numbers, no overflow */
        id = id * 10 + (s[i] - '0');
        i++;
    }
    if (i > d) out->ack_id = id;
    out->data = s + i;
    out->data_len = n - i;
    if (out->data_len && sio_json_valid(out->data, out->data_len) != SIO_OK) return SIO_ERR_BAD_JSON;
    return check_shape(out->type, out->data, out->data_len);
}

/* s[i] starts the first argument: unescape it into arg if it is a string. */
static int first_string_at(const char *s, size_t n, size_t i, buf *arg)
{
    int esc = 0;
    if (i >= n) return SIO_ERR_BAD_JSON;
    if (s[i] != '"') return s[i] && strchr("{[tfn-0123456789", s[i]) ? SIO_ERR_ARG_NOT_STRING : SIO_ERR_BAD_JSON;
    size_t start = i;
    if (json_string(s, n, &i, &esc) < 0) return SIO_ERR_BAD_JSON;
    buf_clear(arg);
    if (!esc)
        return buf_append(arg, s + start + 1, i - start - 2) < 0 ? SIO_ERR_NOMEM : SIO_OK;
    return sio_json_unescape(arg, s + start, i - start);
}

int sio_event_first_string(const sio_packet *p, const char **name, size_t *name_len, buf *arg)
{
    const char *s = p->data;
    size_t n = p->data_len, i;
    int esc = 0;
    if (p->type != SIO_EVENT) return SIO_ERR_NOT_EVENT;
    i = skip_ws(s, n, 0);
    if (i >= n || s[i] != '[') return SIO_ERR_BAD_PAYLOAD;
    i = skip_ws(s, n, i + 1);
    if (i >= n) return SIO_ERR_BAD_JSON;
    if (s[i] == ']') return SIO_ERR_BAD_PAYLOAD;
    if (s[i] != '"') return SIO_ERR_BAD_EVENT_NAME;
    size_t start = i;
    if (json_string(s, n, &i, &esc) < 0) return SIO_ERR_BAD_JSON;
    *name = s + start + 1;
    *name_len = i - start - 2;
    i = skip_ws(s, n, i);
    if (i >= n) return SIO_ERR_BAD_JSON;
    if (s[i] == ']') return SIO_ERR_NO_ARG;
    if (s[i] != ',') return SIO_ERR_BAD_JSON;
    return first_string_at(s, n, skip_ws(s, n, i + 1), arg);
}

int sio_ack_first_string(const sio_packet *p, buf *arg)
{
    const char *s = p->data;
    size_t n = p->data_len, i;
    if (p->type != SIO_ACK) return SIO_ERR_NOT_EVENT;
    i = skip_ws(s, n, 0);
    if (i >= n || s[i] != '[') return SIO_ERR_BAD_PAYLOAD;
    i = skip_ws(s, n, i + 1);
    if (i < n && s[i] == ']') return SIO_ERR_NO_ARG;
    return first_string_at(s, n, i, arg);
}

/* ---- encoders ---- */

/* 1 for the main namespace (left out of the packet), 0 for a valid other one, -1 for an invalid one. */
static int nsp_kind(const char *nsp)
{
    if (!nsp || strcmp(nsp, "/") == 0) return 1;
    return nsp[0] == '/' && !strchr(nsp, ',') ? 0 : -1;
}

static int head(buf *b, char type, const char *nsp, long ack_id)
{
    if (buf_append_char(b, type) < 0) return -1;
    if (nsp_kind(nsp) == 0 && buf_printf(b, "%s,", nsp) < 0) return -1;
    if (ack_id >= 0 && buf_printf(b, "%ld", ack_id) < 0) return -1;
    return 0;
}

int sio_encode_connect(buf *b, const char *nsp, const char *auth_json_or_null)
{
    size_t mark = b->len;
    if (nsp_kind(nsp) < 0) return SIO_ERR_BAD_NAMESPACE;
    if (head(b, '0', nsp, -1) < 0 ||
        (auth_json_or_null && buf_append_str(b, auth_json_or_null) < 0)) return fail(b, mark, SIO_ERR_NOMEM);
    return SIO_OK;
}

int sio_encode_disconnect(buf *b, const char *nsp)
{
    size_t mark = b->len;
    if (nsp_kind(nsp) < 0) return SIO_ERR_BAD_NAMESPACE;
    if (head(b, '1', nsp, -1) < 0) return fail(b, mark, SIO_ERR_NOMEM);
    return SIO_OK;
}

int sio_encode_event_str(buf *b, const char *nsp, long ack_id, const char *event,
                         const char *arg, size_t arglen)
{
    size_t mark = b->len;
    if (nsp_kind(nsp) < 0) return SIO_ERR_BAD_NAMESPACE;
    if (!event || (!arg && arglen)) return SIO_ERR_BAD_ARG;
    /* one reserve for the common case (nothing to escape) keeps the hot path to a single allocation */
    if (buf_reserve(b, 32 + (nsp ? strlen(nsp) : 0) + strlen(event) + arglen) < 0 ||
        head(b, '2', nsp, ack_id) < 0 || buf_append_char(b, '[') < 0 ||
        sio_json_escape(b, event, strlen(event)) < 0 || buf_append_char(b, ',') < 0 ||
        sio_json_escape(b, arg ? arg : "", arglen) < 0 || buf_append_char(b, ']') < 0)
        return fail(b, mark, SIO_ERR_NOMEM);
    return SIO_OK;
}

static int encode_array(buf *b, char type, const char *nsp, long ack_id, const char *json, size_t n)
{
    size_t mark = b->len;
    size_t i = skip_ws(json, n, 0);
    if (nsp_kind(nsp) < 0) return SIO_ERR_BAD_NAMESPACE;
    if (i >= n || json[i] != '[' || sio_json_valid(json, n) != SIO_OK) return SIO_ERR_BAD_JSON;
    if (head(b, type, nsp, ack_id) < 0 || buf_append(b, json, n) < 0) return fail(b, mark, SIO_ERR_NOMEM);
    return SIO_OK;
}

int sio_encode_event_json(buf *b, const char *nsp, long ack_id, const char *array_json, size_t n)
{
    return encode_array(b, '2', nsp, ack_id, array_json, n);
}

int sio_encode_ack(buf *b, const char *nsp, long ack_id, const char *array_json, size_t n)
{
    if (ack_id < 0) return SIO_ERR_BAD_ARG;
    return encode_array(b, '3', nsp, ack_id, array_json, n);
}
