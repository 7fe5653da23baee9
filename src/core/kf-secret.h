/* kf-secret.h: the one home of secret buffers.
 *
 * Passwords, one-time codes, API keys and private keys live in memory that is
 * wiped before it is freed. Text comes from g_malloc() or from libsecret's
 * non-pageable pool; kf_secret_free() takes either. A secret GString is sized
 * once up front so that appending never reallocates (a realloc would leave an
 * unwiped copy behind); its whole allocation is wiped.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* NUL-terminated secret text: g_autoptr(KfSecret) text = kf_secret_dup (...); */
typedef char KfSecret;

/* Wipes @len bytes at @data (nothing for NULL or 0); the compiler may not drop it. */
void      kf_secret_wipe          (gpointer     data,
                                   gsize        len);
/* Wipes a NUL-terminated text in place, without freeing it. */
void      kf_secret_wipe_text     (char        *text);
/* A copy of @text in wiped-on-free memory; NULL for NULL. */
KfSecret *kf_secret_dup           (const char  *text);
/* Wipes and frees secret text (g_malloc'ed or libsecret's); NULL is fine. */
void      kf_secret_free          (KfSecret    *secret);
/* Replaces *@field with a copy of @value (NULL if @value is NULL or empty),
 * wiping the old text. */
void      kf_secret_set           (KfSecret   **field,
                                   const char  *value);

/* A GString for secret text with room for @capacity bytes. */
GString  *kf_secret_string_new    (gsize        capacity);
/* Wipes the whole allocation and frees it; NULL is fine. */
void      kf_secret_string_free   (GString     *string);
/* Wipes the whole allocation and frees the GString, returning its text
 * (which the caller now owns, as a KfSecret). */
KfSecret *kf_secret_string_steal  (GString     *string);

/* Decoded secret bytes. */
typedef struct {
  guchar *data;
  gsize   len;
} KfSecretBytes;

/* Takes @data (g_malloc'ed, @len bytes). */
KfSecretBytes *kf_secret_bytes_new_take (guchar *data,
                                         gsize   len);
/* Wipes and frees; NULL is fine. */
void           kf_secret_bytes_free     (KfSecretBytes *bytes);
/* Wipes a GByteArray's used bytes (an empty one has no data pointer). */
void           kf_secret_byte_array_wipe (GByteArray   *array);

typedef GString KfSecretString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfSecret, kf_secret_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfSecretString, kf_secret_string_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfSecretBytes, kf_secret_bytes_free)

G_END_DECLS
