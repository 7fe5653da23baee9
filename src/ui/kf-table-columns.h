/* kf-table-columns.h: what a list page's table shows of an item, and where.
 *
 * The columns of one table: their titles, how a cell's text is made from an
 * item, their widths for a given table width, which are shown and which one
 * sorts. The header (KfTableHeader) and every row (KfTableRow) read the same
 * geometry from here, so a row is one widget that draws its cells, not a
 * widget per cell: GTK 4.8 destroys and builds the row widgets of a search
 * keystroke one by one, and a GtkColumnView row with nine cells was about 21
 * widgets (profiled: bench/bench-startup.sh).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The text of a cell, newly allocated. */
typedef char        *(*KfTableFormatFunc) (gpointer item,
                                           gpointer user_data);
/* A CSS class for the cell's badge (a static string), or NULL for none. */
typedef const char  *(*KfTableBadgeFunc)  (gpointer item,
                                           gpointer user_data);

/* Space at either side of a cell's text, in pixels. */
#define KF_TABLE_CELL_PADDING 6

#define KF_TYPE_TABLE_COLUMNS (kf_table_columns_get_type ())

G_DECLARE_FINAL_TYPE (KfTableColumns, kf_table_columns, KF, TABLE_COLUMNS, GObject)

KfTableColumns *kf_table_columns_new              (GType              item_type);
/* @format NULL: the property's value as text. */
guint           kf_table_columns_append           (KfTableColumns    *self,
                                                   const char        *title,
                                                   const char        *property,
                                                   KfTableFormatFunc  format,
                                                   gpointer           user_data,
                                                   guint              width_chars,
                                                   gboolean           expand);
void            kf_table_columns_set_badge        (KfTableColumns    *self,
                                                   guint              column,
                                                   KfTableBadgeFunc   badge);
guint           kf_table_columns_get_n_columns    (KfTableColumns    *self);
const char     *kf_table_columns_get_title        (KfTableColumns    *self,
                                                   guint              column);
gboolean        kf_table_columns_has_badge        (KfTableColumns    *self,
                                                   guint              column);
/* The cell's text (never NULL) and badge class. */
char           *kf_table_columns_format           (KfTableColumns    *self,
                                                   guint              column,
                                                   gpointer           item);
const char     *kf_table_columns_badge            (KfTableColumns    *self,
                                                   guint              column,
                                                   gpointer           item);
gboolean        kf_table_columns_can_sort         (KfTableColumns    *self,
                                                   guint              column);

/* Shown columns: the first @n_shown (G_MAXUINT: all). */
void            kf_table_columns_set_n_shown      (KfTableColumns    *self,
                                                   guint              n_shown);
gboolean        kf_table_columns_get_shown        (KfTableColumns    *self,
                                                   guint              column);

/* Geometry. The character width comes from the rows' font; @trailing is the
 * width right of the last column (the row menu button). */
void            kf_table_columns_set_font         (KfTableColumns    *self,
                                                   double             char_width);
void            kf_table_columns_set_trailing     (KfTableColumns    *self,
                                                   int                trailing);
int             kf_table_columns_get_trailing     (KfTableColumns    *self);
/* Of the shown columns and the trailing space; @all: as if all were shown. */
void            kf_table_columns_measure          (KfTableColumns    *self,
                                                   gboolean           all,
                                                   int               *minimum,
                                                   int               *natural);
/* The width a row or the header asks for: only the first column is needed
 * (a page too narrow for all of them shows fewer, see kf-list-page.c,
 * rather than the window refusing to get narrower). */
void            kf_table_columns_measure_row      (KfTableColumns    *self,
                                                   int               *minimum,
                                                   int               *natural);
/* Where @column's cell is in a table @width wide, left to right; FALSE when
 * it is not shown. */
gboolean        kf_table_columns_get_cell         (KfTableColumns    *self,
                                                   int                width,
                                                   guint              column,
                                                   int               *x,
                                                   int               *cell_width);
/* The shown column at @x, or -1. */
int             kf_table_columns_column_at        (KfTableColumns    *self,
                                                   int                width,
                                                   int                x);
/* The user dragged a column's edge: its width from now on. */
void            kf_table_columns_resize           (KfTableColumns    *self,
                                                   guint              column,
                                                   int                cell_width);
int             kf_table_columns_get_min_width    (KfTableColumns    *self,
                                                   guint              column);

/* Sorting: -1 for the list's own order. */
int             kf_table_columns_get_sort_column  (KfTableColumns    *self);
GtkSortType     kf_table_columns_get_sort_order   (KfTableColumns    *self);
void            kf_table_columns_sort_by          (KfTableColumns    *self,
                                                   int                column,
                                                   GtkSortType        order);
/* A sorter for the current sort, or NULL for the list's own order. */
GtkSorter      *kf_table_columns_make_sorter      (KfTableColumns    *self);

G_END_DECLS
