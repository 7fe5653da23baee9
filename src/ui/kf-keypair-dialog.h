/* kf-keypair-dialog.h: Add Key Pair: generate a new one or import one.
 *
 * Name (unique), then either Generate (type, comment) or Import (a private
 * key pasted or opened from a file, an optional public key that must match,
 * and a passphrase asked for when the key needs one). Save runs the key work
 * in a worker thread, shows progress with Cancel, and stores the key pair
 * through KfVault (secret first, then the store). Errors are shown next to
 * the field they concern.
 *
 * Signals:
 *   "saved" (KfKeypair *)   the stored key pair, just before the dialog closes
 *   "worker-started" (GObject *worker)
 *                           key generation or import started in a thread that
 *                           cannot be interrupted: @worker is finalized when
 *                           the thread is done, which may be after Cancel and
 *                           after the dialog is gone (weak-ref it; the process
 *                           must not exit before, see KfApplication)
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_TYPE_KEYPAIR_DIALOG (kf_keypair_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KfKeypairDialog, kf_keypair_dialog, KF, KEYPAIR_DIALOG, AdwWindow)

KfKeypairDialog *kf_keypair_dialog_new        (GtkWindow       *parent,
                                               KfVault         *vault);
/* Reads @file into the Import fields, as Open File… does (a public key file
 * goes to the public key field; "<file>.pub" is read beside a private key). */
void             kf_keypair_dialog_load_file  (KfKeypairDialog *self,
                                               GFile           *file);
/* TRUE while a key is being generated, read or saved. */
gboolean         kf_keypair_dialog_get_busy   (KfKeypairDialog *self);

G_END_DECLS
