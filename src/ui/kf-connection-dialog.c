/* kf-connection-dialog.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-dialog"

#include <glib/gi18n.h>

#include "kf-connection-dialog-private.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-key-text.h"
#include "kf-semiauto-field.h"
#include "kf-ui-util.h"

G_DEFINE_FINAL_TYPE (KfConnectionDialog, kf_connection_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void update_save_sensitivity  (KfConnectionDialog *self);

/* ---- small helpers -------------------------------------------------------- */

KfStore *
kf_connection_dialog_get_store (KfConnectionDialog *self)
{
  return kf_vault_get_store (self->vault);
}

gboolean
kf_connection_dialog_is_manual (KfConnectionDialog *self)
{
  return adw_combo_row_get_selected (self->method_row) == METHOD_MANUAL;
}

const char *
kf_connection_dialog_text_of (gpointer editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

char *
kf_connection_dialog_host_keys_text (KfConnectionDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->host_keys_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
kf_connection_dialog_set_host_keys_text (KfConnectionDialog *self,
                                         const char * const *lines)
{
  g_autofree char *text = lines ? g_strjoinv ("\n", (char **) lines) : g_strdup ("");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->host_keys_view), text, -1);
}

void
kf_connection_dialog_show_label (GtkLabel   *label,
                                 const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

void
kf_connection_dialog_clear_errors (KfConnectionDialog *self)
{
  GtkLabel *labels[] = { self->name_error, self->general_error, self->semi_error,
                         self->manual_error, self->server_error, self->username_error, self->login_error,
                         self->timeout_error };
  gpointer rows[] = { self->name_row, self->url_row, self->admin_username_row, self->admin_password_row,
                      self->admin_api_key_row, self->otp_row, self->host_row, self->port_row, self->host_keys_row,
                      self->username_row, self->keypair_row, self->timeout_row };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    kf_ui_show_field_error (NULL, labels[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (rows[i]), "error");
}

/* Shows @message under the group of @row and marks @row; focuses it. */
void
kf_connection_dialog_show_error_at (KfConnectionDialog *self,
                                    GtkWidget          *row,
                                    GtkLabel           *label,
                                    const char         *message)
{
  kf_ui_show_field_error (row, label, message);
  if (row != NULL)
    gtk_widget_grab_focus (row);
}

/* Puts an error from the core next to the field it concerns. */
void
kf_connection_dialog_show_error (KfConnectionDialog *self,
                                 const GError       *error)
{
  if (error->domain == KF_INPUT_ERROR)
    {
      switch ((KfInputError) error->code)
        {
        case KF_INPUT_ERROR_NAME:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
          return;
        case KF_INPUT_ERROR_HOST:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->host_row), self->server_error, error->message);
          return;
        case KF_INPUT_ERROR_PORT:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->port_row), self->server_error, error->message);
          return;
        case KF_INPUT_ERROR_HOST_KEY:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->host_keys_row), self->manual_error, error->message);
          return;
        case KF_INPUT_ERROR_USERNAME:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->username_row), self->username_error, error->message);
          return;
        case KF_INPUT_ERROR_KEYPAIR:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error, error->message);
          return;
        case KF_INPUT_ERROR_TIMEOUT:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->timeout_row), self->timeout_error, error->message);
          return;
        case KF_INPUT_ERROR_URL:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->url_row), self->semi_error, error->message);
          return;
        case KF_INPUT_ERROR_TOO_LONG:
        default:
          break;
        }
    }
  if (g_error_matches (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN))
    {
      kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
      return;
    }
  /* In the semi-automatic form the SSH fields are hidden: its SSH errors
   * (a host key the TrueNAS did not report) go with the TrueNAS ones below. */
  if (error->domain == KF_SSH_ERROR && kf_connection_dialog_is_manual (self) && !self->pairing_again)
    {
      kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->host_row), self->server_error, error->message);
      return;
    }
  if (!kf_connection_dialog_is_manual (self) || self->pairing_again)
    {
      switch (kf_truenas_error_get_field (error))
        {
        case KF_TRUENAS_FIELD_NAME:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
          return;
        case KF_TRUENAS_FIELD_URL:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->url_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_ADMIN_USERNAME:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->admin_username_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_ADMIN_PASSWORD:
          kf_connection_dialog_show_error_at (self, kf_connection_dialog_uses_api_key (self) ? GTK_WIDGET (self->admin_api_key_row)
                                                                                             : GTK_WIDGET (self->admin_password_row),
                                              self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_OTP:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->otp_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_USERNAME:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->username_row), self->username_error, error->message);
          return;
        case KF_TRUENAS_FIELD_KEYPAIR:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error, error->message);
          return;
        case KF_TRUENAS_FIELD_CONNECT_TIMEOUT:
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->timeout_row), self->timeout_error, error->message);
          return;
        case KF_TRUENAS_FIELD_NONE:
        default:
          /* Whatever stopped the setup (a declined change, an SSH host key). */
          kf_connection_dialog_show_error_at (self, NULL, self->semi_error, error->message);
          return;
        }
    }
  kf_connection_dialog_show_error_at (self, NULL, self->general_error, error->message);
}

void
kf_connection_dialog_set_busy (KfConnectionDialog *self,
                               gboolean            busy,
                               const char         *message)
{
  self->busy = busy;
  /* Focus leaves the form before it goes insensitive (a focused GtkText would
   * miss its focus-out), and lands where Escape/Enter can cancel. */
  if (busy)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  gtk_widget_set_sensitive (GTK_WIDGET (self->form_page), !busy);
  gtk_revealer_set_reveal_child (self->progress_revealer, busy);
  gtk_spinner_set_spinning (self->progress_spinner, busy);
  gtk_label_set_text (self->progress_label, message ? message : "");
  if (!busy)
    g_clear_object (&self->cancellable);
  update_save_sensitivity (self);
}

static void
update_visibility (KfConnectionDialog *self)
{
  gboolean manual = kf_connection_dialog_is_manual (self);
  gboolean semi_connection = self->editing != NULL
    && kf_connection_get_setup_method (self->editing) == KF_SETUP_METHOD_SEMI_AUTOMATIC;
  const char *username = kf_connection_dialog_text_of (self->username_row);

  /* Editing shows the saved (manual) fields; a TrueNAS connection also offers Pair Again. */
  gtk_widget_set_visible (GTK_WIDGET (self->semi_group), !manual || semi_connection);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_group), manual || self->editing != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->host_keys_group), manual || self->editing != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->pair_again_row), semi_connection);
  /* An API key replaces the password, and needs no one-time password. */
  gtk_widget_set_visible (GTK_WIDGET (self->admin_password_row), !kf_connection_dialog_uses_api_key (self));
  gtk_widget_set_visible (GTK_WIDGET (self->otp_row), !kf_connection_dialog_uses_api_key (self));
  gtk_widget_set_visible (GTK_WIDGET (self->admin_api_key_row), kf_connection_dialog_uses_api_key (self));
  gtk_widget_set_visible (GTK_WIDGET (self->sudo_row),
                          (!manual || semi_connection) && *username != '\0' && g_strcmp0 (username, "root") != 0);
}

/* The message of @error, or NULL; frees @error. */
static char *
take_message (GError *error)
{
  char *message = error != NULL ? g_strdup (error->message) : NULL;

  g_clear_error (&error);
  return message;
}

/* Checks the fields as they are typed, as Add Key Pair does: each problem
 * shows under its field and marks it, and goes as soon as the field is
 * fixed. An empty required field only keeps Save off. Returns whether
 * nothing is wrong. */
static gboolean
check_fields (KfConnectionDialog *self)
{
  const char *name_text = kf_connection_dialog_text_of (self->name_row);
  const char *host_text = kf_connection_dialog_text_of (self->host_row);
  const char *timeout_text = kf_connection_dialog_text_of (self->timeout_row);
  gboolean manual = kf_connection_dialog_is_manual (self) || self->editing != NULL;
  g_autofree char *name_problem = NULL, *host_problem = NULL, *port_problem = NULL;
  g_autofree char *user_problem = NULL, *timeout_problem = NULL;
  g_auto(KfHostInput) input = { 0 };
  GError *error = NULL;
  guint number;

  if (*name_text != '\0')
    {
      g_autofree char *name = kf_connection_validate_name (name_text, &error);

      if (name != NULL)
        kf_connection_validate_name_free (kf_store_get_connections (kf_connection_dialog_get_store (self)), name,
                                          self->editing != NULL ? kf_connection_get_id (self->editing) : NULL,
                                          &error);
      name_problem = take_message (error), error = NULL;
    }
  if (manual && *host_text != '\0' && !kf_connection_validate_host (host_text, &input, &error))
    host_problem = take_message (error), error = NULL;
  if (manual && !kf_connection_validate_port (kf_connection_dialog_text_of (self->port_row), &number, &error))
    port_problem = take_message (error), error = NULL;
  if (*kf_connection_dialog_text_of (self->username_row) != '\0')
    {
      g_autofree char *username = kf_connection_validate_username (kf_connection_dialog_text_of (self->username_row),
                                                                   &error);
      user_problem = take_message (error), error = NULL;
    }
  if (*timeout_text != '\0' && !kf_connection_validate_timeout (timeout_text, &number, &error))
    timeout_problem = take_message (error), error = NULL;

  kf_ui_show_field_error (GTK_WIDGET (self->name_row), self->name_error, name_problem);
  kf_ui_show_field_error (GTK_WIDGET (self->host_row), self->server_error, host_problem);
  if (host_problem == NULL)
    kf_ui_show_field_error (NULL, self->server_error, port_problem);
  kf_ui_show_field_error (GTK_WIDGET (self->port_row), NULL, port_problem);
  kf_ui_show_field_error (GTK_WIDGET (self->username_row), self->username_error, user_problem);
  kf_ui_show_field_error (GTK_WIDGET (self->timeout_row), self->timeout_error, timeout_problem);

  return !name_problem && !host_problem && !port_problem && !user_problem && !timeout_problem
         && *kf_connection_dialog_text_of (self->username_row) != '\0';
}

/* The saved fields of the form, as one string to compare: Edit saves only
 * after one of them changed (issue 11, defect 9). */
static char *
form_snapshot (KfConnectionDialog *self)
{
  g_autofree char *keys = kf_connection_dialog_host_keys_text (self);
  const char *keypair_id = kf_connection_dialog_selected_keypair_id (self);

  return g_strjoin ("\x1f", kf_connection_dialog_text_of (self->name_row), kf_connection_dialog_text_of (self->host_row),
                    kf_connection_dialog_text_of (self->port_row), kf_connection_dialog_text_of (self->username_row),
                    kf_connection_dialog_text_of (self->timeout_row), keys, keypair_id != NULL ? keypair_id : "",
                    gtk_switch_get_active (self->sudo_switch) ? "sudo" : "", NULL);
}

static void
update_save_sensitivity (KfConnectionDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (kf_connection_dialog_text_of (self->name_row)));
  gboolean ok = check_fields (self) && *name != '\0';

  if (!kf_connection_dialog_is_manual (self) && self->editing == NULL)
    ok = ok && *kf_connection_dialog_text_of (self->url_row) != '\0'
         && *kf_connection_dialog_text_of (kf_connection_dialog_uses_api_key (self) ? self->admin_api_key_row
                                                                                     : self->admin_password_row) != '\0';
  else
    ok = ok && *kf_connection_dialog_text_of (self->host_row) != '\0';
  if (ok && self->loaded_form != NULL)
    {
      g_autofree char *now = form_snapshot (self);

      ok = g_strcmp0 (now, self->loaded_form) != 0;
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), ok && !self->busy);
}

static void
on_field_changed (KfConnectionDialog *self)
{
  update_visibility (self);
  kf_connection_dialog_update_certificate_note (self);
  update_save_sensitivity (self);
}

static void
on_sign_in_changed (KfConnectionDialog *self)
{
  kf_connection_dialog_clear_errors (self);
  on_field_changed (self);
}

static void
on_method_changed (KfConnectionDialog *self)
{
  kf_connection_dialog_clear_errors (self);
  on_field_changed (self);
}

/* The key pairs that can log in (have a private key), and "Generate New" when adding. */
static void
fill_keypairs (KfConnectionDialog *self,
               const char         *select_id)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GListModel *keypairs = kf_store_get_keypairs (kf_connection_dialog_get_store (self));
  guint selected = 0;

  g_ptr_array_set_size (self->keypair_ids, 0);
  /* Editing keeps to existing key pairs (new ones come from the SSH Keypairs page). */
  if (self->editing == NULL)
    {
      gtk_string_list_append (names, _("Generate New"));
      g_ptr_array_add (self->keypair_ids, g_strdup (""));
    }
  for (guint i = 0; i < g_list_model_get_n_items (keypairs); i++)
    {
      g_autoptr(KfKeypair) kp = g_list_model_get_item (keypairs, i);
      if (!kf_keypair_get_has_private_key (kp))
        continue;
      if (g_strcmp0 (kf_keypair_get_id (kp), select_id) == 0)
        selected = self->keypair_ids->len;
      gtk_string_list_append (names, kf_keypair_get_name (kp));
      g_ptr_array_add (self->keypair_ids, g_strdup (kf_keypair_get_id (kp)));
    }
  adw_combo_row_set_model (self->keypair_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->keypair_row, selected);
}

const char *
kf_connection_dialog_selected_keypair_id (KfConnectionDialog *self)
{
  guint i = adw_combo_row_get_selected (self->keypair_row);

  if (i == GTK_INVALID_LIST_POSITION || i >= self->keypair_ids->len)
    return NULL;
  return g_ptr_array_index (self->keypair_ids, i);
}

static void
wipe_secrets (KfConnectionDialog *self)
{
  /* GtkText keeps its own buffer; replacing the text is what a widget allows. */
  gtk_editable_set_text (GTK_EDITABLE (self->admin_password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->admin_api_key_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->otp_row), "");
}

void
kf_connection_dialog_finish_saved (KfConnectionDialog *self,
                                   KfConnection       *connection,
                                   const char         *message)
{
  wipe_secrets (self);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, connection, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Reads and checks the shared fields into @connection. */
gboolean
kf_connection_dialog_read_common (KfConnectionDialog *self,
                                  KfConnection       *connection,
                                  GError            **error)
{
  g_autofree char *name = kf_connection_validate_name (kf_connection_dialog_text_of (self->name_row), error);
  g_autofree char *username = NULL;
  guint timeout = KF_CONNECTION_DEFAULT_TIMEOUT;

  /* A taken name is the store's to refuse (the setup and the operations
   * check it before contacting or generating anything). */
  if (name == NULL)
    return FALSE;
  if (!(username = kf_connection_validate_username (kf_connection_dialog_text_of (self->username_row), error)))
    return FALSE;
  if (*kf_connection_dialog_text_of (self->timeout_row) != '\0'
      && !kf_connection_validate_timeout (kf_connection_dialog_text_of (self->timeout_row), &timeout, error))
    return FALSE;

  kf_connection_set_name (connection, name);
  kf_connection_set_username (connection, username);
  kf_connection_set_connect_timeout (connection, timeout);
  return TRUE;
}

/* ---- buttons --------------------------------------------------------------- */

static void
on_save_clicked (KfConnectionDialog *self)
{
  if (self->busy || !gtk_widget_get_sensitive (GTK_WIDGET (self->save_button)))
    return;
  kf_connection_dialog_clear_errors (self);
  self->pairing_again = FALSE;
  if (kf_connection_dialog_is_manual (self) || self->editing != NULL)
    kf_connection_dialog_save_manual (self);
  else
    kf_connection_dialog_run_semiauto (self);
}

static void
on_cancel_clicked (KfConnectionDialog *self)
{
  if (self->busy && self->cancellable != NULL)
    {
      /* Cancel the work; the dialog stays so the user sees the form again. */
      g_cancellable_cancel (self->cancellable);
      if (self->setup != NULL)
        kf_semiauto_setup_provide_otp (self->setup, NULL);
      return;
    }
  wipe_secrets (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static gboolean
kf_connection_dialog_close_request (GtkWindow *window)
{
  KfConnectionDialog *self = KF_CONNECTION_DIALOG (window);

  /* Closing (Escape, the window manager) gives up any work in progress. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  wipe_secrets (self);
  return GTK_WINDOW_CLASS (kf_connection_dialog_parent_class)->close_request (window);
}

/* The Setup Method list: the default one cuts "Semi-automatic (TrueNAS only)"
 * after 20 characters. A label that is never cut, and the usual check mark. */
static void
update_method_check (GtkListItem *item)
{
  GtkWidget *box = gtk_list_item_get_child (item);
  AdwComboRow *row = g_object_get_data (G_OBJECT (item), "kf-row");

  if (box != NULL && row != NULL)
    gtk_widget_set_opacity (gtk_widget_get_last_child (box),
                            gtk_list_item_get_position (item) == adw_combo_row_get_selected (row) ? 1 : 0);
}

static void
on_method_item_setup (GtkListItemFactory *factory,
                      GtkListItem        *item,
                      KfConnectionDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), gtk_image_new_from_icon_name ("object-select-symbolic"));
  gtk_list_item_set_child (item, box);
}

static void
on_method_item_bind (GtkListItemFactory *factory,
                     GtkListItem        *item,
                     KfConnectionDialog *self)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  gtk_label_set_text (GTK_LABEL (label), gtk_string_object_get_string (string));
  g_object_set_data (G_OBJECT (item), "kf-row", self->method_row);
  g_signal_connect_object (self->method_row, "notify::selected", G_CALLBACK (update_method_check),
                           item, G_CONNECT_SWAPPED);
  update_method_check (item);
}

static void
on_method_item_unbind (GtkListItemFactory *factory,
                       GtkListItem        *item,
                       KfConnectionDialog *self)
{
  /* The row, not self->method_row: this also runs while the template is disposed. */
  AdwComboRow *row = g_object_get_data (G_OBJECT (item), "kf-row");

  if (row != NULL)
    g_signal_handlers_disconnect_by_func (row, update_method_check, item);
  g_object_set_data (G_OBJECT (item), "kf-row", NULL);
}

/* ---- GObject --------------------------------------------------------------- */

static void
load_connection (KfConnectionDialog *self)
{
  KfConnection *c = self->editing;
  g_autofree char *port = g_strdup_printf ("%u", kf_connection_get_port (c));
  g_autofree char *timeout = g_strdup_printf ("%u", kf_connection_get_connect_timeout (c));
  gboolean semi = kf_connection_get_setup_method (c) == KF_SETUP_METHOD_SEMI_AUTOMATIC;

  adw_window_title_set_title (self->window_title, _("Edit SSH Connection"));
  gtk_window_set_title (GTK_WINDOW (self), _("Edit SSH Connection"));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), kf_connection_get_name (c));
  adw_combo_row_set_selected (self->method_row, semi ? METHOD_SEMI_AUTOMATIC : METHOD_MANUAL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->method_row), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), kf_connection_get_host (c) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), kf_connection_get_username (c) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->timeout_row), timeout);
  kf_connection_dialog_set_host_keys_text (self, kf_connection_get_host_keys (c));
  gtk_switch_set_active (self->sudo_switch, kf_connection_get_sudo_zfs (c));
  if (semi)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), kf_connection_get_truenas_url (c) ?: "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->admin_username_row), kf_connection_get_admin_username (c) ?: "root");
      /* Pairing again keeps the certificate trusted at setup. */
      self->tls_pin = g_strdup (kf_connection_get_tls_pin (c));
      self->tls_pin_url = g_strdup (kf_connection_get_truenas_url (c));
      kf_connection_dialog_update_certificate_note (self);
    }
  fill_keypairs (self, kf_connection_get_keypair_id (c));
}

static void
kf_connection_dialog_dispose (GObject *object)
{
  KfConnectionDialog *self = KF_CONNECTION_DIALOG (object);

  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->setup != NULL)
    g_signal_handlers_disconnect_by_data (self->setup, self);
  g_clear_object (&self->setup);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), KF_TYPE_CONNECTION_DIALOG);
  G_OBJECT_CLASS (kf_connection_dialog_parent_class)->dispose (object);
}

static void
kf_connection_dialog_finalize (GObject *object)
{
  KfConnectionDialog *self = KF_CONNECTION_DIALOG (object);

  g_clear_object (&self->vault);
  g_clear_object (&self->editing);
  g_clear_pointer (&self->keypair_ids, g_ptr_array_unref);
  g_free (self->tls_pin);
  g_free (self->tls_pin_url);
  g_free (self->discover_address);
  g_free (self->active_url);
  g_free (self->loaded_form);
  G_OBJECT_CLASS (kf_connection_dialog_parent_class)->finalize (object);
}

static void
kf_connection_dialog_class_init (KfConnectionDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = kf_connection_dialog_dispose;
  object_class->finalize = kf_connection_dialog_finalize;
  GTK_WINDOW_CLASS (klass)->close_request = kf_connection_dialog_close_request;

  /* ::saved (KfConnection *stored, const char *warning-or-NULL) */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, KF_TYPE_CONNECTION, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/keyferry/Keyferry/kf-connection-dialog.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, KfConnectionDialog, name)
  BIND (window_title); BIND (save_button); BIND (cancel_button); BIND (form_page);
  BIND (name_row); BIND (method_row); BIND (name_error); BIND (general_error);
  BIND (semi_group); BIND (url_row); BIND (admin_username_row); BIND (admin_password_row);
  BIND (sign_in_row); BIND (admin_api_key_row); BIND (use_active_button);
  BIND (otp_row); BIND (pair_again_row); BIND (pair_again_button); BIND (url_note); BIND (certificate_note);
  BIND (semi_error);
  BIND (manual_group); BIND (host_row); BIND (port_row); BIND (host_keys_row); BIND (discover_button);
  BIND (host_keys_view); BIND (host_note); BIND (manual_error); BIND (host_keys_group); BIND (server_error);
  BIND (username_row); BIND (username_error); BIND (sudo_row); BIND (sudo_switch); BIND (keypair_row); BIND (login_error);
  BIND (timeout_row); BIND (timeout_error);
  BIND (progress_revealer); BIND (progress_spinner); BIND (progress_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_method_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_sign_in_changed);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_use_active_clicked",
                                                G_CALLBACK (kf_connection_dialog_on_use_active_clicked));
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback_full (widget_class, "on_discover_clicked",
                                                G_CALLBACK (kf_connection_dialog_on_discover_clicked));
  gtk_widget_class_bind_template_callback_full (widget_class, "on_pair_again_clicked",
                                                G_CALLBACK (kf_connection_dialog_on_pair_again_clicked));
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kf_connection_dialog_init (KfConnectionDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  kf_ui_name_icon_controls (GTK_WIDGET (self));
  kf_key_text_view_init (self->host_keys_view);
  /* The fingerprint in it breaks inside a "word": no hyphen added. */
  kf_key_text_label_init (self->certificate_note);
  self->keypair_ids = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (factory, "setup", G_CALLBACK (on_method_item_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_method_item_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_method_item_unbind), self);
  adw_combo_row_set_list_factory (self->method_row, factory);
}

KfConnectionDialog *
kf_connection_dialog_new (GtkWindow    *parent,
                          KfVault      *vault,
                          KfConnection *connection)
{
  KfConnectionDialog *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);

  self = g_object_new (KF_TYPE_CONNECTION_DIALOG, "transient-for", parent, NULL);
  self->vault = g_object_ref (vault);
  if (connection != NULL)
    {
      self->editing = g_object_ref (connection);
      load_connection (self);
      self->loaded_form = form_snapshot (self);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->admin_username_row), "root");
      gtk_editable_set_text (GTK_EDITABLE (self->username_row), "root");
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), "22");
      gtk_editable_set_text (GTK_EDITABLE (self->timeout_row), "10");
      fill_keypairs (self, NULL);
    }
  g_signal_connect_object (gtk_text_view_get_buffer (self->host_keys_view), "changed",
                           G_CALLBACK (on_field_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sudo_switch, "notify::active", G_CALLBACK (on_field_changed), self, G_CONNECT_SWAPPED);
  on_field_changed (self);
  /* Typing right after Ctrl+N fills the first field, not the Cancel button
   * that GTK would focus first (issue 11, defect 2). */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
  return self;
}

gboolean
kf_connection_dialog_get_busy (KfConnectionDialog *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION_DIALOG (self), FALSE);
  return self->busy;
}
