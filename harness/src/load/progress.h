/* progress: the live line a run shows on stderr while its workers run: clients open, round trips per
 * second since the last line, verified, the worst worker's p99, errors. On a terminal it rewrites one line
 * every second; into a file or pipe it adds a line every five seconds.
 *
 * With --procs each child process sends its workers' sum to the parent instead (progress_to_pipe: one
 * fixed-size worker_progress record per half second, written whole or not at all), and the parent shows
 * the sum over the children with the _sum calls: the same line as one process's. */
#ifndef SIOCRYPT_PROGRESS_H
#define SIOCRYPT_PROGRESS_H
#include <stdint.h>
#include "load/worker.h"

typedef struct progress {
    int quiet, tty;
    int fd;                       /* > 0: a --procs child's pipe to the parent (no line is printed) */
    int64_t t0_ns;                /* the run's start (monotonic) */
    int64_t next_ns;              /* when the next line is due */
    int64_t last_ns, last_verified;   /* the previous line's, for the rate */
} progress;

void progress_start(progress *p, int64_t t0_ns, int quiet);
void progress_to_pipe(progress *p, int fd);            /* after start: records to fd instead of lines */
void progress_tick(progress *p, worker *ws, int n);    /* a line when one is due */
void progress_end(progress *p, worker *ws, int n);     /* the last line (and the newline a terminal needs) */
void progress_tick_sum(progress *p, const worker_progress *sum);   /* the same from a sum made elsewhere */
void progress_end_sum(progress *p, const worker_progress *sum);

#endif
