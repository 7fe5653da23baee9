/* test-cli-agent.c: keyferry-cli agent add | remove | list and ssh-config,
 * against a real OpenSSH ssh-agent (started here), a real sshd on loopback
 * and the real keyring: the key goes from the keyring to the agent, and
 * `ssh -F <exported config> ALIAS` logs in through the agent with no private
 * key file on disk.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kf-test-agent.h"
#include "cli-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"

static KfTestSshd *sshd;
static GSubprocess *agent;
static char *agent_sock;
static char *askpass_answer;   /* the file the askpass script reads: "yes" or "no" */
static char *askpass_asked;    /* the file it touches when asked */
static char *export_dir;

/* Runs @argv0 (NULL: keyferry-cli) with the arguments after it. */
static void
run (Run        *r,
     const char *argv0,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, argv0 != NULL ? g_strdup (argv0) : cli_test_path ());
  va_start (ap, argv0);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  run_clear (r);
  r->status = kf_test_run_command ((const char * const *) argv->pdata, NULL, &r->out, &r->err);
  if (r->status != 0)
    g_test_message ("%s ended with %d: %s", (char *) argv->pdata[0], r->status, r->err);
}

static JsonObject *
show_keypair (const char *name)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) node = NULL;

  run (&r, NULL, "keypair", "show", name, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  node = json_from_string (r.out, NULL);
  g_assert_nonnull (node);
  return json_object_ref (json_node_get_object (node));
}

static char *
fingerprint (const char *name)
{
  g_autoptr(JsonObject) o = show_keypair (name);
  return g_strdup (json_object_get_string_member (o, "fingerprint"));
}

/* `ssh-add -l` of the agent at @sock. */
static char *
agent_listing (const char *sock)
{
  g_auto(Run) r = { 0 };

  g_setenv ("SSH_AUTH_SOCK", sock, TRUE);
  run (&r, "ssh-add", "-l", NULL);
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);
  /* 0: keys listed; 1: the agent has no keys */
  g_assert_true (r.status == 0 || r.status == 1);
  return g_steal_pointer (&r.out);
}

static gboolean
agent_has (const char *sock,
           const char *name)
{
  g_autofree char *fp = fingerprint (name);
  g_autofree char *listing = agent_listing (sock);

  return strstr (listing, fp) != NULL;
}

static void
wait_for_socket (const char *path)
{
  gint64 end = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;

  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20000);
    }
}

/* ssh-agent -a SOCK, with an askpass script that answers from a file. */
static void
start_agent (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("agent");
  g_autofree char *script = g_build_filename (dir, "askpass.sh", NULL);
  g_autofree char *text = NULL;
  g_autofree char *askpass_env = NULL;

  agent_sock = g_build_filename (dir, "agent.sock", NULL);
  askpass_answer = g_build_filename (dir, "answer", NULL);
  askpass_asked = g_build_filename (dir, "asked", NULL);
  text = g_strdup_printf ("#!/bin/sh\n"
                          "echo \"$SSH_ASKPASS_PROMPT $1\" >> '%s'\n"
                          "[ \"$(cat '%s')\" = yes ] && { echo yes; exit 0; }\n"
                          "exit 1\n", askpass_asked, askpass_answer);
  g_assert_true (g_file_set_contents (script, text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0755), ==, 0);
  g_assert_true (g_file_set_contents (askpass_answer, "no", -1, NULL));

  /* ssh-agent runs the askpass itself when a confirm key is used */
  askpass_env = g_strdup_printf ("SSH_ASKPASS=%s", script);
  {
    const char *env[] = { askpass_env, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0", NULL };
    agent = kf_test_agent_start (agent_sock, env);
  }
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);
}

static void
add_connection (const char *name,
                const char *keypair)
{
  g_auto(Run) r = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *dir = kf_test_make_tmpdir ("hostkeys");
  g_autofree char *file = g_build_filename (dir, "host_keys", NULL);
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);
  g_autofree char *joined = g_strjoinv ("\n", lines);
  g_autoptr(JsonObject) shown = NULL;

  g_assert_true (g_file_set_contents (file, joined, -1, NULL));
  run (&r, NULL, "connection", "add-manual", name, "--host", "127.0.0.1", "--port", port,
       "--username", kf_test_sshd_get_user (sshd), "--keypair", keypair, "--host-key-file", file, NULL);
  g_assert_cmpint (r.status, ==, 0);
  shown = show_keypair (keypair);
  kf_test_sshd_add_authorized_key (sshd, json_object_get_string_member (shown, "public_key"));
}

/* ssh -F <exported config> ALIAS true: the exit status, stderr in @err. */
static int
ssh_login (const char  *alias,
           char       **err)
{
  g_autofree char *config = g_build_filename (export_dir, "config", NULL);
  const char *argv[] = { "ssh", "-F", config, "-o", "BatchMode=yes", "-o", "GlobalKnownHostsFile=/dev/null",
                         alias, "true", NULL };

  return kf_test_run_command (argv, NULL, NULL, err);
}

static void
export_config (void)
{
  g_auto(Run) r = { 0 };

  run (&r, NULL, "ssh-config", "--dir", export_dir, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Include "));
}

/* Every regular file below @dir (but not below @skip) that holds a private key. */
static void
find_private_keys (const char *dir,
                   const char *skip,
                   GPtrArray  *found)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL || (skip != NULL && g_str_equal (dir, skip)))
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        find_private_keys (path, skip, found);
      else if (g_file_test (path, G_FILE_TEST_IS_REGULAR) && g_file_get_contents (path, &contents, NULL, NULL) &&
               strstr (contents, "PRIVATE KEY") != NULL)
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

/* Imports a key ssh-keygen writes in @format (PEM, PKCS8; RFC4716: OpenSSH's
 * own private key format), then deletes the file. */
static void
import_key (const char *name,
            const char *type,
            const char *bits,
            const char *format)
{
  g_auto(Run) r = { 0 };
  g_autofree char *dir = kf_test_make_tmpdir (name);
  g_autofree char *key = g_build_filename (dir, "id", NULL);
  g_autofree char *pub = g_build_filename (dir, "id.pub", NULL);

  run (&r, "ssh-keygen", "-q", "-t", type, "-b", bits, "-m", format, "-N", "", "-f", key, NULL);
  g_assert_cmpint (r.status, ==, 0);
  run (&r, NULL, "keypair", "import", name, "--private-key-file", key, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (g_unlink (key), ==, 0);
  g_assert_cmpint (g_unlink (pub), ==, 0);
}

static void
test_add_and_login (void)
{
  static const char * const names[] = { "k-ed25519", "k-ecdsa", "k-rsa", "k-rsa-pem", "k-ec-pkcs8",
                                        "k-rsa-openssh", "k-ec-openssh" };
  g_autofree char *config = g_build_filename (export_dir, "config", NULL);
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_auto(Run) r = { 0 };

  run (&r, NULL, "keypair", "generate", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 0);
  run (&r, NULL, "keypair", "generate", "k-ecdsa", "--type", "ecdsa-p521", NULL);
  g_assert_cmpint (r.status, ==, 0);
  run (&r, NULL, "keypair", "generate", "k-rsa", "--type", "rsa", "--bits", "2048", NULL);
  g_assert_cmpint (r.status, ==, 0);
  /* keys imported in the other shapes the keyring holds: PKCS#1 PEM, PKCS#8,
   * and RSA and ECDSA in OpenSSH's own format (what libssh 0.11 writes) */
  import_key ("k-rsa-pem", "rsa", "3072", "PEM");
  import_key ("k-ec-pkcs8", "ecdsa", "384", "PKCS8");
  import_key ("k-rsa-openssh", "rsa", "2048", "RFC4716");
  import_key ("k-ec-openssh", "ecdsa", "256", "RFC4716");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *conn = g_strdup_printf ("Box %s", names[i]);
      add_connection (conn, names[i]);
    }
  export_config ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *alias = g_strdup_printf ("box-%s", names[i]);
      g_autofree char *err = NULL;

      /* the exported config names only the public key: without the agent's key, no login */
      g_assert_false (agent_has (agent_sock, names[i]));
      g_assert_cmpint (ssh_login (alias, NULL), !=, 0);

      run (&r, NULL, "agent", "add", names[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "1 hour"));
      g_assert_true (agent_has (agent_sock, names[i]));
      g_assert_cmpint (ssh_login (alias, &err), ==, 0);
    }

  /* no private key file anywhere in HOME or this test's files (the sshd
   * fixture's host keys are the server's, not ours) */
  find_private_keys (g_getenv ("HOME"), kf_test_sshd_get_dir (sshd), found);
  find_private_keys (kf_test_get_tmpdir (), kf_test_sshd_get_dir (sshd), found);
  for (guint i = 0; i < found->len; i++)
    g_test_message ("private key file: %s", (char *) found->pdata[i]);
  g_assert_cmpuint (found->len, ==, 0);

  run (&r, "ssh-add", "-D", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_lifetime (void)
{
  g_auto(Run) r = { 0 };

  run (&r, NULL, "agent", "add", "k-ed25519", "--lifetime", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (agent_has (agent_sock, "k-ed25519"));
  /* the lifetime is what is under test: a plain 3 s, not kf_test_timeout */
  g_usleep (3 * G_USEC_PER_SEC);
  g_assert_false (agent_has (agent_sock, "k-ed25519"));

  run (&r, NULL, "agent", "add", "k-ed25519", "--lifetime", "soon", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "not a lifetime"));
  g_assert_false (agent_has (agent_sock, "k-ed25519"));
}

static void
test_confirm (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *err = NULL;

  run (&r, NULL, "agent", "add", "k-ed25519", "--confirm", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "asks before each use"));

  g_assert_true (g_file_set_contents (askpass_answer, "no", -1, NULL));
  g_assert_cmpint (ssh_login ("box-k-ed25519", &err), !=, 0);
  g_assert_true (g_file_test (askpass_asked, G_FILE_TEST_EXISTS));
  g_assert_cmpint (g_unlink (askpass_asked), ==, 0);

  g_assert_true (g_file_set_contents (askpass_answer, "yes", -1, NULL));
  g_assert_cmpint (ssh_login ("box-k-ed25519", NULL), ==, 0);
  /* the agent asked (it would not have without the constraint) */
  g_assert_true (g_file_test (askpass_asked, G_FILE_TEST_EXISTS));

  run (&r, "ssh-add", "-D", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_remove_and_list (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(JsonNode) list = NULL;
  JsonArray *a;
  guint loaded = 0;

  run (&r, NULL, "agent", "add", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 0);
  run (&r, NULL, "agent", "add", "k-rsa", "--lifetime", "30m", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "30 minutes"));

  run (&r, NULL, "agent", "list", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "k-ed25519"));
  g_assert_nonnull (strstr (r.out, "k-rsa"));
  g_assert_null (strstr (r.out, "k-ecdsa"));

  run (&r, NULL, "agent", "remove", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (agent_has (agent_sock, "k-ed25519"));
  g_assert_true (agent_has (agent_sock, "k-rsa"));

  run (&r, NULL, "agent", "list", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  list = json_from_string (r.out, NULL);
  g_assert_nonnull (list);
  a = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonObject *o = json_array_get_object_element (a, i);
      gboolean is_loaded = json_object_get_boolean_member (o, "loaded");

      g_assert_cmpint (is_loaded, ==, g_str_equal (json_object_get_string_member (o, "name"), "k-rsa"));
      loaded += is_loaded;
    }
  g_assert_cmpuint (loaded, ==, 1);

  run (&r, NULL, "agent", "remove", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "not loaded"));
  run (&r, NULL, "agent", "remove", "k-rsa", NULL);
  g_assert_cmpint (r.status, ==, 0);
}

static void
test_no_agent (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *dir = kf_test_make_tmpdir ("dead");
  g_autofree char *dead = g_build_filename (dir, "dead.sock", NULL);
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (dead);

  g_unsetenv ("SSH_AUTH_SOCK");
  run (&r, NULL, "agent", "add", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "No SSH agent is running"));
  g_assert_null (strchr (strchr (r.err, '\n') + 1, '\n'));

  /* a socket file nobody listens on: an agent that died */
  g_assert_true (g_socket_bind (sock, addr, FALSE, NULL));
  g_socket_close (sock, NULL);
  g_assert_true (g_file_test (dead, G_FILE_TEST_EXISTS));
  g_setenv ("SSH_AUTH_SOCK", dead, TRUE);
  run (&r, NULL, "agent", "list", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "No SSH agent answers at"));
  g_assert_nonnull (strstr (r.err, dead));
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);
}

/* ------------------------------------------------- a refusing test agent */

/* No agent on Debian 12 refuses a constraint (OpenSSH's ssh-agent 9.2,
 * gcr-ssh-agent 3.41 and gnome-keyring 42's agent all accept lifetime and
 * confirm), so this fault injector plays the older gnome-keyring agents:
 * FAILURE to ADD_ID_CONSTRAINED, an empty list to REQUEST_IDENTITIES. It
 * records the type of every request. */
typedef struct {
  GSocketListener *listener;
  GCancellable    *stop;
  GString         *types;    /* one char per request: its type + '0' */
  GMutex           lock;
} Refuser;

static gpointer
refuser_thread (gpointer data)
{
  Refuser *refuser = data;
  GSocketConnection *conn;

  while ((conn = g_socket_listener_accept (refuser->listener, NULL, refuser->stop, NULL)) != NULL)
    {
      GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      static const guchar failure[] = { 0, 0, 0, 1, 5 };
      static const guchar empty_list[] = { 0, 0, 0, 5, 12, 0, 0, 0, 0 };
      guchar head[5];
      gsize got = 0;
      guint32 len;
      g_autofree guchar *rest = NULL;

      if (g_input_stream_read_all (in, head, 5, &got, NULL, NULL) && got == 5)
        {
          len = ((guint32) head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3];
          rest = g_malloc (len);
          g_input_stream_read_all (in, rest, len - 1, &got, NULL, NULL);
          g_mutex_lock (&refuser->lock);
          g_string_append_c (refuser->types, (char) ('0' + head[4]));
          g_mutex_unlock (&refuser->lock);
          if (head[4] == 11)
            g_output_stream_write_all (out, empty_list, sizeof empty_list, NULL, NULL, NULL);
          else
            g_output_stream_write_all (out, failure, sizeof failure, NULL, NULL, NULL);
        }
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      g_object_unref (conn);
    }
  return NULL;
}

static void
test_refused_constraint (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("refuser");
  g_autofree char *path = g_build_filename (dir, "agent.sock", NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  Refuser refuser = { g_socket_listener_new (), g_cancellable_new (), g_string_new (NULL) };
  g_autoptr(GError) error = NULL;
  g_auto(Run) r = { 0 };
  GThread *thread;

  g_mutex_init (&refuser.lock);
  g_socket_listener_add_address (refuser.listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                 NULL, NULL, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("refuser", refuser_thread, &refuser);

  g_setenv ("SSH_AUTH_SOCK", path, TRUE);
  run (&r, NULL, "agent", "add", "k-ed25519", "--confirm", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "refused the key “k-ed25519” with the limits asked for"));
  g_assert_nonnull (strstr (r.err, "it was not added"));
  run (&r, NULL, "agent", "add", "k-ed25519", "--lifetime", "15m", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "kept 15 minutes"));
  run (&r, NULL, "agent", "list", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "No Keyferry key pair is loaded"));
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);

  /* two constrained adds and the list: never a retry without the constraint (17) */
  g_mutex_lock (&refuser.lock);
  g_assert_cmpstr (refuser.types->str, ==, "II;");
  g_mutex_unlock (&refuser.lock);

  /* closing alone would not wake the blocked accept up */
  g_cancellable_cancel (refuser.stop);
  g_thread_join (thread);
  g_socket_listener_close (refuser.listener);
  g_object_unref (refuser.listener);
  g_object_unref (refuser.stop);
  g_string_free (refuser.types, TRUE);
  g_mutex_clear (&refuser.lock);
}

/* ------------------------------------------------------- gcr-ssh-agent */

static void
gcr_child_setup (gpointer data)
{
  /* its own process group: gcr-ssh-agent starts an ssh-agent that outlives it */
  setpgid (0, 0);
}

static gboolean
gcr_takes_base_dir_option (const char *gcr)
{
  const char *argv[] = { gcr, "--help", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  kf_test_run_command (argv, NULL, &out, &err);
  return (out != NULL && strstr (out, "--base-dir") != NULL) || (err != NULL && strstr (err, "--base-dir") != NULL);
}

/* GNOME's agent (gcr-ssh-agent, a proxy in front of ssh-agent) takes the
 * constraints too: the key it lists logs in. */
static void
test_gcr_agent (void)
{
  /* gcr 3 (Debian 12) or gcr 4 (Debian 13 and later: the same path) */
  const char *gcr = "/usr/libexec/gcr-ssh-agent";
  g_autofree char *dir = kf_test_make_tmpdir ("gcr");
  g_autofree char *sock = g_build_filename (dir, "ssh", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) r = { 0 };
  pid_t pgid;

  if (!g_file_test (gcr, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("gcr-ssh-agent is not installed");
      return;
    }
  g_subprocess_launcher_set_child_setup (launcher, gcr_child_setup, NULL, NULL);
  /* gcr 3.41 (Debian 12) takes the folder as its argument; gcr 4 (Debian 13
   * and later, same path) wants --base-dir and hands arguments to ssh-agent. */
  if (gcr_takes_base_dir_option (gcr))
    proc = g_subprocess_launcher_spawn (launcher, &error, gcr, "--base-dir", dir, NULL);
  else
    proc = g_subprocess_launcher_spawn (launcher, &error, gcr, dir, NULL);
  g_assert_no_error (error);
  wait_for_socket (sock);
  pgid = atoi (g_subprocess_get_identifier (proc));

  g_setenv ("SSH_AUTH_SOCK", sock, TRUE);
  run (&r, NULL, "agent", "add", "k-ecdsa", "--lifetime", "8h", "--confirm", NULL);
  g_setenv ("SSH_AUTH_SOCK", agent_sock, TRUE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (agent_has (sock, "k-ecdsa"));
  g_assert_false (agent_has (agent_sock, "k-ecdsa"));

  kill (-pgid, SIGTERM);
  g_subprocess_wait (proc, NULL, NULL);
}

/* ------------------------------------------------------------ ssh-config */

static void
test_ssh_config (void)
{
  g_auto(Run) r = { 0 };
  g_autofree char *config = g_build_filename (export_dir, "config", NULL);
  g_autofree char *mine = g_build_filename (export_dir, "mine.pub", NULL);
  g_autofree char *stale = g_build_filename (export_dir, "box-k-rsa-pem.pub", NULL);
  g_autofree char *port = g_strdup_printf ("port %u\n", kf_test_sshd_get_port (sshd));
  const char *aliases[] = { "box-k-ed25519", "box-k-ecdsa", "box-k-rsa", "box-k-rsa-pem", "box-k-ec-pkcs8",
                            "box-k-rsa-openssh", "box-k-ec-openssh", "nas-1", "nas-1-2" };

  /* names that make the same alias: the second gets a number, the same on every run */
  add_connection ("NAS 1", "k-ed25519");
  add_connection ("nas-1", "k-rsa");
  g_assert_true (g_file_set_contents (mine, "not ours\n", -1, NULL));
  export_config ();

  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    {
      g_autofree char *pub = g_strdup_printf ("identityfile %s/%s.pub\n", export_dir, aliases[i]);
      g_autofree char *known = g_strdup_printf ("userknownhostsfile %s/known_hosts\n", export_dir);

      run (&r, "ssh", "-G", "-F", config, aliases[i], NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "hostname 127.0.0.1\n"));
      g_assert_nonnull (strstr (r.out, port));
      g_assert_nonnull (strstr (r.out, pub));
      g_assert_nonnull (strstr (r.out, "identitiesonly yes\n"));
      g_assert_nonnull (strstr (r.out, known));
      g_assert_nonnull (strstr (r.out, "stricthostkeychecking true\n"));
    }
  {
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (config, &text, NULL, NULL));
    g_assert_true (strstr (text, "# NAS 1\nHost nas-1\n") != NULL);
    g_assert_true (strstr (text, "# nas-1\nHost nas-1-2\n") != NULL);
  }

  /* a folder ssh could not name: one sentence, nothing written */
  {
    g_autofree char *odd = g_build_filename (kf_test_get_tmpdir (), "say \"hi\"", NULL);

    run (&r, NULL, "ssh-config", "--dir", odd, NULL);
    g_assert_cmpint (r.status, ==, 1);
    g_assert_nonnull (strstr (r.err, "holds a quote or a line break"));
    g_assert_false (g_file_test (odd, G_FILE_TEST_EXISTS));
  }

  /* again, without one connection: its public key goes, the user's file stays */
  g_assert_true (g_file_test (stale, G_FILE_TEST_EXISTS));
  run (&r, NULL, "connection", "delete", "Box k-rsa-pem", NULL);
  g_assert_cmpint (r.status, ==, 0);
  export_config ();
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (mine, G_FILE_TEST_EXISTS));
  run (&r, "ssh", "-G", "-F", config, "box-k-rsa-pem", NULL);
  g_assert_null (strstr (r.out, "box-k-rsa-pem.pub"));
}

/* Last: the server's host keys change, and ssh refuses it through the
 * exported known_hosts even with the agent's key loaded. */
static void
test_host_key_changed (void)
{
  g_auto(Run) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  run (&r, NULL, "agent", "add", "k-ed25519", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (ssh_login ("box-k-ed25519", NULL), ==, 0);

  g_assert_true (kf_test_sshd_regenerate_host_keys (sshd, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ssh_login ("box-k-ed25519", &err), ==, 255);
  g_assert_nonnull (strstr (err, "Host key verification failed"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  int ret;

  kf_test_init (&argc, &argv);
  /* a HOME of its own: the other tests of the run share theirs and write
   * key files into it, which the search for private keys would find */
  home = kf_test_make_tmpdir ("home");
  g_setenv ("HOME", home, TRUE);
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);
  start_agent ();
  export_dir = kf_test_make_tmpdir ("ssh-config");

  g_test_add_func ("/cli-agent/add-and-login", test_add_and_login);
  g_test_add_func ("/cli-agent/lifetime", test_lifetime);
  g_test_add_func ("/cli-agent/confirm", test_confirm);
  g_test_add_func ("/cli-agent/remove-and-list", test_remove_and_list);
  g_test_add_func ("/cli-agent/no-agent", test_no_agent);
  g_test_add_func ("/cli-agent/refused-constraint", test_refused_constraint);
  g_test_add_func ("/cli-agent/gcr-ssh-agent", test_gcr_agent);
  g_test_add_func ("/cli-agent/ssh-config", test_ssh_config);
  g_test_add_func ("/cli-agent/host-key-changed", test_host_key_changed);
  ret = g_test_run ();

  kf_test_agent_stop (g_steal_pointer (&agent));
  kf_test_sshd_stop (sshd);
  return ret;
}
