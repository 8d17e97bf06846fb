/*
 * Credentials through the C ABI against ci-emulator: a callback provider
 * with user data, a failing callback, eight threads waiting on one
 * refresh, rotation by hand, what the options refuse, and the default
 * chain on a machine with no credential source. Run under valgrind and
 * ASan by `make test-c-matrix`; needs CI_EMULATOR_ADDR.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, clock_gettime */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emulator_control.h"
#include "check.h"


static const char *addr;

/* What the callback hands out, and how often it was called. */
struct vault {
    const char *secret_id, *secret_key;
    int fail;           /* fail with a message instead */
    long sleep_ms;      /* take this long */
    uint64_t lifetime;  /* seconds; 0: never expires */
    int calls;
    pthread_mutex_t lock;
};

static int32_t from_vault(void *user_data, ci_credential_values *out, char *message, size_t message_len) {
    struct vault *v = user_data;
    pthread_mutex_lock(&v->lock);
    v->calls++;
    pthread_mutex_unlock(&v->lock);
    if (v->sleep_ms) {
        struct timespec ts = {0, v->sleep_ms * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (v->fail) {
        snprintf(message, message_len, "the vault is sealed");
        return 7;
    }
    out->secret_id = v->secret_id;
    out->secret_key = v->secret_key;
    out->expires_at_unix = v->lifetime ? (uint64_t)time(NULL) + v->lifetime : 0;
    return 0;
}

static ci_client *vault_client(struct vault *v) {
    ci_client_options o = ctl_client_options(addr);
    o.secret_id = NULL;
    o.secret_key = NULL;
    o.credentials = CI_CREDENTIALS_SOURCE_CALLBACK;
    o.credentials_callback = from_vault;
    o.credentials_user_data = v;
    return ctl_client_new(&o);
}

/* One call; returns its error (the caller frees it), NULL on success. */
static ci_error *call(ci_client *c) {
    ci_page *page = NULL;
    ci_error *e = ci_describe_pic_buckets(c, NULL, &page);
    ci_free(page);
    return e;
}

static void test_callback(void) {
    struct vault v = {"AKIDemulatorEXAMPLE", "emulator-secret-key", 0, 0, 3600, 0, PTHREAD_MUTEX_INITIALIZER};
    ci_client *c = vault_client(&v);
    CHECK(v.calls == 0, "nothing is fetched before a call");
    for (int i = 0; i < 3; i++) {
        ci_error *e = call(c);
        CHECK(e == NULL, "a call signed with the callback's keys");
        if (e) fprintf(stderr, "  %s\n", ci_error_message(e));
        ci_free(e);
    }
    CHECK(v.calls == 1 && ci_client_credential_fetches(c) == 1, "keys valid for an hour are fetched once");
    ci_free(c);

    struct vault sealed = {"AKIDemulatorEXAMPLE", "emulator-secret-key", 1, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    c = vault_client(&sealed);
    ci_error *e = call(c);
    CHECK(e && ci_error_kind(e) == CI_KIND_CREDENTIALS, "a failing callback is a CREDENTIALS error");
    CHECK(e && strstr(ci_error_message(e), "the vault is sealed") && strstr(ci_error_message(e), "(status 7)"), "its message reaches the caller");
    ci_free(e);
    ci_free(c);

    struct vault wrong = {"AKIDemulatorEXAMPLE", "not-the-key", 0, 0, 0, 0, PTHREAD_MUTEX_INITIALIZER};
    c = vault_client(&wrong);
    e = call(c);
    CHECK(e && ci_error_kind(e) == CI_KIND_SERVICE && ci_error_code(e) && strcmp(ci_error_code(e), "SignatureDoesNotMatch") == 0, "wrong keys from a callback are the service's error");
    ci_free(e);
    ci_free(c);
}

struct shared {
    ci_client *client;
    int ok;
};

static void *one_call(void *arg) {
    struct shared *s = arg;
    ci_error *e = call(s->client);
    s->ok = e == NULL;
    ci_free(e);
    return NULL;
}

/* Eight threads needing credentials at once wait on one fetch. */
static void test_one_fetch_for_eight_threads(void) {
    struct vault v = {"AKIDemulatorEXAMPLE", "emulator-secret-key", 0, 200, 3600, 0, PTHREAD_MUTEX_INITIALIZER};
    ci_client *c = vault_client(&v);
    pthread_t threads[8];
    struct shared s[8];
    for (int i = 0; i < 8; i++) {
        s[i].client = c;
        s[i].ok = 0;
        pthread_create(&threads[i], NULL, one_call, &s[i]);
    }
    int ok = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        ok += s[i].ok;
    }
    CHECK(ok == 8, "every thread's call succeeded");
    CHECK(v.calls == 1, "one fetch for eight threads");
    ci_free(c);
}

/* A callback that only starts the work (as a JavaScript Promise would):
 * it answers CI_CREDENTIALS_PENDING and a thread hands the keys over with
 * ci_client_set_credentials (or fails them) 50 ms later. */
struct later {
    ci_client *client;
    int fail;
    pthread_t thread;
};

static void *hand_over(void *arg) {
    struct later *l = arg;
    struct timespec ts = {0, 50 * 1000000L};
    nanosleep(&ts, NULL);
    ci_error *e;
    if (l->fail) {
        e = ci_client_fail_credentials(l->client, "the promise rejected");
    } else {
        ci_credential_values v = {"AKIDemulatorEXAMPLE", "emulator-secret-key", NULL, (uint64_t)time(NULL) + 3600};
        e = ci_client_set_credentials(l->client, &v);
    }
    ci_free(e);
    return NULL;
}

static int32_t later_callback(void *user_data, ci_credential_values *out, char *message, size_t message_len) {
    (void)out, (void)message, (void)message_len;
    struct later *l = user_data;
    pthread_create(&l->thread, NULL, hand_over, l);
    return CI_CREDENTIALS_PENDING;
}

static void test_pending_callback(void) {
    for (int fail = 0; fail <= 1; fail++) {
        struct later l = {NULL, fail, 0};
        ci_client_options o = ctl_client_options(addr);
        o.secret_id = NULL;
        o.secret_key = NULL;
        o.credentials = CI_CREDENTIALS_SOURCE_CALLBACK;
        o.credentials_callback = later_callback;
        o.credentials_user_data = &l;
        l.client = ctl_client_new(&o);
        ci_error *e = call(l.client);
        pthread_join(l.thread, NULL);
        if (fail) {
            CHECK(e && ci_error_kind(e) == CI_KIND_CREDENTIALS && strstr(ci_error_message(e), "the promise rejected"), "a pending callback that fails");
        } else {
            CHECK(e == NULL, "keys handed over after the callback returned PENDING");
            if (e) fprintf(stderr, "  %s\n", ci_error_message(e));
            ci_error *again = call(l.client);
            CHECK(again == NULL && ci_client_credential_fetches(l.client) == 1, "kept for the next call");
            ci_free(again);
        }
        ci_free(e);
        ci_free(l.client);
    }
    ci_error *e = ci_client_fail_credentials(NULL, "x");
    CHECK(e && ci_error_kind(e) == CI_KIND_NULL_ARGUMENT, "fail on a NULL client");
    ci_free(e);
}

/* Rotation by hand: wrong keys fail, the right ones set on the live client work. */
static void test_set_credentials(void) {
    ci_client_options o = ctl_client_options(addr);
    o.secret_key = "not-the-key";
    ci_client *c = ctl_client_new(&o);
    ci_error *e = call(c);
    CHECK(e && ci_error_code(e) && strcmp(ci_error_code(e), "SignatureDoesNotMatch") == 0, "the wrong key is refused");
    ci_free(e);
    ci_credential_values right = {"AKIDemulatorEXAMPLE", "emulator-secret-key", NULL, 0};
    CHECK((e = ci_client_set_credentials(c, &right)) == NULL, "set on a live client");
    ci_free(e);
    e = call(c);
    CHECK(e == NULL, "the next call signs with the new keys");
    ci_free(e);
    ci_credential_values empty = {"", "k", NULL, 0};
    e = ci_client_set_credentials(c, &empty);
    CHECK(e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT, "keys that cannot sign are refused");
    ci_free(e);
    e = ci_client_set_credentials(c, NULL);
    CHECK(e && ci_error_kind(e) == CI_KIND_NULL_ARGUMENT, "NULL values");
    ci_free(e);
    e = ci_client_set_credentials(NULL, &right);
    CHECK(e && ci_error_kind(e) == CI_KIND_NULL_ARGUMENT, "NULL client");
    ci_free(e);
    CHECK(ci_client_credential_fetches(c) == 0 && ci_client_credential_fetches(NULL) == 0, "fixed keys are never fetched");
    ci_free(c);
}

static void expect_refused(ci_client_options *o, ci_kind kind, const char *needle) {
    ci_client *c = NULL;
    ci_error *e = ci_client_new(o, &c);
    CHECK(e && ci_error_kind(e) == kind && strstr(ci_error_message(e), needle), needle);
    if (e && !strstr(ci_error_message(e), needle)) fprintf(stderr, "  %s\n", ci_error_message(e));
    CHECK(c == NULL, needle);
    ci_free(e);
}

static void test_refused_options(void) {
    ci_client_options o = ctl_client_options(addr);
    o.credentials = 99;
    expect_refused(&o, CI_KIND_INVALID_ARGUMENT, "ci_credentials_source");
    o = ctl_client_options(addr);
    o.profile_name = "dev";
    expect_refused(&o, CI_KIND_INVALID_ARGUMENT, "profile_name");
    o = ctl_client_options(addr);
    o.credentials = CI_CREDENTIALS_SOURCE_CALLBACK;
    o.secret_id = NULL;
    o.secret_key = NULL;
    expect_refused(&o, CI_KIND_NULL_ARGUMENT, "credentials_callback");
    o = ctl_client_options(addr);
    o.credentials = CI_CREDENTIALS_SOURCE_PROFILE_FILE; /* and keys by hand as well */
    expect_refused(&o, CI_KIND_INVALID_ARGUMENT, "both keys and a credentials provider");
}

/* The default chain where nothing provides credentials: the first call
 * fails fast with a CREDENTIALS error naming every source it tried. */
static void test_default_chain_with_no_source(void) {
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    unsetenv("TENCENTCLOUD_CREDENTIALS_FILE");
    unsetenv("TKE_REGION");
    unsetenv("TKE_PROVIDER_ID");
    unsetenv("TKE_WEB_IDENTITY_TOKEN_FILE");
    unsetenv("TKE_ROLE_ARN");
    setenv("HOME", "/nonexistent-home", 1);
    /* A port nothing listens on, so no test can reach a real metadata service. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    bind(fd, (struct sockaddr *)&sa, sizeof sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    char metadata[128];
    snprintf(metadata, sizeof metadata, "http://127.0.0.1:%d/latest/meta-data/cam/security-credentials/", ntohs(sa.sin_port));

    ci_client_options o = ctl_client_options(addr);
    o.secret_id = NULL;
    o.secret_key = NULL;
    o.credentials = CI_CREDENTIALS_SOURCE_DEFAULT_CHAIN;
    o.metadata_endpoint = metadata;
    ci_client *c = ctl_client_new(&o);
    double t = ctl_now();
    ci_error *e = call(c);
    double seconds = ctl_now() - t;
    CHECK(e && ci_error_kind(e) == CI_KIND_CREDENTIALS, "no source: a CREDENTIALS error");
    const char *m = e ? ci_error_message(e) : "";
    CHECK(strstr(m, "TENCENTCLOUD_SECRET_ID") && strstr(m, "/etc/tencentcloud/credentials") && strstr(m, "not on a CVM") && strstr(m, "TKE_REGION"),
          "the message names each source tried");
    printf("  no source (%.2f s): %s\n", seconds, m);
    CHECK(seconds < 5, "it fails fast");
    ci_free(e);
    ci_free(c);
}

static void *run_tests(void *unused) {
    (void)unused;
    test_callback();
    test_one_fetch_for_eight_threads();
    test_pending_callback();
    test_set_credentials();
    test_refused_options();
    test_default_chain_with_no_source();
    return NULL;
}

int main(void) {
    addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    /* On a thread of its own: a name resolved with a timeout leaves the
     * calling thread's thread-local channel context behind, which valgrind
     * reports as "possibly lost" on the main thread only (it is freed with
     * any other thread). */
    pthread_t tests;
    pthread_create(&tests, NULL, run_tests, NULL);
    pthread_join(tests, NULL);
    CHECK(ci_live_objects() == 0, "everything freed");
    printf("credentials: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
