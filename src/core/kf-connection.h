/* kf-connection.h: an SSH connection as the store keeps it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "kf-enums.h"

G_BEGIN_DECLS

#define KF_TYPE_CONNECTION (kf_connection_get_type ())

#define KF_CONNECTION_DEFAULT_PORT     22
#define KF_CONNECTION_DEFAULT_TIMEOUT  10
#define KF_CONNECTION_MIN_TIMEOUT      1
#define KF_CONNECTION_MAX_TIMEOUT      600

G_DECLARE_FINAL_TYPE (KfConnection, kf_connection, KF, CONNECTION, GObject)

/* A new connection with a fresh UUID, port 22, user root, timeout 10 s, Manual. */
KfConnection *kf_connection_new                   (const char    *name);

const char   *kf_connection_get_id                (KfConnection  *self);
const char   *kf_connection_get_name              (KfConnection  *self);
void          kf_connection_set_name              (KfConnection  *self,
                                                   const char    *name);
KfSetupMethod kf_connection_get_setup_method      (KfConnection  *self);
void          kf_connection_set_setup_method      (KfConnection  *self,
                                                   KfSetupMethod  setup_method);
/* Host name or IP address; IPv6 literals without brackets. */
const char   *kf_connection_get_host              (KfConnection  *self);
void          kf_connection_set_host              (KfConnection  *self,
                                                   const char    *host);
guint         kf_connection_get_port              (KfConnection  *self);
void          kf_connection_set_port              (KfConnection  *self,
                                                   guint          port);
const char   *kf_connection_get_username          (KfConnection  *self);
void          kf_connection_set_username          (KfConnection  *self,
                                                   const char    *username);
/* The id of the KfKeypair used to log in. */
const char   *kf_connection_get_keypair_id        (KfConnection  *self);
void          kf_connection_set_keypair_id        (KfConnection  *self,
                                                   const char    *keypair_id);
/* The remote's host keys as OpenSSH key lines ("type base64 [comment]"). */
const char * const *kf_connection_get_host_keys   (KfConnection  *self);
void          kf_connection_set_host_keys         (KfConnection  *self,
                                                   const char * const *host_keys);
guint         kf_connection_get_connect_timeout   (KfConnection  *self);
void          kf_connection_set_connect_timeout   (KfConnection  *self,
                                                   guint          connect_timeout);
/* Semi-automatic only: the normalised TrueNAS URL and admin user (never the password). */
const char   *kf_connection_get_truenas_url       (KfConnection  *self);
void          kf_connection_set_truenas_url       (KfConnection  *self,
                                                   const char    *truenas_url);
const char   *kf_connection_get_admin_username    (KfConnection  *self);
void          kf_connection_set_admin_username    (KfConnection  *self,
                                                   const char    *admin_username);
/* Semi-automatic only: the pinned TLS certificate, "SHA256:" + lowercase hex, or NULL. */
const char   *kf_connection_get_tls_pin           (KfConnection  *self);
void          kf_connection_set_tls_pin           (KfConnection  *self,
                                                   const char    *tls_pin);
/* TrueNAS only: the version the last Test read from the box ("25.04.2"), or NULL. */
const char   *kf_connection_get_truenas_version   (KfConnection  *self);
void          kf_connection_set_truenas_version   (KfConnection  *self,
                                                   const char    *truenas_version);
gboolean      kf_connection_get_sudo_zfs          (KfConnection  *self);
void          kf_connection_set_sudo_zfs          (KfConnection  *self,
                                                   gboolean       sudo_zfs);
/* TRUE once an SSH login saw one of the stored host keys. */
gboolean      kf_connection_get_host_key_verified (KfConnection  *self);
void          kf_connection_set_host_key_verified (KfConnection  *self,
                                                   gboolean       host_key_verified);
/* The last Test: state, a one-line message, and when (unix seconds). */
KfTestState   kf_connection_get_test_state        (KfConnection  *self);
void          kf_connection_set_test_state        (KfConnection  *self,
                                                   KfTestState    test_state);
/* Why the last Test failed; NONE unless the test state is FAILED. */
KfTestFailure kf_connection_get_test_failure      (KfConnection  *self);
void          kf_connection_set_test_failure      (KfConnection  *self,
                                                   KfTestFailure  test_failure);
/* The test state and failure as one badge (FAILED without a failure, as in
 * files older than the failure field, is KF_CHECK_STATE_FAILED). */
KfCheckState  kf_connection_get_check_state       (KfConnection  *self);
const char   *kf_connection_get_test_message      (KfConnection  *self);
void          kf_connection_set_test_message      (KfConnection  *self,
                                                   const char    *test_message);
gint64        kf_connection_get_tested_at         (KfConnection  *self);
void          kf_connection_set_tested_at         (KfConnection  *self,
                                                   gint64         tested_at);
gint64        kf_connection_get_created           (KfConnection  *self);

void          kf_connection_assign                (KfConnection  *self,
                                                   KfConnection  *from);
KfConnection *kf_connection_copy                  (KfConnection  *self);
/* Gives @self the outcome of a test held by @from: its test state, failure,
 * message and time, and, as kf_test_result_apply_to_connection() sets them,
 * host-key-verified only when TRUE and the TrueNAS version only when known
 * (a check that did not get that far says nothing about them). */
void          kf_connection_assign_test           (KfConnection  *self,
                                                   KfConnection  *from);

G_END_DECLS
