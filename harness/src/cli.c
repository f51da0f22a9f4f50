/* cli: see cli.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "text.h"

int cli_read_file(const char *path, buf *out)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) return -1;
    char tmp[65536];
    size_t k;
    int rc = 0;
    while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
        if (buf_append(out, tmp, k)) { errno = ENOMEM; rc = -1; break; }
    if (ferror(f)) rc = -1;
    if (f != stdin) fclose(f);
    return rc;
}

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
        if (cli_read_file(file, out)) {
            text_fprintf(stderr, "%s: cannot read passphrase file %s: %s\n", prog, file, strerror(errno));
            return -1;
        }
        cli_chomp(out);
        return 0;
    }
    const char *env = getenv("SIOCRYPT_PASSPHRASE");
    if (env) return buf_append_str(out, env);
    text_fprintf(stderr, "%s: no passphrase: give -p TEXT, --passphrase-file FILE or set SIOCRYPT_PASSPHRASE\n", prog);
    return -1;
}
