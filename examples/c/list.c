/*
 * Lists, from C, what every describe call of the library answers: each
 * service's buckets and one bucket's queues of each kind, as compact
 * tables (the first rows of each, and the count across all pages).
 *
 *   cc list.c $(pkg-config --cflags --libs cloud_infinite) -o list
 *   CI_EMULATOR_ADDR=127.0.0.1:PORT ./list     # against the local emulator
 *   ./list examplebucket-1250000000            # TENCENTCLOUD_* from the environment
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloud_infinite.h>

enum { ROWS = 3 }; /* rows printed per call */

static const char *or_dash(const char *s) { return s ? s : "-"; }

/* Prints and frees `e`; returns the exit status. */
static int report(ci_error *e) {
    fprintf(stderr, "error (kind %d", (int)ci_error_kind(e));
    if (ci_error_code(e)) fprintf(stderr, ", code %s", ci_error_code(e));
    if (ci_error_request_id(e)) fprintf(stderr, ", request %s", ci_error_request_id(e));
    fprintf(stderr, "): %s\n", ci_error_message(e));
    ci_free(e);
    return 1;
}

/* Prints the rows of `page` while fewer than ROWS were printed. */
static void print_rows(const ci_page *page, size_t *printed) {
    for (size_t i = 0; i < page->buckets_len && *printed < ROWS; i++, (*printed)++) {
        const ci_bucket *b = &page->buckets[i];
        printf("  %-14s %-30s %s\n", or_dash(b->region), or_dash(b->name), or_dash(b->create_time));
    }
    for (size_t i = 0; i < page->ci_buckets_len && *printed < ROWS; i++, (*printed)++) {
        const ci_ci_bucket *b = &page->ci_buckets[i];
        printf("  %-14s %-30s %-4s %s\n", or_dash(b->region), or_dash(b->bucket_id), or_dash(b->status), or_dash(b->create_time));
    }
    for (size_t i = 0; i < page->queues_len && *printed < ROWS; i++, (*printed)++) {
        const ci_queue *q = &page->queues[i];
        const char *notify = q->notify_config ? or_dash(q->notify_config->type) : "-";
        printf("  %-34s %-7s %-17s %s\n", or_dash(q->queue_id), or_dash(q->state), or_dash(q->category), notify);
    }
}

/* Walks every page of one call, printing its first rows and its count. */
static ci_error *list(const ci_client *client, const ci_operation_info *op, const char *bucket) {
    ci_query query;
    memset(&query, 0, sizeof query);
    query.has_page_size = 1;
    query.page_size = 100;
    const char *target = op->host_level == CI_HOST_LEVEL_BUCKET ? bucket : NULL;
    ci_pager *pager = NULL;
    ci_error *e = ci_pager_new(client, op->operation, target, &query, &pager);
    if (e) return e;
    printf("%s (GET %s)%s%s\n", op->name, op->path, target ? " of " : "", target ? target : "");
    size_t count = 0, printed = 0;
    for (;;) {
        ci_page *page = NULL;
        if ((e = ci_pager_next(pager, &page)) || !page) break; /* error, or no more pages */
        print_rows(page, &printed);
        count += page->buckets_len + page->ci_buckets_len + page->queues_len;
        ci_free(page);
    }
    ci_free(pager);
    if (!e) printf("  %zu %s\n\n", count, op->host_level == CI_HOST_LEVEL_BUCKET ? "queues" : "buckets");
    return e;
}

int main(int argc, char **argv) {
    const char *bucket = argc > 1 ? argv[1] : "examplebucket-1250000000";
    if (ci_abi_version() != CI_ABI_VERSION) {
        fprintf(stderr, "cloud_infinite.h and the library disagree: rebuild\n");
        return 1;
    }

    ci_client_options options;
    memset(&options, 0, sizeof options);
    const char *emulator = getenv("CI_EMULATOR_ADDR");
    if (emulator) { /* production host names and signatures, dialled at the emulator */
        options.secret_id = "AKIDemulatorEXAMPLE";
        options.secret_key = "emulator-secret-key";
        options.region = "ap-guangzhou";
        options.connect_to = emulator;
        options.scheme = CI_SCHEME_HTTP;
        options.proxy_mode = CI_PROXY_MODE_DISABLED;
    } else {
        options.from_env = 1;
    }
    ci_client *client = NULL;
    ci_error *e = ci_client_new(&options, &client);
    if (e) return report(e);

    size_t n = 0;
    const ci_operation_info *ops = ci_operations(&n);
    for (size_t i = 0; i < n && !e; i++) e = list(client, &ops[i], bucket);
    ci_free(client);
    return e ? report(e) : 0;
}
