/* fake-truenas-http.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-http"

#include "fake-truenas-http.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "fake-truenas.h"

static void
respond (SoupServerMessage *msg,
         guint              status,
         const char        *content_type,
         const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

void
fake_truenas_http_handle (SoupServer        *soup_server,
                          SoupServerMessage *msg,
                          const char        *path,
                          GHashTable        *query,
                          gpointer           user_data)
{
  FakeTruenas *self = FAKE_TRUENAS (user_data);
  FakeConfig *config = fake_truenas_get_config (self);
  const char *method = soup_server_message_get_method (msg);

  g_debug ("%s %s", method, path);

  if (g_str_equal (path, "/api/versions") && config->protocols != FAKE_PROTOCOLS_LEGACY)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *body = NULL;

      if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
        {
          respond (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "text/plain", "405: Method Not Allowed");
          return;
        }
      json_builder_begin_array (builder);
      for (guint i = 0; i < config->api_versions->len; i++)
        json_builder_add_string_value (builder, g_ptr_array_index (config->api_versions, i));
      json_builder_end_array (builder);
      root = json_builder_get_root (builder);
      body = json_to_string (root, FALSE);
      respond (msg, SOUP_STATUS_OK, "application/json", body);
      return;
    }
  if (g_str_equal (path, "/"))
    {
      respond (msg, SOUP_STATUS_OK, "text/html",
               "<!DOCTYPE html><html><head><title>TrueNAS</title></head><body></body></html>\n");
      return;
    }
  respond (msg, SOUP_STATUS_NOT_FOUND, "text/plain", "404: Not Found");
}

/* The host the client asked for, without its port (IPv6 stays bracketed). */
static char *
request_host (SoupServerMessage *msg)
{
  const char *host = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Host");
  const char *colon;

  if (host == NULL || *host == '\0')
    return g_strdup ("127.0.0.1");
  if (host[0] == '[')
    {
      const char *end = strchr (host, ']');
      return end != NULL ? g_strndup (host, end - host + 1) : g_strdup ("127.0.0.1");
    }
  colon = strchr (host, ':');
  return colon != NULL ? g_strndup (host, colon - host) : g_strdup (host);
}

void
fake_truenas_http_redirect (SoupServer        *soup_server,
                            SoupServerMessage *msg,
                            const char        *path,
                            GHashTable        *query,
                            gpointer           user_data)
{
  FakeTruenas *self = FAKE_TRUENAS (user_data);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *host = request_host (msg);
  g_autofree char *location = NULL;
  const char *raw_query = g_uri_get_query (uri);

  location = g_strdup_printf ("https://%s:%u%s%s%s", host, fake_truenas_get_https_port (self),
                              g_uri_get_path (uri), raw_query != NULL ? "?" : "",
                              raw_query != NULL ? raw_query : "");
  g_debug ("redirecting %s %s to %s", soup_server_message_get_method (msg), path, location);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  respond (msg, fake_truenas_get_config (self)->redirect_status, "text/html",
           "<html><head><title>301 Moved Permanently</title></head><body></body></html>\n");
}
