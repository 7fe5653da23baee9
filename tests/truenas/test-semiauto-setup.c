/* test-semiauto-setup.c: the whole semi-automatic setup against the fake
 * TrueNAS (real TLS), a real sshd on loopback and the real keyring.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-semiauto-setup.h"
#include "kf-serialize.h"
#include "kf-ssh-key.h"
#include "kf-store.h"
#include "kf-test-sshd.h"
#include "kf-test-util.h"
#include "kf-vault.h"
#include "truenas-fixture.h"

#define WAIT_S 60

static KfTestSshd *sshd;

/* The fake TrueNAS installs keys where the sshd reads them and reports its host keys. */
static TnFake *
start_fake_for_sshd (const char *extra)
{
  g_autofree char *rsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "rsa"), ".pub", NULL);
  g_autofree char *ecdsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ecdsa"), ".pub", NULL);
  g_autofree char *ed25519 = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "ed25519"), ".pub", NULL);
  const char *host_keys[] = { rsa, ecdsa, ed25519, NULL };
  TnFakeOptions options = {
    .ssh_port = kf_test_sshd_get_port (sshd),
    .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
    .host_keys = host_keys,
    .ssh_user = kf_test_sshd_get_user (sshd),
  };

  return tn_fake_start (extra, &options);
}

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

static void
serialize_list (GListModel *list,
                GString    *out)
{
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (list, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      kf_serialize_object (item, builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, FALSE);
      g_string_append_printf (out, "%s\n", text);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* What must not change when a setup fails: this store's keyring items, and
 * every saved field of every key pair and connection as a fresh reader of the
 * store file sees them (the file's own serial changes on each write). */
static char *
snapshot (Env *env)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (kf_store_get_path (env->store), NULL, &error);
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(KfStore) reader = kf_store_new (kf_store_get_path (env->store));
  g_autoptr(GString) out = g_string_new ("keyring: ");
  g_autofree char *joined = NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    g_ptr_array_add (ids, ((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id);
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  joined = g_strjoinv (",", (char **) ids->pdata);
  g_string_append_printf (out, "%s\nkeypairs:\n", joined);

  g_assert_true (kf_store_load (reader, &error));
  g_assert_no_error (error);
  serialize_list (kf_store_get_keypairs (reader), out);
  g_string_append (out, "connections:\n");
  serialize_list (kf_store_get_connections (reader), out);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static KfSemiautoSetup *
new_setup (Env        *env,
           TnFake     *fake,
           const char *name)
{
  KfSemiautoSetup *setup = kf_semiauto_setup_new (env->vault);

  kf_semiauto_setup_set_name (setup, name);
  kf_semiauto_setup_set_url (setup, fake != NULL ? fake->https_url : "https://127.0.0.1:1");
  kf_semiauto_setup_set_tls_pin (setup, tn_fixture_cert_pin ());
  kf_semiauto_setup_set_admin_username (setup, "truenas_admin");
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
  GArray *steps;
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

static void
on_progress (KfSemiautoSetup *setup,
             int              step,
             const char      *message,
             Run             *run)
{
  g_assert_nonnull (message);
  g_array_append_val (run->steps, step);
}

static KfConnection *
run_setup (KfSemiautoSetup  *setup,
           GCancellable     *cancellable,
           GArray          **steps,
           GError          **error)
{
  Run run = { 0 };
  gulong id;

  run.steps = g_array_new (FALSE, FALSE, sizeof (int));
  id = g_signal_connect (setup, "progress", G_CALLBACK (on_progress), &run);
  kf_semiauto_setup_run_async (setup, cancellable, on_run_done, &run);
  kf_test_wait_for (&run.done, WAIT_S);
  g_signal_handler_disconnect (setup, id);
  if (steps != NULL)
    *steps = g_steal_pointer (&run.steps);
  else
    g_array_unref (run.steps);
  if (run.error != NULL)
    g_propagate_error (error, run.error);
  return run.connection;
}

static gboolean
has_step (GArray *steps,
          KfSemiautoStep step)
{
  for (guint i = 0; i < steps->len; i++)
    if (g_array_index (steps, int, i) == (int) step)
      return TRUE;
  return FALSE;
}

static char *
authorized_keys (void)
{
  char *contents = NULL;

  if (!g_file_get_contents (kf_test_sshd_get_authorized_keys_path (sshd), &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* The saved connection is what the API and sshd said, and works. */
static void
assert_good_connection (Env          *env,
                        KfConnection *connection,
                        const char   *name)
{
  KfKeypair *keypair;
  const char * const *host_keys;
  g_autofree char *keys = authorized_keys ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) secret = NULL;

  g_assert_nonnull (connection);
  g_assert_cmpstr (kf_connection_get_name (connection), ==, name);
  g_assert_cmpint (kf_connection_get_setup_method (connection), ==, KF_SETUP_METHOD_SEMI_AUTOMATIC);
  g_assert_cmpstr (kf_connection_get_host (connection), ==, "127.0.0.1");
  g_assert_cmpuint (kf_connection_get_port (connection), ==, kf_test_sshd_get_port (sshd));
  g_assert_cmpstr (kf_connection_get_username (connection), ==, kf_test_sshd_get_user (sshd));
  g_assert_cmpstr (kf_connection_get_admin_username (connection), ==, "truenas_admin");
  g_assert_cmpuint (kf_connection_get_connect_timeout (connection), ==, kf_test_timeout (10));
  g_assert_true (g_str_has_prefix (kf_connection_get_truenas_url (connection), "https://127.0.0.1:"));
  g_assert_cmpstr (kf_connection_get_tls_pin (connection), ==, tn_fixture_cert_pin ());
  host_keys = kf_connection_get_host_keys (connection);
  g_assert_nonnull (host_keys);
  g_assert_cmpuint (g_strv_length ((char **) host_keys), ==, 3);
  g_assert_true (kf_connection_get_host_key_verified (connection));
  g_assert_cmpint (kf_connection_get_test_state (connection), ==, KF_TEST_STATE_OK);

  keypair = kf_store_find_keypair (env->store, kf_connection_get_keypair_id (connection));
  g_assert_nonnull (keypair);
  g_assert_true (kf_keypair_get_has_private_key (keypair));
  /* The public key landed in sshd's authorized_keys. */
  {
    g_auto(GStrv) parts = g_strsplit (kf_keypair_get_public_key (keypair), " ", 3);
    g_assert_nonnull (strstr (keys, parts[1]));
  }
  /* Its private key is in the keyring. */
  secret = kf_keyring_lookup_sync (kf_keypair_get_id (keypair), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (secret);
  g_assert_true (strstr (secret, "PRIVATE KEY") != NULL);

  /* The password is not in the store file. */
  {
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (kf_store_get_path (env->store), &contents, NULL, NULL));
    g_assert_null (strstr (contents, "s3cret"));
    g_assert_null (strstr (contents, "246810"));
  }
}

/* ---- end to end ---- */

static void
test_end_to_end_jsonrpc (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-jsonrpc");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autoptr(KfConnection) connection = run_setup (setup, NULL, &steps, &error);
  KfKeypair *keypair;

  g_assert_no_error (error);
  assert_good_connection (env, connection, "nas-jsonrpc");
  g_assert_cmpint (kf_semiauto_setup_get_protocol (setup), ==, KF_TRUENAS_PROTOCOL_JSONRPC);
  g_assert_true (kf_semiauto_setup_get_host_key_verified (setup));
  g_assert_nonnull (kf_semiauto_setup_get_verify_message (setup));
  g_assert_cmpint (kf_semiauto_setup_get_step (setup), ==, KF_SEMIAUTO_STEP_DONE);
  keypair = kf_store_find_keypair (env->store, kf_connection_get_keypair_id (connection));
  g_assert_cmpstr (kf_keypair_get_name (keypair), ==, "nas-jsonrpc Key");
  g_assert_cmpstr (kf_keypair_get_key_type (keypair), ==, "ssh-ed25519");
  for (KfSemiautoStep s = KF_SEMIAUTO_STEP_CHECK; s <= KF_SEMIAUTO_STEP_DONE; s++)
    if (s != KF_SEMIAUTO_STEP_WAIT_OTP)
      g_assert_true (has_step (steps, s));

  g_test_message ("FIGURES jsonrpc: %u round trips, API %.1f ms, whole setup %.1f ms (with key generation and SSH check)",
                  kf_semiauto_setup_get_round_trips (setup), kf_semiauto_setup_get_api_ms (setup),
                  kf_semiauto_setup_get_total_ms (setup));
  g_assert_cmpuint (kf_semiauto_setup_get_round_trips (setup), ==, 7);

  tn_fake_stop (fake);
  env_free (env);
}

static void
test_end_to_end_legacy_existing_key (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd ("\"protocols\": \"legacy\"");
  g_autoptr(KfSemiautoSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ECDSA_P256, 0, "legacy@test", NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("existing");
  g_autoptr(KfConnection) connection = NULL;
  const char * const *notes;
  gboolean redirect_noted = FALSE;

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (env->vault, keypair, kf_key_material_get_private_key (material), NULL, &error));
  g_assert_no_error (error);

  setup = new_setup (env, fake, "nas-legacy");
  kf_semiauto_setup_set_keypair_id (setup, kf_keypair_get_id (keypair));
  /* Typed as http: the box redirects, the setup follows and says so. */
  kf_semiauto_setup_set_url (setup, fake->http_url);
  connection = run_setup (setup, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_good_connection (env, connection, "nas-legacy");
  g_assert_cmpint (kf_semiauto_setup_get_protocol (setup), ==, KF_TRUENAS_PROTOCOL_LEGACY);
  g_assert_cmpstr (kf_connection_get_keypair_id (connection), ==, kf_keypair_get_id (keypair));
  g_assert_cmpstr (kf_connection_get_truenas_url (connection), ==, fake->https_url);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (env->store)), ==, 1);
  notes = kf_semiauto_setup_get_notes (setup);
  for (guint i = 0; notes[i] != NULL; i++)
    if (strstr (notes[i], "redirected") != NULL)
      redirect_noted = TRUE;
  g_assert_true (redirect_noted);
  g_test_message ("FIGURES legacy via redirect: %u round trips, API %.1f ms, whole setup %.1f ms",
                  kf_semiauto_setup_get_round_trips (setup), kf_semiauto_setup_get_api_ms (setup),
                  kf_semiauto_setup_get_total_ms (setup));

  tn_fake_stop (fake);
  env_free (env);
}

/* Issue 10: an RSA-4096 key whose long comment is what breaks JSON-RPC's
 * 1024 characters pairs without the comment, says so, and logs in. */
static void
test_public_key_comment_dropped (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd ("\"protocols\": \"jsonrpc\", \"public_key_max_length\": 1024");
  g_autoptr(KfSemiautoSetup) setup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *comment = g_strnfill (400, 'c');
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_RSA, 4096, comment, NULL, &error);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("long comment");
  g_autoptr(KfConnection) connection = NULL;
  g_autofree char *keys = NULL;
  const char * const *notes;
  gboolean noted = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (strlen (kf_key_material_get_public_key (material)), >, 1024);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_true (kf_vault_add_keypair_sync (env->vault, keypair, kf_key_material_get_private_key (material), NULL, &error));
  g_assert_no_error (error);

  setup = new_setup (env, fake, "nas-long-comment");
  kf_semiauto_setup_set_keypair_id (setup, kf_keypair_get_id (keypair));
  connection = run_setup (setup, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_good_connection (env, connection, "nas-long-comment");
  g_assert_true (kf_semiauto_setup_get_ssh_login_ok (setup));
  /* What was installed is the key without its comment. */
  keys = authorized_keys ();
  g_assert_null (strstr (keys, comment));
  notes = kf_semiauto_setup_get_notes (setup);
  for (guint i = 0; notes[i] != NULL; i++)
    if (strstr (notes[i], "without its comment") != NULL)
      noted = TRUE;
  g_assert_true (noted);

  tn_fake_stop (fake);
  env_free (env);
}

/* ---- one-time passwords ---- */

typedef struct {
  guint asked;
  char *last_message;
  const char * const *answers;
} OtpAnswers;

static gboolean
answer_later (gpointer data)
{
  KfSemiautoSetup *setup = data;
  OtpAnswers *answers = g_object_get_data (G_OBJECT (setup), "answers");

  kf_semiauto_setup_provide_otp (setup, answers->answers[answers->asked - 1]);
  return G_SOURCE_REMOVE;
}

static void
on_otp_requested (KfSemiautoSetup *setup,
                  const char      *message,
                  OtpAnswers      *answers)
{
  g_assert_cmpint (kf_semiauto_setup_get_step (setup), ==, KF_SEMIAUTO_STEP_WAIT_OTP);
  answers->asked++;
  g_free (answers->last_message);
  answers->last_message = g_strdup (message);
  /* Like a dialog: the answer comes later, from the main loop. */
  g_idle_add (answer_later, setup);
}

static void
answer_at_once (KfSemiautoSetup *setup,
                const char      *message,
                guint           *asked)
{
  (*asked)++;
  kf_semiauto_setup_provide_otp (setup, "246810");
}

static void
test_otp_round_trip (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(GError) error = NULL;
  const char *answers_list[] = { "000000", "246810", NULL };
  OtpAnswers answers = { 0, NULL, answers_list };

  /* Asked twice (the first code is wrong), then it works. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-otp");
    g_autoptr(KfConnection) connection = NULL;

    kf_semiauto_setup_set_admin_username (setup, "twofa");
    g_object_set_data (G_OBJECT (setup), "answers", &answers);
    g_signal_connect (setup, "otp-requested", G_CALLBACK (on_otp_requested), &answers);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (answers.asked, ==, 2);
    g_assert_nonnull (answers.last_message);
    g_assert_nonnull (strstr (answers.last_message, "one-time password"));
    g_assert_cmpstr (kf_connection_get_admin_username (connection), ==, "twofa");
    g_assert_true (kf_connection_get_host_key_verified (connection));
    g_free (answers.last_message);
  }
  /* Giving up (NULL) fails cleanly. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-otp-giveup");
    g_autofree char *before = snapshot (env);
    g_autofree char *after = NULL;
    const char *give_up[] = { NULL, NULL };
    OtpAnswers none = { 0, NULL, give_up };
    g_autoptr(KfConnection) connection = NULL;

    kf_semiauto_setup_set_admin_username (setup, "twofa");
    g_object_set_data (G_OBJECT (setup), "answers", &none);
    g_signal_connect (setup, "otp-requested", G_CALLBACK (on_otp_requested), &none);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_null (connection);
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED);
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_OTP);
    g_clear_error (&error);
    after = snapshot (env);
    g_assert_cmpstr (before, ==, after);
    g_free (none.last_message);
  }
  /* A handler that answers at once, as the CLI does after reading stdin. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-otp-sync");
    g_autoptr(KfConnection) connection = NULL;
    guint asked = 0;

    kf_semiauto_setup_set_admin_username (setup, "twofa");
    g_signal_connect (setup, "otp-requested", G_CALLBACK (answer_at_once), &asked);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (connection);
    g_assert_cmpuint (asked, ==, 1);
  }
  /* The code given in the form is used when the server asks. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-otp-form");
    g_autoptr(KfConnection) connection = NULL;

    kf_semiauto_setup_set_admin_username (setup, "twofa");
    kf_semiauto_setup_set_otp (setup, "246810");
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (connection);
  }
  tn_fake_stop (fake);
  env_free (env);
}

/* ---- failures: each with its own message, nothing left behind ---- */

typedef struct {
  const char *what;
  const char *fake_extra;         /* NULL: default fake; "none": nothing listens */
  const char *admin;
  const char *password;
  const char *username;
  const char *pin;                /* NULL: the right one; "": none */
  KfTruenasProtocol protocol;
  int domain_is_truenas;
  int code;
  KfTruenasField field;
  const char *words;
} FailCase;

static void
test_failures (void)
{
  g_autofree char *wrong_pin = g_strconcat ("SHA256:", "ab00000000000000000000000000000000000000000000000000000000000000", NULL);
  const FailCase cases[] = {
    { "wrong password", NULL, "truenas_admin", "wrong", NULL, NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_AUTH_FAILED, KF_TRUENAS_FIELD_ADMIN_PASSWORD, "password" },
    { "2FA missing (legacy)", NULL, "twofa", "s3cret", NULL, NULL, KF_TRUENAS_PROTOCOL_LEGACY, 1,
      KF_TRUENAS_ERROR_AUTH_FAILED, KF_TRUENAS_FIELD_ADMIN_PASSWORD, "two-factor" },
    { "2FA missing (JSON-RPC, nobody to ask)", NULL, "twofa", "s3cret", NULL, NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_OTP_REQUIRED, KF_TRUENAS_FIELD_OTP, "one-time password" },
    { "limited admin", NULL, "viewer", "s3cret", NULL, NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_NOT_AUTHORIZED, KF_TRUENAS_FIELD_ADMIN_USERNAME, "full administrator" },
    { "missing user", NULL, "truenas_admin", "s3cret", "ghost", NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_NO_SUCH_USER, KF_TRUENAS_FIELD_USERNAME, "ghost" },
    { "missing home", NULL, "truenas_admin", "s3cret", "daemon", NULL, KF_TRUENAS_PROTOCOL_LEGACY, 1,
      KF_TRUENAS_ERROR_NO_HOME, KF_TRUENAS_FIELD_USERNAME, "home directory" },
    { "user.update refused", NULL, "truenas_admin", "s3cret", "stubborn", NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_USER_UPDATE, KF_TRUENAS_FIELD_USERNAME, "not a valid shell" },
    { "unreachable", "none", "truenas_admin", "s3cret", NULL, NULL, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_UNREACHABLE, KF_TRUENAS_FIELD_URL, "refused" },
    { "dropped socket", "\"faults\": {\"drop_after_frames\": 2}", "truenas_admin", "s3cret", NULL, NULL,
      KF_TRUENAS_PROTOCOL_AUTO, 1, KF_TRUENAS_ERROR_PROTOCOL, KF_TRUENAS_FIELD_NONE, "closed the connection" },
    { "timeout", "\"faults\": {\"silent_method\": \"keychaincredential.ssh_pair\"}", "truenas_admin", "s3cret", NULL, NULL,
      KF_TRUENAS_PROTOCOL_AUTO, 1, KF_TRUENAS_ERROR_TIMEOUT, KF_TRUENAS_FIELD_NONE, "did not answer" },
    { "malformed reply", "\"faults\": {\"malformed_json_method\": \"user.query\"}", "truenas_admin", "s3cret", NULL, NULL,
      KF_TRUENAS_PROTOCOL_LEGACY, 1, KF_TRUENAS_ERROR_PROTOCOL, KF_TRUENAS_FIELD_NONE, "not valid JSON" },
    { "untrusted certificate", NULL, "truenas_admin", "s3cret", NULL, "", KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE, KF_TRUENAS_FIELD_URL, "not trusted" },
    { "changed certificate", NULL, "truenas_admin", "s3cret", NULL, wrong_pin, KF_TRUENAS_PROTOCOL_AUTO, 1,
      KF_TRUENAS_ERROR_CERTIFICATE_CHANGED, KF_TRUENAS_FIELD_URL, "different certificate" },
  };
  Env *env = env_new ();
  TnFake *fake_default = start_fake_for_sshd (NULL);
  g_autofree char *messages_seen = NULL;
  g_autoptr(GHashTable) messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* Something saved already, which must stay exactly as it is. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake_default, "already-there");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const FailCase *c = &cases[i];
      TnFake *fake = NULL;
      g_autoptr(KfSemiautoSetup) setup = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(KfConnection) connection = NULL;
      g_autofree char *before = snapshot (env);
      g_autofree char *after = NULL;
      g_autofree char *keys_before = authorized_keys ();
      g_autofree char *name = g_strdup_printf ("failing %u", i);

      g_test_message ("case: %s", c->what);
      if (c->fake_extra == NULL)
        fake = NULL;
      else if (!g_str_equal (c->fake_extra, "none"))
        fake = start_fake_for_sshd (c->fake_extra);

      setup = new_setup (env, fake != NULL ? fake : fake_default, name);
      if (g_strcmp0 (c->fake_extra, "none") == 0)
        {
          g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", kf_test_closed_port ());
          kf_semiauto_setup_set_url (setup, url);
        }
      kf_semiauto_setup_set_admin_username (setup, c->admin);
      kf_semiauto_setup_set_admin_password (setup, c->password);
      if (c->username != NULL)
        kf_semiauto_setup_set_username (setup, c->username);
      if (c->pin != NULL)
        kf_semiauto_setup_set_tls_pin (setup, *c->pin != '\0' ? c->pin : NULL);
      kf_semiauto_setup_set_protocol (setup, c->protocol);
      kf_semiauto_setup_set_call_timeout_ms (setup, 500);

      connection = run_setup (setup, NULL, NULL, &error);
      g_assert_null (connection);
      g_assert_nonnull (error);
      g_test_message ("→ %s", error->message);
      g_assert_true (error->domain == KF_TRUENAS_ERROR);
      g_assert_cmpint (error->code, ==, c->code);
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, c->field);
      g_assert_nonnull (strstr (error->message, c->words));
      g_assert_null (strchr (error->message, '\n'));
      /* Each failure has its own message. */
      g_assert_false (g_hash_table_contains (messages, error->message));
      g_hash_table_add (messages, g_strdup (error->message));

      if (c->code == KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE || c->code == KF_TRUENAS_ERROR_CERTIFICATE_CHANGED)
        {
          KfTruenasCertificate *cert = kf_semiauto_setup_get_peer_certificate (setup);
          g_assert_nonnull (cert);
          g_assert_cmpstr (kf_truenas_certificate_get_fingerprint (cert), ==, tn_fixture_cert_pin ());
        }

      after = snapshot (env);
      g_assert_cmpstr (before, ==, after);
      /* Also where ssh_pair ran (the silent one ran, too) and user.update
       * failed after it: the key is taken back, every other byte kept. */
      {
        g_autofree char *keys_after = authorized_keys ();
        g_assert_cmpstr (keys_before, ==, keys_after);
      }
      tn_fake_stop (fake);
    }
  tn_fake_stop (fake_default);
  env_free (env);
}

static void
test_form_errors (void)
{
  Env *env = env_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(KfKeypair) public_only = kf_keypair_new ("public only");
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_sync (KF_KEY_TYPE_ED25519, 0, NULL, NULL, &error);

  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, public_only);
  g_assert_true (kf_vault_add_keypair_sync (env->vault, public_only, NULL, NULL, &error));
  g_assert_no_error (error);
  before = snapshot (env);

  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "  ");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_NAME);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "x");
    kf_semiauto_setup_set_url (setup, "https://root:pw@nas");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "x");
    kf_semiauto_setup_set_admin_password (setup, "");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_ADMIN_PASSWORD);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "x");
    kf_semiauto_setup_set_username (setup, "-bad user");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_USERNAME);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "x");
    kf_semiauto_setup_set_connect_timeout (setup, 0);
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_CONNECT_TIMEOUT);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "x");
    kf_semiauto_setup_set_keypair_id (setup, kf_keypair_get_id (public_only));
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY);
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_KEYPAIR);
    g_clear_error (&error);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, NULL, "public only"); /* "public only Key" is free */
    kf_semiauto_setup_set_tls_pin (setup, "not a fingerprint");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
    g_clear_error (&error);
  }
  after = snapshot (env);
  g_assert_cmpstr (before, ==, after);
  env_free (env);
}

/* ---- cancel, at each step, including after saving ---- */

typedef struct {
  GCancellable *cancellable;
  KfSemiautoStep at;
} CancelAt;

static void
cancel_on_step (KfSemiautoSetup *setup,
                int              step,
                const char      *message,
                CancelAt        *cancel)
{
  if (step == (int) cancel->at)
    g_cancellable_cancel (cancel->cancellable);
}

static void
test_cancel (void)
{
  const KfSemiautoStep steps[] = {
    KF_SEMIAUTO_STEP_GENERATE_KEY, KF_SEMIAUTO_STEP_CONNECT, KF_SEMIAUTO_STEP_LOGIN, KF_SEMIAUTO_STEP_PAIR,
    KF_SEMIAUTO_STEP_UPDATE_USER, KF_SEMIAUTO_STEP_SAVE, KF_SEMIAUTO_STEP_VERIFY_SSH,
  };
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "cancelled");
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(KfConnection) connection = NULL;
      g_autofree char *before = snapshot (env);
      g_autofree char *after = NULL;
      g_autofree char *keys_before = authorized_keys ();
      g_autofree char *keys_after = NULL;
      CancelAt cancel = { cancellable, steps[i] };

      g_test_message ("cancel at %s", kf_semiauto_step_to_string (steps[i]));
      g_signal_connect (setup, "progress", G_CALLBACK (cancel_on_step), &cancel);
      connection = run_setup (setup, cancellable, NULL, &error);
      g_assert_null (connection);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      after = snapshot (env);
      g_assert_cmpstr (before, ==, after);
      /* Cancelled after the key went to the TrueNAS: taken back. */
      keys_after = authorized_keys ();
      g_assert_cmpstr (keys_before, ==, keys_after);
    }
  tn_fake_stop (fake);
  env_free (env);
}

/* ---- the SSH server shows a key the API did not report ---- */

/* A failure, not a warning: the connection may be intercepted. Nothing is
 * saved, and the key that was installed on the TrueNAS is taken back. */
static void
test_host_key_mismatch (void)
{
  Env *env = env_new ();
  /* Host keys of another machine (the fixture's defaults), sshd's port and authorized_keys. */
  TnFakeOptions options = {
    .ssh_port = kf_test_sshd_get_port (sshd),
    .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
    .ssh_user = kf_test_sshd_get_user (sshd),
  };
  TnFake *fake = tn_fake_start (NULL, &options);
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-mismatch");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = snapshot (env);
  g_autofree char *keys_before = authorized_keys ();
  g_autofree char *after = NULL;
  g_autofree char *keys_after = NULL;
  g_autoptr(GArray) steps = NULL;
  g_autoptr(KfConnection) connection = run_setup (setup, NULL, &steps, &error);

  g_assert_null (connection);
  g_assert_error (error, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);
  g_test_message ("→ %s", error->message);
  g_assert_nonnull (strstr (error->message, "may be intercepted"));
  g_assert_nonnull (strstr (error->message, "did not report"));
  g_assert_false (kf_semiauto_setup_get_host_key_verified (setup));
  /* It got as far as the SSH check, then took everything back. */
  g_assert_true (has_step (steps, KF_SEMIAUTO_STEP_VERIFY_SSH));
  g_assert_true (has_step (steps, KF_SEMIAUTO_STEP_ROLLBACK));
  after = snapshot (env);
  g_assert_cmpstr (before, ==, after);
  keys_after = authorized_keys ();
  g_assert_cmpstr (keys_before, ==, keys_after);
  tn_fake_stop (fake);
  env_free (env);
}


/* ---- what a failure leaves on the TrueNAS (issue 10, point 2) ---- */

/* The fake's state file: a user's string member, and how often a method was called. */
static char *
state_user_string (TnFake     *fake,
                   const char *username,
                   const char *member)
{
  g_autoptr(JsonNode) state = tn_fake_read_state (fake);
  JsonArray *users = json_object_get_array_member (json_node_get_object (state), "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);
      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        {
          JsonNode *value = json_object_get_member (user, member);
          return JSON_NODE_HOLDS_VALUE (value) ? g_strdup (json_node_get_string (value)) : json_to_string (value, FALSE);
        }
    }
  g_assert_not_reached ();
}

static guint
state_calls (TnFake     *fake,
             const char *method)
{
  g_autoptr(JsonNode) state = tn_fake_read_state (fake);
  JsonArray *calls = json_object_get_array_member (json_node_get_object (state), "calls");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (calls); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (calls, i), "method"), method))
      n++;
  return n;
}

static gboolean
state_bool (TnFake     *fake,
            const char *member)
{
  g_autoptr(JsonNode) state = tn_fake_read_state (fake);
  return json_object_get_boolean_member (json_node_get_object (state), member);
}

/* authorized_keys with lines Keyferry must keep: a comment, options, a
 * blank line, CRLF, and no newline at the end. */
static const char odd_keys[] =
  "# managed by hand\n"
  "command=\"/usr/bin/true\",no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddO odd@one\r\n"
  "\n"
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeepKeepKeepKeepKeepKeepKeepKeepKeepKeepKeepK   spaced  comment ";

/* The same keys once TrueNAS has written them (plugins/account.py): user.query
 * reads the file with "\r\n" as "\n" and strips it, and user.update writes
 * the stripped text plus one "\n". Through the API that much of the file's
 * form is TrueNAS's own; every line, option, comment and blank line stays. */
static const char odd_keys_truenas[] =
  "# managed by hand\n"
  "command=\"/usr/bin/true\",no-pty ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddOdd0ddO odd@one\n"
  "\n"
  "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeepKeepKeepKeepKeepKeepKeepKeepKeepKeepKeepK   spaced  comment\n";

static void
write_authorized_keys (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_assert_true (g_file_set_contents (kf_test_sshd_get_authorized_keys_path (sshd), text, -1, &error));
  g_assert_no_error (error);
}

typedef struct {
  const char *what;
  const char *fake_extra;
  const char *username;
  KfTruenasProtocol protocol;
  const char *words;      /* in the error message */
} RollbackCase;

/* Each fails after the key was installed; the key goes again, every other byte stays. */
static void
test_rollback (void)
{
  const RollbackCase cases[] = {
    { "user.update refused (JSON-RPC)", NULL, "stubborn", KF_TRUENAS_PROTOCOL_AUTO, "not a valid shell" },
    { "user.update refused (legacy)", NULL, "stubborn", KF_TRUENAS_PROTOCOL_LEGACY, "not a valid shell" },
    { "dropped after ssh_pair (JSON-RPC)", "\"faults\": {\"drop_after_method\": \"keychaincredential.ssh_pair\"}",
      NULL, KF_TRUENAS_PROTOCOL_AUTO, "closed" },
    { "dropped after ssh_pair (legacy)", "\"faults\": {\"drop_after_method\": \"keychaincredential.ssh_pair\"}",
      NULL, KF_TRUENAS_PROTOCOL_LEGACY, "closed" },
    { "dropped after user.update (public route)",
      "\"private_methods\": \"refused\", \"faults\": {\"drop_after_method\": \"user.update\"}",
      NULL, KF_TRUENAS_PROTOCOL_AUTO, "closed" },
    { "no answer to ssh_pair", "\"faults\": {\"silent_method\": \"keychaincredential.ssh_pair\"}",
      NULL, KF_TRUENAS_PROTOCOL_AUTO, "did not answer" },
  };
  Env *env = env_new ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const RollbackCase *c = &cases[i];
      TnFake *fake = start_fake_for_sshd (c->fake_extra);
      g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "rolled back");
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) steps = NULL;
      g_autoptr(KfConnection) connection = NULL;
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autofree char *keys_after = NULL;
      g_autofree char *shell_after = NULL;

      g_test_message ("case: %s", c->what);
      write_authorized_keys (odd_keys);
      before = snapshot (env);
      if (c->username != NULL)
        kf_semiauto_setup_set_username (setup, c->username);
      kf_semiauto_setup_set_protocol (setup, c->protocol);
      if (strstr (c->what, "no answer") != NULL)
        kf_semiauto_setup_set_call_timeout_ms (setup, 500);

      connection = run_setup (setup, NULL, &steps, &error);
      g_assert_null (connection);
      g_assert_nonnull (error);
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, c->words));
      /* The rollback worked, so the message says nothing of a remaining key. */
      g_assert_null (strstr (error->message, "may remain"));
      g_assert_true (has_step (steps, KF_SEMIAUTO_STEP_ROLLBACK));
      keys_after = authorized_keys ();
      g_assert_cmpstr (keys_after, ==, odd_keys_truenas);
      after = snapshot (env);
      g_assert_cmpstr (before, ==, after);
      /* The shell, changed or not, is as it was. */
      shell_after = state_user_string (fake, c->username != NULL ? c->username : kf_test_sshd_get_user (sshd), "shell");
      g_assert_cmpstr (shell_after, ==, "/usr/sbin/nologin");
      /* The public route started and enabled SSH (as ssh_pair would): stopped and disabled again. */
      if (c->fake_extra != NULL && strstr (c->fake_extra, "refused") != NULL)
        {
          g_assert_cmpuint (state_calls (fake, "service.control"), ==, 2);
          g_assert_false (state_bool (fake, "ssh_service_running"));
          g_assert_false (state_bool (fake, "ssh_service_enabled"));
        }
      g_test_message ("FIGURES rollback (%s): %u round trips", c->what, kf_semiauto_setup_get_round_trips (setup));
      tn_fake_stop (fake);
    }
  write_authorized_keys ("");
  env_free (env);
}

/* Cancelled (the CLI's Ctrl-C) while the SSH check runs: the key, the shell
 * and the sudo commands go back. */
static void
test_rollback_cancel_restores_user (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "cancel late");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  g_autofree char *shell = NULL;
  g_autofree char *sudo = NULL;
  CancelAt cancel = { cancellable, KF_SEMIAUTO_STEP_VERIFY_SSH };

  write_authorized_keys (odd_keys);
  kf_semiauto_setup_set_sudo_zfs (setup, TRUE);
  g_signal_connect (setup, "progress", G_CALLBACK (cancel_on_step), &cancel);
  connection = run_setup (setup, cancellable, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  {
    g_autofree char *keys = authorized_keys ();
    g_assert_cmpstr (keys, ==, odd_keys_truenas);
  }
  /* user.update had set bash and added zfs; both were taken back. */
  g_assert_cmpuint (state_calls (fake, "user.update"), ==, 2);
  shell = state_user_string (fake, kf_test_sshd_get_user (sshd), "shell");
  g_assert_cmpstr (shell, ==, "/usr/sbin/nologin");
  sudo = state_user_string (fake, kf_test_sshd_get_user (sshd), "sudo_commands_nopasswd");
  g_assert_cmpstr (sudo, ==, "[\"/usr/bin/ls\"]");
  write_authorized_keys ("");
  tn_fake_stop (fake);
  env_free (env);
}

/* The rollback itself fails: the message names the box, the user and the key. */
static void
test_rollback_failure_named (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "cannot roll back");
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *left = NULL;
  g_autofree char *fingerprint = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  write_authorized_keys (odd_keys);
  before = snapshot (env);
  kf_semiauto_setup_set_username (setup, "frozen");
  connection = run_setup (setup, NULL, NULL, &error);
  g_assert_null (connection);
  g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_USER_UPDATE);
  g_test_message ("→ %s", error->message);
  g_assert_nonnull (strstr (error->message, fake->https_url));
  g_assert_nonnull (strstr (error->message, "user frozen"));
  g_assert_nonnull (strstr (error->message, "may remain"));
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_assert_null (strchr (error->message, '\n'));
  /* The fingerprint named is that of the key that stayed: the one new line
   * after the others, as TrueNAS wrote them. */
  keys = authorized_keys ();
  g_assert_true (g_str_has_prefix (keys, odd_keys_truenas));
  left = g_strstrip (g_strdup (keys + strlen (odd_keys_truenas)));
  g_assert_null (strchr (left, '\n'));
  fingerprint = kf_ssh_key_fingerprint (left, &parse_error);
  g_assert_no_error (parse_error);
  g_assert_nonnull (strstr (error->message, fingerprint));
  /* Locally, nothing stays. */
  after = snapshot (env);
  g_assert_cmpstr (before, ==, after);

  /* Cancelled, and the rollback fails: not reported as a plain cancel
   * ("nothing was changed"), but as the key that stays. */
  write_authorized_keys (odd_keys);
  {
    g_autoptr(KfSemiautoSetup) cancelled = new_setup (env, fake, "cancel, cannot roll back");
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GError) cancel_error = NULL;
    g_autoptr(KfConnection) none = NULL;
    CancelAt cancel = { cancellable, KF_SEMIAUTO_STEP_VERIFY_SSH };

    kf_semiauto_setup_set_username (cancelled, "frozen");
    kf_semiauto_setup_set_keep_shell (cancelled, TRUE);  /* no user.update before the SSH check */
    g_signal_connect (cancelled, "progress", G_CALLBACK (cancel_on_step), &cancel);
    none = run_setup (cancelled, cancellable, NULL, &cancel_error);
    g_assert_null (none);
    g_assert_nonnull (cancel_error);
    g_test_message ("cancelled: %s", cancel_error->message);
    g_assert_false (g_error_matches (cancel_error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    g_assert_nonnull (strstr (cancel_error->message, "cancelled"));
    g_assert_nonnull (strstr (cancel_error->message, "may remain"));
    g_assert_nonnull (strstr (cancel_error->message, "user frozen"));
  }
  tn_fake_stop (fake);
  write_authorized_keys ("");
  env_free (env);
}

/* Two runs with the same name at once: one wins, the other's key goes again. */
static void
test_same_name_twice_at_once (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(KfSemiautoSetup) a = new_setup (env, fake, "twin");
  g_autoptr(KfSemiautoSetup) b = new_setup (env, fake, "twin");
  Run run_a = { 0 }, run_b = { 0 };
  g_autofree char *keys_before = NULL;
  g_autofree char *keys_after = NULL;
  g_auto(GStrv) lines_after = NULL;
  Run *winner, *loser;

  write_authorized_keys ("");
  keys_before = authorized_keys ();
  kf_semiauto_setup_run_async (a, NULL, on_run_done, &run_a);
  kf_semiauto_setup_run_async (b, NULL, on_run_done, &run_b);
  kf_test_wait_for (&run_a.done, WAIT_S);
  kf_test_wait_for (&run_b.done, WAIT_S);

  g_assert_true ((run_a.connection == NULL) != (run_b.connection == NULL));
  winner = run_a.connection != NULL ? &run_a : &run_b;
  loser = run_a.connection != NULL ? &run_b : &run_a;
  g_assert_nonnull (loser->error);
  g_test_message ("loser: %s", loser->error->message);
  g_assert_nonnull (strstr (loser->error->message, "twin"));
  /* Exactly the winner's key was added. */
  keys_after = authorized_keys ();
  g_assert_cmpstr (keys_before, ==, "");
  lines_after = g_strsplit (keys_after, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines_after), ==, 2);
  g_assert_cmpstr (lines_after[1], ==, "");
  {
    KfKeypair *keypair = kf_store_find_keypair (env->store, kf_connection_get_keypair_id (winner->connection));
    g_auto(GStrv) parts = g_strsplit (kf_keypair_get_public_key (keypair), " ", 3);
    g_assert_nonnull (strstr (keys_after, parts[1]));
  }
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (env->store)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (env->store)), ==, 1);
  /* Both installed a key; the loser took back only its own, not the shell
   * the winner relies on. */
  g_assert_cmpuint (state_calls (fake, "keychaincredential.ssh_pair"), ==, 2);
  {
    g_autofree char *shell = state_user_string (fake, kf_test_sshd_get_user (sshd), "shell");
    g_assert_cmpstr (shell, ==, "/usr/bin/bash");
  }
  g_clear_object (&winner->connection);
  g_clear_error (&loser->error);
  tn_fake_stop (fake);
  env_free (env);
}

/* ---- asking before changing the shell or sudo (issue 10, point 4) ---- */

typedef struct {
  gboolean answer;
  GPtrArray *asked;   /* "id: message" */
} Confirmer;

static void
on_confirm_change (KfSemiautoSetup *setup,
                   const char      *id,
                   const char      *message,
                   Confirmer       *confirmer)
{
  g_ptr_array_add (confirmer->asked, g_strdup_printf ("%s: %s", id, message));
  g_assert_cmpint (kf_semiauto_setup_get_step (setup), ==, KF_SEMIAUTO_STEP_WAIT_CONFIRM);
  /* Answered at once here; a dialog answers later, from the main loop. */
  kf_semiauto_setup_confirm (setup, confirmer->answer);
}

static void
test_shell_consent (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  const char *user = kf_test_sshd_get_user (sshd);

  write_authorized_keys ("");
  /* No: nothing changes anywhere. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "shell no");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;
    g_autofree char *before = snapshot (env);
    g_autofree char *after = NULL;
    g_autofree char *keys = NULL;
    g_autofree char *shell = NULL;
    g_autofree char *expected = g_strdup_printf ("shell: %s's login shell on 127.0.0.1 is /usr/sbin/nologin; Keyferry will set /usr/bin/bash so that SSH logins work.", user);
    Confirmer confirmer = { FALSE, g_ptr_array_new_with_free_func (g_free) };

    g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), &confirmer);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_null (connection);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_test_message ("→ %s", error->message);
    g_assert_nonnull (strstr (error->message, "nothing was changed on the TrueNAS"));
    g_assert_cmpuint (confirmer.asked->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (confirmer.asked, 0), ==, expected);
    keys = authorized_keys ();
    g_assert_cmpstr (keys, ==, "");
    g_assert_cmpuint (state_calls (fake, "keychaincredential.ssh_pair"), ==, 0);
    g_assert_cmpuint (state_calls (fake, "user.update"), ==, 0);
    shell = state_user_string (fake, user, "shell");
    g_assert_cmpstr (shell, ==, "/usr/sbin/nologin");
    after = snapshot (env);
    g_assert_cmpstr (before, ==, after);
    g_ptr_array_unref (confirmer.asked);
  }
  /* Yes: the shell changes, and the SSH check passes. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "shell yes");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;
    g_autofree char *shell = NULL;
    Confirmer confirmer = { TRUE, g_ptr_array_new_with_free_func (g_free) };

    g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), &confirmer);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (confirmer.asked->len, ==, 1);
    g_assert_true (g_str_has_prefix (g_ptr_array_index (confirmer.asked, 0), "shell: "));
    g_assert_true (kf_semiauto_setup_get_host_key_verified (setup));
    shell = state_user_string (fake, user, "shell");
    g_assert_cmpstr (shell, ==, "/usr/bin/bash");
    g_ptr_array_unref (confirmer.asked);
  }
  /* The sudo option is asked the same way (a user that is not root). */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "sudo yes");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;
    g_autofree char *sudo = NULL;
    Confirmer confirmer = { TRUE, g_ptr_array_new_with_free_func (g_free) };

    kf_semiauto_setup_set_username (setup, "sudoer");
    kf_semiauto_setup_set_sudo_zfs (setup, TRUE);
    g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), &confirmer);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (confirmer.asked->len, ==, 1);
    g_test_message ("asked: %s", (char *) g_ptr_array_index (confirmer.asked, 0));
    g_assert_cmpstr (g_ptr_array_index (confirmer.asked, 0), ==,
                     "sudo: Keyferry will let sudoer on 127.0.0.1 run /usr/sbin/zfs with sudo without a password (passwordless sudo for zfs).");
    sudo = state_user_string (fake, "sudoer", "sudo_commands_nopasswd");
    g_assert_cmpstr (sudo, ==, "[\"/usr/bin/ls\",\"/usr/sbin/zfs\"]");
    g_ptr_array_unref (confirmer.asked);
  }
  tn_fake_stop (fake);
  write_authorized_keys ("");
  env_free (env);
}

/* Keep the shell: saved, but the SSH check is reported failed, with why. No
 * handler: the change is made and said in the notes. */
static void
test_keep_shell_and_notes (void)
{
  Env *env = env_new ();
  const char *user = kf_test_sshd_get_user (sshd);

  {
    TnFake *fake = start_fake_for_sshd (NULL);
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "kept shell");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;
    g_autofree char *shell = NULL;
    const char * const *notes;
    gboolean noted = FALSE;

    kf_semiauto_setup_set_keep_shell (setup, TRUE);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (connection);
    g_assert_false (kf_semiauto_setup_get_host_key_verified (setup));
    g_assert_false (kf_connection_get_host_key_verified (connection));
    g_assert_cmpint (kf_connection_get_test_state (connection), ==, KF_TEST_STATE_FAILED);
    g_test_message ("verify: %s", kf_semiauto_setup_get_verify_message (setup));
    g_assert_nonnull (strstr (kf_semiauto_setup_get_verify_message (setup), "stays /usr/sbin/nologin"));
    notes = kf_semiauto_setup_get_notes (setup);
    for (guint i = 0; notes[i] != NULL; i++)
      noted |= strstr (notes[i], "stays /usr/sbin/nologin, as asked") != NULL;
    g_assert_true (noted);
    g_assert_cmpuint (state_calls (fake, "user.update"), ==, 0);
    shell = state_user_string (fake, user, "shell");
    g_assert_cmpstr (shell, ==, "/usr/sbin/nologin");
    tn_fake_stop (fake);
  }
  {
    TnFake *fake = start_fake_for_sshd (NULL);
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "told shell");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = run_setup (setup, NULL, NULL, &error);
    const char * const *notes = kf_semiauto_setup_get_notes (setup);
    g_autofree char *expected = g_strdup_printf ("%s's login shell on 127.0.0.1 is /usr/sbin/nologin; Keyferry will set /usr/bin/bash so that SSH logins work.", user);

    g_assert_no_error (error);
    g_assert_true (g_strv_contains (notes, expected));
    tn_fake_stop (fake);
  }
  write_authorized_keys ("");
  env_free (env);
}

/* ---- when ssh_pair is closed (issue 10, point 7) ---- */

static void
test_public_route (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd ("\"private_methods\": \"refused\"");
  g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-public");
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  g_autofree char *shell = NULL;
  Confirmer confirmer = { TRUE, g_ptr_array_new_with_free_func (g_free) };
  const char * const *notes;
  gboolean told = FALSE;

  write_authorized_keys (odd_keys);
  g_assert_false (state_bool (fake, "ssh_service_running"));
  g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), &confirmer);
  connection = run_setup (setup, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_good_connection (env, connection, "nas-public");
  g_assert_cmpint (kf_semiauto_setup_get_protocol (setup), ==, KF_TRUENAS_PROTOCOL_JSONRPC);
  /* Asked about the shell, then about the stopped SSH service. */
  g_assert_cmpuint (confirmer.asked->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (confirmer.asked, 0), "shell: "));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (confirmer.asked, 1), "start-ssh: "));
  g_assert_nonnull (strstr (g_ptr_array_index (confirmer.asked, 1), "stopped"));
  /* Started through the job, and enabled. */
  g_assert_true (state_bool (fake, "ssh_service_running"));
  g_assert_true (state_bool (fake, "ssh_service_enabled"));
  g_assert_cmpuint (state_calls (fake, "service.update"), ==, 1);
  g_assert_cmpuint (state_calls (fake, "service.control"), ==, 1);
  g_assert_cmpuint (state_calls (fake, "core.get_jobs"), >=, 1);
  g_assert_cmpuint (state_calls (fake, "ssh.config"), ==, 1);
  /* One user.update installed the key and set the shell. */
  g_assert_cmpuint (state_calls (fake, "user.update"), ==, 1);
  shell = state_user_string (fake, kf_test_sshd_get_user (sshd), "shell");
  g_assert_cmpstr (shell, ==, "/usr/bin/bash");
  {
    g_autofree char *keys = authorized_keys ();
    g_assert_true (g_str_has_prefix (keys, odd_keys_truenas));
  }
  notes = kf_semiauto_setup_get_notes (setup);
  for (guint i = 0; notes[i] != NULL; i++)
    told |= strstr (notes[i], "started the SSH service") != NULL;
  g_assert_true (told);
  g_test_message ("FIGURES public route: %u round trips (%u core.get_jobs polls), API %.1f ms",
                  kf_semiauto_setup_get_round_trips (setup), state_calls (fake, "core.get_jobs"),
                  kf_semiauto_setup_get_api_ms (setup));
  g_ptr_array_unref (confirmer.asked);
  tn_fake_stop (fake);
  write_authorized_keys ("");
  env_free (env);
}

/* Declining the SSH service start: nothing changed; legacy keeps ssh_pair. */
static void
test_public_route_decline_and_legacy (void)
{
  Env *env = env_new ();

  {
    TnFake *fake = start_fake_for_sshd ("\"private_methods\": \"refused\"");
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "declined");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;
    g_autofree char *before = snapshot (env);
    g_autofree char *after = NULL;
    g_autofree char *keys = NULL;
    Confirmer confirmer = { TRUE, g_ptr_array_new_with_free_func (g_free) };

    write_authorized_keys (odd_keys);
    kf_semiauto_setup_set_keep_shell (setup, TRUE);   /* so the only question is the service */
    confirmer.answer = FALSE;
    g_signal_connect (setup, "confirm-change", G_CALLBACK (on_confirm_change), &confirmer);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_null (connection);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpuint (confirmer.asked->len, ==, 1);
    g_assert_true (g_str_has_prefix (g_ptr_array_index (confirmer.asked, 0), "start-ssh: "));
    g_assert_false (state_bool (fake, "ssh_service_running"));
    g_assert_false (state_bool (fake, "ssh_service_enabled"));
    g_assert_cmpuint (state_calls (fake, "user.update"), ==, 0);
    keys = authorized_keys ();
    g_assert_cmpstr (keys, ==, odd_keys);
    after = snapshot (env);
    g_assert_cmpstr (before, ==, after);
    g_ptr_array_unref (confirmer.asked);
    tn_fake_stop (fake);
  }
  {
    TnFake *fake = start_fake_for_sshd ("\"private_methods\": \"refused\"");
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "legacy-still-pairs");
    g_autoptr(GError) error = NULL;
    g_autoptr(KfConnection) connection = NULL;

    write_authorized_keys ("");
    kf_semiauto_setup_set_protocol (setup, KF_TRUENAS_PROTOCOL_LEGACY);
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (kf_semiauto_setup_get_host_key_verified (setup));
    g_assert_cmpuint (state_calls (fake, "keychaincredential.ssh_pair"), ==, 1);
    g_assert_cmpuint (state_calls (fake, "ssh.config"), ==, 0);
    g_test_message ("FIGURES legacy (ssh_pair): %u round trips", kf_semiauto_setup_get_round_trips (setup));
    tn_fake_stop (fake);
  }
  write_authorized_keys ("");
  env_free (env);
}

/* ---- trust on first use, then a changed certificate ---- */

static void
test_certificate_trust_then_change (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  g_autofree char *id = NULL;
  g_autofree char *shown = NULL;

  /* Not trusted: the setup stops and shows the certificate; the user trusts it. */
  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-tofu");
    KfTruenasCertificate *cert;

    kf_semiauto_setup_set_tls_pin (setup, NULL);
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE);
    g_clear_error (&error);
    cert = kf_semiauto_setup_get_peer_certificate (setup);
    g_assert_nonnull (cert);
    shown = g_strdup (kf_truenas_certificate_get_fingerprint_display (cert));

    /* What the user confirmed, typed back in OpenSSL form. */
    kf_semiauto_setup_set_tls_pin (setup, shown);
    kf_semiauto_setup_set_admin_password (setup, "s3cret");
    connection = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (kf_connection_get_tls_pin (connection), ==, tn_fixture_cert_pin ());
    id = g_strdup (kf_connection_get_id (connection));
  }
  tn_fake_stop (fake);

  /* The box now shows another certificate: pairing again stops loudly, nothing changes. */
  {
    g_autofree char *rsa = g_strconcat (kf_test_sshd_get_host_key_path (sshd, "rsa"), ".pub", NULL);
    const char *host_keys[] = { rsa, NULL };
    TnFakeOptions options = {
      .ssh_port = kf_test_sshd_get_port (sshd),
      .authorized_keys = kf_test_sshd_get_authorized_keys_path (sshd),
      .host_keys = host_keys,
      .ssh_user = kf_test_sshd_get_user (sshd),
      .other_certificate = TRUE,
    };
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autoptr(KfSemiautoSetup) setup = NULL;
    g_autoptr(KfConnection) stored = NULL;
    g_autofree char *url = NULL;

    fake = tn_fake_start (NULL, &options);
    /* Same box, new port: point the stored connection at it (as if the NAS moved). */
    stored = kf_connection_copy (kf_store_find_connection (env->store, id));
    url = g_strdup_printf ("https://127.0.0.1:%u", fake->https_port);
    kf_connection_set_truenas_url (stored, url);
    g_assert_true (kf_store_update_connection (env->store, stored, &error));
    g_assert_no_error (error);
    before = snapshot (env);

    setup = kf_semiauto_setup_new_pair_again (env->vault, kf_store_find_connection (env->store, id));
    kf_semiauto_setup_set_admin_password (setup, "s3cret");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED);
    /* The fingerprint in the form the certificate dialog shows (issue 11, defect 5). */
    {
      g_autofree char *display = kf_truenas_certificate_pin_to_display (tn_fixture_other_cert_pin ());

      g_assert_nonnull (strstr (error->message, display));
    }
    g_assert_cmpstr (kf_truenas_certificate_get_fingerprint (kf_semiauto_setup_get_peer_certificate (setup)), ==,
                     tn_fixture_other_cert_pin ());
    after = snapshot (env);
    g_assert_cmpstr (before, ==, after);
    tn_fake_stop (fake);
  }
  env_free (env);
}

/* ---- pair again ---- */

static void
test_pair_again (void)
{
  Env *env = env_new ();
  TnFake *fake = start_fake_for_sshd (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) first = NULL;
  g_autoptr(KfConnection) second = NULL;
  g_auto(GStrv) old_keys = NULL;
  g_autofree char *id = NULL;
  guint n_keypairs;

  {
    g_autoptr(KfSemiautoSetup) setup = new_setup (env, fake, "nas-again");
    first = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  old_keys = g_strdupv ((char **) kf_connection_get_host_keys (first));
  id = g_strdup (kf_connection_get_id (first));
  n_keypairs = g_list_model_get_n_items (kf_store_get_keypairs (env->store));

  /* The NAS got new host keys; pairing again picks them up (wrong password first: nothing changes). */
  g_assert_true (kf_test_sshd_regenerate_host_keys (sshd, &error));
  g_assert_no_error (error);
  {
    g_autoptr(KfSemiautoSetup) setup = kf_semiauto_setup_new_pair_again (env->vault, kf_store_find_connection (env->store, id));
    g_autofree char *before = snapshot (env);
    g_autofree char *after = NULL;

    kf_semiauto_setup_set_admin_password (setup, "wrong");
    g_assert_null (run_setup (setup, NULL, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED);
    g_clear_error (&error);
    after = snapshot (env);
    g_assert_cmpstr (before, ==, after);
  }
  {
    g_autoptr(KfSemiautoSetup) setup = kf_semiauto_setup_new_pair_again (env->vault, kf_store_find_connection (env->store, id));

    kf_semiauto_setup_set_admin_password (setup, "s3cret");
    second = run_setup (setup, NULL, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (kf_connection_get_id (second), ==, id);
  g_assert_cmpstr (kf_connection_get_name (second), ==, "nas-again");
  g_assert_false (g_strv_equal ((const char * const *) old_keys, kf_connection_get_host_keys (second)));
  g_assert_true (kf_connection_get_host_key_verified (second));
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (env->store)), ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (env->store)), ==, n_keypairs);
  tn_fake_stop (fake);
  env_free (env);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  kf_test_init (&argc, &argv);
  tn_fixture_init ();
  sshd = kf_test_sshd_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/truenas/setup/end-to-end-jsonrpc", test_end_to_end_jsonrpc);
  g_test_add_func ("/truenas/setup/end-to-end-legacy-existing-key", test_end_to_end_legacy_existing_key);
  g_test_add_func ("/truenas/setup/public-key-comment-dropped", test_public_key_comment_dropped);
  g_test_add_func ("/truenas/setup/otp-round-trip", test_otp_round_trip);
  g_test_add_func ("/truenas/setup/failures", test_failures);
  g_test_add_func ("/truenas/setup/form-errors", test_form_errors);
  g_test_add_func ("/truenas/setup/cancel", test_cancel);
  g_test_add_func ("/truenas/setup/host-key-mismatch", test_host_key_mismatch);
  g_test_add_func ("/truenas/setup/pair-again", test_pair_again);
  g_test_add_func ("/truenas/setup/certificate-trust-then-change", test_certificate_trust_then_change);
  g_test_add_func ("/truenas/setup/rollback", test_rollback);
  g_test_add_func ("/truenas/setup/rollback-cancel-restores-user", test_rollback_cancel_restores_user);
  g_test_add_func ("/truenas/setup/rollback-failure-named", test_rollback_failure_named);
  g_test_add_func ("/truenas/setup/same-name-twice-at-once", test_same_name_twice_at_once);
  g_test_add_func ("/truenas/setup/shell-consent", test_shell_consent);
  g_test_add_func ("/truenas/setup/keep-shell-and-notes", test_keep_shell_and_notes);
  g_test_add_func ("/truenas/setup/public-route", test_public_route);
  g_test_add_func ("/truenas/setup/public-route-decline-and-legacy", test_public_route_decline_and_legacy);

  status = g_test_run ();
  kf_test_sshd_stop (sshd);
  return status;
}
