/* The --metrics-listen renderer and snapshots (report/metrics.c) and the listener's address and Accept
 * parsing (net/metrics_http.c): names, label escaping, cumulative buckets, +Inf = _count, both formats. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "base/version.h"
#include "net/metrics_http.h"
#include "report/metrics.h"
#include "report/stats.h"
#include "check_run.h"

/* The value of the sample written exactly as `series` (name and labels) at a line start; -1 if absent. */
static double sample(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, series, n) && l[n] == ' ') return strtod(l + n + 1, NULL);
    return -1;
}

static int has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, line, n) && (l[n] == '\n' || l[n] == '\0')) return 1;
    return 0;
}

static stats *sample_stats(void)
{
    stats *s = stats_new();
    stats_conn_attempt(s, 0);
    stats_conn_attempt(s, 0);
    stats_conn_established(s, 0, 1000);
    stats_conn_failed(s, 0);
    for (int i = 0; i < 10; i++) stats_sent(s, 0);
    for (int i = 0; i < 9; i++) stats_received(s, 0);
    stats_verified(s, 0, 500000);          /* exactly on le="0.0005": counted in it */
    stats_verified(s, 0, 500001);          /* just above: the next bucket */
    stats_verified(s, 0, 20000000000LL);   /* 20 s: +Inf only */
    stats_verified(s, 0, 1);
    stats_error(s, 0, "timeout", NULL);
    stats_error(s, 0, "decrypt", "bad-padding");
    stats_error(s, 0, "decrypt", "bad-json");
    return s;
}

START_TEST(buckets_are_exact_at_the_bounds)
{
    metrics_rtt r;
    memset(&r, 0, sizeof r);
    for (int i = 0; i < METRICS_RTT_BOUNDS; i++) {
        metrics_rtt_record(&r, metrics_rtt_bounds_ns[i]);       /* le: value <= bound */
        metrics_rtt_record(&r, metrics_rtt_bounds_ns[i] + 1);   /* the next one up */
    }
    ck_assert_uint_eq(r.n[0], 1);
    for (int i = 1; i < METRICS_RTT_BOUNDS; i++) ck_assert_uint_eq(r.n[i], 2);
    ck_assert_uint_eq(r.n[METRICS_RTT_BOUNDS], 1);
    for (int i = 1; i < METRICS_RTT_BOUNDS; i++) ck_assert_int_lt(metrics_rtt_bounds_ns[i - 1], metrics_rtt_bounds_ns[i]);
    ck_assert_int_eq(metrics_rtt_bounds_ns[2], 500000);                    /* 0.0005 s .. */
    ck_assert_int_eq(metrics_rtt_bounds_ns[METRICS_RTT_BOUNDS - 1], 10000000000LL);   /* .. 10 s */
    metrics_rtt_record(&r, -5);   /* a clock that went back: the first bucket, nothing off the sum */
    ck_assert_uint_eq(r.n[0], 2);
}
END_TEST

START_TEST(text_format)
{
    stats *st = sample_stats();
    metrics_snap m;
    metrics_snap_from_stats(&m, st);
    m.conns_open = 1;
    m.in_flight = 6;
    m.clients = 2;
    buf out = BUF_INIT;
    ck_assert_int_eq(metrics_render(&m, 0, &out), 0);
    const char *t = out.data;
    ck_assert_double_eq(sample(t, "siocrypt_messages_sent_total"), 10);
    ck_assert_double_eq(sample(t, "siocrypt_messages_received_total"), 9);
    ck_assert_double_eq(sample(t, "siocrypt_round_trips_total"), 4);
    ck_assert_double_eq(sample(t, "siocrypt_errors_total{class=\"decrypt\"}"), 2);
    ck_assert_double_eq(sample(t, "siocrypt_errors_total{class=\"timeout\"}"), 1);
    ck_assert_double_eq(sample(t, "siocrypt_connections_total{state=\"attempted\"}"), 2);
    ck_assert_double_eq(sample(t, "siocrypt_connections_total{state=\"established\"}"), 1);
    ck_assert_double_eq(sample(t, "siocrypt_connections_total{state=\"failed\"}"), 1);
    ck_assert_double_eq(sample(t, "siocrypt_connections_total{state=\"closed\"}"), 0);
    ck_assert_double_eq(sample(t, "siocrypt_reconnects_total"), 0);
    ck_assert_double_eq(sample(t, "siocrypt_connections_open"), 1);
    ck_assert_double_eq(sample(t, "siocrypt_messages_in_flight"), 6);
    ck_assert_double_eq(sample(t, "siocrypt_clients"), 2);
    ck_assert(has_line(t, "# TYPE siocrypt_round_trips_total counter"));
    ck_assert(has_line(t, "# TYPE siocrypt_connections_open gauge"));
    ck_assert(has_line(t, "# TYPE siocrypt_round_trip_seconds histogram"));
    ck_assert(has_line(t, "# TYPE siocrypt_build_info gauge"));
    ck_assert(has_line(t, "siocrypt_build_info{version=\"" SIOCRYPT_VERSION "\"} 1"));
    ck_assert_ptr_null(strstr(t, "# EOF"));
    ck_assert_ptr_null(strstr(t, "# UNIT"));
    /* cumulative buckets, +Inf = _count = the round trips, and the exact sum */
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"0.0001\"}"), 1);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"0.0005\"}"), 2);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"0.001\"}"), 3);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"10.0\"}"), 3);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"+Inf\"}"), 4);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_count"), 4);
    ck_assert(has_line(t, "siocrypt_round_trip_seconds_sum 20.001000002"));
    double prev = 0;
    int nb = 0;
    for (const char *l = t; (l = strstr(l, "siocrypt_round_trip_seconds_bucket{")); l++, nb++) {
        double v = strtod(strchr(l, ' ') + 1, NULL);
        ck_assert_double_ge(v, prev);
        prev = v;
    }
    ck_assert_int_eq(nb, METRICS_RTT_BOUNDS + 1);
    /* every sample is siocrypt_*, every counter's name ends in _total */
    for (const char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (*l == '#') {
            if (!strncmp(l, "# TYPE ", 7) && strstr(l, " counter\n") == strchr(l, '\n') - 8)
                ck_assert_msg(!strncmp(strchr(l, '\n') - 14, "_total", 6), "%.60s", l);
            continue;
        }
        ck_assert_msg(!strncmp(l, "siocrypt_", 9), "%.60s", l);
    }
    buf_free(&out);
    stats_free(st);
}
END_TEST

START_TEST(openmetrics_format)
{
    stats *st = sample_stats();
    metrics_snap m;
    metrics_snap_from_stats(&m, st);
    buf out = BUF_INIT;
    ck_assert_int_eq(metrics_render(&m, 1, &out), 0);
    const char *t = out.data;
    ck_assert_uint_ge(out.len, 6);
    ck_assert_str_eq(t + out.len - 6, "# EOF\n");
    ck_assert_ptr_eq(strstr(t, "# EOF"), t + out.len - 6);   /* once, at the end */
    /* families without _total, samples with it; the info type; the histogram's unit */
    ck_assert(has_line(t, "# TYPE siocrypt_round_trips counter"));
    ck_assert(has_line(t, "# TYPE siocrypt_errors counter"));
    ck_assert(has_line(t, "# TYPE siocrypt_connections counter"));
    ck_assert(has_line(t, "# TYPE siocrypt_build info"));
    ck_assert(has_line(t, "# TYPE siocrypt_round_trip_seconds histogram"));
    ck_assert(has_line(t, "# UNIT siocrypt_round_trip_seconds seconds"));
    ck_assert_ptr_null(strstr(t, "# TYPE siocrypt_round_trips_total"));
    ck_assert_double_eq(sample(t, "siocrypt_round_trips_total"), 4);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_bucket{le=\"+Inf\"}"), 4);
    ck_assert_double_eq(sample(t, "siocrypt_round_trip_seconds_count"), 4);
    ck_assert_double_eq(sample(t, "siocrypt_build_info{version=\"" SIOCRYPT_VERSION "\"}"), 1);
    buf_free(&out);
    stats_free(st);
}
END_TEST

START_TEST(label_escaping)
{
    buf b = BUF_INIT;
    metrics_escape_label(&b, "a\\b\"c\nd");
    ck_assert_str_eq(b.data, "a\\\\b\\\"c\\nd");
    /* through the whole path: an error class as stats keeps it (clean text: a backslash may be in it) */
    metrics_snap m;
    memset(&m, 0, sizeof m);
    metrics_snap_error(&m, "x\\x1b\"q\"", 3);
    metrics_snap_error(&m, "line\nbreak", 1);
    buf_clear(&b);
    metrics_render(&m, 0, &b);
    ck_assert_double_eq(sample(b.data, "siocrypt_errors_total{class=\"x\\\\x1b\\\"q\\\"\"}"), 3);
    ck_assert_double_eq(sample(b.data, "siocrypt_errors_total{class=\"line\\nbreak\"}"), 1);
    buf_free(&b);
}
END_TEST

START_TEST(snapshots_add_and_cap_classes)
{
    metrics_snap a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    char cls[32];
    uint64_t total = 0;
    for (int i = 0; i < 40; i++) {   /* more classes than a snapshot keeps */
        snprintf(cls, sizeof cls, "class-%02d", i);
        metrics_snap_error(&a, cls, (uint64_t)i + 1);
        total += (uint64_t)i + 1;
    }
    ck_assert_uint_eq(a.nerr, METRICS_MAX_CLASSES);
    ck_assert_str_eq(a.err[METRICS_MAX_CLASSES - 1].cls, "(other)");
    uint64_t sum = 0;
    for (size_t i = 0; i < a.nerr; i++) sum += a.err[i].count;
    ck_assert_uint_eq(sum, total);                   /* nothing lost past the cap */
    metrics_snap_error(&b, "class-00", 10);
    b.verified = 7;
    b.conns_open = 3;
    b.rtt.n[2] = 5;
    b.rtt.sum_ns = 99;
    metrics_snap_add(&a, &b);
    ck_assert_uint_eq(a.err[0].count, 11);
    ck_assert_uint_eq(a.verified, 7);
    ck_assert_int_eq(a.conns_open, 3);
    ck_assert_uint_eq(a.rtt.n[2], 5);
    ck_assert_uint_eq(a.rtt.sum_ns, 99);
    /* from stats: errors by class, and classes stats_error_classes does not list still count */
    stats *st = stats_new();
    for (int i = 0; i < 40; i++) {
        snprintf(cls, sizeof cls, "c%02d", i);
        stats_error(st, 0, cls, NULL);
    }
    metrics_snap_from_stats(&a, st);
    sum = 0;
    for (size_t i = 0; i < a.nerr; i++) sum += a.err[i].count;
    ck_assert_uint_eq(sum, 40);
    stats_free(st);
}
END_TEST

START_TEST(accept_header)
{
    /* what Prometheus 2.42 sends */
    ck_assert(metrics_http_wants_openmetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                                             "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
    ck_assert(metrics_http_wants_openmetrics(" APPLICATION/OpenMetrics-Text ; version=1.0.0"));
    ck_assert(metrics_http_wants_openmetrics("text/plain, application/openmetrics-text"));
    ck_assert(!metrics_http_wants_openmetrics("text/plain;version=0.0.4"));
    ck_assert(!metrics_http_wants_openmetrics("*/*"));
    ck_assert(!metrics_http_wants_openmetrics(""));
    ck_assert(!metrics_http_wants_openmetrics("application/openmetrics-text;q=0"));
    ck_assert(!metrics_http_wants_openmetrics("application/openmetrics-textx"));
}
END_TEST

static int route(const char *req, int *head, int *om) { return metrics_http_route(req, strlen(req), head, om); }

START_TEST(routes)
{
    int head, om;
    ck_assert_int_eq(route("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", &head, &om), 200);
    ck_assert(!head && !om);
    ck_assert_int_eq(route("HEAD /metrics?a=b HTTP/1.0\n\n", &head, &om), 200);
    ck_assert(head && !om);
    ck_assert_int_eq(route("GET /metrics HTTP/1.1\r\nAccept: text/plain;q=0.5\r\n"
                           "accept: application/openmetrics-text\r\n\r\n", &head, &om), 200);
    ck_assert(om);
    ck_assert_int_eq(route("POST /metrics HTTP/1.1\r\n\r\n", &head, &om), 405);
    ck_assert_int_eq(route("get /metrics HTTP/1.1\r\n\r\n", &head, &om), 405);   /* methods are case-sensitive */
    ck_assert_int_eq(route("GET / HTTP/1.1\r\n\r\n", &head, &om), 404);
    ck_assert_int_eq(route("GET /metrics/ HTTP/1.1\r\n\r\n", &head, &om), 404);
    ck_assert_int_eq(route("GET /metricsx HTTP/1.1\r\n\r\n", &head, &om), 404);
    ck_assert_int_eq(route("GET /metrics HTTP/2.0\r\n\r\n", &head, &om), 400);
    ck_assert_int_eq(route("GET /metrics\r\nHTTP/1.1: x\r\n\r\n", &head, &om), 400);
    ck_assert_int_eq(route("GET /metrics HTTP/1.1 x\r\n\r\n", &head, &om), 400);
    ck_assert_int_eq(route("GET  /metrics HTTP/1.1\r\n\r\n", &head, &om), 400);   /* one space between words */
    ck_assert_int_eq(route("GET /metrics HTTP/1.1 \r\n\r\n", &head, &om), 400);
    ck_assert_int_eq(route("\r\n\r\n", &head, &om), 400);
    ck_assert_int_eq(metrics_http_route("GET /metrics HTTP/1.1\0\r\n\r\n", 26, &head, &om), 400);
    char big[METRICS_HTTP_MAX_REQUEST + 2];
    memset(big, 'a', sizeof big);
    ck_assert_int_eq(metrics_http_route(big, sizeof big, &head, &om), 400);
}
END_TEST

START_TEST(listen_addresses)
{
    metrics_board board;
    metrics_board_init(&board);
    buf err = BUF_INIT;
    const char *bad[] = {"", "abc", "0", "65536", "127.0.0.1:", ":9464", "127.0.0.1:x", "::1:9464", "[::1]",
                         "[::1]9464", "[nothing]:9464", "127.0.0.1:99999", "no-such-host.invalid:9464"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        buf_clear(&err);
        metrics_http *m = metrics_http_open(bad[i], &board, &err);
        ck_assert_msg(!m && err.len, "'%s' was taken", bad[i]);
    }
    /* a bare port is loopback; the same port again is in use */
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    getsockname(s, (struct sockaddr *)&a, &len);
    char spec[16];
    snprintf(spec, sizeof spec, "%u", ntohs(a.sin_port));
    close(s);
    metrics_http *m = metrics_http_open(spec, &board, &err);
    ck_assert_ptr_nonnull(m);
    char want[32];
    snprintf(want, sizeof want, "127.0.0.1:%s", spec);
    ck_assert_str_eq(metrics_http_address(m), want);
    buf_clear(&err);
    ck_assert_ptr_null(metrics_http_open(want, &board, &err));
    ck_assert_msg(strstr(err.data, "in use") != NULL, "%s", err.data);
    metrics_http_close(m);
    metrics_http_close(NULL);
    buf_free(&err);
    metrics_board_destroy(&board);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");
    tcase_add_test(tc, buckets_are_exact_at_the_bounds);
    tcase_add_test(tc, text_format);
    tcase_add_test(tc, openmetrics_format);
    tcase_add_test(tc, label_escaping);
    tcase_add_test(tc, snapshots_add_and_cap_classes);
    tcase_add_test(tc, accept_header);
    tcase_add_test(tc, routes);
    tcase_add_test(tc, listen_addresses);
    suite_add_tcase(s, tc);
    return check_run(s);
}
