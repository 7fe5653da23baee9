/* kf-keypair-actions.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-actions"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-errors.h"
#include "kf-key-export.h"
#include "kf-keypair-actions.h"
#include "kf-keypair-details.h"
#include "kf-keypair-dialog.h"
#include "kf-keyring.h"
#include "kf-ui-util.h"

static KfKeypair *
lookup (KfWindow *window,
        GVariant *parameter)
{
  return kf_store_find_keypair (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
}

/* Add */

static void
on_keypair_saved (KfWindow  *window,
                  KfKeypair *keypair)
{
  g_autofree char *message = NULL;

  kf_window_set_visible_page (window, "keypairs");
  /* Translators: %s is a key pair name. */
  message = g_strdup_printf (_("Key pair “%s” added"), kf_keypair_get_name (keypair));
  kf_window_add_toast (window, message);
}

static void
add_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypairDialog *dialog = kf_keypair_dialog_new (GTK_WINDOW (window), kf_window_get_vault (window));

  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_keypair_saved), window, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Edit */

static void
on_renamed (KfWindow *window)
{
  /* The Connections list shows key pair names too. */
  kf_list_page_refresh (kf_window_get_connections_page (window));
}

static void
edit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = lookup (window, parameter);
  KfKeypairDetails *details;

  if (keypair == NULL)
    return;

  details = kf_keypair_details_new (GTK_WINDOW (window), kf_window_get_vault (window), keypair);
  g_signal_connect_object (details, "renamed", G_CALLBACK (on_renamed), window, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (details));
}

/* Copy */

static void
copy_public_key_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = lookup (window, parameter);

  if (keypair == NULL)
    return;

  kf_ui_copy_text (GTK_WIDGET (window), kf_keypair_get_public_key (keypair));
  kf_window_add_toast (window, _("Public key copied"));
}

/* Download */

typedef struct
{
  GtkWindow *parent;
  KfVault   *vault;
  KfKeypair *keypair;
  char      *path;
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

      /* Translators: a folder, then the private key's file name, which the
       * public key's file name repeats with ".pub". */
      message = g_strdup_printf (_("Key pair saved in “%s” as “%s” and “%s.pub”"), folder, base, base);
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
  g_task_set_task_data (task, download, (GDestroyNotify) download_free);

  if (download->path == NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                                                     _("Choose a folder on this computer to save the key pair in."));
      download_done (task, error);
      return;
    }

  if (kf_keypair_get_has_private_key (keypair))
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
        kf_keypair_download_to_file_async (request->parent, request->vault, request->keypair, file, NULL, NULL);
    }

  download_free (request);
  g_object_unref (chooser);
}

void
kf_keypair_download (GtkWindow *parent,
                     KfVault   *vault,
                     KfKeypair *keypair)
{
  g_autoptr(GFile) home = NULL;
  GtkFileChooserNative *chooser;
  Download *request;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  /* A folder, not a file: two files are written (NAME and NAME.pub), and in
   * the Flatpak the FileChooser portal grants access to exactly what was
   * chosen, so a chosen file's ".pub" neighbour would never reach the host. */
  chooser = gtk_file_chooser_native_new (_("Download Key Pair"), parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Save Here"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  /* A folder of our choosing: without one GTK's own dialog picks its startup
   * folder while it maps and changes it again before its path bar has shown
   * the first (GTK 4.18-4.24 then removes path bar buttons it never added). */
  home = g_file_new_for_path (g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), home, NULL);

  request = g_new0 (Download, 1);
  request->parent = g_object_ref (parent);
  request->vault = g_object_ref (vault);
  request->keypair = g_object_ref (keypair);
  g_signal_connect (chooser, "response", G_CALLBACK (on_download_chosen), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
download_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = lookup (window, parameter);

  if (keypair != NULL)
    kf_keypair_download (GTK_WINDOW (window), kf_window_get_vault (window), keypair);
}

/* Delete */

static void
on_keypair_deleted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KfWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_vault_delete_keypair_finish (KF_VAULT (source), result, &error))
    kf_window_show_message (window, _("Could Not Delete Key Pair"), error->message);
  else
    kf_window_add_toast (window, _("Key pair deleted"));
}

/* The ids the dialog listed, as a NULL-terminated array. */
static GStrv
connection_ids (GPtrArray *connections)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < connections->len; i++)
    g_strv_builder_add (builder, kf_connection_get_id (g_ptr_array_index (connections, i)));
  return g_strv_builder_end (builder);
}

static void
on_delete_response (GtkWidget        *dialog,
                    const char       *response,
                    KfWindow         *window)
{
  const char *keypair_id = g_object_get_data (G_OBJECT (dialog), "kf-keypair-id");
  const char * const *listed = g_object_get_data (G_OBJECT (dialog), "kf-connection-ids");
  KfStore *store = kf_window_get_store (window);

  if (g_strcmp0 (response, "delete") != 0)
    return;

  /* Delete exactly what the user saw listed. If the set of connections
   * using the key pair changed meanwhile, ask again rather than delete
   * something unlisted. The vault unlocks the keyring first, then removes
   * the key pair and its connections in one store transaction, then the
   * secret: a refusal leaves everything in place. */
  {
    g_autoptr(GPtrArray) users = kf_store_list_connections_using (store, keypair_id);
    guint n_listed = g_strv_length ((char **) listed);
    gboolean same = users->len == n_listed;

    for (guint i = 0; same && i < users->len; i++)
      same = g_strv_contains (listed, kf_connection_get_id (g_ptr_array_index (users, i)));
    if (!same)
      {
        kf_window_show_message (window, _("Key Pair Not Deleted"),
                                _("The connections that use this key pair changed meanwhile; delete it again to review them."));
        return;
      }
  }

  kf_vault_delete_keypair_async (kf_window_get_vault (window), keypair_id, TRUE, NULL,
                                 on_keypair_deleted, g_object_ref (window));
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = lookup (window, parameter);
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GString) body = NULL;
  GtkWidget *dialog;
  const char *name;

  if (keypair == NULL)
    return;

  name = kf_keypair_get_name (keypair);
  users = kf_store_list_connections_using (kf_window_get_store (window), kf_keypair_get_id (keypair));
  body = g_string_new (NULL);

  if (users->len == 0)
    {
      /* Translators: %s is a key pair name. */
      g_string_append_printf (body, _("“%s” will be removed from Keyferry, and its private key from the keyring."), name);
    }
  else
    {
      g_string_append_printf (body,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "“%s” is used by this connection, which will be deleted too:",
                                           "“%s” is used by these connections, which will be deleted too:",
                                           users->len),
                              name);
      g_string_append_c (body, '\n');
      for (guint i = 0; i < users->len; i++)
        g_string_append_printf (body, "\n• %s", kf_connection_get_name (g_ptr_array_index (users, i)));
    }

  dialog = kf_alert_new (_("Delete Key Pair?"), body->str);
  kf_alert_add_response (dialog, "cancel", _("_Cancel"));
  if (users->len == 0)
    kf_alert_add_response (dialog, "delete", _("_Delete"));
  else
    kf_alert_add_response (dialog, "delete",
                           g_dngettext (GETTEXT_PACKAGE,
                                        "_Delete Key Pair and Connection",
                                        "_Delete Key Pair and Connections",
                                        users->len));
  kf_alert_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  kf_alert_set_default_response (dialog, "cancel");
  kf_alert_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "kf-keypair-id", g_strdup (kf_keypair_get_id (keypair)), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "kf-connection-ids", connection_ids (users), (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), window, 0);
  kf_alert_present (dialog, GTK_WIDGET (window));
}

static const GActionEntry entries[] = {
  { "keypair-add", add_activated },
  { "keypair-edit", edit_activated, "s" },
  { "keypair-copy-public-key", copy_public_key_activated, "s" },
  { "keypair-download", download_activated, "s" },
  { "keypair-delete", delete_activated, "s" },
};

void
kf_keypair_actions_install (KfWindow *window)
{
  g_return_if_fail (KF_IS_WINDOW (window));

  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
}
