/* kf-truenas-client.c: the TrueNAS client object, its settings and
 * the one call in flight. Connecting is in kf-truenas-transport.c, logging in
 * in kf-truenas-login.c, the methods in kf-truenas-methods.c.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-secret.h"
#include "kf-truenas-client-private.h"

#define DEFAULT_CONNECT_S     60

G_DEFINE_FINAL_TYPE (KfTruenasClient, kf_truenas_client, G_TYPE_OBJECT)

const char *
kf_truenas_protocol_to_string (KfTruenasProtocol protocol)
{
  switch (protocol)
    {
    case KF_TRUENAS_PROTOCOL_JSONRPC: return "jsonrpc";
    case KF_TRUENAS_PROTOCOL_LEGACY:  return "legacy";
    case KF_TRUENAS_PROTOCOL_AUTO:
    default:                          return "auto";
    }
}

/* ------------------------------------------------------------------------- */
/* The object                                                                */

static void
kf_truenas_client_dispose (GObject *object)
{
  KfTruenasClient *self = KF_TRUENAS_CLIENT (object);

  kf_truenas_client_teardown_ws (self, TRUE);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (kf_truenas_client_parent_class)->dispose (object);
}

static void
kf_truenas_client_finalize (GObject *object)
{
  KfTruenasClient *self = KF_TRUENAS_CLIENT (object);

  g_clear_pointer (&self->url, kf_truenas_url_unref);
  g_free (self->base);
  g_free (self->pin);
  g_clear_object (&self->tls_database);
  g_clear_error (&self->ws_error);
  g_clear_object (&self->peer_certificate);
  g_free (self->redirect_note);
  g_free (self->api_version);
  g_free (self->admin_username);
  g_free (self->active_url);
  g_free (self->broken_reason);
  g_free (self->call_uuid);

  G_OBJECT_CLASS (kf_truenas_client_parent_class)->finalize (object);
}

static void
kf_truenas_client_class_init (KfTruenasClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kf_truenas_client_dispose;
  object_class->finalize = kf_truenas_client_finalize;
}

static void
kf_truenas_client_init (KfTruenasClient *self)
{
  self->call_timeout_ms = KF_TRUENAS_DEFAULT_CALL_TIMEOUT_MS;
  self->connect_timeout_s = DEFAULT_CONNECT_S;
  self->next_id = 1;
}

KfTruenasClient *
kf_truenas_client_new (KfTruenasUrl *url)
{
  KfTruenasClient *self;

  g_return_val_if_fail (url != NULL, NULL);

  self = g_object_new (KF_TYPE_TRUENAS_CLIENT, NULL);
  self->url = kf_truenas_url_ref (url);
  self->base = g_strdup (kf_truenas_url_get_base (url));
  return self;
}

KfTruenasUrl *
kf_truenas_client_get_url (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->url;
}

void
kf_truenas_client_set_tls_pin (KfTruenasClient *self,
                               const char      *pin)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_free (self->pin);
  self->pin = pin != NULL && *pin != '\0' ? g_ascii_strdown (pin, -1) : NULL;
}

const char *
kf_truenas_client_get_tls_pin (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->pin;
}

void
kf_truenas_client_set_tls_database (KfTruenasClient *self,
                                    GTlsDatabase    *database)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_set_object (&self->tls_database, database);
}

void
kf_truenas_client_set_protocol (KfTruenasClient   *self,
                                KfTruenasProtocol  protocol)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  self->wanted_protocol = protocol;
}

KfTruenasProtocol
kf_truenas_client_get_protocol (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), KF_TRUENAS_PROTOCOL_AUTO);
  return self->protocol;
}

void
kf_truenas_client_set_call_timeout_ms (KfTruenasClient *self,
                                       guint            timeout_ms)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  self->call_timeout_ms = timeout_ms > 0 ? timeout_ms : KF_TRUENAS_DEFAULT_CALL_TIMEOUT_MS;
}

void
kf_truenas_client_set_connect_timeout (KfTruenasClient *self,
                                       guint            seconds)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  self->connect_timeout_s = seconds > 0 ? seconds : DEFAULT_CONNECT_S;
}

KfTruenasCertificate *
kf_truenas_client_get_peer_certificate (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->peer_certificate;
}

const char *
kf_truenas_client_get_redirect_note (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->redirect_note;
}

const char *
kf_truenas_client_get_base (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->base;
}

guint
kf_truenas_client_get_round_trips (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), 0);
  return self->round_trips;
}

gboolean
kf_truenas_client_is_connected (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), FALSE);
  return self->ws != NULL && !self->broken &&
         soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
kf_truenas_client_is_logged_in (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), FALSE);
  return self->logged_in && kf_truenas_client_is_connected (self);
}

gboolean
kf_truenas_client_is_awaiting_otp (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), FALSE);
  return self->awaiting_otp && kf_truenas_client_is_connected (self);
}


/* ------------------------------------------------------------------------- */
/* The one call in flight                                                    */

void
kf_truenas_client_teardown_ws (KfTruenasClient *self,
                               gboolean         send_close)
{
  if (self->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->ws, self);
  if (send_close && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->ws);
}

void
kf_truenas_client_mark_broken (KfTruenasClient *self,
                               const char      *reason)
{
  self->broken = TRUE;
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;
  if (self->broken_reason == NULL)
    self->broken_reason = g_strdup (reason);
  kf_truenas_client_teardown_ws (self, TRUE);
}

void
kf_truenas_client_complete_call (KfTruenasClient      *self,
                                 JsonNode             *result,
                                 KfTruenasRemoteError *remote,
                                 GError               *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->call);

  /* The handshake is part of connecting, which is counted as a whole. */
  if (self->call_started_us != 0 && !self->call_is_handshake)
    self->budget_used_us += g_get_monotonic_time () - self->call_started_us;
  self->call_started_us = 0;
  if (self->call_timeout != NULL)
    {
      g_source_destroy (self->call_timeout);
      g_clear_pointer (&self->call_timeout, g_source_unref);
    }
  if (self->call_cancel != NULL)
    {
      g_source_destroy (self->call_cancel);
      g_clear_pointer (&self->call_cancel, g_source_unref);
    }
  g_clear_pointer (&self->call_uuid, g_free);
  self->call_is_handshake = FALSE;

  g_return_if_fail (task != NULL);

  if (error != NULL)
    {
      if (remote != NULL)
        g_task_set_task_data (task, remote, (GDestroyNotify) kf_truenas_remote_error_free);
      g_task_return_error (task, error);
    }
  else
    {
      g_assert (remote == NULL);
      g_task_return_pointer (task,
                             result != NULL ? json_node_copy (result) : json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
    }
}

void
kf_truenas_client_fail_call_protocol (KfTruenasClient *self,
                                      const char      *message)
{
  kf_truenas_client_mark_broken (self, message);
  if (self->call != NULL)
    kf_truenas_client_complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL, message));
}

/* The sentence for a call that ran out of time: its own call timeout, or
 * what was left of the conversation's deadline (the Connect Timeout). */
static char *
call_timeout_message (KfTruenasClient *self)
{
  if (self->call_bound_by_budget)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The TrueNAS did not answer within the Connect Timeout of %u second, which covers the whole conversation with it; it may be busy: try again later, or allow more time.",
                                         "The TrueNAS did not answer within the Connect Timeout of %u seconds, which covers the whole conversation with it; it may be busy: try again later, or allow more time.",
                                         self->connect_timeout_s),
                            self->connect_timeout_s);
  if (self->call_timeout_ms % 1000 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "The TrueNAS did not answer within %u second (call timeout); it may be busy, try again later.",
                                         "The TrueNAS did not answer within %u seconds (call timeout); it may be busy, try again later.",
                                         self->call_timeout_ms / 1000),
                            self->call_timeout_ms / 1000);
  return g_strdup_printf (_("The TrueNAS did not answer within %.1f seconds (call timeout); it may be busy, try again later."),
                          self->call_timeout_ms / 1000.0);
}

static gboolean
on_call_timeout (gpointer user_data)
{
  KfTruenasClient *self = user_data;
  g_autofree char *message = NULL;
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);

  g_clear_pointer (&self->call_timeout, g_source_unref);
  message = call_timeout_message (self);
  /* A late answer would arrive for a call nobody waits for: start afresh. */
  kf_truenas_client_mark_broken (self, message);
  kf_truenas_client_complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_TIMEOUT, message));
  return G_SOURCE_REMOVE;
}

/* How long the next call may take: its call timeout, or less when the
 * conversation's deadline comes first (then call_bound_by_budget). */
static guint
next_call_timeout_ms (KfTruenasClient *self)
{
  gint64 budget_ms = (gint64) self->connect_timeout_s * 1000 - self->budget_used_us / 1000;

  self->call_bound_by_budget = budget_ms < (gint64) self->call_timeout_ms;
  if (!self->call_bound_by_budget)
    return self->call_timeout_ms;
  return (guint) MAX (budget_ms, 0);
}

static gboolean
on_call_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  KfTruenasClient *self = user_data;
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);

  g_clear_pointer (&self->call_cancel, g_source_unref);
  kf_truenas_client_mark_broken (self, _("The connection to the TrueNAS was closed because an operation was cancelled."));
  kf_truenas_client_complete_call (self, NULL, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
  return G_SOURCE_REMOVE;
}

GError *
kf_truenas_client_not_connected_error (KfTruenasClient *self)
{
  if (self->broken_reason != NULL)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                        _("The connection to the TrueNAS is no longer usable (%s); start again."), self->broken_reason);
  return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                              _("Not connected to the TrueNAS; connect first."));
}

/* Sends one request; @params_text is a JSON array and may hold a secret
 * (the frame built from it is wiped once sent). */
void
kf_truenas_client_send_call (KfTruenasClient     *self,
                             const char          *method,
                             const char          *params_text,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GString *frame;

  g_task_set_source_tag (task, kf_truenas_client_send_call);

  if (self->ws == NULL || self->broken ||
      soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_task_return_error (task, kf_truenas_client_not_connected_error (self));
      return;
    }
  if (self->call != NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("Another call to the TrueNAS is still running; wait for it to finish."));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  frame = kf_secret_string_new (256 + strlen (params_text));
  if (method == NULL)
    {
      /* The legacy protocol's opening handshake. */
      g_string_append (frame, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"],\"features\":[]}");
      self->call_is_handshake = TRUE;
    }
  else if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    {
      self->call_id = self->next_id++;
      g_string_append_printf (frame, "{\"jsonrpc\":\"2.0\",\"id\":%" G_GINT64_FORMAT ",\"method\":", self->call_id);
      kf_truenas_json_append_string (frame, method);
      g_string_append (frame, ",\"params\":");
      g_string_append (frame, params_text);
      g_string_append_c (frame, '}');
    }
  else
    {
      self->call_uuid = g_uuid_string_random ();
      g_string_append (frame, "{\"msg\":\"method\",\"method\":");
      kf_truenas_json_append_string (frame, method);
      g_string_append_printf (frame, ",\"id\":\"%s\",\"params\":", self->call_uuid);
      g_string_append (frame, params_text);
      g_string_append_c (frame, '}');
    }

  self->call = g_object_ref (task);
  self->round_trips++;

  self->call_started_us = g_get_monotonic_time ();
  self->call_timeout = g_timeout_source_new (next_call_timeout_ms (self));
  g_source_set_callback (self->call_timeout, on_call_timeout, self, NULL);
  g_source_attach (self->call_timeout, g_main_context_get_thread_default ());

  if (cancellable != NULL)
    {
      self->call_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->call_cancel, G_SOURCE_FUNC (on_call_cancelled), self, NULL);
      g_source_attach (self->call_cancel, g_main_context_get_thread_default ());
    }

  g_debug ("→ %s", method != NULL ? method : "connect");
  soup_websocket_connection_send_text (self->ws, frame->str);
  kf_secret_string_free (frame);
}

JsonNode *
kf_truenas_client_send_call_finish (KfTruenasClient       *self,
                                    GAsyncResult          *result,
                                    KfTruenasRemoteError **remote,
                                    GError               **error)
{
  GTask *task = G_TASK (result);
  GError *local_error = NULL;
  JsonNode *node;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  node = g_task_propagate_pointer (task, &local_error);
  if (local_error != NULL)
    {
      KfTruenasRemoteError *data = g_task_get_task_data (task);

      if (remote != NULL && data != NULL)
        *remote = kf_truenas_remote_error_copy (data);
      g_propagate_error (error, local_error);
      return NULL;
    }
  return node;
}


JsonNode *
kf_truenas_client_finish_or_return (KfTruenasClient *self,
                                    GAsyncResult    *result,
                                    GTask           *task,
                                    const char      *method)
{
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  GError *error = NULL;
  JsonNode *node = kf_truenas_client_send_call_finish (self, result, &remote, &error);

  if (node != NULL)
    return node;
  if (remote != NULL)
    {
      g_error_free (error);
      g_task_return_error (task, kf_truenas_remote_error_for_version (remote, method, self->api_version));
    }
  else
    g_task_return_error (task, error);
  return NULL;
}

/* An answer (result or error) for a request: it must be the call in flight's. */
static gboolean
is_answer_to_call (KfTruenasClient      *self,
                   const KfTruenasFrame *frame)
{
  gboolean id_matches;

  if (self->call == NULL)
    {
      kf_truenas_client_fail_call_protocol (self, _("The TrueNAS answered a request that was not made."));
      return FALSE;
    }
  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    id_matches = frame->has_int_id && frame->int_id == self->call_id;
  else
    id_matches = frame->str_id != NULL && g_strcmp0 (frame->str_id, self->call_uuid) == 0;
  if (!id_matches)
    {
      kf_truenas_client_fail_call_protocol (self, _("The TrueNAS answered with the wrong request id, so its answer cannot be trusted."));
      return FALSE;
    }
  return TRUE;
}

/* The legacy handshake waits for "connected" and ignores anything else but a ping. */
static void
handle_handshake_frame (KfTruenasClient *self,
                        KfTruenasFrame  *frame)
{
  if (frame->kind == KF_TRUENAS_FRAME_CONNECTED)
    kf_truenas_client_complete_call (self, NULL, NULL, NULL);
  else if (frame->kind == KF_TRUENAS_FRAME_REFUSED)
    kf_truenas_client_fail_call_protocol (self, _("The TrueNAS refused the WebSocket API version Keyferry speaks."));
}

void
kf_truenas_client_handle_frame (KfTruenasClient *self,
                                KfTruenasFrame  *frame)
{
  KfTruenasRemoteError *remote;

  if (frame->kind == KF_TRUENAS_FRAME_GARBLED)
    {
      kf_truenas_client_fail_call_protocol (self, frame->problem);
      return;
    }
  if (frame->kind == KF_TRUENAS_FRAME_PING)
    {
      if (self->ws != NULL)
        soup_websocket_connection_send_text (self->ws, frame->pong);
      return;
    }
  if (self->call != NULL && self->call_is_handshake)
    {
      handle_handshake_frame (self, frame);
      return;
    }

  switch (frame->kind)
    {
    case KF_TRUENAS_FRAME_UNSOLICITED_ERROR:
      if (self->call == NULL)
        {
          kf_truenas_client_fail_call_protocol (self, _("The TrueNAS sent a message Keyferry does not understand."));
          return;
        }
      remote = g_steal_pointer (&frame->remote);
      kf_truenas_client_complete_call (self, NULL, remote, kf_truenas_remote_error_generic (remote, "request"));
      return;
    case KF_TRUENAS_FRAME_RESULT:
    case KF_TRUENAS_FRAME_NO_RESULT:
    case KF_TRUENAS_FRAME_ERROR:
      if (!is_answer_to_call (self, frame))
        return;
      if (frame->kind == KF_TRUENAS_FRAME_NO_RESULT)
        kf_truenas_client_fail_call_protocol (self, _("The TrueNAS sent an answer without a result."));
      else if (frame->kind == KF_TRUENAS_FRAME_RESULT)
        kf_truenas_client_complete_call (self, frame->result, NULL, NULL);
      else
        {
          remote = g_steal_pointer (&frame->remote);
          kf_truenas_client_complete_call (self, NULL, remote,
                                           g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                                                        _("The TrueNAS reported an error: %s."), remote->reason));
        }
      return;
    case KF_TRUENAS_FRAME_IGNORE:
    case KF_TRUENAS_FRAME_CONNECTED:
    case KF_TRUENAS_FRAME_REFUSED:
    case KF_TRUENAS_FRAME_GARBLED:
    case KF_TRUENAS_FRAME_PING:
    default:
      return; /* notifications and events are not for us */
    }
}

void
kf_truenas_client_close (KfTruenasClient *self)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  kf_truenas_client_mark_broken (self, _("the connection was closed"));
  if (self->call != NULL)
    kf_truenas_client_complete_call (self, NULL, NULL,
                   g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                        _("The connection to the TrueNAS was closed before it answered.")));
}

