/* kf-connection-ops.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-ops"

#include "kf-connection-ops.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-key-export.h"
#include "kf-keyring.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"

#include <glib/gi18n.h>
#include <string.h>

/* ---- test ---------------------------------------------------------------- */

typedef struct {
  KfVault      *vault;
  KfConnection *connection;
  KfKeypair    *keypair;
  gboolean      record;    /* save the outcome on the stored connection */
} TestData;

static void
test_data_free (TestData *data)
{
  g_clear_object (&data->vault);
  g_clear_object (&data->connection);
  g_clear_object (&data->keypair);
  g_free (data);
}

static void
record_result (TestData     *data,
               KfTestResult *result)
{
  KfStore *store = kf_vault_get_store (data->vault);
  KfConnection *stored = kf_store_find_connection (store, kf_connection_get_id (data->connection));
  g_autoptr(KfConnection) copy = NULL;
  g_autoptr(GError) error = NULL;

  /* The connection may have been deleted meanwhile: nothing to record then. */
  if (stored == NULL)
    return;
  copy = kf_connection_copy (stored);
  kf_test_result_apply_to_connection (result, copy);
  if (!kf_store_update_connection (store, copy, &error))
    g_warning ("Could not record the test result of “%s”: %s",
               kf_connection_get_name (stored), error->message);
}

static void
on_probe_done (GObject      *source,
               GAsyncResult *res,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestResult) result = kf_ssh_probe_test_finish (res, &error);

  if (result == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->record)
    record_result (data, result);
  g_task_return_pointer (task, g_steal_pointer (&result), g_object_unref);
}

static void
on_private_key (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TestData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) private_key = kf_vault_get_private_key_finish (KF_VAULT (source), res, &error);

  if (private_key == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* The probe copies what it needs; our copy is wiped when it goes out of scope. */
  kf_ssh_probe_test_async (data->connection, kf_keypair_get_name (data->keypair), private_key,
                           g_task_get_cancellable (task), on_probe_done, g_object_ref (task));
}

static void
start_test (KfVault             *vault,
            KfConnection        *connection,
            gboolean             record,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  KfStore *store = kf_vault_get_store (vault);
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;
  TestData *data;

  g_task_set_source_tag (task, kf_connection_ops_test_async);
  if (keypair == NULL)
    {
      g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_KEYPAIR,
                               _("The connection “%s” has no key pair; edit it and choose one."),
                               kf_connection_get_name (connection));
      return;
    }

  data = g_new0 (TestData, 1);
  data->vault = g_object_ref (vault);
  /* Test a snapshot: an edit while the test runs must not change what is tested. */
  data->connection = kf_connection_copy (connection);
  data->keypair = g_object_ref (keypair);
  data->record = record;
  g_task_set_task_data (task, data, (GDestroyNotify) test_data_free);

  kf_vault_get_private_key_async (vault, keypair, cancellable, on_private_key, g_steal_pointer (&task));
}

void
kf_connection_ops_test_async (KfVault             *vault,
                              KfConnection        *connection,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  start_test (vault, connection, TRUE, cancellable, callback, user_data);
}

void
kf_connection_ops_check_async (KfVault             *vault,
                               KfConnection        *connection,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  start_test (vault, connection, FALSE, cancellable, callback, user_data);
}

KfTestResult *
kf_connection_ops_test_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- add ----------------------------------------------------------------- */

char *
kf_connection_ops_new_keypair_name (KfStore    *store,
                                    const char *connection_name)
{
  char *name = g_strdup_printf (_("%s Key"), connection_name);

  for (guint i = 2; kf_store_find_keypair_by_name (store, name) != NULL; i++)
    {
      g_free (name);
      name = g_strdup_printf (_("%s Key %u"), connection_name, i);
    }
  return name;
}

typedef struct {
  KfVault      *vault;
  KfConnection *connection;
  KfKeypair    *new_keypair;   /* the generated one, once saved */
} AddData;

static void
add_data_free (AddData *data)
{
  g_clear_object (&data->vault);
  g_clear_object (&data->connection);
  g_clear_object (&data->new_keypair);
  g_free (data);
}

static void
on_rollback_done (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  GError *original = g_object_get_data (G_OBJECT (task), "kf-error");

  if (!kf_vault_delete_keypair_finish (KF_VAULT (source), res, &error))
    g_warning ("Could not remove the key pair generated for a failed setup: %s", error->message);
  g_task_return_error (task, g_error_copy (original));
}

static void
finish_add (GTask *task)
{
  AddData *data = g_task_get_task_data (task);
  KfStore *store = kf_vault_get_store (data->vault);
  g_autoptr(GError) error = NULL;

  /* Not g_task_return_error_if_cancelled(): that would complete the task
   * before the generated key pair below is removed again. */
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task))
      && kf_store_add_connection (store, data->connection, &error))
    {
      KfConnection *stored = kf_store_find_connection (store, kf_connection_get_id (data->connection));
      g_task_return_pointer (task, g_object_ref (stored), g_object_unref);
      return;
    }
  if (error == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The setup was cancelled."));

  if (data->new_keypair == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  /* Remove the key pair we generated: nothing half-made stays behind. */
  g_object_set_data_full (G_OBJECT (task), "kf-error", g_steal_pointer (&error), (GDestroyNotify) g_error_free);
  kf_vault_delete_keypair_async (data->vault, kf_keypair_get_id (data->new_keypair), FALSE,
                                 NULL, on_rollback_done, g_object_ref (task));
}

static void
on_keypair_saved (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  KfKeypair *keypair = g_object_get_data (G_OBJECT (task), "kf-keypair");

  if (!kf_vault_add_keypair_finish (KF_VAULT (source), res, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->new_keypair = g_object_ref (keypair);
  kf_connection_set_keypair_id (data->connection, kf_keypair_get_id (keypair));
  finish_add (task);
}

static void
on_key_generated (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  AddData *data = g_task_get_task_data (task);
  KfStore *store = kf_vault_get_store (data->vault);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_finish (res, &error);
  g_autofree char *name = NULL;
  KfKeypair *keypair;

  if (material == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  name = kf_connection_ops_new_keypair_name (store, kf_connection_get_name (data->connection));
  keypair = kf_keypair_new (name);
  kf_key_material_apply_to_keypair (material, keypair);
  g_object_set_data_full (G_OBJECT (task), "kf-keypair", keypair, g_object_unref);
  /* Not cancellable: a cancelled GTask reports CANCELLED even when the key
   * pair was saved, and then nothing would remove it; finish_add checks. */
  kf_vault_add_keypair_async (data->vault, keypair, kf_key_material_get_private_key (material),
                              NULL, on_keypair_saved, g_object_ref (task));
}

void
kf_connection_ops_add_async (KfVault             *vault,
                             KfConnection        *connection,
                             gboolean             generate_key,
                             KfKeyType            key_type,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  KfStore *store = kf_vault_get_store (vault);
  AddData *data = g_new0 (AddData, 1);
  g_autoptr(GError) error = NULL;

  g_task_set_source_tag (task, kf_connection_ops_add_async);
  data->vault = g_object_ref (vault);
  data->connection = g_object_ref (connection);
  g_task_set_task_data (task, data, (GDestroyNotify) add_data_free);

  /* Refuse a taken name before generating anything. */
  if (!kf_connection_validate_name_free (kf_store_get_connections (store),
                                         kf_connection_get_name (connection), NULL, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (generate_key)
    {
      kf_ssh_key_generate_async (key_type, 0, kf_connection_get_name (connection), cancellable,
                                 on_key_generated, g_steal_pointer (&task));
      return;
    }

  {
    const char *keypair_id = kf_connection_get_keypair_id (connection);
    KfKeypair *keypair = keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;

    if (keypair == NULL)
      {
        g_task_return_new_error (task, KF_INPUT_ERROR, KF_INPUT_ERROR_KEYPAIR,
                                 _("Choose a key pair for the connection, or generate a new one."));
        return;
      }
    if (!kf_keypair_get_has_private_key (keypair))
      {
        g_task_return_new_error (task, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY,
                                 _("The key pair “%s” has only a public key and cannot log in; choose another."),
                                 kf_keypair_get_name (keypair));
        return;
      }
  }
  finish_add (task);
}

KfConnection *
kf_connection_ops_add_finish (GAsyncResult  *result,
                              GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- delete -------------------------------------------------------------- */

KfKeypair *
kf_connection_ops_get_exclusive_keypair (KfStore      *store,
                                         KfConnection *connection)
{
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;
  g_autoptr(GPtrArray) users = NULL;

  if (keypair == NULL)
    return NULL;
  users = kf_store_list_connections_using (store, keypair_id);
  for (guint i = 0; i < users->len; i++)
    if (g_strcmp0 (kf_connection_get_id (g_ptr_array_index (users, i)), kf_connection_get_id (connection)) != 0)
      return NULL;
  return keypair;
}

static void
on_keypair_deleted (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (kf_vault_delete_keypair_finish (KF_VAULT (source), res, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kf_connection_ops_delete_async (KfVault             *vault,
                                KfConnection        *connection,
                                gboolean             with_keypair,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  KfStore *store = kf_vault_get_store (vault);
  KfKeypair *keypair = with_keypair ? kf_connection_ops_get_exclusive_keypair (store, connection) : NULL;
  g_autofree char *keypair_id = keypair ? g_strdup (kf_keypair_get_id (keypair)) : NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, kf_connection_ops_delete_async);
  if (!kf_store_remove_connection (store, kf_connection_get_id (connection), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (keypair_id == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  kf_vault_delete_keypair_async (vault, keypair_id, FALSE, cancellable,
                                 on_keypair_deleted, g_steal_pointer (&task));
}

gboolean
kf_connection_ops_delete_finish (GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- update --------------------------------------------------------------- */

void
kf_connection_ops_update_async (KfVault             *vault,
                                KfConnection        *connection,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(KfConnection) changed = NULL;
  KfStore *store;
  GError *error = NULL;

  g_return_if_fail (KF_IS_VAULT (vault));
  g_return_if_fail (KF_IS_CONNECTION (connection));

  g_task_set_source_tag (task, kf_connection_ops_update_async);
  if (g_task_return_error_if_cancelled (task))
    return;

  store = kf_vault_get_store (vault);
  changed = kf_connection_copy (connection);
  kf_connection_set_test_state (changed, KF_TEST_STATE_UNTESTED);
  kf_connection_set_test_message (changed, NULL);
  /* One store transaction: the store is used from this thread only. */
  if (!kf_store_update_connection (store, changed, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  /* Saved: a Cancel from now on comes too late to say otherwise. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_return_pointer (task, g_object_ref (kf_store_find_connection (store, kf_connection_get_id (changed))),
                         g_object_unref);
}

KfConnection *
kf_connection_ops_update_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_connection_ops_update_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- ssh command --------------------------------------------------------- */

/* Quote only what a shell would split or expand: the usual
 * "ssh root@nas.local" stays readable. */
static char *
shell_word (const char *word)
{
  for (const char *p = word; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("@._:%+-/=,", *p) == NULL)
      return g_shell_quote (word);
  return g_strdup (word);
}

char *
kf_connection_ops_ssh_command (KfStore      *store,
                               KfConnection *connection)
{
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = store && keypair_id ? kf_store_find_keypair (store, keypair_id) : NULL;
  const char *user = kf_connection_get_username (connection);
  GString *cmd = g_string_new ("ssh");
  g_autofree char *target = NULL;
  g_autofree char *quoted = NULL;

  if (kf_connection_get_port (connection) != KF_CONNECTION_DEFAULT_PORT)
    g_string_append_printf (cmd, " -p %u", kf_connection_get_port (connection));
  if (keypair != NULL)
    {
      /* Where Download / "keypair export" puts the private key by default;
       * ~ stays outside any quotes so that the shell expands it. */
      g_autofree char *file = kf_key_export_file_name (kf_keypair_get_name (keypair));
      g_autofree char *quoted_file = shell_word (file);
      g_string_append_printf (cmd, " -i ~/.ssh/%s", quoted_file);
    }
  if (user != NULL && *user != '\0')
    target = g_strdup_printf ("%s@%s", user, kf_connection_get_host (connection));
  else
    target = g_strdup (kf_connection_get_host (connection));
  quoted = shell_word (target);
  g_string_append_printf (cmd, " %s", quoted);
  return g_string_free (cmd, FALSE);
}
