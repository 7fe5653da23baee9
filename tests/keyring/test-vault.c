/* test-vault.c: KfVault keeps the store and the real gnome-keyring consistent.
 *
 * Every test uses its own store file, and KfVault tags keyring items with that
 * path, so reconcile here never touches what other test binaries (sharing the
 * keyring) wrote.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "kf-errors.h"
#include "kf-keyring.h"
#include "kf-store.h"
#include "kf-test-bus.h"
#include "kf-test-util.h"
#include "kf-vault.h"

#define PUBLIC_KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZmFrZSBrZXkgZm9yIEtleWZlcnJ5IHRlc3RzIQ== test"

static char *
private_key_for (const char *id)
{
  return g_strdup_printf ("-----BEGIN OPENSSH PRIVATE KEY-----\nfake key of %s\n-----END OPENSSH PRIVATE KEY-----\n", id);
}

static KfKeypair *
make_keypair (const char *name)
{
  KfKeypair *keypair = kf_keypair_new (name);

  kf_keypair_set_key_type (keypair, "ssh-ed25519");
  kf_keypair_set_bits (keypair, 256);
  kf_keypair_set_public_key (keypair, PUBLIC_KEY);
  kf_keypair_set_fingerprint (keypair, "SHA256:fake");
  return keypair;
}

static KfStore *
make_store (char **out_path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("store");
  char *path = g_build_filename (dir, "keyferry.json", NULL);
  KfStore *store = kf_store_new (path);

  kf_store_load (store, &error);
  g_assert_no_error (error);
  *out_path = path;
  return store;
}

static gboolean
keyring_has (const char *id,
             const char *store_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (store_path, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id, id) == 0)
      return TRUE;
  return FALSE;
}

static void
delete_all_of_store (const char *store_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = kf_keyring_list_entries_sync (store_path, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      g_assert_true (kf_keyring_delete_full_sync (((KfKeyringEntry *) g_ptr_array_index (entries, i))->keypair_id,
                                                  store_path, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
test_add_get_delete (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Laptop key");
  g_autofree char *id = g_strdup (kf_keypair_get_id (keypair));
  g_autofree char *pk = private_key_for (id);
  g_autoptr(KfSecret) secret = NULL;
  KfKeypair *stored;

  g_assert_true (kf_vault_get_store (vault) == store);
  g_assert_true (kf_vault_add_keypair_sync (vault, keypair, pk, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (kf_keypair_get_has_private_key (keypair));

  stored = kf_store_find_keypair (store, id);
  g_assert_nonnull (stored);
  g_assert_true (kf_keypair_get_has_private_key (stored));
  g_assert_cmpstr (kf_keypair_get_public_key (stored), ==, PUBLIC_KEY);
  g_assert_true (keyring_has (id, path));

  /* Another process sees it in the file. */
  {
    g_autoptr(KfStore) other = kf_store_new (path);

    kf_store_load (other, &error);
    g_assert_no_error (error);
    g_assert_nonnull (kf_store_find_keypair (other, id));
  }

  secret = kf_vault_get_private_key_sync (vault, stored, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, pk);

  g_assert_true (kf_vault_delete_keypair_sync (vault, id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (kf_store_find_keypair (store, id));
  g_assert_false (keyring_has (id, NULL));

  /* Gone is gone: a second delete says so. */
  g_assert_false (kf_vault_delete_keypair_sync (vault, id, FALSE, NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
}

static void
test_public_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Public only");
  const char *id = kf_keypair_get_id (keypair);
  guint calls = kf_keyring_get_call_count ();
  char *secret;

  g_assert_true (kf_vault_add_keypair_sync (vault, keypair, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (kf_keypair_get_has_private_key (kf_store_find_keypair (store, id)));

  secret = kf_vault_get_private_key_sync (vault, keypair, NULL, &error);
  g_assert_null (secret);
  g_assert_error (error, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY);
  g_assert_nonnull (strstr (error->message, "Public only"));
  g_clear_error (&error);

  g_assert_true (kf_vault_delete_keypair_sync (vault, id, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (kf_store_find_keypair (store, id));

  /* A public-only key pair never needs the keyring. */
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls);
}

/* Reconcile is lazy: creating the store and the vault asks the keyring
 * nothing; the first keyring write runs it once. */
static void
test_lazy_reconcile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  guint calls = kf_keyring_get_call_count ();
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) a = make_keypair ("Lazy A");
  g_autoptr(KfKeypair) b = make_keypair ("Lazy B");
  g_autofree char *orphan = g_uuid_string_random ();

  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls);

  /* A fresh unowned secret (as if another process were mid-add) survives the
   * lazy pass, which uses the default grace period. */
  g_assert_true (kf_keyring_store_full_sync (orphan, "orphan", "x", path, NULL, &error));
  calls = kf_keyring_get_call_count ();

  g_assert_true (kf_vault_add_keypair_sync (vault, a, "key a", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls + 2);   /* list + store */
  g_assert_true (kf_vault_add_keypair_sync (vault, b, "key b", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls + 3);   /* store only */
  g_assert_true (keyring_has (orphan, path));

  delete_all_of_store (path);
}

static void
test_rollback (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("rollback");
  g_autofree char *store_dir = g_build_filename (dir, "data", NULL);
  g_autofree char *path = g_build_filename (store_dir, "keyferry.json", NULL);
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Rollback");
  g_autoptr(KfKeypair) twin = make_keypair ("Rollback");
  const char *id = kf_keypair_get_id (keypair);
  g_autofree char *pk = private_key_for (id);
  guint calls;

  kf_store_load (store, &error);
  g_assert_no_error (error);

  /* A name the store already has is refused before any secret is written. */
  g_assert_true (kf_vault_add_keypair_sync (vault, twin, NULL, NULL, &error));
  g_assert_no_error (error);
  calls = kf_keyring_get_call_count ();
  g_assert_false (kf_vault_add_keypair_sync (vault, keypair, pk, NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls);
  kf_keypair_set_name (keypair, "Rollback 2");

  /* Now the store cannot be written (its directory became a regular file,
   * which stops root too): the secret written first must be deleted again. */
  {
    g_autofree char *moved = g_strconcat (store_dir, ".moved", NULL);

    g_assert_cmpint (g_rename (store_dir, moved), ==, 0);
    g_file_set_contents (store_dir, "not a directory", -1, &error);
    g_assert_no_error (error);
  }
  g_assert_false (kf_vault_add_keypair_sync (vault, keypair, pk, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == KF_STORE_ERROR);
  g_test_message ("store error: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (kf_keyring_get_call_count (), >, calls);   /* it did write the secret */
  g_assert_false (keyring_has (id, NULL));
  g_assert_false (kf_keypair_get_has_private_key (keypair));
  g_assert_null (kf_store_find_keypair (store, id));
}

static void
test_reconcile (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) kept = make_keypair ("Kept");
  g_autoptr(KfKeypair) lost = make_keypair ("Lost secret");
  g_autoptr(GPtrArray) missing = NULL;
  g_autofree char *orphan = g_uuid_string_random ();
  g_autofree char *foreign = g_uuid_string_random ();
  g_autofree char *untagged = g_uuid_string_random ();
  g_autofree char *other_store = g_strconcat (path, ".other", NULL);
  guint removed = 99;

  g_assert_true (kf_vault_add_keypair_sync (vault, kept, "kept key", NULL, &error));
  g_assert_true (kf_vault_add_keypair_sync (vault, lost, "lost key", NULL, &error));
  g_assert_no_error (error);
  /* Behind Keyferry's back (e.g. in Seahorse): the secret of "Lost secret". */
  g_assert_true (kf_keyring_delete_sync (kf_keypair_get_id (lost), NULL, &error));
  /* Unowned: ours, another store's, and one without a store tag. */
  g_assert_true (kf_keyring_store_full_sync (orphan, "orphan", "o", path, NULL, &error));
  g_assert_true (kf_keyring_store_full_sync (foreign, "foreign", "f", other_store, NULL, &error));
  g_assert_true (kf_keyring_store_sync (untagged, "untagged", "u", NULL, &error));
  g_assert_no_error (error);

  /* Within the grace period nothing is deleted, the loss is reported. */
  missing = kf_vault_reconcile_sync (vault, KF_VAULT_RECONCILE_GRACE_SECONDS, &removed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 0);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_true (g_ptr_array_index (missing, 0) == kf_store_find_keypair (store, kf_keypair_get_id (lost)));
  g_assert_true (keyring_has (orphan, path));
  g_clear_pointer (&missing, g_ptr_array_unref);

  /* Grace 0: our orphan goes, nothing else; the key pair with the missing
   * secret is still reported and still in the store, unchanged. */
  missing = kf_vault_reconcile_sync (vault, 0, &removed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (removed, ==, 1);
  g_assert_cmpuint (missing->len, ==, 1);
  g_assert_false (keyring_has (orphan, NULL));
  g_assert_true (keyring_has (foreign, other_store));
  g_assert_true (keyring_has (untagged, NULL));
  g_assert_true (keyring_has (kf_keypair_get_id (kept), path));
  g_assert_true (kf_keypair_get_has_private_key (kf_store_find_keypair (store, kf_keypair_get_id (lost))));
  {
    g_autoptr(KfSecret) secret = kf_vault_get_private_key_sync (vault, lost, NULL, &error);

    g_assert_null (secret);
    g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "Lost secret"));
    g_clear_error (&error);
  }

  delete_all_of_store (path);
  delete_all_of_store (other_store);
  g_assert_true (kf_keyring_delete_sync (untagged, NULL, &error));
  g_assert_no_error (error);
}

static void
test_delete_in_use (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Used key");
  g_autoptr(KfConnection) connection = kf_connection_new ("NAS");
  const char *id = kf_keypair_get_id (keypair);

  g_assert_true (kf_vault_add_keypair_sync (vault, keypair, "used", NULL, &error));
  g_assert_no_error (error);
  kf_connection_set_host (connection, "nas.example.org");
  kf_connection_set_keypair_id (connection, id);
  g_assert_true (kf_store_add_connection (store, connection, &error));
  g_assert_no_error (error);

  g_assert_false (kf_vault_delete_keypair_sync (vault, id, FALSE, NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE);
  g_clear_error (&error);
  g_assert_nonnull (kf_store_find_keypair (store, id));
  g_assert_true (keyring_has (id, path));

  g_assert_true (kf_vault_delete_keypair_sync (vault, id, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_null (kf_store_find_keypair (store, id));
  g_assert_null (kf_store_find_connection (store, kf_connection_get_id (connection)));
  g_assert_false (keyring_has (id, NULL));
}

static char *
label_of (const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SecretService) service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
  GList *items;
  char *label;

  g_assert_no_error (error);
  g_hash_table_insert (attributes, "keypair-id", (gpointer) id);
  items = secret_service_search_sync (service, NULL, attributes, SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_length (items), ==, 1);
  label = secret_item_get_label (items->data);
  g_list_free_full (items, g_object_unref);
  return label;
}

static void
test_update (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Before");
  g_autoptr(KfKeypair) other = make_keypair ("Other");
  g_autoptr(KfKeypair) edited = NULL;
  g_autofree char *label = NULL;
  const char *id = kf_keypair_get_id (keypair);
  guint calls;

  g_assert_true (kf_vault_add_keypair_sync (vault, keypair, "before key", NULL, &error));
  g_assert_true (kf_vault_add_keypair_sync (vault, other, NULL, NULL, &error));
  g_assert_no_error (error);
  label = label_of (id);
  g_assert_cmpstr (label, ==, "Keyferry: Before private key");
  g_clear_pointer (&label, g_free);

  /* The edit screen works on a copy; has-private-key is not its to change. */
  edited = kf_keypair_copy (keypair);
  kf_keypair_set_name (edited, "After");
  kf_keypair_set_comment (edited, "renamed");
  kf_keypair_set_has_private_key (edited, FALSE);
  g_assert_true (kf_vault_update_keypair_sync (vault, edited, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kf_keypair_get_name (kf_store_find_keypair (store, id)), ==, "After");
  g_assert_cmpstr (kf_keypair_get_comment (kf_store_find_keypair (store, id)), ==, "renamed");
  g_assert_true (kf_keypair_get_has_private_key (kf_store_find_keypair (store, id)));
  g_assert_true (kf_keypair_get_has_private_key (edited));
  label = label_of (id);
  g_assert_cmpstr (label, ==, "Keyferry: After private key");

  /* Another key pair's name is refused; nothing changes. */
  kf_keypair_set_name (edited, "Other");
  g_assert_false (kf_vault_update_keypair_sync (vault, edited, NULL, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  g_assert_cmpstr (kf_keypair_get_name (kf_store_find_keypair (store, id)), ==, "After");

  /* Renaming a public-only key pair does not need the keyring. */
  calls = kf_keyring_get_call_count ();
  kf_keypair_set_name (other, "Other renamed");
  g_assert_true (kf_vault_update_keypair_sync (vault, other, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls);

  delete_all_of_store (path);
}

/* ---- async: store changes on the caller's thread ---- */

static GThread *main_thread;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  guint *changes = user_data;

  /* List models feed GTK widgets: they must only change on the main thread. */
  g_assert_true (g_thread_self () == main_thread);
  (*changes)++;
}

typedef struct {
  gboolean   done;
  gboolean   ok;
  char      *secret;
  GPtrArray *missing;
  guint      removed;
  GError    *error;
} AsyncResult;

static void
on_add_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->ok = kf_vault_add_keypair_finish (KF_VAULT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_delete_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->ok = kf_vault_delete_keypair_finish (KF_VAULT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_update_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->ok = kf_vault_update_keypair_finish (KF_VAULT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_key_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->secret = kf_vault_get_private_key_finish (KF_VAULT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_reconcile_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AsyncResult *r = user_data;
  r->missing = kf_vault_reconcile_finish (KF_VAULT (source), result, &r->removed, &r->error);
  r->done = TRUE;
}

static void
test_async (void)
{
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) keypair = make_keypair ("Async key");
  g_autofree char *id = g_strdup (kf_keypair_get_id (keypair));
  g_autofree char *pk = private_key_for (id);
  AsyncResult r = { 0 };
  guint changes = 0;

  main_thread = g_thread_self ();
  g_signal_connect (kf_store_get_keypairs (store), "items-changed", G_CALLBACK (on_items_changed), &changes);

  kf_vault_add_keypair_async (vault, keypair, pk, NULL, on_add_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (changes, >, 0);
  g_assert_true (kf_keypair_get_has_private_key (kf_store_find_keypair (store, id)));

  memset (&r, 0, sizeof r);
  kf_vault_get_private_key_async (vault, keypair, NULL, on_key_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, pk);
  kf_secret_free (r.secret);

  changes = 0;
  memset (&r, 0, sizeof r);
  kf_keypair_set_name (keypair, "Async key renamed");
  kf_vault_update_keypair_async (vault, keypair, NULL, on_update_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpstr (kf_keypair_get_name (kf_store_find_keypair (store, id)), ==, "Async key renamed");
  {
    g_autofree char *label = label_of (id);
    g_assert_cmpstr (label, ==, "Keyferry: Async key renamed private key");
  }

  memset (&r, 0, sizeof r);
  kf_vault_reconcile_async (vault, 0, NULL, on_reconcile_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.missing->len, ==, 0);
  g_assert_cmpuint (r.removed, ==, 0);
  g_ptr_array_unref (r.missing);

  changes = 0;
  memset (&r, 0, sizeof r);
  kf_vault_delete_keypair_async (vault, id, FALSE, NULL, on_delete_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (changes, >, 0);
  g_assert_null (kf_store_find_keypair (store, id));
  g_assert_false (keyring_has (id, NULL));

  /* Errors come back through _finish too. */
  memset (&r, 0, sizeof r);
  kf_vault_delete_keypair_async (vault, id, FALSE, NULL, on_delete_done, &r);
  kf_test_wait_for (&r.done, 30);
  g_assert_false (r.ok);
  g_assert_error (r.error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  g_clear_error (&r.error);

  g_signal_handlers_disconnect_by_func (kf_store_get_keypairs (store), on_items_changed, &changes);
}

/* ---- locked keyring: nothing is changed half-way (second private bus) ---- */

#define ISOLATED_PASSWORD "kf-isolated-vault-password"

static int
child_locked (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(KfStore) store = make_store (&path);
  g_autoptr(KfVault) vault = kf_vault_new (store);
  g_autoptr(KfKeypair) held = make_keypair ("Held");
  g_autoptr(KfKeypair) fresh = make_keypair ("Fresh");
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  GList objects = { NULL, NULL, NULL };

  g_assert_true (kf_vault_add_keypair_sync (vault, held, "held key", NULL, &error));
  g_assert_no_error (error);

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  objects.data = collection;
  g_assert_cmpint (secret_service_lock_sync (service, &objects, NULL, NULL, &error), ==, 1);
  g_assert_no_error (error);

  g_assert_false (kf_vault_add_keypair_sync (vault, fresh, "fresh key", NULL, &error));
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_null (kf_store_find_keypair (store, kf_keypair_get_id (fresh)));

  /* A vault whose lazy reconcile meets the locked keyring stops there: the
   * user is asked to unlock once per write, not twice. */
  {
    g_autoptr(KfVault) second = kf_vault_new (store);
    guint calls = kf_keyring_get_call_count ();

    g_assert_false (kf_vault_add_keypair_sync (second, fresh, "fresh key", NULL, &error));
    g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
    g_clear_error (&error);
    g_assert_cmpuint (kf_keyring_get_call_count (), ==, calls + 1);
    g_assert_null (kf_store_find_keypair (store, kf_keypair_get_id (fresh)));
  }

  g_assert_false (kf_vault_delete_keypair_sync (vault, kf_keypair_get_id (held), FALSE, NULL, &error));
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_nonnull (kf_store_find_keypair (store, kf_keypair_get_id (held)));

  g_assert_null (kf_vault_reconcile_sync (vault, 0, NULL, NULL, &error));
  g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
  g_clear_error (&error);

  {
    g_autoptr(KfSecret) secret = kf_vault_get_private_key_sync (vault, held, NULL, &error);

    g_assert_null (secret);
    g_assert_error (error, KF_KEYRING_ERROR, KF_KEYRING_ERROR_LOCKED);
  }
  return 0;
}

static void
test_locked (void)
{
  g_autoptr(KfTestBus) bus = kf_test_bus_new ();

  kf_test_bus_start_keyring (bus, ISOLATED_PASSWORD);
  g_assert_cmpint (kf_test_bus_run_child (bus, "vault-locked"), ==, 0);
}

/* ---- crash between the writes ---- */

#define CRASH_LIVE_KEYPAIRS 6

/* Adds key pairs through KfVault forever (and deletes the oldest to keep the
 * store small) until the parent SIGKILLs it. */
static int
child_vault_loop (void)
{
  g_autoptr(GError) error = NULL;
  const char *path = g_getenv ("KF_TEST_STORE");
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;

  g_assert_nonnull (path);
  store = kf_store_new (path);
  kf_store_load (store, &error);
  g_assert_no_error (error);
  vault = kf_vault_new (store);

  printf ("ready\n");
  fflush (stdout);

  for (guint i = 0; ; i++)
    {
      g_autofree char *name = g_strdup_printf ("crash %d-%u", (int) getpid (), i);
      g_autoptr(KfKeypair) keypair = make_keypair (name);
      g_autofree char *pk = private_key_for (kf_keypair_get_id (keypair));
      GListModel *keypairs = kf_store_get_keypairs (store);

      gboolean ok = kf_vault_add_keypair_sync (vault, keypair, i % 5 == 4 ? NULL : pk, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (ok);

      if (g_list_model_get_n_items (keypairs) > CRASH_LIVE_KEYPAIRS)
        {
          g_autoptr(KfKeypair) oldest = g_list_model_get_item (keypairs, 0);
          g_autofree char *oldest_id = g_strdup (kf_keypair_get_id (oldest));

          gboolean deleted = kf_vault_delete_keypair_sync (vault, oldest_id, FALSE, NULL, &error);

          g_assert_no_error (error);
          g_assert_true (deleted);
        }
    }
  return 1;
}

static void
test_crash_between_writes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("crash");
  g_autofree char *path = g_build_filename (dir, "keyferry.json", NULL);
  g_autofree char *store_env = g_strconcat ("KF_TEST_STORE=", path, NULL);
  const char *envp[] = { store_env, NULL };
  g_autoptr(KfStore) store = NULL;
  g_autoptr(KfVault) vault = NULL;
  g_autoptr(GPtrArray) missing = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  const guint rounds = g_test_slow () ? 200 : 60;
  guint removed = 0;
  guint n_keypairs, n_private = 0;
  GListModel *keypairs;

  for (guint round = 0; round < rounds; round++)
    {
      g_autoptr(GSubprocess) child = kf_test_spawn_child ("vault-loop", envp, &error);
      g_autoptr(GDataInputStream) out = NULL;
      g_autofree char *line = NULL;

      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
      line = g_data_input_stream_read_line (out, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (line, ==, "ready");

      /* A random moment inside the add/delete loop (seeded: --seed repeats it).
       * The window scales with kf_test_timeout(): under the sanitizers a
       * child's first write alone took 180-410 ms on a loaded machine, so
       * 5-250 ms mostly killed children that had written nothing yet. */
      g_usleep (g_test_rand_int_range (5, 250 * (gint32) kf_test_timeout (1)) * 1000);
      g_subprocess_send_signal (child, SIGKILL);
      g_subprocess_wait (child, NULL, &error);
      g_assert_no_error (error);
      /* It must have been running until killed, not failed on its own. */
      g_assert_true (g_subprocess_get_if_signaled (child));
      g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
    }

  store = kf_store_new (path);
  kf_store_load (store, &error);
  g_assert_no_error (error);   /* never damaged */
  vault = kf_vault_new (store);

  missing = kf_vault_reconcile_sync (vault, 0, &removed, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (missing->len, ==, 0);

  /* Every key pair that claims a private key has it, with the right text. */
  keypairs = kf_store_get_keypairs (store);
  n_keypairs = g_list_model_get_n_items (keypairs);
  g_assert_cmpuint (n_keypairs, >, 0);
  for (guint i = 0; i < n_keypairs; i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (keypairs, i);
      g_autofree char *expected = private_key_for (kf_keypair_get_id (keypair));
      g_autoptr(KfSecret) secret = NULL;

      if (!kf_keypair_get_has_private_key (keypair))
        continue;
      n_private++;
      secret = kf_vault_get_private_key_sync (vault, keypair, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (secret, ==, expected);
    }

  /* And no secret of this store is unowned. */
  entries = kf_keyring_list_entries_sync (path, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      KfKeyringEntry *entry = g_ptr_array_index (entries, i);
      KfKeypair *owner = kf_store_find_keypair (store, entry->keypair_id);

      g_assert_nonnull (owner);
      g_assert_true (kf_keypair_get_has_private_key (owner));
    }
  g_assert_cmpuint (entries->len, ==, n_private);

  g_test_message ("crash: %u kills; %u key pairs left (%u with a private key); "
                  "reconcile deleted %u unowned secrets", rounds, n_keypairs, n_private, removed);
  delete_all_of_store (path);
}

int
main (int   argc,
      char *argv[])
{
  const char *child = g_getenv ("KF_TEST_CHILD");

  /* The crash child is SIGKILLed: it must not own a temporary directory. */
  if (g_strcmp0 (child, "vault-loop") == 0)
    return child_vault_loop ();

  kf_test_init (&argc, &argv);

  if (g_strcmp0 (child, "vault-locked") == 0)
    return child_locked ();
  g_assert_null (child);

  g_test_add_func ("/vault/add-get-delete", test_add_get_delete);
  g_test_add_func ("/vault/public-only", test_public_only);
  g_test_add_func ("/vault/lazy-reconcile", test_lazy_reconcile);
  g_test_add_func ("/vault/rollback", test_rollback);
  g_test_add_func ("/vault/reconcile", test_reconcile);
  g_test_add_func ("/vault/update", test_update);
  g_test_add_func ("/vault/delete-in-use", test_delete_in_use);
  g_test_add_func ("/vault/async", test_async);
  g_test_add_func ("/vault/locked", test_locked);
  g_test_add_func ("/vault/crash-between-writes", test_crash_between_writes);

  return g_test_run ();
}
