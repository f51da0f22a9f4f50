/* summary.md: the tables a person pastes into a pull request. */
#include "report/writers.h"
#include <math.h>
#include <string.h>

static void cell(buf *o, const char *s) { report_md_escape(o, s); }

static void dist_row(buf *o, const char *name, const result_dist *x)
{
    if (!x->count) { buf_printf(o, "| %s | - | - | - | - | - | - | - | 0 |\n", name); return; }
    buf_printf(o, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %llu |\n", name, x->min, x->p50, x->p90,
               x->p99, x->p999, x->max, x->mean, (unsigned long long)x->count);
}

/* A code span in a table cell: '|' still splits a cell there unless escaped; a text with a backtick (a
 * series name can hold one) goes as a plain cell instead. */
static void code_cell(buf *o, const char *s)
{
    if (strchr(s, '`')) { cell(o, s); return; }
    buf_append_char(o, '`');
    for (const char *p = s; *p; p++) {
        if (*p == '|') buf_append_char(o, '\\');
        buf_append_char(o, *p);
    }
    buf_append_char(o, '`');
}

static void md_ms(buf *o, const result_dist *x, double v)
{
    if (x->count) buf_printf(o, " %.3f |", v);
    else buf_printf(o, " - |");
}

/* A flow's steps and `on` handlers, one row each. */
static void md_series(buf *o, const result *r)
{
    const result_derived *d = &r->d;
    if (!d->nseries) return;
    buf_printf(o, "\n| series | kind | sent | ok | failed | p50 ms | p99 ms | max ms | expected | lost | failures |\n"
                  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (size_t i = 0; i < d->nseries; i++) {
        const result_series *a = &d->series[i];
        const stats_series *x = a->s;
        buf f = BUF_INIT;
        buf_printf(o, "| ");
        cell(o, x->name);
        buf_printf(o, " | %s | %llu | %llu | %llu |", x->is_on ? "on" : "step", (unsigned long long)x->sent,
                   (unsigned long long)x->ok, (unsigned long long)x->failed);
        md_ms(o, &a->latency_ms, a->latency_ms.p50);
        md_ms(o, &a->latency_ms, a->latency_ms.p99);
        md_ms(o, &a->latency_ms, a->latency_ms.max);
        if (x->is_on) buf_printf(o, " %llu | %s%llu%s | ", (unsigned long long)x->expected, a->lost ? "**" : "",
                                 (unsigned long long)a->lost, a->lost ? "**" : "");
        else buf_printf(o, " - | - | ");
        report_series_classes(&f, x);
        cell(o, f.len ? buf_cstr(&f) : "-");
        buf_printf(o, " |\n");
        buf_free(&f);
    }
}

int report_md(const result *r, buf *o)
{
    const result_meta *m = &r->meta;
    const result_derived *d = &r->d;
    const stats *s = r->stats;
    char a[32], b[32];

    buf_printf(o, "## siocrypt: ");
    cell(o, m->scenario);
    buf_printf(o, " - %s\n\n", d->pass ? "PASS" : "FAIL");
    buf_printf(o, "| run | |\n|---|---|\n| target | ");
    cell(o, m->target);
    buf_printf(o, " |\n| transport | ");
    cell(o, m->transport);
    buf_printf(o, ", EIO %d |\n| clients / threads | %d / %d, ", m->eio, m->clients, m->threads);
    cell(o, m->model);
    buf_printf(o, " model");
    if (m->rate > 0) buf_printf(o, ", %.1f msg/s offered", m->rate);
    buf_printf(o, " |\n| duration | %.2f s |\n", m->duration_s);
    if (m->instances > 1) buf_printf(o, "| instances merged | %d |\n", m->instances);
    buf_printf(o, "| connections | %llu attempted, %llu established, %llu failed |\n",
               (unsigned long long)s->conn_attempted, (unsigned long long)s->conn_established,
               (unsigned long long)s->conn_failed);
    buf_printf(o, "| round trips | %llu sent, %llu received, %llu verified, %llu unverified |\n",
               (unsigned long long)s->sent, (unsigned long long)s->received, (unsigned long long)s->verified,
               (unsigned long long)d->unverified);
    buf_printf(o, "| throughput | **%.1f round trips/s** over the %.2f s steady window (offered %.1f msg/s) |\n",
               d->round_trips_per_s, d->window_s, d->offered_per_s);
    buf_printf(o, "| phases | ramp %.2f s, steady %.2f s, drain %.2f s, close %.2f s |\n", m->ramp_s, d->window_s,
               m->drain_s, m->close_s);
    if (r->stats->tls_version[0] || r->stats->tls_insecure)
        buf_printf(o, "| tls | %s %s%s |\n", r->stats->tls_version, r->stats->tls_cipher,
                   r->stats->tls_insecure ? " **INSECURE (-k): certificates not verified**" : "");
    if (s->ws_opened)
        buf_printf(o, "| websocket | %llu opened, compression %s |\n", (unsigned long long)s->ws_opened,
                   result_ws_compression(s));
    buf_printf(o, "| errors | %llu (rate %.6f) |\n\n", (unsigned long long)d->errors_total, d->error_rate);

    buf_printf(o, "| latency (ms) | min | p50 | p90 | p99 | p99.9 | max | mean | count |\n"
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    dist_row(o, "round trip", &d->latency_ms);
    dist_row(o, "connect", &d->connect_ms);
    if (d->upgrade_ms.count) dist_row(o, "upgrade", &d->upgrade_ms);
    if (d->tls_ms.count) dist_row(o, "tls handshake", &d->tls_ms);
    if (d->reconnect_ms.count) dist_row(o, "reconnect", &d->reconnect_ms);
    md_series(o, r);
    buf_printf(o, "\n| encryption (us) | p50 | p99 | mean | max | count |\n|---|---:|---:|---:|---:|---:|\n");
    buf_printf(o, "| encrypt | %.2f | %.2f | %.2f | %.2f | %llu |\n", d->encrypt_us.p50, d->encrypt_us.p99,
               d->encrypt_us.mean, d->encrypt_us.max, (unsigned long long)d->encrypt_us.count);
    buf_printf(o, "| decrypt | %.2f | %.2f | %.2f | %.2f | %llu |\n\n", d->decrypt_us.p50, d->decrypt_us.p99,
               d->decrypt_us.mean, d->decrypt_us.max, (unsigned long long)d->decrypt_us.count);

    buf_printf(o, "| resources | CPU s | CPU per round trip (us) | max RSS (KiB) | RSS per client (KiB) |\n"
                  "|---|---:|---:|---:|---:|\n");
    buf_printf(o, "| harness | %.2f | %s | %ld | %s |\n", r->harness_cpu_s,
               report_fmt(a, sizeof a, "%.1f", d->harness_cpu_per_rt_us), r->harness_max_rss_kb,
               report_fmt(b, sizeof b, "%.1f", d->harness_rss_per_client_kib));
    if (r->server_measured)
        buf_printf(o, "| server | %.2f | %s | - | - |\n", r->server_cpu_s,
                   report_fmt(a, sizeof a, "%.1f", d->server_cpu_per_rt_us));

    if (d->errors_total) {
        buf_printf(o, "\n| error class | detail | count |\n|---|---|---:|\n");
        for (size_t i = 0; i < s->nerr; i++) {
            buf_printf(o, "| ");
            cell(o, s->err[i].cls);
            buf_printf(o, " | ");
            cell(o, s->err[i].detail[0] ? s->err[i].detail : "-");
            buf_printf(o, " | %llu |\n", (unsigned long long)s->err[i].count);
        }
    }
    if (r->nthresholds) {
        buf_printf(o, "\n| threshold | value | result |\n|---|---:|---|\n");
        for (size_t i = 0; i < r->nthresholds; i++) {
            const threshold *t = &r->thresholds[i];
            buf_printf(o, "| ");
            code_cell(o, t->expr);
            buf_printf(o, " | ");
            if (t->note[0]) cell(o, t->note);
            else buf_printf(o, "%s", report_fmt(a, sizeof a, "%.6g", t->value));
            buf_printf(o, " | %s |\n", t->pass ? "pass" : "**FAIL**");
        }
    }
    if (r->nfindings) {
        buf_printf(o, "\n| finding | severity | detail | evidence |\n|---|---|---|---|\n");
        for (size_t i = 0; i < r->nfindings; i++) {
            const result_finding *f = &r->findings[i];
            buf_printf(o, "| ");
            cell(o, f->id);
            buf_printf(o, " | %s | ", f->severity);
            cell(o, f->detail);
            buf_printf(o, " | ");
            cell(o, f->evidence);
            buf_printf(o, " |\n");
        }
    }
    if (r->nprobes) {
        buf_printf(o, "\n| probe | ran | outcome | detail | health after it |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < r->nprobes; i++) {
            const result_probe *p = &r->probes[i];
            buf_printf(o, "| ");
            cell(o, p->name);
            buf_printf(o, " | %s | ", p->ran ? "yes" : "**no**");
            cell(o, p->outcome);
            buf_printf(o, " | ");
            cell(o, p->detail);
            buf_printf(o, " | ");
            cell(o, p->health[0] ? p->health : "-");
            buf_printf(o, " |\n");
        }
    }
    return buf_printf(o, "\n") < 0 ? -1 : 0;
}
