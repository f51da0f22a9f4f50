/* transport_poll: long-polling through curl_multi_socket_action, woken by uv poll and timer handles.
 * Each session's poll_conn owns at most two easy handles at a time (one GET, one POST); they are created per request
 * and freed when it ends, which keeps the state plain: a handle pointer is non-NULL exactly while that
 * request is in flight. */
#include "net/transport_poll.h"
#include "base/text.h"
#include <curl/curl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "proto/eio.h"
#include "net/headers.h"
#include "net/target.h"
#include "net/tls.h"
#include "net/cookie.h"
#include "net/redirect.h"
#include "net/source.h"
#include <time.h>

typedef struct poll_sock {
    uv_poll_t handle;
    curl_socket_t fd;
    net_loop *net;
} poll_sock;

static void poll_check_done(net_loop *net);
static void poll_get(poll_conn *c);
static void poll_send(void *conn);

/* poll_easy fails on curl_easy_init or a URL over the request limit (a long sid and a long path) */
#define POLL_NO_REQUEST "request not made: out of memory, or the sid makes the URL too long"
/* Per-session bodies keep up to this much between requests; a larger one is given back after use. */
#define POLL_KEEP_BYTES (64 * 1024)

static void poll_sock_closed(uv_handle_t *h) { free(h->data); }

static void poll_on_uv(uv_poll_t *h, int status, int events)
{
    poll_sock *ps = h->data;
    int flags = 0;
    if (status < 0) flags = CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    int running;
    net_loop *net = ps->net;
    curl_multi_socket_action(net->multi, ps->fd, flags, &running);
    poll_check_done(net);
}

static int poll_on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *sockp)
{
    (void)e;
    net_loop *net = userp;
    poll_sock *ps = sockp;
    if (what == CURL_POLL_REMOVE) {
        if (ps) {
            uv_poll_stop(&ps->handle);
            uv_close((uv_handle_t *)&ps->handle, poll_sock_closed);
            curl_multi_assign(net->multi, fd, NULL);
        }
        return 0;
    }
    if (!ps) {
        ps = calloc(1, sizeof *ps);
        if (!ps) return -1;
        ps->fd = fd;
        ps->net = net;
        if (uv_poll_init_socket(net->loop, &ps->handle, fd) < 0) { free(ps); return -1; }
        ps->handle.data = ps;
        curl_multi_assign(net->multi, fd, ps);
    }
    int ev = 0;
    if (what & CURL_POLL_IN) ev |= UV_READABLE;
    if (what & CURL_POLL_OUT) ev |= UV_WRITABLE;
    uv_poll_start(&ps->handle, ev, poll_on_uv);
    return 0;
}

static void poll_on_timer(uv_timer_t *t)
{
    net_loop *net = t->data;
    int running;
    curl_multi_socket_action(net->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    poll_check_done(net);
}

static int poll_on_timeout_change(CURLM *m, long timeout_ms, void *userp)
{
    (void)m;
    net_loop *net = userp;
    if (timeout_ms < 0) uv_timer_stop(&net->curl_timer);
    else uv_timer_start(&net->curl_timer, poll_on_timer, (uint64_t)timeout_ms, 0);
    return 0;
}

int poll_multi_init(net_loop *net)
{
    net->multi = curl_multi_init();
    if (!net->multi) return -1;
    uv_timer_init(net->loop, &net->curl_timer);
    net->curl_timer.data = net;
    curl_multi_setopt(net->multi, CURLMOPT_SOCKETFUNCTION, poll_on_socket);
    curl_multi_setopt(net->multi, CURLMOPT_SOCKETDATA, net);
    curl_multi_setopt(net->multi, CURLMOPT_TIMERFUNCTION, poll_on_timeout_change);
    curl_multi_setopt(net->multi, CURLMOPT_TIMERDATA, net);
    curl_multi_setopt(net->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    curl_multi_setopt(net->multi, CURLMOPT_MAXCONNECTS, (long)(2 * net->nconns + 16));
    /* the URL names the numeric address (resolved once); the Host header keeps the name the user gave */
    char host[16 + TARGET_MAX_HOST + 16];
    snprintf(host, sizeof host, "Host: %s", net->cfg.target->host_header);
    if (!(net->poll_headers = curl_slist_append(NULL, host))) return -1;
    return 0;
}

void poll_multi_cleanup(net_loop *net)
{
    if (net->multi) curl_multi_cleanup(net->multi);
    net->multi = NULL;
    curl_slist_free_all(net->poll_headers);
    net->poll_headers = NULL;
    tls_poll_cleanup(net);
    uv_close((uv_handle_t *)&net->curl_timer, NULL);
}

static void poll_error(poll_conn *c, const char *cls, const char *detail)
{
    c->link.ev->on_error(c->link.user, cls, detail);
}

/* A body past limits.max_message_bytes ends the request (returning less than n makes curl fail it with
 * CURLE_WRITE_ERROR); chunked and close-delimited bodies announce no length, so this is the only check
 * they meet. CURLOPT_MAXFILESIZE_LARGE refuses an announced Content-Length before anything is read. */
static size_t poll_on_body(poll_conn *c, buf *b, const char *p, size_t n)
{
    if ((int64_t)(b->len + n) > c->net->cfg.max_message_bytes) {
        c->too_large = 1;
        return 0;
    }
    return buf_append(b, p, n) < 0 ? 0 : n;
}

static size_t poll_on_get_body(char *p, size_t size, size_t n, void *userp)
{
    poll_conn *c = userp;
    tls_poll_note(c->net, c->get);
    return poll_on_body(c, &c->get_body, p, size * n);
}

static size_t poll_on_post_body(char *p, size_t size, size_t n, void *userp)
{
    poll_conn *c = userp;
    return poll_on_body(c, &c->post_resp, p, size * n);
}

/* base (numeric address, brackets for IPv6) + the request target. EIO3 polling asks for b64=1 as
 * socket.io-client does where binary is unsupported: engine.io 1.x otherwise frames every payload in
 * binary, even one of text packets only; later servers answer text either way. */
static int poll_url(const poll_conn *c, buf *url)
{
    const net_config *cfg = &c->net->cfg;
    return buf_append_str(url, cfg->target->base) < 0 ? -1
         : target_request_for(cfg->target, cfg->eio, "polling", c->link.sid, cfg->eio == 3, c->client, url);
}

/* The Host header and the user's (-H, target.headers, the headers file), {{client}} expanded: built once
 * per client, kept for all its requests. Without user headers every client shares net's Host list. */
static struct curl_slist *poll_headers(poll_conn *c)
{
    const headers *h = c->net->cfg.target->headers;
    if (!h) return c->net->poll_headers;
    if (c->headers) return c->headers;
    struct curl_slist *list = curl_slist_append(NULL, ((struct curl_slist *)c->net->poll_headers)->data);
    buf line = BUF_INIT;
    for (size_t k = 0; list && k < headers_count(h); k++) {
        size_t name_len;
        buf_clear(&line);
        struct curl_slist *more = headers_line(h, k, c->client, &line, &name_len) < 0 ? NULL
                                : curl_slist_append(list, buf_cstr(&line));
        if (!more) { curl_slist_free_all(list); list = NULL; }
        else list = more;
    }
    buf_free(&line);
    c->headers = list;
    return list;
}

/* Every response's Set-Cookie goes into the client's jar (redirect responses' too, when followed). */
static size_t poll_on_header(char *p, size_t size, size_t n, void *userp)
{
    poll_conn *c = userp;
    size_t vn;
    const char *v = cookie_header_value(p, size * n, &vn);
    if (v) cookie_jar_set(c->link.jar, v, vn, c->net->cfg.target->path, (int64_t)time(NULL));
    return size * n;
}

/* The jar's cookies for this request (curl copies the string); nothing when cookies are off. */
static void poll_cookies(poll_conn *c, CURL *e)
{
    if (!c->link.jar) return;
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, poll_on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    buf v = BUF_INIT;
    if (cookie_jar_header(c->link.jar, c->net->cfg.target->path, (int64_t)time(NULL), &v) > 0)
        curl_easy_setopt(e, CURLOPT_COOKIE, buf_cstr(&v));
    buf_free(&v);
}

/* target.follow_redirects: curl follows same-scheme 3xx, a few in a row (CURLE_TOO_MANY_REDIRECTS past
 * them, class protocol); a 301/302/303 turns a POST into a GET, as browsers do (a 307/308 keeps it). */
static void poll_redirects(poll_conn *c, CURL *e)
{
    if (!c->net->cfg.follow_redirects) return;
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)NET_MAX_REDIRECTS);
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, strncmp(c->net->cfg.target->base, "https:", 6) ? "http" : "https");
    /* a cookie set by a redirect response must go on the request it redirects to: curl's own engine, for
     * this one transfer only (the jar, which poll_on_header fills too, carries them to later requests) */
    if (c->link.jar) curl_easy_setopt(e, CURLOPT_COOKIEFILE, "");
}

/* target.proxy: a CONNECT tunnel, as the websocket has (lws knows no other way): the proxy sees where,
 * not what. An empty CURLOPT_NOPROXY makes the proxy apply to every host, whatever no_proxy says. */
static void poll_proxy(poll_conn *c, CURL *e)
{
    const target *p = c->net->cfg.proxy;
    if (!p) return;
    curl_easy_setopt(e, CURLOPT_PROXY, p->base);
    curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "");
}

/* --source: curl binds to the client's local address ("host!": an address, never an interface name);
 * curl's connection cache reuses a connection only for requests with the same one. */
static void poll_source(poll_conn *c, CURL *e)
{
    const char *src = source_for(c->net->cfg.sources, c->client);
    char v[80];
    if (!src) return;
    snprintf(v, sizeof v, "host!%s", src);
    curl_easy_setopt(e, CURLOPT_INTERFACE, v);   /* curl keeps its own copy */
}

static CURL *poll_easy(poll_conn *c, buf *body, int64_t timeout_ms)
{
    buf url = BUF_INIT;
    struct curl_slist *hdrs = poll_headers(c);
    if (!hdrs || poll_url(c, &url) < 0) { buf_free(&url); return NULL; }
    CURL *e = curl_easy_init();
    if (!e) { buf_free(&url); return NULL; }
    buf_clear(body);
    c->too_large = 0;
    curl_easy_setopt(e, CURLOPT_URL, url.data);   /* curl keeps its own copy */
    buf_free(&url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body == &c->get_body ? poll_on_get_body : poll_on_post_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->net->cfg.max_message_bytes);
    poll_cookies(c, e);
    poll_redirects(c, e);
    poll_proxy(c, e);
    /* curl follows no redirects unless told (poll_redirects); a 3xx is an error naming Location */
    curl_easy_setopt(e, CURLOPT_PRIVATE, c);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)(c->net->cfg.connect_timeout_ns / 1000000));
    poll_source(c, e);
    if (tls_poll_setup(c->net, e) < 0) { curl_easy_cleanup(e); return NULL; }
    return e;
}

static void poll_get(poll_conn *c)
{
    if (c->get) return;
    /* A long-poll GET is held by the server up to pingInterval; allow that plus pingTimeout. */
    int64_t to_ms = c->link.sid[0] ? c->link.hold_ns / 1000000 + 5000 : c->net->cfg.connect_timeout_ns / 1000000;
    CURL *e = poll_easy(c, &c->get_body, to_ms);
    if (!e) { poll_error(c, "protocol", POLL_NO_REQUEST); return; }
    c->get = e;
    c->get_started_ns = clock_now_ns();
    curl_multi_add_handle(c->net->multi, e);
}

/* GETs go on while the session is carried here and not closing (polling paused for the upgrade, or a
 * close under way, stops them; POSTs still go). */
static int poll_receiving(const poll_conn *c) { return c->link.queue && !c->closing && !c->dropped; }

static void poll_on_retry(sched_entry *e, int64_t now)
{
    (void)now;
    poll_conn *c = (poll_conn *)((char *)e - offsetof(poll_conn, retry));
    if (poll_receiving(c)) poll_get(c);
}

/* engine.io holds a GET until it has something to send, so an empty 200 carries nothing and a server
 * that answers every GET at once with one must not be polled in a loop (it was: 20,000 GETs in 3 s).
 * The next GET waits POLL_RETRY_FIRST_MS, doubling up to POLL_RETRY_MAX_MS while replies stay empty;
 * a payload resets it. Silence is still bounded by the connect timeout and the heartbeat. */
#define POLL_RETRY_FIRST_MS 5
#define POLL_RETRY_MAX_MS 1000
static void poll_get_again(poll_conn *c, int empty)
{
    if (!empty) {
        c->empty = 0;
        poll_get(c);
        return;
    }
    uint64_t ms = (uint64_t)POLL_RETRY_FIRST_MS << (c->empty < 10 ? c->empty : 10);
    if (ms > POLL_RETRY_MAX_MS) ms = POLL_RETRY_MAX_MS;
    c->empty++;
    if (sched_at(c->net->sched, &c->retry, clock_now_ns() + (int64_t)ms * 1000000) < 0)
        poll_error(c, "protocol", "scheduler full");
}

/* Join the queued packets into one payload (EIO4: \x1e between packets; EIO3: length prefixes). */
static void poll_build_payload(poll_conn *c)
{
    int proto = c->net->cfg.eio;
    buf *q = c->link.queue;
    while (q->len >= 4) {
        uint32_t n;
        memcpy(&n, q->data, 4);
        /* eio_payload_append takes the type and data apart: the record holds "<type><data>" */
        eio_payload_append(proto, &c->post_body, (eio_type)(q->data[4] - '0'), q->data + 5, n - 1);
        buf_consume(q, 4 + (size_t)n);
    }
    buf_trim(q, POLL_KEEP_BYTES);
}

/* Start a POST with what is queued, if none is in flight; not before the handshake (no sid yet), and not
 * while the session is not carried here (the upgrade paused polling or moved to the websocket). */
static void poll_send(void *conn)
{
    poll_conn *c = conn;
    if (c->post || c->dropped || !c->link.queue || c->link.queue->len == 0 || !c->link.sid[0]) return;
    CURL *e = poll_easy(c, &c->post_resp, c->net->cfg.post_timeout_ns / 1000000);
    if (!e) { poll_error(c, "protocol", POLL_NO_REQUEST); return; }
    buf_clear(&c->post_body);
    poll_build_payload(c);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->post_body.data);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->post_body.len);
    c->post = e;
    curl_multi_add_handle(c->net->multi, e);
}

static void poll_release(net_loop *net, CURL **slot)
{
    if (!*slot) return;
    curl_multi_remove_handle(net->multi, *slot);
    curl_easy_cleanup(*slot);
    *slot = NULL;
}

/* Drop requests in flight. */
static void poll_abort(void *conn)
{
    poll_conn *c = conn;
    c->dropped = 1;
    sched_cancel(c->net->sched, &c->retry);
    poll_release(c->net, (CURL **)&c->get);
    poll_release(c->net, (CURL **)&c->post);
}

static int poll_busy(const void *conn)
{
    const poll_conn *c = conn;
    return c->get || c->post;
}

/* The first GET is the handshake: its answer is the open packet. */
static int poll_open(void *conn, const transport_events *ev, void *user, buf *queue)
{
    poll_conn *c = conn;
    c->link.ev = ev;
    c->link.user = user;
    c->link.queue = queue;
    c->closing = c->dropped = 0;
    poll_get(c);
    return 0;
}

/* Carried again (an upgrade that failed): poll again at once, and send what waited. */
static void poll_carry(void *conn, buf *queue)
{
    poll_conn *c = conn;
    c->link.queue = queue;
    if (!queue || c->dropped) return;
    if (!c->get && !c->closing) poll_get(c);
    poll_send(c);
}

/* Polling has no close of its own: the session's close packet goes out in a POST; no GET follows. */
static void poll_close(void *conn)
{
    poll_conn *c = conn;
    c->closing = 1;
}

void poll_conn_init(poll_conn *c, net_loop *net)
{
    memset(c, 0, sizeof *c);
    c->net = net;
    sched_entry_init(&c->retry, poll_on_retry);
}

void poll_conn_free(poll_conn *c)
{
    buf_free(&c->get_body);
    buf_free(&c->post_body);
    buf_free(&c->post_resp);
    curl_slist_free_all(c->headers);
    c->headers = NULL;
}

const transport_ops poll_ops = {"polling", poll_open, poll_send, NULL, poll_carry, poll_close, poll_abort, poll_busy};

/* What a failed request means: the server was not there, did not answer in time, answered with something
 * that is not HTTP, or went away mid-request. (The session turns any of these into "handshake" while the
 * session is not up yet, except connect-refused and timeout.) */
static const char *poll_error_class(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_INTERFACE_FAILED: return "connect-refused";   /* --source: the local address would not bind */
    case CURLE_OPERATION_TIMEDOUT: return "timeout";
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_HTTP2:
    case CURLE_FILESIZE_EXCEEDED:
    case CURLE_TOO_MANY_REDIRECTS: return "protocol";
    default: return "disconnect";   /* partial body, connection reset, empty reply, send/recv errors */
    }
}

/* A request that did not end in a 200 with a body we keep: tell the session (status_cls for a status other
 * than 200) and return 1. A redirect is not followed: its detail names where it pointed. */
static int poll_failed(poll_conn *c, const char *method, CURLcode rc, long status, const char *location,
                       const buf *body, const char *status_cls)
{
    if (rc == CURLE_FILESIZE_EXCEEDED || (rc == CURLE_WRITE_ERROR && c->too_large)) {
        poll_error(c, "protocol", TRANSPORT_MESSAGE_TOO_LARGE);
        return 1;
    }
    if (c->tls_why[0]) {   /* the certificate did not verify, or the handshake failed (tls.c) */
        poll_error(c, TLS_CLASS, c->tls_why);
        return 1;
    }
    const char *src = source_for(c->net->cfg.sources, c->client);
    char why[160];
    if ((rc == CURLE_INTERFACE_FAILED || rc == CURLE_COULDNT_CONNECT) && src && source_bind_problem(src, why, sizeof why)) {
        poll_error(c, "connect-refused", why);
        return 1;
    }
    if (rc != CURLE_OK && c->proxy_code >= 300) {   /* the tunnel was refused: the target was never asked */
        char detail[96];
        snprintf(detail, sizeof detail, "%s: the proxy refused the CONNECT: HTTP %ld", method, c->proxy_code);
        poll_error(c, "connect-refused", detail);
        return 1;
    }
    if (rc == CURLE_TOO_MANY_REDIRECTS || (rc == CURLE_UNSUPPORTED_PROTOCOL && c->net->cfg.follow_redirects)) {
        char detail[200];   /* a followed redirect that went too far, or to another scheme */
        if (rc == CURLE_TOO_MANY_REDIRECTS) snprintf(detail, sizeof detail, "%s: more than %d redirects", method, NET_MAX_REDIRECTS);
        else snprintf(detail, sizeof detail, "%s redirect not followed: another scheme (same scheme only)", method);
        poll_error(c, poll_error_class(rc), detail);
        return 1;
    }
    if (rc != CURLE_OK) {
        poll_error(c, poll_error_class(rc), curl_easy_strerror(rc));
        return 1;
    }
    if (status == 200) return 0;
    char detail[200];
    if (status >= 300 && status < 400)
        snprintf(detail, sizeof detail, "%s HTTP %ld redirect not followed: Location %.120s", method, status,
                 location && *location ? location : "(none)");
    else
        snprintf(detail, sizeof detail, "%s HTTP %ld: %.*s", method, status,   /* the server's text: cut between characters */
                 (int)text_utf8_cut(buf_cstr(body), body->len, 100), buf_cstr(body));
    poll_error(c, status_cls, detail);
    return 1;
}

/* A GET came back: hand each packet of the payload to the session, then poll again. */
static void poll_get_done(poll_conn *c, CURLcode rc, long status, const char *location)
{
    if (poll_failed(c, "GET", rc, status, location, &c->get_body, c->link.sid[0] ? "protocol" : "handshake")) return;
    size_t pos = 0;
    eio_packet p;
    int proto = c->net->cfg.eio;
    /* the session may end (and drop this transport) while handling a packet: stop when it does */
    while (!c->dropped) {
        int r = eio_payload_next(proto, c->get_body.data, c->get_body.len, &pos, &p);
        if (r == EIO_END) break;
        if (r != EIO_OK) {
            poll_error(c, "protocol", eio_err_name(r));
            return;
        }
        c->link.ev->on_packet(c->link.user, &p);
    }
    if (c->dropped || c->closing) return;
    int empty = c->get_body.len == 0;
    buf_clear(&c->get_body);
    buf_trim(&c->get_body, POLL_KEEP_BYTES);
    if (c->link.queue) poll_get_again(c, empty);
    else c->link.ev->on_idle(c->link.user);
}

static void poll_post_done(poll_conn *c, CURLcode rc, long status, const char *location)
{
    buf_clear(&c->post_body);   /* curl is done with it */
    buf_trim(&c->post_body, POLL_KEEP_BYTES);
    if (poll_failed(c, "POST", rc, status, location, &c->post_resp, "protocol")) return;
    poll_send(c);
    if (!c->post) c->link.ev->on_idle(c->link.user);
}

static void poll_check_done(net_loop *net)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(net->multi, &left))) {
        if (m->msg != CURLMSG_DONE) continue;
        CURL *e = m->easy_handle;
        CURLcode rc = m->data.result;
        poll_conn *c = NULL;
        long status = 0;
        char *loc = NULL, location[128] = "";
        curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&c);
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
            snprintf(location, sizeof location, "%s", loc);
        for (char *p = location; *p; p++)   /* the server's text: nothing for a terminal to act on */
            if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) *p = '?';
        if (c) c->proxy_code = 0;
        if (c && net->cfg.proxy) curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &c->proxy_code);
        int is_get = c && c->get == e;
        if (c && !tls_poll_done(net, e, rc, c->tls_why, sizeof c->tls_why)) c->tls_why[0] = '\0';
        curl_multi_remove_handle(net->multi, e);
        curl_easy_cleanup(e);
        if (!c) continue;
        if (is_get) { c->get = NULL; poll_get_done(c, rc, status, location); }
        else { c->post = NULL; poll_post_done(c, rc, status, location); }
    }
}
