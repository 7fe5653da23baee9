/* kf-test-dialog.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-test-dialog"

#include <glib/gi18n.h>

#include "kf-alert.h"
#include "kf-connection-ops.h"
#include "kf-errors.h"
#include "kf-facts-box.h"
#include "kf-host-key.h"
#include "kf-key-type.h"
#include "kf-ssh-probe.h"
#include "kf-test-dialog.h"

struct _KfTestDialog
{
  GObject       parent_instance;

  KfVault      *vault;
  KfConnection *connection;
  /* As they were when the test started; the store may change meanwhile. */
  char         *name;
  char         *address;      /* "host:port" */
  GStrv         host_keys;
  GCancellable *cancellable;
  GtkWidget    *alert;        /* weak: NULL once the alert is gone */
};

G_DEFINE_FINAL_TYPE (KfTestDialog, kf_test_dialog, G_TYPE_OBJECT)

/* The host key facts: the one the server presented, and with a changed key
 * the stored ones, listed whole (the core's sentence has them inline, where
 * they break). NULL when the test never saw a host key. */
static GtkWidget *
host_key_facts (KfTestDialog *self,
                KfTestResult *test,
                gboolean      changed)
{
  const char *fingerprint = kf_test_result_get_host_key_fingerprint (test);
  g_autofree char *type = NULL;
  g_autofree char *title = NULL;
  GtkWidget *facts;

  if (fingerprint == NULL)
    return NULL;

  type = kf_key_type_describe (kf_test_result_get_host_key_type (test), 0);
  title = kf_test_result_get_host_key_verified (test)
    /* Translators: %s is a key type, e.g. "Ed25519". */
    ? g_strdup_printf (_("Host Key (%s, matches the stored one)"), type)
    : g_strdup_printf (_("Host Key the Server Presented (%s)"), type);
  facts = kf_facts_box_new ();
  gtk_widget_set_name (facts, "test-facts");
  kf_facts_box_add (facts, title, fingerprint, TRUE);

  for (guint i = 0; changed && self->host_keys[i] != NULL; i++)
    {
      g_autoptr(KfHostKey) key = kf_host_key_parse (self->host_keys[i], NULL);
      g_autofree char *stored_type = NULL;
      g_autofree char *stored_title = NULL;

      if (key == NULL)
        continue;
      stored_type = kf_key_type_describe (kf_host_key_get_key_type (key), kf_host_key_get_bits (key));
      /* Translators: %s is a key type, e.g. "Ed25519". */
      stored_title = g_strdup_printf (_("Stored Host Key (%s)"), stored_type);
      kf_facts_box_add (facts, stored_title, kf_host_key_get_fingerprint (key), TRUE);
    }
  return facts;
}

static void
show_result (KfTestDialog *self,
             KfTestResult *test)
{
  const GError *failure = kf_test_result_get_error (test);
  gboolean changed = !kf_test_result_get_ok (test) && failure != NULL
                     && g_error_matches (failure, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);
  GtkWidget *facts = host_key_facts (self, test, changed);

  if (kf_test_result_get_ok (test))
    {
      g_autofree char *timing = kf_test_result_format_timing (test);

      kf_alert_set_heading (self->alert, _("Connection Works"));
      /* Translators: %s is a connection name. */
      kf_alert_format_body (self->alert, _("Keyferry logged in to “%s” with its key pair and ran a command."),
                            self->name);
      if (facts != NULL)
        kf_facts_box_add (facts, _("Time"), timing, FALSE);
    }
  else if (changed)
    {
      kf_alert_set_heading (self->alert, _("Host Key Changed!"));
      /* Translators: %s is "host:port". */
      kf_alert_format_body (self->alert, _("The server at %s presented a host key that is not one of the stored ones. Unless the server was reinstalled, someone may be intercepting the connection: do not use it until you have compared the fingerprints with the server’s own."),
                            self->address);
      gtk_widget_add_css_class (self->alert, "kf-host-key-changed");
    }
  else
    {
      kf_alert_set_heading (self->alert, _("Connection Failed"));
      kf_alert_set_body (self->alert, kf_test_result_get_message (test));
    }
  /* The spinner goes; the facts (if any) take its place. */
  kf_alert_set_extra_child (self->alert, facts);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(KfTestDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestResult) test = kf_connection_ops_test_finish (result, &error);

  if (self->alert == NULL)
    return;

  kf_alert_set_response_label (self->alert, "close", _("_Close"));
  if (test != NULL)
    {
      show_result (self, test);
      return;
    }

  kf_alert_set_extra_child (self->alert, NULL);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  kf_alert_set_heading (self->alert, _("Could Not Test"));
  kf_alert_set_body (self->alert, error->message);
}

static void
on_response (GtkWidget    *alert,
             const char   *response,
             KfTestDialog *self)
{
  /* Closing the dialog while the test runs cancels it. */
  g_cancellable_cancel (self->cancellable);
}

static void
kf_test_dialog_dispose (GObject *object)
{
  KfTestDialog *self = KF_TEST_DIALOG (object);

  g_clear_weak_pointer (&self->alert);

  G_OBJECT_CLASS (kf_test_dialog_parent_class)->dispose (object);
}

static void
kf_test_dialog_finalize (GObject *object)
{
  KfTestDialog *self = KF_TEST_DIALOG (object);

  g_clear_object (&self->vault);
  g_clear_object (&self->connection);
  g_clear_object (&self->cancellable);
  g_free (self->name);
  g_free (self->address);
  g_strfreev (self->host_keys);

  G_OBJECT_CLASS (kf_test_dialog_parent_class)->finalize (object);
}

static void
kf_test_dialog_class_init (KfTestDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = kf_test_dialog_dispose;
  object_class->finalize = kf_test_dialog_finalize;
}

static void
kf_test_dialog_init (KfTestDialog *self)
{
  self->cancellable = g_cancellable_new ();
}

KfTestDialog *
kf_test_dialog_new (KfVault      *vault,
                    KfConnection *connection)
{
  KfTestDialog *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);
  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);

  self = g_object_new (KF_TYPE_TEST_DIALOG, NULL);
  self->vault = g_object_ref (vault);
  self->connection = g_object_ref (connection);
  self->name = g_strdup (kf_connection_get_name (connection));
  self->host_keys = kf_connection_get_host_keys (connection) != NULL
                    ? g_strdupv ((char **) kf_connection_get_host_keys (connection))
                    : g_new0 (char *, 1);
  self->address = kf_ssh_probe_format_address (kf_connection_get_host (connection),
                                               kf_connection_get_port (connection));
  return self;
}

void
kf_test_dialog_present (KfTestDialog *self,
                        GtkWidget    *parent)
{
  g_autofree char *body = NULL;
  GtkWidget *spinner;

  g_return_if_fail (KF_IS_TEST_DIALOG (self));
  g_return_if_fail (self->alert == NULL);

  body = g_strdup_printf (_("Logging in to %s@%s with the connection’s key pair…"),
                          kf_connection_get_username (self->connection), kf_connection_get_host (self->connection));
  g_set_weak_pointer (&self->alert, kf_alert_new (_("Testing Connection"), body));
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  kf_alert_set_extra_child (self->alert, spinner);
  kf_alert_add_response (self->alert, "close", _("_Cancel"));
  kf_alert_set_close_response (self->alert, "close");
  g_signal_connect_data (self->alert, "response", G_CALLBACK (on_response),
                         g_object_ref (self), (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  kf_alert_present (self->alert, parent);

  kf_connection_ops_test_async (self->vault, self->connection, self->cancellable,
                                on_test_done, g_object_ref (self));
}
