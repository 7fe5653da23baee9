/* kf-keyring.h: private keys in the Secret Service (libsecret).
 *
 * One item per key pair, schema "io.github.keyferry.Keyferry.PrivateKey" with
 * the attribute "keypair-id", label "Keyferry: <name> private key", in the
 * default collection. A locked collection is unlocked through the service's own
 * prompt; if the user declines: KF_KEYRING_ERROR_LOCKED. No service on the bus:
 * KF_KEYRING_ERROR_NO_SERVICE. Messages are one plain sentence; cancellation
 * stays G_IO_ERROR_CANCELLED.
 *
 * Items written through KfVault also carry the attribute "store" (the path of
 * the store file they belong to); lookups and deletes by id ignore it.
 *
 * A locked item is never mistaken for a missing one: every call lists locked
 * items too and asks the service to unlock them (its own prompt); a prompt
 * that is declined or cannot be shown (no prompter, e.g. headless) is
 * KF_KEYRING_ERROR_LOCKED.
 *
 * Private keys come back in a non-pageable buffer (SecretValue); wipe and free
 * them with kf_secret_free().
 *
 * Every function that talks to the service counts one call
 * (kf_keyring_get_call_count); nothing here runs at start-up by itself.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-secret.h"

G_BEGIN_DECLS

void        kf_keyring_store_async           (const char          *keypair_id,
                                              const char          *keypair_name,
                                              const char          *private_key,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    kf_keyring_store_finish          (GAsyncResult        *result,
                                              GError             **error);
/* Returns the private key text (kf_secret_free it), or NULL with
 * KF_KEYRING_ERROR_NOT_FOUND when there is no item. */
void        kf_keyring_lookup_async          (const char          *keypair_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
char       *kf_keyring_lookup_finish         (GAsyncResult        *result,
                                              GError             **error);
/* Deleting an item that does not exist is not an error. */
void        kf_keyring_delete_async          (const char          *keypair_id,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    kf_keyring_delete_finish         (GAsyncResult        *result,
                                              GError             **error);
/* The asynchronous twins of the *_sync calls below; each runs that call in
 * a worker thread. kf_keyring_delete_full_async ends with
 * kf_keyring_delete_finish, kf_keyring_store_full_async with
 * kf_keyring_store_finish. */
void        kf_keyring_delete_full_async     (const char          *keypair_id,
                                              const char          *store_path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
void        kf_keyring_relabel_async         (const char          *keypair_id,
                                              const char          *keypair_name,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    kf_keyring_relabel_finish        (GAsyncResult        *result,
                                              GError             **error);
/* Finishes with a GPtrArray of KfKeyringEntry. */
void        kf_keyring_list_entries_async    (const char          *store_path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
GPtrArray  *kf_keyring_list_entries_finish   (GAsyncResult        *result,
                                              GError             **error);
void        kf_keyring_ensure_unlocked_async (GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    kf_keyring_ensure_unlocked_finish (GAsyncResult       *result,
                                              GError             **error);

/* Blocking twins, for worker threads, the CLI and tests. Never on the GUI's main thread. */
gboolean    kf_keyring_store_sync            (const char          *keypair_id,
                                              const char          *keypair_name,
                                              const char          *private_key,
                                              GCancellable        *cancellable,
                                              GError             **error);
char       *kf_keyring_lookup_sync           (const char          *keypair_id,
                                              GCancellable        *cancellable,
                                              GError             **error);
gboolean    kf_keyring_delete_sync           (const char          *keypair_id,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* The keypair-ids of every Keyferry item (attributes only, no secrets read). */
GStrv       kf_keyring_list_ids_sync         (GCancellable        *cancellable,
                                              GError             **error);

/* Like kf_keyring_store_*, but also tags the item with the store file it
 * belongs to (attribute "store" = @store_path), so that KfVault's reconcile
 * only ever considers items of its own store (a second store, e.g. a test or a
 * development build, shares the same keyring). @store_path may be NULL. */
void        kf_keyring_store_full_async      (const char          *keypair_id,
                                              const char          *keypair_name,
                                              const char          *private_key,
                                              const char          *store_path,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean    kf_keyring_store_full_sync       (const char          *keypair_id,
                                              const char          *keypair_name,
                                              const char          *private_key,
                                              const char          *store_path,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* One Keyferry item as listing sees it (no secret). */
typedef struct {
  char   *keypair_id;
  char   *store_path;   /* NULL when the item carries no "store" attribute */
  gint64  created;      /* seconds since the epoch, as the service reports it */
} KfKeyringEntry;

void        kf_keyring_entry_free            (KfKeyringEntry      *entry);
/* The Keyferry items tagged with @store_path (every Keyferry item when NULL),
 * as a GPtrArray of KfKeyringEntry. Locked items are unlocked first (through
 * the service's prompt) because only an unlocked item's attributes are to be
 * trusted; if that is declined: KF_KEYRING_ERROR_LOCKED. */
GPtrArray  *kf_keyring_list_entries_sync     (const char          *store_path,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Deletes the items of @keypair_id tagged with @store_path (any item of that
 * id when NULL). Missing items are not an error. */
gboolean    kf_keyring_delete_full_sync      (const char          *keypair_id,
                                              const char          *store_path,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Gives the items of @keypair_id the label of @keypair_name (after a rename).
 * No item is not an error. */
gboolean    kf_keyring_relabel_sync          (const char          *keypair_id,
                                              const char          *keypair_name,
                                              GCancellable        *cancellable,
                                              GError             **error);
/* Makes sure the default collection can be written: unlocks it through the
 * service's prompt if needed (KF_KEYRING_ERROR_LOCKED if declined). */
gboolean    kf_keyring_ensure_unlocked_sync  (GCancellable        *cancellable,
                                              GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfKeyringEntry, kf_keyring_entry_free)

/* Counts calls to the Secret Service made by this process (for the start-up test). */
guint       kf_keyring_get_call_count        (void);

G_END_DECLS
