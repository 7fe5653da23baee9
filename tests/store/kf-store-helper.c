/* kf-store-helper.c: a second process working on a store, for the store tests.
 *
 *   kf-store-helper add PATH PREFIX N
 *       adds N key pairs and N connections using them ("PREFIX key I",
 *       "PREFIX connection I"), one transaction per pair; prints "loaded"
 *       first and "done" at the end.
 *   kf-store-helper save-loop PATH
 *       adds connections in a loop, each one transaction, until killed;
 *       prints "loaded", then "saved I" after each save returned.
 *   kf-store-helper modify PATH
 *       renames the connection "c1" to "c1 renamed", removes "c2", and adds
 *       a connection "c new" that uses the key pair "k".
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kf-store.h"
#include "store-test-data.h"

static void
say (const char *line)
{
  /* write(2), not stdio: a SIGKILL must not lose a line already "said" */
  g_autofree char *text = g_strconcat (line, "\n", NULL);
  gsize len = strlen (text);

  if (write (STDOUT_FILENO, text, len) != (gssize) len)
    exit (3);
}

static void
check (gboolean  ok,
       GError   *error)
{
  if (!ok)
    {
      g_printerr ("kf-store-helper: %s\n", error->message);
      exit (1);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (getpid ());

  if (argc < 3)
    return 2;
  store = kf_store_new (argv[2]);
  check (kf_store_load (store, &error), error);
  say ("loaded");

  if (strcmp (argv[1], "add") == 0 && argc == 5)
    {
      guint n = (guint) atoi (argv[4]);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(KfKeypair) keypair = store_test_keypair (rand, i, FALSE);
          g_autoptr(KfConnection) connection = store_test_connection (rand, i, NULL, FALSE);
          g_autofree char *key_name = g_strdup_printf ("%s key %u", argv[3], i);
          g_autofree char *connection_name = g_strdup_printf ("%s connection %u", argv[3], i);

          kf_keypair_set_name (keypair, key_name);
          kf_connection_set_name (connection, connection_name);
          check (kf_store_add_connection_with_keypair (store, connection, keypair, &error), error);
        }
      say ("done");
      return 0;
    }

  if (strcmp (argv[1], "save-loop") == 0)
    {
      for (guint i = 0;; i++)
        {
          g_autoptr(KfConnection) connection = store_test_connection (rand, i, NULL, FALSE);
          g_autofree char *name = g_strdup_printf ("loop %d %u", getpid (), i);
          g_autofree char *line = NULL;

          kf_connection_set_name (connection, name);
          check (kf_store_add_connection (store, connection, &error), error);
          line = g_strdup_printf ("saved %u", i + 1);
          say (line);
        }
    }

  if (strcmp (argv[1], "modify") == 0)
    {
      KfConnection *c1 = kf_store_find_connection_by_name (store, "c1");
      KfConnection *c2 = kf_store_find_connection_by_name (store, "c2");
      KfKeypair *k = kf_store_find_keypair_by_name (store, "k");
      g_autoptr(KfConnection) renamed = NULL;
      g_autoptr(KfConnection) added = kf_connection_new ("c new");

      if (c1 == NULL || c2 == NULL || k == NULL)
        return 4;
      renamed = kf_connection_copy (c1);
      kf_connection_set_name (renamed, "c1 renamed");
      check (kf_store_update_connection (store, renamed, &error), error);
      check (kf_store_remove_connection (store, kf_connection_get_id (c2), &error), error);
      kf_connection_set_keypair_id (added, kf_keypair_get_id (k));
      check (kf_store_add_connection (store, added, &error), error);
      say ("done");
      return 0;
    }

  return 2;
}
