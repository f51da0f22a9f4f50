/* source: lists and ranges expand to the addresses in order, client i gets the i % n th, and every bad
 * form is refused with a message naming it. */
#include <check.h>
#include <string.h>
#include <sys/socket.h>
#include "check_run.h"
#include "net/source.h"

START_TEST(test_forms)
{
    source_list l = {0};
    buf err = BUF_INIT;
    ck_assert_int_eq(source_add(&l, "127.0.0.2-127.0.0.4", &err), 0);
    ck_assert_int_eq(source_add(&l, "::1, 10.0.0.255-10.0.1.0", &err), 0);
    ck_assert_uint_eq(l.n, 6);
    const char *want[] = {"127.0.0.2", "127.0.0.3", "127.0.0.4", "::1", "10.0.0.255", "10.0.1.0"};
    for (size_t i = 0; i < 6; i++) ck_assert_str_eq(l.addr[i], want[i]);
    ck_assert_int_eq(l.family[3], AF_INET6);
    ck_assert_str_eq(source_for(&l, 7), "127.0.0.3");
    ck_assert_ptr_null(source_for(NULL, 0));
    ck_assert_int_eq(source_check_family(&l, AF_INET, "the target", &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "::1 is an IPv6 address"));
    source_free(&l);
    ck_assert_int_eq(source_add(&l, "127.0.0.1", &err), 0);
    ck_assert_int_eq(source_check_family(&l, AF_INET, "the target", &err), 0);
    source_free(&l);
    buf_free(&err);
}
END_TEST

START_TEST(test_bad)
{
    const char *bad[] = {"", "1.2.3", "127.0.0.9-127.0.0.2", "::1-::2", "127.0.0.1-", "a,b", "1.2.3.4,",
                         "0.0.0.0-255.255.255.255", "fe80::1%lo"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        source_list l = {0};
        buf err = BUF_INIT;
        ck_assert_msg(source_add(&l, bad[i], &err) == -1, "accepted '%s'", bad[i]);
        ck_assert(err.len > 0);
        source_free(&l);
        buf_free(&err);
    }
}
END_TEST

START_TEST(test_bind_problem)
{
    char why[160];
    ck_assert_int_eq(source_bind_problem("127.0.0.2", why, sizeof why), 0);   /* all of 127/8 is local */
    ck_assert_int_eq(source_bind_problem("192.0.2.1", why, sizeof why), 1);   /* TEST-NET-1: nobody's */
    ck_assert_ptr_nonnull(strstr(why, "source address 192.0.2.1: "));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("source");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_forms);
    tcase_add_test(tc, test_bad);
    tcase_add_test(tc, test_bind_problem);
    suite_add_tcase(s, tc);
    return check_run(s);
}
