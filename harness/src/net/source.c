/* source: local addresses to connect from (see source.h). */
#include "net/source.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int source_push(source_list *l, int family, const void *bin, buf *err)
{
    char text[INET6_ADDRSTRLEN];
    if (l->n >= SOURCE_MAX) return buf_fail(err, "more than %d source addresses", SOURCE_MAX);
    if (!inet_ntop(family, bin, text, sizeof text)) return buf_fail(err, "bad address");
    char **a = realloc(l->addr, (l->n + 1) * sizeof *a);
    if (a) l->addr = a;
    int *f = realloc(l->family, (l->n + 1) * sizeof *f);
    if (f) l->family = f;
    if (!a || !f || !(l->addr[l->n] = strdup(text))) return buf_fail(err, "out of memory");
    l->family[l->n++] = family;
    return 0;
}

/* One address or one IPv4 range, as text of len bytes. */
static int source_add_one(source_list *l, const char *s, size_t len, buf *err)
{
    char text[2 * INET6_ADDRSTRLEN + 2];
    struct in6_addr a6;
    struct in_addr lo, hi;
    if (len == 0 || len >= sizeof text) return buf_fail(err, "'%.*s': not an IPv4 or IPv6 address", (int)(len > 80 ? 80 : len), s);
    memcpy(text, s, len);
    text[len] = '\0';
    if (inet_pton(AF_INET6, text, &a6) == 1) return source_push(l, AF_INET6, &a6, err);
    char *dash = strchr(text, '-');
    if (dash) *dash = '\0';
    if (inet_pton(AF_INET, text, &lo) != 1)
        return buf_fail(err, "'%s': not an IPv4 or IPv6 address%s", text, dash ? " (ranges are A-B of IPv4 addresses)" : "");
    if (!dash) return source_push(l, AF_INET, &lo, err);
    if (inet_pton(AF_INET, dash + 1, &hi) != 1)
        return buf_fail(err, "'%s': not an IPv4 address (ranges are A-B of IPv4 addresses)", dash + 1);
    uint32_t a = ntohl(lo.s_addr), b = ntohl(hi.s_addr);
    if (a > b) return buf_fail(err, "'%s-%s': the range runs backwards", text, dash + 1);
    if ((uint64_t)b - a + 1 + l->n > SOURCE_MAX) return buf_fail(err, "more than %d source addresses", SOURCE_MAX);
    for (uint64_t x = a; x <= b; x++) {
        struct in_addr one = {htonl((uint32_t)x)};
        if (source_push(l, AF_INET, &one, err) < 0) return -1;
    }
    return 0;
}

int source_add(source_list *l, const char *item, buf *err)
{
    const char *p = item;
    for (;;) {
        size_t len = strcspn(p, ",");
        while (len && (*p == ' ')) { p++; len--; }   /* "a, b" as well as "a,b" */
        while (len && p[len - 1] == ' ') len--;
        if (source_add_one(l, p, len, err) < 0) return -1;
        p += strcspn(p, ",");
        if (!*p) return 0;
        p++;
    }
}

void source_free(source_list *l)
{
    for (size_t i = 0; i < l->n; i++) free(l->addr[i]);
    free(l->addr);
    free(l->family);
    memset(l, 0, sizeof *l);
}

int source_check_family(const source_list *l, int family, const char *dest, buf *err)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (l->family[i] != family)
            return buf_fail(err, "%s is an IPv%d address, but %s is IPv%d: a connection cannot cross families",
                            l->addr[i], l->family[i] == AF_INET6 ? 6 : 4, dest, family == AF_INET6 ? 6 : 4);
    return 0;
}

int source_bind_problem(const char *addr, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) { s4->sin_family = AF_INET; len = sizeof *s4; }
    else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) { s6->sin6_family = AF_INET6; len = sizeof *s6; }
    else return 0;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    int rc = bind(fd, (struct sockaddr *)&ss, len);
    int e = errno;
    close(fd);
    if (rc == 0) return 0;
    snprintf(out, cap, "source address %s: %s%s", addr, strerror(e),
             e == EADDRNOTAVAIL ? " (not an address of this machine)" : "");
    return 1;
}
