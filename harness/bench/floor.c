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
 *   server:  with --port P --envelope E: --conns websockets to the socket.io 4 server on 127.0.0.1:P, each
 *            after a hand-made upgrade and namespace CONNECT sending the pre-made frame 42["counter",E]
 *            and waiting for the server's 42 frame (E: an envelope made beforehand, `siocrypt encrypt`),
 *            no parsing beyond the frame header and no crypto: the kernel and the wake-ups against the
 *            same server the harness meets, where answers come one at a time (the comparison point)
 *
 * Prints one JSON line per mode: {"mode","conns","bytes","seconds","round_trips","cpu_s",
 * "cpu_us_per_round_trip","round_trips_per_s"}.
 * Usage: floor [--seconds S] [--conns N] [--bytes B] [--port P --envelope E] */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
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

/* ---- against the socket.io server ------------------------------------------------------------------ */

typedef struct wsconn { int fd; size_t have; unsigned char in[8192]; } wsconn;

/* A client frame: text, final, masked with a zero key (valid, and the payload stays as it is). */
static size_t ws_frame(unsigned char *out, const char *text, size_t n)
{
    size_t h = 0;
    out[h++] = 0x81;
    if (n < 126) out[h++] = (unsigned char)(0x80 | n);
    else { out[h++] = 0x80 | 126; out[h++] = (unsigned char)(n >> 8); out[h++] = (unsigned char)n; }
    memset(out + h, 0, 4);
    memcpy(out + h + 4, text, n);
    return h + 4 + n;
}

/* The next whole server frame in c->in: its payload and length, or 0 when it is not all there yet. */
static int ws_next(wsconn *c, const unsigned char **pl, size_t *len, size_t *used)
{
    if (c->have < 2) return 0;
    size_t n = c->in[1] & 0x7f, h = 2;
    if (n == 126) { if (c->have < 4) return 0; n = (size_t)c->in[2] << 8 | c->in[3]; h = 4; }
    else if (n == 127) { fprintf(stderr, "floor: a frame too large\n"); exit(1); }
    if (c->have < h + n) return 0;
    *pl = c->in + h;
    *len = n;
    *used = h + n;
    return 1;
}

static void ws_consume(wsconn *c, size_t used)
{
    memmove(c->in, c->in + used, c->have - used);
    c->have -= used;
}

static void ws_fill(wsconn *c)
{
    if (c->have == sizeof c->in) { fprintf(stderr, "floor: frame past the buffer\n"); exit(1); }
    ssize_t r = read(c->fd, c->in + c->have, sizeof c->in - c->have);
    if (r <= 0) die("read (the server closed)");
    c->have += (size_t)r;
}

static void write_all(int fd, const void *p, size_t n)
{
    if (write(fd, p, n) != (ssize_t)n) die("write");
}

/* Blocking, in two halves so that every connection's upgrade is under way before the first is waited
 * for: the upgrade request; then its answer, the Engine.IO open packet, our CONNECT and its answer. */
static void ws_start(wsconn *c, const struct sockaddr_in *a, int port)
{
    char req[512];
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0 || connect(c->fd, (const struct sockaddr *)a, sizeof *a) < 0) die("connect");
    nodelay(c->fd);
    int n = snprintf(req, sizeof req, "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                     "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n", port);
    write_all(c->fd, req, (size_t)n);
}

static void ws_finish(wsconn *c)
{
    unsigned char f[16];
    const unsigned char *pl;
    size_t len, used;
    char *end;
    while (c->have < 12 || !(end = memmem(c->in, c->have, "\r\n\r\n", 4))) ws_fill(c);
    if (memcmp(c->in, "HTTP/1.1 101", 12)) { fprintf(stderr, "floor: the upgrade was refused\n"); exit(1); }
    ws_consume(c, (size_t)((unsigned char *)end + 4 - c->in));
    for (int step = 0; step < 2;) {   /* "0{...}" (open), then "40{...}" (our CONNECT answered) */
        if (!ws_next(c, &pl, &len, &used)) { ws_fill(c); continue; }
        int open = len > 0 && pl[0] == '0', connected = len > 1 && pl[0] == '4' && pl[1] == '0';
        ws_consume(c, used);
        if (step == 0 && open) { write_all(c->fd, f, ws_frame(f, "40", 2)); step = 1; }
        else if (step == 1 && connected) step = 2;
    }
}

static void run_server(int n, int port, const char *envelope, double secs)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    size_t elen = strlen(envelope), tn = 0, fn;
    char *text = malloc(elen * 2 + 32);
    unsigned char *frame = malloc(elen * 2 + 48), pong[8];
    wsconn *cs = calloc((size_t)n, sizeof *cs);
    struct epoll_event evs[256];
    int ep = epoll_create1(0);
    if (!text || !frame || !cs || ep < 0) die("setup");
    tn += (size_t)sprintf(text, "42[\"counter\",\"");
    for (size_t i = 0; i < elen; i++) {   /* the envelope as a JSON string: its quotes escaped */
        if (envelope[i] == '"' || envelope[i] == '\\') text[tn++] = '\\';
        text[tn++] = envelope[i];
    }
    tn += (size_t)sprintf(text + tn, "\"]");
    fn = ws_frame(frame, text, tn);
    size_t pn = ws_frame(pong, "3", 1);
    for (int i = 0; i < n; i++) ws_start(&cs[i], &a, port);
    for (int i = 0; i < n; i++) {
        ws_finish(&cs[i]);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[i]};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    long long rts = 0;
    double t0 = now_s(), c0 = cpu_s(), end = t0 + secs, t = t0;
    for (int i = 0; i < n; i++) write_all(cs[i].fd, frame, fn);
    while (t < end) {
        int k = epoll_wait(ep, evs, 256, 1000);
        for (int i = 0; i < k; i++) {
            wsconn *c = evs[i].data.ptr;
            const unsigned char *pl;
            size_t len, used;
            ws_fill(c);
            while (ws_next(c, &pl, &len, &used)) {
                int answer = len > 1 && pl[0] == '4' && pl[1] == '2', ping = len == 1 && pl[0] == '2';
                ws_consume(c, used);
                if (answer) { rts++; write_all(c->fd, frame, fn); }
                else if (ping) write_all(c->fd, pong, pn);
            }
        }
        t = now_s();
    }
    double cpu = cpu_s() - c0, el = now_s() - t0;
    printf("{\"mode\":\"server\",\"conns\":%d,\"bytes\":%zu,\"seconds\":%.3f,\"round_trips\":%lld,\"cpu_s\":%.6f,"
           "\"cpu_us_per_round_trip\":%.3f,\"round_trips_per_s\":%.1f}\n", n, fn, el, rts, cpu,
           rts ? cpu * 1e6 / (double)rts : 0.0, (double)rts / el);
    for (int i = 0; i < n; i++) close(cs[i].fd);
    free(text);
    free(frame);
    free(cs);
    close(ep);
}

int main(int argc, char **argv)
{
    double secs = 2;
    int conns = 200, bytes = 120, port = 0;
    const char *envelope = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--seconds")) secs = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--envelope")) envelope = argv[i + 1];
        else if (!strcmp(argv[i], "--conns")) conns = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bytes")) bytes = atoi(argv[i + 1]);
        else { fprintf(stderr, "usage: floor [--seconds S] [--conns N] [--bytes B]\n"); return 2; }
    }
    if (secs <= 0 || secs > 3600 || conns < 1 || conns > FLOOR_MAX_CONNS || bytes < 1 || bytes > FLOOR_MAX_BYTES ||
        (argc - 1) % 2 || port < 0 || port > 65535 || !port != !envelope || (envelope && strlen(envelope) > 3000)) {
        fprintf(stderr, "floor: --seconds in (0, 3600], --conns in [1, %d], --bytes in [1, %d], --port P and "
                "--envelope E (at most 3000 bytes) together\n", FLOOR_MAX_CONNS, FLOOR_MAX_BYTES);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    run("wakeup", 1, bytes, secs, 1);
    run("batched", conns, bytes, secs, 256);
    if (port) run_server(conns, port, envelope, secs);
    return 0;
}
