/* kf-list-page.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-list-page"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "kf-cell-text.h"
#include "kf-list-page.h"
#include "kf-list-rows.h"
#include "kf-table-header.h"
#include "kf-table-row.h"
#include "kf-ui-util.h"

/* One casefolded search word; @ascii lets the match skip casefolding the
 * (almost always ASCII) names and hosts, which keeps a 10,000-row filter
 * well under a frame. */
typedef struct
{
  char     *text;
  gsize     len;
  gboolean  ascii;
} SearchToken;

/* When the whole table does not fit, it keeps only its first columns (and
 * ⋮): at 360 px the full table was the wide one squeezed, Host cut to
 * "127.0.…" and the row menus off-screen until one scrolled sideways. */
#define NARROW_COLUMNS 2

struct _KfListPage
{
  GtkWidget           parent_instance;

  /* template */
  GtkWidget          *box;
  GtkSearchBar       *search_bar;
  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  GtkWidget          *table_box;
  GtkListView        *list_view;
  GtkWidget          *header;         /* KfTableHeader, first in table_box */
  /* The status pages, built when first shown (show_state) */
  AdwStatusPage      *empty_page;
  AdwStatusPage      *no_results_page;
  GtkButton          *empty_add_button;
  char               *empty_icon_name;
  char               *empty_title;
  char               *empty_description;
  char               *add_label;
  char               *add_action_name;
  GtkWidget          *row_menu;       /* GtkPopoverMenu, child of the page; NULL until first opened */
  GtkWidget          *menu_row;       /* weak: the row whose menu is open */
  GtkWidget          *menu_button;    /* weak: the ⋮ that opened it, if one did */

  GListModel         *model;          /* the store's list, or NULL */
  GtkSortListModel   *sort_model;     /* owned by filter_model */
  GtkFilterListModel *filter_model;   /* owned by rows */
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;         /* owned by filter_model */
  KfListRows         *rows;           /* stable rows over filter_model */
  guint               show_all_id;
  guint               narrow_id;
  gboolean            narrow;
  gboolean            rows_deferred;
  gboolean            ever_mapped;
  gboolean            mapping;
  GdkFrameClock      *paint_clock;
  gulong              paint_handler;

  char               *search_text;
  GArray             *tokens;         /* SearchToken */
  KfListFieldsFunc    fields_func;
  KfListMenuFunc      menu_func;
  gpointer            menu_data;
  KfTableColumns     *columns;
  GHashTable         *bound_rows;     /* GtkListItem, bound */
  const char         *state;
};

G_DEFINE_FINAL_TYPE (KfListPage, kf_list_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_EMPTY_ICON_NAME,
  PROP_EMPTY_TITLE,
  PROP_EMPTY_DESCRIPTION,
  PROP_ADD_LABEL,
  PROP_ADD_ACTION_NAME,
  PROP_SEARCH_PLACEHOLDER,
  PROP_SEARCH_MODE,
  PROP_SEARCH_TEXT,
  PROP_STATE,
  N_PROPS
};

enum {
  ITEM_ACTIVATED,
  DELETE_REQUESTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
search_token_clear (gpointer data)
{
  SearchToken *token = data;

  g_free (token->text);
}

static gboolean
is_ascii (const char *str)
{
  for (; *str != '\0'; str++)
    if ((guchar) *str >= 0x80)
      return FALSE;
  return TRUE;
}

static inline char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* @token is casefolded; @haystack is anything. */
static gboolean
text_contains (const char        *haystack,
               const SearchToken *token)
{
  if (haystack == NULL || *haystack == '\0')
    return FALSE;

  /* One pass: the first byte that is not ASCII sends the field to the
   * casefolding path below (a "K" sign folds to "k"). */
  if (token->ascii)
    {
      gboolean ascii = TRUE;

      for (const char *p = haystack; *p != '\0'; p++)
        {
          gsize j = 0;

          if ((guchar) *p >= 0x80)
            {
              ascii = FALSE;
              break;
            }
          while (j < token->len && ascii_lower (p[j]) == token->text[j])
            j++;
          if (j == token->len)
            return TRUE;
        }
      if (ascii)
        return FALSE;
    }

  {
    g_autofree char *folded = g_utf8_casefold (haystack, -1);

    return strstr (folded, token->text) != NULL;
  }
}

/* Every word of the search must appear in one of the item's fields. */
static gboolean
match_item (gpointer item,
            gpointer user_data)
{
  KfListPage *self = user_data;
  const char *fields[KF_LIST_PAGE_MAX_FIELDS] = { NULL, };
  guint n_fields;

  if (self->fields_func == NULL)
    return TRUE;

  n_fields = self->fields_func (item, fields, G_N_ELEMENTS (fields));

  for (guint t = 0; t < self->tokens->len; t++)
    {
      const SearchToken *token = &g_array_index (self->tokens, SearchToken, t);
      gboolean found = FALSE;

      for (guint f = 0; f < n_fields && !found; f++)
        found = text_contains (fields[f], token);

      if (!found)
        return FALSE;
    }

  return TRUE;
}

static void
apply_add_button (KfListPage *self)
{
  gtk_button_set_label (self->empty_add_button, self->add_label);
  kf_ui_name_icon_controls (GTK_WIDGET (self->empty_add_button));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->empty_add_button), self->add_action_name);
}

static void
build_empty_page (KfListPage *self)
{
  GtkWidget *button = gtk_button_new ();

  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "pill");
  gtk_widget_add_css_class (button, "suggested-action");
  self->empty_add_button = GTK_BUTTON (button);
  apply_add_button (self);
  self->empty_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_title (self->empty_page, self->empty_title);
  adw_status_page_set_description (self->empty_page, self->empty_description);
  adw_status_page_set_child (self->empty_page, button);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->empty_page), "empty");
}

static void
build_no_results_page (KfListPage *self)
{
  self->no_results_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_title (self->no_results_page, _("No Results Found"));
  adw_status_page_set_description (self->no_results_page, _("Try a different search"));
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->no_results_page), "no-results");
}

/* Shows the state's page once the page is on screen. A list with items
 * never needs the status pages, some 30 widgets: they are built the first
 * time one is shown. Their 128 px icons have no pre-rendered size in
 * Adwaita: each is drawn from SVG, which loads librsvg (6.5 MiB) and took
 * 12% of the first frame with 10,000 rows (profiled). */
static void
show_state (KfListPage *self)
{
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) && !self->mapping)
    return;
  if (g_strcmp0 (self->state, "empty") == 0)
    {
      if (self->empty_page == NULL)
        build_empty_page (self);
      adw_status_page_set_icon_name (self->empty_page, self->empty_icon_name);
    }
  else if (g_strcmp0 (self->state, "no-results") == 0)
    {
      if (self->no_results_page == NULL)
        build_no_results_page (self);
      adw_status_page_set_icon_name (self->no_results_page, "edit-find-symbolic");
    }
  gtk_stack_set_visible_child_name (self->stack, self->state);
}

static void
set_state (KfListPage *self,
           const char *state)
{
  if (g_strcmp0 (self->state, state) == 0)
    return;

  self->state = state;
  show_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
update_state (KfListPage *self)
{
  if (self->model == NULL || g_list_model_get_n_items (self->model) == 0)
    set_state (self, "empty");
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filter_model)) == 0)
    set_state (self, "no-results");
  else
    set_state (self, "list");
}

static void
on_items_changed (KfListPage *self)
{
  update_state (self);
}

/* GTK 4.8 builds a widget for up to 200 rows at once. When the list grows
 * (the first frame, a search cleared) only one screenful more is shown
 * until the next frame is on screen; the rest follows in the
 * frame after. A screenful is the height the rows get, in rows of the
 * smallest height a row takes (47 px with Adwaita, 42 leaves room for
 * smaller themes). Before the page has a size that is the window's height
 * less what is always above the rows, the header bar and the column titles
 * (80 px with Adwaita, 70 for smaller themes): 16 rows at 700 px, where 13
 * show, not a fixed 40 that builds three times what the first frame can
 * show. */
#define MIN_ROW_HEIGHT 42
#define MIN_CHROME_HEIGHT 70

static guint
screenful_rows (KfListPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  int width, height = gtk_widget_get_height (GTK_WIDGET (self));

  /* GTK 4.8 writes both sizes unchecked: no NULL for the width. */
  if (height <= 0 && GTK_IS_WINDOW (root))
    {
      gtk_window_get_default_size (GTK_WINDOW (root), &width, &height);
      height -= MIN_CHROME_HEIGHT;
    }
  if (height <= 0)
    height = 700 - MIN_CHROME_HEIGHT;
  return height / MIN_ROW_HEIGHT + 1;
}

static gboolean
show_all_rows (gpointer user_data)
{
  KfListPage *self = KF_LIST_PAGE (user_data);

  self->show_all_id = 0;
  self->rows_deferred = FALSE;
  kf_list_rows_set_limit (self->rows, G_MAXUINT);
  return G_SOURCE_REMOVE;
}

static void
disconnect_paint (KfListPage *self)
{
  if (self->paint_clock != NULL)
    g_signal_handler_disconnect (self->paint_clock, self->paint_handler);
  self->paint_handler = 0;
  g_clear_object (&self->paint_clock);
}

static void
on_after_paint (GdkFrameClock *clock,
                KfListPage    *self)
{
  disconnect_paint (self);
  if (self->show_all_id == 0)
    self->show_all_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_all_rows, self, NULL);
}

static void
watch_next_paint (KfListPage *self)
{
  GdkFrameClock *clock;

  if (!self->rows_deferred || self->paint_clock != NULL || self->show_all_id != 0 ||
      !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
  if (clock == NULL)
    return;
  self->paint_clock = g_object_ref (clock);
  self->paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), self);
}

static void
defer_row_growth (KfListPage *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  /* A page that was never on screen (Key Pairs at start-up) builds no row
   * widgets at all: half the cells of the first frame for nothing. */
  if (!self->ever_mapped)
    {
      kf_list_rows_set_limit (self->rows, 0);
      self->rows_deferred = TRUE;
      return;
    }
  kf_list_rows_set_limit (self->rows, MAX (shown, screenful_rows (self)));
  self->rows_deferred = TRUE;
  watch_next_paint (self);
}

static void
kf_list_page_map (GtkWidget *widget)
{
  KfListPage *self = KF_LIST_PAGE (widget);

  /* Shown for the first time: its first screenful of rows is built now,
   * before its children are mapped (not while GTK walks them). */
  if (!self->ever_mapped)
    {
      self->ever_mapped = TRUE;
      defer_row_growth (self);
    }
  self->mapping = TRUE;
  show_state (self);
  self->mapping = FALSE;

  GTK_WIDGET_CLASS (kf_list_page_parent_class)->map (widget);

  watch_next_paint (self);
}

static void
kf_list_page_unmap (GtkWidget *widget)
{
  KfListPage *self = KF_LIST_PAGE (widget);

  /* A hidden page draws no frames: attach the rows when it shows again. */
  disconnect_paint (self);
  /* Its row menu closes with it, rather than hiding with its surface and
   * popping up again, for an item that may be gone, when the page shows. */
  if (self->row_menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->row_menu));

  GTK_WIDGET_CLASS (kf_list_page_parent_class)->unmap (widget);
}

static void
apply_search (KfListPage *self,
              const char *text)
{
  g_autofree char *old_text = g_steal_pointer (&self->search_text);
  g_autofree char *folded = NULL;
  g_auto(GStrv) words = NULL;
  gboolean had_tokens = self->tokens->len > 0;

  self->search_text = g_strdup (text != NULL ? text : "");
  if (g_strcmp0 (old_text, self->search_text) == 0)
    return;

  folded = g_utf8_casefold (self->search_text, -1);
  words = g_strsplit_set (folded, " \t\n", -1);

  g_array_set_size (self->tokens, 0);
  for (guint i = 0; words[i] != NULL; i++)
    {
      SearchToken token;

      if (words[i][0] == '\0')
        continue;
      token.text = g_strdup (words[i]);
      token.len = strlen (token.text);
      token.ascii = is_ascii (token.text);
      g_array_append_val (self->tokens, token);
    }

  defer_row_growth (self);

  /* No words: a filter without a function matches everything at no cost. */
  if (self->tokens->len == 0)
    gtk_custom_filter_set_filter_func (self->filter, NULL, NULL, NULL);
  else if (!had_tokens)
    gtk_custom_filter_set_filter_func (self->filter, match_item, self, NULL);
  else if (g_str_has_prefix (self->search_text, old_text))
    /* Typing on only narrows: the filter model re-checks just the shown rows. */
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_MORE_STRICT);
  else if (g_str_has_prefix (old_text, self->search_text))
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_LESS_STRICT);
  else
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);

  /* Rows keep their position, not their item: a selection would jump. */
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_TEXT]);
}

static void
on_search_changed (KfListPage     *self,
                   GtkSearchEntry *entry)
{
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
on_list_view_activate (KfListPage  *self,
                       guint        position,
                       GtkListView *list_view)
{
  GObject *item = kf_list_rows_peek_item (self->rows, position);

  if (item != NULL)
    g_signal_emit (self, signals[ITEM_ACTIVATED], 0, item);
}

static gboolean
on_delete_shortcut (GtkWidget *widget,
                    GVariant  *args,
                    gpointer   user_data)
{
  KfListPage *self = KF_LIST_PAGE (user_data);
  gpointer item = kf_list_page_get_selected_item (self);

  if (item == NULL)
    return FALSE;

  g_signal_emit (self, signals[DELETE_REQUESTED], 0, item);
  return TRUE;
}

static void
on_search_mode_notify (KfListPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEARCH_MODE]);
}

/* Rows */

/* The store object a row shows (its KfListRow's current item). */
static GObject *
row_item (GtkListItem *list_item)
{
  KfListRow *row = gtk_list_item_get_item (list_item);

  return row != NULL ? kf_list_row_get_item (row) : NULL;
}

static void on_row_menu_button_clicked (GtkButton  *button,
                                        KfListPage *self);

static void
row_setup (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           KfListPage               *self)
{
  GtkWidget *row = kf_table_row_new (self->columns);
  GtkWidget *button = kf_table_row_get_menu_button (KF_TABLE_ROW (row));

  g_signal_connect (button, "clicked", G_CALLBACK (on_row_menu_button_clicked), self);
  g_object_set_data (G_OBJECT (row), "kf-list-item", list_item);
  g_object_set_data (G_OBJECT (button), "kf-list-item", list_item);
  gtk_list_item_set_child (list_item, row);
}

/* A bound row follows its KfListRow to another item (a search); the
 * KfTableRow follows that item's own changes. */
static void
row_follow_item (GtkListItem *list_item)
{
  kf_table_row_set_item (KF_TABLE_ROW (gtk_list_item_get_child (list_item)), row_item (list_item));
}

static void
row_bind (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          KfListPage               *self)
{
  g_signal_connect_swapped (gtk_list_item_get_item (list_item), "notify::item",
                            G_CALLBACK (row_follow_item), list_item);
  g_hash_table_add (self->bound_rows, list_item);
  row_follow_item (list_item);
}

static void
row_unbind (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            KfListPage               *self)
{
  gpointer row = gtk_list_item_get_item (list_item);

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, row_follow_item, list_item);
  kf_table_row_set_item (KF_TABLE_ROW (gtk_list_item_get_child (list_item)), NULL);
  g_hash_table_remove (self->bound_rows, list_item);
}

static void
row_teardown (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              KfListPage               *self)
{
  g_hash_table_remove (self->bound_rows, list_item);
}

static void
on_sort_changed (KfListPage *self)
{
  g_autoptr(GtkSorter) sorter = kf_table_columns_make_sorter (self->columns);

  gtk_sort_list_model_set_sorter (self->sort_model, sorter);
}

/* Row menu */

/* One popover for the page, filled when opened: a GtkMenuButton in each of
 * the up to 200 rows GTK keeps alive made every search visibly slower. */
/* The row widget (focusable, below the list view) that holds @widget. */
static GtkWidget *
row_of (KfListPage *self,
        GtkWidget  *widget)
{
  GtkWidget *row = NULL;

  for (; widget != NULL && widget != GTK_WIDGET (self->list_view); widget = gtk_widget_get_parent (widget))
    if (gtk_widget_get_focusable (widget))
      row = widget;
  return widget != NULL ? row : NULL;
}

/* A closed menu is emptied, so that a screen reader browsing the window
 * meets no hidden menu items of an earlier row. (Not while an item's click
 * is still being handled: from an idle.) */
static gboolean
empty_row_menu (gpointer data)
{
  KfListPage *self = data;

  if (self->row_menu != NULL && !gtk_widget_get_visible (self->row_menu))
    kf_ui_popover_menu_set_model (GTK_POPOVER_MENU (self->row_menu), NULL);
  return G_SOURCE_REMOVE;
}

/* Closing the menu (Escape, a click elsewhere, an item) puts the keyboard
 * back on the row it was opened for: GTK would otherwise move focus to the
 * first focusable widget of the window, the header's "+", and the next
 * Enter would open Add. */
static void
on_row_menu_closed (KfListPage *self)
{
  if (self->menu_button != NULL)
    gtk_widget_set_has_tooltip (self->menu_button, TRUE);
  if (self->menu_row != NULL && gtk_widget_get_mapped (self->menu_row))
    gtk_widget_grab_focus (self->menu_row);
  g_clear_weak_pointer (&self->menu_button);
  g_clear_weak_pointer (&self->menu_row);
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, empty_row_menu, g_object_ref (self), g_object_unref);
}

/* The page's one row menu, made the first time a row's menu opens: most
 * start-ups never open one, and a popover is a dozen widgets to build. */
static GtkWidget *
ensure_row_menu (KfListPage *self)
{
  if (self->row_menu == NULL)
    {
      self->row_menu = gtk_popover_menu_new_from_model (NULL);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->row_menu), TRUE);
      gtk_widget_set_parent (self->row_menu, GTK_WIDGET (self));
      g_signal_connect_swapped (self->row_menu, "closed", G_CALLBACK (on_row_menu_closed), self);
    }
  return self->row_menu;
}

/* @anchor: a widget inside the row the menu is for. */
static void
show_row_menu (KfListPage            *self,
               gpointer               item,
               GtkWidget             *anchor,
               const graphene_rect_t *where)
{
  g_autoptr(GMenuModel) menu = NULL;
  GdkRectangle rect;

  if (item == NULL || self->menu_func == NULL)
    return;

  g_set_weak_pointer (&self->menu_row, row_of (self, anchor));

  /* Built on demand, so the menu's targets name the item shown right now. */
  menu = self->menu_func (item, self->menu_data);
  kf_ui_popover_menu_set_model (GTK_POPOVER_MENU (ensure_row_menu (self)), menu);
  rect.x = (int) where->origin.x;
  rect.y = (int) where->origin.y;
  rect.width = MAX (1, (int) where->size.width);
  rect.height = MAX (1, (int) where->size.height);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->row_menu), &rect);
  gtk_popover_popup (GTK_POPOVER (self->row_menu));
}

static void
on_row_menu_button_clicked (GtkButton  *button,
                            KfListPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "kf-list-item");
  graphene_rect_t bounds;

  if (list_item == NULL || !gtk_widget_compute_bounds (GTK_WIDGET (button), GTK_WIDGET (self), &bounds))
    return;

  /* Its tooltip would appear over the menu's first item. */
  gtk_widget_set_has_tooltip (GTK_WIDGET (button), FALSE);
  show_row_menu (self, row_item (list_item), GTK_WIDGET (button), &bounds);
  g_set_weak_pointer (&self->menu_button, GTK_WIDGET (button));
}

/* Right click on any cell opens the same menu at the pointer. */
static void
on_context_click (GtkGestureClick *gesture,
                  int              n_press,
                  double           x,
                  double           y,
                  KfListPage      *self)
{
  GtkWidget *view = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  GtkWidget *picked = gtk_widget_pick (view, x, y, GTK_PICK_DEFAULT);
  GtkListItem *list_item = NULL;
  graphene_point_t point;

  for (; picked != NULL && picked != view; picked = gtk_widget_get_parent (picked))
    if ((list_item = g_object_get_data (G_OBJECT (picked), "kf-list-item")) != NULL)
      break;

  if (list_item == NULL || row_item (list_item) == NULL)
    return;
  if (!gtk_widget_compute_point (view, GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &point))
    return;

  gtk_single_selection_set_selected (self->selection, gtk_list_item_get_position (list_item));
  show_row_menu (self, row_item (list_item), picked, &GRAPHENE_RECT_INIT (point.x, point.y, 1, 1));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

/* Menu key or Shift+F10: the selected row's menu, at the focused row. */
static gboolean
on_menu_shortcut (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  KfListPage *self = KF_LIST_PAGE (user_data);
  gpointer item = kf_list_page_get_selected_item (self);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));
  graphene_rect_t bounds;

  if (item == NULL)
    return FALSE;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, widget) ||
      !gtk_widget_compute_bounds (focus, GTK_WIDGET (self), &bounds))
    graphene_rect_init (&bounds, 0, 0, gtk_widget_get_width (GTK_WIDGET (self)), 1);

  show_row_menu (self, item, focus, &bounds);
  return TRUE;
}

static void
kf_list_page_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  KfListPage *self = KF_LIST_PAGE (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, minimum_baseline, natural_baseline);
}

static gboolean
apply_narrow (gpointer data)
{
  KfListPage *self = data;

  self->narrow_id = 0;
  kf_table_columns_set_n_shown (self->columns, self->narrow ? NARROW_COLUMNS : G_MAXUINT);
  return G_SOURCE_REMOVE;
}

static void
kf_list_page_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  KfListPage *self = KF_LIST_PAGE (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  if (self->row_menu != NULL)
    gtk_popover_present (GTK_POPOVER (self->row_menu));

  /* Narrow when the whole table would need a sideways scroll, wide again
   * once it fits. Hiding columns changes sizes: not while allocating, just
   * after. */
  if (self->narrow_id == 0)
    {
      gboolean narrow;
      int min;

      kf_table_columns_measure (self->columns, TRUE, &min, NULL);
      narrow = min > width;
      if (narrow != self->narrow)
        {
          self->narrow = narrow;
          self->narrow_id = g_idle_add (apply_narrow, self);
        }
    }
}

/* The columns take the rows' font: the page's. */
static void
update_font (KfListPage *self)
{
  double char_width;

  if (self->columns == NULL)
    return;
  kf_cell_text_get_font_size (GTK_WIDGET (self), &char_width, NULL);
  kf_table_columns_set_font (self->columns, char_width);
}

static void
kf_list_page_realize (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (kf_list_page_parent_class)->realize (widget);
  update_font (KF_LIST_PAGE (widget));
}

static void
kf_list_page_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (kf_list_page_parent_class)->css_changed (widget, change);
  update_font (KF_LIST_PAGE (widget));
}

/* Resolution, hinting and rounding move the font's widths as well. */
static void
kf_list_page_system_setting_changed (GtkWidget        *widget,
                                     GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (kf_list_page_parent_class)->system_setting_changed (widget, setting);
  update_font (KF_LIST_PAGE (widget));
}

static void
kf_list_page_dispose (GObject *object)
{
  KfListPage *self = (KfListPage *) object;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);

  g_clear_handle_id (&self->show_all_id, g_source_remove);
  g_clear_handle_id (&self->narrow_id, g_source_remove);
  disconnect_paint (self);
  g_clear_weak_pointer (&self->menu_button);
  g_clear_weak_pointer (&self->menu_row);
  g_clear_pointer (&self->row_menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), KF_TYPE_LIST_PAGE);
  /* They went with the template's stack. */
  self->empty_page = NULL;
  self->no_results_page = NULL;
  self->empty_add_button = NULL;

  g_clear_object (&self->selection);
  g_clear_object (&self->rows);
  g_clear_object (&self->model);
  if (self->columns != NULL)
    g_signal_handlers_disconnect_by_data (self->columns, self);
  g_clear_object (&self->columns);

  G_OBJECT_CLASS (kf_list_page_parent_class)->dispose (object);
}

static void
kf_list_page_finalize (GObject *object)
{
  KfListPage *self = (KfListPage *) object;

  g_free (self->search_text);
  g_free (self->empty_icon_name);
  g_free (self->empty_title);
  g_free (self->empty_description);
  g_free (self->add_label);
  g_free (self->add_action_name);
  g_array_unref (self->tokens);
  g_hash_table_unref (self->bound_rows);

  G_OBJECT_CLASS (kf_list_page_parent_class)->finalize (object);
}

static void
kf_list_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  KfListPage *self = KF_LIST_PAGE (object);

  switch (prop_id)
    {
    case PROP_EMPTY_ICON_NAME:
      g_value_set_string (value, self->empty_icon_name);
      break;
    case PROP_EMPTY_TITLE:
      g_value_set_string (value, self->empty_title);
      break;
    case PROP_EMPTY_DESCRIPTION:
      g_value_set_string (value, self->empty_description);
      break;
    case PROP_ADD_LABEL:
      g_value_set_string (value, self->add_label);
      break;
    case PROP_ADD_ACTION_NAME:
      g_value_set_string (value, self->add_action_name);
      break;
    case PROP_SEARCH_PLACEHOLDER:
      /* No accessor before GTK 4.10, only the property. */
      g_object_get_property (G_OBJECT (self->search_entry), "placeholder-text", value);
      break;
    case PROP_SEARCH_MODE:
      g_value_set_boolean (value, kf_list_page_get_search_mode (self));
      break;
    case PROP_SEARCH_TEXT:
      g_value_set_string (value, kf_list_page_get_search_text (self));
      break;
    case PROP_STATE:
      g_value_set_string (value, kf_list_page_get_state (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_list_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  KfListPage *self = KF_LIST_PAGE (object);

  switch (prop_id)
    {
    case PROP_EMPTY_ICON_NAME:
      g_free (self->empty_icon_name);
      self->empty_icon_name = g_value_dup_string (value);
      show_state (self);
      break;
    case PROP_EMPTY_TITLE:
      g_free (self->empty_title);
      self->empty_title = g_value_dup_string (value);
      if (self->empty_page != NULL)
        adw_status_page_set_title (self->empty_page, self->empty_title);
      break;
    case PROP_EMPTY_DESCRIPTION:
      g_free (self->empty_description);
      self->empty_description = g_value_dup_string (value);
      if (self->empty_page != NULL)
        adw_status_page_set_description (self->empty_page, self->empty_description);
      break;
    case PROP_ADD_LABEL:
      g_free (self->add_label);
      self->add_label = g_value_dup_string (value);
      if (self->empty_add_button != NULL)
        apply_add_button (self);
      break;
    case PROP_ADD_ACTION_NAME:
      g_free (self->add_action_name);
      self->add_action_name = g_value_dup_string (value);
      if (self->empty_add_button != NULL)
        apply_add_button (self);
      break;
    case PROP_SEARCH_PLACEHOLDER:
      g_object_set_property (G_OBJECT (self->search_entry), "placeholder-text", value);
      kf_ui_name_icon_controls (GTK_WIDGET (self->search_entry));
      break;
    case PROP_SEARCH_MODE:
      kf_list_page_set_search_mode (self, g_value_get_boolean (value));
      break;
    case PROP_SEARCH_TEXT:
      kf_list_page_set_search_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_list_page_class_init (KfListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = kf_list_page_dispose;
  object_class->finalize = kf_list_page_finalize;
  object_class->get_property = kf_list_page_get_property;
  object_class->set_property = kf_list_page_set_property;

  properties[PROP_EMPTY_ICON_NAME] = g_param_spec_string ("empty-icon-name", NULL, NULL, NULL, rw);
  properties[PROP_EMPTY_TITLE] = g_param_spec_string ("empty-title", NULL, NULL, NULL, rw);
  properties[PROP_EMPTY_DESCRIPTION] = g_param_spec_string ("empty-description", NULL, NULL, NULL, rw);
  properties[PROP_ADD_LABEL] = g_param_spec_string ("add-label", NULL, NULL, NULL, rw);
  properties[PROP_ADD_ACTION_NAME] = g_param_spec_string ("add-action-name", NULL, NULL, NULL, rw);
  properties[PROP_SEARCH_PLACEHOLDER] = g_param_spec_string ("search-placeholder", NULL, NULL, NULL, rw);
  properties[PROP_SEARCH_MODE] = g_param_spec_boolean ("search-mode", NULL, NULL, FALSE, rw);
  properties[PROP_SEARCH_TEXT] = g_param_spec_string ("search-text", NULL, NULL, "", rw);
  properties[PROP_STATE] =
    g_param_spec_string ("state", NULL, NULL, "empty", G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* ::item-activated (item): Enter or double click on a row. */
  signals[ITEM_ACTIVATED] =
    g_signal_new ("item-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);
  /* ::delete-requested (item): the Delete key on the selected row. */
  signals[DELETE_REQUESTED] =
    g_signal_new ("delete-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/keyferry/Keyferry/kf-list-page.ui");
  gtk_widget_class_bind_template_child (widget_class, KfListPage, box);
  gtk_widget_class_bind_template_child (widget_class, KfListPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, KfListPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, KfListPage, stack);
  gtk_widget_class_bind_template_child (widget_class, KfListPage, table_box);
  gtk_widget_class_bind_template_child (widget_class, KfListPage, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_list_view_activate);

  widget_class->measure = kf_list_page_measure;
  widget_class->map = kf_list_page_map;
  widget_class->unmap = kf_list_page_unmap;
  widget_class->size_allocate = kf_list_page_size_allocate;
  widget_class->realize = kf_list_page_realize;
  widget_class->css_changed = kf_list_page_css_changed;
  widget_class->system_setting_changed = kf_list_page_system_setting_changed;
}

static void
kf_list_page_init (KfListPage *self)
{
  GtkEventController *shortcuts;
  GtkShortcutAction *action;
  GtkGesture *context;

  gtk_widget_init_template (GTK_WIDGET (self));
  kf_ui_name_icon_controls (GTK_WIDGET (self));

  self->search_text = g_strdup ("");
  self->tokens = g_array_new (FALSE, FALSE, sizeof (SearchToken));
  g_array_set_clear_func (self->tokens, search_token_clear);
  self->bound_rows = g_hash_table_new (NULL, NULL);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* Typing anywhere in the page starts a search. */
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));
  g_signal_connect_swapped (self->search_bar, "notify::search-mode-enabled",
                            G_CALLBACK (on_search_mode_notify), self);

  /* Sort first, then filter: a search then only walks the filter, and the
   * sorted order is computed once per sort change, not per keystroke. */
  self->sort_model = gtk_sort_list_model_new (NULL, NULL);
  self->filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->filter_model = gtk_filter_list_model_new (G_LIST_MODEL (self->sort_model), GTK_FILTER (self->filter));
  /* Filtering 10,000 rows synchronously is cheap (see bench/); incremental
   * filtering would only make the row count flicker. */
  gtk_filter_list_model_set_incremental (self->filter_model, FALSE);
  self->rows = kf_list_rows_new (G_LIST_MODEL (self->filter_model));
  g_object_unref (self->filter_model);
  defer_row_growth (self);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->filter_model, "items-changed", G_CALLBACK (on_items_changed), self);

  /* Delete only when the list has the focus: in the search entry it edits text. */
  shortcuts = gtk_shortcut_controller_new ();
  action = gtk_callback_action_new (on_delete_shortcut, self, NULL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0)),
                                                          action));
  action = gtk_callback_action_new (on_menu_shortcut, self, NULL);
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_alternative_trigger_new (gtk_keyval_trigger_new (GDK_KEY_Menu, 0),
                                                                                       gtk_keyval_trigger_new (GDK_KEY_F10, GDK_SHIFT_MASK)),
                                                          action));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), shortcuts);

  context = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (context), GDK_BUTTON_SECONDARY);
  g_signal_connect (context, "pressed", G_CALLBACK (on_context_click), self);
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), GTK_EVENT_CONTROLLER (context));

  /* Shown as such once mapped (show_state). */
  self->state = "empty";
}

static void
create_table (KfListPage *self,
              GType       item_type)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  self->columns = kf_table_columns_new (item_type);
  g_signal_connect_swapped (self->columns, "sort-changed", G_CALLBACK (on_sort_changed), self);
  update_font (self);

  self->header = kf_table_header_new (self->columns);
  gtk_box_prepend (GTK_BOX (self->table_box), self->header);

  g_signal_connect (factory, "setup", G_CALLBACK (row_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind), self);
  g_signal_connect (factory, "teardown", G_CALLBACK (row_teardown), self);
  gtk_list_view_set_factory (self->list_view, factory);
}

void
kf_list_page_set_model (KfListPage *self,
                        GListModel *model)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model == model)
    return;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (self->model != NULL)
    g_signal_connect_swapped (self->model, "items-changed", G_CALLBACK (on_items_changed), self);

  gtk_sort_list_model_set_model (self->sort_model, model);
  if (self->columns == NULL && model != NULL)
    create_table (self, g_list_model_get_item_type (model));
  update_state (self);
}

GListModel *
kf_list_page_get_model (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return self->model;
}

GListModel *
kf_list_page_get_shown (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

void
kf_list_page_set_fields_func (KfListPage       *self,
                              KfListFieldsFunc  func)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));

  self->fields_func = func;
  if (self->tokens->len > 0)
    gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

void
kf_list_page_append_column (KfListPage        *self,
                            const char        *title,
                            const char        *property,
                            KfTableFormatFunc  format,
                            gpointer           user_data,
                            guint              width_chars,
                            gboolean           expand)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));
  g_return_if_fail (self->columns != NULL);

  kf_table_columns_append (self->columns, title, property, format, user_data, width_chars, expand);
}

/* The last column appended shows its text as a badge. */
void
kf_list_page_set_badge_func (KfListPage       *self,
                             KfTableBadgeFunc  func)
{
  guint n;

  g_return_if_fail (KF_IS_LIST_PAGE (self));
  g_return_if_fail (self->columns != NULL);

  n = kf_table_columns_get_n_columns (self->columns);
  g_return_if_fail (n > 0);
  kf_table_columns_set_badge (self->columns, n - 1, func);
}

void
kf_list_page_set_menu_func (KfListPage     *self,
                            KfListMenuFunc  func,
                            gpointer        user_data)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));
  g_return_if_fail (self->menu_func == NULL);

  self->menu_func = func;
  self->menu_data = user_data;
}

KfTableColumns *
kf_list_page_get_columns (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return self->columns;
}

void
kf_list_page_refresh (KfListPage *self)
{
  GHashTableIter iter;
  gpointer list_item;

  g_return_if_fail (KF_IS_LIST_PAGE (self));

  g_hash_table_iter_init (&iter, self->bound_rows);
  while (g_hash_table_iter_next (&iter, &list_item, NULL))
    kf_table_row_update (KF_TABLE_ROW (gtk_list_item_get_child (list_item)));
}

const char *
kf_list_page_get_search_text (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return self->search_text;
}

/* Filters at once (the entry's own signal waits for a typing pause). */
void
kf_list_page_set_search_text (KfListPage *self,
                              const char *text)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));

  if (text != NULL && *text != '\0')
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  /* set_text clears, then inserts: the entry would report the empty text
   * in between (at once, as it does for "") and the list would unfilter
   * and filter again. */
  g_signal_handlers_block_by_func (self->search_entry, on_search_changed, self);
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, on_search_changed, self);
  apply_search (self, text);
}

gboolean
kf_list_page_get_search_mode (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), FALSE);

  return gtk_search_bar_get_search_mode (self->search_bar);
}

void
kf_list_page_set_search_mode (KfListPage *self,
                              gboolean    search_mode)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));

  gtk_search_bar_set_search_mode (self->search_bar, search_mode);
}

void
kf_list_page_start_search (KfListPage *self)
{
  g_return_if_fail (KF_IS_LIST_PAGE (self));

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

const char *
kf_list_page_get_state (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return self->state;
}

gpointer
kf_list_page_get_selected_item (KfListPage *self)
{
  g_return_val_if_fail (KF_IS_LIST_PAGE (self), NULL);

  return kf_list_rows_peek_item (self->rows, gtk_single_selection_get_selected (self->selection));
}
