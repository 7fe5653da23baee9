/* kf-rotation-sftp.c: edits ~/.ssh/authorized_keys of a manual box over SFTP.
 *
 * SFTP, not a remote shell: no user text is ever interpreted by a shell, and
 * an account restricted to SFTP works too. The SFTP start directory is the
 * user's home. The line matching is kf_truenas_keys_*() (one home for it: by
 * key blob, every other byte kept). The new text goes to a temporary file in
 * ~/.ssh with the old file's mode, which is then renamed over the old file;
 * with posix-rename@openssh.com (plain SFTP v3 rename refuses to replace a
 * file, and a remove-then-rename would leave a moment with no authorized_keys
 * at all), so a server without it is refused rather than risked.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <libssh/sftp.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-libssh-compat.h"
#include "kf-rotation-private.h"
#include "kf-truenas-remote-user.h"

#define SSH_DIR ".ssh"
#define AUTHORIZED_KEYS ".ssh/authorized_keys"
/* Far more than any authorized_keys file; a bigger one is not what we think. */
#define MAX_AUTHORIZED_KEYS (1024 * 1024)

typedef struct sftp_session_struct KfSftp;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (KfSftp, sftp_free)

static sftp_session
open_sftp (KfSshLogin  *login,
           GError     **error)
{
  ssh_session session = kf_ssh_login_get_session (login);
  sftp_session sftp = sftp_new (session);

  if (sftp == NULL)
    {
      kf_ssh_login_fail (login, error, _("The server does not offer SFTP (%s), which Keyferry needs to edit ~/.ssh/authorized_keys."),
                         ssh_get_error (session));
      return NULL;
    }
  if (sftp_init (sftp) != SSH_OK)
    {
      kf_ssh_login_fail (login, error, _("The server's SFTP service did not start (%s)."), ssh_get_error (session));
      sftp_free (sftp);
      return NULL;
    }
  if (!sftp_extension_supported (sftp, "posix-rename@openssh.com", "1"))
    {
      /* The extension's name is no text to translate (and xgettext 0.23
       * takes it for an e-mail address). */
      kf_ssh_login_fail (login, error, _("The server's SFTP service cannot replace a file in one step (no %s); edit ~/.ssh/authorized_keys by hand."),
                         "posix-rename@openssh.com");
      sftp_free (sftp);
      return NULL;
    }
  return sftp;
}

/* The file's text (NULL text and mode 0 when it does not exist). */
static gboolean
read_keys (KfSshLogin    *login,
           sftp_session   sftp,
           char         **out_text,
           mode_t        *out_mode,
           GError       **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  sftp_attributes attributes = sftp_stat (sftp, AUTHORIZED_KEYS);
  sftp_file file;
  char buf[16384];
  ssize_t n;

  *out_text = NULL;
  *out_mode = 0;
  if (attributes == NULL)
    {
      if (sftp_get_error (sftp) == SSH_FX_NO_SUCH_FILE)
        return TRUE;
      return kf_ssh_login_fail (login, error, _("Could not look at ~/.ssh/authorized_keys (%s)."),
                                ssh_get_error (kf_ssh_login_get_session (login)));
    }
  *out_mode = attributes->permissions & 07777;
  sftp_attributes_free (attributes);

  file = sftp_open (sftp, AUTHORIZED_KEYS, O_RDONLY, 0);
  if (file == NULL)
    return kf_ssh_login_fail (login, error, _("Could not read ~/.ssh/authorized_keys (%s)."),
                              ssh_get_error (kf_ssh_login_get_session (login)));
  while ((n = sftp_read (file, buf, sizeof buf)) > 0 && text->len <= MAX_AUTHORIZED_KEYS)
    g_string_append_len (text, buf, n);
  sftp_close (file);
  if (n < 0)
    return kf_ssh_login_fail (login, error, _("Could not read ~/.ssh/authorized_keys (%s)."),
                              ssh_get_error (kf_ssh_login_get_session (login)));
  if (text->len > MAX_AUTHORIZED_KEYS || memchr (text->str, '\0', text->len) != NULL)
    return kf_ssh_login_fail (login, error, _("~/.ssh/authorized_keys on the server is not a text file Keyferry can edit; edit it by hand."));
  *out_text = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* Writes @text to a new temporary file in ~/.ssh with @mode, then renames it
 * over authorized_keys. */
static gboolean
write_keys (KfSshLogin   *login,
            sftp_session  sftp,
            const char   *text,
            mode_t        mode,
            GError      **error)
{
  ssh_session session = kf_ssh_login_get_session (login);
  g_autofree char *temp = g_strdup_printf (SSH_DIR "/authorized_keys.keyferry-%08x%08x",
                                           g_random_int (), g_random_int ());
  gsize length = strlen (text), done = 0;
  sftp_file file;

  file = sftp_open (sftp, temp, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (file == NULL)
    return kf_ssh_login_fail (login, error, _("Could not write a new ~/.ssh/authorized_keys (%s)."), ssh_get_error (session));
  while (done < length)
    {
      ssize_t n = sftp_write (file, text + done, MIN (length - done, 16384));
      if (n <= 0)
        break;
      done += n;
    }
  if (sftp_close (file) != SSH_NO_ERROR || done < length)
    {
      sftp_unlink (sftp, temp);
      return kf_ssh_login_fail (login, error, _("Could not write a new ~/.ssh/authorized_keys (%s)."), ssh_get_error (session));
    }
  /* The server's umask may have taken bits away: the old file's mode exactly. */
  if (sftp_chmod (sftp, temp, mode) < 0 || kf_libssh_sftp_posix_rename (sftp, temp, AUTHORIZED_KEYS) < 0)
    {
      g_autofree char *why = g_strdup (ssh_get_error (session));

      sftp_unlink (sftp, temp);
      return kf_ssh_login_fail (login, error, _("Could not replace ~/.ssh/authorized_keys (%s); it was left as it was."), why);
    }
  return TRUE;
}

gboolean
kf_rotation_sftp_add_key (KfSshLogin  *login,
                          const char  *public_key,
                          gboolean    *out_added_newline,
                          GError     **error)
{
  g_autoptr(KfSftp) sftp = open_sftp (login, error);
  g_autofree char *text = NULL;
  g_autofree char *updated = NULL;
  mode_t mode;

  *out_added_newline = FALSE;
  if (sftp == NULL || !read_keys (login, sftp, &text, &mode, error))
    return FALSE;
  if (text != NULL && kf_truenas_keys_contain (text, public_key))
    return TRUE;
  if (text == NULL)
    {
      /* No file yet: ~/.ssh may be missing too (sshd wants it private). */
      sftp_attributes dir = sftp_stat (sftp, SSH_DIR);

      if (dir == NULL && sftp_mkdir (sftp, SSH_DIR, 0700) < 0)
        return kf_ssh_login_fail (login, error, _("Could not create ~/.ssh (%s)."),
                                  ssh_get_error (kf_ssh_login_get_session (login)));
      g_clear_pointer (&dir, sftp_attributes_free);
      mode = 0600;
    }
  *out_added_newline = text != NULL && *text != '\0' && text[strlen (text) - 1] != '\n';
  updated = kf_truenas_keys_add (text, public_key);
  return write_keys (login, sftp, updated, mode, error);
}

gboolean
kf_rotation_sftp_key_lines (KfSshLogin  *login,
                            const char  *public_key,
                            char       **out_lines,
                            GError     **error)
{
  g_autoptr(KfSftp) sftp = open_sftp (login, error);
  g_autofree char *text = NULL;
  mode_t mode;

  *out_lines = NULL;
  if (sftp == NULL || !read_keys (login, sftp, &text, &mode, error))
    return FALSE;
  *out_lines = kf_truenas_keys_lines_with (text, public_key);
  return TRUE;
}

/* Where the last line of @text (ending with a newline) starts. */
static gsize
last_line_start (const char *text)
{
  gsize length = strlen (text);
  gsize start = length > 0 ? length - 1 : 0;

  while (start > 0 && text[start - 1] != '\n')
    start--;
  return start;
}

gboolean
kf_rotation_sftp_remove_key (KfSshLogin  *login,
                             const char  *public_key,
                             gboolean     strip_added_newline,
                             GError     **error)
{
  g_autoptr(KfSftp) sftp = open_sftp (login, error);
  g_autofree char *text = NULL;
  g_autofree char *updated = NULL;
  mode_t mode;
  gsize length;

  if (sftp == NULL || !read_keys (login, sftp, &text, &mode, error))
    return FALSE;
  if (text == NULL || !kf_truenas_keys_contain (text, public_key))
    return TRUE;
  updated = kf_truenas_keys_remove (text, public_key, NULL);
  length = strlen (updated);
  /* Our line was the last one, after a newline we added to a file that
   * lacked it: that newline goes too, and the file is as it was. */
  if (strip_added_newline && length > 0 && updated[length - 1] == '\n' && last_line_start (text) == length &&
      kf_truenas_keys_contain (text + length, public_key))
    updated[length - 1] = '\0';
  return write_keys (login, sftp, updated, mode, error);
}
