/* probe: the robustness scenario. Probes a server with one connection per probe, in order of increasing
 * harm, and turns what happened into findings (result_add_finding) and a per-probe record (result_add_probe).
 *
 * Each probe is a tiny run of one client on one worker in probe mode (run_config.probe_args), so the same
 * transports, timeouts and error classes apply as in a load run. After every probe but the baseline, a
 * health check (a fresh client, one valid counter round trip, the ordinary load path) tells whether the
 * server survived; once it fails, the remaining probes are not run and are listed as such.
 *
 * Findings: crash-on-bad-envelope (high), replay-accepted (medium), iv-field-ignored (info), no-integrity
 * (medium) or error-oracle (low), shared-passphrase (info, always), and from the envelopes the server sent
 * (also in load runs): salt-reuse (high), iv-mismatch (low). probe-baseline-failed (high) when the server
 * does not answer a valid counter at all, so nothing could be probed. */
#ifndef SIOCRYPT_PROBE_H
#define SIOCRYPT_PROBE_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

struct result;
struct envseen;
struct localserver;
struct run_config;

typedef enum probe_kind {
    /* harmless for a crypto-js server: */
    PROBE_BASELINE,           /* a valid counter; its frame is the one replayed */
    PROBE_REPLAY,             /* the baseline's frame again, on a new connection */
    PROBE_IV_ALTERED,         /* valid ct and salt, "iv" not the derived IV */
    PROBE_FLIPPED_BIT,        /* one ciphertext bit flipped (see probe.c: lands in the padding byte) */
    /* malformed, in order of increasing harm: */
    PROBE_NOT_JSON,           /* the argument is "not json" */
    PROBE_MISSING_SALT,       /* no "s" */
    PROBE_BAD_BASE64,         /* "ct" is not base64 */
    PROBE_TRUNCATED_CT,       /* "ct" cut to 10 characters */
    PROBE_CT_NOT_STRING,      /* "ct": 1 */
    PROBE_WRONG_PASSPHRASE,   /* a well-formed envelope under another passphrase */
    PROBE_NON_STRING_ARG,     /* the envelope as a JSON object argument instead of a string */
    PROBE_OVERSIZED,          /* a frame past the server's maxPayload */
    PROBE__COUNT
} probe_kind;

const char *probe_name(probe_kind k);     /* "baseline", "replay", "iv-altered", "flipped-bit", "not-json", ... */

/* What became of one probe. outcome is a client_probe_outcome (probe_client.h). */
typedef struct probe_record {
    probe_kind kind;
    int ran;
    int outcome;
    int answer_ok;            /* answered with a counter envelope that decrypted to {"id": sent id + 1} */
    char answer[200];         /* the decrypted answer, the counter_error's error and message, or why none */
    char error_kind[32];      /* counter_error's "error" ("decrypt", "payload"), "" otherwise */
    char error_msg[160];      /* counter_error's "message" */
    int health;               /* health check after it: -1 none, 1 ok, 0 failed */
    char health_detail[160];  /* why it failed */
    char sent[120];           /* the start of the EVENT array sent */
    char note[160];           /* how the probe was made when that matters (the oversized probe's size) */
} probe_record;

/* The EVENT array (JSON text) for probe k, appended to out: ["<event>", <argument>]. pass/passlen: the
 * harness's passphrase. id: the counter id its envelope carries (PROBE_FLIPPED_BIT needs 0 <= id <= 99999999).
 * max_payload: the server's (0: assume engine.io's default 1e6). captured: the baseline's array
 * (PROBE_REPLAY only). Pure. 0, or -1 when it cannot be built. */
int probe_build(probe_kind k, const char *pass, size_t passlen, const char *event, int64_t id, long max_payload,
                const char *captured, buf *out);

/* Findings and per-probe records from the probe records, in order (pure). server_note: what the harness
 * knows of the local server process ("" or NULL when nothing), added to the crash finding's evidence. */
void probe_assess(const probe_record *recs, size_t n, const char *server_note, struct result *r);

/* salt-reuse and iv-mismatch from what the server sent (load and robustness runs). */
void probe_envelope_findings(const struct envseen *seen, struct result *r);

typedef struct probe_opts {
    struct localserver *server;   /* the local server, to tell whether its process ended; or NULL */
    int quiet;                    /* no line per probe on stderr */
} probe_opts;

/* The ct length of the oversized probe: past the server's maxPayload (0: engine.io's default 1e6), but
 * never past limit (limits.max_message_bytes), whatever the server announces; note says which. Pure. */
long probe_oversized_size(long max_payload, int64_t limit, char *note, size_t cap);

/* Run every probe against cfg's target (cfg: as for a load run; clients, messages and rates are ignored).
 * Health checks' stats are merged into r->stats, every envelope the server sent into seen. Findings and
 * probe records go into r. SIGINT/SIGTERM (blocked by the caller) stop the probes; returns that signal,
 * else 0. */
int probe_run(const struct run_config *cfg, const probe_opts *o, struct result *r, struct envseen *seen);

#endif
