/* check_cookie: the per-client jar: Set-Cookie parsed (name=value, Path, Max-Age, Expires), replaced by
 * name and path, deleted, sent back by path-match, and bounded (cookies per client, bytes per cookie and
 * per jar; control characters refused so nothing can be injected into our own requests). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "net/cookie.h"
#include "check_run.h"

#define NOW 1800000000LL   /* 2027-01-15 */
static cookie_jar j;
static buf out;

static void setup(void) { cookie_jar_init(&j); }
static void teardown(void) { cookie_jar_free(&j); buf_free(&out); }

static int set(const char *line) { return cookie_jar_set(&j, line, strlen(line), "/socket.io/", NOW); }

static const char *header(const char *path)
{
    buf_clear(&out);
    cookie_jar_header(&j, path, NOW, &out);
    return buf_cstr(&out);
}

START_TEST(affinity_and_io_cookies_go_back)
{
    ck_assert_int_eq(set("io=FClpE-7VVVbGJglcAAAA; Path=/; HttpOnly; SameSite=Lax"), 1);
    ck_assert_int_eq(set("SERVERID=s1; path=/"), 1);
    ck_assert_str_eq(header("/socket.io/"), "io=FClpE-7VVVbGJglcAAAA; SERVERID=s1");
    ck_assert_int_eq(set(" SERVERID = s2 ; path=/"), 1);   /* same name and path: replaced, blanks trimmed */
    ck_assert_str_eq(header("/socket.io/"), "io=FClpE-7VVVbGJglcAAAA; SERVERID=s2");
    ck_assert_int_eq(j.n, 2);
}
END_TEST

START_TEST(path_match)
{
    ck_assert_int_eq(set("a=1; Path=/socket.io"), 1);
    ck_assert_int_eq(set("b=2; Path=/other"), 1);
    ck_assert_int_eq(set("c=3"), 1);   /* default path: the request's directory, /socket.io */
    ck_assert_str_eq(header("/socket.io/"), "a=1; c=3");
    ck_assert_str_eq(header("/socket.io/?EIO=4&transport=polling"), "a=1; c=3");
    ck_assert_str_eq(header("/socket.iox/"), "");
    ck_assert_str_eq(header("/other/x"), "b=2");
    ck_assert_int_eq(set("d=4; Path=relative"), 1);   /* not a path: the default */
    ck_assert_str_eq(header("/socket.io"), "a=1; c=3; d=4");
}
END_TEST

START_TEST(max_age_and_expires)
{
    ck_assert_int_eq(set("a=1; Max-Age=60"), 1);
    ck_assert_int_eq(set("b=2; Expires=Wed, 21 Oct 2099 07:28:00 GMT"), 1);
    ck_assert_int_eq(set("c=3"), 1);
    ck_assert_str_eq(header("/socket.io/"), "a=1; b=2; c=3");
    ck_assert_int_eq(set("a=x; Max-Age=0"), 0);                              /* deleted */
    ck_assert_int_eq(set("b=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), 0);  /* deleted */
    ck_assert_int_eq(set("c=x; Max-Age=-1; Expires=Wed, 21 Oct 2099 07:28:00 GMT"), 0);   /* Max-Age wins */
    ck_assert_str_eq(header("/socket.io/"), "");
    ck_assert_int_eq(set("d=4; Max-Age=60"), 1);
    buf_clear(&out);
    cookie_jar_header(&j, "/socket.io/", NOW + 61, &out);   /* expired since */
    ck_assert_str_eq(buf_cstr(&out), "");
    ck_assert_int_eq(j.n, 0);
    ck_assert_int_eq(set("e=5; Max-Age=soon; Expires=whenever"), 1);   /* unreadable: ignored attributes */
    ck_assert_str_eq(header("/socket.io/"), "e=5");
}
END_TEST

START_TEST(malformed_refused)
{
    ck_assert_int_eq(set("novalue"), -1);
    ck_assert_int_eq(set("=v"), -1);
    ck_assert_int_eq(set(""), -1);
    ck_assert_int_eq(set("a=1\r\nX-Injected: yes"), -1);
    ck_assert_int_eq(cookie_jar_set(&j, "a=1\0b", 5, "/", NOW), -1);
    ck_assert_int_eq(set("empty="), 1);   /* an empty value is a cookie */
    ck_assert_str_eq(header("/socket.io/"), "empty=");
}
END_TEST

START_TEST(bounded)
{
    char line[COOKIE_MAX_BYTES + 64];
    for (int i = 0; i < COOKIE_JAR_MAX + 5; i++) {
        snprintf(line, sizeof line, "c%d=%d; Path=/", i, i);
        ck_assert_int_eq(set(line), 1);
    }
    ck_assert_int_eq(j.n, COOKIE_JAR_MAX);   /* the oldest went */
    ck_assert_ptr_null(strstr(header("/"), "c4="));
    ck_assert_ptr_nonnull(strstr(header("/"), "c5=5"));
    /* one cookie of COOKIE_MAX_BYTES (name + value + path) is kept, one more byte is refused */
    int room = COOKIE_MAX_BYTES - 1 - 1;   /* name "b", path "/" */
    snprintf(line, sizeof line, "b=%0*d; Path=/", room, 0);
    ck_assert_int_eq(set(line), 1);
    snprintf(line, sizeof line, "b=%0*d; Path=/", room + 1, 0);
    ck_assert_int_eq(set(line), -1);
    /* the whole jar stays within COOKIE_JAR_MAX_BYTES: big ones push out the oldest */
    for (int i = 0; i < 5; i++) {
        snprintf(line, sizeof line, "big%d=%0*d; Path=/", i, 3000, 0);
        ck_assert_int_eq(set(line), 1);
        ck_assert_uint_le(j.bytes, COOKIE_JAR_MAX_BYTES);
    }
    ck_assert_uint_le(strlen(header("/")), COOKIE_JAR_MAX_BYTES + 3 * COOKIE_JAR_MAX);
}
END_TEST

START_TEST(header_lines)
{
    size_t n;
    const char *line = "set-Cookie:  io=abc; Path=/\r\n";
    const char *v = cookie_header_value(line, strlen(line), &n);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq((int)n, (int)strlen("io=abc; Path=/"));
    ck_assert_int_eq(strncmp(v, "io=abc; Path=/", n), 0);
    ck_assert_ptr_null(cookie_header_value("Set-Cookie2: a=b\r\n", 18, &n));
    ck_assert_ptr_null(cookie_header_value("HTTP/1.1 200 OK\r\n", 17, &n));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("cookie");
    TCase *tc = tcase_create("cookie");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, affinity_and_io_cookies_go_back);
    tcase_add_test(tc, path_match);
    tcase_add_test(tc, max_age_and_expires);
    tcase_add_test(tc, malformed_refused);
    tcase_add_test(tc, bounded);
    tcase_add_test(tc, header_lines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return check_run(suite()); }
