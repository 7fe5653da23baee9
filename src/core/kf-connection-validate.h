/* kf-connection-validate.h: checking what a user typed for a connection.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-errors.h"

G_BEGIN_DECLS

/* What a Host field held, taken apart. */
typedef struct {
  char  *host;      /* host name or IP address; IPv6 without brackets */
  guint  port;      /* 0 when the text named no SSH port */
  char  *username;  /* NULL when the text named no user */
  char  *note;      /* NULL, or one sentence telling the user what was changed */
} KfHostInput;

void      kf_host_input_clear                   (KfHostInput   *input);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KfHostInput, kf_host_input_clear)

/* All errors are KF_INPUT_ERROR_* with one sentence a user can act on. */

/* Trimmed, non-empty, at most KF_MAX_NAME_LEN characters. Returns the trimmed name. */
char     *kf_connection_validate_name           (const char    *text,
                                                 GError       **error);
/* @name (trimmed, as names are stored) is not yet the name of one of @items,
 * the store's key pairs or connections (kf_store_get_keypairs / _connections),
 * other than the one whose id is @except_id (NULL: none; an edit keeps its
 * name). Else KF_STORE_ERROR_NAME_TAKEN in the store's words. For refusing a
 * taken name before any work; the store refuses it again when it saves. */
gboolean  kf_connection_validate_name_free      (GListModel    *items,
                                                 const char    *name,
                                                 const char    *except_id,
                                                 GError       **error);
/* A host name, IPv4 or IPv6 address (bracketed or not), "user@host",
 * "host:port", "[v6]:port", or a pasted URL ("ssh://user@host:2222/x",
 * "https://nas/ui"), reduced to its host (and, for ssh:// and user@host:port
 * forms, its port and user) with a note saying so. */
gboolean  kf_connection_validate_host           (const char    *text,
                                                 KfHostInput   *out,
                                                 GError       **error);
/* Decimal 1–65535, surrounding spaces allowed, nothing else. */
gboolean  kf_connection_validate_port           (const char    *text,
                                                 guint         *out_port,
                                                 GError       **error);
/* Decimal KF_CONNECTION_MIN_TIMEOUT–KF_CONNECTION_MAX_TIMEOUT seconds. */
gboolean  kf_connection_validate_timeout        (const char    *text,
                                                 guint         *out_timeout,
                                                 GError       **error);
/* Letters, digits, ".", "_", "-", "@" (and a final "$"), not starting with
 * "-", at most KF_MAX_USERNAME_LEN. Returns the trimmed name. */
char     *kf_connection_validate_username       (const char    *text,
                                                 GError       **error);
/* Checks the fields of a whole connection as the store would save it (name,
 * bare host, port, username, Connect Timeout). */
gboolean  kf_connection_validate                (KfConnection  *connection,
                                                 GError       **error);

G_END_DECLS
