/* kf-list-rows.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-list-rows"

#include "kf-list-rows.h"

/* KfListRow */

struct _KfListRow
{
  GObject  parent_instance;
  GObject *item;
};

G_DEFINE_FINAL_TYPE (KfListRow, kf_list_row, G_TYPE_OBJECT)

enum {
  ROW_PROP_0,
  ROW_PROP_ITEM,
  ROW_N_PROPS
};

static GParamSpec *row_properties[ROW_N_PROPS];

static void
kf_list_row_finalize (GObject *object)
{
  KfListRow *self = (KfListRow *) object;

  g_clear_object (&self->item);

  G_OBJECT_CLASS (kf_list_row_parent_class)->finalize (object);
}

static void
kf_list_row_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  KfListRow *self = KF_LIST_ROW (object);

  switch (prop_id)
    {
    case ROW_PROP_ITEM:
      g_value_set_object (value, self->item);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_list_row_class_init (KfListRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = kf_list_row_finalize;
  object_class->get_property = kf_list_row_get_property;

  row_properties[ROW_PROP_ITEM] =
    g_param_spec_object ("item", NULL, NULL, G_TYPE_OBJECT, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, ROW_N_PROPS, row_properties);
}

static void
kf_list_row_init (KfListRow *self)
{
}

/* Takes @item. */
static void
kf_list_row_take_item (KfListRow *self,
                       GObject   *item)
{
  if (self->item == item)
    {
      g_clear_object (&item);
      return;
    }

  g_clear_object (&self->item);
  self->item = item;
  g_object_notify_by_pspec (G_OBJECT (self), row_properties[ROW_PROP_ITEM]);
}

GObject *
kf_list_row_get_item (KfListRow *self)
{
  g_return_val_if_fail (KF_IS_LIST_ROW (self), NULL);

  return self->item;
}

/* KfListRows */

struct _KfListRows
{
  GObject     parent_instance;

  GListModel *source;
  GPtrArray  *rows;    /* KfListRow or NULL (not asked for yet), one per item */
  guint       limit;   /* show at most this many */
};

static void kf_list_rows_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (KfListRows, kf_list_rows, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, kf_list_rows_model_init))

static GType
kf_list_rows_get_item_type (GListModel *model)
{
  return KF_TYPE_LIST_ROW;
}

static guint
kf_list_rows_get_n_items (GListModel *model)
{
  KfListRows *self = KF_LIST_ROWS (model);

  return MIN (self->rows->len, self->limit);
}

static gpointer
kf_list_rows_get_item (GListModel *model,
                       guint       position)
{
  KfListRows *self = KF_LIST_ROWS (model);
  KfListRow *row;

  if (position >= MIN (self->rows->len, self->limit))
    return NULL;

  row = g_ptr_array_index (self->rows, position);
  if (row == NULL)
    {
      row = g_object_new (KF_TYPE_LIST_ROW, NULL);
      row->item = g_list_model_get_item (self->source, position);
      g_ptr_array_index (self->rows, position) = row;
    }

  return g_object_ref (row);
}

static void
kf_list_rows_model_init (GListModelInterface *iface)
{
  iface->get_item_type = kf_list_rows_get_item_type;
  iface->get_n_items = kf_list_rows_get_n_items;
  iface->get_item = kf_list_rows_get_item;
}

/* Reports a change of the shown count from @old_shown to @new_shown. */
static void
emit_count_change (KfListRows *self,
                   guint       old_shown,
                   guint       new_shown)
{
  if (new_shown < old_shown)
    g_list_model_items_changed (G_LIST_MODEL (self), new_shown, old_shown - new_shown, 0);
  else if (new_shown > old_shown)
    g_list_model_items_changed (G_LIST_MODEL (self), old_shown, 0, new_shown - old_shown);
}

static void
on_source_items_changed (KfListRows *self,
                         guint       position,
                         guint       removed,
                         guint       added,
                         GListModel *source)
{
  guint old_n = self->rows->len;
  guint new_n = g_list_model_get_n_items (source);
  guint common = MIN (MIN (old_n, new_n), self->limit);

  /* Rows that stay point at whatever now sits at their position. */
  for (guint i = position; i < common; i++)
    {
      KfListRow *row = g_ptr_array_index (self->rows, i);

      if (row != NULL)
        kf_list_row_take_item (row, g_list_model_get_item (source, i));
    }

  if (new_n < old_n)
    g_ptr_array_remove_range (self->rows, new_n, old_n - new_n);
  else if (new_n > old_n)
    g_ptr_array_set_size (self->rows, new_n);

  emit_count_change (self, MIN (old_n, self->limit), MIN (new_n, self->limit));
}

static void
kf_list_rows_dispose (GObject *object)
{
  KfListRows *self = (KfListRows *) object;

  if (self->source != NULL)
    g_signal_handlers_disconnect_by_data (self->source, self);
  g_clear_object (&self->source);
  g_ptr_array_set_size (self->rows, 0);

  G_OBJECT_CLASS (kf_list_rows_parent_class)->dispose (object);
}

static void
kf_list_rows_finalize (GObject *object)
{
  KfListRows *self = (KfListRows *) object;

  g_ptr_array_unref (self->rows);

  G_OBJECT_CLASS (kf_list_rows_parent_class)->finalize (object);
}

static void
kf_list_rows_class_init (KfListRowsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kf_list_rows_dispose;
  object_class->finalize = kf_list_rows_finalize;
}

/* g_object_unref() would choke on the slots not filled yet. */
static void
row_unref (gpointer row)
{
  if (row != NULL)
    g_object_unref (row);
}

static void
kf_list_rows_init (KfListRows *self)
{
  self->rows = g_ptr_array_new_with_free_func (row_unref);
  self->limit = G_MAXUINT;
}

KfListRows *
kf_list_rows_new (GListModel *source)
{
  KfListRows *self;

  g_return_val_if_fail (G_IS_LIST_MODEL (source), NULL);

  self = g_object_new (KF_TYPE_LIST_ROWS, NULL);
  self->source = g_object_ref (source);
  g_ptr_array_set_size (self->rows, g_list_model_get_n_items (source));
  g_signal_connect_object (source, "items-changed", G_CALLBACK (on_source_items_changed), self, G_CONNECT_SWAPPED);
  return self;
}

GObject *
kf_list_rows_peek_item (KfListRows *self,
                        guint       position)
{
  g_autoptr(KfListRow) row = NULL;

  g_return_val_if_fail (KF_IS_LIST_ROWS (self), NULL);

  row = g_list_model_get_item (G_LIST_MODEL (self), position);
  return row != NULL ? row->item : NULL;
}

void
kf_list_rows_set_limit (KfListRows *self,
                        guint       limit)
{
  guint old_shown;

  g_return_if_fail (KF_IS_LIST_ROWS (self));

  old_shown = MIN (self->rows->len, self->limit);
  self->limit = limit;
  emit_count_change (self, old_shown, MIN (self->rows->len, self->limit));
}
