/* test-faults.c: faults from outside, each followed by a check that nothing
 * was lost (hardening-util.h: the store loads, every key pair that claims a
 * private key has it in the keyring, every connection's key pair exists).
 *
 * - the keyring daemon killed in the middle of key pair additions (its own
 *   gnome-keyring on a private dbus-daemon, so the shared one stays up);
 * - the data folder read-only (a read-only bind mount in a private mount
 *   namespace; as root, permissions would not stop anything);
 * - the disk full (a small tmpfs in a private mount namespace, or else a file
 *   size limit: RLIMIT_FSIZE with SIGXFSZ ignored gives EFBIG);
 * - keyferry-cli SIGKILLed at many moments of a semi-automatic setup against
 *   the fake TrueNAS, then run again;
 * - the fake TrueNAS going silent in the middle of each call of the setup;
 * - sshd going away while `keyferry-cli connection test` talks to it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "hardening-util.h"
#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-semiauto-setup.h"
#include "kf-store.h"
#include "kf-test-bus.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "truenas-fixture.h"

/* Mount namespaces: this process gets its own once, so mounts made here are
 * invisible to the rest of the machine and vanish with the process. */
static gboolean have_private_mounts;
static char *no_mounts_reason;

static void
setup_private_mounts (void)
{
  if (unshare (CLONE_NEWNS) != 0)
    no_mounts_reason = g_strdup_printf ("unshare(CLONE_NEWNS): %s", g_strerror (errno));
  else if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    no_mounts_reason = g_strdup_printf ("making / private: %s", g_strerror (errno));
  else
    have_private_mounts = TRUE;
}

static char *
store_bytes (HdCli *cli)
{
  g_autofree char *path = hd_cli_store_path (cli);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

/* "Errors go to stderr as one line" (kf-cli.h). */
static void
assert_one_error_line (const char *err)
{
  g_assert_true (g_str_has_prefix (err, "keyferry-cli: "));
  g_assert_true (g_str_has_suffix (err, "\n"));
  g_assert_true (strchr (err, '\n') == err + strlen (err) - 1);
}

static void
generate (HdCli      *cli,
          const char *name)
{
  g_autofree char *err = NULL;
  int status = hd_cli_run (cli, NULL, NULL, &err, "keypair", "generate", name, NULL);

  if (status != 0)
    g_error ("keyferry-cli keypair generate %s: exit %d: %s", name, status, err);
}

/* ------------------------------------------------------------------------- */
/* The keyring daemon killed                                                 */

static void
test_keyring_killed (void)
{
  /* Delays (ms) between starting an addition and killing the daemon: from
   * "before it connected" to "after it finished". */
  static const guint delays[] = { 0, 2, 5, 10, 20, 35, 50, 80, 120, 200, 400 };
  g_autofree char *dir = kf_test_make_tmpdir ("keyring-killed");
  g_autoptr(KfTestBus) bus = kf_test_bus_new ();
  HdCli *cli = hd_cli_new (dir);
  g_autofree char *names = NULL;
  guint failed = 0, succeeded = 0;

  cli->bus_address = g_strdup (kf_test_bus_get_address (bus));
  kf_test_bus_start_keyring (bus, "hardening");
  generate (cli, "before");

  for (guint i = 0; i < G_N_ELEMENTS (delays); i++)
    {
      g_autofree char *name = g_strdup_printf ("during-%u", i);
      const char *args[] = { "keypair", "generate", name, NULL };
      g_autoptr(GSubprocess) proc = hd_cli_spawnv (cli, args, NULL);
      g_autoptr(GError) error = NULL;

      g_usleep (delays[i] * 1000);
      kf_test_bus_kill_keyring (bus);
      g_subprocess_wait (proc, NULL, &error);
      g_assert_no_error (error);
      /* A failure is fine, a crash is not. */
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), <=, 1);
      if (g_subprocess_get_exit_status (proc) == 0)
        succeeded++;
      else
        failed++;
      kf_test_bus_start_keyring (bus, "hardening");
    }
  g_test_message ("keyring killed %u times: %u additions finished first, %u failed",
                  (guint) G_N_ELEMENTS (delays), succeeded, failed);
  /* Otherwise the kill never hit an addition in flight. */
  g_assert_cmpuint (failed, >, 0);

  names = hd_check_consistent (cli, NULL);
  g_assert_nonnull (strstr (names, "before"));
  /* After the daemon is back, additions work again. */
  generate (cli, "after");
  g_free (names);
  names = hd_check_consistent (cli, NULL);
  g_assert_nonnull (strstr (names, "after"));
  hd_cli_free (cli);
}

/* ------------------------------------------------------------------------- */
/* The data folder read-only                                                 */

static void
test_read_only (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("read-only");
  HdCli *cli = hd_cli_new (dir);
  g_autofree char *folder = g_build_filename (cli->data_home, "keyferry", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *names = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *probe = g_build_filename (folder, "probe", NULL);
  guint orphans_before = 0, orphans_after = 0;
  int status;

  generate (cli, "kept");
  g_free (hd_check_consistent (cli, &orphans_before));
  before = store_bytes (cli);

  /* A read-only bind mount where this process has its own mounts; else, for
   * an ordinary user, a folder without write permission (what a user meets
   * most). Root ignores permissions, so root needs the mount. */
  if (have_private_mounts)
    {
      g_assert_cmpint (mount (folder, folder, NULL, MS_BIND, NULL), ==, 0);
      g_assert_cmpint (mount (NULL, folder, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL), ==, 0);
    }
  else if (geteuid () != 0)
    g_assert_cmpint (g_chmod (folder, 0500), ==, 0);
  else
    {
      g_test_skip_printf ("no private mount namespace (%s), so no read-only mount as root", no_mounts_reason);
      hd_cli_free (cli);
      return;
    }
  /* Really read-only. */
  g_assert_false (g_file_set_contents (probe, "x", 1, NULL));

  status = hd_cli_run (cli, NULL, NULL, &err, "keypair", "generate", "refused", NULL);
  g_test_message ("generate on a read-only folder: exit %d: %s", status, err);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err);
  /* Reading still works. */
  status = hd_cli_run (cli, NULL, &out, NULL, "keypair", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "kept"));
  g_assert_null (strstr (out, "refused"));

  after = store_bytes (cli);
  g_assert_cmpstr (after, ==, before);
  names = hd_check_consistent (cli, &orphans_after);
  g_assert_cmpstr (names, ==, "kept");
  /* The secret written before the store refused is deleted again. */
  g_assert_cmpuint (orphans_after, ==, orphans_before);

  if (have_private_mounts)
    g_assert_cmpint (umount (folder), ==, 0);
  else
    g_assert_cmpint (g_chmod (folder, 0700), ==, 0);
  generate (cli, "writable-again");
  hd_cli_free (cli);
}

/* ------------------------------------------------------------------------- */
/* The disk full                                                             */

static gsize fsize_limit;

static void
limit_file_size (gpointer user_data)
{
  struct rlimit limit = { fsize_limit, fsize_limit };

  /* Ignored, SIGXFSZ turns into EFBIG from write(), like a full disk's ENOSPC. */
  signal (SIGXFSZ, SIG_IGN);
  setrlimit (RLIMIT_FSIZE, &limit);
}

static void
fill_up (const char *folder)
{
  g_autofree char *path = g_build_filename (folder, "filler", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  char block[4096] = { 0 };

  g_assert_no_error (error);
  while (g_output_stream_write (G_OUTPUT_STREAM (stream), block, sizeof block, NULL, &error) > 0)
    ;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
  g_clear_error (&error);
  g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, NULL);
}

static void
test_disk_full (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("disk-full");
  HdCli *cli = hd_cli_new (dir);
  g_autofree char *folder = g_build_filename (cli->data_home, "keyferry", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *names = NULL;
  g_autofree char *err = NULL;
  guint orphans_before = 0, orphans_after = 0;
  gboolean tmpfs = FALSE;
  int status;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  if (have_private_mounts && mount ("tmpfs", folder, "tmpfs", 0, "size=256k,mode=0700") == 0)
    tmpfs = TRUE;
  g_test_message ("disk full: %s", tmpfs ? "a 256 KiB tmpfs, filled up"
                                         : "no tmpfs could be mounted: RLIMIT_FSIZE (EFBIG) instead");

  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *name = g_strdup_printf ("kept-%u", i);
      generate (cli, name);
    }
  g_free (hd_check_consistent (cli, &orphans_before));
  before = store_bytes (cli);

  if (tmpfs)
    {
      fill_up (folder);
      status = hd_cli_run (cli, NULL, NULL, &err, "keypair", "generate", "refused", NULL);
    }
  else
    {
      g_autoptr(GSubprocessLauncher) launcher = hd_cli_launcher (cli);
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) err_bytes = NULL;
      g_autoptr(GBytes) no_input = g_bytes_new_static ("", 0);

      /* Room for less than the grown file. */
      fsize_limit = strlen (before) + 16;
      g_subprocess_launcher_set_child_setup (launcher, limit_file_size, NULL, NULL);
      proc = g_subprocess_launcher_spawn (launcher, &error, hd_cli_path (), "keypair", "generate", "refused", NULL);
      g_assert_no_error (error);
      /* The launcher gives the child a stdin pipe: communicate() writes
       * nothing to it and closes it, so the child reads EOF. */
      g_subprocess_communicate (proc, no_input, NULL, NULL, &err_bytes, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (proc));
      status = g_subprocess_get_exit_status (proc);
      err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
    }
  g_test_message ("generate on a full disk: exit %d: %s", status, err);
  g_assert_cmpint (status, ==, 1);
  assert_one_error_line (err);

  after = store_bytes (cli);
  g_assert_cmpstr (after, ==, before);
  names = hd_check_consistent (cli, &orphans_after);
  g_assert_cmpstr (names, ==, "kept-0,kept-1,kept-2,kept-3,kept-4");
  g_assert_cmpuint (orphans_after, ==, orphans_before);

  /* Room again: the next addition works. */
  if (tmpfs)
    {
      g_autofree char *filler = g_build_filename (folder, "filler", NULL);
      g_assert_cmpint (g_unlink (filler), ==, 0);
    }
  generate (cli, "after");
  g_free (names);
  names = hd_check_consistent (cli, NULL);
  g_assert_nonnull (strstr (names, "after"));
  if (tmpfs)
    g_assert_cmpint (umount2 (folder, MNT_DETACH), ==, 0);
  hd_cli_free (cli);
}

/* ------------------------------------------------------------------------- */
/* Semi-automatic setup: the CLI killed, the TrueNAS silent                  */

static KfTestSshd *sshd;

static TnFake *
start_fake (const char *extra)
{
  g_autofree char *rsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "rsa"), ".pub", NULL);
  g_autofree char *ecdsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ecdsa"), ".pub", NULL);
  g_autofree char *ed25519 = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  const char *host_keys[] = { rsa, ecdsa, ed25519, NULL };
  TnFakeOptions options = {
    .ssh_port = kf_test_sshd_get_port (sshd),
    .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
    .host_keys = host_keys,
    .ssh_user = kf_test_sshd_get_user (sshd),
  };

  return tn_fake_start (extra, &options);
}

static void
ensure_sshd (void)
{
  g_autoptr(GError) error = NULL;

  if (sshd == NULL)
    sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
}

static GPtrArray *
semiauto_args (TnFake     *fake,
               const char *name)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("connection"));
  g_ptr_array_add (args, g_strdup ("add-semiauto"));
  g_ptr_array_add (args, g_strdup (name));
  g_ptr_array_add (args, g_strdup ("--url"));
  g_ptr_array_add (args, g_strdup (fake->https_url));
  g_ptr_array_add (args, g_strdup ("--trust-certificate"));
  g_ptr_array_add (args, g_strdup (tn_fixture_cert_pin ()));
  g_ptr_array_add (args, g_strdup ("--admin-username"));
  g_ptr_array_add (args, g_strdup ("truenas_admin"));
  g_ptr_array_add (args, g_strdup ("--password-stdin"));
  g_ptr_array_add (args, g_strdup ("--username"));
  g_ptr_array_add (args, g_strdup (kf_test_sshd_get_user (sshd)));
  g_ptr_array_add (args, g_strdup ("--generate-key"));
  g_ptr_array_add (args, NULL);
  return args;
}

static void
test_cli_killed_during_setup (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("cli-killed");
  HdCli *cli = hd_cli_new (dir);
  TnFake *fake;
  guint finished = 0, killed = 0, orphans = 0;
  g_autofree char *names = NULL;

  ensure_sshd ();
  /* Each reply 60 ms late: the setup lasts long enough to be hit at every step. */
  fake = start_fake ("\"faults\": {\"slow_reply_ms\": 60}");
  generate (cli, "before");

  for (guint i = 0; i < 16; i++)
    {
      g_autofree char *name = g_strdup_printf ("setup-%u", i);
      g_autoptr(GPtrArray) args = semiauto_args (fake, name);
      g_autoptr(GSubprocess) proc = hd_cli_spawnv (cli, (const char * const *) args->pdata, "s3cret\n");
      g_autoptr(GError) error = NULL;

      g_usleep ((50 + i * i * 12) * 1000);
      g_subprocess_send_signal (proc, SIGKILL);
      g_subprocess_wait (proc, NULL, &error);
      g_assert_no_error (error);
      if (g_subprocess_get_if_exited (proc))
        {
          if (g_subprocess_get_exit_status (proc) != 0)
            {
              char err[4096] = "";
              gsize n = 0;

              g_input_stream_read_all (g_subprocess_get_stderr_pipe (proc), err, sizeof err - 1, &n, NULL, NULL);
              err[n] = '\0';
              g_error ("a setup that was not killed failed (exit %d): %s", g_subprocess_get_exit_status (proc), err);
            }
          finished++;
        }
      else
        killed++;

      /* The restart: a new process reads what the killed one left. */
      g_free (hd_check_consistent (cli, &orphans));
    }
  g_test_message ("keyferry-cli SIGKILLed during a semi-automatic setup: %u killed, %u had finished; "
                  "%u keyring items without a key pair left (removed by reconcile later)",
                  killed, finished, orphans);
  g_assert_cmpuint (killed, >, 0);

  /* And a setup run to the end after all that works. */
  {
    g_autoptr(GPtrArray) args = semiauto_args (fake, "final");
    g_autofree char *err = NULL;
    g_autofree char *out = NULL;
    int status = hd_cli_runv (cli, (const char * const *) args->pdata, "s3cret\n", &out, &err);

    if (status != 0)
      g_error ("the setup after the kills failed (exit %d): %s%s", status, out, err);
  }
  names = hd_check_consistent (cli, NULL);
  g_assert_nonnull (strstr (names, "before"));
  g_assert_nonnull (strstr (names, "final Key"));
  tn_fake_stop (fake);
  hd_cli_free (cli);
}

typedef struct {
  gboolean done;
  KfConnection *connection;
  GError *error;
} Run;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->connection = kf_semiauto_setup_run_finish (KF_SEMIAUTO_SETUP (source), result, &run->error);
  run->done = TRUE;
}

static void
test_truenas_silent (void)
{
  /* Every call the setup makes, each going unanswered in its turn. */
  static const char * const methods[] = {
    "core.set_options", "auth.login_ex", "keychaincredential.ssh_pair", "user.query", "user.update",
  };
  g_autofree char *dir = kf_test_make_tmpdir ("truenas-silent");
  HdCli *cli = hd_cli_new (dir);
  g_autofree char *path = hd_cli_store_path (cli);

  ensure_sshd ();
  generate (cli, "before");

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autofree char *extra = g_strdup_printf ("\"faults\": {\"silent_method\": \"%s\"}", methods[i]);
      TnFake *fake = start_fake (extra);
      g_autoptr(KfStore) store = kf_store_new (path);
      g_autoptr(KfVault) vault = NULL;
      g_autoptr(KfSemiautoSetup) setup = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *names = NULL;
      g_autoptr(GError) error = NULL;
      guint orphans_before = 0, orphans_after = 0;
      Run run = { 0 };

      g_assert_true (kf_store_load (store, &error));
      vault = kf_vault_new (store);
      g_free (hd_check_consistent (cli, &orphans_before));
      before = store_bytes (cli);

      setup = kf_semiauto_setup_new (vault);
      kf_semiauto_setup_set_name (setup, "silent");
      kf_semiauto_setup_set_url (setup, fake->https_url);
      kf_semiauto_setup_set_tls_pin (setup, tn_fixture_cert_pin ());
      kf_semiauto_setup_set_admin_username (setup, "truenas_admin");
      kf_semiauto_setup_set_admin_password (setup, "s3cret");
      kf_semiauto_setup_set_username (setup, kf_test_sshd_get_user (sshd));
      kf_semiauto_setup_set_sudo_zfs (setup, TRUE);
      kf_semiauto_setup_set_generate_key (setup, KF_KEY_TYPE_ED25519, 0);
      kf_semiauto_setup_set_protocol (setup, KF_TRUENAS_PROTOCOL_JSONRPC);
      kf_semiauto_setup_set_call_timeout_ms (setup, 700);
      kf_semiauto_setup_run_async (setup, NULL, on_run_done, &run);
      kf_test_wait_for (&run.done, 60);

      g_test_message ("TrueNAS silent in %s: %s", methods[i], run.error ? run.error->message : "(no error)");
      g_assert_null (run.connection);
      g_assert_error (run.error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_TIMEOUT);
      g_clear_error (&run.error);

      /* Nothing changed: the same file, no new keyring item. */
      after = store_bytes (cli);
      g_assert_cmpstr (after, ==, before);
      names = hd_check_consistent (cli, &orphans_after);
      g_assert_cmpstr (names, ==, "before");
      g_assert_cmpuint (orphans_after, ==, orphans_before);
      tn_fake_stop (fake);
    }
  hd_cli_free (cli);
}

/* ------------------------------------------------------------------------- */
/* sshd going away during a Test                                             */

static char *
write_host_keys (KfTestSshd *server,
                 const char *dir)
{
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (server);
  g_autofree char *text = g_strjoinv ("\n", lines);
  char *path = g_build_filename (dir, "host-keys", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_sshd_gone (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("sshd-gone");
  g_autofree char *sshd_dir = g_build_filename (dir, "sshd", NULL);
  HdCli *cli = hd_cli_new (dir);
  g_autoptr(GError) error = NULL;
  KfTestSshd *server = kf_test_sshd_start_in (sshd_dir, 0, &error);
  g_autofree char *host_keys = NULL;
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *public_key = NULL;
  g_autofree char *names = NULL;
  /* After sshd forked the process serving the login: how much later it goes. */
  static const guint delays_ms[] = { 0, 0, 2, 5, 10, 20 };
  guint port_number;
  guint failed = 0;
  int status;

  g_assert_no_error (error);
  port_number = kf_test_sshd_get_port (server);
  port = g_strdup_printf ("%u", port_number);
  host_keys = write_host_keys (server, dir);
  generate (cli, "key");
  status = hd_cli_run (cli, NULL, &out, NULL, "keypair", "show", "key", "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();

    g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
    public_key = g_strdup (json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                          "public_key"));
  }
  g_assert_nonnull (public_key);
  kf_test_sshd_add_authorized_key (server, public_key);
  status = hd_cli_run (cli, NULL, NULL, &err, "connection", "add-manual", "nas", "--host", "127.0.0.1",
                       "--port", port, "--username", kf_test_sshd_get_user (server), "--keypair", "key",
                       "--host-key-file", host_keys, NULL);
  if (status != 0)
    g_error ("add-manual: %s", err);
  g_clear_pointer (&err, g_free);
  status = hd_cli_run (cli, NULL, NULL, &err, "connection", "test", "nas", NULL);
  if (status != 0)
    g_error ("the Test before the fault failed: %s", err);

  for (guint round = 0; round < G_N_ELEMENTS (delays_ms); round++)
    {
      const char *args[] = { "connection", "test", "nas", NULL };
      g_autoptr(GSubprocess) proc = NULL;
      g_autofree char *round_err = NULL;
      g_autoptr(GBytes) err_bytes = NULL;
      GPid sshd_pid = kf_test_sshd_get_pid (server);
      gint64 deadline;
      gboolean in_session = FALSE;

      proc = hd_cli_spawnv (cli, args, NULL);
      /* Wait for sshd to fork the process serving this login, then take
       * the whole server away (listener and session) at once. */
      deadline = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;
      while (!in_session && g_get_monotonic_time () < deadline)
        {
          g_autoptr(GArray) children = hd_children_of (sshd_pid);
          in_session = children->len > 0;
          if (!in_session)
            g_usleep (1000);
        }
      g_usleep (delays_ms[round] * 1000);
      hd_kill_tree (sshd_pid);

      g_subprocess_communicate (proc, NULL, NULL, NULL, &err_bytes, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (proc));
      round_err = g_strndup (g_bytes_get_data (err_bytes, NULL), g_bytes_get_size (err_bytes));
      g_test_message ("sshd killed %s a Test (round %u): exit %d: %s", in_session ? "during" : "before",
                      round, g_subprocess_get_exit_status (proc), round_err);
      /* A Test that finished before the kill passed; one that did not fails
       * with one line. */
      g_assert_cmpint (g_subprocess_get_exit_status (proc), <=, 1);
      if (g_subprocess_get_exit_status (proc) == 1)
        {
          assert_one_error_line (round_err);
          failed++;
        }

      names = hd_check_consistent (cli, NULL);
      g_assert_cmpstr (names, ==, "key");
      g_clear_pointer (&names, g_free);

      /* sshd back (same folder, host keys, port): the same connection works. */
      kf_test_sshd_stop (server);
      server = kf_test_sshd_start_in (sshd_dir, port_number, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (kf_test_sshd_get_port (server), ==, port_number);
      g_clear_pointer (&err, g_free);
      status = hd_cli_run (cli, NULL, NULL, &err, "connection", "test", "nas", NULL);
      if (status != 0)
        g_error ("the Test after sshd came back failed: %s", err);
    }
  /* Otherwise no kill landed inside a Test. */
  g_assert_cmpuint (failed, >, 0);
  kf_test_sshd_stop (server);
  hd_cli_free (cli);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  kf_test_init (&argc, &argv);
  setup_private_mounts ();
  tn_fixture_init ();

  g_test_add_func ("/faults/keyring-killed", test_keyring_killed);
  g_test_add_func ("/faults/read-only", test_read_only);
  g_test_add_func ("/faults/disk-full", test_disk_full);
  g_test_add_func ("/faults/cli-killed-during-setup", test_cli_killed_during_setup);
  g_test_add_func ("/faults/truenas-silent", test_truenas_silent);
  g_test_add_func ("/faults/sshd-gone", test_sshd_gone);
  status = g_test_run ();
  g_clear_pointer (&sshd, kf_test_sshd_stop);
  return status;
}
