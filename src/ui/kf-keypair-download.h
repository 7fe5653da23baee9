/* kf-keypair-download.h: saving a key pair to files, for the main window's
 * win.keypair-download and the key pair details' Download button.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-vault.h"

G_BEGIN_DECLS

/* Asks what (the public key alone, or with the private key, which is then
 * written unencrypted: the alert says so) and where (GtkFileChooserNative,
 * so the portal in a Flatpak), then writes "<file>.pub" and, if chosen, the
 * private key (0600) there, with a toast or an error message over @parent. */
void      kf_keypair_download                 (GtkWindow            *parent,
                                               KfVault              *vault,
                                               KfKeypair            *keypair);
/* The writing half of a download, for a chosen @file: with @with_private
 * (ignored for a public-only pair) reads the private key from the keyring
 * and writes both files, else only "<file>.pub"; an existing file is not
 * replaced but reported. Feedback goes to @parent. */
void      kf_keypair_download_to_file_async   (GtkWindow            *parent,
                                               KfVault              *vault,
                                               KfKeypair            *keypair,
                                               GFile                *file,
                                               gboolean              with_private,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean  kf_keypair_download_to_file_finish  (GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
