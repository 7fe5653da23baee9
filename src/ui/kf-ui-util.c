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
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), adw_toast_new (title));
      /* The toast's close button is libadwaita's own. */
      kf_ui_name_icon_controls (content);
    }
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

void
kf_ui_present_dialog (GtkWindow *dialog)
{
  GtkWindow *parent = gtk_window_get_transient_for (dialog);
  int width, height;

  g_return_if_fail (GTK_IS_WINDOW (dialog));

  gtk_window_get_default_size (dialog, &width, &height);
  if (parent != NULL && gtk_widget_get_mapped (GTK_WIDGET (parent)))
    {
      int parent_width = gtk_widget_get_width (GTK_WIDGET (parent));
      int parent_height = gtk_widget_get_height (GTK_WIDGET (parent));

      if (parent_width > 0 && width > parent_width)
        width = parent_width;
      if (parent_height > 0 && height > parent_height)
        height = parent_height;
      gtk_window_set_default_size (dialog, width, height);
    }
  gtk_window_present (dialog);
}

void
kf_ui_show_field_error (GtkWidget  *row,
                        GtkLabel   *label,
                        const char *message)
{
  g_return_if_fail (label == NULL || GTK_IS_LABEL (label));

  if (label != NULL)
    {
      gtk_label_set_text (label, message != NULL ? message : "");
      gtk_widget_set_visible (GTK_WIDGET (label), message != NULL && *message != '\0');
    }
  if (row == NULL)
    return;
  if (message != NULL && *message != '\0')
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}
