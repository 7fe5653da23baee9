/* kf-truenas-protocol-private.h: the TrueNAS wire protocols without a client.
 *
 * What the TrueNAS client's files share about the JSON they read and write:
 * small JSON readers, the error object middlewared sends (KfTruenasRemoteError) and
 * how it becomes a GError, and the decoder that turns one WebSocket text
 * frame into "a result for request id N", "a remote error for id N" or
 * "nothing for us", for either protocol of truenas-api.md. The decoder
 * knows nothing of the call in flight: matching ids is the client's job.
 * Only the client's files and the fuzz targets include this.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "kf-truenas-client.h"

G_BEGIN_DECLS

/* ---- JSON helpers ------------------------------------------------------- */

/* @str as a JSON string into @out (a buffer the caller may wipe: json-glib's
 * own copies could not be). */
void         kf_truenas_json_append_string (GString      *out,
                                            const char   *str);
/* The member, or NULL / FALSE when absent or of another type. */
const char  *kf_truenas_member_string      (JsonObject   *object,
                                            const char   *name);
gboolean     kf_truenas_member_int         (JsonObject   *object,
                                            const char   *name,
                                            gint64       *out);
JsonObject  *kf_truenas_member_object      (JsonObject   *object,
                                            const char   *name);
JsonArray   *kf_truenas_member_array       (JsonObject   *object,
                                            const char   *name);
/* The JSON text as a root node of @type (an object or an array), or NULL. */
JsonNode    *kf_truenas_parse_json_root    (const char   *data,
                                            gsize         size,
                                            JsonNodeType  type);

/* ---- Errors the server reported (kf-truenas-errors.c) ------------------- */

typedef struct {
  int code;        /* JSON-RPC error code, 0 on the legacy protocol */
  int errnum;      /* middlewared errno, 0 when none */
  char *errname;   /* "EACCES", … or NULL */
  char *type;      /* legacy "VALIDATION" or NULL */
  char *reason;    /* cleaned, never NULL */
  char *details;   /* validation items "field: message; …", or NULL */
} KfTruenasRemoteError;

void         kf_truenas_remote_error_free             (KfTruenasRemoteError       *remote);
KfTruenasRemoteError *kf_truenas_remote_error_copy             (const KfTruenasRemoteError *remote);
/* Both protocols carry middlewared's error object: JSON-RPC in error.data,
 * legacy as "error" itself. */
KfTruenasRemoteError *kf_truenas_remote_error_parse            (JsonObject        *error_object,
                                            gboolean           jsonrpc);
gboolean     kf_truenas_remote_is_validation          (const KfTruenasRemoteError *remote);
/* The reason with validation details, for messages. */
char        *kf_truenas_remote_describe               (const KfTruenasRemoteError *remote);
/* The error any method can get (REMOTE when nothing more specific fits). */
GError      *kf_truenas_remote_error_generic          (const KfTruenasRemoteError *remote,
                                            const char        *method);
/* The same, naming @api_version (e.g. "v25.10.0", or NULL when unknown) when
 * the method is missing. */
GError      *kf_truenas_remote_error_for_version      (const KfTruenasRemoteError *remote,
                                            const char        *method,
                                            const char        *api_version);
/* JSON-RPC -32601 or legacy ENOMETHOD (errno 201): the server has no such
 * method (too old, too new, or private methods closed to outside callers).
 * Check it before any reason text: the legacy reason says "not found". */
gboolean     kf_truenas_remote_is_missing_method      (const KfTruenasRemoteError *remote);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfTruenasRemoteError, kf_truenas_remote_error_free)

/* ---- The decoder (kf-truenas-protocol.c) -------------------------------- */

typedef enum {
  KF_TRUENAS_FRAME_GARBLED,       /* unusable: @problem says why */
  KF_TRUENAS_FRAME_IGNORE,        /* a notification or event, not for us */
  KF_TRUENAS_FRAME_PING,          /* legacy ping: answer with @pong */
  KF_TRUENAS_FRAME_CONNECTED,     /* legacy handshake accepted */
  KF_TRUENAS_FRAME_REFUSED,       /* legacy handshake refused ("failed") */
  KF_TRUENAS_FRAME_RESULT,        /* @result (may be NULL on legacy) for the id */
  KF_TRUENAS_FRAME_NO_RESULT,     /* JSON-RPC answer with neither result nor error */
  KF_TRUENAS_FRAME_ERROR,         /* @remote for the id */
  KF_TRUENAS_FRAME_UNSOLICITED_ERROR, /* JSON-RPC error without an id: @remote */
} KfTruenasFrameKind;

typedef struct {
  KfTruenasFrameKind kind;
  const char  *problem;     /* GARBLED: a translated sentence */
  /* The request id: JSON-RPC an integer, legacy a string; @has_int_id and
   * @str_id tell which the frame carried (an id of another type: neither). */
  gboolean     has_int_id;
  gint64       int_id;
  const char  *str_id;
  JsonNode    *result;      /* RESULT: borrowed from @root */
  KfTruenasRemoteError *remote;      /* ERROR, UNSOLICITED_ERROR: owned */
  char        *pong;        /* PING: the text to send back, owned */
  JsonNode    *root;        /* the parsed frame, owned */
} KfTruenasFrame;

/* Decodes one text frame (@size bytes) of @protocol (JSONRPC or LEGACY) into
 * @frame, which kf_truenas_frame_clear() releases. */
void         kf_truenas_protocol_decode    (KfTruenasProtocol  protocol,
                                            const char        *data,
                                            gsize              size,
                                            KfTruenasFrame    *frame);
void         kf_truenas_frame_clear        (KfTruenasFrame    *frame);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KfTruenasFrame, kf_truenas_frame_clear)

G_END_DECLS
