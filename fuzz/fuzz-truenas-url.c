/* fuzz-truenas-url.c: the TrueNAS URL normaliser (what the user types or pastes).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-fuzz.h"
#include "kf-truenas-url.h"

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
  g_autoptr(KfTruenasUrl) url = NULL;
  g_autoptr(KfTruenasUrl) again = NULL;
  g_autoptr(GError) error = NULL;

  url = kf_truenas_url_parse (text, &error);
  if (url == NULL)
    {
      g_assert (error != NULL && error->message[0] != '\0');
      return 0;
    }
  g_assert (error == NULL);
  g_assert (kf_truenas_url_get_base (url) != NULL);
  g_assert (kf_truenas_url_get_versions_url (url) != NULL);
  g_assert (kf_truenas_url_get_jsonrpc_url (url) != NULL);
  g_assert (kf_truenas_url_get_legacy_url (url) != NULL);
  g_assert (kf_truenas_url_get_host (url) != NULL);
  g_assert (kf_truenas_url_get_port (url) >= -1 && kf_truenas_url_get_port (url) <= 65535);
  (void) kf_truenas_url_is_https (url);
  (void) kf_truenas_url_get_note (url);

  /* The base is what a connection stores: it must read back as itself. */
  again = kf_truenas_url_parse (kf_truenas_url_get_base (url), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_truenas_url_get_base (again), ==, kf_truenas_url_get_base (url));
  g_assert_cmpstr (kf_truenas_url_get_host (again), ==, kf_truenas_url_get_host (url));
  g_assert_cmpint (kf_truenas_url_get_port (again), ==, kf_truenas_url_get_port (url));
  return 0;
}
