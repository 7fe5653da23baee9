/* test-window.c: the real KfApplication and KfWindow under Xvfb.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gstdio.h>

#include "kf-list-page.h"
#include "kf-table-header.h"
#include "kf-table-row.h"
#include "kf-connection-dialog.h"
#include "kf-connection-ops.h"
#include "kf-errors.h"
#include "kf-keypair-details.h"
#include "kf-keypair-dialog.h"
#include "kf-keyring.h"
#include "kf-store.h"
#include "kf-test-util.h"
#include "kf-window.h"
#include "ui-test-util.h"
#include "store-test-data.h"

#define FP_A "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"
#define FP_B "SHA256:Qx7nF0VbQ1pYtD3oQ9yC2hZ2m3bJ0Xx5s8kq1RrW8nE"

/* Writes the store file the application will load: two key pairs, three
 * connections (two use "Laptop Key"), or nothing when @empty. */
static void
write_store (gboolean empty)
{
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeypair) a = NULL;
  g_autoptr(KfKeypair) b = NULL;
  struct {
    const char *name, *host, *user;
    guint port;
  } conns[] = {
    { "Backup NAS", "nas-b.example.org", "root", 22 },
    { "Media Box", "10.0.0.7", "admin", 2222 },
    { "Office TrueNAS", "truenas.office.lan", "truenas_admin", 22 },
  };

  g_remove (kf_store_get_path (store));
  if (empty)
    return;

  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);

  a = kf_keypair_new ("Laptop Key");
  kf_keypair_set_key_type (a, "ssh-ed25519");
  kf_keypair_set_bits (a, 256);
  kf_keypair_set_fingerprint (a, FP_A);
  kf_keypair_set_comment (a, "alice@laptop");
  kf_keypair_set_public_key (a, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDmZ7dJ0w5l7uQ7bK7o0dP8Qq2yY2pEhXb2V3w7m6w1c alice@laptop");
  g_assert_true (kf_store_add_keypair (store, a, &error));
  g_assert_no_error (error);

  b = kf_keypair_new ("Old RSA");
  kf_keypair_set_key_type (b, "ssh-rsa");
  kf_keypair_set_bits (b, 3072);
  kf_keypair_set_fingerprint (b, FP_B);
  /* No comment: an empty cell (issue 11: it must not hold a NULL text). */
  kf_keypair_set_public_key (b, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC");
  g_assert_true (kf_store_add_keypair (store, b, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (conns); i++)
    {
      g_autoptr(KfConnection) c = kf_connection_new (conns[i].name);

      kf_connection_set_setup_method (c, KF_SETUP_METHOD_MANUAL);
      kf_connection_set_host (c, conns[i].host);
      kf_connection_set_username (c, conns[i].user);
      kf_connection_set_port (c, conns[i].port);
      kf_connection_set_keypair_id (c, kf_keypair_get_id (i < 2 ? a : b));
      g_assert_true (kf_store_add_connection (store, c, &error));
      g_assert_no_error (error);
    }
}

static GtkSearchEntry *
page_entry (KfListPage *page)
{
  return GTK_SEARCH_ENTRY (ui_test_find (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY, NULL, FALSE));
}

typedef struct
{
  KfListPage *page;
  const char *state;
  guint       n_shown;
} PageWait;

static gboolean
page_reached (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (kf_list_page_get_state (wait->page), wait->state) == 0 &&
         g_list_model_get_n_items (kf_list_page_get_shown (wait->page)) == wait->n_shown;
}

/* Types @text into the page's search entry like a user (the entry's own
 * delay included) and waits for the list to show @n_shown rows in @state. */
static void
type_search (KfListPage *page,
             const char *text,
             const char *state,
             guint       n_shown)
{
  PageWait wait = { page, state, n_shown };

  kf_list_page_start_search (page);
  gtk_editable_set_text (GTK_EDITABLE (page_entry (page)), text);
  ui_test_wait_until (page_reached, &wait, 5);
  ui_test_wait_frame (GTK_WIDGET (page));
}

static void
test_startup_no_keyring (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;

  write_store (FALSE);
  app = ui_test_start_app (&window);

  /* Start-up and the first frame read only the JSON file. */
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, 0);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_nonnull (kf_application_get_store (app));
  g_assert_cmpstr (kf_window_get_visible_page (window), ==, "connections");

  ui_test_screenshot (GTK_WIDGET (window), "window-connections");
  ui_test_stop_app (g_steal_pointer (&app));
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, 0);
}

static void
test_lists_show_items (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  KfListPage *connections, *keypairs;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  connections = kf_window_get_connections_page (window);
  keypairs = kf_window_get_keypairs_page (window);

  g_assert_cmpstr (kf_list_page_get_state (connections), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (kf_list_page_get_shown (connections)), ==, 3);
  /* Rows really drawn, with the columns' text. */
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Backup NAS"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Media Box"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "truenas.office.lan"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "2222"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "truenas_admin"), ==, 1);
  /* Key pair names come from the store, not the ids. */
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Laptop Key"), ==, 2);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Old RSA"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Manual"), ==, 3);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Never"), ==, 3);

  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpstr (kf_list_page_get_state (keypairs), ==, "list");
  g_assert_cmpuint (g_list_model_get_n_items (kf_list_page_get_shown (keypairs)), ==, 2);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Laptop Key"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Ed25519"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "RSA"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "3072"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), FP_A), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "alice@laptop"), ==, 1);
  /* Old RSA's empty Comment cell holds "", which AT-SPI reads without the
   * CRITICAL a NULL text gave: no cell holds NULL. */
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), ""), >=, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), NULL), ==, 0);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "2 connections"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "1 connection"), ==, 1);
  /* The connections page is not drawn while hidden. */
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Backup NAS"), ==, 0);

  ui_test_screenshot (GTK_WIDGET (window), "window-keypairs");
  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_search_filters (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  KfListPage *connections, *keypairs;
  GtkWidget *no_results;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  connections = kf_window_get_connections_page (window);
  keypairs = kf_window_get_keypairs_page (window);

  /* By host, case-insensitively. */
  type_search (connections, "NAS-B", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Backup NAS"), ==, 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Media Box"), ==, 0);
  /* By user, and by name. */
  type_search (connections, "truenas_admin", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Office TrueNAS"), ==, 1);
  type_search (connections, "box", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "Media Box"), ==, 1);
  /* Every word must match somewhere. */
  type_search (connections, "nas root", "list", 1);
  type_search (connections, "nas", "list", 3);
  /* Nothing found: the "no results" state, not the empty one. */
  type_search (connections, "no-such-host", "no-results", 0);
  no_results = ui_test_find (GTK_WIDGET (connections), ADW_TYPE_STATUS_PAGE, "No Results Found", TRUE);
  g_assert_nonnull (no_results);
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (no_results)), ==, "edit-find-symbolic");
  g_assert_null (ui_test_find (GTK_WIDGET (connections), ADW_TYPE_STATUS_PAGE, "No SSH Connections", TRUE));
  ui_test_screenshot (GTK_WIDGET (window), "window-no-results");
  /* Clearing the search shows everything again. */
  type_search (connections, "", "list", 3);

  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  type_search (keypairs, "ed25519", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Laptop Key"), ==, 1);
  /* The type as shown ("ECDSA P-256", "RSA") matches too. */
  type_search (keypairs, "rsa", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Old RSA"), ==, 1);
  type_search (keypairs, "Qx7nF0", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Old RSA"), ==, 1);
  type_search (keypairs, "alice@", "list", 1);
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (keypairs), "Laptop Key"), ==, 1);
  type_search (keypairs, "sha256:", "list", 2);
  type_search (keypairs, "nothing-like-this", "no-results", 0);

  ui_test_stop_app (g_steal_pointer (&app));
}

/* Clicks the title of @column: the first click sorts ascending, the next
 * one descending. */
static void
click_title (KfListPage *page,
             guint       column)
{
  GtkWidget *header = ui_test_find (GTK_WIDGET (page), KF_TYPE_TABLE_HEADER, NULL, TRUE);

  g_assert_nonnull (header);
  g_signal_emit_by_name (kf_table_header_get_button (KF_TABLE_HEADER (header), column), "clicked");
}

static void
test_sort_by_column (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  KfListPage *connections;
  KfTableColumns *columns;
  GListModel *shown;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  connections = kf_window_get_connections_page (window);
  columns = kf_list_page_get_columns (connections);
  shown = kf_list_page_get_shown (connections);

  g_assert_cmpstr (kf_table_columns_get_title (columns, 2), ==, "Port");
  click_title (connections, 2);
  {
    g_autoptr(KfConnection) first = g_list_model_get_item (shown, 0);
    g_assert_cmpuint (kf_connection_get_port (first), ==, 22);
  }
  click_title (connections, 2);
  g_assert_cmpint (kf_table_columns_get_sort_column (columns), ==, 2);
  g_assert_cmpint (kf_table_columns_get_sort_order (columns), ==, GTK_SORT_DESCENDING);
  {
    g_autoptr(KfConnection) first = g_list_model_get_item (shown, 0);
    g_assert_cmpuint (kf_connection_get_port (first), ==, 2222);
  }

  /* Sorted and filtered together. */
  type_search (connections, "nas", "list", 3);
  {
    g_autoptr(KfConnection) first = NULL;
    g_autoptr(KfConnection) last = NULL;

    click_title (connections, 0);
    click_title (connections, 0);
    first = g_list_model_get_item (shown, 0);
    last = g_list_model_get_item (shown, 2);
    g_assert_cmpstr (kf_connection_get_name (first), ==, "Office TrueNAS");
    g_assert_cmpstr (kf_connection_get_name (last), ==, "Backup NAS");
  }

  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_empty_state (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  KfWindow *window;
  KfListPage *connections, *keypairs;
  GtkWidget *status;
  GtkWidget *add;

  write_store (TRUE);
  app = ui_test_start_app (&window);
  connections = kf_window_get_connections_page (window);
  keypairs = kf_window_get_keypairs_page (window);

  g_assert_cmpstr (kf_list_page_get_state (connections), ==, "empty");
  status = ui_test_find (GTK_WIDGET (connections), ADW_TYPE_STATUS_PAGE, "No SSH Connections", TRUE);
  g_assert_nonnull (status);
  g_assert_cmpstr (adw_status_page_get_description (ADW_STATUS_PAGE (status)), ==,
                   "Add a connection to a NAS or any SSH server");
  add = ui_test_find (status, GTK_TYPE_BUTTON, "Add Connection", TRUE);
  g_assert_nonnull (add);
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (add)), ==, "win.connection-add");
  ui_test_screenshot (GTK_WIDGET (window), "window-empty");

  /* The shown page has its icon. The hidden one gets its status page, and
   * its icon (a 128 px SVG that costs librsvg), only when it is shown; no
   * page has a "no results" page before a search finds nothing. */
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==, "network-server-symbolic");
  g_assert_null (ui_test_find (GTK_WIDGET (keypairs), ADW_TYPE_STATUS_PAGE, NULL, FALSE));
  g_assert_null (ui_test_find (GTK_WIDGET (connections), ADW_TYPE_STATUS_PAGE, "No Results Found", FALSE));

  g_assert_cmpstr (kf_list_page_get_state (keypairs), ==, "empty");
  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  status = ui_test_find (GTK_WIDGET (keypairs), ADW_TYPE_STATUS_PAGE, "No SSH Keypairs", TRUE);
  g_assert_nonnull (status);
  g_assert_cmpstr (adw_status_page_get_icon_name (ADW_STATUS_PAGE (status)), ==, "dialog-password-symbolic");
  g_assert_nonnull (ui_test_find (GTK_WIDGET (keypairs), GTK_TYPE_BUTTON, "Add Key Pair", TRUE));

  /* The lists follow the store: one connection in, the list shows; out, empty again. */
  kf_window_set_visible_page (window, "connections");
  connection = kf_connection_new ("Fresh");
  kf_connection_set_host (connection, "fresh.example.org");
  g_assert_true (kf_store_add_connection (kf_window_get_store (window), connection, &error));
  g_assert_no_error (error);
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpstr (kf_list_page_get_state (connections), ==, "list");
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (connections), "fresh.example.org"), ==, 1);

  g_assert_true (kf_store_remove_connection (kf_window_get_store (window), kf_connection_get_id (connection), &error));
  g_assert_no_error (error);
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpstr (kf_list_page_get_state (connections), ==, "empty");
  g_assert_nonnull (ui_test_find (GTK_WIDGET (connections), ADW_TYPE_STATUS_PAGE, "No SSH Connections", TRUE));

  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_load_error_shown (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(KfStore) probe = kf_store_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_path_get_dirname (kf_store_get_path (probe));
  KfWindow *window;
  GtkWidget *dialog;
  const char *body;

  g_mkdir_with_parents (dir, 0700);
  g_file_set_contents (kf_store_get_path (probe), "{ \"version\": 1, \"keypairs\": [ {", -1, &error);
  g_assert_no_error (error);

  app = ui_test_start_app (&window);

  /* Never silent: a dialog over the window carries the store's message. */
  dialog = ui_test_find_alert ();
  g_assert_nonnull (dialog);
  g_assert_true (kf_alert_get_open (GTK_WINDOW (window)) == dialog);
  body = kf_alert_get_body (dialog);
  g_assert_nonnull (body);
  g_assert_nonnull (strstr (body, ".damaged-"));
  ui_test_screenshot (GTK_WIDGET (dialog), "load-error");
  /* The damaged file is kept aside, and the lists are empty but usable. */
  g_assert_false (g_file_test (kf_store_get_path (probe), G_FILE_TEST_EXISTS));
  g_assert_cmpstr (kf_list_page_get_state (kf_window_get_connections_page (window)), ==, "empty");

  ui_test_stop_app (g_steal_pointer (&app));
}

static gboolean
has_alert (gpointer data)
{
  return ui_test_find_alert () != NULL;
}

static gboolean
page_has_rows (gpointer data)
{
  PageWait *wait = data;

  return g_list_model_get_n_items (kf_list_page_get_shown (wait->page)) == wait->n_shown;
}

/* Another process (here: another KfStore on the same file) writes: the
 * window follows; it writes garbage: the user is told. */
static void
test_follows_other_writers (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(KfStore) other = kf_store_new (NULL);
  g_autoptr(KfConnection) connection = kf_connection_new ("From The CLI");
  g_autoptr(GError) error = NULL;
  KfWindow *window;
  PageWait wait;
  GtkWidget *dialog;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  wait.page = kf_window_get_connections_page (window);
  wait.n_shown = 4;

  g_assert_true (kf_store_load (other, &error));
  g_assert_no_error (error);
  kf_connection_set_host (connection, "cli.example.org");
  g_assert_true (kf_store_add_connection (other, connection, &error));
  g_assert_no_error (error);
  ui_test_wait_until (page_has_rows, &wait, 10);
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (wait.page), "cli.example.org"), ==, 1);

  g_assert_null (ui_test_find_alert ());
  g_file_set_contents (kf_store_get_path (other), "not json at all", -1, &error);
  g_assert_no_error (error);
  ui_test_wait_until (has_alert, NULL, 10);
  dialog = ui_test_find_alert ();
  g_assert_nonnull (strstr (kf_alert_get_body (dialog), ".damaged-"));

  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_connection_actions (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autofree char *text = NULL;
  KfWindow *window;
  KfStore *store;
  KfConnection *media;
  GtkWidget *dialog;
  g_autofree char *media_id = NULL;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  store = kf_window_get_store (window);
  media = kf_store_find_connection_by_name (store, "Media Box");
  g_assert_nonnull (media);
  media_id = g_strdup (kf_connection_get_id (media));

  g_action_group_activate_action (G_ACTION_GROUP (window), "connection-copy-command",
                                  g_variant_new_string (media_id));
  text = ui_test_read_clipboard (GTK_WIDGET (window));
  g_assert_cmpstr (text, ==, "ssh -p 2222 -i ~/.ssh/Laptop_Key admin@10.0.0.7");

  /* Delete asks first; Cancel keeps it. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "connection-delete", g_variant_new_string (media_id));
  dialog = ui_test_find_alert ();
  g_assert_nonnull (dialog);
  ui_test_screenshot (GTK_WIDGET (dialog), "delete-connection");
  ui_test_respond (dialog, "_Cancel");
  ui_test_spin (50);
  g_assert_nonnull (kf_store_find_connection (store, media_id));

  g_action_group_activate_action (G_ACTION_GROUP (window), "connection-delete", g_variant_new_string (media_id));
  dialog = ui_test_find_alert ();
  g_assert_nonnull (dialog);
  ui_test_respond (dialog, "_Delete");
  ui_test_spin (50);
  g_assert_null (kf_store_find_connection (store, media_id));
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (store)), ==, 2);
  g_assert_cmpuint (g_list_model_get_n_items (kf_list_page_get_shown (kf_window_get_connections_page (window))), ==, 2);

  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_ssh_command_quoting (void)
{
  g_autoptr(KfConnection) c = kf_connection_new ("x");
  g_autofree char *plain = NULL;
  g_autofree char *v6 = NULL;
  g_autofree char *odd = NULL;

  kf_connection_set_host (c, "nas.local");
  kf_connection_set_username (c, "root");
  plain = kf_connection_ops_ssh_command (NULL, c);
  g_assert_cmpstr (plain, ==, "ssh root@nas.local");

  kf_connection_set_host (c, "fd00::12");
  kf_connection_set_port (c, 2200);
  v6 = kf_connection_ops_ssh_command (NULL, c);
  g_assert_cmpstr (v6, ==, "ssh -p 2200 root@fd00::12");

  kf_connection_set_username (c, "we ird$");
  odd = kf_connection_ops_ssh_command (NULL, c);
  g_assert_cmpstr (odd, ==, "ssh -p 2200 'we ird$@fd00::12'");
}

static void
test_window_size_saved (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(GSettings) settings = g_settings_new (KF_APP_ID);
  KfWindow *window;
  int width, height;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 555);
  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  gtk_window_close (GTK_WINDOW (window));
  ui_test_spin (20);

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 555);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_assert_cmpstr (g_settings_get_string (settings, "last-view"), ==, "keypairs");
  g_assert_null (gtk_application_get_active_window (GTK_APPLICATION (app)));

  /* The next window opens the same way. */
  window = ui_test_activate (app);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 900);
  g_assert_cmpint (height, ==, 555);
  g_assert_cmpstr (kf_window_get_visible_page (window), ==, "keypairs");
  ui_test_stop_app (g_steal_pointer (&app));
}

static gboolean
strv_has (char **strv,
          const char *value)
{
  return g_strv_contains ((const char * const *) strv, value);
}

/* style.css is loaded without a resource base path (load_style in
 * kf-application.c): its .key-text rule pads by 12 px on each side. */
static void
test_style_sheet (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  GtkWidget *plain, *styled;
  int plain_width, styled_width;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  plain = g_object_ref_sink (gtk_label_new ("ssh-ed25519"));
  styled = g_object_ref_sink (gtk_label_new ("ssh-ed25519"));
  gtk_widget_add_css_class (styled, "key-text");
  gtk_widget_measure (plain, GTK_ORIENTATION_HORIZONTAL, -1, &plain_width, NULL, NULL, NULL);
  gtk_widget_measure (styled, GTK_ORIENTATION_HORIZONTAL, -1, &styled_width, NULL, NULL, NULL);
  g_assert_cmpint (styled_width - plain_width, ==, 24);
  g_object_unref (plain);
  g_object_unref (styled);
  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_app_actions (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  GtkWindow *about, *shortcuts;
  struct { const char *action, *accel; } accels[] = {
    { "app.quit", "<Control>q" },
    { "app.shortcuts", "<Control>question" },
    { "win.add", "<Control>n" },
    { "win.search", "<Control>f" },
  };

  write_store (FALSE);
  app = ui_test_start_app (&window);

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    {
      g_auto(GStrv) set = gtk_application_get_accels_for_action (GTK_APPLICATION (app), accels[i].action);
      g_assert_true (strv_has (set, accels[i].accel));
    }

  /* Start-up leaves our icons out of the icon theme (kf_application_new);
   * About brings the icon in, from our resources unless it is installed. */
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());
    g_auto(GStrv) before = gtk_icon_theme_get_resource_path (theme);
    g_auto(GStrv) after = NULL;
    gboolean installed = gtk_icon_theme_has_icon (theme, KF_APP_ID);

    g_assert_false (before != NULL && strv_has (before, "/io/github/keyferry/Keyferry/icons"));
    g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
    g_assert_true (gtk_icon_theme_has_icon (theme, KF_APP_ID));
    after = gtk_icon_theme_get_resource_path (theme);
    g_assert_true (installed || (after != NULL && strv_has (after, "/io/github/keyferry/Keyferry/icons")));
  }
  about = ui_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (about)), ==, "Keyferry");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, KF_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  ui_test_screenshot (GTK_WIDGET (about), "about");
  gtk_window_destroy (about);

  /* The main menu is built when it first opens, once: opened again, it is
   * the same popover, with its items. */
  {
    GtkWidget *menu_button = ui_test_find (GTK_WIDGET (window), GTK_TYPE_MENU_BUTTON, NULL, TRUE);
    GtkPopover *popover;

    g_assert_nonnull (menu_button);
    g_assert_null (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button)));
    gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
    popover = gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button));
    g_assert_nonnull (popover);
    ui_test_wait_frame (GTK_WIDGET (popover));
    g_assert_nonnull (ui_test_find (GTK_WIDGET (popover), GTK_TYPE_BUTTON, "Keyboard Shortcuts", TRUE));
    gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
    gtk_menu_button_popup (GTK_MENU_BUTTON (menu_button));
    g_assert_true (gtk_menu_button_get_popover (GTK_MENU_BUTTON (menu_button)) == popover);
    gtk_menu_button_popdown (GTK_MENU_BUTTON (menu_button));
  }

  g_action_group_activate_action (G_ACTION_GROUP (app), "shortcuts", NULL);
  shortcuts = ui_test_find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_nonnull (shortcuts);
  ui_test_screenshot (GTK_WIDGET (shortcuts), "shortcuts");
  gtk_window_destroy (shortcuts);

  /* Ctrl+F: the shown page's search bar opens with the focus in its entry. */
  g_assert_false (kf_list_page_get_search_mode (kf_window_get_connections_page (window)));
  g_action_group_activate_action (G_ACTION_GROUP (window), "search", NULL);
  g_assert_true (kf_list_page_get_search_mode (kf_window_get_connections_page (window)));
  g_assert_false (kf_list_page_get_search_mode (kf_window_get_keypairs_page (window)));

  ui_test_stop_app (g_steal_pointer (&app));
}

static gboolean
bar_revealed (gpointer data)
{
  GtkWidget *bar = ui_test_find (data, ADW_TYPE_VIEW_SWITCHER_BAR, NULL, FALSE);

  return bar != NULL && adw_view_switcher_bar_get_reveal (ADW_VIEW_SWITCHER_BAR (bar));
}

static gboolean
bar_hidden (gpointer data)
{
  return !bar_revealed (data);
}

/* A window that starts narrow (its saved size) builds the bottom bar too. */
static void
test_narrow_start (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(GSettings) settings = g_settings_new (KF_APP_ID);
  KfWindow *window;

  write_store (FALSE);
  g_settings_set_int (settings, "window-width", 360);
  g_settings_set_int (settings, "window-height", 640);
  app = ui_test_start_app (&window);
  ui_test_wait_until (bar_revealed, window, 10);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  ui_test_stop_app (g_steal_pointer (&app));
}

/* A narrow window moves the page switcher to a bar at the bottom. A wide
 * one never builds that bar. */
static void
test_narrow_window (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  GtkWidget *bar;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  ui_test_wait_frame (GTK_WIDGET (window));
  ui_test_spin (100);
  g_assert_null (ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR, NULL, FALSE));

  gtk_window_set_default_size (GTK_WINDOW (window), 360, 640);
  ui_test_wait_until (bar_revealed, window, 10);
  bar = ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR, NULL, FALSE);
  /* Let the switchers' transitions end before looking. */
  ui_test_spin (600);
  g_assert_true (gtk_widget_get_mapped (bar));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  ui_test_screenshot (GTK_WIDGET (window), "window-narrow");

  /* The table fits without scrolling sideways: Name, Host and the row menu
   * are on screen (issue 11, defect 10). */
  {
    GtkWidget *view = ui_test_find (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, TRUE);
    GtkWidget *header = ui_test_find (GTK_WIDGET (window), KF_TYPE_TABLE_HEADER, NULL, TRUE);
    GtkWidget *scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *menu_button = ui_test_find_named (view, "row-menu");
    GtkAdjustment *h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled));
    GtkWidget *host_title = ui_test_find (header, GTK_TYPE_LABEL, "Host", TRUE);
    graphene_rect_t bounds;

    g_assert_nonnull (ui_test_find (header, GTK_TYPE_LABEL, "Name", TRUE));
    g_assert_nonnull (host_title);
    g_assert_true (gtk_widget_compute_bounds (host_title, GTK_WIDGET (window), &bounds));
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (GTK_WIDGET (window)));
    g_assert_true (gtk_adjustment_get_upper (h) <= gtk_adjustment_get_page_size (h) + 0.5);
    g_assert_true (gtk_widget_compute_bounds (menu_button, scrolled, &bounds));
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (scrolled));
    g_assert_nonnull (ui_test_find (view, KF_TYPE_TABLE_ROW, "nas-b.example.org", TRUE));
  }

  /* Dialogs fit the small screen too, not 600×760 over a 360×640 window. */
  {
    const char *actions[] = { "connection-add", "keypair-add" };
    GType types[] = { KF_TYPE_CONNECTION_DIALOG, KF_TYPE_KEYPAIR_DIALOG };

    for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
      {
        GtkWindow *dialog;

        g_action_group_activate_action (G_ACTION_GROUP (window), actions[i], NULL);
        ui_test_spin (300);
        dialog = ui_test_find_toplevel (types[i]);
        g_assert_nonnull (dialog);
        ui_test_wait_frame (GTK_WIDGET (dialog));
        ui_test_screenshot (GTK_WIDGET (dialog), i == 0 ? "connection-dialog-narrow" : "keypair-dialog-narrow");
        g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (dialog)), <=, gtk_widget_get_width (GTK_WIDGET (window)));
        g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (dialog)), <=, gtk_widget_get_height (GTK_WIDGET (window)));
        gtk_window_destroy (dialog);
        ui_test_spin (50);
      }
  }

  /* Wide again: the header has the switcher, the bar hides. */
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  ui_test_wait_until (bar_hidden, window, 10);
  g_assert_true (ui_test_find (GTK_WIDGET (window), ADW_TYPE_VIEW_SWITCHER_BAR, NULL, FALSE) == bar);

  ui_test_stop_app (g_steal_pointer (&app));
}

/* Issue 11, defect 1: narrowed (where the table used to need a sideways
 * scroll to reach ⋮, and stayed scrolled) and widened again, the table comes
 * back whole: every column, Name at the left edge, the full width. */
static gboolean
table_fits (gpointer data)
{
  GtkAdjustment *h = data;

  return gtk_adjustment_get_upper (h) <= gtk_adjustment_get_page_size (h) + 0.5;
}

/* Counted as a user sees them: the header's titles on screen. */
static guint
visible_columns (GtkWidget *header)
{
  guint n = 0;

  for (GtkWidget *button = gtk_widget_get_first_child (header); button != NULL;
       button = gtk_widget_get_next_sibling (button))
    n += gtk_widget_get_child_visible (button) && gtk_widget_get_mapped (button);
  return n;
}

/* The widest @digits-digit number in @widget's font, in pixels. */
static int
widest_number_width (GtkWidget *widget,
                     guint      digits)
{
  int widest = 0;

  for (char d = '0'; d <= '9'; d++)
    {
      g_autofree char *number = g_strnfill (digits, d);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, number);
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      widest = MAX (widest, width);
    }
  return widest;
}

/* Has GTK lay text out with glyph metrics hinted (whole-pixel advances, as
 * GTK 4.8 does by default) or not (as 4.10 and later do). From GTK 4.16 the
 * setting counts only with gtk-font-rendering set to "manual". */
static void
set_hinted_metrics (gboolean hinted)
{
  GtkSettings *settings = gtk_settings_get_default ();
  GParamSpec *rendering = g_object_class_find_property (G_OBJECT_GET_CLASS (settings), "gtk-font-rendering");

  if (rendering != NULL)
    {
      GEnumValue *manual = g_enum_get_value_by_nick (G_PARAM_SPEC_ENUM (rendering)->enum_class, "manual");

      g_assert_nonnull (manual);
      g_object_set (settings, "gtk-font-rendering", manual->value, NULL);
    }
  g_object_set (settings, "gtk-hint-font-metrics", hinted, NULL);
}

/* A port has up to five digits, and the Port column shows any of them
 * whole, in the default font and after a font change (the Flatpak, with
 * GTK 4.24, showed 56839 as "568…": see widest_digit in kf-cell-text.c). */
static void
test_port_shown_whole (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  GtkWidget *row;
  KfTableColumns *columns;

  write_store (FALSE);
  {
    g_autoptr(KfStore) store = kf_store_new (NULL);
    g_autoptr(KfConnection) far = kf_connection_new ("Far NAS");
    g_autoptr(GError) error = NULL;

    g_assert_true (kf_store_load (store, &error));
    kf_connection_set_host (far, "far.example.org");
    kf_connection_set_port (far, 65535);
    kf_connection_set_username (far, "root");
    g_assert_true (kf_store_add_connection (store, far, &error));
    g_assert_no_error (error);
  }
  app = ui_test_start_app (&window);

  /* The default font; GNOME's size with glyph metrics hinted (whole-pixel
   * advances, as GTK 4.8 lays text out), then not (as 4.10 and later do):
   * the widths measured for the first must not stay for the second; then a
   * larger font in a wider window. */
  for (guint i = 0; i < 4; i++)
    {
      GtkSettings *settings = gtk_settings_get_default ();
      int table, x, cell;

      if (i == 1)
        {
          g_object_set (settings, "gtk-font-name", "Sans 11", NULL);
          set_hinted_metrics (TRUE);
        }
      if (i == 2)
        set_hinted_metrics (FALSE);
      if (i == 3)
        g_object_set (settings, "gtk-font-name", "Sans 14", NULL);
      gtk_window_set_default_size (GTK_WINDOW (window), i < 3 ? 1000 : 1600, 700);
      ui_test_spin (300);
      row = ui_test_find (GTK_WIDGET (window), KF_TYPE_TABLE_ROW, "Far NAS", TRUE);
      g_assert_nonnull (row);
      g_assert_cmpstr (kf_table_row_get_cell_text (KF_TABLE_ROW (row), 2), ==, "65535");
      columns = kf_table_row_get_columns (KF_TABLE_ROW (row));
      g_assert_true (kf_table_columns_get_shown (columns, 2));
      table = gtk_widget_get_width (row) - kf_table_columns_get_trailing (columns);
      g_assert_true (kf_table_columns_get_cell (columns, table, 2, &x, &cell));
      g_assert_cmpint (widest_number_width (row, 5), <=, cell - 2 * KF_TABLE_CELL_PADDING);
    }
  ui_test_stop_app (g_steal_pointer (&app));
}

static void
test_table_widens_back (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  GtkWidget *view, *header, *scrolled, *name_header;
  GtkAdjustment *h;
  double x, y;
  guint all;

  write_store (FALSE);
  app = ui_test_start_app (&window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  ui_test_spin (300);
  view = ui_test_find (GTK_WIDGET (window), GTK_TYPE_LIST_VIEW, NULL, TRUE);
  header = ui_test_find (GTK_WIDGET (window), KF_TYPE_TABLE_HEADER, NULL, TRUE);
  g_assert_nonnull (view);
  g_assert_nonnull (header);
  scrolled = gtk_widget_get_ancestor (view, GTK_TYPE_SCROLLED_WINDOW);
  h = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled));
  all = visible_columns (header);
  g_assert_cmpuint (all, ==, 8);  /* Name … Setup Method, State, Last Checked */

  /* Narrow: fewer columns, nothing to scroll sideways for. */
  gtk_window_set_default_size (GTK_WINDOW (window), 520, 700);
  ui_test_spin (600);
  g_assert_true (table_fits (h));
  g_assert_cmpuint (visible_columns (header), <, all);

  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  ui_test_spin (600);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), >=, 990);
  g_assert_cmpuint (visible_columns (header), ==, all);
  g_assert_cmpfloat (gtk_adjustment_get_value (h), ==, 0);
  g_assert_cmpint (gtk_widget_get_width (view), >=, gtk_widget_get_width (scrolled) - 1);
  name_header = ui_test_find (header, GTK_TYPE_LABEL, "Name", TRUE);
  g_assert_nonnull (name_header);
  g_assert_true (gtk_widget_translate_coordinates (name_header, scrolled, 0, 0, &x, &y));
  g_assert_cmpfloat (x, >=, 0);
  /* The last title ends inside the window. */
  g_assert_true (gtk_widget_translate_coordinates (ui_test_find (header, GTK_TYPE_LABEL, "Last Checked", TRUE),
                                                   GTK_WIDGET (window), 0, 0, &x, &y));
  g_assert_cmpfloat (x, <, gtk_widget_get_width (GTK_WIDGET (window)));
  ui_test_screenshot (GTK_WIDGET (window), "window-widened-again");

  ui_test_stop_app (g_steal_pointer (&app));
}

/* The menu of the first shown row, opened by its button. */
static gboolean
widget_unmapped (gpointer data)
{
  return !gtk_widget_get_mapped (data);
}

static void
close_row_menu (KfListPage *page)
{
  GtkWidget *popover = ui_test_find (GTK_WIDGET (page), GTK_TYPE_POPOVER_MENU, NULL, TRUE);

  g_assert_nonnull (popover);
  gtk_popover_popdown (GTK_POPOVER (popover));
  ui_test_wait_until (widget_unmapped, popover, 10);
  ui_test_wait_frame (GTK_WIDGET (page));
}

static GMenuModel *
open_first_row_menu (KfListPage *page)
{
  GtkWidget *button = ui_test_find_named (GTK_WIDGET (page), "row-menu");
  GtkWidget *popover;

  g_assert_nonnull (button);
  ui_test_click (button);
  popover = ui_test_find (GTK_WIDGET (page), GTK_TYPE_POPOVER_MENU, NULL, FALSE);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (popover));
  ui_test_screenshot (popover, "row-menu");
  return gtk_popover_menu_get_menu_model (GTK_POPOVER_MENU (popover));
}

static gboolean
menu_has (GMenuModel *menu,
          const char *action,
          const char *target)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GVariant) value = NULL;

      if (!g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name))
        continue;
      value = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET, G_VARIANT_TYPE_STRING);
      if (g_strcmp0 (name, action) == 0 && value != NULL && g_strcmp0 (g_variant_get_string (value, NULL), target) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_row_menus (void)
{
  g_autoptr(KfApplication) app = NULL;
  KfWindow *window;
  KfListPage *page;
  GMenuModel *menu;
  g_autoptr(GObject) first = NULL;
  const char *id;

  write_store (FALSE);
  app = ui_test_start_app (&window);

  page = kf_window_get_connections_page (window);
  first = g_list_model_get_item (kf_list_page_get_shown (page), 0);
  id = kf_connection_get_id (KF_CONNECTION (first));
  menu = open_first_row_menu (page);
  /* Every item names the row's connection; items exist for the actions that do. */
  g_assert_true (menu_has (menu, "win.connection-copy-command", id));
  g_assert_true (menu_has (menu, "win.connection-delete", id));
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==,
                   2 + (g_action_map_lookup_action (G_ACTION_MAP (window), "connection-edit") != NULL)
                     + (g_action_map_lookup_action (G_ACTION_MAP (window), "connection-test") != NULL));
  g_clear_object (&first);
  /* While it is open, the ⋮'s tooltip does not cover the first item. */
  g_assert_false (gtk_widget_get_has_tooltip (ui_test_find_named (GTK_WIDGET (page), "row-menu")));
  /* Escape closes it, as a user does before going to the other page. */
  close_row_menu (page);
  /* The keyboard is back on the row, not on the header's "+" (where the
   * next Enter would open Add), and the tooltip is back (issue 11, defect 2). */
  {
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));
    GtkWidget *view = ui_test_find (GTK_WIDGET (page), GTK_TYPE_LIST_VIEW, NULL, TRUE);

    g_assert_nonnull (focus);
    g_assert_true (gtk_widget_is_ancestor (focus, view));
    g_assert_true (gtk_widget_get_has_tooltip (ui_test_find_named (GTK_WIDGET (page), "row-menu")));
  }

  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  page = kf_window_get_keypairs_page (window);
  first = g_list_model_get_item (kf_list_page_get_shown (page), 0);
  id = kf_keypair_get_id (KF_KEYPAIR (first));
  menu = open_first_row_menu (page);
  g_assert_cmpint (g_menu_model_get_n_items (menu), ==, 7);
  g_assert_true (menu_has (menu, "win.keypair-rotate", id));
  g_assert_true (menu_has (menu, "win.keypair-copy-public-key", id));
  g_assert_true (menu_has (menu, "win.keypair-agent-add", id));
  g_assert_true (menu_has (menu, "win.keypair-agent-remove", id));
  g_assert_true (menu_has (menu, "win.keypair-download", id));
  g_assert_true (menu_has (menu, "win.keypair-edit", id));
  g_assert_true (menu_has (menu, "win.keypair-delete", id));

  ui_test_stop_app (g_steal_pointer (&app));
}

static gboolean
all_rows_attached (gpointer data)
{
  GtkListView *view = data;

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))) == 120;
}

/* The first frame shows a screenful of rows; every row follows at once. */
static void
test_all_rows_after_first_frame (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(GPtrArray) keypairs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) last = NULL;
  KfWindow *window;
  GtkListView *view;
  GtkAdjustment *vadjustment;

  g_remove (kf_store_get_path (store));
  g_assert_true (kf_store_load (store, &error));
  for (guint i = 0; i < 120; i++)
    {
      g_autofree char *name = g_strdup_printf ("NAS %03u", i);
      KfConnection *c = kf_connection_new (name);

      kf_connection_set_host (c, "nas.example.org");
      g_ptr_array_add (connections, c);
    }
  g_assert_true (kf_store_add_all (store, keypairs, connections, &error));
  g_assert_no_error (error);

  app = ui_test_start_app (&window);
  view = GTK_LIST_VIEW (ui_test_find (GTK_WIDGET (kf_window_get_connections_page (window)),
                                      GTK_TYPE_LIST_VIEW, NULL, FALSE));
  ui_test_wait_until (all_rows_attached, view, 10);

  /* Scrolled to the end, the last connection is drawn. */
  ui_test_wait_frame (GTK_WIDGET (window));
  vadjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  gtk_adjustment_set_value (vadjustment, gtk_adjustment_get_upper (vadjustment));
  ui_test_wait_frame (GTK_WIDGET (window));
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpuint (ui_test_count_text (GTK_WIDGET (view), "NAS 119"), ==, 1);

  ui_test_stop_app (g_steal_pointer (&app));
}

static gboolean
keypair_rows_attached (gpointer data)
{
  GtkListView *view = data;

  return g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (view))) == 60;
}

static guint
count_list_pages (GtkWidget *widget)
{
  guint n = KF_IS_LIST_PAGE (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_list_pages (child);
  return n;
}

/* The page not on screen at start-up (Key Pairs) is not built until it is
 * shown or asked for, and then builds no row widgets while hidden; shown, a
 * screenful comes first, every row right after. */
static void
test_hidden_page_builds_no_rows (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(GError) error = NULL;
  KfWindow *window;
  GtkListView *connection_view, *keypair_view;

  g_remove (kf_store_get_path (store));
  g_assert_true (kf_store_load (store, &error));
  store_test_generate (60, 7, FALSE, &keypairs, &connections);
  g_assert_true (kf_store_add_all (store, keypairs, connections, &error));
  g_assert_no_error (error);

  app = ui_test_start_app (&window);
  g_assert_cmpstr (kf_window_get_visible_page (window), ==, "connections");
  /* Nor is the hidden page built at start-up: only the page shown is. */
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpuint (count_list_pages (GTK_WIDGET (window)), ==, 1);
  connection_view = GTK_LIST_VIEW (ui_test_find (GTK_WIDGET (kf_window_get_connections_page (window)),
                                                 GTK_TYPE_LIST_VIEW, NULL, FALSE));
  keypair_view = GTK_LIST_VIEW (ui_test_find (GTK_WIDGET (kf_window_get_keypairs_page (window)),
                                              GTK_TYPE_LIST_VIEW, NULL, FALSE));
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (connection_view))), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (keypair_view))), ==, 0);

  kf_window_set_visible_page (window, "keypairs");
  ui_test_wait_frame (GTK_WIDGET (window));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (keypair_view))), >, 0);
  ui_test_wait_until (keypair_rows_attached, keypair_view, 10);
  g_assert_cmpuint (count_list_pages (GTK_WIDGET (window)), ==, 2);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (kf_window_get_keypairs_page (window))));

  ui_test_stop_app (g_steal_pointer (&app));
}

/* Enter (item-activated) and the Delete key (delete-requested) on a row
 * reach the page's edit and delete actions. */
static void
test_row_keys (void)
{
  g_autoptr(KfApplication) app = NULL;
  g_autoptr(GObject) keypair = NULL;
  g_autoptr(GObject) connection = NULL;
  KfWindow *window;
  GtkWindow *toplevel;
  GtkWidget *alert;

  write_store (FALSE);
  app = ui_test_start_app (&window);

  connection = g_list_model_get_item (kf_list_page_get_shown (kf_window_get_connections_page (window)), 0);
  g_signal_emit_by_name (kf_window_get_connections_page (window), "delete-requested", connection);
  alert = ui_test_find_alert ();
  g_assert_nonnull (alert);
  g_assert_nonnull (strstr (kf_alert_get_body (alert),
                            kf_connection_get_name (KF_CONNECTION (connection))));
  ui_test_respond (alert, "_Cancel");
  ui_test_spin (50);

  kf_window_set_visible_page (window, "keypairs");
  keypair = g_list_model_get_item (kf_list_page_get_shown (kf_window_get_keypairs_page (window)), 0);
  g_signal_emit_by_name (kf_window_get_keypairs_page (window), "item-activated", keypair);
  toplevel = ui_test_find_toplevel (KF_TYPE_KEYPAIR_DETAILS);
  g_assert_nonnull (toplevel);
  g_assert_true (kf_keypair_details_get_keypair (KF_KEYPAIR_DETAILS (toplevel)) == KF_KEYPAIR (keypair));
  gtk_window_destroy (toplevel);

  g_signal_emit_by_name (kf_window_get_keypairs_page (window), "delete-requested", keypair);
  alert = ui_test_find_alert ();
  g_assert_nonnull (alert);
  g_assert_cmpstr (kf_alert_get_heading (alert), ==, "Delete Key Pair?");
  ui_test_respond (alert, "_Cancel");
  ui_test_spin (50);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (kf_window_get_store (window))), ==, 2);

  ui_test_stop_app (g_steal_pointer (&app));
}

int
main (int   argc,
      char *argv[])
{
  ui_test_init (&argc, &argv);

  ui_test_add ("/ui/window/startup-no-keyring", test_startup_no_keyring);
  ui_test_add ("/ui/window/lists-show-items", test_lists_show_items);
  ui_test_add ("/ui/window/search-filters", test_search_filters);
  ui_test_add ("/ui/window/sort-by-column", test_sort_by_column);
  ui_test_add ("/ui/window/empty-state", test_empty_state);
  ui_test_add ("/ui/window/load-error-shown", test_load_error_shown);
  ui_test_add ("/ui/window/follows-other-writers", test_follows_other_writers);
  ui_test_add ("/ui/window/connection-actions", test_connection_actions);
  ui_test_add ("/ui/window/ssh-command-quoting", test_ssh_command_quoting);
  ui_test_add ("/ui/window/window-size-saved", test_window_size_saved);
  ui_test_add ("/ui/window/app-actions", test_app_actions);
  ui_test_add ("/ui/window/style-sheet", test_style_sheet);
  ui_test_add ("/ui/window/narrow-window", test_narrow_window);
  ui_test_add ("/ui/window/narrow-start", test_narrow_start);
  ui_test_add ("/ui/window/table-widens-back", test_table_widens_back);
  ui_test_add ("/ui/window/port-shown-whole", test_port_shown_whole);
  ui_test_add ("/ui/window/row-menus", test_row_menus);
  ui_test_add ("/ui/window/row-keys", test_row_keys);
  ui_test_add ("/ui/window/all-rows-after-first-frame", test_all_rows_after_first_frame);
  ui_test_add ("/ui/window/hidden-page-builds-no-rows", test_hidden_page_builds_no_rows);

  return g_test_run ();
}
