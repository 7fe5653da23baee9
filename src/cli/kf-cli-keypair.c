/* kf-cli-keypair.c: keyferry-cli keypair list|generate|import|show|export|delete
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-key-export.h"
#include "kf-keyring.h"
#include "kf-ssh-key.h"
#include "kf-vault.h"

#include <glib/gi18n.h>
#include <stdio.h>

enum { LIST, GENERATE, IMPORT, SHOW, EXPORT, DELETE };

static JsonNode *
keypair_json (KfStore  *store,
              gpointer  item)
{
  return kf_cli_keypair_to_json (store, item, FALSE, NULL);
}

static void
keypair_line (KfStore  *store,
              gpointer  item)
{
  KfKeypair *kp = item;

  printf ("%-24s %-20s %5u  %s%s\n",
          kf_cli_escape (kf_keypair_get_name (kp)), kf_keypair_get_key_type (kp), kf_keypair_get_bits (kp),
          kf_keypair_get_fingerprint (kp),
          kf_keypair_get_has_private_key (kp) ? "" : _("  (public key only)"));
}

static int
cmd_list (int    argc,
          char **argv)
{
  return kf_cli_list_command (&kf_cli_keypair_commands[LIST], argc, argv,
                              kf_store_get_keypairs, keypair_json, keypair_line);
}

/* Saves @material as a new key pair named @name through the vault (secret first). */
static int
save_material (KfCliContext  *ctx,
               const char    *name,
               KfKeyMaterial *material)
{
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);
  int status;

  kf_key_material_apply_to_keypair (material, keypair);
  /* Keyring then store: a signal must not fall between them. */
  kf_cli_command_guard (ctx);
  status = kf_cli_command_end (ctx, kf_vault_add_keypair_sync (ctx->vault, keypair, kf_key_material_get_private_key (material),
                                                               NULL, &ctx->error));
  if (status == KF_CLI_EXIT_OK)
    printf ("%s %s\n", kf_keypair_get_fingerprint (keypair), kf_cli_escape (kf_keypair_get_name (keypair)));
  return status;
}

/* The trimmed new name, or NULL (error printed) when it is not valid or taken. */
static char *
check_new_name (KfCliContext *ctx)
{
  g_autofree char *valid = kf_cli_check_name (ctx->arg, _("key pair"), &ctx->error);

  if (valid == NULL
      || !kf_connection_validate_name_free (kf_store_get_keypairs (ctx->store), valid, NULL, &ctx->error))
    {
      ctx->status = kf_cli_fail (ctx->error);
      return NULL;
    }
  return g_steal_pointer (&valid);
}

static int
cmd_generate (int    argc,
              char **argv)
{
  g_autofree char *type_str = NULL;
  g_autofree char *comment = NULL;
  int bits = 0;
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &type_str, N_("ed25519 (default), ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"), "TYPE" },
    { "bits", 0, 0, G_OPTION_ARG_INT, &bits, N_("RSA key size: 2048, 3072 (default) or 4096"), "N" },
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment, N_("Comment stored in the public key"), "TEXT" },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_keypair_commands[GENERATE];
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *name = NULL;
  KfKeyType type = KF_KEY_TYPE_ED25519;

  if (!kf_cli_command_parse (&ctx, cmd, entries, argc, argv))
    return ctx.status;
  if (type_str != NULL && !kf_cli_parse_key_type (type_str, &type))
    return kf_cli_usage (cmd, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"), type_str);
  if (bits < 0)
    return kf_cli_usage (cmd, _("--bits must be positive"));
  if (!kf_ssh_key_check_bits (type, bits, &ctx.error))
    return kf_cli_usage (cmd, "%s", ctx.error->message);

  if (!kf_cli_command_open (&ctx) || !(name = check_new_name (&ctx)))
    return ctx.status;

  material = kf_ssh_key_generate_sync (type, bits, comment, NULL, &ctx.error);
  if (material == NULL)
    return kf_cli_fail (ctx.error);
  return save_material (&ctx, name, material);
}

/* The passphrase (with --passphrase-stdin), then the private and the public
 * key text; FALSE with the error printed, nothing left unwiped. The
 * passphrase is read first, up to its newline and not a byte further, so that
 * with --private-key-file - the key is the rest of standard input (a
 * sandboxed keyferry-cli reads ~/.ssh only that way). */
static gboolean
read_import_inputs (KfCliContext *ctx,
                    gboolean      passphrase_stdin,
                    const char   *private_file,
                    const char   *public_file,
                    char        **passphrase,
                    char        **private_text,
                    char        **public_text)
{
  if (passphrase_stdin && !(*passphrase = kf_cli_read_secret_line (&ctx->error)))
    ctx->status = ctx->error ? kf_cli_fail (ctx->error) : kf_cli_fail_message (_("No passphrase on standard input."));
  else if (private_file != NULL && !(*private_text = kf_cli_read_text (private_file, KF_MAX_KEY_TEXT_LEN, &ctx->error)))
    ctx->status = kf_cli_fail (ctx->error);
  else if (public_file != NULL && !(*public_text = kf_cli_read_text (public_file, KF_MAX_KEY_TEXT_LEN, &ctx->error)))
    ctx->status = kf_cli_fail (ctx->error);
  else
    return TRUE;
  g_clear_pointer (passphrase, kf_secret_free);
  g_clear_pointer (private_text, kf_secret_free);
  return FALSE;
}

static int
cmd_import (int    argc,
            char **argv)
{
  g_autofree char *private_file = NULL;
  g_autofree char *public_file = NULL;
  gboolean passphrase_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "private-key-file", 0, 0, G_OPTION_ARG_FILENAME, &private_file, N_("Private key (OpenSSH or PEM); - reads standard input"), "FILE" },
    { "public-key-file", 0, 0, G_OPTION_ARG_FILENAME, &public_file, N_("Public key; must match the private key"), "FILE" },
    { "passphrase-stdin", 0, 0, G_OPTION_ARG_NONE, &passphrase_stdin, N_("Read the private key’s passphrase from standard input (its first line, when the key follows it there)"), NULL },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_keypair_commands[IMPORT];
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *name = NULL;
  char *private_text = NULL;
  char *passphrase = NULL;
  g_autofree char *public_text = NULL;

  if (!kf_cli_command_parse (&ctx, cmd, entries, argc, argv))
    return ctx.status;
  if (private_file == NULL && public_file == NULL)
    return kf_cli_usage (cmd, _("give --private-key-file, --public-key-file, or both"));
  if (passphrase_stdin && private_file == NULL)
    return kf_cli_usage (cmd, _("--passphrase-stdin needs --private-key-file"));
  if (g_strcmp0 (public_file, "-") == 0 && (passphrase_stdin || g_strcmp0 (private_file, "-") == 0))
    return kf_cli_usage (cmd, _("only one input can come from standard input"));

  if (!kf_cli_command_open (&ctx) || !(name = check_new_name (&ctx))
      || !read_import_inputs (&ctx, passphrase_stdin, private_file, public_file,
                              &passphrase, &private_text, &public_text))
    return ctx.status;

  material = kf_ssh_key_import (private_text, public_text, passphrase, &ctx.error);
  kf_secret_free (passphrase);
  kf_secret_free (private_text);
  if (material == NULL && !passphrase_stdin && g_error_matches (ctx.error, KF_KEY_ERROR, KF_KEY_ERROR_NEEDS_PASSPHRASE))
    return kf_cli_fail_message (_("This private key is protected by a passphrase; run again with --passphrase-stdin and give the passphrase on standard input."));
  if (material == NULL)
    return kf_cli_fail (ctx.error);
  return save_material (&ctx, name, material);
}

/* The key pair's private key from the keyring into *private_key; FALSE with
 * the error printed. */
static gboolean
get_private_key (KfCliContext  *ctx,
                 KfSecret     **private_key)
{
  *private_key = kf_vault_get_private_key_sync (ctx->vault, ctx->keypair, NULL, &ctx->error);
  if (*private_key == NULL)
    {
      ctx->status = kf_cli_fail (ctx->error);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_show (int    argc,
          char **argv)
{
  gboolean private = FALSE;
  g_auto(KfCliContext) ctx = { 0 };
  const GOptionEntry entries[] = {
    KF_CLI_OPTION_JSON (&ctx.json),
    { "private", 0, 0, G_OPTION_ARG_NONE, &private, N_("Also print the private key (from the keyring)"), NULL },
    { NULL }
  };
  g_autoptr(KfSecret) private_key = NULL;

  if (!kf_cli_command_begin (&ctx, &kf_cli_keypair_commands[SHOW], entries, argc, argv))
    return ctx.status;
  if (private && !get_private_key (&ctx, &private_key))
    return ctx.status;

  if (ctx.json)
    kf_cli_print_json (kf_cli_keypair_to_json (ctx.store, ctx.keypair, private, private_key));
  else
    kf_cli_print_keypair (ctx.store, ctx.keypair, private_key);
  return KF_CLI_EXIT_OK;
}

static int
cmd_export (int    argc,
            char **argv)
{
  g_autofree char *output_dir = NULL;
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "output-dir", 0, 0, G_OPTION_ARG_FILENAME, &output_dir, N_("Folder to write NAME and NAME.pub into"), "DIR" },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Replace existing files"), NULL },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_keypair_commands[EXPORT];
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfSecret) private_key = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;

  if (!kf_cli_command_parse (&ctx, cmd, entries, argc, argv))
    return ctx.status;
  if (output_dir == NULL)
    return kf_cli_usage (cmd, _("--output-dir is required"));
  if (!g_file_test (output_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *shown = kf_cli_display (output_dir);
      return kf_cli_fail_message (_("“%s” is not a folder; give an existing folder to --output-dir."), shown);
    }
  if (!kf_cli_command_open (&ctx))
    return ctx.status;
  if (kf_keypair_get_has_private_key (ctx.keypair) && !get_private_key (&ctx, &private_key))
    return ctx.status;

  file_name = kf_key_export_file_name (kf_keypair_get_name (ctx.keypair));
  path = g_build_filename (output_dir, file_name, NULL);
  if (!kf_key_export_write (path, private_key, kf_keypair_get_public_key (ctx.keypair), force, &ctx.error))
    {
      if (g_error_matches (ctx.error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return kf_cli_fail_message (_("%s Or pass --force to replace it."), ctx.error->message);
      return kf_cli_fail (ctx.error);
    }
  if (private_key != NULL)
    printf ("%s\n", path);
  printf ("%s.pub\n", path);
  return KF_CLI_EXIT_OK;
}

/* Refuses to delete a key pair that connections use without
 * --with-connections (error printed, FALSE); else lists what goes with it. */
static gboolean
check_users (KfCliContext *ctx,
             GPtrArray    *users,
             gboolean      with_connections)
{
  if (users->len > 0 && !with_connections)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *shown = kf_cli_display (kf_keypair_get_name (ctx->keypair));
      for (guint i = 0; i < users->len; i++)
        {
          g_autofree char *user = kf_cli_display (kf_connection_get_name (g_ptr_array_index (users, i)));
          g_string_append_printf (names, "%s“%s”", i ? ", " : "", user);
        }
      ctx->status = kf_cli_fail_message (_("The key pair “%s” is used by %s; delete those first or pass --with-connections."),
                                         shown, names->str);
      return FALSE;
    }
  for (guint i = 0; i < users->len; i++)
    printf (_("Deleting connection “%s”\n"), kf_cli_escape (kf_connection_get_name (g_ptr_array_index (users, i))));
  return TRUE;
}

static int
cmd_delete (int    argc,
            char **argv)
{
  gboolean with_connections = FALSE;
  const GOptionEntry entries[] = {
    { "with-connections", 0, 0, G_OPTION_ARG_NONE, &with_connections, N_("Also delete the connections that use it"), NULL },
    { NULL }
  };
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(GPtrArray) users = NULL;

  if (!kf_cli_command_begin (&ctx, &kf_cli_keypair_commands[DELETE], entries, argc, argv))
    return ctx.status;
  users = kf_store_list_connections_using (ctx.store, kf_keypair_get_id (ctx.keypair));
  if (!check_users (&ctx, users, with_connections))
    return ctx.status;

  kf_cli_command_guard (&ctx);
  return kf_cli_command_end (&ctx, kf_vault_delete_keypair_sync (ctx.vault, kf_keypair_get_id (ctx.keypair),
                                                                 with_connections, NULL, &ctx.error));
}

const KfCliCommand kf_cli_keypair_commands[] = {
  [LIST] = { "keypair", "list", "[--json]", N_("List the key pairs"), cmd_list, 0, KF_CLI_NEEDS_STORE },
  [GENERATE] = { "keypair", "generate", "NAME [--type TYPE] [--bits N] [--comment TEXT]",
    N_("Generate a key pair (Ed25519 by default)"), cmd_generate, 1, KF_CLI_NEEDS_VAULT },
  [IMPORT] = { "keypair", "import", "NAME [--private-key-file FILE|-] [--public-key-file FILE] [--passphrase-stdin]",
    N_("Import a private key, or a public key alone"), cmd_import, 1, KF_CLI_NEEDS_VAULT },
  [SHOW] = { "keypair", "show", "NAME [--json] [--private]", N_("Show a key pair"), cmd_show,
    1, KF_CLI_NEEDS_KEYPAIR | KF_CLI_NEEDS_VAULT },
  [EXPORT] = { "keypair", "export", "NAME --output-dir DIR [--force]", N_("Write NAME (0600) and NAME.pub into a folder"),
    cmd_export, 1, KF_CLI_NEEDS_KEYPAIR | KF_CLI_NEEDS_VAULT },
  [DELETE] = { "keypair", "delete", "NAME [--with-connections]", N_("Delete a key pair"), cmd_delete,
    1, KF_CLI_NEEDS_KEYPAIR | KF_CLI_NEEDS_VAULT },
  /* kf-cli-rotate.c; NAME is optional (not with --resume), so no positional count. */
  { "keypair", "rotate", "NAME [--type TYPE] [--bits N] [--connections A,B,…] [--dry-run] | --resume [--rollback] [--dry-run]",
    N_("Replace a key pair by a new one on every box that uses it"), kf_cli_keypair_rotate, 0, KF_CLI_NEEDS_VAULT,
    N_("TrueNAS boxes: the admin password (or with --api-key-stdin an API key) of each, one line per box on\n"
       "standard input, in the order --dry-run prints; a TrueNAS that asks for a one-time password gets the\n"
       "next line, read when it asks. Progress goes to standard error, one line per box and\n"
       "step (“keyferry-cli: rotate: BOX: STEP: …”); each box's outcome to standard output.\n"
       "An interrupted rotation is recorded; --resume finishes it, --resume --rollback takes every box back\n"
       "to the old key pair. The old key pair is never deleted by a rotation.\n"
       "Exit status: 0 every box rotated (or rolled back), 1 otherwise (each failed box is named with what\n"
       "remains on it), 2 usage.") },
  { NULL }
};
