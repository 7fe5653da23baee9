/* kf-cli-agent.c: keyferry-cli agent add | remove | list
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-ssh-agent.h"

#include <glib/gi18n.h>
#include <stdio.h>

enum { ADD, REMOVE, LIST };

static int
cmd_add (int    argc,
         char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autofree char *lifetime_text = NULL;
  g_autofree char *life = NULL;
  gboolean confirm = FALSE;
  const GOptionEntry entries[] = {
    { "lifetime", 0, 0, G_OPTION_ARG_STRING, &lifetime_text,
      N_("How long the agent keeps the key: seconds, or 30m, 1h, 8h (default 1h)"), "TIME" },
    { "confirm", 0, 0, G_OPTION_ARG_NONE, &confirm, N_("Have the agent ask before each use of the key"), NULL },
    { NULL }
  };
  g_autoptr(KfSshAgent) agent = kf_ssh_agent_new (NULL);
  g_autoptr(KfSecret) private_key = NULL;
  guint32 lifetime = KF_AGENT_LIFETIME_DEFAULT;
  g_autoptr(GError) error = NULL;

  if (!kf_cli_command_parse (&ctx, &kf_cli_agent_commands[ADD], entries, argc, argv))
    return ctx.status;
  if (lifetime_text != NULL && !kf_ssh_agent_parse_lifetime (lifetime_text, &lifetime, &error))
    return kf_cli_usage (&kf_cli_agent_commands[ADD], "--lifetime: %s", error->message);
  if (!kf_cli_command_open (&ctx))
    return ctx.status;

  private_key = kf_vault_get_private_key_sync (ctx.vault, ctx.keypair, NULL, &ctx.error);
  if (private_key == NULL)
    return kf_cli_fail (ctx.error);
  if (!kf_ssh_agent_add_sync (agent, ctx.keypair, private_key, lifetime, confirm, NULL, &error))
    return kf_cli_fail (error);

  life = kf_ssh_agent_describe_lifetime (lifetime);
  if (confirm)
    printf (_("Added “%s” to the SSH agent for %s; the agent asks before each use.\n"),
            kf_cli_escape (kf_keypair_get_name (ctx.keypair)), life);
  else
    printf (_("Added “%s” to the SSH agent for %s.\n"), kf_cli_escape (kf_keypair_get_name (ctx.keypair)), life);
  return KF_CLI_EXIT_OK;
}

static int
cmd_remove (int    argc,
            char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfSshAgent) agent = kf_ssh_agent_new (NULL);
  g_autoptr(GError) error = NULL;

  if (!kf_cli_command_begin (&ctx, &kf_cli_agent_commands[REMOVE], NULL, argc, argv))
    return ctx.status;
  if (!kf_ssh_agent_remove_sync (agent, ctx.keypair, NULL, &error))
    return kf_cli_fail (error);
  printf (_("Removed “%s” from the SSH agent.\n"), kf_cli_escape (kf_keypair_get_name (ctx.keypair)));
  return KF_CLI_EXIT_OK;
}

static JsonNode *
list_to_json (GListModel *keypairs,
              GPtrArray  *blobs)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < g_list_model_get_n_items (keypairs); i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (keypairs, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, kf_keypair_get_name (keypair));
      json_builder_set_member_name (b, "fingerprint");
      json_builder_add_string_value (b, kf_keypair_get_fingerprint (keypair));
      json_builder_set_member_name (b, "loaded");
      json_builder_add_boolean_value (b, kf_ssh_agent_blobs_contain (blobs, keypair));
      /* the agent protocol's IDENTITIES_ANSWER has no constraints */
      json_builder_set_member_name (b, "constraints");
      json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static int
cmd_list (int    argc,
          char **argv)
{
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfSshAgent) agent = kf_ssh_agent_new (NULL);
  g_autoptr(GPtrArray) blobs = NULL;
  g_autoptr(GError) error = NULL;
  GListModel *keypairs;
  guint ours = 0;

  if (!kf_cli_command_begin_json (&ctx, &kf_cli_agent_commands[LIST], argc, argv))
    return ctx.status;
  blobs = kf_ssh_agent_list_sync (agent, NULL, &error);
  if (blobs == NULL)
    return kf_cli_fail (error);

  keypairs = kf_store_get_keypairs (ctx.store);
  if (ctx.json)
    {
      kf_cli_print_json (list_to_json (keypairs, blobs));
      return KF_CLI_EXIT_OK;
    }
  for (guint i = 0; i < g_list_model_get_n_items (keypairs); i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (keypairs, i);

      if (!kf_ssh_agent_blobs_contain (blobs, keypair))
        continue;
      printf ("%s\t%s\n", kf_cli_escape (kf_keypair_get_name (keypair)), kf_keypair_get_fingerprint (keypair));
      ours++;
    }
  if (ours == 0)
    printf ("%s\n", _("No Keyferry key pair is loaded in the SSH agent."));
  printf (g_dngettext (GETTEXT_PACKAGE, "The agent holds %u key in all; it does not say how long it keeps them "
                       "or whether it confirms their use.\n",
                       "The agent holds %u keys in all; it does not say how long it keeps them or whether it "
                       "confirms their use.\n", blobs->len), blobs->len);
  return KF_CLI_EXIT_OK;
}

const KfCliCommand kf_cli_agent_commands[] = {
  [ADD] = { "agent", "add", "NAME [--lifetime TIME] [--confirm]",
            N_("Load a key pair’s private key into the SSH agent"), cmd_add, 1,
            KF_CLI_NEEDS_KEYPAIR | KF_CLI_NEEDS_VAULT },
  [REMOVE] = { "agent", "remove", "NAME", N_("Remove a key pair’s key from the SSH agent"), cmd_remove, 1,
               KF_CLI_NEEDS_KEYPAIR },
  [LIST] = { "agent", "list", "[--json]", N_("Show which key pairs the SSH agent holds"), cmd_list, 0,
             KF_CLI_NEEDS_STORE },
  { NULL }
};
