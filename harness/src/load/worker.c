/* worker: a thread, its libuv loop, and the lws context and curl multi handle living on that loop.
 * A sweep timer (every 100 ms) runs timeouts and heartbeats, notices the end of the run, drains, closes
 * and publishes progress. Clients are only ever touched from this thread. */
#include "load/worker.h"
#include <curl/curl.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/clock.h"
#include "crypto/envelope.h"
#include "crypto/envseen.h"
#include "report/stats.h"
#include "load/flow.h"
#include "net/transport_poll.h"
#include "net/transport_ws.h"

#define SWEEP_MS 100
#define CLOSE_GRACE_NS 2000000000LL   /* how long polite closes may take before connections are dropped */

static int64_t worker_inflight(const worker *w)
{
    int64_t n = 0;
    for (int i = 0; i < w->nclients; i++) n += (int64_t)client_waiting(&w->clients[i]);
    return n;
}

static void worker_publish(worker *w)
{
    worker_progress p = {0};
    p.conns_open = w->sess.conns_open;
    p.sent = (int64_t)w->st->sent;
    p.verified = (int64_t)w->st->verified;
    p.errors = (int64_t)w->st->errors;
    for (int i = 0; i < w->nclients; i++) p.clients_finished += client_is_finished(&w->clients[i]);
    /* the last whole second: once time has moved on, the timeline has folded it into its sparse list */
    const timeline *tl = &w->st->tl;
    int64_t last = stats_wall_second(w->st, clock_now_ns()) - 1;
    if (tl->n && last >= tl->first && last < tl->first + (int64_t)tl->n)
        p.p99_ns = timeline_sec_percentile(&tl->secs[last - tl->first], 99.0);
    metrics_snap m;
    if (w->cfg->metrics) {   /* a copy of the counters: the hot path keeps writing its own, without a lock */
        metrics_snap_from_stats(&m, w->st);
        m.conns_open = p.conns_open;
        m.in_flight = worker_inflight(w);
        m.clients = w->nclients - p.clients_finished;
    }
    pthread_mutex_lock(&w->progress_lock);
    w->progress = p;
    if (w->cfg->metrics) w->metrics = m;
    pthread_mutex_unlock(&w->progress_lock);
}

static void worker_begin_drain(worker *w, int64_t now)
{
    if (w->wctx.draining) return;
    w->wctx.draining = 1;
    w->drain_deadline_ns = now + w->cfg->drain_ns;
    for (int i = 0; i < w->nclients; i++) client_stop_sending(&w->clients[i]);
}

static void worker_begin_close(worker *w, int64_t now)
{
    if (w->closing) return;
    w->closing = 1;
    w->close_deadline_ns = now + CLOSE_GRACE_NS;
    for (int i = 0; i < w->nclients; i++) client_close(&w->clients[i]);
}

static void worker_on_sweep(uv_timer_t *t)
{
    worker *w = t->data;
    int64_t now = clock_now_ns();
    if (__atomic_load_n(&w->stop_requested, __ATOMIC_ACQUIRE) || (w->end_ns && now >= w->end_ns)) worker_begin_drain(w, now);
    for (int i = 0; i < w->nclients; i++) client_tick(&w->clients[i], now);
    if (w->wctx.draining && !w->closing && (worker_inflight(w) == 0 || now >= w->drain_deadline_ns))
        worker_begin_close(w, now);
    if (w->closing && now >= w->close_deadline_ns)
        for (int i = 0; i < w->nclients; i++) client_abort(&w->clients[i]);
    worker_publish(w);
    if (w->progress.clients_finished == w->nclients) {   /* only this thread writes progress */
        w->finished_ns = clock_now_ns();
        __atomic_store_n(&w->finished, 1, __ATOMIC_RELEASE);
        uv_stop(&w->loop);
    }
}

static void worker_on_wake(uv_async_t *a)
{
    worker *w = a->data;
    worker_begin_drain(w, clock_now_ns());
    if (__atomic_load_n(&w->stop_requested, __ATOMIC_ACQUIRE) > 1)   /* asked twice: do not wait for the drain or polite closes */
        for (int i = 0; i < w->nclients; i++) client_abort(&w->clients[i]);
}

int worker_is_finished(const worker *w) { return __atomic_load_n(&w->finished, __ATOMIC_ACQUIRE); }

/* Free what a worker_init that failed half-way had built, in reverse order; every step is safe on what was
 * never made. The loop is run down so that lws and curl can close the handles they put on it. */
static void worker_unbuild(worker *w, int loop_ok)
{
    if (w->net.lws) ws_context_destroy(w->net.lws);
    w->net.lws = NULL;
    if (loop_ok) {
        uv_run(&w->loop, UV_RUN_NOWAIT);
        if (w->net.multi) poll_multi_cleanup(&w->net);
        gate_close(&w->gate);
        sched_close(&w->sched);
        uv_close((uv_handle_t *)&w->sweep, NULL);
        if (w->wake.data) uv_close((uv_handle_t *)&w->wake, NULL);   /* data is set once it was made */
        uv_run(&w->loop, UV_RUN_DEFAULT);
        if (w->net.lws_live) {
            ws_context_destroy(w->net.lws_live);
            uv_run(&w->loop, UV_RUN_DEFAULT);
        }
        uv_loop_close(&w->loop);
    }
    envelope_ctx_free(w->env);
    stats_free(w->st);
    envseen_free(w->seen);
    free(w->clients);
    pthread_mutex_destroy(&w->progress_lock);
    memset(w, 0, sizeof *w);
}

/* libuv 1.44.2 (Debian 12): when uv_loop_init fails after making its epoll fd (EMFILE on the signal pipe
 * or eventfd that follow), it returns the error with the epoll fd still open (seen: backend_fd stays >= 0 and
 * one fd is lost per failed init). Close it here, so a worker that cannot start gives back what it took. */
static int worker_loop_init(uv_loop_t *loop)
{
    loop->backend_fd = -1;
    int r = uv_loop_init(loop);
    if (r < 0 && loop->backend_fd >= 0) {
        close(loop->backend_fd);
        loop->backend_fd = -1;
    }
    return r;
}

/* The transports' and the sessions' parts of the run's configuration, and what the clients run. */
static void worker_layers_init(worker *w)
{
    const run_config *cfg = w->cfg;
    session_config *sc = &w->scfg;
    sc->eio = cfg->eio;
    sc->transport = cfg->transport == TRANSPORT_POLLING_ONLY ? SESSION_POLLING_ONLY
                  : cfg->transport == TRANSPORT_UPGRADE ? SESSION_UPGRADE : SESSION_WEBSOCKET_ONLY;
    snprintf(sc->nsp, sizeof sc->nsp, "%s", cfg->nsp);
    sc->auth_json = cfg->auth_json;
    sc->connect_timeout_ns = cfg->connect_timeout_ns;
    sc->max_queue_bytes = cfg->max_queue_bytes;
    sc->verbose = cfg->verbose;
    w->sess.cfg = sc;
    w->sess.net = &w->net;
    w->wl = cfg->probe_args ? &probe_workload : cfg->flow ? &flow_workload : &counter_workload;
    w->net.cfg.target = cfg->target;
    w->net.cfg.eio = cfg->eio;
    w->net.cfg.connect_timeout_ns = cfg->connect_timeout_ns;
    w->net.cfg.post_timeout_ns = cfg->message_timeout_ns;
    w->net.cfg.max_message_bytes = cfg->max_message_bytes;
    w->net.cfg.cookies = cfg->cookies;
    w->net.cfg.follow_redirects = cfg->follow_redirects;
    w->net.cfg.proxy = cfg->proxy;
    w->net.cfg.compression = cfg->compression;
    w->net.cfg.sources = cfg->sources;
    w->net.loop = &w->loop;
    w->net.sched = &w->sched;
    w->net.nconns = w->nclients;
}

/* The timer heap holds at most, per client, its own timer and its polling transport's retry wait, and the
 * gate's pump: sized for that once, so scheduling never fails for want of room. */
int worker_init(worker *w, int id, const run_config *cfg, int first_index, int nclients, int64_t t0_ns)
{
    memset(w, 0, sizeof *w);
    w->sched.fd = -1;
    w->id = id;
    w->cfg = cfg;
    w->first_index = first_index;
    w->nclients = nclients;
    w->t0_ns = t0_ns;
    worker_layers_init(w);
    w->end_ns = cfg->duration_ns ? t0_ns + cfg->duration_ns : 0;
    pthread_mutex_init(&w->progress_lock, NULL);
    w->env = envelope_ctx_new(cfg->passphrase, cfg->passphrase_len);
    w->st = stats_new();
    w->net.st = w->st;   /* the transports record TLS handshakes */
    w->seen = envseen_new(0);
    w->clients = calloc((size_t)(nclients ? nclients : 1), sizeof *w->clients);
    if (worker_loop_init(&w->loop) < 0) { worker_unbuild(w, 0); return -1; }
    uv_timer_init(&w->loop, &w->sweep);
    w->sweep.data = w;
    if (uv_async_init(&w->loop, &w->wake, worker_on_wake) == 0) w->wake.data = w;   /* an eventfd: may fail */
    if (!w->wake.data || !w->env || !w->st || !w->seen || !w->clients || sched_init(&w->sched, &w->loop, 2 * (size_t)nclients + 1) < 0 ||
        poll_multi_init(&w->net) < 0 || ws_context_create(&w->net) < 0) {
        worker_unbuild(w, 1);
        return -1;
    }
    /* the steady window starts at the end of the ramp at the earliest */
    stats_window_from(w->st, cfg->ramp_ns > 0 ? t0_ns + cfg->ramp_ns : 0);
    if (cfg->flow && flow_stats_init(w->st, cfg->flow) < 0) { worker_unbuild(w, 1); return -1; }
    w->sess.st = w->st;
    /* the run's connect_rate, shared out like its clients */
    double rate = cfg->connect_rate > 0 ? cfg->connect_rate * nclients / (cfg->clients ? cfg->clients : 1) : 0;
    gate_init(&w->gate, &w->sched, cfg->connect_concurrency, rate, client_gate_start);
    w->wctx = (workload_ctx){cfg, w->st, w->env, w->seen, &w->sched, &w->sess, &w->gate, 0};
    for (int i = 0; i < nclients; i++) client_init(&w->clients[i], &w->wctx, first_index + i, w->wl);
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    const run_config *cfg = w->cfg;
    int64_t now = clock_now_ns();
    /* ramp-up: client k of the whole run starts at k * ramp / clients */
    for (int i = 0; i < w->nclients; i++) {
        int64_t at = cfg->clients > 1 ? cfg->ramp_ns * (w->first_index + i) / cfg->clients : 0;
        client_schedule_start(&w->clients[i], w->t0_ns + at - now);
    }
    uv_timer_start(&w->sweep, worker_on_sweep, SWEEP_MS, SWEEP_MS);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    return NULL;
}

int worker_start(worker *w)
{
    return pthread_create(&w->thread, NULL, worker_main, w) ? -1 : 0;
}

void worker_request_stop(worker *w)
{
    __atomic_add_fetch(&w->stop_requested, 1, __ATOMIC_RELEASE);
    uv_async_send(&w->wake);
}

void worker_join(worker *w)
{
    pthread_join(w->thread, NULL);
    w->close_began_ns = w->sess.close_began_ns;
    worker_publish(w);
}

void worker_read_progress(worker *w, worker_progress *out)
{
    pthread_mutex_lock(&w->progress_lock);
    *out = w->progress;
    pthread_mutex_unlock(&w->progress_lock);
}

void worker_read_metrics(worker *w, metrics_snap *out)
{
    pthread_mutex_lock(&w->progress_lock);
    *out = w->metrics;
    pthread_mutex_unlock(&w->progress_lock);
}

/* Tear down on the loop: lws and curl close their handles through it, so run it until nothing is left. */
void worker_destroy(worker *w)
{
    for (int i = 0; i < w->nclients; i++) client_abort(&w->clients[i]);
    ws_context_destroy(w->net.lws);     /* first call: closes every wsi and lws's uv handles */
    w->net.lws = NULL;
    uv_run(&w->loop, UV_RUN_NOWAIT);
    poll_multi_cleanup(&w->net);
    for (int i = 0; i < w->nclients; i++) client_free(&w->clients[i]);
    gate_close(&w->gate);
    sched_close(&w->sched);
    uv_close((uv_handle_t *)&w->sweep, NULL);
    uv_close((uv_handle_t *)&w->wake, NULL);
    uv_run(&w->loop, UV_RUN_DEFAULT);
    /* On a foreign loop the first destroy only closes lws's handles; once the loop has run them down, a
     * second call frees the context (without it, LeakSanitizer finds the context and its vhost). */
    if (w->net.lws_live) {
        ws_context_destroy(w->net.lws_live);
        uv_run(&w->loop, UV_RUN_DEFAULT);
    }
    if (uv_loop_close(&w->loop) != 0 && w->cfg->verbose)
        fprintf(stderr, "worker %d: loop still had handles at exit\n", w->id);
    envelope_ctx_free(w->env);
    stats_free(w->st);
    envseen_free(w->seen);
    free(w->clients);
    pthread_mutex_destroy(&w->progress_lock);
}
