/* kf-store-file.h: the store's file on disk (private to KfStore).
 *
 * Reading it whole, replacing it atomically (temporary file, fsync, rename,
 * fsync of the folder), the lock file "<path>.lock" that makes a change one
 * transaction between processes, and moving a damaged file aside. Nothing
 * here knows the file's contents. Errors are KF_STORE_ERROR_IO with a
 * sentence that names the file and the system's reason.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* What identifies one version of the file on disk. Each save renames a new
 * inode into place, but ext4 reuses freed inodes and mtime only moves once
 * per clock tick, so KfStore compares a random serial written near the top
 * of the file too: a different serial is a different save. */
typedef struct
{
  gboolean exists;
  dev_t    dev;
  ino_t    ino;
  off_t    size;
  gint64   mtime_nsec;
} KfStoreFileStamp;

/* The paths of one store file, fixed when it is created. */
typedef struct
{
  char *path;
  char *dir;
  char *lock_path;
  char *temp_prefix;   /* basename prefix of our temporary files */
} KfStoreFile;

KfStoreFile *kf_store_file_new                (const char        *path);
void         kf_store_file_free               (KfStoreFile       *file);

/* Opens the file for reading: its descriptor, with @stamp taken from it
 * (@stamp->size is the caller's to set, to the bytes it read). -1 with
 * @error unset when there is no file (@stamp->exists FALSE), or with @error. */
int          kf_store_file_open               (KfStoreFile       *file,
                                               KfStoreFileStamp  *stamp,
                                               GError           **error);
/* A KfStoreReaderPull on the descriptor GINT_TO_POINTER (@fd_pointer). */
gssize       kf_store_file_pull               (gpointer           fd_pointer,
                                               char              *buf,
                                               gsize              size);
/* Reads the whole of @fd (from kf_store_file_open()), from its start, into
 * a NUL-terminated buffer. */
gboolean     kf_store_file_read_fd            (KfStoreFile       *file,
                                               int                fd,
                                               char             **data,
                                               gsize             *length,
                                               GError           **error);
/* The file's stamp now (exists FALSE when it is missing); FALSE when it
 * cannot be told. */
gboolean     kf_store_file_stat               (KfStoreFile       *file,
                                               KfStoreFileStamp  *stamp);
gboolean     kf_store_file_stamp_equal        (const KfStoreFileStamp *a,
                                               const KfStoreFileStamp *b);
/* Replaces the file with @data: after a crash the path holds either the old
 * or the new file. Only with the lock held. */
gboolean     kf_store_file_write              (KfStoreFile       *file,
                                               const char        *data,
                                               gsize              length,
                                               GError           **error);
/* As kf_store_file_write(), but only when there is no file yet: one that
 * exists (also one created meanwhile by another process) is never replaced,
 * and the call fails with G_FILE_ERROR_EXIST. Needs no lock. */
gboolean     kf_store_file_write_new          (KfStoreFile       *file,
                                               const char        *data,
                                               gsize              length,
                                               GError           **error);
/* Removes temporary files left by a process killed while saving. Only with
 * the lock held: nobody else is writing one then. */
void         kf_store_file_remove_stale_temps (KfStoreFile       *file);

/* Takes the lock (creating the folder if needed), waiting at most
 * @timeout_usec for another holder. Returns the lock's fd, or -1 with @error. */
int          kf_store_file_lock               (KfStoreFile       *file,
                                               gint64             timeout_usec,
                                               GError           **error);
void         kf_store_file_unlock             (int                fd);

/* Renames the file (unusable) to "<path>.damaged-<timestamp>", never over an
 * existing backup. Only with the lock held. Returns the backup's path. */
char        *kf_store_file_move_aside         (KfStoreFile       *file,
                                               GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfStoreFile, kf_store_file_free)

G_END_DECLS
