/* fake-truenas.h: the fake TrueNAS server (state, HTTPS and redirect servers).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <gio/gio.h>

#include "fake-truenas-config.h"

G_BEGIN_DECLS

#define FAKE_TYPE_TRUENAS (fake_truenas_get_type ())
G_DECLARE_FINAL_TYPE (FakeTruenas, fake_truenas, FAKE, TRUENAS, GObject)

/* Takes ownership of @config. */
FakeTruenas *fake_truenas_new              (FakeConfig       *config,
                                            GTlsCertificate  *certificate,
                                            const char       *state_out);
FakeConfig  *fake_truenas_get_config       (FakeTruenas      *self);
/* Listens on 127.0.0.1 (and ::1 when it can) on @port (0: a free one) with
 * HTTPS, and, if @redirect_port >= 0, plain HTTP that redirects to HTTPS. */
gboolean     fake_truenas_listen           (FakeTruenas      *self,
                                            guint             port,
                                            int               redirect_port,
                                            GError          **error);
guint        fake_truenas_get_https_port   (FakeTruenas      *self);
guint        fake_truenas_get_http_port    (FakeTruenas      *self);
void         fake_truenas_disconnect       (FakeTruenas      *self);

/* State shared by the method implementations. */
void         fake_truenas_note_call        (FakeTruenas      *self,
                                            const char       *protocol,
                                            const char       *method);
void         fake_truenas_note_private_without_options (FakeTruenas *self,
                                                        const char  *method);
void         fake_truenas_set_ssh_enabled  (FakeTruenas      *self);
void         fake_truenas_write_state      (FakeTruenas      *self);
/* The user's sshpubkey as middlewared reads it from @path (NULL: no file),
 * and writes it there (user.update); see fake-truenas.c. */
char        *fake_truenas_read_sshpubkey   (const char       *path);
gboolean     fake_truenas_write_sshpubkey  (const char       *path,
                                            const char       *sshpubkey,
                                            GError          **error);
/* keychaincredential.ssh_pair's own change to @path: @public_key appended
 * unless the text already holds it; TRUE with *added telling which. */
gboolean     fake_truenas_add_authorized_key (FakeTruenas    *self,
                                              const char     *path,
                                              const char     *public_key,
                                              gboolean       *added,
                                              GError        **error);
/* "HOST type base64 comment\n\n" for every host key file, as ssh_pair returns. */
char        *fake_truenas_build_host_keys  (FakeTruenas      *self,
                                            const char       *remote_hostname,
                                            GError          **error);

G_END_DECLS
