/* compare: two finished results (a baseline and a current run) side by side, metric by metric, and the
 * regression gates that decide `siocrypt compare`'s exit status.
 *
 * Rows: every metric both reports can have (latency per kind from the stored histograms: round trip,
 * connect, tls, upgrade, reconnect, late; throughput, errors, CPU and memory per unit of work; the flow
 * series of report.json's top-level "series" array when there is one). Each row holds both values, the
 * change, and a verdict. Latency percentiles are read from the histograms, so a row knows how many samples
 * stand behind it, whether the difference is within the histogram's precision (one bucket: 2^-sub_bits of
 * the value) and whether it is within the run's noise (the two 95% confidence intervals of the percentile
 * overlap; distribution free, from the order statistics: ranks n*q +- 1.96*sqrt(n*q*(1-q))). Such rows never
 * gate.
 *
 * Gates: `METRIC=LIMIT` (`--max-regress`). LIMIT is [+|-]NUMBER followed by `%` (relative to the baseline),
 * by the metric's unit (`ms`, `us`, `KiB`: an absolute change) or by nothing (absolute, in the metric's
 * unit). Without a sign the gate checks the metric's bad direction (up for latency, errors, CPU, memory;
 * down for throughput); `+` checks increases and `-` decreases explicitly, whatever the metric. A gate
 * fails when the change in its direction is larger than LIMIT (so `=0%` allows none); against a baseline
 * of 0 a relative gate fails on any change in its direction. A gated metric missing from either report
 * fails its gate (`missing`). */
#ifndef SIOCRYPT_COMPARE_H
#define SIOCRYPT_COMPARE_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "base/buf.h"
#include "report/result.h"

#define COMPARE_SCHEMA "siocrypt-compare/1"
#define COMPARE_MAX_GATES 64
#define COMPARE_MAX_SERIES 256     /* flow series read from one report */

typedef enum compare_verdict {
    CMP_NA,          /* not in one of the reports (not gated) */
    CMP_SAME, CMP_BETTER, CMP_WORSE,   /* not gated */
    CMP_PRECISION,   /* the difference is within the histograms' precision: never gates */
    CMP_NOISE,       /* within the run's noise (confidence intervals overlap): never gates */
    CMP_PASS,        /* gated, within the allowed change */
    CMP_REGRESSION,  /* gated, beyond it */
    CMP_MISSING,     /* gated, but a report has no such figure: fails */
} compare_verdict;

typedef struct compare_gate {
    char expr[128];       /* as given, cleaned: "p99_ms=15%" */
    char metric[96];
    int dir;              /* +1 checks increases, -1 decreases */
    int explicit_dir;     /* the sign was written */
    int relative;         /* LIMIT is a percentage */
    double limit;         /* >= 0; percent or the metric's unit */
    /* set by compare_evaluate */
    int row;              /* index into rows, -1 when no row has that metric */
    double change;        /* the change in the gate's direction (percent or unit); NaN when missing */
    int pass;
} compare_gate;

typedef struct compare_row {
    char metric[96];      /* the gate name: "p99_ms", "connect_p99_ms", "round_trips_per_s", "p99_ms{say}" */
    const char *unit;     /* "ms", "us", "/s", "KiB", "" */
    int worse;            /* +1: up is worse; -1: down is worse */
    double base, cur;     /* NaN: the report has no such figure */
    double delta, delta_pct;   /* cur - base; percent of base (NaN when base is 0 or either is missing) */
    double q;             /* 0 < q < 1: a percentile row; -1 max, -2 mean (exact); 0 not a latency figure */
    uint64_t n_base, n_cur;    /* samples behind a latency figure; 0 otherwise */
    const hist *h_base, *h_cur;   /* percentile rows: the histograms read (NULL: figures only) */
    int gated;            /* a gate names this row */
    compare_verdict verdict;
    char note[192];       /* "p99 of 40 samples", "within the histograms' 0.78% precision", ... */
} compare_row;

typedef struct compare {
    const result *base, *cur;
    char base_path[512], cur_path[512];
    compare_row *rows;
    size_t nrows;
    compare_gate gates[COMPARE_MAX_GATES];
    size_t ngates;
    char differs[512];    /* "transport: websocket vs polling; eio: 4 vs 3", "" when comparable */
    char notes[512];      /* other differences, shown but not refused: clients, model, version */
    int forced;
    size_t regressions;   /* failed gates */
    int exit_code;        /* 0 every gate passed, 1 a regression (or missing gated figure) */
} compare;

/* One `--max-regress` text into g (metric and LIMIT checked; whether a row has that metric is known only
 * with the reports: compare_evaluate). 0, or -1 with the reason in err (not naming the text). */
int  compare_gate_parse(const char *text, compare_gate *g, buf *err);
/* The known metric names, for help and error texts. */
const char *compare_metric_list(void);

/* Build the rows of base against cur. jbase/jcur are the reports' JSON (for the "series" array; NULL for
 * none). Paths are for the output only. NULL on ENOMEM. */
compare *compare_new(const result *base, const cJSON *jbase, const char *base_path, const result *cur,
                     const cJSON *jcur, const char *cur_path);
void     compare_free(compare *c);
/* Why the two cannot be compared: scenario, eio, transport that differ (in c->differs); 0 when none. */
int      compare_check(compare *c);
/* Add gates (parsed) and evaluate every row and gate: verdicts, regressions, exit_code. -1 with err when a
 * gate names a metric neither report has (a series name that is in neither). */
int      compare_evaluate(compare *c, const compare_gate *gates, size_t ngates, buf *err);

const char *compare_verdict_str(compare_verdict v);   /* "regression", "within precision", ... */
/* The change as people read it: "+12.3%", "-4.0 ms", "0", "-" */
const char *compare_change_str(const compare_row *r, char *tmp, size_t cap);

/* The writers (compare_report.c), each appends one file; 0 or -1 on ENOMEM. */
int compare_md(const compare *c, buf *out);
int compare_json(const compare *c, buf *out);
int compare_junit(const compare *c, buf *out);
int compare_html(const compare *c, buf *out);
/* The four files into dir as a set (report_write_set): all or none. 0, or -1 with the reason. */
int compare_write_all(const compare *c, const char *dir, buf *err);
/* The terminal table: the rows that are in either report, gates first. */
void compare_print(FILE *f, const compare *c);

#endif
