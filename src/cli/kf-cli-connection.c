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

enum { LIST, ADD_MANUAL, DISCOVER, SHOW, TEST, DELETE };

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
  return kf_cli_list_command (&kf_cli_connection_commands[LIST], argc, argv,
                              kf_store_get_connections, connection_json, connection_line);
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
parse_accept (KfCliContext *ctx,
              const char   *accept)
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
          ctx->status = kf_cli_usage (ctx->command, _("“%s” is not a SHA256 fingerprint; copy it as “keyferry-cli connection discover-host-key” prints it (SHA256: and 43 characters)"),
                                      shown);
          return NULL;
        }
      full = g_strdup_printf ("SHA256:%.43s", body);
      g_strv_builder_add (b, full);
      n++;
    }
  if (n == 0)
    {
      ctx->status = kf_cli_usage (ctx->command, _("--accept lists no fingerprint; give the SHA256 fingerprints of the host keys to trust"));
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

/* What "connection add-manual" was given, and what its checks made of it. */
typedef struct {
  char        *host, *username, *keypair_name, *key_type_str, *host_key_file, *accept, *port_str, *timeout_str;
  gboolean     generate, discover, accept_any;
  char        *name;       /* checked and trimmed */
  KfHostInput  input;      /* --host taken apart, --username applied */
  KfKeyType    key_type;
  guint        port;       /* the SSH port to use */
  guint        timeout;
  GStrv        accepted;   /* --accept's fingerprints */
} AddManual;

static void
add_manual_clear (AddManual *a)
{
  g_free (a->host);
  g_free (a->username);
  g_free (a->keypair_name);
  g_free (a->key_type_str);
  g_free (a->host_key_file);
  g_free (a->accept);
  g_free (a->port_str);
  g_free (a->timeout_str);
  g_free (a->name);
  kf_host_input_clear (&a->input);
  g_strfreev (a->accepted);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddManual, add_manual_clear)

/* Which options go together: FALSE with the usage error printed. */
static gboolean
check_add_manual_options (KfCliContext *ctx,
                          AddManual    *a)
{
  const char *problem = NULL;

  if (a->host == NULL)
    problem = _("--host is required");
  else if ((a->keypair_name != NULL) == a->generate)
    problem = _("give exactly one of --keypair and --generate-key");
  else if (a->key_type_str != NULL && !a->generate)
    problem = _("--key-type needs --generate-key");
  else if (a->key_type_str != NULL && !kf_cli_parse_key_type (a->key_type_str, &a->key_type))
    {
      ctx->status = kf_cli_usage (ctx->command, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"),
                                  a->key_type_str);
      return FALSE;
    }
  else if ((a->host_key_file != NULL) == a->discover)
    problem = _("give exactly one of --host-key-file and --discover");
  else if (a->discover && (a->accept != NULL) == a->accept_any)
    problem = _("--discover needs exactly one of --accept and --accept-any");
  else if (!a->discover && (a->accept != NULL || a->accept_any))
    problem = _("--accept and --accept-any need --discover");
  if (problem != NULL)
    {
      ctx->status = kf_cli_usage (ctx->command, "%s", problem);
      return FALSE;
    }
  return kf_cli_parse_number (ctx, "--port", a->port_str, kf_connection_validate_port, &a->port)
         && kf_cli_parse_number (ctx, "--connect-timeout", a->timeout_str, kf_connection_validate_timeout, &a->timeout)
         && (a->accept == NULL || (a->accepted = parse_accept (ctx, a->accept)) != NULL);
}

/* The name, host and user as typed; FALSE with the error printed. */
static gboolean
check_add_manual_input (KfCliContext *ctx,
                        AddManual    *a)
{
  if (!(a->name = kf_cli_check_name (ctx->arg, _("connection"), &ctx->error))
      || !kf_connection_validate_host (a->host, &a->input, &ctx->error))
    {
      ctx->status = kf_cli_fail (ctx->error);
      return FALSE;
    }
  if (a->input.note != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", a->input.note);
  if (a->username != NULL)
    {
      g_free (a->input.username);
      if (!(a->input.username = kf_connection_validate_username (a->username, &ctx->error)))
        {
          ctx->status = kf_cli_fail (ctx->error);
          return FALSE;
        }
    }
  a->port = a->port ? a->port : a->input.port ? a->input.port : KF_CONNECTION_DEFAULT_PORT;
  return TRUE;
}

/* The new connection as given, checked against the store; NULL with the error printed. */
static KfConnection *
new_manual_connection (KfCliContext *ctx,
                       AddManual    *a)
{
  g_autoptr(KfConnection) connection = NULL;

  if (!kf_connection_validate_name_free (kf_store_get_connections (ctx->store), a->name, NULL, &ctx->error))
    {
      ctx->status = kf_cli_fail (ctx->error);
      return NULL;
    }
  connection = kf_connection_new (a->name);
  kf_connection_set_setup_method (connection, KF_SETUP_METHOD_MANUAL);
  kf_connection_set_host (connection, a->input.host);
  kf_connection_set_port (connection, a->port);
  kf_connection_set_username (connection, a->input.username ? a->input.username : "root");
  kf_connection_set_connect_timeout (connection, a->timeout);
  if (a->keypair_name != NULL)
    {
      KfKeypair *keypair = kf_cli_find_keypair (ctx->store, a->keypair_name);
      if (keypair == NULL)
        {
          ctx->status = KF_CLI_EXIT_FAILED;
          return NULL;
        }
      kf_connection_set_keypair_id (connection, kf_keypair_get_id (keypair));
    }
  return g_steal_pointer (&connection);
}

/* The host keys to trust, from --host-key-file or --discover; FALSE with the error printed. */
static gboolean
set_manual_host_keys (KfCliContext *ctx,
                      AddManual    *a,
                      KfConnection *connection)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(GStrv) lines = NULL;

  if (a->host_key_file != NULL)
    {
      g_autofree char *text = kf_cli_read_text (a->host_key_file, KF_MAX_KEY_TEXT_LEN, &ctx->error);
      if (text != NULL)
        keys = kf_host_key_parse_list (text, &ctx->error);
    }
  else
    {
      g_autoptr(GPtrArray) found = kf_ssh_probe_discover_sync (a->input.host, a->port, a->timeout, NULL, &ctx->error);
      if (found != NULL && a->accept_any)
        {
          fprintf (stderr, "keyferry-cli: %s\n", _("Trusting these host keys without checking them:"));
          print_host_keys (found, stderr);
          keys = g_ptr_array_ref (found);
        }
      else if (found != NULL)
        keys = filter_accepted (found, (const char * const *) a->accepted, &ctx->error);
    }
  if (keys == NULL)
    {
      ctx->status = kf_cli_fail (ctx->error);
      return FALSE;
    }
  lines = host_key_lines (keys);
  kf_connection_set_host_keys (connection, (const char * const *) lines);
  return TRUE;
}

static int
cmd_add_manual (int    argc,
                char **argv)
{
  g_auto(AddManual) a = { .key_type = KF_KEY_TYPE_ED25519, .timeout = KF_CONNECTION_DEFAULT_TIMEOUT };
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &a.host, N_("Host name or IP address"), "HOST" },
    { "port", 0, 0, G_OPTION_ARG_STRING, &a.port_str, N_("SSH port (default 22)"), "N" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &a.username, N_("User to log in as (default root)"), "USER" },
    { "keypair", 0, 0, G_OPTION_ARG_STRING, &a.keypair_name, N_("Existing key pair to log in with"), "NAME" },
    { "generate-key", 0, 0, G_OPTION_ARG_NONE, &a.generate, N_("Generate a new key pair “NAME Key”"), NULL },
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &a.key_type_str, N_("Type of the generated key (default ed25519)"), "TYPE" },
    { "host-key-file", 0, 0, G_OPTION_ARG_FILENAME, &a.host_key_file, N_("File with the server’s host keys (OpenSSH or known_hosts lines)"), "FILE" },
    { "discover", 0, 0, G_OPTION_ARG_NONE, &a.discover, N_("Ask the server for its host keys"), NULL },
    { "accept", 0, 0, G_OPTION_ARG_STRING, &a.accept, N_("Fingerprints of the discovered host keys to trust"), "SHA256:FP,…" },
    { "accept-any", 0, 0, G_OPTION_ARG_NONE, &a.accept_any, N_("Trust whatever host keys the server presents (not recommended)"), NULL },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &a.timeout_str, N_("Seconds to wait for the server (default 10)"), "S" },
    { NULL }
  };
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfConnection) connection = NULL;
  g_autoptr(KfConnection) saved = NULL;

  if (!kf_cli_command_parse (&ctx, &kf_cli_connection_commands[ADD_MANUAL], entries, argc, argv)
      || !check_add_manual_options (&ctx, &a)
      || !check_add_manual_input (&ctx, &a)
      || !kf_cli_command_open (&ctx)
      || !(connection = new_manual_connection (&ctx, &a))
      || !set_manual_host_keys (&ctx, &a, connection))
    return ctx.status;

  /* A signal now cancels (the generated key pair is removed again). */
  kf_connection_ops_add_async (ctx.vault, connection, a.generate, a.key_type, kf_cli_command_guard (&ctx),
                               kf_cli_async_done, &ctx.result);
  saved = kf_connection_ops_add_finish (kf_cli_command_wait (&ctx), &ctx.error);
  if (saved != NULL)
    kf_cli_print_connection (ctx.store, saved);
  return kf_cli_command_end (&ctx, saved != NULL);
}

static int
cmd_discover (int    argc,
              char **argv)
{
  g_autofree char *port_str = NULL, *timeout_str = NULL;
  guint port = 0, timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  g_auto(KfCliContext) ctx = { 0 };
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_STRING, &port_str, N_("SSH port (default 22)"), "N" },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_str, N_("Seconds to wait for the server (default 10)"), "S" },
    KF_CLI_OPTION_JSON (&ctx.json),
    { NULL }
  };
  g_autoptr(GPtrArray) keys = NULL;
  g_auto(KfHostInput) input = { 0 };

  if (!kf_cli_command_begin (&ctx, &kf_cli_connection_commands[DISCOVER], entries, argc, argv)
      || !kf_cli_parse_number (&ctx, "--port", port_str, kf_connection_validate_port, &port)
      || !kf_cli_parse_number (&ctx, "--connect-timeout", timeout_str, kf_connection_validate_timeout, &timeout))
    return ctx.status;
  if (!kf_connection_validate_host (ctx.arg, &input, &ctx.error))
    return kf_cli_fail (ctx.error);
  if (input.note != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", input.note);

  keys = kf_ssh_probe_discover_sync (input.host, port ? port : input.port ? input.port : KF_CONNECTION_DEFAULT_PORT,
                                     timeout, NULL, &ctx.error);
  if (keys == NULL)
    return kf_cli_fail (ctx.error);

  if (ctx.json)
    kf_cli_print_json (kf_cli_host_keys_to_json (keys));
  else
    print_host_keys (keys, stdout);
  return KF_CLI_EXIT_OK;
}

static int
cmd_show (int    argc,
          char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };

  if (!kf_cli_command_begin_json (&ctx, &kf_cli_connection_commands[SHOW], argc, argv))
    return ctx.status;
  if (ctx.json)
    kf_cli_print_json (kf_cli_connection_to_json (ctx.store, ctx.connection));
  else
    kf_cli_print_connection (ctx.store, ctx.connection);
  return KF_CLI_EXIT_OK;
}

JsonNode *
kf_cli_test_result_to_json (KfTestResult *result)
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
  if (kf_test_result_get_truenas_version (result) != NULL)
    {
      json_builder_set_member_name (b, "truenas_version");
      json_builder_add_string_value (b, kf_test_result_get_truenas_version (result));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
cmd_test (int    argc,
          char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *timing = NULL;
  int status;

  if (!kf_cli_command_begin_json (&ctx, &kf_cli_connection_commands[TEST], argc, argv))
    return ctx.status;

  /* The outcome is recorded in the store: a signal cancels instead of cutting that short. */
  kf_connection_ops_test_async (ctx.vault, ctx.connection, kf_cli_command_guard (&ctx), kf_cli_async_done, &ctx.result);
  result = kf_connection_ops_test_finish (kf_cli_command_wait (&ctx), &ctx.error);
  if ((status = kf_cli_command_end (&ctx, result != NULL)) != KF_CLI_EXIT_OK)
    return status;

  timing = kf_test_result_format_timing (result);
  if (ctx.json)
    kf_cli_print_json (kf_cli_test_result_to_json (result));
  else if (kf_test_result_get_ok (result))
    printf ("%s (%s)\n", kf_test_result_get_message (result), timing);

  if (!kf_test_result_get_ok (result))
    {
      if (!ctx.json)
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
  g_auto(KfCliContext) ctx = { 0 };
  KfKeypair *keypair;

  if (!kf_cli_command_begin (&ctx, &kf_cli_connection_commands[DELETE], entries, argc, argv))
    return ctx.status;

  keypair = kf_connection_ops_get_exclusive_keypair (ctx.store, ctx.connection);
  if (with_keypair && keypair == NULL && kf_connection_get_keypair_id (ctx.connection) != NULL)
    fprintf (stderr, "keyferry-cli: %s\n", _("The key pair is used by other connections too; it is kept."));
  else if (with_keypair && keypair != NULL)
    printf (_("Deleting key pair “%s”\n"), kf_cli_escape (kf_keypair_get_name (keypair)));

  /* Not cancellable: a delete runs to its end, then a held-back signal ends us. */
  kf_cli_command_guard (&ctx);
  kf_connection_ops_delete_async (ctx.vault, ctx.connection, with_keypair, NULL, kf_cli_async_done, &ctx.result);
  return kf_cli_command_end (&ctx, kf_connection_ops_delete_finish (kf_cli_command_wait (&ctx), &ctx.error));
}

const KfCliCommand kf_cli_connection_commands[] = {
  [LIST] = { "connection", "list", "[--json]", N_("List the SSH connections"), cmd_list, 0, KF_CLI_NEEDS_STORE },
  [ADD_MANUAL] = { "connection", "add-manual",
    "NAME --host HOST [--port N] [--username USER] (--keypair NAME | --generate-key [--key-type TYPE]) "
    "(--host-key-file FILE | --discover --accept SHA256:FP[,…] | --discover --accept-any) [--connect-timeout S]",
    N_("Add a connection to any SSH server"), cmd_add_manual, 1, KF_CLI_NEEDS_VAULT },
  [DISCOVER] = { "connection", "discover-host-key", "HOST [--port N] [--connect-timeout S] [--json]",
    N_("Show the host keys an SSH server offers, with fingerprints"), cmd_discover, 1, KF_CLI_NEEDS_NOTHING },
  [SHOW] = { "connection", "show", "NAME [--json]", N_("Show a connection"), cmd_show, 1, KF_CLI_NEEDS_CONNECTION },
  [TEST] = { "connection", "test", "NAME [--json]", N_("Log in with the key pair and run a trivial command"), cmd_test,
    1, KF_CLI_NEEDS_CONNECTION | KF_CLI_NEEDS_VAULT },
  [DELETE] = { "connection", "delete", "NAME [--with-keypair]", N_("Delete a connection"), cmd_delete,
    1, KF_CLI_NEEDS_CONNECTION | KF_CLI_NEEDS_VAULT },
  { NULL }
};
