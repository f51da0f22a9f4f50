/* check_eio: Engine.IO 3/4 codec on exact bytes.
 * Byte strings marked "captured" were read off the wire from the real servers with
 * harness/scripts/wire-capture/ (raw HTTP long-polling and the real clients' WebSocket frames):
 *   EIO4: socket.io 4.8.4 (engine.io 6.6.12, engine.io-parser 5.2.3)
 *   EIO3: socket.io 2.5.1 (engine.io 3.6.2, engine.io-parser 2.2.1)
 * They are written with 3-digit octal escapes (\036 is the EIO4 separator 0x1E) so no hex escape runs on. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/eio.h"
#include "check_run.h"

#define L(lit) (lit), (sizeof(lit) - 1)
#define SPAN_EQ(ptr, len, lit) do { \
    ck_assert_uint_eq((len), sizeof(lit) - 1); \
    ck_assert_mem_eq((ptr), (lit), sizeof(lit) - 1); } while (0)

/* captured: EIO4 polling handshake (GET /socket.io/?EIO=4&transport=polling) */
static const char OPEN4[] = "0{\"sid\":\"mGFuAd4IxvmP730eAAAB\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                            "\"pingTimeout\":20000,\"maxPayload\":1000000}";
/* captured: EIO4 straight to transport=websocket, first text frame */
static const char OPEN4_WS[] = "0{\"sid\":\"OR_Zou4CEM-dwMfmAAAC\",\"upgrades\":[],\"pingInterval\":25000,"
                               "\"pingTimeout\":20000,\"maxPayload\":1000000}";
/* captured: EIO3 handshake; socket.io 2 appends its CONNECT for "/" in the same payload */
static const char OPEN3[] = "97:0{\"sid\":\"yKr5-qo2ROH6qFDFAAAE\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,"
                            "\"pingTimeout\":20000}2:40";

/* ---- single packets ---- */

START_TEST(packet_every_type)
{
    static const struct { const char *in; eio_type t; const char *data; } v[] = {
        {"0{\"sid\":\"x\"}", EIO_OPEN, "{\"sid\":\"x\"}"},
        {"1", EIO_CLOSE, ""},
        {"2", EIO_PING, ""},
        {"2probe", EIO_PING, "probe"},      /* captured: upgrade probe, both versions */
        {"3probe", EIO_PONG, "probe"},
        {"3", EIO_PONG, ""},
        {"4hello", EIO_MESSAGE, "hello"},
        {"40", EIO_MESSAGE, "0"},
        {"5", EIO_UPGRADE, ""},
        {"6", EIO_NOOP, ""},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        eio_packet p;
        ck_assert_int_eq(eio_packet_parse(v[k].in, strlen(v[k].in), &p), EIO_OK);
        ck_assert_int_eq(p.type, v[k].t);
        ck_assert_uint_eq(p.len, strlen(v[k].data));
        ck_assert_mem_eq(p.data, v[k].data, p.len);
        ck_assert_ptr_eq(p.data, v[k].in + 1);      /* zero-copy */
    }
    ck_assert_str_eq(eio_type_name(EIO_MESSAGE), "message");
    ck_assert_str_eq(eio_type_name((eio_type)9), "unknown");
}
END_TEST

START_TEST(packet_errors)
{
    eio_packet p;
    ck_assert_int_eq(eio_packet_parse("", 0, &p), EIO_ERR_EMPTY);
    ck_assert_int_eq(eio_packet_parse(L("7"), &p), EIO_ERR_BAD_TYPE);
    ck_assert_int_eq(eio_packet_parse(L("x4"), &p), EIO_ERR_BAD_TYPE);
    ck_assert_int_eq(eio_packet_parse(L("\0004"), &p), EIO_ERR_BAD_TYPE);
    ck_assert_int_eq(eio_packet_parse(L("/4"), &p), EIO_ERR_BAD_TYPE);
    /* captured: EIO4 base64 binary packet, EIO3 b64=1 binary packet */
    ck_assert_int_eq(eio_packet_parse(L("bAQID"), &p), EIO_ERR_BINARY_UNSUPPORTED);
    ck_assert_int_eq(eio_packet_parse(L("b4AQID"), &p), EIO_ERR_BINARY_UNSUPPORTED);
    ck_assert_str_eq(eio_err_name(EIO_ERR_EMPTY), "empty");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_TYPE), "bad-type");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_LENGTH), "bad-length");
    ck_assert_str_eq(eio_err_name(EIO_ERR_TRUNCATED), "truncated");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BINARY_UNSUPPORTED), "binary-unsupported");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_JSON), "bad-json");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_UTF8), "bad-utf8");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_PROTO), "bad-proto");
    ck_assert_str_eq(eio_err_name(EIO_ERR_NOMEM), "nomem");
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_ARG), "bad-arg");
    ck_assert_str_eq(eio_err_name(EIO_END), "end");
    ck_assert_str_eq(eio_err_name(-99), "unknown");
}
END_TEST

/* ---- payload iteration ---- */

/* Iterate a whole payload; expect the packets "<type><data>" in want[] and then final (EIO_END or an error). */
static void expect_payload(int proto, const char *s, size_t n, const char *const *want, size_t nwant, int final)
{
    size_t pos = 0, k = 0;
    eio_packet p;
    int rc;
    while ((rc = eio_payload_next(proto, s, n, &pos, &p)) == EIO_OK) {
        ck_assert_uint_lt(k, nwant);
        ck_assert_int_eq('0' + p.type, want[k][0]);
        ck_assert_uint_eq(p.len, strlen(want[k]) - 1);
        ck_assert_mem_eq(p.data, want[k] + 1, p.len);
        ck_assert(p.data >= s && p.data + p.len <= s + n);     /* points into the input */
        k++;
    }
    ck_assert_msg(rc == final, "payload ended with %s, want %s", eio_err_name(rc), eio_err_name(final));
    ck_assert_uint_eq(k, nwant);
    /* once ended (or failed), it stays ended */
    ck_assert_int_eq(eio_payload_next(proto, s, n, &pos, &p), EIO_END);
}
#define EXPECT(proto, lit, final, ...) do { \
    static const char *const w_[] = {__VA_ARGS__}; \
    expect_payload(proto, lit, sizeof(lit) - 1, w_, sizeof w_ / sizeof w_[0], final); } while (0)
#define EXPECT_NONE(proto, lit, final) expect_payload(proto, lit, sizeof(lit) - 1, NULL, 0, final)

START_TEST(payload4_captured)
{
    EXPECT(4, OPEN4, EIO_END, OPEN4);
    /* captured: answer to "40/admin,\03640/random,\03640/auth," (unknown namespace, middleware error) */
    EXPECT(4, "44/random,{\"message\":\"Invalid namespace\"}\03640/admin,{\"sid\":\"JdaIOC8xES2zbaXqAAAE\"}"
              "\03644/auth,{\"message\":\"Not authorized\"}", EIO_END,
           "44/random,{\"message\":\"Invalid namespace\"}", "40/admin,{\"sid\":\"JdaIOC8xES2zbaXqAAAE\"}",
           "44/auth,{\"message\":\"Not authorized\"}");
    /* captured: three emits in one poll; the string has quotes, \n, \t, é, an emoji and U+0001 */
    EXPECT(4, "42[\"a\",1]\03642[\"b\",\"two\"]\03642[\"echo\",\"he said \\\"hi\\\"\\n\\tcaf\303\251 "
              "\360\237\230\200 \\u0001 back\\\\slash /\"]", EIO_END,
           "42[\"a\",1]", "42[\"b\",\"two\"]",
           "42[\"echo\",\"he said \\\"hi\\\"\\n\\tcaf\303\251 \360\237\230\200 \\u0001 back\\\\slash /\"]");
    /* captured: an ack and a namespace disconnect */
    EXPECT(4, "43456[1]", EIO_END, "43456[1]");
    EXPECT(4, "41/admin,", EIO_END, "41/admin,");
    /* captured: the GET after the client POSTed an invalid packet ("42{}"): noop, then close */
    EXPECT(4, "6\0361", EIO_END, "6", "1");
    /* captured: a Buffer argument: BINARY_EVENT then its attachment as a "b<base64>" packet */
    EXPECT(4, "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\036bAQID", EIO_ERR_BINARY_UNSUPPORTED,
           "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
}
END_TEST

START_TEST(payload4_edges)
{
    EXPECT_NONE(4, "", EIO_END);
    EXPECT(4, "4\0362\0366", EIO_END, "4", "2", "6");
    EXPECT(4, "4a\036", EIO_ERR_EMPTY, "4a");               /* trailing separator: empty last piece */
    EXPECT_NONE(4, "\0364a", EIO_ERR_EMPTY);                  /* leading separator */
    EXPECT(4, "4a\036\0364b", EIO_ERR_EMPTY, "4a");
    EXPECT(4, "4a\0369", EIO_ERR_BAD_TYPE, "4a");
    EXPECT_NONE(4, "\036", EIO_ERR_EMPTY);
    /* EIO3 framing is not EIO4 framing */
    EXPECT_NONE(4, "97:0{}2:40", EIO_ERR_BAD_TYPE);
    EXPECT(4, "2:40", EIO_END, "2:40");               /* (a ping with data ":40", as engine.io reads it) */
    size_t pos = 0;
    eio_packet p;
    ck_assert_int_eq(eio_payload_next(5, L("40"), &pos, &p), EIO_ERR_BAD_PROTO);
}
END_TEST

START_TEST(payload3_captured)
{
    EXPECT(3, OPEN3, EIO_END, "0{\"sid\":\"yKr5-qo2ROH6qFDFAAAE\",\"upgrades\":[\"websocket\"],"
                              "\"pingInterval\":25000,\"pingTimeout\":20000}", "40");
    /* captured: socket.io 2 CONNECT_ERROR is a plain JSON string */
    EXPECT(3, "29:44/random,\"Invalid namespace\"9:40/admin,24:44/auth,\"Not authorized\"", EIO_END,
           "44/random,\"Invalid namespace\"", "40/admin,", "44/auth,\"Not authorized\"");
    /* captured: 59 counts UTF-16 units: the emoji is 2 units (4 bytes), é is 1 (2 bytes); 63 bytes */
    EXPECT(3, "9:42[\"a\",1]13:42[\"b\",\"two\"]59:42[\"echo\",\"he said \\\"hi\\\"\\n\\tcaf\303\251 "
              "\360\237\230\200 \\u0001 back\\\\slash /\"]", EIO_END,
           "42[\"a\",1]", "42[\"b\",\"two\"]",
           "42[\"echo\",\"he said \\\"hi\\\"\\n\\tcaf\303\251 \360\237\230\200 \\u0001 back\\\\slash /\"]");
    /* captured: 12 units, 14 bytes */
    EXPECT(3, "12:42[\"e\",\"\360\237\230\200\"]", EIO_END, "42[\"e\",\"\360\237\230\200\"]");
    EXPECT(3, "8:43456[1]", EIO_END, "43456[1]");
    EXPECT(3, "17:43/admin,17[\"ok\"]", EIO_END, "43/admin,17[\"ok\"]");
    /* captured: the server closing a session that sent a malformed payload: noop then close */
    EXPECT(3, "1:61:1", EIO_END, "6", "1");
    /* captured: EIO3 heartbeat is client-driven: the answer to a POSTed "1:2" */
    EXPECT(3, "1:3", EIO_END, "3");
    /* captured with b64=1: the attachment is a "b4<base64>" packet */
    EXPECT(3, "41:451-[\"bin\",{\"_placeholder\":true,\"num\":0}]6:b4AQID", EIO_ERR_BINARY_UNSUPPORTED,
           "451-[\"bin\",{\"_placeholder\":true,\"num\":0}]");
    /* captured without b64: an application/octet-stream binary payload */
    EXPECT_NONE(3, "\000\004\001\377451-[\"bin\",{\"_placeholder\":true,\"num\":0}]\001\004\377\004\001\002\003",
                EIO_ERR_BINARY_UNSUPPORTED);
}
END_TEST

START_TEST(payload3_edges)
{
    EXPECT_NONE(3, "", EIO_END);
    EXPECT_NONE(3, "0:", EIO_END);                    /* engine.io 3's empty payload */
    EXPECT(3, "0:1:60:", EIO_END, "6");
    EXPECT(3, "2:4\303\251", EIO_END, "4\303\251");   /* é: one unit */
    EXPECT_NONE(3, "5:4abc", EIO_ERR_TRUNCATED);      /* body cut short */
    EXPECT_NONE(3, "12", EIO_ERR_TRUNCATED);          /* cut inside the length */
    EXPECT(3, "3:4abc", EIO_ERR_BAD_LENGTH, "4ab");   /* length too short: "c" is no length */
    EXPECT_NONE(3, ":4", EIO_ERR_BAD_LENGTH);
    EXPECT_NONE(3, "x:4", EIO_ERR_BAD_LENGTH);
    EXPECT_NONE(3, "-1:4", EIO_ERR_BAD_LENGTH);
    EXPECT_NONE(3, "1234567890:4", EIO_ERR_BAD_LENGTH);
    EXPECT_NONE(3, "2:4\360\237\230\200", EIO_ERR_BAD_LENGTH);   /* would split the surrogate pair */
    EXPECT_NONE(3, "3:4\360\237\230", EIO_ERR_TRUNCATED);         /* emoji cut */
    EXPECT_NONE(3, "2:4\377", EIO_ERR_BAD_UTF8);
    EXPECT_NONE(3, "2:4\355\240\200", EIO_ERR_BAD_UTF8);          /* UTF-8-encoded surrogate */
    EXPECT_NONE(3, "2:7", EIO_ERR_TRUNCATED);
    EXPECT_NONE(3, "1:7", EIO_ERR_BAD_TYPE);
    EXPECT_NONE(3, "1:\036", EIO_ERR_BAD_TYPE);
    /* the byte count (18) instead of the UTF-16 count (16): the server killed that session */
    EXPECT_NONE(3, "18:42[\"emoji\",\"\360\237\230\200\"]", EIO_ERR_TRUNCATED);
    /* EIO4 framing is not EIO3 framing */
    EXPECT_NONE(3, "4a\0364b", EIO_ERR_BAD_LENGTH);
}
END_TEST

/* ---- encoders ---- */

START_TEST(encode_packets)
{
    buf b = BUF_INIT;
    ck_assert_int_eq(eio_packet_encode(&b, EIO_PING, L("probe")), EIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "2probe");
    buf_clear(&b);
    ck_assert_int_eq(eio_packet_encode(&b, EIO_UPGRADE, NULL, 0), EIO_OK);
    ck_assert_int_eq(eio_packet_encode(&b, EIO_CLOSE, "", 0), EIO_OK);
    ck_assert_str_eq(buf_cstr(&b), "51");           /* appends */
    ck_assert_int_eq(eio_packet_encode(&b, (eio_type)7, "", 0), EIO_ERR_BAD_ARG);
    ck_assert_uint_eq(b.len, 2);
    buf_free(&b);
}
END_TEST

START_TEST(encode_payload4)
{
    buf b = BUF_INIT;
    ck_assert_int_eq(eio_payload_append(4, &b, EIO_MESSAGE, L("0/admin,")), EIO_OK);
    ck_assert_int_eq(eio_payload_append(4, &b, EIO_MESSAGE, L("0/random,")), EIO_OK);
    ck_assert_int_eq(eio_payload_append(4, &b, EIO_MESSAGE, L("0/auth,")), EIO_OK);
    /* the POST body sent in the capture, answered "ok" by socket.io 4.8.4 */
    SPAN_EQ(b.data, b.len, "40/admin,\03640/random,\03640/auth,");
    buf_clear(&b);
    ck_assert_int_eq(eio_payload_append(4, &b, EIO_CLOSE, NULL, 0), EIO_OK);
    SPAN_EQ(b.data, b.len, "1");
    ck_assert_int_eq(eio_payload_append(2, &b, EIO_CLOSE, NULL, 0), EIO_ERR_BAD_PROTO);
    ck_assert_int_eq(eio_payload_append(4, &b, (eio_type)-1, NULL, 0), EIO_ERR_BAD_ARG);
    buf_free(&b);
}
END_TEST

START_TEST(encode_payload3)
{
    buf b = BUF_INIT;
    ck_assert_int_eq(eio_payload_append(3, &b, EIO_MESSAGE, L("0/admin,")), EIO_OK);
    ck_assert_int_eq(eio_payload_append(3, &b, EIO_PING, NULL, 0), EIO_OK);
    SPAN_EQ(b.data, b.len, "9:40/admin,1:2");
    buf_clear(&b);
    /* socket.io 2.5.1 accepted exactly this POST body (UTF-16 length 16; the byte length 18 killed
     * the session) and answered the emit */
    ck_assert_int_eq(eio_payload_append(3, &b, EIO_MESSAGE, L("2[\"emoji\",\"\360\237\230\200\"]")), EIO_OK);
    SPAN_EQ(b.data, b.len, "16:42[\"emoji\",\"\360\237\230\200\"]");
    /* invalid UTF-8 has no UTF-16 length: refused, buffer untouched */
    ck_assert_int_eq(eio_payload_append(3, &b, EIO_MESSAGE, L("\377")), EIO_ERR_BAD_UTF8);
    SPAN_EQ(b.data, b.len, "16:42[\"emoji\",\"\360\237\230\200\"]");
    buf_free(&b);
}
END_TEST

START_TEST(encode_roundtrip)
{
    static const char *pk[] = {"2", "42[\"x\",\"\360\237\230\200\"]", "41/admin,", "6"};
    for (int proto = 3; proto <= 4; proto++) {
        buf b = BUF_INIT;
        for (size_t k = 0; k < 4; k++)
            ck_assert_int_eq(eio_payload_append(proto, &b, (eio_type)(pk[k][0] - '0'), pk[k] + 1,
                                                strlen(pk[k]) - 1), EIO_OK);
        expect_payload(proto, b.data, b.len, pk, 4, EIO_END);
        buf_free(&b);
    }
}
END_TEST

START_TEST(utf16_len)
{
    ck_assert_int_eq(eio_utf16_len(L("")), 0);
    ck_assert_int_eq(eio_utf16_len(L("abc")), 3);
    ck_assert_int_eq(eio_utf16_len(L("\303\251")), 1);                  /* é */
    ck_assert_int_eq(eio_utf16_len(L("\342\202\254")), 1);              /* € */
    ck_assert_int_eq(eio_utf16_len(L("a\360\237\230\200b")), 4);        /* emoji = 2 units */
    ck_assert_int_eq(eio_utf16_len(L("\364\217\277\277")), 2);          /* U+10FFFF */
    ck_assert_int_eq(eio_utf16_len(L("\000")), 1);
    ck_assert_int_eq(eio_utf16_len(L("\300\200")), -1);                 /* overlong NUL */
    ck_assert_int_eq(eio_utf16_len(L("\340\200\200")), -1);             /* overlong */
    ck_assert_int_eq(eio_utf16_len(L("\360\200\200\200")), -1);         /* overlong */
    ck_assert_int_eq(eio_utf16_len(L("\355\240\200")), -1);             /* surrogate */
    ck_assert_int_eq(eio_utf16_len(L("\364\220\200\200")), -1);         /* > U+10FFFF */
    ck_assert_int_eq(eio_utf16_len(L("\365\200\200\200")), -1);
    ck_assert_int_eq(eio_utf16_len(L("\342\202")), -1);                 /* cut */
    ck_assert_int_eq(eio_utf16_len(L("\200")), -1);                     /* stray continuation */
    ck_assert_int_eq(eio_utf16_len(L("\303\051")), -1);                 /* bad continuation */
}
END_TEST

/* ---- open packet and HTTP errors ---- */

START_TEST(open_captured)
{
    eio_open o;
    ck_assert_int_eq(eio_open_parse(OPEN4 + 1, sizeof OPEN4 - 2, &o), EIO_OK);
    ck_assert_str_eq(o.sid, "mGFuAd4IxvmP730eAAAB");
    ck_assert_int_eq(o.upgrade_websocket, 1);
    ck_assert_int_eq(o.ping_interval, 25000);
    ck_assert_int_eq(o.ping_timeout, 20000);
    ck_assert_int_eq(o.max_payload, 1000000);

    ck_assert_int_eq(eio_open_parse(OPEN4_WS + 1, sizeof OPEN4_WS - 2, &o), EIO_OK);
    ck_assert_str_eq(o.sid, "OR_Zou4CEM-dwMfmAAAC");
    ck_assert_int_eq(o.upgrade_websocket, 0);

    /* EIO3: the open packet inside the "97:" payload; no maxPayload */
    size_t pos = 0;
    eio_packet p;
    ck_assert_int_eq(eio_payload_next(3, OPEN3, sizeof OPEN3 - 1, &pos, &p), EIO_OK);
    ck_assert_int_eq(p.type, EIO_OPEN);
    ck_assert_int_eq(eio_open_parse(p.data, p.len, &o), EIO_OK);
    ck_assert_str_eq(o.sid, "yKr5-qo2ROH6qFDFAAAE");
    ck_assert_int_eq(o.upgrade_websocket, 1);
    ck_assert_int_eq(o.ping_interval, 25000);
    ck_assert_int_eq(o.ping_timeout, 20000);
    ck_assert_int_eq(o.max_payload, 0);
}
END_TEST

START_TEST(open_errors)
{
    eio_open o;
    /* n is honoured: the same bytes cut short are not JSON */
    ck_assert_int_eq(eio_open_parse(OPEN4 + 1, sizeof OPEN4 - 3, &o), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L(""), &o), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L("[]"), &o), EIO_ERR_BAD_JSON);
    /* what engine.io-client's JSON.parse throws on is not a handshake, whatever cJSON makes of it */
#define GOOD_OPEN "{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1"
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN "}"), &o), EIO_OK);
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN "} "), &o), EIO_OK);
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN "}x"), &o), EIO_ERR_BAD_JSON);     /* text after it */
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN "}{}"), &o), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN ",\"maxPayload\":01}"), &o), EIO_ERR_BAD_JSON);  /* 01 */
    ck_assert_int_eq(eio_open_parse(L(GOOD_OPEN ",\"maxPayload\":1.}"), &o), EIO_ERR_BAD_JSON);
#undef GOOD_OPEN
    ck_assert_int_eq(eio_open_parse(L("{\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);                                  /* no sid */
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_SID);
    ck_assert_str_eq(o.why, "sid is empty");
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":1,\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"pingInterval\":1,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);                                  /* no upgrades */
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":\"1\",\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":-1,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,"
                                      "\"maxPayload\":null}"), &o), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[\"polling\",7],\"pingInterval\":1,"
                                      "\"pingTimeout\":2}"), &o), EIO_OK);
    ck_assert_int_eq(o.upgrade_websocket, 0);
    char big[200];
    int l = snprintf(big, sizeof big, "{\"sid\":\"%070d\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}", 0);
    ck_assert_int_eq(eio_open_parse(big, (size_t)l, &o), EIO_ERR_BAD_SID);   /* sid does not fit */
    ck_assert_str_eq(o.why, "sid is longer than 63 bytes");
    ck_assert_int_eq(eio_open_parse(L("[]"), &o), EIO_ERR_BAD_JSON);
    ck_assert_str_eq(o.why, "not a JSON object");
}
END_TEST

/* The sid is copied into request lines: a server that sends CR LF in it must not be able to add headers
 * to our websocket upgrade (it did: "X-Injected: 1"), nor '&' / '#' / spaces to our URLs. */
START_TEST(open_sid_must_be_a_token)
{
    static const char *bad[][2] = {
        {"a\\r\\nX-Injected: 1", "sid has a control byte"},
        {"abc\\n", "sid has a control byte"},
        {"a\\u0001b", "sid has a control byte"},
        {"a\\u007fb", "sid has a control byte"},
        {"a b", "sid has a space"},
        {"a&b=c", "sid has a byte outside A-Z a-z 0-9 - _ . ~"},
        {"a/b", "sid has a byte outside A-Z a-z 0-9 - _ . ~"},
        {"caf\u00e9", "sid has a byte outside A-Z a-z 0-9 - _ . ~"},
        {"\\u001b[31mred", "sid has a control byte"}};
    eio_open o;
    char json[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int n = snprintf(json, sizeof json, "{\"sid\":\"%s\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1}",
                         bad[i][0]);
        ck_assert_msg(eio_open_parse(json, (size_t)n, &o) == EIO_ERR_BAD_SID, "accepted %s", json);
        ck_assert_str_eq(o.why, bad[i][1]);
    }
    ck_assert_str_eq(eio_err_name(EIO_ERR_BAD_SID), "bad-sid");
    ck_assert_ptr_null(eio_sid_problem("mGFuAd4IxvmP730eAAAB", 20));
    ck_assert_ptr_null(eio_sid_problem("0f8e-Ab_c.d~", 12));
    char sid63[64];
    memset(sid63, 'x', 63);
    ck_assert_ptr_null(eio_sid_problem(sid63, 63));
    ck_assert_ptr_nonnull(eio_sid_problem(sid63, 64));
}
END_TEST

/* pingInterval 1e13 ms times 1e6 is past int64 (UBSan aborted; release builds timed out at once). */
START_TEST(open_ping_numbers_clamped)
{
    eio_open o;
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1e13,\"pingTimeout\":9e12}"), &o),
                     EIO_OK);
    ck_assert_int_eq(o.ping_interval, EIO_PING_MAX_MS);
    ck_assert_int_eq(o.ping_timeout, EIO_PING_MAX_MS);
    ck_assert_ptr_null(o.why);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":1e308,\"pingTimeout\":3600001,"
                                      "\"maxPayload\":300000000}"), &o), EIO_OK);
    ck_assert_int_eq(o.ping_interval, EIO_PING_MAX_MS);
    ck_assert_int_eq(o.ping_timeout, EIO_PING_MAX_MS);
    ck_assert_int_eq(o.max_payload, 300000000);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":3600000,\"pingTimeout\":0}"), &o),
                     EIO_OK);
    ck_assert_int_eq(o.ping_interval, 3600000);
    ck_assert_int_eq(o.ping_timeout, 0);
    ck_assert_int_eq(eio_open_parse(L("{\"sid\":\"a\",\"upgrades\":[],\"pingInterval\":-1e13,\"pingTimeout\":1}"), &o),
                     EIO_ERR_BAD_JSON);
    ck_assert_str_eq(o.why, "pingInterval is not a number >= 0");
    /* what the client does with them: ns fit int64 with room to add */
    int64_t ns = (int64_t)EIO_PING_MAX_MS * 1000000;
    ck_assert(ns > 0 && ns * 4 > 0);
}
END_TEST

START_TEST(http_errors_captured)
{
    eio_http_error e;
    /* captured from engine.io 6.6.12 (the first three also from engine.io 3.6.2) */
    ck_assert_int_eq(eio_error_parse(L("{\"code\":1,\"message\":\"Session ID unknown\"}"), &e), EIO_OK);
    ck_assert_int_eq(e.code, 1);
    ck_assert_str_eq(e.message, "Session ID unknown");
    ck_assert_int_eq(eio_error_parse(L("{\"code\":0,\"message\":\"Transport unknown\"}"), &e), EIO_OK);
    ck_assert_int_eq(e.code, 0);
    ck_assert_str_eq(e.message, "Transport unknown");
    ck_assert_int_eq(eio_error_parse(L("{\"code\":5,\"message\":\"Unsupported protocol version\"}"), &e), EIO_OK);
    ck_assert_int_eq(e.code, 5);
    ck_assert_str_eq(e.message, "Unsupported protocol version");
    ck_assert_int_eq(eio_error_parse(L("{\"code\":2,\"message\":\"Bad handshake method\"}"), &e), EIO_OK);
    ck_assert_int_eq(e.code, 2);
    ck_assert_int_eq(eio_error_parse(L("ok"), &e), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_error_parse(L("{\"code\":\"1\",\"message\":\"x\"}"), &e), EIO_ERR_BAD_JSON);
    ck_assert_int_eq(eio_error_parse(L("{\"code\":1}"), &e), EIO_ERR_BAD_JSON);
    char big[400];
    int l = snprintf(big, sizeof big, "{\"code\":3,\"message\":\"%0300d\"}", 0);
    ck_assert_int_eq(eio_error_parse(big, (size_t)l, &e), EIO_OK);   /* message truncated, not refused */
    ck_assert_uint_eq(strlen(e.message), sizeof e.message - 1);
}
END_TEST

/* ---- robustness: every parser on hostile bytes (each input in its own exact-size heap block, so ASan
 * catches any read past n) ---- */

static uint32_t rng = 12345;
static uint32_t next_rand(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

static void parse_everything(const char *s, size_t n)
{
    char *copy = malloc(n ? n : 1);
    memcpy(copy, s, n);
    eio_packet p;
    eio_open o;
    eio_http_error e;
    for (int proto = 3; proto <= 4; proto++) {
        size_t pos = 0;
        int guard = 0;
        while (eio_payload_next(proto, copy, n, &pos, &p) == EIO_OK) {
            ck_assert(p.data >= copy && p.data + p.len <= copy + n);
            ck_assert_int_lt(++guard, 100000);
        }
    }
    eio_packet_parse(copy, n, &p);
    eio_open_parse(copy, n, &o);
    eio_error_parse(copy, n, &e);
    eio_utf16_len(copy, n);
    free(copy);
}

START_TEST(hostile_bytes)
{
    static const char alphabet[] = "0123456789:\036b{}\"[],4\303\251\360\237\230\200\377\000";
    char s[64];
    for (int c = 0; c < 256; c++) { s[0] = (char)c; parse_everything(s, 1); }
    for (int k = 0; k < 20000; k++) {
        size_t n = next_rand() % sizeof s;
        for (size_t i = 0; i < n; i++)
            s[i] = next_rand() % 4 ? alphabet[next_rand() % (sizeof alphabet - 1)] : (char)next_rand();
        parse_everything(s, n);
    }
    /* every prefix of the captured payloads */
    for (size_t n = 0; n < sizeof OPEN3; n++) parse_everything(OPEN3, n);
    for (size_t n = 0; n < sizeof OPEN4; n++) parse_everything(OPEN4, n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("eio");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, packet_every_type);
    tcase_add_test(tc, packet_errors);
    tcase_add_test(tc, payload4_captured);
    tcase_add_test(tc, payload4_edges);
    tcase_add_test(tc, payload3_captured);
    tcase_add_test(tc, payload3_edges);
    tcase_add_test(tc, encode_packets);
    tcase_add_test(tc, encode_payload4);
    tcase_add_test(tc, encode_payload3);
    tcase_add_test(tc, encode_roundtrip);
    tcase_add_test(tc, utf16_len);
    tcase_add_test(tc, open_captured);
    tcase_add_test(tc, open_errors);
    tcase_add_test(tc, open_sid_must_be_a_token);
    tcase_add_test(tc, open_ping_numbers_clamped);
    tcase_add_test(tc, http_errors_captured);
    tcase_add_test(tc, hostile_bytes);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return check_run(s);
}
