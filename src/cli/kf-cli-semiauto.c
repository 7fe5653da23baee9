/* kf-cli-semiauto.c: keyferry-cli connection add-semiauto | pair-again
 *
 * The admin password comes from standard input (first line); with
 * --otp-stdin the one-time password is the next line. When the TrueNAS asks
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

static int cmd_add_semiauto (int argc, char **argv);
static int cmd_pair_again (int argc, char **argv);

enum { ADD_SEMIAUTO, PAIR_AGAIN };

const KfCliCommand kf_cli_semiauto_commands[] = {
  [ADD_SEMIAUTO] = { "connection", "add-semiauto",
    "NAME --url URL [--admin-username USER] --password-stdin [--otp-stdin] [--username USER] "
    "[--keypair NAME | --generate-key [--key-type TYPE]] [--sudo] [--connect-timeout S] "
    "[--trust-certificate SHA256:FINGERPRINT] [--protocol auto|jsonrpc|legacy]",
    N_("Set up a connection to a TrueNAS through its API (installs the public key)"), cmd_add_semiauto },
  [PAIR_AGAIN] = { "connection", "pair-again",
    "NAME --password-stdin [--otp-stdin] [--trust-certificate SHA256:FINGERPRINT]",
    N_("Install the key pair on the TrueNAS again and refresh its host keys"), cmd_pair_again },
  { NULL }
};

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
  else if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED) && state->otp_given)
    kf_cli_fail_message (_("The TrueNAS did not accept the one-time password; run again with the current code from the authenticator app."));
  else if (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED))
    kf_cli_fail_message (_("The admin account uses two-factor authentication; run again with --otp-stdin and give the one-time password on the line after the admin password."));
  else
    kf_cli_fail (error);
}

/* Runs @setup with the secrets from stdin; prints the outcome. */
static int
run_setup (KfStore         *store,
           KfSemiautoSetup *setup,
           gboolean         otp_stdin)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(KfConnection) connection = NULL;
  OtpState state = { 0 };
  char *password;
  const char * const *notes;

  password = kf_cli_read_secret_prompt (_("Admin password: "), &error);
  if (password == NULL)
    return error ? kf_cli_fail (error) : kf_cli_fail_message (_("No admin password on standard input."));
  kf_semiauto_setup_set_admin_password (setup, password);
  kf_secret_free (password);
  if (otp_stdin)
    {
      char *otp = kf_cli_read_secret_prompt (_("One-time password: "), &error);
      if (otp == NULL)
        return error ? kf_cli_fail (error) : kf_cli_fail_message (_("No one-time password on standard input."));
      kf_semiauto_setup_set_otp (setup, otp);
      state.otp_given = *otp != '\0';
      kf_secret_free (otp);
    }

  g_signal_connect (setup, "otp-requested", G_CALLBACK (on_otp_requested), &state);
  g_signal_connect (setup, "progress", G_CALLBACK (on_progress), NULL);
  /* A signal cancels the setup, which then leaves store and keyring as they were. */
  kf_cli_guard_begin ();
  kf_semiauto_setup_run_async (setup, kf_cli_get_cancellable (), kf_cli_async_done, &result);
  connection = kf_semiauto_setup_run_finish (setup, kf_cli_wait (&result), &error);

  /* The notes include the outcome of the SSH check after pairing; after a
   * failure only the error line is for scripts. */
  notes = kf_semiauto_setup_get_notes (setup);
  for (guint i = 0; notes != NULL && notes[i] != NULL; i++)
    if (connection != NULL || kf_cli_stderr_is_tty ())
      print_note (notes[i]);

  if (connection == NULL)
    {
      report_failure (setup, error, &state);
      kf_cli_guard_end ();
      return KF_CLI_EXIT_FAILED;
    }

  kf_cli_print_connection (store, connection);
  if (kf_cli_stderr_is_tty ())
    fprintf (stderr, "keyferry-cli: %s (%s %s, %u round trips, %.0f ms)\n", _("Paired"),
             _("protocol"), kf_truenas_protocol_to_string (kf_semiauto_setup_get_protocol (setup)),
             kf_semiauto_setup_get_round_trips (setup), kf_semiauto_setup_get_total_ms (setup));
  kf_cli_guard_end ();
  return KF_CLI_EXIT_OK;
}

/* One-time passwords on the command line are visible to every user (ps):
 * wipe what GOption parsed and refuse. Returns TRUE when --otp was given. */
static gboolean
refuse_otp_argv (const KfCliCommand *cmd,
                 char               *otp_argv,
                 int                *status)
{
  if (otp_argv == NULL)
    return FALSE;
  kf_secret_wipe_text (otp_argv);
  *status = kf_cli_usage (cmd, _("one-time passwords are not taken from the command line, where other users can see them; use --otp-stdin"));
  return TRUE;
}

/* Checks --trust-certificate; returns the normalised pin or NULL (usage error printed). */
static gboolean
parse_pin (const KfCliCommand *cmd,
           const char         *text,
           char              **out,
           int                *status)
{
  g_autoptr(GError) error = NULL;

  *out = NULL;
  if (text == NULL)
    return TRUE;
  *out = kf_truenas_certificate_parse_pin (text, &error);
  if (*out == NULL)
    {
      *status = kf_cli_usage (cmd, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static int
cmd_add_semiauto (int    argc,
                  char **argv)
{
  g_autofree char *url = NULL, *admin = NULL, *username = NULL, *keypair_name = NULL;
  g_autofree char *key_type_str = NULL, *trust = NULL, *protocol_str = NULL, *otp_argv = NULL;
  g_autofree char *timeout_str = NULL;
  gboolean password_stdin = FALSE, otp_stdin = FALSE, generate = FALSE, sudo = FALSE;
  guint timeout = 0;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("TrueNAS URL (https:// assumed)"), "URL" },
    { "admin-username", 0, 0, G_OPTION_ARG_STRING, &admin, N_("Admin user of the TrueNAS (default root)"), "USER" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the admin password from standard input"), NULL },
    { "otp-stdin", 0, 0, G_OPTION_ARG_NONE, &otp_stdin, N_("Read the one-time password from the next line of standard input"), NULL },
    { "otp", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &otp_argv, NULL, NULL },
    { "username", 0, 0, G_OPTION_ARG_STRING, &username, N_("SSH user on the TrueNAS (default root)"), "USER" },
    { "keypair", 0, 0, G_OPTION_ARG_STRING, &keypair_name, N_("Existing key pair to install"), "NAME" },
    { "generate-key", 0, 0, G_OPTION_ARG_NONE, &generate, N_("Generate a new key pair “NAME Key” (the default)"), NULL },
    { "key-type", 0, 0, G_OPTION_ARG_STRING, &key_type_str, N_("Type of the generated key (default ed25519)"), "TYPE" },
    { "sudo", 0, 0, G_OPTION_ARG_NONE, &sudo, N_("Enable passwordless sudo for zfs commands (SSH user not root)"), NULL },
    { "connect-timeout", 0, 0, G_OPTION_ARG_STRING, &timeout_str, N_("Seconds to wait for the SSH server (default 10)"), "S" },
    { "trust-certificate", 0, 0, G_OPTION_ARG_STRING, &trust, N_("Trust exactly this TLS certificate (SHA-256 fingerprint)"), "SHA256:FP" },
    { "protocol", 0, 0, G_OPTION_ARG_STRING, &protocol_str, N_("API protocol: auto (default), jsonrpc or legacy"), "P" },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_semiauto_commands[ADD_SEMIAUTO];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(KfSemiautoSetup) setup = NULL;
  g_autofree char *name = NULL;
  g_autofree char *pin = NULL;
  KfKeyType key_type = KF_KEY_TYPE_ED25519;
  KfTruenasProtocol protocol;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    {
      refuse_otp_argv (cmd, otp_argv, &status);
      return status;
    }
  if (refuse_otp_argv (cmd, otp_argv, &status))
    return status;
  if (url == NULL)
    return kf_cli_usage (cmd, _("--url is required"));
  if (!password_stdin)
    return kf_cli_usage (cmd, _("--password-stdin is required: the admin password is read from standard input"));
  if (keypair_name != NULL && generate)
    return kf_cli_usage (cmd, _("give either --keypair or --generate-key"));
  if (key_type_str != NULL && keypair_name != NULL)
    return kf_cli_usage (cmd, _("--key-type needs --generate-key"));
  if (key_type_str != NULL && !kf_cli_parse_key_type (key_type_str, &key_type))
    return kf_cli_usage (cmd, _("unknown key type “%s”; use ed25519, ecdsa-p256, ecdsa-p384, ecdsa-p521 or rsa"), key_type_str);
  if (!kf_cli_parse_timeout (cmd, timeout_str, &timeout, &status))
    return status;
  if (!parse_protocol (protocol_str, &protocol))
    return kf_cli_usage (cmd, _("--protocol must be auto, jsonrpc or legacy"));
  if (!parse_pin (cmd, trust, &pin, &status))
    return status;
  if (!(name = kf_cli_check_name (argv[1], _("connection"), &error)))
    return kf_cli_fail (error);

  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  vault = kf_vault_new (store);
  setup = kf_semiauto_setup_new (vault);
  kf_semiauto_setup_set_name (setup, name);
  kf_semiauto_setup_set_url (setup, url);
  kf_semiauto_setup_set_admin_username (setup, admin ? admin : "root");
  kf_semiauto_setup_set_username (setup, username ? username : "root");
  kf_semiauto_setup_set_sudo_zfs (setup, sudo);
  kf_semiauto_setup_set_protocol (setup, protocol);
  if (timeout != 0)
    kf_semiauto_setup_set_connect_timeout (setup, timeout);
  if (pin != NULL)
    kf_semiauto_setup_set_tls_pin (setup, pin);
  if (keypair_name != NULL)
    {
      KfKeypair *keypair = kf_cli_find_keypair (store, keypair_name);
      if (keypair == NULL)
        return KF_CLI_EXIT_FAILED;
      kf_semiauto_setup_set_keypair_id (setup, kf_keypair_get_id (keypair));
    }
  else
    kf_semiauto_setup_set_generate_key (setup, key_type, 0);

  return run_setup (store, setup, otp_stdin);
}

static int
cmd_pair_again (int    argc,
                char **argv)
{
  g_autofree char *trust = NULL, *otp_argv = NULL;
  gboolean password_stdin = FALSE, otp_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, N_("Read the admin password from standard input"), NULL },
    { "otp-stdin", 0, 0, G_OPTION_ARG_NONE, &otp_stdin, N_("Read the one-time password from the next line of standard input"), NULL },
    { "otp", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &otp_argv, NULL, NULL },
    { "trust-certificate", 0, 0, G_OPTION_ARG_STRING, &trust, N_("Trust exactly this TLS certificate (SHA-256 fingerprint)"), "SHA256:FP" },
    { NULL }
  };
  const KfCliCommand *cmd = &kf_cli_semiauto_commands[PAIR_AGAIN];
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(KfSemiautoSetup) setup = NULL;
  g_autofree char *pin = NULL;
  KfConnection *connection;
  int status;

  if (!kf_cli_parse (cmd, entries, 1, &argc, &argv, &status))
    return status;
  if (refuse_otp_argv (cmd, otp_argv, &status))
    return status;
  if (!password_stdin)
    return kf_cli_usage (cmd, _("--password-stdin is required: the admin password is read from standard input"));
  if (!parse_pin (cmd, trust, &pin, &status))
    return status;
  if (!(store = kf_cli_open_store (&error)))
    return kf_cli_fail (error);
  if (!(connection = kf_cli_find_connection (store, argv[1])))
    return KF_CLI_EXIT_FAILED;
  if (kf_connection_get_setup_method (connection) != KF_SETUP_METHOD_SEMI_AUTOMATIC)
    {
      g_autofree char *shown = kf_cli_display (kf_connection_get_name (connection));
      return kf_cli_fail_message (_("“%s” was set up manually; pairing again works only for TrueNAS connections."), shown);
    }

  vault = kf_vault_new (store);
  setup = kf_semiauto_setup_new_pair_again (vault, connection);
  if (pin != NULL)
    kf_semiauto_setup_set_tls_pin (setup, pin);
  return run_setup (store, setup, otp_stdin);
}
