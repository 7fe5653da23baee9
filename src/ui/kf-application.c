/* kf-application.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-application"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "kf-application.h"
#include "kf-errors.h"
#include "kf-ui-util.h"
#include "kf-window.h"

struct _KfApplication
{
  AdwApplication  parent_instance;

  KfStore        *store;
  /* A load failure, kept until a window can show it. */
  GError         *load_error;
  guint           workers;
  /* Reads the store while GTK starts up (see kf_application_init). */
  GThread        *preload;
};

G_DEFINE_FINAL_TYPE (KfApplication, kf_application, ADW_TYPE_APPLICATION)

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Close rather than destroy, so windows save their size. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;

      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (app);
}

/* Installed, the icon is in the hicolor theme. Run from a build tree, it is
 * only in our resources: adding that path then makes GTK read the icon theme
 * once more, here rather than at every start-up (see kf_application_new). */
static void
ensure_app_icon (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gdk_display_get_default ());

  if (!gtk_icon_theme_has_icon (theme, KF_APP_ID))
    gtk_icon_theme_add_resource_path (theme, "/io/github/keyferry/Keyferry/icons");
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The Keyferry authors", NULL };
  GtkWidget *about;

  ensure_app_icon ();
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("Keyferry"),
                        "application-icon", KF_APP_ID,
                        "developer-name", _("The Keyferry authors"),
                        "version", KF_VERSION,
                        "website", "https://github.com/keyferry/keyferry",
                        "issue-url", "https://github.com/keyferry/keyferry/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Keyferry authors",
                        "developers", developers,
                        /* Translators: your names, one per line. */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static gboolean
name_controls_once (gpointer widget)
{
  kf_ui_name_icon_controls (widget);
  return G_SOURCE_REMOVE;
}

static void
shortcuts_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *window;

  builder = gtk_builder_new_from_resource ("/io/github/keyferry/Keyferry/kf-shortcuts-window.ui");
  window = GTK_WINDOW (gtk_builder_get_object (builder, "shortcuts_window"));
  gtk_window_set_transient_for (window, gtk_application_get_active_window (app));
  gtk_window_set_application (window, app);
  /* Its search entry, title bar buttons and section menu are GTK's own;
   * GTK 4.8 builds the close buttons of its title bars once shown. */
  gtk_window_present (window);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, name_controls_once, g_object_ref (window), g_object_unref);
}

static const GActionEntry app_entries[] = {
  { "quit", quit_activated },
  { "about", about_activated },
  { "shortcuts", shortcuts_activated },
};

static void
show_store_error (KfWindow     *window,
                  const GError *error)
{
  const char *heading;

  if (g_error_matches (error, KF_STORE_ERROR, KF_STORE_ERROR_IO))
    heading = _("Saved Connections Could Not Be Opened");
  else
    heading = _("Saved Connections Were Damaged");

  kf_window_show_message (window, heading, error->message);
}

/* Another process wrote a file we cannot read; the store kept it aside. */
static void
on_reload_failed (KfApplication *self,
                  const GError  *error)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (KF_IS_WINDOW (window))
    show_store_error (KF_WINDOW (window), error);
  else if (self->load_error == NULL)
    self->load_error = g_error_copy (error);
}

/* While the store loads beside GTK's start-up, malloc grows the loading
 * thread's heap in 64 MiB steps instead of a few pages at a time: each step
 * is a system call that holds the process's memory map, which GTK, mapping
 * its libraries, fonts and GL driver meanwhile, then waits for. The first
 * frame with 10,000 + 10,000 items came 21 ms sooner in the median of 21
 * paired runs (223 -> 209 ms, bench/bench-startup.c). Address space only:
 * nothing is resident until used. Back to glibc's default once loaded, so
 * that freed memory is given back as before. */
static void
set_heap_growth (gboolean loading)
{
#ifdef __GLIBC__
  mallopt (M_TOP_PAD, loading ? 64 * 1024 * 1024 : 128 * 1024);
#endif
}

/* Our own style sheet, which AdwApplication would load from a resource base
 * path (see kf_application_new). */
static void
load_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/io/github/keyferry/Keyferry/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* GTK reads the icon theme in a worker thread from the theme's creation, in
 * libadwaita's start-up. Yet with GTK 4.24 (forky) the window's first icon
 * reads it all again on the main thread (why, not found): 2.9 ms more CPU to
 * build the window (16.9 against 14.0 ms, medians of 30 paired runs of
 * bench/bench-startup's activate_cpu_ms). A notification of the icon theme
 * setting, whose value is unchanged, has GTK queue that reading in its worker
 * (theme_changed__mainthread_unlocked in gtkicontheme.c), beside the store
 * preload's join and the window's construction. With GTK 4.8 (Debian 12) it
 * makes no measurable difference. */
static void
reload_icon_theme_in_thread (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  if (display != NULL)
    g_object_notify (G_OBJECT (gtk_settings_get_for_display (display)), "gtk-icon-theme-name");
}

static void
kf_application_startup (GApplication *app)
{
  KfApplication *self = KF_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *add_accels[] = { "<Control>n", NULL };
  static const char *search_accels[] = { "<Control>f", NULL };
  static const char *check_all_accels[] = { "F5", NULL };

  G_APPLICATION_CLASS (kf_application_parent_class)->startup (app);
  load_style ();
  reload_icon_theme_in_thread ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.shortcuts", shortcuts_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.add", add_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.search", search_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.check-all", check_all_accels);

  /* Only the JSON file: the keyring is not touched until a private key is needed. */
  g_thread_join (g_steal_pointer (&self->preload));
  set_heap_growth (FALSE);
  if (self->load_error != NULL)
    g_debug ("Could not load the store: %s", self->load_error->message);
  g_signal_connect_object (self->store, "reload-failed", G_CALLBACK (on_reload_failed), self, G_CONNECT_SWAPPED);
  kf_store_watch (self->store);
}

static void
kf_application_activate (GApplication *app)
{
  KfApplication *self = KF_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (kf_window_new (GTK_APPLICATION (app), self->store));

  gtk_window_present (window);
  if (self->load_error != NULL)
    {
      show_store_error (KF_WINDOW (window), self->load_error);
      g_clear_error (&self->load_error);
    }
}

static void
kf_application_shutdown (GApplication *app)
{
  KfApplication *self = KF_APPLICATION (app);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  /* An abandoned RSA-4096 generation can take a few seconds more. */
  while (self->workers > 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  /* Check results still being saved in batches reach the file before we go. */
  if (self->store != NULL)
    kf_store_flush (self->store);

  G_APPLICATION_CLASS (kf_application_parent_class)->shutdown (app);
}

static void
kf_application_finalize (GObject *object)
{
  KfApplication *self = (KfApplication *) object;

  /* Never started up (another instance was running): still wait for it. */
  if (self->preload != NULL)
    g_thread_join (g_steal_pointer (&self->preload));

  g_clear_object (&self->store);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (kf_application_parent_class)->finalize (object);
}

static void
kf_application_class_init (KfApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = kf_application_finalize;
  app_class->startup = kf_application_startup;
  app_class->activate = kf_application_activate;
  app_class->shutdown = kf_application_shutdown;
}

/* Reading 10,000 + 10,000 items takes ~75 ms, about as long as GTK's own
 * start-up (display, theme): the two run side by side. The store is handed
 * to the main thread by g_thread_join() in startup, and only used there. */
static gpointer
preload_store (gpointer data)
{
  KfApplication *self = data;

  self->store = kf_store_new (NULL);
  kf_store_load_yielding (self->store, &self->load_error);
  return NULL;
}

static void
kf_application_init (KfApplication *self)
{
  set_heap_growth (TRUE);
  self->preload = g_thread_new ("kf-store-preload", preload_store, self);
}

KfApplication *
kf_application_new (void)
{
  return g_object_new (KF_TYPE_APPLICATION,
                       "application-id", KF_APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       /* With a base path, GtkApplication adds <path>/icons to the icon
                        * theme in its startup, just after GTK has begun reading the theme
                        * in a worker thread, and libadwaita adds its own path a few
                        * milliseconds later. An addition throws that reading away, and
                        * waits for it if the worker holds the theme's lock: on Debian 12
                        * in 8 of 20 start-ups, 7.7 to 9.0 ms each (uprobes on
                        * gtk_icon_theme_add_resource_path, bench/bench-startup's app).
                        * Without one, libadwaita's is the only addition, and it waited
                        * in none of 20. What the base path would load, we load
                        * ourselves: style.css in startup, the icon for About
                        * (ensure_app_icon). */
                       "resource-base-path", NULL,
                       NULL);
}

KfStore *
kf_application_get_store (KfApplication *self)
{
  g_return_val_if_fail (KF_IS_APPLICATION (self), NULL);

  /* Until startup joins the preload thread, the store is that thread's. */
  return self->preload == NULL ? self->store : NULL;
}

void
kf_application_worker_begin (void)
{
  GApplication *app = g_application_get_default ();

  if (KF_IS_APPLICATION (app))
    KF_APPLICATION (app)->workers++;
}

void
kf_application_worker_end (void)
{
  GApplication *app = g_application_get_default ();

  if (KF_IS_APPLICATION (app))
    {
      g_return_if_fail (KF_APPLICATION (app)->workers > 0);
      KF_APPLICATION (app)->workers--;
    }
}

guint
kf_application_get_workers (KfApplication *self)
{
  g_return_val_if_fail (KF_IS_APPLICATION (self), 0);

  return self->workers;
}
