/* kf-semiauto-confirm.c: asking before a change on the TrueNAS beyond the key.
 *
 * One mechanism for every such change (the login shell, passwordless sudo,
 * starting the SSH service): the run pauses in KF_SEMIAUTO_STEP_WAIT_CONFIRM
 * until kf_semiauto_setup_confirm(), like the one-time password pause.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-semiauto-setup"

#include <glib/gi18n.h>

#include "kf-semiauto-setup-private.h"

void
kf_semiauto_setup_clear_confirm (KfSemiautoSetup *self)
{
  if (self->confirm_cancel != NULL)
    {
      g_source_destroy (self->confirm_cancel);
      g_clear_pointer (&self->confirm_cancel, g_source_unref);
    }
  self->confirm_next = NULL;
}

static gboolean
on_confirm_cancelled (GCancellable *cancellable,
                      gpointer      user_data)
{
  KfSemiautoSetup *self = user_data;

  g_clear_pointer (&self->confirm_cancel, g_source_unref);
  if (self->step == KF_SEMIAUTO_STEP_WAIT_CONFIRM)
    {
      self->confirm_next = NULL;
      kf_semiauto_setup_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled.")));
    }
  return G_SOURCE_REMOVE;
}

void
kf_semiauto_setup_request_confirm (KfSemiautoSetup *self,
                                   const char      *id,
                                   const char      *message,
                                   KfSemiautoNext   next)
{
  guint signal_id = g_signal_lookup ("confirm-change", KF_TYPE_SEMIAUTO_SETUP);
  GCancellable *cancellable = kf_semiauto_setup_run_cancellable (self);

  if (!g_signal_has_handler_pending (self, signal_id, 0, FALSE))
    {
      /* Nobody to ask: do what TrueNAS's own setup does, and say so. */
      kf_semiauto_setup_note (self, message);
      next (self);
      return;
    }

  kf_semiauto_setup_progress (self, KF_SEMIAUTO_STEP_WAIT_CONFIRM, message);
  self->confirm_next = next;
  if (cancellable != NULL)
    {
      self->confirm_cancel = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->confirm_cancel, G_SOURCE_FUNC (on_confirm_cancelled), self, NULL);
      g_source_attach (self->confirm_cancel, g_main_context_get_thread_default ());
    }
  g_debug ("asking before the change “%s”", id);
  g_signal_emit (self, signal_id, 0, id, message);
}

void
kf_semiauto_setup_confirm (KfSemiautoSetup *self,
                           gboolean         agreed)
{
  KfSemiautoNext next;

  g_return_if_fail (KF_IS_SEMIAUTO_SETUP (self));

  if (self->step != KF_SEMIAUTO_STEP_WAIT_CONFIRM || self->confirm_next == NULL)
    {
      g_debug ("confirm() while not asking: ignored");
      return;
    }
  next = self->confirm_next;
  kf_semiauto_setup_clear_confirm (self);
  if (!agreed)
    {
      self->declined = TRUE;
      kf_semiauto_setup_fail (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                         _("You declined the change, so the setup stopped; nothing was changed on the TrueNAS and nothing was saved.")));
      return;
    }
  next (self);
}
