/* kf-test-bus.h: a second private D-Bus session for keyring tests that must
 * not disturb the shared one (a locked collection, no Secret Service at all).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _KfTestBus KfTestBus;

/* A dbus-daemon with no service directories: nothing is ever activated on it,
 * so there is no Secret Service and no gcr prompter unless started here. */
KfTestBus  *kf_test_bus_new                (void);
const char *kf_test_bus_get_address        (KfTestBus  *bus);
/* Starts the real gnome-keyring-daemon (secrets component) on this bus with
 * its own data directory, creating and unlocking a "login" collection with
 * @password (given on stdin), and waits until it owns org.freedesktop.secrets. */
void        kf_test_bus_start_keyring      (KfTestBus  *bus,
                                            const char *password);
/* Kills the keyring daemon with SIGKILL (as a crash would) and reaps it;
 * kf_test_bus_start_keyring() starts it again on the same data directory. */
void        kf_test_bus_kill_keyring       (KfTestBus  *bus);
/* Runs this test binary again with KF_TEST_CHILD=@child_name and this bus as
 * the session bus; returns its exit status (its output goes to ours). */
int         kf_test_bus_run_child          (KfTestBus  *bus,
                                            const char *child_name);
/* Stops the daemons (by their own pids). */
void        kf_test_bus_free               (KfTestBus  *bus);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfTestBus, kf_test_bus_free)

/* Re-runs the current test binary with KF_TEST_CHILD=@child_name and @envp
 * additions (NULL-terminated "NAME=value" list, may be NULL); the child's
 * stdout is piped to the returned process. */
GSubprocess *kf_test_spawn_child           (const char         *child_name,
                                            const char * const *envp,
                                            GError            **error);

G_END_DECLS
