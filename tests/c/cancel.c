/*
 * Issue 16, cancellation through the C ABI: a ci_cancel in ci_query.cancel
 * ends a call within 50 ms of ci_cancel_cancel() from another thread
 * during the TCP connect (a listener whose accept queue is full), during a
 * slow answer (a server that never answers), during the backoff between
 * retries (a server answering 503 SlowDown), and the server sees the
 * connection closed within 50 ms; then 10,000 cancels racing completion
 * against the emulator give a whole page or CI_KIND_CANCELLED, nothing
 * else, and leak nothing (valgrind, ASan/LSan).
 *
 * The servers are this program's own, on 127.0.0.1. Under valgrind every
 * step is many times slower, so `CI_TEST_NO_TIMING=1` drops the 50 ms
 * bounds and `CI_CANCEL_RACES` lowers the count; the ASan run keeps both.
 * Prints "N passed, N failed"; exits 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "emulator_control.h"
#include "check.h"

static int timing = 1;


/* The 50 ms the issue allows, checked only when timing is meaningful. */
#define PROMPT_SECS 0.050
#define CHECK_PROMPT(secs, what) CHECK(!timing || (secs) < PROMPT_SECS, what)

/* A listening socket on 127.0.0.1 with this backlog; its "127.0.0.1:PORT" in addr. */
static int listen_on_loopback(int backlog, char *addr, size_t addr_len) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, backlog) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        perror("listen_on_loopback");
        exit(2);
    }
    snprintf(addr, addr_len, "127.0.0.1:%d", ntohs(sa.sin_port));
    return fd;
}

/* Connects to addr, waiting at most 100 ms; the socket, or -1. */
static int connect_briefly(const char *addr) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(strrchr(addr, ':') + 1));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {0, 100000};
    /* SO_SNDTIMEO bounds a blocking connect on Linux. */
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* A call to pic buckets carrying `cancel`, on its own thread. */
struct call {
    ci_client *client;
    ci_cancel *cancel;
    ci_kind kind;
    size_t items;
    double ended;
};

static void *run_call(void *arg) {
    struct call *c = arg;
    ci_query q;
    memset(&q, 0, sizeof q);
    q.cancel = c->cancel;
    q.has_page_size = 1;
    q.page_size = 10;
    ci_page *page = NULL;
    ci_error *e = ci_describe(c->client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page);
    c->ended = ctl_now();
    c->kind = e ? ci_error_kind(e) : CI_KIND_NONE;
    c->items = page ? page->buckets_len : 0;
    ci_free(e);
    ci_free(page);
    return NULL;
}

/* Runs a call against addr, cancels it after `after` seconds; the call's
 * kind, and when the cancel was made (so the caller can time the rest).
 * `reached` (NULL: none) is a count to see at 1 or more first; the pause
 * then runs from that moment, unscaled, so that a slow run (valgrind)
 * still cancels the step meant: scaled, it would outlast the backoff it
 * is meant to land in (at least 2.5 s) and cancel the retry instead. */
static ci_kind call_and_cancel(const char *addr, double after, const int *reached, double *late, double *cancelled_at) {
    ci_client_options o = ctl_client_options(addr);
    o.has_connect_timeout_ms = 1;
    o.connect_timeout_ms = 20000;
    o.has_timeout_ms = 1;
    o.timeout_ms = 30000;
    o.has_retry_base_delay_ms = 1;
    o.retry_base_delay_ms = 10000;
    ci_client *client = ctl_client_new(&o);
    struct call c = {client, ci_cancel_new(), CI_KIND_NONE, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, run_call, &c);
    for (int waited_ms = 0; reached && __atomic_load_n(reached, __ATOMIC_SEQ_CST) < 1 && waited_ms < 60000; waited_ms++) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    /* Under valgrind the call needs far longer to reach the step being
     * cancelled, unless `reached` has already marked it. */
    if (!timing && !reached) after *= 10;
    struct timespec pause = {(time_t)after, (long)((after - (double)(time_t)after) * 1e9)};
    nanosleep(&pause, NULL);
    *cancelled_at = ctl_now();
    CHECK(ci_cancel_cancel(c.cancel) == 0, "ci_cancel_cancel of a live handle");
    pthread_join(t, NULL);
    *late = c.ended - *cancelled_at;
    CHECK(ci_cancel_is_cancelled(c.cancel) == 1, "a cancelled handle says so");
    ci_free(c.cancel);
    ci_free(client);
    return c.kind;
}

static void test_cancel_during_connect(void) {
    char addr[64];
    int listener = listen_on_loopback(0, addr, sizeof addr);
    int fillers[8], n = 0;
    while (n < 8 && (fillers[n] = connect_briefly(addr)) >= 0) n++;
    CHECK(n < 8, "the accept queue of a listen(0) socket fills");
    double late, at;
    ci_kind kind = call_and_cancel(addr, 0.1, NULL, &late, &at);
    CHECK(kind == CI_KIND_CANCELLED, "a hanging connect ends cancelled");
    CHECK_PROMPT(late, "the connect ends within 50 ms of the cancel");
    while (n > 0) close(fillers[--n]);
    close(listener);
}

/* A server that accepts one connection and reads until EOF, answering each
 * request with `answer` (NULL: never answers); notes when it saw EOF. */
struct server {
    int listener;
    const char *answer;
    int answered;
    double closed_at;
};

static void *serve(void *arg) {
    struct server *s = arg;
    int fd = accept(s->listener, NULL, NULL);
    if (fd < 0) return NULL;
    ctl_socket_timeouts(fd, 20);
    char buf[8192];
    size_t have = 0;
    for (;;) {
        ssize_t got = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (got <= 0) break;
        have += (size_t)got;
        buf[have] = '\0';
        char *end;
        while ((end = strstr(buf, "\r\n\r\n"))) {
            if (s->answer) {
                send(fd, s->answer, strlen(s->answer), MSG_NOSIGNAL);
                __atomic_add_fetch(&s->answered, 1, __ATOMIC_SEQ_CST);
            }
            size_t used = (size_t)(end + 4 - buf);
            memmove(buf, buf + used, have - used);
            have -= used;
            buf[have] = '\0';
        }
        if (have == sizeof buf - 1) have = 0;
    }
    s->closed_at = ctl_now();
    close(fd);
    return NULL;
}

static void test_cancel_with_server(const char *answer, double after, const char *what) {
    char addr[64];
    struct server s = {listen_on_loopback(16, addr, sizeof addr), answer, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, serve, &s);
    double late, at;
    ci_kind kind = call_and_cancel(addr, after, answer ? &s.answered : NULL, &late, &at);
    pthread_join(t, NULL);
    CHECK(kind == CI_KIND_CANCELLED, what);
    CHECK_PROMPT(late, what);
    CHECK(s.closed_at > 0, what);
    CHECK_PROMPT(s.closed_at - at, what);
    if (answer) CHECK(__atomic_load_n(&s.answered, __ATOMIC_SEQ_CST) == 1, "the cancel came during the first backoff");
    close(s.listener);
}

static const char SLOW_DOWN[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: 122\r\n\r\n"
    "<Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>slow-1</RequestId></Response>";

/* Cancels racing completion, one page each: the whole page or cancelled. */
struct racer {
    ci_client *client;
    int calls;
    unsigned seed;
    /* Cancels come 0 to this many microseconds after the call starts. */
    long spread_us;
    int whole, cancelled, wrong;
};

static void *race(void *arg) {
    struct racer *r = arg;
    for (int i = 0; i < r->calls; i++) {
        r->seed = r->seed * 1103515245u + 12345u;
        struct call c = {r->client, ci_cancel_new(), CI_KIND_NONE, 0, 0};
        pthread_t t;
        pthread_create(&t, NULL, run_call, &c);
        struct timespec pause = {0, (long)((r->seed >> 8) % (unsigned)r->spread_us) * 1000};
        nanosleep(&pause, NULL);
        ci_cancel_cancel(c.cancel);
        pthread_join(t, NULL);
        ci_free(c.cancel);
        if (c.kind == CI_KIND_NONE && c.items == 10) r->whole++;
        else if (c.kind == CI_KIND_CANCELLED && c.items == 0) r->cancelled++;
        else r->wrong++;
    }
    return NULL;
}

static void test_cancels_racing_completion(const char *addr, int calls) {
    ci_client_options o = ctl_client_options(addr);
    ci_client *client = ctl_client_new(&o);
    /* Twice a typical call, so that both sides win often, whatever this
     * build's speed (a debug or sanitised build is several times slower). */
    double started = ctl_now();
    for (int i = 0; i < 20; i++) {
        struct call c = {client, NULL, CI_KIND_NONE, 0, 0};
        run_call(&c);
    }
    long spread_us = (long)((ctl_now() - started) / 20 * 2e6) + 1;
    struct racer r[2] = {{client, calls / 2, 1u, spread_us, 0, 0, 0}, {client, calls - calls / 2, 2u, spread_us, 0, 0, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, race, &r[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    int whole = r[0].whole + r[1].whole, cancelled = r[0].cancelled + r[1].cancelled;
    CHECK(r[0].wrong + r[1].wrong == 0, "every raced call gives the whole page or cancelled");
    CHECK(whole + cancelled == calls, "every raced call ended");
    CHECK(cancelled > 0 && whole > 0, "cancels both won and lost the race");
    printf("races: %d whole, %d cancelled (cancels 0 to %ld us after the start)\n", whole, cancelled, spread_us);
    struct call after = {client, NULL, CI_KIND_NONE, 0, 0};
    run_call(&after);
    CHECK(after.kind == CI_KIND_NONE && after.items == 10, "the client still works after the races");
    ci_free(client);
}

static void test_handles(void) {
    CHECK(ci_cancel_cancel(NULL) == -1, "NULL is no handle");
    CHECK(ci_cancel_is_cancelled(NULL) == -1, "NULL is no handle");
    ci_cancel *c = ci_cancel_new();
    CHECK(c != NULL && ci_cancel_is_cancelled(c) == 0, "a new handle is not cancelled");
    CHECK(ci_cancel_cancel(c) == 0 && ci_cancel_cancel(c) == 0, "cancel twice is fine");
    CHECK(ci_free(c) == 1, "ci_free releases a ci_cancel");
    CHECK(ci_cancel_cancel(c) == -1, "a freed handle is refused, not read");

    /* A handle of another type in ci_query.cancel is refused by name. */
    ci_client_options o = ctl_client_options("127.0.0.1:9");
    ci_client *client = ctl_client_new(&o);
    ci_query q;
    memset(&q, 0, sizeof q);
    q.cancel = (const ci_cancel *)client;
    ci_page *page = NULL;
    ci_error *e = ci_describe(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page);
    CHECK(e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT && strstr(ci_error_message(e), "cancel is a ci_client"), "a client is no cancel handle");
    ci_free(e);
    /* concurrency is for pagers only, and 1..CI_MAX_PAGE_CONCURRENCY. */
    memset(&q, 0, sizeof q);
    q.has_concurrency = 1;
    q.concurrency = 4;
    e = ci_describe(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page);
    CHECK(e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT && strstr(ci_error_message(e), "pagers"), "ci_describe refuses concurrency");
    ci_free(e);
    ci_pager *pager = NULL;
    q.concurrency = CI_MAX_PAGE_CONCURRENCY + 1;
    e = ci_pager_new(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager);
    CHECK(e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, "a concurrency above the maximum is refused");
    ci_free(e);
    q.concurrency = 0;
    e = ci_pager_new(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager);
    CHECK(e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, "a concurrency of 0 is refused when set");
    ci_free(e);
    ci_free(client);
}

/* A pager with its own handle: cancelled while pages are fetched ahead. */
static void test_pager(const char *addr) {
    ci_client_options o = ctl_client_options(addr);
    ci_client *client = ctl_client_new(&o);
    ci_cancel *cancel = ci_cancel_new();
    ci_query q;
    memset(&q, 0, sizeof q);
    q.cancel = cancel;
    q.has_page_size = 1;
    q.page_size = 10;
    q.has_concurrency = 1;
    q.concurrency = 4;
    ci_pager *pager = NULL;
    ci_error *e = ci_pager_new(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager);
    CHECK(!e, "a pager with a handle and a concurrency");
    size_t items = 0, pages = 0;
    ci_page *page = NULL;
    while (!e && !(e = ci_pager_next(pager, &page)) && page) {
        items += page->buckets_len;
        pages++;
        ci_free(page);
    }
    CHECK(!e && pages == 13 && items == 130, "the pager hands out all 130 pic buckets in 13 pages");
    ci_free(e);
    ci_free(pager);

    /* Cancel after the first page: the next ci_pager_next says cancelled. */
    e = ci_pager_new(client, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager);
    e = e ? e : ci_pager_next(pager, &page);
    CHECK(!e && page && page->buckets_len == 10, "the first page");
    ci_free(page);
    ci_cancel_cancel(cancel);
    ci_free(cancel); /* the pager keeps its own reference */
    page = NULL;
    e = ci_pager_next(pager, &page);
    CHECK(e && ci_error_kind(e) == CI_KIND_CANCELLED && !page, "a cancelled pager ends cancelled, pages fetched ahead or not");
    ci_free(page);
    ci_free(e);
    ci_free(pager);
    ci_free(client);
}

static const char *emulator_addr;
static int races;

/* Every test, on a thread of its own: a blocking channel receive (a pager's
 * page fetched ahead) leaves thread-local state behind that valgrind counts
 * as reachable on the main thread, and frees on any joined thread. */
static void *run_tests(void *unused) {
    (void)unused;
    test_handles();
    test_cancel_during_connect();
    test_cancel_with_server(NULL, 0.15, "a slow answer ends cancelled and the server sees the close");
    test_cancel_with_server(SLOW_DOWN, 0.3, "a backoff ends cancelled and the server sees the close");
    test_pager(emulator_addr);
    test_cancels_racing_completion(emulator_addr, races);
    return NULL;
}

int main(void) {
    emulator_addr = getenv("CI_EMULATOR_ADDR");
    if (!emulator_addr) {
        fprintf(stderr, "set CI_EMULATOR_ADDR (scripts/with-emulator.sh does)\n");
        return 2;
    }
    if (getenv("CI_TEST_NO_TIMING")) timing = !atoi(getenv("CI_TEST_NO_TIMING"));
    races = getenv("CI_CANCEL_RACES") ? atoi(getenv("CI_CANCEL_RACES")) : 10000;
    pthread_t t;
    pthread_create(&t, NULL, run_tests, NULL);
    pthread_join(t, NULL);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
