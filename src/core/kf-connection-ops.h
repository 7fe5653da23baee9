/* kf-connection-ops.h: what the GUI and the CLI do with a connection, in one
 * place: test it, save a new manual one (with an existing key pair or a freshly
 * generated one), save changes to one, delete it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-enums.h"
#include "kf-test-result.h"
#include "kf-vault.h"

G_BEGIN_DECLS

/* Tests @connection: its key pair's private key comes from the keyring, then
 * kf_ssh_probe_test_async logs in (host key checked against the stored ones,
 * no password ever). The outcome is recorded on the stored connection (last
 * test state, message, time; host-key-verified when the host key matched).
 * _finish returns the result (ok or not) or NULL with an error when the test
 * could not start (no key pair, public key only, keyring locked or missing
 * the secret) or was cancelled. */
void          kf_connection_ops_test_async          (KfVault              *vault,
                                                     KfConnection         *connection,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
KfTestResult *kf_connection_ops_test_finish         (GAsyncResult         *result,
                                                     GError              **error);
/* As kf_connection_ops_test_async, but the outcome is only returned, not
 * recorded: Check All records many at once (kf_store_record_test). Ends with
 * kf_connection_ops_test_finish. */
void          kf_connection_ops_check_async         (KfVault              *vault,
                                                     KfConnection         *connection,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer             user_data);

/* Saves a new connection (already validated fields, host keys set).
 * With @generate_key, a new key pair of @key_type named "<connection name> Key"
 * (a free variant of that name) is generated and saved first, and removed
 * again if saving the connection fails; otherwise the connection's keypair-id
 * must name a key pair with a private key. Returns the stored connection. */
void          kf_connection_ops_add_async           (KfVault              *vault,
                                                     KfConnection         *connection,
                                                     gboolean              generate_key,
                                                     KfKeyType             key_type,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
KfConnection *kf_connection_ops_add_finish          (GAsyncResult         *result,
                                                     GError              **error);

/* Saves the changed fields of a stored connection (a modified copy of it,
 * fields validated). Changing where or how it logs in makes the last test
 * result stale: the connection is saved untested. The store's rules apply
 * (KF_STORE_ERROR_NAME_TAKEN, KF_STORE_ERROR_NOT_FOUND, ...). Returns the
 * stored connection. */
void          kf_connection_ops_update_async        (KfVault              *vault,
                                                     KfConnection         *connection,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
KfConnection *kf_connection_ops_update_finish       (GAsyncResult         *result,
                                                     GError              **error);

/* The name "<connection name> Key", or "<connection name> Key 2", … when taken. */
char         *kf_connection_ops_new_keypair_name    (KfStore              *store,
                                                     const char           *connection_name);

/* Deletes the connection; with @with_keypair also its key pair (and its
 * secret) when no other connection uses it. */
void          kf_connection_ops_delete_async        (KfVault              *vault,
                                                     KfConnection         *connection,
                                                     gboolean              with_keypair,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
gboolean      kf_connection_ops_delete_finish       (GAsyncResult         *result,
                                                     GError              **error);

/* The key pair only @connection uses, or NULL (offer to delete it too). */
KfKeypair    *kf_connection_ops_get_exclusive_keypair (KfStore            *store,
                                                     KfConnection         *connection);

/* "ssh -p 2222 -i ~/.ssh/NAME user@host" for Copy SSH Command: -p only when
 * not 22, -i when the connection's key pair is known (@store may be NULL),
 * shell quoting only where a shell would split or expand. */
char         *kf_connection_ops_ssh_command         (KfStore              *store,
                                                     KfConnection         *connection);

G_END_DECLS
