/* kf-connection-actions.h: what the main window can do with a connection.
 *
 * Installs these actions on the window's "win" group:
 *   win.connection-add                   opens the Add SSH Connection dialog
 *   win.connection-edit ("s": id)        opens it on a stored connection
 *   win.connection-test ("s")            logs in and shows the result
 *   win.connection-copy-command ("s")    copies "ssh [-p PORT] [-i ~/.ssh/KEY] USER@HOST"
 *   win.connection-delete ("s")          asks (offering to delete a key pair
 *                                        nothing else uses), then deletes
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-window.h"

G_BEGIN_DECLS

void   kf_connection_actions_install   (KfWindow     *window);

G_END_DECLS
