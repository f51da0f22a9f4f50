/* stats: what one worker thread measures. One per worker, no locks: the worker's hot path calls the
 * stats_* recorders (each a few adds, at most one histogram record, no allocation except the first time
 * an error class or a new wall second is seen); at the end the workers' stats are merged into one with
 * stats_merge, and result.c reads the merged one.
 *
 * Times: now_ns is CLOCK_MONOTONIC in ns, durations are ns. The timeline is keyed by WALL-CLOCK second
 * (Unix time), so reports of instances on different machines line up in `siocrypt merge`: stats_new
 * samples CLOCK_REALTIME - CLOCK_MONOTONIC once and uses that offset for the life of the stats
 * (stats_set_epoch overrides it, e.g. so all workers share one offset, or in tests).
 *
 * Errors are counted per (class, detail): the class is the stable key of errors{} in the report
 * ("decrypt", "connect", "timeout", ...), the optional detail a finer reason ("bad-padding"). A call
 * with cls "decrypt:bad-padding" and NULL detail is the same as ("decrypt", "bad-padding"), so either
 * spelling works. Totals per class always count every error; details are a breakdown within it. Both are
 * kept as clean text (text.h: valid UTF-8, controls escaped as \xNN), class names cut at 63 bytes, details
 * at 159, never inside a character (a cut text ends in "..."), and
 * past STATS_MAX_ERROR_KINDS distinct pairs new details are counted as "(other)" of their class. */
#ifndef SIOCRYPT_STATS_H
#define SIOCRYPT_STATS_H
#include <stdint.h>
#include <stddef.h>
#include "report/hist.h"
#include "report/metrics.h"
#include "report/timeline.h"

#define STATS_MAX_ERROR_KINDS 256

#define STATS_MAX_SERIES 64
#define STATS_SERIES_MAX_CLASSES 16

/* A named series: one flow step ("say") or `on` handler ("fanout") (load/flow.c). Its failures are counted
 * here by class as well as in the run's errors{} (the caller calls stats_error too). */
typedef struct stats_series {
    char name[64];
    int is_on;                            /* 1: received events (an `on` handler); 0: a step (emit or wait) */
    uint64_t sent;                        /* steps: emits made / waits begun; handlers: events received */
    uint64_t ok, failed;
    uint64_t expected;                    /* handlers: deliveries the senders were told to expect (fan-out) */
    hist *latency;                        /* ns */
    struct { char cls[64]; uint64_t count; } fail[STATS_SERIES_MAX_CLASSES];   /* past 16: "(other)" */
    size_t nfail;
} stats_series;

typedef struct stats_error_kind {
    char cls[64];
    char detail[160];     /* "" when none was given */
    uint64_t count;
} stats_error_kind;

/* Read-only outside stats.c. */
typedef struct stats {
    uint64_t conn_attempted, conn_established, conn_failed, conn_closed;
    uint64_t sent, received, verified;
    uint64_t late;                        /* answers to messages already given up on (timed out) */
    uint64_t held;                        /* open model: sends not made because a client had max_inflight */
    uint64_t errors;                      /* all stats_error calls */
    uint64_t drops, reconnects;           /* reconnection: connected sessions lost, and sessions connected again */
    uint64_t ws_opened, ws_deflate;       /* websockets opened, and how many of them negotiated permessage-deflate */
    hist *rtt, *connect, *upgrade, *encrypt, *decrypt;   /* ns each */
    metrics_rtt rtt_fixed;                /* the round trips again, in --metrics-listen's fixed buckets */
    hist *late_rtt;                       /* latency of the late answers, from their intended send time */
    hist *tls;                            /* TLS handshakes (ns): one per new TLS connection, any transport */
    char tls_version[32], tls_cipher[64]; /* negotiated, from the first TLS handshake seen; "" without TLS */
    int tls_insecure;                     /* -k: certificates were not verified */
    hist *reconnect;                      /* reconnection: from the drop to the socket.io CONNECT again */
    /* The steady window, where load was offered: from the end of the ramp (or the first send, if later) to
     * the last send, on the monotonic clock. Recorders keep the raw marks; stats_window reads them. */
    int64_t win_from_ns;                  /* the end of the ramp (stats_window_from); 0 = the first send */
    int64_t first_send_ns, last_send_ns, last_verified_ns;
    uint64_t verified_before_win, sent_before_win;   /* before win_from_ns */
    uint64_t verified_at_last_send;
    int win_merged;                       /* after stats_merge or a report read back: the win_* below hold it */
    int64_t win_ns;
    uint64_t win_verified, win_sent;
    stats_error_kind *err;                /* nerr distinct (class, detail) pairs, in order first seen */
    size_t nerr, caperr;
    timeline tl;
    int64_t wall_minus_mono_ns;
    stats_series *series;                 /* nseries of them; every worker adds the same names in the same order */
    size_t nseries;
} stats;

stats *stats_new(void);                   /* NULL on ENOMEM */
void   stats_free(stats *s);
void   stats_set_epoch(stats *s, int64_t mono_ns, int64_t wall_ns);  /* the two clocks at one instant */
int64_t stats_wall_second(const stats *s, int64_t now_ns);           /* the timeline key of now_ns */

void stats_conn_attempt(stats *s, int64_t now_ns);
void stats_conn_established(stats *s, int64_t now_ns, int64_t connect_ns); /* TCP start .. socket.io CONNECT */
void stats_conn_failed(stats *s, int64_t now_ns);    /* counts the attempt only; say why with stats_error */
void stats_conn_closed(stats *s, int64_t now_ns);    /* only for connections that were established */
void stats_sent(stats *s, int64_t now_ns);
void stats_received(stats *s, int64_t now_ns);
void stats_verified(stats *s, int64_t now_ns, int64_t rtt_ns);
void stats_encrypt_ns(stats *s, int64_t ns);
void stats_decrypt_ns(stats *s, int64_t ns);
void stats_upgrade_ns(stats *s, int64_t ns);
/* A TLS handshake took ns; version ("TLSv1.3") and cipher (NULL: not known here) are kept from the first
 * one only, as are those stats_tls_names gives. */
void stats_tls(stats *s, int64_t ns, const char *version, const char *cipher);
void stats_tls_names(stats *s, const char *version, const char *cipher);
void stats_tls_insecure(stats *s);                                   /* -k: certificates not verified */
void stats_drop(stats *s);                                           /* a connected client lost its session */
void stats_reconnected(stats *s, int64_t since_drop_ns);             /* ...and is connected again */
void stats_ws_open(stats *s, int deflate);                         /* a websocket is up; deflate: negotiated */
void stats_late(stats *s, int64_t now_ns, int64_t rtt_ns);          /* an answer after its timeout */
void stats_held(stats *s);                                           /* a send held back at max_inflight */
void stats_error(stats *s, int64_t now_ns, const char *cls, const char *detail_or_NULL);

/* Named series. stats_series_add: the index of name (added when new; -1 on ENOMEM or past STATS_MAX_SERIES).
 * The recorders take that index; an index out of range is ignored. */
int  stats_series_add(stats *s, const char *name, int is_on);
void stats_series_sent(stats *s, int i);
void stats_series_ok(stats *s, int i, int64_t latency_ns);          /* latency_ns < 0: none measured */
void stats_series_failed(stats *s, int i, const char *cls);
void stats_series_expected(stats *s, int i, uint64_t n);
/* n failures of cls at once, for a report read back (also counts them in failed). 0, or -1 for a bad index. */
int  stats_series_fail_add(stats *s, int i, const char *cls, uint64_t n);

/* The steady window. stats_window_from: where it may start at the earliest (the end of the ramp).
 * stats_window: its length, the round trips verified in it and the messages sent in it (the load offered). One instance: from max(ramp end, first send)
 * to the last send, and what was verified in between; without such a span (a single message) it falls back
 * to first send .. last verified answer. Merged (workers, reports): the longest window and the sum of
 * verified round trips, since instances run side by side. */
void stats_window_from(stats *s, int64_t from_ns);
typedef struct stats_win { int64_t ns; uint64_t verified, sent; } stats_win;
stats_win stats_window(const stats *s);
void stats_set_window(stats *s, stats_win w);                       /* from a report read back */

/* Add src into dst (counts, histograms, errors, timeline by wall second, series by name). 0, -1 on ENOMEM. */
int  stats_merge(stats *dst, const stats *src);
/* Fold the timeline's current second in; readers (result.c) call it before they read. */
void stats_flush(stats *s);

/* Error totals by class (the report's errors{}): fills up to cap entries, returns the number of classes. */
typedef struct stats_class_total { const char *cls; uint64_t count; } stats_class_total;
size_t stats_error_classes(const stats *s, stats_class_total *out, size_t cap);
/* Add count errors of (cls, detail) with no timeline entry (used when reading a report back). */
int  stats_error_add(stats *s, const char *cls, const char *detail, uint64_t count);

#endif
