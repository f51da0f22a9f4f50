/* localserver: start, wait for, and stop the project's own Node server (server/server.js, server/v2, server/v1;
 * the chat app: server/chat-server.js, server/v2) on 127.0.0.1 and a free port, for runs whose target is
 * "local" and for tests. Blocking calls, meant for the main thread before and after the event loops run:
 * start waits for the server's "listening on HOST:PORT" line, then for an Engine.IO handshake to answer.
 * The server gets PR_SET_PDEATHSIG(SIGTERM), so it never outlives the thread that started it. */
#ifndef SIOCRYPT_LOCALSERVER_H
#define SIOCRYPT_LOCALSERVER_H
#include <sys/types.h>
#include "base/buf.h"

typedef struct localserver_opts {
    const char *root;          /* project root holding server/; NULL: localserver_find_root() */
    int v2;                    /* 1: server/v2/server.js (socket.io 2, Engine.IO 3) */
    int v1;                    /* 1: server/v1/server.js (socket.io 1.7, Engine.IO 3); wins over v2 */
    const char *passphrase;    /* PASSPHRASE; NULL: the server's default (the seed's) */
    int delay_ms;              /* DELAY_MS (the seed waits 1000) */
    int allow_eio3;            /* ALLOW_EIO3=1 */
    int hardened;              /* HARDENED=1: counter_error instead of crashing on bad envelopes */
    int log;                   /* LOG=1: one line per message */
    const char *app;           /* NULL or "counter": server.js; "chat": chat-server.js (v4 or v2; v1 has none) */
    int push_ms;               /* PUSH_MS, the chat's push period (0: off); -1: the server's default (2000).
                                  A zeroed struct means 0: set it */
    const char *log_path;      /* the server's stdout+stderr (appended); NULL: a temp file removed at stop */
    int start_timeout_ms;      /* for the listening line and the handshake together; 0: 15000 */
} localserver_opts;

typedef struct localserver {
    pid_t pid;                 /* 0 once reaped */
    int port;
    char url[64];              /* http://127.0.0.1:PORT */
    int exited;                /* the process has ended and been reaped */
    int wstatus;               /* its wait status, when exited */
    double cpu_s_final;        /* its user+sys CPU seconds, when exited */
    char log_path[256];
    int own_log;               /* log_path is our temp file */
} localserver;

int    localserver_start(localserver *s, const localserver_opts *o, buf *err); /* 0 ok; -1 with a message
                                                    (node's last log lines when it exited early) */
int    localserver_alive(localserver *s);           /* 1 running; 0 ended (reaps it, keeps its status) */
double localserver_cpu_s(const localserver *s);     /* user+sys CPU so far; -1 if unknown */
int    localserver_stop(localserver *s, double *cpu_s); /* SIGTERM, up to 3 s, then SIGKILL; reaps.
                                                    0: it ended with exit code 0; -1: any other end (crash,
                                                    signal, SIGKILL needed); wstatus tells which */
int    localserver_kill(localserver *s, int sig);   /* send sig (fault tests); -1 if not running */
const char *localserver_find_root(void);            /* $SIOCRYPT_ROOT, else the nearest directory above the
                                                    executable with server/server.js, else "." */

#endif
