/* Check tests for cli and fileio: passphrase resolution order, the passphrase file's trailing newline, and
 * bounded reads (a file or device larger than the limit is refused, never read to the end). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "base/fileio.h"
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

static void write_bytes(size_t n)
{
    strcpy(path, "/tmp/check_cli_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    char *p = malloc(n ? n : 1);
    memset(p, 'x', n);
    ck_assert_int_eq(write(fd, p, n), (ssize_t)n);
    free(p);
    close(fd);
}

START_TEST(test_passphrase_bounded)
{
    buf b = BUF_INIT;
    /* /dev/zero used to be read until memory ran out */
    ck_assert_int_eq(cli_passphrase("t", NULL, "/dev/zero", &b), -1);
    ck_assert_uint_eq(b.len, 0);
    write_bytes(FILEIO_MAX_PASSPHRASE);                  /* exactly the limit: fine */
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), 0);
    ck_assert_uint_eq(b.len, FILEIO_MAX_PASSPHRASE);
    unlink(path);
    write_bytes(FILEIO_MAX_PASSPHRASE + 1);              /* one more: refused */
    ck_assert_int_eq(cli_passphrase("t", NULL, path, &b), -1);
    unlink(path);
    buf_free(&b);
}
END_TEST

START_TEST(test_fileio_read)
{
    buf b = BUF_INIT, err = BUF_INIT;
    buf_append_str(&b, "old");
    write_bytes(100);
    ck_assert_int_eq(fileio_read(path, 100, &b, &err), 0);
    ck_assert_uint_eq(b.len, 100);                       /* replaced, not appended */
    ck_assert_int_eq(fileio_read(path, 99, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err) + strlen(path), ": larger than 99 bytes, the limit for this input");
    ck_assert_uint_eq(b.len, 0);
    unlink(path);
    ck_assert_int_eq(fileio_read("/dev/zero", 16u << 20, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "/dev/zero: larger than 16 MiB, the limit for this input");
    ck_assert_int_eq(fileio_read("/dev/zero", 64u << 10, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "/dev/zero: larger than 64 KiB, the limit for this input");
    ck_assert_int_eq(fileio_read("/dev/null", 10, &b, &err), 0);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_int_eq(fileio_read("/tmp", 10, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "/tmp: cannot read: Is a directory");
    ck_assert_int_eq(fileio_read("/nonexistent/x", 10, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "/nonexistent/x: cannot open: No such file or directory");
    buf_free(&b);
    buf_free(&err);
}
END_TEST

START_TEST(test_fileio_stdin)
{
    /* "-" is standard input, with the same limit */
    buf b = BUF_INIT, err = BUF_INIT;
    ck_assert_ptr_nonnull(freopen("/dev/zero", "rb", stdin));
    ck_assert_int_eq(fileio_read("-", 1000, &b, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "standard input: larger than 1000 bytes, the limit for this input");
    write_bytes(10);
    ck_assert_ptr_nonnull(freopen(path, "rb", stdin));
    ck_assert_int_eq(fileio_read("-", 1000, &b, &err), 0);
    ck_assert_uint_eq(b.len, 10);
    unlink(path);
    buf_free(&b);
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_order);
    tcase_add_test(tc, test_one_newline_only);
    tcase_add_test(tc, test_passphrase_bounded);
    tcase_add_test(tc, test_fileio_read);
    tcase_add_test(tc, test_fileio_stdin);
    suite_add_tcase(s, tc);
    return check_run(s);
}
