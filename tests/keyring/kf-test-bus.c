/* kf-test-bus.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-test-bus.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "kf-test-util.h"

struct _KfTestBus {
  char        *dir;
  char        *address;
  GSubprocess *dbus;
  GSubprocess *keyring;
};

static const char bus_config[] =
  "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
  " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
  "<busconfig>\n"
  "  <type>session</type>\n"
  "  <listen>unix:dir=%s</listen>\n"
  "  <auth>EXTERNAL</auth>\n"
  "  <policy context=\"default\">\n"
  "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
  "    <allow eavesdrop=\"true\"/>\n"
  "    <allow own=\"*\"/>\n"
  "  </policy>\n"
  "</busconfig>\n";

/* If this test dies on a failed assertion, its daemons must die too: they
 * would otherwise keep meson's output pipes open until its timeout. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static GSubprocessLauncher *
launcher_new (KfTestBus           *bus,
              GSubprocessFlags     flags,
              const char          *log_name)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  g_autofree char *log = g_build_filename (bus->dir, log_name, NULL);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  return launcher;
}

KfTestBus *
kf_test_bus_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  KfTestBus *bus = g_new0 (KfTestBus, 1);

  bus->dir = kf_test_make_tmpdir ("bus");
  config_path = g_build_filename (bus->dir, "bus.conf", NULL);
  config = g_strdup_printf (bus_config, bus->dir);
  g_file_set_contents (config_path, config, -1, &error);
  g_assert_no_error (error);

  launcher = launcher_new (bus, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "dbus-daemon.log");
  bus->dbus = g_subprocess_launcher_spawn (launcher, &error,
                                           "dbus-daemon", "--nofork", "--print-address=1",
                                           "--config-file", config_path, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->dbus));
  bus->address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bus->address);
  g_strstrip (bus->address);
  g_assert_true (g_str_has_prefix (bus->address, "unix:"));
  return bus;
}

const char *
kf_test_bus_get_address (KfTestBus *bus)
{
  return bus->address;
}

static gboolean
name_has_owner (GDBusConnection *connection,
                const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  gboolean owned = FALSE;

  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", name), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  return owned;
}

void
kf_test_bus_start_keyring (KfTestBus  *bus,
                           const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autofree char *data = g_build_filename (bus->dir, "data", NULL);
  g_autofree char *runtime = g_build_filename (bus->dir, "runtime", NULL);
  GOutputStream *in;
  gint64 deadline;

  g_assert_null (bus->keyring);
  g_assert_cmpint (g_mkdir_with_parents (data, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (runtime, 0700), ==, 0);

  /* Its warnings (no prompter on this bus) go to a log, not into the TAP output. */
  launcher = launcher_new (bus, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE,
                           "gnome-keyring.log");
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", bus->address, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", runtime, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", data, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  /* Foreground: the daemon stays our child, so we stop it by its own pid. */
  bus->keyring = g_subprocess_launcher_spawn (launcher, &error, "gnome-keyring-daemon", "--foreground",
                                              "--unlock", "--components=secrets", NULL);
  g_assert_no_error (error);

  in = g_subprocess_get_stdin_pipe (bus->keyring);
  g_output_stream_write_all (in, password, strlen (password), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, &error);
  g_assert_no_error (error);

  connection = g_dbus_connection_new_for_address_sync (bus->address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                       | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (!name_has_owner (connection, "org.freedesktop.secrets"))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }
}

GSubprocess *
kf_test_spawn_child (const char         *child_name,
                     const char * const *envp,
                     GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);

  g_assert_nonnull (self);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "KF_TEST_CHILD", child_name, TRUE);
  for (guint i = 0; envp != NULL && envp[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (envp[i], "=", 2);

      g_assert_nonnull (pair[1]);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  return g_subprocess_launcher_spawn (launcher, error, self, NULL);
}

int
kf_test_bus_run_child (KfTestBus  *bus,
                       const char *child_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *address = g_strconcat ("DBUS_SESSION_BUS_ADDRESS=", bus->address, NULL);
  g_autofree char *out = NULL;
  const char *envp[] = { address, NULL };

  child = kf_test_spawn_child (child_name, envp, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  /* Keep the child's output off our TAP stream. */
  if (out != NULL && *out != '\0')
    g_printerr ("child %s: %s\n", child_name, out);
  if (g_subprocess_get_if_exited (child))
    return g_subprocess_get_exit_status (child);
  return 128 + g_subprocess_get_term_sig (child);
}

static void
stop_process (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

void
kf_test_bus_kill_keyring (KfTestBus *bus)
{
  g_assert_nonnull (bus->keyring);
  g_subprocess_send_signal (bus->keyring, SIGKILL);
  g_subprocess_wait (bus->keyring, NULL, NULL);
  g_clear_object (&bus->keyring);
}

void
kf_test_bus_free (KfTestBus *bus)
{
  if (bus == NULL)
    return;
  stop_process (bus->keyring);
  stop_process (bus->dbus);
  g_clear_object (&bus->keyring);
  g_clear_object (&bus->dbus);
  g_free (bus->address);
  g_free (bus->dir);
  g_free (bus);
}
