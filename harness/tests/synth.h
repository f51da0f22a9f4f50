/* synth.h: a synthetic but realistic run for the report tests (included by check_result.c and
 * check_report.c): clients ramping up over 2 s, lognormal round trips (median ~2 ms), a few
 * errors, 20 seconds of timeline, starting at a given wall second. Deterministic (xorshift). */
#ifndef SYNTH_H
#define SYNTH_H
#include <math.h>
#include "report/result.h"

static uint64_t synth_rng = 0x9E3779B97F4A7C15ULL;
static double synth_u(void)
{
    synth_rng ^= synth_rng << 13; synth_rng ^= synth_rng >> 7; synth_rng ^= synth_rng << 17;
    return ((double)(synth_rng >> 11) + 0.5) / 9007199254740992.0;
}
static double synth_normal(void) { return sqrt(-2 * log(synth_u())) * cos(2 * M_PI * synth_u()); }

/* Fill s with `seconds` seconds of a closed-model run of `clients` clients, wall clock from wall0_s. */
static void synth_fill(stats *s, int64_t wall0_s, int clients, int seconds, int per_client_per_s)
{
    const int64_t S = 1000000000;
    stats_set_epoch(s, 0, wall0_s * S);        /* monotonic 0 is wall0_s */
    for (int c = 0; c < clients; c++) {
        int64_t t = (int64_t)(synth_u() * 2.0 * (double)S);
        stats_conn_attempt(s, t);
        int64_t connect = (int64_t)(exp(log(1.5e6) + 0.3 * synth_normal()));
        stats_conn_established(s, t + connect, connect);
        stats_upgrade_ns(s, (int64_t)(exp(log(0.8e6) + 0.2 * synth_normal())));
    }
    int64_t end = (int64_t)seconds * S;
    int64_t step = S / ((int64_t)clients * per_client_per_s);
    for (int64_t t = 2 * S; t < end - S / 2; t += step) {
        /* a slow patch in second 12, like a GC pause */
        double med = (t / S == 12) ? 6e6 : 2e6;
        int64_t rtt = (int64_t)(exp(log(med) + 0.45 * synth_normal()));
        stats_encrypt_ns(s, (int64_t)(exp(log(3500) + 0.2 * synth_normal())));
        stats_sent(s, t);
        stats_received(s, t + rtt);
        stats_decrypt_ns(s, (int64_t)(exp(log(3000) + 0.2 * synth_normal())));
        stats_verified(s, t + rtt, rtt);
    }
    for (int c = 0; c < clients; c++) stats_conn_closed(s, end - S / 4);
}

/* A chat-like flow's series: "join" (a step: n acks of ~1 ms), "say" (a step: 10 n lognormal ~2 ms acks, 2
 * timeouts and 2 mismatches among them, for n >= 4) and "fanout" (an `on` handler: 9 deliveries per say expected, a few
 * lost and 2 that did not decrypt). The same names in the same order as a flow's workers add them. */
__attribute__((unused)) static void synth_series(stats *s, int n)
{
    int join = stats_series_add(s, "join", 0), say = stats_series_add(s, "say", 0), fan = stats_series_add(s, "fanout", 1);
    for (int i = 0; i < n; i++) {
        stats_series_sent(s, join);
        stats_series_ok(s, join, (int64_t)(exp(log(1e6) + 0.2 * synth_normal())));
    }
    for (int i = 0; i < 10 * n; i++) {
        stats_series_sent(s, say);
        if (i % 10 == 5 && i < 40) stats_series_failed(s, say, i / 10 % 2 ? "timeout" : "mismatch:ack.room");
        else stats_series_ok(s, say, (int64_t)(exp(log(2e6) + 0.45 * synth_normal())));
    }
    stats_series_expected(s, fan, (uint64_t)90 * n);
    for (int i = 0; i < 90 * n - 7; i++) {
        stats_series_sent(s, fan);
        if (i == 11 || i == 12) stats_series_failed(s, fan, "decrypt");
        else stats_series_ok(s, fan, (int64_t)(exp(log(4e6) + 0.5 * synth_normal())));
    }
}

static result *synth_result(int64_t wall0_s, int clients, int seconds)
{
    result *r = result_new();
    RESULT_SET(r->meta.scenario, "counter");
    RESULT_SET(r->meta.target, "http://127.0.0.1:3000/");
    RESULT_SET(r->meta.transport, "websocket");
    RESULT_SET(r->meta.model, "closed");
    r->meta.eio = 4;
    r->meta.clients = clients;
    r->meta.threads = 2;
    r->meta.start_wall_ns = wall0_s * 1000000000;
    r->meta.end_wall_ns = (wall0_s + seconds) * 1000000000;
    r->meta.duration_s = seconds;
    synth_fill(r->stats, wall0_s, clients, seconds, 20);
    r->harness_cpu_s = 3.25;
    r->harness_max_rss_kb = 24000;
    r->server_measured = 1;
    r->server_cpu_s = 7.5;
    return r;
}
#endif
