/* kf-cli-format.c: key pairs and connections as JSON and as text.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-host-key.h"

#include <glib/gi18n.h>
#include <stdarg.h>
#include <stdio.h>

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static void
add_bool (JsonBuilder *b,
          const char  *name,
          gboolean     value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, value);
}

/* "Label:   value": pads by characters, not bytes, so that translated
 * labels with umlauts line up; a label longer than @width gets one space. */
static void
print_field (const char *label,
             int         width,
             const char *format,
             ...) G_GNUC_PRINTF (3, 4);

static void
print_field (const char *label,
             int         width,
             const char *format,
             ...)
{
  va_list args;
  long pad = width - g_utf8_strlen (label, -1);

  fputs (label, stdout);
  for (long i = 0; i < MAX (pad, 0) + 1; i++)
    fputc (' ', stdout);
  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  fputc ('\n', stdout);
}

JsonNode *
kf_cli_keypair_to_json (KfStore    *store,
                        KfKeypair  *keypair,
                        gboolean    with_private_key_text,
                        const char *private_key)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) users = kf_store_list_connections_using (store, kf_keypair_get_id (keypair));

  json_builder_begin_object (b);
  add_string (b, "id", kf_keypair_get_id (keypair));
  add_string (b, "name", kf_keypair_get_name (keypair));
  add_string (b, "type", kf_keypair_get_key_type (keypair));
  add_int (b, "bits", kf_keypair_get_bits (keypair));
  add_string (b, "fingerprint", kf_keypair_get_fingerprint (keypair));
  add_string (b, "comment", kf_keypair_get_comment (keypair));
  add_string (b, "public_key", kf_keypair_get_public_key (keypair));
  add_bool (b, "has_private_key", kf_keypair_get_has_private_key (keypair));
  json_builder_set_member_name (b, "used_by");
  json_builder_begin_array (b);
  for (guint i = 0; i < users->len; i++)
    json_builder_add_string_value (b, kf_connection_get_name (g_ptr_array_index (users, i)));
  json_builder_end_array (b);
  if (with_private_key_text)
    add_string (b, "private_key", private_key);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One host key: its type, base64 key and fingerprint; an unreadable
 * stored @line (@key NULL) as the key text with nulls around it. */
static void
add_host_key (JsonBuilder *b,
              KfHostKey   *key,
              const char  *line)
{
  json_builder_begin_object (b);
  add_string (b, "type", key ? kf_host_key_get_key_type (key) : NULL);
  add_string (b, "key", key ? kf_host_key_get_base64 (key) : line);
  add_string (b, "fingerprint", key ? kf_host_key_get_fingerprint (key) : NULL);
  json_builder_end_object (b);
}

JsonNode *
kf_cli_host_keys_to_json (GPtrArray *keys)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < keys->len; i++)
    add_host_key (b, g_ptr_array_index (keys, i), NULL);
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

JsonNode *
kf_cli_connection_to_json (KfStore      *store,
                           KfConnection *connection)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;
  const char * const *host_keys = kf_connection_get_host_keys (connection);
  KfSetupMethod method = kf_connection_get_setup_method (connection);

  json_builder_begin_object (b);
  add_string (b, "id", kf_connection_get_id (connection));
  add_string (b, "name", kf_connection_get_name (connection));
  add_string (b, "host", kf_connection_get_host (connection));
  add_int (b, "port", kf_connection_get_port (connection));
  add_string (b, "username", kf_connection_get_username (connection));
  add_string (b, "keypair", keypair ? kf_keypair_get_name (keypair) : NULL);
  add_string (b, "keypair_id", keypair_id);
  add_string (b, "setup_method", kf_setup_method_to_string (method));
  json_builder_set_member_name (b, "host_keys");
  json_builder_begin_array (b);
  for (guint i = 0; host_keys != NULL && host_keys[i] != NULL; i++)
    {
      g_autoptr(KfHostKey) key = kf_host_key_parse (host_keys[i], NULL);
      add_host_key (b, key, host_keys[i]);
    }
  json_builder_end_array (b);
  add_int (b, "connect_timeout", kf_connection_get_connect_timeout (connection));
  if (method == KF_SETUP_METHOD_SEMI_AUTOMATIC)
    {
      add_string (b, "truenas_url", kf_connection_get_truenas_url (connection));
      add_string (b, "admin_username", kf_connection_get_admin_username (connection));
      add_string (b, "tls_pin", kf_connection_get_tls_pin (connection));
      add_bool (b, "sudo_zfs", kf_connection_get_sudo_zfs (connection));
    }
  add_bool (b, "host_key_verified", kf_connection_get_host_key_verified (connection));
  add_string (b, "last_test", kf_test_state_to_string (kf_connection_get_test_state (connection)));
  add_string (b, "last_test_message", kf_connection_get_test_message (connection));
  add_int (b, "last_test_at", kf_connection_get_tested_at (connection));
  add_string (b, "check_state", kf_check_state_to_string (kf_connection_get_check_state (connection)));
  if (method == KF_SETUP_METHOD_SEMI_AUTOMATIC)
    add_string (b, "truenas_version", kf_connection_get_truenas_version (connection));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
kf_cli_print_keypair (KfStore    *store,
                      KfKeypair  *keypair,
                      const char *private_key)
{
  g_autoptr(GPtrArray) users = kf_store_list_connections_using (store, kf_keypair_get_id (keypair));

  print_field (_("Name:"), 12, "%s", kf_cli_escape (kf_keypair_get_name (keypair)));
  print_field (_("Type:"), 12, "%s", kf_keypair_get_key_type (keypair));
  print_field (_("Bits:"), 12, "%u", kf_keypair_get_bits (keypair));
  print_field (_("Fingerprint:"), 12, "%s", kf_keypair_get_fingerprint (keypair));
  print_field (_("Comment:"), 12, "%s", kf_cli_escape (kf_keypair_get_comment (keypair)));
  print_field (_("Private key:"), 12, "%s",
               kf_keypair_get_has_private_key (keypair) ? _("in the keyring") : _("none (public key only)"));
  {
    g_autoptr(GString) names = g_string_new (NULL);
    for (guint i = 0; i < users->len; i++)
      g_string_append_printf (names, "%s%s", i ? ", " : "",
                              kf_cli_escape (kf_connection_get_name (g_ptr_array_index (users, i))));
    print_field (_("Used by:"), 12, "%s", users->len ? names->str : _("no connection"));
  }
  print_field (_("ID:"), 12, "%s", kf_keypair_get_id (keypair));
  printf ("\n%s\n", kf_keypair_get_public_key (keypair));
  if (private_key != NULL)
    printf ("\n%s%s", private_key, g_str_has_suffix (private_key, "\n") ? "" : "\n");
}

void
kf_cli_print_connection (KfStore      *store,
                         KfConnection *connection)
{
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;
  const char * const *host_keys = kf_connection_get_host_keys (connection);

  print_field (_("Name:"), 16, "%s", kf_cli_escape (kf_connection_get_name (connection)));
  print_field (_("Setup method:"), 16, "%s", kf_setup_method_to_string (kf_connection_get_setup_method (connection)));
  if (kf_connection_get_setup_method (connection) == KF_SETUP_METHOD_SEMI_AUTOMATIC)
    {
      print_field (_("TrueNAS URL:"), 16, "%s", kf_connection_get_truenas_url (connection));
      print_field (_("Admin user:"), 16, "%s", kf_connection_get_admin_username (connection));
      if (kf_connection_get_tls_pin (connection) != NULL)
        print_field (_("Pinned TLS:"), 16, "%s", kf_connection_get_tls_pin (connection));
    }
  print_field (_("Host:"), 16, "%s", kf_connection_get_host (connection));
  print_field (_("Port:"), 16, "%u", kf_connection_get_port (connection));
  print_field (_("Username:"), 16, "%s", kf_connection_get_username (connection));
  print_field (_("Key pair:"), 16, "%s", keypair ? kf_cli_escape (kf_keypair_get_name (keypair)) : _("(missing)"));
  print_field (_("Connect timeout:"), 16, "%u s", kf_connection_get_connect_timeout (connection));
  print_field (_("Last test:"), 16, "%s", kf_connection_get_test_message (connection)
               ? kf_connection_get_test_message (connection) : _("never tested"));
  printf ("%s\n", _("Host keys:"));
  for (guint i = 0; host_keys != NULL && host_keys[i] != NULL; i++)
    {
      g_autoptr(KfHostKey) key = kf_host_key_parse (host_keys[i], NULL);
      if (key != NULL)
        printf ("  %-22s %s\n", kf_host_key_get_key_type (key), kf_host_key_get_fingerprint (key));
      else
        printf ("  %s\n", _("(unreadable host key line)"));
    }
}
