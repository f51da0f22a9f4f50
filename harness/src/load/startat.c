/* startat: see startat.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "base/clock.h"
#include "load/signals.h"
#include "load/startat.h"

#define STARTAT_MAX_WAIT_S 86400.0     /* a day: anything further is a typo, not a plan */

/* "30", "30s", "250ms", "2m", "1h" as seconds; -1 when it is none of them. */
static double startat_duration(const char *t)
{
    static const struct { const char *unit; double scale; } units[] = {{"", 1}, {"s", 1}, {"ms", 1e-3}, {"m", 60}, {"h", 3600}};
    char *end;
    if (!strchr("0123456789.", t[0]) || !t[0]) return -1;
    errno = 0;
    double d = strtod(t, &end);
    if (errno || !isfinite(d) || d < 0) return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(end, units[i].unit)) return d * units[i].scale;
    return -1;
}

int startat_parse(const char *text, int64_t *deadline_ns, buf *err)
{
    int64_t now = clock_now_ns(), wall = clock_wall_ns();
    double in_s;
    if (text[0] == '+') {
        in_s = startat_duration(text + 1);
        if (in_s < 0) return buf_fail(err, "--start-at '%s': +DURATION as +30s, +250ms, +2m, +1h", text);
    } else {
        char *end;
        errno = 0;
        double at = strtod(text, &end);
        /* unix seconds: a plain decimal, no hex or exponent tricks, after 2001 and before 2100 */
        if (!text[0] || *end || errno || !isfinite(at) || strspn(text, "0123456789.") != strlen(text) ||
            at < 1e9 || at > 4102444800.0)
            return buf_fail(err, "--start-at '%s': Unix seconds (e.g. %lld.5) or +DURATION (+30s)", text,
                            (long long)(wall / 1000000000));
        in_s = at - (double)wall / 1e9;
    }
    if (in_s > STARTAT_MAX_WAIT_S)
        return buf_fail(err, "--start-at '%s': %.0f s from now, more than a day", text, in_s);
    *deadline_ns = now + (int64_t)(in_s * 1e9);
    return 0;
}

int startat_wait(int64_t deadline_ns, double *late_s)
{
    int64_t now = clock_now_ns();
    *late_s = now - deadline_ns > 1000000000LL ? (double)(now - deadline_ns) / 1e9 : 0;
    for (; now < deadline_ns; now = clock_now_ns()) {
        int64_t left_ms = (deadline_ns - now + 999999) / 1000000;
        int sig = signals_wait(left_ms > 1000 ? 1000 : (long)left_ms);
        if (sig) return sig;
    }
    return 0;
}
