/* test-ssh-probe.c: host key discovery and connection Test against a real
 * sshd on loopback, and the ways they fail.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kf-known-hosts.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"

/* One sshd and one authorized client key for the whole binary. */
static KfTestSshd *sshd;
static char *client_key_path;
static char *client_private;
/* SSH_AUTH_SOCK, set before any thread exists; an agent listens there during
 * test_agent_ignored. */
static char *agent_sock;

/* ------------------------------------------------------------- helpers */

static void
on_async_done (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  GAsyncResult **out = data;
  *out = g_object_ref (result);
}

static GPtrArray *
discover (const char  *host,
          guint        port,
          guint        timeout_s,
          GCancellable *cancellable,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kf_ssh_probe_discover_async (host, port, timeout_s, cancellable, on_async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return kf_ssh_probe_discover_finish (result, error);
}

static KfTestResult *
run_test (KfConnection  *conn,
          const char    *keypair_name,
          const char    *private_key,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  kf_ssh_probe_test_async (conn, keypair_name, private_key, cancellable, on_async_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return kf_ssh_probe_test_finish (result, error);
}

static KfConnection *
make_connection (KfTestSshd *server,
                 guint       timeout_s)
{
  KfConnection *conn = kf_connection_new ("Loopback");
  g_auto(GStrv) keys = NULL;

  kf_connection_set_setup_method (conn, KF_SETUP_METHOD_MANUAL);
  kf_connection_set_host (conn, "127.0.0.1");
  kf_connection_set_username (conn, kf_test_sshd_get_user (server));
  kf_connection_set_connect_timeout (conn, timeout_s);
  if (server != NULL)
    {
      kf_connection_set_port (conn, kf_test_sshd_get_port (server));
      keys = kf_test_sshd_get_host_key_lines (server);
      kf_connection_set_host_keys (conn, (const char * const *) keys);
    }
  return conn;
}

/* The "SHA256:..." that ssh-keygen -lf prints for @pub_path. */
static char *
ssh_keygen_fingerprint (const char *pub_path)
{
  const char *argv[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", pub_path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) words = NULL;

  g_assert_cmpint (kf_test_run_command (argv, NULL, &out, NULL), ==, 0);
  words = g_strsplit (out, " ", 3);
  g_assert_cmpuint (g_strv_length (words), >=, 2);
  g_assert_true (g_str_has_prefix (words[1], "SHA256:"));
  return g_strdup (words[1]);
}

/* An operation with a timeout of timeout_s gave up by its own deadline: not
 * before it, and not long after. The slack above it is for a sanitizer build
 * (2-3x slower) on a loaded machine; every case this guards against (no
 * overall deadline, a per-read timeout restarted by each byte, the system's
 * TCP connect timeout) would take ten times the timeout or more. */
static void
assert_gave_up_after (double elapsed,
                      guint  timeout_s)
{
  g_assert_cmpfloat (elapsed, >=, timeout_s * 0.9);
  g_assert_cmpfloat (elapsed, <=, timeout_s * 2.0 + 1.0);
}

/* Cancelled 300 ms in: it ended well before its timeout of timeout_s (5 s
 * leaves room for a slow build; waiting for the timeout would take 30). */
static void
assert_cancelled_promptly (double elapsed,
                           guint  timeout_s)
{
  g_assert_cmpfloat (elapsed, <, MIN (5.0, timeout_s / 4.0));
}

/* ------------------------------------------------------------- discover */

static void
test_discover (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  static const char * const types[] = { "rsa", "ecdsa", "ed25519" };
  static const char * const names[] = { "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519" };
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);

  keys = discover ("127.0.0.1", kf_test_sshd_get_port (sshd), 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (keys);
  g_assert_cmpuint (keys->len, ==, 3);

  for (guint i = 0; i < 3; i++)
    {
      KfHostKey *key = g_ptr_array_index (keys, i);
      g_autofree char *pub = g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL);
      g_autofree char *expected = ssh_keygen_fingerprint (pub);
      g_auto(GStrv) words = g_strsplit (lines[i], " ", 3);

      g_assert_cmpstr (kf_host_key_get_key_type (key), ==, names[i]);
      g_assert_cmpstr (kf_host_key_get_fingerprint (key), ==, expected);
      g_assert_cmpstr (kf_host_key_get_base64 (key), ==, words[1]);
    }
  g_assert_cmpuint (kf_host_key_get_bits (g_ptr_array_index (keys, 0)), ==, 2048);
  g_assert_cmpuint (kf_host_key_get_bits (g_ptr_array_index (keys, 1)), ==, 256);
}

/* A server with ECDSA keys on three curves shows all of them, and a Test with
 * only the P-521 key stored gets that one presented. */
static void
test_discover_all_curves (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestSshd) server = kf_test_sshd_start (&error);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(KfConnection) conn = NULL;
  g_autoptr(KfTestResult) result = NULL;
  static const char * const expected[] = {
    "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519",
  };
  g_autofree char *p384 = NULL;
  g_autofree char *p521 = NULL;
  g_autofree char *fp384 = NULL;
  g_autofree char *fp521 = NULL;
  g_autofree char *pub = g_strconcat (client_key_path, ".pub", NULL);
  g_autofree char *contents = NULL;
  const char *only[2] = { NULL, NULL };

  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_add_host_key (server, "ecdsa", 384, &error));
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_add_host_key (server, "ecdsa", 521, &error));
  g_assert_no_error (error);
  p384 = g_strdup_printf ("%s/ssh_host_extra0_ecdsa_key.pub", kf_test_sshd_get_dir (server));
  p521 = g_strdup_printf ("%s/ssh_host_extra1_ecdsa_key.pub", kf_test_sshd_get_dir (server));
  fp384 = ssh_keygen_fingerprint (p384);
  fp521 = ssh_keygen_fingerprint (p521);

  keys = discover ("127.0.0.1", kf_test_sshd_get_port (server), 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < keys->len; i++)
    g_assert_cmpstr (kf_host_key_get_key_type (g_ptr_array_index (keys, i)), ==, expected[i]);
  g_assert_cmpstr (kf_host_key_get_fingerprint (g_ptr_array_index (keys, 2)), ==, fp384);
  g_assert_cmpstr (kf_host_key_get_fingerprint (g_ptr_array_index (keys, 3)), ==, fp521);
  g_assert_cmpuint (kf_host_key_get_bits (g_ptr_array_index (keys, 3)), ==, 521);

  g_assert_true (g_file_get_contents (pub, &contents, NULL, NULL));
  kf_test_sshd_add_authorized_key (server, contents);
  conn = make_connection (server, 5);
  only[0] = kf_host_key_get_line (g_ptr_array_index (keys, 3));
  kf_connection_set_host_keys (conn, only);
  result = run_test (conn, NULL, client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (kf_test_result_get_ok (result));
  g_assert_cmpstr (kf_test_result_get_host_key_fingerprint (result), ==, fp521);
}

static void
test_discover_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  guint port = kf_test_closed_port ();
  g_autofree char *expected = g_strdup_printf ("The connection to 127.0.0.1:%u was refused.", port);

  keys = discover ("127.0.0.1", port, 5, NULL, &error);
  g_assert_null (keys);
  g_assert_error (error, KF_SSH_ERROR, KF_SSH_ERROR_REFUSED);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_discover_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  guint port;
  int fd = kf_test_silent_listener (&port);
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  keys = discover ("127.0.0.1", port, 2, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  close (fd);

  g_assert_null (keys);
  g_assert_error (error, KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "2 seconds"));
  g_test_message ("discovery against a silent listener gave up after %.2f s", elapsed);
  assert_gave_up_after (elapsed, 2);
}

static void
test_discover_resolve (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = discover ("no-such-host.invalid", 22, 5, NULL, &error);

  g_assert_null (keys);
  g_assert_error (error, KF_SSH_ERROR, KF_SSH_ERROR_RESOLVE);
  g_assert_cmpstr (error->message, ==, "The host name “no-such-host.invalid” could not be found.");
}

/* ----------------------------------------------------------------- test */

static void
test_ok (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *pub = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  g_autofree char *ed25519_fp = ssh_keygen_fingerprint (pub);
  g_autofree char *timing = NULL;
  double sum = 0;

  result = run_test (conn, "Loopback Key", client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  if (!kf_test_result_get_ok (result))
    g_printerr ("test failed: %s\n", kf_test_result_get_message (result));
  g_assert_true (kf_test_result_get_ok (result));
  g_assert_null (kf_test_result_get_error (result));
  g_assert_true (kf_test_result_get_host_key_verified (result));
  /* Ed25519 is asked for first when it is stored. */
  g_assert_cmpstr (kf_test_result_get_host_key_type (result), ==, "ssh-ed25519");
  g_assert_cmpstr (kf_test_result_get_host_key_fingerprint (result), ==, ed25519_fp);
  g_assert_nonnull (strstr (kf_test_result_get_message (result), "Loopback Key"));

  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      double ms;
      gboolean ok;
      g_assert_cmpint (kf_test_result_get_phase (result, i, &ms, &ok), ==, (KfTestPhase) i);
      g_assert_true (ok);
      g_assert_cmpfloat (ms, >=, 0);
      sum += ms;
    }
  g_assert_cmpfloat (kf_test_result_get_total_ms (result), >=, sum);
  timing = kf_test_result_format_timing (result);
  g_test_message ("Test timing: %s", timing);
  g_assert_true (g_str_has_prefix (timing, "connect "));

  kf_test_result_apply_to_connection (result, conn);
  g_assert_cmpint (kf_connection_get_test_state (conn), ==, KF_TEST_STATE_OK);
  g_assert_true (kf_connection_get_host_key_verified (conn));
  g_assert_cmpint (kf_connection_get_tested_at (conn), >, 0);
}

/* Only one stored key type: the server must present that one. */
static void
test_ok_single_type (gconstpointer data)
{
  const char *type = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);
  const char *only[2] = { NULL, NULL };

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], type))
      only[0] = lines[i];
  g_assert_nonnull (only[0]);
  kf_connection_set_host_keys (conn, only);

  result = run_test (conn, "Loopback Key", client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (kf_test_result_get_ok (result));
  g_assert_cmpstr (kf_test_result_get_host_key_type (result), ==, type);
}

/* Keys the app itself makes (OpenSSH Ed25519, PKCS#8 PEM ECDSA and RSA) log in. */
static void
test_ok_generated_keys (void)
{
  static const KfKeyType types[] = { KF_KEY_TYPE_ED25519, KF_KEY_TYPE_ECDSA_P384, KF_KEY_TYPE_RSA };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KfKeyMaterial) key = kf_ssh_key_generate_sync (types[i], types[i] == KF_KEY_TYPE_RSA ? 2048 : 0,
                                                               "kf-generated", NULL, &error);
      g_autoptr(KfConnection) conn = make_connection (sshd, 5);
      g_autoptr(KfTestResult) result = NULL;

      g_assert_no_error (error);
      kf_test_sshd_add_authorized_key (sshd, kf_key_material_get_public_key (key));
      result = run_test (conn, "Generated", kf_key_material_get_private_key (key), NULL, &error);
      g_assert_no_error (error);
      if (!kf_test_result_get_ok (result))
        g_error ("%s: %s", kf_key_material_get_key_type (key), kf_test_result_get_message (result));
    }
}

static void
test_host_key_changed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestSshd) server = kf_test_sshd_start (&error);
  g_autoptr(KfConnection) conn = NULL;
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *old_fp = NULL;
  g_autofree char *new_fp = NULL;
  g_autofree char *line = NULL;
  g_autofree char *pub = NULL;
  const GError *failure;

  g_assert_no_error (error);
  line = g_strconcat (client_key_path, ".pub", NULL);
  {
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (line, &contents, NULL, NULL));
    kf_test_sshd_add_authorized_key (server, contents);
  }
  conn = make_connection (server, 5);
  pub = g_strconcat (kf_test_sshd_get_host_key_path (server, "ed25519"), ".pub", NULL);
  old_fp = ssh_keygen_fingerprint (pub);

  /* Works before the change... */
  result = run_test (conn, "Loopback Key", client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (kf_test_result_get_ok (result));
  g_clear_object (&result);

  /* ...and is refused, loudly, after it. */
  g_assert_true (kf_test_sshd_regenerate_host_keys (server, &error));
  g_assert_no_error (error);
  kf_connection_set_port (conn, kf_test_sshd_get_port (server));
  new_fp = ssh_keygen_fingerprint (pub);
  g_assert_cmpstr (old_fp, !=, new_fp);

  result = run_test (conn, "Loopback Key", client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kf_test_result_get_ok (result));
  failure = kf_test_result_get_error (result);
  g_assert_error ((GError *) failure, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);
  g_test_message ("%s", failure->message);
  g_assert_true (g_str_has_prefix (failure->message, "The server's host key has changed"));
  g_assert_nonnull (strstr (failure->message, old_fp));
  g_assert_nonnull (strstr (failure->message, new_fp));
  g_assert_cmpstr (kf_test_result_get_message (result), ==, failure->message);
  g_assert_false (kf_test_result_get_host_key_verified (result));
  g_assert_cmpstr (kf_test_result_get_host_key_fingerprint (result), ==, new_fp);
  /* Never got to log in. */
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 2);
  g_assert_cmpfloat (kf_test_result_get_phase_ms (result, KF_TEST_PHASE_AUTHENTICATE), ==, -1);

  kf_test_result_apply_to_connection (result, conn);
  g_assert_cmpint (kf_connection_get_test_state (conn), ==, KF_TEST_STATE_FAILED);
  g_assert_cmpstr (kf_connection_get_test_message (conn), ==, failure->message);
}

/* Only a P-521 key is stored, and the server has no P-521 key at all. */
static void
test_host_key_type_gone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("p521");
  g_autofree char *path = g_build_filename (dir, "ssh_host_ecdsa_key", NULL);
  g_autofree char *pub = g_strconcat (path, ".pub", NULL);
  g_autofree char *line = NULL;
  g_autofree char *fp = NULL;
  const char *gen[] = { "ssh-keygen", "-q", "-t", "ecdsa", "-b", "521", "-N", "", "-f", path, NULL };
  const char *only[2] = { NULL, NULL };
  const GError *failure;

  g_assert_cmpint (kf_test_run_command (gen, NULL, NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (pub, &line, NULL, NULL));
  fp = ssh_keygen_fingerprint (pub);
  only[0] = g_strstrip (line);
  kf_connection_set_host_keys (conn, only);

  result = run_test (conn, NULL, client_private, NULL, &error);
  g_assert_no_error (error);
  failure = kf_test_result_get_error (result);
  g_assert_error ((GError *) failure, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);
  g_assert_true (g_str_has_prefix (failure->message, "The server's host key has changed"));
  g_assert_nonnull (strstr (failure->message, fp));
  g_assert_null (kf_test_result_get_host_key_fingerprint (result));
}

static void
test_auth_failed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("stranger");
  g_autofree char *path = g_build_filename (dir, "id_stranger", NULL);
  g_autofree char *line = kf_test_sshd_make_client_key (path, &error);
  g_autofree char *private = NULL;
  g_autofree char *expected = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &private, NULL, NULL));

  result = run_test (conn, "Stranger", private, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kf_test_result_get_ok (result));
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_AUTH_FAILED);
  expected = g_strdup_printf ("The server did not accept the key pair “Stranger” for user %s.",
                              kf_test_sshd_get_user (sshd));
  g_assert_cmpstr (kf_test_result_get_message (result), ==, expected);
  g_assert_true (kf_test_result_get_host_key_verified (result));
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 3);
}

/* An ssh-agent holding the authorized key must not rescue a Test run with
 * another key: the probe logs in with the key it is given, nothing else. */
static void
test_agent_ignored (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  g_autoptr(GSubprocess) agent = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("agent");
  const char *sock = agent_sock;
  g_autofree char *stranger = g_build_filename (dir, "id_stranger", NULL);
  g_autofree char *stranger_line = kf_test_sshd_make_client_key (stranger, &error);
  g_autofree char *stranger_private = NULL;
  g_autofree char *list = NULL;
  const char *add[] = { "ssh-add", client_key_path, NULL };
  const char *ls[] = { "ssh-add", "-l", NULL };

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (stranger, &stranger_private, NULL, NULL));

  agent = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            "ssh-agent", "-D", "-a", sock, NULL);
  g_assert_no_error (error);
  for (guint i = 0; i < 200 && !g_file_test (sock, G_FILE_TEST_EXISTS); i++)
    g_usleep (10 * 1000);
  g_assert_true (g_file_test (sock, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (g_getenv ("SSH_AUTH_SOCK"), ==, sock);
  g_assert_cmpint (kf_test_run_command (add, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (kf_test_run_command (ls, NULL, &list, NULL), ==, 0);
  g_assert_nonnull (strstr (list, "kf-test-client"));

  result = run_test (conn, "Stranger", stranger_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_AUTH_FAILED);

  g_subprocess_force_exit (agent);
  g_subprocess_wait (agent, NULL, NULL);
}

static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;
  guint port = kf_test_closed_port ();
  g_autofree char *expected = g_strdup_printf ("The connection to 127.0.0.1:%u was refused.", port);

  kf_connection_set_port (conn, port);
  result = run_test (conn, NULL, client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kf_test_result_get_ok (result));
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_REFUSED);
  g_assert_cmpstr (kf_test_result_get_message (result), ==, expected);
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 1);
}

static void
test_timeout (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 2);
  g_autoptr(KfTestResult) result = NULL;
  guint port;
  int fd = kf_test_silent_listener (&port);
  gint64 start = g_get_monotonic_time ();
  double elapsed;
  g_autofree char *expected = NULL;

  kf_connection_set_port (conn, port);
  result = run_test (conn, NULL, client_private, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  close (fd);

  g_assert_no_error (error);
  g_assert_false (kf_test_result_get_ok (result));
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT);
  expected = g_strdup_printf ("127.0.0.1:%u did not answer within the Connect Timeout of 2 seconds.", port);
  g_assert_cmpstr (kf_test_result_get_message (result), ==, expected);
  g_test_message ("Test against a silent listener gave up after %.2f s", elapsed);
  assert_gave_up_after (elapsed, 2);
  /* TCP worked; the handshake is what timed out. */
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 2);
}

/* A server that speaks, but too slowly to ever finish a handshake: the
 * banner, then one byte of a key exchange packet every 200 ms. Each byte
 * would restart a per-read timeout; only an overall deadline stops it. */
typedef struct {
  int      listen_fd;
  gboolean stop;
} Trickler;

static gpointer
trickle_thread (gpointer data)
{
  Trickler *t = data;
  int fd = accept (t->listen_fd, NULL, NULL);
  static const char banner[] = "SSH-2.0-OpenSSH_9.2 trickle\r\n";
  static const char header[] = { 0, 0, 1, 0 };

  if (fd < 0)
    return NULL;
  if (send (fd, banner, strlen (banner), MSG_NOSIGNAL) > 0)
    for (guint i = 0; !g_atomic_int_get (&t->stop) && i < 300; i++)
      {
        char byte = i < sizeof header ? header[i] : 'A';
        if (send (fd, &byte, 1, MSG_NOSIGNAL) != 1)
          break;
        g_usleep (200 * 1000);
      }
  close (fd);
  return NULL;
}

static void
test_timeout_trickle (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 2);
  g_autoptr(KfTestResult) result = NULL;
  Trickler t = { 0 };
  guint port;
  GThread *thread;
  gint64 start;
  double elapsed;

  t.listen_fd = kf_test_silent_listener (&port);
  thread = g_thread_new ("trickler", trickle_thread, &t);
  kf_connection_set_port (conn, port);

  start = g_get_monotonic_time ();
  result = run_test (conn, NULL, client_private, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_atomic_int_set (&t.stop, TRUE);
  g_thread_join (thread);
  close (t.listen_fd);

  g_assert_no_error (error);
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT);
  g_test_message ("Test against a trickling server gave up after %.2f s", elapsed);
  assert_gave_up_after (elapsed, 2);
}

/* A listener whose accept queue is full: the kernel drops further SYNs, so
 * TCP connect itself hangs. Returns the listening fd; *fillers gets the
 * sockets that fill the queue (close them too). */
static int
full_listener (guint  *out_port,
               int     fillers[3])
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 0), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *out_port = ntohs (addr.sin_port);
  for (guint i = 0; i < 3; i++)
    {
      fillers[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      connect (fillers[i], (struct sockaddr *) &addr, sizeof addr);
    }
  g_usleep (100 * 1000);
  return fd;
}

static void
test_timeout_connect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 2);
  g_autoptr(KfTestResult) result = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  int fillers[3];
  guint port;
  int fd = full_listener (&port, fillers);
  gint64 start;
  double elapsed;

  kf_connection_set_port (conn, port);
  start = g_get_monotonic_time ();
  result = run_test (conn, NULL, client_private, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_assert_no_error (error);
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT);
  /* It is TCP that never completed. */
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 1);
  g_test_message ("Test against an unanswered TCP connect gave up after %.2f s", elapsed);
  assert_gave_up_after (elapsed, 2);

  start = g_get_monotonic_time ();
  keys = discover ("127.0.0.1", port, 2, NULL, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_assert_null (keys);
  g_assert_error (error, KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT);
  assert_gave_up_after (elapsed, 2);

  for (guint i = 0; i < 3; i++)
    close (fillers[i]);
  close (fd);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 30);
  g_autoptr(KfTestResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint port;
  int fd = kf_test_silent_listener (&port);
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  kf_connection_set_port (conn, port);
  g_timeout_add (300, cancel_later, cancellable);
  result = run_test (conn, NULL, client_private, cancellable, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  close (fd);

  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_cancelled_promptly (elapsed, 30);
}

static void
test_discover_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  guint port;
  int fd = kf_test_silent_listener (&port);
  gint64 start = g_get_monotonic_time ();
  double elapsed;

  g_timeout_add (300, cancel_later, cancellable);
  keys = discover ("127.0.0.1", port, 30, cancellable, &error);
  elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  close (fd);

  g_assert_null (keys);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_cancelled_promptly (elapsed, 30);
}

static void
test_no_host_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = NULL;

  kf_connection_set_host_keys (conn, NULL);
  result = run_test (conn, NULL, client_private, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kf_test_result_get_ok (result));
  g_assert_error ((GError *) kf_test_result_get_error (result), KF_SSH_ERROR, KF_SSH_ERROR_NO_HOST_KEYS);
  g_assert_cmpuint (kf_test_result_get_n_phases (result), ==, 0);
}

static void
test_sync (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(KfTestResult) result = kf_ssh_probe_test_sync (conn, "Loopback Key", client_private, NULL, &error);
  g_autoptr(GPtrArray) keys = kf_ssh_probe_discover_sync ("127.0.0.1", kf_test_sshd_get_port (sshd), 5, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (kf_test_result_get_ok (result));
  g_assert_cmpuint (keys->len, ==, 3);
}

/* ---------------------------------------------------------- known_hosts */

static int
ssh_with_known_hosts (KfTestSshd *server,
                      const char *known_hosts,
                      const char *algos)
{
  g_autofree char *dir = kf_test_make_tmpdir ("known-hosts");
  g_autofree char *file = g_build_filename (dir, "known_hosts", NULL);
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (server));
  g_autofree char *dest = g_strdup_printf ("%s@127.0.0.1", kf_test_sshd_get_user (server));
  g_autofree char *known = g_strdup_printf ("UserKnownHostsFile=%s", file);
  g_autofree char *hka = g_strdup_printf ("HostKeyAlgorithms=%s", algos);
  g_autofree char *err = NULL;
  const char *argv[] = {
    "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
    "-o", known, "-o", "GlobalKnownHostsFile=/dev/null", "-o", hka,
    "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "ConnectTimeout=10",
    "-i", client_key_path, "-p", port, dest, "true", NULL
  };
  int status;

  g_assert_true (g_file_set_contents (file, known_hosts, -1, NULL));
  status = kf_test_run_command (argv, NULL, NULL, &err);
  if (status != 0)
    g_test_message ("ssh (%s): %s", algos, err);
  return status;
}

static void
test_known_hosts_openssh (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(KfConnection) conn = make_connection (sshd, 5);
  g_autoptr(GPtrArray) lines = g_ptr_array_new ();
  g_autofree char *known = NULL;
  g_autofree char *expected_prefix = g_strdup_printf ("[127.0.0.1]:%u ", kf_test_sshd_get_port (sshd));
  static const char * const algos[] = { "ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512" };

  /* What discovery found is what gets stored and exported. */
  keys = discover ("127.0.0.1", kf_test_sshd_get_port (sshd), 5, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    g_ptr_array_add (lines, (gpointer) kf_host_key_get_line (g_ptr_array_index (keys, i)));
  g_ptr_array_add (lines, NULL);
  kf_connection_set_host_keys (conn, (const char * const *) lines->pdata);

  known = kf_known_hosts_for_connection (conn);
  g_assert_true (g_str_has_prefix (known, expected_prefix));
  for (guint i = 0; i < G_N_ELEMENTS (algos); i++)
    g_assert_cmpint (ssh_with_known_hosts (sshd, known, algos[i]), ==, 0);

  /* The same lines do not vouch for another server on that port. */
  {
    g_autoptr(KfTestSshd) other = kf_test_sshd_start (&error);
    g_autofree char *pub = g_strconcat (client_key_path, ".pub", NULL);
    g_autofree char *contents = NULL;
    g_autofree char *moved = NULL;
    g_autofree char *other_prefix = NULL;
    g_autoptr(GString) retargeted = g_string_new (known);

    g_assert_no_error (error);
    g_assert_true (kf_test_sshd_regenerate_host_keys (other, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (pub, &contents, NULL, NULL));
    kf_test_sshd_add_authorized_key (other, contents);
    other_prefix = g_strdup_printf ("[127.0.0.1]:%u ", kf_test_sshd_get_port (other));
    g_string_replace (retargeted, expected_prefix, other_prefix, 0);
    g_assert_cmpint (ssh_with_known_hosts (other, retargeted->str, "ssh-ed25519"), ==, 255);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *line = NULL;
  int status;

  kf_test_init (&argc, &argv);
  agent_sock = g_build_filename (kf_test_get_tmpdir (), "agent.sock", NULL);
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);

  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  dir = kf_test_make_tmpdir ("client");
  client_key_path = g_build_filename (dir, "id_ed25519", NULL);
  line = kf_test_sshd_make_client_key (client_key_path, &error);
  g_assert_no_error (error);
  kf_test_sshd_add_authorized_key (sshd, line);
  g_assert_true (g_file_get_contents (client_key_path, &client_private, NULL, NULL));

  g_test_add_func ("/ssh-probe/discover", test_discover);
  g_test_add_func ("/ssh-probe/discover-all-curves", test_discover_all_curves);
  g_test_add_func ("/ssh-probe/discover-refused", test_discover_refused);
  g_test_add_func ("/ssh-probe/discover-timeout", test_discover_timeout);
  g_test_add_func ("/ssh-probe/discover-resolve", test_discover_resolve);
  g_test_add_func ("/ssh-probe/test-ok", test_ok);
  g_test_add_data_func ("/ssh-probe/test-ok-rsa-only", "ssh-rsa", test_ok_single_type);
  g_test_add_data_func ("/ssh-probe/test-ok-ecdsa-only", "ecdsa-sha2-nistp256", test_ok_single_type);
  g_test_add_func ("/ssh-probe/test-ok-generated-keys", test_ok_generated_keys);
  g_test_add_func ("/ssh-probe/test-host-key-changed", test_host_key_changed);
  g_test_add_func ("/ssh-probe/test-host-key-type-gone", test_host_key_type_gone);
  g_test_add_func ("/ssh-probe/test-auth-failed", test_auth_failed);
  g_test_add_func ("/ssh-probe/test-agent-ignored", test_agent_ignored);
  g_test_add_func ("/ssh-probe/test-refused", test_refused);
  g_test_add_func ("/ssh-probe/test-timeout", test_timeout);
  g_test_add_func ("/ssh-probe/test-timeout-trickle", test_timeout_trickle);
  g_test_add_func ("/ssh-probe/test-timeout-connect", test_timeout_connect);
  g_test_add_func ("/ssh-probe/test-cancel", test_cancel);
  g_test_add_func ("/ssh-probe/discover-cancel", test_discover_cancel);
  g_test_add_func ("/ssh-probe/test-no-host-keys", test_no_host_keys);
  g_test_add_func ("/ssh-probe/sync", test_sync);
  g_test_add_func ("/ssh-probe/known-hosts-openssh", test_known_hosts_openssh);

  status = g_test_run ();
  kf_test_sshd_stop (sshd);
  explicit_bzero (client_private, strlen (client_private));
  g_free (client_private);
  g_free (client_key_path);
  g_free (agent_sock);
  return status;
}
