/* run: one run of the harness from a finished plan: the workers (or the robustness probes), the live
 * progress line, SIGINT/SIGTERM, the findings a run adds (interrupted, server-exited, server-start,
 * worker-start, inflight-limit), the figures of each run or ramp step, and the reports. The command
 * (cli/cmd_run.c) turns a scenario and its options into the plan; nothing here knows the scenario.
 *
 * Order of use: run_setup once, before any thread or child process starts; run_check_limits before the
 * report folder is made (a refusal is a usage error); then run_execute, or run_server_failed when the
 * local server the plan was to use did not start. */
#ifndef SIOCRYPT_RUN_H
#define SIOCRYPT_RUN_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"
#include "load/localserver.h"
#include "load/worker.h"
#include "report/metrics.h"
#include "report/threshold.h"

typedef struct run_plan {
    run_config cfg;               /* the whole run's (a stepped ramp changes clients, rates, threads by step) */
    const char *name;             /* the scenario's, for the reports and the ramp table */
    const char *url;              /* the target as given (the reports show it redacted) */
    const char *transport_name;   /* "websocket" "polling" "upgrade" */
    int robustness;               /* the probes (probe.h), one client at a time, instead of the counter */
    int quiet;                    /* no progress line, no line per step or probe */
    const char *out_dir;          /* prepared already (report_prepare_dir) */
    const threshold *thresholds;  /* the file's and the command line's, parsed already */
    size_t nthresholds;
    char *const *compare;         /* the scenario's compare gates, checked already: into report.json */
    size_t ncompare;
    localserver *server;          /* the local server the target is (its CPU, whether it died), or NULL */
    /* a stepped ramp when steps_from > 0: clients from, from+step, ... to, each for step_s seconds */
    int steps_from, steps_to, steps_step;
    double step_s;
    /* a step's per-client figures (rate, max_inflight, threads) for its client count: the command's rules */
    void (*step_config)(const void *ud, int clients, run_config *cfg);
    const void *step_ud;
    metrics_board *metrics;       /* --metrics-listen: the live figures go here (cfg.metrics set too), or NULL */
    int progress_fd;              /* > 0: a --procs child; progress goes to the parent on this pipe (progress.h) */
    double start_late_s;          /* > 0: --start-at had passed by this much when the run was ready (a finding) */
} run_plan;

/* Signals taken by this thread alone (signals.h); the transports' libraries told how much to log. */
void run_setup(int verbose);
/* The fd limit raised to its maximum, then whether cfg's clients can have their sockets; -1 with why. */
int  run_check_limits(const run_config *cfg, buf *err);
/* The event loops a run of clients gets by default: cores - 1, at least 1, at most clients. */
int  run_default_threads(int clients);
/* The run (or the stepped ramp), its reports written and its summary (or the ramp table) on stdout.
 * Returns the exit status: 0 when everything passed and was written, else 1. */
int  run_execute(const run_plan *p);
/* The local server did not start (why, and its log; wall0: when the start began): nothing ran, but CI
 * still gets a report that says why. The exit status. */
int  run_server_failed(const run_plan *p, const char *why, const char *log_path, int64_t wall0);

#endif
