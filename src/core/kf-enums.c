/* kf-enums.c: the enums' strings, read from their generated GTypes.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-enums"

#include "kf-enums.h"

#include <glib/gi18n.h>

static const char *
nick_of (GType type,
         int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);

  /* a static type's class, and so the nick, lives as long as the program */
  return ev != NULL ? ev->value_nick : NULL;
}

static gboolean
value_of (GType       type,
          const char *nick,
          int        *out)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *ev;

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_ref (type);
  ev = g_enum_get_value_by_nick (klass, nick);
  if (ev == NULL)
    return FALSE;
  *out = ev->value;
  return TRUE;
}

const char *
kf_setup_method_to_string (KfSetupMethod method)
{
  return nick_of (KF_TYPE_SETUP_METHOD, method);
}

gboolean
kf_setup_method_from_string (const char    *str,
                             KfSetupMethod *out)
{
  int v;

  if (!value_of (KF_TYPE_SETUP_METHOD, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
kf_key_type_to_string (KfKeyType type)
{
  return nick_of (KF_TYPE_KEY_TYPE, type);
}

gboolean
kf_key_type_from_string (const char *str,
                         KfKeyType  *out)
{
  int v;

  if (!value_of (KF_TYPE_KEY_TYPE, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
kf_test_state_to_string (KfTestState state)
{
  return nick_of (KF_TYPE_TEST_STATE, state);
}

gboolean
kf_test_state_from_string (const char  *str,
                           KfTestState *out)
{
  int v;

  if (!value_of (KF_TYPE_TEST_STATE, str, &v))
    return FALSE;
  *out = v;
  return TRUE;
}

const char *
kf_check_state_to_string (KfCheckState state)
{
  return nick_of (KF_TYPE_CHECK_STATE, state);
}

const char *
kf_check_state_get_label (KfCheckState state)
{
  static const char * const labels[KF_N_CHECK_STATES] = {
    [KF_CHECK_STATE_NOT_CHECKED] = N_("Not Checked"),
    [KF_CHECK_STATE_OK] = N_("OK"),
    [KF_CHECK_STATE_UNREACHABLE] = N_("Unreachable"),
    [KF_CHECK_STATE_HOST_KEY_CHANGED] = N_("Host Key Changed"),
    [KF_CHECK_STATE_KEY_REFUSED] = N_("Key Refused"),
    [KF_CHECK_STATE_FAILED] = N_("Failed"),
  };

  g_return_val_if_fail ((guint) state < KF_N_CHECK_STATES, NULL);
  return _(labels[state]);
}
