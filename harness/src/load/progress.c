/* progress: see progress.h. */
#include <stdio.h>
#include <unistd.h>
#include "base/clock.h"
#include "load/progress.h"

void progress_start(progress *p, int64_t t0_ns, int quiet)
{
    p->quiet = quiet;
    p->tty = isatty(2);
    p->t0_ns = t0_ns;
    p->next_ns = t0_ns + 1000000000LL;
    p->last_ns = t0_ns;
    p->last_verified = 0;
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
        if (p.p99_ns > sum->p99_ns) sum->p99_ns = p.p99_ns;   /* the worst worker's p99: an upper bound */
    }
}

static void progress_line(progress *p, worker *ws, int n, int final)
{
    worker_progress sum = {0};
    progress_sum(ws, n, &sum);
    int64_t now = clock_now_ns();
    double el = (double)(now - p->t0_ns) / 1e9;
    double span = (double)(now - p->last_ns) / 1e9;
    int64_t rate = span > 0 ? (int64_t)((double)(sum.verified - p->last_verified) / span) : 0;
    p->last_verified = sum.verified;
    p->last_ns = now;
    fprintf(stderr, "%s[%6.1fs] clients open %5lld | round trips/s %7lld | verified %9lld | p99 %7.2f ms | errors %lld%s",
            p->tty ? "\r" : "", el, (long long)sum.conns_open, (long long)rate, (long long)sum.verified,
            (double)sum.p99_ns / 1e6, (long long)sum.errors, p->tty ? "\033[K" : "\n");
    if (p->tty && final) fputc('\n', stderr);
}

void progress_tick(progress *p, worker *ws, int n)
{
    if (p->quiet || clock_now_ns() < p->next_ns) return;
    progress_line(p, ws, n, 0);
    p->next_ns += p->tty ? 1000000000LL : 5000000000LL;
}

void progress_end(progress *p, worker *ws, int n)
{
    if (!p->quiet) progress_line(p, ws, n, 1);
}
