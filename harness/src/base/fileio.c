/* fileio: see fileio.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "base/fileio.h"

static const char *fileio_name(const char *path)
{
    return strcmp(path, "-") ? path : "standard input";
}

/* Reads up to max + 1 bytes: one more than allowed is how "too large" is told from "exactly max". */
static int fileio_read_stream(FILE *f, size_t max, buf *out)
{
    char chunk[65536];
    for (;;) {
        size_t want = max + 1 - out->len;
        if (want > sizeof chunk) want = sizeof chunk;
        size_t got = fread(chunk, 1, want, f);
        if (got && buf_append(out, chunk, got)) { errno = ENOMEM; return -1; }
        if (out->len > max) { errno = EFBIG; return -1; }
        if (got < want) return ferror(f) ? -1 : 0;
    }
}

int fileio_read(const char *path, size_t max, buf *out, buf *err)
{
    int is_stdin = !strcmp(path, "-");
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    buf_clear(out);
    if (!f) return buf_fail(err, "%s: cannot open: %s", path, strerror(errno));
    errno = 0;
    int rc = fileio_read_stream(f, max, out);
    int e = errno ? errno : EIO;
    if (!is_stdin) fclose(f);
    if (rc == 0) return 0;
    buf_clear(out);
    if (e == EFBIG) {
        int mib = max % (1u << 20) == 0;
        return buf_fail(err, "%s: larger than %zu %s, the limit for this input", fileio_name(path),
                        mib ? max >> 20 : max % 1024 == 0 ? max >> 10 : max, mib ? "MiB" : max % 1024 == 0 ? "KiB" : "bytes");
    }
    return buf_fail(err, "%s: cannot read: %s", fileio_name(path), strerror(e));
}
