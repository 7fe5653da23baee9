/* fake-truenas-main.c: a fake TrueNAS for tests and the demo. It speaks the
 * remote API of docs/truenas-api.md (JSON-RPC 2.0 and the legacy WebSocket)
 * over real TLS with a self-signed certificate. See README.md.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas"

#include <glib-unix.h>
#include <gio/gio.h>
#include <gio/gunixinputstream.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "fake-truenas.h"

/* Everything on stderr: stdout carries only the "listening" line tests read. */
static GLogWriterOutput
log_writer (GLogLevelFlags   level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_autofree char *line = NULL;

  if (g_log_writer_default_would_drop (level, G_LOG_DOMAIN))
    return G_LOG_WRITER_HANDLED;
  line = g_log_writer_format_fields (level, fields, n_fields, FALSE);
  fprintf (stderr, "%s\n", line);
  fflush (stderr);
  return G_LOG_WRITER_HANDLED;
}

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static void
on_stdin_read (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GMainLoop *loop = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, NULL);

  /* EOF (or an error): whoever started us has gone away. */
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      g_message ("stdin closed");
      g_main_loop_quit (loop);
      return;
    }
  g_input_stream_read_bytes_async (G_INPUT_STREAM (source), 256, G_PRIORITY_DEFAULT, NULL, on_stdin_read, loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *config_path = NULL;
  g_autofree char *cert_path = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *state_out = NULL;
  g_autofree char *authorized_keys = NULL;
  g_auto(GStrv) host_keys = NULL;
  int port = 0;
  int redirect_port = -1;
  int ssh_port = -1;
  gboolean exit_with_stdin = FALSE;
  g_autoptr(GInputStream) in = NULL;
  GOptionEntry entries[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path, "JSON configuration (see README.md)", "FILE" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert_path, "TLS certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key_path, "TLS private key (PEM)", "FILE" },
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "HTTPS port (default: a free one)", "N" },
    { "redirect-port", 0, 0, G_OPTION_ARG_INT, &redirect_port, "Also listen for plain HTTP and redirect to HTTPS (0: a free port)", "N" },
    { "state-out", 0, 0, G_OPTION_ARG_FILENAME, &state_out, "Write the server state as JSON on every change", "FILE" },
    { "ssh-port", 0, 0, G_OPTION_ARG_INT, &ssh_port, "Overrides ssh.port", "N" },
    { "authorized-keys", 0, 0, G_OPTION_ARG_FILENAME, &authorized_keys, "Overrides ssh.authorized_keys", "FILE" },
    { "host-key", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &host_keys, "Overrides ssh.host_key_files (repeat: RSA, ECDSA, Ed25519)", "FILE.pub" },
    { "exit-with-stdin", 0, 0, G_OPTION_ARG_NONE, &exit_with_stdin, "Exit when stdin reaches end of file (so a crashed test cannot leak the server)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(FakeTruenas) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  FakeConfig *config;

  setlocale (LC_ALL, "");
  g_log_set_writer_func (log_writer, NULL, NULL);
  signal (SIGPIPE, SIG_IGN);

  context = g_option_context_new ("- a fake TrueNAS API server for tests");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fake-truenas: %s\n", error->message);
      return 2;
    }
  if (config_path == NULL || cert_path == NULL || key_path == NULL)
    {
      g_printerr ("fake-truenas: --config, --cert and --key are required\n");
      return 2;
    }
  if (port < 0 || port > 65535 || redirect_port > 65535 || ssh_port > 65535)
    {
      g_printerr ("fake-truenas: a port is out of range\n");
      return 2;
    }

  config = fake_config_new_from_file (config_path, &error);
  if (config == NULL)
    {
      g_printerr ("fake-truenas: %s: %s\n", config_path, error->message);
      return 2;
    }
  if (ssh_port >= 0)
    config->ssh_port = ssh_port;
  if (authorized_keys != NULL)
    {
      g_free (config->authorized_keys);
      config->authorized_keys = g_strdup (authorized_keys);
    }
  if (host_keys != NULL)
    {
      g_ptr_array_set_size (config->host_key_files, 0);
      for (guint i = 0; host_keys[i] != NULL; i++)
        g_ptr_array_add (config->host_key_files, g_strdup (host_keys[i]));
    }

  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  if (certificate == NULL)
    {
      fake_config_free (config);
      g_printerr ("fake-truenas: %s\n", error->message);
      return 2;
    }

  server = fake_truenas_new (config, certificate, state_out);
  if (!fake_truenas_listen (server, port, redirect_port, &error))
    {
      g_printerr ("fake-truenas: cannot listen: %s\n", error->message);
      return 1;
    }

  if (fake_truenas_get_http_port (server) != 0)
    printf ("fake-truenas listening https=%u http=%u\n",
            fake_truenas_get_https_port (server), fake_truenas_get_http_port (server));
  else
    printf ("fake-truenas listening https=%u\n", fake_truenas_get_https_port (server));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  if (exit_with_stdin)
    {
      in = g_unix_input_stream_new (0, FALSE);
      g_input_stream_read_bytes_async (in, 256, G_PRIORITY_DEFAULT, NULL, on_stdin_read, loop);
    }
  g_main_loop_run (loop);

  g_message ("Stopping");
  fake_truenas_disconnect (server);
  /* Let the close frames go out. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  return 0;
}
