/* kf-rotate-dialog.c
 *
 * Built in code: a header bar (Cancel, Rotate/Finish/Roll Back), the new key
 * type (new rotations only), one row per connection with a check box (new
 * rotations only) whose subtitle shows the box's progress, and a password row
 * per TrueNAS box. The run itself is kf_rotation_run_async(); Cancel during
 * the run cancels it before the next step (the rest is recorded for later).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotate-dialog"

#include <glib/gi18n.h>

#include "kf-key-type.h"
#include "kf-otp-prompt.h"
#include "kf-rotate-dialog.h"
#include "kf-secret.h"
#include "kf-ui-util.h"

struct _KfRotateDialog {
  AdwWindow      parent_instance;

  KfRotation    *rotation;
  GCancellable  *cancellable;
  GtkWidget     *start_button;
  GtkWidget     *cancel_button;
  GtkWidget     *delete_button;
  GtkWidget     *type_row;
  GtkWidget     *sign_in_row;  /* Admin Password / Admin API Key, with TrueNAS boxes */
  GtkWidget     *status;
  GPtrArray     *rows;        /* Row */
  gboolean       done;
};

typedef struct {
  KfConnection *connection;
  GtkWidget    *row;          /* AdwActionRow: progress in the subtitle */
  GtkWidget    *check;        /* include it (new rotations) */
  GtkWidget    *secret;       /* AdwPasswordEntryRow, TrueNAS boxes */
} Row;

static void
row_free (Row *row)
{
  g_object_unref (row->connection);
  g_free (row);
}

G_DEFINE_FINAL_TYPE (KfRotateDialog, kf_rotate_dialog, ADW_TYPE_WINDOW)

static gboolean
sign_in_with_api_key (KfRotateDialog *self)
{
  return self->sign_in_row != NULL && adw_combo_row_get_selected (ADW_COMBO_ROW (self->sign_in_row)) == 1;
}

enum { SIGNAL_FINISHED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const KfKeyType key_types[] = {
  KF_KEY_TYPE_ED25519, KF_KEY_TYPE_ECDSA_P256, KF_KEY_TYPE_ECDSA_P384, KF_KEY_TYPE_ECDSA_P521, KF_KEY_TYPE_RSA,
};

static void
kf_rotate_dialog_dispose (GObject *object)
{
  KfRotateDialog *self = KF_ROTATE_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_object (&self->rotation);
  G_OBJECT_CLASS (kf_rotate_dialog_parent_class)->dispose (object);
}

static gboolean
on_close_request (GtkWindow *window)
{
  KfRotateDialog *self = KF_ROTATE_DIALOG (window);

  /* While it runs, closing is Cancel: the run stops before its next step. */
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      return TRUE;
    }
  return FALSE;
}

static void
kf_rotate_dialog_class_init (KfRotateDialogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = kf_rotate_dialog_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = on_close_request;

  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
kf_rotate_dialog_init (KfRotateDialog *self)
{
  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
}

static Row *
find_row (KfRotateDialog *self,
          KfConnection   *connection)
{
  for (guint i = 0; connection != NULL && i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);

      if (g_strcmp0 (kf_connection_get_id (row->connection), kf_connection_get_id (connection)) == 0)
        return row;
    }
  return NULL;
}

static void
on_progress (KfRotation     *rotation,
             KfConnection   *box,
             int             step,
             const char     *message,
             KfRotateDialog *self)
{
  Row *row = find_row (self, box);
  g_autofree char *text = g_markup_escape_text (message, -1);

  if (row != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), text);
  else
    gtk_label_set_text (GTK_LABEL (self->status), message);
}

static void
on_otp_entered (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfRotateDialog) self = user_data;
  KfSecret *otp = kf_otp_prompt_run_finish (result, NULL);

  /* NULL (cancelled) gives up on that box; the others go on. */
  kf_rotation_provide_otp (self->rotation, otp);
  kf_secret_free (otp);
}

/* The existing one-time password prompt, over this dialog. */
static void
on_otp_requested (KfRotation     *rotation,
                  KfConnection   *box,
                  KfRotateDialog *self)
{
  g_autofree char *message = g_strdup_printf (_("The TrueNAS “%s” asks for a one-time password. Enter the code from your authenticator app."),
                                              kf_connection_get_name (box));

  kf_otp_prompt_run_async (GTK_WIDGET (self), message, self->cancellable, on_otp_entered, g_object_ref (self));
}

static void
end_run (KfRotateDialog *self,
         const char     *status)
{
  self->done = TRUE;
  g_clear_object (&self->cancellable);
  gtk_label_set_text (GTK_LABEL (self->status), status);
  gtk_button_set_label (GTK_BUTTON (self->cancel_button), _("_Close"));
  gtk_widget_set_visible (self->start_button, FALSE);
  gtk_widget_set_visible (self->delete_button, kf_rotation_get_old_keypair_unused (self->rotation));
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(KfRotateDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_rotation_run_finish (KF_ROTATION (source), result, &error))
    end_run (self, error->message);
  else
    end_run (self, kf_rotation_get_rollback (self->rotation) ? _("Every box is back on the old key pair.")
                                                             : _("Every box now uses the new key pair."));
}

/* The chosen connections (new rotations) and the secrets, into the rotation. */
static gboolean
apply_choices (KfRotateDialog *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);

      if (row->check != NULL && gtk_check_button_get_active (GTK_CHECK_BUTTON (row->check)))
        g_ptr_array_add (names, (gpointer) kf_connection_get_name (row->connection));
    }
  if (self->type_row != NULL && names->len == 0)
    {
      gtk_label_set_text (GTK_LABEL (self->status), _("Choose at least one connection to rotate the key pair on."));
      return FALSE;
    }
  g_ptr_array_add (names, NULL);
  if (self->type_row != NULL)
    {
      KfKeyType type = key_types[adw_combo_row_get_selected (ADW_COMBO_ROW (self->type_row))];

      kf_rotation_set_key_type (self->rotation, type, type == KF_KEY_TYPE_RSA ? 3072 : 0);
      if (!kf_rotation_set_connections (self->rotation, (const char * const *) names->pdata, &error))
        {
          gtk_label_set_text (GTK_LABEL (self->status), error->message);
          return FALSE;
        }
    }
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      const char *secret = row->secret != NULL ? gtk_editable_get_text (GTK_EDITABLE (row->secret)) : NULL;

      if (secret != NULL && *secret != '\0')
        kf_rotation_set_secret (self->rotation, row->connection, secret, sign_in_with_api_key (self));
      /* The entry's copy goes at once; the rotation keeps its own, wiped. */
      if (row->secret != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row->secret), "");
    }
  return TRUE;
}

void
kf_rotate_dialog_start (KfRotateDialog *self)
{
  g_return_if_fail (KF_IS_ROTATE_DIALOG (self));

  if (self->cancellable != NULL || self->done || !apply_choices (self))
    return;
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_sensitive (self->start_button, FALSE);
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);

      if (row->check != NULL)
        gtk_widget_set_sensitive (row->check, FALSE);
      if (row->secret != NULL)
        gtk_widget_set_sensitive (row->secret, FALSE);
    }
  if (self->type_row != NULL)
    gtk_widget_set_sensitive (self->type_row, FALSE);
  gtk_label_set_text (GTK_LABEL (self->status), _("Rotating…"));
  kf_rotation_run_async (self->rotation, self->cancellable, on_run_done, g_object_ref (self));
}

gboolean
kf_rotate_dialog_get_done (KfRotateDialog *self)
{
  g_return_val_if_fail (KF_IS_ROTATE_DIALOG (self), FALSE);
  return self->done;
}

static void
on_cancel_clicked (KfRotateDialog *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_delete_clicked (KfRotateDialog *self)
{
  KfKeypair *old_keypair = kf_rotation_get_old_keypair (self->rotation);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  /* The window's own Delete asks first, as from the key pair's menu. */
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "win.keypair-delete", "s", kf_keypair_get_id (old_keypair));
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Each TrueNAS box's secret row says what to type. */
static void
update_secret_titles (KfRotateDialog *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      g_autofree char *title = NULL;

      if (row->secret == NULL)
        continue;
      title = g_strdup_printf (sign_in_with_api_key (self) ? _("Admin API Key for %s") : _("Admin Password for %s"),
                               kf_connection_get_name (row->connection));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->secret), title);
    }
}

/* As in Add SSH Connection: the TrueNAS admin signs in with a password or
 * an API key (asked once per box; an API key only over https). */
static GtkWidget *
make_sign_in_row (KfRotateDialog *self)
{
  const char *choices[] = { _("Admin Password"), _("Admin API Key"), NULL };
  g_autoptr(GtkStringList) labels = gtk_string_list_new (choices);
  GtkWidget *row = adw_combo_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Sign In With"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
  g_signal_connect_swapped (row, "notify::selected", G_CALLBACK (update_secret_titles), self);
  return row;
}

static GtkWidget *
make_type_row (KfRotation *rotation)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GtkWidget *row = adw_combo_row_new ();
  KfKeyType current = KF_KEY_TYPE_ED25519;
  guint selected = 0;

  kf_key_type_from_name (kf_keypair_get_key_type (kf_rotation_get_old_keypair (rotation)), &current);
  for (guint i = 0; i < G_N_ELEMENTS (key_types); i++)
    {
      gtk_string_list_append (labels, kf_key_type_get_label (key_types[i]));
      if (key_types[i] == current)
        selected = i;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Type of the New Key Pair"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  return row;
}

static void
add_box_rows (KfRotateDialog      *self,
              AdwPreferencesGroup *group,
              gboolean             resume)
{
  g_autoptr(GPtrArray) boxes = kf_rotation_get_boxes (self->rotation);

  for (guint i = 0; i < boxes->len; i++)
    {
      KfConnection *box = g_ptr_array_index (boxes, i);
      Row *row = g_new0 (Row, 1);
      g_autofree char *where = g_markup_printf_escaped ("%s@%s", kf_connection_get_username (box),
                                                       kf_connection_get_host (box));

      row->connection = g_object_ref (box);
      row->row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), kf_connection_get_name (box));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), where);
      if (!resume)
        {
          row->check = gtk_check_button_new ();
          gtk_check_button_set_active (GTK_CHECK_BUTTON (row->check), TRUE);
          gtk_widget_set_valign (row->check, GTK_ALIGN_CENTER);
          gtk_accessible_update_property (GTK_ACCESSIBLE (row->check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          kf_connection_get_name (box), -1);
          adw_action_row_add_prefix (ADW_ACTION_ROW (row->row), row->check);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row->row), row->check);
        }
      adw_preferences_group_add (group, row->row);
      if (kf_rotation_box_needs_secret (self->rotation, box))
        {
          g_autofree char *title = g_strdup_printf (_("Admin Password for %s"), kf_connection_get_name (box));

          row->secret = adw_password_entry_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->secret), title);
          adw_preferences_group_add (group, row->secret);
        }
      g_ptr_array_add (self->rows, row);
    }
}

static GtkWidget *
make_header (KfRotateDialog *self,
             gboolean        resume)
{
  GtkWidget *header = adw_header_bar_new ();
  const char *label = !resume ? _("_Rotate")
                              : kf_rotation_get_rollback (self->rotation) ? _("_Roll Back") : _("_Finish");

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->cancel_button = gtk_button_new_with_mnemonic (_("_Cancel"));
  self->start_button = gtk_button_new_with_mnemonic (label);
  gtk_widget_add_css_class (self->start_button, kf_rotation_get_rollback (self->rotation) ? "destructive-action"
                                                                                         : "suggested-action");
  self->delete_button = gtk_button_new_with_mnemonic (_("_Delete Old Key Pair…"));
  gtk_widget_set_visible (self->delete_button, FALSE);
  g_signal_connect_swapped (self->cancel_button, "clicked", G_CALLBACK (on_cancel_clicked), self);
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (kf_rotate_dialog_start), self);
  g_signal_connect_swapped (self->delete_button, "clicked", G_CALLBACK (on_delete_clicked), self);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->cancel_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->start_button);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->delete_button);
  return header;
}

KfRotateDialog *
kf_rotate_dialog_new (GtkWindow  *parent,
                      KfRotation *rotation)
{
  KfRotateDialog *self;
  KfKeypair *old_keypair = kf_rotation_get_old_keypair (rotation);
  gboolean resume = kf_rotation_is_resume (rotation);
  GtkWidget *box, *page, *group, *first_group;
  g_autofree char *title = NULL;

  g_return_val_if_fail (KF_IS_ROTATION (rotation), NULL);

  self = g_object_new (KF_TYPE_ROTATE_DIALOG, "transient-for", parent, "modal", TRUE,
                       "default-width", 560, "default-height", 600, NULL);
  self->rotation = g_object_ref (rotation);
  g_signal_connect_object (rotation, "progress", G_CALLBACK (on_progress), self, 0);
  g_signal_connect_object (rotation, "otp-requested", G_CALLBACK (on_otp_requested), self, 0);
  title = g_strdup_printf (resume ? _("Unfinished Rotation of “%s”") : _("Rotate “%s”"), kf_keypair_get_name (old_keypair));
  gtk_window_set_title (GTK_WINDOW (self), title);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), make_header (self, resume));
  page = adw_preferences_page_new ();
  gtk_widget_set_vexpand (page, TRUE);
  group = adw_preferences_group_new ();
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("A new key pair replaces this one on each box: the new key is installed and tried, the connection is pointed at it, then the old key is removed and must be refused. The old key pair is kept."));
  if (!resume)
    {
      self->type_row = make_type_row (rotation);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->type_row);
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  first_group = group;
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Connections"));
  add_box_rows (self, ADW_PREFERENCES_GROUP (group), resume);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  for (guint i = 0; i < self->rows->len && self->sign_in_row == NULL; i++)
    if (((Row *) g_ptr_array_index (self->rows, i))->secret != NULL)
      {
        /* Above the boxes: one choice for every TrueNAS box. */
        self->sign_in_row = make_sign_in_row (self);
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (first_group), self->sign_in_row);
      }
  gtk_box_append (GTK_BOX (box), page);
  self->status = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_widget_set_margin_start (self->status, 12);
  gtk_widget_set_margin_end (self->status, 12);
  gtk_widget_set_margin_bottom (self->status, 12);
  gtk_box_append (GTK_BOX (box), self->status);
  adw_window_set_content (ADW_WINDOW (self), box);
  return self;
}
