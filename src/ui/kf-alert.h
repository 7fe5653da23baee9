/* kf-alert.h: the GUI's alerts (a heading, a body, an optional extra child
 * and response buttons), and the one place that knows which libadwaita
 * widget draws them: AdwAlertDialog (libadwaita >= 1.5, an AdwDialog shown
 * inside its parent's window) where the library has it, AdwMessageDialog (a
 * window of its own, deprecated since 1.6) on older ones.
 *
 * An alert is a GtkWidget of kf_alert_get_widget_type(). Both kinds emit
 * "response" (GtkWidget *alert, const char *response, gpointer user_data)
 * and close after it; Escape answers the close response.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* ADW_TYPE_ALERT_DIALOG or ADW_TYPE_MESSAGE_DIALOG, whichever this build uses. */
GType                  kf_alert_get_widget_type         (void);
/* A new alert; @body may be NULL. Configure it, then kf_alert_present(). */
GtkWidget             *kf_alert_new                     (const char            *heading,
                                                         const char            *body);
const char            *kf_alert_get_heading             (GtkWidget             *alert);
void                   kf_alert_set_heading             (GtkWidget             *alert,
                                                         const char            *heading);
const char            *kf_alert_get_body                (GtkWidget             *alert);
void                   kf_alert_set_body                (GtkWidget             *alert,
                                                         const char            *body);
void                   kf_alert_format_body             (GtkWidget             *alert,
                                                         const char            *format,
                                                         ...) G_GNUC_PRINTF (2, 3);
/* The widget below the body (NULL removes it). */
void                   kf_alert_set_extra_child         (GtkWidget             *alert,
                                                         GtkWidget             *child);
void                   kf_alert_add_response            (GtkWidget             *alert,
                                                         const char            *id,
                                                         const char            *label);
/* Pairs of id and label, NULL-terminated. */
void                   kf_alert_add_responses           (GtkWidget             *alert,
                                                         const char            *first_id,
                                                         ...) G_GNUC_NULL_TERMINATED;
void                   kf_alert_set_response_label      (GtkWidget             *alert,
                                                         const char            *id,
                                                         const char            *label);
void                   kf_alert_set_response_appearance (GtkWidget             *alert,
                                                         const char            *id,
                                                         AdwResponseAppearance  appearance);
AdwResponseAppearance  kf_alert_get_response_appearance (GtkWidget             *alert,
                                                         const char            *id);
/* The response Enter gives. */
void                   kf_alert_set_default_response    (GtkWidget             *alert,
                                                         const char            *id);
/* The response Escape (and closing otherwise) gives. */
void                   kf_alert_set_close_response      (GtkWidget             *alert,
                                                         const char            *id);
/* Moves the keyboard focus inside @alert to @focus (NULL: nowhere). */
void                   kf_alert_set_focus               (GtkWidget             *alert,
                                                         GtkWidget             *focus);
/* Calls @callback (alert, response, @data) when @response is chosen (a
 * detailed "response::@response"). @destroy frees @data with the handler.
 * As with g_signal_connect_object(), no call comes once @owner (if not NULL)
 * is finalized: @data may point to it unowned. */
gulong                 kf_alert_connect_response        (GtkWidget             *alert,
                                                         const char            *response,
                                                         GCallback              callback,
                                                         gpointer               data,
                                                         GDestroyNotify         destroy,
                                                         gpointer               owner);
/* Shows @alert modal over @parent's window. */
void                   kf_alert_present                 (GtkWidget             *alert,
                                                         GtkWidget             *parent);
/* Closes @alert as Escape would (with its close response). */
void                   kf_alert_close                   (GtkWidget             *alert);
/* Presented and neither answered nor closed yet. */
gboolean               kf_alert_is_open                 (GtkWidget             *alert);
/* The open alert presented over @window last, or NULL. */
GtkWidget             *kf_alert_get_open                (GtkWindow             *window);

G_END_DECLS
