/* flowspec: the flow of issue 11 parsed into steps (pre-order, repeat bodies), handlers, series and
 * variables; then every refusal with the place it names: kinds, keys, ranges, names, reserved events,
 * ack-only fields, deliveries, captures, variables used before they exist, $exists/$type, and the bounds
 * (257 steps, repeat 5 deep, 65 names, 33 variables, 17 arguments). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "load/flowspec.h"
#include "load/flowtmpl.h"
#include "check_run.h"

static const char *example =
    "{\"encrypt\": true, \"linger_ms\": 1000,"
    " \"steps\": ["
    "  {\"emit\": \"join\", \"args\": [{\"room\": \"r{{client % 10}}\"}], \"ack\": true,"
    "   \"expect\": {\"room\": \"r{{client % 10}}\"}, \"capture\": {\"members\": \"members\"}, \"name\": \"join\"},"
    "  {\"repeat\": ["
    "    {\"emit\": \"say\", \"args\": [{\"room\": \"r{{client % 10}}\", \"text\": \"hi {{client}} {{seq}}\", \"t\": \"{{now_us}}\"}],"
    "     \"ack\": true, \"timeout_ms\": 5000, \"name\": \"say\", \"deliveries\": {\"on\": \"fanout\", \"count\": \"{{members}}\"}},"
    "    {\"think_ms\": 200}]},"
    "  {\"wait\": \"news\", \"expect\": {\"n\": {\"$type\": \"number\"}}, \"timeout_ms\": 5000, \"capture\": {\"last\": \"n\"}, \"name\": \"news\"}"
    " ],"
    " \"on\": [{\"event\": \"said\", \"latency_from\": \"t\", \"expect\": {\"room\": \"r{{client % 10}}\"}, \"name\": \"fanout\"}]}";

/* Parse JSON text; the cJSON input is freed before the caller looks at the spec (flow.root is a copy). */
static int parse(const char *json, flow_spec *f, buf *err)
{
    cJSON *j = cJSON_Parse(json);
    ck_assert_msg(j != NULL, "test JSON: %s", json);
    int rc = flowspec_parse(j, f, err);
    cJSON_Delete(j);
    return rc;
}

static void ok(const char *json)
{
    flow_spec f;
    buf err = BUF_INIT;
    ck_assert_msg(parse(json, &f, &err) == 0, "%s: %s", json, buf_cstr(&err));
    flowspec_free(&f);
    buf_free(&err);
}

/* Refused with exactly want (want ending in '*': a prefix); a refused spec is left zeroed. */
static void refused(const char *json, const char *want)
{
    flow_spec f, zero;
    buf err = BUF_INIT;
    memset(&zero, 0, sizeof zero);
    ck_assert_msg(parse(json, &f, &err) == -1, "accepted: %s", json);
    size_t n = strlen(want);
    int match = want[n - 1] == '*' ? !strncmp(buf_cstr(&err), want, n - 1) : !strcmp(buf_cstr(&err), want);
    ck_assert_msg(match, "%s\n  got:  %s\n  want: %s", json, buf_cstr(&err), want);
    ck_assert(memcmp(&f, &zero, sizeof f) == 0);
    flowspec_free(&f);
    buf_free(&err);
}

START_TEST(example_parses)
{
    flow_spec f;
    buf err = BUF_INIT, out = BUF_INIT;
    ck_assert_msg(parse(example, &f, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(f.encrypt, 1);
    ck_assert_int_eq(f.linger_ns, 1000000000LL);
    ck_assert_int_eq(f.nsteps, 5);
    const flowspec_step *s = f.steps;
    ck_assert_int_eq(s[0].kind, FLOW_EMIT);
    ck_assert_str_eq(s[0].event, "join");
    ck_assert_int_eq(s[0].ack, 1);
    ck_assert_int_eq(s[0].nargs, 1);
    ck_assert_ptr_nonnull(s[0].expect);
    ck_assert_int_eq(s[0].ncapture, 1);
    ck_assert_str_eq(s[0].capture[0].var, "members");
    ck_assert_str_eq(s[0].capture[0].path, "members");
    ck_assert_int_eq(s[0].capture[0].var_index, 0);
    ck_assert_int_eq(s[0].timeout_ns, 0);
    ck_assert_int_eq(s[0].deliveries.on_index, -1);
    ck_assert_int_eq(s[1].kind, FLOW_REPEAT);
    ck_assert_int_eq(s[1].first, 2);
    ck_assert_int_eq(s[1].count, 2);
    ck_assert_int_eq(s[1].series, -1);
    ck_assert_str_eq(s[1].name, "");
    ck_assert_int_eq(s[2].kind, FLOW_EMIT);
    ck_assert_str_eq(s[2].name, "say");
    ck_assert_int_eq(s[2].timeout_ns, 5000000000LL);
    ck_assert_int_eq(s[2].deliveries.on_index, 0);
    ck_assert(cJSON_IsString(s[2].deliveries.count));
    ck_assert_int_eq(s[3].kind, FLOW_THINK);
    ck_assert_int_eq(s[3].think_ns, 200000000LL);
    ck_assert_int_eq(s[4].kind, FLOW_WAIT);
    ck_assert_str_eq(s[4].event, "news");
    ck_assert_int_eq(s[4].capture[0].var_index, 1);
    ck_assert_int_eq(f.non, 1);
    ck_assert_str_eq(f.on[0].event, "said");
    ck_assert_str_eq(f.on[0].name, "fanout");
    ck_assert_str_eq(f.on[0].latency_from, "t");
    ck_assert_ptr_nonnull(f.on[0].expect);
    ck_assert_int_eq(f.nseries, 4);
    static const char *names[] = {"join", "say", "news", "fanout"};
    for (int i = 0; i < 4; i++) {
        ck_assert_str_eq(f.series[i].name, names[i]);
        ck_assert_int_eq(f.series[i].is_on, i == 3);
    }
    ck_assert_int_eq(s[0].series, 0);
    ck_assert_int_eq(s[2].series, 1);
    ck_assert_int_eq(s[4].series, 2);
    ck_assert_int_eq(f.on[0].series, 3);
    ck_assert_int_eq(f.nvars, 2);
    ck_assert_int_eq(flowspec_var_index(&f, "members", 7), 0);
    ck_assert_int_eq(flowspec_var_index(&f, "last", 4), 1);
    ck_assert_int_eq(flowspec_var_index(&f, "membersX", 7), 0);   /* n bytes of name */
    ck_assert_int_eq(flowspec_var_index(&f, "member", 6), -1);
    ck_assert_int_eq(flowspec_var_index(&f, "nope", 4), -1);

    /* the args point into flow.root, alive after the input was freed: render them for client 13 */
    uint64_t rng = 1;
    flowtmpl_vars vs;
    flowtmpl_vars_init(&vs);
    flowtmpl_env env = {&f, 13, 4, &rng, &vs};
    ck_assert_int_eq(flowtmpl_render(&env, s[0].args[0], &out, &err), 0);
    ck_assert_str_eq(buf_cstr(&out), "{\"room\":\"r3\"}");
    buf_clear(&out);
    ck_assert_int_eq(flowtmpl_render(&env, s[2].args[0], &out, &err), 0);
    ck_assert(strstr(buf_cstr(&out), "\"text\":\"hi 13 4\",\"t\":"));
    int64_t n;
    ck_assert_int_eq(flowtmpl_render_int(&env, s[2].deliveries.count, &n, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "variable 'members' not captured yet");
    flowtmpl_vars_free(&vs);
    flowspec_free(&f);
    flowspec_free(&f);    /* safe twice: zeroed */
    buf_free(&err);
    buf_free(&out);
}
END_TEST

START_TEST(defaults_and_shapes)
{
    flow_spec f;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{\"steps\": [{\"emit\": \"x\"}, {\"think_ms\": 1.5}, {\"think_ms\": 0},"
                           " {\"wait\": \"x\"}, {\"emit\": \"y\", \"name\": \"x\"}]}", &f, &err), 0);
    ck_assert_int_eq(f.encrypt, 1);
    ck_assert_int_eq(f.linger_ns, 0);
    ck_assert_int_eq(f.non, 0);
    ck_assert_int_eq(f.steps[0].nargs, 0);
    ck_assert_int_eq(f.steps[0].ack, 0);
    ck_assert_str_eq(f.steps[0].name, "x");
    ck_assert_int_eq(f.steps[1].think_ns, 1500000);
    ck_assert_int_eq(f.steps[2].think_ns, 0);
    /* emit x, wait x and emit y named x: one series */
    ck_assert_int_eq(f.nseries, 1);
    ck_assert_int_eq(f.steps[3].series, 0);
    ck_assert_int_eq(f.steps[4].series, 0);
    ck_assert_str_eq(f.steps[4].event, "y");
    flowspec_free(&f);
    ck_assert_int_eq(parse("{\"encrypt\": false, \"steps\": [{\"emit\": \"e\", \"args\": [1, \"s\", null, [true], {\"a\": {}}]}]}",
                           &f, &err), 0);
    ck_assert_int_eq(f.encrypt, 0);
    ck_assert_int_eq(f.steps[0].nargs, 5);
    ck_assert(cJSON_IsNumber(f.steps[0].args[0]) && cJSON_IsObject(f.steps[0].args[4]));
    flowspec_free(&f);
    /* nested repeats: pre-order, each repeat followed by its body */
    ck_assert_int_eq(parse("{\"steps\": [{\"repeat\": [{\"emit\": \"a\"}, {\"repeat\": [{\"emit\": \"b\"}, {\"think_ms\": 1}]},"
                           " {\"emit\": \"c\"}]}, {\"emit\": \"d\"}]}", &f, &err), 0);
    ck_assert_int_eq(f.nsteps, 7);
    ck_assert_int_eq(f.steps[0].first, 1);
    ck_assert_int_eq(f.steps[0].count, 5);
    ck_assert_int_eq(f.steps[2].kind, FLOW_REPEAT);
    ck_assert_int_eq(f.steps[2].first, 3);
    ck_assert_int_eq(f.steps[2].count, 2);
    ck_assert_str_eq(f.steps[5].event, "c");
    ck_assert_str_eq(f.steps[6].event, "d");
    flowspec_free(&f);
    /* a wait and a handler on the same event: both kept */
    ok("{\"steps\": [{\"emit\": \"a\"}, {\"wait\": \"news\", \"name\": \"w\"}], \"on\": [{\"event\": \"news\"}]}");
    ok("{\"steps\": [{\"emit\": \"a\", \"args\": [\"\\u00e9 \\ud83d\\ude00 \\n\"]}]}");
    buf_free(&err);
}
END_TEST

START_TEST(flow_and_step_refusals)
{
    refused("[]", "flow: must be an object {\"steps\": [...], ...}");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"x\": 1}", "flow.x: unknown key (a flow takes encrypt, linger_ms, steps, on)");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"encrypt\": 1}", "flow.encrypt: must be true or false");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"linger_ms\": -1}", "flow.linger_ms: must be an integer in [0, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"linger_ms\": 0.5}", "flow.linger_ms: must be an integer in [0, 3600000]");
    refused("{}", "flow.steps: must be a non-empty array of steps");
    refused("{\"steps\": []}", "flow.steps: must be a non-empty array of steps");
    refused("{\"steps\": {}}", "flow.steps: must be a non-empty array of steps");
    refused("{\"steps\": [{\"think_ms\": 1}, {\"wait\": \"x\"}]}", "flow.steps: the flow has no emit step");
    refused("{\"steps\": [1]}", "flow.steps[0]: a step must be an object");
    refused("{\"steps\": [{}]}", "flow.steps[0]: a step is exactly one of emit, wait, think_ms, repeat");
    refused("{\"steps\": [{\"emit\": \"a\", \"wait\": \"b\"}]}", "flow.steps[0]: a step is exactly one of emit, wait, think_ms, repeat");
    refused("{\"steps\": [{\"emit\": \"a\", \"emit\": \"b\"}]}", "flow.steps[0].emit: duplicate key");
    refused("{\"steps\": [{\"emit\": \"a\", \"acks\": true}]}",
            "flow.steps[0].acks: unknown key (an emit step takes emit, args, ack, timeout_ms, expect, capture, name, deliveries)");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"wait\": \"b\", \"args\": []}]}",
            "flow.steps[1].args: unknown key (a wait step takes wait, expect, capture, timeout_ms, name)");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"think_ms\": 1, \"name\": \"t\"}]}",
            "flow.steps[1].name: unknown key (a think step takes think_ms only)");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"repeat\": [{\"think_ms\": 1}], \"times\": 2}]}",
            "flow.steps[1].times: unknown key (a repeat step takes repeat only)");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"think_ms\": -1}]}", "flow.steps[1].think_ms: must be a number in [0, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"think_ms\": 3600001}]}", "flow.steps[1].think_ms: must be a number in [0, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"think_ms\": \"1\"}]}", "flow.steps[1].think_ms: must be a number in [0, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"repeat\": []}]}", "flow.steps[1].repeat: must be a non-empty array of steps");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"repeat\": [{\"emit\": \"a\", \"ack\": true, \"timeout_ms\": 0}]}]}",
            "flow.steps[1].repeat[0].timeout_ms: must be an integer in [1, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true}, {\"repeat\": [{\"emit\": \"a\", \"ack\": true, \"timeout_ms\": 3600001}]}]}",
            "flow.steps[1].repeat[0].timeout_ms: must be an integer in [1, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"timeout_ms\": 1.5}]}",
            "flow.steps[0].timeout_ms: must be an integer in [1, 3600000]");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": 1}]}", "flow.steps[0].ack: must be true or false");
    refused("{\"steps\": [{\"emit\": \"a\", \"timeout_ms\": 10}]}",
            "flow.steps[0].timeout_ms: needs \"ack\": true (an emit without ack waits for nothing)");
    refused("{\"steps\": [{\"emit\": \"a\", \"expect\": {}}]}",
            "flow.steps[0].expect: needs \"ack\": true (an emit without ack gets no value)");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": false, \"capture\": {\"x\": \"y\"}}]}",
            "flow.steps[0].capture: needs \"ack\": true (an emit without ack gets no value)");
    ok("{\"steps\": [{\"emit\": \"a\"}, {\"wait\": \"b\", \"expect\": 1, \"capture\": {\"x\": \"\"}, \"timeout_ms\": 1}]}");
}
END_TEST

START_TEST(name_refusals)
{
    refused("{\"steps\": [{\"emit\": \"\"}]}",
            "flow.steps[0].emit: must be a non-empty string of at most 63 bytes (UTF-8, no control characters)");
    refused("{\"steps\": [{\"emit\": 5}]}",
            "flow.steps[0].emit: must be a non-empty string of at most 63 bytes (UTF-8, no control characters)");
    refused("{\"steps\": [{\"emit\": \"0123456789012345678901234567890123456789012345678901234567890123\"}]}",
            "flow.steps[0].emit: must be a non-empty string of at most 63 bytes*");
    ok("{\"steps\": [{\"emit\": \"012345678901234567890123456789012345678901234567890123456789012\"}]}");
    refused("{\"steps\": [{\"emit\": \"a\\u001bb\"}]}", "flow.steps[0].emit: must be a non-empty string*");
    refused("{\"steps\": [{\"emit\": \"a\\nb\"}]}", "flow.steps[0].emit: must be a non-empty string*");
    refused("{\"steps\": [{\"emit\": \"caf\xc3\"}]}", "flow.steps[0].emit: must be a non-empty string*");
    ok("{\"steps\": [{\"emit\": \"caf\xc3\xa9 \xf0\x9f\x98\x80\"}]}");
    static const char *reserved[] = {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
    for (int i = 0; i < 6; i++) {
        char j[160], w[160];
        snprintf(j, sizeof j, "{\"steps\": [{\"emit\": \"a\"}, {\"wait\": \"%s\"}]}", reserved[i]);
        snprintf(w, sizeof w, "flow.steps[1].wait: \"%s\" is reserved by socket.io", reserved[i]);
        refused(j, w);
        snprintf(j, sizeof j, "{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"%s\"}]}", reserved[i]);
        snprintf(w, sizeof w, "flow.on[0].event: \"%s\" is reserved by socket.io", reserved[i]);
        refused(j, w);
    }
    refused("{\"steps\": [{\"emit\": \"a\", \"name\": \"p{99}\"}]}",
            "flow.steps[0].name: must be a non-empty string of at most 63 bytes (UTF-8, no control characters, no braces)");
    refused("{\"steps\": [{\"emit\": \"a\", \"name\": \"\"}]}", "flow.steps[0].name: must be a non-empty string*");
    /* a step's name (given or the event's) may not be a handler's */
    refused("{\"steps\": [{\"emit\": \"a\", \"name\": \"fanout\"}], \"on\": [{\"event\": \"said\", \"name\": \"fanout\"}]}",
            "flow.steps[0].name: \"fanout\" is the name of a handler (flow.on[0]); give the step a name");
    refused("{\"steps\": [{\"emit\": \"a\"}, {\"wait\": \"said\"}], \"on\": [{\"event\": \"said\"}]}",
            "flow.steps[1].name: \"said\" is the name of a handler (flow.on[0]); give the step a name");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\"}, {\"event\": \"x\", \"name\": \"y\"}]}",
            "flow.on[1].event: \"x\" already has a handler (flow.on[0])");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\"}, {\"event\": \"y\", \"name\": \"x\"}]}",
            "flow.on[1].name: \"x\" is already the name of flow.on[0]");
}
END_TEST

START_TEST(on_refusals)
{
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": {}}", "flow.on: must be an array of handlers");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [1]}", "flow.on[0]: must be an object {\"event\": ..., \"name\": ..., ...}");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"name\": \"x\"}]}", "flow.on[0].event: must be a non-empty string*");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"ack\": true}]}",
            "flow.on[0].ack: unknown key (a handler takes event, name, latency_from, expect, capture)");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"latency_from\": \"\"}]}",
            "flow.on[0].latency_from: must be a dotted path (\"a.b.0\": keys, and numbers for array items) of at most 255 bytes");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"latency_from\": \"a..b\"}]}",
            "flow.on[0].latency_from: must be a dotted path*");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"latency_from\": \".a\"}]}",
            "flow.on[0].latency_from: must be a dotted path*");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"latency_from\": 3}]}",
            "flow.on[0].latency_from: must be a dotted path*");
    refused("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"expect\": {\"r\": \"{{nope}}\"}}]}",
            "flow.on[0].expect.r: unknown template '{{nope}}'");
    ok("{\"steps\": [{\"emit\": \"a\"}], \"on\": [{\"event\": \"x\", \"latency_from\": \"a.b.0\", \"expect\": {\"n\": 1}}]}");
}
END_TEST

START_TEST(template_refusals)
{
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": {}}]}",
            "flow.steps[0].args: must be an array of at most 16 arguments (any JSON values)");
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [{\"r\": [1, \"{{clint}}\"]}]}]}",
            "flow.steps[0].args[0].r[1]: unknown template '{{clint}}'");
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [\"{{payload 1048577}}\"]}]}",
            "flow.steps[0].args[0]: {{payload N}}: N must be an integer in [0, 1048576]");
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [\"{{client\"]}]}", "flow.steps[0].args[0]: unclosed '{{'");
    /* payloads that could never be sent: more than 4 MiB in one argument (three fit, in two arguments too) */
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [1, [\"{{payload 1048576}}{{payload 1048576}}\", {\"k\": \"{{payload 1048576}}\"},"
            " \"{{payload 1048576}}x{{payload 1}}\"]]}]}",
            "flow.steps[0].args[1]: its {{payload N}} templates add up to 4194305 bytes, over the 4194304 bytes a "
            "rendered argument may have");
    ok("{\"steps\": [{\"emit\": \"a\", \"args\": [[\"{{payload 1048576}}\", \"{{payload 1048576}}\", \"{{payload 1048576}}\"],"
       " [\"{{payload 1048576}}\", \"{{payload 1048576}}\", \"{{payload 1048576}}\"]]}]}");
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [\"\xff\"]}]}", "flow.steps[0].args[0]: a string must be valid UTF-8");
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [{\"\xff\": 1}]}]}", "flow.steps[0].args[0].\\xff: a key must be valid UTF-8");
    /* keys are not templates: accepted as written */
    ok("{\"steps\": [{\"emit\": \"a\", \"args\": [{\"{{nope}}\": 1}]}]}");
    /* a variable before its capture (pre-order), in args, expect and deliveries.count */
    refused("{\"steps\": [{\"emit\": \"a\", \"args\": [\"{{m}}\"]}, {\"emit\": \"b\", \"ack\": true, \"capture\": {\"m\": \"x\"}}]}",
            "flow.steps[0].args[0]: unknown template '{{m}}'");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"expect\": \"{{m}}\", \"capture\": {\"m\": \"x\"}}]}",
            "flow.steps[0].expect: unknown template '{{m}}'");
    refused("{\"steps\": [{\"repeat\": [{\"emit\": \"a\", \"args\": [\"{{m}}\"]}, {\"wait\": \"b\", \"capture\": {\"m\": \"\"}}]}]}",
            "flow.steps[0].repeat[0].args[0]: unknown template '{{m}}'");
    ok("{\"steps\": [{\"repeat\": [{\"wait\": \"b\", \"capture\": {\"m\": \"\"}}, {\"emit\": \"a\", \"args\": [\"{{m}}\"]}]}]}");
    ok("{\"steps\": [{\"emit\": \"b\", \"ack\": true, \"capture\": {\"m\": \"x\"}}, {\"emit\": \"a\", \"args\": [\"{{ m }} {{m}}\"]}]}");
    /* a handler's capture is available to every step (it may fire any time) */
    ok("{\"steps\": [{\"emit\": \"a\", \"args\": [\"{{last}}\"]}], \"on\": [{\"event\": \"n\", \"capture\": {\"last\": \"v\"}}]}");
    /* a handler's expect may use the steps' variables */
    ok("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"room\": \"r\"}}],"
       " \"on\": [{\"event\": \"n\", \"expect\": {\"r\": \"{{room}}\"}}]}");
    /* $exists, $type */
    ok("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"expect\": [{\"$exists\": false}, {\"a\": {\"$type\": \"null\"}}]}]}");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"expect\": {\"a\": {\"$type\": \"int\"}}}]}",
            "flow.steps[0].expect.a.$type: must be one of \"number\", \"string\", \"boolean\", \"object\", \"array\", \"null\"");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"expect\": {\"a\": {\"$exists\": 1}}}]}",
            "flow.steps[0].expect.a.$exists: must be true or false");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"expect\": {\"a\": {\"$exists\": true, \"b\": 1}}}]}",
            "flow.steps[0].expect.a.$exists: an operator object holds only its operator");
    /* in args, "$type" is data */
    ok("{\"steps\": [{\"emit\": \"a\", \"args\": [{\"$type\": 5, \"x\": 1}]}]}");
}
END_TEST

START_TEST(capture_and_deliveries_refusals)
{
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {}}]}",
            "flow.steps[0].capture: must be an object {\"variable\": \"path.in.value\"}");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"1x\": \"a\"}}]}",
            "flow.steps[0].capture.1x: a variable name is [A-Za-z_][A-Za-z0-9_]*, at most 63 bytes");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"a-b\": \"a\"}}]}",
            "flow.steps[0].capture.a-b: a variable name*");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"client\": \"a\"}}]}",
            "flow.steps[0].capture.client: 'client' is a built-in template, not a variable");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"payload\": \"a\"}}]}",
            "flow.steps[0].capture.payload: 'payload' is a built-in template, not a variable");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"x\": \"a.\"}}]}",
            "flow.steps[0].capture.x: must be a dotted path (\"a.b.0\": keys, and numbers for array items) of at most "
            "255 bytes, or \"\" for the whole value");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"x\": \"a\", \"x\": \"b\"}}]}",
            "flow.steps[0].capture.x: duplicate key");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"nope\", \"count\": 1}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.on: must be the name of a handler in flow.on");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": -1}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: must be an integer in [0, 2147483647] or a template (\"{{members}}\")");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": 1.5}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: must be an integer in [0, 2147483647]*");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\"}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: must be an integer or a template (\"{{members}}\")");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": \"10\"}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: must be an integer or one template that gives one (\"{{members}}\")");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": \"{{uuid}}\"}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: must be an integer or one template*");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": \"{{m}}\"}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.count: unknown template '{{m}}'");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"x\", \"count\": 1, \"n\": 2}}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries.n: unknown key (deliveries take on, count)");
    refused("{\"steps\": [{\"emit\": \"a\", \"deliveries\": 3}], \"on\": [{\"event\": \"x\"}]}",
            "flow.steps[0].deliveries: must be an object {\"on\": \"handler name\", \"count\": ...}");
    ok("{\"steps\": [{\"emit\": \"a\", \"deliveries\": {\"on\": \"f\", \"count\": 9}}], \"on\": [{\"event\": \"x\", \"name\": \"f\"}]}");
    /* the count may use the step's own capture (rendered after it), args and expect may not */
    ok("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"capture\": {\"n\": \"members\"}, \"deliveries\": {\"on\": \"f\", \"count\": \"{{n}}\"}}],"
       " \"on\": [{\"event\": \"x\", \"name\": \"f\"}]}");
    refused("{\"steps\": [{\"emit\": \"a\", \"ack\": true, \"args\": [\"{{n}}\"], \"capture\": {\"n\": \"members\"}}]}",
            "flow.steps[0].args[0]: unknown template '{{n}}'");
}
END_TEST

/* n copies of item (a printf format taking the index) joined by commas. */
static void repeat_into(buf *b, int n, const char *item)
{
    for (int i = 0; i < n; i++) {
        if (i) buf_append_char(b, ',');
        buf_printf(b, item, i);
    }
}

START_TEST(bounds)
{
    buf j = BUF_INIT;
    /* 256 steps in all (a repeat counts) are fine; 257 are not */
    buf_append_str(&j, "{\"steps\": [{\"repeat\": [");
    repeat_into(&j, 255, "{\"emit\": \"e\", \"args\": [%d]}");
    buf_append_str(&j, "]}]}");
    ok(j.data);
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [{\"repeat\": [");
    repeat_into(&j, 256, "{\"emit\": \"e\", \"args\": [%d]}");
    buf_append_str(&j, "]}]}");
    refused(j.data, "flow.steps[0].repeat[255]: more than 256 steps in the flow (nested ones included)");
    /* repeat 4 deep is fine, 5 is not */
    ok("{\"steps\": [{\"repeat\": [{\"repeat\": [{\"repeat\": [{\"repeat\": [{\"emit\": \"a\"}]}]}]}]}]}");
    refused("{\"steps\": [{\"repeat\": [{\"repeat\": [{\"repeat\": [{\"repeat\": [{\"repeat\": [{\"emit\": \"a\"}]}]}]}]}]}]}",
            "flow.steps[0].repeat[0].repeat[0].repeat[0].repeat[0].repeat: repeat nested more than 4 deep");
    /* 64 names fine, 65 not (steps' and handlers' together) */
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [");
    repeat_into(&j, 63, "{\"emit\": \"e%d\"}");
    buf_append_str(&j, "], \"on\": [{\"event\": \"h\"}]}");
    ok(j.data);
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [");
    repeat_into(&j, 64, "{\"emit\": \"e%d\"}");
    buf_append_str(&j, "], \"on\": [{\"event\": \"h\"}]}");
    refused(j.data, "flow.on[0].name: more than 64 distinct step and handler names");
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [");
    repeat_into(&j, 65, "{\"emit\": \"e%d\"}");
    buf_append_str(&j, "]}");
    refused(j.data, "flow.steps[64].name: more than 64 distinct step and handler names");
    /* 16 arguments fine, 17 not */
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [{\"emit\": \"e\", \"args\": [");
    repeat_into(&j, 16, "%d");
    buf_append_str(&j, "]}]}");
    ok(j.data);
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [{\"emit\": \"e\", \"args\": [");
    repeat_into(&j, 17, "%d");
    buf_append_str(&j, "]}]}");
    refused(j.data, "flow.steps[0].args: must be an array of at most 16 arguments (any JSON values)");
    /* 16 captures in a step, 32 variables in a flow */
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [{\"emit\": \"e\", \"ack\": true, \"capture\": {");
    repeat_into(&j, 17, "\"v%d\": \"x\"");
    buf_append_str(&j, "}}]}");
    refused(j.data, "flow.steps[0].capture: more than 16 captures in one step");
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [");
    repeat_into(&j, 33, "{\"emit\": \"e\", \"ack\": true, \"capture\": {\"v%d\": \"x\"}}");
    buf_append_str(&j, "]}");
    refused(j.data, "flow.steps[32].capture.v32: more than 32 capture variables in the flow");
    /* the same variable captured again is the same variable */
    buf_clear(&j);
    buf_append_str(&j, "{\"steps\": [");
    repeat_into(&j, 40, "{\"emit\": \"e\", \"ack\": true, \"capture\": {\"v\": \"x%d\"}}");
    buf_append_str(&j, "]}");
    flow_spec f;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse(j.data, &f, &err), 0);
    ck_assert_int_eq(f.nvars, 1);
    ck_assert_int_eq(f.steps[39].capture[0].var_index, 0);
    ck_assert_str_eq(f.steps[39].capture[0].path, "x39");
    flowspec_free(&f);
    buf_free(&err);
    buf_free(&j);
}
END_TEST

START_TEST(free_is_safe)
{
    flow_spec f;
    memset(&f, 0, sizeof f);
    flowspec_free(&f);
    ck_assert_int_eq(flowspec_var_index(&f, "x", 1), -1);
    /* NULL err is allowed */
    cJSON *j = cJSON_Parse("{\"steps\": []}");
    ck_assert_int_eq(flowspec_parse(j, &f, NULL), -1);
    cJSON_Delete(j);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("flowspec");
    TCase *tc = tcase_create("flowspec");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, example_parses);
    tcase_add_test(tc, defaults_and_shapes);
    tcase_add_test(tc, flow_and_step_refusals);
    tcase_add_test(tc, name_refusals);
    tcase_add_test(tc, on_refusals);
    tcase_add_test(tc, template_refusals);
    tcase_add_test(tc, capture_and_deliveries_refusals);
    tcase_add_test(tc, bounds);
    tcase_add_test(tc, free_is_safe);
    suite_add_tcase(s, tc);
    return check_run(s);
}
