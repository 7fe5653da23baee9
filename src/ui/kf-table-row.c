/* kf-table-row.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-table-row"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-cell-text.h"
#include "kf-table-row.h"

struct _KfTableRow
{
  GtkWidget       parent_instance;

  KfTableColumns *columns;
  gulong          columns_handler;
  GObject        *item;
  gulong          item_handler;
  GPtrArray      *texts;          /* char *, one per column */
  int             badge_column;   /* -1: none */
  GtkWidget      *badge;          /* KfCellText */
  const char     *badge_class;
  GtkWidget      *menu_button;
  PangoLayout    *layout;         /* one for all cells, made when first drawn */
};

G_DEFINE_FINAL_TYPE (KfTableRow, kf_table_row, GTK_TYPE_WIDGET)

/* The ⋮ button's tooltip and its name for screen readers. */
static const char *
more_actions (void)
{
  return _("More Actions");
}

static PangoLayout *
ensure_layout (KfTableRow *self)
{
  if (self->layout == NULL)
    {
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      /* A line break in a value (a hostile name) stays on the one line. */
      pango_layout_set_single_paragraph_mode (self->layout, TRUE);
    }
  return self->layout;
}

/* The table's width: the row less its menu button. */
static int
table_width (KfTableRow *self)
{
  return MAX (0, gtk_widget_get_width (GTK_WIDGET (self)) - kf_table_columns_get_trailing (self->columns));
}

/* @column's cell in row coordinates (right to left too). */
static gboolean
cell_area (KfTableRow *self,
           guint       column,
           int        *x,
           int        *width)
{
  int table = table_width (self);

  if (!kf_table_columns_get_cell (self->columns, table, column, x, width))
    return FALSE;
  if (gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL)
    *x = kf_table_columns_get_trailing (self->columns) + table - *x - *width;
  return TRUE;
}

/* The translation of @msgid, looked up once: every row a search binds
 * reads its cells out with it. (One msgid only.) */
static const char *cell_format (const char *msgid) G_GNUC_FORMAT (1);

static const char *
cell_format (const char *msgid)
{
  static const char *translated;

  if (translated == NULL)
    translated = _(msgid);
  return translated;
}

/* Named after the first cell, described by the others ("Host: nas.lan,
 * Port: 22, …"), all of them, also those a narrow window does not show. */
static void
update_accessible (KfTableRow *self)
{
  g_autoptr(GString) description = g_string_new (NULL);
  GtkWidget *target = gtk_widget_get_parent (GTK_WIDGET (self));

  /* A table bound before its columns came has no name to give yet. */
  if (self->texts->len == 0)
    return;
  /* The list's row is what a screen reader moves through. */
  if (target == NULL)
    target = GTK_WIDGET (self);

  for (guint i = 1; i < self->texts->len; i++)
    {
      const char *text = g_ptr_array_index (self->texts, i);

      if (*text == '\0')
        continue;
      if (description->len > 0)
        g_string_append (description, ", ");
      /* Translators: a table cell read out: "Host: nas.lan". */
      g_string_append_printf (description, cell_format (N_("%s: %s")), kf_table_columns_get_title (self->columns, i), text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (target),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, g_ptr_array_index (self->texts, 0),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str,
                                  -1);
}

static void
render (KfTableRow *self)
{
  guint n = kf_table_columns_get_n_columns (self->columns);

  g_ptr_array_set_size (self->texts, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->texts, self->item != NULL ? kf_table_columns_format (self->columns, i, self->item)
                                                     : g_strdup (""));
  /* A row without an item is being unbound, to be destroyed or bound to
   * another item: nothing to show or read out (a search that removes rows
   * unbinds up to 200). */
  if (self->item == NULL)
    return;

  if (self->badge != NULL)
    {
      /* The colour only repeats the text, which is what a screen reader reads. */
      const char *now = kf_table_columns_badge (self->columns, self->badge_column, self->item);

      kf_cell_text_set_text (KF_CELL_TEXT (self->badge), g_ptr_array_index (self->texts, self->badge_column));
      if (g_strcmp0 (now, self->badge_class) != 0)
        {
          if (self->badge_class != NULL)
            gtk_widget_remove_css_class (self->badge, self->badge_class);
          if (now != NULL)
            gtk_widget_add_css_class (self->badge, now);
          self->badge_class = now;
        }
    }

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_item_notify (KfTableRow *self)
{
  render (self);
}

static void
on_columns_changed (KfTableRow *self)
{
  if (self->badge != NULL)
    gtk_widget_set_child_visible (self->badge, kf_table_columns_get_shown (self->columns, self->badge_column));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
kf_table_row_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  KfTableRow *self = KF_TABLE_ROW (widget);
  int button_nat;

  gtk_widget_measure (self->menu_button, orientation, -1, NULL, &button_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* The header leaves the same room right of its last column (set once:
       * every row's button is the same). */
      kf_table_columns_set_trailing (self->columns, button_nat);
      kf_table_columns_measure_row (self->columns, minimum, natural);
      return;
    }

  kf_cell_text_get_font_size (widget, NULL, minimum);
  *minimum = MAX (*minimum, button_nat);
  if (self->badge != NULL)
    {
      int badge_nat;

      gtk_widget_measure (self->badge, orientation, -1, NULL, &badge_nat, NULL, NULL);
      *minimum = MAX (*minimum, badge_nat);
    }
  *natural = *minimum;
}

static void
kf_table_row_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  KfTableRow *self = KF_TABLE_ROW (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int button_width, button_height, x, cell_width;

  gtk_widget_measure (self->menu_button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &button_width, NULL, NULL);
  gtk_widget_measure (self->menu_button, GTK_ORIENTATION_VERTICAL, -1, NULL, &button_height, NULL, NULL);
  button_height = MIN (button_height, height);
  gtk_widget_size_allocate (self->menu_button,
                            &(GtkAllocation) { rtl ? 0 : width - button_width, (height - button_height) / 2,
                                               button_width, button_height },
                            -1);

  if (self->badge != NULL && cell_area (self, self->badge_column, &x, &cell_width))
    {
      int badge_width, badge_height;

      gtk_widget_measure (self->badge, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &badge_width, NULL, NULL);
      gtk_widget_measure (self->badge, GTK_ORIENTATION_VERTICAL, -1, NULL, &badge_height, NULL, NULL);
      badge_width = MAX (0, MIN (badge_width, cell_width - 2 * KF_TABLE_CELL_PADDING));
      badge_height = MIN (badge_height, height);
      x += rtl ? cell_width - KF_TABLE_CELL_PADDING - badge_width : KF_TABLE_CELL_PADDING;
      gtk_widget_size_allocate (self->badge,
                                &(GtkAllocation) { x, (height - badge_height) / 2, badge_width, badge_height },
                                -1);
    }
}

static void
kf_table_row_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  KfTableRow *self = KF_TABLE_ROW (widget);
  int height = gtk_widget_get_height (widget);
  PangoLayout *layout = NULL;
  GdkRGBA color;

  /* gtk_widget_get_color() came with 4.10; the API level is 4.8's. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  for (guint i = 0; i < self->texts->len; i++)
    {
      const char *text = g_ptr_array_index (self->texts, i);
      int x, cell_width, text_height;

      if ((int) i == self->badge_column || *text == '\0' ||
          !cell_area (self, i, &x, &cell_width) || cell_width <= 2 * KF_TABLE_CELL_PADDING)
        continue;

      if (layout == NULL)
        layout = ensure_layout (self);
      pango_layout_set_text (layout, text, -1);
      pango_layout_set_width (layout, (cell_width - 2 * KF_TABLE_CELL_PADDING) * PANGO_SCALE);
      pango_layout_get_pixel_size (layout, NULL, &text_height);

      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + KF_TABLE_CELL_PADDING,
                                                              floorf ((height - text_height) / 2.0f)));
      gtk_snapshot_append_layout (snapshot, layout, &color);
      gtk_snapshot_restore (snapshot);
    }

  if (self->badge != NULL)
    gtk_widget_snapshot_child (widget, self->badge, snapshot);
  gtk_widget_snapshot_child (widget, self->menu_button, snapshot);
}

/* The whole text of a cut-off cell. */
static gboolean
kf_table_row_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard,
                            GtkTooltip *tooltip)
{
  KfTableRow *self = KF_TABLE_ROW (widget);
  int table = table_width (self);
  int column, cell_x, cell_width;
  PangoLayout *layout;
  const char *text;

  if (keyboard)
    return FALSE;
  if (gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL)
    x = table - (x - kf_table_columns_get_trailing (self->columns));
  column = kf_table_columns_column_at (self->columns, table, x);
  if (column < 0 || column == self->badge_column || (guint) column >= self->texts->len)
    return FALSE;

  text = g_ptr_array_index (self->texts, column);
  if (*text == '\0' || !kf_table_columns_get_cell (self->columns, table, column, &cell_x, &cell_width))
    return FALSE;
  layout = ensure_layout (self);
  pango_layout_set_text (layout, text, -1);
  pango_layout_set_width (layout, MAX (0, cell_width - 2 * KF_TABLE_CELL_PADDING) * PANGO_SCALE);
  if (!pango_layout_is_ellipsized (layout))
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The layout's font may have changed with the style. */
static void
kf_table_row_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  KfTableRow *self = KF_TABLE_ROW (widget);

  GTK_WIDGET_CLASS (kf_table_row_parent_class)->css_changed (widget, change);
  g_clear_object (&self->layout);
}

static void
kf_table_row_system_setting_changed (GtkWidget        *widget,
                                     GtkSystemSetting  setting)
{
  KfTableRow *self = KF_TABLE_ROW (widget);

  GTK_WIDGET_CLASS (kf_table_row_parent_class)->system_setting_changed (widget, setting);
  g_clear_object (&self->layout);
  gtk_widget_queue_resize (widget);
}

static gboolean
on_menu_button_query_tooltip (GtkWidget  *widget,
                              int         x,
                              int         y,
                              gboolean    keyboard,
                              GtkTooltip *tooltip)
{
  gtk_tooltip_set_text (tooltip, more_actions ());
  return TRUE;
}

static void
kf_table_row_dispose (GObject *object)
{
  KfTableRow *self = (KfTableRow *) object;

  if (self->item != NULL)
    g_clear_signal_handler (&self->item_handler, self->item);
  g_clear_object (&self->item);
  if (self->columns_handler != 0)
    g_clear_signal_handler (&self->columns_handler, self->columns);
  g_clear_pointer (&self->badge, gtk_widget_unparent);
  g_clear_pointer (&self->menu_button, gtk_widget_unparent);

  G_OBJECT_CLASS (kf_table_row_parent_class)->dispose (object);
}

static void
kf_table_row_finalize (GObject *object)
{
  KfTableRow *self = (KfTableRow *) object;

  g_clear_object (&self->columns);
  g_clear_object (&self->layout);
  g_ptr_array_unref (self->texts);

  G_OBJECT_CLASS (kf_table_row_parent_class)->finalize (object);
}

static void
kf_table_row_class_init (KfTableRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kf_table_row_dispose;
  object_class->finalize = kf_table_row_finalize;
  widget_class->measure = kf_table_row_measure;
  widget_class->size_allocate = kf_table_row_size_allocate;
  widget_class->snapshot = kf_table_row_snapshot;
  widget_class->query_tooltip = kf_table_row_query_tooltip;
  widget_class->css_changed = kf_table_row_css_changed;
  widget_class->system_setting_changed = kf_table_row_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "kf-table-row");
  /* The list's row around it carries the name (see update_accessible). */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kf_table_row_init (KfTableRow *self)
{
  self->texts = g_ptr_array_new_with_free_func (g_free);
  self->badge_column = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
kf_table_row_new (KfTableColumns *columns)
{
  KfTableRow *self;
  guint n;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (columns), NULL);

  self = g_object_new (KF_TYPE_TABLE_ROW, NULL);
  self->columns = g_object_ref (columns);
  self->columns_handler = g_signal_connect_swapped (columns, "changed", G_CALLBACK (on_columns_changed), self);

  n = kf_table_columns_get_n_columns (columns);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (self->texts, g_strdup (""));
      if (self->badge == NULL && kf_table_columns_has_badge (columns, i))
        {
          self->badge_column = (int) i;
          self->badge = kf_cell_text_new ();
          /* A pill as wide as its text, not the whole cell. */
          kf_cell_text_set_chars (KF_CELL_TEXT (self->badge), 0, 0);
          kf_cell_text_set_fit (KF_CELL_TEXT (self->badge), TRUE);
          gtk_widget_add_css_class (self->badge, "badge");
          gtk_widget_set_parent (self->badge, GTK_WIDGET (self));
          gtk_widget_set_child_visible (self->badge, kf_table_columns_get_shown (columns, i));
        }
    }

  self->menu_button = gtk_button_new_from_icon_name ("view-more-symbolic");
  gtk_widget_set_name (self->menu_button, "row-menu");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->menu_button), GTK_ACCESSIBLE_PROPERTY_LABEL, more_actions (), -1);
  gtk_button_set_has_frame (GTK_BUTTON (self->menu_button), FALSE);
  gtk_widget_set_has_tooltip (self->menu_button, TRUE);
  g_signal_connect (self->menu_button, "query-tooltip", G_CALLBACK (on_menu_button_query_tooltip), NULL);
  /* Tab should reach the row, not every button of every row. */
  gtk_widget_set_focusable (self->menu_button, FALSE);
  gtk_widget_set_parent (self->menu_button, GTK_WIDGET (self));

  return GTK_WIDGET (self);
}

void
kf_table_row_set_item (KfTableRow *self,
                       GObject    *item)
{
  g_return_if_fail (KF_IS_TABLE_ROW (self));
  g_return_if_fail (item == NULL || G_IS_OBJECT (item));

  if (self->item == item)
    return;

  if (self->item != NULL)
    g_clear_signal_handler (&self->item_handler, self->item);
  g_set_object (&self->item, item);
  if (self->item != NULL)
    self->item_handler = g_signal_connect_swapped (self->item, "notify", G_CALLBACK (on_item_notify), self);
  render (self);
}

GObject *
kf_table_row_get_item (KfTableRow *self)
{
  g_return_val_if_fail (KF_IS_TABLE_ROW (self), NULL);

  return self->item;
}

void
kf_table_row_update (KfTableRow *self)
{
  g_return_if_fail (KF_IS_TABLE_ROW (self));

  render (self);
}

const char *
kf_table_row_get_cell_text (KfTableRow *self,
                            guint       column)
{
  g_return_val_if_fail (KF_IS_TABLE_ROW (self), NULL);

  return column < self->texts->len ? g_ptr_array_index (self->texts, column) : NULL;
}

GtkWidget *
kf_table_row_get_menu_button (KfTableRow *self)
{
  g_return_val_if_fail (KF_IS_TABLE_ROW (self), NULL);

  return self->menu_button;
}

KfTableColumns *
kf_table_row_get_columns (KfTableRow *self)
{
  g_return_val_if_fail (KF_IS_TABLE_ROW (self), NULL);

  return self->columns;
}
