/* kf-facts-box.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-facts-box"

#include <glib/gi18n.h>

#include "kf-facts-box.h"
#include "kf-key-text.h"
#include "kf-ui-util.h"

GtkWidget *
kf_facts_box_new (void)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  gtk_widget_add_css_class (box, "kf-facts");
  return box;
}

void
kf_facts_box_add (GtkWidget  *box,
                  const char *title,
                  const char *value,
                  gboolean    monospace)
{
  GtkWidget *title_label = gtk_label_new (title);
  GtkWidget *value_label = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (title_label), 0);
  /* "Host Key (Ed25519, matches the stored one)" is wider than a phone's
   * alert: it wraps there, and only there. */
  gtk_label_set_wrap (GTK_LABEL (title_label), TRUE);
  gtk_label_set_natural_wrap_mode (GTK_LABEL (title_label), GTK_NATURAL_WRAP_NONE);
  gtk_widget_add_css_class (title_label, "heading");
  if (gtk_widget_get_first_child (box) != NULL)
    gtk_widget_set_margin_top (title_label, 10);
  gtk_label_set_xalign (GTK_LABEL (value_label), 0);
  gtk_label_set_selectable (GTK_LABEL (value_label), TRUE);
  /* Broken inside a "word" (a fingerprint, "CN=truenas.local") only when
   * the dialog has no room for it whole (a phone, 360 px: a host key's
   * SHA256 fingerprint alone is 420 px), and then with no hyphen that is
   * not in it. Its natural width is the whole line, so a dialog with room
   * shows it unbroken. */
  kf_key_text_label_init (GTK_LABEL (value_label));
  gtk_label_set_natural_wrap_mode (GTK_LABEL (value_label), GTK_NATURAL_WRAP_NONE);
  if (monospace)
    gtk_widget_add_css_class (value_label, "monospace");
  else
    gtk_label_set_wrap_mode (GTK_LABEL (value_label), PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (box), title_label);
  gtk_box_append (GTK_BOX (box), value_label);
}
