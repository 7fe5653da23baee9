/* test-cli.c: keyferry-cli end to end, against the real keyring and a real sshd.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>

#include "kf-keyring.h"
#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"

static KfTestSshd *sshd;

/* Runs keyferry-cli with @args (NULL-terminated) and @input on stdin. */
static void
cli (Run        *run,
     const char *input,
     ...)
{
  va_list ap;

  run_clear (run);
  va_start (ap, input);
  run->status = cli_test_runv (input, &run->out, &run->err, ap);
  va_end (ap);
  /* what went wrong, in the log of a failing test */
  if (run->status != 0)
    g_test_message ("keyferry-cli ended with %d: %s", run->status, run->err);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
ssh_keygen_fingerprint (const char *pub_path)
{
  const char *argv[] = { "ssh-keygen", "-lf", pub_path, NULL };
  g_autofree char *out = NULL;
  g_auto(GStrv) fields = NULL;

  g_assert_cmpint (kf_test_run_command (argv, NULL, &out, NULL), ==, 0);
  fields = g_strsplit (out, " ", 3);
  return g_strdup (fields[1]);
}

static void
test_usage (void)
{
  g_auto(Run) r = { 0 };

  cli (&r, NULL, "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "keypair generate"));
  g_assert_nonnull (strstr (r.out, "known-hosts"));

  cli (&r, NULL, "--version", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "keyferry-cli "));

  cli (&r, NULL, NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, NULL, "frobnicate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, NULL, "keypair", "generate", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "missing argument"));
  cli (&r, NULL, "keypair", "generate", "a", "b", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, NULL, "keypair", "generate", "x", "--type", "dsa", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, NULL, "keypair", "list", "--bogus", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, NULL, "keypair", "show", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "--private"));
  /* Issue 10: the usage line names the program and the command, never "(null)". */
  g_assert_nonnull (strstr (r.out, "keyferry-cli [OPTION…] keypair show NAME"));
  g_assert_null (strstr (r.out, "(null)"));
  cli (&r, NULL, "connection", "add-manual", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "keyferry-cli [OPTION…] connection add-manual"));
  g_assert_null (strstr (r.out, "(null)"));
  /* The top-level help lists every exit status. */
  cli (&r, NULL, "--help", NULL);
  g_assert_nonnull (strstr (r.out, "3 TrueNAS paired and connection saved but the SSH login check failed"));

  /* Every group has its own help: its commands, from the same table. */
  {
    const struct { const char *group; const char *verbs[3]; } groups[] = {
      { "keypair", { "generate", "import", "export" } },
      { "connection", { "add-manual", "add-semiauto", "pair-again" } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
      {
        cli (&r, NULL, groups[i].group, "--help", NULL);
        g_assert_cmpint (r.status, ==, 0);
        g_assert_true (g_str_has_prefix (r.out, "Usage: keyferry-cli "));
        g_assert_nonnull (strstr (r.out, groups[i].group));
        for (guint v = 0; v < G_N_ELEMENTS (groups[i].verbs); v++)
          g_assert_nonnull (strstr (r.out, groups[i].verbs[v]));
        g_assert_null (strstr (r.out, "Unknown command"));
        /* Without a command: the same help on stderr, a usage error. */
        cli (&r, NULL, groups[i].group, NULL);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, groups[i].verbs[0]));
        /* A wrong command points at the group's help. */
        cli (&r, NULL, groups[i].group, "frobnicate", NULL);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, "--help"));
        g_assert_nonnull (strstr (r.err, groups[i].group));
      }
  }
  /* Errors are one line on stderr. */
  cli (&r, NULL, "keypair", "show", "no such key", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpint (strchr (r.err, '\n') - r.err, ==, (long) strlen (r.err) - 1);
}

static void
test_keypair_lifecycle (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *outdir = kf_test_make_tmpdir ("export");
  g_autofree char *priv = g_build_filename (outdir, "cli-ed25519", NULL);
  g_autofree char *pub = g_build_filename (outdir, "cli-ed25519.pub", NULL);
  g_autofree char *fp = NULL;
  g_autofree char *private_text = NULL;
  JsonObject *obj;
  GStatBuf st;

  cli (&r, NULL, "keypair", "generate", "cli-ed25519", "--comment", "me@desk", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "generate", "cli-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "already exists"));
  cli (&r, NULL, "keypair", "generate", "cli-rsa", "--type", "rsa", "--bits", "2048", NULL);
  g_assert_cmpint (r.status, ==, 0);

  cli (&r, NULL, "keypair", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  list = parse_json (r.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (list)), ==, 2);

  cli (&r, NULL, "keypair", "show", "cli-rsa", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  shown = parse_json (r.out);
  obj = json_node_get_object (shown);
  g_assert_cmpstr (json_object_get_string_member (obj, "type"), ==, "ssh-rsa");
  g_assert_cmpint (json_object_get_int_member (obj, "bits"), ==, 2048);
  g_assert_true (json_object_get_boolean_member (obj, "has_private_key"));
  g_assert_false (json_object_has_member (obj, "private_key"));
  g_assert_true (json_object_has_member (obj, "used_by"));

  cli (&r, NULL, "keypair", "export", "cli-ed25519", "--output-dir", outdir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (g_stat (priv, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  fp = ssh_keygen_fingerprint (pub);
  cli (&r, NULL, "keypair", "show", "cli-ed25519", "--json", "--private", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_pointer (&shown, json_node_unref);
  shown = parse_json (r.out);
  obj = json_node_get_object (shown);
  g_assert_cmpstr (json_object_get_string_member (obj, "fingerprint"), ==, fp);
  g_assert_cmpstr (json_object_get_string_member (obj, "comment"), ==, "me@desk");
  g_assert_true (g_file_get_contents (priv, &private_text, NULL, NULL));
  g_assert_nonnull (strstr (json_object_get_string_member (obj, "private_key"), "PRIVATE KEY"));
  g_assert_cmpstr (g_strstrip (private_text), ==, g_strstrip ((char *) json_object_get_string_member (obj, "private_key")));

  /* Exporting again refuses to overwrite. */
  cli (&r, NULL, "keypair", "export", "cli-ed25519", "--output-dir", outdir, NULL);
  g_assert_cmpint (r.status, ==, 1);

  /* The private key is nowhere under the data directory. */
  {
    const char *argv[] = { "grep", "-r", "-l", "PRIVATE KEY", g_getenv ("XDG_DATA_HOME"), NULL };
    g_autofree char *out = NULL;
    g_autofree char *keyrings = g_build_filename (g_getenv ("XDG_DATA_HOME"), "keyferry", NULL);
    argv[4] = keyrings;
    g_assert_cmpint (kf_test_run_command (argv, NULL, &out, NULL), ==, 1);
    g_assert_cmpstr (out, ==, "");
  }

  cli (&r, NULL, "keypair", "delete", "cli-rsa", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "show", "cli-rsa", NULL);
  g_assert_cmpint (r.status, ==, 1);
  cli (&r, NULL, "keypair", "delete", "cli-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_keypair_import (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *dir = kf_test_make_tmpdir ("import");
  g_autofree char *key = g_build_filename (dir, "id_ecdsa", NULL);
  g_autofree char *pub = g_build_filename (dir, "id_ecdsa.pub", NULL);
  g_autofree char *other = g_build_filename (dir, "other", NULL);
  g_autofree char *other_pub = g_build_filename (dir, "other.pub", NULL);
  g_autofree char *fp = NULL;
  g_autoptr(JsonNode) shown = NULL;
  const char *keygen[] = { "ssh-keygen", "-q", "-t", "ecdsa", "-b", "384", "-N", "s3cret pass", "-C", "imported", "-f", key, NULL };
  const char *keygen2[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other, NULL };

  g_assert_cmpint (kf_test_run_command (keygen, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (kf_test_run_command (keygen2, NULL, NULL, NULL), ==, 0);
  fp = ssh_keygen_fingerprint (pub);

  /* No passphrase given: a clear error, nothing saved. */
  cli (&r, NULL, "keypair", "import", "imp", "--private-key-file", key, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "passphrase"));
  cli (&r, "wrong\n", "keypair", "import", "imp", "--private-key-file", key, "--passphrase-stdin", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "passphrase"));
  /* A public key that belongs to another key. */
  cli (&r, "s3cret pass\n", "keypair", "import", "imp", "--private-key-file", key,
       "--public-key-file", other_pub, "--passphrase-stdin", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "match"));
  cli (&r, NULL, "keypair", "show", "imp", NULL);
  g_assert_cmpint (r.status, ==, 1);
  /* Both on stdin (how the Flatpak's CLI gets a key): the passphrase is the
   * first line, the key the rest; a wrong one is refused, nothing saved. */
  {
    g_autofree char *key_text = NULL;
    g_autofree char *wrong = NULL;
    g_autofree char *right = NULL;

    g_assert_true (g_file_get_contents (key, &key_text, NULL, NULL));
    wrong = g_strconcat ("wrong\n", key_text, NULL);
    right = g_strconcat ("s3cret pass\n", key_text, NULL);
    cli (&r, wrong, "keypair", "import", "imp-stdin", "--private-key-file", "-", "--passphrase-stdin", NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "passphrase"));
    cli (&r, right, "keypair", "import", "imp-stdin", "--private-key-file", "-", "--passphrase-stdin", NULL);
    g_assert_cmpint (r.status, ==, 0);
    cli (&r, NULL, "keypair", "show", "imp-stdin", "--json", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_clear_pointer (&shown, json_node_unref);
    shown = parse_json (r.out);
    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "fingerprint"), ==, fp);
    g_clear_pointer (&shown, json_node_unref);
    cli (&r, NULL, "keypair", "delete", "imp-stdin", NULL);
    g_assert_cmpint (r.status, ==, 0);
  }

  cli (&r, "s3cret pass\n", "keypair", "import", "imp", "--private-key-file", key,
       "--public-key-file", pub, "--passphrase-stdin", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "show", "imp", "--json", NULL);
  shown = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "fingerprint"), ==, fp);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (shown), "bits"), ==, 384);

  /* Public key alone. */
  cli (&r, NULL, "keypair", "import", "pub-only", "--public-key-file", other_pub, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_pointer (&shown, json_node_unref);
  cli (&r, NULL, "keypair", "show", "pub-only", "--json", NULL);
  shown = parse_json (r.out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (shown), "has_private_key"));

  cli (&r, NULL, "keypair", "delete", "imp", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "delete", "pub-only", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static char *
port_string (void)
{
  return g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
}

static void
authorize_keypair (const char *name)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) shown = NULL;

  cli (&r, NULL, "keypair", "show", name, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  shown = parse_json (r.out);
  kf_test_sshd_add_authorized_key (sshd, json_object_get_string_member (json_node_get_object (shown), "public_key"));
}

static void
test_connection_manual (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *port = port_string ();
  g_autoptr(JsonNode) found = NULL;
  g_autoptr(JsonNode) shown = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("known");
  g_autofree char *known = g_build_filename (dir, "known_hosts", NULL);
  g_autofree char *ssh_dir = kf_test_make_tmpdir ("sshkey");
  JsonArray *keys;

  cli (&r, NULL, "connection", "discover-host-key", "127.0.0.1", "--port", port, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  found = parse_json (r.out);
  keys = json_node_get_array (found);
  g_assert_cmpuint (json_array_get_length (keys), >=, 3);
  accept = g_strdup_printf ("%s,%s",
                            json_object_get_string_member (json_array_get_object_element (keys, 0), "fingerprint"),
                            json_object_get_string_member (json_array_get_object_element (keys, 1), "fingerprint"));

  /* A fingerprint the server does not have is refused. */
  cli (&r, NULL, "connection", "add-manual", "nas", "--host", "127.0.0.1", "--port", port,
       "--username", kf_test_sshd_get_user (sshd), "--generate-key", "--discover",
       "--accept", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
  g_assert_cmpint (r.status, ==, 1);
  cli (&r, NULL, "keypair", "show", "nas Key", NULL);
  g_assert_cmpint (r.status, ==, 1);

  cli (&r, NULL, "connection", "add-manual", "nas", "--host", "127.0.0.1", "--port", port,
       "--username", kf_test_sshd_get_user (sshd), "--generate-key", "--discover", "--accept", accept,
       "--connect-timeout", "5", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "connection", "show", "nas", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  shown = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "keypair"), ==, "nas Key");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "setup_method"), ==, "manual");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (shown), "connect_timeout"), ==, 5);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (shown), "host_keys")), ==, 2);

  /* Not authorized yet: the test fails, with an authentication message. */
  cli (&r, NULL, "connection", "test", "nas", NULL);
  g_assert_cmpint (r.status, ==, 1);

  authorize_keypair ("nas Key");
  cli (&r, NULL, "connection", "test", "nas", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) res = parse_json (r.out);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (res), "ok"));
  }

  /* known-hosts output is what OpenSSH accepts with strict checking. */
  cli (&r, NULL, "known-hosts", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_set_contents (known, r.out, -1, NULL));
  {
    g_autofree char *key = g_build_filename (ssh_dir, "nas_Key", NULL);
    g_autofree char *ukh = g_strdup_printf ("UserKnownHostsFile=%s", known);
    g_autofree char *target = g_strdup_printf ("%s@127.0.0.1", kf_test_sshd_get_user (sshd));
    const char *ssh[] = { "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                          "-o", ukh, "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                          "-i", key, "-p", port, target, "true", NULL };
    g_auto(Run) e = { 0 };
    cli (&e, NULL, "keypair", "export", "nas Key", "--output-dir", ssh_dir, NULL);
    g_assert_cmpint (e.status, ==, 0);
    g_assert_cmpint (kf_test_run_command (ssh, NULL, NULL, NULL), ==, 0);
  }

  /* Deleting the key pair while the connection uses it needs --with-connections. */
  cli (&r, NULL, "keypair", "delete", "nas Key", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "nas"));

  cli (&r, NULL, "connection", "delete", "nas", "--with-keypair", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "show", "nas Key", NULL);
  g_assert_cmpint (r.status, ==, 1);
}

static void
test_connection_host_key_changed (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *port = port_string ();
  g_autofree char *dir = kf_test_make_tmpdir ("hk");
  g_autofree char *file = g_build_filename (dir, "host_keys", NULL);
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);
  g_autofree char *joined = g_strjoinv ("\n", lines);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (file, joined, -1, NULL));
  cli (&r, NULL, "connection", "add-manual", "box", "--host", "ssh://127.0.0.1:1/ignored", "--port", port,
       "--username", kf_test_sshd_get_user (sshd), "--generate-key", "--host-key-file", file, NULL);
  g_assert_cmpint (r.status, ==, 0);
  authorize_keypair ("box Key");
  cli (&r, NULL, "connection", "test", "box", NULL);
  g_assert_cmpint (r.status, ==, 0);

  g_assert_true (kf_test_sshd_regenerate_host_keys (sshd, &error));
  g_assert_no_error (error);
  g_free (port);
  port = port_string ();
  cli (&r, NULL, "connection", "test", "box", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "host key"));

  cli (&r, NULL, "connection", "delete", "box", "--with-keypair", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

/* GLib's default writer sends debug and info lines to stdout; keyferry-cli
 * sends every log line to stderr, so stdout (and --json) stays the answer
 * alone, whatever G_MESSAGES_DEBUG says. A temporary file left by an
 * interrupted save makes the store log a debug line on the next change. */
static void
test_logging_stays_off_stdout (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) list = NULL;
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "keyferry", NULL);
  g_autofree char *stale = g_build_filename (dir, ".keyferry.json.tmp-AbC123", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (stale, "half a store", -1, NULL));
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);

  cli (&r, NULL, "keypair", "generate", "cli-logging", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "left by an interrupted save"));
  g_assert_null (strstr (r.out, "interrupted save"));
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));

  cli (&r, NULL, "keypair", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  list = parse_json (r.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (list));

  g_unsetenv ("G_MESSAGES_DEBUG");
  cli (&r, NULL, "keypair", "delete", "cli-logging", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  kf_test_init (&argc, &argv);
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/usage", test_usage);
  g_test_add_func ("/cli/keypair/lifecycle", test_keypair_lifecycle);
  g_test_add_func ("/cli/keypair/import", test_keypair_import);
  g_test_add_func ("/cli/connection/manual", test_connection_manual);
  g_test_add_func ("/cli/connection/host-key-changed", test_connection_host_key_changed);
  g_test_add_func ("/cli/logging-stays-off-stdout", test_logging_stays_off_stdout);
  ret = g_test_run ();
  kf_test_sshd_stop (sshd);
  return ret;
}
