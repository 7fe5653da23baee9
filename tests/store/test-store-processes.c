/* test-store-processes.c: the store shared by processes: crashes while
 * saving, concurrent writers, and the watch that shows another process's changes.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-store.h"
#include "kf-store-private.h"
#include "kf-test-util.h"
#include "store-test-data.h"

static char *
helper_path (void)
{
  return g_build_filename (kf_test_get_builddir (), "tests", "store", "kf-store-helper", NULL);
}

static char *
new_store_path (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("store");
  return g_build_filename (dir, "keyferry.json", NULL);
}

typedef struct
{
  GSubprocess      *proc;
  GDataInputStream *out;
} Helper;

static void
helper_start (Helper             *helper,
              const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, helper_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  helper->proc = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  helper->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (helper->proc));
}

/* The helper's next line, or NULL at the end of its output. */
static char *
helper_read_line (Helper *helper)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line (helper->out, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

static void
helper_clear (Helper *helper)
{
  g_clear_object (&helper->out);
  g_clear_object (&helper->proc);
}

static guint
n_connections (KfStore *store)
{
  return g_list_model_get_n_items (kf_store_get_connections (store));
}

/* The temporary files in dir that are not in before (NULL: none). A save
 * killed in an earlier round may have left one that no transaction swept
 * yet: it must not pass for this round's write. */
static guint
count_temp_files (const char *dir,
                  GHashTable *before)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, ".keyferry.json.tmp-")
        && (before == NULL || !g_hash_table_contains (before, name)))
      n++;
  return n;
}

static GHashTable *
list_temp_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, ".keyferry.json.tmp-"))
      g_hash_table_add (names, g_strdup (name));
  return names;
}

/* Kills a process that saves in a loop at random moments, at least 50 times
 * and until at least 10 kills have landed mid-write (at most 300 rounds, or
 * two more minutes after the 50th): the file always loads,
 * holds every save the process had finished, and no damaged copy or
 * temporary file is left behind. The number of rounds is not fixed because
 * how often a kill lands mid-write depends on the machine's speed (sanitizer
 * builds, loaded CI runners): rounds go on, bounded, until enough did. */
static void
test_kill_while_saving (void)
{
  const guint min_rounds = 50;
  const guint min_mid_write = 10;
  const guint max_rounds = 300;
  g_autofree char *path = new_store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GError) error = NULL;
  /* rounds beyond min_rounds get this much time in all (a round takes
   * ~0.2 s here, ~2 s under sanitizers on a loaded machine) */
  const gint64 extra_time_us = 120 * G_USEC_PER_SEC;
  gint64 give_up = G_MAXINT64;
  /* longest random wait after the temporary file shows up; shrinks when an
   * aimed kill arrives after the write is over */
  gint32 aim_delay_us = 1000;
  guint total = 0;
  guint rounds = 0;
  guint killed_mid_run = 0;
  guint killed_while_writing = 0;

  /* ~2.5 MB, so a save takes long enough to be interrupted */
  {
    g_autoptr(KfStore) store = kf_store_new (path);
    g_autoptr(GPtrArray) keypairs = NULL;
    g_autoptr(GPtrArray) connections = NULL;

    store_test_generate (1500, 5, FALSE, &keypairs, &connections);
    g_assert_true (kf_store_load (store, &error));
    g_assert_true (kf_store_add_all (store, keypairs, connections, &error));
    g_assert_no_error (error);
    total = 1500;
  }

  for (guint round = 0;
       round < min_rounds ||
       (killed_while_writing < min_mid_write && round < max_rounds && g_get_monotonic_time () < give_up);
       round++)
    {
      const char *args[] = { "save-loop", path, NULL };
      g_autoptr(KfStore) store = kf_store_new (path);
      g_autoptr(GHashTable) stale = list_temp_files (dir);
      g_autofree char *first = NULL;
      Helper helper = { 0 };
      guint acknowledged = 0;
      gboolean aimed = round % 2 == 1;
      gboolean mid_write;
      char *line;

      if (round == min_rounds)
        give_up = g_get_monotonic_time () + extra_time_us;
      helper_start (&helper, args);
      first = helper_read_line (&helper);
      g_assert_cmpstr (first, ==, "loaded");
      if (!aimed)
        g_usleep (g_rand_int_range (rand, 0, 200000));
      else
        {
          /* aim at the write itself: kill once a temporary file shows up */
          gint64 deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;
          while (count_temp_files (dir, stale) == 0 && g_get_monotonic_time () < deadline)
            g_usleep (100);
          g_usleep (g_rand_int_range (rand, 0, aim_delay_us + 1));
        }
      g_subprocess_send_signal (helper.proc, SIGKILL);
      g_subprocess_wait (helper.proc, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_signaled (helper.proc))
        killed_mid_run++;
      while ((line = helper_read_line (&helper)) != NULL)
        {
          g_assert_true (g_str_has_prefix (line, "saved "));
          acknowledged = (guint) atoi (line + 6);
          g_free (line);
        }
      helper_clear (&helper);
      mid_write = count_temp_files (dir, stale) > 0;
      if (mid_write)
        killed_while_writing++;
      else if (aimed)
        aim_delay_us = MAX (aim_delay_us / 2, 50);

      g_assert_true (kf_store_load (store, &error));
      g_assert_no_error (error);
      /* every save the helper reported is there; at most one more */
      g_assert_cmpuint (n_connections (store), >=, total + acknowledged);
      g_assert_cmpuint (n_connections (store), <=, total + acknowledged + 1);
      total = n_connections (store);
      rounds = round + 1;
      g_test_message ("round %u: %u saves acknowledged, %u connections%s",
                      round, acknowledged, total, mid_write ? ", killed mid-write" : "");
    }
  /* every kill ended a running process */
  g_assert_cmpuint (rounds, >=, min_rounds);
  g_assert_cmpuint (killed_mid_run, ==, rounds);
  /* some kills landed while the new file was being written, not only
   * between saves (left temporary files show it) */
  g_test_message ("%u of %u kills left a half-written temporary file", killed_while_writing, rounds);
  g_assert_cmpuint (killed_while_writing, >=, min_mid_write);

  /* temporary files of killed saves are swept by the next transaction */
  {
    g_autoptr(KfStore) store = kf_store_new (path);
    g_autoptr(KfConnection) last = kf_connection_new ("after the crashes");
    g_autoptr(GDir) d = NULL;
    const char *name;
    guint files = 0;

    g_assert_true (kf_store_load (store, &error));
    g_assert_true (kf_store_add_connection (store, last, &error));
    g_assert_no_error (error);
    d = g_dir_open (dir, 0, NULL);
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_test_message ("left: %s", name);
        g_assert_true (g_str_equal (name, "keyferry.json") || g_str_equal (name, "keyferry.json.lock"));
        files++;
      }
    g_assert_cmpuint (files, ==, 2);
  }
}

/* This process and a helper add items at the same time: all of them stay. */
static void
test_concurrent_writers (void)
{
  const guint n = 120;
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  const char *args[] = { "add", path, "child", "120", NULL };
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  Helper helper = { 0 };
  gboolean overlapped = FALSE;
  guint child_seen;

  g_assert_true (kf_store_load (store, &error));

  helper_start (&helper, args);
  first = helper_read_line (&helper);
  g_assert_cmpstr (first, ==, "loaded");
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfKeypair) keypair = store_test_keypair (rand, i, FALSE);
      g_autoptr(KfConnection) connection = store_test_connection (rand, i, NULL, FALSE);
      g_autofree char *key_name = g_strdup_printf ("parent key %u", i);
      g_autofree char *connection_name = g_strdup_printf ("parent connection %u", i);

      kf_keypair_set_name (keypair, key_name);
      kf_connection_set_name (connection, connection_name);
      g_assert_true (kf_store_add_connection_with_keypair (store, connection, keypair, &error));
      g_assert_no_error (error);
      /* the helper's items this transaction found on disk */
      child_seen = n_connections (store) - (i + 1);
      if (child_seen > 0 && child_seen < n)
        overlapped = TRUE;
    }
  last = helper_read_line (&helper);
  g_assert_cmpstr (last, ==, "done");
  g_subprocess_wait_check (helper.proc, NULL, &error);
  g_assert_no_error (error);
  helper_clear (&helper);

  /* the writers really overlapped: a transaction of ours, in the middle,
   * found some but not all of the helper's items */
  g_assert_true (overlapped);

  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(KfStore) fresh = kf_store_new (path);
      KfStore *check = pass == 0 ? store : fresh;

      if (pass == 0)
        g_assert_true (kf_store_reload_if_changed (store, &error));
      else
        g_assert_true (kf_store_load (fresh, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (check)), ==, 2 * n);
      g_assert_cmpuint (n_connections (check), ==, 2 * n);
      for (guint i = 0; i < n; i++)
        {
          const char *who[] = { "parent", "child" };
          for (guint w = 0; w < 2; w++)
            {
              g_autofree char *key_name = g_strdup_printf ("%s key %u", who[w], i);
              g_autofree char *connection_name = g_strdup_printf ("%s connection %u", who[w], i);
              KfKeypair *keypair = kf_store_find_keypair_by_name (check, key_name);
              KfConnection *connection = kf_store_find_connection_by_name (check, connection_name);

              g_assert_nonnull (keypair);
              g_assert_nonnull (connection);
              g_assert_cmpstr (kf_connection_get_keypair_id (connection), ==, kf_keypair_get_id (keypair));
              g_assert_cmpuint (kf_keypair_get_usage_count (keypair), ==, 1);
            }
        }
    }
}

static void
record_change (GListModel *list,
               guint       position,
               guint       removed,
               guint       added,
               gpointer    data)
{
  g_string_append_printf (data, "(%u,%u,%u)", position, removed, added);
}

static void
on_reloaded (KfStore *store,
             gpointer data)
{
  guint *count = data;
  (*count)++;
}

static gboolean
set_true (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Another process changes the file: the watching store reloads, keeps the
 * objects of unchanged ids, and updates counts. Our own saves cause no reload. */
static void
test_watch (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) k = kf_keypair_new ("k");
  const char *names[] = { "c0", "c1", "c2" };
  KfConnection *c0, *c1;
  KfKeypair *stored_k;
  const char *args[] = { "modify", path, NULL };
  g_autofree char *line = NULL;
  Helper helper = { 0 };
  guint reloaded = 0;
  gboolean seen = FALSE;
  g_autoptr(GString) changes = g_string_new (NULL);

  g_assert_true (kf_store_load (store, &error));
  g_assert_true (kf_store_add_keypair (store, k, &error));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(KfConnection) c = kf_connection_new (names[i]);
      kf_connection_set_keypair_id (c, kf_keypair_get_id (k));
      g_assert_true (kf_store_add_connection (store, c, &error));
      g_assert_no_error (error);
    }
  kf_store_watch (store);
  g_signal_connect (store, "reloaded", G_CALLBACK (on_reloaded), &reloaded);
  c0 = g_object_ref (kf_store_find_connection_by_name (store, "c0"));
  c1 = g_object_ref (kf_store_find_connection_by_name (store, "c1"));
  stored_k = kf_store_find_keypair (store, kf_keypair_get_id (k));
  g_assert_cmpuint (kf_keypair_get_usage_count (stored_k), ==, 3);

  /* our own save is not a change from outside */
  {
    g_autoptr(KfConnection) c3 = kf_connection_new ("c3");
    g_assert_true (kf_store_add_connection (store, c3, &error));
    g_assert_no_error (error);
  }
  spin (400);
  g_assert_cmpuint (reloaded, ==, 0);
  g_signal_connect (kf_store_get_connections (store), "items-changed", G_CALLBACK (record_change), changes);

  helper_start (&helper, args);
  g_subprocess_wait_check (helper.proc, NULL, &error);
  g_assert_no_error (error);
  line = helper_read_line (&helper);
  g_assert_cmpstr (line, ==, "loaded");
  g_free (g_steal_pointer (&line));
  line = helper_read_line (&helper);
  g_assert_cmpstr (line, ==, "done");
  helper_clear (&helper);

  /* wait for the monitor (never touching the file ourselves) */
  {
    gint64 deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;
    while (!seen && g_get_monotonic_time () < deadline)
      {
        g_main_context_iteration (NULL, FALSE);
        seen = kf_store_find_connection_by_name (store, "c new") != NULL;
        if (!seen)
          g_usleep (5000);
      }
  }
  g_assert_true (seen);
  g_assert_cmpuint (reloaded, >=, 1);
  g_assert_cmpuint (n_connections (store), ==, 4);
  g_assert_true (kf_store_find_connection_by_name (store, "c0") == c0);
  g_assert_true (kf_store_find_connection_by_name (store, "c1 renamed") == c1);
  g_assert_cmpstr (kf_connection_get_name (c1), ==, "c1 renamed");
  /* only the removed row and the added row changed: c2 out, "c new" in */
  g_assert_cmpstr (changes->str, ==, "(2,1,0)(3,0,1)");
  g_assert_null (kf_store_find_connection_by_name (store, "c2"));
  g_assert_null (kf_store_find_connection_by_name (store, "c1"));
  g_assert_true (kf_store_find_keypair (store, kf_keypair_get_id (k)) == stored_k);
  /* c0, c1 renamed and c new use k; c3 uses none */
  g_assert_cmpuint (kf_keypair_get_usage_count (stored_k), ==, 3);
  {
    g_autoptr(KfConnection) first = g_list_model_get_item (kf_store_get_connections (store), 0);
    g_autoptr(KfConnection) second = g_list_model_get_item (kf_store_get_connections (store), 1);
    g_autoptr(KfConnection) fourth = g_list_model_get_item (kf_store_get_connections (store), 3);
    g_assert_true (first == c0);
    g_assert_true (second == c1);
    g_assert_cmpstr (kf_connection_get_name (fourth), ==, "c new");
  }

  g_object_unref (c0);
  g_object_unref (c1);
}

/* A file damaged by someone else while we watch is moved aside and reported. */
static void
on_reload_failed (KfStore *store,
                  GError  *error,
                  gpointer data)
{
  GError **out = data;
  g_clear_error (out);
  *out = g_error_copy (error);
}

static void
test_watch_damage (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) reported = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) k = kf_keypair_new ("k");
  g_autofree char *tmp = g_strconcat (path, ".new", NULL);

  g_assert_true (kf_store_load (store, &error));
  g_assert_true (kf_store_add_keypair (store, k, &error));
  g_assert_no_error (error);
  kf_store_watch (store);
  g_signal_connect (store, "reload-failed", G_CALLBACK (on_reload_failed), &reported);

  g_assert_true (g_file_set_contents (tmp, "{\"format\": \"keyferry-store\", \"vers", -1, NULL));
  g_assert_cmpint (g_rename (tmp, path), ==, 0);
  {
    gint64 deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;
    while (reported == NULL && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_error (reported, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED);
  g_assert_nonnull (strstr (reported->message, ".damaged-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (store)), ==, 0);
}

/* A reload's worker thread waits in the hook until the main thread, still
 * turning its loop, lets it go. Were the file parsed on the main thread,
 * the hook would block that thread and give up after the timeout. */
typedef struct
{
  GMutex   mutex;
  GCond    cond;
  gboolean entered;
  gboolean released;
  gboolean timed_out;
} Pause;

static void
pause_reload (gpointer job,
              gpointer data)
{
  Pause *pause = data;
  gint64 deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;

  g_mutex_lock (&pause->mutex);
  pause->entered = TRUE;
  while (!pause->released && !pause->timed_out)
    if (!g_cond_wait_until (&pause->cond, &pause->mutex, deadline))
      pause->timed_out = TRUE;
  g_mutex_unlock (&pause->mutex);
}

static gboolean
pause_entered (Pause *pause)
{
  gboolean entered;

  g_mutex_lock (&pause->mutex);
  entered = pause->entered;
  g_mutex_unlock (&pause->mutex);
  return entered;
}

static void
pause_release (Pause *pause)
{
  g_mutex_lock (&pause->mutex);
  pause->released = TRUE;
  g_cond_signal (&pause->cond);
  g_mutex_unlock (&pause->mutex);
}

static void
iterate_until (gboolean (*done) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
entered_cb (gpointer data)
{
  return pause_entered (data);
}

static gboolean
has_keypair_named (KfStore    *store,
                   const char *name)
{
  GListModel *keypairs = kf_store_get_keypairs (store);

  for (guint i = 0; i < g_list_model_get_n_items (keypairs); i++)
    {
      g_autoptr(KfKeypair) k = g_list_model_get_item (keypairs, i);
      if (g_strcmp0 (kf_keypair_get_name (k), name) == 0)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  KfStore *store;
  guint    reloaded;
} Watched;

static gboolean
outside_key_seen (gpointer data)
{
  Watched *w = data;
  return w->reloaded > 0 && has_keypair_named (w->store, "from outside");
}

static void
count_removed (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               gpointer    data)
{
  *(guint *) data += removed;
}

/* Another writer's change is read by a worker thread while the main loop
 * turns; with @act_meanwhile, the main thread saves a change of its own
 * while that thread holds the older file, and the reload's result, now
 * stale, is not put over it. */
static void
watch_in_background (gboolean act_meanwhile)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfStore) other = kf_store_new (path);
  g_autoptr(KfStore) after = kf_store_new (path);
  g_autoptr(KfKeypair) kept = kf_keypair_new ("kept");
  g_autoptr(KfKeypair) outside = kf_keypair_new ("from outside");
  KfKeypair *stored_kept;
  Pause pause = { 0 };
  Watched watched = { store, 0 };
  guint removed = 0;

  g_mutex_init (&pause.mutex);
  g_cond_init (&pause.cond);
  g_assert_true (kf_store_load (store, &error));
  g_assert_true (kf_store_add_keypair (store, kept, &error));
  g_assert_no_error (error);
  stored_kept = kf_store_find_keypair (store, kf_keypair_get_id (kept));
  kf_store_watch (store);
  g_signal_connect (store, "reloaded", G_CALLBACK (on_reloaded), &watched.reloaded);
  kf_store_set_reload_hook_for_testing (pause_reload, &pause);

  g_assert_true (kf_store_load (other, &error));
  g_assert_true (kf_store_add_keypair (other, outside, &error));
  g_assert_no_error (error);

  iterate_until (entered_cb, &pause);
  g_assert_true (pause_entered (&pause));
  g_assert_false (has_keypair_named (store, "from outside"));
  if (act_meanwhile)
    {
      g_autoptr(KfKeypair) ours = kf_keypair_new ("ours");

      /* a transaction re-reads a changed file under the lock first */
      g_assert_true (kf_store_add_keypair (store, ours, &error));
      g_assert_no_error (error);
      g_assert_true (has_keypair_named (store, "from outside"));
      /* from now on nothing leaves the list, not even for a moment */
      g_signal_connect (kf_store_get_keypairs (store), "items-changed", G_CALLBACK (count_removed), &removed);
    }
  pause_release (&pause);
  iterate_until (outside_key_seen, &watched);
  spin (200);   /* a stale result would land now */
  kf_store_set_reload_hook_for_testing (NULL, NULL);

  g_signal_handlers_disconnect_by_func (kf_store_get_keypairs (store), count_removed, &removed);
  g_assert_false (pause.timed_out);
  g_assert_cmpuint (removed, ==, 0);
  g_assert_cmpuint (watched.reloaded, >=, 1);
  g_assert_true (has_keypair_named (store, "from outside"));
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (store)), ==, act_meanwhile ? 3 : 2);
  /* the unchanged element kept its object */
  g_assert_true (kf_store_find_keypair (store, kf_keypair_get_id (kept)) == stored_kept);
  g_assert_true (kf_store_load (after, &error));
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (after)), ==, act_meanwhile ? 3 : 2);
  g_assert_cmpint (has_keypair_named (after, "ours"), ==, act_meanwhile);

  g_cond_clear (&pause.cond);
  g_mutex_clear (&pause.mutex);
}

static void
test_watch_in_background (void)
{
  watch_in_background (FALSE);
}

static void
test_watch_stale_result (void)
{
  watch_in_background (TRUE);
}

int
main (int    argc,
      char **argv)
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/store/processes/kill-while-saving", test_kill_while_saving);
  g_test_add_func ("/store/processes/concurrent-writers", test_concurrent_writers);
  g_test_add_func ("/store/processes/watch", test_watch);
  g_test_add_func ("/store/processes/watch-damage", test_watch_damage);
  g_test_add_func ("/store/processes/watch-in-background", test_watch_in_background);
  g_test_add_func ("/store/processes/watch-stale-result", test_watch_stale_result);

  return g_test_run ();
}
