/* wsrandom: libwebsockets' random bytes (lws_get_random, which this module defines in the executable's
 * place) from a per-thread pool that getrandom fills 4 KiB at a time. Nothing to call: lws calls it. */
#ifndef SIOCRYPT_WSRANDOM_H
#define SIOCRYPT_WSRANDOM_H
#include <stdint.h>

/* Bytes handed out on this thread so far (tests: lws's own calls reach the pool). */
uint64_t wsrandom_served(void);

#endif
