/* usage: see usage.h. */
#include "base/usage.h"
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

double usage_child_cpu_s(pid_t pid)
{
    char path[64], text[1024], *p;
    unsigned long ut, st;
    ssize_t n;
    int fd;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) return -1;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0) return -1;
    text[n] = '\0';
    /* fields after "(comm)": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    if (!(p = strrchr(text, ')')) ||
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}
