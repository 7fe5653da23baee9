/* kf-host-key-private.h: KfHostKey from a libssh key, for the core's SSH code.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "kf-host-key.h"

G_BEGIN_DECLS

/* A KfHostKey for @key (a public key, e.g. what ssh_get_server_publickey()
 * gave), with @comment (may be NULL). */
KfHostKey *kf_host_key_new_from_ssh_key (ssh_key      key,
                                         const char  *comment,
                                         GError     **error);

G_END_DECLS
