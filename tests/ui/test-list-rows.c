/* test-list-rows.c: KfListRows keeps row objects in place while its source
 * list changes, and reports only changes in the number of rows.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-list-rows.h"
#include "kf-test-util.h"

typedef struct
{
  guint position, removed, added;
  guint count;
} Changes;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Changes    *changes)
{
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
  changes->count++;
}

static void
count_notify (guint *count)
{
  (*count)++;
}

static GListStore *
make_source (guint n)
{
  GListStore *store = g_list_store_new (G_TYPE_APPLICATION);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("org.example.Item%u", i);
      g_autoptr(GApplication) item = g_application_new (id, G_APPLICATION_DEFAULT_FLAGS);

      g_list_store_append (store, item);
    }
  return store;
}

static const char *
row_id (GListModel *rows,
        guint       position)
{
  g_autoptr(KfListRow) row = g_list_model_get_item (rows, position);

  g_assert_nonnull (row);
  return g_application_get_application_id (G_APPLICATION (kf_list_row_get_item (row)));
}

static void
test_rows_follow_source (void)
{
  g_autoptr(GListStore) source = make_source (5);
  g_autoptr(KfListRows) rows = kf_list_rows_new (G_LIST_MODEL (source));
  g_autoptr(KfListRow) first = NULL;
  g_autoptr(KfListRow) first_again = NULL;
  Changes changes = { 0, };
  guint notified = 0;

  g_signal_connect (rows, "items-changed", G_CALLBACK (on_items_changed), &changes);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (rows)) == KF_TYPE_LIST_ROW);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 5);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 3), ==, "org.example.Item3");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (rows), 5));

  first = g_list_model_get_item (G_LIST_MODEL (rows), 0);
  g_signal_connect_swapped (first, "notify::item", G_CALLBACK (count_notify), &notified);

  /* Remove the first item: row 0 is the same object, now showing Item1;
   * only the count change (one row fewer, at the end) is reported. */
  g_list_store_remove (source, 0);
  first_again = g_list_model_get_item (G_LIST_MODEL (rows), 0);
  g_assert_true (first == first_again);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 0), ==, "org.example.Item1");
  g_assert_cmpuint (changes.count, ==, 1);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 1);
  g_assert_cmpuint (changes.added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 4);

  /* Replacing an item in the middle changes nothing in the count. */
  {
    g_autoptr(GApplication) other = g_application_new ("org.example.Other", G_APPLICATION_DEFAULT_FLAGS);
    g_list_store_splice (source, 2, 1, (gpointer *) &other, 1);
  }
  g_assert_cmpuint (changes.count, ==, 1);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 2), ==, "org.example.Other");
  /* The untouched row 0 was not told anything. */
  g_assert_cmpuint (notified, ==, 1);

  /* Growing reports the new rows at the end. */
  {
    g_autoptr(GApplication) more = g_application_new ("org.example.More", G_APPLICATION_DEFAULT_FLAGS);
    g_list_store_insert (source, 0, more);
  }
  g_assert_cmpuint (changes.count, ==, 2);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 1);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 0), ==, "org.example.More");
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 4), ==, "org.example.Item4");
}

static void
test_limit (void)
{
  g_autoptr(GListStore) source = make_source (10);
  g_autoptr(KfListRows) rows = kf_list_rows_new (G_LIST_MODEL (source));
  Changes changes = { 0, };

  g_signal_connect (rows, "items-changed", G_CALLBACK (on_items_changed), &changes);
  kf_list_rows_set_limit (rows, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 4);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.removed, ==, 6);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (rows), 4));

  /* Source changes beyond the limit are invisible; within it, rows re-point. */
  g_list_store_remove (source, 9);
  g_assert_cmpuint (changes.count, ==, 1);
  g_list_store_remove (source, 0);
  g_assert_cmpuint (changes.count, ==, 1);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 0), ==, "org.example.Item1");

  kf_list_rows_set_limit (rows, G_MAXUINT);
  g_assert_cmpuint (changes.count, ==, 2);
  g_assert_cmpuint (changes.position, ==, 4);
  g_assert_cmpuint (changes.added, ==, 4);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (rows)), ==, 8);
  g_assert_cmpstr (row_id (G_LIST_MODEL (rows), 7), ==, "org.example.Item8");
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/ui/list-rows/follow-source", test_rows_follow_source);
  g_test_add_func ("/ui/list-rows/limit", test_limit);

  return g_test_run ();
}
