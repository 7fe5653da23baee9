/* kf-semiauto-public-route.c: pairing through public, versioned methods when
 * a JSON-RPC TrueNAS refuses keychaincredential.ssh_pair (truenas-api.md,
 * "Pairing without ssh_pair"). It does what ssh_pair does, in its order:
 * the SSH service enabled and running (asked first), the host keys and port
 * from ssh.config (read after a start: a first start creates the keys), then
 * the key appended to the user's sshpubkey — in the same user.update as the
 * shell and sudo changes, so one call installs everything.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-semiauto-setup"

#include <glib/gi18n.h>

#include "kf-errors.h"
#include "kf-semiauto-setup-private.h"

static void
on_installed (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_change_user_finish (self->client, result, &error))
    {
      if (kf_semiauto_setup_error_is_answer (error))
        self->key_sent = self->shell_changed = self->zfs_added = FALSE;
      kf_semiauto_setup_fail (self, error);
      return;
    }
  kf_semiauto_setup_api_done (self);
}

static void
install (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Installing the public key for %s"), self->username);
  g_autoptr(JsonObject) changes = NULL;

  kf_semiauto_setup_progress (self, KF_SEMIAUTO_STEP_UPDATE_USER, message);
  changes = kf_truenas_remote_user_changes_new (self->remote_user, self->set_shell ? KF_TRUENAS_LOGIN_SHELL : NULL,
                                                self->add_zfs);
  if (!self->key_was_present)
    {
      g_autofree char *keys = kf_truenas_keys_add (self->remote_user->sshpubkey, kf_semiauto_setup_public_key (self));
      json_object_set_string_member (changes, "sshpubkey", keys);
      self->key_sent = TRUE;
    }
  if (json_object_get_size (changes) == 0)
    {
      kf_semiauto_setup_api_done (self);
      return;
    }
  self->shell_changed = self->set_shell;
  self->zfs_added = self->add_zfs;
  kf_truenas_client_change_user_async (self->client, self->remote_user, changes,
                                       kf_semiauto_setup_run_cancellable (self), on_installed, g_object_ref (self));
}

static void
on_ssh_config (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  g_clear_pointer (&self->host_keys, g_strfreev);
  if (!kf_truenas_client_ssh_config_finish (self->client, result, &self->ssh_port, &self->host_keys, &error))
    {
      kf_semiauto_setup_fail (self, error);
      return;
    }
  install (self);
}

static void
read_ssh_config (KfSemiautoSetup *self)
{
  kf_truenas_client_ssh_config_async (self->client, kf_semiauto_setup_run_cancellable (self),
                                      on_ssh_config, g_object_ref (self));
}

static void
on_ssh_started (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  g_autofree char *note = NULL;
  GError *error = NULL;

  if (!kf_truenas_client_set_ssh_service_finish (self->client, result, &error))
    {
      kf_semiauto_setup_fail (self, error);
      return;
    }
  note = g_strdup_printf (_("Keyferry started the SSH service on %s and enabled it at boot, as TrueNAS's own pairing does."),
                          kf_semiauto_setup_box (self));
  kf_semiauto_setup_note (self, note);
  read_ssh_config (self);
}

static void
start_ssh (KfSemiautoSetup *self)
{
  kf_semiauto_setup_progress (self, KF_SEMIAUTO_STEP_PAIR, _("Starting the SSH service on the TrueNAS"));
  /* Marked before the calls: a failure half-way is taken back as well. */
  self->ssh_touched = TRUE;
  kf_truenas_client_set_ssh_service_async (self->client, self->ssh_enabled ? -1 : 1, self->ssh_running ? NULL : "START",
                                           kf_semiauto_setup_run_cancellable (self), on_ssh_started, g_object_ref (self));
}

static void
on_ssh_service (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  g_autofree char *message = NULL;
  GError *error = NULL;

  if (!kf_truenas_client_ssh_service_finish (self->client, result, &self->ssh_enabled, &self->ssh_running, &error))
    {
      kf_semiauto_setup_fail (self, error);
      return;
    }
  if (self->ssh_enabled && self->ssh_running)
    {
      read_ssh_config (self);
      return;
    }
  if (!self->ssh_running)
    message = g_strdup_printf (_("The SSH service on %s is stopped; Keyferry will start it and enable it at boot so that SSH logins work."),
                               kf_semiauto_setup_box (self));
  else
    message = g_strdup_printf (_("The SSH service on %s runs but does not start at boot; Keyferry will enable it at boot."),
                               kf_semiauto_setup_box (self));
  kf_semiauto_setup_request_confirm (self, "start-ssh", message, start_ssh);
}

void
kf_semiauto_setup_public_route (KfSemiautoSetup *self)
{
  const char *home = self->remote_user->home;

  kf_semiauto_setup_note (self, _("This TrueNAS does not let Keyferry call keychaincredential.ssh_pair, so Keyferry paired through its public user, ssh and service methods."));
  /* ssh_pair's own check: keys need a home directory to live in. */
  if (home == NULL || g_str_has_prefix (home, "/var/empty") || g_str_has_prefix (home, "/nonexistent"))
    {
      kf_semiauto_setup_fail (self, g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_HOME,
                                                 _("User %s on the TrueNAS has no home directory (%s), so it cannot hold SSH keys; give the user a home directory in the TrueNAS user settings."),
                                                 self->username, home != NULL ? home : _("none")));
      return;
    }
  kf_semiauto_setup_progress (self, KF_SEMIAUTO_STEP_PAIR, _("Checking the SSH service on the TrueNAS"));
  kf_truenas_client_ssh_service_async (self->client, kf_semiauto_setup_run_cancellable (self),
                                       on_ssh_service, g_object_ref (self));
}
