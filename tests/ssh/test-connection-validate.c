/* test-connection-validate.c: what the connection form accepts and refuses.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-connection-validate.h"
#include "kf-keypair.h"
#include "kf-test-util.h"

/* Each error message is one sentence. */
static void
assert_one_sentence (const GError *error)
{
  const char *m = error->message;
  gsize len = strlen (m);

  g_assert_cmpuint (len, >, 10);
  g_assert_true (g_ascii_isupper (m[0]) || g_str_has_prefix (m, "“"));
  g_assert_true (m[len - 1] == '.');
  g_assert_null (strchr (m, '\n'));
}

static void
test_name (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ok = kf_connection_validate_name ("  My NAS  ", &error);
  g_autofree char *long_name = g_strnfill (KF_MAX_NAME_LEN + 1, 'x');
  g_autofree char *max_name = g_strnfill (KF_MAX_NAME_LEN, 'x');
  g_autofree char *max_ok = NULL;
  char *none;

  g_assert_no_error (error);
  g_assert_cmpstr (ok, ==, "My NAS");

  none = kf_connection_validate_name ("   ", &error);
  g_assert_null (none);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME);
  assert_one_sentence (error);
  g_clear_error (&error);

  none = kf_connection_validate_name (NULL, &error);
  g_assert_null (none);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME);
  g_clear_error (&error);

  none = kf_connection_validate_name (long_name, &error);
  g_assert_null (none);
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG);
  assert_one_sentence (error);
  g_clear_error (&error);

  max_ok = kf_connection_validate_name (max_name, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (max_ok, ==, max_name);
}

static void
test_port (void)
{
  const char *good[] = { "1", "22", " 2222 ", "65535", "022" };
  const guint good_values[] = { 1, 22, 2222, 65535, 22 };
  const char *bad[] = { "", " ", "0", "65536", "-1", "+22", "22a", "2 2", "0x16", "99999999999", "22.0", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      guint port = 0;
      g_assert_true (kf_connection_validate_port (good[i], &port, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (port, ==, good_values[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      guint port = 7;
      g_assert_false (kf_connection_validate_port (bad[i], &port, &error));
      g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT);
      g_assert_cmpuint (port, ==, 7);
      assert_one_sentence (error);
    }
}

static void
test_timeout (void)
{
  g_autoptr(GError) error = NULL;
  guint t = 0;

  g_assert_true (kf_connection_validate_timeout ("1", &t, &error));
  g_assert_cmpuint (t, ==, 1);
  g_assert_true (kf_connection_validate_timeout ("600", &t, &error));
  g_assert_cmpuint (t, ==, 600);
  g_assert_true (kf_connection_validate_timeout (" 10 ", &t, &error));
  g_assert_cmpuint (t, ==, 10);
  g_assert_no_error (error);

  g_assert_false (kf_connection_validate_timeout ("0", &t, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT);
  assert_one_sentence (error);
  g_clear_error (&error);
  g_assert_false (kf_connection_validate_timeout ("601", &t, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_false (kf_connection_validate_timeout ("ten", &t, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT);
}

static void
test_username (void)
{
  const char *good[] = { "root", "truenas_admin", "backup-user", "a.b", "svc$", "user@AD.LAN", " root " };
  const char *bad[] = { "", "  ", "-oProxyCommand=x", "ro ot", "root;rm", "us'er", "$", "a$b", "user/x", "ü" };
  g_autofree char *long_name = g_strnfill (KF_MAX_USERNAME_LEN + 1, 'u');

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *u = kf_connection_validate_username (good[i], &error);
      g_assert_no_error (error);
      g_assert_nonnull (u);
    }
  {
    g_autofree char *u = kf_connection_validate_username (" root ", NULL);
    g_assert_cmpstr (u, ==, "root");
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *u = kf_connection_validate_username (bad[i], &error);
      g_assert_null (u);
      g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME);
      assert_one_sentence (error);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *u = kf_connection_validate_username (long_name, &error);
    g_assert_null (u);
    g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME);
  }
  /* The message names what is wrong and what is allowed (issue 11, defect 7):
   * ö is a letter to the user, so "may only hold letters" would mislead. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *u = kf_connection_validate_username ("jörg", &error);
    g_assert_null (u);
    g_assert_nonnull (strstr (error->message, "“ö”"));
    g_assert_nonnull (strstr (error->message, "a–z"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *u = kf_connection_validate_username ("-oProxyCommand=x", &error);
    g_assert_nonnull (strstr (error->message, "start with “-”"));
  }
}

static void
test_host_plain (void)
{
  struct {
    const char *text;
    const char *host;
  } cases[] = {
    { "nas", "nas" },
    { "  nas.example.org  ", "nas.example.org" },
    { "nas.example.org.", "nas.example.org." },
    { "192.168.1.10", "192.168.1.10" },
    { "fd00::1", "fd00::1" },
    { "[fd00::1]", "fd00::1" },
    { "::1", "::1" },
    { "my_host", "my_host" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(KfHostInput) in = { 0 };

      g_assert_true (kf_connection_validate_host (cases[i].text, &in, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (in.host, ==, cases[i].host);
      g_assert_cmpuint (in.port, ==, 0);
      g_assert_null (in.username);
      g_assert_null (in.note);
    }
}

static void
test_host_reduced (void)
{
  struct {
    const char *text;
    const char *host;
    guint port;
    const char *user;
  } cases[] = {
    { "ssh://backup@nas.lan:2222/x", "nas.lan", 2222, "backup" },
    { "ssh://nas.lan", "nas.lan", 0, NULL },
    { "https://nas/ui", "nas", 0, NULL },
    { "https://admin@nas:8443/ui/credentials", "nas", 0, NULL },
    { "http://192.168.0.4/", "192.168.0.4", 0, NULL },
    { "https://[fd00::12]/ui", "fd00::12", 0, NULL },
    { "ssh://root@[fd00::12]:2200", "fd00::12", 2200, "root" },
    { "root@nas", "nas", 0, "root" },
    { "nas:2222", "nas", 2222, NULL },
    { "[fd00::1]:2222", "fd00::1", 2222, NULL },
    { "admin@[fd00::1]:22", "fd00::1", 22, "admin" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(KfHostInput) in = { 0 };

      g_assert_true (kf_connection_validate_host (cases[i].text, &in, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (in.host, ==, cases[i].host);
      g_assert_cmpuint (in.port, ==, cases[i].port);
      g_assert_cmpstr (in.username, ==, cases[i].user);
      /* The user is told what happened to what they typed. */
      g_assert_nonnull (in.note);
      g_assert_nonnull (strstr (in.note, cases[i].host));
      g_assert_true (g_str_has_suffix (in.note, "."));
    }
}

static void
test_host_notes (void)
{
  g_autoptr(GError) error = NULL;
  g_auto(KfHostInput) a = { 0 };
  g_auto(KfHostInput) b = { 0 };
  g_auto(KfHostInput) c = { 0 };

  g_assert_true (kf_connection_validate_host ("ssh://backup@nas.lan:2222/x", &a, &error));
  g_assert_cmpstr (a.note, ==, "Took the host “nas.lan”, port 2222 and user “backup” from the pasted address.");
  g_assert_true (kf_connection_validate_host ("nas:2222", &b, &error));
  g_assert_cmpstr (b.note, ==, "Took the host “nas” and port 2222 from what was entered.");
  /* International names are stored the way DNS and OpenSSH see them. */
  g_assert_true (kf_connection_validate_host ("nas.bücher.de", &c, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (c.host, ==, "nas.xn--bcher-kva.de");
  g_assert_nonnull (strstr (c.note, "nas.xn--bcher-kva.de"));
}

static void
test_host_bad (void)
{
  const char *bad[] = {
    "", "   ", "nas lan", "nas/ui", "https://", "ssh://:22", "nas:0", "nas:99999", "nas:ssh",
    "[fd00::1", "[fd00::1]:", "-oProxyCommand=x", "a..b", "host!", "-@nas", "ssh://-x@nas",
    "ssh://nas:0", "300.1.1.1", "10.1", "nas:22:33",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_auto(KfHostInput) in = { 0 };

      if (kf_connection_validate_host (bad[i], &in, &error))
        g_error ("“%s” was accepted as host “%s”", bad[i], in.host);
      g_assert_nonnull (error);
      g_assert_true (error->domain == KF_INPUT_ERROR);
      g_assert_null (in.host);
      assert_one_sentence (error);
    }
}

static void
test_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfConnection) conn = kf_connection_new ("NAS");

  kf_connection_set_host (conn, "fd00::1");
  g_assert_true (kf_connection_validate (conn, &error));
  g_assert_no_error (error);

  kf_connection_set_host (conn, "[fd00::1]");
  g_assert_false (kf_connection_validate (conn, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST);
  g_clear_error (&error);

  kf_connection_set_host (conn, "nas");
  kf_connection_set_port (conn, 0);
  g_assert_false (kf_connection_validate (conn, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_PORT);
  g_clear_error (&error);

  kf_connection_set_port (conn, 22);
  kf_connection_set_connect_timeout (conn, 601);
  g_assert_false (kf_connection_validate (conn, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TIMEOUT);
  g_clear_error (&error);

  kf_connection_set_connect_timeout (conn, 10);
  kf_connection_set_username (conn, "bad user");
  g_assert_false (kf_connection_validate (conn, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_USERNAME);
}

/* The store's rule, checked early: a taken name (as stored, trimmed) is
 * refused in the store's words, except for the item being edited. */
static void
test_name_free (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GListStore) keypairs = g_list_store_new (KF_TYPE_KEYPAIR);
  g_autoptr(GListStore) connections = g_list_store_new (KF_TYPE_CONNECTION);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("Alpha");
  g_autoptr(KfConnection) connection = kf_connection_new ("Alpha");

  g_assert_true (kf_connection_validate_name_free (G_LIST_MODEL (keypairs), "Alpha", NULL, &error));
  g_assert_no_error (error);
  g_list_store_append (keypairs, keypair);
  g_list_store_append (connections, connection);

  g_assert_true (kf_connection_validate_name_free (G_LIST_MODEL (keypairs), "alpha", NULL, &error));
  g_assert_true (kf_connection_validate_name_free (G_LIST_MODEL (keypairs), "Beta", NULL, &error));
  g_assert_no_error (error);

  g_assert_false (kf_connection_validate_name_free (G_LIST_MODEL (keypairs), "Alpha", NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_assert_cmpstr (error->message, ==, "A key pair named “Alpha” already exists; choose another name.");
  g_clear_error (&error);

  g_assert_false (kf_connection_validate_name_free (G_LIST_MODEL (connections), "Alpha", NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_assert_cmpstr (error->message, ==, "A connection named “Alpha” already exists; choose another name.");
  g_clear_error (&error);

  /* Editing an item keeps its own name; another item's id does not help. */
  g_assert_true (kf_connection_validate_name_free (G_LIST_MODEL (connections), "Alpha",
                                                   kf_connection_get_id (connection), &error));
  g_assert_no_error (error);
  g_assert_false (kf_connection_validate_name_free (G_LIST_MODEL (connections), "Alpha",
                                                    kf_keypair_get_id (keypair), &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
}

int
main (int    argc,
      char **argv)
{
  kf_test_init (&argc, &argv);
  g_test_add_func ("/connection-validate/name", test_name);
  g_test_add_func ("/connection-validate/name-free", test_name_free);
  g_test_add_func ("/connection-validate/port", test_port);
  g_test_add_func ("/connection-validate/timeout", test_timeout);
  g_test_add_func ("/connection-validate/username", test_username);
  g_test_add_func ("/connection-validate/host-plain", test_host_plain);
  g_test_add_func ("/connection-validate/host-reduced", test_host_reduced);
  g_test_add_func ("/connection-validate/host-notes", test_host_notes);
  g_test_add_func ("/connection-validate/host-bad", test_host_bad);
  g_test_add_func ("/connection-validate/connection", test_connection);
  return g_test_run ();
}
