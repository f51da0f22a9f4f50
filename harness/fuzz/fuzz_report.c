/* fuzz_report: what `siocrypt merge` does with a report.json it is given, on hostile bytes.
 * The input is parsed with cJSON and read with result_from_json; an accepted report is finished,
 * rendered by every writer into memory, written back as JSON and read again, and merged into a fresh
 * result. Properties:
 *   - nothing crashes, leaks or reads out of bounds (ASan/UBSan), a refusal says why;
 *   - report.json round-trips: read back with result_from_json, it renders the same report.json;
 *   - merging an accepted report into a fresh result succeeds and renders;
 *   - every series gets its own latency.<name>.hgrm, a safe file name unique in the run;
 *   - every file and the summary are clean text (text.h): valid UTF-8, no control but LF and TAB, whatever
 *     bytes or escapes the input's strings held. */
#include <string.h>
#include "fuzz.h"
#include "report/result.h"
#include "report/report.h"
#include "report/writers.h"
#include "base/text.h"

static void render_all(const result *r)
{
    int (*renderers[])(const result *, buf *) = {report_json, report_md, report_junit, report_hgrm, report_html};
    buf b = BUF_INIT;
    for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++) {
        buf_clear(&b);
        FUZZ_ASSERT(renderers[i](r, &b) == 0);
        FUZZ_ASSERT(text_is_clean(buf_cstr(&b), b.len, TEXT_MULTILINE));
    }
    /* latency.<name>.hgrm: one per series, a file name of [A-Za-z0-9_.-] only, no two the same */
    FUZZ_ASSERT(r->d.nseries <= STATS_MAX_SERIES);
    for (size_t i = 0; i < r->d.nseries; i++) {
        const char *f = r->d.series[i].hgrm;
        buf_clear(&b);
        FUZZ_ASSERT(report_hgrm_series(r, i, &b) == 0);
        FUZZ_ASSERT(text_is_clean(buf_cstr(&b), b.len, TEXT_MULTILINE));
        FUZZ_ASSERT(!strncmp(f, "latency.", 8) && strlen(f) > 13 && !strcmp(f + strlen(f) - 5, ".hgrm"));
        FUZZ_ASSERT(strspn(f, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(f));
        for (size_t k = 0; k < i; k++) FUZZ_ASSERT(strcmp(f, r->d.series[k].hgrm));
    }
    buf_free(&b);
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    FUZZ_ASSERT(f != NULL);
    report_print_summary(f, r);
    fclose(f);
    FUZZ_ASSERT(text_is_clean(mem, len, TEXT_MULTILINE));
    free(mem);
}

/* report.json is the round-trip form (integers are raw nodes in result_to_json's tree, numbers once
 * printed and parsed again), so the check goes through the text. */
static void check_roundtrip(const buf *json1)
{
    cJSON *j = cJSON_ParseWithLength(json1->data, json1->len);
    FUZZ_ASSERT(j != NULL);
    buf err = BUF_INIT, json2 = BUF_INIT;
    result *back = result_from_json(j, "round-trip", &err);
    if (!back) fprintf(stderr, "re-read failed: %s\n%s\n", buf_cstr(&err), buf_cstr(json1));
    FUZZ_ASSERT(back != NULL);
    result_finish(back);
    FUZZ_ASSERT(report_json(back, &json2) == 0);
    if (strcmp(buf_cstr(json1), buf_cstr(&json2)))
        fprintf(stderr, "round trip differs:\n%s\n----\n%s\n", buf_cstr(json1), buf_cstr(&json2));
    FUZZ_ASSERT(strcmp(buf_cstr(json1), buf_cstr(&json2)) == 0);
    result_free(back);
    cJSON_Delete(j);
    buf_free(&err);
    buf_free(&json2);
}

static void check_merge(const result *r)
{
    result *dst = result_new();
    buf err = BUF_INIT, b = BUF_INIT;
    FUZZ_ASSERT(dst != NULL);
    if (result_merge(dst, r, &err) != 0) FUZZ_ASSERT(err.len > 0);
    result_finish(dst);
    FUZZ_ASSERT(report_json(dst, &b) == 0);
    buf_clear(&b);
    FUZZ_ASSERT(report_md(dst, &b) == 0);
    result_exit_code(dst);
    result_free(dst);
    buf_free(&err);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = cJSON_ParseWithLength((const char *)data, size);
    if (!j) return 0;
    buf err = BUF_INIT, json1 = BUF_INIT;
    result *r = result_from_json(j, "fuzz", &err);
    cJSON_Delete(j);
    if (!r) {
        FUZZ_ASSERT(err.len > 0);
        buf_free(&err);
        return 0;
    }
    result_finish(r);
    int ec = result_exit_code(r);
    FUZZ_ASSERT(ec == 0 || ec == 1);
    FUZZ_ASSERT(report_json(r, &json1) == 0);
    render_all(r);
    check_roundtrip(&json1);
    check_merge(r);
    result_free(r);
    buf_free(&err);
    buf_free(&json1);
    return 0;
}
