/* wsrandom: the random bytes libwebsockets asks for (a client's 4-byte mask key on every frame it sends,
 * the handshake's Sec-WebSocket-Key), from a pool per thread that getrandom(2) fills 4 KiB at a time.
 * Debian's lws 4.1 reads them from /dev/urandom each time: one read(2) per websocket message sent, the one
 * syscall per round trip a raw client does not make. lws 4.1 has no hook for it, but it calls
 * lws_get_random, one of its exported functions, through its own PLT (the library is not linked
 * -Bsymbolic), so this definition in the executable takes its place for lws's calls too: the same
 * interposition malloc replacements rely on. The bytes are the kernel's CSPRNG's either way; a byte
 * handed out is wiped from the pool, and a forked child starts with an empty pool (--procs), so no two
 * processes hand out the same bytes. */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <libwebsockets.h>
#include "net/wsrandom.h"

#define WSRANDOM_POOL 4096

static __thread unsigned char wsrandom_pool[WSRANDOM_POOL];
static __thread size_t wsrandom_left;   /* unused bytes at the end of the pool */
static __thread uint64_t wsrandom_out;
static pthread_once_t wsrandom_once = PTHREAD_ONCE_INIT;

static void wsrandom_after_fork(void) { wsrandom_left = 0; }   /* the forking thread: the child's only one */
static void wsrandom_register(void) { pthread_atfork(NULL, NULL, wsrandom_after_fork); }

static int wsrandom_fill(void)
{
    size_t got = 0;
    pthread_once(&wsrandom_once, wsrandom_register);
    while (got < WSRANDOM_POOL) {
        ssize_t r = getrandom(wsrandom_pool + got, WSRANDOM_POOL - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        got += (size_t)r;
    }
    wsrandom_left = WSRANDOM_POOL;
    return 0;
}

size_t lws_get_random(struct lws_context *context, void *buf, size_t len)
{
    unsigned char *out = buf;
    size_t done = 0;
    (void)context;
    while (done < len) {
        if (!wsrandom_left && wsrandom_fill() < 0) return done;   /* lws: fewer than len means it failed */
        size_t n = len - done < wsrandom_left ? len - done : wsrandom_left;
        unsigned char *from = wsrandom_pool + WSRANDOM_POOL - wsrandom_left;
        memcpy(out + done, from, n);
        explicit_bzero(from, n);
        wsrandom_left -= n;
        done += n;
    }
    wsrandom_out += done;
    return done;
}

uint64_t wsrandom_served(void) { return wsrandom_out; }
