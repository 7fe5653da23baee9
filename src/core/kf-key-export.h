/* kf-key-export.h: writing a key pair to files, on the user's explicit request.
 *
 * The only place a private key leaves the keyring. The private key file is
 * created with mode 0600 from the start (never widened later), written
 * through a temporary file and renamed, and the public key goes beside it as
 * "<file>.pub" (0644).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Writes @private_key (may be NULL for a public-only pair: then only the
 * .pub is written) to @private_path and @public_key to "@private_path.pub".
 * With @overwrite FALSE, an existing file is an error (G_IO_ERROR_EXISTS). */
gboolean kf_key_export_write       (const char          *private_path,
                                    const char          *private_key,
                                    const char          *public_key,
                                    gboolean             overwrite,
                                    GError             **error);
/* The same in a worker thread; the strings are copied (the copy of the
 * private key is wiped afterwards). */
void     kf_key_export_write_async (const char          *private_path,
                                    const char          *private_key,
                                    const char          *public_key,
                                    gboolean             overwrite,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean kf_key_export_write_finish(GAsyncResult        *result,
                                    GError             **error);
/* A file name made from a key pair name: unsafe characters replaced by "_". */
char    *kf_key_export_file_name   (const char          *keypair_name);

G_END_DECLS
