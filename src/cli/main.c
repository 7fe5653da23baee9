/* main.c: keyferry-cli.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>

#include "kf-cli.h"

/* Errors reach the user as one "keyferry-cli: …" line; the core's
 * informational g_message()s (e.g. why a store file was moved aside, which
 * that line already says) would add a second, technical one. Warnings and
 * worse still show; G_MESSAGES_DEBUG shows everything, as usual. */
static GLogWriterOutput
cli_log_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  if ((level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) != 0
      && g_getenv ("G_MESSAGES_DEBUG") == NULL)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

int
main (int   argc,
      char *argv[])
{
  /* stdout carries the answer alone (--json must stay parseable): every
   * log line, debug included, goes to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (cli_log_writer, NULL, NULL);
  kf_cli_install_signals ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  return kf_cli_main (argc, argv);
}
