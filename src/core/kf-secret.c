/* kf-secret.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-secret"

#include <string.h>

#include <libsecret/secret.h>

#include "kf-secret.h"

void
kf_secret_wipe (gpointer data,
                gsize    len)
{
  /* explicit_bzero() and memset() must not get a NULL pointer, even for 0
   * bytes (UBSan: null pointer passed as argument 1). */
  if (data != NULL && len > 0)
    explicit_bzero (data, len);
}

void
kf_secret_wipe_text (char *text)
{
  if (text != NULL)
    kf_secret_wipe (text, strlen (text));
}

KfSecret *
kf_secret_dup (const char *text)
{
  return g_strdup (text);
}

void
kf_secret_free (KfSecret *secret)
{
  if (secret == NULL)
    return;
  kf_secret_wipe_text (secret);
  /* Frees both libsecret's non-pageable memory and ordinary heap memory. */
  secret_password_free (secret);
}

void
kf_secret_set (KfSecret   **field,
               const char  *value)
{
  kf_secret_free (*field);
  *field = value != NULL && *value != '\0' ? kf_secret_dup (value) : NULL;
}

GString *
kf_secret_string_new (gsize capacity)
{
  return g_string_sized_new (capacity);
}

void
kf_secret_string_free (GString *string)
{
  if (string == NULL)
    return;
  kf_secret_wipe (string->str, string->allocated_len);
  g_string_free (string, TRUE);
}

KfSecret *
kf_secret_string_steal (GString *string)
{
  KfSecret *text = kf_secret_dup (string->str);

  kf_secret_string_free (string);
  return text;
}

KfSecretBytes *
kf_secret_bytes_new_take (guchar *data,
                          gsize   len)
{
  KfSecretBytes *bytes = g_new0 (KfSecretBytes, 1);

  bytes->data = data;
  bytes->len = len;
  return bytes;
}

void
kf_secret_bytes_free (KfSecretBytes *bytes)
{
  if (bytes == NULL)
    return;
  kf_secret_wipe (bytes->data, bytes->len);
  g_free (bytes->data);
  g_free (bytes);
}

void
kf_secret_byte_array_wipe (GByteArray *array)
{
  kf_secret_wipe (array->data, array->len);
}
