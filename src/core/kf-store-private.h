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
 * another process, seen by kf_store_watch()) once it has read the file and
 * before it parses it; NULL for none. A test blocks in it to act while a
 * reload is in flight. Set it from the main thread while no reload runs. */
void kf_store_set_reload_hook_for_testing (GFunc    hook,
                                           gpointer data);

G_END_DECLS
