/* kf-key-type-private.h: the key-type table itself, for the core's SSH code
 * (it names libssh's types, which the GUI and the CLI never see).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libssh/libssh.h>

#include "kf-key-type.h"

G_BEGIN_DECLS

typedef struct {
  KfKeyType            type;
  const char          *name;          /* OpenSSH name */
  const char          *label;         /* marked for translation: show it translated */
  enum ssh_keytypes_e  ssh_type;
  guint                bits;          /* 0: depends on the key (RSA) */
  const char          *curve;         /* ECDSA curve name inside the blob */
  const char          *hostkey_algos; /* what asks a server for a host key of this type */
} KfKeyTypeInfo;

/* All of them, in order of preference as host keys: Ed25519, ECDSA P-521,
 * P-384, P-256, RSA. */
const KfKeyTypeInfo *kf_key_type_info_get_all       (guint               *n_infos);
const KfKeyTypeInfo *kf_key_type_info_lookup        (KfKeyType            type);
/* @name need not be NUL-terminated; NULL for names not in the table. */
const KfKeyTypeInfo *kf_key_type_info_lookup_name   (const char          *name,
                                                     gsize                len);
const KfKeyTypeInfo *kf_key_type_info_lookup_ssh    (enum ssh_keytypes_e  ssh_type);

G_END_DECLS
