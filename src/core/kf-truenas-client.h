/* kf-truenas-client.h: talks to a remote TrueNAS over its WebSocket API.
 *
 * Speaks both protocols of truenas-api.md: JSON-RPC 2.0 on /api/current
 * (TrueNAS 25.04 and later, detected with GET /api/versions) and the legacy
 * /websocket protocol (22.12 to 27-dev, CORE 13). One call is in flight at a
 * time; each call fails after the call timeout (60 s) or when the
 * conversation's deadline (set_connect_timeout) runs out, whichever is first. TLS verification is on:
 * an untrusted certificate stops with KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE
 * and kf_truenas_client_get_peer_certificate() tells what it was, so the user
 * can decide to trust it; with a pin (set_tls_pin) exactly that certificate is
 * accepted and any other one fails with KF_TRUENAS_ERROR_CERTIFICATE_CHANGED.
 * Each client has its own HTTP session, so the pin is checked on every new
 * client (a reused keep-alive connection would skip the check). An http://
 * URL is followed when the box redirects to https; a box that answers on
 * plain http without redirecting is refused (KF_TRUENAS_ERROR_BAD_URL): the
 * admin password is never sent unencrypted.
 *
 * Every error is a KF_TRUENAS_ERROR (or G_IO_ERROR_CANCELLED) with one plain
 * sentence; an empty or invalid argument a user typed is a KF_INPUT_ERROR,
 * a public key ssh_pair cannot send a KF_KEY_ERROR. kf_truenas_error_get_field()
 * (kf-semiauto-field.h) tells which field of the semi-automatic form it concerns.
 * Passwords and one-time passwords are never stored, logged or kept after the
 * request that carries them has been sent (the buffers are wiped).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kf-truenas-certificate.h"
#include "kf-truenas-url.h"

G_BEGIN_DECLS

#define KF_TRUENAS_DEFAULT_CALL_TIMEOUT_MS (60 * 1000)
/* On TrueNAS 25.04–26.0 ssh_pair refuses longer public keys (RSA 8192). */
#define KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY  1024

typedef enum {
  KF_TRUENAS_PROTOCOL_AUTO,    /* JSON-RPC when /api/versions answers, else legacy */
  KF_TRUENAS_PROTOCOL_JSONRPC, /* /api/current */
  KF_TRUENAS_PROTOCOL_LEGACY,  /* /websocket */
} KfTruenasProtocol;

/* "jsonrpc", "legacy", "auto". */
const char       *kf_truenas_protocol_to_string          (KfTruenasProtocol    protocol);

#define KF_TYPE_TRUENAS_CLIENT (kf_truenas_client_get_type ())

G_DECLARE_FINAL_TYPE (KfTruenasClient, kf_truenas_client, KF, TRUENAS_CLIENT, GObject)

KfTruenasClient  *kf_truenas_client_new                  (KfTruenasUrl        *url);
KfTruenasUrl     *kf_truenas_client_get_url              (KfTruenasClient     *self);

/* Settings; set them before connecting. */
/* A normalised pin ("SHA256:" + lowercase hex, see kf_truenas_certificate_parse_pin). */
void              kf_truenas_client_set_tls_pin          (KfTruenasClient     *self,
                                                          const char          *pin);
const char       *kf_truenas_client_get_tls_pin          (KfTruenasClient     *self);
/* NULL: the system's trust store. */
void              kf_truenas_client_set_tls_database     (KfTruenasClient     *self,
                                                          GTlsDatabase        *database);
/* AUTO by default; forcing one skips the other (tests, known old boxes). */
void              kf_truenas_client_set_protocol         (KfTruenasClient     *self,
                                                          KfTruenasProtocol    protocol);
/* After connecting: the protocol in use (AUTO before). */
KfTruenasProtocol kf_truenas_client_get_protocol         (KfTruenasClient     *self);
void              kf_truenas_client_set_call_timeout_ms  (KfTruenasClient     *self,
                                                          guint                timeout_ms);
/* One deadline for the whole conversation, in seconds (0: 60 s): connecting
 * (HTTP probe + WebSocket + handshake) and then every reply together may take
 * this long; time between calls (e.g. while the user types a one-time
 * password) does not count. A call also ends after the call timeout. */
void              kf_truenas_client_set_connect_timeout  (KfTruenasClient     *self,
                                                          guint                seconds);

/* The certificate the server presented (also after an untrusted or changed
 * certificate error, so it can be shown to the user), or NULL. */
KfTruenasCertificate *kf_truenas_client_get_peer_certificate (KfTruenasClient *self);
/* "The TrueNAS redirected http://nas.lan to https://nas.lan." or NULL. */
const char       *kf_truenas_client_get_redirect_note    (KfTruenasClient     *self);
/* "https://host[:port]": the URL's base, or where a redirect led. */
const char       *kf_truenas_client_get_base             (KfTruenasClient     *self);
/* WebSocket request/reply pairs plus HTTP requests made so far. */
guint             kf_truenas_client_get_round_trips      (KfTruenasClient     *self);
gboolean          kf_truenas_client_is_connected         (KfTruenasClient     *self);
gboolean          kf_truenas_client_is_logged_in         (KfTruenasClient     *self);
/* TRUE after login failed with KF_TRUENAS_ERROR_OTP_REQUIRED or a refused
 * code on JSON-RPC: call kf_truenas_client_login_continue_async(). */
gboolean          kf_truenas_client_is_awaiting_otp      (KfTruenasClient     *self);

void              kf_truenas_client_connect_async        (KfTruenasClient     *self,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          kf_truenas_client_connect_finish       (KfTruenasClient     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Logs in as an admin. @otp may be NULL. On JSON-RPC, a server that wants a
 * one-time password nobody gave makes this fail with
 * KF_TRUENAS_ERROR_OTP_REQUIRED: ask the user, then login_continue. On the
 * legacy protocol the OTP must be given up front (a missing one looks like a
 * wrong password; the message says so). JSON-RPC: core.set_options, then
 * auth.login_ex (never auth.login, private on v27); legacy: auth.login.
 * Other failures: _AUTH_FAILED, _ACCOUNT (EXPIRED, DENIED), _STANDBY
 * (REDIRECT: see get_active_url), _RATE_LIMITED (EBUSY "Rate Limit Exceeded"). */
void              kf_truenas_client_login_async          (KfTruenasClient     *self,
                                                          const char          *username,
                                                          const char          *password,
                                                          const char          *otp,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          kf_truenas_client_login_finish         (KfTruenasClient     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);
/* Logs in with an admin's API key ("<id>-<key>") instead of the password:
 * JSON-RPC auth.login_ex API_KEY_PLAIN with @username (25.04+), legacy
 * auth.login_with_api_key. Refused before anything is sent unless the
 * connection is https: TrueNAS revokes a plain API key used over an insecure
 * transport. Finish with kf_truenas_client_login_finish(). */
void              kf_truenas_client_login_api_key_async  (KfTruenasClient     *self,
                                                          const char          *username,
                                                          const char          *api_key,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
/* After KF_TRUENAS_ERROR_STANDBY: "https://host[:port]" of the active
 * controller the TrueNAS named (NULL when it named no https address). */
const char       *kf_truenas_client_get_active_url       (KfTruenasClient     *self);
/* Sends the one-time password the server asked for. A refused code fails with
 * KF_TRUENAS_ERROR_OTP_FAILED and may be retried while is_awaiting_otp(). */
void              kf_truenas_client_login_continue_async (KfTruenasClient     *self,
                                                          const char          *otp,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          kf_truenas_client_login_continue_finish (KfTruenasClient    *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* Any method: @params is a JSON array (not taken). Returns the result node. */
void              kf_truenas_client_call_async           (KfTruenasClient     *self,
                                                          const char          *method,
                                                          JsonNode            *params,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
JsonNode         *kf_truenas_client_call_finish          (KfTruenasClient     *self,
                                                          GAsyncResult        *result,
                                                          GError             **error);

/* The public key as ssh_pair can take it here: on JSON-RPC (TrueNAS
 * 25.04–26) at most KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY characters, so a key
 * that only its comment makes too long goes without the comment
 * (@comment_dropped). NULL with a KF_KEY_ERROR_TOO_LARGE that names the cause
 * when even the bare key is too long. Call it after connecting. */
char             *kf_truenas_client_public_key_to_send   (KfTruenasClient     *self,
                                                          const char          *public_key,
                                                          gboolean            *comment_dropped,
                                                          GError             **error);
/* FALSE with that error when @public_key (as sent) is over the limit. */
gboolean          kf_truenas_client_fits_public_key      (KfTruenasClient     *self,
                                                          const char          *public_key,
                                                          GError             **error);

/* keychaincredential.ssh_pair: installs @public_key for @username. Gives the
 * SSH port and the host keys as OpenSSH key lines ("type base64 comment").
 * A JSON-RPC server that does not offer it to this connection (-32601) fails
 * with G_IO_ERROR_NOT_SUPPORTED: pair through kf-truenas-public-methods.h. */
void              kf_truenas_client_ssh_pair_async       (KfTruenasClient     *self,
                                                          const char          *username,
                                                          const char          *public_key,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          kf_truenas_client_ssh_pair_finish      (KfTruenasClient     *self,
                                                          GAsyncResult        *result,
                                                          guint               *port,
                                                          GStrv               *host_keys,
                                                          GError             **error);

/* user.query + user.update: a nologin shell becomes /usr/bin/bash; with
 * @sudo_zfs (ignored for root) /usr/sbin/zfs is added to the passwordless
 * sudo commands unless ALL or it is there. Nothing to change: no update call.
 * @changed (may be NULL) tells whether user.update was called. */
void              kf_truenas_client_update_user_async    (KfTruenasClient     *self,
                                                          const char          *username,
                                                          gboolean             sudo_zfs,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          kf_truenas_client_update_user_finish   (KfTruenasClient     *self,
                                                          GAsyncResult        *result,
                                                          gboolean            *changed,
                                                          GError             **error);

/* Closes the WebSocket (a call in flight fails). Safe to call twice. */
void              kf_truenas_client_close                (KfTruenasClient     *self);

G_END_DECLS
