/* kf-application.h: the Keyferry application: one store, one main window.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-store.h"

G_BEGIN_DECLS

#define KF_TYPE_APPLICATION (kf_application_get_type ())

G_DECLARE_FINAL_TYPE (KfApplication, kf_application, KF, APPLICATION, AdwApplication)

KfApplication *kf_application_new         (void);
/* The store, loaded at start-up (NULL before "startup"). */
KfStore       *kf_application_get_store   (KfApplication *self);

/* Background work the process must not exit under: libssh key generation
 * and import run in worker threads that cannot be interrupted, and exiting
 * while one runs crashes in OpenSSL's exit handlers. Shutdown waits until
 * every begin has had its end. The window's actions call these for the
 * dialogs' "worker-started" (dialogs never call the application). No-ops
 * unless the default application is a KfApplication. */
void           kf_application_worker_begin (void);
void           kf_application_worker_end   (void);
guint          kf_application_get_workers  (KfApplication *self);

G_END_DECLS
