/* kf-check-actions.c: Check All in the main window: win.check-all (F5), the
 * progress strip under the header bar with Cancel, and the summary toast.
 * The checks themselves are KfFleetCheck's (src/core): this file never talks
 * to a server.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-check-actions"

#include "kf-window-private.h"
#include "kf-fleet-check.h"
#include "kf-list-page.h"

#include <adwaita.h>
#include <glib/gi18n.h>

/* "checked 3 min ago" goes stale: the visible cells are redrawn this often. */
#define RELATIVE_TIME_REFRESH_S 30

typedef struct {
  KfWindow       *window;     /* not owned: the state lives on it */
  GtkRevealer    *revealer;
  GtkLabel       *label;
  GtkProgressBar *bar;
  GtkButton      *cancel_button;
  KfFleetCheck   *check;      /* while running */
  GCancellable   *cancellable;
  guint           refresh_id;
  gboolean        destroyed;  /* the window was closed while checks ran */
} CheckState;

static void
check_state_free (CheckState *state)
{
  if (state->cancellable != NULL)
    g_cancellable_cancel (state->cancellable);
  g_clear_object (&state->cancellable);
  g_clear_object (&state->check);
  g_clear_handle_id (&state->refresh_id, g_source_remove);
  g_free (state);
}

static void
set_running (CheckState *state,
             gboolean    running)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (state->window), "check-all");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), !running);
  gtk_revealer_set_reveal_child (state->revealer, running);
  gtk_widget_set_sensitive (GTK_WIDGET (state->cancel_button), running);
}

static void
show_progress (CheckState *state)
{
  guint done = kf_fleet_check_get_n_done (state->check);
  guint n = kf_fleet_check_get_n_items (state->check);
  /* Translators: Check All progress; the first number is the connection being checked */
  g_autofree char *text = g_strdup_printf (_("Checking %u of %u…"), MIN (done + 1, n), n);

  gtk_label_set_text (state->label, text);
  gtk_progress_bar_set_fraction (state->bar, n > 0 ? (double) done / n : 1.0);
}

static void
on_connection_checked (KfFleetCheck *check,
                       guint         index,
                       CheckState   *state)
{
  show_progress (state);
}

static void
on_check_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  /* The run holds the window (and so this state) until it ends. */
  g_autoptr(KfWindow) window = user_data;
  CheckState *state = g_object_get_data (G_OBJECT (window), "kf-check-state");
  g_autoptr(KfFleetCheck) check = g_steal_pointer (&state->check);
  g_autoptr(GError) error = NULL;
  const GError *save_error;
  g_autofree char *summary = NULL;
  g_autofree char *toast = NULL;

  g_clear_object (&state->cancellable);
  kf_fleet_check_run_finish (check, result, &error);
  if (state->destroyed)
    return;
  summary = kf_fleet_check_format_summary (check);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* Translators: %s is the summary, e.g. “3 fine, 47 not checked” */
    toast = g_strdup_printf (_("Check cancelled: %s"), summary);
  else
    toast = g_strdup (summary);
  set_running (state, FALSE);
  kf_window_add_toast (state->window, toast);

  /* An alert, not a toast: a toast cuts a long line short and goes by
   * itself, and this one says the results may be lost. */
  save_error = kf_fleet_check_get_save_error (check);
  if (save_error != NULL)
    {
      /* Translators: %s is why the data file could not be written, a whole
       * sentence such as “Could not lock the Keyferry data file “…” (Is a directory).” */
      g_autofree char *body = g_strdup_printf (_("%s The list shows this check’s results, but they are not saved "
                                                 "yet: Keyferry tries again with the next Check All and when it "
                                                 "quits, and they are lost if it still cannot."),
                                               save_error->message);

      kf_window_show_message (state->window, _("Check Results Not Saved"), body);
    }
}

static void
check_all_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  KfWindow *window = user_data;
  CheckState *state = g_object_get_data (G_OBJECT (window), "kf-check-state");
  GListModel *model = kf_store_get_connections (kf_window_get_store (window));
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);

  if (state->check != NULL)
    return;
  if (g_list_model_get_n_items (model) == 0)
    {
      kf_window_add_toast (window, _("No connections to check; add one first."));
      return;
    }
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (connections, g_list_model_get_item (model, i));

  kf_window_set_visible_page (window, "connections");
  state->check = kf_fleet_check_new (kf_window_get_vault (window), connections);
  state->cancellable = g_cancellable_new ();
  g_signal_connect (state->check, "connection-checked", G_CALLBACK (on_connection_checked), state);
  show_progress (state);
  set_running (state, TRUE);
  kf_fleet_check_run_async (state->check, state->cancellable, on_check_done, g_object_ref (window));
}

static void
on_cancel_clicked (CheckState *state)
{
  if (state->cancellable != NULL)
    g_cancellable_cancel (state->cancellable);
  /* Pressed once is enough; the strip goes when the running checks have ended. */
  gtk_widget_set_sensitive (GTK_WIDGET (state->cancel_button), FALSE);
  gtk_label_set_text (state->label, _("Cancelling…"));
}

/* Closing the window cancels the checks; their outcomes so far stay recorded. */
static void
on_window_destroy (CheckState *state)
{
  state->destroyed = TRUE;
  g_clear_handle_id (&state->refresh_id, g_source_remove);
  if (state->cancellable != NULL)
    g_cancellable_cancel (state->cancellable);
}

static gboolean
refresh_times (gpointer data)
{
  CheckState *state = data;

  kf_window_refresh_page (state->window, FALSE);
  return G_SOURCE_CONTINUE;
}

/* The strip under the header bar: "Checking 12 of 50…", a progress bar, Cancel. */
static void
build_strip (CheckState *state)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = kf_window_get_header_bar (state->window);

  state->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (state->label, 0);
  state->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (state->bar), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Check All progress"), -1);
  state->cancel_button = GTK_BUTTON (gtk_button_new_with_label (_("Cancel")));
  /* Heard out of the strip's context, "Cancel" would not say what stops. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (state->cancel_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cancel Check All"), -1);
  gtk_widget_set_valign (GTK_WIDGET (state->cancel_button), GTK_ALIGN_CENTER);
  g_signal_connect_swapped (state->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), state);

  gtk_widget_set_hexpand (column, TRUE);
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (state->label));
  gtk_box_append (GTK_BOX (column), GTK_WIDGET (state->bar));
  gtk_box_append (GTK_BOX (box), column);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (state->cancel_button));
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_name (box, "check-all-strip");

  state->revealer = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_child (state->revealer, box);
  gtk_box_insert_child_after (GTK_BOX (gtk_widget_get_parent (header)), GTK_WIDGET (state->revealer), header);
}

void
kf_check_actions_install (KfWindow *window)
{
  static const GActionEntry entries[] = {
    { "check-all", check_all_activated, NULL, NULL, NULL },
  };
  CheckState *state = g_new0 (CheckState, 1);

  state->window = window;
  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
  build_strip (state);
  state->refresh_id = g_timeout_add_seconds (RELATIVE_TIME_REFRESH_S, refresh_times, state);
  g_object_set_data_full (G_OBJECT (window), "kf-check-state", state, (GDestroyNotify) check_state_free);
  g_signal_connect_swapped (window, "destroy", G_CALLBACK (on_window_destroy), state);
  set_running (state, FALSE);
}
