/* kf-keypair-actions.h: what the main window can do with key pairs.
 *
 * Installs on the window's "win" group (parameter: the key pair id, "s",
 * unless said otherwise):
 *   win.keypair-add              (none) opens Add Key Pair
 *   win.keypair-edit             opens the key pair's details
 *   win.keypair-copy-public-key  copies the public key line
 *   win.keypair-download         saves the key pair to files (file chooser)
 *   win.keypair-delete           asks, listing the connections that use it
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-vault.h"
#include "kf-window.h"

G_BEGIN_DECLS

void      kf_keypair_actions_install          (KfWindow             *window);

/* Download: asks where (GtkFileChooserNative, so the portal in a Flatpak),
 * then writes the private key (0600) and "<file>.pub" there, with a toast
 * or an error message over @parent. */
void      kf_keypair_download                 (GtkWindow            *parent,
                                               KfVault              *vault,
                                               KfKeypair            *keypair);
/* The writing half of a download, for a chosen @file: reads the private key
 * from the keyring (none for a public-only pair) and writes both files,
 * replacing existing ones (the chooser asked). Feedback goes to @parent. */
void      kf_keypair_download_to_file_async   (GtkWindow            *parent,
                                               KfVault              *vault,
                                               KfKeypair            *keypair,
                                               GFile                *file,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean  kf_keypair_download_to_file_finish  (GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
