/* workload: what a client does once its socket.io socket is connected, above the session (session.h). The
 * counter (counter.c: the seed's encrypted counter, closed and open model) and the robustness probe
 * (probe_client.c: one crafted EVENT, what became of it) and the scripted flow (flow.c: emits with acks, waits,
 * handlers for pushed events) are the three. A workload keeps its per-client state in the client (client.h) and acts
 * through the client's session (session_emit_*, client_close, session_fail) and timer (client_timer_at); what
 * the clients of a worker share is its workload_ctx (c->x), never the worker itself. */
#ifndef SIOCRYPT_WORKLOAD_H
#define SIOCRYPT_WORKLOAD_H
#include <stddef.h>
#include <stdint.h>
#include "net/schedule.h"
#include "session/session.h"

struct client;
struct sio_packet;
struct run_config;
struct envelope_ctx;
struct envseen;
struct gate;

/* What the clients of one worker share, as their workload sees it (the worker fills it and owns it). */
typedef struct workload_ctx {
    const struct run_config *cfg;
    struct stats *st;
    struct envelope_ctx *env;     /* the passphrase's keys */
    struct envseen *seen;         /* salts and iv fields of the envelopes the server sent */
    sched *sched;                 /* the clients' timers */
    session_ctx *sess;            /* what their sessions share */
    struct gate *gate;            /* connect_concurrency, connect_rate: who may connect now (gate.h) */
    int draining;                 /* the run drains: no new messages */
} workload_ctx;

typedef struct workload {
    const char *name;
    void (*init)(struct client *c);                     /* before the client starts */
    void (*on_connect)(struct client *c);               /* socket.io connected: begin */
    /* an EVENT on the namespace; name is its first element as raw JSON (quotes included) */
    void (*on_event)(struct client *c, const struct sio_packet *sp, const char *name, size_t name_len);
    void (*on_timer)(struct client *c, int64_t now);    /* the client's timer (client_timer_at) came due */
    void (*on_tick)(struct client *c, int64_t now);     /* every sweep while connected: its own timeouts */
    void (*on_stop)(struct client *c);                  /* the run drains: nothing new from now on */
    /* we close (why "drain") or drop (why "aborted") the connection: give up on what still waits */
    void (*on_close)(struct client *c, const char *why);
    void (*on_error)(struct client *c, const char *cls, const char *detail);   /* the session ends with an error */
    size_t (*waiting)(const struct client *c);          /* answers still awaited: the drain waits for none */
    void (*free)(struct client *c);
    void (*on_ack)(struct client *c, const struct sio_packet *sp);   /* an ACK (emits with ack ids); NULL: none */
} workload;

#endif
