/* kf-store.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-store"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kf-errors.h"
#include "kf-serialize.h"
#include "kf-store.h"
#include "kf-store-file.h"
#include "kf-store-private.h"
#include "kf-store-reader.h"

#define FORMAT_NAME       "keyferry-store"
#define LOCK_TIMEOUT_USEC (10 * G_USEC_PER_SEC)
#define HEADER_PEEK_SIZE  4096
#define RELOAD_DELAY_MS   50
/* How long recorded test results wait to be saved together (see "Check
 * results" below). */
#define SAVE_DELAY_MS     1000

/* How long a transaction waits for another holder of the lock: see
 * kf_store_set_lock_timeout_for_testing(). */
static gint64 lock_timeout_usec = LOCK_TIMEOUT_USEC;
/* See kf_store_set_reload_hook_for_testing(). */
static GFunc reload_hook;
static gpointer reload_hook_data;

struct _KfStore
{
  GObject       parent_instance;

  char         *path;
  KfStoreFile  *file;

  GListStore   *keypairs;
  GListStore   *connections;
  GHashTable   *keypairs_by_id;      /* id → KfKeypair, borrowed from the list */
  GHashTable   *connections_by_id;   /* id → KfConnection */

  /* The file as we last read or wrote it. known is FALSE before the first
   * successful read and after a failed one: nothing is written until the
   * file has been read again, so we never overwrite what we could not read. */
  gboolean          known;
  KfStoreFileStamp  stamp;
  char             *serial;

  /* "reloaded" is emitted once the lock is released, so handlers may
   * start transactions of their own */
  gboolean      reloaded_pending;

  GFileMonitor *monitor;
  guint         reload_source;

  /* Lists changed (read or committed): a background save whose lists were
   * changed meanwhile is not committed over them (see "Check results"). */
  guint         generation;
  GHashTable   *pending_tests;       /* id → KfConnection holding the outcome */
  struct _SaveJob *save_job;         /* the background save in flight */
  GPtrArray    *save_waiters;        /* GTasks of kf_store_save_tests_async() */
  gboolean      unsaved_told;        /* a waiter was told the pending outcomes are not saved */
  guint         save_source;
  gboolean      reload_after_save;
  struct _ReloadJob *reload_job;     /* the background reload in flight */
  gboolean      reload_again;        /* the file changed again meanwhile */
  gboolean      load_yields;         /* in kf_store_load_yielding() */
};

G_DEFINE_FINAL_TYPE (KfStore, kf_store, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

enum {
  RELOADED,
  RELOAD_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* One mutation, checked against the lists as they are after re-reading the
 * file, written, and only then applied to the lists. */
typedef struct
{
  GPtrArray    *add_keypairs;          /* KfKeypair copies, appended */
  GPtrArray    *add_connections;       /* KfConnection copies, appended */
  KfKeypair    *update_keypair;        /* the caller's fields; then the stored one with them */
  GPtrArray    *update_connections;    /* the callers' KfConnection; then the stored ones with their fields */
  gboolean      tests_only;            /* the updates give only their test outcome (kf_connection_assign_test),
                                        * and connections removed meanwhile are skipped */
  char         *remove_keypair_id;
  gboolean      remove_with_connections;
  GHashTable   *remove_connection_ids; /* set of ids */
} Change;

static Change *
change_new (void)
{
  Change *change = g_new0 (Change, 1);

  change->add_keypairs = g_ptr_array_new_with_free_func (g_object_unref);
  change->add_connections = g_ptr_array_new_with_free_func (g_object_unref);
  change->update_connections = g_ptr_array_new_with_free_func (g_object_unref);
  change->remove_connection_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return change;
}

static void
change_free (Change *change)
{
  g_ptr_array_unref (change->add_keypairs);
  g_ptr_array_unref (change->add_connections);
  g_clear_object (&change->update_keypair);
  g_ptr_array_unref (change->update_connections);
  g_free (change->remove_keypair_id);
  g_hash_table_unref (change->remove_connection_ids);
  g_free (change);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Change, change_free)

static void forget_json (gpointer object);
static void forget_pending_test (KfStore *self, const char *id);
static void reapply_pending_tests (KfStore *self);

/* ------------------------------------------------------------------------ */
/* The lists */

/* Replaces the items of @store with @items: removes the objects that go and
 * inserts the new ones, run by run, so the rows of the objects that stay are
 * left alone; a change of order falls back to one splice of what differs. */
static void
set_list_items (GListStore *store,
                GPtrArray  *items)
{
  GListModel *model = G_LIST_MODEL (store);
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GHashTable) present = NULL;
  guint old_n, new_n = items->len;
  guint prefix = 0, suffix = 0;

  /* A first load: nothing to keep, one splice (the walk below would end in
   * that splice, after hashing every object and reading every item back). */
  if (g_list_model_get_n_items (model) == 0)
    {
      if (new_n > 0)
        g_list_store_splice (store, 0, 0, items->pdata, new_n);
      return;
    }

  wanted = g_hash_table_new (NULL, NULL);
  present = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < items->len; i++)
    g_hash_table_add (wanted, items->pdata[i]);

  /* removals, from the end so positions stay valid */
  for (guint i = g_list_model_get_n_items (model); i > 0;)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, --i);
      guint end = i + 1;

      if (g_hash_table_contains (wanted, item))
        {
          g_hash_table_add (present, item);
          continue;
        }
      while (i > 0)
        {
          g_autoptr(GObject) before = g_list_model_get_item (model, i - 1);
          if (g_hash_table_contains (wanted, before))
            break;
          i--;
        }
      g_list_store_splice (store, i, end - i, NULL, 0);
    }

  /* insertions; right when the objects that stay kept their order */
  for (guint j = 0; j < new_n;)
    {
      guint start = j;

      while (j < new_n && !g_hash_table_contains (present, items->pdata[j]))
        j++;
      if (j > start)
        g_list_store_splice (store, MIN (start, g_list_model_get_n_items (model)), 0,
                             items->pdata + start, j - start);
      else
        j++;
    }

  old_n = g_list_model_get_n_items (model);
  while (prefix < old_n && prefix < new_n)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, prefix);
      if (item != g_ptr_array_index (items, prefix))
        break;
      prefix++;
    }
  while (suffix < old_n - prefix && suffix < new_n - prefix)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, old_n - 1 - suffix);
      if (item != g_ptr_array_index (items, new_n - 1 - suffix))
        break;
      suffix++;
    }
  if (old_n - prefix - suffix == 0 && new_n - prefix - suffix == 0)
    return;
  g_list_store_splice (store, prefix, old_n - prefix - suffix,
                       items->pdata + prefix, new_n - prefix - suffix);
}

typedef const char *(*GetString) (gpointer object);
typedef void (*AssignFunc) (gpointer to, gpointer from);

/* The accessors with the signatures index_items() and merge_items() call
 * them through: calling kf_keypair_get_id() through a GetString would be a
 * call through a pointer of another function type (undefined behaviour,
 * which clang's -fsanitize=function reports). */
static const char *keypair_id (gpointer keypair) { return kf_keypair_get_id (keypair); }
static const char *keypair_name (gpointer keypair) { return kf_keypair_get_name (keypair); }
static void keypair_assign (gpointer to, gpointer from) { kf_keypair_assign (to, from); }
static const char *connection_id (gpointer connection) { return kf_connection_get_id (connection); }
static const char *connection_name (gpointer connection) { return kf_connection_get_name (connection); }
static void connection_assign (gpointer to, gpointer from) { kf_connection_assign (to, from); }

/* id → object (borrowed) for @items. With @get_name, also checks what the
 * reader cannot: every id and name present and unique in the file. */
static GHashTable *
index_items (GPtrArray   *items,
             GetString    get_id,
             GetString    get_name,
             const char  *what,
             GError     **error)
{
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) names = get_name ? g_hash_table_new (g_str_hash, g_str_equal) : NULL;

  for (guint i = 0; i < items->len; i++)
    {
      const char *id = get_id (items->pdata[i]);
      gboolean new_id = g_hash_table_insert (index, (char *) id, items->pdata[i]);

      if (get_name == NULL)
        continue;
      if (id == NULL || *id == '\0' || !new_id)
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                       "%s %u has a missing or repeated id", what, i);
          return NULL;
        }
      {
        const char *name = get_name (items->pdata[i]);
        if (name == NULL || *name == '\0' || !g_hash_table_add (names, (char *) name))
          {
            g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                         "%s %u has a missing or repeated name", what, i);
            return NULL;
          }
      }
    }
  return g_steal_pointer (&index);
}

/* Each key pair's number of connections. The counts are keyed by the key
 * pair object found through @keypair_index (id → key pair), so each
 * connection costs one string hash, and each key pair none. */
static void
update_usage_counts (GPtrArray  *keypairs,
                     GPtrArray  *connections,
                     GHashTable *keypair_index)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < connections->len; i++)
    {
      const char *id = kf_connection_get_keypair_id (connections->pdata[i]);
      gpointer keypair = id != NULL ? g_hash_table_lookup (keypair_index, id) : NULL;

      if (keypair != NULL)
        g_hash_table_insert (counts, keypair,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, keypair)) + 1));
    }
  for (guint i = 0; i < keypairs->len; i++)
    kf_keypair_set_usage_count (keypairs->pdata[i],
                                GPOINTER_TO_UINT (g_hash_table_lookup (counts, keypairs->pdata[i])));
}

/* Makes @keypairs and @connections (and their indexes) the lists' contents.
 * The indexes and counts come first, so "items-changed" handlers that look
 * things up already find the new state. */
static void
set_contents (KfStore    *self,
              GPtrArray  *keypairs,
              GPtrArray  *connections,
              GHashTable *keypair_index,
              GHashTable *connection_index)
{
  g_hash_table_unref (self->keypairs_by_id);
  self->keypairs_by_id = keypair_index;
  g_hash_table_unref (self->connections_by_id);
  self->connections_by_id = connection_index;
  update_usage_counts (keypairs, connections, keypair_index);
  set_list_items (self->keypairs, keypairs);
  set_list_items (self->connections, connections);
  self->generation++;
}

/* The objects to show for what was read: the existing object of every id
 * that is still there, updated in place, so views do not rebuild its row;
 * @index (built from @read) is made to point at them. */
static GPtrArray *
merge_items (GHashTable *old_index,
             GHashTable *index,
             GPtrArray  *read,
             GetString   get_id,
             AssignFunc  assign)
{
  GPtrArray *items = g_ptr_array_new_full (read->len, g_object_unref);
  gboolean any_old = g_hash_table_size (old_index) > 0;

  for (guint i = 0; i < read->len; i++)
    {
      gpointer existing = any_old ? g_hash_table_lookup (old_index, get_id (read->pdata[i])) : NULL;

      /* existing == read: the reader kept it, unchanged */
      if (existing != NULL && existing != read->pdata[i])
        {
          assign (existing, read->pdata[i]);
          forget_json (existing);
          kf_store_reader_set_text_hash (existing, kf_store_reader_get_text_hash (read->pdata[i]));
          g_hash_table_replace (index, (char *) get_id (existing), existing);
        }
      g_ptr_array_add (items, g_object_ref (existing ? existing : read->pdata[i]));
    }
  return items;
}

/* Puts what was read into the lists; FALSE (damaged) on repeated ids or names. */
static gboolean
apply_contents (KfStore    *self,
                GPtrArray  *keypairs,
                GPtrArray  *connections,
                GError    **error)
{
  GHashTable *keypair_index = NULL;
  GHashTable *connection_index = NULL;
  g_autoptr(GPtrArray) new_keypairs = NULL;
  g_autoptr(GPtrArray) new_connections = NULL;

  keypair_index = index_items (keypairs, keypair_id, keypair_name,
                               "Key pair", error);
  if (keypair_index == NULL)
    return FALSE;
  connection_index = index_items (connections, connection_id, connection_name,
                                  "Connection", error);
  if (connection_index == NULL)
    {
      g_hash_table_unref (keypair_index);
      return FALSE;
    }

  new_keypairs = merge_items (self->keypairs_by_id, keypair_index, keypairs,
                              keypair_id, keypair_assign);
  new_connections = merge_items (self->connections_by_id, connection_index, connections,
                                 connection_id, connection_assign);
  set_contents (self, new_keypairs, new_connections, keypair_index, connection_index);
  return TRUE;
}

static void
clear_contents (KfStore *self)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();

  apply_contents (self, none, none, NULL);
}

/* ------------------------------------------------------------------------ */
/* Loading */

/* Asked by the reader for every element: an object of ours that was read
 * from exactly this text (and not changed since) is kept as it is, without
 * building a new one and copying it over: reloading 10,000 + 10,000 items
 * after another process changed one then costs about what loading does. */
static GObject *
reuse_unchanged (GType       type,
                 const char *id,
                 guint64     text_hash,
                 gpointer    data)
{
  KfStore *self = data;
  GObject *existing = g_hash_table_lookup (type == KF_TYPE_KEYPAIR ? self->keypairs_by_id : self->connections_by_id, id);

  if (existing != NULL && kf_store_reader_get_text_hash (existing) == (guint64) (gsize) text_hash)
    return g_object_ref (existing);
  return NULL;
}

/* Is @file no longer the one with @stamp and @serial (@known: we read it)?
 * Touches nothing else, so a background save (any thread) asks it too. */
static gboolean
file_differs (KfStoreFile            *file,
              gboolean                known,
              const KfStoreFileStamp *stamp,
              const char             *serial)
{
  KfStoreFileStamp now;
  g_autofree char *now_serial = NULL;
  char header[HEADER_PEEK_SIZE];
  gssize n;
  int fd;

  if (!known)
    return TRUE;
  if (!kf_store_file_stat (file, &now))
    return TRUE;
  if (!kf_store_file_stamp_equal (&now, stamp))
    return TRUE;
  if (!now.exists)
    return FALSE;

  fd = open (file->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return TRUE;
  n = read (fd, header, sizeof header);
  close (fd);
  if (n < 0)
    return TRUE;
  now_serial = kf_store_reader_peek_serial (header, n);
  return g_strcmp0 (now_serial, serial) != 0;
}

/* Has the file changed since we last read or wrote it? */
static gboolean
file_changed (KfStore *self)
{
  return file_differs (self->file, self->known, &self->stamp, self->serial);
}

static void
forget_file (KfStore *self)
{
  self->known = FALSE;
  g_clear_pointer (&self->serial, g_free);
}

typedef enum
{
  READ_PARSED,
  READ_MISSING,
  READ_DAMAGED,   /* @error: what is wrong with the text */
  READ_FAILED,    /* @error: why it could not be read */
} ReadOutcome;

/* Reads and parses the file a window at a time (kf_store_reader_parse_stream()),
 * or, when the window cannot do, as a whole, which says what is wrong. The
 * whole text of 10,000 + 10,000 items is 17.8 MB: allocating and filling it
 * was most of what the start-up load cost the main thread running beside
 * it (bench/bench-startup.sh). @background: the worker of a background
 * reload, which calls the tests' hook once the file is open. @yields: see
 * kf_store_load_yielding(). */
static ReadOutcome
read_contents (KfStoreFile       *file,
               KfStoreReuseFunc   reuse,
               gpointer           reuse_data,
               gboolean           background,
               gboolean           yields,
               KfStoreContents   *contents,
               KfStoreFileStamp  *stamp,
               GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  gsize length = 0;
  ReadOutcome outcome;
  int fd = kf_store_file_open (file, stamp, &local_error);

  if (fd < 0)
    {
      if (local_error == NULL)
        return READ_MISSING;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return READ_FAILED;
    }
  if (background && reload_hook != NULL)
    reload_hook (file, reload_hook_data);

  if (kf_store_reader_parse_stream (kf_store_file_pull, GINT_TO_POINTER (fd), reuse, reuse_data,
                                    yields, contents, &length))
    outcome = READ_PARSED;
  else if (!kf_store_file_read_fd (file, fd, &text, &length, error))
    outcome = READ_FAILED;
  else if (kf_store_reader_parse (text, length, reuse, reuse_data, contents, error))
    outcome = READ_PARSED;
  else
    outcome = READ_DAMAGED;
  close (fd);
  stamp->size = length;
  return outcome;
}

/* Reads the file into the lists. Without the lock a damaged file is read
 * again under the lock before it is moved aside, as another process may be
 * replacing it at that moment; so @lock_fd is -1 or the held lock. */
static gboolean
reload (KfStore  *self,
        int       lock_fd,
        gboolean  force,
        GError  **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *backup = NULL;
  KfStoreContents contents = { 0 };
  KfStoreFileStamp stamp;
  ReadOutcome outcome;

  if (!force && !file_changed (self))
    return TRUE;

  /* nothing to reuse in an empty store: skip the lookups */
  outcome = read_contents (self->file,
                           g_hash_table_size (self->keypairs_by_id) + g_hash_table_size (self->connections_by_id) > 0
                           ? reuse_unchanged : NULL,
                           self, FALSE, self->load_yields, &contents, &stamp, &local_error);
  if (outcome == READ_FAILED)
    {
      forget_file (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (outcome == READ_MISSING)
    {
      clear_contents (self);
      self->known = TRUE;
      self->stamp = stamp;
      g_clear_pointer (&self->serial, g_free);
      self->reloaded_pending = TRUE;
      return TRUE;
    }

  if (outcome == READ_PARSED && apply_contents (self, contents.keypairs, contents.connections, &local_error))
    {
      self->known = TRUE;
      self->stamp = stamp;
      g_free (self->serial);
      self->serial = g_steal_pointer (&contents.serial);
      kf_store_contents_clear (&contents);
      self->reloaded_pending = TRUE;
      reapply_pending_tests (self);
      return TRUE;
    }
  kf_store_contents_clear (&contents);

  if (lock_fd < 0)
    {
      int fd = kf_store_file_lock (self->file, lock_timeout_usec, error);
      gboolean ok;

      if (fd < 0)
        {
          forget_file (self);
          return FALSE;
        }
      ok = reload (self, fd, TRUE, error);
      kf_store_file_unlock (fd);
      return ok;
    }

  g_message ("%s is unusable: %s", self->path, local_error->message);
  backup = kf_store_file_move_aside (self->file, error);
  if (backup == NULL)
    {
      forget_file (self);
      return FALSE;
    }
  clear_contents (self);
  self->known = TRUE;
  memset (&self->stamp, 0, sizeof self->stamp);
  g_clear_pointer (&self->serial, g_free);
  self->reloaded_pending = TRUE;

  if (g_error_matches (local_error, KF_STORE_ERROR, KF_STORE_ERROR_NEWER_VERSION))
    g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NEWER_VERSION,
                 _("The saved connections and key pairs were written by a newer version of Keyferry, "
                 "so they were kept in “%s” and this version started with empty lists."), backup);
  else
    g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                 _("The saved connections and key pairs could not be read because the file is damaged, "
                 "so it was kept in “%s” and Keyferry started with empty lists."), backup);
  return FALSE;
}

static void
emit_pending (KfStore *self)
{
  if (self->reloaded_pending)
    {
      self->reloaded_pending = FALSE;
      g_signal_emit (self, signals[RELOADED], 0);
    }
}

gboolean
kf_store_load (KfStore  *self,
               GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = reload (self, -1, TRUE, error);
  emit_pending (self);
  return ok;
}

gboolean
kf_store_load_yielding (KfStore  *self,
                        GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);

  self->load_yields = TRUE;
  ok = kf_store_load (self, error);
  self->load_yields = FALSE;
  return ok;
}

gboolean
kf_store_reload_if_changed (KfStore  *self,
                            GError  **error)
{
  gboolean ok;

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = reload (self, -1, FALSE, error);
  emit_pending (self);
  return ok;
}

/* ------------------------------------------------------------------------ */
/* Reloading in the background
 *
 * A change by another process (keyferry-cli, a second window's process) is
 * read and parsed in a worker thread: with 10,000 + 10,000 items that is
 * ~35 ms the main loop would otherwise stand still. Only putting the result
 * into the lists (apply_contents(), ~14 ms) runs on the main thread, as the
 * lists are the views' models.
 *
 * The thread gets what it needs fixed before it starts: a KfStoreFile of its
 * own, and the objects in the lists with the hashes of the texts they were
 * read from, so an unchanged element keeps its object (as reuse_unchanged()
 * does for a synchronous reload). It touches nothing of the store's.
 *
 * The result is used only if the lists are as the thread found them (the
 * same generation) and no save is in flight; otherwise a transaction, a
 * load or a save came in between, and the file is looked at again. A file
 * the thread could not use (gone, damaged, unreadable) is handed to the
 * synchronous reload, which takes the lock, moves a damaged file aside and
 * reports: those are rare, and their handling stays in one place. */

typedef struct _ReloadJob
{
  KfStore          *store;         /* main thread; NULL once abandoned */
  guint             generation;    /* of the lists the objects below are from */
  KfStoreFile      *file;
  GPtrArray        *objects;       /* key pairs and connections, with ... */
  GArray           *hashes;        /* ... the text hash of each (guint64) */
  GHashTable       *by_id;         /* the thread's: id → index into objects */
  /* the thread's answer */
  KfStoreFileStamp  stamp;
  KfStoreContents   contents;
  gboolean          usable;
} ReloadJob;

static void
reload_job_free (ReloadJob *job)
{
  kf_store_file_free (job->file);
  g_clear_pointer (&job->by_id, g_hash_table_unref);
  g_ptr_array_unref (job->objects);
  g_array_unref (job->hashes);
  kf_store_contents_clear (&job->contents);
  g_free (job);
}

static void
snapshot_items (ReloadJob  *job,
                GListModel *items)
{
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    {
      GObject *object = g_list_model_get_item (items, i);
      guint64 hash = kf_store_reader_get_text_hash (object);

      g_ptr_array_add (job->objects, object);
      g_array_append_val (job->hashes, hash);
    }
}

/* reuse_unchanged() from the snapshot: ids never change, so the thread may
 * read them; it only takes references to the objects otherwise. */
static GObject *
reuse_from_snapshot (GType       type,
                     const char *id,
                     guint64     text_hash,
                     gpointer    data)
{
  ReloadJob *job = data;
  gpointer found;
  guint i;

  if (!g_hash_table_lookup_extended (job->by_id, id, NULL, &found))
    return NULL;
  i = GPOINTER_TO_UINT (found);
  if (G_OBJECT_TYPE (job->objects->pdata[i]) != type
      || g_array_index (job->hashes, guint64, i) != (guint64) (gsize) text_hash)
    return NULL;
  return g_object_ref (job->objects->pdata[i]);
}

static void
reload_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  ReloadJob *job = data;

  job->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < job->objects->len; i++)
    {
      gpointer object = job->objects->pdata[i];
      const char *id = KF_IS_KEYPAIR (object) ? keypair_id (object) : connection_id (object);

      g_hash_table_insert (job->by_id, (char *) id, GUINT_TO_POINTER (i));
    }
  job->usable = read_contents (job->file, job->objects->len > 0 ? reuse_from_snapshot : NULL, job,
                               TRUE, FALSE, &job->contents, &job->stamp, NULL) == READ_PARSED;
}

static void start_background_reload (KfStore *self);

static void
on_reload_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ReloadJob *job = g_task_get_task_data (G_TASK (result));
  KfStore *self = job->store;
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;   /* the store went away */
  self->reload_job = NULL;

  if (job->generation != self->generation || self->save_job != NULL)
    {
      /* read beside a transaction, a load or a save: look again */
      start_background_reload (self);
      return;
    }
  if (job->usable && apply_contents (self, job->contents.keypairs, job->contents.connections, NULL))
    {
      self->known = TRUE;
      self->stamp = job->stamp;
      g_free (self->serial);
      self->serial = g_steal_pointer (&job->contents.serial);
      self->reloaded_pending = TRUE;
      reapply_pending_tests (self);
      emit_pending (self);
    }
  else if (!kf_store_reload_if_changed (self, &error))
    g_signal_emit (self, signals[RELOAD_FAILED], 0, error);

  if (self->reload_again)
    {
      self->reload_again = FALSE;
      start_background_reload (self);
    }
}

/* Reads the file in a worker thread if another process changed it. */
static void
start_background_reload (KfStore *self)
{
  g_autoptr(GTask) task = NULL;
  ReloadJob *job;

  if (self->reload_job != NULL)
    {
      self->reload_again = TRUE;
      return;
    }
  /* Most likely our own background save: once it is committed, there is
   * nothing to re-read (re-reading it now would cost a whole load). */
  if (self->save_job != NULL)
    {
      self->reload_after_save = TRUE;
      return;
    }
  if (!file_changed (self))
    return;

  job = g_new0 (ReloadJob, 1);
  job->store = self;
  job->generation = self->generation;
  job->file = kf_store_file_new (self->path);
  job->objects = g_ptr_array_new_with_free_func (g_object_unref);
  job->hashes = g_array_new (FALSE, FALSE, sizeof (guint64));
  snapshot_items (job, G_LIST_MODEL (self->keypairs));
  snapshot_items (job, G_LIST_MODEL (self->connections));
  self->reload_job = job;

  task = g_task_new (NULL, NULL, on_reload_done, NULL);
  g_task_set_source_tag (task, start_background_reload);
  g_task_set_task_data (task, job, (GDestroyNotify) reload_job_free);
  g_task_run_in_thread (task, reload_thread);
}

static gboolean
reload_timeout_cb (gpointer data)
{
  KfStore *self = data;

  self->reload_source = 0;
  start_background_reload (self);
  return G_SOURCE_REMOVE;
}

static void
monitor_changed_cb (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other_file,
                    GFileMonitorEvent  event,
                    gpointer           data)
{
  KfStore *self = data;
  g_autofree char *base = g_path_get_basename (self->path);
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *other = other_file ? g_file_get_basename (other_file) : NULL;

  if (g_strcmp0 (name, base) != 0 && g_strcmp0 (other, base) != 0)
    return;
  /* A save is several events (create, rename, attribute changes): wait for
   * them to settle, then compare with what we last read or wrote, which also
   * ignores our own saves. */
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
}

void
kf_store_watch (KfStore *self)
{
  g_autoptr(GFile) dir = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KF_IS_STORE (self));

  if (self->monitor != NULL)
    return;
  g_mkdir_with_parents (self->file->dir, 0700);
  dir = g_file_new_for_path (self->file->dir);
  self->monitor = g_file_monitor_directory (dir, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (self->monitor == NULL)
    {
      g_message ("Not watching %s for changes by other programs: %s", self->file->dir, error->message);
      return;
    }
  g_signal_connect (self->monitor, "changed", G_CALLBACK (monitor_changed_cb), self);
}

/* ------------------------------------------------------------------------ */
/* Transactions */

/* Names of the given kind that stay after @change, minus the entries in
 * @skip_ids (ids being removed or renamed). name → id. */
static GHashTable *
names_in_use (GListModel  *model,
              gboolean     keypairs,
              GHashTable  *skip_ids,
              const char  *skip_id)
{
  GHashTable *names = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) object = g_list_model_get_item (model, i);
      const char *id = keypairs ? kf_keypair_get_id (KF_KEYPAIR (object)) : kf_connection_get_id (KF_CONNECTION (object));
      const char *name = keypairs ? kf_keypair_get_name (KF_KEYPAIR (object)) : kf_connection_get_name (KF_CONNECTION (object));

      if ((skip_ids != NULL && g_hash_table_contains (skip_ids, id)) || g_strcmp0 (id, skip_id) == 0)
        continue;
      if (name != NULL)
        g_hash_table_insert (names, (char *) name, (char *) id);
    }
  return names;
}

static gboolean
claim_name (GHashTable  *names,
            const char  *name,
            const char  *id,
            gboolean     keypair,
            GError     **error)
{
  const char *p = name;

  while (p != NULL && g_ascii_isspace (*p))
    p++;
  if (p == NULL || *p == '\0')
    {
      g_set_error_literal (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME,
                           keypair ? _("A key pair needs a name.") : _("A connection needs a name."));
      return FALSE;
    }
  if (g_hash_table_contains (names, name))
    {
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                   keypair ? _("A key pair named “%s” already exists; choose another name.")
                           : _("A connection named “%s” already exists; choose another name."),
                   name);
      return FALSE;
    }
  g_hash_table_insert (names, (char *) name, (char *) id);
  return TRUE;
}

static gboolean
keypair_exists_after (KfStore    *self,
                      Change     *change,
                      GHashTable *added_ids,
                      const char *id)
{
  if (g_strcmp0 (id, change->remove_keypair_id) == 0)
    return FALSE;
  return g_hash_table_contains (self->keypairs_by_id, id) || g_hash_table_contains (added_ids, id);
}

static gboolean
check_connection_keypair (KfStore      *self,
                          Change       *change,
                          GHashTable   *added_ids,
                          KfConnection *connection,
                          GError      **error)
{
  const char *keypair_id = kf_connection_get_keypair_id (connection);

  if (keypair_id == NULL || keypair_exists_after (self, change, added_ids, keypair_id))
    return TRUE;
  g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
               _("The key pair chosen for the connection “%s” no longer exists; choose another one."),
               kf_connection_get_name (connection));
  return FALSE;
}

#define KEYPAIR_GONE    _("The key pair no longer exists; it may have been removed in another window.")
#define CONNECTION_GONE _("The connection no longer exists; it may have been removed in another window.")

/* The key pair to remove exists, and so do the connections going with it
 * (added to @change), unless they must stay. */
static gboolean
prepare_keypair_removal (KfStore  *self,
                         Change   *change,
                         GError  **error)
{
  KfKeypair *keypair = g_hash_table_lookup (self->keypairs_by_id, change->remove_keypair_id);
  g_autoptr(GPtrArray) users = NULL;

  if (keypair == NULL)
    {
      g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, KEYPAIR_GONE);
      return FALSE;
    }
  users = kf_store_list_connections_using (self, change->remove_keypair_id);
  if (users->len > 0 && !change->remove_with_connections)
    {
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The key pair “%s” is used by %u connection; remove that connection first, or remove it together with the key pair.",
                                "The key pair “%s” is used by %u connections; remove those connections first, or remove them together with the key pair.",
                                users->len),
                   kf_keypair_get_name (keypair), users->len);
      return FALSE;
    }
  for (guint i = 0; i < users->len; i++)
    g_hash_table_add (change->remove_connection_ids,
                      g_strdup (kf_connection_get_id (users->pdata[i])));
  return TRUE;
}

static gboolean
check_connections_exist (KfStore     *self,
                         GHashTable  *ids,
                         GError     **error)
{
  GHashTableIter iter;
  gpointer id;

  g_hash_table_iter_init (&iter, ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    if (!g_hash_table_contains (self->connections_by_id, id))
      {
        g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, CONNECTION_GONE);
        return FALSE;
      }
  return TRUE;
}

/* The key pairs updated and added: they exist (or not yet), their names are
 * free; the update becomes the stored object with the caller's fields. */
static gboolean
prepare_keypair_changes (KfStore  *self,
                         Change   *change,
                         GError  **error)
{
  g_autoptr(GHashTable) names = NULL;

  if (change->update_keypair == NULL && change->add_keypairs->len == 0)
    return TRUE;
  names = names_in_use (G_LIST_MODEL (self->keypairs), TRUE, NULL,
                        change->update_keypair ? kf_keypair_get_id (change->update_keypair) : NULL);
  if (change->remove_keypair_id != NULL)
    {
      KfKeypair *removed = g_hash_table_lookup (self->keypairs_by_id, change->remove_keypair_id);
      g_hash_table_remove (names, kf_keypair_get_name (removed));
    }
  if (change->update_keypair != NULL)
    {
      const char *id = kf_keypair_get_id (change->update_keypair);
      KfKeypair *merged;

      if (!g_hash_table_contains (self->keypairs_by_id, id))
        {
          g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, KEYPAIR_GONE);
          return FALSE;
        }
      if (!claim_name (names, kf_keypair_get_name (change->update_keypair), id, TRUE, error))
        return FALSE;
      /* what will be saved: the stored object (its id and creation time)
       * with the caller's fields, built from the lists as just re-read */
      merged = kf_keypair_copy (g_hash_table_lookup (self->keypairs_by_id, id));
      kf_keypair_assign (merged, change->update_keypair);
      g_object_unref (change->update_keypair);
      change->update_keypair = merged;
    }
  for (guint i = 0; i < change->add_keypairs->len; i++)
    {
      KfKeypair *keypair = change->add_keypairs->pdata[i];

      if (g_hash_table_contains (self->keypairs_by_id, kf_keypair_get_id (keypair)))
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                       _("The key pair “%s” is already saved."), kf_keypair_get_name (keypair));
          return FALSE;
        }
      if (!claim_name (names, kf_keypair_get_name (keypair), kf_keypair_get_id (keypair), TRUE, error))
        return FALSE;
    }
  return TRUE;
}

/* Turns each caller's connection of @change into the stored object (as just
 * re-read) with the caller's fields, or only its test outcome. */
static gboolean
prepare_connection_updates (KfStore     *self,
                            Change      *change,
                            GHashTable  *names,
                            GHashTable  *added_ids,
                            GError     **error)
{
  g_autoptr(GPtrArray) merged = g_ptr_array_new_full (change->update_connections->len, g_object_unref);

  for (guint i = 0; i < change->update_connections->len; i++)
    {
      KfConnection *update = change->update_connections->pdata[i];
      const char *id = kf_connection_get_id (update);
      KfConnection *stored = g_hash_table_lookup (self->connections_by_id, id);
      KfConnection *copy;

      if (stored == NULL && change->tests_only)
        continue;   /* removed meanwhile: not brought back by its outcome */
      if (stored == NULL)
        {
          g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND, CONNECTION_GONE);
          return FALSE;
        }
      if (!change->tests_only
          && (!claim_name (names, kf_connection_get_name (update), id, FALSE, error)
              || !check_connection_keypair (self, change, added_ids, update, error)))
        return FALSE;
      copy = kf_connection_copy (stored);
      if (change->tests_only)
        kf_connection_assign_test (copy, update);
      else
        kf_connection_assign (copy, update);
      g_ptr_array_add (merged, copy);
    }
  g_ptr_array_unref (change->update_connections);
  change->update_connections = g_steal_pointer (&merged);
  return TRUE;
}

/* As prepare_keypair_changes(), and every connection's key pair exists
 * after @change (@added_ids: the key pairs it adds). */
static gboolean
prepare_connection_changes (KfStore     *self,
                            Change      *change,
                            GHashTable  *added_ids,
                            GError     **error)
{
  g_autoptr(GHashTable) names = NULL;

  if (change->update_connections->len == 0 && change->add_connections->len == 0)
    return TRUE;
  /* names change only with whole updates and with adds */
  if (!change->tests_only || change->add_connections->len > 0)
    {
      g_autoptr(GHashTable) skip = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter iter;
      gpointer id;

      g_hash_table_iter_init (&iter, change->remove_connection_ids);
      while (g_hash_table_iter_next (&iter, &id, NULL))
        g_hash_table_add (skip, id);
      for (guint i = 0; !change->tests_only && i < change->update_connections->len; i++)
        g_hash_table_add (skip, (char *) kf_connection_get_id (change->update_connections->pdata[i]));
      names = names_in_use (G_LIST_MODEL (self->connections), FALSE, skip, NULL);
    }
  if (!prepare_connection_updates (self, change, names, added_ids, error))
    return FALSE;
  for (guint i = 0; i < change->add_connections->len; i++)
    {
      KfConnection *connection = change->add_connections->pdata[i];

      if (g_hash_table_contains (self->connections_by_id, kf_connection_get_id (connection)))
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN,
                       _("The connection “%s” is already saved."), kf_connection_get_name (connection));
          return FALSE;
        }
      if (!claim_name (names, kf_connection_get_name (connection), kf_connection_get_id (connection), FALSE, error)
          || !check_connection_keypair (self, change, added_ids, connection, error))
        return FALSE;
    }
  return TRUE;
}

/* Checks @change against the lists as they are now (just re-read) and fills
 * in what depends on them (the connections removed with a key pair). */
static gboolean
prepare_change (KfStore  *self,
                Change   *change,
                GError  **error)
{
  g_autoptr(GHashTable) added_ids = index_items (change->add_keypairs, keypair_id,
                                                 NULL, NULL, NULL);

  if (change->remove_keypair_id != NULL && !prepare_keypair_removal (self, change, error))
    return FALSE;
  return check_connections_exist (self, change->remove_connection_ids, error)
         && prepare_keypair_changes (self, change, error)
         && prepare_connection_changes (self, change, added_ids, error);
}

/* The items of a list after @change, in order (new references). */
static GPtrArray *
items_after (GListModel *model,
             GHashTable *remove_ids,
             const char *remove_id,
             GPtrArray  *added,
             gboolean    keypairs)
{
  guint n = g_list_model_get_n_items (model);
  GPtrArray *items = g_ptr_array_new_full (n + added->len, g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      GObject *object = g_list_model_get_item (model, i);
      const char *id = keypairs ? kf_keypair_get_id (KF_KEYPAIR (object)) : kf_connection_get_id (KF_CONNECTION (object));

      if ((remove_ids != NULL && g_hash_table_contains (remove_ids, id)) || g_strcmp0 (id, remove_id) == 0)
        g_object_unref (object);
      else
        g_ptr_array_add (items, object);
    }
  for (guint i = 0; i < added->len; i++)
    g_ptr_array_add (items, g_object_ref (added->pdata[i]));
  return items;
}

/* Each stored object keeps its JSON text, as kf_serialize_object() gives it,
 * until it changes: a save then serialises only what changed and copies the
 * rest (with 10,000 + 10,000 items, a save went from ~330 ms to the cost of
 * writing the file). Whoever changes a stored object calls forget_json().
 * The texts are GRefStrings: a background save takes references to them on
 * the main thread and joins them into the file's text on its own. */
static GQuark
json_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("kf-store-json");
  return quark;
}

static void
forget_json (gpointer object)
{
  g_object_set_qdata (object, json_quark (), NULL);
}

/* The object's JSON text (a GRefString owned by the object). */
static const char *
object_json (GObject       *object,
             JsonBuilder   *builder,
             JsonGenerator *generator)
{
  char *text = g_object_get_qdata (object, json_quark ());

  if (text == NULL)
    {
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *data = NULL;

      json_builder_reset (builder);
      kf_serialize_object (object, builder);
      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      data = json_generator_to_data (generator, NULL);
      text = g_ref_string_new (data);
      g_object_set_qdata_full (object, json_quark (), text, (GDestroyNotify) g_ref_string_release);
    }
  return text;
}

/* What the file will hold: the texts of its items, in order (references). */
typedef struct
{
  GPtrArray *keypairs;      /* GRefString */
  GPtrArray *connections;
  GString   *out;           /* allocated by collect_texts(), filled by join_texts() */
} StoreTexts;

static void
store_texts_free (StoreTexts *texts)
{
  g_ptr_array_unref (texts->keypairs);
  g_ptr_array_unref (texts->connections);
  if (texts->out != NULL)
    g_string_free (texts->out, TRUE);
  g_free (texts);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTexts, store_texts_free)

/* @items' texts, each stored object found in @updates taken as its update
 * there (the stored object with its new fields). */
static GPtrArray *
collect_list (GPtrArray     *items,
              GHashTable    *updates,
              JsonBuilder   *builder,
              JsonGenerator *generator)
{
  GPtrArray *texts = g_ptr_array_new_full (items->len, (GDestroyNotify) g_ref_string_release);
  gboolean any = g_hash_table_size (updates) > 0;

  for (guint i = 0; i < items->len; i++)
    {
      gpointer update = any ? g_hash_table_lookup (updates, items->pdata[i]) : NULL;

      g_ptr_array_add (texts, g_ref_string_acquire ((char *) object_json (update ? update : items->pdata[i],
                                                                           builder, generator)));
    }
  return texts;
}

static void
join_list (GString   *out,
           GPtrArray *texts)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < texts->len; i++)
    {
      g_string_append (out, i == 0 ? "\n" : ",\n");
      g_string_append_len (out, texts->pdata[i], g_ref_string_length (texts->pdata[i]));
    }
  g_string_append (out, texts->len > 0 ? "\n]" : "]");
}

static char *
new_serial (void)
{
  return g_strdup_printf ("%08x%08x%08x%08x", g_random_int (), g_random_int (), g_random_int (), g_random_int ());
}

/* The texts of the file after @change (@keypairs and @connections: the
 * lists after it). Main thread: it serialises what changed. */
static StoreTexts *
collect_texts (KfStore    *self,
               GPtrArray  *keypairs,
               GPtrArray  *connections,
               Change     *change)
{
  KfKeypair *update_keypair = change->update_keypair;
  g_autoptr(GHashTable) updates = g_hash_table_new (NULL, NULL);   /* stored object → update */
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  StoreTexts *texts = g_new0 (StoreTexts, 1);

  if (update_keypair != NULL)
    g_hash_table_insert (updates, kf_store_find_keypair (self, kf_keypair_get_id (update_keypair)), update_keypair);
  for (guint i = 0; i < change->update_connections->len; i++)
    {
      KfConnection *update = change->update_connections->pdata[i];

      g_hash_table_insert (updates, kf_store_find_connection (self, kf_connection_get_id (update)), update);
    }
  texts->keypairs = collect_list (keypairs, updates, builder, generator);
  texts->connections = collect_list (connections, updates, builder, generator);
  /* The whole text's buffer, allocated here: growing a 20 MB string costs
   * more than writing it, and megabytes allocated by a worker thread would
   * stay in that thread's malloc arena (+50 MB RSS over a Check All). */
  {
    gsize size = 256;

    for (guint i = 0; i < texts->keypairs->len; i++)
      size += g_ref_string_length (texts->keypairs->pdata[i]) + 2;
    for (guint i = 0; i < texts->connections->len; i++)
      size += g_ref_string_length (texts->connections->pdata[i]) + 2;
    texts->out = g_string_sized_new (size);
  }
  return texts;
}

/* The file's text (freed by the caller): any thread, once per @texts. */
static char *
join_texts (StoreTexts *texts,
            const char *serial,
            gsize      *length)
{
  GString *out = g_steal_pointer (&texts->out);

  /* format, version and serial first: kf_store_reader_peek_serial() looks
   * only at the start of the file; then one item per line */
  g_string_append_printf (out, "{\"format\": \"%s\", \"version\": %d, \"serial\": \"%s\",\n\"keypairs\": ",
                          FORMAT_NAME, KF_STORE_FORMAT_VERSION, serial);
  join_list (out, texts->keypairs);
  g_string_append (out, ",\n\"connections\": ");
  join_list (out, texts->connections);
  g_string_append (out, "}\n");
  *length = out->len;
  return g_string_free (out, FALSE);
}

/* Gives the stored object the fields (and the JSON text) just saved for it. */
static void
commit_update (gpointer   stored,
               gpointer   update,
               AssignFunc assign)
{
  assign (stored, update);
  kf_store_reader_set_text_hash (stored, 0);   /* no longer what was read */
  g_object_set_qdata_full (stored, json_quark (),
                           g_object_steal_qdata (update, json_quark ()), (GDestroyNotify) g_ref_string_release);
}

/* Applies a saved @change to the lists (@keypairs and @connections are the
 * lists after it). The indexes and usage counts are updated for what changed
 * only: rebuilding them for 10,000 + 10,000 items was most of a small save. */
static void
commit_change (KfStore   *self,
               Change    *change,
               GPtrArray *keypairs,
               GPtrArray *connections)
{
  g_autoptr(GPtrArray) touched = g_ptr_array_new_with_free_func (g_free);   /* key pair ids */
  GHashTableIter iter;
  gpointer id;

  /* Outcomes change no list, name or key pair: walking 10,000 rows and
   * recounting key pair users for them took 10-80 ms of the main loop. */
  if (change->tests_only)
    {
      for (guint i = 0; i < change->update_connections->len; i++)
        {
          KfConnection *update = change->update_connections->pdata[i];

          commit_update (g_hash_table_lookup (self->connections_by_id, kf_connection_get_id (update)),
                         update, connection_assign);
        }
      self->generation++;
      reapply_pending_tests (self);
      return;
    }

  for (guint i = 0; i < change->add_connections->len; i++)
    g_ptr_array_add (touched, g_strdup (kf_connection_get_keypair_id (change->add_connections->pdata[i])));
  for (guint i = 0; i < change->add_keypairs->len; i++)
    g_ptr_array_add (touched, g_strdup (kf_keypair_get_id (change->add_keypairs->pdata[i])));

  if (change->update_keypair != NULL)
    commit_update (g_hash_table_lookup (self->keypairs_by_id, kf_keypair_get_id (change->update_keypair)),
                   change->update_keypair, keypair_assign);
  for (guint i = 0; i < change->update_connections->len; i++)
    {
      KfConnection *update = change->update_connections->pdata[i];
      KfConnection *stored = g_hash_table_lookup (self->connections_by_id, kf_connection_get_id (update));

      g_ptr_array_add (touched, g_strdup (kf_connection_get_keypair_id (stored)));
      g_ptr_array_add (touched, g_strdup (kf_connection_get_keypair_id (update)));
      commit_update (stored, update, connection_assign);
      /* saved whole with what the caller saw: an outcome recorded earlier
       * and not yet saved must not come back over it */
      if (!change->tests_only)
        forget_pending_test (self, kf_connection_get_id (update));
    }

  if (change->remove_keypair_id != NULL)
    g_hash_table_remove (self->keypairs_by_id, change->remove_keypair_id);
  g_hash_table_iter_init (&iter, change->remove_connection_ids);
  while (g_hash_table_iter_next (&iter, &id, NULL))
    {
      g_ptr_array_add (touched, g_strdup (kf_connection_get_keypair_id (g_hash_table_lookup (self->connections_by_id, id))));
      g_hash_table_remove (self->connections_by_id, id);
    }
  for (guint i = 0; i < change->add_keypairs->len; i++)
    g_hash_table_insert (self->keypairs_by_id, (char *) kf_keypair_get_id (change->add_keypairs->pdata[i]),
                         change->add_keypairs->pdata[i]);
  for (guint i = 0; i < change->add_connections->len; i++)
    g_hash_table_insert (self->connections_by_id, (char *) kf_connection_get_id (change->add_connections->pdata[i]),
                         change->add_connections->pdata[i]);

  if (touched->len > 16)
    update_usage_counts (keypairs, connections, self->keypairs_by_id);
  else
    for (guint t = 0; t < touched->len; t++)
      {
        KfKeypair *keypair = touched->pdata[t] ? g_hash_table_lookup (self->keypairs_by_id, touched->pdata[t]) : NULL;
        guint count = 0;

        if (keypair == NULL)
          continue;
        for (guint i = 0; i < connections->len; i++)
          if (g_strcmp0 (kf_connection_get_keypair_id (connections->pdata[i]), touched->pdata[t]) == 0)
            count++;
        kf_keypair_set_usage_count (keypair, count);
      }

  set_list_items (self->keypairs, keypairs);
  set_list_items (self->connections, connections);
  self->generation++;
  reapply_pending_tests (self);
}

/* One locked transaction: re-read the file if another process changed it,
 * check the change, write the file, and only then apply the change to the
 * lists, so a failed write leaves the lists as the file is. */
static gboolean
run_change (KfStore  *self,
            Change   *change,
            GError  **error)
{
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autofree char *data = NULL;
  g_autofree char *serial = NULL;
  gsize length;
  KfStoreFileStamp stamp;
  int fd;

  fd = kf_store_file_lock (self->file, lock_timeout_usec, error);
  if (fd < 0)
    return FALSE;

  if (!reload (self, fd, FALSE, error) || !prepare_change (self, change, error))
    {
      kf_store_file_unlock (fd);
      emit_pending (self);
      return FALSE;
    }

  kf_store_file_remove_stale_temps (self->file);
  keypairs = items_after (G_LIST_MODEL (self->keypairs), NULL, change->remove_keypair_id,
                          change->add_keypairs, TRUE);
  connections = items_after (G_LIST_MODEL (self->connections), change->remove_connection_ids, NULL,
                             change->add_connections, FALSE);
  serial = new_serial ();
  {
    g_autoptr(StoreTexts) texts = collect_texts (self, keypairs, connections, change);

    data = join_texts (texts, serial, &length);
  }
  if (!kf_store_file_write (self->file, data, length, error))
    {
      kf_store_file_unlock (fd);
      emit_pending (self);
      return FALSE;
    }

  if (kf_store_file_stat (self->file, &stamp) && stamp.exists)
    {
      self->stamp = stamp;
      g_free (self->serial);
      self->serial = g_steal_pointer (&serial);
      self->known = TRUE;
    }
  else
    forget_file (self);
  kf_store_file_unlock (fd);

  commit_change (self, change, keypairs, connections);
  emit_pending (self);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Check results: recorded at once, saved in batches, written off the main thread
 *
 * Check All ends dozens of checks a second. Saving the whole file for each
 * on the main thread (lock, serialise, write, two fsyncs: 5-70 ms each, more
 * with 10,000 connections) stalled the UI. So kf_store_record_test() gives
 * the stored connection the outcome at once (the list's badges follow) and
 * keeps it in pending_tests; about once a second (SAVE_DELAY_MS), and when
 * kf_store_save_tests_async() asks, one save writes all of them:
 *
 * 1. main thread: re-read the file if another process changed it (the
 *    pending outcomes are given again to what was read), build one Change of
 *    the outcomes (tests_only: onto the stored objects as just read; ones
 *    removed meanwhile are dropped, never brought back), serialise those
 *    and take references to every item's text (collect_texts);
 * 2. a worker thread: take the lock, check that the file is still the one
 *    serialised from (stamp and serial, as file_changed() does); then join
 *    the texts (megabytes with 10,000 connections), write the file
 *    (temporary file, fsync, rename, fsync of the folder) and unlock; or
 *    unlock at once and answer "stale";
 * 3. main thread: stale → the outcomes go back to pending and the save
 *    starts again at 1, which re-reads; written → the Change is committed
 *    to the lists as run_change() does, unless the lists were re-read or
 *    changed meanwhile (generation): then they were read from a file written
 *    after ours, under the lock, so they hold our save already.
 *
 * So the lock and the re-read-if-changed rule hold as in every transaction
 * (a CLI saving meanwhile is read, never overwritten); only one save is in
 * flight (a later one cannot land before an earlier one); a synchronous
 * transaction meanwhile waits for the lock as another process would, and a
 * whole update of a connection drops its older pending outcome.
 * kf_store_flush() (dispose, application shutdown) waits for the save in
 * flight and saves what is left synchronously: nothing recorded is lost. */

typedef struct _SaveJob
{
  /* main thread */
  KfStore          *store;       /* NULL once handled */
  GHashTable       *tests;       /* id → outcome: what this save records */
  Change           *change;
  GPtrArray        *keypairs;
  GPtrArray        *connections;
  guint             generation;
  /* for the thread, fixed before it starts */
  KfStoreFile      *file;
  StoreTexts       *texts;       /* joined into the file's text by the thread */
  KfStoreFileStamp  stamp;       /* the file serialised from */
  char             *serial;
  char             *new_serial;
  gint64            lock_timeout_usec;
  /* the thread's answer, under mutex */
  GMutex            mutex;
  GCond             cond;
  gboolean          done;
  gboolean          stale;
  gboolean          stat_ok;
  KfStoreFileStamp  written;
  GError           *error;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_clear_pointer (&job->tests, g_hash_table_unref);
  g_clear_pointer (&job->change, change_free);
  g_clear_pointer (&job->keypairs, g_ptr_array_unref);
  g_clear_pointer (&job->connections, g_ptr_array_unref);
  kf_store_file_free (job->file);
  g_clear_pointer (&job->texts, store_texts_free);
  g_free (job->serial);
  g_free (job->new_serial);
  g_mutex_clear (&job->mutex);
  g_cond_clear (&job->cond);
  g_clear_error (&job->error);
  g_free (job);
}

static GHashTable *
new_test_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

/* The stored object shows @outcome; its text in the file is no longer what
 * it shows, so a reload gives it the file's fields (then this again). */
static void
show_test (KfConnection *stored,
           KfConnection *outcome)
{
  kf_connection_assign_test (stored, outcome);
  forget_json (stored);
  kf_store_reader_set_text_hash (G_OBJECT (stored), 0);
}

static void
show_tests (KfStore    *self,
            GHashTable *tests,
            gboolean    drop_gone)
{
  GHashTableIter iter;
  gpointer id, outcome;

  g_hash_table_iter_init (&iter, tests);
  while (g_hash_table_iter_next (&iter, &id, &outcome))
    {
      KfConnection *stored = g_hash_table_lookup (self->connections_by_id, id);

      if (stored != NULL)
        show_test (stored, outcome);
      else if (drop_gone)
        g_hash_table_iter_remove (&iter);
    }
}

/* After the lists were re-read or changed: the outcomes not saved yet show
 * again (the newest last); those of connections gone are dropped. */
static void
reapply_pending_tests (KfStore *self)
{
  if (self->save_job != NULL)
    show_tests (self, self->save_job->tests, FALSE);
  if (self->pending_tests != NULL)
    show_tests (self, self->pending_tests, TRUE);
}

static void
forget_pending_test (KfStore    *self,
                     const char *id)
{
  if (self->pending_tests != NULL)
    g_hash_table_remove (self->pending_tests, id);
  if (self->save_job != NULL)
    g_hash_table_remove (self->save_job->tests, id);
}

/* A Change recording @tests' outcomes. */
static Change *
tests_change (GHashTable *tests)
{
  Change *change = change_new ();
  GHashTableIter iter;
  gpointer id, outcome;

  change->tests_only = TRUE;
  g_hash_table_iter_init (&iter, tests);
  while (g_hash_table_iter_next (&iter, &id, &outcome))
    g_ptr_array_add (change->update_connections, g_object_ref (outcome));
  return change;
}

static void
finish_save_waiters (KfStore      *self,
                     const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->save_waiters);

  self->save_waiters = g_ptr_array_new_with_free_func (g_object_unref);
  if (waiters != NULL && waiters->len > 0)
    self->unsaved_told = error != NULL;
  for (guint i = 0; waiters != NULL && i < waiters->len; i++)
    {
      if (error != NULL)
        g_task_return_error (waiters->pdata[i], g_error_copy (error));
      else
        g_task_return_boolean (waiters->pdata[i], TRUE);
    }
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SaveJob *job = task_data;
  g_autoptr(GError) error = NULL;
  KfStoreFileStamp written = { 0 };
  gboolean stale = FALSE, stat_ok = FALSE;
  int fd = kf_store_file_lock (job->file, job->lock_timeout_usec, &error);

  if (fd >= 0)
    {
      stale = file_differs (job->file, TRUE, &job->stamp, job->serial);
      if (!stale)
        {
          gsize length;
          g_autofree char *data = join_texts (job->texts, job->new_serial, &length);

          kf_store_file_remove_stale_temps (job->file);
          if (kf_store_file_write (job->file, data, length, &error))
            stat_ok = kf_store_file_stat (job->file, &written) && written.exists;
        }
      kf_store_file_unlock (fd);
    }

  g_mutex_lock (&job->mutex);
  job->stale = stale;
  job->stat_ok = stat_ok;
  job->written = written;
  job->error = g_steal_pointer (&error);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
  g_task_return_boolean (task, TRUE);
}

static void on_save_task_done (GObject *source, GAsyncResult *result, gpointer user_data);

/* Step 1: serialises the pending outcomes and hands the write to a thread;
 * FALSE with @error when the file could not be re-read (they stay pending). */
static gboolean
dispatch_save (KfStore  *self,
               GError  **error)
{
  g_autoptr(GTask) task = NULL;
  SaveJob *job;
  gboolean prepared;

  if (!reload (self, -1, FALSE, error))
    {
      emit_pending (self);
      return FALSE;
    }
  emit_pending (self);
  if (g_hash_table_size (self->pending_tests) == 0)   /* all removed meanwhile */
    return TRUE;

  job = g_new0 (SaveJob, 1);
  g_mutex_init (&job->mutex);
  g_cond_init (&job->cond);
  job->store = self;
  job->tests = g_steal_pointer (&self->pending_tests);
  self->pending_tests = new_test_table ();
  job->change = tests_change (job->tests);
  /* cannot fail for outcomes: they only drop connections gone */
  prepared = prepare_change (self, job->change, NULL);
  g_assert (prepared);
  job->keypairs = items_after (G_LIST_MODEL (self->keypairs), NULL, NULL, job->change->add_keypairs, TRUE);
  job->connections = items_after (G_LIST_MODEL (self->connections), NULL, NULL, job->change->add_connections, FALSE);
  job->generation = self->generation;
  job->file = kf_store_file_new (self->path);
  job->new_serial = new_serial ();
  job->texts = collect_texts (self, job->keypairs, job->connections, job->change);
  job->stamp = self->stamp;
  job->serial = g_strdup (self->serial);
  job->lock_timeout_usec = lock_timeout_usec;

  self->save_job = job;
  task = g_task_new (NULL, NULL, on_save_task_done, NULL);
  g_task_set_source_tag (task, dispatch_save);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  g_task_run_in_thread (task, save_thread);
  return TRUE;
}

/* Starts a save of the pending outcomes unless one is in flight (its end
 * starts the next); with nothing to save, the waiters are done. */
static void
start_save (KfStore *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->save_job != NULL)
    return;
  /* a waiter tells its user; a timed save has nobody else to tell */
  if (g_hash_table_size (self->pending_tests) > 0 && !dispatch_save (self, &error)
      && self->save_waiters->len == 0)
    g_warning ("Could not save the checks’ results: %s", error->message);
  if (self->save_job == NULL)
    finish_save_waiters (self, error);
}

static gboolean
save_timeout_cb (gpointer data)
{
  KfStore *self = data;

  self->save_source = 0;
  start_save (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_save (KfStore *self)
{
  if (self->save_source == 0 && self->save_job == NULL)
    self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

/* The outcomes of @job back to pending, where no newer one is. */
static void
put_back_tests (KfStore *self,
                SaveJob *job)
{
  GHashTableIter iter;
  gpointer id, outcome;

  g_hash_table_iter_init (&iter, job->tests);
  while (g_hash_table_iter_next (&iter, &id, &outcome))
    if (!g_hash_table_contains (self->pending_tests, id))
      g_hash_table_insert (self->pending_tests, g_strdup (id), g_object_ref (outcome));
}

/* Step 3, once the thread is done with @job. */
static void
handle_save_done (SaveJob *job)
{
  KfStore *self = job->store;

  job->store = NULL;
  self->save_job = NULL;
  if (job->error != NULL || job->stale)
    put_back_tests (self, job);
  else if (job->generation == self->generation)
    {
      if (job->stat_ok)
        {
          self->stamp = job->written;
          g_free (self->serial);
          self->serial = g_steal_pointer (&job->new_serial);
          self->known = TRUE;
        }
      else
        forget_file (self);
      commit_change (self, job->change, job->keypairs, job->connections);
    }

  if (self->reload_after_save)
    {
      self->reload_after_save = FALSE;
      start_background_reload (self);
    }
  if (job->error != NULL)
    {
      /* kept pending: saved with the next outcome, or by kf_store_flush();
       * a waiter tells its user, a timed save has nobody else to tell */
      if (self->save_waiters->len == 0)
        g_warning ("Could not save the checks’ results: %s", job->error->message);
      finish_save_waiters (self, job->error);
    }
  else if (job->stale || self->save_waiters->len > 0)
    start_save (self);
  else if (g_hash_table_size (self->pending_tests) > 0)
    schedule_save (self);
}

static void
on_save_task_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SaveJob *job = g_task_get_task_data (G_TASK (result));

  /* NULL: kf_store_flush() has handled it */
  if (job->store != NULL)
    handle_save_done (job);
}

static void
wait_for_save_thread (SaveJob *job)
{
  g_mutex_lock (&job->mutex);
  while (!job->done)
    g_cond_wait (&job->cond, &job->mutex);
  g_mutex_unlock (&job->mutex);
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
kf_store_constructed (GObject *object)
{
  KfStore *self = KF_STORE (object);

  G_OBJECT_CLASS (kf_store_parent_class)->constructed (object);

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "keyferry", "keyferry.json", NULL);
  self->file = kf_store_file_new (self->path);
}

static void
kf_store_dispose (GObject *object)
{
  KfStore *self = KF_STORE (object);

  kf_store_flush (self);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  /* a reload in flight finishes on its own, into nothing */
  if (self->reload_job != NULL)
    g_steal_pointer (&self->reload_job)->store = NULL;
  if (self->monitor != NULL)
    {
      g_file_monitor_cancel (self->monitor);
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      g_clear_object (&self->monitor);
    }
  if (self->keypairs_by_id != NULL)
    g_hash_table_remove_all (self->keypairs_by_id);
  if (self->connections_by_id != NULL)
    g_hash_table_remove_all (self->connections_by_id);
  g_clear_object (&self->keypairs);
  g_clear_object (&self->connections);

  G_OBJECT_CLASS (kf_store_parent_class)->dispose (object);
}

static void
kf_store_finalize (GObject *object)
{
  KfStore *self = KF_STORE (object);

  g_clear_pointer (&self->keypairs_by_id, g_hash_table_unref);
  g_clear_pointer (&self->connections_by_id, g_hash_table_unref);
  g_free (self->path);
  kf_store_file_free (self->file);
  g_free (self->serial);
  g_clear_pointer (&self->pending_tests, g_hash_table_unref);
  g_clear_pointer (&self->save_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (kf_store_parent_class)->finalize (object);
}

static void
kf_store_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  KfStore *self = KF_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_store_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  KfStore *self = KF_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_store_class_init (KfStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = kf_store_constructed;
  object_class->dispose = kf_store_dispose;
  object_class->finalize = kf_store_finalize;
  object_class->get_property = kf_store_get_property;
  object_class->set_property = kf_store_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RELOADED] =
    g_signal_new ("reloaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[RELOAD_FAILED] =
    g_signal_new ("reload-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
kf_store_init (KfStore *self)
{
  self->keypairs = g_list_store_new (KF_TYPE_KEYPAIR);
  self->connections = g_list_store_new (KF_TYPE_CONNECTION);
  self->keypairs_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->connections_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->pending_tests = new_test_table ();
  self->save_waiters = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ------------------------------------------------------------------------ */
/* Public API */

void
kf_store_set_lock_timeout_for_testing (guint timeout_ms)
{
  lock_timeout_usec = timeout_ms > 0 ? (gint64) timeout_ms * 1000 : LOCK_TIMEOUT_USEC;
}

void
kf_store_set_reload_hook_for_testing (GFunc    hook,
                                      gpointer data)
{
  reload_hook = hook;
  reload_hook_data = data;
}

KfStore *
kf_store_new (const char *path)
{
  return g_object_new (KF_TYPE_STORE, "path", path, NULL);
}

const char *
kf_store_get_path (KfStore *self)
{
  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  return self->path;
}

GListModel *
kf_store_get_keypairs (KfStore *self)
{
  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->keypairs);
}

GListModel *
kf_store_get_connections (KfStore *self)
{
  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  return G_LIST_MODEL (self->connections);
}

KfKeypair *
kf_store_find_keypair (KfStore    *self,
                       const char *id)
{
  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  return id ? g_hash_table_lookup (self->keypairs_by_id, id) : NULL;
}

KfConnection *
kf_store_find_connection (KfStore    *self,
                          const char *id)
{
  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  return id ? g_hash_table_lookup (self->connections_by_id, id) : NULL;
}

KfKeypair *
kf_store_find_keypair_by_name (KfStore    *self,
                               const char *name)
{
  GListModel *model;
  guint n;

  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  model = G_LIST_MODEL (self->keypairs);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (model, i);
      if (g_strcmp0 (kf_keypair_get_name (keypair), name) == 0)
        return keypair;   /* the list keeps it alive */
    }
  return NULL;
}

KfConnection *
kf_store_find_connection_by_name (KfStore    *self,
                                  const char *name)
{
  GListModel *model;
  guint n;

  g_return_val_if_fail (KF_IS_STORE (self), NULL);
  model = G_LIST_MODEL (self->connections);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfConnection) connection = g_list_model_get_item (model, i);
      if (g_strcmp0 (kf_connection_get_name (connection), name) == 0)
        return connection;
    }
  return NULL;
}

GPtrArray *
kf_store_list_connections_using (KfStore    *self,
                                 const char *keypair_id)
{
  GListModel *model;
  GPtrArray *result = g_ptr_array_new ();
  guint n;

  g_return_val_if_fail (KF_IS_STORE (self), result);
  model = G_LIST_MODEL (self->connections);
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(KfConnection) connection = g_list_model_get_item (model, i);
      if (keypair_id != NULL && g_strcmp0 (kf_connection_get_keypair_id (connection), keypair_id) == 0)
        g_ptr_array_add (result, connection);
    }
  return result;
}

gboolean
kf_store_add_keypair (KfStore    *self,
                      KfKeypair  *keypair,
                      GError    **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  g_ptr_array_add (change->add_keypairs, kf_keypair_copy (keypair));
  return run_change (self, change, error);
}

gboolean
kf_store_add_connection (KfStore       *self,
                         KfConnection  *connection,
                         GError       **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (KF_IS_CONNECTION (connection), FALSE);

  g_ptr_array_add (change->add_connections, kf_connection_copy (connection));
  return run_change (self, change, error);
}

gboolean
kf_store_add_connection_with_keypair (KfStore       *self,
                                      KfConnection  *connection,
                                      KfKeypair     *keypair,
                                      GError       **error)
{
  g_autoptr(Change) change = change_new ();
  KfConnection *copy;

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (KF_IS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  g_ptr_array_add (change->add_keypairs, kf_keypair_copy (keypair));
  copy = kf_connection_copy (connection);
  kf_connection_set_keypair_id (copy, kf_keypair_get_id (keypair));
  g_ptr_array_add (change->add_connections, copy);
  return run_change (self, change, error);
}

gboolean
kf_store_add_all (KfStore    *self,
                  GPtrArray  *keypairs,
                  GPtrArray  *connections,
                  GError    **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);

  for (guint i = 0; keypairs != NULL && i < keypairs->len; i++)
    g_ptr_array_add (change->add_keypairs, kf_keypair_copy (keypairs->pdata[i]));
  for (guint i = 0; connections != NULL && i < connections->len; i++)
    g_ptr_array_add (change->add_connections, kf_connection_copy (connections->pdata[i]));
  return run_change (self, change, error);
}

gboolean
kf_store_update_keypair (KfStore    *self,
                         KfKeypair  *keypair,
                         GError    **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (KF_IS_KEYPAIR (keypair), FALSE);

  change->update_keypair = kf_keypair_copy (keypair);
  return run_change (self, change, error);
}

gboolean
kf_store_update_connections (KfStore    *self,
                             GPtrArray  *connections,
                             GError    **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (connections != NULL, FALSE);

  for (guint i = 0; i < connections->len; i++)
    {
      g_return_val_if_fail (KF_IS_CONNECTION (connections->pdata[i]), FALSE);
      g_ptr_array_add (change->update_connections, kf_connection_copy (connections->pdata[i]));
    }
  return run_change (self, change, error);
}

gboolean
kf_store_update_connection (KfStore       *self,
                            KfConnection  *connection,
                            GError       **error)
{
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_val_if_fail (KF_IS_CONNECTION (connection), FALSE);

  g_ptr_array_add (one, connection);
  return kf_store_update_connections (self, one, error);
}

gboolean
kf_store_record_test (KfStore      *self,
                      KfConnection *outcome)
{
  KfConnection *stored;
  const char *id;

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (KF_IS_CONNECTION (outcome), FALSE);

  id = kf_connection_get_id (outcome);
  stored = g_hash_table_lookup (self->connections_by_id, id);
  if (stored == NULL)
    return FALSE;
  g_hash_table_replace (self->pending_tests, g_strdup (id), kf_connection_copy (outcome));
  self->unsaved_told = FALSE;   /* nobody was told of this one */
  show_test (stored, outcome);
  schedule_save (self);
  return TRUE;
}

void
kf_store_save_tests_async (KfStore             *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (KF_IS_STORE (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, kf_store_save_tests_async);
  g_ptr_array_add (self->save_waiters, task);
  start_save (self);
}

gboolean
kf_store_save_tests_finish (KfStore       *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
kf_store_flush (KfStore *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KF_IS_STORE (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  /* handling one may start the next (stale, or waiters with more pending) */
  while (self->save_job != NULL)
    {
      wait_for_save_thread (self->save_job);
      handle_save_done (self->save_job);
    }
  if (self->pending_tests != NULL && g_hash_table_size (self->pending_tests) > 0)
    {
      g_autoptr(GHashTable) tests = g_steal_pointer (&self->pending_tests);
      g_autoptr(Change) change = tests_change (tests);

      self->pending_tests = new_test_table ();
      /* Told already (Check All's "could not be saved"): failing again
       * tells nothing new, and the CLI would print a second line. */
      if (!run_change (self, change, &error) && self->unsaved_told)
        g_message ("Could not save the checks’ results: %s", error->message);
      else if (error != NULL)
        g_warning ("Could not save the checks’ results: %s", error->message);
    }
  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->save_waiters != NULL)
    finish_save_waiters (self, error);
}

gboolean
kf_store_remove_keypair (KfStore     *self,
                         const char  *id,
                         gboolean     with_connections,
                         GError     **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  change->remove_keypair_id = g_strdup (id);
  change->remove_with_connections = with_connections;
  return run_change (self, change, error);
}

gboolean
kf_store_remove_connection (KfStore     *self,
                            const char  *id,
                            GError     **error)
{
  g_autoptr(Change) change = change_new ();

  g_return_val_if_fail (KF_IS_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  g_hash_table_add (change->remove_connection_ids, g_strdup (id));
  return run_change (self, change, error);
}
