/* fuzz_scenario: the scenario reader on hostile bytes.
 * An input starting with '!' is a list of command-line overrides, "key=value" per line, applied to the
 * defaults; anything else is a scenario file. Properties:
 *   - parse/override/validate never crash; a refusal always says why (err is not empty); a failed parse
 *     leaves the scenario zeroed; scenario_free is safe after either;
 *   - the effective scenario written by scenario_to_json reads back (unless an override produced values
 *     the file schema refuses) and writes the same text again (a fixed point). */
#include <string.h>
#include "fuzz.h"
#include "cli/scenario.h"

static void check_fixed_point(const scenario *sc, int from_file)
{
    buf j1 = BUF_INIT, j2 = BUF_INIT, err = BUF_INIT;
    scenario back;
    FUZZ_ASSERT(scenario_to_json(sc, 1, &j1) == 0);
    int rc = scenario_parse(j1.data, j1.len, &back, &err);
    if (from_file) {
        if (rc != 0) fprintf(stderr, "re-read failed: %s\n%s\n", buf_cstr(&err), buf_cstr(&j1));
        FUZZ_ASSERT(rc == 0);
    }
    if (rc == 0) {
        FUZZ_ASSERT(scenario_to_json(&back, 1, &j2) == 0);
        if (strcmp(buf_cstr(&j1), buf_cstr(&j2)))
            fprintf(stderr, "not a fixed point:\n%s\n%s\n", buf_cstr(&j1), buf_cstr(&j2));
        FUZZ_ASSERT(strcmp(buf_cstr(&j1), buf_cstr(&j2)) == 0);
    }
    scenario_free(&back);
    buf_free(&j1);
    buf_free(&j2);
    buf_free(&err);
}

static void check_overrides(const char *s, size_t n)
{
    scenario sc;
    buf err = BUF_INIT;
    FUZZ_ASSERT(scenario_init(&sc) == 0);
    size_t i = 1;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - s) : n;
        char *line = strndup(s + i, end - i);
        FUZZ_ASSERT(line != NULL);
        char *eq = strchr(line, '=');
        if (eq) {
            *eq = '\0';
            buf_clear(&err);
            if (scenario_override(&sc, line, eq + 1, &err) != 0) FUZZ_ASSERT(err.len > 0);
        }
        free(line);
        i = end + 1;
    }
    buf_clear(&err);
    if (scenario_validate(&sc, &err) != 0) FUZZ_ASSERT(err.len > 0);
    check_fixed_point(&sc, 0);
    scenario_free(&sc);
    buf_free(&err);
}

static void check_file(const char *s, size_t n)
{
    scenario sc, zero;
    buf err = BUF_INIT;
    memset(&zero, 0, sizeof zero);
    if (scenario_parse(s, n, &sc, &err) != 0) {
        FUZZ_ASSERT(err.len > 0);
        FUZZ_ASSERT(memcmp(&sc, &zero, sizeof sc) == 0);
    } else {
        buf_clear(&err);
        if (scenario_validate(&sc, &err) != 0) FUZZ_ASSERT(err.len > 0);
        scenario_is_local(&sc);
        check_fixed_point(&sc, 1);
    }
    scenario_free(&sc);
    buf_free(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (size > 0 && s[0] == '!') check_overrides(s, size);
    else check_file(s, size);
    return 0;
}
