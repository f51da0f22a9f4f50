/* text: cleaning and cutting of server- and user-supplied text, and the writers that print it. Bytes fed:
 * characters cut mid-sequence, invalid bytes, overlongs, surrogates, code points past U+10FFFF, C0 and C1
 * controls, ESC/CSI/OSC sequences; then report.json must be strict UTF-8 JSON, junit.xml well-formed XML
 * (both checked by python3, harness/tests/textcheck.py), and the terminal summary must hold no ESC. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "load/probe.h"
#include "report/ramp.h"
#include "report/report.h"
#include "report/writers.h"
#include "synth.h"
#include "base/text.h"
#include "check_run.h"

/* Every kind of hostile text, each a C string (no NUL inside). */
static const char *const hostile[] = {
    "caf\xc3",                          /* é cut after its first byte */
    "price \xe2\x82",                   /* € cut after two of three bytes */
    "emoji \xf0\x9f\x98",               /* 😀 cut after three of four */
    "\x80\xbf stray continuations",
    "\xff\xfe\xfd bytes never in UTF-8",
    "overlong / \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf",
    "surrogates \xed\xa0\x80 \xed\xbf\xbf",
    "past U+10FFFF \xf4\x90\x80\x80 \xf5\x80\x80\x80",
    "C0 \x01\x02\x7f and CR\r LF\n TAB\t",
    "ESC \x1b[31mred\x1b[0m \x1b[2J \x1b]0;owned\x07 \x1b" "c",
    "C1 CSI \xc2\x9b" "31m NEL \xc2\x85 \xc2\x80",
    "noncharacters \xef\xbf\xbe \xef\xbf\xbf",
    "XML <a href=\"x\">&amp;</a> 'q' | pipe | `tick`",
};
#define NHOSTILE (sizeof hostile / sizeof hostile[0])

static char *clean(const char *s, unsigned flags)
{
    buf b = BUF_INIT;
    ck_assert_int_eq(text_clean(&b, s, strlen(s), SIZE_MAX, flags), (long)strlen(s));
    buf_append(&b, "", 0);
    return b.data;
}

START_TEST(clean_examples)
{
    static const struct { const char *in, *out; unsigned flags; } cases[] = {
        {"plain ascii", "plain ascii", 0},
        {"\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", "\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80", 0},
        {"caf\xc3", "caf\\xc3", 0},
        {"\xe2\x82", "\\xe2\\x82", 0},
        {"\xe2\x82" "A", "\\xe2\\x82A", 0},
        {"\x80", "\\x80", 0},
        {"\xc0\xaf", "\\xc0\\xaf", 0},
        {"\xc1\xbf", "\\xc1\\xbf", 0},
        {"\xe0\x80\xaf", "\\xe0\\x80\\xaf", 0},
        {"\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf", 0},
        {"\xed\xa0\x80", "\\xed\\xa0\\x80", 0},
        {"\xed\x9f\xbf", "\xed\x9f\xbf", 0},                    /* U+D7FF, just below the surrogates */
        {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf", 0},            /* U+10FFFF, the last code point */
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80", 0},
        {"\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80", 0},
        {"\x1b[31m", "\\x1b[31m", 0},
        {"a\x07" "b\x7f", "a\\x07b\\x7f", 0},
        {"a\r\nb\tc", "a\\x0d\\x0ab\\x09c", 0},
        {"a\r\nb\tc", "a\\x0d\nb\tc", TEXT_MULTILINE},
        {"\xc2\x9b" "2J", "\\u009b2J", 0},
        {"\xc2\x85\xc2\x9f\xc2\xa0", "\\u0085\\u009f\xc2\xa0", 0},   /* U+00A0 is no control */
        {"\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd", "\\uFFFE\\uFFFF\xef\xbf\xbd", 0},
        {"back\\slash \\x1b", "back\\slash \\x1b", 0},           /* not doubled: cleaning is idempotent */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = clean(cases[i].in, cases[i].flags);
        ck_assert_msg(!strcmp(got, cases[i].out), "case %zu: got \"%s\", want \"%s\"", i, got, cases[i].out);
        free(got);
    }
    /* a NUL inside the given length is escaped too */
    buf b = BUF_INIT;
    text_clean(&b, "a\0b", 3, SIZE_MAX, 0);
    ck_assert_str_eq(buf_cstr(&b), "a\\x00b");
    buf_free(&b);
}
END_TEST

START_TEST(clean_is_idempotent_and_clean)
{
    for (unsigned flags = 0; flags <= TEXT_MULTILINE; flags++)
        for (size_t i = 0; i < NHOSTILE; i++) {
            char *once = clean(hostile[i], flags), *twice = clean(once, flags);
            ck_assert_msg(text_is_clean(once, strlen(once), flags), "case %zu not clean: %s", i, once);
            ck_assert_str_eq(once, twice);
            ck_assert_ptr_null(strchr(once, '\x1b'));
            ck_assert_ptr_null(strchr(once, '\r'));
            if (!flags) ck_assert_ptr_null(strchr(once, '\n'));
            free(once);
            free(twice);
        }
    ck_assert(!text_is_clean("caf\xc3", 4, 0));
    ck_assert(!text_is_clean("a\nb", 3, 0));
    ck_assert(text_is_clean("a\nb", 3, TEXT_MULTILINE));
    ck_assert(text_is_clean("\xf0\x9f\x98\x80", 4, 0));
}
END_TEST

START_TEST(cut_on_character_boundaries)
{
    const char *s = "a\xe2\x82\xac" "b\xf0\x9f\x98\x80";   /* a € b 😀: 1 + 3 + 1 + 4 bytes */
    size_t n = strlen(s);
    static const size_t want[] = {0, 1, 1, 1, 4, 5, 5, 5, 5, 9, 9};
    for (size_t max = 0; max <= 10; max++)
        ck_assert_msg(text_utf8_cut(s, n, max) == want[max], "max %zu: got %zu, want %zu", max,
                      text_utf8_cut(s, n, max), want[max]);
    /* invalid input is cut where asked (it is escaped byte by byte anyway) */
    ck_assert_uint_eq(text_utf8_cut("\x80\x80\x80\x80\x80", 5, 2), 2);
    ck_assert_uint_eq(text_utf8_cut("ab\xe2\x82", 4, 3), 2);

    /* the output limit never splits a character or an escape */
    buf b = BUF_INIT;
    ck_assert_int_eq(text_clean(&b, "ab\x1b" "c", 4, 5, 0), 2);
    ck_assert_str_eq(buf_cstr(&b), "ab");
    buf_clear(&b);
    ck_assert_int_eq(text_clean(&b, "x\xf0\x9f\x98\x80", 5, 4, 0), 1);
    ck_assert_str_eq(buf_cstr(&b), "x");
    buf_free(&b);

    char f[8];
    ck_assert_str_eq(text_clean_to(f, sizeof f, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 9, 0), "\xe2\x82\xac\xe2\x82\xac");
    ck_assert_str_eq(text_clean_to(f, sizeof f, "abcdefghij", 10, TEXT_MARK_CUT), "abcd...");
    ck_assert_str_eq(text_clean_to(f, sizeof f, "abcdefg", 7, TEXT_MARK_CUT), "abcdefg");
    ck_assert_str_eq(text_clean_to(f, sizeof f, "\x1b\x1b", 2, 0), "\\x1b");
    ck_assert_str_eq(text_clean_to(f, 1, "abc", 3, 0), "");
    char *d = text_dup(NULL, 0);
    ck_assert_str_eq(d, "");
    free(d);
}
END_TEST

START_TEST(filename_parts)
{
    static const struct { const char *in, *out; } cases[] = {
        {"smoke", "smoke"}, {"../../etc", ".._.._etc"}, {"..", "scenario"}, {".", "scenario"}, {"", "scenario"},
        {"a b/c\x1b[2J", "a_b_c__2J"}, {"caf\xc3\xa9", "caf__"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf b = BUF_INIT;
        ck_assert_int_eq(text_filename_part(&b, cases[i].in, 64), 0);
        ck_assert_str_eq(buf_cstr(&b), cases[i].out);
        buf_free(&b);
    }
    buf b = BUF_INIT;
    text_filename_part(&b, "abcdefgh", 3);
    ck_assert_str_eq(buf_cstr(&b), "abc");
    buf_free(&b);
}
END_TEST

/* stats keeps details readable (UTF-8 stays), clean, and cut on a character boundary at its limit */
START_TEST(stats_details_clean)
{
    stats *s = stats_new();
    char detail[400];
    memset(detail, 'x', 157);
    strcpy(detail + 157, "\xe2\x82\xac tail");      /* € straddles the 159-byte limit */
    stats_error(s, 0, "decrypt", detail);
    stats_error(s, 0, "protocol", "GET HTTP 400: \x1b[2J\xc2\x9b" "0m \xc3\xa9t\xc3\xa9");
    stats_error(s, 0, "evil\x1b:class", "d");
    ck_assert_uint_eq(s->nerr, 3);
    for (size_t i = 0; i < s->nerr; i++) {
        ck_assert(text_is_clean(s->err[i].cls, strlen(s->err[i].cls), 0));
        ck_assert(text_is_clean(s->err[i].detail, strlen(s->err[i].detail), 0));
    }
    ck_assert_uint_eq(strlen(s->err[0].detail), 159);            /* 156 x, then "...": not half a euro sign */
    ck_assert_str_eq(s->err[0].detail + 156, "...");
    ck_assert_str_eq(s->err[1].detail, "GET HTTP 400: \\x1b[2J\\u009b0m \xc3\xa9t\xc3\xa9");
    ck_assert_str_eq(s->err[2].cls, "evil\\x1b_class");
    stats_free(s);
}
END_TEST

/* envseen keeps the start of an envelope whose iv the server chose: clean, not cut inside a character */
START_TEST(envseen_iv_example_clean)
{
    envseen *e = envseen_new(0);
    char env[400];
    int n = snprintf(env, sizeof env, "{\"ct\":\"%0150d\",\"iv\":\"\x1b]0;x\x07\xe2\x82\xac\xff\",\"s\":\"0011223344556677\"}", 0);
    envseen_add(e, env, (size_t)n, ENVELOPE_WARN_IV_MISMATCH);
    ck_assert(text_is_clean(e->iv_example, strlen(e->iv_example), 0));
    ck_assert_ptr_nonnull(strstr(e->iv_example, "\\x1b]0;x\\x07"));
    result *r = result_new();
    probe_envelope_findings(e, r);
    ck_assert_uint_eq(r->nfindings, 1);
    ck_assert(text_is_clean(r->findings[0].evidence, strlen(r->findings[0].evidence), TEXT_MULTILINE));
    result_free(r);
    envseen_free(e);
}
END_TEST

static char dir[256];

static void setup(void)
{
    char base[] = "/tmp/check_text.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(base));
    snprintf(dir, sizeof dir, "%s", base);
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* A result with hostile text in every text field: through the API (which cleans) and, for the writers'
 * own guard, written raw into the stored fields afterwards. */
static result *hostile_result(int raw)
{
    result *r = synth_result(1700000000, 10, 5);
    buf all = BUF_INIT, err = BUF_INIT;
    for (size_t i = 0; i < NHOSTILE; i++) buf_printf(&all, "%s|", hostile[i]);
    RESULT_SET(r->meta.scenario, "scen\x1b[31m\xe2\x82");
    RESULT_SET(r->meta.target, "http://127.0.0.1:1/\x1b]8;;x\x07\xc2\x9b");
    RESULT_SET(r->meta.out_dir, "/tmp/out\x1b[2J");
    for (size_t i = 0; i < NHOSTILE; i++) {
        stats_error(r->stats, 4000000000LL, "protocol", hostile[i]);   /* within the 5 s run */
        result_add_finding(r, hostile[i], "low", hostile[i], buf_cstr(&all));
        result_add_probe(r, hostile[i], 1, hostile[i], hostile[i], hostile[i]);
    }
    result_add_threshold(r, "p99_ms<50", &err);
    for (size_t i = 0; i < NHOSTILE && i < STATS_MAX_SERIES; i++) {   /* flow series named by the user */
        int k = stats_series_add(r->stats, hostile[i], (int)(i % 2));
        stats_series_sent(r->stats, k);
        stats_series_ok(r->stats, k, 1000000);
        stats_series_failed(r->stats, k, hostile[i]);
        stats_series_expected(r->stats, k, 3);
    }
    result_add_threshold(r, "p99_ms{nosuch\xe2\x82 <b>|`}<50", &err);
    if (raw) {   /* bypass the storing side: the writers must still clean */
        strcpy(r->stats->series[0].name, "raw\x1b[2J\xe2\x82|`<b>");
        strcpy(r->stats->series[0].fail[0].cls, "cls\x1b[1m\xf0\x9f");
        strcpy(r->meta.scenario, "raw\x1b[2J\xe2\x82");
        strcpy(r->meta.transport, "ws\x01\xc3");
        strcpy(r->meta.model, "<b>m\x1b[5m</b>");
        free(r->findings[0].detail);
        r->findings[0].detail = strdup(buf_cstr(&all));
        free(r->probes[0].health);
        r->probes[0].health = strdup("failed: \x1b[31m\xed\xa0\x80");
        strcpy(r->stats->err[0].detail, "raw \x1b[1m\xf0\x9f");
        strcpy(r->stats->err[0].cls, "cls\x1b");
    }
    result_finish(r);
    buf_free(&all);
    buf_free(&err);
    return r;
}

static int textcheck(const char *extra)
{
    const char *script = getenv("TEXTCHECK");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 %s '%s' %s", script ? script : "harness/tests/textcheck.py", dir,
             extra ? extra : "");
    return system(cmd);
}

static void check_writers(int raw)
{
    result *r = hostile_result(raw);
    buf err = BUF_INIT;
    ck_assert_msg(report_write_all(r, dir, &err) == 0, "%s", buf_cstr(&err));
    char term[512];
    snprintf(term, sizeof term, "%s/terminal.txt", dir);
    FILE *f = fopen(term, "wb");
    report_print_summary(f, r);
    fclose(f);
    ck_assert_msg(textcheck(term) == 0, "the reports or the summary hold unsafe text (see above)");

    char *mem = NULL;
    size_t len = 0;
    f = open_memstream(&mem, &len);
    report_print_summary(f, r);
    fclose(f);
    ck_assert_ptr_null(memchr(mem, '\x1b', len));
    ck_assert(text_is_clean(mem, len, TEXT_MULTILINE));
    ck_assert_ptr_nonnull(strstr(mem, raw ? "raw\\x1b[2J\\xe2\\x82" : "scen\\x1b[31m\\xe2\\x82"));
    free(mem);
    buf h = BUF_INIT;
    report_html(r, &h);
    ck_assert_ptr_null(strstr(h.data, "<b>"));   /* markup from a field is escaped, not rendered */
    buf_free(&h);

    /* every renderer on its own, as the merge and the ramp use them */
    int (*renderers[])(const result *, buf *) = {report_json, report_md, report_junit, report_hgrm, report_html};
    for (size_t i = 0; i < 5; i++) {
        buf o = BUF_INIT;
        ck_assert_int_eq(renderers[i](r, &o), 0);
        ck_assert_ptr_null(memchr(o.data, '\x1b', o.len));
        ck_assert(text_is_clean(o.data, o.len, TEXT_MULTILINE));
        buf_free(&o);
    }
    buf_free(&err);
    result_free(r);
}

START_TEST(writers_with_clean_storage) { check_writers(0); }
END_TEST

START_TEST(writers_guard_raw_fields) { check_writers(1); }
END_TEST

/* A report read back (siocrypt merge) with escaped control characters in its strings comes out clean. */
START_TEST(report_read_back_clean)
{
    result *r = hostile_result(0);
    cJSON *w = result_to_json(r);
    char *printed = cJSON_Print(w);       /* integers are raw nodes until printed */
    cJSON *j = cJSON_Parse(printed);
    cJSON_Delete(w);
    free(printed);
    cJSON_ReplaceItemInObject(j, "scenario", cJSON_CreateString("in\x1b[2Jput"));
    cJSON_ReplaceItemInObject(j, "target", cJSON_CreateString("http://x/\x1b]0;t\x07"));
    buf err = BUF_INIT;
    result *back = result_from_json(j, "x.json", &err);
    ck_assert_msg(back != NULL, "%s", buf_cstr(&err));
    ck_assert_str_eq(back->meta.scenario, "in\\x1b[2Jput");
    ck_assert_str_eq(back->meta.target, "http://x/\\x1b]0;t\\x07");
    for (size_t i = 0; i < back->nfindings; i++)
        ck_assert(text_is_clean(back->findings[i].detail, strlen(back->findings[i].detail), TEXT_MULTILINE));
    for (size_t i = 0; i < back->stats->nerr; i++)
        ck_assert(text_is_clean(back->stats->err[i].detail, strlen(back->stats->err[i].detail), 0));
    cJSON_Delete(j);
    result_free(back);
    result_free(r);
    buf_free(&err);
}
END_TEST

START_TEST(ramp_tables_clean)
{
    ramp_row rows[1] = {{.clients = 5, .pass = 1}};
    snprintf(rows[0].dir, sizeof rows[0].dir, "step-01-5c");
    buf j = BUF_INIT, m = BUF_INIT;
    ck_assert_int_eq(ramp_to_json(rows, 1, "ramp\x1b[2J\xe2\x82", &j), 0);
    ck_assert_int_eq(ramp_to_md(rows, 1, "ramp\x1b[2J|x\xe2\x82", &m), 0);
    ck_assert(text_is_clean(j.data, j.len, TEXT_MULTILINE));
    ck_assert(text_is_clean(m.data, m.len, TEXT_MULTILINE));
    ck_assert_ptr_nonnull(strstr(j.data, "ramp\\\\x1b[2J\\\\xe2\\\\x82"));   /* JSON doubles the backslashes */
    buf_free(&j);
    buf_free(&m);
}
END_TEST

START_TEST(fprintf_to_terminal)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    text_fprintf(f, "client %d: %s\n", 3, "sid \x1b[2J\r\xc2\x9b\xe2\x82");
    fclose(f);
    ck_assert_str_eq(mem, "client 3: sid \\x1b[2J\\x0d\\u009b\\xe2\\x82\n");
    free(mem);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("text");
    tcase_add_test(tc, clean_examples);
    tcase_add_test(tc, clean_is_idempotent_and_clean);
    tcase_add_test(tc, cut_on_character_boundaries);
    tcase_add_test(tc, filename_parts);
    tcase_add_test(tc, stats_details_clean);
    tcase_add_test(tc, envseen_iv_example_clean);
    tcase_add_test(tc, fprintf_to_terminal);
    tcase_add_test(tc, ramp_tables_clean);
    suite_add_tcase(s, tc);
    TCase *tw = tcase_create("writers");
    tcase_add_checked_fixture(tw, setup, teardown);
    tcase_add_test(tw, writers_with_clean_storage);
    tcase_add_test(tw, writers_guard_raw_fields);
    tcase_add_test(tw, report_read_back_clean);
    suite_add_tcase(s, tw);
    return check_run(s);
}
