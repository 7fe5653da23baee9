/* kf-truenas-login.c: logging in as an admin: auth.login_ex with a
 * one-time password when asked (JSON-RPC), auth.login (legacy).
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
      JsonArray *urls = kf_truenas_member_array (object, "urls");
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

  node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task,
                                             after_otp ? "auth.login_ex_continue" : "auth.login_ex");
  if (node != NULL)
    handle_login_ex_response (task, node, after_otp);
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

  params = login_params_new (self->admin_username, data->password, NULL);
  g_string_append (params, "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":");
  kf_truenas_json_append_string (params, self->admin_username);
  g_string_append (params, ",\"password\":");
  kf_truenas_json_append_string (params, data->password);
  g_string_append (params, ",\"login_options\":{\"user_info\":false}}]");
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
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (self, result, task, "auth.login");

  if (node == NULL)
    return;
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
  KfTruenasLoginData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_login_async);

  if (username == NULL || *username == '\0')
    {
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_USERNAME,
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
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD,
                               _("Enter the password of the TrueNAS admin user."));
      return;
    }
  if (!kf_truenas_client_is_connected (self))
    {
      g_task_return_error (task, kf_truenas_client_not_connected_error (self));
      return;
    }

  g_free (self->admin_username);
  self->admin_username = g_strdup (username);
  self->logged_in = FALSE;
  self->awaiting_otp = FALSE;

  data = g_new0 (KfTruenasLoginData, 1);
  data->password = g_strdup (password);
  data->otp = clean_otp (otp);
  g_task_set_task_data (task, data, (GDestroyNotify) kf_truenas_login_data_free);

  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    {
      kf_truenas_client_send_call (self, "core.set_options", "[{\"private_methods\":true}]", cancellable,
                 kf_truenas_login_on_set_options, g_steal_pointer (&task));
    }
  else
    {
      GString *params = login_params_new (username, data->password, data->otp);

      g_string_append_c (params, '[');
      kf_truenas_json_append_string (params, username);
      g_string_append_c (params, ',');
      kf_truenas_json_append_string (params, data->password);
      if (data->otp != NULL)
        {
          g_string_append_c (params, ',');
          kf_truenas_json_append_string (params, data->otp);
        }
      g_string_append_c (params, ']');
      kf_secret_free (g_steal_pointer (&data->password));
      kf_truenas_client_send_call (self, "auth.login", params->str, cancellable, kf_truenas_login_on_legacy_login, g_steal_pointer (&task));
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
