/* kf-ssh-agent-reply.c: reading an SSH agent's replies. What comes back on
 * the socket is outside data (any process can sit at $SSH_AUTH_SOCK), so
 * every length is checked against what is there; fuzz/fuzz-ssh-agent-reply.c
 * runs this on arbitrary input.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-agent"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-ssh-agent-private.h"
#include "kf-ssh-agent.h"
#include "kf-ssh-wire-private.h"

void
kf_agent_reply_clear (KfAgentReply *reply)
{
  g_clear_pointer (&reply->blobs, g_ptr_array_unref);
  g_clear_pointer (&reply->comments, g_ptr_array_unref);
  reply->type = 0;
}

static gboolean
set_malformed (GError **error)
{
  g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_PROTOCOL,
                       _("The SSH agent sent a reply Keyferry cannot read; check what runs at SSH_AUTH_SOCK."));
  return FALSE;
}

/* uint32 nkeys, then nkeys times (string key blob, string comment), nothing after. */
static gboolean
parse_identities (KfWireReader  *r,
                  KfAgentReply  *reply,
                  GError       **error)
{
  guint32 n;

  /* each key takes at least its two lengths: a count beyond that is a lie,
   * and must not size an allocation */
  if (!kf_wire_read_u32 (r, &n) || n > r->left / 8)
    return set_malformed (error);

  reply->blobs = g_ptr_array_new_full (n, (GDestroyNotify) g_bytes_unref);
  reply->comments = g_ptr_array_new_full (n, g_free);
  for (guint32 i = 0; i < n; i++)
    {
      const guchar *blob, *comment;
      gsize blob_len, comment_len;
      char *text;

      if (!kf_wire_read_string (r, &blob, &blob_len) || !kf_wire_read_string (r, &comment, &comment_len) ||
          blob_len == 0)
        return set_malformed (error);
      text = g_strndup ((const char *) comment, comment_len);
      if (strlen (text) != comment_len || !g_utf8_validate (text, -1, NULL))
        {
          g_free (text);
          text = g_strdup ("");
        }
      g_ptr_array_add (reply->blobs, g_bytes_new (blob, blob_len));
      g_ptr_array_add (reply->comments, text);
    }
  if (r->left != 0)
    return set_malformed (error);
  return TRUE;
}

gboolean
kf_agent_reply_parse (const guchar  *data,
                      gsize          len,
                      KfAgentReply  *reply,
                      GError       **error)
{
  KfWireReader r = { data, len };

  g_return_val_if_fail (reply != NULL && reply->blobs == NULL, FALSE);

  if (len == 0 || len > KF_AGENT_MAX_MESSAGE)
    return set_malformed (error);
  reply->type = data[0];
  r.p++;
  r.left--;

  switch (reply->type)
    {
    case KF_AGENT_SUCCESS:
    case KF_AGENT_FAILURE:
    case KF_AGENT_EXTENSION_FAILURE:
      /* OpenSSH's agent sends the type alone; tolerate nothing else, as it
       * would mean we are out of step with the agent */
      return r.left == 0 || set_malformed (error);
    case KF_AGENT_IDENTITIES_ANSWER:
      if (!parse_identities (&r, reply, error))
        {
          kf_agent_reply_clear (reply);
          return FALSE;
        }
      return TRUE;
    default:
      return set_malformed (error);
    }
}
