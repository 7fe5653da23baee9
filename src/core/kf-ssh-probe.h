/* kf-ssh-probe.h: talking to an SSH server with libssh: discovering its host
 * keys, and testing a connection (host key, key pair login, a command).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-errors.h"
#include "kf-host-key.h"
#include "kf-test-result.h"

G_BEGIN_DECLS

/* What the Test runs once logged in; it must print KF_SSH_PROBE_TEST_OUTPUT. */
#define KF_SSH_PROBE_TEST_COMMAND "echo keyferry-ok"
#define KF_SSH_PROBE_TEST_OUTPUT  "keyferry-ok"

/* Where TrueNAS keeps its version: the middleware's sw_info() reads the
 * "version" member of this JSON file (src/middlewared/middlewared/utils/
 * __init__.py, MANIFEST_FILE = '/data/manifest.json'); system.version_short
 * returns it. The Test of a TrueNAS connection reads it over its session. */
#define KF_SSH_PROBE_VERSION_FILE    "/data/manifest.json"
#define KF_SSH_PROBE_VERSION_COMMAND "cat " KF_SSH_PROBE_VERSION_FILE

/* Every probe runs in a worker thread, never reads ~/.ssh (config,
 * known_hosts, keys) or an agent, and finishes within @timeout_s seconds
 * (Connect Timeout) whatever the server does: the deadline covers resolving,
 * TCP, the SSH handshake, the login and the command together. Cancelling
 * ends it at once with G_IO_ERROR_CANCELLED. */

/* Like ssh-keyscan: one handshake per host key type (RSA, ECDSA P-256/384/521,
 * Ed25519), run side by side; returns a GPtrArray of KfHostKey (RSA first,
 * Ed25519 last) of the types the server has. Errors: KF_SSH_ERROR_RESOLVE,
 * _REFUSED, _TIMEOUT, _PROTOCOL (no SSH server, or none of the types). */
void          kf_ssh_probe_discover_async  (const char           *host,
                                            guint                 port,
                                            guint                 timeout_s,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
GPtrArray    *kf_ssh_probe_discover_finish (GAsyncResult         *result,
                                            GError              **error);
/* Blocking twin, for worker threads and the CLI. */
GPtrArray    *kf_ssh_probe_discover_sync   (const char           *host,
                                            guint                 port,
                                            guint                 timeout_s,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* Tests @connection (host, port, username, stored host keys and Connect
 * Timeout are read now, on the calling thread): connects, accepts the server
 * only if it presents one of the stored host keys (else
 * KF_SSH_ERROR_HOST_KEY_MISMATCH, or KF_SSH_ERROR_NO_HOST_KEYS when none is
 * stored), logs in with @private_key ONLY (OpenSSH or PEM text, unencrypted;
 * copied and wiped, never logged; @keypair_name is for messages), and runs
 * KF_SSH_PROBE_TEST_COMMAND; for a connection with a TrueNAS URL it then reads
 * KF_SSH_PROBE_VERSION_FILE over the same session (kf_test_result_get_truenas_version).
 *
 * The result is always a KfTestResult, a failed test included (see
 * kf_test_result_get_ok() and _get_error()); _finish returns NULL with an error
 * only when cancelled. */
void          kf_ssh_probe_test_async      (KfConnection         *connection,
                                            const char           *keypair_name,
                                            const char           *private_key,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
KfTestResult *kf_ssh_probe_test_finish     (GAsyncResult         *result,
                                            GError              **error);
/* Blocking twin, for worker threads and the CLI (same rules as above). */
KfTestResult *kf_ssh_probe_test_sync       (KfConnection         *connection,
                                            const char           *keypair_name,
                                            const char           *private_key,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* "host:port", with brackets around an IPv6 literal ("[fd00::1]:22"). */
char         *kf_ssh_probe_format_address  (const char           *host,
                                            guint                 port);

G_END_DECLS
