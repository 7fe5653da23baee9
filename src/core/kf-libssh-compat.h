/* kf-libssh-compat.h: the one place that knows how libssh's API differs
 * between the releases Keyferry builds with (0.10 on Debian 12, 0.11 on
 * Debian 13, 0.12 on newer systems and in the Flatpak), and of the small
 * helpers every libssh caller in the core needs (g_autoptr for keys, a
 * passphrase callback that never prompts).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>

G_BEGIN_DECLS

/* g_autoptr(KfLibsshKey) holds an ssh_key (KfLibsshKey * is an ssh_key). */
typedef struct ssh_key_struct KfLibsshKey;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfLibsshKey, ssh_key_free)

/* The exit status the remote command sent on @channel (after EOF), or -1 if
 * it sent none (it was killed by a signal, or the channel broke).
 * libssh 0.11 deprecated ssh_channel_get_exit_status() for
 * ssh_channel_get_exit_state(). */
int kf_libssh_channel_exit_status (ssh_channel channel);

/* A new private key of @type (for ECDSA the type names the curve); @bits is
 * the RSA modulus size and ignored for other types. SSH_OK or SSH_ERROR, as
 * libssh answers. libssh 0.12 deprecated ssh_pki_generate() for
 * ssh_pki_generate_key() with a PKI context. */
int kf_libssh_generate_key (enum ssh_keytypes_e  type,
                            int                  bits,
                            ssh_key             *out_key);

/* The ssh_auth_callback for ssh_pki_import_privkey_base64() that never asks:
 * without one, libssh falls back to OpenSSL's prompt on the terminal. The keys
 * Keyferry reads come decrypted, or with their passphrase given up front. */
int kf_libssh_refuse_passphrase (const char *prompt,
                                 char       *buf,
                                 size_t      len,
                                 int         echo,
                                 int         verify,
                                 void       *userdata);

/* Renames @from over @to (which may exist) in one step with the SFTP
 * extension posix-rename@openssh.com; 0 on success, -1 otherwise. The caller
 * checks that the server offers the extension. */
int kf_libssh_sftp_posix_rename (sftp_session  sftp,
                                 const char   *from,
                                 const char   *to);

G_END_DECLS
