#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "report/ramp.h"
#include "check_run.h"

static ramp_row row(int clients, double rps, double p99, int pass)
{
    ramp_row r;
    memset(&r, 0, sizeof r);
    r.clients = clients;
    r.round_trips_per_s = rps;
    r.p99_ms = p99;
    r.pass = pass;
    return r;
}

START_TEST(knee_is_last_pass_before_a_failure)
{
    ramp_row rows[] = {row(25, 500, 10, 1), row(50, 900, 20, 1), row(100, 950, 80, 0), row(200, 960, 200, 1)};
    int sat;
    ck_assert_int_eq(ramp_knee(rows, 4, &sat), 1);
    ck_assert_int_eq(sat, 1);
    buf md = BUF_INIT;
    ramp_to_md(rows, 3, "r", &md);
    ck_assert_ptr_nonnull(strstr(md.data, "| 50 | 900.0 |"));
    ck_assert_ptr_nonnull(strstr(md.data, "(knee)"));
    ck_assert_ptr_nonnull(strstr(md.data, "Knee: 50 clients"));
    buf_free(&md);
}
END_TEST

START_TEST(no_knee_when_first_fails_or_all_pass)
{
    ramp_row bad[] = {row(25, 500, 100, 0)};
    ramp_row good[] = {row(25, 500, 1, 1), row(50, 800, 2, 1)};
    int sat;
    ck_assert_int_eq(ramp_knee(bad, 1, &sat), -1);
    ck_assert_int_eq(ramp_knee(good, 2, &sat), 1);
    ck_assert_int_eq(sat, 0);
    buf js = BUF_INIT;
    ramp_to_json(good, 2, "r", &js);
    ck_assert_ptr_nonnull(strstr(js.data, "\"beyond_last_step\":\ttrue"));
    buf_clear(&js);
    ramp_to_json(bad, 1, "r", &js);
    ck_assert_ptr_nonnull(strstr(js.data, "\"knee\":\tnull"));
    buf_free(&js);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ramp");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, knee_is_last_pass_before_a_failure);
    tcase_add_test(tc, no_knee_when_first_fails_or_all_pass);
    suite_add_tcase(s, tc);
    return check_run(s);
}
