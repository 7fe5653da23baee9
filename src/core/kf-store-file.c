/* kf-store-file.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* renameat2 */
#define G_LOG_DOMAIN "kf-store"

#include <glib/gi18n.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf-errors.h"
#include "kf-store-file.h"

/* The messages of KF_STORE_ERROR_IO: a path, then the system's reason.
 * Translators: in these, the first %s is a file or folder, the second the system's reason. */
#define READ_FAILED   _("Could not read the Keyferry data file “%s” (%s); nothing is saved until it can be read.")
#define SAVE_FAILED   _("Could not save the Keyferry data file “%s” (%s), so the change was not made.")
#define LOCK_FAILED   _("Could not lock the Keyferry data file “%s” (%s).")
#define MKDIR_FAILED  _("Could not create the Keyferry data folder “%s” (%s), so the change was not made.")
#define MOVE_FAILED   _("Could not move the damaged Keyferry data file “%s” aside (%s).")

static void io_error (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
io_error (GError     **error,
          const char  *format,
          ...)
{
  va_list args;

  if (error == NULL)
    return;
  va_start (args, format);
  *error = g_error_new_valist (KF_STORE_ERROR, KF_STORE_ERROR_IO, format, args);
  va_end (args);
}

KfStoreFile *
kf_store_file_new (const char *path)
{
  KfStoreFile *file = g_new0 (KfStoreFile, 1);
  g_autofree char *base = g_path_get_basename (path);

  file->path = g_strdup (path);
  file->dir = g_path_get_dirname (path);
  file->lock_path = g_strconcat (path, ".lock", NULL);
  file->temp_prefix = g_strdup_printf (".%s.tmp-", base);
  return file;
}

void
kf_store_file_free (KfStoreFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->dir);
  g_free (file->lock_path);
  g_free (file->temp_prefix);
  g_free (file);
}

static void
stamp_from_stat (KfStoreFileStamp  *stamp,
                 const struct stat *st)
{
  stamp->exists = TRUE;
  stamp->dev = st->st_dev;
  stamp->ino = st->st_ino;
  stamp->size = st->st_size;
  stamp->mtime_nsec = (gint64) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

gboolean
kf_store_file_stamp_equal (const KfStoreFileStamp *a,
                           const KfStoreFileStamp *b)
{
  if (a->exists != b->exists)
    return FALSE;
  return !a->exists
         || (a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime_nsec == b->mtime_nsec);
}

static gboolean
errno_means_missing (int e)
{
  /* ENOTDIR: a path component is a file, so the store file cannot exist */
  return e == ENOENT || e == ENOTDIR;
}

gboolean
kf_store_file_stat (KfStoreFile      *file,
                    KfStoreFileStamp *stamp)
{
  struct stat st;

  memset (stamp, 0, sizeof *stamp);
  if (stat (file->path, &st) == 0)
    stamp_from_stat (stamp, &st);
  else if (!errno_means_missing (errno))
    return FALSE;
  return TRUE;
}

int
kf_store_file_open (KfStoreFile       *file,
                    KfStoreFileStamp  *stamp,
                    GError           **error)
{
  const char *path = file->path;
  struct stat st;
  int fd;

  memset (stamp, 0, sizeof *stamp);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      if (!errno_means_missing (e))
        io_error (error, READ_FAILED, path, g_strerror (e));
      return -1;
    }
  if (fstat (fd, &st) != 0 || S_ISDIR (st.st_mode))
    {
      int e = S_ISDIR (st.st_mode) ? EISDIR : errno;
      close (fd);
      io_error (error, READ_FAILED, path, g_strerror (e));
      return -1;
    }
  stamp_from_stat (stamp, &st);
  return fd;
}

gssize
kf_store_file_pull (gpointer  fd_pointer,
                    char     *buf,
                    gsize     size)
{
  int fd = GPOINTER_TO_INT (fd_pointer);
  gssize n;

  do
    n = read (fd, buf, size);
  while (n < 0 && errno == EINTR);
  return n;
}

gboolean
kf_store_file_read_fd (KfStoreFile  *file,
                       int           fd,
                       char        **data,
                       gsize        *length,
                       GError      **error)
{
  g_autofree char *buf = NULL;
  struct stat st;
  gsize size, used = 0;

  if (lseek (fd, 0, SEEK_SET) != 0 || fstat (fd, &st) != 0)
    {
      io_error (error, READ_FAILED, file->path, g_strerror (errno));
      return FALSE;
    }
  size = (gsize) st.st_size;
  buf = g_malloc (size + 1);
  for (;;)
    {
      gssize n;

      if (used == size)
        {
          /* Someone is appending (we only ever rename whole files in): keep reading. */
          size = size * 2 + 4096;
          buf = g_realloc (buf, size + 1);
        }
      n = kf_store_file_pull (GINT_TO_POINTER (fd), buf + used, size - used);
      if (n < 0)
        {
          io_error (error, READ_FAILED, file->path, g_strerror (errno));
          return FALSE;
        }
      if (n == 0)
        break;
      used += n;
    }
  buf[used] = '\0';
  *length = used;
  *data = g_steal_pointer (&buf);
  return TRUE;
}

static gboolean
fsync_dir (const char  *dir,
           GError     **error)
{
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0 || fsync (fd) != 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      io_error (error, SAVE_FAILED, dir, g_strerror (e));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Temporary file in the same directory, write, fsync, rename (or, without
 * @replace, link: which fails when the path exists), fsync the directory. */
static gboolean
write_file (KfStoreFile  *file,
            const char   *data,
            gsize         length,
            gboolean      replace,
            GError      **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s/%sXXXXXX", file->dir, file->temp_prefix);
  gsize done = 0;
  int fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      io_error (error, SAVE_FAILED, file->path, g_strerror (errno));
      return FALSE;
    }
  if (fchmod (fd, 0600) != 0)
    goto fail;
  while (done < length)
    {
      gssize n = write (fd, data + done, length - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += n;
    }
  if (fsync (fd) != 0)
    goto fail;
  if (close (fd) != 0)
    {
      fd = -1;
      goto fail;
    }
  fd = -1;
  if (replace ? rename (tmp, file->path) != 0 : link (tmp, file->path) != 0)
    goto fail;
  if (!replace)
    unlink (tmp);
  return fsync_dir (file->dir, error);

fail:
  {
    int e = errno;
    if (fd >= 0)
      close (fd);
    unlink (tmp);
    if (e == EEXIST && !replace)
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "%s exists", file->path);
    else
      io_error (error, SAVE_FAILED, file->path, g_strerror (e));
    return FALSE;
  }
}

gboolean
kf_store_file_write (KfStoreFile  *file,
                     const char   *data,
                     gsize         length,
                     GError      **error)
{
  return write_file (file, data, length, TRUE, error);
}

gboolean
kf_store_file_write_new (KfStoreFile  *file,
                         const char   *data,
                         gsize         length,
                         GError      **error)
{
  return write_file (file, data, length, FALSE, error);
}

void
kf_store_file_remove_stale_temps (KfStoreFile *file)
{
  g_autoptr(GDir) dir = g_dir_open (file->dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, file->temp_prefix)
        && strlen (name) == strlen (file->temp_prefix) + 6)
      {
        g_autofree char *stale = g_build_filename (file->dir, name, NULL);
        g_debug ("Removing %s, left by an interrupted save", stale);
        unlink (stale);
      }
}

/* A blocking flock() is fair between processes (the kernel queues the
 * waiters; polling with LOCK_NB let one busy writer starve the other), but
 * has no timeout. So it runs in a thread of its own, which hands its result
 * over through a queue; the caller waits on that queue for a limited time: a
 * process stopped while holding the lock must not freeze the GUI. A waiter
 * that gives up leaves GIVEN_UP in the queue instead, under the queue's lock,
 * and the thread then lets go of the lock as soon as it gets it. */
#define GIVEN_UP GINT_TO_POINTER (-1)

typedef struct
{
  int          fd;
  GAsyncQueue *queue;
} LockRequest;

static gpointer
lock_thread (gpointer data)
{
  LockRequest *request = data;
  int r, e;

  while ((r = flock (request->fd, LOCK_EX)) != 0 && errno == EINTR)
    ;
  e = r == 0 ? 0 : errno;

  g_async_queue_lock (request->queue);
  if (g_async_queue_try_pop_unlocked (request->queue) == GIVEN_UP)
    close (request->fd);
  else
    g_async_queue_push_unlocked (request->queue, GINT_TO_POINTER (e + 1));
  g_async_queue_unlock (request->queue);

  g_async_queue_unref (request->queue);
  g_free (request);
  return NULL;
}

/* Takes ownership of @fd: on failure it is closed (now or by the thread). */
static gboolean
wait_for_lock (int     fd,
               gint64  timeout_usec,
               int    *out_errno)
{
  g_autoptr(GAsyncQueue) queue = g_async_queue_new ();
  LockRequest *request = g_new0 (LockRequest, 1);
  GThread *thread;
  gpointer result;

  request->fd = fd;
  request->queue = g_async_queue_ref (queue);
  thread = g_thread_try_new ("kf-store-lock", lock_thread, request, NULL);
  if (thread == NULL)
    {
      g_async_queue_unref (request->queue);
      g_free (request);
      close (fd);
      *out_errno = EAGAIN;
      return FALSE;
    }
  g_thread_unref (thread);

  g_async_queue_lock (queue);
  result = g_async_queue_timeout_pop_unlocked (queue, timeout_usec);
  if (result == NULL)
    g_async_queue_push_unlocked (queue, GIVEN_UP);
  g_async_queue_unlock (queue);

  if (result == NULL)
    {
      *out_errno = ETIMEDOUT;
      return FALSE;
    }
  *out_errno = GPOINTER_TO_INT (result) - 1;
  if (*out_errno != 0)
    close (fd);
  return *out_errno == 0;
}

/* flock() on "<path>.lock" (never removed: removing a lock file races with
 * processes waiting on it). */
int
kf_store_file_lock (KfStoreFile  *file,
                    gint64        timeout_usec,
                    GError      **error)
{
  int fd, e;

  if (!g_file_test (file->dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *parent = g_path_get_dirname (file->dir);

      if (g_mkdir_with_parents (file->dir, 0700) != 0)
        {
          io_error (error, MKDIR_FAILED, file->dir, g_strerror (errno));
          return -1;
        }
      /* so a crash right after the first save cannot lose the new folder */
      fsync_dir (parent, NULL);
    }
  fd = open (file->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    {
      io_error (error, LOCK_FAILED, file->lock_path, g_strerror (errno));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) == 0)
    return fd;
  if (errno != EWOULDBLOCK && errno != EINTR)
    {
      io_error (error, LOCK_FAILED, file->lock_path, g_strerror (errno));
      close (fd);
      return -1;
    }
  if (!wait_for_lock (fd, timeout_usec, &e))
    {
      if (e == ETIMEDOUT)
        g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO,
                     _("Another program has kept the Keyferry data file “%s” locked for over 10 seconds; try again."),
                     file->path);
      else
        io_error (error, LOCK_FAILED, file->lock_path, g_strerror (e));
      return -1;
    }
  return fd;
}

void
kf_store_file_unlock (int fd)
{
  if (fd >= 0)
    close (fd);   /* releases the flock */
}

char *
kf_store_file_move_aside (KfStoreFile  *file,
                          GError      **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint n = 1; n < 1000; n++)
    {
      g_autofree char *backup = n == 1
        ? g_strdup_printf ("%s.damaged-%s", file->path, stamp)
        : g_strdup_printf ("%s.damaged-%s-%u", file->path, stamp, n);

      /* link + unlink: link() refuses to replace an existing backup */
      if (link (file->path, backup) == 0)
        {
          if (unlink (file->path) != 0)
            {
              int e = errno;
              unlink (backup);
              io_error (error, MOVE_FAILED, file->path, g_strerror (e));
              return NULL;
            }
          fsync_dir (file->dir, NULL);
          return g_steal_pointer (&backup);
        }
      if (errno == EEXIST)
        continue;
      /* no hard links here (some FUSE and FAT file systems): rename without
       * replacing, which the lock we hold keeps safe */
      if (renameat2 (AT_FDCWD, file->path, AT_FDCWD, backup, RENAME_NOREPLACE) == 0
          || ((errno == EINVAL || errno == ENOSYS)
              && !g_file_test (backup, G_FILE_TEST_EXISTS)
              && rename (file->path, backup) == 0))
        {
          fsync_dir (file->dir, NULL);
          return g_steal_pointer (&backup);
        }
      if (errno != EEXIST)
        {
          io_error (error, MOVE_FAILED, file->path, g_strerror (errno));
          return NULL;
        }
    }
  g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO,
               _("Could not move the damaged Keyferry data file “%s” aside (too many backups)."), file->path);
  return NULL;
}
