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
/* Screen readers get the tooltip of an icon-only control as its name: GTK
 * 4.8's AT-SPI backend would read out its class ("GtkImage"). Set a
 * control's tooltip with kf_ui_set_tooltip (it names the control too), or
 * name every icon-only button, menu button and search entry below @root
 * from the tooltip (placeholder for entries) it was built with. */
void        kf_ui_set_tooltip        (GtkWidget     *widget,
                                      const char    *tooltip);
void        kf_ui_name_icon_controls (GtkWidget     *root);
/* Fills @popover from @model (items and sections) with menu items that a
 * screen reader can name on every GTK: GTK 4.18's own items (GtkModelButton)
 * reach AT-SPI with no name at all, so each item is a flat button of role
 * menu item, labelled from the model without the mnemonic underscore.
 * Activating one runs the item's action and closes @popover. */
void        kf_ui_popover_menu_set_model (GtkPopoverMenu *popover,
                                          GMenuModel     *model);
/* A modal alert (kf-alert.h) with an OK button over @parent. */
GtkWidget  *kf_ui_show_message       (GtkWindow     *parent,
                                      const char    *heading,
                                      const char    *body);

G_END_DECLS
