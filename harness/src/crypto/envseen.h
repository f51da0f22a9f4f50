/* envseen: what the harness saw of the envelopes the SERVER sent during a run, for the salt-reuse and
 * iv-mismatch findings. One per worker (no locks), merged at the end like stats.
 *
 * crypto-js derives key and IV from passphrase and salt, and every client holds the same passphrase: a salt
 * that comes back means a key and IV that come back, so equal plaintext prefixes give equal ciphertext
 * blocks. Salts are kept in an open-addressing set of 64-bit values, bounded by max_salts (memory stays
 * under 16 bytes per salt); past the bound, envelopes are counted as unchecked instead. envseen_add is on
 * the load path's hot path: for g-crypt's exact text it reads the salt from a fixed place at the end of
 * the envelope, and it allocates only when the set grows. Pure: no I/O. */
#ifndef SIOCRYPT_ENVSEEN_H
#define SIOCRYPT_ENVSEEN_H
#include <stddef.h>
#include <stdint.h>

#define ENVSEEN_DEFAULT_MAX (1u << 19)   /* distinct salts remembered per set: 8 MiB of table at most */

/* Read-only outside envseen.c. */
typedef struct envseen {
    uint64_t envelopes;          /* envelopes added */
    uint64_t repeats;            /* envelopes whose salt had been seen before in the run */
    uint64_t unchecked;          /* salts not checked: no 16-hex-digit "s", or the set was full */
    uint64_t iv_mismatch;        /* "iv" present but not the IV derived from passphrase and salt */
    uint64_t first_repeat;       /* a repeated salt, as its 8 bytes big-endian (valid when repeats > 0) */
    char iv_example[200];        /* the start of the first envelope with a mismatching iv, clean text (text.h) */
    /* the set */
    uint64_t *slots;             /* 0 marks an empty slot; the salt 0 itself is has_zero */
    size_t cap, used, max;
    int has_zero;
} envseen;

envseen *envseen_new(size_t max_salts);        /* 0: ENVSEEN_DEFAULT_MAX. NULL on ENOMEM */
void     envseen_free(envseen *e);
/* One envelope text the server sent, that decrypted; warnings from envelope_decrypt (ENVELOPE_WARN_*). */
void     envseen_add(envseen *e, const char *env, size_t n, unsigned warnings);
/* Add src into dst: counts, and src's salts checked against dst's (a salt seen by two workers repeats). */
int      envseen_merge(envseen *dst, const envseen *src);
/* The salt of an envelope text as 8 big-endian bytes in a uint64: 0 ok, -1 when "s" is not 16 hex digits. */
int      envseen_salt_of(const char *env, size_t n, uint64_t *salt);

#endif
