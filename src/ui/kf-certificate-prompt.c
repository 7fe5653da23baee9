/* kf-certificate-prompt.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-certificate-prompt"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-alert.h"
#include "kf-certificate-prompt.h"
#include "kf-facts-box.h"

static char *
format_date (GDateTime *when)
{
  return when ? g_date_time_format (when, "%Y-%m-%d") : g_strdup (_("unknown"));
}

/* "AB:CD:…" (32 bytes) in four lines of 8, so it fits a dialog unbroken
 * even on a phone (360 px): in two lines of 16 the alert was 436 px wide. */
static char *
split_fingerprint (const char *display)
{
  g_autoptr(GString) lines = NULL;

  if (strlen (display) != 95 || display[23] != ':' || display[47] != ':' || display[71] != ':')
    return g_strdup (display);
  lines = g_string_new (NULL);
  for (int i = 0; i < 4; i++)
    {
      if (i > 0)
        g_string_append_c (lines, '\n');
      g_string_append_len (lines, display + i * 24, 23);
    }
  return g_string_free (g_steal_pointer (&lines), FALSE);
}

typedef struct
{
  char     *fingerprint;
  gboolean  answered;
} Prompt;

static void
prompt_free (Prompt *prompt)
{
  g_free (prompt->fingerprint);
  g_free (prompt);
}

/* The caller reads G_IO_ERROR_CANCELLED only: the text is never shown. */
static void
return_declined (GTask *task)
{
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The certificate was not trusted");
}

static void
on_response (GtkWidget  *alert,
             const char *response,
             GTask      *task)
{
  Prompt *prompt = g_task_get_task_data (task);

  prompt->answered = TRUE;
  if (g_strcmp0 (response, "trust") == 0)
    g_task_return_pointer (task, g_strdup (prompt->fingerprint), g_free);
  else
    return_declined (task);
}

/* The alert went without an answer (its parent was destroyed). */
static void
on_alert_gone (gpointer  data,
               GClosure *closure)
{
  g_autoptr(GTask) task = data;
  Prompt *prompt = g_task_get_task_data (task);

  if (!prompt->answered)
    return_declined (task);
}

void
kf_certificate_prompt_run_async (GtkWidget            *parent,
                                 KfTruenasCertificate *certificate,
                                 gboolean              changed,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  Prompt *prompt;
  GtkWidget *dialog;
  GtkWidget *facts = kf_facts_box_new ();
  const char *subject = kf_truenas_certificate_get_subject (certificate);
  const char *issuer = kf_truenas_certificate_get_issuer (certificate);
  g_autofree char *fingerprint = split_fingerprint (kf_truenas_certificate_get_fingerprint_display (certificate));
  g_autofree char *from = format_date (kf_truenas_certificate_get_not_before (certificate));
  g_autofree char *until = format_date (kf_truenas_certificate_get_not_after (certificate));
  g_autofree char *validity = g_strdup_printf ("%s – %s", from, until);

  dialog = kf_alert_new (changed ? _("Certificate Changed!") : _("Untrusted Certificate"),
                         changed
                         ? _("The TrueNAS now shows a different certificate from the one you trusted for this connection. This happens when the certificate was renewed, but also when someone intercepts the connection. Trust the new certificate only if its fingerprint matches the one shown in the TrueNAS web interface (Credentials › Certificates).")
                         : _("The TrueNAS uses a certificate that this computer does not trust, probably its own self-signed certificate. Trust it only if its fingerprint matches the one shown in the TrueNAS web interface (Credentials › Certificates)."));
  gtk_widget_set_name (facts, "certificate-facts");
  kf_facts_box_add (facts, _("SHA-256 Fingerprint"), fingerprint, TRUE);
  if (subject != NULL && *subject != '\0')
    kf_facts_box_add (facts, _("Subject"), subject, FALSE);
  if (issuer != NULL && *issuer != '\0')
    kf_facts_box_add (facts, _("Issuer"), issuer, FALSE);
  kf_facts_box_add (facts, _("Valid"), validity, FALSE);
  kf_alert_set_extra_child (dialog, facts);
  kf_alert_add_responses (dialog, "cancel", _("_Cancel"),
                          "trust", changed ? _("_Trust New Certificate") : _("_Trust This Certificate"),
                          NULL);
  kf_alert_set_response_appearance (dialog, "trust",
                                    changed ? ADW_RESPONSE_DESTRUCTIVE : ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (dialog, "cancel");
  kf_alert_set_close_response (dialog, "cancel");
  task = g_task_new (NULL, NULL, callback, user_data);
  g_task_set_source_tag (task, kf_certificate_prompt_run_async);
  prompt = g_new0 (Prompt, 1);
  prompt->fingerprint = g_strdup (kf_truenas_certificate_get_fingerprint (certificate));
  g_task_set_task_data (task, prompt, (GDestroyNotify) prompt_free);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response),
                         g_object_ref (task), on_alert_gone, 0);
  kf_alert_present (dialog, parent);
}

char *
kf_certificate_prompt_run_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_certificate_prompt_run_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
