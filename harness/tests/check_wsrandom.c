/* Check tests for wsrandom: libwebsockets' own calls for random bytes reach the pool (lws_hex_random calls
 * lws_get_random inside the library), requests of any size are served whole, bytes are not handed out
 * twice, and a forked child does not repeat its parent's pool. */
#include <check.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libwebsockets.h>
#include "net/wsrandom.h"
#include "check_run.h"

START_TEST(lws_calls_reach_the_pool)
{
    char hex[33];
    uint64_t before = wsrandom_served();
    ck_assert_int_eq(lws_hex_random(NULL, hex, sizeof hex), 0);   /* 16 random bytes as 32 hex digits */
    ck_assert_uint_eq(wsrandom_served() - before, 16);
    ck_assert_uint_eq(strspn(hex, "0123456789abcdef"), 32);
}
END_TEST

START_TEST(any_size_whole_and_fresh)
{
    static unsigned char a[10000], b[10000];   /* past the 4 KiB pool: refills on the way */
    ck_assert_uint_eq(lws_get_random(NULL, a, sizeof a), sizeof a);
    ck_assert_uint_eq(lws_get_random(NULL, b, sizeof b), sizeof b);
    ck_assert(memcmp(a, b, sizeof a) != 0);
    for (size_t i = 0; i + 16 <= sizeof a; i += 4096)   /* no stretch of a repeats at the same place in b */
        ck_assert(memcmp(a + i, b + i, 16) != 0);
    unsigned char m[4];   /* a mask key, as lws asks for it, and nothing */
    ck_assert_uint_eq(lws_get_random(NULL, m, 4), 4);
    ck_assert_uint_eq(lws_get_random(NULL, m, 0), 0);
}
END_TEST

START_TEST(a_child_does_not_repeat_the_parent)
{
    unsigned char warm[8], mine[32], theirs[32];
    int p[2];
    lws_get_random(NULL, warm, sizeof warm);   /* the pool holds bytes now */
    ck_assert_int_eq(pipe(p), 0);
    pid_t pid = fork();
    if (pid == 0) {
        lws_get_random(NULL, theirs, sizeof theirs);
        _exit(write(p[1], theirs, sizeof theirs) == (ssize_t)sizeof theirs ? 0 : 1);
    }
    lws_get_random(NULL, mine, sizeof mine);
    ck_assert_int_eq(read(p[0], theirs, sizeof theirs), (ssize_t)sizeof theirs);
    int st;
    waitpid(pid, &st, 0);
    ck_assert(memcmp(mine, theirs, sizeof mine) != 0);
    close(p[0]);
    close(p[1]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wsrandom");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, lws_calls_reach_the_pool);
    tcase_add_test(tc, any_size_whole_and_fresh);
    tcase_add_test(tc, a_child_does_not_repeat_the_parent);
    suite_add_tcase(s, tc);
    return check_run(s);
}
