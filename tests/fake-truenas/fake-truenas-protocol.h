/* fake-truenas-protocol.h: what a wire protocol (JSON-RPC 2.0 on /api/…, or
 * the legacy DDP-like one on /websocket) must provide to a connection.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fake-truenas-error.h"
#include "fake-truenas-methods.h"

G_BEGIN_DECLS

typedef enum {
  FAKE_FRAME_IGNORE,  /* nothing to do */
  FAKE_FRAME_REPLY,   /* send @reply now */
  FAKE_FRAME_CALL,    /* run @method with @params, answer with @id */
  FAKE_FRAME_CLOSE,   /* close the socket with @close_code / @close_reason */
} FakeFrameAction;

typedef struct {
  FakeFrameAction  action;
  JsonNode        *id;
  char            *method;
  JsonArray       *params;
  JsonNode        *reply;
  gushort          close_code;
  char            *close_reason;
} FakeFrame;

typedef struct {
  const char *name;
  void      (*parse)  (FakeSession     *session,
                       const char      *text,
                       FakeFrame       *frame);
  JsonNode *(*result) (JsonNode        *id,
                       JsonNode        *result);
  JsonNode *(*error)  (JsonNode        *id,
                       const FakeError *error);
} FakeProtocolOps;

extern const FakeProtocolOps fake_jsonrpc_ops;
extern const FakeProtocolOps fake_legacy_ops;

void fake_frame_clear (FakeFrame *frame);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FakeFrame, fake_frame_clear)

G_END_DECLS
