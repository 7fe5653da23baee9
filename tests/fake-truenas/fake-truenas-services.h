/* fake-truenas-services.h: ssh.config, service.query / service.update /
 * service.control (a job) and core.get_jobs, as middlewared answers them
 * (plugins/ssh.py, plugins/service/__init__.py, api/v26_0_0/{ssh,service,core}.py,
 * api/base/server/method.py for legacy_jobs).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "fake-truenas-methods.h"

G_BEGIN_DECLS

JsonNode *fake_method_ssh_config      (FakeTruenas  *server,
                                       FakeSession  *session,
                                       JsonArray    *params,
                                       FakeError   **error);
JsonNode *fake_method_service_query   (FakeTruenas  *server,
                                       FakeSession  *session,
                                       JsonArray    *params,
                                       FakeError   **error);
JsonNode *fake_method_service_update  (FakeTruenas  *server,
                                       FakeSession  *session,
                                       JsonArray    *params,
                                       FakeError   **error);
JsonNode *fake_method_service_control (FakeTruenas  *server,
                                       FakeSession  *session,
                                       JsonArray    *params,
                                       FakeError   **error);
JsonNode *fake_method_core_get_jobs   (FakeTruenas  *server,
                                       FakeSession  *session,
                                       JsonArray    *params,
                                       FakeError   **error);

G_END_DECLS
