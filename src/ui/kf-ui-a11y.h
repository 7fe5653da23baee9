/* kf-ui-a11y.h: what a screen reader needs that GTK does not give by
 * itself: names for icon-only controls and for GTK's own buttons, and menu
 * items named on every GTK version.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

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

G_END_DECLS
