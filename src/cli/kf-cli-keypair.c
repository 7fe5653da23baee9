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

static int cmd_list (int argc, char **argv);
static int cmd_generate (int argc, char **argv);
static int cmd_import (int argc, char **argv);
static int cmd_show (int argc, char **argv);
static int cmd_export (int argc, char **argv);
static int cmd_delete (int argc, char **argv);

const KfCliCommand kf_cli_keypair_commands[] = {
  { "keypair", "list", "[--json]", N_("List the key pairs"), cmd_list },
  { "keypair", "generate", "NAME [--type TYPE] [--bits N] [--comment TEXT]",
    N_("Generate a key pair (Ed25519 by default)"), cmd_generate },
  { "keypair", "import", "NAME [--private-key-file FILE|-] [--public-key-file FILE] [--passphrase-stdin]",
    N_("Import a private key, or a public key alone"), cmd_import },
  { "keypair", "show", "NAME [--json] [--private]", N_("Show a key pair"), cmd_show },
  { "keypair", "export", "NAME --output-dir DIR [--force]", N_("Write NAME (0600) and NAME.pub into a folder"), cmd_export },
  { "keypair", "delete", "NAME [--with-connections]", N_("Delete a key pair"), cmd_delete },
  { NULL }
};

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
  gboolean json = FALSE;
  g_autoptr(KfStore) store = NULL;
  int status;

  if (!(store = kf_cli_begin_json_command (&kf_cli_keypair_commands[0], 0, &argc, &argv, &json, &status)))
    return status;
  return kf_cli_print_list (store, kf_store_get_keypairs (store), json, keypair_json, keypair_line);
}

/* Saves @material as a new key pair named @name through the vault (secret first). */
static int
save_material (KfStore       *store,
               const char    *name,
               KfKeyMaterial *material)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = kf_keypair_new (name);

  gboolean saved;

  kf_key_material_apply_to_keypair (material, keypair);
  /* Keyring then store: a signal must not fall between them. */
  kf_cli_guard_begin ();
  saved = kf_vault_add_keypair_sync (vault, keypair, kf_key_material_get_private_key (material), NULL, &error);
  kf_cli_guard_end ();
  if (!saved)
    return kf_cli_fail (error);
  printf ("%s %s\n", kf_keypair_get_fingerprint (keypair), kf_cli_escape (kf_keypair_get_name (keypair)));
  return KF_CLI_EXIT_OK;
}

/* The trimmed name, or NULL (error printed) when it is empty or taken. */
static char *
check_new_name (KfStore    *store,
                const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *valid = kf_cli_check_name (name, _("key pair"), &error);

  if (valid == NULL)
    {
      kf_cli_fail (error);
      return NULL;
    }
  if (kf_store_find_keypair_by_name (store, valid) != NULL)
    {
      g_autofree char *shown = kf_cli_display (valid);
      kf_cli_fail_message (_("A key pair named “%s” already exists; choose another name."), shown);
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
  const KfCliCommand *cmd = &kf_cli_keypair_commands[1];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *name = NULL;
  KfKeyType type = KF_KEY_TYPE_ED25519;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (type_str != NULL && !kf_cli_parse_key_type (type_str, &type))
    return kf_cli_usage (cmd, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"), type_str);
  if (bits < 0)
    return kf_cli_usage (cmd, _("--bits must be positive"));
  if (!kf_ssh_key_check_bits (type, bits, &error))
    return kf_cli_usage (cmd, "%s", error->message);

  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(name = check_new_name (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  material = kf_ssh_key_generate_sync (type, bits, comment, NULL, &error);
  if (material == NULL)
    return kf_cli_fail (error);
  return save_material (store, name, material);
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
  const KfCliCommand *cmd = &kf_cli_keypair_commands[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *name = NULL;
  char *private_text = NULL;
  char *passphrase = NULL;
  g_autofree char *public_text = NULL;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (private_file == NULL && public_file == NULL)
    return kf_cli_usage (cmd, _("give --private-key-file, --public-key-file, or both"));
  if (passphrase_stdin && private_file == NULL)
    return kf_cli_usage (cmd, _("--passphrase-stdin needs --private-key-file"));
  if (g_strcmp0 (public_file, "-") == 0 && (passphrase_stdin || g_strcmp0 (private_file, "-") == 0))
    return kf_cli_usage (cmd, _("only one input can come from standard input"));

  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(name = check_new_name (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  /* The passphrase is read first, up to its newline and not a byte further,
   * so that with --private-key-file - the key is the rest of standard input
   * (a sandboxed keyferry-cli reads ~/.ssh only that way). */
  if (passphrase_stdin)
    {
      passphrase = kf_cli_read_secret_line (&error);
      if (passphrase == NULL)
        return error ? kf_cli_fail (error) : kf_cli_fail_message (_("No passphrase on standard input."));
    }
  if (private_file != NULL)
    {
      private_text = kf_cli_read_text (private_file, KF_MAX_KEY_TEXT_LEN, &error);
      if (private_text == NULL)
        {
          kf_secret_free (passphrase);
          return kf_cli_fail (error);
        }
    }
  if (public_file != NULL)
    {
      public_text = kf_cli_read_text (public_file, KF_MAX_KEY_TEXT_LEN, &error);
      if (public_text == NULL)
        {
          kf_secret_free (passphrase);
          kf_secret_free (private_text);
          return kf_cli_fail (error);
        }
    }

  material = kf_ssh_key_import (private_text, public_text, passphrase, &error);
  kf_secret_free (passphrase);
  kf_secret_free (private_text);
  if (material == NULL && !passphrase_stdin && g_error_matches (error, KF_KEY_ERROR, KF_KEY_ERROR_NEEDS_PASSPHRASE))
    return kf_cli_fail_message (_("This private key is protected by a passphrase; run again with --passphrase-stdin and give the passphrase on standard input."));
  if (material == NULL)
    return kf_cli_fail (error);
  return save_material (store, name, material);
}

static int
cmd_show (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  gboolean private = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { "private", 0, 0, G_OPTION_ARG_NONE, &private, N_("Also print the private key (from the keyring)"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfSecret) private_key = NULL;
  KfKeypair *keypair;
  int status;

  if (!kf_cli_parse (&kf_cli_keypair_commands[3], entries, 1, &argc, &argv, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(keypair = kf_cli_find_keypair (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  if (private)
    {
      g_autoptr(KfVault) vault = kf_vault_new (store);
      private_key = kf_vault_get_private_key_sync (vault, keypair, NULL, &error);
      if (private_key == NULL)
        return kf_cli_fail (error);
    }

  if (json)
    kf_cli_print_json (kf_cli_keypair_to_json (store, keypair, private, private_key));
  else
    kf_cli_print_keypair (store, keypair, private_key);
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
  const KfCliCommand *cmd = &kf_cli_keypair_commands[4];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfSecret) private_key = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  KfKeypair *keypair;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (output_dir == NULL)
    return kf_cli_usage (cmd, _("--output-dir is required"));
  if (!g_file_test (output_dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *shown = kf_cli_display (output_dir);
      return kf_cli_fail_message (_("“%s” is not a folder; give an existing folder to --output-dir."), shown);
    }
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(keypair = kf_cli_find_keypair (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  if (kf_keypair_get_has_private_key (keypair))
    {
      g_autoptr(KfVault) vault = kf_vault_new (store);
      private_key = kf_vault_get_private_key_sync (vault, keypair, NULL, &error);
      if (private_key == NULL)
        return kf_cli_fail (error);
    }

  file_name = kf_key_export_file_name (kf_keypair_get_name (keypair));
  path = g_build_filename (output_dir, file_name, NULL);
  if (!kf_key_export_write (path, private_key, kf_keypair_get_public_key (keypair), force, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return kf_cli_fail_message (_("%s Or pass --force to replace it."), error->message);
      return kf_cli_fail (error);
    }
  if (private_key != NULL)
    printf ("%s\n", path);
  printf ("%s.pub\n", path);
  return KF_CLI_EXIT_OK;
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
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(GPtrArray) users = NULL;
  KfKeypair *keypair;
  gboolean deleted;
  int status;

  if (!kf_cli_parse (&kf_cli_keypair_commands[5], entries, 1, &argc, &argv, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(keypair = kf_cli_find_keypair (store, argv[1])))
    return KF_CLI_EXIT_FAILED;

  users = kf_store_list_connections_using (store, kf_keypair_get_id (keypair));
  if (users->len > 0 && !with_connections)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *shown = kf_cli_display (kf_keypair_get_name (keypair));
      for (guint i = 0; i < users->len; i++)
        {
          g_autofree char *user = kf_cli_display (kf_connection_get_name (g_ptr_array_index (users, i)));
          g_string_append_printf (names, "%s“%s”", i ? ", " : "", user);
        }
      return kf_cli_fail_message (_("The key pair “%s” is used by %s; delete those first or pass --with-connections."),
                                  shown, names->str);
    }
  for (guint i = 0; i < users->len; i++)
    printf (_("Deleting connection “%s”\n"), kf_cli_escape (kf_connection_get_name (g_ptr_array_index (users, i))));

  vault = kf_vault_new (store);
  kf_cli_guard_begin ();
  deleted = kf_vault_delete_keypair_sync (vault, kf_keypair_get_id (keypair), with_connections, NULL, &error);
  kf_cli_guard_end ();
  if (!deleted)
    return kf_cli_fail (error);
  return KF_CLI_EXIT_OK;
}
