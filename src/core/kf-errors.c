/* kf-errors.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-errors.h"

G_DEFINE_QUARK (kf-store-error-quark, kf_store_error)
G_DEFINE_QUARK (kf-keyring-error-quark, kf_keyring_error)
G_DEFINE_QUARK (kf-key-error-quark, kf_key_error)
G_DEFINE_QUARK (kf-ssh-error-quark, kf_ssh_error)
G_DEFINE_QUARK (kf-truenas-error-quark, kf_truenas_error)
G_DEFINE_QUARK (kf-input-error-quark, kf_input_error)
