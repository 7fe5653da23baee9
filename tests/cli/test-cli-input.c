/* test-cli-input.c: keyferry-cli against bad input — every error is one plain
 * line with the right exit status, and the store and keyring stay consistent
 * (also when interrupted, run concurrently, or when the store file is damaged).
 * Real keyring, real sshd, the fake TrueNAS over real TLS.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf-keyring.h"
#include "kf-store.h"
#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "truenas-fixture.h"

static KfTestSshd *sshd;

#define STDIN_CLOSED ((const char *) 1)

static void
child_close_stdin (gpointer data)
{
  close (STDIN_FILENO);
}

/* The CLI must see Ctrl-C as a terminal would send it, whatever the runner ignores. */
static void
child_default_signals (gpointer data)
{
  signal (SIGINT, SIG_DFL);
  signal (SIGTERM, SIG_DFL);
  signal (SIGHUP, SIG_DFL);
  signal (SIGPIPE, SIG_DFL);
}

static GSubprocess *
spawn_cli (const char * const *args,
           const char         *input,
           GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, cli_test_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new ((input == STDIN_CLOSED ? G_SUBPROCESS_FLAGS_NONE : G_SUBPROCESS_FLAGS_STDIN_PIPE)
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher,
                                         input == STDIN_CLOSED ? child_close_stdin : child_default_signals,
                                         NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
}

static GBytes *
read_all (GInputStream *stream)
{
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (sink, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

/* Waits for @proc and collects its output. @input as for cli(); STDIN_WRITTEN
 * when the caller already wrote and closed stdin. */
#define STDIN_WRITTEN ((const char *) 2)

static void
finish_run (Run         *run,
            GSubprocess *proc,
            const char  *input)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;

  if (input != STDIN_CLOSED && input != STDIN_WRITTEN)
    {
      /* Inputs are tiny (they fit a pipe's buffer, so this never blocks);
       * a CLI that exits without reading them gives EPIPE, which is fine. */
      GOutputStream *in = g_subprocess_get_stdin_pipe (proc);
      g_output_stream_write_all (in, input ? input : "", input ? strlen (input) : 0, NULL, NULL, NULL);
      g_output_stream_close (in, NULL, NULL);
    }
  /* stdout until the CLI exits, then stderr (always short: no deadlock). */
  out = read_all (g_subprocess_get_stdout_pipe (proc));
  err = read_all (g_subprocess_get_stderr_pipe (proc));
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  run_clear (run);
  run->out = g_strndup (g_bytes_get_size (out) ? g_bytes_get_data (out, NULL) : "", g_bytes_get_size (out));
  run->err = g_strndup (g_bytes_get_size (err) ? g_bytes_get_data (err, NULL) : "", g_bytes_get_size (err));
  run->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                                  : 128 + g_subprocess_get_term_sig (proc);
  /* what went wrong, in the log of a failing test */
  if (run->status != 0)
    g_test_message ("keyferry-cli ended with %d: %s", run->status, run->err);
}

/* Runs keyferry-cli with the NULL-terminated arguments and @input on stdin
 * (NULL: empty; STDIN_CLOSED: no stdin at all). */
static void
cli (Run        *run,
     const char *input,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  va_list ap;
  const char *arg;

  va_start (ap, input);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (args, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  proc = spawn_cli ((const char * const *) args->pdata, input, &error);
  g_assert_no_error (error);
  finish_run (run, proc, input);
}

/* The product rule: an error is exactly one line on stderr, printable, not huge. */
static void
assert_one_line_error (const Run  *run,
                       int         status,
                       const char *must_contain)
{
  const char *nl;

  if (run->status != status || (must_contain && strstr (run->err, must_contain) == NULL))
    g_printerr ("status %d, stderr: %s\n", run->status, run->err);
  g_assert_cmpint (run->status, ==, status);
  nl = strchr (run->err, '\n');
  g_assert_nonnull (nl);
  g_assert_cmpint (nl[1], ==, '\0');
  g_assert_true (g_str_has_prefix (run->err, "keyferry-cli"));
  g_assert_null (strchr (run->err, '\033'));
  g_assert_null (strchr (run->err, '\t'));
  g_assert_true (g_utf8_validate (run->err, -1, NULL));
  g_assert_cmpuint (strlen (run->err), <, 1500);
  g_assert_null (strstr (run->err, "-Message"));   /* no GLib log line */
  if (must_contain != NULL)
    g_assert_nonnull (strstr (run->err, must_contain));
}

static JsonArray *
list_json (const char *what)
{
  g_auto(Run) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  cli (&r, NULL, what, "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  node = json_from_string (r.out, &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (node));
}

static guint
count_named (JsonArray  *array,
             const char *name)
{
  guint n = 0;
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (array, i), "name"), name) == 0)
      n++;
  return n;
}

static char *
store_path (void)
{
  g_autoptr(KfStore) store = kf_store_new (NULL);
  return g_strdup (kf_store_get_path (store));
}

/* Store and keyring agree: a key pair has a secret iff has_private_key, no
 * secret of this store lacks its key pair, every connection's key pair exists.
 * Returns the number of key pairs. */
static guint
assert_consistent (void)
{
  g_autoptr(JsonArray) keypairs = list_json ("keypair");
  g_autoptr(JsonArray) connections = list_json ("connection");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = store_path ();
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (path, NULL, &error);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (keypairs); i++)
    {
      JsonObject *kp = json_array_get_object_element (keypairs, i);
      const char *id = json_object_get_string_member (kp, "id");
      gboolean in_keyring = FALSE;

      g_hash_table_add (ids, (gpointer) id);
      for (guint e = 0; e < entries->len; e++)
        if (g_str_equal (((KfKeyringEntry *) g_ptr_array_index (entries, e))->keypair_id, id))
          in_keyring = TRUE;
      if (in_keyring != json_object_get_boolean_member (kp, "has_private_key"))
        g_error ("key pair %s: has_private_key %d, secret in keyring %d", json_object_get_string_member (kp, "name"),
                 json_object_get_boolean_member (kp, "has_private_key"), in_keyring);
    }
  for (guint e = 0; e < entries->len; e++)
    {
      const char *id = ((KfKeyringEntry *) g_ptr_array_index (entries, e))->keypair_id;
      if (!g_hash_table_contains (ids, id))
        g_error ("keyring item %s has no key pair in the store", id);
    }
  for (guint i = 0; i < json_array_get_length (connections); i++)
    {
      JsonObject *c = json_array_get_object_element (connections, i);
      const char *kp = json_object_get_string_member (c, "keypair_id");
      if (kp != NULL && !g_hash_table_contains (ids, kp))
        g_error ("connection %s uses a missing key pair", json_object_get_string_member (c, "name"));
    }
  return json_array_get_length (keypairs);
}

static void
write_file (const char *path,
            const char *data,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static void
test_names (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *huge = g_strnfill (10 * 1024, 'n');
  guint before = assert_consistent ();
  g_autoptr(JsonArray) keypairs = NULL;

  cli (&r, NULL, "keypair", "generate", "", NULL);
  assert_one_line_error (&r, 1, "Give a name for the key pair");
  cli (&r, NULL, "keypair", "generate", "   ", NULL);
  assert_one_line_error (&r, 1, "Give a name");
  cli (&r, NULL, "connection", "add-manual", " ", "--host", "h", "--generate-key", "--host-key-file", "/dev/null", NULL);
  assert_one_line_error (&r, 1, "Give a name for the connection");
  cli (&r, NULL, "keypair", "generate", huge, NULL);
  assert_one_line_error (&r, 1, "longer than 200");
  cli (&r, NULL, "keypair", "generate", "line\nbreak", NULL);
  assert_one_line_error (&r, 1, "control characters");
  cli (&r, NULL, "keypair", "generate", "tab\there", NULL);
  assert_one_line_error (&r, 1, "control characters");
  cli (&r, NULL, "keypair", "generate", "esc\033[31mred", NULL);
  assert_one_line_error (&r, 1, "control characters");
  cli (&r, NULL, "keypair", "generate", "bad \xff\xfe bytes", NULL);
  assert_one_line_error (&r, 1, "not valid text");
  g_assert_cmpuint (assert_consistent (), ==, before);

  /* Fine names: quotes, emoji, spaces around (trimmed), case variants. */
  cli (&r, NULL, "keypair", "generate", "quote\"'`$(x)", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "generate", "🔑 key", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "generate", "  padded  ", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "generate", "Padded", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "generate", "padded", NULL);
  assert_one_line_error (&r, 1, "already exists");
  cli (&r, NULL, "keypair", "generate", " padded\t", NULL);
  assert_one_line_error (&r, 1, "already exists");
  keypairs = list_json ("keypair");
  g_assert_cmpuint (count_named (keypairs, "padded"), ==, 1);
  g_assert_cmpuint (count_named (keypairs, "  padded  "), ==, 0);
  /* Looked up as typed, spaces and all. */
  cli (&r, NULL, "keypair", "show", "  padded ", NULL);
  g_assert_cmpint (r.status, ==, 0);

  /* Unknown names are quoted on one line, cut short. */
  cli (&r, NULL, "keypair", "show", huge, NULL);
  assert_one_line_error (&r, 1, "…");
  g_assert_cmpuint (strlen (r.err), <, 200);
  cli (&r, NULL, "connection", "show", "two\nlines", NULL);
  assert_one_line_error (&r, 1, "two\\nlines");
  cli (&r, NULL, "keypair", "delete", "", NULL);
  assert_one_line_error (&r, 1, "no key pair");
  g_assert_cmpuint (assert_consistent (), ==, before + 4);
}

static void
test_key_files (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *dir = kf_test_make_tmpdir ("files");
  g_autofree char *outdir = kf_test_make_tmpdir ("export");
  g_autofree char *big = g_build_filename (dir, "big", NULL);
  g_autofree char *binary = g_build_filename (dir, "binary", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty", NULL);
  g_autofree char *key = g_build_filename (dir, "id_ed25519", NULL);
  g_autofree char *key_pp = g_build_filename (dir, "id_pp", NULL);
  g_autofree char *crlf = g_build_filename (dir, "crlf", NULL);
  g_autofree char *many = g_build_filename (dir, "many.pub", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", NULL);
  g_autofree char *key_text = NULL, *pub_text = NULL;
  g_autoptr(GString) lines = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  char *filler = g_malloc (200 * 1024);
  guint before;

  memset (filler, 'A', 200 * 1024);
  write_file (big, filler, 200 * 1024);
  for (guint i = 0; i < 3000; i++)
    filler[i] = (char) (i * 7919 % 256);
  write_file (binary, filler, 3000);
  g_free (filler);
  write_file (empty, "", 0);
  {
    const char *kg[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key, NULL };
    const char *kg_pp[] = { "ssh-keygen", "-q", "-t", "ed25519", "-N", "pass word", "-f", key_pp, NULL };
    g_assert_cmpint (kf_test_run_command (kg, NULL, NULL, NULL), ==, 0);
    g_assert_cmpint (kf_test_run_command (kg_pp, NULL, NULL, NULL), ==, 0);
  }
  g_file_get_contents (key, &key_text, NULL, &error);
  g_assert_no_error (error);
  {
    g_autofree char *pub = g_strconcat (key, ".pub", NULL);
    g_auto(GStrv) split = g_strsplit (key_text, "\n", -1);
    g_autofree char *joined = g_strjoinv ("\r\n", split);
    g_file_get_contents (pub, &pub_text, NULL, &error);
    g_assert_no_error (error);
    write_file (crlf, joined, -1);
  }
  for (guint i = 0; i < 1000; i++)
    g_string_append (lines, pub_text);
  write_file (many, lines->str, lines->len);
  before = assert_consistent ();

  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", big, NULL);
  assert_one_line_error (&r, 1, "larger than 65536 bytes");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", "/dev/zero", NULL);
  assert_one_line_error (&r, 1, "larger than 65536 bytes");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", binary, NULL);
  assert_one_line_error (&r, 1, "binary file");
  cli (&r, NULL, "connection", "add-manual", "f1", "--host", "h", "--generate-key", "--host-key-file", binary, NULL);
  assert_one_line_error (&r, 1, "binary file");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", dir, NULL);
  assert_one_line_error (&r, 1, "is a folder");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", missing, NULL);
  assert_one_line_error (&r, 1, "There is no file");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", "", NULL);
  assert_one_line_error (&r, 1, "empty file name");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", empty, NULL);
  assert_one_line_error (&r, 1, "no key");
  cli (&r, NULL, "keypair", "import", "f1", "--public-key-file", many, NULL);
  assert_one_line_error (&r, 1, "larger than");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", "-", NULL);
  assert_one_line_error (&r, 1, "no key");
  cli (&r, STDIN_CLOSED, "keypair", "import", "f1", "--private-key-file", "-", NULL);
  assert_one_line_error (&r, 1, "no key");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", key_pp, NULL);
  assert_one_line_error (&r, 1, "--passphrase-stdin");
  cli (&r, NULL, "keypair", "import", "f1", "--private-key-file", key_pp, "--passphrase-stdin", NULL);
  assert_one_line_error (&r, 1, "No passphrase on standard input");
  cli (&r, STDIN_CLOSED, "keypair", "import", "f1", "--private-key-file", key_pp, "--passphrase-stdin", NULL);
  assert_one_line_error (&r, 1, "No passphrase on standard input");
  cli (&r, "wrong\n", "keypair", "import", "f1", "--private-key-file", key_pp, "--passphrase-stdin", NULL);
  assert_one_line_error (&r, 1, "passphrase is wrong");
  g_assert_cmpuint (assert_consistent (), ==, before);

  /* Line ends: CRLF key file, CRLF passphrase, passphrase without newline, key on stdin. */
  cli (&r, NULL, "keypair", "import", "crlf", "--private-key-file", crlf, NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, "pass word\r\n", "keypair", "import", "pp-crlf", "--private-key-file", key_pp, "--passphrase-stdin", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, "pass word", "keypair", "import", "pp-nonl", "--private-key-file", key_pp, "--passphrase-stdin", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, key_text, "keypair", "import", "stdin", "--private-key-file", "-", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpuint (assert_consistent (), ==, before + 4);

  /* Export: a file where the folder should be; an existing file. */
  cli (&r, NULL, "keypair", "export", "crlf", "--output-dir", empty, NULL);
  assert_one_line_error (&r, 1, "not a folder");
  cli (&r, NULL, "keypair", "export", "crlf", "--output-dir", outdir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "keypair", "export", "crlf", "--output-dir", outdir, NULL);
  assert_one_line_error (&r, 1, "--force");
  cli (&r, NULL, "keypair", "export", "crlf", "--output-dir", outdir, "--force", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_numbers (void)
{
  g_auto(Run) r = { 0 };
  const char *bad_ports[] = { "0", "65536", "-1", "abc", "99999999999", "", "22x" };
  const char *bad_timeouts[] = { "0", "601", "abc", "-5", "" };
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));

  for (guint i = 0; i < G_N_ELEMENTS (bad_ports); i++)
    {
      cli (&r, NULL, "connection", "discover-host-key", "127.0.0.1", "--port", bad_ports[i], NULL);
      assert_one_line_error (&r, 2, "1 to 65535");
      cli (&r, NULL, "connection", "add-manual", "n", "--host", "127.0.0.1", "--port", bad_ports[i],
           "--generate-key", "--host-key-file", "/dev/null", NULL);
      assert_one_line_error (&r, 2, "1 to 65535");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_timeouts); i++)
    {
      cli (&r, NULL, "connection", "discover-host-key", "127.0.0.1", "--port", port, "--connect-timeout", bad_timeouts[i], NULL);
      assert_one_line_error (&r, 2, "1 to 600");
      cli (&r, "pw\n", "connection", "add-semiauto", "n", "--url", "https://127.0.0.1:1", "--password-stdin",
           "--connect-timeout", bad_timeouts[i], NULL);
      assert_one_line_error (&r, 2, "1 to 600");
    }
  /* spaces around a number are fine (a timeout generous enough for a real
   * discovery under sanitizers on a loaded machine) */
  cli (&r, NULL, "connection", "discover-host-key", "127.0.0.1", "--port", port, "--connect-timeout", " 60 ", NULL);
  g_assert_cmpint (r.status, ==, 0);

  cli (&r, NULL, "keypair", "generate", "b", "--type", "rsa", "--bits", "1024", NULL);
  assert_one_line_error (&r, 2, "2048, 3072 or 4096");
  cli (&r, NULL, "keypair", "generate", "b", "--type", "rsa", "--bits", "99999999999", NULL);
  assert_one_line_error (&r, 2, "--bits");
  cli (&r, NULL, "keypair", "generate", "b", "--type", "dsa", NULL);
  assert_one_line_error (&r, 2, "ed25519, ecdsa-p256");
  cli (&r, NULL, "keypair", "generate", "b", "--comment", "bad \xff byte", NULL);
  assert_one_line_error (&r, 2, "not valid text");
  cli (&r, NULL, "keypair", "generate", "upper", "--type", "ECDSA-P256", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_hosts_and_fingerprints (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *closed = g_strdup_printf ("%u", kf_test_closed_port ());
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%s/ui/dashboard", port);
  g_autofree char *user_host = g_strdup_printf ("root@127.0.0.1:%s", port);
  g_autofree char *long_host = g_strnfill (300, 'h');
  g_autofree char *ed_pub = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  g_autofree char *fp = NULL;
  g_autofree char *fp_padded = NULL;
  g_autofree char *fp_bare = NULL;
  guint before;

  /* A pasted web URL gives the host only (its port is the web server's). */
  cli (&r, NULL, "connection", "discover-host-key", url, "--port", port, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "127.0.0.1"));     /* the note says what was taken */
  g_assert_nonnull (strstr (r.out, "ssh-ed25519"));
  cli (&r, NULL, "connection", "discover-host-key", user_host, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "connection", "discover-host-key", long_host, NULL);
  assert_one_line_error (&r, 1, NULL);
  cli (&r, NULL, "connection", "discover-host-key", "a\nb", NULL);
  assert_one_line_error (&r, 1, "a\\nb");
  cli (&r, NULL, "connection", "discover-host-key", "", NULL);
  assert_one_line_error (&r, 1, "host name or IP address");
  cli (&r, NULL, "connection", "discover-host-key", "[::1", NULL);
  assert_one_line_error (&r, 1, NULL);
  cli (&r, NULL, "connection", "discover-host-key", "127.0.0.1", "--port", closed, "--connect-timeout", "3", NULL);
  assert_one_line_error (&r, 1, "refused");

  {
    const char *argv[] = { "ssh-keygen", "-lf", ed_pub, NULL };
    g_autofree char *out = NULL;
    g_auto(GStrv) fields = NULL;
    g_assert_cmpint (kf_test_run_command (argv, NULL, &out, NULL), ==, 0);
    fields = g_strsplit (out, " ", 3);
    fp = g_strdup (fields[1]);
    fp_padded = g_strconcat (fp, "=", NULL);
    fp_bare = g_strdup (fp + strlen ("SHA256:"));
  }

  /* Malformed --accept values are usage errors found before connecting:
   * the port is closed, so reaching the network would give status 1. */
  {
    g_autofree char *huge = g_strnfill (10000, 'a');
    g_autofree char *one_good = g_strconcat (fp, ",bogus", NULL);
    const char *bad[] = { "", ",", "SHA256:", "garbage", "SHA256:AAAA", "md5:aa:bb", one_good, huge };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        cli (&r, NULL, "connection", "add-manual", "acc", "--host", "127.0.0.1", "--port", closed,
             "--generate-key", "--discover", "--accept", bad[i], NULL);
        assert_one_line_error (&r, 2, "--accept");
      }
  }
  before = assert_consistent ();
  /* Well-formed but not presented: refused, nothing saved, the generated key removed. */
  cli (&r, NULL, "connection", "add-manual", "acc", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--discover", "--accept", "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL);
  assert_one_line_error (&r, 1, "did not present");
  g_assert_cmpuint (assert_consistent (), ==, before);
  /* ssh-keygen's form, padded, and bare base64 all name the same key. */
  cli (&r, NULL, "connection", "add-manual", "acc1", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--discover", "--accept", fp_padded, NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "connection", "add-manual", "acc2", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--discover", "--accept", fp_bare, NULL);
  g_assert_cmpint (r.status, ==, 0);
  cli (&r, NULL, "connection", "add-manual", "acc3", "--host", "127.0.0.1", "--port", "0",
       "--generate-key", "--host-key-file", ed_pub, NULL);
  assert_one_line_error (&r, 2, "1 to 65535");
  cli (&r, NULL, "connection", "add-manual", "acc3", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--host-key-file", "/dev/zero", NULL);
  assert_one_line_error (&r, 1, "larger than");
  cli (&r, NULL, "connection", "add-manual", "acc3", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--host-key-file", "/dev/null", NULL);
  assert_one_line_error (&r, 1, "no SSH host key");
  cli (&r, NULL, "connection", "add-manual", "acc3", "--host", "127.0.0.1", "--port", port,
       "--keypair", "no such pair", "--host-key-file", ed_pub, NULL);
  assert_one_line_error (&r, 1, "no key pair");
  cli (&r, NULL, "connection", "add-manual", "acc3", "--host", "127.0.0.1", "--port", port,
       "--generate-key", "--host-key-file", ed_pub, "--username", "a;rm -rf", NULL);
  assert_one_line_error (&r, 1, "username");
  g_assert_cmpuint (assert_consistent (), ==, before + 2);
}

static void
test_damaged_store (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *path = store_path ();
  g_autofree char *saved = NULL;
  gsize saved_len;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &saved, &saved_len, &error);
  g_assert_no_error (error);

  write_file (path, "{\"version\": 1, \"keypairs\": [", -1);
  cli (&r, NULL, "keypair", "list", NULL);
  assert_one_line_error (&r, 1, "damaged");
  g_assert_nonnull (strstr (r.err, "run it again"));
  g_assert_cmpstr (r.out, ==, "");
  /* Reported once: the next run goes on with empty lists. */
  cli (&r, NULL, "keypair", "list", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_cmpstr (r.out, ==, "");

  write_file (path, "\xff\xfe\x00 not json", 12);
  cli (&r, NULL, "keypair", "generate", "after-damage", NULL);
  assert_one_line_error (&r, 1, "damaged");
  cli (&r, NULL, "keypair", "show", "after-damage", NULL);
  assert_one_line_error (&r, 1, "no key pair");

  /* A tidy-up of the keyring now (no grace period) must not delete the
   * secrets of the key pairs in the file kept aside. */
  {
    g_autoptr(KfStore) store = kf_store_new (NULL);
    g_autoptr(KfVault) vault = NULL;
    g_autoptr(GPtrArray) missing = NULL;
    guint removed = 99;

    g_assert_true (kf_store_load (store, &error));
    g_assert_no_error (error);
    vault = kf_vault_new (store);
    missing = kf_vault_reconcile_sync (vault, 0, &removed, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (removed, ==, 0);
  }

  /* Put the real store back: every private key must still be there. */
  write_file (path, saved, saved_len);
  assert_consistent ();
}

static void
test_concurrent (void)
{
  g_autoptr(GPtrArray) procs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(JsonArray) keypairs = NULL;
  guint before = assert_consistent ();
  guint ok_same = 0;

  /* Six different names and four of the same, all at once. */
  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *name = i < 6 ? g_strdup_printf ("conc-%u", i) : g_strdup ("conc-same");
      const char *args[] = { "keypair", "generate", name, NULL };
      g_autoptr(GError) error = NULL;
      GSubprocess *proc = spawn_cli (args, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (procs, proc);
    }
  for (guint i = 0; i < procs->len; i++)
    {
      g_auto(Run) r = { 0 };
      finish_run (&r, g_ptr_array_index (procs, i), NULL);
      if (i < 6)
        g_assert_cmpint (r.status, ==, 0);
      else if (r.status == 0)
        ok_same++;
      else
        assert_one_line_error (&r, 1, "already exists");
    }
  g_assert_cmpuint (ok_same, ==, 1);
  keypairs = list_json ("keypair");
  g_assert_cmpuint (count_named (keypairs, "conc-same"), ==, 1);
  g_assert_cmpuint (assert_consistent (), ==, before + 7);
}

/* Interrupts @args after each delay; every time, store and keyring must agree,
 * and the connection and its "NAME Key" exist together or not at all. */
static void
interrupt_at_delays (const char * const *args_template,
                     guint               name_index,
                     const char         *input,
                     const guint        *delays_ms,
                     guint               n_delays,
                     guint              *n_interrupted)
{
  *n_interrupted = 0;
  for (guint d = 0; d < n_delays; d++)
    {
      g_autofree char *name = g_strdup_printf ("int-%s-%u", args_template[1], d);
      g_autofree char *key_name = g_strconcat (name, " Key", NULL);
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonArray) connections = NULL;
      g_autoptr(JsonArray) keypairs = NULL;
      g_auto(Run) r = { 0 };
      const char *args[32];
      guint i;

      for (i = 0; args_template[i] != NULL; i++)
        args[i] = i == name_index ? name : args_template[i];
      args[i] = NULL;
      proc = spawn_cli (args, input, &error);
      g_assert_no_error (error);
      {
        /* Write stdin now; the signal comes while the work is running. */
        GOutputStream *in = g_subprocess_get_stdin_pipe (proc);
        g_output_stream_write_all (in, input ? input : "", input ? strlen (input) : 0, NULL, NULL, &error);
        g_assert_no_error (error);
        g_output_stream_close (in, NULL, NULL);
      }
      g_usleep (delays_ms[d] * 1000);
      g_subprocess_send_signal (proc, SIGINT);
      finish_run (&r, proc, STDIN_WRITTEN);
      if (r.status == 128 + SIGINT)
        {
          (*n_interrupted)++;
          /* Nothing, or the one-line "Interrupted" when work was under way. */
          if (*r.err != '\0' && strstr (r.err, "Interrupted") != NULL)
            assert_one_line_error (&r, 128 + SIGINT, "nothing was changed");
        }
      else if (r.status != 0)
        g_error ("status %d after SIGINT at %u ms: %s", r.status, delays_ms[d], r.err);

      assert_consistent ();
      connections = list_json ("connection");
      keypairs = list_json ("keypair");
      g_assert_cmpuint (count_named (connections, name), ==, count_named (keypairs, key_name));
      /* "Interrupted; nothing was changed" must be true. (Other stderr text,
       * such as --accept-any's warning, says nothing about the outcome: a
       * signal held back during the save ends the CLI after it.) */
      if (r.status == 128 + SIGINT && strstr (r.err, "Interrupted") != NULL)
        g_assert_cmpuint (count_named (connections, name), ==, 0);
    }
}

static void
test_sigint_manual (void)
{
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *ed_pub = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  /* RSA 3072 takes a few hundred ms: the signal lands before, during and after the save. */
  const char *args[] = { "connection", "add-manual", "NAME", "--host", "127.0.0.1", "--port", port,
                         "--generate-key", "--key-type", "rsa", "--host-key-file", ed_pub, NULL };
  const guint delays[] = { 0, 30, 100, 200, 300, 400, 500, 650, 800, 1000, 1300 };
  guint interrupted;

  interrupt_at_delays (args, 2, NULL, delays, G_N_ELEMENTS (delays), &interrupted);
  g_test_message ("add-manual: %u of %u runs interrupted", interrupted, (guint) G_N_ELEMENTS (delays));
  g_assert_cmpuint (interrupted, >, 0);
}

static TnFake *
start_fake (void)
{
  const char *types[] = { "rsa", "ecdsa", "ed25519" };
  g_autoptr(GPtrArray) host_keys = g_ptr_array_new_with_free_func (g_free);
  TnFakeOptions options = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_ptr_array_add (host_keys, g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL));
  g_ptr_array_add (host_keys, NULL);
  options.ssh_port = kf_test_sshd_get_port (sshd);
  options.authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd);
  options.host_keys = (const char * const *) host_keys->pdata;
  options.ssh_user = kf_test_sshd_get_user (sshd);
  return tn_fake_start (NULL, &options);
}

static void
test_semiauto_input (void)
{
  TnFake *fake = start_fake ();
  g_auto(Run) r = { 0 };
  g_autofree char *closed = g_strdup_printf ("https://127.0.0.1:%u", kf_test_closed_port ());
  const char *user = kf_test_sshd_get_user (sshd);
  const char *pin = tn_fixture_cert_pin ();
  g_autofree char *huge = g_strnfill (5000, 'a');
  guint before = assert_consistent ();
  const char *bad_pins[] = { "", "abc", "SHA256:", "zz:zz", "SHA256:0123", huge };

  /* Untrusted certificate: one line that ends with what to pass. */
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", fake->https_url,
       "--admin-username", "truenas_admin", "--username", user, "--password-stdin", NULL);
  assert_one_line_error (&r, 1, "--trust-certificate");
  g_assert_nonnull (strstr (r.err, pin));
  for (guint i = 0; i < G_N_ELEMENTS (bad_pins); i++)
    {
      cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--password-stdin",
           "--trust-certificate", bad_pins[i], NULL);
      assert_one_line_error (&r, 2, "64 hexadecimal digits");
    }
  /* Secrets on stdin: missing, empty, closed. */
  cli (&r, NULL, "connection", "add-semiauto", "sa", "--url", fake->https_url, "--password-stdin",
       "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "No admin password on standard input");
  cli (&r, STDIN_CLOSED, "connection", "add-semiauto", "sa", "--url", fake->https_url, "--password-stdin",
       "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "No admin password on standard input");
  cli (&r, "\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--password-stdin",
       "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "password");
  cli (&r, "wrong\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--admin-username", "truenas_admin",
       "--username", user, "--password-stdin", "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "refused");
  /* Two-factor: no code at all, a wrong code, a code missing after --otp-stdin. */
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--admin-username", "twofa",
       "--username", user, "--password-stdin", "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "--otp-stdin");
  cli (&r, "s3cret\n000000\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--admin-username", "twofa",
       "--username", user, "--password-stdin", "--otp-stdin", "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "did not accept the one-time password");
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", fake->https_url, "--admin-username", "twofa",
       "--username", user, "--password-stdin", "--otp-stdin", "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "No one-time password");
  /* URLs. */
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", closed, "--password-stdin", "--trust-certificate", pin, NULL);
  assert_one_line_error (&r, 1, "check the TrueNAS URL");
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", "ftp://nas", "--password-stdin", NULL);
  assert_one_line_error (&r, 1, "https://");
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", "https://fd00::1::5", "--password-stdin", NULL);
  assert_one_line_error (&r, 1, NULL);
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", "https://a\nb", "--password-stdin", NULL);
  assert_one_line_error (&r, 1, NULL);
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", huge, "--password-stdin", NULL);
  assert_one_line_error (&r, 1, "too long");
  g_assert_cmpuint (assert_consistent (), ==, before);

  /* The HTTP URL is redirected; a script's stderr holds notes only, no progress. */
  cli (&r, "s3cret\n", "connection", "add-semiauto", "sa", "--url", fake->http_url, "--admin-username", "truenas_admin",
       "--username", user, "--password-stdin", "--trust-certificate", pin, NULL);
  if (r.status != 0)
    g_printerr ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "redirected"));
  g_assert_null (strstr (r.err, "Connecting"));
  g_assert_cmpuint (assert_consistent (), ==, before + 1);

  /* Ctrl-C at every point of a setup (about 200 ms on loopback). */
  {
    const char *args[] = { "connection", "add-semiauto", "NAME", "--url", fake->https_url,
                           "--admin-username", "truenas_admin", "--username", user,
                           "--password-stdin", "--trust-certificate", pin, NULL };
    const guint delays[] = { 0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200, 230, 260, 300, 350, 400, 500, 650, 900 };
    guint interrupted;

    interrupt_at_delays (args, 2, "s3cret\n", delays, G_N_ELEMENTS (delays), &interrupted);
    g_test_message ("add-semiauto: %u of %u runs interrupted", interrupted, (guint) G_N_ELEMENTS (delays));
    g_assert_cmpuint (interrupted, >, 0);
  }
  tn_fake_stop (fake);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  kf_test_init (&argc, &argv);
  /* A CLI that exits before reading its stdin must not kill the test. */
  signal (SIGPIPE, SIG_IGN);
  tn_fixture_init ();
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/input/names", test_names);
  g_test_add_func ("/cli/input/key-files", test_key_files);
  g_test_add_func ("/cli/input/numbers", test_numbers);
  g_test_add_func ("/cli/input/hosts-and-fingerprints", test_hosts_and_fingerprints);
  g_test_add_func ("/cli/input/damaged-store", test_damaged_store);
  g_test_add_func ("/cli/input/concurrent", test_concurrent);
  g_test_add_func ("/cli/input/sigint-manual", test_sigint_manual);
  g_test_add_func ("/cli/input/semiauto", test_semiauto_input);
  ret = g_test_run ();
  kf_test_sshd_stop (sshd);
  return ret;
}
