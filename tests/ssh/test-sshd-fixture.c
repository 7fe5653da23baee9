/* test-sshd-fixture.c: the test sshd starts, lets OpenSSH's ssh in with an
 * authorized key (and only with it), changes host keys, and stops for good.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <gio/gio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "kf-test-sshd.h"
#include "kf-test-util.h"

/* OpenSSH ssh, isolated from the user's config, agent and known_hosts. */
static int
run_ssh (KfTestSshd  *sshd,
         const char  *key_path,
         char       **out,
         char       **err)
{
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *dest = g_strdup_printf ("%s@127.0.0.1", kf_test_sshd_get_user (sshd));
  const char *argv[] = {
    "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "ConnectTimeout=10",
    "-o", "LogLevel=ERROR", "-i", key_path, "-p", port, dest, "echo", "keyferry-ok", NULL
  };
  return kf_test_run_command (argv, NULL, out, err);
}

static gboolean
process_exists (GPid pid)
{
  return kill (pid, 0) == 0 || errno != ESRCH;
}

static gboolean
port_refuses (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  return conn == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

static void
test_login_and_stop (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("client");
  g_autofree char *key = g_build_filename (dir, "id_ed25519", NULL);
  g_autofree char *other = g_build_filename (dir, "id_other", NULL);
  g_autofree char *line = NULL;
  g_autofree char *other_line = NULL;
  g_auto(GStrv) host_keys = NULL;
  KfTestSshd *sshd;
  GPid pid;
  guint port;

  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_nonnull (sshd);
  port = kf_test_sshd_get_port (sshd);
  pid = kf_test_sshd_get_pid (sshd);
  g_assert_cmpuint (port, >, 0);
  g_assert_cmpint (pid, >, 0);
  g_assert_true (process_exists (pid));

  host_keys = kf_test_sshd_get_host_key_lines (sshd);
  g_assert_cmpuint (g_strv_length (host_keys), ==, 3);
  g_assert_true (g_str_has_prefix (host_keys[0], "ssh-rsa AAAA"));
  g_assert_true (g_str_has_prefix (host_keys[1], "ecdsa-sha2-nistp256 AAAA"));
  g_assert_true (g_str_has_prefix (host_keys[2], "ssh-ed25519 AAAA"));

  line = kf_test_sshd_make_client_key (key, &error);
  g_assert_no_error (error);
  other_line = kf_test_sshd_make_client_key (other, &error);
  g_assert_no_error (error);

  /* Not authorized yet: refused. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_ssh (sshd, key, &out, &err), ==, 255);
    g_assert_true (out == NULL || strstr (out, "keyferry-ok") == NULL);
  }

  kf_test_sshd_add_authorized_key (sshd, line);
  {
    g_autofree char *out = NULL, *err = NULL;
    int status = run_ssh (sshd, key, &out, &err);
    if (status != 0)
      g_printerr ("ssh: %s\n", err);
    g_assert_cmpint (status, ==, 0);
    g_assert_cmpstr (out, ==, "keyferry-ok\n");
  }
  /* Another key is still refused. */
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_ssh (sshd, other, &out, &err), ==, 255);
  }

  kf_test_sshd_stop (sshd);
  g_assert_false (process_exists (pid));
  g_assert_true (port_refuses (port));
}

static void
test_regenerate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestSshd) sshd = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("client");
  g_autofree char *key = g_build_filename (dir, "id_ed25519", NULL);
  g_autofree char *line = NULL;
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  GPid old_pid;
  guint port;

  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  line = kf_test_sshd_make_client_key (key, &error);
  g_assert_no_error (error);
  kf_test_sshd_add_authorized_key (sshd, line);

  port = kf_test_sshd_get_port (sshd);
  old_pid = kf_test_sshd_get_pid (sshd);
  before = kf_test_sshd_get_host_key_lines (sshd);
  g_assert_true (kf_test_sshd_regenerate_host_keys (sshd, &error));
  g_assert_no_error (error);
  after = kf_test_sshd_get_host_key_lines (sshd);

  g_assert_false (process_exists (old_pid));
  g_assert_cmpuint (kf_test_sshd_get_port (sshd), ==, port);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (before[i], !=, after[i]);
  {
    g_autofree char *out = NULL, *err = NULL;
    g_assert_cmpint (run_ssh (sshd, key, &out, &err), ==, 0);
    g_assert_cmpstr (out, ==, "keyferry-ok\n");
  }
}

static void
test_two_at_once (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestSshd) a = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_autoptr(KfTestSshd) b = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_cmpuint (kf_test_sshd_get_port (a), !=, kf_test_sshd_get_port (b));
  g_assert_cmpstr (kf_test_sshd_get_authorized_keys_path (a), !=,
                   kf_test_sshd_get_authorized_keys_path (b));
}

/* A port someone else holds: start_in with that port reports it, and with
 * port 0 a free one is found. */
static void
test_port_taken (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) holder = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, 0, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("taken");
  KfTestSshd *sshd;
  guint port;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (holder, any, FALSE, &error));
  g_assert_true (g_socket_listen (holder, &error));
  bound = g_socket_get_local_address (holder, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  sshd = kf_test_sshd_start_in (dir, port, &error);
  g_assert_null (sshd);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_clear_error (&error);

  sshd = kf_test_sshd_start_in (dir, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kf_test_sshd_get_port (sshd), !=, port);
  kf_test_sshd_stop (sshd);
}

/* The standalone kf-test-sshd: prints port= and authorized_keys=, stops on SIGTERM. */
static void
test_standalone (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("standalone");
  g_autofree char *exe = g_build_filename (kf_test_get_builddir (), "tests", "kf-test-sshd", NULL);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *authorized_keys = NULL;
  guint port = 0;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, exe, "--dir", dir, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  for (;;)
    {
      g_autofree char *l = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (l);
      if (g_str_has_prefix (l, "port="))
        port = (guint) g_ascii_strtoull (l + 5, NULL, 10);
      else if (g_str_has_prefix (l, "authorized_keys="))
        authorized_keys = g_strdup (l + 16);
      else if (g_str_equal (l, "ready"))
        break;
    }
  g_assert_cmpuint (port, >, 0);
  g_assert_nonnull (authorized_keys);
  g_assert_true (g_str_has_prefix (authorized_keys, dir));
  g_assert_true (g_file_test (authorized_keys, G_FILE_TEST_IS_REGULAR));
  g_assert_false (port_refuses (port));

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_true (port_refuses (port));
  /* The caller's directory stays. */
  g_assert_true (g_file_test (authorized_keys, G_FILE_TEST_IS_REGULAR));
}

int
main (int    argc,
      char **argv)
{
  kf_test_init (&argc, &argv);
  g_test_add_func ("/sshd-fixture/login-and-stop", test_login_and_stop);
  g_test_add_func ("/sshd-fixture/regenerate", test_regenerate);
  g_test_add_func ("/sshd-fixture/two-at-once", test_two_at_once);
  g_test_add_func ("/sshd-fixture/port-taken", test_port_taken);
  g_test_add_func ("/sshd-fixture/standalone", test_standalone);
  return g_test_run ();
}
