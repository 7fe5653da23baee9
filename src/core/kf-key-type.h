/* kf-key-type.h: the SSH key types Keyferry knows, for the GUI and the CLI.
 *
 * One table (kf-key-type.c) holds each type's OpenSSH name, label, size,
 * curve and host key algorithms; everything here reads it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "kf-enums.h"

G_BEGIN_DECLS

/* The RSA size offered first and meant by "rsa" in the default-key-type setting. */
#define KF_KEY_TYPE_RSA_DEFAULT_BITS 3072

/* The OpenSSH name of @type: "ssh-ed25519", "ecdsa-sha2-nistp256", ..., "ssh-rsa". */
const char *kf_key_type_get_name            (KfKeyType    type);
/* The translated label of @type: "Ed25519", "ECDSA P-256", ..., "RSA". */
const char *kf_key_type_get_label           (KfKeyType    type);
/* The size of every key of @type, in bits; 0 for RSA (it depends on the key). */
guint       kf_key_type_get_bits            (KfKeyType    type);
/* The type whose OpenSSH name is @openssh_name; FALSE for any other name. */
gboolean    kf_key_type_from_name           (const char  *openssh_name,
                                             KfKeyType   *out);
/* The translated label of the key type @openssh_name names ("ssh-ed25519" →
 * "Ed25519"); @openssh_name itself when it is not a known type, "" for NULL. */
const char *kf_key_type_label_for_name      (const char  *openssh_name);
/* The label with the size where the size varies (RSA): "RSA 3072-bit",
 * "Ed25519". @bits 0: unknown, the label alone. */
char       *kf_key_type_describe            (const char  *openssh_name,
                                             guint        bits);

/* The choices for a new key, in the order a menu shows them: Ed25519, the
 * three ECDSA curves, then RSA 2048, 3072 and 4096. */
guint       kf_key_type_n_choices           (void);
/* The type and size of choice @index (size 0: the type's only size). */
KfKeyType   kf_key_type_get_choice          (guint        index,
                                             guint       *out_bits);
/* Its translated label: "Ed25519", ..., "RSA 3072". */
char       *kf_key_type_dup_choice_label    (guint        index);
/* The choice that the default-key-type setting @setting (a KfKeyType nick,
 * "ed25519" ... "rsa") means; RSA means KF_KEY_TYPE_RSA_DEFAULT_BITS. 0 (the
 * first choice) for NULL or an unknown setting. */
guint       kf_key_type_choice_for_setting  (const char  *setting);
/* Whether @bits is a size offered for RSA keys (2048, 3072, 4096). */
gboolean    kf_key_type_rsa_bits_offered    (guint        bits);

G_END_DECLS
