/* kf-otp-prompt.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-otp-prompt"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-otp-prompt.h"
#include "kf-secret.h"

typedef struct
{
  GtkWidget *alert;
  GtkWidget *entry;
  gulong     cancelled_id;
  gboolean   answered;
} Prompt;

static void
prompt_free (Prompt *prompt)
{
  g_free (prompt);
}

static void
on_cancelled (GCancellable *cancellable,
              GtkWidget    *alert)
{
  kf_alert_close (alert);
}

/* The caller reads G_IO_ERROR_CANCELLED only: the text is never shown. */
static void
return_declined (GTask *task)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "No one-time password entered");
}

static void
on_response (GtkWidget  *alert,
             const char *response,
             GTask      *task)
{
  Prompt *prompt = g_task_get_task_data (task);

  g_clear_signal_handler (&prompt->cancelled_id, g_task_get_cancellable (task));
  prompt->answered = TRUE;
  if (g_strcmp0 (response, "continue") == 0)
    g_task_return_pointer (task, g_strdup (gtk_editable_get_text (GTK_EDITABLE (prompt->entry))),
                           (GDestroyNotify) kf_secret_free);
  else
    return_declined (task);
  gtk_editable_set_text (GTK_EDITABLE (prompt->entry), "");
  /* Focus off the entry while it is alive: GTK 4.8 otherwise tells the
   * already finalized GtkPasswordEntry that its text lost the focus. */
  kf_alert_set_focus (alert, NULL);
}

/* The alert went without an answer (its parent was destroyed). */
static void
on_alert_gone (gpointer  data,
               GClosure *closure)
{
  g_autoptr(GTask) task = data;
  Prompt *prompt = g_task_get_task_data (task);

  if (prompt->answered)
    return;
  g_clear_signal_handler (&prompt->cancelled_id, g_task_get_cancellable (task));
  return_declined (task);
}

void
kf_otp_prompt_run_async (GtkWidget           *parent,
                         const char          *message,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Prompt *prompt;

  g_return_if_fail (GTK_IS_WIDGET (parent));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_otp_prompt_run_async);
  /* The answer is the user's: a cancellable only closes the prompt. */
  g_task_set_check_cancellable (task, FALSE);
  prompt = g_new0 (Prompt, 1);
  g_task_set_task_data (task, prompt, (GDestroyNotify) prompt_free);

  prompt->alert = kf_alert_new (_("One-Time Password"),
                                message ? message
                                : _("The TrueNAS asks for a one-time password. Enter the code from your authenticator app."));
  prompt->entry = gtk_password_entry_new ();
  gtk_widget_set_name (prompt->entry, "otp-entry");
  /* Unnamed, a screen reader heard GTK's class name ("GtkPasswordEntry"). */
  gtk_accessible_update_property (GTK_ACCESSIBLE (prompt->entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("One-Time Password"), -1);
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (prompt->entry), TRUE);
  /* Enter answers "Continue". */
  g_object_set (prompt->entry, "activates-default", TRUE, NULL);
  kf_alert_set_extra_child (prompt->alert, prompt->entry);
  kf_alert_add_responses (prompt->alert, "cancel", _("_Cancel"), "continue", _("C_ontinue"), NULL);
  kf_alert_set_response_appearance (prompt->alert, "continue", ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (prompt->alert, "continue");
  kf_alert_set_close_response (prompt->alert, "cancel");
  g_signal_connect_data (prompt->alert, "response", G_CALLBACK (on_response),
                         g_object_ref (task), on_alert_gone, 0);
  if (cancellable != NULL)
    /* A plain handler, not g_cancellable_connect(): closing answers the
     * prompt, which disconnects it. */
    prompt->cancelled_id = g_signal_connect (cancellable, "cancelled", G_CALLBACK (on_cancelled), prompt->alert);
  kf_alert_present (prompt->alert, parent);
  kf_alert_set_focus (prompt->alert, prompt->entry);
}

char *
kf_otp_prompt_run_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_otp_prompt_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
