/* kf-known-hosts.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-known-hosts"

#include "kf-known-hosts.h"

#include <string.h>

#include "kf-host-key.h"

char *
kf_known_hosts_format_host (const char *host,
                            guint       port)
{
  g_autofree char *lower = NULL;
  g_autofree char *bare = NULL;

  g_return_val_if_fail (host != NULL, NULL);

  /* Tolerate a bracketed IPv6 literal, although connections store it bare. */
  if (host[0] == '[' && g_str_has_suffix (host, "]"))
    bare = g_strndup (host + 1, strlen (host) - 2);
  else
    bare = g_strdup (host);
  lower = g_ascii_strdown (bare, -1);

  if (port == 22 || port == 0)
    return g_steal_pointer (&lower);
  return g_strdup_printf ("[%s]:%u", lower, port);
}

char *
kf_known_hosts_line (const char  *host,
                     guint        port,
                     const char  *key_line,
                     GError     **error)
{
  g_autoptr(KfHostKey) key = NULL;
  g_autofree char *field = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (key_line != NULL, NULL);

  key = kf_host_key_parse (key_line, error);
  if (key == NULL)
    return NULL;
  field = kf_known_hosts_format_host (host, port);
  return g_strdup_printf ("%s %s %s", field, kf_host_key_get_key_type (key),
                          kf_host_key_get_base64 (key));
}

char *
kf_known_hosts_for_connection (KfConnection *connection)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char * const *keys;
  const char *host;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);

  host = kf_connection_get_host (connection);
  keys = kf_connection_get_host_keys (connection);
  if (host == NULL || *host == '\0' || keys == NULL)
    return g_string_free (g_steal_pointer (&out), FALSE);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *line = kf_known_hosts_line (host, kf_connection_get_port (connection),
                                                   keys[i], &error);

      if (line == NULL)
        {
          g_message ("Skipping a stored host key of connection “%s”: %s",
                     kf_connection_get_name (connection), error->message);
          continue;
        }
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
kf_known_hosts_for_connections (GListModel *connections)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n;

  g_return_val_if_fail (G_IS_LIST_MODEL (connections), NULL);

  n = g_list_model_get_n_items (connections);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfConnection) connection = g_list_model_get_item (connections, i);
      g_autofree char *lines = kf_known_hosts_for_connection (connection);
      g_auto(GStrv) split = g_strsplit (lines, "\n", -1);

      for (guint j = 0; split[j] != NULL; j++)
        if (*split[j] != '\0' && g_hash_table_add (seen, g_strdup (split[j])))
          {
            g_string_append (out, split[j]);
            g_string_append_c (out, '\n');
          }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
