/*
 * A SecretId holding '&', ';' or '=' must be refused before anything is
 * sent (CI_KIND_INVALID_ARGUMENT), because it goes unencoded into the
 * Authorization header, whose fields those characters separate:
 *
 *   secret_id "AKIDemulatorEXAMPLE&q-ak=AKIDother" makes
 *   q-sign-algorithm=sha1&q-ak=AKIDemulatorEXAMPLE&q-ak=AKIDother&q-sign-time=...
 *
 * so the identity the server reads is not the one configured (the signature
 * does not cover q-ak). FAILS until Credentials::validate (src/sign.rs)
 * refuses those characters: see docs/promises.md, "Known gaps".
 *
 * Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh). Prints
 * "N passed, N failed"; exits 1 on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cloud_infinite.h"
#include "emulator_control.h"

static int passed, failed;

int main(void) {
    const char *addr = getenv("CI_EMULATOR_ADDR");
    if (!addr) {
        fprintf(stderr, "CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh\n");
        return 2;
    }
    static const char *const ids[] = {
        "AKIDemulatorEXAMPLE&q-ak=AKIDother", /* a second q-ak */
        "AKIDemulatorEXAMPLE&x",              /* a stray field */
        "AKIDemulatorEXAMPLE;x",              /* splits a list */
        "AKIDemulatorEXAMPLE=x",              /* a key=value inside the value */
        "AKIDother&q-ak=AKIDemulatorEXAMPLE", /* the server reads the second */
    };
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        ctl_reset(addr);
        ci_client_options o = ctl_client_options(addr);
        o.secret_id = ids[i];
        o.has_max_retries = 1;
        ci_client *c = NULL;
        ci_error *e = ci_client_new(&o, &c);
        if (!e) {
            /* Accepted by the client: what does the service make of it? */
            ci_page *page = NULL;
            e = ci_describe_pic_buckets(c, NULL, &page);
            fprintf(stderr, "secret_id %s: accepted by ci_client_new; the call %s\n", ids[i],
                    e ? ci_error_message(e) : "SUCCEEDED under another identity's parsing");
            ci_free(page);
            ci_free(c);
        }
        int ok = e && ci_error_kind(e) == CI_KIND_INVALID_ARGUMENT && ctl_requests(addr) == 0;
        if (ok) passed++;
        else failed++;
        ci_free(e);
    }
    ctl_reset(addr);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
