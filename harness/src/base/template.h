/* template: "{{client}}" in a value the user wrote (a header, a query value, a string of the v5 auth
 * object) stands for the client's global index, so each client can send its own token. The placeholder
 * is 10 characters and an int has at most 10 digits: an expanded value is never longer than the written
 * one, so a limit checked on the template holds for every client. */
#ifndef SIOCRYPT_TEMPLATE_H
#define SIOCRYPT_TEMPLATE_H
#include "base/buf.h"

#define TEMPLATE_CLIENT "{{client}}"
#define TEMPLATE_CLIENT_ESCAPED "%7B%7Bclient%7D%7D"   /* the same in a percent-encoded query */

/* Appends s[0..n) to out with every placeholder (TEMPLATE_CLIENT or another spelling of it) replaced by
 * client in decimal. -1 on ENOMEM. */
int template_expand(buf *out, const char *s, size_t n, const char *placeholder, int client);

#endif
