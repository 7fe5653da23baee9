/* kf-truenas-remote-user.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <string.h>

#include "kf-truenas-protocol-private.h"
#include "kf-truenas-remote-user.h"

KfTruenasRemoteUser *
kf_truenas_remote_user_parse (JsonObject *object)
{
  KfTruenasRemoteUser *user;
  JsonArray *nopasswd;
  gint64 id;

  if (object == NULL || !kf_truenas_member_int (object, "id", &id))
    return NULL;
  user = g_new0 (KfTruenasRemoteUser, 1);
  user->id = id;
  user->username = g_strdup (kf_truenas_member_string (object, "username"));
  user->home = g_strdup (kf_truenas_member_string (object, "home"));
  user->shell = g_strdup (kf_truenas_member_string (object, "shell"));
  user->sshpubkey = g_strdup (kf_truenas_member_string (object, "sshpubkey"));
  if (user->sshpubkey == NULL)
    user->sshpubkey = g_strdup ("");
  nopasswd = kf_truenas_member_array (object, "sudo_commands_nopasswd");
  if (nopasswd != NULL)
    {
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      for (guint i = 0; i < json_array_get_length (nopasswd); i++)
        {
          JsonNode *item = json_array_get_element (nopasswd, i);
          if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
            g_strv_builder_add (builder, json_node_get_string (item));
        }
      user->sudo_nopasswd = g_strv_builder_end (builder);
    }
  return user;
}

void
kf_truenas_remote_user_free (KfTruenasRemoteUser *user)
{
  if (user == NULL)
    return;
  g_free (user->username);
  g_free (user->home);
  g_free (user->shell);
  g_free (user->sshpubkey);
  g_strfreev (user->sudo_nopasswd);
  g_free (user);
}

gboolean
kf_truenas_remote_user_shell_is_nologin (const KfTruenasRemoteUser *user)
{
  return user->shell != NULL && g_str_has_suffix (user->shell, "nologin");
}

gboolean
kf_truenas_remote_user_needs_zfs (const KfTruenasRemoteUser *user)
{
  return g_strcmp0 (user->username, "root") != 0 && user->sudo_nopasswd != NULL &&
         !g_strv_contains ((const char * const *) user->sudo_nopasswd, "ALL") &&
         !g_strv_contains ((const char * const *) user->sudo_nopasswd, KF_TRUENAS_ZFS_COMMAND);
}

JsonObject *
kf_truenas_remote_user_changes_new (const KfTruenasRemoteUser *user,
                                    const char                *shell,
                                    gboolean                   add_zfs)
{
  JsonObject *changes = json_object_new ();

  if (shell != NULL)
    json_object_set_string_member (changes, "shell", shell);
  if (add_zfs && user->sudo_nopasswd != NULL)
    {
      JsonArray *commands = json_array_new ();
      for (guint i = 0; user->sudo_nopasswd[i] != NULL; i++)
        json_array_add_string_element (commands, user->sudo_nopasswd[i]);
      json_array_add_string_element (commands, KF_TRUENAS_ZFS_COMMAND);
      json_object_set_array_member (changes, "sudo_commands_nopasswd", commands);
    }
  return changes;
}

/* The base64 blob of a key line: the token after the key type. An
 * authorized_keys line may start with options (which may hold quoted
 * blanks, e.g. command="echo ssh-rsa"), skipped as sshd does; blanks are
 * spaces, tabs and the CR of a CRLF line. NULL when there is none. */
static gboolean
is_key_type (const char *token,
             gsize       length)
{
  g_autofree char *copy = g_strndup (token, length);

  return g_str_has_prefix (copy, "ssh-") || g_str_has_prefix (copy, "ecdsa-") || g_str_has_prefix (copy, "sk-");
}

static const char *
skip_blanks (const char *p,
             const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
    p++;
  return p;
}

/* The end of the token at @p; blanks inside double quotes (with \" escapes)
 * belong to it. */
static const char *
token_end (const char *p,
           const char *end)
{
  gboolean quoted = FALSE;

  for (; p < end; p++)
    {
      if (*p == '\\' && quoted && p + 1 < end)
        p++;
      else if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == ' ' || *p == '\t' || *p == '\r'))
        break;
    }
  return p;
}

static char *
key_blob (const char *line,
          gsize       length)
{
  const char *end = line + length;
  const char *p = skip_blanks (line, end);
  const char *q;

  if (p == end || *p == '#')
    return NULL;
  q = token_end (p, end);
  if (!is_key_type (p, q - p))
    {
      /* Options first, then the key type. */
      p = skip_blanks (q, end);
      q = token_end (p, end);
      if (p == end || !is_key_type (p, q - p))
        return NULL;
    }
  p = skip_blanks (q, end);
  q = token_end (p, end);
  if (p == q)
    return NULL;
  return g_strndup (p, q - p);
}

gboolean
kf_truenas_keys_contain (const char *keys,
                         const char *public_key)
{
  g_autofree char *wanted = key_blob (public_key, strcspn (public_key, "\n"));
  const char *p = keys != NULL ? keys : "";

  if (wanted == NULL)
    return FALSE;
  while (*p != '\0')
    {
      const char *end = strchr (p, '\n');
      gsize length = end != NULL ? (gsize) (end - p) : strlen (p);
      g_autofree char *blob = key_blob (p, length);

      if (g_strcmp0 (blob, wanted) == 0)
        return TRUE;
      p += length + (end != NULL ? 1 : 0);
    }
  return FALSE;
}

char *
kf_truenas_keys_add (const char *keys,
                     const char *public_key)
{
  g_autoptr(GString) out = g_string_new (keys != NULL ? keys : "");

  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  /* Whole lines (kf_truenas_keys_lines_with) go in as they were. */
  if (g_str_has_suffix (public_key, "\n"))
    g_string_append (out, public_key);
  else
    {
      g_autofree char *key = g_strstrip (g_strdup (public_key));

      g_string_append_printf (out, "%s\n", key);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
kf_truenas_keys_lines_with (const char *keys,
                            const char *public_key)
{
  g_autofree char *wanted = key_blob (public_key, strcspn (public_key, "\n"));
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = keys != NULL ? keys : "";

  while (*p != '\0' && wanted != NULL)
    {
      const char *end = strchr (p, '\n');
      gsize length = end != NULL ? (gsize) (end - p) : strlen (p);
      gsize with_separator = length + (end != NULL ? 1 : 0);
      g_autofree char *blob = key_blob (p, length);

      if (g_strcmp0 (blob, wanted) == 0)
        {
          g_string_append_len (out, p, with_separator);
          if (end == NULL)
            g_string_append_c (out, '\n');
        }
      p += with_separator;
    }
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

char *
kf_truenas_keys_remove (const char *keys,
                        const char *public_key,
                        const char *before)
{
  g_autofree char *wanted = key_blob (public_key, strcspn (public_key, "\n"));
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = keys != NULL ? keys : "";

  while (*p != '\0')
    {
      const char *end = strchr (p, '\n');
      gsize length = end != NULL ? (gsize) (end - p) : strlen (p);
      gsize with_separator = length + (end != NULL ? 1 : 0);
      g_autofree char *blob = key_blob (p, length);

      if (wanted == NULL || g_strcmp0 (blob, wanted) != 0)
        g_string_append_len (out, p, with_separator);
      p += with_separator;
    }
  /* kf_truenas_keys_add ended a text that had no final newline with one. */
  if (before != NULL && out->len == strlen (before) + 1 && out->str[out->len - 1] == '\n' &&
      strncmp (out->str, before, strlen (before)) == 0)
    g_string_truncate (out, out->len - 1);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
