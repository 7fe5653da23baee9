/* fake-truenas-connection.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-connection"

#include "fake-truenas-connection.h"

#include <string.h>

/* middlewared's message size limits (utils/limits.py). */
#define UNAUTHENTICATED_MAX  8192
#define AUTHENTICATED_MAX    65536
/* The fake answers one call at a time; a second call in flight is refused. */
#define MAX_CALLS_IN_FLIGHT  1

struct _FakeConnection
{
  GObject                  parent_instance;

  FakeTruenas             *server;     /* weak: the server outlives its connections */
  SoupWebsocketConnection *websocket;
  const FakeProtocolOps   *ops;
  FakeSession              session;
  guint                    frames;
  guint                    in_flight;
  GPtrArray               *timeouts;   /* pending delayed replies (source ids) */
  gboolean                 finished;
};

G_DEFINE_FINAL_TYPE (FakeConnection, fake_connection, G_TYPE_OBJECT)

enum {
  FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  FakeConnection *self;
  char           *text;
  gboolean        counts;   /* ends a call in flight */
} PendingReply;

static void
pending_reply_free (PendingReply *pending)
{
  g_object_unref (pending->self);
  g_free (pending->text);
  g_free (pending);
}

static gboolean
is_open (FakeConnection *self)
{
  return self->websocket != NULL
         && soup_websocket_connection_get_state (self->websocket) == SOUP_WEBSOCKET_STATE_OPEN;
}

static void
send_now (FakeConnection *self,
          const char     *text)
{
  if (is_open (self))
    soup_websocket_connection_send_text (self->websocket, text);
}

static gboolean
on_delayed_reply (gpointer data)
{
  PendingReply *pending = data;
  FakeConnection *self = pending->self;

  send_now (self, pending->text);
  if (pending->counts && self->in_flight > 0)
    self->in_flight--;
  for (guint i = 0; i < self->timeouts->len; i++)
    if (g_ptr_array_index (self->timeouts, i) == pending)
      {
        g_ptr_array_remove_index_fast (self->timeouts, i);
        break;
      }
  return G_SOURCE_REMOVE;
}

static void
send_reply (FakeConnection *self,
            JsonNode       *message,
            const char     *method,
            gboolean        counts)
{
  FakeConfig *config = fake_truenas_get_config (self->server);
  /* Plus what the call itself asked for (a failed login, the rate limit). */
  guint delay = fake_config_get_delay_ms (config, method) + self->session.reply_delay_ms;
  g_autofree char *text = json_to_string (message, FALSE);

  if (method != NULL && g_strcmp0 (method, config->faults.malformed_json_method) == 0)
    {
      /* Cut the reply in the middle: valid UTF-8, invalid JSON. */
      gsize cut = strlen (text) / 2;
      while (cut > 0 && (text[cut] & 0xC0) == 0x80)
        cut--;
      text[cut] = '\0';
    }

  if (delay == 0)
    {
      send_now (self, text);
      if (counts && self->in_flight > 0)
        self->in_flight--;
      return;
    }

  {
    PendingReply *pending = g_new0 (PendingReply, 1);
    pending->self = g_object_ref (self);
    pending->text = g_steal_pointer (&text);
    pending->counts = counts;
    g_ptr_array_add (self->timeouts, pending);
    g_timeout_add_full (G_PRIORITY_DEFAULT, delay, on_delayed_reply, pending,
                        (GDestroyNotify) pending_reply_free);
  }
}

static void
apply_reply_faults (FakeConnection *self,
                    JsonNode       *message,
                    const char     *method)
{
  FakeFaults *faults = &fake_truenas_get_config (self->server)->faults;
  JsonObject *object = json_node_get_object (message);

  if (g_strcmp0 (method, faults->wrong_id_method) == 0)
    {
      JsonNode *id = json_object_get_member (object, "id");
      JsonNode *wrong;

      if (JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
        wrong = json_node_init_int (json_node_alloc (), json_node_get_int (id) + 1000);
      else if (JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_STRING)
        {
          g_autofree char *s = g_strconcat (json_node_get_string (id), "-wrong", NULL);
          wrong = json_node_init_string (json_node_alloc (), s);
        }
      else
        wrong = json_node_init_int (json_node_alloc (), 999999);
      json_object_set_member (object, "id", wrong);
    }

  if (g_strcmp0 (method, faults->huge_reply_method) == 0)
    {
      JsonNode *result = json_object_get_member (object, "result");
      g_autofree char *padding = g_malloc (faults->huge_reply_bytes + 1);

      memset (padding, 'x', faults->huge_reply_bytes);
      padding[faults->huge_reply_bytes] = '\0';
      /* Inside the result when it is an object (a client must parse all of it). */
      if (result != NULL && JSON_NODE_HOLDS_OBJECT (result))
        json_object_set_string_member (json_node_get_object (result), "padding", padding);
      else
        json_object_set_string_member (object, "padding", padding);
    }
}

static void
drop (FakeConnection *self)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (self->websocket);

  g_message ("%s: dropping the connection after %u frames", self->ops->name, self->frames - 1);
  /* No close frame: the peer sees the transport vanish. */
  g_io_stream_close (stream, NULL, NULL);
}

static void
handle_call (FakeConnection *self,
             FakeFrame      *frame)
{
  FakeConfig *config = fake_truenas_get_config (self->server);
  g_autoptr(FakeError) error = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autoptr(JsonNode) message = NULL;

  if (self->in_flight >= MAX_CALLS_IN_FLIGHT)
    {
      g_autoptr(FakeError) too_many = fake_error_new_too_many (MAX_CALLS_IN_FLIGHT);
      g_autoptr(JsonNode) reply = self->ops->error (frame->id, too_many);
      g_message ("%s: %s refused, another call is in flight", self->ops->name, frame->method);
      send_reply (self, reply, NULL, FALSE);
      return;
    }

  self->in_flight++;
  self->session.reply_delay_ms = 0;
  g_debug ("%s: call %s", self->ops->name, frame->method);  /* never the params: they hold secrets */
  result = fake_truenas_call_method (self->server, &self->session, frame->method, frame->params, &error);
  message = result != NULL ? self->ops->result (frame->id, result) : self->ops->error (frame->id, error);
  fake_truenas_write_state (self->server);

  if (g_strcmp0 (frame->method, config->faults.drop_after_method) == 0)
    {
      /* Done on the server, the answer lost: once per server, so a client
       * that connects again to take it back gets through. */
      g_message ("%s: dropping the connection after running %s", self->ops->name, frame->method);
      g_clear_pointer (&config->faults.drop_after_method, g_free);
      drop (self);
      return;
    }
  if (g_strcmp0 (frame->method, config->faults.silent_method) == 0)
    {
      g_message ("%s: not answering %s", self->ops->name, frame->method);
      return;  /* stays in flight for ever */
    }
  apply_reply_faults (self, message, frame->method);
  send_reply (self, message, frame->method, TRUE);
}

static void
on_message (SoupWebsocketConnection *websocket,
            SoupWebsocketDataType    type,
            GBytes                  *bytes,
            FakeConnection          *self)
{
  FakeConfig *config = fake_truenas_get_config (self->server);
  g_auto(FakeFrame) frame = { 0 };
  g_autofree char *text = NULL;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  self->frames++;
  if (config->faults.drop_after_frames > 0 && self->frames > config->faults.drop_after_frames)
    {
      drop (self);
      return;
    }
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    {
      soup_websocket_connection_close (websocket, 1003, "Invalid websocket message type");
      return;
    }
  if (self->session.admin == NULL && length > UNAUTHENTICATED_MAX)
    {
      g_message ("%s: unauthenticated frame of %" G_GSIZE_FORMAT " bytes, closing", self->ops->name, length);
      soup_websocket_connection_close (websocket, 1007, "Anonymous connection max message length is 8 kB");
      return;
    }
  if (length > AUTHENTICATED_MAX)
    {
      soup_websocket_connection_close (websocket, 1009, "Max message length is 64 kB");
      return;
    }

  text = g_strndup (data, length);
  self->ops->parse (&self->session, text, &frame);
  switch (frame.action)
    {
    case FAKE_FRAME_REPLY:
      send_reply (self, frame.reply, NULL, FALSE);
      break;
    case FAKE_FRAME_CLOSE:
      soup_websocket_connection_close (websocket, frame.close_code, frame.close_reason);
      break;
    case FAKE_FRAME_CALL:
      handle_call (self, &frame);
      break;
    case FAKE_FRAME_IGNORE:
    default:
      break;
    }
}

static void
finish (FakeConnection *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  g_signal_emit (self, signals[FINISHED], 0);
}

static void
on_closed (SoupWebsocketConnection *websocket,
           FakeConnection          *self)
{
  g_debug ("%s: closed (code %u)", self->ops->name, soup_websocket_connection_get_close_code (websocket));
  finish (self);
}

static void
on_error (SoupWebsocketConnection *websocket,
          GError                  *error,
          FakeConnection          *self)
{
  g_debug ("%s: %s", self->ops->name, error->message);
}

static void
cancel_pending (FakeConnection *self)
{
  /* Removing the source frees the PendingReply (and its ref on self). */
  while (self->timeouts->len > 0)
    {
      PendingReply *pending = g_ptr_array_steal_index_fast (self->timeouts, 0);
      GSource *source = g_main_context_find_source_by_user_data (NULL, pending);
      if (source != NULL)
        g_source_destroy (source);
    }
}

static void
fake_connection_dispose (GObject *object)
{
  FakeConnection *self = FAKE_CONNECTION (object);

  if (self->websocket != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->websocket, self);
      g_clear_object (&self->websocket);
    }
  G_OBJECT_CLASS (fake_connection_parent_class)->dispose (object);
}

static void
fake_connection_finalize (GObject *object)
{
  FakeConnection *self = FAKE_CONNECTION (object);

  g_ptr_array_unref (self->timeouts);
  g_free (self->session.session_id);
  g_free (self->session.remote_addr);
  G_OBJECT_CLASS (fake_connection_parent_class)->finalize (object);
}

static void
fake_connection_class_init (FakeConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = fake_connection_dispose;
  object_class->finalize = fake_connection_finalize;

  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
fake_connection_init (FakeConnection *self)
{
  self->timeouts = g_ptr_array_new ();
  self->session.session_id = g_uuid_string_random ();
}

FakeConnection *
fake_connection_new (FakeTruenas             *server,
                     SoupWebsocketConnection *websocket,
                     const FakeProtocolOps   *ops)
{
  FakeConnection *self = g_object_new (FAKE_TYPE_CONNECTION, NULL);

  self->server = server;
  self->websocket = g_object_ref (websocket);
  self->ops = ops;
  self->session.legacy = ops == &fake_legacy_ops;

  /* Our own size checks (above) must see big frames before libsoup's limit does. */
  soup_websocket_connection_set_max_incoming_payload_size (websocket, 4 * 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (websocket, 0);
  g_signal_connect (websocket, "message", G_CALLBACK (on_message), self);
  g_signal_connect (websocket, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (websocket, "error", G_CALLBACK (on_error), self);
  return self;
}

FakeSession *
fake_connection_get_session (FakeConnection *self)
{
  return &self->session;
}

void
fake_connection_close (FakeConnection *self)
{
  cancel_pending (self);
  if (is_open (self))
    soup_websocket_connection_close (self->websocket, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  finish (self);
}
