/* kf-rotation-actions.c: win.keypair-rotate, and the question about an
 * unfinished rotation when the window opens.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation-actions"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-rotate-dialog.h"
#include "kf-rotation.h"
#include "kf-ui-util.h"
#include "kf-window-private.h"

static void
rotate_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = kf_store_find_keypair (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
  g_autoptr(KfRotation) rotation = NULL;
  g_autoptr(GError) error = NULL;
  KfRotateDialog *dialog;

  if (keypair == NULL)
    return;
  if (!kf_keypair_get_has_private_key (keypair))
    {
      kf_window_show_message (window, _("Cannot Rotate This Key Pair"),
                              _("Keyferry holds only its public key, so it cannot log in with it to replace it. Import its private key first."));
      return;
    }
  /* One rotation at a time: an unfinished one is finished or rolled back
   * first, so instead the question about it comes (naming its key pair,
   * with Finish and Roll Back); the run itself refuses too (kf-rotation.c). */
  rotation = kf_rotation_new_resume (kf_window_get_vault (window), &error);
  if (rotation != NULL)
    {
      kf_rotation_actions_check_pending (window);
      return;
    }
  if (error != NULL)
    {
      kf_window_show_message (window, _("Another Rotation Is Unfinished"), error->message);
      return;
    }
  rotation = kf_rotation_new (kf_window_get_vault (window), keypair);
  dialog = kf_rotate_dialog_new (GTK_WINDOW (window), rotation);
  kf_ui_present_dialog (GTK_WINDOW (dialog));
}

static void
open_resume (KfWindow *window,
             gboolean  rollback)
{
  g_autoptr(KfRotation) rotation = NULL;
  g_autoptr(GError) error = NULL;
  KfRotateDialog *dialog;

  rotation = kf_rotation_new_resume (kf_window_get_vault (window), &error);
  if (rotation == NULL)
    {
      if (error != NULL)
        kf_window_show_message (window, _("Unfinished Rotation"), error->message);
      return;
    }
  if (rollback)
    kf_rotation_set_rollback (rotation, TRUE);
  dialog = kf_rotate_dialog_new (GTK_WINDOW (window), rotation);
  kf_ui_present_dialog (GTK_WINDOW (dialog));
}

static void
on_finish_chosen (GtkWidget *alert,
                  const char *response,
                  KfWindow   *window)
{
  open_resume (window, FALSE);
}

static void
on_rollback_chosen (GtkWidget  *alert,
                    const char *response,
                    KfWindow   *window)
{
  open_resume (window, TRUE);
}

/* An interrupted rotation (killed, a box gone, cancelled): ask what to do. */
gboolean
kf_rotation_actions_check_pending (KfWindow *window)
{
  g_autoptr(KfRotation) rotation = kf_rotation_new_resume (kf_window_get_vault (window), NULL);
  g_autoptr(GPtrArray) boxes = NULL;
  g_autoptr(GString) body = NULL;
  GtkWidget *alert;

  if (rotation == NULL)
    return FALSE;
  boxes = kf_rotation_get_boxes (rotation);
  body = g_string_new (NULL);
  g_string_printf (body, _("The rotation of the key pair “%s” did not finish. Every box still accepts a key Keyferry holds. Finish it, or take every box back to the old key pair:"),
                   kf_keypair_get_name (kf_rotation_get_old_keypair (rotation)));
  for (guint i = 0; i < boxes->len; i++)
    g_string_append_printf (body, "\n• %s (%s)", kf_connection_get_name (g_ptr_array_index (boxes, i)),
                            kf_rotation_step_to_string (kf_rotation_get_box_step (rotation, g_ptr_array_index (boxes, i))));
  alert = kf_alert_new (_("Unfinished Key Rotation"), body->str);
  kf_alert_add_response (alert, "later", _("_Later"));
  kf_alert_add_response (alert, "rollback", _("_Roll Back…"));
  kf_alert_add_response (alert, "finish", _("_Finish…"));
  kf_alert_set_response_appearance (alert, "finish", ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (alert, "finish");
  kf_alert_set_close_response (alert, "later");
  kf_alert_connect_response (alert, "finish", G_CALLBACK (on_finish_chosen), window, NULL, window);
  kf_alert_connect_response (alert, "rollback", G_CALLBACK (on_rollback_chosen), window, NULL, window);
  kf_alert_present (alert, GTK_WIDGET (window));
  return TRUE;
}

static gboolean
check_pending (gpointer user_data)
{
  kf_rotation_actions_check_pending (user_data);
  return G_SOURCE_REMOVE;
}

static const GActionEntry entries[] = {
  { "keypair-rotate", rotate_activated, "s" },
};

void
kf_rotation_actions_install (KfWindow *window)
{
  g_return_if_fail (KF_IS_WINDOW (window));

  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
  g_idle_add_full (G_PRIORITY_LOW, check_pending, g_object_ref (window), g_object_unref);
}
