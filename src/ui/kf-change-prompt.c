/* kf-change-prompt.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-change-prompt"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-change-prompt.h"

/* Task data: whether the task was returned already. */
static void
on_response (GtkWidget  *alert,
             const char *response,
             GTask      *task)
{
  gboolean *answered = g_task_get_task_data (task);

  if (*answered)
    return;
  *answered = TRUE;
  g_task_return_boolean (task, g_strcmp0 (response, "change") == 0);
}

/* The alert went without an answer (its parent was destroyed): a no. */
static void
on_alert_gone (gpointer  data,
               GClosure *closure)
{
  g_autoptr(GTask) task = data;
  gboolean *answered = g_task_get_task_data (task);

  if (*answered)
    return;
  *answered = TRUE;
  g_task_return_boolean (task, FALSE);
}

static const char *
heading_for (const char *id)
{
  if (g_strcmp0 (id, "shell") == 0)
    return _("Change the Login Shell?");
  if (g_strcmp0 (id, "sudo") == 0)
    return _("Allow sudo for zfs?");
  if (g_strcmp0 (id, "start-ssh") == 0)
    return _("Start the SSH Service?");
  return _("Change the TrueNAS?");
}

void
kf_change_prompt_run_async (GtkWidget           *parent,
                            const char          *id,
                            const char          *message,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);
  g_autofree char *body = g_strdup_printf ("%s\n\n%s", message,
                                           _("Nothing has been changed on the TrueNAS yet; Cancel stops the setup and leaves it as it is."));
  GtkWidget *dialog = kf_alert_new (heading_for (id), body);

  g_task_set_source_tag (task, kf_change_prompt_run_async);
  g_task_set_task_data (task, g_new0 (gboolean, 1), g_free);
  gtk_widget_set_name (dialog, "change-prompt");
  kf_alert_add_responses (dialog, "cancel", _("_Cancel Setup"), "change", _("C_ontinue"), NULL);
  kf_alert_set_response_appearance (dialog, "change", ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (dialog, "change");
  kf_alert_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response),
                         g_object_ref (task), on_alert_gone, 0);
  kf_alert_present (dialog, parent);
}

gboolean
kf_change_prompt_run_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_change_prompt_run_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), NULL);
}
