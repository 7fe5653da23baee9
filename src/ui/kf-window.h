/* kf-window.h: the main window: SSH Connections and SSH Keypairs.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-list-page.h"
#include "kf-store.h"
#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_TYPE_WINDOW (kf_window_get_type ())

G_DECLARE_FINAL_TYPE (KfWindow, kf_window, KF, WINDOW, AdwApplicationWindow)

KfWindow   *kf_window_new                  (GtkApplication *application,
                                            KfStore        *store);
KfStore    *kf_window_get_store            (KfWindow       *self);
/* The store plus keyring operations (one KfVault per window). */
KfVault    *kf_window_get_vault            (KfWindow       *self);
/* Short feedback at the bottom of the window ("Public key copied"). */
void        kf_window_add_toast            (KfWindow       *self,
                                            const char     *title);
/* A modal alert (kf-alert.h) with an OK button, for what the user must not miss. */
GtkWidget  *kf_window_show_message         (KfWindow       *self,
                                            const char     *heading,
                                            const char     *body);
/* "connections" or "keypairs". */
const char *kf_window_get_visible_page     (KfWindow       *self);
void        kf_window_set_visible_page     (KfWindow       *self,
                                            const char     *name);
KfListPage *kf_window_get_connections_page (KfWindow       *self);
KfListPage *kf_window_get_keypairs_page    (KfWindow       *self);

G_END_DECLS
