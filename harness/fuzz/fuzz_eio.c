/* fuzz_eio: the Engine.IO 3/4 codec on hostile bytes. Each input is read as a single packet, as an
 * EIO3 and an EIO4 polling payload (to the end or the first error), as an open packet's JSON and as an
 * HTTP error body. Properties:
 *   - parsers stay inside the input (ASan) and return a known code;
 *   - after an error, the payload iterator only says EIO_END;
 *   - the packets of a payload, appended again with eio_payload_append, parse back to the same packets
 *     (EIO3 with its UTF-16 lengths, EIO4 with its 0x1E separators);
 *   - eio_utf16_len agrees with jsonv's UTF-8 check. */
#include <string.h>
#include "fuzz.h"
#include "proto/eio.h"
#include "base/jsonv.h"

#define MAXP 4096

static void check_packet(const char *s, size_t n)
{
    eio_packet p;
    int rc = eio_packet_parse(s, n, &p);
    FUZZ_ASSERT(strcmp(eio_err_name(rc), "unknown") != 0);
    if (rc == EIO_OK) {
        FUZZ_ASSERT((unsigned)p.type <= EIO_NOOP && p.data == s + 1 && p.len == n - 1);
        FUZZ_ASSERT(strcmp(eio_type_name(p.type), "unknown") != 0);
    }
}

static void check_payload(int proto, const char *s, size_t n)
{
    static eio_packet got[MAXP];
    size_t pos = 0, np = 0;
    int rc;
    while ((rc = eio_payload_next(proto, s, n, &pos, &got[np])) == EIO_OK) {
        FUZZ_ASSERT((unsigned)got[np].type <= EIO_NOOP);
        FUZZ_ASSERT(got[np].data >= s && got[np].data + got[np].len <= s + n);
        FUZZ_ASSERT(np < MAXP);                 /* a packet takes at least one input byte */
        np++;
    }
    FUZZ_ASSERT(rc == EIO_END || (rc < 0 && strcmp(eio_err_name(rc), "unknown") != 0));
    if (rc < 0) {
        eio_packet p;
        FUZZ_ASSERT(eio_payload_next(proto, s, n, &pos, &p) == EIO_END);
        return;
    }
    /* the whole payload parsed: write its packets again and read them back */
    buf b = BUF_INIT;
    for (size_t k = 0; k < np; k++)
        FUZZ_ASSERT(eio_payload_append(proto, &b, got[k].type, got[k].data, got[k].len) == EIO_OK);
    if (np == 0) FUZZ_ASSERT(b.len == 0);
    pos = 0;
    for (size_t k = 0; k < np; k++) {
        eio_packet p;
        FUZZ_ASSERT(eio_payload_next(proto, b.data, b.len, &pos, &p) == EIO_OK);
        FUZZ_ASSERT(p.type == got[k].type && p.len == got[k].len);
        FUZZ_ASSERT(p.len == 0 || memcmp(p.data, got[k].data, p.len) == 0);
    }
    eio_packet p;
    FUZZ_ASSERT(eio_payload_next(proto, b.data, b.len, &pos, &p) == EIO_END);
    buf_free(&b);
}

static void check_json(const char *s, size_t n)
{
    eio_open o;
    if (eio_open_parse(s, n, &o) == EIO_OK) {
        FUZZ_ASSERT(memchr(o.sid, 0, sizeof o.sid) != NULL);
        FUZZ_ASSERT(o.ping_interval >= 0 && o.ping_timeout >= 0 && o.max_payload >= 0);
    }
    eio_http_error e;
    if (eio_error_parse(s, n, &e) == EIO_OK) FUZZ_ASSERT(memchr(e.message, 0, sizeof e.message) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_packet(s, size);
    check_payload(3, s, size);
    check_payload(4, s, size);
    check_json(s, size);
    long units = eio_utf16_len(s, size);
    FUZZ_ASSERT((units >= 0) == (jsonv_utf8_valid(s, size) != 0));
    FUZZ_ASSERT(units <= (long)size);
    return 0;
}
