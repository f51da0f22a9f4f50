/* check_localserver: starts the real Node servers (server/, server/v2; needs `make deps`), and small fake
 * servers written here for the failure paths: early exit, no listening line, no handshake, SIGTERM
 * ignored. Also the weakness the harness probes for: the seed server dies on a garbage envelope. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <curl/curl.h>
#include "load/localserver.h"
#include "check_run.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static int file_has(const char *path, const char *needle)
{
    char text[65536];
    size_t n;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return strstr(text, needle) != NULL;
}

/* A project root whose server/<name> is the given script (and a node_modules/socket.io to pass the
 * deps check). */
static char *fake_root_with(const char *name, const char *js)
{
    static char root[64];
    char p[PATH_MAX];
    strcpy(root, "/tmp/check_localserver_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    snprintf(p, sizeof p, "%s/server", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/server/node_modules", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/server/node_modules/socket.io", root);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/server/%s", root, name);
    write_file(p, js);
    return root;
}

static char *fake_root(const char *js)
{
    return fake_root_with("server.js", js);
}

static void rm_root(const char *root)
{
    char cmd[PATH_MAX];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

#define FAKE_HTTP(status, body) \
    "const http = require('http');\n" \
    "const srv = http.createServer((q, r) => { r.writeHead(" status "); r.end('" body "'); });\n" \
    "srv.listen(0, '127.0.0.1', () => console.log('listening on 127.0.0.1:' + srv.address().port));\n"

static size_t collect(char *p, size_t size, size_t n, void *userdata)
{
    buf_append(userdata, p, size * n);
    return size * n;
}

/* One blocking HTTP request; POST when body is not NULL. Returns the status, 0 on transport error. */
static long http(const char *url, const char *body, buf *out)
{
    long code = 0;
    CURL *c = curl_easy_init();
    buf_clear(out);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    if (body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code;
}

START_TEST(find_root)
{
    char p[PATH_MAX];
    unsetenv("SIOCRYPT_ROOT");
    snprintf(p, sizeof p, "%s/server/server.js", localserver_find_root());
    ck_assert_msg(access(p, R_OK) == 0, "no %s", p);
    setenv("SIOCRYPT_ROOT", "/somewhere/else", 1);
    ck_assert_str_eq(localserver_find_root(), "/somewhere/else");
    unsetenv("SIOCRYPT_ROOT");
}
END_TEST

/* The real servers: start, answer the handshake (start checks it), use CPU, stop cleanly with code 0. */
START_TEST(real_server_start_stop)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT, body = BUF_INIT;
    char url[128], want[32];
    double cpu = -1;
    o.v2 = _i;
    o.start_timeout_ms = 20000;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_gt(s.port, 0);
    snprintf(want, sizeof want, "http://127.0.0.1:%d", s.port);
    ck_assert_str_eq(s.url, want);
    ck_assert_int_eq(localserver_alive(&s), 1);
    ck_assert(localserver_cpu_s(&s) > 0);       /* node's start-up alone takes tens of ms */
    /* v4 refuses EIO 3 unless allowEIO3; v2 speaks only EIO 3 */
    snprintf(url, sizeof url, "%s/socket.io/?EIO=3&transport=polling", s.url);
    ck_assert_int_eq(http(url, NULL, &body), _i ? 200 : 400);
    ck_assert_int_eq(localserver_stop(&s, &cpu), 0);
    ck_assert(cpu > 0);
    ck_assert_int_eq(localserver_alive(&s), 0);
    ck_assert(WIFEXITED(s.wstatus) && WEXITSTATUS(s.wstatus) == 0);
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);        /* twice is harmless */
    ck_assert_int_eq(localserver_kill(&s, SIGTERM), -1);    /* nothing left to signal */
    buf_free(&err);
    buf_free(&body);
}
END_TEST

START_TEST(real_server_allow_eio3)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT, body = BUF_INIT;
    char url[128];
    o.allow_eio3 = 1;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    snprintf(url, sizeof url, "%s/socket.io/?EIO=3&transport=polling", s.url);
    ck_assert_int_eq(http(url, NULL, &body), 200);
    ck_assert_ptr_nonnull(strstr(body.data, "\"sid\""));
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);
    buf_free(&err);
    buf_free(&body);
}
END_TEST

/* The seed's weakness, seen from the harness: a garbage envelope over polling kills the default server;
 * alive() notices and keeps the exit status; stop() then reports the unclean end. */
START_TEST(real_server_dies_on_garbage)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT, body = BUF_INIT;
    char base[160], url[256], sid[64] = "";
    const char *p;
    char log[] = "/tmp/check_localserver_log_XXXXXX";
    int fd = mkstemp(log), alive = 1;
    ck_assert_int_ge(fd, 0);
    close(fd);
    o.log_path = log;
    o.log = 1;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    snprintf(base, sizeof base, "%s/socket.io/?EIO=4&transport=polling", s.url);
    ck_assert_int_eq(http(base, NULL, &body), 200);
    ck_assert_ptr_nonnull(p = strstr(body.data, "\"sid\":\""));
    sscanf(p + 7, "%63[^\"]", sid);
    snprintf(url, sizeof url, "%s&sid=%s", base, sid);
    ck_assert_int_eq(http(url, "40", &body), 200);              /* CONNECT to / */
    ck_assert_int_eq(http(url, NULL, &body), 200);              /* < 40{"sid":..}: connected */
    ck_assert_msg(strncmp(body.data, "40", 2) == 0, "%s", body.data);
    http(url, "42[\"counter\",\"not an envelope\"]", &body);    /* the answer may or may not make it */
    for (int i = 0; i < 250 && (alive = localserver_alive(&s)); i++) sleep_ms(20);
    ck_assert_int_eq(alive, 0);
    ck_assert(WIFEXITED(s.wstatus) && WEXITSTATUS(s.wstatus) == 1);
    ck_assert(file_has(log, "SyntaxError"));
    ck_assert(localserver_cpu_s(&s) > 0);
    ck_assert_int_eq(localserver_stop(&s, NULL), -1);
    unlink(log);
    buf_free(&err);
    buf_free(&body);
}
END_TEST

START_TEST(real_server_killed)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    int alive = 1;
    o.v2 = 1;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(localserver_kill(&s, SIGKILL), 0);
    for (int i = 0; i < 100 && (alive = localserver_alive(&s)); i++) sleep_ms(20);
    ck_assert_int_eq(alive, 0);
    ck_assert(WIFSIGNALED(s.wstatus) && WTERMSIG(s.wstatus) == SIGKILL);
    ck_assert_int_eq(localserver_stop(&s, NULL), -1);
    buf_free(&err);
}
END_TEST

/* The settings reach the server as environment, over inherited values; an older run's listening line
 * in an appended log is not mistaken for this one's. */
START_TEST(settings_and_appended_log)
{
    char *root = fake_root("console.log(['env', process.env.PORT, process.env.HOST, process.env.PASSPHRASE,\n"
                           "  process.env.DELAY_MS, process.env.ALLOW_EIO3, process.env.HARDENED,\n"
                           "  process.env.LOG].join(' '));\n"
                           "process.on('SIGTERM', () => process.exit(0));\n"
                           FAKE_HTTP("200", "0{\"sid\":\"fake\"}"));
    char log[PATH_MAX];
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    snprintf(log, sizeof log, "%s/server.log", root);
    write_file(log, "listening on 127.0.0.1:1\n");
    setenv("PORT", "3000", 1);
    setenv("DELAY_MS", "1000", 1);
    o.root = root;
    o.passphrase = "pw with spaces";
    o.delay_ms = 7;
    o.allow_eio3 = 1;
    o.hardened = 1;
    o.log = 0;
    o.log_path = log;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_ne(s.port, 1);
    ck_assert(file_has(log, "env 0 127.0.0.1 pw with spaces 7 1 1 0\n"));
    ck_assert(file_has(log, "listening on 127.0.0.1:1\n"));    /* appended, not truncated */
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);
    unsetenv("PORT");
    unsetenv("DELAY_MS");
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(node_exits_early)
{
    char *root = fake_root("console.error('boom: bad configuration');\nprocess.exit(3);\n");
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    o.root = root;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_msg(strstr(err.data, "node exited before listening (exit code 3)"), "%s", err.data);
    ck_assert_msg(strstr(err.data, "boom: bad configuration"), "%s", err.data);
    ck_assert_int_eq(s.pid, 0);
    ck_assert(access(s.log_path, F_OK) != 0);      /* the temp log is gone */
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(never_listens)
{
    char *root = fake_root("console.log('starting, slowly');\nsetInterval(() => {}, 1000);\n");
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    o.root = root;
    o.start_timeout_ms = 600;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_msg(strstr(err.data, "no 'listening on' line in time"), "%s", err.data);
    ck_assert_msg(strstr(err.data, "starting, slowly"), "%s", err.data);
    ck_assert_int_eq(s.exited, 1);                 /* stopped and reaped */
    ck_assert_int_eq(s.pid, 0);
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(listens_but_no_socketio)
{
    char *root = fake_root(FAKE_HTTP("404", "not here"));
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    o.root = root;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_msg(strstr(err.data, "transport=polling: HTTP 404, body not here"), "%s", err.data);
    ck_assert_int_eq(s.exited, 1);
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(sigterm_ignored)
{
    char *root = fake_root("process.on('SIGTERM', () => console.log('ignoring SIGTERM'));\n"
                           FAKE_HTTP("200", "0{\"sid\":\"fake\"}"));
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    double cpu = -1;
    time_t t0;
    o.root = root;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    t0 = time(NULL);
    ck_assert_int_eq(localserver_stop(&s, &cpu), -1);
    ck_assert(time(NULL) - t0 <= 5);
    ck_assert(WIFSIGNALED(s.wstatus) && WTERMSIG(s.wstatus) == SIGKILL);
    ck_assert(cpu > 0);
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(missing_server_or_deps)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    char *root, p[PATH_MAX];
    o.root = "/nonexistent";
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_str_eq(err.data, "no server at /nonexistent/server/server.js (set SIOCRYPT_ROOT to the project root)");
    root = fake_root("");
    o.root = root;
    o.v2 = 1;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.data, "no server at"));
    rm_root(root);
    root = fake_root("");
    snprintf(p, sizeof p, "%s/server/node_modules/socket.io", root);
    ck_assert_int_eq(rmdir(p), 0);
    o.root = root;
    o.v2 = 0;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_msg(strstr(err.data, "/server has no node_modules/socket.io: run 'make deps' (npm ci)"), "%s", err.data);
    rm_root(root);
    buf_free(&err);
}
END_TEST

static char proc_state(pid_t pid)
{
    char path[64], text[512], *p;
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if (!(f = fopen(path, "r"))) return 0;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    p = strrchr(text, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

/* PR_SET_PDEATHSIG: when the process that started the server dies without stopping it, the server goes. */
START_TEST(server_dies_with_its_parent)
{
    int fds[2];
    pid_t child, server = 0;
    char st = 'R';
    ck_assert_int_eq(pipe(fds), 0);
    child = fork();
    if (child == 0) {
        localserver s;
        localserver_opts o = {0};
        buf err = BUF_INIT;
        close(fds[0]);
        if (localserver_start(&s, &o, &err) == 0 && write(fds[1], &s.pid, sizeof s.pid) == sizeof s.pid) _exit(0);
        _exit(1);
    }
    close(fds[1]);
    ck_assert_int_eq(read(fds[0], &server, sizeof server), (ssize_t)sizeof server);
    close(fds[0]);
    waitpid(child, NULL, 0);
    for (int i = 0; i < 250 && (st = proc_state(server)) && st != 'Z'; i++) sleep_ms(20);
    ck_assert_msg(st == 0 || st == 'Z', "server %d still in state %c", (int)server, st);
}
END_TEST

/* A plain-object join over polling, answered by its ack: proof that the chat app runs, not the counter
 * (which never acks). Engine.IO 3 (socket.io 2) frames each packet as <length>:<packet>, connects the
 * default namespace itself, and may deliver the 40 and the ack in separate polls. */
static void chat_join_polling(const char *base_url, int eio3)
{
    static const char join[] = "420[\"join\",{\"room\":\"r\"}]";
    buf body = BUF_INIT, seen = BUF_INIT;
    char base[160], url[256], sid[64] = "", packet[64];
    const char *p;
    snprintf(base, sizeof base, "%s/socket.io/?EIO=%d&transport=polling", base_url, eio3 ? 3 : 4);
    ck_assert_int_eq(http(base, NULL, &body), 200);
    ck_assert_ptr_nonnull(p = strstr(buf_cstr(&body), "\"sid\":\""));
    sscanf(p + 7, "%63[^\"]", sid);
    snprintf(url, sizeof url, "%s&sid=%s", base, sid);
    if (!eio3) ck_assert_int_eq(http(url, "40", &body), 200);
    if (eio3) snprintf(packet, sizeof packet, "%zu:%s", strlen(join), join);
    else snprintf(packet, sizeof packet, "%s", join);
    ck_assert_int_eq(http(url, packet, &body), 200);
    for (int i = 0; i < 3 && !strstr(buf_cstr(&seen), "430[{\"room\":\"r\",\"members\":1}]"); i++)
        if (http(url, NULL, &body) == 200) buf_append_str(&seen, buf_cstr(&body));
    ck_assert_msg(strstr(buf_cstr(&seen), "430[{\"room\":\"r\",\"members\":1}]"), "no join ack in: %s", buf_cstr(&seen));
    buf_free(&body);
    buf_free(&seen);
}

/* The chat app on socket.io 4 and 2: start waits for its handshake, it answers a join, stops with code 0. */
START_TEST(real_chat_start_stop)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    o.app = "chat";
    o.v2 = _i;
    o.push_ms = -1;
    o.start_timeout_ms = 20000;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_gt(s.port, 0);
    ck_assert_int_eq(localserver_alive(&s), 1);
    chat_join_polling(s.url, _i);
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);
    buf_free(&err);
}
END_TEST

/* app picks the script in the same folder; push_ms reaches the chat as PUSH_MS over an inherited one, and
 * -1 leaves it unset (the server's default). */
START_TEST(chat_app_and_push_ms)
{
    static const char js[] = "console.log('chat PUSH_MS=' + process.env.PUSH_MS);\n"
                             "process.on('SIGTERM', () => process.exit(0));\n"
                             FAKE_HTTP("200", "0{\"sid\":\"fake\"}");
    char *root = fake_root_with("chat-server.js", js);
    char log[PATH_MAX], p[PATH_MAX];
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    snprintf(p, sizeof p, "%s/server/server.js", root);
    write_file(p, "console.log('the counter');\nprocess.exit(4);\n");
    snprintf(log, sizeof log, "%s/server.log", root);
    setenv("PUSH_MS", "999", 1);
    o.root = root;
    o.log_path = log;
    o.app = "chat";
    o.push_ms = 150;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);
    ck_assert(file_has(log, "chat PUSH_MS=150\n"));
    o.push_ms = -1;
    ck_assert_msg(localserver_start(&s, &o, &err) == 0, "%s", buf_cstr(&err));
    ck_assert_int_eq(localserver_stop(&s, NULL), 0);
    ck_assert(file_has(log, "chat PUSH_MS=undefined\n"));
    o.app = "counter";          /* server.js, as with no app */
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_msg(strstr(err.data, "exit code 4") && strstr(err.data, "the counter"), "%s", err.data);
    unsetenv("PUSH_MS");
    rm_root(root);
    buf_free(&err);
}
END_TEST

START_TEST(chat_app_refused)
{
    localserver s;
    localserver_opts o = {0};
    buf err = BUF_INIT;
    o.app = "chat";
    o.v1 = 1;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_str_eq(err.data, "the chat app runs on socket.io 4 and 2, not 1.7 (server/v1)");
    ck_assert_int_eq(s.pid, 0);
    o.app = "dashboard";
    o.v1 = 0;
    ck_assert_int_eq(localserver_start(&s, &o, &err), -1);
    ck_assert_str_eq(err.data, "unknown server app \"dashboard\" (counter or chat)");
    buf_free(&err);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("localserver");
    TCase *tc = tcase_create("localserver");
    int failed;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, find_root);
    tcase_add_loop_test(tc, real_server_start_stop, 0, 2);
    tcase_add_test(tc, real_server_allow_eio3);
    tcase_add_test(tc, real_server_dies_on_garbage);
    tcase_add_test(tc, real_server_killed);
    tcase_add_test(tc, settings_and_appended_log);
    tcase_add_test(tc, node_exits_early);
    tcase_add_test(tc, never_listens);
    tcase_add_test(tc, listens_but_no_socketio);
    tcase_add_test(tc, sigterm_ignored);
    tcase_add_test(tc, missing_server_or_deps);
    tcase_add_test(tc, server_dies_with_its_parent);
    tcase_add_loop_test(tc, real_chat_start_stop, 0, 2);
    tcase_add_test(tc, chat_app_and_push_ms);
    tcase_add_test(tc, chat_app_refused);
    suite_add_tcase(s, tc);
    failed = check_run(s);
    curl_global_cleanup();
    return failed;
}
