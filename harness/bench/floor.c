/* floor: what one round trip costs on this machine with nothing on top, the floor `make bench` compares
 * siocrypt with. A raw epoll client sends a message of --bytes (default 120, about a counter frame) on
 * each of its connections over loopback TCP and waits for the echo, again and again, for --seconds;
 * the echo peer is a forked child on its own epoll loop. Only the client's CPU (getrusage of this
 * process; the peer is a child) counts, per round trip.
 *
 *   wakeup:  one connection, one message in flight: every round trip is an epoll_wait that sleeps and
 *            one wake-up, as a load generator gets when answers come one at a time (the comparison point)
 *   batched: --conns connections (default 200), one message in flight on each: one wake-up returns
 *            many answers
 *
 * Prints one JSON line per mode: {"mode","conns","bytes","seconds","round_trips","cpu_s",
 * "cpu_us_per_round_trip","round_trips_per_s"}. Usage: floor [--seconds S] [--conns N] [--bytes B] */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MAX_CONNS 10000
#define FLOOR_MAX_BYTES 65536

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what)
{
    fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* The echo peer: accept n connections, then echo whatever arrives until the client goes away. */
static void peer(int lfd, int n)
{
    int ep = epoll_create1(0), live = 0;
    char buf[FLOOR_MAX_BYTES];
    struct epoll_event evs[256];
    for (int i = 0; i < n; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) _exit(1);
        nodelay(fd);
        struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        live++;
    }
    while (live > 0) {
        int k = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < k; i++) {
            int fd = evs[i].data.fd;
            ssize_t r = read(fd, buf, sizeof buf);
            if (r <= 0) { close(fd); live--; continue; }
            for (ssize_t off = 0; off < r;) {   /* loopback takes it at once; a short write is finished here */
                ssize_t w = write(fd, buf + off, (size_t)(r - off));
                if (w <= 0) break;
                off += w;
            }
        }
    }
    _exit(0);
}

typedef struct conn { int fd; size_t got; } conn;

/* One mode: n connections to the peer, one message in flight on each, for secs seconds. */
static void run(const char *mode, int n, int bytes, double secs, int maxevents)
{
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 1024) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0)
        die("listen");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) peer(lfd, n);
    close(lfd);
    conn *cs = calloc((size_t)n, sizeof *cs);
    char *msg = malloc((size_t)bytes), buf[FLOOR_MAX_BYTES];
    struct epoll_event *evs = calloc((size_t)maxevents, sizeof *evs);
    int ep = epoll_create1(0);
    if (!cs || !msg || !evs || ep < 0) die("setup");
    memset(msg, 'x', (size_t)bytes);
    for (int i = 0; i < n; i++) {
        cs[i].fd = socket(AF_INET, SOCK_STREAM, 0);
        if (cs[i].fd < 0 || connect(cs[i].fd, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
        nodelay(cs[i].fd);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    long long rts = 0;
    double t0 = now_s(), c0 = cpu_s(), end = t0 + secs, t = t0;
    for (int i = 0; i < n; i++)
        if (write(cs[i].fd, msg, (size_t)bytes) != bytes) die("write");
    while (t < end) {
        int k = epoll_wait(ep, evs, maxevents, 1000);
        for (int i = 0; i < k; i++) {
            conn *c = evs[i].data.ptr;
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r <= 0) die("read");
            c->got += (size_t)r;
            if (c->got < (size_t)bytes) continue;
            c->got -= (size_t)bytes;
            rts++;
            if (write(c->fd, msg, (size_t)bytes) != bytes) die("write");
        }
        t = now_s();
    }
    double cpu = cpu_s() - c0, el = now_s() - t0;
    printf("{\"mode\":\"%s\",\"conns\":%d,\"bytes\":%d,\"seconds\":%.3f,\"round_trips\":%lld,\"cpu_s\":%.6f,"
           "\"cpu_us_per_round_trip\":%.3f,\"round_trips_per_s\":%.1f}\n", mode, n, bytes, el, rts, cpu,
           rts ? cpu * 1e6 / (double)rts : 0.0, (double)rts / el);
    fflush(stdout);
    for (int i = 0; i < n; i++) close(cs[i].fd);
    waitpid(pid, NULL, 0);
    free(cs);
    free(msg);
    free(evs);
    close(ep);
}

int main(int argc, char **argv)
{
    double secs = 2;
    int conns = 200, bytes = 120;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) secs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--conns")) conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bytes")) bytes = atoi(argv[i + 1]);
        else { fprintf(stderr, "usage: floor [--seconds S] [--conns N] [--bytes B]\n"); return 2; }
    }
    if (secs <= 0 || secs > 3600 || conns < 1 || conns > FLOOR_MAX_CONNS || bytes < 1 || bytes > FLOOR_MAX_BYTES) {
        fprintf(stderr, "floor: --seconds in (0, 3600], --conns in [1, %d], --bytes in [1, %d]\n", FLOOR_MAX_CONNS,
                FLOOR_MAX_BYTES);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    run("wakeup", 1, bytes, secs, 1);
    run("batched", conns, bytes, secs, 256);
    return 0;
}
