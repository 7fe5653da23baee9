/* kf-alert.c
 *
 * The only file that uses libadwaita newer than 1.2. meson.build pins
 * ADW_VERSION_MAX_ALLOWED to 1.2 so the rest of the GUI stays 1.2 code; here
 * the ceiling is 1.5 when the headers are that new (AdwAlertDialog, AdwDialog
 * and the windows' visible-dialog getters are 1.5 API). The macro is only
 * expanded where adw-version.h compares it, after it has defined
 * ADW_CHECK_VERSION.
 *
 * AdwMessageDialog (deprecated since 1.6) is what libadwaita 1.2-1.4 have;
 * on 1.7 its heading label also gets measured narrower than it needs when the
 * parent window is narrow ("Trying to measure GtkLabel … for width of 100").
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-alert"

#undef ADW_VERSION_MAX_ALLOWED
#define ADW_VERSION_MAX_ALLOWED \
  (ADW_CHECK_VERSION (1, 5, 0) ? ADW_ENCODE_VERSION (1, 5, 0) : ADW_ENCODE_VERSION (1, 2, 0))

#include <adwaita.h>

#include "kf-alert.h"
#include "kf-ui-a11y.h"

#if ADW_CHECK_VERSION (1, 5, 0)
# define KF_ALERT_IS_DIALOG 1
# define ALERT(w) ADW_ALERT_DIALOG (w)
/* The same call on either type: both have it under one name. */
# define ALERT_FN(name) adw_alert_dialog_##name
#else
# define KF_ALERT_IS_DIALOG 0
# define ALERT(w) ADW_MESSAGE_DIALOG (w)
# define ALERT_FN(name) adw_message_dialog_##name
#endif

#define IS_ALERT(w) G_TYPE_CHECK_INSTANCE_TYPE ((w), kf_alert_get_widget_type ())

GType
kf_alert_get_widget_type (void)
{
#if KF_ALERT_IS_DIALOG
  return ADW_TYPE_ALERT_DIALOG;
#else
  return ADW_TYPE_MESSAGE_DIALOG;
#endif
}

#if KF_ALERT_IS_DIALOG
/* An AdwDialog stays a mapped child of its window while it animates out:
 * remember whether it was presented and whether it closed since. */
#define OPEN_KEY "kf-alert-open"

static void
on_closed (GtkWidget *alert)
{
  g_object_set_data (G_OBJECT (alert), OPEN_KEY, NULL);
}

/* libadwaita before 1.8 measures the one-line large heading ("title-2")
 * for the height it needs at the width offered to the alert, even when that
 * is narrower than the heading: a window's minimum size is computed at its
 * width-request, and the alert it shows is measured at that width too, so
 * any heading longer than about 320 px (a long English one, or a
 * translation) makes GTK warn "Trying to measure GtkLabel … for width of …"
 * (libadwaita#1025, fixed in 1.8.0). The alert only ever shows that label
 * when it fits on one line (it uses the wrapping small heading otherwise),
 * so letting it wrap changes nothing on screen and makes every measurement
 * valid. */
static gboolean
fix_heading_measure (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, "title-2")
      && !gtk_label_get_wrap (GTK_LABEL (widget)))
    {
      gtk_label_set_wrap (GTK_LABEL (widget), TRUE);
      return TRUE;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (fix_heading_measure (child))
      return TRUE;

  return FALSE;
}
#endif

GtkWidget *
kf_alert_new (const char *heading,
              const char *body)
{
#if KF_ALERT_IS_DIALOG
  GtkWidget *alert = GTK_WIDGET (adw_alert_dialog_new (heading, body));

  g_signal_connect (alert, "closed", G_CALLBACK (on_closed), NULL);
  if (adw_get_major_version () == 1 && adw_get_minor_version () < 8
      && !fix_heading_measure (adw_dialog_get_child (ADW_DIALOG (alert))))
    g_warn_if_reached ();
  return alert;
#else
  /* The transient parent comes with kf_alert_present(). */
  return adw_message_dialog_new (NULL, heading, body);
#endif
}

const char *
kf_alert_get_heading (GtkWidget *alert)
{
  g_return_val_if_fail (IS_ALERT (alert), NULL);
  return ALERT_FN (get_heading) (ALERT (alert));
}

void
kf_alert_set_heading (GtkWidget  *alert,
                      const char *heading)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_heading) (ALERT (alert), heading);
}

const char *
kf_alert_get_body (GtkWidget *alert)
{
  g_return_val_if_fail (IS_ALERT (alert), NULL);
  return ALERT_FN (get_body) (ALERT (alert));
}

void
kf_alert_set_body (GtkWidget  *alert,
                   const char *body)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_body) (ALERT (alert), body);
}

void
kf_alert_format_body (GtkWidget  *alert,
                      const char *format,
                      ...)
{
  g_autofree char *body = NULL;
  va_list args;

  g_return_if_fail (IS_ALERT (alert));

  va_start (args, format);
  body = g_strdup_vprintf (format, args);
  va_end (args);
  kf_alert_set_body (alert, body);
}

void
kf_alert_set_extra_child (GtkWidget *alert,
                          GtkWidget *child)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_extra_child) (ALERT (alert), child);
}

void
kf_alert_add_response (GtkWidget  *alert,
                       const char *id,
                       const char *label)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (add_response) (ALERT (alert), id, label);
}

void
kf_alert_add_responses (GtkWidget  *alert,
                        const char *first_id,
                        ...)
{
  va_list args;

  g_return_if_fail (IS_ALERT (alert));

  va_start (args, first_id);
  for (const char *id = first_id; id != NULL; id = va_arg (args, const char *))
    kf_alert_add_response (alert, id, va_arg (args, const char *));
  va_end (args);
}

void
kf_alert_set_response_label (GtkWidget  *alert,
                             const char *id,
                             const char *label)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_response_label) (ALERT (alert), id, label);
}

void
kf_alert_set_response_appearance (GtkWidget             *alert,
                                  const char            *id,
                                  AdwResponseAppearance  appearance)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_response_appearance) (ALERT (alert), id, appearance);
}

AdwResponseAppearance
kf_alert_get_response_appearance (GtkWidget  *alert,
                                  const char *id)
{
  g_return_val_if_fail (IS_ALERT (alert), ADW_RESPONSE_DEFAULT);
  return ALERT_FN (get_response_appearance) (ALERT (alert), id);
}

void
kf_alert_set_default_response (GtkWidget  *alert,
                               const char *id)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_default_response) (ALERT (alert), id);
}

void
kf_alert_set_close_response (GtkWidget  *alert,
                             const char *id)
{
  g_return_if_fail (IS_ALERT (alert));
  ALERT_FN (set_close_response) (ALERT (alert), id);
}

void
kf_alert_set_focus (GtkWidget *alert,
                    GtkWidget *focus)
{
  g_return_if_fail (IS_ALERT (alert));
#if KF_ALERT_IS_DIALOG
  adw_dialog_set_focus (ADW_DIALOG (alert), focus);
#else
  gtk_window_set_focus (GTK_WINDOW (alert), focus);
#endif
}

gulong
kf_alert_connect_response (GtkWidget      *alert,
                           const char     *response,
                           GCallback       callback,
                           gpointer        data,
                           GDestroyNotify  destroy,
                           gpointer        owner)
{
  g_autofree char *signal = NULL;
  GClosure *closure;

  g_return_val_if_fail (IS_ALERT (alert), 0);
  g_return_val_if_fail (response != NULL, 0);
  g_return_val_if_fail (owner == NULL || G_IS_OBJECT (owner), 0);

  signal = g_strconcat ("response::", response, NULL);
  closure = g_cclosure_new (callback, data, (GClosureNotify) (void (*) (void)) destroy);
  if (owner != NULL)
    g_object_watch_closure (owner, closure);
  return g_signal_connect_closure (alert, signal, closure, FALSE);
}

void
kf_alert_present (GtkWidget *alert,
                  GtkWidget *parent)
{
  g_return_if_fail (IS_ALERT (alert));
  g_return_if_fail (GTK_IS_WIDGET (parent));
  /* Its response buttons are named by their labels, not "_Cancel Cancel". */
  kf_ui_name_icon_controls (alert);
#if KF_ALERT_IS_DIALOG
  g_object_set_data (G_OBJECT (alert), OPEN_KEY, GINT_TO_POINTER (TRUE));
  adw_dialog_present (ADW_DIALOG (alert), parent);
#else
  gtk_window_set_transient_for (GTK_WINDOW (alert), GTK_WINDOW (gtk_widget_get_root (parent)));
  gtk_window_present (GTK_WINDOW (alert));
#endif
}

void
kf_alert_close (GtkWidget *alert)
{
  g_return_if_fail (IS_ALERT (alert));
#if KF_ALERT_IS_DIALOG
  adw_dialog_close (ADW_DIALOG (alert));
#else
  gtk_window_close (GTK_WINDOW (alert));
#endif
}

gboolean
kf_alert_is_open (GtkWidget *alert)
{
  g_return_val_if_fail (IS_ALERT (alert), FALSE);
#if KF_ALERT_IS_DIALOG
  return g_object_get_data (G_OBJECT (alert), OPEN_KEY) != NULL;
#else
  return gtk_widget_get_visible (alert);
#endif
}

GtkWidget *
kf_alert_get_open (GtkWindow *window)
{
#if KF_ALERT_IS_DIALOG
  AdwDialog *dialog = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  if (ADW_IS_APPLICATION_WINDOW (window))
    dialog = adw_application_window_get_visible_dialog (ADW_APPLICATION_WINDOW (window));
  else if (ADW_IS_WINDOW (window))
    dialog = adw_window_get_visible_dialog (ADW_WINDOW (window));
  return IS_ALERT (dialog) && kf_alert_is_open (GTK_WIDGET (dialog)) ? GTK_WIDGET (dialog) : NULL;
#else
  GListModel *toplevels = gtk_window_get_toplevels ();
  GtkWidget *found = NULL;

  g_return_val_if_fail (GTK_IS_WINDOW (window), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) toplevel = g_list_model_get_item (toplevels, i);

      if (IS_ALERT (toplevel) && gtk_window_get_transient_for (toplevel) == window
          && kf_alert_is_open (GTK_WIDGET (toplevel)))
        found = GTK_WIDGET (toplevel);
    }
  return found;
#endif
}
