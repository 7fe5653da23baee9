/* kf-keyring.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keyring"

#include <glib/gi18n.h>
#include <string.h>

/* For secret_service_search_for_dbus_paths_sync() and
 * secret_item_new_for_dbus_path_sync(): unchanged since libsecret 0.7. */
#define SECRET_API_SUBJECT_TO_CHANGE
#include <libsecret/secret.h>

#include "kf-errors.h"
#include "kf-keyring.h"

#define ATTR_KEYPAIR_ID "keypair-id"
#define ATTR_STORE      "store"

#define MESSAGE_LOCKED     _("The keyring is locked; unlock it (for example in Passwords and Keys) and try again.")
#define MESSAGE_NO_SERVICE _("No keyring service is running; start one (for example GNOME Keyring) and try again.")
#define MESSAGE_NOT_FOUND  _("The keyring holds no private key for this key pair.")

/* What was being done when the keyring failed; one whole sentence each, so
 * that translations need not assemble a verb into a sentence. */
typedef enum {
  KEYRING_STEP_UNLOCK,
  KEYRING_STEP_OPEN,
  KEYRING_STEP_SEARCH,
  KEYRING_STEP_SAVE,
  KEYRING_STEP_READ,
  KEYRING_STEP_DELETE,
  KEYRING_STEP_RENAME,
} KeyringStep;

static const SecretSchema kf_private_key_schema = {
  "io.github.keyferry.Keyferry.PrivateKey",
  SECRET_SCHEMA_NONE,
  {
    { ATTR_KEYPAIR_ID, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { ATTR_STORE, SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static guint call_count;

guint
kf_keyring_get_call_count (void)
{
  return (guint) g_atomic_int_get (&call_count);
}

void
kf_keyring_entry_free (KfKeyringEntry *entry)
{
  if (entry == NULL)
    return;
  g_free (entry->keypair_id);
  g_free (entry->store_path);
  g_free (entry);
}

static gboolean
is_unreachable_error (const GError *error)
{
  if (error->domain == G_DBUS_ERROR)
    {
      switch (error->code)
        {
        case G_DBUS_ERROR_SERVICE_UNKNOWN:
        case G_DBUS_ERROR_NAME_HAS_NO_OWNER:
        case G_DBUS_ERROR_DISCONNECTED:
        case G_DBUS_ERROR_SPAWN_EXEC_FAILED:
        case G_DBUS_ERROR_SPAWN_FORK_FAILED:
        case G_DBUS_ERROR_SPAWN_CHILD_EXITED:
        case G_DBUS_ERROR_SPAWN_CHILD_SIGNALED:
        case G_DBUS_ERROR_SPAWN_FAILED:
        case G_DBUS_ERROR_SPAWN_SETUP_FAILED:
        case G_DBUS_ERROR_SPAWN_CONFIG_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_INVALID:
        case G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND:
        case G_DBUS_ERROR_SPAWN_PERMISSIONS_INVALID:
        case G_DBUS_ERROR_SPAWN_FILE_INVALID:
        case G_DBUS_ERROR_SPAWN_NO_MEMORY:
          return TRUE;
        default:
          return FALSE;
        }
    }
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

static void set_failed (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* KF_KEYRING_ERROR_FAILED with @format's sentence. */
static void
set_failed (GError     **error,
            const char  *format,
            ...)
{
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (KF_KEYRING_ERROR, KF_KEYRING_ERROR_FAILED, format, args));
  va_end (args);
}

/* Turns what libsecret/GDBus reported into a KF_KEYRING_ERROR with one
 * sentence; cancellation stays G_IO_ERROR_CANCELLED so callers can ignore it.
 * @step says what failed in the generic case. */
static void
propagate_error (GError      **error,
                 GError       *local_error,
                 KeyringStep   step)
{
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, local_error);
      return;
    }

  if (g_error_matches (local_error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED, MESSAGE_LOCKED);
  else if (is_unreachable_error (local_error))
    {
      /* The daemon went away: forget the cached connection so the next call
       * looks for a (possibly restarted) service again. */
      secret_service_disconnect ();
      g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NO_SERVICE, MESSAGE_NO_SERVICE);
    }
  else
    {
      const char *why = local_error->message;

      /* Translators: in these, %s is the keyring service's own reason. */
      switch (step)
        {
        case KEYRING_STEP_UNLOCK:
          set_failed (error, _("The keyring could not unlock the private key (%s)."), why);
          break;
        case KEYRING_STEP_OPEN:
          set_failed (error, _("The keyring could not open the keyring for the private key (%s)."), why);
          break;
        case KEYRING_STEP_SEARCH:
          set_failed (error, _("The keyring could not search for the private key (%s)."), why);
          break;
        case KEYRING_STEP_SAVE:
          set_failed (error, _("The keyring could not save the private key (%s)."), why);
          break;
        case KEYRING_STEP_READ:
          set_failed (error, _("The keyring could not read the private key (%s)."), why);
          break;
        case KEYRING_STEP_DELETE:
          set_failed (error, _("The keyring could not delete the private key (%s)."), why);
          break;
        case KEYRING_STEP_RENAME:
        default:
          set_failed (error, _("The keyring could not rename the private key (%s)."), why);
          break;
        }
    }
  g_error_free (local_error);
}

/* Every public operation goes through here exactly once: this is the call
 * that reaches the Secret Service, so it is what the start-up test counts. */
static SecretService *
get_service (GCancellable  *cancellable,
             GError       **error)
{
  GError *local_error = NULL;
  SecretService *service;

  g_atomic_int_inc (&call_count);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, cancellable, &local_error);
  if (service == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, local_error);
      else
        {
          /* No bus, no service file, or the service failed to start: to the
           * user all of these mean there is no keyring to talk to. */
          g_debug ("Secret Service unavailable: %s", local_error->message);
          g_error_free (local_error);
          g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NO_SERVICE, MESSAGE_NO_SERVICE);
        }
    }
  return service;
}

/* Unlocks @objects (items or collections) through the service's own prompt.
 * A declined prompt, or one that cannot be shown (no prompter), unlocks
 * nothing and reports no error: that is KF_KEYRING_ERROR_LOCKED here. */
static gboolean
unlock_objects (SecretService  *service,
                GList          *objects,
                GCancellable   *cancellable,
                GError        **error)
{
  GError *local_error = NULL;
  GList *unlocked = NULL;
  guint n_wanted = g_list_length (objects);
  guint n_unlocked;

  if (n_wanted == 0)
    return TRUE;

  secret_service_unlock_sync (service, objects, cancellable, &unlocked, &local_error);
  n_unlocked = g_list_length (unlocked);
  g_list_free_full (unlocked, g_object_unref);

  if (local_error != NULL)
    {
      propagate_error (error, local_error, KEYRING_STEP_UNLOCK);
      return FALSE;
    }
  if (n_unlocked < n_wanted)
    {
      g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED, MESSAGE_LOCKED);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ensure_default_unlocked (SecretService  *service,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(SecretCollection) collection = NULL;
  GError *local_error = NULL;
  GList objects = { NULL, NULL, NULL };

  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, cancellable, &local_error);
  if (local_error != NULL)
    {
      propagate_error (error, local_error, KEYRING_STEP_OPEN);
      return FALSE;
    }
  /* No default collection yet: storing creates it (the service asks the user
   * for a password for it). */
  if (collection == NULL || !secret_collection_get_locked (collection))
    return TRUE;

  objects.data = collection;
  return unlock_objects (service, &objects, cancellable, error);
}

/* An item another process deleted while we were looking at it. */
static gboolean
is_vanished_error (const GError *error)
{
  return g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NO_SUCH_OBJECT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE);
}

/* Proxies for @paths, skipping items deleted in the meantime. */
static gboolean
add_items (SecretService  *service,
           char          **paths,
           GList         **items,
           GList         **locked,
           GCancellable   *cancellable,
           GError        **error)
{
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      GError *local_error = NULL;
      SecretItem *item = secret_item_new_for_dbus_path_sync (service, paths[i], SECRET_ITEM_NONE,
                                                             cancellable, &local_error);

      if (item == NULL)
        {
          if (is_vanished_error (local_error))
            {
              g_error_free (local_error);
              continue;
            }
          propagate_error (error, local_error, KEYRING_STEP_SEARCH);
          return FALSE;
        }
      *items = g_list_prepend (*items, item);
      if (locked != NULL)
        *locked = g_list_prepend (*locked, item);
    }
  return TRUE;
}

/* All Keyferry items matching @attributes, locked ones unlocked first.
 *
 * Not secret_service_search_sync(): it fails as a whole when any matching
 * item disappears between the search and reading its properties, which
 * happens whenever another program (another test, the CLI) deletes its own
 * Keyferry item at that moment. */
static GList *
search_unlocked (SecretService   *service,
                 GHashTable      *attributes,
                 GCancellable    *cancellable,
                 GError         **error)
{
  GError *local_error = NULL;
  g_auto(GStrv) unlocked_paths = NULL;
  g_auto(GStrv) locked_paths = NULL;
  GList *items = NULL;
  GList *locked = NULL;

  /* Locked items are listed too: a plain lookup would answer "not found"
   * for a locked item, which is exactly the trap to avoid. */
  if (!secret_service_search_for_dbus_paths_sync (service, &kf_private_key_schema, attributes,
                                                  cancellable, &unlocked_paths, &locked_paths,
                                                  &local_error))
    {
      propagate_error (error, local_error, KEYRING_STEP_SEARCH);
      return NULL;
    }

  if (!add_items (service, unlocked_paths, &items, NULL, cancellable, error) ||
      !add_items (service, locked_paths, &items, &locked, cancellable, error))
    {
      g_list_free (locked);
      g_list_free_full (items, g_object_unref);
      return NULL;
    }

  if (locked != NULL)
    {
      gboolean ok = unlock_objects (service, locked, cancellable, error);

      g_list_free (locked);
      if (!ok)
        {
          g_list_free_full (items, g_object_unref);
          return NULL;
        }
    }
  return g_list_reverse (items);
}

static GHashTable *
build_attributes (const char *keypair_id,
                  const char *store_path)
{
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  if (keypair_id != NULL)
    g_hash_table_insert (attributes, g_strdup (ATTR_KEYPAIR_ID), g_strdup (keypair_id));
  if (store_path != NULL)
    g_hash_table_insert (attributes, g_strdup (ATTR_STORE), g_strdup (store_path));
  return attributes;
}

static char *
make_label (const char *keypair_name)
{
  /* Seahorse ("Passwords and Keys") shows this label. */
  return g_strdup_printf ("Keyferry: %s private key", keypair_name);
}

static gboolean
store_value_sync (const char    *keypair_id,
                  const char    *keypair_name,
                  SecretValue   *value,
                  const char    *store_path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (keypair_id != NULL && *keypair_id != '\0', FALSE);
  g_return_val_if_fail (keypair_name != NULL, FALSE);

  if (!(service = get_service (cancellable, error)))
    return FALSE;
  if (!ensure_default_unlocked (service, cancellable, error))
    return FALSE;

  attributes = build_attributes (keypair_id, store_path);
  label = make_label (keypair_name);
  if (!secret_service_store_sync (service, &kf_private_key_schema, attributes,
                                  SECRET_COLLECTION_DEFAULT, label, value,
                                  cancellable, &local_error))
    {
      propagate_error (error, local_error, KEYRING_STEP_SAVE);
      return FALSE;
    }
  return TRUE;
}

static SecretValue *
value_new (const char *private_key)
{
  /* SecretValue copies the text into libsecret's non-pageable memory. */
  return secret_value_new (private_key, -1, "text/plain");
}

gboolean
kf_keyring_store_full_sync (const char    *keypair_id,
                            const char    *keypair_name,
                            const char    *private_key,
                            const char    *store_path,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(SecretValue) value = NULL;

  g_return_val_if_fail (private_key != NULL && *private_key != '\0', FALSE);

  value = value_new (private_key);
  return store_value_sync (keypair_id, keypair_name, value, store_path, cancellable, error);
}

gboolean
kf_keyring_store_sync (const char    *keypair_id,
                       const char    *keypair_name,
                       const char    *private_key,
                       GCancellable  *cancellable,
                       GError       **error)
{
  return kf_keyring_store_full_sync (keypair_id, keypair_name, private_key, NULL, cancellable, error);
}

char *
kf_keyring_lookup_sync (const char    *keypair_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  SecretValue *value = NULL;
  GList *items;

  g_return_val_if_fail (keypair_id != NULL, NULL);

  if (!(service = get_service (cancellable, error)))
    return NULL;

  attributes = build_attributes (keypair_id, NULL);
  items = search_unlocked (service, attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (items == NULL)
    {
      g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND, MESSAGE_NOT_FOUND);
      return NULL;
    }

  /* Key pair ids are UUIDs, so there is one item; take the first that loads. */
  for (GList *l = items; l != NULL && value == NULL; l = l->next)
    {
      g_clear_error (&local_error);
      if (secret_item_load_secret_sync (l->data, cancellable, &local_error))
        value = secret_item_get_secret (l->data);
    }
  g_list_free_full (items, g_object_unref);

  if (value == NULL)
    {
      if (local_error != NULL)
        propagate_error (error, local_error, KEYRING_STEP_READ);
      else
        g_set_error_literal (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED, MESSAGE_LOCKED);
      return NULL;
    }
  g_clear_error (&local_error);

  return secret_value_unref_to_password (value, NULL);
}

typedef gboolean (*ItemFunc) (SecretItem    *item,
                              gpointer       data,
                              GCancellable  *cancellable,
                              GError       **error);

/* Applies @func to every item matching @attributes (unlocked first); an item
 * another process deleted in the meantime is fine. @step names what @func
 * does, for the error. */
static gboolean
for_each_item_sync (GHashTable    *attributes,
                    ItemFunc       func,
                    gpointer       data,
                    KeyringStep    step,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  GError *local_error = NULL;
  GList *items;

  if (!(service = get_service (cancellable, error)))
    return FALSE;

  items = search_unlocked (service, attributes, cancellable, &local_error);
  for (GList *l = items; l != NULL && local_error == NULL; l = l->next)
    {
      GError *item_error = NULL;

      if (!func (l->data, data, cancellable, &item_error))
        {
          if (is_vanished_error (item_error))
            g_error_free (item_error);
          else
            propagate_error (&local_error, item_error, step);
        }
    }
  g_list_free_full (items, g_object_unref);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
delete_item (SecretItem    *item,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  return secret_item_delete_sync (item, cancellable, error);
}

static gboolean
relabel_item (SecretItem    *item,
              gpointer       label,
              GCancellable  *cancellable,
              GError       **error)
{
  return secret_item_set_label_sync (item, label, cancellable, error);
}

gboolean
kf_keyring_delete_full_sync (const char    *keypair_id,
                             const char    *store_path,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;

  g_return_val_if_fail (keypair_id != NULL, FALSE);

  attributes = build_attributes (keypair_id, store_path);
  return for_each_item_sync (attributes, delete_item, NULL, KEYRING_STEP_DELETE, cancellable, error);
}

gboolean
kf_keyring_delete_sync (const char    *keypair_id,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return kf_keyring_delete_full_sync (keypair_id, NULL, cancellable, error);
}

gboolean
kf_keyring_relabel_sync (const char    *keypair_id,
                         const char    *keypair_name,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (keypair_id != NULL, FALSE);
  g_return_val_if_fail (keypair_name != NULL, FALSE);

  attributes = build_attributes (keypair_id, NULL);
  label = make_label (keypair_name);
  return for_each_item_sync (attributes, relabel_item, label, KEYRING_STEP_RENAME, cancellable, error);
}

GPtrArray *
kf_keyring_list_entries_sync (const char    *store_path,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GError *local_error = NULL;
  GPtrArray *entries;
  GList *items;

  if (!(service = get_service (cancellable, error)))
    return NULL;

  /* The schema adds xdg:schema to the search, so this is every Keyferry item
   * (of @store_path), and nothing else. Secrets are not loaded. */
  attributes = build_attributes (NULL, store_path);
  items = search_unlocked (service, attributes, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) kf_keyring_entry_free);
  for (GList *l = items; l != NULL; l = l->next)
    {
      g_autoptr(GHashTable) item_attributes = secret_item_get_attributes (l->data);
      const char *id = g_hash_table_lookup (item_attributes, ATTR_KEYPAIR_ID);
      KfKeyringEntry *entry;

      if (id == NULL)
        continue;
      entry = g_new0 (KfKeyringEntry, 1);
      entry->keypair_id = g_strdup (id);
      entry->store_path = g_strdup (g_hash_table_lookup (item_attributes, ATTR_STORE));
      entry->created = (gint64) secret_item_get_created (l->data);
      g_ptr_array_add (entries, entry);
    }
  g_list_free_full (items, g_object_unref);

  return entries;
}

GStrv
kf_keyring_list_ids_sync (GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  g_autoptr(GHashTable) seen = NULL;

  if (!(entries = kf_keyring_list_entries_sync (NULL, cancellable, error)))
    return NULL;

  /* An id can appear twice (the same key pair in two collections): once is enough. */
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  ids = g_ptr_array_new ();
  for (guint i = 0; i < entries->len; i++)
    {
      KfKeyringEntry *entry = g_ptr_array_index (entries, i);

      if (g_hash_table_add (seen, entry->keypair_id))
        g_ptr_array_add (ids, g_strdup (entry->keypair_id));
    }
  g_ptr_array_add (ids, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
}

gboolean
kf_keyring_ensure_unlocked_sync (GCancellable  *cancellable,
                                 GError       **error)
{
  g_autoptr(SecretService) service = NULL;

  if (!(service = get_service (cancellable, error)))
    return FALSE;
  return ensure_default_unlocked (service, cancellable, error);
}

/* Asynchronous variants: the blocking twin in a worker thread, so prompts
 * and D-Bus round trips never stall the caller's main loop. */

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_DELETE,
  OP_RELABEL,
  OP_LIST_ENTRIES,
  OP_ENSURE_UNLOCKED,
} Op;

typedef struct {
  Op           op;
  char        *keypair_id;
  char        *keypair_name;
  char        *store_path;
  SecretValue *value;
} TaskData;

static void
task_data_free (TaskData *data)
{
  g_free (data->keypair_id);
  g_free (data->keypair_name);
  g_free (data->store_path);
  g_clear_pointer (&data->value, secret_value_unref);
  g_free (data);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  TaskData *data = task_data;
  GError *error = NULL;
  gboolean ok = FALSE;
  gpointer result = NULL;
  GDestroyNotify result_free = NULL;

  switch (data->op)
    {
    case OP_STORE:
      ok = store_value_sync (data->keypair_id, data->keypair_name, data->value,
                             data->store_path, cancellable, &error);
      break;
    case OP_LOOKUP:
      result = kf_keyring_lookup_sync (data->keypair_id, cancellable, &error);
      result_free = (GDestroyNotify) kf_secret_free;
      break;
    case OP_DELETE:
      ok = kf_keyring_delete_full_sync (data->keypair_id, data->store_path, cancellable, &error);
      break;
    case OP_RELABEL:
      ok = kf_keyring_relabel_sync (data->keypair_id, data->keypair_name, cancellable, &error);
      break;
    case OP_LIST_ENTRIES:
      result = kf_keyring_list_entries_sync (data->store_path, cancellable, &error);
      result_free = (GDestroyNotify) g_ptr_array_unref;
      break;
    case OP_ENSURE_UNLOCKED:
      ok = kf_keyring_ensure_unlocked_sync (cancellable, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (error != NULL)
    g_task_return_error (task, error);
  else if (result_free != NULL)
    g_task_return_pointer (task, result, result_free);
  else
    g_task_return_boolean (task, ok);
}

/* Runs @op in a worker thread; the strings are copied. */
static void
start_task (Op                   op,
            const char          *keypair_id,
            const char          *keypair_name,
            const char          *store_path,
            SecretValue         *value,
            gpointer             source_tag,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  TaskData *data = g_new0 (TaskData, 1);

  data->op = op;
  data->keypair_id = g_strdup (keypair_id);
  data->keypair_name = g_strdup (keypair_name);
  data->store_path = g_strdup (store_path);
  data->value = value;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, (GDestroyNotify) task_data_free);
  g_task_run_in_thread (task, run_in_thread);
}

/* @result as the GTask of @source_tag, or NULL (a programming error). */
static GTask *
task_of (GAsyncResult *result,
         gpointer      source_tag)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return G_TASK (result);
}

static gboolean
finish_boolean (GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  GTask *task = task_of (result, source_tag);

  return task != NULL && g_task_propagate_boolean (task, error);
}

static gpointer
finish_pointer (GAsyncResult  *result,
                gpointer       source_tag,
                GError       **error)
{
  GTask *task = task_of (result, source_tag);

  return task != NULL ? g_task_propagate_pointer (task, error) : NULL;
}

void
kf_keyring_store_full_async (const char          *keypair_id,
                             const char          *keypair_name,
                             const char          *private_key,
                             const char          *store_path,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (keypair_id != NULL && *keypair_id != '\0');
  g_return_if_fail (keypair_name != NULL);
  g_return_if_fail (private_key != NULL && *private_key != '\0');

  start_task (OP_STORE, keypair_id, keypair_name, store_path, value_new (private_key),
              kf_keyring_store_async, cancellable, callback, user_data);
}

void
kf_keyring_store_async (const char          *keypair_id,
                        const char          *keypair_name,
                        const char          *private_key,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  kf_keyring_store_full_async (keypair_id, keypair_name, private_key, NULL,
                               cancellable, callback, user_data);
}

gboolean
kf_keyring_store_finish (GAsyncResult  *result,
                         GError       **error)
{
  return finish_boolean (result, kf_keyring_store_async, error);
}

void
kf_keyring_lookup_async (const char          *keypair_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (keypair_id != NULL);

  start_task (OP_LOOKUP, keypair_id, NULL, NULL, NULL,
              kf_keyring_lookup_async, cancellable, callback, user_data);
}

char *
kf_keyring_lookup_finish (GAsyncResult  *result,
                          GError       **error)
{
  return finish_pointer (result, kf_keyring_lookup_async, error);
}

void
kf_keyring_delete_full_async (const char          *keypair_id,
                              const char          *store_path,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (keypair_id != NULL);

  start_task (OP_DELETE, keypair_id, NULL, store_path, NULL,
              kf_keyring_delete_async, cancellable, callback, user_data);
}

void
kf_keyring_delete_async (const char          *keypair_id,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  kf_keyring_delete_full_async (keypair_id, NULL, cancellable, callback, user_data);
}

gboolean
kf_keyring_delete_finish (GAsyncResult  *result,
                          GError       **error)
{
  return finish_boolean (result, kf_keyring_delete_async, error);
}

void
kf_keyring_relabel_async (const char          *keypair_id,
                          const char          *keypair_name,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (keypair_id != NULL);
  g_return_if_fail (keypair_name != NULL);

  start_task (OP_RELABEL, keypair_id, keypair_name, NULL, NULL,
              kf_keyring_relabel_async, cancellable, callback, user_data);
}

gboolean
kf_keyring_relabel_finish (GAsyncResult  *result,
                           GError       **error)
{
  return finish_boolean (result, kf_keyring_relabel_async, error);
}

void
kf_keyring_list_entries_async (const char          *store_path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_task (OP_LIST_ENTRIES, NULL, NULL, store_path, NULL,
              kf_keyring_list_entries_async, cancellable, callback, user_data);
}

GPtrArray *
kf_keyring_list_entries_finish (GAsyncResult  *result,
                                GError       **error)
{
  return finish_pointer (result, kf_keyring_list_entries_async, error);
}

void
kf_keyring_ensure_unlocked_async (GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  start_task (OP_ENSURE_UNLOCKED, NULL, NULL, NULL, NULL,
              kf_keyring_ensure_unlocked_async, cancellable, callback, user_data);
}

gboolean
kf_keyring_ensure_unlocked_finish (GAsyncResult  *result,
                                   GError       **error)
{
  return finish_boolean (result, kf_keyring_ensure_unlocked_async, error);
}
