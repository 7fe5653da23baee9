/* kf-semiauto-rollback.c: a failed or cancelled run takes back what it
 * changed on the TrueNAS.
 *
 * user.query shows the user as it is now; user.update then writes sshpubkey
 * without the line(s) of this run's key (every other byte kept) and the shell
 * and sudo commands as they were. A key that was installed before the run
 * (pair again with the same key pair) stays. The connection of the run is
 * used while it works; after a drop, a timeout or a cancel it is broken, and
 * a new one logs in again with the same password. The whole rollback gets the
 * Connect Timeout and cannot be cancelled by the run's cancellable (the user
 * cancelling is what asks for it). An SSH service the public route started or
 * enabled is stopped or disabled again, after the user.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-semiauto-setup"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-semiauto-setup-private.h"
#include "kf-ssh-key.h"

static gboolean
rollback_needed (KfSemiautoSetup *self)
{
  return (self->key_sent && !self->key_was_present) || self->shell_changed || self->zfs_added || self->ssh_touched;
}

void
kf_semiauto_setup_clear_rollback (KfSemiautoSetup *self)
{
  if (self->rollback_timer != NULL)
    {
      g_source_destroy (self->rollback_timer);
      g_clear_pointer (&self->rollback_timer, g_source_unref);
    }
  if (self->rollback_client != NULL)
    {
      self->rollback_round_trips += kf_truenas_client_get_round_trips (self->rollback_client);
      kf_truenas_client_close (self->rollback_client);
    }
  g_clear_object (&self->rollback_client);
  g_clear_object (&self->rollback_cancellable);
  self->rolling_back = FALSE;
}

static KfTruenasClient *
rollback_client (KfSemiautoSetup *self)
{
  return self->rollback_client != NULL ? self->rollback_client : self->client;
}

/* Ends the rollback; @problem (taken, may be NULL) says why it failed. */
static void
rollback_finish (KfSemiautoSetup *self,
                 GError          *problem)
{
  GError *error = g_steal_pointer (&self->rollback_error);
  KfSemiautoFailFunc done = self->rollback_done;

  if (problem != NULL)
    {
      g_autofree char *fingerprint = kf_ssh_key_fingerprint (kf_semiauto_setup_public_key (self), NULL);
      g_autofree char *why = g_strdup (problem->message);
      gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      GError *combined;

      /* The reason goes in parentheses, without its own full stop. */
      if (g_str_has_suffix (why, "."))
        why[strlen (why) - 1] = '\0';
      g_debug ("rollback failed: %s", problem->message);
      /* A cancelled run whose changes stay is not "nothing changed": not
       * G_IO_ERROR_CANCELLED, which callers report as just that. */
      if (self->user_restored)
        combined = g_error_new (cancelled ? KF_TRUENAS_ERROR : error->domain, cancelled ? KF_TRUENAS_ERROR_REMOTE : error->code,
                                _("%s Keyferry could not put the SSH service on %s back as it was (%s); stop it in System → Services if it should not run."),
                                error->message, kf_semiauto_setup_box (self), why);
      else
        combined = g_error_new (cancelled ? KF_TRUENAS_ERROR : error->domain, cancelled ? KF_TRUENAS_ERROR_REMOTE : error->code,
                              _("%s Keyferry could not take its changes on the TrueNAS back (%s): the public key %s may remain in the authorized keys of user %s on %s; remove it there in Credentials → Users."),
                              error->message, why, fingerprint != NULL ? fingerprint : _("of this key pair"),
                              self->username, kf_semiauto_setup_box (self));
      g_error_free (problem);
      g_error_free (error);
      error = combined;
    }
  else
    g_debug ("rollback done: the TrueNAS is as it was");
  kf_semiauto_setup_clear_rollback (self);
  self->key_sent = self->shell_changed = self->zfs_added = self->ssh_touched = FALSE;
  done (self, error);
}

static void
on_service_restored (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_set_ssh_service_finish (KF_TRUENAS_CLIENT (source), result, &error))
    {
      rollback_finish (self, error);
      return;
    }
  rollback_finish (self, NULL);
}

/* The public route started or enabled the SSH service: as it was, after the user. */
static void
restore_service (KfSemiautoSetup *self)
{
  self->user_restored = TRUE;
  if (!self->ssh_touched)
    {
      rollback_finish (self, NULL);
      return;
    }
  kf_truenas_client_set_ssh_service_async (rollback_client (self), self->ssh_enabled ? -1 : 0,
                                           self->ssh_running ? NULL : "STOP", self->rollback_cancellable,
                                           on_service_restored, g_object_ref (self));
}

static void
on_restored (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_change_user_finish (KF_TRUENAS_CLIENT (source), result, &error))
    {
      rollback_finish (self, error);
      return;
    }
  restore_service (self);
}

/* What to write back, from the user as it is now. */
static JsonObject *
restoring_changes (KfSemiautoSetup           *self,
                   const KfTruenasRemoteUser *now)
{
  const KfTruenasRemoteUser *before = self->remote_user;
  JsonObject *changes = json_object_new ();

  if (self->key_sent && !self->key_was_present &&
      kf_truenas_keys_contain (now->sshpubkey, kf_semiauto_setup_public_key (self)))
    {
      g_autofree char *keys = kf_truenas_keys_remove (now->sshpubkey, kf_semiauto_setup_public_key (self),
                                                      before->sshpubkey);
      json_object_set_string_member (changes, "sshpubkey", keys);
    }
  /* Only what this run set, and only if nobody changed it since. */
  if (self->shell_changed && before->shell != NULL && g_strcmp0 (now->shell, KF_TRUENAS_LOGIN_SHELL) == 0)
    json_object_set_string_member (changes, "shell", before->shell);
  if (self->zfs_added && before->sudo_nopasswd != NULL && now->sudo_nopasswd != NULL &&
      g_strv_length (now->sudo_nopasswd) == g_strv_length (before->sudo_nopasswd) + 1)
    {
      JsonArray *commands = json_array_new ();
      for (guint i = 0; before->sudo_nopasswd[i] != NULL; i++)
        json_array_add_string_element (commands, before->sudo_nopasswd[i]);
      json_object_set_array_member (changes, "sudo_commands_nopasswd", commands);
    }
  return changes;
}

static void
on_user_now (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  g_autoptr(KfTruenasRemoteUser) now = NULL;
  g_autoptr(JsonObject) changes = NULL;
  GError *error = NULL;

  now = kf_truenas_client_query_user_finish (KF_TRUENAS_CLIENT (source), result, &error);
  if (now == NULL)
    {
      rollback_finish (self, error);
      return;
    }
  changes = restoring_changes (self, now);
  if (json_object_get_size (changes) == 0)
    {
      restore_service (self);
      return;
    }
  kf_truenas_client_change_user_async (KF_TRUENAS_CLIENT (source), now, changes, self->rollback_cancellable,
                                       on_restored, g_object_ref (self));
}

static void
query_user (KfSemiautoSetup *self)
{
  kf_truenas_client_query_user_async (rollback_client (self), self->username, self->rollback_cancellable,
                                      on_user_now, g_object_ref (self));
}

static void
on_logged_in_again (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_login_finish (KF_TRUENAS_CLIENT (source), result, &error))
    {
      rollback_finish (self, error);
      return;
    }
  query_user (self);
}

static void
on_connected_again (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_connect_finish (KF_TRUENAS_CLIENT (source), result, &error))
    {
      rollback_finish (self, error);
      return;
    }
  if (self->api_key != NULL)
    kf_truenas_client_login_api_key_async (KF_TRUENAS_CLIENT (source), self->admin_username, self->api_key,
                                           self->rollback_cancellable, on_logged_in_again, g_object_ref (self));
  else
    kf_truenas_client_login_async (KF_TRUENAS_CLIENT (source), self->admin_username, self->password, self->otp,
                                   self->rollback_cancellable, on_logged_in_again, g_object_ref (self));
}

/* The run's connection broke: a new one, to the same box, the same way. */
static void
reconnect (KfSemiautoSetup *self)
{
  KfTruenasProtocol protocol = kf_truenas_client_get_protocol (self->client);

  self->rollback_client = kf_truenas_client_new (self->url);
  kf_truenas_client_set_tls_pin (self->rollback_client, self->pin);
  kf_truenas_client_set_protocol (self->rollback_client, protocol != KF_TRUENAS_PROTOCOL_AUTO ? protocol : self->protocol);
  kf_truenas_client_set_connect_timeout (self->rollback_client, self->connect_timeout);
  if (self->call_timeout_ms > 0)
    kf_truenas_client_set_call_timeout_ms (self->rollback_client, self->call_timeout_ms);
  kf_truenas_client_connect_async (self->rollback_client, self->rollback_cancellable,
                                   on_connected_again, g_object_ref (self));
}

static gboolean
on_rollback_deadline (gpointer user_data)
{
  KfSemiautoSetup *self = user_data;

  g_clear_pointer (&self->rollback_timer, g_source_unref);
  g_cancellable_cancel (self->rollback_cancellable);
  return G_SOURCE_REMOVE;
}

void
kf_semiauto_setup_rollback_remote (KfSemiautoSetup    *self,
                                   GError             *error,
                                   KfSemiautoFailFunc  done)
{
  if (self->rolling_back || self->client == NULL || self->remote_user == NULL || !rollback_needed (self))
    {
      done (self, error);
      return;
    }
  self->rolling_back = TRUE;
  self->user_restored = FALSE;
  self->rollback_error = error;
  self->rollback_done = done;
  kf_semiauto_setup_progress (self, KF_SEMIAUTO_STEP_ROLLBACK, _("Taking the changes on the TrueNAS back"));

  self->rollback_cancellable = g_cancellable_new ();
  self->rollback_timer = g_timeout_source_new_seconds (self->connect_timeout);
  g_source_set_callback (self->rollback_timer, on_rollback_deadline, self, NULL);
  g_source_attach (self->rollback_timer, g_main_context_get_thread_default ());

  if (kf_truenas_client_is_logged_in (self->client))
    query_user (self);
  else
    reconnect (self);
}
