/* cookie: the per-client jar (cookie.h). Set-Cookie is parsed as RFC 6265 section 5.2 says, minus what a
 * run with one target host does not need (Domain, Secure). */
#include "net/cookie.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void cookie_jar_init(cookie_jar *j) { memset(j, 0, sizeof *j); }

static void cookie_jar_remove(cookie_jar *j, int i)
{
    j->bytes -= j->c[i].bytes;
    free(j->c[i].name);
    memmove(&j->c[i], &j->c[i + 1], (size_t)(j->n - i - 1) * sizeof j->c[0]);
    j->n--;
}

void cookie_jar_free(cookie_jar *j)
{
    while (j->n) cookie_jar_remove(j, j->n - 1);
}

static int is_space(char ch) { return ch == ' ' || ch == '\t'; }

/* [*s, *e) without the blanks around it */
static void trim(const char **s, const char **e)
{
    while (*s < *e && is_space(**s)) (*s)++;
    while (*e > *s && is_space((*e)[-1])) (*e)--;
}

/* Nothing a header could be split or cut with: a server's cookie goes back into our request verbatim. */
static int clean(const char *s, const char *e)
{
    for (; s < e; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

/* RFC 6265 5.1.4: the directory of the request path ("/socket.io/x" -> "/socket.io", "/" -> "/") */
static size_t default_path(const char *request_path)
{
    const char *slash = strrchr(request_path, '/');
    if (request_path[0] != '/' || !slash || slash == request_path) return 1;
    return (size_t)(slash - request_path);
}

static int path_match(const char *cookie_path, const char *path)
{
    size_t n = strlen(cookie_path), pn = strcspn(path, "?");
    if (n > pn || strncmp(cookie_path, path, n)) return 0;
    return n == pn || cookie_path[n - 1] == '/' || path[n] == '/';
}

/* An Expires date in any of the forms RFC 6265 lets through most often (IMF-fixdate, RFC 850, asctime);
 * -1 when it does not read, and the attribute is then ignored. */
static int64_t parse_date(const char *s, size_t n)
{
    static const char *forms[] = {"%a, %d %b %Y %H:%M:%S", "%a, %d-%b-%y %H:%M:%S", "%a, %d-%b-%Y %H:%M:%S",
                                  "%a %b %d %H:%M:%S %Y"};
    char text[64];
    if (n >= sizeof text) return -1;
    memcpy(text, s, n);
    text[n] = '\0';
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        struct tm tm;
        memset(&tm, 0, sizeof tm);
        if (strptime(text, forms[i], &tm)) return (int64_t)timegm(&tm);
    }
    return -1;
}

/* Max-Age: digits with an optional '-' (*ok = 0 for anything else: the attribute is ignored); <= 0 deletes. */
static int64_t parse_max_age(const char *s, const char *e, int *ok)
{
    int neg = s < e && *s == '-';
    int64_t v = 0;
    *ok = 0;
    if (neg) s++;
    if (s == e) return 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9') return 0;
        if (v < 100000000000LL) v = v * 10 + (*s - '0');   /* past 3000 years is forever enough */
    }
    *ok = 1;
    return neg ? -v : v;
}

typedef struct cookie_attrs {
    const char *path;
    size_t path_len;
    int has_max_age, has_expires;
    int64_t max_age, expires;
} cookie_attrs;

static void parse_attr(cookie_attrs *a, const char *s, const char *e)
{
    const char *eq = memchr(s, '=', (size_t)(e - s));
    const char *ke = eq ? eq : e, *vs = eq ? eq + 1 : e, *ve = e;
    trim(&s, &ke);
    trim(&vs, &ve);
    size_t kn = (size_t)(ke - s), vn = (size_t)(ve - vs);
    if (kn == 4 && !strncasecmp(s, "path", 4)) {
        a->path = vn && *vs == '/' ? vs : NULL;   /* anything else: the default path */
        a->path_len = a->path ? vn : 0;
    } else if (kn == 7 && !strncasecmp(s, "max-age", 7)) {
        int ok;
        int64_t v = parse_max_age(vs, ve, &ok);
        if (ok) { a->has_max_age = 1; a->max_age = v; }
    } else if (kn == 7 && !strncasecmp(s, "expires", 7)) {
        int64_t t = parse_date(vs, vn);
        if (t >= 0) { a->has_expires = 1; a->expires = t; }
    }
}

static int find(const cookie_jar *j, const char *name, size_t nn, const char *path, size_t pn)
{
    for (int i = 0; i < j->n; i++)
        if (strlen(j->c[i].name) == nn && !memcmp(j->c[i].name, name, nn) &&
            strlen(j->c[i].path) == pn && !memcmp(j->c[i].path, path, pn))
            return i;
    return -1;
}

static int store(cookie_jar *j, const char *name, size_t nn, const char *value, size_t vn, const char *path,
                 size_t pn, int64_t expires_s)
{
    size_t bytes = nn + vn + pn;
    char *p = malloc(bytes + 3);
    if (!p) return -1;
    memcpy(p, name, nn);
    p[nn] = '\0';
    memcpy(p + nn + 1, value, vn);
    p[nn + 1 + vn] = '\0';
    memcpy(p + nn + vn + 2, path, pn);
    p[bytes + 2] = '\0';
    while (j->n == COOKIE_JAR_MAX || (j->n && j->bytes + bytes > COOKIE_JAR_MAX_BYTES)) cookie_jar_remove(j, 0);
    cookie *c = &j->c[j->n++];
    c->name = p;
    c->value = p + nn + 1;
    c->path = p + nn + vn + 2;
    c->bytes = bytes;
    c->expires_s = expires_s;
    j->bytes += bytes;
    return 1;
}

int cookie_jar_set(cookie_jar *j, const char *line, size_t n, const char *request_path, int64_t now_s)
{
    const char *end = line + n, *semi = memchr(line, ';', n);
    const char *pair_end = semi ? semi : end;
    const char *eq = memchr(line, '=', (size_t)(pair_end - line));
    if (!eq || !clean(line, end)) return -1;
    const char *ns = line, *ne = eq, *vs = eq + 1, *ve = pair_end;
    trim(&ns, &ne);
    trim(&vs, &ve);
    if (ns == ne) return -1;
    cookie_attrs a = {0};
    for (const char *s = semi; s && s < end;) {
        const char *next = memchr(s + 1, ';', (size_t)(end - s - 1));
        parse_attr(&a, s + 1, next ? next : end);
        s = next;
    }
    const char *path = a.path ? a.path : request_path;
    size_t pn = a.path ? a.path_len : default_path(request_path);
    size_t nn = (size_t)(ne - ns), vn = (size_t)(ve - vs);
    if (nn + vn + pn > COOKIE_MAX_BYTES) return -1;
    int64_t expires_s = a.has_max_age ? (a.max_age <= 0 ? -1 : now_s + a.max_age)
                      : a.has_expires ? (a.expires <= now_s ? -1 : a.expires) : 0;
    int old = find(j, ns, nn, path, pn);
    if (old >= 0) cookie_jar_remove(j, old);
    if (expires_s < 0) return 0;
    return store(j, ns, nn, vs, vn, path, pn, expires_s);
}

int cookie_jar_header(cookie_jar *j, const char *path, int64_t now_s, buf *out)
{
    int count = 0;
    for (int i = 0; i < j->n;) {
        const cookie *c = &j->c[i];
        if (c->expires_s && c->expires_s <= now_s) { cookie_jar_remove(j, i); continue; }
        if (path_match(c->path, path)) {
            if (count++) buf_append_str(out, "; ");
            buf_append_str(out, c->name);
            buf_append_char(out, '=');
            buf_append_str(out, c->value);
        }
        i++;
    }
    return count;
}

const char *cookie_header_value(const char *line, size_t n, size_t *value_len)
{
    static const char name[] = "set-cookie:";
    if (n < sizeof name - 1 || strncasecmp(line, name, sizeof name - 1)) return NULL;
    const char *s = line + sizeof name - 1, *e = line + n;
    while (e > s && (e[-1] == '\r' || e[-1] == '\n')) e--;
    trim(&s, &e);
    *value_len = (size_t)(e - s);
    return s;
}
