/* fileio: reading a whole file (or standard input) into memory, never more than a stated maximum, so no
 * input (/dev/zero, an endless pipe, a huge file) makes the harness buffer without limit. Every command
 * that reads a file goes through here: scenarios, passphrase files, envelopes, vectors, reports to merge. */
#ifndef SIOCRYPT_FILEIO_H
#define SIOCRYPT_FILEIO_H
#include <stddef.h>
#include "base/buf.h"

#define FILEIO_MAX_PASSPHRASE (64u << 10)    /* a passphrase file */
#define FILEIO_MAX_SCENARIO   (1u << 20)     /* a scenario file: a few hundred bytes in practice */
#define FILEIO_MAX_INPUT      (16u << 20)    /* an envelope (decrypt, encrypt --lines), a vector file */
#define FILEIO_MAX_REPORT     (64u << 20)    /* a report.json to merge (histograms and a timeline) */

/* Replaces out with the bytes of path ("-" = standard input), at most max of them. 0; or -1 with one
 * message in err naming the path: "cannot open: ...", "cannot read: ...", "larger than N bytes (the
 * limit)". Reading stops at max + 1 bytes: an endless source ends the read, it does not fill memory. */
int fileio_read(const char *path, size_t max, buf *out, buf *err);

#endif
