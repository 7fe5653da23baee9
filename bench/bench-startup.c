/* bench-startup.c: the GUI's start-up and search with 10,000 connections and
 * 10,000 key pairs, beside a bare AdwApplicationWindow in the same binary.
 *
 * Usage (bench/bench-startup.sh runs it under Xvfb and sums up):
 *   bench-startup fill N     writes N key pairs + N connections to the store
 *                            in $XDG_DATA_HOME (one transaction)
 *   bench-startup bare       a bare AdwApplicationWindow
 *   bench-startup app        the real KfApplication on that store, then types
 *                            a search term one key at a time
 * "bare" and "app" print one line of key=value pairs:
 *   first_frame_ms  from main() to the end of the first painted frame
 *   peak_rss_kb     getrusage() maximum resident set size at that moment
 *   startup_begin_ms / activate_begin_ms / activate_end_ms   when GApplication
 *                   startup had run and activate began and ended
 *   startup_cpu_ms  the main thread's CPU time when startup had run, from exec
 *   activate_cpu_ms the main thread's CPU time in activate (building and
 *                   presenting the window): wall time less waiting
 *   main_cpu_ms     the main thread's CPU time at the first frame, from exec
 *   (app) rows_complete_ms  until the frame after the page attached all rows
 *         (the first frame shows one screenful, see kf-list-page.c)
 *   (app) filter_max_ms / filter_median_ms   set the search text until the
 *         filtered model is final (synchronous filter), per keystroke
 *   (app) frame_max_ms  set the search text until the next frame is painted
 *   (app) clear_ms / clear_frame_ms   the same for clearing the search (all
 *         rows back: one screenful first), clear_complete_ms until all
 *         200 row widgets GTK 4.8 keeps are built and painted
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "kf-application.h"
#include "kf-window.h"
#include "store-test-data.h"

static gint64 t_main;
/* Where the time before the first frame goes: GApplication startup (GTK's
 * and libadwaita's init, our actions; the store preload is joined there),
 * activate (building and presenting the window), then the first frame's
 * measure, allocate and snapshot. */
static double startup_begin_ms = -1, activate_begin_ms = -1, activate_end_ms = -1;
static double startup_cpu_ms = -1;

/* The calling thread's CPU time since it started. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
on_startup_begin (GApplication *app)
{
  startup_begin_ms = (g_get_monotonic_time () - t_main) / 1000.0;
  startup_cpu_ms = thread_cpu_ms ();
}

static double activate_cpu_begin_ms, activate_cpu_ms = -1;

static void
on_activate_begin (GApplication *app)
{
  activate_begin_ms = (g_get_monotonic_time () - t_main) / 1000.0;
  activate_cpu_begin_ms = thread_cpu_ms ();
}

/* VmRSS now, from /proc (getrusage gives only the peak). */
static long
rss_now_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "VmRSS:")) == NULL)
    return -1;
  return atol (line + strlen ("VmRSS:"));
}

static long
peak_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
}

static int
cmp_double (gconstpointer a,
            gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Runs the main context until @widget's toplevel paints a frame. */
static void
on_after_paint (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static void
wait_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);

  gtk_widget_queue_draw (widget);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, id);
}

/* The first frame: timed by a one-shot after-paint handler, so nothing
 * iterates the main loop from inside the window's own set-up. */
static double first_frame_ms = -1, first_frame_cpu_ms = -1;
static long first_frame_rss_kb, first_frame_rss_now_kb;

static void
on_first_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  first_frame_ms = ms_since (t_main);
  first_frame_cpu_ms = thread_cpu_ms ();
  first_frame_rss_kb = peak_rss_kb ();
  first_frame_rss_now_kb = rss_now_kb ();
  g_signal_handlers_disconnect_by_func (clock, on_first_paint, user_data);
}

static void
watch_first_frame (GtkWindow *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (on_first_paint), NULL);
}

static void
report_first_frame (void)
{
  while (first_frame_ms < 0)
    g_main_context_iteration (NULL, TRUE);
  g_print ("first_frame_ms=%.1f peak_rss_kb=%ld rss_kb=%ld startup_begin_ms=%.1f activate_begin_ms=%.1f activate_end_ms=%.1f activate_cpu_ms=%.2f main_cpu_ms=%.1f startup_cpu_ms=%.1f",
           first_frame_ms, first_frame_rss_kb, first_frame_rss_now_kb, startup_begin_ms, activate_begin_ms, activate_end_ms, activate_cpu_ms, first_frame_cpu_ms, startup_cpu_ms);
}

/* A page shows one more screenful of rows per frame when its list grows
 * (see kf-list-page.c): waits until every row is attached and painted. */
static void
wait_rows_complete (KfWindow *window)
{
  KfListPage *page = kf_window_get_connections_page (window);
  GtkWidget *view = GTK_WIDGET (page);
  GtkListView *list_view = NULL;

  /* The page's only list view, depth first. */
  for (GtkWidget *w = gtk_widget_get_first_child (view); w != NULL && list_view == NULL;)
    {
      if (GTK_IS_LIST_VIEW (w))
        list_view = GTK_LIST_VIEW (w);
      else if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL && w != view)
            w = gtk_widget_get_parent (w);
          w = (w == NULL || w == view) ? NULL : gtk_widget_get_next_sibling (w);
        }
    }
  g_assert_nonnull (list_view);

  while (g_list_model_get_n_items (G_LIST_MODEL (gtk_list_view_get_model (list_view))) <
         g_list_model_get_n_items (kf_list_page_get_shown (page)))
    g_main_context_iteration (NULL, TRUE);
  wait_frame (GTK_WIDGET (window));
}

static void
bench_filter (KfWindow *window)
{
  KfListPage *page = kf_window_get_connections_page (window);
  GListModel *all = kf_list_page_get_model (page);
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(KfConnection) target = g_list_model_get_item (all, g_list_model_get_n_items (all) / 2);
  const char *term = kf_connection_get_host (target);
  double frame_max = 0, clear_ms = 0, clear_frame_ms = 0, clear_complete_ms = 0;
  guint n_final = 0;

  /* Type the host of one connection key by key, then clear the search. */
  for (gsize len = 1; len <= strlen (term) + 1; len++)
    {
      gboolean clearing = len > strlen (term);
      g_autofree char *text = clearing ? g_strdup ("") : g_strndup (term, len);
      gint64 t = g_get_monotonic_time ();
      double ms;

      kf_list_page_set_search_text (page, text);
      ms = ms_since (t);
      if (clearing)
        clear_ms = ms;
      else
        g_array_append_val (filter_ms, ms);
      wait_frame (GTK_WIDGET (window));
      if (g_getenv ("KF_BENCH_VERBOSE") != NULL)
        g_printerr ("'%s': %u rows, filtered in %.2f ms, painted at %.1f ms\n", text,
                    g_list_model_get_n_items (kf_list_page_get_shown (page)), ms, ms_since (t));
      if (clearing)
        {
          clear_frame_ms = ms_since (t);
          wait_rows_complete (window);
          clear_complete_ms = ms_since (t);
        }
      else
        frame_max = MAX (frame_max, ms_since (t));
      if (len == strlen (term))
        n_final = g_list_model_get_n_items (kf_list_page_get_shown (page));
    }

  g_assert_cmpuint (n_final, >=, 1);
  g_array_sort (filter_ms, cmp_double);
  g_print (" rows=%u term=%s matches=%u filter_max_ms=%.2f filter_median_ms=%.2f frame_max_ms=%.1f"
           " clear_ms=%.2f clear_frame_ms=%.1f clear_complete_ms=%.1f peak_rss_end_kb=%ld",
           g_list_model_get_n_items (all), term, n_final,
           g_array_index (filter_ms, double, filter_ms->len - 1),
           g_array_index (filter_ms, double, filter_ms->len / 2),
           frame_max, clear_ms, clear_frame_ms, clear_complete_ms, peak_rss_kb ());
}

static gboolean
finish (gpointer user_data)
{
  GtkApplication *app = user_data;
  GtkWindow *window = gtk_application_get_active_window (app);

  report_first_frame ();
  /* KF_BENCH_FIRST_FRAME_ONLY=1: exit at the first frame, with no
   * teardown, for counting what start-up costs (valgrind --tool=callgrind
   * counts instructions, which a busy machine does not change). */
  if (g_getenv ("KF_BENCH_FIRST_FRAME_ONLY") != NULL)
    {
      g_print ("\n");
      fflush (stdout);
      _exit (0);
    }
  if (KF_IS_WINDOW (window))
    {
      wait_rows_complete (KF_WINDOW (window));
      g_print (" rows_complete_ms=%.1f", ms_since (t_main));
      bench_filter (KF_WINDOW (window));
    }
  g_print ("\n");
  g_application_quit (G_APPLICATION (app));
  return G_SOURCE_REMOVE;
}

/* At the end of activate, bare or app: the window is presented. */
static void
on_activate_end (void)
{
  activate_end_ms = ms_since (t_main);
  activate_cpu_ms = thread_cpu_ms () - activate_cpu_begin_ms;
}

static void
on_bare_activate (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), gtk_label_new ("Bare"));
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  on_activate_end ();
  watch_first_frame (GTK_WINDOW (window));
  g_idle_add (finish, app);
}

/* Runs after KfApplication's own activate, which presented the window. */
static void
on_app_activate_after (GtkApplication *app)
{
  on_activate_end ();
  watch_first_frame (gtk_application_get_active_window (app));
  g_idle_add (finish, app);
}

int
main (int    argc,
      char **argv)
{
  const char *mode = argc > 1 ? argv[1] : "";

  t_main = g_get_monotonic_time ();

  if (g_str_equal (mode, "fill"))
    {
      guint n = argc > 2 ? (guint) atoi (argv[2]) : 10000;
      g_autoptr(KfStore) store = kf_store_new (NULL);
      g_autoptr(GPtrArray) keypairs = NULL;
      g_autoptr(GPtrArray) connections = NULL;
      g_autoptr(GError) error = NULL;

      store_test_generate (n, 42, FALSE, &keypairs, &connections);
      if (!kf_store_load (store, &error) || !kf_store_add_all (store, keypairs, connections, &error))
        g_error ("%s", error->message);
      g_print ("filled %s with %u key pairs and %u connections\n", kf_store_get_path (store), n, n);
      return 0;
    }

  if (g_str_equal (mode, "bare"))
    {
      g_autoptr(AdwApplication) app = adw_application_new ("io.github.keyferry.Bench", G_APPLICATION_NON_UNIQUE);

      g_signal_connect (app, "startup", G_CALLBACK (on_startup_begin), NULL);
      g_signal_connect (app, "activate", G_CALLBACK (on_activate_begin), NULL);
      g_signal_connect (app, "activate", G_CALLBACK (on_bare_activate), NULL);
      return g_application_run (G_APPLICATION (app), 1, argv);
    }

  if (g_str_equal (mode, "app"))
    {
      g_autoptr(KfApplication) app = kf_application_new ();

      g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
      g_signal_connect (app, "startup", G_CALLBACK (on_startup_begin), NULL);
      g_signal_connect (app, "activate", G_CALLBACK (on_activate_begin), NULL);
      g_signal_connect_after (app, "activate", G_CALLBACK (on_app_activate_after), NULL);
      return g_application_run (G_APPLICATION (app), 1, argv);
    }

  g_printerr ("Usage: %s fill N | bare | app\n", argv[0]);
  return 2;
}
