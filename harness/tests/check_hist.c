#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "report/hist.h"
#include "check_run.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t xr(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

START_TEST(precision_sweep)
{
    /* every value from 1 ns to an hour lies in a bucket no wider than value/128 */
    for (double x = 1; x <= (double)HIST_HIGHEST; x *= 1.0137) {
        for (int64_t d = -1; d <= 1; d++) {
            int64_t v = (int64_t)x + d;
            if (v < 1 || v > HIST_HIGHEST) continue;
            int i = hist_index_for(HIST_SUB_BITS, v);
            int64_t lo = hist_lowest_equiv(HIST_SUB_BITS, i), hi = hist_highest_equiv(HIST_SUB_BITS, i);
            ck_assert_int_le(lo, v);
            ck_assert_int_ge(hi, v);
            ck_assert_msg((double)(hi - lo) <= (double)v / 128.0, "bucket of %lld is [%lld,%lld]", (long long)v,
                          (long long)lo, (long long)hi);
            ck_assert_int_eq(hist_index_for(HIST_SUB_BITS, lo), i);
            ck_assert_int_eq(hist_index_for(HIST_SUB_BITS, hi), i);
        }
    }
    hist *h = hist_new();
    ck_assert_int_eq(hist_index_for(HIST_SUB_BITS, HIST_HIGHEST), hist_buckets(h) - 1);
    /* a reported percentile is within 0.8% of the value recorded */
    for (double x = 1000; x < 1e12; x *= 1.37) {
        hist_reset(h);
        hist_record(h, (int64_t)x);
        hist_record(h, (int64_t)(x * 10));
        int64_t p = hist_value_at_percentile(h, 50);
        ck_assert_msg(fabs((double)p - (double)(int64_t)x) <= x / 128.0, "p50 %lld for %f", (long long)p, x);
    }
    hist_free(h);
}
END_TEST

START_TEST(exact_counts_and_clamping)
{
    hist *h = hist_new();
    uint64_t sum = 0;
    for (int i = 0; i < 100000; i++) {
        int64_t v = (int64_t)(xr() % 5000000000ULL) + 1;
        hist_record(h, v);
        sum += (uint64_t)v;
    }
    hist_record_n(h, 12345, 1000);
    ck_assert_uint_eq(hist_count(h), 101000);
    uint64_t n = 0;
    for (int i = 0; i < hist_buckets(h); i++) n += hist_count_at(h, i);
    ck_assert_uint_eq(n, 101000);
    ck_assert_double_eq_tol(hist_mean(h), (double)(sum + 12345000ULL) / 101000.0, 1e-6);
    ck_assert_uint_eq(hist_clamped_low(h), 0);
    hist_record(h, -5);
    hist_record(h, 0);
    hist_record(h, HIST_HIGHEST * 2);
    ck_assert_uint_eq(hist_clamped_low(h), 2);
    ck_assert_uint_eq(hist_clamped_high(h), 1);
    ck_assert_uint_eq(hist_count(h), 101003);
    ck_assert_int_eq(hist_min(h), 1);
    ck_assert_int_eq(hist_max(h), HIST_HIGHEST);
    ck_assert_int_eq(hist_value_at_percentile(h, 100), HIST_HIGHEST);
    hist_free(h);
}
END_TEST

START_TEST(known_distributions)
{
    hist *h = hist_new();
    for (int64_t v = 1; v <= 100000; v++) hist_record(h, v * 1000);   /* uniform 1 us .. 100 ms */
    const double ps[] = {1, 10, 25, 50, 75, 90, 99, 99.9, 99.99};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        double want = ps[i] / 100.0 * 1e8;
        double got = (double)hist_value_at_percentile(h, ps[i]);
        ck_assert_msg(fabs(got - want) <= want * 0.0080 + 1000, "p%g: %f want %f", ps[i], got, want);
    }
    ck_assert_int_eq(hist_value_at_percentile(h, 0), 1000);
    ck_assert_int_eq(hist_value_at_percentile(h, 100), 100000000);
    ck_assert_double_eq_tol(hist_mean(h), 50000500.0, 0.01);
    /* bimodal: 99% at 1 ms, 1% at 100 ms */
    hist_reset(h);
    hist_record_n(h, 1000000, 9900);
    hist_record_n(h, 100000000, 100);
    ck_assert_int_le(llabs(hist_value_at_percentile(h, 98) - 1000000), 1000000 / 128);
    ck_assert_int_le(llabs(hist_value_at_percentile(h, 99) - 1000000), 1000000 / 128);
    ck_assert_int_eq(hist_value_at_percentile(h, 99.5), 100000000);
    ck_assert_int_eq(hist_value_at_percentile(h, 100), 100000000);
    /* empty */
    hist_reset(h);
    ck_assert_int_eq(hist_value_at_percentile(h, 99), 0);
    ck_assert_int_eq(hist_max(h), 0);
    ck_assert_int_eq(hist_min(h), 0);
    hist_free(h);
}
END_TEST

static void assert_same(const hist *a, const hist *b)
{
    ck_assert_uint_eq(hist_count(a), hist_count(b));
    ck_assert_int_eq(hist_min(a), hist_min(b));
    ck_assert_int_eq(hist_max(a), hist_max(b));
    ck_assert(hist_mean(a) == hist_mean(b));
    ck_assert_uint_eq(hist_clamped_low(a), hist_clamped_low(b));
    ck_assert_uint_eq(hist_clamped_high(a), hist_clamped_high(b));
    for (int i = 0; i < hist_buckets(a); i++) ck_assert_uint_eq(hist_count_at(a, i), hist_count_at(b, i));
    for (double p = 0; p <= 100; p += 0.5) ck_assert_int_eq(hist_value_at_percentile(a, p), hist_value_at_percentile(b, p));
}

START_TEST(merge_equals_single)
{
    hist *all = hist_new(), *a = hist_new(), *b = hist_new(), *c = hist_new_bits(5);
    for (int i = 0; i < 50000; i++) {
        int64_t v = (int64_t)(exp((double)(xr() % 20000) / 1000.0) * 1000.0);
        hist_record(all, v);
        hist_record(i % 3 ? a : b, v);
    }
    hist_record(b, -1);
    hist_record(all, -1);
    ck_assert_int_eq(hist_merge(a, b), 0);
    assert_same(a, all);
    ck_assert_int_eq(hist_merge(a, c), -1);      /* different layouts refuse */
    hist *e = hist_new();
    ck_assert_int_eq(hist_merge(e, all), 0);     /* into an empty one */
    assert_same(e, all);
    hist_free(all); hist_free(a); hist_free(b); hist_free(c); hist_free(e);
}
END_TEST

START_TEST(json_round_trip)
{
    hist *h = hist_new();
    for (int i = 0; i < 20000; i++) hist_record(h, (int64_t)(xr() % 90000000000ULL));
    hist_record(h, HIST_HIGHEST + 1);
    cJSON *j = hist_to_json(h);
    char *text = cJSON_PrintUnformatted(j);
    cJSON *back = cJSON_Parse(text);
    buf err = BUF_INIT;
    hist *r = hist_from_json(back, "h", &err);
    ck_assert_msg(r != NULL, "%s", buf_cstr(&err));
    assert_same(h, r);
    cJSON *j2 = hist_to_json(r);
    char *text2 = cJSON_PrintUnformatted(j2);
    ck_assert_str_eq(text, text2);
    /* tampering is caught and named */
    cJSON_ReplaceItemInObject(back, "count", cJSON_CreateNumber(5));
    ck_assert_ptr_null(hist_from_json(back, "histograms.round_trip", &err));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "histograms.round_trip"));
    cJSON_ReplaceItemInObject(back, "sub_bucket_bits", cJSON_CreateNumber(12));
    ck_assert_ptr_null(hist_from_json(back, "h", &err));
    cJSON *bad = cJSON_Parse("{\"unit\":\"ns\",\"sub_bucket_bits\":7,\"lowest\":1,\"highest\":3600000000000,"
                             "\"count\":1,\"min\":1,\"max\":1,\"sum\":1,\"clamped_low\":0,\"clamped_high\":0,"
                             "\"buckets\":[[999999,1]]}");
    ck_assert_ptr_null(hist_from_json(bad, "h", &err));
    cJSON_Delete(bad);
    free(text); free(text2);
    cJSON_Delete(j); cJSON_Delete(j2); cJSON_Delete(back);
    hist_free(h); hist_free(r);
    buf_free(&err);
}
END_TEST

START_TEST(percentile_iteration)
{
    hist *h = hist_new();
    for (int i = 1; i <= 10000; i++) hist_record(h, i * 1000);
    hist_piter it;
    hist_piter_init(&it, h, 5);
    double last_p = -1;
    uint64_t last_c = 0;
    int lines = 0, saw_last = 0;
    while (hist_piter_next(&it)) {
        if (lines == 0) { ck_assert(it.percentile == 0.0); ck_assert_int_eq(it.value, hist_highest_equiv(HIST_SUB_BITS, hist_index_for(HIST_SUB_BITS, 1000))); }
        ck_assert(it.percentile >= last_p);
        ck_assert_uint_ge(it.total_count, last_c);
        /* the value is the bucket's top, and the count up to it matches the percentile level */
        ck_assert(100.0 * (double)it.total_count / 10000.0 >= it.percentile);
        last_p = it.percentile;
        last_c = it.total_count;
        lines++;
        if (it.last) { saw_last = 1; ck_assert(it.percentile == 100.0); ck_assert_uint_eq(it.total_count, 10000); }
    }
    ck_assert(saw_last);
    ck_assert_int_gt(lines, 30);
    ck_assert_int_lt(lines, 200);
    hist_reset(h);
    hist_piter_init(&it, h, 5);
    ck_assert_int_eq(hist_piter_next(&it), 0);
    hist_record(h, 7);
    hist_piter_init(&it, h, 5);
    ck_assert_int_eq(hist_piter_next(&it), 1);
    ck_assert_int_eq(hist_piter_next(&it), 1);
    ck_assert(it.last);
    ck_assert_int_eq(hist_piter_next(&it), 0);
    hist_free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("hist");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, precision_sweep);
    tcase_add_test(tc, exact_counts_and_clamping);
    tcase_add_test(tc, known_distributions);
    tcase_add_test(tc, merge_equals_single);
    tcase_add_test(tc, json_round_trip);
    tcase_add_test(tc, percentile_iteration);
    suite_add_tcase(s, tc);
    return check_run(s);
}
