/* fuzz-key-import.c: importing a pasted private key, kf_ssh_key_import().
 * The input is "PRIVATE\0PUBLIC\0PASSPHRASE" (later parts may be missing).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

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
  const char *end = text + size;
  const char *private_text = text;
  const char *public_text = NULL;
  const char *passphrase = NULL;
  g_autoptr(KfKeyMaterial) key = NULL;
  g_autoptr(GError) error = NULL;

  public_text = private_text + strlen (private_text) + 1;
  if (public_text < end)
    passphrase = public_text + strlen (public_text) + 1;
  else
    public_text = NULL;
  if (passphrase != NULL && passphrase >= end)
    passphrase = NULL;

  key = kf_ssh_key_import (private_text, public_text, passphrase, &error);
  if (key == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert_no_error (error);
  g_assert (g_str_has_prefix (kf_key_material_get_fingerprint (key), "SHA256:"));
  g_assert (kf_key_material_get_public_key (key) != NULL);
  if (kf_key_material_get_has_private_key (key))
    {
      /* The re-exported private key is unencrypted and reads back as the same key. */
      g_autoptr(KfKeyMaterial) again = kf_ssh_key_import (kf_key_material_get_private_key (key), NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (kf_key_material_get_fingerprint (again), ==, kf_key_material_get_fingerprint (key));
    }
  return 0;
}
