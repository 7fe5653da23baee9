/* kf-cli-ssh-config.c: keyferry-cli ssh-config
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-ssh-config-export.h"

#include <glib/gi18n.h>
#include <stdio.h>

static int
cmd_ssh_config (int    argc,
                char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autofree char *dir = NULL;
  const GOptionEntry entries[] = {
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Folder to write into (default ~/.ssh/keyferry)"), "DIR" },
    { NULL }
  };
  g_auto(GStrv) aliases = NULL;
  g_autofree char *include = NULL;
  g_autoptr(GError) error = NULL;

  if (!kf_cli_command_begin (&ctx, &kf_cli_ssh_config_commands[0], entries, argc, argv))
    return ctx.status;
  if (dir == NULL)
    dir = kf_ssh_config_export_default_dir ();

  aliases = kf_ssh_config_export_write (dir, ctx.store, &error);
  if (aliases == NULL)
    return kf_cli_fail (error);
  include = kf_ssh_config_export_include_line (dir);
  for (guint i = 0; aliases[i] != NULL; i++)
    printf ("Host %s\n", aliases[i]);
  fprintf (stderr, "%s\n", _("Written. Add this line at the top of ~/.ssh/config (Keyferry never edits it), "
                             "then “ssh HOST” uses the key the SSH agent holds:"));
  printf ("%s\n", include);
  return KF_CLI_EXIT_OK;
}

const KfCliCommand kf_cli_ssh_config_commands[] = {
  { NULL, "ssh-config", "[--dir DIR]",
    N_("Write an OpenSSH config folder (config, known_hosts, public keys) for the connections"),
    cmd_ssh_config, 0, KF_CLI_NEEDS_STORE },
  { NULL }
};
