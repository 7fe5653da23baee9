/* kf-table-header.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-table-header"

#include <glib/gi18n.h>

#include "kf-table-header.h"

struct _KfTableHeader
{
  GtkWidget       parent_instance;

  KfTableColumns *columns;
  gulong          changed_handler;
  gulong          sort_handler;
  GPtrArray      *buttons;        /* GtkButton, one per column */
  GPtrArray      *arrows;         /* GtkImage in each button */
  int             resizing;       /* the column being resized, or -1 */
  int             resize_start;   /* its width when the drag began */
  GtkWidget      *last_focus;     /* the title Tab comes back to (weak) */
};

G_DEFINE_FINAL_TYPE (KfTableHeader, kf_table_header, GTK_TYPE_WIDGET)

/* How near an edge between titles a drag resizes, in pixels. */
#define EDGE_SLOP 5
/* How much Ctrl+Left / Ctrl+Right resizes the focused title's column. */
#define KEY_RESIZE_STEP 24

static int
table_width (KfTableHeader *self)
{
  return MAX (0, gtk_widget_get_width (GTK_WIDGET (self)) - kf_table_columns_get_trailing (self->columns));
}

static gboolean
is_rtl (KfTableHeader *self)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

/* @x in the table's left-to-right coordinates. */
static double
table_x (KfTableHeader *self,
         double         x)
{
  return is_rtl (self) ? gtk_widget_get_width (GTK_WIDGET (self)) - x : x;
}

/* The column whose trailing edge is at @x, or -1. */
static int
edge_at (KfTableHeader *self,
         double         x)
{
  int width = table_width (self);

  x = table_x (self, x);
  for (guint i = 0; i < self->buttons->len; i++)
    {
      int cell_x, cell_width;

      if (!kf_table_columns_get_cell (self->columns, width, i, &cell_x, &cell_width))
        break;
      if (ABS (x - (cell_x + cell_width)) <= EDGE_SLOP)
        return (int) i;
    }
  return -1;
}

static void
update_sort (KfTableHeader *self)
{
  int sorted = kf_table_columns_get_sort_column (self->columns);
  GtkSortType order = kf_table_columns_get_sort_order (self->columns);

  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *arrow = g_ptr_array_index (self->arrows, i);
      GtkWidget *button = g_ptr_array_index (self->buttons, i);

      gtk_widget_set_visible (arrow, (int) i == sorted);
      if ((int) i != sorted)
        {
          gtk_accessible_reset_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
          continue;
        }
      gtk_image_set_from_icon_name (GTK_IMAGE (arrow), order == GTK_SORT_ASCENDING ? "pan-up-symbolic"
                                                                                    : "pan-down-symbolic");
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      order == GTK_SORT_ASCENDING ? _("Sorted ascending") : _("Sorted descending"),
                                      -1);
    }
}

static void
on_title_clicked (GtkButton     *button,
                  KfTableHeader *self)
{
  guint column;

  if (!g_ptr_array_find (self->buttons, button, &column))
    return;
  if (kf_table_columns_get_sort_column (self->columns) == (int) column)
    kf_table_columns_sort_by (self->columns, column,
                              kf_table_columns_get_sort_order (self->columns) == GTK_SORT_ASCENDING
                                ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
  else
    kf_table_columns_sort_by (self->columns, column, GTK_SORT_ASCENDING);
}

static void
add_button (KfTableHeader *self,
            guint          i)
{
  const char *title = kf_table_columns_get_title (self->columns, i);
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *arrow = gtk_image_new ();

  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_visible (arrow, FALSE);
  gtk_box_append (GTK_BOX (box), arrow);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_button_set_has_frame (GTK_BUTTON (button), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_widget_set_sensitive (button, kf_table_columns_can_sort (self->columns, i));
  /* One Tab stop for all titles (see kf_table_header_focus); a click
   * sorts without taking the focus from the rows. */
  gtk_widget_set_focus_on_click (button, FALSE);
  g_signal_connect (button, "clicked", G_CALLBACK (on_title_clicked), self);
  gtk_widget_set_parent (button, GTK_WIDGET (self));
  g_ptr_array_add (self->buttons, button);
  g_ptr_array_add (self->arrows, arrow);
}

/* Columns appended since, shown or hidden. */
static void
on_columns_changed (KfTableHeader *self)
{
  while (self->buttons->len < kf_table_columns_get_n_columns (self->columns))
    add_button (self, self->buttons->len);
  for (guint i = 0; i < self->buttons->len; i++)
    gtk_widget_set_child_visible (g_ptr_array_index (self->buttons, i),
                                  kf_table_columns_get_shown (self->columns, i));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               KfTableHeader  *self)
{
  int cell_x, cell_width;

  self->resizing = edge_at (self, x);
  if (self->resizing < 0 ||
      !kf_table_columns_get_cell (self->columns, table_width (self), self->resizing, &cell_x, &cell_width))
    {
      self->resizing = -1;
      /* Not an edge: the title's button takes the click. */
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->resize_start = cell_width;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                KfTableHeader  *self)
{
  if (self->resizing < 0)
    return;
  kf_table_columns_resize (self->columns, self->resizing, self->resize_start + (int) (is_rtl (self) ? -dx : dx));
}

static void
on_drag_end (GtkGestureDrag *gesture,
             double          dx,
             double          dy,
             KfTableHeader  *self)
{
  self->resizing = -1;
}

static void
on_motion (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           KfTableHeader            *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), edge_at (self, x) >= 0 || self->resizing >= 0 ? "col-resize" : NULL);
}

/* Keyboard: the titles are one stop in the Tab chain (the sorted column's
 * title, or the one last used); Left and Right move between titles, Enter
 * or Space sorts, Ctrl+Left and Ctrl+Right resize. */

static gboolean
can_focus_title (KfTableHeader *self,
                 guint          column)
{
  GtkWidget *button = g_ptr_array_index (self->buttons, column);

  return gtk_widget_get_child_visible (button) && gtk_widget_is_sensitive (button);
}

/* The column whose title has the keyboard focus, or -1. Asked of the
 * window: a window that is not active does not update its widgets' focus
 * children (seen with GTK 4.8 and 4.24), while its focus widget is always
 * the one that will get the keys. */
static int
focused_column (KfTableHeader *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  guint column;

  for (; focus != NULL && focus != GTK_WIDGET (self); focus = gtk_widget_get_parent (focus))
    if (g_ptr_array_find (self->buttons, focus, &column))
      return (int) column;
  return -1;
}

/* Where Tab enters the titles. */
static int
entry_column (KfTableHeader *self)
{
  guint column;
  int sorted = kf_table_columns_get_sort_column (self->columns);

  if (self->last_focus != NULL && g_ptr_array_find (self->buttons, self->last_focus, &column)
      && can_focus_title (self, column))
    return (int) column;
  if (sorted >= 0 && (guint) sorted < self->buttons->len && can_focus_title (self, sorted))
    return sorted;
  for (column = 0; column < self->buttons->len; column++)
    if (can_focus_title (self, column))
      return (int) column;
  return -1;
}

static gboolean
focus_title (KfTableHeader *self,
             int            column)
{
  GtkWidget *button = g_ptr_array_index (self->buttons, column);

  if (!gtk_widget_grab_focus (button))
    return FALSE;
  g_set_weak_pointer (&self->last_focus, button);
  return TRUE;
}

static gboolean
kf_table_header_focus (GtkWidget        *widget,
                       GtkDirectionType  direction)
{
  KfTableHeader *self = KF_TABLE_HEADER (widget);
  int current = focused_column (self);
  int step;

  switch (direction)
    {
    case GTK_DIR_TAB_FORWARD:
    case GTK_DIR_TAB_BACKWARD:
      if (current >= 0)
        return FALSE;   /* Tab leaves the titles */
      current = entry_column (self);
      return current >= 0 && focus_title (self, current);

    case GTK_DIR_LEFT:
    case GTK_DIR_RIGHT:
      if (current < 0)
        return FALSE;
      /* Left is the previous column left to right, the next one right to left. */
      step = (direction == GTK_DIR_RIGHT) != is_rtl (self) ? 1 : -1;
      for (int i = current + step; i >= 0 && (guint) i < self->buttons->len; i += step)
        if (can_focus_title (self, i))
          return focus_title (self, i);
      gtk_widget_error_bell (widget);
      return TRUE;   /* the last title keeps the focus */

    case GTK_DIR_UP:
    case GTK_DIR_DOWN:
    default:
      return FALSE;
    }
}

static void
resize_focused (KfTableHeader *self,
                int            delta)
{
  int column = focused_column (self);
  int cell_x, cell_width;

  if (column < 0 || !kf_table_columns_get_cell (self->columns, table_width (self), column, &cell_x, &cell_width))
    return;
  kf_table_columns_resize (self->columns, column, cell_width + delta);
}

static void
wider_column (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  resize_focused (KF_TABLE_HEADER (widget), KEY_RESIZE_STEP);
}

static void
narrower_column (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  resize_focused (KF_TABLE_HEADER (widget), -KEY_RESIZE_STEP);
}

/* Ctrl+Right moves the column's trailing edge right: wider left to right,
 * narrower right to left (where that edge is on the column's left). */
static gboolean
on_resize_key (GtkWidget *widget,
               GVariant  *args,
               gpointer   user_data)
{
  gboolean right = g_variant_get_boolean (args);

  gtk_widget_activate_action (widget, right != is_rtl (KF_TABLE_HEADER (widget)) ? "table-header.wider-column"
                                                                                  : "table-header.narrower-column",
                              NULL);
  return TRUE;
}

static void
kf_table_header_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  KfTableHeader *self = KF_TABLE_HEADER (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      kf_table_columns_measure_row (self->columns, minimum, natural);
      return;
    }

  *minimum = *natural = 0;
  for (guint i = 0; i < self->buttons->len; i++)
    {
      int button_min, button_nat;

      gtk_widget_measure (g_ptr_array_index (self->buttons, i), orientation, -1, &button_min, &button_nat, NULL, NULL);
      *minimum = MAX (*minimum, button_min);
      *natural = MAX (*natural, button_nat);
    }
}

static void
kf_table_header_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  KfTableHeader *self = KF_TABLE_HEADER (widget);
  int table = table_width (self);
  int trailing = kf_table_columns_get_trailing (self->columns);

  for (guint i = 0; i < self->buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (self->buttons, i);
      int x, cell_width;

      if (!kf_table_columns_get_cell (self->columns, table, i, &x, &cell_width))
        continue;
      if (is_rtl (self))
        x = trailing + table - x - cell_width;
      /* GTK wants a measure before each allocation; the cell is never
       * narrower than the title's minimum (see kf_table_columns_get_min_width). */
      gtk_widget_measure (button, GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);
      gtk_widget_size_allocate (button, &(GtkAllocation) { x, 0, cell_width, height }, -1);
    }
}

static void
kf_table_header_dispose (GObject *object)
{
  KfTableHeader *self = (KfTableHeader *) object;

  if (self->columns != NULL)
    {
      g_clear_signal_handler (&self->changed_handler, self->columns);
      g_clear_signal_handler (&self->sort_handler, self->columns);
    }
  if (self->buttons != NULL)
    for (guint i = 0; i < self->buttons->len; i++)
      gtk_widget_unparent (g_ptr_array_index (self->buttons, i));
  g_clear_pointer (&self->buttons, g_ptr_array_unref);
  g_clear_pointer (&self->arrows, g_ptr_array_unref);
  g_clear_weak_pointer (&self->last_focus);
  g_clear_object (&self->columns);

  G_OBJECT_CLASS (kf_table_header_parent_class)->dispose (object);
}

static void
kf_table_header_class_init (KfTableHeaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kf_table_header_dispose;
  widget_class->measure = kf_table_header_measure;
  widget_class->size_allocate = kf_table_header_size_allocate;
  widget_class->focus = kf_table_header_focus;

  gtk_widget_class_install_action (widget_class, "table-header.wider-column", NULL, wider_column);
  gtk_widget_class_install_action (widget_class, "table-header.narrower-column", NULL, narrower_column);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, GDK_CONTROL_MASK, on_resize_key, "b", TRUE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Right, GDK_CONTROL_MASK, on_resize_key, "b", TRUE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_CONTROL_MASK, on_resize_key, "b", FALSE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Left, GDK_CONTROL_MASK, on_resize_key, "b", FALSE);

  gtk_widget_class_set_css_name (widget_class, "kf-table-header");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
kf_table_header_init (KfTableHeader *self)
{
  GtkGesture *drag;
  GtkEventController *motion;

  self->buttons = g_ptr_array_new ();
  self->arrows = g_ptr_array_new ();
  self->resizing = -1;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  /* Before the buttons see the press: an edge is a resize, not a click. */
  drag = gtk_gesture_drag_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (drag), GTK_PHASE_CAPTURE);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
}

GtkWidget *
kf_table_header_new (KfTableColumns *columns)
{
  KfTableHeader *self;

  g_return_val_if_fail (KF_IS_TABLE_COLUMNS (columns), NULL);

  self = g_object_new (KF_TYPE_TABLE_HEADER, NULL);
  self->columns = g_object_ref (columns);
  on_columns_changed (self);

  self->changed_handler = g_signal_connect_swapped (columns, "changed", G_CALLBACK (on_columns_changed), self);
  self->sort_handler = g_signal_connect_swapped (columns, "sort-changed", G_CALLBACK (update_sort), self);
  update_sort (self);
  return GTK_WIDGET (self);
}

GtkWidget *
kf_table_header_get_button (KfTableHeader *self,
                            guint           column)
{
  g_return_val_if_fail (KF_IS_TABLE_HEADER (self), NULL);
  g_return_val_if_fail (column < self->buttons->len, NULL);

  return g_ptr_array_index (self->buttons, column);
}
