/* source: the local addresses clients connect from (scenario source_addresses, --source), as tcpkali's
 * interface aliases: client i binds sources[i % n] before it connects, so one process can open more
 * connections to one destination than one local address has ephemeral ports (28,232 by default).
 * Written as a list of IPv4 or IPv6 literals and IPv4 ranges "A-B" ("127.0.0.2-127.0.0.9,::1").
 * Pure but for source_bind_problem, which asks the kernel. */
#ifndef SIOCRYPT_SOURCE_H
#define SIOCRYPT_SOURCE_H
#include <stddef.h>
#include "base/buf.h"

#define SOURCE_MAX 65536          /* addresses in all, ranges expanded */

typedef struct source_list {
    char **addr;                  /* numeric, as inet_ntop writes them */
    int *family;                  /* AF_INET or AF_INET6, per address */
    size_t n;
} source_list;

/* Append the addresses of one item: an IPv4 or IPv6 literal, an IPv4 range A-B (A <= B), or several of them
 * separated by commas. -1 with "'<text>': <problem>" (the caller names the field). */
int  source_add(source_list *l, const char *item, buf *err);
void source_free(source_list *l);
/* The address client `client` connects from; NULL when the list is empty. */
static inline const char *source_for(const source_list *l, int client)
{
    return l && l->n ? l->addr[(size_t)client % l->n] : NULL;
}
/* -1 with a message naming the first address whose family is not `family` (the destination's). */
int  source_check_family(const source_list *l, int family, const char *dest, buf *err);
/* Why a connection from addr could not be made, if binding a socket to it fails (an address that is not
 * this machine's): 1 with "source address A: <strerror>" in out; 0 when it binds (the cause is elsewhere). */
int  source_bind_problem(const char *addr, char *out, size_t cap);

#endif
