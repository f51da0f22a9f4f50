/* schedule (prefix sched_): one timer source per worker. A binary min-heap of deadlines on the monotonic clock (ns, the clock
 * every measurement uses) behind one timerfd that the worker's libuv loop polls.
 *
 * Why not a uv_timer_t per client: libuv timers have millisecond resolution, so an open-model schedule of
 * 400 messages/s either rounds delays down to 0 ms (libuv 1.44, Debian 12, runs a 0 ms timer re-armed from
 * its own callback again in the same pass: the loop spins without reading sockets) or up (every message
 * leaves up to 1 ms late, and that lateness lands in the measured latency). A timerfd takes an absolute
 * CLOCK_MONOTONIC deadline in ns and wakes the same epoll that carries the sockets, so a due entry fires at
 * its time and the sockets are read in the same turn of the loop.
 *
 * Entries are embedded in their owners (no allocation per schedule); the heap is sized once for every
 * entry the worker can have at a time. */
#ifndef SIOCRYPT_SCHEDULE_H
#define SIOCRYPT_SCHEDULE_H
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct sched_entry sched_entry;
typedef void (*sched_fn)(sched_entry *e, int64_t now_ns);

struct sched_entry {
    int64_t at_ns;        /* deadline, CLOCK_MONOTONIC */
    size_t idx;           /* position in the heap + 1; 0 when not scheduled */
    sched_fn fire;
};

typedef struct sched {
    uv_poll_t poll;       /* on the timerfd */
    int fd;
    sched_entry **heap;
    size_t n, cap;
    int64_t armed_ns;     /* deadline the timerfd is set to; 0 when disarmed */
    uint64_t wakeups, fired;   /* for tests and benchmarks */
} sched;

/* cap: the most entries scheduled at once. 0, or -1 (errno set) when the timerfd or the heap cannot be had. */
int  sched_init(sched *s, uv_loop_t *loop, size_t cap);
void sched_close(sched *s);                /* stops polling, closes the fd; the handle closes on the loop */
void sched_entry_init(sched_entry *e, sched_fn fire);
/* (Re)schedule e at at_ns (a time already past fires on the next turn of the loop). -1 when the heap is full. */
int  sched_at(sched *s, sched_entry *e, int64_t at_ns);
void sched_cancel(sched *s, sched_entry *e);
static inline int sched_pending(const sched_entry *e) { return e->idx != 0; }

#endif
