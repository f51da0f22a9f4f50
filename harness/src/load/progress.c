/* progress: see progress.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include "base/clock.h"
#include "load/progress.h"

void progress_start(progress *p, int64_t t0_ns, int quiet)
{
    p->quiet = quiet;
    p->tty = isatty(2);
    p->fd = 0;
    p->t0_ns = t0_ns;
    p->next_ns = t0_ns + 1000000000LL;
    p->last_ns = t0_ns;
    p->last_verified = 0;
}

void progress_to_pipe(progress *p, int fd)
{
    p->fd = fd;
    p->next_ns = p->t0_ns + 500000000LL;
}

static void progress_sum(worker *ws, int n, worker_progress *sum)
{
    worker_progress p;
    for (int i = 0; i < n; i++) {
        worker_read_progress(&ws[i], &p);
        sum->conns_open += p.conns_open;
        sum->sent += p.sent;
        sum->verified += p.verified;
        sum->errors += p.errors;
        sum->clients_finished += p.clients_finished;
        if (p.p99_ns > sum->p99_ns) sum->p99_ns = p.p99_ns;   /* the worst worker's p99: an upper bound */
    }
}

static void progress_line(progress *p, const worker_progress *sum, int final)
{
    int64_t now = clock_now_ns();
    double el = (double)(now - p->t0_ns) / 1e9;
    double span = (double)(now - p->last_ns) / 1e9;
    int64_t rate = span > 0 ? (int64_t)((double)(sum->verified - p->last_verified) / span) : 0;
    p->last_verified = sum->verified;
    p->last_ns = now;
    fprintf(stderr, "%s[%6.1fs] clients open %5lld | round trips/s %7lld | verified %9lld | p99 %7.2f ms | errors %lld%s",
            p->tty ? "\r" : "", el, (long long)sum->conns_open, (long long)rate, (long long)sum->verified,
            (double)sum->p99_ns / 1e6, (long long)sum->errors, p->tty ? "\033[K" : "\n");
    if (p->tty && final) fputc('\n', stderr);
}

/* A pipe holds many records; when the parent is behind, this one is dropped (the pipe is non-blocking and
 * a record is far below PIPE_BUF, so it goes whole or not at all) and the next carries the newer sum. */
static void progress_send(progress *p, const worker_progress *sum)
{
    ssize_t w;
    do w = write(p->fd, sum, sizeof *sum);
    while (w < 0 && errno == EINTR);
}

void progress_tick_sum(progress *p, const worker_progress *sum)
{
    if ((p->quiet && !p->fd) || clock_now_ns() < p->next_ns) return;
    if (p->fd) progress_send(p, sum);
    else progress_line(p, sum, 0);
    p->next_ns += p->fd ? 500000000LL : p->tty ? 1000000000LL : 5000000000LL;
}

void progress_end_sum(progress *p, const worker_progress *sum)
{
    if (p->fd) progress_send(p, sum);
    else if (!p->quiet) progress_line(p, sum, 1);
}

void progress_tick(progress *p, worker *ws, int n)
{
    worker_progress sum = {0};
    if ((p->quiet && !p->fd) || clock_now_ns() < p->next_ns) return;
    progress_sum(ws, n, &sum);
    progress_tick_sum(p, &sum);
}

void progress_end(progress *p, worker *ws, int n)
{
    worker_progress sum = {0};
    progress_sum(ws, n, &sum);
    progress_end_sum(p, &sum);
}
