/* kf-truenas-remote-user.h: what user.query tells about the SSH user on a
 * TrueNAS, and the text edits of its sshpubkey field (the lines TrueNAS
 * writes into that user's authorized_keys).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The shell TrueNAS's own semi-automatic setup sets instead of nologin. */
#define KF_TRUENAS_LOGIN_SHELL "/usr/bin/bash"
/* What "passwordless sudo for zfs" adds to sudo_commands_nopasswd. */
#define KF_TRUENAS_ZFS_COMMAND "/usr/sbin/zfs"

typedef struct {
  gint64 id;
  char *username;
  char *home;                 /* may be NULL */
  char *shell;                /* may be NULL */
  char *sshpubkey;            /* never NULL ("" when none) */
  GStrv sudo_nopasswd;        /* NULL: the version has no such field (CORE 13, 22.12.0) */
} KfTruenasRemoteUser;

/* NULL when @object has no integer id. */
KfTruenasRemoteUser *kf_truenas_remote_user_parse      (JsonObject                *object);
void                 kf_truenas_remote_user_free       (KfTruenasRemoteUser       *user);
/* The shell is nologin (TrueNAS's NO_LOGIN_SHELL, or any "…nologin"). */
gboolean             kf_truenas_remote_user_shell_is_nologin (const KfTruenasRemoteUser *user);
/* Passwordless sudo for zfs would add KF_TRUENAS_ZFS_COMMAND: not root, the
 * field exists, and neither ALL nor the command is in it. */
gboolean             kf_truenas_remote_user_needs_zfs  (const KfTruenasRemoteUser *user);
/* The user.update object: "shell": @shell (unless NULL) and, with @add_zfs,
 * "sudo_commands_nopasswd": the user's list + KF_TRUENAS_ZFS_COMMAND. */
JsonObject          *kf_truenas_remote_user_changes_new (const KfTruenasRemoteUser *user,
                                                        const char                *shell,
                                                        gboolean                   add_zfs);

/* Does @keys (authorized_keys text) hold @public_key (same type and base64;
 * comments and options do not count)? */
gboolean             kf_truenas_keys_contain           (const char                *keys,
                                                        const char                *public_key);
/* @keys with @public_key added at the end, every existing byte kept: one
 * key (trimmed, plus a newline), or whole lines ending in a newline (from
 * kf_truenas_keys_lines_with()) as they were. */
char                *kf_truenas_keys_add               (const char                *keys,
                                                        const char                *public_key);
/* The lines of @keys that hold @public_key, each with its own line ending
 * (a last line without one gets "\n"), options and comment; NULL: none. */
char                *kf_truenas_keys_lines_with        (const char                *keys,
                                                        const char                *public_key);
/* @keys without the lines holding @public_key, every other byte kept;
 * @before (may be NULL), what the text was before Keyferry added the key,
 * is returned as it was when only the line separator it lacked remains. */
char                *kf_truenas_keys_remove            (const char                *keys,
                                                        const char                *public_key,
                                                        const char                *before);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfTruenasRemoteUser, kf_truenas_remote_user_free)

G_END_DECLS
