/* fuzz_target: URLs on hostile bytes (target_parse, target_add_param, target_request, target_redact).
 * The input is a URL up to the first newline; the rest, split at the next newline, is a target.query
 * value and a session id. No resolution (no network). Properties:
 *   - a refusal always says why; a parse that succeeded gives a host of 1..253 bytes, a port in 1..65535,
 *     a path that starts and ends with '/', and a path and query of printable ASCII whose every '%' starts
 *     a %XX escape;
 *   - a request target built from them, with any sid, is printable ASCII (nothing can inject a header or
 *     split the request line), starts with the path, and never passes TARGET_MAX_REQUEST;
 *   - the redacted URL has no fragment and is never longer than the URL plus one byte per parameter. */
#include <string.h>
#include "fuzz.h"
#include "net/target.h"

static int printable_escaped(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch >= 0x7f) return 0;
        if (ch == '%' && (!strchr("0123456789ABCDEFabcdef", s[i + 1]) || !s[i + 1] ||
                          !strchr("0123456789ABCDEFabcdef", s[i + 2]) || !s[i + 2]))
            return 0;
    }
    return 1;
}

static void check_parsed(target *t, const char *value, const char *sid)
{
    buf err = BUF_INIT, req = BUF_INIT;
    size_t hl = strlen(t->host);
    FUZZ_ASSERT(hl >= 1 && hl <= TARGET_MAX_HOST);
    FUZZ_ASSERT(t->port >= 1 && t->port <= 65535);
    FUZZ_ASSERT(t->path[0] == '/' && t->path[strlen(t->path) - 1] == '/');
    FUZZ_ASSERT(printable_escaped(t->path) && printable_escaped(t->query));
    if (target_add_param(t, "k", value, "target.query.k", &err) != 0) FUZZ_ASSERT(err.len > 0);
    FUZZ_ASSERT(printable_escaped(t->query));
    int ok = target_check(t, &err) == 0;
    if (!ok) FUZZ_ASSERT(err.len > 0);
    for (int b64 = 0; b64 < 2; b64++) {
        buf_clear(&req);
        int r = target_request(t, 3 + b64, b64 ? "polling" : "websocket", sid, b64, &req);
        if (r == 0) {
            FUZZ_ASSERT(req.len <= TARGET_MAX_REQUEST);
            FUZZ_ASSERT(printable_escaped(req.data));
            FUZZ_ASSERT(!strncmp(req.data, t->path, strlen(t->path)));
        } else {
            FUZZ_ASSERT(!ok || strlen(sid) > TARGET_MAX_SID / 3);   /* only a sid the check left no room for */
        }
    }
    buf_free(&err);
    buf_free(&req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = strndup((const char *)data, size), *value = "", *sid = "";
    FUZZ_ASSERT(s != NULL);
    char *nl = strchr(s, '\n');
    if (nl) {
        *nl = '\0';
        value = nl + 1;
        if ((nl = strchr(value, '\n'))) { *nl = '\0'; sid = nl + 1; }
    }
    target t;
    buf err = BUF_INIT, shown = BUF_INIT;
    target_init(&t);
    if (target_parse(&t, s, &err) == 0) check_parsed(&t, value, sid);
    else FUZZ_ASSERT(err.len > 0);
    FUZZ_ASSERT(target_redact(s, &shown) == 0);
    FUZZ_ASSERT(!strchr(buf_cstr(&shown), '#'));
    size_t params = 1;
    for (const char *p = s; *p; p++) params += *p == '&';
    FUZZ_ASSERT(shown.len <= strlen(s) + params);
    target_free(&t);
    buf_free(&err);
    buf_free(&shown);
    free(s);
    return 0;
}
