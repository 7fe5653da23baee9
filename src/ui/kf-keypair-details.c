/* kf-keypair-details.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-details"

#include <glib/gi18n.h>

#include "kf-errors.h"
#include "kf-key-text.h"
#include "kf-key-type.h"
#include "kf-keypair-details.h"
#include "kf-keypair-download.h"
#include "kf-keyring.h"
#include "kf-ui-util.h"

struct _KfKeypairDetails
{
  AdwWindow        parent_instance;

  /* template */
  AdwWindowTitle  *window_title;
  AdwEntryRow     *name_row;
  AdwActionRow    *type_row;
  AdwActionRow    *fingerprint_row;
  AdwActionRow    *comment_row;
  AdwActionRow    *usage_row;
  GtkLabel        *name_error;
  GtkLabel        *public_label;
  GtkButton       *copy_private_button;
  GtkToggleButton *reveal_button;
  GtkStack        *private_stack;
  GtkLabel        *private_hidden_label;
  GtkLabel        *private_label;
  GtkLabel        *private_error;

  KfVault         *vault;
  KfKeypair       *keypair;       /* the store's object */
  char            *secret;        /* the private key while shown */
  GCancellable    *cancellable;
};

G_DEFINE_FINAL_TYPE (KfKeypairDetails, kf_keypair_details, ADW_TYPE_WINDOW)

enum {
  RENAMED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (GtkLabel   *label,
            const char *message)
{
  gtk_label_set_text (label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (label), message != NULL);
}

static void
fill (KfKeypairDetails *self)
{
  KfKeypair *keypair = self->keypair;
  const char *comment = kf_keypair_get_comment (keypair);
  guint usage = kf_keypair_get_usage_count (keypair);
  g_autofree char *type = NULL;
  g_autofree char *used = NULL;

  adw_window_title_set_subtitle (self->window_title, kf_keypair_get_name (keypair));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), kf_keypair_get_name (keypair));

  /* Translators: a key type and its size, e.g. "Ed25519, 256 bits". */
  type = g_strdup_printf (_("%s, %u bits"), kf_key_type_label_for_name (kf_keypair_get_key_type (keypair)),
                          kf_keypair_get_bits (keypair));
  adw_action_row_set_subtitle (self->type_row, type);
  adw_action_row_set_subtitle (self->fingerprint_row, kf_keypair_get_fingerprint (keypair));
  adw_action_row_set_subtitle (self->comment_row, comment != NULL && *comment != '\0' ? comment : _("None"));
  if (usage == 0)
    used = g_strdup (_("No connection"));
  else
    used = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u connection", "%u connections", usage), usage);
  adw_action_row_set_subtitle (self->usage_row, used);
  gtk_label_set_text (self->public_label, kf_keypair_get_public_key (keypair));

  if (!kf_keypair_get_has_private_key (keypair))
    {
      gtk_label_set_text (self->private_hidden_label,
                          _("This key pair has only a public key: it cannot be used to log in."));
      gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), FALSE);
    }
}

/* Private key */

static void
forget_secret (KfKeypairDetails *self)
{
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->secret, kf_secret_free);
  gtk_label_set_text (self->private_label, "");
  gtk_stack_set_visible_child_name (self->private_stack, "hidden");
  gtk_widget_set_visible (GTK_WIDGET (self->copy_private_button), FALSE);
}

static void
on_private_key (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(KfKeypairDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfSecret) secret = kf_vault_get_private_key_finish (KF_VAULT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
    return;
  g_clear_object (&self->cancellable);

  if (secret == NULL)
    {
      /* Untoggling clears the error line, so it goes first. */
      gtk_toggle_button_set_active (self->reveal_button, FALSE);
      show_error (self->private_error, error->message);
      return;
    }

  self->secret = g_steal_pointer (&secret);
  gtk_label_set_text (self->private_label, self->secret);
  gtk_stack_set_visible_child_name (self->private_stack, "shown");
  gtk_widget_set_visible (GTK_WIDGET (self->copy_private_button), TRUE);
}

static void
on_reveal_toggled (KfKeypairDetails *self)
{
  show_error (self->private_error, NULL);

  if (!gtk_toggle_button_get_active (self->reveal_button))
    {
      forget_secret (self);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button), _("Show Private Key"));
      return;
    }

  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button), _("Hide Private Key"));
  if (self->secret != NULL || self->cancellable != NULL)
    return;

  /* The only place this window touches the keyring: when asked to. */
  self->cancellable = g_cancellable_new ();
  kf_vault_get_private_key_async (self->vault, self->keypair, self->cancellable,
                                  on_private_key, g_object_ref (self));
}

static void
on_copy_private_clicked (KfKeypairDetails *self)
{
  if (self->secret == NULL)
    return;

  kf_ui_copy_text (GTK_WIDGET (self), self->secret);
  kf_ui_add_toast (GTK_WIDGET (self), _("Private key copied"));
}

static void
on_copy_public_clicked (KfKeypairDetails *self)
{
  kf_ui_copy_text (GTK_WIDGET (self), kf_keypair_get_public_key (self->keypair));
  kf_ui_add_toast (GTK_WIDGET (self), _("Public key copied"));
}

static void
on_download_clicked (KfKeypairDetails *self)
{
  kf_keypair_download (GTK_WINDOW (self), self->vault, self->keypair);
}

static void
on_renamed (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(KfKeypairDetails) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!kf_vault_update_keypair_finish (KF_VAULT (source), result, &error))
    {
      show_error (self->name_error, error->message);
      return;
    }

  adw_window_title_set_subtitle (self->window_title, kf_keypair_get_name (self->keypair));
  kf_ui_add_toast (GTK_WIDGET (self), _("Key pair renamed"));
  g_signal_emit (self, signals[RENAMED], 0);
}

static void
on_name_apply (KfKeypairDetails *self)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autoptr(KfKeypair) copy = NULL;

  show_error (self->name_error, NULL);
  if (g_strcmp0 (name, kf_keypair_get_name (self->keypair)) == 0)
    return;

  /* Through the vault, so the keyring item's label follows the new name. */
  copy = kf_keypair_copy (self->keypair);
  kf_keypair_set_name (copy, name);
  kf_vault_update_keypair_async (self->vault, copy, NULL, on_renamed, g_object_ref (self));
}

static gboolean
kf_keypair_details_close_request (GtkWindow *window)
{
  forget_secret (KF_KEYPAIR_DETAILS (window));

  return GTK_WINDOW_CLASS (kf_keypair_details_parent_class)->close_request (window);
}

static void
kf_keypair_details_dispose (GObject *object)
{
  KfKeypairDetails *self = (KfKeypairDetails *) object;

  if (self->private_stack != NULL)
    forget_secret (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), KF_TYPE_KEYPAIR_DETAILS);

  G_OBJECT_CLASS (kf_keypair_details_parent_class)->dispose (object);
}

static void
kf_keypair_details_finalize (GObject *object)
{
  KfKeypairDetails *self = (KfKeypairDetails *) object;

  g_clear_pointer (&self->secret, kf_secret_free);
  g_clear_object (&self->keypair);
  g_clear_object (&self->vault);

  G_OBJECT_CLASS (kf_keypair_details_parent_class)->finalize (object);
}

static void
kf_keypair_details_class_init (KfKeypairDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = kf_keypair_details_dispose;
  object_class->finalize = kf_keypair_details_finalize;
  window_class->close_request = kf_keypair_details_close_request;

  signals[RENAMED] =
    g_signal_new ("renamed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/keyferry/Keyferry/kf-keypair-details.ui");
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, window_title);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, name_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, type_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, comment_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, usage_row);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, name_error);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, public_label);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, copy_private_button);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, reveal_button);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, private_stack);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, private_hidden_label);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, private_label);
  gtk_widget_class_bind_template_child (widget_class, KfKeypairDetails, private_error);
  gtk_widget_class_bind_template_callback (widget_class, on_reveal_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_private_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_copy_public_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_download_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_name_apply);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
kf_keypair_details_init (KfKeypairDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  kf_ui_name_icon_controls (GTK_WIDGET (self));
  kf_key_text_label_init (self->public_label);
  kf_key_text_label_init (self->private_label);
}

KfKeypairDetails *
kf_keypair_details_new (GtkWindow *parent,
                        KfVault   *vault,
                        KfKeypair *keypair)
{
  KfKeypairDetails *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), NULL);

  self = g_object_new (KF_TYPE_KEYPAIR_DETAILS, "transient-for", parent, NULL);
  self->vault = g_object_ref (vault);
  self->keypair = g_object_ref (keypair);
  fill (self);
  return self;
}

KfKeypair *
kf_keypair_details_get_keypair (KfKeypairDetails *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR_DETAILS (self), NULL);

  return self->keypair;
}

gboolean
kf_keypair_details_get_revealed (KfKeypairDetails *self)
{
  g_return_val_if_fail (KF_IS_KEYPAIR_DETAILS (self), FALSE);

  return self->secret != NULL;
}
