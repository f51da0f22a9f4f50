/* startat: `--start-at TIME`, so instances on several machines or pods begin their ramp together. TIME is
 * Unix seconds (a fraction allowed: 1764629400.5) or `+DURATION` from now (`+30s`, `+250ms`, `+2m`, `+1h`,
 * a bare number is seconds). The wall clock is read once, when TIME is parsed, and turned into a deadline
 * on the monotonic clock, so a wall-clock step during the wait changes nothing. The run does its setup
 * (local server, names) first, then waits; a TIME already passed by more than a second starts at once,
 * and the run carries the medium finding `start-at-passed` with by how much (the merge's overlap check
 * says what that did to a distributed run). */
#ifndef SIOCRYPT_STARTAT_H
#define SIOCRYPT_STARTAT_H
#include <stdint.h>
#include "base/buf.h"

/* The deadline on the monotonic clock; -1 with "--start-at 'x': why" in err. */
int startat_parse(const char *text, int64_t *deadline_ns, buf *err);
/* Wait for the deadline (SIGINT/SIGTERM end the wait: returned, nothing has run). *late_s: how far past the
 * deadline it already was, when more than a second, else 0. Returns 0 or the signal. */
int startat_wait(int64_t deadline_ns, double *late_s);

#endif
