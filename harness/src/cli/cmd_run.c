/* cmd_run: `siocrypt run SCENARIO.json [options]`. Reads the scenario and the options, turns them into a
 * run plan (load/run.h: the run's configuration, its target taken apart and resolved once, the report
 * folder, the local server when the target is `local`), and hands it to run_execute, which runs the
 * workers, shows progress, takes the signals and writes the reports. Everything that can be a usage error
 * (exit 2) is found here, before anything runs or any folder is made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "cli/cli.h"
#include "cli/cmd.h"
#include "cli/scenario.h"
#include "load/localserver.h"
#include "load/procs.h"
#include "load/run.h"
#include "load/startat.h"
#include "net/headers.h"
#include "net/metrics_http.h"
#include "net/target.h"
#include "net/source.h"
#include "report/report.h"

typedef struct run_opts {
    const char *scenario_path;
    const char *out_dir;
    const char *pass, *pass_file;
    const char *start_at;         /* --start-at TIME (startat.h), or NULL */
    int quiet, verbose;
    int insecure;                 /* -k/--insecure */
    int no_cookies;               /* --no-cookies: target.cookies false */
    const char *metrics_listen;   /* --metrics-listen ADDR:PORT, or NULL */
    /* every option is kept, however many there are: each array has room for argc entries */
    const char **thresholds;      /* --threshold, in the order given */
    int nthresholds;
    const char **headers;         /* -H/--header, in the order given */
    int nheaders;
    const char **ov_key, **ov_val;   /* scenario overrides, applied after the file is read, in order */
    int nov;
    buf client_pass;
} run_opts;

static void cmd_run_usage(FILE *f)
{
    fprintf(f,
        "usage: siocrypt run SCENARIO.json [options]\n"
        "\n"
        "Runs the encrypted counter, or the scenario's flow, against a socket.io server: the scenario's\n"
        "target, or with target \"local\" the project's Node g-crypt server (server.app: counter or chat),\n"
        "started on 127.0.0.1 and stopped afterwards.\n"
        "\n"
        "  --url URL               target http(s)://host[:port][/path][?query] ([::1] for IPv6; ws://,\n"
        "                          wss:// too); overrides the scenario\n"
        "  --cacert FILE           TLS: trust the CAs in this PEM file (default: the system store)\n"
        "  -k, --insecure          TLS: do not verify the server's certificate (said in the report)\n"
        "  --cert FILE --key FILE  TLS: a client certificate and its key (PEM)\n"
        "  --clients N             concurrent socket.io clients (1 .. 1000000)\n"
        "  --messages M            round trips per client (0 .. 1e12; 0 = until --duration)\n"
        "  --duration S            run for S seconds, 0.001 .. 2592000 (250ms, 30s, 2m, 1h also work)\n"
        "  --transport T           websocket | polling | upgrade\n"
        "  --eio 3|4               Engine.IO protocol version\n"
        "  --threads N             event loops (0 .. 1024; default 0: cores - 1, at least 1; per process)\n"
        "  --procs N               N harness processes on this machine (1 .. 64), each with its share of the\n"
        "                          clients and its own fd limit, one merged report (with url local: one\n"
        "                          local server per process)\n"
        "  --start-at TIME         set up, then start the clients at TIME: Unix seconds (1764629400.5) or\n"
        "                          +30s from now; instances on several machines begin together\n"
        "  --ramp S                start clients spread over S seconds (0 .. 86400)\n"
        "  --rate R                open model: R messages per second per client (0.001 .. 100000)\n"
        "  --total-rate R          open model: R messages per second over all clients (0.001 .. 1e7)\n"
        "  --max-inflight N        open model: unanswered messages a client may have before it holds a\n"
        "                          send (0 .. 1000000; default 0: twice what message_ms at the rate can\n"
        "                          hold, + 64)\n"
        "  --connect-concurrency N clients connecting at once per thread at most (0 .. 1000000; default\n"
        "                          256; 0: no limit); the others wait, connect_ms counts from their start\n"
        "  --connect-rate R        new connects per second over all clients at most (0.001 .. 1e7)\n"
        "  --source A[,B|A-B]      local addresses to connect from, round robin over the clients (IPv4 or\n"
        "                          IPv6 literals, IPv4 ranges 127.0.0.2-127.0.0.9; source_addresses)\n"
        "  --think MS              closed model: pause between an answer and the next message (0 .. 3600000)\n"
        "  --start-id N            first counter id (within +-(2^53 - 1))\n"
        "  --impl v4|v2|v1         local server: socket.io 4 (server/), 2 (server/v2) or 1 (server/v1)\n"
        "  -H, --header 'N: V'     an HTTP header on every polling request and the websocket upgrade\n"
        "                          (repeatable, as curl's -H; {{client}} in V: the client's index);\n"
        "                          -H @FILE: one header line per client (client i sends line i)\n"
        "  --no-compression        do not offer permessage-deflate on the websocket (target.compression)\n"
        "  --reconnect             reconnect dropped clients as socket.io-client does (scenario reconnect)\n"
        "  -p, --passphrase P      passphrase (also --passphrase-file FILE, or SIOCRYPT_PASSPHRASE)\n"
        "  --threshold EXPR        e.g. 'p99_ms<50', 'error_rate<0.01' (repeatable; operators < <= > >=)\n"
        "  --out DIR               report folder (default reports/<scenario>-<UTC time>/; at most 960 bytes)\n"
        "  --proxy URL             HTTP proxy [http://]host[:port] (default port 1080) for polling and\n"
        "                          websocket alike, through CONNECT tunnels (target.proxy)\n"
        "  --no-cookies            no cookie jar: Set-Cookie is not sent back (target.cookies false)\n"
        "  --metrics-listen ADDR   serve live Prometheus/OpenMetrics metrics at http://ADDR/metrics while the\n"
        "                          run lasts: PORT (127.0.0.1), HOST:PORT or [IPv6]:PORT\n"
        "  -q, --quiet             no progress line\n"
        "  -v, --verbose           log every connection event to stderr\n"
        "\n"
        "Exit status: 0 every message verified, every threshold met and the reports written; 1 anything\n"
        "failed, or the reports could not be written after the run; 2 bad usage, a bad scenario file, or\n"
        "an --out that cannot take the reports (nothing runs and nothing is written then).\n"
        "Ctrl-C or SIGTERM: stop sending, drain, write the report (exit 1); a second one drops open\n"
        "connections at once and still writes the report.\n");
}

/* target.tls for an https/wss target: the files must be readable now, not fail in every worker later. */
static int cmd_run_tls(target *t, const scenario *sc, buf *err)
{
    const struct { const char *name, *path; } files[] = {
        {"cacert", sc->tls_cacert}, {"cert", sc->tls_cert}, {"key", sc->tls_key}};
    if (!t->tls) return 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = files[i].path ? fopen(files[i].path, "r") : NULL;
        if (files[i].path && !f)
            return buf_fail(err, "target.tls.%s: cannot read '%s': %s", files[i].name, files[i].path, strerror(errno));
        if (f) fclose(f);
    }
    t->tlsopt = (target_tls){sc->tls_cacert, sc->tls_cert, sc->tls_key, sc->tls_servername, sc->tls_insecure};
    return 0;
}

/* target.headers and -H, then the headers file (read now: a short or bad one is a usage error). */
static int cmd_run_headers(target *t, const scenario *sc, buf *err)
{
    char what[160];
    if (!sc->nheaders && !sc->headers_file) return 0;
    if (!(t->headers = calloc(1, sizeof *t->headers))) return buf_fail(err, "out of memory");
    for (size_t i = 0; i < sc->nheaders; i++) {
        snprintf(what, sizeof what, "header %.100s", sc->headers[i].key);
        if (headers_add(t->headers, sc->headers[i].key, sc->headers[i].value, what, err) < 0) return -1;
    }
    if (!sc->headers_file) return 0;
    return headers_load_file(t->headers, sc->headers_file, err) < 0 ||
           headers_check_clients(t->headers, sc->steps_from ? sc->steps_to : sc->clients, err) < 0 ? -1 : 0;
}

/* The scenario's target (its path and query, then the URL's own) taken apart and resolved once, before
 * anything runs: every error here is a usage error naming the field. */
static int cmd_run_target(target *t, const scenario *sc, const char *url, buf *err)
{
    char name[160];
    target_free(t);
    if (target_set_path(t, sc->path, err) < 0 || target_parse(t, url, err) < 0) return -1;
    for (size_t i = 0; i < sc->nquery; i++) {
        snprintf(name, sizeof name, "target.query.%.100s", sc->query[i].key);
        if (target_add_param(t, sc->query[i].key, sc->query[i].value, name, err) < 0) return -1;
    }
    if (cmd_run_tls(t, sc, err) < 0) return -1;
    return target_check(t, err) < 0 || cmd_run_headers(t, sc, err) < 0 || target_resolve(t, err) < 0 ? -1 : 0;
}

/* target.proxy (--proxy), resolved once like the target: the transports get a numeric address. */
static int cmd_run_proxy(target *p, const char *url, buf *err)
{
    buf why = BUF_INIT;
    target_free(p);
    int rc = target_parse(p, url, &why) < 0 || target_resolve(p, &why) < 0 ? -1 : 0;
    if (rc < 0) buf_printf(err, "target.proxy %s: %s", url, buf_cstr(&why));
    buf_free(&why);
    return rc;
}

static void cmd_run_default_out(const scenario *sc, buf *out)
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
static double cmd_run_client_rate(const scenario *sc, int clients)
{
    return sc->total_rate > 0 ? sc->total_rate / clients : sc->rate;
}

static void cmd_run_fill_config(const scenario *sc, run_config *cfg)
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
    cfg->rate = cmd_run_client_rate(sc, sc->clients);
    cfg->max_inflight = scenario_max_inflight(sc, cfg->rate);
    cfg->connect_concurrency = sc->connect_concurrency;
    cfg->connect_rate = sc->connect_rate;
    cfg->connect_timeout_ns = (int64_t)sc->connect_ms * 1000000;
    cfg->message_timeout_ns = (int64_t)sc->message_ms * 1000000;
    cfg->drain_ns = (int64_t)sc->drain_ms * 1000000;
    cfg->max_message_bytes = sc->max_message_bytes;
    cfg->max_queue_bytes = sc->max_queue_bytes;
    cfg->cookies = sc->cookies;
    cfg->follow_redirects = sc->follow_redirects;
    cfg->compression = sc->compression;
    cfg->reconnect = sc->reconnect;
    cfg->reconnect_delay_ns = (int64_t)sc->reconnect_delay_ms * 1000000;
    cfg->reconnect_max_delay_ns = (int64_t)sc->reconnect_max_delay_ms * 1000000;
    cfg->reconnect_jitter = sc->reconnect_jitter;
    cfg->reconnect_max_attempts = sc->reconnect_max_attempts;
    cfg->flow = sc->workload == SCENARIO_WORKLOAD_FLOW ? sc->flow : NULL;
}

/* A stepped ramp's step of `clients` (run_plan.step_config): the rate and in-flight limit for that many
 * clients, and as many threads as the scenario asks for (or the default), never more than clients. */
static void cmd_run_step_config(const void *ud, int clients, run_config *cfg)
{
    const scenario *sc = ud;
    cfg->rate = cmd_run_client_rate(sc, clients);
    cfg->max_inflight = scenario_max_inflight(sc, cfg->rate);
    cfg->threads = sc->threads > 0 ? (sc->threads < clients ? sc->threads : clients) : run_default_threads(clients);
}

/* The plan for run_execute, from the scenario and the options (cfg's target is set by the caller). */
static void cmd_run_plan(const scenario *sc, const run_opts *o, const char *out_dir, run_plan *p)
{
    p->cfg.verbose = o->verbose;
    cmd_run_fill_config(sc, &p->cfg);
    p->cfg.passphrase = o->client_pass.data;
    p->cfg.passphrase_len = o->client_pass.len;
    if (sc->steps_from) p->cfg.clients = sc->steps_to;   /* the largest step must fit the fd limit */
    p->name = sc->name;
    p->url = sc->url;
    p->transport_name = scenario_transport_name(sc->transport);
    p->robustness = sc->mode == SCENARIO_MODE_ROBUSTNESS;
    p->quiet = o->quiet;
    p->out_dir = out_dir;
    p->thresholds = sc->thresholds;
    p->nthresholds = sc->nthresholds;
    p->compare = sc->compare;
    p->ncompare = sc->ncompare;
    p->steps_from = sc->steps_from;
    p->steps_to = sc->steps_to;
    p->steps_step = sc->steps_step;
    p->step_s = sc->step_s;
    p->step_config = cmd_run_step_config;
    p->step_ud = sc;
}

/* getopt said no ('?'); say which option and why in one line. opt is the long or short option as typed
 * (the last argv element getopt looked at), optopt what getopt_long recorded. */
static void cmd_run_bad_option(const char *opt, int optopt_, buf *err)
{
    int is_long = !strncmp(opt, "--", 2);
    int len = (int)strcspn(opt, "=");
    if (!is_long) {
        if (optopt_ == 'p' || optopt_ == 'H') buf_printf(err, "option '-%c' needs a value (siocrypt run --help)", optopt_);
        else buf_printf(err, "unknown option '-%c' (siocrypt run --help)", optopt_ ? optopt_ : '?');
    } else if (!optopt_) {
        buf_printf(err, "unknown option '%.*s' (siocrypt run --help)", len, opt);
    } else if (opt[len] == '=') {
        buf_printf(err, "option '%.*s' takes no value (siocrypt run --help)", len, opt);
    } else {
        buf_printf(err, "option '%s' needs a value (siocrypt run --help)", opt);
    }
}

static int cmd_run_parse_args(int argc, char **argv, run_opts *o, scenario *sc, buf *err)
{
    enum { O_URL = 256, O_CLIENTS, O_MESSAGES, O_DURATION, O_TRANSPORT, O_EIO, O_THREADS, O_RAMP, O_RATE,
           O_TOTAL_RATE, O_THINK, O_START_ID, O_MAX_INFLIGHT, O_CACERT, O_CERT, O_KEY, O_IMPL, O_NO_COMPRESSION,
           O_PROCS, O_RECONNECT, O_PASSFILE, O_THRESHOLD, O_OUT, O_HELP, O_NO_COOKIES, O_PROXY, O_START_AT,
           O_METRICS, O_CONNECT_CONCURRENCY, O_CONNECT_RATE, O_SOURCE, O_HEADER = 'H' };
    static const struct option longopts[] = {
        {"url", required_argument, 0, O_URL}, {"clients", required_argument, 0, O_CLIENTS},
        {"messages", required_argument, 0, O_MESSAGES}, {"duration", required_argument, 0, O_DURATION},
        {"transport", required_argument, 0, O_TRANSPORT}, {"eio", required_argument, 0, O_EIO},
        {"threads", required_argument, 0, O_THREADS}, {"ramp", required_argument, 0, O_RAMP},
        {"rate", required_argument, 0, O_RATE}, {"total-rate", required_argument, 0, O_TOTAL_RATE},
        {"think", required_argument, 0, O_THINK}, {"start-id", required_argument, 0, O_START_ID},
        {"max-inflight", required_argument, 0, O_MAX_INFLIGHT}, {"impl", required_argument, 0, O_IMPL},
        {"cacert", required_argument, 0, O_CACERT}, {"cert", required_argument, 0, O_CERT},
        {"key", required_argument, 0, O_KEY}, {"insecure", no_argument, 0, 'k'},
        {"no-compression", no_argument, 0, O_NO_COMPRESSION}, {"reconnect", no_argument, 0, O_RECONNECT},
        {"passphrase", required_argument, 0, 'p'}, {"passphrase-file", required_argument, 0, O_PASSFILE},
        {"threshold", required_argument, 0, O_THRESHOLD}, {"out", required_argument, 0, O_OUT},
        {"no-cookies", no_argument, 0, O_NO_COOKIES}, {"proxy", required_argument, 0, O_PROXY},
        {"quiet", no_argument, 0, 'q'}, {"verbose", no_argument, 0, 'v'}, {"help", no_argument, 0, O_HELP},
        {"header", required_argument, 0, O_HEADER}, {"metrics-listen", required_argument, 0, O_METRICS},
        {"connect-concurrency", required_argument, 0, O_CONNECT_CONCURRENCY},
        {"connect-rate", required_argument, 0, O_CONNECT_RATE}, {"source", required_argument, 0, O_SOURCE},
        {"procs", required_argument, 0, O_PROCS}, {"start-at", required_argument, 0, O_START_AT},
        {0, 0, 0, 0}};
    static const char *keys[] = {
        [O_URL - O_URL] = "url", [O_CLIENTS - O_URL] = "clients", [O_MESSAGES - O_URL] = "messages",
        [O_DURATION - O_URL] = "duration", [O_TRANSPORT - O_URL] = "transport", [O_EIO - O_URL] = "eio",
        [O_THREADS - O_URL] = "threads", [O_RAMP - O_URL] = "ramp", [O_RATE - O_URL] = "rate",
        [O_TOTAL_RATE - O_URL] = "total_rate", [O_THINK - O_URL] = "think_ms", [O_START_ID - O_URL] = "start_id",
        [O_MAX_INFLIGHT - O_URL] = "max_inflight", [O_IMPL - O_URL] = "impl",
        [O_CACERT - O_URL] = "cacert", [O_CERT - O_URL] = "cert", [O_KEY - O_URL] = "key"};
    int c;
    optind = 1;
    opterr = 0;   /* one message of our own, naming the option, instead of getopt's plus the whole usage */
    while ((c = getopt_long(argc, argv, "H:p:qvk", longopts, NULL)) != -1) {
        if (c >= O_URL && c <= O_IMPL) {
            o->ov_key[o->nov] = keys[c - O_URL];
            o->ov_val[o->nov++] = optarg;
            continue;
        }
        switch (c) {
        case O_NO_COMPRESSION:   /* target.compression false, as a scenario override */
            o->ov_key[o->nov] = "compression";
            o->ov_val[o->nov++] = "false";
            break;
        case O_PROCS: o->ov_key[o->nov] = "procs"; o->ov_val[o->nov++] = optarg; break;
        case O_START_AT: o->start_at = optarg; break;
        case O_RECONNECT:   /* reconnect true (the scenario's reconnect.* or their defaults) */
            o->ov_key[o->nov] = "reconnect";
            o->ov_val[o->nov++] = "true";
            break;
        case 'p': o->pass = optarg; break;
        case O_PASSFILE: o->pass_file = optarg; break;
        case O_THRESHOLD: o->thresholds[o->nthresholds++] = optarg; break;
        case O_HEADER: o->headers[o->nheaders++] = optarg; break;
        case O_OUT: o->out_dir = optarg; break;
        case O_NO_COOKIES: o->no_cookies = 1; break;
        case O_METRICS: o->metrics_listen = optarg; break;
        case O_PROXY: o->ov_key[o->nov] = "proxy"; o->ov_val[o->nov++] = optarg; break;
        case O_CONNECT_CONCURRENCY: o->ov_key[o->nov] = "connect_concurrency"; o->ov_val[o->nov++] = optarg; break;
        case O_CONNECT_RATE: o->ov_key[o->nov] = "connect_rate"; o->ov_val[o->nov++] = optarg; break;
        case O_SOURCE: o->ov_key[o->nov] = "source"; o->ov_val[o->nov++] = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'k': o->insecure = 1; break;
        case 'v': o->verbose = 1; break;
        case O_HELP: cmd_run_usage(stdout); return 0;
        default:
            cmd_run_bad_option(argv[optind - 1], optopt, err);
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
    if (o->insecure) sc->tls_insecure = 1;
    if (o->no_cookies) sc->cookies = 0;
    /* --threshold joins the file's thresholds through the same parser: a bad one is a usage error here,
     * before anything runs or any folder is made, never a line on stderr after the run */
    for (int i = 0; i < o->nthresholds; i++) {
        buf what = BUF_INIT;
        buf_printf(&what, "--threshold '%s'", o->thresholds[i]);
        int rc = scenario_add_threshold(sc, o->thresholds[i], buf_cstr(&what), err);
        buf_free(&what);
        if (rc < 0) return 2;
    }
    for (int i = 0; i < o->nheaders; i++)   /* curl's -H: each one adds to the file's target.headers */
        if (scenario_add_header(sc, o->headers[i], "-H", err) < 0) return 2;
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

/* The local server the scenario asks for (its impl and server.* fields), its log in the report folder. */
static int cmd_run_start_server(const scenario *sc, localserver *srv, const char *log_path, buf *err)
{
    localserver_opts lo = {0};
    lo.root = localserver_find_root();
    lo.v2 = sc->impl == SCENARIO_IMPL_V2;
    lo.v1 = sc->impl == SCENARIO_IMPL_V1;
    lo.app = scenario_app_name(sc->app);
    lo.push_ms = sc->push_ms;
    lo.passphrase = sc->passphrase;
    lo.delay_ms = sc->delay_ms;
    lo.allow_eio3 = sc->allow_eio3;
    lo.hardened = sc->hardened;
    lo.log = sc->log;
    lo.log_path = log_path;
    lo.start_timeout_ms = 15000;
    return localserver_start(srv, &lo, err);
}

/* What is about to run, on stderr (query values, which may be tokens, stay out of CI logs). */
static void cmd_run_banner(const scenario *sc, const run_config *cfg, const char *target_url)
{
    buf shown = BUF_INIT;
    target_redact(target_url, &shown);
    const char *url = buf_cstr(&shown), *tr = scenario_transport_name(sc->transport);
    if (sc->mode == SCENARIO_MODE_ROBUSTNESS)
        text_fprintf(stderr, "siocrypt: %s: robustness probes over %s (EIO %d) to %s, one connection each\n", sc->name,
                tr, cfg->eio, url);
    else if (sc->steps_from)
        text_fprintf(stderr, "siocrypt: %s: stepped ramp %d..%d clients (+%d) over %s (EIO %d) to %s\n", sc->name,
                sc->steps_from, sc->steps_to, sc->steps_step, tr, cfg->eio, url);
    else
        text_fprintf(stderr, "siocrypt: %s: %d clients over %s (EIO %d) to %s, %d thread%s\n", sc->name,
                cfg->clients, tr, cfg->eio, url, cfg->threads, cfg->threads == 1 ? "" : "s");
    buf_free(&shown);
}

/* What a run needs and what cmd_run must free: the scenario, the options, the target, the server. */
typedef struct cmd_run_state {
    scenario sc;                  /* zeroed until scenario_load fills it (it overwrites: an init would leak) */
    run_opts o;
    target tgt;                   /* plan.cfg.target: the URL taken apart and resolved, once */
    target proxy;                 /* plan.cfg.proxy when target.proxy is set, resolved too */
    source_list sources;          /* plan.cfg.sources: source_addresses expanded */
    localserver srv;
    int have_server;
    buf out_dir;
    run_plan plan;
    metrics_board board;          /* --metrics-listen: what the listener serves */
    metrics_http *metrics;
    int64_t start_ns;             /* --start-at as a deadline on the monotonic clock; 0: none */
    const procs_share *share;     /* in a --procs child: its share and the start barrier */
} cmd_run_state;

/* --procs: one process's share of the clients (first .. first + n - 1 of the whole run), with the threads
 * asked for (per process) or its part of the default. */
static void cmd_run_share(const scenario *sc, run_config *cfg, int first, int n)
{
    int t = run_default_threads(n) / sc->procs;
    cfg->clients = n;
    cfg->client_base = first;
    cfg->threads = sc->threads > 0 ? (sc->threads < n ? sc->threads : n) : t > 0 ? t : 1;
}

/* Target `local`: start the server, then aim the run at it. -1 when it did not start (the report that
 * says why is written, *code is its exit status) or its URL would not make a target (*code stays 1). */
static int cmd_run_local(cmd_run_state *s, int *code, buf *err)
{
    buf log = BUF_INIT;
    buf_printf(&log, "%s/server.log", s->out_dir.data);
    int64_t wall0 = clock_wall_ns();
    if (cmd_run_start_server(&s->sc, &s->srv, log.data, err) < 0) {
        text_fprintf(stderr, "siocrypt run: local server: %s\n", buf_cstr(err));
        *code = run_server_failed(&s->plan, buf_cstr(err), log.data, wall0);
        buf_free(&log);
        return -1;
    }
    buf_free(&log);
    s->have_server = 1;
    s->plan.server = &s->srv;
    free(s->sc.url);
    s->sc.url = strdup(s->srv.url);
    s->plan.url = s->srv.url;
    if (cmd_run_target(&s->tgt, &s->sc, s->srv.url, err) < 0) {
        text_fprintf(stderr, "siocrypt run: local server: %s\n", buf_cstr(err));
        return -1;
    }
    return 0;
}

/* source_addresses: every address of the same family as where the connections go (the proxy, when there
 * is one; the local server listens on 127.0.0.1). */
static int cmd_run_sources(cmd_run_state *s, buf *err)
{
    if (!s->sc.sources) return 0;
    buf why = BUF_INIT;
    const target *to = s->sc.proxy ? &s->proxy : &s->tgt;
    int family = !s->sc.proxy && scenario_is_local(&s->sc) ? AF_INET : to->family;
    int rc = source_add(&s->sources, s->sc.sources, &why) < 0 ||
             source_check_family(&s->sources, family, s->sc.proxy ? "the proxy" : "the target", &why) < 0 ? -1 : 0;
    if (rc < 0) buf_printf(err, "source_addresses: %s", buf_cstr(&why));
    else s->plan.cfg.sources = &s->sources;
    buf_free(&why);
    return rc;
}

static void cmd_run_warn_insecure(const cmd_run_state *s)
{
    if (s->tgt.tls && s->tgt.tlsopt.insecure)   /* even with -q: nobody should miss it */
        fprintf(stderr, "siocrypt: WARNING: -k/--insecure: the server's TLS certificate is NOT verified\n");
}

/* The run itself, in this process: the local server, --start-at's wait, the workers. The exit status. */
static int cmd_run_go(cmd_run_state *s, buf *err)
{
    int code = 1, child = s->plan.progress_fd > 0;   /* a --procs child: the parent has said it all */
    if (scenario_is_local(&s->sc) && cmd_run_local(s, &code, err) < 0) return code;
    if (!s->o.quiet && !child) cmd_run_banner(&s->sc, &s->plan.cfg, s->plan.url);
    if (!child) cmd_run_warn_insecure(s);
    if (s->start_ns) {
        int64_t left = s->start_ns - clock_now_ns();
        if (!s->o.quiet && !child && left > 0) fprintf(stderr, "siocrypt: --start-at: starting in %.1f s\n", (double)left / 1e9);
        if (startat_wait(s->start_ns, &s->plan.start_late_s)) {
            fprintf(stderr, "siocrypt: interrupted while waiting for --start-at: nothing ran, no report\n");
            return 1;
        }
        if (s->plan.start_late_s > 0)
            fprintf(stderr, "siocrypt: --start-at had passed %.1f s ago: starting now\n", s->plan.start_late_s);
    } else if (s->share && procs_ready(s->share)) {   /* the processes begin together */
        fprintf(stderr, "siocrypt: process %d: interrupted before the start: nothing ran, no report\n", s->share->index);
        return 1;
    }
    return run_execute(&s->plan);
}

/* A --procs child (procs.h): its share, its own report folder and local server, progress to the parent. */
static int cmd_run_child(const procs_share *sh, void *ud)
{
    cmd_run_state *s = ud;
    buf err = BUF_INIT;
    buf_clear(&s->out_dir);
    buf_append_str(&s->out_dir, sh->dir);
    s->plan.out_dir = s->out_dir.data;
    cmd_run_share(&s->sc, &s->plan.cfg, sh->first, sh->nclients);
    s->plan.quiet = 1;
    s->plan.progress_fd = sh->progress_fd;
    s->share = sh;
    int code = report_prepare_dir(sh->dir, &err) < 0 ? 2 : cmd_run_go(s, &err);
    if (code == 2) text_fprintf(stderr, "siocrypt run: process %d: %s\n", sh->index, buf_cstr(&err));
    buf_free(&err);
    return code;
}

/* --procs N: the children run, this process waits, sums their progress and merges their reports. */
static int cmd_run_procs(cmd_run_state *s)
{
    if (!s->o.quiet) {
        run_config each = s->plan.cfg;   /* the banner's threads: each process's */
        cmd_run_share(&s->sc, &each, 0, (s->sc.clients + s->sc.procs - 1) / s->sc.procs);
        each.clients = s->sc.clients;
        cmd_run_banner(&s->sc, &each, s->plan.url);
        fprintf(stderr, "siocrypt: in %d processes of %d clients or so each (threads: per process)%s\n", s->sc.procs,
                (s->sc.clients + s->sc.procs - 1) / s->sc.procs,
                scenario_is_local(&s->sc) ? ", each with its own local server" : "");
    }
    cmd_run_warn_insecure(s);
    procs_plan pp = {s->sc.procs, s->sc.clients, s->sc.name, s->out_dir.data, s->o.quiet, cmd_run_child, s};
    int is_child;
    return procs_execute(&pp, &is_child);
}

/* Parse, check, plan. -1 to go on; else the exit status (0 for --help, 2 for a usage error). */
static int cmd_run_prepare(cmd_run_state *s, int argc, char **argv, buf *err)
{
    int rc = cmd_run_parse_args(argc, argv, &s->o, &s->sc, err);
    if (rc >= 0) {
        if (err->len) text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(err));
        return rc;
    }
    /* Everything that can be a usage error is checked before the report folder is made: a typo leaves
     * nothing behind (the thresholds were checked with the scenario, in cmd_run_parse_args). */
    if (s->o.out_dir) buf_append_str(&s->out_dir, s->o.out_dir);
    else cmd_run_default_out(&s->sc, &s->out_dir);
    cmd_run_plan(&s->sc, &s->o, s->out_dir.data, &s->plan);
    s->plan.cfg.target = &s->tgt;
    if (s->sc.proxy) s->plan.cfg.proxy = &s->proxy;
    run_config biggest = s->plan.cfg;   /* with --procs, each process's fd limit holds its own share */
    if (s->sc.procs > 1) cmd_run_share(&s->sc, &biggest, 0, (s->sc.clients + s->sc.procs - 1) / s->sc.procs);
    if (s->o.start_at && startat_parse(s->o.start_at, &s->start_ns, err) < 0) {
        text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(err));
        return 2;
    }
    if (run_check_limits(&biggest, err) < 0 ||
        (!scenario_is_local(&s->sc) && cmd_run_target(&s->tgt, &s->sc, s->sc.url, err) < 0) ||
        (s->sc.proxy && cmd_run_proxy(&s->proxy, s->sc.proxy, err) < 0) || cmd_run_sources(s, err) < 0) {
        text_fprintf(stderr, "siocrypt run: %s\n", buf_cstr(err));
        return 2;
    }
    /* the listener serves this process's workers: a --procs parent has none */
    if (s->o.metrics_listen && s->sc.procs > 1) {
        text_fprintf(stderr, "siocrypt run: --metrics-listen: not with --procs (the parent runs no clients; run one "
                     "process per listener)\n");
        return 2;
    }
    /* a port in use is a usage error too, found before the folder is made */
    if (s->o.metrics_listen && !(s->metrics = metrics_http_open(s->o.metrics_listen, &s->board, err))) {
        text_fprintf(stderr, "siocrypt run: --metrics-listen %s\n", buf_cstr(err));
        return 2;
    }
    s->plan.metrics = s->metrics ? &s->board : NULL;
    s->plan.cfg.metrics = s->metrics != NULL;
    /* a folder that cannot hold the reports is known now, not after the run */
    if (report_prepare_dir(s->out_dir.data, err) < 0) {
        text_fprintf(stderr, "siocrypt run: --out: %s\n", buf_cstr(err));
        return 2;
    }
    return -1;
}

int cmd_run(int argc, char **argv)
{
    cmd_run_state s;
    memset(&s, 0, sizeof s);
    target_init(&s.tgt);
    target_init(&s.proxy);
    metrics_board_init(&s.board);
    buf err = BUF_INIT;
    int code = 2;

    /* every argument counts, however many: a --out after the 256th is still the report folder */
    s.o.thresholds = calloc((size_t)argc, sizeof *s.o.thresholds);
    s.o.ov_key = calloc((size_t)argc, sizeof *s.o.ov_key);
    s.o.ov_val = calloc((size_t)argc, sizeof *s.o.ov_val);
    s.o.headers = calloc((size_t)argc, sizeof *s.o.headers);
    if (!s.o.thresholds || !s.o.ov_key || !s.o.ov_val || !s.o.headers) {
        fprintf(stderr, "siocrypt run: out of memory\n");
        goto out;
    }
    if ((code = cmd_run_prepare(&s, argc, argv, &err)) >= 0) goto out;
    run_setup(s.o.verbose);   /* signals: before the server and the workers, which inherit the mask */
    if (s.metrics && metrics_http_start(s.metrics) < 0) {
        fprintf(stderr, "siocrypt run: --metrics-listen: the listener's thread could not start\n");
        goto out;
    }
    if (s.metrics && !s.o.quiet) fprintf(stderr, "siocrypt: metrics at http://%s/metrics\n", metrics_http_address(s.metrics));
    code = s.sc.procs > 1 ? cmd_run_procs(&s) : cmd_run_go(&s, &err);

out:
    metrics_http_close(s.metrics);   /* the metrics stop with the run */
    metrics_board_destroy(&s.board);
    if (s.have_server && s.srv.pid > 0) localserver_stop(&s.srv, NULL);
    scenario_free(&s.sc);
    target_free(&s.tgt);
    target_free(&s.proxy);
    source_free(&s.sources);
    buf_free(&s.out_dir);
    buf_free(&s.o.client_pass);
    buf_free(&err);
    free(s.o.thresholds);
    free(s.o.ov_key);
    free(s.o.ov_val);
    free(s.o.headers);
    return code;
}
