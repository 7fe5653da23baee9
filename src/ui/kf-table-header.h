/* kf-table-header.h: the column titles above a list page's rows.
 *
 * A button per shown column, placed where KfTableColumns puts the column:
 * a click sorts by it (again: the other way), dragging the edge between two
 * titles resizes the column on the left. From the keyboard the titles are
 * one Tab stop: Left and Right move between them, Enter or Space sorts,
 * Ctrl+Left and Ctrl+Right make the column narrower or wider.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-table-columns.h"

G_BEGIN_DECLS

#define KF_TYPE_TABLE_HEADER (kf_table_header_get_type ())

G_DECLARE_FINAL_TYPE (KfTableHeader, kf_table_header, KF, TABLE_HEADER, GtkWidget)

GtkWidget      *kf_table_header_new          (KfTableColumns *columns);
/* The title button of @column (for tests and focus). */
GtkWidget      *kf_table_header_get_button   (KfTableHeader  *self,
                                              guint           column);

G_END_DECLS
