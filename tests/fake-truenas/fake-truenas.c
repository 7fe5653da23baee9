/* fake-truenas.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas"

#include "fake-truenas.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include <glib/gstdio.h>

#include "fake-truenas-auth.h"
#include "fake-truenas-connection.h"
#include "fake-truenas-http.h"

struct _FakeTruenas
{
  GObject          parent_instance;

  FakeConfig      *config;
  GTlsCertificate *certificate;
  char            *state_out;

  SoupServer      *https;
  SoupServer      *http;
  guint            https_port;
  guint            http_port;
  GPtrArray       *connections;   /* of FakeConnection* */

  GPtrArray       *calls;         /* of char* "protocol method" */
  guint            private_without_options;
};

G_DEFINE_FINAL_TYPE (FakeTruenas, fake_truenas, G_TYPE_OBJECT)

static void
fake_truenas_dispose (GObject *object)
{
  FakeTruenas *self = FAKE_TRUENAS (object);

  fake_truenas_disconnect (self);
  g_clear_object (&self->https);
  g_clear_object (&self->http);
  G_OBJECT_CLASS (fake_truenas_parent_class)->dispose (object);
}

static void
fake_truenas_finalize (GObject *object)
{
  FakeTruenas *self = FAKE_TRUENAS (object);

  g_clear_pointer (&self->config, fake_config_free);
  g_clear_object (&self->certificate);
  g_free (self->state_out);
  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->calls);
  G_OBJECT_CLASS (fake_truenas_parent_class)->finalize (object);
}

static void
fake_truenas_class_init (FakeTruenasClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fake_truenas_dispose;
  object_class->finalize = fake_truenas_finalize;
}

static void
fake_truenas_init (FakeTruenas *self)
{
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->calls = g_ptr_array_new_with_free_func (g_free);
}

FakeTruenas *
fake_truenas_new (FakeConfig      *config,
                  GTlsCertificate *certificate,
                  const char      *state_out)
{
  FakeTruenas *self = g_object_new (FAKE_TYPE_TRUENAS, NULL);

  self->config = config;
  self->certificate = g_object_ref (certificate);
  self->state_out = g_strdup (state_out);
  return self;
}

FakeConfig *
fake_truenas_get_config (FakeTruenas *self)
{
  return self->config;
}

guint
fake_truenas_get_https_port (FakeTruenas *self)
{
  return self->https_port;
}

guint
fake_truenas_get_http_port (FakeTruenas *self)
{
  return self->http_port;
}

/* ---- WebSocket endpoints ---- */

static void
on_connection_finished (FakeConnection *connection,
                        FakeTruenas    *self)
{
  g_signal_handlers_disconnect_by_data (connection, self);
  g_ptr_array_remove (self->connections, connection);
}

static void
accept_websocket (FakeTruenas             *self,
                  SoupServerMessage       *msg,
                  SoupWebsocketConnection *websocket,
                  const FakeProtocolOps   *ops)
{
  FakeConnection *connection = fake_connection_new (self, websocket, ops);

  fake_auth_read_origin (fake_connection_get_session (connection), msg);
  g_debug ("%s: new connection", ops->name);
  g_signal_connect (connection, "finished", G_CALLBACK (on_connection_finished), self);
  g_ptr_array_add (self->connections, connection);
}

static void
on_jsonrpc_websocket (SoupServer              *server,
                      SoupServerMessage       *msg,
                      const char              *path,
                      SoupWebsocketConnection *websocket,
                      gpointer                 user_data)
{
  accept_websocket (FAKE_TRUENAS (user_data), msg, websocket, &fake_jsonrpc_ops);
}

static void
on_legacy_websocket (SoupServer              *server,
                     SoupServerMessage       *msg,
                     const char              *path,
                     SoupWebsocketConnection *websocket,
                     gpointer                 user_data)
{
  accept_websocket (FAKE_TRUENAS (user_data), msg, websocket, &fake_legacy_ops);
}

/* ---- listening ---- */

static guint
listen_loopback (SoupServer              *server,
                 guint                    port,
                 SoupServerListenOptions  options,
                 GError                 **error)
{
  g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (v4, port);
  g_autoptr(GSocketAddress) address6 = NULL;
  g_autoptr(GError) v6_error = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  GSList *listeners;
  guint bound = 0;

  if (!soup_server_listen (server, address, options, error))
    return 0;
  /* The port the kernel picked (soup_server_get_uris would leak an address). */
  listeners = soup_server_get_listeners (server);
  if (listeners != NULL)
    local = g_socket_get_local_address (listeners->data, error);
  g_slist_free (listeners);
  if (local == NULL)
    return 0;
  bound = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  /* ::1 on the same port when the machine has IPv6; not fatal without. */
  address6 = g_inet_socket_address_new (v6, bound);
  if (!soup_server_listen (server, address6, options, &v6_error))
    g_debug ("Not listening on [::1]:%u: %s", bound, v6_error->message);
  return bound;
}

gboolean
fake_truenas_listen (FakeTruenas  *self,
                     guint         port,
                     int           redirect_port,
                     GError      **error)
{
  g_return_val_if_fail (self->https == NULL, FALSE);

  self->https = soup_server_new ("tls-certificate", self->certificate,
                                 "server-header", "nginx", NULL);
  soup_server_add_handler (self->https, NULL, fake_truenas_http_handle, self, NULL);
  if (self->config->protocols != FAKE_PROTOCOLS_LEGACY)
    {
      soup_server_add_websocket_handler (self->https, "/api/current", NULL, NULL,
                                         on_jsonrpc_websocket, self, NULL);
      for (guint i = 0; i < self->config->api_versions->len; i++)
        {
          g_autofree char *path = g_strdup_printf ("/api/%s", (char *) g_ptr_array_index (self->config->api_versions, i));
          soup_server_add_websocket_handler (self->https, path, NULL, NULL, on_jsonrpc_websocket, self, NULL);
        }
    }
  if (self->config->protocols != FAKE_PROTOCOLS_JSONRPC)
    soup_server_add_websocket_handler (self->https, "/websocket", NULL, NULL,
                                       on_legacy_websocket, self, NULL);

  self->https_port = listen_loopback (self->https, port, SOUP_SERVER_LISTEN_HTTPS, error);
  if (self->https_port == 0)
    return FALSE;

  if (redirect_port >= 0)
    {
      self->http = soup_server_new ("server-header", "nginx", NULL);
      soup_server_add_handler (self->http, NULL, fake_truenas_http_redirect, self, NULL);
      self->http_port = listen_loopback (self->http, redirect_port, 0, error);
      if (self->http_port == 0)
        return FALSE;
    }

  fake_truenas_write_state (self);
  return TRUE;
}

void
fake_truenas_disconnect (FakeTruenas *self)
{
  /* Closing emits "finished", which removes the connection from the array. */
  while (self->connections->len > 0)
    {
      g_autoptr(FakeConnection) connection = g_object_ref (g_ptr_array_index (self->connections, 0));
      fake_connection_close (connection);
      g_ptr_array_remove (self->connections, connection);
    }
  if (self->https != NULL)
    soup_server_disconnect (self->https);
  if (self->http != NULL)
    soup_server_disconnect (self->http);
}

/* ---- state ---- */

void
fake_truenas_note_call (FakeTruenas *self,
                        const char  *protocol,
                        const char  *method)
{
  g_ptr_array_add (self->calls, g_strdup_printf ("%s %s", protocol, method));
}

void
fake_truenas_note_private_without_options (FakeTruenas *self,
                                           const char  *method)
{
  /* middlewared only warns (for now): "Private method … called on a connection
   * without private_methods enabled". Counted so tests can check the client. */
  g_warning ("Private method %s called on a connection without private_methods enabled", method);
  self->private_without_options++;
}

void
fake_truenas_set_ssh_enabled (FakeTruenas *self)
{
  if (!self->config->ssh_enabled || !self->config->ssh_running)
    g_message ("Enabling and starting the SSH service");
  self->config->ssh_enabled = TRUE;
  self->config->ssh_running = TRUE;
}

static void
add_strings (JsonBuilder *builder,
             const char  *name,
             GPtrArray   *strings)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (strings, i));
  json_builder_end_array (builder);
}

void
fake_truenas_write_state (FakeTruenas *self)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->state_out == NULL)
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "ssh_service_enabled");
  json_builder_add_boolean_value (builder, self->config->ssh_enabled);
  json_builder_set_member_name (builder, "ssh_service_running");
  json_builder_add_boolean_value (builder, self->config->ssh_running);
  json_builder_set_member_name (builder, "private_calls_without_options");
  json_builder_add_int_value (builder, self->private_without_options);
  json_builder_set_member_name (builder, "calls");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->calls->len; i++)
    {
      const char *call = g_ptr_array_index (self->calls, i);
      const char *space = strchr (call, ' ');
      g_autofree char *protocol = g_strndup (call, space - call);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "protocol");
      json_builder_add_string_value (builder, protocol);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, space + 1);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "users");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->config->users->len; i++)
    {
      FakeUser *user = g_ptr_array_index (self->config->users, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, user->id);
      json_builder_set_member_name (builder, "username");
      json_builder_add_string_value (builder, user->username);
      json_builder_set_member_name (builder, "full_name");
      json_builder_add_string_value (builder, user->full_name);
      json_builder_set_member_name (builder, "home");
      json_builder_add_string_value (builder, user->home);
      json_builder_set_member_name (builder, "shell");
      json_builder_add_string_value (builder, user->shell);
      add_strings (builder, "sudo_commands", user->sudo_commands);
      add_strings (builder, "sudo_commands_nopasswd", user->sudo_commands_nopasswd);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  /* Atomic (rename), so a test never reads half a file. */
  if (!g_file_set_contents (self->state_out, text, -1, &error))
    g_warning ("Could not write %s: %s", self->state_out, error->message);
}

/* ---- SSH keys ---- */

/* Python's str.strip() with no argument, for ASCII: blanks, \t \n \v \f \r
 * and the separators \x1c-\x1f. */
static gboolean
is_python_space (char c)
{
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

static char *
python_strip (const char *text)
{
  const char *end = text + strlen (text);

  while (*text != '\0' && is_python_space (*text))
    text++;
  while (end > text && is_python_space (end[-1]))
    end--;
  return g_strndup (text, end - text);
}

/* plugins/account.py _read_authorized_keys(): open() in text mode reads
 * "\r\n" and a lone "\r" as "\n" (universal newlines), then .strip().
 * NULL when there is no file (user.query then says null). */
char *
fake_truenas_read_sshpubkey (const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *read = NULL;
  GString *text;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  text = g_string_new (NULL);
  for (const char *p = contents; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (text, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (text, *p);
    }
  read = g_string_free (text, FALSE);
  return python_strip (read);
}

/* plugins/account.py update_sshpubkey(): the text stripped; empty removes
 * the file; the same as the file's (stripped) text changes nothing; else
 * the file becomes the text plus "\n", mode 0600, written atomically. */
gboolean
fake_truenas_write_sshpubkey (const char  *path,
                              const char  *sshpubkey,
                              GError     **error)
{
  g_autofree char *pubkey = python_strip (sshpubkey != NULL ? sshpubkey : "");
  g_autofree char *old = NULL;
  g_autofree char *contents = NULL;

  if (*pubkey == '\0')
    {
      g_unlink (path);
      return TRUE;
    }
  old = fake_truenas_read_sshpubkey (path);
  if (g_strcmp0 (old, pubkey) == 0)
    return TRUE;
  contents = g_strconcat (pubkey, "\n", NULL);
  return g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* plugins/keychain/ssh_pair.py: pubkey = (user["sshpubkey"] or "").strip();
 * unless public_key is a substring of it, pubkey += "\n" + public_key + "\n"
 * and user.update {sshpubkey}. */
gboolean
fake_truenas_add_authorized_key (FakeTruenas  *self,
                                 const char   *path,
                                 const char   *public_key,
                                 gboolean     *added,
                                 GError      **error)
{
  g_autofree char *pubkey = fake_truenas_read_sshpubkey (path);
  g_autofree char *updated = NULL;

  *added = FALSE;
  if (pubkey != NULL && strstr (pubkey, public_key) != NULL)
    return TRUE;
  updated = g_strconcat (pubkey != NULL ? pubkey : "", "\n", public_key, "\n", NULL);
  if (!fake_truenas_write_sshpubkey (path, updated, error))
    return FALSE;
  *added = TRUE;
  return TRUE;
}

char *
fake_truenas_build_host_keys (FakeTruenas  *self,
                              const char   *remote_hostname,
                              GError      **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < self->config->host_key_files->len; i++)
    {
      const char *path = g_ptr_array_index (self->config->host_key_files, i);
      g_autofree char *contents = NULL;

      if (!g_file_get_contents (path, &contents, NULL, error))
        return NULL;
      g_strstrip (contents);
      /* keychaincredential.ssh_pair: "{0} {1}\n" with {1} the .pub file (which ends in "\n"). */
      g_string_append_printf (text, "%s %s\n\n", remote_hostname, contents);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}
