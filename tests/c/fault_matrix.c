/*
 * The fault matrix through the C ABI (issue 8; docs/fault-matrix.md is the
 * spec): every fault the emulator can inject ends in the documented error
 * kind, code and HTTP status, with the request id whenever the service
 * answered, after the documented number of requests, within the timeout --
 * or in success after a retry or a clock correction. The 1 GiB streamed
 * answer must end in RESPONSE_TOO_LARGE at the 16 MiB default cap without
 * the peak RSS growing by anything like 1 GiB.
 *
 * Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh sets it). Prints one
 * line per case and "N passed, N failed"; exits 1 on any failure.
 * CI_FAULT_MATRIX_MAX_PEAK_MIB overrides the peak-RSS bound of the 1 GiB
 * case (default 128 MiB: 1/8 of the body, 8 times the cap; valgrind and ASan
 * runs peak at about 57 MiB).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "emulator_control.h"
#include "check.h"

static const char *addr;
static const char *const BUCKET = "examplebucket-1250000000";
#define CLIENT_TIMEOUT_MS 10000


static ci_client *make_client(const char *secret_id, const char *secret_key) {
    ci_client_options o = ctl_client_options(addr);
    if (secret_id) o.secret_id = secret_id;
    if (secret_key) o.secret_key = secret_key;
    o.has_retry_base_delay_ms = 1; o.retry_base_delay_ms = 5;
    o.has_timeout_ms = 1; o.timeout_ms = CLIENT_TIMEOUT_MS;
    /* max_retries, max_response_bytes: the defaults (3, 16 MiB). */
    return ctl_client_new(&o);
}

/* What one case must end in. kind CI_KIND_NONE: success. */
struct expect {
    const char *name;
    ci_kind kind;
    const char *code;     /* NULL: no code */
    unsigned status;      /* 0: no HTTP status */
    int request_id;       /* 1: a request id must be reported; 0: none must be */
    long requests;        /* API requests the emulator must have seen */
    double max_seconds;   /* the call must end within this */
};

static const char *kind_name(ci_kind k) {
    static const char *names[] = {"success", "invalid_argument", "null_argument", "network", "timeout",
                                  "service", "parse", "response_too_large", "panic"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

/* Checks the outcome of one call (error or success) against `x`; frees the error. */
static void check_outcome(const struct expect *x, ci_error *e, int page_ok, double seconds) {
    long requests = ctl_requests(addr);
    ci_kind kind = e ? ci_error_kind(e) : CI_KIND_NONE;
    const char *code = e ? ci_error_code(e) : NULL;
    const char *rid = e ? ci_error_request_id(e) : NULL;
    unsigned status = e ? ci_error_http_status(e) : 0;
    printf("%-34s %-19s %-22s %3u  request id %-3s  %ld request(s)  %.2fs\n", x->name, kind_name(kind),
           code ? code : "-", status, rid ? "yes" : "no", requests, seconds);
    if (e && kind != x->kind) fprintf(stderr, "  %s: %s\n", x->name, ci_error_message(e));
    CHECK(kind == x->kind, x->name);
    if (x->kind == CI_KIND_NONE) {
        CHECK(page_ok, x->name);
    } else {
        CHECK(ci_error_message(e) && strlen(ci_error_message(e)) > 10, x->name);
        CHECK(x->code ? (code && strcmp(code, x->code) == 0) : code == NULL, x->name);
        CHECK(status == x->status, x->name);
        CHECK(x->request_id ? (rid && rid[0]) : rid == NULL, x->name);
        /* Never a secret in what a user sees. */
        CHECK(!strstr(ci_error_message(e), "emulator-secret-key") && !strstr(ci_error_message(e), "q-signature"),
              x->name);
    }
    CHECK(requests == x->requests, x->name);
    CHECK(seconds < x->max_seconds, x->name);
    CHECK(seconds < CLIENT_TIMEOUT_MS / 1000.0, x->name);
    ci_free(e);
}

/* One DescribeAiProcessQueues call on `bucket` with a fresh client. */
static void ai_case(const struct expect *x, const char *bucket, uint64_t timeout_ms, const char *secret_id,
                    const char *secret_key) {
    ci_client *c = make_client(secret_id, secret_key);
    ci_query q;
    memset(&q, 0, sizeof q);
    if (timeout_ms) { /* 0: the client's timeout */
        q.has_timeout_ms = 1;
        q.timeout_ms = timeout_ms;
    }
    ci_page *page = NULL;
    double t = ctl_now();
    ci_error *e = ci_describe_ai_queues(c, bucket, &q, &page);
    double seconds = ctl_now() - t;
    check_outcome(x, e, page && page->queues_len > 0 && page->request_id, seconds);
    CHECK((e == NULL) == (page != NULL), x->name);
    ci_free(page);
    ci_free(c);
}

/* One DescribePicProcessBucket call with a fresh client. */
static void pic_case(const struct expect *x) {
    ci_client *c = make_client(NULL, NULL);
    ci_page *page = NULL;
    double t = ctl_now();
    ci_error *e = ci_describe_pic_buckets(c, NULL, &page);
    double seconds = ctl_now() - t;
    check_outcome(x, e, page && page->buckets_len == 10 && page->paging.total_count == 130, seconds);
    ci_free(page);
    ci_free(c);
}

static void fresh(void) {
    if (!ctl_reset(addr)) {
        fprintf(stderr, "cannot reset the emulator at %s\n", addr);
        exit(2);
    }
}

static void arm(const char *spec) {
    if (!ctl_arm(addr, spec)) {
        fprintf(stderr, "cannot arm %s\n", spec);
        exit(2);
    }
}

static void test_retries(void) {
    /* 5xx then success: two 503s, then the normal answer; the default 3 retries cover it. */
    fresh();
    arm("{\"kind\": \"status\", \"status\": 503, \"times\": 2, \"path\": \"/ai_queue\"}");
    struct expect a = {"5xx then success (armed 503 x2)", CI_KIND_NONE, NULL, 0, 0, 3, 5};
    ai_case(&a, BUCKET, 0, NULL, NULL);
    fresh();
    struct expect b = {"5xx then success (flaky bucket)", CI_KIND_NONE, NULL, 0, 0, 3, 5};
    ai_case(&b, "flaky-1250000000", 0, NULL, NULL);

    /* Permanent 5xx: one try and 3 retries, then the last answer. */
    fresh();
    struct expect c = {"permanent 500 (broken bucket)", CI_KIND_SERVICE, "InternalError", 500, 1, 4, 5};
    ai_case(&c, "broken-1250000000", 0, NULL, NULL);
    fresh();
    struct expect d = {"permanent 503 SlowDown (throttled)", CI_KIND_SERVICE, "SlowDown", 503, 1, 4, 5};
    ai_case(&d, "throttled-1250000000", 0, NULL, NULL);
    /* 501 NotImplemented is a 5xx that retrying cannot fix. */
    fresh();
    arm("{\"kind\": \"status\", \"status\": 501}");
    struct expect e = {"501 NotImplemented (not retried)", CI_KIND_SERVICE, "NotImplemented", 501, 1, 1, 5};
    pic_case(&e);
}

static void test_transport(void) {
    /* Delay past the timeout: the answer would come after 3 s; the call's timeout is 500 ms. */
    fresh();
    arm("{\"kind\": \"delay\", \"delay_ms\": 3000, \"times\": 1}");
    struct expect a = {"delay 3 s past a 500 ms timeout", CI_KIND_TIMEOUT, NULL, 0, 0, 1, 1.5};
    ai_case(&a, BUCKET, 500, NULL, NULL);
    fresh();
    struct expect b = {"slow bucket (2 s) past 300 ms", CI_KIND_TIMEOUT, NULL, 0, 0, 1, 1.3};
    ai_case(&b, "slow-1250000000", 300, NULL, NULL);

    /* Connection reset: retried (a connection failure), then NETWORK, no answer. */
    fresh();
    struct expect c = {"connection reset (reset bucket)", CI_KIND_NETWORK, NULL, 0, 0, 4, 5};
    ai_case(&c, "reset-1250000000", 0, NULL, NULL);
    fresh();
    arm("{\"kind\": \"reset\", \"times\": 1}");
    struct expect d = {"one reset, then success", CI_KIND_NONE, NULL, 0, 0, 2, 5};
    pic_case(&d);

    /* Malformed XML: a 2xx that cannot be read is not retried. */
    fresh();
    struct expect e = {"malformed XML (200)", CI_KIND_PARSE, NULL, 200, 1, 1, 5};
    ai_case(&e, "malformed-1250000000", 0, NULL, NULL);

    /* Truncated body: the connection broke mid-answer, so it is retried; the
     * headers (status, request id) had arrived. */
    fresh();
    struct expect f = {"truncated body", CI_KIND_NETWORK, NULL, 200, 1, 4, 5};
    ai_case(&f, "truncated-1250000000", 0, NULL, NULL);
}

/* The peak RSS is reset by writing 5 to /proc/self/clear_refs (Linux 4.0+). */
static int reset_peak_rss(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (!f) return 0;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok;
}

static void test_oversized(void) {
    fresh();
    arm("{\"kind\": \"oversized\", \"size\": 1073741824, \"times\": 1, \"path\": \"/ai_queue\"}");
    long rss_before = proc_status_kib("VmRSS");
    int peak_reset = reset_peak_rss();
    struct expect x = {"1 GiB body, 16 MiB cap", CI_KIND_RESPONSE_TOO_LARGE, NULL, 200, 1, 1, 20};
    ai_case(&x, BUCKET, 0, NULL, NULL);
    long peak = proc_status_kib("VmHWM"), rss_after = proc_status_kib("VmRSS");
    const char *bound_env = getenv("CI_FAULT_MATRIX_MAX_PEAK_MIB");
    long bound_mib = bound_env ? atol(bound_env) : 128;
    long growth = peak - rss_before;
    printf("  RSS before %ld KiB, peak during the call %ld KiB (growth %.1f MiB, bound %ld MiB, peak reset: %s), "
           "after %ld KiB\n",
           rss_before, peak, growth / 1024.0, bound_mib, peak_reset ? "yes" : "no", rss_after);
    CHECK(rss_before > 0 && peak > 0, "1 GiB body: /proc/self/status is readable");
    /* Far below 1 GiB, and within a small multiple of the 16 MiB cap. */
    CHECK(growth < bound_mib * 1024, "1 GiB body: peak RSS growth");
    CHECK(rss_after - rss_before < bound_mib * 1024, "1 GiB body: RSS after");
}

static void test_credentials_and_clock(void) {
    fresh();
    struct expect a = {"wrong secret key", CI_KIND_SERVICE, "SignatureDoesNotMatch", 403, 1, 1, 5};
    ai_case(&a, BUCKET, 0, NULL, "not-the-emulator-key");
    fresh();
    struct expect b = {"unknown secret id", CI_KIND_SERVICE, "InvalidAccessKeyId", 403, 1, 1, 5};
    ai_case(&b, BUCKET, 0, "AKIDnobodyEXAMPLE", NULL);

    /* The emulator's clock 2 h ahead: the signature window has expired
     * (403 AccessDenied "Request has expired"); the client learns the
     * offset from Date and signs again once. */
    fresh();
    CHECK(ctl_clock(addr, 7200), "clock +7200");
    struct expect c = {"expired window (server +2 h)", CI_KIND_NONE, NULL, 0, 0, 2, 5};
    ai_case(&c, BUCKET, 0, NULL, NULL);
    /* 2 h behind: the window starts in the server's future (RequestTimeTooSkewed). */
    fresh();
    CHECK(ctl_clock(addr, -7200), "clock -7200");
    struct expect d = {"skewed clock (server -2 h)", CI_KIND_NONE, NULL, 0, 0, 2, 5};
    pic_case(&d);
    /* A service that keeps saying RequestTimeTooSkewed: one correction, then the error. */
    fresh();
    arm("{\"kind\": \"status\", \"status\": 403, \"code\": \"RequestTimeTooSkewed\", \"times\": null}");
    struct expect e = {"permanent RequestTimeTooSkewed", CI_KIND_SERVICE, "RequestTimeTooSkewed", 403, 1, 2, 5};
    ai_case(&e, BUCKET, 0, NULL, NULL);

    fresh();
    struct expect f = {"unknown bucket", CI_KIND_SERVICE, "NoSuchBucket", 404, 1, 1, 5};
    ai_case(&f, "nosuchbucket-1250000000", 0, NULL, NULL);
    fresh();
}

int main(void) {
    addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    printf("%-34s %-19s %-22s %3s\n", "case", "kind", "code", "HTTP");
    test_retries();
    test_transport();
    test_oversized();
    test_credentials_and_clock();
    CHECK(ci_live_objects() == 0, "every object freed");
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
