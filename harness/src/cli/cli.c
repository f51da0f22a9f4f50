/* cli: see cli.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli/cli.h"
#include "base/fileio.h"
#include "base/text.h"

void cli_chomp(buf *b)
{
    if (b->len && b->data[b->len - 1] == '\n') {
        b->len--;
        if (b->len && b->data[b->len - 1] == '\r') b->len--;
        b->data[b->len] = '\0';
    }
}

int cli_passphrase(const char *prog, const char *value, const char *file, buf *out)
{
    buf_clear(out);
    if (value) return buf_append_str(out, value);
    if (file) {
        buf err = BUF_INIT;
        int rc = fileio_read(file, FILEIO_MAX_PASSPHRASE, out, &err);
        if (rc) text_fprintf(stderr, "%s: passphrase file %s\n", prog, buf_cstr(&err));
        buf_free(&err);
        if (rc) return -1;
        cli_chomp(out);
        return 0;
    }
    const char *env = getenv("SIOCRYPT_PASSPHRASE");
    if (env) return buf_append_str(out, env);
    text_fprintf(stderr, "%s: no passphrase: give -p TEXT, --passphrase-file FILE or set SIOCRYPT_PASSPHRASE\n", prog);
    return -1;
}
