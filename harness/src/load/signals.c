/* signals: see signals.h. */
#include <signal.h>
#include <time.h>
#include "load/signals.h"

void signals_block(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int signals_wait(long ms)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    int sig = sigtimedwait(&set, NULL, &ts);
    return sig == SIGINT || sig == SIGTERM ? sig : 0;
}
