/* siocrypt encrypt / decrypt: one envelope (or one per line) between the command line and the envelope
 * module. Exit codes: 0 done, 1 an envelope error (one line naming its class), 2 bad usage. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "crypto/b64.h"
#include "cli/cli.h"
#include "cli/cmd.h"
#include "crypto/envelope.h"
#include "base/fileio.h"
#include "base/jsonv.h"

static const char *const warn_names[] = {
    "iv-mismatch", "padding-noncanonical", "iv-missing", "base64-noncanonical", "salt-noncanonical",
    "ct-length", "form-noncanonical",
};

static void print_warnings(const char *prog, unsigned w)
{
    for (unsigned i = 0; i < sizeof warn_names / sizeof warn_names[0]; i++)
        if (w & (1u << i)) fprintf(stderr, "%s: warning: %s\n", prog, warn_names[i]);
}

/* The one positional argument (text or "-"), or standard input when there is none (at most
 * FILEIO_MAX_INPUT bytes). -1: bad usage (help follows); -2: standard input could not be read (said). */
static int read_input(const char *prog, int argc, char **argv, buf *in, int lines)
{
    if (optind < argc - 1) return -1;
    if (optind == argc - 1 && strcmp(argv[optind], "-")) {
        if (lines) return -1;
        return buf_append_str(in, argv[optind]);
    }
    buf err = BUF_INIT;
    int rc = fileio_read("-", FILEIO_MAX_INPUT, in, &err);
    if (rc) fprintf(stderr, "%s: %s\n", prog, buf_cstr(&err));
    buf_free(&err);
    if (rc) return -2;
    if (!lines) cli_chomp(in);
    return 0;
}

/* read_input's outcome as an exit status: 0 go on, 2 stop (after the help text for bad usage). */
static int input_status(int got, const char *help)
{
    if (got == -1) fputs(help, stderr);
    return got < 0 ? 2 : 0;
}

static const char encrypt_help[] =
    "usage: siocrypt encrypt [options] [TEXT|-]\n"
    "Encrypt TEXT (or standard input, less one trailing newline) into a g-crypt envelope, as\n"
    "g-crypt's crypter.encrypt does with the JSON text: {\"ct\":\"..\",\"iv\":\"..\",\"s\":\"..\"}.\n"
    "  -s, --salt HEX              the 8-byte salt as 16 hex digits (default: random)\n"
    "      --lines                 one envelope per line of standard input\n"
    CLI_PASS_HELP
    "  -h, --help                  this text\n";

static int encrypt_one(envelope_ctx *ctx, const char *p, size_t n, const uint8_t *salt, buf *out)
{
    if (!jsonv_utf8_valid(p, n)) {              /* crypto-js encrypts JavaScript strings: UTF-8 only */
        fprintf(stderr, "siocrypt encrypt: error: bad-utf8\n");
        return 1;
    }
    envelope_err e = envelope_encrypt(ctx, p, n, salt, out);
    if (e) { fprintf(stderr, "siocrypt encrypt: error: %s\n", envelope_err_name(e)); return 1; }
    return buf_append_char(out, '\n') ? 1 : 0;
}

int cmd_encrypt(int argc, char **argv)
{
    static const struct option opts[] = {
        {"salt", required_argument, NULL, 's'}, {"lines", no_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'}, CLI_PASS_OPTIONS, {0, 0, 0, 0},
    };
    const char *pv = NULL, *pf = NULL, *salt_hex = NULL;
    int c, lines = 0, rc = 0;
    uint8_t salt[8];
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:p:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': salt_hex = optarg; break;
        case 'l': lines = 1; break;
        case 'p': pv = optarg; break;
        case CLI_OPT_PASSFILE: pf = optarg; break;
        case 'h': fputs(encrypt_help, stdout); return 0;
        default: fputs(encrypt_help, stderr); return 2;
        }
    }
    if (salt_hex && hex_decode(salt_hex, strlen(salt_hex), salt, 8)) {
        fprintf(stderr, "siocrypt encrypt: --salt wants 16 hex digits\n");
        return 2;
    }
    buf pass = BUF_INIT, in = BUF_INIT, out = BUF_INIT;
    if (cli_passphrase("siocrypt encrypt", pv, pf, &pass)) { rc = 2; goto done; }
    if ((rc = input_status(read_input("siocrypt encrypt", argc, argv, &in, lines), encrypt_help))) goto done;
    envelope_ctx *ctx = envelope_ctx_new(pass.data ? pass.data : "", pass.len);
    if (!ctx) { fprintf(stderr, "siocrypt encrypt: error: internal\n"); rc = 1; goto done; }
    if (lines) {
        const char *p = in.data ? in.data : "", *end = p + in.len;
        while (p < end && !rc) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t k = nl ? (size_t)(nl - p) : (size_t)(end - p);
            rc = encrypt_one(ctx, p, k, salt_hex ? salt : NULL, &out);
            p += k + 1;
        }
    } else {
        rc = encrypt_one(ctx, in.data ? in.data : "", in.len, salt_hex ? salt : NULL, &out);
    }
    envelope_ctx_free(ctx);
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
done:
    buf_free(&pass); buf_free(&in); buf_free(&out);
    return rc;
}

static const char decrypt_help[] =
    "usage: siocrypt decrypt [options] [ENVELOPE|-]\n"
    "Decrypt a g-crypt envelope (or standard input, less one trailing newline) as g-crypt's\n"
    "crypter.decrypt does and print the JSON text. Warnings (what crypto-js accepts but a strict\n"
    "reader would not) go to standard error; an error prints its class and exits 1.\n"
    "      --raw                   no JSON.parse check (what CryptoJS.AES.decrypt alone accepts)\n"
    "  -q, --quiet                 no warnings\n"
    CLI_PASS_HELP
    "  -h, --help                  this text\n";

int cmd_decrypt(int argc, char **argv)
{
    static const struct option opts[] = {
        {"raw", no_argument, NULL, 'r'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'}, CLI_PASS_OPTIONS, {0, 0, 0, 0},
    };
    const char *pv = NULL, *pf = NULL;
    int c, rc = 0, quiet = 0;
    unsigned flags = 0, w = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "p:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'r': flags |= ENVELOPE_RAW; break;
        case 'q': quiet = 1; break;
        case 'p': pv = optarg; break;
        case CLI_OPT_PASSFILE: pf = optarg; break;
        case 'h': fputs(decrypt_help, stdout); return 0;
        default: fputs(decrypt_help, stderr); return 2;
        }
    }
    buf pass = BUF_INIT, in = BUF_INIT, out = BUF_INIT;
    if (cli_passphrase("siocrypt decrypt", pv, pf, &pass)) { rc = 2; goto done; }
    if ((rc = input_status(read_input("siocrypt decrypt", argc, argv, &in, 0), decrypt_help))) goto done;
    envelope_ctx *ctx = envelope_ctx_new(pass.data ? pass.data : "", pass.len);
    if (!ctx) { fprintf(stderr, "siocrypt decrypt: error: internal\n"); rc = 1; goto done; }
    envelope_err e = envelope_decrypt_ex(ctx, in.data ? in.data : "", in.len, flags, &out, &w);
    envelope_ctx_free(ctx);
    if (!quiet) print_warnings("siocrypt decrypt", w);
    if (e) {
        fprintf(stderr, "siocrypt decrypt: error: %s\n", envelope_err_name(e));
        rc = 1;
    } else {
        fwrite(out.data ? out.data : "", 1, out.len, stdout);
        fputc('\n', stdout);
    }
done:
    buf_free(&pass); buf_free(&in); buf_free(&out);
    return rc;
}
