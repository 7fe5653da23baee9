/* keys-test-util.h: ssh-keygen wrappers shared by the tests in tests/keys.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-ssh-key.h"

G_BEGIN_DECLS

/* Writes @content to a new file (mode 0600) in this test's private directory. */
char          *kt_write_temp                  (const char  *name,
                                               const char  *content);
/* `ssh-keygen -lf` of a public key line: the "SHA256:..." and the bits it prints. */
char          *kt_keygen_fingerprint          (const char  *public_line,
                                               guint       *out_bits);
/* `ssh-keygen -y -f` of an unencrypted private key: its public key line (no comment). */
char          *kt_keygen_public_from_private  (const char  *private_text);
/* `ssh-keygen -t @type [-b @bits] [-m @format] -N @passphrase -C @comment`. */
void           kt_keygen_make                 (const char  *type,
                                               guint        bits,
                                               const char  *format,
                                               const char  *passphrase,
                                               const char  *comment,
                                               char       **out_private,
                                               char       **out_public);
/* "type base64" of a public key line (options and comment dropped). */
char          *kt_key_part                    (const char  *line);
/* kf_ssh_key_generate_async, waited for in the main loop. */
KfKeyMaterial *kt_generate                    (KfKeyType    type,
                                               guint        bits,
                                               const char  *comment,
                                               GError     **error);

/* How the main loop fared while one key was generated in the background. */
typedef struct {
  guint          ticks;        /* dispatches of a 5 ms timeout meanwhile */
  gint64         max_gap_us;   /* longest time without one (start and end included) */
  gint64         elapsed_us;   /* start of the call to the ready callback */
  KfKeyMaterial *material;     /* the key (owned by the caller), NULL on error */
  GError        *error;
} KtStall;

/* Runs kf_ssh_key_generate_async in the thread-default main context with a
 * timeout ticking every 5 ms, and measures the gaps between its ticks. */
void           kt_measure_generate_stall      (KfKeyType    type,
                                               guint        bits,
                                               KtStall     *out);

G_END_DECLS
