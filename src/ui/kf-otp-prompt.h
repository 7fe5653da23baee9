/* kf-otp-prompt.h: asks for a TrueNAS one-time password in an alert
 * (kf-alert.h) with a password entry, Cancel and Continue.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows the prompt over @parent's window; @message (NULL: a general one)
 * says what the TrueNAS asked. Cancelling @cancellable closes the prompt. */
void   kf_otp_prompt_run_async   (GtkWidget            *parent,
                                  const char           *message,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data);
/* The code entered (free it with kf_secret_free), or NULL with
 * G_IO_ERROR_CANCELLED when the user cancelled or closed the prompt. */
char  *kf_otp_prompt_run_finish  (GAsyncResult         *result,
                                  GError              **error);

G_END_DECLS
