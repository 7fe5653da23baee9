/* ui-test-util.h: what the GUI tests share: the real application under Xvfb,
 * waiting for frames, finding widgets, screenshots.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-alert.h"
#include "kf-application.h"
#include "kf-window.h"

G_BEGIN_DECLS

/* kf_test_init() plus the GSettings memory backend. */
void          ui_test_init            (int          *argc,
                                       char       ***argv);
/* Adds a test that runs in a fresh child process: its own application,
 * XDG dirs, store and keyring call counter (GApplication stays exported on
 * the bus until the process ends, so one process cannot start two). */
void          ui_test_add             (const char  *path,
                                       GTestFunc    func);
/* A registered, activated KfApplication (non-unique, so test binaries running
 * side by side do not activate each other) and its window, drawn once. */
KfApplication *ui_test_start_app      (KfWindow    **window);
/* Activates @app again (a new window if none is open) and waits for a frame. */
KfWindow     *ui_test_activate        (KfApplication *app);
/* Destroys every window of @app and drops it. */
void          ui_test_stop_app        (KfApplication *app);
/* Runs the main loop until @widget's toplevel has painted one more frame. */
void          ui_test_wait_frame      (GtkWidget   *widget);
/* Runs the main loop for @ms milliseconds. */
void          ui_test_spin            (guint        ms);
/* Waits until @check (@data) holds, failing after @timeout_s with the name
 * of @check (ui_test_wait_until names it itself). */
void          ui_test_wait_until_named (gboolean   (*check) (gpointer data),
                                        gpointer     data,
                                        guint        timeout_s,
                                        const char  *what);
#define ui_test_wait_until(check, data, timeout_s) \
  ui_test_wait_until_named ((check), (data), (timeout_s), #check)
/* The first descendant (depth first, @root included) of @type whose
 * visible text contains @text (labels, inscriptions, buttons, window titles,
 * status pages, rows); @text NULL: the first of @type. Mapped widgets only
 * when @mapped_only. */
GtkWidget    *ui_test_find            (GtkWidget   *root,
                                       GType        type,
                                       const char  *text,
                                       gboolean     mapped_only);
/* The first descendant of @root whose widget name (gtk_widget_set_name, the
 * "name" property in .ui files) is @name. */
GtkWidget    *ui_test_find_named      (GtkWidget   *root,
                                       const char  *name);
/* Clicks @button as a user would (it must be sensitive). */
void          ui_test_click           (GtkWidget   *button);
/* Clicks the response button of an alert (kf-alert.h) whose label contains
 * @label (as the user would: the alert answers and closes). */
void          ui_test_respond         (GtkWidget   *alert,
                                       const char  *label);
/* How many mapped GtkInscriptions below @root show exactly @text. */
guint         ui_test_count_text      (GtkWidget   *root,
                                       const char  *text);
/* The toplevel of @type (e.g. KF_TYPE_KEYPAIR_DETAILS) that is visible, or NULL. */
GtkWindow    *ui_test_find_toplevel   (GType        type);
/* The open alert (kf-alert.h) over any window, or NULL: an AdwAlertDialog
 * inside a window or an AdwMessageDialog window, whichever the build uses. */
GtkWidget    *ui_test_find_alert      (void);
/* Saves @widget as PNG in $KF_UI_SCREENSHOT_DIR/@name.png when that is set. */
void          ui_test_screenshot      (GtkWidget   *widget,
                                       const char  *name);
/* The clipboard's text (waits for it). */
char         *ui_test_read_clipboard  (GtkWidget   *widget);

/* Asserts that @label's text is laid out on more than one line (so the
 * check below means something) and that Pango drew exactly one glyph per
 * character: a hyphen inserted at a line break is a glyph with no character
 * behind it. For text of single-glyph characters (keys are ASCII). */
void          ui_test_assert_wrapped_without_hyphens (GtkLabel *label);

/* Asserts that every character of @view's (non-empty) text carries a tag
 * that turns inserted hyphens off: a text view's layout is not public, so
 * this checks what GTK lays the text out with. */
void          ui_test_assert_text_view_without_hyphens (GtkTextView *view);

/* Asserts that @window's keyboard focus is @widget or inside it. */
void          ui_test_assert_focus_in (GtkWindow   *window,
                                       GtkWidget   *widget);

/* Keyferry keyring item ids of this test binary's own store. */
GStrv         ui_test_own_keyring_ids (void);

G_END_DECLS
