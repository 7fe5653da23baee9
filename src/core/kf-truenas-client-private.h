/* kf-truenas-client-private.h: what the TrueNAS client's files share.
 *
 * kf-truenas-client.c     the object, its settings and the one call in flight
 * kf-truenas-transport.c  probe, redirects, TLS pinning, the WebSocket
 * kf-truenas-protocol.c   the decoder (kf-truenas-protocol-private.h)
 * kf-truenas-errors.c     the error object the server sends
 * kf-truenas-login.c      auth.login_ex (+ OTP, API key), auth.login(_with_api_key)
 * kf-truenas-methods.c    any call, ssh_pair, user.query + user.update
 * kf-truenas-public-methods.c  user.query/update {sshpubkey}, ssh.config, service.*
 *
 * The fuzz targets include this too: they set up the state a real call
 * leaves and feed frames to kf_truenas_client_on_ws_message().
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "kf-truenas-client.h"
#include "kf-truenas-protocol-private.h"

G_BEGIN_DECLS

struct _KfTruenasClient
{
  GObject parent_instance;

  KfTruenasUrl *url;
  char *base;                 /* "https://host[:port]" after redirects */
  char *pin;
  GTlsDatabase *tls_database;
  KfTruenasProtocol wanted_protocol;
  KfTruenasProtocol protocol;
  guint call_timeout_ms;
  guint connect_timeout_s;    /* also the budget of the whole conversation */
  /* One deadline for the whole conversation: the time spent waiting for the
   * TrueNAS (connecting, then every reply) adds up here and may not exceed
   * connect_timeout_s. Time between calls (a one-time password being typed)
   * does not count. */
  gint64 connect_started_us;
  gint64 budget_used_us;
  gint64 call_started_us;
  gboolean call_bound_by_budget; /* the call's timer is what is left of the budget */

  SoupSession *session;
  SoupWebsocketConnection *ws;
  GError *ws_error;           /* what libsoup reported before closing */

  KfTruenasCertificate *peer_certificate;
  gboolean certificate_rejected;
  char *redirect_note;
  char *api_version;          /* the newest one /api/versions listed, or NULL */
  guint redirects;
  guint round_trips;

  char *admin_username;
  char *active_url;           /* REDIRECT: the active HA controller's https URL */
  gboolean logged_in;
  gboolean awaiting_otp;
  gboolean broken;            /* timed out or garbled: no further calls */
  char *broken_reason;

  /* The one call in flight. */
  gint64 next_id;
  GTask *call;
  gint64 call_id;
  char *call_uuid;
  gboolean call_is_handshake;
  GSource *call_timeout;
  GSource *call_cancel;
};

/* ---- The call in flight (kf-truenas-client.c) --------------------------- */

void      kf_truenas_client_teardown_ws        (KfTruenasClient     *self,
                                                gboolean             send_close);
/* The stream can no longer be trusted: no further calls. */
void      kf_truenas_client_mark_broken        (KfTruenasClient     *self,
                                                const char          *reason);
/* Ends the call in flight with @result (copied) or @error; takes @remote and @error. */
void      kf_truenas_client_complete_call      (KfTruenasClient     *self,
                                                JsonNode            *result,
                                                KfTruenasRemoteError         *remote,
                                                GError              *error);
/* A protocol failure in the middle of a call: marks broken, fails the call. */
void      kf_truenas_client_fail_call_protocol (KfTruenasClient     *self,
                                                const char          *message);
GError   *kf_truenas_client_not_connected_error (KfTruenasClient    *self);
/* Handles one decoded frame against the call in flight. */
void      kf_truenas_client_handle_frame       (KfTruenasClient     *self,
                                                KfTruenasFrame      *frame);
/* Sends one request (@method NULL: the legacy handshake). @params_text is a
 * JSON array and may hold a secret (the frame built from it is wiped once
 * sent). */
void      kf_truenas_client_send_call          (KfTruenasClient     *self,
                                                const char          *method,
                                                const char          *params_text,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
/* The result of kf_truenas_client_send_call; a server-side error also gives @remote (may be NULL). */
JsonNode *kf_truenas_client_send_call_finish   (KfTruenasClient     *self,
                                                GAsyncResult        *result,
                                                KfTruenasRemoteError        **remote,
                                                GError             **error);
/* kf_truenas_client_send_call_finish for handlers that need nothing but the result: on a
 * failure returns NULL after returning the error on @task (a server-side one
 * as kf_truenas_remote_error_generic() for @method). */
JsonNode *kf_truenas_client_finish_or_return   (KfTruenasClient     *self,
                                                GAsyncResult        *result,
                                                GTask               *task,
                                                const char          *method);

/* ---- The WebSocket (kf-truenas-transport.c) ----------------------------- */

void      kf_truenas_client_on_ws_message      (SoupWebsocketConnection *ws,
                                                int                      type,
                                                GBytes                  *message,
                                                KfTruenasClient         *self);

/* ---- Logging in (kf-truenas-login.c) ------------------------------------ */

typedef struct {
  char *password;   /* secret: the password, or the API key when api_key */
  gboolean api_key;
  char *otp;        /* secret */
  gboolean otp_sent; /* auth.login_ex_continue is the call in flight */
} KfTruenasLoginData;

void      kf_truenas_login_data_free                      (KfTruenasLoginData           *data);
/* The steps' callbacks, each with the login task as user data. */
void      kf_truenas_login_on_set_options      (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);
void      kf_truenas_login_on_login_ex         (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);
void      kf_truenas_login_on_legacy_login     (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);

/* ---- Methods (kf-truenas-methods.c) ------------------------------------- */

typedef struct {
  char *username;
  guint port;
  GStrv host_keys;
} KfTruenasPairData;

typedef struct {
  char *username;
  gboolean sudo_zfs;
  gboolean changed;
} KfTruenasUpdateData;

void      kf_truenas_pair_data_free                       (KfTruenasPairData            *data);
void      kf_truenas_update_data_free                     (KfTruenasUpdateData          *data);
/* The calls' callbacks, each with the method's task as user data. */
void      kf_truenas_methods_on_public_call    (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);
void      kf_truenas_methods_on_ssh_pair       (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);
void      kf_truenas_methods_on_user_query     (GObject             *source,
                                                GAsyncResult        *result,
                                                gpointer             user_data);

/* Host key text ("[host] type base64 comment" lines, blank lines) → OpenSSH key lines. */
GStrv     kf_truenas_methods_parse_host_keys   (const char          *text,
                                                GError             **error);
/* The error of a failed user.query for @username (takes @error; @remote may be
 * NULL); a missing method names @api_version when known. */
GError   *kf_truenas_methods_user_query_error  (const KfTruenasRemoteError *remote,
                                                GError              *error,
                                                const char          *username,
                                                const char          *api_version);
/* user.query [[["username","=",U],["local","=",true]],{"get":true}] with @callback. */
void      kf_truenas_methods_send_user_query   (KfTruenasClient     *self,
                                                const char          *username,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                GTask               *task);

G_END_DECLS
