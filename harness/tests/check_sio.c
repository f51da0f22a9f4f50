/* check_sio: Socket.IO protocol 4/5 codec on exact bytes.
 * Frames marked "captured" were read off the wire (harness/scripts/wire-capture/) from
 *   v5: socket.io 4.8.4 server + socket.io-client 4.8.4 (socket.io-parser 4.2.7)
 *   v4: socket.io 2.5.1 server + socket.io-client 2.5.0 (socket.io-parser 3.4.5 / 3.3.6)
 * They are whole WebSocket text frames, Engine.IO '4' included; the tests parse frame + 1.
 * JSON.stringify vectors were printed by node 20. Octal escapes keep the bytes exact. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/sio.h"
#include "check_run.h"

#define L(lit) (lit), (sizeof(lit) - 1)
#define SPAN_EQ(ptr, len, lit) do { \
    ck_assert_uint_eq((len), sizeof(lit) - 1); \
    ck_assert_mem_eq((ptr), (lit), sizeof(lit) - 1); } while (0)

/* captured (both versions, sent by the real client and echoed back by the real server):
 * socket.emit("counter", 'he said "hi"\n\tcafé 😀 \u0001 back\\slash /') */
static const char WEIRD_FRAME[] =
    "42[\"counter\",\"he said \\\"hi\\\"\\n\\tcaf\303\251 \360\237\230\200 \\u0001 back\\\\slash /\"]";
static const char WEIRD[] = "he said \"hi\"\n\tcaf\303\251 \360\237\230\200 \001 back\\slash /";

/* Parse frame+1 (dropping the Engine.IO '4') and compare every field. */
static void expect_packet(const char *frame, size_t n, sio_type t, const char *nsp, long ack, const char *data)
{
    sio_packet p;
    ck_assert_int_eq(frame[0], '4');
    int rc = sio_packet_parse(frame + 1, n - 1, &p);
    ck_assert_msg(rc == SIO_OK, "%s: %s", frame, sio_err_name(rc));
    ck_assert_int_eq(p.type, t);
    ck_assert_uint_eq(p.nsp_len, strlen(nsp));
    ck_assert_mem_eq(p.nsp, nsp, p.nsp_len);
    ck_assert(sio_nsp_is(&p, nsp));
    ck_assert_int_eq(p.ack_id, ack);
    ck_assert_uint_eq(p.data_len, strlen(data));
    ck_assert_mem_eq(p.data, data, p.data_len);
    ck_assert(p.data >= frame && p.data + p.data_len <= frame + n);
}
#define EXPECT(frame, t, nsp, ack, data) expect_packet(frame, sizeof(frame) - 1, t, nsp, ack, data)

static int parse_err(const char *s, size_t n)
{
    sio_packet p;
    return sio_packet_parse(s, n, &p);
}
#define ERR(lit) parse_err(lit, sizeof(lit) - 1)

/* ---- parsing: every packet type of both versions ---- */

START_TEST(parse_v5_captured)
{
    EXPECT("40", SIO_CONNECT, "/", -1, "");                                /* client, first */
    EXPECT("40/admin,{\"token\":\"abc\"}", SIO_CONNECT, "/admin", -1, "{\"token\":\"abc\"}");
    EXPECT("40/random,", SIO_CONNECT, "/random", -1, "");
    EXPECT("40{\"sid\":\"RJlfliFNppSq6pnVAAAG\"}", SIO_CONNECT, "/", -1, "{\"sid\":\"RJlfliFNppSq6pnVAAAG\"}");
    EXPECT("40/admin,{\"sid\":\"G9gEktZHwJfno0C5AAAH\"}", SIO_CONNECT, "/admin", -1,
           "{\"sid\":\"G9gEktZHwJfno0C5AAAH\"}");
    EXPECT("44/random,{\"message\":\"Invalid namespace\"}", SIO_CONNECT_ERROR, "/random", -1,
           "{\"message\":\"Invalid namespace\"}");
    EXPECT("44/auth,{\"message\":\"Not authorized\"}", SIO_CONNECT_ERROR, "/auth", -1,
           "{\"message\":\"Not authorized\"}");
    EXPECT("42[\"a\",1]", SIO_EVENT, "/", -1, "[\"a\",1]");
    EXPECT("42[\"b\",\"two\"]", SIO_EVENT, "/", -1, "[\"b\",\"two\"]");
    EXPECT("42/admin,0[\"ev\",1]", SIO_EVENT, "/admin", 0, "[\"ev\",1]");
    EXPECT("420[\"ack-me\",\"x\"]", SIO_EVENT, "/", 0, "[\"ack-me\",\"x\"]");
    EXPECT("42456[\"ack-me\",1]", SIO_EVENT, "/", 456, "[\"ack-me\",1]");
    EXPECT("42/admin,17[\"ev\",\"x\"]", SIO_EVENT, "/admin", 17, "[\"ev\",\"x\"]");
    EXPECT("430[\"x\"]", SIO_ACK, "/", 0, "[\"x\"]");
    EXPECT("43456[1]", SIO_ACK, "/", 456, "[1]");
    EXPECT("43/admin,17[\"ok\"]", SIO_ACK, "/admin", 17, "[\"ok\"]");
    EXPECT("41/admin,", SIO_DISCONNECT, "/admin", -1, "");
    EXPECT("41", SIO_DISCONNECT, "/", -1, "");
    EXPECT(WEIRD_FRAME, SIO_EVENT, "/", -1, WEIRD_FRAME + 2);
}
END_TEST

START_TEST(parse_v4_captured)
{
    EXPECT("40", SIO_CONNECT, "/", -1, "");                                /* server, unasked */
    EXPECT("40/admin,", SIO_CONNECT, "/admin", -1, "");                    /* server's answer */
    EXPECT("40/admin?token=abc,", SIO_CONNECT, "/admin?token=abc", -1, ""); /* v4 client: query in nsp */
    EXPECT("44/random,\"Invalid namespace\"", SIO_CONNECT_ERROR, "/random", -1, "\"Invalid namespace\"");
    EXPECT("44/auth,\"Not authorized\"", SIO_CONNECT_ERROR, "/auth", -1, "\"Not authorized\"");
    EXPECT("422[\"q\",\"x\"]", SIO_EVENT, "/", 2, "[\"q\",\"x\"]");
    EXPECT("43/admin,0[\"ok\"]", SIO_ACK, "/admin", 0, "[\"ok\"]");
    EXPECT("41/admin,", SIO_DISCONNECT, "/admin", -1, "");
}
END_TEST

START_TEST(parse_forms)
{
    /* as socket.io-parser: a namespace with no ',' runs to the end */
    EXPECT("41/admin", SIO_DISCONNECT, "/admin", -1, "");
    EXPECT("40/", SIO_CONNECT, "/", -1, "");
    EXPECT("44", SIO_CONNECT_ERROR, "/", -1, "");
    EXPECT("42[ \"x\" , {\"a\" : [1, -2.5e+3, true, false, null]} ]\n", SIO_EVENT, "/", -1,
           "[ \"x\" , {\"a\" : [1, -2.5e+3, true, false, null]} ]\n");
    EXPECT("4200123[\"x\"]", SIO_EVENT, "/", 123, "[\"x\"]");                /* leading zeros, as JS Number() */
    EXPECT("42[7]", SIO_EVENT, "/", -1, "[7]");                             /* number first: allowed by the parser */
    EXPECT("42999999999999999[\"x\"]", SIO_EVENT, "/", 999999999999999L, "[\"x\"]");
    EXPECT("43[]", SIO_ACK, "/", -1, "[]");
    EXPECT("42[\"\\u00e9\\ud83d\\ude00\\/\"]", SIO_EVENT, "/", -1, "[\"\\u00e9\\ud83d\\ude00\\/\"]");
    ck_assert_str_eq(sio_type_name(SIO_CONNECT_ERROR), "CONNECT_ERROR");
    ck_assert_str_eq(sio_type_name((sio_type)7), "unknown");
}
END_TEST

START_TEST(parse_errors)
{
    ck_assert_int_eq(ERR(""), SIO_ERR_EMPTY);
    ck_assert_int_eq(ERR("7"), SIO_ERR_BAD_TYPE);
    ck_assert_int_eq(ERR("abc"), SIO_ERR_BAD_TYPE);                /* notes: "4abc" closes the session */
    ck_assert_int_eq(ERR("\000"), SIO_ERR_BAD_TYPE);
    /* captured (v5): socket.emit("bin", Buffer.from([1,2,3])) */
    ck_assert_int_eq(ERR("51-[\"bin\",{\"_placeholder\":true,\"num\":0}]"), SIO_ERR_BINARY_UNSUPPORTED);
    ck_assert_int_eq(ERR("61-/admin,3[{\"_placeholder\":true,\"num\":0}]"), SIO_ERR_BINARY_UNSUPPORTED);
    ck_assert_int_eq(ERR("5"), SIO_ERR_BINARY_UNSUPPORTED);
    ck_assert_int_eq(ERR("2/admin[\"x\"]"), SIO_ERR_BAD_NAMESPACE);    /* missing ',' */
    ck_assert_int_eq(ERR("0/admin{\"token\":1}"), SIO_ERR_BAD_NAMESPACE);
    ck_assert_int_eq(ERR("21234567890123456[\"x\"]"), SIO_ERR_BAD_ACK_ID);
    ck_assert_int_eq(ERR("2abc[\"x\"]"), SIO_ERR_BAD_JSON);            /* notes: closes the session */
    ck_assert_int_eq(ERR("2[\"x\""), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[,\"x\"]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\"]]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\"] x"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"a\nb\"]"), SIO_ERR_BAD_JSON);            /* raw control char in a string */
    ck_assert_int_eq(ERR("2[\"\\x\"]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"\\u12g4\"]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"\\u12\"]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\\"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",01]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",1.]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",1e]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",-]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",tru]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",{\"a\"}]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",{1:2}]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2[\"x\",{\"a\":1,}]"), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2 "), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(ERR("2{}"), SIO_ERR_BAD_PAYLOAD);                 /* notes: "42{}" closes the session */
    ck_assert_int_eq(ERR("2[]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("2[{}]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("2[null]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("2\"x\""), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("2"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("217"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("3"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("3{}"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("1[]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("1/admin,\"x\""), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("0[]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("0\"x\""), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("4[1]"), SIO_ERR_BAD_PAYLOAD);
    ck_assert_int_eq(ERR("4/x,true"), SIO_ERR_BAD_PAYLOAD);
    EXPECT("44/x,1", SIO_CONNECT_ERROR, "/x", 1, "");              /* digits there are an ack id, as in JS */
    /* nesting: 64 levels are fine, 65 are refused, 100000 do not blow the stack */
    static char deep[200010];
    for (int d = 1; d <= 100000; d = d < 70 ? d + 1 : d * 10) {
        size_t n = 0;
        deep[n++] = '2';
        deep[n++] = '[';
        deep[n++] = '1';
        if (d > 1) deep[n++] = ',';
        for (int k = 1; k < d; k++) deep[n++] = '[';
        for (int k = 1; k < d; k++) deep[n++] = ']';
        deep[n++] = ']';
        int want = d <= SIO_JSON_MAX_DEPTH ? SIO_OK : SIO_ERR_BAD_JSON;
        ck_assert_msg(parse_err(deep, n) == want, "depth %d", d);
    }
    static const int errs[] = {SIO_ERR_EMPTY, SIO_ERR_BAD_TYPE, SIO_ERR_BINARY_UNSUPPORTED, SIO_ERR_BAD_NAMESPACE,
                               SIO_ERR_BAD_ACK_ID, SIO_ERR_BAD_JSON, SIO_ERR_BAD_PAYLOAD, SIO_ERR_NOT_EVENT,
                               SIO_ERR_BAD_EVENT_NAME, SIO_ERR_NO_ARG, SIO_ERR_ARG_NOT_STRING, SIO_ERR_NOMEM,
                               SIO_ERR_BAD_ARG, SIO_END, SIO_OK, -99};
    static const char *names[] = {"empty", "bad-type", "binary-unsupported", "bad-namespace", "bad-ack-id",
                                  "bad-json", "bad-payload", "not-event", "bad-event-name", "no-arg",
                                  "arg-not-string", "nomem", "bad-arg", "end", "ok", "unknown"};
    for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) ck_assert_str_eq(sio_err_name(errs[k]), names[k]);
}
END_TEST

/* ---- the hot-path extractor ---- */

START_TEST(first_string)
{
    sio_packet p;
    const char *name;
    size_t nl;
    buf arg = BUF_INIT;
    ck_assert_int_eq(sio_packet_parse(WEIRD_FRAME + 1, sizeof WEIRD_FRAME - 2, &p), SIO_OK);
    buf_append_str(&arg, "stale");
    ck_assert_int_eq(sio_event_first_string(&p, &name, &nl, &arg), SIO_OK);
    SPAN_EQ(name, nl, "counter");
    SPAN_EQ(arg.data, arg.len, WEIRD);              /* what the real server's handler received */

    /* no escapes: copied as is; name still raw */
    ck_assert_int_eq(sio_packet_parse(L("2/admin,17[ \"co\\u0075nter\" , \"{\\\"ct\\\":\\\"x\\\"}\" ,1]"), &p), SIO_OK);
    ck_assert_int_eq(sio_event_first_string(&p, &name, &nl, &arg), SIO_OK);
    SPAN_EQ(name, nl, "co\\u0075nter");
    SPAN_EQ(arg.data, arg.len, "{\"ct\":\"x\"}");
    ck_assert_int_eq(sio_packet_parse(L("2[\"e\",\"\"]"), &p), SIO_OK);
    ck_assert_int_eq(sio_event_first_string(&p, &name, &nl, &arg), SIO_OK);
    ck_assert_uint_eq(arg.len, 0);

    /* a client may send an object instead of the envelope string */
    static const struct { const char *in; int rc; } v[] = {
        {"2[\"counter\",{\"ct\":\"x\",\"iv\":\"y\",\"s\":\"z\"}]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\",1]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\",-1]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\",null]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\",true]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\",[\"x\"]]", SIO_ERR_ARG_NOT_STRING},
        {"2[\"counter\"]", SIO_ERR_NO_ARG},
        {"2[1,\"x\"]", SIO_ERR_BAD_EVENT_NAME},
        {"3[\"x\"]", SIO_ERR_NOT_EVENT},
        {"0", SIO_ERR_NOT_EVENT},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        ck_assert_int_eq(sio_packet_parse(v[k].in, strlen(v[k].in), &p), SIO_OK);
        ck_assert_int_eq(sio_event_first_string(&p, &name, &nl, &arg), v[k].rc);
    }
    /* on a hand-made packet, bad JSON is caught, not read past */
    static const char *bad[] = {"[\"counter\",\"abc", "[\"counter\"", "[\"count", "[\"c\",", "[\"c\" x", "[", "",
                                "{}", "[]", "[\"c\",\"\\q\"]", "[\"c\",]"};
    static const int bad_rc[] = {SIO_ERR_BAD_JSON, SIO_ERR_BAD_JSON, SIO_ERR_BAD_JSON, SIO_ERR_BAD_JSON,
                                 SIO_ERR_BAD_JSON, SIO_ERR_BAD_JSON, SIO_ERR_BAD_PAYLOAD, SIO_ERR_BAD_PAYLOAD,
                                 SIO_ERR_BAD_PAYLOAD, SIO_ERR_BAD_JSON, SIO_ERR_BAD_JSON};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        size_t n = strlen(bad[k]);
        char *copy = malloc(n + 1);
        memcpy(copy, bad[k], n);
        sio_packet h = {SIO_EVENT, "/", 1, -1, copy, n};
        ck_assert_msg(sio_event_first_string(&h, &name, &nl, &arg) == bad_rc[k], "%s", bad[k]);
        free(copy);
    }
    buf_free(&arg);
}
END_TEST

START_TEST(ack_first_string)
{
    sio_packet p;
    buf arg = BUF_INIT;
    ck_assert_int_eq(sio_packet_parse(L("30[\"x\"]"), &p), SIO_OK);           /* captured */
    ck_assert_int_eq(sio_ack_first_string(&p, &arg), SIO_OK);
    ck_assert_int_eq(p.ack_id, 0);
    SPAN_EQ(arg.data, arg.len, "x");
    ck_assert_int_eq(sio_packet_parse(L("3/admin,17[\"\\n\\u00e9\"]"), &p), SIO_OK);
    ck_assert_int_eq(sio_ack_first_string(&p, &arg), SIO_OK);
    SPAN_EQ(arg.data, arg.len, "\n\303\251");
    ck_assert_int_eq(sio_packet_parse(L("3456[1]"), &p), SIO_OK);             /* captured */
    ck_assert_int_eq(sio_ack_first_string(&p, &arg), SIO_ERR_ARG_NOT_STRING);
    ck_assert_int_eq(sio_packet_parse(L("35[]"), &p), SIO_OK);
    ck_assert_int_eq(sio_ack_first_string(&p, &arg), SIO_ERR_NO_ARG);
    ck_assert_int_eq(sio_packet_parse(L("2[\"x\",\"y\"]"), &p), SIO_OK);
    ck_assert_int_eq(sio_ack_first_string(&p, &arg), SIO_ERR_NOT_EVENT);
    buf_free(&arg);
}
END_TEST

START_TEST(array_iteration)
{
    static const char a[] = " [\"a\" , 1,{\"b\":[2,\"]\"]},null ,[] ] ";
    static const char *want[] = {"\"a\"", "1", "{\"b\":[2,\"]\"]}", "null", "[]"};
    size_t pos = 0, k = 0, el;
    const char *e;
    int rc;
    while ((rc = sio_array_next(a, sizeof a - 1, &pos, &e, &el)) == SIO_OK) {
        ck_assert_uint_lt(k, 5);
        ck_assert_uint_eq(el, strlen(want[k]));
        ck_assert_mem_eq(e, want[k], el);
        k++;
    }
    ck_assert_int_eq(rc, SIO_END);
    ck_assert_uint_eq(k, 5);
    ck_assert_int_eq(sio_array_next(a, sizeof a - 1, &pos, &e, &el), SIO_END);
    pos = 0;
    ck_assert_int_eq(sio_array_next(L("[]"), &pos, &e, &el), SIO_END);
    static const char *bad[] = {"", "{}", "[", "[1", "[1,", "[1,]", "[,1]", "[1 2]", "[\"x]"};
    for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        pos = 0;
        while ((rc = sio_array_next(bad[j], strlen(bad[j]), &pos, &e, &el)) == SIO_OK) {}
        ck_assert_msg(rc == SIO_ERR_BAD_JSON, "%s", bad[j]);
    }
}
END_TEST

/* ---- JSON strings against JSON.stringify / JSON.parse ---- */

START_TEST(escape_like_json_stringify)
{
    buf b = BUF_INIT;
    /* node 20: JSON.stringify(every char 0x00..0x7f) */
    static const char ascii_in[] =
        "\000\001\002\003\004\005\006\007\010\011\012\013\014\015\016\017\020\021\022\023\024\025\026\027"
        "\030\031\032\033\034\035\036\037 !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
        "abcdefghijklmnopqrstuvwxyz{|}~\177";
    static const char ascii_out[] =
        "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010"
        "\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e"
        "\\u001f !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz"
        "{|}~\177\"";
    ck_assert_int_eq(sio_json_escape(&b, L(ascii_in)), SIO_OK);
    SPAN_EQ(b.data, b.len, ascii_out);
    /* node 20: non-ASCII, U+2028/2029 and BOM stay raw UTF-8 */
    buf_clear(&b);
    ck_assert_int_eq(sio_json_escape(&b, L("\303\251\360\237\230\200\342\200\250\342\200\251\357\273\277/</script>")),
                     SIO_OK);
    SPAN_EQ(b.data, b.len, "\"\303\251\360\237\230\200\342\200\250\342\200\251\357\273\277/</script>\"");
    buf_clear(&b);
    ck_assert_int_eq(sio_json_escape(&b, "", 0), SIO_OK);
    SPAN_EQ(b.data, b.len, "\"\"");
    /* and back: unescape(escape(x)) == x for every byte value */
    buf back = BUF_INIT;
    buf_clear(&b);
    ck_assert_int_eq(sio_json_escape(&b, L(ascii_in)), SIO_OK);
    ck_assert_int_eq(sio_json_unescape(&back, b.data, b.len), SIO_OK);
    SPAN_EQ(back.data, back.len, ascii_in);
    buf_free(&back);
    buf_free(&b);
}
END_TEST

START_TEST(unescape_like_json_parse)
{
    buf b = BUF_INIT;
    /* node 20: Buffer.from(JSON.parse(x)): pairs join, lone surrogates become U+FFFD */
    ck_assert_int_eq(sio_json_unescape(&b, L("\"\\ud83d\\ude00 \\u00e9 \\ud83d x \\ude00 \\/ \\u0000\"")), SIO_OK);
    SPAN_EQ(b.data, b.len, "\360\237\230\200 \303\251 \357\277\275 x \357\277\275 / \000");
    buf_clear(&b);
    ck_assert_int_eq(sio_json_unescape(&b, L("\"\\uD83D\\uDE00\\u20AC\\u0041\\ud83d\\ud83d\\ude00\\ud83d\"")), SIO_OK);
    SPAN_EQ(b.data, b.len, "\360\237\230\200\342\202\254A\357\277\275\360\237\230\200\357\277\275");
    buf_clear(&b);
    ck_assert_int_eq(sio_json_unescape(&b, L("\"\\b\\f\\n\\r\\t\\\"\\\\\"")), SIO_OK);
    SPAN_EQ(b.data, b.len, "\b\f\n\r\t\"\\");
    buf_clear(&b);
    static const char *bad[] = {"", "\"", "x", "\"abc", "\"a\"b\"", "\"\\\"", "\"\\x\"", "\"\\u12\"",
                                "\"\\u12G4\"", "\"a\001\"", "\"a\" "};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        ck_assert_msg(sio_json_unescape(&b, bad[k], strlen(bad[k])) == SIO_ERR_BAD_JSON, "%s", bad[k]);
    ck_assert_uint_eq(b.len, 0);
    buf_free(&b);
}
END_TEST

/* ---- encoders ---- */

START_TEST(encode_event)
{
    buf b = BUF_INIT;
    /* the hot path: the whole WebSocket frame in one buffer; equals what the real clients sent */
    buf_append_char(&b, '4');
    ck_assert_int_eq(sio_encode_event_str(&b, "/", -1, "counter", L(WEIRD)), SIO_OK);
    SPAN_EQ(b.data, b.len, WEIRD_FRAME);
    /* a g-crypt envelope as the seed sends it (node 20: JSON.stringify(["counter", JSON.stringify(env)])) */
    buf_clear(&b);
    buf_append_char(&b, '4');
    ck_assert_int_eq(sio_encode_event_str(&b, NULL, -1, "counter",
                                          L("{\"ct\":\"U2FsdGVkX1+abc/def==\",\"iv\":\"0a1b\",\"s\":\"ff00\"}")), SIO_OK);
    SPAN_EQ(b.data, b.len,
            "42[\"counter\",\"{\\\"ct\\\":\\\"U2FsdGVkX1+abc/def==\\\",\\\"iv\\\":\\\"0a1b\\\",\\\"s\\\":\\\"ff00\\\"}\"]");
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_event_str(&b, "/admin", 17, "ev", L("x")), SIO_OK);
    SPAN_EQ(b.data, b.len, "2/admin,17[\"ev\",\"x\"]");
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_event_str(&b, "/", 0, "ack-me", L("x")), SIO_OK);
    SPAN_EQ(b.data, b.len, "20[\"ack-me\",\"x\"]");                          /* captured */
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_event_str(&b, "/", -1, "e\"v", NULL, 0), SIO_OK);
    SPAN_EQ(b.data, b.len, "2[\"e\\\"v\",\"\"]");
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_event_json(&b, "/admin", 0, L("[\"ev\",1]")), SIO_OK);
    SPAN_EQ(b.data, b.len, "2/admin,0[\"ev\",1]");                            /* captured */
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_event_json(&b, NULL, -1, L("[\"burst\"]")), SIO_OK);
    SPAN_EQ(b.data, b.len, "2[\"burst\"]");
    /* refusals leave the buffer as it was */
    ck_assert_int_eq(sio_encode_event_str(&b, "admin", -1, "x", L("y")), SIO_ERR_BAD_NAMESPACE);
    ck_assert_int_eq(sio_encode_event_str(&b, "/a,b", -1, "x", L("y")), SIO_ERR_BAD_NAMESPACE);
    ck_assert_int_eq(sio_encode_event_str(&b, "/", -1, NULL, L("y")), SIO_ERR_BAD_ARG);
    ck_assert_int_eq(sio_encode_event_str(&b, "/", -1, "x", NULL, 3), SIO_ERR_BAD_ARG);
    ck_assert_int_eq(sio_encode_event_json(&b, "/", -1, L("{}")), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(sio_encode_event_json(&b, "/", -1, L("[1")), SIO_ERR_BAD_JSON);
    SPAN_EQ(b.data, b.len, "2[\"burst\"]");
    buf_free(&b);
}
END_TEST

START_TEST(encode_connect_disconnect_ack)
{
    buf b = BUF_INIT;
    static const struct { const char *nsp, *auth, *want; } c[] = {
        {"/", NULL, "0"},                                           /* captured v5 client */
        {NULL, NULL, "0"},
        {"/admin", "{\"token\":\"abc\"}", "0/admin,{\"token\":\"abc\"}"},   /* captured v5 client */
        {"/random", NULL, "0/random,"},                             /* captured, both versions */
        {"/admin?token=abc", NULL, "0/admin?token=abc,"},           /* captured v4 client */
        {"/", "{\"token\":\"abc\"}", "0{\"token\":\"abc\"}"},
    };
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        buf_clear(&b);
        ck_assert_int_eq(sio_encode_connect(&b, c[k].nsp, c[k].auth), SIO_OK);
        ck_assert_str_eq(buf_cstr(&b), c[k].want);
    }
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_disconnect(&b, "/"), SIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "1");                            /* captured */
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_disconnect(&b, "/admin"), SIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "1/admin,");                     /* captured */
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_ack(&b, "/", 0, L("[\"x\"]")), SIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "30[\"x\"]");                    /* captured (server side) */
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_ack(&b, NULL, 456, L("[1]")), SIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "3456[1]");
    buf_clear(&b);
    ck_assert_int_eq(sio_encode_ack(&b, "/admin", 17, L("[\"ok\"]")), SIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "3/admin,17[\"ok\"]");
    ck_assert_int_eq(sio_encode_ack(&b, "/admin", -1, L("[]")), SIO_ERR_BAD_ARG);
    ck_assert_int_eq(sio_encode_ack(&b, "/admin", 1, L("\"x\"")), SIO_ERR_BAD_JSON);
    ck_assert_int_eq(sio_encode_connect(&b, "", NULL), SIO_ERR_BAD_NAMESPACE);
    ck_assert_int_eq(sio_encode_disconnect(&b, "a"), SIO_ERR_BAD_NAMESPACE);
    ck_assert_str_eq(buf_cstr(&b), "3/admin,17[\"ok\"]");
    buf_free(&b);
}
END_TEST

START_TEST(roundtrip)
{
    buf b = BUF_INIT, arg = BUF_INIT;
    sio_packet p;
    const char *name;
    size_t nl;
    char s[256];
    for (int k = 0; k < 256; k++) s[k] = (char)k;
    /* every byte value (not valid UTF-8 above 0x7f, which the codec passes through) */
    ck_assert_int_eq(sio_encode_event_str(&b, "/x", 42, "counter", s, sizeof s), SIO_OK);
    ck_assert_int_eq(sio_packet_parse(b.data, b.len, &p), SIO_OK);
    ck_assert(sio_nsp_is(&p, "/x"));
    ck_assert_int_eq(p.ack_id, 42);
    ck_assert_int_eq(sio_event_first_string(&p, &name, &nl, &arg), SIO_OK);
    ck_assert_uint_eq(arg.len, sizeof s);
    ck_assert_mem_eq(arg.data, s, sizeof s);
    buf_free(&b);
    buf_free(&arg);
}
END_TEST

/* ---- robustness ---- */

static uint32_t rng = 777;
static uint32_t next_rand(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

static void parse_everything(const char *s, size_t n)
{
    char *copy = malloc(n ? n : 1);         /* exact size: ASan sees any read past n */
    memcpy(copy, s, n);
    sio_packet p;
    buf arg = BUF_INIT;
    const char *name, *e;
    size_t nl, pos = 0, el;
    int guard = 0;
    if (sio_packet_parse(copy, n, &p) == SIO_OK) {
        ck_assert(p.data >= copy && p.data + p.data_len <= copy + n);
        sio_event_first_string(&p, &name, &nl, &arg);
        sio_ack_first_string(&p, &arg);
    }
    sio_packet h = {SIO_EVENT, "/", 1, -1, copy, n};
    sio_event_first_string(&h, &name, &nl, &arg);
    h.type = SIO_ACK;
    sio_ack_first_string(&h, &arg);
    while (sio_array_next(copy, n, &pos, &e, &el) == SIO_OK) ck_assert_int_lt(++guard, 100000);
    sio_json_valid(copy, n);
    sio_json_unescape(&arg, copy, n);
    free(copy);
    buf_free(&arg);
}

START_TEST(hostile_bytes)
{
    static const char alphabet[] = "0123456/,[]{}\":\\u\\ud83d-.eE+truefalsenull \303\251\377\000";
    char s[64];
    for (int c = 0; c < 256; c++) { s[0] = (char)c; parse_everything(s, 1); }
    for (int k = 0; k < 50000; k++) {
        size_t n = next_rand() % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = next_rand() % 8 ? alphabet[next_rand() % (sizeof alphabet - 1)] : (char)next_rand();
        parse_everything(s, n);
    }
    for (size_t n = 0; n < sizeof WEIRD_FRAME; n++) parse_everything(WEIRD_FRAME + 1, n ? n - 1 : 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sio");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_v5_captured);
    tcase_add_test(tc, parse_v4_captured);
    tcase_add_test(tc, parse_forms);
    tcase_add_test(tc, parse_errors);
    tcase_add_test(tc, first_string);
    tcase_add_test(tc, ack_first_string);
    tcase_add_test(tc, array_iteration);
    tcase_add_test(tc, escape_like_json_stringify);
    tcase_add_test(tc, unescape_like_json_parse);
    tcase_add_test(tc, encode_event);
    tcase_add_test(tc, encode_connect_disconnect_ack);
    tcase_add_test(tc, roundtrip);
    tcase_add_test(tc, hostile_bytes);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return check_run(s);
}
