/* kf-connection-actions.c: what the main window does with connections.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-actions"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-alert.h"
#include "kf-connection-dialog.h"
#include "kf-connection-ops.h"
#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-ssh-probe.h"
#include "kf-ui-util.h"
#include "kf-window-private.h"

static KfConnection *
lookup (KfWindow *window,
        GVariant *parameter)
{
  return kf_store_find_connection (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
}

/* ---- add / edit ------------------------------------------------------------ */

static void
on_dialog_saved (KfConnectionDialog *dialog,
                 KfConnection       *connection,
                 const char         *warning,
                 KfWindow           *window)
{
  g_autofree char *toast = g_strdup_printf (_("Connection “%s” saved"), kf_connection_get_name (connection));

  kf_window_add_toast (window, toast);
  if (warning != NULL)
    kf_window_show_message (window, _("Host Key Not Verified"), warning);
}

static void
open_dialog (KfWindow     *window,
             KfConnection *connection)
{
  KfConnectionDialog *dialog = kf_connection_dialog_new (GTK_WINDOW (window), kf_window_get_vault (window),
                                                         connection);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved), window, 0);
  gtk_window_present (GTK_WINDOW (dialog));
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
on_test_response (GtkWidget        *dialog,
                  const char       *response,
                  GCancellable     *cancellable)
{
  /* Closing the dialog while the test runs cancels it. */
  g_cancellable_cancel (cancellable);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWidget) dialog = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestResult) test = kf_connection_ops_test_finish (result, &error);
  const char *name = g_object_get_data (G_OBJECT (dialog), "kf-name");
  const char *fingerprint;
  GtkWidget *facts = NULL;

  kf_alert_set_response_label (dialog, "close", _("_Close"));

  if (test == NULL)
    {
      kf_alert_set_extra_child (dialog, NULL);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      kf_alert_set_heading (dialog, _("Could Not Test"));
      kf_alert_set_body (dialog, error->message);
      return;
    }

  fingerprint = kf_test_result_get_host_key_fingerprint (test);
  if (fingerprint != NULL)
    {
      g_autofree char *type = kf_host_key_describe_type (kf_test_result_get_host_key_type (test), 0);
      g_autofree char *title = kf_test_result_get_host_key_verified (test)
        /* Translators: %s is a key type, e.g. "Ed25519". */
        ? g_strdup_printf (_("Host Key (%s, matches the stored one)"), type)
        : g_strdup_printf (_("Host Key the Server Presented (%s)"), type);

      facts = kf_facts_box_new ();
      gtk_widget_set_name (facts, "test-facts");
      kf_facts_box_add (facts, title, fingerprint, TRUE);
    }

  if (kf_test_result_get_ok (test))
    {
      g_autofree char *timing = kf_test_result_format_timing (test);
      g_autofree char *body = NULL;

      kf_alert_set_heading (dialog, _("Connection Works"));
      /* Translators: %s is a connection name. */
      body = g_strdup_printf (_("Keyferry logged in to “%s” with its key pair and ran a command."), name);
      kf_alert_set_body (dialog, body);
      if (facts != NULL)
        kf_facts_box_add (facts, _("Time"), timing, FALSE);
    }
  else
    {
      const GError *failure = kf_test_result_get_error (test);
      gboolean changed = failure != NULL && g_error_matches (failure, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);

      kf_alert_set_heading (dialog, changed ? _("Host Key Changed!") : _("Connection Failed"));
      if (changed)
        {
          /* Our own words: the core's sentence carries the fingerprints
           * inline, where they break; here they are listed whole. */
          g_autoptr(GPtrArray) stored = kf_host_key_parse_list (g_object_get_data (G_OBJECT (dialog), "kf-host-keys"),
                                                                NULL);

          /* Translators: %s is "host:port". */
          kf_alert_format_body (dialog, _("The server at %s presented a host key that is not one of the stored ones. Unless the server was reinstalled, someone may be intercepting the connection: do not use it until you have compared the fingerprints with the server’s own."),
                                (const char *) g_object_get_data (G_OBJECT (dialog), "kf-address"));
          gtk_widget_add_css_class (GTK_WIDGET (dialog), "kf-host-key-changed");
          for (guint i = 0; stored != NULL && facts != NULL && i < stored->len; i++)
            {
              KfHostKey *key = g_ptr_array_index (stored, i);
              g_autofree char *type = kf_host_key_describe_type (kf_host_key_get_key_type (key),
                                                                 kf_host_key_get_bits (key));
              /* Translators: %s is a key type, e.g. "Ed25519". */
              g_autofree char *title = g_strdup_printf (_("Stored Host Key (%s)"), type);

              kf_facts_box_add (facts, title, kf_host_key_get_fingerprint (key), TRUE);
            }
        }
      else
        kf_alert_set_body (dialog, kf_test_result_get_message (test));
    }
  /* The spinner goes; the facts (if any) take its place. */
  kf_alert_set_extra_child (dialog, facts);
}

static void
test_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  KfWindow *window = user_data;
  KfConnection *connection = lookup (window, parameter);
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *spinner;

  if (connection == NULL)
    return;

  cancellable = g_cancellable_new ();
  body = g_strdup_printf (_("Logging in to %s@%s with the connection’s key pair…"),
                          kf_connection_get_username (connection), kf_connection_get_host (connection));
  dialog = kf_alert_new (_("Testing Connection"), body);
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  kf_alert_set_extra_child (dialog, spinner);
  kf_alert_add_response (dialog, "close", _("_Cancel"));
  kf_alert_set_close_response (dialog, "close");
  g_object_set_data_full (G_OBJECT (dialog), "kf-name", g_strdup (kf_connection_get_name (connection)), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "kf-address",
                          kf_ssh_probe_format_address (kf_connection_get_host (connection),
                                                       kf_connection_get_port (connection)), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "kf-host-keys",
                          kf_connection_get_host_keys (connection)
                          ? g_strjoinv ("\n", (char **) kf_connection_get_host_keys (connection)) : g_strdup (""),
                          g_free);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_test_response),
                         g_object_ref (cancellable), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  kf_alert_present (dialog, GTK_WIDGET (window));

  kf_connection_ops_test_async (kf_window_get_vault (window), connection, cancellable,
                                on_test_done, g_object_ref (dialog));
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

static void
on_delete_response (GtkWidget        *dialog,
                    const char       *response,
                    KfWindow         *window)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "kf-connection-id");
  KfConnection *connection = kf_store_find_connection (kf_window_get_store (window), id);
  gboolean with_keypair = g_strcmp0 (response, "delete-both") == 0;

  if (connection == NULL || (g_strcmp0 (response, "delete") != 0 && !with_keypair))
    return;
  kf_connection_ops_delete_async (kf_window_get_vault (window), connection, with_keypair, NULL,
                                  on_deleted, g_object_ref (window));
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
  g_object_set_data_full (G_OBJECT (dialog), "kf-connection-id",
                          g_strdup (kf_connection_get_id (connection)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), window, 0);
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
