/* kf-keypair.h: an SSH key pair as the store keeps it (the private key lives in the keyring).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KF_TYPE_KEYPAIR (kf_keypair_get_type ())

G_DECLARE_FINAL_TYPE (KfKeypair, kf_keypair, KF, KEYPAIR, GObject)

/* A new key pair with a fresh UUID and the current time as "created". */
KfKeypair  *kf_keypair_new                 (const char *name);

const char *kf_keypair_get_id              (KfKeypair  *self);
const char *kf_keypair_get_name            (KfKeypair  *self);
void        kf_keypair_set_name            (KfKeypair  *self,
                                            const char *name);
/* OpenSSH type name: "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ... */
const char *kf_keypair_get_key_type        (KfKeypair  *self);
void        kf_keypair_set_key_type        (KfKeypair  *self,
                                            const char *key_type);
guint       kf_keypair_get_bits            (KfKeypair  *self);
void        kf_keypair_set_bits            (KfKeypair  *self,
                                            guint       bits);
/* "SHA256:..." exactly as ssh-keygen -lf prints it. */
const char *kf_keypair_get_fingerprint     (KfKeypair  *self);
void        kf_keypair_set_fingerprint     (KfKeypair  *self,
                                            const char *fingerprint);
const char *kf_keypair_get_comment         (KfKeypair  *self);
void        kf_keypair_set_comment         (KfKeypair  *self,
                                            const char *comment);
/* The authorized_keys line: "type base64 [comment]". */
const char *kf_keypair_get_public_key      (KfKeypair  *self);
void        kf_keypair_set_public_key      (KfKeypair  *self,
                                            const char *public_key);
/* TRUE when the keyring holds the private key (FALSE: public-only key pair). */
gboolean    kf_keypair_get_has_private_key (KfKeypair  *self);
void        kf_keypair_set_has_private_key (KfKeypair  *self,
                                            gboolean    has_private_key);
gint64      kf_keypair_get_created         (KfKeypair  *self);
/* Not saved: kept up to date by KfStore (connections that use this key pair). */
guint       kf_keypair_get_usage_count     (KfKeypair  *self);
void        kf_keypair_set_usage_count     (KfKeypair  *self,
                                            guint       usage_count);

/* Copies every saved property of @from onto @self (same id expected). */
void        kf_keypair_assign              (KfKeypair  *self,
                                            KfKeypair  *from);
KfKeypair  *kf_keypair_copy                (KfKeypair  *self);

G_END_DECLS
