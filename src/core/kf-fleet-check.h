/* kf-fleet-check.h: Check All: tests many connections at once, a bounded
 * number at a time, and keeps each one's outcome in the store.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-enums.h"
#include "kf-test-result.h"
#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_FLEET_CHECK_DEFAULT_JOBS 8
#define KF_FLEET_CHECK_MAX_JOBS     64

#define KF_TYPE_FLEET_CHECK (kf_fleet_check_get_type ())

G_DECLARE_FINAL_TYPE (KfFleetCheck, kf_fleet_check, KF, FLEET_CHECK, GObject)

/* Checks @connections (KfConnection, snapshots are taken now) in their order.
 * Each goes through kf_connection_ops_test_async: host key checked against
 * the stored ones (a mismatch fails loudly, a new key is never accepted), the
 * key pair from the keyring, never a password; TrueNAS connections also read
 * the TrueNAS version over the same session. */
KfFleetCheck *kf_fleet_check_new              (KfVault       *vault,
                                               GPtrArray     *connections);
/* How many run at once: 1 to KF_FLEET_CHECK_MAX_JOBS (default 8). Set before run. */
void          kf_fleet_check_set_jobs         (KfFleetCheck  *self,
                                               guint          jobs);
guint         kf_fleet_check_get_jobs         (KfFleetCheck  *self);

/* Runs the checks. The "connection-checked" signal (index, KfConnection) is
 * emitted on the calling thread's main context as each one ends. Every
 * outcome is recorded in the store as the connection's last test; one that
 * could not start (no key pair, keyring locked, …) as FAILED with its
 * reason. The stored connections show them at once; the file gets them in
 * batches written off the main loop (kf_store_record_test), and the run ends
 * only once all of them are in the file. Cancelling @cancellable ends the running ones and leaves the
 * rest unchecked (KF_CHECK_STATE_NOT_CHECKED here, their stored state
 * untouched). _finish returns FALSE only when cancelled; failed checks are
 * results, not errors, and so is a failure to save the outcomes: see
 * kf_fleet_check_get_save_error(). */
void          kf_fleet_check_run_async        (KfFleetCheck         *self,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean      kf_fleet_check_run_finish       (KfFleetCheck         *self,
                                               GAsyncResult         *result,
                                               GError              **error);
/* Once the run has ended: why its outcomes could not be written to the
 * store's file (a KF_STORE_ERROR whose message names the file and the
 * reason), or NULL when they were. They stay recorded in the store, shown on
 * the stored connections, and are written with its next save (the next
 * Check All's, or kf_store_flush() when quitting) if that works. Set also when
 * the run was cancelled. */
const GError *kf_fleet_check_get_save_error   (KfFleetCheck  *self);

guint         kf_fleet_check_get_n_items      (KfFleetCheck  *self);
/* How many have ended (checked, failed or cancelled). */
guint         kf_fleet_check_get_n_done       (KfFleetCheck  *self);
/* The snapshot taken at new(); its name, host and id are what to show. */
KfConnection *kf_fleet_check_get_connection   (KfFleetCheck  *self,
                                               guint          index);
/* This run's outcome: NOT_CHECKED until it ends or when cancelled. */
KfCheckState  kf_fleet_check_get_state        (KfFleetCheck  *self,
                                               guint          index);
/* One sentence: what worked or what failed; NULL while not checked. */
const char   *kf_fleet_check_get_message      (KfFleetCheck  *self,
                                               guint          index);
/* The probe's result (phase timings, TrueNAS version), or NULL when the
 * check could not start or did not run. */
KfTestResult *kf_fleet_check_get_result       (KfFleetCheck  *self,
                                               guint          index);
/* When it ended (unix seconds), 0 when not checked. */
gint64        kf_fleet_check_get_checked_at   (KfFleetCheck  *self,
                                               guint          index);

guint         kf_fleet_check_count            (KfFleetCheck  *self,
                                               KfCheckState   state);
/* TRUE when every connection is OK (and there is at least one). */
gboolean      kf_fleet_check_all_ok           (KfFleetCheck  *self);
/* "11 fine, 1 unreachable, 1 host key changed": the non-zero counts, fine first. */
char         *kf_fleet_check_format_summary   (KfFleetCheck  *self);

G_END_DECLS
