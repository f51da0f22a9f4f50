/* check_target: URLs taken apart (IPv4, names, IPv6 literals, ports, paths, queries), what is refused and
 * why, the request targets the transports send, the request limit, and resolution to numeric addresses. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "net/target.h"
#include "check_run.h"

static target t;
static buf err, out;

static void setup(void) { target_init(&t); buf_clear(&err); }
static void teardown(void) { target_free(&t); buf_free(&err); buf_free(&out); }

/* the request target with EIO 4 */
static const char *req(const char *transport, const char *sid, int b64)
{
    buf_clear(&out);
    ck_assert_int_eq(target_request(&t, 4, transport, sid, b64, &out), 0);
    return buf_cstr(&out);
}

START_TEST(plain_url_defaults)
{
    ck_assert_int_eq(target_parse(&t, "http://example.com", &err), 0);
    ck_assert_str_eq(t.host, "example.com");
    ck_assert_int_eq(t.port, 80);
    ck_assert_str_eq(t.path, "/socket.io/");
    ck_assert_str_eq(t.query, "");
    ck_assert_str_eq(t.host_header, "example.com");
    ck_assert_str_eq(req("websocket", NULL, 0), "/socket.io/?EIO=4&transport=websocket");
}
END_TEST

START_TEST(port_path_and_ws_scheme)
{
    ck_assert_int_eq(target_parse(&t, "ws://10.0.0.5:3000/app/io", &err), 0);
    ck_assert_str_eq(t.host, "10.0.0.5");
    ck_assert_int_eq(t.port, 3000);
    ck_assert_str_eq(t.path, "/app/io/");           /* a trailing slash, as engine.io-client adds */
    ck_assert_str_eq(t.host_header, "10.0.0.5:3000");
}
END_TEST

/* the defect: "?token=abc" ended up in the path ("/socket.io/?token=abc/?EIO=...") */
START_TEST(query_is_kept_and_merged)
{
    ck_assert_int_eq(target_parse(&t, "http://host:3000/socket.io/?token=abc&x=1#frag", &err), 0);
    ck_assert_str_eq(t.path, "/socket.io/");
    ck_assert_str_eq(t.query, "token=abc&x=1");
    ck_assert_str_eq(req("polling", NULL, 0), "/socket.io/?EIO=4&transport=polling&token=abc&x=1");
    ck_assert_str_eq(req("websocket", "Ab-_9", 0), "/socket.io/?EIO=4&transport=websocket&sid=Ab-_9&token=abc&x=1");
    ck_assert_str_eq(req("polling", "s1", 1), "/socket.io/?EIO=4&transport=polling&sid=s1&b64=1&token=abc&x=1");
}
END_TEST

START_TEST(query_without_path_keeps_the_set_path)
{
    ck_assert_int_eq(target_set_path(&t, "/custom", &err), 0);
    ck_assert_int_eq(target_parse(&t, "http://host?token=abc", &err), 0);
    ck_assert_str_eq(t.path, "/custom/");
    ck_assert_str_eq(t.query, "token=abc");
    target_free(&t);
    ck_assert_int_eq(target_set_path(&t, "/custom/", &err), 0);
    ck_assert_int_eq(target_parse(&t, "http://host/", &err), 0);
    ck_assert_str_eq(t.path, "/custom/");
    ck_assert_int_eq(target_parse(&t, "http://host/other/", &err), 0);
    ck_assert_str_eq(t.path, "/other/");
}
END_TEST

START_TEST(query_escapes)
{
    /* %XX kept as written, a quote and UTF-8 escaped, '/' and '?' allowed in a query */
    ck_assert_int_eq(target_parse(&t, "http://h/?jwt=a%2Bb&q=\"x\"&p=/a?b&u=\xc3\xa9", &err), 0);
    ck_assert_str_eq(t.query, "jwt=a%2Bb&q=%22x%22&p=/a?b&u=%C3%A9");
    ck_assert_int_eq(target_parse(&t, "http://h/?bad=%zz", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "url: the query has a bad %-escape");
    ck_assert_int_eq(target_parse(&t, "http://h/?bad=%4", &err), -1);
    ck_assert_int_eq(target_parse(&t, "http://h/?bad=a%", &err), -1);
    ck_assert_int_eq(target_parse(&t, "http://h/?a=b\tc", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "url: the query has a space or a control character");
}
END_TEST

START_TEST(params_are_encoded)
{
    ck_assert_int_eq(target_parse(&t, "http://h:1/?a=1", &err), 0);
    ck_assert_int_eq(target_add_param(&t, "token", "a b&c=d/+\xc3\xa9", "target.query.token", &err), 0);
    ck_assert_int_eq(target_add_param(&t, "n", "2", "target.query.n", &err), 0);
    ck_assert_str_eq(t.query, "a=1&token=a%20b%26c%3Dd%2F%2B%C3%A9&n=2");
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://h:1", &err), 0);
    ck_assert_int_eq(target_add_param(&t, "k", "", "target.query.k", &err), 0);
    ck_assert_str_eq(t.query, "k=");
    ck_assert_int_eq(target_add_param(&t, "", "v", "target.query", &err), -1);
}
END_TEST

/* EIO, transport, sid, b64, j: siocrypt's own; a user's would contradict or duplicate them */
START_TEST(reserved_params_refused)
{
    static const char *const urls[] = {"http://h/?EIO=3", "http://h/?a=1&transport=polling", "http://h/?sid=x",
                                       "http://h/?b64=1", "http://h/?j=0", "http://h/?E%49O=3", "http://h/?sid"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        target_free(&t);
        ck_assert_msg(target_parse(&t, urls[i], &err) == -1, "%s accepted", urls[i]);
        ck_assert_msg(strstr(buf_cstr(&err), "siocrypt sets itself"), "%s: %s", urls[i], buf_cstr(&err));
    }
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://h/?eio=3&EIOx=1&tsid=2", &err), 0);   /* case and prefix differ */
    ck_assert_int_eq(target_add_param(&t, "transport", "x", "target.query.transport", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "target.query.transport: 'transport' is an Engine.IO parameter that siocrypt "
                     "sets itself (EIO, transport, sid, b64 and j are refused in a target's query)");
    ck_assert(target_param_reserved("b64"));
    ck_assert(!target_param_reserved("token"));
}
END_TEST

START_TEST(ipv6_literals)
{
    ck_assert_int_eq(target_parse(&t, "http://[::1]:3000", &err), 0);   /* the defect: "bad port" */
    ck_assert_str_eq(t.host, "::1");
    ck_assert_int_eq(t.port, 3000);
    ck_assert_int_eq(t.bracketed, 1);
    ck_assert_str_eq(t.host_header, "[::1]:3000");
    ck_assert_int_eq(target_resolve(&t, &err), 0);
    ck_assert_str_eq(t.addr, "::1");                       /* bare, for lws */
    ck_assert_int_eq(t.family, AF_INET6);
    ck_assert_str_eq(t.base, "http://[::1]:3000");         /* bracketed, for curl */
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://[2001:db8::7]/x?y=1", &err), 0);
    ck_assert_str_eq(t.host_header, "[2001:db8::7]");
    ck_assert_str_eq(t.path, "/x/");
    ck_assert_str_eq(t.query, "y=1");
    static const char *const bad[] = {"http://[::1", "http://[]:80", "http://[zz::1]:80", "http://[::1]x",
                                      "http://[fe80::1%25eth0]:80", "http://[::1]:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        target_free(&t);
        ck_assert_msg(target_parse(&t, bad[i], &err) == -1, "%s accepted", bad[i]);
    }
}
END_TEST

START_TEST(ipv4_resolves_numeric)
{
    ck_assert_int_eq(target_parse(&t, "http://127.0.0.1:8080/", &err), 0);
    ck_assert_int_eq(target_resolve(&t, &err), 0);
    ck_assert_str_eq(t.addr, "127.0.0.1");
    ck_assert_int_eq(t.family, AF_INET);
    ck_assert_str_eq(t.base, "http://127.0.0.1:8080");
    ck_assert_str_eq(t.host_header, "127.0.0.1:8080");
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://localhost:8080/", &err), 0);
    ck_assert_int_eq(target_resolve(&t, &err), 0);
    ck_assert_str_eq(t.host_header, "localhost:8080");     /* the name, not the number */
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://no-such-host.invalid/", &err), 0);
    ck_assert_int_eq(target_resolve(&t, &err), -1);
    ck_assert(!strncmp(buf_cstr(&err), "url: cannot resolve 'no-such-host.invalid'", 42));
}
END_TEST

/* https and wss: port 443 by default (no port in the Host header then), curl's URL names the TLS name
 * (servername, else the host) and CONNECT_TO sends it to the address resolved once */
START_TEST(tls_urls)
{
    ck_assert_int_eq(target_parse(&t, "https://localhost/", &err), 0);
    ck_assert_int_eq(t.tls, 1);
    ck_assert_int_eq(t.port, 443);
    ck_assert_str_eq(t.host_header, "localhost");
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "wss://127.0.0.1:8443/x", &err), 0);
    ck_assert_int_eq(t.tls, 1);
    ck_assert_int_eq(t.port, 8443);
    ck_assert_str_eq(t.host_header, "127.0.0.1:8443");
    t.tlsopt.servername = "api.example";
    ck_assert_int_eq(target_resolve(&t, &err), 0);
    ck_assert_str_eq(t.base, "https://api.example:8443");
    ck_assert_str_eq(t.connect_to, "api.example:8443:127.0.0.1:8443");
    ck_assert_str_eq(t.tls_name, "api.example");
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "https://[::1]:8443/", &err), 0);
    ck_assert_int_eq(target_resolve(&t, &err), 0);
    ck_assert_str_eq(t.base, "https://[::1]:8443");
    ck_assert_str_eq(t.connect_to, "[::1]:8443:[::1]:8443");
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://h:443/", &err), 0);   /* plain http keeps 80 as its default */
    ck_assert_int_eq(t.tls, 0);
    ck_assert_str_eq(t.host_header, "h:443");
}
END_TEST

START_TEST(bad_urls)
{
    static const struct { const char *url, *msg; } cases[] = {
        {"ftp://h/", "url: expected http(s)://host[:port][/path][?query] (or ws://, wss://)"},
        {"httpss://h/", "url: expected http(s)://host[:port][/path][?query] (or ws://, wss://)"},
        {"http://", "url: no host"},
        {"http://:80/", "url: no host"},
        {"http://h:0/", "url: bad port (expected 1..65535 after the host's ':')"},
        {"http://h:65536/", "url: bad port (expected 1..65535 after the host's ':')"},
        {"http://h:99999999999999999999/", "url: bad port (expected 1..65535 after the host's ':')"},
        {"http://h:12x/", "url: bad port (expected 1..65535 after the host's ':')"},
        {"http://user:pw@h/", "url: user:password@ in the URL is not supported"},
        {"http://[::1]x/", "url: unexpected 'x' after the host"},
        {"http://h_!/", "url: the host has a character a host name cannot have (0x21)"},
        {"http://user@h/", "url: user:password@ in the URL is not supported"},
        {"http://h/a b", "url: the path has a space or a control character"},
        {"http://h/a%g0", "url: the path has a bad %-escape"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        target_free(&t);
        ck_assert_msg(target_parse(&t, cases[i].url, &err) == -1, "%s accepted", cases[i].url);
        ck_assert_str_eq(buf_cstr(&err), cases[i].msg);
    }
}
END_TEST

START_TEST(path_escapes)
{
    ck_assert_int_eq(target_parse(&t, "http://h/caf\xc3\xa9/a%20b/{x}", &err), 0);
    ck_assert_str_eq(t.path, "/caf%C3%A9/a%20b/%7Bx%7D/");
    ck_assert_int_eq(target_set_path(&t, "io", &err), -1);
}
END_TEST

/* the defect: paths over 255 bytes were cut silently; now they are whole up to the request limit */
START_TEST(long_paths_whole_or_refused)
{
    char path[TARGET_MAX_REQUEST + 8], url[TARGET_MAX_REQUEST + 64];
    memset(path, 'p', sizeof path);
    path[0] = '/';
    path[300] = '\0';
    snprintf(url, sizeof url, "http://h:1%s", path);
    ck_assert_int_eq(target_parse(&t, url, &err), 0);
    ck_assert_uint_eq(strlen(t.path), 301);
    ck_assert_int_eq(target_check(&t, &err), 0);
    buf o1 = BUF_INIT;
    ck_assert_int_eq(target_request(&t, 3, "polling", "0123456789abcdefghij", 1, &o1), 0);
    ck_assert(!strncmp(o1.data, path, 300));
    ck_assert_str_eq(o1.data + 300, "/?EIO=3&transport=polling&sid=0123456789abcdefghij&b64=1");
    buf_free(&o1);
    /* the longest path that still leaves room for the Engine.IO parameters and a TARGET_MAX_SID sid */
    size_t room = TARGET_MAX_REQUEST - strlen("?EIO=4&transport=websocket&sid=") - TARGET_MAX_SID - strlen("&b64=1&");
    memset(path, 'p', sizeof path);
    path[0] = '/';
    path[room - 1] = '/';
    path[room] = '\0';
    ck_assert_int_eq(target_set_path(&t, path, &err), 0);
    ck_assert_int_eq(target_check(&t, &err), 0);
    path[room - 1] = 'p';
    path[room] = '/';
    path[room + 1] = '\0';
    ck_assert_int_eq(target_set_path(&t, path, &err), 0);
    ck_assert_int_eq(target_check(&t, &err), -1);
    ck_assert(strstr(buf_cstr(&err), "request limit of 2048 bytes"));
    /* a long sid the check did not plan for: the request is refused, never cut */
    target_free(&t);
    ck_assert_int_eq(target_parse(&t, "http://h/", &err), 0);
    char sid[TARGET_MAX_REQUEST + 1];
    memset(sid, 's', TARGET_MAX_REQUEST);
    sid[TARGET_MAX_REQUEST] = '\0';
    buf o2 = BUF_INIT;
    ck_assert_int_eq(target_request(&t, 4, "websocket", sid, 0, &o2), -1);
    buf_free(&o2);
    /* a query counts too */
    ck_assert_int_eq(target_add_param(&t, "token", path, "target.query.token", &err), 0);
    ck_assert_int_eq(target_check(&t, &err), -1);
}
END_TEST

START_TEST(long_host_refused)
{
    char url[400];
    memset(url, 'a', sizeof url);
    memcpy(url, "http://", 7);
    url[7 + TARGET_MAX_HOST] = '\0';
    ck_assert_int_eq(target_parse(&t, url, &err), 0);
    target_free(&t);
    url[7 + TARGET_MAX_HOST] = 'a';
    url[7 + TARGET_MAX_HOST + 1] = '\0';
    ck_assert_int_eq(target_parse(&t, url, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "url: the host name is longer than 253 characters");
}
END_TEST

START_TEST(sid_is_escaped)
{
    ck_assert_int_eq(target_parse(&t, "http://h/", &err), 0);
    ck_assert_str_eq(req("websocket", "a\r\nX: 1", 0), "/socket.io/?EIO=4&transport=websocket&sid=a%0D%0AX%3A%201");
}
END_TEST

/* tokens in the query stay out of reports and logs */
START_TEST(redacted_for_reports)
{
    static const struct { const char *url, *shown; } cases[] = {
        {"http://h:1/socket.io/?token=eyJhbGci.x.y&v=2#f", "http://h:1/socket.io/?token=*&v=*"},
        {"http://h/?a&b=&c=1", "http://h/?a&b=&c=*"},
        {"http://[::1]:3000", "http://[::1]:3000"},
        {"http://h/p#frag", "http://h/p"},
        {"http://h/?", "http://h/?"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_clear(&out);
        ck_assert_int_eq(target_redact(cases[i].url, &out), 0);
        ck_assert_str_eq(buf_cstr(&out), cases[i].shown);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("target");
    TCase *tc = tcase_create("target");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, plain_url_defaults);
    tcase_add_test(tc, port_path_and_ws_scheme);
    tcase_add_test(tc, query_is_kept_and_merged);
    tcase_add_test(tc, query_without_path_keeps_the_set_path);
    tcase_add_test(tc, query_escapes);
    tcase_add_test(tc, params_are_encoded);
    tcase_add_test(tc, reserved_params_refused);
    tcase_add_test(tc, ipv6_literals);
    tcase_add_test(tc, ipv4_resolves_numeric);
    tcase_add_test(tc, tls_urls);
    tcase_add_test(tc, bad_urls);
    tcase_add_test(tc, path_escapes);
    tcase_add_test(tc, long_paths_whole_or_refused);
    tcase_add_test(tc, long_host_refused);
    tcase_add_test(tc, sid_is_escaped);
    tcase_add_test(tc, redacted_for_reports);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return check_run(suite()); }
