/* test-truenas-login.c: every auth.login_ex answer, the rate limit, and
 * logging in with an API key, against the fake TrueNAS over real TLS; the
 * API key paths pair for real into a real sshd (issue 10, points 8 and 9).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-secret.h"
#include "kf-semiauto-field.h"
#include "kf-semiauto-setup.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-truenas-client.h"
#include "kf-vault.h"
#include "truenas-fixture.h"

#define WAIT_S 60

static KfTestSshd *sshd;

/* ---- the client, one call at a time ---- */

typedef struct {
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;
  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static KfTruenasClient *
connected_client (TnFake            *fake,
                  KfTruenasProtocol  protocol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (fake->https_url, &error);
  KfTruenasClient *client;
  Wait wait = { 0 };

  g_assert_no_error (error);
  client = kf_truenas_client_new (url);
  kf_truenas_client_set_tls_pin (client, tn_fixture_cert_pin ());
  kf_truenas_client_set_protocol (client, protocol);
  /* Not under test here: scaled for the sanitizer run (kf_test_timeout). */
  kf_truenas_client_set_connect_timeout (client, kf_test_timeout (10));
  kf_truenas_client_connect_async (client, NULL, on_done, &wait);
  kf_test_wait_for (&wait.done, WAIT_S);
  g_assert_true (kf_truenas_client_connect_finish (client, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return client;
}

/* Logs in with @password, or with @api_key when that is not NULL. */
static gboolean
login (KfTruenasClient  *client,
       const char       *user,
       const char       *password,
       const char       *api_key,
       GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  if (api_key != NULL)
    kf_truenas_client_login_api_key_async (client, user, api_key, NULL, on_done, &wait);
  else
    kf_truenas_client_login_async (client, user, password, NULL, NULL, on_done, &wait);
  kf_test_wait_for (&wait.done, WAIT_S);
  ok = kf_truenas_client_login_finish (client, wait.result, error);
  g_object_unref (wait.result);
  return ok;
}

/* Connects with @protocol, logs in, expects @domain/@code and @words in the message. */
static void
assert_login_fails (TnFake            *fake,
                    KfTruenasProtocol  protocol,
                    const char        *user,
                    const char        *password,
                    const char        *api_key,
                    GQuark             domain,
                    int                code,
                    const char        *words)
{
  g_autoptr(KfTruenasClient) client = connected_client (fake, protocol);
  g_autoptr(GError) error = NULL;

  g_assert_false (login (client, user, password, api_key, &error));
  g_assert_error (error, domain, code);
  if (strstr (error->message, words) == NULL)
    g_error ("“%s” not in: %s", words, error->message);
  /* One plain sentence. */
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_false (kf_truenas_client_is_logged_in (client));
  /* Never the key itself. */
  if (api_key != NULL)
    g_assert_null (strstr (error->message, strchr (api_key, '-') + 1));
}

/* ---- every login_ex answer (point 8) ---- */

static void
test_expired (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);

  /* PAM_NEW_AUTHTOK_REQD: change the password in the web UI first. */
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_JSONRPC, "old", "s3cret", NULL,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT, "change it in the TrueNAS web interface first");
  /* An expired API key: a new key is needed. */
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_JSONRPC, "truenas_admin", NULL, TN_API_KEY_EXPIRED,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT, "create a new API key");
  tn_fake_stop (fake);
}

static void
test_denied (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);

  /* DENIED carries no reason on the wire; middlewared sends it only for an
   * account without API access, which is what the message says. */
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_JSONRPC, "nope", "s3cret", NULL,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT, "does not let that account use its API");
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_JSONRPC, "nope", NULL, TN_API_KEY_DENIED,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT, "does not let that account use its API");
  tn_fake_stop (fake);
}

/* ---- the semi-automatic setup ---- */

typedef struct {
  char *dir;
  KfStore *store;
  KfVault *vault;
} Env;

static Env *
env_new (void)
{
  Env *env = g_new0 (Env, 1);
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  env->dir = kf_test_make_tmpdir ("store");
  path = g_build_filename (env->dir, "keyferry.json", NULL);
  env->store = kf_store_new (path);
  kf_store_load (env->store, &error);
  g_assert_no_error (error);
  env->vault = kf_vault_new (env->store);
  return env;
}

static void
env_free (Env *env)
{
  g_object_unref (env->vault);
  g_object_unref (env->store);
  g_free (env->dir);
  g_free (env);
}

/* A setup that signs in with @api_key (or the password when NULL). */
static KfSemiautoSetup *
new_setup (Env        *env,
           const char *url,
           const char *name,
           const char *admin,
           const char *api_key)
{
  KfSemiautoSetup *setup = kf_semiauto_setup_new (env->vault);

  kf_semiauto_setup_set_name (setup, name);
  kf_semiauto_setup_set_url (setup, url);
  kf_semiauto_setup_set_tls_pin (setup, tn_fixture_cert_pin ());
  kf_semiauto_setup_set_admin_username (setup, admin);
  if (api_key != NULL)
    kf_semiauto_setup_set_admin_api_key (setup, api_key);
  else
    kf_semiauto_setup_set_admin_password (setup, "s3cret");
  kf_semiauto_setup_set_username (setup, kf_test_sshd_get_user (sshd));
  kf_semiauto_setup_set_generate_key (setup, KF_KEY_TYPE_ED25519, 0);
  /* Not under test here: scaled for the sanitizer run (kf_test_timeout). */
  kf_semiauto_setup_set_connect_timeout (setup, kf_test_timeout (10));
  return setup;
}

typedef struct {
  gboolean done;
  KfConnection *connection;
  GError *error;
} Run;

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;
  run->connection = kf_semiauto_setup_run_finish (KF_SEMIAUTO_SETUP (source), result, &run->error);
  run->done = TRUE;
}

static KfConnection *
run_setup (KfSemiautoSetup  *setup,
           GError          **error)
{
  Run run = { 0 };

  kf_semiauto_setup_run_async (setup, NULL, on_run_done, &run);
  kf_test_wait_for (&run.done, WAIT_S);
  if (run.error != NULL)
    g_propagate_error (error, run.error);
  return run.connection;
}

static void
test_redirect (void)
{
  /* get_ui_urls: http and https, for each address, in no order. */
  TnFake *fake = tn_fake_start ("\"login_redirect_urls\": [\"http://10.0.0.2\", \"http://[fd00::2]\","
                                " \"https://[fd00::2]\", \"https://10.0.0.2:8443\"]", NULL);
  TnFake *http_only = tn_fake_start ("\"login_redirect_urls\": [\"http://10.0.0.2\"]", NULL);
  Env *env = env_new ();

  /* The client names the https URL of the same address family (IPv4 here). */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(KfTruenasClient) client = connected_client (fake, KF_TRUENAS_PROTOCOL_JSONRPC);
      g_autoptr(GError) error = NULL;

      g_assert_false (login (client, "truenas_admin", i == 0 ? "s3cret" : NULL, i == 0 ? NULL : TN_API_KEY, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY);
      g_assert_cmpstr (kf_truenas_client_get_active_url (client), ==, "https://10.0.0.2:8443");
      g_assert_nonnull (strstr (error->message, "standby controller"));
      g_assert_nonnull (strstr (error->message, "https://10.0.0.2:8443"));
      g_assert_null (strstr (error->message, "http://"));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
    }

  /* The setup hands the URL on, for the CLI hint and the GUI button. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake->https_url, "standby", "truenas_admin", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = run_setup (setup, &error);

    g_assert_null (connection);
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY);
    g_assert_cmpstr (kf_semiauto_setup_get_redirect_url (setup), ==, "https://10.0.0.2:8443");
    g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (env->store)), ==, 0);
  }

  /* No https address named: no URL to offer (http would expose the password). */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, http_only->https_url, "standby", "truenas_admin", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = run_setup (setup, &error);

    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_STANDBY);
    g_assert_null (kf_semiauto_setup_get_redirect_url (setup));
    g_assert_null (strstr (error->message, "http://"));
  }

  /* Legacy auth.login is login_ex underneath: a standby just says false. */
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_LEGACY, "truenas_admin", "s3cret", NULL,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, "refused");

  env_free (env);
  tn_fake_stop (http_only);
  tn_fake_stop (fake);
}

static void
test_rate_limit (void)
{
  /* The limit (20 a minute in middlewared) made small so the test trips it. */
  TnFake *fake = tn_fake_start ("\"rate_limit\": {\"max_calls\": 2, \"period_s\": 60, \"sleep_ms\": [0, 50]}", NULL);
  KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };

  for (guint p = 0; p < G_N_ELEMENTS (protocols); p++)
    {
      /* Counted per method and address across connections, successes included. */
      for (guint i = 0; i < 2; i++)
        {
          g_autoptr(KfTruenasClient) client = connected_client (fake, protocols[p]);
          g_autoptr(GError) error = NULL;

          g_assert_true (login (client, "truenas_admin", "s3cret", NULL, &error));
          g_assert_no_error (error);
        }
      assert_login_fails (fake, protocols[p], "truenas_admin", "s3cret", NULL,
                          KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_RATE_LIMITED, "wait a minute, then try again");
    }
  /* auth.login_with_api_key is its own method: not limited yet. */
  {
    g_autoptr(KfTruenasClient) client = connected_client (fake, KF_TRUENAS_PROTOCOL_LEGACY);
    g_autoptr(GError) error = NULL;

    g_assert_true (login (client, "truenas_admin", NULL, TN_API_KEY, &error));
    g_assert_no_error (error);
  }
  tn_fake_stop (fake);
}

/* ---- API keys (point 9) ---- */

/* The fake installs keys where the sshd reads them and reports its host keys. */
static TnFake *
start_fake_for_sshd (const char *protocols)
{
  g_autofree char *rsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "rsa"), ".pub", NULL);
  g_autofree char *ecdsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ecdsa"), ".pub", NULL);
  g_autofree char *ed25519 = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  g_autofree char *extra = g_strdup_printf ("\"protocols\": \"%s\"", protocols);
  const char *host_keys[] = { rsa, ecdsa, ed25519, NULL };
  TnFakeOptions options = {
    .ssh_port = kf_test_sshd_get_port (sshd),
    .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
    .host_keys = host_keys,
    .ssh_user = kf_test_sshd_get_user (sshd),
  };

  return tn_fake_start (extra, &options);
}

/* The key is nowhere in the store file or the keyring. */
static void
assert_key_not_kept (Env        *env,
                     const char *api_key)
{
  const char *secret = strchr (api_key, '-') + 1;
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (kf_store_get_path (env->store), NULL, &error);

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (kf_store_get_path (env->store), &contents, NULL, NULL));
  g_assert_null (strstr (contents, secret));
  g_assert_cmpuint (entries->len, >, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      g_autoptr(KfSecret) stored = kf_keyring_lookup_sync (((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id,
                                                        NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (stored);
      g_assert_null (strstr (stored, secret));
    }
}

static void
pair_with_api_key (const char        *protocols,
                   KfTruenasProtocol  expected,
                   const char        *admin,
                   const char        *api_key)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (protocols);
  g_autofree char *name = g_strdup_printf ("nas-%s-%s", protocols, admin);
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake->https_url, name, admin, api_key);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = run_setup (setup, &error);
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *calls = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (connection);
  g_assert_cmpint (kf_semiauto_setup_get_protocol (setup), ==, expected);
  /* Paired for real: the SSH check logged in to the test sshd with the new key. */
  g_assert_true (kf_semiauto_setup_get_host_key_verified (setup));
  g_assert_cmpint (kf_connection_get_test_state (connection), ==, KF_TEST_STATE_OK);
  g_assert_cmpuint (kf_connection_get_port (connection), ==, kf_test_sshd_get_port (sshd));
  g_assert_cmpstr (kf_connection_get_admin_username (connection), ==, admin);
  assert_key_not_kept (env, api_key);

  /* The login went the API-key way on this protocol, and no password was tried. */
  state = tn_fake_read_state (fake);
  calls = json_to_string (json_object_get_member (json_node_get_object (state), "calls"), FALSE);
  if (expected == KF_TRUENAS_PROTOCOL_JSONRPC)
    g_assert_nonnull (strstr (calls, "\"auth.login_ex\""));
  else
    g_assert_nonnull (strstr (calls, "\"auth.login_with_api_key\""));
  g_assert_null (strstr (calls, "\"auth.login\""));
  g_test_message ("FIGURES %s with an API key: %u round trips for the whole setup", protocols,
                  kf_semiauto_setup_get_round_trips (setup));

  tn_fake_stop (fake);
  env_free (env);
}

static void
test_api_key_jsonrpc (void)
{
  pair_with_api_key ("jsonrpc", KF_TRUENAS_PROTOCOL_JSONRPC, "truenas_admin", TN_API_KEY);
  /* An admin with 2FA: an API key needs no one-time password. */
  pair_with_api_key ("jsonrpc", KF_TRUENAS_PROTOCOL_JSONRPC, "twofa", TN_API_KEY_TWOFA);
}

static void
test_api_key_legacy (void)
{
  pair_with_api_key ("legacy", KF_TRUENAS_PROTOCOL_LEGACY, "truenas_admin", TN_API_KEY);
}

static void
test_api_key_refused (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };
  /* Right id, wrong secret. */
  g_autofree char *wrong = g_strdup (TN_API_KEY);

  wrong[strlen (wrong) - 1] = wrong[strlen (wrong) - 1] == 'x' ? 'y' : 'x';
  for (guint p = 0; p < G_N_ELEMENTS (protocols); p++)
    {
      const char *words = protocols[p] == KF_TRUENAS_PROTOCOL_JSONRPC ? "wrong, revoked" : "wrong, expired or revoked";

      assert_login_fails (fake, protocols[p], "truenas_admin", NULL, wrong,
                          KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, words);
      assert_login_fails (fake, protocols[p], "truenas_admin", NULL, TN_API_KEY_REVOKED,
                          KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, words);
    }
  /* On JSON-RPC the key belongs to a user: another admin's key is refused. */
  assert_login_fails (fake, KF_TRUENAS_PROTOCOL_JSONRPC, "twofa", NULL, TN_API_KEY,
                      KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, "belongs to another user");
  tn_fake_stop (fake);
}

/* Refused before anything is sent: the URL points at a closed port, so any
 * attempt to connect would end in an "unreachable" error instead. */
static void
test_api_key_checked_first (void)
{
  Env *env = env_new ();
  guint closed = kf_test_closed_port ();
  g_autofree char *http_url = g_strdup_printf ("http://127.0.0.1:%u", closed);
  g_autofree char *https_url = g_strdup_printf ("https://127.0.0.1:%u", closed);
  struct {
    const char *url;
    const char *api_key;
    gboolean also_password;
    int code;
    const char *words;
  } cases[] = {
    { http_url, TN_API_KEY, FALSE, KF_INPUT_ERROR_URL, "only over https" },
    { https_url, "KcBEKanD0F0rPZkcHFuep88VxcA3iMwyAs0RqDlR", FALSE, KF_INPUT_ERROR_ADMIN_PASSWORD, "not a TrueNAS API key" },
    { https_url, TN_API_KEY, TRUE, KF_INPUT_ERROR_ADMIN_PASSWORD, "not both" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(KfSemiautoSetup) setup = new_setup (env, cases[i].url, "early", "truenas_admin", cases[i].api_key);
      g_autoptr(GError) error = NULL;
      g_autoptr(KfConnection) connection = NULL;

      if (cases[i].also_password)
        kf_semiauto_setup_set_admin_password (setup, "s3cret");
      connection = run_setup (setup, &error);
      g_assert_null (connection);
      g_assert_error (error, KF_INPUT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      g_assert_cmpint (kf_semiauto_setup_get_step (setup), ==, KF_SEMIAUTO_STEP_CHECK);
      g_assert_cmpuint (kf_semiauto_setup_get_round_trips (setup), ==, 0);
    }
  /* A pasted key with its line break is fine (it then fails to connect: nothing listens). */
  {
    g_autofree char *pasted = g_strconcat ("  ", TN_API_KEY, "\n", NULL);
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, https_url, "early", "truenas_admin", pasted);
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = run_setup (setup, &error);

    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
  }
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (env->store)), ==, 0);
  env_free (env);
}

/* Round trips for the login alone, per path (the figures of the closing note). */
static void
test_login_round_trips (void)
{
  TnFake *both = tn_fake_start (NULL, NULL);
  TnFake *legacy_only = tn_fake_start ("\"protocols\": \"legacy\"", NULL);
  struct {
    TnFake *fake;
    KfTruenasProtocol protocol;
    const char *password;
    const char *api_key;
    const char *what;
    guint round_trips;   /* after connecting */
  } paths[] = {
    /* core.set_options + auth.login_ex */
    { both, KF_TRUENAS_PROTOCOL_JSONRPC, "s3cret", NULL, "JSON-RPC password", 2 },
    { both, KF_TRUENAS_PROTOCOL_JSONRPC, NULL, TN_API_KEY, "JSON-RPC API key", 2 },
    { both, KF_TRUENAS_PROTOCOL_AUTO, "s3cret", NULL, "auto (25.04+) password", 2 },
    /* auth.login / auth.login_with_api_key */
    { both, KF_TRUENAS_PROTOCOL_LEGACY, "s3cret", NULL, "legacy password", 1 },
    { both, KF_TRUENAS_PROTOCOL_LEGACY, NULL, TN_API_KEY, "legacy API key", 1 },
    { legacy_only, KF_TRUENAS_PROTOCOL_AUTO, NULL, TN_API_KEY, "auto (legacy-only box) API key", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(KfTruenasClient) client = connected_client (paths[i].fake, paths[i].protocol);
      g_autoptr(GError) error = NULL;
      guint connect_trips = kf_truenas_client_get_round_trips (client);

      g_assert_true (login (client, "truenas_admin", paths[i].password, paths[i].api_key, &error));
      g_assert_no_error (error);
      g_assert_true (kf_truenas_client_is_logged_in (client));
      g_test_message ("FIGURES %s: %u round trips to connect, %u to log in", paths[i].what,
                      connect_trips, kf_truenas_client_get_round_trips (client) - connect_trips);
      g_assert_cmpuint (kf_truenas_client_get_round_trips (client) - connect_trips, ==, paths[i].round_trips);
    }
  /* JSON-RPC logs in with auth.login_ex only (auth.login is private on v27);
   * the legacy protocol keeps auth.login and auth.login_with_api_key. */
  {
    g_autoptr(JsonNode) state = tn_fake_read_state (both);
    JsonArray *calls = json_object_get_array_member (json_node_get_object (state), "calls");
    guint login_ex = 0, legacy_logins = 0;

    for (guint i = 0; i < json_array_get_length (calls); i++)
      {
        JsonObject *call = json_array_get_object_element (calls, i);
        const char *method = json_object_get_string_member (call, "method");

        if (g_str_equal (json_object_get_string_member (call, "protocol"), "jsonrpc"))
          {
            g_assert_false (g_str_equal (method, "auth.login") || g_str_equal (method, "auth.login_with_api_key"));
            login_ex += g_str_equal (method, "auth.login_ex");
          }
        else
          legacy_logins += g_str_equal (method, "auth.login") || g_str_equal (method, "auth.login_with_api_key");
      }
    g_assert_cmpuint (login_ex, ==, 3);
    g_assert_cmpuint (legacy_logins, ==, 2);
  }
  tn_fake_stop (legacy_only);
  tn_fake_stop (both);
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

  g_test_add_func ("/truenas/login/expired", test_expired);
  g_test_add_func ("/truenas/login/denied", test_denied);
  g_test_add_func ("/truenas/login/redirect", test_redirect);
  g_test_add_func ("/truenas/login/rate-limit", test_rate_limit);
  g_test_add_func ("/truenas/login/api-key-jsonrpc", test_api_key_jsonrpc);
  g_test_add_func ("/truenas/login/api-key-legacy", test_api_key_legacy);
  g_test_add_func ("/truenas/login/api-key-refused", test_api_key_refused);
  g_test_add_func ("/truenas/login/api-key-checked-first", test_api_key_checked_first);
  g_test_add_func ("/truenas/login/round-trips", test_login_round_trips);
  ret = g_test_run ();
  kf_test_sshd_stop (sshd);
  return ret;
}
