/* fake-truenas-auth.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-auth"

#include "fake-truenas-auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- origin (utils/origin.py) ---- */

void
fake_auth_read_origin (FakeSession       *session,
                       SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *addr = soup_message_headers_get_one (headers, "X-Real-Remote-Addr");
  const char *port = soup_message_headers_get_one (headers, "X-Real-Remote-Port");
  g_autoptr(GInetAddress) inet = NULL;
  gboolean ssl;

  g_free (session->remote_addr);
  if (addr != NULL && port != NULL)
    {
      /* What nginx forwards: the client's address, and X-Https: on for TLS. */
      session->remote_addr = g_strdup (addr);
      ssl = g_strcmp0 (soup_message_headers_get_one (headers, "X-Https"), "on") == 0;
    }
  else
    {
      /* The fake terminates TLS itself (its HTTP port only redirects). */
      session->remote_addr = g_strdup (soup_server_message_get_remote_host (msg));
      ssl = TRUE;
    }
  inet = session->remote_addr != NULL ? g_inet_address_new_from_string (session->remote_addr) : NULL;
  /* Secure: encrypted, or from loopback. */
  session->secure_transport = ssl || (inet != NULL && g_inet_address_get_is_loopback (inet));
}

/* ---- rate limit (utils/rate_limit/cache.py; main.py authorize_method_call) ---- */

typedef struct {
  guint  calls;
  gint64 last_reset_us;
} RateLimitEntry;

/* Global, as middlewared's RL_CACHE: shared by every connection. */
static GHashTable *rate_limit_cache;

static guint
random_ms (const guint range[2])
{
  return range[1] > range[0] ? (guint) g_random_int_range ((gint32) range[0], (gint32) range[1] + 1) : range[0];
}

FakeError *
fake_auth_rate_limit (FakeTruenas *server,
                      FakeSession *session,
                      const char  *method)
{
  FakeConfig *config = fake_truenas_get_config (server);
  g_autofree char *key = NULL;
  RateLimitEntry *entry;
  gint64 now = g_get_monotonic_time ();

  if (g_str_equal (method, "core.set_options") || session->remote_addr == NULL)
    return NULL;
  if (rate_limit_cache == NULL)
    rate_limit_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  key = g_strconcat (method, "_##_", session->remote_addr, NULL);
  entry = g_hash_table_lookup (rate_limit_cache, key);
  if (entry == NULL)
    {
      entry = g_new0 (RateLimitEntry, 1);
      entry->last_reset_us = now;
      g_hash_table_insert (rate_limit_cache, g_steal_pointer (&key), entry);
    }
  if ((gint64) config->rate_limit_period_s * G_USEC_PER_SEC - (now - entry->last_reset_us) <= 0)
    {
      entry->calls = 0;
      entry->last_reset_us = now;
    }
  if (++entry->calls <= config->rate_limit_max_calls)
    return NULL;
  g_message ("%s: rate limit exceeded for %s", method, session->remote_addr);
  session->reply_delay_ms += random_ms (config->rate_limit_sleep_ms);
  return fake_error_new_call (EBUSY, "Rate Limit Exceeded");
}

/* ---- API keys (plugins/auth_/login_ex_impl.py login_ex_api_key_plain) ---- */

/* Constant-time, so the fake does not model a timing oracle. */
static gboolean
same_secret (const char *a,
             const char *b)
{
  gsize la, lb;
  guchar diff;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  diff = la != lb;
  for (gsize i = 0; i < la; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % (lb ? lb : 1)];
  return diff == 0;
}

/* The key whose id is the number in front of the dash, and its admin. */
static FakeApiKey *
find_api_key (FakeConfig  *config,
              const char  *api_key,
              FakeAdmin  **out_admin)
{
  char *end = NULL;
  gint64 id;

  *out_admin = NULL;
  if (api_key == NULL || !g_ascii_isdigit (api_key[0]))
    return NULL;
  id = g_ascii_strtoll (api_key, &end, 10);
  if (end == NULL || *end != '-')
    return NULL;
  for (guint i = 0; i < config->admins->len; i++)
    {
      FakeAdmin *admin = g_ptr_array_index (config->admins, i);

      for (guint k = 0; k < admin->api_keys->len; k++)
        {
          FakeApiKey *key = g_ptr_array_index (admin->api_keys, k);
          if (key->id == id)
            {
              *out_admin = admin;
              return key;
            }
        }
    }
  return NULL;
}

FakeLoginResult
fake_auth_check_api_key (FakeTruenas  *server,
                         FakeSession  *session,
                         const char   *username,
                         const char   *api_key,
                         FakeAdmin   **out_admin)
{
  FakeConfig *config = fake_truenas_get_config (server);
  FakeAdmin *admin = NULL;
  FakeApiKey *key = find_api_key (config, api_key, &admin);
  const char *secret = api_key != NULL ? strchr (api_key, '-') : NULL;

  *out_admin = NULL;
  /* PAM: the key must be one of this user's and match. */
  if (key == NULL || secret == NULL || !same_secret (key->key, secret + 1)
      || (username != NULL && g_strcmp0 (admin->username, username) != 0))
    return LOGIN_AUTH_ERR;
  /* Not in the user's keyring any more: expired, or revoked. */
  if (key->expired)
    return LOGIN_EXPIRED;
  if (key->revoked)
    return LOGIN_AUTH_ERR;
  if (!session->secure_transport)
    {
      /* "Attempt to use over an insecure transport". */
      g_message ("API key %" G_GINT64_FORMAT " of %s used over an insecure transport: revoked",
                 key->id, admin->username);
      key->revoked = TRUE;
      return LOGIN_EXPIRED;
    }
  *out_admin = admin;
  /* "User lacks API access." */
  if (admin->status == FAKE_ADMIN_DENIED)
    return LOGIN_DENIED;
  return LOGIN_SUCCESS;
}

/* ---- the failed-login delay ---- */

static gboolean
is_failed_login (const char *method,
                 JsonNode   *result)
{
  const char *type;

  if (result == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (result) && json_node_get_value_type (result) == G_TYPE_BOOLEAN)
    return !json_node_get_boolean (result);
  if (!JSON_NODE_HOLDS_OBJECT (result))
    return FALSE;
  type = json_object_get_string_member_with_default (json_node_get_object (result), "response_type", "");
  /* A refused one-time password asks again: a failure too. */
  return g_str_equal (type, "AUTH_ERR") || g_str_equal (type, "EXPIRED") || g_str_equal (type, "DENIED")
         || (g_str_equal (type, "OTP_REQUIRED") && g_str_equal (method, "auth.login_ex_continue"));
}

void
fake_auth_after_login (FakeTruenas *server,
                       FakeSession *session,
                       const char  *method,
                       JsonNode    *result)
{
  if (!g_str_has_prefix (method, "auth.login") || !is_failed_login (method, result))
    return;
  session->reply_delay_ms += random_ms (fake_truenas_get_config (server)->failed_login_delay_ms);
}
