/* tls: what both transports do for an https/wss target (target.h's target_tls): the lws context and
 * connection flags, the curl options, the negotiated version and cipher, the handshake's time (stats_tls),
 * and why a certificate did not verify, as the detail of a `tls` error:
 *   "expired: certificate has expired", "self-signed: self-signed certificate",
 *   "unknown CA: unable to get local issuer certificate", "name mismatch: ...", "not verified: <OpenSSL's>".
 * OpenSSL is what both libraries are built with (Debian's libwebsockets and libcurl). */
#ifndef SIOCRYPT_TLS_H
#define SIOCRYPT_TLS_H
#include <stddef.h>
#include <stdint.h>
#include "net/net.h"

struct lws;
struct lws_context_creation_info;
struct lws_client_connect_info;

#define TLS_CLASS "tls"

/* "<why>: <OpenSSL's text>" for an X509_V_ERR_* code into out. */
const char *tls_verify_detail(long verify_result, char *out, size_t cap);

/* libwebsockets */
void tls_ws_context(struct lws_context_creation_info *info, const net_loop *net);
/* host: room for the Host header and SNI when target.tls.servername replaces the URL's host. */
void tls_ws_connect(struct lws_client_connect_info *i, const net_loop *net, char *host, size_t cap);
/* Why a TLS websocket did not come up: the X509 error seen (first_error), or lws's text naming one, or
 * whether a handshake was begun at all (0: TCP did not connect, not a TLS failure). */
int  tls_ws_failure(struct lws *wsi, int first_error, const char *lws_text, char *why, size_t cap);
/* The client SSL_CTX (LWS_CALLBACK_OPENSSL_LOAD_EXTRA_CLIENT_VERIFY_CERTS): note when each handshake starts. */
void tls_ws_ctx_ready(void *ssl_ctx);
/* LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: -k accepts; otherwise *first_error keeps the first
 * X509 error seen. Returns what the callback must return (0). */
int  tls_ws_verify(const net_loop *net, void *x509_store_ctx, int preverify_ok, int *first_error);
/* The handshake is done (the upgrade request is being written): its time, version and cipher into stats. */
void tls_ws_done(net_loop *net, struct lws *wsi);

/* libcurl: the options of one easy handle; -1 on ENOMEM (the CONNECT_TO list, made once per loop). */
int  tls_poll_setup(net_loop *net, void *easy);
void tls_poll_cleanup(net_loop *net);
/* During a transfer (the connection is attached): version and cipher, once per loop. */
void tls_poll_note(net_loop *net, void *easy);
/* A transfer ended: the handshake time when it opened a connection; for a TLS failure, the detail into
 * why and 1 (class tls), else 0. */
int  tls_poll_done(net_loop *net, void *easy, int curl_code, char *why, size_t cap);

#endif
