/* kf-ssh-agent-private.h: the SSH agent protocol's messages (OpenSSH
 * PROTOCOL.agent, draft-ietf-sshm-ssh-agent): building the requests and
 * reading the replies, without any I/O, so that the reply parser can be
 * fuzzed on its own.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Message numbers (draft-ietf-sshm-ssh-agent section 6.1, OpenSSH authfd.h). */
#define KF_AGENT_FAILURE                  5
#define KF_AGENT_SUCCESS                  6
#define KF_AGENTC_REQUEST_IDENTITIES      11
#define KF_AGENT_IDENTITIES_ANSWER        12
#define KF_AGENTC_ADD_IDENTITY            17
#define KF_AGENTC_REMOVE_IDENTITY         18
#define KF_AGENTC_ADD_ID_CONSTRAINED      25
#define KF_AGENT_EXTENSION_FAILURE        28

#define KF_AGENT_CONSTRAIN_LIFETIME       1
#define KF_AGENT_CONSTRAIN_CONFIRM        2

/* OpenSSH's limit on one message (AGENT_MAX_LEN in authfd.c). */
#define KF_AGENT_MAX_MESSAGE              (256 * 1024)

/* A reply: its type, and for an IDENTITIES_ANSWER the keys' public blobs
 * (GBytes) and comments (UTF-8 checked text, "" when the agent's is not). */
typedef struct {
  guint8     type;
  GPtrArray *blobs;
  GPtrArray *comments;
} KfAgentReply;

void     kf_agent_reply_clear        (KfAgentReply  *reply);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KfAgentReply, kf_agent_reply_clear)

/* Reads the body of one reply (after its length): FALSE with a
 * KF_AGENT_ERROR_PROTOCOL error when it is malformed. SUCCESS, FAILURE and
 * EXTENSION_FAILURE carry nothing more; an IDENTITIES_ANSWER must hold
 * exactly the keys it counts. Other types are an error. */
gboolean kf_agent_reply_parse        (const guchar  *data,
                                      gsize          len,
                                      KfAgentReply  *reply,
                                      GError       **error);

/* The framed message (uint32 length first). */
GByteArray *kf_agent_message_request_identities (void);
GByteArray *kf_agent_message_remove             (GBytes        *blob);
/* ADD_IDENTITY, or ADD_ID_CONSTRAINED when @lifetime (seconds, 0: none) or
 * @confirm ask for constraints. The key's private part comes from
 * @private_text (what the keyring holds) and its public part from
 * @public_line. The result is secret: free it with kf_agent_message_free. */
GByteArray *kf_agent_message_add                (const char    *private_text,
                                                 const char    *public_line,
                                                 const char    *comment,
                                                 guint32        lifetime,
                                                 gboolean       confirm,
                                                 GError       **error);
/* Wipes and frees a message. */
void        kf_agent_message_free               (GByteArray    *message);

/* The public blob of an OpenSSH public key line (NULL if it is none). */
GBytes     *kf_agent_public_blob                (const char    *public_line);

G_END_DECLS
