/* kf-model-private.h: helpers shared by the model types (KfKeypair, KfConnection).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* g_set_str() arrived in GLib 2.76; Debian 12 has 2.74. */
gboolean  kf_set_str      (char       **str_pointer,
                           const char  *new_str);
gboolean  kf_set_strv     (char      ***strv_pointer,
                           const char * const *new_strv);
/* Copy every saved (KF_PARAM_PERSIST), writable, non-construct-only property. */
void      kf_model_assign (GObject     *self,
                           GObject     *from);
/* A new object of the same type with every saved property, id included. */
GObject  *kf_model_copy   (GObject     *self);

/* Where a saved property's value lives in its instance. The store reader
 * writes a loaded value there directly, without the setter's checks and
 * notification: it does so only on an object it has just made and nobody
 * else holds. KF_PARAM_FIELD (KfKeypair, name, g_param_spec_string (...))
 * returns the pspec; the member's size must fit the property's value type. */
#define KF_PARAM_FIELD(Type, member, pspec) \
  kf_param_set_field ((pspec), G_STRUCT_OFFSET (Type, member), sizeof (((Type *) 0)->member))
GParamSpec *kf_param_set_field (GParamSpec *pspec,
                                gsize       offset,
                                gsize       size);
/* The offset given to kf_param_set_field(), or -1. */
gssize      kf_param_get_field (GParamSpec *pspec);

/* Getter and setter pairs for a model's fields; the setter notifies properties[PROP]. */
#define KF_STRING_ACCESSORS(Type, prefix, CHECK, field, PROP)              \
  const char *prefix##_get_##field (Type *self)                            \
  {                                                                        \
    g_return_val_if_fail (CHECK (self), NULL);                             \
    return self->field;                                                    \
  }                                                                        \
  void prefix##_set_##field (Type *self, const char *field)                \
  {                                                                        \
    g_return_if_fail (CHECK (self));                                       \
    if (kf_set_str (&self->field, field))                                  \
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);        \
  }

#define KF_SCALAR_ACCESSORS(Type, prefix, CHECK, ctype, field, PROP)       \
  ctype prefix##_get_##field (Type *self)                                  \
  {                                                                        \
    g_return_val_if_fail (CHECK (self), 0);                                \
    return self->field;                                                    \
  }                                                                        \
  void prefix##_set_##field (Type *self, ctype field)                      \
  {                                                                        \
    g_return_if_fail (CHECK (self));                                       \
    if (self->field != field)                                              \
      {                                                                    \
        self->field = field;                                               \
        g_object_notify_by_pspec (G_OBJECT (self), properties[PROP]);      \
      }                                                                    \
  }

G_END_DECLS
