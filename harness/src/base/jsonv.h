/* jsonv: JSON text checked exactly as JavaScript's JSON.parse accepts it (RFC 8259 grammar, any
 * top-level value, whitespace = space/tab/LF/CR only, escapes may encode lone surrogates), plus the little
 * g-crypt's envelope reader needs: the members of a top-level object and the UTF-16 code units of a string.
 * Iterative (no recursion), so hostile nesting cannot exhaust the stack. No I/O. */
#ifndef SIOCRYPT_JSONV_H
#define SIOCRYPT_JSONV_H
#include <stddef.h>
#include <stdint.h>

typedef enum { JSONV_STRING, JSONV_NUMBER, JSONV_OBJECT, JSONV_ARRAY, JSONV_TRUE, JSONV_FALSE, JSONV_NULL } jsonv_type;

typedef struct {
    const char *p;       /* for strings: the text between the quotes, escapes not yet decoded */
    size_t n;
    jsonv_type type;
} jsonv_span;

/* Called for each member of a top-level object, in text order (duplicates included: the last one is
 * what JSON.parse keeps). A nonzero return stops the walk and is returned by jsonv_parse. */
typedef int (*jsonv_member_fn)(void *ud, const jsonv_span *key, const jsonv_span *val);

/* 0 if JSON.parse accepts the text (which must also be valid UTF-8), -1 otherwise. *top (may be NULL)
 * gets the type of the top-level value; cb (may be NULL) sees the members when that is an object. */
int jsonv_parse(const char *s, size_t n, jsonv_type *top, jsonv_member_fn cb, void *ud);

static inline int jsonv_valid(const char *s, size_t n) { return jsonv_parse(s, n, NULL, NULL, NULL) == 0; }

/* For text that was a JavaScript string before it became these bytes (socket.io packets: the peer's
 * parser sees it decoded), so its bytes from 0x80 up are not this grammar's business: taken as they are. */
#define JSONV_BYTES 1u

/* The whole text is one JSON value (whitespace around it aside), the grammar of jsonv_parse: 0 or -1. */
int jsonv_check(const char *s, size_t n, unsigned flags);

/* One JSON value from s[*i] (leading whitespace skipped), nested at most max_depth containers deep (0: any
 * depth; the walk is iterative either way), the same grammar as jsonv_parse. 0 with *i just past the value,
 * or -1 (*i unchanged). Whatever follows the value is the caller's. */
int jsonv_scan(const char *s, size_t n, size_t *i, unsigned flags, size_t max_depth);

/* s[*i] is '"': 0 with *i just past the string's closing quote, or -1 (*i unchanged). */
int jsonv_scan_string(const char *s, size_t n, size_t *i, unsigned flags);

/* 1 if s is valid UTF-8 as JavaScript's decodeURIComponent demands (no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
int jsonv_utf8_valid(const char *s, size_t n);

/* The UTF-16 code units of a string span from jsonv_parse (escapes decoded). out needs str->n units.
 * Returns the unit count. */
size_t jsonv_string_units(const jsonv_span *str, uint16_t *out);

/* 1 if a string span decodes to exactly the ASCII text lit. */
int jsonv_string_is(const jsonv_span *str, const char *lit);

/* The integer JSON.parse(s)[key] is, for a top-level object (the last member of that name wins, as in
 * JSON.parse). Integers are exact in a JavaScript number up to 2^53: beyond that, or with a fraction, the
 * value is not the integer it looks like. */
typedef enum jsonv_int_err {
    JSONV_INT_OK,
    JSONV_INT_NOT_JSON,       /* JSON.parse would throw, or the top level is not an object */
    JSONV_INT_MISSING,        /* no such member, or it is not a number */
    JSONV_INT_FRACTION,       /* a number with a fraction: 1.5 */
    JSONV_INT_RANGE           /* an integer beyond +-2^53 (1e308 included) */
} jsonv_int_err;
jsonv_int_err jsonv_object_int(const char *s, size_t n, const char *key, int64_t *out);

#endif
