/* b64, hex: the two text encodings of a g-crypt envelope, written exactly as crypto-js writes them and
 * read the way crypto-js reads them (leniently: crypto-js never rejects base64 or hex, so neither do the
 * *_cryptojs readers; they report instead whether the text was in canonical form). No I/O, no allocation. */
#ifndef SIOCRYPT_B64_H
#define SIOCRYPT_B64_H
#include <stddef.h>
#include <stdint.h>

/* Base64 (RFC 4648 alphabet, '=' padding). */
#define B64_ENCODED_LEN(n) ((((n) + 2) / 3) * 4)        /* without the NUL */
size_t b64_encode(const void *in, size_t n, char *out);  /* writes B64_ENCODED_LEN(n) chars + NUL; returns that length */

/* The byte count b64_decode_cryptojs produces for a text of n characters (an upper bound: it stops at '='). */
size_t b64_decoded_max(size_t n);

/* crypto-js 3.3.0/4.x Base64.parse: the text ends at its first '='; every other character outside the
 * alphabet counts as 0; each character at a position p (p % 4 != 0) yields one byte. out needs
 * b64_decoded_max(n) bytes. *canonical is 1 iff the text is what b64_encode would write for the result.
 * (crypto-js 3.1.x differs: there an invalid character counts as all one bits.) Returns the byte count. */
size_t b64_decode_cryptojs(const char *s, size_t n, uint8_t *out, int *canonical);

/* Strict decoding (canonical text only): returns the byte count, or -1. out needs b64_decoded_max(n). */
long b64_decode_strict(const char *s, size_t n, uint8_t *out);

/* Hex, lowercase as crypto-js's Hex.stringify writes it. */
size_t hex_encode(const void *in, size_t n, char *out);  /* writes 2n chars + NUL */

/* Strict: exactly 2*outlen hex digits (either case). 0 ok, -1 otherwise. */
int hex_decode(const char *s, size_t n, uint8_t *out, size_t outlen);

/* crypto-js Hex.parse over UTF-16 code units (n must be even; odd lengths give crypto-js a fractional
 * byte count, which has no byte equivalent): each pair is read with JavaScript's parseInt(pair, 16), so
 * " a", "+a" and "a?" all read as 0x0a, "-a" sets the bits of the earlier bytes of its 32-bit word, and
 * anything unreadable counts as 0. Writes n/2 bytes. *canonical is 1 iff every unit is a lowercase hex digit. */
void hex_decode_cryptojs(const uint16_t *u, size_t n, uint8_t *out, int *canonical);

#endif
