/* main.c: the keyferry GUI.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib/gi18n.h>
#include <locale.h>

#include "kf-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(KfApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = kf_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
