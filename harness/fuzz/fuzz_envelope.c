/* fuzz_envelope: the g-crypt envelope reader on hostile bytes.
 * Every input is (1) decrypted as an envelope, both g-crypt's way (JSON.parse of the plaintext) and RAW
 * (CryptoJS.AES.decrypt alone), and (2) used as a plaintext: encrypted under a salt taken from the input,
 * then decrypted again. Properties:
 *   - decrypt never crashes and names a known error class;
 *   - what decrypt accepts, RAW accepts too, with the same plaintext and warnings; an accepted plaintext
 *     is valid UTF-8, and JSON when not RAW; on error out is untouched;
 *   - encrypt -> decrypt gives the input back, with no warnings, when the input is valid UTF-8 (RAW) and
 *     when it is valid JSON (g-crypt's decrypt). */
#include <string.h>
#include "fuzz.h"
#include "crypto/envelope.h"
#include "base/jsonv.h"

#define PASS "super-secret-passphrase"

static envelope_ctx *ctx;

static void check_decrypt(const char *in, size_t n)
{
    buf a = BUF_INIT, r = BUF_INIT;
    unsigned wa = 0, wr = 0;
    buf_append(&a, "prefix", 6);                        /* decrypt appends; an error leaves it alone */
    envelope_err ea = envelope_decrypt(ctx, in, n, &a, &wa);
    envelope_err er = envelope_decrypt_ex(ctx, in, n, ENVELOPE_RAW, &r, &wr);
    FUZZ_ASSERT((unsigned)ea < ENVELOPE_ERR__COUNT && (unsigned)er < ENVELOPE_ERR__COUNT);
    FUZZ_ASSERT(envelope_err_name(ea) && envelope_err_name(er));
    FUZZ_ASSERT(a.len >= 6 && memcmp(a.data, "prefix", 6) == 0);
    if (ea == ENVELOPE_OK) {
        FUZZ_ASSERT(er == ENVELOPE_OK);
        FUZZ_ASSERT(a.len - 6 == r.len && memcmp(a.data + 6, r.data, r.len) == 0);
        FUZZ_ASSERT(wa == wr);
        FUZZ_ASSERT(jsonv_valid(a.data + 6, a.len - 6));
    } else {
        FUZZ_ASSERT(a.len == 6);
    }
    if (er == ENVELOPE_OK) FUZZ_ASSERT(jsonv_utf8_valid(r.data, r.len));
    else FUZZ_ASSERT(r.len == 0);
    buf_free(&a);
    buf_free(&r);
}

static void check_roundtrip(const char *in, size_t n)
{
    unsigned char salt[8] = {0};
    memcpy(salt, in, n < 8 ? n : 8);
    buf env = BUF_INIT, pt = BUF_INIT;
    FUZZ_ASSERT(envelope_encrypt(ctx, in, n, salt, &env) == ENVELOPE_OK);
    unsigned w = ~0u;
    envelope_err e = envelope_decrypt_ex(ctx, env.data, env.len, ENVELOPE_RAW, &pt, &w);
    if (jsonv_utf8_valid(in, n)) {
        FUZZ_ASSERT(e == ENVELOPE_OK && w == 0);
        FUZZ_ASSERT(pt.len == n && memcmp(pt.data, in, n) == 0);
    } else {
        FUZZ_ASSERT(e == ENVELOPE_ERR_BAD_UTF8);
    }
    buf_clear(&pt);
    e = envelope_decrypt(ctx, env.data, env.len, &pt, &w);
    if (jsonv_valid(in, n)) {
        FUZZ_ASSERT(e == ENVELOPE_OK && w == 0);
        FUZZ_ASSERT(pt.len == n && memcmp(pt.data, in, n) == 0);
    } else {
        FUZZ_ASSERT(e != ENVELOPE_OK);
    }
    buf_free(&env);
    buf_free(&pt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ctx) ctx = envelope_ctx_new(PASS, strlen(PASS));
    FUZZ_ASSERT(ctx != NULL);
    check_decrypt((const char *)data, size);
    check_roundtrip((const char *)data, size);
    return 0;
}
