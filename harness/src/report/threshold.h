/* threshold: pass/fail conditions on a run's result, from the scenario or `--threshold 'p99_ms<50'`.
 * Form: <metric>[{series}]<op><number>, spaces allowed around the parts, op one of < <= > >=.
 * Metrics (values as result.c derives them):
 *   p50_ms p90_ms p99_ms p999_ms max_ms mean_ms   round-trip latency (ms); no round trips -> fails
 *   round_trips_per_s                              verified round trips per second of the run
 *   error_rate                                     errors / (messages sent + connections attempted)
 *   errors                                         error count, all classes
 *   connect_failures                               connections that failed
 *   unverified                                     messages sent but not verified
 * A series selector names one flow step or `on` handler (report.json's "series", exactly as named there;
 * 1..63 bytes, no '}' and no control characters): p50_ms{say} .. mean_ms{say} its latency,
 * error_rate{say} its failed / sent, errors{say} its failed, lost{fanout} (only with a selector) an `on`
 * handler's expected - ok deliveries. A series the run does not have (or lost{} of a step) is NaN: it
 * fails, and note says why ("no series 'x'"). */
#ifndef SIOCRYPT_THRESHOLD_H
#define SIOCRYPT_THRESHOLD_H
#include "base/buf.h"

typedef enum threshold_op { THRESHOLD_LT, THRESHOLD_LE, THRESHOLD_GT, THRESHOLD_GE } threshold_op;

typedef struct threshold {
    char expr[160];       /* normalised text: "p99_ms<50", "p99_ms{say}<50" */
    char metric[24];
    char series[64];      /* the selector's name; "" without one */
    threshold_op op;
    double limit;
    /* set by threshold_eval */
    double value;         /* NaN when the run has no such figure (e.g. latency without round trips) */
    int pass;
    char note[128];       /* why there is no value ("no series 'x'"); "" otherwise */
} threshold;

struct result;

/* The one parser of thresholds, for the command line, scenario files and reports alike. 0 on success;
 * -1 with a message in err that names the problem but not the text (the caller says where it was):
 * "unknown metric 'p99ms' (known: ...)", "unknown operator '==' (known: < <= > >=)", "expected a ...". */
int  threshold_parse(const char *text, threshold *t, buf *err);
void threshold_eval(threshold *t, const struct result *r);
const char *threshold_op_str(threshold_op op);
const char *threshold_metric_list(void);   /* "p50_ms, p90_ms, ..." for help and error texts */

#endif
