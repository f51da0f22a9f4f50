/* client: binds a workload to a session. The session reports the socket.io socket's events; this file hands
 * them to the workload and keeps the client's one timer. It also holds the reconnection policy
 * (run_config.reconnect): the session only has to be restartable (session_reset). */
#include "load/client.h"
#include <math.h>
#include <string.h>
#include "base/clock.h"
#include "load/run_config.h"
#include "report/stats.h"

/* ---- reconnection ------------------------------------------------------------------------------------ */

static double client_random(client *c)
{
    uint64_t x = c->rc.rng;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    c->rc.rng = x;
    return (double)(x >> 11) / 9007199254740992.0;   /* [0, 1) */
}

/* socket.io-client's backoff: delay * 2^attempts, then +-jitter of it (up or down as a coin says), at most
 * max_delay. */
static int64_t client_backoff(client *c)
{
    const run_config *cfg = c->x->cfg;
    double ns = (double)cfg->reconnect_delay_ns, max = (double)cfg->reconnect_max_delay_ns;
    for (int64_t i = 0; i < c->rc.attempts && ns < max; i++) ns *= 2;
    if (cfg->reconnect_jitter > 0) {
        double r = client_random(c), dev = floor(r * cfg->reconnect_jitter * ns);
        ns = ((int64_t)floor(r * 10) & 1) ? ns + dev : ns - dev;
    }
    return (int64_t)(ns < max ? ns : max);
}

/* The session just closed. A drop (a connected session ended in an error) or a failed attempt after one
 * starts a fresh session later, unless the run drains, the server said DISCONNECT (socket.io-client does not
 * reconnect then either) or max_attempts have failed. */
static void client_maybe_reconnect(client *c)
{
    const run_config *cfg = c->x->cfg;
    int64_t now = clock_now_ns();
    int failed = c->rc.failed;
    c->rc.failed = 0;
    if (!cfg->reconnect || !failed || c->rc.no_retry || c->x->draining) { c->rc.drop_ns = 0; return; }
    if (!c->rc.drop_ns) {
        if (!c->s.sio_connected) return;   /* never connected: nothing to come back to */
        c->rc.drop_ns = now;
        c->rc.attempts = 0;
        stats_drop(c->x->st);
    } else {
        c->rc.attempts++;
    }
    if (cfg->reconnect_max_attempts && c->rc.attempts >= cfg->reconnect_max_attempts) { c->rc.drop_ns = 0; return; }
    c->rc.pending = 1;
    client_timer_at(c, now + client_backoff(c));
}

/* ---- the session's events ---------------------------------------------------------------------------- */

static void client_on_timer(sched_entry *e, int64_t now)
{
    client *c = (client *)((char *)e - offsetof(client, timer));
    if (c->rc.pending) {   /* here, not in the close event: the transports are out of their callbacks */
        c->rc.pending = 0;
        session_reset(&c->s);
    }
    if (c->s.state == SESSION_IDLE) { client_start(c); return; }
    c->wl->on_timer(c, now);
}

static void client_on_connect(void *user)
{
    client *c = user;
    gate_release(c->x->gate, &c->gate);   /* its handshake is over: the next one may start */
    if (c->rc.drop_ns) {
        stats_reconnected(c->x->st, clock_now_ns() - c->rc.drop_ns);
        c->rc.drop_ns = 0;
        c->rc.attempts = 0;
    }
    c->wl->on_connect(c);
}
static void client_on_event(void *user, const struct sio_packet *sp, const char *name, size_t name_len)
{
    client *c = user;
    c->wl->on_event(c, sp, name, name_len);
}
static void client_on_ack(void *user, const struct sio_packet *sp)
{
    client *c = user;
    if (c->wl->on_ack) c->wl->on_ack(c, sp);
}
static void client_on_tick(void *user, int64_t now) { client *c = user; c->wl->on_tick(c, now); }
static void client_on_error(void *user, const char *cls, const char *detail)
{
    client *c = user;
    c->rc.failed = 1;
    c->rc.no_retry = detail && !strcmp(detail, "server DISCONNECT");
    /* a drop that will be reconnected: what was in flight is given up (the new session cannot answer it) */
    if (c->x->cfg->reconnect && c->s.state == SESSION_OPEN) c->wl->on_close(c, "disconnect");
    c->wl->on_error(c, cls, detail);
}
static void client_on_closed(void *user)
{
    client *c = user;
    gate_release(c->x->gate, &c->gate);   /* a failed handshake frees its slot too */
    sched_cancel(c->x->sched, &c->timer);
    client_maybe_reconnect(c);
}

static const session_handler client_handler = {client_on_connect, client_on_event, client_on_ack, client_on_tick,
                                               client_on_error, client_on_closed};

static void client_cancel_reconnect(client *c)
{
    if (!c->rc.pending) return;
    c->rc.pending = 0;
    c->rc.drop_ns = 0;
    sched_cancel(c->x->sched, &c->timer);
}

void client_init(client *c, workload_ctx *x, int index, const workload *wl)
{
    memset(c, 0, sizeof *c);
    c->x = x;
    index += x->cfg->client_base;   /* --procs: indices over all processes, so {{client}} stays unique */
    c->index = index;
    c->wl = wl;
    session_init(&c->s, x->sess, index, &client_handler, c);
    c->rc.rng = ((0x9e3779b97f4a7c15ULL * (uint64_t)(index + 1)) ^ (uint64_t)clock_now_ns()) | 1;   /* never 0 */
    sched_entry_init(&c->timer, client_on_timer);
    gate_entry_init(&c->gate);
    wl->init(c);
}

/* session_start runs when the gate lets the client go, so connect_ms and the connect timeout count from the
 * real start of its connect, not from the time it spent in the queue. */
void client_start(client *c) { gate_request(c->x->gate, &c->gate); }

void client_gate_start(gate_entry *e)
{
    client *c = (client *)((char *)e - offsetof(client, gate));
    if (c->s.state == SESSION_IDLE) session_start(&c->s);
    else gate_release(c->x->gate, e);
}

void client_timer_at(client *c, int64_t at_ns)
{
    if (sched_at(c->x->sched, &c->timer, at_ns) < 0) session_fail(&c->s, "protocol", "scheduler full");
}

void client_schedule_start(client *c, int64_t delay_ns)
{
    if (delay_ns <= 0) client_start(c);
    else client_timer_at(c, clock_now_ns() + delay_ns);
}

void client_tick(client *c, int64_t now) { session_tick(&c->s, now); }

void client_stop_sending(client *c)
{
    client_cancel_reconnect(c);   /* the run drains: a dropped client stays down */
    if (gate_is_queued(&c->gate)) gate_release(c->x->gate, &c->gate);   /* nor does one still waiting start */
    c->wl->on_stop(c);
}

void client_close(client *c)
{
    client_cancel_reconnect(c);
    if (gate_is_queued(&c->gate)) gate_release(c->x->gate, &c->gate);
    session_state st = c->s.state;
    if (st == SESSION_CLOSED || st == SESSION_CLOSING) return;
    /* Messages still unanswered when we give up on them because the connection goes away are counted */
    if (st != SESSION_IDLE) c->wl->on_close(c, "drain");
    sched_cancel(c->x->sched, &c->timer);
    session_close(&c->s);
}

void client_abort(client *c)
{
    client_cancel_reconnect(c);
    if (gate_is_queued(&c->gate)) gate_release(c->x->gate, &c->gate);
    if (c->s.state == SESSION_OPEN) c->wl->on_close(c, "aborted");
    session_abort(&c->s);
}

int client_is_finished(const client *c) { return c->s.state == SESSION_CLOSED && !c->rc.pending; }

void client_free(client *c)
{
    c->wl->free(c);
    session_free(&c->s);
}
