/* kf-rotation.h: Rotate Key Pair — replace a key pair on every box that uses it.
 *
 * A rotation makes a new key pair (saved through the vault: keyring first,
 * then the store, before any box sees its public key) and takes every chosen
 * connection that uses the old key pair through these steps, box by box:
 *
 *   install     the new public key is added on the box;
 *   login-new   an SSH login with the new key (host key checked against the
 *               stored ones) runs a command;
 *   point       the connection is pointed at the new key pair (store);
 *   remove-old  exactly the old public key is removed from the box;
 *   check-old   an SSH login with the old key must now be refused.
 *
 * Manual connections are edited over SFTP (no remote shell) in the SSH user's
 * ~/.ssh/authorized_keys: the line is matched by key blob, every other byte
 * is kept, the file is written to a temporary file with the same mode and
 * renamed over the old one. TrueNAS connections (truenas_url set) are edited
 * through the TrueNAS API (user.update sshpubkey, as pairing does), which
 * needs the admin password or API key of each box (kf_rotation_set_secret()).
 *
 * At every moment each box accepts at least one key Keyferry holds: the old
 * key is only removed after the new one logged in and the connection points at
 * it. Before each remote step the rotation is written to the journal
 * (rotations.json next to the store: which box, which step, old and new key
 * pair ids), so that a rotation killed or cancelled half-way can be finished
 * or rolled back box by box later (kf_rotation_new_resume()). A box that fails
 * (a changed host key skips the box with a loud reason) is reported and the
 * others go on.
 *
 * The old key pair is never deleted: when no connection uses it any more,
 * kf_rotation_get_old_keypair_unused() says so and the caller offers deletion.
 *
 * The whole run happens in a worker thread; the "progress" signal, the store
 * and the vault are used on the thread-default main context of the caller of
 * kf_rotation_run_async(), which must keep running its main loop.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-enums.h"
#include "kf-keypair.h"
#include "kf-vault.h"

G_BEGIN_DECLS

typedef enum {
  KF_ROTATION_STEP_PENDING,     /* not started on this box */
  KF_ROTATION_STEP_INSTALL,
  KF_ROTATION_STEP_LOGIN_NEW,
  KF_ROTATION_STEP_POINT,
  KF_ROTATION_STEP_REMOVE_OLD,
  KF_ROTATION_STEP_CHECK_OLD,
  KF_ROTATION_STEP_DONE,        /* rotated */
  KF_ROTATION_STEP_ROLLBACK,    /* being put back on the old key */
  KF_ROTATION_STEP_ROLLED_BACK, /* back on the old key, new key removed */
  KF_ROTATION_STEP_FAILED,      /* see the box's message; what remains is said there */
} KfRotationStep;

/* Stable ids used in the journal and in progress lines: "pending", "install",
 * "login-new", "point", "remove-old", "check-old", "done", "rollback",
 * "rolled-back", "failed". */
const char     *kf_rotation_step_to_string   (KfRotationStep step);
gboolean        kf_rotation_step_from_string (const char    *text,
                                              KfRotationStep *out);

/* The journal file for a store at @store_path (rotations.json beside it). */
char           *kf_rotation_journal_path     (const char    *store_path);

#define KF_TYPE_ROTATION (kf_rotation_get_type ())

G_DECLARE_FINAL_TYPE (KfRotation, kf_rotation, KF, ROTATION, GObject)

/* A new rotation of @old_keypair (which must have a private key). */
KfRotation     *kf_rotation_new              (KfVault       *vault,
                                              KfKeypair     *old_keypair);
/* The pending (interrupted) rotation recorded in the journal, or NULL with
 * no error when there is none. Run it to finish it, or set rollback first. */
KfRotation     *kf_rotation_new_resume       (KfVault       *vault,
                                              GError       **error);

/* Before running a new rotation. Default: the old key pair's type and bits. */
void            kf_rotation_set_key_type     (KfRotation    *self,
                                              KfKeyType      type,
                                              guint          bits);
/* Only these connections (names); NULL: every connection using the old key
 * pair. FALSE with an error when a name is unknown or uses another key pair. */
gboolean        kf_rotation_set_connections  (KfRotation    *self,
                                              const char * const *names,
                                              GError       **error);
/* A resumed rotation: TRUE takes every unfinished box back to the old key
 * pair (and deletes the new key pair when no connection uses it). */
void            kf_rotation_set_rollback     (KfRotation    *self,
                                              gboolean       rollback);
gboolean        kf_rotation_get_rollback     (KfRotation    *self);

/* The connections the run will go through, in order (KfConnection). */
GPtrArray      *kf_rotation_get_boxes        (KfRotation    *self);
/* Does @connection need the admin password or API key (a TrueNAS box)? */
gboolean        kf_rotation_box_needs_secret (KfRotation    *self,
                                              KfConnection  *connection);
/* The admin password, or an API key when @is_api_key, for one TrueNAS box;
 * copied into wiped memory, never stored. */
void            kf_rotation_set_secret       (KfRotation    *self,
                                              KfConnection  *connection,
                                              const char    *secret,
                                              gboolean       is_api_key);
/* One line per box: what the run would do there (for --dry-run). */
GStrv           kf_rotation_describe_plan    (KfRotation    *self);

/* Made by kf_rotation_new_resume(). */
gboolean        kf_rotation_is_resume        (KfRotation    *self);
KfKeypair      *kf_rotation_get_old_keypair  (KfRotation    *self);
/* The new key pair once made (or the one of a resumed rotation), else NULL. */
KfKeypair      *kf_rotation_get_new_keypair  (KfRotation    *self);

/* "otp-requested" (KfConnection *box): the TrueNAS @box asks for a one-time
 * password (two-factor admin login). Answer, now or later, with
 * kf_rotation_provide_otp() (NULL or "" gives up on that box; a refused code
 * is asked for again, three times in all). Without a handler the box fails.
 * One login serves every edit on a box, so each box asks at most once. */
void            kf_rotation_provide_otp      (KfRotation    *self,
                                              const char    *otp);

/* "progress" (KfConnection *box, KfRotationStep step, const char *message):
 * emitted on the caller's main context before each step of each box and when
 * a box ends (DONE, ROLLED_BACK or FAILED; the message then says why and what
 * remains on the box). box is NULL for the steps of the whole rotation. */
void            kf_rotation_run_async        (KfRotation          *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* TRUE when every box ended DONE (ROLLED_BACK with rollback); FALSE with an
 * error naming the boxes that failed otherwise. Cancelling stops before the
 * next remote step; the journal keeps the rotation for a resume. */
gboolean        kf_rotation_run_finish       (KfRotation          *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* After the run: how each box ended, and how long it took. */
KfRotationStep  kf_rotation_get_box_step     (KfRotation    *self,
                                              KfConnection  *connection);
const char     *kf_rotation_get_box_message  (KfRotation    *self,
                                              KfConnection  *connection);
double          kf_rotation_get_box_ms       (KfRotation    *self,
                                              KfConnection  *connection);
/* No connection uses the old key pair any more: offer to delete it. */
gboolean        kf_rotation_get_old_keypair_unused (KfRotation *self);

G_END_DECLS
