/* kf-test-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-test-util.h"

#include <arpa/inet.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char *tmpdir;

static void
remove_tmpdir (void)
{
  if (tmpdir != NULL && g_strcmp0 (g_getenv ("KF_TEST_KEEP"), "1") != 0)
    {
      const char *argv[] = { "rm", "-rf", tmpdir, NULL };
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
}

void
kf_test_init (int    *argc,
              char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  g_autofree char *cache = NULL;

  g_test_init (argc, argv, NULL);

  if (g_strcmp0 (g_getenv ("KF_TEST_HARNESS"), "1") != 0)
    g_error ("Run the tests through tools/run-tests.sh: they need its private D-Bus, keyring and X server.");

  tmpdir = g_dir_make_tmp ("kf-test-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (remove_tmpdir);

  data = g_build_filename (tmpdir, "data", NULL);
  config = g_build_filename (tmpdir, "config", NULL);
  cache = g_build_filename (tmpdir, "cache", NULL);
  g_mkdir_with_parents (data, 0700);
  g_mkdir_with_parents (config, 0700);
  g_mkdir_with_parents (cache, 0700);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
}

const char *
kf_test_get_tmpdir (void)
{
  g_assert_nonnull (tmpdir);
  return tmpdir;
}

char *
kf_test_make_tmpdir (const char *name)
{
  static guint counter;
  char *path = g_strdup_printf ("%s/%s-%u", kf_test_get_tmpdir (), name, ++counter);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return path;
}

const char *
kf_test_get_srcdir (void)
{
  const char *dir = g_getenv ("KF_SOURCE_DIR");
  g_assert_nonnull (dir);
  return dir;
}

const char *
kf_test_get_builddir (void)
{
  const char *dir = g_getenv ("KF_BUILD_DIR");
  g_assert_nonnull (dir);
  return dir;
}

static gboolean
on_wait_timeout (gpointer data)
{
  gboolean *timed_out = data;
  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

guint
kf_test_timeout (guint seconds)
{
  static guint scale;

  if (scale == 0)
    {
      const char *env = g_getenv ("KF_TEST_TIMEOUT_SCALE");
      guint64 value = 1;

      if (env != NULL && !g_ascii_string_to_unsigned (env, 10, 1, 20, &value, NULL))
        g_error ("KF_TEST_TIMEOUT_SCALE=%s: expected a whole number from 1 to 20", env);
      scale = (guint) value;
    }
  return seconds * scale;
}

void
kf_test_wait_for (gboolean *done,
                  guint     timeout_s)
{
  gboolean timed_out = FALSE;
  guint id;

  timeout_s = kf_test_timeout (timeout_s);
  id = g_timeout_add_seconds (timeout_s, on_wait_timeout, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!*done)
    g_error ("Timed out after %u s waiting for an asynchronous operation", timeout_s);
}

int
kf_test_run_command (const char * const *argv,
                     const char         *stdin_text,
                     char              **out_stdout,
                     char              **out_stderr)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  g_autofree char *input_path = NULL;

  /* Standard input comes from a file, not a pipe: a command that exits
   * without reading it (a usage error) must not kill the test with SIGPIPE. */
  input_path = g_strdup_printf ("%s/stdin-%u", kf_test_get_tmpdir (), ++counter);
  g_assert_true (g_file_set_contents (input_path, stdin_text ? stdin_text : "", -1, NULL));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_unlink (input_path);
  /* g_strndup (NULL, 0) is NULL: empty output must be "". */
  if (out_stdout)
    *out_stdout = g_bytes_get_size (out) ? g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out)) : g_strdup ("");
  if (out_stderr)
    *out_stderr = g_bytes_get_size (err) ? g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err)) : g_strdup ("");
  if (g_subprocess_get_if_exited (proc))
    return g_subprocess_get_exit_status (proc);
  return 128 + g_subprocess_get_term_sig (proc);
}

static gboolean
tolerate_libsecret_name_watch (const char     *log_domain,
                               GLogLevelFlags  log_level,
                               const char     *message,
                               gpointer        user_data)
{
  return !(g_strcmp0 (log_domain, "libsecret") == 0
           && (log_level & G_LOG_LEVEL_WARNING)
           && strstr (message, "out of sync with the watch for its DBus name") != NULL);
}

void
kf_test_tolerate_libsecret_name_watch (void)
{
  g_test_log_set_fatal_handler (tolerate_libsecret_name_watch, NULL);
}

guint
kf_test_closed_port (void)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  guint port;

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  port = ntohs (addr.sin_port);
  /* Bound but not listening: a connection is refused. Closing it frees the
   * port; nothing else in a test binds ports at random in between. */
  close (fd);
  return port;
}

int
kf_test_silent_listener (guint *out_port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (fd, 64), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &addr, &len), ==, 0);
  *out_port = ntohs (addr.sin_port);
  return fd;
}
