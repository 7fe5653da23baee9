/* kf-libssh-compat.c: libssh release differences (see the header).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-libssh-compat.h"

#include <stdlib.h>

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
