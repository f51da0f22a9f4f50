/* envelope: g-crypt's message envelope {"ct":"<base64>","iv":"<hex>","s":"<hex>"}, i.e. crypto-js
 * AES.encrypt/decrypt with a passphrase (EVP_BytesToKey MD5 x1, AES-256-CBC, PKCS#7) written with g-crypt's
 * CryptoJSAesJson format. encrypt writes byte for byte what g-crypt writes for the same salt; decrypt
 * accepts exactly what crypto-js 3.3.0 (g-crypt's) + g-crypt's JSON.parse accept, and names an error class
 * for the rest. No I/O. One envelope_ctx per thread: it holds the OpenSSL contexts and a salt pool, so the
 * hot path allocates nothing once the output buffer has grown. */
#ifndef SIOCRYPT_ENVELOPE_H
#define SIOCRYPT_ENVELOPE_H
#include <stddef.h>
#include "base/buf.h"

typedef struct envelope_ctx envelope_ctx;

/* The passphrase is bytes (its UTF-8 text, as crypto-js hashes it), copied. NULL on failure. */
envelope_ctx *envelope_ctx_new(const char *passphrase, size_t len);
void envelope_ctx_free(envelope_ctx *);

typedef enum {
    ENVELOPE_OK = 0,
    ENVELOPE_ERR_BAD_JSON,            /* the envelope is not JSON (JSON.parse throws) */
    ENVELOPE_ERR_NOT_OBJECT,          /* JSON, but not an object (crypto-js throws reading j.ct) */
    ENVELOPE_ERR_MISSING_CT,          /* no "ct" member */
    ENVELOPE_ERR_CT_NOT_STRING,       /* "ct" is not a string */
    ENVELOPE_ERR_BAD_IV,              /* a truthy non-string "iv" that makes crypto-js's Hex.parse throw */
    ENVELOPE_ERR_MISSING_SALT,        /* "s" absent or falsy: crypto-js would draw a random salt (garbage) */
    ENVELOPE_ERR_SALT_NOT_STRING,     /* "s" truthy but not a string */
    ENVELOPE_ERR_BAD_HEX,             /* "s" of odd length, or (when decryption fails) not 16 lowercase hex digits */
    ENVELOPE_ERR_BAD_BASE64,          /* decryption failed and "ct" was not canonical base64 */
    ENVELOPE_ERR_BAD_LENGTH,          /* decryption failed and the ciphertext was empty or not whole blocks */
    ENVELOPE_ERR_BAD_PADDING,         /* decryption failed and the PKCS#7 padding was wrong: the usual sign of
                                         a wrong passphrase */
    ENVELOPE_ERR_BAD_UTF8,            /* the plaintext is not UTF-8 (crypto-js: "Malformed UTF-8 data") */
    ENVELOPE_ERR_BAD_PLAINTEXT_JSON,  /* the plaintext is not JSON (g-crypt's JSON.parse throws) */
    ENVELOPE_ERR_INTERNAL,            /* OpenSSL or memory failure */
    ENVELOPE_ERR__COUNT
} envelope_err;

/* Stable names: "ok", "bad-json", "not-object", "missing-ct", "ct-not-string", "bad-iv", "missing-salt",
 * "salt-not-string", "bad-hex", "bad-base64", "bad-length", "bad-padding", "bad-utf8",
 * "bad-plaintext-json", "internal". */
const char *envelope_err_name(envelope_err);

/* Warnings: things crypto-js accepts that a strict reader would not. Set on success and on failure. */
#define ENVELOPE_WARN_IV_MISMATCH          1u   /* "iv" present but not the derived IV (crypto-js ignores it) */
#define ENVELOPE_WARN_PADDING_NONCANONICAL 2u   /* padding bytes not PKCS#7; crypto-js strips last-byte bytes */
#define ENVELOPE_WARN_IV_MISSING           4u   /* "iv" absent or falsy */
#define ENVELOPE_WARN_BASE64_NONCANONICAL  8u   /* "ct" is not exactly what crypto-js writes for its bytes */
#define ENVELOPE_WARN_SALT_NONCANONICAL   16u   /* "s" is not 16 lowercase hex digits */
#define ENVELOPE_WARN_CT_LENGTH           32u   /* ciphertext empty or not a multiple of 16 bytes */
#define ENVELOPE_WARN_FORM                64u   /* not g-crypt's exact text {"ct":..,"iv":..,"s":..} */

/* Appends the envelope JSON text to out. salt8 NULL: a fresh salt from the context's CSPRNG pool. */
envelope_err envelope_encrypt(envelope_ctx *, const void *pt, size_t n, const unsigned char *salt8_or_NULL,
                              buf *out);

/* Appends the plaintext (what crypto-js's toString(Utf8) gives) to out and checks it as g-crypt's
 * JSON.parse does. *warnings (may be NULL) gets ENVELOPE_WARN_* bits. On error out is left as it was. */
envelope_err envelope_decrypt(envelope_ctx *, const char *env, size_t n, buf *out, unsigned *warnings);

#define ENVELOPE_RAW 1u   /* flag: skip the JSON.parse check (what CryptoJS.AES.decrypt alone accepts) */
envelope_err envelope_decrypt_ex(envelope_ctx *, const char *env, size_t n, unsigned flags, buf *out,
                                 unsigned *warnings);

/* EVP_BytesToKey(AES-256-CBC, MD5, 1 round) over passphrase and an 8-byte salt. */
void envelope_derive(const char *pass, size_t passlen, const unsigned char salt[8], unsigned char key[32],
                     unsigned char iv[16]);

#endif
