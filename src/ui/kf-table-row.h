/* kf-table-row.h: one row of a list page's table, as one widget.
 *
 * Draws the text of every shown cell itself, at the places KfTableColumns
 * gives, and has two children at most: a badge (a column with a badge
 * function) and the ⋮ button that opens the row's menu. For screen readers
 * the row is named after its first cell and described by the others.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-table-columns.h"

G_BEGIN_DECLS

#define KF_TYPE_TABLE_ROW (kf_table_row_get_type ())

G_DECLARE_FINAL_TYPE (KfTableRow, kf_table_row, KF, TABLE_ROW, GtkWidget)

GtkWidget  *kf_table_row_new              (KfTableColumns *columns);
/* Shows @item (NULL: nothing) and follows its changes. */
void        kf_table_row_set_item         (KfTableRow     *self,
                                           GObject        *item);
GObject    *kf_table_row_get_item         (KfTableRow     *self);
/* Reads the cells' texts from the item again. */
void        kf_table_row_update           (KfTableRow     *self);
const char *kf_table_row_get_cell_text    (KfTableRow     *self,
                                           guint           column);
GtkWidget  *kf_table_row_get_menu_button  (KfTableRow     *self);
KfTableColumns *kf_table_row_get_columns  (KfTableRow     *self);

G_END_DECLS
