/* test-agent.c: Add to SSH Agent from the key pair list, against a real
 * ssh-agent (started here): the lifetime choice, the confirm switch, the
 * "Loaded" state in the list, removal, and the message without an agent.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>
#include <string.h>

#include "kf-alert.h"
#include "kf-ssh-key.h"
#include "kf-store.h"
#include "kf-test-agent.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "kf-window-private.h"
#include "ui-test-util.h"

static GSubprocess *
start_agent (char **sock)
{
  g_autofree char *dir = kf_test_make_tmpdir ("agent");
  GSubprocess *agent;

  *sock = g_build_filename (dir, "agent.sock", NULL);
  agent = kf_test_agent_start (*sock, NULL);
  g_setenv ("SSH_AUTH_SOCK", *sock, TRUE);
  return agent;
}

static KfKeypair *
add_keypair (KfWindow   *window,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, "ui@agent", NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (kf_window_get_vault (window), keypair,
                                            kf_key_material_get_private_key (material), NULL, &error));
  g_assert_no_error (error);
  return kf_store_find_keypair (kf_window_get_store (window), kf_keypair_get_id (keypair));
}

/* `ssh-add -l` lists @keypair's fingerprint. */
static gboolean
agent_lists (KfKeypair *keypair)
{
  const char *argv[] = { "ssh-add", "-l", NULL };
  g_autofree char *out = NULL;

  kf_test_run_command (argv, NULL, &out, NULL);
  return strstr (out, kf_keypair_get_fingerprint (keypair)) != NULL;
}

typedef struct {
  KfWindow  *window;
  KfKeypair *keypair;
  gboolean   loaded;
} LoadedWait;

static gboolean
shows_loaded (gpointer data)
{
  LoadedWait *wait = data;

  return kf_agent_actions_is_loaded (wait->window, wait->keypair) == wait->loaded &&
         ui_test_count_text (GTK_WIDGET (wait->window), "Loaded") == (wait->loaded ? 1u : 0u);
}

static gboolean
has_alert (gpointer data)
{
  return ui_test_find_alert () != NULL;
}

static GtkWidget *
open_add_alert (KfWindow  *window,
                KfKeypair *keypair)
{
  GtkWidget *alert;

  g_action_group_activate_action (G_ACTION_GROUP (window), "keypair-agent-add",
                                  g_variant_new_string (kf_keypair_get_id (keypair)));
  ui_test_wait_until (has_alert, NULL, 10);
  alert = ui_test_find_alert ();
  ui_test_wait_frame (alert);
  return alert;
}

static gboolean
widget_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
widget_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

/* Opens the first row's menu: Add to SSH Agent is there (and, when
 * KF_UI_SCREENSHOT_DIR is set, the screen is saved with the menu open). */
static void
check_row_menu (KfWindow *window)
{
  GtkWidget *button = ui_test_find_named (GTK_WIDGET (kf_window_get_keypairs_page (window)), "row-menu");
  const char *shots = g_getenv ("KF_UI_SCREENSHOT_DIR");
  GtkWidget *popover;

  g_assert_nonnull (button);
  /* The click pops the menu up at once (as test-window checks); its surface
   * is mapped when the display says so, which a loaded machine may delay:
   * the items are read from the popover shown, not from the screen. */
  ui_test_click (button);
  /* The Key Pairs page's own row menu (the window holds other menus too). */
  popover = ui_test_find (GTK_WIDGET (kf_window_get_keypairs_page (window)), GTK_TYPE_POPOVER_MENU, NULL, FALSE);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  g_assert_nonnull (ui_test_find (popover, GTK_TYPE_LABEL, "Add to SSH", FALSE));
  g_assert_nonnull (ui_test_find (popover, GTK_TYPE_LABEL, "from SSH Agent", FALSE));
  /* Closed only once its own surface is on screen, as a user closes it
   * (and as the screenshot needs). The wait is on this popover, not any
   * menu in the window: the window holds other menus, never shown here
   * (the earlier wait that timed out). */
  ui_test_wait_until (widget_mapped, popover, 10);
  if (shots != NULL)
    {
      g_autofree char *path = g_build_filename (shots, "agent-row-menu.png", NULL);
      const char *argv[] = { "import", "-window", "root", path, NULL };

      ui_test_spin (300);
      g_assert_cmpint (kf_test_run_command (argv, NULL, NULL, NULL), ==, 0);
    }
  gtk_popover_popdown (GTK_POPOVER (popover));
  ui_test_wait_until (widget_unmapped, popover, 10);
  ui_test_wait_frame (GTK_WIDGET (window));
}

static void
test_add_remove (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autofree char *sock = NULL;
  GSubprocess *agent = start_agent (&sock);
  KfWindow *window;
  KfKeypair *keypair, *other;
  GtkWidget *alert, *combo, *toggle;
  GListModel *choices;
  LoadedWait wait;

  app = ui_test_start_app (&window);
  keypair = add_keypair (window, "Agent Key");
  other = add_keypair (window, "Other Key");
  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  wait = (LoadedWait) { window, keypair, FALSE };
  g_assert_true (shows_loaded (&wait));
  check_row_menu (window);

  alert = open_add_alert (window, keypair);
  g_assert_cmpstr (kf_alert_get_heading (alert), ==, "Add to SSH Agent");
  combo = ui_test_find (alert, ADW_TYPE_COMBO_ROW, "Keep For", FALSE);
  g_assert_nonnull (combo);
  choices = adw_combo_row_get_model (ADW_COMBO_ROW (combo));
  g_assert_cmpuint (g_list_model_get_n_items (choices), ==, 4);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), 0), ==, "15 Minutes");
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), 3), ==, "Until Logout");
  /* the default is one hour */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (combo)), ==, 1);
  toggle = ui_test_find (alert, GTK_TYPE_SWITCH, NULL, FALSE);
  g_assert_nonnull (toggle);
  g_assert_false (gtk_switch_get_active (GTK_SWITCH (toggle)));
  adw_combo_row_set_selected (ADW_COMBO_ROW (combo), 0);
  ui_test_screenshot (alert, "agent-add-dialog");
  ui_test_respond (alert, "_Add");

  wait = (LoadedWait) { window, keypair, TRUE };
  ui_test_wait_until (shows_loaded, &wait, 10);
  g_assert_true (agent_lists (keypair));
  g_assert_false (agent_lists (other));
  ui_test_screenshot (GTK_WIDGET (window), "agent-keypair-list");

  g_action_group_activate_action (G_ACTION_GROUP (window), "keypair-agent-remove",
                                  g_variant_new_string (kf_keypair_get_id (keypair)));
  wait = (LoadedWait) { window, keypair, FALSE };
  ui_test_wait_until (shows_loaded, &wait, 10);
  g_assert_false (agent_lists (keypair));

  ui_test_stop_app (g_steal_pointer (&app));
  kf_test_agent_stop (agent);
}

/* No agent: the user is told plainly, nothing is shown as loaded. */
static void
test_no_agent (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  KfKeypair *keypair;
  GtkWidget *alert;

  g_unsetenv ("SSH_AUTH_SOCK");
  app = ui_test_start_app (&window);
  keypair = add_keypair (window, "Lonely Key");
  alert = open_add_alert (window, keypair);
  ui_test_respond (alert, "_Add");
  ui_test_wait_until (has_alert, NULL, 10);
  alert = ui_test_find_alert ();
  g_assert_cmpstr (kf_alert_get_heading (alert), ==, "Not Added to the SSH Agent");
  g_assert_nonnull (strstr (kf_alert_get_body (alert), "No SSH agent is running"));
  ui_test_respond (alert, "_OK");
  g_assert_false (kf_agent_actions_is_loaded (window, keypair));
  ui_test_stop_app (g_steal_pointer (&app));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/ui/agent/add-remove", test_add_remove);
  ui_test_add ("/ui/agent/no-agent", test_no_agent);
  return g_test_run ();
}
