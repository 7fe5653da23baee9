/* fuzz-host-keys.c: the host key text of ssh_pair (or a pasted list), kf_host_key_parse_list().
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-errors.h"
#include "kf-fuzz.h"
#include "kf-host-key.h"

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
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = kf_host_key_parse_list (text, &error);
  if (keys == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert (keys->len > 0 && keys->len <= KF_MAX_HOST_KEYS);
  for (guint i = 0; i < keys->len; i++)
    {
      KfHostKey *key = g_ptr_array_index (keys, i);
      g_autoptr(KfHostKey) again = NULL;

      g_assert (g_str_has_prefix (kf_host_key_get_fingerprint (key), "SHA256:"));
      g_assert (kf_host_key_get_bits (key) > 0);
      /* What the connection stores must parse back to the same key. */
      again = kf_host_key_parse (kf_host_key_get_line (key), &error);
      g_assert_no_error (error);
      g_assert (kf_host_key_equal (key, again));
      for (guint j = 0; j < i; j++)
        g_assert (!kf_host_key_equal (key, g_ptr_array_index (keys, j)));
    }
  return 0;
}
