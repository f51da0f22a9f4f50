/* fuzz_template: template strings (flowtmpl) on hostile bytes. The input up to the first newline is the
 * value of variable "v" (JSON text; when it does not parse, the bytes as a string), the rest one template
 * string (up to its first NUL, as a cJSON string holds it). Variables "v" and "w" exist, "w" is never set.
 * Properties:
 *   - flowtmpl_check refuses with a clean reason, or accepts; rendering agrees with it: a string the check
 *     refuses does not render, one it accepts renders unless it uses an unset variable ("w", or "v"
 *     without a first line) or passes the size bound;
 *   - what renders is valid JSON (JSON.parse's grammar) within FLOWTMPL_MAX_RENDER bytes, and on failure
 *     the output buffer is as it was;
 *   - a string without "{{" renders to itself (read back by cJSON) when it is valid UTF-8;
 *   - a string flowtmpl_check_int accepts renders through render_int to an integer >= 0, or says why;
 *   - the variable's stored text is valid JSON. */
#include <string.h>
#include "fuzz.h"
#include "base/jsonv.h"
#include "base/text.h"
#include "load/flowtmpl.h"

static void check_render(const flow_spec *spec, flowtmpl_vars *vs, const char *s, int accepted)
{
    uint64_t rng = 88172645463325252ull;
    flowtmpl_env e = {spec, 12345, 6, &rng, vs};
    buf out = BUF_INIT, err = BUF_INIT;
    cJSON *str = cJSON_CreateString(s);
    FUZZ_ASSERT(str != NULL);
    buf_append_str(&out, "[");
    int rc = flowtmpl_render(&e, str, &out, &err);
    if (!accepted) FUZZ_ASSERT(rc == -1);
    if (rc == 0) {
        FUZZ_ASSERT(out.len - 1 <= FLOWTMPL_MAX_RENDER && jsonv_valid(out.data + 1, out.len - 1));
        if (!strstr(s, "{{") && jsonv_utf8_valid(s, strlen(s))) {
            cJSON *back = cJSON_ParseWithLength(out.data + 1, out.len - 1);
            FUZZ_ASSERT(cJSON_IsString(back) && !strcmp(back->valuestring, s));
            cJSON_Delete(back);
        }
    } else {
        FUZZ_ASSERT(out.len == 1 && err.len > 0 && text_is_clean(err.data, err.len, 0));
        if (accepted) FUZZ_ASSERT(strstr(err.data, "not captured yet") || strstr(err.data, "over"));
    }
    int64_t n;
    buf_clear(&err);
    if (accepted && flowtmpl_check_int(spec, s, strlen(s), &err) == 0) {
        int irc = flowtmpl_render_int(&e, str, &n, &err);
        if (irc == 0) FUZZ_ASSERT(n >= 0);
        else FUZZ_ASSERT(err.len > 0);
    }
    cJSON_Delete(str);
    buf_free(&out);
    buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t vlen = nl ? (size_t)(nl - in) : 0;
    const char *t = nl ? nl + 1 : in;
    size_t tlen = size - (size_t)(t - in);
    flow_spec spec;
    flowtmpl_vars vs;
    buf err = BUF_INIT;

    memset(&spec, 0, sizeof spec);
    strcpy(spec.vars[0], "v");
    strcpy(spec.vars[1], "w");
    spec.nvars = 2;
    flowtmpl_vars_init(&vs);
    if (nl) {
        cJSON *v = cJSON_ParseWithLength(in, vlen);
        if (!v) {
            char *raw = strndup(in, vlen);
            FUZZ_ASSERT(raw != NULL);
            v = cJSON_CreateString(raw);
            free(raw);
        }
        if (v && flowtmpl_vars_set(&vs, 0, v) == 0)
            FUZZ_ASSERT(vs.set[0] && jsonv_valid(vs.val[0].data, vs.val[0].len));
        cJSON_Delete(v);
    }
    char *s = strndup(t, tlen);          /* a cJSON string ends at its first NUL */
    FUZZ_ASSERT(s != NULL);
    int rc = flowtmpl_check(&spec, s, strlen(s), &err);
    if (rc != 0) FUZZ_ASSERT(rc == -1 && err.len > 0 && text_is_clean(err.data, err.len, 0));
    check_render(&spec, &vs, s, rc == 0);
    free(s);
    flowtmpl_vars_free(&vs);
    buf_free(&err);
    return 0;
}
