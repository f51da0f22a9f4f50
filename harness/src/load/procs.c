/* procs: see procs.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/clock.h"
#include "base/text.h"
#include "load/procs.h"
#include "load/progress.h"
#include "load/signals.h"
#include "report/report.h"
#include "report/result.h"

typedef struct procs_child {
    pid_t pid;                    /* 0: never started */
    int fd;                       /* the read end of its progress pipe; -1 once closed */
    int reaped, status;           /* its wait status, once reaped */
    int first, nclients;
    buf dir;
    worker_progress last;         /* its latest progress record */
} procs_child;

/* The barrier every child's start waits at: each child writes its index to ready once set up, and the
 * parent closes go's write end (EOF in every child at once) when each child is ready or has ended. */
typedef struct procs_gate {
    int ready[2], go[2];
    unsigned char *is_ready;      /* per child */
    int open;                     /* go's write end still open */
} procs_gate;

/* ---- the child's side ------------------------------------------------------------------------------ */

/* In the new process: let go of the parent's pipes, leave the terminal's process group (the parent alone
 * takes Ctrl-C and forwards it, so a child never sees one signal twice), die with the parent, keep stdout
 * for the parent's summary alone, then run the share. */
static int procs_in_child(const procs_plan *p, procs_child *cs, int k, int wfd, pid_t parent, procs_gate *g)
{
    for (int i = 0; i < k; i++)
        if (cs[i].fd >= 0) close(cs[i].fd);
    close(cs[k].fd);
    close(g->ready[0]);
    close(g->go[1]);
    setpgid(0, 0);
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent) return 1;   /* SIGTERM: a drain, as Ctrl-C */
    int nul = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (nul >= 0) { dup2(nul, 1); close(nul); }
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);   /* a slow parent costs records, never a stall */
    procs_share share = {k + 1, cs[k].first, cs[k].nclients, cs[k].dir.data, wfd, g->ready[1], g->go[0]};
    int code = p->child(&share, p->ud);
    close(wfd);
    close(g->ready[1]);
    close(g->go[0]);
    return code;
}

int procs_ready(const procs_share *sh)
{
    unsigned char k = (unsigned char)sh->index;
    char c;
    while (write(sh->ready_fd, &k, 1) < 0 && errno == EINTR) {}
    for (;;) {
        struct pollfd pf = {sh->go_fd, POLLIN, 0};
        int sig = signals_wait(0);
        if (sig) return sig;
        if (poll(&pf, 1, 100) > 0 && read(sh->go_fd, &c, 1) <= 0) return 0;   /* EOF: go */
    }
}

/* Start child k. 0 in the parent; 1 in the child (*code its exit status); -1 when it could not start. */
static int procs_spawn(const procs_plan *p, procs_child *cs, int k, int *code, procs_gate *g)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0) return -1;   /* CLOEXEC: the local server a child execs holds no end */
    fcntl(fds[0], F_SETFL, O_NONBLOCK);          /* the parent reads what is there, and goes on */
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) { close(fds[0]); close(fds[1]); return -1; }
    cs[k].fd = fds[0];
    if (pid == 0) {
        *code = procs_in_child(p, cs, k, fds[1], parent, g);
        return 1;
    }
    close(fds[1]);
    cs[k].pid = pid;
    setpgid(pid, pid);   /* also here: a signal forwarded before the child ran setpgid still finds it */
    return 0;
}

/* ---- the parent's side: progress, signals, reaping ------------------------------------------------- */

static void procs_read(procs_child *c)
{
    worker_progress rec;
    for (;;) {
        ssize_t r = read(c->fd, &rec, sizeof rec);
        if (r == (ssize_t)sizeof rec) { c->last = rec; continue; }
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 || (r < 0 && errno != EAGAIN)) { close(c->fd); c->fd = -1; }
        return;   /* records are written whole (below PIPE_BUF), so there is never a part of one */
    }
}

static void procs_poll(procs_child *cs, int n, int ms)
{
    struct pollfd pf[64];
    int idx[64], m = 0;
    for (int i = 0; i < n && m < 64; i++)
        if (cs[i].fd >= 0) { pf[m] = (struct pollfd){cs[i].fd, POLLIN, 0}; idx[m++] = i; }
    if (!m) { usleep((useconds_t)ms * 1000); return; }
    if (poll(pf, (nfds_t)m, ms) <= 0) return;
    for (int j = 0; j < m; j++)
        if (pf[j].revents) procs_read(&cs[idx[j]]);
}

static void procs_forward(procs_child *cs, int n, int sig, int *signals, int *first)
{
    if (!*first) *first = sig;
    const char *what = sig == SIGINT ? "interrupted" : "terminated";
    if (!(*signals)++) fprintf(stderr, "\nsiocrypt: %s: stopping %d processes, draining (again to drop them)\n", what, n);
    else fprintf(stderr, "\nsiocrypt: %s again: the processes drop their connections\n", what);
    for (int i = 0; i < n; i++)
        if (cs[i].pid > 0 && !cs[i].reaped) kill(cs[i].pid, sig);
}

static int procs_reap(procs_child *cs, int n)
{
    int live = 0;
    for (int i = 0; i < n; i++) {
        if (cs[i].pid <= 0 || cs[i].reaped) continue;
        if (waitpid(cs[i].pid, &cs[i].status, WNOHANG) == cs[i].pid) cs[i].reaped = 1;
        else live++;
    }
    return live;
}

static void procs_sum(const procs_child *cs, int n, worker_progress *sum)
{
    memset(sum, 0, sizeof *sum);
    for (int i = 0; i < n; i++) {
        const worker_progress *p = &cs[i].last;
        sum->conns_open += p->conns_open;
        sum->sent += p->sent;
        sum->verified += p->verified;
        sum->errors += p->errors;
        sum->clients_finished += p->clients_finished;
        if (p->p99_ns > sum->p99_ns) sum->p99_ns = p->p99_ns;   /* the worst child's: an upper bound */
    }
}

/* The children that said they are ready; go (EOF) once each one is ready or has ended. */
static void procs_gate_check(procs_gate *g, const procs_child *cs, int n)
{
    unsigned char k[64];
    ssize_t r;
    if (!g->open) return;
    while ((r = read(g->ready[0], k, sizeof k)) > 0)
        for (ssize_t i = 0; i < r; i++)
            if (k[i] >= 1 && k[i] <= n) g->is_ready[k[i] - 1] = 1;
    for (int i = 0; i < n; i++)
        if (!g->is_ready[i] && !cs[i].reaped) return;
    close(g->go[1]);
    g->open = 0;
}

/* Until every child has ended: their progress summed into one line, signals passed on (the first is
 * returned, 0 when none came). */
static int procs_wait(const procs_plan *p, procs_child *cs, int n, procs_gate *g)
{
    progress pr;
    worker_progress sum;
    int signals = 0, first = 0;
    progress_start(&pr, clock_now_ns(), p->quiet);
    while (procs_reap(cs, n)) {
        procs_poll(cs, n, 100);
        int sig = signals_wait(0);
        if (sig) procs_forward(cs, n, sig, &signals, &first);
        procs_gate_check(g, cs, n);
        procs_sum(cs, n, &sum);
        progress_tick_sum(&pr, &sum);
    }
    for (int i = 0; i < n; i++)
        if (cs[i].fd >= 0) procs_read(&cs[i]);   /* the last records, then EOF (the writers are gone) */
    procs_sum(cs, n, &sum);
    progress_end_sum(&pr, &sum);
    return first;
}

/* ---- the merge --------------------------------------------------------------------------------------- */

/* Why child c has no place in the merged report, or "" when its report is read back (in *out). */
static void procs_load(const procs_child *c, int sig, result **out, char *why, size_t cap)
{
    int st = c->status;
    why[0] = '\0';
    *out = NULL;
    if (!c->pid) { snprintf(why, cap, "could not be started"); return; }
    if (WIFSIGNALED(st)) { snprintf(why, cap, "was killed by signal %d (%s)", WTERMSIG(st), strsignal(WTERMSIG(st))); return; }
    if (WEXITSTATUS(st) > 1) { snprintf(why, cap, "exited with status %d", WEXITSTATUS(st)); return; }
    buf path = BUF_INIT, err = BUF_INIT;
    buf_printf(&path, "%s/report.json", c->dir.data);
    if ((*out = result_load(path.data, &err))) why[0] = '\0';
    else if (sig) snprintf(why, cap, "was stopped by %s before its clients started (no report)", sig == SIGINT ? "SIGINT" : "SIGTERM");
    else snprintf(why, cap, "left no report: %.120s", buf_cstr(&err));
    buf_free(&path);
    buf_free(&err);
}

/* The children's reports merged in order (result_merge: what `siocrypt merge` does), and a proc-failed
 * finding for each child that is missing from it. NULL only when memory ran out. */
static result *procs_merge(const procs_plan *p, const procs_child *cs, int n, int sig, int64_t wall0)
{
    result *m = NULL;
    char (*why)[200] = calloc((size_t)n, sizeof *why), detail[400];
    buf err = BUF_INIT;
    int failed = 0;
    if (!why) return NULL;
    for (int i = 0; i < n; i++) {
        result *r;
        procs_load(&cs[i], sig, &r, why[i], sizeof why[i]);
        if (r && !m) { m = r; continue; }
        if (r && result_merge(m, r, &err) < 0) snprintf(why[i], sizeof why[i], "could not be merged: %.150s", buf_cstr(&err));
        result_free(r);
        failed += why[i][0] != '\0';
    }
    buf_free(&err);
    if (!m && !(m = result_new())) { free(why); return NULL; }
    if (failed == n) {   /* nothing to start from: an empty report that says what happened */
        RESULT_SET(m->meta.scenario, p->name);
        m->meta.instances = 0;
        m->meta.start_wall_ns = wall0;
        m->meta.end_wall_ns = clock_wall_ns();
        m->meta.duration_s = (double)(m->meta.end_wall_ns - wall0) / 1e9;
    }
    for (int i = 0; i < n; i++) {
        if (!why[i][0]) continue;
        snprintf(detail, sizeof detail, "harness process %d of %d (clients %d..%d) %s: its clients are not in this "
                 "report (its folder: %.100s)", i + 1, n, cs[i].first, cs[i].first + cs[i].nclients - 1, why[i],
                 cs[i].dir.data);
        result_add_finding(m, "proc-failed", "high", detail, NULL);
    }
    free(why);
    return m;
}

/* ---- entry ------------------------------------------------------------------------------------------- */

int procs_execute(const procs_plan *p, int *is_child)
{
    procs_child *cs = calloc((size_t)p->n, sizeof *cs);
    procs_gate g = {{-1, -1}, {-1, -1}, calloc((size_t)p->n, 1), 1};
    int code = 1, started = 0;
    *is_child = 0;
    if (!cs || !g.is_ready || pipe2(g.ready, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(g.go, O_CLOEXEC) < 0) {
        fprintf(stderr, "siocrypt run: --procs: %s\n", strerror(errno));
        free(cs);
        free(g.is_ready);
        return 1;
    }
    int64_t wall0 = clock_wall_ns();
    for (int k = 0, first = 0; k < p->n; k++) {
        cs[k].fd = -1;
        cs[k].first = first;
        cs[k].nclients = p->clients / p->n + (k < p->clients % p->n);
        first += cs[k].nclients;
        buf_printf(&cs[k].dir, "%s/proc-%d", p->out_dir, k + 1);
    }
    for (int k = 0; k < p->n; k++) {
        int r = procs_spawn(p, cs, k, &code, &g);
        if (r == 1) { *is_child = 1; goto out; }
        if (r < 0) { text_fprintf(stderr, "siocrypt run: process %d could not start: %s\n", k + 1, strerror(errno)); break; }
        started++;
    }
    close(g.ready[1]);
    close(g.go[0]);
    int sig = procs_wait(p, cs, started, &g);
    close(g.ready[0]);
    if (g.open) close(g.go[1]);
    result *m = procs_merge(p, cs, p->n, sig, wall0);
    if (m) {
        buf err = BUF_INIT;
        RESULT_SET(m->meta.out_dir, p->out_dir);
        result_finish(m);
        if (report_save(m, p->out_dir, &err) < 0)
            text_fprintf(stderr, "siocrypt run: writing the merged reports: %s\n", buf_cstr(&err));
        report_print_summary(stdout, m);
        code = result_exit_code(m);
        buf_free(&err);
        result_free(m);
    }
out:
    for (int k = 0; k < p->n; k++) {
        if (!*is_child && cs[k].fd >= 0) close(cs[k].fd);
        buf_free(&cs[k].dir);
    }
    free(cs);
    free(g.is_ready);
    return code;
}
