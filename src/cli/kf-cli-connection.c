/* kf-cli-connection.c: keyferry-cli connection …
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-connection-ops.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-ssh-probe.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

static int cmd_list (int argc, char **argv);
static int cmd_add_manual (int argc, char **argv);
static int cmd_discover (int argc, char **argv);
static int cmd_show (int argc, char **argv);
static int cmd_test (int argc, char **argv);
static int cmd_delete (int argc, char **argv);

enum { LIST, ADD_MANUAL, DISCOVER, SHOW, TEST, DELETE };

const KfCliCommand kf_cli_connection_commands[] = {
  [LIST] = { "connection", "list", "[--json]", N_("List the SSH connections"), cmd_list },
  [ADD_MANUAL] = { "connection", "add-manual",
    "NAME --host HOST [--port N] [--username USER] (--keypair NAME | --generate-key [--key-type TYPE]) "
    "(--host-key-file FILE | --discover --accept SHA256:FP[,…] | --discover --accept-any) [--connect-timeout S]",
    N_("Add a connection to any SSH server"), cmd_add_manual },
  [DISCOVER] = { "connection", "discover-host-key", "HOST [--port N] [--connect-timeout S] [--json]",
    N_("Show the host keys an SSH server offers, with fingerprints"), cmd_discover },
  [SHOW] = { "connection", "show", "NAME [--json]", N_("Show a connection"), cmd_show },
  [TEST] = { "connection", "test", "NAME [--json]", N_("Log in with the key pair and run a trivial command"), cmd_test },
  [DELETE] = { "connection", "delete", "NAME [--with-keypair]", N_("Delete a connection"), cmd_delete },
  { NULL }
};

static JsonNode *
connection_json (KfStore  *store,
                 gpointer  item)
{
  return kf_cli_connection_to_json (store, item);
}

static void
connection_line (KfStore  *store,
                 gpointer  item)
{
  KfConnection *c = item;
  g_autofree char *address = kf_ssh_probe_format_address (kf_connection_get_host (c), kf_connection_get_port (c));

  printf ("%-24s %s@%s  %s\n", kf_cli_escape (kf_connection_get_name (c)), kf_connection_get_username (c), address,
          kf_setup_method_to_string (kf_connection_get_setup_method (c)));
}

static int
cmd_list (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autoptr(KfStore) store = NULL;
  int status;

  if (!(store = kf_cli_begin_json_command (&kf_cli_connection_commands[LIST], 0, &argc, &argv, &json, &status)))
    return status;
  return kf_cli_print_list (store, kf_store_get_connections (store), json, connection_json, connection_line);
}

static void
print_host_keys (GPtrArray *keys,
                 FILE      *out)
{
  for (guint i = 0; i < keys->len; i++)
    {
      KfHostKey *key = g_ptr_array_index (keys, i);
      fprintf (out, "%-22s %s\n", kf_host_key_get_key_type (key), kf_host_key_get_fingerprint (key));
    }
}

/* The fingerprints of --accept (comma separated), each "SHA256:" and 43
 * base64 characters as ssh-keygen -l prints them (the prefix may be left
 * out); NULL with a usage error printed, before any connection is made. */
static GStrv
parse_accept (const KfCliCommand *cmd,
              const char         *accept,
              int                *status)
{
  g_auto(GStrv) items = g_strsplit (accept, ",", -1);
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      const char *fp = g_strstrip (items[i]);
      const char *body = g_str_has_prefix (fp, "SHA256:") ? fp + 7 : fp;
      gsize len = strlen (body);
      g_autofree char *full = NULL;

      if (*fp == '\0')
        continue;
      /* Some tools print the base64 with its "=" padding. */
      if (len == 44 && body[43] == '=')
        len = 43;
      if (len != 43 || strspn (body, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") < 43)
        {
          g_autofree char *shown = kf_cli_display (fp);
          *status = kf_cli_usage (cmd, _("“%s” is not a SHA256 fingerprint; copy it as “keyferry-cli connection discover-host-key” prints it (SHA256: and 43 characters)"),
                                  shown);
          return NULL;
        }
      full = g_strdup_printf ("SHA256:%.43s", body);
      g_strv_builder_add (b, full);
      n++;
    }
  if (n == 0)
    {
      *status = kf_cli_usage (cmd, _("--accept lists no fingerprint; give the SHA256 fingerprints of the host keys to trust"));
      return NULL;
    }
  return g_strv_builder_end (b);
}

/* Keeps the discovered keys whose fingerprints are in @wanted;
 * every accepted fingerprint must have been presented. */
static GPtrArray *
filter_accepted (GPtrArray          *keys,
                 const char * const *wanted,
                 GError            **error)
{
  g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint w = 0; wanted[w] != NULL; w++)
    {
      const char *fp = wanted[w];
      gboolean found = FALSE;
      for (guint i = 0; i < keys->len; i++)
        {
          KfHostKey *key = g_ptr_array_index (keys, i);
          if (g_str_equal (kf_host_key_get_fingerprint (key), fp))
            {
              if (!g_ptr_array_find (kept, key, NULL))
                g_ptr_array_add (kept, g_object_ref (key));
              found = TRUE;
            }
        }
      if (!found)
        {
          g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH,
                       _("The server did not present the host key %s; check the fingerprint and the host."), fp);
          return NULL;
        }
    }
  return g_steal_pointer (&kept);
}

static GStrv
host_key_lines (GPtrArray *keys)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (b, kf_host_key_get_line (g_ptr_array_index (keys, i)));
  return g_strv_builder_end (b);
}

static int
cmd_add_manual (int    argc,
                char **argv)
{
  g_autofree char *host = NULL;
  g_autofree char *username = NULL;
  g_autofree char *keypair_name = NULL;
  g_autofree char *key_type_str = NULL;
  g_autofree char *host_key_file = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *port_str = NULL, *timeout_str = NULL;
  g_auto(GStrv) accepted = NULL;
  gboolean generate = FALSE, discover = FALSE, accept_any = FALSE;
  guint port = 0;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, N_("Host name or IP address"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_STRING, &port_str, N_("SSH port (default 22)"), "N" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("User to log in as (default root)"), "USER" },
    { "keypair", 0, 0, G_OPTION_ARG_STRING, &keypair_name, N_("Existing key pair to log in with"), "NAME" },
    { "generate-key", 0, 0, G_OPTION_ARG_NONE, &generate, N_("Generate a new key pair “NAME Key”"), NULL },
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &key_type_str, N_("Type of the generated key (default ed25519)"), "TYPE" },
    { "host-key-file", 0, 0, G_OPTION_ARG_FILENAME, &host_key_file, N_("File with the server’s host keys (OpenSSH or known_hosts lines)"), "FILE" },
    { "discover", 0, 0, G_OPTION_ARG_NONE, &discover, N_("Ask the server for its host keys"), NULL },
    { "accept", 0, 0, G_OPTION_ARG_STRING, &accept, N_("Fingerprints of the discovered host keys to trust"), "SHA256:FP,…" },
    { "accept-any", 0, 0, G_OPTION_ARG_NONE, &accept_any, N_("Trust whatever host keys the server presents (not recommended)"), NULL },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_str, N_("Seconds to wait for the server (default 10)"), "S" },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_connection_commands[ADD_MANUAL];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(KfConnection) connection = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(KfHostInput) input = { 0 };
  g_autofree char *name = NULL;
  g_autoptr(KfConnection) saved = NULL;
  KfKeyType key_type = KF_KEY_TYPE_ED25519;
  guint final_port, final_timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (host == NULL)
    return kf_cli_usage (cmd, _("--host is required"));
  if ((keypair_name != NULL) == generate)
    return kf_cli_usage (cmd, _("give exactly one of --keypair and --generate-key"));
  if (key_type_str != NULL && !generate)
    return kf_cli_usage (cmd, _("--key-type needs --generate-key"));
  if (key_type_str != NULL && !kf_cli_parse_key_type (key_type_str, &key_type))
    return kf_cli_usage (cmd, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"), key_type_str);
  if ((host_key_file != NULL) == discover)
    return kf_cli_usage (cmd, _("give exactly one of --host-key-file and --discover"));
  if (discover && (accept != NULL) == accept_any)
    return kf_cli_usage (cmd, _("--discover needs exactly one of --accept and --accept-any"));
  if (!discover && (accept != NULL || accept_any))
    return kf_cli_usage (cmd, _("--accept and --accept-any need --discover"));
  if (!kf_cli_parse_port (cmd, port_str, &port, &status)
      || !kf_cli_parse_timeout (cmd, timeout_str, &final_timeout, &status))
    return status;
  if (accept != NULL && !(accepted = parse_accept (cmd, accept, &status)))
    return status;

  if (!(name = kf_cli_check_name (argv[1], _("connection"), &error)))
    return kf_cli_fail (error);
  if (!kf_connection_validate_host (host, &input, &error))
    return kf_cli_fail (error);
  if (input.note != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", input.note);
  if (username != NULL)
    {
      g_free (input.username);
      if (!(input.username = kf_connection_validate_username (username, &error)))
        return kf_cli_fail (error);
    }
  final_port = port ? port : input.port ? input.port : KF_CONNECTION_DEFAULT_PORT;

  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (kf_store_find_connection_by_name (store, name) != NULL)
    {
      g_autofree char *shown = kf_cli_display (name);
      return kf_cli_fail_message (_("A connection named “%s” already exists; choose another name."), shown);
    }

  connection = kf_connection_new (name);
  kf_connection_set_setup_method (connection, KF_SETUP_METHOD_MANUAL);
  kf_connection_set_host (connection, input.host);
  kf_connection_set_port (connection, final_port);
  kf_connection_set_username (connection, input.username ? input.username : "root");
  kf_connection_set_connect_timeout (connection, final_timeout);
  if (keypair_name != NULL)
    {
      KfKeypair *keypair = kf_cli_find_keypair (store, keypair_name);
      if (keypair == NULL)
        return KF_CLI_EXIT_FAILED;
      kf_connection_set_keypair_id (connection, kf_keypair_get_id (keypair));
    }

  if (host_key_file != NULL)
    {
      g_autofree char *text = kf_cli_read_text (host_key_file, KF_MAX_KEY_TEXT_LEN, &error);
      if (text == NULL || !(keys = kf_host_key_parse_list (text, &error)))
        return kf_cli_fail (error);
    }
  else
    {
      g_autoptr(GPtrArray) found = kf_ssh_probe_discover_sync (input.host, final_port, final_timeout, NULL, &error);
      if (found == NULL)
        return kf_cli_fail (error);
      if (accept_any)
        {
          fprintf (stderr, "keyferry-cli: %s\n", _("Trusting these host keys without checking them:"));
          print_host_keys (found, stderr);
          keys = g_ptr_array_ref (found);
        }
      else if (!(keys = filter_accepted (found, (const char * const *) accepted, &error)))
        return kf_cli_fail (error);
    }
  lines = host_key_lines (keys);
  kf_connection_set_host_keys (connection, (const char * const *) lines);

  vault = kf_vault_new (store);
  /* A signal now cancels (the generated key pair is removed again). */
  kf_cli_guard_begin ();
  kf_connection_ops_add_async (vault, connection, generate, key_type, kf_cli_get_cancellable (),
                               kf_cli_async_done, &result);
  saved = kf_connection_ops_add_finish (kf_cli_wait (&result), &error);
  if (saved == NULL)
    status = kf_cli_fail (error);
  else
    {
      kf_cli_print_connection (store, saved);
      status = KF_CLI_EXIT_OK;
    }
  kf_cli_guard_end ();
  return status;
}

static int
cmd_discover (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  g_autofree char *port_str = NULL, *timeout_str = NULL;
  guint port = 0, timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_STRING, &port_str, N_("SSH port (default 22)"), "N" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_str, N_("Seconds to wait for the server (default 10)"), "S" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_connection_commands[DISCOVER];
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(KfHostInput) input = { 0 };
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (!kf_cli_parse_port (cmd, port_str, &port, &status)
      || !kf_cli_parse_timeout (cmd, timeout_str, &timeout, &status))
    return status;
  if (!kf_connection_validate_host (argv[1], &input, &error))
    return kf_cli_fail (error);
  if (input.note != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", input.note);

  keys = kf_ssh_probe_discover_sync (input.host, port ? port : input.port ? input.port : KF_CONNECTION_DEFAULT_PORT,
                                     timeout, NULL, &error);
  if (keys == NULL)
    return kf_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_array (b);
      for (guint i = 0; i < keys->len; i++)
        {
          KfHostKey *key = g_ptr_array_index (keys, i);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "type");
          json_builder_add_string_value (b, kf_host_key_get_key_type (key));
          json_builder_set_member_name (b, "key");
          json_builder_add_string_value (b, kf_host_key_get_base64 (key));
          json_builder_set_member_name (b, "fingerprint");
          json_builder_add_string_value (b, kf_host_key_get_fingerprint (key));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      kf_cli_print_json (json_builder_get_root (b));
    }
  else
    print_host_keys (keys, stdout);
  return KF_CLI_EXIT_OK;
}

static int
cmd_show (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  g_autoptr(KfStore) store = NULL;
  KfConnection *connection;
  int status;

  if (!(store = kf_cli_begin_json_command (&kf_cli_connection_commands[SHOW], 1, &argc, &argv, &json, &status)))
    return status;
  if (!(connection = kf_cli_find_connection (store, argv[1])))
    return KF_CLI_EXIT_FAILED;
  if (json)
    kf_cli_print_json (kf_cli_connection_to_json (store, connection));
  else
    kf_cli_print_connection (store, connection);
  return KF_CLI_EXIT_OK;
}

static int
cmd_test (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *timing = NULL;
  KfConnection *connection;
  int status;

  if (!kf_cli_parse (&kf_cli_connection_commands[TEST], entries, 1, &argc, &argv, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(connection = kf_cli_find_connection (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  vault = kf_vault_new (store);
  /* The outcome is recorded in the store: a signal cancels instead of cutting that short. */
  kf_cli_guard_begin ();
  kf_connection_ops_test_async (vault, connection, kf_cli_get_cancellable (), kf_cli_async_done, &res);
  result = kf_connection_ops_test_finish (kf_cli_wait (&res), &error);
  kf_cli_guard_end ();
  if (result == NULL)
    return kf_cli_fail (error);

  timing = kf_test_result_format_timing (result);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, kf_test_result_get_ok (result));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, kf_test_result_get_message (result));
      json_builder_set_member_name (b, "host_key_fingerprint");
      json_builder_add_string_value (b, kf_test_result_get_host_key_fingerprint (result));
      json_builder_set_member_name (b, "host_key_verified");
      json_builder_add_boolean_value (b, kf_test_result_get_host_key_verified (result));
      json_builder_set_member_name (b, "phases");
      json_builder_begin_array (b);
      for (guint i = 0; i < kf_test_result_get_n_phases (result); i++)
        {
          double ms;
          gboolean ok;
          KfTestPhase phase = kf_test_result_get_phase (result, i, &ms, &ok);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "phase");
          json_builder_add_string_value (b, kf_test_phase_to_string (phase));
          json_builder_set_member_name (b, "ms");
          json_builder_add_double_value (b, ms);
          json_builder_set_member_name (b, "ok");
          json_builder_add_boolean_value (b, ok);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_set_member_name (b, "total_ms");
      json_builder_add_double_value (b, kf_test_result_get_total_ms (result));
      json_builder_end_object (b);
      kf_cli_print_json (json_builder_get_root (b));
    }
  else if (kf_test_result_get_ok (result))
    printf ("%s (%s)\n", kf_test_result_get_message (result), timing);

  if (!kf_test_result_get_ok (result))
    {
      if (!json)
        fprintf (stderr, "keyferry-cli: %s\n", kf_test_result_get_message (result));
      return KF_CLI_EXIT_FAILED;
    }
  return KF_CLI_EXIT_OK;
}

static int
cmd_delete (int    argc,
            char **argv)
{
  gboolean with_keypair = FALSE;
  const GOptionEntry entries[] = {
    { "with-keypair", 0, 0, G_OPTION_ARG_NONE, &with_keypair, N_("Also delete its key pair if no other connection uses it"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(GAsyncResult) res = NULL;
  KfConnection *connection;
  KfKeypair *keypair;
  int status;

  if (!kf_cli_parse (&kf_cli_connection_commands[DELETE], entries, 1, &argc, &argv, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(connection = kf_cli_find_connection (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  keypair = kf_connection_ops_get_exclusive_keypair (store, connection);
  if (with_keypair && keypair == NULL && kf_connection_get_keypair_id (connection) != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", _("The key pair is used by other connections too; it is kept."));
  else if (with_keypair && keypair != NULL)
    printf (_("Deleting key pair “%s”\n"), kf_cli_escape (kf_keypair_get_name (keypair)));

  vault = kf_vault_new (store);
  g_object_ref (connection);
  /* Not cancellable: a delete runs to its end, then a held-back signal ends us. */
  kf_cli_guard_begin ();
  kf_connection_ops_delete_async (vault, connection, with_keypair, NULL, kf_cli_async_done, &res);
  g_object_unref (connection);
  status = kf_connection_ops_delete_finish (kf_cli_wait (&res), &error) ? KF_CLI_EXIT_OK : kf_cli_fail (error);
  kf_cli_guard_end ();
  return status;
}
