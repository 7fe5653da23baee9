/* kf-cell-text.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cell-text"

#include <math.h>
#include <string.h>

#include <pango/pangocairo.h>

#include "kf-cell-text.h"

struct _KfCellText
{
  GtkWidget    parent_instance;

  char        *text;
  guint        min_chars;
  guint        nat_chars;
  gboolean     fit;
  PangoLayout *layout;    /* made when first needed, dropped when the style changes */
};

G_DEFINE_FINAL_TYPE (KfCellText, kf_cell_text, GTK_TYPE_WIDGET)

/* What a measure needs of a font, in pixels. */
typedef struct
{
  PangoFontDescription *font;
  PangoLanguage        *language;
  double                resolution;
  cairo_font_options_t *options;
  gboolean              round_positions;
  double                char_width;
  int                   line_height;
} FontSize;

/* Keyed by what decides a font's size: its description, the language
 * (approximate widths are taken from a sample text of it), the resolution,
 * and the font options and glyph rounding (hinting moves advances: see
 * widest_digit). A handful of entries; kept for the life of the process. */
static GPtrArray *font_sizes;

/* The widest digit's advance as @context lays digits out, in pixels. Pango's
 * own approximate digit width comes from the font map's default options,
 * which round advances to whole pixels; GTK 4.10 and later lay text out
 * without that rounding (gtk-hint-font-metrics off), and there DejaVu Sans
 * 10's digits are 8.48 px, not 8: a five-digit port did not fit a column
 * sized for five digits (test /ui/window/port-shown-whole). */
static double
widest_digit (PangoContext *context)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (context);
  PangoLayoutIter *iter;
  int widest = 0;

  pango_layout_set_text (layout, "0123456789", -1);
  iter = pango_layout_get_iter (layout);
  do
    {
      PangoLayoutRun *run = pango_layout_iter_get_run_readonly (iter);

      for (int i = 0; run != NULL && i < run->glyphs->num_glyphs; i++)
        widest = MAX (widest, run->glyphs->glyphs[i].geometry.width);
    }
  while (pango_layout_iter_next_run (iter));
  pango_layout_iter_free (iter);
  return widest / (double) PANGO_SCALE;
}

/* Font options as a context holds them: NULL for the defaults. */
static gboolean
same_font_options (const cairo_font_options_t *a,
                   const cairo_font_options_t *b)
{
  return a == b || (a != NULL && b != NULL && cairo_font_options_equal (a, b));
}

static FontSize *
font_size_new (PangoContext *context)
{
  FontSize *size = g_new0 (FontSize, 1);
  const cairo_font_options_t *options;
  PangoFontMetrics *metrics;
  int height;

  size->font = pango_font_description_copy (pango_context_get_font_description (context));
  size->language = pango_context_get_language (context);
  size->resolution = pango_cairo_context_get_resolution (context);
  options = pango_cairo_context_get_font_options (context);
  size->options = options != NULL ? cairo_font_options_copy (options) : NULL;
  size->round_positions = pango_context_get_round_glyph_positions (context);
  metrics = pango_context_get_metrics (context, size->font, size->language);
  /* The wider of an average letter and the widest digit (as laid out), and
   * the font's line height. */
  size->char_width = MAX (pango_font_metrics_get_approximate_char_width (metrics) / (double) PANGO_SCALE,
                          widest_digit (context));
  height = pango_font_metrics_get_height (metrics);
  if (height <= 0)
    height = pango_font_metrics_get_ascent (metrics) + pango_font_metrics_get_descent (metrics);
  size->line_height = (int) ceil (height / (double) PANGO_SCALE);
  pango_font_metrics_unref (metrics);
  return size;
}

static const FontSize *
font_size_of (GtkWidget *widget)
{
  PangoContext *context = gtk_widget_get_pango_context (widget);
  const PangoFontDescription *font = pango_context_get_font_description (context);
  PangoLanguage *language = pango_context_get_language (context);
  double resolution = pango_cairo_context_get_resolution (context);
  gboolean round_positions = pango_context_get_round_glyph_positions (context);
  const cairo_font_options_t *options = pango_cairo_context_get_font_options (context);
  FontSize *size;

  if (font_sizes == NULL)
    font_sizes = g_ptr_array_new ();
  for (guint i = 0; i < font_sizes->len; i++)
    {
      size = g_ptr_array_index (font_sizes, i);
      if (size->language == language && size->resolution == resolution &&
          size->round_positions == round_positions && same_font_options (size->options, options) &&
          pango_font_description_equal (size->font, font))
        return size;
    }
  size = font_size_new (context);
  g_ptr_array_add (font_sizes, size);
  return size;
}

void
kf_cell_text_get_font_size (GtkWidget *widget,
                            double    *char_width,
                            int       *line_height)
{
  const FontSize *size = font_size_of (widget);

  if (char_width != NULL)
    *char_width = size->char_width;
  if (line_height != NULL)
    *line_height = size->line_height;
}

static PangoLayout *
ensure_layout (KfCellText *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), self->text);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      /* A line break in a value (a hostile name) stays on the one line. */
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  return self->layout;
}

static void
drop_layout (KfCellText *self)
{
  g_clear_object (&self->layout);
}

static void
kf_cell_text_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  KfCellText *self = KF_CELL_TEXT (widget);
  const FontSize *size = font_size_of (widget);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = size->line_height;
      return;
    }

  *minimum = (int) ceil (size->char_width * self->min_chars);
  if (self->fit)
    {
      int text_width = 0;

      if (self->text[0] != '\0')
        {
          PangoLayout *layout = ensure_layout (self);

          pango_layout_set_width (layout, -1);
          pango_layout_get_pixel_size (layout, &text_width, NULL);
        }
      *natural = MAX (*minimum, text_width);
    }
  else
    *natural = MAX (*minimum, (int) ceil (size->char_width * self->nat_chars));
}

static void
kf_cell_text_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  KfCellText *self = KF_CELL_TEXT (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  PangoLayout *layout;
  int layout_height;
  GdkRGBA color;

  if (self->text[0] == '\0' || width <= 0)
    return;

  layout = ensure_layout (self);
  pango_layout_set_width (layout, width * PANGO_SCALE);
  pango_layout_get_pixel_size (layout, NULL, &layout_height);
  /* gtk_widget_get_color() came with 4.10; the API level is 4.8's. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (0, floorf ((height - layout_height) / 2.0f)));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

/* The layout's font, colour or resolution may have changed with it. */
static void
kf_cell_text_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (kf_cell_text_parent_class)->css_changed (widget, change);
  drop_layout (KF_CELL_TEXT (widget));
}

static void
kf_cell_text_system_setting_changed (GtkWidget        *widget,
                                     GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (kf_cell_text_parent_class)->system_setting_changed (widget, setting);
  drop_layout (KF_CELL_TEXT (widget));
  gtk_widget_queue_resize (widget);
}

static void
kf_cell_text_finalize (GObject *object)
{
  KfCellText *self = (KfCellText *) object;

  g_free (self->text);
  drop_layout (self);

  G_OBJECT_CLASS (kf_cell_text_parent_class)->finalize (object);
}

static void
kf_cell_text_class_init (KfCellTextClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = kf_cell_text_finalize;
  widget_class->measure = kf_cell_text_measure;
  widget_class->snapshot = kf_cell_text_snapshot;
  widget_class->css_changed = kf_cell_text_css_changed;
  widget_class->system_setting_changed = kf_cell_text_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "label");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
kf_cell_text_init (KfCellText *self)
{
  self->text = g_strdup ("");
  self->min_chars = 3;
}

GtkWidget *
kf_cell_text_new (void)
{
  return g_object_new (KF_TYPE_CELL_TEXT, NULL);
}

void
kf_cell_text_set_text (KfCellText *self,
                       const char *text)
{
  g_return_if_fail (KF_IS_CELL_TEXT (self));

  if (text == NULL)
    text = "";
  if (strcmp (self->text, text) == 0)
    return;

  g_free (self->text);
  self->text = g_strdup (text);
  if (self->layout != NULL)
    pango_layout_set_text (self->layout, self->text, -1);
  /* What a screen reader reads for the cell. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->text, -1);
  if (self->fit)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  else
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

const char *
kf_cell_text_get_text (KfCellText *self)
{
  g_return_val_if_fail (KF_IS_CELL_TEXT (self), NULL);

  return self->text;
}

void
kf_cell_text_set_chars (KfCellText *self,
                        guint       min_chars,
                        guint       nat_chars)
{
  g_return_if_fail (KF_IS_CELL_TEXT (self));

  self->min_chars = min_chars;
  self->nat_chars = nat_chars;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
kf_cell_text_set_fit (KfCellText *self,
                      gboolean    fit)
{
  g_return_if_fail (KF_IS_CELL_TEXT (self));

  self->fit = fit;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
