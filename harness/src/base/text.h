/* text: the one place where text from the server or the user (error details, counter_error messages,
 * envelope fields, probe answers, scenario names, URLs, paths, log lines) is made safe to keep and to
 * print. Every module that stores such text cleans it here, and every writer (report files, the summary,
 * stderr logs) passes what it prints through here too, so a byte the server chose never reaches a file
 * or a terminal as it came.
 *
 * Clean text is valid UTF-8 (strict: no overlongs, no surrogates, nothing past U+10FFFF) that holds no
 * control character and no character XML 1.0 forbids. Cleaning rewrites, visibly:
 *   - a byte that does not begin a valid UTF-8 sequence (invalid, overlong, surrogate, cut off)  \xNN
 *   - C0 controls U+0000..U+001F (ESC, CR, ...) and DEL                                          \xNN
 *     (LF and TAB are kept with TEXT_MULTILINE)
 *   - C1 controls U+0080..U+009F (a terminal may read U+009B as CSI)                             \u0080
 *   - the noncharacters U+FFFE and U+FFFF (not XML characters)                                   \uFFFE
 * and keeps everything else, non-Latin text and emoji included. So "\x1b[2J" in a detail is printed as
 * the seven characters \x1b[2J and a multi-byte character cut by a length limit as \xe2\x82. A backslash
 * is NOT doubled: cleaning is idempotent (clean text comes out unchanged), so a layer may clean what an
 * earlier layer cleaned already; the price is that a literal "\x1b" and an escaped ESC look alike.
 *
 * Limits are in bytes of output and cut between whole units (a character or an escape), never inside
 * one. Pure: no allocation except the output buffer's. */
#ifndef SIOCRYPT_TEXT_H
#define SIOCRYPT_TEXT_H
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "base/buf.h"

#define TEXT_MULTILINE 1u   /* keep LF and TAB (log tails, multi-line details); CR is always escaped */
#define TEXT_MARK_CUT  2u   /* when the text does not fit, end it with "..." (within the limit) */

/* The length of the valid (strict: no overlongs, surrogates or code points past U+10FFFF) UTF-8 sequence at
 * s[0..n), n >= 1, or 0 when there is none. */
size_t text_utf8_seq(const unsigned char *s, size_t n);

/* The longest prefix of s[0..n) of at most max bytes that does not end inside a UTF-8 sequence: for
 * cutting text that is already clean (or that will be cleaned) without splitting a character. */
size_t text_utf8_cut(const char *s, size_t n, size_t max);

/* Append the clean form of s[0..n) to out, adding at most max bytes (SIZE_MAX: no limit).
 * Returns how many input bytes were taken (n unless cut), or -1 on ENOMEM. */
long text_clean(buf *out, const char *s, size_t n, size_t max, unsigned flags);

/* The clean form of s[0..n) into dst[cap], always NUL-terminated (cap 0: nothing written). Returns dst. */
char *text_clean_to(char *dst, size_t cap, const char *s, size_t n, unsigned flags);
/* The same for a NUL-terminated s (NULL is ""), into a fixed array. */
#define TEXT_SET(field, s, flags) text_clean_to((field), sizeof(field), (s) ? (s) : "", (s) ? strlen(s) : 0, (flags))

/* A malloc'd clean copy of the NUL-terminated s (NULL is ""); NULL on ENOMEM. */
char *text_dup(const char *s, unsigned flags);

/* 1 when s[0..n) is clean, i.e. text_clean would return it unchanged. */
int text_is_clean(const char *s, size_t n, unsigned flags);

/* For terminals and logs: format, clean (TEXT_MULTILINE), write to f. The formatted length, or -1. */
int text_fprintf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write the clean form (TEXT_MULTILINE) of s[0..n) to f. 0, or -1 on a write error or ENOMEM. */
int text_fwrite(FILE *f, const char *s, size_t n);

/* A file-name part made from s: [A-Za-z0-9._-] kept, every other byte '_', at most max bytes, never "."
 * or ".." (so a scenario name cannot climb out of reports/). Appended to out; -1 on ENOMEM. */
int text_filename_part(buf *out, const char *s, size_t max);

/* The value of one hexadecimal digit (0-9, a-f, A-F), or -1: the one such test for every reader of hex
 * (JSON \u escapes, envelope fields, salts, percent-encoding). Inline: it runs per byte. */
static inline int text_hex_value(unsigned c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

#endif
