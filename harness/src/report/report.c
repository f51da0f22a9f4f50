/* report: write the six files atomically, and the stdout summary. */
#include "report/report.h"
#include "report/writers.h"

#define REPORT_NFILES 6
#define REPORT_DIR_MAX 960                 /* bytes of --out: room for step-NN-Mc/ and temporary names */
#define REPORT_PROBE_NAME "siocrypt-write-probe"
#include "base/text.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/* The series' failures by class, "timeout 2, mismatch 1", for the summaries and junit.xml. */
void report_series_classes(buf *o, const stats_series *x)
{
    for (size_t k = 0; k < x->nfail; k++)
        buf_printf(o, "%s%s %llu", k ? ", " : "", x->fail[k].cls, (unsigned long long)x->fail[k].count);
}

/* dir shortened for messages: a path too long to use is also too long to print whole */
static void report_show(char *out, size_t cap, const char *dir)
{
    if (strlen(dir) < 80) snprintf(out, cap, "%s", dir);
    else snprintf(out, cap, "%.60s...(%zu bytes)", dir, strlen(dir));
}

/* mkdir -p; *created says whether the last component was made here (so a failed check can remove it). */
static int mkdir_p(const char *dir, int *created, buf *err)
{
    char path[4096];
    *created = 0;
    if (!dir[0]) return buf_fail(err, "empty path");
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return buf_fail(err, "%s: path too long", dir);
    for (char *p = path + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            int made = mkdir(path, 0777) == 0;
            if (!made && errno != EEXIST)
                return buf_fail(err, "%s: cannot create directory: %s", path, strerror(errno));
            *p = c;
            if (!c) { *created = made; break; }
        }
    }
    struct stat st;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) return buf_fail(err, "%s: not a directory", dir);
    return 0;
}

/* dir + "/" + prefix + name + suffix into out; -1 when it does not fit. */
static int report_path(char *out, size_t cap, const char *dir, const char *prefix, const char *name,
                       const char *suffix)
{
    int n = snprintf(out, cap, "%s/%s%s%s", dir, prefix, name, suffix);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* Write content to path (a temporary name), all of it, then fsync and close; any failure on the way (a
 * short write on a full disk, EIO at fsync or close) removes the file and says why. */
static int report_write_tmp(const char *tmp, const buf *content, buf *err)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return buf_fail(err, "%s: cannot create: %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < content->len) {
        ssize_t n = write(fd, content->data + off, content->len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            buf_fail(err, "%s: write failed after %zu of %zu bytes: %s", tmp, off, content->len,
                     n < 0 ? strerror(errno) : "no progress");
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)n;
    }
    if (fsync(fd) < 0 && errno != EINVAL) {
        buf_fail(err, "%s: fsync failed: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    if (close(fd) < 0) {
        buf_fail(err, "%s: close failed: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int report_write_file(const char *dir, const char *name, const buf *content, buf *err)
{
    char path[4096], tmp[4096], suffix[32];
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    if (report_path(path, sizeof path, dir, "", name, "") < 0 || report_path(tmp, sizeof tmp, dir, ".", name, suffix) < 0)
        return buf_fail(err, "%s/%s: path too long", dir, name);
    if (report_write_tmp(tmp, content, err) < 0) return -1;
    if (rename(tmp, path) < 0) {
        buf_fail(err, "%s: rename failed: %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int report_prepare_dir(const char *dir, buf *err)
{
    static const buf probe = {"siocrypt write probe\n", 21, 22, 0};
    char shown[128], path[4096];
    int created;
    report_show(shown, sizeof shown, dir);
    if (!dir[0]) return buf_fail(err, "empty path");
    if (strlen(dir) > REPORT_DIR_MAX)
        return buf_fail(err, "%s: path too long (%zu bytes; at most %d)", shown, strlen(dir), REPORT_DIR_MAX);
    for (const char *p = dir; *p; p += strspn(p, "/")) {
        size_t n = strcspn(p, "/");
        if (n > NAME_MAX) return buf_fail(err, "%s: a path component is longer than %d bytes", shown, NAME_MAX);
        p += n;
    }
    if (mkdir_p(dir, &created, err) < 0) return -1;
    /* root ignores permission bits: only really writing a file shows a read-only mount, an immutable
     * folder or a full disk */
    if (report_write_file(dir, REPORT_PROBE_NAME, &probe, err) < 0) {
        char why[512];
        snprintf(why, sizeof why, "%s", buf_cstr(err));
        buf_fail(err, "%s: cannot write a file there (%s)", shown, why);
        if (created) rmdir(dir);
        return -1;
    }
    report_path(path, sizeof path, dir, "", REPORT_PROBE_NAME, "");
    unlink(path);
    return 0;
}

typedef struct report_file {
    const char *name;
    int (*render)(const result *, buf *);
} report_file;

static const report_file report_files[REPORT_NFILES] = {
    {"report.json", report_json}, {"summary.md", report_md}, {"junit.xml", report_junit},
    {"latency.hgrm", report_hgrm}, {"latency.hlog", report_hlog}, {"report.html", report_html},
};

/* Undo a set that could not be completed: the temporaries not yet renamed, the files already renamed. */
static void report_unlink_set(char (*tmp)[4096], char (*path)[4096], size_t tmps, size_t from, size_t renamed)
{
    for (size_t i = from; i < tmps; i++) unlink(tmp[i]);
    for (size_t i = 0; i < renamed; i++) unlink(path[i]);
}

/* The set: the six files, then latency.<name>.hgrm per series (result.c names them; at most
 * STATS_MAX_SERIES). */
static size_t report_set_size(const result *r)
{
    return REPORT_NFILES + (r->d.nseries < STATS_MAX_SERIES ? r->d.nseries : STATS_MAX_SERIES);
}

static const char *report_set_name(const result *r, size_t i)
{
    return i < REPORT_NFILES ? report_files[i].name : r->d.series[i - REPORT_NFILES].hgrm;
}

static int report_set_render(const result *r, size_t i, buf *b)
{
    return i < REPORT_NFILES ? report_files[i].render(r, b) : report_hgrm_series(r, i - REPORT_NFILES, b);
}

/* All or none: each is rendered and written to a temporary first, and only when every one of them is
 * complete on disk are they renamed into place. So a full disk or an I/O error never leaves a report.json
 * that says PASS beside a missing junit.xml, and the summary never lists a file that is not there. */
int report_write_all(const result *r, const char *dir, buf *err)
{
    char suffix[32];
    int created;
    size_t i, n = report_set_size(r);
    if (mkdir_p(dir, &created, err) < 0) return -1;
    char (*tmp)[4096] = malloc(n * sizeof *tmp), (*path)[4096] = malloc(n * sizeof *path);
    if (!tmp || !path) {
        free(tmp);
        free(path);
        return buf_fail(err, "%s: out of memory", dir);
    }
    int rc = 0;
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    for (i = 0; i < n && rc == 0; i++) {
        const char *name = report_set_name(r, i);
        buf b = BUF_INIT;
        rc = -1;
        if (report_path(path[i], sizeof path[i], dir, "", name, "") < 0 ||
            report_path(tmp[i], sizeof tmp[i], dir, ".", name, suffix) < 0)
            buf_fail(err, "%s/%s: path too long", dir, name);
        else if (report_set_render(r, i, &b) < 0) buf_fail(err, "%s/%s: out of memory while rendering", dir, name);
        else rc = report_write_tmp(tmp[i], &b, err);
        buf_free(&b);
        if (rc < 0) report_unlink_set(tmp, path, i, 0, 0);
    }
    for (i = 0; i < n && rc == 0; i++) {
        if (rename(tmp[i], path[i]) < 0) {
            buf_fail(err, "%s: rename failed: %s", path[i], strerror(errno));
            report_unlink_set(tmp, path, n, i, i);
            rc = -1;
        }
    }
    free(tmp);
    free(path);
    return rc;
}

int report_write_set(const char *dir, const char *const *names, const buf *contents, size_t n, buf *err)
{
    char (*tmp)[4096] = calloc(n ? n : 1, sizeof *tmp), (*path)[4096] = calloc(n ? n : 1, sizeof *path), suffix[32];
    int created, rc = -1;
    size_t i;
    if (!tmp || !path) { buf_fail(err, "%s: out of memory", dir); goto done; }
    if (mkdir_p(dir, &created, err) < 0) goto done;
    snprintf(suffix, sizeof suffix, ".tmp.%ld", (long)getpid());
    for (i = 0; i < n; i++) {
        int bad = report_path(path[i], sizeof path[i], dir, "", names[i], "") < 0 ||
                  report_path(tmp[i], sizeof tmp[i], dir, ".", names[i], suffix) < 0;
        if (bad) buf_fail(err, "%s/%s: path too long", dir, names[i]);
        if (bad || report_write_tmp(tmp[i], &contents[i], err) < 0) { report_unlink_set(tmp, path, i, 0, 0); goto done; }
    }
    for (i = 0; i < n; i++) {
        if (rename(tmp[i], path[i]) < 0) {
            buf_fail(err, "%s: rename failed: %s", path[i], strerror(errno));
            report_unlink_set(tmp, path, n, i, i);
            goto done;
        }
    }
    rc = 0;
done:
    free(tmp);
    free(path);
    return rc;
}

int report_save(result *r, const char *dir, buf *err)
{
    if (report_write_all(r, dir, err) == 0) return 0;
    result_add_finding(r, "report-not-written", "high", buf_cstr(err), NULL);
    RESULT_SET(r->meta.out_dir, "");      /* the summary lists no files */
    result_finish(r);
    return -1;
}

/* ---- stdout summary, in the manner of wrk ----
 * Names, URLs, details and findings in it came from the user and the server: the summary is built in a
 * buffer and written through text_fwrite, so no escape sequence or other control reaches the terminal. */

/* One line per series (a flow's steps and `on` handlers), and its failures by class below it. */
static void summary_series(buf *o, const result *r)
{
    const result_derived *d = &r->d;
    if (!d->nseries) return;
    buf_printf(o, "  %-14s %-4s %9s %9s %9s %9s %9s %9s %9s %9s\n", "Series", "kind", "sent", "ok", "failed", "p50 ms",
               "p99 ms", "max ms", "expected", "lost");
    for (size_t i = 0; i < d->nseries; i++) {
        const result_series *a = &d->series[i];
        const stats_series *x = a->s;
        char p50[32], p99[32], max[32];
        int lat = a->latency_ms.count > 0;
        buf_printf(o, "  %-14s %-4s %9llu %9llu %9llu %9s %9s %9s", x->name, x->is_on ? "on" : "step",
                   (unsigned long long)x->sent, (unsigned long long)x->ok, (unsigned long long)x->failed,
                   report_fmt(p50, sizeof p50, "%.3f", lat ? a->latency_ms.p50 : NAN),
                   report_fmt(p99, sizeof p99, "%.3f", lat ? a->latency_ms.p99 : NAN),
                   report_fmt(max, sizeof max, "%.3f", lat ? a->latency_ms.max : NAN));
        if (x->is_on) buf_printf(o, " %9llu %9llu\n", (unsigned long long)x->expected, (unsigned long long)a->lost);
        else buf_printf(o, " %9s %9s\n", "-", "-");
        if (x->nfail) {
            buf_printf(o, "  %-14s failed: ", "");
            report_series_classes(o, x);
            buf_printf(o, "\n");
        }
    }
}

/* The per-series .hgrm files beside the five. */
static void summary_series_files(buf *o, const result *r)
{
    size_t n = report_set_size(r);
    if (n == REPORT_NFILES) return;
    buf_printf(o, "  Per series   %s/{", r->meta.out_dir);
    for (size_t i = REPORT_NFILES; i < n; i++) buf_printf(o, "%s%s", i > REPORT_NFILES ? "," : "", report_set_name(r, i));
    buf_printf(o, "}\n");
}

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
    if (s->drops || s->reconnects)
        buf_printf(o, "  Reconnects   %llu drops, %llu reconnected (reconnect p50 %.1f ms, max %.1f ms)\n",
                   (unsigned long long)s->drops, (unsigned long long)s->reconnects, d->reconnect_ms.p50,
                   d->reconnect_ms.max);
    if (s->ws_opened)
        buf_printf(o, "  Websocket    %llu opened, compression %s (%llu negotiated permessage-deflate)\n",
                   (unsigned long long)s->ws_opened, result_ws_compression(s), (unsigned long long)s->ws_deflate);
    if (s->late || s->held)
        buf_printf(o, "  Late         %llu answers after their timeout (p50 %.1f ms, max %.1f ms); %llu sends held at "
                   "max_inflight\n", (unsigned long long)s->late, d->late_ms.p50, d->late_ms.max,
                   (unsigned long long)s->held);
    buf_printf(o, "  %-14s %9s %9s %9s %9s %9s %9s %9s\n", "Latency (ms)", "min", "p50", "p90", "p99", "p99.9", "max", "mean");
    const struct { const char *name; const result_dist *x; } rows[] = {
        {"round trip", &d->latency_ms}, {"connect", &d->connect_ms}, {"upgrade", &d->upgrade_ms},
        {"tls handshake", &d->tls_ms},
        {"reconnect", &d->reconnect_ms},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const result_dist *x = rows[i].x;
        if (!x->count && i) continue;
        buf_printf(o, "  %-14s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", rows[i].name, x->min, x->p50, x->p90,
                x->p99, x->p999, x->max, x->mean);
    }
    summary_series(o, r);
    if (s->tls_version[0]) buf_printf(o, "  TLS          %s, %s\n", s->tls_version, s->tls_cipher);
    if (s->tls_insecure)
        buf_printf(o, "  TLS          INSECURE (-k): server certificates were NOT verified\n");
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
        if (t->note[0])
            buf_printf(o, "  %-12s %s %s (%s)\n", i ? "" : "Thresholds", t->pass ? "pass" : "FAIL", t->expr, t->note);
        else
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
        buf_printf(o, "  Reports      %s/{report.json,summary.md,junit.xml,latency.hgrm,latency.hlog,report.html}\n", m->out_dir);
        summary_series_files(o, r);
        buf_printf(o, "  HTML         %s/report.html\n", m->out_dir);
    }
    text_fwrite(f, buf_cstr(&text), text.len);
    buf_free(&text);
}
