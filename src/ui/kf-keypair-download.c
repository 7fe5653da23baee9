/* kf-keypair-download.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-download"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-key-export.h"
#include "kf-keypair-download.h"
#include "kf-keyring.h"
#include "kf-ui-util.h"

typedef struct
{
  GtkWindow *parent;
  KfVault   *vault;
  KfKeypair *keypair;
  char      *path;
  gboolean   with_private;
} Download;

static void
download_free (Download *download)
{
  g_clear_object (&download->parent);
  g_clear_object (&download->vault);
  g_clear_object (&download->keypair);
  g_free (download->path);
  g_free (download);
}

static void
download_done (GTask        *task,
               const GError *error)
{
  Download *download = g_task_get_task_data (task);

  if (error != NULL)
    {
      kf_ui_show_message (download->parent, _("Could Not Save Key Pair"), error->message);
      g_task_return_error (task, g_error_copy (error));
    }
  else
    {
      g_autofree char *message = NULL;

      g_autofree char *folder = g_path_get_dirname (download->path);
      g_autofree char *base = g_path_get_basename (download->path);

      if (download->with_private)
        /* Translators: a folder, then the private key's file name, which the
         * public key's file name repeats with ".pub". */
        message = g_strdup_printf (_("Key pair saved in “%s” as “%s” and “%s.pub”"), folder, base, base);
      else
        /* Translators: a folder, then the public key's file name without ".pub". */
        message = g_strdup_printf (_("Public key saved in “%s” as “%s.pub”"), folder, base);
      kf_ui_add_toast (GTK_WIDGET (download->parent), message);
      g_task_return_boolean (task, TRUE);
    }
}

static void
on_export_written (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  kf_key_export_write_finish (result, &error);
  download_done (task, error);
}

static void
write_files (GTask      *task,
             const char *private_key)
{
  Download *download = g_task_get_task_data (task);

  /* The export copies the private key and wipes its copy. Nothing is
   * replaced: the user picked a folder, not these files. */
  kf_key_export_write_async (download->path, private_key, kf_keypair_get_public_key (download->keypair),
                             FALSE, g_task_get_cancellable (task), on_export_written, g_object_ref (task));
}

static void
on_private_key_for_download (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) secret = kf_vault_get_private_key_finish (KF_VAULT (source), result, &error);

  if (secret == NULL)
    {
      download_done (task, error);
      return;
    }

  write_files (task, secret);
}

void
kf_keypair_download_to_file_async (GtkWindow           *parent,
                                   KfVault             *vault,
                                   KfKeypair           *keypair,
                                   GFile               *file,
                                   gboolean             with_private,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Download *download;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (KF_IS_VAULT (vault));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (parent, NULL, callback, user_data);
  g_task_set_source_tag (task, kf_keypair_download_to_file_async);
  download = g_new0 (Download, 1);
  download->parent = g_object_ref (parent);
  download->vault = g_object_ref (vault);
  download->keypair = g_object_ref (keypair);
  download->path = g_file_get_path (file);
  download->with_private = with_private && kf_keypair_get_has_private_key (keypair);
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);

  if (download->path == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("Choose a folder on this computer to save the key pair in."));
      download_done (task, error);
      return;
    }

  /* Public key only: the keyring is not even asked. */
  if (download->with_private)
    kf_vault_get_private_key_async (vault, keypair, NULL, on_private_key_for_download, g_steal_pointer (&task));
  else
    write_files (task, NULL);
}

gboolean
kf_keypair_download_to_file_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_keypair_download_to_file_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_download_chosen (GtkNativeDialog *chooser,
                    int              response,
                    gpointer         user_data)
{
  Download *request = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *file_name = kf_key_export_file_name (kf_keypair_get_name (request->keypair));
      g_autoptr(GFile) file = folder != NULL ? g_file_get_child (folder, file_name) : NULL;

      if (file != NULL)
        kf_keypair_download_to_file_async (request->parent, request->vault, request->keypair, file,
                                           request->with_private, NULL, NULL);
    }

  download_free (request);
  g_object_unref (chooser);
}

static void
choose_folder (Download *request)
{
  g_autoptr(GFile) home = NULL;
  GtkFileChooserNative *chooser;

  /* A folder, not a file: two files are written (NAME and NAME.pub), and in
   * the Flatpak the FileChooser portal grants access to exactly what was
   * chosen, so a chosen file's ".pub" neighbour would never reach the host. */
  chooser = gtk_file_chooser_native_new (request->with_private ? _("Download Key Pair") : _("Download Public Key"),
                                         request->parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Save Here"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* A folder of our choosing: without one GTK's own dialog picks its startup
   * folder while it maps and changes it again before its path bar has shown
   * the first (GTK 4.18-4.24 then removes path bar buttons it never added). */
  home = g_file_new_for_path (g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), home, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_download_chosen), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_what_chosen (GtkWidget  *alert,
                const char *response,
                Download   *request)
{
  if (g_strcmp0 (response, "cancel") == 0)
    {
      download_free (request);
      return;
    }
  request->with_private = g_strcmp0 (response, "both") == 0;
  choose_folder (request);
}

void
kf_keypair_download (GtkWindow *parent,
                     KfVault   *vault,
                     KfKeypair *keypair)
{
  g_autofree char *body = NULL;
  GtkWidget *alert;
  Download *request;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  request = g_new0 (Download, 1);
  request->parent = g_object_ref (parent);
  request->vault = g_object_ref (vault);
  request->keypair = g_object_ref (keypair);

  if (!kf_keypair_get_has_private_key (keypair))
    {
      choose_folder (request);
      return;
    }

  /* The private key leaves the keyring unencrypted: the user chooses that,
   * knowing it, or takes the public key alone. */
  body = g_strdup_printf (_("The private key of “%s” would be saved without a passphrase, in a file only you may read. Anyone who gets a copy of it can log in wherever this key pair is accepted. The public key alone is safe to share."),
                          kf_keypair_get_name (keypair));
  alert = kf_alert_new (_("Download Key Pair?"), body);
  kf_alert_add_responses (alert, "cancel", _("_Cancel"),
                          "public", _("_Public Key Only"),
                          "both", _("Public and _Private Key"),
                          NULL);
  kf_alert_set_response_appearance (alert, "both", ADW_RESPONSE_DESTRUCTIVE);
  kf_alert_set_default_response (alert, "public");
  kf_alert_set_close_response (alert, "cancel");
  g_signal_connect (alert, "response", G_CALLBACK (on_what_chosen), request);
  kf_alert_present (alert, GTK_WIDGET (parent));
}
