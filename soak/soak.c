/*
 * Soak of the C ABI (issue 8): THREADS threads share one client and make
 * CALLS calls each (both APIs, alternating), against ci-emulator.
 *
 * It must end with zero errors, every call seen by the emulator, every
 * library object freed, the same number of open file descriptors as before
 * the client existed, and RSS flat: the growth from after the warm-up to the
 * end stays under a bound far below what leaking one page per call would
 * cost. Prints the figures as one "soak c: key=value ..." line.
 *
 *   soak [--threads N] [--calls-per-thread N]      (default 4 x 50000)
 * Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh). CI_SOAK_MAX_RSS_GROWTH_KIB
 * overrides the RSS bound (default 8192 KiB); CI_SOAK_DELIBERATE_LEAK=1 leaks
 * every page on purpose, and the run must then FAIL (the measures work).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "../tests/c/emulator_control.h"

static const char *addr;
/* CI_SOAK_DELIBERATE_LEAK=1: never free the pages, to show the soak's
 * measures catch a leak (the run must then FAIL). */
static int leak_on_purpose;
static const char *const BUCKET = "examplebucket-1250000000";

struct worker {
    ci_client *client;
    long calls;
    long errors;
    long done;
    pthread_t thread;
};

/* One call; returns 1 when it succeeded with the expected page. */
static int one_call(ci_client *c, long i) {
    int ok;
    ci_error *e;
    if (i % 2) {
        ci_page *page = NULL;
        e = ci_describe_pic_buckets(c, NULL, &page);
        ok = !e && page && page->buckets_len == 10 && page->request_id;
        if (!leak_on_purpose) ci_free(page);
    } else {
        ci_page *page = NULL;
        e = ci_describe_ai_queues(c, BUCKET, NULL, &page);
        ok = !e && page && page->queues_len == 10 && page->request_id;
        if (!leak_on_purpose) ci_free(page);
    }
    if (e) {
        static int reported;
        if (__atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED) < 5) fprintf(stderr, "error: %s\n", ci_error_message(e));
        ci_free(e);
    }
    return ok;
}

static void *run(void *arg) {
    struct worker *w = arg;
    for (long i = 0; i < w->calls; i++) {
        if (!one_call(w->client, i)) w->errors++;
        __atomic_store_n(&w->done, i + 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static long total_done(struct worker *w, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) sum += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
    return sum;
}

int main(int argc, char **argv) {
    int threads = 4;
    long per_thread = 50000;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--threads") == 0) threads = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--calls-per-thread") == 0) per_thread = atol(argv[i + 1]);
        else {
            fprintf(stderr, "usage: %s [--threads N] [--calls-per-thread N]\n", argv[0]);
            return 2;
        }
    }
    addr = getenv("CI_EMULATOR_ADDR");
    if (!addr || threads < 1 || threads > 64 || per_thread < 1) {
        fprintf(stderr, "CI_EMULATOR_ADDR must be set (scripts/with-emulator.sh); 1..64 threads\n");
        return 2;
    }
    leak_on_purpose = getenv("CI_SOAK_DELIBERATE_LEAK") != NULL;
    const char *bound_env = getenv("CI_SOAK_MAX_RSS_GROWTH_KIB");
    long max_growth = bound_env ? atol(bound_env) : 8192;

    int fds_start = proc_fd_count();
    ci_client_options o = ctl_client_options(addr);
    ci_client *client = ctl_client_new(&o);

    /* Warm-up: the same shape, 1000 calls per thread, so pools, arenas and
     * connections exist before the first measurement. */
    struct worker *w = calloc((size_t)threads, sizeof *w);
    for (int i = 0; i < threads; i++) {
        w[i].client = client;
        w[i].calls = 1000;
        pthread_create(&w[i].thread, NULL, run, &w[i]);
    }
    long warm_errors = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        warm_errors += w[i].errors;
    }
    if (!ctl_reset(addr)) {
        fprintf(stderr, "cannot reset the emulator's stats\n");
        return 2;
    }
    long rss_before = proc_status_kib("VmRSS");
    int fds_warm = proc_fd_count();

    memset(w, 0, (size_t)threads * sizeof *w);
    double t0 = ctl_now();
    for (int i = 0; i < threads; i++) {
        w[i].client = client;
        w[i].calls = per_thread;
        pthread_create(&w[i].thread, NULL, run, &w[i]);
    }
    /* RSS at every quarter of the run, to show it is flat rather than just
     * equal at both ends. Bounded: the workers end on their own. */
    long total = (long)threads * per_thread, samples[4] = {0, 0, 0, 0};
    int next_sample = 0;
    while (next_sample < 3) {
        long done = total_done(w, threads);
        if (done >= total * (next_sample + 1) / 4) {
            samples[next_sample++] = proc_status_kib("VmRSS");
            continue;
        }
        struct timespec pause = {0, 20 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    long errors = 0, calls = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        errors += w[i].errors;
        calls += w[i].done;
    }
    double secs = ctl_now() - t0;
    long rss_after = proc_status_kib("VmRSS");
    samples[3] = rss_after;
    int fds_after_calls = proc_fd_count();
    long seen = ctl_requests(addr);
    ci_free(client);
    int fds_end = proc_fd_count();
    size_t live = ci_live_objects();
    free(w);

    printf("soak c: threads=%d calls=%ld errors=%ld warmup_errors=%ld secs=%.1f calls_per_s=%.0f "
           "rss_before_kib=%ld rss_quarters_kib=%ld,%ld,%ld,%ld rss_after_kib=%ld growth_kib=%ld (bound %ld) "
           "fds_before=%d fds_after=%d fds_with_client_before=%d fds_with_client_after=%d "
           "emulator_requests=%ld live_objects=%zu\n",
           threads, calls, errors, warm_errors, secs, calls / secs, rss_before, samples[0], samples[1], samples[2],
           samples[3], rss_after, rss_after - rss_before, max_growth, fds_start, fds_end, fds_warm, fds_after_calls,
           seen, live);
    int ok = calls == total && errors == 0 && warm_errors == 0 && seen == total && live == 0 && fds_end == fds_start &&
             fds_after_calls <= fds_warm && rss_after - rss_before < max_growth;
    printf("soak c: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
