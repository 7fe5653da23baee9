/* test-host-key.c: host key lines, TrueNAS host_key text, known_hosts lines.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-known-hosts.h"
#include "kf-test-util.h"

/* Real keys, made once per run by ssh-keygen. */
static char *lines[3];         /* rsa, ecdsa, ed25519 public lines */
static char *fingerprints[3];  /* as ssh-keygen -lf prints them */

static void
make_keys (void)
{
  static const char * const types[] = { "rsa", "ecdsa", "ed25519" };
  g_autofree char *dir = kf_test_make_tmpdir ("keys");

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/key_%s", dir, types[i]);
      g_autofree char *pub = g_strconcat (path, ".pub", NULL);
      g_autofree char *comment = g_strdup_printf ("root@nas-%s", types[i]);
      const char *gen[] = { "ssh-keygen", "-q", "-t", types[i], "-b", i == 0 ? "2048" : (i == 1 ? "384" : "256"),
                            "-N", "", "-C", comment, "-f", path, NULL };
      const char *fp[] = { "ssh-keygen", "-l", "-E", "sha256", "-f", pub, NULL };
      g_autofree char *out = NULL;
      g_auto(GStrv) words = NULL;

      g_assert_cmpint (kf_test_run_command (gen, NULL, NULL, NULL), ==, 0);
      g_assert_true (g_file_get_contents (pub, &lines[i], NULL, NULL));
      g_strstrip (lines[i]);
      g_assert_cmpint (kf_test_run_command (fp, NULL, &out, NULL), ==, 0);
      words = g_strsplit (out, " ", 3);
      fingerprints[i] = g_strdup (words[1]);
    }
}

static void
test_parse_line (void)
{
  static const char * const types[] = { "ssh-rsa", "ecdsa-sha2-nistp384", "ssh-ed25519" };
  static const guint bits[] = { 2048, 384, 256 };

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KfHostKey) key = kf_host_key_parse (lines[i], &error);
      g_auto(GStrv) words = g_strsplit (lines[i], " ", 3);

      g_assert_no_error (error);
      g_assert_cmpstr (kf_host_key_get_key_type (key), ==, types[i]);
      g_assert_cmpstr (kf_host_key_get_base64 (key), ==, words[1]);
      g_assert_cmpstr (kf_host_key_get_comment (key), ==, words[2]);
      g_assert_cmpstr (kf_host_key_get_fingerprint (key), ==, fingerprints[i]);
      g_assert_cmpuint (kf_host_key_get_bits (key), ==, bits[i]);
      g_assert_cmpstr (kf_host_key_get_line (key), ==, lines[i]);
    }
}

static void
test_parse_host_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *with_host = g_strdup_printf ("any-host %s", lines[2]);
  g_autofree char *tabs = g_strdup (lines[2]);
  g_autoptr(KfHostKey) a = kf_host_key_parse (with_host, &error);
  g_autoptr(KfHostKey) b = NULL;
  g_autoptr(KfHostKey) c = NULL;
  g_auto(GStrv) words = g_strsplit (lines[2], " ", 3);
  g_autofree char *bare = g_strdup_printf ("%s %s", words[0], words[1]);

  g_assert_no_error (error);
  g_assert_cmpstr (kf_host_key_get_key_type (a), ==, "ssh-ed25519");
  g_assert_cmpstr (kf_host_key_get_fingerprint (a), ==, fingerprints[2]);
  /* The host column is dropped, not taken for a comment. */
  g_assert_cmpstr (kf_host_key_get_line (a), ==, lines[2]);

  *strchr (tabs, ' ') = '\t';
  b = kf_host_key_parse (tabs, &error);
  g_assert_no_error (error);
  g_assert_true (kf_host_key_equal (a, b));

  c = kf_host_key_parse (bare, &error);
  g_assert_no_error (error);
  g_assert_null (kf_host_key_get_comment (c));
  g_assert_cmpstr (kf_host_key_get_line (c), ==, bare);
  g_assert_true (kf_host_key_equal (a, c));
}

static void
test_parse_garbage (void)
{
  g_auto(GStrv) words = g_strsplit (lines[2], " ", 3);
  g_autofree char *cut = g_strdup_printf ("%s %.*s", words[0], (int) strlen (words[1]) / 2, words[1]);
  g_autofree char *wrong_type = g_strdup_printf ("ssh-rsa %s", words[1]);
  const char *bad[] = {
    "", "   ", "hello world", "ssh-ed25519", "ssh-ed25519 !!!notbase64!!!",
    "ssh-ed25519 AAAA", "-----BEGIN OPENSSH PRIVATE KEY-----", cut, wrong_type,
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KfHostKey) key = kf_host_key_parse (bad[i], &error);

      g_assert_null (key);
      g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY);
      g_assert_cmpuint (strlen (error->message), >, 10);
    }
}

static void
test_parse_list_truenas (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  /* What keychaincredential.ssh_pair returns, plus a comment line. */
  g_autofree char *text = g_strdup_printf ("# host keys of nas\nany-host %s\n\nany-host %s\n\nany-host %s\n\n",
                                           lines[0], lines[1], lines[2]);

  keys = kf_host_key_parse_list (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpstr (kf_host_key_get_line (g_ptr_array_index (keys, i)), ==, lines[i]);
      g_assert_cmpstr (kf_host_key_get_fingerprint (g_ptr_array_index (keys, i)), ==, fingerprints[i]);
    }
}

static void
test_parse_list_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autofree char *with_junk = g_strdup_printf ("%s\n\nthis is junk\n", lines[0]);
  g_autofree char *twice = g_strdup_printf ("%s\n%s\r\n", lines[1], lines[1]);
  g_autoptr(GString) many = g_string_new (NULL);

  keys = kf_host_key_parse_list ("\n\n# nothing\n", &error);
  g_assert_null (keys);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY);
  g_clear_error (&error);

  keys = kf_host_key_parse_list (with_junk, &error);
  g_assert_null (keys);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY);
  g_assert_true (g_str_has_prefix (error->message, "Host key line 3 is not valid"));
  g_clear_error (&error);

  /* Repeats collapse. */
  keys = kf_host_key_parse_list (twice, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_clear_pointer (&keys, g_ptr_array_unref);

  /* More distinct keys than a server has: Ed25519 keys are cheap to make
   * (32 random bytes each). */
  for (guint i = 0; i <= KF_MAX_HOST_KEYS; i++)
    {
      guchar blob[4 + 11 + 4 + 32];
      g_autofree char *b64 = NULL;

      memcpy (blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
      for (guint j = 0; j < 32; j++)
        blob[19 + j] = (guchar) g_random_int_range (0, 256);
      b64 = g_base64_encode (blob, sizeof blob);
      g_string_append_printf (many, "ssh-ed25519 %s\n", b64);
    }
  keys = kf_host_key_parse_list (many->str, &error);
  g_assert_null (keys);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY);
}

static void
test_known_hosts_format (void)
{
  struct {
    const char *host;
    guint port;
    const char *expected;
  } cases[] = {
    { "nas.example.org", 22, "nas.example.org" },
    { "NAS.Example.org", 22, "nas.example.org" },
    { "nas", 2222, "[nas]:2222" },
    { "192.168.1.5", 22, "192.168.1.5" },
    { "192.168.1.5", 8022, "[192.168.1.5]:8022" },
    { "fd00::1", 22, "fd00::1" },
    { "fd00::1", 2222, "[fd00::1]:2222" },
    { "[fd00::1]", 2222, "[fd00::1]:2222" },
    { "FD00::A", 22, "fd00::a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *field = kf_known_hosts_format_host (cases[i].host, cases[i].port);
      g_assert_cmpstr (field, ==, cases[i].expected);
    }
}

static void
test_known_hosts_lines (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = kf_connection_new ("nas");
  g_auto(GStrv) words = g_strsplit (lines[2], " ", 3);
  g_autofree char *expected = g_strdup_printf ("[fd00::1]:2222 %s %s", words[0], words[1]);
  g_autofree char *line = kf_known_hosts_line ("fd00::1", 2222, lines[2], &error);
  g_autofree char *all = NULL;
  g_autofree char *none = NULL;
  g_auto(GStrv) got = NULL;
  const char *keys[] = { lines[0], lines[1], lines[2], NULL };

  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, expected);

  g_assert_null (kf_known_hosts_line ("nas", 22, "not a key", &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY);

  kf_connection_set_host (conn, "nas.lan");
  none = kf_known_hosts_for_connection (conn);
  g_assert_cmpstr (none, ==, "");

  kf_connection_set_host_keys (conn, keys);
  all = kf_known_hosts_for_connection (conn);
  got = g_strsplit (all, "\n", -1);
  g_assert_cmpuint (g_strv_length (got), ==, 4);
  g_assert_cmpstr (got[3], ==, "");
  for (guint i = 0; i < 3; i++)
    {
      g_auto(GStrv) w = g_strsplit (lines[i], " ", 3);
      g_autofree char *exp = g_strdup_printf ("nas.lan %s %s", w[0], w[1]);
      g_assert_cmpstr (got[i], ==, exp);
    }
}

/* Two users on one NAS share its host keys: known_hosts gets each line once;
 * the same keys on another port are another host to OpenSSH. */
static void
test_known_hosts_shared_host (void)
{
  g_autoptr(GListStore) connections = g_list_store_new (KF_TYPE_CONNECTION);
  const char *keys[] = { lines[0], lines[1], NULL };
  const char *names[] = { "root", "backup", "other-port" };
  g_autofree char *all = NULL;
  g_auto(GStrv) got = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(KfConnection) conn = kf_connection_new (names[i]);
      kf_connection_set_host (conn, "nas.lan");
      kf_connection_set_port (conn, i == 2 ? 2222 : 22);
      kf_connection_set_host_keys (conn, keys);
      g_list_store_append (connections, conn);
    }

  all = kf_known_hosts_for_connections (G_LIST_MODEL (connections));
  got = g_strsplit (all, "\n", -1);
  g_assert_cmpuint (g_strv_length (got), ==, 5);
  g_assert_true (g_str_has_prefix (got[0], "nas.lan "));
  g_assert_true (g_str_has_prefix (got[1], "nas.lan "));
  g_assert_cmpstr (got[0], !=, got[1]);
  g_assert_true (g_str_has_prefix (got[2], "[nas.lan]:2222 "));
  g_assert_true (g_str_has_prefix (got[3], "[nas.lan]:2222 "));
  g_assert_cmpstr (got[4], ==, "");
}

int
main (int    argc,
      char **argv)
{
  int status;

  kf_test_init (&argc, &argv);
  make_keys ();

  g_test_add_func ("/host-key/parse-line", test_parse_line);
  g_test_add_func ("/host-key/parse-host-column", test_parse_host_column);
  g_test_add_func ("/host-key/parse-garbage", test_parse_garbage);
  g_test_add_func ("/host-key/parse-list-truenas", test_parse_list_truenas);
  g_test_add_func ("/host-key/parse-list-errors", test_parse_list_errors);
  g_test_add_func ("/known-hosts/format", test_known_hosts_format);
  g_test_add_func ("/known-hosts/lines", test_known_hosts_lines);
  g_test_add_func ("/known-hosts/shared-host", test_known_hosts_shared_host);

  status = g_test_run ();
  for (guint i = 0; i < 3; i++)
    {
      g_free (lines[i]);
      g_free (fingerprints[i]);
    }
  return status;
}
