/* fuzz_metrics_http: what the --metrics-listen listener reads from a scraper, on hostile bytes: the request
 * (metrics_http_route) and, up to the first newline, an Accept value (metrics_http_wants_openmetrics).
 * Properties:
 *   - the status is one of 200, 400, 404, 405;
 *   - 200 only for a request that starts "GET /metrics" or "HEAD /metrics" (head set exactly for HEAD),
 *     followed by a space or a '?', with "HTTP/1." on its first line;
 *   - OpenMetrics only when the request names application/openmetrics-text (in any case);
 *   - a request past METRICS_HTTP_MAX_REQUEST bytes, or with a NUL, is 400. */
#include <string.h>
#include <strings.h>
#include "fuzz.h"
#include "net/metrics_http.h"

static int names_openmetrics(const uint8_t *d, size_t n)
{
    static const char om[] = "application/openmetrics-text";
    for (size_t i = 0; i + sizeof om - 1 <= n; i++)
        if (!strncasecmp((const char *)d + i, om, sizeof om - 1)) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int head = -1, om = -1;
    int st = metrics_http_route((const char *)data, size, &head, &om);
    FUZZ_ASSERT(st == 200 || st == 400 || st == 404 || st == 405);
    if (size > METRICS_HTTP_MAX_REQUEST || memchr(data, 0, size)) FUZZ_ASSERT(st == 400);
    if (st == 200) {
        int is_head = size >= 13 && !memcmp(data, "HEAD /metrics", 13);
        FUZZ_ASSERT(is_head || (size >= 12 && !memcmp(data, "GET /metrics", 12)));
        size_t at = is_head ? 13 : 12;
        FUZZ_ASSERT(at < size && (data[at] == ' ' || data[at] == '?'));
        FUZZ_ASSERT(head == is_head);
        const uint8_t *eol = memchr(data, '\n', size);
        FUZZ_ASSERT(memmem(data, eol ? (size_t)(eol - data) : size, "HTTP/1.", 7) != NULL);
        if (om) FUZZ_ASSERT(names_openmetrics(data, size));
    } else {
        FUZZ_ASSERT(head == 0 && om == 0);
    }
    /* the first line alone as an Accept value */
    char v[512];
    size_t n = size;
    const uint8_t *nl = memchr(data, '\n', size);
    if (nl) n = (size_t)(nl - data);
    if (n >= sizeof v) n = sizeof v - 1;
    memcpy(v, data, n);
    v[n] = '\0';
    if (metrics_http_wants_openmetrics(v)) FUZZ_ASSERT(names_openmetrics((const uint8_t *)v, strlen(v)));
    return 0;
}
