/* kf-table-columns.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-table-columns"

#include <math.h>

#include "kf-table-columns.h"

typedef struct
{
  char              *title;
  char              *property;
  KfTableFormatFunc  format;
  gpointer           user_data;
  KfTableBadgeFunc   badge;
  guint              width_chars;
  gboolean           expand;
  int                user_width;   /* dragged by the user; 0: none */
  GtkSorter         *sorter;       /* ascending; NULL: cannot sort */
} Column;

struct _KfTableColumns
{
  GObject      parent_instance;

  GType        item_type;
  GArray      *columns;          /* Column */
  guint        n_shown;
  double       char_width;
  int          trailing;
  int          sort_column;
  GtkSortType  sort_order;

  /* The cells for the last width asked for. */
  int          cached_width;
  GArray      *cells;            /* GtkRequestedSize: minimum_size = x, natural_size = width */
};

G_DEFINE_FINAL_TYPE (KfTableColumns, kf_table_columns, G_TYPE_OBJECT)

enum {
  CHANGED,
  SORT_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A cell's text is at least this many characters wide (as GtkInscription). */
#define MIN_CHARS 3

static void
column_clear (gpointer data)
{
  Column *column = data;

  g_free (column->title);
  g_free (column->property);
  g_clear_object (&column->sorter);
}

static Column *
column_at (KfTableColumns *self,
           guint           i)
{
  return &g_array_index (self->columns, Column, i);
}

static void
changed (KfTableColumns *self)
{
  self->cached_width = -1;
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
kf_table_columns_finalize (GObject *object)
{
  KfTableColumns *self = (KfTableColumns *) object;

  g_array_unref (self->columns);
  g_array_unref (self->cells);

  G_OBJECT_CLASS (kf_table_columns_parent_class)->finalize (object);
}

static void
kf_table_columns_class_init (KfTableColumnsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kf_table_columns_finalize;

  /* ::changed: widths or shown columns changed; rows and header lay out again. */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* ::sort-changed: the sort column or order changed. */
  signals[SORT_CHANGED] =
    g_signal_new ("sort-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kf_table_columns_init (KfTableColumns *self)
{
  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, column_clear);
  self->cells = g_array_new (FALSE, TRUE, sizeof (GtkRequestedSize));
  self->n_shown = G_MAXUINT;
  self->char_width = 8;
  self->sort_column = -1;
  self->cached_width = -1;
}

KfTableColumns *
kf_table_columns_new (GType item_type)
{
  KfTableColumns *self = g_object_new (KF_TYPE_TABLE_COLUMNS, NULL);

  self->item_type = item_type;
  return self;
}

static int
compare_formatted (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  Column *column = user_data;
  g_autofree char *text_a = column->format ((gpointer) a, column->user_data);
  g_autofree char *text_b = column->format ((gpointer) b, column->user_data);

  return g_utf8_collate (text_a != NULL ? text_a : "", text_b != NULL ? text_b : "");
}

/* Strings and numbers by their value, formatted columns by their text. */
static GtkSorter *
column_sorter (KfTableColumns *self,
               Column         *column)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (self->item_type);
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_CLASS (klass), column->property);
  GType value_type;

  g_return_val_if_fail (pspec != NULL, NULL);
  value_type = G_TYPE_FUNDAMENTAL (pspec->value_type);

  if (value_type == G_TYPE_STRING && column->format == NULL)
    return GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (self->item_type, NULL, column->property)));

  if (value_type == G_TYPE_UINT || value_type == G_TYPE_INT ||
      value_type == G_TYPE_INT64 || value_type == G_TYPE_UINT64 ||
      value_type == G_TYPE_BOOLEAN || value_type == G_TYPE_DOUBLE)
    return GTK_SORTER (gtk_numeric_sorter_new (gtk_property_expression_new (self->item_type, NULL, column->property)));

  return NULL;
}

guint
kf_table_columns_append (KfTableColumns    *self,
                         const char        *title,
                         const char        *property,
                         KfTableFormatFunc  format,
                         gpointer           user_data,
                         guint              width_chars,
                         gboolean           expand)
{
  Column column = { 0 };

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), 0);
  g_return_val_if_fail (property != NULL, 0);

  column.title = g_strdup (title);
  column.property = g_strdup (property);
  column.format = format;
  column.user_data = user_data;
  column.width_chars = width_chars;
  column.expand = expand;
  if (format == NULL)
    column.sorter = column_sorter (self, &column);
  g_array_append_val (self->columns, column);
  changed (self);
  return self->columns->len - 1;
}

void
kf_table_columns_set_badge (KfTableColumns   *self,
                            guint             column,
                            KfTableBadgeFunc  badge)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));
  g_return_if_fail (column < self->columns->len);

  column_at (self, column)->badge = badge;
  changed (self);
}

guint
kf_table_columns_get_n_columns (KfTableColumns *self)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), 0);

  return self->columns->len;
}

const char *
kf_table_columns_get_title (KfTableColumns *self,
                            guint           column)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);

  return column_at (self, column)->title;
}

gboolean
kf_table_columns_has_badge (KfTableColumns *self,
                            guint           column)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), FALSE);
  g_return_val_if_fail (column < self->columns->len, FALSE);

  return column_at (self, column)->badge != NULL;
}

static char *
property_text (GObject    *item,
               const char *property)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (item), property);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) text = G_VALUE_INIT;

  g_return_val_if_fail (pspec != NULL, NULL);

  g_value_init (&value, pspec->value_type);
  g_object_get_property (item, property, &value);
  g_value_init (&text, G_TYPE_STRING);
  if (!g_value_transform (&value, &text))
    return NULL;
  return g_value_dup_string (&text);
}

char *
kf_table_columns_format (KfTableColumns *self,
                         guint           column,
                         gpointer        item)
{
  Column *c;
  char *text;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);
  g_return_val_if_fail (G_IS_OBJECT (item), NULL);

  c = column_at (self, column);
  text = c->format != NULL ? c->format (item, c->user_data) : property_text (item, c->property);
  return text != NULL ? text : g_strdup ("");
}

const char *
kf_table_columns_badge (KfTableColumns *self,
                        guint           column,
                        gpointer        item)
{
  Column *c;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), NULL);
  g_return_val_if_fail (column < self->columns->len, NULL);

  c = column_at (self, column);
  return c->badge != NULL ? c->badge (item, c->user_data) : NULL;
}

gboolean
kf_table_columns_can_sort (KfTableColumns *self,
                           guint           column)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), FALSE);
  g_return_val_if_fail (column < self->columns->len, FALSE);

  return column_at (self, column)->format != NULL || column_at (self, column)->sorter != NULL;
}

void
kf_table_columns_set_n_shown (KfTableColumns *self,
                              guint           n_shown)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));

  if (self->n_shown == n_shown)
    return;
  self->n_shown = n_shown;
  changed (self);
}

gboolean
kf_table_columns_get_shown (KfTableColumns *self,
                            guint           column)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), FALSE);

  return column < self->columns->len && column < self->n_shown;
}

void
kf_table_columns_set_font (KfTableColumns *self,
                           double          char_width)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));

  if (char_width <= 0 || self->char_width == char_width)
    return;
  self->char_width = char_width;
  changed (self);
}

void
kf_table_columns_set_trailing (KfTableColumns *self,
                               int             trailing)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));

  if (self->trailing == trailing)
    return;
  self->trailing = trailing;
  changed (self);
}

int
kf_table_columns_get_trailing (KfTableColumns *self)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), 0);

  return self->trailing;
}

/* A cell is at least as wide as its title (in characters: a cut title
 * would be as unreadable as a cut value) or 3 characters, and at most its
 * natural width: narrower, the page shows fewer columns. */
int
kf_table_columns_get_min_width (KfTableColumns *self,
                                guint           column)
{
  Column *c;
  glong chars;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), 0);
  g_return_val_if_fail (column < self->columns->len, 0);

  c = column_at (self, column);
  chars = MIN ((glong) c->width_chars, MAX (MIN_CHARS, g_utf8_strlen (c->title != NULL ? c->title : "", -1)));
  return (int) ceil (self->char_width * chars) + 2 * KF_TABLE_CELL_PADDING;
}

static int
natural_width (KfTableColumns *self,
               guint           column)
{
  Column *c = column_at (self, column);
  int minimum = kf_table_columns_get_min_width (self, column);

  if (c->user_width > 0)
    return MAX (minimum, c->user_width);
  return MAX (minimum, (int) ceil (self->char_width * c->width_chars) + 2 * KF_TABLE_CELL_PADDING);
}

void
kf_table_columns_measure (KfTableColumns *self,
                          gboolean        all,
                          int            *minimum,
                          int            *natural)
{
  int min = self->trailing, nat = self->trailing;

  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));

  for (guint i = 0; i < self->columns->len; i++)
    if (all || kf_table_columns_get_shown (self, i))
      {
        min += kf_table_columns_get_min_width (self, i);
        nat += natural_width (self, i);
      }
  if (minimum != NULL)
    *minimum = min;
  if (natural != NULL)
    *natural = nat;
}

void
kf_table_columns_measure_row (KfTableColumns *self,
                              int            *minimum,
                              int            *natural)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));

  kf_table_columns_measure (self, FALSE, NULL, natural);
  *minimum = self->trailing + (self->columns->len > 0 ? kf_table_columns_get_min_width (self, 0) : 0);
  *natural = MAX (*natural, *minimum);
}

/* As GtkBox shares its width: each shown column gets its minimum, then
 * towards its natural width, and what is left goes to the expanding ones
 * (a column the user sized keeps its size). */
static void
layout (KfTableColumns *self,
        int             width)
{
  guint n = 0, n_expand = 0;
  int min, extra, x = 0;

  if (self->cached_width == width)
    return;
  self->cached_width = width;

  g_array_set_size (self->cells, 0);
  for (guint i = 0; i < self->columns->len && kf_table_columns_get_shown (self, i); i++)
    {
      GtkRequestedSize size = { GUINT_TO_POINTER (i), kf_table_columns_get_min_width (self, i), natural_width (self, i) };

      g_array_append_val (self->cells, size);
      n++;
      n_expand += column_at (self, i)->expand && column_at (self, i)->user_width == 0;
    }

  /* @width is the cells' only, without the trailing space. */
  kf_table_columns_measure (self, FALSE, &min, NULL);
  extra = MAX (0, width - (min - self->trailing));
  if (n > 0)
    extra = gtk_distribute_natural_allocation (extra, n, (GtkRequestedSize *) (void *) self->cells->data);
  for (guint i = 0; i < n; i++)
    {
      GtkRequestedSize *size = &g_array_index (self->cells, GtkRequestedSize, i);
      Column *c = column_at (self, i);
      int cell_width = size->minimum_size;

      if (n_expand > 0 && c->expand && c->user_width == 0)
        {
          int share = extra / (int) n_expand;

          cell_width += share;
          extra -= share;
          n_expand--;
        }
      size->minimum_size = x;
      size->natural_size = cell_width;
      x += cell_width;
    }
}

gboolean
kf_table_columns_get_cell (KfTableColumns *self,
                           int             width,
                           guint           column,
                           int            *x,
                           int            *cell_width)
{
  GtkRequestedSize *size;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), FALSE);

  layout (self, width);
  if (column >= self->cells->len)
    return FALSE;
  size = &g_array_index (self->cells, GtkRequestedSize, column);
  *x = size->minimum_size;
  *cell_width = size->natural_size;
  return TRUE;
}

int
kf_table_columns_column_at (KfTableColumns *self,
                            int             width,
                            int             x)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), -1);

  layout (self, width);
  for (guint i = 0; i < self->cells->len; i++)
    {
      GtkRequestedSize *size = &g_array_index (self->cells, GtkRequestedSize, i);

      if (x >= size->minimum_size && x < size->minimum_size + size->natural_size)
        return (int) i;
    }
  return -1;
}

void
kf_table_columns_resize (KfTableColumns *self,
                         guint           column,
                         int             cell_width)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));
  g_return_if_fail (column < self->columns->len);

  cell_width = MAX (cell_width, kf_table_columns_get_min_width (self, column));
  if (column_at (self, column)->user_width == cell_width)
    return;
  column_at (self, column)->user_width = cell_width;
  changed (self);
}

int
kf_table_columns_get_sort_column (KfTableColumns *self)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), -1);

  return self->sort_column;
}

GtkSortType
kf_table_columns_get_sort_order (KfTableColumns *self)
{
  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), GTK_SORT_ASCENDING);

  return self->sort_order;
}

void
kf_table_columns_sort_by (KfTableColumns *self,
                          int             column,
                          GtkSortType     order)
{
  g_return_if_fail (KF_IS_TABLE_COLUMNS (self));
  g_return_if_fail (column < (int) self->columns->len);
  g_return_if_fail (column < 0 || kf_table_columns_can_sort (self, column));

  if (column < 0)
    order = GTK_SORT_ASCENDING;
  if (self->sort_column == column && self->sort_order == order)
    return;
  self->sort_column = column;
  self->sort_order = order;
  g_signal_emit (self, signals[SORT_CHANGED], 0);
}

typedef struct
{
  GtkSorter *sorter;          /* NULL: by formatted text */
  Column     formatted;       /* format and user_data only */
  int        sign;
} SortBy;

static void
sort_by_free (gpointer data)
{
  SortBy *by = data;

  g_clear_object (&by->sorter);
  g_free (by);
}

static int
compare_sorted (gconstpointer a,
                gconstpointer b,
                gpointer      user_data)
{
  SortBy *by = user_data;
  int order;

  if (by->sorter != NULL)
    order = gtk_sorter_compare (by->sorter, (gpointer) a, (gpointer) b);
  else
    order = compare_formatted (a, b, &by->formatted);
  return by->sign * (order > 0 ? 1 : order < 0 ? -1 : 0);
}

GtkSorter *
kf_table_columns_make_sorter (KfTableColumns *self)
{
  SortBy *by;
  Column *column;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (self), NULL);

  if (self->sort_column < 0)
    return NULL;

  column = column_at (self, self->sort_column);
  by = g_new0 (SortBy, 1);
  by->sorter = column->sorter != NULL ? g_object_ref (column->sorter) : NULL;
  by->formatted.format = column->format;
  by->formatted.user_data = column->user_data;
  by->sign = self->sort_order == GTK_SORT_DESCENDING ? -1 : 1;
  return GTK_SORTER (gtk_custom_sorter_new (compare_sorted, by, sort_by_free));
}
