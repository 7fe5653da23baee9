/* cli-test-util.h: running keyferry-cli from the CLI tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdarg.h>
#include <glib.h>

G_BEGIN_DECLS

/* What one run of a program printed and how it ended. */
typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

void   run_clear          (Run          *run);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* The keyferry-cli of this build. */
char  *cli_test_path      (void);
/* Runs keyferry-cli with the NULL-terminated arguments in @args and @input
 * on stdin (NULL: none); returns its exit status (see kf_test_run_command). */
int    cli_test_runv      (const char   *input,
                           char        **out,
                           char        **err,
                           va_list       args);

/* The same with the arguments after @err (NULL-terminated). */
int    cli_test_run       (const char   *input,
                           char        **out,
                           char        **err,
                           ...) G_GNUC_NULL_TERMINATED;

G_END_DECLS
