/* check_probe: the probes' frames (decrypted with the envelope codec, which reads as crypto-js does) and
 * the findings drawn from probe records. Against the real servers: t_40_robustness.sh. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "load/probe_client.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "load/probe.h"
#include "report/result.h"
#include "check_run.h"

#define PASS "super-secret-passphrase"

/* Build probe k; return the parsed array, checking it is ["counter", <arg>]. */
static cJSON *build(probe_kind k, int64_t id, long max_payload, const char *captured, buf *text)
{
    buf_clear(text);
    ck_assert_int_eq(probe_build(k, PASS, strlen(PASS), "counter", id, max_payload, captured, text), 0);
    cJSON *j = cJSON_ParseWithLength(text->data, text->len);
    ck_assert_msg(cJSON_IsArray(j) && cJSON_GetArraySize(j) == 2, "%s: %s", probe_name(k), text->data);
    ck_assert_str_eq(cJSON_GetArrayItem(j, 0)->valuestring, "counter");
    return j;
}

/* Decrypt the string argument as the server would. */
static envelope_err open_arg(cJSON *j, buf *pt, unsigned *warn)
{
    envelope_ctx *ctx = envelope_ctx_new(PASS, strlen(PASS));
    const cJSON *a = cJSON_GetArrayItem(j, 1);
    ck_assert(cJSON_IsString(a));
    buf_clear(pt);
    *warn = 0;
    envelope_err e = envelope_decrypt(ctx, a->valuestring, strlen(a->valuestring), pt, warn);
    envelope_ctx_free(ctx);
    return e;
}

START_TEST(frames)
{
    buf t = BUF_INIT, pt = BUF_INIT, base = BUF_INIT;
    unsigned w;
    cJSON *j = build(PROBE_BASELINE, 10, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_OK);
    ck_assert_str_eq(pt.data, "{\"id\":10}");
    ck_assert_uint_eq(w, 0);
    buf_append(&base, t.data, t.len);
    cJSON_Delete(j);

    j = build(PROBE_REPLAY, 10, 0, base.data, &t);
    ck_assert_str_eq(t.data, base.data);
    cJSON_Delete(j);
    ck_assert_int_eq(probe_build(PROBE_REPLAY, PASS, strlen(PASS), "counter", 1, 0, NULL, &t), -1);

    j = build(PROBE_IV_ALTERED, 14, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_OK);          /* crypto-js ignores the field */
    ck_assert_str_eq(pt.data, "{\"id\":14}");
    ck_assert(w & ENVELOPE_WARN_IV_MISMATCH);
    cJSON_Delete(j);

    /* one bit flipped in the padding's block: still {"id":16} for crypto-js, with garbage cut off */
    j = build(PROBE_FLIPPED_BIT, 16, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_OK);
    ck_assert_str_eq(pt.data, "{\"id\":16}");
    ck_assert(w & ENVELOPE_WARN_PADDING_NONCANONICAL);
    cJSON_Delete(j);
    ck_assert_int_eq(probe_build(PROBE_FLIPPED_BIT, PASS, strlen(PASS), "counter", 123456789, 0, NULL, &t), -1);

    j = build(PROBE_NOT_JSON, 18, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_ERR_BAD_JSON);
    cJSON_Delete(j);
    j = build(PROBE_MISSING_SALT, 20, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_ERR_MISSING_SALT);
    cJSON_Delete(j);
    j = build(PROBE_BAD_BASE64, 22, 0, NULL, &t);
    ck_assert_int_ne(open_arg(j, &pt, &w), ENVELOPE_OK);
    cJSON_Delete(j);
    j = build(PROBE_TRUNCATED_CT, 24, 0, NULL, &t);
    ck_assert_int_ne(open_arg(j, &pt, &w), ENVELOPE_OK);
    cJSON_Delete(j);
    j = build(PROBE_CT_NOT_STRING, 26, 0, NULL, &t);
    ck_assert_int_eq(open_arg(j, &pt, &w), ENVELOPE_ERR_CT_NOT_STRING);
    cJSON_Delete(j);
    j = build(PROBE_WRONG_PASSPHRASE, 28, 0, NULL, &t);
    ck_assert_int_ne(open_arg(j, &pt, &w), ENVELOPE_OK);
    cJSON_Delete(j);
    j = build(PROBE_NON_STRING_ARG, 30, 0, NULL, &t);
    ck_assert(cJSON_IsObject(cJSON_GetArrayItem(j, 1)));
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 1), "ct")));
    cJSON_Delete(j);
    j = build(PROBE_OVERSIZED, 32, 5000, NULL, &t);
    ck_assert_uint_gt(t.len, 5000);
    ck_assert_uint_lt(t.len, 5000 + 2048);
    cJSON_Delete(j);
    ck_assert_str_eq(probe_name(PROBE_NON_STRING_ARG), "non-string-argument");
    buf_free(&t);
    buf_free(&pt);
    buf_free(&base);
}
END_TEST

/* The oversized probe past a server's maxPayload, but never past the message limit: a server announcing
 * 300 MB made a robustness run allocate 1.5 GB. */
START_TEST(oversized_is_capped)
{
    char note[160];
    ck_assert_int_eq(probe_oversized_size(0, 16 << 20, note, sizeof note), 1000000);
    ck_assert_ptr_nonnull(strstr(note, "default"));
    ck_assert_int_eq(probe_oversized_size(5000, 16 << 20, note, sizeof note), 5000);
    ck_assert_str_eq(note, "sized past maxPayload 5000");
    ck_assert_int_eq(probe_oversized_size(300000000, 16 << 20, note, sizeof note), 16 << 20);
    ck_assert_ptr_nonnull(strstr(note, "announced maxPayload 300000000"));
    ck_assert_ptr_nonnull(strstr(note, "message limit 16777216"));
    ck_assert_int_eq(probe_oversized_size(9000000000000000L, 4096, note, sizeof note), 4096);
}
END_TEST

static void rec(probe_record *r, probe_kind k, int ran, int outcome, int health)
{
    memset(r, 0, sizeof *r);
    r->kind = k;
    r->ran = ran;
    r->outcome = outcome;
    r->health = health;
    r->answer_ok = outcome == CLIENT_PROBE_COUNTER;
    snprintf(r->sent, sizeof r->sent, "[\"counter\",\"...\"]");
}

static const result_finding *finding(const result *r, const char *id)
{
    for (size_t i = 0; i < r->nfindings; i++)
        if (!strcmp(r->findings[i].id, id)) return &r->findings[i];
    return NULL;
}

START_TEST(seed_like)
{
    probe_record p[PROBE__COUNT];
    for (int k = 0; k < PROBE__COUNT; k++) rec(&p[k], (probe_kind)k, 0, CLIENT_PROBE_PENDING, -1);
    rec(&p[0], PROBE_BASELINE, 1, CLIENT_PROBE_COUNTER, -1);
    rec(&p[1], PROBE_REPLAY, 1, CLIENT_PROBE_COUNTER, 1);
    rec(&p[2], PROBE_IV_ALTERED, 1, CLIENT_PROBE_COUNTER, 1);
    rec(&p[3], PROBE_FLIPPED_BIT, 1, CLIENT_PROBE_COUNTER, 1);
    rec(&p[4], PROBE_NOT_JSON, 1, CLIENT_PROBE_DISCONNECTED, 0);
    snprintf(p[4].health_detail, sizeof p[4].health_detail, "connect-refused");
    result *r = result_new();
    probe_assess(p, PROBE__COUNT, "the local server process exited with status 1", r);
    const result_finding *c = finding(r, "crash-on-bad-envelope");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->severity, "high");
    ck_assert_ptr_nonnull(strstr(c->detail, "after the not-json probe"));
    ck_assert_ptr_nonnull(strstr(c->detail, "missing-salt, bad-base64"));
    ck_assert_ptr_nonnull(strstr(c->evidence, "connect-refused"));
    ck_assert_ptr_nonnull(strstr(c->evidence, "exited with status 1"));
    ck_assert_ptr_nonnull(finding(r, "replay-accepted"));
    ck_assert_ptr_nonnull(finding(r, "iv-field-ignored"));
    ck_assert_ptr_nonnull(finding(r, "no-integrity"));
    ck_assert_ptr_null(finding(r, "error-oracle"));
    ck_assert_ptr_nonnull(finding(r, "shared-passphrase"));
    ck_assert_ptr_null(finding(r, "probe-baseline-failed"));
    ck_assert_uint_eq(r->nprobes, PROBE__COUNT);
    ck_assert_str_eq(r->probes[4].health, "failed: connect-refused");
    ck_assert_int_eq(r->probes[5].ran, 0);
    ck_assert_str_eq(r->probes[5].outcome, "not-run");
    ck_assert_str_eq(r->probes[5].detail, "not run: server gone");
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 1);
    result_free(r);
}
END_TEST

/* A strict server: the flipped bit is refused, but with an error no other garbage gets. */
static result *strict(const char *flip_msg)
{
    probe_record p[PROBE__COUNT];
    for (int k = 0; k < PROBE__COUNT; k++) {
        rec(&p[k], (probe_kind)k, 1, CLIENT_PROBE_COUNTER_ERROR, k ? 1 : -1);
        snprintf(p[k].error_kind, sizeof p[k].error_kind, "decrypt");
        snprintf(p[k].error_msg, sizeof p[k].error_msg, "Unexpected end of JSON input");
    }
    rec(&p[0], PROBE_BASELINE, 1, CLIENT_PROBE_COUNTER, -1);
    snprintf(p[PROBE_FLIPPED_BIT].error_msg, sizeof p[0].error_msg, "%s", flip_msg);
    result *r = result_new();
    probe_assess(p, PROBE__COUNT, NULL, r);
    return r;
}

START_TEST(oracle_or_not)
{
    result *r = strict("Malformed UTF-8 data");
    const result_finding *f = finding(r, "error-oracle");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->severity, "low");
    ck_assert_ptr_null(finding(r, "no-integrity"));
    ck_assert_ptr_null(finding(r, "replay-accepted"));
    ck_assert_ptr_null(finding(r, "crash-on-bad-envelope"));
    result_finish(r);
    ck_assert_int_eq(result_exit_code(r), 0);
    result_free(r);
    r = strict("Unexpected end of JSON input");     /* the same answer as all other garbage: no oracle */
    ck_assert_ptr_null(finding(r, "error-oracle"));
    result_free(r);
}
END_TEST

START_TEST(baseline_failed)
{
    probe_record p[PROBE__COUNT];
    for (int k = 0; k < PROBE__COUNT; k++) rec(&p[k], (probe_kind)k, 0, CLIENT_PROBE_PENDING, -1);
    rec(&p[0], PROBE_BASELINE, 1, CLIENT_PROBE_SILENT, -1);
    result *r = result_new();
    probe_assess(p, PROBE__COUNT, NULL, r);
    ck_assert_ptr_nonnull(finding(r, "probe-baseline-failed"));
    ck_assert_ptr_null(finding(r, "crash-on-bad-envelope"));
    result_free(r);
}
END_TEST

START_TEST(envelope_findings)
{
    envseen *e = envseen_new(0);
    const char *a = "{\"ct\":\"x\",\"iv\":\"y\",\"s\":\"00000000000000ab\"}";
    result *r = result_new();
    envseen_add(e, a, strlen(a), 0);
    probe_envelope_findings(e, r);
    ck_assert_uint_eq(r->nfindings, 0);
    envseen_add(e, a, strlen(a), ENVELOPE_WARN_IV_MISMATCH);
    probe_envelope_findings(e, r);
    const result_finding *f = finding(r, "salt-reuse");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->severity, "high");
    ck_assert_ptr_nonnull(strstr(f->evidence, "salt 00000000000000ab seen again"));
    f = finding(r, "iv-mismatch");
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(f->severity, "low");
    result_free(r);
    envseen_free(e);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("probe");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, frames);
    tcase_add_test(tc, oversized_is_capped);
    tcase_add_test(tc, seed_like);
    tcase_add_test(tc, oracle_or_not);
    tcase_add_test(tc, baseline_failed);
    tcase_add_test(tc, envelope_findings);
    suite_add_tcase(s, tc);
    return check_run(s);
}
