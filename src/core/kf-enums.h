/* kf-enums.h: small enumerations shared by the core, the GUI and the CLI.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  KF_SETUP_METHOD_SEMI_AUTOMATIC, /* TrueNAS only: pairing through the API */
  KF_SETUP_METHOD_MANUAL,
} KfSetupMethod;

typedef enum {
  KF_KEY_TYPE_ED25519,
  KF_KEY_TYPE_ECDSA_P256,
  KF_KEY_TYPE_ECDSA_P384,
  KF_KEY_TYPE_ECDSA_P521,
  KF_KEY_TYPE_RSA,
} KfKeyType;

typedef enum {
  KF_TEST_STATE_UNTESTED,
  KF_TEST_STATE_OK,
  KF_TEST_STATE_FAILED,
} KfTestState;

#define KF_TYPE_SETUP_METHOD (kf_setup_method_get_type ())
#define KF_TYPE_KEY_TYPE     (kf_key_type_get_type ())
#define KF_TYPE_TEST_STATE   (kf_test_state_get_type ())

GType        kf_setup_method_get_type    (void);
GType        kf_key_type_get_type        (void);
GType        kf_test_state_get_type      (void);

/* Stable strings used in the store file and the CLI ("semi-automatic", "manual"). */
const char  *kf_setup_method_to_string   (KfSetupMethod method);
gboolean     kf_setup_method_from_string (const char   *str,
                                          KfSetupMethod *out);
/* Stable CLI names: "ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa". */
const char  *kf_key_type_to_string       (KfKeyType     type);
gboolean     kf_key_type_from_string     (const char   *str,
                                          KfKeyType    *out);
const char  *kf_test_state_to_string     (KfTestState   state);
gboolean     kf_test_state_from_string   (const char   *str,
                                          KfTestState  *out);

G_END_DECLS
