/* flowtmpl: templates rendered for one client (each built-in's JSON type, text splicing, escaping that
 * keeps hostile captured strings valid JSON, the size bounds), variables, render_int, dotted paths,
 * expect matching with its detail text, and captures. Every rendered text is read back by cJSON (and
 * checked by jsonv, JSON.parse's grammar) rather than compared byte for byte where the value is random. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "base/jsonv.h"
#include "load/flowtmpl.h"
#include "check_run.h"

static flow_spec spec;
static flowtmpl_vars vars;
static uint64_t rng;
static flowtmpl_env env;

enum { V_MEMBERS, V_OBJ, V_STR, V_BAD, NVARS };

static void setup(void)
{
    static const char *names[NVARS] = {"members", "obj", "str", "bad"};
    memset(&spec, 0, sizeof spec);
    for (int i = 0; i < NVARS; i++) strcpy(spec.vars[i], names[i]);
    spec.nvars = NVARS;
    flowtmpl_vars_init(&vars);
    rng = 0x1234567887654321ull;
    env = (flowtmpl_env){&spec, 13, 2, &rng, &vars};
}

static void teardown(void) { flowtmpl_vars_free(&vars); }

/* Set variable i from JSON text. */
static void set_var(int i, const char *json)
{
    cJSON *v = cJSON_Parse(json);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, i, v), 0);
    cJSON_Delete(v);
}

/* Render the JSON text json for env; the output must be valid JSON (JSON.parse's grammar). Returns the
 * rendered value parsed (caller deletes), its text in *text when text is given. */
static cJSON *render(const char *json, char **text)
{
    cJSON *v = cJSON_Parse(json);
    buf out = BUF_INIT, err = BUF_INIT;
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(flowtmpl_render(&env, v, &out, &err) == 0, "%s: %s", json, buf_cstr(&err));
    ck_assert_msg(jsonv_valid(out.data, out.len), "not JSON: %s", buf_cstr(&out));
    cJSON *r = cJSON_ParseWithLength(out.data, out.len);
    ck_assert_ptr_nonnull(r);
    if (text) *text = strdup(buf_cstr(&out));
    cJSON_Delete(v);
    buf_free(&out);
    buf_free(&err);
    return r;
}

static void render_is(const char *json, const char *want)
{
    char *text;
    cJSON_Delete(render(json, &text));
    ck_assert_str_eq(text, want);
    free(text);
}

/* Rendering fails with a message containing want; out keeps what it held. */
static void render_fails(const char *json, const char *want)
{
    cJSON *v = cJSON_Parse(json);
    buf out = BUF_INIT, err = BUF_INIT;
    ck_assert_ptr_nonnull(v);
    buf_append_str(&out, "kept");
    ck_assert_int_eq(flowtmpl_render(&env, v, &out, &err), -1);
    ck_assert_msg(strstr(buf_cstr(&err), want), "%s: got '%s', want '%s'", json, buf_cstr(&err), want);
    ck_assert_str_eq(buf_cstr(&out), "kept");
    cJSON_Delete(v);
    buf_free(&out);
    buf_free(&err);
}

static void check_fails(const char *s, const char *want)
{
    buf err = BUF_INIT;
    ck_assert_int_eq(flowtmpl_check(&spec, s, strlen(s), &err), -1);
    ck_assert_msg(!strcmp(buf_cstr(&err), want), "%s: got '%s', want '%s'", s, buf_cstr(&err), want);
    buf_free(&err);
}

START_TEST(builtins_and_their_types)
{
    render_is("\"{{client}}\"", "13");
    render_is("\"{{ client }}\"", "13");
    render_is("\"{{client % 10}}\"", "3");
    render_is("\"{{client%5}}\"", "3");
    render_is("\"{{client % 1}}\"", "0");
    render_is("\"{{client % 2147483647}}\"", "13");
    render_is("\"{{seq}}\"", "2");
    render_is("\"{{seq + 1}}\"", "3");
    render_is("\"{{seq+0}}\"", "2");
    render_is("\"id {{ seq + 40 }}\"", "\"id 42\"");
    render_is("\"{{payload 0}}\"", "\"\"");
    render_is("[\"a{{client}}b\", \"{{seq}}{{client}}\", 5, true, null, {\"k\": \"{{client % 4}}\"}]",
              "[\"a13b\",\"213\",5,true,null,{\"k\":1}]");
    render_is("\"hi {{client}} {{seq}}\"", "\"hi 13 2\"");

    int64_t before = clock_now_ns() / 1000;
    cJSON *v = render("\"{{now_us}}\"", NULL);
    ck_assert(cJSON_IsNumber(v));
    ck_assert(v->valuedouble >= (double)before && v->valuedouble <= (double)(clock_now_ns() / 1000));
    cJSON_Delete(v);
    before = clock_wall_ns() / 1000;
    v = render("\"{{unix_us}}\"", NULL);
    ck_assert(cJSON_IsNumber(v) && v->valuedouble >= (double)before && v->valuedouble > 1.7e15);
    cJSON_Delete(v);

    uint64_t r0 = rng;
    char *t1, *t2;
    cJSON_Delete(render("\"{{random}}\"", &t1));
    ck_assert(rng != r0);
    cJSON_Delete(render("\"{{random}}\"", &t2));
    ck_assert_str_ne(t1, t2);
    ck_assert(strspn(t1, "0123456789") == strlen(t1));
    free(t1);
    free(t2);

    v = render("\"{{uuid}}\"", NULL);
    ck_assert(cJSON_IsString(v));
    const char *u = v->valuestring;
    ck_assert_uint_eq(strlen(u), 36);
    ck_assert(u[8] == '-' && u[13] == '-' && u[18] == '-' && u[23] == '-');
    ck_assert_int_eq(u[14], '4');
    ck_assert(strchr("89ab", u[19]) != NULL);
    ck_assert_uint_eq(strspn(u, "0123456789abcdef-"), 36);
    cJSON_Delete(v);

    v = render("\"{{payload 1000}}\"", NULL);
    ck_assert(cJSON_IsString(v));
    ck_assert_uint_eq(strlen(v->valuestring), 1000);
    cJSON_Delete(v);
    v = render("\"<{{payload 5}}>\"", NULL);
    ck_assert_uint_eq(strlen(v->valuestring), 7);
    cJSON_Delete(v);
}
END_TEST

START_TEST(literal_braces_and_plain_strings)
{
    render_is("\"{x} } { {client}} }}\"", "\"{x} } { {client}} }}\"");
    render_is("\"a{{client}}}\"", "\"a13}\"");
    render_is("\"\"", "\"\"");
    ck_assert_int_eq(flowtmpl_check(&spec, "no templates", 12, NULL), 0);
    ck_assert_int_eq(flowtmpl_check(&spec, "{{members}} {{ obj }}", 21, NULL), 0);
}
END_TEST

START_TEST(check_refusals)
{
    check_fails("{{client", "unclosed '{{'");
    check_fails("ok {{client}} {{", "unclosed '{{'");
    check_fails("{{nope}}", "unknown template '{{nope}}'");
    check_fails("{{}}", "unknown template '{{}}'");
    check_fails("{{seq 2}}", "unknown template '{{seq 2}}'");
    check_fails("{{payload10}}", "unknown template '{{payload10}}'");
    check_fails("{{client + 1}}", "unknown template '{{client + 1}}'");
    check_fails("{{seq + }}", "{{seq + K}}: K must be an integer in [0, 2147483647]");
    check_fails("{{seq + -1}}", "{{seq + K}}: K must be an integer in [0, 2147483647]");
    check_fails("{{seq + 2147483648}}", "{{seq + K}}: K must be an integer in [0, 2147483647]");
    check_fails("{{payload 1048577}}", "{{payload N}}: N must be an integer in [0, 1048576]");
    check_fails("{{payload}}", "{{payload N}}: N must be an integer in [0, 1048576]");
    check_fails("{{payload -1}}", "{{payload N}}: N must be an integer in [0, 1048576]");
    check_fails("{{payload 99999999999999999999999}}", "{{payload N}}: N must be an integer in [0, 1048576]");
    check_fails("{{client % 0}}", "{{client % K}}: K must be an integer in [1, 2147483647]");
    check_fails("{{client % 2147483648}}", "{{client % K}}: K must be an integer in [1, 2147483647]");
    check_fails("{{client % x}}", "{{client % K}}: K must be an integer in [1, 2147483647]");
    check_fails("{{\x1b[2J}}", "unknown template '{{\\x1b[2J}}'");   /* cleaned in the message */
    buf err = BUF_INIT;
    ck_assert_int_eq(flowtmpl_check(NULL, "{{members}}", 11, &err), -1);   /* no spec: no variables */
    ck_assert_int_eq(flowtmpl_check_int(&spec, "{{members}}", 11, &err), 0);
    ck_assert_int_eq(flowtmpl_check_int(&spec, "{{client % 3}}", 14, &err), 0);
    ck_assert_int_eq(flowtmpl_check_int(&spec, "{{uuid}}", 8, &err), -1);
    ck_assert_int_eq(flowtmpl_check_int(&spec, "{{payload 3}}", 13, &err), -1);
    ck_assert_int_eq(flowtmpl_check_int(&spec, "5", 1, &err), -1);
    ck_assert_int_eq(flowtmpl_check_int(&spec, "x{{seq}}", 8, &err), -1);
    ck_assert(strstr(buf_cstr(&err), "one template"));
    ck_assert(flowtmpl_type_name_ok("number") && flowtmpl_type_name_ok("null") && !flowtmpl_type_name_ok("int"));
    buf_free(&err);
}
END_TEST

START_TEST(variables_typed_and_spliced)
{
    set_var(V_MEMBERS, "10");
    set_var(V_OBJ, "{\"a\": [1, 2.5, \"x\"], \"b\": null}");
    render_is("\"{{members}}\"", "10");
    render_is("\"{{obj}}\"", "{\"a\":[1,2.5,\"x\"],\"b\":null}");
    render_is("{\"n\": \"{{members}}\", \"o\": \"{{obj}}\"}", "{\"n\":10,\"o\":{\"a\":[1,2.5,\"x\"],\"b\":null}}");
    /* inside text: a number as digits, an object as its JSON text (escaped into the string) */
    cJSON *v = render("\"m={{members}} o={{obj}}\"", NULL);
    ck_assert_str_eq(v->valuestring, "m=10 o={\"a\":[1,2.5,\"x\"],\"b\":null}");
    cJSON_Delete(v);
    /* a captured string holding a template is data: never rendered again */
    set_var(V_STR, "\"{{client}}\"");
    render_is("\"{{str}}\"", "\"{{client}}\"");
    render_is("\"<{{str}}>\"", "\"<{{client}}>\"");
    /* overwritten in place */
    set_var(V_MEMBERS, "[1]");
    render_is("\"{{members}}\"", "[1]");
    set_var(V_MEMBERS, "7");
    render_is("\"{{members}}\"", "7");
    render_fails("\"{{bad}}\"", "variable 'bad' not captured yet");
    render_fails("[1, {\"x\": \"a {{bad}}\"}]", "variable 'bad' not captured yet");
}
END_TEST

/* Hostile captured strings spliced into text stay valid JSON and keep their value. */
START_TEST(escaping_keeps_json_valid)
{
    const char *hostile = "q\"uo\\te\n\r\t\b\f \x01\x1f\x7f / caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8";
    cJSON *s = cJSON_CreateString(hostile);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, V_STR, s), 0);
    cJSON_Delete(s);
    cJSON *v = render("\"<{{str}}>\"", NULL);
    char *want = malloc(strlen(hostile) + 3);
    sprintf(want, "<%s>", hostile);
    ck_assert_str_eq(v->valuestring, want);
    cJSON_Delete(v);
    v = render("\"{{str}}\"", NULL);
    ck_assert_str_eq(v->valuestring, hostile);
    cJSON_Delete(v);
    free(want);
    render_is("\"a\\\"b\\\\c\\u0001\"", "\"a\\\"b\\\\c\\u0001\"");   /* JSON.stringify's escapes */
    render_is("{\"k\\\"{{client}}\": 1}", "{\"k\\\"{{client}}\":1}");  /* keys: escaped, never templates */

    /* bytes that are not UTF-8 (a received value may hold anything) become U+FFFD: still JSON */
    s = cJSON_CreateString("bad \xff\xfe \xc3 \xed\xa0\x80 end");
    ck_assert_int_eq(flowtmpl_vars_set(&vars, V_STR, s), 0);
    cJSON_Delete(s);
    render_is("\"{{str}}\"", "\"bad \\ufffd\\ufffd \\ufffd \\ufffd\\ufffd\\ufffd end\"");
    v = render("\"x{{str}}\"", NULL);
    ck_assert_str_eq(v->valuestring, "xbad \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end");
    cJSON_Delete(v);
}
END_TEST

START_TEST(numbers)
{
    render_is("[0, -0, 1, -7, 1.5, 0.1, 123456789012, 1e21, 1e300, -2.5e-7, 9007199254740993]",
              "[0,0,1,-7,1.5,0.1,123456789012,1e+21,1e+300,-2.5e-07,9007199254740992]");
    cJSON *n = cJSON_CreateNumber(INFINITY);
    buf out = BUF_INIT;
    ck_assert_int_eq(flowtmpl_render(&env, n, &out, NULL), 0);
    ck_assert_str_eq(buf_cstr(&out), "null");
    cJSON_Delete(n);
    buf_free(&out);
    /* every double printed reads back the same */
    cJSON *v = render("[3.141592653589793, 2.2250738585072014e-308, 1.7976931348623157e308, 0.30000000000000004]", NULL);
    double want[] = {3.141592653589793, 2.2250738585072014e-308, 1.7976931348623157e308, 0.30000000000000004};
    for (int i = 0; i < 4; i++) ck_assert(cJSON_GetArrayItem(v, i)->valuedouble == want[i]);
    cJSON_Delete(v);
}
END_TEST

START_TEST(size_bounds)
{
    /* three payloads of 1 MiB fit in the 4 MiB bound, four do not */
    cJSON *v = render("[\"{{payload 1048576}}\", \"{{payload 1048576}}\", \"{{payload 1048576}}\"]", NULL);
    ck_assert_int_eq(cJSON_GetArraySize(v), 3);
    cJSON_Delete(v);
    render_fails("[\"{{payload 1048576}}\", \"{{payload 1048576}}\", \"{{payload 1048576}}\", \"{{payload 1048576}}\"]",
                 "the rendered value is over 4194304 bytes");
    /* a variable over 64 KiB is refused, and the old value stays */
    set_var(V_MEMBERS, "3");
    char *big = malloc(70000);
    memset(big, 'a', 69999);
    big[69999] = '\0';
    cJSON *s = cJSON_CreateString(big);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, V_MEMBERS, s), -1);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, -1, s), -1);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, FLOWSPEC_MAX_VARS, s), -1);
    render_is("\"{{members}}\"", "3");
    big[65000] = '\0';
    cJSON_SetValuestring(s, big);
    ck_assert_int_eq(flowtmpl_vars_set(&vars, V_MEMBERS, s), 0);
    /* spliced 65 times into one value: past the render bound, refused */
    buf json = BUF_INIT;
    buf_append_str(&json, "[");
    for (int i = 0; i < 65; i++) buf_printf(&json, "%s\"{{members}}\"", i ? "," : "");
    buf_append_str(&json, "]");
    render_fails(json.data, "over 4194304 bytes");
    cJSON_Delete(s);
    free(big);
    buf_free(&json);
}
END_TEST

START_TEST(render_int)
{
    buf err = BUF_INIT;
    int64_t n = -1;
    cJSON *five = cJSON_CreateNumber(5), *t = cJSON_CreateString("{{members}}"), *c = cJSON_CreateString("{{client % 4}}");
    ck_assert_int_eq(flowtmpl_render_int(&env, five, &n, &err), 0);
    ck_assert_int_eq(n, 5);
    ck_assert_int_eq(flowtmpl_render_int(&env, c, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(flowtmpl_render_int(&env, t, &n, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "variable 'members' not captured yet");
    set_var(V_MEMBERS, "10");
    ck_assert_int_eq(flowtmpl_render_int(&env, t, &n, &err), 0);
    ck_assert_int_eq(n, 10);
    set_var(V_MEMBERS, "\"ten\"");
    ck_assert_int_eq(flowtmpl_render_int(&env, t, &n, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "not an integer: \"ten\"");
    set_var(V_MEMBERS, "2.5");
    ck_assert_int_eq(flowtmpl_render_int(&env, t, &n, &err), -1);
    set_var(V_MEMBERS, "-1");
    ck_assert_int_eq(flowtmpl_render_int(&env, t, &n, &err), -1);
    ck_assert_int_eq(n, 10);
    cJSON_Delete(five);
    cJSON_Delete(t);
    cJSON_Delete(c);
    buf_free(&err);
}
END_TEST

START_TEST(paths)
{
    cJSON *v = cJSON_Parse("{\"a\": {\"b\": [10, {\"c\": \"deep\"}]}, \"d\": 1, \"d\": 2, \"\": 3, \"0\": \"zero\"}");
    ck_assert_ptr_eq(flowtmpl_path(v, ""), v);
    ck_assert_str_eq(flowtmpl_path(v, "a.b.1.c")->valuestring, "deep");
    ck_assert_int_eq(flowtmpl_path(v, "a.b.0")->valueint, 10);
    ck_assert_int_eq(flowtmpl_path(v, "d")->valueint, 2);          /* the last duplicate, as JSON.parse */
    ck_assert_str_eq(flowtmpl_path(v, "0")->valuestring, "zero");  /* digits name a key in an object */
    ck_assert_ptr_null(flowtmpl_path(v, "a.b.2"));
    ck_assert_ptr_null(flowtmpl_path(v, "a.b.x"));
    ck_assert_ptr_null(flowtmpl_path(v, "a.b.-1"));
    ck_assert_ptr_null(flowtmpl_path(v, "a.b.99999999999999999999"));
    ck_assert_ptr_null(flowtmpl_path(v, "a.b.0.c"));               /* into a number */
    ck_assert_ptr_null(flowtmpl_path(v, "a."));
    ck_assert_ptr_null(flowtmpl_path(v, "nope"));
    ck_assert_ptr_null(flowtmpl_path(NULL, "a"));
    cJSON_Delete(v);
}
END_TEST

/* match expect (JSON text) against got (JSON text): the result, and the detail when want_detail is given. */
static void match_is(const char *expect, const char *got, int want, const char *want_detail)
{
    cJSON *e = cJSON_Parse(expect), *g = got ? cJSON_Parse(got) : NULL;
    buf d = BUF_INIT;
    ck_assert_ptr_nonnull(e);
    int r = flowtmpl_match(&env, e, g, &d);
    ck_assert_msg(r == want, "%s vs %s: %d (%s), want %d", expect, got, r, buf_cstr(&d), want);
    if (want_detail) ck_assert_str_eq(buf_cstr(&d), want_detail);
    if (r == 1) ck_assert_str_eq(buf_cstr(&d), "");
    cJSON_Delete(e);
    cJSON_Delete(g);
    buf_free(&d);
}

START_TEST(match_partial)
{
    match_is("{\"room\": \"r3\"}", "{\"room\": \"r3\", \"members\": 4}", 1, NULL);
    match_is("{\"room\": \"r{{client % 10}}\"}", "{\"room\": \"r3\"}", 1, NULL);
    match_is("{\"room\": \"r{{client % 10}}\"}", "{\"room\": \"r4\"}", 0, "room: want \"r3\", got \"r4\"");
    match_is("{\"n\": \"{{client}}\"}", "{\"n\": 13}", 1, NULL);
    match_is("{\"n\": \"{{client}}\"}", "{\"n\": \"13\"}", 0, "n: want 13, got \"13\"");
    match_is("{\"n\": 1}", "{\"n\": 1.0}", 1, NULL);
    match_is("{\"n\": 0.1}", "{\"n\": 0.10000000000000002}", 0, "n: want 0.1, got 0.10000000000000002");
    match_is("{\"a\": {\"b\": [1, 2]}}", "{\"a\": {\"b\": [1, 3]}}", 0, "a.b.1: want 2, got 3");
    match_is("{\"a\": {\"b\": [1, 2]}}", "{\"a\": {\"b\": [1]}}", 0, "a.b: want an array of 2, got [1]");
    match_is("{\"a\": {\"b\": [1, 2]}}", "{\"a\": {\"b\": {\"0\": 1}}}", 0, "a.b: want an array, got {\"0\":1}");
    match_is("{\"a\": {\"b\": 1}}", "{\"a\": 5}", 0, "a: want an object, got 5");
    match_is("{\"a\": 1}", "{}", 0, "a: want 1, got (missing)");
    match_is("{\"a\": 1}", "[1]", 0, "(root): want an object, got [1]");
    match_is("\"x\"", "\"x\"", 1, NULL);
    match_is("[true, false, null]", "[true, false, null]", 1, NULL);
    match_is("[true]", "[false]", 0, "0: want true, got false");
    match_is("[null]", "[0]", 0, "0: want null, got 0");
    match_is("{\"d\": 2}", "{\"d\": 1, \"d\": 2}", 1, NULL);                /* the last duplicate */
}
END_TEST

START_TEST(match_operators)
{
    match_is("{\"id\": {\"$exists\": true}}", "{\"id\": null}", 1, NULL);
    match_is("{\"id\": {\"$exists\": true}}", "{}", 0, "id: want (present), got (missing)");
    match_is("{\"id\": {\"$exists\": false}}", "{}", 1, NULL);
    match_is("{\"id\": {\"$exists\": false}}", "{\"id\": [1]}", 0, "id: want (absent), got [1]");
    match_is("{\"n\": {\"$type\": \"number\"}}", "{\"n\": 4}", 1, NULL);
    match_is("{\"n\": {\"$type\": \"number\"}}", "{\"n\": \"4\"}", 0, "n: want a value of type number, got \"4\"");
    match_is("{\"n\": {\"$type\": \"number\"}}", "{}", 0, "n: want a value of type number, got (missing)");
    static const char *types[][2] = {{"string", "\"s\""}, {"boolean", "false"}, {"object", "{}"},
                                     {"array", "[]"}, {"null", "null"}};
    for (int i = 0; i < 5; i++) {
        char e[64], g[64];
        snprintf(e, sizeof e, "[{\"$type\": \"%s\"}]", types[i][0]);
        snprintf(g, sizeof g, "[%s]", types[i][1]);
        match_is(e, g, 1, NULL);
        snprintf(g, sizeof g, "[%s]", types[(i + 1) % 5][1]);
        match_is(e, g, 0, NULL);
    }
    match_is("{\"$type\": \"object\"}", "{\"x\": 1}", 1, NULL);
    match_is("{\"$type\": \"array\"}", NULL, 0, "(root): want a value of type array, got (missing)");
    match_is("[{\"$exists\": true}, 2]", "[null, 2]", 1, NULL);
    /* an object with more keys than an operator is plain data */
    match_is("{\"o\": {\"$type\": \"number\", \"x\": 1}}", "{\"o\": {\"$type\": \"number\", \"x\": 1}}", 1, NULL);
}
END_TEST

START_TEST(match_variables_and_details)
{
    match_is("{\"m\": \"{{members}}\"}", "{\"m\": 4}", -1, "m: variable 'members' not captured yet");
    set_var(V_MEMBERS, "4");
    match_is("{\"m\": \"{{members}}\"}", "{\"m\": 4}", 1, NULL);
    set_var(V_OBJ, "{\"a\": [1, \"{{client}}\"]}");
    match_is("{\"o\": \"{{obj}}\"}", "{\"o\": {\"a\": [1, \"{{client}}\"], \"more\": 1}}", 1, NULL);   /* raw */
    match_is("{\"o\": \"{{obj}}\"}", "{\"o\": {\"a\": [1, \"13\"]}}", 0, "o.a.1: want \"{{client}}\", got \"13\"");
    /* long values are cut (clean, at most ~60 bytes and "..."), hostile bytes cleaned */
    char got[400];
    snprintf(got, sizeof got, "{\"t\": \"%0300d\"}", 7);
    buf d = BUF_INIT;
    cJSON *e = cJSON_Parse("{\"t\": \"short\"}"), *g = cJSON_Parse(got);
    ck_assert_int_eq(flowtmpl_match(&env, e, g, &d), 0);
    ck_assert_uint_le(d.len, 8 + 13 + 8 + 61);
    ck_assert(strstr(d.data, "t: want \"short\", got \"0000"));
    ck_assert_msg(d.len > 3 && !strcmp(d.data + d.len - 3, "..."), "%s", d.data);
    cJSON_Delete(g);
    g = cJSON_Parse("{\"t\": \"\\u001b[2J\\u00c2\\u009b\"}");
    ck_assert_int_eq(flowtmpl_match(&env, e, g, &d), 0);
    ck_assert_str_eq(d.data, "t: want \"short\", got \"\\u001b[2J\xc3\x82\\u009b\"");
    ck_assert_ptr_null(strchr(d.data, 0x1b));
    cJSON_Delete(g);
    cJSON_Delete(e);
    e = cJSON_Parse("{\"k\\u001b\": 1}");
    g = cJSON_Parse("{}");
    ck_assert_int_eq(flowtmpl_match(&env, e, g, &d), 0);
    ck_assert_str_eq(d.data, "k\\x1b: want 1, got (missing)");
    cJSON_Delete(g);
    cJSON_Delete(e);
    buf_free(&d);
}
END_TEST

START_TEST(captures)
{
    flowspec_capture caps[2] = {{"members", "members", V_MEMBERS}, {"obj", "room.tags.1", V_OBJ}};
    buf d = BUF_INIT;
    cJSON *g = cJSON_Parse("{\"members\": 9, \"room\": {\"tags\": [\"a\", {\"x\": \"y\\\"z\"}]}}");
    ck_assert_int_eq(flowtmpl_capture(&vars, caps, 2, g, &d), 0);
    render_is("[\"{{members}}\", \"{{obj}}\"]", "[9,{\"x\":\"y\\\"z\"}]");
    cJSON_Delete(g);
    /* a missing path: -1 with the detail, and no variable changed */
    g = cJSON_Parse("{\"members\": 5, \"room\": {}}");
    ck_assert_int_eq(flowtmpl_capture(&vars, caps, 2, g, &d), -1);
    ck_assert_str_eq(buf_cstr(&d), "capture 'obj': no 'room.tags.1' in the value");
    render_is("\"{{members}}\"", "9");
    ck_assert_int_eq(flowtmpl_capture(&vars, caps, 1, NULL, &d), -1);
    ck_assert_str_eq(buf_cstr(&d), "capture 'members': no 'members' in the value");
    cJSON_Delete(g);
    /* "" captures the whole value */
    flowspec_capture whole = {"str", "", V_STR};
    g = cJSON_Parse("\"all of it\"");
    ck_assert_int_eq(flowtmpl_capture(&vars, &whole, 1, g, &d), 0);
    render_is("\"{{str}}!\"", "\"all of it!\"");
    cJSON_Delete(g);
    buf_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flowtmpl");
    TCase *tc = tcase_create("flowtmpl");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, builtins_and_their_types);
    tcase_add_test(tc, literal_braces_and_plain_strings);
    tcase_add_test(tc, check_refusals);
    tcase_add_test(tc, variables_typed_and_spliced);
    tcase_add_test(tc, escaping_keeps_json_valid);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, size_bounds);
    tcase_add_test(tc, render_int);
    tcase_add_test(tc, paths);
    tcase_add_test(tc, match_partial);
    tcase_add_test(tc, match_operators);
    tcase_add_test(tc, match_variables_and_details);
    tcase_add_test(tc, captures);
    suite_add_tcase(s, tc);
    return check_run(s);
}
