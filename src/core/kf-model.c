/* kf-model.c: helpers shared by the model types.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-model"

#include "kf-model-private.h"
#include "kf-serialize.h"

static G_DEFINE_QUARK (kf-param-field, field)

/* The size of the instance member that holds a value of @vtype, or 0 for a
 * type the store reader does not write directly. */
static gsize
field_size (GType vtype)
{
  if (vtype == G_TYPE_STRING || vtype == G_TYPE_STRV)
    return sizeof (gpointer);
  if (vtype == G_TYPE_BOOLEAN || vtype == G_TYPE_INT || vtype == G_TYPE_UINT || G_TYPE_IS_ENUM (vtype))
    return sizeof (int);
  if (vtype == G_TYPE_INT64)
    return sizeof (gint64);
  return 0;
}

GParamSpec *
kf_param_set_field (GParamSpec *pspec,
                    gsize       offset,
                    gsize       size)
{
  /* A wrong member is a programming error, caught when the class is made. */
  g_assert (size == field_size (G_PARAM_SPEC_VALUE_TYPE (pspec)));
  g_param_spec_set_qdata (pspec, field_quark (), GSIZE_TO_POINTER (offset + 1));
  return pspec;
}

gssize
kf_param_get_field (GParamSpec *pspec)
{
  gsize stored = GPOINTER_TO_SIZE (g_param_spec_get_qdata (pspec, field_quark ()));

  return stored == 0 ? -1 : (gssize) (stored - 1);
}

gboolean
kf_set_str (char       **str_pointer,
            const char  *new_str)
{
  char *copy;

  if (*str_pointer == new_str || g_strcmp0 (*str_pointer, new_str) == 0)
    return FALSE;
  copy = g_strdup (new_str);
  g_free (*str_pointer);
  *str_pointer = copy;
  return TRUE;
}

gboolean
kf_set_strv (char              ***strv_pointer,
             const char * const  *new_strv)
{
  char **copy;

  if (*strv_pointer == NULL && new_strv == NULL)
    return FALSE;
  if (*strv_pointer != NULL && new_strv != NULL
      && g_strv_equal ((const char * const *) *strv_pointer, new_strv))
    return FALSE;
  copy = g_strdupv ((char **) new_strv);
  g_strfreev (*strv_pointer);
  *strv_pointer = copy;
  return TRUE;
}

void
kf_model_assign (GObject *self,
                 GObject *from)
{
  guint n_pspecs = 0;
  g_autofree GParamSpec **pspecs = NULL;

  g_return_if_fail (G_OBJECT_TYPE (self) == G_OBJECT_TYPE (from));

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  g_object_freeze_notify (self);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) value = G_VALUE_INIT;

      if (!(pspec->flags & KF_PARAM_PERSIST)
          || !(pspec->flags & G_PARAM_WRITABLE)
          || (pspec->flags & G_PARAM_CONSTRUCT_ONLY))
        continue;
      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (from, pspec->name, &value);
      g_object_set_property (self, pspec->name, &value);
    }
  g_object_thaw_notify (self);
}

GObject *
kf_model_copy (GObject *self)
{
  guint n_pspecs = 0;
  g_autofree GParamSpec **pspecs =
    g_object_class_list_properties (G_OBJECT_GET_CLASS (self), &n_pspecs);
  g_autofree const char **names = g_new0 (const char *, n_pspecs);
  g_autofree GValue *values = g_new0 (GValue, n_pspecs);
  guint n = 0;
  GObject *copy;

  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];

      if (!(pspec->flags & KF_PARAM_PERSIST))
        continue;
      g_value_init (&values[n], G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (self, pspec->name, &values[n]);
      names[n++] = pspec->name;
    }
  copy = g_object_new_with_properties (G_OBJECT_TYPE (self), n, names, values);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);
  return copy;
}
