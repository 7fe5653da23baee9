/* test-cli-semiauto.c: keyferry-cli connection add-semiauto / pair-again end to end:
 * the fake TrueNAS over real TLS installs the key into the authorized_keys
 * file of a real sshd, and `keyferry-cli connection test` logs in.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>

#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "truenas-fixture.h"

static KfTestSshd *sshd;

/* The fake pairs into the real sshd; @ssh_port 0: the sshd's (else what
 * ssh_pair reports); @faults NULL or the members of "faults". */
static TnFake *
start_fake_full (const char *protocols,
                 guint       ssh_port,
                 const char *faults)
{
  const char *types[] = { "rsa", "ecdsa", "ed25519" };
  g_autofree char *extra = faults != NULL
    ? g_strdup_printf ("\"protocols\": \"%s\", \"faults\": {%s}", protocols, faults)
    : g_strdup_printf ("\"protocols\": \"%s\"", protocols);
  g_autoptr(GPtrArray) host_keys = g_ptr_array_new_with_free_func (g_free);
  TnFakeOptions options = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_ptr_array_add (host_keys, g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL));
  g_ptr_array_add (host_keys, NULL);
  options.ssh_port = ssh_port != 0 ? ssh_port : kf_test_sshd_get_port (sshd);
  options.authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd);
  options.host_keys = (const char * const *) host_keys->pdata;
  options.ssh_user = kf_test_sshd_get_user (sshd);
  return tn_fake_start (extra, &options);
}

static TnFake *
start_fake (const char *protocols)
{
  return start_fake_full (protocols, 0, NULL);
}

static void
pair_and_login (const char *protocols,
                const char *name)
{
  TnFake *fake = start_fake (protocols);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *keys = NULL;
  /* Scaled for the sanitizer run (kf_test_timeout): not under test here. */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  g_autoptr(JsonNode) shown = NULL;
  int status;

  /* Untrusted certificate: exit 1, and the fingerprint to pass is printed. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin",
                "--username", kf_test_sshd_get_user (sshd), NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "--trust-certificate"));
  g_assert_nonnull (strstr (err, tn_fixture_cert_pin ()));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (NULL, &out, &err, "connection", "show", name, NULL);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* 10 s per reply, as the other success paths (test-truenas-client,
   * test-semiauto-setup): under the sanitizers, two tests at a time on two
   * cores, 5 s was seen to run out during the TLS and WebSocket set-up. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin",
                "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  /* The password never shows up in what the CLI printed. */
  g_assert_null (strstr (out, "s3cret"));
  g_assert_null (strstr (err, "s3cret"));

  keys = tn_fake_read_authorized_keys (fake);
  g_assert_cmpstr (keys, !=, "");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (NULL, &out, &err, "connection", "show", name, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  shown = json_from_string (out, NULL);
  g_assert_nonnull (shown);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "setup_method"), ==, "semi-automatic");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "tls_pin"), ==, tn_fixture_cert_pin ());
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (shown), "port"), ==, kf_test_sshd_get_port (sshd));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (shown), "host_keys")), ==, 3);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (shown), "host_key_verified"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (NULL, &out, &err, "connection", "test", name, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);

  /* Pair again, with the stored pin, works and keeps the key once. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "pair-again", name, "--password-stdin", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "delete", name, "--with-keypair", NULL), ==, 0);
  tn_fake_stop (fake);
}

static void
test_jsonrpc (void)
{
  pair_and_login ("jsonrpc", "nas-jsonrpc");
}

static void
test_legacy (void)
{
  pair_and_login ("legacy", "nas-legacy");
}

static void
test_otp_and_usage (void)
{
  TnFake *fake = start_fake ("both");
  g_autofree char *out = NULL, *err = NULL;
  /* The whole API conversation's deadline; not under test here, so scaled
   * for the sanitizer run (kf_test_timeout). */
  g_autofree char *timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  int status;

  /* The code is never taken from argv. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url,
                "--password-stdin", "--otp", "246810", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--otp-stdin"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (NULL, &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url, NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON-RPC asks for the code: it is read from the next line of stdin. */
  status = cli_test_run ("s3cret\n246810\n", &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url,
                "--admin-username", "twofa", "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", timeout, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "246810"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong code: refused, nothing saved. */
  status = cli_test_run ("s3cret\n000000\n", &out, &err, "connection", "add-semiauto", "otp2", "--url", fake->https_url,
                "--admin-username", "twofa", "--password-stdin", "--otp-stdin",
                "--username", kf_test_sshd_get_user (sshd), "--trust-certificate", tn_fixture_cert_pin (),
                "--connect-timeout", timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "one-time password"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "otp2", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "show", "otp2 Key", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Plain hex pin (OpenSSL colon form is covered by the pin parser tests). */
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "delete", "otp", "--with-keypair", NULL), ==, 0);
  tn_fake_stop (fake);
}


static char *
fake_user_shell (TnFake     *fake,
                 const char *username)
{
  g_autoptr(JsonNode) state = tn_fake_read_state (fake);
  JsonArray *users = json_object_get_array_member (json_node_get_object (state), "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);
      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        return g_strdup (json_object_get_string_member (user, "shell"));
    }
  g_assert_not_reached ();
}

/* The login shell changes only with a word on stderr; --keep-shell leaves it. */
static void
test_shell_notice (void)
{
  /* Scaled for the sanitizer run (kf_test_timeout): not under test here. */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  TnFake *fake = start_fake ("both");
  const char *user = kf_test_sshd_get_user (sshd);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *expected = g_strdup_printf ("keyferry-cli: %s's login shell on 127.0.0.1 is /usr/sbin/nologin; Keyferry will set /usr/bin/bash so that SSH logins work.\n", user);
  g_autofree char *shell = NULL;
  g_autoptr(JsonNode) shown = NULL;
  int status;

  /* --keep-shell: the shell stays, and the CLI says so and why SSH fails. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "kept", "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--username", user, "--keep-shell",
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  g_test_message ("--keep-shell: status %d, stderr: %s", status, err);
  /* Saved, and the SSH check is what failed: exit 3 (issue 10, point 4). */
  g_assert_cmpint (status, ==, 3);
  g_assert_null (strstr (err, "Keyferry will set"));
  g_assert_nonnull (strstr (err, "stays /usr/sbin/nologin, as asked"));
  shell = fake_user_shell (fake, user);
  g_assert_cmpstr (shell, ==, "/usr/sbin/nologin");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "kept", "--json", NULL), ==, 0);
  shown = json_from_string (out, NULL);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (shown), "host_key_verified"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Without it: bash, said on stderr with the user, the old and the new shell. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "changed", "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--username", user,
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, expected));
  g_clear_pointer (&shell, g_free);
  shell = fake_user_shell (fake, user);
  g_assert_cmpstr (shell, ==, "/usr/bin/bash");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The sudo option is said the same way. */
  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "sudo", "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--username", "sudoer", "--sudo",
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  g_test_message ("--sudo: status %d, stderr: %s", status, err);
  g_assert_cmpint (status, !=, 1);
  g_assert_nonnull (strstr (err, "keyferry-cli: Keyferry will let sudoer on 127.0.0.1 run /usr/sbin/zfs with sudo without a password"));
  tn_fake_stop (fake);
}

/* The CLI must see Ctrl-C as a terminal would send it. */
static void
child_default_sigint (gpointer data)
{
  signal (SIGINT, SIG_DFL);
}

/* Ctrl-C after the key went to the TrueNAS: the CLI takes it back before it exits. */
static void
test_ctrl_c_after_install (void)
{
  /* Scaled for the sanitizer run (kf_test_timeout): not under test here. */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  TnFake *fake = NULL;
  const char *types[] = { "rsa", "ecdsa", "ed25519" };
  g_autoptr(GPtrArray) host_keys = g_ptr_array_new_with_free_func (g_free);
  TnFakeOptions options = { 0 };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cli_path = g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  const char *keys_path = kf_test_sshd_get_authorized_keys_path (sshd);
  gint64 deadline;
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_ptr_array_add (host_keys, g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL));
  g_ptr_array_add (host_keys, NULL);
  options.ssh_port = kf_test_sshd_get_port (sshd);
  options.authorized_keys = keys_path;
  options.host_keys = (const char * const *) host_keys->pdata;
  options.ssh_user = kf_test_sshd_get_user (sshd);
  /* user.update (the shell) answers after 3 s: the key is on the TrueNAS by then. */
  fake = tn_fake_start ("\"faults\": {\"slow_reply_ms\": {\"user.update\": 3000}}", &options);
  g_assert_true (g_file_set_contents (keys_path, "# kept as it is\n", -1, NULL));
  g_file_get_contents (keys_path, &keys_before, NULL, NULL);

  g_subprocess_launcher_set_child_setup (launcher, child_default_sigint, NULL, NULL);
  proc = g_subprocess_launcher_spawn (launcher, &error, cli_path, "connection", "add-semiauto", "ctrl-c",
                                      "--url", fake->https_url, "--admin-username", "truenas_admin",
                                      "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                                      "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  g_assert_no_error (error);
  /* Left open: communicate() closes it. */
  g_output_stream_write_all (g_subprocess_get_stdin_pipe (proc), "s3cret\n", 7, NULL, NULL, &error);
  g_assert_no_error (error);

  /* Wait until ssh_pair has written the key, then press Ctrl-C. */
  deadline = g_get_monotonic_time () + kf_test_timeout (20) * G_USEC_PER_SEC;
  for (;;)
    {
      g_autofree char *now = NULL;
      g_file_get_contents (keys_path, &now, NULL, NULL);
      if (g_strcmp0 (now, keys_before) != 0)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  status = g_subprocess_get_if_signaled (proc) ? 128 + g_subprocess_get_term_sig (proc)
                                               : g_subprocess_get_exit_status (proc);
  g_test_message ("after Ctrl-C: status %d, stderr: %s", status, err);
  g_assert_cmpint (status, ==, 128 + SIGINT);
  g_assert_nonnull (strstr (err, "nothing was changed"));
  g_file_get_contents (keys_path, &keys_after, NULL, NULL);
  g_assert_cmpstr (keys_after, ==, keys_before);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "ctrl-c", NULL), ==, 1);
  tn_fake_stop (fake);
}

/* Issue 10, the three outcomes: 3 when the TrueNAS paired and the connection
 * was saved but logging in over SSH then failed (here the TrueNAS reports an
 * SSH port where nothing listens: not a host key question), with the reason;
 * the key stays on the NAS and the connection is kept, its last test failed. */
static void
check_exit_3 (const char *protocols)
{
  TnFake *fake = start_fake_full (protocols, kf_test_closed_port (), NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  g_autofree char *keys = NULL;
  g_autofree char *name = g_strdup_printf ("nas-exit3-%s", protocols);
  g_autofree char *keypair = g_strdup_printf ("%s Key", name);
  g_autoptr(JsonNode) shown = NULL;
  g_autoptr(JsonNode) shown_keypair = NULL;
  g_auto(GStrv) fields = NULL;
  int status;

  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", timeout, NULL);
  g_test_message ("exit %d: %s", status, err);
  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (err, "was saved, but the SSH login check failed:"));
  g_assert_nonnull (strstr (err, name));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* What remains: the connection (last test failed) with its key pair, and the key on the NAS. */
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", name, "--json", NULL), ==, 0);
  shown = json_from_string (out, NULL);
  g_assert_nonnull (shown);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "last_test"), ==, "failed");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "show", keypair, "--json", NULL), ==, 0);
  shown_keypair = json_from_string (out, NULL);
  fields = g_strsplit (json_object_get_string_member (json_node_get_object (shown_keypair), "public_key"), " ", 3);
  keys = tn_fake_read_authorized_keys (fake);
  g_assert_nonnull (strstr (keys, fields[1]));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "delete", name, "--with-keypair", NULL), ==, 0);
  tn_fake_stop (fake);
}

static void
test_exit_3 (void)
{
  check_exit_3 ("jsonrpc");
  check_exit_3 ("legacy");
}

/* Issue 10: --connect-timeout bounds the whole API conversation on both
 * protocols: with every reply 5 s late and --connect-timeout 3, the run
 * fails after 3 s (not after 3 s on one protocol and 20 s on the other),
 * exit 1, nothing saved. The timeout under test is not scaled. */
static void
test_deadline (void)
{
  const char *protocols[] = { "jsonrpc", "legacy" };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      TnFake *fake = start_fake_full ("both", 0, "\"slow_reply_ms\": 5000");
      g_autofree char *out = NULL, *err = NULL;
      gint64 start, elapsed;
      int status;

      start = g_get_monotonic_time ();
      status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "slow", "--url", fake->https_url,
                    "--admin-username", "truenas_admin", "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                    "--trust-certificate", tn_fixture_cert_pin (), "--protocol", protocols[i],
                    "--connect-timeout", "3", NULL);
      elapsed = g_get_monotonic_time () - start;
      g_test_message ("FIGURES deadline %s: exit %d after %.2f s: %s", protocols[i], status,
                      elapsed / (double) G_USEC_PER_SEC, err);
      g_assert_cmpint (status, ==, 1);
      g_assert_nonnull (strstr (err, "3 seconds"));
      g_assert_cmpint (elapsed, >=, 3 * G_USEC_PER_SEC - 100 * 1000);
      g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC + kf_test_timeout (3) * G_USEC_PER_SEC);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "slow", NULL), ==, 1);
      /* Nothing reached the NAS either: the run ended before ssh_pair. */
      {
        g_autoptr(JsonNode) state = tn_fake_read_state (fake);
        JsonArray *calls = state != NULL ? json_object_get_array_member (json_node_get_object (state), "calls") : NULL;

        for (guint c = 0; calls != NULL && c < json_array_get_length (calls); c++)
          g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (calls, c), "method"), !=,
                           "keychaincredential.ssh_pair");
      }
      tn_fake_stop (fake);
    }
}

/* The help of both pairing commands documents the deadline and exit 3. */
static void
test_help (void)
{
  const char *verbs[] = { "add-semiauto", "pair-again" };

  for (guint i = 0; i < G_N_ELEMENTS (verbs); i++)
    {
      g_autofree char *out = NULL, *err = NULL;

      g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", verbs[i], "--help", NULL), ==, 0);
      g_assert_nonnull (strstr (out, "whole conversation"));
      g_assert_nonnull (strstr (out, "3 paired and saved, but the SSH login check failed"));
      g_assert_null (strstr (out, "(null)"));
    }
}

/* --api-key-stdin: the key is the first line of stdin, https only, never printed or saved. */
static void
test_api_key (void)
{
  TnFake *fake = start_fake ("both");
  const char *secret = strchr (TN_API_KEY, '-') + 1;
  g_autofree char *key_line = g_strconcat (TN_API_KEY, "\n", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *store = NULL;
  g_autoptr(JsonNode) state = NULL;
  /* Not under test here: scaled for the sanitizer run (kf_test_timeout). */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  int status;

  /* One secret from stdin: the password or the key, and no OTP with a key. */
  status = cli_test_run (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->https_url,
                "--password-stdin", "--api-key-stdin", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "either --password-stdin or --api-key-stdin"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->https_url,
                "--api-key-stdin", "--otp-stdin", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no one-time password"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* http:// (the fake's port that would redirect to https): refused before
   * anything is sent, so the fake saw no call at all. */
  status = cli_test_run (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->http_url,
                "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "only over https"));
  state = tn_fake_read_state (fake);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (state), "calls")), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "key", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* https: paired with the key on each protocol, and the SSH login works. */
  for (guint i = 0; i < 2; i++)
    {
      const char *protocol = i == 0 ? "jsonrpc" : "legacy";
      g_autofree char *name = g_strconcat ("key-", protocol, NULL);

      status = cli_test_run (key_line, &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                    "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                    "--trust-certificate", tn_fixture_cert_pin (), "--protocol", protocol,
                    "--connect-timeout", reply_timeout, NULL);
      if (status != 0)
        g_printerr ("%s\n%s\n", out, err);
      g_assert_cmpint (status, ==, 0);
      g_assert_null (strstr (out, secret));
      g_assert_null (strstr (err, secret));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "test", name, NULL), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
  /* Pair again with the key. */
  status = cli_test_run (key_line, &out, &err, "connection", "pair-again", "key-jsonrpc", "--api-key-stdin", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A revoked key: refused, nothing saved. */
  status = cli_test_run (TN_API_KEY_REVOKED "\n", &out, &err, "connection", "add-semiauto", "revoked", "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  if (strstr (err, "refused the API key") == NULL)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "refused the API key"));
  g_assert_null (strstr (err, strchr (TN_API_KEY_REVOKED, '-') + 1));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "show", "revoked", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The key is in no file of the store. */
  {
    g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "keyferry", NULL);
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
    const char *file;

    g_assert_nonnull (dir);
    while ((file = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (data_dir, file, NULL);
        g_clear_pointer (&store, g_free);
        if (g_file_get_contents (path, &store, NULL, NULL))
          g_assert_null (strstr (store, secret));
      }
  }
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (cli_test_run (NULL, &out, &err, "connection", "delete", i == 0 ? "key-jsonrpc" : "key-legacy",
                            "--with-keypair", NULL), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
  tn_fake_stop (fake);
}

/* An HA standby (REDIRECT) names the active controller to use; a rate limit says to wait. */
static void
test_standby_and_rate_limit (void)
{
  TnFake *standby = tn_fake_start ("\"login_redirect_urls\": [\"http://10.0.0.2\", \"https://10.0.0.2:8443\"]", NULL);
  TnFake *limited = tn_fake_start ("\"rate_limit\": {\"max_calls\": 0, \"period_s\": 60, \"sleep_ms\": [0, 0]}", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  int status;

  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "standby", "--url", standby->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--trust-certificate", tn_fixture_cert_pin (),
                "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "standby controller"));
  g_assert_nonnull (strstr (err, "--url https://10.0.0.2:8443"));
  /* One line. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (long) strlen (err) - 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = cli_test_run ("s3cret\n", &out, &err, "connection", "add-semiauto", "limited", "--url", limited->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--trust-certificate", tn_fixture_cert_pin (),
                "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "limiting login attempts"));
  g_assert_nonnull (strstr (err, "wait a minute"));
  tn_fake_stop (limited);
  tn_fake_stop (standby);
}


/* Two keyferry-cli runs with one name at once: one pairs, the other fails and
 * takes its key back, so the TrueNAS has one new key. */
static void
test_same_name_at_once (void)
{
  /* Scaled for the sanitizer run (kf_test_timeout): not under test here. */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  TnFake *fake = start_fake ("both");
  g_autofree char *cli_path = g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL);
  const char *keys_path = kf_test_sshd_get_authorized_keys_path (sshd);
  g_autofree char *password_path = g_build_filename (fake->dir, "password", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  GSubprocess *procs[2];
  int statuses[2];
  g_autofree char *keys = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_set_contents (keys_path, "", -1, NULL));
  /* The password from a file: both start at once, neither waits for the other's stdin. */
  g_assert_true (g_file_set_contents (password_path, "s3cret\n", -1, NULL));
  g_subprocess_launcher_set_stdin_file_path (launcher, password_path);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      procs[i] = g_subprocess_launcher_spawn (launcher, &error,
                                              cli_path, "connection", "add-semiauto", "twin", "--url", fake->https_url,
                                              "--admin-username", "truenas_admin", "--password-stdin",
                                              "--username", kf_test_sshd_get_user (sshd),
                                              "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = NULL, *err = NULL;

      g_subprocess_communicate_utf8 (procs[i], NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      statuses[i] = g_subprocess_get_exit_status (procs[i]);
      g_test_message ("run %u: status %d, stderr: %s", i, statuses[i], err);
      g_object_unref (procs[i]);
    }
  g_assert_true ((statuses[0] == 0) != (statuses[1] == 0));
  g_assert_cmpint (statuses[0] + statuses[1], ==, 1);
  keys = tn_fake_read_authorized_keys (fake);
  lines = g_strsplit (keys, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[1], ==, "");
  tn_fake_stop (fake);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  kf_test_init (&argc, &argv);
  tn_fixture_init ();
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/semiauto/jsonrpc", test_jsonrpc);
  g_test_add_func ("/cli/semiauto/legacy", test_legacy);
  g_test_add_func ("/cli/semiauto/otp", test_otp_and_usage);
  g_test_add_func ("/cli/semiauto/shell-notice", test_shell_notice);
  g_test_add_func ("/cli/semiauto/ctrl-c-after-install", test_ctrl_c_after_install);
  g_test_add_func ("/cli/semiauto/exit-3", test_exit_3);
  g_test_add_func ("/cli/semiauto/deadline", test_deadline);
  g_test_add_func ("/cli/semiauto/help", test_help);
  g_test_add_func ("/cli/semiauto/api-key", test_api_key);
  g_test_add_func ("/cli/semiauto/standby-and-rate-limit", test_standby_and_rate_limit);
  g_test_add_func ("/cli/semiauto/same-name-at-once", test_same_name_at_once);
  ret = g_test_run ();
  kf_test_sshd_stop (sshd);
  return ret;
}
