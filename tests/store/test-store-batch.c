/* test-store-batch.c: several connections updated in one transaction, and
 * check outcomes recorded at once and saved in batches by a worker thread
 * (kf_store_record_test): nothing brought back, no edit overwritten, a save
 * that finds the file changed under it starts again, nothing lost on dispose.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "kf-errors.h"
#include "kf-store.h"
#include "kf-test-util.h"
#include "store-test-data.h"

typedef struct {
  char      *path;
  KfStore   *store;
  GPtrArray *ids;     /* the connections' ids, in order */
} Fixture;

static KfStore *
load_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  KfStore *store = kf_store_new (path);

  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  return store;
}

/* A store of @n connections (with their key pairs), untested. */
static void
fixture_set_up (Fixture *f,
                guint    n)
{
  g_autofree char *dir = kf_test_make_tmpdir ("store-batch");
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(GError) error = NULL;

  f->path = g_build_filename (dir, "keyferry.json", NULL);
  f->store = load_store (f->path);
  store_test_generate (n, 13, FALSE, &keypairs, &connections);
  f->ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < n; i++)
    {
      kf_connection_set_test_state (connections->pdata[i], KF_TEST_STATE_UNTESTED);
      kf_connection_set_test_failure (connections->pdata[i], KF_TEST_FAILURE_NONE);
      kf_connection_set_tested_at (connections->pdata[i], 0);
      g_ptr_array_add (f->ids, g_strdup (kf_connection_get_id (connections->pdata[i])));
    }
  g_assert_true (kf_store_add_all (f->store, keypairs, connections, &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f)
{
  g_clear_object (&f->store);
  g_ptr_array_unref (f->ids);
  g_free (f->path);
}

/* What a check found for connection @i of @store: an outcome to record. */
static KfConnection *
outcome_for (KfStore    *store,
             const char *id,
             gboolean    ok,
             gint64      when)
{
  KfConnection *outcome = kf_connection_copy (kf_store_find_connection (store, id));

  kf_connection_set_host_key_verified (outcome, FALSE);
  kf_connection_set_truenas_version (outcome, NULL);
  kf_connection_set_test_state (outcome, ok ? KF_TEST_STATE_OK : KF_TEST_STATE_FAILED);
  kf_connection_set_test_failure (outcome, ok ? KF_TEST_FAILURE_NONE : KF_TEST_FAILURE_UNREACHABLE);
  kf_connection_set_test_message (outcome, ok ? "Logged in." : "Unreachable.");
  kf_connection_set_tested_at (outcome, when);
  return outcome;
}

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static void
save_tests (KfStore *store)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + kf_test_timeout (20) * G_USEC_PER_SEC;

  kf_store_save_tests_async (store, on_saved, &result);
  while (result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (result);
  g_assert_true (kf_store_save_tests_finish (store, result, &error));
  g_assert_no_error (error);
}

/* The file as another process reads it: connection @id, or NULL. */
static KfConnection *
read_back (const char *path,
           const char *id)
{
  g_autoptr(KfStore) other = load_store (path);
  KfConnection *found = kf_store_find_connection (other, id);

  return found ? kf_connection_copy (found) : NULL;
}

/* Two renamed in one transaction; one gone makes the whole update fail,
 * saving neither. */
static void
test_update_connections (void)
{
  Fixture f = { 0 };
  g_autoptr(GPtrArray) changed = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) a = NULL;
  g_autoptr(KfConnection) b = NULL;
  g_autoptr(KfConnection) c = NULL;

  fixture_set_up (&f, 3);
  for (guint i = 0; i < 2; i++)
    {
      KfConnection *copy = kf_connection_copy (kf_store_find_connection (f.store, f.ids->pdata[i]));
      g_autofree char *name = g_strdup_printf ("renamed %u", i);

      kf_connection_set_name (copy, name);
      g_ptr_array_add (changed, copy);
    }
  g_assert_true (kf_store_update_connections (f.store, changed, &error));
  g_assert_no_error (error);
  a = read_back (f.path, f.ids->pdata[0]);
  b = read_back (f.path, f.ids->pdata[1]);
  g_assert_cmpstr (kf_connection_get_name (a), ==, "renamed 0");
  g_assert_cmpstr (kf_connection_get_name (b), ==, "renamed 1");

  /* the second takes the first's new name: nothing is saved */
  kf_connection_set_name (changed->pdata[0], "again 0");
  kf_connection_set_name (changed->pdata[1], "again 0");
  g_assert_false (kf_store_update_connections (f.store, changed, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  kf_connection_set_name (changed->pdata[1], "again 1");
  g_assert_true (kf_store_remove_connection (f.store, f.ids->pdata[1], &error));
  g_assert_no_error (error);
  g_assert_false (kf_store_update_connections (f.store, changed, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  c = read_back (f.path, f.ids->pdata[0]);
  g_assert_cmpstr (kf_connection_get_name (c), ==, "renamed 0");
  g_assert_cmpstr (kf_connection_get_name (kf_store_find_connection (f.store, f.ids->pdata[0])), ==, "renamed 0");
  fixture_tear_down (&f);
}

/* An outcome shows on the stored connection at once; the file gets it with
 * the others in one save. */
static void
test_record_then_save (void)
{
  Fixture f = { 0 };
  g_autofree char *before = NULL;
  g_autofree char *after_record = NULL;

  fixture_set_up (&f, 5);
  g_assert_true (g_file_get_contents (f.path, &before, NULL, NULL));
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(KfConnection) outcome = outcome_for (f.store, f.ids->pdata[i], i != 2, 1700000000 + i);

      g_assert_true (kf_store_record_test (f.store, outcome));
      g_assert_cmpint (kf_connection_get_check_state (kf_store_find_connection (f.store, f.ids->pdata[i])), ==,
                       i != 2 ? KF_CHECK_STATE_OK : KF_CHECK_STATE_UNREACHABLE);
    }
  /* not written per outcome */
  g_assert_true (g_file_get_contents (f.path, &after_record, NULL, NULL));
  g_assert_cmpstr (after_record, ==, before);

  save_tests (f.store);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(KfConnection) read = read_back (f.path, f.ids->pdata[i]);

      g_assert_cmpint (kf_connection_get_check_state (read), ==,
                       i != 2 ? KF_CHECK_STATE_OK : KF_CHECK_STATE_UNREACHABLE);
      g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000000 + i);
      /* and the store's own object is what the file says */
      store_test_assert_same (G_OBJECT (read), G_OBJECT (kf_store_find_connection (f.store, f.ids->pdata[i])));
    }
  fixture_tear_down (&f);
}

/* Without being asked, the batch is saved within about a second. */
static void
test_saved_soon (void)
{
  Fixture f = { 0 };
  g_autoptr(KfConnection) outcome = NULL;
  g_autoptr(KfConnection) read = NULL;
  gint64 deadline;

  fixture_set_up (&f, 2);
  outcome = outcome_for (f.store, f.ids->pdata[0], TRUE, 1700000100);
  g_assert_true (kf_store_record_test (f.store, outcome));
  deadline = g_get_monotonic_time () + kf_test_timeout (5) * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_clear_object (&read);
      read = read_back (f.path, f.ids->pdata[0]);
      if (kf_connection_get_tested_at (read) == 1700000100)
        break;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (20 * 1000);
    }
  g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000100);
  fixture_tear_down (&f);
}

/* Another process removes one connection and edits another while their
 * outcomes wait: the removed one is not brought back, the edit stays. */
static void
test_other_process_meanwhile (void)
{
  Fixture f = { 0 };
  g_autoptr(KfStore) other = NULL;
  g_autoptr(KfConnection) gone = NULL;
  g_autoptr(KfConnection) edited = NULL;
  g_autoptr(KfConnection) o0 = NULL;
  g_autoptr(KfConnection) o1 = NULL;
  g_autoptr(KfConnection) read = NULL;
  g_autoptr(GError) error = NULL;

  fixture_set_up (&f, 3);
  o0 = outcome_for (f.store, f.ids->pdata[0], TRUE, 1700000200);
  o1 = outcome_for (f.store, f.ids->pdata[1], FALSE, 1700000201);
  g_assert_true (kf_store_record_test (f.store, o0));
  g_assert_true (kf_store_record_test (f.store, o1));

  other = load_store (f.path);
  g_assert_true (kf_store_remove_connection (other, f.ids->pdata[0], &error));
  g_assert_no_error (error);
  edited = kf_connection_copy (kf_store_find_connection (other, f.ids->pdata[1]));
  kf_connection_set_name (edited, "edited elsewhere");
  kf_connection_set_port (edited, 2222);
  g_assert_true (kf_store_update_connection (other, edited, &error));
  g_assert_no_error (error);

  save_tests (f.store);
  gone = read_back (f.path, f.ids->pdata[0]);
  g_assert_null (gone);
  g_assert_null (kf_store_find_connection (f.store, f.ids->pdata[0]));
  read = read_back (f.path, f.ids->pdata[1]);
  g_assert_cmpstr (kf_connection_get_name (read), ==, "edited elsewhere");
  g_assert_cmpuint (kf_connection_get_port (read), ==, 2222);
  g_assert_cmpint (kf_connection_get_check_state (read), ==, KF_CHECK_STATE_UNREACHABLE);
  g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000201);
  /* an outcome for a connection not stored is refused */
  g_assert_false (kf_store_record_test (f.store, o0));
  fixture_tear_down (&f);
}

/* The file changes while the worker waits for the lock (another process
 * held it and wrote): the worker finds it changed, writes nothing, and the
 * save starts again from what was written, keeping it. */
static void
test_changed_under_the_lock (void)
{
  Fixture f = { 0 };
  g_autofree char *lock_path = NULL;
  g_autofree char *data = NULL;
  g_autofree char *temp = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) outcome = NULL;
  g_autoptr(KfConnection) read = NULL;
  const char *name;
  char *serial;
  gint64 deadline;
  int fd;

  fixture_set_up (&f, 2);
  lock_path = g_strconcat (f.path, ".lock", NULL);
  fd = open (lock_path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  outcome = outcome_for (f.store, f.ids->pdata[0], TRUE, 1700000300);
  g_assert_true (kf_store_record_test (f.store, outcome));
  kf_store_save_tests_async (f.store, on_saved, &result);
  /* the worker is waiting for our lock now (or soon: either way it checks
   * the file only once it has the lock) */
  for (guint i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (result);

  /* "another process": a new serial and a renamed connection, written
   * whole and renamed into place, as a save does */
  g_assert_true (g_file_get_contents (f.path, &data, NULL, NULL));
  text = g_string_new (data);
  name = kf_connection_get_name (kf_store_find_connection (f.store, f.ids->pdata[1]));
  g_assert_cmpuint (g_string_replace (text, name, "renamed under the lock", 1), ==, 1);
  serial = strstr (text->str, "\"serial\": \"");
  g_assert_nonnull (serial);
  serial[11] = serial[11] == 'a' ? 'b' : 'a';
  temp = g_strconcat (f.path, ".other", NULL);
  g_assert_true (g_file_set_contents (temp, text->str, text->len, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rename (temp, f.path), ==, 0);
  close (fd);

  deadline = g_get_monotonic_time () + kf_test_timeout (20) * G_USEC_PER_SEC;
  while (result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (result);
  g_assert_true (kf_store_save_tests_finish (f.store, result, &error));
  g_assert_no_error (error);

  read = read_back (f.path, f.ids->pdata[1]);
  g_assert_cmpstr (kf_connection_get_name (read), ==, "renamed under the lock");
  g_clear_object (&read);
  read = read_back (f.path, f.ids->pdata[0]);
  g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000300);
  g_assert_cmpstr (kf_connection_get_name (kf_store_find_connection (f.store, f.ids->pdata[1])), ==,
                   "renamed under the lock");
  fixture_tear_down (&f);
}

/* A whole update of a connection (a Test, an edit) after a pending outcome:
 * the older outcome does not come back over it. */
static void
test_whole_update_wins (void)
{
  Fixture f = { 0 };
  g_autoptr(KfConnection) older = NULL;
  g_autoptr(KfConnection) newer = NULL;
  g_autoptr(KfConnection) read = NULL;
  g_autoptr(GError) error = NULL;

  fixture_set_up (&f, 1);
  older = outcome_for (f.store, f.ids->pdata[0], FALSE, 1700000400);
  g_assert_true (kf_store_record_test (f.store, older));
  newer = kf_connection_copy (kf_store_find_connection (f.store, f.ids->pdata[0]));
  kf_connection_set_test_state (newer, KF_TEST_STATE_OK);
  kf_connection_set_test_failure (newer, KF_TEST_FAILURE_NONE);
  kf_connection_set_tested_at (newer, 1700000401);
  g_assert_true (kf_store_update_connection (f.store, newer, &error));
  g_assert_no_error (error);
  save_tests (f.store);
  read = read_back (f.path, f.ids->pdata[0]);
  g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000401);
  g_assert_cmpint (kf_connection_get_check_state (read), ==, KF_CHECK_STATE_OK);
  g_assert_cmpint (kf_connection_get_tested_at (kf_store_find_connection (f.store, f.ids->pdata[0])), ==, 1700000401);
  fixture_tear_down (&f);
}

/* Dropping the store (quitting) saves what was recorded and not yet saved. */
static void
test_dispose_saves (void)
{
  Fixture f = { 0 };
  g_autoptr(KfConnection) outcome = NULL;
  g_autoptr(KfConnection) read = NULL;

  fixture_set_up (&f, 2);
  outcome = outcome_for (f.store, f.ids->pdata[1], TRUE, 1700000500);
  g_assert_true (kf_store_record_test (f.store, outcome));
  g_clear_object (&f.store);
  read = read_back (f.path, f.ids->pdata[1]);
  g_assert_cmpint (kf_connection_get_tested_at (read), ==, 1700000500);
  fixture_tear_down (&f);
}

int
main (int    argc,
      char **argv)
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/store/batch/update-connections", test_update_connections);
  g_test_add_func ("/store/batch/record-then-save", test_record_then_save);
  g_test_add_func ("/store/batch/saved-soon", test_saved_soon);
  g_test_add_func ("/store/batch/other-process-meanwhile", test_other_process_meanwhile);
  g_test_add_func ("/store/batch/changed-under-the-lock", test_changed_under_the_lock);
  g_test_add_func ("/store/batch/whole-update-wins", test_whole_update_wins);
  g_test_add_func ("/store/batch/dispose-saves", test_dispose_saves);
  return g_test_run ();
}
