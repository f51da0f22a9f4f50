/* Check tests for buf: growth that cannot overflow, and a front that is consumed by moving an offset, so a
 * backed-up send queue drains in linear time. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "check_run.h"

START_TEST(test_append_printf_terminated)
{
    buf b = BUF_INIT;
    ck_assert_str_eq(buf_cstr(&b), "");
    ck_assert_int_eq(buf_append_str(&b, "abc"), 0);
    ck_assert_int_eq(buf_printf(&b, "-%d-", 42), 0);
    ck_assert_int_eq(buf_append_char(&b, 'z'), 0);
    ck_assert_str_eq(b.data, "abc-42-z");
    ck_assert_uint_eq(b.len, 8);
    buf_clear(&b);
    ck_assert_str_eq(buf_cstr(&b), "");
    buf_free(&b);
    ck_assert_ptr_null(b.data);
}
END_TEST

/* len + extra + 1 past SIZE_MAX used to wrap to a tiny size, "succeed", and let the caller write past the
 * allocation. It must fail and leave the buffer as it was. */
START_TEST(test_reserve_refuses_overflow)
{
    buf b = BUF_INIT;
    buf_append_str(&b, "keep");
    char *before = b.data;
    size_t cap = b.cap;
    ck_assert_int_eq(buf_reserve(&b, SIZE_MAX), -1);
    ck_assert_int_eq(buf_reserve(&b, SIZE_MAX - 4), -1);
    ck_assert_int_eq(buf_append(&b, "x", SIZE_MAX - 2), -1);
    ck_assert_ptr_eq(b.data, before);
    ck_assert_uint_eq(b.cap, cap);
    ck_assert_str_eq(b.data, "keep");
    buf_free(&b);
}
END_TEST

/* Consuming moves no bytes until the consumed part outgrows the live part. */
START_TEST(test_consume_moves_an_offset)
{
    buf b = BUF_INIT;
    for (int i = 0; i < 1000; i++) buf_printf(&b, "%04d", i);   /* "0000000100020003..." */
    char *start = b.data;
    buf_consume(&b, 4);
    ck_assert_ptr_eq(b.data, start + 4);                        /* no memmove of the 3996 bytes behind */
    ck_assert_uint_eq(b.len, 3996);
    ck_assert(!memcmp(b.data, "0001", 4));
    ck_assert_int_eq(b.data[b.len], '\0');
    buf_consume(&b, 4 * 600);                                   /* now more consumed than live: compacted */
    ck_assert_ptr_eq(b.data, start);
    ck_assert_uint_eq(b.len, 4 * 399);
    ck_assert(!memcmp(b.data, "0601", 4));
    ck_assert_int_eq(b.data[b.len], '\0');
    buf_free(&b);
}
END_TEST

/* A queue used the way the client uses c->outq: appends and consumes interleaved, content always right,
 * and the space before data reused instead of growing the allocation. */
START_TEST(test_queue_interleaved)
{
    buf b = BUF_INIT;
    uint32_t next_in = 0, next_out = 0;
    for (int round = 0; round < 2000; round++) {
        for (int k = 0; k < 3; k++, next_in++) buf_append(&b, &next_in, 4);
        for (int k = 0; k < 2; k++, next_out++) {
            uint32_t v;
            memcpy(&v, b.data, 4);
            ck_assert_uint_eq(v, next_out);
            buf_consume(&b, 4);
        }
        ck_assert_uint_eq(b.len, 4 * (next_in - next_out));
    }
    while (b.len) {
        uint32_t v;
        memcpy(&v, b.data, 4);
        ck_assert_uint_eq(v, next_out++);
        buf_consume(&b, 4);
    }
    ck_assert_uint_eq(next_out, next_in);
    ck_assert_uint_eq(b.off, 0);
    buf_append_str(&b, "again");
    ck_assert_str_eq(b.data, "again");
    buf_free(&b);
}
END_TEST

/* Room freed at the front is used before the allocation grows. */
START_TEST(test_reserve_reuses_the_front)
{
    buf b = BUF_INIT;
    char block[100];
    memset(block, 'a', sizeof block);
    buf_append(&b, block, sizeof block);
    buf_reserve(&b, 200);
    size_t total = b.cap + b.off;
    char *base = b.data;
    buf_consume(&b, 40);                     /* 60 live, 40 consumed: no compaction yet */
    ck_assert_ptr_eq(b.data, base + 40);
    ck_assert_int_eq(buf_reserve(&b, total - 61), 0);   /* fits only with the front reused */
    ck_assert_ptr_eq(b.data, base);
    ck_assert_uint_eq(b.cap + b.off, total);
    ck_assert_uint_eq(b.len, 60);
    ck_assert_int_eq(b.data[60], '\0');
    buf_free(&b);
}
END_TEST

/* A 16 MiB queue of 4-byte records drained one record at a time: with a memmove per consume this is
 * ~32 TB of copying and never ends within Check's timeout; with the offset it is linear. */
START_TEST(test_drain_is_linear)
{
    buf b = BUF_INIT;
    size_t n = 4u << 20;
    ck_assert_int_eq(buf_reserve(&b, 4 * n), 0);
    for (uint32_t i = 0; i < n; i++) buf_append(&b, &i, 4);
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, b.data, 4);
        if (v != i) ck_abort_msg("record %u reads %u", i, v);
        buf_consume(&b, 4);
    }
    ck_assert_uint_eq(b.len, 0);
    buf_free(&b);
}
END_TEST

START_TEST(test_clear_after_consume_and_free)
{
    buf b = BUF_INIT;
    buf_append_str(&b, "0123456789");
    buf_consume(&b, 3);
    buf_clear(&b);
    ck_assert_uint_eq(b.off, 0);
    ck_assert_str_eq(b.data, "");
    buf_append_str(&b, "xy");
    buf_consume(&b, 1);
    buf_free(&b);                            /* frees the allocation's start, not data (ASan checks) */
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.len + b.cap + b.off, 0);
}
END_TEST

START_TEST(test_trim_gives_back_large_empty_buffers)
{
    buf b = BUF_INIT;
    buf_append_str(&b, "small");
    buf_trim(&b, 4096);
    ck_assert_str_eq(b.data, "small");             /* not empty: kept */
    buf_clear(&b);
    buf_trim(&b, 4096);
    ck_assert_ptr_nonnull(b.data);                 /* small: kept for reuse */
    ck_assert_int_eq(buf_reserve(&b, 100000), 0);
    buf_append_str(&b, "a large message");
    buf_trim(&b, 4096);
    ck_assert_str_eq(b.data, "a large message");   /* large but not empty: kept */
    buf_consume(&b, 2);
    buf_consume(&b, 100);
    buf_trim(&b, 4096);                            /* consumed to empty: given back */
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.cap, 0);
    buf_append_str(&b, "again");
    ck_assert_str_eq(b.data, "again");
    buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("buf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_append_printf_terminated);
    tcase_add_test(tc, test_reserve_refuses_overflow);
    tcase_add_test(tc, test_consume_moves_an_offset);
    tcase_add_test(tc, test_queue_interleaved);
    tcase_add_test(tc, test_reserve_reuses_the_front);
    tcase_add_test(tc, test_drain_is_linear);
    tcase_add_test(tc, test_clear_after_consume_and_free);
    tcase_add_test(tc, test_trim_gives_back_large_empty_buffers);
    suite_add_tcase(s, tc);
    return check_run(s);
}
