/* result: everything a run (or a merge of runs) produced, the one input of every report writer.
 *
 * Life: r = result_new(); fill r->meta, merge the workers' stats into r->stats (stats_merge), set the
 * harness/server figures, add thresholds and findings; then result_finish(r), which computes every
 * derived figure ONCE (percentiles in report units, rates, CPU per round trip, pass, exit code) and
 * evaluates the thresholds. Writers only read r->d and the raw fields; nothing is recomputed there.
 *
 * Exit rule (result_exit_code, the same for `run` and `merge`): 0 when every message sent was
 * verified, no error was counted, no connection failed, every threshold passed and no finding is of
 * severity "high"; otherwise 1. (Bad usage or an unreadable scenario/report is 2, decided upstream.)
 *
 * report.json: result_to_json / result_from_json round-trip exactly (counts, histograms, timeline,
 * thresholds, findings); result_merge adds another instance's result (counts exactly, histograms merged,
 * timelines aligned on wall-clock seconds). */
#ifndef SIOCRYPT_RESULT_H
#define SIOCRYPT_RESULT_H
#include <stdint.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include "base/buf.h"
#include "report/stats.h"
#include "report/threshold.h"
#include "base/usage.h"

#define RESULT_SCHEMA "siocrypt-report/1"

typedef struct result_meta {
    char scenario[128];
    char target[1024];          /* URL */
    char transport[16];         /* "websocket", "polling", "upgrade"; "mixed" after merging different ones */
    char model[16];             /* "closed" or "open" */
    char version[32];           /* siocrypt version that wrote it (set by result_new) */
    char out_dir[1024];         /* where the reports go; printed by report_print_summary when set */
    int eio;                    /* Engine.IO protocol 3 or 4 */
    int clients, threads;       /* summed over instances when merged */
    int instances;              /* 1, or how many reports were merged */
    double rate;                /* open model: messages per second offered; 0 for closed */
    int64_t start_wall_ns, end_wall_ns;    /* Unix time, ns */
    double duration_s;          /* the whole run, setup and teardown included */
    /* Where the time went (s; the longest of the instances when merged): ramp = start to the steady
     * window, steady = the window itself (where load was offered), drain = last send until closing began,
     * close = closing until every connection was gone. */
    double ramp_s, drain_s, close_s;
    /* After a merge: what the instances' steady windows have in common on the wall clock (from > to: no
     * moment; the instances-not-overlapping finding says by how much). 0, 0 until a merge. Not in report.json:
     * a merged report read back counts as one instance whose window is its own. */
    int64_t common_from_ns, common_to_ns;
} result_meta;

/* Every text a result holds is clean text (text.h): result_add_*, RESULT_SET and result_from_json clean what
 * they store (details and evidence keep line breaks), so no byte a server or a user chose reaches a report
 * as it came. The writers clean again what they print (cleaning is idempotent). */
typedef struct result_finding {
    char *id, *severity, *detail, *evidence;    /* severity: high, medium, low, info */
} result_finding;

/* One robustness probe (probe.c): what was sent, what came of it, whether the server survived it. */
typedef struct result_probe {
    char *name;                 /* "not-json", ... */
    int ran;                    /* 0: not run (the server was gone, or the run was interrupted) */
    char *outcome;              /* "answered", "counter_error", "disconnected", "silent", "not-sent", "not-run" */
    char *detail;               /* what the answer was, or why it did not run */
    char *health;               /* "ok", "failed: <why>", or "" when no health check followed */
} result_probe;

/* A distribution in the unit its name says (ms or us); count 0 means no samples (figures are 0). */
typedef struct result_dist {
    uint64_t count;
    double min, p50, p90, p99, p999, max, mean;
} result_dist;

typedef struct result_error_class { const char *cls; uint64_t count; } result_error_class;

/* A named series (stats_series: a flow step or `on` handler) with its derived figures, in the order of
 * r->stats->series. */
typedef struct result_series {
    const stats_series *s;
    result_dist latency_ms;
    uint64_t lost;            /* on handlers with expected > 0: expected - ok, never negative; else 0 */
    double error_rate;        /* failed / sent; 0 when both are 0; 1 for failures without anything sent */
    char hgrm[96];            /* its file, "latency.<name>.hgrm": the name with bytes other than [A-Za-z0-9_.-]
                               * as '_', and "-2", "-3"... on a name another series already took */
} result_series;

typedef struct result_derived {
    result_dist latency_ms, connect_ms, upgrade_ms, tls_ms, encrypt_us, decrypt_us, late_ms, reconnect_ms;
    double window_s;                     /* the steady window (stats_window) */
    uint64_t window_verified;            /* round trips verified in it */
    uint64_t window_sent;                /* messages sent in it */
    double round_trips_per_s;            /* window_verified / window_s; 0 without a window */
    double offered_per_s;                /* window_sent / window_s: the load offered */
    uint64_t errors_total, unverified;   /* unverified = sent - verified (0 if negative) */
    double error_rate;                   /* errors / (sent + connections attempted); 0 when both 0 */
    double harness_cpu_per_rt_us;        /* harness cpu_s / verified round trips; NaN without round trips */
    double server_cpu_per_rt_us;         /* NaN when the server was not measured or no round trips */
    double harness_rss_per_client_kib;   /* max_rss_kb / clients; NaN when clients is 0 */
    result_error_class *classes;         /* errors{} by class, nclasses of them */
    size_t nclasses;
    result_series *series;               /* nseries of them (report.json's "series") */
    size_t nseries;
    size_t thresholds_failed, findings_high;
    int pass;
    int exit_code;
} result_derived;

typedef struct result {
    result_meta meta;
    stats *stats;                 /* merged over workers (and instances) */
    double harness_cpu_s;         /* user + system, summed over instances */
    long harness_max_rss_kb;      /* max RSS of the harness process; SUMMED over instances when merged */
    int server_measured;          /* 1 when the harness ran the server and measured it */
    double server_cpu_s;
    threshold *thresholds;
    size_t nthresholds;
    result_finding *findings;
    size_t nfindings;
    result_probe *probes;         /* robustness runs only; in report.json as "probes" */
    size_t nprobes;
    /* the scenario's `compare` gates ("p99_ms=15%"), kept for `siocrypt compare` (report.json "compare");
     * checked by the scenario, stored as clean text, at most RESULT_MAX_COMPARE of 127 bytes */
    char (*compare)[128];
    size_t ncompare;
    result_derived d;             /* valid after result_finish */
} result;

result *result_new(void);                 /* meta.instances = 1, version set, empty stats */
void    result_free(result *r);

int  result_add_threshold(result *r, const char *expr, buf *err);     /* parse; -1 with err on bad text */
int  result_add_finding(result *r, const char *id, const char *severity, const char *detail,
                        const char *evidence);                         /* severity checked; -1 if bad */
int  result_add_probe(result *r, const char *name, int ran, const char *outcome, const char *detail,
                      const char *health);                             /* -1 on ENOMEM or empty name */
#define RESULT_MAX_COMPARE 64
int  result_add_compare(result *r, const char *gate);                /* -1 on ENOMEM, past the bound, too long */
void result_set_str(char *field, size_t cap, const char *value);      /* clean (text.h), cut copy into meta */
#define RESULT_SET(field, value) result_set_str((field), sizeof(field), (value))

/* harness_cpu_s (user + system, all threads) since the snapshot `since` (NULL: since the process
 * started; a stepped ramp gives each step's start) and harness_max_rss_kb, the process's peak; call it at
 * the end of the run, before result_finish. */
void result_measure_harness(result *r, const usage_snap *since);

void result_finish(result *r);
int  result_exit_code(const result *r);  /* the rule above; from r->d, so after result_finish */

cJSON  *result_to_json(const result *r);                  /* after result_finish */
/* NULL with "<what>: <field>: reason" in err when j is not a report this version reads. */
result *result_from_json(const cJSON *j, const char *what, buf *err);
result *result_load(const char *path, buf *err);          /* read + parse + result_from_json */
/* Add src to dst (dst keeps its thresholds and meta strings; result_finish again afterwards). */
int     result_merge(result *dst, const result *src, buf *err);

/* report.json's websocket.compression: "permessage-deflate" when every websocket opened negotiated it,
 * "none" when none did (or none was opened), "partial" in between (e.g. merged instances that differ). */
const char *result_ws_compression(const stats *s);

#endif
