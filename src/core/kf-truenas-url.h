/* kf-truenas-url.h: what the user typed as "TrueNAS URL", normalised.
 *
 * Accepts `https://nas.lan`, `nas.lan` (https assumed), `192.168.1.10:8443`,
 * `https://[fd00::5]`, a bare IPv6 literal `fd00::5` (bracketed, with a note),
 * and `http://…` (kept: the box usually redirects to https, which the client
 * follows and reports). A path, query or fragment is dropped (with a note);
 * a user name or password in the URL is refused.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define KF_TYPE_TRUENAS_URL (kf_truenas_url_get_type ())

typedef struct _KfTruenasUrl KfTruenasUrl;

GType         kf_truenas_url_get_type         (void) G_GNUC_CONST;

/* Returns NULL with KF_TRUENAS_ERROR_BAD_URL (one plain sentence) on bad input. */
KfTruenasUrl *kf_truenas_url_parse            (const char   *text,
                                               GError      **error);
KfTruenasUrl *kf_truenas_url_ref              (KfTruenasUrl *self);
void          kf_truenas_url_unref            (KfTruenasUrl *self);

/* "https://host[:port]" (or "http://…" when typed so); IPv6 bracketed.
 * This is what a connection stores as its TrueNAS URL. */
const char   *kf_truenas_url_get_base         (KfTruenasUrl *self);
/* base + "/api/versions": answers only on boxes with the JSON-RPC API. */
const char   *kf_truenas_url_get_versions_url (KfTruenasUrl *self);
/* "wss://host[:port]/api/current" (ws:// for http). */
const char   *kf_truenas_url_get_jsonrpc_url  (KfTruenasUrl *self);
/* "wss://host[:port]/websocket" (ws:// for http). */
const char   *kf_truenas_url_get_legacy_url   (KfTruenasUrl *self);
/* The host for the SSH connection: IPv6 without brackets, no port. */
const char   *kf_truenas_url_get_host         (KfTruenasUrl *self);
/* The port typed in the URL, or -1 for the scheme's default. */
int           kf_truenas_url_get_port         (KfTruenasUrl *self);
gboolean      kf_truenas_url_is_https         (KfTruenasUrl *self);
/* An API key goes only over https: TrueNAS revokes a key that arrives over
 * plain http. FALSE, with the one sentence that says so, when not @https. */
gboolean      kf_truenas_url_allows_api_key   (gboolean      https,
                                               GError      **error);
/* What was changed while normalising ("The path /ui was dropped."), or NULL. */
const char   *kf_truenas_url_get_note         (KfTruenasUrl *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfTruenasUrl, kf_truenas_url_unref)

G_END_DECLS
