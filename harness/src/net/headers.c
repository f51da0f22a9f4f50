/* headers: the user's HTTP headers, checked once, expanded per client (see headers.h). */
#include "net/headers.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/fileio.h"
#include "base/template.h"

static int headers_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* the transports write these from the URL and the protocol; a second one would confuse the server */
static int headers_ours(const char *name)
{
    static const char *const ours[] = {"Host", "Connection", "Upgrade", "Origin", "Content-Length",
                                       "Transfer-Encoding"};
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
        if (!strcasecmp(name, ours[i])) return 1;
    return !strncasecmp(name, "Sec-WebSocket-", 14);
}

int headers_check(const char *name, const char *value, const char *what, buf *err)
{
    if (!name[0]) return buf_fail(err, "%s: a header needs a name ('Name: value')", what);
    for (const char *p = name; *p; p++)
        if (!headers_tchar((unsigned char)*p))
            return buf_fail(err, "%s: the header name has a character a name cannot have (0x%02x)", what,
                            (unsigned char)*p);
    if (headers_ours(name))
        return buf_fail(err, "%s: '%s' is a header siocrypt sets itself (Host, Connection, Upgrade, Origin, "
                        "Content-Length, Transfer-Encoding and Sec-WebSocket-* are refused)", what, name);
    if (!value[0]) return buf_fail(err, "%s: header '%s' needs a value", what, name);
    for (const char *p = value; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < ' ' && ch != '\t') || ch == 0x7f)
            return buf_fail(err, "%s: the value of '%s' has a control character (0x%02x): CR, LF and NUL "
                            "could end the header", what, name, ch);
    }
    if (strlen(name) + strlen(value) + 4 > HEADERS_MAX_BYTES)
        return buf_fail(err, "%s: header '%s' is longer than %u bytes", what, name, HEADERS_MAX_BYTES);
    return 0;
}

int headers_split(const char *line, size_t n, buf *name, buf *value, const char *what, buf *err)
{
    const char *colon = memchr(line, ':', n), *v, *end = line + n;
    if (!colon) return buf_fail(err, "%s: expected 'Name: value'", what);
    if (memchr(line, '\0', n)) return buf_fail(err, "%s: the header has a NUL byte", what);
    for (v = colon + 1; v < end && (*v == ' ' || *v == '\t'); v++) {}
    while (end > v && (end[-1] == ' ' || end[-1] == '\t')) end--;
    buf_clear(name);
    buf_clear(value);
    if (buf_append(name, line, (size_t)(colon - line)) < 0 || buf_append(value, v, (size_t)(end - v)) < 0)
        return buf_fail(err, "out of memory");
    return headers_check(buf_cstr(name), buf_cstr(value), what, err);
}

static char *headers_join(const char *name, const char *value)
{
    buf b = BUF_INIT;
    if (buf_printf(&b, "%s: %s", name, value) < 0) { buf_free(&b); return NULL; }
    return b.data;
}

static int headers_fit(const headers *h, size_t more, const char *what, buf *err)
{
    if (h->bytes + h->per_client_max + more > HEADERS_MAX_BYTES)
        return buf_fail(err, "%s: one client's headers together are longer than %u bytes", what,
                        HEADERS_MAX_BYTES);
    return 0;
}

int headers_add(headers *h, const char *name, const char *value, const char *what, buf *err)
{
    if (headers_check(name, value, what, err) < 0) return -1;
    char *line = headers_join(name, value);
    char **grown = line ? realloc(h->lines, (h->n + 1) * sizeof *h->lines) : NULL;
    if (!grown) { free(line); return buf_fail(err, "out of memory"); }
    h->lines = grown;
    size_t len = strlen(line) + 2;
    if (headers_fit(h, len, what, err) < 0) { free(line); return -1; }
    h->lines[h->n++] = line;
    h->bytes += len;
    return 0;
}

/* One line of the file: checked, stored joined again in the form the transports send. */
static int headers_add_file_line(headers *h, const char *s, size_t n, const char *what, buf *err)
{
    buf name = BUF_INIT, value = BUF_INIT;
    int rc = headers_split(s, n, &name, &value, what, err);
    char *line = rc < 0 ? NULL : headers_join(buf_cstr(&name), buf_cstr(&value));
    buf_free(&name);
    buf_free(&value);
    if (rc < 0) return -1;
    char **grown = line ? realloc(h->per_client, (h->nper + 1) * sizeof *h->per_client) : NULL;
    if (!grown) { free(line); return buf_fail(err, "out of memory"); }
    h->per_client = grown;
    h->per_client[h->nper++] = line;
    size_t len = strlen(line) + 2;
    if (len > h->per_client_max) h->per_client_max = len;
    return headers_fit(h, 0, what, err);
}

int headers_load_file(headers *h, const char *path, buf *err)
{
    buf text = BUF_INIT, what = BUF_INIT;
    if (fileio_read(path, HEADERS_MAX_FILE, &text, err) < 0) { buf_free(&text); return -1; }
    int rc = 0;
    size_t lineno = 0;
    for (size_t at = 0; rc == 0 && at < text.len; lineno++) {
        const char *s = text.data + at, *nl = memchr(s, '\n', text.len - at);
        size_t n = nl ? (size_t)(nl - s) : text.len - at;
        at += n + 1;
        if (n && s[n - 1] == '\r') n--;
        if (!n) continue;
        buf_clear(&what);
        buf_printf(&what, "headers file %s, line %zu", path, lineno + 1);
        rc = headers_add_file_line(h, s, n, buf_cstr(&what), err);
    }
    if (rc == 0 && !h->nper) rc = buf_fail(err, "headers file %s: no header lines", path);
    buf_free(&text);
    buf_free(&what);
    return rc;
}

int headers_check_clients(const headers *h, int clients, buf *err)
{
    if (h->nper && h->nper < (size_t)clients)
        return buf_fail(err, "headers file: %zu line%s for %d clients (one header line per client: a "
                        "pre-issued token each)", h->nper, h->nper == 1 ? "" : "s", clients);
    return 0;
}

size_t headers_count(const headers *h) { return h->n + (h->nper ? 1 : 0); }

int headers_line(const headers *h, size_t k, int client, buf *out, size_t *name_len)
{
    const char *line = k < h->n ? h->lines[k] : h->per_client[(size_t)client % h->nper];
    *name_len = strcspn(line, ":");
    return template_expand(out, line, strlen(line), TEMPLATE_CLIENT, client);
}

void headers_free(headers *h)
{
    for (size_t i = 0; i < h->n; i++) free(h->lines[i]);
    for (size_t i = 0; i < h->nper; i++) free(h->per_client[i]);
    free(h->lines);
    free(h->per_client);
    memset(h, 0, sizeof *h);
}
