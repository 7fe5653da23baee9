/* kf-semiauto-setup.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-semiauto-setup"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-key-material.h"
#include "kf-keyring.h"
#include "kf-secret.h"
#include "kf-semiauto-setup-private.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"
#include "kf-store.h"
#include "kf-test-result.h"
#include "kf-truenas-url.h"

G_DEFINE_FINAL_TYPE (KfSemiautoSetup, kf_semiauto_setup, G_TYPE_OBJECT)

enum {
  SIGNAL_PROGRESS,
  SIGNAL_OTP_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
kf_semiauto_step_to_string (KfSemiautoStep step)
{
  switch (step)
    {
    case KF_SEMIAUTO_STEP_IDLE:         return "idle";
    case KF_SEMIAUTO_STEP_CHECK:        return "check";
    case KF_SEMIAUTO_STEP_GENERATE_KEY: return "generate-key";
    case KF_SEMIAUTO_STEP_CONNECT:      return "connect";
    case KF_SEMIAUTO_STEP_LOGIN:        return "login";
    case KF_SEMIAUTO_STEP_WAIT_OTP:     return "wait-otp";
    case KF_SEMIAUTO_STEP_PAIR:         return "pair";
    case KF_SEMIAUTO_STEP_UPDATE_USER:  return "update-user";
    case KF_SEMIAUTO_STEP_SAVE:         return "save";
    case KF_SEMIAUTO_STEP_VERIFY_SSH:   return "verify-ssh";
    case KF_SEMIAUTO_STEP_DONE:         return "done";
    case KF_SEMIAUTO_STEP_WAIT_CONFIRM: return "wait-confirm";
    case KF_SEMIAUTO_STEP_ROLLBACK:     return "rollback";
    default:                            return "unknown";
    }
}

/* ------------------------------------------------------------------------- */

static void
clear_run (KfSemiautoSetup *self)
{
  if (self->otp_cancel != NULL)
    {
      g_source_destroy (self->otp_cancel);
      g_clear_pointer (&self->otp_cancel, g_source_unref);
    }
  if (self->client != NULL)
    kf_truenas_client_close (self->client);
  g_clear_object (&self->client);
  g_clear_pointer (&self->url, kf_truenas_url_unref);
  g_clear_pointer (&self->pin, g_free);
  g_clear_object (&self->keypair);
  g_clear_object (&self->material);
  g_clear_pointer (&self->private_key, kf_secret_free);
  g_clear_pointer (&self->host_keys, g_strfreev);
  g_clear_pointer (&self->effective_url, g_free);
  g_clear_pointer (&self->sent_public_key, g_free);
  g_clear_object (&self->connection);
  g_clear_object (&self->backup);
  kf_semiauto_setup_clear_confirm (self);
  kf_semiauto_setup_clear_rollback (self);
  g_clear_pointer (&self->remote_user, kf_truenas_remote_user_free);
  self->key_was_present = self->key_sent = FALSE;
  self->set_shell = self->add_zfs = self->shell_asked = self->zfs_asked = FALSE;
  self->shell_changed = self->zfs_added = FALSE;
  self->ssh_enabled = self->ssh_running = self->ssh_touched = FALSE;
  self->declined = FALSE;
}

static void
kf_semiauto_setup_dispose (GObject *object)
{
  KfSemiautoSetup *self = KF_SEMIAUTO_SETUP (object);

  clear_run (self);
  g_clear_object (&self->vault);
  g_clear_object (&self->store);
  g_clear_object (&self->existing);
  g_clear_object (&self->peer_certificate);

  G_OBJECT_CLASS (kf_semiauto_setup_parent_class)->dispose (object);
}

static void
kf_semiauto_setup_finalize (GObject *object)
{
  KfSemiautoSetup *self = KF_SEMIAUTO_SETUP (object);

  g_free (self->name);
  g_free (self->url_text);
  g_free (self->admin_username);
  kf_secret_free (self->password);
  kf_secret_free (self->api_key);
  kf_secret_free (self->otp);
  g_free (self->username);
  g_free (self->keypair_id);
  g_free (self->pin_text);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_free (self->verify_message);
  g_free (self->redirect_url);

  G_OBJECT_CLASS (kf_semiauto_setup_parent_class)->finalize (object);
}

static void
kf_semiauto_setup_class_init (KfSemiautoSetupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kf_semiauto_setup_dispose;
  object_class->finalize = kf_semiauto_setup_finalize;

  /* ::progress (step as int KfSemiautoStep, message): the step that starts now. */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
  /* ::otp-requested (message or NULL): answer with kf_semiauto_setup_provide_otp().
   * The message says why a previous code was refused. */
  signals[SIGNAL_OTP_REQUESTED] =
    g_signal_new ("otp-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* ::confirm-change (id, message): a change on the TrueNAS beyond the key
   * ("shell", "sudo", "start-ssh"); answer with kf_semiauto_setup_confirm(). */
  g_signal_new ("confirm-change", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
kf_semiauto_setup_init (KfSemiautoSetup *self)
{
  self->admin_username = g_strdup ("root");
  self->username = g_strdup ("root");
  self->connect_timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  self->key_type = KF_KEY_TYPE_ED25519;
  self->notes = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->notes, NULL);
}

KfSemiautoSetup *
kf_semiauto_setup_new (KfVault *vault)
{
  KfSemiautoSetup *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);

  self = g_object_new (KF_TYPE_SEMIAUTO_SETUP, NULL);
  self->vault = g_object_ref (vault);
  self->store = g_object_ref (kf_vault_get_store (vault));
  return self;
}

KfSemiautoSetup *
kf_semiauto_setup_new_pair_again (KfVault      *vault,
                                  KfConnection *connection)
{
  KfSemiautoSetup *self;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);

  self = kf_semiauto_setup_new (vault);
  self->existing = g_object_ref (connection);
  kf_semiauto_setup_set_name (self, kf_connection_get_name (connection));
  kf_semiauto_setup_set_url (self, kf_connection_get_truenas_url (connection));
  kf_semiauto_setup_set_admin_username (self, kf_connection_get_admin_username (connection));
  kf_semiauto_setup_set_username (self, kf_connection_get_username (connection));
  kf_semiauto_setup_set_sudo_zfs (self, kf_connection_get_sudo_zfs (connection));
  kf_semiauto_setup_set_connect_timeout (self, kf_connection_get_connect_timeout (connection));
  kf_semiauto_setup_set_keypair_id (self, kf_connection_get_keypair_id (connection));
  kf_semiauto_setup_set_tls_pin (self, kf_connection_get_tls_pin (connection));
  return self;
}

#define STRING_SETTER(field)                                              \
  void kf_semiauto_setup_set_##field (KfSemiautoSetup *self,              \
                                      const char      *field)             \
  {                                                                       \
    g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));                       \
    g_free (self->field);                                                 \
    self->field = g_strdup (field);                                       \
  }

STRING_SETTER (name)
STRING_SETTER (admin_username)
STRING_SETTER (username)

void
kf_semiauto_setup_set_url (KfSemiautoSetup *self,
                           const char      *url)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  g_free (self->url_text);
  self->url_text = g_strdup (url);
}

void
kf_semiauto_setup_set_admin_password (KfSemiautoSetup *self,
                                      const char      *password)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  kf_secret_set (&self->password, password);
}

void
kf_semiauto_setup_set_admin_api_key (KfSemiautoSetup *self,
                                     const char      *api_key)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  kf_secret_set (&self->api_key, api_key);
}

void
kf_semiauto_setup_set_otp (KfSemiautoSetup *self,
                           const char      *otp)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  kf_secret_set (&self->otp, otp);
}

void
kf_semiauto_setup_set_sudo_zfs (KfSemiautoSetup *self,
                                gboolean         sudo_zfs)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  self->sudo_zfs = sudo_zfs;
}

void
kf_semiauto_setup_set_keep_shell (KfSemiautoSetup *self,
                                  gboolean         keep_shell)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  self->keep_shell = keep_shell;
}

void
kf_semiauto_setup_set_connect_timeout (KfSemiautoSetup *self,
                                       guint            seconds)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  self->connect_timeout = seconds;
}

void
kf_semiauto_setup_set_keypair_id (KfSemiautoSetup *self,
                                  const char      *keypair_id)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  g_free (self->keypair_id);
  self->keypair_id = g_strdup (keypair_id);
  self->generate = FALSE;
}

void
kf_semiauto_setup_set_generate_key (KfSemiautoSetup *self,
                                    KfKeyType        type,
                                    guint            bits)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  g_clear_pointer (&self->keypair_id, g_free);
  self->generate = TRUE;
  self->key_type = type;
  self->bits = bits;
}

void
kf_semiauto_setup_set_tls_pin (KfSemiautoSetup *self,
                               const char      *pin)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  g_free (self->pin_text);
  self->pin_text = pin != NULL && *pin != '\0' ? g_strdup (pin) : NULL;
}

void
kf_semiauto_setup_set_protocol (KfSemiautoSetup   *self,
                                KfTruenasProtocol  protocol)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  self->protocol = protocol;
}

void
kf_semiauto_setup_set_call_timeout_ms (KfSemiautoSetup *self,
                                       guint            timeout_ms)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));
  self->call_timeout_ms = timeout_ms;
}

KfSemiautoStep
kf_semiauto_setup_get_step (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), KF_SEMIAUTO_STEP_IDLE);
  return self->step;
}

KfTruenasCertificate *
kf_semiauto_setup_get_peer_certificate (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), NULL);
  return self->peer_certificate;
}

const char * const *
kf_semiauto_setup_get_notes (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), NULL);
  return (const char * const *) self->notes->pdata;
}

gboolean
kf_semiauto_setup_get_ssh_login_ok (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), FALSE);
  return self->ssh_login_ok;
}

gboolean
kf_semiauto_setup_get_host_key_verified (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), FALSE);
  return self->host_key_verified;
}

const char *
kf_semiauto_setup_get_verify_message (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), NULL);
  return self->verify_message;
}

KfTruenasProtocol
kf_semiauto_setup_get_protocol (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), KF_TRUENAS_PROTOCOL_AUTO);
  return self->client != NULL ? kf_truenas_client_get_protocol (self->client) : self->used_protocol;
}

const char *
kf_semiauto_setup_get_redirect_url (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), NULL);
  return self->redirect_url;
}

guint
kf_semiauto_setup_get_round_trips (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), 0);
  if (self->client == NULL)
    return self->round_trips;
  return kf_truenas_client_get_round_trips (self->client) + self->rollback_round_trips +
         (self->rollback_client != NULL ? kf_truenas_client_get_round_trips (self->rollback_client) : 0);
}

double
kf_semiauto_setup_get_api_ms (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), 0);
  if (self->api_start_us == 0)
    return 0;
  return ((self->api_end_us != 0 ? self->api_end_us : g_get_monotonic_time ()) - self->api_start_us) / 1000.0;
}

double
kf_semiauto_setup_get_total_ms (KfSemiautoSetup *self)
{
  g_return_val_if_fail (KF_IS_SEMIAUTO_SETUP (self), 0);
  if (self->start_us == 0)
    return 0;
  return ((self->end_us != 0 ? self->end_us : g_get_monotonic_time ()) - self->start_us) / 1000.0;
}

/* ------------------------------------------------------------------------- */
/* Running                                                                   */

static void
add_note (KfSemiautoSetup *self,
          const char      *note)
{
  if (note == NULL)
    return;
  /* Keep the array NULL-terminated. */
  g_ptr_array_remove_index (self->notes, self->notes->len - 1);
  g_ptr_array_add (self->notes, g_strdup (note));
  g_ptr_array_add (self->notes, NULL);
}

static void
set_step (KfSemiautoSetup *self,
          KfSemiautoStep   step,
          const char      *message)
{
  self->step = step;
  g_debug ("step %s: %s", kf_semiauto_step_to_string (step), message);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, (int) step, message);
}

static GCancellable *
run_cancellable (KfSemiautoSetup *self)
{
  return self->task != NULL ? g_task_get_cancellable (self->task) : NULL;
}

static gboolean
run_cancelled (KfSemiautoSetup *self)
{
  GCancellable *cancellable = run_cancellable (self);
  return cancellable != NULL && g_cancellable_is_cancelled (cancellable);
}

static void
finish_run (KfSemiautoSetup *self,
            GError          *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(KfConnection) connection = error == NULL ? g_object_ref (self->connection) : NULL;

  self->end_us = g_get_monotonic_time ();
  if (self->api_start_us != 0 && self->api_end_us == 0)
    self->api_end_us = self->end_us;
  if (self->client != NULL)
    {
      self->round_trips = kf_semiauto_setup_get_round_trips (self);
      self->used_protocol = kf_truenas_client_get_protocol (self->client);
      if (self->peer_certificate == NULL && kf_truenas_client_get_peer_certificate (self->client) != NULL)
        self->peer_certificate = g_object_ref (kf_truenas_client_get_peer_certificate (self->client));
    }
  clear_run (self);
  self->keypair_saved = FALSE;
  self->connection_saved = FALSE;
  /* Kept until now in case a rollback had to log in again. */
  g_clear_pointer (&self->password, kf_secret_free);
  g_clear_pointer (&self->api_key, kf_secret_free);
  g_clear_pointer (&self->otp, kf_secret_free);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    {
      set_step (self, KF_SEMIAUTO_STEP_DONE, _("Done"));
      g_task_return_pointer (task, g_steal_pointer (&connection), g_object_unref);
    }
}

/* Undo what was saved (only done after pairing): the store and keyring end as before. */
typedef struct {
  KfSemiautoSetup *self;
  GError *error;
} Rollback;

static void
rollback_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Rollback *rollback = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_vault_delete_keypair_finish (KF_VAULT (source), result, &error))
    g_warning ("Could not remove the generated key pair again: %s", error->message);

  finish_run (rollback->self, rollback->error);
  g_object_unref (rollback->self);
  g_free (rollback);
}

/* The store and keyring part of a failure, after the TrueNAS part. */
static void
fail_locally (KfSemiautoSetup *self,
              GError          *error)
{
  g_autoptr(GError) local_error = NULL;

  if (self->connection_saved)
    {
      if (self->backup != NULL)
        {
          if (!kf_store_update_connection (self->store, self->backup, &local_error))
            g_warning ("Could not restore connection %s: %s", kf_connection_get_name (self->backup), local_error->message);
        }
      else if (!kf_store_remove_connection (self->store, kf_connection_get_id (self->connection), &local_error))
        g_warning ("Could not remove connection %s: %s", kf_connection_get_name (self->connection), local_error->message);
      g_clear_error (&local_error);
      self->connection_saved = FALSE;
    }
  if (self->keypair_saved)
    {
      Rollback *rollback = g_new0 (Rollback, 1);

      rollback->self = g_object_ref (self);
      rollback->error = error;
      self->keypair_saved = FALSE;
      /* Not cancellable: the rollback must run to the end. */
      kf_vault_delete_keypair_async (self->vault, kf_keypair_get_id (self->keypair), TRUE, NULL,
                                     rollback_done, rollback);
      return;
    }
  finish_run (self, error);
}

static void
fail (KfSemiautoSetup *self,
      GError          *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !self->declined)
    {
      /* Whatever step noticed it, say the same plain thing. */
      g_error_free (error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The setup was cancelled; nothing was saved."));
    }
  g_debug ("setup failed at %s: %s", kf_semiauto_step_to_string (self->step), error->message);
  if (self->client != NULL && self->peer_certificate == NULL &&
      kf_truenas_client_get_peer_certificate (self->client) != NULL)
    self->peer_certificate = g_object_ref (kf_truenas_client_get_peer_certificate (self->client));

  /* Lost a name race to another run, for the same name and most likely the
   * same user: that run relies on the shell, sudo and SSH service as they are
   * now, and on the key too when it is the same key pair. Only a key of our
   * own (generated) goes. */
  if (g_error_matches (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN))
    {
      self->shell_changed = self->zfs_added = self->ssh_touched = FALSE;
      if (self->material == NULL)
        self->key_sent = FALSE;
    }
  /* The TrueNAS first (it needs the key pair's public key), then the store. */
  kf_semiauto_setup_rollback_remote (self, error, fail_locally);
}

void
kf_semiauto_setup_fail (KfSemiautoSetup *self,
                        GError          *error)
{
  fail (self, error);
}

void
kf_semiauto_setup_progress (KfSemiautoSetup *self,
                            KfSemiautoStep   step,
                            const char      *message)
{
  set_step (self, step, message);
}

void
kf_semiauto_setup_note (KfSemiautoSetup *self,
                        const char      *note)
{
  add_note (self, note);
}

GCancellable *
kf_semiauto_setup_run_cancellable (KfSemiautoSetup *self)
{
  return run_cancellable (self);
}

const char *
kf_semiauto_setup_box (KfSemiautoSetup *self)
{
  return kf_truenas_url_get_base (self->url);
}

gboolean
kf_semiauto_setup_error_is_answer (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    return FALSE;
  return !g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_TIMEOUT) &&
         !g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL) &&
         !g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
}

static void step_generate (KfSemiautoSetup *self);
static void step_connect  (KfSemiautoSetup *self);
static void step_login    (KfSemiautoSetup *self);
static void step_query_user (KfSemiautoSetup *self);
static void ask_changes   (KfSemiautoSetup *self);
static void step_pair     (KfSemiautoSetup *self);

static void step_update   (KfSemiautoSetup *self);
static void step_save     (KfSemiautoSetup *self);
static void step_verify   (KfSemiautoSetup *self);

static const char *
public_key (KfSemiautoSetup *self)
{
  if (self->material != NULL)
    return kf_key_material_get_public_key (self->material);
  return kf_keypair_get_public_key (self->keypair);
}

const char *
kf_semiauto_setup_public_key (KfSemiautoSetup *self)
{
  return public_key (self);
}

/* The public key as it goes to the TrueNAS: without its comment when only
 * the comment breaks the JSON-RPC length limit (said in a note); NULL with
 * @error, before anything is installed, when even the bare key is too long. */
static const char *
public_key_to_send (KfSemiautoSetup  *self,
                    GError          **error)
{
  gboolean comment_dropped = FALSE;

  g_free (self->sent_public_key);
  self->sent_public_key = kf_truenas_client_public_key_to_send (self->client, public_key (self), &comment_dropped, error);
  if (comment_dropped)
    add_note (self, _("The public key was sent without its comment: with it, the key is longer than this TrueNAS accepts, and SSH does not need the comment."));
  return self->sent_public_key;
}

static const char *
private_key (KfSemiautoSetup *self)
{
  if (self->material != NULL)
    return kf_key_material_get_private_key (self->material);
  return self->private_key;
}

/* The password or the API key; an API key only over https, before anything
 * is sent (TrueNAS revokes a plain API key used over an insecure transport). */
static gboolean
check_credentials (KfSemiautoSetup  *self,
                   GError          **error)
{
  const char *dash;

  if (self->password == NULL && self->api_key == NULL)
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD,
                           _("Enter the password of the TrueNAS admin user."));
      return FALSE;
    }
  if (self->api_key == NULL)
    return TRUE;
  if (self->password != NULL)
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD,
                           _("Give either the admin password or an API key, not both."));
      return FALSE;
    }
  /* A pasted key often brings a line break or spaces along. */
  g_strstrip (self->api_key);
  dash = strchr (self->api_key, '-');
  if (dash == NULL || dash == self->api_key || strspn (self->api_key, "0123456789") != (gsize) (dash - self->api_key)
      || dash[1] == '\0' || strpbrk (self->api_key, " \t\r\n") != NULL)
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD,
                           _("This is not a TrueNAS API key; copy the whole key as TrueNAS showed it (a number, a dash, then 64 letters and digits)."));
      return FALSE;
    }
  return kf_truenas_url_allows_api_key (kf_truenas_url_is_https (self->url), error);
}

/* Checks the form before anything touches the network. */
static gboolean
check_form (KfSemiautoSetup  *self,
            GError          **error)
{
  g_autofree char *name = NULL;
  g_autofree char *username = NULL;

  name = kf_connection_validate_name (self->name, error);
  if (name == NULL)
    return FALSE;
  if (!kf_connection_validate_name_free (kf_store_get_connections (self->store), name,
                                         self->existing != NULL ? kf_connection_get_id (self->existing) : NULL,
                                         error))
    return FALSE;
  g_free (self->name);
  self->name = g_steal_pointer (&name);

  self->url = kf_truenas_url_parse (self->url_text, error);
  if (self->url == NULL)
    return FALSE;

  if (self->admin_username == NULL || *g_strstrip (self->admin_username) == '\0')
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_USERNAME,
                           _("Enter the admin user name of the TrueNAS (for example truenas_admin or root)."));
      return FALSE;
    }
  if (!check_credentials (self, error))
    return FALSE;

  username = kf_connection_validate_username (self->username, error);
  if (username == NULL)
    return FALSE;
  g_free (self->username);
  self->username = g_steal_pointer (&username);

  if (self->connect_timeout < KF_CONNECTION_MIN_TIMEOUT || self->connect_timeout > KF_CONNECTION_MAX_TIMEOUT)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT,
                   _("The Connect Timeout must be from %d to %d seconds."),
                   KF_CONNECTION_MIN_TIMEOUT, KF_CONNECTION_MAX_TIMEOUT);
      return FALSE;
    }

  if (self->pin_text != NULL)
    {
      self->pin = kf_truenas_certificate_parse_pin (self->pin_text, error);
      if (self->pin == NULL)
        return FALSE;
    }

  if (self->generate)
    {
      /* Translators: the name of a new key pair; %s is the connection name */
      g_autofree char *key_name = g_strdup_printf (_("%s Key"), self->name);

      if (kf_ssh_key_check_bits (self->key_type, self->bits, error) == 0)
        return FALSE;
      if (kf_store_find_keypair_by_name (self->store, key_name) != NULL)
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                       _("A key pair named “%s” already exists; choose another connection name or pick that key pair."),
                       key_name);
          return FALSE;
        }
    }
  else
    {
      KfKeypair *keypair = self->keypair_id != NULL ? kf_store_find_keypair (self->store, self->keypair_id) : NULL;

      if (self->keypair_id == NULL)
        {
          g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_KEYPAIR,
                               _("Choose a key pair, or Generate New."));
          return FALSE;
        }
      if (keypair == NULL)
        {
          g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_KEYPAIR,
                               _("The chosen key pair no longer exists; choose another one, or Generate New."));
          return FALSE;
        }
      if (!kf_keypair_get_has_private_key (keypair))
        {
          g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY,
                       _("Key pair “%s” has only a public key, so it cannot log in; choose another one, or Generate New."),
                       kf_keypair_get_name (keypair));
          return FALSE;
        }
      self->keypair = g_object_ref (keypair);
    }
  return TRUE;
}

static void
on_private_key (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  self->private_key = kf_vault_get_private_key_finish (KF_VAULT (source), result, &error);
  if (self->private_key == NULL)
    {
      fail (self, error);
      return;
    }
  step_connect (self);
}

void
kf_semiauto_setup_run_async (KfSemiautoSetup     *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_semiauto_setup_run_async);
  /* The run reports its own outcome: a cancel whose rollback failed must say
   * what stays on the TrueNAS, not just "cancelled". */
  g_task_set_check_cancellable (task, FALSE);

  if (self->task != NULL)
    {
      g_task_return_new_error (task, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL,
                               _("This setup is already running."));
      return;
    }

  clear_run (self);
  g_ptr_array_set_size (self->notes, 0);
  g_ptr_array_add (self->notes, NULL);
  g_clear_object (&self->peer_certificate);
  g_clear_pointer (&self->verify_message, g_free);
  g_clear_pointer (&self->redirect_url, g_free);
  self->host_key_verified = FALSE;
  self->ssh_login_ok = FALSE;
  self->round_trips = self->rollback_round_trips = 0;
  self->used_protocol = KF_TRUENAS_PROTOCOL_AUTO;
  self->start_us = g_get_monotonic_time ();
  self->api_start_us = self->api_end_us = self->end_us = 0;
  self->task = g_steal_pointer (&task);

  set_step (self, KF_SEMIAUTO_STEP_CHECK, _("Checking the form"));
  if (!check_form (self, &error))
    {
      fail (self, error);
      return;
    }
  add_note (self, kf_truenas_url_get_note (self->url));

  if (self->generate)
    step_generate (self);
  else
    kf_vault_get_private_key_async (self->vault, self->keypair, run_cancellable (self),
                                    on_private_key, g_object_ref (self));
}

KfConnection *
kf_semiauto_setup_run_finish (KfSemiautoSetup  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- generate --- */

static void
on_generated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  self->material = kf_ssh_key_generate_finish (result, &error);
  if (self->material == NULL)
    {
      fail (self, error);
      return;
    }
  step_connect (self);
}

static void
step_generate (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Generating a new %s key pair"), kf_key_type_to_string (self->key_type));
  g_autofree char *comment = g_strdup_printf ("%s@%s", g_get_user_name (), g_get_host_name ());

  set_step (self, KF_SEMIAUTO_STEP_GENERATE_KEY, message);
  kf_ssh_key_generate_async (self->key_type, self->bits, comment, run_cancellable (self),
                             on_generated, g_object_ref (self));
}

/* --- connect --- */

static void
on_connected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_connect_finish (self->client, result, &error))
    {
      add_note (self, kf_truenas_client_get_redirect_note (self->client));
      fail (self, error);
      return;
    }
  add_note (self, kf_truenas_client_get_redirect_note (self->client));
  step_login (self);
}

static void
step_connect (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Connecting to %s"), kf_truenas_url_get_base (self->url));

  if (run_cancelled (self))
    {
      fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
      return;
    }

  set_step (self, KF_SEMIAUTO_STEP_CONNECT, message);
  self->api_start_us = g_get_monotonic_time ();
  self->client = kf_truenas_client_new (self->url);
  kf_truenas_client_set_tls_pin (self->client, self->pin);
  kf_truenas_client_set_protocol (self->client, self->protocol);
  kf_truenas_client_set_connect_timeout (self->client, self->connect_timeout);
  if (self->call_timeout_ms > 0)
    kf_truenas_client_set_call_timeout_ms (self->client, self->call_timeout_ms);
  kf_truenas_client_connect_async (self->client, run_cancellable (self), on_connected, g_object_ref (self));
}

/* --- login --- */

static gboolean
on_otp_wait_cancelled (GCancellable *cancellable,
                       gpointer      user_data)
{
  KfSemiautoSetup *self = user_data;

  g_clear_pointer (&self->otp_cancel, g_source_unref);
  if (self->step == KF_SEMIAUTO_STEP_WAIT_OTP)
    fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
  return G_SOURCE_REMOVE;
}

static void
request_otp (KfSemiautoSetup *self,
             GError          *error)
{
  GCancellable *cancellable = run_cancellable (self);

  /* Nobody to ask: the error itself says what is needed. */
  if (!g_signal_has_handler_pending (self, signals[SIGNAL_OTP_REQUESTED], 0, FALSE))
    {
      fail (self, error);
      return;
    }

  set_step (self, KF_SEMIAUTO_STEP_WAIT_OTP, _("Waiting for the one-time password"));
  if (cancellable != NULL)
    {
      self->otp_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->otp_cancel, G_SOURCE_FUNC (on_otp_wait_cancelled), self, NULL);
      g_source_attach (self->otp_cancel, g_main_context_get_thread_default ());
    }
  g_signal_emit (self, signals[SIGNAL_OTP_REQUESTED], 0,
                 g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED) ? NULL : error->message);
  g_error_free (error);
}

static void
on_logged_in (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == kf_truenas_client_login_continue_async)
    ok = kf_truenas_client_login_continue_finish (self->client, result, &error);
  else
    ok = kf_truenas_client_login_finish (self->client, result, &error);

  if (!ok)
    {
      if ((g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED) ||
           g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED)) &&
          kf_truenas_client_is_awaiting_otp (self->client))
        request_otp (self, error);
      else
        {
          if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY))
            self->redirect_url = g_strdup (kf_truenas_client_get_active_url (self->client));
          fail (self, error);
        }
      return;
    }
  step_query_user (self);
}

static void
step_login (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Logging in as %s"), self->admin_username);

  set_step (self, KF_SEMIAUTO_STEP_LOGIN, message);
  /* The password (or API key) and OTP stay (wiped memory) until the run
   * ends: taking changes back after a dropped connection needs a new login. */
  if (self->api_key != NULL)
    kf_truenas_client_login_api_key_async (self->client, self->admin_username, self->api_key,
                                           run_cancellable (self), on_logged_in, g_object_ref (self));
  else
    kf_truenas_client_login_async (self->client, self->admin_username, self->password, self->otp,
                                   run_cancellable (self), on_logged_in, g_object_ref (self));
}

void
kf_semiauto_setup_provide_otp (KfSemiautoSetup *self,
                               const char      *otp)
{
  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));

  if (self->step != KF_SEMIAUTO_STEP_WAIT_OTP || self->task == NULL)
    {
      g_debug ("provide_otp() while not waiting for one: ignored");
      return;
    }
  if (self->otp_cancel != NULL)
    {
      g_source_destroy (self->otp_cancel);
      g_clear_pointer (&self->otp_cancel, g_source_unref);
    }
  if (otp == NULL || *otp == '\0')
    {
      fail (self, g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED,
                                       _("The admin account uses two-factor authentication; enter the one-time password from the authenticator app.")));
      return;
    }
  set_step (self, KF_SEMIAUTO_STEP_LOGIN, _("Sending the one-time password"));
  kf_truenas_client_login_continue_async (self->client, otp, run_cancellable (self), on_logged_in, g_object_ref (self));
}

/* --- user.query, and asking before changes --- */

static void
on_user_queried (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  self->remote_user = kf_truenas_client_query_user_finish (self->client, result, &error);
  if (self->remote_user == NULL)
    {
      fail (self, error);
      return;
    }
  self->key_was_present = kf_truenas_keys_contain (self->remote_user->sshpubkey, public_key (self));
  self->set_shell = kf_truenas_remote_user_shell_is_nologin (self->remote_user) && !self->keep_shell;
  self->add_zfs = self->sudo_zfs && kf_truenas_remote_user_needs_zfs (self->remote_user);
  if (self->sudo_zfs && self->remote_user->sudo_nopasswd == NULL && g_strcmp0 (self->username, "root") != 0)
    g_debug ("user.query has no sudo_commands_nopasswd: passwordless sudo for zfs not set");
  ask_changes (self);
}

/* The name was free when the run started; another run may have taken it
 * since. Checked again before anything is installed on the TrueNAS. */
static void
step_query_user (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Reading user %s on the TrueNAS"), self->username);
  GError *error = NULL;

  set_step (self, KF_SEMIAUTO_STEP_PAIR, message);
  if (!kf_connection_validate_name_free (kf_store_get_connections (self->store), self->name,
                                         self->existing != NULL ? kf_connection_get_id (self->existing) : NULL,
                                         &error))
    {
      fail (self, error);
      return;
    }
  if (self->generate)
    {
      /* Translators: the name of a new key pair; %s is the connection name */
      g_autofree char *key_name = g_strdup_printf (_("%s Key"), self->name);

      if (kf_store_find_keypair_by_name (self->store, key_name) != NULL)
        {
          fail (self, g_error_new (KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                                   _("A key pair named “%s” was added meanwhile; choose another connection name or pick that key pair."),
                                   key_name));
          return;
        }
    }
  kf_truenas_client_query_user_async (self->client, self->username, run_cancellable (self),
                                      on_user_queried, g_object_ref (self));
}

/* One question per change, each before anything is installed. */
static void
ask_changes (KfSemiautoSetup *self)
{
  const char *host = kf_truenas_url_get_host (self->url);

  if (self->set_shell && !self->shell_asked)
    {
      /* Translators: "root's login shell on nas1 is /usr/sbin/nologin; Keyferry will set /usr/bin/bash …" */
      g_autofree char *message = g_strdup_printf (_("%s's login shell on %s is %s; Keyferry will set %s so that SSH logins work."),
                                                  self->username, host, self->remote_user->shell, KF_TRUENAS_LOGIN_SHELL);
      self->shell_asked = TRUE;
      kf_semiauto_setup_request_confirm (self, "shell", message, ask_changes);
      return;
    }
  if (self->add_zfs && !self->zfs_asked)
    {
      g_autofree char *message = g_strdup_printf (_("Keyferry will let %s on %s run %s with sudo without a password (passwordless sudo for zfs)."),
                                                  self->username, host, KF_TRUENAS_ZFS_COMMAND);
      self->zfs_asked = TRUE;
      kf_semiauto_setup_request_confirm (self, "sudo", message, ask_changes);
      return;
    }
  if (self->keep_shell && kf_truenas_remote_user_shell_is_nologin (self->remote_user))
    {
      g_autofree char *note = g_strdup_printf (_("%s's login shell on %s stays %s, as asked; SSH logins with the key will be refused until the user has a real shell."),
                                               self->username, host, self->remote_user->shell);
      add_note (self, note);
    }
  step_pair (self);
}

/* --- pair --- */

static void
on_paired (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_ssh_pair_finish (self->client, result, &self->ssh_port, &self->host_keys, &error))
    {
      if (kf_semiauto_setup_error_is_answer (error))
        self->key_sent = FALSE;
      /* JSON-RPC: ssh_pair missing or closed (private); legacy boxes keep it. */
      if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_METHOD)
          && kf_truenas_client_get_protocol (self->client) == KF_TRUENAS_PROTOCOL_JSONRPC)
        {
          g_debug ("ssh_pair refused (%s): public route", error->message);
          g_error_free (error);
          kf_semiauto_setup_public_route (self);
          return;
        }
      fail (self, error);
      return;
    }
  step_update (self);
}

static void
step_pair (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Installing the public key for %s"), self->username);
  const char *key;
  GError *error = NULL;

  set_step (self, KF_SEMIAUTO_STEP_PAIR, message);
  if (run_cancelled (self))
    {
      fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
      return;
    }
  if ((key = public_key_to_send (self, &error)) == NULL)
    {
      fail (self, error);
      return;
    }
  self->key_sent = TRUE;
  kf_truenas_client_ssh_pair_async (self->client, self->username, key,
                                    run_cancellable (self), on_paired, g_object_ref (self));
}

/* --- user.update --- */

static void
on_updated (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_truenas_client_change_user_finish (self->client, result, &error))
    {
      if (kf_semiauto_setup_error_is_answer (error))
        self->shell_changed = self->zfs_added = FALSE;
      fail (self, error);
      return;
    }
  kf_semiauto_setup_api_done (self);
}

static void
step_update (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Updating user %s on the TrueNAS"), self->username);
  g_autoptr(JsonObject) changes = NULL;

  set_step (self, KF_SEMIAUTO_STEP_UPDATE_USER, message);
  if (!self->set_shell && !self->add_zfs)
    {
      kf_semiauto_setup_api_done (self);
      return;
    }
  changes = kf_truenas_remote_user_changes_new (self->remote_user, self->set_shell ? KF_TRUENAS_LOGIN_SHELL : NULL,
                                                self->add_zfs);
  self->shell_changed = self->set_shell;
  self->zfs_added = self->add_zfs;
  kf_truenas_client_change_user_async (self->client, self->remote_user, changes, run_cancellable (self),
                                       on_updated, g_object_ref (self));
}

void
kf_semiauto_setup_api_done (KfSemiautoSetup *self)
{
  self->api_end_us = g_get_monotonic_time ();
  self->round_trips = kf_truenas_client_get_round_trips (self->client);
  self->effective_url = g_strdup (kf_truenas_client_get_base (self->client));
  if (kf_truenas_client_get_peer_certificate (self->client) != NULL)
    g_set_object (&self->peer_certificate, kf_truenas_client_get_peer_certificate (self->client));
  /* The connection stays open until the run ends: a failure after this point
   * (the SSH check) still takes the changes back over it. */
  step_save (self);
}

/* --- save --- */

static void
fill_connection (KfSemiautoSetup *self,
                 KfConnection    *connection)
{
  kf_connection_set_name (connection, self->name);
  kf_connection_set_setup_method (connection, KF_SETUP_METHOD_SEMI_AUTOMATIC);
  kf_connection_set_host (connection, kf_truenas_url_get_host (self->url));
  kf_connection_set_port (connection, self->ssh_port);
  kf_connection_set_username (connection, self->username);
  kf_connection_set_keypair_id (connection, kf_keypair_get_id (self->keypair));
  kf_connection_set_host_keys (connection, (const char * const *) self->host_keys);
  kf_connection_set_connect_timeout (connection, self->connect_timeout);
  kf_connection_set_truenas_url (connection, self->effective_url);
  kf_connection_set_admin_username (connection, self->admin_username);
  kf_connection_set_tls_pin (connection, self->pin);
  kf_connection_set_sudo_zfs (connection, self->sudo_zfs);
  kf_connection_set_host_key_verified (connection, FALSE);
}

static void
save_connection (KfSemiautoSetup *self)
{
  g_autoptr(KfConnection) connection = NULL;
  GError *error = NULL;
  gboolean ok;

  if (self->existing != NULL)
    {
      KfConnection *current = kf_store_find_connection (self->store, kf_connection_get_id (self->existing));

      if (current == NULL)
        {
          fail (self, g_error_new (KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
                                   _("Connection “%s” was deleted meanwhile; add it again."), self->name));
          return;
        }
      self->backup = kf_connection_copy (current);
      connection = kf_connection_copy (current);
      fill_connection (self, connection);
      ok = kf_store_update_connection (self->store, connection, &error);
    }
  else
    {
      connection = kf_connection_new (self->name);
      fill_connection (self, connection);
      ok = kf_store_add_connection (self->store, connection, &error);
    }
  if (!ok)
    {
      fail (self, error);
      return;
    }
  self->connection_saved = TRUE;
  self->connection = g_object_ref (kf_store_find_connection (self->store, kf_connection_get_id (connection)));

  if (run_cancelled (self))
    {
      fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
      return;
    }
  step_verify (self);
}

static void
on_keypair_saved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  GError *error = NULL;

  if (!kf_vault_add_keypair_finish (self->vault, result, &error))
    {
      fail (self, error);
      return;
    }
  self->keypair_saved = TRUE;
  save_connection (self);
}

static void
step_save (KfSemiautoSetup *self)
{
  set_step (self, KF_SEMIAUTO_STEP_SAVE, _("Saving the connection"));

  if (self->material != NULL)
    {
      /* Translators: the name of a new key pair; %s is the connection name */
      g_autofree char *key_name = g_strdup_printf (_("%s Key"), self->name);

      self->keypair = kf_keypair_new (key_name);
      kf_key_material_apply_to_keypair (self->material, self->keypair);
      /* Not cancellable half-way: a cancel is honoured (and undone) right after. */
      kf_vault_add_keypair_async (self->vault, self->keypair, kf_key_material_get_private_key (self->material),
                                  NULL, on_keypair_saved, g_object_ref (self));
      return;
    }
  save_connection (self);
}

/* --- SSH check --- */

static void
on_verified (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KfSemiautoSetup) self = user_data;
  g_autoptr(KfTestResult) test = NULL;
  g_autoptr(KfConnection) update = NULL;
  g_autoptr(GError) save_error = NULL;
  GError *error = NULL;

  test = kf_ssh_probe_test_finish (result, &error);
  if (test == NULL)
    {
      fail (self, error);
      return;
    }
  if (run_cancelled (self))
    {
      fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
      return;
    }

  if (g_error_matches (kf_test_result_get_error (test), KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH))
    {
      const char *fingerprint = kf_test_result_get_host_key_fingerprint (test);
      fail (self, g_error_new (KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH,
                               _("The SSH server at %s:%u showed a host key (%s) that the TrueNAS did not report: the connection may be intercepted, so Keyferry saved nothing; find out why before you try again."),
                               kf_connection_get_host (self->connection), kf_connection_get_port (self->connection),
                               fingerprint != NULL ? fingerprint : _("unknown")));
      return;
    }

  update = kf_connection_copy (self->connection);
  kf_test_result_apply_to_connection (test, update);
  self->host_key_verified = kf_test_result_get_host_key_verified (test);
  self->ssh_login_ok = kf_test_result_get_ok (test);

  if (kf_truenas_remote_user_shell_is_nologin (self->remote_user) && !self->set_shell)
    {
      /* sshd accepts the key, then the nologin shell refuses the session. */
      self->host_key_verified = FALSE;
      self->ssh_login_ok = FALSE;
      kf_connection_set_test_state (update, KF_TEST_STATE_FAILED);
      self->verify_message = g_strdup_printf (_("Connection “%s” was saved, but the SSH login check failed: %s's login shell on the TrueNAS stays %s, so SSH logins are refused; give the user a real shell in the TrueNAS web UI, then pair again."),
                                              self->name, self->username, self->remote_user->shell);
    }
  else if (kf_test_result_get_ok (test))
    self->verify_message = g_strdup_printf (_("Logged in over SSH; the server showed one of the host keys the TrueNAS reported (%s)."),
                                            kf_test_result_get_host_key_fingerprint (test));
  else
    {
      self->verify_message = g_strdup_printf (_("Connection “%s” was saved, but the SSH login check failed: %s"),
                                              self->name, kf_test_result_get_message (test));
    }
  kf_connection_set_host_key_verified (update, self->host_key_verified);
  add_note (self, self->verify_message);

  if (!kf_store_update_connection (self->store, update, &save_error))
    g_warning ("Could not record the SSH check of %s: %s", self->name, save_error->message);

  finish_run (self, NULL);
}

static void
step_verify (KfSemiautoSetup *self)
{
  g_autofree char *message = g_strdup_printf (_("Logging in over SSH as %s"), self->username);

  set_step (self, KF_SEMIAUTO_STEP_VERIFY_SSH, message);
  kf_ssh_probe_test_async (self->connection, kf_keypair_get_name (self->keypair), private_key (self),
                           run_cancellable (self), on_verified, g_object_ref (self));
}
