/* kf-keypair.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair"

#include "kf-keypair.h"
#include "kf-model-private.h"
#include "kf-serialize.h"

struct _KfKeypair
{
  GObject parent_instance;

  char    *id;
  char    *name;
  char    *key_type;
  guint    bits;
  char    *fingerprint;
  char    *comment;
  char    *public_key;
  gboolean has_private_key;
  gint64   created;
  guint    usage_count;
};

G_DEFINE_FINAL_TYPE (KfKeypair, kf_keypair, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_KEY_TYPE,
  PROP_BITS,
  PROP_FINGERPRINT,
  PROP_COMMENT,
  PROP_PUBLIC_KEY,
  PROP_HAS_PRIVATE_KEY,
  PROP_CREATED,
  PROP_USAGE_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kf_keypair_finalize (GObject *object)
{
  KfKeypair *self = (KfKeypair *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->key_type);
  g_free (self->fingerprint);
  g_free (self->comment);
  g_free (self->public_key);

  G_OBJECT_CLASS (kf_keypair_parent_class)->finalize (object);
}

static void
kf_keypair_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  KfKeypair *self = KF_KEYPAIR (object);

  switch (prop_id)
    {
    case PROP_ID:              g_value_set_string (value, self->id); break;
    case PROP_NAME:            g_value_set_string (value, self->name); break;
    case PROP_KEY_TYPE:        g_value_set_string (value, self->key_type); break;
    case PROP_BITS:            g_value_set_uint (value, self->bits); break;
    case PROP_FINGERPRINT:     g_value_set_string (value, self->fingerprint); break;
    case PROP_COMMENT:         g_value_set_string (value, self->comment); break;
    case PROP_PUBLIC_KEY:      g_value_set_string (value, self->public_key); break;
    case PROP_HAS_PRIVATE_KEY: g_value_set_boolean (value, self->has_private_key); break;
    case PROP_CREATED:         g_value_set_int64 (value, self->created); break;
    case PROP_USAGE_COUNT:     g_value_set_uint (value, self->usage_count); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_keypair_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  KfKeypair *self = KF_KEYPAIR (object);

  switch (prop_id)
    {
    case PROP_ID:
      /* construct-only; a missing id (new object) gets a fresh UUID */
      g_free (self->id);
      self->id = g_value_get_string (value) ? g_value_dup_string (value) : g_uuid_string_random ();
      break;
    case PROP_NAME:            kf_keypair_set_name (self, g_value_get_string (value)); break;
    case PROP_KEY_TYPE:        kf_keypair_set_key_type (self, g_value_get_string (value)); break;
    case PROP_BITS:            kf_keypair_set_bits (self, g_value_get_uint (value)); break;
    case PROP_FINGERPRINT:     kf_keypair_set_fingerprint (self, g_value_get_string (value)); break;
    case PROP_COMMENT:         kf_keypair_set_comment (self, g_value_get_string (value)); break;
    case PROP_PUBLIC_KEY:      kf_keypair_set_public_key (self, g_value_get_string (value)); break;
    case PROP_HAS_PRIVATE_KEY: kf_keypair_set_has_private_key (self, g_value_get_boolean (value)); break;
    case PROP_CREATED:         self->created = g_value_get_int64 (value); break;
    case PROP_USAGE_COUNT:     kf_keypair_set_usage_count (self, g_value_get_uint (value)); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_keypair_class_init (KfKeypairClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS | KF_PARAM_PERSIST;

  object_class->finalize = kf_keypair_finalize;
  object_class->get_property = kf_keypair_get_property;
  object_class->set_property = kf_keypair_set_property;

  /* FIELD: where the store reader writes a loaded value (kf-model-private.h) */
#define FIELD(member, pspec) KF_PARAM_FIELD (KfKeypair, member, pspec)
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | KF_PARAM_PERSIST);
  properties[PROP_NAME] = FIELD (name, g_param_spec_string ("name", NULL, NULL, NULL, rw));
  properties[PROP_KEY_TYPE] = FIELD (key_type, g_param_spec_string ("key-type", NULL, NULL, NULL, rw));
  properties[PROP_BITS] = FIELD (bits, g_param_spec_uint ("bits", NULL, NULL, 0, 65536, 0, rw));
  properties[PROP_FINGERPRINT] =
    FIELD (fingerprint, g_param_spec_string ("fingerprint", NULL, NULL, NULL, rw));
  properties[PROP_COMMENT] = FIELD (comment, g_param_spec_string ("comment", NULL, NULL, NULL, rw));
  properties[PROP_PUBLIC_KEY] = FIELD (public_key, g_param_spec_string ("public-key", NULL, NULL, NULL, rw));
  properties[PROP_HAS_PRIVATE_KEY] =
    FIELD (has_private_key, g_param_spec_boolean ("has-private-key", NULL, NULL, FALSE, rw));
  properties[PROP_CREATED] =
    g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | KF_PARAM_PERSIST);
  properties[PROP_USAGE_COUNT] =
    g_param_spec_uint ("usage-count", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
#undef FIELD

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kf_keypair_init (KfKeypair *self)
{
}

KfKeypair *
kf_keypair_new (const char *name)
{
  return g_object_new (KF_TYPE_KEYPAIR,
                       "name", name,
                       "created", g_get_real_time () / G_USEC_PER_SEC,
                       NULL);
}

const char *
kf_keypair_get_id (KfKeypair *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR (self), NULL);
  return self->id;
}

KF_STRING_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, name, PROP_NAME)
KF_STRING_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, key_type, PROP_KEY_TYPE)
KF_STRING_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, fingerprint, PROP_FINGERPRINT)
KF_STRING_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, comment, PROP_COMMENT)
KF_STRING_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, public_key, PROP_PUBLIC_KEY)
KF_SCALAR_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, guint, bits, PROP_BITS)
KF_SCALAR_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, gboolean, has_private_key, PROP_HAS_PRIVATE_KEY)
KF_SCALAR_ACCESSORS (KfKeypair, kf_keypair, KF_IS_KEYPAIR, guint, usage_count, PROP_USAGE_COUNT)

gint64
kf_keypair_get_created (KfKeypair *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR (self), 0);
  return self->created;
}

void
kf_keypair_assign (KfKeypair *self,
                   KfKeypair *from)
{
  g_return_if_fail (KF_IS_KEYPAIR (self));
  g_return_if_fail (KF_IS_KEYPAIR (from));
  kf_model_assign (G_OBJECT (self), G_OBJECT (from));
}

KfKeypair *
kf_keypair_copy (KfKeypair *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR (self), NULL);
  return KF_KEYPAIR (kf_model_copy (G_OBJECT (self)));
}
