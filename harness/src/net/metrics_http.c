/* metrics_http: see metrics_http.h. A poll loop over the listening socket, an eventfd that asks it to stop,
 * and a fixed table of connections, each read into its own fixed buffer, answered once and closed. */
#include "net/metrics_http.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MH_LINGER_MS 1000   /* after the answer: read what the client still sends, so the close is not a reset */
#define MH_SPARE 8          /* slots past the limit, where a connection is told 503 and lingers like the others */
#define MH_SLOTS (METRICS_HTTP_MAX_CLIENTS + MH_SPARE)

typedef enum { MH_FREE, MH_READ, MH_WRITE, MH_DRAIN } mh_state;

typedef struct mh_conn {
    int fd;
    mh_state state;
    int turned_away;              /* past the limit: answered 503 */
    int64_t deadline_ms;
    size_t inlen, outoff;
    char in[METRICS_HTTP_MAX_REQUEST + 1];
    buf out;
} mh_conn;

struct metrics_http {
    int lfd, wakefd;
    pthread_t thread;
    int started;
    metrics_board *board;
    char addr[INET6_ADDRSTRLEN + 16];
    mh_conn conn[MH_SLOTS];
};

static int64_t mh_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the address ------------------------------------------------------------------------------- */

static int mh_port(const char *s, int *port)
{
    if (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s)) return -1;
    *port = atoi(s);
    return *port >= 1 && *port <= 65535 ? 0 : -1;
}

/* host (NULL: loopback) and port into ss; names resolve to their first address */
static int mh_resolve(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len, buf *err)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    memset(ss, 0, sizeof *ss);
    if (!host || inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        if (!host) v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        v4->sin_port = htons((uint16_t)port);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *len = sizeof *v6;
        return 0;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res) return buf_fail(err, "'%s' does not resolve: %s", host, gai_strerror(rc));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    if (ss->ss_family == AF_INET) v4->sin_port = htons((uint16_t)port);
    else v6->sin6_port = htons((uint16_t)port);
    return 0;
}

static int mh_parse(const char *spec, struct sockaddr_storage *ss, socklen_t *len, buf *err)
{
    char host[256];
    int port;
    const char *colon;
    if (mh_port(spec, &port) == 0) return mh_resolve(NULL, port, ss, len, err);   /* a bare port: loopback */
    if (spec[0] == '[') {
        const char *end = strchr(spec, ']');
        if (!end || end[1] != ':' || end - spec - 1 >= (long)sizeof host || mh_port(end + 2, &port) < 0)
            return buf_fail(err, "'%s': expected [IPv6]:PORT with a port in 1..65535", spec);
        snprintf(host, sizeof host, "%.*s", (int)(end - spec - 1), spec + 1);
        struct in6_addr a;
        if (inet_pton(AF_INET6, host, &a) != 1) return buf_fail(err, "'%s': not an IPv6 address", host);
        return mh_resolve(host, port, ss, len, err);
    }
    if (!(colon = strrchr(spec, ':')) || colon == spec || colon - spec >= (long)sizeof host || mh_port(colon + 1, &port) < 0)
        return buf_fail(err, "'%s': expected PORT, HOST:PORT or [IPv6]:PORT with a port in 1..65535", spec);
    if (memchr(spec, ':', (size_t)(colon - spec))) return buf_fail(err, "'%s': an IPv6 address goes in brackets, [::1]:PORT", spec);
    snprintf(host, sizeof host, "%.*s", (int)(colon - spec), spec);
    return mh_resolve(host, port, ss, len, err);
}

static void mh_name(const struct sockaddr_storage *ss, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const void *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(out, cap, "[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const void *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(out, cap, "%s:%u", ip, ntohs(a->sin_port));
    }
}

metrics_http *metrics_http_open(const char *spec, metrics_board *board, buf *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (mh_parse(spec, &ss, &len, err) < 0) return NULL;
    metrics_http *m = calloc(1, sizeof *m);
    if (!m) { buf_fail(err, "out of memory"); return NULL; }
    m->board = board;
    m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    m->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    int one = 1;
    mh_name(&ss, m->addr, sizeof m->addr);
    if (m->lfd >= 0) setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);   /* TIME_WAIT only */
    if (m->lfd >= 0 && ss.ss_family == AF_INET6) setsockopt(m->lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (m->lfd < 0 || m->wakefd < 0 || bind(m->lfd, (struct sockaddr *)&ss, len) < 0 || listen(m->lfd, 16) < 0) {
        buf_fail(err, "%s: %s", m->addr, strerror(errno));
        if (m->lfd >= 0) close(m->lfd);
        if (m->wakefd >= 0) close(m->wakefd);
        free(m);
        return NULL;
    }
    return m;
}

const char *metrics_http_address(const metrics_http *m) { return m->addr; }

/* ---- a request --------------------------------------------------------------------------------- */

int metrics_http_wants_openmetrics(const char *accept)
{
    static const char om[] = "application/openmetrics-text";
    const char *p = accept;
    while (*p) {
        size_t n = strcspn(p, ",");                 /* one media range, with its parameters */
        const char *q = p, *end = p + n;
        while (q < end && (*q == ' ' || *q == '\t')) q++;
        size_t tl = strcspn(q, ";,");
        while (tl && (q[tl - 1] == ' ' || q[tl - 1] == '\t')) tl--;
        if (tl == sizeof om - 1 && !strncasecmp(q, om, tl)) {
            double qv = 1;
            for (const char *s = q; (s = memchr(s, ';', (size_t)(end - s))); ) {
                s++;
                while (s < end && (*s == ' ' || *s == '\t')) s++;
                if (end - s >= 2 && (s[0] == 'q' || s[0] == 'Q') && s[1] == '=') qv = strtod(s + 2, NULL);
            }
            if (qv > 0) return 1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

static void mh_reply(mh_conn *c, int code, const char *reason, const char *ctype, const char *extra,
                     const char *body, size_t blen, int head)
{
    buf_clear(&c->out);
    buf_printf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n%sConnection: close\r\n\r\n",
               code, reason, ctype, blen, extra ? extra : "");
    if (!head) buf_append(&c->out, body, blen);
    c->outoff = 0;
    c->state = MH_WRITE;
}

static void mh_error(mh_conn *c, int code, const char *reason, const char *extra, const char *why)
{
    mh_reply(c, code, reason, "text/plain; charset=utf-8", extra, why, strlen(why), 0);
}

/* The Accept header lines of a request (the text after its request line, NUL-terminated): any that asks. */
static int mh_accepts_om(const char *headers)
{
    for (const char *l = headers; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncasecmp(l, "accept:", 7)) continue;
        char v[METRICS_HTTP_MAX_REQUEST + 1];
        size_t n = strcspn(l + 7, "\r\n");
        memcpy(v, l + 7, n);
        v[n] = '\0';
        if (metrics_http_wants_openmetrics(v)) return 1;
    }
    return 0;
}

/* The request line's three words, each separated by one space (RFC 9112): NUL-terminated in place. */
static int mh_words(char *line, char **w)
{
    for (int i = 0; i < 3; i++) {
        w[i] = line;
        line += strcspn(line, " ");
        if (line == w[i] || (i < 2 && *line != ' ') || (i == 2 && *line)) return -1;
        if (i < 2) *line++ = '\0';
    }
    return 0;
}

int metrics_http_route(const char *req, size_t len, int *head, int *openmetrics)
{
    char in[METRICS_HTTP_MAX_REQUEST + 1], line[300], *w[3];
    *head = *openmetrics = 0;
    if (len > METRICS_HTTP_MAX_REQUEST || memchr(req, '\0', len)) return 400;
    memcpy(in, req, len);
    in[len] = '\0';
    size_t ll = strcspn(in, "\r\n");
    if (ll >= sizeof line) return 400;
    snprintf(line, sizeof line, "%.*s", (int)ll, in);   /* the request line alone */
    if (mh_words(line, w) < 0 || strncmp(w[2], "HTTP/1.", 7)) return 400;
    if (strcmp(w[0], "GET") && strcmp(w[0], "HEAD")) return 405;
    if (strncmp(w[1], "/metrics", 8) || (w[1][8] && w[1][8] != '?')) return 404;
    *head = !strcmp(w[0], "HEAD");
    *openmetrics = mh_accepts_om(in + ll);
    return 200;
}

static void mh_respond(metrics_http *m, mh_conn *c)
{
    int head, om;
    switch (metrics_http_route(c->in, c->inlen, &head, &om)) {
    case 405: mh_error(c, 405, "Method Not Allowed", "Allow: GET, HEAD\r\n", "only GET /metrics is served\n"); return;
    case 404: mh_error(c, 404, "Not Found", NULL, "only GET /metrics is served\n"); return;
    case 200: break;
    default: mh_error(c, 400, "Bad Request", NULL, "expected: GET /metrics HTTP/1.1\n"); return;
    }
    metrics_snap s;
    buf body = BUF_INIT;
    metrics_board_get(m->board, &s);
    if (metrics_render(&s, om, &body) < 0) mh_error(c, 500, "Internal Server Error", NULL, "out of memory\n");
    else mh_reply(c, 200, "OK", om ? METRICS_CT_OPENMETRICS : METRICS_CT_TEXT, NULL, body.data, body.len, head);
    buf_free(&body);
}

/* ---- connections ------------------------------------------------------------------------------- */

static void mh_close(mh_conn *c)
{
    close(c->fd);
    c->fd = -1;
    c->state = MH_FREE;
    buf_free(&c->out);
}

static void mh_write(mh_conn *c, int64_t now)
{
    while (c->outoff < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->outoff, c->out.len - c->outoff, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) { mh_close(c); return; }
        c->outoff += (size_t)n;
    }
    shutdown(c->fd, SHUT_WR);
    c->state = MH_DRAIN;
    if (c->deadline_ms > now + MH_LINGER_MS) c->deadline_ms = now + MH_LINGER_MS;
}

static int mh_end_of_headers(const mh_conn *c)
{
    return memmem(c->in, c->inlen, "\r\n\r\n", 4) || memmem(c->in, c->inlen, "\n\n", 2);
}

static void mh_read(metrics_http *m, mh_conn *c, int64_t now)
{
    char sink[4096];
    if (c->state == MH_DRAIN) {   /* the answer is out: discard until the client closes */
        ssize_t n = recv(c->fd, sink, sizeof sink, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) mh_close(c);
        return;
    }
    ssize_t n = recv(c->fd, c->in + c->inlen, METRICS_HTTP_MAX_REQUEST - c->inlen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) { mh_close(c); return; }
    c->inlen += (size_t)n;
    if (mh_end_of_headers(c)) mh_respond(m, c);
    else if (c->inlen == METRICS_HTTP_MAX_REQUEST)
        mh_error(c, 431, "Request Header Fields Too Large", NULL, "request headers past 8 KiB\n");
    else return;
    mh_write(c, now);
}

/* The connections waiting. Past METRICS_HTTP_MAX_CLIENTS one is answered 503 at once (in a spare slot, so
 * that it lingers like the others and its client reads the answer instead of a reset); with no slot at all
 * it is closed. */
static void mh_accept(metrics_http *m, int64_t now)
{
    for (int k = 0; k < 16; k++) {
        int fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        mh_conn *c = NULL;
        int serving = 0;
        for (int i = 0; i < MH_SLOTS; i++) {
            if (m->conn[i].state == MH_FREE) { if (!c) c = &m->conn[i]; }
            else serving += !m->conn[i].turned_away;
        }
        if (!c) { close(fd); continue; }
        c->fd = fd;
        c->inlen = 0;
        c->turned_away = serving >= METRICS_HTTP_MAX_CLIENTS;
        c->deadline_ms = now + (c->turned_away ? MH_LINGER_MS : METRICS_HTTP_TIMEOUT_MS);
        c->state = MH_READ;
        if (c->turned_away) {
            mh_error(c, 503, "Service Unavailable", NULL, "too many scrapers at once\n");
            mh_write(c, now);
        }
    }
}

static void *mh_main(void *arg)
{
    metrics_http *m = arg;
    struct pollfd pf[2 + MH_SLOTS];
    int who[2 + MH_SLOTS];
    for (;;) {
        int64_t now = mh_now_ms(), next = -1;
        int n = 2;
        pf[0] = (struct pollfd){m->wakefd, POLLIN, 0};
        pf[1] = (struct pollfd){m->lfd, POLLIN, 0};
        for (int i = 0; i < MH_SLOTS; i++) {
            mh_conn *c = &m->conn[i];
            if (c->state == MH_FREE) continue;
            pf[n] = (struct pollfd){c->fd, c->state == MH_WRITE ? POLLOUT : POLLIN, 0};
            who[n++] = i;
            if (next < 0 || c->deadline_ms < next) next = c->deadline_ms;
        }
        int timeout = next < 0 ? -1 : next > now ? (int)(next - now) : 0;
        if (poll(pf, (nfds_t)n, timeout) < 0 && errno != EINTR) break;
        if (pf[0].revents) break;   /* metrics_http_close */
        now = mh_now_ms();
        for (int k = 2; k < n; k++) {
            mh_conn *c = &m->conn[who[k]];
            if (pf[k].revents & POLLOUT) mh_write(c, now);
            else if (pf[k].revents) mh_read(m, c, now);
            if (c->state != MH_FREE && now >= c->deadline_ms) mh_close(c);   /* slow or silent: its time is up */
        }
        if (pf[1].revents & POLLIN) mh_accept(m, now);
    }
    return NULL;
}

int metrics_http_start(metrics_http *m)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);   /* signals stay the main thread's (load/signals.c) */
    int rc = pthread_create(&m->thread, NULL, mh_main, m);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc) return -1;
    m->started = 1;
    return 0;
}

void metrics_http_close(metrics_http *m)
{
    if (!m) return;
    if (m->started) {
        uint64_t one = 1;
        (void)!write(m->wakefd, &one, sizeof one);
        pthread_join(m->thread, NULL);
    }
    for (int i = 0; i < MH_SLOTS; i++)
        if (m->conn[i].state != MH_FREE) mh_close(&m->conn[i]);
    close(m->lfd);
    close(m->wakefd);
    free(m);
}
