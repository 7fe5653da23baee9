/* kf-ssh-wire.c: the SSH wire format, base64 and DER readers.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-wire"

#include <string.h>

#include "kf-ssh-wire-private.h"

/* ------------------------------------------------------- SSH wire format */

gboolean
kf_wire_read_u32 (KfWireReader *r,
                  guint32      *out)
{
  if (r->left < 4)
    return FALSE;
  *out = ((guint32) r->p[0] << 24) | ((guint32) r->p[1] << 16) | ((guint32) r->p[2] << 8) | r->p[3];
  r->p += 4;
  r->left -= 4;
  return TRUE;
}

gboolean
kf_wire_read_string (KfWireReader  *r,
                     const guchar **data,
                     gsize         *len)
{
  guint32 n;

  if (!kf_wire_read_u32 (r, &n) || n > r->left)
    return FALSE;
  *data = r->p;
  *len = n;
  r->p += n;
  r->left -= n;
  return TRUE;
}

gboolean
kf_wire_equal_str (const guchar *data,
                   gsize         len,
                   const char   *str)
{
  return strlen (str) == len && memcmp (data, str, len) == 0;
}

guint
kf_wire_mpint_bits (const guchar *data,
                    gsize         len)
{
  while (len > 0 && data[0] == 0)
    {
      data++;
      len--;
    }
  if (len == 0)
    return 0;
  return (guint) (len - 1) * 8 + (guint) g_bit_storage (data[0]);
}

/* ------------------------------------------------------------------ base64 */

KfBase64Check
kf_base64_check (const char *b64,
                 gsize       len)
{
  gsize pad = 0;

  if (len == 0)
    return KF_BASE64_TRUNCATED;
  for (gsize i = 0; i < len; i++)
    {
      char c = b64[i];

      if (c == '=')
        pad++;
      else if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return KF_BASE64_INVALID;
    }
  if (pad > 2)
    return KF_BASE64_INVALID;
  if (len % 4 != 0)
    return KF_BASE64_TRUNCATED;
  return KF_BASE64_OK;
}

KfSecretBytes *
kf_base64_decode_secret (const char *b64,
                         gsize       len)
{
  g_autoptr(KfSecret) copy = g_strndup (b64, len);
  gsize decoded_len = 0;
  guchar *decoded = g_base64_decode (copy, &decoded_len);

  return kf_secret_bytes_new_take (decoded, decoded_len);
}

/* --------------------------------------------------------------------- DER */

gboolean
kf_der_read_header (KfWireReader *r,
                    guint8       *tag,
                    gsize        *len)
{
  guint8 first;

  if (r->left < 2)
    return FALSE;
  *tag = r->p[0];
  first = r->p[1];
  r->p += 2;
  r->left -= 2;
  if (first < 0x80)
    {
      *len = first;
      return TRUE;
    }
  first &= 0x7f;
  if (first == 0 || first > 4 || r->left < first)
    return FALSE;
  *len = 0;
  for (guint i = 0; i < first; i++)
    *len = (*len << 8) | r->p[i];
  r->p += first;
  r->left -= first;
  return TRUE;
}

gboolean
kf_der_next (KfWireReader *r,
             guint8        tag,
             gboolean      enter)
{
  guint8 got;
  gsize len;

  if (!kf_der_read_header (r, &got, &len) || got != tag || len > r->left)
    return FALSE;
  if (enter)
    r->left = len;
  else
    {
      r->p += len;
      r->left -= len;
    }
  return TRUE;
}

gboolean
kf_der_oid_is (const KfWireReader *r,
               const guchar       *oid,
               gsize               oid_len)
{
  return r->left >= oid_len && memcmp (r->p, oid, oid_len) == 0;
}

gboolean
kf_der_curve_supported (KfWireReader *r)
{
  static const guchar p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  static const guchar p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
  static const guchar p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
  guint8 tag;
  gsize len;

  if (!kf_der_read_header (r, &tag, &len) || tag != KF_DER_OID || len > r->left)
    return FALSE;
  return (len == sizeof p256 && memcmp (r->p, p256, len) == 0) ||
         (len == sizeof p384 && memcmp (r->p, p384, len) == 0) ||
         (len == sizeof p521 && memcmp (r->p, p521, len) == 0);
}
