/* kf-ui-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ui-util"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-ui-util.h"

const char *
kf_ui_setup_method_label (KfSetupMethod method)
{
  switch (method)
    {
    case KF_SETUP_METHOD_SEMI_AUTOMATIC:
      return _("Semi-automatic");
    case KF_SETUP_METHOD_MANUAL:
      return _("Manual");
    default:
      return "";
    }
}

const char *
kf_ui_key_type_label (const char *key_type)
{
  static const struct {
    const char *type;
    const char *label;
  } labels[] = {
    { "ssh-ed25519", "Ed25519" },
    { "ecdsa-sha2-nistp256", "ECDSA P-256" },
    { "ecdsa-sha2-nistp384", "ECDSA P-384" },
    { "ecdsa-sha2-nistp521", "ECDSA P-521" },
    { "ssh-rsa", "RSA" },
    { "ssh-dss", "DSA" },
  };

  if (key_type == NULL)
    return "";

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_str_equal (key_type, labels[i].type))
      return labels[i].label;

  return key_type;
}

void
kf_ui_copy_text (GtkWidget  *widget,
                 const char *text)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text != NULL ? text : "");
}

void
kf_ui_add_toast (GtkWidget  *widget,
                 const char *title)
{
  GtkRoot *root;
  GtkWidget *content = NULL;

  g_return_if_fail (GTK_IS_WIDGET (widget));

  root = gtk_widget_get_root (widget);
  if (ADW_IS_APPLICATION_WINDOW (root))
    content = adw_application_window_get_content (ADW_APPLICATION_WINDOW (root));
  else if (ADW_IS_WINDOW (root))
    content = adw_window_get_content (ADW_WINDOW (root));

  if (ADW_IS_TOAST_OVERLAY (content))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), adw_toast_new (title));
  else
    g_debug ("No toast overlay for: %s", title);
}

GtkWidget *
kf_ui_show_message (GtkWindow  *parent,
                    const char *heading,
                    const char *body)
{
  GtkWidget *alert = kf_alert_new (heading, body);

  kf_alert_add_response (alert, "close", _("_OK"));
  kf_alert_present (alert, GTK_WIDGET (parent));
  return alert;
}
