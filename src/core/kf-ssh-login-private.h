/* kf-ssh-login-private.h: an SSH session logged in the way the Test does it
 * (one Connect Timeout for connect + host key + login, the host key checked
 * against the connection's stored ones), kept open for more work (SFTP).
 * Used on one thread: the one that opened it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "kf-connection.h"

G_BEGIN_DECLS

typedef struct _KfSshLogin KfSshLogin;

/* Errors as the Test's: KF_SSH_ERROR_HOST_KEY_MISMATCH, _AUTH_FAILED, … */
KfSshLogin  *kf_ssh_login_open_sync     (KfConnection  *connection,
                                         const char    *keypair_name,
                                         const char    *private_key,
                                         GCancellable  *cancellable,
                                         GError       **error);
ssh_session  kf_ssh_login_get_session   (KfSshLogin    *login);
/* Sets @error (timeout, cancelled, or @format filled in) and returns FALSE. */
gboolean     kf_ssh_login_fail          (KfSshLogin    *login,
                                         GError       **error,
                                         const char    *format,
                                         ...) G_GNUC_PRINTF (3, 4);
void         kf_ssh_login_free          (KfSshLogin    *login);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfSshLogin, kf_ssh_login_free)

G_END_DECLS
