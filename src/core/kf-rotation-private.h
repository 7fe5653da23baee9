/* kf-rotation-private.h: the parts of a rotation that live in their own files.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-rotation.h"
#include "kf-secret.h"
#include "kf-ssh-login-private.h"

G_BEGIN_DECLS

/* ~/.ssh/authorized_keys over SFTP on @login's session (kf-rotation-sftp.c).
 * Adds @public_key as one line unless its blob is already there; removes
 * every line holding the blob of @public_key, every other byte kept. The file
 * is written to a temporary file with the mode of the old one and renamed
 * over it (posix-rename@openssh.com), so sshd never sees a partial file.
 * *out_added_newline (add only) tells that a final newline the file lacked
 * was added before the new line; remove takes it back with
 * @strip_added_newline. */
gboolean  kf_rotation_sftp_add_key     (KfSshLogin   *login,
                                        const char   *public_key,
                                        gboolean     *out_added_newline,
                                        GError      **error);
/* The lines of ~/.ssh/authorized_keys holding @public_key, as they are
 * (kf_truenas_keys_lines_with); *out_lines NULL when there is none. */
gboolean  kf_rotation_sftp_key_lines   (KfSshLogin   *login,
                                        const char   *public_key,
                                        char        **out_lines,
                                        GError      **error);
gboolean  kf_rotation_sftp_remove_key  (KfSshLogin   *login,
                                        const char   *public_key,
                                        gboolean      strip_added_newline,
                                        GError      **error);

/* On a TrueNAS box, through its API (kf-rotation-truenas.c). Blocking; for
 * the worker thread, which owns the session. _open() logs in as the
 * connection's admin with @secret (password, or API key when @is_api_key),
 * asking @ask_otp (blocking; NULL gives up) for a one-time password when the
 * TrueNAS wants one. _edit() is one user.update of the SSH user's sshpubkey
 * with @add added (unless there) and @remove removed (each may be NULL). */
typedef struct _KfRotationTruenas KfRotationTruenas;
typedef KfSecret *(*KfRotationOtpFunc) (KfConnection *box,
                                        gpointer      data);

KfRotationTruenas *kf_rotation_truenas_open  (KfConnection       *box,
                                              const char         *secret,
                                              gboolean            is_api_key,
                                              KfRotationOtpFunc   ask_otp,
                                              gpointer            ask_data,
                                              GCancellable       *cancellable,
                                              GError            **error);
gboolean           kf_rotation_truenas_edit  (KfRotationTruenas  *session,
                                              const char         *add,
                                              const char         *remove,
                                              GCancellable       *cancellable,
                                              GError            **error);
/* The user's sshpubkey lines holding @public_key (NULL: none). */
gboolean           kf_rotation_truenas_key_lines (KfRotationTruenas  *session,
                                                  const char         *public_key,
                                                  char              **out_lines,
                                                  GCancellable       *cancellable,
                                                  GError            **error);
void               kf_rotation_truenas_close (KfRotationTruenas  *session);

/* The journal (kf-rotation-journal.c): one pending rotation at most. */
typedef struct {
  char           *connection_id;
  KfRotationStep  step;
  gboolean        added_newline;   /* the new line needed a newline first */
  char           *old_lines;       /* the box's lines holding the old key, as they
                                    * were (options, comment), read before removing
                                    * them: a rollback puts back exactly these */
} KfRotationJournalBox;

typedef struct {
  char       *old_keypair_id;
  char       *new_keypair_id;
  gboolean    rollback;
  GPtrArray  *boxes;               /* KfRotationJournalBox */
} KfRotationJournal;

KfRotationJournal *kf_rotation_journal_new   (const char         *old_keypair_id,
                                              const char         *new_keypair_id);
void               kf_rotation_journal_free  (KfRotationJournal  *journal);
KfRotationJournalBox *kf_rotation_journal_add_box (KfRotationJournal *journal,
                                                   const char        *connection_id);
KfRotationJournalBox *kf_rotation_journal_find_box (KfRotationJournal *journal,
                                                    const char        *connection_id);
/* NULL with no error when there is no journal file. */
KfRotationJournal *kf_rotation_journal_load  (const char         *path,
                                              GError            **error);
/* Written through a temporary file and a rename (KfStoreFile). */
gboolean           kf_rotation_journal_save  (KfRotationJournal  *journal,
                                              const char         *path,
                                              GError            **error);
/* The first save of a new rotation: fails with G_FILE_ERROR_EXIST, writing
 * nothing, when a journal is there (another rotation started meanwhile). */
gboolean           kf_rotation_journal_create (KfRotationJournal  *journal,
                                              const char         *path,
                                              GError            **error);
gboolean           kf_rotation_journal_remove (const char        *path,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfRotationJournal, kf_rotation_journal_free)

G_END_DECLS
