/* threshold: pass/fail conditions on a run's result, from the scenario or `--threshold 'p99_ms<50'`.
 * Form: <metric><op><number>, spaces allowed, op one of < <= > >=.
 * Metrics (values as result.c derives them):
 *   p50_ms p90_ms p99_ms p999_ms max_ms mean_ms   round-trip latency (ms); no round trips -> fails
 *   round_trips_per_s                              verified round trips per second of the run
 *   error_rate                                     errors / (messages sent + connections attempted)
 *   errors                                         error count, all classes
 *   connect_failures                               connections that failed
 *   unverified                                     messages sent but not verified */
#ifndef SIOCRYPT_THRESHOLD_H
#define SIOCRYPT_THRESHOLD_H
#include "base/buf.h"

typedef enum threshold_op { THRESHOLD_LT, THRESHOLD_LE, THRESHOLD_GT, THRESHOLD_GE } threshold_op;

typedef struct threshold {
    char expr[96];        /* normalised text: "p99_ms<50" */
    char metric[24];
    threshold_op op;
    double limit;
    /* set by threshold_eval */
    double value;         /* NaN when the run has no such figure (e.g. latency without round trips) */
    int pass;
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
