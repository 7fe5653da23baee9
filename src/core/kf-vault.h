/* kf-vault.h: the operations that touch both the store and the keyring.
 *
 * The store (KfStore, a JSON file) and the keyring (KfKeyring, the Secret
 * Service) cannot be written in one transaction, so the writes are ordered
 * such that a crash at any moment leaves at worst a secret nobody owns,
 * which reconcile removes later:
 *
 * - add:    the secret first, then the store. If the store write fails, the
 *           secret is deleted again. A public-only key pair touches the store only.
 * - delete: the store first, then the secret.
 *
 * Hence a key pair whose has-private-key is TRUE always has its secret,
 * unless something outside Keyferry deleted it; reconcile reports those.
 *
 * Reconcile:
 * - Lists the Keyferry items of the keyring (attributes only, no secret read),
 *   deletes those tagged with this store's path whose key pair is not in the
 *   store and that are older than a grace period, and returns the key pairs
 *   that claim a private key but have no secret (reported, never changed).
 * - The grace period (KF_VAULT_RECONCILE_GRACE_SECONDS by default) protects a
 *   second process (the CLI) that has written a secret and is about to write
 *   the store. Secrets this KfVault wrote itself are never deleted by it.
 * - It is NOT run at start-up: start-up makes no Secret Service call (the
 *   keyring may be locked, and unlocking it means a prompt). Instead every
 *   KfVault runs it once, lazily, right before its first keyring write (add
 *   or delete of a key pair with a private key); failures of that pass are
 *   logged and do not stop the write, unless the write would fail the same
 *   way (locked keyring, no service: the write ends there, without asking
 *   the user to unlock twice). The UI/CLI may run it explicitly (for
 *   instance to show the key pairs whose secret is missing).
 *
 * Threads: each operation is a chain of steps on the thread-default main
 * context of the caller of the *_async function: the store steps run there
 * (never inside the *_async call itself), the keyring calls in worker threads
 * (kf_keyring_*_async), each callback taking the next step. The *_sync twins
 * (CLI, tests) take the same steps in a row on the calling thread;
 * kf_vault_get_private_key_sync does not touch the store and may be called
 * from any thread.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-keypair.h"
#include "kf-store.h"

G_BEGIN_DECLS

#define KF_VAULT_RECONCILE_GRACE_SECONDS (10 * 60)

#define KF_TYPE_VAULT (kf_vault_get_type ())

G_DECLARE_FINAL_TYPE (KfVault, kf_vault, KF, VAULT, GObject)

KfVault    *kf_vault_new                    (KfStore              *store);
KfStore    *kf_vault_get_store              (KfVault              *self);

/* Adds @keypair (public fields filled in) to the store, with @private_key
 * (OpenSSH/PEM text) in the keyring, or public-only when @private_key is NULL.
 * Sets @keypair's has-private-key accordingly. Errors: KF_STORE_ERROR_* (the
 * secret is then deleted again), KF_KEYRING_ERROR_* (nothing was saved). */
void        kf_vault_add_keypair_async      (KfVault              *self,
                                             KfKeypair            *keypair,
                                             const char           *private_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    kf_vault_add_keypair_finish     (KfVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
gboolean    kf_vault_add_keypair_sync       (KfVault              *self,
                                             KfKeypair            *keypair,
                                             const char           *private_key,
                                             GCancellable         *cancellable,
                                             GError              **error);

/* Removes the key pair (and, with @with_connections, the connections using
 * it; otherwise KF_STORE_ERROR_IN_USE when there are any) from the store, then
 * its secret from the keyring. A locked keyring is unlocked (or refused:
 * KF_KEYRING_ERROR_LOCKED) before the store is touched. */
void        kf_vault_delete_keypair_async   (KfVault              *self,
                                             const char           *keypair_id,
                                             gboolean              with_connections,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    kf_vault_delete_keypair_finish  (KfVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
gboolean    kf_vault_delete_keypair_sync    (KfVault              *self,
                                             const char           *keypair_id,
                                             gboolean              with_connections,
                                             GCancellable         *cancellable,
                                             GError              **error);

/* Saves @keypair's edited fields (e.g. a new name) in the store. Its
 * has-private-key is not the caller's to change and is kept as stored. After
 * a rename of a key pair with a private key, the keyring item's label follows;
 * a label that cannot be changed (e.g. a declined unlock) is only logged,
 * since the label is cosmetic. Errors: KF_STORE_ERROR_*. */
void        kf_vault_update_keypair_async   (KfVault              *self,
                                             KfKeypair            *keypair,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean    kf_vault_update_keypair_finish  (KfVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
gboolean    kf_vault_update_keypair_sync    (KfVault              *self,
                                             KfKeypair            *keypair,
                                             GCancellable         *cancellable,
                                             GError              **error);

/* See "Reconcile" above. Returns the key pairs (a new array of KfKeypair
 * refs, possibly empty) whose secret is missing; @n_removed (optional) gets
 * the number of unowned secrets deleted. */
void        kf_vault_reconcile_async        (KfVault              *self,
                                             guint                 grace_seconds,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
GPtrArray  *kf_vault_reconcile_finish       (KfVault              *self,
                                             GAsyncResult         *result,
                                             guint                *n_removed,
                                             GError              **error);
GPtrArray  *kf_vault_reconcile_sync         (KfVault              *self,
                                             guint                 grace_seconds,
                                             guint                *n_removed,
                                             GCancellable         *cancellable,
                                             GError              **error);

/* The private key of @keypair (free it with kf_secret_free).
 * KF_KEY_ERROR_NO_PRIVATE_KEY for a public-only key pair,
 * KF_KEYRING_ERROR_NOT_FOUND when its secret is missing from the keyring. */
void        kf_vault_get_private_key_async  (KfVault              *self,
                                             KfKeypair            *keypair,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
char       *kf_vault_get_private_key_finish (KfVault              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
char       *kf_vault_get_private_key_sync   (KfVault              *self,
                                             KfKeypair            *keypair,
                                             GCancellable         *cancellable,
                                             GError              **error);

G_END_DECLS
