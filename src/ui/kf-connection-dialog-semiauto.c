/* kf-connection-dialog-semiauto.c: the semi-automatic setup of
 * KfConnectionDialog: runs KfSemiautoSetup with the form, shows its progress,
 * asks for a one-time password or to trust a certificate when it needs to.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-dialog"

#include <glib/gi18n.h>

#include "kf-certificate-prompt.h"
#include "kf-change-prompt.h"
#include "kf-connection-dialog-private.h"
#include "kf-errors.h"
#include "kf-otp-prompt.h"
#include "kf-secret.h"
#include "kf-semiauto-setup.h"
#include "kf-truenas-certificate.h"

static void
on_setup_progress (KfConnectionDialog *self,
                   int                 step,
                   const char         *message)
{
  /* The setup's own messages are for logs (untranslated): say it here. */
  const char *admin = kf_connection_dialog_text_of (self->admin_username_row);
  const char *user = kf_connection_dialog_text_of (self->username_row);
  g_autofree char *text = NULL;

  switch ((KfSemiautoStep) step)
    {
    case KF_SEMIAUTO_STEP_CHECK:
      text = g_strdup (_("Checking the form…"));
      break;
    case KF_SEMIAUTO_STEP_GENERATE_KEY:
      text = g_strdup (_("Generating a new key pair…"));
      break;
    case KF_SEMIAUTO_STEP_CONNECT:
      /* Translators: %s is the TrueNAS URL. */
      text = g_strdup_printf (_("Connecting to %s…"), kf_connection_dialog_text_of (self->url_row));
      break;
    case KF_SEMIAUTO_STEP_LOGIN:
      /* Translators: %s is the admin user name. */
      text = g_strdup_printf (_("Logging in as %s…"), admin);
      break;
    case KF_SEMIAUTO_STEP_WAIT_OTP:
      text = g_strdup (_("Waiting for the one-time password…"));
      break;
    case KF_SEMIAUTO_STEP_WAIT_CONFIRM:
      text = g_strdup (_("Waiting for your answer…"));
      break;
    case KF_SEMIAUTO_STEP_ROLLBACK:
      text = g_strdup (_("Taking the changes on the TrueNAS back…"));
      break;
    case KF_SEMIAUTO_STEP_PAIR:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Installing the public key for %s…"), user);
      break;
    case KF_SEMIAUTO_STEP_UPDATE_USER:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Updating user %s on the TrueNAS…"), user);
      break;
    case KF_SEMIAUTO_STEP_SAVE:
      text = g_strdup (_("Saving the connection…"));
      break;
    case KF_SEMIAUTO_STEP_VERIFY_SSH:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Logging in over SSH as %s…"), user);
      break;
    case KF_SEMIAUTO_STEP_IDLE:
    case KF_SEMIAUTO_STEP_DONE:
    default:
      text = g_strdup (message ? message : "");
      break;
    }
  gtk_label_set_text (self->progress_label, text);
}

static void
on_otp_entered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(KfSecret) otp = kf_otp_prompt_run_finish (result, NULL);

  if (!self->disposed && self->setup != NULL)
    kf_semiauto_setup_provide_otp (self->setup, otp);
}

static void
on_otp_requested (KfConnectionDialog *self,
                  const char         *message)
{
  kf_otp_prompt_run_async (GTK_WIDGET (self), message, NULL, on_otp_entered, g_object_ref (self));
}

static void
on_change_answered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  gboolean agreed = kf_change_prompt_run_finish (result);

  if (!self->disposed && self->setup != NULL)
    kf_semiauto_setup_confirm (self->setup, agreed);
}

/* The login shell, sudo or the SSH service: nothing beyond the key changes
 * on the TrueNAS unless the user agrees. */
static void
on_confirm_change (KfConnectionDialog *self,
                   const char         *id,
                   const char         *message)
{
  kf_change_prompt_run_async (GTK_WIDGET (self), id, message, on_change_answered, g_object_ref (self));
}

/* The certificate error while its prompt is open (a GError). */
#define CERTIFICATE_ERROR_KEY "kf-certificate-error"

static void
on_certificate_trusted (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autofree char *pin = kf_certificate_prompt_run_finish (result, NULL);

  if (self->disposed)
    return;
  /* Declined: now the refusal is the user's decision, and said as an error. */
  if (pin == NULL)
    {
      const GError *refused = g_object_get_data (G_OBJECT (self), CERTIFICATE_ERROR_KEY);

      if (refused != NULL)
        kf_connection_dialog_show_error (self, refused);
      return;
    }
  g_free (self->tls_pin);
  self->tls_pin = g_steal_pointer (&pin);
  g_free (self->tls_pin_url);
  self->tls_pin_url = g_strdup (kf_connection_dialog_text_of (self->url_row));
  kf_connection_dialog_update_certificate_note (self);
  kf_connection_dialog_run_semiauto (self);
}

/* An HA standby named its active controller: one click puts it in the URL field. */
static void
offer_active_controller (KfConnectionDialog *self,
                         const char         *url)
{
  g_autofree char *label = NULL;

  g_free (self->active_url);
  self->active_url = g_strdup (url);
  gtk_widget_set_visible (GTK_WIDGET (self->use_active_button), url != NULL);
  if (url == NULL)
    return;
  /* Translators: %s is the URL of the active controller of a TrueNAS HA pair. */
  label = g_strdup_printf (_("_Use %s"), url);
  gtk_button_set_label (self->use_active_button, label);
  /* The label's text is without the mnemonic underscore. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->use_active_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  gtk_label_get_text (GTK_LABEL (gtk_button_get_child (self->use_active_button))), -1);
}

void
kf_connection_dialog_on_use_active_clicked (KfConnectionDialog *self)
{
  g_autofree char *url = g_strdup (self->active_url);

  if (url == NULL)
    return;
  kf_connection_dialog_clear_errors (self);
  offer_active_controller (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), url);
  gtk_widget_grab_focus (GTK_WIDGET (self->url_row));
}

const char *
kf_connection_dialog_pin_for_url (KfConnectionDialog *self)
{
  /* Trusted for another URL it says nothing about this one: the other
   * server would be reported as a changed certificate. */
  if (self->tls_pin == NULL
      || g_strcmp0 (self->tls_pin_url, kf_connection_dialog_text_of (self->url_row)) != 0)
    return NULL;
  return self->tls_pin;
}

void
kf_connection_dialog_update_certificate_note (KfConnectionDialog *self)
{
  const char *pin = kf_connection_dialog_pin_for_url (self);
  g_autofree char *display = NULL;
  g_autofree char *text = NULL;

  if (pin != NULL && !kf_connection_dialog_is_manual (self))
    {
      display = kf_truenas_certificate_pin_to_display (pin);
      /* Translators: %s is a certificate's SHA-256 fingerprint (AB:CD:…). */
      text = g_strdup_printf (_("The certificate you trusted earlier for this URL is used again, without asking: %s. "
                                "If the TrueNAS shows another one, you are asked."), display);
    }
  kf_connection_dialog_show_label (self->certificate_note, text);
}

gboolean
kf_connection_dialog_uses_api_key (KfConnectionDialog *self)
{
  return adw_combo_row_get_selected (self->sign_in_row) == SIGN_IN_API_KEY;
}

static void
on_semiauto_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(KfSemiautoSetup) setup = g_object_ref (KF_SEMIAUTO_SETUP (source));
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = kf_semiauto_setup_run_finish (setup, result, &error);
  const char * const *notes = kf_semiauto_setup_get_notes (setup);

  gboolean cancelled_here;

  g_signal_handlers_disconnect_by_data (setup, self);
  if (self->disposed)
    return;
  cancelled_here = self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
  g_clear_object (&self->setup);
  kf_connection_dialog_set_busy (self, FALSE, NULL);
  if (notes != NULL && notes[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) notes);
      kf_connection_dialog_show_label (self->url_note, joined);
    }

  if (connection == NULL)
    {
      KfTruenasCertificate *certificate = kf_semiauto_setup_get_peer_certificate (setup);

      /* Cancelled here: the user knows. Declined a change: say that nothing changed. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && cancelled_here)
        return;
      offer_active_controller (self, kf_semiauto_setup_get_redirect_url (setup));
      /* A certificate to decide on is asked about, not shown as an error
       * before the user has decided anything (issue 11, defect 5). */
      if (certificate != NULL
          && (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE)
              || g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED)))
        {
          g_object_set_data_full (G_OBJECT (self), CERTIFICATE_ERROR_KEY, g_error_copy (error),
                                  (GDestroyNotify) g_error_free);
          kf_certificate_prompt_run_async (GTK_WIDGET (self), certificate,
                                           g_error_matches (error, KF_TRUENAS_ERROR,
                                                            KF_TRUENAS_ERROR_CERTIFICATE_CHANGED),
                                           on_certificate_trusted, g_object_ref (self));
          return;
        }
      kf_connection_dialog_show_error (self, error);
      return;
    }

  kf_connection_dialog_finish_saved (self, connection,
                                     kf_semiauto_setup_get_ssh_login_ok (setup) ? NULL : kf_semiauto_setup_get_verify_message (setup));
}

void
kf_connection_dialog_run_semiauto (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) scratch = kf_connection_new (NULL);
  const char *keypair_id = kf_connection_dialog_selected_keypair_id (self);
  const char *otp = kf_connection_dialog_text_of (self->otp_row);
  gboolean api_key = kf_connection_dialog_uses_api_key (self);

  kf_connection_dialog_clear_errors (self);
  if (!kf_connection_dialog_read_common (self, scratch, &error))
    {
      kf_connection_dialog_show_error (self, error);
      return;
    }
  if (api_key && *kf_connection_dialog_text_of (self->admin_api_key_row) == '\0')
    {
      kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->admin_api_key_row), self->semi_error,
                                          _("Enter an API key of the TrueNAS admin user; it is used once and not stored."));
      return;
    }
  if (!api_key && *kf_connection_dialog_text_of (self->admin_password_row) == '\0')
    {
      kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->admin_password_row), self->semi_error,
                                          _("Enter the admin password of the TrueNAS; it is used once and not stored."));
      return;
    }
  offer_active_controller (self, NULL);

  g_clear_object (&self->setup);
  if (self->pairing_again)
    self->setup = kf_semiauto_setup_new_pair_again (self->vault, self->editing);
  else
    {
      self->setup = kf_semiauto_setup_new (self->vault);
      kf_semiauto_setup_set_name (self->setup, kf_connection_get_name (scratch));
      kf_semiauto_setup_set_url (self->setup, kf_connection_dialog_text_of (self->url_row));
      if (keypair_id == NULL || *keypair_id == '\0')
        kf_semiauto_setup_set_generate_key (self->setup, KF_KEY_TYPE_ED25519, 0);
      else
        kf_semiauto_setup_set_keypair_id (self->setup, keypair_id);
    }
  kf_semiauto_setup_set_admin_username (self->setup, kf_connection_dialog_text_of (self->admin_username_row));
  if (api_key)
    kf_semiauto_setup_set_admin_api_key (self->setup, kf_connection_dialog_text_of (self->admin_api_key_row));
  else
    {
      kf_semiauto_setup_set_admin_password (self->setup, kf_connection_dialog_text_of (self->admin_password_row));
      if (*otp != '\0')
        kf_semiauto_setup_set_otp (self->setup, otp);
    }
  kf_semiauto_setup_set_username (self->setup, kf_connection_get_username (scratch));
  kf_semiauto_setup_set_sudo_zfs (self->setup,
                                  gtk_widget_get_visible (GTK_WIDGET (self->sudo_row))
                                  && gtk_switch_get_active (self->sudo_switch));
  kf_semiauto_setup_set_connect_timeout (self->setup, kf_connection_get_connect_timeout (scratch));
  if (kf_connection_dialog_pin_for_url (self) != NULL)
    kf_semiauto_setup_set_tls_pin (self->setup, kf_connection_dialog_pin_for_url (self));

  g_signal_connect_swapped (self->setup, "progress", G_CALLBACK (on_setup_progress), self);
  g_signal_connect_swapped (self->setup, "otp-requested", G_CALLBACK (on_otp_requested), self);
  g_signal_connect_swapped (self->setup, "confirm-change", G_CALLBACK (on_confirm_change), self);
  self->cancellable = g_cancellable_new ();
  kf_connection_dialog_set_busy (self, TRUE, _("Connecting to the TrueNAS…"));
  kf_semiauto_setup_run_async (self->setup, self->cancellable, on_semiauto_done, g_object_ref (self));
}

void
kf_connection_dialog_on_pair_again_clicked (KfConnectionDialog *self)
{
  self->pairing_again = TRUE;
  kf_connection_dialog_run_semiauto (self);
}
