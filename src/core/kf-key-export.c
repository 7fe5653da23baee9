/* kf-key-export.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-key-export"

#include "kf-key-export.h"
#include "kf-secret.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
write_all (int         fd,
           const char *data,
           gsize       len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

/* Write @text to @path with @mode through "<path>.tmp-XXXXXX" + rename. */
static gboolean
write_file (const char  *path,
            const char  *text,
            int          mode,
            gboolean     overwrite,
            GError     **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.tmp-XXXXXX", path);
  g_autofree char *display = g_filename_display_name (path);
  gsize len = strlen (text);
  gboolean need_newline = len == 0 || text[len - 1] != '\n';
  int fd;
  int saved;

  if (!overwrite && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” already exists; choose another folder, or move that file away first."), display);
      return FALSE;
    }

  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s."), display, g_strerror (saved));
      return FALSE;
    }
  if (fchmod (fd, mode) != 0
      || !write_all (fd, text, len)
      || (need_newline && !write_all (fd, "\n", 1))
      || fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s."), display, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  if (g_rename (tmp, path) != 0)
    {
      saved = errno;
      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s."), display, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
kf_key_export_write (const char  *private_path,
                     const char  *private_key,
                     const char  *public_key,
                     gboolean     overwrite,
                     GError     **error)
{
  g_autofree char *public_path = NULL;

  g_return_val_if_fail (private_path != NULL, FALSE);
  g_return_val_if_fail (public_key != NULL, FALSE);

  public_path = g_strconcat (private_path, ".pub", NULL);

  /* Check both before writing either, so a refusal writes nothing. */
  if (!overwrite)
    {
      const char *paths[] = { private_key ? private_path : NULL, public_path };
      for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
        if (paths[i] != NULL && g_file_test (paths[i], G_FILE_TEST_EXISTS))
          {
            g_autofree char *display = g_filename_display_name (paths[i]);
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                         _("“%s” already exists; choose another folder, or move that file away first."), display);
            return FALSE;
          }
    }

  if (private_key != NULL && !write_file (private_path, private_key, 0600, TRUE, error))
    return FALSE;
  return write_file (public_path, public_key, 0644, TRUE, error);
}

typedef struct {
  char    *private_path;
  char    *private_key;
  char    *public_key;
  gboolean overwrite;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_free (data->private_path);
  kf_secret_free (data->private_key);
  g_free (data->public_key);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (kf_key_export_write (data->private_path, data->private_key, data->public_key,
                           data->overwrite, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
kf_key_export_write_async (const char          *private_path,
                           const char          *private_key,
                           const char          *public_key,
                           gboolean             overwrite,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  ExportData *data = g_new0 (ExportData, 1);

  data->private_path = g_strdup (private_path);
  data->private_key = g_strdup (private_key);
  data->public_key = g_strdup (public_key);
  data->overwrite = overwrite;
  g_task_set_source_tag (task, kf_key_export_write_async);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
kf_key_export_write_finish (GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

char *
kf_key_export_file_name (const char *keypair_name)
{
  GString *name = g_string_new (NULL);

  for (const char *p = keypair_name; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isalnum (c) || c == '-' || c == '_' || c == '.')
        g_string_append_unichar (name, c);
      else
        g_string_append_c (name, '_');
    }
  /* No hidden files, no "." or "..". */
  while (name->len > 0 && name->str[0] == '.')
    g_string_erase (name, 0, 1);
  if (name->len == 0)
    g_string_assign (name, "key");
  return g_string_free (name, FALSE);
}
