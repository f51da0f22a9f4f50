/* jsonv: see jsonv.h. One pass over the text with an explicit stack of open containers. */
#include <stdlib.h>
#include <string.h>
#include "base/jsonv.h"
#include "base/text.h"

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid. The ranges are RFC 3629's. */
static size_t utf8_seq(const uint8_t *s, size_t n)
{
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xc2) return 0;
    if (c < 0xe0) return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c < 0xf0) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80) return 0;
        if (c == 0xe0 && s[1] < 0xa0) return 0;            /* overlong */
        if (c == 0xed && s[1] >= 0xa0) return 0;           /* surrogate */
        return 3;
    }
    if (c < 0xf5) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80) return 0;
        if (c == 0xf0 && s[1] < 0x90) return 0;            /* overlong */
        if (c == 0xf4 && s[1] >= 0x90) return 0;           /* above U+10FFFF */
        return 4;
    }
    return 0;
}

int jsonv_utf8_valid(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    while (p < end) {
        while (p + 8 <= end) {                             /* ASCII fast path, 8 bytes at a time */
            uint64_t w;
            memcpy(&w, p, 8);
            if (w & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p >= end) break;
        size_t k = utf8_seq(p, (size_t)(end - p));
        if (!k) return 0;
        p += k;
    }
    return 1;
}

static int is_hex(uint8_t c) { return text_hex_value(c) >= 0; }

/* s[*i] is just past the opening quote; on success *i is just past the closing quote. JSONV_BYTES: bytes
 * from 0x80 up are taken as they are, not checked as UTF-8. */
static int scan_string(const uint8_t *s, size_t n, size_t *i, unsigned flags)
{
    size_t p = *i;
    for (;;) {
        /* skip plain ASCII 8 bytes at a time: no quote, backslash, control or high byte in the word */
        while (p + 8 <= n) {
            uint64_t w, q, b, ctl;
            memcpy(&w, s + p, 8);
            q = w ^ 0x2222222222222222ull;            /* '"' bytes become 0 */
            b = w ^ 0x5c5c5c5c5c5c5c5cull;            /* '\\' bytes become 0 */
            ctl = w - 0x2020202020202020ull;          /* bytes < 0x20 borrow: high bit set */
            uint64_t hit = ((q - 0x0101010101010101ull) & ~q) | ((b - 0x0101010101010101ull) & ~b) | ctl | w;
            if (hit & 0x8080808080808080ull) break;
            p += 8;
        }
        if (p >= n) return -1;
        uint8_t c = s[p];
        if (c == '"') { *i = p + 1; return 0; }
        if (c < 0x20) return -1;
        if (c == '\\') {
            if (p + 1 >= n) return -1;
            switch (s[p + 1]) {
            case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                p += 2; break;
            case 'u':
                if (p + 6 > n || !is_hex(s[p + 2]) || !is_hex(s[p + 3]) || !is_hex(s[p + 4]) || !is_hex(s[p + 5]))
                    return -1;
                p += 6; break;
            default: return -1;
            }
        } else if (c < 0x80 || (flags & JSONV_BYTES)) {
            p++;
        } else {
            size_t k = utf8_seq(s + p, n - p);
            if (!k) return -1;
            p += k;
        }
    }
}

static int is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static int scan_number(const uint8_t *s, size_t n, size_t *i)
{
    size_t p = *i;
    if (p < n && s[p] == '-') p++;
    if (p >= n || !is_digit(s[p])) return -1;
    if (s[p] == '0') p++;
    else while (p < n && is_digit(s[p])) p++;
    if (p < n && s[p] == '.') {
        p++;
        if (p >= n || !is_digit(s[p])) return -1;
        while (p < n && is_digit(s[p])) p++;
    }
    if (p < n && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < n && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= n || !is_digit(s[p])) return -1;
        while (p < n && is_digit(s[p])) p++;
    }
    *i = p;
    return 0;
}

static int scan_literal(const uint8_t *s, size_t n, size_t *i, const char *lit)
{
    size_t k = strlen(lit);
    if (n - *i < k || memcmp(s + *i, lit, k)) return -1;
    *i += k;
    return 0;
}

static size_t skip_ws(const uint8_t *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

/* The stack of open containers: 1 bit each (1 = object). Deep texts move it to the heap. */
typedef struct {
    uint64_t inl[8];
    uint64_t *bits;
    size_t depth, cap;          /* cap in bits */
} cstack;

static int cs_push(cstack *st, int is_obj)
{
    if (st->depth == st->cap) {
        size_t ncap = st->cap * 2;
        uint64_t *nb = malloc(ncap / 8);
        if (!nb) return -1;
        memcpy(nb, st->bits, st->cap / 8);
        if (st->bits != st->inl) free(st->bits);
        st->bits = nb;
        st->cap = ncap;
    }
    size_t d = st->depth++;
    if (is_obj) st->bits[d / 64] |= 1ull << (d % 64);
    else st->bits[d / 64] &= ~(1ull << (d % 64));
    return 0;
}

static int cs_top_is_obj(const cstack *st)
{
    size_t d = st->depth - 1;
    return (int)((st->bits[d / 64] >> (d % 64)) & 1);
}

static jsonv_type type_of(uint8_t c)
{
    switch (c) {
    case '"': return JSONV_STRING;
    case '{': return JSONV_OBJECT;
    case '[': return JSONV_ARRAY;
    case 't': return JSONV_TRUE;
    case 'f': return JSONV_FALSE;
    case 'n': return JSONV_NULL;
    default:  return JSONV_NUMBER;
    }
}

/* The one walk behind jsonv_parse and jsonv_scan: one value from s[*pi] (leading whitespace skipped), at
 * most max_depth containers deep (0: any depth). whole: the value must be all of the text but whitespace.
 * On success *pi is just past the value. */
static int walk(const uint8_t *s, size_t n, size_t *pi, unsigned flags, size_t max_depth, int whole,
                jsonv_type *top, jsonv_member_fn cb, void *ud)
{
    cstack st = {.depth = 0, .cap = sizeof st.inl * 8};
    st.bits = st.inl;
    jsonv_span key = {0}, val = {0};
    size_t i = skip_ws(s, n, *pi), mstart = 0;  /* mstart: where the current member of the top object began */
    int rc = -1;

    if (i < n && top) *top = type_of(s[i]);
value:
    i = skip_ws(s, n, i);
    if (i >= n) goto out;
    if (st.depth == 1 && cs_top_is_obj(&st)) mstart = i;
    switch (s[i]) {
    case '"': i++; if (scan_string(s, n, &i, flags)) goto out; break;
    case 't': if (scan_literal(s, n, &i, "true")) goto out; break;
    case 'f': if (scan_literal(s, n, &i, "false")) goto out; break;
    case 'n': if (scan_literal(s, n, &i, "null")) goto out; break;
    case '{':
        if ((max_depth && st.depth >= max_depth) || cs_push(&st, 1)) goto out;
        i = skip_ws(s, n, i + 1);
        if (i < n && s[i] == '}') { i++; st.depth--; break; }
        goto key;
    case '[':
        if ((max_depth && st.depth >= max_depth) || cs_push(&st, 0)) goto out;
        i = skip_ws(s, n, i + 1);
        if (i < n && s[i] == ']') { i++; st.depth--; break; }
        goto value;
    default:
        if (scan_number(s, n, &i)) goto out;
        break;
    }
after:
    /* back at depth 1 inside an object: a member of the top object has just ended */
    if (cb && st.depth == 1 && cs_top_is_obj(&st)) {
        val.type = type_of(s[mstart]);
        val.p = (const char *)s + mstart + (val.type == JSONV_STRING);
        val.n = i - mstart - 2 * (val.type == JSONV_STRING);
        int r = cb(ud, &key, &val);
        if (r) { rc = r; goto out; }
    }
    if (st.depth == 0) {
        rc = !whole || skip_ws(s, n, i) == n ? 0 : -1;
        if (rc == 0) *pi = i;
        goto out;
    }
    i = skip_ws(s, n, i);
    if (i >= n) goto out;
    if (s[i] == ',') {
        i++;
        if (cs_top_is_obj(&st)) goto key;
        goto value;
    }
    if (s[i] != (cs_top_is_obj(&st) ? '}' : ']')) goto out;
    i++;
    st.depth--;
    goto after;
key:
    i = skip_ws(s, n, i);
    if (i >= n || s[i] != '"') goto out;
    {
        size_t kstart = ++i;
        if (scan_string(s, n, &i, flags)) goto out;
        if (st.depth == 1) { key.p = (const char *)s + kstart; key.n = i - 1 - kstart; key.type = JSONV_STRING; }
    }
    i = skip_ws(s, n, i);
    if (i >= n || s[i] != ':') goto out;
    i++;
    goto value;
out:
    if (st.bits != st.inl) free(st.bits);
    return rc;
}

int jsonv_parse(const char *s, size_t n, jsonv_type *top, jsonv_member_fn cb, void *ud)
{
    size_t i = 0;
    return walk((const uint8_t *)s, n, &i, 0, 0, 1, top, cb, ud);
}

int jsonv_check(const char *s, size_t n, unsigned flags)
{
    size_t i = 0;
    return walk((const uint8_t *)s, n, &i, flags, 0, 1, NULL, NULL, NULL) == 0 ? 0 : -1;
}

int jsonv_scan(const char *s, size_t n, size_t *i, unsigned flags, size_t max_depth)
{
    return walk((const uint8_t *)s, n, i, flags, max_depth, 0, NULL, NULL, NULL) == 0 ? 0 : -1;
}

int jsonv_scan_string(const char *s, size_t n, size_t *i, unsigned flags)
{
    size_t p = *i + 1;
    if (*i >= n || s[*i] != '"' || scan_string((const uint8_t *)s, n, &p, flags)) return -1;
    *i = p;
    return 0;
}

/* Decode one string span into UTF-16 units. The span was checked by jsonv_parse. */
size_t jsonv_string_units(const jsonv_span *str, uint16_t *out)
{
    const uint8_t *s = (const uint8_t *)str->p;
    size_t n = str->n, i = 0, k = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c == '\\') {
            uint8_t e = s[i + 1];
            i += 2;
            switch (e) {
            case 'b': out[k++] = '\b'; break;
            case 'f': out[k++] = '\f'; break;
            case 'n': out[k++] = '\n'; break;
            case 'r': out[k++] = '\r'; break;
            case 't': out[k++] = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int j = 0; j < 4; j++) {
                    uint8_t h = s[i + j];
                    v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
                }
                out[k++] = (uint16_t)v;
                i += 4;
                break;
            }
            default: out[k++] = e; break;          /* " \ / */
            }
        } else if (c < 0x80) {
            out[k++] = c;
            i++;
        } else {
            uint32_t cp;
            size_t len = utf8_seq(s + i, n - i);
            if (len == 2) cp = (uint32_t)(c & 0x1f) << 6 | (s[i + 1] & 0x3f);
            else if (len == 3) cp = (uint32_t)(c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);
            else if (len == 4) cp = (uint32_t)(c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12 |
                                    (uint32_t)(s[i + 2] & 0x3f) << 6 | (s[i + 3] & 0x3f);
            else { cp = 0xfffd; len = 1; }          /* unreachable for checked spans */
            if (cp >= 0x10000) {
                cp -= 0x10000;
                out[k++] = (uint16_t)(0xd800 | (cp >> 10));
                out[k++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
            } else {
                out[k++] = (uint16_t)cp;
            }
            i += len;
        }
    }
    return k;
}

int jsonv_string_is(const jsonv_span *str, const char *lit)
{
    size_t m = strlen(lit);
    if (str->type != JSONV_STRING) return 0;
    if (!memchr(str->p, '\\', str->n))              /* the usual case: no escapes to decode */
        return str->n == m && !memcmp(str->p, lit, m);
    if (str->n > 6 * m) return 0;                   /* every unit takes at most 6 bytes */
    uint16_t u[6 * 16];
    if (str->n > sizeof u / sizeof u[0]) return 0;
    size_t k = jsonv_string_units(str, u);
    if (k != m) return 0;
    for (size_t j = 0; j < m; j++)
        if (u[j] != (uint8_t)lit[j]) return 0;
    return 1;
}

typedef struct { const char *key; jsonv_span val; int has; } member_pick;

static int pick_member(void *ud, const jsonv_span *key, const jsonv_span *val)
{
    member_pick *m = ud;
    if (jsonv_string_is(key, m->key)) { m->val = *val; m->has = 1; }   /* the last one wins */
    return 0;
}

jsonv_int_err jsonv_object_int(const char *s, size_t n, const char *key, int64_t *out)
{
    member_pick m = {key, {NULL, 0, JSONV_NULL}, 0};
    jsonv_type top;
    if (jsonv_parse(s, n, &top, pick_member, &m) < 0 || top != JSONV_OBJECT) return JSONV_INT_NOT_JSON;
    if (!m.has || m.val.type != JSONV_NUMBER) return JSONV_INT_MISSING;
    /* The span is a valid JSON number, which strtod reads the way JSON.parse does (nearest double); it is
     * copied so that strtod stops at its end (a long one, say 500 digits of fraction, goes to the heap). */
    char small[64], *tmp = m.val.n < sizeof small ? small : malloc(m.val.n + 1);
    if (!tmp) return JSONV_INT_RANGE;
    memcpy(tmp, m.val.p, m.val.n);
    tmp[m.val.n] = '\0';
    double v = strtod(tmp, NULL);
    if (tmp != small) free(tmp);
    if (!(v == v) || v > 9007199254740992.0 || v < -9007199254740992.0) return JSONV_INT_RANGE;
    if (v != (double)(int64_t)v) return JSONV_INT_FRACTION;
    *out = (int64_t)v;
    return JSONV_INT_OK;
}
