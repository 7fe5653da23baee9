/* kf-connection-dialog.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-dialog"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-certificate-prompt.h"
#include "kf-connection-dialog.h"
#include "kf-connection-ops.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-facts-box.h"
#include "kf-host-key.h"
#include "kf-otp-prompt.h"
#include "kf-secret.h"
#include "kf-semiauto-setup.h"
#include "kf-ssh-probe.h"
#include "kf-ui-util.h"

enum { METHOD_SEMI_AUTOMATIC, METHOD_MANUAL };

struct _KfConnectionDialog
{
  AdwWindow            parent_instance;

  KfVault             *vault;
  KfConnection        *editing;      /* the stored connection, or NULL when adding */
  GCancellable        *cancellable;
  KfSemiautoSetup     *setup;
  GPtrArray           *keypair_ids;  /* parallel to keypair_row's model; "" = Generate New */
  char                *tls_pin;      /* a certificate the user trusted in this dialog */
  char                *discover_address; /* "host:port" being asked for its host keys */
  gboolean             busy;
  gboolean             disposed;     /* async work finishing after the window went */
  gboolean             pairing_again;

  AdwWindowTitle      *window_title;
  GtkButton           *save_button;
  GtkButton           *cancel_button;
  AdwPreferencesPage  *form_page;
  AdwEntryRow         *name_row;
  AdwComboRow         *method_row;
  GtkLabel            *name_error;
  GtkLabel            *general_error;
  AdwPreferencesGroup *semi_group;
  AdwEntryRow         *url_row;
  AdwEntryRow         *admin_username_row;
  AdwPasswordEntryRow *admin_password_row;
  AdwPasswordEntryRow *otp_row;
  AdwActionRow        *pair_again_row;
  GtkButton           *pair_again_button;
  GtkLabel            *url_note;
  GtkLabel            *semi_error;
  AdwPreferencesGroup *manual_group;
  AdwEntryRow         *host_row;
  AdwEntryRow         *port_row;
  AdwActionRow        *host_keys_row;
  GtkButton           *discover_button;
  GtkTextView         *host_keys_view;
  GtkLabel            *host_note;
  GtkLabel            *manual_error;
  AdwEntryRow         *username_row;
  AdwActionRow        *sudo_row;
  GtkSwitch           *sudo_switch;
  AdwComboRow         *keypair_row;
  GtkLabel            *login_error;
  AdwEntryRow         *timeout_row;
  GtkLabel            *timeout_error;
  GtkRevealer         *progress_revealer;
  GtkSpinner          *progress_spinner;
  GtkLabel            *progress_label;
};

G_DEFINE_FINAL_TYPE (KfConnectionDialog, kf_connection_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void run_semiauto              (KfConnectionDialog *self);
static void update_save_sensitivity  (KfConnectionDialog *self);

/* ---- small helpers -------------------------------------------------------- */

static KfStore *
get_store (KfConnectionDialog *self)
{
  return kf_vault_get_store (self->vault);
}

static gboolean
is_manual (KfConnectionDialog *self)
{
  return adw_combo_row_get_selected (self->method_row) == METHOD_MANUAL;
}

static const char *
text_of (gpointer editable)
{
  return gtk_editable_get_text (GTK_EDITABLE (editable));
}

static char *
host_keys_text (KfConnectionDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->host_keys_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_host_keys_text (KfConnectionDialog *self,
                    const char * const *lines)
{
  g_autofree char *text = lines ? g_strjoinv ("\n", (char **) lines) : g_strdup ("");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->host_keys_view), text, -1);
}

static void
show_label (GtkLabel   *label,
            const char *text)
{
  gtk_label_set_text (label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
clear_errors (KfConnectionDialog *self)
{
  GtkLabel *labels[] = { self->name_error, self->general_error, self->semi_error,
                         self->manual_error, self->login_error, self->timeout_error };
  gpointer rows[] = { self->name_row, self->url_row, self->admin_username_row, self->admin_password_row,
                      self->otp_row, self->host_row, self->port_row, self->host_keys_row,
                      self->username_row, self->keypair_row, self->timeout_row };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    show_label (labels[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (rows[i]), "error");
}

/* Shows @message under the group of @row and marks @row; focuses it. */
static void
show_error_at (KfConnectionDialog *self,
               GtkWidget          *row,
               GtkLabel           *label,
               const char         *message)
{
  show_label (label, message);
  if (row != NULL)
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_grab_focus (row);
    }
}

/* Puts an error from the core next to the field it concerns. */
static void
show_error (KfConnectionDialog *self,
            const GError       *error)
{
  if (error->domain == KF_INPUT_ERROR)
    {
      switch ((KfInputError) error->code)
        {
        case KF_INPUT_ERROR_NAME:
          show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
          return;
        case KF_INPUT_ERROR_HOST:
          show_error_at (self, GTK_WIDGET (self->host_row), self->manual_error, error->message);
          return;
        case KF_INPUT_ERROR_PORT:
          show_error_at (self, GTK_WIDGET (self->port_row), self->manual_error, error->message);
          return;
        case KF_INPUT_ERROR_HOST_KEY:
          show_error_at (self, GTK_WIDGET (self->host_keys_row), self->manual_error, error->message);
          return;
        case KF_INPUT_ERROR_USERNAME:
          show_error_at (self, GTK_WIDGET (self->username_row), self->login_error, error->message);
          return;
        case KF_INPUT_ERROR_KEYPAIR:
          show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error, error->message);
          return;
        case KF_INPUT_ERROR_TIMEOUT:
          show_error_at (self, GTK_WIDGET (self->timeout_row), self->timeout_error, error->message);
          return;
        case KF_INPUT_ERROR_URL:
          show_error_at (self, GTK_WIDGET (self->url_row), self->semi_error, error->message);
          return;
        case KF_INPUT_ERROR_TOO_LONG:
        default:
          break;
        }
    }
  if (g_error_matches (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN))
    {
      show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
      return;
    }
  if (error->domain == KF_SSH_ERROR)
    {
      show_error_at (self, GTK_WIDGET (self->host_row), self->manual_error, error->message);
      return;
    }
  if (!is_manual (self) || self->pairing_again)
    {
      switch (kf_truenas_error_get_field (error))
        {
        case KF_TRUENAS_FIELD_NAME:
          show_error_at (self, GTK_WIDGET (self->name_row), self->name_error, error->message);
          return;
        case KF_TRUENAS_FIELD_URL:
          show_error_at (self, GTK_WIDGET (self->url_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_ADMIN_USERNAME:
          show_error_at (self, GTK_WIDGET (self->admin_username_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_ADMIN_PASSWORD:
          show_error_at (self, GTK_WIDGET (self->admin_password_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_OTP:
          show_error_at (self, GTK_WIDGET (self->otp_row), self->semi_error, error->message);
          return;
        case KF_TRUENAS_FIELD_USERNAME:
          show_error_at (self, GTK_WIDGET (self->username_row), self->login_error, error->message);
          return;
        case KF_TRUENAS_FIELD_KEYPAIR:
          show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error, error->message);
          return;
        case KF_TRUENAS_FIELD_CONNECT_TIMEOUT:
          show_error_at (self, GTK_WIDGET (self->timeout_row), self->timeout_error, error->message);
          return;
        case KF_TRUENAS_FIELD_NONE:
        default:
          if (error->domain == KF_TRUENAS_ERROR)
            {
              show_error_at (self, NULL, self->semi_error, error->message);
              return;
            }
          break;
        }
    }
  show_error_at (self, NULL, self->general_error, error->message);
}

static void
set_busy (KfConnectionDialog *self,
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
  gboolean manual = is_manual (self);
  gboolean semi_connection = self->editing != NULL
    && kf_connection_get_setup_method (self->editing) == KF_SETUP_METHOD_SEMI_AUTOMATIC;
  const char *username = text_of (self->username_row);

  /* Editing shows the saved (manual) fields; a TrueNAS connection also offers Pair Again. */
  gtk_widget_set_visible (GTK_WIDGET (self->semi_group), !manual || semi_connection);
  gtk_widget_set_visible (GTK_WIDGET (self->manual_group), manual || self->editing != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->pair_again_row), semi_connection);
  gtk_widget_set_visible (GTK_WIDGET (self->sudo_row),
                          (!manual || semi_connection) && *username != '\0' && g_strcmp0 (username, "root") != 0);
}

static void
update_save_sensitivity (KfConnectionDialog *self)
{
  g_autofree char *name = g_strstrip (g_strdup (text_of (self->name_row)));
  gboolean ok = *name != '\0';

  if (!is_manual (self) && self->editing == NULL)
    ok = ok && *text_of (self->url_row) != '\0' && *text_of (self->admin_password_row) != '\0';
  else
    ok = ok && *text_of (self->host_row) != '\0';
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), ok && !self->busy);
}

static void
on_field_changed (KfConnectionDialog *self)
{
  update_visibility (self);
  update_save_sensitivity (self);
}

static void
on_method_changed (KfConnectionDialog *self)
{
  clear_errors (self);
  on_field_changed (self);
}

/* The key pairs that can log in (have a private key), and "Generate New" when adding. */
static void
fill_keypairs (KfConnectionDialog *self,
               const char         *select_id)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GListModel *keypairs = kf_store_get_keypairs (get_store (self));
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

static const char *
selected_keypair_id (KfConnectionDialog *self)
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
  gtk_editable_set_text (GTK_EDITABLE (self->otp_row), "");
}

static void
finish_saved (KfConnectionDialog *self,
              KfConnection       *connection,
              const char         *message)
{
  wipe_secrets (self);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, connection, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* ---- manual ---------------------------------------------------------------- */

/* A pasted URL or "user@host:port": keep its parts in their fields, and say so. */
static void
apply_host_input (KfConnectionDialog *self,
                  const KfHostInput  *input)
{
  if (input->note == NULL)
    return;
  show_label (self->host_note, input->note);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), input->host);
  if (input->port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", input->port);
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
    }
  if (input->username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), input->username);
}

/* Reads and checks the shared fields into @connection. */
static gboolean
read_common (KfConnectionDialog *self,
             KfConnection       *connection,
             GError            **error)
{
  g_autofree char *name = kf_connection_validate_name (text_of (self->name_row), error);
  g_autofree char *username = NULL;
  KfConnection *other;
  guint timeout = KF_CONNECTION_DEFAULT_TIMEOUT;

  if (name == NULL)
    return FALSE;
  other = kf_store_find_connection_by_name (get_store (self), name);
  if (other != NULL && (self->editing == NULL || other != self->editing))
    {
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                   _("A connection named “%s” already exists; choose another name."), name);
      return FALSE;
    }
  if (!(username = kf_connection_validate_username (text_of (self->username_row), error)))
    return FALSE;
  if (*text_of (self->timeout_row) != '\0'
      && !kf_connection_validate_timeout (text_of (self->timeout_row), &timeout, error))
    return FALSE;

  kf_connection_set_name (connection, name);
  kf_connection_set_username (connection, username);
  kf_connection_set_connect_timeout (connection, timeout);
  return TRUE;
}

static gboolean
read_manual (KfConnectionDialog *self,
             KfConnection       *connection,
             GError            **error)
{
  g_auto(KfHostInput) input = { 0 };
  g_autofree char *keys_text = host_keys_text (self);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  guint port = KF_CONNECTION_DEFAULT_PORT;

  if (!kf_connection_validate_host (text_of (self->host_row), &input, error))
    return FALSE;
  apply_host_input (self, &input);
  if (*text_of (self->port_row) != '\0'
      && !kf_connection_validate_port (text_of (self->port_row), &port, error))
    return FALSE;
  if (!read_common (self, connection, error))
    return FALSE;
  keys = kf_host_key_parse_list (keys_text, error);
  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (lines, kf_host_key_get_line (g_ptr_array_index (keys, i)));
  strv = g_strv_builder_end (lines);

  kf_connection_set_host (connection, input.host);
  kf_connection_set_port (connection, port);
  kf_connection_set_host_keys (connection, (const char * const *) strv);
  return TRUE;
}

static void
on_manual_added (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = kf_connection_ops_add_finish (result, &error);

  if (self->disposed)
    return;
  set_busy (self, FALSE, NULL);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }
  finish_saved (self, connection, NULL);
}

static void
save_manual (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  const char *keypair_id = selected_keypair_id (self);
  gboolean generate = keypair_id == NULL || *keypair_id == '\0';

  connection = self->editing ? kf_connection_copy (self->editing) : kf_connection_new (NULL);
  if (!read_manual (self, connection, &error))
    {
      show_error (self, error);
      return;
    }

  if (self->editing != NULL)
    {
      if (generate)
        {
          show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error,
                         _("Choose one of your key pairs; generate a new one on the SSH Keypairs page first."));
          return;
        }
      kf_connection_set_keypair_id (connection, keypair_id);
      /* Changing where or how we log in makes the last test result stale. */
      kf_connection_set_test_state (connection, KF_TEST_STATE_UNTESTED);
      kf_connection_set_test_message (connection, NULL);
      if (!kf_store_update_connection (get_store (self), connection, &error))
        {
          show_error (self, error);
          return;
        }
      finish_saved (self, kf_store_find_connection (get_store (self), kf_connection_get_id (connection)), NULL);
      return;
    }

  kf_connection_set_setup_method (connection, KF_SETUP_METHOD_MANUAL);
  if (!generate)
    kf_connection_set_keypair_id (connection, keypair_id);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, generate ? _("Generating a key pair and saving…") : _("Saving…"));
  kf_connection_ops_add_async (self->vault, connection, generate, KF_KEY_TYPE_ED25519,
                               self->cancellable, on_manual_added, g_object_ref (self));
}

/* ---- host key discovery ---------------------------------------------------- */

/* The host keys a Trust These Host Keys? alert showed, as lines. */
typedef struct
{
  KfConnectionDialog *self;   /* unowned: the handler goes with the dialog */
  GStrv               lines;
} TrustRequest;

static void
trust_request_free (TrustRequest *request)
{
  g_strfreev (request->lines);
  g_free (request);
}

static void
on_keys_trusted (GtkWidget    *dialog,
                 const char   *response,
                 TrustRequest *request)
{
  set_host_keys_text (request->self, (const char * const *) request->lines);
}

static TrustRequest *
trust_request_new (KfConnectionDialog *self,
                   GPtrArray          *keys)
{
  TrustRequest *request = g_new0 (TrustRequest, 1);
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (lines, kf_host_key_get_line (g_ptr_array_index (keys, i)));
  request->self = self;
  request->lines = g_strv_builder_end (lines);
  return request;
}

static void
on_discovered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = kf_ssh_probe_discover_finish (result, &error);
  GtkWidget *dialog;
  GtkWidget *facts;

  if (self->disposed)
    return;
  set_busy (self, FALSE, NULL);
  if (keys == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error_at (self, GTK_WIDGET (self->host_keys_row), self->manual_error, error->message);
      return;
    }

  facts = kf_facts_box_new ();
  gtk_widget_set_name (facts, "host-key-facts");
  for (guint i = 0; i < keys->len; i++)
    {
      KfHostKey *key = g_ptr_array_index (keys, i);
      g_autofree char *type = kf_host_key_describe_type (kf_host_key_get_key_type (key), kf_host_key_get_bits (key));

      kf_facts_box_add (facts, type, kf_host_key_get_fingerprint (key), TRUE);
    }

  dialog = kf_alert_new (_("Trust These Host Keys?"), NULL);
  /* Translators: %s is "host:port". */
  kf_alert_format_body (dialog, _("The server at %s presented these host keys. Trust them only if their fingerprints match the ones the server itself shows (for example “ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub” run on the server)."),
                        self->discover_address);
  kf_alert_set_extra_child (dialog, facts);
  kf_alert_add_responses (dialog, "cancel", _("_Cancel"), "trust", _("_Trust"), NULL);
  kf_alert_set_response_appearance (dialog, "trust", ADW_RESPONSE_SUGGESTED);
  kf_alert_set_default_response (dialog, "cancel");
  kf_alert_set_close_response (dialog, "cancel");
  kf_alert_connect_response (dialog, "trust", G_CALLBACK (on_keys_trusted), trust_request_new (self, keys),
                             (GDestroyNotify) trust_request_free, self);
  kf_alert_present (dialog, GTK_WIDGET (self));
}

static void
on_discover_clicked (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(KfHostInput) input = { 0 };
  guint port = KF_CONNECTION_DEFAULT_PORT;
  guint timeout = KF_CONNECTION_DEFAULT_TIMEOUT;

  clear_errors (self);
  if (!kf_connection_validate_host (text_of (self->host_row), &input, &error))
    {
      show_error (self, error);
      return;
    }
  apply_host_input (self, &input);
  if ((*text_of (self->port_row) != '\0' && !kf_connection_validate_port (text_of (self->port_row), &port, &error))
      || (*text_of (self->timeout_row) != '\0'
          && !kf_connection_validate_timeout (text_of (self->timeout_row), &timeout, &error)))
    {
      show_error (self, error);
      return;
    }
  g_free (self->discover_address);
  self->discover_address = kf_ssh_probe_format_address (input.host, port);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, _("Asking the server for its host keys…"));
  kf_ssh_probe_discover_async (input.host, port, timeout, self->cancellable, on_discovered, g_object_ref (self));
}

/* ---- semi-automatic -------------------------------------------------------- */

static void
on_setup_progress (KfConnectionDialog *self,
                   int                 step,
                   const char         *message)
{
  /* The setup's own messages are for logs (untranslated): say it here. */
  const char *admin = text_of (self->admin_username_row);
  const char *user = text_of (self->username_row);
  g_autofree char *text = NULL;

  switch ((KfSemiautoStep) step)
    {
    case KF_SEMIAUTO_STEP_CHECK:
      text = g_strdup (_("Checking the form…"));
      break;
    case KF_SEMIAUTO_STEP_GENERATE_KEY:
      text = g_strdup (_("Generating a new key pair…"));
      break;
    case KF_SEMIAUTO_STEP_CONNECT:
      /* Translators: %s is the TrueNAS URL. */
      text = g_strdup_printf (_("Connecting to %s…"), text_of (self->url_row));
      break;
    case KF_SEMIAUTO_STEP_LOGIN:
      /* Translators: %s is the admin user name. */
      text = g_strdup_printf (_("Logging in as %s…"), admin);
      break;
    case KF_SEMIAUTO_STEP_WAIT_OTP:
      text = g_strdup (_("Waiting for the one-time password…"));
      break;
    case KF_SEMIAUTO_STEP_PAIR:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Installing the public key for %s…"), user);
      break;
    case KF_SEMIAUTO_STEP_UPDATE_USER:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Updating user %s on the TrueNAS…"), user);
      break;
    case KF_SEMIAUTO_STEP_SAVE:
      text = g_strdup (_("Saving the connection…"));
      break;
    case KF_SEMIAUTO_STEP_VERIFY_SSH:
      /* Translators: %s is a user name. */
      text = g_strdup_printf (_("Logging in over SSH as %s…"), user);
      break;
    case KF_SEMIAUTO_STEP_IDLE:
    case KF_SEMIAUTO_STEP_DONE:
    default:
      text = g_strdup (message ? message : "");
      break;
    }
  gtk_label_set_text (self->progress_label, text);
}

static void
on_otp_entered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(KfSecret) otp = kf_otp_prompt_run_finish (result, NULL);

  if (!self->disposed && self->setup != NULL)
    kf_semiauto_setup_provide_otp (self->setup, otp);
}

static void
on_otp_requested (KfConnectionDialog *self,
                  const char         *message)
{
  kf_otp_prompt_run_async (GTK_WIDGET (self), message, NULL, on_otp_entered, g_object_ref (self));
}

static void
on_certificate_trusted (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autofree char *pin = kf_certificate_prompt_run_finish (result, NULL);

  if (pin == NULL || self->disposed)
    return;
  g_free (self->tls_pin);
  self->tls_pin = g_steal_pointer (&pin);
  run_semiauto (self);
}

static void
on_semiauto_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(KfSemiautoSetup) setup = g_object_ref (KF_SEMIAUTO_SETUP (source));
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = kf_semiauto_setup_run_finish (setup, result, &error);
  const char * const *notes = kf_semiauto_setup_get_notes (setup);

  g_signal_handlers_disconnect_by_data (setup, self);
  if (self->disposed)
    return;
  g_clear_object (&self->setup);
  set_busy (self, FALSE, NULL);
  if (notes != NULL && notes[0] != NULL)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) notes);
      show_label (self->url_note, joined);
    }

  if (connection == NULL)
    {
      KfTruenasCertificate *certificate = kf_semiauto_setup_get_peer_certificate (setup);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error);
      if (certificate != NULL
          && (g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE)
              || g_error_matches (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_CERTIFICATE_CHANGED)))
        kf_certificate_prompt_run_async (GTK_WIDGET (self), certificate,
                                         g_error_matches (error, KF_TRUENAS_ERROR,
                                                          KF_TRUENAS_ERROR_CERTIFICATE_CHANGED),
                                         on_certificate_trusted, g_object_ref (self));
      return;
    }

  finish_saved (self, connection,
                kf_semiauto_setup_get_host_key_verified (setup) ? NULL : kf_semiauto_setup_get_verify_message (setup));
}

static void
run_semiauto (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) scratch = kf_connection_new (NULL);
  const char *keypair_id = selected_keypair_id (self);
  const char *otp = text_of (self->otp_row);

  clear_errors (self);
  if (!read_common (self, scratch, &error))
    {
      show_error (self, error);
      return;
    }
  if (*text_of (self->admin_password_row) == '\0')
    {
      show_error_at (self, GTK_WIDGET (self->admin_password_row), self->semi_error,
                     _("Enter the admin password of the TrueNAS; it is used once and not stored."));
      return;
    }

  g_clear_object (&self->setup);
  if (self->pairing_again)
    self->setup = kf_semiauto_setup_new_pair_again (self->vault, self->editing);
  else
    {
      self->setup = kf_semiauto_setup_new (self->vault);
      kf_semiauto_setup_set_name (self->setup, kf_connection_get_name (scratch));
      kf_semiauto_setup_set_url (self->setup, text_of (self->url_row));
      if (keypair_id == NULL || *keypair_id == '\0')
        kf_semiauto_setup_set_generate_key (self->setup, KF_KEY_TYPE_ED25519, 0);
      else
        kf_semiauto_setup_set_keypair_id (self->setup, keypair_id);
    }
  kf_semiauto_setup_set_admin_username (self->setup, text_of (self->admin_username_row));
  kf_semiauto_setup_set_admin_password (self->setup, text_of (self->admin_password_row));
  if (*otp != '\0')
    kf_semiauto_setup_set_otp (self->setup, otp);
  kf_semiauto_setup_set_username (self->setup, kf_connection_get_username (scratch));
  kf_semiauto_setup_set_sudo_zfs (self->setup,
                                  gtk_widget_get_visible (GTK_WIDGET (self->sudo_row))
                                  && gtk_switch_get_active (self->sudo_switch));
  kf_semiauto_setup_set_connect_timeout (self->setup, kf_connection_get_connect_timeout (scratch));
  if (self->tls_pin != NULL)
    kf_semiauto_setup_set_tls_pin (self->setup, self->tls_pin);

  g_signal_connect_swapped (self->setup, "progress", G_CALLBACK (on_setup_progress), self);
  g_signal_connect_swapped (self->setup, "otp-requested", G_CALLBACK (on_otp_requested), self);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE, _("Connecting to the TrueNAS…"));
  kf_semiauto_setup_run_async (self->setup, self->cancellable, on_semiauto_done, g_object_ref (self));
}

static void
on_pair_again_clicked (KfConnectionDialog *self)
{
  self->pairing_again = TRUE;
  run_semiauto (self);
}

/* ---- buttons --------------------------------------------------------------- */

static void
on_save_clicked (KfConnectionDialog *self)
{
  if (self->busy || !gtk_widget_get_sensitive (GTK_WIDGET (self->save_button)))
    return;
  clear_errors (self);
  self->pairing_again = FALSE;
  if (is_manual (self) || self->editing != NULL)
    save_manual (self);
  else
    run_semiauto (self);
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
  set_host_keys_text (self, kf_connection_get_host_keys (c));
  gtk_switch_set_active (self->sudo_switch, kf_connection_get_sudo_zfs (c));
  if (semi)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->url_row), kf_connection_get_truenas_url (c) ?: "");
      gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (self->admin_username_row), kf_connection_get_admin_username (c) ?: "root");
      /* Pairing again keeps the certificate trusted at setup. */
      self->tls_pin = g_strdup (kf_connection_get_tls_pin (c));
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
  g_free (self->discover_address);
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
  BIND (otp_row); BIND (pair_again_row); BIND (pair_again_button); BIND (url_note); BIND (semi_error);
  BIND (manual_group); BIND (host_row); BIND (port_row); BIND (host_keys_row); BIND (discover_button);
  BIND (host_keys_view); BIND (host_note); BIND (manual_error);
  BIND (username_row); BIND (sudo_row); BIND (sudo_switch); BIND (keypair_row); BIND (login_error);
  BIND (timeout_row); BIND (timeout_error);
  BIND (progress_revealer); BIND (progress_spinner); BIND (progress_label);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_method_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_discover_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_pair_again_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kf_connection_dialog_init (KfConnectionDialog *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
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
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->admin_username_row), "root");
      gtk_editable_set_text (GTK_EDITABLE (self->username_row), "root");
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), "22");
      gtk_editable_set_text (GTK_EDITABLE (self->timeout_row), "10");
      fill_keypairs (self, NULL);
    }
  on_field_changed (self);
  return self;
}

gboolean
kf_connection_dialog_get_busy (KfConnectionDialog *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION_DIALOG (self), FALSE);
  return self->busy;
}
