/* kf-ssh-key-import.c: importing key pairs: a private key (decrypted by
 * libssh once kf-ssh-private-key.c has vouched for it), a public key line, or
 * both, which must then be the same key.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-key-import"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-libssh-compat.h"
#include "kf-secret.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-key.h"

/* The private key unencrypted, from the text libssh has just read (@pki) or
 * from libssh's decrypted @key. */
static char *
unencrypted_private_text (KfPrivateKeyInfo  *pki,
                          ssh_key            key,
                          GError           **error)
{
  char *unencrypted;

  /* Already unencrypted, and libssh has just read it: keep it as given
   * (cleaned up). Re-exporting would also lose the comment, and libssh
   * 0.10 cannot write out RSA keys read from the OpenSSH format. */
  if (!pki->encrypted)
    return g_steal_pointer (&pki->canonical);

  unencrypted = kf_ssh_key_export_private_text (key, NULL);
  if (unencrypted != NULL)
    return unencrypted;
  if (pki->format == KF_PRIVATE_FORMAT_OPENSSH && ssh_key_type (key) == SSH_KEYTYPE_RSA)
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("Passphrase-protected RSA keys in the OpenSSH format cannot be imported yet; "
                         "convert the key with “ssh-keygen -p -m PEM -f FILE” (it keeps its passphrase) and import it again."));
  else
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                         _("The decrypted private key could not be written out."));
  return NULL;
}

/* An OpenSSH key states its public key twice: in the clear header and inside
 * the private part, which libssh used; they must agree. */
static gboolean
header_matches_key (KfKeyMaterial *material,
                    GBytes        *public_blob)
{
  g_autofree char *b64 = NULL;
  const char *line_b64;
  gsize len;

  if (public_blob == NULL)
    return TRUE;
  b64 = g_base64_encode (g_bytes_get_data (public_blob, NULL), g_bytes_get_size (public_blob));
  len = strlen (b64);
  line_b64 = strchr (kf_key_material_get_public_key (material), ' ') + 1;
  return strncmp (line_b64, b64, len) == 0 && (line_b64[len] == '\0' || line_b64[len] == ' ');
}

static KfKeyMaterial *
import_private (const char  *private_text,
                const char  *passphrase,
                const char  *comment,
                GError     **error)
{
  g_auto(KfPrivateKeyInfo) pki = { 0 };
  g_autoptr(KfLibsshKey) key = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  char *unencrypted;
  int rc;

  if (!kf_ssh_key_inspect_private_text (private_text, &pki, error))
    return NULL;

  if (pki.encrypted && (passphrase == NULL || passphrase[0] == '\0'))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NEEDS_PASSPHRASE,
                           _("This private key is protected by a passphrase; enter the passphrase to import it."));
      return NULL;
    }

  rc = ssh_pki_import_privkey_base64 (pki.canonical, pki.encrypted ? passphrase : NULL,
                                      kf_libssh_refuse_passphrase, NULL, &key);
  if (rc != SSH_OK || key == NULL)
    {
      if (pki.encrypted)
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_WRONG_PASSPHRASE,
                             _("The passphrase is wrong for this private key."));
      else
        kf_ssh_key_set_damaged_private_error (error);
      return NULL;
    }

  unencrypted = unencrypted_private_text (&pki, key, error);
  if (unencrypted == NULL)
    return NULL;

  material = kf_ssh_key_material_from_private_key (key, comment != NULL ? comment : pki.comment,
                                                   unencrypted, error);
  if (material == NULL)
    return NULL;
  if (!header_matches_key (material, pki.public_blob))
    {
      kf_ssh_key_set_damaged_private_error (error);
      return NULL;
    }
  return g_steal_pointer (&material);
}

static gboolean
public_key_part_equal (const char *line_a,
                       const char *line_b)
{
  /* "type base64" without the comment; both lines are ones we built */
  const char *a_end = strchr (strchr (line_a, ' ') + 1, ' ');
  const char *b_end = strchr (strchr (line_b, ' ') + 1, ' ');
  gsize a_len = a_end ? (gsize) (a_end - line_a) : strlen (line_a);
  gsize b_len = b_end ? (gsize) (b_end - line_b) : strlen (line_b);

  return a_len == b_len && memcmp (line_a, line_b, a_len) == 0;
}

KfKeyMaterial *
kf_ssh_key_import (const char  *private_text,
                   const char  *public_text,
                   const char  *passphrase,
                   GError     **error)
{
  g_autoptr(KfKeyMaterial) public = NULL;
  g_autoptr(KfKeyMaterial) private = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kf_ssh_key_is_blank (private_text) && kf_ssh_key_is_blank (public_text))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("There is no key to import; paste a private key, a public key, or both."));
      return NULL;
    }

  if (!kf_ssh_key_is_blank (public_text))
    {
      public = kf_ssh_key_parse_public (public_text, error);
      if (public == NULL)
        return NULL;
    }

  if (kf_ssh_key_is_blank (private_text))
    return g_steal_pointer (&public);

  if (!kf_ssh_key_check_text_size (private_text, TRUE, error))
    return NULL;

  private = import_private (private_text, passphrase,
                            public != NULL ? kf_key_material_get_comment (public) : NULL,
                            error);
  if (private == NULL)
    return NULL;

  if (public != NULL &&
      !public_key_part_equal (kf_key_material_get_public_key (public),
                              kf_key_material_get_public_key (private)))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_MISMATCH,
                           _("The public key does not match the private key."));
      return NULL;
    }

  return g_steal_pointer (&private);
}

typedef struct {
  char *private_text;   /* secret */
  char *public_text;
  char *passphrase;     /* secret */
} ImportData;

static void
import_data_free (ImportData *data)
{
  kf_secret_free (data->private_text);
  g_free (data->public_text);
  kf_secret_free (data->passphrase);
  g_free (data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;
  KfKeyMaterial *material;

  material = kf_ssh_key_import (data->private_text, data->public_text, data->passphrase, &error);
  kf_ssh_key_return_material (task, material, error);
}

void
kf_ssh_key_import_async (const char          *private_text,
                         const char          *public_text,
                         const char          *passphrase,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  ImportData *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (ImportData, 1);
  data->private_text = g_strdup (private_text);
  data->public_text = g_strdup (public_text);
  data->passphrase = g_strdup (passphrase);
  kf_ssh_key_run_task (kf_ssh_key_import_async, "kf_ssh_key_import_async",
                       data, (GDestroyNotify) import_data_free, import_thread,
                       cancellable, callback, user_data);
}

KfKeyMaterial *
kf_ssh_key_import_finish (GAsyncResult  *result,
                          GError       **error)
{
  return kf_ssh_key_material_finish (result, kf_ssh_key_import_async, error);
}

gboolean
kf_ssh_key_private_text_is_encrypted (const char *private_text)
{
  g_auto(KfPrivateKeyInfo) pki = { 0 };

  if (private_text == NULL || !kf_ssh_key_check_text_size (private_text, TRUE, NULL))
    return FALSE;
  return kf_ssh_key_inspect_private_text (private_text, &pki, NULL) && pki.encrypted;
}
