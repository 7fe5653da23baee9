/* kf-truenas-public-methods.c: user.query / user.update with sshpubkey,
 * ssh.config, service.query / service.update / service.control + core.get_jobs.
 *
 * Shapes read from the middleware source: ssh.config's host_*_key_pub are
 * base64 of the .pub file text (plugins/keychain/ssh_pair.py decodes them the
 * same way); service.control is a job, answered with the job id while the
 * connection has legacy_jobs (the default), and its result is FALSE rather
 * than an error when the service did not start (ServiceOptions.silent).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-truenas-client-private.h"
#include "kf-truenas-public-methods.h"

/* Between two core.get_jobs polls of the service.control job. */
#define JOB_POLL_MS 200

static void
send_json (KfTruenasClient     *self,
           const char          *method,
           JsonNode            *params,
           GAsyncReadyCallback  callback,
           GTask               *task)
{
  g_autofree char *text = json_to_string (params, FALSE);

  kf_truenas_client_send_call (self, method, text, g_task_get_cancellable (task), callback, task);
}

/* ---- user.query ---- */

static void
on_user_queried (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  GError *error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (KF_TRUENAS_CLIENT (source), result, &remote, &error);
  KfTruenasRemoteUser *user;

  if (node == NULL)
    {
      g_task_return_error (task, kf_truenas_methods_user_query_error (remote, error, g_task_get_task_data (task),
                                                                      KF_TRUENAS_CLIENT (source)->api_version));
      return;
    }
  user = JSON_NODE_HOLDS_OBJECT (node) ? kf_truenas_remote_user_parse (json_node_get_object (node)) : NULL;
  if (user == NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the user query in a way Keyferry does not understand."));
      return;
    }
  g_task_return_pointer (task, user, (GDestroyNotify) kf_truenas_remote_user_free);
}

void
kf_truenas_client_query_user_async (KfTruenasClient     *self,
                                    const char          *username,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (username != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_query_user_async);
  g_task_set_task_data (task, g_strdup (username), g_free);
  kf_truenas_methods_send_user_query (self, username, cancellable, on_user_queried, task);
}

KfTruenasRemoteUser *
kf_truenas_client_query_user_finish (KfTruenasClient  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- user.update ---- */

static void
on_user_changed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(KfTruenasRemoteError) remote = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = kf_truenas_client_send_call_finish (KF_TRUENAS_CLIENT (source), result, &remote, &error);

  if (node != NULL)
    g_task_return_boolean (task, TRUE);  /* the reply's shape varies by version */
  else if (remote != NULL)
    {
      g_autofree char *why = kf_truenas_remote_describe (remote);
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_USER_UPDATE,
                               _("The TrueNAS could not update the settings of user %s: %s."),
                               (const char *) g_task_get_task_data (task), why);
    }
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

void
kf_truenas_client_change_user_async (KfTruenasClient           *self,
                                     const KfTruenasRemoteUser *user,
                                     JsonObject                *changes,
                                     GCancellable              *cancellable,
                                     GAsyncReadyCallback        callback,
                                     gpointer                   user_data)
{
  GTask *task;
  g_autoptr(JsonArray) params = json_array_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (user != NULL && changes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_change_user_async);
  g_task_set_task_data (task, g_strdup (user->username), g_free);
  json_array_add_int_element (params, user->id);
  json_array_add_object_element (params, json_object_ref (changes));
  json_node_set_array (node, params);
  send_json (self, "user.update", node, on_user_changed, task);
}

gboolean
kf_truenas_client_change_user_finish (KfTruenasClient  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- ssh.config ---- */

typedef struct {
  guint port;
  GStrv host_keys;
} SshConfig;

static void
ssh_config_free (SshConfig *config)
{
  g_strfreev (config->host_keys);
  g_free (config);
}

/* host_rsa_key_pub, host_ecdsa_key_pub, host_ed25519_key_pub: base64 of
 * "type base64 comment\n"; one missing is an error, as in ssh_pair. */
static GStrv
ssh_config_host_keys (JsonObject  *object,
                      GError     **error)
{
  static const char *const fields[] = { "host_rsa_key_pub", "host_ecdsa_key_pub", "host_ed25519_key_pub" };
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      const char *encoded = kf_truenas_member_string (object, fields[i]);
      g_autofree guchar *decoded = NULL;
      gsize length = 0;

      if (encoded != NULL && *encoded != '\0')
        decoded = g_base64_decode (encoded, &length);
      if (decoded == NULL || length == 0 || memchr (decoded, '\0', length) != NULL)
        {
          g_set_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                       _("The TrueNAS reported no usable SSH host key in “%s”; open the SSH service settings in the TrueNAS web UI once so that it creates its host keys."),
                       fields[i]);
          return NULL;
        }
      g_string_append_len (text, (const char *) decoded, length);
      g_string_append_c (text, '\n');
    }
  return kf_truenas_methods_parse_host_keys (text->str, error);
}

static void
on_ssh_config (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task, "ssh.config");
  JsonObject *object;
  SshConfig *config;
  GError *error = NULL;
  gint64 port;

  if (node == NULL)
    return;
  object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (!kf_truenas_member_int (object, "tcpport", &port) || port < 1 || port > 65535)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered ssh.config without an SSH port."));
      return;
    }
  config = g_new0 (SshConfig, 1);
  config->port = (guint) port;
  config->host_keys = ssh_config_host_keys (object, &error);
  if (config->host_keys == NULL)
    {
      ssh_config_free (config);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, config, (GDestroyNotify) ssh_config_free);
}

void
kf_truenas_client_ssh_config_async (KfTruenasClient     *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_ssh_config_async);
  kf_truenas_client_send_call (self, "ssh.config", "[]", cancellable, on_ssh_config, task);
}

gboolean
kf_truenas_client_ssh_config_finish (KfTruenasClient  *self,
                                     GAsyncResult     *result,
                                     guint            *port,
                                     GStrv            *host_keys,
                                     GError          **error)
{
  SshConfig *config;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  config = g_task_propagate_pointer (G_TASK (result), error);
  if (config == NULL)
    return FALSE;
  if (port != NULL)
    *port = config->port;
  if (host_keys != NULL)
    *host_keys = g_steal_pointer (&config->host_keys);
  ssh_config_free (config);
  return TRUE;
}

/* ---- service.query ---- */

static void
on_ssh_service (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task, "service.query");
  JsonArray *list;
  JsonObject *entry = NULL;
  JsonNode *enable;
  const char *state;
  guint flags;

  if (node == NULL)
    return;
  list = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (list != NULL && json_array_get_length (list) == 1 && JSON_NODE_HOLDS_OBJECT (json_array_get_element (list, 0)))
    entry = json_array_get_object_element (list, 0);
  state = kf_truenas_member_string (entry, "state");
  enable = entry != NULL ? json_object_get_member (entry, "enable") : NULL;
  if (state == NULL || enable == NULL || !JSON_NODE_HOLDS_VALUE (enable) ||
      json_node_get_value_type (enable) != G_TYPE_BOOLEAN)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered the query for its SSH service in a way Keyferry does not understand."));
      return;
    }
  flags = (json_node_get_boolean (enable) ? 1 : 0) | (g_str_equal (state, "RUNNING") ? 2 : 0);
  g_task_return_int (task, flags);
}

void
kf_truenas_client_ssh_service_async (KfTruenasClient     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_ssh_service_async);
  kf_truenas_client_send_call (self, "service.query", "[[[\"service\",\"=\",\"ssh\"]]]", cancellable,
                               on_ssh_service, task);
}

gboolean
kf_truenas_client_ssh_service_finish (KfTruenasClient  *self,
                                      GAsyncResult     *result,
                                      gboolean         *enabled,
                                      gboolean         *running,
                                      GError          **error)
{
  GError *local_error = NULL;
  gssize flags;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  flags = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (enabled != NULL)
    *enabled = (flags & 1) != 0;
  if (running != NULL)
    *running = (flags & 2) != 0;
  return TRUE;
}

/* ---- service.update + service.control + core.get_jobs ---- */

typedef struct {
  char *verb;        /* "START", "STOP" or NULL */
  gint64 job_id;
  GSource *poll;
} StartSsh;

static void
start_ssh_free (StartSsh *data)
{
  g_free (data->verb);
  if (data->poll != NULL)
    {
      g_source_destroy (data->poll);
      g_source_unref (data->poll);
    }
  g_free (data);
}

static void send_control (GTask *task);
static void poll_job     (GTask *task);

static GError *
not_started_error (GTask      *task,
                   const char *why)
{
  StartSsh *data = g_task_get_task_data (task);
  gboolean stop = g_strcmp0 (data->verb, "STOP") == 0;

  if (why != NULL)
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                        stop ? _("The TrueNAS could not stop its SSH service: %s.")
                             : _("The TrueNAS could not start its SSH service: %s."), why);
  return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                              stop ? _("The TrueNAS could not stop its SSH service; look at the SSH service in the TrueNAS web UI.")
                                   : _("The TrueNAS could not start its SSH service; look at the SSH service in the TrueNAS web UI."));
}

/* A job that ended: SUCCESS with result true (START: it runs; STOP: it
 * stopped), or why not. TRUE when it ended. */
static gboolean
job_ended (GTask      *task,
           JsonObject *job)
{
  const char *state = kf_truenas_member_string (job, "state");
  JsonNode *outcome = job != NULL ? json_object_get_member (job, "result") : NULL;

  if (g_strcmp0 (state, "SUCCESS") == 0)
    {
      if (outcome != NULL && JSON_NODE_HOLDS_VALUE (outcome) &&
          json_node_get_value_type (outcome) == G_TYPE_BOOLEAN && !json_node_get_boolean (outcome))
        g_task_return_error (task, not_started_error (task, NULL));
      else
        g_task_return_boolean (task, TRUE);
      return TRUE;
    }
  if (g_strcmp0 (state, "FAILED") == 0 || g_strcmp0 (state, "ABORTED") == 0)
    {
      g_task_return_error (task, not_started_error (task, kf_truenas_member_string (job, "error")));
      return TRUE;
    }
  return FALSE;
}

static void
on_job_polled (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task, "core.get_jobs");
  JsonArray *jobs;

  if (node == NULL)
    return;
  jobs = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (jobs == NULL || json_array_get_length (jobs) != 1 || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (jobs, 0)))
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS lost track of the job that starts its SSH service."));
      return;
    }
  if (!job_ended (task, json_array_get_object_element (jobs, 0)))
    poll_job (g_steal_pointer (&task));
}

static gboolean
on_poll_timer (gpointer user_data)
{
  GTask *task = user_data;
  StartSsh *data = g_task_get_task_data (task);
  g_autofree char *params = g_strdup_printf ("[[[\"id\",\"=\",%" G_GINT64_FORMAT "]]]", data->job_id);

  g_clear_pointer (&data->poll, g_source_unref);
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }
  kf_truenas_client_send_call (g_task_get_source_object (task), "core.get_jobs", params,
                               g_task_get_cancellable (task), on_job_polled, task);
  return G_SOURCE_REMOVE;
}

/* Takes @task. */
static void
poll_job (GTask *task)
{
  StartSsh *data = g_task_get_task_data (task);

  data->poll = g_timeout_source_new (JOB_POLL_MS);
  g_source_set_callback (data->poll, on_poll_timer, task, NULL);
  g_source_attach (data->poll, g_main_context_get_thread_default ());
}

static void
on_control (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task, "service.control");
  StartSsh *data = g_task_get_task_data (task);

  if (node == NULL)
    return;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    {
      /* Without legacy_jobs the reply is the job's result itself. */
      if (json_node_get_boolean (node))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, not_started_error (task, NULL));
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("The TrueNAS answered service.control without a job id."));
      return;
    }
  data->job_id = json_node_get_int (node);
  poll_job (g_steal_pointer (&task));
}

/* Takes @task. */
static void
send_control (GTask *task)
{
  StartSsh *data = g_task_get_task_data (task);
  g_autofree char *params = NULL;

  if (data->verb == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  params = g_strdup_printf ("[\"%s\",\"ssh\"]", data->verb);
  kf_truenas_client_send_call (g_task_get_source_object (task), "service.control", params,
                               g_task_get_cancellable (task), on_control, task);
}

static void
on_service_updated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = kf_truenas_client_finish_or_return (KF_TRUENAS_CLIENT (source), result, task, "service.update");

  if (node != NULL)
    send_control (g_steal_pointer (&task));
}

void
kf_truenas_client_set_ssh_service_async (KfTruenasClient     *self,
                                         int                  enable,
                                         const char          *verb,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;
  StartSsh *data;

  g_return_if_fail (KF_IS_TRUENAS_CLIENT (self));
  g_return_if_fail (verb == NULL || g_str_equal (verb, "START") || g_str_equal (verb, "STOP"));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_truenas_client_set_ssh_service_async);
  data = g_new0 (StartSsh, 1);
  data->verb = g_strdup (verb);
  g_task_set_task_data (task, data, (GDestroyNotify) start_ssh_free);
  if (enable >= 0)
    kf_truenas_client_send_call (self, "service.update",
                                 enable ? "[\"ssh\",{\"enable\":true}]" : "[\"ssh\",{\"enable\":false}]",
                                 cancellable, on_service_updated, task);
  else
    send_control (task);
}

gboolean
kf_truenas_client_set_ssh_service_finish (KfTruenasClient  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
