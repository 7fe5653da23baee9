/* kf-cell-text.h: one line of text in a table cell, cut off with "…".
 *
 * It does what the lists used GtkInscription for, at a fraction of the
 * cost per cell, which the first frame and every search pay for each of
 * the up to 200 rows GTK keeps (profiled with callgrind, see
 * bench/bench-startup.sh):
 * - GtkInscription makes its PangoContext and layout when it is created,
 *   before it has a parent: on GTK 4.24 that computes its CSS style once
 *   more, ~580,000 instructions per cell. Here the layout is made at the
 *   first snapshot, once the cell is styled in its place.
 * - GtkInscription asks Pango for the font's metrics at every measure
 *   (~175,000 instructions); here they are kept per font, for all cells.
 * Its CSS name is "label", as GtkInscription's, so themes treat it alike.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define KF_TYPE_CELL_TEXT (kf_cell_text_get_type ())

G_DECLARE_FINAL_TYPE (KfCellText, kf_cell_text, KF, CELL_TEXT, GtkWidget)

GtkWidget  *kf_cell_text_new       (void);
/* NULL shows nothing, like "". */
void        kf_cell_text_set_text  (KfCellText *self,
                                    const char *text);
/* Never NULL. */
const char *kf_cell_text_get_text  (KfCellText *self);
/* The width it asks for, in average characters of its font (as
 * GtkInscription's min-chars and nat-chars). */
void        kf_cell_text_set_chars (KfCellText *self,
                                    guint       min_chars,
                                    guint       nat_chars);
/* TRUE: its natural width is its text's (a badge); FALSE (the default):
 * nat_chars, whatever the text, so that rows measure alike and cheaply. */
void        kf_cell_text_set_fit   (KfCellText *self,
                                    gboolean    fit);

/* For any widget: the width of an average character of its font (as
 * GtkInscription measures) and the font's line height, in pixels; kept per
 * font for the life of the process. */
void        kf_cell_text_get_font_size (GtkWidget *widget,
                                        double    *char_width,
                                        int       *line_height);

G_END_DECLS
