/* check_redirect: Locations the websocket follows (same scheme, the target's host or a number, relative
 * ones against the target) and those it refuses, with why. */
#include <check.h>
#include <string.h>
#include "net/redirect.h"
#include "check_run.h"

static target t;
static buf err;
static redirect_to to;

static void setup(void)
{
    target_init(&t);
    buf_clear(&err);
    ck_assert_int_eq(target_parse(&t, "http://localhost:3000", &err), 0);
    ck_assert_int_eq(target_resolve(&t, &err), 0);
}
static void teardown(void) { target_free(&t); buf_free(&err); }

START_TEST(followed)
{
    ck_assert_int_eq(redirect_parse("ws://127.0.0.1:4000/socket.io/?EIO=4&transport=websocket#x", &t, &to, &err), 0);
    ck_assert_str_eq(to.addr, "127.0.0.1");
    ck_assert_int_eq(to.port, 4000);
    ck_assert_str_eq(to.host, "127.0.0.1:4000");
    ck_assert_str_eq(to.path, "/socket.io/?EIO=4&transport=websocket");
    ck_assert_int_eq(redirect_parse("HTTP://[::1]/io", &t, &to, &err), 0);
    ck_assert_str_eq(to.addr, "::1");
    ck_assert_int_eq(to.port, 80);
    ck_assert_str_eq(to.host, "[::1]");
    ck_assert_int_eq(redirect_parse("http://LocalHost:5000?x=1", &t, &to, &err), 0);   /* the target's name */
    ck_assert_str_eq(to.addr, t.addr);
    ck_assert_str_eq(to.path, "/?x=1");
    ck_assert_int_eq(redirect_parse("/other/?EIO=4", &t, &to, &err), 0);
    ck_assert_str_eq(to.addr, t.addr);
    ck_assert_int_eq(to.port, 3000);
    ck_assert_str_eq(to.host, "localhost:3000");
    ck_assert_str_eq(to.path, "/other/?EIO=4");
}
END_TEST

/* A TLS target is followed to TLS places only, with 443 as the default port. */
START_TEST(tls_same_scheme)
{
    target ts;
    target_init(&ts);
    ck_assert_int_eq(target_parse(&ts, "https://localhost:3443", &err), 0);
    ck_assert_int_eq(target_resolve(&ts, &err), 0);
    ck_assert_int_eq(redirect_parse("wss://127.0.0.1/socket.io/", &ts, &to, &err), 0);
    ck_assert_int_eq(to.port, 443);
    ck_assert_str_eq(to.host, "127.0.0.1");
    ck_assert_int_eq(redirect_parse("https://localhost:4443/x", &ts, &to, &err), 0);
    ck_assert_int_eq(to.port, 4443);
    ck_assert_str_eq(to.host, "localhost:4443");
    buf_clear(&err);
    ck_assert_int_eq(redirect_parse("http://127.0.0.1/", &ts, &to, &err), -1);   /* TLS to plain: never */
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "same scheme only: wss:// or https://"));
    buf_clear(&err);
    ck_assert_int_eq(redirect_parse("ws://127.0.0.1/", &ts, &to, &err), -1);
    target_free(&ts);
}
END_TEST

START_TEST(refused)
{
    static const struct { const char *loc, *why; } cases[] = {
        {"wss://127.0.0.1/", "another scheme"},
        {"https://127.0.0.1/", "another scheme"},
        {"//127.0.0.1/x", "another scheme"},
        {"ftp://127.0.0.1/", "another scheme"},
        {"http://example.com/", "neither the target's nor a numeric address"},
        {"http://127.0.0.1:99999/", "a bad port"},
        {"http://127.0.0.1:/", "an empty port"},
        {"http://[::1/", "without ]"},
        {"http:///x", "no host"},
        {"/a b", "control byte"},
        {"/a\r\nX-Injected: 1", "control byte"},
        {"", "empty"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_clear(&err);
        ck_assert_msg(redirect_parse(cases[i].loc, &t, &to, &err) == -1, "%s: followed", cases[i].loc);
        ck_assert_msg(strstr(buf_cstr(&err), cases[i].why), "%s: %s", cases[i].loc, buf_cstr(&err));
    }
    char longpath[TARGET_MAX_REQUEST + 8];
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[0] = '/';
    longpath[sizeof longpath - 1] = '\0';
    ck_assert_int_eq(redirect_parse(longpath, &t, &to, &err), -1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("redirect");
    TCase *tc = tcase_create("redirect");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, followed);
    tcase_add_test(tc, refused);
    tcase_add_test(tc, tls_same_scheme);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return check_run(suite()); }
