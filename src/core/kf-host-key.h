/* kf-host-key.h: one SSH server host key (an OpenSSH public key line).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KF_TYPE_HOST_KEY (kf_host_key_get_type ())

G_DECLARE_FINAL_TYPE (KfHostKey, kf_host_key, KF, HOST_KEY, GObject)

/* Parses "type base64 [comment]", also with a leading host column as in
 * known_hosts or TrueNAS's ssh_pair text ("any-host type base64 comment").
 * The key must decode and be of the type it claims. Errors: KF_INPUT_ERROR_HOST_KEY. */
KfHostKey   *kf_host_key_parse           (const char  *line,
                                          GError     **error);
/* Parses a block of host key lines (TrueNAS's host_key text or a pasted
 * list): blank lines and `#` lines are skipped, host columns dropped,
 * repeats dropped. At most KF_MAX_HOST_KEYS; none at all is an error.
 * Returns a GPtrArray of KfHostKey. Errors: KF_INPUT_ERROR_HOST_KEY. */
GPtrArray   *kf_host_key_parse_list      (const char  *text,
                                          GError     **error);

/* OpenSSH key type name: "ssh-rsa", "ecdsa-sha2-nistp256", "ssh-ed25519", ... */
const char  *kf_host_key_get_key_type    (KfHostKey   *self);
const char  *kf_host_key_get_base64      (KfHostKey   *self);
/* May be NULL. */
const char  *kf_host_key_get_comment     (KfHostKey   *self);
/* "SHA256:..." exactly as ssh-keygen -lf prints it. */
const char  *kf_host_key_get_fingerprint (KfHostKey   *self);
/* Bits: modulus size for RSA, curve size for ECDSA, 256 for Ed25519. */
guint        kf_host_key_get_bits        (KfHostKey   *self);
/* "type base64[ comment]", as the connection stores it. */
const char  *kf_host_key_get_line        (KfHostKey   *self);
/* The same key (type and key data; comments are ignored). */
gboolean     kf_host_key_equal           (KfHostKey   *a,
                                          KfHostKey   *b);

G_END_DECLS
