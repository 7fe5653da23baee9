/* kf-truenas-certificate.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-certificate"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-truenas-certificate.h"

#define PIN_PREFIX   "SHA256:"
#define SHA256_BYTES 32

struct _KfTruenasCertificate
{
  GObject parent_instance;

  GTlsCertificate *certificate;
  char *fingerprint;
  char *fingerprint_display;
  char *subject;
  char *issuer;
  GDateTime *not_before;
  GDateTime *not_after;
  GTlsCertificateFlags errors;
};

G_DEFINE_FINAL_TYPE (KfTruenasCertificate, kf_truenas_certificate, G_TYPE_OBJECT)

static void
kf_truenas_certificate_finalize (GObject *object)
{
  KfTruenasCertificate *self = KF_TRUENAS_CERTIFICATE (object);

  g_clear_object (&self->certificate);
  g_free (self->fingerprint);
  g_free (self->fingerprint_display);
  g_free (self->subject);
  g_free (self->issuer);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);

  G_OBJECT_CLASS (kf_truenas_certificate_parent_class)->finalize (object);
}

static void
kf_truenas_certificate_class_init (KfTruenasCertificateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kf_truenas_certificate_finalize;
}

static void
kf_truenas_certificate_init (KfTruenasCertificate *self)
{
}

/* "SHA256:ab12…" → "AB:12:…". */
char *
kf_truenas_certificate_pin_to_display (const char *pin)
{
  GString *out;
  const char *hex;

  if (pin == NULL || !g_str_has_prefix (pin, PIN_PREFIX) || strlen (pin) != strlen (PIN_PREFIX) + 2 * SHA256_BYTES)
    return NULL;

  hex = pin + strlen (PIN_PREFIX);
  out = g_string_sized_new (3 * SHA256_BYTES);
  for (guint i = 0; i < SHA256_BYTES; i++)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[2 * i]));
      g_string_append_c (out, g_ascii_toupper (hex[2 * i + 1]));
    }
  return g_string_free (out, FALSE);
}

KfTruenasCertificate *
kf_truenas_certificate_new (GTlsCertificate *certificate)
{
  KfTruenasCertificate *self;
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  self = g_object_new (KF_TYPE_TRUENAS_CERTIFICATE, NULL);
  self->certificate = g_object_ref (certificate);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der != NULL)
    hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  else
    hex = g_strnfill (2 * SHA256_BYTES, '0'); /* never seen: GTlsCertificate always has DER */
  self->fingerprint = g_strconcat (PIN_PREFIX, hex, NULL);
  self->fingerprint_display = kf_truenas_certificate_pin_to_display (self->fingerprint);

  self->subject = g_tls_certificate_get_subject_name (certificate);
  self->issuer = g_tls_certificate_get_issuer_name (certificate);
  self->not_before = g_tls_certificate_get_not_valid_before (certificate);
  self->not_after = g_tls_certificate_get_not_valid_after (certificate);

  return self;
}

GTlsCertificate *
kf_truenas_certificate_get_certificate (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->certificate;
}

const char *
kf_truenas_certificate_get_fingerprint (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->fingerprint;
}

const char *
kf_truenas_certificate_get_fingerprint_display (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->fingerprint_display;
}

const char *
kf_truenas_certificate_get_subject (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->subject;
}

const char *
kf_truenas_certificate_get_issuer (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->issuer;
}

GDateTime *
kf_truenas_certificate_get_not_before (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->not_before;
}

GDateTime *
kf_truenas_certificate_get_not_after (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);
  return self->not_after;
}

GTlsCertificateFlags
kf_truenas_certificate_get_errors (KfTruenasCertificate *self)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), 0);
  return self->errors;
}

void
kf_truenas_certificate_set_errors (KfTruenasCertificate *self,
                                   GTlsCertificateFlags  errors)
{
  g_return_if_fail (KF_IS_TRUENAS_CERTIFICATE (self));
  self->errors = errors;
}

char *
kf_truenas_certificate_describe_errors (KfTruenasCertificate *self)
{
  static const struct { GTlsCertificateFlags flag; const char *text; } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, N_("it is self-signed or signed by an unknown authority") },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, N_("it was issued for another host name") },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, N_("it is not valid yet") },
    { G_TLS_CERTIFICATE_EXPIRED, N_("it has expired") },
    { G_TLS_CERTIFICATE_REVOKED, N_("it has been revoked") },
    { G_TLS_CERTIFICATE_INSECURE, N_("it uses an insecure algorithm") },
  };
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autofree char *joined = NULL;

  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), NULL);

  if (self->errors == 0)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (self->errors & reasons[i].flag)
      g_ptr_array_add (found, (gpointer) _(reasons[i].text));
  if (found->len == 0)
    g_ptr_array_add (found, (gpointer) _("the system could not validate it"));
  g_ptr_array_add (found, NULL);

  /* Translators: joins the reasons why a certificate is not trusted */
  joined = g_strjoinv (_(", and "), (char **) found->pdata);
  /* Translators: %s is one or more reasons, such as “it has expired” */
  return g_strdup_printf (_("The certificate is not trusted because %s."), joined);
}

gboolean
kf_truenas_certificate_matches_pin (KfTruenasCertificate *self,
                                    const char           *pin)
{
  g_return_val_if_fail (KF_IS_TRUENAS_CERTIFICATE (self), FALSE);
  return pin != NULL && g_ascii_strcasecmp (self->fingerprint, pin) == 0;
}

char *
kf_truenas_certificate_parse_pin (const char  *text,
                                  GError     **error)
{
  static const char * const prefixes[] = { "sha256 fingerprint=", "sha256:", "sha256=", "sha256 " };
  g_autofree char *copy = NULL;
  g_autofree char *lower = NULL;
  g_autoptr(GString) hex = g_string_sized_new (2 * SHA256_BYTES);
  const char *p;
  gboolean colons = FALSE;

  if (text == NULL || strlen (text) > 1024)
    goto bad;

  copy = g_strdup (text);
  lower = g_ascii_strdown (g_strstrip (copy), -1);
  p = lower;
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (p, prefixes[i]))
      {
        p += strlen (prefixes[i]);
        break;
      }
  while (g_ascii_isspace (*p))
    p++;

  /* Either plain hex, or pairs of hex digits separated by ':' (OpenSSL). */
  colons = strchr (p, ':') != NULL;
  for (guint i = 0; p[i] != '\0'; i++)
    {
      if (g_ascii_isxdigit (p[i]))
        g_string_append_c (hex, p[i]);
      else if (colons && p[i] == ':' && hex->len % 2 == 0 && hex->len > 0 && p[i - 1] != ':' && p[i + 1] != '\0')
        continue;
      else
        goto bad;
      if (colons && hex->len % 2 == 0 && p[i + 1] != '\0' && p[i + 1] != ':')
        goto bad;
    }
  if (hex->len != 2 * SHA256_BYTES)
    goto bad;

  return g_strconcat (PIN_PREFIX, hex->str, NULL);

bad:
  g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL,
                       _("The certificate fingerprint must be a SHA-256 fingerprint: 64 hexadecimal digits, with or without colons."));
  return NULL;
}
