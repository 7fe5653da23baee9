/* kf-test-result.h: what a connection Test found, phase by phase.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "kf-connection.h"

G_BEGIN_DECLS

/* The steps of a Test, in order. */
typedef enum {
  KF_TEST_PHASE_CONNECT,       /* resolve the host and open TCP */
  KF_TEST_PHASE_HOST_KEY,      /* SSH handshake, host key checked against the stored ones */
  KF_TEST_PHASE_AUTHENTICATE,  /* log in with the key pair */
  KF_TEST_PHASE_COMMAND,       /* run a trivial command */
  KF_TEST_PHASE_VERSION,       /* TrueNAS only: read its version file over the same session */
} KfTestPhase;

/* Stable ids: "connect", "host-key", "authenticate", "command", "version". */
const char   *kf_test_phase_to_string              (KfTestPhase    phase);
/* Short English labels: "Connect", "Host key", "Authenticate", "Command". */
const char   *kf_test_phase_get_label              (KfTestPhase    phase);

#define KF_TYPE_TEST_RESULT (kf_test_result_get_type ())

G_DECLARE_FINAL_TYPE (KfTestResult, kf_test_result, KF, TEST_RESULT, GObject)

KfTestResult *kf_test_result_new                   (void);

/* TRUE when every phase passed. */
gboolean      kf_test_result_get_ok                (KfTestResult  *self);
/* One sentence: what went right, or what went wrong (the error's message). */
const char   *kf_test_result_get_message           (KfTestResult  *self);
/* NULL when ok; else a KF_SSH_ERROR_* (or KF_KEY_ERROR_* for an unusable key). */
const GError *kf_test_result_get_error             (KfTestResult  *self);
/* What kind of failure the error is: NONE when ok; UNREACHABLE for DNS,
 * refused TCP and the Connect Timeout; HOST_KEY_CHANGED; KEY_REFUSED; else OTHER. */
KfTestFailure kf_test_result_get_failure           (KfTestResult  *self);
/* TrueNAS connections only: the version its version file names, or NULL
 * (not a TrueNAS connection, or the file could not be read: see the message). */
const char   *kf_test_result_get_truenas_version   (KfTestResult  *self);
void          kf_test_result_set_truenas_version   (KfTestResult  *self,
                                                    const char    *version);
/* What the server presented: "SHA256:..." and its type; NULL before the handshake. */
const char   *kf_test_result_get_host_key_fingerprint (KfTestResult *self);
const char   *kf_test_result_get_host_key_type     (KfTestResult  *self);
/* TRUE when the presented host key was one of the stored ones. */
gboolean      kf_test_result_get_host_key_verified (KfTestResult  *self);
/* Phases that ran (a failed one included, as the last). */
guint         kf_test_result_get_n_phases          (KfTestResult  *self);
KfTestPhase   kf_test_result_get_phase             (KfTestResult  *self,
                                                    guint          index,
                                                    double        *out_ms,
                                                    gboolean      *out_ok);
/* Milliseconds of the phase, or -1 if it did not run. */
double        kf_test_result_get_phase_ms          (KfTestResult  *self,
                                                    KfTestPhase    phase);
double        kf_test_result_get_total_ms          (KfTestResult  *self);
/* "connect 2 ms, host key 15 ms, authenticate 9 ms, command 6 ms; total 32 ms". */
char         *kf_test_result_format_timing         (KfTestResult  *self);
/* Records the outcome on @connection: test state and failure, message,
 * tested-at (now), host-key-verified when the presented key matched, and the
 * TrueNAS version when one was read. Saving is the caller's. */
void          kf_test_result_apply_to_connection   (KfTestResult  *self,
                                                    KfConnection  *connection);

/* For the probe that fills it in. */
void          kf_test_result_add_phase             (KfTestResult  *self,
                                                    KfTestPhase    phase,
                                                    double         ms,
                                                    gboolean       ok);
void          kf_test_result_set_host_key          (KfTestResult  *self,
                                                    const char    *key_type,
                                                    const char    *fingerprint,
                                                    gboolean       verified);
/* Marks the result as passed (@error NULL, @message says what worked) or failed. */
void          kf_test_result_finish                (KfTestResult  *self,
                                                    const GError  *error,
                                                    const char    *message,
                                                    double         total_ms);

G_END_DECLS
