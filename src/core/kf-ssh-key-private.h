/* kf-ssh-key-private.h: what the SSH key files share (public keys, private
 * keys, generation; see kf-ssh-key.h for the API they implement).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libssh/libssh.h>

#include "kf-key-material.h"
#include "kf-key-type-private.h"
#include "kf-secret.h"

G_BEGIN_DECLS

/* ---- kf-ssh-public-key.c */

/* Names OpenSSH uses for keys we recognise but refuse (DSA, FIDO, certificates). */
gboolean       kf_ssh_key_is_unsupported_name        (const char           *name);
/* KF_KEY_ERROR_UNSUPPORTED_TYPE, saying why keys of type @name are refused. */
void           kf_ssh_key_set_unsupported_error      (GError              **error,
                                                      const char           *name);
/* Reads a public key blob: its type (which must be one we support) and size.
 * Any error is KF_KEY_ERROR_*. */
const KfKeyTypeInfo *
               kf_ssh_key_inspect_public_blob        (const guchar         *blob,
                                                      gsize                 len,
                                                      guint                *out_bits,
                                                      GError              **error);
/* Builds the material from a checked public blob; takes @private_key. */
KfKeyMaterial *kf_ssh_key_material_from_blob         (const KfKeyTypeInfo  *info,
                                                      guint                 bits,
                                                      const guchar         *blob,
                                                      gsize                 len,
                                                      const char           *comment,
                                                      char                 *private_key);
/* A key text is at most KF_MAX_KEY_TEXT_LEN bytes. */
gboolean       kf_ssh_key_check_text_size            (const char           *text,
                                                      gboolean              private_key,
                                                      GError              **error);
/* NULL, or only white space. */
gboolean       kf_ssh_key_is_blank                   (const char           *text);

/* ---- kf-ssh-private-key.c */

typedef enum {
  KF_PRIVATE_FORMAT_OPENSSH,
  KF_PRIVATE_FORMAT_PEM,            /* "RSA PRIVATE KEY", "EC PRIVATE KEY" */
  KF_PRIVATE_FORMAT_PKCS8,          /* "PRIVATE KEY" */
  KF_PRIVATE_FORMAT_PKCS8_ENCRYPTED /* "ENCRYPTED PRIVATE KEY" */
} KfPrivateFormat;

/* What we learnt about a private key text before giving it to libssh. */
typedef struct {
  KfPrivateFormat  format;
  gboolean         encrypted;
  gboolean         ec;          /* "EC PRIVATE KEY" */
  char            *comment;     /* unencrypted OpenSSH keys only */
  GBytes          *public_blob; /* OpenSSH keys: the public key in the clear header */
  char            *canonical;   /* secret: the armor re-wrapped cleanly */
} KfPrivateKeyInfo;

void           kf_private_key_info_clear             (KfPrivateKeyInfo     *pki);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KfPrivateKeyInfo, kf_private_key_info_clear)

/* Finds the PEM armor in @text (tolerating CRLF, indentation, blank lines and
 * text around it), checks what can be checked without the passphrase, and
 * rebuilds a clean armor for libssh in pki->canonical. */
gboolean       kf_ssh_key_inspect_private_text       (const char           *text,
                                                      KfPrivateKeyInfo     *pki,
                                                      GError              **error);
/* The same checks, then the armor's decoded body (the openssh-key-v1
 * container, or the DER of PEM and PKCS#8 keys) in wiped memory; pki->canonical
 * is not set. For the SSH agent, which wants the key's fields. */
KfSecretBytes *kf_ssh_key_decode_private_text        (const char           *text,
                                                      KfPrivateKeyInfo     *pki,
                                                      GError              **error);
/* KF_KEY_ERROR_NOT_A_KEY: "The private key is damaged ..." */
void           kf_ssh_key_set_damaged_private_error  (GError              **error);

/* ---- kf-ssh-key.c */

/* The private key re-exported by libssh, unencrypted: OpenSSH format for
 * Ed25519, PKCS#8 PEM for the others. Free with kf_secret_free(). */
char          *kf_ssh_key_export_private_text        (ssh_key               key,
                                                      GError              **error);
/* The material of a private key libssh holds: the public line and the
 * fingerprint from its public part. Takes @private_text (unencrypted). */
KfKeyMaterial *kf_ssh_key_material_from_private_key  (ssh_key               key,
                                                      const char           *comment,
                                                      char                 *private_text,
                                                      GError              **error);
/* Runs @thread on a new return-on-cancel task that owns @task_data; the
 * tasks of generation and import start here. */
void           kf_ssh_key_run_task                   (gpointer              source_tag,
                                                      const char           *name,
                                                      gpointer              task_data,
                                                      GDestroyNotify        task_data_free,
                                                      GTaskThreadFunc       thread,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
/* The shared end of the key worker threads (return-on-cancel tasks): a
 * result that comes after cancelling is dropped. Takes both. */
void           kf_ssh_key_return_material            (GTask                *task,
                                                      KfKeyMaterial        *material,
                                                      GError               *error);
KfKeyMaterial *kf_ssh_key_material_finish            (GAsyncResult         *result,
                                                      gpointer              source_tag,
                                                      GError              **error);

G_END_DECLS
