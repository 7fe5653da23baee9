/* test-settings.c: the GSettings schema as compiled into <build>/data.
 *
 * The GUI finds the schema through GSETTINGS_SCHEMA_DIR=<build>/data in the
 * tests and through the installed, compiled schemas otherwise. These tests
 * read the compiled file, check the documented defaults, and tie the schema's
 * choices and ranges to the core's own names and limits, so the two cannot
 * drift apart.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-enums.h"
#include "kf-test-util.h"

#define SCHEMA_ID KF_APP_ID

static GSettingsSchema *
lookup_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  GSettingsSchema *schema;

  g_assert_nonnull (source);
  schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  g_assert_nonnull (schema);
  return schema;
}

/* The choices of a key with <choices>: its range is ('enum', ['a', …]). */
static GStrv
key_choices (GSettingsSchema *schema,
             const char      *key_name)
{
  g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, key_name);
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
  g_autoptr(GVariant) values = NULL;
  const char *kind = NULL;

  g_variant_get (range, "(&sv)", &kind, &values);
  g_assert_cmpstr (kind, ==, "enum");
  return g_variant_dup_strv (values, NULL);
}

static void
test_compiled_in_build_dir (void)
{
  g_autofree char *compiled = g_build_filename (kf_test_get_builddir (), "data", "gschemas.compiled", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSettingsSchemaSource) source = NULL;
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autofree char *dir = g_path_get_dirname (compiled);

  g_assert_true (g_file_test (compiled, G_FILE_TEST_IS_REGULAR));
  /* Not trusting the environment: load that very directory. */
  source = g_settings_schema_source_new_from_directory (dir, NULL, TRUE, &error);
  g_assert_no_error (error);
  schema = g_settings_schema_source_lookup (source, SCHEMA_ID, FALSE);
  g_assert_nonnull (schema);
  g_assert_cmpstr (g_settings_schema_get_path (schema), ==, "/io/github/keyferry/Keyferry/");
}

static void
test_keys_and_defaults (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_auto(GStrv) keys = g_settings_schema_list_keys (schema);
  g_autofree char *last_view = NULL;
  const char *expected[] = {
    "default-connect-timeout", "default-key-type", "last-view",
    "window-height", "window-maximized", "window-width",
  };

  g_assert_cmpuint (g_strv_length (keys), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains ((const char * const *) keys, expected[i]));

  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  last_view = g_settings_get_string (settings, "last-view");
  g_assert_cmpstr (last_view, ==, "connections");
}

static void
test_key_type_matches_core (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_auto(GStrv) choices = key_choices (schema, "default-key-type");
  g_autofree char *def = g_settings_get_string (settings, "default-key-type");
  g_autoptr(GEnumClass) klass = g_type_class_ref (KF_TYPE_KEY_TYPE);
  KfKeyType type;

  g_assert_true (kf_key_type_from_string (def, &type));
  g_assert_cmpint (type, ==, KF_KEY_TYPE_ED25519);

  /* Every choice is a name the core parses … */
  for (guint i = 0; choices[i] != NULL; i++)
    {
      g_test_message ("choice %s", choices[i]);
      g_assert_true (kf_key_type_from_string (choices[i], &type));
      g_assert_cmpstr (kf_key_type_to_string (type), ==, choices[i]);
    }
  /* … and every key type of the core is a choice. */
  g_assert_cmpuint (g_strv_length (choices), ==, klass->n_values);
  for (guint i = 0; i < klass->n_values; i++)
    g_assert_true (g_strv_contains ((const char * const *) choices,
                                    kf_key_type_to_string (klass->values[i].value)));
}

static void
test_timeout_matches_core (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, "default-connect-timeout");
  g_autoptr(GVariant) range = g_settings_schema_key_get_range (key);
  g_autoptr(GVariant) bounds = NULL;
  const char *kind = NULL;
  guint32 min = 0, max = 0;

  g_assert_cmpstr (g_variant_type_peek_string (g_settings_schema_key_get_value_type (key)), ==, "u");
  g_assert_cmpuint (g_settings_get_uint (settings, "default-connect-timeout"), ==, KF_CONNECTION_DEFAULT_TIMEOUT);

  g_variant_get (range, "(&sv)", &kind, &bounds);
  g_assert_cmpstr (kind, ==, "range");
  g_variant_get (bounds, "(uu)", &min, &max);
  g_assert_cmpuint (min, ==, KF_CONNECTION_MIN_TIMEOUT);
  g_assert_cmpuint (max, ==, KF_CONNECTION_MAX_TIMEOUT);
}

static void
test_last_view_choices (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_auto(GStrv) choices = key_choices (schema, "last-view");

  g_assert_cmpuint (g_strv_length (choices), ==, 2);
  g_assert_cmpstr (choices[0], ==, "connections");
  g_assert_cmpstr (choices[1], ==, "keypairs");
}

/* Values outside a choice list or range are refused, valid ones round-trip
 * (GSETTINGS_BACKEND=memory in the test environment). */
static void
test_range_checks (void)
{
  g_autoptr(GSettingsSchema) schema = lookup_schema ();
  g_autoptr(GSettings) settings = g_settings_new (SCHEMA_ID);
  struct { const char *key; const char *text; gboolean valid; } cases[] = {
    { "last-view", "'keypairs'", TRUE },
    { "last-view", "'settings'", FALSE },
    { "default-key-type", "'rsa'", TRUE },
    { "default-key-type", "'dsa'", FALSE },
    { "default-connect-timeout", "uint32 600", TRUE },
    { "default-connect-timeout", "uint32 0", FALSE },
    { "default-connect-timeout", "uint32 601", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSettingsSchemaKey) key = g_settings_schema_get_key (schema, cases[i].key);
      g_autoptr(GVariant) value = g_variant_parse (NULL, cases[i].text, NULL, NULL, NULL);

      g_assert_nonnull (value);
      g_test_message ("%s = %s", cases[i].key, cases[i].text);
      g_assert_cmpint (g_settings_schema_key_range_check (key, value), ==, cases[i].valid);
      if (cases[i].valid)
        {
          g_autoptr(GVariant) back = NULL;

          g_assert_true (g_settings_set_value (settings, cases[i].key, value));
          back = g_settings_get_value (settings, cases[i].key);
          g_assert_true (g_variant_equal (back, value));
        }
    }

  g_settings_set_int (settings, "window-width", 1234);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1234);
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/settings/compiled-in-build-dir", test_compiled_in_build_dir);
  g_test_add_func ("/settings/keys-and-defaults", test_keys_and_defaults);
  g_test_add_func ("/settings/key-type-matches-core", test_key_type_matches_core);
  g_test_add_func ("/settings/timeout-matches-core", test_timeout_matches_core);
  g_test_add_func ("/settings/last-view-choices", test_last_view_choices);
  g_test_add_func ("/settings/range-checks", test_range_checks);

  return g_test_run ();
}
