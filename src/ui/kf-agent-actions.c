/* kf-agent-actions.c: the SSH agent and the SSH config export in the window.
 *
 *   win.keypair-agent-add ("s")      asks how long (15 min, 1 h, 8 h, until
 *                                    logout) and whether to confirm each use,
 *                                    then loads the key into the agent
 *   win.keypair-agent-remove ("s")   takes it out again
 *   win.ssh-config-export            writes the SSH config folder the user
 *                                    picks (the file chooser: in the Flatpak,
 *                                    the portal) and shows the Include line
 *
 * The key pair list shows which keys the agent holds: asked at start, after
 * each change and every 30 s (lifetimes run out on their own).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-agent-actions"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-secret.h"
#include "kf-ssh-agent.h"
#include "kf-ssh-config-export.h"
#include "kf-window-private.h"

#define REFRESH_INTERVAL_S 30

typedef struct {
  KfWindow     *window;       /* unowned: the state dies with it */
  KfSshAgent   *agent;
  GPtrArray    *blobs;        /* what the agent held when last asked; NULL: no agent */
  GCancellable *cancellable;
  guint         timer;
} AgentState;

static const guint32 lifetimes[] = { 15 * 60, 60 * 60, 8 * 60 * 60, 0 };
static const char * const lifetime_labels[] = { N_("15 Minutes"), N_("1 Hour"), N_("8 Hours"), N_("Until Logout") };

static void
agent_state_free (AgentState *state)
{
  g_cancellable_cancel (state->cancellable);
  g_clear_object (&state->cancellable);
  g_clear_handle_id (&state->timer, g_source_remove);
  g_clear_pointer (&state->blobs, g_ptr_array_unref);
  g_clear_object (&state->agent);
  g_free (state);
}

static AgentState *
get_state (KfWindow *window)
{
  return g_object_get_data (G_OBJECT (window), "kf-agent-state");
}

gboolean
kf_agent_actions_is_loaded (KfWindow  *window,
                            KfKeypair *keypair)
{
  AgentState *state = get_state (window);

  return state != NULL && kf_ssh_agent_blobs_contain (state->blobs, keypair);
}

static void
on_listed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *blobs = kf_ssh_agent_list_finish (KF_SSH_AGENT (source), result, &error);
  AgentState *state;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  state = user_data;
  if (error != NULL)
    g_debug ("no agent to list: %s", error->message);
  g_clear_pointer (&state->blobs, g_ptr_array_unref);
  state->blobs = blobs;
  kf_window_refresh_page (state->window, TRUE);
}

/* Asks the agent what it holds (the agent named by SSH_AUTH_SOCK now). */
static void
refresh (AgentState *state)
{
  g_clear_object (&state->agent);
  state->agent = kf_ssh_agent_new (NULL);
  kf_ssh_agent_list_async (state->agent, state->cancellable, on_listed, state);
}

static gboolean
on_timer (gpointer user_data)
{
  refresh (user_data);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ add */

typedef struct {
  AgentState *state;
  KfKeypair  *keypair;
  guint32     lifetime;
  gboolean    confirm;
} AddRequest;

static void
add_request_free (AddRequest *request)
{
  g_clear_object (&request->keypair);
  g_free (request);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  AddRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_ssh_agent_add_finish (KF_SSH_AGENT (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        kf_window_show_message (request->state->window, _("Not Added to the SSH Agent"), error->message);
    }
  else
    {
      g_autofree char *life = kf_ssh_agent_describe_lifetime (request->lifetime);
      /* Translators: the first %s is a key pair name, the second “1 hour”, “until logout”… */
      g_autofree char *message = g_strdup_printf (_("“%s” is in the SSH agent, %s"),
                                                  kf_keypair_get_name (request->keypair), life);

      kf_window_add_toast (request->state->window, message);
      refresh (request->state);
    }
  add_request_free (request);
}

static void
on_private_key (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AddRequest *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) private_key = kf_vault_get_private_key_finish (KF_VAULT (source), result, &error);

  if (private_key == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        kf_window_show_message (request->state->window, _("Not Added to the SSH Agent"), error->message);
      add_request_free (request);
      return;
    }
  g_clear_object (&request->state->agent);
  request->state->agent = kf_ssh_agent_new (NULL);
  kf_ssh_agent_add_async (request->state->agent, request->keypair, private_key, request->lifetime,
                          request->confirm, request->state->cancellable, on_added, request);
}

typedef struct {
  AgentState *state;
  KfKeypair  *keypair;
  GtkWidget  *lifetime_row;
  GtkWidget  *confirm_switch;
} AddDialog;

static void
add_dialog_free (AddDialog *dialog)
{
  g_clear_object (&dialog->keypair);
  g_free (dialog);
}

static void
on_add_response (GtkWidget *alert,
                 const char *response,
                 AddDialog  *dialog)
{
  AddRequest *request = g_new0 (AddRequest, 1);
  guint chosen = adw_combo_row_get_selected (ADW_COMBO_ROW (dialog->lifetime_row));

  request->state = dialog->state;
  request->keypair = g_object_ref (dialog->keypair);
  request->lifetime = lifetimes[MIN (chosen, G_N_ELEMENTS (lifetimes) - 1)];
  request->confirm = gtk_switch_get_active (GTK_SWITCH (dialog->confirm_switch));
  kf_vault_get_private_key_async (kf_window_get_vault (dialog->state->window), request->keypair,
                                  dialog->state->cancellable, on_private_key, request);
}

static GtkWidget *
add_dialog_options (AddDialog *dialog)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkStringList *choices = gtk_string_list_new (NULL);
  GtkWidget *confirm_row = adw_action_row_new ();

  for (guint i = 0; i < G_N_ELEMENTS (lifetime_labels); i++)
    gtk_string_list_append (choices, _(lifetime_labels[i]));
  dialog->lifetime_row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (dialog->lifetime_row), _("_Keep For"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (dialog->lifetime_row), TRUE);
  adw_combo_row_set_model (ADW_COMBO_ROW (dialog->lifetime_row), G_LIST_MODEL (choices));
  adw_combo_row_set_selected (ADW_COMBO_ROW (dialog->lifetime_row), 1);   /* 1 hour */
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog->lifetime_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Keep For"), -1);
  g_object_unref (choices);

  dialog->confirm_switch = gtk_switch_new ();
  gtk_widget_set_valign (dialog->confirm_switch, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dialog->confirm_switch),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Confirm Each Use"), -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (confirm_row), _("_Confirm Each Use"));
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (confirm_row), TRUE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (confirm_row), _("The agent asks before every login with this key"));
  adw_action_row_add_suffix (ADW_ACTION_ROW (confirm_row), dialog->confirm_switch);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (confirm_row), dialog->confirm_switch);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), dialog->lifetime_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), confirm_row);
  return group;
}

static void
agent_add_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = kf_store_find_keypair (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
  AddDialog *dialog;
  GtkWidget *alert;

  if (keypair == NULL)
    return;
  dialog = g_new0 (AddDialog, 1);
  dialog->state = get_state (window);
  dialog->keypair = g_object_ref (keypair);
  alert = kf_alert_new (_("Add to SSH Agent"), NULL);
  kf_alert_format_body (alert, _("The SSH agent keeps the private key of “%s” in memory, so that ssh in a "
                                 "terminal logs in with it. No key file is written."),
                        kf_keypair_get_name (keypair));
  kf_alert_set_extra_child (alert, add_dialog_options (dialog));
  kf_alert_add_responses (alert, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  kf_alert_set_response_appearance (alert, "add", ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (alert, "add");
  kf_alert_set_close_response (alert, "cancel");
  kf_alert_connect_response (alert, "add", G_CALLBACK (on_add_response), dialog,
                             (GDestroyNotify) add_dialog_free, window);
  kf_alert_present (alert, GTK_WIDGET (window));
}

/* --------------------------------------------------------------- remove */

static void
on_removed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(KfKeypair) keypair = user_data;
  g_autoptr(GError) error = NULL;
  AgentState *state;

  if (!kf_ssh_agent_remove_finish (KF_SSH_AGENT (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  state = g_object_get_data (G_OBJECT (keypair), "kf-agent-state");
  if (error != NULL)
    kf_window_show_message (state->window, _("Not Removed from the SSH Agent"), error->message);
  else
    {
      /* Translators: %s is a key pair name. */
      g_autofree char *message = g_strdup_printf (_("“%s” removed from the SSH agent"), kf_keypair_get_name (keypair));
      kf_window_add_toast (state->window, message);
    }
  refresh (state);
}

static void
agent_remove_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  KfWindow *window = user_data;
  AgentState *state = get_state (window);
  KfKeypair *found = kf_store_find_keypair (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
  KfKeypair *keypair;

  if (found == NULL)
    return;
  keypair = kf_keypair_copy (found);
  g_object_set_data (G_OBJECT (keypair), "kf-agent-state", state);
  g_clear_object (&state->agent);
  state->agent = kf_ssh_agent_new (NULL);
  kf_ssh_agent_remove_async (state->agent, keypair, state->cancellable, on_removed, keypair);
}

/* --------------------------------------------------------------- export */

typedef struct {
  AgentState *state;
  char       *dir;
} Export;

static void
export_free (Export *export)
{
  g_free (export->dir);
  g_free (export);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Export, export_free)

static void
on_exported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Export) export = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) aliases = kf_ssh_config_export_write_finish (result, &error);
  g_autofree char *include = NULL;
  g_autofree char *body = NULL;
  KfWindow *window;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* not cancelled: the window (and its state) are still there */
  window = export->state->window;
  if (aliases == NULL)
    {
      kf_window_show_message (window, _("SSH Config Not Written"), error->message);
      return;
    }
  include = kf_ssh_config_export_include_line (export->dir);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (window)), include);
  body = g_strdup_printf (_("Add this line at the top of ~/.ssh/config (it is on the clipboard; Keyferry never "
                            "edits that file):\n\n%s\n\nThen “ssh HOST” logs in with the key the SSH agent "
                            "holds (Add to SSH Agent)."), include);
  kf_window_show_message (window, _("SSH Config Written"), body);
}

static void
on_export_folder (GtkNativeDialog *chooser,
                  int              response,
                  gpointer         user_data)
{
  AgentState *state = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      char *dir = folder != NULL ? g_file_get_path (folder) : NULL;

      if (dir != NULL)
        {
          Export *export = g_new0 (Export, 1);

          export->state = state;
          export->dir = dir;
          kf_ssh_config_export_write_async (dir, kf_window_get_store (state->window), state->cancellable,
                                            on_exported, export);
        }
    }
  g_object_unref (chooser);
}

static void
export_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KfWindow *window = user_data;
  g_autofree char *dir = kf_ssh_config_export_default_dir ();
  g_autofree char *ssh_dir = g_path_get_dirname (dir);
  g_autoptr(GFile) start = NULL;
  GtkFileChooserNative *chooser;

  /* A folder: three kinds of file are written into it, and in the Flatpak
   * the portal grants exactly what was chosen. */
  chooser = gtk_file_chooser_native_new (_("Export SSH Config"), GTK_WINDOW (window),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Export Here"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  start = g_file_new_for_path (g_file_test (dir, G_FILE_TEST_IS_DIR) ? dir
                               : g_file_test (ssh_dir, G_FILE_TEST_IS_DIR) ? ssh_dir : g_get_home_dir ());
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), start, NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_folder), get_state (window));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
kf_agent_actions_install (KfWindow *window)
{
  static const GActionEntry entries[] = {
    { "keypair-agent-add", agent_add_activated, "s" },
    { "keypair-agent-remove", agent_remove_activated, "s" },
    { "ssh-config-export", export_activated },
  };
  AgentState *state = g_new0 (AgentState, 1);

  state->window = window;
  state->cancellable = g_cancellable_new ();
  g_object_set_data_full (G_OBJECT (window), "kf-agent-state", state, (GDestroyNotify) agent_state_free);
  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
  refresh (state);
  state->timer = g_timeout_add_seconds (REFRESH_INTERVAL_S, on_timer, state);
}

void
kf_agent_actions_refresh (KfWindow *window)
{
  AgentState *state = get_state (window);

  if (state != NULL)
    refresh (state);
}
