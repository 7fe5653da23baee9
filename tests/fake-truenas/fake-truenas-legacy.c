/* fake-truenas-legacy.c: the legacy WebSocket protocol on /websocket
 * (TrueNAS CORE 13 and SCALE 22.12 to 27-dev): connect/connected, then
 * method/result frames with middlewared's legacy error dictionary.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-legacy"

#include "fake-truenas-protocol.h"

#include <errno.h>

static JsonNode *
take_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
failed_message (void)
{
  JsonObject *object = json_object_new ();
  json_object_set_string_member (object, "msg", "failed");
  json_object_set_string_member (object, "version", "1");
  return take_object (object);
}

static void
legacy_parse (FakeSession *session,
              const char  *text,
              FakeFrame   *frame)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *root;
  const char *msg;

  if (!json_parser_load_from_data (parser, text, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL
      || !JSON_NODE_HOLDS_OBJECT (root))
    {
      frame->action = FAKE_FRAME_CLOSE;
      frame->close_code = 1007;  /* INVALID_TEXT */
      frame->close_reason = g_strdup ("Invalid Message Format");
      return;
    }
  object = json_node_get_object (root);
  msg = json_object_has_member (object, "msg")
        && JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "msg"))
        && json_node_get_value_type (json_object_get_member (object, "msg")) == G_TYPE_STRING
        ? json_object_get_string_member (object, "msg") : "";

  if (g_str_equal (msg, "connect"))
    {
      JsonNode *version = json_object_get_member (object, "version");

      frame->action = FAKE_FRAME_REPLY;
      if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
          || json_node_get_value_type (version) != G_TYPE_STRING
          || !g_str_equal (json_node_get_string (version), "1"))
        {
          frame->reply = failed_message ();
          return;
        }
      session->handshake = TRUE;
      {
        JsonObject *reply = json_object_new ();
        json_object_set_string_member (reply, "msg", "connected");
        json_object_set_string_member (reply, "session", session->session_id);
        frame->reply = take_object (reply);
      }
      return;
    }
  if (!session->handshake)
    {
      frame->action = FAKE_FRAME_REPLY;
      frame->reply = failed_message ();
      return;
    }
  if (g_str_equal (msg, "ping"))
    {
      JsonObject *reply = json_object_new ();
      json_object_set_string_member (reply, "msg", "pong");
      if (json_object_has_member (object, "id"))
        json_object_set_member (reply, "id", json_node_copy (json_object_get_member (object, "id")));
      frame->action = FAKE_FRAME_REPLY;
      frame->reply = take_object (reply);
      return;
    }
  if (g_str_equal (msg, "method"))
    {
      JsonNode *method = json_object_get_member (object, "method");
      JsonNode *params = json_object_get_member (object, "params");

      frame->id = json_object_has_member (object, "id")
                  ? json_node_copy (json_object_get_member (object, "id"))
                  : json_node_new (JSON_NODE_NULL);
      if (method == NULL || !JSON_NODE_HOLDS_VALUE (method)
          || json_node_get_value_type (method) != G_TYPE_STRING)
        {
          g_autoptr(FakeError) error = fake_error_new_exception (NULL, "Message is malformed: 'method' is absent.");
          frame->action = FAKE_FRAME_REPLY;
          frame->reply = fake_legacy_ops.error (frame->id, error);
          return;
        }
      frame->action = FAKE_FRAME_CALL;
      frame->method = g_strdup (json_node_get_string (method));
      /* middlewared: params = message.get('params') or [] */
      if (params != NULL && JSON_NODE_HOLDS_ARRAY (params))
        frame->params = json_array_ref (json_node_get_array (params));
      else if (params == NULL || JSON_NODE_HOLDS_NULL (params))
        frame->params = json_array_new ();
      else
        {
          g_autoptr(FakeError) error = fake_error_new_validation ();
          fake_error_add_item (error, "params", EINVAL, "Input should be a valid list");
          frame->action = FAKE_FRAME_REPLY;
          frame->reply = fake_legacy_ops.error (frame->id, fake_error_finish_validation (g_steal_pointer (&error)));
          g_clear_pointer (&frame->method, g_free);
          return;
        }
      return;
    }
  /* sub/unsub and anything else: the fake has no event sources. */
  frame->action = FAKE_FRAME_IGNORE;
}

static JsonNode *
legacy_result (JsonNode *id,
               JsonNode *result)
{
  JsonObject *object = json_object_new ();

  json_object_set_member (object, "id", json_node_copy (id));
  json_object_set_string_member (object, "msg", "result");
  json_object_set_member (object, "result", json_node_copy (result));
  return take_object (object);
}

/* Application.get_error_dict of middlewared's main.py. */
static JsonNode *
legacy_error (JsonNode        *id,
              const FakeError *error)
{
  JsonObject *object = json_object_new ();
  JsonObject *dict = json_object_new ();
  int errnum = error->errnum;
  const char *type = NULL;
  g_autofree char *reason = g_strdup (error->reason);

  switch (error->kind)
    {
    case FAKE_ERROR_VALIDATION:
      type = "VALIDATION";
      /* One ValidationError keeps its errno, ValidationErrors are sent with EAGAIN. */
      if (error->single && error->items->len == 1)
        errnum = ((FakeValidationItem *) g_ptr_array_index (error->items, 0))->errnum;
      else
        errnum = EAGAIN;
      break;
    case FAKE_ERROR_TOO_MANY:
      g_free (reason);
      reason = g_strconcat (error->reason, ".", NULL);
      break;
    case FAKE_ERROR_NO_METHOD:
    case FAKE_ERROR_CALL:
    default:
      break;
    }

  json_object_set_int_member (dict, "error", errnum);
  json_object_set_string_member (dict, "errname", fake_errname (errnum));
  if (type != NULL)
    json_object_set_string_member (dict, "type", type);
  else
    json_object_set_null_member (dict, "type");
  json_object_set_string_member (dict, "reason", reason);
  json_object_set_member (dict, "trace", fake_error_build_trace (error));
  json_object_set_member (dict, "extra", fake_error_build_extra (error));

  json_object_set_string_member (object, "msg", "result");
  json_object_set_member (object, "id", json_node_copy (id));
  json_object_set_object_member (object, "error", dict);
  return take_object (object);
}

const FakeProtocolOps fake_legacy_ops = {
  .name = "legacy",
  .parse = legacy_parse,
  .result = legacy_result,
  .error = legacy_error,
};
