/* kf-ssh-probe.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-ssh-probe"

#include "kf-ssh-probe.h"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <libssh/libssh.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "kf-host-key-private.h"
#include "kf-key-type-private.h"
#include "kf-keyring.h"
#include "kf-libssh-compat.h"
#include "kf-ssh-login-private.h"

/* ------------------------------------------------------------- watchdog */

/* libssh's blocking calls each wait up to SSH_OPTIONS_TIMEOUT, and a
 * handshake is several waits, so a server that trickles bytes could hold a
 * probe for many timeouts. The watchdog enforces one deadline for the whole
 * probe: when it passes (or the user cancels) it shuts the socket down, which
 * makes whatever libssh is blocked in return at once, and cancels the
 * resolve/connect step. */
typedef struct {
  GMutex        mutex;
  GCond         cond;
  gint64        deadline;    /* monotonic µs */
  GSocket      *socket;      /* not owned; shut down when fired */
  GCancellable *internal;    /* cancelled when fired */
  GCancellable *user;
  gulong        user_handler;
  gboolean      stop;
  gboolean      expired;
  gboolean      cancelled;
  GThread      *thread;
} Watchdog;

static gpointer
watchdog_thread (gpointer data)
{
  Watchdog *wd = data;
  gboolean fired;

  g_mutex_lock (&wd->mutex);
  while (!wd->stop && !wd->expired && !wd->cancelled)
    if (!g_cond_wait_until (&wd->cond, &wd->mutex, wd->deadline) && !wd->stop && !wd->cancelled)
      wd->expired = TRUE;
  fired = !wd->stop;
  if (fired && wd->socket != NULL)
    g_socket_shutdown (wd->socket, TRUE, TRUE, NULL);
  g_mutex_unlock (&wd->mutex);

  if (fired)
    g_cancellable_cancel (wd->internal);
  return NULL;
}

static void
watchdog_on_user_cancel (GCancellable *cancellable,
                         gpointer      data)
{
  Watchdog *wd = data;

  g_mutex_lock (&wd->mutex);
  wd->cancelled = TRUE;
  g_cond_signal (&wd->cond);
  g_mutex_unlock (&wd->mutex);
}

static Watchdog *
watchdog_start (gint64        deadline,
                GCancellable *user)
{
  Watchdog *wd = g_new0 (Watchdog, 1);

  g_mutex_init (&wd->mutex);
  g_cond_init (&wd->cond);
  wd->deadline = deadline;
  wd->internal = g_cancellable_new ();
  wd->thread = g_thread_new ("kf-ssh-watchdog", watchdog_thread, wd);
  if (user != NULL)
    {
      wd->user = g_object_ref (user);
      wd->user_handler = g_cancellable_connect (user, G_CALLBACK (watchdog_on_user_cancel), wd, NULL);
    }
  return wd;
}

static void
watchdog_attach_socket (Watchdog *wd,
                        GSocket  *socket)
{
  g_mutex_lock (&wd->mutex);
  wd->socket = socket;
  if (wd->expired || wd->cancelled)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_mutex_unlock (&wd->mutex);
}

static gboolean
watchdog_fired (Watchdog *wd,
                gboolean *out_cancelled)
{
  gboolean fired;

  g_mutex_lock (&wd->mutex);
  /* libssh's own timeout can beat a busy watchdog thread to it by a hair:
   * past the deadline, a failure is the deadline's either way. */
  if (!wd->cancelled && g_get_monotonic_time () >= wd->deadline)
    wd->expired = TRUE;
  fired = wd->expired || wd->cancelled;
  if (out_cancelled)
    *out_cancelled = wd->cancelled;
  g_mutex_unlock (&wd->mutex);
  return fired;
}

static void
watchdog_free (Watchdog *wd)
{
  if (wd->user != NULL)
    {
      g_cancellable_disconnect (wd->user, wd->user_handler);
      g_object_unref (wd->user);
    }
  g_mutex_lock (&wd->mutex);
  wd->stop = TRUE;
  wd->socket = NULL;
  g_cond_signal (&wd->cond);
  g_mutex_unlock (&wd->mutex);
  g_thread_join (wd->thread);

  g_object_unref (wd->internal);
  g_mutex_clear (&wd->mutex);
  g_cond_clear (&wd->cond);
  g_free (wd);
}

/* ----------------------------------------------------------------- links */

char *
kf_ssh_probe_format_address (const char *host,
                             guint       port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

/* One SSH connection attempt, bounded by its watchdog. */
typedef struct {
  const char        *host;
  guint              port;
  guint              timeout_s;
  char              *address;   /* for messages */
  Watchdog          *wd;
  GSocketConnection *conn;
  ssh_session        session;
  gboolean           connected; /* ssh_connect succeeded */
} Link;

static Link *
link_new (const char   *host,
          guint         port,
          guint         timeout_s,
          gint64        deadline,
          GCancellable *cancellable)
{
  Link *link = g_new0 (Link, 1);

  link->host = host;
  link->port = port;
  link->timeout_s = timeout_s;
  link->address = kf_ssh_probe_format_address (host, port);
  link->wd = watchdog_start (deadline, cancellable);
  return link;
}

static void
link_free (Link *link)
{
  if (link->session != NULL)
    {
      /* A socket the watchdog shut down has nothing left to say goodbye on. */
      if (link->connected && !watchdog_fired (link->wd, NULL))
        ssh_disconnect (link->session);
      ssh_free (link->session);  /* closes libssh's copy of the socket */
    }
  /* The watchdog may touch the socket until it is gone: stop it first. */
  watchdog_free (link->wd);
  g_clear_object (&link->conn);
  g_free (link->address);
  g_free (link);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Link, link_free)

static void
set_timeout_error (Link    *link,
                   GError **error)
{
  g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_TIMEOUT,
               /* Translators: %s is the server's address */
               g_dngettext (GETTEXT_PACKAGE,
                            "%s did not answer within the Connect Timeout of %u second.",
                            "%s did not answer within the Connect Timeout of %u seconds.",
                            link->timeout_s),
               link->address, link->timeout_s);
}

/* Replaces a failure by the timeout or cancellation that caused it, if any.
 * Returns FALSE, for tail calls. */
static gboolean
link_fail (Link        *link,
           GError     **error,
           int          code,
           const char  *format,
           ...) G_GNUC_PRINTF (4, 5);

static gboolean
link_fail (Link        *link,
           GError     **error,
           int          code,
           const char  *format,
           ...)
{
  g_autofree char *message = NULL;
  gboolean cancelled = FALSE;
  va_list args;

  if (watchdog_fired (link->wd, &cancelled))
    {
      if (cancelled)
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The operation was cancelled."));
      else
        set_timeout_error (link, error);
      return FALSE;
    }

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, KF_SSH_ERROR, code, message);
  return FALSE;
}

/* Resolves the host and opens TCP (the "connect" phase). */
static gboolean
link_connect_tcp (Link    *link,
                  GError **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnectable) addr = g_network_address_new (link->host, (guint16) link->port);
  g_autoptr(GError) local_error = NULL;

  /* SSH goes straight to the host: no HTTP/SOCKS proxy from the desktop settings. */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, link->timeout_s);

  link->conn = g_socket_client_connect (client, addr, link->wd->internal, &local_error);
  if (link->conn == NULL)
    {
      if (g_error_matches (local_error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
          || g_error_matches (local_error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE))
        return link_fail (link, error, KF_SSH_ERROR_RESOLVE,
                          _("The host name “%s” could not be found."), link->host);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        return link_fail (link, error, KF_SSH_ERROR_REFUSED,
                          _("The connection to %s was refused."), link->address);
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        {
          /* GSocketClient's own timeout: the same deadline, reported the same way. */
          set_timeout_error (link, error);
          return FALSE;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
          || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
        return link_fail (link, error, KF_SSH_ERROR_FAILED,
                          _("%s cannot be reached from this computer (%s)."), link->address,
                          local_error->message);
      return link_fail (link, error, KF_SSH_ERROR_FAILED,
                        _("Could not connect to %s (%s)."), link->address, local_error->message);
    }

  watchdog_attach_socket (link->wd, g_socket_connection_get_socket (link->conn));
  return TRUE;
}

/* The result of an SSH handshake that did not work out because the server
 * has none of the host key algorithms asked for. */
#define KEX_NO_HOSTKEY_MATCH "no match for method server host key algo"

/* SSH handshake over the open TCP connection, asking for @hostkey_algos
 * (comma-separated) only. Sets *out_no_match when the server has none of them. */
static gboolean
link_handshake (Link        *link,
                const char  *username,
                const char  *hostkey_algos,
                gboolean    *out_no_match,
                GError     **error)
{
  GSocket *socket = g_socket_connection_get_socket (link->conn);
  int yes = 1, no = 0;
  bool process_config = false;
  /* A backstop only: the watchdog ends the probe at the deadline. */
  long timeout = link->timeout_s + 1;
  socket_t fd;

  *out_no_match = FALSE;

  link->session = ssh_new ();
  if (link->session == NULL)
    return link_fail (link, error, KF_SSH_ERROR_FAILED, _("Could not start an SSH session."));

  /* Nothing from ~/.ssh or the system: no config, no known_hosts, no agent,
   * no default identities; we check host keys ourselves. */
  if (ssh_options_set (link->session, SSH_OPTIONS_PROCESS_CONFIG, &process_config) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_HOST, link->host) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_PORT, &link->port) < 0
      || (username != NULL && ssh_options_set (link->session, SSH_OPTIONS_USER, username) < 0)
      || ssh_options_set (link->session, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") < 0
      || ssh_options_set (link->session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null") < 0
      || ssh_options_set (link->session, SSH_OPTIONS_STRICTHOSTKEYCHECK, &no) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_TIMEOUT, &timeout) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_PASSWORD_AUTH, &no) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_KBDINT_AUTH, &no) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_GSSAPI_AUTH, &no) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_PUBKEY_AUTH, &yes) < 0
      || ssh_options_set (link->session, SSH_OPTIONS_IDENTITY_AGENT, "/dev/null") < 0
      || ssh_options_set (link->session, SSH_OPTIONS_HOSTKEYS, hostkey_algos) < 0)
    return link_fail (link, error, KF_SSH_ERROR_FAILED,
                      _("Could not set up the SSH session (%s)."), ssh_get_error (link->session));

  /* libssh closes the descriptor it is given; the GSocket keeps its own, which
   * the watchdog may shut down at any time without racing a reused number. */
  fd = fcntl (g_socket_get_fd (socket), F_DUPFD_CLOEXEC, 0);
  if (fd < 0 || ssh_options_set (link->session, SSH_OPTIONS_FD, &fd) < 0)
    {
      if (fd >= 0)
        close (fd);
      return link_fail (link, error, KF_SSH_ERROR_FAILED, _("Could not set up the SSH session."));
    }

  if (ssh_connect (link->session) != SSH_OK)
    {
      const char *msg = ssh_get_error (link->session);

      if (!watchdog_fired (link->wd, NULL) && msg != NULL && strstr (msg, KEX_NO_HOSTKEY_MATCH) != NULL)
        {
          *out_no_match = TRUE;
          return link_fail (link, error, KF_SSH_ERROR_PROTOCOL,
                            _("%s has none of the host key types asked for."), link->address);
        }
      return link_fail (link, error, KF_SSH_ERROR_PROTOCOL,
                        _("%s did not complete an SSH handshake (%s)."), link->address,
                        msg && *msg ? msg : _("the connection was closed"));
    }
  link->connected = TRUE;
  return TRUE;
}

static KfHostKey *
link_get_host_key (Link    *link,
                   GError **error)
{
  ssh_key key = NULL;
  KfHostKey *host_key;

  if (ssh_get_server_publickey (link->session, &key) != SSH_OK || key == NULL)
    {
      link_fail (link, error, KF_SSH_ERROR_PROTOCOL, _("%s did not show a host key."), link->address);
      return NULL;
    }
  host_key = kf_host_key_new_from_ssh_key (key, NULL, error);
  ssh_key_free (key);
  return host_key;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static gint64
deadline_after (guint timeout_s)
{
  return g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
}

/* -------------------------------------------------------------- discover */

typedef struct {
  const char   *host;
  guint         port;
  guint         timeout_s;
  gint64        deadline;
  GCancellable *cancellable;
  const char   *algos;
  KfHostKey    *key;
  gboolean      no_match;
  GError       *error;
} DiscoverSlot;

static gpointer
discover_one (gpointer data)
{
  DiscoverSlot *slot = data;
  g_autoptr(Link) link = link_new (slot->host, slot->port, slot->timeout_s, slot->deadline,
                                   slot->cancellable);

  if (!link_connect_tcp (link, &slot->error)
      || !link_handshake (link, NULL, slot->algos, &slot->no_match, &slot->error))
    return NULL;
  slot->key = link_get_host_key (link, &slot->error);
  return NULL;
}

GPtrArray *
kf_ssh_probe_discover_sync (const char    *host,
                            guint          port,
                            guint          timeout_s,
                            GCancellable  *cancellable,
                            GError       **error)
{
  guint n_slots;
  const KfKeyTypeInfo *types = kf_key_type_info_get_all (&n_slots);
  g_autofree DiscoverSlot *slots = g_new0 (DiscoverSlot, n_slots);
  g_autofree GThread **threads = g_new0 (GThread *, n_slots);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 deadline = deadline_after (timeout_s);
  GError *first_error = NULL;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (port > 0 && port <= 65535, NULL);
  g_return_val_if_fail (timeout_s > 0, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  /* One connection per key type, as ssh-keyscan does, side by side so that
   * discovery takes one Connect Timeout at most. The keys come out RSA first
   * (the reverse of the order of preference). */
  for (guint i = 0; i < n_slots; i++)
    {
      slots[i] = (DiscoverSlot) { host, port, timeout_s, deadline, cancellable,
                                  types[n_slots - 1 - i].hostkey_algos };
      threads[i] = g_thread_new ("kf-ssh-discover", discover_one, &slots[i]);
    }
  for (guint i = 0; i < n_slots; i++)
    g_thread_join (threads[i]);

  /* A server that lacks a key type closes the connection when key exchange
   * finds no match; under load libssh sometimes sees that close as a socket
   * error before it has noticed the mismatch itself. Ask again for a type
   * that failed in the handshake (not refused, not timed out), at most twice,
   * within the same deadline: a real failure fails again and is reported. */
  for (guint i = 0; i < n_slots; i++)
    for (guint attempt = 0;
         attempt < 2 && slots[i].key == NULL && !slots[i].no_match
         && g_error_matches (slots[i].error, KF_SSH_ERROR, KF_SSH_ERROR_PROTOCOL)
         && g_get_monotonic_time () < deadline;
         attempt++)
      {
        g_clear_error (&slots[i].error);
        discover_one (&slots[i]);
      }

  for (guint i = 0; i < n_slots; i++)
    {
      if (slots[i].key != NULL)
        g_ptr_array_add (keys, slots[i].key);
      else if (!slots[i].no_match && first_error == NULL)
        first_error = g_steal_pointer (&slots[i].error);
      g_clear_error (&slots[i].error);
    }

  /* A key type that failed for another reason than "not offered" would make
   * the list silently incomplete: report it instead. */
  if (first_error != NULL)
    {
      g_propagate_error (error, first_error);
      return NULL;
    }
  if (keys->len == 0)
    {
      g_autofree char *address = kf_ssh_probe_format_address (host, port);
      g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_PROTOCOL,
                   _("%s offers none of the host key types Keyferry knows (RSA, ECDSA, Ed25519)."),
                   address);
      return NULL;
    }
  return g_steal_pointer (&keys);
}

typedef struct {
  char  *host;
  guint  port;
  guint  timeout_s;
} DiscoverData;

static void
discover_data_free (DiscoverData *data)
{
  g_free (data->host);
  g_free (data);
}

static void
discover_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  DiscoverData *data = task_data;
  GError *error = NULL;
  GPtrArray *keys = kf_ssh_probe_discover_sync (data->host, data->port, data->timeout_s,
                                                cancellable, &error);

  if (keys == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, keys, (GDestroyNotify) g_ptr_array_unref);
}

void
kf_ssh_probe_discover_async (const char          *host,
                             guint                port,
                             guint                timeout_s,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DiscoverData *data;

  g_return_if_fail (host != NULL);
  g_return_if_fail (port > 0 && port <= 65535);
  g_return_if_fail (timeout_s > 0);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_ssh_probe_discover_async);
  g_task_set_return_on_cancel (task, FALSE);
  data = g_new0 (DiscoverData, 1);
  data->host = g_strdup (host);
  data->port = port;
  data->timeout_s = timeout_s;
  g_task_set_task_data (task, data, (GDestroyNotify) discover_data_free);
  g_task_run_in_thread (task, discover_thread);
}

GPtrArray *
kf_ssh_probe_discover_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_ssh_probe_discover_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------ test */

/* What the Test needs from a connection, copied on the caller's thread. */
typedef struct {
  char      *host;
  guint      port;
  char      *username;
  char     **host_keys;
  guint      timeout_s;
  char      *keypair_name;
  KfSecret  *private_key;
  gboolean   read_truenas_version;
} TestData;

static void
test_data_free (TestData *data)
{
  g_free (data->host);
  g_free (data->username);
  g_strfreev (data->host_keys);
  g_free (data->keypair_name);
  kf_secret_free (data->private_key);
  g_free (data);
}

static TestData *
test_data_new (KfConnection *connection,
               const char   *keypair_name,
               const char   *private_key)
{
  TestData *data = g_new0 (TestData, 1);

  data->host = g_strdup (kf_connection_get_host (connection));
  data->port = kf_connection_get_port (connection);
  data->username = g_strdup (kf_connection_get_username (connection));
  data->host_keys = g_strdupv ((char **) kf_connection_get_host_keys (connection));
  data->timeout_s = kf_connection_get_connect_timeout (connection);
  if (data->timeout_s == 0)
    data->timeout_s = KF_CONNECTION_DEFAULT_TIMEOUT;
  data->keypair_name = g_strdup (keypair_name);
  data->private_key = g_strdup (private_key);
  data->read_truenas_version = kf_connection_get_truenas_url (connection) != NULL
                               && *kf_connection_get_truenas_url (connection) != '\0';
  return data;
}

/* The host key algorithms that make the server present a key of a stored
 * type, in order of preference (Ed25519 first, RSA last). */
static char *
algos_for_keys (GPtrArray *keys)
{
  g_autoptr(GString) algos = g_string_new (NULL);
  guint n_types;
  const KfKeyTypeInfo *types = kf_key_type_info_get_all (&n_types);

  for (guint k = 0; k < n_types; k++)
    for (guint i = 0; i < keys->len; i++)
      if (g_str_equal (kf_host_key_get_key_type (g_ptr_array_index (keys, i)), types[k].name))
        {
          if (algos->len > 0)
            g_string_append_c (algos, ',');
          g_string_append (algos, types[k].hostkey_algos);
          break;
        }
  if (algos->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&algos), FALSE);
}

static char *
stored_fingerprints (GPtrArray  *keys,
                     const char *prefer_type)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint pass = 0; pass < 2 && out->len == 0; pass++)
    for (guint i = 0; i < keys->len; i++)
      {
        KfHostKey *key = g_ptr_array_index (keys, i);

        if (pass == 0 && g_strcmp0 (kf_host_key_get_key_type (key), prefer_type) != 0)
          continue;
        /* Translators: joins host key fingerprints in a list of alternatives */
        g_string_append_printf (out, "%s%s", out->len ? _(" or ") : "", kf_host_key_get_fingerprint (key));
      }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
describe_keypair (const char *name)
{
  /* Translators: fills the %s after “did not accept” and “with” in the Test's messages */
  return name && *name ? g_strdup_printf (_("the key pair “%s”"), name) : g_strdup (_("the key pair"));
}

/* The stored host keys that parse; a damaged one cannot vouch for anything. */
static GPtrArray *
parse_stored_keys (char **host_keys)
{
  GPtrArray *stored = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; host_keys != NULL && host_keys[i] != NULL; i++)
    {
      KfHostKey *key = kf_host_key_parse (host_keys[i], NULL);

      if (key != NULL)
        g_ptr_array_add (stored, key);
    }
  return stored;
}

/* Step 1, "connect": resolve the host and open TCP. */
static gboolean
test_connect (Link          *link,
              KfTestResult  *result,
              GError       **error)
{
  gint64 start = g_get_monotonic_time ();
  gboolean ok = link_connect_tcp (link, error);

  kf_test_result_add_phase (result, KF_TEST_PHASE_CONNECT, ms_since (start), ok);
  return ok;
}

/* Step 2, "host key": the SSH handshake, asking only for the stored types
 * (@algos), and the presented key must be one of @stored. */
static gboolean
test_host_key (Link          *link,
               TestData      *data,
               GPtrArray     *stored,
               const char    *algos,
               KfTestResult  *result,
               GError       **error)
{
  g_autoptr(KfHostKey) presented = NULL;
  g_autofree char *fps = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean no_match = FALSE;
  gboolean verified = FALSE;

  if (!link_handshake (link, data->username, algos, &no_match, error))
    {
      kf_test_result_add_phase (result, KF_TEST_PHASE_HOST_KEY, ms_since (start), FALSE);
      if (no_match)
        {
          fps = stored_fingerprints (stored, NULL);
          g_clear_error (error);
          g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH,
                       _("The server's host key has changed: %s no longer offers any key of the stored types (stored: %s); unless the server was reinstalled, someone may be intercepting the connection."),
                       link->address, fps);
        }
      return FALSE;
    }
  presented = link_get_host_key (link, error);
  if (presented == NULL)
    {
      kf_test_result_add_phase (result, KF_TEST_PHASE_HOST_KEY, ms_since (start), FALSE);
      return FALSE;
    }
  for (guint i = 0; i < stored->len && !verified; i++)
    verified = kf_host_key_equal (g_ptr_array_index (stored, i), presented);
  kf_test_result_set_host_key (result, kf_host_key_get_key_type (presented),
                               kf_host_key_get_fingerprint (presented), verified);
  kf_test_result_add_phase (result, KF_TEST_PHASE_HOST_KEY, ms_since (start), verified);
  if (verified)
    return TRUE;

  fps = stored_fingerprints (stored, kf_host_key_get_key_type (presented));
  g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH,
               _("The server's host key has changed: %s presented the %s key %s, but the stored key is %s; unless the server was reinstalled, someone may be intercepting the connection."),
               link->address, kf_host_key_get_key_type (presented),
               kf_host_key_get_fingerprint (presented), fps);
  return FALSE;
}

/* Step 3, "authenticate": log in with the key pair's private key. */
static gboolean
test_authenticate (Link          *link,
                   TestData      *data,
                   KfTestResult  *result,
                   GError       **error)
{
  g_autofree char *keypair = describe_keypair (data->keypair_name);
  g_autoptr(KfLibsshKey) private_key = NULL;
  gint64 start = g_get_monotonic_time ();
  int rc;

  rc = ssh_pki_import_privkey_base64 (data->private_key, NULL, kf_libssh_refuse_passphrase, NULL, &private_key);
  if (rc != SSH_OK || private_key == NULL)
    {
      kf_test_result_add_phase (result, KF_TEST_PHASE_AUTHENTICATE, ms_since (start), FALSE);
      g_set_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NOT_A_KEY,
                   _("The private key of %s cannot be read; import it again."), keypair);
      return FALSE;
    }
  rc = ssh_userauth_publickey (link->session, NULL, private_key);
  g_clear_pointer (&private_key, ssh_key_free);
  kf_test_result_add_phase (result, KF_TEST_PHASE_AUTHENTICATE, ms_since (start), rc == SSH_AUTH_SUCCESS);
  if (rc == SSH_AUTH_SUCCESS)
    return TRUE;
  if (rc == SSH_AUTH_DENIED || rc == SSH_AUTH_PARTIAL)
    return link_fail (link, error, KF_SSH_ERROR_AUTH_FAILED,
                      _("The server did not accept %s for user %s."), keypair, data->username);
  return link_fail (link, error, KF_SSH_ERROR_PROTOCOL,
                    _("%s dropped the connection while logging in (%s)."), link->address,
                    ssh_get_error (link->session));
}

/* Reads all of @channel's output (keeping the first few KiB in @output) so
 * the exit status arrives; FALSE when the read failed (then *@out_status is -1). */
static gboolean
channel_read_all (ssh_channel  channel,
                  GString     *output,
                  int         *out_status)
{
  char buf[1024];
  int n;

  while ((n = ssh_channel_read (channel, buf, sizeof buf, 0)) > 0)
    if (output->len < 4096)
      g_string_append_len (output, buf, n);
  ssh_channel_send_eof (channel);
  *out_status = n < 0 ? -1 : kf_libssh_channel_exit_status (channel);
  return n >= 0;
}

/* Runs the test command on the open @channel and checks its exit status
 * and output. */
static gboolean
run_test_command (Link         *link,
                  TestData     *data,
                  ssh_channel   channel,
                  GError      **error)
{
  g_autoptr(GString) output = g_string_new (NULL);
  int status;
  gboolean read_ok = channel_read_all (channel, output, &status);

  if (!read_ok || watchdog_fired (link->wd, NULL))
    return link_fail (link, error, KF_SSH_ERROR_PROTOCOL,
                      _("%s dropped the connection while running the test command (%s)."),
                      link->address, ssh_get_error (link->session));
  if (status != 0)
    return link_fail (link, error, KF_SSH_ERROR_COMMAND_FAILED,
                      _("Logged in as %s, but the test command failed on the server (exit status %d)."),
                      data->username, status);
  if (strstr (output->str, KF_SSH_PROBE_TEST_OUTPUT) == NULL)
    return link_fail (link, error, KF_SSH_ERROR_COMMAND_FAILED,
                      _("Logged in as %s, but the test command did not print what it should; the account's shell may be restricted."),
                      data->username);
  return TRUE;
}

/* Step 4, "command": open a session channel and run the test command. */
static gboolean
test_command (Link          *link,
              TestData      *data,
              KfTestResult  *result,
              GError       **error)
{
  gint64 start = g_get_monotonic_time ();
  ssh_channel channel = ssh_channel_new (link->session);
  gboolean ok;

  if (channel == NULL
      || ssh_channel_open_session (channel) != SSH_OK
      || ssh_channel_request_exec (channel, KF_SSH_PROBE_TEST_COMMAND) != SSH_OK)
    ok = link_fail (link, error, KF_SSH_ERROR_COMMAND_FAILED,
                    _("Logged in as %s, but the server did not let the test command run (%s)."),
                    data->username, ssh_get_error (link->session));
  else
    ok = run_test_command (link, data, channel, error);

  if (channel != NULL)
    {
      if (!watchdog_fired (link->wd, NULL))
        ssh_channel_close (channel);
      ssh_channel_free (channel);
    }
  kf_test_result_add_phase (result, KF_TEST_PHASE_COMMAND, ms_since (start), ok);
  return ok;
}

/* The "version" member of the manifest's JSON, or NULL. */
static char *
parse_manifest_version (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *object;
  const char *version;

  if (!json_parser_load_from_data (parser, text, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "version")
      || json_node_get_value_type (json_object_get_member (object, "version")) != G_TYPE_STRING)
    return NULL;
  version = json_object_get_string_member (object, "version");
  return version != NULL && *version != '\0' ? g_strdup (version) : NULL;
}

/* Step 5, TrueNAS only, "version": read the version file over the same
 * session. The box answered every step that matters for a login, so a
 * missing or unreadable file does not fail the Test; the phase fails and
 * *@out_note says why. */
static void
test_version (Link          *link,
              KfTestResult  *result,
              char         **out_note)
{
  g_autoptr(GString) output = g_string_new (NULL);
  g_autofree char *version = NULL;
  gint64 start = g_get_monotonic_time ();
  ssh_channel channel = ssh_channel_new (link->session);
  int status = -1;

  if (channel != NULL
      && ssh_channel_open_session (channel) == SSH_OK
      && ssh_channel_request_exec (channel, KF_SSH_PROBE_VERSION_COMMAND) == SSH_OK
      && channel_read_all (channel, output, &status) && status == 0)
    version = parse_manifest_version (output->str);
  if (channel != NULL)
    {
      if (!watchdog_fired (link->wd, NULL))
        ssh_channel_close (channel);
      ssh_channel_free (channel);
    }
  kf_test_result_add_phase (result, KF_TEST_PHASE_VERSION, ms_since (start), version != NULL);
  if (version != NULL)
    kf_test_result_set_truenas_version (result, version);
  else
    /* Translators: %s is the path of the version file on the TrueNAS box */
    *out_note = g_strdup_printf (_("The TrueNAS version could not be read from %s."), KF_SSH_PROBE_VERSION_FILE);
}

/* Runs the Test; fills @result and returns the failure, if any. */
static GError *
run_test (TestData      *data,
          KfTestResult  *result,
          GCancellable  *cancellable,
          char         **out_note)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(Link) link = NULL;
  g_autofree char *algos = NULL;
  GError *error = NULL;

  if (data->host == NULL || *data->host == '\0' || data->port == 0 || data->port > 65535)
    {
      g_set_error (&error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST, _("The connection has no host or port to test."));
      return error;
    }

  stored = parse_stored_keys (data->host_keys);
  algos = algos_for_keys (stored);
  if (algos == NULL)
    {
      g_set_error (&error, KF_SSH_ERROR, KF_SSH_ERROR_NO_HOST_KEYS,
                   _("The connection has no stored host key to check the server against; discover the host key first."));
      return error;
    }

  /* One deadline for everything, from here. */
  link = link_new (data->host, data->port, data->timeout_s, deadline_after (data->timeout_s), cancellable);

  if (test_connect (link, result, &error) &&
      test_host_key (link, data, stored, algos, result, &error) &&
      test_authenticate (link, data, result, &error) &&
      test_command (link, data, result, &error) &&
      data->read_truenas_version)
    {
      gboolean cancelled = FALSE;

      test_version (link, result, out_note);
      /* A cancel during the version read cancels the Test, as anywhere else. */
      if (watchdog_fired (link->wd, &cancelled) && cancelled)
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The operation was cancelled."));
    }
  return error;
}

static KfTestResult *
test_run (TestData      *data,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(KfTestResult) result = kf_test_result_new ();
  g_autoptr(GError) failure = NULL;
  g_autofree char *message = NULL;
  g_autofree char *note = NULL;
  gint64 start = g_get_monotonic_time ();
  double total;

  failure = run_test (data, result, cancellable, &note);
  total = ms_since (start);

  if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return NULL;
    }
  if (failure == NULL)
    {
      g_autofree char *address = kf_ssh_probe_format_address (data->host, data->port);
      g_autofree char *keypair = describe_keypair (data->keypair_name);
      /* Translators: server address, user name, “the key pair “NAME””, milliseconds */
      message = g_strdup_printf (_("Logged in to %s as %s with %s and ran a command, in %.0f ms."),
                                 address, data->username, keypair, total);
      if (note != NULL)
        {
          char *with_note = g_strconcat (message, " ", note, NULL);

          g_free (message);
          message = with_note;
        }
    }
  kf_test_result_finish (result, failure, message, total);
  return g_steal_pointer (&result);
}

KfTestResult *
kf_ssh_probe_test_sync (KfConnection  *connection,
                        const char    *keypair_name,
                        const char    *private_key,
                        GCancellable  *cancellable,
                        GError       **error)
{
  TestData *data;
  KfTestResult *result;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (private_key != NULL, NULL);

  data = test_data_new (connection, keypair_name, private_key);
  result = test_run (data, cancellable, error);
  test_data_free (data);
  return result;
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  KfTestResult *result = test_run (task_data, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, g_object_unref);
}

void
kf_ssh_probe_test_async (KfConnection        *connection,
                         const char          *keypair_name,
                         const char          *private_key,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (KF_IS_CONNECTION (connection));
  g_return_if_fail (private_key != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_ssh_probe_test_async);
  g_task_set_task_data (task, test_data_new (connection, keypair_name, private_key),
                        (GDestroyNotify) test_data_free);
  g_task_run_in_thread (task, test_thread);
}

KfTestResult *
kf_ssh_probe_test_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == kf_ssh_probe_test_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ----------------------------------------------------------------- login */

/* The Test's first three steps, with the session kept (kf-ssh-login-private.h). */
struct _KfSshLogin {
  TestData *data;
  Link     *link;
};

void
kf_ssh_login_free (KfSshLogin *login)
{
  if (login == NULL)
    return;
  g_clear_pointer (&login->link, link_free);
  test_data_free (login->data);
  g_free (login);
}

KfSshLogin *
kf_ssh_login_open_sync (KfConnection  *connection,
                        const char    *keypair_name,
                        const char    *private_key,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(KfSshLogin) login = g_new0 (KfSshLogin, 1);
  g_autoptr(KfTestResult) result = kf_test_result_new ();
  g_autoptr(GPtrArray) stored = NULL;
  g_autofree char *algos = NULL;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (private_key != NULL, NULL);

  login->data = test_data_new (connection, keypair_name, private_key);
  stored = parse_stored_keys (login->data->host_keys);
  algos = algos_for_keys (stored);
  if (algos == NULL)
    {
      g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_NO_HOST_KEYS,
                   _("The connection has no stored host key to check the server against; discover the host key first."));
      return NULL;
    }
  login->link = link_new (login->data->host, login->data->port, login->data->timeout_s,
                          deadline_after (login->data->timeout_s), cancellable);
  if (!test_connect (login->link, result, error) ||
      !test_host_key (login->link, login->data, stored, algos, result, error) ||
      !test_authenticate (login->link, login->data, result, error))
    return NULL;
  return g_steal_pointer (&login);
}

ssh_session
kf_ssh_login_get_session (KfSshLogin *login)
{
  return login->link->session;
}

gboolean
kf_ssh_login_fail (KfSshLogin  *login,
                   GError     **error,
                   const char  *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  return link_fail (login->link, error, KF_SSH_ERROR_FAILED, "%s", message);
}
