/* client: binds a workload to a session. The session reports the socket.io socket's events; this file hands
 * them to the workload and keeps the client's one timer. */
#include "load/client.h"
#include <string.h>
#include "base/clock.h"

static void client_on_timer(sched_entry *e, int64_t now)
{
    client *c = (client *)((char *)e - offsetof(client, timer));
    if (c->s.state == SESSION_IDLE) { client_start(c); return; }
    c->wl->on_timer(c, now);
}

static void client_on_connect(void *user) { client *c = user; c->wl->on_connect(c); }
static void client_on_event(void *user, const struct sio_packet *sp, const char *name, size_t name_len)
{
    client *c = user;
    c->wl->on_event(c, sp, name, name_len);
}
static void client_on_tick(void *user, int64_t now) { client *c = user; c->wl->on_tick(c, now); }
static void client_on_error(void *user, const char *cls, const char *detail)
{
    client *c = user;
    c->wl->on_error(c, cls, detail);
}
static void client_on_closed(void *user)
{
    client *c = user;
    sched_cancel(c->x->sched, &c->timer);
}

static const session_handler client_handler = {client_on_connect, client_on_event, client_on_tick,
                                               client_on_error, client_on_closed};

void client_init(client *c, workload_ctx *x, int index, const workload *wl)
{
    memset(c, 0, sizeof *c);
    c->x = x;
    c->index = index;
    c->wl = wl;
    session_init(&c->s, x->sess, index, &client_handler, c);
    sched_entry_init(&c->timer, client_on_timer);
    wl->init(c);
}

void client_start(client *c) { session_start(&c->s); }

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

void client_stop_sending(client *c) { c->wl->on_stop(c); }

void client_close(client *c)
{
    session_state st = c->s.state;
    if (st == SESSION_CLOSED || st == SESSION_CLOSING) return;
    /* Messages still unanswered when we give up on them because the connection goes away are counted */
    if (st != SESSION_IDLE) c->wl->on_close(c, "drain");
    sched_cancel(c->x->sched, &c->timer);
    session_close(&c->s);
}

void client_abort(client *c)
{
    if (c->s.state == SESSION_OPEN) c->wl->on_close(c, "aborted");
    session_abort(&c->s);
}

int client_is_finished(const client *c) { return c->s.state == SESSION_CLOSED; }

void client_free(client *c)
{
    c->wl->free(c);
    session_free(&c->s);
}
