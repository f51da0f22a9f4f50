/* ramp: the knee of a stepped run, and its table as JSON and Markdown. */
#include "report/ramp.h"
#include "report/jsonx.h"
#include "report/writers.h"   /* report_md_escape */
#include <cjson/cJSON.h>
#include <stdlib.h>

int ramp_knee(const ramp_row *rows, size_t n, int *saturated)
{
    *saturated = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].pass) {
            *saturated = 1;
            return (int)i - 1;
        }
    }
    return n ? (int)n - 1 : -1;
}

int ramp_to_json(const ramp_row *rows, size_t n, const char *scenario, buf *out)
{
    int saturated, knee = ramp_knee(rows, n, &saturated);
    cJSON *root = cJSON_CreateObject();
    jsonx_add_str(root, "schema", "siocrypt-ramp/1");
    jsonx_add_str(root, "scenario", scenario);
    cJSON *steps = cJSON_AddArrayToObject(root, "steps");
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddNumberToObject(s, "clients", rows[i].clients);
        cJSON_AddNumberToObject(s, "round_trips_per_s", rows[i].round_trips_per_s);
        cJSON_AddNumberToObject(s, "p50_ms", rows[i].p50_ms);
        cJSON_AddNumberToObject(s, "p99_ms", rows[i].p99_ms);
        cJSON_AddNumberToObject(s, "verified", (double)rows[i].verified);
        cJSON_AddNumberToObject(s, "errors", (double)rows[i].errors);
        cJSON_AddBoolToObject(s, "pass", rows[i].pass);
        jsonx_add_str(s, "report", rows[i].dir);
        cJSON_AddItemToArray(steps, s);
    }
    if (knee >= 0) {
        cJSON *k = cJSON_AddObjectToObject(root, "knee");
        cJSON_AddNumberToObject(k, "clients", rows[knee].clients);
        cJSON_AddNumberToObject(k, "round_trips_per_s", rows[knee].round_trips_per_s);
        cJSON_AddNumberToObject(k, "p99_ms", rows[knee].p99_ms);
        cJSON_AddBoolToObject(k, "beyond_last_step", !saturated);
    } else {
        cJSON_AddNullToObject(root, "knee");
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) return -1;
    int rc = buf_append_str(out, text);
    buf_append_char(out, '\n');
    free(text);
    return rc;
}

int ramp_to_md(const ramp_row *rows, size_t n, const char *scenario, buf *out)
{
    int saturated, knee = ramp_knee(rows, n, &saturated);
    buf_printf(out, "## Ramp: ");
    report_md_escape(out, scenario);
    buf_printf(out, "\n\n| clients | round trips/s | p50 ms | p99 ms | verified | errors | thresholds |\n"
                    "|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "| %d | %.1f | %.3f | %.3f | %llu | %llu | %s%s |\n", rows[i].clients,
                   rows[i].round_trips_per_s, rows[i].p50_ms, rows[i].p99_ms, (unsigned long long)rows[i].verified,
                   (unsigned long long)rows[i].errors, rows[i].pass ? "pass" : "FAIL",
                   (int)i == knee ? " (knee)" : "");
    if (knee < 0)
        buf_printf(out, "\nNo knee: the first step (%d clients) already failed.\n", n ? rows[0].clients : 0);
    else if (!saturated)
        buf_printf(out, "\nEvery step passed: the knee is beyond %d clients (%.1f round trips/s).\n",
                   rows[knee].clients, rows[knee].round_trips_per_s);
    else
        buf_printf(out, "\nKnee: %d clients, %.1f round trips/s (p99 %.3f ms); %d clients broke a threshold.\n",
                   rows[knee].clients, rows[knee].round_trips_per_s, rows[knee].p99_ms, rows[knee + 1].clients);
    return 0;
}
