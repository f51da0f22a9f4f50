/* tls: TLS for both transports (see tls.h). */
#include "net/tls.h"
#include <curl/curl.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "net/target.h"
#include "report/stats.h"

static const target_tls *tls_opts(const net_loop *net)
{
    const target *t = net->cfg.target;
    return t && t->tls ? &t->tlsopt : NULL;
}

const char *tls_verify_detail(long v, char *out, size_t cap)
{
    const char *why;
    switch (v) {
    case X509_V_ERR_CERT_HAS_EXPIRED: why = "expired"; break;
    case X509_V_ERR_CERT_NOT_YET_VALID: why = "not yet valid"; break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: why = "self-signed"; break;
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: why = "unknown CA"; break;
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: why = "name mismatch"; break;
    default: why = "not verified"; break;
    }
    snprintf(out, cap, "%s: %s", why, X509_verify_cert_error_string(v));
    return out;
}

/* ---- libwebsockets -------------------------------------------------------------------------------- */

/* The monotonic time a handshake started, kept on the SSL object itself (lws owns the SSL; the ex_data
 * index is ours). */
static int tls_start_index = -1;
static pthread_once_t tls_index_once = PTHREAD_ONCE_INIT;
static void tls_make_index(void) { tls_start_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL); }

void tls_ws_context(struct lws_context_creation_info *info, const net_loop *net)
{
    const target_tls *o = tls_opts(net);
    if (!o) return;
    pthread_once(&tls_index_once, tls_make_index);
    info->options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info->client_ssl_ca_filepath = o->cacert;
    info->client_ssl_cert_filepath = o->cert;
    info->client_ssl_private_key_filepath = o->key;
    if (o->insecure && net->st) stats_tls_insecure(net->st);
}

void tls_ws_connect(struct lws_client_connect_info *i, const net_loop *net, char *host, size_t cap)
{
    const target_tls *o = tls_opts(net);
    if (!o) return;
    const target *t = net->cfg.target;
    i->ssl_connection |= LCCSCF_USE_SSL;
    /* lws takes SNI and the name it verifies from the Host header: servername is both */
    if (o->servername && o->servername[0]) {
        if (t->port == 443) snprintf(host, cap, "%s", o->servername);
        else snprintf(host, cap, "%s:%d", o->servername, t->port);
        i->host = host;
    }
    if (o->insecure)
        i->ssl_connection |= LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK |
                             LCCSCF_ALLOW_EXPIRED | LCCSCF_ALLOW_INSECURE;
}

static void tls_ws_info(const SSL *ssl, int where, int ret)
{
    (void)ret;
    if (!(where & SSL_CB_HANDSHAKE_START) || tls_start_index < 0) return;
    SSL *s = (SSL *)ssl;
    /* TLS 1.3 signals a start again for post-handshake messages: the first one is the handshake's */
    if (!SSL_get_ex_data(s, tls_start_index))
        SSL_set_ex_data(s, tls_start_index, (void *)(intptr_t)clock_now_ns());
}

void tls_ws_ctx_ready(void *ssl_ctx)
{
    if (ssl_ctx && tls_start_index >= 0) SSL_CTX_set_info_callback(ssl_ctx, tls_ws_info);
}

int tls_ws_verify(const net_loop *net, void *x509_store_ctx, int preverify_ok, int *first_error)
{
    const target_tls *o = tls_opts(net);
    X509_STORE_CTX *x = x509_store_ctx;
    if (preverify_ok || !x) return 0;
    if (o && o->insecure) {   /* -k: whatever is wrong with it, the certificate is taken */
        X509_STORE_CTX_set_error(x, X509_V_OK);
        return 0;
    }
    if (first_error && !*first_error) *first_error = X509_STORE_CTX_get_error(x);
    return 0;
}

static int tls_ws_started(struct lws *wsi)
{
    SSL *ssl = wsi ? lws_get_ssl(wsi) : NULL;
    return ssl && tls_start_index >= 0 && SSL_get_ex_data(ssl, tls_start_index) != NULL;
}

int tls_ws_failure(struct lws *wsi, int first_error, const char *lws_text, char *why, size_t cap)
{
    const char *v = lws_text ? strstr(lws_text, "X509_V_ERR = ") : NULL;   /* lws's own check of the result */
    if (first_error) {
        tls_verify_detail(first_error, why, cap);
        return 1;
    }
    if (v) {
        tls_verify_detail(strtol(v + 13, NULL, 10), why, cap);
        return 1;
    }
    if (!tls_ws_started(wsi)) return 0;
    snprintf(why, cap, "handshake failed: %s", lws_text ? lws_text : "connection error");
    return 1;
}

void tls_ws_done(net_loop *net, struct lws *wsi)
{
    SSL *ssl = lws_get_ssl(wsi);
    if (!ssl || tls_start_index < 0 || !net->st) return;
    intptr_t start = (intptr_t)SSL_get_ex_data(ssl, tls_start_index);
    if (!start) return;
    stats_tls(net->st, clock_now_ns() - (int64_t)start, SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}

/* ---- libcurl -------------------------------------------------------------------------------------- */

int tls_poll_setup(net_loop *net, void *easy)
{
    const target_tls *o = tls_opts(net);
    if (!o) return 0;
    const target *t = net->cfg.target;
    /* the URL names the TLS name (SNI, verification); curl connects to the address resolved once */
    if (!net->poll_connect_to && !(net->poll_connect_to = curl_slist_append(NULL, t->connect_to))) return -1;
    curl_easy_setopt(easy, CURLOPT_CONNECT_TO, net->poll_connect_to);
    if (o->cacert) curl_easy_setopt(easy, CURLOPT_CAINFO, o->cacert);
    if (o->cert) curl_easy_setopt(easy, CURLOPT_SSLCERT, o->cert);
    if (o->key) curl_easy_setopt(easy, CURLOPT_SSLKEY, o->key);
    if (o->insecure) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return 0;
}

void tls_poll_cleanup(net_loop *net)
{
    curl_slist_free_all(net->poll_connect_to);
    net->poll_connect_to = NULL;
}

void tls_poll_note(net_loop *net, void *easy)
{
    struct curl_tlssessioninfo *info = NULL;
    if (!tls_opts(net) || !net->st || net->st->tls_version[0] || !easy) return;
    if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK || !info ||
        info->backend != CURLSSLBACKEND_OPENSSL || !info->internals)
        return;
    SSL *ssl = info->internals;
    stats_tls_names(net->st, SSL_get_version(ssl), SSL_get_cipher_name(ssl));
}

/* curl's codes for a TLS connection that did not come up (CURLE_PEER_FAILED_VERIFICATION is apart). */
static int tls_curl_failure(CURLcode rc)
{
    return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CIPHER ||
           rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ISSUER_ERROR || rc == CURLE_SSL_CRL_BADFILE ||
           rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH || rc == CURLE_SSL_INVALIDCERTSTATUS ||
           rc == CURLE_SSL_ENGINE_INITFAILED || rc == CURLE_SSL_ENGINE_NOTFOUND;
}

int tls_poll_done(net_loop *net, void *easy, int curl_code, char *why, size_t cap)
{
    CURLcode rc = (CURLcode)curl_code;
    if (!tls_opts(net)) return 0;
    if (rc == CURLE_OK) {
        curl_off_t connect_us = 0, app_us = 0;
        long fresh = 0;
        curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &fresh);
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        curl_easy_getinfo(easy, CURLINFO_APPCONNECT_TIME_T, &app_us);
        if (fresh > 0 && app_us > connect_us && net->st) stats_tls(net->st, (int64_t)(app_us - connect_us) * 1000, NULL, NULL);
        return 0;
    }
    if (rc == CURLE_PEER_FAILED_VERIFICATION) {
        long v = X509_V_OK;
        curl_easy_getinfo(easy, CURLINFO_SSL_VERIFYRESULT, &v);
        /* curl checks the name itself once OpenSSL has verified the chain, and leaves the result at 0 or
         * X509_V_ERR_UNSPECIFIED when only that check failed */
        tls_verify_detail(v == X509_V_OK || v == X509_V_ERR_UNSPECIFIED ? X509_V_ERR_HOSTNAME_MISMATCH : v, why, cap);
        return 1;
    }
    if (!tls_curl_failure(rc)) return 0;
    snprintf(why, cap, "handshake failed: %s", curl_easy_strerror(rc));
    return 1;
}
