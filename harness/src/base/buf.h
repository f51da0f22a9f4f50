/* buf: a growable byte buffer (always NUL-terminated), the one string type the harness passes around.
 * Allocation only when it grows, so a buffer reused per connection costs nothing on the hot path.
 * buf_consume only moves a read offset (data points past the consumed bytes); the live bytes are moved
 * back to the start of the allocation once the consumed part outgrows them, so a queue drained one
 * packet at a time costs O(bytes), not O(bytes x packets). */
#ifndef SIOCRYPT_BUF_H
#define SIOCRYPT_BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct buf {
    char *data;   /* the live bytes, NUL-terminated; may be NULL while cap == 0 */
    size_t len;
    size_t cap;   /* bytes usable from data on (the allocation is off + cap bytes) */
    size_t off;   /* private: consumed bytes before data in the allocation */
} buf;

#define BUF_INIT {NULL, 0, 0, 0}

int  buf_reserve(buf *b, size_t extra);            /* room for extra more bytes (+NUL); -1 on ENOMEM or
                                                       when the size would overflow (b unchanged) */
int  buf_append(buf *b, const void *p, size_t n);
int  buf_append_str(buf *b, const char *s);
int  buf_append_char(buf *b, char c);
int  buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_clear(buf *b);                             /* len = 0, keeps memory */
/* For error messages: replace err's text with the formatted one and return -1, so a parser can say
 * `return buf_fail(err, "clients: must be >= 1");`. err may be NULL. */
int  buf_fail(buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_consume(buf *b, size_t n);                 /* drop n bytes from the front */
/* An empty buffer whose allocation is over keep bytes gives it back, so that one large message (up to
 * limits.max_message_bytes) does not pin its memory for the rest of the run; otherwise nothing. */
void buf_trim(buf *b, size_t keep);
void buf_free(buf *b);
const char *buf_cstr(const buf *b);                 /* "" for an empty, unallocated buffer */

#endif
