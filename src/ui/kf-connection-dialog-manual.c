/* kf-connection-dialog-manual.c: the manual form of KfConnectionDialog:
 * reading it, saving (add or edit) and asking the server for its host keys.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-dialog"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-connection-dialog-private.h"
#include "kf-connection-ops.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-facts-box.h"
#include "kf-host-key.h"
#include "kf-key-type.h"
#include "kf-ssh-probe.h"

/* A pasted URL or "user@host:port": keep its parts in their fields, and say so. */
static void
apply_host_input (KfConnectionDialog *self,
                  const KfHostInput  *input)
{
  if (input->note == NULL)
    return;
  kf_connection_dialog_show_label (self->host_note, input->note);
  gtk_editable_set_text (GTK_EDITABLE (self->host_row), input->host);
  if (input->port != 0)
    {
      g_autofree char *port = g_strdup_printf ("%u", input->port);
      gtk_editable_set_text (GTK_EDITABLE (self->port_row), port);
    }
  if (input->username != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->username_row), input->username);
}

static gboolean
read_manual (KfConnectionDialog *self,
             KfConnection       *connection,
             GError            **error)
{
  g_auto(KfHostInput) input = { 0 };
  g_autofree char *keys_text = kf_connection_dialog_host_keys_text (self);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  guint port;

  if (!kf_connection_validate_host (kf_connection_dialog_text_of (self->host_row), &input, error))
    return FALSE;
  apply_host_input (self, &input);
  if (!kf_connection_validate_port (kf_connection_dialog_text_of (self->port_row), &port, error))
    return FALSE;
  if (!kf_connection_dialog_read_common (self, connection, error))
    return FALSE;
  if (*g_strstrip (keys_text) == '\0')
    {
      /* The core's "holds no host key" is right for a file; here the
       * user has not given one yet, so say how to. */
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                   _("Press Discover Remote Host Key and compare the fingerprints, or paste the server’s host key."));
      return FALSE;
    }
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
manual_saved (KfConnectionDialog *self,
              KfConnection       *connection,
              const GError       *error)
{
  if (self->disposed)
    return;
  kf_connection_dialog_set_busy (self, FALSE, NULL);
  if (connection == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        kf_connection_dialog_show_error (self, error);
      return;
    }
  kf_connection_dialog_finish_saved (self, connection, NULL);
}

static void
on_manual_added (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = kf_connection_ops_add_finish (result, &error);

  manual_saved (self, connection, error);
}

static void
on_manual_updated (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(KfConnectionDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = kf_connection_ops_update_finish (result, &error);

  manual_saved (self, connection, error);
}

void
kf_connection_dialog_save_manual (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) connection = NULL;
  const char *keypair_id = kf_connection_dialog_selected_keypair_id (self);
  gboolean generate = keypair_id == NULL || *keypair_id == '\0';

  connection = self->editing ? kf_connection_copy (self->editing) : kf_connection_new (NULL);
  if (!read_manual (self, connection, &error))
    {
      kf_connection_dialog_show_error (self, error);
      return;
    }

  if (self->editing != NULL)
    {
      if (generate)
        {
          kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->keypair_row), self->login_error,
                                              _("Choose one of your key pairs; generate a new one on the SSH Keypairs page first."));
          return;
        }
      kf_connection_set_keypair_id (connection, keypair_id);
      self->cancellable = g_cancellable_new ();
      kf_connection_dialog_set_busy (self, TRUE, _("Saving…"));
      kf_connection_ops_update_async (self->vault, connection, self->cancellable,
                                      on_manual_updated, g_object_ref (self));
      return;
    }

  kf_connection_set_setup_method (connection, KF_SETUP_METHOD_MANUAL);
  if (!generate)
    kf_connection_set_keypair_id (connection, keypair_id);
  self->cancellable = g_cancellable_new ();
  kf_connection_dialog_set_busy (self, TRUE, generate ? _("Generating a key pair and saving…") : _("Saving…"));
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
  kf_connection_dialog_set_host_keys_text (request->self, (const char * const *) request->lines);
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
  kf_connection_dialog_set_busy (self, FALSE, NULL);
  if (keys == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        kf_connection_dialog_show_error_at (self, GTK_WIDGET (self->host_keys_row), self->manual_error, error->message);
      return;
    }

  facts = kf_facts_box_new ();
  gtk_widget_set_name (facts, "host-key-facts");
  for (guint i = 0; i < keys->len; i++)
    {
      KfHostKey *key = g_ptr_array_index (keys, i);
      g_autofree char *type = kf_key_type_describe (kf_host_key_get_key_type (key), kf_host_key_get_bits (key));

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

void
kf_connection_dialog_on_discover_clicked (KfConnectionDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(KfHostInput) input = { 0 };
  guint port;
  guint timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  const char *port_text;
  const char *timeout_text;

  kf_connection_dialog_clear_errors (self);
  if (!kf_connection_validate_host (kf_connection_dialog_text_of (self->host_row), &input, &error))
    {
      kf_connection_dialog_show_error (self, error);
      return;
    }
  apply_host_input (self, &input);
  /* Read after apply_host_input(): a pasted "host:port" fills the Port. */
  port_text = kf_connection_dialog_text_of (self->port_row);
  timeout_text = kf_connection_dialog_text_of (self->timeout_row);
  if (!kf_connection_validate_port (port_text, &port, &error)
      || (*timeout_text != '\0' && !kf_connection_validate_timeout (timeout_text, &timeout, &error)))
    {
      kf_connection_dialog_show_error (self, error);
      return;
    }
  g_free (self->discover_address);
  self->discover_address = kf_ssh_probe_format_address (input.host, port);
  self->cancellable = g_cancellable_new ();
  kf_connection_dialog_set_busy (self, TRUE, _("Asking the server for its host keys…"));
  kf_ssh_probe_discover_async (input.host, port, timeout, self->cancellable, on_discovered, g_object_ref (self));
}
