/* kf-connection-validate.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection-validate"

#include "kf-connection-validate.h"
#include "kf-keypair.h"

#include <glib/gi18n.h>
#include <gio/gio.h>
#include <string.h>

void
kf_host_input_clear (KfHostInput *input)
{
  g_clear_pointer (&input->host, g_free);
  g_clear_pointer (&input->username, g_free);
  g_clear_pointer (&input->note, g_free);
  input->port = 0;
}

char *
kf_connection_validate_name (const char  *text,
                             GError     **error)
{
  g_autofree char *name = g_strstrip (g_strdup (text ? text : ""));

  if (*name == '\0')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME, _("Enter a name for the connection."));
      return NULL;
    }
  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME, _("The name is not valid text."));
      return NULL;
    }
  if (g_utf8_strlen (name, -1) > KF_MAX_NAME_LEN)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG,
                   _("The name is longer than %d characters."), KF_MAX_NAME_LEN);
      return NULL;
    }
  return g_steal_pointer (&name);
}

gboolean
kf_connection_validate_name_free (GListModel  *items,
                                  const char  *name,
                                  const char  *except_id,
                                  GError     **error)
{
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, i);
      gboolean keypair = KF_IS_KEYPAIR (item);
      const char *other = keypair ? kf_keypair_get_name (KF_KEYPAIR (item))
                                  : kf_connection_get_name (KF_CONNECTION (item));
      const char *id = keypair ? kf_keypair_get_id (KF_KEYPAIR (item))
                               : kf_connection_get_id (KF_CONNECTION (item));

      if (g_strcmp0 (other, name) == 0 && (except_id == NULL || g_strcmp0 (id, except_id) != 0))
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                       keypair ? _("A key pair named “%s” already exists; choose another name.")
                               : _("A connection named “%s” already exists; choose another name."),
                       name);
          return FALSE;
        }
    }
  return TRUE;
}

/* Parses a whole decimal number in [min, max]; FALSE on anything else. */
static gboolean
parse_number (const char *text,
              guint       min,
              guint       max,
              guint      *out)
{
  g_autofree char *s = g_strstrip (g_strdup (text ? text : ""));
  guint64 value = 0;

  if (*s == '\0' || strlen (s) > 10)
    return FALSE;
  for (const char *p = s; *p; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  value = g_ascii_strtoull (s, NULL, 10);
  if (value < min || value > max)
    return FALSE;
  *out = (guint) value;
  return TRUE;
}

gboolean
kf_connection_validate_port (const char  *text,
                             guint       *out_port,
                             GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));
  guint port;

  if (*trimmed == '\0')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT,
                   _("Enter the port SSH listens on: a number from 1 to 65535, usually 22."));
      return FALSE;
    }
  if (!parse_number (trimmed, 1, 65535, &port))
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT,
                   _("The port must be a number from 1 to 65535."));
      return FALSE;
    }
  if (out_port)
    *out_port = port;
  return TRUE;
}

gboolean
kf_connection_validate_timeout (const char  *text,
                                guint       *out_timeout,
                                GError     **error)
{
  guint timeout;

  if (!parse_number (text, KF_CONNECTION_MIN_TIMEOUT, KF_CONNECTION_MAX_TIMEOUT, &timeout))
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT,
                   _("The Connect Timeout must be a number of seconds from %d to %d."),
                   KF_CONNECTION_MIN_TIMEOUT, KF_CONNECTION_MAX_TIMEOUT);
      return FALSE;
    }
  if (out_timeout)
    *out_timeout = timeout;
  return TRUE;
}

/* The first character a username may not hold (a pointer into @name), or
 * NULL. Usernames are what useradd and TrueNAS accept: ASCII letters,
 * digits, ".", "_", "-", "@", and a final "$" (Samba machine accounts). */
static const char *
username_invalid_char (const char *name)
{
  gsize len = strlen (name);

  for (gsize i = 0; i < len; i++)
    {
      char c = name[i];

      if (g_ascii_isalnum (c) || c == '.' || c == '_' || c == '-' || c == '@')
        continue;
      if (c == '$' && i == len - 1 && len > 1)
        continue;
      return name + i;
    }
  return NULL;
}

char *
kf_connection_validate_username (const char  *text,
                                 GError     **error)
{
  g_autofree char *name = g_strstrip (g_strdup (text ? text : ""));
  const char *bad;

  if (*name == '\0')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME, _("Enter the username to log in as."));
      return NULL;
    }
  if (strlen (name) > KF_MAX_USERNAME_LEN)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME,
                   _("The username is longer than %d characters."), KF_MAX_USERNAME_LEN);
      return NULL;
    }
  if (name[0] == '-')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME,
                   _("The username must not start with “-”."));
      return NULL;
    }
  bad = username_invalid_char (name);
  if (bad != NULL && *bad == ' ')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME,
                   _("A username cannot hold spaces: use only the letters a–z and A–Z, digits, “.”, “_”, “-” and “@”."));
      return NULL;
    }
  if (bad != NULL)
    {
      g_autofree char *shown = g_utf8_validate (bad, -1, NULL) && g_unichar_isprint (g_utf8_get_char (bad))
                               ? g_strndup (bad, g_utf8_next_char (bad) - bad)
                               : g_strdup_printf ("\\x%02X", (guchar) *bad);

      /* Translators: %s is the character that is not allowed, e.g. “ö”. */
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME,
                   _("A username cannot hold “%s”: use only the letters a–z and A–Z, digits, “.”, “_”, “-” and “@”."),
                   shown);
      return NULL;
    }
  return g_steal_pointer (&name);
}

/* A DNS name (labels of letters, digits, "-" and "_", dots between, an
 * optional final dot) or an IP address (IPv6 bare). */
static gboolean
host_is_valid (const char *host)
{
  gsize len = strlen (host);
  gsize label = 0;

  if (len == 0 || len > KF_MAX_HOST_LEN)
    return FALSE;
  if (g_hostname_is_ip_address (host))
    return TRUE;
  /* Digits and dots only, yet not an IP address: "300.1.1.1", "10.1". */
  if (strspn (host, "0123456789.") == len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = host[i];

      if (c == '.')
        {
          if (label == 0)
            return FALSE;
          label = 0;
          continue;
        }
      if (!(g_ascii_isalnum (c) || c == '-' || c == '_'))
        return FALSE;
      if (c == '-' && label == 0)
        return FALSE;
      if (++label > 63)
        return FALSE;
    }
  return TRUE;
}

static gboolean
set_host_error (GError     **error,
                const char  *shown)
{
  g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST,
               _("“%s” is not a host name or IP address."), shown);
  return FALSE;
}

/* Splits "[v6]", "[v6]:port", "host:port", "v6" or "host". */
static gboolean
split_host_port (const char  *text,
                 char       **out_host,
                 guint       *out_port,
                 gboolean    *out_had_port,
                 GError     **error)
{
  const char *colon;

  *out_had_port = FALSE;
  *out_port = 0;

  if (text[0] == '[')
    {
      const char *close = strchr (text, ']');

      if (close == NULL)
        return set_host_error (error, text);
      *out_host = g_strndup (text + 1, close - text - 1);
      if (close[1] == '\0')
        return TRUE;
      if (close[1] != ':' || !parse_number (close + 2, 1, 65535, out_port))
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT,
                       _("The port after “%s” must be a number from 1 to 65535."), *out_host);
          g_clear_pointer (out_host, g_free);
          return FALSE;
        }
      *out_had_port = TRUE;
      return TRUE;
    }

  colon = strchr (text, ':');
  if (colon != NULL && strchr (colon + 1, ':') == NULL)
    {
      /* Exactly one colon: host:port (an IPv6 literal has at least two). */
      if (!parse_number (colon + 1, 1, 65535, out_port))
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT,
                       _("The port after “:” must be a number from 1 to 65535."));
          return FALSE;
        }
      *out_host = g_strndup (text, colon - text);
      *out_had_port = TRUE;
      return TRUE;
    }

  *out_host = g_strdup (text);
  return TRUE;
}

/* "Took the host “h”, port 22 and user “u” from the pasted address." Whole
 * sentences, so that a translation need not assemble a list. */
static void
append_taken (GString    *note,
              const char *host,
              guint       port,
              const char *user,
              gboolean    pasted)
{
  if (pasted)
    {
      if (port != 0 && user != NULL)
        g_string_append_printf (note, _("Took the host “%s”, port %u and user “%s” from the pasted address."), host, port, user);
      else if (port != 0)
        g_string_append_printf (note, _("Took the host “%s” and port %u from the pasted address."), host, port);
      else if (user != NULL)
        g_string_append_printf (note, _("Took the host “%s” and user “%s” from the pasted address."), host, user);
      else
        g_string_append_printf (note, _("Took the host “%s” from the pasted address."), host);
    }
  else
    {
      if (port != 0 && user != NULL)
        g_string_append_printf (note, _("Took the host “%s”, port %u and user “%s” from what was entered."), host, port, user);
      else if (port != 0)
        g_string_append_printf (note, _("Took the host “%s” and port %u from what was entered."), host, port);
      else if (user != NULL)
        g_string_append_printf (note, _("Took the host “%s” and user “%s” from what was entered."), host, user);
      else
        g_string_append_printf (note, _("Took the host “%s” from what was entered."), host);
    }
}

gboolean
kf_connection_validate_host (const char   *text,
                             KfHostInput  *out,
                             GError      **error)
{
  g_autofree char *s = g_strstrip (g_strdup (text ? text : ""));
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  g_autofree char *ascii = NULL;
  g_autoptr(GString) note = g_string_new (NULL);
  const char *hostpart = s;
  gboolean had_port = FALSE;
  guint port = 0;

  g_return_val_if_fail (out != NULL, FALSE);
  memset (out, 0, sizeof *out);

  if (*s == '\0')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST,
                   _("Enter the host name or IP address of the server."));
      return FALSE;
    }
  if (strlen (s) > KF_MAX_URL_LEN || !g_utf8_validate (s, -1, NULL))
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG,
                   _("The host is too long to be a host name or address."));
      return FALSE;
    }

  if (strstr (s, "://") != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (s, G_URI_FLAGS_NON_DNS, NULL);
      const char *scheme;
      gboolean is_ssh;

      if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL,
                       _("The pasted address has no host in it; enter just the host name or IP address."));
          return FALSE;
        }
      scheme = g_uri_get_scheme (uri);
      is_ssh = g_ascii_strcasecmp (scheme, "ssh") == 0 || g_ascii_strcasecmp (scheme, "sftp") == 0;
      host = g_strdup (g_uri_get_host (uri));
      /* Only an ssh:// address says anything about the SSH port and login;
       * an https:// one names the web UI's. */
      if (is_ssh && g_uri_get_port (uri) == 0)
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT,
                       _("The port in the pasted address must be a number from 1 to 65535."));
          return FALSE;
        }
      if (is_ssh && g_uri_get_port (uri) > 0)
        {
          port = (guint) g_uri_get_port (uri);
          had_port = TRUE;
        }
      if (is_ssh && g_uri_get_user (uri) != NULL && *g_uri_get_user (uri) != '\0')
        {
          user = kf_connection_validate_username (g_uri_get_user (uri), error);
          if (user == NULL)
            return FALSE;
        }
      append_taken (note, host, had_port ? port : 0, user, TRUE);
      /* GUri already dropped IPv6 brackets. */
      hostpart = NULL;
    }
  else
    {
      const char *at = strrchr (s, '@');

      if (at != NULL)
        {
          g_autofree char *u = g_strndup (s, at - s);

          user = kf_connection_validate_username (u, error);
          if (user == NULL)
            return FALSE;
          hostpart = at + 1;
        }
      if (!split_host_port (hostpart, &host, &port, &had_port, error))
        return FALSE;
      if (user != NULL || had_port)
        append_taken (note, host, had_port ? port : 0, user, FALSE);
    }

  if (g_hostname_is_non_ascii (host))
    {
      ascii = g_hostname_to_ascii (host);
      if (ascii == NULL)
        return set_host_error (error, host);
      if (note->len > 0)
        g_string_append_c (note, ' ');
      /* Translators: an international host name and its ASCII form */
      g_string_append_printf (note, _("“%s” is written “%s” for SSH."), host, ascii);
      g_free (host);
      host = g_steal_pointer (&ascii);
    }

  if (!host_is_valid (host))
    return set_host_error (error, host);

  out->host = g_steal_pointer (&host);
  out->port = port;
  out->username = g_steal_pointer (&user);
  out->note = note->len > 0 ? g_string_free (g_steal_pointer (&note), FALSE) : NULL;
  return TRUE;
}

gboolean
kf_connection_validate (KfConnection  *connection,
                        GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *user = NULL;
  g_autofree char *port = NULL;
  g_autofree char *timeout = NULL;
  g_auto(KfHostInput) host = { 0 };
  const char *stored_host;

  g_return_val_if_fail (KF_IS_CONNECTION (connection), FALSE);

  name = kf_connection_validate_name (kf_connection_get_name (connection), error);
  if (name == NULL)
    return FALSE;

  stored_host = kf_connection_get_host (connection);
  if (!kf_connection_validate_host (stored_host, &host, error))
    return FALSE;
  /* A stored host is already reduced: no URL, port, user or brackets left. */
  if (host.note != NULL || g_strcmp0 (host.host, stored_host) != 0)
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST,
                   _("The host must be just a host name or IP address, without user, port or brackets."));
      return FALSE;
    }

  port = g_strdup_printf ("%u", kf_connection_get_port (connection));
  if (!kf_connection_validate_port (port, NULL, error))
    return FALSE;
  user = kf_connection_validate_username (kf_connection_get_username (connection), error);
  if (user == NULL)
    return FALSE;
  timeout = g_strdup_printf ("%u", kf_connection_get_connect_timeout (connection));
  if (!kf_connection_validate_timeout (timeout, NULL, error))
    return FALSE;
  return TRUE;
}
