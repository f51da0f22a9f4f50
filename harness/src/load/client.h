/* client: one simulated client: a session (session/session.h) and the workload that runs on it
 * (workload.h), with the one timer both use on the worker's scheduler (start delay, then the workload's). */
#ifndef SIOCRYPT_CLIENT_H
#define SIOCRYPT_CLIENT_H
#include <stdint.h>
#include "net/schedule.h"
#include "session/session.h"
#include "load/workload.h"
#include "load/gate.h"
#include "load/counter.h"
#include "load/probe_client.h"

/* Reconnection (run_config.reconnect), as socket.io-client does it: after a drop, fresh sessions at growing
 * delays until one connects (reconnect_ms: the drop to that CONNECT) or max_attempts have failed. */
typedef struct client_reconnect {
    int64_t drop_ns;              /* when the connected session was lost; 0 when not reconnecting */
    int64_t attempts;             /* sessions started since the drop that failed */
    uint64_t rng;                 /* the jitter's xorshift state */
    int failed;                   /* the session closing now ended in an error (not our close) */
    int no_retry;                 /* ...which socket.io-client does not reconnect after: the server's DISCONNECT */
    int pending;                  /* a fresh start is on the timer */
} client_reconnect;

typedef struct client {
    workload_ctx *x;              /* what the worker's clients share */
    int index;                    /* global index over all workers, for logs */
    session s;
    const workload *wl;
    sched_entry timer;            /* on the worker's scheduler: start delay, open-model schedule, think time */
    gate_entry gate;              /* its place at the worker's gate while it waits to connect or connects */
    counter_state counter;        /* the counter's part (counter.c) */
    probe_state probe;            /* the probe's part (probe_client.c) */
    struct flow_state *flow;      /* the flow's part (flow.c), allocated only when the flow runs */
    client_reconnect rc;
} client;

void client_init(client *c, workload_ctx *x, int index, const workload *wl);
void client_start(client *c);                 /* begin connecting once the gate lets it (gate.h) */
void client_gate_start(gate_entry *e);        /* the gate's start: connect now */
void client_schedule_start(client *c, int64_t delay_ns);
void client_timer_at(client *c, int64_t at_ns);   /* the workload's next on_timer */
void client_tick(client *c, int64_t now);     /* timeouts and EIO3 pings, called by the worker's sweep */
void client_stop_sending(client *c);          /* drain: no new messages */
void client_close(client *c);                 /* close politely (socket.io DISCONNECT, Engine.IO close) */
void client_abort(client *c);                 /* drop the connection now */
void client_free(client *c);
int  client_is_finished(const client *c);        /* closed, and no reconnection waits */
static inline size_t client_waiting(const client *c) { return c->wl->waiting(c); }

#endif
