/* test-cli-check.c: keyferry-cli connection check, against the real keyring
 * and real sshd instances: the table, --json, exit statuses, usage errors,
 * and Ctrl-C.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"

static KfTestSshd *sshd;
static KfTestSshd *other_sshd;
static char *host_key_file;      /* sshd's host keys */

static void
cli (Run *run,
     ...)
{
  va_list ap;

  run_clear (run);
  va_start (ap, run);
  run->status = cli_test_runv (NULL, &run->out, &run->err, ap);
  va_end (ap);
  if (run->status != 0)
    g_test_message ("keyferry-cli ended with %d: %s\n%s", run->status, run->err, run->out);
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

/* A manual connection NAME to 127.0.0.1:@port trusting sshd's host keys,
 * with a new key pair "NAME Key", authorized on sshd when @authorize. */
/* @timeout NULL: a Connect Timeout that is not under test (scaled). */
static void
add_connection (const char *name,
                guint       port,
                gboolean    authorize,
                const char *timeout)
{
  g_autofree char *scaled = g_strdup_printf ("%u", kf_test_timeout (10));
  g_auto(Run) r = { 0 };
  g_autofree char *port_text = g_strdup_printf ("%u", port);
  g_autofree char *key_name = g_strconcat (name, " Key", NULL);

  cli (&r, "connection", "add-manual", name, "--host", "127.0.0.1", "--port", port_text,
       "--username", kf_test_sshd_get_user (sshd), "--generate-key", "--host-key-file", host_key_file,
       "--connect-timeout", timeout ? timeout : scaled, NULL);
  g_assert_cmpint (r.status, ==, 0);
  if (!authorize)
    return;
  cli (&r, "keypair", "show", key_name, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonNode) shown = parse_json (r.out);
    kf_test_sshd_add_authorized_key (sshd, json_object_get_string_member (json_node_get_object (shown), "public_key"));
  }
}

static JsonObject *
find_entry (JsonArray  *list,
            const char *name)
{
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *o = json_array_get_object_element (list, i);
      if (g_strcmp0 (json_object_get_string_member (o, "name"), name) == 0)
        return o;
    }
  g_assert_not_reached ();
}

static void
test_usage (void)
{
  g_auto(Run) r = { 0 };

  cli (&r, "connection", "check", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "give --all"));
  g_assert_nonnull (strstr (r.err, "usage: keyferry-cli connection check"));
  cli (&r, "connection", "check", "--all", "alpha", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "not both"));
  cli (&r, "connection", "check", "--all", "--jobs", "0", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--jobs: give a whole number from 1 to 64"));
  cli (&r, "connection", "check", "--all", "--jobs", "many", NULL);
  g_assert_cmpint (r.status, ==, 2);
  cli (&r, "connection", "check", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Exit status: 0 every connection is OK, 1 any is not"));
  g_assert_nonnull (strstr (r.out, "--jobs"));
  cli (&r, "connection", "check", "no such box", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strchr (g_strchomp (r.err), '\n'));
}

/* --all over an empty store: one sentence, nothing failed. */
static void
test_empty (void)
{
  g_auto(Run) r = { 0 };

  cli (&r, "connection", "check", "--all", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "No connections to check."));
}

static void
test_table_json_exit (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *entry, *counts, *result;
  JsonArray *list;

  add_connection ("alpha", kf_test_sshd_get_port (sshd), TRUE, NULL);
  add_connection ("beta", kf_test_sshd_get_port (sshd), TRUE, NULL);

  /* All fine: exit 0, a row per connection with its phases, and the summary. */
  cli (&r, "connection", "check", "--all", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.out, "Name "));
  g_assert_nonnull (strstr (r.out, "Authenticate"));
  g_assert_true (g_regex_match_simple ("^alpha +OK +[0-9]+ ms +[0-9]+ ms +[0-9]+ ms +[0-9]+ ms +- +[0-9]+ ms +-$",
                                       r.out, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (r.out, "\n2 fine\n"));

  /* One refused key and one changed host key: exit 1, each named with its reason. */
  add_connection ("gamma", kf_test_sshd_get_port (sshd), FALSE, NULL);
  add_connection ("delta", kf_test_sshd_get_port (other_sshd), TRUE, NULL);
  cli (&r, "connection", "check", "--all", "--jobs", "2", NULL);
  g_test_message ("%s", r.out);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_regex_match_simple ("^gamma +Key Refused ", r.out, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^delta +Host Key Changed ", r.out, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (r.out, "\ngamma: The server did not accept"));
  g_assert_nonnull (strstr (r.out, "\ndelta: The server's host key has changed"));
  g_assert_nonnull (strstr (r.out, "\n2 fine, 1 host key changed, 1 key refused\n"));

  /* Named ones only, each once. */
  cli (&r, "connection", "check", "beta", "alpha", "beta", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  object = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (object, "summary"), ==, "2 fine");
  list = json_object_get_array_member (object, "connections");
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "name"), ==, "beta");
  g_clear_pointer (&root, json_node_unref);

  cli (&r, "connection", "check", "--all", "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  root = parse_json (r.out);
  object = json_node_get_object (root);
  counts = json_object_get_object_member (object, "counts");
  g_assert_cmpint (json_object_get_int_member (counts, "ok"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (counts, "key-refused"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "host-key-changed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (counts, "unreachable"), ==, 0);
  list = json_object_get_array_member (object, "connections");
  entry = find_entry (list, "alpha");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "ok");
  g_assert_true (g_str_has_suffix (json_object_get_string_member (entry, "checked_at"), "Z"));
  result = json_object_get_object_member (entry, "result");
  g_assert_true (json_object_get_boolean_member (result, "ok"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "phases")), ==, 4);
  entry = find_entry (list, "delta");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "host-key-changed");
  entry = find_entry (list, "gamma");
  g_assert_cmpstr (json_object_get_string_member (entry, "state"), ==, "key-refused");

  /* The outcome is each connection's last test. */
  cli (&r, "connection", "show", "gamma", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_clear_pointer (&root, json_node_unref);
  root = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "check_state"), ==, "key-refused");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "last_test"), ==, "failed");
}

/* The store's lock file made a folder: open() fails with EISDIR for root
 * too, so every save fails while reading still works. */
static char *
block_saves (void)
{
  g_autofree char *lock = g_build_filename (g_get_user_data_dir (), "keyferry", "keyferry.json.lock", NULL);

  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (g_mkdir (lock, 0700), ==, 0);
  return g_steal_pointer (&lock);
}

/* The checks run, but their outcomes cannot be written: the results are
 * printed, the reason follows on stderr in one line, and the exit status
 * is 1 although every connection is fine. */
static void
test_save_failed (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *lock = NULL;
  g_autofree char *expected = NULL;
  gint64 tested_before;

  cli (&r, "connection", "show", "alpha", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  tested_before = json_object_get_int_member (json_node_get_object (root), "last_test_at");
  g_clear_pointer (&root, json_node_unref);

  lock = block_saves ();
  expected = g_strdup_printf ("keyferry-cli: Could not lock the Keyferry data file “%s” (Is a directory). "
                              "The check results could not be saved.\n", lock);
  /* a second: the outcome's time must differ from the last one kept */
  g_usleep (1100 * 1000);

  cli (&r, "connection", "check", "alpha", "beta", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_true (g_regex_match_simple ("^alpha +OK ", r.out, G_REGEX_MULTILINE, 0));
  g_assert_nonnull (strstr (r.out, "\n2 fine\n"));
  g_assert_cmpstr (r.err, ==, expected);

  cli (&r, "connection", "check", "alpha", "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  root = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "summary"), ==, "1 fine");
  g_clear_pointer (&root, json_node_unref);
  g_assert_cmpstr (r.err, ==, expected);

  /* Nothing of those runs reached the file. */
  g_assert_cmpint (g_rmdir (lock), ==, 0);
  cli (&r, "connection", "show", "alpha", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "last_test_at"), ==, tested_before);

  /* With the lock file back, the same check saves and ends 0. */
  cli (&r, "connection", "check", "alpha", "beta", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
}

/* Ctrl-C while a black hole is being checked: the CLI ends at once by the
 * signal, says the checked ones are recorded, and the store says so too. */
static void
test_sigint (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = cli_test_path ();
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  guint hole_port;
  int hole = kf_test_silent_listener (&hole_port);
  gint64 start;

  add_connection ("hole", hole_port, TRUE, "60");
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           path, "connection", "check", "hole", "alpha", "--jobs", "1", NULL);
  g_assert_no_error (error);
  /* One job at a time, hole first: alpha waits behind its 60 s timeout. */
  g_usleep (1500 * 1000);
  start = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  close (hole);
  g_assert_true (g_subprocess_get_if_signaled (proc));
  g_assert_cmpint (g_subprocess_get_term_sig (proc), ==, SIGINT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, kf_test_timeout (5) * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (err, "Interrupted after checking 0 of 2 connections"));

  /* Neither was recorded as checked by this run: hole was never tested. */
  cli (&r, "connection", "show", "hole", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_json (r.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "check_state"), ==, "not-checked");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *joined = NULL;
  int status;

  kf_test_init (&argc, &argv);
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  other_sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  g_assert_true (kf_test_sshd_regenerate_host_keys (other_sshd, &error));
  g_assert_no_error (error);
  lines = kf_test_sshd_get_host_key_lines (sshd);
  joined = g_strjoinv ("\n", lines);
  host_key_file = g_build_filename (kf_test_get_tmpdir (), "host_keys", NULL);
  g_assert_true (g_file_set_contents (host_key_file, joined, -1, NULL));

  g_test_add_func ("/cli-check/usage", test_usage);
  g_test_add_func ("/cli-check/empty", test_empty);
  g_test_add_func ("/cli-check/table-json-exit", test_table_json_exit);
  g_test_add_func ("/cli-check/save-failed", test_save_failed);
  g_test_add_func ("/cli-check/sigint", test_sigint);

  status = g_test_run ();
  kf_test_sshd_stop (other_sshd);
  kf_test_sshd_stop (sshd);
  g_free (host_key_file);
  return status;
}
