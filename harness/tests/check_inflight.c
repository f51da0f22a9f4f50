/* inflight: one outcome per message; answers to messages given up on are late, never unknown. */
#include <check.h>
#include "check_run.h"
#include "load/inflight.h"

START_TEST(test_in_order)
{
    inflight f = {0};
    int64_t t;
    for (int64_t id = 0; id < 100; id++) ck_assert_int_eq(inflight_push(&f, id, 1000 + id), 0);
    ck_assert_uint_eq(inflight_waiting(&f), 100);
    for (int64_t id = 0; id < 100; id++) {
        ck_assert_int_eq(inflight_take(&f, id, &t), INFLIGHT_WAITING);
        ck_assert_int_eq(t, 1000 + id);
    }
    ck_assert_uint_eq(inflight_waiting(&f), 0);
    ck_assert_int_eq(inflight_take(&f, 5, &t), INFLIGHT_UNKNOWN);   /* answered twice: not ours any more */
    inflight_free(&f);
}
END_TEST

/* More than any fixed ring held (the old one had 64 slots and counted the 65th as a timeout). */
START_TEST(test_many_in_flight)
{
    inflight f = {0};
    int64_t t;
    for (int64_t id = 0; id < 10000; id += 2) ck_assert_int_eq(inflight_push(&f, id, id), 0);
    ck_assert_uint_eq(inflight_waiting(&f), 5000);
    ck_assert_int_eq(inflight_take(&f, 9998, &t), INFLIGHT_WAITING);   /* out of order */
    ck_assert_int_eq(inflight_take(&f, 0, &t), INFLIGHT_WAITING);
    ck_assert_int_eq(inflight_take(&f, 1, &t), INFLIGHT_UNKNOWN);      /* never sent */
    ck_assert_uint_eq(inflight_waiting(&f), 4998);
    inflight_free(&f);
}
END_TEST

START_TEST(test_expired_are_late)
{
    inflight f = {0};
    int64_t id, t;
    for (int64_t k = 0; k < 10; k++) inflight_push(&f, k, 100 * k);   /* sent at 0, 100, ..., 900 */
    ck_assert_int_eq(inflight_expire(&f, 450), 5);                     /* 0..4 were meant before 450 */
    ck_assert_uint_eq(inflight_waiting(&f), 5);
    ck_assert_uint_eq(inflight_late_pending(&f), 5);
    ck_assert_int_eq(inflight_oldest(&f, &id, &t), 1);
    ck_assert_int_eq(id, 5);
    ck_assert_int_eq(inflight_take(&f, 3, &t), INFLIGHT_LATE);
    ck_assert_int_eq(t, 300);
    ck_assert_int_eq(inflight_take(&f, 3, &t), INFLIGHT_UNKNOWN);      /* a late answer counts once */
    ck_assert_int_eq(inflight_take(&f, 0, &t), INFLIGHT_LATE);
    ck_assert_int_eq(inflight_take(&f, 4, &t), INFLIGHT_LATE);
    ck_assert_uint_eq(inflight_late_pending(&f), 2);
    ck_assert_int_eq(inflight_take(&f, 6, &t), INFLIGHT_WAITING);
    ck_assert_int_eq(inflight_expire(&f, 10000), 4);                   /* 5, 7, 8, 9: 6 was answered */
    ck_assert_uint_eq(inflight_late_pending(&f), 6);
    ck_assert_int_eq(inflight_take(&f, 9, &t), INFLIGHT_LATE);
    inflight_free(&f);
}
END_TEST

START_TEST(test_settle_and_clear)
{
    inflight f = {0};
    int64_t id, t;
    inflight_push(&f, 10, 1);
    inflight_push(&f, 12, 2);
    inflight_push(&f, 14, 3);
    ck_assert_int_eq(inflight_take(&f, 10, &t), INFLIGHT_WAITING);
    inflight_settle_oldest(&f);                                         /* a bad answer ends 12 */
    ck_assert_int_eq(inflight_oldest(&f, &id, &t), 1);
    ck_assert_int_eq(id, 14);
    ck_assert_int_eq(inflight_take(&f, 12, &t), INFLIGHT_UNKNOWN);     /* it has its outcome already */
    ck_assert_uint_eq(inflight_clear(&f), 1);
    ck_assert_int_eq(inflight_oldest(&f, &id, &t), 0);
    ck_assert_int_eq(inflight_expire(&f, 100), 0);
    inflight_free(&f);
}
END_TEST

/* A long run: the queue does not keep what it has settled (memory follows what is unanswered). */
START_TEST(test_memory_follows_unanswered)
{
    inflight f = {0};
    int64_t t;
    for (int64_t id = 0; id < 200000; id++) {
        inflight_push(&f, id, id);
        ck_assert_int_eq(inflight_take(&f, id, &t), INFLIGHT_WAITING);
    }
    ck_assert_uint_le(f.wait.cap, 4);
    inflight_free(&f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("inflight");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);   /* the long-run case under ASan on a loaded machine */
    tcase_add_test(tc, test_in_order);
    tcase_add_test(tc, test_many_in_flight);
    tcase_add_test(tc, test_expired_are_late);
    tcase_add_test(tc, test_settle_and_clear);
    tcase_add_test(tc, test_memory_follows_unanswered);
    suite_add_tcase(s, tc);
    return check_run(s);
}
