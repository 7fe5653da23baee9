/* test-secret.c: the one home of secret buffers (kf-secret.h).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-secret.h"

static gboolean
all_zero (const guchar *data,
          gsize         len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] != 0)
      return FALSE;
  return TRUE;
}

static void
test_wipe (void)
{
  char text[] = "hunter2";
  guchar bytes[16];

  memset (bytes, 0xa5, sizeof bytes);
  kf_secret_wipe (bytes, sizeof bytes);
  g_assert_true (all_zero (bytes, sizeof bytes));
  /* NULL and zero lengths are no-ops, not undefined behaviour. */
  kf_secret_wipe (NULL, 0);
  kf_secret_wipe (NULL, 8);
  kf_secret_wipe (bytes, 0);

  kf_secret_wipe_text (text);
  g_assert_true (all_zero ((const guchar *) text, sizeof text));
  kf_secret_wipe_text (NULL);
}

static void
test_set_and_free (void)
{
  KfSecret *field = NULL;

  kf_secret_set (&field, "first");
  g_assert_cmpstr (field, ==, "first");
  kf_secret_set (&field, "second");
  g_assert_cmpstr (field, ==, "second");
  /* Empty means "none": no empty password is ever sent. */
  kf_secret_set (&field, "");
  g_assert_null (field);
  kf_secret_set (&field, "third");
  kf_secret_set (&field, NULL);
  g_assert_null (field);

  kf_secret_free (NULL);
  kf_secret_free (kf_secret_dup ("ordinary heap memory"));
  g_assert_null (kf_secret_dup (NULL));
}

static void
test_string (void)
{
  GString *s = kf_secret_string_new (64);
  const char *buffer = s->str;
  g_autoptr(KfSecret) text = NULL;

  for (int i = 0; i < 63; i++)
    g_string_append_c (s, 'x');
  /* Sized up front: appending within the capacity never reallocates, so no
   * unwiped copy is left behind. */
  g_assert_true (s->str == buffer);
  text = kf_secret_string_steal (s);
  g_assert_cmpuint (strlen (text), ==, 63);
  g_assert_true (text[0] == 'x' && text[62] == 'x');

  kf_secret_string_free (NULL);
  {
    g_autoptr(KfSecretString) scoped = kf_secret_string_new (8);
    g_string_append (scoped, "secret");
  }
}

static void
test_bytes (void)
{
  g_autoptr(KfSecretBytes) bytes = kf_secret_bytes_new_take (g_memdup2 ("abc", 3), 3);
  g_autoptr(GByteArray) array = g_byte_array_new ();

  g_assert_cmpuint (bytes->len, ==, 3);
  g_assert_cmpmem (bytes->data, 3, "abc", 3);
  kf_secret_bytes_free (NULL);

  /* An empty GByteArray has no data pointer. */
  kf_secret_byte_array_wipe (array);
  g_byte_array_append (array, (const guint8 *) "key", 3);
  kf_secret_byte_array_wipe (array);
  g_assert_true (all_zero (array->data, array->len));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/secret/wipe", test_wipe);
  g_test_add_func ("/secret/set-and-free", test_set_and_free);
  g_test_add_func ("/secret/string", test_string);
  g_test_add_func ("/secret/bytes", test_bytes);
  return g_test_run ();
}
