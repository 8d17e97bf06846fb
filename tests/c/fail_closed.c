/*
 * Issue 15, "fail closed", through the C ABI (points 1 to 6): a SOCKS proxy
 * is an error, not a panic; environment proxies are used or refused at
 * ci_client_new, naming the variable; a bad proxy port is refused; a 2xx
 * answer with an error Code keeps it (point 4: fixed on main); a proxy
 * password never shows; a hostile error body gives a bounded, printable
 * message.
 *
 * Talks only to servers of its own on 127.0.0.1 (a one-shot canned-answer
 * server below). Prints "N passed, N failed"; exits 1 on any failure.
 * Runs under valgrind and ASan in `make test-c-matrix`.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "emulator_control.h"
#include "check.h"

/* The bounds of src/error.rs (MAX_MESSAGE_BYTES, MAX_FIELD_BYTES). */
#define MAX_MESSAGE_BYTES 2048
#define MAX_FIELD_BYTES 256



/* Whether `s` is NULL or holds no control character (C0, DEL, or a C1 in UTF-8). */
static int printable(const char *s) {
    if (!s) return 1;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return 0;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return 0;
    }
    return 1;
}

static size_t len_or_zero(const char *s) { return s ? strlen(s) : 0; }

/* A loopback port nothing listens on. */
static int closed_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    return ntohs(sa.sin_port);
}

/* A server that answers one connection with `answer` (any bytes) and closes. */
struct canned {
    int listener;
    char addr[32];
    const char *answer;
    size_t answer_len;
    int accepted;
    pthread_t thread;
};

static void *canned_run(void *arg) {
    struct canned *c = arg;
    int fd = accept(c->listener, NULL, NULL);
    if (fd < 0) return NULL;
    c->accepted = 1;
    ctl_socket_timeouts(fd, 5);
    char head[8192];
    size_t got = 0;
    while (got < sizeof head - 1) {
        ssize_t r = read(fd, head + got, sizeof head - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
        head[got] = 0;
        if (strstr(head, "\r\n\r\n")) break;
    }
    size_t sent = 0;
    while (sent < c->answer_len) {
        ssize_t w = write(fd, c->answer + sent, c->answer_len - sent);
        if (w <= 0) break;
        sent += (size_t)w;
    }
    close(fd);
    return NULL;
}

static int canned_start(struct canned *c, const char *answer, size_t len) {
    memset(c, 0, sizeof *c);
    c->answer = answer;
    c->answer_len = len;
    c->listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    if (c->listener < 0 || bind(c->listener, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(c->listener, 4) != 0 ||
        getsockname(c->listener, (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    snprintf(c->addr, sizeof c->addr, "127.0.0.1:%d", ntohs(sa.sin_port));
    return pthread_create(&c->thread, NULL, canned_run, c) == 0 ? 0 : -1;
}

static void canned_finish(struct canned *c) {
    if (!c->accepted) {
        int fd = ctl_connect(c->addr);
        if (fd >= 0) close(fd);
    }
    pthread_join(c->thread, NULL);
    close(c->listener);
}

/* Options reaching the production names through `proxy_url` (no connect_to). */
static ci_client_options proxied(const char *proxy_url) {
    ci_client_options o = ctl_client_options("127.0.0.1:1");
    o.connect_to = NULL;
    o.proxy_mode = proxy_url ? CI_PROXY_MODE_URL : CI_PROXY_MODE_FROM_ENVIRONMENT;
    o.proxy_url = proxy_url;
    o.has_timeout_ms = 1;
    o.timeout_ms = 3000;
    o.has_max_retries = 1;
    o.max_retries = 0;
    return o;
}

/* The error of a pic-bucket call through a client made from `o`, or NULL. */
static ci_error *call(const ci_client_options *o) {
    ci_client *client = NULL;
    ci_error *e = ci_client_new(o, &client);
    if (e) return e;
    ci_query q;
    memset(&q, 0, sizeof q);
    ci_page *page = NULL;
    e = ci_describe_pic_buckets(client, &q, &page);
    ci_free(page);
    ci_free(client);
    return e;
}

static void point_1_socks_is_an_error_not_a_panic(void) {
    char url[64], proxy[64];
    int port = closed_port();
    snprintf(url, sizeof url, "socks5h://127.0.0.1:%d", port);
    snprintf(proxy, sizeof proxy, "proxy 127.0.0.1:%d refused the connection", port);
    ci_client_options o = proxied(url);
    ci_error *e = call(&o);
    CHECK(ci_error_kind(e) == CI_KIND_NETWORK, "1: socks5h proxy: NETWORK, not PANIC");
    CHECK(e && strstr(ci_error_message(e), proxy) != NULL, "1: the SOCKS proxy is named");
    if (e) printf("  1: %s\n", ci_error_message(e));
    ci_free(e);
}

static void point_2_environment_proxies_fail_closed(void) {
    static const char *const vars[] = {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) unsetenv(vars[i]);

    setenv("HTTPS_PROXY", "http://127.0.0.1:3128 ", 1);
    ci_client_options o = proxied(NULL);
    /* HTTPS_PROXY is the variable of https calls. */
    o.scheme = CI_SCHEME_HTTPS;
    ci_client *client = NULL;
    ci_error *e = ci_client_new(&o, &client);
    CHECK(ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT && client == NULL, "2: trailing space in HTTPS_PROXY");
    CHECK(e && strncmp(ci_error_message(e), "HTTPS_PROXY", 11) == 0, "2: the error names HTTPS_PROXY");
    ci_free(e);
    ci_free(client);
    unsetenv("HTTPS_PROXY");

    setenv("ALL_PROXY", "socks9://nonsense", 1);
    e = ci_client_new(&o, &client);
    CHECK(ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, "2: unusable ALL_PROXY alone is refused");
    CHECK(e && strncmp(ci_error_message(e), "ALL_PROXY", 9) == 0, "2: the error names ALL_PROXY");
    ci_free(e);
    ci_free(client);

    /* A valid HTTPS_PROXY wins over the unusable ALL_PROXY, and is used. */
    char url[64], proxy[64];
    int port = closed_port();
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    snprintf(proxy, sizeof proxy, "proxy 127.0.0.1:%d refused", port);
    setenv("HTTPS_PROXY", url, 1);
    e = call(&o);
    CHECK(ci_error_kind(e) == CI_KIND_NETWORK, "2: HTTPS_PROXY used despite ALL_PROXY");
    CHECK(e && strstr(ci_error_message(e), proxy) && strstr(ci_error_message(e), "from HTTPS_PROXY"), "2: through HTTPS_PROXY");
    ci_free(e);
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
}

static void point_3_a_bad_port_is_refused(void) {
    static const char *const urls[] = {"http://127.0.0.1:notaport", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://127.0.0.1:"};
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
        ci_client_options o = proxied(urls[i]);
        ci_client *client = NULL;
        ci_error *e = ci_client_new(&o, &client);
        CHECK(ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT && client == NULL, urls[i]);
        CHECK(e && strstr(ci_error_message(e), "port"), urls[i]);
        ci_free(e);
        ci_free(client);
    }
}

static void point_4_a_2xx_error_code_is_kept(void) {
    static const char answer[] =
        "HTTP/1.1 200 OK\r\nx-ci-request-id: header-id\r\nContent-Length: 97\r\nConnection: close\r\n\r\n"
        "<Response><Code>InternalError</Code><Message>m</Message><RequestId>body-id</RequestId></Response>";
    struct canned c;
    if (canned_start(&c, answer, sizeof answer - 1) != 0) {
        CHECK(0, "4: canned server");
        return;
    }
    ci_client_options o = ctl_client_options(c.addr);
    ci_error *e = call(&o);
    canned_finish(&c);
    CHECK(ci_error_kind(e) == CI_KIND_SERVICE && ci_error_http_status(e) == 200, "4: SERVICE, HTTP 200");
    const char *code = ci_error_code(e), *id = ci_error_request_id(e);
    int fixed = code && strcmp(code, "InternalError") == 0 && id && strcmp(id, "body-id") == 0;
    CHECK(fixed, "4: the body's Code and RequestId, not the header's id");
    ci_free(e);
}

static void point_5_a_password_never_shows(void) {
    const char *secret = "Pr0xyPa55w0rd";
    char url[96];
    snprintf(url, sizeof url, "http://user:%s@127.0.0.1:notaport", secret);
    ci_client_options o = proxied(url);
    ci_error *e = call(&o);
    CHECK(ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, "5: bad URL refused");
    CHECK(e && !strstr(ci_error_message(e), secret), "5: no password in the construction error");
    ci_free(e);
    snprintf(url, sizeof url, "http://user:%s@127.0.0.1:%d", secret, closed_port());
    o = proxied(url);
    e = call(&o);
    CHECK(ci_error_kind(e) == CI_KIND_NETWORK, "5: refused proxy");
    CHECK(e && !strstr(ci_error_message(e), secret), "5: no password in the call's error");
    ci_free(e);
}

static void point_6_hostile_error_text_is_bounded(void) {
    /* Message: ESC sequences, CR LF, BEL, a C1 CSI, then 20 000 bytes. */
    const char *head_fmt = "HTTP/1.1 403 Forbidden\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n";
    const char *open = "<Response><Code>AccessDenied\r\nX-Injected: 1</Code><RequestId>req\x1b[31m";
    const char *middle = "</RequestId><Message>\x1b[2J\x1b]0;pwned\x07\r\nINFO forged log line\xc2\x9b";
    const char *close_ = "</Message></Response>";
    size_t pad = 20000, body_len = strlen(open) + pad + strlen(middle) + pad + strlen(close_);
    char *answer = malloc(body_len + 256);
    int n = snprintf(answer, 256, head_fmt, body_len);
    char *p = answer + n;
    p += sprintf(p, "%s", open);
    memset(p, '9', pad), p += pad;
    p += sprintf(p, "%s", middle);
    memset(p, 'A', pad), p += pad;
    p += sprintf(p, "%s", close_);
    struct canned c;
    if (canned_start(&c, answer, (size_t)(p - answer)) != 0) {
        CHECK(0, "6: canned server");
        free(answer);
        return;
    }
    ci_client_options o = ctl_client_options(c.addr);
    ci_error *e = call(&o);
    canned_finish(&c);
    free(answer);
    CHECK(ci_error_kind(e) == CI_KIND_SERVICE && ci_error_http_status(e) == 403, "6: SERVICE 403");
    const char *m = ci_error_message(e);
    CHECK(m && strlen(m) <= MAX_MESSAGE_BYTES && printable(m), "6: message bounded and printable");
    CHECK(m && strstr(m, "\\u{1b}[2J") && strstr(m, "\\u{d}\\u{a}INFO"), "6: controls shown escaped");
    CHECK(len_or_zero(ci_error_code(e)) <= MAX_FIELD_BYTES && printable(ci_error_code(e)), "6: code bounded");
    CHECK(len_or_zero(ci_error_request_id(e)) <= MAX_FIELD_BYTES && printable(ci_error_request_id(e)), "6: request id bounded");
    if (m) printf("  6: %zu-byte message: %.120s...\n", strlen(m), m);
    ci_free(e);
}

static void *all_points(void *unused) {
    (void)unused;
    point_1_socks_is_an_error_not_a_panic();
    point_2_environment_proxies_fail_closed();
    point_3_a_bad_port_is_refused();
    point_4_a_2xx_error_code_is_kept();
    point_5_a_password_never_shows();
    point_6_hostile_error_text_is_bounded();
    return NULL;
}

int main(void) {
    /* On a thread of their own: a proxied call resolves the proxy's name
     * with ureq's resolver, which waits on a std channel, and the channel's
     * per-thread context (48 bytes, once per thread) is only freed when
     * the thread ends. The main thread's never does, which valgrind would
     * report as "possibly lost". */
    pthread_t t;
    if (pthread_create(&t, NULL, all_points, NULL) != 0 || pthread_join(t, NULL) != 0) return 2;
    CHECK(ci_live_objects() == 0, "every object freed");
    printf("fail_closed: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
