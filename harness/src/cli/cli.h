/* cli: what every subcommand's command line shares: the passphrase options. Files and standard input
 * are read through fileio (bounded). */
#ifndef SIOCRYPT_CLI_H
#define SIOCRYPT_CLI_H
#include <getopt.h>
#include "base/buf.h"

/* getopt_long entries for the passphrase; put CLI_PASS_OPTIONS in a struct option table and hand the
 * results to cli_passphrase. -p takes the text itself. */
#define CLI_OPT_PASSFILE 0x100
#define CLI_PASS_OPTIONS \
    {"passphrase", required_argument, NULL, 'p'}, \
    {"passphrase-file", required_argument, NULL, CLI_OPT_PASSFILE}
#define CLI_PASS_HELP \
    "  -p, --passphrase TEXT       the passphrase\n" \
    "      --passphrase-file FILE  read it from FILE (one trailing newline is dropped; at most 64 KiB)\n" \
    "  (else the environment variable SIOCRYPT_PASSPHRASE)\n"

/* The passphrase, first found of: value (-p), file (--passphrase-file), $SIOCRYPT_PASSPHRASE. Either
 * argument may be NULL. On success 0 and the bytes in out; else -1 after one line on stderr naming prog. */
int cli_passphrase(const char *prog, const char *value, const char *file, buf *out);

/* Drops one trailing "\n" (or "\r\n"). */
void cli_chomp(buf *b);

#endif
