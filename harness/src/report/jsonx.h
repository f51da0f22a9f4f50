/* jsonx: the few cJSON helpers the report modules share.
 * cJSON keeps numbers as doubles and may print a 16-digit integer with 15 significant digits; counters
 * must survive a write/read cycle exactly, so integers are written as raw decimal text and read back
 * with a range check (exact up to 2^53, far beyond any count or nanosecond sum a run makes). */
#ifndef SIOCRYPT_JSONX_H
#define SIOCRYPT_JSONX_H
#include <stdint.h>
#include <cjson/cJSON.h>
#include "base/buf.h"

cJSON *jsonx_int(int64_t v);                                         /* a raw integer node */
/* Append j pretty-printed and a line break to out, and free j (NULL: -1, for `jsonx_print(x_to_json(..))`). */
int    jsonx_print(cJSON *j, buf *out);
int    jsonx_add_int(cJSON *obj, const char *name, int64_t v);       /* 0, or -1 on ENOMEM */
int    jsonx_add_num(cJSON *obj, const char *name, double v);        /* NaN/inf are written as null */
/* A string as clean text (text.h, TEXT_MULTILINE): cJSON escapes control characters but copies invalid
 * UTF-8 as it is, so every string a report writes goes through here. 0, or -1 on ENOMEM. */
int    jsonx_add_str(cJSON *obj, const char *name, const char *s);

/* Readers: 0 on success; -1 with "<what>.<name>: reason" appended to err (err may be NULL). */
int jsonx_get_int(const cJSON *obj, const char *name, int64_t *out, const char *what, buf *err);
int jsonx_get_uint(const cJSON *obj, const char *name, uint64_t *out, const char *what, buf *err);
int jsonx_get_num(const cJSON *obj, const char *name, double *out, const char *what, buf *err); /* null -> NaN; inf refused */
/* The string is stored as clean text (text.h, TEXT_MULTILINE): reports are files anyone can edit. */
int jsonx_get_str(const cJSON *obj, const char *name, char *out, size_t cap, const char *what, buf *err);
int jsonx_int_of(const cJSON *item, int64_t *out);                    /* an integral number node */

#endif
