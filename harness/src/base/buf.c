#include "base/buf.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Move the live bytes (and their NUL) back to the start of the allocation. */
static void buf_compact(buf *b)
{
    if (!b->off) return;
    char *base = b->data - b->off;
    memmove(base, b->data, b->len + 1);
    b->data = base;
    b->cap += b->off;
    b->off = 0;
}

int buf_reserve(buf *b, size_t extra)
{
    if (extra > SIZE_MAX - 1 - b->len) return -1;          /* len + extra + 1 would wrap */
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 0;
    if (need <= b->cap + b->off) { buf_compact(b); return 0; }
    buf_compact(b);
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) < 0) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_append_str(buf *b, const char *s) { return buf_append(b, s, strlen(s)); }
int buf_append_char(buf *b, char c) { return buf_append(b, &c, 1); }

int buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0 || buf_reserve(b, (size_t)n) < 0) return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

int buf_fail(buf *err, const char *fmt, ...)
{
    va_list ap;
    if (!err) return -1;
    buf_clear(err);
    va_start(ap, fmt);
    buf_vprintf(err, fmt, ap);
    va_end(ap);
    return -1;
}

void buf_clear(buf *b)
{
    if (b->off) {   /* nothing live: the whole allocation is free again, nothing to move */
        b->data -= b->off;
        b->cap += b->off;
        b->off = 0;
    }
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

/* The bytes after the consumed ones are already NUL-terminated; only the offset moves, and the live part
 * is moved back once the consumed part is larger (each byte is then moved at most once on average). */
void buf_consume(buf *b, size_t n)
{
    if (n >= b->len) { buf_clear(b); return; }
    b->data += n;
    b->off += n;
    b->cap -= n;
    b->len -= n;
    if (b->off > b->len) buf_compact(b);
}

void buf_trim(buf *b, size_t keep)
{
    if (b->len == 0 && b->cap + b->off > keep) buf_free(b);
}

void buf_free(buf *b)
{
    if (b->data) free(b->data - b->off);
    b->data = NULL;
    b->len = b->cap = b->off = 0;
}

const char *buf_cstr(const buf *b) { return b->data ? b->data : ""; }
