/* fuzz-known-hosts.c: known_hosts lines for a connection (kf-known-hosts.h).
 * The input is "HOST\0KEYLINES": HOST is what a user typed in the Host field
 * (taken apart by kf_connection_validate_host()), KEYLINES the host keys.
 * Whatever the app accepts must give well-formed known_hosts lines.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-connection-validate.h"
#include "kf-fuzz.h"
#include "kf-host-key.h"
#include "kf-known-hosts.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  kf_fuzz_init ();
  return 0;
}

/* "FIELD type base64" for @key, FIELD being @field. */
static void
check_line (const char *line,
            const char *field)
{
  g_auto(GStrv) words = g_strsplit (line, " ", -1);
  g_autofree char *key_line = NULL;
  g_autoptr(KfHostKey) key = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (g_strv_length (words), ==, 3);
  g_assert_cmpstr (words[0], ==, field);
  g_assert (strpbrk (line, "\t\r\n") == NULL);
  key_line = g_strdup_printf ("%s %s", words[1], words[2]);
  key = kf_host_key_parse (key_line, &error);
  g_assert_no_error (error);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = kf_fuzz_strndup (data, size);
  const char *host_text = text;
  const char *keys_text = host_text + strlen (host_text) + 1;
  g_auto(KfHostInput) input = { 0 };
  g_autoptr(KfConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) key_lines = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *field = NULL;
  g_autofree char *all = NULL;
  guint port;

  /* Whatever the host, formatting it must be memory-safe. */
  g_free (kf_known_hosts_format_host (host_text, 2222));
  if (keys_text >= text + size)
    return 0;

  if (!kf_connection_validate_host (host_text, &input, &error))
    return 0;
  port = input.port != 0 ? input.port : 22;
  connection = kf_connection_new ("fuzz");
  kf_connection_set_host (connection, input.host);
  kf_connection_set_port (connection, port);
  key_lines = g_strsplit (keys_text, "\n", KF_MAX_HOST_KEYS + 1);
  kf_connection_set_host_keys (connection, (const char * const *) key_lines);

  field = kf_known_hosts_format_host (input.host, port);
  g_assert (field != NULL && *field != '\0');
  all = kf_known_hosts_for_connection (connection);
  g_assert (all != NULL);
  g_assert (*all == '\0' || g_str_has_suffix (all, "\n"));
  lines = g_strsplit (all, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    check_line (lines[i], field);
  for (guint i = 0; key_lines[i] != NULL; i++)
    {
      g_autofree char *one = kf_known_hosts_line (input.host, port, key_lines[i], NULL);

      if (one != NULL)
        check_line (one, field);
    }
  return 0;
}
