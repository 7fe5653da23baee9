/* kf-test-util.h: what every test binary shares.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_test_init() plus: refuses to run outside tools/run-tests.sh (the tests
 * need its private bus, keyring and X server), and points XDG_DATA_HOME,
 * XDG_CONFIG_HOME and XDG_CACHE_HOME of this process at a fresh directory of
 * its own, so test binaries never see each other's store. */
void        kf_test_init          (int    *argc,
                                   char ***argv);
/* A fresh empty directory below this binary's private directory. */
char       *kf_test_make_tmpdir   (const char *name);
/* The private directory of this test binary (removed at exit unless KF_TEST_KEEP=1). */
const char *kf_test_get_tmpdir    (void);
const char *kf_test_get_srcdir    (void);   /* KF_SOURCE_DIR */
const char *kf_test_get_builddir  (void);   /* KF_BUILD_DIR */
/* @seconds times KF_TEST_TIMEOUT_SCALE (a whole number, default 1): the
 * sanitizer run sets 3, as it gives meson's timeouts, since ASan roughly
 * doubles run times. Waits for the code under test use it; timeouts that are
 * themselves under test (--connect-timeout, stalls) do not. */
guint       kf_test_timeout       (guint     seconds);

/* Runs the main context until @done becomes TRUE, failing the test after
 * kf_test_timeout (@timeout_s). */
void        kf_test_wait_for      (gboolean *done,
                                   guint     timeout_s);
/* Runs a command (argv) with stdin text, returns its exit status; stdout/stderr out. */
/* A port on 127.0.0.1 that nothing listens on (a connection is refused). */
guint       kf_test_closed_port   (void);
/* A listener on 127.0.0.1 that completes TCP connections and then says
 * nothing, ever (a black hole); returns its fd, *out_port its port. */
int         kf_test_silent_listener (guint *out_port);
int         kf_test_run_command   (const char * const *argv,
                                   const char         *stdin_text,
                                   char              **out_stdout,
                                   char              **out_stderr);

/* libsecret 0.20.5 warns when its cached default SecretService and its
 * watch for the service's bus name disagree, which happens by timing alone
 * when no service exists (seen under the sanitizer build and under load).
 * It is libsecret's bookkeeping, not a result of ours: for the tests that
 * run with no Secret Service, that one warning does not abort the test
 * (every other warning still does). */
void        kf_test_tolerate_libsecret_name_watch (void);

G_END_DECLS
