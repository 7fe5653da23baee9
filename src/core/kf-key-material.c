/* kf-key-material.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-key-material"

#include <string.h>

#include "kf-key-material.h"
#include "kf-secret.h"

struct _KfKeyMaterial
{
  GObject parent_instance;

  char  *key_type;
  guint  bits;
  char  *fingerprint;
  char  *comment;
  char  *public_key;
  char  *private_key;   /* secret: wiped in finalize */
};

G_DEFINE_FINAL_TYPE (KfKeyMaterial, kf_key_material, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY_TYPE,
  PROP_BITS,
  PROP_FINGERPRINT,
  PROP_COMMENT,
  PROP_PUBLIC_KEY,
  PROP_HAS_PRIVATE_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kf_key_material_finalize (GObject *object)
{
  KfKeyMaterial *self = (KfKeyMaterial *) object;

  kf_secret_free (self->private_key);
  g_free (self->key_type);
  g_free (self->fingerprint);
  g_free (self->comment);
  g_free (self->public_key);

  G_OBJECT_CLASS (kf_key_material_parent_class)->finalize (object);
}

static void
kf_key_material_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  KfKeyMaterial *self = KF_KEY_MATERIAL (object);

  switch (prop_id)
    {
    case PROP_KEY_TYPE:        g_value_set_string (value, self->key_type); break;
    case PROP_BITS:            g_value_set_uint (value, self->bits); break;
    case PROP_FINGERPRINT:     g_value_set_string (value, self->fingerprint); break;
    case PROP_COMMENT:         g_value_set_string (value, self->comment); break;
    case PROP_PUBLIC_KEY:      g_value_set_string (value, self->public_key); break;
    case PROP_HAS_PRIVATE_KEY: g_value_set_boolean (value, self->private_key != NULL); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_key_material_class_init (KfKeyMaterialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kf_key_material_finalize;
  object_class->get_property = kf_key_material_get_property;

  properties[PROP_KEY_TYPE] = g_param_spec_string ("key-type", NULL, NULL, NULL, ro);
  properties[PROP_BITS] = g_param_spec_uint ("bits", NULL, NULL, 0, 65536, 0, ro);
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, ro);
  properties[PROP_COMMENT] = g_param_spec_string ("comment", NULL, NULL, NULL, ro);
  properties[PROP_PUBLIC_KEY] = g_param_spec_string ("public-key", NULL, NULL, NULL, ro);
  properties[PROP_HAS_PRIVATE_KEY] = g_param_spec_boolean ("has-private-key", NULL, NULL, FALSE, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kf_key_material_init (KfKeyMaterial *self)
{
}

KfKeyMaterial *
kf_key_material_new (const char *key_type,
                     guint       bits,
                     const char *fingerprint,
                     const char *comment,
                     const char *public_key,
                     char       *private_key)
{
  KfKeyMaterial *self;

  g_return_val_if_fail (key_type != NULL, NULL);
  g_return_val_if_fail (fingerprint != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);

  self = g_object_new (KF_TYPE_KEY_MATERIAL, NULL);
  self->key_type = g_strdup (key_type);
  self->bits = bits;
  self->fingerprint = g_strdup (fingerprint);
  self->comment = (comment != NULL && comment[0] != '\0') ? g_strdup (comment) : NULL;
  self->public_key = g_strdup (public_key);
  self->private_key = private_key;

  return self;
}

const char *
kf_key_material_get_key_type (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), NULL);
  return self->key_type;
}

guint
kf_key_material_get_bits (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), 0);
  return self->bits;
}

const char *
kf_key_material_get_fingerprint (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), NULL);
  return self->fingerprint;
}

const char *
kf_key_material_get_comment (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), NULL);
  return self->comment;
}

const char *
kf_key_material_get_public_key (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), NULL);
  return self->public_key;
}

gboolean
kf_key_material_get_has_private_key (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), FALSE);
  return self->private_key != NULL;
}

const char *
kf_key_material_get_private_key (KfKeyMaterial *self)
{
  g_return_val_if_fail (KF_IS_KEY_MATERIAL (self), NULL);
  return self->private_key;
}

void
kf_key_material_apply_to_keypair (KfKeyMaterial *self,
                                  KfKeypair     *keypair)
{
  g_return_if_fail (KF_IS_KEY_MATERIAL (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  g_object_freeze_notify (G_OBJECT (keypair));
  kf_keypair_set_key_type (keypair, self->key_type);
  kf_keypair_set_bits (keypair, self->bits);
  kf_keypair_set_fingerprint (keypair, self->fingerprint);
  kf_keypair_set_comment (keypair, self->comment);
  kf_keypair_set_public_key (keypair, self->public_key);
  kf_keypair_set_has_private_key (keypair, self->private_key != NULL);
  g_object_thaw_notify (G_OBJECT (keypair));
}
