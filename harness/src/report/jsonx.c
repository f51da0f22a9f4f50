#include "report/jsonx.h"
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/text.h"

#define JSONX_MAX_EXACT 9007199254740992.0 /* 2^53 */

cJSON *jsonx_int(int64_t v)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%" PRId64, v);
    return cJSON_CreateRaw(tmp);
}

int jsonx_add_int(cJSON *obj, const char *name, int64_t v)
{
    cJSON *n = jsonx_int(v);
    if (!n) return -1;
    cJSON_AddItemToObject(obj, name, n);
    return 0;
}

int jsonx_add_num(cJSON *obj, const char *name, double v)
{
    cJSON *n = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    if (!n) return -1;
    cJSON_AddItemToObject(obj, name, n);
    return 0;
}

static cJSON *jsonx_str(const char *s)
{
    char *clean = text_dup(s, TEXT_MULTILINE);
    if (!clean) return NULL;
    cJSON *n = cJSON_CreateString(clean);
    free(clean);
    return n;
}

int jsonx_add_str(cJSON *obj, const char *name, const char *s)
{
    cJSON *n = jsonx_str(s);
    if (!n) return -1;
    cJSON_AddItemToObject(obj, name, n);
    return 0;
}

static int fail(buf *err, const char *what, const char *name, const char *why)
{
    if (err) buf_printf(err, "%s%s%s: %s", what ? what : "", what && *what ? "." : "", name, why);
    return -1;
}

int jsonx_int_of(const cJSON *item, int64_t *out)
{
    if (!cJSON_IsNumber(item)) return -1;
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d) || fabs(d) > JSONX_MAX_EXACT) return -1;
    *out = (int64_t)d;
    return 0;
}

int jsonx_get_int(const cJSON *obj, const char *name, int64_t *out, const char *what, buf *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it) return fail(err, what, name, "missing");
    if (jsonx_int_of(it, out) < 0) return fail(err, what, name, "not an integer");
    return 0;
}

int jsonx_get_uint(const cJSON *obj, const char *name, uint64_t *out, const char *what, buf *err)
{
    int64_t v;
    if (jsonx_get_int(obj, name, &v, what, err) < 0) return -1;
    if (v < 0) return fail(err, what, name, "negative");
    *out = (uint64_t)v;
    return 0;
}

int jsonx_get_num(const cJSON *obj, const char *name, double *out, const char *what, buf *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it) return fail(err, what, name, "missing");
    if (cJSON_IsNull(it)) { *out = NAN; return 0; }
    if (!cJSON_IsNumber(it)) return fail(err, what, name, "not a number");
    /* a literal like 1e999 parses to infinity, which the writers could only write back as null */
    if (!isfinite(it->valuedouble)) return fail(err, what, name, "out of range");
    *out = it->valuedouble;
    return 0;
}

int jsonx_get_str(const cJSON *obj, const char *name, char *out, size_t cap, const char *what, buf *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!it) return fail(err, what, name, "missing");
    if (!cJSON_IsString(it)) return fail(err, what, name, "not a string");
    if (strlen(it->valuestring) >= cap) return fail(err, what, name, "too long");
    text_clean_to(out, cap, it->valuestring, strlen(it->valuestring), TEXT_MULTILINE | TEXT_MARK_CUT);
    return 0;
}

int jsonx_print(cJSON *j, buf *out)
{
    if (!j) return -1;
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return -1;
    int rc = buf_append_str(out, text) < 0 || buf_append_char(out, '\n') < 0 ? -1 : 0;
    free(text);
    return rc;
}
