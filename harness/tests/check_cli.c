/* Check tests for cli: passphrase resolution order and the passphrase file's trailing newline. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "check_run.h"

static char path[64];

static void write_file(const char *text)
{
    strcpy(path, "/tmp/check_cli_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

START_TEST(test_order)
{
    buf b = BUF_INIT;
    setenv("SIOCRYPT_PASSPHRASE", "from-env", 1);
    write_file("from-file\n");
    ck_assert_int_eq(cli_passphrase("t", "from-p", path, &b), 0);
    ck_assert_str_eq(b.data, "from-p");
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), 0);
    ck_assert_str_eq(b.data, "from-file");
    ck_assert_int_eq(cli_passphrase("t", NULL, NULL, &b), 0);
    ck_assert_str_eq(b.data, "from-env");
    unsetenv("SIOCRYPT_PASSPHRASE");
    ck_assert_int_eq(cli_passphrase("t", NULL, NULL, &b), -1);
    ck_assert_int_eq(cli_passphrase("t", NULL, "/nonexistent/file", &b), -1);
    unlink(path);
    buf_free(&b);
}
END_TEST

START_TEST(test_one_newline_only)
{
    buf b = BUF_INIT;
    write_file("two lines\n\n");
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), 0);
    ck_assert_str_eq(b.data, "two lines\n");
    unlink(path);
    write_file("crlf\r\n");
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), 0);
    ck_assert_str_eq(b.data, "crlf");
    unlink(path);
    write_file("");
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), 0);
    ck_assert_uint_eq(b.len, 0);
    unlink(path);
    buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_one_newline_only);
    suite_add_tcase(s, tc);
    return check_run(s);
}
