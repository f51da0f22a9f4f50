/* Check tests for b64/hex: RFC 4648 vectors, and crypto-js's lenient readings (values observed by running
 * crypto-js 3.3.0's Base64.parse / Hex.parse, see vectors/generate.js's notes). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "crypto/b64.h"
#include "check_run.h"

static size_t dec(const char *s, uint8_t *out, int *canon)
{
    return b64_decode_cryptojs(s, strlen(s), out, canon);
}

START_TEST(test_encode_rfc4648)
{
    static const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *want[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    char out[16];
    for (int i = 0; i < 7; i++) {
        size_t n = b64_encode(in[i], strlen(in[i]), out);
        ck_assert_str_eq(out, want[i]);
        ck_assert_uint_eq(n, B64_ENCODED_LEN(strlen(in[i])));
        uint8_t back[16];
        int canon = 0;
        size_t k = dec(want[i], back, &canon);
        ck_assert_uint_eq(k, strlen(in[i]));
        ck_assert(canon);
        ck_assert(!memcmp(back, in[i], k));
    }
}
END_TEST

START_TEST(test_decode_all_bytes_roundtrip)
{
    uint8_t in[256], back[256];
    char enc[B64_ENCODED_LEN(256) + 1];
    for (int i = 0; i < 256; i++) in[i] = (uint8_t)i;
    for (size_t n = 0; n <= 256; n++) {
        b64_encode(in, n, enc);
        ck_assert_int_eq(b64_decode_strict(enc, strlen(enc), back), (long)n);
        ck_assert(!memcmp(in, back, n));
    }
}
END_TEST

START_TEST(test_decode_lenient_like_cryptojs)
{
    uint8_t out[16];
    int canon;
    /* "QU!D": crypto-js 3.3.0 gives 41 40 03 (the invalid '!' counts as 0) */
    ck_assert_uint_eq(dec("QU!D", out, &canon), 3);
    ck_assert(!canon);
    ck_assert(out[0] == 0x41 && out[1] == 0x40 && out[2] == 0x03);
    /* a 5th character at a position multiple of 4 yields nothing */
    ck_assert_uint_eq(dec("QUJDR", out, &canon), 3);
    ck_assert(!canon);
    ck_assert(!memcmp(out, "ABC", 3));
    ck_assert_uint_eq(dec("QUJD\n", out, &canon), 3);
    ck_assert(!canon);
    /* everything from the first '=' on is ignored */
    ck_assert_uint_eq(dec("Q=UJD", out, &canon), 0);
    ck_assert(!canon);
    ck_assert_uint_eq(dec("Zg==junk", out, &canon), 1);
    ck_assert(!canon && out[0] == 'f');
    /* missing padding is read the same, but is not canonical */
    ck_assert_uint_eq(dec("Zg", out, &canon), 1);
    ck_assert(!canon && out[0] == 'f');
    /* non-zero trailing bits: same byte, not canonical */
    ck_assert_uint_eq(dec("Zh==", out, &canon), 1);
    ck_assert(!canon && out[0] == 'f');
    /* a single character yields no byte */
    ck_assert_uint_eq(dec("Z", out, &canon), 0);
    ck_assert(!canon);
    ck_assert_uint_eq(dec("", out, &canon), 0);
    ck_assert(canon);
    ck_assert_int_eq(b64_decode_strict("Zg", 2, out), -1);
    ck_assert_uint_eq(b64_decoded_max(4), 3);
    ck_assert_uint_eq(b64_decoded_max(5), 3);
    ck_assert_uint_eq(b64_decoded_max(6), 4);
}
END_TEST

START_TEST(test_hex)
{
    uint8_t in[] = {0x00, 0x01, 0xab, 0xff}, out[4];
    char h[9];
    hex_encode(in, 4, h);
    ck_assert_str_eq(h, "0001abff");
    ck_assert_int_eq(hex_decode("0001ABff", 8, out, 4), 0);
    ck_assert(!memcmp(in, out, 4));
    ck_assert_int_eq(hex_decode("0001abf", 7, out, 4), -1);
    ck_assert_int_eq(hex_decode("0001abfg", 8, out, 4), -1);
}
END_TEST

static void units(const char *s, uint16_t *u) { while (*s) *u++ = (uint8_t)*s++; }

START_TEST(test_hex_cryptojs)
{
    uint16_t u[16];
    uint8_t out[8];
    int canon;
    /* observed with crypto-js: "zz12" -> 00 12, "-a12" -> f6 12, "12-a" -> ff f6, " a0x" -> 0a 00 */
    units("zz12", u); hex_decode_cryptojs(u, 4, out, &canon);
    ck_assert(out[0] == 0x00 && out[1] == 0x12 && !canon);
    units("-a12", u); hex_decode_cryptojs(u, 4, out, &canon);
    ck_assert(out[0] == 0xf6 && out[1] == 0x12 && !canon);
    units("12-a", u); hex_decode_cryptojs(u, 4, out, &canon);
    ck_assert(out[0] == 0xff && out[1] == 0xf6);
    units(" a0x", u); hex_decode_cryptojs(u, 4, out, &canon);
    ck_assert(out[0] == 0x0a && out[1] == 0x00);
    units("ABcd0123456789ef", u); hex_decode_cryptojs(u, 16, out, &canon);
    ck_assert(out[0] == 0xab && out[1] == 0xcd && out[7] == 0xef && !canon);   /* uppercase: not canonical */
    units("abcd0123456789ef", u); hex_decode_cryptojs(u, 16, out, &canon);
    ck_assert(canon);
    u[0] = 0x3000; u[1] = '7';                                                  /* ideographic space */
    hex_decode_cryptojs(u, 2, out, &canon);
    ck_assert(out[0] == 7);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("b64");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_encode_rfc4648);
    tcase_add_test(tc, test_decode_all_bytes_roundtrip);
    tcase_add_test(tc, test_decode_lenient_like_cryptojs);
    tcase_add_test(tc, test_hex);
    tcase_add_test(tc, test_hex_cryptojs);
    suite_add_tcase(s, tc);
    return check_run(s);
}
