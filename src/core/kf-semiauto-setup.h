/* kf-semiauto-setup.h: "Semi-automatic (TrueNAS only)" from the form to the saved connection.
 *
 * Steps: check the form and normalise the URL; generate the key pair if
 * asked ("<name> Key"); connect to the TrueNAS API; log in as admin
 * (password, one-time password if needed); user.query (what the user is
 * before any change); ask before changes beyond the key;
 * keychaincredential.ssh_pair; user.update; only then save the key pair (secret first, then
 * the store) and the connection; finally log in over SSH once and check that
 * the server shows one of the host keys the API returned. If that last check
 * fails the connection is kept, with host-key-verified FALSE and a message
 * (kf_semiauto_setup_get_verify_message()) — except when the server shows a
 * host key the TrueNAS did not report: that fails the whole setup (below).
 *
 * A setup that fails or is cancelled before it finishes leaves the store and
 * the keyring exactly as they were (a generated key pair is removed again),
 * and takes back what it changed on the TrueNAS: the public key line it
 * added to the user's sshpubkey (every other line is kept as it was), the
 * shell and the sudo commands, an SSH service it started, within the Connect Timeout, over a new
 * connection when the old one broke. When that fails the error says which
 * key (SHA256 fingerprint) remains for which user on which box. An SSH server
 * showing a host key the TrueNAS did not report fails the setup (the
 * connection may be intercepted). The admin password (or API key) and one-time
 * password are never stored or logged; they are kept (wiped memory) until the run
 * ends, because taking changes back may need a new login.
 *
 * Changes on the TrueNAS beyond the key ("shell": a nologin shell becomes
 * /usr/bin/bash; "sudo": /usr/sbin/zfs added to the passwordless sudo
 * commands; "start-ssh": the SSH service started and enabled) are announced
 * with "confirm-change" (id, message) before anything is installed; the
 * handler answers with kf_semiauto_setup_confirm() — FALSE ends the setup with
 * nothing changed. Without a handler the setup goes on (as TrueNAS's own
 * setup does) and keeps the message among the notes.
 *
 * JSON-RPC TrueNAS boxes that refuse keychaincredential.ssh_pair (-32601) are
 * paired through public methods: user.query/user.update {sshpubkey},
 * ssh.config, service.query/update/control.
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
  KF_SEMIAUTO_STEP_WAIT_CONFIRM,   /* waiting for kf_semiauto_setup_confirm() */
  KF_SEMIAUTO_STEP_ROLLBACK,       /* taking this run's changes on the TrueNAS back */
} KfSemiautoStep;

/* Stable ids: "idle", "check", "generate-key", "connect", "login", "wait-otp",
 * "pair", "update-user", "save", "verify-ssh", "done", "wait-confirm", "rollback". */
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
/* Leave a nologin shell as it is (the SSH check then fails, and says why). */
void             kf_semiauto_setup_set_keep_shell      (KfSemiautoSetup *self,
                                                        gboolean         keep_shell);
/* Seconds, KF_CONNECTION_MIN_TIMEOUT–KF_CONNECTION_MAX_TIMEOUT (default 10):
 * one deadline for the whole conversation with the TrueNAS API (connecting
 * and every reply; not the time a one-time password is being typed), and
 * the SSH check's own limit. */
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

/* The answer to "confirm-change": TRUE goes on, FALSE ends the setup. */
void             kf_semiauto_setup_confirm             (KfSemiautoSetup *self,
                                                        gboolean         agreed);

/* What happened. */
KfSemiautoStep   kf_semiauto_setup_get_step            (KfSemiautoSetup *self);
/* After an untrusted or changed certificate (or any https connection): what the server showed. */
KfTruenasCertificate *kf_semiauto_setup_get_peer_certificate (KfSemiautoSetup *self);
/* Things the user should know, one sentence each (URL normalised, redirect
 * followed, host key check): a NULL-terminated array, maybe empty. */
const char * const *kf_semiauto_setup_get_notes        (KfSemiautoSetup *self);
/* After success: did logging in over SSH work? FALSE is the third outcome
 * (paired and saved, but the SSH login check failed: the CLI's exit 3, a
 * warning in the GUI); kf_semiauto_setup_get_verify_message() says why. */
gboolean         kf_semiauto_setup_get_ssh_login_ok    (KfSemiautoSetup *self);
/* After success: did the SSH server show one of the API's host keys, and if not, why. */
gboolean         kf_semiauto_setup_get_host_key_verified (KfSemiautoSetup *self);
const char      *kf_semiauto_setup_get_verify_message  (KfSemiautoSetup *self);
KfTruenasProtocol kf_semiauto_setup_get_protocol       (KfSemiautoSetup *self);
/* After KF_TRUENAS_ERROR_STANDBY (an HA standby controller): the https URL of
 * the active controller to use instead ("https://host[:port]"), or NULL. */
const char      *kf_semiauto_setup_get_redirect_url    (KfSemiautoSetup *self);
/* WebSocket request/reply pairs and HTTP requests made to the TrueNAS (a
 * rollback's own connection included). */
guint            kf_semiauto_setup_get_round_trips     (KfSemiautoSetup *self);
/* Milliseconds spent talking to the TrueNAS (connect to user.update), and in total. */
double           kf_semiauto_setup_get_api_ms          (KfSemiautoSetup *self);
double           kf_semiauto_setup_get_total_ms        (KfSemiautoSetup *self);

G_END_DECLS
