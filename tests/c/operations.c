/*
 * ABI 3's generic surface against ci-emulator: ci_operations() describes
 * every call, ci_describe() and a ci_pager serve each of them, a field the
 * call does not take or a "set" flag of 0 with a value are told apart, and
 * everything handed out is freed. Run under valgrind and ASan by
 * `make test-c-matrix`; needs CI_EMULATOR_ADDR (scripts/with-emulator.sh).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime in emulator_control.h */
#include <stdio.h>
#include <string.h>

#include "emulator_control.h"

static int passed, failed;
#define CHECK(cond)                                                                        \
    do {                                                                                   \
        if (cond) {                                                                        \
            passed++;                                                                      \
        } else {                                                                           \
            failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);       \
        }                                                                                  \
    } while (0)

static const char *const BUCKET = "examplebucket-1250000000";

/* Checks that `e` is an error of `kind` whose message names `needle`; frees it. */
static void expect(ci_error *e, ci_kind kind, const char *needle, int line) {
    if (e && ci_error_kind(e) == kind && (!needle || strstr(ci_error_message(e), needle))) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "line %d: expected kind %d naming \"%s\", got %s\n", line, (int)kind, needle ? needle : "",
                e ? ci_error_message(e) : "success");
    }
    ci_free(e);
}
#define EXPECT(call, kind, needle) expect((call), (kind), (needle), __LINE__)

/* The item count of `page` in the array of its shape. */
static size_t items(const ci_page *page, uint32_t shape) {
    switch (shape) {
    case CI_SHAPE_BUCKETS: return page->buckets_len;
    case CI_SHAPE_CI_BUCKETS: return page->ci_buckets_len;
    default: return page->queues_len;
    }
}

/* Only the array of the call's shape is filled; every item has its id. */
static void check_page(const ci_page *page, const ci_operation_info *op) {
    CHECK(page->operation == op->operation);
    CHECK(page->request_id != NULL);
    CHECK(op->shape == CI_SHAPE_BUCKETS || (page->buckets == NULL && page->buckets_len == 0));
    CHECK(op->shape == CI_SHAPE_CI_BUCKETS || (page->ci_buckets == NULL && page->ci_buckets_len == 0));
    CHECK(op->shape == CI_SHAPE_QUEUES || (page->queues == NULL && page->queues_len == 0 && page->non_exist_pids_len == 0));
    for (size_t i = 0; i < page->buckets_len; i++) CHECK(page->buckets[i].bucket_id && page->buckets[i].name);
    for (size_t i = 0; i < page->ci_buckets_len; i++) CHECK(page->ci_buckets[i].bucket_id && page->ci_buckets[i].app_id);
    for (size_t i = 0; i < page->queues_len; i++) CHECK(page->queues[i].queue_id && page->queues[i].state);
}

/* Every operation answers through ci_describe, and its pager walks to a
 * total that matches TotalCount, one page of 7 at a time. */
static void test_every_operation(ci_client *c, const ci_operation_info *ops, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const ci_operation_info *op = &ops[i];
        const char *bucket = op->host_level == CI_HOST_LEVEL_BUCKET ? BUCKET : NULL;
        ci_page *page = NULL;
        ci_error *e = ci_describe(c, op->operation, bucket, NULL, &page);
        if (e) fprintf(stderr, "%s: %s\n", op->name, ci_error_message(e));
        CHECK(e == NULL && page != NULL);
        ci_free(e);
        if (!page) continue;
        check_page(page, op);
        uint64_t total = page->paging.total_count;
        CHECK(page->paging.has_total_count && items(page, op->shape) <= 10);
        CHECK(ci_free(page) == 1);

        ci_query q;
        memset(&q, 0, sizeof q);
        q.has_page_size = 1;
        q.page_size = 7;
        ci_pager *pager = NULL;
        CHECK(ci_pager_new(c, op->operation, bucket, &q, &pager) == NULL && pager);
        uint64_t seen = 0;
        for (int pages = 0; pager && pages < 100; pages++) {
            ci_page *next = NULL;
            ci_error *pe = ci_pager_next(pager, &next);
            CHECK(pe == NULL);
            ci_free(pe);
            if (!next) break;
            check_page(next, op);
            seen += items(next, op->shape);
            ci_free(next);
        }
        if (seen != total) fprintf(stderr, "%s: the pager saw %llu of %llu\n", op->name, (unsigned long long)seen, (unsigned long long)total);
        CHECK(seen == total);
        CHECK(ci_free(pager) == 1);
    }
}

static void test_the_table(const ci_operation_info *ops, size_t n) {
    CHECK(n == 13);
    for (size_t i = 0; i < n; i++) {
        CHECK(ops[i].operation == i + 1);
        CHECK(ops[i].name && strncmp(ops[i].name, "Describe", 8) == 0 && ops[i].path[0] == '/');
        CHECK(strcmp(ops[i].method, "GET") == 0 && ops[i].list_element && ops[i].snake_name);
        CHECK(ops[i].params & CI_PARAM_PAGE_SIZE);
    }
    CHECK(strcmp(ops[CI_OPERATION_MEDIA_BUCKETS - 1].path, "/mediabucket") == 0);
    CHECK(strcmp(ops[CI_OPERATION_CI_BUCKETS - 1].list_element, "CIBucketList") == 0);
    CHECK(ops[CI_OPERATION_FILE_QUEUES - 1].host_level == CI_HOST_LEVEL_BUCKET);
    CHECK(ops[CI_OPERATION_MEDIA_QUEUES - 1].params & CI_PARAM_CATEGORY);
    CHECK(!(ops[CI_OPERATION_AI_QUEUES - 1].params & CI_PARAM_CATEGORY));
    CHECK(ci_operations(NULL) == NULL);
}

/* What the generic call refuses, and that it says why, before sending. */
static void test_refusals(ci_client *c) {
    ci_page *page = (ci_page *)0x1;
    ci_query q;
    EXPECT(ci_describe(c, 0, NULL, NULL, &page), CI_KIND_INVALID_ARGUMENT, "ci_operation");
    CHECK(page == NULL);
    EXPECT(ci_describe(c, 14, NULL, NULL, &page), CI_KIND_INVALID_ARGUMENT, "ci_operation");
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_QUEUES, NULL, NULL, &page), CI_KIND_NULL_ARGUMENT, "bucket");
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_BUCKETS, BUCKET, NULL, &page), CI_KIND_INVALID_ARGUMENT, "bucket");
    EXPECT(ci_describe(c, CI_OPERATION_DOC_QUEUES, "no.dots-1", NULL, &page), CI_KIND_INVALID_ARGUMENT, "BucketName-APPID");

    /* A field of another shape, or one the call does not take. */
    memset(&q, 0, sizeof q);
    q.tag_key = "team";
    EXPECT(ci_describe(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page), CI_KIND_INVALID_ARGUMENT, "tag_key");
    memset(&q, 0, sizeof q);
    q.category = "Transcoding";
    EXPECT(ci_describe(c, CI_OPERATION_FILE_QUEUES, BUCKET, &q, &page), CI_KIND_INVALID_ARGUMENT, "category");
    memset(&q, 0, sizeof q);
    q.state = 9;
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_QUEUES, BUCKET, &q, &page), CI_KIND_INVALID_ARGUMENT, "ci_queue_state");

    /* "Set" flags: 0 with the flag set is refused where 0 cannot work, and
     * a value without the flag is not sent. */
    memset(&q, 0, sizeof q);
    q.has_page_size = 1;
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_BUCKETS, NULL, &q, &page), CI_KIND_INVALID_ARGUMENT, "page_size");
    memset(&q, 0, sizeof q);
    q.has_timeout_ms = 1;
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_BUCKETS, NULL, &q, &page), CI_KIND_INVALID_ARGUMENT, "timeout_ms");
    memset(&q, 0, sizeof q);
    q.has_page_number = 2;
    EXPECT(ci_describe(c, CI_OPERATION_MEDIA_BUCKETS, NULL, &q, &page), CI_KIND_INVALID_ARGUMENT, "has_page_number");
    memset(&q, 0, sizeof q);
    q.page_size = 3; /* no has_page_size: not sent, the service's 10 apply */
    CHECK(ci_describe(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &page) == NULL && page);
    if (page) {
        CHECK(page->paging.page_size == 10 && page->buckets_len == 10);
        ci_free(page);
    }

    /* A pager refuses a bad query when it is made, not on its first page. */
    ci_pager *pager = (ci_pager *)0x1;
    memset(&q, 0, sizeof q);
    q.has_page_size = 1;
    q.page_size = 101;
    EXPECT(ci_pager_new(c, CI_OPERATION_ASR_QUEUES, BUCKET, &q, &pager), CI_KIND_INVALID_ARGUMENT, "page_size");
    CHECK(pager == NULL);
    EXPECT(ci_pager_next(NULL, &page), CI_KIND_NULL_ARGUMENT, "pager");
    EXPECT(ci_pager_next((ci_pager *)c, &page), CI_KIND_INVALID_ARGUMENT, "ci_client");
}

/* Options: a retry delay of 0 is "retry at once", a timeout of 0 is refused. */
static void test_option_flags(const char *addr) {
    ci_client_options o = ctl_client_options(addr);
    o.has_retry_base_delay_ms = 1;
    o.retry_base_delay_ms = 0;
    ci_client *c = NULL;
    ci_error *e = ci_client_new(&o, &c);
    CHECK(e == NULL && c != NULL);
    ci_free(e);
    ci_free(c);
    o = ctl_client_options(addr);
    o.has_timeout_ms = 1;
    EXPECT(ci_client_new(&o, &c), CI_KIND_INVALID_ARGUMENT, "timeout");
    o = ctl_client_options(addr);
    o.has_max_response_bytes = 1;
    EXPECT(ci_client_new(&o, &c), CI_KIND_INVALID_ARGUMENT, "max_response_bytes");
    o = ctl_client_options(addr);
    o.timeout_ms = 1; /* without has_timeout_ms: the default 30 s */
    CHECK((e = ci_client_new(&o, &c)) == NULL);
    ci_free(e);
    ci_free(c);
}

int main(void) {
    const char *addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    size_t n = 0;
    const ci_operation_info *ops = ci_operations(&n);
    test_the_table(ops, n);
    ci_client_options o = ctl_client_options(addr);
    ci_client *c = ctl_client_new(&o);
    test_every_operation(c, ops, n);
    test_refusals(c);
    CHECK(ci_free(c) == 1);
    test_option_flags(addr);
    CHECK(ci_live_objects() == 0);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
