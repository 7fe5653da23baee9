/* kf-truenas-client.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include <libsoup/soup.h>

#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-secret.h"
#include "kf-truenas-client.h"

#define MAX_REDIRECTS         5
#define DEFAULT_CONNECT_S     60
#define ZFS_COMMAND           "/usr/sbin/zfs"
#define LOGIN_SHELL           "/usr/bin/bash"

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
  guint connect_timeout_s;

  SoupSession *session;
  SoupWebsocketConnection *ws;
  GError *ws_error;           /* what libsoup reported before closing */

  KfTruenasCertificate *peer_certificate;
  gboolean certificate_rejected;
  char *redirect_note;
  guint redirects;
  guint round_trips;

  char *admin_username;
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

G_DEFINE_FINAL_TYPE (KfTruenasClient, kf_truenas_client, G_TYPE_OBJECT)

/* ------------------------------------------------------------------------- */
/* Small helpers                                                             */

/* JSON string escaping into a buffer we can wipe (json-glib's copies we could not). */
static void
append_json_string (GString    *out,
                    const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

static char *
json_to_text (JsonNode *node)
{
  return json_to_string (node, FALSE);
}

/* "[EACCES] Not authorized" → "Not authorized". */
static char *
clean_reason (const char *reason)
{
  const char *p = reason != NULL ? reason : "";
  g_autofree char *copy = NULL;
  gsize len;

  while (g_ascii_isspace (*p))
    p++;
  /* "[EFAULT] [EINVAL] …": drop every errno tag in front. */
  while (*p == '[')
    {
      const char *close = strchr (p, ']');
      if (close == NULL || close - p >= 32)
        break;
      p = close + 1;
      while (g_ascii_isspace (*p))
        p++;
    }
  copy = g_strstrip (g_strdup (p));
  len = strlen (copy);
  while (len > 0 && (copy[len - 1] == '.' || copy[len - 1] == '\n'))
    copy[--len] = '\0';
  if (len == 0)
    return g_strdup (_("no reason given"));
  return g_steal_pointer (&copy);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_int (JsonObject *object,
            const char *name,
            gint64     *out)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return FALSE;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* ------------------------------------------------------------------------- */
/* Errors the server reported                                                */

typedef struct {
  int code;        /* JSON-RPC error code, 0 on the legacy protocol */
  int errnum;      /* middlewared errno, 0 when none */
  char *errname;   /* "EACCES", … or NULL */
  char *type;      /* legacy "VALIDATION" or NULL */
  char *reason;    /* cleaned, never NULL */
  char *details;   /* validation items "field: message; …", or NULL */
} RemoteError;

static void
remote_error_free (RemoteError *remote)
{
  if (remote == NULL)
    return;
  g_free (remote->errname);
  g_free (remote->type);
  g_free (remote->reason);
  g_free (remote->details);
  g_free (remote);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RemoteError, remote_error_free)

/* [[field, message, errno], …] → "field: message; …" */
static char *
format_validation_items (JsonArray *extra)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (extra == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (extra) && i < 10; i++)
    {
      JsonNode *item = json_array_get_element (extra, i);
      JsonArray *parts;
      const char *field = NULL;
      const char *message = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (item))
        continue;
      parts = json_node_get_array (item);
      if (json_array_get_length (parts) >= 2)
        {
          JsonNode *f = json_array_get_element (parts, 0);
          JsonNode *m = json_array_get_element (parts, 1);
          if (JSON_NODE_HOLDS_VALUE (f) && json_node_get_value_type (f) == G_TYPE_STRING)
            field = json_node_get_string (f);
          if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
            message = json_node_get_string (m);
        }
      if (message == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, "; ");
      if (field != NULL && *field != '\0')
        g_string_append_printf (out, "%s: ", field);
      {
        g_autofree char *clean = clean_reason (message);
        g_string_append (out, clean);
      }
    }
  return out->len > 0 ? g_strdup (out->str) : NULL;
}

/* Both protocols carry middlewared's error object: JSON-RPC in error.data,
 * legacy as "error" itself. */
static RemoteError *
remote_error_parse (JsonObject *error_object,
                    gboolean    jsonrpc)
{
  RemoteError *remote = g_new0 (RemoteError, 1);
  JsonObject *data = error_object;
  const char *reason;
  gint64 value;

  if (jsonrpc)
    {
      if (member_int (error_object, "code", &value))
        remote->code = (int) value;
      data = member_object (error_object, "data");
    }

  if (member_int (data, "error", &value))
    remote->errnum = (int) value;
  remote->errname = g_strdup (member_string (data, "errname"));
  remote->type = g_strdup (member_string (data, "type"));
  remote->details = format_validation_items (member_array (data, "extra"));

  reason = member_string (data, "reason");
  if (reason == NULL && jsonrpc)
    reason = member_string (error_object, "message");
  remote->reason = clean_reason (reason);
  return remote;
}

static gboolean
remote_is_validation (const RemoteError *remote)
{
  return remote->code == -32602 || g_strcmp0 (remote->type, "VALIDATION") == 0;
}

/* The reason with validation details, for messages. */
static char *
remote_describe (const RemoteError *remote)
{
  if (remote->details != NULL)
    return g_strdup (remote->details);
  return g_strdup (remote->reason);
}

/* Errors any method can get; NULL when the caller should map it itself. */
static GError *
remote_error_generic (const RemoteError *remote,
                      const char        *method)
{
  g_autofree char *why = remote_describe (remote);

  if (remote->code == -32601 || remote->errnum == 201 || g_strcmp0 (remote->errname, "ENOMETHOD") == 0)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                        _("This TrueNAS does not offer “%s”; it may be too old or too new for Keyferry."), method);
  if (remote->code == -32000)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                                _("The TrueNAS is busy with too many calls; try again in a moment."));
  if (remote->errnum == 207 || g_strcmp0 (remote->errname, "ENOTAUTHENTICATED") == 0)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                _("The TrueNAS no longer accepts this admin login; log in again."));
  if (remote->errnum == 13 || g_strcmp0 (remote->errname, "EACCES") == 0)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NOT_AUTHORIZED,
                                _("The admin user is not a full administrator on the TrueNAS; log in with a full admin account."));
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                      _("The TrueNAS reported an error in “%s”: %s."), method, why);
}

KfTruenasField
kf_truenas_error_get_field (const GError *error)
{
  if (error == NULL)
    return KF_TRUENAS_FIELD_NONE;

  if (error->domain == KF_TRUENAS_ERROR)
    {
      switch ((KfTruenasError) error->code)
        {
        case KF_TRUENAS_ERROR_BAD_URL:
        case KF_TRUENAS_ERROR_UNREACHABLE:
        case KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE:
        case KF_TRUENAS_ERROR_CERTIFICATE_CHANGED:
          return KF_TRUENAS_FIELD_URL;
        case KF_TRUENAS_ERROR_AUTH_FAILED:
          return KF_TRUENAS_FIELD_ADMIN_PASSWORD;
        case KF_TRUENAS_ERROR_OTP_REQUIRED:
        case KF_TRUENAS_ERROR_OTP_FAILED:
          return KF_TRUENAS_FIELD_OTP;
        case KF_TRUENAS_ERROR_NOT_AUTHORIZED:
        case KF_TRUENAS_ERROR_ACCOUNT:
          return KF_TRUENAS_FIELD_ADMIN_USERNAME;
        case KF_TRUENAS_ERROR_NO_SUCH_USER:
        case KF_TRUENAS_ERROR_NO_HOME:
        case KF_TRUENAS_ERROR_USER_UPDATE:
          return KF_TRUENAS_FIELD_USERNAME;
        case KF_TRUENAS_ERROR_TIMEOUT:
        case KF_TRUENAS_ERROR_PROTOCOL:
        case KF_TRUENAS_ERROR_REMOTE:
        default:
          return KF_TRUENAS_FIELD_NONE;
        }
    }
  if (error->domain == KF_INPUT_ERROR)
    {
      switch ((KfInputError) error->code)
        {
        case KF_INPUT_ERROR_NAME:     return KF_TRUENAS_FIELD_NAME;
        case KF_INPUT_ERROR_URL:      return KF_TRUENAS_FIELD_URL;
        case KF_INPUT_ERROR_HOST:     return KF_TRUENAS_FIELD_URL;
        case KF_INPUT_ERROR_USERNAME: return KF_TRUENAS_FIELD_USERNAME;
        case KF_INPUT_ERROR_KEYPAIR:  return KF_TRUENAS_FIELD_KEYPAIR;
        case KF_INPUT_ERROR_TIMEOUT:  return KF_TRUENAS_FIELD_CONNECT_TIMEOUT;
        case KF_INPUT_ERROR_PORT:
        case KF_INPUT_ERROR_HOST_KEY:
        case KF_INPUT_ERROR_TOO_LONG:
        default:
          return KF_TRUENAS_FIELD_NONE;
        }
    }
  if (error->domain == KF_KEY_ERROR)
    return KF_TRUENAS_FIELD_KEYPAIR;
  if (error->domain == KF_STORE_ERROR && error->code == KF_STORE_ERROR_NAME_TAKEN)
    return KF_TRUENAS_FIELD_NAME;
  return KF_TRUENAS_FIELD_NONE;
}

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

static void teardown_ws (KfTruenasClient *self,
                         gboolean         send_close);

static void
kf_truenas_client_dispose (GObject *object)
{
  KfTruenasClient *self = KF_TRUENAS_CLIENT (object);

  teardown_ws (self, TRUE);
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
  g_free (self->admin_username);
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
/* The WebSocket and the one call in flight                                  */

static void on_ws_message (SoupWebsocketConnection *ws,
                           int                      type,
                           GBytes                  *message,
                           KfTruenasClient         *self);
static void on_ws_closed  (SoupWebsocketConnection *ws,
                           KfTruenasClient         *self);
static void on_ws_error   (SoupWebsocketConnection *ws,
                           GError                  *error,
                           KfTruenasClient         *self);

static void
teardown_ws (KfTruenasClient *self,
             gboolean         send_close)
{
  if (self->ws == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->ws, self);
  if (send_close && soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_clear_object (&self->ws);
}

static void
mark_broken (KfTruenasClient *self,
             const char      *reason)
{
  self->broken = TRUE;
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;
  if (self->broken_reason == NULL)
    self->broken_reason = g_strdup (reason);
  teardown_ws (self, TRUE);
}

/* Ends the call in flight; takes @remote and @error. */
static void
complete_call (KfTruenasClient *self,
               JsonNode        *result,
               RemoteError     *remote,
               GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->call);

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
        g_task_set_task_data (task, remote, (GDestroyNotify) remote_error_free);
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

/* A protocol failure in the middle of a call: the stream can no longer be trusted. */
static void
fail_call_protocol (KfTruenasClient *self,
                    const char      *message)
{
  mark_broken (self, message);
  if (self->call != NULL)
    complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL, message));
}

static gboolean
on_call_timeout (gpointer user_data)
{
  KfTruenasClient *self = user_data;
  g_autofree char *message = NULL;
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);

  g_clear_pointer (&self->call_timeout, g_source_unref);
  if (self->call_timeout_ms % 1000 == 0)
    message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "The TrueNAS did not answer within %u second (call timeout); it may be busy, try again later.",
                                            "The TrueNAS did not answer within %u seconds (call timeout); it may be busy, try again later.",
                                            self->call_timeout_ms / 1000),
                               self->call_timeout_ms / 1000);
  else
    message = g_strdup_printf (_("The TrueNAS did not answer within %.1f seconds (call timeout); it may be busy, try again later."),
                               self->call_timeout_ms / 1000.0);
  /* A late answer would arrive for a call nobody waits for: start afresh. */
  mark_broken (self, message);
  complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_TIMEOUT, message));
  return G_SOURCE_REMOVE;
}

static gboolean
on_call_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  KfTruenasClient *self = user_data;
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);

  g_clear_pointer (&self->call_cancel, g_source_unref);
  mark_broken (self, _("The connection to the TrueNAS was closed because an operation was cancelled."));
  complete_call (self, NULL, NULL, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
  return G_SOURCE_REMOVE;
}

static GError *
not_connected_error (KfTruenasClient *self)
{
  if (self->broken_reason != NULL)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                        _("The connection to the TrueNAS is no longer usable (%s); start again."), self->broken_reason);
  return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                              _("Not connected to the TrueNAS; connect first."));
}

/* Sends one request; @params_text is a JSON array and may hold a secret
 * (the frame built from it is wiped once sent). */
static void
send_call (KfTruenasClient     *self,
           const char          *method,
           const char          *params_text,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GString *frame;

  g_task_set_source_tag (task, send_call);

  if (self->ws == NULL || self->broken ||
      soup_websocket_connection_get_state (self->ws) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_task_return_error (task, not_connected_error (self));
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
      append_json_string (frame, method);
      g_string_append (frame, ",\"params\":");
      g_string_append (frame, params_text);
      g_string_append_c (frame, '}');
    }
  else
    {
      self->call_uuid = g_uuid_string_random ();
      g_string_append (frame, "{\"msg\":\"method\",\"method\":");
      append_json_string (frame, method);
      g_string_append_printf (frame, ",\"id\":\"%s\",\"params\":", self->call_uuid);
      g_string_append (frame, params_text);
      g_string_append_c (frame, '}');
    }

  self->call = g_object_ref (task);
  self->round_trips++;

  self->call_timeout = g_timeout_source_new (self->call_timeout_ms);
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

/* The result of send_call; a server-side error also gives @remote (may be NULL). */
static JsonNode *
send_call_finish (KfTruenasClient  *self,
                  GAsyncResult     *result,
                  RemoteError     **remote,
                  GError          **error)
{
  GTask *task = G_TASK (result);
  GError *local_error = NULL;
  JsonNode *node;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  node = g_task_propagate_pointer (task, &local_error);
  if (local_error != NULL)
    {
      RemoteError *data = g_task_get_task_data (task);

      if (remote != NULL && data != NULL)
        {
          *remote = g_new0 (RemoteError, 1);
          (*remote)->code = data->code;
          (*remote)->errnum = data->errnum;
          (*remote)->errname = g_strdup (data->errname);
          (*remote)->type = g_strdup (data->type);
          (*remote)->reason = g_strdup (data->reason);
          (*remote)->details = g_strdup (data->details);
        }
      g_propagate_error (error, local_error);
      return NULL;
    }
  return node;
}

static void
handle_jsonrpc_message (KfTruenasClient *self,
                        JsonObject      *object)
{
  JsonNode *id;
  JsonObject *error_object;

  id = json_object_get_member (object, "id");
  if (id == NULL || JSON_NODE_HOLDS_NULL (id))
    {
      if (json_object_has_member (object, "method"))
        return; /* a notification (e.g. collection_update): not for us */
      error_object = member_object (object, "error");
      if (error_object != NULL && self->call != NULL)
        {
          RemoteError *remote = remote_error_parse (error_object, TRUE);
          GError *error = remote_error_generic (remote, "request");
          complete_call (self, NULL, remote, error);
          return;
        }
      fail_call_protocol (self, _("The TrueNAS sent a message Keyferry does not understand."));
      return;
    }

  if (self->call == NULL)
    {
      fail_call_protocol (self, _("The TrueNAS answered a request that was not made."));
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_INT64 ||
      json_node_get_int (id) != self->call_id)
    {
      fail_call_protocol (self, _("The TrueNAS answered with the wrong request id, so its answer cannot be trusted."));
      return;
    }

  error_object = member_object (object, "error");
  if (error_object != NULL)
    {
      RemoteError *remote = remote_error_parse (error_object, TRUE);
      complete_call (self, NULL, remote,
                     g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE, _("The TrueNAS reported an error: %s."), remote->reason));
      return;
    }
  if (!json_object_has_member (object, "result"))
    {
      fail_call_protocol (self, _("The TrueNAS sent an answer without a result."));
      return;
    }
  complete_call (self, json_object_get_member (object, "result"), NULL, NULL);
}

static void
handle_legacy_message (KfTruenasClient *self,
                       JsonObject      *object)
{
  const char *msg = member_string (object, "msg");
  const char *id;
  JsonNode *error_node;

  if (msg == NULL)
    {
      fail_call_protocol (self, _("The TrueNAS sent a message Keyferry does not understand."));
      return;
    }

  if (g_str_equal (msg, "ping"))
    {
      g_autoptr(GString) pong = g_string_new ("{\"msg\":\"pong\"");
      id = member_string (object, "id");
      if (id != NULL)
        {
          g_string_append (pong, ",\"id\":");
          append_json_string (pong, id);
        }
      g_string_append_c (pong, '}');
      if (self->ws != NULL)
        soup_websocket_connection_send_text (self->ws, pong->str);
      return;
    }

  if (self->call != NULL && self->call_is_handshake)
    {
      if (g_str_equal (msg, "connected"))
        complete_call (self, NULL, NULL, NULL);
      else if (g_str_equal (msg, "failed"))
        fail_call_protocol (self, _("The TrueNAS refused the WebSocket API version Keyferry speaks."));
      return;
    }

  if (!g_str_equal (msg, "result"))
    return; /* events ("added", "changed", …) are not for us */

  id = member_string (object, "id");
  if (self->call == NULL)
    {
      fail_call_protocol (self, _("The TrueNAS answered a request that was not made."));
      return;
    }
  if (id == NULL || g_strcmp0 (id, self->call_uuid) != 0)
    {
      fail_call_protocol (self, _("The TrueNAS answered with the wrong request id, so its answer cannot be trusted."));
      return;
    }

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      RemoteError *remote = remote_error_parse (json_node_get_object (error_node), FALSE);
      complete_call (self, NULL, remote,
                     g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE, _("The TrueNAS reported an error: %s."), remote->reason));
      return;
    }
  complete_call (self, json_object_get_member (object, "result"), NULL, NULL);
}

/* The JSON text @data (@size bytes) as a root node of @type (an object or an
 * array), or NULL. The first non-blank byte is checked before json-glib sees
 * the text: json-glib 1.10 accepts a scalar followed by more text (`2{…}`)
 * and then aborts in json_parser_get_root() on an immutable parser (a hostile
 * server could crash us), and 1.6 leaks the object it had begun. A reply we
 * can use starts with its root's bracket anyway. The parser is a mutable one
 * for the same reason. An empty text has no data pointer, which json-glib
 * refuses. */
static JsonNode *
parse_json_root (const char   *data,
                 gsize         size,
                 JsonNodeType  type)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gsize i = 0;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  if (i == size || data[i] != (type == JSON_NODE_OBJECT ? '{' : '['))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_TYPE (root) != type)
    return NULL;
  return json_node_ref (root);
}

static void
on_ws_message (SoupWebsocketConnection *ws,
               int                      type,
               GBytes                  *message,
               KfTruenasClient         *self)
{
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);
  g_autoptr(JsonNode) root = NULL;
  gsize size;
  const char *data;

  data = g_bytes_get_data (message, &size);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      fail_call_protocol (self, _("The TrueNAS sent binary data where a JSON answer was expected."));
      return;
    }
  if (size > KF_MAX_REPLY_SIZE)
    {
      fail_call_protocol (self, _("The TrueNAS sent an answer larger than 4 MiB, so it was refused."));
      return;
    }

  root = parse_json_root (data, size, JSON_NODE_OBJECT);
  if (root == NULL)
    {
      fail_call_protocol (self, _("The TrueNAS sent an answer that is not valid JSON."));
      return;
    }

  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    handle_jsonrpc_message (self, json_node_get_object (root));
  else
    handle_legacy_message (self, json_node_get_object (root));
}

static void
on_ws_error (SoupWebsocketConnection *ws,
             GError                  *error,
             KfTruenasClient         *self)
{
  g_debug ("WebSocket error: %s", error->message);
  if (self->ws_error == NULL)
    self->ws_error = g_error_copy (error);
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              KfTruenasClient         *self)
{
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);
  const char *message;

  if (self->ws_error != NULL && self->ws_error->domain == SOUP_WEBSOCKET_ERROR &&
      self->ws_error->code == SOUP_WEBSOCKET_CLOSE_TOO_BIG)
    message = _("The TrueNAS sent an answer larger than 4 MiB, so the connection was closed.");
  else
    message = _("The TrueNAS closed the connection before answering; check that it is running and try again.");

  teardown_ws (self, FALSE);
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;
  if (self->broken_reason == NULL)
    self->broken_reason = g_strdup (_("the TrueNAS closed the connection"));
  self->broken = TRUE;
  if (self->call != NULL)
    complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL, message));
}

/* ------------------------------------------------------------------------- */
/* Connecting                                                                */

typedef struct {
  GCancellable *cancellable;   /* cancelled by the caller's or by the timer */
  GCancellable *user_cancellable;
  gulong user_cancel_id;
  GSource *timer;
  gboolean timed_out;
  gboolean tried_legacy;
  SoupMessage *msg;
} ConnectData;

static void
connect_data_free (ConnectData *data)
{
  if (data->user_cancellable != NULL)
    g_cancellable_disconnect (data->user_cancellable, data->user_cancel_id);
  g_clear_object (&data->user_cancellable);
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_source_unref (data->timer);
    }
  g_clear_object (&data->cancellable);
  g_clear_object (&data->msg);
  g_free (data);
}

static void
forward_cancel (GCancellable *cancellable,
                GCancellable *target)
{
  g_cancellable_cancel (target);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  ConnectData *data = user_data;

  data->timed_out = TRUE;
  g_clear_pointer (&data->timer, g_source_unref);
  g_cancellable_cancel (data->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       KfTruenasClient      *self)
{
  g_clear_object (&self->peer_certificate);
  self->peer_certificate = kf_truenas_certificate_new (certificate);
  kf_truenas_certificate_set_errors (self->peer_certificate, errors);

  if (self->pin != NULL && kf_truenas_certificate_matches_pin (self->peer_certificate, self->pin))
    return TRUE;

  self->certificate_rejected = TRUE;
  return FALSE;
}

static char *
host_for_messages (KfTruenasClient *self)
{
  const char *base = self->base;
  const char *sep = strstr (base, "://");
  return g_strdup (sep != NULL ? sep + 3 : base);
}

static GError *
certificate_error (KfTruenasClient *self)
{
  g_autofree char *where = host_for_messages (self);

  if (self->pin != NULL)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED,
                        _("The TrueNAS at %s now shows a different certificate (%s) than the one you trusted; "
                        "if nobody replaced it on the TrueNAS, someone may be intercepting the connection."),
                        where,
                        self->peer_certificate != NULL ? kf_truenas_certificate_get_fingerprint (self->peer_certificate) : _("unknown"));
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE,
                      _("The certificate of the TrueNAS at %s is not trusted (it is probably self-signed); "
                      "check that its fingerprint %s matches the one shown on the TrueNAS before trusting it."),
                      where,
                      self->peer_certificate != NULL ? kf_truenas_certificate_get_fingerprint (self->peer_certificate) : _("unknown"));
}

/* Turns a libsoup/GIO failure into one plain sentence. */
static GError *
transport_error (KfTruenasClient *self,
                 ConnectData     *data,
                 const GError    *error)
{
  g_autofree char *where = host_for_messages (self);

  if (data->timed_out)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        g_dngettext (GETTEXT_PACKAGE,
                                     "The TrueNAS at %s did not answer within %u second; check the URL and that the TrueNAS is on.",
                                     "The TrueNAS at %s did not answer within %u seconds; check the URL and that the TrueNAS is on.",
                                     self->connect_timeout_s),
                        where, self->connect_timeout_s);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled."));
  if (self->certificate_rejected)
    return certificate_error (self);
  if (error->domain == G_RESOLVER_ERROR)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("The name %s could not be found; check the TrueNAS URL."), kf_truenas_url_get_host (self->url));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("Nothing answers at %s (connection refused); check the TrueNAS URL and port."), where);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("%s cannot be reached from this computer; check the network and the TrueNAS URL."), where);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("The TrueNAS at %s did not answer in time; check the URL and that the TrueNAS is on."), where);
  if (error->domain == G_TLS_ERROR)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("No secure connection could be made to %s (%s); check that the URL and port are those of the TrueNAS web interface."),
                        where, error->message);
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                      _("Could not connect to the TrueNAS at %s: %s."), where, error->message);
}

/* A trusted certificate still has to be the pinned one, if there is a pin. */
static GError *
check_trusted_certificate (KfTruenasClient *self,
                           SoupMessage     *msg)
{
  GTlsCertificate *certificate = soup_message_get_tls_peer_certificate (msg);

  if (certificate == NULL)
    return NULL; /* plain http */

  if (self->peer_certificate == NULL ||
      !g_tls_certificate_is_same (kf_truenas_certificate_get_certificate (self->peer_certificate), certificate))
    {
      g_clear_object (&self->peer_certificate);
      self->peer_certificate = kf_truenas_certificate_new (certificate);
      kf_truenas_certificate_set_errors (self->peer_certificate, soup_message_get_tls_peer_certificate_errors (msg));
    }
  if (self->pin != NULL && !kf_truenas_certificate_matches_pin (self->peer_certificate, self->pin))
    return certificate_error (self);
  return NULL;
}

/* Follows a 30x: the new base replaces ours. FALSE with @error when it must not be followed. */
static gboolean
follow_redirect (KfTruenasClient  *self,
                 SoupMessage      *msg,
                 GError          **error)
{
  const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  g_autoptr(GUri) target = NULL;
  g_autofree char *old_where = NULL;
  g_autofree char *new_base = NULL;
  const char *scheme;
  gboolean https;
  int port;

  if (location == NULL)
    {
      g_set_error_literal (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                           _("The TrueNAS answered with a redirect but did not say where to."));
      return FALSE;
    }
  if (++self->redirects > MAX_REDIRECTS)
    {
      g_set_error_literal (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                           _("The TrueNAS keeps redirecting in a loop; check its web interface settings."));
      return FALSE;
    }

  target = g_uri_parse_relative (soup_message_get_uri (msg), location, SOUP_HTTP_URI_FLAGS, NULL);
  scheme = target != NULL ? g_uri_get_scheme (target) : NULL;
  if (target == NULL || g_uri_get_host (target) == NULL || scheme == NULL)
    {
      g_set_error_literal (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                           _("The TrueNAS redirected to an address that is not valid."));
      return FALSE;
    }
  if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    https = TRUE;
  else if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    https = FALSE;
  else
    {
      g_set_error_literal (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                           _("The TrueNAS redirected to an address that is not valid."));
      return FALSE;
    }
  if (!https && g_str_has_prefix (self->base, "https://"))
    {
      g_set_error_literal (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                           _("The TrueNAS redirected from https to an unencrypted address; Keyferry does not follow that."));
      return FALSE;
    }

  port = g_uri_get_port (target);
  if (port == (https ? 443 : 80))
    port = -1;
  {
    const char *host = g_uri_get_host (target);
    gboolean ipv6 = strchr (host, ':') != NULL;
    g_autofree char *host_port = NULL;

    if (port > 0)
      host_port = g_strdup_printf ("%s%s%s:%d", ipv6 ? "[" : "", host, ipv6 ? "]" : "", port);
    else
      host_port = g_strdup_printf ("%s%s%s", ipv6 ? "[" : "", host, ipv6 ? "]" : "");
    new_base = g_strdup_printf ("%s://%s", https ? "https" : "http", host_port);
  }

  old_where = g_strdup (self->base);
  g_free (self->base);
  self->base = g_steal_pointer (&new_base);

  g_free (self->redirect_note);
  /* Translators: the URL typed, then the address the TrueNAS redirected to */
  self->redirect_note = g_strdup_printf (_("The TrueNAS redirected %s to %s."), kf_truenas_url_get_base (self->url), self->base);
  g_debug ("redirect %s → %s", old_where, self->base);
  return TRUE;
}

/* The box answered on http:// without redirecting to https: the admin
 * password would cross the network readable, so stop and say what to type. */
static GError *
plaintext_error (KfTruenasClient *self)
{
  g_autofree char *where = host_for_messages (self);
  const char *host = kf_truenas_url_get_host (self->url);
  gboolean ipv6 = strchr (host, ':') != NULL;
  g_autofree char *https_url = g_strdup_printf ("https://%s%s%s", ipv6 ? "[" : "", host, ipv6 ? "]" : "");

  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL,
                      _("The TrueNAS at %s answers on unencrypted http without switching to https, and Keyferry does not send the admin password unencrypted; type its https address, for example %s."),
                      where, https_url);
}

static gboolean
is_redirect (SoupMessage *msg)
{
  guint status = soup_message_get_status (msg);
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

static SoupMessage *
new_message (KfTruenasClient *self,
             const char      *path)
{
  g_autofree char *uri = g_strconcat (self->base, path, NULL);
  SoupMessage *msg = soup_message_new (SOUP_METHOD_GET, uri);

  if (msg == NULL)
    return NULL;
  /* Redirects are followed by hand so they can be reported and checked. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect_object (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self, 0);
  self->certificate_rejected = FALSE;
  self->round_trips++;
  return msg;
}

static void probe_versions (GTask *task);
static void open_websocket (GTask *task);

static void
connect_fail (GTask  *task,
              GError *error)
{
  g_task_return_error (task, error);
}

static void
on_handshake_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, NULL, &error);

  if (node == NULL)
    {
      teardown_ws (self, TRUE);
      if (data->timed_out)
        connect_fail (task, transport_error (self, data, error));
      else
        connect_fail (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_websocket_connected (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&data->msg);
  SoupWebsocketConnection *ws;
  GError *cert_error;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (ws == NULL)
    {
      if (g_error_matches (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_NOT_WEBSOCKET) && is_redirect (msg))
        {
          GError *redirect_error = NULL;
          if (!follow_redirect (self, msg, &redirect_error))
            connect_fail (task, redirect_error);
          else
            open_websocket (g_steal_pointer (&task));
          return;
        }
      if (error->domain == SOUP_WEBSOCKET_ERROR && !data->timed_out &&
          !g_cancellable_is_cancelled (data->cancellable))
        {
          guint status = soup_message_get_status (msg);
          g_autofree char *where = host_for_messages (self);

          /* /api/versions answered but /api/current did not: the legacy endpoint may still work. */
          if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC &&
              self->wanted_protocol == KF_TRUENAS_PROTOCOL_AUTO && !data->tried_legacy)
            {
              data->tried_legacy = TRUE;
              self->protocol = KF_TRUENAS_PROTOCOL_LEGACY;
              open_websocket (g_steal_pointer (&task));
              return;
            }
          if (status == 401 || status == 403)
            connect_fail (task, g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                                             _("The server at %s refused the API connection (HTTP %u); check that the URL is the TrueNAS web interface."),
                                             where, status));
          else
            connect_fail (task, g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                                             _("The server at %s does not offer the TrueNAS API (HTTP %u); check that the URL points to a TrueNAS."),
                                             where, status));
          return;
        }
      connect_fail (task, transport_error (self, data, error));
      return;
    }

  cert_error = check_trusted_certificate (self, msg);
  if (cert_error == NULL && !g_str_has_prefix (self->base, "https://"))
    cert_error = plaintext_error (self);
  if (cert_error != NULL)
    {
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (ws);
      connect_fail (task, cert_error);
      return;
    }

  self->ws = ws;
  /* Bigger than libsoup's 128 KiB default: a big reply would otherwise close
   * the socket without a word. */
  soup_websocket_connection_set_max_incoming_payload_size (ws, KF_MAX_REPLY_SIZE);
  g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);

  if (self->protocol == KF_TRUENAS_PROTOCOL_LEGACY)
    {
      send_call (self, NULL, "", data->cancellable, on_handshake_done, g_steal_pointer (&task));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
open_websocket (GTask *task)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  const char *path = self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC ? "/api/current" : "/websocket";

  g_clear_object (&data->msg);
  data->msg = new_message (self, path);
  if (data->msg == NULL)
    {
      connect_fail (task, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL,
                                               _("The TrueNAS URL cannot be used; type it again.")));
      g_object_unref (task);
      return;
    }
  /* A fresh connection: the certificate check must run (a kept-alive one skips it). */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_NEW_CONNECTION);
  soup_session_websocket_connect_async (self->session, data->msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        data->cancellable, on_websocket_connected, task);
}

/* /api/versions answers a JSON array of strings on JSON-RPC boxes. */
static gboolean
is_versions_reply (GBytes *body)
{
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  if (size > 64 * 1024 || (root = parse_json_root (data, size, JSON_NODE_ARRAY)) == NULL)
    return FALSE;
  array = json_node_get_array (root);
  if (json_array_get_length (array) == 0)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        return FALSE;
    }
  return TRUE;
}

static void
on_versions (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupMessage) msg = g_steal_pointer (&data->msg);
  g_autoptr(GBytes) body = NULL;
  GError *cert_error;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      connect_fail (task, transport_error (self, data, error));
      return;
    }

  cert_error = check_trusted_certificate (self, msg);
  if (cert_error != NULL)
    {
      connect_fail (task, cert_error);
      return;
    }

  if (is_redirect (msg))
    {
      GError *redirect_error = NULL;
      if (!follow_redirect (self, msg, &redirect_error))
        connect_fail (task, redirect_error);
      else
        probe_versions (g_steal_pointer (&task));
      return;
    }

  if (soup_message_get_status (msg) == SOUP_STATUS_OK && is_versions_reply (body))
    self->protocol = KF_TRUENAS_PROTOCOL_JSONRPC;
  else
    self->protocol = KF_TRUENAS_PROTOCOL_LEGACY;
  g_debug ("/api/versions: HTTP %u → %s", soup_message_get_status (msg), kf_truenas_protocol_to_string (self->protocol));
  open_websocket (g_steal_pointer (&task));
}

static void
probe_versions (GTask *task)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);

  g_clear_object (&data->msg);
  data->msg = new_message (self, "/api/versions");
  if (data->msg == NULL)
    {
      connect_fail (task, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL,
                                               _("The TrueNAS URL cannot be used; type it again.")));
      g_object_unref (task);
      return;
    }
  soup_session_send_and_read_async (self->session, data->msg, G_PRIORITY_DEFAULT, data->cancellable, on_versions, task);
}

void
kf_truenas_client_connect_async (KfTruenasClient     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ConnectData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_connect_async);

  if (self->ws != NULL || self->session != NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("This TrueNAS client was already used; make a new one to connect again."));
      return;
    }

  /* One session per client: the certificate is checked on every new client. */
  self->session = soup_session_new_with_options ("user-agent", "Keyferry/" KF_VERSION " ",
                                                 "max-conns-per-host", 1,
                                                 NULL);
  if (self->tls_database != NULL)
    soup_session_set_tls_database (self->session, self->tls_database);

  data = g_new0 (ConnectData, 1);
  data->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      data->user_cancellable = g_object_ref (cancellable);
      data->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel),
                                                    g_object_ref (data->cancellable), g_object_unref);
    }
  data->timer = g_timeout_source_new_seconds (self->connect_timeout_s);
  g_source_set_callback (data->timer, on_connect_timeout, data, NULL);
  g_source_attach (data->timer, g_main_context_get_thread_default ());
  g_task_set_task_data (task, data, (GDestroyNotify) connect_data_free);

  if (self->wanted_protocol != KF_TRUENAS_PROTOCOL_AUTO)
    {
      self->protocol = self->wanted_protocol;
      open_websocket (g_steal_pointer (&task));
    }
  else
    probe_versions (g_steal_pointer (&task));
}

gboolean
kf_truenas_client_connect_finish (KfTruenasClient  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kf_truenas_client_close (KfTruenasClient *self)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  mark_broken (self, _("the connection was closed"));
  if (self->call != NULL)
    complete_call (self, NULL, NULL,
                   g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                        _("The connection to the TrueNAS was closed before it answered.")));
}

/* ------------------------------------------------------------------------- */
/* Logging in                                                                */

typedef struct {
  char *password;   /* secret */
  char *otp;        /* secret */
} LoginData;

static void
login_data_free (LoginData *data)
{
  kf_secret_free (data->password);
  kf_secret_free (data->otp);
  g_free (data);
}

static char *
clean_otp (const char *otp)
{
  GString *out;

  if (otp == NULL)
    return NULL;
  out = kf_secret_string_new (strlen (otp) + 1);
  for (const char *p = otp; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (out, *p);
  if (out->len == 0)
    {
      kf_secret_string_free (out);
      return NULL;
    }
  return kf_secret_string_steal (out);
}

static void send_login_continue (GTask *task);

static void
finish_login_success (KfTruenasClient *self,
                      GTask           *task)
{
  self->logged_in = TRUE;
  self->awaiting_otp = FALSE;
  g_task_return_boolean (task, TRUE);
}

/* auth.login_ex / auth.login_ex_continue answers. */
static void
handle_login_ex_response (GTask    *task,
                          JsonNode *node,
                          gboolean  after_otp)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *type = member_string (object, "response_type");

  if (type == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the login in a way Keyferry does not understand."));
      return;
    }

  if (g_str_equal (type, "SUCCESS"))
    {
      finish_login_success (self, task);
      return;
    }
  if (g_str_equal (type, "OTP_REQUIRED"))
    {
      self->awaiting_otp = TRUE;
      if (after_otp)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED,
                                 _("The TrueNAS did not accept the one-time password; enter the current code from the authenticator app."));
      else if (data->otp != NULL)
        send_login_continue (g_object_ref (task));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED,
                                 _("The admin account uses two-factor authentication; enter the one-time password from the authenticator app."));
      return;
    }

  self->awaiting_otp = FALSE;
  if (g_str_equal (type, "AUTH_ERR"))
    {
      if (after_otp)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED,
                                 _("The TrueNAS refused the one-time password too many times and ended the login; start again with a current code."));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the admin user name or password."));
    }
  else if (g_str_equal (type, "EXPIRED"))
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                             _("The password of admin user %s has expired on the TrueNAS; set a new one in the TrueNAS web interface, then try again."),
                             self->admin_username);
  else if (g_str_equal (type, "DENIED"))
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                             _("The TrueNAS does not let admin user %s use its API; log in with a full administrator account."),
                             self->admin_username);
  else if (g_str_equal (type, "REDIRECT"))
    {
      JsonArray *urls = member_array (object, "urls");
      const char *first = NULL;

      if (urls != NULL && json_array_get_length (urls) > 0)
        {
          JsonNode *u = json_array_get_element (urls, 0);
          if (JSON_NODE_HOLDS_VALUE (u) && json_node_get_value_type (u) == G_TYPE_STRING)
            first = json_node_get_string (u);
        }
      if (first != NULL)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                                 _("This TrueNAS is the standby controller of a high-availability pair; use the active one at %s."), first);
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                                 _("This TrueNAS is the standby controller of a high-availability pair; use the address of the active one."));
    }
  else
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                             _("The TrueNAS answered the login with “%s”, which Keyferry does not understand."), type);
}

static void
return_call_error (GTask       *task,
                   GError      *error,
                   RemoteError *remote,
                   const char  *method)
{
  if (remote != NULL)
    {
      g_error_free (error);
      g_task_return_error (task, remote_error_generic (remote, method));
      remote_error_free (remote);
    }
  else
    g_task_return_error (task, error);
}

static void
on_login_continue (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  g_autoptr(RemoteError) remote = NULL;
  GError *error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    {
      return_call_error (task, error, g_steal_pointer (&remote), "auth.login_ex_continue");
      return;
    }
  handle_login_ex_response (task, node, TRUE);
}

static void
send_login_continue (GTask *task)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);
  GString *params = g_string_new ("[{\"mechanism\":\"OTP_TOKEN\",\"otp_token\":");

  append_json_string (params, data->otp);
  g_string_append (params, "}]");
  send_call (self, "auth.login_ex_continue", params->str, g_task_get_cancellable (task), on_login_continue, task);
  kf_secret_string_free (params);
  /* One try per code: a refused one must not be sent again. */
  kf_secret_free (g_steal_pointer (&data->otp));
}

static void
on_login_ex (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  g_autoptr(RemoteError) remote = NULL;
  GError *error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    {
      return_call_error (task, error, g_steal_pointer (&remote), "auth.login_ex");
      return;
    }
  handle_login_ex_response (task, node, FALSE);
}

static void
on_set_options (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(RemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);
  GCancellable *cancellable;
  GString *params;

  if (node == NULL && remote == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Before 25.10 the option may be unknown; ssh_pair is public there anyway. */
  if (remote != NULL)
    g_debug ("core.set_options refused: %s", remote->reason);

  params = g_string_new ("[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":");
  append_json_string (params, self->admin_username);
  g_string_append (params, ",\"password\":");
  append_json_string (params, data->password);
  g_string_append (params, ",\"login_options\":{\"user_info\":false}}]");
  kf_secret_free (g_steal_pointer (&data->password));

  cancellable = g_task_get_cancellable (task);
  send_call (self, "auth.login_ex", params->str, cancellable, on_login_ex, g_steal_pointer (&task));
  kf_secret_string_free (params);
}

static void
on_legacy_login (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(RemoteError) remote = NULL;
  GError *error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    {
      return_call_error (task, error, g_steal_pointer (&remote), "auth.login");
      return;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      if (json_node_get_boolean (node))
        finish_login_success (self, task);
      else if (data->otp != NULL)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the admin user name, password or one-time password."));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the admin user name or password (if the account uses two-factor authentication, enter the one-time password too)."));
      return;
    }
  g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                           _("The TrueNAS answered the login in a way Keyferry does not understand."));
}

void
kf_truenas_client_login_async (KfTruenasClient     *self,
                               const char          *username,
                               const char          *password,
                               const char          *otp,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoginData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_login_async);

  if (username == NULL || *username == '\0')
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                               _("Enter the admin user name of the TrueNAS (for example truenas_admin or root)."));
      return;
    }
  if (strlen (username) > KF_MAX_USERNAME_LEN)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                               _("The admin user name is too long (at most %d characters)."), KF_MAX_USERNAME_LEN);
      return;
    }
  if (password == NULL || *password == '\0')
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                               _("Enter the password of the TrueNAS admin user."));
      return;
    }
  if (!kf_truenas_client_is_connected (self))
    {
      g_task_return_error (task, not_connected_error (self));
      return;
    }

  g_free (self->admin_username);
  self->admin_username = g_strdup (username);
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;

  data = g_new0 (LoginData, 1);
  data->password = g_strdup (password);
  data->otp = clean_otp (otp);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);

  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    {
      send_call (self, "core.set_options", "[{\"private_methods\":true}]", cancellable,
                 on_set_options, g_steal_pointer (&task));
    }
  else
    {
      GString *params = g_string_new ("[");

      append_json_string (params, username);
      g_string_append_c (params, ',');
      append_json_string (params, data->password);
      if (data->otp != NULL)
        {
          g_string_append_c (params, ',');
          append_json_string (params, data->otp);
        }
      g_string_append_c (params, ']');
      kf_secret_free (g_steal_pointer (&data->password));
      send_call (self, "auth.login", params->str, cancellable, on_legacy_login, g_steal_pointer (&task));
      kf_secret_string_free (params);
    }
}

gboolean
kf_truenas_client_login_finish (KfTruenasClient  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kf_truenas_client_login_continue_async (KfTruenasClient     *self,
                                        const char          *otp,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoginData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_login_continue_async);

  if (!kf_truenas_client_is_awaiting_otp (self))
    {
      if (!kf_truenas_client_is_connected (self))
        g_task_return_error (task, not_connected_error (self));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                 _("The TrueNAS is not waiting for a one-time password; log in again."));
      return;
    }

  data = g_new0 (LoginData, 1);
  data->otp = clean_otp (otp);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  if (data->otp == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED,
                               _("Enter the one-time password from the authenticator app."));
      return;
    }
  send_login_continue (g_steal_pointer (&task));
}

gboolean
kf_truenas_client_login_continue_finish (KfTruenasClient  *self,
                                         GAsyncResult     *result,
                                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Any call                                                                  */

static void
on_public_call (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  g_autoptr(RemoteError) remote = NULL;
  GError *error = NULL;
  JsonNode *node = send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    return_call_error (task, error, g_steal_pointer (&remote), g_task_get_task_data (task));
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

void
kf_truenas_client_call_async (KfTruenasClient     *self,
                              const char          *method,
                              JsonNode            *params,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (method != NULL);
  g_return_if_fail (params == NULL || JSON_NODE_HOLDS_ARRAY (params));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_call_async);
  g_task_set_task_data (task, g_strdup (method), g_free);

  text = params != NULL ? json_to_text (params) : g_strdup ("[]");
  send_call (self, method, text, cancellable, on_public_call, g_steal_pointer (&task));
}

JsonNode *
kf_truenas_client_call_finish (KfTruenasClient  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* keychaincredential.ssh_pair                                               */

typedef struct {
  char *username;
  guint port;
  GStrv host_keys;
} PairData;

static void
pair_data_free (PairData *data)
{
  g_free (data->username);
  g_strfreev (data->host_keys);
  g_free (data);
}

/* "any-host type base64 comment" lines separated by blank lines → "type base64 comment". */
static GStrv
parse_host_key_text (const char  *text,
                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) keys = kf_host_key_parse_list (text, &local_error);
  g_autoptr(GStrvBuilder) lines = NULL;

  if (keys == NULL)
    {
      g_set_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                   _("The TrueNAS returned SSH host keys Keyferry cannot read (%s)."), local_error->message);
      return NULL;
    }
  lines = g_strv_builder_new ();
  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (lines, kf_host_key_get_line (g_ptr_array_index (keys, i)));
  return g_strv_builder_end (lines);
}

/* The home directory named in "[ENOENT] Home directory /var/empty does not exist". */
static char *
home_from_reason (const char *reason)
{
  const char *p = strstr (reason, "Home directory ");
  const char *end;

  if (p == NULL)
    return NULL;
  p += strlen ("Home directory ");
  end = strchr (p, ' ');
  return end != NULL ? g_strndup (p, end - p) : NULL;
}

static GError *
pair_error (KfTruenasClient   *self,
            const RemoteError *remote,
            const char        *username)
{
  const char *reason = remote->reason;
  g_autofree char *why = remote_describe (remote);

  if (remote->errnum == 13 || g_strcmp0 (remote->errname, "EACCES") == 0)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NOT_AUTHORIZED,
                        _("Admin user %s is not a full administrator on the TrueNAS, so it may not install SSH keys; log in with a full admin account."),
                        self->admin_username);
  if (strstr (reason, "Home directory") != NULL || g_strcmp0 (remote->errname, "ENOENT") == 0)
    {
      g_autofree char *home = home_from_reason (reason);
      if (home != NULL)
        return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_HOME,
                            _("User %s on the TrueNAS has no home directory (%s does not exist); give the user a home directory in the TrueNAS user settings."),
                            username, home);
      return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_HOME,
                          _("User %s on the TrueNAS has no usable home directory; give the user a home directory in the TrueNAS user settings."),
                          username);
    }
  if (strstr (why, "does not exist") != NULL || strstr (why, "not found") != NULL ||
      g_strcmp0 (remote->errname, "EFAULT") == 0)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER,
                        _("There is no local user %s on the TrueNAS (or its home directory is not writable); create the user there or enter an existing one."),
                        username);
  if (remote_is_validation (remote) && strstr (why, "public_key") != NULL)
    return g_error_new (KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                        _("The TrueNAS refused the public key: %s."), why);
  if (remote_is_validation (remote))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                        _("The TrueNAS refused the pairing request: %s."), why);
  {
    GError *generic = remote_error_generic (remote, "keychaincredential.ssh_pair");
    if (generic->code != KF_TRUENAS_ERROR_REMOTE)
      return generic;
    g_error_free (generic);
  }
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                      _("Semi-automatic setup failed on the TrueNAS: %s."), why);
}

static void
on_ssh_pair (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  PairData *data = g_task_get_task_data (task);
  g_autoptr(RemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);
  JsonObject *object;
  const char *host_key;
  gint64 port;

  if (node == NULL)
    {
      if (remote != NULL)
        g_task_return_error (task, pair_error (self, remote, data->username));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  host_key = member_string (object, "host_key");
  if (!member_int (object, "port", &port) || port < 1 || port > 65535 || host_key == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the pairing without an SSH port and host keys."));
      return;
    }
  data->port = (guint) port;
  data->host_keys = parse_host_key_text (host_key, &error);
  if (data->host_keys == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
kf_truenas_client_ssh_pair_async (KfTruenasClient     *self,
                                  const char          *username,
                                  const char          *public_key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *text = NULL;
  g_autofree char *key = NULL;
  PairData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_ssh_pair_async);

  if (username == NULL || *username == '\0')
    {
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME,
                               _("Enter the user name to log in with over SSH on the TrueNAS."));
      return;
    }
  key = g_strstrip (g_strdup (public_key != NULL ? public_key : ""));
  if (*key == '\0')
    {
      g_task_return_new_error (task, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                               _("The key pair has no public key to install on the TrueNAS."));
      return;
    }
  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC && strlen (key) > KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY)
    {
      g_task_return_new_error (task, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                               _("This public key is %zu characters long, but this TrueNAS accepts at most %d; use an Ed25519, ECDSA or RSA key of up to 4096 bits."),
                               strlen (key), KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY);
      return;
    }
  if (!kf_truenas_client_is_logged_in (self))
    {
      if (!kf_truenas_client_is_connected (self))
        g_task_return_error (task, not_connected_error (self));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                 _("Log in to the TrueNAS before pairing."));
      return;
    }

  data = g_new0 (PairData, 1);
  data->username = g_strdup (username);
  g_task_set_task_data (task, data, (GDestroyNotify) pair_data_free);

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "remote_hostname");
  json_builder_add_string_value (builder, "any-host");
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, username);
  json_builder_set_member_name (builder, "public_key");
  json_builder_add_string_value (builder, key);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  params = json_builder_get_root (builder);
  text = json_to_text (params);

  send_call (self, "keychaincredential.ssh_pair", text, cancellable, on_ssh_pair, g_steal_pointer (&task));
}

gboolean
kf_truenas_client_ssh_pair_finish (KfTruenasClient  *self,
                                   GAsyncResult     *result,
                                   guint            *port,
                                   GStrv            *host_keys,
                                   GError          **error)
{
  PairData *data;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  data = g_task_get_task_data (G_TASK (result));
  if (port != NULL)
    *port = data->port;
  if (host_keys != NULL)
    *host_keys = g_strdupv (data->host_keys);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* user.query + user.update                                                  */

typedef struct {
  char *username;
  gboolean sudo_zfs;
  gboolean changed;
} UpdateData;

static void
update_data_free (UpdateData *data)
{
  g_free (data->username);
  g_free (data);
}

static void
on_user_update (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(RemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    {
      if (remote != NULL)
        {
          g_autofree char *why = remote_describe (remote);
          g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_USER_UPDATE,
                                   _("The key was installed, but the TrueNAS could not update the settings of user %s: %s."),
                                   data->username, why);
        }
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The reply's shape varies by version: only success matters. */
  data->changed = TRUE;
  g_task_return_boolean (task, TRUE);
}

static gboolean
strv_array_contains (JsonArray  *array,
                     const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (item), value))
        return TRUE;
    }
  return FALSE;
}

static void
on_user_query (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  UpdateData *data = g_task_get_task_data (task);
  g_autoptr(RemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = send_call_finish (self, result, &remote, &error);
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *text = NULL;
  GCancellable *cancellable;
  JsonObject *user;
  JsonArray *nopasswd;
  const char *shell;
  gint64 id;
  gboolean set_shell, add_zfs;

  if (node == NULL)
    {
      if (remote != NULL && (g_strcmp0 (remote->errname, "ENOENT") == 0 || strstr (remote->reason, "MatchNotFound") != NULL ||
                             strstr (remote->reason, "not found") != NULL))
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER,
                                 _("There is no local user %s on the TrueNAS; create the user there or enter an existing one."),
                                 data->username);
      else if (remote != NULL)
        g_task_return_error (task, remote_error_generic (remote, "user.query"));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  user = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (user == NULL || !member_int (user, "id", &id))
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the user query in a way Keyferry does not understand."));
      return;
    }

  shell = member_string (user, "shell");
  nopasswd = member_array (user, "sudo_commands_nopasswd");
  set_shell = shell != NULL && g_str_has_suffix (shell, "nologin");
  /* CORE 13 and 22.12.0 have no sudo_commands_nopasswd: nothing to add there. */
  add_zfs = data->sudo_zfs && g_strcmp0 (data->username, "root") != 0 && nopasswd != NULL &&
            !strv_array_contains (nopasswd, "ALL") && !strv_array_contains (nopasswd, ZFS_COMMAND);
  if (data->sudo_zfs && nopasswd == NULL && g_strcmp0 (data->username, "root") != 0)
    g_debug ("user.query has no sudo_commands_nopasswd: passwordless sudo for zfs not set");

  if (!set_shell && !add_zfs)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, id);
  json_builder_begin_object (builder);
  if (set_shell)
    {
      json_builder_set_member_name (builder, "shell");
      json_builder_add_string_value (builder, LOGIN_SHELL);
    }
  if (add_zfs)
    {
      json_builder_set_member_name (builder, "sudo_commands_nopasswd");
      json_builder_begin_array (builder);
      for (guint i = 0; i < json_array_get_length (nopasswd); i++)
        json_builder_add_value (builder, json_node_copy (json_array_get_element (nopasswd, i)));
      json_builder_add_string_value (builder, ZFS_COMMAND);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  params = json_builder_get_root (builder);
  text = json_to_text (params);

  cancellable = g_task_get_cancellable (task);
  send_call (self, "user.update", text, cancellable, on_user_update, g_steal_pointer (&task));
}

void
kf_truenas_client_update_user_async (KfTruenasClient     *self,
                                     const char          *username,
                                     gboolean             sudo_zfs,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) params = NULL;
  g_autofree char *text = NULL;
  UpdateData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (username != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_update_user_async);

  data = g_new0 (UpdateData, 1);
  data->username = g_strdup (username);
  data->sudo_zfs = sudo_zfs;
  g_task_set_task_data (task, data, (GDestroyNotify) update_data_free);

  /* [[["username","=",U],["local","=",true]],{"get":true}] */
  builder = json_builder_new ();
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "username");
  json_builder_add_string_value (builder, "=");
  json_builder_add_string_value (builder, username);
  json_builder_end_array (builder);
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, "local");
  json_builder_add_string_value (builder, "=");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_array (builder);
  json_builder_end_array (builder);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "get");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  params = json_builder_get_root (builder);
  text = json_to_text (params);

  send_call (self, "user.query", text, cancellable, on_user_query, g_steal_pointer (&task));
}

gboolean
kf_truenas_client_update_user_finish (KfTruenasClient  *self,
                                      GAsyncResult     *result,
                                      gboolean         *changed,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (changed != NULL)
    *changed = ((UpdateData *) g_task_get_task_data (G_TASK (result)))->changed;
  return TRUE;
}
