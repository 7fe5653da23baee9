/* kf-ssh-wire-private.h: bounds-checked readers for what SSH keys are made
 * of: the SSH wire format (RFC 4251), strict base64 and DER (ASN.1). They
 * only read; the callers decide what a failure means.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "kf-secret.h"

G_BEGIN_DECLS

/* The unread rest of a buffer; every read moves past what it read. */
typedef struct {
  const guchar *p;
  gsize         left;
} KfWireReader;

/* SSH wire format: a big-endian uint32, and a string (uint32 length, bytes).
 * FALSE when the data ends first. */
gboolean       kf_wire_read_u32        (KfWireReader        *r,
                                        guint32             *out);
gboolean       kf_wire_read_string     (KfWireReader        *r,
                                        const guchar       **data,
                                        gsize               *len);
gboolean       kf_wire_equal_str       (const guchar        *data,
                                        gsize                len,
                                        const char          *str);
/* Number of significant bits of an unsigned big-endian integer (an SSH mpint). */
guint          kf_wire_mpint_bits      (const guchar        *data,
                                        gsize                len);

typedef enum {
  KF_BASE64_OK,
  KF_BASE64_INVALID,
  KF_BASE64_TRUNCATED,
} KfBase64Check;

/* Strict base64 (what g_base64_decode silently skips, we refuse). */
KfBase64Check  kf_base64_check         (const char          *b64,
                                        gsize                len);
/* Decodes base64 that passed kf_base64_check() into wiped memory. */
KfSecretBytes *kf_base64_decode_secret (const char          *b64,
                                        gsize                len);

#define KF_DER_SEQUENCE    0x30
#define KF_DER_INTEGER     0x02
#define KF_DER_OCTETSTRING 0x04
#define KF_DER_OID         0x06
#define KF_DER_CONTEXT_0   0xa0

/* Reads one DER tag and length; FALSE when the data ends first. */
gboolean       kf_der_read_header      (KfWireReader        *r,
                                        guint8              *tag,
                                        gsize               *len);
/* Enters (@enter) or skips the next DER element, which must have @tag. */
gboolean       kf_der_next             (KfWireReader        *r,
                                        guint8               tag,
                                        gboolean             enter);
/* Whether the reader is at the contents @oid. */
gboolean       kf_der_oid_is           (const KfWireReader  *r,
                                        const guchar        *oid,
                                        gsize                oid_len);
/* Reads the next element as an OID: TRUE when it is one of the curves
 * OpenSSH supports (P-256, P-384, P-521). */
gboolean       kf_der_curve_supported  (KfWireReader        *r);

G_END_DECLS
