/* kf-store-private.h: what only the tests and fuzzers may change in KfStore.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long every KfStore of this process waits for another holder of the
 * store's lock before a change fails (KF_STORE_ERROR_IO, "locked for over
 * 10 seconds"): @timeout_ms, or the normal 10 s again for 0. The message
 * stays the same, so a test can wait less without changing what it checks.
 * Call it from the main thread, before or between transactions. */
void kf_store_set_lock_timeout_for_testing (guint timeout_ms);

/* Called by the worker thread of every background reload (a change by
 * another process, seen by kf_store_watch()) once it has opened the file
 * and before it reads it; NULL for none. A test blocks in it to act while a
 * reload is in flight. Set it from the main thread while no reload runs. */
void kf_store_set_reload_hook_for_testing (GFunc    hook,
                                           gpointer data);

/* The window of kf_store_reader_parse_stream(): @size bytes, of which
 * @ahead must lie after the start of each list element (normally 1 MiB and
 * 256 KiB), so a test's small store crosses many window edges. */
void kf_store_reader_set_window_for_testing (gsize size,
                                             gsize ahead);

G_END_DECLS
