/* kf-ssh-keygen.c: generating SSH key pairs (libssh does the work).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-keygen"

#include <glib/gi18n.h>

#include "kf-libssh-compat.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-key.h"

typedef struct {
  KfKeyType  type;
  guint      bits;
  char      *comment;
} GenerateData;

static void
generate_data_free (GenerateData *data)
{
  g_free (data->comment);
  g_free (data);
}

KfKeyMaterial *
kf_ssh_key_generate_sync (KfKeyType      type,
                          guint          bits,
                          const char    *comment,
                          GCancellable  *cancellable,
                          GError       **error)
{
  const KfKeyTypeInfo *info = kf_key_type_info_lookup (type);
  g_autoptr(KfLibsshKey) key = NULL;
  char *private_text;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bits = kf_ssh_key_check_bits (type, bits, error);
  if (bits == 0 || !kf_ssh_key_check_comment (comment, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (kf_libssh_generate_key (info->ssh_type, (int) bits, &key) != SSH_OK || key == NULL)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                   /* Translators: %s is a key type such as “Ed25519” or “RSA” */
                   _("The %s key could not be generated."), _(info->label));
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  private_text = kf_ssh_key_export_private_text (key, error);
  if (private_text == NULL)
    return NULL;
  return kf_ssh_key_material_from_private_key (key, comment, private_text, error);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GenerateData *data = task_data;
  GError *error = NULL;
  KfKeyMaterial *material;

  material = kf_ssh_key_generate_sync (data->type, data->bits, data->comment, cancellable, &error);
  kf_ssh_key_return_material (task, material, error);
}

void
kf_ssh_key_generate_async (KfKeyType            type,
                           guint                bits,
                           const char          *comment,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GenerateData *data;

  g_return_if_fail (kf_key_type_info_lookup (type) != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (GenerateData, 1);
  data->type = type;
  data->bits = bits;
  data->comment = g_strdup (comment);
  kf_ssh_key_run_task (kf_ssh_key_generate_async, "kf_ssh_key_generate_async",
                       data, (GDestroyNotify) generate_data_free, generate_thread,
                       cancellable, callback, user_data);
}

KfKeyMaterial *
kf_ssh_key_generate_finish (GAsyncResult  *result,
                            GError       **error)
{
  return kf_ssh_key_material_finish (result, kf_ssh_key_generate_async, error);
}
