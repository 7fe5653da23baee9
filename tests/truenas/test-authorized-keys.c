/* test-authorized-keys.c: the one home of authorized_keys line matching
 * (kf_truenas_keys_*), used by pairing and by rotation: by key blob, with
 * options (quoted blanks included) and CRLF lines, every other byte kept.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>

#include "kf-test-util.h"
#include "kf-truenas-remote-user.h"

#define KEY_A "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA1"
#define KEY_B "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB2"

static void
test_contain (void)
{
  /* Options before the key, one of them holding a blank and a key type in quotes. */
  const char *text = "command=\"echo ssh-rsa AAAAQUOTED\",no-pty " KEY_A " a comment\n";

  g_assert_true (kf_truenas_keys_contain (text, KEY_A " another comment"));
  g_assert_false (kf_truenas_keys_contain (text, "ssh-rsa AAAAQUOTED"));
  /* A CRLF line without a comment still matches. */
  g_assert_true (kf_truenas_keys_contain (KEY_B "\r\n", KEY_B));
  /* A comment line is no key. */
  g_assert_false (kf_truenas_keys_contain ("# " KEY_A "\n", KEY_A));
  g_assert_false (kf_truenas_keys_contain ("", KEY_A));
}

static void
test_remove_keeps_bytes (void)
{
  const char *text = "# mine\r\n" KEY_B " b\r\nfrom=\"10.0.0.1\" " KEY_A " old\r\nlast line, no newline";
  g_autofree char *without = kf_truenas_keys_remove (text, KEY_A, NULL);
  g_autofree char *added = kf_truenas_keys_add ("x", KEY_A);

  g_assert_cmpstr (without, ==, "# mine\r\n" KEY_B " b\r\nlast line, no newline");
  /* A text without a final newline gets one before the new line. */
  g_assert_cmpstr (added, ==, "x\n" KEY_A "\n");
}

/* The lines holding a key, as they are, and put back as they were: the
 * options (from=, command=) and the comment come back with the key. */
static void
test_lines_with_and_back (void)
{
  const char *text = "# mine\r\n" KEY_B " b\r\nfrom=\"10.0.0.1\",no-pty " KEY_A " old\r\n" KEY_A;
  g_autofree char *lines = kf_truenas_keys_lines_with (text, KEY_A " other comment");
  g_autofree char *without = kf_truenas_keys_remove (text, KEY_A, NULL);
  g_autofree char *back = NULL;

  /* Both lines, each with its own ending; the last one, which had none, gets "\n". */
  g_assert_cmpstr (lines, ==, "from=\"10.0.0.1\",no-pty " KEY_A " old\r\n" KEY_A "\n");
  g_assert_null (kf_truenas_keys_lines_with (without, KEY_A));
  g_assert_null (kf_truenas_keys_lines_with ("", KEY_A));
  back = kf_truenas_keys_add (without, lines);
  g_assert_cmpstr (back, ==, "# mine\r\n" KEY_B " b\r\nfrom=\"10.0.0.1\",no-pty " KEY_A " old\r\n" KEY_A "\n");
  /* Lines count as the key they hold. */
  g_assert_true (kf_truenas_keys_contain (back, lines));
  g_assert_true (kf_truenas_keys_contain (KEY_A "\n", KEY_A "\n"));
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);
  g_test_add_func ("/authorized-keys/contain", test_contain);
  g_test_add_func ("/authorized-keys/remove-keeps-bytes", test_remove_keeps_bytes);
  g_test_add_func ("/authorized-keys/lines-with-and-back", test_lines_with_and_back);
  return g_test_run ();
}
