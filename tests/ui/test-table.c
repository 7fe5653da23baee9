/* test-table.c: the list pages' table parts. KfTableColumns shares a width
 * out among the shown columns and sorts both ways; a KfTableRow shows its
 * item's texts and follows its changes; a KfTableHeader's titles sort.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-connection.h"
#include "kf-list-page.h"
#include "kf-table-columns.h"
#include "kf-table-header.h"
#include "kf-table-row.h"
#include "kf-test-util.h"
#include "ui-test-util.h"

static char *
format_port_text (gpointer item,
                  gpointer user_data)
{
  return g_strdup_printf ("port %u", kf_connection_get_port (item));
}

/* Name (expands), Host (expands), Port: 16, 18 and 5 characters. */
static KfTableColumns *
make_columns (void)
{
  KfTableColumns *columns = kf_table_columns_new (KF_TYPE_CONNECTION);

  kf_table_columns_append (columns, "Name", "name", NULL, NULL, 16, TRUE);
  kf_table_columns_append (columns, "Host", "host", NULL, NULL, 18, TRUE);
  kf_table_columns_append (columns, "Port", "port", NULL, NULL, 5, FALSE);
  kf_table_columns_set_font (columns, 10);
  kf_table_columns_set_trailing (columns, 30);
  return columns;
}

/* The cells of the shown columns in a table @width wide: left to right,
 * edge to edge, each at least its minimum. Returns the number shown. */
static guint
assert_cells_tile (KfTableColumns *columns,
                   int             width)
{
  int end = 0;
  guint n = 0;

  for (guint i = 0; i < kf_table_columns_get_n_columns (columns); i++)
    {
      int x, cell_width;

      if (!kf_table_columns_get_cell (columns, width, i, &x, &cell_width))
        {
          g_assert_false (kf_table_columns_get_shown (columns, i));
          continue;
        }
      g_assert_cmpint (x, ==, end);
      g_assert_cmpint (cell_width, >=, kf_table_columns_get_min_width (columns, i));
      end = x + cell_width;
      n++;
    }
  g_assert_cmpint (end, ==, MAX (width, end));
  return n;
}

static void
test_layout (void)
{
  g_autoptr(KfTableColumns) columns = make_columns ();
  int min, nat, x, name_width, host_width, port_width;

  /* 10 px a character, 6 px padding at either side, 30 px for ⋮. */
  kf_table_columns_measure (columns, FALSE, &min, &nat);
  g_assert_cmpint (nat, ==, 30 + (160 + 12) + (180 + 12) + (50 + 12));
  /* At least the title (4 characters) or 3 characters, at most natural. */
  g_assert_cmpint (kf_table_columns_get_min_width (columns, 0), ==, 40 + 12);
  g_assert_cmpint (min, ==, 30 + 3 * 52);

  /* Wider than natural: the expanding columns share what is left. */
  g_assert_cmpuint (assert_cells_tile (columns, 600), ==, 3);
  g_assert_true (kf_table_columns_get_cell (columns, 600, 0, &x, &name_width));
  g_assert_true (kf_table_columns_get_cell (columns, 600, 1, &x, &host_width));
  g_assert_true (kf_table_columns_get_cell (columns, 600, 2, &x, &port_width));
  g_assert_cmpint (port_width, ==, 62);
  g_assert_cmpint (name_width + host_width + port_width, ==, 600);
  g_assert_cmpint (host_width - name_width, >=, 19);
  g_assert_cmpint (host_width - name_width, <=, 21);

  /* Narrower: every column between its minimum and natural width. */
  assert_cells_tile (columns, 300);
  g_assert_cmpint (kf_table_columns_column_at (columns, 300, 0), ==, 0);
  g_assert_cmpint (kf_table_columns_column_at (columns, 300, 299), ==, 2);
  g_assert_cmpint (kf_table_columns_column_at (columns, 300, 300), ==, -1);

  /* Fewer shown: the others have no cell, and the minimum counts only the
   * shown ones unless all are asked for. */
  kf_table_columns_set_n_shown (columns, 2);
  g_assert_cmpuint (assert_cells_tile (columns, 300), ==, 2);
  g_assert_false (kf_table_columns_get_cell (columns, 300, 2, &x, &port_width));
  kf_table_columns_measure (columns, FALSE, &min, NULL);
  g_assert_cmpint (min, ==, 30 + 2 * 52);
  kf_table_columns_measure (columns, TRUE, &min, NULL);
  g_assert_cmpint (min, ==, 30 + 3 * 52);
  kf_table_columns_set_n_shown (columns, G_MAXUINT);

  /* A column the user sized keeps its size and no longer expands; it never
   * gets narrower than its minimum. */
  kf_table_columns_resize (columns, 0, 100);
  g_assert_true (kf_table_columns_get_cell (columns, 600, 0, &x, &name_width));
  g_assert_cmpint (name_width, ==, 100);
  assert_cells_tile (columns, 600);
  kf_table_columns_resize (columns, 0, 1);
  g_assert_true (kf_table_columns_get_cell (columns, 600, 0, &x, &name_width));
  g_assert_cmpint (name_width, ==, kf_table_columns_get_min_width (columns, 0));
}

static GListStore *
make_store (void)
{
  GListStore *store = g_list_store_new (KF_TYPE_CONNECTION);
  const struct { const char *name; guint port; } rows[] = {
    { "beta", 2222 }, { "alpha", 22 }, { "gamma", 80 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(KfConnection) connection = kf_connection_new (rows[i].name);

      kf_connection_set_port (connection, rows[i].port);
      g_list_store_append (store, connection);
    }
  return store;
}

static const char *
name_at (GListModel *model,
         guint       position)
{
  g_autoptr(KfConnection) connection = g_list_model_get_item (model, position);

  return g_intern_string (kf_connection_get_name (connection));
}

static void
test_sort (void)
{
  g_autoptr(KfTableColumns) columns = make_columns ();
  g_autoptr(GtkSortListModel) sorted = NULL;
  guint formatted;

  formatted = kf_table_columns_append (columns, "Port Text", "port", format_port_text, NULL, 8, FALSE);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (make_store ()), NULL);

  /* The list's own order until a column is chosen. */
  g_assert_cmpint (kf_table_columns_get_sort_column (columns), ==, -1);
  g_assert_null (kf_table_columns_make_sorter (columns));

  /* A number column sorts by its value, both ways. */
  kf_table_columns_sort_by (columns, 2, GTK_SORT_ASCENDING);
  {
    g_autoptr(GtkSorter) sorter = kf_table_columns_make_sorter (columns);

    gtk_sort_list_model_set_sorter (sorted, sorter);
  }
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 0), ==, "alpha");
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 2), ==, "beta");
  kf_table_columns_sort_by (columns, 2, GTK_SORT_DESCENDING);
  {
    g_autoptr(GtkSorter) sorter = kf_table_columns_make_sorter (columns);

    gtk_sort_list_model_set_sorter (sorted, sorter);
  }
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 0), ==, "beta");
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 2), ==, "alpha");

  /* A formatted column sorts by its text: "port 22" < "port 2222" < "port 80". */
  kf_table_columns_sort_by (columns, formatted, GTK_SORT_DESCENDING);
  {
    g_autoptr(GtkSorter) sorter = kf_table_columns_make_sorter (columns);

    gtk_sort_list_model_set_sorter (sorted, sorter);
  }
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 0), ==, "gamma");
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 1), ==, "beta");
  g_assert_cmpstr (name_at (G_LIST_MODEL (sorted), 2), ==, "alpha");
}

static void
test_row_and_header (void)
{
  g_autoptr(KfTableColumns) columns = make_columns ();
  g_autoptr(KfConnection) connection = kf_connection_new ("Office NAS");
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = kf_table_header_new (columns);
  GtkWidget *row = kf_table_row_new (columns);
  g_autofree char *description = NULL;
  GtkWidget *button;

  kf_connection_set_host (connection, "nas.lan");
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), row);
  gtk_window_set_child (GTK_WINDOW (window), box);

  /* Empty until it has an item; then the item's texts, kept up to date. */
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 1), ==, "");
  kf_table_row_set_item (KF_TABLE_ROW (row), G_OBJECT (connection));
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 0), ==, "Office NAS");
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 1), ==, "nas.lan");
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 2), ==, "22");
  g_assert_null (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 3));
  kf_connection_set_host (connection, "nas2.lan");
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 1), ==, "nas2.lan");
  kf_table_row_set_item (KF_TABLE_ROW (row), NULL);
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 0), ==, "");
  /* No longer followed. */
  kf_connection_set_host (connection, "nas3.lan");
  g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 1), ==, "");

  /* The ⋮ has a name for screen readers. */
  button = kf_table_row_get_menu_button (KF_TABLE_ROW (row));
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_cmpstr (gtk_widget_get_name (button), ==, "row-menu");

  /* A title sorts by its column, a second click the other way; another
   * title starts ascending again. */
  g_signal_emit_by_name (kf_table_header_get_button (KF_TABLE_HEADER (header), 2), "clicked");
  g_assert_cmpint (kf_table_columns_get_sort_column (columns), ==, 2);
  g_assert_cmpint (kf_table_columns_get_sort_order (columns), ==, GTK_SORT_ASCENDING);
  g_signal_emit_by_name (kf_table_header_get_button (KF_TABLE_HEADER (header), 2), "clicked");
  g_assert_cmpint (kf_table_columns_get_sort_order (columns), ==, GTK_SORT_DESCENDING);
  g_signal_emit_by_name (kf_table_header_get_button (KF_TABLE_HEADER (header), 0), "clicked");
  g_assert_cmpint (kf_table_columns_get_sort_column (columns), ==, 0);
  g_assert_cmpint (kf_table_columns_get_sort_order (columns), ==, GTK_SORT_ASCENDING);

  /* Left to right, the titles start at the left edge; right to left, at
   * the right edge, with the ⋮'s room on the left. */
  for (int rtl = 0; rtl <= 1; rtl++)
    {
      graphene_rect_t name_title, host_title;

      gtk_widget_set_direction (header, rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);
      gtk_widget_measure (header, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
      gtk_widget_measure (header, GTK_ORIENTATION_VERTICAL, -1, NULL, NULL, NULL, NULL);
      gtk_widget_size_allocate (header, &(GtkAllocation) { 0, 0, 630, 40 }, -1);
      g_assert_true (gtk_widget_compute_bounds (kf_table_header_get_button (KF_TABLE_HEADER (header), 0), header, &name_title));
      g_assert_true (gtk_widget_compute_bounds (kf_table_header_get_button (KF_TABLE_HEADER (header), 1), header, &host_title));
      if (rtl)
        {
          g_assert_cmpfloat (name_title.origin.x + name_title.size.width, ==, 630);
          g_assert_cmpfloat (host_title.origin.x + host_title.size.width, ==, name_title.origin.x);
        }
      else
        {
          g_assert_cmpfloat (name_title.origin.x, ==, 0);
          g_assert_cmpfloat (host_title.origin.x, ==, name_title.origin.x + name_title.size.width);
        }
    }

  /* Shown columns: the header hides the others' titles. */
  kf_table_columns_set_n_shown (columns, 1);
  g_assert_true (gtk_widget_get_child_visible (kf_table_header_get_button (KF_TABLE_HEADER (header), 0)));
  g_assert_false (gtk_widget_get_child_visible (kf_table_header_get_button (KF_TABLE_HEADER (header), 1)));

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
focus_of (GtkWidget *window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

/* @column's width where the header lays it out now. */
static int
cell_width_of (KfTableColumns *columns,
               GtkWidget      *header,
               guint           column)
{
  int x, width;

  g_assert_true (kf_table_columns_get_cell (columns, gtk_widget_get_width (header) - kf_table_columns_get_trailing (columns),
                                            column, &x, &width));
  return width;
}

/* The titles from the keyboard: one Tab stop, entered at the sorted column
 * (then at the title last used); Left and Right move between titles (the
 * other way right to left); activating a title sorts; the resize actions
 * act on the focused title's column. */
static void
test_header_keyboard (void)
{
  g_autoptr(KfTableColumns) columns = make_columns ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *before = gtk_button_new_with_label ("Before");
  GtkWidget *after = gtk_button_new_with_label ("After");
  GtkWidget *header = kf_table_header_new (columns);
  KfTableHeader *h = KF_TABLE_HEADER (header);
  int width;

  gtk_widget_set_size_request (header, 630, -1);
  gtk_box_append (GTK_BOX (box), before);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), after);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait_frame (window);

  kf_table_columns_sort_by (columns, 1, GTK_SORT_ASCENDING);
  g_assert_true (gtk_widget_grab_focus (before));
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 1));
  /* The next Tab leaves the titles; Shift+Tab comes back to the same one. */
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  g_assert_true (focus_of (window) == after);
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_BACKWARD));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 1));
  /* As after a key press: the focus ring shows. */
  gtk_window_set_focus_visible (GTK_WINDOW (window), TRUE);
  ui_test_screenshot (window, "header-keyboard-focus");

  /* Right goes to Port; at the last title it stays. */
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_RIGHT));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 2));
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_RIGHT));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 2));

  /* Enter or Space on a title sorts by its column (a button's "clicked"
   * follows its activation after a short press animation). */
  g_assert_true (gtk_widget_activate (focus_of (window)));
  for (int i = 0; i < 100 && kf_table_columns_get_sort_column (columns) != 2; i++)
    ui_test_spin (10);
  g_assert_cmpint (kf_table_columns_get_sort_column (columns), ==, 2);
  g_assert_cmpint (kf_table_columns_get_sort_order (columns), ==, GTK_SORT_ASCENDING);

  /* Wider and narrower by a step; never narrower than the title. The step
   * starts from the width shown, so the header must have been laid out. */
  for (int i = 0; i < 200 && gtk_widget_get_width (header) < 630; i++)
    ui_test_spin (10);
  g_assert_cmpint (gtk_widget_get_width (header), >=, 630);
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 2));
  width = cell_width_of (columns, header, 2);
  g_assert_true (gtk_widget_activate_action (header, "table-header.wider-column", NULL));
  g_assert_cmpint (cell_width_of (columns, header, 2), ==, width + 24);
  g_assert_true (gtk_widget_activate_action (header, "table-header.narrower-column", NULL));
  g_assert_cmpint (cell_width_of (columns, header, 2), ==, width);
  for (int i = 0; i < 20; i++)
    gtk_widget_activate_action (header, "table-header.narrower-column", NULL);
  g_assert_cmpint (cell_width_of (columns, header, 2), ==, kf_table_columns_get_min_width (columns, 2));

  /* Right to left, Right goes back towards Name. */
  gtk_widget_set_direction (header, GTK_TEXT_DIR_RTL);
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_RIGHT));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 1));

  /* A hidden title is skipped, and Tab enters at a shown one. */
  gtk_widget_set_direction (header, GTK_TEXT_DIR_LTR);
  g_assert_true (gtk_widget_grab_focus (before));
  kf_table_columns_set_n_shown (columns, 1);
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_TAB_FORWARD));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 0));
  g_assert_true (gtk_widget_child_focus (window, GTK_DIR_RIGHT));
  g_assert_true (focus_of (window) == kf_table_header_get_button (h, 0));

  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
name_field (gpointer     item,
            const char **fields,
            guint        max)
{
  fields[0] = kf_connection_get_name (item);
  return 1;
}

static guint
shown_for (KfListPage *page,
           const char *search)
{
  kf_list_page_set_search_text (page, search);
  return g_list_model_get_n_items (kf_list_page_get_shown (page));
}

/* The search's fast path for ASCII and its casefolding one agree. */
static void
test_search_case (void)
{
  g_autoptr(GListStore) store = g_list_store_new (KF_TYPE_CONNECTION);
  const char *names[] = { "Büro NAS", "Backup NAS", "\xe2\x84\xaa-Box" /* KELVIN SIGN */, "STRASSE" };
  KfListPage *page = g_object_ref_sink (g_object_new (KF_TYPE_LIST_PAGE, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(KfConnection) connection = kf_connection_new (names[i]);

      g_list_store_append (store, connection);
    }
  kf_list_page_set_model (page, G_LIST_MODEL (store));
  kf_list_page_set_fields_func (page, name_field);

  g_assert_cmpuint (shown_for (page, "nas"), ==, 2);
  g_assert_cmpuint (shown_for (page, "NAS"), ==, 2);
  g_assert_cmpuint (shown_for (page, "büro"), ==, 1);
  g_assert_cmpuint (shown_for (page, "BÜRO"), ==, 1);
  g_assert_cmpuint (shown_for (page, "ro n"), ==, 1);
  /* ASCII words in a name that is not ASCII: casefolded, the Kelvin sign
   * is a "k". */
  g_assert_cmpuint (shown_for (page, "k-box"), ==, 1);
  g_assert_cmpuint (shown_for (page, "strasse"), ==, 1);
  g_assert_cmpuint (shown_for (page, "nass"), ==, 0);
  g_assert_cmpuint (shown_for (page, "up nas"), ==, 1);
  g_assert_cmpuint (shown_for (page, ""), ==, 4);

  g_object_unref (page);
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  gtk_init ();

  g_test_add_func ("/ui/table/layout", test_layout);
  g_test_add_func ("/ui/table/sort", test_sort);
  g_test_add_func ("/ui/table/row-and-header", test_row_and_header);
  g_test_add_func ("/ui/table/search-case", test_search_case);
  g_test_add_func ("/ui/table/header-keyboard", test_header_keyboard);

  return g_test_run ();
}
