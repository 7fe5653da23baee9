/* ui-test-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "ui-test-util.h"
#include "kf-cell-text.h"
#include "kf-table-row.h"
#include "kf-store.h"
#include "kf-keyring.h"

#include "kf-test-util.h"

/* GTK 4.24's GDK warns "gdk_frame_timings_submitted() called on submitted
 * frame." when its X11 backend reports one frame as submitted twice
 * (gdk/gdkframetimings.c, gdk_frame_timings_submitted: a frame already
 * SUBMITTED submitted again); on Xvfb, with no compositor, it happens by
 * timing alone, once a process (g_warning_once). It is GDK's bookkeeping of
 * its own frame clock, which Keyferry never touches: that one warning is
 * written out but does not abort a UI test; every other still does. GDK
 * logs structured, which GTest's fatal handler never sees: the writer is
 * where a warning is made fatal (g_log_writer_default). */
static GLogWriterOutput
tolerate_gdk_frame_timings (GLogLevelFlags   log_level,
                            const GLogField *fields,
                            gsize            n_fields,
                            gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length >= 0)
        continue;
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && g_strcmp0 (domain, "Gdk") == 0
      && g_strcmp0 (message, "gdk_frame_timings_submitted() called on submitted frame.") == 0)
    return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

void
ui_test_init (int    *argc,
              char ***argv)
{
  /* Only GTK 4.24's frame clock logs it; set before anything logs. */
  if (gtk_get_major_version () == 4 && gtk_get_minor_version () >= 24)
    g_log_set_writer_func (tolerate_gdk_frame_timings, NULL, NULL);
  kf_test_init (argc, argv);
  /* Never touch the developer's dconf; the schema comes from <build>/data. */
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
}

static void
run_in_subprocess (gconstpointer data)
{
  GTestFunc func = (GTestFunc) data;

  if (g_test_subprocess ())
    {
      func ();
      return;
    }

  g_test_trap_subprocess (NULL, 240 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

void
ui_test_add (const char *path,
             GTestFunc   func)
{
  g_test_add_data_func (path, (gconstpointer) func, run_in_subprocess);
}

static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

void
ui_test_wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock;
  gboolean painted = FALSE;
  gulong handler;

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (gtk_widget_get_root (widget)));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
  gtk_widget_queue_draw (GTK_WIDGET (gtk_widget_get_root (widget)));
  kf_test_wait_for (&painted, 10);
  g_signal_handler_disconnect (clock, handler);
}

static gboolean
spin_done (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

void
ui_test_spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, spin_done, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
ui_test_wait_until_named (gboolean   (*check) (gpointer data),
                          gpointer     data,
                          guint        timeout_s,
                          const char  *what)
{
  gint64 deadline;

  timeout_s = kf_test_timeout (timeout_s);
  deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!check (data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s waiting for %s", timeout_s, what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

KfWindow *
ui_test_activate (KfApplication *app)
{
  GtkWindow *active;

  g_application_activate (G_APPLICATION (app));
  active = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (KF_IS_WINDOW (active));
  ui_test_wait_frame (GTK_WIDGET (active));
  return KF_WINDOW (active);
}

KfApplication *
ui_test_start_app (KfWindow **window)
{
  g_autoptr(GError) error = NULL;
  KfApplication *app = kf_application_new ();
  KfWindow *active;

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  active = ui_test_activate (app);
  /* Screenshots at another size (KF_UI_WINDOW_SIZE=360x640): dialogs are
   * no larger than the main window, as on a phone. */
  if (g_getenv ("KF_UI_WINDOW_SIZE") != NULL)
    {
      int width = 0, height = 0;

      if (sscanf (g_getenv ("KF_UI_WINDOW_SIZE"), "%dx%d", &width, &height) == 2 && width > 0 && height > 0)
        {
          gtk_window_set_default_size (GTK_WINDOW (active), width, height);
          ui_test_wait_frame (GTK_WIDGET (active));
        }
    }

  if (window != NULL)
    *window = active;
  return app;
}

static gboolean
app_has_no_workers (gpointer app)
{
  return kf_application_get_workers (app) == 0;
}

void
ui_test_stop_app (KfApplication *app)
{
  GList *windows;

  while ((windows = gtk_application_get_windows (GTK_APPLICATION (app))) != NULL)
    gtk_window_destroy (windows->data);
  /* As the app's own shutdown does: background work (the test after a
   * Save, a key generation) ends before the process may. */
  ui_test_wait_until (app_has_no_workers, app, 60);
  ui_test_spin (20);
  g_object_unref (app);
}

/* A table row draws its cells: does one it shows hold (or, @exact, equal)
 * @text? */
static gboolean
row_shows (GtkWidget  *widget,
           const char *text,
           gboolean    exact)
{
  KfTableRow *row;

  if (!KF_IS_TABLE_ROW (widget))
    return FALSE;
  row = KF_TABLE_ROW (widget);
  for (guint i = 0; kf_table_row_get_cell_text (row, i) != NULL; i++)
    {
      const char *cell = kf_table_row_get_cell_text (row, i);

      /* A badge is a KfCellText of its own. */
      if (!kf_table_columns_get_shown (kf_table_row_get_columns (row), i) ||
          kf_table_columns_has_badge (kf_table_row_get_columns (row), i))
        continue;
      if (exact ? g_strcmp0 (cell, text) == 0 : text != NULL && strstr (cell, text) != NULL)
        return TRUE;
    }
  return FALSE;
}

static const char *
widget_text (GtkWidget *widget)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, kf_alert_get_widget_type ()))
    return kf_alert_get_heading (widget);
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  if (KF_IS_CELL_TEXT (widget))
    return kf_cell_text_get_text (KF_CELL_TEXT (widget));
  if (GTK_IS_BUTTON (widget))
    return gtk_button_get_label (GTK_BUTTON (widget));
  if (GTK_IS_WINDOW (widget))
    return gtk_window_get_title (GTK_WINDOW (widget));
  if (ADW_IS_STATUS_PAGE (widget))
    return adw_status_page_get_title (ADW_STATUS_PAGE (widget));
  if (ADW_IS_PREFERENCES_ROW (widget))
    return adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  return NULL;
}

GtkWidget *
ui_test_find (GtkWidget  *root,
              GType       type,
              const char *text,
              gboolean    mapped_only)
{
  if (mapped_only && !gtk_widget_get_mapped (root))
    return NULL;

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    {
      const char *t = widget_text (root);

      if (text == NULL || (t != NULL && strstr (t, text) != NULL) || row_shows (root, text, FALSE))
        return root;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find (child, type, text, mapped_only);

      if (found != NULL)
        return found;
    }

  return NULL;
}

guint
ui_test_count_text (GtkWidget  *root,
                    const char *text)
{
  guint count = 0;

  if (!gtk_widget_get_mapped (root))
    return 0;

  if (KF_IS_CELL_TEXT (root) && g_strcmp0 (kf_cell_text_get_text (KF_CELL_TEXT (root)), text) == 0)
    count++;
  if (row_shows (root, text, TRUE))
    count++;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    count += ui_test_count_text (child, text);

  return count;
}

GtkWindow *
ui_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

GtkWidget *
ui_test_find_alert (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      GtkWidget *alert = kf_alert_get_open (window);

      if (alert != NULL)
        return alert;
    }

  return NULL;
}

void
ui_test_screenshot (GtkWidget  *widget,
                    const char *name)
{
  const char *dir = g_getenv ("KF_UI_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GskRenderer *renderer;
  int width = 0, height = 0;   /* set in the loop; gcc -fsanitize cannot tell */

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (widget);
  /* A window that was just presented may not have drawn anything yet. */
  for (guint attempt = 0; node == NULL && attempt < 10; attempt++)
    {
      ui_test_wait_frame (widget);
      width = gtk_widget_get_width (widget);
      height = gtk_widget_get_height (widget);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  if (node == NULL)
    {
      g_test_message ("Screenshot %s: nothing drawn", name);
      return;
    }
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

static void
on_clipboard_text (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
  if (*text == NULL)
    *text = g_strdup ("");
}

static gboolean
have_text (gpointer data)
{
  return *(char **) data != NULL;
}

char *
ui_test_read_clipboard (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, on_clipboard_text, &text);
  ui_test_wait_until (have_text, &text, 10);
  return text;
}

GtkWidget *
ui_test_find_named (GtkWidget  *root,
                    const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ui_test_find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

void
ui_test_click (GtkWidget *button)
{
  g_assert_true (GTK_IS_BUTTON (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

typedef struct {
  GtkWidget  *alert;
  const char *label;
} RespondWait;

static gboolean
response_button_mapped (gpointer data)
{
  RespondWait *wait = data;

  return ui_test_find (wait->alert, GTK_TYPE_BUTTON, wait->label, TRUE) != NULL;
}

void
ui_test_respond (GtkWidget  *alert,
                 const char *label)
{
  RespondWait wait = { alert, label };
  GtkWidget *button;

  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (alert, kf_alert_get_widget_type ()));
  g_assert_true (kf_alert_is_open (alert));
  /* An AdwAlertDialog shows its buttons once its window's frames have
   * started the sheet's opening animation: click what the user can see. */
  ui_test_wait_until (response_button_mapped, &wait, 10);
  button = ui_test_find (alert, GTK_TYPE_BUTTON, label, TRUE);
  g_object_ref (alert);
  ui_test_click (button);
  ui_test_spin (20);
  g_assert_false (kf_alert_is_open (alert));
  g_object_unref (alert);
}

void
ui_test_assert_wrapped_without_hyphens (GtkLabel *label)
{
  PangoLayout *layout = gtk_label_get_layout (label);
  const char *text = pango_layout_get_text (layout);
  PangoLayoutIter *iter;
  glong chars = 0, glyphs = 0;

  g_assert_cmpint (pango_layout_get_line_count (layout), >, 1);
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (*p != '\n')
      chars++;

  iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);
      if (run != NULL)
        glyphs += run->glyphs->num_glyphs;
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);

  g_assert_cmpint (glyphs, ==, chars);
}

static gboolean
hyphens_off_at (const GtkTextIter *iter)
{
  g_autoptr(GSList) tags = gtk_text_iter_get_tags (iter);

  for (GSList *l = tags; l != NULL; l = l->next)
    {
      gboolean set, on;

      g_object_get (l->data, "insert-hyphens-set", &set, "insert-hyphens", &on, NULL);
      if (set && !on)
        return TRUE;
    }
  return FALSE;
}

void
ui_test_assert_text_view_without_hyphens (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter iter;

  g_assert_cmpint (gtk_text_buffer_get_char_count (buffer), >, 0);
  for (gtk_text_buffer_get_start_iter (buffer, &iter); !gtk_text_iter_is_end (&iter); gtk_text_iter_forward_char (&iter))
    g_assert_true (hyphens_off_at (&iter));
}

void
ui_test_assert_focus_in (GtkWindow *window,
                         GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  g_assert_nonnull (widget);
  g_assert_nonnull (focus);
  g_assert_true (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

/* The keyring is shared by the whole test run, other binaries write to it
 * at the same time: only the items of this test's own store count. */
GStrv
ui_test_own_keyring_ids (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (kf_store_get_path (store), NULL, &error);
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    g_strv_builder_add (ids, ((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id);
  return g_strv_builder_end (ids);
}
