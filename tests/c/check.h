/*
 * The pass/fail counting the C test programs share: CHECK(cond, what)
 * counts a pass, or counts a failure and says where and what on stderr;
 * each program prints its own "N passed, N failed". Header-only.
 */
#ifndef CI_TEST_CHECK_H
#define CI_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond, what)                                                                   \
    do {                                                                                    \
        if (cond) {                                                                         \
            passed++;                                                                       \
        } else {                                                                            \
            failed++;                                                                       \
            fprintf(stderr, "%s:%d: %s: CHECK failed: %s\n", __FILE__, __LINE__, what, #cond); \
        }                                                                                   \
    } while (0)

#endif
