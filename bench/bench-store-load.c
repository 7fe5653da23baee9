/* bench-store-load.c: how long kf_store_load() takes for 10,000 key pairs and
 * 10,000 connections (each with RSA-3072, ECDSA and Ed25519 host keys).
 *
 * Usage: bench-store-load [N] [RUNS]   (defaults 10000 and 9)
 * Prints the file size, the median (and min/max) of RUNS loads into a new
 * store, a reload of a changed file into a store that already holds the
 * objects, one saving transaction on the full store, and the longest the
 * main loop stands still while a watching store takes in such a change.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <stdlib.h>
#include <time.h>

#include "kf-store.h"
#include "store-test-data.h"

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* CPU time of this process: the figure that does not depend on how busy
 * the other cores of a shared machine are. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Another writer's change: connection @i of @other gets a new test message. */
static void
edit_connection (KfStore    *other,
                 guint       i,
                 const char *message)
{
  g_autoptr(KfConnection) stored = g_list_model_get_item (kf_store_get_connections (other), i);
  g_autoptr(KfConnection) edited = kf_connection_copy (stored);
  g_autoptr(GError) error = NULL;

  kf_connection_set_test_message (edited, message);
  if (!kf_store_update_connection (other, edited, &error))
    g_error ("%s", error->message);
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

static gboolean
keep_ticking (gpointer data)
{
  return *(gboolean *) data ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static double
median (GArray *ms)
{
  g_array_sort (ms, cmp_double);
  return g_array_index (ms, double, ms->len / 2);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 10000;
  guint runs = argc > 2 ? (guint) atoi (argv[2]) : 9;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kf-bench-store-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(KfStore) writer = NULL;
  g_autoptr(GArray) load_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) load_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GStatBuf st;
  gint64 t;
  double save_ms, reload_ms, watch_stall_ms = 0;

  g_assert_no_error (error);
  path = g_build_filename (dir, "keyferry", "keyferry.json", NULL);

  store_test_generate (n, 42, FALSE, &keypairs, &connections);
  writer = kf_store_new (path);
  if (!kf_store_load (writer, &error) || !kf_store_add_all (writer, keypairs, connections, &error))
    g_error ("%s", error->message);
  g_assert_cmpint (g_stat (path, &st), ==, 0);

  for (guint r = 0; r < runs; r++)
    {
      g_autoptr(KfStore) store = kf_store_new (path);
      double ms, cpu;

      t = g_get_monotonic_time ();
      cpu = cpu_ms ();
      if (!kf_store_load (store, &error))
        g_error ("%s", error->message);
      cpu = cpu_ms () - cpu;
      ms = (g_get_monotonic_time () - t) / 1000.0;
      g_array_append_val (load_cpu_ms, cpu);
      g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (store)), ==, n);
      g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (store)), ==, n);
      g_array_append_val (load_ms, ms);
    }

  /* one transaction on the full store (serialise + write + fsync) */
  {
    KfConnection *first = g_list_model_get_item (kf_store_get_connections (writer), 0);
    g_autoptr(KfConnection) edited = kf_connection_copy (first);

    kf_connection_set_test_message (edited, "edited by the benchmark");
    t = g_get_monotonic_time ();
    if (!kf_store_update_connection (writer, edited, &error))
      g_error ("%s", error->message);
    save_ms = (g_get_monotonic_time () - t) / 1000.0;
    g_object_unref (first);
  }

  /* a store holding the old objects re-reads the changed file in place */
  {
    g_autoptr(KfStore) store = kf_store_new (path);
    g_autoptr(KfStore) other = kf_store_new (path);

    if (!kf_store_load (store, &error) || !kf_store_load (other, &error))
      g_error ("%s", error->message);
    edit_connection (other, 1, "edited again");
    t = g_get_monotonic_time ();
    if (!kf_store_reload_if_changed (store, &error))
      g_error ("%s", error->message);
    reload_ms = (g_get_monotonic_time () - t) / 1000.0;
  }

  /* the same change seen by a watching store: read and parsed in a worker
   * thread; the longest the main loop stood still until "reloaded" */
  {
    g_autoptr(KfStore) store = kf_store_new (path);
    g_autoptr(KfStore) other = kf_store_new (path);
    gboolean reloaded = FALSE;
    gint64 last, deadline;

    if (!kf_store_load (store, &error) || !kf_store_load (other, &error))
      g_error ("%s", error->message);
    kf_store_watch (store);
    g_signal_connect_swapped (store, "reloaded", G_CALLBACK (set_true), &reloaded);
    edit_connection (other, 2, "edited while watched");
    /* a 1 ms tick keeps the loop turning; each turn's gap is a stall */
    g_timeout_add (1, keep_ticking, &reloaded);
    last = g_get_monotonic_time ();
    deadline = last + 30 * G_USEC_PER_SEC;
    while (!reloaded && g_get_monotonic_time () < deadline)
      {
        gint64 now;

        g_main_context_iteration (NULL, TRUE);
        now = g_get_monotonic_time ();
        watch_stall_ms = MAX (watch_stall_ms, (now - last) / 1000.0);
        last = now;
      }
    if (!reloaded)
      g_error ("the watching store did not reload");
    while (g_main_context_iteration (NULL, FALSE))
      ;
  }

  g_print ("store file: %u key pairs + %u connections, %.1f MiB (%" G_GINT64_FORMAT " bytes)\n",
           n, n, st.st_size / (1024.0 * 1024.0), (gint64) st.st_size);
  {
    double mid = median (load_ms);   /* sorts */
    double cpu_mid = median (load_cpu_ms);
    g_print ("kf_store_load: median %.1f ms, min %.1f ms, max %.1f ms over %u runs (CPU time: median %.1f ms)\n",
             mid, g_array_index (load_ms, double, 0),
             g_array_index (load_ms, double, load_ms->len - 1), runs, cpu_mid);
  }
  g_print ("reload of a changed file into existing objects: %.1f ms\n", reload_ms);
  g_print ("one update transaction on the full store: %.1f ms\n", save_ms);
  g_print ("the same change seen by kf_store_watch(): the main loop stood still for at most %.1f ms\n",
           watch_stall_ms);

  {
    const char *argv_rm[] = { "rm", "-rf", dir, NULL };
    g_spawn_sync (NULL, (char **) argv_rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  return 0;
}
