/* report.json: the result's JSON, pretty-printed (one key per line, histogram pairs inline). */
#include "report/writers.h"
#include <stdlib.h>

int report_json(const result *r, buf *out)
{
    cJSON *j = result_to_json(r);
    if (!j) return -1;
    char *text = cJSON_Print(j);
    cJSON_Delete(j);
    if (!text) return -1;
    int rc = buf_append_str(out, text) < 0 || buf_append_char(out, '\n') < 0 ? -1 : 0;
    free(text);
    return rc;
}
