/* kf-ssh-key.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libssh does the cryptography (generate, decrypt, re-export); this file does the
 * checks around it, so that every failure gets a precise error: libssh only says
 * "failed", and with an encrypted key and no passphrase OpenSSL would even prompt
 * on the terminal. So we read the armor and the unencrypted headers ourselves
 * first (openssh-key-v1 header, PEM headers, the outer DER structure) and hand
 * libssh a cleaned-up text only when we know what it is.
 */
#define G_LOG_DOMAIN "kf-ssh-key"

#include <glib/gi18n.h>
#include <string.h>

#include <libssh/libssh.h>

#include "kf-libssh-compat.h"
#include "kf-secret.h"
#include "kf-ssh-key.h"

/* More than any SSH tool uses (ssh-keygen: 16; ~5 ms each on a laptop). */
#define MAX_BCRYPT_ROUNDS 1000u

/* --------------------------------------------------------------- key types */

typedef struct {
  const char         *name;      /* OpenSSH name */
  const char         *label;     /* for messages */
  KfKeyType           type;
  enum ssh_keytypes_e ssh_type;
  guint               bits;      /* 0: depends on the key (RSA) */
  const char         *curve;     /* ECDSA curve name inside the blob */
} KeyTypeInfo;

static const KeyTypeInfo key_types[] = {
  { "ssh-ed25519",         "Ed25519",     KF_KEY_TYPE_ED25519,    SSH_KEYTYPE_ED25519,    256, NULL },
  { "ecdsa-sha2-nistp256", "ECDSA P-256", KF_KEY_TYPE_ECDSA_P256, SSH_KEYTYPE_ECDSA_P256, 256, "nistp256" },
  { "ecdsa-sha2-nistp384", "ECDSA P-384", KF_KEY_TYPE_ECDSA_P384, SSH_KEYTYPE_ECDSA_P384, 384, "nistp384" },
  { "ecdsa-sha2-nistp521", "ECDSA P-521", KF_KEY_TYPE_ECDSA_P521, SSH_KEYTYPE_ECDSA_P521, 521, "nistp521" },
  { "ssh-rsa",             "RSA",         KF_KEY_TYPE_RSA,        SSH_KEYTYPE_RSA,        0,   NULL },
};

static const KeyTypeInfo *
key_type_by_name (const char *name,
                  gsize       len)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (strlen (key_types[i].name) == len && memcmp (key_types[i].name, name, len) == 0)
      return &key_types[i];
  return NULL;
}

static const KeyTypeInfo *
key_type_by_kf (KfKeyType type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (key_types[i].type == type)
      return &key_types[i];
  return NULL;
}

static const KeyTypeInfo *
key_type_by_ssh (enum ssh_keytypes_e ssh_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    if (key_types[i].ssh_type == ssh_type)
      return &key_types[i];
  return NULL;
}

/* Names OpenSSH uses for keys we recognise but refuse. */
static gboolean
is_unsupported_type_name (const char *name)
{
  return g_str_equal (name, "ssh-dss") ||
         (g_str_has_prefix (name, "sk-") && g_str_has_suffix (name, "@openssh.com")) ||
         g_str_has_suffix (name, "-cert-v01@openssh.com");
}

static void
set_unsupported_type_error (GError    **error,
                            const char *name)
{
  if (g_str_equal (name, "ssh-dss"))
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("DSA keys are not supported because OpenSSH no longer accepts them; use an Ed25519 key instead."));
  else if (g_str_has_prefix (name, "sk-"))
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("Security-key (FIDO) keys are not supported because their secret part stays on the hardware key."));
  else if (g_str_has_suffix (name, "-cert-v01@openssh.com"))
    g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                         _("SSH certificates are not supported; use the plain public key instead."));
  else
    g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                 _("Keys of type “%s” are not supported; use Ed25519, ECDSA or RSA."), name);
}

const char *
kf_ssh_key_type_to_name (KfKeyType type)
{
  const KeyTypeInfo *info = key_type_by_kf (type);

  g_return_val_if_fail (info != NULL, NULL);
  return info->name;
}

guint
kf_ssh_key_check_bits (KfKeyType  type,
                       guint      bits,
                       GError   **error)
{
  const KeyTypeInfo *info = key_type_by_kf (type);

  g_return_val_if_fail (info != NULL, 0);

  if (type == KF_KEY_TYPE_RSA)
    {
      if (bits == 0)
        return KF_SSH_KEY_RSA_DEFAULT_BITS;
      if (bits == 2048 || bits == 3072 || bits == 4096)
        return bits;
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                   _("RSA keys can be 2048, 3072 or 4096 bits long, not %u."), bits);
      return 0;
    }

  if (bits == 0 || bits == info->bits)
    return info->bits;
  g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
               /* Translators: %s is a key type such as “Ed25519” or “ECDSA P-256”, %u its size */
               _("An %s key is always %u bits long."), info->label, info->bits);
  return 0;
}

/* ------------------------------------------------------- SSH wire format */

typedef struct {
  const guchar *p;
  gsize         left;
} Reader;

static gboolean
reader_u32 (Reader  *r,
            guint32 *out)
{
  if (r->left < 4)
    return FALSE;
  *out = ((guint32) r->p[0] << 24) | ((guint32) r->p[1] << 16) | ((guint32) r->p[2] << 8) | r->p[3];
  r->p += 4;
  r->left -= 4;
  return TRUE;
}

static gboolean
reader_string (Reader        *r,
               const guchar **data,
               gsize         *len)
{
  guint32 n;

  if (!reader_u32 (r, &n) || n > r->left)
    return FALSE;
  *data = r->p;
  *len = n;
  r->p += n;
  r->left -= n;
  return TRUE;
}

static gboolean
bytes_equal_str (const guchar *data,
                 gsize         len,
                 const char   *str)
{
  return strlen (str) == len && memcmp (data, str, len) == 0;
}

/* Number of significant bits of an unsigned big-endian integer (an SSH mpint). */
static guint
mpint_bits (const guchar *data,
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

/* Reads a public key blob: its type (which must be one we support) and size.
 * Any error is KF_KEY_ERROR_*. */
static const KeyTypeInfo *
inspect_public_blob (const guchar  *blob,
                     gsize          len,
                     guint         *out_bits,
                     GError       **error)
{
  Reader r = { blob, len };
  const guchar *name, *a, *b;
  gsize name_len, a_len, b_len;
  const KeyTypeInfo *info;
  g_autofree char *name_str = NULL;

  if (!reader_string (&r, &name, &name_len))
    goto truncated;

  info = key_type_by_name ((const char *) name, name_len);
  if (info == NULL)
    {
      name_str = g_strndup ((const char *) name, name_len);
      if (name_len > 0 && name_len < 64 && g_utf8_validate (name_str, -1, NULL) &&
          is_unsupported_type_name (name_str))
        set_unsupported_type_error (error, name_str);
      else
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                             _("The key data is damaged and cannot be read."));
      return NULL;
    }

  switch (info->type)
    {
    case KF_KEY_TYPE_ED25519:
      if (!reader_string (&r, &a, &a_len))
        goto truncated;
      if (a_len != 32)
        goto damaged;
      *out_bits = info->bits;
      break;

    case KF_KEY_TYPE_ECDSA_P256:
    case KF_KEY_TYPE_ECDSA_P384:
    case KF_KEY_TYPE_ECDSA_P521:
      if (!reader_string (&r, &a, &a_len) || !reader_string (&r, &b, &b_len))
        goto truncated;
      if (!bytes_equal_str (a, a_len, info->curve))
        goto damaged;
      *out_bits = info->bits;
      break;

    case KF_KEY_TYPE_RSA:
    default:
      /* e, then the modulus n */
      if (!reader_string (&r, &a, &a_len) || !reader_string (&r, &b, &b_len))
        goto truncated;
      *out_bits = mpint_bits (b, b_len);
      if (*out_bits == 0)
        goto damaged;
      if (*out_bits < 1024)
        {
          g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                       _("This RSA key is only %u bits long, and OpenSSH refuses RSA keys under 1024 bits."),
                       *out_bits);
          return NULL;
        }
      break;
    }

  if (r.left != 0)
    goto damaged;
  return info;

truncated:
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED,
                       _("The key data is cut short; copy the whole key again."));
  return NULL;
damaged:
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                       _("The key data is damaged and cannot be read."));
  return NULL;
}

/* ------------------------------------------------------------------ base64 */

typedef enum {
  B64_OK,
  B64_INVALID,
  B64_TRUNCATED,
} B64Result;

/* Strict base64 (what g_base64_decode silently skips, we refuse). */
static B64Result
check_base64 (const char *b64,
              gsize       len)
{
  gsize pad = 0;

  if (len == 0)
    return B64_TRUNCATED;
  for (gsize i = 0; i < len; i++)
    {
      char c = b64[i];

      if (c == '=')
        pad++;
      else if (pad > 0 || !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return B64_INVALID;
    }
  if (pad > 2)
    return B64_INVALID;
  if (len % 4 != 0)
    return B64_TRUNCATED;
  return B64_OK;
}

/* Decodes checked base64 into wiped memory. */
static KfSecretBytes *
decode_base64 (const char *b64,
               gsize       len)
{
  g_autoptr(KfSecret) copy = g_strndup (b64, len);
  gsize decoded_len = 0;
  guchar *decoded = g_base64_decode (copy, &decoded_len);

  return kf_secret_bytes_new_take (decoded, decoded_len);
}

/* ------------------------------------------------------------ public keys */

static char *
fingerprint_of_blob (const guchar *blob,
                     gsize         len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *b64 = NULL;
  char *pad;

  g_checksum_update (checksum, blob, len);
  g_checksum_get_digest (checksum, digest, &digest_len);
  b64 = g_base64_encode (digest, digest_len);
  /* ssh-keygen prints the base64 without '=' padding */
  pad = strchr (b64, '=');
  if (pad != NULL)
    *pad = '\0';
  return g_strconcat ("SHA256:", b64, NULL);
}

/* Builds the material from a checked public blob; takes @private_key. */
static KfKeyMaterial *
material_from_blob (const KeyTypeInfo *info,
                    guint              bits,
                    const guchar      *blob,
                    gsize              len,
                    const char        *comment,
                    char              *private_key)
{
  g_autofree char *b64 = g_base64_encode (blob, len);
  g_autofree char *fingerprint = fingerprint_of_blob (blob, len);
  g_autofree char *line = NULL;

  if (comment != NULL && comment[0] != '\0')
    line = g_strconcat (info->name, " ", b64, " ", comment, NULL);
  else
    line = g_strconcat (info->name, " ", b64, NULL);

  return kf_key_material_new (info->name, bits, fingerprint, comment, line, private_key);
}

static gboolean
check_comment (const char  *comment,
               GError     **error)
{
  if (comment == NULL)
    return TRUE;
  if (strlen (comment) > KF_MAX_COMMENT_LEN)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                   _("The comment is too long; shorten it to at most %d bytes."), KF_MAX_COMMENT_LEN);
      return FALSE;
    }
  if (!g_utf8_validate (comment, -1, NULL))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                           _("The comment is not valid text."));
      return FALSE;
    }
  for (const char *p = comment; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t')
      {
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                             _("The comment must fit on one line."));
        return FALSE;
      }
  return TRUE;
}

typedef struct {
  const char *start;
  gsize       len;
} Token;

/* Splits at blanks, keeping "quoted strings" (authorized_keys options) whole. */
static guint
tokenize (const char *line,
          Token      *tokens,
          guint       max_tokens)
{
  guint n = 0;
  const char *p = line;

  while (*p != '\0' && n < max_tokens)
    {
      gboolean quoted = FALSE;
      const char *start;

      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        break;
      start = p;
      while (*p != '\0' && (quoted || (*p != ' ' && *p != '\t')))
        {
          if (*p == '\\' && quoted && p[1] != '\0')
            p++;
          else if (*p == '"')
            quoted = !quoted;
          p++;
        }
      tokens[n].start = start;
      tokens[n].len = p - start;
      n++;
    }
  return n;
}

static gboolean
token_is_digits (const Token *token)
{
  for (gsize i = 0; i < token->len; i++)
    if (!g_ascii_isdigit (token->start[i]))
      return FALSE;
  return token->len > 0;
}

static gboolean
check_text_size (const char  *text,
                 gboolean     private_key,
                 GError     **error)
{
  if (strnlen (text, KF_MAX_KEY_TEXT_LEN + 1) <= KF_MAX_KEY_TEXT_LEN)
    return TRUE;
  /* Two whole sentences, so a translation need not fit a noun into one. */
  if (private_key)
    g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                 _("The private key is too large to be an SSH key (over %d KiB)."), KF_MAX_KEY_TEXT_LEN / 1024);
  else
    g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_TOO_LARGE,
                 _("The public key is too large to be an SSH key (over %d KiB)."), KF_MAX_KEY_TEXT_LEN / 1024);
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

KfKeyMaterial *
kf_ssh_key_parse_public (const char  *line,
                         GError     **error)
{
  /* wiped: set_not_armored_error() also tries private texts here */
  g_autoptr(KfSecret) text = NULL;
  g_autoptr(KfSecretBytes) blob = NULL;
  g_autofree char *type_name = NULL;
  g_autofree char *comment = NULL;
  Token tokens[4];
  const KeyTypeInfo *info;
  const Token *type_tok = NULL, *b64_tok;
  const char *rest;
  guint n, bits = 0;
  ssh_key key = NULL;
  int rc;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (line == NULL || is_blank (line))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("The public key is empty; paste a line like “ssh-ed25519 AAAA… comment”."));
      return NULL;
    }
  if (!check_text_size (line, FALSE, error))
    return NULL;
  if (!g_utf8_validate (line, -1, NULL))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH public key."));
      return NULL;
    }

  text = g_strstrip (g_strdup (line));

  if (g_str_has_prefix (text, "---- BEGIN SSH2 PUBLIC KEY"))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This public key is in the SSH2 (RFC 4716) format; convert it with “ssh-keygen -i -f FILE” first."));
      return NULL;
    }
  if (g_str_has_prefix (text, "-----BEGIN ") && strstr (text, "PRIVATE KEY-----") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("This is a private key, not a public key."));
      return NULL;
    }
  if (g_str_has_prefix (text, "-----BEGIN ") && strstr (text, "PUBLIC KEY-----") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This public key is in PEM format; convert it with “ssh-keygen -i -m PKCS8 -f FILE” first."));
      return NULL;
    }
  if (strpbrk (text, "\r\n") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("Enter a single public key, on one line."));
      return NULL;
    }

  n = tokenize (text, tokens, G_N_ELEMENTS (tokens));

  /* SSH-1 RSA public keys are "bits exponent modulus [comment]". */
  if (n >= 3 && token_is_digits (&tokens[0]) && token_is_digits (&tokens[1]) && token_is_digits (&tokens[2]))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("SSH-1 keys are not supported; create a new Ed25519 key instead."));
      return NULL;
    }

  /* The type is the first token, or comes after authorized_keys options or a
   * known_hosts host field (and a known_hosts marker): those are dropped. */
  for (guint i = 0; i + 1 < n && i < 3; i++)
    {
      g_autofree char *name = g_strndup (tokens[i].start, tokens[i].len);

      if (key_type_by_name (tokens[i].start, tokens[i].len) != NULL || is_unsupported_type_name (name))
        {
          type_tok = &tokens[i];
          break;
        }
    }
  if (type_tok == NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH public key."));
      return NULL;
    }

  type_name = g_strndup (type_tok->start, type_tok->len);
  info = key_type_by_name (type_tok->start, type_tok->len);
  if (info == NULL)
    {
      set_unsupported_type_error (error, type_name);
      return NULL;
    }

  b64_tok = type_tok + 1;
  switch (check_base64 (b64_tok->start, b64_tok->len))
    {
    case B64_INVALID:
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("The public key is damaged: its key data is not valid base64."));
      return NULL;
    case B64_TRUNCATED:
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED,
                           _("The public key is cut short; copy the whole line again."));
      return NULL;
    case B64_OK:
    default:
      break;
    }

  blob = decode_base64 (b64_tok->start, b64_tok->len);
  if (inspect_public_blob (blob->data, blob->len, &bits, error) != info)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                             _("The public key is damaged: its type does not match its key data."));
      return NULL;
    }

  /* Let libssh check the numbers too (e.g. that an ECDSA point is on its curve). */
  {
    g_autofree char *b64 = g_strndup (b64_tok->start, b64_tok->len);

    rc = ssh_pki_import_pubkey_base64 (b64, info->ssh_type, &key);
    ssh_key_free (key);
    if (rc != SSH_OK)
      {
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                             _("The public key is damaged and cannot be read."));
        return NULL;
      }
  }

  rest = b64_tok->start + b64_tok->len;
  comment = g_strstrip (g_strdup (rest));
  if (!check_comment (comment, error))
    return NULL;

  return material_from_blob (info, bits, blob->data, blob->len, comment, NULL);
}

char *
kf_ssh_key_fingerprint (const char  *public_line,
                        GError     **error)
{
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_parse_public (public_line, error);

  if (material == NULL)
    return NULL;
  return g_strdup (kf_key_material_get_fingerprint (material));
}

/* ----------------------------------------------------------- private keys */

/* The private key re-exported by libssh, unencrypted (NULL passphrase and no
 * callback): OpenSSH format for Ed25519, PKCS#8 PEM for the others. */
static char *
export_private_text (ssh_key   key,
                     GError  **error)
{
  char *priv_b64 = NULL;
  char *private_text;
  gsize priv_len;

  if (ssh_pki_export_privkey_base64 (key, NULL, NULL, NULL, &priv_b64) != SSH_OK || priv_b64 == NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                           _("The private key could not be written out."));
      return NULL;
    }
  priv_len = strlen (priv_b64);
  /* OpenSSH wants the final newline */
  private_text = g_malloc (priv_len + 2);
  memcpy (private_text, priv_b64, priv_len);
  if (priv_len > 0 && priv_b64[priv_len - 1] != '\n')
    private_text[priv_len++] = '\n';
  private_text[priv_len] = '\0';
  kf_secret_wipe_text (priv_b64);
  ssh_string_free_char (priv_b64);
  return private_text;
}

/* Builds the material of a private key libssh holds: the public line and
 * fingerprint from its public part. Takes @private_text (the unencrypted
 * private key). */
static KfKeyMaterial *
material_from_private_key (ssh_key      key,
                           const char  *comment,
                           char        *private_text,
                           GError     **error)
{
  g_autoptr(KfSecret) owned_private = private_text;
  ssh_key pub = NULL;
  char *pub_b64 = NULL;
  g_autoptr(KfSecretBytes) blob = NULL;
  const KeyTypeInfo *info;
  guint bits = 0;

  if (key_type_by_ssh (ssh_key_type (key)) == NULL)
    {
      const char *name = ssh_key_type_to_char (ssh_key_type (key));

      set_unsupported_type_error (error, name != NULL ? name : "unknown");
      return NULL;
    }

  if (ssh_pki_export_privkey_to_pubkey (key, &pub) != SSH_OK ||
      ssh_pki_export_pubkey_base64 (pub, &pub_b64) != SSH_OK)
    {
      ssh_key_free (pub);
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                           _("The public part of the key could not be derived."));
      return NULL;
    }
  ssh_key_free (pub);

  blob = decode_base64 (pub_b64, strlen (pub_b64));
  ssh_string_free_char (pub_b64);
  info = inspect_public_blob (blob->data, blob->len, &bits, error);
  if (info == NULL)
    return NULL;

  return material_from_blob (info, bits, blob->data, blob->len, comment, g_steal_pointer (&owned_private));
}

typedef enum {
  FORMAT_OPENSSH,
  FORMAT_PEM,            /* "RSA PRIVATE KEY", "EC PRIVATE KEY" */
  FORMAT_PKCS8,          /* "PRIVATE KEY" */
  FORMAT_PKCS8_ENCRYPTED /* "ENCRYPTED PRIVATE KEY" */
} KeyFormat;

/* What we learnt about a private key text before giving it to libssh. */
typedef struct {
  KeyFormat  format;
  gboolean   encrypted;
  gboolean   ec;          /* "EC PRIVATE KEY" */
  char      *comment;     /* unencrypted OpenSSH keys only */
  GBytes    *public_blob; /* OpenSSH keys: the public key in the clear header */
  char      *canonical;   /* secret: the armor re-wrapped cleanly */
} PrivateKeyInfo;

static void
private_key_info_clear (PrivateKeyInfo *pki)
{
  g_clear_pointer (&pki->comment, g_free);
  g_clear_pointer (&pki->public_blob, g_bytes_unref);
  g_clear_pointer (&pki->canonical, kf_secret_free);
}

static void
set_damaged_private_error (GError **error)
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

/* openssh-key-v1: magic, cipher, kdf, kdf options, key count, public blob,
 * then the (possibly encrypted) private section. Everything up to the private
 * section is readable without the passphrase. */
static gboolean
inspect_openssh_key (const guchar    *data,
                     gsize            len,
                     PrivateKeyInfo  *pki,
                     GError         **error)
{
  static const char magic[] = "openssh-key-v1";   /* followed by its NUL */
  Reader r = { data, len };
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
      set_damaged_private_error (error);
      return FALSE;
    }
  r.p += sizeof magic;
  r.left -= sizeof magic;

  if (!reader_string (&r, &cipher, &cipher_len) ||
      !reader_string (&r, &kdf, &kdf_len) ||
      !reader_string (&r, &kdfopts, &kdfopts_len) ||
      !reader_u32 (&r, &nkeys))
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
  if (!reader_string (&r, &pubblob, &pubblob_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (inspect_public_blob (pubblob, pubblob_len, &bits, error) == NULL)
    return FALSE;
  pki->public_blob = g_bytes_new (pubblob, pubblob_len);
  if (!reader_string (&r, &priv, &priv_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }

  pki->encrypted = !bytes_equal_str (cipher, cipher_len, "none");
  if (pki->encrypted)
    {
      /* libssh 0.10 crashes on the AEAD ciphers (aes*-gcm, chacha20-poly1305)
       * instead of failing: let it see only the ones it decrypts */
      static const char * const readable[] = {
        "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc", "aes192-cbc", "aes256-cbc", "3des-cbc",
      };
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (readable) && !known; i++)
        known = bytes_equal_str (cipher, cipher_len, readable[i]);
      if (!bytes_equal_str (kdf, kdf_len, "bcrypt"))
        {
          set_damaged_private_error (error);
          return FALSE;
        }
      {
        /* The bcrypt rounds come from the file, and libssh spends them
         * without a way to cancel: a damaged or hostile key could ask for
         * billions (days of CPU). ssh-keygen uses 16 unless told otherwise. */
        Reader kr = { kdfopts, kdfopts_len };
        const guchar *salt;
        gsize salt_len;
        guint32 rounds;

        if (!reader_string (&kr, &salt, &salt_len) || !reader_u32 (&kr, &rounds) || rounds == 0)
          {
            set_damaged_private_error (error);
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
      }
      if (!known)
        {
          g_autofree char *name = g_strndup ((const char *) cipher, MIN (cipher_len, 64));

          g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                       _("This private key is encrypted with %s, which Keyferry cannot decrypt; "
                       "re-encrypt it with “ssh-keygen -p -Z aes256-ctr -f FILE” and import it again."),
                       g_utf8_validate (name, -1, NULL) ? name : "an unknown cipher");
          return FALSE;
        }
    }
  else if (!bytes_equal_str (kdf, kdf_len, "none"))
    {
      set_damaged_private_error (error);
      return FALSE;
    }

  if (!pki->encrypted)
    {
      /* checkint x2, type, the type's fields, comment */
      Reader pr = { priv, priv_len };
      const guchar *type, *field, *comment = NULL;
      gsize type_len, field_len, comment_len = 0;
      const KeyTypeInfo *info;
      guint32 check1, check2, n_fields;
      gboolean ok;

      ok = reader_u32 (&pr, &check1) && reader_u32 (&pr, &check2) &&
           reader_string (&pr, &type, &type_len);
      info = ok ? key_type_by_name ((const char *) type, type_len) : NULL;
      /* libssh 0.10 leaks the type name of a private part it does not know:
       * such a key is damaged anyway (the public part names a known type). */
      if (ok && info == NULL)
        {
          set_damaged_private_error (error);
          return FALSE;
        }
      if (info != NULL)
        {
          n_fields = info->type == KF_KEY_TYPE_RSA ? 6 : info->type == KF_KEY_TYPE_ED25519 ? 2 : 3;
          for (guint i = 0; ok && i < n_fields; i++)
            ok = reader_string (&pr, &field, &field_len);
          if (ok && reader_string (&pr, &comment, &comment_len) && comment_len > 0)
            {
              g_autofree char *str = g_strndup ((const char *) comment, comment_len);

              if (check_comment (str, NULL))
                pki->comment = g_steal_pointer (&str);
            }
        }
    }
  return TRUE;
}

/* Reads one DER length; FALSE when the data ends first. */
static gboolean
der_read_header (Reader  *r,
                 guint8  *tag,
                 gsize   *len)
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

/* Enters (@enter) or skips the next DER element, which must have @tag. */
static gboolean
der_next (Reader  *r,
          guint8   tag,
          gboolean enter)
{
  guint8 got;
  gsize len;

  if (!der_read_header (r, &got, &len) || got != tag || len > r->left)
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

#define DER_SEQUENCE    0x30
#define DER_INTEGER     0x02
#define DER_OCTETSTRING 0x04
#define DER_OID         0x06
#define DER_CONTEXT_0   0xa0

static gboolean
der_oid_is (const Reader *r,
            const guchar *oid,
            gsize         oid_len)
{
  return r->left >= oid_len && memcmp (r->p, oid, oid_len) == 0;
}

/* Reads the next element as an OID: TRUE when it is one of the curves
 * OpenSSH supports (P-256, P-384, P-521). */
static gboolean
der_curve_supported (Reader *r)
{
  static const guchar p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  static const guchar p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
  static const guchar p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
  guint8 tag;
  gsize len;

  if (!der_read_header (r, &tag, &len) || tag != DER_OID || len > r->left)
    return FALSE;
  return (len == sizeof p256 && memcmp (r->p, p256, len) == 0) ||
         (len == sizeof p384 && memcmp (r->p, p384, len) == 0) ||
         (len == sizeof p521 && memcmp (r->p, p521, len) == 0);
}

static void
set_unsupported_curve_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                       _("This ECDSA key uses a curve SSH does not support; use P-256, P-384 or P-521."));
}

/* The outer DER SEQUENCE must be complete. Unencrypted keys are also looked
 * at more closely, to name what libssh or OpenSSH would refuse (DSA, other
 * curves, Ed25519 in PKCS#8) instead of failing generically. */
static gboolean
inspect_der_key (const guchar    *data,
                 gsize            len,
                 PrivateKeyInfo  *pki,
                 GError         **error)
{
  static const guchar oid_rsa[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
  static const guchar oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
  static const guchar oid_ed25519[] = { 0x2b, 0x65, 0x70 };
  static const guchar oid_dsa[] = { 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01 };
  Reader r = { data, len };
  guint8 tag;
  gsize seq_len;

  if (!der_read_header (&r, &tag, &seq_len))
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  if (tag != DER_SEQUENCE)
    {
      set_damaged_private_error (error);
      return FALSE;
    }
  if (seq_len > r.left)
    {
      set_truncated_private_error (error);
      return FALSE;
    }
  r.left = seq_len;

  if (pki->format == FORMAT_PKCS8)
    {
      /* PrivateKeyInfo ::= SEQUENCE { INTEGER version,
       *   SEQUENCE { OID algorithm, parameters }, OCTET STRING key } */
      if (!der_next (&r, DER_INTEGER, FALSE) || !der_next (&r, DER_SEQUENCE, TRUE))
        goto damaged;
      if (!der_read_header (&r, &tag, &seq_len) || tag != DER_OID || seq_len > r.left)
        goto damaged;

#define OID_IS(oid) (seq_len == sizeof (oid) && der_oid_is (&r, oid, sizeof (oid)))
      if (OID_IS (oid_dsa))
        {
          set_unsupported_type_error (error, "ssh-dss");
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
          r.p += seq_len;
          r.left -= seq_len;
          if (!der_curve_supported (&r))
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
    }
  else if (pki->format == FORMAT_PEM && !pki->encrypted && pki->ec)
    {
      /* ECPrivateKey ::= SEQUENCE { INTEGER 1, OCTET STRING key, [0] OID curve, ... } */
      if (!der_next (&r, DER_INTEGER, FALSE) || !der_next (&r, DER_OCTETSTRING, FALSE))
        goto damaged;
      if (!der_next (&r, DER_CONTEXT_0, TRUE) || !der_curve_supported (&r))
        {
          set_unsupported_curve_error (error);
          return FALSE;
        }
    }
  return TRUE;

damaged:
  set_damaged_private_error (error);
  return FALSE;
}

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

/* Finds the PEM armor in @text (tolerating CRLF, indentation, blank lines and
 * text around it), checks what can be checked without the passphrase, and
 * rebuilds a clean armor for libssh in pki->canonical. */
static gboolean
inspect_private_text (const char      *text,
                      PrivateKeyInfo  *pki,
                      GError         **error)
{
  enum { BEFORE, HEADERS, BODY, DONE } state = BEFORE;
  gsize capacity = strlen (text) + 512;
  g_autoptr(KfSecretString) body = kf_secret_string_new (capacity);
  g_autoptr(GString) headers = g_string_new (NULL);
  g_autoptr(KfSecretString) canonical = NULL;
  g_autoptr(KfSecretBytes) der = NULL;
  g_autofree char *label = NULL;
  const char *p = text;
  guint width;

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

  while (*p != '\0' && state != DONE)
    {
      const char *eol = p + strcspn (p, "\r\n");
      const char *s = p, *e = eol;
      gsize len;

      while (s < e && (*s == ' ' || *s == '\t'))
        s++;
      while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
      len = e - s;
      p = eol;
      while (*p == '\r' || *p == '\n')
        p++;

      if (state == BEFORE)
        {
          if (len > 16 && strncmp (s, "-----BEGIN ", 11) == 0 && strncmp (e - 5, "-----", 5) == 0)
            {
              label = g_strndup (s + 11, len - 16);
              state = HEADERS;
            }
          continue;
        }

      if (len == 0)
        continue;

      if (len >= 9 && strncmp (s, "-----END ", 9) == 0)
        {
          if (len != strlen (label) + 14 || strncmp (s + 9, label, len - 14) != 0 ||
              strncmp (e - 5, "-----", 5) != 0)
            {
              set_damaged_private_error (error);
              return FALSE;
            }
          state = DONE;
        }
      else if (len >= 11 && strncmp (s, "-----BEGIN ", 11) == 0)
        {
          /* a second BEGIN before the END: the first key was cut */
          set_truncated_private_error (error);
          return FALSE;
        }
      else if (state == HEADERS && memchr (s, ':', len) != NULL)
        {
          /* RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...");
           * base64 never contains ':' */
          g_string_append_len (headers, s, len);
          g_string_append_c (headers, '\n');
        }
      else
        {
          state = BODY;
          g_string_append_len (body, s, len);
        }
    }

  if (state == BEFORE)
    {
      set_not_armored_error (text, error);
      return FALSE;
    }
  if (state != DONE)
    {
      set_truncated_private_error (error);
      return FALSE;
    }

  if (g_str_equal (label, "OPENSSH PRIVATE KEY"))
    pki->format = FORMAT_OPENSSH;
  else if (g_str_equal (label, "RSA PRIVATE KEY") || g_str_equal (label, "EC PRIVATE KEY"))
    {
      pki->format = FORMAT_PEM;
      pki->ec = g_str_equal (label, "EC PRIVATE KEY");
    }
  else if (g_str_equal (label, "PRIVATE KEY"))
    pki->format = FORMAT_PKCS8;
  else if (g_str_equal (label, "ENCRYPTED PRIVATE KEY"))
    pki->format = FORMAT_PKCS8_ENCRYPTED;
  else if (g_str_equal (label, "DSA PRIVATE KEY"))
    {
      set_unsupported_type_error (error, "ssh-dss");
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

  if (headers->len > 0 && pki->format != FORMAT_PEM)
    {
      set_damaged_private_error (error);
      return FALSE;
    }

  switch (check_base64 (body->str, body->len))
    {
    case B64_INVALID:
      set_damaged_private_error (error);
      return FALSE;
    case B64_TRUNCATED:
      set_truncated_private_error (error);
      return FALSE;
    case B64_OK:
    default:
      break;
    }

  der = decode_base64 (body->str, body->len);

  switch (pki->format)
    {
    case FORMAT_OPENSSH:
      if (!inspect_openssh_key (der->data, der->len, pki, error))
        return FALSE;
      break;
    case FORMAT_PEM:
      pki->encrypted = strstr (headers->str, "ENCRYPTED") != NULL;
      /* an encrypted traditional PEM body is ciphertext: nothing to look at */
      if (!pki->encrypted && !inspect_der_key (der->data, der->len, pki, error))
        return FALSE;
      break;
    case FORMAT_PKCS8:
    case FORMAT_PKCS8_ENCRYPTED:
    default:
      pki->encrypted = pki->format == FORMAT_PKCS8_ENCRYPTED;
      if (!inspect_der_key (der->data, der->len, pki, error))
        return FALSE;
      break;
    }

  /* the same armor, wrapped the way OpenSSH and OpenSSL write it */
  width = pki->format == FORMAT_OPENSSH ? 70 : 64;
  canonical = kf_secret_string_new (capacity + body->len / width + headers->len);
  g_string_append_printf (canonical, "-----BEGIN %s-----\n", label);
  if (headers->len > 0)
    {
      g_string_append (canonical, headers->str);
      g_string_append_c (canonical, '\n');
    }
  for (gsize i = 0; i < body->len; i += width)
    {
      g_string_append_len (canonical, body->str + i, MIN (width, body->len - i));
      g_string_append_c (canonical, '\n');
    }
  g_string_append_printf (canonical, "-----END %s-----\n", label);

  pki->canonical = g_strndup (canonical->str, canonical->len);
  return TRUE;
}

/* libssh would fall back to OpenSSL's terminal prompt without a callback. */
static int
refuse_passphrase_prompt (const char *prompt,
                          char       *buf,
                          size_t      len,
                          int         echo,
                          int         verify,
                          void       *userdata)
{
  return -1;
}

static KfKeyMaterial *
import_private (const char  *private_text,
                const char  *passphrase,
                const char  *comment,
                GError     **error)
{
  PrivateKeyInfo pki = { 0 };
  ssh_key key = NULL;
  KfKeyMaterial *material = NULL;
  char *unencrypted;
  int rc;

  if (!inspect_private_text (private_text, &pki, error))
    goto out;

  if (pki.encrypted && (passphrase == NULL || passphrase[0] == '\0'))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NEEDS_PASSPHRASE,
                           _("This private key is protected by a passphrase; enter the passphrase to import it."));
      goto out;
    }

  rc = ssh_pki_import_privkey_base64 (pki.canonical, pki.encrypted ? passphrase : NULL,
                                      refuse_passphrase_prompt, NULL, &key);
  if (rc != SSH_OK || key == NULL)
    {
      if (pki.encrypted)
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_WRONG_PASSPHRASE,
                             _("The passphrase is wrong for this private key."));
      else
        set_damaged_private_error (error);
      goto out;
    }

  if (!pki.encrypted)
    {
      /* Already unencrypted, and libssh has just read it: keep it as given
       * (cleaned up). Re-exporting would also lose the comment, and libssh
       * 0.10 cannot write out RSA keys read from the OpenSSH format. */
      unencrypted = g_steal_pointer (&pki.canonical);
    }
  else
    {
      unencrypted = export_private_text (key, NULL);
      if (unencrypted == NULL)
        {
          if (pki.format == FORMAT_OPENSSH && ssh_key_type (key) == SSH_KEYTYPE_RSA)
            g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                                 _("Passphrase-protected RSA keys in the OpenSSH format cannot be imported yet; "
                                 "convert the key with “ssh-keygen -p -m PEM -f FILE” (it keeps its passphrase) and import it again."));
          else
            g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                                 _("The decrypted private key could not be written out."));
          goto out;
        }
    }

  material = material_from_private_key (key, comment != NULL ? comment : pki.comment, unencrypted, error);

  /* an OpenSSH key states its public key twice: in the clear header and
   * inside the private part, which libssh used; they must agree */
  if (material != NULL && pki.public_blob != NULL)
    {
      g_autofree char *b64 = g_base64_encode (g_bytes_get_data (pki.public_blob, NULL),
                                              g_bytes_get_size (pki.public_blob));
      const char *line = kf_key_material_get_public_key (material);
      const char *line_b64 = strchr (line, ' ') + 1;

      if (strncmp (line_b64, b64, strlen (b64)) != 0 ||
          (line_b64[strlen (b64)] != '\0' && line_b64[strlen (b64)] != ' '))
        {
          g_clear_object (&material);
          set_damaged_private_error (error);
        }
    }

out:
  ssh_key_free (key);
  private_key_info_clear (&pki);
  return material;
}

static gboolean
public_key_part_equal (const char *line_a,
                       const char *line_b)
{
  /* "type base64" without the comment; both lines are ones we built */
  const char *a_end = strchr (strchr (line_a, ' ') + 1, ' ');
  const char *b_end = strchr (strchr (line_b, ' ') + 1, ' ');
  gsize a_len = a_end ? (gsize) (a_end - line_a) : strlen (line_a);
  gsize b_len = b_end ? (gsize) (b_end - line_b) : strlen (line_b);

  return a_len == b_len && memcmp (line_a, line_b, a_len) == 0;
}

KfKeyMaterial *
kf_ssh_key_import (const char  *private_text,
                   const char  *public_text,
                   const char  *passphrase,
                   GError     **error)
{
  g_autoptr(KfKeyMaterial) public = NULL;
  g_autoptr(KfKeyMaterial) private = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (is_blank (private_text) && is_blank (public_text))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("There is no key to import; paste a private key, a public key, or both."));
      return NULL;
    }

  if (!is_blank (public_text))
    {
      public = kf_ssh_key_parse_public (public_text, error);
      if (public == NULL)
        return NULL;
    }

  if (is_blank (private_text))
    return g_steal_pointer (&public);

  if (!check_text_size (private_text, TRUE, error))
    return NULL;

  private = import_private (private_text, passphrase,
                            public != NULL ? kf_key_material_get_comment (public) : NULL,
                            error);
  if (private == NULL)
    return NULL;

  if (public != NULL &&
      !public_key_part_equal (kf_key_material_get_public_key (public),
                              kf_key_material_get_public_key (private)))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_MISMATCH,
                           _("The public key does not match the private key."));
      return NULL;
    }

  return g_steal_pointer (&private);
}

/* ----------------------------------------------------------------- tasks */

/* Shared end of the worker threads: the tasks return as soon as they are
 * cancelled (return-on-cancel), so a late result is dropped here. */
static void
return_material (GTask         *task,
                 KfKeyMaterial *material,
                 GError        *error)
{
  if (!g_task_set_return_on_cancel (task, FALSE))
    {
      g_clear_object (&material);
      g_clear_error (&error);
      return;
    }
  if (material == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, material, g_object_unref);
}

static KfKeyMaterial *
material_finish (GAsyncResult  *result,
                 gpointer       source_tag,
                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  KfKeyType  type;
  guint      bits;
  char      *comment;
} GenerateData;

static void
generate_data_free (GenerateData *data)
{
  g_free (data->comment);
  g_free (data);
}

KfKeyMaterial *
kf_ssh_key_generate_sync (KfKeyType      type,
                          guint          bits,
                          const char    *comment,
                          GCancellable  *cancellable,
                          GError       **error)
{
  const KeyTypeInfo *info = key_type_by_kf (type);
  ssh_key key = NULL;
  KfKeyMaterial *material = NULL;
  char *private_text;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bits = kf_ssh_key_check_bits (type, bits, error);
  if (bits == 0 || !check_comment (comment, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (kf_libssh_generate_key (info->ssh_type, (int) bits, &key) != SSH_OK || key == NULL)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_FAILED,
                   /* Translators: %s is a key type such as “Ed25519” or “RSA” */
                   _("The %s key could not be generated."), info->label);
      return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      ssh_key_free (key);
      return NULL;
    }

  private_text = export_private_text (key, error);
  if (private_text != NULL)
    material = material_from_private_key (key, comment, private_text, error);
  ssh_key_free (key);
  return material;
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GenerateData *data = task_data;
  GError *error = NULL;
  KfKeyMaterial *material;

  material = kf_ssh_key_generate_sync (data->type, data->bits, data->comment, cancellable, &error);
  return_material (task, material, error);
}

void
kf_ssh_key_generate_async (KfKeyType            type,
                           guint                bits,
                           const char          *comment,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GenerateData *data;

  g_return_if_fail (key_type_by_kf (type) != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_ssh_key_generate_async);
  g_task_set_name (task, "kf_ssh_key_generate_async");

  data = g_new0 (GenerateData, 1);
  data->type = type;
  data->bits = bits;
  data->comment = g_strdup (comment);
  g_task_set_task_data (task, data, (GDestroyNotify) generate_data_free);

  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, generate_thread);
}

KfKeyMaterial *
kf_ssh_key_generate_finish (GAsyncResult  *result,
                            GError       **error)
{
  return material_finish (result, kf_ssh_key_generate_async, error);
}

typedef struct {
  char *private_text;   /* secret */
  char *public_text;
  char *passphrase;     /* secret */
} ImportData;

static void
import_data_free (ImportData *data)
{
  kf_secret_free (data->private_text);
  g_free (data->public_text);
  kf_secret_free (data->passphrase);
  g_free (data);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *data = task_data;
  GError *error = NULL;
  KfKeyMaterial *material;

  material = kf_ssh_key_import (data->private_text, data->public_text, data->passphrase, &error);
  return_material (task, material, error);
}

void
kf_ssh_key_import_async (const char          *private_text,
                         const char          *public_text,
                         const char          *passphrase,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportData *data;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_ssh_key_import_async);
  g_task_set_name (task, "kf_ssh_key_import_async");

  data = g_new0 (ImportData, 1);
  data->private_text = g_strdup (private_text);
  data->public_text = g_strdup (public_text);
  data->passphrase = g_strdup (passphrase);
  g_task_set_task_data (task, data, (GDestroyNotify) import_data_free);

  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, import_thread);
}

KfKeyMaterial *
kf_ssh_key_import_finish (GAsyncResult  *result,
                          GError       **error)
{
  return material_finish (result, kf_ssh_key_import_async, error);
}
