/* kf-rotation-truenas.c: the key edits of a rotation on a TrueNAS box.
 *
 * TrueNAS keeps a user's keys in the user's sshpubkey field (middleware:
 * plugins/account.py — user.query reads <home>/.ssh/authorized_keys into it,
 * user.update writes it back there with update_sshpubkey(), atomically, mode
 * 0600, and copies root's and admin's keys to an HA standby), so the edit goes
 * through the API, as pairing does: log in as the admin (password or API key,
 * a one-time password when asked), user.query, then one user.update of
 * sshpubkey with the line added or removed (kf_truenas_keys_*: by key blob,
 * every other byte kept).
 *
 * The run's worker thread calls this: the client's async calls run on a main
 * context of the session's own, pushed for each call and iterated here. One
 * session (one login, so one one-time password) serves all the edits on a box.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation"

#include <glib/gi18n.h>

#include "kf-errors.h"
#include "kf-rotation-private.h"
#include "kf-secret.h"
#include "kf-truenas-client.h"
#include "kf-truenas-public-methods.h"
#include "kf-truenas-url.h"

/* A refused code is asked for again, this many times in all. */
#define OTP_ATTEMPTS 3

struct _KfRotationTruenas {
  GMainContext    *context;
  GAsyncResult    *result;
  KfTruenasClient *client;
  KfConnection    *box;
};

static void
on_ready (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  KfRotationTruenas *session = user_data;

  session->result = g_object_ref (result);
}

/* Iterates the session's context until the call just started ends. */
static GAsyncResult *
wait_for (KfRotationTruenas *session)
{
  while (session->result == NULL)
    g_main_context_iteration (session->context, TRUE);
  return session->result;
}

static void
begin (KfRotationTruenas *session)
{
  g_clear_object (&session->result);
  g_main_context_push_thread_default (session->context);
}

static void
end (KfRotationTruenas *session)
{
  g_main_context_pop_thread_default (session->context);
}

void
kf_rotation_truenas_close (KfRotationTruenas *session)
{
  if (session == NULL)
    return;
  begin (session);
  if (session->client != NULL)
    kf_truenas_client_close (session->client);
  g_clear_object (&session->client);
  /* Whatever the client still had going ends on this context. */
  while (g_main_context_iteration (session->context, FALSE))
    ;
  end (session);
  g_clear_object (&session->result);
  g_clear_object (&session->box);
  g_main_context_unref (session->context);
  g_free (session);
}

/* One-time passwords, asked for through @ask_otp while the TrueNAS wants one. */
static gboolean
continue_with_otp (KfRotationTruenas  *session,
                   KfRotationOtpFunc   ask_otp,
                   gpointer            ask_data,
                   GCancellable       *cancellable,
                   GError            **error)
{
  for (guint attempt = 0; attempt < OTP_ATTEMPTS; attempt++)
    {
      KfSecret *otp = ask_otp != NULL ? ask_otp (session->box, ask_data) : NULL;
      gboolean ok;

      g_clear_error (error);
      if (otp == NULL)
        {
          g_set_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED,
                       _("This TrueNAS asks for a one-time password, and none was given."));
          return FALSE;
        }
      begin (session);
      kf_truenas_client_login_continue_async (session->client, otp, cancellable, on_ready, session);
      ok = kf_truenas_client_login_continue_finish (session->client, wait_for (session), error);
      end (session);
      kf_secret_free (otp);
      if (ok)
        return TRUE;
      if (!kf_truenas_client_is_awaiting_otp (session->client))
        return FALSE;
    }
  return FALSE;
}

static gboolean
log_in (KfRotationTruenas  *session,
        const char         *secret,
        gboolean            is_api_key,
        KfRotationOtpFunc   ask_otp,
        gpointer            ask_data,
        GCancellable       *cancellable,
        GError            **error)
{
  const char *admin = kf_connection_get_admin_username (session->box);
  gboolean ok;

  if (admin == NULL || *admin == '\0')
    admin = "root";
  begin (session);
  kf_truenas_client_connect_async (session->client, cancellable, on_ready, session);
  ok = kf_truenas_client_connect_finish (session->client, wait_for (session), error);
  end (session);
  if (!ok)
    return FALSE;
  begin (session);
  if (is_api_key)
    kf_truenas_client_login_api_key_async (session->client, admin, secret, cancellable, on_ready, session);
  else
    kf_truenas_client_login_async (session->client, admin, secret, NULL, cancellable, on_ready, session);
  ok = kf_truenas_client_login_finish (session->client, wait_for (session), error);
  end (session);
  if (ok)
    return TRUE;
  if (g_error_matches (*error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_OTP_REQUIRED) ||
      kf_truenas_client_is_awaiting_otp (session->client))
    return continue_with_otp (session, ask_otp, ask_data, cancellable, error);
  return FALSE;
}

KfRotationTruenas *
kf_rotation_truenas_open (KfConnection       *box,
                          const char         *secret,
                          gboolean            is_api_key,
                          KfRotationOtpFunc   ask_otp,
                          gpointer            ask_data,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (kf_connection_get_truenas_url (box), error);
  KfRotationTruenas *session;
  GError *local_error = NULL;

  /* Refused before anything is sent, as in pairing. */
  if (url == NULL || (is_api_key && !kf_truenas_url_allows_api_key (kf_truenas_url_is_https (url), error)))
    return NULL;
  session = g_new0 (KfRotationTruenas, 1);
  session->context = g_main_context_new ();
  session->box = g_object_ref (box);
  begin (session);
  session->client = kf_truenas_client_new (url);
  kf_truenas_client_set_tls_pin (session->client, kf_connection_get_tls_pin (box));
  if (kf_connection_get_connect_timeout (box) > 0)
    kf_truenas_client_set_connect_timeout (session->client, kf_connection_get_connect_timeout (box));
  end (session);
  if (!log_in (session, secret, is_api_key, ask_otp, ask_data, cancellable, &local_error))
    {
      g_propagate_error (error, local_error);
      kf_rotation_truenas_close (session);
      return NULL;
    }
  return session;
}

static char *
updated_keys (KfRotationTruenas    *session,
              KfTruenasRemoteUser  *user,
              const char           *add,
              const char           *remove,
              GError              **error)
{
  g_autofree char *keys = g_strdup (user->sshpubkey);

  if (add != NULL && !kf_truenas_keys_contain (keys, add) && g_str_has_suffix (add, "\n"))
    {
      /* Lines this box held before (kf_truenas_keys_lines_with): back as
       * they were, options and comment included. */
      g_free (keys);
      keys = kf_truenas_keys_add (user->sshpubkey, add);
    }
  else if (add != NULL && !kf_truenas_keys_contain (keys, add))
    {
      gboolean comment_dropped = FALSE;
      g_autofree char *to_send = kf_truenas_client_public_key_to_send (session->client, add, &comment_dropped, error);

      if (to_send == NULL)
        return NULL;
      g_free (keys);
      keys = kf_truenas_keys_add (user->sshpubkey, to_send);
    }
  if (remove != NULL && kf_truenas_keys_contain (keys, remove))
    {
      char *without = kf_truenas_keys_remove (keys, remove, NULL);

      g_free (keys);
      keys = without;
    }
  return g_steal_pointer (&keys);
}

gboolean
kf_rotation_truenas_key_lines (KfRotationTruenas  *session,
                               const char         *public_key,
                               char              **out_lines,
                               GCancellable       *cancellable,
                               GError            **error)
{
  g_autoptr(KfTruenasRemoteUser) user = NULL;

  *out_lines = NULL;
  begin (session);
  kf_truenas_client_query_user_async (session->client, kf_connection_get_username (session->box), cancellable,
                                      on_ready, session);
  user = kf_truenas_client_query_user_finish (session->client, wait_for (session), error);
  end (session);
  if (user == NULL)
    return FALSE;
  *out_lines = kf_truenas_keys_lines_with (user->sshpubkey, public_key);
  return TRUE;
}

gboolean
kf_rotation_truenas_edit (KfRotationTruenas  *session,
                          const char         *add,
                          const char         *remove,
                          GCancellable       *cancellable,
                          GError            **error)
{
  g_autoptr(KfTruenasRemoteUser) user = NULL;
  g_autoptr(JsonObject) changes = NULL;
  g_autofree char *keys = NULL;
  gboolean ok;

  begin (session);
  kf_truenas_client_query_user_async (session->client, kf_connection_get_username (session->box), cancellable,
                                      on_ready, session);
  user = kf_truenas_client_query_user_finish (session->client, wait_for (session), error);
  end (session);
  if (user == NULL || !(keys = updated_keys (session, user, add, remove, error)))
    return FALSE;
  if (g_strcmp0 (keys, user->sshpubkey) == 0)
    return TRUE;
  changes = json_object_new ();
  json_object_set_string_member (changes, "sshpubkey", keys);
  begin (session);
  kf_truenas_client_change_user_async (session->client, user, changes, cancellable, on_ready, session);
  ok = kf_truenas_client_change_user_finish (session->client, wait_for (session), error);
  end (session);
  return ok;
}
