/* kf-test-sshd.h: a real OpenSSH sshd on loopback for tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One sshd (/usr/sbin/sshd -D) listening on 127.0.0.1, with its own RSA,
 * ECDSA (P-256) and Ed25519 host keys, accepting only public-key logins of the
 * current user whose keys are in its own authorized_keys file. */
typedef struct _KfTestSshd KfTestSshd;

/* Starts one in a fresh temporary directory (removed at stop) on a free port. */
KfTestSshd  *kf_test_sshd_start                    (GError     **error);
/* Starts one in @dir (created if missing, kept at stop); @port 0 picks a
 * free port, another value insists on that port. */
KfTestSshd  *kf_test_sshd_start_in                 (const char  *dir,
                                                    guint        port,
                                                    GError     **error);
/* Kills sshd (SIGTERM, then SIGKILL), reaps it, and frees @self. */
void         kf_test_sshd_stop                     (KfTestSshd  *self);

guint        kf_test_sshd_get_port                 (KfTestSshd  *self);
const char  *kf_test_sshd_get_dir                  (KfTestSshd  *self);
const char  *kf_test_sshd_get_log_path             (KfTestSshd  *self);
/* The pid of the running sshd (0 once stopped). */
GPid         kf_test_sshd_get_pid                  (KfTestSshd  *self);
/* The user sshd lets in (the current user). */
const char  *kf_test_sshd_get_user                 (KfTestSshd  *self);
const char  *kf_test_sshd_get_authorized_keys_path (KfTestSshd  *self);
/* Appends one OpenSSH public key line to authorized_keys (read per login). */
void         kf_test_sshd_add_authorized_key       (KfTestSshd  *self,
                                                    const char  *line);
/* The private host key file of @type ("rsa", "ecdsa", "ed25519"); the public
 * key is beside it with ".pub" appended. */
const char  *kf_test_sshd_get_host_key_path        (KfTestSshd  *self,
                                                    const char  *type);
/* The three public host key lines ("type base64 comment"), rsa, ecdsa, ed25519. */
char       **kf_test_sshd_get_host_key_lines       (KfTestSshd  *self);
/* Restarts sshd with freshly generated host keys, on the same port if it can. */
gboolean     kf_test_sshd_regenerate_host_keys     (KfTestSshd  *self,
                                                    GError     **error);

/* Restarts sshd with one more host key, made by ssh-keygen -t @type -b @bits
 * (e.g. "ecdsa", 384); its .pub is "ssh_host_extraN_TYPE_key.pub" in the dir.
 * Not part of get_host_key_lines. */
gboolean     kf_test_sshd_add_host_key             (KfTestSshd  *self,
                                                    const char  *type,
                                                    guint        bits,
                                                    GError     **error);

/* A fresh unencrypted Ed25519 key pair made by ssh-keygen at @path (and
 * @path.pub); returns the public key line. */
char        *kf_test_sshd_make_client_key          (const char  *path,
                                                    GError     **error);

/* Restarts sshd as a TrueNAS box plays it for Check All: every command goes
 * through tests/harness/truenas-box.sh (ForceCommand), which answers the
 * exact command that reads the version file, "cat /data/manifest.json", from
 * get_truenas_root()/data/manifest.json, runs every other command as given,
 * and appends each command to get_truenas_root()/commands. Production code
 * sends the same command to a real box; only this sshd maps the path. */
gboolean     kf_test_sshd_play_truenas             (KfTestSshd  *self,
                                                    GError     **error);
/* The directory standing in for the box's "/" (the caller writes data/manifest.json). */
char        *kf_test_sshd_get_truenas_root         (KfTestSshd  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfTestSshd, kf_test_sshd_stop)

G_END_DECLS
