/* fuzz-public-key.c: a pasted public key line, kf_ssh_key_parse_public() and
 * kf_ssh_key_fingerprint().
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-fuzz.h"
#include "kf-ssh-key.h"

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
  g_autoptr(KfKeyMaterial) key = NULL;
  g_autoptr(KfKeyMaterial) again = NULL;
  g_autofree char *fingerprint = NULL;
  g_autoptr(GError) error = NULL;

  key = kf_ssh_key_parse_public (text, &error);
  if (key == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      g_clear_error (&error);
      fingerprint = kf_ssh_key_fingerprint (text, NULL);
      return 0;
    }
  g_assert (!kf_key_material_get_has_private_key (key));
  /* The line the app stores must read back as the same key. */
  again = kf_ssh_key_parse_public (kf_key_material_get_public_key (key), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_fingerprint (again), ==, kf_key_material_get_fingerprint (key));
  fingerprint = kf_ssh_key_fingerprint (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fingerprint, ==, kf_key_material_get_fingerprint (key));
  return 0;
}
