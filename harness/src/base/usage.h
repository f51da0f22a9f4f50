/* usage: CPU time and peak memory from getrusage(2) and wait4(2) records, the one place that reads them
 * (and, for a child still running, /proc/PID/stat), so a run, each step of a stepped ramp, and the local
 * server are measured the same way. CPU figures of
 * a part of a run are deltas of two snapshots; the peak RSS is the process's own (it cannot be split). */
#ifndef SIOCRYPT_USAGE_H
#define SIOCRYPT_USAGE_H
#include <sys/resource.h>
#include <sys/types.h>

typedef struct usage_snap {
    double cpu_s;        /* user + system seconds, all threads */
    long max_rss_kb;     /* peak resident set (Linux reports KiB) */
} usage_snap;

double     usage_cpu_s(const struct rusage *ru);      /* user + system of one record */
usage_snap usage_self(void);                          /* this process now; zeros if getrusage fails */
/* CPU seconds since snapshot s0 (NULL: since the process started); never negative. */
double     usage_cpu_since(const usage_snap *s0, const usage_snap *now);
/* user + system seconds of a child process that is still running (/proc/PID/stat); -1 if unknown. */
double     usage_child_cpu_s(pid_t pid);

#endif
