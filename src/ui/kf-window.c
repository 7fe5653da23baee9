/* kf-window.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-window"

#include <glib/gi18n.h>

#include "kf-key-type.h"
#include "kf-ui-util.h"
#include "kf-window-private.h"

struct _KfWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkBox               *content_box;
  AdwHeaderBar         *header_bar;
  GtkButton            *add_button;
  AdwViewSwitcherTitle *switcher_title;
  GtkMenuButton        *menu_button;
  GMenuModel           *primary_menu;   /* the menu_button's, built when first opened */
  GtkToggleButton      *search_button;
  AdwViewStack         *view_stack;
  AdwBin               *connections_bin;
  AdwBin               *keypairs_bin;

  /* Built when the window is first narrow enough (on_title_visible_changed) */
  AdwViewSwitcherBar   *switcher_bar;
  guint                 switcher_bar_idle;

  /* Built when first shown or asked for (ensure_page), in the bins above */
  KfListPage           *connections_page;
  KfListPage           *keypairs_page;

  KfStore              *store;
  KfVault              *vault;
  GSettings            *settings;
  GBinding             *search_binding;
};

G_DEFINE_FINAL_TYPE (KfWindow, kf_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a page's Add, Enter and Delete do, by action name ("win." omitted). */
typedef struct
{
  const char *add;
  const char *activate;
  const char *delete;
} PageActions;

static const PageActions connection_actions = { "connection-add", "connection-edit", "connection-delete" };
static const PageActions keypair_actions = { "keypair-add", "keypair-edit", "keypair-delete" };

/* Row menus: an item appears when its action exists (see kf-connection-actions.h). */
typedef struct
{
  const char *label;
  const char *action;
} MenuEntry;

static const MenuEntry connection_menu[] = {
  { N_("_Edit"), "connection-edit" },
  { N_("_Test"), "connection-test" },
  { N_("_Copy SSH Command"), "connection-copy-command" },
  { N_("_Delete"), "connection-delete" },
};

static const MenuEntry keypair_menu[] = {
  { N_("_Copy Public Key"), "keypair-copy-public-key" },
  { N_("_Download…"), "keypair-download" },
  { N_("Add to SSH _Agent…"), "keypair-agent-add" },
  { N_("_Remove from SSH Agent"), "keypair-agent-remove" },
  { N_("R_otate Key Pair…"), "keypair-rotate" },
  { N_("_Edit"), "keypair-edit" },
  { N_("_Delete"), "keypair-delete" },
};

static gboolean
has_action (KfWindow   *self,
            const char *name)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  return action != NULL && g_action_get_enabled (action);
}

static void
activate_with_id (KfWindow   *self,
                  const char *action,
                  const char *id)
{
  if (has_action (self, action))
    g_action_group_activate_action (G_ACTION_GROUP (self), action, g_variant_new_string (id));
}

static const char *
item_id (gpointer item)
{
  if (KF_IS_CONNECTION (item))
    return kf_connection_get_id (item);
  return kf_keypair_get_id (item);
}

static GMenuModel *
build_row_menu (KfWindow        *self,
                const MenuEntry *entries,
                guint            n_entries,
                const char      *id)
{
  GMenu *menu = g_menu_new ();

  for (guint i = 0; i < n_entries; i++)
    {
      g_autofree char *detailed = NULL;
      g_autoptr(GMenuItem) item = NULL;

      if (!has_action (self, entries[i].action))
        continue;
      detailed = g_strdup_printf ("win.%s", entries[i].action);
      item = g_menu_item_new (_(entries[i].label), NULL);
      g_menu_item_set_action_and_target_value (item, detailed, g_variant_new_string (id));
      g_menu_append_item (menu, item);
    }

  return G_MENU_MODEL (menu);
}

static GMenuModel *
connection_menu_func (gpointer item,
                      gpointer user_data)
{
  return build_row_menu (user_data, connection_menu, G_N_ELEMENTS (connection_menu), item_id (item));
}

static GMenuModel *
keypair_menu_func (gpointer item,
                   gpointer user_data)
{
  return build_row_menu (user_data, keypair_menu, G_N_ELEMENTS (keypair_menu), item_id (item));
}

/* Cells */

static char *
format_connection_keypair (gpointer item,
                           gpointer user_data)
{
  KfWindow *self = user_data;
  const char *id = kf_connection_get_keypair_id (item);
  KfKeypair *keypair;

  if (id == NULL || *id == '\0')
    return g_strdup (_("None"));
  keypair = kf_store_find_keypair (self->store, id);
  if (keypair == NULL)
    return g_strdup (_("Missing"));
  return g_strdup (kf_keypair_get_name (keypair));
}

static char *
format_setup_method (gpointer item,
                     gpointer user_data)
{
  const char *label = kf_ui_setup_method_label (kf_connection_get_setup_method (item));
  const char *version = kf_connection_get_truenas_version (item);

  if (version == NULL)
    return g_strdup (label);
  /* Translators: a setup method and the TrueNAS version the last check read, e.g. “Semi-automatic, TrueNAS 25.04.2” */
  return g_strdup_printf (_("%s, TrueNAS %s"), label, version);
}

/* The badge of the State column: what the last Test or Check All found. */
static char *
format_check_state (gpointer item,
                    gpointer user_data)
{
  return g_strdup (kf_check_state_get_label (kf_connection_get_check_state (item)));
}

static const char *
check_state_badge (gpointer item,
                   gpointer user_data)
{
  switch (kf_connection_get_check_state (item))
    {
    case KF_CHECK_STATE_OK:          return "badge-ok";
    case KF_CHECK_STATE_NOT_CHECKED: return "badge-neutral";
    case KF_CHECK_STATE_UNREACHABLE: return "badge-warning";
    case KF_CHECK_STATE_HOST_KEY_CHANGED:
    case KF_CHECK_STATE_KEY_REFUSED:
    case KF_CHECK_STATE_FAILED:
    default:                         return "badge-error";
    }
}

/* "3 min ago", for the Last Checked column (redrawn by kf-check-actions.c). */
static char *
format_ago (gint64 then)
{
  gint64 s = MAX (0, g_get_real_time () / G_USEC_PER_SEC - then);

  if (s < 60)
    return g_strdup (_("just now"));
  if (s < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u min ago", "%u min ago", (guint) (s / 60)), (guint) (s / 60));
  if (s < 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour ago", "%u hours ago", (guint) (s / 3600)), (guint) (s / 3600));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day ago", "%u days ago", (guint) (s / 86400)), (guint) (s / 86400));
}

static char *
format_last_test (gpointer item,
                  gpointer user_data)
{
  gint64 tested_at = kf_connection_get_tested_at (item);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *ago = NULL;

  if (kf_connection_get_test_state (item) == KF_TEST_STATE_UNTESTED || tested_at <= 0)
    return g_strdup (_("Never"));

  when = g_date_time_new_from_unix_local (tested_at);
  date = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("");
  ago = format_ago (tested_at);
  /* Translators: when a connection was last checked: “3 min ago (2026-12-03 23:50)” */
  return g_strdup_printf (_("%s (%s)"), ago, date);
}

static char *
format_key_type (gpointer item,
                 gpointer user_data)
{
  return g_strdup (kf_key_type_label_for_name (kf_keypair_get_key_type (item)));
}

static char *
format_usage_count (gpointer item,
                    gpointer user_data)
{
  guint count = kf_keypair_get_usage_count (item);

  if (count == 0)
    return g_strdup (_("Unused"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection", "%u connections", count), count);
}

static char *
format_agent_state (gpointer item,
                    gpointer user_data)
{
  return g_strdup (kf_agent_actions_is_loaded (user_data, item) ? _("Loaded") : "");
}

static guint
connection_fields (gpointer     item,
                   const char **fields,
                   guint        max)
{
  g_assert (max >= 3);
  fields[0] = kf_connection_get_name (item);
  fields[1] = kf_connection_get_host (item);
  fields[2] = kf_connection_get_username (item);
  return 3;
}

static guint
keypair_fields (gpointer     item,
                const char **fields,
                guint        max)
{
  g_assert (max >= 5);
  fields[0] = kf_keypair_get_name (item);
  fields[1] = kf_keypair_get_key_type (item);
  fields[2] = kf_key_type_label_for_name (kf_keypair_get_key_type (item));
  fields[3] = kf_keypair_get_fingerprint (item);
  fields[4] = kf_keypair_get_comment (item);
  return 5;
}

static void
setup_connections_page (KfWindow   *self,
                        KfListPage *page)
{
  kf_list_page_set_model (page, kf_store_get_connections (self->store));
  kf_list_page_set_fields_func (page, connection_fields);
  kf_list_page_append_column (page, _("Name"), "name", NULL, NULL, 16, TRUE);
  kf_list_page_append_column (page, _("Host"), "host", NULL, NULL, 18, TRUE);
  kf_list_page_append_column (page, _("Port"), "port", NULL, NULL, 5, FALSE);
  kf_list_page_append_column (page, _("User"), "username", NULL, NULL, 12, FALSE);
  kf_list_page_append_column (page, _("Key Pair"), "keypair-id", format_connection_keypair, self, 14, TRUE);
  kf_list_page_append_column (page, _("Setup Method"), "setup-method", format_setup_method, self, 12, FALSE);
  kf_list_page_append_column (page, _("State"), "test-state", format_check_state, self, 16, FALSE);
  kf_list_page_set_badge_func (page, check_state_badge);
  kf_list_page_append_column (page, _("Last Checked"), "tested-at", format_last_test, self, 32, FALSE);
  kf_list_page_set_menu_func (page, connection_menu_func, self);
}

static void
setup_keypairs_page (KfWindow   *self,
                     KfListPage *page)
{
  kf_list_page_set_model (page, kf_store_get_keypairs (self->store));
  kf_list_page_set_fields_func (page, keypair_fields);
  kf_list_page_append_column (page, _("Name"), "name", NULL, NULL, 16, TRUE);
  kf_list_page_append_column (page, _("Type"), "key-type", format_key_type, self, 11, FALSE);
  kf_list_page_append_column (page, _("Bits"), "bits", NULL, NULL, 5, FALSE);
  kf_list_page_append_column (page, _("Fingerprint"), "fingerprint", NULL, NULL, 50, TRUE);
  kf_list_page_append_column (page, _("Comment"), "comment", NULL, NULL, 14, TRUE);
  kf_list_page_append_column (page, _("Used By"), "usage-count", format_usage_count, self, 13, FALSE);
  kf_list_page_append_column (page, _("SSH Agent"), "fingerprint", format_agent_state, self, 9, FALSE);
  kf_list_page_set_menu_func (page, keypair_menu_func, self);
}

static void on_item_activated   (KfWindow *self, GObject *item, KfListPage *page);
static void on_delete_requested (KfWindow *self, GObject *item, KfListPage *page);

/* What a page shows with no items, and how its table is set up. */
typedef struct
{
  const PageActions *actions;
  const char        *empty_icon_name;
  const char        *empty_title;          /* N_() */
  const char        *empty_description;    /* N_() */
  const char        *add_label;            /* N_() */
  const char        *search_placeholder;   /* N_() */
  void             (*setup) (KfWindow   *self,
                             KfListPage *page);
} PageInfo;

static const PageInfo connections_info = {
  &connection_actions, "network-server-symbolic",
  N_("No SSH Connections"), N_("Add a connection to a NAS or any SSH server"),
  N_("Add Connection"), N_("Search by name, host or user"),
  setup_connections_page,
};

static const PageInfo keypairs_info = {
  &keypair_actions, "dialog-password-symbolic",
  N_("No SSH Keypairs"), N_("Generate a new key pair or import an existing one"),
  N_("Add Key Pair"), N_("Search by name, type, fingerprint or comment"),
  setup_keypairs_page,
};

/* A page is built when it is first shown or asked for, not at start-up:
 * the hidden page cost 3.4 ms of the main thread before the first frame
 * (activate_cpu_ms, bench/bench-startup.sh, Debian 12), for a page that
 * most start-ups never show. */
static KfListPage *
ensure_page (KfWindow *self,
             gboolean  keypairs)
{
  KfListPage **slot = keypairs ? &self->keypairs_page : &self->connections_page;
  const PageInfo *info = keypairs ? &keypairs_info : &connections_info;
  g_autofree char *add_action = NULL;
  KfListPage *page;

  if (*slot != NULL)
    return *slot;

  add_action = g_strconcat ("win.", info->actions->add, NULL);
  page = g_object_new (KF_TYPE_LIST_PAGE,
                       "empty-icon-name", info->empty_icon_name,
                       "empty-title", _(info->empty_title),
                       "empty-description", _(info->empty_description),
                       "add-label", _(info->add_label),
                       "add-action-name", add_action,
                       "search-placeholder", _(info->search_placeholder),
                       NULL);
  *slot = page;
  /* Columns first: a page put into a shown window binds its rows at once. */
  info->setup (self, page);
  g_signal_connect_swapped (page, "item-activated", G_CALLBACK (on_item_activated), self);
  g_signal_connect_swapped (page, "delete-requested", G_CALLBACK (on_delete_requested), self);
  adw_bin_set_child (keypairs ? self->keypairs_bin : self->connections_bin, GTK_WIDGET (page));
  return page;
}

/* Pages */

static KfListPage *
visible_page (KfWindow *self)
{
  return ensure_page (self, g_strcmp0 (kf_window_get_visible_page (self), "keypairs") == 0);
}

static const PageActions *
visible_page_actions (KfWindow *self)
{
  return visible_page (self) == self->keypairs_page ? &keypair_actions : &connection_actions;
}

static void
update_add_action (KfWindow *self)
{
  GAction *add = g_action_map_lookup_action (G_ACTION_MAP (self), "add");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (add), has_action (self, visible_page_actions (self)->add));
  kf_ui_set_tooltip (GTK_WIDGET (self->add_button),
                     visible_page (self) == self->keypairs_page ? _("Add Key Pair") : _("Add Connection"));
}

static void
on_visible_page_changed (KfWindow *self)
{
  g_clear_pointer (&self->search_binding, g_binding_unbind);
  self->search_binding = g_object_bind_property (visible_page (self), "search-mode",
                                                 self->search_button, "active",
                                                 G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  update_add_action (self);
  g_settings_set_string (self->settings, "last-view", kf_window_get_visible_page (self));
}

/* A page action appeared, went or changed state: keep Add in step. */
static void
on_action_added_or_removed (KfWindow   *self,
                            const char *name)
{
  update_add_action (self);
}

static void
on_item_activated (KfWindow   *self,
                   GObject    *item,
                   KfListPage *page)
{
  const PageActions *actions = page == self->keypairs_page ? &keypair_actions : &connection_actions;

  activate_with_id (self, actions->activate, item_id (item));
}

static void
on_delete_requested (KfWindow   *self,
                     GObject    *item,
                     KfListPage *page)
{
  const PageActions *actions = page == self->keypairs_page ? &keypair_actions : &connection_actions;

  activate_with_id (self, actions->delete, item_id (item));
}

/* A key pair's name shows in the Connections list too. */
static void
on_store_reloaded (KfWindow *self)
{
  kf_window_refresh_page (self, FALSE);
  kf_window_refresh_page (self, TRUE);
}

/* Actions */

static void
add_activated (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  KfWindow *self = user_data;
  const char *name = visible_page_actions (self)->add;

  if (has_action (self, name))
    g_action_group_activate_action (G_ACTION_GROUP (self), name, NULL);
}

static void
search_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer      user_data)
{
  KfWindow *self = user_data;

  kf_list_page_start_search (visible_page (self));
}

static const GActionEntry win_entries[] = {
  { "add", add_activated },
  { "search", search_activated },
};

/* Size */

static gboolean
kf_window_close_request (GtkWindow *window)
{
  KfWindow *self = KF_WINDOW (window);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (kf_window_parent_class)->close_request (window);
}

static void
kf_window_constructed (GObject *object)
{
  KfWindow *self = (KfWindow *) object;
  g_autofree char *last_view = NULL;

  G_OBJECT_CLASS (kf_window_parent_class)->constructed (object);

  g_return_if_fail (KF_IS_STORE (self->store));

  /* Creating a vault makes no keyring call: start-up stays off the Secret Service. */
  self->vault = kf_vault_new (self->store);
  g_signal_connect_object (self->store, "reloaded", G_CALLBACK (on_store_reloaded), self, G_CONNECT_SWAPPED);

  kf_connection_actions_install (self);
  kf_keypair_actions_install (self);
  kf_agent_actions_install (self);
  kf_rotation_actions_install (self);
  kf_check_actions_install (self);

  last_view = g_settings_get_string (self->settings, "last-view");
  if (g_strcmp0 (last_view, "keypairs") == 0 || g_strcmp0 (last_view, "connections") == 0)
    adw_view_stack_set_visible_child_name (self->view_stack, last_view);
  g_signal_connect_swapped (self->view_stack, "notify::visible-child", G_CALLBACK (on_visible_page_changed), self);
  on_visible_page_changed (self);
}

static void
kf_window_dispose (GObject *object)
{
  KfWindow *self = (KfWindow *) object;

  g_clear_pointer (&self->search_binding, g_binding_unbind);
  if (self->switcher_title != NULL)
    g_signal_handlers_disconnect_by_data (self->switcher_title, self);
  g_clear_handle_id (&self->switcher_bar_idle, g_source_remove);
  if (self->view_stack != NULL)
    g_signal_handlers_disconnect_by_data (self->view_stack, self);
  /* Keeping Add in step asks for the visible page, which would build one. */
  g_signal_handlers_disconnect_by_func (self, on_action_added_or_removed, NULL);

  /* The pages go with their bins. */
  self->connections_page = NULL;
  self->keypairs_page = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), KF_TYPE_WINDOW);

  G_OBJECT_CLASS (kf_window_parent_class)->dispose (object);
}

static void
kf_window_finalize (GObject *object)
{
  KfWindow *self = (KfWindow *) object;

  g_clear_object (&self->vault);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (kf_window_parent_class)->finalize (object);
}

static void
kf_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  KfWindow *self = KF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  KfWindow *self = KF_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_window_class_init (KfWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = kf_window_constructed;
  object_class->dispose = kf_window_dispose;
  object_class->finalize = kf_window_finalize;
  object_class->get_property = kf_window_get_property;
  object_class->set_property = kf_window_set_property;
  window_class->close_request = kf_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, KF_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (KF_TYPE_LIST_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/keyferry/Keyferry/kf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, KfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, add_button);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, primary_menu);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, search_button);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, connections_bin);
  gtk_widget_class_bind_template_child (widget_class, KfWindow, keypairs_bin);
}

/* The main menu's popover is built the first time it opens, not at
 * start-up: it is a dozen widgets that most start-ups never show. GTK calls
 * this each time the menu is about to open; it builds the popover once. */
static void
create_main_menu (GtkMenuButton *button,
                  gpointer       user_data)
{
  KfWindow *self = user_data;
  GtkWidget *popover;

  if (gtk_menu_button_get_popover (button) != NULL)
    return;
  popover = gtk_popover_menu_new_from_model (NULL);
  kf_ui_popover_menu_set_model (GTK_POPOVER_MENU (popover), self->primary_menu);
  gtk_menu_button_set_popover (button, popover);
}

/* A narrow window has its page switcher in a bar at the bottom. A wide one
 * never needs that bar, whose buttons are some 30 widgets (0.7 ms of the
 * window's start-up CPU): it is built the first time the header's switcher
 * gives way to the title. From an idle, as that happens while GTK allocates
 * the header bar, where no widget may be added. */
static gboolean
build_switcher_bar (gpointer data)
{
  KfWindow *self = data;

  self->switcher_bar_idle = 0;
  self->switcher_bar = ADW_VIEW_SWITCHER_BAR (adw_view_switcher_bar_new ());
  adw_view_switcher_bar_set_stack (self->switcher_bar, self->view_stack);
  g_object_bind_property (self->switcher_title, "title-visible", self->switcher_bar, "reveal", G_BINDING_SYNC_CREATE);
  gtk_box_append (self->content_box, GTK_WIDGET (self->switcher_bar));
  kf_ui_name_icon_controls (GTK_WIDGET (self->switcher_bar));
  return G_SOURCE_REMOVE;
}

static void
on_title_visible_changed (KfWindow *self)
{
  if (self->switcher_bar == NULL && self->switcher_bar_idle == 0 &&
      adw_view_switcher_title_get_title_visible (self->switcher_title))
    self->switcher_bar_idle = g_idle_add (build_switcher_bar, self);
}

static void
kf_window_init (KfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  kf_ui_name_icon_controls (GTK_WIDGET (self));
  gtk_menu_button_set_create_popup_func (self->menu_button, create_main_menu, self, NULL);
  g_signal_connect_object (self->switcher_title, "notify::title-visible",
                           G_CALLBACK (on_title_visible_changed), self, G_CONNECT_SWAPPED);

  self->settings = g_settings_new (KF_APP_ID);
  g_settings_bind (self->settings, "window-width", self, "default-width", G_SETTINGS_BIND_GET | G_SETTINGS_BIND_GET_NO_CHANGES);
  g_settings_bind (self->settings, "window-height", self, "default-height", G_SETTINGS_BIND_GET | G_SETTINGS_BIND_GET_NO_CHANGES);
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_entries, G_N_ELEMENTS (win_entries), self);
  g_signal_connect (self, "action-added", G_CALLBACK (on_action_added_or_removed), NULL);
  g_signal_connect (self, "action-removed", G_CALLBACK (on_action_added_or_removed), NULL);
  g_signal_connect (self, "action-enabled-changed", G_CALLBACK (on_action_added_or_removed), NULL);
}

KfWindow *
kf_window_new (GtkApplication *application,
               KfStore        *store)
{
  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (KF_IS_STORE (store), NULL);

  return g_object_new (KF_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);
}

KfStore *
kf_window_get_store (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return self->store;
}

KfVault *
kf_window_get_vault (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return self->vault;
}

void
kf_window_add_toast (KfWindow   *self,
                     const char *title)
{
  g_return_if_fail (KF_IS_WINDOW (self));

  kf_ui_add_toast (GTK_WIDGET (self), title);
}

GtkWidget *
kf_window_show_message (KfWindow   *self,
                        const char *heading,
                        const char *body)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return kf_ui_show_message (GTK_WINDOW (self), heading, body);
}

const char *
kf_window_get_visible_page (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
kf_window_set_visible_page (KfWindow   *self,
                            const char *name)
{
  g_return_if_fail (KF_IS_WINDOW (self));

  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

KfListPage *
kf_window_get_connections_page (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return ensure_page (self, FALSE);
}

void
kf_window_refresh_page (KfWindow *self,
                        gboolean  keypairs)
{
  KfListPage *page;

  g_return_if_fail (KF_IS_WINDOW (self));

  page = keypairs ? self->keypairs_page : self->connections_page;
  if (page != NULL)
    kf_list_page_refresh (page);
}

GtkWidget *
kf_window_get_header_bar (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->header_bar);
}

KfListPage *
kf_window_get_keypairs_page (KfWindow *self)
{
  g_return_val_if_fail (KF_IS_WINDOW (self), NULL);

  return ensure_page (self, TRUE);
}
