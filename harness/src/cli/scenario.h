/* scenario: what one run does, read from a JSON file (schema in the README), then command-line overrides.
 * Pure apart from scenario_load reading one file (at most 1 MiB). Every error names the field: "clients:
 * must be an integer in [1, 1000000]", "target.transprt: unknown key", "thresholds[1]: unknown metric
 * 'p99ms' (known: ...)". Unknown keys are errors, so a typo in a CI config never passes silently; every
 * number has a range that keeps its nanoseconds (and 1e9 / rate) inside an int64.
 * Order of use: scenario_load (or _parse, or _init for no file), scenario_override per option, then
 * scenario_validate for the checks that involve several fields; then read the plain fields.
 * _init, _load and _parse overwrite *sc without freeing it; on failure *sc is left zeroed. */
#ifndef SIOCRYPT_SCENARIO_H
#define SIOCRYPT_SCENARIO_H
#include <stddef.h>
#include "base/buf.h"
#include "report/threshold.h"

struct flow_spec;

enum { SCENARIO_WEBSOCKET, SCENARIO_POLLING, SCENARIO_UPGRADE };          /* transport */
enum { SCENARIO_IMPL_V4, SCENARIO_IMPL_V2, SCENARIO_IMPL_V1 };   /* local server: server/, server/v2, server/v1 */
enum { SCENARIO_MODE_LOAD, SCENARIO_MODE_ROBUSTNESS };                     /* mode */
enum { SCENARIO_WORKLOAD_COUNTER, SCENARIO_WORKLOAD_FLOW };                /* workload */
enum { SCENARIO_APP_COUNTER, SCENARIO_APP_CHAT };               /* local server: the counter or the chat app */
#define SCENARIO_DEFAULT_MAX_MESSAGE (16LL << 20)                        /* limits.max_message_bytes */

typedef struct scenario_param {
    char *key, *value;   /* target.query: sent percent-encoded on every request; a number as cJSON prints it */
} scenario_param;

typedef struct scenario {
    char *name;          /* default: the file's base name without .json, else "scenario" */
    int mode;            /* SCENARIO_MODE_LOAD (default): the counter under load; _ROBUSTNESS: the probes
                            (probe.h), one client at a time; clients, rate, total_rate must stay unset */
    /* target */
    char *url;           /* "local" (start server/ on 127.0.0.1) or http(s)://, ws(s):// host[:port][/...] */
    char *path;          /* Engine.IO path, default "/socket.io/" */
    char *passphrase;    /* default "super-secret-passphrase" (the seed's) */
    int eio;             /* 3 or 4 (default) */
    int transport;       /* SCENARIO_WEBSOCKET (default) | _POLLING | _UPGRADE (polling, then websocket) */
    char *ns;            /* namespace, default "/" */
    char *event;         /* default "counter" */
    char *auth_json;     /* CONNECT payload as compact JSON object text, or NULL (eio 4 only) */
    scenario_param *query; /* target.query, in file order (after the URL's own query); none: NULL, 0 */
    size_t nquery;
    scenario_param *headers; /* target.headers then -H, in order: sent on every request (net/headers.h) */
    size_t nheaders;
    char *headers_file;  /* target.headers_file or -H @FILE: one header line per client, or NULL */
    /* target.tls (--cacert, -k/--insecure, --cert, --key): https/wss only; NULL = the default */
    char *tls_cacert, *tls_cert, *tls_key, *tls_servername;
    int tls_insecure;
    int cookies;         /* target.cookies: each client keeps a cookie jar (net/cookie.h); default 1 */
    int follow_redirects;   /* target.follow_redirects: same-scheme 3xx are followed; default 0 */
    char *proxy;         /* target.proxy / --proxy: "http://host:port" (port 1080 added when absent), or NULL */
    int compression;     /* target.compression: offer permessage-deflate on the websocket, default 1 */
    /* workload: SCENARIO_WORKLOAD_COUNTER (default) or _FLOW: the scripted flow (load/flowspec.h), parsed and
       checked when the file is read; "flow" given without "workload" means "flow" */
    int workload;
    struct flow_spec *flow;   /* NULL unless a flow was given */
    /* server: only used when url is "local" */
    int app;             /* SCENARIO_APP_COUNTER (default: server.js) | SCENARIO_APP_CHAT (chat-server.js) */
    int push_ms;         /* the chat app's PUSH_MS; -1: its default */
    int impl;            /* SCENARIO_IMPL_V4 (default) | SCENARIO_IMPL_V2 | SCENARIO_IMPL_V1 */
    int delay_ms;        /* DELAY_MS, default 0 */
    int allow_eio3;      /* ALLOW_EIO3; when absent, on exactly when eio is 3 and impl is v4 */
    int hardened;        /* HARDENED, default 0 */
    int log;             /* LOG, default 0 */
    /* load */
    int clients;         /* default 1 */
    long long messages;  /* round trips per client; 0 = until duration_s. Default 10 if neither is given */
    double duration_s;   /* 0 = until messages; both given: whichever comes first */
    long long start_id;  /* the first {id} each client sends */
    int threads;         /* 0 = one per CPU */
    int procs;           /* harness processes on this machine (--procs), each with its share of the clients */
    double ramp_s;       /* clients start spread over this many seconds */
    double think_ms;     /* pause between an answer and the next emit */
    double rate;         /* per-client emits per second cap, 0 = none */
    double total_rate;   /* all clients together, 0 = none; exclusive with rate */
    long long max_inflight;   /* open model: unanswered messages a client may have; 0 = enough for
                                 message_ms at the client's rate (cmd_run: scenario_max_inflight) */
    int connect_concurrency;  /* clients connecting at once per worker at most; 0 = no limit; default 256 */
    double connect_rate;      /* new connects per second in all at most; 0 = none */
    char *sources;            /* source_addresses / --source: local addresses as source_add reads them
                                 ("127.0.0.2-127.0.0.9,::1": a list's items joined by commas), or NULL */
    /* steps: a stepped ramp; steps_from 0 = none. clients from, from+step, ... to, each for step_s seconds,
       until a step breaks a threshold (the knee) */
    int steps_from, steps_step, steps_to;
    double step_s;
    /* timeouts */
    int connect_ms, message_ms, drain_ms;   /* defaults 5000, 5000, 2000 */
    /* limits: the largest message (websocket message, polling body) the harness takes from a server, and
       the most it queues for a server that does not read; past either the client is closed */
    long long max_message_bytes;            /* default SCENARIO_DEFAULT_MAX_MESSAGE */
    long long max_queue_bytes;              /* default twice max_message_bytes */
    /* reconnect: socket.io-client's reconnection (reconnectionDelay, reconnectionDelayMax, randomizationFactor,
       reconnectionAttempts); on when the object (or true) is given, or --reconnect */
    int reconnect;
    int reconnect_delay_ms, reconnect_max_delay_ms;   /* defaults 1000, 5000 */
    double reconnect_jitter;                          /* default 0.5 */
    long long reconnect_max_attempts;                 /* default 0: unlimited */
    char **compare;          /* `compare`: gates for `siocrypt compare` ("p99_ms=15%"), checked by compare_gate_parse,
                                kept in report.json */
    size_t ncompare;
    threshold *thresholds;   /* parsed by threshold_parse: only metrics and operators a run can evaluate */
    size_t nthresholds;
    unsigned set_;       /* private: which fields were given explicitly (see scenario.c) */
} scenario;

int  scenario_init(scenario *sc);                                   /* all defaults; -1 only on ENOMEM */
int  scenario_load(const char *path, scenario *sc, buf *err);       /* 0 ok; -1 with "path: field: problem" */
int  scenario_parse(const char *json, size_t n, scenario *sc, buf *err);
/* key: mode url path cacert cert key source clients messages duration transport eio passphrase namespace event threads procs ramp rate
 * total_rate think_ms start_id impl delay_ms proxy. duration and ramp take seconds with an optional unit
 * (250ms, 30s, 2m, 1h). Giving messages or duration here replaces the file's stop condition (give both
 * for whichever-first); likewise rate and total_rate replace each other. */
int  scenario_override(scenario *sc, const char *key, const char *value, buf *err);
/* Appends a threshold (threshold_parse's syntax, e.g. from --threshold); -1 with "<what>: <problem>". */
int  scenario_add_threshold(scenario *sc, const char *text, const char *what, buf *err);
/* One -H/--header: "Name: value" joins target.headers; "@FILE" sets target.headers_file. */
int  scenario_add_header(scenario *sc, const char *text, const char *what, buf *err);
int  scenario_validate(const scenario *sc, buf *err);               /* cross-field checks */
int  scenario_is_local(const scenario *sc);
int  scenario_to_json(const scenario *sc, int with_passphrase, buf *out); /* the effective scenario, same schema */
void scenario_free(scenario *sc);                                   /* safe on a zeroed or failed scenario */
const char *scenario_transport_name(int t);                         /* "websocket" "polling" "upgrade" */
const char *scenario_impl_name(int impl);                           /* "v4" "v2" "v1" */
const char *scenario_mode_name(int mode);                           /* "load" "robustness" */
const char *scenario_workload_name(int w);                          /* "counter" "flow" */
const char *scenario_app_name(int app);                             /* "counter" "chat" */

/* The open model's in-flight limit per client: the scenario's, or by default twice what message_ms at
 * rate_per_client can have unanswered, plus a margin (a slow but correct server never reaches it). */
long long scenario_max_inflight(const scenario *sc, double rate_per_client);

#endif
