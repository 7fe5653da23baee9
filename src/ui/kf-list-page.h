/* kf-list-page.h: one searchable list of the main window.
 *
 * A table over the store's GListModel (a GtkListView of KfTableRow under a
 * KfTableHeader), sorted by the clicked column and filtered by the search bar, with an empty state ("No SSH Connections", Add)
 * and a "no results" state for searches. The window adds the columns and says
 * which text of an item the search looks at; the page knows nothing about
 * connections or key pairs.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-table-columns.h"

G_BEGIN_DECLS

#define KF_TYPE_LIST_PAGE (kf_list_page_get_type ())

G_DECLARE_FINAL_TYPE (KfListPage, kf_list_page, KF, LIST_PAGE, GtkWidget)

/* Fills @fields with up to @max borrowed strings of @item that a search
 * matches against (NULL entries are skipped); returns how many it filled. */
typedef guint        (*KfListFieldsFunc) (gpointer     item,
                                          const char **fields,
                                          guint        max);
/* The menu of a row's menu button, built when the user opens it. */
typedef GMenuModel  *(*KfListMenuFunc)   (gpointer     item,
                                          gpointer     user_data);

#define KF_LIST_PAGE_MAX_FIELDS 8

void          kf_list_page_set_model          (KfListPage       *self,
                                               GListModel       *model);
GListModel   *kf_list_page_get_model          (KfListPage       *self);
/* What is shown, after search: a GListModel of the same items. */
GListModel   *kf_list_page_get_shown          (KfListPage       *self);
void          kf_list_page_set_fields_func    (KfListPage       *self,
                                               KfListFieldsFunc  func);
/* A column showing @property (or @format's text when given); sorting uses the
 * property's value when it is a string or a number, else @format's text.
 * @width_chars: the width it asks for, in characters. */
void          kf_list_page_append_column      (KfListPage       *self,
                                               const char       *title,
                                               const char       *property,
                                               KfTableFormatFunc format,
                                               gpointer          user_data,
                                               guint             width_chars,
                                               gboolean          expand);
/* Shows the cells of the column appended last as badges ("badge" and the
 * class @func gives, styled in style.css), with the column's text in them. */
void          kf_list_page_set_badge_func     (KfListPage       *self,
                                               KfTableBadgeFunc  func);
void          kf_list_page_set_menu_func      (KfListPage       *self,
                                               KfListMenuFunc    func,
                                               gpointer          user_data);
/* Re-renders the visible cells (after a change their item did not notify). */
void          kf_list_page_refresh            (KfListPage       *self);
KfTableColumns *kf_list_page_get_columns      (KfListPage       *self);

const char   *kf_list_page_get_search_text    (KfListPage       *self);
void          kf_list_page_set_search_text    (KfListPage       *self,
                                               const char       *text);
gboolean      kf_list_page_get_search_mode    (KfListPage       *self);
void          kf_list_page_set_search_mode    (KfListPage       *self,
                                               gboolean          search_mode);
/* Opens the search bar and focuses its entry. */
void          kf_list_page_start_search       (KfListPage       *self);
/* "list", "empty" or "no-results". */
const char   *kf_list_page_get_state          (KfListPage       *self);
/* The selected item (borrowed), or NULL. */
gpointer      kf_list_page_get_selected_item  (KfListPage       *self);

G_END_DECLS
