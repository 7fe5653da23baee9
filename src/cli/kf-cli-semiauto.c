/* kf-cli-semiauto.c: keyferry-cli connection add-semiauto | pair-again
 *
 * The admin password comes from standard input (first line); with
 * --otp-stdin the one-time password is the next line. With --api-key-stdin
 * the first line is an API key of the admin user instead (no OTP). When the TrueNAS asks
 * for a one-time password that was not given, the next line of standard
 * input is read (with a prompt and no echo on a terminal).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-semiauto-setup.h"
#include "kf-truenas-certificate.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>

enum { ADD_SEMIAUTO, PAIR_AGAIN };

/* The options both commands take for the admin's secrets and the TLS pin.
 * --otp is hidden: it is there to be refused (see refuse_otp_argv). */
#define PAIRING_SECRET_ENTRIES(password_stdin, api_key_stdin, otp_stdin, otp_argv) \
  { "password-stdin", 0, 0, G_OPTION_ARG_NONE, (password_stdin), N_("Read the admin password from standard input"), NULL }, \
  { "api-key-stdin", 0, 0, G_OPTION_ARG_NONE, (api_key_stdin), N_("Instead of the password, read an API key of the admin user from standard input (https only)"), NULL }, \
  { "otp-stdin", 0, 0, G_OPTION_ARG_NONE, (otp_stdin), N_("Read the one-time password from the next line of standard input"), NULL }, \
  { "otp", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, (otp_argv), NULL, NULL }
#define KEEP_SHELL_ENTRY(keep_shell) \
  { "keep-shell", 0, 0, G_OPTION_ARG_NONE, (keep_shell), N_("Leave a nologin login shell as it is (SSH logins then fail)"), NULL }
#define PAIRING_TRUST_ENTRY(trust) \
  { "trust-certificate", 0, 0, G_OPTION_ARG_STRING, (trust), N_("Trust exactly this TLS certificate (SHA-256 fingerprint)"), "SHA256:FP" }

/* What --help says after the options of both commands. */
#define PAIRING_HELP \
  N_("The Connect Timeout is one deadline for the whole conversation with the TrueNAS API: connecting " \
     "and every reply together must fit in it (time spent typing a one-time password does not count). " \
     "The SSH login check after pairing has the same limit of its own.\n\n" \
     "Exit status: 0 paired and logged in over SSH; 1 failed, and nothing was changed (or the message " \
     "says exactly what remains); 2 usage error; 3 paired and saved, but the SSH login check failed " \
     "(the reason is printed).")

typedef struct {
  gboolean otp_given;   /* a one-time password was sent at least once */
} OtpState;

static void
on_otp_requested (KfSemiautoSetup *setup,
                  const char      *message,
                  OtpState        *state)
{
  g_autoptr(GError) error = NULL;
  char *otp;

  /* On a terminal, say why we ask; a script sees the outcome only. */
  if (message != NULL && kf_cli_stderr_is_tty ())
    fprintf (stderr, "keyferry-cli: %s\n", message);
  otp = kf_cli_read_secret_prompt (_("One-time password: "), &error);
  if (otp == NULL && error != NULL)
    kf_cli_fail (error);
  if (otp != NULL && *otp != '\0')
    state->otp_given = TRUE;
  kf_semiauto_setup_provide_otp (setup, otp);
  kf_secret_free (otp);
}

/* Changes on the TrueNAS beyond the key (a nologin shell set to bash, sudo
 * for zfs, the SSH service started): the CLI does what TrueNAS's own setup
 * does and says so on stderr, terminal or not (--keep-shell leaves the shell). */
static void
on_confirm_change (KfSemiautoSetup *setup,
                   const char      *id,
                   const char      *message,
                   gpointer         user_data)
{
  fprintf (stderr, "keyferry-cli: %s\n", message);
  kf_semiauto_setup_confirm (setup, TRUE);
}

/* Only on a terminal: a script reading stderr gets just the outcome. */
static void
on_progress (KfSemiautoSetup *setup,
             int              step,
             const char      *message,
             gpointer         user_data)
{
  if (message != NULL && *message != '\0' && kf_cli_stderr_is_tty ())
    fprintf (stderr, "%s\n", message);
}

static gboolean
parse_protocol (const char        *text,
                KfTruenasProtocol *out)
{
  if (text == NULL || g_str_equal (text, "auto"))
    *out = KF_TRUENAS_PROTOCOL_AUTO;
  else if (g_str_equal (text, "jsonrpc"))
    *out = KF_TRUENAS_PROTOCOL_JSONRPC;
  else if (g_str_equal (text, "legacy"))
    *out = KF_TRUENAS_PROTOCOL_LEGACY;
  else
    return FALSE;
  return TRUE;
}

static void
print_note (const char *note)
{
  g_autoptr(GError) as_error = g_error_new_literal (KF_INPUT_ERROR, 0, note);
  kf_cli_fail (as_error);
}

/* The error as one line that says what to do on the command line. */
static void
report_failure (KfSemiautoSetup *setup,
                const GError    *error,
                const OtpState  *state)
{
  KfTruenasCertificate *certificate = kf_semiauto_setup_get_peer_certificate (setup);

  if (certificate != NULL
      && (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE)
          || g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED)))
    {
      /* Details for a person at a terminal; the line itself is enough to act on. */
      if (kf_cli_stderr_is_tty ())
        {
          fprintf (stderr, "  %-13s %s\n", _("Subject:"), kf_truenas_certificate_get_subject (certificate));
          fprintf (stderr, "  %-13s %s\n", _("Issuer:"), kf_truenas_certificate_get_issuer (certificate));
          fprintf (stderr, "  %-13s %s\n", _("Fingerprint:"), kf_truenas_certificate_get_fingerprint_display (certificate));
        }
      kf_cli_fail_message (_("%s If it matches, run again with --trust-certificate %s"), error->message,
                           kf_truenas_certificate_get_fingerprint (certificate));
    }
  else if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY)
           && kf_semiauto_setup_get_redirect_url (setup) != NULL)
    kf_cli_fail_message (_("%s Run add-semiauto again with --url %s"), error->message,
                         kf_semiauto_setup_get_redirect_url (setup));
  else if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED) && state->otp_given)
    kf_cli_fail_message (_("The TrueNAS did not accept the one-time password; run again with the current code from the authenticator app."));
  else if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED))
    kf_cli_fail_message (_("The admin account uses two-factor authentication; run again with --otp-stdin and give the one-time password on the line after the admin password."));
  else
    kf_cli_fail (error);
}

/* Reads the admin password and, with --otp-stdin, the one-time password
 * from stdin into @setup; FALSE with the error printed. */
static gboolean
read_secrets (KfCliContext    *ctx,
              KfSemiautoSetup *setup,
              gboolean         api_key_stdin,
              gboolean         otp_stdin,
              OtpState        *state)
{
  char *password = kf_cli_read_secret_prompt (api_key_stdin ? _("Admin API key: ") : _("Admin password: "), &ctx->error);
  char *otp;

  if (password == NULL || (api_key_stdin && *password == '\0'))
    {
      kf_secret_free (password);
      ctx->status = ctx->error ? kf_cli_fail (ctx->error)
                               : kf_cli_fail_message ("%s", api_key_stdin ? _("No API key on standard input.")
                                                                          : _("No admin password on standard input."));
      return FALSE;
    }
  if (api_key_stdin)
    kf_semiauto_setup_set_admin_api_key (setup, password);
  else
    kf_semiauto_setup_set_admin_password (setup, password);
  kf_secret_free (password);
  if (!otp_stdin)
    return TRUE;
  otp = kf_cli_read_secret_prompt (_("One-time password: "), &ctx->error);
  if (otp == NULL)
    {
      ctx->status = ctx->error ? kf_cli_fail (ctx->error) : kf_cli_fail_message (_("No one-time password on standard input."));
      return FALSE;
    }
  kf_semiauto_setup_set_otp (setup, otp);
  state->otp_given = *otp != '\0';
  kf_secret_free (otp);
  return TRUE;
}

/* Runs @setup with the secrets from stdin; prints the outcome. */
static int
run_setup (KfCliContext    *ctx,
           KfSemiautoSetup *setup,
           gboolean         api_key_stdin,
           gboolean         otp_stdin)
{
  g_autoptr(KfConnection) connection = NULL;
  OtpState state = { 0 };
  const char * const *notes;
  int status = KF_CLI_EXIT_FAILED;

  if (!read_secrets (ctx, setup, api_key_stdin, otp_stdin, &state))
    return ctx->status;

  g_signal_connect (setup, "otp-requested", G_CALLBACK (on_otp_requested), &state);
  g_signal_connect (setup, "progress", G_CALLBACK (on_progress), NULL);
  g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), NULL);
  /* A signal cancels the setup, which then leaves store and keyring as they were. */
  kf_semiauto_setup_run_async (setup, kf_cli_command_guard (ctx), kf_cli_async_done, &ctx->result);
  connection = kf_semiauto_setup_run_finish (setup, kf_cli_command_wait (ctx), &ctx->error);

  /* The notes include the outcome of the SSH check after pairing; after a
   * failure only the error line is for scripts. */
  notes = kf_semiauto_setup_get_notes (setup);
  for (guint i = 0; notes != NULL && notes[i] != NULL; i++)
    if (connection != NULL || kf_cli_stderr_is_tty ())
      print_note (notes[i]);

  if (connection == NULL)
    report_failure (setup, ctx->error, &state);
  else
    {
      kf_cli_print_connection (ctx->store, connection);
      if (kf_cli_stderr_is_tty ())
        fprintf (stderr, "keyferry-cli: %s (%s %s, %u round trips, %.0f ms)\n", _("Paired"),
                 _("protocol"), kf_truenas_protocol_to_string (kf_semiauto_setup_get_protocol (setup)),
                 kf_semiauto_setup_get_round_trips (setup), kf_semiauto_setup_get_total_ms (setup));
      /* The reason is among the notes printed above. */
      status = kf_semiauto_setup_get_ssh_login_ok (setup) ? KF_CLI_EXIT_OK : KF_CLI_EXIT_CHECK_FAILED;
    }
  kf_cli_command_release (ctx);
  return status;
}

/* One-time passwords on the command line are visible to every user (ps):
 * wipe what GOption parsed and refuse. Returns TRUE when --otp was given. */
static gboolean
refuse_otp_argv (KfCliContext *ctx,
                 char         *otp_argv)
{
  if (otp_argv == NULL)
    return FALSE;
  kf_secret_wipe_text (otp_argv);
  ctx->status = kf_cli_usage (ctx->command, _("one-time passwords are not taken from the command line, where other users can see them; use --otp-stdin"));
  return TRUE;
}

/* The admin's secret comes from stdin one way: the password (with an
 * optional OTP) or an API key. NULL when the options fit, else the problem. */
static const char *
secret_options_problem (gboolean password_stdin,
                        gboolean api_key_stdin,
                        gboolean otp_stdin)
{
  if (password_stdin && api_key_stdin)
    return _("give either --password-stdin or --api-key-stdin");
  if (api_key_stdin && otp_stdin)
    return _("an API key needs no one-time password; leave out --otp-stdin");
  if (!password_stdin && !api_key_stdin)
    return _("--password-stdin or --api-key-stdin is required: the admin password or API key is read from standard input");
  return NULL;
}

/* Checks --trust-certificate; returns the normalised pin or NULL (usage error printed). */
static gboolean
parse_pin (KfCliContext  *ctx,
           const char    *text,
           char         **out)
{
  g_autoptr(GError) error = NULL;

  *out = NULL;
  if (text == NULL)
    return TRUE;
  *out = kf_truenas_certificate_parse_pin (text, &error);
  if (*out == NULL)
    {
      ctx->status = kf_cli_usage (ctx->command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

/* What "connection add-semiauto" was given, and what its checks made of it. */
typedef struct {
  char              *url, *admin, *username, *keypair_name, *key_type_str, *trust, *protocol_str, *otp_argv;
  char              *timeout_str;
  gboolean           password_stdin, api_key_stdin, otp_stdin, generate, sudo, keep_shell;
  guint              timeout;     /* 0: the setup's default */
  KfKeyType          key_type;
  KfTruenasProtocol  protocol;
  char              *pin;         /* --trust-certificate, normalised */
  char              *name;        /* checked and trimmed */
} AddSemiauto;

static void
add_semiauto_clear (AddSemiauto *o)
{
  g_free (o->url);
  g_free (o->admin);
  g_free (o->username);
  g_free (o->keypair_name);
  g_free (o->key_type_str);
  g_free (o->trust);
  g_free (o->protocol_str);
  g_free (o->otp_argv);
  g_free (o->timeout_str);
  g_free (o->pin);
  g_free (o->name);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddSemiauto, add_semiauto_clear)

/* Which options go together: FALSE with the usage error printed. */
static gboolean
check_add_semiauto_options (KfCliContext *ctx,
                            AddSemiauto  *o)
{
  const char *problem = NULL;

  if (refuse_otp_argv (ctx, o->otp_argv))
    return FALSE;
  if (o->url == NULL)
    problem = _("--url is required");
  else if (secret_options_problem (o->password_stdin, o->api_key_stdin, o->otp_stdin) != NULL)
    problem = secret_options_problem (o->password_stdin, o->api_key_stdin, o->otp_stdin);
  else if (o->keypair_name != NULL && o->generate)
    problem = _("give either --keypair or --generate-key");
  else if (o->key_type_str != NULL && o->keypair_name != NULL)
    problem = _("--key-type needs --generate-key");
  else if (o->key_type_str != NULL && !kf_cli_parse_key_type (o->key_type_str, &o->key_type))
    {
      ctx->status = kf_cli_usage (ctx->command, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"),
                                  o->key_type_str);
      return FALSE;
    }
  else if (!kf_cli_parse_number (ctx, "--connect-timeout", o->timeout_str, kf_connection_validate_timeout, &o->timeout))
    return FALSE;
  else if (!parse_protocol (o->protocol_str, &o->protocol))
    problem = _("--protocol must be auto, jsonrpc or legacy");
  if (problem != NULL)
    {
      ctx->status = kf_cli_usage (ctx->command, "%s", problem);
      return FALSE;
    }
  return parse_pin (ctx, o->trust, &o->pin);
}

/* The setup as given; NULL with the error printed. */
static KfSemiautoSetup *
new_semiauto_setup (KfCliContext *ctx,
                    AddSemiauto  *o)
{
  g_autoptr(KfSemiautoSetup) setup = kf_semiauto_setup_new (ctx->vault);

  kf_semiauto_setup_set_name (setup, o->name);
  kf_semiauto_setup_set_url (setup, o->url);
  kf_semiauto_setup_set_admin_username (setup, o->admin ? o->admin : "root");
  kf_semiauto_setup_set_username (setup, o->username ? o->username : "root");
  kf_semiauto_setup_set_sudo_zfs (setup, o->sudo);
  kf_semiauto_setup_set_keep_shell (setup, o->keep_shell);
  kf_semiauto_setup_set_protocol (setup, o->protocol);
  if (o->timeout != 0)
    kf_semiauto_setup_set_connect_timeout (setup, o->timeout);
  if (o->pin != NULL)
    kf_semiauto_setup_set_tls_pin (setup, o->pin);
  if (o->keypair_name != NULL)
    {
      KfKeypair *keypair = kf_cli_find_keypair (ctx->store, o->keypair_name);
      if (keypair == NULL)
        {
          ctx->status = KF_CLI_EXIT_FAILED;
          return NULL;
        }
      kf_semiauto_setup_set_keypair_id (setup, kf_keypair_get_id (keypair));
    }
  else
    kf_semiauto_setup_set_generate_key (setup, o->key_type, 0);
  return g_steal_pointer (&setup);
}

static int
cmd_add_semiauto (int    argc,
                  char **argv)
{
  g_auto(AddSemiauto) o = { .key_type = KF_KEY_TYPE_ED25519 };
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &o.url, N_("TrueNAS URL (https:// assumed)"), "URL" },
    { "admin-username", 0, 0, G_OPTION_ARG_STRING, &o.admin, N_("Admin user of the TrueNAS (default root)"), "USER" },
    PAIRING_SECRET_ENTRIES (&o.password_stdin, &o.api_key_stdin, &o.otp_stdin, &o.otp_argv),
    { "username", 0, 0, G_OPTION_ARG_STRING, &o.username, N_("SSH user on the TrueNAS (default root)"), "USER" },
    { "keypair", 0, 0, G_OPTION_ARG_STRING, &o.keypair_name, N_("Existing key pair to install"), "NAME" },
    { "generate-key", 0, 0, G_OPTION_ARG_NONE, &o.generate, N_("Generate a new key pair “NAME Key” (the default)"), NULL },
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &o.key_type_str, N_("Type of the generated key (default ed25519)"), "TYPE" },
    { "sudo", 0, 0, G_OPTION_ARG_NONE, &o.sudo, N_("Enable passwordless sudo for zfs commands (SSH user not root)"), NULL },
    KEEP_SHELL_ENTRY (&o.keep_shell),
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &o.timeout_str, N_("Seconds the whole TrueNAS API conversation, and then the SSH login check, may take (default 10)"), "S" },
    PAIRING_TRUST_ENTRY (&o.trust),
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &o.protocol_str, N_("API protocol: auto (default), jsonrpc or legacy"), "P" },
    { NULL }
  };
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfSemiautoSetup) setup = NULL;

  if (!kf_cli_command_parse (&ctx, &kf_cli_semiauto_commands[ADD_SEMIAUTO], entries, argc, argv))
    {
      refuse_otp_argv (&ctx, o.otp_argv);
      return ctx.status;
    }
  if (!check_add_semiauto_options (&ctx, &o))
    return ctx.status;
  if (!(o.name = kf_cli_check_name (ctx.arg, _("connection"), &ctx.error)))
    return kf_cli_fail (ctx.error);
  if (!kf_cli_command_open (&ctx) || !(setup = new_semiauto_setup (&ctx, &o)))
    return ctx.status;
  return run_setup (&ctx, setup, o.api_key_stdin, o.otp_stdin);
}

static int
cmd_pair_again (int    argc,
                char **argv)
{
  g_autofree char *trust = NULL, *otp_argv = NULL;
  gboolean password_stdin = FALSE, api_key_stdin = FALSE, otp_stdin = FALSE, keep_shell = FALSE;
  const char *problem;
  const GOptionEntry entries[] = {
    PAIRING_SECRET_ENTRIES (&password_stdin, &api_key_stdin, &otp_stdin, &otp_argv),
    PAIRING_TRUST_ENTRY (&trust),
    KEEP_SHELL_ENTRY (&keep_shell),
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_semiauto_commands[PAIR_AGAIN];
  g_auto(KfCliContext) ctx = { 0 };
  g_autoptr(KfSemiautoSetup) setup = NULL;
  g_autofree char *pin = NULL;

  if (!kf_cli_command_parse (&ctx, cmd, entries, argc, argv) || refuse_otp_argv (&ctx, otp_argv))
    return ctx.status;
  if ((problem = secret_options_problem (password_stdin, api_key_stdin, otp_stdin)) != NULL)
    return kf_cli_usage (cmd, "%s", problem);
  if (!parse_pin (&ctx, trust, &pin) || !kf_cli_command_open (&ctx))
    return ctx.status;
  if (kf_connection_get_setup_method (ctx.connection) != KF_SETUP_METHOD_SEMI_AUTOMATIC)
    {
      g_autofree char *shown = kf_cli_display (kf_connection_get_name (ctx.connection));
      return kf_cli_fail_message (_("“%s” was set up manually; pairing again works only for TrueNAS connections."), shown);
    }

  setup = kf_semiauto_setup_new_pair_again (ctx.vault, ctx.connection);
  if (pin != NULL)
    kf_semiauto_setup_set_tls_pin (setup, pin);
  kf_semiauto_setup_set_keep_shell (setup, keep_shell);
  return run_setup (&ctx, setup, api_key_stdin, otp_stdin);
}

const KfCliCommand kf_cli_semiauto_commands[] = {
  [ADD_SEMIAUTO] = { "connection", "add-semiauto",
    "NAME --url URL [--admin-username USER] (--password-stdin [--otp-stdin] | --api-key-stdin) [--username USER] "
    "[--keypair NAME | --generate-key [--key-type TYPE]] [--sudo] [--keep-shell] [--connect-timeout S] "
    "[--trust-certificate SHA256:FINGERPRINT] [--protocol auto|jsonrpc|legacy]",
    N_("Set up a connection to a TrueNAS through its API (installs the public key)"), cmd_add_semiauto,
    1, KF_CLI_NEEDS_VAULT, PAIRING_HELP },
  [PAIR_AGAIN] = { "connection", "pair-again",
    "NAME (--password-stdin [--otp-stdin] | --api-key-stdin) [--trust-certificate SHA256:FINGERPRINT] [--keep-shell]",
    N_("Install the key pair on the TrueNAS again and refresh its host keys"), cmd_pair_again,
    1, KF_CLI_NEEDS_CONNECTION | KF_CLI_NEEDS_VAULT, PAIRING_HELP },
  { NULL }
};
