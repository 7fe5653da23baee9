/* kf-truenas-url.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-truenas-url"

#include <glib/gi18n.h>
#include <string.h>

#include <gio/gio.h>

#include "kf-errors.h"
#include "kf-truenas-url.h"

struct _KfTruenasUrl
{
  gatomicrefcount ref;
  char *base;
  char *versions_url;
  char *jsonrpc_url;
  char *legacy_url;
  char *host;
  int port;
  gboolean https;
  char *note;
};

G_DEFINE_BOXED_TYPE (KfTruenasUrl, kf_truenas_url, kf_truenas_url_ref, kf_truenas_url_unref)

KfTruenasUrl *
kf_truenas_url_ref (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
kf_truenas_url_unref (KfTruenasUrl *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref))
    return;
  g_free (self->base);
  g_free (self->versions_url);
  g_free (self->jsonrpc_url);
  g_free (self->legacy_url);
  g_free (self->host);
  g_free (self->note);
  g_free (self);
}

static gboolean
bad_url (GError    **error,
         const char *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad_url (GError    **error,
         const char *format,
         ...)
{
  va_list args;

  va_start (args, format);
  if (error != NULL)
    *error = g_error_new_valist (KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL, format, args);
  va_end (args);
  return FALSE;
}

static gboolean
is_ipv6_literal (const char *host)
{
  return strchr (host, ':') != NULL && g_hostname_is_ip_address (host);
}

/* Letters, digits, '-', '_' and dots, no empty label (a final dot is fine). */
static gboolean
is_valid_hostname (const char *host)
{
  gsize label_len = 0;

  if (*host == '\0' || strlen (host) > KF_MAX_HOST_LEN)
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (label_len == 0)
            return FALSE;
          label_len = 0;
          continue;
        }
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        return FALSE;
      if (++label_len > 63)
        return FALSE;
    }
  return TRUE;
}

static void
add_note (GString    *notes,
          const char *note)
{
  if (notes->len > 0)
    g_string_append_c (notes, ' ');
  g_string_append (notes, note);
}

/* Splits "scheme://rest"; FALSE with an error for a scheme we do not speak. */
static gboolean
split_scheme (const char  *text,
              gboolean    *https,
              const char **rest,
              GError     **error)
{
  const char *sep = strstr (text, "://");
  g_autofree char *scheme = NULL;

  *https = TRUE;
  *rest = text;
  if (sep == NULL)
    {
      if (g_ascii_strncasecmp (text, "http:", 5) == 0 || g_ascii_strncasecmp (text, "https:", 6) == 0)
        return bad_url (error, _("Write the TrueNAS URL with two slashes after the scheme, for example %s."), "https://nas.lan");
      return TRUE;
    }

  /* "://" further on, inside a path: no scheme was typed. */
  if (strcspn (text, "/?#") < (gsize) (sep - text))
    return TRUE;

  scheme = g_ascii_strdown (text, sep - text);
  if (g_str_equal (scheme, "https") || g_str_equal (scheme, "wss"))
    *https = TRUE;
  else if (g_str_equal (scheme, "http") || g_str_equal (scheme, "ws"))
    *https = FALSE;
  else
    return bad_url (error, _("The TrueNAS URL must start with https:// (or nothing), not %s://."), scheme);

  *rest = sep + 3;
  return TRUE;
}

/* The typed text, trimmed, if it can be a URL at all; NULL with an error. */
static char *
check_text (const char  *text,
            GError     **error)
{
  g_autofree char *trimmed = NULL;

  if (text == NULL)
    text = "";
  if (strlen (text) > KF_MAX_URL_LEN)
    {
      bad_url (error, _("The TrueNAS URL is too long (at most %d characters)."), KF_MAX_URL_LEN);
      return NULL;
    }

  trimmed = g_strstrip (g_strdup (text));
  if (*trimmed == '\0')
    {
      /* An empty field is the user's to fill in, not something the TrueNAS said. */
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL,
                   _("Enter the address of the TrueNAS, for example %s or 192.168.1.10."), "https://nas.lan");
      return NULL;
    }
  if (!g_utf8_validate (trimmed, -1, NULL))
    {
      bad_url (error, _("The TrueNAS URL contains invalid characters; type it again, for example %s or 192.168.1.10."), "https://nas.lan");
      return NULL;
    }
  for (const char *p = trimmed; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        {
          bad_url (error, _("The TrueNAS URL must not contain spaces; type an address for example %s or 192.168.1.10."), "https://nas.lan");
          return NULL;
        }
    }
  return g_steal_pointer (&trimmed);
}

/* "host[:port]" from "host[:port]/path…"; @tail is set to the rest. */
static char *
take_authority (const char  *rest,
                const char **tail,
                GError     **error)
{
  g_autofree char *authority = NULL;

  *tail = rest + strcspn (rest, "/?#");
  authority = g_strndup (rest, *tail - rest);

  if (strchr (authority, '@') != NULL)
    {
      bad_url (error, _("Leave the user name and password out of the TrueNAS URL and enter them in their own fields."));
      return NULL;
    }
  if (*authority == '\0')
    {
      bad_url (error, _("The TrueNAS URL has no host name; type an address for example %s or 192.168.1.10."), "https://nas.lan");
      return NULL;
    }
  return g_steal_pointer (&authority);
}

/* A bare IPv6 literal: bracket it rather than mistake its last group for a port. */
static gboolean
bracket_bare_ipv6 (char    **authority,
                   GString  *notes,
                   GError  **error)
{
  g_autofree char *escaped = NULL;
  char *percent;

  if ((*authority)[0] == '[' || strchr (*authority, ':') == strrchr (*authority, ':'))
    return TRUE;
  if (!is_ipv6_literal (*authority))
    return bad_url (error, _("Put an IPv6 address in square brackets, for example %s or %s."), "https://[fd00::5]", "https://[fd00::5]:8443");

  /* A zone id ("%eth0") is written "%25eth0" inside a URL. */
  percent = strchr (*authority, '%');
  if (percent != NULL)
    escaped = g_strdup_printf ("[%.*s%%25%s]", (int) (percent - *authority), *authority, percent + 1);
  else
    escaped = g_strdup_printf ("[%s]", *authority);
  g_free (*authority);
  *authority = g_steal_pointer (&escaped);
  add_note (notes, _("The IPv6 address was put in square brackets, as URLs need."));
  return TRUE;
}

/* "[fe80::1%eth0]" as people type it: a URL needs the zone's % written
 * "%25" (RFC 6874), or GLib reads "%et" as an escape and refuses the URL. */
static void
escape_bracketed_zone (char **authority)
{
  const char *close = strchr (*authority, ']');
  const char *percent = strchr (*authority, '%');
  char *escaped;

  if ((*authority)[0] != '[' || close == NULL || percent == NULL || percent > close ||
      g_str_has_prefix (percent, "%25"))
    return;
  escaped = g_strdup_printf ("%.*s%%25%s", (int) (percent - *authority), *authority, percent + 1);
  g_free (*authority);
  *authority = escaped;
}

/* Why GLib refused "scheme://AUTHORITY", in the user's terms. */
static void
explain_bad_authority (const char  *authority,
                       GError     **error)
{
  const char *close = strchr (authority, ']');

  if (authority[0] == '[' && (close == NULL || (close[1] != '\0' && close[1] != ':')))
    bad_url (error, _("“%s” is not a valid IPv6 address in square brackets; type one like %s."), authority, "https://[fd00::5]");
  else if (authority[0] == '[' && close[1] == '\0')
    bad_url (error, _("“%s” is not a valid IPv6 address; check the part in square brackets."), authority);
  else if (strchr (authority[0] == '[' ? close : authority, ':') != NULL)
    bad_url (error, _("The port in the TrueNAS URL must be a number from 1 to 65535."));
  else
    bad_url (error, _("“%s” is not a valid TrueNAS address; type one for example %s or 192.168.1.10."), authority, "https://nas.lan");
}

/* The host (lowercase, without brackets) and port (-1: the scheme's default)
 * of @authority; NULL with an error. */
static char *
parse_host_port (const char  *authority,
                 gboolean     https,
                 int         *port,
                 GString     *notes,
                 GError     **error)
{
  g_autofree char *to_parse = g_strdup_printf ("%s://%s", https ? "https" : "http", authority);
  g_autoptr(GUri) uri = g_uri_parse (to_parse, G_URI_FLAGS_NON_DNS, NULL);
  g_autofree char *host = NULL;

  if (uri == NULL)
    {
      explain_bad_authority (authority, error);
      return NULL;
    }

  *port = g_uri_get_port (uri);
  if (*port == 0 || *port > 65535)
    {
      bad_url (error, _("The port in the TrueNAS URL must be a number from 1 to 65535."));
      return NULL;
    }
  if (*port == (https ? 443 : 80))
    *port = -1;

  host = g_ascii_strdown (g_uri_get_host (uri) ? g_uri_get_host (uri) : "", -1);
  /* An international name ("nås.lan") is taken as the Host field takes
   * one: in its ASCII (IDNA) form, which TLS and the API see. */
  if (g_hostname_is_non_ascii (host))
    {
      g_autofree char *ascii = g_hostname_to_ascii (host);
      g_autofree char *note = NULL;

      if (ascii == NULL)
        {
          bad_url (error, _("“%s” is not a valid host name; use letters, digits, dots and dashes, for example %s or 192.168.1.10."), host, "https://nas.lan");
          return NULL;
        }
      /* Translators: an international host name and its ASCII form */
      note = g_strdup_printf (_("“%s” is written “%s” in the address."), host, ascii);
      add_note (notes, note);
      g_free (host);
      host = g_steal_pointer (&ascii);
    }
  if (*host == '\0')
    {
      bad_url (error, _("The TrueNAS URL has no host name; type an address for example %s or 192.168.1.10."), "https://nas.lan");
      return NULL;
    }
  if (authority[0] == '[' && !is_ipv6_literal (host))
    {
      bad_url (error, _("“%s” is not a valid IPv6 address; check the part in square brackets."), host);
      return NULL;
    }
  if (authority[0] != '[' && !g_hostname_is_ip_address (host) && !is_valid_hostname (host))
    {
      bad_url (error, _("“%s” is not a valid host name; use letters, digits, dots and dashes, for example %s or 192.168.1.10."), host, "https://nas.lan");
      return NULL;
    }
  return g_steal_pointer (&host);
}

/* @host as written in a URL: an IPv6 literal in brackets, its zone escaped. */
static char *
host_for_url (const char  *host,
              GError     **error)
{
  const char *percent;

  if (!is_ipv6_literal (host))
    return g_strdup (host);

  percent = strchr (host, '%');
  /* Only an interface name or number as zone: anything else would need
   * escaping, and the base built below must read back as itself. */
  if (percent != NULL &&
      (percent[1] == '\0' ||
       strspn (percent + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-") != strlen (percent + 1)))
    {
      bad_url (error, _("“%s” has an invalid zone after the %% sign; use an interface name, as in %s."), host, "https://[fe80::1%25eth0]");
      return NULL;
    }
  if (percent != NULL)
    return g_strdup_printf ("[%.*s%%25%s]", (int) (percent - host), host, percent + 1);
  return g_strdup_printf ("[%s]", host);
}

static KfTruenasUrl *
url_new (gboolean    https,
         char       *host,
         const char *host_in_url,
         int         port,
         GString    *notes)
{
  g_autofree char *host_port = port > 0 ? g_strdup_printf ("%s:%d", host_in_url, port) : g_strdup (host_in_url);
  const char *ws_scheme = https ? "wss" : "ws";
  KfTruenasUrl *self = g_new0 (KfTruenasUrl, 1);

  g_atomic_ref_count_init (&self->ref);
  self->https = https;
  self->port = port;
  self->host = host;
  self->base = g_strdup_printf ("%s://%s", https ? "https" : "http", host_port);
  self->versions_url = g_strdup_printf ("%s/api/versions", self->base);
  self->jsonrpc_url = g_strdup_printf ("%s://%s/api/current", ws_scheme, host_port);
  self->legacy_url = g_strdup_printf ("%s://%s/websocket", ws_scheme, host_port);
  self->note = notes->len > 0 ? g_strdup (notes->str) : NULL;
  return self;
}

KfTruenasUrl *
kf_truenas_url_parse (const char  *text,
                      GError     **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *authority = NULL;
  g_autofree char *host = NULL;
  g_autofree char *host_in_url = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  const char *rest;
  const char *tail;
  gboolean https;
  int port;

  trimmed = check_text (text, error);
  if (trimmed == NULL || !split_scheme (trimmed, &https, &rest, error))
    return NULL;
  authority = take_authority (rest, &tail, error);
  if (authority == NULL || !bracket_bare_ipv6 (&authority, notes, error))
    return NULL;
  escape_bracketed_zone (&authority);
  host = parse_host_port (authority, https, &port, notes, error);
  if (host == NULL)
    return NULL;

  if (*tail != '\0' && !g_str_equal (tail, "/"))
    add_note (notes, _("Only the address of the TrueNAS is used; the rest of the URL was dropped."));

  host_in_url = host_for_url (host, error);
  if (host_in_url == NULL)
    return NULL;
  return url_new (https, g_steal_pointer (&host), host_in_url, port, notes);
}

const char *
kf_truenas_url_get_base (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->base;
}

const char *
kf_truenas_url_get_versions_url (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->versions_url;
}

const char *
kf_truenas_url_get_jsonrpc_url (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->jsonrpc_url;
}

const char *
kf_truenas_url_get_legacy_url (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->legacy_url;
}

const char *
kf_truenas_url_get_host (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

int
kf_truenas_url_get_port (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->port;
}

gboolean
kf_truenas_url_is_https (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->https;
}

gboolean
kf_truenas_url_allows_api_key (gboolean   https,
                               GError   **error)
{
  if (https)
    return TRUE;
  g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL,
                       _("An API key is sent only over https, because TrueNAS revokes a key used over an unencrypted connection; type the https:// address of the TrueNAS."));
  return FALSE;
}

const char *
kf_truenas_url_get_note (KfTruenasUrl *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->note;
}
