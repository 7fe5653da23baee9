/* fake-truenas-http.h: plain HTTP(S) requests (not WebSocket).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* @user_data is the FakeTruenas. GET /api/versions, everything else 404. */
void fake_truenas_http_handle   (SoupServer        *soup_server,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           user_data);
/* Every request (WebSocket upgrades too) gets a redirect to the HTTPS port. */
void fake_truenas_http_redirect (SoupServer        *soup_server,
                                 SoupServerMessage *msg,
                                 const char        *path,
                                 GHashTable        *query,
                                 gpointer           user_data);

G_END_DECLS
