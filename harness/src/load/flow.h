/* flow: the scripted flow as a workload (scenario "workload": "flow"; the language: flowspec.h and the README).
 * Each client runs the flow's steps in order: an emit (with an ack id when the step waits for its ack), a wait
 * for an event, a think pause, a repeat of a body until `messages` iterations or the end of the run. Events
 * the server pushes at any time go to the `on` handlers, unless a wait is taking that event right then.
 *
 * What it counts: per step name and handler, a series (report/stats.h: sent, ok, failed by class, latency).
 * In the run's own figures an emit with an ack and a wait are round trips (messages.sent / verified,
 * latency_ms); a failed one is an error of its class (`timeout`, `mismatch`, `decrypt`, `flow`); pushed events
 * are messages.received. An emit without an ack is sent and done: its series counts it, no round trip.
 * Open model (rate > 0): each repeat's iterations begin on a schedule at rate per client, and the first emit
 * of an iteration measures its latency from that intended time (an iteration that starts late is late by
 * that much in its latency, not hidden). */
#ifndef SIOCRYPT_FLOW_H
#define SIOCRYPT_FLOW_H
#include <stdint.h>
#include "base/buf.h"
#include "load/flowspec.h"
#include "load/flowtmpl.h"
#include "load/workload.h"

struct stats;

typedef enum flow_phase {
    FLOW_RUNNING,    /* between steps: flow_advance goes on */
    FLOW_ACK,        /* an emit's ack is awaited */
    FLOW_EVENT,      /* a wait step's event is awaited */
    FLOW_PAUSE,      /* think time, or the open model's next iteration, on the client's timer */
    FLOW_LINGER,     /* after the last step: staying for pushed events, then closing */
    FLOW_DONE
} flow_phase;

typedef struct flow_frame {
    int step;                     /* the repeat step */
    int64_t seq;                  /* its iteration, from 0 */
    int64_t start_ns;             /* open model: the intended start of iteration 0 */
    int64_t intended_ns;          /* open model: the intended time the iteration's first emit consumes; 0: used */
} flow_frame;

/* One client's flow, allocated when the flow runs (the counter's clients carry only a NULL pointer). */
typedef struct flow_state {
    int pc;                       /* the next step to run; spec->nsteps: past the end */
    flow_frame stack[FLOWSPEC_MAX_DEPTH];
    int depth;
    flow_phase phase;
    int cur;                      /* the step whose ack or event is awaited */
    long ack_id, next_ack_id;
    int64_t origin_ns;            /* the awaited step's latency origin */
    int64_t deadline_ns;
    int64_t last_emit_ns;         /* a wait's latency origin: the previous emit's send */
    uint64_t rng;
    flowtmpl_vars vars;
    buf out, arg, tmp, plain, err; /* scratch, reused */
} flow_state;

extern const workload flow_workload;

/* Add the flow's series to one worker's stats, in the spec's order (every worker the same: merged by name). */
int flow_stats_init(struct stats *st, const flow_spec *spec);

#endif
