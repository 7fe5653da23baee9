/* kf-keypair-actions.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-actions"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-application.h"
#include "kf-errors.h"
#include "kf-keypair-details.h"
#include "kf-keypair-dialog.h"
#include "kf-keypair-download.h"
#include "kf-ui-util.h"
#include "kf-window-private.h"

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
on_worker_done (gpointer  data,
                GObject  *where_the_worker_was)
{
  kf_application_worker_end ();
}

static void
on_worker_started (KfKeypairDialog *dialog,
                   GObject         *worker)
{
  kf_application_worker_begin ();
  g_object_weak_ref (worker, on_worker_done, NULL);
}

static void
add_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypairDialog *dialog = kf_keypair_dialog_new (GTK_WINDOW (window), kf_window_get_vault (window));

  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_keypair_saved), window, G_CONNECT_SWAPPED);
  g_signal_connect (dialog, "worker-started", G_CALLBACK (on_worker_started), NULL);
  kf_ui_present_dialog (GTK_WINDOW (dialog));
}

/* Edit */

static void
on_renamed (KfWindow *window)
{
  /* The Connections list shows key pair names too. */
  kf_window_refresh_page (window, FALSE);
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
  kf_ui_present_dialog (GTK_WINDOW (details));
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

/* Who hears how a deletion ended, and of which key pair: by then the store
 * no longer knows its name. */
typedef struct
{
  KfWindow *window;
  char     *name;
} DeleteOutcome;

static void
delete_outcome_free (DeleteOutcome *outcome)
{
  g_object_unref (outcome->window);
  g_free (outcome->name);
  g_free (outcome);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeleteOutcome, delete_outcome_free)

static void
on_keypair_deleted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(DeleteOutcome) outcome = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *toast = NULL;

  if (!kf_vault_delete_keypair_finish (KF_VAULT (source), result, &error))
    {
      kf_window_show_message (outcome->window, _("Could Not Delete Key Pair"), error->message);
      return;
    }
  /* Translators: %s is the key pair's name. */
  toast = g_strdup_printf (_("Key pair “%s” deleted"), outcome->name);
  kf_window_add_toast (outcome->window, toast);
}

/* What a Delete Key Pair? alert listed. */
typedef struct
{
  KfWindow *window;           /* unowned: the handler goes with the window */
  char     *keypair_id;
  char     *name;
  GStrv     connection_ids;   /* the connections it listed */
} DeleteRequest;

static DeleteRequest *
delete_request_new (KfWindow  *window,
                    KfKeypair *keypair,
                    GPtrArray *connections)
{
  DeleteRequest *request = g_new0 (DeleteRequest, 1);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  for (guint i = 0; i < connections->len; i++)
    g_strv_builder_add (ids, kf_connection_get_id (g_ptr_array_index (connections, i)));
  request->window = window;
  request->keypair_id = g_strdup (kf_keypair_get_id (keypair));
  request->name = g_strdup (kf_keypair_get_name (keypair));
  request->connection_ids = g_strv_builder_end (ids);
  return request;
}

static void
delete_request_free (DeleteRequest *request)
{
  g_free (request->keypair_id);
  g_free (request->name);
  g_strfreev (request->connection_ids);
  g_free (request);
}

/* Whether the connections using the key pair are still those listed. */
static gboolean
same_users (KfStore       *store,
            DeleteRequest *request)
{
  g_autoptr(GPtrArray) users = kf_store_list_connections_using (store, request->keypair_id);
  const char * const *listed = (const char * const *) request->connection_ids;

  if (users->len != g_strv_length (request->connection_ids))
    return FALSE;
  for (guint i = 0; i < users->len; i++)
    if (!g_strv_contains (listed, kf_connection_get_id (g_ptr_array_index (users, i))))
      return FALSE;
  return TRUE;
}

static void
on_delete_chosen (GtkWidget     *dialog,
                  const char    *response,
                  DeleteRequest *request)
{
  KfWindow *window = request->window;
  DeleteOutcome *outcome;

  /* Delete exactly what the user saw listed. If the set of connections
   * using the key pair changed meanwhile, ask again rather than delete
   * something unlisted. The vault unlocks the keyring first, then removes
   * the key pair and its connections in one store transaction, then the
   * secret: a refusal leaves everything in place. */
  if (!same_users (kf_window_get_store (window), request))
    {
      kf_window_show_message (window, _("Key Pair Not Deleted"),
                              _("The connections that use this key pair changed meanwhile; delete it again to review them."));
      return;
    }

  outcome = g_new0 (DeleteOutcome, 1);
  outcome->window = g_object_ref (window);
  outcome->name = g_strdup (request->name);
  kf_vault_delete_keypair_async (kf_window_get_vault (window), request->keypair_id, TRUE, NULL,
                                 on_keypair_deleted, outcome);
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
  kf_alert_connect_response (dialog, "delete", G_CALLBACK (on_delete_chosen),
                             delete_request_new (window, keypair, users),
                             (GDestroyNotify) delete_request_free, window);
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
