/* kf-ssh-key.h: generating, importing and parsing SSH keys (on libssh).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-enums.h"
#include "kf-errors.h"
#include "kf-key-material.h"
#include "kf-key-type.h"

G_BEGIN_DECLS

/* RSA sizes offered; 0 as @bits means this one. */
#define KF_SSH_KEY_RSA_DEFAULT_BITS KF_KEY_TYPE_RSA_DEFAULT_BITS

/* The OpenSSH type name of @type ("ssh-ed25519", "ecdsa-sha2-nistp256", ..., "ssh-rsa");
 * the same as kf_key_type_get_name(). */
const char    *kf_ssh_key_type_to_name       (KfKeyType            type);
/* Checks @bits for @type: RSA takes 2048, 3072 or 4096 (0 = KF_SSH_KEY_RSA_DEFAULT_BITS);
 * the others take 0 or their own size. Returns the size the key will have, 0 on error. */
guint          kf_ssh_key_check_bits         (KfKeyType            type,
                                              guint                bits,
                                              GError             **error);

/* A comment fits: one line of valid text, at most KF_MAX_COMMENT_LEN bytes
 * (the GUI checks it as it is typed). */
gboolean       kf_ssh_key_check_comment      (const char           *comment,
                                              GError              **error);

/* Generates a new key pair in a worker thread. @comment may be NULL. The private key
 * comes out unencrypted: OpenSSH format for Ed25519, PKCS#8 PEM for ECDSA and RSA. */
void           kf_ssh_key_generate_async     (KfKeyType            type,
                                              guint                bits,
                                              const char          *comment,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
KfKeyMaterial *kf_ssh_key_generate_finish    (GAsyncResult        *result,
                                              GError             **error);
/* Blocking twin, for worker threads and the CLI. */
KfKeyMaterial *kf_ssh_key_generate_sync      (KfKeyType            type,
                                              guint                bits,
                                              const char          *comment,
                                              GCancellable        *cancellable,
                                              GError             **error);

/* Reads a private key (OpenSSH, PEM RSA/EC, PKCS#8; encrypted ones with @passphrase)
 * and/or a public key line. Either may be NULL or blank, not both; when both are
 * given they must be the same key (comments aside). The comment comes from
 * @public_text, else from an unencrypted OpenSSH private key. The result's
 * private key is UNENCRYPTED: an unencrypted input is kept as given (armor
 * cleaned up: CRLF, indentation, wrapping), an encrypted one is decrypted and
 * re-exported by libssh. Errors are KF_KEY_ERROR_*, one sentence each. */
KfKeyMaterial *kf_ssh_key_import             (const char          *private_text,
                                              const char          *public_text,
                                              const char          *passphrase,
                                              GError             **error);
/* The same in a worker thread (decrypting a bcrypt-protected key takes a while).
 * The texts are copied (and wiped after use) before this returns. */
void           kf_ssh_key_import_async       (const char          *private_text,
                                              const char          *public_text,
                                              const char          *passphrase,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
KfKeyMaterial *kf_ssh_key_import_finish      (GAsyncResult        *result,
                                              GError             **error);

/* Whether @private_text is a private key that needs a passphrase to import,
 * as far as its armor tells without one (FALSE for anything else). Cheap:
 * no decryption, so a dialog can ask for the passphrase as the key arrives. */
gboolean       kf_ssh_key_private_text_is_encrypted (const char   *private_text);

/* Parses one public key line, "type base64 [comment]", also with authorized_keys
 * options or a known_hosts host field in front (those are dropped). Public-only. */
KfKeyMaterial *kf_ssh_key_parse_public       (const char          *line,
                                              GError             **error);
/* "SHA256:..." of a public key line, as ssh-keygen -lf prints it. */
char          *kf_ssh_key_fingerprint        (const char          *public_line,
                                              GError             **error);

G_END_DECLS
