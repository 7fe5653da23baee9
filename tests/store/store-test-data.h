/* store-test-data.h: realistic key pairs and connections for the store tests and benchmark.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-connection.h"
#include "kf-keypair.h"

G_BEGIN_DECLS

/* An OpenSSH public key line with a well-formed blob of random key material
 * ("ssh-ed25519", "ecdsa-sha2-nistp256" or "ssh-rsa" with 3072 bits), and its
 * "SHA256:..." fingerprint as ssh-keygen -lf prints it. */
char         *store_test_public_key   (GRand       *rand,
                                       const char  *type,
                                       const char  *comment,
                                       char       **fingerprint);

/* Key pair @i: types cycle through Ed25519, ECDSA and RSA-3072; every saved
 * field is set, names include quotes, backslashes, control characters and
 * non-ASCII text when @tricky. */
KfKeypair    *store_test_keypair      (GRand       *rand,
                                       guint        i,
                                       gboolean     tricky);
/* Connection @i using @keypair_id, with three host key lines (RSA-3072,
 * ECDSA, Ed25519) and every saved field set. */
KfConnection *store_test_connection   (GRand       *rand,
                                       guint        i,
                                       const char  *keypair_id,
                                       gboolean     tricky);

/* @n key pairs and @n connections (connection i uses key pair i). */
void          store_test_generate     (guint        n,
                                       guint32      seed,
                                       gboolean     tricky,
                                       GPtrArray  **keypairs,
                                       GPtrArray  **connections);

/* Asserts that every saved property of @a and @b is equal. */
void          store_test_assert_same  (GObject     *a,
                                       GObject     *b);

G_END_DECLS
