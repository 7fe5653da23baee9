/* fake-truenas-connection.h: one client WebSocket and its session.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "fake-truenas.h"
#include "fake-truenas-protocol.h"

G_BEGIN_DECLS

#define FAKE_TYPE_CONNECTION (fake_connection_get_type ())
G_DECLARE_FINAL_TYPE (FakeConnection, fake_connection, FAKE, CONNECTION, GObject)

/* Emits "finished" once the socket is closed. */
FakeConnection *fake_connection_new   (FakeTruenas             *server,
                                       SoupWebsocketConnection *websocket,
                                       const FakeProtocolOps   *ops);
void            fake_connection_close (FakeConnection          *self);
FakeSession    *fake_connection_get_session (FakeConnection    *self);

G_END_DECLS
