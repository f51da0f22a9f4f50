/* check_envseen: salts read from envelope texts, repeats within and across sets, the bound, iv mismatches. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "check_run.h"

#define ENV(salt) "{\"ct\":\"AAAAAAAAAAAAAAAAAAAAAA==\",\"iv\":\"00112233445566778899aabbccddeeff\",\"s\":\"" salt "\"}"

START_TEST(salt_of)
{
    uint64_t s = 0;
    const char *e = ENV("0123456789abcdef");
    ck_assert_int_eq(envseen_salt_of(e, strlen(e), &s), 0);
    ck_assert(s == 0x0123456789abcdefULL);
    /* another member order goes through the general parser */
    const char *o = "{\"s\":\"FEDCBA9876543210\",\"ct\":\"x\"}";
    ck_assert_int_eq(envseen_salt_of(o, strlen(o), &s), 0);
    ck_assert(s == 0xfedcba9876543210ULL);
    /* read as JSON.parse (and the decrypt path) reads it: the last of duplicate keys, escapes decoded */
    const char *dup = "{\"s\":\"0000000000000001\",\"ct\":\"x\",\"s\":\"0000000000000002\",\"iv\":\"y\"}";
    ck_assert_int_eq(envseen_salt_of(dup, strlen(dup), &s), 0);
    ck_assert(s == 2);
    const char *esc = "{\"ct\":\"x\",\"s\":\"\\u0030123456789abcdef\",\"iv\":\"y\"}";
    ck_assert_int_eq(envseen_salt_of(esc, strlen(esc), &s), 0);
    ck_assert(s == 0x0123456789abcdefULL);
    const char *bad[] = {ENV("0123"), ENV("0123456789abcdeg"), "{\"ct\":\"x\"}", "not json", "{\"s\":5}",
                         "{\"s\":\"0123456789abcdef\"} trailing", "{\"s\":\"0123456789abcdef\",\"s\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_int_eq(envseen_salt_of(bad[i], strlen(bad[i]), &s), -1);
}
END_TEST

static void add(envseen *e, const char *t, unsigned w) { envseen_add(e, t, strlen(t), w); }

START_TEST(repeats_and_iv)
{
    envseen *e = envseen_new(0);
    add(e, ENV("0000000000000001"), 0);
    add(e, ENV("0000000000000002"), ENVELOPE_WARN_IV_MISMATCH);
    add(e, ENV("0000000000000000"), 0);      /* salt 0 is a value like any other */
    ck_assert_uint_eq(e->repeats, 0);
    add(e, ENV("0000000000000000"), 0);
    add(e, ENV("0000000000000002"), 0);
    add(e, "{\"ct\":\"x\"}", 0);
    ck_assert_uint_eq(e->envelopes, 6);
    ck_assert_uint_eq(e->repeats, 2);
    ck_assert(e->first_repeat == 0);
    ck_assert_uint_eq(e->unchecked, 1);
    ck_assert_uint_eq(e->iv_mismatch, 1);
    ck_assert_str_eq(e->iv_example, ENV("0000000000000002"));
    envseen_free(e);
}
END_TEST

START_TEST(many_and_bounded)
{
    envseen *e = envseen_new(5000);
    char t[128];
    for (int i = 1; i <= 6000; i++) {
        snprintf(t, sizeof t, "{\"ct\":\"x\",\"iv\":\"y\",\"s\":\"%016x\"}", i * 7919);
        add(e, t, 0);
    }
    ck_assert_uint_eq(e->repeats, 0);
    ck_assert_uint_eq(e->unchecked, 1000);    /* past the bound: counted, not checked */
    ck_assert_uint_le(e->cap, 16384);
    snprintf(t, sizeof t, "{\"ct\":\"x\",\"iv\":\"y\",\"s\":\"%016x\"}", 4999 * 7919);
    add(e, t, 0);                             /* one that is in the set still repeats */
    ck_assert_uint_eq(e->repeats, 1);
    envseen_free(e);
}
END_TEST

START_TEST(merge_across_workers)
{
    envseen *a = envseen_new(0), *b = envseen_new(0), *m = envseen_new(0);
    add(a, ENV("00000000000000aa"), 0);
    add(b, ENV("00000000000000bb"), ENVELOPE_WARN_IV_MISMATCH);
    add(b, ENV("00000000000000aa"), 0);       /* seen by the other worker */
    ck_assert_int_eq(envseen_merge(m, a), 0);
    ck_assert_int_eq(envseen_merge(m, b), 0);
    ck_assert_uint_eq(m->envelopes, 3);
    ck_assert_uint_eq(m->repeats, 1);
    ck_assert(m->first_repeat == 0xaa);
    ck_assert_uint_eq(m->iv_mismatch, 1);
    envseen_free(a);
    envseen_free(b);
    envseen_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("envseen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, salt_of);
    tcase_add_test(tc, repeats_and_iv);
    tcase_add_test(tc, many_and_bounded);
    tcase_add_test(tc, merge_across_workers);
    suite_add_tcase(s, tc);
    return check_run(s);
}
