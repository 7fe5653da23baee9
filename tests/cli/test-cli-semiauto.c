/* test-cli-semiauto.c: keyferry-cli connection add-semiauto / pair-again end to end:
 * the fake TrueNAS over real TLS installs the key into the authorized_keys
 * file of a real sshd, and `keyferry-cli connection test` logs in.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "truenas-fixture.h"

static KfTestSshd *sshd;

static int
cli (const char  *input,
     char       **out,
     char       **err,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL));
  va_start (ap, err);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return kf_test_run_command ((const char * const *) argv->pdata, input, out, err);
}

static TnFake *
start_fake (const char *protocols)
{
  const char *types[] = { "rsa", "ecdsa", "ed25519" };
  g_autofree char *extra = g_strdup_printf ("\"protocols\": \"%s\"", protocols);
  g_autoptr(GPtrArray) host_keys = g_ptr_array_new_with_free_func (g_free);
  TnFakeOptions options = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_ptr_array_add (host_keys, g_strconcat (kf_test_sshd_get_host_key_path (sshd, types[i]), ".pub", NULL));
  g_ptr_array_add (host_keys, NULL);
  options.ssh_port = kf_test_sshd_get_port (sshd);
  options.authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd);
  options.host_keys = (const char * const *) host_keys->pdata;
  options.ssh_user = kf_test_sshd_get_user (sshd);
  return tn_fake_start (extra, &options);
}

static void
pair_and_login (const char *protocols,
                const char *name)
{
  TnFake *fake = start_fake (protocols);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *keys = NULL;
  /* Scaled for the sanitizer run (kf_test_timeout): not under test here. */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  g_autoptr(JsonNode) shown = NULL;
  int status;

  /* Untrusted certificate: exit 1, and the fingerprint to pass is printed. */
  status = cli ("s3cret\n", &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin",
                "--username", kf_test_sshd_get_user (sshd), NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "--trust-certificate"));
  g_assert_nonnull (strstr (err, tn_fixture_cert_pin ()));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli (NULL, &out, &err, "connection", "show", name, NULL);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* 10 s per reply, as the other success paths (test-truenas-client,
   * test-semiauto-setup): under the sanitizers, two tests at a time on two
   * cores, 5 s was seen to run out during the TLS and WebSocket set-up. */
  status = cli ("s3cret\n", &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--password-stdin",
                "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  /* The password never shows up in what the CLI printed. */
  g_assert_null (strstr (out, "s3cret"));
  g_assert_null (strstr (err, "s3cret"));

  keys = tn_fake_read_authorized_keys (fake);
  g_assert_cmpstr (keys, !=, "");

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli (NULL, &out, &err, "connection", "show", name, "--json", NULL);
  g_assert_cmpint (status, ==, 0);
  shown = json_from_string (out, NULL);
  g_assert_nonnull (shown);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "setup_method"), ==, "semi-automatic");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (shown), "tls_pin"), ==, tn_fixture_cert_pin ());
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (shown), "port"), ==, kf_test_sshd_get_port (sshd));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (shown), "host_keys")), ==, 3);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (shown), "host_key_verified"));

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli (NULL, &out, &err, "connection", "test", name, NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);

  /* Pair again, with the stored pin, works and keeps the key once. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli ("s3cret\n", &out, &err, "connection", "pair-again", name, "--password-stdin", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (NULL, &out, &err, "connection", "delete", name, "--with-keypair", NULL), ==, 0);
  tn_fake_stop (fake);
}

static void
test_jsonrpc (void)
{
  pair_and_login ("jsonrpc", "nas-jsonrpc");
}

static void
test_legacy (void)
{
  pair_and_login ("legacy", "nas-legacy");
}

static void
test_otp_and_usage (void)
{
  TnFake *fake = start_fake ("both");
  g_autofree char *out = NULL, *err = NULL;
  int status;

  /* The code is never taken from argv. */
  status = cli ("s3cret\n", &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url,
                "--password-stdin", "--otp", "246810", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--otp-stdin"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli (NULL, &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url, NULL);
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* JSON-RPC asks for the code: it is read from the next line of stdin. */
  status = cli ("s3cret\n246810\n", &out, &err, "connection", "add-semiauto", "otp", "--url", fake->https_url,
                "--admin-username", "twofa", "--password-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "246810"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A wrong code: refused, nothing saved. */
  status = cli ("s3cret\n000000\n", &out, &err, "connection", "add-semiauto", "otp2", "--url", fake->https_url,
                "--admin-username", "twofa", "--password-stdin", "--otp-stdin",
                "--username", kf_test_sshd_get_user (sshd), "--trust-certificate", tn_fixture_cert_pin (), NULL);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (NULL, &out, &err, "connection", "show", "otp2", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (NULL, &out, &err, "keypair", "show", "otp2 Key", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Plain hex pin (OpenSSL colon form is covered by the pin parser tests). */
  g_assert_cmpint (cli (NULL, &out, &err, "connection", "delete", "otp", "--with-keypair", NULL), ==, 0);
  tn_fake_stop (fake);
}

/* --api-key-stdin: the key is the first line of stdin, https only, never printed or saved. */
static void
test_api_key (void)
{
  TnFake *fake = start_fake ("both");
  const char *secret = strchr (TN_API_KEY, '-') + 1;
  g_autofree char *key_line = g_strconcat (TN_API_KEY, "\n", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *store = NULL;
  g_autoptr(JsonNode) state = NULL;
  /* Not under test here: scaled for the sanitizer run (kf_test_timeout). */
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  int status;

  /* One secret from stdin: the password or the key, and no OTP with a key. */
  status = cli (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->https_url,
                "--password-stdin", "--api-key-stdin", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "either --password-stdin or --api-key-stdin"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  status = cli (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->https_url,
                "--api-key-stdin", "--otp-stdin", NULL);
  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "no one-time password"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* http:// (the fake's port that would redirect to https): refused before
   * anything is sent, so the fake saw no call at all. */
  status = cli (key_line, &out, &err, "connection", "add-semiauto", "key", "--url", fake->http_url,
                "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "only over https"));
  state = tn_fake_read_state (fake);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (state), "calls")), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (NULL, &out, &err, "connection", "show", "key", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* https: paired with the key on each protocol, and the SSH login works. */
  for (guint i = 0; i < 2; i++)
    {
      const char *protocol = i == 0 ? "jsonrpc" : "legacy";
      g_autofree char *name = g_strconcat ("key-", protocol, NULL);

      status = cli (key_line, &out, &err, "connection", "add-semiauto", name, "--url", fake->https_url,
                    "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                    "--trust-certificate", tn_fixture_cert_pin (), "--protocol", protocol,
                    "--connect-timeout", reply_timeout, NULL);
      if (status != 0)
        g_printerr ("%s\n%s\n", out, err);
      g_assert_cmpint (status, ==, 0);
      g_assert_null (strstr (out, secret));
      g_assert_null (strstr (err, secret));
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
      g_assert_cmpint (cli (NULL, &out, &err, "connection", "test", name, NULL), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
  /* Pair again with the key. */
  status = cli (key_line, &out, &err, "connection", "pair-again", "key-jsonrpc", "--api-key-stdin", NULL);
  if (status != 0)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A revoked key: refused, nothing saved. */
  status = cli (TN_API_KEY_REVOKED "\n", &out, &err, "connection", "add-semiauto", "revoked", "--url", fake->https_url,
                "--admin-username", "truenas_admin", "--api-key-stdin", "--username", kf_test_sshd_get_user (sshd),
                "--trust-certificate", tn_fixture_cert_pin (), "--connect-timeout", reply_timeout, NULL);
  if (strstr (err, "refused the API key") == NULL)
    g_printerr ("%s\n%s\n", out, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "refused the API key"));
  g_assert_null (strstr (err, strchr (TN_API_KEY_REVOKED, '-') + 1));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (NULL, &out, &err, "connection", "show", "revoked", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The key is in no file of the store. */
  {
    g_autofree char *data_dir = g_build_filename (g_get_user_data_dir (), "keyferry", NULL);
    g_autoptr(GDir) dir = g_dir_open (data_dir, 0, NULL);
    const char *file;

    g_assert_nonnull (dir);
    while ((file = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (data_dir, file, NULL);
        g_clear_pointer (&store, g_free);
        if (g_file_get_contents (path, &store, NULL, NULL))
          g_assert_null (strstr (store, secret));
      }
  }
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (cli (NULL, &out, &err, "connection", "delete", i == 0 ? "key-jsonrpc" : "key-legacy",
                            "--with-keypair", NULL), ==, 0);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }
  tn_fake_stop (fake);
}

/* An HA standby (REDIRECT) names the active controller to use; a rate limit says to wait. */
static void
test_standby_and_rate_limit (void)
{
  TnFake *standby = tn_fake_start ("\"login_redirect_urls\": [\"http://10.0.0.2\", \"https://10.0.0.2:8443\"]", NULL);
  TnFake *limited = tn_fake_start ("\"rate_limit\": {\"max_calls\": 0, \"period_s\": 60, \"sleep_ms\": [0, 0]}", NULL);
  g_autofree char *out = NULL, *err = NULL;
  g_autofree char *reply_timeout = g_strdup_printf ("%u", kf_test_timeout (10));
  int status;

  status = cli ("s3cret\n", &out, &err, "connection", "add-semiauto", "standby", "--url", standby->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--trust-certificate", tn_fixture_cert_pin (),
                "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "standby controller"));
  g_assert_nonnull (strstr (err, "--url https://10.0.0.2:8443"));
  /* One line. */
  g_assert_cmpint (strchr (err, '\n') - err, ==, (long) strlen (err) - 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  status = cli ("s3cret\n", &out, &err, "connection", "add-semiauto", "limited", "--url", limited->https_url,
                "--admin-username", "truenas_admin", "--password-stdin", "--trust-certificate", tn_fixture_cert_pin (),
                "--connect-timeout", reply_timeout, NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "limiting login attempts"));
  g_assert_nonnull (strstr (err, "wait a minute"));
  tn_fake_stop (limited);
  tn_fake_stop (standby);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  kf_test_init (&argc, &argv);
  tn_fixture_init ();
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/cli/semiauto/jsonrpc", test_jsonrpc);
  g_test_add_func ("/cli/semiauto/legacy", test_legacy);
  g_test_add_func ("/cli/semiauto/otp", test_otp_and_usage);
  g_test_add_func ("/cli/semiauto/api-key", test_api_key);
  g_test_add_func ("/cli/semiauto/standby-and-rate-limit", test_standby_and_rate_limit);
  ret = g_test_run ();
  kf_test_sshd_stop (sshd);
  return ret;
}
