/* test-keys-login.c: the keys we make and import really log in to a real sshd.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Keys Keyferry generates are exported and used by OpenSSH's ssh; keys
 * ssh-keygen made (encrypted ones too) are imported through Keyferry and the
 * resulting unencrypted private key logs in through libssh. Both against the
 * real sshd of tests/harness/kf-test-sshd.h, with a key that is not
 * authorized as the control that must fail.
 */
#include <string.h>

#include <libssh/libssh.h>

#include "keys-test-util.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"

#define PASSPHRASE "correct horse battery"
#define TEST_COMMAND "echo keyferry-ok"
#define TEST_OUTPUT "keyferry-ok"

static KfTestSshd *sshd;

/* OpenSSH's ssh with @private_text as its only identity; returns its exit status. */
static int
openssh_login (const char  *private_text,
               char       **out)
{
  g_autofree char *key_path = kt_write_temp ("id", private_text);
  g_autofree char *port = g_strdup_printf ("%u", kf_test_sshd_get_port (sshd));
  g_autofree char *dest = g_strdup_printf ("%s@127.0.0.1", kf_test_sshd_get_user (sshd));
  g_autofree char *err = NULL;
  const char *argv[] = {
    "ssh", "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
    "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "ConnectTimeout=10",
    "-o", "LogLevel=ERROR", "-i", key_path, "-p", port, dest, TEST_COMMAND, NULL
  };
  int status;

  status = kf_test_run_command (argv, NULL, out, &err);
  if (status != 0)
    g_test_message ("ssh login refused (exit %d): %s", status, err);
  return status;
}

/* libssh with @private_text: TRUE when it authenticated and the command printed
 * TEST_OUTPUT. */
static gboolean
libssh_login (const char *private_text)
{
  ssh_session session = ssh_new ();
  ssh_key key = NULL;
  ssh_channel channel = NULL;
  unsigned int port = kf_test_sshd_get_port (sshd);
  long timeout = 10;
  int no = 0;
  g_autoptr(GString) output = g_string_new (NULL);
  gboolean ok = FALSE;
  char buf[256];
  int n;

  g_assert_nonnull (session);
  ssh_options_set (session, SSH_OPTIONS_HOST, "127.0.0.1");
  ssh_options_set (session, SSH_OPTIONS_PORT, &port);
  ssh_options_set (session, SSH_OPTIONS_USER, kf_test_sshd_get_user (sshd));
  ssh_options_set (session, SSH_OPTIONS_TIMEOUT, &timeout);
  ssh_options_set (session, SSH_OPTIONS_PROCESS_CONFIG, &no);

  if (ssh_connect (session) != SSH_OK)
    g_error ("libssh could not connect to the test sshd: %s", ssh_get_error (session));

  g_assert_cmpint (ssh_pki_import_privkey_base64 (private_text, NULL, NULL, NULL, &key), ==, SSH_OK);
  if (ssh_userauth_publickey (session, NULL, key) != SSH_AUTH_SUCCESS)
    {
      g_test_message ("libssh login refused: %s", ssh_get_error (session));
      goto out;
    }

  channel = ssh_channel_new (session);
  g_assert_nonnull (channel);
  g_assert_cmpint (ssh_channel_open_session (channel), ==, SSH_OK);
  g_assert_cmpint (ssh_channel_request_exec (channel, TEST_COMMAND), ==, SSH_OK);
  while ((n = ssh_channel_read (channel, buf, sizeof buf, 0)) > 0)
    g_string_append_len (output, buf, n);
  ssh_channel_send_eof (channel);
  ssh_channel_close (channel);
  ok = g_str_equal (g_strstrip (output->str), TEST_OUTPUT);

out:
  if (channel != NULL)
    ssh_channel_free (channel);
  ssh_key_free (key);
  ssh_disconnect (session);
  ssh_free (session);
  return ok;
}

/* ------------------------------------------ generated here, used by OpenSSH */

typedef struct {
  const char *path;
  KfKeyType   type;
  guint       bits;
} GenerateCase;

static const GenerateCase generate_cases[] = {
  { "/keys/login/generated/ed25519",    KF_KEY_TYPE_ED25519,    0 },
  { "/keys/login/generated/ecdsa-p256", KF_KEY_TYPE_ECDSA_P256, 0 },
  { "/keys/login/generated/ecdsa-p384", KF_KEY_TYPE_ECDSA_P384, 0 },
  { "/keys/login/generated/ecdsa-p521", KF_KEY_TYPE_ECDSA_P521, 0 },
  { "/keys/login/generated/rsa-2048",   KF_KEY_TYPE_RSA,        2048 },
};

static void
test_generated_login (gconstpointer data)
{
  const GenerateCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autoptr(KfKeyMaterial) stranger = NULL;
  g_autofree char *out = NULL;
  g_autofree char *stranger_out = NULL;

  material = kt_generate (tc->type, tc->bits, "keyferry@test", &error);
  g_assert_no_error (error);
  stranger = kt_generate (tc->type, tc->bits, NULL, &error);
  g_assert_no_error (error);

  kf_test_sshd_add_authorized_key (sshd, kf_key_material_get_public_key (material));

  g_assert_cmpint (openssh_login (kf_key_material_get_private_key (material), &out), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, TEST_OUTPUT);

  /* control: the same kind of key, not authorized, is refused */
  g_assert_cmpint (openssh_login (kf_key_material_get_private_key (stranger), &stranger_out), !=, 0);
}

/* ------------------------------------ made by ssh-keygen, imported, libssh */

typedef struct {
  const char *path;
  const char *keygen_type;
  guint       bits;
  const char *format;
  gboolean    encrypted;
} ImportCase;

static const ImportCase import_cases[] = {
  { "/keys/login/imported/ed25519-openssh",           "ed25519", 0,    NULL,    FALSE },
  { "/keys/login/imported/ed25519-openssh-encrypted", "ed25519", 0,    NULL,    TRUE },
  { "/keys/login/imported/ecdsa-p256-pem-encrypted",  "ecdsa",   256,  "PEM",   TRUE },
  { "/keys/login/imported/ecdsa-p384-openssh-encrypted", "ecdsa", 384, NULL,    TRUE },
  { "/keys/login/imported/ecdsa-p521-pkcs8",          "ecdsa",   521,  "PKCS8", FALSE },
  { "/keys/login/imported/rsa-2048-openssh",          "rsa",     2048, NULL,    FALSE },
  { "/keys/login/imported/rsa-2048-pem-encrypted",    "rsa",     2048, "PEM",   TRUE },
  { "/keys/login/imported/rsa-3072-pkcs8-encrypted",  "rsa",     3072, "PKCS8", TRUE },
};

static void
test_imported_login (gconstpointer data)
{
  const ImportCase *tc = data;
  const char *passphrase = tc->encrypted ? PASSPHRASE : NULL;
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *stranger_private = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autoptr(KfKeyMaterial) stranger = NULL;

  kt_keygen_make (tc->keygen_type, tc->bits, tc->format, passphrase, "made-by-ssh-keygen",
                  &private_text, &public_text);
  material = kf_ssh_key_import (private_text, public_text, passphrase, &error);
  g_assert_no_error (error);
  g_assert_true (kf_key_material_get_has_private_key (material));

  kt_keygen_make (tc->keygen_type, tc->bits, tc->format, NULL, NULL, &stranger_private, NULL);
  stranger = kf_ssh_key_import (stranger_private, NULL, NULL, &error);
  g_assert_no_error (error);

  /* authorize the public key Keyferry derived (not the .pub file) */
  kf_test_sshd_add_authorized_key (sshd, kf_key_material_get_public_key (material));

  g_assert_true (libssh_login (kf_key_material_get_private_key (material)));
  g_assert_false (libssh_login (kf_key_material_get_private_key (stranger)));
}

/* ------------------------------------------------------------- host keys */

/* The server's own host keys (what discovery and known_hosts deal with) parse,
 * with the fingerprints ssh-keygen gives their files. */
static void
test_host_keys (void)
{
  const char *types[] = { "rsa", "ecdsa", "ed25519" };
  g_auto(GStrv) lines = kf_test_sshd_get_host_key_lines (sshd);

  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *pub_path = g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL);
      const char *argv[] = { "ssh-keygen", "-E", "sha256", "-lf", pub_path, NULL };
      g_autofree char *out = NULL;
      g_auto(GStrv) fields = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(KfKeyMaterial) material = NULL;
      g_autofree char *known_hosts_line = NULL;
      g_autofree char *fingerprint = NULL;

      g_assert_cmpint (kf_test_run_command (argv, NULL, &out, NULL), ==, 0);
      fields = g_strsplit (out, " ", 3);

      material = kf_ssh_key_parse_public (lines[i], &error);
      g_assert_no_error (error);
      g_assert_cmpstr (kf_key_material_get_fingerprint (material), ==, fields[1]);
      g_assert_cmpuint (kf_key_material_get_bits (material), ==, (guint) g_ascii_strtoull (fields[0], NULL, 10));
      g_assert_false (kf_key_material_get_has_private_key (material));

      /* the same key as a known_hosts line */
      known_hosts_line = g_strdup_printf ("[127.0.0.1]:%u %s", kf_test_sshd_get_port (sshd), lines[i]);
      fingerprint = kf_ssh_key_fingerprint (known_hosts_line, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (fingerprint, ==, fields[1]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  kf_test_init (&argc, &argv);

  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (generate_cases); i++)
    g_test_add_data_func (generate_cases[i].path, &generate_cases[i], test_generated_login);
  for (guint i = 0; i < G_N_ELEMENTS (import_cases); i++)
    g_test_add_data_func (import_cases[i].path, &import_cases[i], test_imported_login);

  g_test_add_func ("/keys/login/host-keys", test_host_keys);

  status = g_test_run ();
  kf_test_sshd_stop (sshd);
  return status;
}
