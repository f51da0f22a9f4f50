/* probe: robustness probes and their findings (see probe.h). Frames and assessment are pure; probe_run
 * drives one single-client worker per probe and per health check. */
#include "load/probe.h"
#include "load/signals.h"
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "base/jsonv.h"
#include "crypto/b64.h"
#include "load/probe_client.h"
#include "base/clock.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "load/localserver.h"
#include "report/result.h"
#include "proto/sio.h"
#include "report/stats.h"
#include "base/text.h"
#include "load/worker.h"

#define PROBE_DEFAULT_MAX_PAYLOAD 1000000L   /* engine.io's maxHttpBufferSize default */

static const char *names[PROBE__COUNT] = {
    "baseline", "replay", "iv-altered", "flipped-bit", "not-json", "missing-salt", "bad-base64",
    "truncated-ct", "ct-not-string", "wrong-passphrase", "non-string-argument", "oversized"};

const char *probe_name(probe_kind k) { return k < PROBE__COUNT ? names[k] : "?"; }

/* What the server answered (or we sent) into a record's fixed field: clean text (text.h), cut on a
 * character boundary, "..." when it did not fit. */
static void copy(char *dst, size_t cap, const char *s, size_t n)
{
    text_clean_to(dst, cap, s, n, TEXT_MARK_CUT);
}

/* ---- frames ----------------------------------------------------------------------------------------- */

/* The three members of a g-crypt envelope, as text. */
typedef struct parts { char ct[128], iv[40], s[24]; } parts;

static int encrypt_parts(const char *pass, size_t passlen, const char *pt, size_t n, parts *p)
{
    envelope_ctx *ctx = envelope_ctx_new(pass, passlen);
    buf env = BUF_INIT;
    int rc = -1;
    if (ctx && envelope_encrypt(ctx, pt, n, NULL, &env) == ENVELOPE_OK) {
        cJSON *j = cJSON_ParseWithLength(env.data, env.len);
        const cJSON *ct = cJSON_GetObjectItemCaseSensitive(j, "ct"), *iv = cJSON_GetObjectItemCaseSensitive(j, "iv"),
                    *s = cJSON_GetObjectItemCaseSensitive(j, "s");
        if (cJSON_IsString(ct) && cJSON_IsString(iv) && cJSON_IsString(s) && strlen(ct->valuestring) < sizeof p->ct &&
            strlen(iv->valuestring) < sizeof p->iv && strlen(s->valuestring) < sizeof p->s) {
            strcpy(p->ct, ct->valuestring);
            strcpy(p->iv, iv->valuestring);
            strcpy(p->s, s->valuestring);
            rc = 0;
        }
        cJSON_Delete(j);
    }
    buf_free(&env);
    envelope_ctx_free(ctx);
    return rc;
}

/* The iv field made wrong on purpose: every bit of the derived IV inverted. */
static void invert_hex(char *h)
{
    static const char digits[] = "0123456789abcdef";
    for (; *h; h++) {
        const char *d = strchr(digits, *h);
        if (d) *h = digits[15 - (d - digits)];
    }
}

/* CBC is malleable and crypto-js does not check padding: it drops as many bytes as the last byte says.
 * The plaintext is {"id":N} (L bytes, 8..15) and 32 spaces, so L+32 bytes pad to 48 with 16-L bytes of
 * value 16-L. Flipping bit 0x20 of ciphertext byte 31 (the last byte of block 2) flips the same bit of the
 * last plaintext byte: 16-L becomes 48-L, and crypto-js keeps the first L bytes, {"id":N}, exactly. Block 2
 * decrypts to garbage, but it is cut off. A blind attacker needs no key for this, only the guess that the
 * message is short. */
static int flipped_parts(const char *pass, size_t passlen, int64_t id, parts *p)
{
    char pt[64];
    int l = snprintf(pt, sizeof pt, "{\"id\":%" PRId64 "}", id);
    if (l < 8 || l > 15) return -1;
    memset(pt + l, ' ', 32);
    if (encrypt_parts(pass, passlen, pt, (size_t)l + 32, p) < 0) return -1;
    uint8_t ct[64];
    int canonical;
    if (b64_decode_cryptojs(p->ct, strlen(p->ct), ct, &canonical) != 48) return -1;
    ct[31] ^= 0x20;
    b64_encode(ct, 48, p->ct);
    return 0;
}

static int json_str(buf *out, const char *s) { return sio_json_escape(out, s, strlen(s)); }

/* {"ct":..,"iv":..,"s":..} with members left out (NULL) or given as raw JSON (ct_raw). */
static void envelope_text(buf *t, const char *ct_raw, const char *ct, const char *iv, const char *s)
{
    buf_append_str(t, "{\"ct\":");
    if (ct_raw) buf_append_str(t, ct_raw);
    else buf_printf(t, "\"%s\"", ct);
    if (iv) buf_printf(t, ",\"iv\":\"%s\"", iv);
    if (s) buf_printf(t, ",\"s\":\"%s\"", s);
    buf_append_char(t, '}');
}

long probe_oversized_size(long max_payload, int64_t limit, char *note, size_t cap)
{
    long size = max_payload > 0 ? max_payload : PROBE_DEFAULT_MAX_PAYLOAD;
    if (size <= limit) {
        snprintf(note, cap, "sized past maxPayload %ld%s", size, max_payload > 0 ? "" : " (engine.io's default)");
        return size;
    }
    /* a server announcing 300 MB must not make us build (and copy) 300 MB */
    snprintf(note, cap, "the server announced maxPayload %ld; sized at the message limit %" PRId64
             " instead (limits.max_message_bytes), so it may be within what the server accepts", max_payload, limit);
    return (long)limit;
}

int probe_build(probe_kind k, const char *pass, size_t passlen, const char *event, int64_t id, long max_payload,
                const char *captured, buf *out)
{
    char pt[48];
    int n = snprintf(pt, sizeof pt, "{\"id\":%" PRId64 "}", id);
    parts p;
    buf env = BUF_INIT;
    int arg_is_raw = 0, rc = -1;

    if (k == PROBE_REPLAY) return captured ? buf_append_str(out, captured) : -1;
    if (k == PROBE_FLIPPED_BIT) {
        if (flipped_parts(pass, passlen, id, &p) < 0) return -1;
    } else if (k == PROBE_WRONG_PASSPHRASE) {
        buf other = BUF_INIT;
        buf_printf(&other, "not-%.*s", (int)passlen, pass);
        int r = encrypt_parts(other.data, other.len, pt, (size_t)n, &p);
        buf_free(&other);
        if (r < 0) return -1;
    } else if (encrypt_parts(pass, passlen, pt, (size_t)n, &p) < 0) {
        return -1;
    }
    switch (k) {
    case PROBE_BASELINE: case PROBE_FLIPPED_BIT: case PROBE_WRONG_PASSPHRASE:
        envelope_text(&env, NULL, p.ct, p.iv, p.s); break;
    case PROBE_IV_ALTERED:
        invert_hex(p.iv);
        envelope_text(&env, NULL, p.ct, p.iv, p.s); break;
    case PROBE_NOT_JSON: buf_append_str(&env, "not json"); break;
    case PROBE_MISSING_SALT: envelope_text(&env, NULL, p.ct, p.iv, NULL); break;
    case PROBE_BAD_BASE64: envelope_text(&env, NULL, "!!!not base64!!!", p.iv, p.s); break;
    case PROBE_TRUNCATED_CT: p.ct[10] = '\0'; envelope_text(&env, NULL, p.ct, p.iv, p.s); break;
    case PROBE_CT_NOT_STRING: envelope_text(&env, "1", NULL, p.iv, p.s); break;
    case PROBE_NON_STRING_ARG: envelope_text(&env, NULL, p.ct, p.iv, p.s); arg_is_raw = 1; break;
    case PROBE_OVERSIZED: {
        size_t len = (size_t)(max_payload > 0 ? max_payload : PROBE_DEFAULT_MAX_PAYLOAD) + 1024;
        len -= len % 4;
        buf_append_str(&env, "{\"ct\":\"");
        if (buf_reserve(&env, len + 64) < 0) goto done;
        memset(env.data + env.len, 'A', len);
        env.len += len;
        env.data[env.len] = '\0';
        buf_printf(&env, "\",\"iv\":\"%s\",\"s\":\"%s\"}", p.iv, p.s);
        break;
    }
    default: goto done;
    }
    buf_append_char(out, '[');
    json_str(out, event);
    buf_append_char(out, ',');
    if (arg_is_raw) buf_append(out, env.data, env.len);
    else sio_json_escape(out, env.data, env.len);
    rc = buf_append_char(out, ']');
done:
    buf_free(&env);
    return rc;
}

/* ---- assessment ------------------------------------------------------------------------------------- */

static const char *outcome_name(int o, int ran)
{
    if (!ran) return "not-run";
    switch (o) {
    case CLIENT_PROBE_COUNTER: return "answered";
    case CLIENT_PROBE_COUNTER_ERROR: return "counter_error";
    case CLIENT_PROBE_DISCONNECTED: return "disconnected";
    case CLIENT_PROBE_SILENT: return "silent";
    case CLIENT_PROBE_NOT_SENT: return "not-sent";
    default: return "interrupted";
    }
}

static const probe_record *find(const probe_record *recs, size_t n, probe_kind k)
{
    for (size_t i = 0; i < n; i++)
        if (recs[i].kind == k) return &recs[i];
    return NULL;
}

static int answered(const probe_record *p) { return p && p->ran && p->outcome == CLIENT_PROBE_COUNTER; }

/* The flipped-bit probe against the other garbage: answered like a valid message (no-integrity), or
 * answered with an error that tells it apart from the rest (error-oracle). */
static void assess_tamper(const probe_record *recs, size_t n, result *r)
{
    const probe_record *f = find(recs, n, PROBE_FLIPPED_BIT);
    buf d = BUF_INIT, ev = BUF_INIT;
    if (!f || !f->ran) return;
    if (f->outcome == CLIENT_PROBE_COUNTER) {
        buf_printf(&d, "a ciphertext with one bit flipped was accepted and answered (%s): the envelope has no MAC, "
                   "AES-CBC is malleable and crypto-js does not check the padding, so a message changed in "
                   "transit is acted on without notice", f->answer_ok ? "with the right counter" : "with a counter");
        buf_printf(&ev, "sent %s; answer: %s", f->sent, f->answer);
        result_add_finding(r, "no-integrity", "medium", buf_cstr(&d), buf_cstr(&ev));
    } else if (f->outcome == CLIENT_PROBE_COUNTER_ERROR) {
        int others = 0, same = 0;
        for (size_t i = 0; i < n; i++) {
            const probe_record *g = &recs[i];
            if (g == f || !g->ran || g->outcome != CLIENT_PROBE_COUNTER_ERROR || g->kind < PROBE_NOT_JSON) continue;
            others++;
            same += !strcmp(g->error_kind, f->error_kind) && !strcmp(g->error_msg, f->error_msg);
        }
        if (others && !same) {
            /* low: every client holds the passphrase anyway (shared-passphrase); the oracle matters
             * against someone who can inject frames but does not know it */
            buf_printf(&d, "the answer to a ciphertext with one bit flipped (%s: %s) differs from the answers to "
                       "every other malformed envelope: the server tells a sender how decryption failed, a format "
                       "oracle for tampered ciphertexts (low: anyone holding the shared passphrase can decrypt "
                       "anyway; it matters against an injector without it)", f->error_kind, f->error_msg);
            buf_printf(&ev, "sent %s; answer: %s", f->sent, f->answer);
            result_add_finding(r, "error-oracle", "low", buf_cstr(&d), buf_cstr(&ev));
        }
    }
    buf_free(&d);
    buf_free(&ev);
}

static void assess_crash(const probe_record *recs, size_t n, const char *server_note, result *r)
{
    size_t k = 0;
    while (k < n && !(recs[k].ran && recs[k].health == 0)) k++;
    if (k == n) return;
    const probe_record *p = &recs[k];
    buf d = BUF_INIT, ev = BUF_INIT, skipped = BUF_INIT;
    for (size_t i = k + 1; i < n; i++)
        if (!recs[i].ran) buf_printf(&skipped, "%s%s", skipped.len ? ", " : "", probe_name(recs[i].kind));
    buf_printf(&d, "after the %s probe the server no longer answered a valid counter: one bad message from any "
               "client takes the service down for everyone", probe_name(p->kind));
    if (skipped.len) buf_printf(&d, "; not run because the server was gone: %s", skipped.data);
    buf_printf(&ev, "probe %s sent %s; outcome: %s", probe_name(p->kind), p->sent, outcome_name(p->outcome, 1));
    if (p->answer[0]) buf_printf(&ev, " (%s)", p->answer);
    buf_printf(&ev, "; health check: %s", p->health_detail);
    if (server_note && *server_note) buf_printf(&ev, "; %s", server_note);
    result_add_finding(r, "crash-on-bad-envelope", "high", buf_cstr(&d), buf_cstr(&ev));
    buf_free(&d);
    buf_free(&ev);
    buf_free(&skipped);
}

/* A finding for a probe the server answered; the evidence is what was sent (sent_fmt takes p->sent) and
 * the answer. */
static void finding_if_answered(result *r, const probe_record *p, const char *id, const char *severity,
                                const char *detail, const char *sent_fmt)
{
    if (!answered(p)) return;
    buf ev = BUF_INIT;
    buf_printf(&ev, sent_fmt, p->sent);
    buf_printf(&ev, "; answer: %s", p->answer);
    result_add_finding(r, id, severity, detail, buf_cstr(&ev));
    buf_free(&ev);
}

void probe_assess(const probe_record *recs, size_t n, const char *server_note, result *r)
{
    const probe_record *b = find(recs, n, PROBE_BASELINE);
    if (!b || !b->ran || !b->answer_ok) {
        result_add_finding(r, "probe-baseline-failed", "high",
                           "the server did not answer a valid counter message, so nothing could be probed",
                           b && b->ran ? b->answer : "baseline not run");
    }
    assess_crash(recs, n, server_note, r);
    finding_if_answered(r, find(recs, n, PROBE_REPLAY), "replay-accepted", "medium",
                        "a captured envelope sent again was answered: the format has no nonce, timestamp or "
                        "sequence number, so whoever captures a message can make the server act on it again",
                        "the baseline's frame %s sent again on a new connection");
    finding_if_answered(r, find(recs, n, PROBE_IV_ALTERED), "iv-field-ignored", "info",
                        "an envelope whose iv field is wrong was answered: crypto-js derives the IV from the "
                        "passphrase and the salt, so the iv field is decoration (and reveals the derived IV)",
                        "sent %s (iv inverted)");
    assess_tamper(recs, n, r);
    result_add_finding(r, "shared-passphrase", "info",
                       "every client holds the one passphrase, so any client (any logged-in user, any page that "
                       "ships the key) can decrypt every other client's traffic and forge messages to the "
                       "server: the encryption hides nothing from users, the opposite of what the seed's post "
                       "claims (\"logged user cannot read another ones data\"); it only hides traffic from "
                       "those who never had the page",
                       "one passphrase for the server and all clients (g-crypt Crypt(passphrase))");
    for (size_t i = 0; i < n; i++) {
        const probe_record *q = &recs[i];
        const char *health = q->health < 0 ? "" : q->health ? "ok" : NULL;
        buf h = BUF_INIT, d = BUF_INIT;
        if (!health) { buf_printf(&h, "failed: %s", q->health_detail); health = buf_cstr(&h); }
        buf_append_str(&d, q->ran ? q->answer : q->answer[0] ? q->answer : "not run: server gone");
        if (q->note[0]) buf_printf(&d, " (%s)", q->note);
        result_add_probe(r, probe_name(q->kind), q->ran, outcome_name(q->outcome, q->ran), buf_cstr(&d), health);
        buf_free(&h);
        buf_free(&d);
    }
}

void probe_envelope_findings(const envseen *e, result *r)
{
    buf d = BUF_INIT, ev = BUF_INIT;
    if (e->repeats) {
        buf_printf(&d, "%" PRIu64 " of %" PRIu64 " envelopes the server sent reused a salt seen earlier in the "
                   "run: with one passphrase, the same salt means the same key and IV, so equal plaintext starts "
                   "give equal ciphertext blocks", e->repeats, e->envelopes);
        buf_printf(&ev, "salt %016" PRIx64 " seen again; %" PRIu64 " envelopes checked, %" PRIu64 " unchecked",
                   e->first_repeat, e->envelopes - e->unchecked, e->unchecked);
        result_add_finding(r, "salt-reuse", "high", buf_cstr(&d), buf_cstr(&ev));
    }
    if (e->iv_mismatch) {
        buf_clear(&d);
        buf_clear(&ev);
        buf_printf(&d, "%" PRIu64 " of %" PRIu64 " envelopes the server sent carry an iv field that is not the IV "
                   "derived from passphrase and salt (crypto-js ignores the field, so they still decrypt)",
                   e->iv_mismatch, e->envelopes);
        buf_printf(&ev, "first: %s", e->iv_example);
        result_add_finding(r, "iv-mismatch", "low", buf_cstr(&d), buf_cstr(&ev));
    }
    buf_free(&d);
    buf_free(&ev);
}

/* ---- running ---------------------------------------------------------------------------------------- */

/* One worker with one client, to the end; SIGINT/SIGTERM ask it to stop. -1 when it could not start. */
static int mini_run(worker *w, const run_config *cfg, int64_t mono0, int64_t wall0, int *interrupted)
{
    if (worker_init(w, 0, cfg, 0, 1, clock_now_ns()) < 0) return -1;
    stats_set_epoch(w->st, mono0, wall0);
    if (worker_start(w) < 0) { worker_destroy(w); return -1; }
    while (!worker_is_finished(w)) {
        int sig = signals_wait(20);
        if (sig && !*interrupted) {
            *interrupted = sig;
            worker_request_stop(w);
        }
    }
    worker_join(w);
    return 0;
}

/* The counter envelope inside an answer ["counter","<env>"]: decrypted, checked, and seen. */
static void read_counter(probe_record *p, const char *reply, int64_t want, envelope_ctx *ctx, envseen *seen)
{
    cJSON *j = cJSON_Parse(reply);
    const cJSON *arg = cJSON_GetArrayItem(j, 1);
    if (!cJSON_IsString(arg)) {
        snprintf(p->answer, sizeof p->answer, "counter event without a string argument");
    } else {
        buf pt = BUF_INIT;
        unsigned warn = 0;
        size_t len = strlen(arg->valuestring);
        envelope_err e = envelope_decrypt(ctx, arg->valuestring, len, &pt, &warn);
        if (e != ENVELOPE_OK) {
            snprintf(p->answer, sizeof p->answer, "counter envelope that does not decrypt: %s", envelope_err_name(e));
        } else {
            envseen_add(seen, arg->valuestring, len, warn);
            /* the id as g-crypt's JSON.parse reads it (the last of duplicate keys wins), as the load path
             * and its health checks read it: a probe never judges an answer the counter would not */
            int64_t id;
            p->answer_ok = jsonv_object_int(pt.data, pt.len, "id", &id) == JSONV_INT_OK && id == want;
            copy(p->answer, sizeof p->answer, pt.data, pt.len);
        }
        buf_free(&pt);
    }
    cJSON_Delete(j);
}

static void read_counter_error(probe_record *p, const char *reply)
{
    cJSON *j = cJSON_Parse(reply);
    const cJSON *arg = cJSON_GetArrayItem(j, 1);
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(arg, "error"), *msg = cJSON_GetObjectItemCaseSensitive(arg, "message");
    if (cJSON_IsString(kind)) copy(p->error_kind, sizeof p->error_kind, kind->valuestring, strlen(kind->valuestring));
    if (cJSON_IsString(msg)) copy(p->error_msg, sizeof p->error_msg, msg->valuestring, strlen(msg->valuestring));
    if (p->error_kind[0] || p->error_msg[0]) {
        buf a = BUF_INIT;
        buf_printf(&a, "%s: %s", p->error_kind, p->error_msg);
        copy(p->answer, sizeof p->answer, a.data, a.len);
        buf_free(&a);
    } else {
        copy(p->answer, sizeof p->answer, reply, strlen(reply));
    }
    cJSON_Delete(j);
}

/* base as a run of one client on one worker sending one message, at once, in the closed model. */
static run_config one_client(const run_config *base)
{
    run_config cfg = *base;
    cfg.clients = cfg.threads = 1;
    cfg.messages = 1;
    cfg.duration_ns = cfg.ramp_ns = cfg.think_ns = 0;
    cfg.rate = 0;
    return cfg;
}

static int run_probe(const run_config *base, probe_record *p, const char *frame, int64_t want, long *max_payload,
                     envelope_ctx *ctx, envseen *seen, int64_t mono0, int64_t wall0, int *interrupted)
{
    run_config cfg = one_client(base);
    worker w;
    cfg.probe_args = frame;
    cfg.probe_wait_ns = base->message_timeout_ns;
    copy(p->sent, sizeof p->sent, frame, strlen(frame));
    if (mini_run(&w, &cfg, mono0, wall0, interrupted) < 0) {
        snprintf(p->answer, sizeof p->answer, "the probe's worker could not start");
        return -1;
    }
    const client *c = &w.clients[0];
    p->ran = 1;
    p->outcome = c->probe.outcome;
    if (max_payload) *max_payload = c->s.max_payload;
    const char *reply = buf_cstr(&c->probe.reply);
    if (p->outcome == CLIENT_PROBE_COUNTER) read_counter(p, reply, want, ctx, seen);
    else if (p->outcome == CLIENT_PROBE_COUNTER_ERROR) read_counter_error(p, reply);
    else if (p->outcome == CLIENT_PROBE_SILENT)
        snprintf(p->answer, sizeof p->answer, "no answer within %" PRId64 " ms", cfg.probe_wait_ns / 1000000);
    else if (p->outcome == CLIENT_PROBE_PENDING) snprintf(p->answer, sizeof p->answer, "interrupted before an answer");
    else copy(p->answer, sizeof p->answer, reply, strlen(reply));
    worker_destroy(&w);
    return 0;
}

/* A fresh client, one valid counter round trip, the load path. Its stats count in the report. */
static void health_check(const run_config *base, probe_record *p, int64_t start_id, result *r, envseen *seen,
                         int64_t mono0, int64_t wall0, int *interrupted)
{
    run_config cfg = one_client(base);
    worker w;
    cfg.start_id = start_id;
    cfg.probe_args = NULL;
    if (mini_run(&w, &cfg, mono0, wall0, interrupted) < 0) {
        p->health = 0;
        snprintf(p->health_detail, sizeof p->health_detail, "the health check's worker could not start");
        return;
    }
    p->health = w.st->verified == 1;
    if (!p->health) {
        buf why = BUF_INIT;
        if (w.st->nerr)
            buf_printf(&why, "%s%s%s", w.st->err[0].cls, w.st->err[0].detail[0] ? ": " : "", w.st->err[0].detail);
        else buf_printf(&why, "no valid answer");
        copy(p->health_detail, sizeof p->health_detail, why.data, why.len);
        buf_free(&why);
    }
    stats_merge(r->stats, w.st);
    envseen_merge(seen, w.seen);
    worker_destroy(&w);
}

static void server_note(const probe_opts *o, char *out, size_t cap)
{
    out[0] = '\0';
    if (!o->server || o->server->pid <= 0 || localserver_alive(o->server)) return;
    int st = o->server->wstatus;
    if (WIFEXITED(st)) snprintf(out, cap, "the local server process exited with status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) snprintf(out, cap, "the local server process was killed by signal %d", WTERMSIG(st));
    else snprintf(out, cap, "the local server process ended");
    size_t l = strlen(out);
    if (o->server->log_path[0]) snprintf(out + l, cap - l, " (its log: %s)", o->server->log_path);
}

int probe_run(const run_config *cfg, const probe_opts *o, result *r, envseen *seen)
{
    probe_record recs[PROBE__COUNT];
    buf frame = BUF_INIT, captured = BUF_INIT;
    long max_payload = 0;
    int interrupted = 0, stop = 0;
    int64_t mono0 = clock_now_ns(), wall0 = clock_wall_ns(), base_id = 0;
    envelope_ctx *ctx = envelope_ctx_new(cfg->passphrase, cfg->passphrase_len);
    memset(recs, 0, sizeof recs);
    for (int k = 0; k < PROBE__COUNT; k++) {
        probe_record *p = &recs[k];
        p->kind = (probe_kind)k;
        p->health = -1;
        if (stop || interrupted || !ctx) {
            if (interrupted) snprintf(p->answer, sizeof p->answer, "not run: interrupted");
            else if (stop == 2) snprintf(p->answer, sizeof p->answer, "not run: the baseline failed");
            else snprintf(p->answer, sizeof p->answer, "not run: server gone");
            continue;
        }
        int64_t id = 10 + 2 * k;           /* small: the flipped-bit probe needs {"id":N} of 8..15 bytes */
        buf_clear(&frame);
        if (k == PROBE_REPLAY) id = base_id;
        long size = max_payload;
        if (k == PROBE_OVERSIZED) size = probe_oversized_size(max_payload, cfg->max_message_bytes, p->note, sizeof p->note);
        if (probe_build(p->kind, cfg->passphrase, cfg->passphrase_len, cfg->event, id, size,
                        buf_cstr(&captured), &frame) < 0) {
            snprintf(p->answer, sizeof p->answer, "not run: the probe could not be built");
            continue;
        }
        if (k == PROBE_BASELINE) { buf_append(&captured, frame.data, frame.len); base_id = id; }
        run_probe(cfg, p, frame.data, id + 1, k == PROBE_BASELINE ? &max_payload : NULL, ctx, seen, mono0, wall0,
                  &interrupted);
        if (k == PROBE_BASELINE) {
            if (!p->answer_ok) stop = 2;
        } else if (p->ran && !interrupted) {
            health_check(cfg, p, 1000 + 2 * k, r, seen, mono0, wall0, &interrupted);
            if (p->health == 0) stop = 1;
        }
        if (!o->quiet)
            text_fprintf(stderr, "probe %-20s %-14s %.*s%s%s\n", probe_name(p->kind), outcome_name(p->outcome, p->ran),
                    (int)text_utf8_cut(p->answer, strlen(p->answer), 70), p->answer, p->health < 0 ? "" : p->health ? "  | health ok" : "  | health FAILED: ",
                    p->health == 0 ? p->health_detail : "");
    }
    char note[512];
    server_note(o, note, sizeof note);
    probe_assess(recs, PROBE__COUNT, note, r);
    probe_envelope_findings(seen, r);
    envelope_ctx_free(ctx);
    buf_free(&frame);
    buf_free(&captured);
    return interrupted;
}
