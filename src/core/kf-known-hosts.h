/* kf-known-hosts.h: OpenSSH known_hosts lines for connections.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"

G_BEGIN_DECLS

/* The host field: "host" for port 22, "[host]:port" otherwise; IPv6
 * literals are given without brackets ("fd00::1" → "fd00::1" or
 * "[fd00::1]:2222"). Host names are lowercased, as OpenSSH compares them. */
char *kf_known_hosts_format_host     (const char   *host,
                                      guint         port);
/* One line "HOSTFIELD type base64" for the key line @key_line ("type base64
 * [comment]"; a leading host column is tolerated); NULL and an
 * KF_INPUT_ERROR_HOST_KEY error if it is not a valid key. */
char *kf_known_hosts_line            (const char   *host,
                                      guint         port,
                                      const char   *key_line,
                                      GError      **error);
/* All lines of one connection, each ending in "\n" ("" when it has no
 * host keys). Keys that do not parse are skipped with a message. */
char *kf_known_hosts_for_connection  (KfConnection *connection);
/* The lines of every KfConnection in @connections, in order, each distinct
 * line once: connections that share host, port and a host key (two users on
 * one NAS) give that key one line, as a known_hosts file wants it. */
char *kf_known_hosts_for_connections (GListModel   *connections);

G_END_DECLS
