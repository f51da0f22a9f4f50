/* Check tests for envelope: the KDF against OpenSSL's own EVP_BytesToKey, encrypt against a hand-built
 * OpenSSL envelope and against envelopes crypto-js 3.3.0 wrote (copied from vectors/cryptojs-3.3.0.json),
 * round trips, the crypto-js leniencies (padding, iv, base64), and every error class. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "crypto/b64.h"
#include "crypto/envelope.h"
#include "check_run.h"

#define PASS "super-secret-passphrase"

static envelope_ctx *ctx;
static void setup(void) { ctx = envelope_ctx_new(PASS, strlen(PASS)); ck_assert_ptr_nonnull(ctx); }
static void teardown(void) { envelope_ctx_free(ctx); }

static envelope_err dec(const char *env, buf *out, unsigned *w)
{
    buf_clear(out);
    return envelope_decrypt(ctx, env, strlen(env), out, w);
}

/* An envelope built with plain OpenSSL calls: given plaintext bytes, padding on/off, and the iv text. */
static void openssl_envelope(const char *pass, const uint8_t salt[8], const void *pt, size_t n, int padding,
                             const char *iv_override, buf *out)
{
    uint8_t key[32], iv[16], ct[256];
    int l1, l2;
    ck_assert_int_eq(EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt, (const uint8_t *)pass, (int)strlen(pass), 1,
                                    key, iv), 32);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv);
    EVP_CIPHER_CTX_set_padding(c, padding);
    ck_assert(EVP_EncryptUpdate(c, ct, &l1, pt, (int)n));
    ck_assert(EVP_EncryptFinal_ex(c, ct + l1, &l2));
    EVP_CIPHER_CTX_free(c);
    char b[400], ivh[33], sh[17];
    b64_encode(ct, (size_t)(l1 + l2), b);
    hex_encode(iv, 16, ivh);
    hex_encode(salt, 8, sh);
    buf_clear(out);
    buf_printf(out, "{\"ct\":\"%s\",\"iv\":\"%s\",\"s\":\"%s\"}", b, iv_override ? iv_override : ivh, sh);
}

START_TEST(test_kdf_matches_openssl)
{
    static const char *passes[] = {"", "a", PASS, "p\xc3\xa4ss", "\xf0\x9f\x94\x91"};
    for (size_t i = 0; i < 5; i++)
        for (int s = 0; s < 20; s++) {
            uint8_t salt[8], k1[32], i1[16], k2[32], i2[16];
            for (int j = 0; j < 8; j++) salt[j] = (uint8_t)(s * 31 + j * 7 + (int)i);
            envelope_derive(passes[i], strlen(passes[i]), salt, k1, i1);
            EVP_BytesToKey(EVP_aes_256_cbc(), EVP_md5(), salt, (const uint8_t *)passes[i], (int)strlen(passes[i]), 1,
                           k2, i2);
            ck_assert(!memcmp(k1, k2, 32) && !memcmp(i1, i2, 16));
        }
}
END_TEST

START_TEST(test_encrypt_matches_cryptojs)
{
    /* written by crypto-js 3.3.0 through g-crypt's format (vectors/cryptojs-3.3.0.json) */
    static const struct { const char *pass, *pt, *env; } v[] = {
        {PASS, "{\"id\":0}",
         "{\"ct\":\"xs/KBSib8V+g4PLx2j502w==\",\"iv\":\"cccc921cce5da74ccb6a1980b6295297\",\"s\":\"d000628d9c8b2c9c\"}"},
        {"\xf0\x9f\x94\x91\xf0\x9f\x97\x9d\xef\xb8\x8f\xf0\x9f\x98\x80 key", "{\"id\":0}",
         "{\"ct\":\"dfk8FZ37/T1h7ZbQtNEWaw==\",\"iv\":\"57f46276902db3b3669bb89bb9453d12\",\"s\":\"3204d88dc6c93da0\"}"},
        {"", "\"xxxxxxxxxxxxxx\"",
         "{\"ct\":\"LYqSM+bY8aFDAHB/Q9giHGhTWU7bpALjUVB1UDFktrI=\",\"iv\":\"e5ab77eb0e19eaf4a5a4ae836eccc3b2\",\"s\":\"67b0ddc44c4b2fd8\"}"},
    };
    for (size_t i = 0; i < 3; i++) {
        envelope_ctx *c = envelope_ctx_new(v[i].pass, strlen(v[i].pass));
        uint8_t salt[8];
        const char *s = strstr(v[i].env, "\"s\":\"") + 5;
        ck_assert_int_eq(hex_decode(s, 16, salt, 8), 0);
        buf out = BUF_INIT;
        ck_assert_int_eq(envelope_encrypt(c, v[i].pt, strlen(v[i].pt), salt, &out), ENVELOPE_OK);
        ck_assert_str_eq(out.data, v[i].env);
        buf_clear(&out);
        unsigned w = 99;
        ck_assert_int_eq(envelope_decrypt(c, v[i].env, strlen(v[i].env), &out, &w), ENVELOPE_OK);
        ck_assert_str_eq(out.data, v[i].pt);
        ck_assert_uint_eq(w, 0);
        buf_free(&out);
        envelope_ctx_free(c);
    }
}
END_TEST

START_TEST(test_encrypt_matches_openssl_and_roundtrips)
{
    buf a = BUF_INIT, b = BUF_INIT, out = BUF_INIT;
    char pt[200];
    for (size_t n = 0; n < 200; n++) {
        uint8_t salt[8] = {1, 2, 3, 4, 5, 6, 7, (uint8_t)n};
        memset(pt, 'a' + (int)(n % 26), n);
        if (n >= 2) { pt[0] = '"'; pt[n - 1] = '"'; }
        openssl_envelope(PASS, salt, pt, n, 1, NULL, &a);
        buf_clear(&b);
        ck_assert_int_eq(envelope_encrypt(ctx, pt, n, salt, &b), ENVELOPE_OK);
        ck_assert_str_eq(a.data, b.data);
        unsigned w;
        buf_clear(&out);
        envelope_err e = envelope_decrypt_ex(ctx, b.data, b.len, ENVELOPE_RAW, &out, &w);
        ck_assert_int_eq(e, ENVELOPE_OK);
        ck_assert_uint_eq(w, 0);
        ck_assert_uint_eq(out.len, n);
        ck_assert(!memcmp(out.data, pt, n));
        /* with the JSON check: only the quoted strings (n >= 2) are JSON */
        ck_assert_int_eq(dec(b.data, &out, &w), n >= 2 ? ENVELOPE_OK : ENVELOPE_ERR_BAD_PLAINTEXT_JSON);
    }
    buf_free(&a); buf_free(&b); buf_free(&out);
}
END_TEST

START_TEST(test_random_salts_differ)
{
    buf a = BUF_INIT, out = BUF_INIT;
    char seen[2000][17];
    for (int i = 0; i < 2000; i++) {       /* several refills of the salt pool */
        buf_clear(&a);
        ck_assert_int_eq(envelope_encrypt(ctx, "{\"id\":0}", 8, NULL, &a), ENVELOPE_OK);
        const char *s = strstr(a.data, "\"s\":\"") + 5;
        memcpy(seen[i], s, 16);
        seen[i][16] = '\0';
        ck_assert_int_eq(dec(a.data, &out, NULL), ENVELOPE_OK);
        ck_assert_str_eq(out.data, "{\"id\":0}");
    }
    for (int i = 0; i < 2000; i += 97)
        for (int j = 0; j < 2000; j++)
            if (i != j) ck_assert_str_ne(seen[i], seen[j]);
    buf_free(&a); buf_free(&out);
}
END_TEST

START_TEST(test_appends_and_keeps_out_on_error)
{
    buf out = BUF_INIT;
    buf_append_str(&out, "prefix:");
    ck_assert_int_eq(envelope_encrypt(ctx, "1", 1, NULL, &out), ENVELOPE_OK);
    ck_assert(!strncmp(out.data, "prefix:{\"ct\":\"", 14));
    buf_clear(&out);
    buf_append_str(&out, "keep");
    ck_assert_int_eq(envelope_decrypt(ctx, "nope", 4, &out, NULL), ENVELOPE_ERR_BAD_JSON);
    ck_assert_str_eq(out.data, "keep");
    buf_free(&out);
}
END_TEST

START_TEST(test_lenient_like_cryptojs)
{
    uint8_t salt[8] = {9, 8, 7, 6, 5, 4, 3, 2};
    buf env = BUF_INIT, out = BUF_INIT;
    unsigned w;
    /* padding bytes not PKCS#7: crypto-js strips by the last byte only */
    openssl_envelope(PASS, salt, "1234567890123\0\0\3", 16, 0, NULL, &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_OK);
    ck_assert_str_eq(out.data, "1234567890123");
    ck_assert_uint_eq(w, ENVELOPE_WARN_PADDING_NONCANONICAL);
    /* pad byte > 16 */
    openssl_envelope(PASS, salt, "123456789012345\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x11", 32, 0, NULL, &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_OK);
    ck_assert_str_eq(out.data, "123456789012345");
    /* pad byte > length: "" (not JSON, so an error; raw it is "") */
    openssl_envelope(PASS, salt, "\"abc\"          \x40", 16, 0, NULL, &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_ERR_BAD_PADDING);
    ck_assert_int_eq(envelope_decrypt_ex(ctx, env.data, env.len, ENVELOPE_RAW, &out, &w), ENVELOPE_OK);
    ck_assert_uint_eq(out.len, 0);
    /* iv field wrong or missing: ignored, with a warning */
    openssl_envelope(PASS, salt, "[1]", 3, 1, "00000000000000000000000000000000", &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_OK);
    ck_assert_str_eq(out.data, "[1]");
    ck_assert_uint_eq(w, ENVELOPE_WARN_IV_MISMATCH);
    /* base64 without padding, uppercase salt, members reordered */
    openssl_envelope(PASS, salt, "[1]", 3, 1, NULL, &env);
    char ct[64], iv[40], s[20], alt[256];
    ck_assert_int_eq(sscanf(env.data, "{\"ct\":\"%63[^\"]\",\"iv\":\"%39[^\"]\",\"s\":\"%19[^\"]\"}", ct, iv, s), 3);
    snprintf(alt, sizeof alt, "{\"s\":\"%s\",\"ct\":\"%.22s\"}", "0908070605040302", ct);
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_OK);
    ck_assert_str_eq(out.data, "[1]");
    ck_assert_uint_eq(w, ENVELOPE_WARN_BASE64_NONCANONICAL | ENVELOPE_WARN_IV_MISSING | ENVELOPE_WARN_FORM);
    snprintf(alt, sizeof alt, "{\"ct\":\"%s\",\"iv\":\"%s\",\"s\":\"0908070605040302\"}", ct, iv);
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_OK);
    ck_assert_uint_eq(w, 0);
    snprintf(alt, sizeof alt, "{\"ct\":\"%s\",\"iv\":\"%s\",\"s\":\"090807060504030\\u0032\"}", ct, iv);
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_OK);
    ck_assert_uint_eq(w, ENVELOPE_WARN_FORM);
    buf_free(&env); buf_free(&out);
}
END_TEST

START_TEST(test_error_classes)
{
    uint8_t salt[8] = {1, 1, 2, 3, 5, 8, 13, 21};
    buf env = BUF_INIT, out = BUF_INIT, tmp = BUF_INIT;
    unsigned w;
    ck_assert_int_eq(dec("{\"ct\":", &out, &w), ENVELOPE_ERR_BAD_JSON);
    ck_assert_int_eq(dec("", &out, &w), ENVELOPE_ERR_BAD_JSON);
    ck_assert_int_eq(dec("null", &out, &w), ENVELOPE_ERR_NOT_OBJECT);
    ck_assert_int_eq(dec("[1]", &out, &w), ENVELOPE_ERR_NOT_OBJECT);
    ck_assert_int_eq(dec("{\"iv\":\"00\",\"s\":\"0011223344556677\"}", &out, &w), ENVELOPE_ERR_MISSING_CT);
    ck_assert_int_eq(dec("{\"ct\":5,\"s\":\"0011223344556677\"}", &out, &w), ENVELOPE_ERR_CT_NOT_STRING);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"iv\":[\"a\"],\"s\":\"0011223344556677\"}", &out, &w), ENVELOPE_ERR_BAD_IV);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"iv\":{\"length\":1},\"s\":\"0011223344556677\"}", &out, &w),
                     ENVELOPE_ERR_BAD_IV);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"iv\":\"x\"}", &out, &w), ENVELOPE_ERR_MISSING_SALT);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"s\":\"\"}", &out, &w), ENVELOPE_ERR_MISSING_SALT);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"s\":0.0}", &out, &w), ENVELOPE_ERR_MISSING_SALT);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"s\":1e-400}", &out, &w), ENVELOPE_ERR_MISSING_SALT);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"s\":7}", &out, &w), ENVELOPE_ERR_SALT_NOT_STRING);
    ck_assert_int_eq(dec("{\"ct\":\"AAAA\",\"s\":\"001122334455667\"}", &out, &w), ENVELOPE_ERR_BAD_HEX);

    openssl_envelope(PASS, salt, "{\"id\":12345}", 12, 1, NULL, &env);
    char ct[64], iv[40], s[20], alt[256];
    ck_assert_int_eq(sscanf(env.data, "{\"ct\":\"%63[^\"]\",\"iv\":\"%39[^\"]\",\"s\":\"%19[^\"]\"}", ct, iv, s), 3);
    snprintf(alt, sizeof alt, "{\"ct\":\"%s\",\"iv\":\"%s\",\"s\":\"zz%s\"}", ct, iv, s + 2);
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_ERR_BAD_HEX);
    ct[5] = ct[5] == '!' ? '?' : '!';
    snprintf(alt, sizeof alt, "{\"ct\":\"%s\",\"iv\":\"%s\",\"s\":\"%s\"}", ct, iv, s);
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_ERR_BAD_BASE64);
    snprintf(alt, sizeof alt, "{\"ct\":\"%.20s\",\"iv\":\"%s\",\"s\":\"%s\"}", env.data + 7, iv, s); /* 15 bytes */
    ck_assert_int_eq(dec(alt, &out, &w), ENVELOPE_ERR_BAD_LENGTH);
    ck_assert_int_eq(dec("{\"ct\":\"\",\"s\":\"0011223344556677\"}", &out, &w), ENVELOPE_ERR_BAD_LENGTH);

    /* wrong passphrase: almost always bad padding; the class must be one of the decryption ones. Fixed
     * salts: with random ones about one run in a hundred meets a block that unpads to valid JSON (a lone
     * digit), which crypto-js accepts too */
    envelope_ctx *other = envelope_ctx_new("other", 5);
    int padding = 0;
    for (int i = 0; i < 64; i++) {
        uint8_t salt[8] = {0x5a, 0x17, (uint8_t)i, 0x33, 0x00, 0xc4, (uint8_t)(i * 7), 0x9e};
        buf_clear(&tmp);
        envelope_encrypt(ctx, "{\"id\":1}", 8, salt, &tmp);
        buf_clear(&out);
        envelope_err e = envelope_decrypt(other, tmp.data, tmp.len, &out, &w);
        ck_assert(e == ENVELOPE_ERR_BAD_PADDING || e == ENVELOPE_ERR_BAD_UTF8 || e == ENVELOPE_ERR_BAD_PLAINTEXT_JSON);
        padding += e == ENVELOPE_ERR_BAD_PADDING;
    }
    ck_assert_int_ge(padding, 48);
    envelope_ctx_free(other);

    openssl_envelope(PASS, salt, "\"\xff\"", 3, 1, NULL, &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_ERR_BAD_UTF8);
    openssl_envelope(PASS, salt, "hello", 5, 1, NULL, &env);
    ck_assert_int_eq(dec(env.data, &out, &w), ENVELOPE_ERR_BAD_PLAINTEXT_JSON);
    ck_assert_int_eq(envelope_decrypt_ex(ctx, env.data, env.len, ENVELOPE_RAW, &out, &w), ENVELOPE_OK);

    for (int e = 0; e < ENVELOPE_ERR__COUNT; e++) ck_assert_str_ne(envelope_err_name((envelope_err)e), "unknown");
    ck_assert_str_eq(envelope_err_name(ENVELOPE_ERR_MISSING_SALT), "missing-salt");
    ck_assert_str_eq(envelope_err_name(ENVELOPE_ERR__COUNT), "unknown");
    buf_free(&env); buf_free(&out); buf_free(&tmp);
}
END_TEST

START_TEST(test_garbage_never_crashes)
{
    /* random bytes and mutations of a real envelope: some class, never a crash (ASan watches) */
    buf env = BUF_INIT, out = BUF_INIT;
    unsigned seed = 12345;
    envelope_encrypt(ctx, "{\"id\":0}", 8, NULL, &env);
    char m[256];
    for (int i = 0; i < 20000; i++) {
        size_t n = env.len;
        memcpy(m, env.data, n);
        for (int k = 0; k < 1 + i % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            m[(seed >> 8) % n] = (char)(seed >> 20);
        }
        buf_clear(&out);
        envelope_err e = envelope_decrypt(ctx, m, (size_t)(i % 7 ? n : (seed >> 4) % n), &out, NULL);
        ck_assert(e >= ENVELOPE_OK && e < ENVELOPE_ERR__COUNT && e != ENVELOPE_ERR_INTERNAL);
    }
    buf_free(&env); buf_free(&out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("envelope");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_kdf_matches_openssl);
    tcase_add_test(tc, test_encrypt_matches_cryptojs);
    tcase_add_test(tc, test_encrypt_matches_openssl_and_roundtrips);
    tcase_add_test(tc, test_random_salts_differ);
    tcase_add_test(tc, test_appends_and_keeps_out_on_error);
    tcase_add_test(tc, test_lenient_like_cryptojs);
    tcase_add_test(tc, test_error_classes);
    tcase_add_test(tc, test_garbage_never_crashes);
    suite_add_tcase(s, tc);
    return check_run(s);
}
