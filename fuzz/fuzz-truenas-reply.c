/* fuzz-truenas-reply.c: what a TrueNAS sends back over the WebSocket, for one
 * protocol (built twice: KF_FUZZ_JSONRPC set for JSON-RPC 2.0, unset for the
 * legacy /websocket protocol).
 *
 * The target links the core library and reaches the client through
 * kf-truenas-client-private.h: it sets up the state a real call leaves (a
 * call in flight with a known id, logged in) without a socket, feeds each
 * message to the same handler the WebSocket signal calls (which runs the
 * protocol decoder, kf-truenas-protocol.c, and matches the answer to the
 * call), and lets the real completion callbacks parse the result (ssh_pair's
 * port and host keys, login answers, user.query).
 *
 * Input: byte 0 picks the call, the rest is up to four messages separated
 * by NUL bytes.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-fuzz.h"
#include "kf-semiauto-field.h"
#include "kf-truenas-client-private.h"

#ifdef KF_FUZZ_JSONRPC
# define FUZZ_PROTOCOL KF_TRUENAS_PROTOCOL_JSONRPC
#else
# define FUZZ_PROTOCOL KF_TRUENAS_PROTOCOL_LEGACY
#endif

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  kf_fuzz_init ();
  return 0;
}

enum {
  CALL_ANY,        /* kf_truenas_client_call_async */
  CALL_SSH_PAIR,   /* keychaincredential.ssh_pair */
  CALL_LOGIN,      /* auth.login_ex or auth.login */
  CALL_LOGIN_OTP,  /* the same with a one-time password given */
  CALL_USER_QUERY, /* user.query before user.update */
  CALL_SET_OPTIONS,/* JSON-RPC: core.set_options before auth.login_ex; legacy: the handshake */
  N_CALLS
};

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *done = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_auto(GStrv) host_keys = NULL;
  KfTruenasClient *self = KF_TRUENAS_CLIENT (source);
  gpointer tag = g_task_get_source_tag (G_TASK (result));
  guint port = 0;
  gboolean changed = FALSE;

  if (tag == kf_truenas_client_ssh_pair_async)
    {
      if (kf_truenas_client_ssh_pair_finish (self, result, &port, &host_keys, &error))
        {
          g_assert (port >= 1 && port <= 65535);
          g_assert (host_keys != NULL && host_keys[0] != NULL);
          g_assert_cmpuint (g_strv_length (host_keys), <=, KF_MAX_HOST_KEYS);
        }
    }
  else if (tag == kf_truenas_client_update_user_async)
    (void) kf_truenas_client_update_user_finish (self, result, &changed, &error);
  else if (tag == kf_truenas_client_login_async)
    (void) kf_truenas_client_login_finish (self, result, &error);
  else if (tag == kf_truenas_client_call_async)
    node = kf_truenas_client_call_finish (self, result, &error);
  else
    node = g_task_propagate_pointer (G_TASK (result), &error);

  /* Every failure is one of ours, with a sentence. */
  if (error != NULL)
    {
      g_assert (error->message != NULL && error->message[0] != '\0');
      g_assert (error->domain == KF_TRUENAS_ERROR || error->domain == KF_KEY_ERROR ||
                error->domain == KF_INPUT_ERROR);
      (void) kf_truenas_error_get_field (error);
    }
  (*done)++;
}

/* What send_call() leaves behind, minus the socket and the timers. */
static void
start_call (KfTruenasClient     *self,
            gboolean             handshake,
            GAsyncReadyCallback  callback,
            GTask               *outer)
{
  self->call = g_task_new (self, NULL, callback, outer);
  g_task_set_source_tag (self->call, kf_truenas_client_send_call);
  self->call_is_handshake = handshake;
  if (handshake)
    return;
  if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
    self->call_id = self->next_id++;
  else
    self->call_uuid = g_strdup ("1");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(KfTruenasUrl) url = NULL;
  g_autoptr(KfTruenasClient) self = NULL;
  GTask *outer;
  guint done = 0;
  guint which;
  gsize pos;

  if (size < 1)
    return 0;
  which = data[0] % N_CALLS;

  url = kf_truenas_url_parse ("https://nas.lan", NULL);
  self = kf_truenas_client_new (url);
  self->protocol = FUZZ_PROTOCOL;
  self->logged_in = TRUE;
  self->admin_username = g_strdup ("admin");

  outer = g_task_new (self, NULL, on_done, &done);
  switch (which)
    {
    case CALL_ANY:
      g_task_set_source_tag (outer, kf_truenas_client_call_async);
      g_task_set_task_data (outer, g_strdup ("system.info"), g_free);
      start_call (self, FALSE, kf_truenas_methods_on_public_call, outer);
      break;
    case CALL_SSH_PAIR:
      {
        KfTruenasPairData *pair = g_new0 (KfTruenasPairData, 1);
        pair->username = g_strdup ("backup");
        g_task_set_source_tag (outer, kf_truenas_client_ssh_pair_async);
        g_task_set_task_data (outer, pair, (GDestroyNotify) kf_truenas_pair_data_free);
        start_call (self, FALSE, kf_truenas_methods_on_ssh_pair, outer);
      }
      break;
    case CALL_LOGIN:
    case CALL_LOGIN_OTP:
      {
        KfTruenasLoginData *login = g_new0 (KfTruenasLoginData, 1);
        login->password = g_strdup ("password");
        login->otp = which == CALL_LOGIN_OTP ? g_strdup ("123456") : NULL;
        self->logged_in = FALSE;
        g_task_set_source_tag (outer, kf_truenas_client_login_async);
        g_task_set_task_data (outer, login, (GDestroyNotify) kf_truenas_login_data_free);
        start_call (self, FALSE,
                    self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC ? kf_truenas_login_on_login_ex : kf_truenas_login_on_legacy_login,
                    outer);
      }
      break;
    case CALL_USER_QUERY:
      {
        KfTruenasUpdateData *update = g_new0 (KfTruenasUpdateData, 1);
        update->username = g_strdup ("backup");
        update->sudo_zfs = TRUE;
        g_task_set_source_tag (outer, kf_truenas_client_update_user_async);
        g_task_set_task_data (outer, update, (GDestroyNotify) kf_truenas_update_data_free);
        start_call (self, FALSE, kf_truenas_methods_on_user_query, outer);
      }
      break;
    case CALL_SET_OPTIONS:
    default:
      if (self->protocol == KF_TRUENAS_PROTOCOL_JSONRPC)
        {
          KfTruenasLoginData *login = g_new0 (KfTruenasLoginData, 1);
          login->password = g_strdup ("password");
          self->logged_in = FALSE;
          g_task_set_source_tag (outer, kf_truenas_client_login_async);
          g_task_set_task_data (outer, login, (GDestroyNotify) kf_truenas_login_data_free);
          start_call (self, FALSE, kf_truenas_login_on_set_options, outer);
        }
      else
        {
          /* The handshake is answered on the call's own task. */
          self->call = outer;
          self->call_is_handshake = TRUE;
        }
      break;
    }

  pos = 1;
  for (guint n = 0; n < 4 && pos <= size; n++)
    {
      const uint8_t *end = memchr (data + pos, '\0', size - pos);
      gsize len = end != NULL ? (gsize) (end - (data + pos)) : size - pos;
      g_autoptr(GBytes) message = g_bytes_new (data + pos, len);

      /* Messages come in while a call waits; one arriving after the call
       * ended (or on a broken stream) must be handled safely too. */
      kf_truenas_client_on_ws_message (NULL, SOUP_WEBSOCKET_DATA_TEXT, message, self);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      pos += len + 1;
    }

  /* A call still waiting ends as the socket closing would end it. */
  if (self->call != NULL)
    kf_truenas_client_complete_call (self, NULL, NULL,
                   g_error_new_literal (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_PROTOCOL, "The connection was closed."));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (done, ==, 1);
  return 0;
}
