/* usage: see usage.h. */
#include "base/usage.h"

double usage_cpu_s(const struct rusage *ru)
{
    return (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6 +
           (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
}

usage_snap usage_self(void)
{
    struct rusage ru;
    usage_snap s = {0, 0};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        s.cpu_s = usage_cpu_s(&ru);
        s.max_rss_kb = ru.ru_maxrss;
    }
    return s;
}

double usage_cpu_since(const usage_snap *s0, const usage_snap *now)
{
    double d = now->cpu_s - (s0 ? s0->cpu_s : 0);
    return d > 0 ? d : 0;
}
