/* kf-keypair-actions.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-keypair-actions"

#include <glib/gi18n.h>

#include "kf-keypair-actions.h"
#include "kf-ui-util.h"

static KfKeypair *
lookup (KfWindow *window,
        GVariant *parameter)
{
  return kf_store_find_keypair (kf_window_get_store (window), g_variant_get_string (parameter, NULL));
}

static void
copy_public_key_activated (GSimpleAction *action,
                           GVariant      *parameter,
                           gpointer       user_data)
{
  KfWindow *window = user_data;
  KfKeypair *keypair = lookup (window, parameter);

  if (keypair == NULL)
    return;

  kf_ui_copy_text (GTK_WIDGET (window), kf_keypair_get_public_key (keypair));
  kf_window_add_toast (window, _("Public key copied"));
}

static const GActionEntry entries[] = {
  { "keypair-copy-public-key", copy_public_key_activated, "s" },
};

void
kf_keypair_actions_install (KfWindow *window)
{
  g_return_if_fail (KF_IS_WINDOW (window));

  g_action_map_add_action_entries (G_ACTION_MAP (window), entries, G_N_ELEMENTS (entries), window);
}
