/* kf-ui-util.h: small helpers the GUI's windows and dialogs share.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-enums.h"
#include "kf-ui-a11y.h"

G_BEGIN_DECLS

/* "Semi-automatic" / "Manual", translated. */
const char *kf_ui_setup_method_label (KfSetupMethod  method);
/* Puts @text on @widget's clipboard. */
void        kf_ui_copy_text          (GtkWidget     *widget,
                                      const char    *text);

/* Shows a toast in @widget's window when its content is an AdwToastOverlay
 * (the main window and the key pair details are built that way). */
void        kf_ui_add_toast          (GtkWidget     *widget,
                                      const char    *title);
/* Presents a dialog window no larger than its transient parent, so that on
 * a small screen (a phone, 360×640) it fits where the main window does. */
void        kf_ui_present_dialog     (GtkWindow     *dialog);
/* The one way a form shows what is wrong with a field, as it is typed or
 * after Save: @message (NULL: nothing is wrong) in @label, which sits right
 * under the field (if not NULL), and @row (if not NULL) marked as wrong or not. */
void        kf_ui_show_field_error   (GtkWidget     *row,
                                      GtkLabel      *label,
                                      const char    *message);
/* A modal alert (kf-alert.h) with an OK button over @parent. */
GtkWidget  *kf_ui_show_message       (GtkWindow     *parent,
                                      const char    *heading,
                                      const char    *body);

G_END_DECLS
