/* kf-connection-actions.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-actions"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-connection-actions.h"
#include "kf-ui-util.h"

/* Quote only what a shell would split or expand: the usual
 * "ssh root@nas.local" stays readable. */
static char *
shell_word (const char *word)
{
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("@._:%+-/=,", *p) == NULL)
      return g_shell_quote (word);

  return g_strdup (word);
}

char *
kf_connection_dup_ssh_command (KfConnection *connection)
{
  g_autofree char *target = NULL;
  g_autofree char *quoted = NULL;
  const char *username;
  guint port;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);

  username = kf_connection_get_username (connection);
  port = kf_connection_get_port (connection);
  if (username != NULL && *username != '\0')
    target = g_strdup_printf ("%s@%s", username, kf_connection_get_host (connection));
  else
    target = g_strdup (kf_connection_get_host (connection));
  quoted = shell_word (target);

  if (port != KF_CONNECTION_DEFAULT_PORT)
    return g_strdup_printf ("ssh -p %u %s", port, quoted);
  return g_strdup_printf ("ssh %s", quoted);
}

static KfConnection *
lookup (KfWindow *window,
        GVariant *parameter)
{
  return kf_store_find_connection (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
}

static void
copy_command_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);
  g_autofree char *command = NULL;

  if (connection == NULL)
    return;

  command = kf_connection_dup_ssh_command (connection);
  kf_ui_copy_text (GTK_WIDGET (window), command);
  kf_window_add_toast (window, _("SSH command copied"));
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    KfWindow         *window)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "kf-connection-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  if (!kf_store_remove_connection (kf_window_get_store (window), id, &error))
    kf_window_show_message (window, _("Could Not Delete Connection"), error->message);
  else
    kf_window_add_toast (window, _("Connection deleted"));
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (connection == NULL)
    return;

  /* Translators: %s is a connection name. */
  body = g_strdup_printf (_("“%s” will be removed from Keyferry. Its key pair is kept, and nothing changes on the server."),
                          kf_connection_get_name (connection));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (window), _("Delete Connection?"), body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "kf-connection-id",
                          g_strdup (kf_connection_get_id (connection)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), window, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static const GActionEntry entries[] = {
  { "connection-copy-command", copy_command_activated, "s" },
  { "connection-delete", delete_activated, "s" },
};

void
kf_connection_actions_install (KfWindow *window)
{
  g_return_if_fail (KF_IS_WINDOW (window));

  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
}
