/* report: write the five files atomically, and the stdout summary. */
#include "report.h"
#include "text.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Both escapers clean first (text.h), so no writer can print a byte a server or a user chose as it came:
 * after cleaning there is no invalid UTF-8 and no character XML 1.0 forbids (not even as a reference). */
static const char *cleaned(buf *tmp, const char *s)
{
    if (text_clean(tmp, s, strlen(s), SIZE_MAX, TEXT_MULTILINE) < 0) buf_clear(tmp);
    return buf_cstr(tmp);
}

void report_xml_escape(buf *out, const char *s)
{
    buf tmp = BUF_INIT;
    for (const char *p = cleaned(&tmp, s); *p; p++) {
        switch (*p) {
        case '&': buf_append_str(out, "&amp;"); break;
        case '<': buf_append_str(out, "&lt;"); break;
        case '>': buf_append_str(out, "&gt;"); break;
        case '"': buf_append_str(out, "&quot;"); break;
        case '\'': buf_append_str(out, "&#39;"); break;
        default: buf_append_char(out, *p);
        }
    }
    buf_free(&tmp);
}

void report_md_escape(buf *out, const char *s)
{
    buf tmp = BUF_INIT;
    for (const char *p = cleaned(&tmp, s); *p; p++) {
        if (*p == '|' || *p == '`' || *p == '\\' || *p == '<' || *p == '*' || *p == '_') buf_append_char(out, '\\');
        if (*p == '\n' || *p == '\t') buf_append_char(out, ' ');   /* a table cell is one line */
        else buf_append_char(out, *p);
    }
    buf_free(&tmp);
}

const char *report_fmt(char *tmp, size_t cap, const char *fmt, double v)
{
    if (isnan(v)) snprintf(tmp, cap, "-");
    else snprintf(tmp, cap, fmt, v);
    return tmp;
}

static int mkdir_p(const char *dir, buf *err)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        buf_printf(err, "%s: path too long", dir);
        return -1;
    }
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(path, 0777) < 0 && errno != EEXIST) {
                buf_printf(err, "%s: cannot create directory: %s", path, strerror(errno));
                return -1;
            }
            *p = c;
            if (!c) break;
        }
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        buf_printf(err, "%s: not a directory", dir);
        return -1;
    }
    return 0;
}

int report_write_file(const char *dir, const char *name, const buf *content, buf *err)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%ld", dir, name, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) { buf_printf(err, "%s: cannot create: %s", tmp, strerror(errno)); return -1; }
    size_t off = 0;
    while (off < content->len) {
        ssize_t n = write(fd, content->data + off, content->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            buf_printf(err, "%s: write failed: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 && errno != EINVAL) {
        buf_printf(err, "%s: fsync failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) < 0) {
        buf_printf(err, "%s: rename failed: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int report_write_all(const result *r, const char *dir, buf *err)
{
    static const struct { const char *name; int (*render)(const result *, buf *); } files[] = {
        {"report.json", report_json}, {"summary.md", report_md}, {"junit.xml", report_junit},
        {"latency.hgrm", report_hgrm}, {"report.html", report_html},
    };
    if (mkdir_p(dir, err) < 0) return -1;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        buf b = BUF_INIT;
        if (files[i].render(r, &b) < 0) {
            buf_printf(err, "%s/%s: out of memory while rendering", dir, files[i].name);
            buf_free(&b);
            return -1;
        }
        int rc = report_write_file(dir, files[i].name, &b, err);
        buf_free(&b);
        if (rc < 0) return -1;
    }
    return 0;
}

/* ---- stdout summary, in the manner of wrk ----
 * Names, URLs, details and findings in it came from the user and the server: the summary is built in a
 * buffer and written through text_fwrite, so no escape sequence or other control reaches the terminal. */

void report_print_summary(FILE *f, const result *r)
{
    const result_meta *m = &r->meta;
    const result_derived *d = &r->d;
    const stats *s = r->stats;
    char a[32], b[32], c[32], e[32];
    buf text = BUF_INIT, *o = &text;   /* the whole summary, cleaned once on its way to the terminal */

    buf_printf(o, "siocrypt %s: scenario '%s' against %s\n", m->version, m->scenario, m->target);
    buf_printf(o, "  %s, EIO %d, %d clients on %d threads, %s model", m->transport[0] ? m->transport : "?", m->eio,
            m->clients, m->threads, m->model[0] ? m->model : "?");
    if (m->rate > 0) buf_printf(o, " at %.1f msg/s", m->rate);
    buf_printf(o, ", %.2fs\n", m->duration_s);
    if (m->instances > 1) buf_printf(o, "  merged from %d instances\n", m->instances);
    buf_printf(o, "  Connections  %llu attempted, %llu established, %llu failed, %llu closed\n",
            (unsigned long long)s->conn_attempted, (unsigned long long)s->conn_established,
            (unsigned long long)s->conn_failed, (unsigned long long)s->conn_closed);
    buf_printf(o, "  Round trips  %llu sent, %llu received, %llu verified, %llu unverified\n",
            (unsigned long long)s->sent, (unsigned long long)s->received, (unsigned long long)s->verified,
            (unsigned long long)d->unverified);
    buf_printf(o, "  Throughput   %.1f round trips/s over the %.2f s steady window (offered %.1f msg/s)\n",
               d->round_trips_per_s, d->window_s, d->offered_per_s);
    buf_printf(o, "  Phases       ramp %.2f s, steady %.2f s, drain %.2f s, close %.2f s\n", m->ramp_s, d->window_s,
               m->drain_s, m->close_s);
    if (s->late || s->held)
        buf_printf(o, "  Late         %llu answers after their timeout (p50 %.1f ms, max %.1f ms); %llu sends held at "
                   "max_inflight\n", (unsigned long long)s->late, d->late_ms.p50, d->late_ms.max,
                   (unsigned long long)s->held);
    buf_printf(o, "  %-14s %9s %9s %9s %9s %9s %9s %9s\n", "Latency (ms)", "min", "p50", "p90", "p99", "p99.9", "max", "mean");
    const struct { const char *name; const result_dist *x; } rows[] = {
        {"round trip", &d->latency_ms}, {"connect", &d->connect_ms}, {"upgrade", &d->upgrade_ms},
    };
    for (size_t i = 0; i < 3; i++) {
        const result_dist *x = rows[i].x;
        if (!x->count && i) continue;
        buf_printf(o, "  %-14s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", rows[i].name, x->min, x->p50, x->p90,
                x->p99, x->p999, x->max, x->mean);
    }
    buf_printf(o, "  Encryption   encrypt p50 %.1f us p99 %.1f us, decrypt p50 %.1f us p99 %.1f us\n",
            d->encrypt_us.p50, d->encrypt_us.p99, d->decrypt_us.p50, d->decrypt_us.p99);
    if (!d->errors_total) buf_printf(o, "  Errors       none\n");
    else {
        buf_printf(o, "  Errors       %llu (rate %.6f):", (unsigned long long)d->errors_total, d->error_rate);
        for (size_t i = 0; i < d->nclasses; i++)
            buf_printf(o, "%s %s %llu", i ? "," : "", d->classes[i].cls, (unsigned long long)d->classes[i].count);
        buf_printf(o, "\n");
    }
    buf_printf(o, "  CPU          harness %.2f s (%s us/round trip), max RSS %ld KiB (%s KiB/client)",
            r->harness_cpu_s, report_fmt(a, sizeof a, "%.1f", d->harness_cpu_per_rt_us), r->harness_max_rss_kb,
            report_fmt(b, sizeof b, "%.1f", d->harness_rss_per_client_kib));
    if (r->server_measured)
        buf_printf(o, "; server %.2f s (%s us/round trip)", r->server_cpu_s,
                report_fmt(c, sizeof c, "%.1f", d->server_cpu_per_rt_us));
    buf_printf(o, "\n");
    for (size_t i = 0; i < r->nthresholds; i++) {
        const threshold *t = &r->thresholds[i];
        buf_printf(o, "  %-12s %s %s (value %s)\n", i ? "" : "Thresholds", t->pass ? "pass" : "FAIL", t->expr,
                report_fmt(e, sizeof e, "%.6g", t->value));
    }
    for (size_t i = 0; i < r->nfindings; i++)
        buf_printf(o, "  %-12s [%s] %s: %s\n", i ? "" : "Findings", r->findings[i].severity, r->findings[i].id,
                r->findings[i].detail);
    for (size_t i = 0; i < r->nprobes; i++) {
        const result_probe *p = &r->probes[i];
        buf_printf(o, "  %-12s %-20s %-13s %s%s%s\n", i ? "" : "Probes", p->name, p->outcome, p->detail,
                p->health[0] ? "; health " : "", p->health);
    }
    if (d->pass) buf_printf(o, "  Result       PASS\n");
    else {
        buf_printf(o, "  Result       FAIL:");
        const char *sep = " ";
        if (d->unverified) { buf_printf(o, "%s%llu unverified", sep, (unsigned long long)d->unverified); sep = ", "; }
        if (d->errors_total) { buf_printf(o, "%s%llu errors", sep, (unsigned long long)d->errors_total); sep = ", "; }
        if (s->conn_failed) { buf_printf(o, "%s%llu connections failed", sep, (unsigned long long)s->conn_failed); sep = ", "; }
        if (d->thresholds_failed) { buf_printf(o, "%s%zu thresholds failed", sep, d->thresholds_failed); sep = ", "; }
        if (d->findings_high) buf_printf(o, "%s%zu high findings", sep, d->findings_high);
        buf_printf(o, "\n");
    }
    if (m->out_dir[0]) {
        buf_printf(o, "  Reports      %s/{report.json,summary.md,junit.xml,latency.hgrm,report.html}\n", m->out_dir);
        buf_printf(o, "  HTML         %s/report.html\n", m->out_dir);
    }
    text_fwrite(f, buf_cstr(&text), text.len);
    buf_free(&text);
}
