/* text: cleaning and cutting of server- and user-supplied text (see text.h). */
#include "base/text.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s[0..n) (Unicode 15, table 3-7), or 0 when there is none:
 * the second byte's range depends on the first, which is what rules out overlongs (C0, C1, E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and code points past U+10FFFF (F4 90.., F5..FF). */
size_t text_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    size_t len;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) len = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else return 0;
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf) return 0;
    return len;
}

/* The next output unit for the input at s[0..n) (n >= 1): its bytes in u (at most 6), their count in
 * *ulen; returns how many input bytes it stands for. */
static size_t next_unit(const unsigned char *s, size_t n, unsigned flags, char u[8], size_t *ulen)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = text_utf8_seq(s, n);
    unsigned c = s[0];
    if (len == 1 && (c >= 0x20 || ((flags & TEXT_MULTILINE) && (c == '\n' || c == '\t'))) && c != 0x7f) {
        u[0] = (char)c;
        *ulen = 1;
        return 1;
    }
    if (len == 0 || len == 1) {              /* an invalid byte, or a C0 control / DEL */
        u[0] = '\\'; u[1] = 'x'; u[2] = hex[c >> 4]; u[3] = hex[c & 15];
        *ulen = 4;
        return 1;
    }
    if (len == 2 && c == 0xc2 && s[1] <= 0x9f) {            /* C1: U+0080..U+009F */
        memcpy(u, "\\u00", 4);
        u[4] = hex[s[1] >> 4]; u[5] = hex[s[1] & 15];
        *ulen = 6;
        return 2;
    }
    if (len == 3 && c == 0xef && s[1] == 0xbf && s[2] >= 0xbe) {   /* U+FFFE, U+FFFF */
        memcpy(u, s[2] == 0xbe ? "\\uFFFE" : "\\uFFFF", 6);
        *ulen = 6;
        return 3;
    }
    memcpy(u, s, len);
    *ulen = len;
    return len;
}

size_t text_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max) return n;
    size_t k = max;
    /* back over at most 3 continuation bytes to the lead byte of the character that max falls into */
    for (size_t back = 0; back < 3 && k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80; back++) k--;
    /* the length its lead byte announces; the bytes from k to max are continuations, so if that length
     * does not fit, max falls inside the character (or inside a cut-off one): cut before it */
    unsigned char c = (unsigned char)s[k];
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    return k + len > max ? k : max;
}

long text_clean(buf *out, const char *s, size_t n, size_t max, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, used = 0;
    char u[8];
    size_t ulen;
    while (i < n) {
        size_t in = next_unit(p + i, n - i, flags, u, &ulen);
        if (ulen > max - used) break;
        if (buf_append(out, u, ulen) < 0) return -1;
        used += ulen;
        i += in;
    }
    return (long)i;
}

char *text_clean_to(char *dst, size_t cap, const char *s, size_t n, unsigned flags)
{
    /* no allocation: stats_error cleans every detail it counts */
    if (!cap) return dst;
    const unsigned char *p = (const unsigned char *)s;
    size_t room = cap - 1, used = 0, i = 0, before_mark = 0;
    char u[8];
    size_t ulen;
    while (i < n) {
        size_t in = next_unit(p + i, n - i, flags, u, &ulen);
        if (ulen > room - used) break;
        memcpy(dst + used, u, ulen);
        used += ulen;
        i += in;
        if (room >= 3 && used <= room - 3) before_mark = used;
    }
    if (i < n && (flags & TEXT_MARK_CUT) && room >= 3) {
        memcpy(dst + before_mark, "...", 3);
        used = before_mark + 3;
    }
    dst[used] = '\0';
    return dst;
}

char *text_dup(const char *s, unsigned flags)
{
    buf b = BUF_INIT;
    if (!s) s = "";
    /* the empty append allocates and terminates even an empty text, so the result is never NULL */
    if (text_clean(&b, s, strlen(s), SIZE_MAX, flags) < 0 || buf_append(&b, "", 0) < 0) { buf_free(&b); return NULL; }
    return b.data;
}

int text_is_clean(const char *s, size_t n, unsigned flags)
{
    const unsigned char *p = (const unsigned char *)s;
    char u[8];
    size_t ulen;
    for (size_t i = 0; i < n;) {
        size_t in = next_unit(p + i, n - i, flags, u, &ulen);
        if (ulen != in || memcmp(u, p + i, in)) return 0;
        i += in;
    }
    return 1;
}

int text_fwrite(FILE *f, const char *s, size_t n)
{
    buf b = BUF_INIT;
    int rc = text_clean(&b, s, n, SIZE_MAX, TEXT_MULTILINE) < 0 ? -1 : 0;
    if (!rc && b.len && fwrite(b.data, 1, b.len, f) != b.len) rc = -1;
    buf_free(&b);
    return rc;
}

int text_fprintf(FILE *f, const char *fmt, ...)
{
    buf raw = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(&raw, fmt, ap);
    va_end(ap);
    if (rc >= 0) rc = text_fwrite(f, raw.data ? raw.data : "", raw.len) < 0 ? -1 : (int)raw.len;
    buf_free(&raw);
    return rc;
}

int text_filename_part(buf *out, const char *s, size_t max)
{
    size_t n = strlen(s), start = out->len;
    if (n > max) n = max;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '_' || c == '-';
        if (buf_append_char(out, keep ? (char)c : '_') < 0) return -1;
    }
    const char *part = out->data ? out->data + start : "";
    if (!strcmp(part, "") || !strcmp(part, ".") || !strcmp(part, "..")) {
        out->len = start;
        return buf_append_str(out, "scenario");
    }
    return 0;
}
