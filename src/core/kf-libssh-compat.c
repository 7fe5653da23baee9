/* kf-libssh-compat.c: libssh release differences (see the header).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-libssh-compat.h"

#include <stdlib.h>
#include <string.h>

int
kf_libssh_channel_exit_status (ssh_channel channel)
{
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT (0, 11, 0)
  uint32_t code = 0;
  char *signal_name = NULL;
  int core_dumped = 0;
  int rc = ssh_channel_get_exit_state (channel, &code, &signal_name, &core_dumped);

  if (signal_name != NULL)
    {
      ssh_string_free_char (signal_name);
      return -1;
    }
  if (rc != SSH_OK || code > G_MAXINT)
    return -1;
  return (int) code;
#else
  return ssh_channel_get_exit_status (channel);
#endif
}

int
kf_libssh_generate_key (enum ssh_keytypes_e  type,
                        int                  bits,
                        ssh_key             *out_key)
{
#if LIBSSH_VERSION_INT >= SSH_VERSION_INT (0, 12, 0)
  ssh_pki_ctx ctx = ssh_pki_ctx_new ();
  int rc = SSH_ERROR;

  if (ctx == NULL)
    return SSH_ERROR;
  if (type != SSH_KEYTYPE_RSA
      || ssh_pki_ctx_options_set (ctx, SSH_PKI_OPTION_RSA_KEY_SIZE, &bits) == SSH_OK)
    rc = ssh_pki_generate_key (type, ctx, out_key);
  ssh_pki_ctx_free (ctx);
  return rc;
#else
  return ssh_pki_generate (type, bits, out_key);
#endif
}

int
kf_libssh_refuse_passphrase (const char *prompt,
                             char       *buf,
                             size_t      len,
                             int         echo,
                             int         verify,
                             void       *userdata)
{
  return -1;
}

/* ---------------------------------------------------------- posix-rename */

#if LIBSSH_VERSION_INT >= SSH_VERSION_INT (0, 11, 0)

int
kf_libssh_sftp_posix_rename (sftp_session  sftp,
                             const char   *from,
                             const char   *to)
{
  /* libssh 0.11 sends posix-rename@openssh.com itself when the server offers it. */
  return sftp_rename (sftp, from, to);
}

#else

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 be = GUINT32_TO_BE (value);

  g_byte_array_append (out, (const guint8 *) &be, 4);
}

static void
put_string (GByteArray *out,
            const char *text)
{
  put_u32 (out, (guint32) strlen (text));
  g_byte_array_append (out, (const guint8 *) text, strlen (text));
}

static guint32
get_u32 (const guint8 *p)
{
  guint32 be;

  memcpy (&be, p, 4);
  return GUINT32_FROM_BE (be);
}

static gboolean
read_exactly (ssh_channel  channel,
              guint8      *buf,
              gsize        length)
{
  gsize done = 0;

  while (done < length)
    {
      int n = ssh_channel_read (channel, buf + done, length - done, 0);
      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

/* libssh 0.10's sftp_rename sends a plain SSH_FXP_RENAME, which OpenSSH's
 * sftp-server refuses when the target exists (SFTP v3 semantics). Its
 * requests are answered in order and nothing else is outstanding between two
 * blocking calls, so the extended request goes on the SFTP channel directly
 * and its status reply is read back from it. */
int
kf_libssh_sftp_posix_rename (sftp_session  sftp,
                             const char   *from,
                             const char   *to)
{
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autoptr(GByteArray) packet = g_byte_array_new ();
  guint8 header[4];
  g_autofree guint8 *reply = NULL;
  guint32 length, id = ++sftp->id_counter;

  g_byte_array_append (body, (const guint8 []) { SSH_FXP_EXTENDED }, 1);
  put_u32 (body, id);
  put_string (body, "posix-rename@openssh.com");
  put_string (body, from);
  put_string (body, to);
  put_u32 (packet, body->len);
  g_byte_array_append (packet, body->data, body->len);
  if (ssh_channel_write (sftp->channel, packet->data, packet->len) != (int) packet->len ||
      !read_exactly (sftp->channel, header, 4))
    return -1;
  length = get_u32 (header);
  /* type, id, status code at least; a status reply is small. */
  if (length < 9 || length > 65536)
    return -1;
  reply = g_malloc (length);
  if (!read_exactly (sftp->channel, reply, length))
    return -1;
  if (reply[0] != SSH_FXP_STATUS || get_u32 (reply + 1) != id)
    return -1;
  return get_u32 (reply + 5) == SSH_FX_OK ? 0 : -1;
}

#endif
