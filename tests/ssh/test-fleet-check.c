/* test-fleet-check.c: Check All (KfFleetCheck) against real sshd instances on
 * loopback and the real keyring: every state, the TrueNAS version read over
 * the same session, cancel, the store round trip, and 50 connections with a
 * black hole within about one Connect Timeout while the main loop keeps ticking.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kf-errors.h"
#include "kf-fleet-check.h"
#include "kf-keypair.h"
#include "kf-key-material.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"

static KfTestSshd *sshd;        /* accepts the fleet key */
static KfTestSshd *other_sshd;  /* other host keys: "host key changed" when A's are stored */
static KfTestSshd *nas_sshd;    /* plays a TrueNAS box */
static char *store_path;
static KfStore *store;
static KfVault *vault;
static char *fleet_keypair_id;     /* authorized on sshd and nas_sshd */
static char *stranger_keypair_id;  /* authorized nowhere */
static char *public_keypair_id;    /* public key only: a check cannot start */

/* A Connect Timeout that is not under test: logins to a loopback sshd, scaled. */
#define ROOMY kf_test_timeout (10)

/* ------------------------------------------------------------- helpers */

static char *
add_keypair (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, name, NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (vault, keypair,
                                            g_str_equal (name, "Public Key") ? NULL : kf_key_material_get_private_key (material),
                                            NULL, &error));
  g_assert_no_error (error);
  if (g_str_equal (name, "Fleet Key"))
    {
      kf_test_sshd_add_authorized_key (sshd, kf_key_material_get_public_key (material));
      kf_test_sshd_add_authorized_key (nas_sshd, kf_key_material_get_public_key (material));
    }
  return g_strdup (kf_keypair_get_id (keypair));
}

/* A stored connection to 127.0.0.1:@port that trusts @keys_of's host keys. */
static KfConnection *
add_connection (const char *name,
                guint       port,
                KfTestSshd *keys_of,
                const char *keypair_id,
                guint       timeout_s)
{
  g_autoptr(KfConnection) conn = kf_connection_new (name);
  g_auto(GStrv) keys = kf_test_sshd_get_host_key_lines (keys_of);
  g_autoptr(GError) error = NULL;

  kf_connection_set_host (conn, "127.0.0.1");
  kf_connection_set_port (conn, port);
  kf_connection_set_username (conn, kf_test_sshd_get_user (sshd));
  kf_connection_set_host_keys (conn, (const char * const *) keys);
  kf_connection_set_keypair_id (conn, keypair_id);
  kf_connection_set_connect_timeout (conn, timeout_s);
  g_assert_true (kf_store_add_connection (store, conn, &error));
  g_assert_no_error (error);
  return kf_store_find_connection (store, kf_connection_get_id (conn));
}

static void
remove_all_connections (void)
{
  GListModel *model = kf_store_get_connections (store);

  while (g_list_model_get_n_items (model) > 0)
    {
      g_autoptr(KfConnection) conn = g_list_model_get_item (model, 0);
      g_autoptr(GError) error = NULL;

      g_assert_true (kf_store_remove_connection (store, kf_connection_get_id (conn), &error));
      g_assert_no_error (error);
    }
}

typedef struct {
  GAsyncResult *result;
  gint64        last_tick;
  gint64        max_gap;
  gint64        last_wait;      /* the main thread's run-queue wait at the last tick */
  gint64        max_gap_wait;   /* how much of the longest gap it waited for a CPU */
  gint64        max_own_gap;    /* the longest gap less its run-queue wait */
  guint         n_signals;
  guint         last_n_done;
  GCancellable *cancel_this;
} Run;

/* How long the calling thread has been runnable but waiting for a CPU (the
 * second field of /proc/thread-self/schedstat, ns). A gap in the main loop
 * is its own (work on it, or a call that blocks it) less that wait: on this
 * shared 2-core machine at load 5-7 the kernel alone delays a due timer by
 * tens of milliseconds now and then. */
static gint64
thread_wait_usec (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_true (g_file_get_contents ("/proc/thread-self/schedstat", &text, NULL, NULL));
  fields = g_strsplit (text, " ", 3);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  return (gint64) (g_ascii_strtoull (fields[1], NULL, 10) / 1000);
}

/* Ticks every 5 ms: the longest time between two ticks is the longest the
 * main loop could not answer. */
static gboolean
on_tick (gpointer data)
{
  Run *run = data;
  gint64 now = g_get_monotonic_time ();
  gint64 wait = thread_wait_usec ();

  if (now - run->last_tick > run->max_gap)
    {
      run->max_gap = now - run->last_tick;
      run->max_gap_wait = wait - run->last_wait;
    }
  run->max_own_gap = MAX (run->max_own_gap, (now - run->last_tick) - (wait - run->last_wait));
  run->last_tick = now;
  run->last_wait = wait;
  return G_SOURCE_CONTINUE;
}

static void
on_checked (KfFleetCheck *check,
            guint         index,
            Run          *run)
{
  /* Only a cancelled one ends unchecked. */
  if (run->cancel_this == NULL)
    g_assert_cmpint (kf_fleet_check_get_state (check, index), !=, KF_CHECK_STATE_NOT_CHECKED);
  run->n_signals++;
  /* Progress only grows. */
  g_assert_cmpuint (kf_fleet_check_get_n_done (check), >, run->last_n_done);
  run->last_n_done = kf_fleet_check_get_n_done (check);
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Run *run = data;
  run->result = g_object_ref (result);
}

static void
on_cancel_timeout (gpointer data)
{
  g_cancellable_cancel (data);
}

/* Runs @check; returns the seconds it took. */
static double
run_check (KfFleetCheck  *check,
           guint          cancel_after_ms,
           Run           *run,
           GError       **error)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + kf_test_timeout (120) * G_USEC_PER_SEC;
  guint tick;
  gboolean ok;

  g_signal_connect (check, "connection-checked", G_CALLBACK (on_checked), run);
  run->last_tick = start;
  run->last_wait = thread_wait_usec ();
  tick = g_timeout_add (5, on_tick, run);
  if (cancel_after_ms > 0)
    run->cancel_this = cancellable;
  if (cancel_after_ms > 0)
    g_timeout_add_once (cancel_after_ms, on_cancel_timeout, cancellable);
  kf_fleet_check_run_async (check, cancellable, on_done, run);
  while (run->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  ok = kf_fleet_check_run_finish (check, run->result, error);
  g_assert_true (ok == (error == NULL || *error == NULL));
  g_clear_object (&run->result);
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static guint
index_of (KfFleetCheck *check,
          const char   *name)
{
  for (guint i = 0; i < kf_fleet_check_get_n_items (check); i++)
    if (g_str_equal (kf_connection_get_name (kf_fleet_check_get_connection (check, i)), name))
      return i;
  g_assert_not_reached ();
}

/* --------------------------------------------------------------- tests */

/* One connection in each state, the TrueNAS version read over the same
 * session, and every outcome kept in the store. */
static void
test_states (void)
{
  g_autofree char *root = kf_test_sshd_get_truenas_root (nas_sshd);
  g_autofree char *manifest = g_build_filename (root, "data", "manifest.json", NULL);
  g_autofree char *commands_path = g_build_filename (root, "commands", NULL);
  g_autofree char *commands = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KfFleetCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  KfConnection *nas, *plain_nas;
  KfTestResult *result;
  Run run = { 0 };
  guint hole_port;
  int hole = kf_test_silent_listener (&hole_port);
  double elapsed;
  guint i;

  g_assert_true (g_file_set_contents (manifest, "{\"buildtime\": 1750000000, \"version\": \"25.04.2\"}", -1, NULL));

  g_ptr_array_add (conns, g_object_ref (add_connection ("fine", kf_test_sshd_get_port (sshd), sshd, fleet_keypair_id, ROOMY)));
  nas = add_connection ("nas", kf_test_sshd_get_port (nas_sshd), nas_sshd, fleet_keypair_id, ROOMY);
  {
    g_autoptr(KfConnection) copy = kf_connection_copy (nas);
    kf_connection_set_setup_method (copy, KF_SETUP_METHOD_SEMI_AUTOMATIC);
    kf_connection_set_truenas_url (copy, "https://127.0.0.1");
    g_assert_true (kf_store_update_connection (store, copy, &error));
    g_assert_no_error (error);
  }
  g_ptr_array_add (conns, g_object_ref (nas));
  /* The same box as a manual connection: no version is asked for. */
  plain_nas = add_connection ("plain-nas", kf_test_sshd_get_port (nas_sshd), nas_sshd, fleet_keypair_id, ROOMY);
  g_ptr_array_add (conns, g_object_ref (plain_nas));
  g_ptr_array_add (conns, g_object_ref (add_connection ("changed", kf_test_sshd_get_port (other_sshd), sshd, fleet_keypair_id, ROOMY)));
  g_ptr_array_add (conns, g_object_ref (add_connection ("refused", kf_test_sshd_get_port (sshd), sshd, stranger_keypair_id, ROOMY)));
  g_ptr_array_add (conns, g_object_ref (add_connection ("closed", kf_test_closed_port (), sshd, fleet_keypair_id, ROOMY)));
  g_ptr_array_add (conns, g_object_ref (add_connection ("hole", hole_port, sshd, fleet_keypair_id, 2)));
  g_ptr_array_add (conns, g_object_ref (add_connection ("keyless", kf_test_sshd_get_port (sshd), sshd, public_keypair_id, ROOMY)));

  check = kf_fleet_check_new (vault, conns);
  elapsed = run_check (check, 0, &run, &error);
  g_assert_no_error (error);
  close (hole);

  g_assert_cmpuint (run.n_signals, ==, conns->len);
  g_assert_cmpuint (kf_fleet_check_get_n_done (check), ==, conns->len);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "fine")), ==, KF_CHECK_STATE_OK);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "nas")), ==, KF_CHECK_STATE_OK);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "plain-nas")), ==, KF_CHECK_STATE_OK);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "changed")), ==, KF_CHECK_STATE_HOST_KEY_CHANGED);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "refused")), ==, KF_CHECK_STATE_KEY_REFUSED);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "closed")), ==, KF_CHECK_STATE_UNREACHABLE);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "hole")), ==, KF_CHECK_STATE_UNREACHABLE);
  g_assert_cmpint (kf_fleet_check_get_state (check, index_of (check, "keyless")), ==, KF_CHECK_STATE_FAILED);
  g_assert_nonnull (strstr (kf_fleet_check_get_message (check, index_of (check, "changed")), "host key has changed"));
  g_assert_nonnull (strstr (kf_fleet_check_get_message (check, index_of (check, "hole")), "Connect Timeout of 2 seconds"));
  g_test_message ("keyless: %s", kf_fleet_check_get_message (check, index_of (check, "keyless")));
  g_assert_nonnull (strstr (kf_fleet_check_get_message (check, index_of (check, "keyless")), "Public Key"));
  g_assert_null (kf_fleet_check_get_result (check, index_of (check, "keyless")));
  /* The black hole took its own Connect Timeout, beside the others. */
  g_assert_cmpfloat (elapsed, >=, 2 * 0.9);
  g_assert_cmpfloat (elapsed, <=, 2 + kf_test_timeout (3));

  summary = kf_fleet_check_format_summary (check);
  g_assert_cmpstr (summary, ==, "3 fine, 2 unreachable, 1 host key changed, 1 key refused, 1 failed");
  g_assert_false (kf_fleet_check_all_ok (check));

  /* Phases: four for a manual connection, a fifth reading the version for TrueNAS. */
  result = kf_fleet_check_get_result (check, index_of (check, "fine"));
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 4);
  g_assert_null (kf_test_result_get_truenas_version (result));
  result = kf_fleet_check_get_result (check, index_of (check, "plain-nas"));
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 4);
  result = kf_fleet_check_get_result (check, index_of (check, "nas"));
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 5);
  g_assert_cmpint (kf_test_result_get_phase (result, 4, NULL, NULL), ==, KF_TEST_PHASE_VERSION);
  g_assert_cmpfloat (kf_test_result_get_phase_ms (result, KF_TEST_PHASE_VERSION), >=, 0);
  g_assert_cmpstr (kf_test_result_get_truenas_version (result), ==, "25.04.2");
  /* It was read by exactly the production command, once, after the test command. */
  g_assert_true (g_file_get_contents (commands_path, &commands, NULL, NULL));
  {
    g_auto(GStrv) lines = g_strsplit (commands, "\n", -1);
    guint n_echo = 0, n_cat = 0;

    for (guint k = 0; lines[k] != NULL && *lines[k] != '\0'; k++)
      if (g_str_equal (lines[k], "echo keyferry-ok"))
        n_echo++;
      else if (g_str_equal (lines[k], "cat /data/manifest.json"))
        n_cat++;
      else
        g_assert_not_reached ();
    g_assert_cmpuint (n_echo, ==, 2);  /* nas and plain-nas */
    g_assert_cmpuint (n_cat, ==, 1);   /* nas only */
  }

  /* The store keeps every outcome. */
  for (i = 0; i < conns->len; i++)
    {
      KfConnection *stored = kf_store_find_connection (store, kf_connection_get_id (g_ptr_array_index (conns, i)));
      g_assert_cmpint (kf_connection_get_check_state (stored), ==, kf_fleet_check_get_state (check, i));
      g_assert_cmpint (kf_connection_get_tested_at (stored), >, 0);
      g_assert_cmpint (kf_fleet_check_get_checked_at (check, i), ==, kf_connection_get_tested_at (stored));
    }
  g_assert_cmpstr (kf_connection_get_truenas_version (kf_store_find_connection (store, kf_connection_get_id (nas))), ==, "25.04.2");
  g_assert_null (kf_connection_get_truenas_version (kf_store_find_connection (store, kf_connection_get_id (plain_nas))));
}

/* A box without the version file is still reachable: OK, with the phase
 * failed and the message saying the version could not be read. */
static void
test_version_missing (void)
{
  g_autofree char *root = kf_test_sshd_get_truenas_root (nas_sshd);
  g_autofree char *manifest = g_build_filename (root, "data", "manifest.json", NULL);
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KfFleetCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) copy = NULL;
  KfConnection *nas;
  KfTestResult *result;
  double ms;
  gboolean ok = TRUE;
  Run run = { 0 };

  remove_all_connections ();
  g_assert_true (g_file_set_contents (manifest, "{\"version\": 25}", -1, NULL));
  nas = add_connection ("nas", kf_test_sshd_get_port (nas_sshd), nas_sshd, fleet_keypair_id, ROOMY);
  copy = kf_connection_copy (nas);
  kf_connection_set_truenas_url (copy, "https://127.0.0.1");
  g_assert_true (kf_store_update_connection (store, copy, &error));
  g_ptr_array_add (conns, g_object_ref (copy));
  check = kf_fleet_check_new (vault, conns);
  run_check (check, 0, &run, &error);
  g_assert_no_error (error);

  g_assert_cmpint (kf_fleet_check_get_state (check, 0), ==, KF_CHECK_STATE_OK);
  result = kf_fleet_check_get_result (check, 0);
  g_assert_null (kf_test_result_get_truenas_version (result));
  g_assert_cmpint (kf_test_result_get_phase (result, 4, &ms, &ok), ==, KF_TEST_PHASE_VERSION);
  g_assert_false (ok);
  g_assert_nonnull (strstr (kf_fleet_check_get_message (check, 0), "TrueNAS version could not be read from /data/manifest.json"));
  g_assert_true (kf_fleet_check_all_ok (check));
}

/* Written, read back by a fresh store; and a file from before the failure
 * field existed still loads, its failures shown as "Failed". */
static void
test_store_round_trip (void)
{
  g_autoptr(KfStore) reread = kf_store_new (store_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *old_path = g_build_filename (kf_test_get_tmpdir (), "old-store.json", NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(KfStore) old = NULL;
  g_autoptr(KfConnection) conn = NULL;
  JsonArray *list;
  GListModel *model = kf_store_get_connections (store);

  remove_all_connections ();
  conn = kf_connection_new ("saved");
  kf_connection_set_host (conn, "127.0.0.1");
  kf_connection_set_test_state (conn, KF_TEST_STATE_FAILED);
  kf_connection_set_test_failure (conn, KF_TEST_FAILURE_HOST_KEY_CHANGED);
  kf_connection_set_truenas_version (conn, "25.10.0");
  kf_connection_set_tested_at (conn, 1767225600);
  g_assert_true (kf_store_add_connection (store, conn, &error));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);

  g_assert_true (kf_store_load (reread, &error));
  g_assert_no_error (error);
  {
    KfConnection *back = kf_store_find_connection_by_name (reread, "saved");
    g_assert_nonnull (back);
    g_assert_cmpint (kf_connection_get_check_state (back), ==, KF_CHECK_STATE_HOST_KEY_CHANGED);
    g_assert_cmpint (kf_connection_get_test_failure (back), ==, KF_TEST_FAILURE_HOST_KEY_CHANGED);
    g_assert_cmpstr (kf_connection_get_truenas_version (back), ==, "25.10.0");
    g_assert_cmpint (kf_connection_get_tested_at (back), ==, 1767225600);
  }

  /* The same file without the new members, as an older Keyferry wrote it. */
  g_assert_true (g_file_get_contents (store_path, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\"test-failure\""));
  root = json_from_string (contents, &error);
  g_assert_no_error (error);
  list = json_object_get_array_member (json_node_get_object (root), "connections");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  json_object_remove_member (json_array_get_object_element (list, 0), "test-failure");
  json_object_remove_member (json_array_get_object_element (list, 0), "truenas-version");
  g_free (contents);
  contents = json_to_string (root, TRUE);
  g_assert_null (strstr (contents, "test-failure"));
  g_assert_true (g_file_set_contents (old_path, contents, -1, NULL));
  old = kf_store_new (old_path);
  g_assert_true (kf_store_load (old, &error));
  g_assert_no_error (error);
  {
    KfConnection *back = kf_store_find_connection_by_name (old, "saved");
    g_assert_nonnull (back);
    g_assert_cmpint (kf_connection_get_test_state (back), ==, KF_TEST_STATE_FAILED);
    g_assert_cmpint (kf_connection_get_test_failure (back), ==, KF_TEST_FAILURE_NONE);
    g_assert_cmpint (kf_connection_get_check_state (back), ==, KF_CHECK_STATE_FAILED);
    g_assert_null (kf_connection_get_truenas_version (back));
  }
}

static gboolean tolerate_timed_saves;

/* While a check runs, the store's timed saves (about once a second, nobody
 * waiting for them) fail as well and are logged as warnings. */
static gboolean
tolerate_timed_save_warnings (const char     *log_domain,
                              GLogLevelFlags  log_level,
                              const char     *message,
                              gpointer        user_data)
{
  return !(tolerate_timed_saves
           && g_strcmp0 (log_domain, "kf-store") == 0
           && (log_level & G_LOG_LEVEL_WARNING)
           && strstr (message, "Could not save the checks’ results: ") != NULL);
}

/* The outcomes of a run checked while the store's lock file is a folder.
 * Returns the run's save error (NULL when saved). */
static GError *
run_blocked (KfConnection *conn,
             const char   *lock,
             gboolean      blocked)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KfFleetCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  if (blocked)
    {
      g_assert_cmpint (g_unlink (lock), ==, 0);
      g_assert_cmpint (g_mkdir (lock, 0700), ==, 0);
    }
  g_ptr_array_add (conns, g_object_ref (conn));
  check = kf_fleet_check_new (vault, conns);
  tolerate_timed_saves = blocked;
  run_check (check, 0, &run, &error);
  tolerate_timed_saves = FALSE;
  /* the checks ran: not an error of the run */
  g_assert_no_error (error);
  g_assert_cmpint (kf_fleet_check_get_state (check, 0), ==, KF_CHECK_STATE_OK);
  return kf_fleet_check_get_save_error (check) ? g_error_copy (kf_fleet_check_get_save_error (check)) : NULL;
}

static gint64
tested_at_in_file (const char *name)
{
  g_autoptr(KfStore) reread = kf_store_new (store_path);
  g_autoptr(GError) error = NULL;

  g_assert_true (kf_store_load (reread, &error));
  g_assert_no_error (error);
  return kf_connection_get_tested_at (kf_store_find_connection_by_name (reread, name));
}

/* A save that fails for real (the lock file a folder: open() fails with
 * EISDIR, for root too): the run ends as checked with the store's error
 * kept for the caller to tell; the outcome stays recorded and the next save
 * writes it; when that one fails too (quitting), it is lost, quietly, as the
 * caller has told the user. */
static void
test_save_failed (void)
{
  g_autofree char *lock = g_strconcat (store_path, ".lock", NULL);
  g_autofree char *expected = g_strdup_printf ("Could not lock the Keyferry data file “%s” (Is a directory).", lock);
  g_autoptr(GError) save_error = NULL;
  KfConnection *conn;
  gint64 saved_at;

  remove_all_connections ();
  conn = add_connection ("alpha", kf_test_sshd_get_port (sshd), sshd, fleet_keypair_id, ROOMY);
  g_test_log_set_fatal_handler (tolerate_timed_save_warnings, NULL);

  save_error = run_blocked (conn, lock, FALSE);
  g_assert_no_error (save_error);
  saved_at = tested_at_in_file ("alpha");
  g_assert_cmpint (saved_at, >, 0);

  /* tested_at is in seconds: the next outcome's must differ */
  g_usleep (1100 * 1000);
  save_error = run_blocked (conn, lock, TRUE);
  g_assert_error (save_error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_assert_cmpstr (save_error->message, ==, expected);
  g_clear_error (&save_error);
  g_assert_cmpint (tested_at_in_file ("alpha"), ==, saved_at);
  /* shown on the stored connection meanwhile */
  g_assert_cmpint (kf_connection_get_tested_at (conn), >, saved_at);
  g_assert_cmpint (g_rmdir (lock), ==, 0);
  kf_store_flush (store);
  saved_at = kf_connection_get_tested_at (conn);
  g_assert_cmpint (tested_at_in_file ("alpha"), ==, saved_at);

  /* Failing again at quitting: lost, and no warning (fatal here). */
  g_usleep (1100 * 1000);
  save_error = run_blocked (conn, lock, TRUE);
  g_assert_error (save_error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  kf_store_flush (store);
  g_assert_cmpint (g_rmdir (lock), ==, 0);
  g_assert_cmpint (tested_at_in_file ("alpha"), ==, saved_at);
}

/* Cancel ends the running checks at once and starts no more: all of them are
 * "not checked", and the store keeps what it had. */
static void
test_cancel (void)
{
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KfFleetCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  Run run = { 0 };
  guint hole_port;
  int hole = kf_test_silent_listener (&hole_port);
  double elapsed;

  remove_all_connections ();
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("hole %u", i);
      g_ptr_array_add (conns, g_object_ref (add_connection (name, hole_port, sshd, fleet_keypair_id, 30)));
    }
  check = kf_fleet_check_new (vault, conns);
  kf_fleet_check_set_jobs (check, 2);
  elapsed = run_check (check, 300, &run, &error);
  close (hole);

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* Well before the 30 s timeout of even one of them. */
  g_assert_cmpfloat (elapsed, <, kf_test_timeout (5));
  g_assert_cmpuint (kf_fleet_check_count (check, KF_CHECK_STATE_NOT_CHECKED), ==, 6);
  summary = kf_fleet_check_format_summary (check);
  g_assert_cmpstr (summary, ==, "6 not checked");
  for (guint i = 0; i < conns->len; i++)
    {
      KfConnection *stored = kf_store_find_connection (store, kf_connection_get_id (g_ptr_array_index (conns, i)));
      g_assert_cmpint (kf_connection_get_check_state (stored), ==, KF_CHECK_STATE_NOT_CHECKED);
      g_assert_cmpint (kf_connection_get_tested_at (stored), ==, 0);
    }
}

/* 50 connections, one a black hole: the black hole costs one Connect
 * Timeout beside the others, not after them (about one timeout plus the
 * logins' own work spread over 8 jobs, far from the sum). The logins themselves get a roomy timeout: all 49 go
 * to one sshd on this (possibly loaded) machine, and only the black hole's
 * timeout is under test. The main loop keeps ticking meanwhile. */
static void
test_fifty_with_black_hole (void)
{
  const guint timeout_s = 3;  /* under test: not scaled */
  g_autoptr(GPtrArray) conns = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(KfFleetCheck) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  Run run = { 0 };
  guint hole_port;
  int hole = kf_test_silent_listener (&hole_port);
  double elapsed, work = 0, serial;

  remove_all_connections ();
  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *name = g_strdup_printf ("box %02u", i);
      gboolean is_hole = i == 17;
      g_ptr_array_add (conns, g_object_ref (add_connection (name, is_hole ? hole_port : kf_test_sshd_get_port (sshd),
                                                            sshd, fleet_keypair_id,
                                                            is_hole ? timeout_s : kf_test_timeout (30))));
    }
  check = kf_fleet_check_new (vault, conns);
  g_assert_cmpuint (kf_fleet_check_get_jobs (check), ==, 8);
  elapsed = run_check (check, 0, &run, &error);
  close (hole);
  g_assert_no_error (error);

  summary = kf_fleet_check_format_summary (check);
  g_assert_cmpstr (summary, ==, "49 fine, 1 unreachable");
  g_assert_cmpint (kf_fleet_check_get_state (check, 17), ==, KF_CHECK_STATE_UNREACHABLE);
  g_assert_nonnull (strstr (kf_fleet_check_get_message (check, 17), "Connect Timeout of 3 seconds"));
  for (guint i = 0; i < 50; i++)
    if (i != 17)
      work += kf_test_result_get_total_ms (kf_fleet_check_get_result (check, i)) / 1000.0;
  serial = work + timeout_s;
  g_test_message ("50 connections, one black hole, Connect Timeout %u s: %.2f s (the 49 logins took %.2f s "
                  "together, %.2f s per 8 jobs; one after another all would take %.2f s); longest main-loop gap %.1f ms "
                  "(%.1f ms of it waiting for a CPU); longest gap less such waiting %.1f ms",
                  timeout_s, elapsed, work, work / 8, serial, run.max_gap / 1000.0, run.max_gap_wait / 1000.0,
                  run.max_own_gap / 1000.0);
  g_assert_cmpfloat (elapsed, >=, timeout_s * 0.9);
  /* The black hole overlapped the logins: at most one timeout more than
   * their work spread over 8 jobs, plus slack for scheduling. */
  g_assert_cmpfloat (elapsed, <=, timeout_s + work / 8 * 1.5 + kf_test_timeout (1));
  g_assert_cmpfloat (elapsed, <, serial);
  /* The goal: nothing on the main loop keeps it from answering for 50 ms.
   * The outcomes are saved in batches by a worker thread
   * (kf_store_record_test), so neither serialising nor fsyncs run on it.
   * Measured is each gap less the time the kernel kept the thread waiting
   * for a CPU: that share is the machine's load, not ours (at load 6 on 2
   * cores the longest wall gaps were almost all such waiting), and would
   * make a wall-clock bound flaky. The wall-clock gap keeps the bound it
   * had, which catches any real blocking too. The sanitizer run scales
   * both (x3), as ASan slows every turn of the loop. */
  g_assert_cmpint (run.max_own_gap, <, 50 * 1000 * kf_test_timeout (1));
  g_assert_cmpint (run.max_gap, <, 250 * 1000 * kf_test_timeout (1));

  /* Everything is in the file when the run has ended: another process
   * reading it sees the 50 outcomes. */
  {
    g_autoptr(KfStore) other = kf_store_new (store_path);

    g_assert_true (kf_store_load (other, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < 50; i++)
      {
        KfConnection *mine = kf_fleet_check_get_connection (check, i);
        KfConnection *read = kf_store_find_connection (other, kf_connection_get_id (mine));

        g_assert_nonnull (read);
        g_assert_cmpint (kf_connection_get_check_state (read), ==, kf_fleet_check_get_state (check, i));
        g_assert_cmpint (kf_connection_get_tested_at (read), ==, kf_fleet_check_get_checked_at (check, i));
        g_assert_cmpstr (kf_connection_get_test_message (read), ==, kf_fleet_check_get_message (check, i));
      }
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  kf_test_init (&argc, &argv);

  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  other_sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_regenerate_host_keys (other_sshd, &error));
  g_assert_no_error (error);
  nas_sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_play_truenas (nas_sshd, &error));
  g_assert_no_error (error);

  store_path = g_build_filename (kf_test_get_tmpdir (), "store.json", NULL);
  store = kf_store_new (store_path);
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  vault = kf_vault_new (store);
  fleet_keypair_id = add_keypair ("Fleet Key");
  stranger_keypair_id = add_keypair ("Stranger Key");
  public_keypair_id = add_keypair ("Public Key");

  g_test_add_func ("/fleet-check/states", test_states);
  g_test_add_func ("/fleet-check/version-missing", test_version_missing);
  g_test_add_func ("/fleet-check/store-round-trip", test_store_round_trip);
  g_test_add_func ("/fleet-check/cancel", test_cancel);
  g_test_add_func ("/fleet-check/save-failed", test_save_failed);
  g_test_add_func ("/fleet-check/fifty-with-black-hole", test_fifty_with_black_hole);

  status = g_test_run ();
  g_object_unref (vault);
  g_object_unref (store);
  kf_test_sshd_stop (nas_sshd);
  kf_test_sshd_stop (other_sshd);
  kf_test_sshd_stop (sshd);
  g_free (store_path);
  g_free (fleet_keypair_id);
  g_free (stranger_keypair_id);
  g_free (public_keypair_id);
  return status;
}
