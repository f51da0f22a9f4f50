/* flowspec: a scenario's "flow" (README: The flow language), parsed and checked once, read-only afterwards and
 * shared by every client of every worker. Values a step sends or expects stay cJSON trees whose strings may
 * hold templates (flowtmpl.h); flowspec_parse checks every template, path and name, so a run never meets a
 * flow it cannot execute. Every error names its place: "flow.steps[1].repeat[0].emit: must be a non-empty
 * string", "flow.on[0].latency_from: ...". Bounded: at most FLOWSPEC_MAX_STEPS steps in all (nested ones
 * included), repeat nested at most FLOWSPEC_MAX_DEPTH deep, at most FLOWSPEC_MAX_SERIES names.
 *
 * Rules beyond the types (flowspec.c): unknown and duplicate keys are errors; an emit's timeout_ms, expect
 * and capture need "ack": true; event names are 1..63 bytes of clean UTF-8 (no controls), not one socket.io
 * reserves (connect, connect_error, disconnect, disconnecting, newListener, removeListener); step and
 * handler names likewise, without braces (thresholds write p99_ms{name}); steps may share a name (one
 * series), a step may not take a handler's name, handlers have distinct events and names; a wait and a
 * handler may take the same event (the runtime gives it to a pending wait first). Variables: `on`
 * handlers' captures are registered first (a handler may fire at any time: every step may use them, and a
 * render then fails while one is still unset), then the steps' in pre-order; a step's args and expect may
 * use the variables captured before it, its deliveries.count its own captures too. Strings sent or
 * expected must be valid UTF-8; object keys are never templates. */
#ifndef SIOCRYPT_FLOWSPEC_H
#define SIOCRYPT_FLOWSPEC_H
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include "base/buf.h"

#define FLOWSPEC_MAX_STEPS   256
#define FLOWSPEC_MAX_DEPTH   4
#define FLOWSPEC_MAX_SERIES  64     /* distinct step and handler names, each a latency series in the report */
#define FLOWSPEC_MAX_ARGS    16     /* arguments of one emit */
#define FLOWSPEC_MAX_CAPTURE 16     /* captures of one step */
#define FLOWSPEC_MAX_VARS    32     /* distinct capture variables in a flow */
#define FLOWSPEC_NAME_MAX    63     /* step, handler, event and variable names (bytes) */

typedef enum flowspec_kind { FLOW_EMIT, FLOW_WAIT, FLOW_THINK, FLOW_REPEAT } flowspec_kind;

typedef struct flowspec_capture {
    char var[FLOWSPEC_NAME_MAX + 1];  /* "members": usable as {{members}} in later steps */
    char path[256];                   /* "members", "a.b.0.c": a dotted path into the value (numbers index arrays) */
    int var_index;                    /* into flow_spec.vars */
} flowspec_capture;

/* Fan-out accounting on an emit: after the step succeeds, `count` (a template, e.g. "{{members}}", rendered
 * to an integer) deliveries are expected by the `on` handler named `on`. The count is rendered after the
 * step's own captures are applied, so it may use them ("capture": {"n": "members"}, "count": "{{n}}"). */
typedef struct flowspec_deliveries {
    int on_index;                     /* into flow_spec.on, -1: none */
    const cJSON *count;               /* a number or a template string */
} flowspec_deliveries;

typedef struct flowspec_step {
    flowspec_kind kind;
    char event[FLOWSPEC_NAME_MAX + 1];     /* emit: the event sent; wait: the event awaited */
    char name[FLOWSPEC_NAME_MAX + 1];      /* the series name (default: the event); "" for think / repeat */
    int series;                            /* into flow_spec.series; -1 for think / repeat */
    const cJSON *args[FLOWSPEC_MAX_ARGS];  /* emit: its arguments, in order (into flow_spec.root) */
    int nargs;
    int ack;                               /* emit: wait for the ack */
    int64_t timeout_ns;                    /* ack / wait; 0 = the scenario's message_ms */
    const cJSON *expect;                   /* NULL: none; matched against the first arg of the ack / event */
    flowspec_capture capture[FLOWSPEC_MAX_CAPTURE];
    int ncapture;
    flowspec_deliveries deliveries;
    int64_t think_ns;                      /* think */
    int first;                             /* repeat: index of its first step in flow_spec.steps */
    int count;                             /* repeat: how many steps follow it as its body (nested included) */
} flowspec_step;

typedef struct flowspec_on {
    char event[FLOWSPEC_NAME_MAX + 1];
    char name[FLOWSPEC_NAME_MAX + 1];      /* default: the event */
    int series;
    char latency_from[256];                /* "" or a dotted path to a {{now_us}} / {{unix_us}} number */
    const cJSON *expect;                   /* NULL: none */
    flowspec_capture capture[FLOWSPEC_MAX_CAPTURE];
    int ncapture;
} flowspec_on;

typedef struct flowspec_series {
    char name[FLOWSPEC_NAME_MAX + 1];
    int is_on;                             /* 1: an `on` handler (received events), 0: a step */
} flowspec_series;

typedef struct flow_spec {
    cJSON *root;                           /* a copy of the "flow" object: args and expects point into it */
    int encrypt;                           /* default 1 */
    int64_t linger_ns;                     /* after its last step a client stays this long for pushed events
                                              (linger_ms, default 0) */
    /* steps in pre-order: a repeat is followed by its body (count steps); top level = those at depth 0 */
    flowspec_step *steps;                  /* nsteps of them (allocated) */
    int nsteps;
    flowspec_on *on;                       /* non of them (allocated) */
    int non;
    flowspec_series series[FLOWSPEC_MAX_SERIES];   /* steps' names first (first seen order), then handlers' */
    int nseries;
    char vars[FLOWSPEC_MAX_VARS][FLOWSPEC_NAME_MAX + 1];   /* capture variables: handlers' first, then the
                                                               steps' in pre-order (first seen order) */
    int nvars;
} flow_spec;

/* flow: the scenario's "flow" object (not kept: f->root is a copy). 0, or -1 with "flow...: problem" in err
 * (may be NULL); *out is zeroed first and freed (zeroed) on failure. A variable used ({{x}}) before any step
 * captures it is an error. */
int  flowspec_parse(const cJSON *flow, flow_spec *out, buf *err);
void flowspec_free(flow_spec *f);          /* safe on a zeroed or failed spec */
int  flowspec_var_index(const flow_spec *f, const char *name, size_t n);   /* -1 if none */

#endif
