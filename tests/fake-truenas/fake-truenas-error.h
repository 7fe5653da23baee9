/* fake-truenas-error.h: a TrueNAS middleware error, independent of the wire
 * protocol; fake-truenas-jsonrpc.c and fake-truenas-legacy.c format it.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* middlewared's own errno values (truenas_api_client ErrnoMixin). */
#define FAKE_ENOMETHOD          201
#define FAKE_ENOTAUTHENTICATED  207

typedef enum {
  FAKE_ERROR_CALL,        /* CallError (or any exception): "Method call error" */
  FAKE_ERROR_VALIDATION,  /* ValidationErrors: "Invalid params" */
  FAKE_ERROR_NO_METHOD,   /* unknown method */
  FAKE_ERROR_TOO_MANY,    /* too many calls in flight */
} FakeErrorKind;

typedef struct {
  char *attribute;   /* may be NULL (JSON null) */
  char *message;
  int   errnum;
} FakeValidationItem;

typedef struct {
  FakeErrorKind  kind;
  int            errnum;
  char          *reason;       /* the full reason text, e.g. "[ENOENT] Home directory … does not exist" */
  char          *exc_class;    /* Python class name for the trace, NULL: no trace */
  GPtrArray     *items;        /* of FakeValidationItem*, VALIDATION only */
  gboolean       single;       /* one ValidationError rather than ValidationErrors */
} FakeError;

const char *fake_errname                (int          errnum);
FakeError  *fake_error_new_call         (int          errnum,
                                         const char  *format,
                                         ...) G_GNUC_PRINTF (2, 3);
FakeError  *fake_error_new_exception    (const char  *exc_class,
                                         const char  *reason);
FakeError  *fake_error_new_validation   (void);
void        fake_error_add_item         (FakeError   *error,
                                         const char  *attribute,
                                         int          errnum,
                                         const char  *format,
                                         ...) G_GNUC_PRINTF (4, 5);
FakeError  *fake_error_finish_validation (FakeError  *error);
/* One ValidationError (e.g. InstanceNotFound): reason "[ERRNAME] attr: message". */
FakeError  *fake_error_new_single_validation (const char *exc_class,
                                              const char *attribute,
                                              int         errnum,
                                              const char *message);
FakeError  *fake_error_new_no_method    (const char  *method);
FakeError  *fake_error_new_too_many     (guint        limit);
void        fake_error_free             (FakeError   *error);
/* The "trace" member middlewared sends (a fake Python traceback) or a null node. */
JsonNode   *fake_error_build_trace      (const FakeError *error);
/* [[attribute, message, errno], …] */
JsonNode   *fake_error_build_extra      (const FakeError *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeError, fake_error_free)

G_END_DECLS
