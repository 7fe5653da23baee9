/* kf-ui-a11y.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ui-a11y"

#include <glib/gi18n.h>

#include "kf-ui-a11y.h"

void
kf_ui_set_tooltip (GtkWidget  *widget,
                   const char *tooltip)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  /* In GTK 4.8 each call asks the X server where the pointer is, four
   * round trips, even when the text is the same. */
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) != 0)
    gtk_widget_set_tooltip_text (widget, tooltip);
  if (tooltip != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL);
}

/* The text of the first label inside @widget, or NULL. */
static const char *
first_label_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_text (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      const char *text = first_label_text (child);

      if (text != NULL && *text != '\0')
        return text;
    }
  return NULL;
}

/* What @widget does, in words, when it shows only an icon; or NULL. */
static char *
icon_control_text (GtkWidget *widget)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);

  if (GTK_IS_SEARCH_ENTRY (widget))
    {
      g_autofree char *placeholder = NULL;

      g_object_get (widget, "placeholder-text", &placeholder, NULL);
      return g_steal_pointer (&placeholder);
    }
  /* A menu button says what it does in its tooltip, or shows it in its
   * label (the shortcuts window's section menu). */
  if (GTK_IS_MENU_BUTTON (widget))
    return g_strdup (gtk_widget_get_tooltip_text (widget) != NULL ? gtk_widget_get_tooltip_text (widget)
                                                                  : first_label_text (widget));
  /* A button around a mnemonic label (a GtkStackSwitcher's, say): GTK 4.8
   * reads out the raw "_Generate". */
  if (GTK_IS_BUTTON (widget) && GTK_IS_LABEL (gtk_button_get_child (GTK_BUTTON (widget)))
      && gtk_label_get_use_underline (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (widget)))))
    return g_strdup (gtk_label_get_text (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (widget)))));
  if (GTK_IS_BUTTON (widget) && gtk_button_get_label (GTK_BUTTON (widget)) == NULL)
    {
      const char *text = gtk_widget_get_tooltip_text (widget);

      GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));

      /* A GtkMenuButton's own button: AT-SPI shows it as a button too. */
      if (text == NULL && GTK_IS_MENU_BUTTON (parent))
        text = gtk_widget_get_tooltip_text (parent) != NULL ? gtk_widget_get_tooltip_text (parent)
                                                            : first_label_text (parent);
      /* The close buttons GTK 4.8 and libadwaita 1.2 draw themselves (a
       * toast's, a GtkShortcutsWindow's title bar) have neither. */
      if (text == NULL && GTK_IS_IMAGE (child)
          && g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (child)), "window-close-symbolic") == 0)
        text = _("Close");
      return g_strdup (text);
    }
  return NULL;
}

void
kf_ui_name_icon_controls (GtkWidget *root)
{
  g_autofree char *text = NULL;

  g_return_if_fail (GTK_IS_WIDGET (root));

  text = icon_control_text (root);
  if (text != NULL && *text != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
  /* GTK 4.8 also gives a labelled button its raw label as a name, which
   * AT-SPI reads before the label's own text: "_Cancel Cancel". The label
   * alone names it well. */
  if (GTK_IS_BUTTON (root) && gtk_button_get_label (GTK_BUTTON (root)) != NULL)
    {
      if (gtk_button_get_use_underline (GTK_BUTTON (root)))
        gtk_accessible_reset_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL);
      else
        gtk_accessible_update_property (GTK_ACCESSIBLE (root), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        gtk_button_get_label (GTK_BUTTON (root)), -1);
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    kf_ui_name_icon_controls (child);
}

/* Copies @model into a menu whose items are "custom" placeholders named
 * "kf-item-N", and collects their buttons in @buttons (same order). */
static GMenu *
copy_menu_with_buttons (GMenuModel *model,
                        GPtrArray  *buttons)
{
  GMenu *copy = g_menu_new ();
  int n = g_menu_model_get_n_items (model);

  for (int i = 0; i < n; i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);
      g_autofree char *label = NULL;
      g_autofree char *action = NULL;
      g_autofree char *id = NULL;
      g_autoptr(GVariant) target = NULL;
      g_autoptr(GMenuItem) item = NULL;
      GtkWidget *button;

      if (section != NULL)
        {
          g_autoptr(GMenu) inner = copy_menu_with_buttons (section, buttons);

          g_menu_append_section (copy, NULL, G_MENU_MODEL (inner));
          continue;
        }
      if (!g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_LABEL, "s", &label))
        continue;
      g_menu_model_get_item_attribute (model, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      target = g_menu_model_get_item_attribute_value (model, i, G_MENU_ATTRIBUTE_TARGET, NULL);

      button = g_object_new (GTK_TYPE_BUTTON,
                             "accessible-role", GTK_ACCESSIBLE_ROLE_MENU_ITEM,
                             "label", label,
                             "use-underline", TRUE,
                             "action-name", action,
                             "action-target", target,
                             NULL);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "kf-menu-item");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0.0f);
      kf_ui_name_icon_controls (button);
      g_ptr_array_add (buttons, button);

      id = g_strdup_printf ("kf-item-%u", buttons->len);
      /* The copy keeps the item's label, action and target for those who
       * read the model. */
      item = g_menu_item_new_from_model (model, i);
      g_menu_item_set_attribute (item, "custom", "s", id);
      g_menu_append_item (copy, item);
    }
  return copy;
}

void
kf_ui_popover_menu_set_model (GtkPopoverMenu *popover,
                              GMenuModel     *model)
{
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  g_autoptr(GMenu) copy = NULL;

  g_return_if_fail (GTK_IS_POPOVER_MENU (popover));
  g_return_if_fail (model == NULL || G_IS_MENU_MODEL (model));

  if (model == NULL)
    {
      gtk_popover_menu_set_menu_model (popover, NULL);
      return;
    }
  copy = copy_menu_with_buttons (model, buttons);
  gtk_popover_menu_set_menu_model (popover, G_MENU_MODEL (copy));
  for (guint i = 0; i < buttons->len; i++)
    {
      g_autofree char *id = g_strdup_printf ("kf-item-%u", i + 1);
      GtkWidget *button = g_ptr_array_index (buttons, i);

      g_signal_connect_object (button, "clicked", G_CALLBACK (gtk_popover_popdown), popover, G_CONNECT_SWAPPED);
      if (!gtk_popover_menu_add_child (popover, button, id))
        g_critical ("No place for menu item %s", id);
    }
}
