/* fuzz-store.c: the store file loader (kf_store_reader_parse(), which KfStore
 * runs on the file it reads, and the serial peek done before it).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-errors.h"
#include "kf-fuzz.h"
#include "kf-store-reader.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  kf_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = kf_fuzz_strndup (data, size);
  g_autofree char *serial = NULL;
  KfStoreContents contents = { 0 };
  g_autoptr(GError) error = NULL;

  serial = kf_store_reader_peek_serial (text, size);
  /* The reader decodes in place: it gets its own copy. */
  if (kf_store_reader_parse (text, size, NULL, NULL, &contents, &error))
    {
      g_assert_no_error (error);
      g_assert (contents.keypairs != NULL && contents.connections != NULL);
      for (guint i = 0; i < contents.keypairs->len; i++)
        (void) kf_store_reader_get_text_hash (g_ptr_array_index (contents.keypairs, i));
    }
  else
    {
      g_assert (error != NULL);
      g_assert (error->domain == KF_STORE_ERROR);
      g_assert (error->code == KF_STORE_ERROR_DAMAGED || error->code == KF_STORE_ERROR_NEWER_VERSION);
    }
  kf_store_contents_clear (&contents);
  return 0;
}
