/* kf-vault.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-vault"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-vault.h"

struct _KfVault {
  GObject     parent_instance;

  KfStore    *store;
  char       *store_path;
  gint        reconciled;   /* atomic: the lazy reconcile has run */
  GMutex      mutex;        /* guards written */
  GHashTable *written;      /* ids whose secret this vault wrote: never "unowned" to it */
};

G_DEFINE_FINAL_TYPE (KfVault, kf_vault, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- running store steps on the caller's thread ---- */

/* Where an operation runs: keyring calls on the current thread, store steps
 * on @context (the main context of the *_async caller: store changes notify
 * list models the UI is bound to), or right here when @context is NULL. */
typedef struct {
  KfVault      *self;
  GMainContext *context;
  GCancellable *cancellable;
} Run;

typedef gboolean (*StoreStep) (KfVault   *self,
                               gpointer   data,
                               GError   **error);

typedef struct {
  KfVault   *self;
  StoreStep  step;
  gpointer   data;
  gboolean   ok;
  GError    *error;
  gboolean   done;
  GMutex     mutex;
  GCond      cond;
} StoreCall;

static gboolean
dispatch_store_call (gpointer user_data)
{
  StoreCall *call = user_data;
  GError *error = NULL;
  gboolean ok = call->step (call->self, call->data, &error);

  g_mutex_lock (&call->mutex);
  call->ok = ok;
  call->error = error;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
  return G_SOURCE_REMOVE;
}

static gboolean
run_store_step (const Run  *run,
                StoreStep   step,
                gpointer    data,
                GError    **error)
{
  StoreCall call = { run->self, step, data, FALSE, NULL, FALSE };

  if (run->context == NULL)
    return step (run->self, data, error);

  g_mutex_init (&call.mutex);
  g_cond_init (&call.cond);
  g_main_context_invoke (run->context, dispatch_store_call, &call);
  g_mutex_lock (&call.mutex);
  while (!call.done)
    g_cond_wait (&call.cond, &call.mutex);
  g_mutex_unlock (&call.mutex);
  g_mutex_clear (&call.mutex);
  g_cond_clear (&call.cond);

  if (!call.ok)
    {
      g_propagate_error (error, call.error);
      return FALSE;
    }
  return TRUE;
}

static void
remember_written (KfVault    *self,
                  const char *id)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_add (self->written, g_strdup (id));
  g_mutex_unlock (&self->mutex);
}

static void
forget_written (KfVault    *self,
                const char *id)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_remove (self->written, id);
  g_mutex_unlock (&self->mutex);
}

static gboolean
was_written (KfVault    *self,
             const char *id)
{
  gboolean found;

  g_mutex_lock (&self->mutex);
  found = g_hash_table_contains (self->written, id);
  g_mutex_unlock (&self->mutex);
  return found;
}

/* ---- reconcile ---- */

typedef struct {
  GHashTable *all_ids;
  GPtrArray  *private_ids;
} Snapshot;

static gboolean
snapshot_step (KfVault   *self,
               gpointer   data,
               GError   **error)
{
  Snapshot *snapshot = data;
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

      g_hash_table_add (snapshot->all_ids, g_strdup (id));
      if (kf_keypair_get_has_private_key (keypair))
        g_ptr_array_add (snapshot->private_ids, g_strdup (id));
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

/* Returns the ids of key pairs whose secret is missing. The store is read
 * BEFORE the keyring is listed: since secrets are written before the store,
 * every key pair in that snapshot had its secret in the keyring by then. */
static GPtrArray *
reconcile_run (const Run  *run,
               guint       grace_seconds,
               guint      *n_removed,
               GError    **error)
{
  KfVault *self = run->self;
  Snapshot snapshot;
  g_autoptr(GHashTable) all_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) private_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) present = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *missing;
  gint64 now;
  guint removed = 0;
  gboolean keep_all;

  snapshot.all_ids = all_ids;
  snapshot.private_ids = private_ids;
  if (!run_store_step (run, snapshot_step, &snapshot, error))
    return NULL;

  /* Every Keyferry item, whatever store it is tagged with: a key pair's
   * secret counts as present even if it was written under another path. */
  if (!(entries = kf_keyring_list_entries_sync (NULL, run->cancellable, error)))
    return NULL;

  now = g_get_real_time () / G_USEC_PER_SEC;
  keep_all = store_was_set_aside (self->store_path);
  for (guint i = 0; i < entries->len; i++)
    {
      KfKeyringEntry *entry = g_ptr_array_index (entries, i);

      g_hash_table_add (present, entry->keypair_id);

      /* Only our own store's items are ours to judge. */
      if (keep_all ||
          g_strcmp0 (entry->store_path, self->store_path) != 0 ||
          g_hash_table_contains (all_ids, entry->keypair_id) ||
          entry->created + (gint64) grace_seconds > now ||
          was_written (self, entry->keypair_id))
        continue;

      g_debug ("Deleting the unowned secret of key pair %s", entry->keypair_id);
      if (!kf_keyring_delete_full_sync (entry->keypair_id, self->store_path, run->cancellable, error))
        return NULL;
      removed++;
    }

  missing = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < private_ids->len; i++)
    if (!g_hash_table_contains (present, g_ptr_array_index (private_ids, i)))
      g_ptr_array_add (missing, g_strdup (g_ptr_array_index (private_ids, i)));

  g_atomic_int_set (&self->reconciled, TRUE);
  if (n_removed != NULL)
    *n_removed = removed;
  return missing;
}

/* The once-per-vault pass before the first keyring write. Its own failures
 * are only logged, except those the write would meet just the same (a locked
 * keyring: the user declined once, asking again at once would be rude; no
 * service; cancelled), which end the write right here. */
static gboolean
maybe_reconcile (const Run  *run,
                 GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  guint removed = 0;

  if (g_atomic_int_get (&run->self->reconciled))
    return TRUE;

  missing = reconcile_run (run, KF_VAULT_RECONCILE_GRACE_SECONDS, &removed, &local_error);
  if (missing == NULL)
    {
      if (g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED) ||
          g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NO_SERVICE) ||
          g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_info ("Could not tidy up the keyring: %s", local_error->message);
      return TRUE;
    }
  if (removed > 0)
    g_info ("Deleted %u unowned private key(s) from the keyring", removed);
  for (guint i = 0; i < missing->len; i++)
    g_info ("Key pair %s has no private key in the keyring", (const char *) g_ptr_array_index (missing, i));
  return TRUE;
}

/* Turns missing ids into key pairs of the store (caller's thread). */
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

/* ---- add ---- */

typedef struct {
  KfKeypair *keypair;
  char      *id;
  char      *name;
  char      *private_key;
} AddData;

/* A GDestroyNotify: op_free() calls it through that type. */
static void
add_data_free (gpointer user_data)
{
  AddData *data = user_data;

  g_clear_object (&data->keypair);
  g_free (data->id);
  g_free (data->name);
  kf_secret_free (data->private_key);
  g_free (data);
}

static AddData *
add_data_new (KfKeypair  *keypair,
              const char *private_key)
{
  AddData *data = g_new0 (AddData, 1);

  data->keypair = g_object_ref (keypair);
  data->id = g_strdup (kf_keypair_get_id (keypair));
  data->name = g_strdup (kf_keypair_get_name (keypair));
  data->private_key = g_strdup (private_key);
  return data;
}

/* Refuse what the store would refuse before writing a secret for nothing. */
static gboolean
add_check_step (KfVault   *self,
                gpointer   user_data,
                GError   **error)
{
  AddData *data = user_data;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  if (data->name != NULL && kf_store_find_keypair_by_name (self->store, data->name) != NULL)
    {
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                   _("A key pair named “%s” already exists; choose another name."), data->name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_store_step (KfVault   *self,
                gpointer   user_data,
                GError   **error)
{
  AddData *data = user_data;

  kf_keypair_set_has_private_key (data->keypair, data->private_key != NULL);
  if (!kf_store_add_keypair (self->store, data->keypair, error))
    {
      kf_keypair_set_has_private_key (data->keypair, FALSE);
      return FALSE;
    }
  return TRUE;
}

static gboolean
add_run (const Run  *run,
         AddData    *data,
         GError    **error)
{
  KfVault *self = run->self;
  GError *local_error = NULL;

  if (data->private_key != NULL && strlen (data->private_key) > KF_MAX_KEY_TEXT_LEN)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                   _("The private key is larger than %u KiB, which no SSH key is; check the file."),
                   KF_MAX_KEY_TEXT_LEN / 1024);
      return FALSE;
    }

  if (!run_store_step (run, add_check_step, data, error))
    return FALSE;

  if (data->private_key != NULL)
    {
      if (!maybe_reconcile (run, error))
        return FALSE;
      remember_written (self, data->id);
      /* The secret first: a crash after this leaves an unowned secret
       * (reconcile removes it), never a key pair without its secret. */
      if (!kf_keyring_store_full_sync (data->id, data->name, data->private_key,
                                       self->store_path, run->cancellable, error))
        return FALSE;
    }

  if (!run_store_step (run, add_store_step, data, &local_error))
    {
      if (data->private_key != NULL)
        {
          g_autoptr(GError) rollback_error = NULL;

          /* Not cancellable: the secret must not outlive the failed add. */
          if (!kf_keyring_delete_full_sync (data->id, self->store_path, NULL, &rollback_error))
            g_warning ("Could not remove the private key of a key pair that was not saved "
                       "(a later reconcile will): %s", rollback_error->message);
          forget_written (self, data->id);
        }
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* ---- update ---- */

typedef struct {
  KfKeypair *keypair;
  char      *id;
  char      *name;
  gboolean   renamed;
  gboolean   has_private_key;
} UpdateData;

/* A GDestroyNotify: op_free() calls it through that type. */
static void
update_data_free (gpointer user_data)
{
  UpdateData *data = user_data;

  g_clear_object (&data->keypair);
  g_free (data->id);
  g_free (data->name);
  g_free (data);
}

static UpdateData *
update_data_new (KfKeypair *keypair)
{
  UpdateData *data = g_new0 (UpdateData, 1);

  data->keypair = g_object_ref (keypair);
  data->id = g_strdup (kf_keypair_get_id (keypair));
  data->name = g_strdup (kf_keypair_get_name (keypair));
  return data;
}

static gboolean
update_store_step (KfVault   *self,
                   gpointer   user_data,
                   GError   **error)
{
  UpdateData *data = user_data;
  KfKeypair *stored;
  g_autofree char *old_name = NULL;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  stored = kf_store_find_keypair (self->store, data->id);
  if (stored == NULL)
    {
      g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
                           _("This key pair no longer exists; it may have been deleted elsewhere."));
      return FALSE;
    }
  old_name = g_strdup (kf_keypair_get_name (stored));
  data->has_private_key = kf_keypair_get_has_private_key (stored);
  /* Only KfVault's add/delete may say whether the keyring holds a secret. */
  kf_keypair_set_has_private_key (data->keypair, data->has_private_key);
  if (!kf_store_update_keypair (self->store, data->keypair, error))
    return FALSE;
  data->renamed = g_strcmp0 (old_name, data->name) != 0;
  return TRUE;
}

static gboolean
update_run (const Run   *run,
            UpdateData  *data,
            GError     **error)
{
  g_autoptr(GError) label_error = NULL;

  if (!run_store_step (run, update_store_step, data, error))
    return FALSE;

  if (data->renamed && data->has_private_key &&
      !kf_keyring_relabel_sync (data->id, data->name, run->cancellable, &label_error))
    g_info ("Could not rename the keyring item of key pair %s: %s", data->id, label_error->message);
  return TRUE;
}

/* ---- delete ---- */

typedef struct {
  char     *id;
  gboolean  with_connections;
  gboolean  had_private_key;
} DeleteData;

/* A GDestroyNotify: op_free() calls it through that type. */
static void
delete_data_free (gpointer user_data)
{
  DeleteData *data = user_data;

  g_free (data->id);
  g_free (data);
}

static gboolean
delete_check_step (KfVault   *self,
                   gpointer   user_data,
                   GError   **error)
{
  DeleteData *data = user_data;
  KfKeypair *keypair;

  if (!kf_store_reload_if_changed (self->store, error))
    return FALSE;
  keypair = kf_store_find_keypair (self->store, data->id);
  if (keypair == NULL)
    {
      g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
                           _("This key pair no longer exists; it may have been deleted elsewhere."));
      return FALSE;
    }
  data->had_private_key = kf_keypair_get_has_private_key (keypair);

  if (!data->with_connections)
    {
      g_autoptr(GPtrArray) users = kf_store_list_connections_using (self->store, data->id);

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

static gboolean
delete_store_step (KfVault   *self,
                   gpointer   user_data,
                   GError   **error)
{
  DeleteData *data = user_data;

  return kf_store_remove_keypair (self->store, data->id, data->with_connections, error);
}

static gboolean
delete_run (const Run   *run,
            DeleteData  *data,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!run_store_step (run, delete_check_step, data, error))
    return FALSE;

  /* Unlock before touching the store, so that a declined prompt changes
   * nothing rather than leaving the secret behind. */
  if (data->had_private_key)
    {
      if (!maybe_reconcile (run, error) ||
          !kf_keyring_ensure_unlocked_sync (run->cancellable, error))
        return FALSE;
    }

  /* The store first: a crash after this leaves an unowned secret. */
  if (!run_store_step (run, delete_store_step, data, error))
    return FALSE;
  /* Should the delete below fail, the secret is unowned now: fair game. */
  forget_written (run->self, data->id);

  if (data->had_private_key &&
      !kf_keyring_delete_sync (data->id, NULL, &local_error))
    {
      g_set_error (error, KF_KEYRING_ERROR, local_error->domain == KF_KEYRING_ERROR
                                            ? local_error->code : KF_KEYRING_ERROR_FAILED,
                   _("The key pair was deleted, but its private key is still in the keyring (%s); Keyferry removes it later."),
                   local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- get private key ---- */

typedef struct {
  char     *id;
  char     *name;
  gboolean  has_private_key;
} KeyData;

/* A GDestroyNotify: op_free() calls it through that type. */
static void
key_data_free (gpointer user_data)
{
  KeyData *data = user_data;

  g_free (data->id);
  g_free (data->name);
  g_free (data);
}

static KeyData *
key_data_new (KfKeypair *keypair)
{
  KeyData *data = g_new0 (KeyData, 1);

  data->id = g_strdup (kf_keypair_get_id (keypair));
  data->name = g_strdup (kf_keypair_get_name (keypair));
  data->has_private_key = kf_keypair_get_has_private_key (keypair);
  return data;
}

static char *
get_private_key_run (KeyData       *data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GError *local_error = NULL;
  char *secret;

  if (!data->has_private_key)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY,
                   _("The key pair “%s” has only a public key; add its private key to use it."), data->name);
      return NULL;
    }

  secret = kf_keyring_lookup_sync (data->id, cancellable, &local_error);
  if (g_error_matches (local_error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      g_set_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND,
                   _("The private key of “%s” is missing from the keyring; import it again."), data->name);
      return NULL;
    }
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return secret;
}

/* ---- async plumbing ---- */

typedef enum {
  OP_ADD,
  OP_UPDATE,
  OP_DELETE,
  OP_RECONCILE,
  OP_PRIVATE_KEY,
} OpKind;

typedef struct {
  OpKind        kind;
  Run           run;
  gpointer      data;
  GDestroyNotify data_free;
  guint         grace_seconds;
  guint         n_removed;
} Op;

static void
op_free (Op *op)
{
  g_clear_pointer (&op->run.context, g_main_context_unref);
  if (op->data_free != NULL)
    op->data_free (op->data);
  g_free (op);
}

static void
op_thread (GTask        *task,
           gpointer      source_object,
           gpointer      task_data,
           GCancellable *cancellable)
{
  Op *op = task_data;
  GError *error = NULL;

  switch (op->kind)
    {
    case OP_ADD:
      if (add_run (&op->run, op->data, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case OP_UPDATE:
      if (update_run (&op->run, op->data, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case OP_DELETE:
      if (delete_run (&op->run, op->data, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case OP_RECONCILE:
      {
        GPtrArray *missing = reconcile_run (&op->run, op->grace_seconds, &op->n_removed, &error);

        if (missing != NULL)
          g_task_return_pointer (task, missing, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case OP_PRIVATE_KEY:
      {
        char *secret = get_private_key_run (op->data, cancellable, &error);

        if (secret != NULL)
          g_task_return_pointer (task, secret, (GDestroyNotify) kf_secret_free);
        else
          g_task_return_error (task, error);
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

static void
start_op (KfVault             *self,
          OpKind               kind,
          gpointer             data,
          GDestroyNotify       data_free,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          Op                 **out_op)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->run.self = self;
  op->run.context = g_main_context_ref_thread_default ();
  op->run.cancellable = cancellable;
  op->data = data;
  op->data_free = data_free;
  if (out_op != NULL)
    *out_op = op;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);
  g_task_run_in_thread (task, op_thread);
}

static gboolean
check_task (KfVault      *self,
            GAsyncResult *result,
            gpointer      source_tag)
{
  return g_task_is_valid (result, self) && g_task_get_source_tag (G_TASK (result)) == source_tag;
}

/* ---- public API ---- */

void
kf_vault_add_keypair_async (KfVault             *self,
                            KfKeypair           *keypair,
                            const char          *private_key,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  start_op (self, OP_ADD, add_data_new (keypair, private_key), add_data_free,
            kf_vault_add_keypair_async, cancellable, callback, user_data, NULL);
}

gboolean
kf_vault_add_keypair_finish (KfVault       *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (check_task (self, result, kf_vault_add_keypair_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
kf_vault_add_keypair_sync (KfVault       *self,
                           KfKeypair     *keypair,
                           const char    *private_key,
                           GCancellable  *cancellable,
                           GError       **error)
{
  Run run = { self, NULL, cancellable };
  AddData *data;
  gboolean ok;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  data = add_data_new (keypair, private_key);
  ok = add_run (&run, data, error);
  add_data_free (data);
  return ok;
}

void
kf_vault_update_keypair_async (KfVault             *self,
                               KfKeypair           *keypair,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  start_op (self, OP_UPDATE, update_data_new (keypair), update_data_free,
            kf_vault_update_keypair_async, cancellable, callback, user_data, NULL);
}

gboolean
kf_vault_update_keypair_finish (KfVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (check_task (self, result, kf_vault_update_keypair_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
kf_vault_update_keypair_sync (KfVault       *self,
                              KfKeypair     *keypair,
                              GCancellable  *cancellable,
                              GError       **error)
{
  Run run = { self, NULL, cancellable };
  UpdateData *data;
  gboolean ok;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  data = update_data_new (keypair);
  ok = update_run (&run, data, error);
  update_data_free (data);
  return ok;
}

static DeleteData *
delete_data_new (const char *keypair_id,
                 gboolean    with_connections)
{
  DeleteData *data = g_new0 (DeleteData, 1);

  data->id = g_strdup (keypair_id);
  data->with_connections = with_connections;
  return data;
}

void
kf_vault_delete_keypair_async (KfVault             *self,
                               const char          *keypair_id,
                               gboolean             with_connections,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (keypair_id != NULL);

  start_op (self, OP_DELETE, delete_data_new (keypair_id, with_connections),
            delete_data_free, kf_vault_delete_keypair_async,
            cancellable, callback, user_data, NULL);
}

gboolean
kf_vault_delete_keypair_finish (KfVault       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (check_task (self, result, kf_vault_delete_keypair_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
kf_vault_delete_keypair_sync (KfVault       *self,
                              const char    *keypair_id,
                              gboolean       with_connections,
                              GCancellable  *cancellable,
                              GError       **error)
{
  Run run = { self, NULL, cancellable };
  DeleteData *data;
  gboolean ok;

  g_return_val_if_fail (KF_IS_VAULT (self), FALSE);
  g_return_val_if_fail (keypair_id != NULL, FALSE);

  data = delete_data_new (keypair_id, with_connections);
  ok = delete_run (&run, data, error);
  delete_data_free (data);
  return ok;
}

void
kf_vault_reconcile_async (KfVault             *self,
                          guint                grace_seconds,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Op *op;

  g_return_if_fail (KF_IS_VAULT (self));

  start_op (self, OP_RECONCILE, NULL, NULL, kf_vault_reconcile_async,
            cancellable, callback, user_data, &op);
  op->grace_seconds = grace_seconds;
}

GPtrArray *
kf_vault_reconcile_finish (KfVault       *self,
                           GAsyncResult  *result,
                           guint         *n_removed,
                           GError       **error)
{
  g_autoptr(GPtrArray) ids = NULL;
  Op *op;

  g_return_val_if_fail (check_task (self, result, kf_vault_reconcile_async), NULL);

  if (!(ids = g_task_propagate_pointer (G_TASK (result), error)))
    return NULL;
  op = g_task_get_task_data (G_TASK (result));
  if (n_removed != NULL)
    *n_removed = op->n_removed;
  return ids_to_keypairs (self, ids);
}

GPtrArray *
kf_vault_reconcile_sync (KfVault       *self,
                         guint          grace_seconds,
                         guint         *n_removed,
                         GCancellable  *cancellable,
                         GError       **error)
{
  Run run = { self, NULL, cancellable };
  g_autoptr(GPtrArray) ids = NULL;

  g_return_val_if_fail (KF_IS_VAULT (self), NULL);

  if (!(ids = reconcile_run (&run, grace_seconds, n_removed, error)))
    return NULL;
  return ids_to_keypairs (self, ids);
}

void
kf_vault_get_private_key_async (KfVault             *self,
                                KfKeypair           *keypair,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (KF_IS_VAULT (self));
  g_return_if_fail (KF_IS_KEYPAIR (keypair));

  start_op (self, OP_PRIVATE_KEY, key_data_new (keypair), key_data_free,
            kf_vault_get_private_key_async, cancellable, callback, user_data, NULL);
}

char *
kf_vault_get_private_key_finish (KfVault       *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (check_task (self, result, kf_vault_get_private_key_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
kf_vault_get_private_key_sync (KfVault       *self,
                               KfKeypair     *keypair,
                               GCancellable  *cancellable,
                               GError       **error)
{
  KeyData *data;
  char *secret;

  g_return_val_if_fail (KF_IS_VAULT (self), NULL);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), NULL);

  data = key_data_new (keypair);
  secret = get_private_key_run (data, cancellable, error);
  key_data_free (data);
  return secret;
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
  /* Worker threads tag items with it: keep our own immutable copy. */
  self->store_path = g_strdup (kf_store_get_path (self->store));
}

static void
kf_vault_finalize (GObject *object)
{
  KfVault *self = KF_VAULT (object);

  g_clear_object (&self->store);
  g_free (self->store_path);
  g_hash_table_unref (self->written);
  g_mutex_clear (&self->mutex);

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
  g_mutex_init (&self->mutex);
  self->written = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
