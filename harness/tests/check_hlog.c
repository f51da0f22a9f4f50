/* hlog: the ZigZag LEB128 words, the V2 encoding and its compressed, base64 form, checked byte by byte
 * where the format fixes the bytes and otherwise by a decoder written here from the format's description
 * (base64 -> cookie, length, zlib -> header, counts), and latency.hlog as report_hlog writes it. The real
 * reader (HdrHistogram's Java HistogramLogReader) is t_52_hlog.sh's. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include "crypto/b64.h"
#include "report/hlog.h"
#include "report/hist.h"
#include "report/writers.h"
#include "synth.h"
#include "check_run.h"

/* ---- the test's own decoder ---- */

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* one ZigZag LEB128-64b9B word at *pos; -1 when the bytes end inside it */
static int zz_get(const uint8_t *p, size_t n, size_t *pos, int64_t *out)
{
    uint64_t z = 0;
    for (int i = 0; i < 9; i++) {
        if (*pos >= n) return -1;
        uint8_t b = p[(*pos)++];
        if (i == 8) { z |= (uint64_t)b << 56; break; }
        z |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) break;
    }
    *out = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
    return 0;
}

typedef struct decoded {
    uint32_t cookie, payload_len;
    int32_t norm_offset, digits;
    int64_t lowest, highest;
    double ratio;
    uint64_t *counts;     /* ncap counts */
    size_t n;             /* counts filled (index of the last word's end) */
    size_t words;
} decoded;

/* V2 (uncompressed) bytes into d; 0 or -1 */
static int decode_v2(const uint8_t *p, size_t len, decoded *d, size_t ncap)
{
    if (len < HLOG_V2_HEADER_BYTES) return -1;
    d->cookie = (uint32_t)be(p, 4);
    d->payload_len = (uint32_t)be(p + 4, 4);
    d->norm_offset = (int32_t)be(p + 8, 4);
    d->digits = (int32_t)be(p + 12, 4);
    d->lowest = (int64_t)be(p + 16, 8);
    d->highest = (int64_t)be(p + 24, 8);
    uint64_t rb = be(p + 32, 8);
    memcpy(&d->ratio, &rb, sizeof d->ratio);
    if (HLOG_V2_HEADER_BYTES + (size_t)d->payload_len != len) return -1;
    d->counts = calloc(ncap, sizeof *d->counts);
    d->n = d->words = 0;
    size_t pos = HLOG_V2_HEADER_BYTES;
    while (pos < len) {
        int64_t v;
        if (zz_get(p, len, &pos, &v) < 0) return -1;
        d->words++;
        if (v < 0) { d->n += (size_t)-v; continue; }
        if (d->n >= ncap) return -1;
        d->counts[d->n++] = (uint64_t)v;
    }
    return 0;
}

/* base64 text -> compressed wrapper -> inflate -> decode_v2 */
static int decode_b64(const char *s, decoded *d, size_t ncap)
{
    size_t n = strlen(s);
    uint8_t *c = malloc(b64_decoded_max(n) + 1);
    long clen = b64_decode_strict(s, n, c);
    int rc = -1;
    if (clen >= 8 && be(c, 4) == HLOG_V2_COMPRESSED_COOKIE && be(c + 4, 4) == (uint64_t)clen - 8) {
        uLongf vlen = 1 << 20;
        uint8_t *v = malloc(vlen);
        if (uncompress(v, &vlen, c + 8, (uLong)clen - 8) == Z_OK) rc = decode_v2(v, vlen, d, ncap);
        free(v);
    }
    free(c);
    return rc;
}

static int nfine(void) { return hist_index_for(HIST_SUB_BITS, HIST_HIGHEST) + 1; }
static const hlog_layout L2 = {2, HIST_LOWEST, HIST_HIGHEST};

/* ---- tests ---- */

START_TEST(zigzag_edges)
{
    static const struct { int64_t v; size_t n; uint8_t b[9]; } cases[] = {
        {0, 1, {0x00}}, {-1, 1, {0x01}}, {1, 1, {0x02}}, {63, 1, {0x7e}}, {-64, 1, {0x7f}},
        {64, 2, {0x80, 0x01}}, {-65, 2, {0x81, 0x01}}, {8191, 2, {0xfe, 0x7f}}, {8192, 3, {0x80, 0x80, 0x01}},
        {INT64_MAX, 9, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
        {INT64_MIN, 9, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
        /* zigzag 2^56: past eight 7-bit groups, so the ninth byte holds its top bits whole */
        {INT64_C(1) << 55, 9, {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}},
        {(INT64_C(1) << 55) - 1, 8, {0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t out[HLOG_ZIGZAG_MAX];
        size_t n = hlog_zigzag_put(out, cases[i].v);
        ck_assert_msg(n == cases[i].n, "%lld: %zu bytes, want %zu", (long long)cases[i].v, n, cases[i].n);
        ck_assert_msg(memcmp(out, cases[i].b, n) == 0, "%lld: wrong bytes", (long long)cases[i].v);
    }
    /* every length boundary, both signs, decodes back, and the length grows by one per 7 bits */
    for (int bit = 0; bit < 63; bit++) {
        for (int64_t d = -1; d <= 1; d++) {
            int64_t vs[2] = {(INT64_C(1) << bit) + d, -((INT64_C(1) << bit) + d)};
            for (int k = 0; k < 2; k++) {
                uint8_t out[HLOG_ZIGZAG_MAX];
                size_t n = hlog_zigzag_put(out, vs[k]), pos = 0;
                int64_t back;
                ck_assert_int_eq(zz_get(out, n, &pos, &back), 0);
                ck_assert_uint_eq(pos, n);
                ck_assert_msg(back == vs[k], "%lld came back as %lld", (long long)vs[k], (long long)back);
                uint64_t z = ((uint64_t)vs[k] << 1) ^ (uint64_t)(vs[k] >> 63);
                size_t want = 1;
                while (want < 9 && (z >> (7 * want)) != 0) want++;
                ck_assert_uint_eq(n, want);
            }
        }
    }
}
END_TEST

START_TEST(digits_for_layout)
{
    ck_assert_int_eq(hlog_digits_for_sub_bits(7), 2);     /* hist.h's default: HdrHistogram's 2 digits */
    ck_assert_int_eq(hlog_digits_for_sub_bits(4), 1);
    ck_assert_int_eq(hlog_digits_for_sub_bits(10), 3);
    ck_assert_int_eq(hlog_digits_for_sub_bits(0), 0);
    ck_assert_int_eq(hlog_digits_for_sub_bits(TIMELINE_SUB_BITS), -1);   /* 5: no HdrHistogram has it */
    ck_assert_int_eq(hlog_digits_for_sub_bits(6), -1);
}
END_TEST

START_TEST(empty_histogram)
{
    buf b = BUF_INIT;
    ck_assert_int_eq(hlog_encode_v2(&b, &L2, NULL, 0), 0);
    static const uint8_t want[41] = {
        0x1c, 0x84, 0x93, 0x13, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,
        0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x03, 0x46, 0x30, 0xb8, 0xa0, 0x00,  /* 3600000000000 */
        0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x00};
    ck_assert_uint_eq(b.len, sizeof want);
    ck_assert(memcmp(b.data, want, sizeof want) == 0);
    /* all zeros is empty too: trailing zeros are not written */
    uint64_t zeros[100] = {0};
    buf z = BUF_INIT;
    ck_assert_int_eq(hlog_encode_v2(&z, &L2, zeros, 100), 0);
    ck_assert_uint_eq(z.len, b.len);
    ck_assert(memcmp(z.data, b.data, b.len) == 0);
    buf s = BUF_INIT;
    ck_assert_int_eq(hlog_encode_b64(&s, &L2, NULL, 0), 0);
    ck_assert(strncmp(buf_cstr(&s), "HISTFAAAA", 9) == 0);    /* 0x1c849314 then a small length */
    decoded d;
    ck_assert_int_eq(decode_b64(buf_cstr(&s), &d, 16), 0);
    ck_assert_uint_eq(d.cookie, HLOG_V2_COOKIE);
    ck_assert_int_eq(d.digits, 2);
    ck_assert(d.ratio == 1.0);
    ck_assert_uint_eq(d.n, 1);
    ck_assert_uint_eq(d.counts[0], 0);
    free(d.counts);
    buf_free(&b); buf_free(&z); buf_free(&s);
}
END_TEST

/* a hist's counts into a dense array; returns the relevant length */
static size_t dense(const hist *h, uint64_t *c)
{
    size_t n = 0;
    for (int i = 0; i < hist_buckets(h); i++) { c[i] = hist_count_at(h, i); if (c[i]) n = (size_t)i + 1; }
    return n;
}

static void roundtrip(const hist *h, size_t max_words)
{
    uint64_t *c = calloc((size_t)nfine(), sizeof *c);
    size_t n = dense(h, c);
    buf s = BUF_INIT;
    ck_assert_int_eq(hlog_encode_b64(&s, &L2, c, (size_t)nfine()), 0);
    decoded d;
    ck_assert_int_eq(decode_b64(buf_cstr(&s), &d, (size_t)nfine()), 0);
    ck_assert_uint_eq(d.n, n ? n : 1);
    ck_assert_int_eq(d.lowest, 1);
    ck_assert_int_eq(d.highest, HIST_HIGHEST);
    ck_assert_int_eq(d.norm_offset, 0);
    for (size_t i = 0; i < n; i++) ck_assert_msg(d.counts[i] == c[i], "count %zu", i);
    ck_assert_msg(d.words <= max_words, "%zu words", d.words);
    free(d.counts);
    free(c);
    buf_free(&s);
}

START_TEST(one_value)
{
    hist *h = hist_new();
    int64_t vs[] = {1, 2, 255, 256, 1000, 312345, 999999999};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        hist_reset(h);
        hist_record_n(h, vs[i], 7);
        roundtrip(h, 2);       /* one zero run (or a single 0), then the count */
    }
    /* value 1: index 1, after exactly one zero, which is written as 0, not as a run */
    uint64_t c[2] = {0, 5};
    buf b = BUF_INIT;
    ck_assert_int_eq(hlog_encode_v2(&b, &L2, c, 2), 0);
    ck_assert_uint_eq(b.len, HLOG_V2_HEADER_BYTES + 2);
    ck_assert_int_eq((uint8_t)b.data[40], 0x00);
    ck_assert_int_eq((uint8_t)b.data[41], 0x0a);
    /* index 3 after three zeros: the run -3 (zigzag 5) */
    uint64_t c3[4] = {0, 0, 0, 1};
    buf_clear(&b);
    ck_assert_int_eq(hlog_encode_v2(&b, &L2, c3, 4), 0);
    ck_assert_uint_eq(b.len, HLOG_V2_HEADER_BYTES + 2);
    ck_assert_int_eq((uint8_t)b.data[40], 0x05);
    ck_assert_int_eq((uint8_t)b.data[41], 0x02);
    ck_assert_uint_eq(be((uint8_t *)b.data + 4, 4), 2);
    buf_free(&b);
    hist_free(h);
}
END_TEST

START_TEST(max_value_and_big_counts)
{
    hist *h = hist_new();
    hist_record(h, HIST_HIGHEST);
    hist_record_n(h, 5000000, UINT64_C(1) << 40);
    roundtrip(h, 4);
    ck_assert_int_eq(hist_index_for(HIST_SUB_BITS, HIST_HIGHEST), nfine() - 1);
    /* a count past a Java long is written as Long.MAX_VALUE, never as a negative (zero run) word */
    uint64_t c[1] = {UINT64_MAX};
    buf b = BUF_INIT;
    ck_assert_int_eq(hlog_encode_v2(&b, &L2, c, 1), 0);
    size_t pos = HLOG_V2_HEADER_BYTES;
    int64_t v;
    ck_assert_int_eq(zz_get((uint8_t *)b.data, b.len, &pos, &v), 0);
    ck_assert(v == INT64_MAX);
    buf_free(&b);
    hist_free(h);
}
END_TEST

START_TEST(random_histograms)
{
    hist *h = hist_new();
    for (int round = 0; round < 30; round++) {
        hist_reset(h);
        int n = 1 + (int)(synth_u() * 5000);
        for (int i = 0; i < n; i++) hist_record(h, (int64_t)exp(log(2e6) + (round % 5) * synth_normal()));
        roundtrip(h, (size_t)nfine());
    }
    hist_free(h);
}
END_TEST

/* latency.hlog of a synthetic 20-second run: the header, one line per timeline second, each line's
 * histogram the second's round trips (the coarse buckets' highest values in the 2-digit layout). */
START_TEST(report_file)
{
    result *r = synth_result(1700000000, 20, 20);
    result_finish(r);
    buf out = BUF_INIT;
    ck_assert_int_eq(report_hlog(r, &out), 0);
    const timeline *tl = &r->stats->tl;
    ck_assert_uint_gt(tl->n, 10);
    char *text = strdup(buf_cstr(&out)), *save = NULL, *line = strtok_r(text, "\n", &save);
    const char *head[] = {"#[Logged with siocrypt ", "#[Histogram log format version 1.3]",
                          "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]",
                          "#[BaseTime: 1700000000.000 (seconds since epoch)]",
                          "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""};
    for (int i = 0; i < 5; i++, line = strtok_r(NULL, "\n", &save)) {
        ck_assert_ptr_nonnull(line);
        ck_assert_msg(strncmp(line, head[i], strlen(head[i])) == 0, "header line %d: %s", i, line);
    }
    uint64_t total = 0;
    size_t k = 0;
    for (; line; line = strtok_r(NULL, "\n", &save), k++) {
        double start, len, max;
        char b64[65536];
        ck_assert_int_eq(sscanf(line, "%lf,%lf,%lf,%65535s", &start, &len, &max, b64), 4);
        ck_assert(start == (double)(tl->first - 1700000000) + (double)k);
        ck_assert(len == 1.0);
        decoded d;
        ck_assert_int_eq(decode_b64(b64, &d, (size_t)nfine()), 0);
        const timeline_sec *s = &tl->secs[k];
        uint64_t sum = 0;
        int64_t top = 0;
        for (size_t i = 0; i < d.n; i++) {
            sum += d.counts[i];
            if (d.counts[i]) top = hist_highest_equiv(HIST_SUB_BITS, (int)i);
        }
        ck_assert_uint_eq(sum, timeline_sec_rtt_count(s));
        ck_assert_msg(fabs(max - (double)top / 1e6) <= 0.0005, "max %f, top bucket %lld ns", max, (long long)top);
        if (sum) ck_assert_int_eq(top, timeline_sec_percentile(s, 100));   /* the coarse bucket's top */
        total += sum;
        free(d.counts);
    }
    ck_assert_uint_eq(k, tl->n);
    ck_assert_uint_eq(total, hist_count(r->stats->rtt));
    free(text);
    buf_free(&out);
    result_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hlog");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, zigzag_edges);
    tcase_add_test(tc, digits_for_layout);
    tcase_add_test(tc, empty_histogram);
    tcase_add_test(tc, one_value);
    tcase_add_test(tc, max_value_and_big_counts);
    tcase_add_test(tc, random_histograms);
    tcase_add_test(tc, report_file);
    suite_add_tcase(s, tc);
    return check_run(s);
}
