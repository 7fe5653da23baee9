/* kf-truenas-protocol.c: one WebSocket text frame of either TrueNAS protocol
 * decoded into what it is (a result or a remote error for request id N, a
 * ping, the legacy handshake's answer, nothing for us), without any client
 * state. The client matches the id against its call in flight.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-client"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-truenas-protocol-private.h"

/* ------------------------------------------------------------------------- */
/* JSON helpers                                                              */

/* JSON string escaping into a buffer we can wipe (json-glib's copies we could not). */
void
kf_truenas_json_append_string (GString    *out,
                               const char *str)
{
  g_string_append_c (out, '"');
  for (const char *p = str; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

const char *
kf_truenas_member_string (JsonObject *object,
                          const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
kf_truenas_member_int (JsonObject *object,
                       const char *name,
                       gint64     *out)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return FALSE;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return TRUE;
}

JsonObject *
kf_truenas_member_object (JsonObject *object,
                          const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
kf_truenas_member_array (JsonObject *object,
                         const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* The JSON text @data (@size bytes) as a root node of @type (an object or an
 * array), or NULL. The first non-blank byte is checked before json-glib sees
 * the text: json-glib 1.10 accepts a scalar followed by more text (`2{…}`)
 * and then aborts in json_parser_get_root() on an immutable parser (a hostile
 * server could crash us), and 1.6 leaks the object it had begun. A reply we
 * can use starts with its root's bracket anyway. The parser is a mutable one
 * for the same reason. An empty text has no data pointer, which json-glib
 * refuses. */
JsonNode *
kf_truenas_parse_json_root (const char   *data,
                            gsize         size,
                            JsonNodeType  type)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  gsize i = 0;

  while (i < size && g_ascii_isspace (data[i]))
    i++;
  if (i == size || data[i] != (type == JSON_NODE_OBJECT ? '{' : '['))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || JSON_NODE_TYPE (root) != type)
    return NULL;
  return json_node_ref (root);
}

/* ------------------------------------------------------------------------- */
/* The decoder                                                               */

static void
garbled (KfTruenasFrame *frame,
         const char     *problem)
{
  frame->kind = KF_TRUENAS_FRAME_GARBLED;
  frame->problem = problem;
}

/* A result or an error for the request @frame's id names. */
static void
decode_answer (KfTruenasFrame *frame,
               JsonObject     *object,
               JsonNode       *error_node,
               gboolean        jsonrpc)
{
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      frame->kind = KF_TRUENAS_FRAME_ERROR;
      frame->remote = kf_truenas_remote_error_parse (json_node_get_object (error_node), jsonrpc);
      return;
    }
  if (jsonrpc && !json_object_has_member (object, "result"))
    {
      frame->kind = KF_TRUENAS_FRAME_NO_RESULT;
      return;
    }
  frame->kind = KF_TRUENAS_FRAME_RESULT;
  frame->result = json_object_get_member (object, "result");
}

static void
decode_jsonrpc (JsonObject     *object,
                KfTruenasFrame *frame)
{
  JsonNode *id = json_object_get_member (object, "id");
  JsonObject *error_object;

  if (id == NULL || JSON_NODE_HOLDS_NULL (id))
    {
      if (json_object_has_member (object, "method"))
        {
          frame->kind = KF_TRUENAS_FRAME_IGNORE; /* a notification (e.g. collection_update) */
          return;
        }
      error_object = kf_truenas_member_object (object, "error");
      if (error_object == NULL)
        {
          garbled (frame, _("The TrueNAS sent a message Keyferry does not understand."));
          return;
        }
      frame->kind = KF_TRUENAS_FRAME_UNSOLICITED_ERROR;
      frame->remote = kf_truenas_remote_error_parse (error_object, TRUE);
      return;
    }

  if (JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
    {
      frame->has_int_id = TRUE;
      frame->int_id = json_node_get_int (id);
    }
  /* Only an error object counts as an error; anything else there is ignored. */
  error_object = kf_truenas_member_object (object, "error");
  decode_answer (frame, object,
                 error_object != NULL ? json_object_get_member (object, "error") : NULL, TRUE);
}

static void
decode_legacy (JsonObject     *object,
               KfTruenasFrame *frame)
{
  const char *msg = kf_truenas_member_string (object, "msg");

  if (msg == NULL)
    {
      garbled (frame, _("The TrueNAS sent a message Keyferry does not understand."));
      return;
    }
  frame->str_id = kf_truenas_member_string (object, "id");

  if (g_str_equal (msg, "ping"))
    {
      GString *pong = g_string_new ("{\"msg\":\"pong\"");

      if (frame->str_id != NULL)
        {
          g_string_append (pong, ",\"id\":");
          kf_truenas_json_append_string (pong, frame->str_id);
        }
      g_string_append_c (pong, '}');
      frame->kind = KF_TRUENAS_FRAME_PING;
      frame->pong = g_string_free (pong, FALSE);
    }
  else if (g_str_equal (msg, "connected"))
    frame->kind = KF_TRUENAS_FRAME_CONNECTED;
  else if (g_str_equal (msg, "failed"))
    frame->kind = KF_TRUENAS_FRAME_REFUSED;
  else if (g_str_equal (msg, "result"))
    decode_answer (frame, object, json_object_get_member (object, "error"), FALSE);
  else
    frame->kind = KF_TRUENAS_FRAME_IGNORE; /* events ("added", "changed", …) */
}

void
kf_truenas_protocol_decode (KfTruenasProtocol  protocol,
                            const char        *data,
                            gsize              size,
                            KfTruenasFrame    *frame)
{
  memset (frame, 0, sizeof *frame);

  if (size > KF_MAX_REPLY_SIZE)
    {
      garbled (frame, _("The TrueNAS sent an answer larger than 4 MiB, so it was refused."));
      return;
    }
  frame->root = kf_truenas_parse_json_root (data, size, JSON_NODE_OBJECT);
  if (frame->root == NULL)
    {
      garbled (frame, _("The TrueNAS sent an answer that is not valid JSON."));
      return;
    }
  if (protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    decode_jsonrpc (json_node_get_object (frame->root), frame);
  else
    decode_legacy (json_node_get_object (frame->root), frame);
}

void
kf_truenas_frame_clear (KfTruenasFrame *frame)
{
  g_clear_pointer (&frame->remote, kf_truenas_remote_error_free);
  g_clear_pointer (&frame->pong, g_free);
  g_clear_pointer (&frame->root, json_node_unref);
  memset (frame, 0, sizeof *frame);
}
