/* progress: the live line a run shows on stderr while its workers run: clients open, round trips per
 * second since the last line, verified, the worst worker's p99, errors. On a terminal it rewrites one line
 * every second; into a file or pipe it adds a line every five seconds. */
#ifndef SIOCRYPT_PROGRESS_H
#define SIOCRYPT_PROGRESS_H
#include <stdint.h>
#include "load/worker.h"

typedef struct progress {
    int quiet, tty;
    int64_t t0_ns;                /* the run's start (monotonic) */
    int64_t next_ns;              /* when the next line is due */
    int64_t last_ns, last_verified;   /* the previous line's, for the rate */
} progress;

void progress_start(progress *p, int64_t t0_ns, int quiet);
void progress_tick(progress *p, worker *ws, int n);    /* a line when one is due */
void progress_end(progress *p, worker *ws, int n);     /* the last line (and the newline a terminal needs) */

#endif
