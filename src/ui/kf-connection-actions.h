/* kf-connection-actions.h: what the main window can do with a connection.
 *
 * Installs these actions on the window's "win" group (parameter: the
 * connection id, "s"):
 *   win.connection-copy-command  copies "ssh [-p PORT] USER@HOST"
 *   win.connection-delete        asks, then removes the connection
 *
 * Extension point for the connection dialog and the Test work: add
 *   win.connection-add   (no parameter)  Add button, Ctrl+N, empty state
 *   win.connection-edit  ("s")           row menu "Edit", Enter on a row
 *   win.connection-test  ("s")           row menu "Test"
 * to kf_connection_actions_install() (or install them from your own file and
 * call it from there). The window shows each menu item and enables Add only
 * while the matching action exists and is enabled, so nothing needs changing
 * in kf-window.c.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-window.h"

G_BEGIN_DECLS

void   kf_connection_actions_install   (KfWindow     *window);
/* The command "Copy SSH Command" puts on the clipboard (newly allocated). */
char  *kf_connection_dup_ssh_command   (KfConnection *connection);

G_END_DECLS
