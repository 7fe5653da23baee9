/* kf-semiauto-field.h: which field of the semi-automatic setup form an
 * error belongs next to.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The form field an error belongs next to. */
typedef enum {
  KF_TRUENAS_FIELD_NONE,
  KF_TRUENAS_FIELD_NAME,
  KF_TRUENAS_FIELD_URL,
  KF_TRUENAS_FIELD_ADMIN_USERNAME,
  KF_TRUENAS_FIELD_ADMIN_PASSWORD,
  KF_TRUENAS_FIELD_OTP,
  KF_TRUENAS_FIELD_USERNAME,
  KF_TRUENAS_FIELD_KEYPAIR,
  KF_TRUENAS_FIELD_CONNECT_TIMEOUT,
} KfTruenasField;

/* Which field of the semi-automatic form @error concerns (NONE: show it for
 * the whole form). Knows KF_TRUENAS_ERROR, KF_INPUT_ERROR and KF_KEY_ERROR. */
KfTruenasField kf_truenas_error_get_field (const GError *error);

G_END_DECLS
