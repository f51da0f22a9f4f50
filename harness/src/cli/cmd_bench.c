/* siocrypt bench: envelope encrypt and decrypt throughput on the counter message and on 256 B, 4 KiB and
 * 64 KiB JSON payloads, one thread, one reused envelope_ctx (as a worker thread holds one). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cmd.h"
#include "crypto/envelope.h"

#define BENCH_PASSPHRASE "super-secret-passphrase"   /* the seed demo's */

static const char bench_help[] =
    "usage: siocrypt bench [--json] [--seconds S]\n"
    "Time envelope encrypt and decrypt (CLOCK_MONOTONIC, one core) of the counter message {\"id\":0}\n"
    "and of 256 B, 4 KiB and 64 KiB JSON texts: ops/s, ns/op, MB/s of plaintext.\n"
    "      --json          one object {\"results\":[{\"op\",\"payload_bytes\",\"ops_per_s\",\"ns_per_op\",\"mb_per_s\"}..]}\n"
    "      --seconds S     time per measurement (default 1; 0.001 to 3600)\n"
    "  -h, --help          this text\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A JSON text of exactly n bytes (n >= 12): {"data":"xx..x"} */
static void make_payload(buf *b, size_t n)
{
    buf_clear(b);
    buf_append_str(b, "{\"data\":\"");
    while (b->len < n - 2) buf_append_char(b, (char)('a' + b->len % 26));
    buf_append_str(b, "\"}");
}

typedef struct { const char *op; size_t bytes; double ops, secs; } result;

/* Run op until `seconds` have passed, checking the clock every batch. Returns ops/s, or -1 on failure. */
static int run(envelope_ctx *ctx, int enc, const buf *pt, const buf *env, double seconds, result *r)
{
    buf out = BUF_INIT;
    unsigned long n = 0, batch = 1;
    double t0 = now(), t;
    do {
        for (unsigned long i = 0; i < batch; i++) {
            buf_clear(&out);
            envelope_err e = enc ? envelope_encrypt(ctx, pt->data, pt->len, NULL, &out)
                                 : envelope_decrypt(ctx, env->data, env->len, &out, NULL);
            if (e) { buf_free(&out); return -1; }
        }
        n += batch;
        if (batch < 1024) batch *= 2;
        t = now();
    } while (t - t0 < seconds);
    r->ops = (double)n;
    r->secs = t - t0;
    buf_free(&out);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0},
    };
    int c, json = 0, rc = 0;
    double seconds = 1.0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 's': {
            char *end;
            seconds = strtod(optarg, &end);
            if (end == optarg || *end || !(seconds >= 0.001 && seconds <= 3600)) {
                fprintf(stderr, "siocrypt bench: --seconds: must be a number in [0.001, 3600], got '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'h': fputs(bench_help, stdout); return 0;
        default: fputs(bench_help, stderr); return 2;
        }
    }
    if (optind != argc) { fputs(bench_help, stderr); return 2; }

    static const size_t sizes[] = {0, 256, 4096, 65536};     /* 0: the counter message */
    envelope_ctx *ctx = envelope_ctx_new(BENCH_PASSPHRASE, strlen(BENCH_PASSPHRASE));
    buf pt = BUF_INIT, env = BUF_INIT;
    result res[8];
    int nres = 0;
    if (!ctx) return 1;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0] && !rc; i++) {
        if (sizes[i]) make_payload(&pt, sizes[i]);
        else { buf_clear(&pt); buf_append_str(&pt, "{\"id\":0}"); }
        buf_clear(&env);
        if (envelope_encrypt(ctx, pt.data, pt.len, NULL, &env)) { rc = 1; break; }
        for (int enc = 1; enc >= 0; enc--) {
            result *r = &res[nres++];
            r->op = enc ? "encrypt" : "decrypt";
            r->bytes = pt.len;
            if (run(ctx, enc, &pt, &env, seconds, r)) { rc = 1; break; }
        }
    }
    if (!rc) {
        if (json) printf("{\"results\":[");
        else printf("%-8s %8s %14s %12s %10s\n", "op", "bytes", "ops/s", "ns/op", "MB/s");
        for (int i = 0; i < nres; i++) {
            double ops = res[i].ops / res[i].secs, ns = 1e9 / ops, mb = ops * (double)res[i].bytes / 1e6;
            if (json)
                printf("%s{\"op\":\"%s\",\"payload_bytes\":%zu,\"ops_per_s\":%.1f,\"ns_per_op\":%.1f,\"mb_per_s\":%.3f}",
                       i ? "," : "", res[i].op, res[i].bytes, ops, ns, mb);
            else
                printf("%-8s %8zu %14.0f %12.1f %10.2f\n", res[i].op, res[i].bytes, ops, ns, mb);
        }
        if (json) printf("]}\n");
    } else {
        fprintf(stderr, "siocrypt bench: envelope failure\n");
    }
    envelope_ctx_free(ctx);
    buf_free(&pt); buf_free(&env);
    return rc;
}
