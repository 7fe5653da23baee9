/* kf-truenas-methods.c: any call, keychaincredential.ssh_pair, and
 * user.query + user.update.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-truenas-client-private.h"
#include "kf-truenas-remote-user.h"


/* Sends the JSON array @builder holds as the params of @method. */
static void
send_built_call (KfTruenasClient     *self,
                 const char          *method,
                 JsonBuilder         *builder,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 GTask               *task)
{
  g_autoptr(JsonNode) params = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (params, FALSE);

  kf_truenas_client_send_call (self, method, text, cancellable, callback, task);
}

/* ------------------------------------------------------------------------- */
/* Any call                                                                  */

void
kf_truenas_methods_on_public_call (GObject      *source,
                                   GAsyncResult *result,
                                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  JsonNode *node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task,
                                                       g_task_get_task_data (task));

  if (node != NULL)
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

  text = params != NULL ? json_to_string (params, FALSE) : g_strdup ("[]");
  kf_truenas_client_send_call (self, method, text, cancellable, kf_truenas_methods_on_public_call, g_steal_pointer (&task));
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

void
kf_truenas_pair_data_free (KfTruenasPairData *data)
{
  g_free (data->username);
  g_strfreev (data->host_keys);
  g_free (data);
}

/* "any-host type base64 comment" lines separated by blank lines → "type base64 comment". */
GStrv
kf_truenas_methods_parse_host_keys (const char  *text,
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
pair_error (KfTruenasClient            *self,
            const KfTruenasRemoteError *remote,
            const char                 *username)
{
  const char *reason = remote->reason;
  g_autofree char *why = kf_truenas_remote_describe (remote);

  /* First: a legacy ENOMETHOD's reason says "not found" too. */
  if (kf_truenas_remote_is_missing_method (remote))
    return kf_truenas_remote_error_for_version (remote, "keychaincredential.ssh_pair", self->api_version);
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
  if (kf_truenas_remote_is_validation (remote) && strstr (why, "public_key") != NULL)
    return g_error_new (KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                        _("The TrueNAS refused the public key: %s."), why);
  if (kf_truenas_remote_is_validation (remote))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                        _("The TrueNAS refused the pairing request: %s."), why);
  {
    GError *generic = kf_truenas_remote_error_generic (remote, "keychaincredential.ssh_pair");
    if (generic->code != KF_TRUENAS_ERROR_REMOTE)
      return generic;
    g_error_free (generic);
  }
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                      _("Semi-automatic setup failed on the TrueNAS: %s."), why);
}

void
kf_truenas_methods_on_ssh_pair (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  KfTruenasPairData *data = g_task_get_task_data (task);
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (self, result, &remote, &error);
  JsonObject *object;
  const char *host_key;
  gint64 port;

  if (node == NULL)
    {
      if (remote != NULL && remote->code == -32601 && self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
        {
          /* Missing, or closed to outside connections (a private method):
           * KF_TRUENAS_ERROR_NO_METHOD lets the caller take the public route. */
          g_task_return_error (task, kf_truenas_remote_error_for_version (remote, "keychaincredential.ssh_pair",
                                                                          self->api_version));
        }
      else if (remote != NULL)
        g_task_return_error (task, pair_error (self, remote, data->username));
      else
        g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  host_key = kf_truenas_member_string (object, "host_key");
  if (!kf_truenas_member_int (object, "port", &port) || port < 1 || port > 65535 || host_key == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the pairing without an SSH port and host keys."));
      return;
    }
  data->port = (guint) port;
  data->host_keys = kf_truenas_methods_parse_host_keys (host_key, &error);
  if (data->host_keys == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* "type base64" of an OpenSSH public key line, or NULL. */
static char *
key_without_comment (const char *key)
{
  g_auto(GStrv) fields = g_strsplit_set (key, " \t", 3);

  if (g_strv_length (fields) < 2 || *fields[0] == '\0' || *fields[1] == '\0')
    return NULL;
  return g_strdup_printf ("%s %s", fields[0], fields[1]);
}

gboolean
kf_truenas_client_fits_public_key (KfTruenasClient  *self,
                                   const char       *public_key,
                                   GError          **error)
{
  g_autofree char *bare = NULL;

  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);

  if (self->protocol != KF_TRUENAS_PROTOCOL_JSONRPC || strlen (public_key) <= KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY)
    return TRUE;
  bare = key_without_comment (public_key);
  if (bare != NULL && strlen (bare) <= KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY)
    g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                 _("This public key is %zu characters long with its comment, but this TrueNAS accepts at most %d; send it without the comment."),
                 strlen (public_key), KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY);
  else
    g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                 _("This public key is %zu characters long even without its comment, but this TrueNAS accepts at most %d: the key itself is too big (as RSA keys of more than 4096 bits are); use an Ed25519 or ECDSA key, or an RSA key of at most 4096 bits."),
                 bare != NULL ? strlen (bare) : strlen (public_key), KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY);
  return FALSE;
}

char *
kf_truenas_client_public_key_to_send (KfTruenasClient  *self,
                                      const char       *public_key,
                                      gboolean         *comment_dropped,
                                      GError          **error)
{
  g_autofree char *key = NULL;
  g_autofree char *bare = NULL;

  g_return_val_if_fail (KF_IS_TRUENAS_CLIENT (self), NULL);

  *comment_dropped = FALSE;
  key = g_strstrip (g_strdup (public_key != NULL ? public_key : ""));
  if (self->protocol != KF_TRUENAS_PROTOCOL_JSONRPC || strlen (key) <= KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY)
    return g_steal_pointer (&key);
  /* The comment is only a label: authorized_keys works without it. */
  bare = key_without_comment (key);
  if (bare == NULL || strlen (bare) > KF_TRUENAS_MAX_JSONRPC_PUBLIC_KEY)
    {
      kf_truenas_client_fits_public_key (self, key, error);
      return NULL;
    }
  *comment_dropped = !g_str_equal (bare, key);
  return g_steal_pointer (&bare);
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
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  KfTruenasPairData *data;

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
  if (!kf_truenas_client_fits_public_key (self, key, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!kf_truenas_client_is_logged_in (self))
    {
      if (!kf_truenas_client_is_connected (self))
        g_task_return_error (task, kf_truenas_client_not_connected_error (self));
      else
        g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                                 _("Log in to the TrueNAS before pairing."));
      return;
    }

  data = g_new0 (KfTruenasPairData, 1);
  data->username = g_strdup (username);
  g_task_set_task_data (task, data, (GDestroyNotify) kf_truenas_pair_data_free);

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
  send_built_call (self, "keychaincredential.ssh_pair", builder, cancellable,
                   kf_truenas_methods_on_ssh_pair, g_steal_pointer (&task));
}

gboolean
kf_truenas_client_ssh_pair_finish (KfTruenasClient  *self,
                                   GAsyncResult     *result,
                                   guint            *port,
                                   GStrv            *host_keys,
                                   GError          **error)
{
  KfTruenasPairData *data;

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

void
kf_truenas_update_data_free (KfTruenasUpdateData *data)
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
  KfTruenasUpdateData *data = g_task_get_task_data (task);
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (self, result, &remote, &error);

  if (node == NULL)
    {
      if (remote != NULL)
        {
          g_autofree char *why = kf_truenas_remote_describe (remote);
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

/* user.update [ID, CHANGES]; its reply ends @task. */
static void
send_user_update (GTask                     *task,
                  const KfTruenasRemoteUser *user,
                  gboolean                   set_shell,
                  gboolean                   add_zfs)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  JsonObject *changes = kf_truenas_remote_user_changes_new (user, set_shell ? KF_TRUENAS_LOGIN_SHELL : NULL, add_zfs);
  JsonNode *object = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (object, changes);
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, user->id);
  json_builder_add_value (builder, object);
  json_builder_end_array (builder);
  send_built_call (g_task_get_source_object (task), "user.update", builder, g_task_get_cancellable (task),
                   on_user_update, task);
}

GError *
kf_truenas_methods_user_query_error (const KfTruenasRemoteError *remote,
                                     GError                     *error,
                                     const char                 *username,
                                     const char                 *api_version)
{
  if (remote == NULL)
    return error;
  g_clear_error (&error);
  /* A missing method first: a legacy ENOMETHOD's reason says "not found" too. */
  if (kf_truenas_remote_is_missing_method (remote))
    return kf_truenas_remote_error_for_version (remote, "user.query", api_version);
  if (g_strcmp0 (remote->errname, "ENOENT") == 0 || strstr (remote->reason, "MatchNotFound") != NULL ||
      strstr (remote->reason, "not found") != NULL)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER,
                        _("There is no local user %s on the TrueNAS; create the user there or enter an existing one."),
                        username);
  return kf_truenas_remote_error_generic (remote, "user.query");
}

void
kf_truenas_methods_on_user_query (GObject      *source,
                                  GAsyncResult *result,
                                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  KfTruenasUpdateData *data = g_task_get_task_data (task);
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (self, result, &remote, &error);
  g_autoptr(KfTruenasRemoteUser) user = NULL;
  gboolean set_shell, add_zfs;

  if (node == NULL)
    {
      g_task_return_error (task, kf_truenas_methods_user_query_error (remote, g_steal_pointer (&error), data->username,
                                                                      self->api_version));
      return;
    }

  user = JSON_NODE_HOLDS_OBJECT (node) ? kf_truenas_remote_user_parse (json_node_get_object (node)) : NULL;
  if (user == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the user query in a way Keyferry does not understand."));
      return;
    }

  set_shell = kf_truenas_remote_user_shell_is_nologin (user);
  /* CORE 13 and 22.12.0 have no sudo_commands_nopasswd: nothing to add there. */
  add_zfs = data->sudo_zfs && kf_truenas_remote_user_needs_zfs (user);
  if (data->sudo_zfs && user->sudo_nopasswd == NULL && g_strcmp0 (data->username, "root") != 0)
    g_debug ("user.query has no sudo_commands_nopasswd: passwordless sudo for zfs not set");

  if (!set_shell && !add_zfs)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  send_user_update (g_steal_pointer (&task), user, set_shell, add_zfs);
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
  KfTruenasUpdateData *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (username != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_update_user_async);

  data = g_new0 (KfTruenasUpdateData, 1);
  data->username = g_strdup (username);
  data->sudo_zfs = sudo_zfs;
  g_task_set_task_data (task, data, (GDestroyNotify) kf_truenas_update_data_free);

  kf_truenas_methods_send_user_query (self, username, cancellable, kf_truenas_methods_on_user_query,
                                      g_steal_pointer (&task));
}

void
kf_truenas_methods_send_user_query (KfTruenasClient     *self,
                                    const char          *username,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    GTask               *task)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  /* [[["username","=",U],["local","=",true]],{"get":true}] */
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
  send_built_call (self, "user.query", builder, cancellable, callback, task);
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
    *changed = ((KfTruenasUpdateData *) g_task_get_task_data (G_TASK (result)))->changed;
  return TRUE;
}

