/* gate: how many clients of one worker may be connecting at once (scenario connect_concurrency) and how
 * fast new connects start (connect_rate). A client asks the gate before it connects and tells it when its
 * handshake is over (socket.io connected, or failed); the gate starts queued clients, oldest first, as
 * slots free up and the rate allows.
 *
 * Why: libwebsockets keeps every pending connection's timeout in one sorted list per context, so each
 * connect walks all the others still pending. 10,000 clients started at once cost O(n^2) there (70% of a
 * core, and most handshakes missed their timeout); with at most N pending the cost per connect is O(N).
 *
 * Entries are embedded in their owners; the queue is an intrusive list, so nothing is allocated. */
#ifndef SIOCRYPT_GATE_H
#define SIOCRYPT_GATE_H
#include <stdint.h>
#include "net/schedule.h"

enum { GATE_OUT, GATE_QUEUED, GATE_HELD };

typedef struct gate_entry {
    struct gate_entry *prev, *next;   /* in the queue while queued */
    int state;                        /* GATE_OUT, GATE_QUEUED (waiting), GATE_HELD (connecting) */
} gate_entry;

typedef void (*gate_start_fn)(gate_entry *e);

typedef struct gate {
    int cap;                      /* handshakes in progress at most; 0: no limit */
    int64_t period_ns;            /* connect_rate: 1e9 / rate between starts; 0: no limit */
    int held;                     /* handshakes in progress now */
    int64_t queued;               /* waiting for a slot */
    int64_t next_ns;              /* connect_rate: the earliest moment of the next start */
    gate_entry head;              /* the queue, circular: head.next is the oldest */
    sched *sched;
    sched_entry pump;             /* starts queued clients outside any caller's callback */
    gate_start_fn start;
} gate;

/* rate: starts per second for this gate (0: none). The pump takes one entry of s. */
void gate_init(gate *g, sched *s, int cap, double rate, gate_start_fn start);
void gate_entry_init(gate_entry *e);
/* Start e now (start(e) is called before this returns) when a slot is free and the rate allows, else queue
 * it. An entry already queued or held is left as it is. */
void gate_request(gate *g, gate_entry *e);
/* e's handshake is over (connected or failed), or e gives up waiting (the run drains): its slot, or its
 * place in the queue, goes to the next. The next start happens on the scheduler, never inside this call,
 * so a client failing at once cannot recurse through the whole queue. Safe on an entry that holds nothing. */
void gate_release(gate *g, gate_entry *e);
void gate_close(gate *g);         /* cancels the pump; queued entries are forgotten */
static inline int gate_is_queued(const gate_entry *e) { return e->state == GATE_QUEUED; }

#endif
