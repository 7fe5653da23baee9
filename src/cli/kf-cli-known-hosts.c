/* kf-cli-known-hosts.c: keyferry-cli known-hosts
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-known-hosts.h"

#include <glib/gi18n.h>
#include <stdio.h>

static int
cmd_known_hosts (int    argc,
                 char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autofree char *lines = NULL;

  if (!kf_cli_command_begin (&ctx, &kf_cli_known_hosts_commands[0], NULL, argc, argv))
    return ctx.status;

  lines = kf_known_hosts_for_connections (kf_store_get_connections (ctx.store));
  fputs (lines, stdout);
  return KF_CLI_EXIT_OK;
}

const KfCliCommand kf_cli_known_hosts_commands[] = {
  { NULL, "known-hosts", "", N_("Print OpenSSH known_hosts lines for all connections"), cmd_known_hosts,
    0, KF_CLI_NEEDS_STORE },
  { NULL }
};
