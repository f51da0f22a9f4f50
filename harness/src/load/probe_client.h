/* probe_client: the robustness probe's workload (probe.c runs it). The client sends one EVENT (a JSON array,
 * e.g. ["counter","not json"]) after the socket.io CONNECT instead of the counter, records what became of
 * it, and closes. */
#ifndef SIOCRYPT_PROBE_CLIENT_H
#define SIOCRYPT_PROBE_CLIENT_H
#include <stdint.h>
#include "base/buf.h"
#include "load/workload.h"

typedef enum client_probe_outcome {
    CLIENT_PROBE_PENDING,         /* not sent yet, or waiting for an answer */
    CLIENT_PROBE_NOT_SENT,        /* the connection failed before the frame went out (probe_reply: why) */
    CLIENT_PROBE_COUNTER,         /* answered with the counter event (probe_reply: the event's JSON array) */
    CLIENT_PROBE_COUNTER_ERROR,   /* answered with <event>_error (probe_reply: the event's JSON array) */
    CLIENT_PROBE_DISCONNECTED,    /* the connection ended after the frame went out (probe_reply: why) */
    CLIENT_PROBE_SILENT           /* nothing within probe_wait_ns */
} client_probe_outcome;

typedef struct probe_state {
    client_probe_outcome outcome;
    int64_t sent_ns;              /* 0 until the frame is queued */
    buf reply;
} probe_state;

extern const workload probe_workload;

#endif
