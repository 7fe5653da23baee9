/* test-fuzz-replay.c: replays fuzz inputs through a fuzz target's own code.
 *
 * Linked with one target of fuzz/ (KF_FUZZ_TARGET names it). Every input
 * that once crashed or leaked (tests/hardening/fuzz-regressions/<target>/)
 * and every seed (fuzz/corpus/<target>/) becomes a test case, so the fixes
 * stay fixed in the ordinary gcc build: the target's assertions run here,
 * and the sanitizer and valgrind runs of the suite catch leaks and memory
 * errors again.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <glib.h>

#include "kf-fuzz.h"
#include "kf-test-util.h"

static void
replay (gconstpointer data)
{
  const char *path = data;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpint (LLVMFuzzerTestOneInput ((const uint8_t *) contents, length), ==, 0);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
add_dir (const char *dir,
         const char *kind)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return 0;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *test_path = g_strdup_printf ("/fuzz/%s/%s/%s", KF_FUZZ_TARGET, kind, n);

      g_test_add_data_func_full (test_path, g_build_filename (dir, n, NULL), replay, g_free);
    }
  return names->len;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *regressions = NULL;
  g_autofree char *seeds = NULL;
  guint n;

  kf_test_init (&argc, &argv);
  regressions = g_build_filename (kf_test_get_srcdir (), "tests", "hardening", "fuzz-regressions",
                                  KF_FUZZ_TARGET, NULL);
  seeds = g_build_filename (kf_test_get_srcdir (), "fuzz", "corpus", KF_FUZZ_TARGET, NULL);

  LLVMFuzzerInitialize (&argc, &argv);
  n = add_dir (regressions, "regression");
  n += add_dir (seeds, "seed");
  /* A target without any input would pass without testing anything. */
  g_assert_cmpuint (n, >, 0);
  return g_test_run ();
}
