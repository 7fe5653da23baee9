/* kf-key-material.h: one SSH key as parsed or generated, with its secret part if any.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "kf-keypair.h"

G_BEGIN_DECLS

#define KF_TYPE_KEY_MATERIAL (kf_key_material_get_type ())

G_DECLARE_FINAL_TYPE (KfKeyMaterial, kf_key_material, KF, KEY_MATERIAL, GObject)

/* Made by kf-ssh-key.c (generate, import, parse). Takes @private_key (may be NULL),
 * which is wiped when the object goes away; everything else is copied. */
KfKeyMaterial *kf_key_material_new                 (const char    *key_type,
                                                    guint          bits,
                                                    const char    *fingerprint,
                                                    const char    *comment,
                                                    const char    *public_key,
                                                    char          *private_key);

/* OpenSSH type name: "ssh-ed25519", "ecdsa-sha2-nistp256/384/521", "ssh-rsa". */
const char    *kf_key_material_get_key_type        (KfKeyMaterial *self);
/* 256 for Ed25519, the curve size for ECDSA, the modulus size for RSA. */
guint          kf_key_material_get_bits            (KfKeyMaterial *self);
/* "SHA256:..." exactly as ssh-keygen -lf prints it. */
const char    *kf_key_material_get_fingerprint     (KfKeyMaterial *self);
/* May be NULL. */
const char    *kf_key_material_get_comment         (KfKeyMaterial *self);
/* The authorized_keys line "type base64[ comment]". */
const char    *kf_key_material_get_public_key      (KfKeyMaterial *self);
gboolean       kf_key_material_get_has_private_key (KfKeyMaterial *self);
/* SECRET: the unencrypted private key (OpenSSH or PKCS#8 PEM text), NULL for a
 * public-only key. Deliberately not a property, so that no property dump logs it.
 * Owned by @self; never log it. */
const char    *kf_key_material_get_private_key     (KfKeyMaterial *self);

/* Copies key type, bits, fingerprint, comment, public key and has-private-key onto
 * @keypair (its name and id are left alone; the private key goes to the keyring). */
void           kf_key_material_apply_to_keypair    (KfKeyMaterial *self,
                                                    KfKeypair     *keypair);

G_END_DECLS
