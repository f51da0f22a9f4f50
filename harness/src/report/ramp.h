/* ramp: a stepped load run's table and its knee. One row per step (clients held for step_s); the knee is
 * the last step that met every threshold before one did not. Pure: the caller runs the steps. */
#ifndef SIOCRYPT_RAMP_H
#define SIOCRYPT_RAMP_H
#include <stddef.h>
#include <stdint.h>
#include "base/buf.h"

typedef struct ramp_row {
    int clients;
    double round_trips_per_s;
    double p50_ms, p99_ms;
    uint64_t verified, errors;
    int pass;                    /* every threshold met, nothing failed */
    char dir[256];               /* the step's own report folder, relative to the run's */
} ramp_row;

/* Index of the knee, or -1 when even the first step failed. When every step passed, the last one
 * (*saturated is then 0: the knee lies beyond the steps tried). */
int ramp_knee(const ramp_row *rows, size_t n, int *saturated);

int ramp_to_json(const ramp_row *rows, size_t n, const char *scenario, buf *out);   /* ramp.json */
int ramp_to_md(const ramp_row *rows, size_t n, const char *scenario, buf *out);     /* ramp.md, also printed */

#endif
