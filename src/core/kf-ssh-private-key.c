/* kf-ssh-private-key.c: reading private key texts before libssh does: the
 * PEM armor, the openssh-key-v1 container's clear header and the outer DER
 * structure of PEM and PKCS#8 keys.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libssh only says "failed", and with an encrypted key and no passphrase
 * OpenSSL would even prompt on the terminal. So we read the armor and the
 * unencrypted headers ourselves first and hand libssh a cleaned-up text only
 * when we know what it is.
 */
#define G_LOG_DOMAIN "kf-ssh-private-key"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-secret.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-key.h"
#include "kf-ssh-wire-private.h"

/* More than any SSH tool uses (ssh-keygen: 16; ~5 ms each on a laptop). */
#define MAX_BCRYPT_ROUNDS 1000u

void
kf_private_key_info_clear (KfPrivateKeyInfo *pki)
{
  g_clear_pointer (&pki->comment, g_free);
  g_clear_pointer (&pki->public_blob, g_bytes_unref);
  g_clear_pointer (&pki->canonical, kf_secret_free);
}

void
kf_ssh_key_set_damaged_private_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                       _("The private key is damaged and cannot be read."));
}

static void
set_truncated_private_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED,
                       _("The private key is cut short; copy the whole key again, from its BEGIN line to its END line."));
}

/* -------------------------------------------------------- openssh-key-v1 */

/* The bcrypt rounds come from the file, and libssh spends them without a way
 * to cancel: a damaged or hostile key could ask for billions (days of CPU).
 * ssh-keygen uses 16 unless told otherwise. */
static gboolean
check_bcrypt_options (const guchar  *kdfopts,
                      gsize          kdfopts_len,
                      GError       **error)
{
  KfWireReader r = { kdfopts, kdfopts_len };
  const guchar *salt;
  gsize salt_len;
  guint32 rounds;

  if (!kf_wire_read_string (&r, &salt, &salt_len) || !kf_wire_read_u32 (&r, &rounds) || rounds == 0)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  if (rounds > MAX_BCRYPT_ROUNDS)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                   _("This private key’s passphrase protection asks for %u rounds, more than the %u Keyferry "
                     "accepts; re-encrypt it with “ssh-keygen -p -a 100 -f FILE” and import it again."),
                   rounds, MAX_BCRYPT_ROUNDS);
      return FALSE;
    }
  return TRUE;
}

/* An encrypted key: the kdf must be bcrypt with sane options, the cipher one
 * libssh decrypts. */
static gboolean
check_openssh_encryption (const guchar  *cipher,
                          gsize          cipher_len,
                          const guchar  *kdf,
                          gsize          kdf_len,
                          const guchar  *kdfopts,
                          gsize          kdfopts_len,
                          GError       **error)
{
  /* libssh 0.10 crashes on the AEAD ciphers (aes*-gcm, chacha20-poly1305)
   * instead of failing: let it see only the ones it decrypts */
  static const char * const readable[] = {
    "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc",
  };
  g_autofree char *name = NULL;

  if (!kf_wire_equal_str (kdf, kdf_len, "bcrypt"))
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  if (!check_bcrypt_options (kdfopts, kdfopts_len, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (readable); i++)
    if (kf_wire_equal_str (cipher, cipher_len, readable[i]))
      return TRUE;

  name = g_strndup ((const char *) cipher, MIN (cipher_len, 64));
  g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
               _("This private key is encrypted with %s, which Keyferry cannot decrypt; "
               "re-encrypt it with “ssh-keygen -p -Z aes256-ctr -f FILE” and import it again."),
               g_utf8_validate (name, -1, NULL) ? name : "an unknown cipher");
  return FALSE;
}

/* The comment of an unencrypted private section (checkint x2, type, the
 * type's fields, comment) goes to pki->comment when there is a usable one. */
static gboolean
read_openssh_comment (const guchar      *priv,
                      gsize              priv_len,
                      KfPrivateKeyInfo  *pki,
                      GError           **error)
{
  KfWireReader r = { priv, priv_len };
  const guchar *type, *field, *comment = NULL;
  gsize type_len, field_len, comment_len = 0;
  const KfKeyTypeInfo *info;
  guint32 check1, check2, n_fields;
  gboolean ok;

  ok = kf_wire_read_u32 (&r, &check1) && kf_wire_read_u32 (&r, &check2) &&
       kf_wire_read_string (&r, &type, &type_len);
  if (!ok)
    return TRUE;
  info = kf_key_type_info_lookup_name ((const char *) type, type_len);
  /* libssh 0.10 leaks the type name of a private part it does not know:
   * such a key is damaged anyway (the public part names a known type). */
  if (info == NULL)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }

  n_fields = info->type == KF_KEY_TYPE_RSA ? 6 : info->type == KF_KEY_TYPE_ED25519 ? 2 : 3;
  for (guint i = 0; ok && i < n_fields; i++)
    ok = kf_wire_read_string (&r, &field, &field_len);
  if (ok && kf_wire_read_string (&r, &comment, &comment_len) && comment_len > 0)
    {
      g_autofree char *str = g_strndup ((const char *) comment, comment_len);

      if (kf_ssh_key_check_comment (str, NULL))
        pki->comment = g_steal_pointer (&str);
    }
  return TRUE;
}

/* openssh-key-v1: magic, cipher, kdf, kdf options, key count, public blob,
 * then the (possibly encrypted) private section. Everything up to the private
 * section is readable without the passphrase. */
static gboolean
inspect_openssh_key (const guchar      *data,
                     gsize              len,
                     KfPrivateKeyInfo  *pki,
                     GError           **error)
{
  static const char magic[] = "openssh-key-v1";   /* followed by its NUL */
  KfWireReader r = { data, len };
  const guchar *cipher, *kdf, *kdfopts, *pubblob, *priv;
  gsize cipher_len, kdf_len, kdfopts_len, pubblob_len, priv_len;
  guint32 nkeys;
  guint bits;

  if (len < sizeof magic)
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (memcmp (data, magic, sizeof magic) != 0)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  r.p += sizeof magic;
  r.left -= sizeof magic;

  if (!kf_wire_read_string (&r, &cipher, &cipher_len) ||
      !kf_wire_read_string (&r, &kdf, &kdf_len) ||
      !kf_wire_read_string (&r, &kdfopts, &kdfopts_len) ||
      !kf_wire_read_u32 (&r, &nkeys))
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (nkeys != 1)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This file holds several keys; import them one at a time."));
      return FALSE;
    }
  if (!kf_wire_read_string (&r, &pubblob, &pubblob_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (kf_ssh_key_inspect_public_blob (pubblob, pubblob_len, &bits, error) == NULL)
    return FALSE;
  pki->public_blob = g_bytes_new (pubblob, pubblob_len);
  if (!kf_wire_read_string (&r, &priv, &priv_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }

  pki->encrypted = !kf_wire_equal_str (cipher, cipher_len, "none");
  if (pki->encrypted)
    return check_openssh_encryption (cipher, cipher_len, kdf, kdf_len, kdfopts, kdfopts_len, error);
  if (!kf_wire_equal_str (kdf, kdf_len, "none"))
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  return read_openssh_comment (priv, priv_len, pki, error);
}

/* ------------------------------------------------------------------- DER */

static void
set_unsupported_curve_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                       _("This ECDSA key uses a curve SSH does not support; use P-256, P-384 or P-521."));
}

/* PrivateKeyInfo ::= SEQUENCE { INTEGER version,
 *   SEQUENCE { OID algorithm, parameters }, OCTET STRING key }
 * @r is inside the outer SEQUENCE. Names the algorithms we refuse. */
static gboolean
inspect_pkcs8_algorithm (KfWireReader  *r,
                         GError       **error)
{
  static const guchar oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
  static const guchar oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
  static const guchar oid_ed25519[] = { 0x2b, 0x65, 0x70 };
  static const guchar oid_dsa[] = { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01 };
  guint8 tag;
  gsize oid_len;

  if (!kf_der_next (r, KF_DER_INTEGER, FALSE) || !kf_der_next (r, KF_DER_SEQUENCE, TRUE) ||
      !kf_der_read_header (r, &tag, &oid_len) || tag != KF_DER_OID || oid_len > r->left)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }

#define OID_IS(oid) (oid_len == sizeof (oid) && kf_der_oid_is (r, oid, sizeof (oid)))
  if (OID_IS (oid_dsa))
    {
      kf_ssh_key_set_unsupported_error (error, "ssh-dss");
      return FALSE;
    }
  if (OID_IS (oid_ed25519))
    {
      /* neither libssh 0.10 nor OpenSSH 9.2 can use these */
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("Ed25519 keys in PKCS#8 format are not supported; use a key in OpenSSH format (what ssh-keygen writes)."));
      return FALSE;
    }
  if (OID_IS (oid_ec))
    {
      r->p += oid_len;
      r->left -= oid_len;
      if (!kf_der_curve_supported (r))
        {
          set_unsupported_curve_error (error);
          return FALSE;
        }
    }
  else if (!OID_IS (oid_rsa))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This kind of private key is not supported; use Ed25519, ECDSA or RSA."));
      return FALSE;
    }
#undef OID_IS
  return TRUE;
}

/* ECPrivateKey ::= SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID curve, ... }
 * @r is inside the outer SEQUENCE. */
static gboolean
inspect_ec_curve (KfWireReader  *r,
                  GError       **error)
{
  if (!kf_der_next (r, KF_DER_INTEGER, FALSE) || !kf_der_next (r, KF_DER_OCTETSTRING, FALSE))
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  if (!kf_der_next (r, KF_DER_CONTEXT_0, TRUE) || !kf_der_curve_supported (r))
    {
      set_unsupported_curve_error (error);
      return FALSE;
    }
  return TRUE;
}

/* The outer DER SEQUENCE must be complete. Unencrypted keys are also looked
 * at more closely, to name what libssh or OpenSSH would refuse (DSA, other
 * curves, Ed25519 in PKCS#8) instead of failing generically. */
static gboolean
inspect_der_key (const guchar      *data,
                 gsize              len,
                 KfPrivateKeyInfo  *pki,
                 GError           **error)
{
  KfWireReader r = { data, len };
  guint8 tag;
  gsize seq_len;

  if (!kf_der_read_header (&r, &tag, &seq_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (tag != KF_DER_SEQUENCE)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }
  if (seq_len > r.left)
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  r.left = seq_len;

  if (pki->format == KF_PRIVATE_FORMAT_PKCS8)
    return inspect_pkcs8_algorithm (&r, error);
  if (pki->format == KF_PRIVATE_FORMAT_PEM && !pki->encrypted && pki->ec)
    return inspect_ec_curve (&r, error);
  return TRUE;
}

/* ----------------------------------------------------------------- armor */

/* A PEM armor as found in a text. */
typedef struct {
  char           *label;    /* "OPENSSH PRIVATE KEY", "RSA PRIVATE KEY", ... */
  GString        *headers;  /* RFC 1421 headers, each ending in '\n' */
  KfSecretString *body;     /* the base64, without line breaks */
  gsize           capacity; /* the body's room (the text's length and some) */
} Armor;

static void
armor_clear (Armor *armor)
{
  g_clear_pointer (&armor->label, g_free);
  if (armor->headers != NULL)
    g_string_free (g_steal_pointer (&armor->headers), TRUE);
  g_clear_pointer (&armor->body, kf_secret_string_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Armor, armor_clear)

typedef enum {
  ARMOR_BEFORE,
  ARMOR_HEADERS,
  ARMOR_BODY,
  ARMOR_DONE,
} ArmorState;

/* Text that is not PEM armor: say what it is when we can tell. */
static void
set_not_armored_error (const char  *text,
                       GError     **error)
{
  const char *p = text;
  g_autoptr(KfKeyMaterial) as_public = NULL;

  while (g_ascii_isspace (*p))
    p++;

  if (g_str_has_prefix (p, "PuTTY-User-Key-File-"))
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("PuTTY keys are not supported; export the key in OpenSSH format from PuTTYgen first."));
  else if (g_str_has_prefix (p, "---- BEGIN SSH2 ENCRYPTED PRIVATE KEY"))
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("Keys in the SSH.com format are not supported; convert the key to OpenSSH format first."));
  else if (g_str_has_prefix (p, "---- BEGIN SSH2 PUBLIC KEY") ||
           (as_public = kf_ssh_key_parse_public (p, NULL)) != NULL)
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                         _("This is a public key; the private key is the other file (the one without “.pub”)."));
  else
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                         _("This is not an SSH private key."));
}

/* Takes one line of the text, trimmed (@s, @len), into @armor. */
static gboolean
armor_add_line (Armor       *armor,
                ArmorState  *state,
                const char  *s,
                gsize        len,
                GError     **error)
{
  const char *e = s + len;

  if (*state == ARMOR_BEFORE)
    {
      if (len > 16 && strncmp (s, "-----BEGIN ", 11) == 0 && strncmp (e - 5, "-----", 5) == 0)
        {
          armor->label = g_strndup (s + 11, len - 16);
          *state = ARMOR_HEADERS;
        }
      return TRUE;
    }

  if (len == 0)
    return TRUE;

  if (len >= 9 && strncmp (s, "-----END ", 9) == 0)
    {
      if (len != strlen (armor->label) + 14 || strncmp (s + 9, armor->label, len - 14) != 0 ||
          strncmp (e - 5, "-----", 5) != 0)
        {
          kf_ssh_key_set_damaged_private_error (error);
          return FALSE;
        }
      *state = ARMOR_DONE;
    }
  else if (len >= 11 && strncmp (s, "-----BEGIN ", 11) == 0)
    {
      /* a second BEGIN before the END: the first key was cut */
      set_truncated_private_error (error);
      return FALSE;
    }
  else if (*state == ARMOR_HEADERS && memchr (s, ':', len) != NULL)
    {
      /* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...");
       * base64 never contains ':' */
      g_string_append_len (armor->headers, s, len);
      g_string_append_c (armor->headers, '\n');
    }
  else
    {
      *state = ARMOR_BODY;
      g_string_append_len (armor->body, s, len);
    }
  return TRUE;
}

/* Finds the armor in @text, line by line (CRLF, indentation and blank lines
 * are fine, and so is text around it). */
static gboolean
find_armor (const char  *text,
            Armor       *armor,
            GError     **error)
{
  ArmorState state = ARMOR_BEFORE;
  const char *p = text;

  armor->capacity = strlen (text) + 512;
  armor->body = kf_secret_string_new (armor->capacity);
  armor->headers = g_string_new (NULL);

  while (*p != '\0' && state != ARMOR_DONE)
    {
      const char *eol = p + strcspn (p, "\r\n");
      const char *s = p, *e = eol;

      while (s < e && (*s == ' ' || *s == '\t'))
        s++;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
      p = eol;
      while (*p == '\r' || *p == '\n')
        p++;
      if (!armor_add_line (armor, &state, s, e - s, error))
        return FALSE;
    }

  if (state == ARMOR_BEFORE)
    {
      set_not_armored_error (text, error);
      return FALSE;
    }
  if (state != ARMOR_DONE)
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  return TRUE;
}

/* pki->format from the armor's label; the labels we refuse get their reason. */
static gboolean
format_from_label (const char        *label,
                   KfPrivateKeyInfo  *pki,
                   GError           **error)
{
  if (g_str_equal (label, "OPENSSH PRIVATE KEY"))
    pki->format = KF_PRIVATE_FORMAT_OPENSSH;
  else if (g_str_equal (label, "RSA PRIVATE KEY") || g_str_equal (label, "EC PRIVATE KEY"))
    {
      pki->format = KF_PRIVATE_FORMAT_PEM;
      pki->ec = g_str_equal (label, "EC PRIVATE KEY");
    }
  else if (g_str_equal (label, "PRIVATE KEY"))
    pki->format = KF_PRIVATE_FORMAT_PKCS8;
  else if (g_str_equal (label, "ENCRYPTED PRIVATE KEY"))
    pki->format = KF_PRIVATE_FORMAT_PKCS8_ENCRYPTED;
  else if (g_str_equal (label, "DSA PRIVATE KEY"))
    {
      kf_ssh_key_set_unsupported_error (error, "ssh-dss");
      return FALSE;
    }
  else if (strstr (label, "PUBLIC KEY") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("This is a public key; the private key is the other file (the one without “.pub”)."));
      return FALSE;
    }
  else if (strstr (label, "PRIVATE KEY") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This kind of private key is not supported; use Ed25519, ECDSA or RSA."));
      return FALSE;
    }
  else
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH private key."));
      return FALSE;
    }
  return TRUE;
}

/* Decodes the armor's body and looks inside as far as its format allows
 * without the passphrase. */
static gboolean
inspect_armor_body (const Armor       *armor,
                    KfPrivateKeyInfo  *pki,
                    GError           **error)
{
  g_autoptr(KfSecretBytes) der = NULL;

  if (armor->headers->len > 0 && pki->format != KF_PRIVATE_FORMAT_PEM)
    {
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    }

  switch (kf_base64_check (armor->body->str, armor->body->len))
    {
    case KF_BASE64_INVALID:
      kf_ssh_key_set_damaged_private_error (error);
      return FALSE;
    case KF_BASE64_TRUNCATED:
      set_truncated_private_error (error);
      return FALSE;
    case KF_BASE64_OK:
    default:
      break;
    }

  der = kf_base64_decode_secret (armor->body->str, armor->body->len);

  switch (pki->format)
    {
    case KF_PRIVATE_FORMAT_OPENSSH:
      return inspect_openssh_key (der->data, der->len, pki, error);
    case KF_PRIVATE_FORMAT_PEM:
      pki->encrypted = strstr (armor->headers->str, "ENCRYPTED") != NULL;
      /* an encrypted traditional PEM body is ciphertext: nothing to look at */
      return pki->encrypted || inspect_der_key (der->data, der->len, pki, error);
    case KF_PRIVATE_FORMAT_PKCS8:
    case KF_PRIVATE_FORMAT_PKCS8_ENCRYPTED:
    default:
      pki->encrypted = pki->format == KF_PRIVATE_FORMAT_PKCS8_ENCRYPTED;
      return inspect_der_key (der->data, der->len, pki, error);
    }
}

/* The same armor, wrapped the way OpenSSH and OpenSSL write it (secret). */
static char *
armor_to_text (const Armor     *armor,
               KfPrivateFormat  format)
{
  guint width = format == KF_PRIVATE_FORMAT_OPENSSH ? 70 : 64;
  const GString *body = armor->body;
  g_autoptr(KfSecretString) text =
    kf_secret_string_new (armor->capacity + body->len / width + armor->headers->len);

  g_string_append_printf (text, "-----BEGIN %s-----\n", armor->label);
  if (armor->headers->len > 0)
    {
      g_string_append (text, armor->headers->str);
      g_string_append_c (text, '\n');
    }
  for (gsize i = 0; i < body->len; i += width)
    {
      g_string_append_len (text, body->str + i, MIN (width, body->len - i));
      g_string_append_c (text, '\n');
    }
  g_string_append_printf (text, "-----END %s-----\n", armor->label);

  return kf_secret_string_steal (g_steal_pointer (&text));
}

/* Finds, reads and checks the armor of @text into @armor and @pki. */
static gboolean
inspect_into_armor (const char        *text,
                    Armor             *armor,
                    KfPrivateKeyInfo  *pki,
                    GError           **error)
{
  /* SSH-1 key files are binary and start with this text. */
  if (g_str_has_prefix (text, "SSH PRIVATE KEY FILE FORMAT 1.1"))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("SSH-1 keys are not supported; create a new Ed25519 key instead."));
      return FALSE;
    }
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH private key."));
      return FALSE;
    }

  return find_armor (text, armor, error) &&
         format_from_label (armor->label, pki, error) &&
         inspect_armor_body (armor, pki, error);
}

gboolean
kf_ssh_key_inspect_private_text (const char        *text,
                                 KfPrivateKeyInfo  *pki,
                                 GError           **error)
{
  g_auto(Armor) armor = { 0 };

  if (!inspect_into_armor (text, &armor, pki, error))
    return FALSE;
  pki->canonical = armor_to_text (&armor, pki->format);
  return TRUE;
}

KfSecretBytes *
kf_ssh_key_decode_private_text (const char        *text,
                                KfPrivateKeyInfo  *pki,
                                GError           **error)
{
  g_auto(Armor) armor = { 0 };

  if (!inspect_into_armor (text, &armor, pki, error))
    return NULL;
  return kf_base64_decode_secret (armor.body->str, armor.body->len);
}
