/* kf-ssh-agent-message.c: building the SSH agent requests. The key
 * encoding of ADD_IDENTITY is OpenSSH's private key serialisation
 * (PROTOCOL.agent, sshkey_private_serialize in sshkey.c):
 *   ssh-ed25519:          string type, string ENC(A), string k || ENC(A)
 *   ecdsa-sha2-nistpNNN:  string type, string curve, string Q, mpint d
 *   ssh-rsa:              string type, mpint n, e, d, iqmp, p, q
 * then string comment and the constraints.
 *
 * The keyring holds unencrypted key texts in three shapes: openssh-key-v1
 * (whose private section is already this encoding), PEM (PKCS#1 RSA, SEC1
 * EC) and PKCS#8. The public parts of ECDSA keys come from the key pair's
 * public key (SEC1 may omit Q).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-agent"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-secret.h"
#include "kf-ssh-agent-private.h"
#include "kf-ssh-agent.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-wire-private.h"

/* ------------------------------------------------------------- writing */

static void
put_u32 (GByteArray *a,
         guint32     v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (a, b, 4);
}

static void
put_string (GByteArray   *a,
            const guchar *data,
            gsize         len)
{
  put_u32 (a, (guint32) len);
  g_byte_array_append (a, data, (guint) len);
}

/* An unsigned big-endian number as an SSH mpint: no leading zeros, and a
 * zero byte in front when the top bit is set (it would read as negative). */
static void
put_mpint (GByteArray   *a,
           const guchar *data,
           gsize         len)
{
  static const guint8 zero = 0;

  while (len > 0 && data[0] == 0)
    {
      data++;
      len--;
    }
  if (len > 0 && (data[0] & 0x80) != 0)
    {
      put_u32 (a, (guint32) len + 1);
      g_byte_array_append (a, &zero, 1);
      g_byte_array_append (a, data, (guint) len);
    }
  else
    put_string (a, data, len);
}

/* Writes the length in front of a message whose body starts at offset 4. */
static GByteArray *
frame (GByteArray *a)
{
  guint32 n = a->len - 4;

  a->data[0] = n >> 24;
  a->data[1] = n >> 16;
  a->data[2] = n >> 8;
  a->data[3] = n;
  return a;
}

static GByteArray *
message_new (gsize  capacity,
             guint8 type)
{
  static const guint8 placeholder[4] = { 0 };
  GByteArray *a = g_byte_array_sized_new ((guint) capacity + 5);

  g_byte_array_append (a, placeholder, 4);
  g_byte_array_append (a, &type, 1);
  return a;
}

void
kf_agent_message_free (GByteArray *message)
{
  if (message == NULL)
    return;
  /* the whole allocation could hold key bytes only up to len: nothing
   * beyond it was written, since the array was sized up front */
  kf_secret_byte_array_wipe (message);
  g_byte_array_unref (message);
}

GByteArray *
kf_agent_message_request_identities (void)
{
  return frame (message_new (0, KF_AGENTC_REQUEST_IDENTITIES));
}

GByteArray *
kf_agent_message_remove (GBytes *blob)
{
  gsize len;
  const guchar *data = g_bytes_get_data (blob, &len);
  GByteArray *a = message_new (len + 4, KF_AGENTC_REMOVE_IDENTITY);

  put_string (a, data, len);
  return frame (a);
}

GBytes *
kf_agent_public_blob (const char *public_line)
{
  g_auto(GStrv) fields = NULL;
  gsize len = 0;
  guchar *data;

  if (public_line == NULL)
    return NULL;
  fields = g_strsplit_set (public_line, " \t", 3);
  if (g_strv_length (fields) < 2 || kf_base64_check (fields[1], strlen (fields[1])) != KF_BASE64_OK)
    return NULL;
  data = g_base64_decode (fields[1], &len);
  if (len == 0)
    {
      g_free (data);
      return NULL;
    }
  return g_bytes_new_take (data, len);
}

/* ------------------------------------------------------------ key fields */

static gboolean
set_damaged (GError **error)
{
  g_set_error_literal (error, KF_AGENT_ERROR, KF_AGENT_ERROR_KEY,
                       _("The private key in the keyring is damaged; it cannot be added to the SSH agent."));
  return FALSE;
}

/* openssh-key-v1: the private section is "checkint checkint" then exactly
 * the agent's key encoding, then the comment and padding. The container was
 * checked by kf_ssh_key_decode_private_text. */
static gboolean
put_openssh_key (GByteArray          *a,
                 const guchar        *data,
                 gsize                len,
                 const KfKeyTypeInfo *info,
                 GError             **error)
{
  static const char magic[] = "openssh-key-v1";
  KfWireReader r = { data, len };
  const guchar *s, *start;
  gsize s_len;
  guint32 u, c1, c2;
  guint n_fields;
  gboolean ok;

  if (len < sizeof magic)
    return set_damaged (error);
  r.p += sizeof magic;
  r.left -= sizeof magic;
  ok = kf_wire_read_string (&r, &s, &s_len) && kf_wire_read_string (&r, &s, &s_len) &&
       kf_wire_read_string (&r, &s, &s_len) && kf_wire_read_u32 (&r, &u) &&
       kf_wire_read_string (&r, &s, &s_len) && kf_wire_read_string (&r, &s, &s_len);
  if (!ok)
    return set_damaged (error);

  r = (KfWireReader) { s, s_len };
  if (!kf_wire_read_u32 (&r, &c1) || !kf_wire_read_u32 (&r, &c2) || c1 != c2)
    return set_damaged (error);
  start = r.p;
  if (!kf_wire_read_string (&r, &s, &s_len) || !kf_wire_equal_str (s, s_len, info->name))
    return set_damaged (error);
  n_fields = info->type == KF_KEY_TYPE_RSA ? 6 : info->type == KF_KEY_TYPE_ED25519 ? 2 : 3;
  for (guint i = 0; i < n_fields; i++)
    if (!kf_wire_read_string (&r, &s, &s_len))
      return set_damaged (error);
  g_byte_array_append (a, start, (guint) (r.p - start));
  return TRUE;
}

static gboolean
read_der_integer (KfWireReader  *r,
                  const guchar **data,
                  gsize         *len)
{
  guint8 tag;

  if (!kf_der_read_header (r, &tag, len) || tag != KF_DER_INTEGER || *len > r->left)
    return FALSE;
  *data = r->p;
  r->p += *len;
  r->left -= *len;
  return TRUE;
}

/* PKCS#8 PrivateKeyInfo: version, algorithm, OCTET STRING { the PKCS#1 or
 * SEC1 key }: @r moves inside that octet string. */
static gboolean
enter_pkcs8 (KfWireReader *r)
{
  return kf_der_next (r, KF_DER_SEQUENCE, TRUE) && kf_der_next (r, KF_DER_INTEGER, FALSE) &&
         kf_der_next (r, KF_DER_SEQUENCE, FALSE) && kf_der_next (r, KF_DER_OCTETSTRING, TRUE);
}

/* RSAPrivateKey ::= SEQUENCE { version, n, e, d, p, q, dp, dq, qinv } */
static gboolean
put_rsa_der (GByteArray    *a,
             KfWireReader  *r,
             GError       **error)
{
  const guchar *f[9];
  gsize l[9];

  if (!kf_der_next (r, KF_DER_SEQUENCE, TRUE))
    return set_damaged (error);
  for (guint i = 0; i < 9; i++)
    if (!read_der_integer (r, &f[i], &l[i]))
      return set_damaged (error);
  put_string (a, (const guchar *) "ssh-rsa", 7);
  put_mpint (a, f[1], l[1]);  /* n */
  put_mpint (a, f[2], l[2]);  /* e */
  put_mpint (a, f[3], l[3]);  /* d */
  put_mpint (a, f[8], l[8]);  /* iqmp */
  put_mpint (a, f[4], l[4]);  /* p */
  put_mpint (a, f[5], l[5]);  /* q */
  return TRUE;
}

/* ECPrivateKey ::= SEQUENCE { 1, OCTET STRING d, ... }; the type, curve and
 * Q come from the public blob (string type, string curve, string Q). */
static gboolean
put_ecdsa_der (GByteArray    *a,
               KfWireReader  *r,
               GBytes        *public_blob,
               GError       **error)
{
  gsize blob_len;
  const guchar *blob = g_bytes_get_data (public_blob, &blob_len);
  KfWireReader pub = { blob, blob_len };
  const guchar *type, *curve, *q, *d;
  gsize type_len, curve_len, q_len, d_len;
  guint8 tag;

  if (!kf_wire_read_string (&pub, &type, &type_len) || !kf_wire_read_string (&pub, &curve, &curve_len) ||
      !kf_wire_read_string (&pub, &q, &q_len))
    return set_damaged (error);
  if (!kf_der_next (r, KF_DER_SEQUENCE, TRUE) || !kf_der_next (r, KF_DER_INTEGER, FALSE) ||
      !kf_der_read_header (r, &tag, &d_len) || tag != KF_DER_OCTETSTRING || d_len > r->left || d_len == 0)
    return set_damaged (error);
  d = r->p;
  put_string (a, type, type_len);
  put_string (a, curve, curve_len);
  put_string (a, q, q_len);
  put_mpint (a, d, d_len);
  return TRUE;
}

/* Appends the key encoding of @private_text (of the type @public_line names). */
static gboolean
put_key (GByteArray  *a,
         const char  *private_text,
         GBytes      *public_blob,
         GError     **error)
{
  g_auto(KfPrivateKeyInfo) pki = { 0 };
  g_autoptr(KfSecretBytes) body = NULL;
  g_autoptr(GError) local = NULL;
  gsize blob_len;
  const guchar *blob = g_bytes_get_data (public_blob, &blob_len);
  KfWireReader pub = { blob, blob_len };
  const guchar *name;
  gsize name_len;
  const KfKeyTypeInfo *info;
  KfWireReader r;

  if (!kf_wire_read_string (&pub, &name, &name_len) ||
      (info = kf_key_type_info_lookup_name ((const char *) name, name_len)) == NULL)
    return set_damaged (error);

  body = kf_ssh_key_decode_private_text (private_text, &pki, &local);
  if (body == NULL || pki.encrypted)
    return set_damaged (error);
  r = (KfWireReader) { body->data, body->len };

  switch (pki.format)
    {
    case KF_PRIVATE_FORMAT_OPENSSH:
      return put_openssh_key (a, body->data, body->len, info, error);
    case KF_PRIVATE_FORMAT_PKCS8:
      if (!enter_pkcs8 (&r))
        return set_damaged (error);
      G_GNUC_FALLTHROUGH;
    case KF_PRIVATE_FORMAT_PEM:
      if (info->type == KF_KEY_TYPE_RSA)
        return put_rsa_der (a, &r, error);
      if (info->type != KF_KEY_TYPE_ED25519)
        return put_ecdsa_der (a, &r, public_blob, error);
      return set_damaged (error);
    case KF_PRIVATE_FORMAT_PKCS8_ENCRYPTED:
    default:
      return set_damaged (error);
    }
}

GByteArray *
kf_agent_message_add (const char  *private_text,
                      const char  *public_line,
                      const char  *comment,
                      guint32      lifetime,
                      gboolean     confirm,
                      GError     **error)
{
  g_autoptr(GBytes) public_blob = kf_agent_public_blob (public_line);
  gboolean constrained = lifetime > 0 || confirm;
  /* every field comes from the key text (its base64 is longer than what it
   * decodes to) or the public key line: sized once, never reallocated, so
   * that no unwiped copy of the key is left behind */
  gsize capacity = strlen (private_text) + strlen (public_line) + strlen (comment) + 64;
  GByteArray *a;
  guint8 *start;

  if (public_blob == NULL)
    {
      set_damaged (error);
      return NULL;
    }
  a = message_new (capacity, constrained ? KF_AGENTC_ADD_ID_CONSTRAINED : KF_AGENTC_ADD_IDENTITY);
  start = a->data;
  if (!put_key (a, private_text, public_blob, error))
    {
      kf_agent_message_free (a);
      return NULL;
    }
  put_string (a, (const guchar *) comment, strlen (comment));
  if (lifetime > 0)
    {
      guint8 c = KF_AGENT_CONSTRAIN_LIFETIME;

      g_byte_array_append (a, &c, 1);
      put_u32 (a, lifetime);
    }
  if (confirm)
    {
      guint8 c = KF_AGENT_CONSTRAIN_CONFIRM;

      g_byte_array_append (a, &c, 1);
    }
  g_assert (a->data == start);
  return frame (a);
}
