/* kf-test-agent.h: a real OpenSSH ssh-agent for tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Starts ssh-agent listening at @socket_path (waits until the socket is
 * there), with the environment variables @env ("NAME=value", NULL-terminated;
 * may be NULL) added: ssh-agent runs SSH_ASKPASS itself. The agent ends at
 * most 10 s after kf_test_agent_stop(), or after the test process dies. */
GSubprocess *kf_test_agent_start (const char          *socket_path,
                                  const char * const  *env);
void         kf_test_agent_stop  (GSubprocess         *agent);

G_END_DECLS
