/*
 * Helpers shared by the C fault matrix, the hostile-input tests and the C
 * soak: the emulator's control endpoints (/__emulator/...) over a plain
 * loopback socket, a one-shot recording HTTP server on 127.0.0.1, and this
 * process's RSS and open file descriptors from /proc/self.
 *
 * Header-only (static functions); POSIX, Linux (/proc). Every socket has a
 * receive/send timeout, so no helper can hang a test.
 */
#ifndef CI_TEST_EMULATOR_CONTROL_H
#define CI_TEST_EMULATOR_CONTROL_H

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cloud_infinite.h"

/* Client options that reach the emulator at `addr` as production is reached
 * (its host names, dialled at `addr` over plain HTTP, no proxy), with the
 * built-in credentials; callers set the rest. */
static inline ci_client_options ctl_client_options(const char *addr) {
    ci_client_options o;
    memset(&o, 0, sizeof o);
    o.secret_id = "AKIDemulatorEXAMPLE";
    o.secret_key = "emulator-secret-key";
    o.region = "ap-guangzhou";
    o.connect_to = addr;
    o.scheme = CI_SCHEME_HTTP;
    o.proxy_mode = CI_PROXY_MODE_DISABLED;
    return o;
}

/* A client made from `o`; a program that cannot make one stops with exit
 * status 2 (its setup failed, not one of its checks). */
static inline ci_client *ctl_client_new(const ci_client_options *o) {
    ci_client *c = NULL;
    ci_error *e = ci_client_new(o, &c);
    if (e) {
        fprintf(stderr, "ci_client_new: %s\n", ci_error_message(e));
        ci_free(e);
        exit(2);
    }
    return c;
}

/* Seconds on a monotonic clock. */
static inline double ctl_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void ctl_socket_timeouts(int fd, int seconds) {
    struct timeval tv = {seconds, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

/* A TCP connection to "127.0.0.1:PORT" (loopback only), or -1. */
static inline int ctl_connect(const char *addr) {
    const char *colon = strrchr(addr, ':');
    if (!colon || strncmp(addr, "127.0.0.1:", 10) != 0) return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)atoi(colon + 1));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    ctl_socket_timeouts(fd, 10);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * One control request (HTTP/1.0, so the answer ends when the connection
 * closes). Returns the HTTP status (0 on failure) and copies the body,
 * NUL-terminated, into `body` when given.
 */
static inline int ctl_request(const char *addr, const char *method, const char *path, const char *json, char *body,
                       size_t body_len) {
    int fd = ctl_connect(addr);
    if (fd < 0) return 0;
    char req[2048];
    int n = snprintf(req, sizeof req,
                     "%s /__emulator/%s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n%s",
                     method, path, addr, json ? strlen(json) : (size_t)0, json ? json : "");
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n) {
        close(fd);
        return 0;
    }
    char resp[65536];
    size_t got = 0;
    for (;;) {
        ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
        if (r <= 0) break;
        got += (size_t)r;
        if (got == sizeof resp - 1) break;
    }
    close(fd);
    resp[got] = 0;
    int status = 0;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1) return 0;
    if (body && body_len) {
        const char *start = strstr(resp, "\r\n\r\n");
        snprintf(body, body_len, "%s", start ? start + 4 : "");
    }
    return status;
}

/* The number after "key": in a flat JSON text, or -1. */
static inline long ctl_json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (!at) return -1;
    at += strlen(pattern);
    while (*at == ' ') at++;
    return strtol(at, NULL, 10);
}

/* Arms one fault spec (JSON); returns 1 when the emulator armed it. */
static inline int ctl_arm(const char *addr, const char *spec) {
    char body[256];
    return ctl_request(addr, "POST", "faults", spec, body, sizeof body) == 200 && ctl_json_number(body, "armed") == 1;
}

/* Clears faults, fault counters and stats; the clock back to its start. */
static inline int ctl_reset(const char *addr) { return ctl_request(addr, "POST", "reset", "{}", NULL, 0) == 200; }

/* Sets the emulator's clock to real time + offset_secs. */
static inline int ctl_clock(const char *addr, long offset_secs) {
    char json[64];
    snprintf(json, sizeof json, "{\"offset_secs\": %ld}", offset_secs);
    return ctl_request(addr, "POST", "clock", json, NULL, 0) == 200;
}

/* API requests the emulator has seen since the last reset, or -1. */
static inline long ctl_requests(const char *addr) {
    char body[4096];
    if (ctl_request(addr, "GET", "stats", NULL, body, sizeof body) != 200) return -1;
    return ctl_json_number(body, "requests");
}

/* A field of /proc/self/status in KiB (e.g. "VmRSS", "VmHWM"), or -1. */
static inline long proc_status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long value = -1;
    size_t len = strlen(field);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            value = strtol(line + len + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

/* Open file descriptors of this process (the directory's own fd excluded). */
static inline int proc_fd_count(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n - 1;
}

/*
 * A recording HTTP server on 127.0.0.1: it accepts one connection, reads
 * the request head (up to the blank line), keeps it, answers 404 with an
 * empty body and closes. Lets a test see the exact bytes a client sent.
 */
struct capture {
    int listener;
    char addr[32];
    char head[8192];
    size_t head_len;
    int accepted;
    pthread_t thread;
};

static inline void *capture_run(void *arg) {
    struct capture *c = arg;
    int fd = accept(c->listener, NULL, NULL);
    if (fd < 0) return NULL;
    c->accepted = 1;
    ctl_socket_timeouts(fd, 5);
    while (c->head_len < sizeof c->head - 1) {
        ssize_t r = read(fd, c->head + c->head_len, sizeof c->head - 1 - c->head_len);
        if (r <= 0) break;
        c->head_len += (size_t)r;
        c->head[c->head_len] = 0;
        if (strstr(c->head, "\r\n\r\n")) break;
    }
    static const char answer[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    ssize_t w = write(fd, answer, sizeof answer - 1);
    (void)w;
    close(fd);
    return NULL;
}

/* Starts a capture server; returns 0 on success. */
static inline int capture_start(struct capture *c) {
    memset(c, 0, sizeof *c);
    c->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (c->listener < 0) return -1;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(c->listener, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(c->listener, 4) != 0 ||
        getsockname(c->listener, (struct sockaddr *)&sa, &len) != 0) {
        close(c->listener);
        return -1;
    }
    snprintf(c->addr, sizeof c->addr, "127.0.0.1:%d", ntohs(sa.sin_port));
    return pthread_create(&c->thread, NULL, capture_run, c) == 0 ? 0 : -1;
}

/* Waits for the capture thread (the client has been answered by then). */
static inline void capture_finish(struct capture *c) {
    if (!c->accepted) {
        /* Nothing connected: wake accept() with a connection of our own. */
        int fd = ctl_connect(c->addr);
        if (fd >= 0) close(fd);
    }
    pthread_join(c->thread, NULL);
    close(c->listener);
}

#endif
