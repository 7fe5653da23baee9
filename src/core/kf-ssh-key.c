/* kf-ssh-key.c: what the SSH key files share: the key-type checks of the
 * API, the way from a libssh key to a KfKeyMaterial, and the tasks' end.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The work is split by what it reads: kf-ssh-wire.c (wire format, base64,
 * DER), kf-ssh-public-key.c (public key lines and blobs),
 * kf-ssh-private-key.c (private key armor and import) and kf-ssh-keygen.c
 * (generation). libssh does the cryptography; those files do the checks
 * around it, so that every failure gets a precise error.
 */
#define G_LOG_DOMAIN "kf-ssh-key"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-libssh-compat.h"
#include "kf-secret.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-key.h"
#include "kf-ssh-wire-private.h"

const char *
kf_ssh_key_type_to_name (KfKeyType type)
{
  return kf_key_type_get_name (type);
}

guint
kf_ssh_key_check_bits (KfKeyType  type,
                       guint      bits,
                       GError   **error)
{
  const KfKeyTypeInfo *info = kf_key_type_info_lookup (type);

  g_return_val_if_fail (info != NULL, 0);

  if (type == KF_KEY_TYPE_RSA)
    {
      if (bits == 0)
        return KF_SSH_KEY_RSA_DEFAULT_BITS;
      if (kf_key_type_rsa_bits_offered (bits))
        return bits;
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                   _("RSA keys can be 2048, 3072 or 4096 bits long, not %u."), bits);
      return 0;
    }

  if (bits == 0 || bits == info->bits)
    return info->bits;
  g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
               /* Translators: %s is a key type such as “Ed25519” or “ECDSA P-256”, %u its size */
               _("An %s key is always %u bits long."), _(info->label), info->bits);
  return 0;
}

char *
kf_ssh_key_export_private_text (ssh_key   key,
                                GError  **error)
{
  char *priv_b64 = NULL;
  char *private_text;
  gsize priv_len;

  /* NULL passphrase and no callback: unencrypted */
  if (ssh_pki_export_privkey_base64 (key, NULL, NULL, NULL, &priv_b64) != SSH_OK || priv_b64 == NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                           _("The private key could not be written out."));
      return NULL;
    }
  priv_len = strlen (priv_b64);
  /* OpenSSH wants the final newline */
  private_text = g_malloc (priv_len + 2);
  memcpy (private_text, priv_b64, priv_len);
  if (priv_len > 0 && priv_b64[priv_len - 1] != '\n')
    private_text[priv_len++] = '\n';
  private_text[priv_len] = '\0';
  kf_secret_wipe_text (priv_b64);
  ssh_string_free_char (priv_b64);
  return private_text;
}

KfKeyMaterial *
kf_ssh_key_material_from_private_key (ssh_key      key,
                                      const char  *comment,
                                      char        *private_text,
                                      GError     **error)
{
  g_autoptr(KfSecret) owned_private = private_text;
  g_autoptr(KfLibsshKey) pub = NULL;
  g_autoptr(KfSecretBytes) blob = NULL;
  char *pub_b64 = NULL;
  const KfKeyTypeInfo *info;
  guint bits = 0;

  if (kf_key_type_info_lookup_ssh (ssh_key_type (key)) == NULL)
    {
      const char *name = ssh_key_type_to_char (ssh_key_type (key));

      kf_ssh_key_set_unsupported_error (error, name != NULL ? name : "unknown");
      return NULL;
    }

  if (ssh_pki_export_privkey_to_pubkey (key, &pub) != SSH_OK ||
      ssh_pki_export_pubkey_base64 (pub, &pub_b64) != SSH_OK)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                           _("The public part of the key could not be derived."));
      return NULL;
    }

  blob = kf_base64_decode_secret (pub_b64, strlen (pub_b64));
  ssh_string_free_char (pub_b64);
  info = kf_ssh_key_inspect_public_blob (blob->data, blob->len, &bits, error);
  if (info == NULL)
    return NULL;

  return kf_ssh_key_material_from_blob (info, bits, blob->data, blob->len, comment,
                                        g_steal_pointer (&owned_private));
}

void
kf_ssh_key_run_task (gpointer             source_tag,
                     const char          *name,
                     gpointer             task_data,
                     GDestroyNotify       task_data_free,
                     GTaskThreadFunc      thread,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, task_data, task_data_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, thread);
}

void
kf_ssh_key_return_material (GTask         *task,
                            KfKeyMaterial *material,
                            GError        *error)
{
  if (!g_task_set_return_on_cancel (task, FALSE))
    {
      g_clear_object (&material);
      g_clear_error (&error);
      return;
    }
  if (material == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, material, g_object_unref);
}

KfKeyMaterial *
kf_ssh_key_material_finish (GAsyncResult  *result,
                            gpointer       source_tag,
                            GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
