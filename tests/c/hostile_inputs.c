/*
 * Hostile strings through the C ABI cannot redirect a request or inject a
 * header (issue 8). For every string input -- the client's secret_id,
 * session_token, region, endpoint, connect_to and user_agent_suffix; the
 * bucket; every query string and list item -- it passes CR/LF header
 * injections, '@', '/', '#', '?', "%00"-style text and non-UTF-8 bytes and
 * checks one of two outcomes:
 *
 *  - refused: CI_KIND_INVALID_ARGUMENT before anything is sent (the
 *    emulator's request count stays 0, and a recording server sees no
 *    connection);
 *  - legitimately sendable (a query value; a printable header value): a
 *    recording server on 127.0.0.1 sees exactly one request whose request
 *    line carries the value percent-encoded (query) or verbatim on its one
 *    header line (header), only the headers the client always sends, the
 *    production Host; and the emulator accepts the signature and reads the
 *    value back as one value (a queue id comes back in NonExistPIDs
 *    byte for byte).
 *
 * Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh). Prints
 * "N passed, N failed"; exits 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cloud_infinite.h"
#include "emulator_control.h"

static int passed, failed;
static const char *addr;
static const char *const BUCKET = "examplebucket-1250000000";

#define CHECK(cond, what)                                                                           \
    do {                                                                                            \
        if (cond) {                                                                                 \
            passed++;                                                                               \
        } else {                                                                                    \
            failed++;                                                                               \
            fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n", __FILE__, __LINE__, printable(what), \
                    #cond);                                                                         \
        }                                                                                           \
    } while (0)

/* `s` with control and non-ASCII bytes as \xNN, for messages (rotating buffers). */
static const char *printable(const char *s) {
    static char bufs[4][512];
    static int next;
    char *out = bufs[next++ % 4];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o < 500; p++) {
        if (*p >= 0x20 && *p < 0x7f) out[o++] = (char)*p;
        else o += (size_t)snprintf(out + o, 512 - o, "\\x%02x", *p);
    }
    out[o] = 0;
    return out;
}

/* The hostile parts, appended to (or making up) an otherwise valid value. */
static const char *const HOSTILE[] = {
    "\r\nX-Injected: 1",        /* CRLF header injection */
    "\nX-Injected: 1",          /* bare LF */
    "\rX-Injected: 1",          /* bare CR */
    "\r\n\r\nGET /evil HTTP/1.1", /* request smuggling */
    "@evil.example.com",        /* userinfo: the host would become evil.example.com */
    "/evil",                    /* a path */
    "#fragment",                /* cuts the rest of the URL off */
    "?injected=1",              /* a query of our own */
    "%00",                      /* percent-encoded NUL, as text */
    "%0d%0aX-Injected:%201",    /* percent-encoded CRLF, as text */
    ".evil.example.com",        /* another domain */
    ":1",                       /* another port */
    " HTTP/1.1",                /* a space in the request line */
    "\xff\xfe",                 /* not UTF-8 */
    "\xc0\xaf",                 /* overlong '/', not UTF-8 */
    "\xed\xa0\x80",             /* a UTF-16 surrogate, not UTF-8 */
};
#define N_HOSTILE (sizeof HOSTILE / sizeof *HOSTILE)

static int is_utf8_ok(const char *h) {
    return !strchr(h, '\xff') && !strchr(h, '\xc0') && !strchr(h, '\xed');
}

/* Is every byte of `h` printable ASCII (space included only when `space`)? */
static int printable_ascii(const char *h, int space) {
    for (const unsigned char *p = (const unsigned char *)h; *p; p++)
        if (*p < (space ? 0x20 : 0x21) || *p >= 0x7f) return 0;
    return 1;
}

/* Percent-encoding as the client does it: everything but A-Z a-z 0-9 - _ . ~ as %XX. */
static void encode(const char *s, char *out, size_t len) {
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < len; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~') out[o++] = (char)*p;
        else o += (size_t)snprintf(out + o, len - o, "%%%02X", *p);
    }
    out[o] = 0;
}

static ci_client_options base_options(const char *connect_to) {
    ci_client_options o = ctl_client_options(connect_to);
    o.has_max_retries = 1;
    o.max_retries = 0;
    o.has_timeout_ms = 1; o.timeout_ms = 10000;
    return o;
}

/* `e` must be INVALID_ARGUMENT; frees it. */
static void expect_invalid(ci_error *e, const char *what) {
    CHECK(e != NULL && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, what);
    if (e && ci_error_kind(e) != CI_KIND_INVALID_ARGUMENT)
        fprintf(stderr, "  got kind %d: %s\n", (int)ci_error_kind(e), ci_error_message(e));
    CHECK(ci_error_http_status(e) == 0 && ci_error_request_id(e) == NULL, what);
    ci_free(e);
}

static void expect_nothing_sent(const char *what) {
    long n = ctl_requests(addr);
    CHECK(n == 0, what);
    if (n != 0) fprintf(stderr, "  the emulator saw %ld request(s)\n", n);
}

/* ---- The recorded request head ------------------------------------------------ */

/* The value of header `name` (case-insensitive) in `head`, copied to `out`; count of such lines. */
static int header_value(const char *head, const char *name, char *out, size_t len) {
    int count = 0;
    const char *line = strstr(head, "\r\n");
    size_t nlen = strlen(name);
    while (line && line[2] && !(line[2] == '\r' && line[3] == '\n')) {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end) break;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            count++;
            const char *v = line + nlen + 1;
            while (*v == ' ') v++;
            snprintf(out, len, "%.*s", (int)(end - v), v);
        }
        line = end;
    }
    return count;
}

/* Every header line of the head is one the client always sends, once each. */
static void check_header_set(const char *head, const char *what) {
    static const char *const allowed[] = {"host", "authorization", "user-agent", "accept", "accept-encoding",
                                          "x-ci-security-token"};
    int seen[6] = {0};
    const char *line = strstr(head, "\r\n");
    int lines = 0, unknown = 0;
    while (line && line[2] && !(line[2] == '\r' && line[3] == '\n')) {
        line += 2;
        const char *end = strstr(line, "\r\n");
        if (!end) break;
        const char *colon = memchr(line, ':', (size_t)(end - line));
        int known = 0;
        for (size_t i = 0; colon && i < 6; i++) {
            if ((size_t)(colon - line) == strlen(allowed[i]) && strncasecmp(line, allowed[i], strlen(allowed[i])) == 0) {
                seen[i]++;
                known = 1;
            }
        }
        if (!known) {
            unknown++;
            fprintf(stderr, "  [%s] unexpected header line: %s\n", printable(what), printable(line));
        }
        lines++;
        line = end;
    }
    CHECK(lines >= 3 && unknown == 0, what);
    for (size_t i = 0; i < 6; i++) CHECK(seen[i] <= 1, what);
    CHECK(seen[0] == 1 && seen[1] == 1, what); /* one Host, one Authorization */
}

struct recorded {
    char head[8192];
    int got;
};

/* Runs `call` against a recording server (connect_to = it) and keeps what it saw. */
static void record(ci_client_options o, ci_error *(*call)(ci_client *, void *), void *arg, struct recorded *r) {
    struct capture cap;
    if (capture_start(&cap) != 0) {
        fprintf(stderr, "cannot start the recording server\n");
        exit(2);
    }
    o.connect_to = cap.addr;
    ci_client *c = ctl_client_new(&o);
    ci_error *e = call(c, arg);
    ci_free(e);
    ci_free(c);
    capture_finish(&cap);
    memcpy(r->head, cap.head, sizeof r->head);
    r->got = cap.head_len > 0;
    /* CI_SHOW_REQUESTS=1: print every recorded request head. */
    if (getenv("CI_SHOW_REQUESTS")) printf("--- recorded ---\n%s", printable(r->head));
}

/* The request line's target: "GET <target> HTTP/1.1". */
static void request_target(const char *head, char *out, size_t len) {
    out[0] = 0;
    if (strncmp(head, "GET ", 4) != 0) return;
    const char *end = strstr(head + 4, " HTTP/1.1\r\n");
    if (end) snprintf(out, len, "%.*s", (int)(end - head - 4), head + 4);
}

/* ---- Client options --------------------------------------------------------------- */

enum option { OPT_SECRET_ID, OPT_SESSION_TOKEN, OPT_REGION, OPT_ENDPOINT, OPT_CONNECT_TO, OPT_USER_AGENT };
static const char *const OPTION_NAMES[] = {"secret_id", "session_token", "region", "endpoint", "connect_to",
                                           "user_agent_suffix"};

static void set_option(ci_client_options *o, enum option which, const char *value) {
    switch (which) {
    case OPT_SECRET_ID: o->secret_id = value; break;
    case OPT_SESSION_TOKEN:
        o->secret_id = "AKIDemulatorTMP";
        o->secret_key = "emulator-tmp-key";
        o->session_token = value;
        break;
    case OPT_REGION: o->region = value; break;
    case OPT_ENDPOINT: o->endpoint = value; break;
    case OPT_CONNECT_TO: o->connect_to = value; break;
    case OPT_USER_AGENT: o->user_agent_suffix = value; break;
    }
}

static ci_error *call_pic(ci_client *c, void *arg) {
    ci_page *page = NULL;
    ci_error *e = ci_describe_pic_buckets(c, (const ci_query *)arg, &page);
    ci_free(page);
    return e;
}

static ci_error *call_ai(ci_client *c, void *arg) {
    ci_page *page = NULL;
    ci_error *e = ci_describe_ai_queues(c, BUCKET, (const ci_query *)arg, &page);
    ci_free(page);
    return e;
}

/* Media queues: the one call that takes a category. */
static ci_error *call_media_queues(ci_client *c, void *arg) {
    ci_page *page = NULL;
    ci_error *e = ci_describe(c, CI_OPERATION_MEDIA_QUEUES, BUCKET, (const ci_query *)arg, &page);
    ci_free(page);
    return e;
}

/* A header value that is printable ASCII is sent verbatim on its one line. */
static void check_sendable_header(enum option which, const char *value) {
    char what[600];
    snprintf(what, sizeof what, "%s = %s", OPTION_NAMES[which], value);
    ci_client_options o = base_options(addr);
    set_option(&o, which, value);

    struct recorded r;
    record(o, call_pic, NULL, &r);
    CHECK(r.got, what);
    check_header_set(r.head, what);
    char target[1024], host[512], got[1024], want[1024];
    request_target(r.head, target, sizeof target);
    CHECK(strcmp(target, "/picbucket") == 0, what);
    CHECK(header_value(r.head, "host", host, sizeof host) == 1 && strcmp(host, "ci.ap-guangzhou.myqcloud.com") == 0,
          what);
    if (which == OPT_USER_AGENT) {
        snprintf(want, sizeof want, "cloud-infinite/%s %s", ci_version(), value);
        CHECK(header_value(r.head, "user-agent", got, sizeof got) == 1 && strcmp(got, want) == 0, what);
    } else if (which == OPT_SESSION_TOKEN) {
        CHECK(header_value(r.head, "x-ci-security-token", got, sizeof got) == 1 && strcmp(got, value) == 0, what);
    } else if (which == OPT_SECRET_ID) {
        snprintf(want, sizeof want, "&q-ak=%s&q-sign-time=", value);
        CHECK(header_value(r.head, "authorization", got, sizeof got) == 1 && strstr(got, want) != NULL, what);
    }

    /* The emulator: a printable User-Agent is fine; a SecretId or token
     * that is not the fixture's is refused by the service, not misrouted. */
    ctl_reset(addr);
    ci_client *c = ctl_client_new(&o);
    ci_error *e = call_pic(c, NULL);
    if (which == OPT_USER_AGENT) {
        CHECK(e == NULL, what);
    } else {
        const char *want_code = which == OPT_SECRET_ID ? "InvalidAccessKeyId" : "InvalidSecurity";
        CHECK(e && ci_error_kind(e) == CI_KIND_SERVICE && ci_error_http_status(e) == 403 && ci_error_code(e) &&
                  strcmp(ci_error_code(e), want_code) == 0,
              what);
    }
    if (e && which == OPT_USER_AGENT) fprintf(stderr, "  %s\n", ci_error_message(e));
    ci_free(e);
    ci_free(c);
    CHECK(ctl_requests(addr) == 1, what);
}

static void test_client_options(void) {
    char port_addr[64];
    snprintf(port_addr, sizeof port_addr, "%s", addr);
    for (int which = OPT_SECRET_ID; which <= OPT_USER_AGENT; which++) {
        for (size_t i = 0; i < N_HOSTILE; i++) {
            const char *h = HOSTILE[i];
            char value[512], what[600];
            switch ((enum option)which) {
            case OPT_SECRET_ID: snprintf(value, sizeof value, "AKIDemulatorEXAMPLE%s", h); break;
            case OPT_SESSION_TOKEN: snprintf(value, sizeof value, "emulator-session-token%s", h); break;
            case OPT_REGION: snprintf(value, sizeof value, "ap-guangzhou%s", h); break;
            case OPT_ENDPOINT: snprintf(value, sizeof value, "ci.ap-guangzhou.myqcloud.com%s", h); break;
            case OPT_CONNECT_TO: snprintf(value, sizeof value, "%s%s", port_addr, h); break;
            case OPT_USER_AGENT: snprintf(value, sizeof value, "test/1.0%s", h); break;
            }
            snprintf(what, sizeof what, "%s = %s", OPTION_NAMES[which], value);
            /* The endpoint is the host the user chooses: another domain or
             * port appended to it is just another endpoint, not an attack. */
            if (which == OPT_ENDPOINT && (h[0] == '.' || h[0] == ':')) continue;
            /* '&', ';' and '=' in a SecretId are tests/c/secret_id_delimiters.c's. */
            if (which == OPT_SECRET_ID && strpbrk(h, "&;=")) continue;
            /* Header values: printable ASCII is legitimate (sent verbatim, on
             * one line); a SecretId and a token are tokens (no space), a
             * User-Agent may have spaces. */
            int header_value_ok = (which == OPT_USER_AGENT && printable_ascii(h, 1)) ||
                                  ((which == OPT_SECRET_ID || which == OPT_SESSION_TOKEN) && printable_ascii(h, 0));
            if (header_value_ok) {
                check_sendable_header((enum option)which, value);
                continue;
            }
            ctl_reset(addr);
            ci_client_options o = base_options(addr);
            set_option(&o, (enum option)which, value);
            ci_client *c = (ci_client *)0x1;
            expect_invalid(ci_client_new(&o, &c), what);
            CHECK(c == NULL, what);
            /* The hostile part alone, too. */
            set_option(&o, (enum option)which, h);
            expect_invalid(ci_client_new(&o, &c), what);
            expect_nothing_sent(what);
        }
    }
    /* A userinfo in front of connect_to's host. */
    char userinfo[96];
    snprintf(userinfo, sizeof userinfo, "evil.example.com@%s", addr);
    ci_client_options o = base_options(userinfo);
    ci_client *c = NULL;
    expect_invalid(ci_client_new(&o, &c), "connect_to with a userinfo");
}

/* ---- The bucket ---------------------------------------------------------------- */

static void test_bucket(void) {
    ci_client_options o = base_options(addr);
    ci_client *c = ctl_client_new(&o);
    for (size_t i = 0; i < N_HOSTILE; i++) {
        const char *h = HOSTILE[i];
        const char *const shapes[] = {"examplebucket-1250000000%s", "examplebucket%s-1250000000", "%s-1250000000",
                                      "%s"};
        for (size_t s = 0; s < 4; s++) {
            char bucket[512], what[600];
            snprintf(bucket, sizeof bucket, shapes[s], h);
            snprintf(what, sizeof what, "bucket = %s", bucket);
            ctl_reset(addr);
            ci_page *page = NULL;
            expect_invalid(ci_describe_ai_queues(c, bucket, NULL, &page), what);
            CHECK(page == NULL, what);
            ci_pager *pager = NULL;
            expect_invalid(ci_pager_new(c, CI_OPERATION_AI_QUEUES, bucket, NULL, &pager), what);
            CHECK(pager == NULL, what);
            expect_nothing_sent(what);
        }
    }
    ci_free(c);
}

/* ---- Query strings and list items ---------------------------------------------- */

enum field { F_REGIONS, F_BUCKET_NAMES, F_PREFIX, F_QUEUE_IDS, F_CATEGORY };
static const char *const FIELD_NAMES[] = {"regions[]", "bucket_names[]", "bucket_name_prefix", "queue_ids[]",
                                          "category"};
static const char *const WIRE_NAMES[] = {"regions", "bucketNames", "bucketName", "queueIds", "category"};

struct query {
    enum field field;
    const char *items[2];
    ci_query pic;
    ci_query ai;
};

/* A query whose `field` holds `value` (lists: after a valid first item, except regions). */
static void build_query(struct query *q, enum field field, const char *value) {
    memset(q, 0, sizeof *q);
    q->field = field;
    switch (field) {
    case F_REGIONS:
        q->items[0] = "ap-guangzhou";
        q->items[1] = value;
        q->pic.regions = q->items;
        q->pic.regions_len = 2;
        break;
    case F_BUCKET_NAMES:
        q->items[0] = value;
        q->pic.bucket_names = q->items;
        q->pic.bucket_names_len = 1;
        break;
    case F_PREFIX: q->pic.bucket_name_prefix = value; break;
    case F_QUEUE_IDS:
        q->items[0] = value;
        q->ai.queue_ids = q->items;
        q->ai.queue_ids_len = 1;
        break;
    case F_CATEGORY: q->ai.category = value; break;
    }
}

static ci_error *call_query(ci_client *c, void *arg) {
    struct query *q = arg;
    switch (q->field) {
    case F_QUEUE_IDS: return call_ai(c, &q->ai);
    case F_CATEGORY: return call_media_queues(c, &q->ai);
    default: return call_pic(c, &q->pic);
    }
}

static void check_sendable_query(enum field field, const char *value) {
    char what[600];
    snprintf(what, sizeof what, "%s = %s", FIELD_NAMES[field], value);
    struct query q;
    build_query(&q, field, value);
    int ai = field == F_QUEUE_IDS || field == F_CATEGORY;

    /* On the wire: the one parameter, percent-encoded; nothing else changed. */
    struct recorded r;
    record(base_options(addr), call_query, &q, &r);
    CHECK(r.got, what);
    check_header_set(r.head, what);
    char target[2048], want[2048], encoded[1536], host[512];
    request_target(r.head, target, sizeof target);
    encode(value, encoded, sizeof encoded);
    const char *path = field == F_CATEGORY ? "queue" : field == F_QUEUE_IDS ? "ai_queue" : "picbucket";
    snprintf(want, sizeof want, "/%s?%s=%s", path, WIRE_NAMES[field], encoded);
    CHECK(strcmp(target, want) == 0, what);
    if (strcmp(target, want) != 0) fprintf(stderr, "  sent %s\n  want %s\n", printable(target), want);
    CHECK(header_value(r.head, "host", host, sizeof host) == 1 &&
              strcmp(host, ai ? "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com"
                              : "ci.ap-guangzhou.myqcloud.com") == 0,
          what);

    /* At the emulator: the signature is accepted and the value is read as one value. */
    ctl_reset(addr);
    ci_client_options o = base_options(addr);
    ci_client *c = ctl_client_new(&o);
    if (ai) {
        ci_page *page = NULL;
        ci_operation op = field == F_CATEGORY ? CI_OPERATION_MEDIA_QUEUES : CI_OPERATION_AI_QUEUES;
        ci_error *e = ci_describe(c, op, BUCKET, &q.ai, &page);
        if (field == F_CATEGORY) {
            /* The emulator knows the media categories: the value, read as one
             * signed value (not a 403), is refused by name as the service
             * refuses an unknown category. */
            CHECK(e && ci_error_http_status(e) == 400 && ci_error_code(e) && strcmp(ci_error_code(e), "InvalidArgument") == 0, what);
        } else {
            CHECK(e == NULL && page != NULL, what);
            if (e) fprintf(stderr, "  %s\n", ci_error_message(e));
        }
        if (page && field == F_QUEUE_IDS) {
            /* The id comes back byte for byte as the one unknown id. */
            CHECK(page->queues_len == 0 && page->non_exist_pids_len == 1 && strcmp(page->non_exist_pids[0], value) == 0,
                  what);
        } else if (page) {
            CHECK(page->queues_len == 0 && page->paging.has_total_count && page->paging.total_count == 0, what);
        }
        ci_free(e);
        ci_free(page);
    } else {
        ci_page *page = NULL;
        ci_error *e = ci_describe_pic_buckets(c, &q.pic, &page);
        CHECK(e == NULL && page != NULL && page->paging.has_total_count && page->paging.total_count == 0, what);
        if (e) fprintf(stderr, "  %s\n", ci_error_message(e));
        ci_free(e);
        ci_free(page);
    }
    ci_free(c);
    CHECK(ctl_requests(addr) == 1, what);
}

static void test_queries(void) {
    ci_client_options o = base_options(addr);
    ci_client *c = ctl_client_new(&o);
    for (int field = F_REGIONS; field <= F_CATEGORY; field++) {
        for (size_t i = 0; i < N_HOSTILE; i++) {
            const char *h = HOSTILE[i];
            char value[512], what[600];
            snprintf(value, sizeof value, "%s%s", field == F_REGIONS ? "ap-shanghai" : "photos", h);
            snprintf(what, sizeof what, "%s = %s", FIELD_NAMES[field], value);
            /* Query values are data: anything that is UTF-8 can be sent,
             * percent-encoded. Regions become host names: only a region name. */
            if (field != F_REGIONS && is_utf8_ok(h)) {
                check_sendable_query((enum field)field, value);
                continue;
            }
            ctl_reset(addr);
            struct query q;
            build_query(&q, (enum field)field, value);
            expect_invalid(call_query(c, &q), what);
            /* The pagers check the same way, before anything is sent. */
            if (field == F_QUEUE_IDS || field == F_CATEGORY) {
                ci_pager *p = NULL;
                expect_invalid(ci_pager_new(c, CI_OPERATION_AI_QUEUES, BUCKET, &q.ai, &p), what);
            } else {
                ci_pager *p = NULL;
                expect_invalid(ci_pager_new(c, CI_OPERATION_PIC_BUCKETS, NULL, &q.pic, &p), what);
            }
            expect_nothing_sent(what);
        }
    }
    ci_free(c);
}

int main(void) {
    addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    test_client_options();
    test_bucket();
    test_queries();
    ctl_reset(addr);
    CHECK(ci_live_objects() == 0, "every object freed");
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
