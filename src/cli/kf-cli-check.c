/* kf-cli-check.c: keyferry-cli connection check (Check All).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-fleet-check.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

enum { CHECK };

/* The phases shown as table columns, in the probe's order. */
static const KfTestPhase table_phases[] = {
  KF_TEST_PHASE_CONNECT, KF_TEST_PHASE_HOST_KEY, KF_TEST_PHASE_AUTHENTICATE,
  KF_TEST_PHASE_COMMAND, KF_TEST_PHASE_VERSION,
};

static gboolean
parse_jobs (KfCliContext *ctx,
            const char   *text,
            guint        *out)
{
  guint64 jobs = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 1, KF_FLEET_CHECK_MAX_JOBS, &jobs, NULL))
    {
      ctx->status = kf_cli_usage (ctx->command, _("--jobs: give a whole number from 1 to %d"),
                                  KF_FLEET_CHECK_MAX_JOBS);
      return FALSE;
    }
  *out = (guint) jobs;
  return TRUE;
}

/* The connections to check: every one with --all, else those named (each
 * once, in the order given). NULL with the error printed and ctx->status set. */
static GPtrArray *
pick_connections (KfCliContext  *ctx,
                  gboolean       all,
                  char         **names)
{
  g_autoptr(GPtrArray) picked = g_ptr_array_new_with_free_func (g_object_unref);
  GListModel *model = kf_store_get_connections (ctx->store);

  if (all == (names != NULL && names[0] != NULL))
    {
      ctx->status = kf_cli_usage (ctx->command, all ? _("give either --all or connection names, not both")
                                                    : _("name the connections to check, or give --all"));
      return NULL;
    }
  if (all)
    {
      for (guint i = 0; i < g_list_model_get_n_items (model); i++)
        g_ptr_array_add (picked, g_list_model_get_item (model, i));
      return g_steal_pointer (&picked);
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      KfConnection *connection = kf_cli_find_connection (ctx->store, names[i]);

      if (connection == NULL)
        {
          ctx->status = KF_CLI_EXIT_FAILED;
          return NULL;
        }
      if (!g_ptr_array_find (picked, connection, NULL))
        g_ptr_array_add (picked, g_object_ref (connection));
    }
  return g_steal_pointer (&picked);
}

static void
on_checked (KfFleetCheck *check,
            guint         index,
            gpointer      user_data)
{
  if (!kf_cli_stderr_is_tty ())
    return;
  /* Translators: progress of connection check on a terminal */
  fputc ('\r', stderr);
  fprintf (stderr, _("Checked %u of %u…"), kf_fleet_check_get_n_done (check),
           kf_fleet_check_get_n_items (check));
  fflush (stderr);
}

/* "12 ms", or "-" for a phase that did not run. */
static char *
format_ms (KfTestResult *result,
           KfTestPhase   phase)
{
  double ms = result ? kf_test_result_get_phase_ms (result, phase) : -1;

  /* Translators: a duration in a table column */
  return ms < 0 ? g_strdup ("-") : g_strdup_printf (_("%.0f ms"), ms);
}

static char *
format_checked_at (KfFleetCheck *check,
                   guint         index)
{
  gint64 at = kf_fleet_check_get_checked_at (check, index);
  g_autoptr(GDateTime) time = at > 0 ? g_date_time_new_from_unix_utc (at) : NULL;

  return time ? g_date_time_format_iso8601 (time) : NULL;
}

static void
print_table (KfFleetCheck *check)
{
  guint n = kf_fleet_check_get_n_items (check);

  printf ("%-24s %-17s", _("Name"), _("State"));
  for (guint p = 0; p < G_N_ELEMENTS (table_phases); p++)
    printf (" %12s", kf_test_phase_get_label (table_phases[p]));
  printf (" %9s  %s\n", _("Total"), _("TrueNAS"));

  for (guint i = 0; i < n; i++)
    {
      KfTestResult *result = kf_fleet_check_get_result (check, i);
      const char *version = result ? kf_test_result_get_truenas_version (result) : NULL;
      g_autofree char *total = result ? g_strdup_printf (_("%.0f ms"), kf_test_result_get_total_ms (result))
                                      : g_strdup ("-");

      printf ("%-24s %-17s", kf_cli_escape (kf_connection_get_name (kf_fleet_check_get_connection (check, i))),
              kf_check_state_get_label (kf_fleet_check_get_state (check, i)));
      for (guint p = 0; p < G_N_ELEMENTS (table_phases); p++)
        {
          g_autofree char *ms = format_ms (result, table_phases[p]);
          printf (" %12s", ms);
        }
      printf (" %9s  %s\n", total, version ? kf_cli_escape (version) : "-");
    }

  /* What went wrong, one line each, below the table. */
  for (guint i = 0; i < n; i++)
    if (kf_fleet_check_get_state (check, i) != KF_CHECK_STATE_OK && kf_fleet_check_get_message (check, i))
      printf ("%s: %s\n", kf_cli_escape (kf_connection_get_name (kf_fleet_check_get_connection (check, i))),
              kf_cli_escape (kf_fleet_check_get_message (check, i)));
}

static JsonNode *
item_to_json (KfFleetCheck *check,
              guint         index)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  KfConnection *connection = kf_fleet_check_get_connection (check, index);
  KfTestResult *result = kf_fleet_check_get_result (check, index);
  g_autofree char *checked_at = format_checked_at (check, index);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, kf_connection_get_name (connection));
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, kf_connection_get_id (connection));
  json_builder_set_member_name (b, "state");
  json_builder_add_string_value (b, kf_check_state_to_string (kf_fleet_check_get_state (check, index)));
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, kf_fleet_check_get_message (check, index));
  json_builder_set_member_name (b, "checked_at");
  json_builder_add_string_value (b, checked_at);
  json_builder_set_member_name (b, "result");
  if (result != NULL)
    json_builder_add_value (b, kf_cli_test_result_to_json (result));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
check_to_json (KfFleetCheck *check)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *summary = kf_fleet_check_format_summary (check);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "summary");
  json_builder_add_string_value (b, summary);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_object (b);
  for (KfCheckState s = 0; s < KF_N_CHECK_STATES; s++)
    {
      json_builder_set_member_name (b, kf_check_state_to_string (s));
      json_builder_add_int_value (b, kf_fleet_check_count (check, s));
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "connections");
  json_builder_begin_array (b);
  for (guint i = 0; i < kf_fleet_check_get_n_items (check); i++)
    json_builder_add_value (b, item_to_json (check, i));
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The checks ran, but their outcomes are not in the store's file. */
static int
fail_save (const GError *save_error)
{
  /* Translators: %s is why the data file could not be written, a whole
   * sentence such as “Could not lock the Keyferry data file “…” (Is a directory).” */
  return kf_cli_fail_message (_("%s The check results could not be saved."), save_error->message);
}

static int
cmd_check (int    argc,
           char **argv)
{
  gboolean all = FALSE;
  g_autofree char *jobs_text = NULL;
  g_auto(GStrv) names = NULL;
  g_auto(KfCliContext) ctx = { 0 };
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Check every connection"), NULL },
    { "jobs", 0, 0, G_OPTION_ARG_STRING, &jobs_text, N_("Check N connections at a time (1–64, default 8)"), N_("N") },
    KF_CLI_OPTION_JSON (&ctx.json),
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &names, NULL, N_("NAME…") },
    { NULL }
  };
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(KfFleetCheck) check = NULL;
  g_autofree char *summary = NULL;
  guint jobs = KF_FLEET_CHECK_DEFAULT_JOBS;
  const GError *save_error;
  gboolean ok;
  int status;

  if (!kf_cli_command_parse (&ctx, &kf_cli_check_commands[CHECK], entries, argc, argv)
      || !parse_jobs (&ctx, jobs_text, &jobs)
      || !kf_cli_command_open (&ctx)
      || !(connections = pick_connections (&ctx, all, names)))
    return ctx.status;

  check = kf_fleet_check_new (ctx.vault, connections);
  kf_fleet_check_set_jobs (check, jobs);
  g_signal_connect (check, "connection-checked", G_CALLBACK (on_checked), NULL);
  /* Outcomes are recorded in the store: Ctrl-C cancels the checks, the
   * finished ones stay recorded, and the program then ends by the signal. */
  kf_fleet_check_run_async (check, kf_cli_command_guard (&ctx), kf_cli_async_done, &ctx.result);
  ok = kf_fleet_check_run_finish (check, kf_cli_command_wait (&ctx), &ctx.error);
  if (kf_cli_stderr_is_tty ())
    fputc ('\n', stderr);
  save_error = kf_fleet_check_get_save_error (check);
  if (g_error_matches (ctx.error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && save_error != NULL)
    {
      /* The interrupted line below would say they are recorded: they are not. */
      fail_save (save_error);
      kf_cli_command_release (&ctx);  /* ends the program by the signal */
      return KF_CLI_EXIT_FAILED;
    }
  if (g_error_matches (ctx.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      guint n = kf_fleet_check_get_n_items (check);
      guint checked = n - kf_fleet_check_count (check, KF_CHECK_STATE_NOT_CHECKED);

      /* Not kf_cli_fail's "nothing was changed": the finished checks are recorded. */
      fprintf (stderr, "keyferry-cli: ");
      fprintf (stderr, g_dngettext (GETTEXT_PACKAGE,
                                    "Interrupted after checking %u of %u connection; the checked ones are recorded, the others were not checked.\n",
                                    "Interrupted after checking %u of %u connections; the checked ones are recorded, the others were not checked.\n",
                                    n), checked, n);
      kf_cli_command_release (&ctx);  /* ends the program by the signal */
      return KF_CLI_EXIT_FAILED;
    }
  if ((status = kf_cli_command_end (&ctx, ok)) != KF_CLI_EXIT_OK)
    return status;

  summary = kf_fleet_check_format_summary (check);
  if (ctx.json)
    kf_cli_print_json (check_to_json (check));
  else
    {
      print_table (check);
      printf ("%s\n", summary);
    }
  /* After the results, which were checked and are worth reading. */
  if (save_error != NULL)
    {
      fflush (stdout);
      return fail_save (save_error);
    }
  /* --all with no connections: nothing failed ("No connections to check."). */
  if (kf_fleet_check_get_n_items (check) == 0 || kf_fleet_check_all_ok (check))
    return KF_CLI_EXIT_OK;
  return KF_CLI_EXIT_FAILED;
}

const KfCliCommand kf_cli_check_commands[] = {
  [CHECK] = { "connection", "check", "[--all | NAME…] [--jobs N] [--json]",
    N_("Check many connections at once: reachable, host key, key accepted, command, TrueNAS version"),
    cmd_check, 0, KF_CLI_NEEDS_VAULT,
    N_("Each connection is checked like “connection test”: its stored host key must match (a changed one "
       "is reported, never accepted), it logs in with its key pair only (never a password), and runs a "
       "trivial command; for a TrueNAS connection the version is read from /data/manifest.json over the "
       "same session. States: ok, unreachable, host-key-changed, key-refused, failed, not-checked. The "
       "outcomes are kept as each connection's last test.\n\n"
       "Exit status: 0 every connection is OK, 1 any is not (or a name is unknown, or the results could not "
       "be saved), 2 usage error. "
       "Ctrl-C cancels the checks still running.") },
  { NULL }
};
