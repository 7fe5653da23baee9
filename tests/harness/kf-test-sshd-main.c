/* kf-test-sshd-main.c: `kf-test-sshd --dir DIR [--port N] [--exit-with-parent]`,
 * one test sshd for the demo and the fake TrueNAS. Prints `port=N`,
 * `authorized_keys=PATH` (and user=, host_key_TYPE=PATH.pub, then `ready`) on
 * stdout, runs until SIGTERM or SIGINT (or, with --exit-with-parent, until
 * the process that started it dies), then stops sshd.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-test-sshd"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "kf-test-sshd.h"

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- run a test sshd on 127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(KfTestSshd) sshd = NULL;
  g_autofree char *dir = NULL;
  int port = 0;
  gboolean exit_with_parent = FALSE;
  GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, "Directory for the config, keys and log", "DIR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (default: a free one)", "N" },
    { "exit-with-parent", 0, 0, G_OPTION_ARG_NONE, &exit_with_parent,
      "Stop when the process that started this one dies", NULL },
    { NULL }
  };
  static const char * const types[] = { "rsa", "ecdsa", "ed25519" };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("kf-test-sshd: %s\n", error->message);
      return 2;
    }
  if (dir == NULL || port < 0 || port > 65535)
    {
      g_printerr ("kf-test-sshd: usage: kf-test-sshd --dir DIR [--port N] [--exit-with-parent]\n");
      return 2;
    }

  if (exit_with_parent)
    {
      pid_t parent = getppid ();
      /* SIGTERM goes through the same clean stop as a kill by hand. */
      prctl (PR_SET_PDEATHSIG, SIGTERM);
      if (getppid () != parent)
        return 1;
    }

  sshd = kf_test_sshd_start_in (dir, (guint) port, &error);
  if (sshd == NULL)
    {
      g_printerr ("kf-test-sshd: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);

  printf ("port=%u\n", kf_test_sshd_get_port (sshd));
  printf ("authorized_keys=%s\n", kf_test_sshd_get_authorized_keys_path (sshd));
  printf ("user=%s\n", kf_test_sshd_get_user (sshd));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    printf ("host_key_%s=%s.pub\n", types[i], kf_test_sshd_get_host_key_path (sshd, types[i]));
  printf ("ready\n");
  fflush (stdout);

  g_main_loop_run (loop);
  return 0;
}
