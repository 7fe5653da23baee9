/* kf-semiauto-setup.h: "Semi-automatic (TrueNAS only)" from the form to the saved connection.
 *
 * Steps: check the form and normalise the URL; generate the key pair if
 * asked ("<name> Key"); connect to the TrueNAS API; log in as admin
 * (password, one-time password if needed); keychaincredential.ssh_pair;
 * user.query/user.update; only then save the key pair (secret first, then
 * the store) and the connection; finally log in over SSH once and check that
 * the server shows one of the host keys the API returned. If that last check
 * fails the connection is kept, with host-key-verified FALSE and a message
 * (kf_semiauto_setup_get_verify_message()).
 *
 * A setup that fails or is cancelled before it finishes leaves the store and
 * the keyring exactly as they were (a generated key pair is removed again;
 * the public key may already be installed on the TrueNAS: that cannot be
 * taken back over the API). The admin password (or API key) and one-time
 * password are never stored or logged and are wiped as soon as they have
 * been sent.
 *
 * One-time passwords: when the TrueNAS (JSON-RPC) asks for one that was not
 * given, or refuses the one given, "otp-requested" is emitted; the handler
 * (a dialog in the GUI, a stdin prompt in the CLI) answers later with
 * kf_semiauto_setup_provide_otp() — NULL gives up. Without a handler the
 * setup fails with KF_TRUENAS_ERROR_OTP_REQUIRED / _OTP_FAILED.
 *
 * Errors: kf_truenas_error_get_field() tells the form field to show them at.
 * After KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE or _CERTIFICATE_CHANGED,
 * kf_semiauto_setup_get_peer_certificate() is what to show the user; to
 * trust it, set its fingerprint as the pin and run a new setup.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-enums.h"
#include "kf-semiauto-field.h"
#include "kf-truenas-certificate.h"
#include "kf-truenas-client.h"
#include "kf-vault.h"

G_BEGIN_DECLS

typedef enum {
  KF_SEMIAUTO_STEP_IDLE,
  KF_SEMIAUTO_STEP_CHECK,          /* the form, the URL, the key pair */
  KF_SEMIAUTO_STEP_GENERATE_KEY,
  KF_SEMIAUTO_STEP_CONNECT,
  KF_SEMIAUTO_STEP_LOGIN,
  KF_SEMIAUTO_STEP_WAIT_OTP,       /* waiting for kf_semiauto_setup_provide_otp() */
  KF_SEMIAUTO_STEP_PAIR,
  KF_SEMIAUTO_STEP_UPDATE_USER,
  KF_SEMIAUTO_STEP_SAVE,
  KF_SEMIAUTO_STEP_VERIFY_SSH,
  KF_SEMIAUTO_STEP_DONE,
} KfSemiautoStep;

/* Stable ids: "idle", "check", "generate-key", "connect", "login", "wait-otp",
 * "pair", "update-user", "save", "verify-ssh", "done". */
const char      *kf_semiauto_step_to_string            (KfSemiautoStep   step);

#define KF_TYPE_SEMIAUTO_SETUP (kf_semiauto_setup_get_type ())

G_DECLARE_FINAL_TYPE (KfSemiautoSetup, kf_semiauto_setup, KF, SEMIAUTO_SETUP, GObject)

/* A new setup for a new connection, saved through @vault (and its store). */
KfSemiautoSetup *kf_semiauto_setup_new                 (KfVault         *vault);
/* "Pair again" for a saved semi-automatic connection: takes its name, URL,
 * admin user, user name, sudo option, Connect Timeout, key pair and pin; on
 * success updates that connection (port, host keys, key pair, pin). */
KfSemiautoSetup *kf_semiauto_setup_new_pair_again      (KfVault         *vault,
                                                        KfConnection    *connection);

/* The form. Strings are copied; the password and OTP copies are wiped. */
void             kf_semiauto_setup_set_name            (KfSemiautoSetup *self,
                                                        const char      *name);
void             kf_semiauto_setup_set_url             (KfSemiautoSetup *self,
                                                        const char      *url);
void             kf_semiauto_setup_set_admin_username  (KfSemiautoSetup *self,
                                                        const char      *admin_username);
void             kf_semiauto_setup_set_admin_password  (KfSemiautoSetup *self,
                                                        const char      *password);
/* Log in with this API key ("<id>-<key>", 25.04+; any key on the legacy
 * protocol) instead of the password: give one of the two. https only (the
 * check is made before anything is sent); no one-time password. */
void             kf_semiauto_setup_set_admin_api_key   (KfSemiautoSetup *self,
                                                        const char      *api_key);
/* Optional; empty means none. */
void             kf_semiauto_setup_set_otp             (KfSemiautoSetup *self,
                                                        const char      *otp);
void             kf_semiauto_setup_set_username        (KfSemiautoSetup *self,
                                                        const char      *username);
/* Passwordless sudo for zfs (ignored for root). */
void             kf_semiauto_setup_set_sudo_zfs        (KfSemiautoSetup *self,
                                                        gboolean         sudo_zfs);
/* Seconds, KF_CONNECTION_MIN_TIMEOUT–KF_CONNECTION_MAX_TIMEOUT (default 10):
 * for the API connection and the SSH check. */
void             kf_semiauto_setup_set_connect_timeout (KfSemiautoSetup *self,
                                                        guint            seconds);
/* Use this existing key pair (it must have a private key)… */
void             kf_semiauto_setup_set_keypair_id      (KfSemiautoSetup *self,
                                                        const char      *keypair_id);
/* …or generate a new one ("<name> Key"); @bits 0 for the type's default. */
void             kf_semiauto_setup_set_generate_key    (KfSemiautoSetup *self,
                                                        KfKeyType        type,
                                                        guint            bits);
/* A certificate fingerprint the user trusts (any form kf_truenas_certificate_parse_pin
 * takes), or NULL. */
void             kf_semiauto_setup_set_tls_pin         (KfSemiautoSetup *self,
                                                        const char      *pin);
/* For tests and known old boxes: force a protocol; shorten the call timeout. */
void             kf_semiauto_setup_set_protocol        (KfSemiautoSetup *self,
                                                        KfTruenasProtocol protocol);
void             kf_semiauto_setup_set_call_timeout_ms (KfSemiautoSetup *self,
                                                        guint            timeout_ms);

/* Runs the whole setup; returns the saved connection (the store's object). */
void             kf_semiauto_setup_run_async           (KfSemiautoSetup *self,
                                                        GCancellable    *cancellable,
                                                        GAsyncReadyCallback callback,
                                                        gpointer         user_data);
KfConnection    *kf_semiauto_setup_run_finish          (KfSemiautoSetup *self,
                                                        GAsyncResult    *result,
                                                        GError         **error);

/* The answer to "otp-requested"; NULL or "" gives up. */
void             kf_semiauto_setup_provide_otp         (KfSemiautoSetup *self,
                                                        const char      *otp);

/* What happened. */
KfSemiautoStep   kf_semiauto_setup_get_step            (KfSemiautoSetup *self);
/* After an untrusted or changed certificate (or any https connection): what the server showed. */
KfTruenasCertificate *kf_semiauto_setup_get_peer_certificate (KfSemiautoSetup *self);
/* Things the user should know, one sentence each (URL normalised, redirect
 * followed, host key check): a NULL-terminated array, maybe empty. */
const char * const *kf_semiauto_setup_get_notes        (KfSemiautoSetup *self);
/* After success: did the SSH server show one of the API's host keys, and if not, why. */
gboolean         kf_semiauto_setup_get_host_key_verified (KfSemiautoSetup *self);
const char      *kf_semiauto_setup_get_verify_message  (KfSemiautoSetup *self);
KfTruenasProtocol kf_semiauto_setup_get_protocol       (KfSemiautoSetup *self);
/* After KF_TRUENAS_ERROR_STANDBY (an HA standby controller): the https URL of
 * the active controller to use instead ("https://host[:port]"), or NULL. */
const char      *kf_semiauto_setup_get_redirect_url    (KfSemiautoSetup *self);
/* WebSocket request/reply pairs and HTTP requests made to the TrueNAS. */
guint            kf_semiauto_setup_get_round_trips     (KfSemiautoSetup *self);
/* Milliseconds spent talking to the TrueNAS (connect to user.update), and in total. */
double           kf_semiauto_setup_get_api_ms          (KfSemiautoSetup *self);
double           kf_semiauto_setup_get_total_ms        (KfSemiautoSetup *self);

G_END_DECLS
