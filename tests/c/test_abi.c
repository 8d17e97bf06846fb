/*
 * Every function of the C ABI against ci-emulator: each field of both
 * results, each error kind, ci_free on everything, NULL and garbage input,
 * and 8 threads sharing one client. Run under valgrind and as an ASan build
 * by `make test-c`; needs CI_EMULATOR_ADDR (scripts/with-emulator.sh sets it).
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cloud_infinite.h"
#include "emulator_control.h"

static int passed, failed;

#define CHECK(cond)                                                          \
    do {                                                                     \
        if (cond) {                                                          \
            passed++;                                                        \
        } else {                                                             \
            failed++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                    #cond);                                                  \
        }                                                                    \
    } while (0)

#define CHECK_STR(actual, expected)                                           \
    do {                                                                      \
        const char *a_ = (actual), *e_ = (expected);                          \
        if (a_ && e_ && strcmp(a_, e_) == 0) {                                \
            passed++;                                                         \
        } else {                                                              \
            failed++;                                                         \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",        \
                    __FILE__, __LINE__, #actual, a_ ? a_ : "(null)",          \
                    e_ ? e_ : "(null)");                                      \
        }                                                                     \
    } while (0)

static const char *addr;
static const char *const BUCKET = "examplebucket-1250000000";

/* A client on the emulator; extra options via the callback. */
static ci_client *make_client(const char *secret_key, void (*tweak)(ci_client_options *)) {
    ci_client_options o = ctl_client_options(addr);
    if (secret_key) o.secret_key = secret_key;
    o.has_retry_base_delay_ms = 1; o.retry_base_delay_ms = 5;
    if (tweak) tweak(&o);
    return ctl_client_new(&o);
}

/* Expects `e` to be an error of `kind` (and `code`, `status` when given); frees it. */
static void expect_error(ci_error *e, ci_kind kind, const char *code, unsigned status, int line) {
    if (!e) {
        failed++;
        fprintf(stderr, "line %d: expected an error of kind %d, got success\n", line, (int)kind);
        return;
    }
    if (ci_error_kind(e) == kind && (!code || (ci_error_code(e) && strcmp(ci_error_code(e), code) == 0)) &&
        (!status || ci_error_http_status(e) == status) && ci_error_message(e) && ci_error_message(e)[0]) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "line %d: expected kind %d code %s status %u; got kind %d code %s status %u: %s\n", line,
                (int)kind, code ? code : "-", status, (int)ci_error_kind(e),
                ci_error_code(e) ? ci_error_code(e) : "-", ci_error_http_status(e), ci_error_message(e));
    }
    if (kind == CI_KIND_SERVICE) CHECK(ci_error_request_id(e) != NULL);
    CHECK(ci_free(e) == 1);
}
#define EXPECT_ERROR(call, kind, code, status) expect_error((call), (kind), (code), (status), __LINE__)

static void test_versions_and_sizes(void) {
    CHECK(ci_abi_version() == CI_ABI_VERSION);
    CHECK(ci_version() != NULL && strlen(ci_version()) > 0);
    CHECK(ci_struct_size(CI_STRUCT_ID_CLIENT_OPTIONS) == sizeof(ci_client_options));
    CHECK(ci_struct_size(CI_STRUCT_ID_QUERY) == sizeof(ci_query));
    CHECK(ci_struct_size(CI_STRUCT_ID_PAGE) == sizeof(ci_page));
    CHECK(ci_struct_size(CI_STRUCT_ID_PAGING) == sizeof(ci_paging));
    CHECK(ci_struct_size(CI_STRUCT_ID_BUCKET) == sizeof(ci_bucket));
    CHECK(ci_struct_size(CI_STRUCT_ID_CI_BUCKET) == sizeof(ci_ci_bucket));
    CHECK(ci_struct_size(CI_STRUCT_ID_QUEUE) == sizeof(ci_queue));
    CHECK(ci_struct_size(CI_STRUCT_ID_NOTIFY_CONFIG) == sizeof(ci_notify_config));
    CHECK(ci_struct_size(CI_STRUCT_ID_KAFKA_CONFIG) == sizeof(ci_kafka_config));
    CHECK(ci_struct_size(CI_STRUCT_ID_KV) == sizeof(ci_kv));
    CHECK(ci_struct_size(CI_STRUCT_ID_SIGN_REQUEST) == sizeof(ci_sign_request));
    CHECK(ci_struct_size(CI_STRUCT_ID_SIGNATURE) == sizeof(ci_signature));
    CHECK(ci_struct_size(CI_STRUCT_ID_OPERATION_INFO) == sizeof(ci_operation_info));
    CHECK(ci_struct_size(CI_STRUCT_ID_CREDENTIAL_VALUES) == sizeof(ci_credential_values));
    CHECK(ci_struct_size(0) == 0 && ci_struct_size(999) == 0);
}

static void bad_scheme(ci_client_options *o) { o->scheme = 77; }
static void bad_region(ci_client_options *o) { o->region = "ap-guangzhou.evil.com"; }
static void no_region(ci_client_options *o) { o->region = NULL; }
static void bad_utf8(ci_client_options *o) { o->secret_id = "AKID\xff\xfe"; }
static void url_proxy_without_url(ci_client_options *o) { o->proxy_mode = CI_PROXY_MODE_URL; }

static void test_client_new_errors(void) {
    ci_client_options o;
    memset(&o, 0, sizeof o);
    ci_client *c = (ci_client *)0x1;
    EXPECT_ERROR(ci_client_new(NULL, &c), CI_KIND_NULL_ARGUMENT, NULL, 0);
    CHECK(c == NULL); /* out is cleared on failure */
    EXPECT_ERROR(ci_client_new(&o, NULL), CI_KIND_NULL_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_client_new(&o, &c), CI_KIND_INVALID_ARGUMENT, NULL, 0); /* no credentials */

    void (*tweaks[])(ci_client_options *) = {bad_scheme, bad_region, no_region, bad_utf8};
    for (size_t i = 0; i < sizeof tweaks / sizeof *tweaks; i++) {
        ci_client_options t;
        memset(&t, 0, sizeof t);
        t.secret_id = "AKIDemulatorEXAMPLE";
        t.secret_key = "k";
        t.region = "ap-guangzhou";
        tweaks[i](&t);
        EXPECT_ERROR(ci_client_new(&t, &c), CI_KIND_INVALID_ARGUMENT, NULL, 0);
        CHECK(c == NULL);
    }
    {
        ci_client_options t;
        memset(&t, 0, sizeof t);
        t.secret_id = "AKIDemulatorEXAMPLE";
        t.secret_key = "k";
        t.region = "ap-guangzhou";
        t.ca_file = "/nonexistent/ca.pem";
        ci_error *e = ci_client_new(&t, &c);
        CHECK(e && strstr(ci_error_message(e), "ca_file") != NULL);
        EXPECT_ERROR(e, CI_KIND_INVALID_ARGUMENT, NULL, 0);
    }
    ci_client_options u;
    memset(&u, 0, sizeof u);
    u.secret_id = "a";
    u.secret_key = "k";
    u.region = "ap-guangzhou";
    url_proxy_without_url(&u);
    EXPECT_ERROR(ci_client_new(&u, &c), CI_KIND_NULL_ARGUMENT, NULL, 0);
}

static void test_pic_buckets(ci_client *c) {
    ci_page *page = NULL;
    CHECK(ci_describe_pic_buckets(c, NULL, &page) == NULL);
    if (!page) return;
    CHECK(page->paging.has_total_count && page->paging.total_count == 130);
    CHECK(page->paging.has_page_number && page->paging.page_number == 1);
    CHECK(page->paging.has_page_size && page->paging.page_size == 10);
    CHECK(page->request_id && strlen(page->request_id) > 0);
    CHECK(page->buckets_len == 10);
    CHECK_STR(page->buckets[0].bucket_id, BUCKET);
    CHECK_STR(page->buckets[0].name, BUCKET);
    CHECK_STR(page->buckets[0].region, "ap-guangzhou");
    CHECK_STR(page->buckets[0].create_time, "2019-11-15T12:12:12+0800");
    for (size_t i = 0; i < page->buckets_len; i++) {
        const ci_bucket *b = &page->buckets[i];
        CHECK(b->bucket_id && b->name && b->region && b->create_time && strcmp(b->bucket_id, b->name) == 0);
    }
    CHECK(ci_free(page) == 1);

    /* Every parameter at once. */
    const char *regions[] = {"ap-shanghai", "ap-guangzhou"};
    const char *names[] = {"photos-2-1250000000", "nosuch-1250000000", BUCKET};
    ci_query q;
    memset(&q, 0, sizeof q);
    q.regions = regions;
    q.regions_len = 2;
    q.bucket_names = names;
    q.bucket_names_len = 3;
    q.bucket_name_prefix = "photos";
    q.has_page_number = 1; q.page_number = 1;
    q.has_page_size = 1; q.page_size = 100;
    CHECK(ci_describe_pic_buckets(c, &q, &page) == NULL);
    if (page) {
        CHECK(page->paging.total_count == 1 && page->buckets_len == 1);
        CHECK_STR(page->buckets[0].name, "photos-2-1250000000");
        CHECK(page->paging.page_size == 100);
        CHECK(ci_free(page) == 1);
    }

    /* A page past the end has no buckets and a NULL array. */
    memset(&q, 0, sizeof q);
    q.has_page_number = 1; q.page_number = 1000;
    CHECK(ci_describe_pic_buckets(c, &q, &page) == NULL);
    if (page) {
        CHECK(page->buckets_len == 0 && page->buckets == NULL && page->paging.total_count == 130);
        ci_free(page);
    }

    /* Bad queries: nothing sent, clear errors. */
    memset(&q, 0, sizeof q);
    q.has_page_size = 1; q.page_size = 101;
    EXPECT_ERROR(ci_describe_pic_buckets(c, &q, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    CHECK(page == NULL);
    memset(&q, 0, sizeof q);
    q.regions_len = 2; /* with a NULL array */
    EXPECT_ERROR(ci_describe_pic_buckets(c, &q, &page), CI_KIND_NULL_ARGUMENT, NULL, 0);
    const char *with_null[] = {"ap-shanghai", NULL};
    q.regions = with_null;
    EXPECT_ERROR(ci_describe_pic_buckets(c, &q, &page), CI_KIND_NULL_ARGUMENT, NULL, 0);
    const char *with_comma[] = {"ap-shanghai,ap-beijing"};
    q.regions = with_comma;
    q.regions_len = 1;
    EXPECT_ERROR(ci_describe_pic_buckets(c, &q, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_describe_pic_buckets(c, NULL, NULL), CI_KIND_NULL_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_describe_pic_buckets(NULL, NULL, &page), CI_KIND_NULL_ARGUMENT, NULL, 0);
}

static void test_ai_queues(ci_client *c) {
    ci_page *page = NULL;
    CHECK(ci_describe_ai_queues(c, BUCKET, NULL, &page) == NULL);
    if (!page) return;
    CHECK(page->paging.has_total_count && page->paging.total_count == 25);
    CHECK(page->paging.has_page_number && page->paging.page_number == 1 && page->paging.has_page_size && page->paging.page_size == 10);
    CHECK(page->queues_len == 10 && page->non_exist_pids_len == 0 && page->non_exist_pids == NULL);
    /* The first queue is the one in Tencent's documentation example. */
    const ci_queue *q = &page->queues[0];
    CHECK_STR(q->queue_id, "p4a17eeea29334bf499b7e20e2fbfd99d");
    CHECK_STR(q->name, "My-Queue-ai");
    CHECK_STR(q->state, "Active");
    CHECK(q->has_max_size && q->max_size == 10000);
    CHECK(q->has_max_concurrent && q->max_concurrent == 10);
    CHECK_STR(q->category, "AIProcess");
    CHECK_STR(q->update_time, "2022-08-09T16:23:11+0800");
    CHECK_STR(q->create_time, "2022-08-09T16:23:11+0800");
    CHECK(q->notify_config != NULL);
    if (q->notify_config) {
        CHECK_STR(q->notify_config->url, "http://callback.demo.com");
        CHECK_STR(q->notify_config->event, "TaskFinish,WorkflowFinish");
        CHECK_STR(q->notify_config->type, "Url");
        CHECK_STR(q->notify_config->state, "On");
        CHECK_STR(q->notify_config->result_format, "JSON");
        CHECK(q->notify_config->mq_mode == NULL && q->notify_config->mq_region == NULL && q->notify_config->mq_name == NULL);
    }
    /* The other variants: escaped names, no config, TDMQ. */
    CHECK_STR(page->queues[1].name, "q&<tag> \"double\" 'single'");
    CHECK(page->queues[1].notify_config == NULL);
    CHECK_STR(page->queues[2].name, "\xe9\x98\x9f\xe5\x88\x97-\xe6\xb5\x8b\xe8\xaf\x95"); /* 队列-测试 */
    if (page->queues[2].notify_config) {
        CHECK_STR(page->queues[2].notify_config->type, "TDMQ");
        CHECK(page->queues[2].notify_config->mq_mode && page->queues[2].notify_config->mq_region &&
              page->queues[2].notify_config->mq_name);
    } else {
        CHECK(!"queue 2 has a TDMQ NotifyConfig");
    }
    CHECK(ci_free(page) == 1);

    /* By id: unknown ids listed, no paging fields. */
    const char *ids[] = {"A", "p4a17eeea29334bf499b7e20e2fbfd99d", "B"};
    ci_query aq;
    memset(&aq, 0, sizeof aq);
    aq.queue_ids = ids;
    aq.queue_ids_len = 3;
    CHECK(ci_describe_ai_queues(c, BUCKET, &aq, &page) == NULL);
    if (page) {
        CHECK(!page->paging.has_total_count && !page->paging.has_page_number && !page->paging.has_page_size);
        CHECK(page->queues_len == 1 && page->non_exist_pids_len == 2);
        CHECK_STR(page->non_exist_pids[0], "A");
        CHECK_STR(page->non_exist_pids[1], "B");
        ci_free(page);
    }

    /* state and paging. */
    memset(&aq, 0, sizeof aq);
    aq.state = CI_QUEUE_STATE_PAUSED;
    aq.has_page_size = 1; aq.page_size = 100;
    CHECK(ci_describe_ai_queues(c, BUCKET, &aq, &page) == NULL);
    if (page) {
        CHECK(page->queues_len > 0 && page->queues_len == page->paging.total_count);
        for (size_t i = 0; i < page->queues_len; i++) CHECK_STR(page->queues[i].state, "Paused");
        ci_free(page);
    }

    /* Only media queues take a category (the docs document it nowhere else):
     * set on AI queues it is refused, not dropped. */
    aq.category = "AIProcess";
    EXPECT_ERROR(ci_describe_ai_queues(c, BUCKET, &aq, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    CHECK(page == NULL);
    aq.state = 9;
    EXPECT_ERROR(ci_describe_ai_queues(c, BUCKET, &aq, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_describe_ai_queues(c, NULL, NULL, &page), CI_KIND_NULL_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_describe_ai_queues(c, "a.evil.com/x", NULL, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_describe_ai_queues(c, "bucket-1250000000\xff", NULL, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
}

/* CI_PAGE_FORMAT_JSON: the items as one JSON text, no item arrays; the
 * paging fields and request id as always. */
static void test_json_pages(ci_client *c) {
    ci_query q;
    memset(&q, 0, sizeof q);
    q.page_format = CI_PAGE_FORMAT_JSON;
    q.has_page_size = 1; q.page_size = 3;
    ci_page *page = NULL;
    CHECK(ci_describe(c, CI_OPERATION_AI_QUEUES, BUCKET, &q, &page) == NULL);
    if (page) {
        CHECK(page->queues == NULL && page->queues_len == 0 && page->non_exist_pids == NULL);
        CHECK(page->paging.has_total_count && page->paging.total_count == 25 && page->request_id != NULL);
        CHECK(page->json != NULL && page->json_size == strlen(page->json));
        /* The first queue of the documentation example, then the one whose
         * name needs escaping in XML and in JSON. */
        const char *first = "{\"items\":[[\"p4a17eeea29334bf499b7e20e2fbfd99d\",\"My-Queue-ai\",\"Active\","
                            "[\"http://callback.demo.com\",\"TaskFinish,WorkflowFinish\",\"Url\",\"On\",\"JSON\",null,null,null,null],"
                            "10000,10,\"AIProcess\",\"2022-08-09T16:23:11+0800\",\"2022-08-09T16:23:11+0800\",";
        CHECK(page->json && strncmp(page->json, first, strlen(first)) == 0);
        CHECK(page->json && strstr(page->json, "\"q&<tag> \\\"double\\\" 'single'\"") != NULL);
        const char *end = "]],\"non_exist_pids\":[]}";
        CHECK(page->json && page->json_size > strlen(end) && strcmp(page->json + page->json_size - strlen(end), end) == 0);
        CHECK(ci_free(page) == 1);
    }
    /* Unknown ids come in the JSON too. */
    const char *ids[] = {"A", "B"};
    q.has_page_size = 0;
    q.queue_ids = ids; q.queue_ids_len = 2;
    CHECK(ci_describe(c, CI_OPERATION_AI_QUEUES, BUCKET, &q, &page) == NULL);
    if (page) {
        CHECK_STR(page->json, "{\"items\":[],\"non_exist_pids\":[\"A\",\"B\"]}");
        CHECK(page->non_exist_pids_len == 0);
        ci_free(page);
    }
    /* Every page of a pager. */
    memset(&q, 0, sizeof q);
    q.page_format = CI_PAGE_FORMAT_JSON;
    q.has_page_size = 1; q.page_size = 100;
    ci_pager *pager = NULL;
    CHECK(ci_pager_new(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager) == NULL);
    size_t pages = 0;
    while (pager) {
        page = NULL;
        ci_error *e = ci_pager_next(pager, &page);
        CHECK(e == NULL);
        ci_free(e);
        if (!page) break;
        pages++;
        CHECK(page->buckets == NULL && page->json && strncmp(page->json, "{\"items\":[[", 11) == 0);
        ci_free(page);
    }
    CHECK(pages >= 1);
    ci_free(pager);
    /* A format the library does not know is refused by name. */
    q.page_format = 2;
    EXPECT_ERROR(ci_describe(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    CHECK(page == NULL);
    /* The default: item arrays and no JSON. */
    q.page_format = CI_PAGE_FORMAT_STRUCTS;
    CHECK(ci_describe(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page) == NULL);
    if (page) {
        CHECK(page->json == NULL && page->json_size == 0 && page->buckets_len > 0);
        ci_free(page);
    }
}

static void test_pagers(ci_client *c) {
    ci_query q;
    memset(&q, 0, sizeof q);
    q.has_page_size = 1; q.page_size = 50;
    ci_pager *pager = NULL;
    CHECK(ci_pager_new(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &pager) == NULL);
    size_t pages = 0, buckets = 0;
    for (;;) {
        ci_page *page = NULL;
        ci_error *e = ci_pager_next(pager, &page);
        if (e) {
            EXPECT_ERROR(e, CI_KIND_NONE, NULL, 0);
            break;
        }
        if (!page) break;
        pages++;
        buckets += page->buckets_len;
        ci_free(page);
    }
    CHECK(pages == 3 && buckets == 130);
    CHECK(ci_free(pager) == 1);

    ci_pager *qp = NULL;
    ci_query aq;
    memset(&aq, 0, sizeof aq);
    aq.has_page_size = 1; aq.page_size = 7;
    CHECK(ci_pager_new(c, CI_OPERATION_AI_QUEUES, BUCKET, &aq, &qp) == NULL);
    size_t queues = 0;
    ci_page *qpage = NULL;
    while (ci_pager_next(qp, &qpage) == NULL && qpage) {
        queues += qpage->queues_len;
        ci_free(qpage);
    }
    CHECK(queues == 25);
    ci_free(qp);

    EXPECT_ERROR(ci_pager_new(c, CI_OPERATION_AI_QUEUES, "Bad Bucket", NULL, &qp), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    CHECK(qp == NULL);
    EXPECT_ERROR(ci_pager_next(NULL, NULL), CI_KIND_NULL_ARGUMENT, NULL, 0);
    ci_page *page = NULL;
    EXPECT_ERROR(ci_pager_next((ci_pager *)c, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);
}

static void no_retries(ci_client_options *o) {
    o->has_max_retries = 1;
    o->max_retries = 0;
}
static void two_retries(ci_client_options *o) {
    o->has_max_retries = 1;
    o->max_retries = 2;
}
static void small_cap(ci_client_options *o) { o->max_response_bytes = 65536; }

static void test_error_kinds(ci_client *c) {
    ci_page *page = NULL;
    ci_client *wrong = make_client("wrong-key", NULL);
    ci_error *denied = ci_describe_ai_queues(wrong, BUCKET, NULL, &page);
    /* An <Error> body's Resource and TraceId reach C too. */
    CHECK(ci_error_resource(denied) != NULL && ci_error_trace_id(denied) != NULL);
    EXPECT_ERROR(denied, CI_KIND_SERVICE, "SignatureDoesNotMatch", 403);
    ci_free(wrong);
    EXPECT_ERROR(ci_describe_ai_queues(c, "nosuchbucket-1250000000", NULL, &page), CI_KIND_SERVICE, "NoSuchBucket", 404);

    ci_client *retrying = make_client(NULL, two_retries);
    EXPECT_ERROR(ci_describe_ai_queues(retrying, "broken-1250000000", NULL, &page), CI_KIND_SERVICE, "InternalError", 500);
    EXPECT_ERROR(ci_describe_ai_queues(retrying, "throttled-1250000000", NULL, &page), CI_KIND_SERVICE, "SlowDown", 503);
    CHECK(ci_describe_ai_queues(retrying, "flaky-1250000000", NULL, &page) == NULL && page && page->queues_len == 1);
    ci_free(page);
    ci_free(retrying);

    ci_client *once = make_client(NULL, no_retries);
    ci_query timeout;
    memset(&timeout, 0, sizeof timeout);
    timeout.has_timeout_ms = 1; timeout.timeout_ms = 300;
    EXPECT_ERROR(ci_describe_ai_queues(once, "slow-1250000000", &timeout, &page), CI_KIND_TIMEOUT, NULL, 0);
    EXPECT_ERROR(ci_describe_ai_queues(once, "reset-1250000000", NULL, &page), CI_KIND_NETWORK, NULL, 0);
    EXPECT_ERROR(ci_describe_ai_queues(once, "malformed-1250000000", NULL, &page), CI_KIND_PARSE, NULL, 200);
    EXPECT_ERROR(ci_describe_ai_queues(once, "truncated-1250000000", NULL, &page), CI_KIND_NETWORK, NULL, 0);
    ci_free(once);

    ci_client *capped = make_client(NULL, small_cap);
    EXPECT_ERROR(ci_describe_ai_queues(capped, "huge-1250000000", NULL, &page), CI_KIND_RESPONSE_TOO_LARGE, NULL, 0);
    ci_free(capped);

    EXPECT_ERROR(ci_debug_panic("boom"), CI_KIND_PANIC, NULL, 0);
    EXPECT_ERROR(ci_debug_panic(NULL), CI_KIND_PANIC, NULL, 0);
}

struct slow_call {
    ci_client *client;
    ci_error *error;
    ci_page *page;
};

static void *call_slow_bucket(void *arg) {
    struct slow_call *call = arg;
    call->error = ci_describe_ai_queues(call->client, "slow-1250000000", NULL, &call->page);
    return NULL;
}

static void bad_flag(ci_client_options *o) { o->from_env = 2; }

static void test_free_and_garbage(void) {
    /* Freeing a client while another thread is inside a call on it: the call
     * finishes with its own reference; the handle is dead afterwards. */
    struct slow_call call = {make_client(NULL, NULL), NULL, NULL};
    pthread_t thread;
    pthread_create(&thread, NULL, call_slow_bucket, &call);
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    CHECK(ci_free(call.client) == 1);
    pthread_join(thread, NULL);
    CHECK(call.error == NULL && call.page && call.page->queues_len == 1);
    ci_free(call.error);
    ci_free(call.page);
    ci_page *after = NULL;
    EXPECT_ERROR(ci_describe_pic_buckets(call.client, NULL, &after), CI_KIND_INVALID_ARGUMENT, NULL, 0);

    /* A stale pointer is still recognised after new objects are made: freed
     * memory is held back from reuse for a while. */
    ci_client *c2 = make_client(NULL, NULL);
    ci_page *p1 = NULL, *p2 = NULL;
    CHECK(ci_describe_pic_buckets(c2, NULL, &p1) == NULL);
    CHECK(ci_free(p1) == 1);
    CHECK(ci_describe_pic_buckets(c2, NULL, &p2) == NULL);
    CHECK(p2 != p1);
    CHECK(ci_free(p1) == -1); /* stale: refused, and p2 untouched */
    CHECK(p2 && p2->buckets_len == 10 && strcmp(p2->buckets[0].name, BUCKET) == 0);
    ci_free(p2);

    /* Garbage sizes and flags are errors, not reads of unrelated memory. */
    const char *one[] = {"ap-shanghai"};
    ci_query huge;
    memset(&huge, 0, sizeof huge);
    huge.regions = one;
    huge.regions_len = (size_t)-1;
    EXPECT_ERROR(ci_describe_pic_buckets(c2, &huge, &after), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    ci_free(c2);
    ci_client_options flags;
    memset(&flags, 0, sizeof flags);
    flags.secret_id = "a";
    flags.secret_key = "k";
    flags.region = "ap-guangzhou";
    bad_flag(&flags);
    ci_client *never = NULL;
    EXPECT_ERROR(ci_client_new(&flags, &never), CI_KIND_INVALID_ARGUMENT, NULL, 0);

    CHECK(ci_free(NULL) == 0);
    int on_stack = 0;
    CHECK(ci_free(&on_stack) == -1);
    void *from_malloc = malloc(64);
    CHECK(ci_free(from_malloc) == -1);
    free(from_malloc);

    ci_client *c = make_client(NULL, NULL);
    CHECK(ci_free(c) == 1);
    CHECK(ci_free(c) == -1); /* twice: detected, nothing touched */
    ci_page *page = NULL;
    EXPECT_ERROR(ci_describe_pic_buckets(c, NULL, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0); /* freed client */
    EXPECT_ERROR(ci_describe_pic_buckets((ci_client *)&on_stack, NULL, &page), CI_KIND_INVALID_ARGUMENT, NULL, 0);

    /* Accessors on NULL or garbage: documented fallbacks. */
    CHECK(ci_error_kind(NULL) == CI_KIND_NONE && ci_error_message(NULL) == NULL && ci_error_code(NULL) == NULL);
    CHECK(ci_error_kind((ci_error *)&on_stack) == CI_KIND_NONE && ci_error_message((ci_error *)&on_stack) == NULL);
    CHECK(ci_error_http_status(NULL) == 0 && ci_error_request_id(NULL) == NULL);
    CHECK(ci_error_resource(NULL) == NULL && ci_error_trace_id(NULL) == NULL);

    /* An error object is itself handed out once and freed once. */
    ci_error *e = ci_describe_pic_buckets(NULL, NULL, &page);
    CHECK(ci_error_kind(e) == CI_KIND_NULL_ARGUMENT);
    CHECK(ci_free(e) == 1 && ci_free(e) == -1);
    CHECK(ci_error_kind(e) == CI_KIND_NONE); /* freed: not read */
}

static void test_sign(void) {
    /* Vector "aiq_hdr_all" made by Tencent's official Python SDK. */
    ci_kv params[] = {{"queueIds", "pa1"}, {"state", "All"}, {"pageNumber", "1"}, {"pageSize", "10"}};
    ci_kv headers[] = {{"host", "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com"},
                       {"content-type", "application/xml"},
                       {"content-length", "0"},
                       {"date", "Tue, 14 Nov 2023 22:13:20 GMT"},
                       {"x-cos-security-token", "tmpTOKEN+abc/def==_-.~xyz"}};
    ci_sign_request r;
    memset(&r, 0, sizeof r);
    r.secret_id = "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234";
    r.secret_key = "EXAMPLEsecretKEYexampleSECRETkey1";
    r.method = "GET";
    r.path = "/ai_queue";
    r.params = params;
    r.params_len = 4;
    r.headers = headers;
    r.headers_len = 5;
    r.start_time = 1700000000;
    r.end_time = 1700003600;
    ci_signature *sig = NULL;
    CHECK(ci_sign(&r, &sig) == NULL && sig);
    if (sig) {
        CHECK_STR(sig->header_list, "content-length;content-type;host;x-cos-security-token");
        CHECK_STR(sig->param_list, "pagenumber;pagesize;queueids;state");
        /* Exactly what Tencent's official Python SDK produced for this request. */
        CHECK_STR(sig->authorization, "q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600&q-header-list=content-length;content-type;host;x-cos-security-token&q-url-param-list=pagenumber;pagesize;queueids;state&q-signature=f8728f35f93181b104d6cd754d0f1662eb132954");
        CHECK(strlen(sig->signature) == 40);
        CHECK(strstr(sig->authorization, sig->signature) != NULL);
        CHECK(strstr(sig->http_string, "x-cos-security-token=tmpTOKEN%2Babc%2Fdef%3D%3D_-.~xyz") != NULL);
        CHECK(strncmp(sig->string_to_sign, "sha1\n1700000000;1700003600\n", 27) == 0);
        CHECK(ci_free(sig) == 1);
    }
    r.end_time = 1;
    EXPECT_ERROR(ci_sign(&r, &sig), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    r.end_time = 1700003600;
    r.secret_id = "AKID\xe6\xb5\x8b"; /* UTF-8, but no header can carry it */
    EXPECT_ERROR(ci_sign(&r, &sig), CI_KIND_INVALID_ARGUMENT, NULL, 0);
    r.secret_id = "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234";
    r.method = NULL;
    EXPECT_ERROR(ci_sign(&r, &sig), CI_KIND_NULL_ARGUMENT, NULL, 0);
    EXPECT_ERROR(ci_sign(NULL, &sig), CI_KIND_NULL_ARGUMENT, NULL, 0);
}

#define THREADS 8
#define CALLS_PER_THREAD 25
static int thread_failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg) {
    ci_client *c = arg;
    int bad = 0;
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        if (i % 2) {
            ci_page *page = NULL;
            ci_error *e = ci_describe_pic_buckets(c, NULL, &page);
            bad += e != NULL || !page || page->buckets_len != 10;
            ci_free(e);
            ci_free(page);
        } else {
            ci_page *page = NULL;
            ci_error *e = ci_describe_ai_queues(c, BUCKET, NULL, &page);
            bad += e != NULL || !page || page->queues_len != 10;
            ci_free(e);
            ci_free(page);
        }
    }
    pthread_mutex_lock(&lock);
    thread_failures += bad;
    pthread_mutex_unlock(&lock);
    return NULL;
}

static void test_threads(ci_client *c) {
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, worker, c);
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    CHECK(thread_failures == 0);
}

int main(void) {
    addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    if (getenv("CI_TEST_DELIBERATE_LEAK")) {
        /* Proves the leak checkers are awake; make test-c expects this run
         * to fail. The page is never freed: the library's registry still
         * points at it, so valgrind (which counts reachable blocks) reports
         * it, and so does ci_live_objects(). LSan only reports unreachable
         * blocks, so it gets a lost allocation of its own. */
        ci_client *c = make_client(NULL, NULL);
        ci_page *leaked = NULL;
        ci_error *e = ci_describe_pic_buckets(c, NULL, &leaked);
        ci_free(e);
        ci_free(c);
        char *volatile lost = malloc(64);
        lost[0] = 1;
        lost = NULL;
        printf("leaked on purpose; live objects: %zu\n", ci_live_objects());
        return 0;
    }
    test_versions_and_sizes();
    test_client_new_errors();
    ci_client *c = make_client(NULL, NULL);
    test_pic_buckets(c);
    test_ai_queues(c);
    test_json_pages(c);
    test_pagers(c);
    test_error_kinds(c);
    test_threads(c);
    CHECK(ci_free(c) == 1);
    test_free_and_garbage();
    test_sign();
    CHECK(ci_live_objects() == 0); /* everything handed out was freed */
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
