/* fake-truenas-auth.h: what middlewared does around logging in: where a
 * connection comes from (utils/origin.py), API keys (plugins/auth_/
 * login_ex_impl.py), the rate limit on unauthenticated calls
 * (utils/rate_limit/cache.py, main.py) and the delay of a failed login.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "fake-truenas-methods.h"

G_BEGIN_DECLS

typedef enum {
  LOGIN_SUCCESS,
  LOGIN_OTP_REQUIRED,
  LOGIN_AUTH_ERR,
  LOGIN_EXPIRED,
  LOGIN_DENIED,
} FakeLoginResult;

/* Fills @session's remote address and secure_transport from the WebSocket
 * request @msg, as middlewared's ConnectionOrigin does behind nginx. */
void            fake_auth_read_origin     (FakeSession       *session,
                                           SoupServerMessage *msg);
/* Counts an unauthenticated call of @method (a method that needs no login);
 * beyond the limit returns [EBUSY] Rate Limit Exceeded (and delays the
 * answer), else NULL. core.set_options is exempt, as in middlewared. */
FakeError      *fake_auth_rate_limit      (FakeTruenas       *server,
                                           FakeSession       *session,
                                           const char        *method);
/* API_KEY_PLAIN for @username ("<id>-<key>"); NULL @username: the key's own
 * admin (auth.login_with_api_key). A key that works over an insecure
 * transport is revoked and answers EXPIRED. */
FakeLoginResult fake_auth_check_api_key   (FakeTruenas       *server,
                                           FakeSession       *session,
                                           const char        *username,
                                           const char        *api_key,
                                           FakeAdmin        **out_admin);
/* After a login method returned @result: a failed login is answered late
 * (the failed-login delay). */
void            fake_auth_after_login     (FakeTruenas       *server,
                                           FakeSession       *session,
                                           const char        *method,
                                           JsonNode          *result);

G_END_DECLS
