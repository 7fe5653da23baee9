/* kf-truenas-public-methods.h: the public, versioned methods that pair
 * without keychaincredential.ssh_pair (truenas-api.md, "Pairing without
 * ssh_pair"), and that take a pairing back.
 *
 * Errors are KF_TRUENAS_ERROR (or G_IO_ERROR_CANCELLED) with one sentence.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-truenas-client.h"
#include "kf-truenas-remote-user.h"

G_BEGIN_DECLS

/* user.query for the local user @username. */
void                 kf_truenas_client_query_user_async   (KfTruenasClient     *self,
                                                           const char          *username,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
KfTruenasRemoteUser *kf_truenas_client_query_user_finish  (KfTruenasClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* user.update [@user's id, @changes] (not taken; see
 * kf_truenas_remote_user_changes_new and the "sshpubkey" member). */
void                 kf_truenas_client_change_user_async  (KfTruenasClient           *self,
                                                           const KfTruenasRemoteUser *user,
                                                           JsonObject                *changes,
                                                           GCancellable              *cancellable,
                                                           GAsyncReadyCallback        callback,
                                                           gpointer                   user_data);
gboolean             kf_truenas_client_change_user_finish (KfTruenasClient     *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);

/* ssh.config: the SSH port and the host public keys as OpenSSH key lines. */
void                 kf_truenas_client_ssh_config_async   (KfTruenasClient     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             kf_truenas_client_ssh_config_finish  (KfTruenasClient     *self,
                                                           GAsyncResult        *result,
                                                           guint               *port,
                                                           GStrv               *host_keys,
                                                           GError             **error);

/* service.query for "ssh": enabled at boot, and running now. */
void                 kf_truenas_client_ssh_service_async  (KfTruenasClient     *self,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
gboolean             kf_truenas_client_ssh_service_finish (KfTruenasClient     *self,
                                                           GAsyncResult        *result,
                                                           gboolean            *enabled,
                                                           gboolean            *running,
                                                           GError             **error);

/* The SSH service as ssh_pair sets it (and back): @enable 1 or 0 sends
 * service.update ["ssh", {"enable": …}], -1 leaves it; @verb "START" or
 * "STOP" sends service.control [@verb, "ssh"], a job whose id (legacy_jobs)
 * is followed through core.get_jobs until it ends; NULL sends none. */
void                 kf_truenas_client_set_ssh_service_async  (KfTruenasClient     *self,
                                                               int                  enable,
                                                               const char          *verb,
                                                               GCancellable        *cancellable,
                                                               GAsyncReadyCallback  callback,
                                                               gpointer             user_data);
gboolean             kf_truenas_client_set_ssh_service_finish (KfTruenasClient     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);

G_END_DECLS
