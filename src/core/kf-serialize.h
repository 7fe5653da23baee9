/* kf-serialize.h: GObject <-> JSON through the properties marked KF_PARAM_PERSIST.
 *
 * The models declare what is saved in one place (their property flags), so the
 * store file format and the models cannot drift apart.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A property with this flag is written to and read from the store file. */
#define KF_PARAM_PERSIST (1 << G_PARAM_USER_SHIFT)

void      kf_serialize_object    (GObject     *object,
                                  JsonBuilder *builder);
GObject  *kf_deserialize_object  (GType        type,
                                  JsonObject  *json,
                                  GError     **error);

G_END_DECLS
