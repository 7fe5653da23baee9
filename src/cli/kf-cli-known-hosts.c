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

static int cmd_known_hosts (int argc, char **argv);

const KfCliCommand kf_cli_known_hosts_commands[] = {
  { NULL, "known-hosts", "", N_("Print OpenSSH known_hosts lines for all connections"), cmd_known_hosts },
  { NULL }
};

static int
cmd_known_hosts (int    argc,
                 char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autofree char *lines = NULL;
  int status;

  if (!kf_cli_parse (&kf_cli_known_hosts_commands[0], NULL, 0, &argc, &argv, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);

  lines = kf_known_hosts_for_connections (kf_store_get_connections (store));
  fputs (lines, stdout);
  return KF_CLI_EXIT_OK;
}
