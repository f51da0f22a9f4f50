/* b64, hex: see b64.h. The lenient readers mirror crypto-js's parsers operation by operation, because an
 * envelope that crypto-js accepts must be accepted here too. */
#include <string.h>
#include "crypto/b64.h"
#include "base/text.h"

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
#define B64_INVALID 0x40

/* 1 + the value of each byte in the alphabet, 0 elsewhere */
static const uint8_t b64_value1[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8, ['I'] = 9,
    ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
    ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25,
    ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33,
    ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
    ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
    ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* the value of byte c, or B64_INVALID */
static inline uint8_t b64_val(uint8_t c)
{
    return b64_value1[c] ? (uint8_t)(b64_value1[c] - 1) : B64_INVALID;
}

size_t b64_encode(const void *in, size_t n, char *out)
{
    const uint8_t *p = in;
    char *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = o[3] = '=';
        o += 4;
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = '=';
        o += 4;
    }
    *o = '\0';
    return (size_t)(o - out);
}

size_t b64_decoded_max(size_t n)
{
    return n - (n + 3) / 4;
}

/* Is the text exactly what b64_encode writes? t = length before the first '=' (all of it valid). */
static int b64_canonical_tail(const char *s, size_t n, size_t t)
{
    switch (t % 4) {
    case 0: return n == t;
    case 1: return 0;
    case 2: return n == t + 2 && s[t + 1] == '=' && (b64_val((uint8_t)s[t - 1]) & 0x0f) == 0;
    default: return n == t + 1 && (b64_val((uint8_t)s[t - 1]) & 0x03) == 0;
    }
}

size_t b64_decode_cryptojs(const char *s, size_t n, uint8_t *out, int *canonical)
{
    const char *eq = memchr(s, '=', n);
    size_t t = eq ? (size_t)(eq - s) : n;
    int valid = 1;
    uint8_t *o = out;
    size_t i = 0;
    /* crypto-js: byte from position i (i % 4 != 0) = value(i-1) << 2(i%4) | value(i) >> (6 - 2(i%4)),
     * an invalid character being 0. Whole quads first, the ragged end after. */
    for (; i + 4 <= t; i += 4) {
        uint8_t a = b64_val((uint8_t)s[i]), b = b64_val((uint8_t)s[i + 1]);
        uint8_t c = b64_val((uint8_t)s[i + 2]), d = b64_val((uint8_t)s[i + 3]);
        if ((a | b | c | d) & B64_INVALID) {
            valid = 0;
            a &= 63 * !(a & B64_INVALID); b &= 63 * !(b & B64_INVALID);
            c &= 63 * !(c & B64_INVALID); d &= 63 * !(d & B64_INVALID);
        }
        o[0] = (uint8_t)(a << 2 | b >> 4);
        o[1] = (uint8_t)(b << 4 | c >> 2);
        o[2] = (uint8_t)(c << 6 | d);
        o += 3;
    }
    uint8_t prev = 0;
    for (; i < t; i++) {
        uint8_t v = b64_val((uint8_t)s[i]);
        if (v & B64_INVALID) { valid = 0; v = 0; }
        unsigned k = (unsigned)(i % 4);
        if (k) *o++ = (uint8_t)(prev << (2 * k) | v >> (6 - 2 * k));
        prev = v;
    }
    if (canonical) *canonical = valid && b64_canonical_tail(s, n, t);
    return (size_t)(o - out);
}

long b64_decode_strict(const char *s, size_t n, uint8_t *out)
{
    int canonical;
    size_t len = b64_decode_cryptojs(s, n, out, &canonical);
    return canonical ? (long)len : -1;
}

size_t hex_encode(const void *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = in;
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
    return 2 * n;
}

int hex_decode(const char *s, size_t n, uint8_t *out, size_t outlen)
{
    if (n != 2 * outlen) return -1;
    for (size_t i = 0; i < outlen; i++) {
        int hi = text_hex_value((uint8_t)s[2 * i]), lo = text_hex_value((uint8_t)s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static inline int lower_hex(unsigned c)
{
    return (c - '0' < 10u) || (c - 'a' < 6u);
}

/* JavaScript's WhiteSpace and LineTerminator code points (what parseInt skips first). */
static int js_space(unsigned c)
{
    return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000 || c == 0xfeff;
}

/* parseInt(two units, 16), NaN as 0 (crypto-js ORs NaN into a word, which ORs nothing). */
static int32_t js_parse_hex_pair(unsigned a, unsigned b)
{
    int da = text_hex_value(a), db = text_hex_value(b);
    if (js_space(a) || a == '+') return db < 0 ? 0 : db;
    if (a == '-') return db < 0 ? 0 : -db;
    if (a == '0' && (b == 'x' || b == 'X')) return 0;      /* "0x" prefix, then no digits: NaN */
    if (da < 0) return 0;
    return db < 0 ? da : da * 16 + db;
}

void hex_decode_cryptojs(const uint16_t *u, size_t n, uint8_t *out, int *canonical)
{
    int canon = 1;
    uint32_t word = 0;
    size_t nbytes = n / 2;
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned a = u[i], b = u[i + 1];
        int32_t v;
        if (lower_hex(a) && lower_hex(b)) {       /* the usual case: what crypto-js writes */
            v = text_hex_value(a) * 16 + text_hex_value(b);
        } else {
            canon = 0;
            v = js_parse_hex_pair(a, b);
        }
        unsigned shift = 24 - (unsigned)(i % 8) * 4;
        word |= (uint32_t)v << shift;             /* two's complement, as JavaScript's << */
        if (i % 8 == 6 || i + 2 >= n) {                                   /* word complete: emit its bytes */
            size_t first = (i / 8) * 4;
            for (size_t k = 0; k < 4 && first + k < nbytes; k++)
                out[first + k] = (uint8_t)(word >> (24 - 8 * k));
            word = 0;
        }
    }
    if (canonical) *canonical = canon;
}
