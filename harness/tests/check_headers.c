/* check_headers: the user's headers (net/headers.c) checked and expanded per client, a headers file read
 * line by line, and {{client}} in values and in a target's query (base/template.c, target_request_for). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/template.h"
#include "cli/scenario.h"
#include "net/headers.h"
#include "net/target.h"
#include "check_run.h"

static headers h;
static buf err, out, name, value;

static void setup(void) { memset(&h, 0, sizeof h); buf_clear(&err); }
static void teardown(void) { headers_free(&h); buf_free(&err); buf_free(&out); buf_free(&name); buf_free(&value); }

static const char *line_of(size_t k, int client)
{
    size_t name_len;
    buf_clear(&out);
    ck_assert_int_eq(headers_line(&h, k, client, &out, &name_len), 0);
    ck_assert_uint_eq(name_len, strcspn(buf_cstr(&out), ":"));
    return buf_cstr(&out);
}

START_TEST(template_expands_every_placeholder)
{
    const char *s = "a{{client}}-{{client}}{{client";
    ck_assert_int_eq(template_expand(&out, s, strlen(s), TEMPLATE_CLIENT, 42), 0);
    ck_assert_str_eq(buf_cstr(&out), "a42-42{{client");
    buf_clear(&out);
    ck_assert_int_eq(template_expand(&out, "", 0, TEMPLATE_CLIENT, 1), 0);
    ck_assert_str_eq(buf_cstr(&out), "");
    /* the longest index is no longer than the placeholder: limits checked on the template hold */
    ck_assert_int_le(snprintf(NULL, 0, "%d", 2147483647), (int)strlen(TEMPLATE_CLIENT));
}
END_TEST

START_TEST(split_trims_and_checks)
{
    ck_assert_int_eq(headers_split("Authorization:  Bearer x \t", 26, &name, &value, "-H", &err), 0);
    ck_assert_str_eq(buf_cstr(&name), "Authorization");
    ck_assert_str_eq(buf_cstr(&value), "Bearer x");
    ck_assert_int_eq(headers_split("X-A:b:c", 7, &name, &value, "-H", &err), 0);
    ck_assert_str_eq(buf_cstr(&value), "b:c");
    static const struct { const char *line; const char *why; } bad[] = {
        {"NoColon", "expected 'Name: value'"}, {": v", "needs a name"}, {"X Y: v", "(0x20)"},
        {"X(: v", "(0x28)"}, {"X-A: a\r\nX-B: b", "(0x0d)"}, {"X-A: a\n", "(0x0a)"},
        {"X-A: a\nb", "(0x0a)"}, {"X-A: \x7f", "(0x7f)"}, {"X-A:", "needs a value"},
        {"host: x", "sets itself"}, {"CONNECTION: x", "sets itself"}, {"Upgrade: x", "sets itself"},
        {"Origin: x", "sets itself"}, {"Sec-WebSocket-Protocol: x", "sets itself"},
        {"Transfer-Encoding: chunked", "sets itself"}, {"content-length: 1", "sets itself"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_clear(&err);
        ck_assert_msg(headers_split(bad[i].line, strlen(bad[i].line), &name, &value, "-H", &err) < 0, "%s", bad[i].line);
        ck_assert_msg(strstr(buf_cstr(&err), bad[i].why) && !strncmp(buf_cstr(&err), "-H: ", 4), "%s: %s",
                      bad[i].line, buf_cstr(&err));
    }
    buf_clear(&err);
    ck_assert_int_lt(headers_split("X-A: a\0b", 8, &name, &value, "-H", &err), 0);   /* NUL: not cut short */
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "NUL"));
    ck_assert_int_eq(headers_check("X-Tab", "a\tb", "-H", &err), 0);
}
END_TEST

START_TEST(lines_expand_per_client)
{
    ck_assert_int_eq(headers_add(&h, "Authorization", "Bearer t{{client}}", "-H", &err), 0);
    ck_assert_int_eq(headers_add(&h, "X-Static", "same", "-H", &err), 0);
    ck_assert_uint_eq(headers_count(&h), 2);
    ck_assert_str_eq(line_of(0, 0), "Authorization: Bearer t0");
    ck_assert_str_eq(line_of(0, 123456), "Authorization: Bearer t123456");
    ck_assert_str_eq(line_of(1, 7), "X-Static: same");
}
END_TEST

START_TEST(one_clients_headers_are_bounded)
{
    char *big = malloc(HEADERS_MAX_BYTES);
    memset(big, 'a', HEADERS_MAX_BYTES - 1);
    big[HEADERS_MAX_BYTES - 1] = '\0';
    ck_assert_int_lt(headers_add(&h, "X", big, "-H", &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "longer than"));
    big[HEADERS_MAX_BYTES / 2] = '\0';
    buf_clear(&err);
    ck_assert_int_eq(headers_add(&h, "X-A", big, "-H", &err), 0);
    ck_assert_int_lt(headers_add(&h, "X-B", big, "-H", &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "together"));
    ck_assert_uint_eq(h.n, 1);
    free(big);
}
END_TEST

static const char *write_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/check_headers_%d", (int)getpid());
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(file_gives_each_client_its_line)
{
    const char *path = write_file("Authorization: Bearer one\r\n\nAuthorization:Bearer two\nX-T: {{client}}\n");
    ck_assert_int_eq(headers_add(&h, "X-All", "c{{client}}", "-H", &err), 0);
    ck_assert_int_eq(headers_load_file(&h, path, &err), 0);
    ck_assert_uint_eq(h.nper, 3);
    ck_assert_uint_eq(headers_count(&h), 2);
    ck_assert_str_eq(line_of(0, 1), "X-All: c1");
    ck_assert_str_eq(line_of(1, 0), "Authorization: Bearer one");
    ck_assert_str_eq(line_of(1, 1), "Authorization: Bearer two");
    ck_assert_str_eq(line_of(1, 2), "X-T: 2");
    ck_assert_int_eq(headers_check_clients(&h, 3, &err), 0);
    ck_assert_int_lt(headers_check_clients(&h, 4, &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "3 lines for 4 clients"));
    unlink(path);
}
END_TEST

START_TEST(bad_files_refused)
{
    const char *path = write_file("X-A: ok\nX-B oops\n");
    ck_assert_int_lt(headers_load_file(&h, path, &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "line 2: expected 'Name: value'"));
    headers_free(&h);
    buf_clear(&err);
    path = write_file("\n\r\n");
    ck_assert_int_lt(headers_load_file(&h, path, &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "no header lines"));
    unlink(path);
    buf_clear(&err);
    ck_assert_int_lt(headers_load_file(&h, "/nonexistent/headers", &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "cannot open"));
}
END_TEST

START_TEST(query_expands_per_client)
{
    target t;
    target_init(&t);
    ck_assert_int_eq(target_parse(&t, "http://h:1/socket.io/?token=t{{client}}", &err), 0);
    ck_assert_int_eq(target_add_param(&t, "u", "{{client}}/x", "target.query.u", &err), 0);
    ck_assert_int_eq(target_request_for(&t, 4, "polling", NULL, 0, 17, &out), 0);
    ck_assert_str_eq(buf_cstr(&out), "/socket.io/?EIO=4&transport=polling&token=t17&u=17%2Fx");
    buf_clear(&out);
    ck_assert_int_eq(target_request(&t, 4, "polling", NULL, 0, &out), 0);   /* no client: as written */
    ck_assert_str_eq(buf_cstr(&out), "/socket.io/?EIO=4&transport=polling&token=t%7B%7Bclient%7D%7D&u=%7B%7Bclient%7D%7D%2Fx");
    target_free(&t);
}
END_TEST

START_TEST(scenario_fields_and_dash_h)
{
    static const char json[] = "{\"target\":{\"url\":\"http://h:1\",\"headers\":{\"Authorization\":"
                               "\"Bearer sekret\"},\"headers_file\":\"tokens.txt\"}}";
    scenario sc;
    ck_assert_int_eq(scenario_parse(json, strlen(json), &sc, &err), 0);
    ck_assert_int_eq(scenario_add_header(&sc, "X-C:  c{{client}}", "-H", &err), 0);
    ck_assert_uint_eq(sc.nheaders, 2);
    ck_assert_str_eq(sc.headers[1].key, "X-C");
    ck_assert_str_eq(sc.headers[1].value, "c{{client}}");
    ck_assert_int_eq(scenario_add_header(&sc, "@other.txt", "-H", &err), 0);
    ck_assert_str_eq(sc.headers_file, "other.txt");
    ck_assert_int_lt(scenario_add_header(&sc, "Host: x", "-H", &err), 0);
    ck_assert_int_eq(scenario_to_json(&sc, 0, &out), 0);   /* values are tokens: hidden */
    ck_assert_ptr_null(strstr(buf_cstr(&out), "sekret"));
    ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "other.txt"));
    buf_clear(&out);
    ck_assert_int_eq(scenario_to_json(&sc, 1, &out), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&out), "Bearer sekret"));
    scenario_free(&sc);
    static const char bad[] = "{\"target\":{\"headers\":{\"Sec-WebSocket-Key\":\"x\"}}}";
    buf_clear(&err);
    ck_assert_int_lt(scenario_parse(bad, strlen(bad), &sc, &err), 0);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "target.headers.Sec-WebSocket-Key: 'Sec-WebSocket-Key' is a header"));
    scenario_free(&sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("headers");
    TCase *tc = tcase_create("headers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, template_expands_every_placeholder);
    tcase_add_test(tc, split_trims_and_checks);
    tcase_add_test(tc, lines_expand_per_client);
    tcase_add_test(tc, one_clients_headers_are_bounded);
    tcase_add_test(tc, file_gives_each_client_its_line);
    tcase_add_test(tc, bad_files_refused);
    tcase_add_test(tc, query_expands_per_client);
    tcase_add_test(tc, scenario_fields_and_dash_h);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return check_run(suite()); }
