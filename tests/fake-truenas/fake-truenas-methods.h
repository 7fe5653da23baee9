/* fake-truenas-methods.h: the middleware methods the fake implements, shared
 * by both wire protocols.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "fake-truenas.h"
#include "fake-truenas-error.h"

G_BEGIN_DECLS

/* What one WebSocket connection has established so far. */
typedef struct {
  gboolean   legacy;           /* /websocket rather than JSON-RPC */
  gboolean   handshake;        /* legacy: "connect" answered with "connected" */
  char      *session_id;
  FakeAdmin *admin;            /* NULL: not authenticated */
  gboolean   private_methods;  /* core.set_options {"private_methods": true} */
  FakeAdmin *otp_pending;      /* password accepted, waiting for the OTP */
  guint      otp_failures;
  char      *remote_addr;      /* the client, as nginx reports it */
  gboolean   secure_transport; /* TLS or loopback (utils/origin.py) */
  guint      reply_delay_ms;   /* answer the current call this much later */
} FakeSession;

/* Runs @method; returns its result (a new node, maybe JSON null) or NULL
 * with @error set. @params may be NULL (no params member). */
JsonNode *fake_truenas_call_method (FakeTruenas  *server,
                                    FakeSession  *session,
                                    const char   *method,
                                    JsonArray    *params,
                                    FakeError   **error);

G_END_DECLS
