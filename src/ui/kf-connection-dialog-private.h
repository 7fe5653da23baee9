/* kf-connection-dialog-private.h: what the files of KfConnectionDialog
 * share: kf-connection-dialog.c (the form, its errors and buttons),
 * kf-connection-dialog-manual.c (the manual form: save, host key discovery)
 * and kf-connection-dialog-semiauto.c (the semi-automatic setup with its
 * certificate and one-time password prompts).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-connection-dialog.h"
#include "kf-semiauto-setup.h"

G_BEGIN_DECLS

enum { METHOD_SEMI_AUTOMATIC, METHOD_MANUAL };
enum { SIGN_IN_PASSWORD, SIGN_IN_API_KEY };

struct _KfConnectionDialog
{
  AdwWindow            parent_instance;

  KfVault             *vault;
  KfConnection        *editing;      /* the stored connection, or NULL when adding */
  GCancellable        *cancellable;
  KfSemiautoSetup     *setup;
  GPtrArray           *keypair_ids;  /* parallel to keypair_row's model; "" = Generate New */
  char                *tls_pin;      /* a certificate the user trusted in this dialog */
  char                *tls_pin_url;  /* …for this TrueNAS URL (the field's text) */
  char                *discover_address; /* "host:port" being asked for its host keys */
  char                *active_url;   /* an HA standby named this active controller */
  char                *loaded_form;  /* editing: the fields as loaded (form_snapshot) */
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
  AdwComboRow         *sign_in_row;  /* SIGN_IN_PASSWORD or SIGN_IN_API_KEY */
  AdwPasswordEntryRow *admin_password_row;
  AdwPasswordEntryRow *admin_api_key_row;
  AdwPasswordEntryRow *otp_row;
  AdwActionRow        *pair_again_row;
  GtkButton           *pair_again_button;
  GtkLabel            *url_note;
  GtkLabel            *certificate_note;
  GtkLabel            *semi_error;
  GtkButton           *use_active_button;
  AdwPreferencesGroup *manual_group;
  AdwEntryRow         *host_row;
  AdwEntryRow         *port_row;
  AdwActionRow        *host_keys_row;
  GtkButton           *discover_button;
  GtkTextView         *host_keys_view;
  GtkLabel            *host_note;
  GtkLabel            *manual_error;  /* under the host keys */
  AdwPreferencesGroup *host_keys_group;
  GtkLabel            *server_error;  /* under Host and Port */
  AdwEntryRow         *username_row;
  GtkLabel            *username_error;
  AdwActionRow        *sudo_row;
  GtkSwitch           *sudo_switch;
  AdwComboRow         *keypair_row;
  GtkLabel            *login_error;   /* under the key pair */
  AdwEntryRow         *timeout_row;
  GtkLabel            *timeout_error;
  GtkRevealer         *progress_revealer;
  GtkSpinner          *progress_spinner;
  GtkLabel            *progress_label;
};

/* kf-connection-dialog.c */
KfStore    *kf_connection_dialog_get_store           (KfConnectionDialog  *self);
gboolean    kf_connection_dialog_is_manual           (KfConnectionDialog  *self);
const char *kf_connection_dialog_text_of             (gpointer             editable);
char       *kf_connection_dialog_host_keys_text      (KfConnectionDialog  *self);
void        kf_connection_dialog_set_host_keys_text  (KfConnectionDialog  *self,
                                                      const char * const  *lines);
void        kf_connection_dialog_show_label          (GtkLabel            *label,
                                                      const char          *text);
void        kf_connection_dialog_clear_errors        (KfConnectionDialog  *self);
/* Shows @message in @label and marks @row (if any) as wrong; focuses it. */
void        kf_connection_dialog_show_error_at       (KfConnectionDialog  *self,
                                                      GtkWidget           *row,
                                                      GtkLabel            *label,
                                                      const char          *message);
/* Puts an error from the core next to the field it concerns. */
void        kf_connection_dialog_show_error          (KfConnectionDialog  *self,
                                                      const GError        *error);
void        kf_connection_dialog_set_busy            (KfConnectionDialog  *self,
                                                      gboolean             busy,
                                                      const char          *message);
/* The chosen key pair's id; "" for Generate New. */
const char *kf_connection_dialog_selected_keypair_id (KfConnectionDialog  *self);
/* Emits "saved" and closes. */
void        kf_connection_dialog_finish_saved        (KfConnectionDialog  *self,
                                                      KfConnection        *connection,
                                                      const char          *message);
/* Reads and checks the fields both methods share into @connection. */
gboolean    kf_connection_dialog_read_common         (KfConnectionDialog  *self,
                                                      KfConnection        *connection,
                                                      GError             **error);

/* kf-connection-dialog-manual.c */
void        kf_connection_dialog_save_manual         (KfConnectionDialog  *self);
void        kf_connection_dialog_on_discover_clicked (KfConnectionDialog  *self);

/* kf-connection-dialog-semiauto.c */
/* TRUE when the admin signs in with an API key rather than the password. */
gboolean    kf_connection_dialog_uses_api_key        (KfConnectionDialog  *self);
void        kf_connection_dialog_run_semiauto        (KfConnectionDialog  *self);
/* The pin trusted earlier for the URL in the field, or NULL; and the note
 * that says it will be used. */
const char *kf_connection_dialog_pin_for_url         (KfConnectionDialog  *self);
void        kf_connection_dialog_update_certificate_note (KfConnectionDialog *self);
void        kf_connection_dialog_on_use_active_clicked (KfConnectionDialog *self);
void        kf_connection_dialog_on_pair_again_clicked (KfConnectionDialog *self);

G_END_DECLS
