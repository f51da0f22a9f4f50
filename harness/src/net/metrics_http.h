/* metrics_http: the `--metrics-listen` listener. One thread of its own with a poll loop (never a worker's,
 * never the main thread's), serving GET /metrics from a metrics_board (report/metrics.h) in the Prometheus
 * text format, or OpenMetrics when the Accept header asks for application/openmetrics-text.
 *
 * Bounded: at most METRICS_HTTP_MAX_CLIENTS connections at once (one more is answered 503 and closed),
 * request headers read up to METRICS_HTTP_MAX_REQUEST bytes (431 past it), each connection closed
 * METRICS_HTTP_TIMEOUT_MS after it was accepted whatever it did; one request per connection (Connection:
 * close). Anything but GET or HEAD is 405, any path but /metrics 404, a request line that is not HTTP/1.x 400.
 * The thread holds the board's lock only to copy the snapshot, so no scraper, however slow, holds up a
 * worker or the main thread. */
#ifndef SIOCRYPT_METRICS_HTTP_H
#define SIOCRYPT_METRICS_HTTP_H
#include "base/buf.h"
#include "report/metrics.h"

#define METRICS_HTTP_MAX_CLIENTS 8
#define METRICS_HTTP_MAX_REQUEST 8192
#define METRICS_HTTP_TIMEOUT_MS 5000

typedef struct metrics_http metrics_http;

/* spec: "PORT" (127.0.0.1:PORT), "HOST:PORT" (an IPv4 address or a name, first address it resolves to),
 * "[IPv6]:PORT"; port 1..65535. Binds and listens now, so a port in use is known before the run. NULL
 * with why in err (the caller names the option). */
metrics_http *metrics_http_open(const char *spec, metrics_board *board, buf *err);
const char *metrics_http_address(const metrics_http *m);   /* as bound: "127.0.0.1:9464", "[::1]:9464" */
int  metrics_http_start(metrics_http *m);                  /* the thread (every signal blocked in it); -1 */
void metrics_http_close(metrics_http *m);                  /* stop, close every socket, free; NULL: nothing */

/* Whether an Accept header's value asks for OpenMetrics (application/openmetrics-text with q > 0). */
int  metrics_http_wants_openmetrics(const char *accept);
/* What a request (its bytes up to the end of its headers, at most METRICS_HTTP_MAX_REQUEST) gets: 200 for
 * GET or HEAD /metrics[?...] over HTTP/1.x (*head for HEAD, *openmetrics when an Accept line asks for it),
 * 405 for another method, 404 for another path, 400 for anything that is not such a request line (a NUL,
 * a line of more than 299 bytes, not three words, not HTTP/1.x). */
int  metrics_http_route(const char *req, size_t len, int *head, int *openmetrics);

#endif
