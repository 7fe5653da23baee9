/* kf-certificate-prompt.h: asks whether to trust a TrueNAS's TLS
 * certificate, in an alert (kf-alert.h) listing its fingerprint, subject,
 * issuer and validity.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "kf-truenas-certificate.h"

G_BEGIN_DECLS

/* Shows the prompt over @parent's window. @changed: the certificate differs
 * from the one trusted before (a stronger warning). */
void   kf_certificate_prompt_run_async   (GtkWidget             *parent,
                                          KfTruenasCertificate  *certificate,
                                          gboolean               changed,
                                          GAsyncReadyCallback    callback,
                                          gpointer               user_data);
/* The certificate's fingerprint to pin when the user trusted it, or NULL
 * with G_IO_ERROR_CANCELLED when not. */
char  *kf_certificate_prompt_run_finish  (GAsyncResult          *result,
                                          GError               **error);

G_END_DECLS
