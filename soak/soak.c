/*
 * Soak of the C ABI (issues 8 and 17): THREADS threads share one client and
 * make CALLS calls each (both APIs, alternating, 10-item pages), against
 * ci-emulator.
 *
 * It must end with zero errors, every call seen by the emulator, every
 * library object freed, the same number of open file descriptors as before
 * the client existed, and RSS flat. RSS (VmRSS) is sampled at every 5% of
 * the calls; the first 10% are the warm-up (pools, arenas, connections), and
 * the growth from the 10% sample to the end must stay under a bound (default
 * 2048 KiB, see soak/README.md). Prints the figures as one
 * "soak c: key=value ..." line and the samples as a second one.
 *
 *   soak [--threads N] [--calls-per-thread N]      (default 4 x 250000)
 * Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh). CI_SOAK_MAX_RSS_GROWTH_KIB
 * overrides the RSS bound; CI_SOAK_DELIBERATE_LEAK=1 leaks every page on
 * purpose, and the run must then FAIL (the measures work).
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "../tests/c/emulator_control.h"

/* RSS samples: one at every 5% of the calls; sample WARM (10%) ends the warm-up. */
#define SAMPLES 20
#define WARM 2

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
        if (!one_call(w->client, i)) __atomic_add_fetch(&w->errors, 1, __ATOMIC_RELAXED);
        __atomic_store_n(&w->done, i + 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

static long total_done(struct worker *w, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) sum += __atomic_load_n(&w[i].done, __ATOMIC_RELAXED);
    return sum;
}

/* Least-squares slope of samples[from..SAMPLES-1] against the calls made,
 * in KiB per 100,000 calls. */
static double slope_kib_per_100k(const long *rss, const long *at, int from) {
    double n = SAMPLES - from, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int k = from; k < SAMPLES; k++) {
        double x = (double)at[k] / 1e5, y = (double)rss[k];
        sx += x, sy += y, sxx += x * x, sxy += x * y;
    }
    double d = n * sxx - sx * sx;
    return d > 0 ? (n * sxy - sx * sy) / d : 0;
}

int main(int argc, char **argv) {
    int threads = 4;
    long per_thread = 250000;
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
    long max_growth = bound_env ? atol(bound_env) : 2048;

    if (!ctl_reset(addr)) {
        fprintf(stderr, "cannot reset the emulator's stats\n");
        return 2;
    }
    int fds_start = proc_fd_count();
    long rss_start = proc_status_kib("VmRSS");
    ci_client_options o = ctl_client_options(addr);
    ci_client *client = ctl_client_new(&o);

    struct worker *w = calloc((size_t)threads, sizeof *w);
    double t0 = ctl_now();
    for (int i = 0; i < threads; i++) {
        w[i].client = client;
        w[i].calls = per_thread;
        pthread_create(&w[i].thread, NULL, run, &w[i]);
    }
    /* RSS at every 5% of the calls (and the descriptors at the end of the
     * warm-up). Bounded: the workers end on their own. */
    long total = (long)threads * per_thread, rss[SAMPLES], at[SAMPLES];
    int next = 0, fds_warm = -1;
    while (next < SAMPLES - 1) {
        long done = total_done(w, threads);
        if (done >= total * (next + 1) / SAMPLES) {
            rss[next] = proc_status_kib("VmRSS");
            at[next] = done;
            if (next + 1 == WARM) fds_warm = proc_fd_count();
            next++;
            continue;
        }
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    long errors = 0, calls = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(w[i].thread, NULL);
        errors += w[i].errors;
        calls += w[i].done;
    }
    double secs = ctl_now() - t0;
    rss[SAMPLES - 1] = proc_status_kib("VmRSS");
    at[SAMPLES - 1] = calls;
    int fds_after_calls = proc_fd_count();
    long seen = ctl_requests(addr);
    ci_free(client);
    int fds_end = proc_fd_count();
    size_t live = ci_live_objects();
    free(w);

    long rss_warm = rss[WARM - 1], rss_end = rss[SAMPLES - 1], lo = rss_warm, hi = rss_warm;
    for (int k = WARM; k < SAMPLES; k++) {
        if (rss[k] < lo) lo = rss[k];
        if (rss[k] > hi) hi = rss[k];
    }
    printf("soak c: threads=%d calls=%ld errors=%ld secs=%.1f calls_per_s=%.0f rss_start_kib=%ld "
           "rss_warm_kib=%ld rss_end_kib=%ld growth_kib=%ld (bound %ld) rss_min_kib=%ld rss_max_kib=%ld "
           "slope_kib_per_100k_calls=%.1f fds_before=%d fds_after=%d fds_with_client_warm=%d "
           "fds_with_client_end=%d emulator_requests=%ld live_objects=%zu\n",
           threads, calls, errors, secs, calls / secs, rss_start, rss_warm, rss_end, rss_end - rss_warm, max_growth,
           lo, hi, slope_kib_per_100k(rss, at, WARM - 1), fds_start, fds_end, fds_warm, fds_after_calls, seen, live);
    printf("soak c: rss_kib_every_5pct=");
    for (int k = 0; k < SAMPLES; k++) printf("%s%ld", k ? "," : "", rss[k]);
    printf("\n");
    int ok = calls == total && errors == 0 && seen == total && live == 0 && fds_end == fds_start &&
             fds_after_calls <= fds_warm && rss_end - rss_warm <= max_growth;
    printf("soak c: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
