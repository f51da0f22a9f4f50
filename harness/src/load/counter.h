/* counter: the seed's encrypted counter as a workload. Each message is {"id":N} in a g-crypt envelope sent
 * as the scenario's event; the server answers {"id":N+1} the same way. Closed model: the next message after
 * the answer (and think time). Open model: messages on a fixed schedule at rate per client, honest latency
 * from each message's intended time, at most max_inflight unanswered (the rest held, counted). Every message
 * gets one outcome: verified, late (answered after its timeout), or the class of what went wrong. */
#ifndef SIOCRYPT_COUNTER_H
#define SIOCRYPT_COUNTER_H
#include <stdint.h>
#include "base/buf.h"
#include "load/inflight.h"
#include "load/workload.h"

typedef struct counter_state {
    int64_t sent, verified;       /* messages sent and verified */
    int64_t next_id;              /* id of the next message to send */
    int64_t next_send_ns;         /* open model: intended time of the next send */
    int64_t last_id;              /* the id of the last message sent (ids only grow: see inflight.h) */
    inflight fl;                  /* messages waiting for their answer, and those given up on */
    int done_sending;
    buf plain, arg;               /* scratch reused per message */
} counter_state;

extern const workload counter_workload;

/* Is an event's name (the raw JSON string, quotes included) the given one plus suffix ("" or "_error")? */
int counter_event_is(const char *raw, size_t n, const char *name, const char *suffix);

#endif
