/* kf-key-text.c: key text wrapped without inserted hyphens.
 *
 * Pango (1.44 and later) draws a hyphen where it breaks a line inside a
 * word, and to Pango a base64 blob is one long word. A user comparing a key
 * by eye would read a "-" that is not in the key, so every widget that
 * shows key text turns that off: labels through their attributes, text
 * views through a tag that covers the whole buffer, whatever is typed,
 * pasted or set later.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-key-text.h"

#define NO_HYPHENS_TAG "kf-no-hyphens"

void
kf_key_text_label_init (GtkLabel *label)
{
  PangoAttrList *attrs;

  g_return_if_fail (GTK_IS_LABEL (label));

  attrs = gtk_label_get_attributes (label);
  attrs = attrs != NULL ? pango_attr_list_copy (attrs) : pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  gtk_label_set_attributes (label, attrs);
  pango_attr_list_unref (attrs);
  gtk_label_set_wrap (label, TRUE);
  gtk_label_set_wrap_mode (label, PANGO_WRAP_CHAR);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   GtkTextTag    *tag)
{
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_apply_tag (buffer, tag, &start, &end);
}

void
kf_key_text_view_init (GtkTextView *view)
{
  GtkTextBuffer *buffer;
  GtkTextTag *tag;

  g_return_if_fail (GTK_IS_TEXT_VIEW (view));

  buffer = gtk_text_view_get_buffer (view);
  tag = gtk_text_tag_table_lookup (gtk_text_buffer_get_tag_table (buffer), NO_HYPHENS_TAG);
  if (tag != NULL)
    return;

  tag = gtk_text_buffer_create_tag (buffer, NO_HYPHENS_TAG, "insert-hyphens", FALSE, NULL);
  gtk_text_view_set_wrap_mode (view, GTK_WRAP_CHAR);
  g_signal_connect_object (buffer, "changed", G_CALLBACK (on_buffer_changed), tag, 0);
  on_buffer_changed (buffer, tag);
}
