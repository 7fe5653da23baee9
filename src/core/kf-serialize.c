/* kf-serialize.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-serialize"

#include "kf-serialize.h"
#include "kf-errors.h"

void
kf_serialize_object (GObject     *object,
                     JsonBuilder *builder)
{
  guint n_pspecs = 0;
  g_autofree GParamSpec **pspecs =
    g_object_class_list_properties (G_OBJECT_GET_CLASS (object), &n_pspecs);

  json_builder_begin_object (builder);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) value = G_VALUE_INIT;
      GType vtype = G_PARAM_SPEC_VALUE_TYPE (pspec);

      if (!(pspec->flags & KF_PARAM_PERSIST))
        continue;

      g_value_init (&value, vtype);
      g_object_get_property (object, pspec->name, &value);

      if (vtype == G_TYPE_STRING)
        {
          const char *s = g_value_get_string (&value);
          if (s == NULL)
            continue;
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_string_value (builder, s);
        }
      else if (vtype == G_TYPE_STRV)
        {
          const char * const *strv = g_value_get_boxed (&value);
          json_builder_set_member_name (builder, pspec->name);
          json_builder_begin_array (builder);
          for (guint j = 0; strv != NULL && strv[j] != NULL; j++)
            json_builder_add_string_value (builder, strv[j]);
          json_builder_end_array (builder);
        }
      else if (vtype == G_TYPE_BOOLEAN)
        {
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_boolean_value (builder, g_value_get_boolean (&value));
        }
      else if (vtype == G_TYPE_UINT)
        {
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_int_value (builder, g_value_get_uint (&value));
        }
      else if (vtype == G_TYPE_INT)
        {
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_int_value (builder, g_value_get_int (&value));
        }
      else if (vtype == G_TYPE_INT64)
        {
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_int_value (builder, g_value_get_int64 (&value));
        }
      else if (G_TYPE_IS_ENUM (vtype))
        {
          g_autoptr(GEnumClass) klass = g_type_class_ref (vtype);
          GEnumValue *ev = g_enum_get_value (klass, g_value_get_enum (&value));
          json_builder_set_member_name (builder, pspec->name);
          json_builder_add_string_value (builder, ev ? ev->value_nick : "");
        }
      else
        g_assert_not_reached ();
    }
  json_builder_end_object (builder);
}

static gboolean
value_from_node (GParamSpec *pspec,
                 JsonNode   *node,
                 GValue     *value)
{
  GType vtype = G_PARAM_SPEC_VALUE_TYPE (pspec);

  g_value_init (value, vtype);

  if (vtype == G_TYPE_STRING)
    {
      if (JSON_NODE_HOLDS_NULL (node))
        return TRUE;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return FALSE;
      g_value_set_string (value, json_node_get_string (node));
    }
  else if (vtype == G_TYPE_STRV)
    {
      JsonArray *array;
      GStrvBuilder *b;
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return FALSE;
      array = json_node_get_array (node);
      b = g_strv_builder_new ();
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          if (!JSON_NODE_HOLDS_VALUE (el) || json_node_get_value_type (el) != G_TYPE_STRING)
            {
              g_strv_builder_unref (b);
              return FALSE;
            }
          g_strv_builder_add (b, json_node_get_string (el));
        }
      g_value_take_boxed (value, g_strv_builder_end (b));
      g_strv_builder_unref (b);
    }
  else if (vtype == G_TYPE_BOOLEAN)
    {
      if (json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return FALSE;
      g_value_set_boolean (value, json_node_get_boolean (node));
    }
  else if (vtype == G_TYPE_UINT || vtype == G_TYPE_INT || vtype == G_TYPE_INT64)
    {
      gint64 v;
      if (json_node_get_value_type (node) != G_TYPE_INT64)
        return FALSE;
      v = json_node_get_int (node);
      if (vtype == G_TYPE_UINT)
        {
          GParamSpecUInt *p = G_PARAM_SPEC_UINT (pspec);
          if (v < p->minimum || v > p->maximum)
            return FALSE;
          g_value_set_uint (value, (guint) v);
        }
      else if (vtype == G_TYPE_INT)
        {
          GParamSpecInt *p = G_PARAM_SPEC_INT (pspec);
          if (v < p->minimum || v > p->maximum)
            return FALSE;
          g_value_set_int (value, (int) v);
        }
      else
        g_value_set_int64 (value, v);
    }
  else if (G_TYPE_IS_ENUM (vtype))
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (vtype);
      GEnumValue *ev;
      if (json_node_get_value_type (node) != G_TYPE_STRING)
        return FALSE;
      ev = g_enum_get_value_by_nick (klass, json_node_get_string (node));
      if (ev == NULL)
        return FALSE;
      g_value_set_enum (value, ev->value);
    }
  else
    return FALSE;

  return TRUE;
}

GObject *
kf_deserialize_object (GType        type,
                       JsonObject  *json,
                       GError     **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (type);
  guint n_pspecs = 0;
  g_autofree GParamSpec **pspecs =
    g_object_class_list_properties (G_OBJECT_CLASS (klass), &n_pspecs);
  g_autofree const char **names = g_new0 (const char *, n_pspecs);
  g_autofree GValue *values = g_new0 (GValue, n_pspecs);
  guint n = 0;
  GObject *object = NULL;

  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      JsonNode *node;

      if (!(pspec->flags & KF_PARAM_PERSIST))
        continue;
      node = json_object_get_member (json, pspec->name);
      if (node == NULL)
        continue;   /* missing members keep their defaults: older files load */
      if ((!JSON_NODE_HOLDS_VALUE (node) && !JSON_NODE_HOLDS_ARRAY (node) && !JSON_NODE_HOLDS_NULL (node))
          || !value_from_node (pspec, node, &values[n]))
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                       "The field “%s” of a %s has a wrong value",
                       pspec->name, g_type_name (type));
          goto out;
        }
      names[n++] = pspec->name;
    }

  object = g_object_new_with_properties (type, n, names, values);

out:
  for (guint i = 0; i < n_pspecs; i++)
    if (G_IS_VALUE (&values[i]))
      g_value_unset (&values[i]);
  return object;
}
