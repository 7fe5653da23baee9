/* kf-test-agent.c: a real OpenSSH ssh-agent for tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * "ssh-agent -a SOCK cat": the agent forks, the parent becomes `cat` (the
 * returned subprocess, reading a pipe from the test) and the agent checks
 * every 10 s that it is still there. So the agent ends with the test even
 * when the test crashes (cat sees the end of its input). "ssh-agent -D"
 * would outlive a crashed test, and a parent-death signal cannot help:
 * ssh-agent is set-group-ID on Debian, and exec clears that setting.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "kf-test-agent.h"
#include "kf-test-util.h"

GSubprocess *
kf_test_agent_start (const char         *socket_path,
                     const char * const *env)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autoptr(GError) error = NULL;
  gint64 end = g_get_monotonic_time () + kf_test_timeout (10) * G_USEC_PER_SEC;
  GSubprocess *agent;

  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      g_assert_nonnull (pair[1]);
      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  agent = g_subprocess_launcher_spawn (launcher, &error, "ssh-agent", "-a", socket_path, "cat", NULL);
  g_assert_no_error (error);
  while (!g_file_test (socket_path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_usleep (20000);
    }
  return agent;
}

void
kf_test_agent_stop (GSubprocess *agent)
{
  g_subprocess_force_exit (agent);
  g_subprocess_wait (agent, NULL, NULL);
  g_object_unref (agent);
}
