/* fuzz-store.c: the store file loader (kf_store_reader_parse(), which KfStore
 * runs on the file it reads, the same through a small window as
 * kf_store_reader_parse_stream() reads it, and the serial peek done before it).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-fuzz.h"
#include "kf-store-private.h"
#include "kf-store-reader.h"

typedef struct
{
  const uint8_t *data;
  size_t         size;
  size_t         at;
  size_t         piece;
} Pull;

/* The input in pieces of a size the input chose. */
static gssize
pull (gpointer user_data,
      char    *buf,
      gsize    size)
{
  Pull *p = user_data;
  size_t n = MIN (size, MIN (p->piece, p->size - p->at));

  memcpy (buf, p->data + p->at, n);
  p->at += n;
  return (gssize) n;
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  kf_fuzz_init ();
  /* small enough for the fuzzer's inputs to cross its edges */
  kf_store_reader_set_window_for_testing (512, 256);
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
  {
    /* the window reader agrees whenever it can do without the whole text */
    Pull p = { data, size, 0, size > 0 ? 1 + data[0] % 97 : 1 };
    KfStoreContents streamed = { 0 };
    gsize length = 0;
    gboolean whole_ok = contents.keypairs != NULL;

    if (kf_store_reader_parse_stream (pull, &p, NULL, NULL, FALSE, &streamed, &length))
      {
        g_assert (whole_ok);
        g_assert (length == size);
        g_assert (streamed.keypairs->len == contents.keypairs->len);
        g_assert (streamed.connections->len == contents.connections->len);
        g_assert (g_strcmp0 (streamed.serial, contents.serial) == 0);
      }
    else
      g_assert (streamed.keypairs == NULL);
    kf_store_contents_clear (&streamed);
  }
  kf_store_contents_clear (&contents);
  return 0;
}
