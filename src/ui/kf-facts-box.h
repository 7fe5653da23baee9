/* kf-facts-box.h: the facts an alert lists below its body (host keys, a
 * certificate, a test result): titles with values below, fingerprints in
 * monospace and never broken (the alert widens instead).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

GtkWidget  *kf_facts_box_new           (void);
void        kf_facts_box_add           (GtkWidget  *box,
                                        const char *title,
                                        const char *value,
                                        gboolean    monospace);

G_END_DECLS
