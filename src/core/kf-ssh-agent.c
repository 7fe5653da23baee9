/* kf-ssh-agent.c: talking to the SSH agent over its Unix socket.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One connection per request, as ssh-add does: the agent keeps no state
 * per connection that we need. The *_sync calls block and run in the CLI or
 * in the GTask threads of the *_async calls, never on the GUI's main thread.
 */
#define G_LOG_DOMAIN "kf-ssh-agent"

#include <gio/gunixsocketaddress.h>
#include <glib/gi18n.h>
#include <string.h>

#include "kf-secret.h"
#include "kf-ssh-agent-private.h"
#include "kf-ssh-agent.h"

/* An agent that does not answer in this time is stuck (a confirm prompt is
 * shown when the key is used, not when it is added). */
#define AGENT_IO_TIMEOUT_S 15

G_DEFINE_QUARK (kf-agent-error-quark, kf_agent_error)

struct _KfSshAgent
{
  GObject  parent_instance;
  char    *socket_path;
};

G_DEFINE_FINAL_TYPE (KfSshAgent, kf_ssh_agent, G_TYPE_OBJECT)

static void
kf_ssh_agent_finalize (GObject *object)
{
  KfSshAgent *self = KF_SSH_AGENT (object);

  g_free (self->socket_path);
  G_OBJECT_CLASS (kf_ssh_agent_parent_class)->finalize (object);
}

static void
kf_ssh_agent_class_init (KfSshAgentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kf_ssh_agent_finalize;
}

static void
kf_ssh_agent_init (KfSshAgent *self)
{
}

KfSshAgent *
kf_ssh_agent_new (const char *socket_path)
{
  KfSshAgent *self = g_object_new (KF_TYPE_SSH_AGENT, NULL);
  const char *path = socket_path != NULL ? socket_path : g_getenv ("SSH_AUTH_SOCK");

  self->socket_path = path != NULL && path[0] != '\0' ? g_strdup (path) : NULL;
  return self;
}

const char *
kf_ssh_agent_get_socket_path (KfSshAgent *self)
{
  g_return_val_if_fail (KF_IS_SSH_AGENT (self), NULL);
  return self->socket_path;
}

/* --------------------------------------------------------------- lifetime */

gboolean
kf_ssh_agent_parse_lifetime (const char  *text,
                             guint32     *out_seconds,
                             GError     **error)
{
  guint64 value = 0, unit = 1;
  const char *end = NULL;
  g_autofree char *t = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (t[0] != '\0' && g_ascii_isdigit (t[0]))
    value = g_ascii_strtoull (t, (char **) &end, 10);
  if (end != NULL && end[0] != '\0' && end[1] == '\0')
    {
      unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 : end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 0;
      end++;
    }
  if (end == NULL || end[0] != '\0' || unit == 0 || value == 0 || value > G_MAXUINT32 / unit)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("“%s” is not a lifetime; give seconds, or a number with s, m, h or d, such as 30m or 1h."),
                   t);
      return FALSE;
    }
  *out_seconds = (guint32) (value * unit);
  return TRUE;
}

char *
kf_ssh_agent_describe_lifetime (guint32 seconds)
{
  if (seconds == 0)
    return g_strdup (_("until logout"));
  if (seconds % 3600 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", seconds / 3600), seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", seconds / 60), seconds / 60);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", seconds), seconds);
}

/* ----------------------------------------------------------------- socket */

/* What to tell a user whose agent cannot be reached: inside the Flatpak the
 * socket is only there with the ssh-auth permission. */
static void
set_unreachable (GError    **error,
                 KfAgentError code,
                 const char *path)
{
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    g_set_error_literal (error, KF_AGENT_ERROR, code,
                         _("Keyferry cannot reach your SSH agent from its sandbox; allow it with "
                           "“flatpak override --user --socket=ssh-auth io.github.keyferry.Keyferry” "
                           "and start Keyferry again."));
  else if (code == KF_AGENT_ERROR_NO_AGENT)
    g_set_error_literal (error, KF_AGENT_ERROR, code,
                         _("No SSH agent is running (SSH_AUTH_SOCK is not set); start one with "
                           "“eval $(ssh-agent)” or log in to a desktop session that has one."));
  else
    g_set_error (error, KF_AGENT_ERROR, code,
                 _("No SSH agent answers at %s (from SSH_AUTH_SOCK); start the agent again or "
                   "set SSH_AUTH_SOCK to a running one."), path);
}

static gboolean
read_exactly (GInputStream  *in,
              guchar        *buf,
              gsize          len,
              GCancellable  *cancellable,
              GError       **error)
{
  gsize got = 0;

  return g_input_stream_read_all (in, buf, len, &got, cancellable, error) && got == len;
}

/* Sends @message and reads one reply into @reply. */
static gboolean
transact (KfSshAgent    *self,
          GByteArray    *message,
          KfAgentReply  *reply,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree guchar *body = NULL;
  GInputStream *in;
  guchar head[4];
  guint32 len;
  gboolean ok;

  if (self->socket_path == NULL)
    {
      set_unreachable (error, KF_AGENT_ERROR_NO_AGENT, NULL);
      return FALSE;
    }
  address = g_unix_socket_address_new (self->socket_path);
  g_socket_client_set_timeout (client, AGENT_IO_TIMEOUT_S);
  conn = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), cancellable, &local);
  if (conn == NULL)
    {
      if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local));
      else
        set_unreachable (error, KF_AGENT_ERROR_UNREACHABLE, self->socket_path);
      return FALSE;
    }

  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), message->data,
                                  message->len, NULL, cancellable, error) ||
      !read_exactly (in, head, 4, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        set_unreachable (error, KF_AGENT_ERROR_UNREACHABLE, self->socket_path);
      return FALSE;
    }
  len = ((guint32) head[0] << 24) | ((guint32) head[1] << 16) | ((guint32) head[2] << 8) | head[3];
  if (len == 0 || len > KF_AGENT_MAX_MESSAGE)
    return kf_agent_reply_parse (head, 0, reply, error);
  body = g_malloc (len);
  if (!read_exactly (in, body, len, cancellable, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_PROTOCOL,
                             _("The SSH agent closed the connection in the middle of its reply."));
      return FALSE;
    }
  ok = kf_agent_reply_parse (body, len, reply, error);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  return ok;
}

/* A reply that should be SUCCESS; FAILURE becomes @refused. */
static gboolean
expect_success (KfAgentReply  *reply,
                const char    *refused,
                GError       **error)
{
  if (reply->type == KF_AGENT_SUCCESS)
    return TRUE;
  if (reply->type == KF_AGENT_FAILURE || reply->type == KF_AGENT_EXTENSION_FAILURE)
    g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_REFUSED, refused);
  else
    g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_PROTOCOL,
                         _("The SSH agent sent a reply Keyferry cannot read; check what runs at SSH_AUTH_SOCK."));
  return FALSE;
}

static char *
refused_add_message (KfKeypair *keypair,
                     guint32    lifetime,
                     gboolean   confirm)
{
  g_autofree char *life = kf_ssh_agent_describe_lifetime (lifetime);

  if (lifetime == 0 && !confirm)
    return g_strdup_printf (_("The SSH agent refused the key “%s”; it was not added."),
                            kf_keypair_get_name (keypair));
  if (confirm)
    return g_strdup_printf (_("The SSH agent refused the key “%s” with the limits asked for (kept %s, "
                              "confirm each use); it was not added. This agent may not support confirmation: "
                              "add it without --confirm, or use OpenSSH’s ssh-agent."),
                            kf_keypair_get_name (keypair), life);
  return g_strdup_printf (_("The SSH agent refused the key “%s” with the limit asked for (kept %s); it was "
                            "not added. Use OpenSSH’s ssh-agent, or choose “until logout”."),
                          kf_keypair_get_name (keypair), life);
}

gboolean
kf_ssh_agent_add_sync (KfSshAgent    *self,
                       KfKeypair     *keypair,
                       const char    *private_key,
                       guint32        lifetime,
                       gboolean       confirm,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_auto(KfAgentReply) reply = { 0 };
  g_autofree char *refused = NULL;
  GByteArray *message;
  gboolean ok;

  g_return_val_if_fail (KF_IS_SSH_AGENT (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  if (private_key == NULL || !kf_keypair_get_has_private_key (keypair))
    {
      g_set_error (error, KF_AGENT_ERROR, KF_AGENT_ERROR_KEY,
                   _("The key pair “%s” has only a public key; an SSH agent needs the private key."),
                   kf_keypair_get_name (keypair));
      return FALSE;
    }
  message = kf_agent_message_add (private_key, kf_keypair_get_public_key (keypair),
                                  kf_keypair_get_name (keypair), lifetime, confirm, error);
  if (message == NULL)
    return FALSE;
  ok = transact (self, message, &reply, cancellable, error);
  kf_agent_message_free (message);
  if (!ok)
    return FALSE;
  refused = refused_add_message (keypair, lifetime, confirm);
  return expect_success (&reply, refused, error);
}

gboolean
kf_ssh_agent_remove_sync (KfSshAgent    *self,
                          KfKeypair     *keypair,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_auto(KfAgentReply) reply = { 0 };
  g_autoptr(GBytes) blob = kf_agent_public_blob (kf_keypair_get_public_key (keypair));
  g_autofree char *refused = NULL;
  GByteArray *message;
  gboolean ok;

  g_return_val_if_fail (KF_IS_SSH_AGENT (self), FALSE);
  if (blob == NULL)
    {
      g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_KEY, _("The key pair has no usable public key."));
      return FALSE;
    }
  message = kf_agent_message_remove (blob);
  ok = transact (self, message, &reply, cancellable, error);
  kf_agent_message_free (message);
  if (!ok)
    return FALSE;
  refused = g_strdup_printf (_("The key pair “%s” is not loaded in the SSH agent."), kf_keypair_get_name (keypair));
  return expect_success (&reply, refused, error);
}

GPtrArray *
kf_ssh_agent_list_sync (KfSshAgent    *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_auto(KfAgentReply) reply = { 0 };
  GByteArray *message;
  gboolean ok;

  g_return_val_if_fail (KF_IS_SSH_AGENT (self), NULL);
  message = kf_agent_message_request_identities ();
  ok = transact (self, message, &reply, cancellable, error);
  kf_agent_message_free (message);
  if (!ok)
    return NULL;
  if (reply.type != KF_AGENT_IDENTITIES_ANSWER)
    {
      g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_PROTOCOL,
                           _("The SSH agent would not list its keys."));
      return NULL;
    }
  return g_steal_pointer (&reply.blobs);
}

gboolean
kf_ssh_agent_blobs_contain (GPtrArray *blobs,
                            KfKeypair *keypair)
{
  g_autoptr(GBytes) blob = kf_agent_public_blob (kf_keypair_get_public_key (keypair));

  if (blobs == NULL || blob == NULL)
    return FALSE;
  for (guint i = 0; i < blobs->len; i++)
    if (g_bytes_equal (g_ptr_array_index (blobs, i), blob))
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------ async */

typedef struct {
  KfKeypair *keypair;
  KfSecret  *private_key;
  guint32    lifetime;
  gboolean   confirm;
} AgentTaskData;

static void
agent_task_data_free (AgentTaskData *data)
{
  g_clear_object (&data->keypair);
  kf_secret_free (data->private_key);
  g_free (data);
}

static GTask *
agent_task_new (KfSshAgent          *self,
                KfKeypair           *keypair,
                gpointer             source_tag,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  AgentTaskData *data = g_new0 (AgentTaskData, 1);

  g_task_set_source_tag (task, source_tag);
  /* a copy: the GUI may change the key pair while the thread runs */
  data->keypair = keypair != NULL ? kf_keypair_copy (keypair) : NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) agent_task_data_free);
  return task;
}

static void
add_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  AgentTaskData *data = task_data;
  GError *error = NULL;

  if (kf_ssh_agent_add_sync (source, data->keypair, data->private_key, data->lifetime, data->confirm,
                             cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kf_ssh_agent_add_async (KfSshAgent          *self,
                        KfKeypair           *keypair,
                        const char          *private_key,
                        guint32              lifetime,
                        gboolean             confirm,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = agent_task_new (self, keypair, kf_ssh_agent_add_async, cancellable, callback, user_data);
  AgentTaskData *data = g_task_get_task_data (task);

  data->private_key = kf_secret_dup (private_key);
  data->lifetime = lifetime;
  data->confirm = confirm;
  g_task_run_in_thread (task, add_thread);
}

gboolean
kf_ssh_agent_add_finish (KfSshAgent    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
remove_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AgentTaskData *data = task_data;
  GError *error = NULL;

  if (kf_ssh_agent_remove_sync (source, data->keypair, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kf_ssh_agent_remove_async (KfSshAgent          *self,
                           KfKeypair           *keypair,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = agent_task_new (self, keypair, kf_ssh_agent_remove_async, cancellable, callback,
                                          user_data);

  g_task_run_in_thread (task, remove_thread);
}

gboolean
kf_ssh_agent_remove_finish (KfSshAgent    *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *blobs = kf_ssh_agent_list_sync (source, cancellable, &error);

  if (blobs != NULL)
    g_task_return_pointer (task, blobs, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
kf_ssh_agent_list_async (KfSshAgent          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = agent_task_new (self, NULL, kf_ssh_agent_list_async, cancellable, callback, user_data);

  g_task_run_in_thread (task, list_thread);
}

GPtrArray *
kf_ssh_agent_list_finish (KfSshAgent    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
