/* kf-connection-actions.c: what the main window does with connections.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-actions"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-application.h"
#include "kf-connection-dialog.h"
#include "kf-connection-ops.h"
#include "kf-test-dialog.h"
#include "kf-ui-util.h"
#include "kf-window-private.h"

static KfConnection *
lookup (KfWindow *window,
        GVariant *parameter)
{
  return kf_store_find_connection (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
}

/* ---- add / edit ------------------------------------------------------------ */

/* The test after Save has recorded its outcome on the stored connection,
 * which the list shows; one that could not start leaves it "Never". */
static void
on_saved_tested (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KfWindow) window = user_data;
  g_autoptr(KfTestResult) tested = NULL;
  g_autoptr(GError) error = NULL;

  tested = kf_connection_ops_test_finish (result, &error);
  if (tested == NULL)
    g_debug ("No test after saving: %s", error->message);
  kf_application_worker_end ();
}

/* Quitting waits for the test (its SSH session runs in a worker thread);
 * closing the window cancels it. */
static void
test_after_save (KfWindow     *window,
                 KfConnection *connection)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_signal_connect_object (window, "destroy", G_CALLBACK (g_cancellable_cancel), cancellable, G_CONNECT_SWAPPED);
  kf_application_worker_begin ();
  kf_connection_ops_test_async (kf_window_get_vault (window), connection, cancellable,
                                on_saved_tested, g_object_ref (window));
}

static void
on_dialog_saved (KfConnectionDialog *dialog,
                 KfConnection       *connection,
                 const char         *warning,
                 KfWindow           *window)
{
  g_autofree char *toast = NULL;

  /* A manual connection is tested after Save as a semi-automatic one is
   * during its setup (issue 11, defect 9), in the background. */
  if (kf_connection_get_setup_method (connection) == KF_SETUP_METHOD_MANUAL)
    test_after_save (window, connection);

  /* Saved, but logging in over SSH failed: a warning with the reason, never a success toast. */
  if (warning != NULL)
    {
      kf_window_show_message (window, _("SSH Login Check Failed"), warning);
      return;
    }
  toast = g_strdup_printf (_("Connection “%s” saved"), kf_connection_get_name (connection));
  kf_window_add_toast (window, toast);
}

static void
open_dialog (KfWindow     *window,
             KfConnection *connection)
{
  KfConnectionDialog *dialog = kf_connection_dialog_new (GTK_WINDOW (window), kf_window_get_vault (window),
                                                         connection);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved), window, 0);
  kf_ui_present_dialog (GTK_WINDOW (dialog));
}

static void
add_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  open_dialog (KF_WINDOW (user_data), NULL);
}

static void
edit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);

  if (connection != NULL)
    open_dialog (window, connection);
}

/* ---- test ------------------------------------------------------------------ */

static void
test_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);
  g_autoptr(KfTestDialog) dialog = NULL;

  if (connection == NULL)
    return;

  dialog = kf_test_dialog_new (kf_window_get_vault (window), connection);
  kf_test_dialog_present (dialog, GTK_WIDGET (window));
}

/* ---- copy command ---------------------------------------------------------- */

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

  command = kf_connection_ops_ssh_command (kf_window_get_store (window), connection);
  kf_ui_copy_text (GTK_WIDGET (window), command);
  kf_window_add_toast (window, _("SSH command copied"));
}

/* ---- delete ---------------------------------------------------------------- */

static void
on_deleted (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(KfWindow) window = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_connection_ops_delete_finish (result, &error))
    kf_window_show_message (window, _("Could Not Delete Connection"), error->message);
  else
    kf_window_add_toast (window, _("Connection deleted"));
}

/* What a Delete Connection? alert asked about. */
typedef struct
{
  KfWindow *window;         /* unowned: the handler goes with the window */
  char     *connection_id;
  gboolean  with_keypair;
} DeleteRequest;

static DeleteRequest *
delete_request_new (KfWindow     *window,
                    KfConnection *connection,
                    gboolean      with_keypair)
{
  DeleteRequest *request = g_new0 (DeleteRequest, 1);

  request->window = window;
  request->connection_id = g_strdup (kf_connection_get_id (connection));
  request->with_keypair = with_keypair;
  return request;
}

static void
delete_request_free (DeleteRequest *request)
{
  g_free (request->connection_id);
  g_free (request);
}

static void
on_delete_chosen (GtkWidget     *dialog,
                  const char    *response,
                  DeleteRequest *request)
{
  KfWindow *window = request->window;
  KfConnection *connection = kf_store_find_connection (kf_window_get_store (window), request->connection_id);

  if (connection == NULL)
    return;
  kf_connection_ops_delete_async (kf_window_get_vault (window), connection, request->with_keypair, NULL,
                                  on_deleted, g_object_ref (window));
}

static void
connect_delete (GtkWidget    *dialog,
                const char   *response,
                KfWindow     *window,
                KfConnection *connection,
                gboolean      with_keypair)
{
  kf_alert_connect_response (dialog, response, G_CALLBACK (on_delete_chosen),
                             delete_request_new (window, connection, with_keypair),
                             (GDestroyNotify) delete_request_free, window);
}

static void
delete_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);
  KfKeypair *keypair;
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (connection == NULL)
    return;

  keypair = kf_connection_ops_get_exclusive_keypair (kf_window_get_store (window), connection);
  if (keypair != NULL)
    /* Translators: the first %s is a connection name, the second a key pair name. */
    body = g_strdup_printf (_("“%s” will be removed from Keyferry; nothing changes on the server. No other connection uses its key pair “%s”: you can delete it too, which also removes its private key from the keyring."),
                            kf_connection_get_name (connection), kf_keypair_get_name (keypair));
  else
    /* Translators: %s is a connection name. */
    body = g_strdup_printf (_("“%s” will be removed from Keyferry. Its key pair is kept, and nothing changes on the server."),
                            kf_connection_get_name (connection));
  dialog = kf_alert_new (_("Delete Connection?"), body);
  kf_alert_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  if (keypair != NULL)
    {
      kf_alert_add_response (dialog, "delete-both", _("Delete With _Key Pair"));
      kf_alert_set_response_appearance (dialog, "delete-both", ADW_RESPONSE_DESTRUCTIVE);
    }
  kf_alert_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  kf_alert_set_default_response (dialog, "cancel");
  kf_alert_set_close_response (dialog, "cancel");
  connect_delete (dialog, "delete", window, connection, FALSE);
  if (keypair != NULL)
    connect_delete (dialog, "delete-both", window, connection, TRUE);
  kf_alert_present (dialog, GTK_WIDGET (window));
}

static const GActionEntry entries[] = {
  { "connection-add", add_activated },
  { "connection-edit", edit_activated, "s" },
  { "connection-test", test_activated, "s" },
  { "connection-copy-command", copy_command_activated, "s" },
  { "connection-delete", delete_activated, "s" },
};

void
kf_connection_actions_install (KfWindow *window)
{
  g_return_if_fail (KF_IS_WINDOW (window));

  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
}
