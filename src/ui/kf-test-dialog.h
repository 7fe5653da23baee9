/* kf-test-dialog.h: Test Connection: logs in with a connection's key pair
 * and shows the result in an alert (kf-alert.h): a spinner and Cancel while
 * the test runs, then the outcome, with the host key's fingerprint (and the
 * stored ones when the server's changed). Closing the alert cancels the test.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-connection.h"
#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_TYPE_TEST_DIALOG (kf_test_dialog_get_type ())

G_DECLARE_FINAL_TYPE (KfTestDialog, kf_test_dialog, KF, TEST_DIALOG, GObject)

/* Shows @connection's name, address and host keys as they are now. */
KfTestDialog *kf_test_dialog_new      (KfVault      *vault,
                                       KfConnection *connection);
/* Shows the alert over @parent's window and starts the test. The alert keeps
 * @self alive until it is closed. */
void          kf_test_dialog_present  (KfTestDialog *self,
                                       GtkWidget    *parent);

G_END_DECLS
