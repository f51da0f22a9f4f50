/* localserver: the Node server as a child process. Everything the child needs (node's path, the
 * environment, the log fd) is prepared before fork, so the child only dup2s and execs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <curl/curl.h>
#include "load/localserver.h"
#include "base/text.h"
#include "base/usage.h"

extern char **environ;

#define POLL_MS 20
#define STOP_GRACE_MS 3000
#define LOG_SCAN_MAX 65536    /* the listening line is among the first bytes the server writes */


static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {}
}

static int has_server(const char *dir)
{
    char p[PATH_MAX];
    return snprintf(p, sizeof p, "%s/server/server.js", dir) < (int)sizeof p && access(p, R_OK) == 0;
}

const char *localserver_find_root(void)
{
    static char root[PATH_MAX];
    const char *env = getenv("SIOCRYPT_ROOT");
    ssize_t n;
    char *slash;
    if (env && *env) return env;
    /* build/siocrypt, build/tests/check_x, build/asan/tests/check_x: walk up from the executable. */
    n = readlink("/proc/self/exe", root, sizeof root - 1);
    if (n > 0) {
        root[n] = '\0';
        for (int up = 0; up < 5 && (slash = strrchr(root, '/')) && slash != root; up++) {
            *slash = '\0';
            if (has_server(root)) return root;
        }
    }
    return ".";
}

/* The first PATH entry with an executable node ($SIOCRYPT_NODE wins). */
static int find_node(char *out, size_t n)
{
    const char *env = getenv("SIOCRYPT_NODE"), *path = getenv("PATH"), *p, *end;
    if (env && *env) return snprintf(out, n, "%s", env) < (int)n && access(out, X_OK) == 0 ? 0 : -1;
    for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; *p; p = *end ? end + 1 : end) {
        end = strchr(p, ':');
        if (!end) end = p + strlen(p);
        if (end > p && snprintf(out, n, "%.*s/node", (int)(end - p), p) < (int)n && access(out, X_OK) == 0)
            return 0;
    }
    return -1;
}

/* The server's settings override any inherited ones of the same name. */
static const char *const our_vars[] = {"PORT=", "HOST=", "PASSPHRASE=", "DELAY_MS=", "ALLOW_EIO3=",
                                       "HARDENED=", "LOG=", "PUSH_MS="};
#define NOURS (sizeof our_vars / sizeof our_vars[0])

static int is_ours(const char *kv)
{
    for (size_t i = 0; i < NOURS; i++)
        if (!strncmp(kv, our_vars[i], strlen(our_vars[i]))) return 1;
    return 0;
}

static char **child_env(const localserver_opts *o, buf *space)
{
    size_t n = 0, k = 0;
    char **env;
    for (char **e = environ; *e; e++) n++;
    if (!(env = calloc(n + NOURS + 1, sizeof *env))) return NULL;
    for (char **e = environ; *e; e++)
        if (!is_ours(*e)) env[k++] = *e;
    /* One buffer holds our strings, NUL-separated; pointers are taken once it stops growing. */
    buf_clear(space);
    buf_printf(space, "PORT=0%cHOST=127.0.0.1%cDELAY_MS=%d%cALLOW_EIO3=%d%cHARDENED=%d%cLOG=%d%c",
               0, 0, o->delay_ms, 0, !!o->allow_eio3, 0, !!o->hardened, 0, !!o->log, 0);
    if (o->passphrase) {
        buf_printf(space, "PASSPHRASE=%s", o->passphrase);
        buf_append_char(space, '\0');
    }
    if (o->push_ms >= 0) {
        buf_printf(space, "PUSH_MS=%d", o->push_ms);
        buf_append_char(space, '\0');
    }
    for (size_t at = 0; space->data && at < space->len; at += strlen(space->data + at) + 1)
        env[k++] = space->data + at;
    env[k] = NULL;
    return env;
}

static int open_log(localserver *s, const localserver_opts *o, off_t *start, buf *err)
{
    int fd;
    struct stat st;
    if (o->log_path) {
        snprintf(s->log_path, sizeof s->log_path, "%s", o->log_path);
        fd = open(o->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(s->log_path, sizeof s->log_path, "%s/siocrypt-server-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        fd = mkostemp(s->log_path, O_CLOEXEC);
        s->own_log = fd >= 0;
    }
    if (fd < 0) return buf_fail(err, "cannot open server log %s: %s", s->log_path, strerror(errno));
    /* Appending: scan only what this run writes, never an older run's listening line. */
    *start = fstat(fd, &st) == 0 ? st.st_size : 0;
    return fd;
}

/* Up to max bytes of the log from offset at. */
static void read_log(const char *path, off_t at, size_t max, buf *out)
{
    char chunk[4096];
    ssize_t got;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    buf_clear(out);
    if (fd < 0) return;
    while (out->len < max && (got = pread(fd, chunk, sizeof chunk, at)) > 0) {
        buf_append(out, chunk, (size_t)got);
        at += got;
    }
    close(fd);
}

/* The last few lines of what this run logged, for error messages. */
static void log_tail(const localserver *s, off_t start, buf *out)
{
    buf text = BUF_INIT;
    struct stat st;
    off_t from = start;
    const char *p;
    int lines = 0;
    if (stat(s->log_path, &st) == 0 && st.st_size - from > 4096) from = st.st_size - 4096;
    read_log(s->log_path, from, 4096, &text);
    p = text.data ? text.data + text.len : NULL;
    while (p && p > text.data && lines < 12)
        if (*--p == '\n' && p != text.data + text.len - 1) lines++;
    if (p && *p == '\n') p++;
    buf_append_str(out, p && *p ? p : "(empty log)\n");
    buf_free(&text);
}

/* "listening on <host>:<port>" at the start of a line; returns the port or 0. */
static int listening_port(const char *text)
{
    static const char tag[] = "listening on ";
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        const char *eol = strchr(p, '\n'), *colon;
        long port;
        char *end;
        if (!eol || strncmp(p, tag, sizeof tag - 1)) continue;    /* a whole line, newline included */
        colon = memrchr(p, ':', (size_t)(eol - p));
        if (!colon) continue;
        port = strtol(colon + 1, &end, 10);
        if (end == eol && port > 0 && port < 65536) return (int)port;
    }
    return 0;
}

static void reap(localserver *s, int wstatus, const struct rusage *ru)
{
    s->exited = 1;
    s->wstatus = wstatus;
    s->cpu_s_final = usage_cpu_s(ru);
    s->pid = 0;
}

static void describe_end(int wstatus, buf *out)
{
    if (WIFEXITED(wstatus)) buf_printf(out, "exit code %d", WEXITSTATUS(wstatus));
    else if (WIFSIGNALED(wstatus)) buf_printf(out, "signal %d (%s)", WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    else buf_printf(out, "status %d", wstatus);
}

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf *b = userdata;
    if (b->len > 65536 || buf_append(b, p, size * n)) return 0;
    return size * n;
}

/* The Engine.IO handshake over polling: proof the server really serves socket.io, not just listens. */
static int handshake(const localserver *s, int eio3, long timeout_ms, buf *err)
{
    char url[128];
    buf body = BUF_INIT;
    long code = 0;
    int ok = 0;
    CURLcode rc;
    CURL *c;
    /* b64=1: engine.io 1.x (socket.io 1.7) would answer in binary framing, NUL bytes before the sid */
    snprintf(url, sizeof url, "%s/socket.io/?EIO=%s&transport=polling", s->url, eio3 ? "3&b64=1" : "4");
    if (curl_global_init(CURL_GLOBAL_DEFAULT) || !(c = curl_easy_init()))
        return buf_fail(err, "libcurl initialisation failed");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");           /* never through an http_proxy from the env */
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    curl_global_cleanup();
    if (rc != CURLE_OK) buf_fail(err, "handshake %s: %s", url, curl_easy_strerror(rc));
    else if (code != 200 || !strstr(buf_cstr(&body), "\"sid\""))
        buf_fail(err, "handshake %s: HTTP %ld, body %.*s", url, code,
                 (int)text_utf8_cut(buf_cstr(&body), body.len, 200), buf_cstr(&body));
    else ok = 1;
    buf_free(&body);
    return ok ? 0 : -1;
}

/* Waits for the listening line; -1 with the reason if node ends or the time runs out. */
static int wait_listening(localserver *s, off_t start, double deadline, buf *err)
{
    buf text = BUF_INIT, why = BUF_INIT;
    int rc = -1;
    for (;;) {
        read_log(s->log_path, start, LOG_SCAN_MAX, &text);
        if ((s->port = listening_port(buf_cstr(&text))) > 0) { rc = 0; break; }
        if (!localserver_alive(s)) {
            buf_append_str(&why, "node exited before listening (");
            describe_end(s->wstatus, &why);
            buf_append_str(&why, "); last lines of ");
            break;
        }
        if (now_ms() >= deadline) {
            buf_append_str(&why, "no 'listening on' line in time; last lines of ");
            break;
        }
        sleep_ms(POLL_MS);
    }
    if (rc) {
        buf_printf(&why, "%s:\n", s->log_path);
        log_tail(s, start, &why);
        buf_fail(err, "%s", buf_cstr(&why));
    }
    buf_free(&text);
    buf_free(&why);
    return rc;
}

static pid_t spawn(const char *node, const char *script, char **env, int logfd)
{
    pid_t parent = getpid(), pid = fork();
    if (pid != 0) return pid;
    /* child: die with the harness; no stdin; stdout and stderr to the log */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent) _exit(127);
    /* node must see SIGTERM and SIGINT whatever the harness blocked or ignored (both survive exec) */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    int nul = open("/dev/null", O_RDONLY);
    if (nul < 0 || dup2(nul, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0) _exit(127);
    char *argv[] = {(char *)node, (char *)script, NULL};
    execve(node, argv, env);
    _exit(127);
}

/* The entry point of the app asked for, in the version's folder; NULL with a message. */
static const char *app_script(const localserver_opts *o, buf *err)
{
    if (!o->app || !strcmp(o->app, "counter")) return "server.js";
    if (strcmp(o->app, "chat")) buf_fail(err, "unknown server app \"%s\" (counter or chat)", o->app);
    else if (o->v1) buf_fail(err, "the chat app runs on socket.io 4 and 2, not 1.7 (server/v1)");
    else return "chat-server.js";
    return NULL;
}

int localserver_start(localserver *s, const localserver_opts *o, buf *err)
{
    char node[PATH_MAX], script[PATH_MAX], modules[PATH_MAX];
    const char *root = o->root ? o->root : localserver_find_root(), *sub = o->v1 ? "server/v1" : o->v2 ? "server/v2" : "server";
    const char *name;
    double deadline = now_ms() + (o->start_timeout_ms > 0 ? o->start_timeout_ms : 15000);
    buf space = BUF_INIT;
    char **env;
    off_t start = 0;
    int logfd;

    memset(s, 0, sizeof *s);
    if (!(name = app_script(o, err))) return -1;
    snprintf(script, sizeof script, "%s/%s/%s", root, sub, name);
    snprintf(modules, sizeof modules, "%s/%s/node_modules/socket.io", root, sub);
    if (access(script, R_OK)) return buf_fail(err, "no server at %s (set SIOCRYPT_ROOT to the project root)", script);
    if (access(modules, R_OK))
        return buf_fail(err, "%s/%s has no node_modules/socket.io: run 'make deps' (npm ci)", root, sub);
    if (find_node(node, sizeof node)) return buf_fail(err, "node not found in PATH (or $SIOCRYPT_NODE)");
    if ((logfd = open_log(s, o, &start, err)) < 0) return -1;
    if (!(env = child_env(o, &space))) {
        close(logfd);
        return buf_fail(err, "out of memory");
    }
    s->pid = spawn(node, script, env, logfd);
    free(env);
    buf_free(&space);
    close(logfd);
    if (s->pid < 0) {
        s->pid = 0;
        return buf_fail(err, "fork: %s", strerror(errno));
    }
    if (wait_listening(s, start, deadline, err) == 0) {
        snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
        double left = deadline - now_ms();
        if (handshake(s, o->v1 || o->v2, left > 1000 ? (long)left : 1000, err) == 0) return 0;
    }
    localserver_stop(s, NULL);
    return -1;
}

/* wait4 for the server (options: WNOHANG or 0); when it has ended, its status and CPU are kept. The wait's
 * result: 0 still running (WNOHANG only), else it is gone. */
static pid_t wait_server(localserver *s, int options)
{
    struct rusage ru;
    int st;
    pid_t r;
    while ((r = wait4(s->pid, &st, options, &ru)) < 0 && errno == EINTR) {}
    if (r == s->pid) reap(s, st, &ru);
    else if (r != 0) { s->exited = 1; s->pid = 0; }   /* not our child any more (ECHILD): nothing to wait for */
    return r;
}

int localserver_alive(localserver *s)
{
    if (s->exited || s->pid <= 0) return 0;
    return wait_server(s, WNOHANG) == 0;
}

double localserver_cpu_s(const localserver *s)
{
    if (s->exited) return s->cpu_s_final;
    if (s->pid <= 0) return -1;
    return usage_child_cpu_s(s->pid);
}

int localserver_stop(localserver *s, double *cpu_s)
{
    if (localserver_alive(s)) {
        kill(s->pid, SIGTERM);
        for (int waited = 0; waited < STOP_GRACE_MS && localserver_alive(s); waited += 10) sleep_ms(10);
        if (!s->exited) {
            kill(s->pid, SIGKILL);
            wait_server(s, 0);
        }
    }
    if (cpu_s) *cpu_s = s->exited ? s->cpu_s_final : -1;
    if (s->own_log) {
        unlink(s->log_path);
        s->own_log = 0;
    }
    return s->exited && WIFEXITED(s->wstatus) && WEXITSTATUS(s->wstatus) == 0 ? 0 : -1;
}

int localserver_kill(localserver *s, int sig)
{
    if (!localserver_alive(s)) return -1;
    return kill(s->pid, sig);
}
