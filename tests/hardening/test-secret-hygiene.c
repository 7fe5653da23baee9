/* test-secret-hygiene.c: every operation through keyferry-cli, then a search
 * for the secrets everywhere they must not be.
 *
 * Operations: generate (Ed25519, ECDSA), import of a passphrase-protected
 * key, export, semi-automatic setup with admin password and one-time
 * password against the fake TrueNAS (and pairing again with an admin API
 * key), manual connection, Test over a real
 * sshd. The CLI runs with G_MESSAGES_DEBUG=all (its debug log goes to
 * stderr) and through a wrapper that records its own environment and
 * command line; wrappers of the same kind stand in PATH for the programs a
 * CLI might run (ssh, ssh-keygen, …) and record theirs; while each command
 * runs, the environment and command line of every process below it are read
 * from /proc too.
 *
 * Secrets: the private keys (every base64 line of their text and slices of
 * the decoded bytes), the passphrase, the admin password, the API key and
 * the OTP.
 * Searched: the CLI's data, config, cache, state, runtime and temp folders
 * and HOME, the system temp folder (files changed during the test, outside
 * this test's own folder, for the secrets unique to this test), every
 * stdout and stderr, and the recorded environments and command lines.
 * Allowed: the keyring (another process's files) and the explicit export
 * folder.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hardening-util.h"
#include "kf-key-export.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "truenas-fixture.h"

typedef struct {
  char   *what;   /* "the passphrase", "private key gen (base64 line 3)" */
  GBytes *bytes;
  gboolean unique; /* only this test can have it (searched in the system temp folder too) */
} Secret;

static GPtrArray *secrets;   /* Secret */
static GPtrArray *findings;  /* char *: "what in where" */
static GString *streams;     /* every stdout and stderr, concatenated */
static guint processes_seen;
static char *record_dir;
static char *output_dir;
static guint n_runs;

static void
secret_free (Secret *secret)
{
  g_free (secret->what);
  g_bytes_unref (secret->bytes);
  g_free (secret);
}

static void
add_secret (const char *what,
            const void *data,
            gsize       size,
            gboolean    unique)
{
  Secret *secret = g_new0 (Secret, 1);

  g_assert_cmpuint (size, >=, 6);
  secret->what = g_strdup (what);
  secret->bytes = g_bytes_new (data, size);
  secret->unique = unique;
  g_ptr_array_add (secrets, secret);
}

/* A private key file as the export wrote it: each base64 line, and 24-byte
 * slices of what they decode to (in case something stored another encoding). */
static void
add_private_key_secret (const char *name,
                        const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;

  g_assert_nonnull (strstr (text, "PRIVATE KEY-----"));
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *what = NULL;

      if (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "-----"))
        continue;
      g_string_append (body, lines[i]);
      if (strlen (lines[i]) < 40)
        continue;
      what = g_strdup_printf ("private key “%s” (base64 line %u)", name, i);
      add_secret (what, lines[i], strlen (lines[i]), TRUE);
    }
  raw = g_base64_decode (body->str, &raw_len);
  /* Skip the well-known header ("openssh-key-v1", algorithm names). */
  for (gsize offset = raw_len / 3; offset + 24 <= raw_len; offset += raw_len / 4)
    {
      g_autofree char *what = g_strdup_printf ("private key “%s” (decoded bytes at %" G_GSIZE_FORMAT ")", name, offset);
      add_secret (what, raw + offset, 24, TRUE);
    }
}

static void
search_buffer (const char *where,
               const void *data,
               gsize       size,
               gboolean    unique_only)
{
  for (guint i = 0; i < secrets->len; i++)
    {
      Secret *secret = g_ptr_array_index (secrets, i);
      gsize len;
      const void *needle = g_bytes_get_data (secret->bytes, &len);

      if (unique_only && !secret->unique)
        continue;
      if (size >= len && memmem (data, size, needle, len) != NULL)
        g_ptr_array_add (findings, g_strdup_printf ("%s in %s", secret->what, where));
    }
}

static guint files_searched;

/* Every regular file below @dir, except below the folders in @skip. */
static void
search_tree (const char         *dir,
             const char * const *skip,
             gboolean            unique_only,
             gint64              since)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  for (guint i = 0; skip != NULL && skip[i] != NULL; i++)
    if (g_str_equal (dir, skip[i]))
      return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;

      if (lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        search_tree (path, skip, unique_only, since);
      else if (S_ISREG (st.st_mode) && st.st_size < 16 * 1024 * 1024 &&
               (since == 0 || st.st_mtime >= since || st.st_ctime >= since))
        {
          g_autofree char *contents = NULL;
          gsize size = 0;

          if (g_file_get_contents (path, &contents, &size, NULL))
            {
              files_searched++;
              search_buffer (path, contents, size, unique_only);
            }
        }
    }
}

/* The environment and command line of @pid and every process below it. */
static void
record_process_tree (GPid pid)
{
  g_autoptr(GArray) children = hd_children_of (pid);
  static const char * const parts[] = { "environ", "cmdline" };

  for (guint p = 0; p < G_N_ELEMENTS (parts); p++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/%s", (int) pid, parts[p]);
      g_autofree char *where = g_strdup_printf ("/proc/<pid of a CLI process>/%s", parts[p]);
      g_autofree char *contents = NULL;
      gsize size = 0;

      if (g_file_get_contents (path, &contents, &size, NULL))
        search_buffer (where, contents, size, FALSE);
    }
  processes_seen++;
  for (guint i = 0; i < children->len; i++)
    record_process_tree (g_array_index (children, GPid, i));
}

static gboolean
gone_or_zombie (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *close;
  char state = 'R';

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return TRUE;
  close = strrchr (contents, ')');
  return close != NULL && sscanf (close + 1, " %c", &state) == 1 && (state == 'Z' || state == 'X');
}

/* Runs the CLI, watching its process tree while it runs. */
static int
run (HdCli       *cli,
     const char  *stdin_text,
     char       **out,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out_text = NULL;
  g_autofree char *out_path = NULL;
  g_autofree char *err_path = NULL;
  GOutputStream *in;
  const char *arg;
  va_list ap;
  GPid pid;

  va_start (ap, out);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  /* Output into files: a pipe nobody reads while polling would fill up. */
  n_runs++;
  out_path = g_strdup_printf ("%s/%u.out", output_dir, n_runs);
  err_path = g_strdup_printf ("%s/%u.err", output_dir, n_runs);
  launcher = hd_cli_launcher (cli);
  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);
  argv = hd_cli_argv (cli, (const char * const *) args->pdata);
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (proc);
  if (stdin_text != NULL)
    g_output_stream_write_all (in, stdin_text, strlen (stdin_text), NULL, NULL, NULL);
  g_output_stream_close (in, NULL, NULL);

  pid = atoi (g_subprocess_get_identifier (proc));
  /* About every 5 ms until it has exited (a zombie or gone). */
  while (!gone_or_zombie (pid))
    {
      record_process_tree (pid);
      g_usleep (5 * 1000);
    }
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (out_path, &out_text, NULL, NULL);
  g_file_get_contents (err_path, &err, NULL, NULL);
  g_string_append (streams, out_text);
  g_string_append (streams, err);
  if (out != NULL)
    *out = g_steal_pointer (&out_text);
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("keyferry-cli %s failed: %s", (const char *) args->pdata[0], err);
  return 0;
}

/* A shell script that records its environment and arguments, then runs the
 * real program (@real, or the CLI given as its first argument). */
static void
write_wrapper (const char *path,
               const char *real)
{
  g_autofree char *script = NULL;
  g_autoptr(GError) error = NULL;

  script = g_strdup_printf ("#!/bin/sh\n"
                            "f=\"%s/$$-$(basename \"$0\")\"\n"
                            "cat /proc/$$/environ > \"$f.environ\"\n"
                            "printf '%%s\\0' \"$0\" \"$@\" > \"$f.cmdline\"\n"
                            "exec %s \"$@\"\n",
                            record_dir, real != NULL ? real : "");
  g_file_set_contents (path, script, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (path, 0755), ==, 0);
}

static char *
read_file (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static char *
public_key_of (HdCli      *cli,
               const char *name)
{
  g_autofree char *out = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  run (cli, NULL, &out, "keypair", "show", name, "--json", NULL);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  return g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)), "public_key"));
}

static void
test_secret_hygiene (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("hygiene");
  g_autofree char *input_dir = g_build_filename (dir, "input", NULL);
  g_autofree char *export_dir = g_build_filename (dir, "export", NULL);
  g_autofree char *bin_dir = g_build_filename (dir, "bin", NULL);
  g_autofree char *cli_dir = g_build_filename (dir, "cli", NULL);
  g_autofree char *home = NULL, *config = NULL, *cache = NULL, *state = NULL, *runtime = NULL;
  g_autofree char *wrapper = NULL;
  g_autofree char *passphrase = g_strdup_printf ("hygiene-pass-%08x%08x", g_random_int (), g_random_int ());
  g_autofree char *passphrase_line = g_strconcat (passphrase, "\n", NULL);
  g_autofree char *key_path = g_build_filename (input_dir, "imported", NULL);
  g_autofree char *path_env = NULL;
  g_autofree char *port = NULL;
  g_autofree char *host_keys = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *reply_timeout = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestSshd) sshd = NULL;
  TnFake *fake = NULL;
  HdCli *cli;
  gint64 started = g_get_real_time () / G_USEC_PER_SEC - 1;
  static const char * const wrapped[] = { "ssh", "ssh-keygen", "ssh-add", "ssh-agent", "secret-tool", "openssl",
                                          "gpg", "dbus-launch", "sh", "bash", "env", NULL };

  secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  findings = g_ptr_array_new_with_free_func (g_free);
  streams = g_string_new (NULL);
  record_dir = g_build_filename (dir, "records", NULL);
  output_dir = g_build_filename (dir, "output", NULL);
  g_assert_cmpint (g_mkdir_with_parents (output_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (input_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (export_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (bin_dir, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (record_dir, 0700), ==, 0);

  cli = hd_cli_new (cli_dir);
  home = g_build_filename (cli_dir, "home", NULL);
  config = g_build_filename (cli_dir, "config", NULL);
  cache = g_build_filename (cli_dir, "cache", NULL);
  state = g_build_filename (cli_dir, "state", NULL);
  runtime = g_build_filename (cli_dir, "runtime", NULL);
  for (const char *const *d = (const char *const[]) { home, config, cache, state, runtime, NULL }; *d; d++)
    g_assert_cmpint (g_mkdir_with_parents (*d, 0700), ==, 0);
  g_ptr_array_add (cli->env, g_strconcat ("HOME=", home, NULL));
  g_ptr_array_add (cli->env, g_strconcat ("XDG_CONFIG_HOME=", config, NULL));
  g_ptr_array_add (cli->env, g_strconcat ("XDG_CACHE_HOME=", cache, NULL));
  g_ptr_array_add (cli->env, g_strconcat ("XDG_STATE_HOME=", state, NULL));
  g_ptr_array_add (cli->env, g_strconcat ("XDG_RUNTIME_DIR=", runtime, NULL));
  /* The debug log is part of what is searched. */
  g_ptr_array_add (cli->env, g_strdup ("G_MESSAGES_DEBUG=all"));

  /* Wrappers: the CLI itself, and in PATH whatever it might run. */
  wrapper = g_build_filename (bin_dir, "keyferry-cli-wrapper", NULL);
  write_wrapper (wrapper, NULL);
  cli->wrapper = g_strdup (wrapper);
  for (guint i = 0; wrapped[i] != NULL; i++)
    {
      g_autofree char *real = g_find_program_in_path (wrapped[i]);
      g_autofree char *path = g_build_filename (bin_dir, wrapped[i], NULL);

      if (real != NULL)
        write_wrapper (path, real);
    }
  path_env = g_strdup_printf ("PATH=%s:%s", bin_dir, g_getenv ("PATH"));
  g_ptr_array_add (cli->env, g_strdup (path_env));

  /* The admin password and OTP of the fake TrueNAS's "twofa" admin. */
  add_secret ("the admin password", "s3cret", 6, FALSE);
  add_secret ("the one-time password", "246810", 6, FALSE);
  add_secret ("the admin API key", strchr (TN_API_KEY_TWOFA, '-') + 1, strlen (strchr (TN_API_KEY_TWOFA, '-') + 1), FALSE);
  add_secret ("the passphrase", passphrase, strlen (passphrase), TRUE);

  /* 1. Generate. */
  run (cli, NULL, NULL, "keypair", "generate", "gen-ed25519", NULL);
  run (cli, NULL, NULL, "keypair", "generate", "gen-ecdsa", "--type", "ecdsa-p256", NULL);

  /* 2. Import a passphrase-protected key (the passphrase on stdin). */
  {
    const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "imported@hygiene",
                           "-f", key_path, NULL };
    g_autofree char *err = NULL;

    /* (ssh-keygen is run by the test, not by Keyferry: not recorded.) */
    g_assert_cmpint (kf_test_run_command (argv, NULL, NULL, &err), ==, 0);
  }
  run (cli, passphrase_line, NULL, "keypair", "import", "imported", "--private-key-file", key_path,
       "--passphrase-stdin", NULL);

  /* 3. Semi-automatic setup with password and OTP (two stdin lines). */
  {
    g_autoptr(GError) sshd_error = NULL;
    g_autofree char *rsa = NULL, *ecdsa = NULL, *ed25519 = NULL;

    sshd = kf_test_sshd_start (&sshd_error);
    g_assert_no_error (sshd_error);
    rsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "rsa"), ".pub", NULL);
    ecdsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ecdsa"), ".pub", NULL);
    ed25519 = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
    {
      const char *host_key_files[] = { rsa, ecdsa, ed25519, NULL };
      TnFakeOptions options = {
        .ssh_port = kf_test_sshd_get_port (sshd),
        .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
        .host_keys = host_key_files,
        .ssh_user = kf_test_sshd_get_user (sshd),
      };
      fake = tn_fake_start (NULL, &options);
    }
  }
  /* The reply timeout is not under test: scaled for the sanitizer run, where
   * the TLS handshakes alone took 8 s (pair-again below keeps it). */
  reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  run (cli, "s3cret\n246810\n", NULL, "connection", "add-semiauto", "nas", "--url", fake->https_url,
       "--trust-certificate", tn_fixture_cert_pin (), "--admin-username", "twofa", "--password-stdin",
       "--otp-stdin", "--username", kf_test_sshd_get_user (sshd), "--generate-key", "--sudo",
       "--connect-timeout", reply_timeout, NULL);

  /* 3b. Pair again, signing in with the admin's API key instead (stdin). */
  run (cli, TN_API_KEY_TWOFA "\n", NULL, "connection", "pair-again", "nas", "--api-key-stdin", NULL);

  /* 4. A manual connection with the generated key, and Tests of both. */
  public_key = public_key_of (cli, "gen-ed25519");
  kf_test_sshd_add_authorized_key (sshd, public_key);
  {
    g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);
    g_autofree char *text = g_strjoinv ("\n", lines);

    host_keys = g_build_filename (input_dir, "host-keys", NULL);
    g_file_set_contents (host_keys, text, -1, &error);
    g_assert_no_error (error);
  }
  port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  run (cli, NULL, NULL, "connection", "add-manual", "manual", "--host", "127.0.0.1", "--port", port,
       "--username", kf_test_sshd_get_user (sshd), "--keypair", "gen-ed25519", "--host-key-file", host_keys, NULL);
  run (cli, NULL, NULL, "connection", "test", "manual", NULL);
  run (cli, NULL, NULL, "connection", "test", "nas", NULL);
  run (cli, NULL, NULL, "connection", "list", "--json", NULL);
  run (cli, NULL, NULL, "keypair", "list", "--json", NULL);
  run (cli, NULL, NULL, "known-hosts", NULL);

  /* 5. The explicit export: the only place the private keys may appear. */
  {
    static const char * const names[] = { "gen-ed25519", "gen-ecdsa", "imported", "nas Key" };

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        g_autofree char *text = NULL;
        g_autofree char *file_name = NULL;

        run (cli, NULL, NULL, "keypair", "export", names[i], "--output-dir", export_dir, NULL);
        file_name = kf_key_export_file_name (names[i]);
        text = read_file (export_dir, file_name);
        add_private_key_secret (names[i], text);
      }
  }

  /* The search. */
  search_buffer ("the CLI's stdout/stderr (with its debug log)", streams->str, streams->len, FALSE);
  {
    const char *mine[] = { cli->data_home, cli->tmp_dir, home, config, cache, state, runtime, NULL };
    const char *skip_nothing[] = { NULL };

    for (guint i = 0; mine[i] != NULL; i++)
      search_tree (mine[i], skip_nothing, FALSE, 0);
  }
  {
    /* Records of environments and command lines of the CLI and what it ran. */
    const char *skip_nothing[] = { NULL };
    search_tree (record_dir, skip_nothing, FALSE, 0);
  }
  {
    /* The system temp folder: files changed during this test, not this
     * test's own (input, export, the fake's config and certificates). */
    const char *skip[] = { kf_test_get_tmpdir (), NULL };
    search_tree (g_get_tmp_dir (), skip, TRUE, started);
  }
  g_test_message ("searched %u files, %u process snapshots, %" G_GSIZE_FORMAT " bytes of output, for %u secret strings",
                  files_searched, processes_seen, streams->len, secrets->len);
  {
    g_autoptr(GDir) records = g_dir_open (record_dir, 0, NULL);
    guint n = 0;

    while (g_dir_read_name (records) != NULL)
      n++;
    /* At least the CLI itself was recorded, or the wrapper did not work. */
    g_assert_cmpuint (n, >=, 2);
    g_test_message ("%u environment/command line records of the CLI and programs it ran", n / 2);
  }
  for (guint i = 0; i < findings->len; i++)
    g_test_message ("FOUND %s", (const char *) g_ptr_array_index (findings, i));
  g_assert_cmpuint (findings->len, ==, 0);

  tn_fake_stop (fake);
  hd_cli_free (cli);
  g_clear_pointer (&secrets, g_ptr_array_unref);
  g_clear_pointer (&findings, g_ptr_array_unref);
  g_string_free (streams, TRUE);
  g_clear_pointer (&record_dir, g_free);
  g_clear_pointer (&output_dir, g_free);
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  tn_fixture_init ();
  g_test_add_func ("/hygiene/every-operation", test_secret_hygiene);
  return g_test_run ();
}
