/* target: URL parsing, percent-encoding, name resolution and request targets (see target.h). */
#include "net/target.h"
#include <netdb.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "base/template.h"
#include "base/text.h"
#include "net/headers.h"

static const char target_hex[] = "0123456789ABCDEF";

static int target_is_hex(char ch) { return text_hex_value((unsigned char)ch) >= 0; }

static int target_unreserved(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
}

/* A value of our own (a target.query key or value, a sid): everything but the unreserved characters is
 * escaped, so '&', '=', '+' and '#' stay data. */
static int target_encode_value(buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        int r = target_unreserved(ch) ? buf_append_char(out, (char)ch)
                                      : buf_printf(out, "%%%c%c", target_hex[ch >> 4], target_hex[ch & 15]);
        if (r < 0) return -1;
    }
    return 0;
}

/* A path or query as the user wrote it: its delimiters and %XX escapes stay (the user meant them), other
 * bytes (quotes, braces, UTF-8, ...) are escaped; a '%' that starts no escape, spaces and control
 * characters are refused. extra: the characters this part allows beyond RFC 3986's pchar. */
static int target_encode_part(buf *out, const char *s, size_t n, const char *extra, const char *what,
                              buf *err)
{
    static const char pchar[] = "!$&'()*+,;=:@";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int r;
        if (ch <= ' ' || ch == 0x7f)
            return buf_fail(err, "url: the %s has a space or a control character", what);
        if (ch == '%') {
            if (i + 2 >= n || !target_is_hex(s[i + 1]) || !target_is_hex(s[i + 2]))
                return buf_fail(err, "url: the %s has a bad %%-escape", what);
            r = buf_append(out, s + i, 3);
            i += 2;
        } else if (target_unreserved(ch) || strchr(pchar, ch) || strchr(extra, ch)) {
            r = buf_append_char(out, (char)ch);
        } else {
            r = buf_printf(out, "%%%c%c", target_hex[ch >> 4], target_hex[ch & 15]);
        }
        if (r < 0) return buf_fail(err, "out of memory");
    }
    return 0;
}

static int target_unhex(char ch)
{
    return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10;
}

/* One query parameter's key as the server will read it (percent-decoded), for the reserved check. */
static int target_key_reserved(const char *s, size_t n)
{
    char key[16];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k + 1 >= sizeof key) return 0;   /* longer than any reserved key */
        if (s[i] == '%' && i + 2 < n) {   /* the escapes are valid: target_encode_part checked them */
            key[k++] = (char)(target_unhex(s[i + 1]) * 16 + target_unhex(s[i + 2]));
            i += 2;
        } else {
            key[k++] = s[i];
        }
    }
    key[k] = '\0';
    return target_param_reserved(key);
}

int target_param_reserved(const char *key)
{
    static const char *const ours[] = {"EIO", "transport", "sid", "b64", "j"};
    for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
        if (!strcmp(key, ours[i])) return 1;
    return 0;
}

static int target_reserved_error(buf *err, const char *name, const char *key_shown)
{
    return buf_fail(err, "%s: '%s' is an Engine.IO parameter that siocrypt sets itself (EIO, transport, sid, "
                    "b64 and j are refused in a target's query)", name, key_shown);
}

/* The URL's query: kept as written (escaped where needed), every parameter's key checked. */
static int target_set_query(target *t, const char *q, size_t n, buf *err)
{
    buf enc = BUF_INIT;
    if (target_encode_part(&enc, q, n, "/?", "query", err) < 0) { buf_free(&enc); return -1; }
    for (size_t at = 0; at < enc.len;) {
        size_t end = at;
        while (end < enc.len && enc.data[end] != '&') end++;
        size_t klen = 0;
        while (at + klen < end && enc.data[at + klen] != '=') klen++;
        if (target_key_reserved(enc.data + at, klen)) {
            char shown[64];
            snprintf(shown, sizeof shown, "%.*s", (int)(klen < 60 ? klen : 60), enc.data + at);
            buf_free(&enc);
            return target_reserved_error(err, "url", shown);
        }
        at = end + 1;
    }
    free(t->query);
    t->query = enc.data ? enc.data : strdup("");
    return t->query ? 0 : buf_fail(err, "out of memory");
}

static int target_store_path(target *t, const char *p, size_t n, buf *err)
{
    buf enc = BUF_INIT;
    if (target_encode_part(&enc, p, n, "/", "path", err) < 0) { buf_free(&enc); return -1; }
    if ((enc.len == 0 || enc.data[enc.len - 1] != '/') && buf_append_char(&enc, '/') < 0) {
        buf_free(&enc);
        return buf_fail(err, "out of memory");
    }
    free(t->path);
    t->path = enc.data;
    return 0;
}

void target_init(target *t)
{
    memset(t, 0, sizeof *t);
    t->port = 80;
}

static int target_default_port(const target *t) { return t->tls ? 443 : 80; }

int target_set_path(target *t, const char *path, buf *err)
{
    if (path[0] != '/') return buf_fail(err, "target.path: must start with /");
    return target_store_path(t, path, strlen(path), err);
}

/* host (a name or a dotted IPv4 address) or [IPv6]; *p is moved past it. */
static int target_parse_host(target *t, const char **p, buf *err)
{
    const char *s = *p, *h = s;
    size_t n;
    if (*s == '[') {
        const char *rb = strchr(s, ']');
        struct in6_addr a6;
        char lit[INET6_ADDRSTRLEN];
        if (!rb || (size_t)(rb - s - 1) >= sizeof lit) return buf_fail(err, "url: no closing ] after the IPv6 address");
        memcpy(lit, s + 1, (size_t)(rb - s - 1));
        lit[rb - s - 1] = '\0';
        if (inet_pton(AF_INET6, lit, &a6) != 1)
            return buf_fail(err, "url: '%s' is not an IPv6 address (zone ids are not supported)", lit);
        h = s + 1;
        n = (size_t)(rb - h);
        *p = rb + 1;
        t->bracketed = 1;
    } else {
        n = strcspn(s, ":/?#");
        for (size_t i = 0; i < n; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (!target_unreserved(ch) || ch == '~')
                return buf_fail(err, "url: the host has a character a host name cannot have (0x%02x)", ch);
        }
        if (n == 0) return buf_fail(err, "url: no host");
        if (n > TARGET_MAX_HOST) return buf_fail(err, "url: the host name is longer than %d characters", TARGET_MAX_HOST);
        *p = s + n;
    }
    free(t->host);
    t->host = strndup(h, n);
    return t->host ? 0 : buf_fail(err, "out of memory");
}

static int target_parse_port(target *t, const char **p, buf *err)
{
    const char *s = *p;
    long port = 0;
    t->port = target_default_port(t);
    if (*s != ':') return 0;
    for (s++; *s >= '0' && *s <= '9'; s++)
        if ((port = port * 10 + (*s - '0')) > 65535) break;
    if (s == *p + 1 || port < 1 || port > 65535 || (*s && !strchr("/?#", *s)))
        return buf_fail(err, "url: bad port (expected 1..65535 after the host's ':')");
    t->port = (int)port;
    *p = s;
    return 0;
}

static int target_make_host_header(target *t, buf *err)
{
    buf h = BUF_INIT;
    int r = buf_printf(&h, "%s%s%s", t->bracketed ? "[" : "", t->host, t->bracketed ? "]" : "");
    if (r == 0 && t->port != target_default_port(t)) r = buf_printf(&h, ":%d", t->port);
    if (r < 0) { buf_free(&h); return buf_fail(err, "out of memory"); }
    free(t->host_header);
    t->host_header = h.data;
    return 0;
}

int target_parse(target *t, const char *url, buf *err)
{
    const char *p = url;
    t->tls = 0;
    if (!strncmp(p, "http://", 7)) p += 7;
    else if (!strncmp(p, "ws://", 5)) p += 5;
    else if (!strncmp(p, "https://", 8)) { p += 8; t->tls = 1; }
    else if (!strncmp(p, "wss://", 6)) { p += 6; t->tls = 1; }
    else
        return buf_fail(err, "url: expected http(s)://host[:port][/path][?query] (or ws://, wss://)");
    size_t authority = strcspn(p, "/?#");
    if (memchr(p, '@', authority)) return buf_fail(err, "url: user:password@ in the URL is not supported");
    free(t->query);              /* a URL replaces the query of an earlier one; target_add_param appends */
    t->query = NULL;
    t->bracketed = 0;
    if (target_parse_host(t, &p, err) < 0 || target_parse_port(t, &p, err) < 0) return -1;
    if (*p && !strchr("/?#", *p)) return buf_fail(err, "url: unexpected '%c' after the host", *p);
    size_t plen = strcspn(p, "?#");
    if (plen > 1 && target_store_path(t, p, plen, err) < 0) return -1;
    p += plen;
    if (*p == '?') {
        size_t qlen = strcspn(p + 1, "#");
        if (target_set_query(t, p + 1, qlen, err) < 0) return -1;
    }
    if (!t->path && target_store_path(t, "/socket.io/", 11, err) < 0) return -1;
    if (!t->query && !(t->query = strdup(""))) return buf_fail(err, "out of memory");
    return target_make_host_header(t, err);
}

int target_add_param(target *t, const char *key, const char *value, const char *name, buf *err)
{
    buf q = BUF_INIT;
    if (!key[0]) return buf_fail(err, "%s: a query parameter needs a name", name);
    if (target_param_reserved(key)) return target_reserved_error(err, name, key);
    if (buf_append_str(&q, t->query ? t->query : "") < 0 || (q.len && buf_append_char(&q, '&') < 0) ||
        target_encode_value(&q, key) < 0 || buf_append_char(&q, '=') < 0 || target_encode_value(&q, value) < 0) {
        buf_free(&q);
        return buf_fail(err, "out of memory");
    }
    free(t->query);
    t->query = q.data;
    return 0;
}

int target_check(const target *t, buf *err)
{
    /* the longest parameters siocrypt adds: EIO, the transport's name, a sid, b64 */
    size_t ours = strlen("?EIO=4&transport=websocket&sid=") + TARGET_MAX_SID + strlen("&b64=1&");
    size_t path = t->path ? strlen(t->path) : 0, query = t->query ? strlen(t->query) : 0;
    if (path + query + ours > TARGET_MAX_REQUEST)
        return buf_fail(err, "target: the path (%zu bytes, encoded) and query (%zu bytes) leave no room for the "
                        "Engine.IO parameters within the request limit of %d bytes", path, query,
                        TARGET_MAX_REQUEST);
    return 0;
}

static int target_plain_base(target *t, buf *err)
{
    buf b = BUF_INIT;
    int v6 = t->family == AF_INET6;
    if (buf_printf(&b, "http://%s%s%s:%d", v6 ? "[" : "", t->addr, v6 ? "]" : "", t->port) < 0) {
        buf_free(&b);
        return buf_fail(err, "out of memory");
    }
    free(t->base);
    t->base = b.data;
    return 0;
}

/* TLS: curl must send the name (SNI, verification) while connecting to the address resolved once, so its
 * URL names the host and CURLOPT_CONNECT_TO says where it really goes. */
static int target_tls_base(target *t, buf *err)
{
    const char *name = t->tlsopt.servername && t->tlsopt.servername[0] ? t->tlsopt.servername : t->host;
    int name_v6 = strchr(name, ':') != NULL, v6 = t->family == AF_INET6;
    buf b = BUF_INIT, ct = BUF_INIT;
    if (buf_printf(&b, "https://%s%s%s:%d", name_v6 ? "[" : "", name, name_v6 ? "]" : "", t->port) < 0 ||
        buf_printf(&ct, "%s%s%s:%d:%s%s%s:%d", name_v6 ? "[" : "", name, name_v6 ? "]" : "", t->port,
                   v6 ? "[" : "", t->addr, v6 ? "]" : "", t->port) < 0) {
        buf_free(&b);
        buf_free(&ct);
        return buf_fail(err, "out of memory");
    }
    free(t->base);
    free(t->connect_to);
    free(t->tls_name);
    t->base = b.data;
    t->connect_to = ct.data;
    t->tls_name = strdup(name);
    return t->tls_name ? 0 : buf_fail(err, "out of memory");
}

int target_resolve(target *t, buf *err)
{
    struct addrinfo hints, *ai = NULL;
    char port[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;            /* IPv4 or IPv6: whatever the resolver lists first */
    hints.ai_socktype = SOCK_STREAM;
    if (t->bracketed) hints.ai_flags = AI_NUMERICHOST;
    snprintf(port, sizeof port, "%d", t->port);
    int r = getaddrinfo(t->host, port, &hints, &ai);
    if (r || !ai) return buf_fail(err, "url: cannot resolve '%s': %s", t->host, r ? gai_strerror(r) : "no address");
    t->family = ai->ai_family;
    r = getnameinfo(ai->ai_addr, ai->ai_addrlen, t->addr, sizeof t->addr, NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(ai);
    if (r || strchr(t->addr, '%'))   /* a scoped (link-local) address would need a zone id in the URL */
        return buf_fail(err, "url: '%s' resolves to an address siocrypt cannot connect to (%s)", t->host,
                        r ? gai_strerror(r) : "link-local with a zone id");
    return t->tls ? target_tls_base(t, err) : target_plain_base(t, err);
}

int target_request(const target *t, int eio, const char *transport, const char *sid, int b64, buf *out)
{
    return target_request_for(t, eio, transport, sid, b64, -1, out);
}

/* client < 0: the query as it is. The placeholder is percent-encoded by now (its braces were escaped). */
int target_request_for(const target *t, int eio, const char *transport, const char *sid, int b64, int client,
                       buf *out)
{
    size_t start = out->len;
    if (buf_printf(out, "%s?EIO=%d&transport=%s", t->path, eio, transport) < 0) return -1;
    if (sid && sid[0] && (buf_append_str(out, "&sid=") < 0 || target_encode_value(out, sid) < 0)) return -1;
    if (b64 && buf_append_str(out, "&b64=1") < 0) return -1;
    if (t->query[0] && buf_append_char(out, '&') < 0) return -1;
    if (client < 0 ? buf_append_str(out, t->query) < 0
                   : template_expand(out, t->query, strlen(t->query), TEMPLATE_CLIENT_ESCAPED, client) < 0)
        return -1;
    return out->len - start > TARGET_MAX_REQUEST ? -1 : 0;
}

int target_redact(const char *url, buf *out)
{
    size_t n = strcspn(url, "?#");
    if (buf_append(out, url, n) < 0) return -1;
    if (url[n] != '?') return 0;
    const char *q = url + n + 1, *end = q + strcspn(q, "#");
    if (buf_append_char(out, '?') < 0) return -1;
    while (q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q)), *stop = amp ? amp : end;
        const char *eq = memchr(q, '=', (size_t)(stop - q));
        if (buf_append(out, q, (size_t)((eq ? eq : stop) - q)) < 0) return -1;
        if (eq && eq + 1 < stop && buf_append_str(out, "=*") < 0) return -1;
        if (eq && eq + 1 == stop && buf_append_char(out, '=') < 0) return -1;
        if (amp && buf_append_char(out, '&') < 0) return -1;
        q = stop + (amp ? 1 : 0);
    }
    return 0;
}

void target_free(target *t)
{
    free(t->host);
    free(t->path);
    free(t->query);
    free(t->host_header);
    free(t->base);
    if (t->headers) headers_free(t->headers);
    free(t->headers);
    free(t->tls_name);
    free(t->connect_to);
    target_init(t);
}
