/* kf-ui-util.h: small helpers the GUI's windows and dialogs share.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-enums.h"

G_BEGIN_DECLS

/* "Semi-automatic" / "Manual", translated. */
const char *kf_ui_setup_method_label (KfSetupMethod  method);
/* "Ed25519", "ECDSA P-256", "RSA", ... for an OpenSSH type name; unknown
 * names come back as they are, NULL as "". */
/* Puts @text on @widget's clipboard. */
void        kf_ui_copy_text          (GtkWidget     *widget,
                                      const char    *text);

/* Shows a toast in @widget's window when its content is an AdwToastOverlay
 * (the main window and the key pair details are built that way). */
void        kf_ui_add_toast          (GtkWidget     *widget,
                                      const char    *title);
/* A modal alert (kf-alert.h) with an OK button over @parent. */
GtkWidget  *kf_ui_show_message       (GtkWindow     *parent,
                                      const char    *heading,
                                      const char    *body);

G_END_DECLS
