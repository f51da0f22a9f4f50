/* hlog: see hlog.h for the encoding. Written from the format's description (HdrHistogram's
 * AbstractHistogram encoding and HistogramLogWriter's line format), not from its code. */
#include "report/hlog.h"
#include "crypto/b64.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

int hlog_digits_for_sub_bits(int sub_bits)
{
    /* HdrHistogram: 2 * 10^d values at unit resolution -> 2^ceil(log2(2 * 10^d)) sub-buckets, half of
     * them per half octave; subBucketHalfCountMagnitude = that magnitude - 1. */
    int64_t single = 2;
    for (int d = 0; d <= 5; d++, single *= 10) {
        int mag = 0;
        while ((INT64_C(1) << mag) < single) mag++;
        int half = (mag > 1 ? mag : 1) - 1;
        if (half == sub_bits) return d;
    }
    return -1;
}

size_t hlog_zigzag_put(uint8_t out[HLOG_ZIGZAG_MAX], int64_t v)
{
    uint64_t z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);   /* arithmetic shift: all ones for v < 0 */
    size_t n = 0;
    while (n < 8 && (z >> 7) != 0) {      /* eight 7-bit groups with the continuation bit ... */
        out[n++] = (uint8_t)((z & 0x7f) | 0x80);
        z >>= 7;
    }
    out[n++] = (uint8_t)z;                /* ... then the rest: below 0x80, or the 9th byte's full 8 bits */
    return n;
}

static int put_be(buf *out, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++) b[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
    return buf_append(out, b, (size_t)bytes);
}

static int put_varint(buf *out, int64_t v)
{
    uint8_t b[HLOG_ZIGZAG_MAX];
    return buf_append(out, b, hlog_zigzag_put(b, v));
}

/* Counts up to the last non-zero one; runs of zeros as -run (a single zero stays 0, as the reference). */
static int put_counts(buf *out, const uint64_t *counts, size_t n)
{
    while (n > 0 && counts[n - 1] == 0) n--;
    if (n == 0) return put_varint(out, 0);
    for (size_t i = 0; i < n;) {
        if (counts[i]) {
            uint64_t c = counts[i++];
            if (c > (uint64_t)INT64_MAX) c = (uint64_t)INT64_MAX;    /* a Java long */
            if (put_varint(out, (int64_t)c) < 0) return -1;
            continue;
        }
        size_t run = 0;
        while (i < n && counts[i] == 0) { run++; i++; }
        if (put_varint(out, run > 1 ? -(int64_t)run : 0) < 0) return -1;
    }
    return 0;
}

int hlog_encode_v2(buf *out, const hlog_layout *l, const uint64_t *counts, size_t n)
{
    size_t at = out->len;
    double ratio = 1.0;
    uint64_t ratio_bits;
    memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
    if (put_be(out, HLOG_V2_COOKIE, 4) < 0 || put_be(out, 0, 4) < 0 ||      /* length: filled in below */
        put_be(out, 0, 4) < 0 || put_be(out, (uint64_t)l->sig_digits, 4) < 0 ||
        put_be(out, (uint64_t)l->lowest, 8) < 0 || put_be(out, (uint64_t)l->highest, 8) < 0 ||
        put_be(out, ratio_bits, 8) < 0 || put_counts(out, counts, n) < 0)
        return -1;
    uint64_t payload = out->len - at - HLOG_V2_HEADER_BYTES;
    for (int i = 0; i < 4; i++) out->data[at + 4 + (size_t)i] = (char)(uint8_t)(payload >> (8 * (3 - i)));
    return 0;
}

/* cookie, length, zlib(v2) */
static int compress_v2(buf *out, const buf *v2)
{
    uLongf zlen = compressBound((uLong)v2->len);
    uint8_t *z = malloc(zlen);
    int rc = -1;
    if (z && compress2(z, &zlen, (const Bytef *)v2->data, (uLong)v2->len, Z_BEST_COMPRESSION) == Z_OK &&
        put_be(out, HLOG_V2_COMPRESSED_COOKIE, 4) == 0 && put_be(out, (uint64_t)zlen, 4) == 0 &&
        buf_append(out, z, (size_t)zlen) == 0)
        rc = 0;
    free(z);
    return rc;
}

int hlog_encode_b64(buf *out, const hlog_layout *l, const uint64_t *counts, size_t n)
{
    buf v2 = BUF_INIT, c = BUF_INIT;
    int rc = -1;
    if (hlog_encode_v2(&v2, l, counts, n) == 0 && compress_v2(&c, &v2) == 0 &&
        buf_reserve(out, B64_ENCODED_LEN(c.len)) == 0) {
        out->len += b64_encode(c.data, c.len, out->data + out->len);
        rc = 0;
    }
    buf_free(&v2);
    buf_free(&c);
    return rc;
}

int hlog_header(buf *out, const char *comment, double start_s)
{
    char date[64];
    time_t t = (time_t)floor(start_s);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm)) date[0] = '\0';
    int rc = 0;
    rc |= buf_printf(out, "#[%s]\n", comment);
    rc |= buf_printf(out, "#[Histogram log format version 1.3]\n");
    rc |= buf_printf(out, "#[StartTime: %.3f (seconds since epoch), %s]\n", start_s, date);
    rc |= buf_printf(out, "#[BaseTime: %.3f (seconds since epoch)]\n", start_s);
    rc |= buf_printf(out, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
    return rc ? -1 : 0;
}

int hlog_interval(buf *out, double start_s, double length_s, double max, const char *b64)
{
    return buf_printf(out, "%.3f,%.3f,%.3f,%s\n", start_s, length_s, max, b64) < 0 ? -1 : 0;
}
