/* kf-rotate-dialog.h: Rotate Key Pair — the new key type, the connections
 * to include, the admin password of each TrueNAS box, then each box's
 * progress. Also finishes or rolls back an unfinished rotation.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-rotation.h"

G_BEGIN_DECLS

#define KF_TYPE_ROTATE_DIALOG (kf_rotate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KfRotateDialog, kf_rotate_dialog, KF, ROTATE_DIALOG, AdwWindow)

/* @rotation: a new one (kf_rotation_new()) or a resumed one
 * (kf_rotation_new_resume(), with its rollback set as the user chose). */
KfRotateDialog *kf_rotate_dialog_new      (GtkWindow  *parent,
                                           KfRotation *rotation);
/* Starts the rotation as set in the dialog (the Rotate button). */
void            kf_rotate_dialog_start    (KfRotateDialog *self);
/* The rotation has ended (signal "finished" too). */
gboolean        kf_rotate_dialog_get_done (KfRotateDialog *self);

G_END_DECLS
