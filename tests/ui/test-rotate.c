/* test-rotate.c: Rotate Key Pair from the key pair's menu action, against a
 * real sshd, and the question about an unfinished rotation at start.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-alert.h"
#include "kf-rotate-dialog.h"
#include "kf-rotation.h"
#include "kf-secret.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "kf-window-private.h"
#include "ui-test-util.h"

static KfKeypair *
add_keypair (KfWindow   *window,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, "ui@rotate", NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (kf_window_get_vault (window), keypair,
                                            kf_key_material_get_private_key (material), NULL, &error));
  return kf_store_find_keypair (kf_window_get_store (window), kf_keypair_get_id (keypair));
}

/* A manual connection to @sshd with @keypair, which the box accepts. */
static KfConnection *
add_box (KfWindow   *window,
         KfTestSshd *sshd,
         const char *name,
         KfKeypair  *keypair)
{
  g_autoptr(KfConnection) connection = kf_connection_new (name);
  g_auto(GStrv) host_keys = kf_test_sshd_get_host_key_lines (sshd);
  g_autoptr(GError) error = NULL;

  kf_connection_set_host (connection, "127.0.0.1");
  kf_connection_set_port (connection, kf_test_sshd_get_port (sshd));
  kf_connection_set_username (connection, kf_test_sshd_get_user (sshd));
  kf_connection_set_keypair_id (connection, kf_keypair_get_id (keypair));
  kf_connection_set_host_keys (connection, (const char * const *) host_keys);
  g_assert_true (kf_store_add_connection (kf_window_get_store (window), connection, &error));
  g_assert_no_error (error);
  kf_test_sshd_add_authorized_key (sshd, kf_keypair_get_public_key (keypair));
  return kf_store_find_connection (kf_window_get_store (window), kf_connection_get_id (connection));
}

static gboolean
dialog_done (gpointer data)
{
  return kf_rotate_dialog_get_done (data);
}

static gboolean
has_alert (gpointer data)
{
  return ui_test_find_alert () != NULL;
}

/* Logs in to @connection with @keypair's private key; the KF_SSH_ERROR code, or -1 for success. */
static int
login_code (KfWindow     *window,
            KfConnection *connection,
            KfKeypair    *keypair)
{
  g_autoptr(GError) error = NULL;
  KfSecret *key = kf_vault_get_private_key_sync (kf_window_get_vault (window), keypair, NULL, &error);
  g_autoptr(KfTestResult) result = NULL;

  g_assert_no_error (error);
  result = kf_ssh_probe_test_sync (connection, NULL, key, NULL, &error);
  kf_secret_free (key);
  g_assert_no_error (error);
  return kf_test_result_get_ok (result) ? -1 : kf_test_result_get_error (result)->code;
}

static void
test_rotate_dialog (void)
{
  KfWindow *window = NULL;
  KfApplication *app = ui_test_start_app (&window);
  g_autoptr(GError) error = NULL;
  KfTestSshd *one = kf_test_sshd_start (&error);
  KfTestSshd *two = kf_test_sshd_start (&error);
  KfKeypair *old_keypair = add_keypair (window, "Office Key");
  KfConnection *a = add_box (window, one, "storage-one", old_keypair);
  KfConnection *b = add_box (window, two, "storage-two", old_keypair);
  KfRotateDialog *dialog;
  KfKeypair *new_keypair;

  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.keypair-rotate", "s", kf_keypair_get_id (old_keypair));
  dialog = KF_ROTATE_DIALOG (ui_test_find_toplevel (KF_TYPE_ROTATE_DIALOG));
  g_assert_nonnull (dialog);
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "storage-one", FALSE));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "storage-two", FALSE));
  ui_test_screenshot (GTK_WIDGET (dialog), "rotate-dialog");

  kf_rotate_dialog_start (dialog);
  ui_test_wait_until (dialog_done, dialog, kf_test_timeout (60));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "Every box now uses the new key pair.", FALSE));
  /* Each box's row says how it ended; the old key pair is offered for deletion. */
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "rotated in", FALSE));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, "Delete Old Key Pair", FALSE));
  ui_test_screenshot (GTK_WIDGET (dialog), "rotate-progress");

  new_keypair = kf_store_find_keypair (kf_window_get_store (window), kf_connection_get_keypair_id (a));
  g_assert_true (new_keypair != old_keypair);
  g_assert_cmpstr (kf_connection_get_keypair_id (b), ==, kf_keypair_get_id (new_keypair));
  g_assert_nonnull (kf_store_find_keypair (kf_window_get_store (window), kf_keypair_get_id (old_keypair)));
  g_assert_cmpint (login_code (window, a, new_keypair), ==, -1);
  g_assert_cmpint (login_code (window, a, old_keypair), ==, KF_SSH_ERROR_AUTH_FAILED);
  g_assert_cmpint (login_code (window, b, old_keypair), ==, KF_SSH_ERROR_AUTH_FAILED);

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_test_stop_app (app);
  kf_test_sshd_stop (one);
  kf_test_sshd_stop (two);
}

/* A TrueNAS box: "Sign In With" offers the admin's API key, each box's row
 * then asks for that, and the rotation gets it as an API key (refused over
 * http before anything is sent, so the box keeps the old key pair). */
static void
test_rotate_truenas_sign_in (void)
{
  KfWindow *window = NULL;
  KfApplication *app = ui_test_start_app (&window);
  g_autoptr(GError) error = NULL;
  KfTestSshd *sshd = kf_test_sshd_start (&error);
  KfKeypair *old_keypair = add_keypair (window, "NAS Key");
  KfConnection *nas = add_box (window, sshd, "nas-api", old_keypair);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", kf_test_closed_port ());
  g_autoptr(KfConnection) copy = kf_connection_copy (nas);
  KfRotateDialog *dialog;
  GtkWidget *sign_in, *secret;

  g_assert_no_error (error);
  kf_connection_set_truenas_url (copy, url);
  g_assert_true (kf_store_update_connection (kf_window_get_store (window), copy, &error));
  g_assert_no_error (error);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.keypair-rotate", "s", kf_keypair_get_id (old_keypair));
  dialog = KF_ROTATE_DIALOG (ui_test_find_toplevel (KF_TYPE_ROTATE_DIALOG));
  g_assert_nonnull (dialog);
  sign_in = ui_test_find (GTK_WIDGET (dialog), ADW_TYPE_COMBO_ROW, "Sign In With", FALSE);
  g_assert_nonnull (sign_in);
  secret = ui_test_find (GTK_WIDGET (dialog), ADW_TYPE_PASSWORD_ENTRY_ROW, "Admin Password for nas-api", FALSE);
  g_assert_nonnull (secret);
  adw_combo_row_set_selected (ADW_COMBO_ROW (sign_in), 1);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (secret)), ==, "Admin API Key for nas-api");
  gtk_editable_set_text (GTK_EDITABLE (secret), "1-KcBEKanD0F0rPZkcHFuep88VxcA3iMwyAs0RqDlRtQxiDX3pCNycLapim86tIxX5");

  kf_rotate_dialog_start (dialog);
  ui_test_wait_until (dialog_done, dialog, kf_test_timeout (60));
  g_assert_nonnull (ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_LABEL, "An API key is sent only over https", FALSE));
  /* Nothing changed: the box stays on the old key pair, which it accepts. */
  g_assert_cmpstr (kf_connection_get_keypair_id (nas), ==, kf_keypair_get_id (old_keypair));
  g_assert_cmpint (login_code (window, nas, old_keypair), ==, -1);
  ui_test_screenshot (GTK_WIDGET (dialog), "rotate-truenas-api-key");

  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_test_stop_app (app);
  kf_test_sshd_stop (sshd);
}

typedef struct {
  KfRotation *rotation;
  gboolean    done;
  gboolean    ok;
} Run;

static void
on_progress_cancel (KfRotation   *rotation,
                    KfConnection *box,
                    int           step,
                    const char   *message,
                    GCancellable *cancellable)
{
  if (step == KF_ROTATION_STEP_LOGIN_NEW)
    g_cancellable_cancel (cancellable);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->ok = kf_rotation_run_finish (KF_ROTATION (source), result, NULL);
  run->done = TRUE;
}

/* A rotation cancelled half-way is offered at the next start: Finish ends it. */
static void
test_pending_prompt (void)
{
  KfWindow *window = NULL;
  KfApplication *app = ui_test_start_app (&window);
  g_autoptr(GError) error = NULL;
  KfTestSshd *sshd = kf_test_sshd_start (&error);
  KfKeypair *old_keypair = add_keypair (window, "Backup Key");
  KfConnection *box = add_box (window, sshd, "backup-box", old_keypair);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *box_id = g_strdup (kf_connection_get_id (box));
  g_autofree char *old_id = g_strdup (kf_keypair_get_id (old_keypair));
  Run run = { 0 };
  GtkWidget *alert;
  KfRotateDialog *dialog;

  run.rotation = kf_rotation_new (kf_window_get_vault (window), old_keypair);
  g_signal_connect (run.rotation, "progress", G_CALLBACK (on_progress_cancel), cancellable);
  kf_rotation_run_async (run.rotation, cancellable, on_run_done, &run);
  kf_test_wait_for (&run.done, 60);
  g_assert_false (run.ok);
  g_clear_object (&run.rotation);

  /* What the window does once at start (one app per test process). */
  g_assert_true (kf_rotation_actions_check_pending (window));
  ui_test_wait_until (has_alert, NULL, kf_test_timeout (10));
  alert = ui_test_find_alert ();
  g_assert_nonnull (ui_test_find (alert, GTK_TYPE_LABEL, "backup-box", FALSE));
  ui_test_screenshot (alert, "rotate-resume-prompt");
  ui_test_respond (alert, "_Finish…");
  dialog = KF_ROTATE_DIALOG (ui_test_find_toplevel (KF_TYPE_ROTATE_DIALOG));
  g_assert_nonnull (dialog);
  kf_rotate_dialog_start (dialog);
  ui_test_wait_until (dialog_done, dialog, kf_test_timeout (60));
  box = kf_store_find_connection (kf_window_get_store (window), box_id);
  old_keypair = kf_store_find_keypair (kf_window_get_store (window), old_id);
  g_assert_cmpstr (kf_connection_get_keypair_id (box), !=, kf_keypair_get_id (old_keypair));
  g_assert_cmpint (login_code (window, box, old_keypair), ==, KF_SSH_ERROR_AUTH_FAILED);
  gtk_window_destroy (GTK_WINDOW (dialog));
  ui_test_stop_app (app);
  kf_test_sshd_stop (sshd);
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);
  ui_test_add ("/ui/rotate/dialog", test_rotate_dialog);
  ui_test_add ("/ui/rotate/pending-prompt", test_pending_prompt);
  ui_test_add ("/ui/rotate/truenas-sign-in", test_rotate_truenas_sign_in);
  return g_test_run ();
}
