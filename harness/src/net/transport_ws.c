/* transport_ws: WebSocket frames in and out for sessions, one protocol callback, in the manner of the lws
 * minimal examples. Connection state lives in a ws_conn; lws finds it through opaque_user_data.
 * One lws_write per WRITEABLE callback: packets wait in the session's queue (link.queue) and we ask for
 * another callback while any remain. */
#include "net/transport_ws.h"
#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include "proto/eio.h"
#include "base/buf.h"
#include "net/headers.h"
#include "net/target.h"
#include "net/tls.h"
#include "net/cookie.h"
#include "net/redirect.h"
#include "net/source.h"
#include <time.h>

/* Per-connection buffers keep up to this much between messages; a larger one is given back after use. */
#define WS_KEEP_BYTES (64 * 1024)

static void ws_error(ws_conn *c, const char *cls, const char *detail)
{
    c->link.ev->on_error(c->link.user, cls, detail);
}

static void ws_deliver(ws_conn *c, const char *s, size_t n)
{
    eio_packet p;
    int r = eio_packet_parse(s, n, &p);
    if (r != EIO_OK) ws_error(c, "protocol", eio_err_name(r));
    else c->link.ev->on_packet(c->link.user, &p);
}

/* lws hands a frame over in pieces of at most its rx buffer (WS_RX_PIECE) and keeps no more than that
 * per connection, so a message only accumulates here, in c->rx: what it holds, this piece and what the
 * frame header still announces must stay within limits.max_message_bytes. Past it the connection is
 * dropped at once, before a frame that claims 300 MB (or fragments that never end) is read further. */
static int ws_on_receive(ws_conn *c, struct lws *wsi, const char *in, size_t len)
{
    size_t remaining = lws_remaining_packet_payload(wsi);
    int final = lws_is_final_fragment(wsi) && remaining == 0;
    if ((int64_t)(c->rx.len + len + remaining) > c->net->cfg.max_message_bytes) {
        buf_free(&c->rx);
        ws_error(c, "protocol", TRANSPORT_MESSAGE_TOO_LARGE);
        return -1;
    }
    if (lws_frame_is_binary(wsi)) {
        /* socket.io binary attachments are out of scope: refuse clearly rather than mis-parse */
        if (final) ws_error(c, "protocol", "binary frame");
        return 0;
    }
    if (final && c->rx.len == 0) {   /* the common case: the whole message in one piece, no copy */
        ws_deliver(c, in, len);
        return 0;
    }
    if (buf_append(&c->rx, in, len) < 0) return -1;
    if (final) {
        ws_deliver(c, c->rx.data, c->rx.len);
        buf_clear(&c->rx);
        buf_trim(&c->rx, WS_KEEP_BYTES);
    }
    return 0;
}

/* Why the connection failed: lws's text, or for a redirect (not followed, see ws_open) where it
 * pointed. The headers of the refused response are still there when lws reports the error. */
static const char *ws_error_detail(struct lws *wsi, const void *in, int c_proxy, char *out, size_t cap)
{
    unsigned status = wsi ? lws_http_client_http_response(wsi) : 0;
    char loc[128];
    if (status >= 300 && status < 400) {
        if (lws_hdr_copy(wsi, loc, sizeof loc, WSI_TOKEN_HTTP_LOCATION) <= 0) strcpy(loc, "(none)");
        for (char *p = loc; *p; p++)   /* the server's text: nothing for a terminal to act on */
            if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) *p = '?';
        snprintf(out, cap, "ws upgrade HTTP %u redirect not followed: Location %s", status, loc);
        return out;
    }
    /* lws says "HS: ws upgrade response not 101" for any refusal: the status says which */
    const char *text = in ? (const char *)in : "connection error";
    if (c_proxy && !strncmp(text, "proxy", 5)) {   /* lws: "proxy not h1" for any answer but a 200 */
        snprintf(out, cap, "ws: the proxy refused the CONNECT (%s)", text);
        return out;
    }
    if (!status) return text;
    snprintf(out, cap, "HTTP %u: %s", status, text);
    return out;
}

/* The jar's cookies on the upgrade request. The jar is bounded (COOKIE_JAR_MAX_BYTES) below the request
 * buffer ws_context_create asks lws for, so they fit after the request line and lws's own headers. */
static void ws_append_cookies(ws_conn *c, char **p, size_t room)
{
    if (!c->link.jar) return;
    buf v = BUF_INIT;
    if (cookie_jar_header(c->link.jar, c->net->cfg.target->path, (int64_t)time(NULL), &v) > 0 &&
        v.len + 12 < room)
        *p += sprintf(*p, "Cookie: %s\r\n", buf_cstr(&v));
    buf_free(&v);
}

/* A Set-Cookie on the upgrade response (socket.io's io cookie when the websocket is the first transport, a
 * load balancer's) joins the jar like a polling response's; lws keeps each repeated header as a fragment. */
static void ws_take_cookies(ws_conn *c, struct lws *wsi)
{
    char v[COOKIE_MAX_BYTES + 256];
    if (!c->link.jar) return;
    for (int i = 0; i < 2 * COOKIE_JAR_MAX; i++) {
        int n = lws_hdr_copy_fragment(wsi, v, (int)sizeof v, WSI_TOKEN_HTTP_SET_COOKIE, i);
        if (n <= 0) break;
        cookie_jar_set(c->link.jar, v, (size_t)n, c->net->cfg.target->path, (int64_t)time(NULL));
    }
}

static int ws_write_text(ws_conn *c, struct lws *wsi, const char *p, size_t n)
{
    buf_clear(&c->tx);
    if (buf_reserve(&c->tx, LWS_PRE + n) < 0) return -1;
    memcpy(c->tx.data + LWS_PRE, p, n);
    int r = lws_write(wsi, (unsigned char *)c->tx.data + LWS_PRE, n, LWS_WRITE_TEXT);
    if (c->tx.cap > WS_KEEP_BYTES) buf_free(&c->tx);   /* lws keeps what the socket did not take */
    return r < (int)n ? -1 : 0;
}

/* Write the session queue's first record as one text frame. */
static int ws_write_queued(ws_conn *c, struct lws *wsi)
{
    buf *q = c->link.queue;
    uint32_t n;
    memcpy(&n, q->data, 4);
    int r = ws_write_text(c, wsi, q->data + 4, n);
    buf_consume(q, 4 + (size_t)n);
    buf_trim(q, WS_KEEP_BYTES);
    return r;
}

static int ws_carries(const ws_conn *c) { return c->link.queue && c->link.queue->len >= 4; }

/* One frame per callback: upgrade packets first, then the session's queue once the websocket carries the
 * session; close only when everything queued has gone out. */
static int ws_on_writeable(ws_conn *c, struct lws *wsi)
{
    if (c->wq.len) {
        if (ws_write_text(c, wsi, c->wq.data, c->wq.len) < 0) return -1;
        buf_clear(&c->wq);
    } else if (ws_carries(c)) {
        if (ws_write_queued(c, wsi) < 0) return -1;
    } else if (c->closing) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
        return -1;
    } else {
        return 0;
    }
    if (c->wq.len || (c->link.queue && c->link.queue->len) || c->closing)
        lws_callback_on_writable(wsi);
    return 0;
}

/* The user's headers (-H, target.headers, the headers file) on the upgrade request, {{client}} expanded.
 * ws_context_create sized lws's buffer for HEADERS_MAX_BYTES of them, so running out of room means lws
 * changed: refuse the connection rather than send a request without them. */
static int ws_append_headers(ws_conn *c, struct lws *wsi, unsigned char **p, unsigned char *end)
{
    const headers *h = c->net->cfg.target->headers;
    buf line = BUF_INIT;
    int rc = 0;
    for (size_t k = 0; h && rc == 0 && k < headers_count(h); k++) {
        size_t name_len;
        buf_clear(&line);
        if (headers_line(h, k, c->client, &line, &name_len) < 0) { rc = -1; break; }
        line.data[name_len + 1] = '\0';   /* "Name:" (lws 4.1 adds no colon), then the value after ": " */
        const char *value = line.data + name_len + 2;
        if (lws_add_http_header_by_name(wsi, (const unsigned char *)line.data, (const unsigned char *)value,
                                        (int)strlen(value), p, end))
            rc = -1;
    }
    buf_free(&line);
    if (rc < 0) ws_error(c, "handshake", "the headers do not fit the upgrade request");
    return rc;
}

static struct lws *ws_connect(ws_conn *c, const char *addr, int port, const char *path, const char *host);

/* target.follow_redirects: a 3xx to the upgrade is followed here, not by lws (which would go to any host
 * and port, resolving names with a blocking call): same scheme, the target's host or a number, at most
 * NET_MAX_REDIRECTS in a row. 1 when the redirect was dealt with (followed, or refused with an error). */
static int ws_follow(ws_conn *c, struct lws *wsi)
{
    unsigned status = lws_http_client_http_response(wsi);
    char loc[TARGET_MAX_REQUEST + TARGET_MAX_HOST + 32];
    if (!c->net->cfg.follow_redirects || status < 300 || status >= 400) return 0;
    c->wsi = NULL;   /* this wsi goes, whatever follows */
    if (c->redirects >= NET_MAX_REDIRECTS) {
        char why[96];
        snprintf(why, sizeof why, "ws upgrade: more than %d redirects", NET_MAX_REDIRECTS);
        ws_error(c, "handshake", why);
        return 1;
    }
    if (lws_hdr_copy(wsi, loc, sizeof loc, WSI_TOKEN_HTTP_LOCATION) <= 0) return 0;   /* reported as before */
    redirect_to to;
    buf err = BUF_INIT;
    if (redirect_parse(loc, c->net->cfg.target, &to, &err) < 0) {
        char why[256];
        for (char *p = loc; *p; p++)   /* the server's text: nothing for a terminal to act on */
            if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) *p = '?';
        snprintf(why, sizeof why, "ws upgrade HTTP %u redirect to %.80s not followed: %.120s", status, loc,
                 buf_cstr(&err));
        buf_free(&err);
        ws_error(c, "handshake", why);
        return 1;
    }
    c->redirects++;
    ws_take_cookies(c, wsi);   /* a cookie set with the redirect goes on the redirected upgrade */
    lws_set_opaque_user_data(wsi, NULL);   /* its last events are no longer ours */
    c->tcp_up = 0;
    if (!ws_connect(c, to.addr, to.port, to.path, to.host)) {
        c->wsi = NULL;
        ws_error(c, "connect-refused", "ws upgrade: the redirect's connection could not be started");
    }
    return 1;
}

static int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    if (reason == LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS) {   /* no connection yet (vhost setup) */
        tls_ws_ctx_ready(user);
        return 0;
    }
    ws_conn *c = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
        return c ? tls_ws_verify(c->net, user, (int)len, &c->tls_err) : 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (c && ws_follow(c, wsi)) return 0;
        if (c) {
            char why[200];
            c->wsi = NULL;
            /* lws reports any failure before the websocket is up as a connection error: it is
             * connect-refused only if TCP never connected, tls if the TLS handshake failed */
            const char *src = source_for(c->net->cfg.sources, c->client);
            if (!c->tcp_up && src && source_bind_problem(src, why, sizeof why))   /* lws only says it failed */
                ws_error(c, "connect-refused", why);
            else if (!c->tcp_up && c->net->cfg.target->tls && tls_ws_failure(wsi, c->tls_err, in, why, sizeof why))
                ws_error(c, TLS_CLASS, why);
            else
                ws_error(c, c->tcp_up ? "handshake" : "connect-refused",
                         ws_error_detail(wsi, in, c->net->cfg.proxy != NULL, why, sizeof why));
        }
        return 0;
    case LWS_CALLBACK_WS_EXT_DEFAULTS:
        /* lws asks this only for an extension the server's 101 accepted, before ESTABLISHED; `user` is its
         * name (the protocol's per-session data is not there yet) */
        if (c && user && !strcmp((const char *)user, "permessage-deflate")) c->deflate = 1;
        return 0;
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        if (!c) return 0;
        unsigned char **p = (unsigned char **)in, *end = *p + len;   /* the room, before anything is added */
        if (!c->tcp_up && c->net->cfg.target->tls) tls_ws_done(c->net, wsi);   /* TLS is up */
        c->tcp_up = 1;   /* the upgrade request is being written: TCP is up */
        ws_append_cookies(c, (char **)p, (size_t)(end - *p));
        return ws_append_headers(c, wsi, p, end);
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        if (c) {
            c->established = 1;
            ws_take_cookies(c, wsi);
            c->link.ev->on_open(c->link.user);
        }
        return 0;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return c ? ws_on_receive(c, wsi, in, len) : 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return c ? ws_on_writeable(c, wsi) : -1;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c) {
            c->wsi = NULL;
            lws_set_opaque_user_data(wsi, NULL);
            c->link.ev->on_closed(c->link.user);
        }
        return 0;
    case LWS_CALLBACK_WSI_DESTROY:
        if (c && c->wsi == wsi) {
            c->wsi = NULL;
            c->link.ev->on_closed(c->link.user);
        }
        return 0;
    default:
        return 0;
    }
}

/* No lws validity (idle ping/hangup) timers: Engine.IO has its own heartbeat, which the session checks.
 * lws would otherwise re-insert each connection's timer into a sorted list on every message received,
 * which costs O(connections) per message (a third of the harness's CPU at 3,000 clients). */
static const lws_retry_bo_t ws_no_validity = {NULL, 0, 0, 0, 0, 0};

/* lws gives every established connection a frame buffer of rx_buffer_size (+ LWS_PRE): 4 KiB of it was
 * 40% of an idle client's memory. 512 bytes hold a counter message whole (about 150 bytes); a larger
 * message arrives in 512-byte pieces that ws_on_receive joins, within limits.max_message_bytes. */
#define WS_RX_PIECE 512
static const struct lws_protocols ws_protocols[] = {
    {"siocrypt", ws_callback, 0, WS_RX_PIECE, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}
};

/* lws 4.1.6 (Debian 12) loops for ever on a frame that is not compressed once permessage-deflate is on
 * (warmcat/libwebsockets#2794: the client parser hands the same bytes to RECEIVE again and again, because
 * it never counts them as used). Servers send such frames whenever they like: ws, under socket.io, leaves
 * every message below its threshold (1024 bytes by default) uncompressed. The extension reports such a
 * frame as nothing to do (5, PMDR_NOTHING_WE_SHOULD_DO) with its input untouched; marking the input used
 * here ends that loop after the one RECEIVE, as later lws versions do. The rx buffers' layout is lws's
 * struct lws_ext_pm_deflate_rx_ebufs: two lws_tokens, in and out. */
#define WS_PMD_NOTHING_TO_DO 5
static int ws_pm_deflate(struct lws_context *cx, const struct lws_extension *ext, struct lws *wsi,
                         enum lws_extension_callback_reasons reason, void *user, void *in, size_t len)
{
    int n = lws_extension_callback_pm_deflate(cx, ext, wsi, reason, user, in, len);
    if (reason == LWS_EXT_CB_PAYLOAD_RX && n == WS_PMD_NOTHING_TO_DO && in) {
        struct lws_tokens *eb = in;   /* eb[0] in, eb[1] out: out already points at the frame's bytes */
        eb[0].len = 0;
    }
    return n;
}

/* permessage-deflate (RFC 7692) offered as browsers offer it: the client's window bits left to the server.
 * What inflates is bounded like any message: ws_on_receive counts the inflated bytes lws hands over. */
static const struct lws_extension ws_extensions[] = {
    {"permessage-deflate", ws_pm_deflate, "permessage-deflate; client_max_window_bits"},
    {NULL, NULL, NULL}
};

int ws_context_create(net_loop *net)
{
    struct lws_context_creation_info info;
    void *loops[1] = {net->loop};
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = ws_protocols;
    if (net->cfg.compression) info.extensions = ws_extensions;
    info.options = LWS_SERVER_OPTION_LIBUV;
    info.foreign_loops = loops;
    /* no fd_limit_per_thread: below ulimit -n, lws finds each event's connection by scanning its whole table
     * (wsi_from_fd's "slow fds handling": O(connections) per event); at the ulimit it indexes by fd, for 16
     * bytes per possible fd per context (320 KiB at 20,000) */
    info.connect_timeout_secs = (unsigned)(net->cfg.connect_timeout_ns / 1000000000 + 1);
    info.timeout_secs = (unsigned)(net->cfg.connect_timeout_ns / 1000000000 + 1);
    if (net->cfg.target->headers)   /* the upgrade request is built in it: room for the user's headers */
        info.pt_serv_buf_size = 4096 + HEADERS_MAX_BYTES;
    info.user = net;
    info.pt_serv_buf_size = 4096 + COOKIE_JAR_MAX_BYTES + 1024;   /* the upgrade request, with the cookies */
    if (net->cfg.proxy) {   /* target.proxy: lws sends CONNECT there for every websocket */
        info.http_proxy_address = net->cfg.proxy->addr;
        info.http_proxy_port = (unsigned)net->cfg.proxy->port;
    }
    info.pcontext = &net->lws_live;
    tls_ws_context(&info, net);
    net->lws_live = lws_create_context(&info);
    net->lws = net->lws_live;
    return net->lws ? 0 : -1;
}

void ws_context_destroy(struct lws_context *ctx)
{
    if (ctx) lws_context_destroy(ctx);
}

void ws_conn_init(ws_conn *c, net_loop *net)
{
    memset(c, 0, sizeof *c);
    c->net = net;
}

void ws_conn_free(ws_conn *c)
{
    buf_free(&c->rx);
    buf_free(&c->tx);
    buf_free(&c->wq);
}

static struct lws *ws_connect(ws_conn *c, const char *addr, int port, const char *path, const char *host)
{
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof i);
    i.context = c->net->lws;
    i.address = addr;
    i.port = port;
    i.path = path;
    i.host = host;
    i.origin = host;
    i.local_protocol_name = "siocrypt";
    i.opaque_user_data = c;
    i.pwsi = &c->wsi;
    i.retry_and_idle_policy = &ws_no_validity;
    /* --source: lws binds the socket to this (numeric) address before it connects */
    i.iface = source_for(c->net->cfg.sources, c->client);
    /* lws would follow a 3xx to any host and port (and then hang there until the connect timeout):
     * a redirect is the server's answer, reported as a handshake error naming its Location, or followed
     * by ws_follow when target.follow_redirects allows it */
    i.ssl_connection = LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    char tls_host[TARGET_MAX_HOST + 16];   /* lws copies it before it returns */
    tls_ws_connect(&i, c->net, tls_host, sizeof tls_host);
    return lws_client_connect_via_info(&i);
}

static int ws_open(void *conn, const transport_events *ev, void *user, buf *queue)
{
    ws_conn *c = conn;
    const target *t = c->net->cfg.target;
    c->link.ev = ev;
    c->link.user = user;
    c->link.queue = queue;
    buf path = BUF_INIT;   /* lws copies what it is given (path, host, origin) before it returns */
    if (target_request_for(t, c->net->cfg.eio, "websocket", c->link.sid, 0, c->client, &path) < 0) { buf_free(&path); return -1; }
    c->closing = 0;
    c->established = 0;
    c->tcp_up = 0;
    c->deflate = 0;
    c->tls_err = 0;
    c->redirects = 0;
    /* --source: an address that will not bind is found here. lws would find it inside its connect, report
     * only that the connect failed, and leave a libuv handle of the lost socket on the loop. */
    char why[160];
    const char *src = source_for(c->net->cfg.sources, c->client);
    if (src && source_bind_problem(src, why, sizeof why)) {
        buf_free(&path);
        ws_error(c, "connect-refused", why);
        return -1;
    }
    /* numeric, bare (no brackets for IPv6); the Host header with brackets for an IPv6 literal */
    struct lws *wsi = ws_connect(c, t->addr, t->port, path.data, t->host_header);
    buf_free(&path);
    if (!wsi) {
        /* lws may already have reported the error through the callback (which clears c->wsi) */
        c->wsi = NULL;
        return -1;
    }
    return 0;
}

/* Write queued packets now when the socket has nothing buffered: it saves the two epoll_ctl calls and
 * the loop turn that waiting for WRITEABLE costs on every message. lws keeps whatever the kernel does not
 * take and finishes it itself; from then on we wait for WRITEABLE as usual. */
static void ws_send(void *conn)
{
    ws_conn *c = conn;
    struct lws *wsi = c->wsi;
    if (!wsi) return;
    while (c->established && !c->wq.len && ws_carries(c) && !lws_partial_buffered(wsi))
        if (ws_write_queued(c, wsi) < 0) { ws_error(c, "disconnect", "write failed"); return; }
    if (c->wq.len || (c->link.queue && c->link.queue->len) || c->closing) lws_callback_on_writable(wsi);
}

static void ws_push(void *conn, const char *pkt, size_t n)
{
    ws_conn *c = conn;
    buf_append(&c->wq, pkt, n);
    ws_send(c);
}

static void ws_carry(void *conn, buf *queue)
{
    ws_conn *c = conn;
    c->link.queue = queue;
    if (queue) ws_send(c);
}

static void ws_close(void *conn)
{
    ws_conn *c = conn;
    if (!c->wsi) return;
    c->closing = 1;
    lws_callback_on_writable(c->wsi);
}

static void ws_abort(void *conn)
{
    ws_conn *c = conn;
    if (!c->wsi) return;
    struct lws *wsi = c->wsi;
    c->wsi = NULL;
    lws_set_opaque_user_data(wsi, NULL);
    lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static int ws_busy(const void *conn) { (void)conn; return 0; }

const transport_ops ws_ops = {"websocket", ws_open, ws_send, ws_push, ws_carry, ws_close, ws_abort, ws_busy};
