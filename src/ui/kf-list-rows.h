/* kf-list-rows.h: a list model of stable row objects over another list.
 *
 * GTK 4.8 keeps up to 200 row widgets alive in a GtkListView and, when its
 * model reports items removed and added (every search keystroke through a
 * GtkFilterListModel), destroys and rebuilds the rows of every item that
 * moved. KfListRows shows the same items, but row i is always the same
 * KfListRow object: when the source changes, the rows that stay simply point
 * at their new item ("notify::item"), and only a change in the number of
 * items is reported as items-changed at the end of the list. The rows then
 * re-render their text instead of being rebuilt.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KF_TYPE_LIST_ROW (kf_list_row_get_type ())

G_DECLARE_FINAL_TYPE (KfListRow, kf_list_row, KF, LIST_ROW, GObject)

/* The item of the source list this row shows now. */
GObject    *kf_list_row_get_item      (KfListRow   *self);

#define KF_TYPE_LIST_ROWS (kf_list_rows_get_type ())

G_DECLARE_FINAL_TYPE (KfListRows, kf_list_rows, KF, LIST_ROWS, GObject)

KfListRows *kf_list_rows_new          (GListModel  *source);
/* Shows at most @limit rows (G_MAXUINT: all), e.g. one screenful for the
 * first frame: GTK 4.8 builds a widget for up to 200 rows at once. */
void        kf_list_rows_set_limit    (KfListRows  *self,
                                       guint        limit);
/* The source item at @position (borrowed), or NULL. */
GObject    *kf_list_rows_peek_item    (KfListRows  *self,
                                       guint        position);

G_END_DECLS
