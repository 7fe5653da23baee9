/* kf-key-type.c: the one table of SSH key types.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-key-type"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-key-type-private.h"

/* In order of preference as host keys: Ed25519, ECDSA from the largest
 * curve, RSA last (the Test asks for them in this order, discovery lists
 * them in the reverse). RSA host keys are asked for with SHA-2 signatures
 * (libssh 0.10 refuses SHA-1 "ssh-rsa"). */
static const KfKeyTypeInfo key_types[] = {
  { KF_KEY_TYPE_ED25519, "ssh-ed25519", N_("Ed25519"),
    SSH_KEYTYPE_ED25519, 256, NULL, "ssh-ed25519" },
  { KF_KEY_TYPE_ECDSA_P521, "ecdsa-sha2-nistp521", N_("ECDSA P-521"),
    SSH_KEYTYPE_ECDSA_P521, 521, "nistp521", "ecdsa-sha2-nistp521" },
  { KF_KEY_TYPE_ECDSA_P384, "ecdsa-sha2-nistp384", N_("ECDSA P-384"),
    SSH_KEYTYPE_ECDSA_P384, 384, "nistp384", "ecdsa-sha2-nistp384" },
  { KF_KEY_TYPE_ECDSA_P256, "ecdsa-sha2-nistp256", N_("ECDSA P-256"),
    SSH_KEYTYPE_ECDSA_P256, 256, "nistp256", "ecdsa-sha2-nistp256" },
  { KF_KEY_TYPE_RSA, "ssh-rsa", N_("RSA"),
    SSH_KEYTYPE_RSA, 0, NULL, "rsa-sha2-512,rsa-sha2-256" },
};

/* What a new key can be; bits 0: the type's only size. */
static const struct {
  KfKeyType type;
  guint     bits;
} choices[] = {
  { KF_KEY_TYPE_ED25519, 0 },
  { KF_KEY_TYPE_ECDSA_P256, 0 },
  { KF_KEY_TYPE_ECDSA_P384, 0 },
  { KF_KEY_TYPE_ECDSA_P521, 0 },
  { KF_KEY_TYPE_RSA, 2048 },
  { KF_KEY_TYPE_RSA, KF_KEY_TYPE_RSA_DEFAULT_BITS },
  { KF_KEY_TYPE_RSA, 4096 },
};

const KfKeyTypeInfo *
kf_key_type_info_get_all (guint *n_infos)
{
  *n_infos = G_N_ELEMENTS (key_types);
  return key_types;
}

const KfKeyTypeInfo *
kf_key_type_info_lookup (KfKeyType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (key_types[i].type == type)
      return &key_types[i];
  return NULL;
}

const KfKeyTypeInfo *
kf_key_type_info_lookup_name (const char *name,
                              gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (strlen (key_types[i].name) == len && memcmp (key_types[i].name, name, len) == 0)
      return &key_types[i];
  return NULL;
}

const KfKeyTypeInfo *
kf_key_type_info_lookup_ssh (enum ssh_keytypes_e ssh_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (key_types[i].ssh_type == ssh_type)
      return &key_types[i];
  return NULL;
}

const char *
kf_key_type_get_name (KfKeyType type)
{
  const KfKeyTypeInfo *info = kf_key_type_info_lookup (type);

  g_return_val_if_fail (info != NULL, NULL);
  return info->name;
}

const char *
kf_key_type_get_label (KfKeyType type)
{
  const KfKeyTypeInfo *info = kf_key_type_info_lookup (type);

  g_return_val_if_fail (info != NULL, NULL);
  return _(info->label);
}

guint
kf_key_type_get_bits (KfKeyType type)
{
  const KfKeyTypeInfo *info = kf_key_type_info_lookup (type);

  g_return_val_if_fail (info != NULL, 0);
  return info->bits;
}

gboolean
kf_key_type_from_name (const char *openssh_name,
                       KfKeyType  *out)
{
  const KfKeyTypeInfo *info;

  if (openssh_name == NULL)
    return FALSE;
  info = kf_key_type_info_lookup_name (openssh_name, strlen (openssh_name));
  if (info == NULL)
    return FALSE;
  *out = info->type;
  return TRUE;
}

const char *
kf_key_type_label_for_name (const char *openssh_name)
{
  KfKeyType type;

  if (openssh_name == NULL)
    return "";
  if (!kf_key_type_from_name (openssh_name, &type))
    return openssh_name;
  return kf_key_type_get_label (type);
}

char *
kf_key_type_describe (const char *openssh_name,
                      guint       bits)
{
  const char *label = kf_key_type_label_for_name (openssh_name);
  KfKeyType type;

  /* Only RSA sizes vary; the other labels already say it. */
  if (bits > 0 && kf_key_type_from_name (openssh_name, &type) && type == KF_KEY_TYPE_RSA)
    /* Translators: a key type and its size, “RSA 3072-bit” */
    return g_strdup_printf (_("%s %u-bit"), label, bits);
  return g_strdup (label);
}

guint
kf_key_type_n_choices (void)
{
  return G_N_ELEMENTS (choices);
}

KfKeyType
kf_key_type_get_choice (guint  index,
                        guint *out_bits)
{
  g_return_val_if_fail (index < G_N_ELEMENTS (choices), KF_KEY_TYPE_ED25519);

  if (out_bits != NULL)
    *out_bits = choices[index].bits;
  return choices[index].type;
}

char *
kf_key_type_dup_choice_label (guint index)
{
  const char *label;

  g_return_val_if_fail (index < G_N_ELEMENTS (choices), NULL);

  label = kf_key_type_get_label (choices[index].type);
  if (choices[index].bits == 0)
    return g_strdup (label);
  /* Translators: a key type and its size in bits, in a menu: “RSA 3072” */
  return g_strdup_printf (_("%s %u"), label, choices[index].bits);
}

guint
kf_key_type_choice_for_setting (const char *setting)
{
  KfKeyType type;

  if (!kf_key_type_from_string (setting, &type))
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    if (choices[i].type == type &&
        (choices[i].bits == 0 || choices[i].bits == KF_KEY_TYPE_RSA_DEFAULT_BITS))
      return i;
  return 0;
}

gboolean
kf_key_type_rsa_bits_offered (guint bits)
{
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    if (choices[i].type == KF_KEY_TYPE_RSA && choices[i].bits == bits)
      return TRUE;
  return FALSE;
}
