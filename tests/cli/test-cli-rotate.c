/* test-cli-rotate.c: keyferry-cli keypair rotate end to end: real sshd
 * instances on loopback (each with its own ~/.ssh/authorized_keys, edited
 * over SFTP) and the fake TrueNAS over real TLS, a real keyring.
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

#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "truenas-fixture.h"

/* Runs the CLI, which must exit with @expected; returns its stdout. */
#define CLI_OK(input, ...) cli_expect (0, input, __VA_ARGS__, NULL)
static char *
cli_expect (int         expected,
            const char *input,
            ...)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  va_list ap;
  int status;

  va_start (ap, input);
  status = cli_test_runv (input, &out, &err, ap);
  va_end (ap);
  if (status != expected)
    g_printerr ("keyferry-cli: exit %d\n%s\n%s\n", status, out, err);
  g_assert_cmpint (status, ==, expected);
  return out;
}

static char *
json_string (const char *text,
             const char *member)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  return g_strdup (json_object_get_string_member (json_node_get_object (node), member));
}

static char *
public_key_of (const char *keypair)
{
  g_autofree char *out = CLI_OK (NULL, "keypair", "show", keypair, "--json");

  return json_string (out, "public_key");
}

static char *
keypair_of (const char *connection)
{
  g_autofree char *out = CLI_OK (NULL, "connection", "show", connection, "--json");

  return json_string (out, "keypair");
}

static char *
read_file (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static char *
other_key (const char *name)
{
  g_autofree char *dir = kf_test_make_tmpdir (name);
  g_autofree char *path = g_build_filename (dir, "id", NULL);
  g_autoptr(GError) error = NULL;
  char *line = kf_test_sshd_make_client_key (path, &error);

  g_assert_no_error (error);
  return line;
}

/* A manual connection @name to a new sshd whose authorized_keys is @keys. */
static KfTestSshd *
start_box (const char *name,
           const char *keypair,
           const char *keys,
           mode_t      mode)
{
  g_autoptr(GError) error = NULL;
  KfTestSshd *sshd = kf_test_sshd_start (&error);
  g_autofree char *port = NULL;
  g_autofree char *host_key = NULL;
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (kf_test_sshd_get_authorized_keys_path (sshd), keys, -1, NULL));
  g_assert_cmpint (g_chmod (kf_test_sshd_get_authorized_keys_path (sshd), mode), ==, 0);
  port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  host_key = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  out = CLI_OK (NULL, "connection", "add-manual", name, "--host", "127.0.0.1", "--port", port,
                "--username", kf_test_sshd_get_user (sshd), "--keypair", keypair, "--host-key-file", host_key);
  g_free (CLI_OK (NULL, "connection", "test", name));
  return sshd;
}

/* Does the box @sshd accept @keypair (a throw-away connection logs in with it)? */
static gboolean
box_accepts (KfTestSshd *sshd,
             const char *keypair)
{
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *host_key = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  g_autofree char *name = g_strdup_printf ("probe-%u", kf_test_sshd_get_port (sshd));
  g_autofree char *out = NULL, *err = NULL;
  int status;

  g_free (CLI_OK (NULL, "connection", "add-manual", name, "--host", "127.0.0.1", "--port", port,
                  "--username", kf_test_sshd_get_user (sshd), "--keypair", keypair, "--host-key-file", host_key));
  status = cli_test_run (NULL, &out, &err, "connection", "test", name, NULL);
  g_free (CLI_OK (NULL, "connection", "delete", name));
  /* Refused means refused, not a box that is down. */
  if (status != 0)
    g_assert_nonnull (strstr (err, "did not accept"));
  return status == 0;
}

static gboolean
journal_exists (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "keyferry", "rotations.json", NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* "A\nB" with @line removed and @added appended as kf_truenas_keys_add does. */
static char *
expected_after (const char *before,
                const char *removed_line,
                const char *added)
{
  g_autoptr(GString) text = g_string_new (before);

  g_string_replace (text, removed_line, "", 1);
  if (text->len > 0 && text->str[text->len - 1] != '\n')
    g_string_append_c (text, '\n');
  g_string_append_printf (text, "%s\n", added);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static TnFake *
start_fake (KfTestSshd *sshd)
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
  return tn_fake_start ("\"protocols\": \"jsonrpc\"", &options);
}

/* Three manual boxes with different authorized_keys and one TrueNAS, in one rotation. */
static void
test_mixed_fleet (void)
{
  g_autofree char *other1 = other_key ("other1"), *other2 = other_key ("other2"), *other3 = other_key ("other3");
  g_autofree char *old_key = NULL, *new_key = NULL, *new_name = NULL;
  g_autofree char *line1 = NULL, *line2 = NULL, *before1 = NULL, *before2 = NULL, *before3 = NULL;
  g_autofree char *out = NULL, *err = NULL, *plan = NULL, *timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  KfTestSshd *box[4];
  TnFake *fake;
  struct stat st;
  int status;

  g_free (CLI_OK (NULL, "keypair", "generate", "fleet"));
  old_key = public_key_of ("fleet");

  /* Options and a comment on our line, another key, a comment line. */
  line1 = g_strdup_printf ("from=\"127.0.0.1\",no-pty %s old key, with options\n", old_key);
  before1 = g_strdup_printf ("# keys of box one\n%s%s\n", line1, other1);
  box[0] = start_box ("box-one", "fleet", before1, 0600);
  /* CRLF lines, a quoted option holding a key type, no final newline. */
  line2 = g_strdup_printf ("%s\r\n", old_key);
  before2 = g_strdup_printf ("command=\"echo ssh-ed25519 AAAA\",no-port-forwarding %s\r\n%s%s", other2, line2, other3);
  box[1] = start_box ("box-two", "fleet", before2, 0644);
  /* Our key alone, no final newline, an unusual mode. */
  before3 = g_strdup (old_key);
  box[2] = start_box ("box-three", "fleet", before3, 0640);

  /* The TrueNAS: paired through the API with the same key pair. */
  box[3] = kf_test_sshd_start (NULL);
  fake = start_fake (box[3]);
  g_free (CLI_OK ("s3cret\n", "connection", "add-semiauto", "nas", "--url", fake->https_url,
                  "--admin-username", "truenas_admin", "--password-stdin", "--username", kf_test_sshd_get_user (box[3]),
                  "--keypair", "fleet", "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", timeout));

  /* The dry run says what happens where, and which secret line is whose; nothing changes. */
  plan = CLI_OK (NULL, "keypair", "rotate", "fleet", "--dry-run");
  g_assert_nonnull (strstr (plan, "box-one"));
  g_assert_nonnull (strstr (plan, "nas"));
  g_assert_nonnull (strstr (plan, "[secret line 1]"));
  g_assert_nonnull (strstr (plan, "user.update sshpubkey"));
  g_assert_false (journal_exists ());
  {
    g_autofree char *now = read_file (kf_test_sshd_get_authorized_keys_path (box[0]));
    g_assert_cmpstr (now, ==, before1);
  }

  /* No secret for the TrueNAS: refused before anything is done. */
  status = cli_test_run ("", &out, &err, "keypair", "rotate", "fleet", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "nas"));
  g_assert_false (journal_exists ());
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = cli_test_run ("s3cret\n", &out, &err, "keypair", "rotate", "fleet", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_test_message ("rotation output:\n%s", out);
  g_assert_null (strstr (out, "s3cret"));
  g_assert_null (strstr (err, "s3cret"));
  /* Progress per box and step on stderr. */
  g_assert_nonnull (strstr (err, "rotate: box-two: remove-old:"));
  g_assert_nonnull (strstr (err, "rotate: nas: check-old:"));
  /* The old key pair stays, and its deletion is offered. */
  g_assert_nonnull (strstr (out, "keyferry-cli keypair delete 'fleet'"));
  g_free (CLI_OK (NULL, "keypair", "show", "fleet"));
  g_assert_false (journal_exists ());

  new_name = keypair_of ("box-one");
  g_assert_cmpstr (new_name, !=, "fleet");
  new_key = public_key_of (new_name);
  {
    g_autofree char *after1 = read_file (kf_test_sshd_get_authorized_keys_path (box[0]));
    g_autofree char *after2 = read_file (kf_test_sshd_get_authorized_keys_path (box[1]));
    g_autofree char *after3 = read_file (kf_test_sshd_get_authorized_keys_path (box[2]));
    g_autofree char *want1 = expected_after (before1, line1, new_key);
    g_autofree char *want2 = expected_after (before2, line2, new_key);
    g_autofree char *want3 = g_strdup_printf ("%s\n", new_key);
    g_autofree char *nas_keys = tn_fake_read_authorized_keys (fake);

    /* Every other line, option, comment and CR kept byte for byte. */
    g_assert_cmpstr (after1, ==, want1);
    g_assert_cmpstr (after2, ==, want2);
    g_assert_cmpstr (after3, ==, want3);
    g_assert_null (strstr (nas_keys, strchr (old_key, ' ') + 1));
    g_assert_nonnull (strstr (nas_keys, strchr (new_key, ' ') + 1));
  }
  g_assert_cmpint (stat (kf_test_sshd_get_authorized_keys_path (box[0]), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (stat (kf_test_sshd_get_authorized_keys_path (box[1]), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  g_assert_cmpint (stat (kf_test_sshd_get_authorized_keys_path (box[2]), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);

  /* The connections log in with the new key; the old one is refused everywhere. */
  for (guint i = 0; i < 4; i++)
    {
      const char *names[] = { "box-one", "box-two", "box-three", "nas" };
      g_autofree char *kp = keypair_of (names[i]);

      g_assert_cmpstr (kp, ==, new_name);
      g_free (CLI_OK (NULL, "connection", "test", names[i]));
      g_assert_false (box_accepts (box[i], "fleet"));
      g_assert_true (box_accepts (box[i], new_name));
    }
  tn_fake_stop (fake);
  for (guint i = 0; i < 4; i++)
    kf_test_sshd_stop (box[i]);
}

/* Starts `keypair rotate`, reads its progress from stderr and sends @signo
 * right after the first line that contains @marker. FALSE when the rotation
 * ended before that line came. */
static gboolean
rotate_and_kill (const char *keypair,
                 const char *marker,
                 int         signo)
{
  g_autofree char *cli_path = g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDERR_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                     G_SUBPROCESS_FLAGS_STDIN_PIPE, &error,
                                                     cli_path, "keypair", "rotate", keypair, NULL);
  g_autoptr(GDataInputStream) lines = NULL;
  gboolean seen = FALSE;
  char *line;

  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stderr_pipe (process));
  while (!seen && (line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL)) != NULL)
    {
      seen = strstr (line, marker) != NULL;
      g_free (line);
    }
  if (seen)
    g_subprocess_send_signal (process, signo);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  return seen;
}

/* kill -9 of the CLI right after each step's progress line, then --resume
 * (or --resume --rollback): never locked out, store and keyring consistent. */
static void
test_kill_and_resume (void)
{
  const char *steps[] = { "install:", "login-new:", "point:", "remove-old:", "check-old:" };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    for (guint rollback = 0; rollback < 2; rollback++)
      {
        g_autofree char *kp = g_strdup_printf ("kill-%u-%u", i, rollback);
        g_autofree char *name = g_strdup_printf ("killbox-%u-%u", i, rollback);
        g_autofree char *marker = g_strdup_printf ("rotate: %s: %s", name, steps[i]);
        g_autofree char *other = other_key ("kill-other");
        g_autofree char *old_key = NULL, *before = NULL, *after = NULL, *now_kp = NULL, *want = NULL;
        KfTestSshd *sshd;

        g_free (CLI_OK (NULL, "keypair", "generate", kp));
        old_key = public_key_of (kp);
        /* The old key is restricted (from=, no-agent-forwarding): a
         * rollback must bring the restriction back with it. */
        before = g_strdup_printf ("%s\nfrom=\"127.0.0.1\",no-agent-forwarding %s other\n", other, old_key);
        sshd = start_box (name, kp, before, 0600);

        g_assert_true (rotate_and_kill (kp, marker, SIGKILL));
        /* Only the last step can end (and drop the record) before the kill lands. */
        if (!journal_exists ())
          {
            g_assert_cmpuint (i, ==, G_N_ELEMENTS (steps) - 1);
            g_test_message ("the rotation ended before the kill after “%s”", steps[i]);
            g_assert_false (box_accepts (sshd, kp));
            g_free (CLI_OK (NULL, "connection", "test", name));
            g_free (CLI_OK (NULL, "connection", "delete", name));
            kf_test_sshd_stop (sshd);
            continue;
          }
        /* Not locked out: the connection's key pair (store + keyring) logs in. */
        g_free (CLI_OK (NULL, "connection", "test", name));
        now_kp = keypair_of (name);
        g_free (CLI_OK (NULL, "keypair", "show", now_kp, "--private"));
        g_free (CLI_OK (NULL, "keypair", "rotate", "--resume", "--dry-run"));

        if (rollback)
          g_free (CLI_OK (NULL, "keypair", "rotate", "--resume", "--rollback"));
        else
          g_free (CLI_OK (NULL, "keypair", "rotate", "--resume"));
        g_assert_false (journal_exists ());
        g_clear_pointer (&now_kp, g_free);
        now_kp = keypair_of (name);
        g_free (CLI_OK (NULL, "connection", "test", name));
        after = read_file (kf_test_sshd_get_authorized_keys_path (sshd));
        if (rollback)
          {
            g_assert_cmpstr (now_kp, ==, kp);
            /* Never touched, or removed and put back from the journal: the
             * old line as it was, options and comment included (it was the
             * last line, where a line put back goes), and the new key gone. */
            g_assert_cmpstr (after, ==, before);
            g_assert_true (box_accepts (sshd, kp));
            /* The new key pair is gone. */
            {
              g_autofree char *list = CLI_OK (NULL, "keypair", "list");
              g_autofree char *prefix = g_strdup_printf ("%s (rotated", kp);
              g_assert_null (strstr (list, prefix));
            }
          }
        else
          {
            g_autofree char *new_key = public_key_of (now_kp);

            g_assert_cmpstr (now_kp, !=, kp);
            want = g_strdup_printf ("%s\n%s\n", other, new_key);
            g_assert_cmpstr (after, ==, want);
            g_assert_false (box_accepts (sshd, kp));
          }
        g_free (CLI_OK (NULL, "connection", "delete", name));
        kf_test_sshd_stop (sshd);
      }
}

/* One unfinished rotation at a time: a second one (of the same or another
 * key pair) is refused with a sentence naming the unfinished one and what to
 * do; the journal stays byte for byte, no box or key pair changes, and the
 * first can still be finished. */
static void
test_second_refused (void)
{
  g_autofree char *journal_path = g_build_filename (g_get_user_data_dir (), "keyferry", "rotations.json", NULL);
  g_autofree char *old_key = NULL, *other_old = NULL, *before = NULL, *other_before = NULL;
  g_autofree char *journal = NULL, *keypairs = NULL, *now_kp = NULL;
  const char *second[] = { "first", "second" };
  KfTestSshd *sshd, *other_sshd;

  g_free (CLI_OK (NULL, "keypair", "generate", "first"));
  g_free (CLI_OK (NULL, "keypair", "generate", "second"));
  old_key = public_key_of ("first");
  other_old = public_key_of ("second");
  before = g_strdup_printf ("%s\n", old_key);
  other_before = g_strdup_printf ("%s\n", other_old);
  sshd = start_box ("firstbox", "first", before, 0600);
  other_sshd = start_box ("secondbox", "second", other_before, 0600);

  g_assert_true (rotate_and_kill ("first", "rotate: firstbox: install:", SIGKILL));
  g_assert_true (journal_exists ());
  g_assert_true (g_file_get_contents (journal_path, &journal, NULL, NULL));
  keypairs = CLI_OK (NULL, "keypair", "list");

  for (guint i = 0; i < G_N_ELEMENTS (second); i++)
    {
      g_autofree char *err = NULL;
      g_autofree char *out = NULL;
      g_autofree char *journal_now = NULL;
      g_autofree char *keypairs_now = NULL;
      g_autofree char *box_now = read_file (kf_test_sshd_get_authorized_keys_path (other_sshd));
      int status = cli_test_run (NULL, &out, &err, "keypair", "rotate", second[i], NULL);

      g_assert_cmpint (status, !=, 0);
      g_assert_nonnull (strstr (err, "Finish or roll back the rotation of “first” first: keyferry-cli keypair rotate --resume"));
      g_assert_true (g_file_get_contents (journal_path, &journal_now, NULL, NULL));
      g_assert_cmpstr (journal_now, ==, journal);
      keypairs_now = CLI_OK (NULL, "keypair", "list");
      g_assert_cmpstr (keypairs_now, ==, keypairs);
      g_clear_pointer (&box_now, g_free);
      box_now = read_file (kf_test_sshd_get_authorized_keys_path (other_sshd));
      g_assert_cmpstr (box_now, ==, other_before);
    }

  /* The first one finishes as recorded. */
  g_free (CLI_OK (NULL, "keypair", "rotate", "--resume"));
  g_assert_false (journal_exists ());
  now_kp = keypair_of ("firstbox");
  g_assert_cmpstr (now_kp, !=, "first");
  g_assert_false (box_accepts (sshd, "first"));
  g_free (CLI_OK (NULL, "connection", "test", "firstbox"));
  g_free (CLI_OK (NULL, "connection", "delete", "firstbox"));
  g_free (CLI_OK (NULL, "connection", "delete", "secondbox"));
  kf_test_sshd_stop (sshd);
  kf_test_sshd_stop (other_sshd);
}

/* A box whose host key changed is skipped loudly; the others rotate. */
static void
test_host_key_changed (void)
{
  g_autofree char *old_key = NULL, *before = NULL, *out = NULL, *err = NULL, *after = NULL;
  g_autofree char *before_good = NULL;
  KfTestSshd *good, *changed;
  g_autoptr(GError) error = NULL;
  int status;

  g_free (CLI_OK (NULL, "keypair", "generate", "hk"));
  old_key = public_key_of ("hk");
  before = g_strdup_printf ("%s\n", old_key);
  /* The good box restricts the old key: its rotation removes that line. */
  before_good = g_strdup_printf ("from=\"127.0.0.1\",no-pty %s restricted\n", old_key);
  good = start_box ("hk-good", "hk", before_good, 0600);
  changed = start_box ("hk-changed", "hk", before, 0600);
  g_assert_true (kf_test_sshd_regenerate_host_keys (changed, &error));
  g_assert_no_error (error);

  status = cli_test_run (NULL, &out, &err, "keypair", "rotate", "hk", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "hk-changed: failed: SKIPPED: The server's host key has changed"));
  g_assert_nonnull (strstr (out, "hk-good: done:"));
  g_assert_nonnull (strstr (err, "hk-changed"));
  /* Nothing touched on the box that may be someone else. */
  after = read_file (kf_test_sshd_get_authorized_keys_path (changed));
  g_assert_cmpstr (after, ==, before);
  g_assert_true (journal_exists ());
  /* The changed box stays on the old key pair, which is therefore not offered for deletion. */
  {
    g_autofree char *kp = keypair_of ("hk-changed");
    g_assert_cmpstr (kp, ==, "hk");
  }
  g_assert_null (strstr (out, "keypair delete"));

  /* Roll back: the good box returns to the old key pair too. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run (NULL, &out, &err, "keypair", "rotate", "--resume", "--rollback", NULL);
  /* The changed box still cannot be reached safely: reported again, recorded still. */
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "hk-good: rolled-back:"));
  {
    g_autofree char *kp = keypair_of ("hk-good");
    g_assert_cmpstr (kp, ==, "hk");
  }
  /* The old key came back with its restriction and comment (from the
   * journal), not as a bare key that would allow more than before. */
  g_clear_pointer (&after, g_free);
  after = read_file (kf_test_sshd_get_authorized_keys_path (good));
  g_assert_cmpstr (after, ==, before_good);
  g_free (CLI_OK (NULL, "connection", "delete", "hk-changed"));
  g_free (CLI_OK (NULL, "keypair", "rotate", "--resume", "--rollback"));
  g_assert_false (journal_exists ());
  g_free (CLI_OK (NULL, "connection", "test", "hk-good"));
  kf_test_sshd_stop (good);
  kf_test_sshd_stop (changed);
}

/* Ctrl-C (SIGINT) mid-rotation cancels before the next step; resume finishes. */
static void
test_cancel (void)
{
  g_autofree char *old_key = NULL, *before = NULL, *kp = NULL;
  KfTestSshd *a, *b;

  g_free (CLI_OK (NULL, "keypair", "generate", "cancel"));
  old_key = public_key_of ("cancel");
  before = g_strdup_printf ("%s\n", old_key);
  a = start_box ("cancel-a", "cancel", before, 0600);
  b = start_box ("cancel-b", "cancel", before, 0600);

  g_assert_true (rotate_and_kill ("cancel", "rotate: cancel-a: login-new:", SIGINT));
  g_assert_true (journal_exists ());
  kp = keypair_of ("cancel-b");
  /* The second box was not reached. */
  g_assert_cmpstr (kp, ==, "cancel");
  g_free (CLI_OK (NULL, "connection", "test", "cancel-a"));
  g_free (CLI_OK (NULL, "keypair", "rotate", "--resume"));
  g_assert_false (journal_exists ());
  g_free (CLI_OK (NULL, "connection", "test", "cancel-a"));
  g_free (CLI_OK (NULL, "connection", "test", "cancel-b"));
  g_assert_false (box_accepts (b, "cancel"));
  kf_test_sshd_stop (a);
  kf_test_sshd_stop (b);
}

/* A TrueNAS admin with two-factor login: the one-time password is read from
 * stdin when the TrueNAS asks, once per box; a refused code fails that box. */
static void
test_otp (void)
{
  g_autofree char *timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  g_autofree char *out = NULL, *err = NULL, *new_name = NULL;
  KfTestSshd *sshd = kf_test_sshd_start (NULL);
  TnFake *fake = start_fake (sshd);
  int status;

  g_free (CLI_OK (NULL, "keypair", "generate", "twofa-key"));
  g_free (CLI_OK ("s3cret\n246810\n", "connection", "add-semiauto", "nas-2fa", "--url", fake->https_url,
                  "--admin-username", "twofa", "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                  "--keypair", "twofa-key", "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", timeout));

  status = cli_test_run ("s3cret\n246810\n", &out, &err, "keypair", "rotate", "twofa-key", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "246810"));
  g_assert_null (strstr (err, "246810"));
  new_name = keypair_of ("nas-2fa");
  g_assert_cmpstr (new_name, !=, "twofa-key");
  g_assert_false (box_accepts (sshd, "twofa-key"));
  g_free (CLI_OK (NULL, "connection", "test", "nas-2fa"));

  /* A wrong code, then no more lines: that box fails, recorded; rolled back with the right one. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli_test_run ("s3cret\n000000\n", &out, &err, "keypair", "rotate", new_name, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "nas-2fa: failed:"));
  g_assert_nonnull (strstr (out, "one-time password"));
  g_assert_true (journal_exists ());
  g_free (CLI_OK ("s3cret\n246810\n", "keypair", "rotate", "--resume", "--rollback"));
  g_assert_false (journal_exists ());
  {
    g_autofree char *kp = keypair_of ("nas-2fa");
    g_assert_cmpstr (kp, ==, new_name);
  }
  g_free (CLI_OK (NULL, "connection", "test", "nas-2fa"));
  tn_fake_stop (fake);
  kf_test_sshd_stop (sshd);
}

static void
test_usage (void)
{
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "rotate", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "rotate", "--rollback", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "rotate", "x", "--resume", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "rotate", "--resume", NULL), ==, 0);
  g_assert_nonnull (strstr (err, "nothing to resume"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli_test_run (NULL, &out, &err, "keypair", "rotate", "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "--resume"));
  g_assert_nonnull (strstr (out, "one line per box"));
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/cli/rotate/usage", test_usage);
  g_test_add_func ("/cli/rotate/mixed-fleet", test_mixed_fleet);
  g_test_add_func ("/cli/rotate/kill-and-resume", test_kill_and_resume);
  g_test_add_func ("/cli/rotate/second-refused", test_second_refused);
  g_test_add_func ("/cli/rotate/host-key-changed", test_host_key_changed);
  g_test_add_func ("/cli/rotate/cancel", test_cancel);
  g_test_add_func ("/cli/rotate/otp", test_otp);
  return g_test_run ();
}
