/* envelope: see envelope.h. The decrypt path is a transcription of what crypto-js 3.3.0 does (cipher-core.js,
 * evpkdf.js, enc-base64.js, core.js's Hex/Utf8) after g-crypt's format parser, established by experiment
 * with crypto-js 3.1.6, 3.3.0 and 4.2.0 (vectors/generate.js records it):
 *  - JSON.parse(envelope); ct = Base64.parse(j.ct) (throws unless ct is a string);
 *    if (j.iv) Hex.parse(j.iv) (unused: the IV is derived; throws only for non-strings with a length > 0);
 *    if (j.s) salt = Hex.parse(j.s), else crypto-js draws a random salt and decrypts garbage.
 *  - key, IV = EVP_BytesToKey(MD5, 1 round) over passphrase || salt bytes (any length).
 *  - a partial final block is decrypted as if zero-filled; "unpad" subtracts the low byte of the 32-bit word
 *    holding the last ciphertext byte from the length, never checking the padding; a negative length is "".
 *  - Utf8.stringify = decodeURIComponent(escape(bytes)): strict UTF-8. g-crypt then JSON.parse()s the text.
 * When crypto-js would accept a plaintext, so does this code, and a warning bit says what was odd. When it
 * would fail, the error class names the first oddity met (base64, salt, length, padding), else the symptom. */
#include <stdlib.h>
#include <string.h>
/* MD5_Init/Update/Final are deprecated in OpenSSL 3 but still built: three 1-block digests per message
 * through EVP's provider dispatch cost about three times as much, and the KDF is most of a small message. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/md5.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "crypto/envelope.h"
#include "crypto/b64.h"
#include "base/jsonv.h"

#define SALT_POOL 4096
#define CHUNK (1u << 30)          /* EVP lengths are ints: feed larger inputs in pieces */

struct envelope_ctx {
    char *pass;
    size_t passlen;
    EVP_CIPHER *aes;
    EVP_CIPHER_CTX *cipher;
    int cipher_ready;             /* cipher set up once; later inits pass NULL and keep the provider state */
    int padding;                  /* the padding mode last set (-1: unknown); setting it costs param lookups */
    unsigned char pool[SALT_POOL];
    size_t pool_pos;              /* SALT_POOL: empty */
    uint8_t *work;                /* ciphertext bytes, then plaintext (encrypt) */
    size_t work_cap;
    uint8_t *plain;               /* decrypted bytes */
    size_t plain_cap;
    uint16_t *units;              /* UTF-16 units of a string member */
    size_t units_cap;
    char *mapped;                 /* ct as bytes when it had escapes or non-ASCII */
    size_t mapped_cap;
    uint8_t *salt;                /* decoded salt of any length */
    size_t salt_cap;
};

static const char *const err_names[ENVELOPE_ERR__COUNT] = {
    [ENVELOPE_OK] = "ok",
    [ENVELOPE_ERR_BAD_JSON] = "bad-json",
    [ENVELOPE_ERR_NOT_OBJECT] = "not-object",
    [ENVELOPE_ERR_MISSING_CT] = "missing-ct",
    [ENVELOPE_ERR_CT_NOT_STRING] = "ct-not-string",
    [ENVELOPE_ERR_BAD_IV] = "bad-iv",
    [ENVELOPE_ERR_MISSING_SALT] = "missing-salt",
    [ENVELOPE_ERR_SALT_NOT_STRING] = "salt-not-string",
    [ENVELOPE_ERR_BAD_HEX] = "bad-hex",
    [ENVELOPE_ERR_BAD_BASE64] = "bad-base64",
    [ENVELOPE_ERR_BAD_LENGTH] = "bad-length",
    [ENVELOPE_ERR_BAD_PADDING] = "bad-padding",
    [ENVELOPE_ERR_BAD_UTF8] = "bad-utf8",
    [ENVELOPE_ERR_BAD_PLAINTEXT_JSON] = "bad-plaintext-json",
    [ENVELOPE_ERR_INTERNAL] = "internal",
};

const char *envelope_err_name(envelope_err e)
{
    return (unsigned)e < ENVELOPE_ERR__COUNT ? err_names[e] : "unknown";
}

/* Grow a scratch array to hold n elements of size sz; the context keeps it for the next message. */
static int grow(void *pp, size_t *cap, size_t n, size_t sz)
{
    void **p = pp;
    if (n <= *cap) return 0;
    size_t ncap = *cap ? *cap : 256;
    while (ncap < n) ncap *= 2;
    void *np = realloc(*p, ncap * sz);
    if (!np) return -1;
    *p = np;
    *cap = ncap;
    return 0;
}

envelope_ctx *envelope_ctx_new(const char *passphrase, size_t len)
{
    envelope_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->pass = malloc(len + 1);
    c->aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL);
    c->cipher = EVP_CIPHER_CTX_new();
    c->pool_pos = SALT_POOL;
    c->padding = -1;
    if (!c->pass || !c->aes || !c->cipher) {
        envelope_ctx_free(c);
        return NULL;
    }
    if (len) memcpy(c->pass, passphrase, len);
    c->pass[len] = '\0';
    c->passlen = len;
    return c;
}

void envelope_ctx_free(envelope_ctx *c)
{
    if (!c) return;
    if (c->pass) OPENSSL_cleanse(c->pass, c->passlen);
    free(c->pass);
    EVP_CIPHER_free(c->aes);
    EVP_CIPHER_CTX_free(c->cipher);
    free(c->work);
    free(c->plain);
    free(c->units);
    free(c->mapped);
    free(c->salt);
    OPENSSL_cleanse(c->pool, sizeof c->pool);
    free(c);
}

/* EVP_BytesToKey, MD5, 1 round, 48 bytes: D1 = MD5(P||S), D2 = MD5(D1||P||S), D3 = MD5(D2||P||S). */
static void derive48(const char *pass, size_t passlen, const uint8_t *salt, size_t saltlen, uint8_t out[48])
{
    MD5_CTX md;
    for (int k = 0; k < 3; k++) {
        MD5_Init(&md);
        if (k) MD5_Update(&md, out + 16 * (k - 1), 16);
        MD5_Update(&md, pass, passlen);
        MD5_Update(&md, salt, saltlen);
        MD5_Final(out + 16 * k, &md);
    }
    OPENSSL_cleanse(&md, sizeof md);
}

void envelope_derive(const char *pass, size_t passlen, const unsigned char salt[8], unsigned char key[32],
                     unsigned char iv[16])
{
    uint8_t out[48];
    derive48(pass, passlen, salt, 8, out);
    memcpy(key, out, 32);
    memcpy(iv, out + 32, 16);
    OPENSSL_cleanse(out, sizeof out);
}

static int next_salt(envelope_ctx *c, uint8_t salt[8])
{
    if (c->pool_pos + 8 > SALT_POOL) {
        if (RAND_bytes(c->pool, SALT_POOL) != 1) return -1;
        c->pool_pos = 0;
    }
    memcpy(salt, c->pool + c->pool_pos, 8);
    OPENSSL_cleanse(c->pool + c->pool_pos, 8);    /* a used salt does not stay in memory */
    c->pool_pos += 8;
    return 0;
}

/* AES-256-CBC over n bytes (a multiple of 16 when padding is off) in pieces EVP's ints can count. */
static int cbc(envelope_ctx *c, int enc, int padding, const uint8_t *key, const uint8_t *iv, const uint8_t *in,
               size_t n, uint8_t *out, size_t *outlen)
{
    int l;
    size_t total = 0;
    if (!EVP_CipherInit_ex2(c->cipher, c->cipher_ready ? NULL : c->aes, key, iv, enc, NULL)) return -1;
    c->cipher_ready = 1;
    if (c->padding != padding) {
        EVP_CIPHER_CTX_set_padding(c->cipher, padding);
        c->padding = padding;
    }
    for (size_t off = 0; off < n; off += CHUNK) {
        size_t k = n - off < CHUNK ? n - off : CHUNK;
        if (!EVP_CipherUpdate(c->cipher, out + total, &l, in + off, (int)k)) return -1;
        total += (size_t)l;
    }
    if (!EVP_CipherFinal_ex(c->cipher, out + total, &l)) return -1;
    *outlen = total + (size_t)l;
    return 0;
}

envelope_err envelope_encrypt(envelope_ctx *c, const void *pt, size_t n, const unsigned char *salt8_or_NULL,
                              buf *out)
{
    uint8_t salt[8], kiv[48];
    size_t ctlen, ctcap = (n / 16 + 1) * 16;
    envelope_err rc = ENVELOPE_ERR_INTERNAL;

    if (salt8_or_NULL) memcpy(salt, salt8_or_NULL, 8);
    else if (next_salt(c, salt)) return ENVELOPE_ERR_INTERNAL;
    if (grow(&c->work, &c->work_cap, ctcap, 1)) return ENVELOPE_ERR_INTERNAL;
    derive48(c->pass, c->passlen, salt, 8, kiv);
    if (cbc(c, 1, 1, kiv, kiv + 32, pt, n, c->work, &ctlen)) goto out;

    /* {"ct":"<b64>","iv":"<32 hex>","s":"<16 hex>"}: the text g-crypt's stringify writes */
    size_t need = 7 + B64_ENCODED_LEN(ctlen) + 8 + 32 + 7 + 16 + 2;
    if (buf_reserve(out, need)) goto out;
    char *o = out->data + out->len;
    memcpy(o, "{\"ct\":\"", 7); o += 7;
    o += b64_encode(c->work, ctlen, o);
    memcpy(o, "\",\"iv\":\"", 8); o += 8;
    o += hex_encode(kiv + 32, 16, o);
    memcpy(o, "\",\"s\":\"", 7); o += 7;
    o += hex_encode(salt, 8, o);
    memcpy(o, "\"}", 3); o += 2;
    out->len = (size_t)(o - out->data);
    rc = ENVELOPE_OK;
out:
    OPENSSL_cleanse(kiv, sizeof kiv);
    return rc;
}

/* ---- decrypt ---- */

typedef struct {
    jsonv_span ct, iv, s;
    int has_ct, has_iv, has_s;
} members;

static int collect(void *ud, const jsonv_span *key, const jsonv_span *val)
{
    members *m = ud;
    if (jsonv_string_is(key, "ct")) { m->ct = *val; m->has_ct = 1; }
    else if (jsonv_string_is(key, "iv")) { m->iv = *val; m->has_iv = 1; }
    else if (jsonv_string_is(key, "s")) { m->s = *val; m->has_s = 1; }
    return 0;
}

/* JavaScript ToNumber(string) > 0, for the decimal, 0x/0o/0b and Infinity forms. */
static int js_string_positive(const uint16_t *u, size_t n)
{
    char tmp[64];
    size_t a = 0, b = n, k = 0;
    while (a < b && (u[a] == ' ' || (u[a] >= 9 && u[a] <= 13) || u[a] == 0xa0 || u[a] == 0xfeff)) a++;
    while (b > a && (u[b - 1] == ' ' || (u[b - 1] >= 9 && u[b - 1] <= 13) || u[b - 1] == 0xa0 || u[b - 1] == 0xfeff)) b--;
    if (b - a >= sizeof tmp) return 0;
    for (size_t i = a; i < b; i++) {
        if (u[i] > 127) return 0;
        tmp[k++] = (char)u[i];
    }
    tmp[k] = '\0';
    if (!strcmp(tmp, "Infinity") || !strcmp(tmp, "+Infinity")) return 1;
    if (k > 2 && tmp[0] == '0' && strchr("xXoObB", tmp[1])) {
        int base = (tmp[1] | 0x20) == 'x' ? 16 : (tmp[1] | 0x20) == 'o' ? 8 : 2;
        char *end;
        unsigned long long v = strtoull(tmp + 2, &end, base);
        return *end == '\0' && tmp[2] != '-' && tmp[2] != '+' && v > 0;
    }
    if (strspn(tmp, "0123456789.eE+-") != k || k == 0) return 0;
    char *end;
    double v = strtod(tmp, &end);
    return *end == '\0' && v > 0;
}

static int number_truthy(const jsonv_span *v)
{
    char tmp[512];
    if (v->n >= sizeof tmp) {                 /* a long number: zero only if all its digits are */
        for (size_t i = 0; i < v->n; i++) {
            char ch = v->p[i];
            if (ch == 'e' || ch == 'E') break;
            if (ch >= '1' && ch <= '9') return 1;
        }
        return 0;
    }
    memcpy(tmp, v->p, v->n);
    tmp[v->n] = '\0';
    return strtod(tmp, NULL) != 0;            /* correctly rounded, as JavaScript: 1e-400 is 0, falsy */
}

static int truthy(const jsonv_span *v)
{
    switch (v->type) {
    case JSONV_STRING: return v->n > 0;
    case JSONV_NUMBER: return number_truthy(v);
    case JSONV_FALSE: case JSONV_NULL: return 0;
    default: return 1;
    }
}

typedef struct { jsonv_span len; int has; } length_member;

static int find_length(void *ud, const jsonv_span *key, const jsonv_span *val)
{
    length_member *l = ud;
    if (jsonv_string_is(key, "length")) { l->len = *val; l->has = 1; }
    return 0;
}

/* Does crypto-js's Hex.parse(v) throw for this non-string value? It loops i < v.length calling v.substr. */
static int hexparse_throws(envelope_ctx *c, const jsonv_span *v)
{
    if (v->type == JSONV_ARRAY) {             /* [] has length 0; any element makes it call substr */
        for (size_t i = 1; i + 1 < v->n; i++)
            if (v->p[i] != ' ' && v->p[i] != '\t' && v->p[i] != '\n' && v->p[i] != '\r') return 1;
        return 0;
    }
    if (v->type != JSONV_OBJECT) return 0;    /* numbers, true: no length, no loop */
    length_member l = {0};
    jsonv_parse(v->p, v->n, NULL, find_length, &l);
    if (!l.has) return 0;
    switch (l.len.type) {
    case JSONV_NUMBER: { char tmp[64]; size_t k = l.len.n < 63 ? l.len.n : 63;
                         memcpy(tmp, l.len.p, k); tmp[k] = '\0'; return strtod(tmp, NULL) > 0; }
    case JSONV_TRUE: return 1;
    case JSONV_STRING:
        if (grow(&c->units, &c->units_cap, l.len.n + 1, sizeof(uint16_t))) return 0;
        return js_string_positive(c->units, jsonv_string_units(&l.len, c->units));
    default: return 0;                         /* arrays, objects: NaN or 0 mostly (approximation) */
    }
}

/* The string member's UTF-16 units in c->units. Returns the count, or (size_t)-1 without memory. */
static size_t units_of(envelope_ctx *c, const jsonv_span *v)
{
    if (grow(&c->units, &c->units_cap, v->n + 1, sizeof(uint16_t))) return (size_t)-1;
    return jsonv_string_units(v, c->units);
}

static int plain_ascii(const char *p, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & 0x8080808080808080ull) return 0;
    }
    for (; i < n; i++)
        if ((unsigned char)p[i] >= 0x80) return 0;
    return !memchr(p, '\\', n);
}

static int canonical_form(const char *env, size_t n, const members *m)
{
    if (!m->has_iv || m->iv.type != JSONV_STRING || m->s.type != JSONV_STRING) return 0;
    const char *q = m->ct.p + m->ct.n;
    return m->ct.p == env + 7 && !memcmp(env, "{\"ct\":\"", 7) &&
           m->iv.p == q + 8 && !memcmp(q, "\",\"iv\":\"", 8) && m->iv.n == 32 &&
           m->s.p == m->iv.p + 32 + 7 && !memcmp(m->iv.p + 32, "\",\"s\":\"", 7) && m->s.n == 16 &&
           m->s.p + 16 + 2 == env + n && !memcmp(m->s.p + 16, "\"}", 2) &&
           !memchr(m->ct.p, '\\', m->ct.n) && !memchr(m->iv.p, '\\', 32) && !memchr(m->s.p, '\\', 16);
}

/* What failed, named by the first oddity met on the way. */
static envelope_err root_cause(unsigned w, envelope_err symptom)
{
    if (w & ENVELOPE_WARN_BASE64_NONCANONICAL) return ENVELOPE_ERR_BAD_BASE64;
    if (w & ENVELOPE_WARN_SALT_NONCANONICAL) return ENVELOPE_ERR_BAD_HEX;
    if (w & ENVELOPE_WARN_CT_LENGTH) return ENVELOPE_ERR_BAD_LENGTH;
    if (w & ENVELOPE_WARN_PADDING_NONCANONICAL) return ENVELOPE_ERR_BAD_PADDING;
    return symptom;
}

/* Parse the envelope as g-crypt's format does; fills salt (c->salt, *saltlen) and ct bytes (c->work). */
static envelope_err read_envelope(envelope_ctx *c, const char *env, size_t n, members *m, size_t *saltlen,
                                  size_t *ctlen, unsigned *w)
{
    jsonv_type top;
    if (jsonv_parse(env, n, &top, collect, m)) return ENVELOPE_ERR_BAD_JSON;
    if (top != JSONV_OBJECT) return ENVELOPE_ERR_NOT_OBJECT;
    if (!m->has_ct) return ENVELOPE_ERR_MISSING_CT;
    if (m->ct.type != JSONV_STRING) return ENVELOPE_ERR_CT_NOT_STRING;
    if (m->has_iv && truthy(&m->iv) && m->iv.type != JSONV_STRING && hexparse_throws(c, &m->iv))
        return ENVELOPE_ERR_BAD_IV;
    if (!m->has_s || !truthy(&m->s)) return ENVELOPE_ERR_MISSING_SALT;
    if (m->s.type != JSONV_STRING) return ENVELOPE_ERR_SALT_NOT_STRING;

    /* salt: crypto-js Hex.parse over the string's UTF-16 units */
    size_t su = units_of(c, &m->s);
    if (su == (size_t)-1) return ENVELOPE_ERR_INTERNAL;
    if (su % 2) return ENVELOPE_ERR_BAD_HEX;     /* crypto-js: a fractional byte count; no byte equivalent */
    if (grow(&c->salt, &c->salt_cap, su / 2 + 1, 1)) return ENVELOPE_ERR_INTERNAL;
    int canon;
    hex_decode_cryptojs(c->units, su, c->salt, &canon);
    *saltlen = su / 2;
    if (!canon || su != 16) *w |= ENVELOPE_WARN_SALT_NONCANONICAL;

    /* ct: crypto-js Base64.parse over UTF-16 units; a unit outside ASCII is as invalid as any other */
    const char *ct = m->ct.p;
    size_t ctn = m->ct.n;
    if (!plain_ascii(ct, ctn)) {
        size_t cu = units_of(c, &m->ct);
        if (cu == (size_t)-1 || grow(&c->mapped, &c->mapped_cap, cu + 1, 1)) return ENVELOPE_ERR_INTERNAL;
        for (size_t i = 0; i < cu; i++) c->mapped[i] = c->units[i] < 0x80 ? (char)c->units[i] : (char)0x80;
        ct = c->mapped;
        ctn = cu;
    }
    if (grow(&c->work, &c->work_cap, b64_decoded_max(ctn) + 16, 1)) return ENVELOPE_ERR_INTERNAL;
    *ctlen = b64_decode_cryptojs(ct, ctn, c->work, &canon);
    if (!canon) *w |= ENVELOPE_WARN_BASE64_NONCANONICAL;
    return ENVELOPE_OK;
}

static void check_iv(envelope_ctx *c, const members *m, const uint8_t iv[16], unsigned *w)
{
    if (!m->has_iv || !truthy(&m->iv)) { *w |= ENVELOPE_WARN_IV_MISSING; return; }
    if (m->iv.type == JSONV_STRING && m->iv.n >= 32) {
        size_t iu = units_of(c, &m->iv);
        uint8_t got[16];
        int canon;
        if (iu == 32) {
            hex_decode_cryptojs(c->units, 32, got, &canon);
            if (canon && !memcmp(got, iv, 16)) return;
        }
    }
    *w |= ENVELOPE_WARN_IV_MISMATCH;
}

/* PKCS#7 as crypto-js undoes it: returns the plaintext length (>= 0) and flags non-canonical padding. */
static size_t unpad(const uint8_t *p, size_t len, unsigned *w)
{
    if (len == 0) return 0;                     /* crypto-js reads an undefined word: 0 bytes removed */
    unsigned pad = p[((len - 1) & ~(size_t)3) + 3];
    int canonical = len % 16 == 0 && pad >= 1 && pad <= 16;
    for (unsigned i = 1; canonical && i <= pad; i++)
        if (p[len - i] != pad) canonical = 0;
    if (!canonical) *w |= ENVELOPE_WARN_PADDING_NONCANONICAL;
    return pad >= len ? 0 : len - pad;
}

envelope_err envelope_decrypt_ex(envelope_ctx *c, const char *env, size_t n, unsigned flags, buf *out,
                                 unsigned *warnings)
{
    members m = {0};
    unsigned w = 0;
    size_t saltlen = 0, ctlen = 0, plen = 0;
    uint8_t kiv[48];
    envelope_err rc = read_envelope(c, env, n, &m, &saltlen, &ctlen, &w);
    if (rc) goto done;

    rc = ENVELOPE_ERR_INTERNAL;
    derive48(c->pass, c->passlen, c->salt, saltlen, kiv);
    check_iv(c, &m, kiv + 32, &w);
    if (!canonical_form(env, n, &m)) w |= ENVELOPE_WARN_FORM;

    /* a partial last block is decrypted zero-filled, as crypto-js does with its missing words */
    size_t full = (ctlen + 15) / 16 * 16;
    if (ctlen == 0 || ctlen != full) w |= ENVELOPE_WARN_CT_LENGTH;
    memset(c->work + ctlen, 0, full - ctlen);
    if (grow(&c->plain, &c->plain_cap, full + 1, 1)) goto done;
    if (full && cbc(c, 0, 0, kiv, kiv + 32, c->work, full, c->plain, &plen)) goto done;
    plen = unpad(c->plain, ctlen, &w);

    /* JSON that jsonv accepts is valid UTF-8 too, so the UTF-8 pass only runs to name a failure, or raw */
    const char *p = (const char *)c->plain;
    if (!(flags & ENVELOPE_RAW) ? !jsonv_valid(p, plen) : !jsonv_utf8_valid(p, plen)) {
        rc = root_cause(w, jsonv_utf8_valid(p, plen) ? ENVELOPE_ERR_BAD_PLAINTEXT_JSON : ENVELOPE_ERR_BAD_UTF8);
        goto done;
    }
    rc = buf_append(out, c->plain, plen) ? ENVELOPE_ERR_INTERNAL : ENVELOPE_OK;
done:
    OPENSSL_cleanse(kiv, sizeof kiv);
    if (warnings) *warnings = w;
    return rc;
}

envelope_err envelope_decrypt(envelope_ctx *c, const char *env, size_t n, buf *out, unsigned *warnings)
{
    return envelope_decrypt_ex(c, env, n, 0, out, warnings);
}
