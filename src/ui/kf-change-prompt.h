/* kf-change-prompt.h: asks before the semi-automatic setup changes something
 * on the TrueNAS beyond installing the key (KfSemiautoSetup::confirm-change:
 * the login shell, passwordless sudo, starting the SSH service), in an alert
 * (kf-alert.h) that says exactly what will change.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* @id: "shell", "sudo", "start-ssh" (the heading), @message: what changes. */
void      kf_change_prompt_run_async  (GtkWidget           *parent,
                                       const char          *id,
                                       const char          *message,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* TRUE when the user agreed; FALSE when not, or the alert went unanswered. */
gboolean  kf_change_prompt_run_finish (GAsyncResult        *result);

G_END_DECLS
