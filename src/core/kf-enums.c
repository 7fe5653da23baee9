/* kf-enums.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-enums.h"

static const GEnumValue setup_method_values[] = {
  { KF_SETUP_METHOD_SEMI_AUTOMATIC, "KF_SETUP_METHOD_SEMI_AUTOMATIC", "semi-automatic" },
  { KF_SETUP_METHOD_MANUAL, "KF_SETUP_METHOD_MANUAL", "manual" },
  { 0, NULL, NULL }
};

static const GEnumValue key_type_values[] = {
  { KF_KEY_TYPE_ED25519, "KF_KEY_TYPE_ED25519", "ed25519" },
  { KF_KEY_TYPE_ECDSA_P256, "KF_KEY_TYPE_ECDSA_P256", "ecdsa-p256" },
  { KF_KEY_TYPE_ECDSA_P384, "KF_KEY_TYPE_ECDSA_P384", "ecdsa-p384" },
  { KF_KEY_TYPE_ECDSA_P521, "KF_KEY_TYPE_ECDSA_P521", "ecdsa-p521" },
  { KF_KEY_TYPE_RSA, "KF_KEY_TYPE_RSA", "rsa" },
  { 0, NULL, NULL }
};

static const GEnumValue test_state_values[] = {
  { KF_TEST_STATE_UNTESTED, "KF_TEST_STATE_UNTESTED", "untested" },
  { KF_TEST_STATE_OK, "KF_TEST_STATE_OK", "ok" },
  { KF_TEST_STATE_FAILED, "KF_TEST_STATE_FAILED", "failed" },
  { 0, NULL, NULL }
};

#define DEFINE_ENUM(func, Name, values)                                   \
  GType func (void)                                                       \
  {                                                                       \
    static gsize type_id = 0;                                             \
    if (g_once_init_enter (&type_id))                                     \
      g_once_init_leave (&type_id,                                        \
                         g_enum_register_static (g_intern_static_string (Name), values)); \
    return type_id;                                                       \
  }

DEFINE_ENUM (kf_setup_method_get_type, "KfSetupMethod", setup_method_values)
DEFINE_ENUM (kf_key_type_get_type, "KfKeyType", key_type_values)
DEFINE_ENUM (kf_test_state_get_type, "KfTestState", test_state_values)

static const char *
nick_of (const GEnumValue *values,
         int               value)
{
  for (guint i = 0; values[i].value_nick != NULL; i++)
    if (values[i].value == value)
      return values[i].value_nick;
  return NULL;
}

static gboolean
value_of (const GEnumValue *values,
          const char       *nick,
          int              *out)
{
  if (nick == NULL)
    return FALSE;
  for (guint i = 0; values[i].value_nick != NULL; i++)
    if (g_str_equal (values[i].value_nick, nick))
      {
        *out = values[i].value;
        return TRUE;
      }
  return FALSE;
}

const char *
kf_setup_method_to_string (KfSetupMethod method)
{
  return nick_of (setup_method_values, method);
}

gboolean
kf_setup_method_from_string (const char    *str,
                             KfSetupMethod *out)
{
  int v;
  if (!value_of (setup_method_values, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
kf_key_type_to_string (KfKeyType type)
{
  return nick_of (key_type_values, type);
}

gboolean
kf_key_type_from_string (const char *str,
                         KfKeyType  *out)
{
  int v;
  if (!value_of (key_type_values, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
kf_test_state_to_string (KfTestState state)
{
  return nick_of (test_state_values, state);
}

gboolean
kf_test_state_from_string (const char  *str,
                           KfTestState *out)
{
  int v;
  if (!value_of (test_state_values, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}
