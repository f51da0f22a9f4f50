/* writers: what the report writers share, behind report_write_all (report.h): one renderer per file, and
 * the text escaping and number formatting they all use. For the writers (report_*.c, ramp.c) and for tests
 * that render one file alone; a run or a merge needs only report.h. */
#ifndef SIOCRYPT_WRITERS_H
#define SIOCRYPT_WRITERS_H
#include <stddef.h>
#include "base/buf.h"
#include "report/result.h"

/* The renderers behind report_write_all (each appends one file's bytes to out; 0 or -1 on ENOMEM). */
int report_json(const result *r, buf *out);
int report_md(const result *r, buf *out);
int report_junit(const result *r, buf *out);
int report_hgrm(const result *r, buf *out);
int report_hlog(const result *r, buf *out);
int report_html(const result *r, buf *out);
/* latency.<name>.hgrm: series i's latency in latency.hgrm's form (r->d.series[i].hgrm names the file). */
int report_hgrm_series(const result *r, size_t i, buf *out);

/* Shared by the writers: text escaping, and number formatting that prints "-" for NaN. Both escapers clean
 * the text first (text.h), whatever it is: invalid UTF-8 and controls come out as visible escapes. */
void report_xml_escape(buf *out, const char *s);     /* & < > " ' ; for XML and HTML */
void report_md_escape(buf *out, const char *s);      /* | ` \ < * _ escaped, line breaks as spaces: table cells */
const char *report_fmt(char *tmp, size_t cap, const char *fmt, double v);
/* A series' failures by class: "timeout 2, mismatch 1" (nothing when it has none). */
void report_series_classes(buf *out, const stats_series *x);

/* An inline SVG line chart (report.html's), for other pages: x increasing, NaN y values break a line;
 * pct_axis: x is log10(1/(1-p)), labelled as percentiles. */
typedef struct report_series { const char *name, *color; const double *y; } report_series;
void report_chart(buf *o, const char *title, const char *xlabel, const char *ylabel, const double *x, size_t n,
                  const report_series *s, size_t ns, int pct_axis);

#endif
