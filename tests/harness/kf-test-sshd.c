/* kf-test-sshd.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-test-sshd"

#include "kf-test-sshd.h"
#include "kf-test-util.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SSHD_PATH          "/usr/sbin/sshd"
#define START_TIMEOUT_US   (10 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US    (3 * G_USEC_PER_SEC)
#define PORT_ATTEMPTS      10

static const char * const key_types[] = { "rsa", "ecdsa", "ed25519" };

struct _KfTestSshd
{
  char     *dir;
  gboolean  own_dir;
  char     *config_path;
  char     *log_path;
  char     *authorized_keys_path;
  char     *home;       /* the SFTP start directory, holding .ssh/authorized_keys */
  char     *host_key_paths[G_N_ELEMENTS (key_types)];
  GPtrArray *extra_host_key_paths;
  char     *force_command;
  guint     port;
  GPid      pid;
};

/* Host key generation dominates start-up time: generate once per process. */
static char *key_cache_dir;

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  if (path == NULL || g_strcmp0 (g_getenv ("KF_TEST_KEEP"), "1") == 0)
    return;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH
                | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, NULL, NULL);
}

static void
remove_key_cache (void)
{
  remove_tree (key_cache_dir);
}

/* @bits 0: 2048 for RSA, P-256 for ECDSA. */
static gboolean
run_ssh_keygen (const char  *type,
                guint        bits_wanted,
                const char  *path,
                const char  *comment,
                GError     **error)
{
  g_autofree char *bits = bits_wanted != 0 ? g_strdup_printf ("%u", bits_wanted)
    : g_strdup (g_str_equal (type, "rsa") ? "2048" : (g_str_equal (type, "ecdsa") ? "256" : NULL));
  const char *argv[16];
  g_autofree char *err = NULL;
  g_autofree char *pub = g_strconcat (path, ".pub", NULL);
  int status = 0;
  guint i = 0;

  g_unlink (path);
  g_unlink (pub);

  argv[i++] = "ssh-keygen";
  argv[i++] = "-q";
  argv[i++] = "-t";
  argv[i++] = type;
  if (bits != NULL)
    {
      argv[i++] = "-b";
      argv[i++] = bits;
    }
  argv[i++] = "-N";
  argv[i++] = "";
  argv[i++] = "-C";
  argv[i++] = comment;
  argv[i++] = "-f";
  argv[i++] = path;
  argv[i++] = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDIN_FROM_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "ssh-keygen -t %s failed: %s", type, err);
      return FALSE;
    }
  return TRUE;
}

static gboolean
copy_file (const char  *from,
           const char  *to,
           int          mode,
           GError     **error)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (from, &contents, &len, error))
    return FALSE;
  g_unlink (to);
  if (!g_file_set_contents_full (to, contents, len, G_FILE_SET_CONTENTS_CONSISTENT, mode, error))
    return FALSE;
  return TRUE;
}

/* Puts host keys at self->host_key_paths: copies of the per-process cache,
 * or (@fresh) newly generated ones. */
static gboolean
install_host_keys (KfTestSshd  *self,
                   gboolean     fresh,
                   GError     **error)
{
  if (!fresh && key_cache_dir == NULL)
    {
      g_autofree char *dir = g_dir_make_tmp ("kf-sshd-keys-XXXXXX", error);

      if (dir == NULL)
        return FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
        {
          g_autofree char *path = g_strdup_printf ("%s/ssh_host_%s_key", dir, key_types[i]);
          g_autofree char *comment = g_strdup_printf ("kf-test-sshd-%s", key_types[i]);

          if (!run_ssh_keygen (key_types[i], 0, path, comment, error))
            {
              remove_tree (dir);
              return FALSE;
            }
        }
      key_cache_dir = g_steal_pointer (&dir);
      atexit (remove_key_cache);
    }

  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      const char *path = self->host_key_paths[i];
      g_autofree char *pub = g_strconcat (path, ".pub", NULL);

      if (fresh)
        {
          g_autofree char *comment = g_strdup_printf ("kf-test-sshd-%s-%u", key_types[i],
                                                      g_random_int_range (0, G_MAXINT32));
          if (!run_ssh_keygen (key_types[i], 0, path, comment, error))
            return FALSE;
        }
      else
        {
          g_autofree char *from = g_strdup_printf ("%s/ssh_host_%s_key", key_cache_dir, key_types[i]);
          g_autofree char *from_pub = g_strconcat (from, ".pub", NULL);

          if (!copy_file (from, path, 0600, error) || !copy_file (from_pub, pub, 0644, error))
            return FALSE;
        }
    }
  return TRUE;
}

static guint
pick_free_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  guint port = 0;
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0
      && getsockname (fd, (struct sockaddr *) &addr, &len) == 0)
    port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

/* OpenSSH 9.8 added PerSourcePenalties, on by default: the tests' deliberate
 * failed logins would get 127.0.0.1 refused for a while. Older sshd refuse
 * the keyword, so ask this sshd (once) whether the written config plus the
 * option still passes its own check. */
static gboolean
sshd_knows_per_source_penalties (const char *config_path)
{
  static gsize known = 0;
  static gboolean supported;

  if (g_once_init_enter (&known))
    {
      const char *argv[] = { SSHD_PATH, "-t", "-f", config_path, "-o", "PerSourcePenalties=no", NULL };
      int wait_status = 0;

      supported = g_spawn_sync (NULL, (char **) argv, NULL,
                                G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL
                                | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, NULL, NULL, &wait_status, NULL)
                  && g_spawn_check_wait_status (wait_status, NULL);
      g_once_init_leave (&known, 1);
    }
  return supported;
}

static gboolean
write_config (KfTestSshd  *self,
              GError     **error)
{
  g_autoptr(GString) conf = g_string_new (NULL);

  g_string_append_printf (conf,
                          "# Written by kf-test-sshd for one test run.\n"
                          "ListenAddress 127.0.0.1\n"
                          "Port %u\n"
                          "PidFile none\n"
                          "UsePAM no\n"
                          "StrictModes no\n"
                          "AuthorizedKeysFile %s\n"
                          "PubkeyAuthentication yes\n"
                          "PasswordAuthentication no\n"
                          "KbdInteractiveAuthentication no\n"
                          "PermitRootLogin prohibit-password\n"
                          "AllowUsers %s\n"
                          "PrintMotd no\n"
                          "PrintLastLog no\n"
                          "UseDNS no\n"
                          "MaxStartups 100\n"
                          "LogLevel VERBOSE\n"
                          "Subsystem sftp internal-sftp -d %s\n",
                          self->port, self->authorized_keys_path, g_get_user_name (), self->home);
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_string_append_printf (conf, "HostKey %s\n", self->host_key_paths[i]);
  for (guint i = 0; i < self->extra_host_key_paths->len; i++)
    g_string_append_printf (conf, "HostKey %s\n", (char *) g_ptr_array_index (self->extra_host_key_paths, i));
  if (self->force_command != NULL)
    g_string_append_printf (conf, "ForceCommand %s\n", self->force_command);

  if (!g_file_set_contents_full (self->config_path, conf->str, conf->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return FALSE;
  if (!sshd_knows_per_source_penalties (self->config_path))
    return TRUE;
  g_string_append (conf, "PerSourcePenalties no\n");
  return g_file_set_contents_full (self->config_path, conf->str, conf->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
child_setup (gpointer data)
{
  /* Own process group, so stop can also end per-connection children; and
   * die with the test binary even when it aborts on a failed assertion. */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
reap (GPid     pid,
      gint64   deadline_us)
{
  while (g_get_monotonic_time () < deadline_us)
    {
      int status;
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid || (r < 0 && errno == ECHILD))
        return TRUE;
      g_usleep (10 * 1000);
    }
  return FALSE;
}

static void
kill_sshd (KfTestSshd *self)
{
  if (self->pid <= 0)
    return;
  kill (-self->pid, SIGTERM);
  kill (self->pid, SIGTERM);
  if (!reap (self->pid, g_get_monotonic_time () + STOP_TIMEOUT_US))
    {
      kill (-self->pid, SIGKILL);
      kill (self->pid, SIGKILL);
      waitpid (self->pid, NULL, 0);
    }
  self->pid = 0;
}

typedef enum {
  LAUNCH_OK,
  LAUNCH_PORT_TAKEN,
  LAUNCH_FAILED,
} LaunchResult;

/* Starts sshd on self->port and waits for "Server listening" in its log. */
static LaunchResult
launch_once (KfTestSshd  *self,
             GError     **error)
{
  const char *argv[] = { SSHD_PATH, "-D", "-f", self->config_path, "-E", self->log_path, NULL };
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;
  g_autofree char *listening = g_strdup_printf ("Server listening on 127.0.0.1 port %u", self->port);

  if (!write_config (self, error))
    return LAUNCH_FAILED;
  /* sshd appends to its -E log: start each attempt from an empty one. */
  if (!g_file_set_contents (self->log_path, "", 0, error))
    return LAUNCH_FAILED;

  if (!g_spawn_async (self->dir, (char **) argv, NULL,
                      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL
                      | G_SPAWN_STDOUT_TO_DEV_NULL,
                      child_setup, NULL, &self->pid, error))
    return LAUNCH_FAILED;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *log = NULL;
      int status;
      pid_t r;

      g_file_get_contents (self->log_path, &log, NULL, NULL);
      if (log != NULL && strstr (log, listening) != NULL)
        return LAUNCH_OK;

      r = waitpid (self->pid, &status, WNOHANG);
      if (r == self->pid)
        {
          self->pid = 0;
          /* Read again: it may have written its last words after the check above. */
          g_clear_pointer (&log, g_free);
          g_file_get_contents (self->log_path, &log, NULL, NULL);
          if (log != NULL && strstr (log, "Address already in use") != NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                           "Port %u is taken", self->port);
              return LAUNCH_PORT_TAKEN;
            }
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "sshd exited before listening: %s", log ? log : "(no log)");
          return LAUNCH_FAILED;
        }
      g_usleep (20 * 1000);
    }

  kill_sshd (self);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "sshd did not report listening within %d s (log %s)",
               (int) (START_TIMEOUT_US / G_USEC_PER_SEC), self->log_path);
  return LAUNCH_FAILED;
}

/* @fixed_port: keep self->port (retrying briefly), else fall back to free ports. */
static gboolean
launch (KfTestSshd  *self,
        gboolean     fixed_port,
        gboolean     may_move,
        GError     **error)
{
  for (guint attempt = 0; attempt < PORT_ATTEMPTS; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      LaunchResult r;

      if (!fixed_port || (may_move && attempt >= 3))
        self->port = pick_free_port ();
      r = launch_once (self, &local_error);
      if (r == LAUNCH_OK)
        return TRUE;
      if (r == LAUNCH_FAILED || (fixed_port && !may_move && attempt >= 3))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (100 * 1000);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "sshd found no free port after %d attempts", PORT_ATTEMPTS);
  return FALSE;
}

static void
ensure_privsep_dir (void)
{
  /* sshd refuses to start without it; tools/install-deps.sh makes it, but
   * /run is a tmpfs on a rebooted machine. */
  if (g_file_test ("/run/sshd", G_FILE_TEST_IS_DIR) || geteuid () != 0)
    return;
  if (g_mkdir_with_parents ("/run/sshd", 0755) != 0)
    g_warning ("Cannot create /run/sshd: %s", g_strerror (errno));
}

static void
kf_test_sshd_free (KfTestSshd *self)
{
  if (self->own_dir)
    remove_tree (self->dir);
  g_free (self->dir);
  g_free (self->config_path);
  g_free (self->log_path);
  g_free (self->authorized_keys_path);
  g_free (self->home);
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    g_free (self->host_key_paths[i]);
  g_ptr_array_unref (self->extra_host_key_paths);
  g_free (self->force_command);
  g_free (self);
}

static KfTestSshd *
start_common (char      *dir,
              gboolean   own_dir,
              guint      port,
              GError   **error)
{
  KfTestSshd *self = g_new0 (KfTestSshd, 1);
  g_autofree char *ssh_dir = NULL;

  ensure_privsep_dir ();

  self->dir = dir;
  self->own_dir = own_dir;
  self->extra_host_key_paths = g_ptr_array_new_with_free_func (g_free);
  self->config_path = g_build_filename (dir, "sshd_config", NULL);
  self->log_path = g_build_filename (dir, "sshd.log", NULL);
  /* In a home of its own, where SFTP starts (rotation edits ~/.ssh/authorized_keys). */
  self->home = g_build_filename (dir, "home", NULL);
  self->authorized_keys_path = g_build_filename (self->home, ".ssh", "authorized_keys", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    self->host_key_paths[i] = g_strdup_printf ("%s/ssh_host_%s_key", dir, key_types[i]);
  self->port = port;

  ssh_dir = g_path_get_dirname (self->authorized_keys_path);
  if (g_mkdir_with_parents (dir, 0700) != 0 || g_mkdir_with_parents (ssh_dir, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create %s: %s", dir, g_strerror (errno));
      kf_test_sshd_free (self);
      return NULL;
    }
  if (!g_file_test (self->authorized_keys_path, G_FILE_TEST_EXISTS)
      && !g_file_set_contents_full (self->authorized_keys_path, "", 0,
                                    G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      kf_test_sshd_free (self);
      return NULL;
    }
  if (!install_host_keys (self, FALSE, error) || !launch (self, port != 0, FALSE, error))
    {
      kf_test_sshd_free (self);
      return NULL;
    }
  g_debug ("sshd %d listening on 127.0.0.1:%u in %s", self->pid, self->port, self->dir);
  return self;
}

KfTestSshd *
kf_test_sshd_start (GError **error)
{
  char *dir = g_dir_make_tmp ("kf-sshd-XXXXXX", error);

  if (dir == NULL)
    return NULL;
  return start_common (dir, TRUE, 0, error);
}

KfTestSshd *
kf_test_sshd_start_in (const char  *dir,
                       guint        port,
                       GError     **error)
{
  g_return_val_if_fail (dir != NULL, NULL);
  g_return_val_if_fail (port <= 65535, NULL);

  return start_common (g_canonicalize_filename (dir, NULL), FALSE, port, error);
}

void
kf_test_sshd_stop (KfTestSshd *self)
{
  if (self == NULL)
    return;
  kill_sshd (self);
  kf_test_sshd_free (self);
}

guint
kf_test_sshd_get_port (KfTestSshd *self)
{
  return self->port;
}

const char *
kf_test_sshd_get_dir (KfTestSshd *self)
{
  return self->dir;
}

const char *
kf_test_sshd_get_log_path (KfTestSshd *self)
{
  return self->log_path;
}

GPid
kf_test_sshd_get_pid (KfTestSshd *self)
{
  return self->pid;
}

const char *
kf_test_sshd_get_user (KfTestSshd *self)
{
  return g_get_user_name ();
}

const char *
kf_test_sshd_get_authorized_keys_path (KfTestSshd *self)
{
  return self->authorized_keys_path;
}

void
kf_test_sshd_add_authorized_key (KfTestSshd *self,
                                 const char *line)
{
  g_autofree char *contents = NULL;
  g_autofree char *updated = NULL;
  g_autofree char *trimmed = g_strstrip (g_strdup (line));
  g_autoptr(GError) error = NULL;

  g_file_get_contents (self->authorized_keys_path, &contents, NULL, NULL);
  updated = g_strdup_printf ("%s%s%s\n", contents ? contents : "",
                             (contents && *contents && !g_str_has_suffix (contents, "\n")) ? "\n" : "",
                             trimmed);
  g_file_set_contents_full (self->authorized_keys_path, updated, -1,
                            G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  g_assert_no_error (error);
}

const char *
kf_test_sshd_get_host_key_path (KfTestSshd *self,
                                const char *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (g_strcmp0 (type, key_types[i]) == 0)
      return self->host_key_paths[i];
  g_return_val_if_reached (NULL);
}

char **
kf_test_sshd_get_host_key_lines (KfTestSshd *self)
{
  GPtrArray *lines = g_ptr_array_new ();

  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      g_autofree char *pub = g_strconcat (self->host_key_paths[i], ".pub", NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GError) error = NULL;

      g_file_get_contents (pub, &contents, NULL, &error);
      g_assert_no_error (error);
      g_ptr_array_add (lines, g_strdup (g_strstrip (contents)));
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

gboolean
kf_test_sshd_regenerate_host_keys (KfTestSshd  *self,
                                   GError     **error)
{
  kill_sshd (self);
  if (!install_host_keys (self, TRUE, error))
    return FALSE;
  return launch (self, TRUE, TRUE, error);
}

gboolean
kf_test_sshd_add_host_key (KfTestSshd  *self,
                           const char  *type,
                           guint        bits,
                           GError     **error)
{
  g_autofree char *path = g_strdup_printf ("%s/ssh_host_extra%u_%s_key", self->dir,
                                           self->extra_host_key_paths->len, type);

  if (!run_ssh_keygen (type, bits, path, "kf-test-sshd-extra", error))
    return FALSE;
  g_ptr_array_add (self->extra_host_key_paths, g_steal_pointer (&path));
  kill_sshd (self);
  return launch (self, TRUE, TRUE, error);
}

char *
kf_test_sshd_make_client_key (const char  *path,
                              GError     **error)
{
  g_autofree char *pub = g_strconcat (path, ".pub", NULL);
  g_autofree char *line = NULL;

  if (!run_ssh_keygen ("ed25519", 0, path, "kf-test-client", error))
    return NULL;
  if (!g_file_get_contents (pub, &line, NULL, error))
    return NULL;
  return g_strdup (g_strstrip (line));
}

gboolean
kf_test_sshd_play_truenas (KfTestSshd  *self,
                           GError     **error)
{
  g_autofree char *script = g_build_filename (kf_test_get_srcdir (), "tests", "harness", "truenas-box.sh", NULL);
  g_autofree char *data = g_build_filename (self->dir, "truenas", "data", NULL);

  if (g_mkdir_with_parents (data, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot create %s: %s", data, g_strerror (errno));
      return FALSE;
    }
  g_free (self->force_command);
  self->force_command = g_strdup_printf ("/bin/sh \"%s\" \"%s/truenas\"", script, self->dir);
  kill_sshd (self);
  return launch (self, TRUE, TRUE, error);
}

char *
kf_test_sshd_get_truenas_root (KfTestSshd *self)
{
  return g_build_filename (self->dir, "truenas", NULL);
}
