/* Check tests for jsonv: what JSON.parse accepts and refuses, top-level members, string units. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/jsonv.h"
#include "check_run.h"

static int ok(const char *s) { return jsonv_valid(s, strlen(s)); }

START_TEST(test_accepts)
{
    static const char *yes[] = {"0", "-0", "1.5e-10", "1E+2", "true", "false", "null", "\"\"", "[]", "{}",
        " \t\r\n[1, \"a\", {\"b\": [null]}] \n", "\"\\u0000\\ud800\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\xe2\x80\xa8\"",
        "\"\xf0\x9f\x98\x80\"", "{\"a\":1,\"a\":2}", "1e400"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) ck_assert_msg(ok(yes[i]), "refused %s", yes[i]);
}
END_TEST

START_TEST(test_refuses)
{
    static const char *no[] = {"", " ", "01", "1.", ".5", "+1", "-", "1e", "tru", "nul", "[1,]", "{\"a\":1,}",
        "{a:1}", "'a'", "\"a", "\"\t\"", "\"\\x\"", "\"\\u12g4\"", "[1] 2", "\xef\xbb\xbf" "1", "NaN",
        "Infinity", "\"\xff\"", "\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "[", "]", "{\"a\"}", "\v1", "1\f"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) ck_assert_msg(!ok(no[i]), "accepted %s", no[i]);
    ck_assert(!jsonv_valid("1\0", 2));
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t n = 200000;
    char *s = malloc(2 * n + 1);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    ck_assert(jsonv_valid(s, 2 * n));
    s[2 * n - 1] = '}';
    ck_assert(!jsonv_valid(s, 2 * n));
    free(s);
}
END_TEST

typedef struct { int n; char keys[8][8]; jsonv_type types[8]; char vals[8][32]; } seen;

static int collect(void *ud, const jsonv_span *k, const jsonv_span *v)
{
    seen *s = ud;
    if (s->n < 8) {
        snprintf(s->keys[s->n], 8, "%.*s", (int)k->n, k->p);
        snprintf(s->vals[s->n], 32, "%.*s", (int)v->n, v->p);
        s->types[s->n] = v->type;
    }
    s->n++;
    return 0;
}

START_TEST(test_members)
{
    seen s = {0};
    jsonv_type top;
    const char *t = " { \"ct\" : \"abc\", \"o\": {\"x\": [1, {\"y\": 2}]}, \"n\": -1.5 , \"a\": [], \"e\": {} }";
    ck_assert_int_eq(jsonv_parse(t, strlen(t), &top, collect, &s), 0);
    ck_assert_int_eq(top, JSONV_OBJECT);
    ck_assert_int_eq(s.n, 5);
    ck_assert_str_eq(s.keys[0], "ct"); ck_assert_str_eq(s.vals[0], "abc"); ck_assert_int_eq(s.types[0], JSONV_STRING);
    ck_assert_str_eq(s.keys[1], "o"); ck_assert_str_eq(s.vals[1], "{\"x\": [1, {\"y\": 2}]}");
    ck_assert_int_eq(s.types[1], JSONV_OBJECT);
    ck_assert_str_eq(s.vals[2], "-1.5"); ck_assert_int_eq(s.types[2], JSONV_NUMBER);
    ck_assert_str_eq(s.vals[3], "[]"); ck_assert_str_eq(s.vals[4], "{}");
    seen s2 = {0};
    ck_assert_int_eq(jsonv_parse("[{\"a\":1}]", 9, &top, collect, &s2), 0);
    ck_assert_int_eq(top, JSONV_ARRAY);
    ck_assert_int_eq(s2.n, 0);
}
END_TEST

static int first(void *ud, const jsonv_span *k, const jsonv_span *v) { (void)k; *(jsonv_span *)ud = *v; return 0; }

START_TEST(test_units)
{
    jsonv_span v;
    const char *t = "{\"k\":\"A\\u00e9\xc3\xa9\xf0\x9f\x98\x80\\n\\ud800\"}";
    ck_assert_int_eq(jsonv_parse(t, strlen(t), NULL, first, &v), 0);
    uint16_t u[32];
    size_t n = jsonv_string_units(&v, u);
    ck_assert_uint_eq(n, 7);
    ck_assert(u[0] == 'A' && u[1] == 0xe9 && u[2] == 0xe9 && u[3] == 0xd83d && u[4] == 0xde00 && u[5] == '\n' &&
              u[6] == 0xd800);
    jsonv_span k = {"\\u0063t", 7, JSONV_STRING};
    ck_assert(jsonv_string_is(&k, "ct"));
    ck_assert(!jsonv_string_is(&k, "c"));
    jsonv_span k2 = {"ct", 2, JSONV_STRING};
    ck_assert(jsonv_string_is(&k2, "ct"));
}
END_TEST

START_TEST(test_utf8)
{
    ck_assert(jsonv_utf8_valid("plain ascii text, long enough for the fast path", 47));
    ck_assert(jsonv_utf8_valid("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf", 13));
    ck_assert(jsonv_utf8_valid("\0", 1));
    ck_assert(!jsonv_utf8_valid("\xc3", 1));
    ck_assert(!jsonv_utf8_valid("\xc1\x81", 2));
    ck_assert(!jsonv_utf8_valid("\xe0\x9f\xbf", 3));
    ck_assert(!jsonv_utf8_valid("\xed\xb0\x80", 3));
    ck_assert(!jsonv_utf8_valid("\xf4\x90\x80\x80", 4));
    ck_assert(!jsonv_utf8_valid("\xf8\x88\x80\x80\x80", 5));
    ck_assert(!jsonv_utf8_valid("aaaaaaaaaaaaaaa\x80", 16));
}
END_TEST

/* The counter's id, as g-crypt's JSON.parse reads the plaintext (client.c reads answers with it). */
static int64_t int_of(const char *s, jsonv_int_err want)
{
    int64_t v = -12345;
    jsonv_int_err e = jsonv_object_int(s, strlen(s), "id", &v);
    ck_assert_msg(e == want, "%s: got %d, want %d", s, e, want);
    return v;
}

/* jsonv_scan: one value from an offset (what follows is the caller's), a depth bound, and JSONV_BYTES for
 * text whose bytes from 0x80 up are not UTF-8's business; jsonv_scan_string: one string. */
START_TEST(test_scan)
{
    const char *t = "[1, {\"a\":[true]} ,\"x\"] tail";
    size_t i = 1;
    ck_assert_int_eq(jsonv_scan(t, strlen(t), &i, 0, 0), 0);        /* the 1 after '[' */
    ck_assert_uint_eq(i, 2);
    i = 3;
    ck_assert_int_eq(jsonv_scan(t, strlen(t), &i, 0, 0), 0);        /* leading space skipped */
    ck_assert_uint_eq(i, 16);
    i = 0;
    ck_assert_int_eq(jsonv_scan(t, strlen(t), &i, 0, 0), 0);
    ck_assert_uint_eq(i, 22);                                       /* " tail" is not the value's */
    i = 0;
    ck_assert_int_eq(jsonv_scan(t, strlen(t), &i, 0, 2), -1);       /* [ { [ is three deep */
    ck_assert_uint_eq(i, 0);
    ck_assert_int_eq(jsonv_scan(t, strlen(t), &i, 0, 3), 0);
    i = 0;
    ck_assert_int_eq(jsonv_scan("[1,]", 4, &i, 0, 0), -1);
    ck_assert_uint_eq(i, 0);
    const char *hi = "\"\xff\xfe\"";                              /* not UTF-8 */
    i = 0;
    ck_assert_int_eq(jsonv_scan(hi, 4, &i, 0, 0), -1);
    ck_assert_int_eq(jsonv_scan(hi, 4, &i, JSONV_BYTES, 0), 0);
    ck_assert_uint_eq(i, 4);
    i = 0;
    ck_assert_int_eq(jsonv_scan_string("\"a\\\"b\",1", 7, &i, 0), 0);
    ck_assert_uint_eq(i, 6);
    i = 0;
    ck_assert_int_eq(jsonv_scan_string("1", 1, &i, 0), -1);
    ck_assert_int_eq(jsonv_scan_string("\"\\x\"", 4, &i, 0), -1); /* \x is no escape */
}
END_TEST

START_TEST(test_object_int)
{
    ck_assert_int_eq(int_of("{\"id\":42}", JSONV_INT_OK), 42);
    ck_assert_int_eq(int_of("{ \"id\" : -7 }", JSONV_INT_OK), -7);
    ck_assert_int_eq(int_of("{\"id\":1e2}", JSONV_INT_OK), 100);          /* JSON.parse: 100 */
    ck_assert_int_eq(int_of("{\"id\":5.0}", JSONV_INT_OK), 5);
    ck_assert_int_eq(int_of("{\"id\":1,\"id\":2}", JSONV_INT_OK), 2);     /* the last of duplicates wins */
    ck_assert_int_eq(int_of("{\"\\u0069d\":9}", JSONV_INT_OK), 9);       /* an escaped key is the same key */
    ck_assert_int_eq(int_of("{\"id\":9007199254740992}", JSONV_INT_OK), 9007199254740992LL);
    int_of("{\"id\":1.5}", JSONV_INT_FRACTION);
    int_of("{\"id\":1e308}", JSONV_INT_RANGE);
    int_of("{\"id\":-1e308}", JSONV_INT_RANGE);
    int_of("{\"id\":9007199254740994}", JSONV_INT_RANGE);
    int_of("{\"id\":\"5\"}", JSONV_INT_MISSING);
    int_of("{\"x\":5}", JSONV_INT_MISSING);
    int_of("{\"id\":+5}", JSONV_INT_NOT_JSON);      /* JSON.parse throws */
    int_of("{\"id\":05}", JSONV_INT_NOT_JSON);
    int_of("[5]", JSONV_INT_NOT_JSON);
    /* a very long number still reads as JSON.parse reads it */
    char big[700] = "{\"id\":5.";
    size_t n = strlen(big);
    memset(big + n, '0', 600);
    strcpy(big + n + 600, "}");
    ck_assert_int_eq(int_of(big, JSONV_INT_OK), 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("jsonv");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_accepts);
    tcase_add_test(tc, test_refuses);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_members);
    tcase_add_test(tc, test_units);
    tcase_add_test(tc, test_utf8);
    tcase_add_test(tc, test_object_int);
    tcase_add_test(tc, test_scan);
    suite_add_tcase(s, tc);
    return check_run(s);
}
