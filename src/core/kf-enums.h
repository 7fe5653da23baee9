/* kf-enums.h: small enumerations shared by the core, the GUI and the CLI.
 *
 * Their GTypes are generated (gnome.mkenums_simple, kf-enum-types.h). The
 * nicks are the strings the store file and the CLI use: they are spelled out
 * here, so that renaming a value cannot change them.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum {
  /* TrueNAS only: pairing through the API */
  KF_SETUP_METHOD_SEMI_AUTOMATIC, /*< nick=semi-automatic >*/
  KF_SETUP_METHOD_MANUAL,         /*< nick=manual >*/
} KfSetupMethod;

typedef enum {
  KF_KEY_TYPE_ED25519,    /*< nick=ed25519 >*/
  KF_KEY_TYPE_ECDSA_P256, /*< nick=ecdsa-p256 >*/
  KF_KEY_TYPE_ECDSA_P384, /*< nick=ecdsa-p384 >*/
  KF_KEY_TYPE_ECDSA_P521, /*< nick=ecdsa-p521 >*/
  KF_KEY_TYPE_RSA,        /*< nick=rsa >*/
} KfKeyType;

typedef enum {
  KF_TEST_STATE_UNTESTED, /*< nick=untested >*/
  KF_TEST_STATE_OK,       /*< nick=ok >*/
  KF_TEST_STATE_FAILED,   /*< nick=failed >*/
} KfTestState;

/* Why the last Test failed (NONE when it passed or never ran); it refines
 * KF_TEST_STATE_FAILED and means nothing with another test state. Files
 * written before it existed say nothing: a failure there reads as OTHER. */
typedef enum {
  KF_TEST_FAILURE_NONE,             /*< nick=none >*/
  KF_TEST_FAILURE_UNREACHABLE,      /*< nick=unreachable >*/
  KF_TEST_FAILURE_HOST_KEY_CHANGED, /*< nick=host-key-changed >*/
  KF_TEST_FAILURE_KEY_REFUSED,      /*< nick=key-refused >*/
  KF_TEST_FAILURE_OTHER,            /*< nick=other >*/
} KfTestFailure;

/* What Check All shows for a connection: its test state and failure together
 * (see kf_connection_get_check_state()). */
typedef enum {
  KF_CHECK_STATE_NOT_CHECKED,       /*< nick=not-checked >*/
  KF_CHECK_STATE_OK,                /*< nick=ok >*/
  KF_CHECK_STATE_UNREACHABLE,       /*< nick=unreachable >*/
  KF_CHECK_STATE_HOST_KEY_CHANGED,  /*< nick=host-key-changed >*/
  KF_CHECK_STATE_KEY_REFUSED,       /*< nick=key-refused >*/
  KF_CHECK_STATE_FAILED,            /*< nick=failed >*/
} KfCheckState;

#define KF_N_CHECK_STATES (KF_CHECK_STATE_FAILED + 1)

/* The nicks above, for the store file and the CLI ("semi-automatic", "manual";
 * "ed25519", "ecdsa-p256", "ecdsa-p384", "ecdsa-p521", "rsa"; "untested", "ok",
 * "failed"). The from_string functions take exactly these, and NULL. */
const char  *kf_setup_method_to_string   (KfSetupMethod  method);
gboolean     kf_setup_method_from_string (const char    *str,
                                          KfSetupMethod *out);
const char  *kf_key_type_to_string       (KfKeyType      type);
gboolean     kf_key_type_from_string     (const char    *str,
                                          KfKeyType     *out);
const char  *kf_test_state_to_string     (KfTestState    state);
gboolean     kf_test_state_from_string   (const char    *str,
                                          KfTestState   *out);
/* "not-checked", "ok", "unreachable", "host-key-changed", "key-refused", "failed". */
const char  *kf_check_state_to_string    (KfCheckState   state);
/* "Not Checked", "OK", "Unreachable", "Host Key Changed", "Key Refused", "Failed" (translated). */
const char  *kf_check_state_get_label    (KfCheckState   state);

G_END_DECLS

#include "kf-enum-types.h"
