/* bench-check-all.c: Check All (KfFleetCheck) over N connections to a real
 * sshd on loopback, one of them a black hole (a listener that accepts and
 * never speaks), with the real keyring.
 *
 * Usage: bench-check-all [N] [CONNECT_TIMEOUT_S] [JOBS…]   (defaults 50, 5, "8 50")
 * With KF_BENCH_STORED=M, M more connections are stored first and not
 * checked (a big store: every save of the outcomes writes all of them).
 * Prints, per JOBS: the wall time against the black hole's Connect Timeout
 * (the logins get 60 s: they all share one sshd on this machine), the longest
 * main-loop gap (a 2 ms GSource), and the resident memory before and at its
 * peak while the checks run (sampled by that GSource from /proc/self/status).
 * Run through bench/bench-check-all.sh (private D-Bus session and keyring).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kf-fleet-check.h"
#include "kf-key-material.h"
#include "kf-keypair.h"
#include "kf-ssh-key.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"

typedef struct {
  GAsyncResult *result;
  gint64        last_tick;
  gint64        max_gap;
  long          peak_rss_kb;
  guint         max_running;
} Run;

static long
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, "\nVmRSS:");
  return line ? atol (line + strlen ("\nVmRSS:")) : 0;
}

static gboolean
on_tick (gpointer data)
{
  Run *run = data;
  gint64 now = g_get_monotonic_time ();

  run->max_gap = MAX (run->max_gap, now - run->last_tick);
  run->last_tick = now;
  run->peak_rss_kb = MAX (run->peak_rss_kb, rss_kb ());
  return G_SOURCE_CONTINUE;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  ((Run *) data)->result = g_object_ref (result);
}

static char *
add_keypair (KfVault    *vault,
             KfTestSshd *sshd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, "bench", NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("Bench Key");

  if (material == NULL)
    g_error ("keygen: %s", error->message);
  kf_key_material_apply_to_keypair (material, keypair);
  if (!kf_vault_add_keypair_sync (vault, keypair, kf_key_material_get_private_key (material), NULL, &error))
    g_error ("keyring: %s", error->message);
  kf_test_sshd_add_authorized_key (sshd, kf_key_material_get_public_key (material));
  return g_strdup (kf_keypair_get_id (keypair));
}

static GPtrArray *
add_connections (KfStore    *store,
                 KfTestSshd *sshd,
                 const char *keypair_id,
                 guint       n,
                 guint       hole_port,
                 guint       timeout_s)
{
  GPtrArray *conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) keys = kf_test_sshd_get_host_key_lines (sshd);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("box %03u", i);
      g_autoptr(KfConnection) conn = kf_connection_new (name);
      g_autoptr(GError) error = NULL;

      kf_connection_set_host (conn, "127.0.0.1");
      /* The black hole in the middle, so it starts neither first nor last. */
      kf_connection_set_port (conn, i == n / 2 ? hole_port : kf_test_sshd_get_port (sshd));
      kf_connection_set_username (conn, kf_test_sshd_get_user (sshd));
      kf_connection_set_host_keys (conn, (const char * const *) keys);
      kf_connection_set_keypair_id (conn, keypair_id);
      /* Only the black hole's timeout is measured: the logins, which all go
       * to one sshd on this machine, get room (50 at once can take seconds). */
      kf_connection_set_connect_timeout (conn, i == n / 2 ? timeout_s : 60);
      if (!kf_store_add_connection (store, conn, &error))
        g_error ("store: %s", error->message);
      g_ptr_array_add (conns, g_object_ref (kf_store_find_connection (store, kf_connection_get_id (conn))));
    }
  return conns;
}

/* @n connections that are stored but not checked, in one transaction. */
static void
add_stored (KfStore    *store,
            KfTestSshd *sshd,
            const char *keypair_id,
            guint       n)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) keys = kf_test_sshd_get_host_key_lines (sshd);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("stored %05u", i);
      g_autofree char *host = g_strdup_printf ("nas-%05u.example.org", i);
      KfConnection *conn = kf_connection_new (name);

      kf_connection_set_host (conn, host);
      kf_connection_set_username (conn, "admin");
      kf_connection_set_host_keys (conn, (const char * const *) keys);
      kf_connection_set_keypair_id (conn, keypair_id);
      g_ptr_array_add (conns, conn);
    }
  if (!kf_store_add_all (store, NULL, conns, &error))
    g_error ("store: %s", error->message);
}

static void
bench_one (KfVault   *vault,
           GPtrArray *conns,
           guint      jobs,
           guint      timeout_s)
{
  g_autoptr(KfFleetCheck) check = kf_fleet_check_new (vault, conns);
  g_autofree char *summary = NULL;
  Run run = { 0 };
  long rss_before = rss_kb ();
  gint64 start;
  double wall, work = 0;
  guint tick;

  kf_fleet_check_set_jobs (check, jobs);
  run.peak_rss_kb = rss_before;
  start = run.last_tick = g_get_monotonic_time ();
  tick = g_timeout_add (2, on_tick, &run);
  kf_fleet_check_run_async (check, NULL, on_done, &run);
  while (run.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  wall = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_source_remove (tick);
  kf_fleet_check_run_finish (check, run.result, NULL);
  g_clear_object (&run.result);
  summary = kf_fleet_check_format_summary (check);
  /* What the logins cost by themselves (the server shares this machine):
   * the wall time to compare with is about max(timeout, work / jobs). */
  for (guint i = 0; i < conns->len; i++)
    if (kf_fleet_check_get_state (check, i) == KF_CHECK_STATE_OK)
      work += kf_test_result_get_total_ms (kf_fleet_check_get_result (check, i)) / 1000.0;

  printf ("%u connections (1 black hole) of %u stored, jobs %u, Connect Timeout %u s: wall %.2f s = timeout %+.2f s "
          "(the logins took %.2f s together, %.2f s per job; one after another: %.2f s); "
          "longest main-loop gap %.1f ms; RSS %.1f MB before, %.1f MB peak (+%.1f MB); %s\n",
          conns->len, g_list_model_get_n_items (kf_store_get_connections (kf_vault_get_store (vault))),
          jobs, timeout_s, wall, wall - timeout_s, work, work / jobs, work + timeout_s,
          run.max_gap / 1000.0, rss_before / 1024.0, run.peak_rss_kb / 1024.0,
          (run.peak_rss_kb - rss_before) / 1024.0, summary);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 50;
  guint timeout_s = argc > 2 ? (guint) atoi (argv[2]) : 5;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("kf-bench-check-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *keypair_id = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(GPtrArray) conns = NULL;
  KfTestSshd *sshd;
  guint hole_port;
  int hole;

  if (dir == NULL)
    g_error ("%s", error->message);
  sshd = kf_test_sshd_start (&error);
  if (sshd == NULL)
    g_error ("sshd: %s", error->message);
  hole = kf_test_silent_listener (&hole_port);

  path = g_build_filename (dir, "store.json", NULL);
  store = kf_store_new (path);
  if (!kf_store_load (store, &error))
    g_error ("store: %s", error->message);
  vault = kf_vault_new (store);
  keypair_id = add_keypair (vault, sshd);
  if (g_getenv ("KF_BENCH_STORED") != NULL)
    add_stored (store, sshd, keypair_id, (guint) atoi (g_getenv ("KF_BENCH_STORED")));
  conns = add_connections (store, sshd, keypair_id, n, hole_port, timeout_s);

  if (argc > 3)
    for (int i = 3; i < argc; i++)
      bench_one (vault, conns, (guint) atoi (argv[i]), timeout_s);
  else
    {
      bench_one (vault, conns, KF_FLEET_CHECK_DEFAULT_JOBS, timeout_s);
      bench_one (vault, conns, MIN (n, KF_FLEET_CHECK_MAX_JOBS), timeout_s);
    }

  close (hole);
  kf_test_sshd_stop (sshd);
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
