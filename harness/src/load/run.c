/* run: see run.h. The main thread starts the workers, then only watches: it shows progress, takes the
 * signals (signals.h) and, once every worker has finished, merges their stats into one result. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <curl/curl.h>
#include <libwebsockets.h>
#include "base/clock.h"
#include "base/text.h"
#include "base/usage.h"
#include "crypto/envseen.h"
#include "load/probe.h"
#include "load/progress.h"
#include "load/run.h"
#include "load/signals.h"
#include "net/target.h"
#include "report/ramp.h"
#include "report/report.h"
#include "report/result.h"
#include "report/stats.h"

typedef struct run_state {
    const run_plan *plan;
    run_config cfg;               /* plan->cfg, changed step by step in a stepped ramp */
    int interrupted;              /* the first signal (SIGINT or SIGTERM), 0 when none came */
    int64_t t_interrupt_wall_ns;
    int server_died;              /* the local server ended before we stopped it */
    const char *server_start_error, *server_log;   /* the local server did not start: why, and its log */
    int workers_failed;           /* not every worker could start */
    int reports_failed;           /* report sets (or ramp files) that could not be written */
    metrics_snap metrics_done;    /* --metrics-listen: the counters of the steps that have finished */
} run_state;

void run_setup(int verbose)
{
    signals_block();   /* before any thread starts: the workers inherit the mask */
    lws_set_log_level(verbose ? LLL_ERR | LLL_WARN : 0, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void run_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Each client holds one socket (websocket), two (polling: a GET and a POST) or three (upgrade); a run
 * that cannot have them all is refused up front rather than failing half-way. */
int run_check_limits(const run_config *cfg, buf *err)
{
    struct rlimit rl;
    run_raise_nofile();
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
    int per = cfg->transport == TRANSPORT_WEBSOCKET_ONLY ? 1 : cfg->transport == TRANSPORT_POLLING_ONLY ? 2 : 3;
    double need = (double)cfg->clients * per + 64 + 8.0 * cfg->threads;
    if (need <= (double)rl.rlim_cur) return 0;
    buf_printf(err, "clients: %d clients need about %.0f file descriptors, but this process may open %llu "
               "(ulimit -n)", cfg->clients, need, (unsigned long long)rl.rlim_cur);
    return -1;
}

int run_default_threads(int clients)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 1 ? (int)cores - 1 : 1;
    return n > clients ? (clients > 0 ? clients : 1) : n;
}

/* ---- waiting for the workers ------------------------------------------------------------------------ */

static void run_on_signal(run_state *rs, worker *ws, int n, int sig)
{
    if (!rs->interrupted) {
        fprintf(stderr, "\nsiocrypt: %s: stopping, draining messages in flight (again to drop them)\n",
                sig == SIGINT ? "interrupted" : "terminated");
        rs->t_interrupt_wall_ns = clock_wall_ns();
    } else {
        fprintf(stderr, "\nsiocrypt: %s again: dropping connections, writing the report\n",
                sig == SIGINT ? "interrupted" : "terminated");
    }
    /* the first asks for a drain, the second drops what is still open */
    for (int i = 0; i < n; i++) worker_request_stop(&ws[i]);
    rs->interrupted = sig;
}

static int run_all_finished(worker *ws, int n)
{
    worker_progress p;
    int finished = 0;
    for (int i = 0; i < n; i++) {
        worker_read_progress(&ws[i], &p);
        finished += worker_is_finished(&ws[i]);
    }
    return finished == n;
}

/* --metrics-listen: what the finished steps counted plus what each running worker published last, for the
 * listener's thread to render. Counters only grow across the steps of a ramp; gauges are the running step's. */
static void run_metrics_publish(run_state *rs, worker *ws, int n)
{
    if (!rs->plan->metrics) return;
    metrics_snap sum = rs->metrics_done, m;
    for (int i = 0; i < n; i++) {
        worker_read_metrics(&ws[i], &m);
        metrics_snap_add(&sum, &m);
    }
    metrics_board_set(rs->plan->metrics, &sum);
}

/* The joined workers' last counters become part of metrics_done (their gauges are over). */
static void run_metrics_fold(run_state *rs, worker *ws, int n)
{
    if (!rs->plan->metrics) return;
    metrics_snap m;
    for (int i = 0; i < n; i++) {
        worker_read_metrics(&ws[i], &m);
        m.conns_open = m.in_flight = m.clients = 0;
        metrics_snap_add(&rs->metrics_done, &m);
    }
    run_metrics_publish(rs, NULL, 0);
}

/* Wait for the workers, showing progress; a signal asks them to drain and stop. */
static void run_wait(run_state *rs, worker *ws, int n, int64_t t0)
{
    progress pr;
    progress_start(&pr, t0, rs->plan->quiet);
    if (rs->plan->progress_fd > 0) progress_to_pipe(&pr, rs->plan->progress_fd);
    while (!run_all_finished(ws, n)) {
        int sig = signals_wait(100);
        if (sig) run_on_signal(rs, ws, n, sig);
        progress_tick(&pr, ws, n);
        run_metrics_publish(rs, ws, n);
    }
    progress_end(&pr, ws, n);
}

/* ---- what a run adds to its result ----------------------------------------------------------------- */

/* What cut the run short goes into the report as a high finding, so report.json says FAIL like the exit
 * status does, and why. */
static void run_add_findings(run_state *rs, result *r, int64_t wall0)
{
    char detail[160];
    const localserver *srv = rs->plan->server;
    if (rs->interrupted) {
        double at = (double)(rs->t_interrupt_wall_ns - wall0) / 1e9;
        snprintf(detail, sizeof detail, "%s after %.1f s: the run was stopped early; what was measured until then "
                 "is kept", rs->interrupted == SIGINT ? "SIGINT" : "SIGTERM", at);
        result_add_finding(r, "interrupted", "high", detail, NULL);
    }
    if (rs->server_died) {
        int st = srv->wstatus;
        if (WIFSIGNALED(st)) snprintf(detail, sizeof detail, "the local server was killed by signal %d during the "
                                      "run", WTERMSIG(st));
        else snprintf(detail, sizeof detail, "the local server exited with status %d during the run",
                      WEXITSTATUS(st));
        result_add_finding(r, "server-exited", "high", detail, srv->log_path[0] ? srv->log_path : NULL);
    }
    if (rs->server_start_error)
        result_add_finding(r, "server-start", "high", rs->server_start_error,
                           rs->server_log && access(rs->server_log, R_OK) == 0 ? rs->server_log : NULL);
    if (rs->workers_failed)
        result_add_finding(r, "worker-start", "high", "not every event loop could start (memory, file descriptors)",
                           NULL);
    if (rs->plan->start_late_s > 0) {
        snprintf(detail, sizeof detail, "--start-at had passed by %.1f s when the run was ready; it started at once, "
                 "so instances meant to begin together did not", rs->plan->start_late_s);
        result_add_finding(r, "start-at-passed", "medium", detail, NULL);
    }
}

/* Where the time of a run went, from each worker's marks (the longest of the workers): ramp = start to the
 * steady window, drain = last send until closing began, close = until every client was closed. */
static void run_phases(const worker *ws, int n, int64_t t0, result_meta *m)
{
    for (int i = 0; i < n; i++) {
        const stats *st = ws[i].st;
        if (!st->first_send_ns) continue;
        int64_t from = st->win_from_ns > st->first_send_ns ? st->win_from_ns : st->first_send_ns;
        double ramp = (double)(from - t0) / 1e9;
        double drain = ws[i].close_began_ns > st->last_send_ns ? (double)(ws[i].close_began_ns - st->last_send_ns) / 1e9 : 0;
        double close = ws[i].finished_ns > ws[i].close_began_ns && ws[i].close_began_ns
                     ? (double)(ws[i].finished_ns - ws[i].close_began_ns) / 1e9 : 0;
        if (ramp > m->ramp_s) m->ramp_s = ramp;
        if (drain > m->drain_s) m->drain_s = drain;
        if (close > m->close_s) m->close_s = close;
    }
}

/* Sends the open model held back because a client had max_inflight messages unanswered: the offered load
 * was less than asked, so the report says so (the run itself may still pass: the server was not wrong). */
static void run_held_finding(const run_config *cfg, result *r)
{
    if (!r->stats->held) return;
    char detail[200];
    snprintf(detail, sizeof detail, "%llu scheduled sends were held back: a client had %lld messages unanswered "
             "(max_inflight); the rate offered was lower than asked", (unsigned long long)r->stats->held,
             (long long)cfg->max_inflight);
    result_add_finding(r, "inflight-limit", "medium", detail, NULL);
}

static void run_describe(const run_state *rs, int64_t wall0, const char *dir, result *r)
{
    const run_plan *p = rs->plan;
    RESULT_SET(r->meta.scenario, p->name);
    buf shown = BUF_INIT;   /* query values (tokens) stay out of the reports */
    target_redact(p->url, &shown);
    RESULT_SET(r->meta.target, buf_cstr(&shown));
    buf_free(&shown);
    RESULT_SET(r->meta.transport, p->transport_name);
    RESULT_SET(r->meta.model, p->robustness ? "robustness" : rs->cfg.rate > 0 ? "open" : "closed");
    RESULT_SET(r->meta.out_dir, dir);
    r->meta.eio = rs->cfg.eio;
    r->meta.clients = rs->cfg.clients;
    r->meta.threads = rs->cfg.threads;
    r->meta.rate = rs->cfg.rate * rs->cfg.clients;
    r->meta.start_wall_ns = wall0;
    r->meta.end_wall_ns = clock_wall_ns();
    r->meta.duration_s = (double)(r->meta.end_wall_ns - wall0) / 1e9;
}

/* Fill r (which the robustness probes may already hold findings and stats in) from the workers and the run.
 * srv_cpu: the local server's CPU seconds during the run, or NULL when no server was measured. */
static void run_collect(run_state *rs, worker *ws, int n, int64_t t0, int64_t wall0, const usage_snap *cpu0,
                        const double *srv_cpu, const char *dir, result *r)
{
    for (int i = 0; i < n; i++) stats_merge(r->stats, ws[i].st);
    run_phases(ws, n, t0, &r->meta);
    run_held_finding(&rs->cfg, r);
    run_describe(rs, wall0, dir, r);
    result_measure_harness(r, cpu0);     /* this run's (this step's) CPU, not the process's so far */
    if (srv_cpu) {
        r->server_measured = 1;
        r->server_cpu_s = *srv_cpu;
    }
    run_add_findings(rs, r, wall0);
    /* the file's and the command line's, parsed before the run: only memory can fail here, and then the
     * run must not pass without its gate */
    buf err = BUF_INIT;
    for (size_t i = 0; i < rs->plan->nthresholds; i++)
        if (result_add_threshold(r, rs->plan->thresholds[i].expr, &err) < 0)
            result_add_finding(r, "threshold-lost", "high", rs->plan->thresholds[i].expr, NULL);
    for (size_t i = 0; i < rs->plan->ncompare; i++)
        if (result_add_compare(r, rs->plan->compare[i]) < 0)
            result_add_finding(r, "compare-gate-lost", "high", rs->plan->compare[i], NULL);
    buf_free(&err);
}

/* The five reports of r into dir; when they cannot be written, r fails with the reason (report_save) and
 * the run says so on stderr too. */
static void run_save(run_state *rs, result *r, const char *dir)
{
    buf err = BUF_INIT;
    if (report_save(r, dir, &err) < 0) {
        text_fprintf(stderr, "siocrypt run: writing reports: %s\n", buf_cstr(&err));
        rs->reports_failed++;
    }
    buf_free(&err);
}

/* ---- one run --------------------------------------------------------------------------------------- */

/* Start the workers for rs->cfg, wait for them (progress, signals), join. Returns how many started. */
static int run_workers(run_state *rs, worker *ws, int nworkers, int64_t t0, int64_t wall0)
{
    int started = 0;
    for (int i = 0, first = 0; i < nworkers; i++) {
        int nc = rs->cfg.clients / nworkers + (i < rs->cfg.clients % nworkers);
        int ok = worker_init(&ws[i], i, &rs->cfg, first, nc, t0) == 0;   /* first: this process's own index */
        if (ok) {
            stats_set_epoch(ws[i].st, t0, wall0);   /* one clock mapping for all workers */
            if (worker_start(&ws[i]) < 0) { worker_destroy(&ws[i]); ok = 0; }
        }
        if (!ok) {
            fprintf(stderr, "siocrypt run: worker %d could not start (out of memory or file descriptors?)\n", i);
            break;
        }
        started++;
        first += nc;
    }
    rs->workers_failed = started < nworkers;
    if (started == nworkers) run_wait(rs, ws, nworkers, t0);
    else for (int i = 0; i < started; i++) worker_request_stop(&ws[i]);
    for (int i = 0; i < started; i++) worker_join(&ws[i]);
    run_metrics_fold(rs, ws, started);
    return started;
}

/* The probes, one client at a time; the signal that stopped them, if one did. */
static void run_probes(run_state *rs, result *r, envseen *seen)
{
    probe_opts po = {rs->plan->server, rs->plan->quiet};
    rs->interrupted = probe_run(&rs->cfg, &po, r, seen);
    if (rs->interrupted) rs->t_interrupt_wall_ns = clock_wall_ns();
}

/* One run with rs->cfg as it stands: the probes in robustness mode, else the workers. The result is finished
 * and its five reports are written to dir; NULL only when memory ran out. */
static result *run_once(run_state *rs, const char *dir)
{
    localserver *srv = rs->plan->server;
    result *r = result_new();
    envseen *seen = envseen_new(0);
    int nworkers = rs->plan->robustness ? 0 : rs->cfg.threads, started = 0;
    worker *ws = nworkers ? calloc((size_t)nworkers, sizeof *ws) : NULL;
    if (!r || !seen || (nworkers && !ws)) {
        result_free(r);
        envseen_free(seen);
        free(ws);
        return NULL;
    }
    int64_t t0 = clock_now_ns(), wall0 = clock_wall_ns();
    usage_snap cpu0 = usage_self();
    double srv_cpu0 = srv ? localserver_cpu_s(srv) : 0, srv_cpu = 0;
    if (rs->plan->robustness) {
        run_probes(rs, r, seen);
    } else {
        started = run_workers(rs, ws, nworkers, t0, wall0);
        for (int i = 0; i < started; i++) envseen_merge(seen, ws[i].seen);   /* salts, iv fields */
        probe_envelope_findings(seen, r);
    }
    envseen_free(seen);
    if (srv) {
        rs->server_died = !localserver_alive(srv);
        srv_cpu = localserver_cpu_s(srv) - srv_cpu0;
    }
    run_collect(rs, ws, started, t0, wall0, &cpu0, srv ? &srv_cpu : NULL, dir, r);
    for (int i = 0; i < started; i++) worker_destroy(&ws[i]);
    free(ws);
    result_finish(r);
    run_save(rs, r, dir);
    return r;
}

/* ---- a stepped ramp -------------------------------------------------------------------------------- */

/* A step's row of the ramp table, from its finished result. */
static void run_step_row(const result *r, int clients, ramp_row *row)
{
    row->clients = clients;
    row->round_trips_per_s = r->d.round_trips_per_s;
    row->p50_ms = r->d.latency_ms.p50;
    row->p99_ms = r->d.latency_ms.p99;
    row->verified = r->stats->verified;
    row->errors = r->d.errors_total;
    row->pass = r->d.pass;
    if (!r->meta.out_dir[0]) row->dir[0] = '\0';   /* its reports could not be written: none to point to */
}

/* ramp.md (also on stdout) and ramp.json in the run's folder, and the line that says which were written. */
static void run_ramp_files(run_state *rs, const ramp_row *rows, size_t n)
{
    const char *dir = rs->plan->out_dir, *name = rs->plan->name;
    buf text = BUF_INIT, err = BUF_INIT;
    const char *written[2] = {NULL, NULL};
    ramp_to_md(rows, n, name, &text);
    text_fwrite(stdout, text.data, text.len);
    if (report_write_file(dir, "ramp.md", &text, &err) == 0) written[0] = "ramp.md,";
    else { text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err)); rs->reports_failed++; }
    buf_clear(&text);
    ramp_to_json(rows, n, name, &text);
    if (report_write_file(dir, "ramp.json", &text, &err) == 0) written[1] = "ramp.json,";
    else { text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err)); rs->reports_failed++; }
    /* only what is there: a step whose reports failed stopped the ramp and has none */
    text_fprintf(stdout, "Reports: %s/{%s%sstep-*/}\n", dir, written[0] ? written[0] : "", written[1] ? written[1] : "");
    buf_free(&text);
    buf_free(&err);
}

/* Clients from, from+step, ... to, each held for step_s against the same server, until a step breaks a
 * threshold. Every step has its own reports in DIR/step-NN-Mc/; DIR/ramp.json and ramp.md hold the table and
 * the knee (the last step that met every threshold). */
static int run_steps(run_state *rs)
{
    const run_plan *p = rs->plan;
    size_t cap = (size_t)((p->steps_to - p->steps_from) / p->steps_step) + 1, n = 0;
    ramp_row *rows = calloc(cap, sizeof *rows);
    if (!rows) return 1;
    rs->cfg.messages = 0;
    rs->cfg.duration_ns = (int64_t)(p->step_s * 1e9);
    for (int clients = p->steps_from; clients <= p->steps_to && n < cap; clients += p->steps_step) {
        ramp_row *row = &rows[n];
        rs->cfg.clients = clients;
        p->step_config(p->step_ud, clients, &rs->cfg);
        snprintf(row->dir, sizeof row->dir, "step-%02zu-%dc", n + 1, clients);
        buf dir = BUF_INIT;
        buf_printf(&dir, "%s/%s", p->out_dir, row->dir);
        if (!p->quiet) fprintf(stderr, "siocrypt: step %zu: %d clients for %.1f s\n", n + 1, clients, p->step_s);
        result *r = run_once(rs, dir.data);
        buf_free(&dir);
        if (!r) break;
        run_step_row(r, clients, row);
        n++;
        result_free(r);
        if (!row->pass || rs->interrupted || rs->server_died) break;
    }
    run_ramp_files(rs, rows, n);
    int saturated, code = 1;
    /* a ramp did its job when it found a knee (or every step passed) and nothing cut it short */
    if (ramp_knee(rows, n, &saturated) >= 0 && !rs->interrupted && !rs->server_died && !rs->reports_failed) code = 0;
    free(rows);
    return code;
}

/* ---- entry points ---------------------------------------------------------------------------------- */

int run_execute(const run_plan *p)
{
    run_state rs = {.plan = p, .cfg = p->cfg};
    int code = 1;
    if (p->steps_from) {
        code = run_steps(&rs);
    } else {
        result *r = run_once(&rs, p->out_dir);
        if (r) {
            report_print_summary(stdout, r);
            code = result_exit_code(r);
            result_free(r);
        }
    }
    if (rs.interrupted && code == 0) code = 1;   /* an interrupted run did not do all it was asked */
    return code;
}

int run_server_failed(const run_plan *p, const char *why, const char *log_path, int64_t wall0)
{
    run_state rs = {.plan = p, .cfg = p->cfg, .server_start_error = why, .server_log = log_path};
    result *r = result_new();
    if (!r) return 1;
    run_collect(&rs, NULL, 0, 0, wall0, NULL, NULL, p->out_dir, r);
    result_finish(r);
    run_save(&rs, r, p->out_dir);
    report_print_summary(stdout, r);
    int code = result_exit_code(r);
    result_free(r);
    return code;
}
