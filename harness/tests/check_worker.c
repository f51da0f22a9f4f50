/* worker: a worker_init that fails half-way (here: out of file descriptors at every step in turn) gives
 * back everything it had built; the file descriptors are counted, LeakSanitizer (make asan) sees memory. */
#include <check.h>
#include <dirent.h>
#include <curl/curl.h>
#include <libwebsockets.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>
#include "check_run.h"
#include "base/clock.h"
#include "net/target.h"
#include "load/worker.h"

static int open_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    while (readdir(d)) n++;
    closedir(d);
    return n;
}

START_TEST(test_half_built_worker_is_freed)
{
    run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    target tgt;
    buf err = BUF_INIT;
    target_init(&tgt);
    ck_assert_int_eq(target_parse(&tgt, "http://127.0.0.1:9/", &err), 0);
    ck_assert_int_eq(target_resolve(&tgt, &err), 0);
    cfg.target = &tgt;
    snprintf(cfg.nsp, sizeof cfg.nsp, "/");
    snprintf(cfg.event, sizeof cfg.event, "counter");
    cfg.eio = 4;
    cfg.passphrase = "p";
    cfg.passphrase_len = 1;
    cfg.clients = 4;
    cfg.connect_timeout_ns = cfg.message_timeout_ns = 1000000000;
    lws_set_log_level(0, NULL);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    /* libuv's one-time global init needs a descriptor too (and aborts without one): have it done first */
    uv_loop_t first;
    ck_assert_int_eq(uv_loop_init(&first), 0);
    ck_assert_int_eq(uv_loop_close(&first), 0);
    int base = open_fds(), failed = 0, built = 0;
    /* Each attempt in a child: a failed init must give back every descriptor (and, under make asan, every
     * byte: LeakSanitizer runs when the child exits). A built worker is not taken down there: lws sized for
     * so tight a limit keeps a 30 s timer at destroy (the harness raises the limit before it builds any). */
    for (int extra = 0; extra < 40 && !built; extra++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            struct rlimit rl;
            getrlimit(RLIMIT_NOFILE, &rl);
            rl.rlim_cur = (rlim_t)(base + extra);
            setrlimit(RLIMIT_NOFILE, &rl);
            worker w;
            if (worker_init(&w, 0, &cfg, 0, 4, clock_now_ns()) == 0) _exit(2);
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            exit(open_fds() == base ? 0 : 1);
        }
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) != 1, "limit base+%d: a failed worker_init left descriptors "
                      "open", extra);
        ck_assert_msg(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 2),
                      "limit base+%d: child ended with %d (LeakSanitizer?)", extra, st);
        if (WEXITSTATUS(st) == 2) built = 1;
        else failed++;
    }
    ck_assert_int_ge(failed, 2);   /* it failed at more than one step before it could be built */
    ck_assert(built);
    target_free(&tgt);
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("worker");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_half_built_worker_is_freed);
    suite_add_tcase(s, tc);
    return check_run(s);
}
