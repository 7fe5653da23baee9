/* kf-ui-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ui-util"

#include <glib/gi18n.h>

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
