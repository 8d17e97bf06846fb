/*
 * A client whose credentials expire many times while it works, from C:
 * the CVM role's keys from the emulator's metadata service, living 5 s,
 * eight threads calling for 60 s (CI_ROTATION_SECS shortens it). Every
 * call succeeds, and each expiry causes one refresh, not one per thread.
 * Run as an ASan build by `make test-c-matrix`; needs CI_EMULATOR_ADDR.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator_control.h"

enum { THREADS = 8, LIFETIME_SECS = 5 };

struct worker {
    ci_client *client;
    double until;
    long calls, failures;
};

static void *work(void *arg) {
    struct worker *w = arg;
    while (ctl_now() < w->until) {
        ci_page *page = NULL;
        ci_error *e = ci_describe_pic_buckets(w->client, NULL, &page);
        if (e) {
            if (w->failures++ < 3) fprintf(stderr, "failed call: %s\n", ci_error_message(e));
        } else {
            w->calls++;
        }
        ci_free(e);
        ci_free(page);
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

int main(void) {
    const char *addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    const char *env = getenv("CI_ROTATION_SECS");
    long secs = env ? atol(env) : 60;
    char body[4096];
    if (ctl_request(addr, "POST", "credentials", "{\"lifetime_secs\": 5}", body, sizeof body) != 200) {
        fprintf(stderr, "the emulator did not take the credential lifetime\n");
        return 2;
    }
    char metadata[128];
    snprintf(metadata, sizeof metadata, "http://%s/latest/meta-data/cam/security-credentials/", addr);
    ci_client_options o = ctl_client_options(addr);
    o.secret_id = NULL;
    o.secret_key = NULL;
    o.credentials = CI_CREDENTIALS_SOURCE_CVM_ROLE;
    o.metadata_endpoint = metadata;
    ci_client *c = ctl_client_new(&o);

    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    double until = ctl_now() + (double)secs;
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (struct worker){c, until, 0, 0};
        pthread_create(&threads[i], NULL, work, &workers[i]);
    }
    long calls = 0, failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(threads[i], NULL);
        calls += workers[i].calls;
        failures += workers[i].failures;
    }
    ctl_request(addr, "GET", "credentials", NULL, body, sizeof body);
    /* The "metadata" member of "issued": {"metadata": N, ...}. */
    const char *issued_at = strstr(body, "\"issued\":");
    long issued = issued_at ? ctl_json_number(issued_at, "metadata") : -1;
    long expired = ctl_json_number(body, "expired_token_answers");
    unsigned long long fetches = (unsigned long long)ci_client_credential_fetches(c);
    long most = secs / (LIFETIME_SECS - 1) + 2;
    printf("%ld s, %d threads: %ld calls, %ld failed; %llu refreshes for %ld lifetimes, %ld keys issued, %ld ExpiredToken answers\n", secs,
           THREADS, calls, failures, fetches, secs / LIFETIME_SECS, issued, expired);
    int ok = failures == 0 && calls > 100 * secs && (long)fetches == issued && (long)fetches >= secs / LIFETIME_SECS &&
             (long)fetches <= most && expired == 0;
    ci_free(c);
    ok = ok && ci_live_objects() == 0;
    printf("credential_rotation: %d passed, %d failed\n", ok, !ok);
    return ok ? 0 : 1;
}
