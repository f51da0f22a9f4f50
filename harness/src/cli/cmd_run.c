/* cmd_run: `siocrypt run SCENARIO.json [options]`. Reads the scenario, starts the local server when the
 * target is `local`, runs the workers, shows progress, and writes the reports. Signals (SIGINT, SIGTERM)
 * are taken by this thread alone with sigtimedwait, so a Ctrl-C drains the workers and still writes the
 * report. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include <libwebsockets.h>
#include "base/buf.h"
#include "base/text.h"
#include "cli/cli.h"
#include "base/clock.h"
#include "cli/cmd.h"
#include "crypto/envseen.h"
#include "load/localserver.h"
#include "load/probe.h"
#include "report/ramp.h"
#include "report/report.h"
#include "report/result.h"
#include "cli/scenario.h"
#include "report/stats.h"
#include "net/target.h"
#include "base/usage.h"
#include "load/worker.h"

typedef struct run_opts {
    const char *scenario_path;
    const char *out_dir;
    const char *pass, *pass_file;
    int quiet, verbose;
    /* every option is kept, however many there are: each array has room for argc entries */
    const char **thresholds;      /* --threshold, in the order given */
    int nthresholds;
    const char **ov_key, **ov_val;   /* scenario overrides, applied after the file is read, in order */
    int nov;
    buf client_pass;
} run_opts;

static void run_usage(FILE *f)
{
    fprintf(f,
        "usage: siocrypt run SCENARIO.json [options]\n"
        "\n"
        "Runs the encrypted counter against a socket.io server: the scenario's target, or with target\n"
        "\"local\" the project's Node g-crypt server, started on 127.0.0.1 and stopped afterwards.\n"
        "\n"
        "  --url URL               target http://host[:port][/path][?query] ([::1] for IPv6);\n"
        "                          overrides the scenario\n"
        "  --clients N             concurrent socket.io clients (1 .. 1000000)\n"
        "  --messages M            round trips per client (0 .. 1e12; 0 = until --duration)\n"
        "  --duration S            run for S seconds, 0.001 .. 2592000 (250ms, 30s, 2m, 1h also work)\n"
        "  --transport T           websocket | polling | upgrade\n"
        "  --eio 3|4               Engine.IO protocol version\n"
        "  --threads N             event loops (0 .. 1024; default 0: cores - 1, at least 1)\n"
        "  --ramp S                start clients spread over S seconds (0 .. 86400)\n"
        "  --rate R                open model: R messages per second per client (0.001 .. 100000)\n"
        "  --total-rate R          open model: R messages per second over all clients (0.001 .. 1e7)\n"
        "  --max-inflight N        open model: unanswered messages a client may have before it holds a\n"
        "                          send (0 .. 1000000; default 0: twice what message_ms at the rate can\n"
        "                          hold, + 64)\n"
        "  --think MS              closed model: pause between an answer and the next message (0 .. 3600000)\n"
        "  --start-id N            first counter id (within +-(2^53 - 1))\n"
        "  --impl v4|v2|v1         local server: socket.io 4 (server/), 2 (server/v2) or 1 (server/v1)\n"
        "  -p, --passphrase P      passphrase (also --passphrase-file FILE, or SIOCRYPT_PASSPHRASE)\n"
        "  --threshold EXPR        e.g. 'p99_ms<50', 'error_rate<0.01' (repeatable; operators < <= > >=)\n"
        "  --out DIR               report folder (default reports/<scenario>-<UTC time>/; at most 960 bytes)\n"
        "  -q, --quiet             no progress line\n"
        "  -v, --verbose           log every connection event to stderr\n"
        "\n"
        "Exit status: 0 every message verified, every threshold met and the reports written; 1 anything\n"
        "failed, or the reports could not be written after the run; 2 bad usage, a bad scenario file, or\n"
        "an --out that cannot take the reports (nothing runs and nothing is written then).\n"
        "Ctrl-C or SIGTERM: stop sending, drain, write the report (exit 1); a second one drops open\n"
        "connections at once and still writes the report.\n");
}

/* The scenario's target (its path and query, then the URL's own) taken apart and resolved once, before
 * anything runs: every error here is a usage error naming the field. */
static int run_make_target(target *t, const scenario *sc, const char *url, buf *err)
{
    char name[160];
    target_free(t);
    if (target_set_path(t, sc->path, err) < 0 || target_parse(t, url, err) < 0) return -1;
    for (size_t i = 0; i < sc->nquery; i++) {
        snprintf(name, sizeof name, "target.query.%.100s", sc->query[i].key);
        if (target_add_param(t, sc->query[i].key, sc->query[i].value, name, err) < 0) return -1;
    }
    return target_check(t, err) < 0 || target_resolve(t, err) < 0 ? -1 : 0;
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
static int run_check_fds(const run_config *cfg, buf *err)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
    int per = cfg->transport == TRANSPORT_WEBSOCKET_ONLY ? 1 : cfg->transport == TRANSPORT_POLLING_ONLY ? 2 : 3;
    double need = (double)cfg->clients * per + 64 + 8.0 * cfg->threads;
    if (need <= (double)rl.rlim_cur) return 0;
    buf_printf(err, "clients: %d clients need about %.0f file descriptors, but this process may open %llu "
               "(ulimit -n)", cfg->clients, need, (unsigned long long)rl.rlim_cur);
    return -1;
}

static int run_default_threads(int clients)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > 1 ? (int)cores - 1 : 1;
    return n > clients ? (clients > 0 ? clients : 1) : n;
}

static void run_default_out(const scenario *sc, buf *out)
{
    char ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
    const char *root = localserver_find_root();
    buf_printf(out, "%s/reports/", root ? root : ".");
    text_filename_part(out, sc->name, 100);   /* the name is the user's: no '/', no "..", no controls */
    buf_printf(out, "-%s", ts);
}

/* The open model's per-client rate: total_rate is shared by however many clients run now (in a stepped
 * ramp, this step's), rate is per client already. */
static double run_client_rate(const scenario *sc, int clients)
{
    return sc->total_rate > 0 ? sc->total_rate / clients : sc->rate;
}

static void run_fill_config(const scenario *sc, run_config *cfg)
{
    cfg->eio = sc->eio;
    cfg->transport = sc->transport == SCENARIO_POLLING ? TRANSPORT_POLLING_ONLY
                   : sc->transport == SCENARIO_UPGRADE ? TRANSPORT_UPGRADE : TRANSPORT_WEBSOCKET_ONLY;
    snprintf(cfg->nsp, sizeof cfg->nsp, "%s", sc->ns);
    snprintf(cfg->event, sizeof cfg->event, "%s", sc->event);
    cfg->auth_json = sc->auth_json;
    cfg->passphrase = sc->passphrase;
    cfg->passphrase_len = strlen(sc->passphrase);
    cfg->clients = sc->clients;
    cfg->threads = sc->threads > 0 ? sc->threads : run_default_threads(sc->clients);
    if (cfg->threads > sc->clients) cfg->threads = sc->clients;
    cfg->messages = sc->messages;
    cfg->duration_ns = (int64_t)(sc->duration_s * 1e9);
    cfg->start_id = sc->start_id;
    cfg->ramp_ns = (int64_t)(sc->ramp_s * 1e9);
    cfg->think_ns = (int64_t)(sc->think_ms * 1e6);
    cfg->rate = run_client_rate(sc, sc->clients);
    cfg->max_inflight = scenario_max_inflight(sc, cfg->rate);
    cfg->connect_timeout_ns = (int64_t)sc->connect_ms * 1000000;
    cfg->message_timeout_ns = (int64_t)sc->message_ms * 1000000;
    cfg->drain_ns = (int64_t)sc->drain_ms * 1000000;
    cfg->max_message_bytes = sc->max_message_bytes;
    cfg->max_queue_bytes = sc->max_queue_bytes;
}

/* ---- progress ------------------------------------------------------------------------------------- */

static void run_progress(worker *ws, int n, int64_t t0, int tty, int64_t *last_verified, int64_t *last_ns,
                         int final)
{
    worker_progress sum = {0}, p;
    for (int i = 0; i < n; i++) {
        worker_read_progress(&ws[i], &p);
        sum.conns_open += p.conns_open;
        sum.sent += p.sent;
        sum.verified += p.verified;
        sum.errors += p.errors;
        if (p.p99_ns > sum.p99_ns) sum.p99_ns = p.p99_ns;   /* the worst worker's p99: an upper bound */
    }
    int64_t now = clock_now_ns();
    double el = (double)(now - t0) / 1e9;
    double span = (double)(now - *last_ns) / 1e9;
    int64_t rate = span > 0 ? (int64_t)((double)(sum.verified - *last_verified) / span) : 0;
    *last_verified = sum.verified;
    *last_ns = now;
    fprintf(stderr, "%s[%6.1fs] clients open %5lld | round trips/s %7lld | verified %9lld | p99 %7.2f ms | errors %lld%s",
            tty ? "\r" : "", el, (long long)sum.conns_open, (long long)rate, (long long)sum.verified,
            (double)sum.p99_ns / 1e6, (long long)sum.errors, tty ? "\033[K" : "\n");
    if (tty && final) fputc('\n', stderr);
}

/* ---- the run -------------------------------------------------------------------------------------- */

typedef struct run_state {
    scenario sc;
    run_config cfg;
    target tgt;                   /* cfg.target: the URL taken apart and resolved, once */
    localserver srv;
    int have_server;
    buf out_dir;
    int interrupted;              /* the first signal (SIGINT or SIGTERM), 0 when none came */
    int64_t t_interrupt_wall_ns;
    int server_died;              /* the local server ended before we stopped it */
    const char *server_start_error, *server_log;   /* the local server did not start: why, and its log */
    int workers_failed;           /* not every worker could start */
    int reports_failed;           /* report sets (or ramp files) that could not be written */
} run_state;

/* getopt said no ('?'); say which option and why in one line. opt is the long or short option as typed
 * (the last argv element getopt looked at), optopt what getopt_long recorded. */
static void run_bad_option(const char *opt, int optopt_, buf *err)
{
    int is_long = !strncmp(opt, "--", 2);
    int len = (int)strcspn(opt, "=");
    if (!is_long) {
        if (optopt_ == 'p') buf_printf(err, "option '-p' needs a value (siocrypt run --help)");
        else buf_printf(err, "unknown option '-%c' (siocrypt run --help)", optopt_ ? optopt_ : '?');
    } else if (!optopt_) {
        buf_printf(err, "unknown option '%.*s' (siocrypt run --help)", len, opt);
    } else if (opt[len] == '=') {
        buf_printf(err, "option '%.*s' takes no value (siocrypt run --help)", len, opt);
    } else {
        buf_printf(err, "option '%s' needs a value (siocrypt run --help)", opt);
    }
}

static int run_parse_args(int argc, char **argv, run_opts *o, scenario *sc, buf *err)
{
    enum { O_URL = 256, O_CLIENTS, O_MESSAGES, O_DURATION, O_TRANSPORT, O_EIO, O_THREADS, O_RAMP, O_RATE,
           O_TOTAL_RATE, O_THINK, O_START_ID, O_MAX_INFLIGHT, O_IMPL, O_PASSFILE, O_THRESHOLD, O_OUT, O_HELP };
    static const struct option longopts[] = {
        {"url", required_argument, 0, O_URL}, {"clients", required_argument, 0, O_CLIENTS},
        {"messages", required_argument, 0, O_MESSAGES}, {"duration", required_argument, 0, O_DURATION},
        {"transport", required_argument, 0, O_TRANSPORT}, {"eio", required_argument, 0, O_EIO},
        {"threads", required_argument, 0, O_THREADS}, {"ramp", required_argument, 0, O_RAMP},
        {"rate", required_argument, 0, O_RATE}, {"total-rate", required_argument, 0, O_TOTAL_RATE},
        {"think", required_argument, 0, O_THINK}, {"start-id", required_argument, 0, O_START_ID},
        {"max-inflight", required_argument, 0, O_MAX_INFLIGHT}, {"impl", required_argument, 0, O_IMPL},
        {"passphrase", required_argument, 0, 'p'}, {"passphrase-file", required_argument, 0, O_PASSFILE},
        {"threshold", required_argument, 0, O_THRESHOLD}, {"out", required_argument, 0, O_OUT},
        {"quiet", no_argument, 0, 'q'}, {"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, O_HELP},
        {0, 0, 0, 0}};
    static const char *keys[] = {
        [O_URL - O_URL] = "url", [O_CLIENTS - O_URL] = "clients", [O_MESSAGES - O_URL] = "messages",
        [O_DURATION - O_URL] = "duration", [O_TRANSPORT - O_URL] = "transport", [O_EIO - O_URL] = "eio",
        [O_THREADS - O_URL] = "threads", [O_RAMP - O_URL] = "ramp", [O_RATE - O_URL] = "rate",
        [O_TOTAL_RATE - O_URL] = "total_rate", [O_THINK - O_URL] = "think_ms", [O_START_ID - O_URL] = "start_id",
        [O_MAX_INFLIGHT - O_URL] = "max_inflight", [O_IMPL - O_URL] = "impl"};
    int c;
    optind = 1;
    opterr = 0;   /* one message of our own, naming the option, instead of getopt's plus the whole usage */
    while ((c = getopt_long(argc, argv, "p:qv", longopts, NULL)) != -1) {
        if (c >= O_URL && c <= O_IMPL) {
            o->ov_key[o->nov] = keys[c - O_URL];
            o->ov_val[o->nov++] = optarg;
            continue;
        }
        switch (c) {
        case 'p': o->pass = optarg; break;
        case O_PASSFILE: o->pass_file = optarg; break;
        case O_THRESHOLD: o->thresholds[o->nthresholds++] = optarg; break;
        case O_OUT: o->out_dir = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'v': o->verbose = 1; break;
        case O_HELP: run_usage(stdout); return 0;
        default:
            run_bad_option(argv[optind - 1], optopt, err);
            return 2;
        }
    }
    if (optind != argc - 1) {
        buf_printf(err, "expected one scenario file (siocrypt run --help)");
        return 2;
    }
    o->scenario_path = argv[optind];
    scenario_free(sc);                          /* scenario_load overwrites without freeing */
    if (scenario_load(o->scenario_path, sc, err) < 0) return 2;
    for (int i = 0; i < o->nov; i++)
        if (scenario_override(sc, o->ov_key[i], o->ov_val[i], err) < 0) return 2;
    /* --threshold joins the file's thresholds through the same parser: a bad one is a usage error here,
     * before anything runs or any folder is made, never a line on stderr after the run */
    for (int i = 0; i < o->nthresholds; i++) {
        buf what = BUF_INIT;
        buf_printf(&what, "--threshold '%s'", o->thresholds[i]);
        int rc = scenario_add_threshold(sc, o->thresholds[i], buf_cstr(&what), err);
        buf_free(&what);
        if (rc < 0) return 2;
    }
    if (scenario_validate(sc, err) < 0) return 2;
    /* The harness's passphrase: -p, --passphrase-file or SIOCRYPT_PASSPHRASE, else the scenario's.
     * A local server always keeps the scenario's, so -p can test what a wrong passphrase does. */
    if (o->pass || o->pass_file || getenv("SIOCRYPT_PASSPHRASE")) {
        if (cli_passphrase("siocrypt run", o->pass, o->pass_file, &o->client_pass) < 0) return 2;
    } else {
        buf_append_str(&o->client_pass, sc->passphrase);
    }
    return -1;   /* go on */
}

static int run_start_server(run_state *rs, const char *log_path, buf *err)
{
    localserver_opts lo = {0};
    lo.root = localserver_find_root();
    lo.v2 = rs->sc.impl == SCENARIO_IMPL_V2;
    lo.v1 = rs->sc.impl == SCENARIO_IMPL_V1;
    lo.passphrase = rs->sc.passphrase;
    lo.delay_ms = rs->sc.delay_ms;
    lo.allow_eio3 = rs->sc.allow_eio3;
    lo.hardened = rs->sc.hardened;
    lo.log = rs->sc.log;
    lo.log_path = log_path;
    lo.start_timeout_ms = 15000;
    if (localserver_start(&rs->srv, &lo, err) < 0) return -1;
    rs->have_server = 1;
    return 0;
}

/* Wait for the workers, showing progress; a signal asks them to drain and stop. */
static void run_wait(run_state *rs, worker *ws, int n, int quiet, int64_t t0)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int tty = isatty(2);
    int64_t last_verified = 0, last_ns = t0, next_progress = t0 + 1000000000LL;
    for (;;) {
        worker_progress p;
        int finished = 0;
        for (int i = 0; i < n; i++) {
            worker_read_progress(&ws[i], &p);
            finished += worker_is_finished(&ws[i]);
        }
        if (finished == n) break;
        struct timespec ts = {0, 100 * 1000000};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) {
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
        int64_t now = clock_now_ns();
        if (!quiet && now >= next_progress) {
            run_progress(ws, n, t0, tty, &last_verified, &last_ns, 0);
            next_progress += tty ? 1000000000LL : 5000000000LL;
        }
    }
    if (!quiet) run_progress(ws, n, t0, tty, &last_verified, &last_ns, 1);
}

/* What cut the run short goes into the report as a high finding, so report.json says FAIL like the exit
 * status does, and why. */
static void run_add_findings(run_state *rs, result *r, int64_t wall0)
{
    char detail[160];
    if (rs->interrupted) {
        double at = (double)(rs->t_interrupt_wall_ns - wall0) / 1e9;
        snprintf(detail, sizeof detail, "%s after %.1f s: the run was stopped early; what was measured until then "
                 "is kept", rs->interrupted == SIGINT ? "SIGINT" : "SIGTERM", at);
        result_add_finding(r, "interrupted", "high", detail, NULL);
    }
    if (rs->server_died) {
        int st = rs->srv.wstatus;
        if (WIFSIGNALED(st)) snprintf(detail, sizeof detail, "the local server was killed by signal %d during the "
                                      "run", WTERMSIG(st));
        else snprintf(detail, sizeof detail, "the local server exited with status %d during the run",
                      WEXITSTATUS(st));
        result_add_finding(r, "server-exited", "high", detail, rs->srv.log_path[0] ? rs->srv.log_path : NULL);
    }
    if (rs->server_start_error)
        result_add_finding(r, "server-start", "high", rs->server_start_error,
                           rs->server_log && access(rs->server_log, R_OK) == 0 ? rs->server_log : NULL);
    if (rs->workers_failed)
        result_add_finding(r, "worker-start", "high", "not every event loop could start (memory, file descriptors)",
                           NULL);
}

/* Fill r (which the robustness probes may already hold findings and stats in) from the workers and the run. */
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

static void run_collect(run_state *rs, worker *ws, int n, int64_t t0, int64_t wall0, const usage_snap *cpu0,
                        double srv_cpu, const char *dir, result *r)
{
    for (int i = 0; i < n; i++) stats_merge(r->stats, ws[i].st);
    run_phases(ws, n, t0, &r->meta);
    run_held_finding(&rs->cfg, r);
    RESULT_SET(r->meta.scenario, rs->sc.name);
    buf shown = BUF_INIT;   /* query values (tokens) stay out of the reports */
    target_redact(rs->sc.url, &shown);
    RESULT_SET(r->meta.target, buf_cstr(&shown));
    buf_free(&shown);
    RESULT_SET(r->meta.transport, scenario_transport_name(rs->sc.transport));
    RESULT_SET(r->meta.model, rs->sc.mode == SCENARIO_MODE_ROBUSTNESS ? "robustness" : rs->cfg.rate > 0 ? "open" : "closed");
    RESULT_SET(r->meta.out_dir, dir);
    r->meta.eio = rs->cfg.eio;
    r->meta.clients = rs->cfg.clients;
    r->meta.threads = rs->cfg.threads;
    r->meta.rate = rs->cfg.rate * rs->cfg.clients;
    r->meta.start_wall_ns = wall0;
    r->meta.end_wall_ns = clock_wall_ns();
    r->meta.duration_s = (double)(r->meta.end_wall_ns - wall0) / 1e9;
    result_measure_harness(r, cpu0);     /* this run's (this step's) CPU, not the process's so far */
    if (rs->have_server) {
        r->server_measured = 1;
        r->server_cpu_s = srv_cpu;
    }
    run_add_findings(rs, r, wall0);
    /* the file's and the command line's, parsed before the run: only memory can fail here, and then the
     * run must not pass without its gate */
    buf err = BUF_INIT;
    for (size_t i = 0; i < rs->sc.nthresholds; i++)
        if (result_add_threshold(r, rs->sc.thresholds[i].expr, &err) < 0)
            result_add_finding(r, "threshold-lost", "high", rs->sc.thresholds[i].expr, NULL);
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

/* Start the workers for rs->cfg, wait for them (progress, signals), join. Returns how many started. */
static int run_workers(run_state *rs, const run_opts *o, worker *ws, int nworkers, int64_t t0, int64_t wall0)
{
    int started = 0;
    for (int i = 0, first = 0; i < nworkers; i++) {
        int nc = rs->cfg.clients / nworkers + (i < rs->cfg.clients % nworkers);
        int ok = worker_init(&ws[i], i, &rs->cfg, first, nc, t0) == 0;
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
    if (started == nworkers) run_wait(rs, ws, nworkers, o->quiet, t0);
    else for (int i = 0; i < started; i++) worker_request_stop(&ws[i]);
    for (int i = 0; i < started; i++) worker_join(&ws[i]);
    return started;
}

/* One run with rs->cfg as it stands: the probes in robustness mode, else the workers. The result is finished
 * and its five reports are written to dir; NULL only when memory ran out. */
static result *run_once(run_state *rs, const run_opts *o, const char *dir)
{
    result *r = result_new();
    envseen *seen = envseen_new(0);
    int nworkers = rs->sc.mode == SCENARIO_MODE_ROBUSTNESS ? 0 : rs->cfg.threads, started = 0;
    worker *ws = nworkers ? calloc((size_t)nworkers, sizeof *ws) : NULL;
    if (!r || !seen || (nworkers && !ws)) {
        result_free(r);
        envseen_free(seen);
        free(ws);
        return NULL;
    }
    int64_t t0 = clock_now_ns(), wall0 = clock_wall_ns();
    usage_snap cpu0 = usage_self();
    double srv_cpu0 = rs->have_server ? localserver_cpu_s(&rs->srv) : 0;
    if (rs->sc.mode == SCENARIO_MODE_ROBUSTNESS) {   /* one client at a time, probe by probe */
        probe_opts po = {rs->have_server ? &rs->srv : NULL, o->quiet};
        rs->interrupted = probe_run(&rs->cfg, &po, r, seen);
        if (rs->interrupted) rs->t_interrupt_wall_ns = clock_wall_ns();
    } else {
        started = run_workers(rs, o, ws, nworkers, t0, wall0);
        for (int i = 0; i < started; i++) envseen_merge(seen, ws[i].seen);   /* salts, iv fields */
        probe_envelope_findings(seen, r);
    }
    envseen_free(seen);
    double srv_cpu = 0;
    if (rs->have_server) {
        rs->server_died = !localserver_alive(&rs->srv);
        srv_cpu = localserver_cpu_s(&rs->srv) - srv_cpu0;
    }
    run_collect(rs, ws, started, t0, wall0, &cpu0, srv_cpu, dir, r);
    for (int i = 0; i < started; i++) worker_destroy(&ws[i]);
    free(ws);
    result_finish(r);
    run_save(rs, r, dir);
    return r;
}

/* A stepped ramp: clients from, from+step, ... to, each held for step_s against the same server, until a
 * step breaks a threshold. Every step has its own reports in DIR/step-NN-Mc/; DIR/ramp.json and ramp.md hold
 * the table and the knee (the last step that met every threshold). */
static int run_steps(run_state *rs, const run_opts *o)
{
    const scenario *sc = &rs->sc;
    size_t cap = (size_t)((sc->steps_to - sc->steps_from) / sc->steps_step) + 1, n = 0;
    ramp_row *rows = calloc(cap, sizeof *rows);
    int code = 1;
    if (!rows) return 1;
    rs->cfg.messages = 0;
    rs->cfg.duration_ns = (int64_t)(sc->step_s * 1e9);
    for (int clients = sc->steps_from; clients <= sc->steps_to && n < cap; clients += sc->steps_step) {
        ramp_row *row = &rows[n];
        rs->cfg.clients = clients;
        rs->cfg.rate = run_client_rate(sc, clients);
        rs->cfg.max_inflight = scenario_max_inflight(sc, rs->cfg.rate);
        rs->cfg.threads = sc->threads > 0 ? (sc->threads < clients ? sc->threads : clients) : run_default_threads(clients);
        snprintf(row->dir, sizeof row->dir, "step-%02zu-%dc", n + 1, clients);
        buf dir = BUF_INIT;
        buf_printf(&dir, "%s/%s", rs->out_dir.data, row->dir);
        if (!o->quiet) fprintf(stderr, "siocrypt: step %zu: %d clients for %.1f s\n", n + 1, clients, sc->step_s);
        result *r = run_once(rs, o, dir.data);
        buf_free(&dir);
        if (!r) break;
        row->clients = clients;
        row->round_trips_per_s = r->d.round_trips_per_s;
        row->p50_ms = r->d.latency_ms.p50;
        row->p99_ms = r->d.latency_ms.p99;
        row->verified = r->stats->verified;
        row->errors = r->d.errors_total;
        row->pass = r->d.pass;
        if (!r->meta.out_dir[0]) row->dir[0] = '\0';   /* its reports could not be written: none to point to */
        n++;
        result_free(r);
        if (!row->pass || rs->interrupted || rs->server_died) break;
    }
    buf text = BUF_INIT, err = BUF_INIT;
    const char *written[2] = {NULL, NULL};
    ramp_to_md(rows, n, sc->name, &text);
    text_fwrite(stdout, text.data, text.len);
    if (report_write_file(rs->out_dir.data, "ramp.md", &text, &err) == 0) written[0] = "ramp.md,";
    else { text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err)); rs->reports_failed++; }
    buf_clear(&text);
    ramp_to_json(rows, n, sc->name, &text);
    if (report_write_file(rs->out_dir.data, "ramp.json", &text, &err) == 0) written[1] = "ramp.json,";
    else { text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err)); rs->reports_failed++; }
    /* only what is there: a step whose reports failed stopped the ramp and has none */
    text_fprintf(stdout, "Reports: %s/{%s%sstep-*/}\n", rs->out_dir.data, written[0] ? written[0] : "", written[1] ? written[1] : "");
    int saturated;
    /* a ramp did its job when it found a knee (or every step passed) and nothing cut it short */
    if (ramp_knee(rows, n, &saturated) >= 0 && !rs->interrupted && !rs->server_died && !rs->reports_failed) code = 0;
    buf_free(&text);
    buf_free(&err);
    free(rows);
    return code;
}

int cmd_run(int argc, char **argv)
{
    run_state rs;
    memset(&rs, 0, sizeof rs);
    target_init(&rs.tgt);
    rs.cfg.target = &rs.tgt;
    run_opts o = {0};
    buf err = BUF_INIT;
    int code = 2;
    result *r = NULL;
    /* rs.sc stays zeroed until scenario_load fills it (it overwrites: an init here would leak) */

    /* every argument counts, however many: a --out after the 256th is still the report folder */
    o.thresholds = calloc((size_t)argc, sizeof *o.thresholds);
    o.ov_key = calloc((size_t)argc, sizeof *o.ov_key);
    o.ov_val = calloc((size_t)argc, sizeof *o.ov_val);
    if (!o.thresholds || !o.ov_key || !o.ov_val) {
        fprintf(stderr, "siocrypt run: out of memory\n");
        goto out;
    }
    int rc = run_parse_args(argc, argv, &o, &rs.sc, &err);
    if (rc >= 0) {
        if (err.len) text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err));
        code = rc;
        goto out;
    }
    /* Everything that can be a usage error is checked before the report folder is made: a typo leaves
     * nothing behind (the thresholds were checked with the scenario, in run_parse_args). */
    rs.cfg.verbose = o.verbose;
    run_fill_config(&rs.sc, &rs.cfg);
    rs.cfg.passphrase = o.client_pass.data;
    rs.cfg.passphrase_len = o.client_pass.len;
    if (rs.sc.steps_from) rs.cfg.clients = rs.sc.steps_to;   /* the largest step must fit the fd limit */
    run_raise_nofile();
    if (run_check_fds(&rs.cfg, &err) < 0 ||
        (!scenario_is_local(&rs.sc) && run_make_target(&rs.tgt, &rs.sc, rs.sc.url, &err) < 0)) {
        text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(&err));
        goto out;
    }
    if (o.out_dir) buf_append_str(&rs.out_dir, o.out_dir);
    else run_default_out(&rs.sc, &rs.out_dir);
    /* a folder that cannot hold the reports is known now, not after the run */
    if (report_prepare_dir(rs.out_dir.data, &err) < 0) {
        text_fprintf(stderr, "siocrypt run: --out: %s\n", buf_cstr(&err));
        goto out;
    }
    code = 1;

    /* signals: only this thread takes them (the workers inherit the mask) */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    lws_set_log_level(o.verbose ? LLL_ERR | LLL_WARN : 0, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);

    const char *url = rs.sc.url;
    if (scenario_is_local(&rs.sc)) {
        buf log = BUF_INIT;
        buf_printf(&log, "%s/server.log", rs.out_dir.data);
        int64_t wall0 = clock_wall_ns();
        if (run_start_server(&rs, log.data, &err) < 0) {
            /* nothing ran, but CI still gets a report that says why */
            text_fprintf(stderr, "siocrypt run: local server: %s\n", buf_cstr(&err));
            rs.server_start_error = buf_cstr(&err);
            rs.server_log = log.data;
            if ((r = result_new())) {
                run_collect(&rs, NULL, 0, 0, wall0, NULL, 0, rs.out_dir.data, r);
                result_finish(r);
                run_save(&rs, r, rs.out_dir.data);
                report_print_summary(stdout, r);
                code = result_exit_code(r);
            }
            buf_free(&log);
            goto out;
        }
        buf_free(&log);
        url = rs.srv.url;
        free(rs.sc.url);
        rs.sc.url = strdup(url);
        if (run_make_target(&rs.tgt, &rs.sc, url, &err) < 0) {
            text_fprintf(stderr, "siocrypt run: local server: %s\n", buf_cstr(&err));
            goto out;
        }
    }
    buf shown = BUF_INIT;   /* query values (tokens) stay out of CI logs */
    target_redact(url, &shown);
    url = buf_cstr(&shown);
    if (!o.quiet && rs.sc.mode == SCENARIO_MODE_ROBUSTNESS)
        text_fprintf(stderr, "siocrypt: %s: robustness probes over %s (EIO %d) to %s, one connection each\n", rs.sc.name,
                scenario_transport_name(rs.sc.transport), rs.cfg.eio, url);
    else if (!o.quiet && rs.sc.steps_from)
        text_fprintf(stderr, "siocrypt: %s: stepped ramp %d..%d clients (+%d) over %s (EIO %d) to %s\n", rs.sc.name,
                rs.sc.steps_from, rs.sc.steps_to, rs.sc.steps_step, scenario_transport_name(rs.sc.transport),
                rs.cfg.eio, url);
    else if (!o.quiet)
        text_fprintf(stderr, "siocrypt: %s: %d clients over %s (EIO %d) to %s, %d thread%s\n", rs.sc.name,
                rs.cfg.clients, scenario_transport_name(rs.sc.transport), rs.cfg.eio, url, rs.cfg.threads,
                rs.cfg.threads == 1 ? "" : "s");
    buf_free(&shown);
    url = NULL;

    if (rs.sc.steps_from) {
        code = run_steps(&rs, &o);
    } else if ((r = run_once(&rs, &o, rs.out_dir.data))) {
        report_print_summary(stdout, r);
        code = result_exit_code(r);
    }
    if (rs.interrupted && code == 0) code = 1;   /* an interrupted run did not do all it was asked */

out:
    if (r) result_free(r);
    if (rs.have_server && rs.srv.pid > 0) localserver_stop(&rs.srv, NULL);
    scenario_free(&rs.sc);
    target_free(&rs.tgt);
    buf_free(&rs.out_dir);
    buf_free(&o.client_pass);
    buf_free(&err);
    free(o.thresholds);
    free(o.ov_key);
    free(o.ov_val);
    return code;
}
