/* probe_client: the robustness probe's workload (probe_client.h). */
#include "load/probe_client.h"
#include <stdio.h>
#include <string.h>
#include "base/clock.h"
#include "proto/sio.h"
#include "load/client.h"
#include "load/counter.h"
#include "load/run_config.h"

static void probe_end(client *c, client_probe_outcome o, const char *what, size_t n)
{
    probe_state *p = &c->probe;
    if (p->outcome != CLIENT_PROBE_PENDING) return;
    p->outcome = o;
    buf_clear(&p->reply);
    if (what) buf_append(&p->reply, what, n);
}

static void probe_init(client *c) { (void)c; }

static void probe_on_connect(client *c)
{
    const char *args = c->x->cfg->probe_args;
    c->probe.sent_ns = clock_now_ns();
    if (session_emit_json(&c->s, args, strlen(args)) < 0) {
        c->probe.sent_ns = 0;   /* nothing went out */
        session_fail(&c->s, "protocol", "probe frame is not a JSON array");
    }
}

/* An answer to the probe (the counter event or <event>_error): keep the event's arguments as they came,
 * then leave. */
static void probe_on_event(client *c, const sio_packet *sp, const char *name, size_t name_len)
{
    const char *event = c->x->cfg->event;
    client_probe_outcome o;
    if (counter_event_is(name, name_len, event, "")) o = CLIENT_PROBE_COUNTER;
    else if (counter_event_is(name, name_len, event, "_error")) o = CLIENT_PROBE_COUNTER_ERROR;
    else return;
    probe_end(c, o, sp->data, sp->data_len);
    client_close(c);
}

static void probe_on_timer(client *c, int64_t now) { (void)c; (void)now; }

static void probe_on_tick(client *c, int64_t now)
{
    probe_state *p = &c->probe;
    if (c->s.state != SESSION_OPEN) return;
    if (p->sent_ns && p->outcome == CLIENT_PROBE_PENDING && now - p->sent_ns > c->x->cfg->probe_wait_ns) {
        probe_end(c, CLIENT_PROBE_SILENT, NULL, 0);
        client_close(c);
    }
}

/* Draining: nothing is waited for but the probe's own answer, whose wait ends here too. */
static void probe_on_stop(client *c)
{
    if (c->s.state == SESSION_OPEN) client_close(c);
}

static void probe_on_close(client *c, const char *why) { (void)c; (void)why; }

static void probe_on_error(client *c, const char *cls, const char *detail)
{
    char why[192];
    int n = snprintf(why, sizeof why, "%s%s%s", cls, detail ? ": " : "", detail ? detail : "");
    probe_end(c, c->probe.sent_ns ? CLIENT_PROBE_DISCONNECTED : CLIENT_PROBE_NOT_SENT, why,
              n < (int)sizeof why ? (size_t)n : sizeof why - 1);
}

static size_t probe_waiting(const client *c) { (void)c; return 0; }

static void probe_free(client *c) { buf_free(&c->probe.reply); }

const workload probe_workload = {"probe", probe_init, probe_on_connect, probe_on_event, probe_on_timer,
                                 probe_on_tick, probe_on_stop, probe_on_close, probe_on_error, probe_waiting,
                                 probe_free, NULL};
