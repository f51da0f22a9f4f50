/* check_scenario: scenario files, their defaults, every field's error message, overrides, round trip. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/scenario.h"
#include "check_run.h"

static int parse(const char *json, scenario *sc, buf *err)
{
    return scenario_parse(json, strlen(json), sc, err);
}

/* target.proxy: curl's --proxy forms, kept as http://host:port (1080 when no port); the rest refused */
START_TEST(proxy_field)
{
    static const struct { const char *in, *kept; } ok[] = {
        {"127.0.0.1:3128", "http://127.0.0.1:3128"}, {"http://proxy.example:8080/", "http://proxy.example:8080"},
        {"HTTP://[::1]:3128", "http://[::1]:3128"}, {"proxy.example", "http://proxy.example:1080"},
        {"[::1]", "http://[::1]:1080"}};
    static const char *bad[] = {"socks5://h:1080", "https://h:443", "http://u:p@h:1", "http://h:1/x", "", "h:1?x",
                                "h:99999", "[::1", "http://:8080", "a b:1"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        scenario sc;
        buf err = BUF_INIT, json = BUF_INIT;
        buf_printf(&json, "{\"target\": {\"proxy\": \"%s\"}}", ok[i].in);
        ck_assert_msg(parse(buf_cstr(&json), &sc, &err) == 0, "%s: %s", ok[i].in, buf_cstr(&err));
        ck_assert_str_eq(sc.proxy, ok[i].kept);
        scenario_free(&sc);
        buf_free(&err);
        buf_free(&json);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        scenario sc;
        buf err = BUF_INIT, json = BUF_INIT;
        buf_printf(&json, "{\"target\": {\"proxy\": \"%s\"}}", bad[i]);
        ck_assert_msg(parse(buf_cstr(&json), &sc, &err) < 0, "%s: accepted", bad[i]);
        ck_assert_msg(strstr(buf_cstr(&err), "target.proxy: must be an HTTP proxy"), "%s: %s", bad[i], buf_cstr(&err));
        buf_free(&err);
        buf_free(&json);
    }
}
END_TEST

START_TEST(defaults_from_empty_object)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{}", &sc, &err), 0);
    ck_assert_str_eq(sc.name, "scenario");
    ck_assert_str_eq(sc.url, "local");
    ck_assert_str_eq(sc.path, "/socket.io/");
    ck_assert_str_eq(sc.passphrase, "super-secret-passphrase");
    ck_assert_int_eq(sc.eio, 4);
    ck_assert_int_eq(sc.transport, SCENARIO_WEBSOCKET);
    ck_assert_str_eq(sc.ns, "/");
    ck_assert_str_eq(sc.event, "counter");
    ck_assert_ptr_null(sc.auth_json);
    ck_assert_int_eq(sc.cookies, 1);
    ck_assert_int_eq(sc.impl, SCENARIO_IMPL_V4);
    ck_assert_int_eq(sc.delay_ms, 0);
    ck_assert_int_eq(sc.allow_eio3, 0);
    ck_assert_int_eq(sc.hardened, 0);
    ck_assert_int_eq(sc.log, 0);
    ck_assert_int_eq(sc.clients, 1);
    ck_assert_int_eq(sc.messages, 10);
    ck_assert(sc.duration_s == 0);
    ck_assert_int_eq(sc.connect_ms, 5000);
    ck_assert_int_eq(sc.message_ms, 5000);
    ck_assert_int_eq(sc.drain_ms, 2000);
    ck_assert_uint_eq(sc.nthresholds, 0);
    ck_assert(scenario_is_local(&sc));
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

static const char *full =
    "{ \"name\": \"full\",\n"
    "  \"target\": { \"url\": \"http://10.0.0.5:3000\", \"path\": \"/io/\", \"passphrase\": \"pw\", \"eio\": 3,\n"
    "              \"transport\": \"upgrade\", \"namespace\": \"/admin\", \"event\": \"tick\",\n"
    "              \"auth\": { \"token\": \"abc\", \"n\": [1, 2] }, \"cookies\": false },\n"
    "  \"server\": { \"impl\": \"v2\", \"delay_ms\": 7, \"allow_eio3\": true, \"hardened\": true, \"log\": true },\n"
    "  \"clients\": 50, \"messages\": 2000, \"duration_s\": 12.5, \"start_id\": -3,\n"
    "  \"threads\": 2, \"ramp_s\": 1.5, \"think_ms\": 3, \"rate\": 0, \"total_rate\": 400,\n"
    "  \"timeouts\": { \"connect_ms\": 100, \"message_ms\": 200, \"drain_ms\": 0 },\n"
    "  \"thresholds\": [\"p99_ms<50\", \" error_rate <= 0.01 \", \"round_trips_per_s>=100\", \"errors<1\", \"p50_ms>-2.5\"] }\n";

static void check_full(const scenario *sc, int with_passphrase)
{
    ck_assert_str_eq(sc->name, "full");
    ck_assert_str_eq(sc->url, "http://10.0.0.5:3000");
    ck_assert_str_eq(sc->path, "/io/");
    ck_assert_str_eq(sc->passphrase, with_passphrase ? "pw" : "super-secret-passphrase");
    ck_assert_int_eq(sc->eio, 3);
    ck_assert_int_eq(sc->transport, SCENARIO_UPGRADE);
    ck_assert_str_eq(sc->ns, "/admin");
    ck_assert_str_eq(sc->event, "tick");
    ck_assert_str_eq(sc->auth_json, "{\"token\":\"abc\",\"n\":[1,2]}");
    ck_assert_int_eq(sc->cookies, 0);
    ck_assert_int_eq(sc->impl, SCENARIO_IMPL_V2);
    ck_assert_int_eq(sc->delay_ms, 7);
    ck_assert_int_eq(sc->allow_eio3, 1);
    ck_assert_int_eq(sc->hardened, 1);
    ck_assert_int_eq(sc->log, 1);
    ck_assert_int_eq(sc->clients, 50);
    ck_assert_int_eq(sc->messages, 2000);
    ck_assert(sc->duration_s == 12.5);
    ck_assert_int_eq(sc->start_id, -3);
    ck_assert_int_eq(sc->threads, 2);
    ck_assert(sc->ramp_s == 1.5 && sc->think_ms == 3 && sc->rate == 0 && sc->total_rate == 400);
    ck_assert_int_eq(sc->connect_ms, 100);
    ck_assert_int_eq(sc->message_ms, 200);
    ck_assert_int_eq(sc->drain_ms, 0);
    ck_assert_uint_eq(sc->nthresholds, 5);
    /* parsed by threshold_parse, the command line's parser: the same struct a result evaluates */
    ck_assert_str_eq(sc->thresholds[0].metric, "p99_ms");
    ck_assert_int_eq(sc->thresholds[0].op, THRESHOLD_LT);
    ck_assert(sc->thresholds[0].limit == 50);
    ck_assert_str_eq(sc->thresholds[0].expr, "p99_ms<50");
    ck_assert_str_eq(sc->thresholds[1].metric, "error_rate");
    ck_assert_int_eq(sc->thresholds[1].op, THRESHOLD_LE);
    ck_assert(sc->thresholds[1].limit == 0.01);
    ck_assert_str_eq(sc->thresholds[1].expr, "error_rate<=0.01");
    ck_assert_int_eq(sc->thresholds[2].op, THRESHOLD_GE);
    ck_assert_int_eq(sc->thresholds[3].op, THRESHOLD_LT);
    ck_assert_int_eq(sc->thresholds[4].op, THRESHOLD_GT);
    ck_assert(sc->thresholds[4].limit == -2.5);
}

/* target.tls: read whole, written back in the effective scenario; cert and key go together */
START_TEST(tls_fields)
{
    scenario sc;
    buf err = BUF_INIT, out = BUF_INIT;
    const char *j = "{\"target\": {\"url\": \"https://h/\", \"tls\": {\"cacert\": \"ca.pem\", \"insecure\": true, "
                    "\"servername\": \"api.example\", \"cert\": \"c.pem\", \"key\": \"k.pem\"}}}";
    ck_assert_msg(parse(j, &sc, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_str_eq(sc.tls_cacert, "ca.pem");
    ck_assert_str_eq(sc.tls_servername, "api.example");
    ck_assert_int_eq(sc.tls_insecure, 1);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_int_eq(scenario_to_json(&sc, 0, &out), 0);
    ck_assert(strstr(buf_cstr(&out), "\"servername\":\t\"api.example\""));
    free(sc.tls_key);
    sc.tls_key = NULL;
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "target.tls: cert and key go together (--cert FILE --key FILE)");
    buf_clear(&err);
    ck_assert_int_eq(scenario_override(&sc, "key", "k2.pem", &err), 0);
    ck_assert_str_eq(sc.tls_key, "k2.pem");
    free(sc.tls_servername);
    sc.tls_servername = strdup("a b");
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "target.tls.servername: must be a host name (letters, digits, '.', '-')");
    scenario_free(&sc);
    buf_free(&err);
    buf_free(&out);
}
END_TEST

START_TEST(every_field)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_msg(parse(full, &sc, &err) == 0, "%s", buf_cstr(&err));
    check_full(&sc, 1);
    ck_assert(!scenario_is_local(&sc));
    /* eio 3 with auth: refused as a whole even for a remote target */
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "target.auth: needs eio 4 (an Engine.IO 3 client speaks Socket.IO "
                     "protocol 4, which has no CONNECT payload)");
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(round_trip_through_json)
{
    scenario a, b;
    buf err = BUF_INIT, text = BUF_INIT, text2 = BUF_INIT;
    ck_assert_int_eq(parse(full, &a, &err), 0);
    ck_assert_int_eq(scenario_to_json(&a, 1, &text), 0);
    ck_assert_msg(scenario_parse(text.data, text.len, &b, &err) == 0, "%s\n%s", buf_cstr(&err), text.data);
    check_full(&b, 1);
    scenario_free(&b);
    ck_assert_int_eq(scenario_to_json(&a, 0, &text2), 0);
    ck_assert_ptr_null(strstr(text2.data, "passphrase"));
    ck_assert_int_eq(scenario_parse(text2.data, text2.len, &b, &err), 0);
    check_full(&b, 0);
    scenario_free(&a);
    scenario_free(&b);
    buf_free(&err);
    buf_free(&text);
    buf_free(&text2);
}
END_TEST

START_TEST(shipped_scenarios)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_msg(scenario_load("scenarios/smoke.json", &sc, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_str_eq(sc.name, "smoke");
    ck_assert(scenario_is_local(&sc));
    ck_assert_int_eq(sc.clients, 4);
    ck_assert_int_eq(sc.messages, 30);
    ck_assert_int_eq(sc.delay_ms, 0);
    ck_assert_int_eq(sc.eio, 4);
    ck_assert_int_eq(sc.transport, SCENARIO_WEBSOCKET);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    ck_assert_msg(scenario_load("scenarios/seed-demo.json", &sc, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(sc.clients, 1);
    ck_assert_int_eq(sc.messages, 10);
    ck_assert_int_eq(sc.delay_ms, 1000);
    ck_assert_int_eq(sc.transport, SCENARIO_UPGRADE);
    ck_assert_str_eq(sc.passphrase, "super-secret-passphrase");
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

static char *write_temp(const char *text, size_t n, const char *suffix)
{
    static char path[64];
    int fd;
    snprintf(path, sizeof path, "/tmp/check_scenario_XXXXXX%s", suffix);
    fd = mkstemps(path, (int)strlen(suffix));
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

START_TEST(load_names_and_errors)
{
    scenario sc;
    buf err = BUF_INIT;
    char *p = write_temp("{\"clients\": 2}", 14, ".json");
    const char *base = strrchr(p, '/') + 1;
    ck_assert_int_eq(scenario_load(p, &sc, &err), 0);
    ck_assert_int_eq(strncmp(sc.name, base, strlen(base) - 5), 0);  /* base name without .json */
    ck_assert_uint_eq(strlen(sc.name), strlen(base) - 5);
    scenario_free(&sc);
    unlink(p);

    p = write_temp("{\"clients\": 0}", 14, ".json");
    ck_assert_int_eq(scenario_load(p, &sc, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.data, p));
    ck_assert_ptr_nonnull(strstr(err.data, ": clients: must be an integer in [1, 1000000]"));
    scenario_free(&sc);  /* safe after a failure */
    unlink(p);

    ck_assert_int_eq(scenario_load("/nonexistent/x.json", &sc, &err), -1);
    ck_assert_str_eq(err.data, "/nonexistent/x.json: cannot open: No such file or directory");

    {   /* a file too large to be a scenario */
        size_t n = (1u << 20) + 10;
        char *big = malloc(n);
        memset(big, ' ', n);
        big[0] = '{';
        big[n - 1] = '}';
        p = write_temp(big, n, "");
        free(big);
        ck_assert_int_eq(scenario_load(p, &sc, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.data, "larger than"));
        unlink(p);
    }
    buf_free(&err);
}
END_TEST

START_TEST(dependent_defaults)
{
    scenario sc;
    buf err = BUF_INIT;
    /* a lone duration lifts the default message cap */
    ck_assert_int_eq(parse("{\"duration_s\": 3}", &sc, &err), 0);
    ck_assert_int_eq(sc.messages, 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    /* both: whichever comes first */
    ck_assert_int_eq(parse("{\"duration_s\": 3, \"messages\": 5}", &sc, &err), 0);
    ck_assert_int_eq(sc.messages, 5);
    scenario_free(&sc);
    /* eio 3 on socket.io 4: allowEIO3 switched on */
    ck_assert_int_eq(parse("{\"target\": {\"eio\": 3}}", &sc, &err), 0);
    ck_assert_int_eq(sc.allow_eio3, 1);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    /* eio 3 on socket.io 2: nothing to allow */
    ck_assert_int_eq(parse("{\"target\": {\"eio\": 3}, \"server\": {\"impl\": \"v2\"}}", &sc, &err), 0);
    ck_assert_int_eq(sc.allow_eio3, 0);
    ck_assert_int_eq(sc.impl, SCENARIO_IMPL_V2);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    /* auth null is no auth */
    ck_assert_int_eq(parse("{\"target\": {\"auth\": null}}", &sc, &err), 0);
    ck_assert_ptr_null(sc.auth_json);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

/* Each bad input and the exact message it must give (a final '*': that prefix). */
static const struct { const char *json; const char *msg; } bad[] = {
    {"{\"clients\": 0}", "clients: must be an integer in [1, 1000000]"},
    {"{\"clients\": 1.5}", "clients: must be an integer in [1, 1000000]"},
    {"{\"clients\": \"4\"}", "clients: must be an integer in [1, 1000000]"},
    {"{\"clients\": 3e9}", "clients: must be an integer in [1, 1000000]"},
    {"{\"clients\": 1e12}", "clients: must be an integer in [1, 1000000]"},
    {"{\"clients\": 1e999}", "clients: must be an integer in [1, 1000000]"},
    {"{\"messages\": -1}", "messages: must be an integer in [0, 1000000000000]"},
    {"{\"messages\": 1e15}", "messages: must be an integer in [0, 1000000000000]"},
    {"{\"duration_s\": -1}", "duration_s: must be 0 or a number in [0.001, 2592000] (seconds)"},
    {"{\"duration_s\": null}", "duration_s: must be 0 or a number in [0.001, 2592000] (seconds)"},
    /* 1e10 s was 1e19 ns: past int64, the run ended at once and passed */
    {"{\"duration_s\": 1e10}", "duration_s: must be 0 or a number in [0.001, 2592000] (seconds)"},
    /* 1e-10 s was 0 ns, which means "no duration": with messages 0 a run without end */
    {"{\"duration_s\": 1e-10, \"messages\": 0}", "duration_s: must be 0 or a number in [0.001, 2592000] (seconds)"},
    {"{\"start_id\": 1e17}", "start_id: must be an integer in [-9007199254740991, 9007199254740991]"},
    {"{\"threads\": 2000}", "threads: must be an integer in [0, 1024]"},
    {"{\"ramp_s\": \"x\"}", "ramp_s: must be a number in [0, 86400] (seconds)"},
    {"{\"ramp_s\": 5e9}", "ramp_s: must be a number in [0, 86400] (seconds)"},
    {"{\"think_ms\": -1}", "think_ms: must be a number in [0, 3600000] (ms)"},
    {"{\"think_ms\": 1e300}", "think_ms: must be a number in [0, 3600000] (ms)"},
    {"{\"rate\": -0.5}", "rate: must be 0 or a number in [0.001, 100000] (messages/s)"},
    {"{\"rate\": 1e-12}", "rate: must be 0 or a number in [0.001, 100000] (messages/s)"},
    {"{\"rate\": 1e9}", "rate: must be 0 or a number in [0.001, 100000] (messages/s)"},
    {"{\"total_rate\": true}", "total_rate: must be 0 or a number in [0.001, 10000000] (messages/s)"},
    {"{\"total_rate\": 1e-12}", "total_rate: must be 0 or a number in [0.001, 10000000] (messages/s)"},
    {"{\"steps\": {\"from\": 0}}", "steps.from: must be an integer in [1, 1000000] (clients)"},
    {"{\"steps\": {\"to\": 2147483647}}", "steps.to: must be an integer in [1, 1000000] (clients)"},
    {"{\"steps\": {\"step_s\": 1e300}}", "steps.step_s: must be 0 or a number in [0.001, 86400] (seconds)"},
    {"{\"name\": \"\"}", "name: must be a non-empty string"},
    {"{\"mode\": \"stress\"}", "mode: must be \"load\" or \"robustness\""},
    {"{\"mode\": 1}", "mode: must be \"load\" or \"robustness\""},
    {"{\"clinets\": 1}", "clinets: unknown key"},
    {"{\"clients\": 1, \"clients\": 2}", "clients: duplicate key"},
    {"{\"target\": {\"transprt\": \"polling\"}}", "target.transprt: unknown key"},
    {"{\"target\": []}", "target: must be an object"},
    {"{\"target\": {\"url\": \"ftp://x\"}}",
     "target.url: expected http(s)://host[:port][/path][?query] (or ws://, wss://)"},
    {"{\"target\": {\"url\": \"http://\"}}",
     "target.url: no host"},
    {"{\"target\": {\"url\": \"http://h:0\"}}",
     "target.url: bad port (expected 1..65535 after the host's ':')"},
    {"{\"target\": {\"url\": \"http://h:65536/\"}}",
     "target.url: bad port (expected 1..65535 after the host's ':')"},
    {"{\"target\": {\"url\": \"http://h:1a\"}}",
     "target.url: bad port (expected 1..65535 after the host's ':')"},
    {"{\"target\": {\"url\": \"http://h :1\"}}",
     "target.url: the host has a character a host name cannot have (0x20)"},
    {"{\"target\": {\"url\": \"http://[::1\"}}",
     "target.url: no closing ] after the IPv6 address"},
    {"{\"target\": {\"url\": \"Local\"}}",
     "target.url: expected http(s)://host[:port][/path][?query] (or ws://, wss://)"},
    {"{\"target\": {\"url\": 3000}}",
     "target.url: must be \"local\" or an http(s):// or ws(s):// URL"},
    {"{\"target\": {\"path\": \"socket.io\"}}", "target.path: must be a path starting with / (no spaces, ? or #)"},
    {"{\"target\": {\"path\": \"/s?x=1\"}}", "target.path: must be a path starting with / (no spaces, ? or #)"},
    {"{\"target\": {\"passphrase\": 5}}", "target.passphrase: must be a string"},
    {"{\"target\": {\"eio\": 5}}", "target.eio: must be 3 or 4"},
    {"{\"target\": {\"eio\": \"4\"}}", "target.eio: must be 3 or 4"},
    {"{\"target\": {\"transport\": \"ws\"}}", "target.transport: must be \"websocket\", \"polling\" or \"upgrade\""},
    {"{\"target\": {\"namespace\": \"admin\"}}",
     "target.namespace: must be a string starting with / (no commas or spaces)"},
    {"{\"target\": {\"namespace\": \"/a,b\"}}",
     "target.namespace: must be a string starting with / (no commas or spaces)"},
    {"{\"target\": {\"event\": \"\"}}", "target.event: must be a non-empty string"},
    {"{\"target\": {\"event\": \"connect\"}}", "target.event: \"connect\" is reserved by socket.io"},
    {"{\"target\": {\"auth\": \"tok\"}}", "target.auth: must be an object or null"},
    {"{\"server\": {\"impl\": \"v3\"}}", "server.impl: must be \"v4\", \"v2\" or \"v1\""},
    {"{\"target\": {\"query\": \"token=abc\"}}", "target.query: must be an object of strings or numbers"},
    {"{\"target\": {\"query\": {\"token\": true}}}", "target.query.token: must be a string or a number"},
    {"{\"target\": {\"query\": {\"a\": \"1\", \"b\": {}}}}", "target.query.b: must be a string or a number"},
    {"{\"target\": {\"query\": {\"\": \"x\"}}}", "target.query: a parameter needs a non-empty name"},
    {"{\"target\": {\"query\": {\"a\": 1, \"a\": 2}}}", "target.query.a: duplicate key"},
    {"{\"target\": {\"query\": {\"EIO\": 3}}}", "target.query.EIO: an Engine.IO parameter that siocrypt sets "
                                                "itself (EIO, transport, sid, b64 and j are refused)"},
    {"{\"target\": {\"query\": {\"sid\": \"x\"}}}", "target.query.sid: an Engine.IO parameter that siocrypt "
                                                  "sets itself (EIO, transport, sid, b64 and j are refused)"},
    {"{\"target\": {\"tls\": {\"ca\": \"x.pem\"}}}", "target.tls.ca: unknown key"},
    {"{\"target\": {\"tls\": {\"insecure\": 1}}}", "target.tls.insecure: must be true or false"},
    {"{\"target\": {\"tls\": {\"cacert\": \"\"}}}", "target.tls.cacert: must be a non-empty string"},
    {"{\"target\": {\"tls\": \"x.pem\"}}", "target.tls: must be an object"},
    {"{\"server\": {\"delay_ms\": -5}}", "server.delay_ms: must be an integer in [0, 3600000] (ms)"},
    {"{\"server\": {\"allow_eio3\": \"yes\"}}", "server.allow_eio3: must be true or false"},
    {"{\"server\": {\"hardened\": 1}}", "server.hardened: must be true or false"},
    {"{\"target\": {\"cookies\": \"no\"}}", "target.cookies: must be true or false"},
    {"{\"server\": {\"log\": null}}", "server.log: must be true or false"},
    {"{\"server\": {\"port\": 3000}}", "server.port: unknown key"},
    {"{\"target\": {\"compression\": 1}}", "target.compression: must be true or false"},
    {"{\"reconnect\": 1}", "reconnect: must be true, false or an object {delay_ms, max_delay_ms, jitter, "
                           "max_attempts}"},
    {"{\"reconnect\": {\"jitter\": 1.5}}", "reconnect.jitter: must be a number in [0, 1]"},
    {"{\"reconnect\": {\"delay_ms\": -1}}", "reconnect.delay_ms: must be an integer in [0, 3600000] (ms)"},
    {"{\"reconnect\": {\"max_attempts\": 0.5}}", "reconnect.max_attempts: must be an integer in [0, 1000000000]"},
    {"{\"reconnect\": {\"tries\": 3}}", "reconnect.tries: unknown key"},
    {"{\"timeouts\": {\"connect_ms\": 0}}", "timeouts.connect_ms: must be an integer in [1, 3600000] (ms)"},
    {"{\"timeouts\": {\"message_ms\": \"5s\"}}", "timeouts.message_ms: must be an integer in [1, 3600000] (ms)"},
    {"{\"timeouts\": {\"drain_ms\": -1}}", "timeouts.drain_ms: must be an integer in [0, 3600000] (ms)"},
    {"{\"timeouts\": 5}", "timeouts: must be an object"},
    {"{\"thresholds\": \"p99_ms<5\"}", "thresholds: must be an array of strings"},
    /* the one threshold parser (threshold.c): what it cannot evaluate is refused here, before any run */
    {"{\"thresholds\": [\"p99_ms<\"]}", "thresholds[0]: expected a number after '<'"},
    {"{\"thresholds\": [\"p99_ms<50\", \"P99<3\"]}", "thresholds[1]: unknown metric 'P99' (known: *"},
    {"{\"thresholds\": [\"p99ms<50\"]}", "thresholds[0]: unknown metric 'p99ms' (known: p50_ms, p90_ms, p99_ms, "
                                         "p999_ms, max_ms, mean_ms, round_trips_per_s, error_rate, errors, "
                                         "connect_failures, unverified, reconnect_ms, reconnect_p99_ms, lost)"},
    {"{\"thresholds\": [\"rps>=100\"]}", "thresholds[0]: unknown metric 'rps' (known: *"},
    {"{\"thresholds\": [\"errors==0\"]}", "thresholds[0]: unknown operator '==' (known: < <= > >=)"},
    {"{\"thresholds\": [\"p99_ms=50\"]}", "thresholds[0]: unknown operator '=' (known: < <= > >=)"},
    {"{\"thresholds\": [\"p99_ms 50\"]}", "thresholds[0]: expected an operator (one of < <= > >=) after 'p99_ms'"},
    {"{\"thresholds\": [\"p99_ms<50x\"]}", "thresholds[0]: unexpected 'x' after the number"},
    {"{\"thresholds\": [\"p99_ms<nan\"]}", "thresholds[0]: expected a number after '<'"},
    {"{\"thresholds\": [\"p99_ms<0x10\"]}", "thresholds[0]: expected a finite decimal number after '<'"},
    {"{\"thresholds\": [\"p99_ms<1e999\"]}", "thresholds[0]: expected a finite decimal number after '<'"},
    {"{\"thresholds\": [5]}", "thresholds[0]: must be a string <metric><op><number>, e.g. \"p99_ms<50\""},
    {"[]", "scenario: must be an object"},
    {"\"smoke\"", "scenario: must be an object"},
    {"{\"clients\": }", "invalid JSON at line 1 column 13"},
    {"{\n  \"clients\": 1,\n  oops }", "invalid JSON at line 3 column *"},  /* cJSON's column */
    {"", "invalid JSON at line 1 column 1"},
    {"{} x", "invalid JSON at line 1 column 4: text after the top-level object"},
};

START_TEST(bad_field)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_msg(parse(bad[_i].json, &sc, &err) == -1, "accepted: %s", bad[_i].json);
    if (bad[_i].msg[strlen(bad[_i].msg) - 1] == '*')
        ck_assert_msg(!strncmp(buf_cstr(&err), bad[_i].msg, strlen(bad[_i].msg) - 1), "%s", buf_cstr(&err));
    else
        ck_assert_str_eq(buf_cstr(&err), bad[_i].msg);
    /* a failed parse leaves nothing to free and nothing half-set */
    ck_assert_ptr_null(sc.url);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(nul_inside_the_text)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(scenario_parse("{}\0{}", 5, &sc, &err), -1);
    ck_assert_str_eq(err.data, "invalid JSON at line 1 column 3: text after the top-level object");
    /* the length is the limit: a NUL-less buffer parses exactly n bytes */
    ck_assert_int_eq(scenario_parse("{\"clients\": 2}garbage", 14, &sc, &err), 0);
    ck_assert_int_eq(sc.clients, 2);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

static const struct { const char *json; const char *msg; } invalid[] = {
    {"{\"messages\": 0}", "messages: 0 (no cap) needs duration_s > 0"},
    {"{\"rate\": 2, \"total_rate\": 10}", "rate, total_rate: give one or the other, not both"},
    {"{\"server\": {\"impl\": \"v2\"}}", "target.eio: 4 is not served by server.impl v2 (socket.io 2 speaks "
                                         "Engine.IO 3); use eio 3 or impl v4"},
    {"{\"server\": {\"impl\": \"v1\"}}", "target.eio: 4 is not served by server.impl v1 (socket.io 1 speaks "
                                         "Engine.IO 3); use eio 3 or impl v4"},
    {"{\"target\": {\"eio\": 3}, \"server\": {\"allow_eio3\": false}}",
     "server.allow_eio3: false, but eio 3 on impl v4 needs it (leave it out to have it switched on)"},
    {"{\"target\": {\"eio\": 3, \"auth\": {}}}", "target.auth: needs eio 4 (an Engine.IO 3 client speaks "
                                                 "Socket.IO protocol 4, which has no CONNECT payload)"},
    {"{\"server\": {\"delay_ms\": 5000}}",
     "timeouts.message_ms: 5000 is not above server.delay_ms 5000, every answer would time out"},
    {"{\"mode\": \"robustness\", \"clients\": 3}", "mode: robustness probes one connection at a time; clients, "
                                                   "rate and total_rate do not apply (leave them out)"},
    {"{\"mode\": \"robustness\", \"total_rate\": 5}", "mode: robustness probes one connection at a time; "
                                                      "clients, rate and total_rate do not apply (leave them out)"},
    /* total_rate is split over the clients: each share must be a rate a client can hold */
    {"{\"clients\": 10000, \"total_rate\": 1, \"duration_s\": 1}",
     "total_rate: 1 messages/s over 10000 clients is below 0.001 per client"},
    {"{\"clients\": 2, \"total_rate\": 1000000, \"duration_s\": 1}",
     "total_rate: 1000000 messages/s over 2 clients is above 100000 per client"},
    {"{\"steps\": {\"from\": 1, \"step\": 1, \"to\": 20, \"step_s\": 1}, \"total_rate\": 200000, "
     "\"thresholds\": [\"p99_ms<5\"]}", "total_rate: 200000 messages/s over 1 clients is above 100000 per client"},
    {"{\"steps\": {\"from\": 1, \"step\": 1, \"to\": 5000, \"step_s\": 1}, \"thresholds\": [\"p99_ms<5\"]}",
     "steps: 5000 steps from 1 to 5000 by 1; at most 1000"},
};

START_TEST(cross_field)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_msg(parse(invalid[_i].json, &sc, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), invalid[_i].msg);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(mode_field)
{
    scenario sc, back;
    buf err = BUF_INIT, text = BUF_INIT;
    ck_assert_int_eq(parse("{}", &sc, &err), 0);
    ck_assert_int_eq(sc.mode, SCENARIO_MODE_LOAD);
    ck_assert_int_eq(scenario_override(&sc, "mode", "robustness", &err), 0);
    ck_assert_int_eq(sc.mode, SCENARIO_MODE_ROBUSTNESS);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_int_eq(scenario_override(&sc, "mode", "soak", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "mode: must be \"load\" or \"robustness\"");
    ck_assert_int_eq(scenario_to_json(&sc, 0, &text), 0);
    ck_assert_ptr_nonnull(strstr(text.data, "\"robustness\""));
    ck_assert_int_eq(scenario_parse(text.data, text.len, &back, &err), 0);
    ck_assert_int_eq(back.mode, SCENARIO_MODE_ROBUSTNESS);
    scenario_free(&back);
    scenario_free(&sc);
    ck_assert_msg(scenario_load("scenarios/robustness.json", &sc, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(sc.mode, SCENARIO_MODE_ROBUSTNESS);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_str_eq(scenario_mode_name(sc.mode), "robustness");
    scenario_free(&sc);
    buf_free(&err);
    buf_free(&text);
}
END_TEST

START_TEST(steps_field)
{
    scenario sc, back;
    buf err = BUF_INIT, text = BUF_INIT;
    const char *ok = "{\"steps\":{\"from\":10,\"step\":10,\"to\":40,\"step_s\":2},\"thresholds\":[\"p99_ms<50\"]}";
    ck_assert_int_eq(parse(ok, &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_int_eq(sc.steps_from, 10);
    ck_assert_int_eq(sc.steps_to, 40);
    ck_assert_int_eq(scenario_to_json(&sc, 0, &text), 0);
    ck_assert_int_eq(scenario_parse(text.data, text.len, &back, &err), 0);
    ck_assert_int_eq(back.steps_step, 10);
    ck_assert(back.step_s == 2);
    scenario_free(&back);
    scenario_free(&sc);

    ck_assert_int_eq(parse("{\"steps\":{\"from\":10,\"step\":10,\"to\":40,\"step_s\":2}}", &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "needs thresholds"));
    scenario_free(&sc);
    buf_clear(&err);
    ck_assert_int_eq(parse("{\"steps\":{\"from\":10,\"step\":10,\"to\":5,\"step_s\":2},\"thresholds\":[\"p99_ms<5\"]}",
                           &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "steps.to: 5 is below steps.from 10");
    scenario_free(&sc);
    buf_clear(&err);
    ck_assert_int_eq(parse("{\"steps\":{\"from\":10}}", &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "steps: needs from, step, to"));
    scenario_free(&sc);
    buf_clear(&err);
    ck_assert_int_eq(parse("{\"steps\":{\"form\":10}}", &sc, &err), -1);
    ck_assert_ptr_nonnull(strstr(buf_cstr(&err), "steps.form: unknown key"));
    buf_free(&err);
    buf_free(&text);
}
END_TEST

/* limits: defaults, the queue following the message limit unless given, ranges, round trip. */
START_TEST(limits_field)
{
    scenario sc, back;
    buf err = BUF_INIT, text = BUF_INIT;
    ck_assert_int_eq(scenario_init(&sc), 0);
    ck_assert_int_eq(sc.max_message_bytes, 16 << 20);
    ck_assert_int_eq(sc.max_queue_bytes, 32 << 20);
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"limits\":{\"max_message_bytes\":4096}}", &sc, &err), 0);
    ck_assert_int_eq(sc.max_message_bytes, 4096);
    ck_assert_int_eq(sc.max_queue_bytes, 8192);
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"limits\":{\"max_message_bytes\":4096,\"max_queue_bytes\":2048}}", &sc, &err), 0);
    ck_assert_int_eq(sc.max_queue_bytes, 2048);
    ck_assert_int_eq(scenario_to_json(&sc, 0, &text), 0);
    ck_assert_int_eq(scenario_parse(text.data, text.len, &back, &err), 0);
    ck_assert_int_eq(back.max_message_bytes, 4096);
    ck_assert_int_eq(back.max_queue_bytes, 2048);
    scenario_free(&back);
    scenario_free(&sc);
    static const char *bad[][2] = {
        {"{\"limits\":{\"max_message_bytes\":100}}", "limits.max_message_bytes: must be an integer in [1024, 1073741824] (bytes)"},
        {"{\"limits\":{\"max_message_bytes\":1e12}}", "limits.max_message_bytes: must be an integer in [1024, 1073741824] (bytes)"},
        {"{\"limits\":{\"max_queue_bytes\":0.5}}", "limits.max_queue_bytes: must be an integer in [1024, 4294967296] (bytes)"},
        {"{\"limits\":{\"max_queue\":1}}", "limits.max_queue: unknown key"},
        {"{\"limits\":7}", "limits: must be an object"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(parse(bad[i][0], &sc, &err), -1);
        ck_assert_str_eq(buf_cstr(&err), bad[i][1]);
    }
    buf_free(&err);
    buf_free(&text);
}
END_TEST

START_TEST(server_rules_only_for_local)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{\"target\": {\"url\": \"ws://[::1]:3000/\"}, \"server\": {\"impl\": \"v2\", "
                           "\"delay_ms\": 9000}}", &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(overrides)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{\"messages\": 30, \"total_rate\": 100}", &sc, &err), 0);

    ck_assert_int_eq(scenario_override(&sc, "clients", "8", &err), 0);
    ck_assert_int_eq(sc.clients, 8);
    ck_assert_int_eq(scenario_override(&sc, "clients", "0", &err), -1);
    ck_assert_str_eq(err.data, "clients: must be an integer in [1, 1000000]");
    ck_assert_int_eq(sc.clients, 8);   /* a refused override changes nothing */
    ck_assert_int_eq(scenario_override(&sc, "clients", "8x", &err), -1);
    ck_assert_str_eq(err.data, "clients: must be an integer in [1, 1000000]");
    ck_assert_int_eq(scenario_override(&sc, "clients", "1e12", &err), -1);
    ck_assert_str_eq(err.data, "clients: must be an integer in [1, 1000000]");
    ck_assert_int_eq(scenario_override(&sc, "clients", "0x10", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "clients", "", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "clients", " 4", &err), -1);

    /* a command-line duration replaces the file's message cap */
    ck_assert_int_eq(scenario_override(&sc, "duration", "2m", &err), 0);
    ck_assert(sc.duration_s == 120);
    ck_assert_int_eq(sc.messages, 0);
    /* ...and with messages also on the command line, both hold */
    ck_assert_int_eq(scenario_override(&sc, "messages", "7", &err), 0);
    ck_assert_int_eq(sc.messages, 7);
    ck_assert(sc.duration_s == 120);
    ck_assert_int_eq(scenario_override(&sc, "duration", "250ms", &err), 0);
    ck_assert(sc.duration_s == 0.25);
    ck_assert_int_eq(scenario_override(&sc, "duration", "1h", &err), 0);
    ck_assert(sc.duration_s == 3600);
    ck_assert_int_eq(scenario_override(&sc, "duration", "10", &err), 0);
    ck_assert(sc.duration_s == 10);
    ck_assert_int_eq(scenario_override(&sc, "duration", "10q", &err), -1);
    ck_assert_str_eq(err.data, "duration: must be 0 or a number in [0.001, 2592000] (seconds)");
    ck_assert_int_eq(scenario_override(&sc, "duration", "-1s", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "duration", "inf", &err), -1);
    /* the command line's numbers get the file's ranges: none of these may reach an int64 of ns */
    ck_assert_int_eq(scenario_override(&sc, "duration", "1e10", &err), -1);
    ck_assert_str_eq(err.data, "duration: must be 0 or a number in [0.001, 2592000] (seconds)");
    ck_assert_int_eq(scenario_override(&sc, "duration", "1e300h", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "duration", "31d", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "duration", "720h", &err), 0);
    ck_assert(sc.duration_s == 2592000);
    ck_assert_int_eq(scenario_override(&sc, "duration", "10", &err), 0);
    ck_assert_int_eq(scenario_override(&sc, "think_ms", "1e300", &err), -1);
    ck_assert_str_eq(err.data, "think_ms: must be a number in [0, 3600000] (ms)");
    ck_assert_int_eq(scenario_override(&sc, "ramp", "5e9", &err), -1);
    ck_assert_str_eq(err.data, "ramp: must be a number in [0, 86400] (seconds)");
    ck_assert_int_eq(scenario_override(&sc, "rate", "1e-12", &err), -1);
    ck_assert_str_eq(err.data, "rate: must be 0 or a number in [0.001, 100000] (messages/s)");
    ck_assert_int_eq(scenario_override(&sc, "rate", "nan", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "total_rate", "-inf", &err), -1);
    ck_assert(sc.rate == 0 && sc.total_rate == 100);   /* refused: nothing changed */
    ck_assert_int_eq(scenario_override(&sc, "ramp", "30s", &err), 0);
    ck_assert(sc.ramp_s == 30);

    /* rate replaces the file's total_rate; both on the command line is a validate error */
    ck_assert_int_eq(scenario_override(&sc, "rate", "5", &err), 0);
    ck_assert(sc.rate == 5 && sc.total_rate == 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_int_eq(scenario_override(&sc, "total_rate", "50", &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(err.data, "rate, total_rate: give one or the other, not both");
    ck_assert_int_eq(scenario_override(&sc, "rate", "0", &err), 0);

    /* eio 3 switches allowEIO3 on; impl v2 switches it off again */
    ck_assert_int_eq(scenario_override(&sc, "eio", "3", &err), 0);
    ck_assert_int_eq(sc.allow_eio3, 1);
    ck_assert_int_eq(scenario_override(&sc, "impl", "v2", &err), 0);
    ck_assert_int_eq(sc.allow_eio3, 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    ck_assert_int_eq(scenario_override(&sc, "eio", "5", &err), -1);
    ck_assert_str_eq(err.data, "eio: must be 3 or 4");
    ck_assert_int_eq(scenario_override(&sc, "impl", "v9", &err), -1);
    ck_assert_str_eq(err.data, "impl: must be \"v4\", \"v2\" or \"v1\"");

    ck_assert_int_eq(scenario_override(&sc, "transport", "polling", &err), 0);
    ck_assert_int_eq(sc.transport, SCENARIO_POLLING);
    ck_assert_str_eq(scenario_transport_name(sc.transport), "polling");
    ck_assert_int_eq(scenario_override(&sc, "transport", "tcp", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "url", "http://127.0.0.1:3000", &err), 0);
    ck_assert(!scenario_is_local(&sc));
    ck_assert_int_eq(scenario_override(&sc, "url", "127.0.0.1:3000", &err), -1);
    ck_assert_str_eq(sc.url, "http://127.0.0.1:3000");
    ck_assert_int_eq(scenario_override(&sc, "passphrase", "", &err), 0);
    ck_assert_str_eq(sc.passphrase, "");
    ck_assert_int_eq(scenario_override(&sc, "namespace", "/admin", &err), 0);
    ck_assert_str_eq(sc.ns, "/admin");
    ck_assert_int_eq(scenario_override(&sc, "event", "disconnect", &err), -1);
    ck_assert_int_eq(scenario_override(&sc, "threads", "4", &err), 0);
    ck_assert_int_eq(sc.threads, 4);
    ck_assert_int_eq(scenario_override(&sc, "think_ms", "2.5", &err), 0);
    ck_assert(sc.think_ms == 2.5);
    ck_assert_int_eq(scenario_override(&sc, "start_id", "-100", &err), 0);
    ck_assert_int_eq(sc.start_id, -100);
    ck_assert_int_eq(scenario_override(&sc, "delay_ms", "1000", &err), 0);
    ck_assert_int_eq(sc.delay_ms, 1000);
    ck_assert_int_eq(scenario_override(&sc, "clients_x", "1", &err), -1);
    ck_assert_str_eq(err.data, "clients_x: not a scenario setting that can be overridden");
    scenario_free(&sc);

    /* a command-line message count replaces the file's duration */
    ck_assert_int_eq(parse("{\"duration_s\": 60}", &sc, &err), 0);
    ck_assert_int_eq(scenario_override(&sc, "messages", "3", &err), 0);
    ck_assert(sc.duration_s == 0 && sc.messages == 3);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

/* target.compression defaults on; reconnect defaults off, an object turns it on with socket.io-client's
 * defaults for what it leaves out; the command line's bool overrides; the cross-field check. */
START_TEST(compression_and_reconnect)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{}", &sc, &err), 0);
    ck_assert_int_eq(sc.compression, 1);
    ck_assert_int_eq(sc.reconnect, 0);
    ck_assert_int_eq(scenario_override(&sc, "compression", "false", &err), 0);
    ck_assert_int_eq(sc.compression, 0);
    ck_assert_int_eq(scenario_override(&sc, "reconnect", "true", &err), 0);
    ck_assert_int_eq(sc.reconnect, 1);
    ck_assert_int_eq(scenario_override(&sc, "reconnect", "yes", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "reconnect: must be true, false or an object "
                                     "{delay_ms, max_delay_ms, jitter, max_attempts}");
    scenario_free(&sc);
    buf_clear(&err);
    ck_assert_int_eq(parse("{\"reconnect\": {\"max_attempts\": 3}}", &sc, &err), 0);
    ck_assert_int_eq(sc.reconnect, 1);
    ck_assert_int_eq(sc.reconnect_delay_ms, 1000);
    ck_assert_int_eq(sc.reconnect_max_delay_ms, 5000);
    ck_assert(sc.reconnect_jitter == 0.5);
    ck_assert_int_eq(sc.reconnect_max_attempts, 3);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"reconnect\": {\"delay_ms\": 2000, \"max_delay_ms\": 1000}}", &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "reconnect.max_delay_ms: 1000 is below reconnect.delay_ms 2000");
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(add_threshold)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(parse("{\"thresholds\": [\"p99_ms<50\"]}", &sc, &err), 0);
    ck_assert_int_eq(scenario_add_threshold(&sc, "errors <= 0", "--threshold 'errors <= 0'", &err), 0);
    ck_assert_uint_eq(sc.nthresholds, 2);
    ck_assert_str_eq(sc.thresholds[1].expr, "errors<=0");
    ck_assert_int_eq(scenario_add_threshold(&sc, "p99ms<5", "--threshold 'p99ms<5'", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "--threshold 'p99ms<5': unknown metric 'p99ms' (known: p50_ms, p90_ms, p99_ms, "
                     "p999_ms, max_ms, mean_ms, round_trips_per_s, error_rate, errors, connect_failures, unverified, "
                     "reconnect_ms, reconnect_p99_ms, lost)");
    ck_assert_int_eq(scenario_add_threshold(&sc, "errors==0", "t", &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "t: unknown operator '==' (known: < <= > >=)");
    ck_assert_uint_eq(sc.nthresholds, 2);
    /* a stepped ramp needs thresholds: ones from the command line count */
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"steps\":{\"from\":1,\"step\":1,\"to\":2,\"step_s\":1}}", &sc, &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), -1);
    ck_assert_int_eq(scenario_add_threshold(&sc, "p99_ms<5", "t", &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    buf_free(&err);
}
END_TEST

START_TEST(load_is_bounded)
{
    /* an endless source ends the read with a clear error instead of filling memory */
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(scenario_load("/dev/zero", &sc, &err), -1);
    ck_assert_str_eq(buf_cstr(&err), "/dev/zero: larger than 1 MiB, the limit for this input");
    ck_assert_ptr_null(sc.url);
    buf_free(&err);
}
END_TEST

START_TEST(init_without_file)
{
    scenario sc;
    buf err = BUF_INIT;
    ck_assert_int_eq(scenario_init(&sc), 0);
    ck_assert_str_eq(sc.url, "local");
    ck_assert_int_eq(scenario_override(&sc, "clients", "3", &err), 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    scenario_free(&sc);   /* idempotent */
    ck_assert_str_eq(scenario_transport_name(42), "?");
    ck_assert_str_eq(scenario_impl_name(SCENARIO_IMPL_V2), "v2");
    ck_assert_str_eq(scenario_impl_name(SCENARIO_IMPL_V1), "v1");
    buf_free(&err);
}
END_TEST

/* target.query: strings and numbers in file order, kept through the effective scenario's JSON */
START_TEST(query_field)
{
    scenario sc, back;
    buf err = BUF_INIT, text = BUF_INIT;
    ck_assert_int_eq(parse("{\"target\": {\"query\": {\"token\": \"a b&c\", \"v\": 2, \"f\": 1.5, \"e\": \"\"}}}",
                           &sc, &err), 0);
    ck_assert_uint_eq(sc.nquery, 4);
    ck_assert_str_eq(sc.query[0].key, "token");
    ck_assert_str_eq(sc.query[0].value, "a b&c");
    ck_assert_str_eq(sc.query[1].value, "2");
    ck_assert_str_eq(sc.query[2].value, "1.5");
    ck_assert_str_eq(sc.query[3].value, "");
    ck_assert_int_eq(scenario_to_json(&sc, 0, &text), 0);
    ck_assert_int_eq(scenario_parse(text.data, text.len, &back, &err), 0);
    ck_assert_uint_eq(back.nquery, 4);
    ck_assert_str_eq(back.query[0].value, "a b&c");
    ck_assert_str_eq(back.query[2].value, "1.5");
    scenario_free(&back);
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"target\": {\"query\": {}}}", &sc, &err), 0);
    ck_assert_uint_eq(sc.nquery, 0);
    ck_assert_ptr_null(sc.query);
    scenario_free(&sc);
    ck_assert_int_eq(parse("{\"server\": {\"impl\": \"v1\"}, \"target\": {\"eio\": 3}}", &sc, &err), 0);
    ck_assert_int_eq(sc.impl, SCENARIO_IMPL_V1);
    ck_assert_int_eq(sc.allow_eio3, 0);
    ck_assert_int_eq(scenario_validate(&sc, &err), 0);
    scenario_free(&sc);
    buf_free(&err);
    buf_free(&text);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("scenario");
    tcase_add_test(tc, defaults_from_empty_object);
    tcase_add_test(tc, every_field);
    tcase_add_test(tc, tls_fields);
    tcase_add_test(tc, round_trip_through_json);
    tcase_add_test(tc, shipped_scenarios);
    tcase_add_test(tc, load_names_and_errors);
    tcase_add_test(tc, dependent_defaults);
    tcase_add_loop_test(tc, bad_field, 0, (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, nul_inside_the_text);
    tcase_add_loop_test(tc, cross_field, 0, (int)(sizeof invalid / sizeof invalid[0]));
    tcase_add_test(tc, server_rules_only_for_local);
    tcase_add_test(tc, mode_field);
    tcase_add_test(tc, steps_field);
    tcase_add_test(tc, limits_field);
    tcase_add_test(tc, proxy_field);
    tcase_add_test(tc, overrides);
    tcase_add_test(tc, init_without_file);
    tcase_add_test(tc, query_field);
    tcase_add_test(tc, add_threshold);
    tcase_add_test(tc, compression_and_reconnect);
    tcase_add_test(tc, load_is_bounded);
    suite_add_tcase(s, tc);
    return check_run(s);
}
