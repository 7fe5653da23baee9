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

/* The facts of a message dialog (its extra child): titles with values below,
 * fingerprints in monospace and never broken (the dialog widens instead). */
GtkWidget          *kf_facts_box_new                  (void);
void                kf_facts_box_add                  (GtkWidget          *box,
                                                       const char         *title,
                                                       const char         *value,
                                                       gboolean            monospace);
/* "Ed25519", "ECDSA P-256", "RSA 3072-bit" for a host or key type name. */
char               *kf_host_key_describe_type         (const char         *key_type,
                                                       guint               bits);

G_END_DECLS
