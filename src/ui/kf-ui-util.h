/* kf-ui-util.h: small helpers the GUI's windows and dialogs share.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-enums.h"

G_BEGIN_DECLS

/* "Semi-automatic" / "Manual", translated. */
const char *kf_ui_setup_method_label (KfSetupMethod  method);
/* "Ed25519", "ECDSA P-256", "RSA", ... for an OpenSSH type name; unknown
 * names come back as they are, NULL as "". */
const char *kf_ui_key_type_label     (const char    *key_type);
/* Puts @text on @widget's clipboard. */
void        kf_ui_copy_text          (GtkWidget     *widget,
                                      const char    *text);

G_END_DECLS
