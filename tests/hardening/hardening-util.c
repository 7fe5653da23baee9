/* hardening-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hardening-util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "kf-keyring.h"
#include "kf-store.h"
#include "kf-test-util.h"

HdCli *
hd_cli_new (const char *dir)
{
  HdCli *cli = g_new0 (HdCli, 1);

  cli->data_home = g_build_filename (dir, "data", NULL);
  cli->tmp_dir = g_build_filename (dir, "tmp", NULL);
  cli->env = g_ptr_array_new_with_free_func (g_free);
  g_assert_cmpint (g_mkdir_with_parents (cli->data_home, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (cli->tmp_dir, 0700), ==, 0);
  return cli;
}

void
hd_cli_free (HdCli *cli)
{
  if (cli == NULL)
    return;
  g_free (cli->data_home);
  g_free (cli->tmp_dir);
  g_free (cli->bus_address);
  g_free (cli->wrapper);
  g_clear_pointer (&cli->env, g_ptr_array_unref);
  g_free (cli);
}

char *
hd_cli_store_path (HdCli *cli)
{
  return g_build_filename (cli->data_home, "keyferry", "keyferry.json", NULL);
}

const char *
hd_cli_path (void)
{
  static char *path;

  if (path == NULL)
    path = g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL);
  return path;
}

/* A CLI left running by a failed assertion must not outlive the test. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocessLauncher *
hd_cli_launcher (HdCli *cli)
{
  GSubprocessLauncher *launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", cli->data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "TMPDIR", cli->tmp_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (cli->bus_address != NULL)
    g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", cli->bus_address, TRUE);
  for (guint i = 0; i < cli->env->len; i++)
    {
      g_auto(GStrv) pair = g_strsplit (g_ptr_array_index (cli->env, i), "=", 2);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  return launcher;
}

GPtrArray *
hd_cli_argv (HdCli              *cli,
             const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  if (cli->wrapper != NULL)
    g_ptr_array_add (argv, cli->wrapper);
  g_ptr_array_add (argv, (char *) hd_cli_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

GSubprocess *
hd_cli_spawnv (HdCli              *cli,
               const char * const *args,
               const char         *stdin_text)
{
  g_autoptr(GSubprocessLauncher) launcher = hd_cli_launcher (cli);
  g_autoptr(GPtrArray) argv = hd_cli_argv (cli, args);
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  GOutputStream *in;

  /* Without input: stdin at EOF and no pipe, so that the caller may still
   * use g_subprocess_communicate() (which insists on writing a piped stdin). */
  if (stdin_text == NULL)
    {
      g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_subprocess_launcher_set_stdin_file_path (launcher, "/dev/null");
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  if (stdin_text != NULL)
    {
      in = g_subprocess_get_stdin_pipe (proc);
      g_output_stream_write_all (in, stdin_text, strlen (stdin_text), NULL, NULL, NULL);
      g_output_stream_close (in, NULL, NULL);
    }
  return proc;
}

static char *
bytes_to_string (GBytes *bytes)
{
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    return g_strdup ("");
  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

int
hd_cli_runv (HdCli              *cli,
             const char * const *args,
             const char         *stdin_text,
             char              **out,
             char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = hd_cli_launcher (cli);
  g_autoptr(GPtrArray) argv = hd_cli_argv (cli, args);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) in = g_bytes_new (stdin_text != NULL ? stdin_text : "",
                                      stdin_text != NULL ? strlen (stdin_text) : 0);
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, in, NULL, &out_bytes, &err_bytes, &error);
  g_assert_no_error (error);
  if (out != NULL)
    *out = bytes_to_string (out_bytes);
  if (err != NULL)
    *err = bytes_to_string (err_bytes);
  if (g_subprocess_get_if_exited (proc))
    return g_subprocess_get_exit_status (proc);
  return 128 + g_subprocess_get_term_sig (proc);
}

int
hd_cli_run (HdCli       *cli,
            const char  *stdin_text,
            char       **out,
            char       **err,
            ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;
  const char *arg;

  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return hd_cli_runv (cli, (const char * const *) args->pdata, stdin_text, out, err);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

char *
hd_check_consistent (HdCli *cli,
                     guint *orphans)
{
  g_autofree char *path = hd_cli_store_path (cli);
  g_autofree char *folder = g_path_get_dirname (path);
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GListModel *keypairs, *connections;
  const char *entry;

  /* The file must load as it is: kf_store_load() would move a damaged one
   * aside, which the folder listing below then shows. */
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  dir = g_dir_open (folder, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (entry, ".damaged"));

  keypairs = kf_store_get_keypairs (store);
  for (guint i = 0; i < g_list_model_get_n_items (keypairs); i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (keypairs, i);
      const char *name = kf_keypair_get_name (keypair);

      g_ptr_array_add (names, g_strdup (name));
      if (kf_keypair_get_has_private_key (keypair))
        {
          g_autofree char *out = NULL;
          g_autofree char *err = NULL;
          int status = hd_cli_run (cli, NULL, &out, &err, "keypair", "show", name, "--private", NULL);

          if (status != 0 || strstr (out, "PRIVATE KEY-----") == NULL)
            g_error ("key pair “%s” claims a private key, but the keyring does not give it (exit %d): %s",
                     name, status, err);
          explicit_bzero (out, strlen (out));
        }
    }

  connections = kf_store_get_connections (store);
  for (guint i = 0; i < g_list_model_get_n_items (connections); i++)
    {
      g_autoptr(KfConnection) connection = g_list_model_get_item (connections, i);
      const char *keypair_id = kf_connection_get_keypair_id (connection);

      if (keypair_id != NULL && *keypair_id != '\0')
        g_assert_nonnull (kf_store_find_keypair (store, keypair_id));
    }

  if (orphans != NULL)
    {
      *orphans = 0;
      if (cli->bus_address == NULL)
        {
          g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (path, NULL, &error);

          g_assert_no_error (error);
          for (guint i = 0; i < entries->len; i++)
            if (kf_store_find_keypair (store, ((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id) == NULL)
              (*orphans)++;
        }
    }

  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

GArray *
hd_children_of (GPid pid)
{
  GArray *children = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *stat_path = NULL;
      g_autofree char *stat = NULL;
      const char *close;
      int ppid = 0;
      char state;

      if (!g_ascii_isdigit (name[0]))
        continue;
      stat_path = g_build_filename ("/proc", name, "stat", NULL);
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
        continue;
      /* "pid (comm) state ppid …"; comm may hold spaces and parentheses. */
      close = strrchr (stat, ')');
      if (close != NULL && sscanf (close + 1, " %c %d", &state, &ppid) == 2 && ppid == pid)
        {
          GPid child = atoi (name);
          g_array_append_val (children, child);
        }
    }
  return children;
}

void
hd_kill_tree (GPid pid)
{
  g_autoptr(GArray) children = NULL;

  /* Stop the parent first so that it cannot start new children. */
  kill (pid, SIGSTOP);
  children = hd_children_of (pid);
  for (guint i = 0; i < children->len; i++)
    hd_kill_tree (g_array_index (children, GPid, i));
  kill (pid, SIGKILL);
}
