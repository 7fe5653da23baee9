/* kf-ssh-config-export.h: an OpenSSH config folder for the connections, so
 * that "ssh ALIAS" in a terminal uses the key the SSH agent holds, with no
 * private key on disk.
 *
 * The folder (default ~/.ssh/keyferry) gets "config" (one Host block per
 * connection), "known_hosts" (the connections' host keys) and one public key
 * "ALIAS.pub" per connection. Running it again rewrites the folder in place:
 * every file is replaced atomically, and the files an earlier run wrote that
 * are no longer wanted are removed (only those: the list is kept in
 * ".keyferry-export"). ~/.ssh/config is never touched; the caller shows the
 * Include line.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-store.h"

G_BEGIN_DECLS

/* ~/.ssh/keyferry */
char     *kf_ssh_config_export_default_dir  (void);
/* A Host alias made from a connection name: lower-case letters, digits,
 * '.', '_' and '-' ("NAS 1 (office)" → "nas-1-office"); never empty. */
char     *kf_ssh_config_export_alias        (const char          *connection_name);
/* The line to add at the top of ~/.ssh/config: "Include ~/.ssh/keyferry/config". */
char     *kf_ssh_config_export_include_line (const char          *dir);

/* Writes the folder @dir for the connections of @store; returns the aliases
 * written, in the config's order (a NULL-terminated array). */
GStrv     kf_ssh_config_export_write        (const char          *dir,
                                             KfStore             *store,
                                             GError             **error);
/* The same: the contents are made now, the files written in a thread. */
void      kf_ssh_config_export_write_async  (const char          *dir,
                                             KfStore             *store,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
GStrv     kf_ssh_config_export_write_finish (GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
