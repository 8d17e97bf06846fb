/*
 * Lists every image-processing bucket and one bucket's AI queues from C.
 *
 *   cc list.c $(pkg-config --cflags --libs cloud_infinite) -o list
 *   CI_EMULATOR_ADDR=127.0.0.1:PORT ./list     # against the local emulator
 *   ./list examplebucket-1250000000            # TENCENTCLOUD_* from the environment
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cloud_infinite.h>

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

static ci_error *list_buckets(const ci_client *client) {
    ci_pic_bucket_query query;
    memset(&query, 0, sizeof query);
    query.page_size = 100;
    ci_pic_bucket_pager *pager = NULL;
    ci_error *e = ci_pic_bucket_pager_new(client, &query, &pager);
    if (e) return e;
    size_t count = 0;
    printf("%-16s %-32s %s\n", "REGION", "BUCKET", "CREATED");
    for (;;) {
        ci_pic_bucket_page *page = NULL;
        if ((e = ci_pic_bucket_pager_next(pager, &page)) || !page) break; /* error, or no more pages */
        for (size_t i = 0; i < page->buckets_len; i++) {
            const ci_pic_bucket *b = &page->buckets[i];
            printf("%-16s %-32s %s\n", or_dash(b->region), or_dash(b->name), or_dash(b->create_time));
        }
        count += page->buckets_len;
        ci_free(page);
    }
    ci_free(pager);
    if (!e) printf("%zu buckets\n\n", count);
    return e;
}

static ci_error *list_queues(const ci_client *client, const char *bucket) {
    ci_ai_queue_query query;
    memset(&query, 0, sizeof query);
    query.page_size = 100;
    ci_ai_queue_page *queues = NULL;
    ci_error *e = ci_describe_ai_queues(client, bucket, &query, &queues);
    if (e) return e;
    if (queues->has_total_count)
        printf("AI queues of %s (%llu in all):\n", bucket, (unsigned long long)queues->total_count);
    else
        printf("AI queues of %s:\n", bucket);
    for (size_t i = 0; i < queues->queues_len; i++) {
        const ci_ai_queue *q = &queues->queues[i];
        printf("  %s  %-7s %-13s %s\n", or_dash(q->queue_id), or_dash(q->state), or_dash(q->category),
               q->notify_config ? or_dash(q->notify_config->type) : "(no callback)");
    }
    ci_free(queues);
    return NULL;
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

    if (!(e = list_buckets(client))) e = list_queues(client, bucket);
    ci_free(client);
    return e ? report(e) : 0;
}
