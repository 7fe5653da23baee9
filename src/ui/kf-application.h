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

G_END_DECLS
