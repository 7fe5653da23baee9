/* kf-key-text.h: key text (public keys, private keys, host keys) shown so
 * that what the user reads is exactly the key: wrapped anywhere, since keys
 * have no words, but never with a hyphen at the break that is not in the key.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void        kf_key_text_label_init     (GtkLabel    *label);
void        kf_key_text_view_init      (GtkTextView *view);

G_END_DECLS
