/* kf-keypair-actions.h: what the main window can do with a key pair.
 *
 * Installs on the window's "win" group (parameter: the key pair id, "s",
 * unless said otherwise):
 *   win.keypair-copy-public-key  copies the public key line
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-window.h"

G_BEGIN_DECLS

void   kf_keypair_actions_install   (KfWindow *window);

G_END_DECLS
