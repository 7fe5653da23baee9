/* kf-host-key.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-host-key"

#include "kf-host-key-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-ssh-key.h"

struct _KfHostKey
{
  GObject  parent_instance;
  char    *key_type;
  char    *base64;
  char    *comment;
  char    *fingerprint;
  char    *line;
  guint    bits;
};

G_DEFINE_FINAL_TYPE (KfHostKey, kf_host_key, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY_TYPE,
  PROP_BASE64,
  PROP_COMMENT,
  PROP_FINGERPRINT,
  PROP_BITS,
  PROP_LINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kf_host_key_finalize (GObject *object)
{
  KfHostKey *self = (KfHostKey *) object;

  g_free (self->key_type);
  g_free (self->base64);
  g_free (self->comment);
  g_free (self->fingerprint);
  g_free (self->line);

  G_OBJECT_CLASS (kf_host_key_parent_class)->finalize (object);
}

static void
kf_host_key_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KfHostKey *self = KF_HOST_KEY (object);

  switch (prop_id)
    {
    case PROP_KEY_TYPE:
      g_value_set_string (value, self->key_type);
      break;
    case PROP_BASE64:
      g_value_set_string (value, self->base64);
      break;
    case PROP_COMMENT:
      g_value_set_string (value, self->comment);
      break;
    case PROP_FINGERPRINT:
      g_value_set_string (value, self->fingerprint);
      break;
    case PROP_BITS:
      g_value_set_uint (value, self->bits);
      break;
    case PROP_LINE:
      g_value_set_string (value, self->line);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_host_key_class_init (KfHostKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = kf_host_key_finalize;
  object_class->get_property = kf_host_key_get_property;

  properties[PROP_KEY_TYPE] = g_param_spec_string ("key-type", NULL, NULL, NULL, flags);
  properties[PROP_BASE64] = g_param_spec_string ("base64", NULL, NULL, NULL, flags);
  properties[PROP_COMMENT] = g_param_spec_string ("comment", NULL, NULL, NULL, flags);
  properties[PROP_FINGERPRINT] = g_param_spec_string ("fingerprint", NULL, NULL, NULL, flags);
  properties[PROP_BITS] = g_param_spec_uint ("bits", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LINE] = g_param_spec_string ("line", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kf_host_key_init (KfHostKey *self)
{
}

/* Parsing and checking is kf_ssh_key_parse_public()'s job (shared with key
 * pairs); a host key is that key material seen as the server's identity. */
static KfHostKey *
host_key_new_from_material (KfKeyMaterial *material)
{
  KfHostKey *self = g_object_new (KF_TYPE_HOST_KEY, NULL);
  const char *line = kf_key_material_get_public_key (material);
  const char *b64 = strchr (line, ' ');
  const char *comment = kf_key_material_get_comment (material);
  const char *end;

  g_assert (b64 != NULL);
  b64++;
  end = strchr (b64, ' ');

  self->key_type = g_strdup (kf_key_material_get_key_type (material));
  self->base64 = end ? g_strndup (b64, end - b64) : g_strdup (b64);
  self->comment = (comment != NULL && *comment != '\0') ? g_strdup (comment) : NULL;
  self->fingerprint = g_strdup (kf_key_material_get_fingerprint (material));
  self->bits = kf_key_material_get_bits (material);
  self->line = self->comment
    ? g_strdup_printf ("%s %s %s", self->key_type, self->base64, self->comment)
    : g_strdup_printf ("%s %s", self->key_type, self->base64);
  return self;
}

KfHostKey *
kf_host_key_parse (const char  *line,
                   GError     **error)
{
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (line != NULL, NULL);

  material = kf_ssh_key_parse_public (line, &local_error);
  if (material == NULL)
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY, local_error->message);
      return NULL;
    }
  return host_key_new_from_material (material);
}

KfHostKey *
kf_host_key_new_from_ssh_key (ssh_key      key,
                              const char  *comment,
                              GError     **error)
{
  g_autofree char *line = NULL;
  const char *type_name;
  char *b64 = NULL;

  g_return_val_if_fail (key != NULL, NULL);

  type_name = ssh_key_type_to_char (ssh_key_type (key));
  if (type_name == NULL || ssh_pki_export_pubkey_base64 (key, &b64) != SSH_OK || b64 == NULL)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                   _("The server's host key is of a type Keyferry cannot read."));
      return NULL;
    }
  line = g_strdup_printf ("%s %s%s%s", type_name, b64, comment ? " " : "", comment ? comment : "");
  ssh_string_free_char (b64);
  return kf_host_key_parse (line, error);
}

GPtrArray *
kf_host_key_parse_list (const char  *text,
                        GError     **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  g_auto(GStrv) lines = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  if (strlen (text) > KF_MAX_KEY_TEXT_LEN * (gsize) KF_MAX_HOST_KEYS)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                   _("The host key text is too long."));
      return NULL;
    }

  lines = g_strsplit_set (text, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(KfHostKey) key = NULL;
      const char *line = g_strstrip (lines[i]);
      gboolean seen = FALSE;

      if (*line == '\0' || *line == '#')
        continue;

      key = kf_host_key_parse (line, &local_error);
      if (key == NULL)
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                       _("Host key line %u is not valid: %s"), i + 1, local_error->message);
          return NULL;
        }
      for (guint j = 0; j < keys->len && !seen; j++)
        seen = kf_host_key_equal (g_ptr_array_index (keys, j), key);
      if (seen)
        continue;
      if (keys->len >= KF_MAX_HOST_KEYS)
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                       _("There are more than %d host keys; a server has a handful at most."),
                       KF_MAX_HOST_KEYS);
          return NULL;
        }
      g_ptr_array_add (keys, g_steal_pointer (&key));
    }

  if (keys->len == 0)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                   _("The text holds no SSH host key."));
      return NULL;
    }
  return g_steal_pointer (&keys);
}

const char *
kf_host_key_get_key_type (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), NULL);
  return self->key_type;
}

const char *
kf_host_key_get_base64 (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), NULL);
  return self->base64;
}

const char *
kf_host_key_get_comment (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), NULL);
  return self->comment;
}

const char *
kf_host_key_get_fingerprint (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), NULL);
  return self->fingerprint;
}

guint
kf_host_key_get_bits (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), 0);
  return self->bits;
}

const char *
kf_host_key_get_line (KfHostKey *self)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (self), NULL);
  return self->line;
}

gboolean
kf_host_key_equal (KfHostKey *a,
                   KfHostKey *b)
{
  g_return_val_if_fail (KF_IS_HOST_KEY (a), FALSE);
  g_return_val_if_fail (KF_IS_HOST_KEY (b), FALSE);
  return g_str_equal (a->key_type, b->key_type) && g_str_equal (a->base64, b->base64);
}
