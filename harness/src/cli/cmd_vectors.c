/* siocrypt vectors FILE...: check vector files (the vectors/ JSON files, made by real crypto-js) against the C
 * envelope code. Each vector: {cryptojs, case, passphrase, plaintext, envelope, salt, key, iv, expect}.
 *  expect "ok":    decrypt(passphrase, envelope) gives plaintext exactly; when the envelope is exactly what
 *                  g-crypt writes (decrypt warns of nothing), encrypt(plaintext, salt) gives it back exactly.
 *  expect "error": decrypt fails (with some class).
 *  both:           where salt is 16 hex digits and key/iv are given, EVP_BytesToKey gives key and iv.
 * Other fields are ignored. One line per failure, then "N passed, M failed". */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "crypto/b64.h"
#include "cli/cmd.h"
#include "crypto/envelope.h"
#include "base/fileio.h"
#include "base/text.h"

static const char vectors_help[] =
    "usage: siocrypt vectors [-v] FILE...\n"
    "       siocrypt vectors --baseline OLD.json NEW.json\n"
    "Check crypto-js vector files against the C envelope code; one line per failing vector, then\n"
    "\"N passed, M failed\". Exit 0 iff none failed.\n"
    "With --baseline: which cases changed outcome between two vector files (expect, and the plaintext of\n"
    "those that decrypt), one line per case added, removed or changed; exit 0 when none, 1 when any, 2 on\n"
    "bad usage or a file that is not a vector array.\n"
    "  -b, --baseline OLD  compare NEW.json's outcomes with OLD.json's\n"
    "  -v, --verbose   one line per vector\n"
    "  -h, --help      this text\n";

static const char *field(const cJSON *v, const char *name)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(v, name);
    return cJSON_IsString(f) ? f->valuestring : NULL;
}

/* ---- --baseline: outcomes of two vector files, case by case ---- */

typedef struct vec_case { const char *name, *expect, *plaintext; int seen; } vec_case;

/* The cases of a vector file (pointing into doc). NULL with the reason in err when it is not one. */
static vec_case *vec_cases(const cJSON *doc, const char *path, size_t *n, buf *err)
{
    if (!cJSON_IsArray(doc)) { buf_fail(err, "%s: not a JSON array of vectors", path); return NULL; }
    int total = cJSON_GetArraySize(doc);
    vec_case *v = calloc(total ? (size_t)total : 1, sizeof *v);
    if (!v) { buf_fail(err, "%s: out of memory", path); return NULL; }
    const cJSON *it;
    *n = 0;
    cJSON_ArrayForEach(it, doc) {
        vec_case *c = &v[*n];
        c->name = field(it, "case");
        c->expect = field(it, "expect");
        c->plaintext = field(it, "plaintext");
        if (!c->name || !c->expect || (strcmp(c->expect, "ok") && strcmp(c->expect, "error")) ||
            (!strcmp(c->expect, "ok") && !c->plaintext)) {
            buf_fail(err, "%s[%zu]: a vector needs a string case, expect \"ok\" or \"error\", and a plaintext when ok",
                     path, *n);
            free(v);
            return NULL;
        }
        (*n)++;
    }
    return v;
}

/* The k-th (0-based) case of that name: a file may repeat a name, and the repeats pair up in order. */
static vec_case *vec_find(vec_case *v, size_t n, const char *name, int k)
{
    for (size_t i = 0; i < n; i++) if (!strcmp(v[i].name, name) && k-- == 0) return &v[i];
    return NULL;
}

static int vec_rank(const vec_case *v, const vec_case *c)
{
    int k = 0;
    for (const vec_case *p = v; p < c; p++) k += !strcmp(p->name, c->name);
    return k;
}

static int vec_outcome_same(const vec_case *a, const vec_case *b)
{
    if (strcmp(a->expect, b->expect)) return 0;
    return strcmp(a->expect, "ok") || !strcmp(a->plaintext, b->plaintext);
}

static void vec_diff_lines(vec_case *o, size_t no, vec_case *w, size_t nw, long *count)
{
    for (size_t i = 0; i < no; i++) {
        vec_case *b = vec_find(w, nw, o[i].name, vec_rank(o, &o[i]));
        if (!b) { text_fprintf(stdout, "removed  %s (%s)\n", o[i].name, o[i].expect); count[1]++; continue; }
        b->seen = 1;
        if (vec_outcome_same(&o[i], b)) { count[3]++; continue; }
        count[2]++;
        if (strcmp(o[i].expect, b->expect)) text_fprintf(stdout, "changed  %s: %s -> %s\n", o[i].name, o[i].expect, b->expect);
        else text_fprintf(stdout, "changed  %s: ok, but another plaintext (%zu bytes -> %zu bytes)\n", o[i].name,
                          strlen(o[i].plaintext), strlen(b->plaintext));
    }
    for (size_t i = 0; i < nw; i++)
        if (!w[i].seen) { text_fprintf(stdout, "added    %s (%s)\n", w[i].name, w[i].expect); count[0]++; }
}

static int vectors_baseline(const char *old_path, const char *new_path)
{
    const char *path[2] = {old_path, new_path};
    cJSON *doc[2] = {NULL, NULL};
    vec_case *v[2] = {NULL, NULL};
    size_t n[2] = {0, 0};
    long count[4] = {0, 0, 0, 0};   /* added, removed, changed, unchanged */
    buf text = BUF_INIT, err = BUF_INIT;
    int rc = 2;
    for (int i = 0; i < 2; i++) {
        if (fileio_read(path[i], FILEIO_MAX_INPUT, &text, &err) < 0) goto done;
        doc[i] = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
        if (!(v[i] = vec_cases(doc[i], path[i], &n[i], &err))) goto done;
    }
    vec_diff_lines(v[0], n[0], v[1], n[1], count);
    text_fprintf(stdout, "%zu cases in %s, %zu in %s: %ld changed, %ld added, %ld removed, %ld unchanged\n", n[0],
                 old_path, n[1], new_path, count[2], count[0], count[1], count[3]);
    rc = count[0] || count[1] || count[2] ? 1 : 0;
done:
    if (rc == 2) text_fprintf(stderr, "siocrypt vectors: %s\n", buf_cstr(&err));
    for (int i = 0; i < 2; i++) { free(v[i]); cJSON_Delete(doc[i]); }
    buf_free(&text);
    buf_free(&err);
    return rc;
}

/* key and iv, when the vector gives them with an 8-byte salt. NULL if fine, else the reason. */
static const char *check_kdf(const char *pass, const char *salt, const char *key, const char *iv)
{
    uint8_t s[8], k[32], i[16];
    char kh[65], ih[33];
    if (!key || !iv || !*key || !*iv || hex_decode(salt, strlen(salt), s, 8)) return NULL;
    envelope_derive(pass, strlen(pass), s, k, i);
    hex_encode(k, 32, kh);
    hex_encode(i, 16, ih);
    if (strcasecmp(kh, key)) return "derived key differs";
    if (strcasecmp(ih, iv)) return "derived iv differs";
    return NULL;
}

/* One vector: NULL if it passes, else why not (in why, a scratch buffer). */
static const char *check_vector(const cJSON *v, buf *why, int verbose)
{
    static const char *const req[] = {"cryptojs", "case", "passphrase", "plaintext", "envelope", "salt",
                                      "key", "iv", "expect"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!field(v, req[i])) { buf_printf(why, "field %s missing or not a string", req[i]); return why->data; }
    const char *pass = field(v, "passphrase"), *pt = field(v, "plaintext"), *env = field(v, "envelope");
    const char *salt = field(v, "salt"), *expect = field(v, "expect");
    int want_ok = !strcmp(expect, "ok");
    if (!want_ok && strcmp(expect, "error")) { buf_printf(why, "expect is neither ok nor error"); return why->data; }

    const char *r = check_kdf(pass, salt, field(v, "key"), field(v, "iv"));
    if (r) return r;
    envelope_ctx *ctx = envelope_ctx_new(pass, strlen(pass));
    if (!ctx) return "out of memory";
    buf out = BUF_INIT;
    unsigned w = 0;
    envelope_err e = envelope_decrypt(ctx, env, strlen(env), &out, &w);
    if (verbose)
        text_fprintf(stdout, "  %s/%s: %s (warnings 0x%x)\n", field(v, "cryptojs"), field(v, "case"), envelope_err_name(e), w);
    r = NULL;
    if (!want_ok) {
        if (!e) r = "decrypt succeeded, crypto-js fails";
    } else if (e) {
        buf_printf(why, "decrypt failed: %s", envelope_err_name(e));
        r = why->data;
    } else if (out.len != strlen(pt) || memcmp(out.data, pt, out.len)) {
        r = "decrypt gives another plaintext";
    } else if (!w) {
        uint8_t s[8];
        buf enc = BUF_INIT;
        if (hex_decode(salt, strlen(salt), s, 8)) r = "salt field is not 16 hex digits";
        else if (envelope_encrypt(ctx, pt, strlen(pt), s, &enc)) r = "encrypt failed";
        else if (strcmp(enc.data, env)) { buf_printf(why, "encrypt gives %s", enc.data); r = why->data; }
        buf_free(&enc);
    }
    buf_free(&out);
    envelope_ctx_free(ctx);
    return r;
}

int cmd_vectors(int argc, char **argv)
{
    static const struct option opts[] = {
        {"verbose", no_argument, NULL, 'v'}, {"baseline", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0},
    };
    int c, verbose = 0, bad_file = 0;
    const char *baseline = NULL;
    long pass = 0, fail = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "vb:h", opts, NULL)) != -1) {
        switch (c) {
        case 'v': verbose = 1; break;
        case 'b': baseline = optarg; break;
        case 'h': fputs(vectors_help, stdout); return 0;
        default: fputs(vectors_help, stderr); return 2;
        }
    }
    if (baseline) {
        if (argc - optind != 1) { fputs(vectors_help, stderr); return 2; }
        return vectors_baseline(baseline, argv[optind]);
    }
    if (optind >= argc) { fputs(vectors_help, stderr); return 2; }
    for (int f = optind; f < argc; f++) {
        buf text = BUF_INIT, why = BUF_INIT;
        if (fileio_read(argv[f], FILEIO_MAX_INPUT, &text, &why)) {
            text_fprintf(stdout, "%s\n", buf_cstr(&why));
            fail++; bad_file = 1; buf_free(&text); buf_free(&why);
            continue;
        }
        cJSON *doc = cJSON_ParseWithLength(text.data ? text.data : "", text.len);
        if (!cJSON_IsArray(doc)) {
            text_fprintf(stdout, "%s: not a JSON array of vectors\n", argv[f]);
            fail++; bad_file = 1;
        } else {
            int idx = 0;
            const cJSON *v;
            cJSON_ArrayForEach(v, doc) {
                buf_clear(&why);
                const char *r = check_vector(v, &why, verbose);
                if (r) {
                    const char *name = field(v, "case");
                    text_fprintf(stdout, "%s[%d] %s (crypto-js %s): %s\n", argv[f], idx, name ? name : "?",
                           field(v, "cryptojs") ? field(v, "cryptojs") : "?", r);
                    fail++;
                } else {
                    pass++;
                }
                idx++;
            }
        }
        cJSON_Delete(doc);
        buf_free(&text); buf_free(&why);
    }
    printf("%ld passed, %ld failed\n", pass, fail);
    return fail ? (bad_file ? 2 : 1) : 0;
}
