/* report.json: the result's JSON, pretty-printed (one key per line, histogram pairs inline). */
#include "report/writers.h"
#include "report/jsonx.h"

int report_json(const result *r, buf *out) { return jsonx_print(result_to_json(r), out); }
