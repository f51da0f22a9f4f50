/* gate: a slot count and a start pace in front of the connects of one worker (see gate.h for why). */
#include "load/gate.h"
#include <stddef.h>
#include "base/clock.h"

static int gate_may_start(gate *g, int64_t now)
{
    if (g->cap && g->held >= g->cap) return 0;
    return !g->period_ns || g->next_ns <= now;
}

static void gate_hold(gate *g, gate_entry *e, int64_t now)
{
    if (g->period_ns) {
        /* a pump a little late keeps the pace; an idle gate saves up no credit for a burst later */
        if (g->next_ns < now - g->period_ns) g->next_ns = now;
        g->next_ns += g->period_ns;
    }
    e->state = GATE_HELD;
    g->held++;
    g->start(e);
}

static void gate_unlink(gate *g, gate_entry *e)
{
    e->prev->next = e->next;
    e->next->prev = e->prev;
    e->prev = e->next = NULL;
    g->queued--;
}

/* Start queued entries while slots and the pace allow; when only the pace holds them back, come back at
 * the next allowed moment. */
static void gate_on_pump(sched_entry *se, int64_t now)
{
    gate *g = (gate *)((char *)se - offsetof(gate, pump));
    while (g->queued && gate_may_start(g, now)) {
        gate_entry *e = g->head.next;
        gate_unlink(g, e);
        gate_hold(g, e, now);
        now = clock_now_ns();
    }
    if (g->queued && (!g->cap || g->held < g->cap)) sched_at(g->sched, &g->pump, g->next_ns);
}

static void gate_kick(gate *g, int64_t at)
{
    if (!g->queued) return;
    if (!sched_pending(&g->pump) || g->pump.at_ns > at) sched_at(g->sched, &g->pump, at);
}

void gate_init(gate *g, sched *s, int cap, double rate, gate_start_fn start)
{
    g->cap = cap > 0 ? cap : 0;
    g->period_ns = rate > 0 ? (int64_t)(1e9 / rate) : 0;
    if (rate > 0 && g->period_ns < 1) g->period_ns = 1;
    g->held = 0;
    g->queued = 0;
    g->next_ns = 0;
    g->head.prev = g->head.next = &g->head;
    g->head.state = GATE_OUT;
    g->sched = s;
    sched_entry_init(&g->pump, gate_on_pump);
    g->start = start;
}

void gate_entry_init(gate_entry *e)
{
    e->prev = e->next = NULL;
    e->state = GATE_OUT;
}

void gate_request(gate *g, gate_entry *e)
{
    if (e->state != GATE_OUT) return;
    int64_t now = clock_now_ns();
    if (!g->queued && gate_may_start(g, now)) { gate_hold(g, e, now); return; }
    e->state = GATE_QUEUED;   /* oldest first: behind everyone already waiting */
    e->prev = g->head.prev;
    e->next = &g->head;
    g->head.prev->next = e;
    g->head.prev = e;
    g->queued++;
    if (!g->cap || g->held < g->cap) gate_kick(g, g->next_ns);   /* only the pace holds it back */
}

void gate_release(gate *g, gate_entry *e)
{
    if (e->state == GATE_QUEUED) {
        gate_unlink(g, e);
    } else if (e->state == GATE_HELD) {
        g->held--;
        gate_kick(g, g->next_ns);   /* at once (a past time fires on the next turn), or at the pace */
    }
    e->state = GATE_OUT;
}

void gate_close(gate *g)
{
    sched_cancel(g->sched, &g->pump);
    while (g->queued) {
        gate_entry *e = g->head.next;
        gate_unlink(g, e);
        e->state = GATE_OUT;
    }
}
