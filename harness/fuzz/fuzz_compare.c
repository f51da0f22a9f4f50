/* fuzz_compare: what `siocrypt compare` does with a --max-regress text and a report.json, on hostile bytes.
 * The input's first line is a gate (compare_gate_parse); the rest a report (cJSON, result_from_json), which
 * is compared with itself (its flow "series" read from the same JSON) and with an empty result. Properties:
 *   - nothing crashes, leaks or reads out of bounds (ASan/UBSan), a refusal says why;
 *   - an accepted gate has a metric, a direction of +1 or -1 and a finite limit >= 0;
 *   - a report compared with itself changes nothing: every row is same or n/a, and the only failed gates
 *     are those on a figure the report lacks (missing);
 *   - every rendering (md, junit, html, the terminal table) is clean text, compare.json parses. */
#include <string.h>
#include <math.h>
#include "fuzz.h"
#include "report/compare.h"
#include "report/result.h"
#include "base/text.h"

static void render_all(const compare *c)
{
    int (*renderers[])(const compare *, buf *) = {compare_md, compare_json, compare_junit, compare_html};
    buf b = BUF_INIT;
    for (size_t i = 0; i < sizeof renderers / sizeof renderers[0]; i++) {
        buf_clear(&b);
        FUZZ_ASSERT(renderers[i](c, &b) == 0);
        FUZZ_ASSERT(text_is_clean(buf_cstr(&b), b.len, TEXT_MULTILINE));
        if (renderers[i] == compare_json) {
            cJSON *j = cJSON_Parse(buf_cstr(&b));
            FUZZ_ASSERT(j != NULL);
            cJSON_Delete(j);
        }
    }
    buf_free(&b);
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    FUZZ_ASSERT(f != NULL);
    compare_print(f, c);
    fclose(f);
    FUZZ_ASSERT(text_is_clean(mem, len, TEXT_MULTILINE));
    free(mem);
}

static void self_compare(const result *r, const cJSON *j, const compare_gate *g, size_t ng)
{
    buf err = BUF_INIT;
    compare *c = compare_new(r, j, "a/report.json", r, j, "a/report.json");
    FUZZ_ASSERT(c != NULL);
    FUZZ_ASSERT(compare_check(c) == 0);
    if (compare_evaluate(c, g, ng, &err) == 0) {
        for (size_t i = 0; i < c->nrows; i++) {
            compare_verdict v = c->rows[i].verdict;
            FUZZ_ASSERT(v == CMP_SAME || v == CMP_NA || v == CMP_PASS || v == CMP_MISSING);
        }
        for (size_t i = 0; i < c->ngates; i++)
            FUZZ_ASSERT(c->gates[i].pass || c->rows[c->gates[i].row].verdict == CMP_MISSING);
        render_all(c);
    } else {
        FUZZ_ASSERT(err.len > 0);
    }
    compare_free(c);
    buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *nl = memchr(p, '\n', size);
    size_t glen = nl ? (size_t)(nl - p) : size;
    char gtext[256];
    if (glen >= sizeof gtext) glen = sizeof gtext - 1;
    memcpy(gtext, p, glen);
    gtext[glen] = '\0';
    compare_gate g;
    size_t ng = 0;
    buf err = BUF_INIT;
    if (compare_gate_parse(gtext, &g, &err) == 0) {
        FUZZ_ASSERT(g.metric[0] && (g.dir == 1 || g.dir == -1) && isfinite(g.limit) && g.limit >= 0);
        ng = 1;
    } else {
        FUZZ_ASSERT(err.len > 0);
    }
    buf_clear(&err);
    size_t off = nl ? (size_t)(nl - p) + 1 : size;
    cJSON *j = cJSON_ParseWithLength(p + off, size - off);
    result *r = j ? result_from_json(j, "fuzz", &err) : NULL;
    if (r) {
        self_compare(r, j, &g, ng);
        result *empty = result_new();
        FUZZ_ASSERT(empty != NULL);
        result_finish(empty);
        compare *c = compare_new(r, j, "a", empty, NULL, "b");
        FUZZ_ASSERT(c != NULL);
        compare_check(c);
        if (compare_evaluate(c, &g, ng, &err) == 0) render_all(c);
        compare_free(c);
        result_free(empty);
    }
    result_free(r);
    cJSON_Delete(j);
    buf_free(&err);
    return 0;
}
