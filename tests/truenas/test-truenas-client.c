/* test-truenas-client.c: KfTruenasClient against the fake TrueNAS over real TLS.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <libsoup/soup.h>

#include "kf-errors.h"
#include "kf-semiauto-field.h"
#include "kf-test-util.h"
#include "kf-truenas-client.h"
#include "truenas-fixture.h"

#define WAIT_S 30
#define PUBKEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmJWzG2Vt3d0rVO6QeHl3kDQmWn5Q0Zl0S3yqX1S6cN test@keyferry"

/* ---- running the async API to completion ---- */

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

static GAsyncResult *
wait_result (Wait *wait)
{
  kf_test_wait_for (&wait->done, WAIT_S);
  return wait->result;
}

static KfTruenasClient *
new_client (const char        *url_text,
            const char        *pin,
            KfTruenasProtocol  protocol)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (url_text, &error);
  KfTruenasClient *client;

  g_assert_no_error (error);
  client = kf_truenas_client_new (url);
  kf_truenas_client_set_tls_pin (client, pin);
  kf_truenas_client_set_protocol (client, protocol);
  /* Not under test here: scaled for the sanitizer run (kf_test_timeout). */
  kf_truenas_client_set_connect_timeout (client, kf_test_timeout (10));
  return client;
}

static gboolean
do_connect (KfTruenasClient  *client,
            GCancellable     *cancellable,
            GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  kf_truenas_client_connect_async (client, cancellable, on_done, &wait);
  ok = kf_truenas_client_connect_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_login (KfTruenasClient  *client,
          const char       *user,
          const char       *password,
          const char       *otp,
          GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  kf_truenas_client_login_async (client, user, password, otp, NULL, on_done, &wait);
  ok = kf_truenas_client_login_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_continue (KfTruenasClient  *client,
             const char       *otp,
             GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  kf_truenas_client_login_continue_async (client, otp, NULL, on_done, &wait);
  ok = kf_truenas_client_login_continue_finish (client, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_pair (KfTruenasClient  *client,
         const char       *user,
         const char       *key,
         GCancellable     *cancellable,
         guint            *port,
         GStrv            *host_keys,
         GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  kf_truenas_client_ssh_pair_async (client, user, key, cancellable, on_done, &wait);
  ok = kf_truenas_client_ssh_pair_finish (client, wait_result (&wait), port, host_keys, error);
  g_object_unref (wait.result);
  return ok;
}

static gboolean
do_update (KfTruenasClient  *client,
           const char       *user,
           gboolean          sudo_zfs,
           gboolean         *changed,
           GError          **error)
{
  Wait wait = { 0 };
  gboolean ok;

  kf_truenas_client_update_user_async (client, user, sudo_zfs, NULL, on_done, &wait);
  ok = kf_truenas_client_update_user_finish (client, wait_result (&wait), changed, error);
  g_object_unref (wait.result);
  return ok;
}

/* Connected and logged in as the full admin. */
static KfTruenasClient *
logged_in_client (TnFake            *fake,
                  KfTruenasProtocol  protocol)
{
  g_autoptr(GError) error = NULL;
  KfTruenasClient *client = new_client (fake->https_url, tn_fixture_cert_pin (), protocol);

  g_assert_true (do_connect (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (do_login (client, "truenas_admin", "s3cret", NULL, &error));
  g_assert_no_error (error);
  return client;
}

static JsonObject *
find_user (JsonNode   *state,
           const char *username)
{
  JsonArray *users = json_object_get_array_member (json_node_get_object (state), "users");

  for (guint i = 0; i < json_array_get_length (users); i++)
    {
      JsonObject *user = json_array_get_object_element (users, i);
      if (g_str_equal (json_object_get_string_member (user, "username"), username))
        return user;
    }
  g_assert_not_reached ();
}

static gboolean
state_has_call (JsonNode   *state,
                const char *method)
{
  JsonArray *calls = json_object_get_array_member (json_node_get_object (state), "calls");

  for (guint i = 0; i < json_array_get_length (calls); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (calls, i), "method"), method))
      return TRUE;
  return FALSE;
}

static void
assert_one_sentence (const GError *error)
{
  g_assert_nonnull (error);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

/* ---- the whole exchange, per protocol ---- */

static void
run_full_exchange (const char        *protocols,
                   KfTruenasProtocol  forced,
                   KfTruenasProtocol  expected)
{
  g_autofree char *extra = g_strdup_printf ("\"protocols\": \"%s\"", protocols);
  TnFake *fake = tn_fake_start (extra, NULL);
  g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), forced);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  g_autofree char *keys = NULL;
  g_auto(GStrv) host_keys = NULL;
  JsonObject *user;
  JsonArray *nopasswd;
  gboolean changed = FALSE;
  guint port = 0;

  g_assert_true (do_connect (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (kf_truenas_client_get_protocol (client), ==, expected);
  g_assert_nonnull (kf_truenas_client_get_peer_certificate (client));
  g_assert_cmpstr (kf_truenas_certificate_get_fingerprint (kf_truenas_client_get_peer_certificate (client)), ==,
                   tn_fixture_cert_pin ());
  g_assert_null (kf_truenas_client_get_redirect_note (client));

  g_assert_true (do_login (client, "truenas_admin", "s3cret", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kf_truenas_client_is_logged_in (client));

  g_assert_true (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, &host_keys, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, 2222);
  g_assert_cmpuint (g_strv_length (host_keys), ==, 3);
  g_assert_true (g_str_has_prefix (host_keys[0], "ssh-rsa AAAA"));
  g_assert_true (g_str_has_prefix (host_keys[1], "ecdsa-sha2-nistp256 AAAA"));
  g_assert_true (g_str_has_prefix (host_keys[2], "ssh-ed25519 AAAA"));
  for (guint i = 0; i < 3; i++)
    g_assert_true (g_str_has_suffix (host_keys[i], " root@truenas"));

  g_assert_true (do_update (client, g_get_user_name (), TRUE, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);

  keys = tn_fake_read_authorized_keys (fake);
  g_assert_nonnull (strstr (keys, PUBKEY));

  state = tn_fake_read_state (fake);
  user = find_user (state, g_get_user_name ());
  g_assert_cmpstr (json_object_get_string_member (user, "shell"), ==, "/usr/bin/bash");
  nopasswd = json_object_get_array_member (user, "sudo_commands_nopasswd");
  if (g_str_equal (g_get_user_name (), "root"))
    g_assert_cmpuint (json_array_get_length (nopasswd), ==, 1);
  else
    {
      g_assert_cmpuint (json_array_get_length (nopasswd), ==, 2);
      g_assert_cmpstr (json_array_get_string_element (nopasswd, 1), ==, "/usr/sbin/zfs");
    }
  g_assert_true (json_object_get_boolean_member (json_node_get_object (state), "ssh_service_enabled"));
  /* On JSON-RPC ssh_pair is private: core.set_options came first. */
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (state), "private_calls_without_options"), ==, 0);
  g_assert_true (state_has_call (state, "keychaincredential.ssh_pair"));

  /* Round trips: versions probe (auto only) + upgrade, then one per call. */
  g_test_message ("%s: %u round trips", protocols, kf_truenas_client_get_round_trips (client));
  if (expected == KF_TRUENAS_PROTOCOL_JSONRPC)
    g_assert_cmpuint (kf_truenas_client_get_round_trips (client), ==, (forced == KF_TRUENAS_PROTOCOL_AUTO ? 2 : 1) + 5);
  else
    g_assert_cmpuint (kf_truenas_client_get_round_trips (client), ==, (forced == KF_TRUENAS_PROTOCOL_AUTO ? 2 : 1) + 5);

  kf_truenas_client_close (client);
  g_assert_false (kf_truenas_client_is_connected (client));
  tn_fake_stop (fake);
}

static void
test_full_jsonrpc (void)
{
  run_full_exchange ("both", KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_JSONRPC);
  run_full_exchange ("jsonrpc", KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_JSONRPC);
}

static void
test_full_legacy (void)
{
  run_full_exchange ("legacy", KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_LEGACY);
  run_full_exchange ("both", KF_TRUENAS_PROTOCOL_LEGACY, KF_TRUENAS_PROTOCOL_LEGACY);
}

/* ---- certificates ---- */

static void
test_certificate (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *other_pin = g_strconcat ("SHA256:", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL);

  /* No pin: refused, and the certificate is there to show. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, NULL, KF_TRUENAS_PROTOCOL_AUTO);
    KfTruenasCertificate *cert;

    g_assert_false (do_connect (client, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE);
    assert_one_sentence (error);
    /* The fingerprint in the one form the certificate dialog shows too. */
    {
      g_autofree char *display = kf_truenas_certificate_pin_to_display (tn_fixture_cert_pin ());

      g_assert_nonnull (display);
      g_assert_nonnull (strstr (error->message, display));
      g_assert_null (strstr (error->message, "SHA256:"));
    }
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
    cert = kf_truenas_client_get_peer_certificate (client);
    g_assert_nonnull (cert);
    g_assert_cmpstr (kf_truenas_certificate_get_fingerprint (cert), ==, tn_fixture_cert_pin ());
    g_assert_nonnull (strstr (kf_truenas_certificate_get_subject (cert), "CN=truenas.local"));
    g_assert_nonnull (kf_truenas_certificate_get_not_after (cert));
    g_assert_true (kf_truenas_certificate_get_errors (cert) & G_TLS_CERTIFICATE_UNKNOWN_CA);
    g_clear_error (&error);
  }
  /* Legacy only, no pin: the same. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, NULL, KF_TRUENAS_PROTOCOL_LEGACY);

    g_assert_false (do_connect (client, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE);
    g_clear_error (&error);
  }
  /* Pinned to another certificate: loud. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, other_pin, KF_TRUENAS_PROTOCOL_AUTO);

    g_assert_false (do_connect (client, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED);
    assert_one_sentence (error);
    g_assert_nonnull (strstr (error->message, "different certificate"));
    g_assert_null (strstr (error->message, "SHA256:"));
    g_assert_cmpstr (kf_truenas_certificate_get_fingerprint (kf_truenas_client_get_peer_certificate (client)), ==,
                     tn_fixture_cert_pin ());
    g_clear_error (&error);
  }
  /* Pinned to the right one: a second client checks again (fresh session). */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);

      g_assert_true (do_connect (client, NULL, &error));
      g_assert_no_error (error);
    }
  /* Trusted through a TLS database that holds the certificate: a pin must still match. */
  {
    g_autoptr(GTlsDatabase) database = g_tls_file_database_new (tn_fixture_cert_path (), &error);
    g_autofree char *url = g_strdup_printf ("https://localhost:%u", fake->https_port);
    g_autoptr(KfTruenasClient) client = NULL;
    g_autoptr(KfTruenasClient) pinned_other = NULL;

    g_assert_no_error (error);
    client = new_client (url, NULL, KF_TRUENAS_PROTOCOL_AUTO);
    kf_truenas_client_set_tls_database (client, database);
    g_assert_true (do_connect (client, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (kf_truenas_certificate_get_errors (kf_truenas_client_get_peer_certificate (client)), ==, 0);

    pinned_other = new_client (url, other_pin, KF_TRUENAS_PROTOCOL_AUTO);
    kf_truenas_client_set_tls_database (pinned_other, database);
    g_assert_false (do_connect (pinned_other, NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED);
    g_clear_error (&error);
  }
  tn_fake_stop (fake);
}

/* ---- redirect ---- */

static void
test_redirect (void)
{
  const char *protocols[] = { "both", "legacy" };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autofree char *extra = g_strdup_printf ("\"protocols\": \"%s\"", protocols[i]);
      TnFake *fake = tn_fake_start (extra, NULL);
      g_autoptr(KfTruenasClient) client = new_client (fake->http_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);
      g_autoptr(GError) error = NULL;
      g_autofree char *expected_base = g_strdup_printf ("https://127.0.0.1:%u", fake->https_port);
      guint port = 0;

      g_assert_true (do_connect (client, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (kf_truenas_client_get_redirect_note (client));
      g_test_message ("%s", kf_truenas_client_get_redirect_note (client));
      g_assert_nonnull (strstr (kf_truenas_client_get_redirect_note (client), expected_base));
      g_assert_cmpstr (kf_truenas_client_get_base (client), ==, expected_base);
      g_assert_cmpint (kf_truenas_client_get_protocol (client), ==,
                       i == 0 ? KF_TRUENAS_PROTOCOL_JSONRPC : KF_TRUENAS_PROTOCOL_LEGACY);
      g_assert_true (do_login (client, "truenas_admin", "s3cret", NULL, &error));
      g_assert_no_error (error);
      g_assert_true (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error));
      g_assert_no_error (error);
      tn_fake_stop (fake);
    }

  /* Forced legacy: the redirect happens on the WebSocket upgrade itself. */
  {
    TnFake *fake = tn_fake_start (NULL, NULL);
    g_autoptr(KfTruenasClient) client = new_client (fake->http_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_LEGACY);
    g_autoptr(GError) error = NULL;

    g_assert_true (do_connect (client, NULL, &error));
    g_assert_no_error (error);
    g_assert_nonnull (kf_truenas_client_get_redirect_note (client));
    g_assert_true (do_login (client, "truenas_admin", "s3cret", NULL, &error));
    g_assert_no_error (error);
    tn_fake_stop (fake);
  }
}

/* ---- plain http without a redirect ---- */

static void
on_plain_websocket (SoupServer              *server,
                    SoupServerMessage       *msg,
                    const char              *path,
                    SoupWebsocketConnection *connection,
                    gpointer                 user_data)
{
  GPtrArray *connections = user_data;
  g_ptr_array_add (connections, g_object_ref (connection));
}

/* Hands each accepted connection to the SoupServer. (Not soup_server_listen*:
 * libsoup 3.2's listener leaks every accepted GSocket and the address it
 * reads back, which LeakSanitizer reports.) */
static gboolean
on_plain_incoming (GSocketService    *service,
                   GSocketConnection *connection,
                   GObject           *source_object,
                   gpointer           user_data)
{
  g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (connection, NULL);
  g_autoptr(GSocketAddress) remote = g_socket_connection_get_remote_address (connection, NULL);

  g_assert_nonnull (local);
  g_assert_nonnull (remote);
  g_assert_true (soup_server_accept_iostream (SOUP_SERVER (user_data), G_IO_STREAM (connection), local, remote, NULL));
  return TRUE;
}

/* A server that takes WebSocket upgrades on plain http and nothing else:
 * no frame must ever reach it, so it needs no protocol at all. */
static void
test_plain_http_refused (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GPtrArray) connections = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_LEGACY };

  soup_server_add_websocket_handler (server, "/websocket", NULL, NULL, on_plain_websocket, connections, NULL);
  g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error));
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_plain_incoming), server);
  g_socket_service_start (service);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = new_client (url, NULL, protocols[i]);

      g_assert_false (do_connect (client, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
      g_assert_nonnull (strstr (error->message, "unencrypted"));
      g_assert_nonnull (strstr (error->message, "https://127.0.0.1"));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
      assert_one_sentence (error);
      g_assert_false (kf_truenas_client_is_connected (client));
      g_clear_error (&error);
    }
  /* The upgrade itself went through: the refusal is the client's own. */
  g_assert_cmpuint (connections->len, ==, 2);
  g_signal_handlers_disconnect_by_func (service, on_plain_incoming, server);
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  soup_server_disconnect (server);
}

/* ---- logins ---- */

static void
test_login_failures (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      struct {
        const char *user, *password, *otp;
        GQuark domain;
        int code;
        const char *words;
      } cases[] = {
        { "truenas_admin", "wrong", NULL, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, "password" },
        { "nobody", "s3cret", NULL, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED, "user name" },
        { "truenas_admin", "", NULL, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_PASSWORD, "Enter the password" },
        { "", "s3cret", NULL, KF_INPUT_ERROR, KF_INPUT_ERROR_ADMIN_USERNAME, "Enter the admin user name" },
      };

      for (guint j = 0; j < G_N_ELEMENTS (cases); j++)
        {
          g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), protocols[i]);
          g_autoptr(GError) error = NULL;

          g_assert_true (do_connect (client, NULL, &error));
          g_assert_false (do_login (client, cases[j].user, cases[j].password, cases[j].otp, &error));
          g_assert_error (error, cases[j].domain, cases[j].code);
          assert_one_sentence (error);
          g_assert_nonnull (strstr (error->message, cases[j].words));
          g_assert_false (kf_truenas_client_is_logged_in (client));
        }
    }

  /* Expired / denied (JSON-RPC login_ex tells). */
  {
    const char *users[] = { "old", "nope" };
    const char *words[] = { "expired", "does not let" };

    for (guint j = 0; j < G_N_ELEMENTS (users); j++)
      {
        g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_JSONRPC);
        g_autoptr(GError) error = NULL;

        g_assert_true (do_connect (client, NULL, &error));
        g_assert_false (do_login (client, users[j], "s3cret", NULL, &error));
        g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_ACCOUNT);
        g_assert_nonnull (strstr (error->message, words[j]));
        g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_ADMIN_USERNAME);
      }
  }
  tn_fake_stop (fake);
}

static void
test_login_otp (void)
{
  TnFake *fake = tn_fake_start ("\"otp_max_tries\": 3", NULL);
  g_autoptr(GError) error = NULL;

  /* JSON-RPC: asked for, refused once, then accepted: one login. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);
    guint port = 0;

    g_assert_true (do_connect (client, NULL, &error));
    g_assert_cmpint (kf_truenas_client_get_protocol (client), ==, KF_TRUENAS_PROTOCOL_JSONRPC);
    g_assert_false (do_login (client, "twofa", "s3cret", NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED);
    g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_OTP);
    g_assert_true (kf_truenas_client_is_awaiting_otp (client));
    g_clear_error (&error);

    g_assert_false (do_continue (client, "000000", &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED);
    assert_one_sentence (error);
    g_assert_true (kf_truenas_client_is_awaiting_otp (client));
    g_clear_error (&error);

    g_assert_true (do_continue (client, " 246 810 ", &error));
    g_assert_no_error (error);
    g_assert_true (kf_truenas_client_is_logged_in (client));
    g_assert_false (kf_truenas_client_is_awaiting_otp (client));
    g_assert_true (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error));
    g_assert_no_error (error);
  }
  /* JSON-RPC: the code given up front is used when asked. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);

    g_assert_true (do_connect (client, NULL, &error));
    g_assert_true (do_login (client, "twofa", "s3cret", "246810", &error));
    g_assert_no_error (error);
  }
  /* JSON-RPC: too many wrong codes end the login. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);
    guint tries = 0;

    g_assert_true (do_connect (client, NULL, &error));
    g_assert_false (do_login (client, "twofa", "s3cret", "111111", &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED);
    while (kf_truenas_client_is_awaiting_otp (client) && tries++ < 10)
      {
        g_clear_error (&error);
        g_assert_false (do_continue (client, "111111", &error));
        g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_FAILED);
      }
    g_assert_cmpuint (tries, <, 10);
    g_assert_nonnull (strstr (error->message, "too many"));
    g_clear_error (&error);
  }
  /* Legacy: the code goes with the password; missing, the message names 2FA. */
  {
    g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_LEGACY);

    g_assert_true (do_connect (client, NULL, &error));
    g_assert_false (do_login (client, "twofa", "s3cret", NULL, &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED);
    g_assert_nonnull (strstr (error->message, "two-factor"));
    g_clear_error (&error);
    g_assert_false (do_login (client, "twofa", "s3cret", "000000", &error));
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED);
    g_assert_nonnull (strstr (error->message, "one-time password"));
    g_clear_error (&error);
    g_assert_true (do_login (client, "twofa", "s3cret", "246810", &error));
    g_assert_no_error (error);
  }
  tn_fake_stop (fake);
}

/* ---- pairing and user errors ---- */

static void
test_pair_failures (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = logged_in_client (fake, protocols[i]);
      g_autoptr(GError) error = NULL;
      guint port;

      g_assert_false (do_pair (client, "ghost", PUBKEY, NULL, &port, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER);
      g_assert_nonnull (strstr (error->message, "ghost"));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_USERNAME);
      assert_one_sentence (error);
      g_clear_error (&error);

      g_assert_false (do_pair (client, "remote", PUBKEY, NULL, &port, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER);
      g_clear_error (&error);

      g_assert_false (do_pair (client, "daemon", PUBKEY, NULL, &port, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_HOME);
      g_assert_nonnull (strstr (error->message, "/var/empty"));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_USERNAME);
      assert_one_sentence (error);
      g_clear_error (&error);

      g_assert_false (do_update (client, "stubborn", FALSE, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_USER_UPDATE);
      g_assert_nonnull (strstr (error->message, "not a valid shell"));
      assert_one_sentence (error);
      g_clear_error (&error);

      g_assert_false (do_update (client, "ghost", FALSE, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_SUCH_USER);
      g_clear_error (&error);

      /* Still usable after refused calls. */
      g_assert_true (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error));
      g_assert_no_error (error);
    }

  /* A limited admin may log in but not pair. */
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), protocols[i]);
      g_autoptr(GError) error = NULL;
      guint port;

      g_assert_true (do_connect (client, NULL, &error));
      g_assert_true (do_login (client, "viewer", "s3cret", NULL, &error));
      g_assert_no_error (error);
      g_assert_false (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NOT_AUTHORIZED);
      g_assert_nonnull (strstr (error->message, "viewer"));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_ADMIN_USERNAME);
      assert_one_sentence (error);
    }
  tn_fake_stop (fake);
}

static void
test_user_update_rules (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  g_autoptr(KfTruenasClient) client = logged_in_client (fake, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) state = NULL;
  JsonArray *nopasswd;
  gboolean changed = TRUE;

  /* ALL already: nothing to do, no user.update call. */
  g_assert_true (do_update (client, "zfsall", TRUE, &changed, &error));
  g_assert_no_error (error);
  g_assert_false (changed);

  /* Without the option, a bash user needs nothing either. */
  g_assert_true (do_update (client, "sudoer", FALSE, &changed, &error));
  g_assert_false (changed);

  /* With it: /usr/sbin/zfs appended, the rest kept; a second run changes nothing. */
  g_assert_true (do_update (client, "sudoer", TRUE, &changed, &error));
  g_assert_no_error (error);
  g_assert_true (changed);
  g_assert_true (do_update (client, "sudoer", TRUE, &changed, &error));
  g_assert_false (changed);

  state = tn_fake_read_state (fake);
  nopasswd = json_object_get_array_member (find_user (state, "sudoer"), "sudo_commands_nopasswd");
  g_assert_cmpuint (json_array_get_length (nopasswd), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (nopasswd, 0), ==, "/usr/bin/ls");
  g_assert_cmpstr (json_array_get_string_element (nopasswd, 1), ==, "/usr/sbin/zfs");
  g_assert_cmpstr (json_object_get_string_member (find_user (state, "sudoer"), "shell"), ==, "/usr/bin/bash");
  tn_fake_stop (fake);
}

static void
test_public_key_limit (void)
{
  TnFake *fake = tn_fake_start ("\"public_key_max_length\": 1024", NULL);
  g_autoptr(KfTruenasClient) client = logged_in_client (fake, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) key = g_string_new ("ssh-rsa AAAA");
  guint trips;
  guint port;

  while (key->len < 1400)
    g_string_append (key, "B");
  trips = kf_truenas_client_get_round_trips (client);
  g_assert_false (do_pair (client, g_get_user_name (), key->str, NULL, &port, NULL, &error));
  g_assert_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "1024"));
  g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_KEYPAIR);
  /* Refused before asking the TrueNAS. */
  g_assert_cmpuint (kf_truenas_client_get_round_trips (client), ==, trips);
  tn_fake_stop (fake);
}

/* An RSA-4096 public key (as ssh-keygen writes it) with a @comment_len
 * character comment. */
static char *
rsa4096_public_key (guint comment_len)
{
  g_autofree char *dir = kf_test_make_tmpdir ("rsa4096");
  g_autofree char *path = g_build_filename (dir, "id_rsa", NULL);
  g_autofree char *pub_path = g_strconcat (path, ".pub", NULL);
  g_autofree char *comment = g_strnfill (comment_len, 'c');
  const char *argv[] = { "ssh-keygen", "-q", "-t", "rsa", "-b", "4096", "-N", "", "-C", comment, "-f", path, NULL };
  g_autofree char *text = NULL;

  g_assert_cmpint (kf_test_run_command (argv, NULL, NULL, NULL), ==, 0);
  g_assert_true (g_file_get_contents (pub_path, &text, NULL, NULL));
  return g_strstrip (g_steal_pointer (&text));
}

/* Issue 10: the comment is what breaks the 1024-character limit of
 * JSON-RPC's ssh_pair (TrueNAS 25.04–26): the key goes without it and
 * pairs; a key too long even bare is refused before anything is sent. */
static void
test_public_key_comment (void)
{
  TnFake *fake = tn_fake_start ("\"public_key_max_length\": 1024", NULL);
  g_autoptr(KfTruenasClient) client = logged_in_client (fake, KF_TRUENAS_PROTOCOL_JSONRPC);
  g_autoptr(KfTruenasClient) legacy = logged_in_client (fake, KF_TRUENAS_PROTOCOL_LEGACY);
  g_autofree char *key = rsa4096_public_key (400);
  g_auto(GStrv) fields = g_strsplit (key, " ", 3);
  g_autofree char *bare = g_strdup_printf ("%s %s", fields[0], fields[1]);
  g_autofree char *sent = NULL;
  g_autofree char *same = NULL;
  g_autofree char *installed = NULL;
  g_autoptr(GString) too_long = g_string_new ("ssh-rsa AAAA");
  g_autoptr(GError) error = NULL;
  gboolean dropped = TRUE;
  guint trips;
  guint port;

  g_assert_cmpuint (strlen (key), >, 1024);
  g_assert_cmpuint (strlen (bare), <=, 1024);
  /* As ssh_pair would send it, the TrueNAS refuses it (the fake's limit is the server's). */
  g_assert_false (kf_truenas_client_fits_public_key (client, key, &error));
  g_assert_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "without the comment"));
  g_clear_error (&error);

  sent = kf_truenas_client_public_key_to_send (client, key, &dropped, &error);
  g_assert_no_error (error);
  g_assert_true (dropped);
  g_assert_cmpstr (sent, ==, bare);
  g_assert_true (do_pair (client, g_get_user_name (), sent, NULL, &port, NULL, &error));
  g_assert_no_error (error);
  installed = tn_fake_read_authorized_keys (fake);
  g_assert_nonnull (strstr (installed, bare));
  g_assert_null (strstr (installed, "cccccccccc"));

  /* The legacy protocol has no such limit in Keyferry's rules: the key goes whole. */
  same = kf_truenas_client_public_key_to_send (legacy, key, &dropped, &error);
  g_assert_no_error (error);
  g_assert_false (dropped);
  g_assert_cmpstr (same, ==, key);

  /* Too long without a comment: the cause named, nothing asked of the TrueNAS. */
  while (too_long->len < 1100)
    g_string_append_c (too_long, 'B');
  g_string_append (too_long, " me@desk");
  trips = kf_truenas_client_get_round_trips (client);
  g_assert_null (kf_truenas_client_public_key_to_send (client, too_long->str, &dropped, &error));
  g_assert_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "even without its comment"));
  g_assert_nonnull (strstr (error->message, "4096 bits"));
  g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_KEYPAIR);
  assert_one_sentence (error);
  g_assert_cmpuint (kf_truenas_client_get_round_trips (client), ==, trips);
  tn_fake_stop (fake);
}

/* Issue 10: a method this TrueNAS lacks (-32601 / ENOMETHOD, whose legacy
 * reason says "not found") is named as missing, never as a missing user. */
static void
test_missing_method (void)
{
  TnFake *fake = tn_fake_start ("\"absent_methods\": [\"user.query\"]", NULL);
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = logged_in_client (fake, protocols[i]);
      g_autoptr(GError) error = NULL;

      g_test_message ("protocol %s", kf_truenas_protocol_to_string (protocols[i]));
      g_assert_false (do_update (client, g_get_user_name (), FALSE, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_METHOD);
      g_assert_nonnull (strstr (error->message, "does not offer “user.query”"));
      g_assert_null (strstr (error->message, "user "));
      /* The version, where the box said it (/api/versions, probed in auto). */
      if (protocols[i] == KF_TRUENAS_PROTOCOL_AUTO)
        g_assert_nonnull (strstr (error->message, "v25.10.0"));
      assert_one_sentence (error);
    }
  tn_fake_stop (fake);
}

/* Issue 10: http:// typed for the HTTPS port: say so, not "Connection
 * terminated unexpectedly". */
static void
test_http_to_tls_port (void)
{
  TnFake *fake = tn_fake_start (NULL, NULL);
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", fake->https_port);
  g_autofree char *https = g_strdup_printf ("https://127.0.0.1:%u", fake->https_port);
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_AUTO, KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = new_client (url, NULL, protocols[i]);
      g_autoptr(GError) error = NULL;

      g_assert_false (do_connect (client, NULL, &error));
      g_test_message ("%s → %s", kf_truenas_protocol_to_string (protocols[i]), error->message);
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
      g_assert_nonnull (strstr (error->message, "speaks HTTPS"));
      g_assert_nonnull (strstr (error->message, https));
      g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
      assert_one_sentence (error);
    }
  tn_fake_stop (fake);
}

/* Issue 10: a forced protocol the box does not serve gets the --protocol hint. */
static void
test_protocol_mismatch (void)
{
  struct {
    const char *served;
    KfTruenasProtocol forced;
    const char *words;
    const char *hint;
  } cases[] = {
    { "legacy", KF_TRUENAS_PROTOCOL_JSONRPC, "does not offer the JSON-RPC API", "--protocol legacy" },
    { "jsonrpc", KF_TRUENAS_PROTOCOL_LEGACY, "does not offer the legacy WebSocket API", "--protocol jsonrpc" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *extra = g_strdup_printf ("\"protocols\": \"%s\"", cases[i].served);
      TnFake *fake = tn_fake_start (extra, NULL);
      g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), cases[i].forced);
      g_autoptr(KfTruenasClient) automatic = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);
      g_autoptr(GError) error = NULL;

      g_assert_false (do_connect (client, NULL, &error));
      g_test_message ("%s box, forced %s → %s", cases[i].served, kf_truenas_protocol_to_string (cases[i].forced), error->message);
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      g_assert_nonnull (strstr (error->message, cases[i].hint));
      g_assert_null (strstr (error->message, "HTTP 404"));
      assert_one_sentence (error);
      g_clear_error (&error);
      /* The hint is right: the automatic choice works with that box. */
      g_assert_true (do_connect (automatic, NULL, &error));
      g_assert_no_error (error);
      tn_fake_stop (fake);
    }
}

/* Issue 10: the Connect Timeout is one deadline for the whole conversation,
 * on both protocols: replies of 2 s each, each shorter than the 3 s, still
 * end the conversation at 3 s (a bound per reply would let it run on). */
static void
test_conversation_deadline (void)
{
  const KfTruenasProtocol protocols[] = { KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_PROTOCOL_LEGACY };
  TnFake *fake = tn_fake_start ("\"faults\": {\"slow_reply_ms\": 2000}", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), protocols[i]);
      g_autoptr(GError) error = NULL;
      gint64 start, elapsed;
      guint port;

      /* The timeout under test: not scaled. */
      kf_truenas_client_set_connect_timeout (client, 3);
      start = g_get_monotonic_time ();
      if (do_connect (client, NULL, &error) &&
          do_login (client, "truenas_admin", "s3cret", NULL, &error))
        do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error);
      elapsed = g_get_monotonic_time () - start;
      g_test_message ("%s: failed after %.2f s: %s", kf_truenas_protocol_to_string (protocols[i]),
                      elapsed / (double) G_USEC_PER_SEC, error ? error->message : "(no error)");
      g_assert_nonnull (error);
      g_assert_true (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_TIMEOUT) ||
                     g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE));
      g_assert_nonnull (strstr (error->message, "3 seconds"));
      g_assert_cmpint (elapsed, >=, 3 * G_USEC_PER_SEC - 100 * 1000);
      g_assert_cmpint (elapsed, <, 3 * G_USEC_PER_SEC + kf_test_timeout (2) * G_USEC_PER_SEC);
      assert_one_sentence (error);
    }
  tn_fake_stop (fake);
}

/* ---- broken servers ---- */

static void
test_unreachable (void)
{
  g_autofree char *url = g_strdup_printf ("127.0.0.1:%u", kf_test_closed_port ());
  g_autoptr(KfTruenasClient) client = new_client (url, NULL, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(KfTruenasClient) legacy = new_client (url, NULL, KF_TRUENAS_PROTOCOL_LEGACY);
  g_autoptr(KfTruenasClient) dns = new_client ("nas.invalid", NULL, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(GError) error = NULL;

  g_assert_false (do_connect (client, NULL, &error));
  g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
  assert_one_sentence (error);
  g_clear_error (&error);

  g_assert_false (do_connect (legacy, NULL, &error));
  g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
  g_clear_error (&error);

  g_assert_false (do_connect (dns, NULL, &error));
  g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "nas.invalid"));
  assert_one_sentence (error);
}

static gboolean
on_silent_accept (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source,
                  GPtrArray         *held)
{
  /* Keep it open and say nothing: neither TLS nor HTTP ever starts. */
  g_ptr_array_add (held, g_object_ref (connection));
  return TRUE;
}

static void
test_connect_timeout (void)
{
  g_autoptr(GSocketService) service = g_socket_service_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTruenasClient) client = NULL;
  g_autofree char *url = NULL;
  gint64 start;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "incoming", G_CALLBACK (on_silent_accept), held);
  g_socket_service_start (service);

  url = g_strdup_printf ("https://127.0.0.1:%u", port);
  client = new_client (url, NULL, KF_TRUENAS_PROTOCOL_AUTO);
  kf_truenas_client_set_connect_timeout (client, 1);
  start = g_get_monotonic_time ();
  g_assert_false (do_connect (client, NULL, &error));
  g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNREACHABLE);
  g_assert_nonnull (strstr (error->message, "within 1 second;"));
  g_assert_cmpint (kf_truenas_error_get_field (error), ==, KF_TRUENAS_FIELD_URL);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (held->len, >=, 1);
  g_socket_service_stop (service);
}

static void
test_faults (void)
{
  struct {
    const char *faults;
    KfTruenasProtocol protocol;
    int code;
    const char *words;
  } cases[] = {
    { "\"drop_after_frames\": 2", KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_ERROR_PROTOCOL, "closed the connection" },
    { "\"drop_after_frames\": 2", KF_TRUENAS_PROTOCOL_LEGACY, KF_TRUENAS_ERROR_PROTOCOL, "closed the connection" },
    { "\"malformed_json_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_ERROR_PROTOCOL, "not valid JSON" },
    { "\"malformed_json_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_LEGACY, KF_TRUENAS_ERROR_PROTOCOL, "not valid JSON" },
    { "\"wrong_id_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_ERROR_PROTOCOL, "wrong request id" },
    { "\"wrong_id_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_LEGACY, KF_TRUENAS_ERROR_PROTOCOL, "wrong request id" },
    { "\"huge_reply_method\": \"keychaincredential.ssh_pair\", \"huge_reply_bytes\": 5000000", KF_TRUENAS_PROTOCOL_JSONRPC,
      KF_TRUENAS_ERROR_PROTOCOL, "4 MiB" },
    { "\"silent_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_JSONRPC, KF_TRUENAS_ERROR_TIMEOUT, "did not answer within 0.5 seconds" },
    { "\"silent_method\": \"keychaincredential.ssh_pair\"", KF_TRUENAS_PROTOCOL_LEGACY, KF_TRUENAS_ERROR_TIMEOUT, "did not answer within 0.5 seconds (call timeout)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *extra = g_strdup_printf ("\"faults\": {%s}", cases[i].faults);
      TnFake *fake = tn_fake_start (extra, NULL);
      g_autoptr(KfTruenasClient) client = new_client (fake->https_url, tn_fixture_cert_pin (), cases[i].protocol);
      g_autoptr(GError) error = NULL;
      guint port;

      gboolean silent = cases[i].code == KF_TRUENAS_ERROR_TIMEOUT;
      /* Only the silent method is meant to time out, after a short call
       * timeout; connecting, logging in and the other faults keep a bound that
       * a sanitizer build's slowdown cannot reach, so they fail on their own
       * error rather than racing the clock. */
      guint timeout_ms = silent ? 500 : 20 * 1000;
      gboolean connected;
      gint64 start;

      g_test_message ("faults: %s (%s)", cases[i].faults, kf_truenas_protocol_to_string (cases[i].protocol));
      connected = do_connect (client, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (connected);
      g_assert_true (do_login (client, "truenas_admin", "s3cret", NULL, &error));
      g_assert_no_error (error);
      kf_truenas_client_set_call_timeout_ms (client, timeout_ms);
      start = g_get_monotonic_time ();
      g_assert_false (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, cases[i].code);
      /* The timeout is the configured one: not before it, and not stuck. */
      if (silent)
        {
          g_assert_cmpint (g_get_monotonic_time () - start, >=, (gint64) timeout_ms * 1000);
          g_assert_cmpint (g_get_monotonic_time () - start, <, (gint64) timeout_ms * 1000 + 10 * G_USEC_PER_SEC);
        }
      g_test_message ("→ %s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].words));
      assert_one_sentence (error);
      g_clear_error (&error);

      /* Nothing more goes over a connection in that state. */
      g_assert_false (kf_truenas_client_is_connected (client));
      g_assert_false (do_update (client, g_get_user_name (), FALSE, NULL, &error));
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL);
      tn_fake_stop (fake);
    }
}

/* A reply bigger than libsoup's 128 KiB default still arrives whole. */
static void
test_big_reply (void)
{
  TnFake *fake = tn_fake_start ("\"faults\": {\"huge_reply_method\": \"keychaincredential.ssh_pair\", \"huge_reply_bytes\": 1000000}", NULL);
  g_autoptr(KfTruenasClient) client = logged_in_client (fake, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) host_keys = NULL;
  guint port = 0;

  g_assert_true (do_pair (client, g_get_user_name (), PUBKEY, NULL, &port, &host_keys, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (port, ==, 2222);
  g_assert_cmpuint (g_strv_length (host_keys), ==, 3);
  tn_fake_stop (fake);
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  TnFake *fake = tn_fake_start ("\"faults\": {\"slow_reply_ms\": {\"keychaincredential.ssh_pair\": 5000}}", NULL);
  g_autoptr(KfTruenasClient) client = logged_in_client (fake, KF_TRUENAS_PROTOCOL_AUTO);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  guint port;

  g_timeout_add (200, cancel_later, cancellable);
  g_assert_false (do_pair (client, g_get_user_name (), PUBKEY, cancellable, &port, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_false (kf_truenas_client_is_connected (client));

  /* Cancelled while connecting. */
  {
    g_autoptr(KfTruenasClient) other = new_client (fake->https_url, tn_fixture_cert_pin (), KF_TRUENAS_PROTOCOL_AUTO);
    g_autoptr(GCancellable) now = g_cancellable_new ();

    g_clear_error (&error);
    g_cancellable_cancel (now);
    g_assert_false (do_connect (other, now, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  tn_fake_stop (fake);
}

int
main (int argc, char **argv)
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/truenas/client/full-jsonrpc", test_full_jsonrpc);
  g_test_add_func ("/truenas/client/full-legacy", test_full_legacy);
  g_test_add_func ("/truenas/client/certificate", test_certificate);
  g_test_add_func ("/truenas/client/redirect", test_redirect);
  g_test_add_func ("/truenas/client/plain-http-refused", test_plain_http_refused);
  g_test_add_func ("/truenas/client/login-failures", test_login_failures);
  g_test_add_func ("/truenas/client/login-otp", test_login_otp);
  g_test_add_func ("/truenas/client/pair-failures", test_pair_failures);
  g_test_add_func ("/truenas/client/user-update-rules", test_user_update_rules);
  g_test_add_func ("/truenas/client/public-key-limit", test_public_key_limit);
  g_test_add_func ("/truenas/client/public-key-comment", test_public_key_comment);
  g_test_add_func ("/truenas/client/missing-method", test_missing_method);
  g_test_add_func ("/truenas/client/http-to-tls-port", test_http_to_tls_port);
  g_test_add_func ("/truenas/client/protocol-mismatch", test_protocol_mismatch);
  g_test_add_func ("/truenas/client/conversation-deadline", test_conversation_deadline);
  g_test_add_func ("/truenas/client/unreachable", test_unreachable);
  g_test_add_func ("/truenas/client/connect-timeout", test_connect_timeout);
  g_test_add_func ("/truenas/client/faults", test_faults);
  g_test_add_func ("/truenas/client/big-reply", test_big_reply);
  g_test_add_func ("/truenas/client/cancel", test_cancel);

  return g_test_run ();
}
