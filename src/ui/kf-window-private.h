/* kf-window-private.h: what only the window shell (kf-window.c and its
 * *-actions.c files) shares.
 *
 * Each _install() adds its actions to the window's "win" group; a parameter
 * "s" is a connection or key pair id.
 *
 * kf-connection-actions.c:
 *   win.connection-add                   opens the Add SSH Connection dialog
 *   win.connection-edit ("s")            opens it on a stored connection
 *   win.connection-test ("s")            logs in and shows the result
 *   win.connection-copy-command ("s")    copies "ssh [-p PORT] [-i ~/.ssh/KEY] USER@HOST"
 *   win.connection-delete ("s")          asks (offering to delete a key pair
 *                                        nothing else uses), then deletes
 *
 * kf-keypair-actions.c:
 *   win.keypair-add                      opens Add Key Pair
 *   win.keypair-edit ("s")               opens the key pair's details
 *   win.keypair-copy-public-key ("s")    copies the public key line
 *   win.keypair-download ("s")           saves the key pair to files (file chooser)
 *   win.keypair-delete ("s")             asks, listing the connections that use it
 *
 * kf-check-actions.c:
 *   win.check-all                        checks every connection (KfFleetCheck), with
 *                                        progress and Cancel under the header bar, then a
 *                                        summary toast; results land in the store (list badges)
 *
 * kf-agent-actions.c:
 *   win.keypair-agent-add ("s")          asks lifetime and confirmation, loads the key into the SSH agent
 *   win.keypair-agent-remove ("s")       takes it out of the agent
 *   win.ssh-config-export                writes the SSH config folder the user picks
 *
 * kf-rotation-actions.c:
 *   win.keypair-rotate ("s")             opens Rotate Key Pair; on start, asks about an unfinished rotation
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-window.h"

G_BEGIN_DECLS

void   kf_connection_actions_install   (KfWindow     *window);
void   kf_keypair_actions_install      (KfWindow     *window);
void   kf_agent_actions_install        (KfWindow     *window);
void   kf_rotation_actions_install     (KfWindow     *window);
/* Asks about an unfinished rotation, if there is one (done once at start); TRUE when it asked. */
gboolean kf_rotation_actions_check_pending (KfWindow   *window);
void   kf_check_actions_install        (KfWindow     *window);
/* Redraws the shown rows of page @keypairs (else Connections) when their
 * values changed outside the store's notifications; a page not built yet
 * draws fresh when first shown, so it is left unbuilt. */
void   kf_window_refresh_page          (KfWindow     *window,
                                        gboolean      keypairs);
/* The header bar (Check All puts its progress strip right under it). */
GtkWidget *kf_window_get_header_bar    (KfWindow     *window);
/* Whether the SSH agent held @keypair's key when last asked. */
gboolean kf_agent_actions_is_loaded    (KfWindow     *window,
                                        KfKeypair    *keypair);
/* Asks the agent again (tests, and after a change made elsewhere). */
void   kf_agent_actions_refresh        (KfWindow     *window);

G_END_DECLS
