/* template: {{client}} expansion (see template.h). */
#include "base/template.h"
#include <string.h>

int template_expand(buf *out, const char *s, size_t n, const char *placeholder, int client)
{
    size_t plen = strlen(placeholder);
    const char *end = s + n;
    while (s < end) {
        const char *at = plen && (size_t)(end - s) >= plen ? memmem(s, (size_t)(end - s), placeholder, plen) : NULL;
        if (!at) return buf_append(out, s, (size_t)(end - s));
        if (buf_append(out, s, (size_t)(at - s)) < 0 || buf_printf(out, "%d", client) < 0) return -1;
        s = at + plen;
    }
    return 0;
}
