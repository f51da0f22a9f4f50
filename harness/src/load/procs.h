/* procs: `siocrypt run --procs N`, one run as N harness processes on this machine, past one process's fd
 * limit. The parent forks the children before any thread exists; each runs its share of the clients (as
 * even as can be, with the whole run's client indices, so {{client}} stays unique) with its own fd limit
 * and writes a full report set to DIR/proc-K/. Meanwhile the parent shows the sum of their progress
 * (progress.h's records on a pipe) and forwards SIGINT/SIGTERM to them (the children sit in their own
 * process group, so a terminal's Ctrl-C reaches them once, through the parent). Then it merges their
 * report.json files with result_merge, as `siocrypt merge` does, into DIR's own five reports: the shape of
 * one process's report, instances N. A child that crashed (a signal, an exit status past 1, no report)
 * is the high finding `proc-failed`, and the others are still merged. Without --start-at the children
 * begin together once all are set up (procs_ready). */
#ifndef SIOCRYPT_PROCS_H
#define SIOCRYPT_PROCS_H

typedef struct procs_share {
    int index;                    /* 1 .. n */
    int first, nclients;          /* this child's clients: first .. first + nclients - 1 of the whole run */
    const char *dir;              /* DIR/proc-K, where its reports go (not made yet) */
    int progress_fd;              /* the pipe to the parent: run_plan.progress_fd */
    int ready_fd, go_fd;          /* procs_ready's: a byte to the parent, then EOF from it */
} procs_share;

/* In a child, once its setup is done (local server, names): tell the parent and wait until every child
 * is ready (or has failed), so the children's runs begin together, as one process's workers do. Without
 * it each would start when its own local server answered. 0 to go; SIGINT/SIGTERM end the wait
 * (returned: nothing has run). Not needed with --start-at, whose deadline they all wait for. */
int procs_ready(const procs_share *share);

typedef struct procs_plan {
    int n, clients;
    const char *name;             /* the scenario's, for a merged report that has no child's to start from */
    const char *out_dir;          /* prepared already (report_prepare_dir) */
    int quiet;
    /* the child's run, in the child process; returns its exit status */
    int (*child)(const procs_share *share, void *ud);
    void *ud;
} procs_plan;

/* Fork, wait, merge, write the merged reports and print their summary. Returns the exit status (the rule
 * of result_exit_code on the merged result). In a child it returns the child's exit status with *is_child
 * set: the caller frees what it holds and returns it from main. */
int procs_execute(const procs_plan *p, int *is_child);

#endif
