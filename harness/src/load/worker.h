/* worker: one event loop per thread (libuv), carrying a libwebsockets context and a libcurl multi handle on
 * the same loop, the clients assigned to it, and their stats. Nothing in a worker blocks or takes a lock on
 * the hot path; the main thread reads a progress snapshot (and with --metrics-listen a metrics_snap) under
 * a mutex once per tick, which the worker publishes once per sweep. */
#ifndef SIOCRYPT_WORKER_H
#define SIOCRYPT_WORKER_H
#include <pthread.h>
#include <stdint.h>
#include <uv.h>
#include "net/net.h"
#include "net/schedule.h"
#include "report/metrics.h"
#include "session/session.h"
#include "load/client.h"
#include "load/gate.h"
#include "load/run_config.h"

struct stats;
struct envelope_ctx;
struct envseen;

/* What the main thread sees of a worker while it runs. */
typedef struct worker_progress {
    int64_t conns_open, sent, verified, errors;
    int64_t p99_ns;               /* of the last whole second's round trips */
    int clients_finished;
} worker_progress;

typedef struct worker {
    int id;
    const run_config *cfg;
    pthread_t thread;
    uv_loop_t loop;
    uv_async_t wake;              /* the main thread asks for a stop */
    uv_timer_t sweep;             /* timeouts, pings, progress, the end of the run */
    sched sched;                  /* every client's timer: one heap, one timerfd */
    gate gate;                    /* connect_concurrency, connect_rate: the connects in progress */
    net_loop net;                 /* the lws context and curl multi handle on this loop, the transports' limits */
    session_config scfg;          /* the sessions' part of cfg */
    session_ctx sess;             /* what the sessions share: their config, net, stats, live count */
    const workload *wl;           /* what the clients do once connected: the counter, or the probe */
    workload_ctx wctx;            /* what they share: config, stats, keys, timers, the drain */
    struct envelope_ctx *env;
    struct stats *st;
    struct envseen *seen;         /* salts and iv fields of the envelopes the server sent */

    client *clients;
    int nclients, first_index;
    int64_t t0_ns;                /* the run's start on the monotonic clock (shared by all workers) */
    int64_t end_ns;               /* stop sending at (0 = none) */
    int64_t drain_deadline_ns;
    int closing;                  /* clients asked to close */
    int64_t close_deadline_ns;
    int stop_requested;           /* set by the main thread through wake */
    int finished;                 /* atomic: set by the worker thread, read by the main thread */
    int64_t close_began_ns;       /* the last moment a client began to close (phases: drain | close; from sess at join) */
    int64_t finished_ns;          /* every client was closed */

    pthread_mutex_t progress_lock;
    worker_progress progress;
    metrics_snap metrics;         /* with cfg->metrics: this worker's counters and gauges, once per sweep */
} worker;

/* -1 when something could not be had (memory, file descriptors); what was built is freed already. */
int  worker_init(worker *w, int id, const run_config *cfg, int first_index, int nclients, int64_t t0_ns);
int  worker_is_finished(const worker *w);   /* from any thread */
int  worker_start(worker *w);          /* start the thread */
void worker_request_stop(worker *w);   /* from any thread: the first call drains, a second drops connections */
void worker_join(worker *w);
void worker_read_progress(worker *w, worker_progress *out);
void worker_read_metrics(worker *w, metrics_snap *out);   /* zeros unless cfg->metrics */
void worker_destroy(worker *w);

#endif
