/* kf-cli-rotate.c: keyferry-cli keypair rotate
 *
 *   keypair rotate NAME [--type TYPE] [--bits N] [--connections A,B,…] [--dry-run] [--api-key-stdin]
 *   keypair rotate --resume [--rollback] [--dry-run] [--api-key-stdin]
 *
 * TrueNAS boxes need the admin password (or, with --api-key-stdin, an API key):
 * one line per TrueNAS box on standard input, in the order --dry-run prints.
 * A TrueNAS that asks for a one-time password gets the next line, read then.
 * Progress goes to stderr, one line per box and step:
 *   keyferry-cli: rotate: BOX: STEP: what
 * The outcome goes to stdout, one line per box.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-errors.h"
#include "kf-rotation.h"
#include "kf-ssh-key.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  char     **names;         /* G_OPTION_REMAINING */
  char      *type;
  int        bits;
  char      *connections;
  gboolean   dry_run;
  gboolean   resume;
  gboolean   rollback;
  gboolean   api_key_stdin;
} RotateOptions;

static void
rotate_options_clear (RotateOptions *options)
{
  g_strfreev (options->names);
  g_free (options->type);
  g_free (options->connections);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RotateOptions, rotate_options_clear)

static const KfCliCommand *
rotate_command (void)
{
  for (guint i = 0; kf_cli_keypair_commands[i].verb != NULL; i++)
    if (g_str_equal (kf_cli_keypair_commands[i].verb, "rotate"))
      return &kf_cli_keypair_commands[i];
  g_return_val_if_reached (NULL);
}

/* NULL when the options fit together, else what is wrong. */
static const char *
check_options (RotateOptions *options)
{
  guint n_names = options->names != NULL ? g_strv_length (options->names) : 0;

  if (options->resume && n_names > 0)
    return _("--resume takes no key pair name: it continues the recorded rotation");
  if (!options->resume && n_names != 1)
    return _("give the name of the key pair to rotate, or --resume");
  if (options->rollback && !options->resume)
    return _("--rollback goes with --resume");
  if (options->resume && (options->type != NULL || options->bits != 0 || options->connections != NULL))
    return _("--type, --bits and --connections are for a new rotation, not --resume");
  if (options->bits < 0)
    return _("--bits must be positive");
  return NULL;
}

static void
on_progress (KfRotation   *rotation,
             KfConnection *box,
             int           step,
             const char   *message,
             gpointer      user_data)
{
  fprintf (stderr, "keyferry-cli: rotate: %s: %s: %s\n",
           box != NULL ? kf_cli_escape (kf_connection_get_name (box)) : "-",
           kf_rotation_step_to_string ((KfRotationStep) step), message);
  fflush (stderr);
}

/* A TrueNAS with two-factor login: the next line of stdin, read when it asks. */
static void
on_otp_requested (KfRotation   *rotation,
                  KfConnection *box,
                  gpointer      user_data)
{
  g_autofree char *prompt = g_strdup_printf (_("One-time password for %s: "), kf_cli_escape (kf_connection_get_name (box)));
  g_autoptr(GError) error = NULL;
  KfSecret *otp = kf_cli_read_secret_prompt (prompt, &error);

  kf_rotation_provide_otp (rotation, otp);
  kf_secret_free (otp);
}

/* The rotation the options ask for; NULL with the failure printed (or,
 * for --resume with nothing recorded, *nothing set). */
static KfRotation *
make_rotation (KfCliContext  *ctx,
               RotateOptions *options,
               gboolean      *nothing)
{
  g_autoptr(KfRotation) rotation = NULL;
  KfKeyType type;

  *nothing = FALSE;
  if (options->resume)
    {
      rotation = kf_rotation_new_resume (ctx->vault, &ctx->error);
      if (rotation == NULL && ctx->error == NULL)
        *nothing = TRUE;
      else if (rotation != NULL && options->rollback)
        kf_rotation_set_rollback (rotation, TRUE);
    }
  else
    {
      KfKeypair *keypair = kf_cli_find_keypair (ctx->store, options->names[0]);

      if (keypair == NULL)
        return NULL;
      rotation = kf_rotation_new (ctx->vault, keypair);
      if (options->type != NULL)
        {
          if (!kf_cli_parse_key_type (options->type, &type))
            {
              ctx->status = kf_cli_usage (ctx->command, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"),
                                          options->type);
              return NULL;
            }
          if (!kf_ssh_key_check_bits (type, options->bits, &ctx->error))
            {
              ctx->status = kf_cli_usage (ctx->command, "%s", ctx->error->message);
              return NULL;
            }
          kf_rotation_set_key_type (rotation, type, options->bits);
        }
      if (options->connections != NULL)
        {
          g_auto(GStrv) names = g_strsplit (options->connections, ",", -1);

          for (guint i = 0; names[i] != NULL; i++)
            g_strstrip (names[i]);
          if (!kf_rotation_set_connections (rotation, (const char * const *) names, &ctx->error))
            g_clear_object (&rotation);
        }
    }
  if (rotation == NULL && ctx->error != NULL)
    ctx->status = kf_cli_fail (ctx->error);
  return g_steal_pointer (&rotation);
}

static void
print_plan (KfRotation *rotation)
{
  g_auto(GStrv) lines = kf_rotation_describe_plan (rotation);
  g_autoptr(GPtrArray) boxes = kf_rotation_get_boxes (rotation);
  guint secret = 0;

  printf (_("Rotate “%s”%s:\n"), kf_cli_escape (kf_keypair_get_name (kf_rotation_get_old_keypair (rotation))),
          kf_rotation_get_rollback (rotation) ? _(" (roll back)") : "");
  for (guint i = 0; i < boxes->len; i++)
    {
      if (kf_rotation_box_needs_secret (rotation, g_ptr_array_index (boxes, i)))
        printf (_("  %u. %s [secret line %u]\n"), i + 1, kf_cli_escape (lines[i]), ++secret);
      else
        printf ("  %u. %s\n", i + 1, kf_cli_escape (lines[i]));
    }
  if (boxes->len == 0)
    printf ("%s\n", _("  No connection uses this key pair: nothing to do on any box."));
}

/* One line of stdin per TrueNAS box, in plan order; FALSE with the failure printed. */
static gboolean
read_secrets (KfCliContext  *ctx,
              KfRotation    *rotation,
              gboolean       api_key)
{
  g_autoptr(GPtrArray) boxes = kf_rotation_get_boxes (rotation);

  for (guint i = 0; i < boxes->len; i++)
    {
      KfConnection *box = g_ptr_array_index (boxes, i);
      g_autofree char *prompt = NULL;
      char *secret;

      if (!kf_rotation_box_needs_secret (rotation, box))
        continue;
      prompt = g_strdup_printf (api_key ? _("API key for %s: ") : _("Admin password for %s: "),
                                kf_cli_escape (kf_connection_get_name (box)));
      secret = kf_cli_read_secret_prompt (prompt, &ctx->error);
      if (secret == NULL || *secret == '\0')
        {
          kf_secret_free (secret);
          ctx->status = ctx->error != NULL ? kf_cli_fail (ctx->error)
                                           : kf_cli_fail_message (_("No admin password or API key for the TrueNAS “%s” on standard input; give one line per TrueNAS box, in the order “--dry-run” prints."),
                                                                  kf_cli_escape (kf_connection_get_name (box)));
          return FALSE;
        }
      kf_rotation_set_secret (rotation, box, secret, api_key);
      kf_secret_free (secret);
    }
  return TRUE;
}

static void
print_outcome (KfCliContext *ctx,
               KfRotation   *rotation,
               double        total_ms)
{
  g_autoptr(GPtrArray) boxes = kf_rotation_get_boxes (rotation);
  KfKeypair *old_keypair = kf_rotation_get_old_keypair (rotation);
  KfKeypair *new_keypair = kf_rotation_get_new_keypair (rotation);

  for (guint i = 0; i < boxes->len; i++)
    {
      KfConnection *box = g_ptr_array_index (boxes, i);
      const char *message = kf_rotation_get_box_message (rotation, box);

      printf ("%s: %s: %s\n", kf_cli_escape (kf_connection_get_name (box)),
              kf_rotation_step_to_string (kf_rotation_get_box_step (rotation, box)),
              message != NULL ? kf_cli_escape (message) : _("not reached"));
    }
  if (new_keypair != NULL && !kf_rotation_get_rollback (rotation))
    printf (_("New key pair: %s %s\n"), kf_keypair_get_fingerprint (new_keypair), kf_cli_escape (kf_keypair_get_name (new_keypair)));
  printf (_("Total: %.0f ms\n"), total_ms);
  if (kf_rotation_get_old_keypair_unused (rotation) && ctx->error == NULL)
    {
      g_autofree char *quoted = g_shell_quote (kf_keypair_get_name (old_keypair));
      /* Never deleted silently: the user decides. */
      printf (_("No connection uses the key pair “%s” any more; delete it with: keyferry-cli keypair delete %s\n"),
              kf_cli_escape (kf_keypair_get_name (old_keypair)), kf_cli_escape (quoted));
    }
}

static int
run_rotation (KfCliContext  *ctx,
              KfRotation    *rotation,
              RotateOptions *options)
{
  gint64 start;
  gboolean ok;

  if (options->dry_run)
    {
      print_plan (rotation);
      return KF_CLI_EXIT_OK;
    }
  if (!read_secrets (ctx, rotation, options->api_key_stdin))
    return ctx->status;
  g_signal_connect (rotation, "progress", G_CALLBACK (on_progress), NULL);
  g_signal_connect (rotation, "otp-requested", G_CALLBACK (on_otp_requested), NULL);
  start = g_get_monotonic_time ();
  /* A signal cancels before the next remote step; the journal keeps the rest. */
  kf_rotation_run_async (rotation, kf_cli_command_guard (ctx), kf_cli_async_done, &ctx->result);
  ok = kf_rotation_run_finish (rotation, kf_cli_command_wait (ctx), &ctx->error);
  print_outcome (ctx, rotation, (g_get_monotonic_time () - start) / 1000.0);
  fflush (stdout);
  return kf_cli_command_end (ctx, ok);
}

int
kf_cli_keypair_rotate (int    argc,
                       char **argv)
{
  g_auto(RotateOptions) options = { 0 };
  const GOptionEntry entries[] = {
    { "type", 0, 0, G_OPTION_ARG_STRING, &options.type, N_("Type of the new key pair: ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa (default: as the old one)"), "TYPE" },
    { "bits", 0, 0, G_OPTION_ARG_INT, &options.bits, N_("RSA key size: 2048, 3072 or 4096"), "N" },
    { "connections", 0, 0, G_OPTION_ARG_STRING, &options.connections, N_("Only these connections (comma-separated names; default: all that use the key pair)"), "A,B,…" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &options.dry_run, N_("Print what would be done on each box, and change nothing"), NULL },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &options.resume, N_("Finish the recorded unfinished rotation, box by box"), NULL },
    { "rollback", 0, 0, G_OPTION_ARG_NONE, &options.rollback, N_("With --resume: take every box back to the old key pair instead"), NULL },
    { "api-key-stdin", 0, 0, G_OPTION_ARG_NONE, &options.api_key_stdin, N_("The lines on standard input are TrueNAS API keys, not admin passwords"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &options.names, NULL, NULL },
    { NULL }
  };
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfRotation) rotation = NULL;
  const char *problem;
  gboolean nothing;

  if (!kf_cli_command_parse (&ctx, rotate_command (), entries, argc, argv))
    return ctx.status;
  if ((problem = check_options (&options)) != NULL)
    return kf_cli_usage (ctx.command, "%s", problem);
  if (!kf_cli_command_open (&ctx))
    return ctx.status;
  rotation = make_rotation (&ctx, &options, &nothing);
  if (nothing)
    {
      fprintf (stderr, "keyferry-cli: %s\n", _("No key rotation is unfinished: nothing to resume."));
      return KF_CLI_EXIT_OK;
    }
  if (rotation == NULL)
    return ctx.status != KF_CLI_EXIT_OK ? ctx.status : KF_CLI_EXIT_FAILED;
  return run_rotation (&ctx, rotation, &options);
}
