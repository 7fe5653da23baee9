/* kf-rotation-truenas.c: the key edits of a rotation on a TrueNAS box.
 *
 * TrueNAS keeps a user's keys in the user's sshpubkey field and writes the
 * user's authorized_keys from it (middleware: plugins/account.py, user.update
 * → the sshpubkey is written to <home>/.ssh/authorized_keys), so a key written
 * into the file directly would be lost on the next change of the user. The
 * edit therefore goes through the API, as pairing does: log in as the admin
 * (password or API key), user.query, then one user.update of sshpubkey with
 * the line added or removed (kf_truenas_keys_*: by key blob, every other byte
 * kept).
 *
 * The run's worker thread calls this: the client's async calls run on a main
 * context of its own, pushed for the time of the edit, and iterated here.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation"

#include <glib/gi18n.h>

#include "kf-errors.h"
#include "kf-rotation-private.h"
#include "kf-truenas-client.h"
#include "kf-truenas-public-methods.h"
#include "kf-truenas-url.h"

typedef struct {
  GMainContext *context;
  GAsyncResult *result;
} Waiter;

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Waiter *waiter = user_data;

  waiter->result = g_object_ref (result);
}

/* Iterates the private context until the call started with @waiter ends. */
static GAsyncResult *
wait_for (Waiter *waiter)
{
  g_clear_object (&waiter->result);
  while (waiter->result == NULL)
    g_main_context_iteration (waiter->context, TRUE);
  return waiter->result;
}

static gboolean
log_in (KfTruenasClient  *client,
        Waiter           *waiter,
        KfConnection     *box,
        const char       *secret,
        gboolean          is_api_key,
        GCancellable     *cancellable,
        GError          **error)
{
  const char *admin = kf_connection_get_admin_username (box);
  g_autoptr(GError) local_error = NULL;

  if (admin == NULL || *admin == '\0')
    admin = "root";
  kf_truenas_client_connect_async (client, cancellable, on_ready, waiter);
  if (!kf_truenas_client_connect_finish (client, wait_for (waiter), error))
    return FALSE;
  if (is_api_key)
    kf_truenas_client_login_api_key_async (client, admin, secret, cancellable, on_ready, waiter);
  else
    kf_truenas_client_login_async (client, admin, secret, NULL, cancellable, on_ready, waiter);
  if (kf_truenas_client_login_finish (client, wait_for (waiter), &local_error))
    return TRUE;
  if (g_error_matches (local_error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED))
    {
      g_set_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED,
                   _("This TrueNAS asks for a one-time password, which a rotation cannot ask for; give an API key of the admin instead."));
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
change_keys (KfTruenasClient  *client,
             Waiter           *waiter,
             KfConnection     *box,
             const char       *add,
             const char       *remove,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autoptr(KfTruenasRemoteUser) user = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *keys = NULL;

  kf_truenas_client_query_user_async (client, kf_connection_get_username (box), cancellable, on_ready, waiter);
  user = kf_truenas_client_query_user_finish (client, wait_for (waiter), error);
  if (user == NULL)
    return FALSE;
  keys = g_strdup (user->sshpubkey);
  if (add != NULL && !kf_truenas_keys_contain (keys, add))
    {
      gboolean comment_dropped = FALSE;
      g_autofree char *to_send = kf_truenas_client_public_key_to_send (client, add, &comment_dropped, error);

      if (to_send == NULL)
        return FALSE;
      g_free (g_steal_pointer (&keys));
      keys = kf_truenas_keys_add (user->sshpubkey, to_send);
    }
  if (remove != NULL && kf_truenas_keys_contain (keys, remove))
    {
      char *without = kf_truenas_keys_remove (keys, remove, NULL);

      g_free (keys);
      keys = without;
    }
  if (g_strcmp0 (keys, user->sshpubkey) == 0)
    return TRUE;
  changes = json_object_new ();
  json_object_set_string_member (changes, "sshpubkey", keys);
  kf_truenas_client_change_user_async (client, user, changes, cancellable, on_ready, waiter);
  return kf_truenas_client_change_user_finish (client, wait_for (waiter), error);
}

gboolean
kf_rotation_truenas_edit_keys (KfConnection  *box,
                               const char    *secret,
                               gboolean       is_api_key,
                               const char    *add,
                               const char    *remove,
                               GCancellable  *cancellable,
                               GError       **error)
{
  g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (kf_connection_get_truenas_url (box), error);
  g_autoptr(KfTruenasClient) client = NULL;
  Waiter waiter = { 0 };
  gboolean ok;

  if (url == NULL)
    return FALSE;
  waiter.context = g_main_context_new ();
  g_main_context_push_thread_default (waiter.context);
  client = kf_truenas_client_new (url);
  kf_truenas_client_set_tls_pin (client, kf_connection_get_tls_pin (box));
  if (kf_connection_get_connect_timeout (box) > 0)
    kf_truenas_client_set_connect_timeout (client, kf_connection_get_connect_timeout (box));

  ok = log_in (client, &waiter, box, secret, is_api_key, cancellable, error) &&
       change_keys (client, &waiter, box, add, remove, cancellable, error);

  kf_truenas_client_close (client);
  g_clear_object (&client);
  /* Whatever the client still had going ends on this context. */
  while (g_main_context_iteration (waiter.context, FALSE))
    ;
  g_clear_object (&waiter.result);
  g_main_context_pop_thread_default (waiter.context);
  g_main_context_unref (waiter.context);
  return ok;
}
