/* kf-keypair-details.h: one key pair: its facts, public key, private key
 * (read from the keyring only when the user shows it), rename, download.
 *
 * Signals:
 *   "renamed" ()   the key pair's name was saved (other lists show it)
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_TYPE_KEYPAIR_DETAILS (kf_keypair_details_get_type ())

G_DECLARE_FINAL_TYPE (KfKeypairDetails, kf_keypair_details, KF, KEYPAIR_DETAILS, AdwWindow)

KfKeypairDetails *kf_keypair_details_new          (GtkWindow        *parent,
                                                   KfVault          *vault,
                                                   KfKeypair        *keypair);
KfKeypair        *kf_keypair_details_get_keypair  (KfKeypairDetails *self);
/* TRUE once the private key has been read and is shown. */
gboolean          kf_keypair_details_get_revealed (KfKeypairDetails *self);

G_END_DECLS
