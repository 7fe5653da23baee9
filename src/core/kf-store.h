/* kf-store.h: the key pairs and connections, kept in one JSON file.
 *
 * The file lives in $XDG_DATA_HOME/keyferry/keyferry.json (0600, directory 0700).
 * It never holds a private key: those live in the keyring (KfKeyring).
 *
 * Every change is a transaction: take an exclusive lock on the file's lock
 * file, re-read the file if another process (GUI or CLI) changed it, apply the
 * change, write a temporary file, fsync, rename, fsync the directory, unlock.
 * So two processes never lose each other's writes, and a crash at any moment
 * leaves either the old or the new file. Check outcomes are the one exception to
 * "one change, one save on the calling thread": kf_store_record_test()
 * batches them and a worker thread writes them, in the same transaction
 * (see "Check results" in kf-store.c). A file monitor reloads the lists when
 * another process writes, so the GUI shows what the CLI did.
 *
 * "Changed since we last read it" is decided by the file's inode, size and
 * mtime plus a random "serial" member written near the top of the file on
 * every save (ext4 reuses inodes and mtime moves once per clock tick, so the
 * stat fields alone can miss a quick second save). Reading needs no lock, as
 * the file is only ever replaced whole by rename(). The lock is a blocking
 * flock() (fair between processes) waited for at most 10 seconds, then the
 * change fails with KF_STORE_ERROR_IO (tests may wait less: see
 * kf-store-private.h). The file's I/O and the lock are in kf-store-file.c. A transaction that finds the file
 * damaged moves it aside and fails with that error, changing nothing else.
 *
 * The objects in the lists belong to the store: change them through
 * kf_store_update_keypair() / _connection() with a modified copy, not by
 * setting their properties directly (the store would not save that, and a
 * reload keeps objects whose text in the file did not change).
 *
 * The file: {"format": "keyferry-store", "version": 1, "serial": "...",
 * "keypairs": [...], "connections": [...]}, one item per line, each written
 * by kf_serialize_object() through json-glib. Each stored object keeps its
 * text until it changes, so a save serialises only what changed. The file is
 * read by kf-store-reader.c, which follows the same property flags but is
 * several times faster than json-glib's parser.
 *
 * Signals:
 *   "reloaded" ()                  the lists were (re)read from the file: by
 *                                  kf_store_load(), or because another process
 *                                  wrote it. Existing objects of unchanged ids
 *                                  are kept and updated in place.
 *   "reload-failed" (GError *)     a reload started by kf_store_watch() failed
 *                                  (e.g. the file is damaged: the error names
 *                                  the backup), for the GUI to show.
 *
 * A KfStore is used from one thread (the main one). A transaction that
 * re-reads the file updates the lists while it holds the lock: handlers of
 * the lists' "items-changed" and of the models' "notify" must not change the
 * store (handlers of "reloaded" may: it is emitted after the lock is released).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-connection.h"
#include "kf-keypair.h"

G_BEGIN_DECLS

#define KF_STORE_FORMAT_VERSION 1

#define KF_TYPE_STORE (kf_store_get_type ())

G_DECLARE_FINAL_TYPE (KfStore, kf_store, KF, STORE, GObject)

/* @path: the store file; NULL for $XDG_DATA_HOME/keyferry/keyferry.json. */
KfStore      *kf_store_new                     (const char    *path);
const char   *kf_store_get_path                (KfStore       *self);

/* Reads the file (a missing file is an empty store). A damaged, truncated or
 * newer-version file is renamed to "<path>.damaged-<timestamp>" and the
 * error (KF_STORE_ERROR_DAMAGED / _NEWER_VERSION) names that file; the store
 * is then empty and usable. Other errors (KF_STORE_ERROR_IO) leave the file
 * where it is and the store read-only until a load succeeds. */
gboolean      kf_store_load                    (KfStore       *self,
                                                GError       **error);
/* kf_store_load(), for a thread beside a starting GUI: the read gives up the
 * CPU after every few hundred items (see kf-store-reader.c). */
gboolean      kf_store_load_yielding           (KfStore       *self,
                                                GError       **error);
/* Re-read the file if another process changed it since we last read/wrote it. */
gboolean      kf_store_reload_if_changed       (KfStore       *self,
                                                GError       **error);
/* Watch the file and reload (emitting "reloaded") when another process writes it. */
void          kf_store_watch                   (KfStore       *self);

/* Live lists for list views: GListModel of KfKeypair / KfConnection, in file order. */
GListModel   *kf_store_get_keypairs            (KfStore       *self);
GListModel   *kf_store_get_connections         (KfStore       *self);

KfKeypair    *kf_store_find_keypair            (KfStore       *self,
                                                const char    *id);
KfKeypair    *kf_store_find_keypair_by_name    (KfStore       *self,
                                                const char    *name);
KfConnection *kf_store_find_connection         (KfStore       *self,
                                                const char    *id);
KfConnection *kf_store_find_connection_by_name (KfStore       *self,
                                                const char    *name);
/* Connections whose keypair-id is @keypair_id (a new array of borrowed refs). */
GPtrArray    *kf_store_list_connections_using  (KfStore       *self,
                                                const char    *keypair_id);

/* Each of these is one locked transaction and saves the file.
 * Names must be unique per kind (KF_STORE_ERROR_NAME_TAKEN) and not empty.
 * add/update take a model object; the store keeps its own object per id (add
 * stores a copy: look it up with kf_store_find_keypair()), so update copies
 * @keypair's saved fields onto the stored one. An empty name fails with
 * KF_INPUT_ERROR_NAME; a connection whose keypair-id names no stored key pair
 * with KF_STORE_ERROR_NOT_FOUND. When the file cannot be written, nothing
 * changes (KF_STORE_ERROR_IO). */
gboolean      kf_store_add_keypair             (KfStore       *self,
                                                KfKeypair     *keypair,
                                                GError       **error);
gboolean      kf_store_update_keypair          (KfStore       *self,
                                                KfKeypair     *keypair,
                                                GError       **error);
/* Fails with KF_STORE_ERROR_IN_USE when connections use it, unless
 * @with_connections, which removes them in the same transaction. */
gboolean      kf_store_remove_keypair          (KfStore       *self,
                                                const char    *id,
                                                gboolean       with_connections,
                                                GError       **error);
gboolean      kf_store_add_connection          (KfStore       *self,
                                                KfConnection  *connection,
                                                GError       **error);
gboolean      kf_store_update_connection       (KfStore       *self,
                                                KfConnection  *connection,
                                                GError       **error);
/* Updates several connections in one transaction (one lock, one re-read,
 * one write): as kf_store_update_connection() for each; either all are
 * saved or none. kf_store_update_connection() is the one-element case. */
gboolean      kf_store_update_connections      (KfStore       *self,
                                                GPtrArray     *connections,
                                                GError       **error);
/* Check results, saved in batches (Check All). The stored connection of
 * @outcome's id gets @outcome's test outcome (kf_connection_assign_test) at
 * once, in memory; the file gets it with the others recorded about the same
 * time, at most about once a second, written by a worker thread so the main
 * loop never waits for the disk (kf-store.c says how that stays one locked
 * transaction). A connection removed meanwhile, here or by another process,
 * is not brought back; one edited meanwhile keeps its edit and gets only the
 * outcome. Returns FALSE when no connection of that id is stored. */
gboolean      kf_store_record_test             (KfStore       *self,
                                                KfConnection  *outcome);
/* Saves the recorded outcomes now; ends once they are in the file (or with
 * the error that kept them out: they stay recorded for the next save). */
void          kf_store_save_tests_async        (KfStore       *self,
                                                GAsyncReadyCallback callback,
                                                gpointer       user_data);
gboolean      kf_store_save_tests_finish       (KfStore       *self,
                                                GAsyncResult  *result,
                                                GError       **error);
/* Blocks until the save in flight has landed and saves what is still
 * recorded; before quitting (dispose does it too). */
void          kf_store_flush                   (KfStore       *self);
gboolean      kf_store_remove_connection       (KfStore       *self,
                                                const char    *id,
                                                GError       **error);
/* Adds a key pair and a connection using it in one transaction (Generate New). */
gboolean      kf_store_add_connection_with_keypair (KfStore   *self,
                                                KfConnection  *connection,
                                                KfKeypair     *keypair,
                                                GError       **error);
/* Adds many key pairs and connections in one transaction (import; tests and
 * benchmarks). Same checks as the single adds; either all are added or none. */
gboolean      kf_store_add_all                 (KfStore       *self,
                                                GPtrArray     *keypairs,
                                                GPtrArray     *connections,
                                                GError       **error);

G_END_DECLS
