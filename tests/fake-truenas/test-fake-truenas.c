/* test-fake-truenas.c: smoke test of the fake TrueNAS server, speaking to it
 * with libsoup's own HTTP and WebSocket client over real TLS.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-fake-truenas"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "kf-test-util.h"

/* Made once per run: a self-signed certificate and three SSH host keys. */
static char *cert_path;
static char *key_path;
static char *host_key_paths[3];
static GTlsCertificate *certificate;

typedef struct {
  char        *dir;
  char        *authorized_keys;
  char        *state_out;
  char        *home;
  GSubprocess *process;
  guint        https_port;
  guint        http_port;
  SoupSession *session;
} Fake;

typedef struct {
  SoupWebsocketConnection *websocket;
  GQueue                   messages;  /* of char* */
  gboolean                 closed;
} Client;

/* API keys of truenas_admin: "<id>-<key>" on the wire. */
#define KEY7  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa7"
#define KEY8  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb8"  /* revoked */
#define KEY9  "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc9"
#define KEY10 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd10"

static const char *base_config =
  "\"admins\": ["
  "  {\"username\": \"truenas_admin\", \"password\": \"s3cret\", \"otp\": null, \"api_keys\": ["
  "     {\"id\": 7, \"key\": \"" KEY7 "\"}, {\"id\": 8, \"key\": \"" KEY8 "\", \"revoked\": true},"
  "     {\"id\": 9, \"key\": \"" KEY9 "\"}, {\"id\": 10, \"key\": \"" KEY10 "\"}]},"
  "  {\"username\": \"twofa\", \"password\": \"s3cret\", \"otp\": \"246810\"},"
  "  {\"username\": \"viewer\", \"password\": \"s3cret\", \"full_admin\": false},"
  "  {\"username\": \"old\", \"password\": \"s3cret\", \"status\": \"expired\"},"
  "  {\"username\": \"nope\", \"password\": \"s3cret\", \"status\": \"denied\"}"
  "],"
  "\"users\": ["
  "  {\"id\": 7, \"username\": \"backup\", \"home\": \"@HOME@\", \"shell\": \"/usr/sbin/nologin\","
  "   \"sudo_commands_nopasswd\": [\"/usr/bin/ls\"]},"
  "  {\"id\": 8, \"username\": \"daemon\", \"home\": \"/var/empty\"},"
  "  {\"id\": 9, \"username\": \"remote\", \"home\": \"@HOME@\", \"local\": false}"
  "],"
  "\"ssh\": {\"port\": 2222}";

static char *
run_ok (const char *const *argv)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = kf_test_run_command (argv, NULL, &out, &err);

  if (status != 0)
    g_error ("%s failed (%d): %s", argv[0], status, err);
  return out;
}

static void
make_shared_material (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("material");
  g_autofree char *script = g_build_filename (kf_test_get_srcdir (), "tests", "fake-truenas", "make-cert.sh", NULL);
  static const char *const types[] = { "rsa", "ecdsa", "ed25519" };
  g_autoptr(GError) error = NULL;

  cert_path = g_build_filename (dir, "cert.pem", NULL);
  key_path = g_build_filename (dir, "key.pem", NULL);
  {
    const char *argv[] = { "sh", script, cert_path, key_path, NULL };
    g_free (run_ok (argv));
  }
  certificate = g_tls_certificate_new_from_file (cert_path, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *base = g_strdup_printf ("%s/ssh_host_%s_key", dir, types[i]);
      const char *argv[] = { "ssh-keygen", "-q", "-t", types[i], "-N", "", "-C", "root@truenas", "-f", base, NULL };
      g_free (run_ok (argv));
      host_key_paths[i] = g_strconcat (base, ".pub", NULL);
    }
}

static Fake *
fake_start (const char *extra_config)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  g_autofree char *line = NULL;
  g_autofree char *exe = g_build_filename (kf_test_get_builddir (), "tests", "fake-truenas", "fake-truenas", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GString) text = NULL;

  fake->dir = kf_test_make_tmpdir ("fake");
  fake->authorized_keys = g_build_filename (fake->dir, "authorized_keys", NULL);
  fake->state_out = g_build_filename (fake->dir, "state.json", NULL);
  fake->home = g_build_filename (fake->dir, "home-backup", NULL);
  g_assert_cmpint (g_mkdir (fake->home, 0700), ==, 0);

  text = g_string_new ("{");
  g_string_append (text, base_config);
  if (extra_config != NULL)
    g_string_append_printf (text, ", %s", extra_config);
  g_string_append (text, "}");
  g_string_replace (text, "@HOME@", fake->home, 0);
  config_path = g_build_filename (fake->dir, "config.json", NULL);
  g_file_set_contents (config_path, text->str, -1, &error);
  g_assert_no_error (error);

  {
    const char *argv[] = {
      exe, "--config", config_path, "--cert", cert_path, "--key", key_path,
      "--exit-with-stdin", "--redirect-port", "0", "--state-out", fake->state_out,
      "--authorized-keys", fake->authorized_keys,
      "--host-key", host_key_paths[0], "--host-key", host_key_paths[1], "--host-key", host_key_paths[2],
      NULL
    };
    /* Its stdin is a pipe from us: if this test dies, the fake exits too. */
    fake->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
    g_assert_no_error (error);
  }
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fake->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "fake-truenas listening https="));
  g_assert_cmpint (sscanf (line, "fake-truenas listening https=%u http=%u", &fake->https_port, &fake->http_port), ==, 2);
  g_assert_cmpuint (fake->https_port, >, 0);
  g_assert_cmpuint (fake->http_port, >, 0);

  fake->session = soup_session_new ();
  return fake;
}

static void
fake_stop (Fake *fake)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fake->session);
  g_subprocess_send_signal (fake->process, SIGTERM);
  g_subprocess_wait (fake->process, NULL, &error);
  g_assert_no_error (error);
  /* SIGTERM is a clean exit, not a crash. */
  g_assert_true (g_subprocess_get_if_exited (fake->process));
  g_assert_cmpint (g_subprocess_get_exit_status (fake->process), ==, 0);
  g_object_unref (fake->process);
  g_free (fake->dir);
  g_free (fake->authorized_keys);
  g_free (fake->state_out);
  g_free (fake->home);
  g_free (fake);
}

static gboolean
accept_our_certificate (SoupMessage          *msg,
                        GTlsCertificate      *peer,
                        GTlsCertificateFlags  errors,
                        gpointer              user_data)
{
  /* Pinning: the exact certificate the fake was given, nothing else. */
  return g_tls_certificate_is_same (peer, certificate);
}

/* ---- HTTP ---- */

typedef struct {
  GBytes   *body;
  GError   *error;
  gboolean  done;
} HttpResult;

static void
on_http_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  HttpResult *r = user_data;
  r->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &r->error);
  r->done = TRUE;
}

static SoupMessage *
http_get (Fake        *fake,
          const char  *url,
          gboolean     pin,
          HttpResult  *r)
{
  SoupMessage *msg = soup_message_new ("GET", url);

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_NEW_CONNECTION);
  if (pin)
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_our_certificate), NULL);
  soup_session_send_and_read_async (fake->session, msg, G_PRIORITY_DEFAULT, NULL, on_http_done, r);
  kf_test_wait_for (&r->done, 20);
  return msg;
}

static void
test_http (void)
{
  Fake *fake = fake_start (NULL);
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/api/versions", fake->https_port);
  g_autofree char *plain = g_strdup_printf ("http://127.0.0.1:%u/websocket", fake->http_port);
  g_autofree char *expected_location = g_strdup_printf ("https://127.0.0.1:%u/websocket", fake->https_port);
  HttpResult r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
  g_autoptr(SoupMessage) m1 = NULL;
  g_autoptr(SoupMessage) m2 = NULL;
  g_autoptr(SoupMessage) m3 = NULL;

  /* Real TLS: an unpinned client refuses the self-signed certificate. */
  m1 = http_get (fake, url, FALSE, &r1);
  g_assert_error (r1.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_clear_error (&r1.error);

  m2 = http_get (fake, url, TRUE, &r2);
  g_assert_no_error (r2.error);
  g_assert_cmpuint (soup_message_get_status (m2), ==, 200);
  g_assert_true (g_tls_certificate_is_same (soup_message_get_tls_peer_certificate (m2), certificate));
  g_assert_cmpstr (g_bytes_get_data (r2.body, NULL), ==, "[\"v25.04.0\",\"v25.10.0\"]");
  g_bytes_unref (r2.body);

  /* Plain HTTP redirects, WebSocket upgrade requests included. */
  {
    SoupMessage *msg = soup_message_new ("GET", plain);
    SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

    soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
    soup_message_headers_replace (headers, "Upgrade", "websocket");
    soup_message_headers_replace (headers, "Connection", "Upgrade");
    soup_message_headers_replace (headers, "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    soup_message_headers_replace (headers, "Sec-WebSocket-Version", "13");
    soup_session_send_and_read_async (fake->session, msg, G_PRIORITY_DEFAULT, NULL, on_http_done, &r3);
    kf_test_wait_for (&r3.done, 20);
    m3 = msg;
  }
  g_assert_no_error (r3.error);
  g_assert_cmpuint (soup_message_get_status (m3), ==, 301);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (m3), "Location"), ==,
                   expected_location);
  g_bytes_unref (r3.body);

  fake_stop (fake);
}

/* ---- WebSocket client ---- */

typedef struct {
  Client   *client;
  GError   *error;
  gboolean  done;
} ConnectResult;

static void
on_ws_message (SoupWebsocketConnection *ws,
               SoupWebsocketDataType    type,
               GBytes                  *bytes,
               Client                  *client)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_queue_push_tail (&client->messages, g_strndup (data, length));
}

static void
on_ws_closed (SoupWebsocketConnection *ws,
              Client                  *client)
{
  client->closed = TRUE;
}

static void
on_ws_connected (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ConnectResult *r = user_data;
  SoupWebsocketConnection *ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &r->error);

  if (ws != NULL)
    {
      r->client = g_new0 (Client, 1);
      r->client->websocket = ws;
      g_queue_init (&r->client->messages);
      soup_websocket_connection_set_max_incoming_payload_size (ws, 4 * 1024 * 1024);
      g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), r->client);
      g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), r->client);
    }
  r->done = TRUE;
}

/* @remote_addr non-NULL: as nginx forwards a client from there
 * (X-Real-Remote-Addr/Port), with X-Https: on when @https. */
static Client *
client_connect_from (Fake       *fake,
                     const char *path,
                     const char *remote_addr,
                     gboolean    https)
{
  g_autofree char *url = g_strdup_printf ("wss://127.0.0.1:%u%s", fake->https_port, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  ConnectResult r = { 0 };

  if (remote_addr != NULL)
    {
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_replace (headers, "X-Real-Remote-Addr", remote_addr);
      soup_message_headers_replace (headers, "X-Real-Remote-Port", "40000");
      if (https)
        soup_message_headers_replace (headers, "X-Https", "on");
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_our_certificate), NULL);
  soup_session_websocket_connect_async (fake->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, &r);
  kf_test_wait_for (&r.done, 20);
  g_assert_no_error (r.error);
  return r.client;
}

static Client *
client_connect (Fake       *fake,
                const char *path)
{
  g_autofree char *url = g_strdup_printf ("wss://127.0.0.1:%u%s", fake->https_port, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  ConnectResult r = { 0 };

  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_our_certificate), NULL);
  soup_session_websocket_connect_async (fake->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, &r);
  kf_test_wait_for (&r.done, 20);
  g_assert_no_error (r.error);
  return r.client;
}

static void
client_free (Client *client)
{
  if (soup_websocket_connection_get_state (client->websocket) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (client->websocket, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_signal_handlers_disconnect_by_data (client->websocket, client);
  g_object_unref (client->websocket);
  g_queue_clear_full (&client->messages, g_free);
  g_free (client);
}

static gboolean
on_wait_timeout (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The next frame, or NULL if none comes within @timeout_ms or the socket closes. */
static char *
client_next_text (Client *client,
                  guint   timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout, &timed_out);

  while (g_queue_is_empty (&client->messages) && !client->closed && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return g_queue_pop_head (&client->messages);
}

/* The same, parsed. */
static JsonNode *
client_next (Client *client,
             guint   timeout_ms)
{
  g_autofree char *text = client_next_text (client, timeout_ms);

  if (text == NULL)
    return NULL;
  return json_from_string (text, NULL);
}

static JsonNode *
client_send (Client     *client,
             const char *text)
{
  JsonNode *reply;

  soup_websocket_connection_send_text (client->websocket, text);
  reply = client_next (client, 10000);
  g_assert_nonnull (reply);
  return reply;
}

static JsonNode *
rpc (Client     *client,
     guint       id,
     const char *method,
     const char *params)
{
  g_autofree char *text = g_strdup_printf ("{\"jsonrpc\":\"2.0\",\"id\":%u,\"method\":\"%s\",\"params\":%s}",
                                           id, method, params);
  JsonNode *reply = client_send (client, text);
  JsonObject *object = json_node_get_object (reply);

  g_assert_cmpstr (json_object_get_string_member (object, "jsonrpc"), ==, "2.0");
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, id);
  return reply;
}

static JsonNode *
legacy (Client     *client,
        const char *id,
        const char *method,
        const char *params)
{
  g_autofree char *text = g_strdup_printf ("{\"msg\":\"method\",\"id\":\"%s\",\"method\":\"%s\",\"params\":%s}",
                                           id, method, params);
  JsonNode *reply = client_send (client, text);
  JsonObject *object = json_node_get_object (reply);

  g_assert_cmpstr (json_object_get_string_member (object, "msg"), ==, "result");
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, id);
  return reply;
}

static JsonObject *
result_object (JsonNode *reply)
{
  JsonObject *object = json_node_get_object (reply);
  g_assert_false (json_object_has_member (object, "error"));
  return json_object_get_object_member (object, "result");
}

static JsonObject *
rpc_error (JsonNode *reply,
           gint64    code)
{
  JsonObject *error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_nonnull (error);
  g_assert_cmpint (json_object_get_int_member (error, "code"), ==, code);
  return error;
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

static guint
count_substr (const char *haystack,
              const char *needle)
{
  guint n = 0;
  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

#define PUBKEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKeyferryTestKeyBlobAAAAAAAAAAAAAAAAAAAAAAAA"

static void
login_jsonrpc (Client     *client,
               const char *username)
{
  g_autofree char *params = g_strdup_printf ("[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"%s\","
                                             "\"password\":\"s3cret\",\"login_options\":{\"user_info\":false}}]",
                                             username);
  g_autoptr(JsonNode) reply = rpc (client, 2, "auth.login_ex", params);
  JsonObject *result = result_object (reply);

  g_assert_cmpstr (json_object_get_string_member (result, "response_type"), ==, "SUCCESS");
  g_assert_true (json_object_get_null_member (result, "user_info"));
}

static void
test_jsonrpc_pairing (void)
{
  Fake *fake = fake_start (NULL);
  Client *client = client_connect (fake, "/api/current");
  g_autofree char *pair_params = g_strdup_printf ("[{\"remote_hostname\":\"any-host\",\"username\":\"backup\","
                                                  "\"public_key\":\"%s keyferry@desktop\"}]", PUBKEY);
  g_autofree char *keys = NULL;
  g_autofree char *state = NULL;
  g_autofree char *rsa = read_file (host_key_paths[0]);
  g_autofree char *expected_rsa = g_strdup_printf ("any-host %s\n", g_strstrip (rsa));
  JsonNode *reply;
  JsonObject *result;
  JsonObject *error;
  JsonArray *extra;

  /* Private calls need a login. */
  reply = rpc (client, 1, "keychaincredential.ssh_pair", pair_params);
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Method call error");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (error, "data"), "error"), ==, 207);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "errname"), ==,
                   "ENOTAUTHENTICATED");
  json_node_unref (reply);

  reply = rpc (client, 1, "core.set_options", "[{\"private_methods\":true}]");
  g_assert_true (json_object_get_null_member (json_node_get_object (reply), "result"));
  json_node_unref (reply);
  login_jsonrpc (client, "truenas_admin");

  reply = rpc (client, 3, "keychaincredential.ssh_pair", pair_params);
  result = result_object (reply);
  g_assert_cmpint (json_object_get_int_member (result, "port"), ==, 2222);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (result, "host_key"), expected_rsa));
  g_assert_cmpuint (count_substr (json_object_get_string_member (result, "host_key"), "any-host "), ==, 3);
  g_assert_nonnull (strstr (json_object_get_string_member (result, "host_key"), "\n\nany-host ecdsa-sha2-nistp256 "));
  g_assert_nonnull (strstr (json_object_get_string_member (result, "host_key"), "\n\nany-host ssh-ed25519 "));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (result, "host_key"), "root@truenas\n\n"));
  json_node_unref (reply);

  /* ssh_pair.py appends unless "data.public_key not in pubkey" is false: the
   * very same text is not added twice... */
  reply = rpc (client, 4, "keychaincredential.ssh_pair", pair_params);
  g_assert_nonnull (result_object (reply));
  json_node_unref (reply);
  keys = read_file (fake->authorized_keys);
  g_assert_cmpuint (count_substr (keys, PUBKEY), ==, 1);
  g_assert_cmpstr (keys, ==, PUBKEY " keyferry@desktop\n");
  /* ...but the same key with another comment is (a substring test, not a key match). */
  g_free (pair_params);
  pair_params = g_strdup_printf ("[{\"remote_hostname\":\"any-host\",\"username\":\"backup\","
                                 "\"public_key\":\"%s other-comment\"}]", PUBKEY);
  reply = rpc (client, 40, "keychaincredential.ssh_pair", pair_params);
  g_assert_nonnull (result_object (reply));
  json_node_unref (reply);
  g_free (keys);
  keys = read_file (fake->authorized_keys);
  g_assert_cmpstr (keys, ==, PUBKEY " keyferry@desktop\n" PUBKEY " other-comment\n");

  reply = rpc (client, 5, "user.query", "[[[\"username\",\"=\",\"backup\"],[\"local\",\"=\",true]],{\"get\":true}]");
  result = result_object (reply);
  g_assert_cmpint (json_object_get_int_member (result, "id"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (result, "shell"), ==, "/usr/sbin/nologin");
  json_node_unref (reply);

  reply = rpc (client, 6, "user.update",
               "[7,{\"shell\":\"/usr/bin/bash\",\"sudo_commands_nopasswd\":[\"/usr/bin/ls\",\"/usr/sbin/zfs\"]}]");
  result = result_object (reply);
  g_assert_cmpstr (json_object_get_string_member (result, "shell"), ==, "/usr/bin/bash");
  json_node_unref (reply);
  state = read_file (fake->state_out);
  g_assert_nonnull (strstr (state, "\"shell\" : \"/usr/bin/bash\""));
  g_assert_nonnull (strstr (state, "\"/usr/sbin/zfs\""));
  g_assert_nonnull (strstr (state, "\"ssh_service_enabled\" : true"));
  g_assert_nonnull (strstr (state, "\"private_calls_without_options\" : 1"));  /* the unauthenticated try */

  /* Strict params: unknown key, too long a key, wrong type. */
  reply = rpc (client, 7, "keychaincredential.ssh_pair",
               "[{\"remote_hostname\":\"any-host\",\"username\":\"backup\",\"public_key\":\"ssh-ed25519 AAAA\",\"bogus\":1}]");
  error = rpc_error (reply, -32602);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Invalid params");
  extra = json_object_get_array_member (json_object_get_object_member (error, "data"), "extra");
  g_assert_cmpuint (json_array_get_length (extra), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (extra, 0), 0), ==,
                   "keychain_ssh_pair.bogus");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (extra, 0), 1), ==,
                   "Extra inputs are not permitted");
  g_assert_cmpint (json_array_get_int_element (json_array_get_array_element (extra, 0), 2), ==, 22);
  json_node_unref (reply);
  {
    g_autofree char *long_key = g_strnfill (1025, 'A');
    g_autofree char *params = g_strdup_printf ("[{\"remote_hostname\":\"any-host\",\"username\":\"backup\","
                                               "\"public_key\":\"%s\"}]", long_key);
    reply = rpc (client, 8, "keychaincredential.ssh_pair", params);
    error = rpc_error (reply, -32602);
    extra = json_object_get_array_member (json_object_get_object_member (error, "data"), "extra");
    g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (extra, 0), 0), ==,
                     "keychain_ssh_pair.public_key");
    g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (extra, 0), 1), ==,
                     "String should have at most 1024 characters");
    json_node_unref (reply);
  }
  reply = rpc (client, 9, "user.update", "[7,{\"shell\":\"/bin/fish\"}]");
  error = rpc_error (reply, -32602);
  extra = json_object_get_array_member (json_object_get_object_member (error, "data"), "extra");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (extra, 0), 0), ==, "user_update.shell");
  json_node_unref (reply);

  /* Errors of ssh_pair itself. */
  reply = rpc (client, 10, "keychaincredential.ssh_pair",
               "[{\"remote_hostname\":\"any-host\",\"username\":\"ghost\",\"public_key\":\"ssh-ed25519 AAAA\"}]");
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "reason"), ==,
                   "[EFAULT] User ghost does not exist");
  json_node_unref (reply);
  reply = rpc (client, 11, "keychaincredential.ssh_pair",
               "[{\"remote_hostname\":\"any-host\",\"username\":\"remote\",\"public_key\":\"ssh-ed25519 AAAA\"}]");
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "reason"), ==,
                   "[EFAULT] User remote does not exist");  /* not a local user */
  json_node_unref (reply);
  reply = rpc (client, 12, "keychaincredential.ssh_pair",
               "[{\"remote_hostname\":\"any-host\",\"username\":\"daemon\",\"public_key\":\"ssh-ed25519 AAAA\"}]");
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "errname"), ==, "ENOENT");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "reason"), ==,
                   "[ENOENT] Home directory /var/empty does not exist");
  json_node_unref (reply);
  reply = rpc (client, 13, "user.query", "[[[\"username\",\"=\",\"ghost\"],[\"local\",\"=\",true]],{\"get\":true}]");
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "reason"), ==,
                   "MatchNotFound()");
  json_node_unref (reply);
  reply = rpc (client, 14, "system.nothing", "[]");
  error = rpc_error (reply, -32601);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Method does not exist");
  json_node_unref (reply);

  client_free (client);

  /* A lesser admin logs in but may not pair. */
  client = client_connect (fake, "/api/v25.04.0");
  login_jsonrpc (client, "viewer");
  reply = rpc (client, 3, "keychaincredential.ssh_pair", pair_params);
  error = rpc_error (reply, -32001);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (error, "data"), "reason"), ==,
                   "[EACCES] Not authorized");
  json_node_unref (reply);
  client_free (client);

  fake_stop (fake);
}

static const char *
login_ex_type (Client     *client,
               guint       id,
               const char *method,
               const char *params,
               JsonNode  **out_reply)
{
  JsonNode *reply = rpc (client, id, method, params);
  *out_reply = reply;
  return json_object_get_string_member (result_object (reply), "response_type");
}

static void
test_jsonrpc_login (void)
{
  Fake *fake = fake_start ("\"otp_max_tries\": 2");
  Client *client = client_connect (fake, "/api/current");
  const char *password = "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"twofa\",\"password\":\"s3cret\","
                         "\"login_options\":{\"user_info\":false}}]";
  const char *wrong_otp = "[{\"mechanism\":\"OTP_TOKEN\",\"otp_token\":\"000000\"}]";
  JsonNode *reply = NULL;

  g_assert_cmpstr (login_ex_type (client, 1, "auth.login_ex", password, &reply), ==, "OTP_REQUIRED");
  g_assert_cmpstr (json_object_get_string_member (result_object (reply), "username"), ==, "twofa");
  json_node_unref (reply);
  g_assert_cmpstr (login_ex_type (client, 2, "auth.login_ex_continue", wrong_otp, &reply), ==, "OTP_REQUIRED");
  json_node_unref (reply);
  g_assert_cmpstr (login_ex_type (client, 3, "auth.login_ex_continue", wrong_otp, &reply), ==, "AUTH_ERR");
  json_node_unref (reply);
  /* Nothing in progress any more. */
  reply = rpc (client, 4, "auth.login_ex_continue", "[{\"mechanism\":\"OTP_TOKEN\",\"otp_token\":\"246810\"}]");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (rpc_error (reply, -32001), "data"),
                                                  "reason"), ==, "[EINVAL] OTP_TOKEN: no authentication in progress");
  json_node_unref (reply);

  g_assert_cmpstr (login_ex_type (client, 5, "auth.login_ex", password, &reply), ==, "OTP_REQUIRED");
  json_node_unref (reply);
  g_assert_cmpstr (login_ex_type (client, 6, "auth.login_ex_continue",
                                  "[{\"mechanism\":\"OTP_TOKEN\",\"otp_token\":\"246810\"}]", &reply), ==, "SUCCESS");
  g_assert_cmpstr (json_object_get_string_member (result_object (reply), "authenticator"), ==, "LEVEL_2");
  json_node_unref (reply);

  g_assert_cmpstr (login_ex_type (client, 7, "auth.login_ex",
                                  "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"truenas_admin\",\"password\":\"bad\"}]",
                                  &reply), ==, "AUTH_ERR");
  json_node_unref (reply);
  g_assert_cmpstr (login_ex_type (client, 8, "auth.login_ex",
                                  "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"old\",\"password\":\"s3cret\"}]",
                                  &reply), ==, "EXPIRED");
  json_node_unref (reply);
  g_assert_cmpstr (login_ex_type (client, 9, "auth.login_ex",
                                  "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"nope\",\"password\":\"s3cret\"}]",
                                  &reply), ==, "DENIED");
  json_node_unref (reply);
  /* Unknown login_options key: the models are strict. */
  reply = rpc (client, 10, "auth.login_ex",
               "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"nope\",\"password\":\"s3cret\",\"login_options\":{\"x\":1}}]");
  rpc_error (reply, -32602);
  json_node_unref (reply);

  client_free (client);
  fake_stop (fake);
}

/* "absent_methods": a TrueNAS of another version, as middlewared answers an
 * unknown method, on both protocols (and before any login check). */
static void
test_absent_methods (void)
{
  Fake *fake = fake_start ("\"absent_methods\": [\"user.query\"]");
  Client *client = client_connect (fake, "/api/current");
  const char *query = "[[[\"username\",\"=\",\"backup\"],[\"local\",\"=\",true]],{\"get\":true}]";
  JsonNode *reply;
  JsonObject *error;

  login_jsonrpc (client, "truenas_admin");
  reply = rpc (client, 3, "user.query", query);
  error = rpc_error (reply, -32601);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Method does not exist");
  json_node_unref (reply);
  client_free (client);

  client = client_connect (fake, "/websocket");
  reply = client_send (client, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"],\"features\":[]}");
  json_node_unref (reply);
  reply = legacy (client, "a1", "user.query", query);
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_cmpint (json_object_get_int_member (error, "error"), ==, 201);
  g_assert_cmpstr (json_object_get_string_member (error, "reason"), ==, "[ENOMETHOD] Method 'query' not found in 'user'");
  json_node_unref (reply);
  client_free (client);
  fake_stop (fake);
}

static void
test_legacy (void)
{
  Fake *fake = fake_start (NULL);
  Client *client = client_connect (fake, "/websocket");
  g_autofree char *pair_params = g_strdup_printf ("[{\"remote_hostname\":\"any-host\",\"username\":\"backup\","
                                                  "\"public_key\":\"%s k\"}]", PUBKEY);
  JsonNode *reply;
  JsonObject *error;
  g_autofree char *big = NULL;

  reply = client_send (client, "{\"msg\":\"connect\",\"version\":\"2\",\"support\":[\"2\"],\"features\":[]}");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "msg"), ==, "failed");
  json_node_unref (reply);
  reply = client_send (client, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"],\"features\":[]}");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "msg"), ==, "connected");
  g_assert_cmpuint (strlen (json_object_get_string_member (json_node_get_object (reply), "session")), ==, 36);
  json_node_unref (reply);

  reply = legacy (client, "a1", "keychaincredential.ssh_pair", pair_params);
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_cmpint (json_object_get_int_member (error, "error"), ==, 207);
  json_node_unref (reply);

  reply = legacy (client, "a2", "auth.login", "[\"twofa\",\"s3cret\"]");
  g_assert_false (json_object_get_boolean_member (json_node_get_object (reply), "result"));
  json_node_unref (reply);
  reply = legacy (client, "a3", "auth.login", "[\"twofa\",\"s3cret\",\"246810\"]");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (reply), "result"));
  json_node_unref (reply);

  reply = legacy (client, "a4", "keychaincredential.ssh_pair", pair_params);
  g_assert_cmpint (json_object_get_int_member (result_object (reply), "port"), ==, 2222);
  json_node_unref (reply);

  reply = legacy (client, "a5", "system.nothing", "[]");
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_cmpint (json_object_get_int_member (error, "error"), ==, 201);
  g_assert_cmpstr (json_object_get_string_member (error, "errname"), ==, "ENOMETHOD");
  g_assert_true (json_object_get_null_member (error, "type"));
  json_node_unref (reply);

  reply = legacy (client, "a6", "keychaincredential.ssh_pair",
                  "[{\"remote_hostname\":\"any-host\",\"username\":\"daemon\",\"public_key\":\"ssh-ed25519 AAAA\"}]");
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_cmpint (json_object_get_int_member (error, "error"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (error, "reason"), ==, "[ENOENT] Home directory /var/empty does not exist");
  g_assert_true (json_object_has_member (error, "trace"));
  g_assert_true (json_object_get_null_member (error, "extra"));
  json_node_unref (reply);

  reply = legacy (client, "a7", "user.update", "[7,{\"shell\":\"/bin/fish\"}]");
  error = json_object_get_object_member (json_node_get_object (reply), "error");
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, "VALIDATION");
  g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (
                     json_object_get_array_member (error, "extra"), 0), 0), ==, "user_update.shell");
  json_node_unref (reply);
  client_free (client);

  /* Unauthenticated frames over 8 KiB close the socket. */
  client = client_connect (fake, "/websocket");
  reply = client_send (client, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"],\"features\":[]}");
  json_node_unref (reply);
  {
    g_autofree char *name = g_strnfill (9000, 'u');
    big = g_strdup_printf ("{\"msg\":\"method\",\"id\":\"b\",\"method\":\"auth.login\",\"params\":[\"%s\",\"x\"]}", name);
  }
  soup_websocket_connection_send_text (client->websocket, big);
  g_assert_null (client_next (client, 10000));
  g_assert_true (client->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->websocket), ==, 1007);
  client_free (client);

  fake_stop (fake);
}

static void
test_faults (void)
{
  Fake *fake = fake_start ("\"faults\": {\"slow_reply_ms\": {\"core.ping\": 1000}, \"wrong_id_method\": \"user.query\","
                           " \"malformed_json_method\": \"auth.login\", \"huge_reply_method\": \"keychaincredential.ssh_pair\","
                           " \"silent_method\": \"user.update\", \"drop_after_frames\": 9}");
  Client *client = client_connect (fake, "/api/current");
  g_autofree char *pair_params = g_strdup_printf ("[{\"remote_hostname\":\"any-host\",\"username\":\"backup\","
                                                  "\"public_key\":\"%s k\"}]", PUBKEY);
  g_autofree char *text = NULL;
  JsonNode *reply;
  gint64 start;

  /* 1, 2: a slow call, and a second one while it is in flight. */
  start = g_get_monotonic_time ();
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"core.ping\",\"params\":[]}");
  reply = client_send (client, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"core.ping\",\"params\":[]}");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "id"), ==, 2);
  rpc_error (reply, -32000);
  json_node_unref (reply);
  reply = client_next (client, 5000);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (reply), "result"), ==, "pong");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
  json_node_unref (reply);

  /* 3: malformed JSON. */
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"auth.login\",\"params\":[\"truenas_admin\",\"s3cret\"]}");
  text = client_next_text (client, 5000);
  g_assert_nonnull (text);
  g_assert_null (json_from_string (text, NULL));
  g_clear_pointer (&text, g_free);

  /* 4: a big reply (over libsoup's default 128 KiB limit). */
  login_jsonrpc (client, "truenas_admin");
  reply = rpc (client, 5, "keychaincredential.ssh_pair", pair_params);
  g_assert_cmpuint (strlen (json_object_get_string_member (result_object (reply), "padding")), ==, 300 * 1024);
  json_node_unref (reply);

  /* 6: the wrong id. */
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"user.query\",\"params\":[]}");
  reply = client_next (client, 5000);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "id"), ==, 1006);
  json_node_unref (reply);

  /* 7: no answer at all. */
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"user.update\",\"params\":[7,{}]}");
  g_assert_null (client_next (client, 500));
  g_assert_false (client->closed);

  /* 8, 9: refused, 7 is still in flight; 10: over drop_after_frames, the
   * connection goes away without a close frame. */
  reply = client_send (client, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"core.ping\",\"params\":[]}");
  rpc_error (reply, -32000);
  json_node_unref (reply);
  reply = client_send (client, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"core.ping\",\"params\":[]}");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "id"), ==, 9);
  rpc_error (reply, -32000);
  json_node_unref (reply);
  soup_websocket_connection_send_text (client->websocket,
                                       "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"core.ping\",\"params\":[]}");
  g_assert_null (client_next (client, 10000));
  g_assert_true (client->closed);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (client->websocket), !=, SOUP_WEBSOCKET_CLOSE_NORMAL);
  client_free (client);

  fake_stop (fake);
}

static void
test_protocol_selection (void)
{
  Fake *fake = fake_start ("\"protocols\": \"legacy\"");
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u/api/versions", fake->https_port);
  HttpResult r = { 0 };
  g_autoptr(SoupMessage) msg = http_get (fake, url, TRUE, &r);

  g_assert_no_error (r.error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  g_bytes_unref (r.body);
  fake_stop (fake);
}

static void
test_jsonrpc_only (void)
{
  Fake *fake = fake_start ("\"protocols\": \"jsonrpc\", \"login_redirect_urls\": [\"wss://10.0.0.2/api/current\"]");
  g_autofree char *url = g_strdup_printf ("wss://127.0.0.1:%u/websocket", fake->https_port);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  ConnectResult r = { 0 };
  Client *client;
  JsonNode *reply;
  JsonObject *result;

  /* No legacy endpoint on this box. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_our_certificate), NULL);
  soup_session_websocket_connect_async (fake->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, &r);
  kf_test_wait_for (&r.done, 20);
  g_assert_nonnull (r.error);
  g_assert_null (r.client);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 404);
  g_clear_error (&r.error);

  /* An HA standby sends the client elsewhere. */
  client = client_connect (fake, "/api/current");
  reply = rpc (client, 1, "auth.login_ex",
               "[{\"mechanism\":\"PASSWORD_PLAIN\",\"username\":\"truenas_admin\",\"password\":\"s3cret\"}]");
  result = result_object (reply);
  g_assert_cmpstr (json_object_get_string_member (result, "response_type"), ==, "REDIRECT");
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (result, "urls"), 0), ==,
                   "wss://10.0.0.2/api/current");
  json_node_unref (reply);
  client_free (client);
  fake_stop (fake);
}


/* The public pairing route: private methods refused over JSON-RPC,
 * ssh.config, service.* with the job followed through core.get_jobs, and
 * sshpubkey round trips into the authorized_keys file. */
static void
test_public_route (void)
{
  Fake *fake = fake_start ("\"private_methods\": \"refused\"");
  Client *client = client_connect (fake, "/api/current");
  g_autofree char *rsa = read_file (host_key_paths[0]);
  g_autofree char *decoded = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *state = NULL;
  g_autofree char *update = NULL;
  JsonNode *reply;
  JsonObject *result;
  JsonObject *error;
  gint64 job_id;
  gsize length;
  guint polls = 0;

  reply = rpc (client, 1, "core.set_options", "[{\"private_methods\":true}]");
  json_node_unref (reply);
  login_jsonrpc (client, "truenas_admin");

  /* Refused like a method that does not exist: -32601, no data. */
  reply = rpc (client, 3, "keychaincredential.ssh_pair",
               "[{\"remote_hostname\":\"any-host\",\"username\":\"backup\",\"public_key\":\"" PUBKEY "\"}]");
  error = rpc_error (reply, -32601);
  g_assert_cmpstr (json_object_get_string_member (error, "message"), ==, "Method does not exist");
  g_assert_false (json_object_has_member (error, "data"));
  json_node_unref (reply);

  /* ssh.config: the port, the .pub files' text in base64. */
  reply = rpc (client, 4, "ssh.config", "[]");
  result = result_object (reply);
  g_assert_cmpint (json_object_get_int_member (result, "tcpport"), ==, 2222);
  decoded = (char *) g_base64_decode (json_object_get_string_member (result, "host_rsa_key_pub"), &length);
  g_assert_cmpmem (decoded, length, rsa, strlen (rsa));
  g_assert_true (json_object_get_null_member (result, "host_rsa_key"));
  g_assert_nonnull (json_object_get_string_member (result, "host_ecdsa_key_pub"));
  g_assert_nonnull (json_object_get_string_member (result, "host_ed25519_key_pub"));
  json_node_unref (reply);

  /* service.query: stopped and disabled; service.update enables it. */
  reply = rpc (client, 5, "service.query", "[[[\"service\",\"=\",\"ssh\"]]]");
  {
    JsonArray *list = json_node_get_array (json_object_get_member (json_node_get_object (reply), "result"));
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    result = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (result, "state"), ==, "STOPPED");
    g_assert_false (json_object_get_boolean_member (result, "enable"));
  }
  json_node_unref (reply);
  reply = rpc (client, 6, "service.update", "[\"ssh\",{\"enable\":true,\"bogus\":1}]");
  rpc_error (reply, -32602);
  json_node_unref (reply);
  reply = rpc (client, 7, "service.update", "[\"ssh\",{\"enable\":true}]");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (reply), "result"), ==, 1);
  json_node_unref (reply);

  /* service.control is a job: its id, then core.get_jobs until SUCCESS. */
  reply = rpc (client, 8, "service.control", "[\"START\",\"ssh\"]");
  job_id = json_object_get_int_member (json_node_get_object (reply), "result");
  json_node_unref (reply);
  for (;;)
    {
      g_autofree char *params = g_strdup_printf ("[[[\"id\",\"=\",%" G_GINT64_FORMAT "]]]", job_id);
      JsonArray *jobs;
      const char *job_state;

      reply = rpc (client, 9, "core.get_jobs", params);
      jobs = json_node_get_array (json_object_get_member (json_node_get_object (reply), "result"));
      g_assert_cmpuint (json_array_get_length (jobs), ==, 1);
      result = json_array_get_object_element (jobs, 0);
      g_assert_cmpstr (json_object_get_string_member (result, "method"), ==, "service.control");
      job_state = json_object_get_string_member (result, "state");
      polls++;
      if (g_str_equal (job_state, "SUCCESS"))
        {
          g_assert_true (json_object_get_boolean_member (result, "result"));
          json_node_unref (reply);
          break;
        }
      g_assert_cmpstr (job_state, ==, "RUNNING");
      g_assert_true (json_object_get_null_member (result, "result"));
      json_node_unref (reply);
      g_assert_cmpuint (polls, <, 100);
      g_usleep (50 * 1000);
    }
  g_assert_cmpuint (polls, >, 1);
  reply = rpc (client, 10, "service.query", "[[[\"service\",\"=\",\"ssh\"]],{\"get\":true}]");
  g_assert_cmpstr (json_object_get_string_member (result_object (reply), "state"), ==, "RUNNING");
  json_node_unref (reply);

  /* user.update {sshpubkey}, as middlewared's update_sshpubkey(): the text
   * stripped, then written with one "\n"; user.query reads the file back
   * stripped, "\r\n" as "\n" (Python's universal newlines). */
  update = g_strdup_printf ("[7,{\"sshpubkey\":\"  # mine\\r\\n%s a@b\\n\\n\"}]", PUBKEY);
  reply = rpc (client, 11, "user.update", update);
  json_node_unref (reply);
  keys = read_file (fake->authorized_keys);
  g_assert_cmpstr (keys, ==, "# mine\r\n" PUBKEY " a@b\n");
  reply = rpc (client, 12, "user.query", "[[[\"username\",\"=\",\"backup\"]],{\"get\":true}]");
  g_assert_cmpstr (json_object_get_string_member (result_object (reply), "sshpubkey"), ==, "# mine\n" PUBKEY " a@b");
  json_node_unref (reply);
  /* An empty sshpubkey removes the file; user.query then says null. */
  reply = rpc (client, 13, "user.update", "[7,{\"sshpubkey\":\" \\n\"}]");
  json_node_unref (reply);
  g_assert_false (g_file_test (fake->authorized_keys, G_FILE_TEST_EXISTS));
  reply = rpc (client, 14, "user.query", "[[[\"username\",\"=\",\"backup\"]],{\"get\":true}]");
  g_assert_true (json_object_get_null_member (result_object (reply), "sshpubkey"));
  json_node_unref (reply);
  state = read_file (fake->state_out);
  g_assert_nonnull (strstr (state, "\"ssh_service_running\" : true"));
  g_assert_nonnull (strstr (state, "\"ssh_service_enabled\" : true"));

  client_free (client);
  /* /websocket still runs the private method. */
  client = client_connect (fake, "/websocket");
  reply = client_send (client, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"]}");
  json_node_unref (reply);
  reply = legacy (client, "a", "auth.login", "[\"truenas_admin\",\"s3cret\"]");
  json_node_unref (reply);
  reply = legacy (client, "b", "keychaincredential.ssh_pair",
                  "[{\"remote_hostname\":\"any-host\",\"username\":\"backup\",\"public_key\":\"" PUBKEY "\"}]");
  g_assert_nonnull (result_object (reply));
  json_node_unref (reply);
  client_free (client);
  fake_stop (fake);
}

static const char *
api_key_login (Client     *client,
               guint       id,
               const char *username,
               const char *api_key,
               JsonNode  **reply)
{
  g_autofree char *params = g_strdup_printf ("[{\"mechanism\":\"API_KEY_PLAIN\",\"username\":\"%s\","
                                             "\"api_key\":\"%s\",\"login_options\":{\"user_info\":false}}]",
                                             username, api_key);
  return login_ex_type (client, id, "auth.login_ex", params, reply);
}

/* API keys: API_KEY_PLAIN, auth.login_with_api_key, revoked keys, and the
 * revocation of a key used over an insecure transport; the failed-login delay. */
static void
test_api_keys (void)
{
  Fake *fake = fake_start (NULL);
  JsonNode *reply = NULL;
  gint64 start;

  {
    Client *client = client_connect (fake, "/api/current");

    /* The key belongs to its user; a wrong one waits 1–2 s (the default delay) before AUTH_ERR. */
    start = g_get_monotonic_time ();
    g_assert_cmpstr (api_key_login (client, 1, "twofa", "7-" KEY7, &reply), ==, "AUTH_ERR");
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 1000 * 1000);
    json_node_unref (reply);
    g_assert_cmpstr (api_key_login (client, 2, "truenas_admin", "8-" KEY8, &reply), ==, "AUTH_ERR");
    json_node_unref (reply);
    g_assert_cmpstr (api_key_login (client, 3, "truenas_admin", "7-" KEY8, &reply), ==, "AUTH_ERR");
    json_node_unref (reply);
    g_assert_cmpstr (api_key_login (client, 4, "truenas_admin", "7-" KEY7, &reply), ==, "SUCCESS");
    json_node_unref (reply);
    client_free (client);
  }
  {
    Client *client = client_connect (fake, "/websocket");

    g_autoptr(JsonNode) connected = client_send (client, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"]}");
    JsonNode *r1 = legacy (client, "a", "auth.login_with_api_key", "[\"8-" KEY8 "\"]");
    JsonNode *r2 = legacy (client, "b", "auth.login_with_api_key", "[\"7-" KEY7 "\"]");

    g_assert_false (json_object_get_boolean_member (json_node_get_object (r1), "result"));
    g_assert_true (json_object_get_boolean_member (json_node_get_object (r2), "result"));
    json_node_unref (r1);
    json_node_unref (r2);
    client_free (client);
  }
  /* Through a proxy that saw plain http from another host: the key works,
   * so it is revoked and answers EXPIRED; then it is refused everywhere. */
  {
    Client *insecure = client_connect_from (fake, "/api/current", "192.0.2.7", FALSE);
    Client *secure = client_connect_from (fake, "/api/current", "192.0.2.7", TRUE);
    Client *local = client_connect_from (fake, "/api/current", "127.0.0.1", FALSE);

    g_assert_cmpstr (api_key_login (insecure, 1, "truenas_admin", "9-" KEY9, &reply), ==, "EXPIRED");
    json_node_unref (reply);
    g_assert_cmpstr (api_key_login (secure, 1, "truenas_admin", "9-" KEY9, &reply), ==, "AUTH_ERR");
    json_node_unref (reply);
    /* https through the proxy, and loopback without TLS, are secure. */
    g_assert_cmpstr (api_key_login (secure, 2, "truenas_admin", "10-" KEY10, &reply), ==, "SUCCESS");
    json_node_unref (reply);
    g_assert_cmpstr (api_key_login (local, 1, "truenas_admin", "10-" KEY10, &reply), ==, "SUCCESS");
    json_node_unref (reply);
    client_free (insecure);
    client_free (secure);
    client_free (local);
  }
  fake_stop (fake);
}

/* 20 unauthenticated calls per 60 s per method and address in middlewared;
 * 2 per second here. */
static void
test_rate_limit (void)
{
  Fake *fake = fake_start ("\"rate_limit\": {\"max_calls\": 2, \"period_s\": 2, \"sleep_ms\": [300, 300]}");
  Client *client = client_connect (fake, "/api/current");
  Client *other = client_connect (fake, "/api/current");
  Client *elsewhere = client_connect_from (fake, "/api/current", "192.0.2.8", TRUE);
  Client *old = client_connect (fake, "/websocket");
  JsonNode *reply;
  JsonObject *data;
  gint64 start;

  for (guint i = 0; i < 2; i++)
    json_node_unref (rpc (client, i + 1, "core.ping", "[]"));
  /* core.set_options is exempt. */
  for (guint i = 0; i < 4; i++)
    json_node_unref (rpc (client, i + 10, "core.set_options", "[{\"private_methods\":true}]"));
  start = g_get_monotonic_time ();
  reply = rpc (client, 3, "core.ping", "[]");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  data = json_object_get_object_member (rpc_error (reply, -32001), "data");
  g_assert_cmpint (json_object_get_int_member (data, "error"), ==, 16);
  g_assert_cmpstr (json_object_get_string_member (data, "errname"), ==, "EBUSY");
  g_assert_cmpstr (json_object_get_string_member (data, "reason"), ==, "[EBUSY] Rate Limit Exceeded");
  json_node_unref (reply);
  /* Shared by every connection from that address, on both protocols; not another address's. */
  reply = rpc (other, 1, "core.ping", "[]");
  rpc_error (reply, -32001);
  json_node_unref (reply);
  json_node_unref (client_send (old, "{\"msg\":\"connect\",\"version\":\"1\",\"support\":[\"1\"]}"));
  reply = legacy (old, "p", "core.ping", "[]");
  {
    JsonObject *error = json_object_get_object_member (json_node_get_object (reply), "error");

    g_assert_nonnull (error);
    g_assert_cmpint (json_object_get_int_member (error, "error"), ==, 16);
    g_assert_cmpstr (json_object_get_string_member (error, "reason"), ==, "[EBUSY] Rate Limit Exceeded");
  }
  json_node_unref (reply);
  reply = rpc (elsewhere, 1, "core.ping", "[]");
  g_assert_false (json_object_has_member (json_node_get_object (reply), "error"));
  json_node_unref (reply);
  /* Another method has its own count; a new window starts after the period. */
  login_jsonrpc (other, "truenas_admin");
  g_usleep (2100 * 1000);
  reply = rpc (client, 4, "core.ping", "[]");
  g_assert_false (json_object_has_member (json_node_get_object (reply), "error"));
  json_node_unref (reply);

  client_free (client);
  client_free (other);
  client_free (elsewhere);
  client_free (old);
  fake_stop (fake);
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  make_shared_material ();

  g_test_add_func ("/fake-truenas/http", test_http);
  g_test_add_func ("/fake-truenas/jsonrpc/pairing", test_jsonrpc_pairing);
  g_test_add_func ("/fake-truenas/jsonrpc/login", test_jsonrpc_login);
  g_test_add_func ("/fake-truenas/legacy", test_legacy);
  g_test_add_func ("/fake-truenas/absent-methods", test_absent_methods);
  g_test_add_func ("/fake-truenas/faults", test_faults);
  g_test_add_func ("/fake-truenas/protocol-selection", test_protocol_selection);
  g_test_add_func ("/fake-truenas/jsonrpc-only", test_jsonrpc_only);
  g_test_add_func ("/fake-truenas/public-route", test_public_route);
  g_test_add_func ("/fake-truenas/api-keys", test_api_keys);
  g_test_add_func ("/fake-truenas/rate-limit", test_rate_limit);
  return g_test_run ();
}
