/* fuzz-ssh-agent-reply.c: the SSH agent reply parser (whatever process sits
 * at $SSH_AUTH_SOCK answers; the input is one reply's body, after its length).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-fuzz.h"
#include "kf-ssh-agent-private.h"
#include "kf-ssh-agent.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  kf_fuzz_init ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_auto(KfAgentReply) reply = { 0 };
  g_autoptr(GError) error = NULL;

  if (!kf_agent_reply_parse (data, size, &reply, &error))
    {
      g_assert (error != NULL && error->domain == KF_AGENT_ERROR && error->message[0] != '\0');
      g_assert (reply.blobs == NULL && reply.comments == NULL);
      return 0;
    }
  g_assert (error == NULL);
  if (reply.type != KF_AGENT_IDENTITIES_ANSWER)
    {
      g_assert (size == 1);
      g_assert (reply.blobs == NULL);
      return 0;
    }
  g_assert (reply.blobs->len == reply.comments->len);
  for (guint i = 0; i < reply.blobs->len; i++)
    {
      const char *comment = g_ptr_array_index (reply.comments, i);

      g_assert (g_bytes_get_size (g_ptr_array_index (reply.blobs, i)) > 0);
      g_assert (g_bytes_get_size (g_ptr_array_index (reply.blobs, i)) < size);
      g_assert (g_utf8_validate (comment, -1, NULL));
    }
  return 0;
}
