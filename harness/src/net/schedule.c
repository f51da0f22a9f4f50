#include "net/schedule.h"
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "base/clock.h"

/* ---- the heap (idx is 1-based so that 0 can mean "not scheduled") ---- */

static void heap_set(sched *s, size_t i, sched_entry *e)
{
    s->heap[i] = e;
    e->idx = i + 1;
}

static void heap_up(sched *s, size_t i)
{
    sched_entry *e = s->heap[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p]->at_ns <= e->at_ns) break;
        heap_set(s, i, s->heap[p]);
        i = p;
    }
    heap_set(s, i, e);
}

static void heap_down(sched *s, size_t i)
{
    sched_entry *e = s->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        int64_t best = e->at_ns;
        if (l < s->n && s->heap[l]->at_ns < best) { m = l; best = s->heap[l]->at_ns; }
        if (l + 1 < s->n && s->heap[l + 1]->at_ns < best) m = l + 1;
        if (m == i) break;
        heap_set(s, i, s->heap[m]);
        i = m;
    }
    heap_set(s, i, e);
}

static void heap_remove(sched *s, sched_entry *e)
{
    size_t i = e->idx - 1;
    e->idx = 0;
    if (--s->n == i) return;
    sched_entry *last = s->heap[s->n];   /* fills the hole, then moves down or up to its place */
    heap_set(s, i, last);
    heap_down(s, i);
    heap_up(s, last->idx - 1);
}

/* ---- the timerfd ---- */

/* Point the timerfd at the earliest deadline. Only an earlier deadline needs a syscall: armed for an
 * earlier one than needed, the fd fires, finds nothing due and re-arms. */
static void sched_arm(sched *s)
{
    if (!s->n) return;
    int64_t at = s->heap[0]->at_ns;
    if (s->armed_ns && s->armed_ns <= at) return;
    if (at < 1) at = 1;   /* 0 would disarm */
    struct itimerspec its = {{0, 0}, {(time_t)(at / 1000000000), (long)(at % 1000000000)}};
    if (timerfd_settime(s->fd, TFD_TIMER_ABSTIME, &its, NULL) == 0) s->armed_ns = at;
}

/* Fire everything due. A callback that schedules again at or before now would fire again in this pass;
 * the budget bounds that, and the rest waits for the next turn, after the sockets have been read. */
static void sched_on_ready(uv_poll_t *h, int status, int events)
{
    (void)status;
    (void)events;
    sched *s = h->data;
    uint64_t expirations;
    if (read(s->fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) return;
    s->armed_ns = 0;
    s->wakeups++;
    int64_t now = clock_now_ns();
    size_t budget = 2 * s->n + 64;
    while (s->n && budget--) {
        sched_entry *e = s->heap[0];
        if (e->at_ns > now && (e->at_ns > (now = clock_now_ns()))) break;
        heap_remove(s, e);
        s->fired++;
        e->fire(e, now);
    }
    sched_arm(s);
}

int sched_init(sched *s, uv_loop_t *loop, size_t cap)
{
    s->n = 0;
    s->cap = cap ? cap : 1;
    s->armed_ns = 0;
    s->wakeups = s->fired = 0;
    s->heap = calloc(s->cap, sizeof *s->heap);
    s->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (!s->heap || s->fd < 0) goto fail;
    if (uv_poll_init(loop, &s->poll, s->fd) < 0) goto fail;
    s->poll.data = s;
    if (uv_poll_start(&s->poll, UV_READABLE, sched_on_ready) < 0) {
        uv_close((uv_handle_t *)&s->poll, NULL);
        goto fail;
    }
    return 0;
fail:
    if (s->fd >= 0) close(s->fd);
    s->fd = -1;
    free(s->heap);
    s->heap = NULL;
    return -1;
}

void sched_close(sched *s)
{
    if (s->fd < 0) return;
    uv_poll_stop(&s->poll);
    uv_close((uv_handle_t *)&s->poll, NULL);
    close(s->fd);   /* no longer in the loop's epoll set */
    s->fd = -1;
    for (size_t i = 0; i < s->n; i++) s->heap[i]->idx = 0;
    free(s->heap);
    s->heap = NULL;
    s->n = 0;
}

void sched_entry_init(sched_entry *e, sched_fn fire)
{
    e->at_ns = 0;
    e->idx = 0;
    e->fire = fire;
}

int sched_at(sched *s, sched_entry *e, int64_t at_ns)
{
    if (e->idx) {
        e->at_ns = at_ns;
        heap_down(s, e->idx - 1);
        heap_up(s, e->idx - 1);
    } else {
        if (s->n == s->cap) return -1;
        e->at_ns = at_ns;
        s->heap[s->n] = e;
        e->idx = ++s->n;
        heap_up(s, s->n - 1);
    }
    sched_arm(s);
    return 0;
}

void sched_cancel(sched *s, sched_entry *e)
{
    if (e->idx) heap_remove(s, e);
}
