/* kf-ssh-public-key.c: reading public keys: "type base64 [comment]" lines
 * and the SSH wire-format blobs inside them.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-public-key"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-libssh-compat.h"
#include "kf-secret.h"
#include "kf-ssh-key-private.h"
#include "kf-ssh-key.h"
#include "kf-ssh-wire-private.h"

/* ---------------------------------------------------------------- types */

gboolean
kf_ssh_key_is_unsupported_name (const char *name)
{
  return g_str_equal (name, "ssh-dss") ||
         (g_str_has_prefix (name, "sk-") && g_str_has_suffix (name, "@openssh.com")) ||
         g_str_has_suffix (name, "-cert-v01@openssh.com");
}

void
kf_ssh_key_set_unsupported_error (GError    **error,
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

/* ---------------------------------------------------------------- blobs */

typedef enum {
  FIELDS_OK,
  FIELDS_TRUNCATED,
  FIELDS_DAMAGED,
} FieldsCheck;

/* Reads the fields that follow the type name in a blob of @info's type,
 * and the key's size. */
static FieldsCheck
read_public_fields (KfWireReader        *r,
                    const KfKeyTypeInfo *info,
                    guint               *out_bits)
{
  const guchar *a, *b;
  gsize a_len, b_len;

  switch (info->type)
    {
    case KF_KEY_TYPE_ED25519:
      if (!kf_wire_read_string (r, &a, &a_len))
        return FIELDS_TRUNCATED;
      *out_bits = info->bits;
      return a_len == 32 ? FIELDS_OK : FIELDS_DAMAGED;

    case KF_KEY_TYPE_ECDSA_P256:
    case KF_KEY_TYPE_ECDSA_P384:
    case KF_KEY_TYPE_ECDSA_P521:
      if (!kf_wire_read_string (r, &a, &a_len) || !kf_wire_read_string (r, &b, &b_len))
        return FIELDS_TRUNCATED;
      *out_bits = info->bits;
      return kf_wire_equal_str (a, a_len, info->curve) ? FIELDS_OK : FIELDS_DAMAGED;

    case KF_KEY_TYPE_RSA:
    default:
      /* e, then the modulus n */
      if (!kf_wire_read_string (r, &a, &a_len) || !kf_wire_read_string (r, &b, &b_len))
        return FIELDS_TRUNCATED;
      *out_bits = kf_wire_mpint_bits (b, b_len);
      return *out_bits != 0 ? FIELDS_OK : FIELDS_DAMAGED;
    }
}

static void
set_damaged_blob_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                       _("The key data is damaged and cannot be read."));
}

static void
set_truncated_blob_error (GError **error)
{
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED,
                       _("The key data is cut short; copy the whole key again."));
}

/* The blob's type name is not one we support: say why, when we can. */
static void
set_unknown_blob_type_error (const guchar  *name,
                             gsize          name_len,
                             GError       **error)
{
  g_autofree char *name_str = g_strndup ((const char *) name, name_len);

  if (name_len > 0 && name_len < 64 && g_utf8_validate (name_str, -1, NULL) &&
      kf_ssh_key_is_unsupported_name (name_str))
    kf_ssh_key_set_unsupported_error (error, name_str);
  else
    set_damaged_blob_error (error);
}

const KfKeyTypeInfo *
kf_ssh_key_inspect_public_blob (const guchar  *blob,
                                gsize          len,
                                guint         *out_bits,
                                GError       **error)
{
  KfWireReader r = { blob, len };
  const guchar *name;
  gsize name_len;
  const KfKeyTypeInfo *info;

  if (!kf_wire_read_string (&r, &name, &name_len))
    {
      set_truncated_blob_error (error);
      return NULL;
    }

  info = kf_key_type_info_lookup_name ((const char *) name, name_len);
  if (info == NULL)
    {
      set_unknown_blob_type_error (name, name_len, error);
      return NULL;
    }

  switch (read_public_fields (&r, info, out_bits))
    {
    case FIELDS_TRUNCATED:
      set_truncated_blob_error (error);
      return NULL;
    case FIELDS_DAMAGED:
      set_damaged_blob_error (error);
      return NULL;
    case FIELDS_OK:
    default:
      break;
    }

  if (info->type == KF_KEY_TYPE_RSA && *out_bits < 1024)
    {
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                   _("This RSA key is only %u bits long, and OpenSSH refuses RSA keys under 1024 bits."),
                   *out_bits);
      return NULL;
    }
  if (r.left != 0)
    {
      set_damaged_blob_error (error);
      return NULL;
    }
  return info;
}

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

KfKeyMaterial *
kf_ssh_key_material_from_blob (const KfKeyTypeInfo *info,
                               guint                bits,
                               const guchar        *blob,
                               gsize                len,
                               const char          *comment,
                               char                *private_key)
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

/* ---------------------------------------------------------------- texts */

gboolean
kf_ssh_key_check_comment (const char  *comment,
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

gboolean
kf_ssh_key_check_text_size (const char  *text,
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

gboolean
kf_ssh_key_is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
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

/* ---------------------------------------------------------------- lines */

/* The checks on the raw input: there, not too large, text. */
static gboolean
check_public_input (const char  *line,
                    GError     **error)
{
  if (line == NULL || kf_ssh_key_is_blank (line))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("The public key is empty; paste a line like “ssh-ed25519 AAAA… comment”."));
      return FALSE;
    }
  if (!kf_ssh_key_check_text_size (line, FALSE, error))
    return FALSE;
  if (!g_utf8_validate (line, -1, NULL))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH public key."));
      return FALSE;
    }
  return TRUE;
}

/* The (stripped) text is one line, not another format we can name. */
static gboolean
check_public_format (const char  *text,
                     GError     **error)
{
  if (g_str_has_prefix (text, "---- BEGIN SSH2 PUBLIC KEY"))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This public key is in the SSH2 (RFC 4716) format; convert it with “ssh-keygen -i -f FILE” first."));
      return FALSE;
    }
  if (g_str_has_prefix (text, "-----BEGIN ") && strstr (text, "PRIVATE KEY-----") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("This is a private key, not a public key."));
      return FALSE;
    }
  if (g_str_has_prefix (text, "-----BEGIN ") && strstr (text, "PUBLIC KEY-----") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("This public key is in PEM format; convert it with “ssh-keygen -i -m PKCS8 -f FILE” first."));
      return FALSE;
    }
  if (strpbrk (text, "\r\n") != NULL)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("Enter a single public key, on one line."));
      return FALSE;
    }
  return TRUE;
}

/* The token that names the key type, and that type: the first token, or
 * one after authorized_keys options or a known_hosts host field (and a
 * known_hosts marker), which are dropped. */
static const Token *
find_type_token (const Token          *tokens,
                 guint                 n,
                 const KfKeyTypeInfo **out_info,
                 GError              **error)
{
  g_autofree char *type_name = NULL;

  /* SSH-1 RSA public keys are "bits exponent modulus [comment]". */
  if (n >= 3 && token_is_digits (&tokens[0]) && token_is_digits (&tokens[1]) && token_is_digits (&tokens[2]))
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_UNSUPPORTED_TYPE,
                           _("SSH-1 keys are not supported; create a new Ed25519 key instead."));
      return NULL;
    }

  for (guint i = 0; i + 1 < n && i < 3; i++)
    {
      g_autofree char *name = g_strndup (tokens[i].start, tokens[i].len);

      *out_info = kf_key_type_info_lookup_name (tokens[i].start, tokens[i].len);
      if (*out_info != NULL)
        return &tokens[i];
      if (kf_ssh_key_is_unsupported_name (name))
        {
          kf_ssh_key_set_unsupported_error (error, name);
          return NULL;
        }
    }
  g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY, _("This is not an SSH public key."));
  return NULL;
}

/* The blob of the base64 token @b64, which must be a sound key of @info's type. */
static KfSecretBytes *
decode_public_blob (const Token          *b64,
                    const KfKeyTypeInfo  *info,
                    guint                *out_bits,
                    GError              **error)
{
  g_autoptr(KfSecretBytes) blob = NULL;
  g_autofree char *b64_str = NULL;
  g_autoptr(KfLibsshKey) key = NULL;

  switch (kf_base64_check (b64->start, b64->len))
    {
    case KF_BASE64_INVALID:
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("The public key is damaged: its key data is not valid base64."));
      return NULL;
    case KF_BASE64_TRUNCATED:
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED,
                           _("The public key is cut short; copy the whole line again."));
      return NULL;
    case KF_BASE64_OK:
    default:
      break;
    }

  blob = kf_base64_decode_secret (b64->start, b64->len);
  if (kf_ssh_key_inspect_public_blob (blob->data, blob->len, out_bits, error) != info)
    {
      if (error == NULL || *error == NULL)
        g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                             _("The public key is damaged: its type does not match its key data."));
      return NULL;
    }

  /* Let libssh check the numbers too (e.g. that an ECDSA point is on its curve). */
  b64_str = g_strndup (b64->start, b64->len);
  if (ssh_pki_import_pubkey_base64 (b64_str, info->ssh_type, &key) != SSH_OK)
    {
      g_set_error_literal (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                           _("The public key is damaged and cannot be read."));
      return NULL;
    }
  return g_steal_pointer (&blob);
}

KfKeyMaterial *
kf_ssh_key_parse_public (const char  *line,
                         GError     **error)
{
  /* wiped: set_not_armored_error() also tries private texts here */
  g_autoptr(KfSecret) text = NULL;
  g_autoptr(KfSecretBytes) blob = NULL;
  g_autofree char *comment = NULL;
  Token tokens[4];
  const KfKeyTypeInfo *info = NULL;
  const Token *type_tok;
  guint n, bits = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_public_input (line, error))
    return NULL;
  text = g_strstrip (g_strdup (line));
  if (!check_public_format (text, error))
    return NULL;

  n = tokenize (text, tokens, G_N_ELEMENTS (tokens));
  type_tok = find_type_token (tokens, n, &info, error);
  if (type_tok == NULL)
    return NULL;

  blob = decode_public_blob (type_tok + 1, info, &bits, error);
  if (blob == NULL)
    return NULL;

  comment = g_strstrip (g_strdup (type_tok[1].start + type_tok[1].len));
  if (!kf_ssh_key_check_comment (comment, error))
    return NULL;

  return kf_ssh_key_material_from_blob (info, bits, blob->data, blob->len, comment, NULL);
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
