/* fuzz_sio: the Socket.IO 4/5 codec on hostile bytes. Each input is read as a packet (and, when it is an
 * EVENT or ACK, through the first-string extractors and the array iterator), as an EVENT/ACK whose JSON
 * part is the whole input, as a JSON string literal, and as the argument of an encoded event.
 * Properties:
 *   - parsers stay inside the input (ASan) and return known codes; spans point into the input;
 *   - for an EVENT, the extractor's name and argument are the array's first two elements;
 *   - escape then unescape is the identity (any bytes: escape leaves bytes >= 0x20 alone), and escape's
 *     output is one valid JSON string;
 *   - encode_event_str then parse then extract gives the argument back;
 *   - sio_json_valid agrees with jsonv (JavaScript's JSON.parse) on valid UTF-8, except that sio refuses
 *     nesting deeper than SIO_JSON_MAX_DEPTH. */
#include <string.h>
#include "fuzz.h"
#include "proto/sio.h"
#include "base/jsonv.h"

static int known(int rc) { return strcmp(sio_err_name(rc), "unknown") != 0; }

static int inside(const char *p, size_t len, const char *s, size_t n)
{
    return p >= s && p + len <= s + n;
}

/* Nesting depth of valid JSON text (brackets outside strings). */
static int depth_of(const char *s, size_t n)
{
    int d = 0, max = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = 0;
        } else if (c == '"') in_str = 1;
        else if (c == '[' || c == '{') { if (++d > max) max = d; }
        else if (c == ']' || c == '}') d--;
    }
    return max;
}

/* Walk an array; the number of elements, or -1 on error. */
static long walk_array(const char *s, size_t n, const char **e0, size_t *l0, const char **e1, size_t *l1)
{
    size_t pos = 0;
    long k = 0;
    const char *e;
    size_t el;
    int rc;
    while ((rc = sio_array_next(s, n, &pos, &e, &el)) == SIO_OK) {
        FUZZ_ASSERT(inside(e, el, s, n) && el > 0);
        FUZZ_ASSERT(sio_json_valid(e, el) == SIO_OK);
        if (k == 0 && e0) { *e0 = e; *l0 = el; }
        if (k == 1 && e1) { *e1 = e; *l1 = el; }
        k++;
    }
    FUZZ_ASSERT(rc == SIO_END || rc == SIO_ERR_BAD_JSON);
    return rc == SIO_END ? k : -1;
}

static void check_packet(const char *s, size_t n)
{
    sio_packet p;
    buf arg = BUF_INIT, want = BUF_INIT;
    int rc = sio_packet_parse(s, n, &p);
    FUZZ_ASSERT(known(rc));
    if (rc != SIO_OK) goto out;
    FUZZ_ASSERT((unsigned)p.type <= SIO_CONNECT_ERROR && p.type != SIO_BINARY_EVENT);
    FUZZ_ASSERT(p.nsp_len > 0 && p.nsp[0] == '/');
    FUZZ_ASSERT(p.nsp_len == 1 || inside(p.nsp, p.nsp_len, s, n));
    FUZZ_ASSERT(inside(p.data, p.data_len, s, n));
    FUZZ_ASSERT(p.data_len == 0 || sio_json_valid(p.data, p.data_len) == SIO_OK);
    sio_nsp_is(&p, "/admin");
    const char *e0 = NULL, *e1 = NULL;
    size_t l0 = 0, l1 = 0;
    long count = p.data_len ? walk_array(p.data, p.data_len, &e0, &l0, &e1, &l1) : -1;
    if (p.type == SIO_EVENT) {
        FUZZ_ASSERT(count >= 1);
        const char *name;
        size_t name_len;
        rc = sio_event_first_string(&p, &name, &name_len, &arg);
        FUZZ_ASSERT(known(rc) && rc != SIO_ERR_BAD_JSON && rc != SIO_ERR_NOT_EVENT);
        if (rc == SIO_OK || rc == SIO_ERR_NO_ARG || rc == SIO_ERR_ARG_NOT_STRING) {
            FUZZ_ASSERT(e0[0] == '"' && name == e0 + 1 && name_len == l0 - 2);
            FUZZ_ASSERT((rc == SIO_ERR_NO_ARG) == (count == 1));
        }
        if (rc == SIO_OK) {
            FUZZ_ASSERT(e1 && e1[0] == '"' && sio_json_unescape(&want, e1, l1) == SIO_OK);
            FUZZ_ASSERT(want.len == arg.len && memcmp(want.data, arg.data, arg.len) == 0);
        }
    } else if (p.type == SIO_ACK) {
        FUZZ_ASSERT(count >= 0);
        rc = sio_ack_first_string(&p, &arg);
        FUZZ_ASSERT(known(rc) && rc != SIO_ERR_BAD_JSON);
        FUZZ_ASSERT((rc == SIO_ERR_NO_ARG) == (count == 0));
        if (rc == SIO_OK) {
            FUZZ_ASSERT(e0 && e0[0] == '"' && sio_json_unescape(&want, e0, l0) == SIO_OK);
            FUZZ_ASSERT(want.len == arg.len && memcmp(want.data, arg.data, arg.len) == 0);
        }
    }
out:
    buf_free(&arg);
    buf_free(&want);
}

/* The extractors given a packet built by hand around unchecked bytes must still stay inside them. */
static void check_raw_extract(const char *s, size_t n)
{
    sio_packet p = {SIO_EVENT, "/", 1, -1, s, n};
    buf arg = BUF_INIT;
    const char *name;
    size_t name_len;
    FUZZ_ASSERT(known(sio_event_first_string(&p, &name, &name_len, &arg)));
    p.type = SIO_ACK;
    FUZZ_ASSERT(known(sio_ack_first_string(&p, &arg)));
    buf_free(&arg);
}

static void check_strings(const char *s, size_t n)
{
    buf esc = BUF_INIT, back = BUF_INIT, pkt = BUF_INIT;
    /* the input as a literal */
    buf_append(&back, "x", 1);
    int rc = sio_json_unescape(&back, s, n);
    FUZZ_ASSERT(rc == SIO_OK || rc == SIO_ERR_BAD_JSON);
    if (rc == SIO_OK) FUZZ_ASSERT(back.len <= n + 1);
    else FUZZ_ASSERT(back.len == 1);
    buf_clear(&back);
    /* escape -> unescape */
    FUZZ_ASSERT(sio_json_escape(&esc, s, n) == SIO_OK);
    FUZZ_ASSERT(sio_json_valid(esc.data, esc.len) == SIO_OK);
    if (jsonv_utf8_valid(s, n)) FUZZ_ASSERT(jsonv_valid(esc.data, esc.len));
    FUZZ_ASSERT(sio_json_unescape(&back, esc.data, esc.len) == SIO_OK);
    FUZZ_ASSERT(back.len == n && (n == 0 || memcmp(back.data, s, n) == 0));
    /* encode an event around it, parse it back */
    FUZZ_ASSERT(sio_encode_event_str(&pkt, "/admin", (long)n, "counter", s, n) == SIO_OK);
    sio_packet p;
    FUZZ_ASSERT(sio_packet_parse(pkt.data, pkt.len, &p) == SIO_OK);
    FUZZ_ASSERT(p.type == SIO_EVENT && sio_nsp_is(&p, "/admin") && p.ack_id == (long)n);
    const char *name;
    size_t name_len;
    buf_clear(&back);
    FUZZ_ASSERT(sio_event_first_string(&p, &name, &name_len, &back) == SIO_OK);
    FUZZ_ASSERT(name_len == 7 && memcmp(name, "counter", 7) == 0);
    FUZZ_ASSERT(back.len == n && (n == 0 || memcmp(back.data, s, n) == 0));
    buf_free(&esc);
    buf_free(&back);
    buf_free(&pkt);
}

static void check_json(const char *s, size_t n)
{
    int sv = sio_json_valid(s, n);
    FUZZ_ASSERT(sv == SIO_OK || sv == SIO_ERR_BAD_JSON);
    if (!jsonv_utf8_valid(s, n)) return;         /* sio leaves UTF-8 to the WebSocket layer */
    int jv = jsonv_valid(s, n);
    if (sv == SIO_OK) FUZZ_ASSERT(jv);
    else if (jv) FUZZ_ASSERT(depth_of(s, n) > SIO_JSON_MAX_DEPTH);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_packet(s, size);
    check_raw_extract(s, size);
    check_strings(s, size);
    check_json(s, size);
    return 0;
}
