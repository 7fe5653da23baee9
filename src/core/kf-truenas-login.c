/* kf-truenas-login.c: logging in as an admin: auth.login_ex with the
 * password (a one-time password when asked) or an API key (JSON-RPC);
 * auth.login or auth.login_with_api_key (legacy). Every login_ex answer
 * (SUCCESS, OTP_REQUIRED, AUTH_ERR, EXPIRED, DENIED, REDIRECT) and the rate
 * limit on unauthenticated calls get their own message.
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
#include "kf-truenas-url.h"

void
kf_truenas_login_data_free (KfTruenasLoginData *data)
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

/* A buffer for login params holding @a, @b and @c (each may be NULL) as JSON
 * strings, sized so that appending never reallocates: every byte may take
 * six when escaped, and the fixed text fits in 128. */
static GString *
login_params_new (const char *a,
                  const char *b,
                  const char *c)
{
  gsize len = (a != NULL ? strlen (a) : 0) + (b != NULL ? strlen (b) : 0) + (c != NULL ? strlen (c) : 0);

  return kf_secret_string_new (128 + 6 * len);
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

static void
return_expired (KfTruenasClient    *self,
                GTask              *task,
                KfTruenasLoginData *data)
{
  if (data->api_key)
    /* middlewared answers EXPIRED for an expired key and for one it has just
     * revoked because it came over an insecure transport. */
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                             _("The TrueNAS says the API key for admin user %s has expired or was revoked; create a new API key in the TrueNAS web interface, then try again."),
                             self->admin_username);
  else
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                             _("The password of admin user %s has expired on the TrueNAS; change it in the TrueNAS web interface first, then try again."),
                             self->admin_username);
}

/* The https:// URL in @urls (system.general.get_ui_urls: http and https
 * ones, in no order), preferring the address family of the URL in use;
 * normalised, or NULL when there is none. */
static char *
pick_active_url (KfTruenasClient *self,
                 JsonArray       *urls)
{
  gboolean want_ipv6 = strchr (kf_truenas_url_get_host (self->url), ':') != NULL;
  g_autofree char *fallback = NULL;

  for (guint i = 0; urls != NULL && i < json_array_get_length (urls) && i < 64; i++)
    {
      JsonNode *node = json_array_get_element (urls, i);
      g_autoptr(KfTruenasUrl) url = NULL;
      const char *text;

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      text = json_node_get_string (node);
      if (g_ascii_strncasecmp (text, "https://", 8) != 0 || (url = kf_truenas_url_parse (text, NULL)) == NULL)
        continue;
      if ((strchr (kf_truenas_url_get_host (url), ':') != NULL) == want_ipv6)
        return g_strdup (kf_truenas_url_get_base (url));
      if (fallback == NULL)
        fallback = g_strdup (kf_truenas_url_get_base (url));
    }
  return g_steal_pointer (&fallback);
}

/* REDIRECT: this is the standby controller of an HA pair. */
static void
return_standby (KfTruenasClient *self,
                GTask           *task,
                JsonArray       *urls)
{
  g_free (self->active_url);
  self->active_url = pick_active_url (self, urls);
  if (self->active_url != NULL)
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY,
                             _("This TrueNAS is the standby controller of a high-availability pair; use the active controller at %s."),
                             self->active_url);
  else
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY,
                             _("This TrueNAS is the standby controller of a high-availability pair, and it named no https address of the active one; use the https address of the active controller."));
}

/* middlewared answers unauthenticated calls beyond 20 a minute per method
 * and address with CallError('Rate Limit Exceeded', EBUSY) (main.py). */
static gboolean
is_rate_limit (const KfTruenasRemoteError *remote)
{
  return (remote->errnum == 16 || g_strcmp0 (remote->errname, "EBUSY") == 0)
         && remote->reason != NULL && strstr (remote->reason, "Rate Limit Exceeded") != NULL;
}

/* The answer to a login call; on a failure NULL after returning the error on @task. */
static JsonNode *
finish_login_call (KfTruenasClient *self,
                   GAsyncResult    *result,
                   GTask           *task,
                   const char      *method)
{
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node = kf_truenas_client_send_call_finish (self, result, &remote, &error);

  if (node != NULL)
    return node;
  if (remote != NULL && is_rate_limit (remote))
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_RATE_LIMITED,
                             _("The TrueNAS is limiting login attempts from this computer; wait a minute, then try again."));
  else if (remote != NULL)
    g_task_return_error (task, kf_truenas_remote_error_generic (remote, method));
  else
    g_task_return_error (task, g_steal_pointer (&error));
  return NULL;
}

/* auth.login_ex / auth.login_ex_continue answers. */
static void
handle_login_ex_response (GTask    *task,
                          JsonNode *node,
                          gboolean  after_otp)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  KfTruenasLoginData *data = g_task_get_task_data (task);
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  const char *type = kf_truenas_member_string (object, "response_type");

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
      else if (data->api_key)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the API key for admin user %s: it is wrong, revoked, or belongs to another user."),
                                 self->admin_username);
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the admin user name or password."));
    }
  else if (g_str_equal (type, "EXPIRED"))
    return_expired (self, task, data);
  else if (g_str_equal (type, "DENIED"))
    /* The answer carries no reason; middlewared answers DENIED only when
     * the credentials are right but the account lacks API access. */
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                             _("The TrueNAS accepted the credentials of admin user %s but does not let that account use its API (it has no administrator role); log in with a full administrator account, or give %s that role in the TrueNAS web interface."),
                             self->admin_username, self->admin_username);
  else if (g_str_equal (type, "REDIRECT"))
    return_standby (self, task, kf_truenas_member_array (object, "urls"));
  else
    g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                             _("The TrueNAS answered the login with “%s”, which Keyferry does not understand."), type);
}

static void
send_login_continue (GTask *task)
{
  KfTruenasClient *self = g_task_get_source_object (task);
  KfTruenasLoginData *data = g_task_get_task_data (task);
  GString *params = login_params_new (data->otp, NULL, NULL);

  g_string_append (params, "[{\"mechanism\":\"OTP_TOKEN\",\"otp_token\":");
  kf_truenas_json_append_string (params, data->otp);
  g_string_append (params, "}]");
  data->otp_sent = TRUE;
  kf_truenas_client_send_call (self, "auth.login_ex_continue", params->str, g_task_get_cancellable (task),
                               kf_truenas_login_on_login_ex, task);
  kf_secret_string_free (params);
  /* One try per code: a refused one must not be sent again. */
  kf_secret_free (g_steal_pointer (&data->otp));
}

/* The answer to auth.login_ex, or to auth.login_ex_continue once the code was sent. */
void
kf_truenas_login_on_login_ex (GObject      *source,
                              GAsyncResult *result,
                              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasLoginData *data = g_task_get_task_data (task);
  gboolean after_otp = data->otp_sent;
  g_autoptr(JsonNode) node = NULL;

  node = finish_login_call (KF_TRUENAS_CLIENT (source), result, task,
                            after_otp ? "auth.login_ex_continue" : "auth.login_ex");
  if (node != NULL)
    handle_login_ex_response (task, node, after_otp);
}

/* auth.login_ex's login_data: PASSWORD_PLAIN, or API_KEY_PLAIN (25.04+:
 * the key belongs to @username). */
static GString *
login_ex_params_new (KfTruenasClient    *self,
                     KfTruenasLoginData *data)
{
  GString *params = login_params_new (self->admin_username, data->password, NULL);

  g_string_append_printf (params, "[{\"mechanism\":\"%s\",\"username\":",
                          data->api_key ? "API_KEY_PLAIN" : "PASSWORD_PLAIN");
  kf_truenas_json_append_string (params, self->admin_username);
  g_string_append (params, data->api_key ? ",\"api_key\":" : ",\"password\":");
  kf_truenas_json_append_string (params, data->password);
  g_string_append (params, ",\"login_options\":{\"user_info\":false}}]");
  return params;
}

void
kf_truenas_login_on_set_options (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  KfTruenasLoginData *data = g_task_get_task_data (task);
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (self, result, &remote, &error);
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

  params = login_ex_params_new (self, data);
  kf_secret_free (g_steal_pointer (&data->password));

  cancellable = g_task_get_cancellable (task);
  kf_truenas_client_send_call (self, "auth.login_ex", params->str, cancellable, kf_truenas_login_on_login_ex, g_steal_pointer (&task));
  kf_secret_string_free (params);
}

void
kf_truenas_login_on_legacy_login (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  KfTruenasLoginData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) node = finish_login_call (self, result, task, data->api_key ? "auth.login_with_api_key" : "auth.login");

  if (node == NULL)
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      /* false covers every refusal: the legacy protocol says no more. */
      if (json_node_get_boolean (node))
        finish_login_success (self, task);
      else if (data->api_key)
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                 _("The TrueNAS refused the API key: it is wrong, expired or revoked (or this TrueNAS is the standby controller of a high-availability pair)."));
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

/* Legacy: auth.login [U, P(, OTP)] or auth.login_with_api_key [KEY]. */
static void
send_legacy_login (KfTruenasClient *self,
                   GTask           *task)
{
  KfTruenasLoginData *data = g_task_get_task_data (task);
  GString *params = login_params_new (self->admin_username, data->password, data->otp);

  g_string_append_c (params, '[');
  if (!data->api_key)
    {
      kf_truenas_json_append_string (params, self->admin_username);
      g_string_append_c (params, ',');
    }
  kf_truenas_json_append_string (params, data->password);
  if (data->otp != NULL && !data->api_key)
    {
      g_string_append_c (params, ',');
      kf_truenas_json_append_string (params, data->otp);
    }
  g_string_append_c (params, ']');
  kf_secret_free (g_steal_pointer (&data->password));
  kf_truenas_client_send_call (self, data->api_key ? "auth.login_with_api_key" : "auth.login", params->str,
                               g_task_get_cancellable (task), kf_truenas_login_on_legacy_login, task);
  kf_secret_string_free (params);
}

/* Checks what both ways of logging in share; FALSE with the error returned on @task. */
static gboolean
check_login (KfTruenasClient *self,
             GTask           *task,
             const char      *username,
             const char      *secret,
             gboolean         api_key)
{
  GError *error = NULL;

  if (username == NULL || *username == '\0')
    {
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_USERNAME,
                               _("Enter the admin user name of the TrueNAS (for example truenas_admin or root)."));
      return FALSE;
    }
  if (strlen (username) > KF_MAX_USERNAME_LEN)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT,
                               _("The admin user name is too long (at most %d characters)."), KF_MAX_USERNAME_LEN);
      return FALSE;
    }
  if (secret == NULL || *secret == '\0')
    {
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD, "%s",
                               api_key ? _("Enter the API key of the TrueNAS admin user.")
                                       : _("Enter the password of the TrueNAS admin user."));
      return FALSE;
    }
  if (!kf_truenas_client_is_connected (self))
    {
      g_task_return_error (task, kf_truenas_client_not_connected_error (self));
      return FALSE;
    }
  /* Also after a redirect: the connection in use, not the URL typed. */
  if (api_key && !kf_truenas_url_allows_api_key (g_str_has_prefix (self->base, "https://"), &error))
    {
      g_task_return_error (task, error);
      return FALSE;
    }
  return TRUE;
}

static void
start_login (KfTruenasClient     *self,
             const char          *username,
             const char          *secret,
             gboolean             api_key,
             const char          *otp,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  KfTruenasLoginData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_login_async);
  if (!check_login (self, task, username, secret, api_key))
    return;

  g_free (self->admin_username);
  self->admin_username = g_strdup (username);
  g_clear_pointer (&self->active_url, g_free);
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;

  data = g_new0 (KfTruenasLoginData, 1);
  data->password = kf_secret_dup (secret);
  data->api_key = api_key;
  data->otp = api_key ? NULL : clean_otp (otp);
  g_task_set_task_data (task, data, (GDestroyNotify) kf_truenas_login_data_free);

  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    kf_truenas_client_send_call (self, "core.set_options", "[{\"private_methods\":true}]", cancellable,
                                 kf_truenas_login_on_set_options, g_steal_pointer (&task));
  else
    send_legacy_login (self, g_steal_pointer (&task));
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
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  start_login (self, username, password, FALSE, otp, cancellable, callback, user_data);
}

void
kf_truenas_client_login_api_key_async (KfTruenasClient     *self,
                                       const char          *username,
                                       const char          *api_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  start_login (self, username, api_key, TRUE, NULL, cancellable, callback, user_data);
}

const char *
kf_truenas_client_get_active_url (KfTruenasClient *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);
  return self->active_url;
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
  KfTruenasLoginData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_login_continue_async);

  if (!kf_truenas_client_is_awaiting_otp (self))
    {
      if (!kf_truenas_client_is_connected (self))
        g_task_return_error (task, kf_truenas_client_not_connected_error (self));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                 _("The TrueNAS is not waiting for a one-time password; log in again."));
      return;
    }

  data = g_new0 (KfTruenasLoginData, 1);
  data->otp = clean_otp (otp);
  g_task_set_task_data (task, data, (GDestroyNotify) kf_truenas_login_data_free);
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
