/* cli-test-util.c: running keyferry-cli from the CLI tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "cli-test-util.h"

#include "kf-test-util.h"

void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

char *
cli_test_path (void)
{
  return g_build_filename (kf_test_get_builddir (), "src", "cli", "keyferry-cli", NULL);
}

int
cli_test_runv (const char  *input,
               char       **out,
               char       **err,
               va_list      args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;

  g_ptr_array_add (argv, cli_test_path ());
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return kf_test_run_command ((const char * const *) argv->pdata, input, out, err);
}

int
cli_test_run (const char  *input,
              char       **out,
              char       **err,
              ...)
{
  va_list ap;
  int status;

  va_start (ap, err);
  status = cli_test_runv (input, out, err, ap);
  va_end (ap);
  return status;
}
