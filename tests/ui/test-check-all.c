/* test-check-all.c: Check All in the real window under Xvfb, against real
 * sshd instances and the real keyring: the shortcut, the progress strip, the
 * State badges and Last Checked times from the list model, the summary toast,
 * and Cancel.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kf-table-row.h"
#include "kf-key-material.h"
#include "kf-keypair.h"
#include "kf-list-page.h"
#include "kf-ssh-key.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "kf-window.h"
#include "ui-test-util.h"

typedef struct {
  KfTestSshd *sshd;
  KfTestSshd *other_sshd;
  KfTestSshd *nas_sshd;
  KfWindow   *window;
  char       *fleet_id;
  char       *stranger_id;
} Fixture;

static char *
add_keypair (Fixture    *f,
             const char *name,
             gboolean    authorize)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, name, NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (kf_window_get_vault (f->window), keypair,
                                            kf_key_material_get_private_key (material), NULL, &error));
  g_assert_no_error (error);
  if (authorize)
    {
      kf_test_sshd_add_authorized_key (f->sshd, kf_key_material_get_public_key (material));
      kf_test_sshd_add_authorized_key (f->nas_sshd, kf_key_material_get_public_key (material));
    }
  return g_strdup (kf_keypair_get_id (keypair));
}

static void
add_connection (Fixture    *f,
                const char *name,
                guint       port,
                KfTestSshd *keys_of,
                const char *keypair_id,
                guint       timeout_s,
                const char *truenas_url)
{
  g_autoptr(KfConnection) conn = kf_connection_new (name);
  g_auto(GStrv) keys = kf_test_sshd_get_host_key_lines (keys_of);
  g_autoptr(GError) error = NULL;

  kf_connection_set_host (conn, "127.0.0.1");
  kf_connection_set_port (conn, port);
  kf_connection_set_username (conn, kf_test_sshd_get_user (f->sshd));
  kf_connection_set_host_keys (conn, (const char * const *) keys);
  kf_connection_set_keypair_id (conn, keypair_id);
  kf_connection_set_connect_timeout (conn, timeout_s);
  if (truenas_url != NULL)
    {
      kf_connection_set_setup_method (conn, KF_SETUP_METHOD_SEMI_AUTOMATIC);
      kf_connection_set_truenas_url (conn, truenas_url);
      kf_connection_set_admin_username (conn, "truenas_admin");
    }
  g_assert_true (kf_store_add_connection (kf_window_get_store (f->window), conn, &error));
  g_assert_no_error (error);
}

static KfApplication *
fixture_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = NULL;
  g_autofree char *manifest = NULL;
  KfApplication *app;

  f->sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  f->other_sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_regenerate_host_keys (f->other_sshd, &error));
  f->nas_sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_play_truenas (f->nas_sshd, &error));
  g_assert_no_error (error);
  root = kf_test_sshd_get_truenas_root (f->nas_sshd);
  manifest = g_build_filename (root, "data", "manifest.json", NULL);
  g_assert_true (g_file_set_contents (manifest, "{\"version\": \"25.04.2\", \"buildtime\": 1750000000}", -1, NULL));

  app = ui_test_start_app (&f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1270, 560);
  f->fleet_id = add_keypair (f, "Fleet Key", TRUE);
  f->stranger_id = add_keypair (f, "Stranger Key", FALSE);
  return app;
}

static void
fixture_stop (Fixture       *f,
              KfApplication *app)
{
  ui_test_stop_app (app);
  kf_test_sshd_stop (f->nas_sshd);
  kf_test_sshd_stop (f->other_sshd);
  kf_test_sshd_stop (f->sshd);
  g_free (f->fleet_id);
  g_free (f->stranger_id);
}

static GtkWidget *
strip (Fixture *f)
{
  GtkWidget *box = ui_test_find_named (GTK_WIDGET (f->window), "check-all-strip");

  g_assert_nonnull (box);
  return box;
}

static gboolean
strip_hidden (gpointer data)
{
  Fixture *f = data;
  GtkWidget *revealer = gtk_widget_get_parent (strip (f));

  return !gtk_revealer_get_reveal_child (GTK_REVEALER (revealer))
         && !gtk_revealer_get_child_revealed (GTK_REVEALER (revealer))
         && g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "check-all");
}

static gboolean
toast_shown (gpointer data)
{
  gpointer *args = data;

  return ui_test_find (args[0], GTK_TYPE_WIDGET, args[1], TRUE) != NULL;
}

static void
wait_for_toast (Fixture    *f,
                const char *text)
{
  gpointer args[] = { f->window, (gpointer) text };

  ui_test_wait_until (toast_shown, args, kf_test_timeout (30));
}

/* Badges (State) and times (Last Checked) before and after Check All, the
 * progress strip while it runs, the summary toast, and what the store keeps. */
static void
test_badges_and_summary (void)
{
  Fixture f = { 0 };
  KfApplication *app = fixture_start (&f);
  GtkWidget *connections;
  GtkWidget *strip_box;
  g_auto(GStrv) accels = NULL;
  KfStore *store;

  add_connection (&f, "Backup NAS", kf_test_sshd_get_port (f.sshd), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);
  add_connection (&f, "Media Box", kf_test_sshd_get_port (f.sshd), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);
  add_connection (&f, "Office TrueNAS", kf_test_sshd_get_port (f.nas_sshd), f.nas_sshd, f.fleet_id, kf_test_timeout (10),
                  "https://127.0.0.1");
  add_connection (&f, "Reinstalled Box", kf_test_sshd_get_port (f.other_sshd), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);
  add_connection (&f, "Lab Box", kf_test_sshd_get_port (f.sshd), f.sshd, f.stranger_id, kf_test_timeout (10), NULL);
  add_connection (&f, "Retired Box", kf_test_closed_port (), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);

  kf_window_set_visible_page (f.window, "connections");
  connections = GTK_WIDGET (kf_window_get_connections_page (f.window));
  ui_test_wait_frame (connections);
  g_assert_cmpuint (ui_test_count_text (connections, "Not Checked"), ==, 6);
  g_assert_cmpuint (ui_test_count_text (connections, "Never"), ==, 6);

  /* F5, listed in the shortcuts window's strings too. */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.check-all");
  g_assert_cmpstr (accels[0], ==, "F5");

  strip_box = strip (&f);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (strip_box))));
  g_action_group_activate_action (G_ACTION_GROUP (f.window), "check-all", NULL);
  /* Running: the strip shows progress with Cancel, and a second Check All cannot start. */
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_parent (strip_box))));
  g_assert_nonnull (ui_test_find (strip_box, GTK_TYPE_LABEL, "Checking ", FALSE));
  g_assert_nonnull (ui_test_find (strip_box, GTK_TYPE_PROGRESS_BAR, NULL, FALSE));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f.window), "check-all"));

  wait_for_toast (&f, "3 fine, 1 unreachable, 1 host key changed, 1 key refused");
  ui_test_wait_until (strip_hidden, &f, kf_test_timeout (5));
  ui_test_wait_frame (connections);

  /* The badges are text (read by screen readers as the cell's text), from the model. */
  g_assert_cmpuint (ui_test_count_text (connections, "OK"), ==, 3);
  g_assert_cmpuint (ui_test_count_text (connections, "Unreachable"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (connections, "Host Key Changed"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (connections, "Key Refused"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (connections, "Not Checked"), ==, 0);
  g_assert_cmpuint (ui_test_count_text (connections, "Never"), ==, 0);
  g_assert_nonnull (ui_test_find (connections, KF_TYPE_TABLE_ROW, "just now (", TRUE));

  /* The version read over SSH shows beside the setup method. */
  g_assert_cmpuint (ui_test_count_text (connections, "Semi-automatic, TrueNAS 25.04.2"), ==, 1);

  store = kf_window_get_store (f.window);
  g_assert_cmpstr (kf_connection_get_truenas_version (kf_store_find_connection_by_name (store, "Office TrueNAS")),
                   ==, "25.04.2");
  g_assert_cmpint (kf_connection_get_check_state (kf_store_find_connection_by_name (store, "Reinstalled Box")),
                   ==, KF_CHECK_STATE_HOST_KEY_CHANGED);

  ui_test_screenshot (GTK_WIDGET (f.window), "check-all-badges");
  fixture_stop (&f, app);
}

/* Cancel in the strip ends the checks long before their timeout; the toast says so. */
static void
test_cancel (void)
{
  Fixture f = { 0 };
  KfApplication *app = fixture_start (&f);
  GtkWidget *cancel;
  guint hole_port;
  int hole = kf_test_silent_listener (&hole_port);
  gint64 start;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("Silent Box %u", i);
      add_connection (&f, name, hole_port, f.sshd, f.fleet_id, 60, NULL);
    }
  g_action_group_activate_action (G_ACTION_GROUP (f.window), "check-all", NULL);
  ui_test_spin (300);
  cancel = ui_test_find (strip (&f), GTK_TYPE_BUTTON, "Cancel", FALSE);
  g_assert_nonnull (cancel);
  start = g_get_monotonic_time ();
  ui_test_click (cancel);
  wait_for_toast (&f, "Check cancelled: 4 not checked");
  g_assert_cmpint (g_get_monotonic_time () - start, <, kf_test_timeout (5) * G_USEC_PER_SEC);
  ui_test_wait_until (strip_hidden, &f, kf_test_timeout (5));
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (kf_window_get_connections_page (f.window)), "Not Checked"), ==, 4);
  close (hole);
  fixture_stop (&f, app);
}

static gboolean
alert_shown (gpointer data)
{
  return ui_test_find_alert () != NULL;
}

/* The store logs a timed save that fails (nobody waits to be told), and
 * the retry when the application quits: expected here, not test failures. */
static gboolean
tolerate_unsaved_checks (const char     *log_domain,
                         GLogLevelFlags  log_level,
                         const char     *message,
                         gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "kf-store") == 0
           && (log_level & G_LOG_LEVEL_WARNING)
           && strstr (message, "Could not save the checks’ results: ") != NULL);
}

/* The outcomes cannot be written (the store's lock file is a folder, which
 * open() refuses for root too): the badges and the summary show what was
 * checked, and an alert says they are not saved, and why. */
static void
test_save_failed (void)
{
  Fixture f = { 0 };
  KfApplication *app = fixture_start (&f);
  g_autofree char *lock = g_build_filename (g_get_user_data_dir (), "keyferry", "keyferry.json.lock", NULL);
  g_autofree char *body = NULL;
  GtkWidget *alert;

  g_test_log_set_fatal_handler (tolerate_unsaved_checks, NULL);
  add_connection (&f, "Backup NAS", kf_test_sshd_get_port (f.sshd), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);
  add_connection (&f, "Media Box", kf_test_sshd_get_port (f.sshd), f.sshd, f.fleet_id, kf_test_timeout (10), NULL);
  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (g_mkdir (lock, 0700), ==, 0);

  g_action_group_activate_action (G_ACTION_GROUP (f.window), "check-all", NULL);
  wait_for_toast (&f, "2 fine");
  ui_test_wait_until (alert_shown, NULL, kf_test_timeout (5));
  ui_test_wait_until (strip_hidden, &f, kf_test_timeout (5));

  alert = ui_test_find_alert ();
  body = g_strdup_printf ("Could not lock the Keyferry data file “%s” (Is a directory). The list shows this "
                          "check’s results, but they are not saved yet: Keyferry tries again with the next "
                          "Check All and when it quits, and they are lost if it still cannot.", lock);
  g_assert_cmpstr (kf_alert_get_heading (alert), ==, "Check Results Not Saved");
  g_assert_cmpstr (kf_alert_get_body (alert), ==, body);
  ui_test_wait_frame (GTK_WIDGET (f.window));
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (kf_window_get_connections_page (f.window)), "OK"), ==, 2);
  ui_test_screenshot (GTK_WIDGET (f.window), "check-all-not-saved");
  ui_test_respond (alert, "OK");

  fixture_stop (&f, app);
}

int
main (int    argc,
      char **argv)
{
  ui_test_init (&argc, &argv);
  ui_test_add ("/ui-check-all/badges-and-summary", test_badges_and_summary);
  ui_test_add ("/ui-check-all/cancel", test_cancel);
  ui_test_add ("/ui-check-all/save-failed", test_save_failed);
  return g_test_run ();
}
