/* kf-truenas-errors.c: the error object middlewared sends, and the GError
 * any method gets from it. The errors specific to one method (ssh_pair,
 * user.query) are mapped where that method is (kf-truenas-methods.c).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-truenas-protocol-private.h"

/* "[EACCES] Not authorized" → "Not authorized". */
static char *
clean_reason (const char *reason)
{
  const char *p = reason != NULL ? reason : "";
  g_autofree char *copy = NULL;
  gsize len;

  while (g_ascii_isspace (*p))
    p++;
  /* "[EFAULT] [EINVAL] …": drop every errno tag in front. */
  while (*p == '[')
    {
      const char *close = strchr (p, ']');
      if (close == NULL || close - p >= 32)
        break;
      p = close + 1;
      while (g_ascii_isspace (*p))
        p++;
    }
  copy = g_strstrip (g_strdup (p));
  len = strlen (copy);
  while (len > 0 && (copy[len - 1] == '.' || copy[len - 1] == '\n'))
    copy[--len] = '\0';
  if (len == 0)
    return g_strdup (_("no reason given"));
  return g_steal_pointer (&copy);
}

void
kf_truenas_remote_error_free (KfTruenasRemoteError *remote)
{
  if (remote == NULL)
    return;
  g_free (remote->errname);
  g_free (remote->type);
  g_free (remote->reason);
  g_free (remote->details);
  g_free (remote);
}

KfTruenasRemoteError *
kf_truenas_remote_error_copy (const KfTruenasRemoteError *remote)
{
  KfTruenasRemoteError *copy = g_new0 (KfTruenasRemoteError, 1);

  copy->code = remote->code;
  copy->errnum = remote->errnum;
  copy->errname = g_strdup (remote->errname);
  copy->type = g_strdup (remote->type);
  copy->reason = g_strdup (remote->reason);
  copy->details = g_strdup (remote->details);
  return copy;
}

/* [[field, message, errno], …] → "field: message; …" */
static char *
format_validation_items (JsonArray *extra)
{
  g_autoptr(GString) out = g_string_new (NULL);

  if (extra == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (extra) && i < 10; i++)
    {
      JsonNode *item = json_array_get_element (extra, i);
      JsonArray *parts;
      const char *field = NULL;
      const char *message = NULL;

      if (!JSON_NODE_HOLDS_ARRAY (item))
        continue;
      parts = json_node_get_array (item);
      if (json_array_get_length (parts) >= 2)
        {
          JsonNode *f = json_array_get_element (parts, 0);
          JsonNode *m = json_array_get_element (parts, 1);
          if (JSON_NODE_HOLDS_VALUE (f) && json_node_get_value_type (f) == G_TYPE_STRING)
            field = json_node_get_string (f);
          if (JSON_NODE_HOLDS_VALUE (m) && json_node_get_value_type (m) == G_TYPE_STRING)
            message = json_node_get_string (m);
        }
      if (message == NULL)
        continue;
      if (out->len > 0)
        g_string_append (out, "; ");
      if (field != NULL && *field != '\0')
        g_string_append_printf (out, "%s: ", field);
      {
        g_autofree char *clean = clean_reason (message);
        g_string_append (out, clean);
      }
    }
  return out->len > 0 ? g_strdup (out->str) : NULL;
}

KfTruenasRemoteError *
kf_truenas_remote_error_parse (JsonObject *error_object,
                               gboolean    jsonrpc)
{
  KfTruenasRemoteError *remote = g_new0 (KfTruenasRemoteError, 1);
  JsonObject *data = error_object;
  const char *reason;
  gint64 value;

  if (jsonrpc)
    {
      if (kf_truenas_member_int (error_object, "code", &value))
        remote->code = (int) value;
      data = kf_truenas_member_object (error_object, "data");
    }

  if (kf_truenas_member_int (data, "error", &value))
    remote->errnum = (int) value;
  remote->errname = g_strdup (kf_truenas_member_string (data, "errname"));
  remote->type = g_strdup (kf_truenas_member_string (data, "type"));
  remote->details = format_validation_items (kf_truenas_member_array (data, "extra"));

  reason = kf_truenas_member_string (data, "reason");
  if (reason == NULL && jsonrpc)
    reason = kf_truenas_member_string (error_object, "message");
  remote->reason = clean_reason (reason);
  return remote;
}

gboolean
kf_truenas_remote_is_validation (const KfTruenasRemoteError *remote)
{
  return remote->code == -32602 || g_strcmp0 (remote->type, "VALIDATION") == 0;
}

char *
kf_truenas_remote_describe (const KfTruenasRemoteError *remote)
{
  if (remote->details != NULL)
    return g_strdup (remote->details);
  return g_strdup (remote->reason);
}

gboolean
kf_truenas_remote_is_missing_method (const KfTruenasRemoteError *remote)
{
  return remote->code == -32601 || remote->errnum == 201 || g_strcmp0 (remote->errname, "ENOMETHOD") == 0;
}

GError *
kf_truenas_remote_error_generic (const KfTruenasRemoteError *remote,
                                 const char                 *method)
{
  return kf_truenas_remote_error_for_version (remote, method, NULL);
}

GError *
kf_truenas_remote_error_for_version (const KfTruenasRemoteError *remote,
                                     const char                 *method,
                                     const char                 *api_version)
{
  g_autofree char *why = kf_truenas_remote_describe (remote);

  if (kf_truenas_remote_is_missing_method (remote) && api_version != NULL)
    /* Translators: the method, then the newest API version the box lists, e.g. v25.10.0 */
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_METHOD,
                        _("This TrueNAS does not offer “%s” (its API goes up to %s), which Keyferry needs for pairing; it may be too old or too new for this version of Keyferry."),
                        method, api_version);
  if (kf_truenas_remote_is_missing_method (remote))
    return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NO_METHOD,
                        _("This TrueNAS does not offer “%s”, which Keyferry needs for pairing; it may be too old or too new for this version of Keyferry."),
                        method);
  if (remote->code == -32000)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                                _("The TrueNAS is busy with too many calls; try again in a moment."));
  if (remote->errnum == 207 || g_strcmp0 (remote->errname, "ENOTAUTHENTICATED") == 0)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                                _("The TrueNAS no longer accepts this admin login; log in again."));
  if (remote->errnum == 13 || g_strcmp0 (remote->errname, "EACCES") == 0)
    return g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_NOT_AUTHORIZED,
                                _("The admin user is not a full administrator on the TrueNAS; log in with a full admin account."));
  return g_error_new (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_REMOTE,
                      _("The TrueNAS reported an error in “%s”: %s."), method, why);
}
