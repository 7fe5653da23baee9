/* fake-truenas-jsonrpc.c: JSON-RPC 2.0 frames as middlewared's
 * RpcWebSocketHandler reads and writes them (TrueNAS 25.04 and later).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-jsonrpc"

#include "fake-truenas-protocol.h"

#define JSONRPC_INVALID_JSON      -32700
#define JSONRPC_INVALID_REQUEST   -32600
#define JSONRPC_METHOD_NOT_FOUND  -32601
#define JSONRPC_INVALID_PARAMS    -32602
#define JSONRPC_TOO_MANY_CALLS    -32000
#define JSONRPC_CALL_ERROR        -32001

void
fake_frame_clear (FakeFrame *frame)
{
  g_clear_pointer (&frame->id, json_node_unref);
  g_clear_pointer (&frame->method, g_free);
  g_clear_pointer (&frame->params, json_array_unref);
  g_clear_pointer (&frame->reply, json_node_unref);
  g_clear_pointer (&frame->close_reason, g_free);
}

static JsonNode *
error_message (JsonNode   *id,
               int         code,
               const char *message,
               JsonNode   *data)
{
  JsonObject *object = json_object_new ();
  JsonObject *error = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "jsonrpc", "2.0");
  json_object_set_int_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  if (data != NULL)
    json_object_set_member (error, "data", data);
  json_object_set_object_member (object, "error", error);
  json_object_set_member (object, "id", id != NULL ? json_node_copy (id) : json_node_new (JSON_NODE_NULL));
  json_node_take_object (node, object);
  return node;
}

static gboolean
is_valid_id (JsonNode *id)
{
  GType type;

  if (JSON_NODE_HOLDS_NULL (id))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (id))
    return FALSE;
  type = json_node_get_value_type (id);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE || type == G_TYPE_STRING;
}

/* REQUEST_SCHEMA of rpc.py: additionalProperties false, jsonrpc "2.0" and
 * method required, params an array, id null/number/string. */
static const char *
check_request (JsonObject *object)
{
  static const char *const allowed[] = { "jsonrpc", "method", "params", "id", NULL };
  g_autoptr(GList) members = json_object_get_members (object);
  JsonNode *node;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      return "Additional properties are not allowed";
  node = json_object_get_member (object, "jsonrpc");
  if (node == NULL)
    return "'jsonrpc' is a required property";
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING
      || !g_str_equal (json_node_get_string (node), "2.0"))
    return "'jsonrpc' is not one of ['2.0']";
  node = json_object_get_member (object, "method");
  if (node == NULL)
    return "'method' is a required property";
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return "'method' is not of type 'string'";
  node = json_object_get_member (object, "params");
  if (node != NULL && !JSON_NODE_HOLDS_ARRAY (node))
    return "'params' is not of type 'array'";
  node = json_object_get_member (object, "id");
  if (node != NULL && !is_valid_id (node))
    return "'id' is not of type 'null', 'number', 'string'";
  return NULL;
}

static void
jsonrpc_parse (FakeSession *session,
               const char  *text,
               FakeFrame   *frame)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonNode *root;
  const char *problem;

  if (!json_parser_load_from_data (parser, text, -1, &error))
    {
      frame->action = FAKE_FRAME_REPLY;
      frame->reply = error_message (NULL, JSONRPC_INVALID_JSON, error->message, NULL);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      frame->action = FAKE_FRAME_REPLY;
      frame->reply = error_message (NULL, JSONRPC_INVALID_JSON,
                                    root != NULL && JSON_NODE_HOLDS_ARRAY (root)
                                    ? "Batch messages are not supported yet" : "Invalid Message Format",
                                    NULL);
      return;
    }
  object = json_node_get_object (root);
  if ((problem = check_request (object)) != NULL)
    {
      frame->action = FAKE_FRAME_REPLY;
      frame->reply = error_message (NULL, JSONRPC_INVALID_REQUEST, problem, NULL);
      return;
    }

  frame->action = FAKE_FRAME_CALL;
  frame->id = json_object_has_member (object, "id")
              ? json_node_copy (json_object_get_member (object, "id"))
              : json_node_new (JSON_NODE_NULL);
  frame->method = g_strdup (json_object_get_string_member (object, "method"));
  if (json_object_has_member (object, "params"))
    frame->params = json_array_ref (json_object_get_array_member (object, "params"));
  else
    frame->params = json_array_new ();
}

static JsonNode *
jsonrpc_result (JsonNode *id,
                JsonNode *result)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "jsonrpc", "2.0");
  json_object_set_member (object, "result", json_node_copy (result));
  json_object_set_member (object, "id", json_node_copy (id));
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
truenas_error_data (int              errnum,
                    const FakeError *error)
{
  JsonObject *data = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_int_member (data, "error", errnum);
  json_object_set_string_member (data, "errname", fake_errname (errnum));
  json_object_set_string_member (data, "reason", error->reason);
  json_object_set_member (data, "trace", fake_error_build_trace (error));
  json_object_set_member (data, "extra", fake_error_build_extra (error));
  json_node_take_object (node, data);
  return node;
}

static JsonNode *
jsonrpc_error (JsonNode        *id,
               const FakeError *error)
{
  switch (error->kind)
    {
    case FAKE_ERROR_NO_METHOD:
      return error_message (id, JSONRPC_METHOD_NOT_FOUND, "Method does not exist", NULL);
    case FAKE_ERROR_TOO_MANY:
      return error_message (id, JSONRPC_TOO_MANY_CALLS, error->reason, NULL);
    case FAKE_ERROR_VALIDATION:
      /* send_truenas_validation_error: errno is always EINVAL here. */
      return error_message (id, JSONRPC_INVALID_PARAMS, "Invalid params", truenas_error_data (22, error));
    case FAKE_ERROR_CALL:
    default:
      return error_message (id, JSONRPC_CALL_ERROR, "Method call error", truenas_error_data (error->errnum, error));
    }
}

const FakeProtocolOps fake_jsonrpc_ops = {
  .name = "jsonrpc",
  .parse = jsonrpc_parse,
  .result = jsonrpc_result,
  .error = jsonrpc_error,
};
