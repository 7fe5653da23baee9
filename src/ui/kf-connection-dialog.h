/* kf-connection-dialog.h: add or edit an SSH connection (Semi-automatic or Manual).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "kf-connection.h"
#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_TYPE_CONNECTION_DIALOG (kf_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KfConnectionDialog, kf_connection_dialog, KF, CONNECTION_DIALOG, AdwWindow)

/* @connection: NULL to add a new connection, else the stored one to edit.
 * Emits "saved" (KfConnection *stored, const char *message-or-NULL) and closes. */
KfConnectionDialog *kf_connection_dialog_new          (GtkWindow          *parent,
                                                       KfVault            *vault,
                                                       KfConnection       *connection);
/* TRUE while a save, discovery or pairing runs. */
gboolean            kf_connection_dialog_get_busy     (KfConnectionDialog *self);

G_END_DECLS
