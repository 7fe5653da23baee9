/* kf-vault.c
 *
 * Each operation is a chain of steps on the main context of the thread that
 * called its *_async function: the store steps run right there (store changes
 * notify list models the UI is bound to), each keyring call is one
 * kf_keyring_*_async call (a worker thread), and its callback takes the next
 * step. The *_sync twins (CLI, tests) take the same steps in a row on the
 * calling thread, with the keyring's *_sync calls.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-vault"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-vault.h"

/* Everything here runs on the store's thread (the store is used from one
 * thread, see kf-store.h), so the fields need no lock. */
struct _KfVault {
  GObject     parent_instance;

  KfStore    *store;
  char       *store_path;
  gboolean    reconciled;   /* the lazy reconcile has run */
  GHashTable *written;      /* ids whose secret this vault wrote: never "unowned" to it */
};

G_DEFINE_FINAL_TYPE (KfVault, kf_vault, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
remember_written (KfVault    *self,
                  const char *id)
{
  g_hash_table_add (self->written, g_strdup (id));
}

static void
forget_written (KfVault    *self,
                const char *id)
{
  g_hash_table_remove (self->written, id);
}

/* ---- the state of one operation on a key pair ---- */

typedef struct {
  KfKeypair *keypair;           /* add, update: the caller's object */
  char      *id;
  char      *name;
  char      *private_key;       /* add: the secret (wiped when freed), or NULL */
  gboolean   with_connections;  /* delete */
  gboolean   has_private_key;   /* update, delete: as stored; get: as the caller's object says */
  gboolean   renamed;           /* update */
  GError    *store_error;       /* add: the store's refusal, while the secret is removed again */
} Op;

static void
op_free (Op *op)
{
  g_clear_object (&op->keypair);
  g_free (op->id);
  g_free (op->name);
  kf_secret_free (op->private_key);
  g_clear_error (&op->store_error);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Op, op_free)

/* An Op for @keypair, or for the key pair @id. */
static Op *
op_new (KfKeypair  *keypair,
        const char *id)
{
  Op *op = g_new0 (Op, 1);

  if (keypair != NULL)
    {
      op->keypair = g_object_ref (keypair);
      op->id = g_strdup (kf_keypair_get_id (keypair));
      op->name = g_strdup (kf_keypair_get_name (keypair));
      op->has_private_key = kf_keypair_get_has_private_key (keypair);
    }
  else
    op->id = g_strdup (id);
  return op;
}

/* A task on the caller's main context, with an Op for @keypair (or @id). */
static GTask *
op_task_new (KfVault             *self,
             KfKeypair           *keypair,
             const char          *id,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op_new (keypair, id), (GDestroyNotify) op_free);
  return task;
}

static gboolean
check_task (KfVault      *self,
            GAsyncResult *result,
            gpointer      source_tag)
{
  return g_task_is_valid (result, self) && g_task_get_source_tag (G_TASK (result)) == source_tag;
}

/* Runs @step (a GSourceFunc given a GTask) on the task's main context in a
 * later iteration, as the first step of the chain: the store never changes
 * inside a *_async call, whose caller may be in the middle of reading the
 * lists. */
static void
start_chain (GTask       *task,
             GSourceFunc  step)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, step, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[kf-vault] first step");
  g_source_attach (source, g_task_get_context (task));
}

static gboolean
finish_boolean (KfVault       *self,
                GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  g_return_val_if_fail (check_task (self, result, source_tag), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

#define KEYPAIR_GONE _("This key pair no longer exists; it may have been deleted elsewhere.")

/* ---- reconcile ---- */

typedef struct {
  guint       grace_seconds;
  GHashTable *all_ids;       /* the store's key pairs, read before the keyring */
  GPtrArray  *private_ids;   /* those that claim a private key */
  GPtrArray  *entries;       /* KfKeyringEntry: every Keyferry item */
  gint64      now;
  gboolean    keep_all;
  guint       next;          /* the entry to judge next */
  guint       n_removed;
} Reconcile;

static Reconcile *
reconcile_new (guint grace_seconds)
{
  Reconcile *rc = g_new0 (Reconcile, 1);

  rc->grace_seconds = grace_seconds;
  rc->all_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  rc->private_ids = g_ptr_array_new_with_free_func (g_free);
  return rc;
}

static void
reconcile_free (Reconcile *rc)
{
  g_hash_table_unref (rc->all_ids);
  g_ptr_array_unref (rc->private_ids);
  g_clear_pointer (&rc->entries, g_ptr_array_unref);
  g_free (rc);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reconcile, reconcile_free)

static gboolean
snapshot_store (KfVault    *self,
                Reconcile  *rc,
                GError    **error)
{
  GListModel *keypairs;
  guint n;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;

  keypairs = kf_store_get_keypairs (self->store);
  n = g_list_model_get_n_items (keypairs);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (keypairs, i);
      const char *id = kf_keypair_get_id (keypair);

      g_hash_table_add (rc->all_ids, g_strdup (id));
      if (kf_keypair_get_has_private_key (keypair))
        g_ptr_array_add (rc->private_ids, g_strdup (id));
    }
  return TRUE;
}

/* TRUE when a "<store>.damaged-…" file lies beside the store: the key pairs
 * it holds are not in the store any more, yet their secrets are what makes
 * that kept file worth restoring, so reconcile must not delete them. */
static gboolean
store_was_set_aside (const char *store_path)
{
  g_autofree char *dir_path = NULL;
  g_autofree char *prefix = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (store_path == NULL)
    return FALSE;
  dir_path = g_path_get_dirname (store_path);
  prefix = g_strconcat (strrchr (store_path, G_DIR_SEPARATOR) ? strrchr (store_path, G_DIR_SEPARATOR) + 1 : store_path,
                        ".damaged-", NULL);
  if (!(dir = g_dir_open (dir_path, 0, NULL)))
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix))
      return TRUE;
  return FALSE;
}

/* Only our own store's items are ours to judge; of those, the ones whose key
 * pair is not in the store, older than the grace period and not written by
 * this vault. */
static gboolean
is_unowned (KfVault        *self,
            Reconcile      *rc,
            KfKeyringEntry *entry)
{
  return !rc->keep_all &&
         g_strcmp0 (entry->store_path, self->store_path) == 0 &&
         !g_hash_table_contains (rc->all_ids, entry->keypair_id) &&
         entry->created + (gint64) rc->grace_seconds <= rc->now &&
         !g_hash_table_contains (self->written, entry->keypair_id);
}

/* Once the keyring has been listed: what decides which items are unowned. */
static void
reconcile_listed (KfVault   *self,
                  Reconcile *rc,
                  GPtrArray *entries)
{
  rc->entries = entries;
  rc->now = g_get_real_time () / G_USEC_PER_SEC;
  rc->keep_all = store_was_set_aside (self->store_path);
}

/* The ids of the key pairs whose secret is missing; the reconcile is done. */
static GPtrArray *
reconcile_missing (KfVault   *self,
                   Reconcile *rc)
{
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < rc->entries->len; i++)
    g_hash_table_add (present, ((KfKeyringEntry *) g_ptr_array_index (rc->entries, i))->keypair_id);
  for (guint i = 0; i < rc->private_ids->len; i++)
    if (!g_hash_table_contains (present, g_ptr_array_index (rc->private_ids, i)))
      g_ptr_array_add (missing, g_strdup (g_ptr_array_index (rc->private_ids, i)));

  self->reconciled = TRUE;
  return missing;
}

static void on_unowned_deleted (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);

/* Deletes the unowned secrets one after the other, then returns. */
static void
delete_next_unowned (GTask *task)
{
  KfVault *self = g_task_get_source_object (task);
  Reconcile *rc = g_task_get_task_data (task);

  while (rc->next < rc->entries->len)
    {
      KfKeyringEntry *entry = g_ptr_array_index (rc->entries, rc->next++);

      if (!is_unowned (self, rc, entry))
        continue;
      g_debug ("Deleting the unowned secret of key pair %s", entry->keypair_id);
      kf_keyring_delete_full_async (entry->keypair_id, self->store_path, g_task_get_cancellable (task),
                                    on_unowned_deleted, g_object_ref (task));
      return;
    }
  g_task_return_pointer (task, reconcile_missing (self, rc), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_unowned_deleted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Reconcile *rc = g_task_get_task_data (task);
  GError *error = NULL;

  if (!kf_keyring_delete_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  rc->n_removed++;
  delete_next_unowned (task);
}

static void
on_entries_listed (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfVault *self = g_task_get_source_object (task);
  Reconcile *rc = g_task_get_task_data (task);
  GError *error = NULL;
  GPtrArray *entries = kf_keyring_list_entries_finish (result, &error);

  if (entries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  reconcile_listed (self, rc, entries);
  delete_next_unowned (task);
}

/* The store is read BEFORE the keyring is listed: since secrets are written
 * before the store, every key pair in that snapshot had its secret in the
 * keyring by then. */
static gboolean
reconcile_begin (gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!snapshot_store (g_task_get_source_object (task), g_task_get_task_data (task), &error))
    g_task_return_error (task, error);
  else
    /* Every Keyferry item, whatever store it is tagged with: a key pair's
     * secret counts as present even if it was written under another path. */
    kf_keyring_list_entries_async (NULL, g_task_get_cancellable (task), on_entries_listed, g_object_ref (task));
  return G_SOURCE_REMOVE;
}

void
kf_vault_reconcile_async (KfVault             *self,
                          guint                grace_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KF_IS_VAULT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_vault_reconcile_async);
  g_task_set_task_data (task, reconcile_new (grace_seconds), (GDestroyNotify) reconcile_free);
  start_chain (task, reconcile_begin);
}

/* The ids of the key pairs whose secret is missing. */
static GPtrArray *
reconcile_finish_ids (KfVault       *self,
                      GAsyncResult  *result,
                      guint         *n_removed,
                      GError       **error)
{
  GPtrArray *ids;

  g_return_val_if_fail (check_task (self, result, kf_vault_reconcile_async), NULL);

  if (!(ids = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;
  if (n_removed != NULL)
    *n_removed = ((Reconcile *) g_task_get_task_data (G_TASK (result)))->n_removed;
  return ids;
}

/* Turns missing ids into key pairs of the store. */
static GPtrArray *
ids_to_keypairs (KfVault   *self,
                 GPtrArray *ids)
{
  GPtrArray *keypairs = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < ids->len; i++)
    {
      KfKeypair *keypair = kf_store_find_keypair (self->store, g_ptr_array_index (ids, i));

      if (keypair != NULL)
        g_ptr_array_add (keypairs, g_object_ref (keypair));
    }
  return keypairs;
}

GPtrArray *
kf_vault_reconcile_finish (KfVault       *self,
                           GAsyncResult  *result,
                           guint         *n_removed,
                           GError       **error)
{
  g_autoptr(GPtrArray) ids = reconcile_finish_ids (self, result, n_removed, error);

  return ids != NULL ? ids_to_keypairs (self, ids) : NULL;
}

/* The *_sync twin of the chain above. */
static GPtrArray *
reconcile_ids_sync (KfVault       *self,
                    guint          grace_seconds,
                    guint         *n_removed,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(Reconcile) rc = reconcile_new (grace_seconds);
  GPtrArray *entries;

  if (!snapshot_store (self, rc, error) ||
      !(entries = kf_keyring_list_entries_sync (NULL, cancellable, error)))
    return NULL;
  reconcile_listed (self, rc, entries);
  for (guint i = 0; i < entries->len; i++)
    {
      KfKeyringEntry *entry = g_ptr_array_index (entries, i);

      if (!is_unowned (self, rc, entry))
        continue;
      g_debug ("Deleting the unowned secret of key pair %s", entry->keypair_id);
      if (!kf_keyring_delete_full_sync (entry->keypair_id, self->store_path, cancellable, error))
        return NULL;
      rc->n_removed++;
    }
  if (n_removed != NULL)
    *n_removed = rc->n_removed;
  return reconcile_missing (self, rc);
}

GPtrArray *
kf_vault_reconcile_sync (KfVault       *self,
                         guint          grace_seconds,
                         guint         *n_removed,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (KF_IS_VAULT (self), NULL);

  if (!(ids = reconcile_ids_sync (self, grace_seconds, n_removed, cancellable, error)))
    return NULL;
  return ids_to_keypairs (self, ids);
}

/* ---- the lazy reconcile ---- */

/* What the lazy reconcile's outcome means for the write that wanted it:
 * FALSE (with @error) when the write must end here. */
static gboolean
lazy_reconcile_outcome (GPtrArray  *missing,
                        guint       removed,
                        GError     *local_error,
                        GError    **error)
{
  if (missing == NULL)
    {
      if (g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED) ||
          g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NO_SERVICE) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_info ("Could not tidy up the keyring: %s", local_error->message);
      g_error_free (local_error);
      return TRUE;
    }
  if (removed > 0)
    g_info ("Deleted %u unowned private key(s) from the keyring", removed);
  for (guint i = 0; i < missing->len; i++)
    g_info ("Key pair %s has no private key in the keyring", (const char *) g_ptr_array_index (missing, i));
  return TRUE;
}

static void
on_lazy_reconciled (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) missing = NULL;
  GError *local_error = NULL;
  GError *error = NULL;
  guint removed = 0;

  missing = reconcile_finish_ids (KF_VAULT (source), result, &removed, &local_error);
  if (lazy_reconcile_outcome (missing, removed, local_error, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The once-per-vault pass before the first keyring write. Its own failures
 * are only logged, except those the write would meet just the same (a locked
 * keyring: the user declined once, asking again at once would be rude; no
 * service; cancelled), which end the write right here. */
static void
lazy_reconcile_async (KfVault             *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lazy_reconcile_async);
  if (self->reconciled)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  kf_vault_reconcile_async (self, KF_VAULT_RECONCILE_GRACE_SECONDS, cancellable,
                            on_lazy_reconciled, g_steal_pointer (&task));
}

static gboolean
lazy_reconcile_finish (KfVault       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  return finish_boolean (self, result, lazy_reconcile_async, error);
}

static gboolean
lazy_reconcile_sync (KfVault       *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) missing = NULL;
  GError *local_error = NULL;
  guint removed = 0;

  if (self->reconciled)
    return TRUE;
  missing = reconcile_ids_sync (self, KF_VAULT_RECONCILE_GRACE_SECONDS, &removed, cancellable, &local_error);
  return lazy_reconcile_outcome (missing, removed, local_error, error);
}

/* ---- add ---- */

/* Refuse what the store would refuse before writing a secret for nothing. */
static gboolean
add_check (KfVault  *self,
           Op       *op,
           GError  **error)
{
  if (op->private_key != NULL && strlen (op->private_key) > KF_MAX_KEY_TEXT_LEN)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                   _("The private key is larger than %u KiB, which no SSH key is; check the file."),
                   KF_MAX_KEY_TEXT_LEN / 1024);
      return FALSE;
    }
  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  if (op->name != NULL
      && !kf_connection_validate_name_free (kf_store_get_keypairs (self->store), op->name, NULL, error))
    return FALSE;
  return TRUE;
}

/* The last step of an add; on failure op->store_error says why. */
static gboolean
add_in_store (KfVault *self,
              Op      *op)
{
  kf_keypair_set_has_private_key (op->keypair, op->private_key != NULL);
  if (kf_store_add_keypair (self->store, op->keypair, &op->store_error))
    return TRUE;
  kf_keypair_set_has_private_key (op->keypair, FALSE);
  return FALSE;
}

/* The secret of an add the store refused is gone again (or @rollback_error
 * says why not). */
static void
add_rolled_back (KfVault *self,
                 Op      *op,
                 GError  *rollback_error)
{
  if (rollback_error != NULL)
    g_warning ("Could not remove the private key of a key pair that was not saved "
               "(a later reconcile will): %s", rollback_error->message);
  forget_written (self, op->id);
}

static void
on_add_rolled_back (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) rollback_error = NULL;

  kf_keyring_delete_finish (result, &rollback_error);
  add_rolled_back (g_task_get_source_object (task), op, rollback_error);
  g_task_return_error (task, g_steal_pointer (&op->store_error));
}

/* The last step of an add. When the store refuses, the secret written for
 * it is deleted again. */
static void
add_to_store (GTask *task)
{
  KfVault *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);

  if (add_in_store (self, op))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (op->private_key == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&op->store_error));
      return;
    }
  /* Not cancellable: the secret must not outlive the failed add. */
  kf_keyring_delete_full_async (op->id, self->store_path, NULL, on_add_rolled_back, g_object_ref (task));
}

static void
on_add_secret_stored (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!kf_keyring_store_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  add_to_store (task);
}

static void
on_add_reconciled (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  KfVault *self = KF_VAULT (source);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!lazy_reconcile_finish (self, result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  remember_written (self, op->id);
  /* The secret first: a crash after this leaves an unowned secret
   * (reconcile removes it), never a key pair without its secret. */
  kf_keyring_store_full_async (op->id, op->name, op->private_key, self->store_path,
                               g_task_get_cancellable (task), on_add_secret_stored, g_object_ref (task));
}

static gboolean
add_begin (gpointer user_data)
{
  GTask *task = user_data;
  KfVault *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!add_check (self, op, &error))
    g_task_return_error (task, error);
  else if (op->private_key == NULL)
    add_to_store (task);
  else
    lazy_reconcile_async (self, g_task_get_cancellable (task), on_add_reconciled, g_object_ref (task));
  return G_SOURCE_REMOVE;
}

void
kf_vault_add_keypair_async (KfVault             *self,
                            KfKeypair           *keypair,
                            const char          *private_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  task = op_task_new (self, keypair, NULL, kf_vault_add_keypair_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->private_key = g_strdup (private_key);
  start_chain (task, add_begin);
}

gboolean
kf_vault_add_keypair_finish (KfVault       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return finish_boolean (self, result, kf_vault_add_keypair_async, error);
}

gboolean
kf_vault_add_keypair_sync (KfVault       *self,
                           KfKeypair     *keypair,
                           const char    *private_key,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(Op) op = NULL;
  g_autoptr(GError) rollback_error = NULL;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  op = op_new (keypair, NULL);
  op->private_key = g_strdup (private_key);
  if (!add_check (self, op, error))
    return FALSE;
  if (op->private_key != NULL)
    {
      if (!lazy_reconcile_sync (self, cancellable, error))
        return FALSE;
      remember_written (self, op->id);
      if (!kf_keyring_store_full_sync (op->id, op->name, op->private_key, self->store_path, cancellable, error))
        return FALSE;
    }
  if (add_in_store (self, op))
    return TRUE;
  if (op->private_key != NULL)
    {
      kf_keyring_delete_full_sync (op->id, self->store_path, NULL, &rollback_error);
      add_rolled_back (self, op, rollback_error);
    }
  g_propagate_error (error, g_steal_pointer (&op->store_error));
  return FALSE;
}

/* ---- update ---- */

static gboolean
update_in_store (KfVault  *self,
                 Op       *op,
                 GError  **error)
{
  KfKeypair *stored;
  g_autofree char *old_name = NULL;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  stored = kf_store_find_keypair (self->store, op->id);
  if (stored == NULL)
    {
      g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, KEYPAIR_GONE);
      return FALSE;
    }
  old_name = g_strdup (kf_keypair_get_name (stored));
  op->has_private_key = kf_keypair_get_has_private_key (stored);
  /* Only KfVault's add/delete may say whether the keyring holds a secret. */
  kf_keypair_set_has_private_key (op->keypair, op->has_private_key);
  if (!kf_store_update_keypair (self->store, op->keypair, error))
    return FALSE;
  op->renamed = g_strcmp0 (old_name, op->name) != 0;
  return TRUE;
}

/* The label is cosmetic: a failure is only logged. */
static void
relabel_failed (Op     *op,
                GError *label_error)
{
  g_info ("Could not rename the keyring item of key pair %s: %s", op->id, label_error->message);
}

static void
on_relabeled (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  g_autoptr(GError) label_error = NULL;

  if (!kf_keyring_relabel_finish (result, &label_error))
    relabel_failed (op, label_error);
  g_task_return_boolean (task, TRUE);
}

static gboolean
update_begin (gpointer user_data)
{
  GTask *task = user_data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!update_in_store (g_task_get_source_object (task), op, &error))
    g_task_return_error (task, error);
  else if (op->renamed && op->has_private_key)
    kf_keyring_relabel_async (op->id, op->name, g_task_get_cancellable (task), on_relabeled, g_object_ref (task));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

void
kf_vault_update_keypair_async (KfVault             *self,
                               KfKeypair           *keypair,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  task = op_task_new (self, keypair, NULL, kf_vault_update_keypair_async, cancellable, callback, user_data);
  start_chain (task, update_begin);
}

gboolean
kf_vault_update_keypair_finish (KfVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_boolean (self, result, kf_vault_update_keypair_async, error);
}

gboolean
kf_vault_update_keypair_sync (KfVault       *self,
                              KfKeypair     *keypair,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(Op) op = NULL;
  g_autoptr(GError) label_error = NULL;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  op = op_new (keypair, NULL);
  if (!update_in_store (self, op, error))
    return FALSE;
  if (op->renamed && op->has_private_key &&
      !kf_keyring_relabel_sync (op->id, op->name, cancellable, &label_error))
    relabel_failed (op, label_error);
  return TRUE;
}

/* ---- delete ---- */

static gboolean
delete_check (KfVault  *self,
              Op       *op,
              GError  **error)
{
  KfKeypair *keypair;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  keypair = kf_store_find_keypair (self->store, op->id);
  if (keypair == NULL)
    {
      g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, KEYPAIR_GONE);
      return FALSE;
    }
  op->has_private_key = kf_keypair_get_has_private_key (keypair);

  if (!op->with_connections)
    {
      g_autoptr(GPtrArray) users = kf_store_list_connections_using (self->store, op->id);

      if (users->len > 0)
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "The key pair “%s” is used by %u connection; delete it too or give it another key pair.",
                                    "The key pair “%s” is used by %u connections; delete them too or give them another key pair.",
                                    users->len),
                       kf_keypair_get_name (keypair), users->len);
          return FALSE;
        }
    }
  return TRUE;
}

static void
secret_left_error (GError       **error,
                   const GError  *local_error)
{
  g_set_error (error, KF_KEYRING_ERROR,
               local_error->domain == KF_KEYRING_ERROR ? local_error->code : KF_KEYRING_ERROR_FAILED,
               _("The key pair was deleted, but its private key is still in the keyring (%s); Keyferry removes it later."),
               local_error->message);
}

static void
on_secret_deleted (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) local_error = NULL;
  GError *error = NULL;

  if (kf_keyring_delete_finish (result, &local_error))
    g_task_return_boolean (task, TRUE);
  else
    {
      secret_left_error (&error, local_error);
      g_task_return_error (task, error);
    }
}

/* The store first: a crash after this leaves an unowned secret. */
static gboolean
remove_from_store (KfVault  *self,
                   Op       *op,
                   GError  **error)
{
  if (!kf_store_remove_keypair (self->store, op->id, op->with_connections, error))
    return FALSE;
  /* Should the secret's delete fail, the secret is unowned now: fair game. */
  forget_written (self, op->id);
  return TRUE;
}

static void
delete_from_store (GTask *task)
{
  KfVault *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!remove_from_store (self, op, &error))
    g_task_return_error (task, error);
  else if (op->has_private_key)
    kf_keyring_delete_async (op->id, NULL, on_secret_deleted, g_object_ref (task));
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_delete_unlocked (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!kf_keyring_ensure_unlocked_finish (result, &error))
    g_task_return_error (task, error);
  else
    delete_from_store (task);
}

/* Unlock before touching the store, so that a declined prompt changes
 * nothing rather than leaving the secret behind. */
static void
on_delete_reconciled (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!lazy_reconcile_finish (KF_VAULT (source), result, &error))
    g_task_return_error (task, error);
  else
    kf_keyring_ensure_unlocked_async (g_task_get_cancellable (task), on_delete_unlocked, g_object_ref (task));
}

static gboolean
delete_begin (gpointer user_data)
{
  GTask *task = user_data;
  KfVault *self = g_task_get_source_object (task);
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!delete_check (self, op, &error))
    g_task_return_error (task, error);
  else if (op->has_private_key)
    lazy_reconcile_async (self, g_task_get_cancellable (task), on_delete_reconciled, g_object_ref (task));
  else
    delete_from_store (task);
  return G_SOURCE_REMOVE;
}

void
kf_vault_delete_keypair_async (KfVault             *self,
                               const char          *keypair_id,
                               gboolean             with_connections,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Op *op;

  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (keypair_id != NULL);

  task = op_task_new (self, NULL, keypair_id, kf_vault_delete_keypair_async, cancellable, callback, user_data);
  op = g_task_get_task_data (task);
  op->with_connections = with_connections;
  start_chain (task, delete_begin);
}

gboolean
kf_vault_delete_keypair_finish (KfVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return finish_boolean (self, result, kf_vault_delete_keypair_async, error);
}

gboolean
kf_vault_delete_keypair_sync (KfVault       *self,
                              const char    *keypair_id,
                              gboolean       with_connections,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(Op) op = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (keypair_id != NULL, FALSE);

  op = op_new (NULL, keypair_id);
  op->with_connections = with_connections;
  if (!delete_check (self, op, error))
    return FALSE;
  /* Unlock before touching the store, as the chain does. */
  if (op->has_private_key &&
      (!lazy_reconcile_sync (self, cancellable, error) ||
       !kf_keyring_ensure_unlocked_sync (cancellable, error)))
    return FALSE;
  if (!remove_from_store (self, op, error))
    return FALSE;
  if (op->has_private_key && !kf_keyring_delete_sync (op->id, NULL, &local_error))
    {
      secret_left_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ---- get private key: the keyring only, so no chain ---- */

static gboolean
check_has_private_key (KfKeypair  *keypair,
                       GError    **error)
{
  if (kf_keypair_get_has_private_key (keypair))
    return TRUE;
  g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY,
               _("The key pair “%s” has only a public key; add its private key to use it."),
               kf_keypair_get_name (keypair));
  return FALSE;
}

/* What the keyring's lookup gave: @secret, or @local_error with a missing
 * item named after the key pair @name. */
static char *
secret_or_error (const char  *name,
                 char        *secret,
                 GError      *local_error,
                 GError     **error)
{
  if (g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      g_set_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND,
                   _("The private key of “%s” is missing from the keyring; import it again."), name);
      return NULL;
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return secret;
}

static void
on_private_key_looked_up (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  GError *local_error = NULL;
  GError *error = NULL;
  char *secret = kf_keyring_lookup_finish (result, &local_error);

  secret = secret_or_error (op->name, secret, local_error, &error);
  if (secret != NULL)
    g_task_return_pointer (task, secret, (GDestroyNotify) kf_secret_free);
  else
    g_task_return_error (task, error);
}

void
kf_vault_get_private_key_async (KfVault             *self,
                                KfKeypair           *keypair,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  task = op_task_new (self, keypair, NULL, kf_vault_get_private_key_async, cancellable, callback, user_data);
  if (!check_has_private_key (keypair, &error))
    g_task_return_error (task, error);
  else
    kf_keyring_lookup_async (kf_keypair_get_id (keypair), cancellable,
                             on_private_key_looked_up, g_steal_pointer (&task));
}

char *
kf_vault_get_private_key_finish (KfVault       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (check_task (self, result, kf_vault_get_private_key_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Does not touch the store, so it may be called from any thread. */
char *
kf_vault_get_private_key_sync (KfVault       *self,
                               KfKeypair     *keypair,
                               GCancellable  *cancellable,
                               GError       **error)
{
  GError *local_error = NULL;
  char *secret;

  g_return_val_if_fail (KF_IS_VAULT (self), NULL);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), NULL);

  if (!check_has_private_key (keypair, error))
    return NULL;
  secret = kf_keyring_lookup_sync (kf_keypair_get_id (keypair), cancellable, &local_error);
  return secret_or_error (kf_keypair_get_name (keypair), secret, local_error, error);
}

KfStore *
kf_vault_get_store (KfVault *self)
{
  g_return_val_if_fail (KF_IS_VAULT (self), NULL);

  return self->store;
}

KfVault *
kf_vault_new (KfStore *store)
{
  g_return_val_if_fail (KF_IS_STORE (store), NULL);

  return g_object_new (KF_TYPE_VAULT, "store", store, NULL);
}

/* ---- GObject ---- */

static void
kf_vault_constructed (GObject *object)
{
  KfVault *self = KF_VAULT (object);

  G_OBJECT_CLASS (kf_vault_parent_class)->constructed (object);

  g_assert (self->store != NULL);
  /* The keyring items of this store are tagged with it. */
  self->store_path = g_strdup (kf_store_get_path (self->store));
}

static void
kf_vault_finalize (GObject *object)
{
  KfVault *self = KF_VAULT (object);

  g_clear_object (&self->store);
  g_free (self->store_path);
  g_hash_table_unref (self->written);

  G_OBJECT_CLASS (kf_vault_parent_class)->finalize (object);
}

static void
kf_vault_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  KfVault *self = KF_VAULT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_vault_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  KfVault *self = KF_VAULT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_vault_class_init (KfVaultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = kf_vault_constructed;
  object_class->finalize = kf_vault_finalize;
  object_class->get_property = kf_vault_get_property;
  object_class->set_property = kf_vault_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         KF_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kf_vault_init (KfVault *self)
{
  self->written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
