/* test-keyring.c: KfKeyring against the real gnome-keyring.
 *
 * The shared keyring of tools/run-tests.sh is used by every test binary at
 * once: this file only touches items with its own random ids. The locked and
 * no-service cases run in a child process on a second private bus (with its
 * own gnome-keyring, or with none), so locking never disturbs other tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <libsecret/secret.h>

#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-test-bus.h"
#include "kf-test-util.h"

#define SCHEMA_NAME "io.github.keyferry.Keyferry.PrivateKey"
#define LOCKED_MESSAGE "The keyring is locked; unlock it (for example in Passwords and Keys) and try again."

static const SecretSchema test_schema = {
  SCHEMA_NAME, SECRET_SCHEMA_NONE,
  { { "keypair-id", SECRET_SCHEMA_ATTRIBUTE_STRING }, { "store", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
};

static const SecretSchema other_schema = {
  "org.example.OtherApp", SECRET_SCHEMA_NONE,
  { { "keypair-id", SECRET_SCHEMA_ATTRIBUTE_STRING }, { NULL, 0 } },
};

static const char sample_key[] =
  "-----BEGIN OPENSSH PRIVATE KEY-----\n"
  "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
  "QyNTUxOQAAACDkZXN0IGtleSBmb3IgS2V5ZmVycnkgdGVzdHMgb25seSEhAAAAkKeyf3rr\n"
  "-----END OPENSSH PRIVATE KEY-----\n";

/* Items of the Keyferry schema with this id, read with libsecret directly. */
static GList *
find_items (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) attributes = secret_attributes_build (&test_schema, "keypair-id", id, NULL);
  g_autoptr(SecretService) service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  GList *items;

  g_assert_no_error (error);
  items = secret_service_search_sync (service, &test_schema, attributes, SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  return items;
}

static guint
count_items (const char *id)
{
  GList *items = find_items (id);
  guint n = g_list_length (items);

  g_list_free_full (items, g_object_unref);
  return n;
}

static void
test_store_lookup_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("Test key %s", id);
  g_autofree char *expected_label = g_strdup_printf ("Keyferry: %s private key", name);
  g_autoptr(KfSecret) secret = NULL;

  g_assert_true (kf_keyring_store_sync (id, name, sample_key, NULL, &error));
  g_assert_no_error (error);

  secret = kf_keyring_lookup_sync (id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, sample_key);
  g_assert_cmpuint (count_items (id), ==, 1);

  g_assert_true (kf_keyring_delete_sync (id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (id), ==, 0);

  g_assert_null (kf_keyring_lookup_sync (id, NULL, &error));
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Deleting what is not there is not an error. */
  g_assert_true (kf_keyring_delete_sync (id, NULL, &error));
  g_assert_no_error (error);
}

/* What Seahorse ("Passwords and Keys") shows: the label, in the default
 * ("login") collection, under our schema name. */
static void
test_label_and_place (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  GList *items;
  SecretItem *item;
  /* secret_item_get_label() and _get_schema_name() return new strings. */
  g_autofree char *label = NULL;
  g_autofree char *schema_name = NULL;
  g_autofree char *new_label = NULL;

  g_assert_true (kf_keyring_store_sync (id, "Backup box", sample_key, NULL, &error));
  g_assert_no_error (error);

  items = find_items (id);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;
  label = secret_item_get_label (item);
  schema_name = secret_item_get_schema_name (item);
  g_assert_cmpstr (label, ==, "Keyferry: Backup box private key");
  g_assert_cmpstr (schema_name, ==, SCHEMA_NAME);
  attributes = secret_item_get_attributes (item);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "keypair-id"), ==, id);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==, SCHEMA_NAME);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  g_assert_true (g_str_has_prefix (g_dbus_proxy_get_object_path (G_DBUS_PROXY (item)),
                                   g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection))));
  g_list_free_full (items, g_object_unref);

  /* Storing again replaces the item (new label, new secret) instead of adding one. */
  g_assert_true (kf_keyring_store_sync (id, "Renamed box", "second secret", NULL, &error));
  g_assert_no_error (error);
  items = find_items (id);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  new_label = secret_item_get_label (items->data);
  g_assert_cmpstr (new_label, ==, "Keyferry: Renamed box private key");
  g_list_free_full (items, g_object_unref);
  {
    g_autoptr(KfSecret) secret = kf_keyring_lookup_sync (id, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (secret, ==, "second secret");
  }

  g_assert_true (kf_keyring_delete_sync (id, NULL, &error));
  g_assert_no_error (error);
}

static void
on_bool_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gpointer *out = user_data;
  GError *error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == kf_keyring_store_async)
    ok = kf_keyring_store_finish (result, &error);
  else
    ok = kf_keyring_delete_finish (result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  *out = GINT_TO_POINTER (1);
}

typedef struct {
  gboolean  done;
  char     *secret;
  GError   *error;
} LookupResult;

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LookupResult *r = user_data;

  r->secret = kf_keyring_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static void
test_async (void)
{
  g_autofree char *id = g_uuid_string_random ();
  gpointer done = NULL;
  LookupResult r = { 0 };
  g_autofree char *big = NULL;
  GString *text = g_string_new (NULL);

  /* A 4096-bit RSA key in PEM is ~3.3 KiB; use more, with every line ending. */
  while (text->len < 16 * 1024)
    g_string_append_printf (text, "line %u of a long key \xc3\xa9\r\n", (guint) text->len);
  big = g_string_free (text, FALSE);

  kf_keyring_store_async (id, "Async key", big, NULL, on_bool_done, &done);
  kf_test_wait_for ((gboolean *) &done, 30);

  kf_keyring_lookup_async (id, NULL, on_lookup_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, big);
  kf_secret_free (r.secret);

  done = NULL;
  kf_keyring_delete_async (id, NULL, on_bool_done, &done);
  kf_test_wait_for ((gboolean *) &done, 30);

  memset (&r, 0, sizeof r);
  kf_keyring_lookup_async (id, NULL, on_lookup_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_null (r.secret);
  g_assert_error (r.error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&r.error);

  /* Deleting a missing item asynchronously is fine too. */
  done = NULL;
  kf_keyring_delete_async (id, NULL, on_bool_done, &done);
  kf_test_wait_for ((gboolean *) &done, 30);
}

static gboolean
entries_contain (GPtrArray  *entries,
                 const char *id)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id, id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *run = g_uuid_string_random ();
  g_autofree char *store_a = g_strdup_printf ("/tmp/kf-list-test-%s/keyferry.json", run);
  g_autofree char *store_b = g_strdup_printf ("%s-b", store_a);
  g_autofree char *id1 = g_uuid_string_random ();
  g_autofree char *id2 = g_uuid_string_random ();
  g_autofree char *id3 = g_uuid_string_random ();
  g_autofree char *id4 = g_uuid_string_random ();
  g_autoptr(GPtrArray) entries = NULL;
  g_auto(GStrv) ids = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_true (kf_keyring_store_full_sync (id1, "one", "s1", store_a, NULL, &error));
  g_assert_true (kf_keyring_store_full_sync (id2, "two", "s2", store_a, NULL, &error));
  g_assert_true (kf_keyring_store_full_sync (id3, "three", "s3", store_b, NULL, &error));
  g_assert_no_error (error);

  entries = kf_keyring_list_entries_sync (store_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 2);
  g_assert_true (entries_contain (entries, id1));
  g_assert_true (entries_contain (entries, id2));
  for (guint i = 0; i < entries->len; i++)
    {
      KfKeyringEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpstr (entry->store_path, ==, store_a);
      g_assert_cmpint (entry->created, >=, now - 5);
      g_assert_cmpint (entry->created, <=, now + 5);
    }

  /* Another application's item, even with a look-alike attribute, is not ours. */
  g_assert_true (secret_password_store_sync (&other_schema, SECRET_COLLECTION_DEFAULT, "Other app", "other",
                                             NULL, &error, "keypair-id", id4, NULL));
  g_assert_no_error (error);

  /* Without a store: every Keyferry item, ours among them (others may exist). */
  ids = kf_keyring_list_ids_sync (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (g_strv_contains ((const char * const *) ids, id4));
  g_assert_true (secret_password_clear_sync (&other_schema, NULL, &error, "keypair-id", id4, NULL));
  g_assert_no_error (error);
  g_assert_true (g_strv_contains ((const char * const *) ids, id1));
  g_assert_true (g_strv_contains ((const char * const *) ids, id2));
  g_assert_true (g_strv_contains ((const char * const *) ids, id3));

  /* Deleting within one store leaves another store's item alone. */
  g_assert_true (kf_keyring_delete_full_sync (id3, store_a, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (id3), ==, 1);
  g_assert_true (kf_keyring_delete_full_sync (id3, store_b, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (id3), ==, 0);

  g_assert_true (kf_keyring_delete_sync (id1, NULL, &error));
  g_assert_true (kf_keyring_delete_sync (id2, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = kf_keyring_list_entries_sync (store_a, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 0);
}

static void
test_call_count (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  guint before = kf_keyring_get_call_count ();
  g_auto(GStrv) ids = NULL;
  char *secret;

  g_assert_true (kf_keyring_store_sync (id, "count", "x", NULL, &error));
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 1);
  secret = kf_keyring_lookup_sync (id, NULL, &error);
  kf_secret_free (secret);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 2);
  ids = kf_keyring_list_ids_sync (NULL, &error);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 3);
  g_assert_true (kf_keyring_delete_sync (id, NULL, &error));
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 4);
  g_assert_no_error (error);

  /* Freeing nothing is allowed and is no call. */
  kf_secret_free (NULL);
  /* Ordinary heap memory is accepted too (the vault wipes its copies with it). */
  kf_secret_free (g_strdup ("not from the keyring"));
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 4);
}

/* ---- children on the second private bus ---- */

#define ISOLATED_PASSWORD "kf-isolated-keyring-password"

/* gnome-keyring's own way to unlock without a prompt (what its tests use). */
static void
unlock_with_master_password (const char *collection_path,
                             const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr(GVariant) session = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) output = NULL;
  const char *session_path = NULL;

  g_assert_no_error (error);
  session = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                         "org.freedesktop.Secret.Service", "OpenSession",
                                         g_variant_new ("(sv)", "plain", g_variant_new_string ("")),
                                         G_VARIANT_TYPE ("(vo)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (session, "(v&o)", &output, &session_path);

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                                       "UnlockWithMasterPassword",
                                       g_variant_new ("(o(o@ay@ays))", collection_path, session_path,
                                                      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "", 0, 1),
                                                      g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, password,
                                                                                 strlen (password), 1),
                                                      "text/plain"),
                                       NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
cancel_after_timeout (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
assert_locked (GError *error)
{
  /* A hang would have been cancelled and shows up here as G_IO_ERROR_CANCELLED. */
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
  g_assert_cmpstr (error->message, ==, LOCKED_MESSAGE);
}

static int
child_locked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *id2 = g_uuid_string_random ();
  g_autofree char *missing = g_uuid_string_random ();
  g_autofree char *collection_path = NULL;
  GList objects = { NULL, NULL, NULL };
  LookupResult r = { 0 };
  char *secret;
  gint64 start;
  GPtrArray *entries;

  g_assert_true (kf_keyring_store_sync (id, "Locked test", sample_key, NULL, &error));
  g_assert_no_error (error);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  collection_path = g_strdup (g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection)));
  objects.data = collection;
  g_assert_cmpint (secret_service_lock_sync (service, &objects, NULL, NULL, &error), ==, 1);
  g_assert_no_error (error);

  /* The trap this module exists to avoid: libsecret's simple lookup says
   * "nothing" for a locked item. */
  secret = secret_password_lookup_sync (&test_schema, NULL, &error, "keypair-id", id, NULL);
  g_assert_no_error (error);
  g_assert_null (secret);

  /* The service cannot show its prompt here (no gcr prompter on this bus), so
   * unlocking fails at once; 30 s of patience turn a hang into a failure. */
  g_timeout_add_seconds (30, cancel_after_timeout, cancellable);
  start = g_get_monotonic_time ();

  secret = kf_keyring_lookup_sync (id, cancellable, &error);
  g_assert_null (secret);
  assert_locked (error);
  g_clear_error (&error);

  g_assert_false (kf_keyring_store_sync (id2, "Locked test 2", sample_key, cancellable, &error));
  assert_locked (error);
  g_clear_error (&error);

  g_assert_false (kf_keyring_delete_sync (id, cancellable, &error));
  assert_locked (error);
  g_clear_error (&error);

  entries = kf_keyring_list_entries_sync (NULL, cancellable, &error);
  g_assert_null (entries);
  assert_locked (error);
  g_clear_error (&error);

  g_assert_false (kf_keyring_ensure_unlocked_sync (cancellable, &error));
  assert_locked (error);
  g_clear_error (&error);

  kf_keyring_lookup_async (id, cancellable, on_lookup_done, &r);
  kf_test_wait_for (&r.done, 40);
  g_assert_null (r.secret);
  assert_locked (r.error);
  g_clear_error (&r.error);

  /* An id that is not there at all is still "not found", locked or not. */
  g_assert_null (kf_keyring_lookup_sync (missing, cancellable, &error));
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_printerr ("locked: all refusals took %.2f s\n", (g_get_monotonic_time () - start) / 1e6);

  /* Unlocked again, everything works. */
  unlock_with_master_password (collection_path, ISOLATED_PASSWORD);
  g_assert_true (kf_keyring_ensure_unlocked_sync (NULL, &error));
  g_assert_no_error (error);
  secret = kf_keyring_lookup_sync (id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, sample_key);
  kf_secret_free (secret);
  g_assert_true (kf_keyring_store_sync (id2, "Locked test 2", sample_key, NULL, &error));
  g_assert_true (kf_keyring_delete_sync (id, NULL, &error));
  g_assert_true (kf_keyring_delete_sync (id2, NULL, &error));
  g_assert_no_error (error);
  return 0;
}

static void
assert_no_service (GError *error)
{
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NO_SERVICE);
  g_assert_true (g_str_has_prefix (error->message, "No keyring service is running;"));
  g_assert_true (g_str_has_suffix (error->message, "."));
}

static int
child_no_service_inner (void);

static int
child_no_service (void)
{
  kf_test_tolerate_libsecret_name_watch ();
  return child_no_service_inner ();
}

static int
child_no_service_inner (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  LookupResult r = { 0 };
  guint before = kf_keyring_get_call_count ();

  g_assert_false (kf_keyring_store_sync (id, "No service", sample_key, NULL, &error));
  assert_no_service (error);
  g_clear_error (&error);

  g_assert_null (kf_keyring_lookup_sync (id, NULL, &error));
  assert_no_service (error);
  g_clear_error (&error);

  g_assert_false (kf_keyring_delete_sync (id, NULL, &error));
  assert_no_service (error);
  g_clear_error (&error);

  g_assert_null (kf_keyring_list_ids_sync (NULL, &error));
  assert_no_service (error);
  g_clear_error (&error);

  kf_keyring_lookup_async (id, NULL, on_lookup_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_null (r.secret);
  assert_no_service (r.error);
  g_clear_error (&r.error);

  g_assert_cmpuint (kf_keyring_get_call_count (), ==, before + 5);
  return 0;
}

static void
test_locked (void)
{
  g_autoptr(KfTestBus) bus = kf_test_bus_new ();

  kf_test_bus_start_keyring (bus, ISOLATED_PASSWORD);
  g_assert_cmpint (kf_test_bus_run_child (bus, "locked"), ==, 0);
}

static void
test_no_service (void)
{
  g_autoptr(KfTestBus) bus = kf_test_bus_new ();

  g_assert_cmpint (kf_test_bus_run_child (bus, "no-service"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  const char *child = g_getenv ("KF_TEST_CHILD");

  kf_test_init (&argc, &argv);

  if (g_strcmp0 (child, "locked") == 0)
    return child_locked ();
  if (g_strcmp0 (child, "no-service") == 0)
    return child_no_service ();
  g_assert_null (child);

  g_test_add_func ("/keyring/store-lookup-delete", test_store_lookup_delete);
  g_test_add_func ("/keyring/label-and-place", test_label_and_place);
  g_test_add_func ("/keyring/async", test_async);
  g_test_add_func ("/keyring/list", test_list);
  g_test_add_func ("/keyring/call-count", test_call_count);
  g_test_add_func ("/keyring/locked", test_locked);
  g_test_add_func ("/keyring/no-service", test_no_service);

  return g_test_run ();
}
