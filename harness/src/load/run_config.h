/* run_config: a run's configuration as the load layer holds it (cmd_run fills it from the scenario). */
#ifndef SIOCRYPT_RUN_CONFIG_H
#define SIOCRYPT_RUN_CONFIG_H
#include <stddef.h>
#include <stdint.h>

struct target;
struct flow_spec;
struct source_list;

typedef enum { TRANSPORT_WEBSOCKET_ONLY, TRANSPORT_POLLING_ONLY, TRANSPORT_UPGRADE } run_transport;

/* What every worker needs to know about the run: filled once by cmd_run, read-only afterwards. Each layer
 * below gets its own part from it, as its own struct (the worker fills them): net_config (net/net.h: the
 * target, timeouts and message limit the transports apply), session_config (session/session.h: Engine.IO
 * version, transport, namespace, auth, queue limit). The rest is the workloads' (counter.c, probe_client.c)
 * and the worker's own (clients, ramp, duration, drain). */
typedef struct run_config {
    const struct target *target;  /* host, port, path, query, the numeric address resolved once (target.h) */
    int eio;                      /* 3 or 4 */
    run_transport transport;
    char nsp[128];                /* "/" or "/admin" */
    char event[64];               /* "counter" */
    const char *auth_json;        /* socket.io v5 CONNECT payload, or NULL */
    const char *passphrase;
    size_t passphrase_len;
    int clients;
    int client_base;              /* --procs: the whole run's index of this process's first client (else 0) */
    int threads;
    int64_t messages;             /* per client; 0 = until the duration ends */
    int64_t duration_ns;          /* 0 = until messages are done */
    int64_t start_id;
    int64_t ramp_ns;
    int64_t think_ns;             /* closed model: pause between an answer and the next message */
    double rate;                  /* open model: messages per second per client (0 = closed model) */
    int64_t max_inflight;         /* open model: a client with this many unanswered messages holds its next send */
    int connect_concurrency;      /* per worker: clients connecting at once at most (gate.h); 0: no limit */
    double connect_rate;          /* the run's new connects per second at most, shared by the workers; 0: none */
    const struct source_list *sources;   /* --source: local addresses, client i binds the i % n th; NULL: any */
    int64_t connect_timeout_ns, message_timeout_ns, drain_ns;
    int64_t max_message_bytes;    /* a websocket message or polling body larger than this closes the client */
    int64_t max_queue_bytes;      /* more than this waiting to go out (the server does not read): closed too */
    int cookies;                  /* each client keeps a cookie jar (target.cookies; 0: --no-cookies) */
    int follow_redirects;         /* target.follow_redirects: same-scheme 3xx are followed */
    const struct target *proxy;   /* target.proxy, resolved; NULL: none */
    int compression;              /* offer permessage-deflate on the websocket */
    /* reconnection as socket.io-client does it (client.c): after a drop, wait delay * 2^attempt (at most
     * max_delay), spread by +-jitter, then start a fresh session; 0 attempts = unlimited */
    int reconnect;
    int64_t reconnect_delay_ns, reconnect_max_delay_ns;
    double reconnect_jitter;
    int64_t reconnect_max_attempts;
    int verbose;
    int metrics;                  /* --metrics-listen: workers publish a metrics_snap once per sweep */
    /* probe mode (probe.c): each client sends this one EVENT (a JSON array, e.g. ["counter","not json"])
     * after connecting, waits up to probe_wait_ns for an answer, and closes. NULL: the counter runs. */
    const char *probe_args;
    int64_t probe_wait_ns;
    /* flow workload (flow.c, scenario "workload": "flow"): the parsed flow; NULL: the counter (or the probe) */
    const struct flow_spec *flow;
} run_config;

#endif
