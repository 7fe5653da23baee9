/* kf-keypair-dialog.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-dialog"

#include <string.h>

#include <glib/gi18n.h>

#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-key-text.h"
#include "kf-key-type.h"
#include "kf-keypair-dialog.h"
#include "kf-keyring.h"
#include "kf-ssh-key.h"
#include "kf-ui-util.h"

struct _KfKeypairDialog
{
  AdwWindow       parent_instance;

  /* template */
  GtkButton      *cancel_button;
  GtkButton      *save_button;
  GtkStack       *stack;
  AdwEntryRow    *name_row;
  GtkLabel       *name_error;
  GtkLabel       *general_error;
  GtkStack       *mode_stack;
  AdwComboRow    *type_row;
  AdwEntryRow    *comment_row;
  GtkLabel       *comment_error;
  GtkTextView    *private_view;
  GtkLabel       *private_error;
  GtkTextView    *public_view;
  GtkLabel       *public_error;
  GtkWidget      *passphrase_box;
  AdwEntryRow    *passphrase_row;
  gboolean        private_encrypted;  /* the private key text needs a passphrase */
  GtkLabel       *passphrase_error;
  GtkSpinner     *spinner;
  GtkLabel       *busy_label;

  KfVault        *vault;
  GCancellable   *cancellable;   /* the running job, or NULL */
  KfKeypair      *pending;       /* the key pair being saved */
  GtkNativeDialog *chooser;
};

G_DEFINE_FINAL_TYPE (KfKeypairDialog, kf_keypair_dialog, ADW_TYPE_WINDOW)

enum {
  SAVED,
  WORKER_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static char *
dup_trimmed (const char *text)
{
  return g_strstrip (g_strdup (text != NULL ? text : ""));
}

/* The buffer's text, to be freed with kf_secret_free (it may be a key). */
static char *
view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gboolean
view_is_blank (GtkTextView *view)
{
  g_autoptr(KfSecret) text = view_text (view);

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return FALSE;
  return TRUE;
}

static void
show_error (GtkLabel   *label,
            const char *message)
{
  kf_ui_show_field_error (NULL, label, message);
}

static void
clear_errors (KfKeypairDialog *self)
{
  show_error (self->general_error, NULL);
  show_error (self->private_error, NULL);
  show_error (self->public_error, NULL);
  show_error (self->passphrase_error, NULL);
}

static gboolean
is_generate (KfKeypairDialog *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->mode_stack), "generate") == 0;
}

/* Checks the name as typed; shows why it cannot be used. */
static gboolean
validate_name (KfKeypairDialog *self)
{
  g_autofree char *name = NULL;
  g_autoptr(GError) taken = NULL;
  const char *problem = NULL;

  if (self->vault == NULL)
    return FALSE;

  name = dup_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  if (g_utf8_strlen (name, -1) > KF_MAX_NAME_LEN)
    problem = _("The name is too long: use at most 200 characters.");
  else if (*name != '\0'
           && !kf_connection_validate_name_free (kf_store_get_keypairs (kf_vault_get_store (self->vault)),
                                                 name, NULL, &taken))
    problem = taken->message;

  kf_ui_show_field_error (GTK_WIDGET (self->name_row), self->name_error, problem);
  return *name != '\0' && problem == NULL;
}

/* Checks the comment as typed (a generated key's). */
static gboolean
validate_comment (KfKeypairDialog *self)
{
  g_autofree char *comment = dup_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->comment_row)));
  g_autoptr(GError) error = NULL;
  gboolean ok = kf_ssh_key_check_comment (comment, &error);

  kf_ui_show_field_error (GTK_WIDGET (self->comment_row), self->comment_error, ok ? NULL : error->message);
  return ok;
}

static void
update_save (KfKeypairDialog *self)
{
  gboolean valid = validate_name (self);

  if (is_generate (self))
    valid = validate_comment (self) && valid;

  if (valid && !is_generate (self))
    valid = !view_is_blank (self->private_view) || !view_is_blank (self->public_view);
  if (valid && !is_generate (self) && self->private_encrypted)
    valid = *gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row)) != '\0';

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), valid && self->cancellable == NULL);
}

static void
on_field_changed (KfKeypairDialog *self)
{
  update_save (self);
}

/* An encrypted private key asks for its passphrase as soon as it is there
 * (loaded or pasted), not as a red error after Save. */
static void
on_private_changed (KfKeypairDialog *self)
{
  g_autoptr(KfSecret) text = view_text (self->private_view);

  self->private_encrypted = kf_ssh_key_private_text_is_encrypted (text);
  if (self->private_encrypted)
    gtk_widget_set_visible (self->passphrase_box, TRUE);
  update_save (self);
}

static void
set_busy (KfKeypairDialog *self,
          const char      *what)
{
  gtk_label_set_text (self->busy_label, what);
  gtk_stack_set_visible_child_name (self->stack, "busy");
  gtk_spinner_start (self->spinner);
  update_save (self);
}

static void
set_form (KfKeypairDialog *self)
{
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending);
  gtk_spinner_stop (self->spinner);
  gtk_stack_set_visible_child_name (self->stack, "form");
  update_save (self);
}

/* Forgets what the user pasted or typed that is secret. */
static void
clear_secrets (KfKeypairDialog *self)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->private_view), "", 0);
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
}

static void
show_key_error (KfKeypairDialog *self,
                const GError    *error)
{
  if (error->domain == KF_KEY_ERROR)
    {
      switch (error->code)
        {
        case KF_KEY_ERROR_NEEDS_PASSPHRASE:
        case KF_KEY_ERROR_WRONG_PASSPHRASE:
          gtk_widget_set_visible (self->passphrase_box, TRUE);
          show_error (self->passphrase_error, error->message);
          gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
          return;
        case KF_KEY_ERROR_MISMATCH:
          show_error (self->public_error, error->message);
          return;
        default:
          /* Whichever key text the user gave; the private one when both. */
          show_error (view_is_blank (self->private_view) ? self->public_error : self->private_error,
                      error->message);
          return;
        }
    }

  if (g_error_matches (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN) ||
      g_error_matches (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME))
    {
      show_error (self->name_error, error->message);
      return;
    }

  show_error (self->general_error, error->message);
}

/* One press of Save. Its callbacks are stale when the user cancelled it (or
 * started another since): the dialog then holds another cancellable. */
typedef struct
{
  KfKeypairDialog *self;
  GCancellable    *cancellable;
  GObject         *worker;       /* the key work's "worker-started" object */
} Job;

static Job *
job_new (KfKeypairDialog *self)
{
  Job *job = g_new0 (Job, 1);

  job->self = g_object_ref (self);
  job->cancellable = g_object_ref (self->cancellable);
  return job;
}

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->worker);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static gboolean
job_is_current (Job *job)
{
  return job->self->cancellable == job->cancellable &&
         !g_cancellable_is_cancelled (job->cancellable);
}

static void
on_added (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  KfKeypairDialog *self = job->self;
  g_autoptr(GError) error = NULL;
  KfKeypair *stored;
  gboolean added = kf_vault_add_keypair_finish (KF_VAULT (source), result, &error);

  if (!job_is_current (job))
    return;

  if (!added)
    {
      show_key_error (self, error);
      set_form (self);
      return;
    }

  stored = kf_store_find_keypair (kf_vault_get_store (self->vault), kf_keypair_get_id (self->pending));
  clear_secrets (self);
  g_signal_emit (self, signals[SAVED], 0, stored != NULL ? stored : self->pending);
  set_form (self);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
key_ready (Job           *job,
           KfKeyMaterial *material,
           const GError  *error)
{
  KfKeypairDialog *self = job->self;
  g_autofree char *name = NULL;

  g_clear_object (&job->worker);
  if (!job_is_current (job))
    return;

  if (material == NULL)
    {
      show_key_error (self, error);
      set_form (self);
      return;
    }

  name = dup_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  self->pending = kf_keypair_new (name);
  kf_key_material_apply_to_keypair (material, self->pending);
  gtk_label_set_text (self->busy_label, _("Saving in the keyring…"));
  /* The vault may be cancelled half-way: it leaves nothing half-saved. */
  kf_vault_add_keypair_async (self->vault, self->pending,
                              kf_key_material_get_private_key (material),
                              job->cancellable, on_added, job_new (self));
}

static void
on_generated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_generate_finish (result, &error);

  key_ready (job, material, error);
}

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(Job) job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_import_finish (result, &error);

  key_ready (job, material, error);
}

/* A job for the key work, which runs in a thread that outlives Cancel and
 * the dialog: "worker-started" hands its owner an object that lives until the
 * thread is done. */
static Job *
worker_job_new (KfKeypairDialog *self)
{
  Job *job = job_new (self);

  job->worker = g_object_new (G_TYPE_OBJECT, NULL);
  g_signal_emit (self, signals[WORKER_STARTED], 0, job->worker);
  return job;
}

static void
on_save_clicked (KfKeypairDialog *self)
{
  update_save (self);
  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->save_button)))
    return;

  clear_errors (self);
  self->cancellable = g_cancellable_new ();

  /* The key work gets no cancellable: libssh cannot be interrupted, and a
   * task that returned early would leave its thread running unseen. Cancel
   * just abandons the job; "worker-started" lets the application wait for
   * the thread before it exits. */
  if (is_generate (self))
    {
      guint i = adw_combo_row_get_selected (self->type_row);
      g_autofree char *comment = dup_trimmed (gtk_editable_get_text (GTK_EDITABLE (self->comment_row)));
      KfKeyType type;
      guint bits;

      if (i >= kf_key_type_n_choices ())
        i = 0;
      type = kf_key_type_get_choice (i, &bits);
      set_busy (self, _("Generating the key pair…"));
      kf_ssh_key_generate_async (type, bits,
                                 *comment != '\0' ? comment : NULL,
                                 NULL, on_generated, worker_job_new (self));
    }
  else
    {
      g_autoptr(KfSecret) private_text = view_text (self->private_view);
      g_autoptr(KfSecret) public_text = view_text (self->public_view);
      const char *passphrase = gtk_widget_get_visible (self->passphrase_box)
                               ? gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row))
                               : NULL;

      set_busy (self, _("Reading the key…"));
      /* The core copies the texts (and wipes its copies). */
      kf_ssh_key_import_async (private_text, public_text,
                               passphrase != NULL && *passphrase != '\0' ? passphrase : NULL,
                               NULL, on_imported, worker_job_new (self));
    }
}

static void
on_cancel_clicked (KfKeypairDialog *self)
{
  if (self->cancellable != NULL)
    {
      /* Stop the job, stay in the dialog. */
      g_cancellable_cancel (self->cancellable);
      set_form (self);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

/* Open File… */

static gboolean
looks_public (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = kf_ssh_key_parse_public (text, &error);

  return material != NULL;
}

static void
set_view_text (GtkTextView *view,
               const char  *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text, -1);
}

static void
on_public_file_loaded (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(KfKeypairDialog) self = user_data;
  g_autofree char *contents = NULL;
  gsize length;

  /* A missing "<file>.pub" is normal. */
  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, NULL))
    return;
  if (length <= KF_MAX_KEY_TEXT_LEN && g_utf8_validate (contents, length, NULL) &&
      looks_public (contents) && view_is_blank (self->public_view))
    set_view_text (self->public_view, g_strstrip (contents));
}

/* An empty Name takes the file's: "id_ed25519.pub" suggests "id_ed25519". */
static void
suggest_name (KfKeypairDialog *self,
              GFile           *file)
{
  g_autofree char *base = NULL;

  if (*gtk_editable_get_text (GTK_EDITABLE (self->name_row)) != '\0')
    return;
  base = g_file_get_basename (file);
  if (base == NULL || !g_utf8_validate (base, -1, NULL))
    return;
  if (g_str_has_suffix (base, ".pub") && strlen (base) > 4)
    base[strlen (base) - 4] = '\0';
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), base);
}

static void
on_key_file_loaded (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(KfKeypairDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) contents = NULL;
  gsize length = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      show_error (self->private_error, _("The file could not be read: check that it exists and that you may read it."));
      return;
    }

  if (length > KF_MAX_KEY_TEXT_LEN || !g_utf8_validate (contents, length, NULL))
    {
      show_error (self->private_error, _("This file is not an SSH key: keys are short text files."));
      return;
    }

  show_error (self->private_error, NULL);
  suggest_name (self, G_FILE (source));
  if (looks_public (contents))
    set_view_text (self->public_view, g_strstrip (contents));
  else
    {
      g_autofree char *pub_path = g_strconcat (g_file_peek_path (G_FILE (source)), ".pub", NULL);
      g_autoptr(GFile) pub = g_file_new_for_path (pub_path);

      set_view_text (self->private_view, contents);
      if (self->private_encrypted)
        gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_row));
      /* ssh-keygen writes the public key beside the private one. */
      g_file_load_contents_async (pub, NULL, on_public_file_loaded, g_object_ref (self));
    }
  update_save (self);
}

void
kf_keypair_dialog_load_file (KfKeypairDialog *self,
                             GFile           *file)
{
  g_return_if_fail (KF_IS_KEYPAIR_DIALOG (self));

  g_file_load_contents_async (file, NULL, on_key_file_loaded, g_object_ref (self));
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     KfKeypairDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        kf_keypair_dialog_load_file (self, file);
    }

  g_clear_object (&self->chooser);
}

static void
on_open_clicked (KfKeypairDialog *self)
{
  g_autofree char *ssh_dir = g_build_filename (g_get_home_dir (), ".ssh", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (ssh_dir);
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;

  chooser = gtk_file_chooser_native_new (_("Open Private Key"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (g_file_query_exists (folder, NULL))
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (self->chooser);
}

static gboolean
kf_keypair_dialog_close_request (GtkWindow *window)
{
  KfKeypairDialog *self = KF_KEYPAIR_DIALOG (window);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  clear_secrets (self);

  return GTK_WINDOW_CLASS (kf_keypair_dialog_parent_class)->close_request (window);
}

static void
kf_keypair_dialog_dispose (GObject *object)
{
  KfKeypairDialog *self = (KfKeypairDialog *) object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pending);

  gtk_widget_dispose_template (GTK_WIDGET (self), KF_TYPE_KEYPAIR_DIALOG);

  G_OBJECT_CLASS (kf_keypair_dialog_parent_class)->dispose (object);
}

static void
kf_keypair_dialog_finalize (GObject *object)
{
  KfKeypairDialog *self = (KfKeypairDialog *) object;

  g_clear_object (&self->vault);

  G_OBJECT_CLASS (kf_keypair_dialog_parent_class)->finalize (object);
}

static void
kf_keypair_dialog_class_init (KfKeypairDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kf_keypair_dialog_dispose;
  object_class->finalize = kf_keypair_dialog_finalize;
  window_class->close_request = kf_keypair_dialog_close_request;

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, KF_TYPE_KEYPAIR);
  signals[WORKER_STARTED] =
    g_signal_new ("worker-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_OBJECT);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/keyferry/Keyferry/kf-keypair-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, save_button);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, name_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, general_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, mode_stack);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, type_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, comment_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, comment_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, private_view);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, private_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, public_view);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, public_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, passphrase_box);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, passphrase_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDialog, busy_label);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kf_keypair_dialog_init (KfKeypairDialog *self)
{
  g_autoptr(GtkStringList) types = gtk_string_list_new (NULL);
  g_autoptr(GSettings) settings = g_settings_new (KF_APP_ID);
  g_autofree char *preferred = g_settings_get_string (settings, "default-key-type");

  gtk_widget_init_template (GTK_WIDGET (self));
  kf_ui_name_icon_controls (GTK_WIDGET (self));
  kf_key_text_view_init (self->private_view);
  kf_key_text_view_init (self->public_view);

  for (guint i = 0; i < kf_key_type_n_choices (); i++)
    {
      g_autofree char *label = kf_key_type_dup_choice_label (i);

      gtk_string_list_append (types, label);
    }
  adw_combo_row_set_model (self->type_row, G_LIST_MODEL (types));
  adw_combo_row_set_selected (self->type_row, kf_key_type_choice_for_setting (preferred));

  g_signal_connect_swapped (gtk_text_view_get_buffer (self->private_view), "changed",
                            G_CALLBACK (on_private_changed), self);
  g_signal_connect_swapped (self->passphrase_row, "changed", G_CALLBACK (on_field_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->public_view), "changed",
                            G_CALLBACK (on_field_changed), self);
}

KfKeypairDialog *
kf_keypair_dialog_new (GtkWindow *parent,
                       KfVault   *vault)
{
  KfKeypairDialog *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);

  self = g_object_new (KF_TYPE_KEYPAIR_DIALOG,
                       "transient-for", parent,
                       NULL);
  self->vault = g_object_ref (vault);
  update_save (self);
  /* Typing right after Ctrl+N names the key pair (issue 11, defect 2). */
  gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->name_row));
  return self;
}

gboolean
kf_keypair_dialog_get_busy (KfKeypairDialog *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR_DIALOG (self), FALSE);

  return self->cancellable != NULL;
}
