/* fuzz-cli.c: keyferry-cli's argument parsing, kf_cli_main() on a fake argv.
 *
 * The input is the arguments after "keyferry-cli", separated by NUL bytes.
 * Each run starts from the same small store (one key pair "key", one
 * connection "conn") in a private temporary XDG_DATA_HOME, with no keyring
 * reachable (D-Bus points at a socket that does not exist) and standard input
 * at EOF. Arguments that would leave the sandbox are skipped: paths (they
 * would name real files), commands that go on the network (test, host key
 * discovery, the TrueNAS setup), slow RSA key generation, and GOption's own
 * help options, which print and exit() by design.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "kf-cli.h"
#include "kf-connection.h"
#include "kf-fuzz.h"
#include "kf-keypair.h"
#include "kf-ssh-key.h"
#include "kf-store.h"
#include "kf-store-private.h"

#define MAX_ARGS 16

static char *data_dir;
static char *store_path;
static char *template;
static gsize template_len;

static const char *ed25519_public =
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIARHnBnD+t8n4hVkauvgM3Opx+V87AkqaEtAY8B9lhR9 fuzz@keyferry";

static void
make_template (void)
{
  g_autoptr(KfStore) store = kf_store_new (store_path);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("key");
  g_autoptr(KfConnection) connection = kf_connection_new ("conn");
  const char *host_keys[] = { ed25519_public, NULL };
  g_autoptr(GError) error = NULL;

  g_autoptr(KfKeyMaterial) material = kf_ssh_key_parse_public (ed25519_public, &error);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  if (!kf_store_load (store, &error) || !kf_store_add_keypair (store, keypair, &error))
    g_error ("fuzz-cli: cannot make the template store: %s", error->message);
  kf_connection_set_host (connection, "nas.lan");
  kf_connection_set_host_keys (connection, host_keys);
  kf_connection_set_keypair_id (connection, kf_keypair_get_id (keypair));
  if (!kf_store_add_connection (store, connection, &error))
    g_error ("fuzz-cli: cannot make the template store: %s", error->message);
  if (!g_file_get_contents (store_path, &template, &template_len, &error))
    g_error ("fuzz-cli: cannot read the template store: %s", error->message);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_autofree char *base = NULL;
  g_autofree char *work = NULL;
  g_autofree char *bus = NULL;
  int null_fd;

  kf_fuzz_init ();
  base = g_dir_make_tmp ("keyferry-fuzz-cli-XXXXXX", NULL);
  g_assert (base != NULL);
  data_dir = g_build_filename (base, "data", NULL);
  work = g_build_filename (base, "work", NULL);
  bus = g_strdup_printf ("unix:path=%s/no-bus", base);
  g_mkdir_with_parents (data_dir, 0700);
  g_mkdir_with_parents (work, 0700);
  /* Before anything asks GLib for the user dirs (it caches them). */
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", base, TRUE);
  g_setenv ("XDG_CACHE_HOME", base, TRUE);
  g_setenv ("HOME", base, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", bus, TRUE);
  g_unsetenv ("DISPLAY");
  g_unsetenv ("SSH_AUTH_SOCK");
  kf_store_set_lock_timeout_for_testing (1000);
  if (chdir (work) != 0)
    g_error ("fuzz-cli: chdir: %s", g_strerror (errno));
  null_fd = open ("/dev/null", O_RDONLY);
  g_assert (null_fd >= 0);
  dup2 (null_fd, STDIN_FILENO);
  close (null_fd);

  store_path = g_build_filename (data_dir, "keyferry", "keyferry.json", NULL);
  make_template ();
  return 0;
}

static gboolean
argument_allowed (const char *arg)
{
  g_autofree char *lower = g_ascii_strdown (arg, -1);

  if (strchr (arg, '/') != NULL || strstr (arg, "..") != NULL || strchr (arg, ':') != NULL ||
      strchr (arg, '~') != NULL)
    return FALSE;
  /* GOption prints its help and exit()s for --help-all and for -h or -?
   * anywhere in a group of short options ("-xh"); kf_cli_parse() answers the
   * plain forms itself. */
  if (g_str_has_prefix (arg, "--help"))
    return g_str_equal (arg, "--help");
  if (arg[0] == '-' && arg[1] != '-' && strpbrk (arg, "h?") != NULL)
    return g_str_equal (arg, "-h");
  if (strstr (lower, "rsa") != NULL || strstr (lower, "bits") != NULL || strstr (lower, "discover") != NULL)
    return FALSE;
  if (g_str_equal (arg, "test") || g_str_equal (arg, "add-semiauto") || g_str_equal (arg, "pair-again"))
    return FALSE;
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *store_dir = NULL;
  g_autoptr(GError) error = NULL;
  gsize pos = 0;
  char **argv;
  int status;

  g_ptr_array_add (args, g_strdup ("keyferry-cli"));
  while (pos < size && args->len < MAX_ARGS)
    {
      const uint8_t *end = memchr (data + pos, '\0', size - pos);
      gsize len = end != NULL ? (gsize) (end - (data + pos)) : size - pos;
      char *arg = kf_fuzz_strndup (data + pos, len);

      if (!argument_allowed (arg))
        {
          g_free (arg);
          return 0;
        }
      g_ptr_array_add (args, arg);
      pos += len + 1;
    }
  g_ptr_array_add (args, NULL);

  /* The same starting store every time, so that a crash replays. */
  store_dir = g_path_get_dirname (store_path);
  remove_tree (store_dir);
  g_mkdir_with_parents (store_dir, 0700);
  if (!g_file_set_contents (store_path, template, template_len, &error))
    g_error ("fuzz-cli: cannot reset the store: %s", error->message);

  /* GOption permutes argv: give it a copy of the pointers. */
  argv = g_memdup2 (args->pdata, sizeof (char *) * args->len);
  status = kf_cli_main ((int) args->len - 1, argv);
  g_free (argv);
  fflush (stdout);
  g_assert (status == KF_CLI_EXIT_OK || status == KF_CLI_EXIT_FAILED || status == KF_CLI_EXIT_USAGE);
  return 0;
}
