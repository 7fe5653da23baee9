/* kf-ssh-agent.h: a client of the user's SSH agent ($SSH_AUTH_SOCK): adds a
 * key pair's private key with a lifetime and confirmation, removes it, and
 * lists what is loaded. libssh only lists and signs through an agent, so
 * this speaks the agent protocol itself (kf-ssh-agent-private.h).
 *
 * The private key goes from the keyring straight onto the socket; every
 * buffer that held it is wiped. The socket work runs in a GTask thread.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "kf-keypair.h"

G_BEGIN_DECLS

#define KF_AGENT_ERROR (kf_agent_error_quark ())
GQuark kf_agent_error_quark (void);

typedef enum {
  KF_AGENT_ERROR_NO_AGENT,     /* SSH_AUTH_SOCK is not set */
  KF_AGENT_ERROR_UNREACHABLE,  /* nothing answers on the socket */
  KF_AGENT_ERROR_REFUSED,      /* the agent said SSH_AGENT_FAILURE */
  KF_AGENT_ERROR_PROTOCOL,     /* the agent's reply makes no sense */
  KF_AGENT_ERROR_KEY,          /* the key cannot be sent (public only, damaged) */
} KfAgentError;

/* The lifetimes the GUI offers (seconds; 0: until the agent ends, i.e. logout). */
#define KF_AGENT_LIFETIME_DEFAULT (60 * 60)

#define KF_TYPE_SSH_AGENT (kf_ssh_agent_get_type ())
G_DECLARE_FINAL_TYPE (KfSshAgent, kf_ssh_agent, KF, SSH_AGENT, GObject)

/* The agent at @socket_path, or at $SSH_AUTH_SOCK when NULL (read now). */
KfSshAgent *kf_ssh_agent_new              (const char           *socket_path);
/* NULL when there is no socket path. */
const char *kf_ssh_agent_get_socket_path  (KfSshAgent           *self);

/* "1h", "30m", "90s", "3600": seconds (1 to 2^32-1). FALSE with a sentence otherwise. */
gboolean    kf_ssh_agent_parse_lifetime   (const char           *text,
                                           guint32              *out_seconds,
                                           GError              **error);
/* "1 hour", "15 minutes", "until logout" (0) … for messages. */
char       *kf_ssh_agent_describe_lifetime (guint32              seconds);

/* Adds @private_key (the text the keyring holds) of @keypair. Fails with
 * KF_AGENT_ERROR_REFUSED when the agent refuses it or a constraint: the key
 * is then never added without the constraints asked for. */
gboolean    kf_ssh_agent_add_sync         (KfSshAgent           *self,
                                           KfKeypair            *keypair,
                                           const char           *private_key,
                                           guint32               lifetime,
                                           gboolean              confirm,
                                           GCancellable         *cancellable,
                                           GError              **error);
/* The same in a thread (the private key text is copied and wiped after). */
void        kf_ssh_agent_add_async        (KfSshAgent           *self,
                                           KfKeypair            *keypair,
                                           const char           *private_key,
                                           guint32               lifetime,
                                           gboolean              confirm,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    kf_ssh_agent_add_finish       (KfSshAgent           *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* Removes @keypair's key; KF_AGENT_ERROR_REFUSED when it is not loaded. */
gboolean    kf_ssh_agent_remove_sync      (KfSshAgent           *self,
                                           KfKeypair            *keypair,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        kf_ssh_agent_remove_async     (KfSshAgent           *self,
                                           KfKeypair            *keypair,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
gboolean    kf_ssh_agent_remove_finish    (KfSshAgent           *self,
                                           GAsyncResult         *result,
                                           GError              **error);

/* The public key blobs (GBytes) the agent holds. The agent protocol does not
 * report constraints: OpenSSH's IDENTITIES_ANSWER has only blob and comment. */
GPtrArray  *kf_ssh_agent_list_sync        (KfSshAgent           *self,
                                           GCancellable         *cancellable,
                                           GError              **error);
void        kf_ssh_agent_list_async       (KfSshAgent           *self,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
GPtrArray  *kf_ssh_agent_list_finish      (KfSshAgent           *self,
                                           GAsyncResult         *result,
                                           GError              **error);
/* Whether @keypair's public key is among @blobs (from kf_ssh_agent_list_*). */
gboolean    kf_ssh_agent_blobs_contain    (GPtrArray            *blobs,
                                           KfKeypair            *keypair);

G_END_DECLS
