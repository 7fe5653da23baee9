/* kf-truenas-transport.c: connecting to a TrueNAS: the /api/versions probe,
 * redirects, TLS verification and pinning, the WebSocket and its signals.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-truenas-client-private.h"

#define MAX_REDIRECTS         5

/* ------------------------------------------------------------------------- */
/* The WebSocket's signals                                                   */

void
kf_truenas_client_on_ws_message (SoupWebsocketConnection *ws,
                                 int                      type,
                                 GBytes                  *message,
                                 KfTruenasClient         *self)
{
  g_autoptr(KfTruenasClient) hold = g_object_ref (self);
  g_auto(KfTruenasFrame) frame = { 0, };
  gsize size;
  const char *data;

  data = g_bytes_get_data (message, &size);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      kf_truenas_client_fail_call_protocol (self, _("The TrueNAS sent binary data where a JSON answer was expected."));
      return;
    }
  kf_truenas_protocol_decode (self->protocol, data, size, &frame);
  kf_truenas_client_handle_frame (self, &frame);
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

  kf_truenas_client_teardown_ws (self, FALSE);
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;
  if (self->broken_reason == NULL)
    self->broken_reason = g_strdup (_("the TrueNAS closed the connection"));
  self->broken = TRUE;
  if (self->call != NULL)
    kf_truenas_client_complete_call (self, NULL, NULL, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL, message));
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
  GError *plain_error;         /* http:// failed: kept while https is tried on that port */
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
  g_clear_error (&data->plain_error);
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
  const char *host_port = sep != NULL ? sep + 3 : base;
  g_auto(GStrv) parts = NULL;

  /* A zone id as people write it: "fe80::1%eth0", not the URL's "%25eth0". */
  if (strstr (host_port, "%25") == NULL)
    return g_strdup (host_port);
  parts = g_strsplit (host_port, "%25", 2);
  return g_strjoinv ("%", parts);
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
                        self->peer_certificate != NULL ? kf_truenas_certificate_get_fingerprint_display (self->peer_certificate) : _("unknown"));
  /* The fingerprint in the colon form the certificate dialog, the TrueNAS
   * web interface and openssl show (issue 11, defect 5). */
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE,
                      _("The certificate of the TrueNAS at %s is not trusted (it is probably self-signed); "
                      "check that its fingerprint %s matches the one shown on the TrueNAS before trusting it."),
                      where,
                      self->peer_certificate != NULL ? kf_truenas_certificate_get_fingerprint_display (self->peer_certificate) : _("unknown"));
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
new_message_at (KfTruenasClient *self,
                const char      *base,
                const char      *path)
{
  g_autofree char *uri = g_strconcat (base, path, NULL);
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

static SoupMessage *
new_message (KfTruenasClient *self,
             const char      *path)
{
  return new_message_at (self, self->base, path);
}

static void probe_versions (GTask *task);
static void open_websocket (GTask *task);

static void
connect_fail (GTask  *task,
              GError *error)
{
  g_task_return_error (task, error);
}

/* The connect task's next request, to @path on the current base. On a
 * failure the task is ended and released: FALSE. */
static gboolean
start_message (GTask      *task,
               const char *path)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);

  g_clear_object (&data->msg);
  data->msg = new_message (self, path);
  if (data->msg != NULL)
    return TRUE;
  connect_fail (task, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL,
                                           _("The TrueNAS URL cannot be used; type it again.")));
  g_object_unref (task);
  return FALSE;
}

/* An http:// URL whose port speaks TLS: libsoup sees the connection end
 * ("Connection terminated unexpectedly"), or nginx answers 400 ("The plain
 * HTTP request was sent to HTTPS port"). */
static gboolean
may_be_tls_port (KfTruenasClient *self,
                 ConnectData     *data,
                 const GError    *cause,
                 guint            status)
{
  if (!g_str_has_prefix (self->base, "http://") || data->timed_out || g_cancellable_is_cancelled (data->cancellable))
    return FALSE;
  return status == SOUP_STATUS_BAD_REQUEST ||
         g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT) ||
         g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
         g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
}

static void
on_tls_probe (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *where = host_for_messages (self);

  /* Any TLS handshake (an HTTP answer, or a certificate we did not trust yet) proves it. */
  if (body != NULL || self->certificate_rejected || (error != NULL && error->domain == G_TLS_ERROR))
    {
      /* The URL outside the translatable text (gettext warns about URLs in it). */
      g_autofree char *url = g_strconcat ("https://", where, NULL);

      /* Translators: a host:port, then the https:// URL to type instead. */
      connect_fail (task, g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL,
                                       _("The TrueNAS speaks HTTPS on %s, not plain http; type %s."), where, url));
    }
  else
    connect_fail (task, g_steal_pointer (&data->plain_error));
}

/* Fails the connect task (taken) with @error (taken), unless @cause (what
 * libsoup said, or NULL) or the HTTP @status hint that the port speaks TLS:
 * then asks it over https first, to say so instead. */
static void
fail_or_probe_tls (GTask        *task,
                   GError       *error,
                   const GError *cause,
                   guint         status)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  ConnectData *data = g_task_get_task_data (task);
  g_autofree char *https_base = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (!may_be_tls_port (self, data, cause, status))
    {
      connect_fail (task, error);
      g_object_unref (task);
      return;
    }
  g_clear_error (&data->plain_error);
  data->plain_error = error;
  https_base = g_strconcat ("https://", self->base + strlen ("http://"), NULL);
  msg = new_message_at (self, https_base, "/api/versions");
  soup_message_add_flags (msg, SOUP_MESSAGE_NEW_CONNECTION);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, data->cancellable, on_tls_probe, task);
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
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (self, result, NULL, &error);

  if (node == NULL)
    {
      kf_truenas_client_teardown_ws (self, TRUE);
      if (data->timed_out)
        connect_fail (task, transport_error (self, data, error));
      else
        connect_fail (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* A forced protocol the box does not serve (its endpoint answered 404). */
static GError *
protocol_missing_error (KfTruenasClient *self)
{
  g_autofree char *where = host_for_messages (self);

  if (self->wanted_protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                        _("The TrueNAS at %s does not offer the JSON-RPC API (TrueNAS 25.04 and later have it); use the legacy protocol (--protocol legacy) or let Keyferry choose (--protocol auto)."),
                        where);
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                      _("The TrueNAS at %s does not offer the legacy WebSocket API; use JSON-RPC (--protocol jsonrpc) or let Keyferry choose (--protocol auto)."),
                      where);
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
          else if (status == SOUP_STATUS_NOT_FOUND && self->wanted_protocol != KF_TRUENAS_PROTOCOL_AUTO)
            connect_fail (task, protocol_missing_error (self));
          else
            fail_or_probe_tls (g_steal_pointer (&task),
                               g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE,
                                            _("The server at %s does not offer the TrueNAS API (HTTP %u); check that the URL points to a TrueNAS."),
                                            where, status),
                               NULL, status);
          return;
        }
      fail_or_probe_tls (g_steal_pointer (&task), transport_error (self, data, error), error, 0);
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
  g_signal_connect (ws, "message", G_CALLBACK (kf_truenas_client_on_ws_message), self);
  g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
  g_signal_connect (ws, "error", G_CALLBACK (on_ws_error), self);

  if (self->protocol == KF_TRUENAS_PROTOCOL_LEGACY)
    {
      kf_truenas_client_send_call (self, NULL, "", data->cancellable, on_handshake_done, g_steal_pointer (&task));
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

  if (!start_message (task, path))
    return;
  /* A fresh connection: the certificate check must run (a kept-alive one skips it). */
  soup_message_add_flags (data->msg, SOUP_MESSAGE_NEW_CONNECTION);
  soup_session_websocket_connect_async (self->session, data->msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        data->cancellable, on_websocket_connected, task);
}

/* /api/versions answers a JSON array of strings on JSON-RPC boxes; the
 * last (newest) is kept for messages. */
static gboolean
is_versions_reply (KfTruenasClient *self,
                   GBytes          *body)
{
  gsize size;
  const char *data = g_bytes_get_data (body, &size);
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  if (size > 64 * 1024 || (root = kf_truenas_parse_json_root (data, size, JSON_NODE_ARRAY)) == NULL)
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
  g_free (self->api_version);
  self->api_version = g_strdup (json_array_get_string_element (array, json_array_get_length (array) - 1));
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
      fail_or_probe_tls (g_steal_pointer (&task), transport_error (self, data, error), error, 0);
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

  if (soup_message_get_status (msg) == SOUP_STATUS_OK && is_versions_reply (self, body))
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

  if (!start_message (task, "/api/versions"))
    return;
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
  /* Connecting is the first part of the conversation's one deadline. */
  self->connect_started_us = g_get_monotonic_time ();
  self->budget_used_us = 0;
  data->timer = g_timeout_source_new ((guint) self->connect_timeout_s * 1000);
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
  /* What connecting took counts against the whole conversation's deadline. */
  if (self->connect_started_us != 0)
    self->budget_used_us = g_get_monotonic_time () - self->connect_started_us;
  return g_task_propagate_boolean (G_TASK (result), error);
}
