/* test-store.c: the store file, its checks, and what happens when it is damaged or cannot be written.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kf-errors.h"
#include "kf-serialize.h"
#include "kf-store.h"
#include "kf-store-private.h"
#include "kf-store-reader.h"
#include "kf-test-util.h"
#include "store-test-data.h"

static char *
new_store_path (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("store");
  return g_build_filename (dir, "keyferry.json", NULL);
}

static guint
n_keypairs (KfStore *store)
{
  return g_list_model_get_n_items (kf_store_get_keypairs (store));
}

static guint
n_connections (KfStore *store)
{
  return g_list_model_get_n_items (kf_store_get_connections (store));
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
write_bytes (const char   *path,
             gconstpointer data,
             gsize         len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names of the files in @dir, sorted, joined by spaces. */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
write_store_text (const char *path,
                  const char *text)
{
  write_bytes (path, text, strlen (text));
}

/* A store at @path holding @n generated key pairs and connections. */
static KfStore *
make_store (const char *path,
            guint       n,
            gboolean    tricky)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  KfStore *store = kf_store_new (path);

  store_test_generate (n, 7, tricky, &keypairs, &connections);
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_true (kf_store_add_all (store, keypairs, connections, &error));
  g_assert_no_error (error);
  return store;
}

/* Finds the one "<path>.damaged-*" file and returns its path. */
static char *
find_backup (const char *path,
             guint       expected_count)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".damaged-", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  char *found = NULL;
  guint count = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, prefix))
      {
        count++;
        g_free (found);
        found = g_build_filename (dir, name, NULL);
      }
  g_assert_cmpuint (count, ==, expected_count);
  return found;
}

/* Loads a file that must be refused with @code: it is moved aside with its
 * bytes intact, the error names the backup, and the store starts empty and
 * usable. Returns the backup's path. */
static char *
assert_moved_aside (const char *path,
                    int         code,
                    guint       backups_before)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("after damage");
  char *backup;

  g_assert_false (kf_store_load (store, &error));
  g_assert_error (error, KF_STORE_ERROR, code);
  /* the message names the backup: “…” */
  g_free (find_backup (path, backups_before + 1));
  {
    const char *open = strstr (error->message, "“");
    const char *close = open ? strstr (open, "”") : NULL;
    g_assert_nonnull (close);
    backup = g_strndup (open + strlen ("“"), close - open - strlen ("“"));
  }
  g_assert_true (g_str_has_prefix (backup, path));
  g_assert_true (g_str_has_prefix (backup + strlen (path), ".damaged-"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  after = read_bytes (backup);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (n_keypairs (store), ==, 0);
  g_assert_cmpuint (n_connections (store), ==, 0);

  /* usable afterwards, and the backup is left alone */
  g_clear_error (&error);
  g_assert_true (kf_store_add_keypair (store, keypair, &error));
  g_assert_no_error (error);
  g_clear_pointer (&after, g_bytes_unref);
  after = read_bytes (backup);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpuint (g_unlink (path), ==, 0);
  return backup;
}

/* @reader, just loaded, holds the 10,000 + 10,000 items written. */
static void
assert_round_trip (KfStore   *reader,
                   GPtrArray *keypairs,
                   GPtrArray *connections)
{
  GListModel *list = kf_store_get_keypairs (reader);

  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 10000);
  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(KfKeypair) keypair = g_list_model_get_item (list, i);
      store_test_assert_same (G_OBJECT (keypair), keypairs->pdata[i]);
      g_assert_cmpuint (kf_keypair_get_usage_count (keypair), ==, 1);
    }
  list = kf_store_get_connections (reader);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 10000);
  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(KfConnection) connection = g_list_model_get_item (list, i);
      store_test_assert_same (G_OBJECT (connection), connections->pdata[i]);
      g_assert_cmpuint (g_strv_length ((char **) kf_connection_get_host_keys (connection)), ==, 3);
    }
  g_assert_true (kf_store_find_keypair (reader, kf_keypair_get_id (keypairs->pdata[1234])) != NULL);
  g_assert_true (kf_store_find_connection_by_name (reader, kf_connection_get_name (connections->pdata[4321])) != NULL);
}

/* Written and read back, by kf_store_load() and by the GUI's start-up load,
 * which gives up the CPU every 512 items (kf_store_load_yielding()). */
static void
test_round_trip (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keypairs = NULL;
  g_autoptr(GPtrArray) connections = NULL;
  g_autoptr(KfStore) writer = kf_store_new (path);
  g_autoptr(KfStore) reader = kf_store_new (path);
  g_autoptr(KfStore) yielding_reader = kf_store_new (path);

  store_test_generate (10000, 1, TRUE, &keypairs, &connections);
  g_assert_true (kf_store_load (writer, &error));
  g_assert_true (kf_store_add_all (writer, keypairs, connections, &error));
  g_assert_no_error (error);

  g_assert_true (kf_store_load (reader, &error));
  g_assert_no_error (error);
  assert_round_trip (reader, keypairs, connections);
  g_assert_true (kf_store_load_yielding (yielding_reader, &error));
  g_assert_no_error (error);
  assert_round_trip (yielding_reader, keypairs, connections);
}

static void
test_file_format (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("Laptop");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "keyferry", NULL);
  g_autofree char *path = g_build_filename (dir, "keyferry.json", NULL);
  JsonObject *root;
  GStatBuf st;
  g_autoptr(GObject) via_json_glib = NULL;

  g_assert_cmpstr (kf_store_get_path (store), ==, path);
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  kf_keypair_set_public_key (keypair, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGdFbm9uZQ laptop");
  g_assert_true (kf_store_add_keypair (store, keypair, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* plain JSON that json-glib reads, with the documented header */
  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "keyferry-store");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, KF_STORE_FORMAT_VERSION);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "keypairs")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "connections")), ==, 0);
  via_json_glib = kf_deserialize_object (KF_TYPE_KEYPAIR,
                                         json_array_get_object_element (json_object_get_array_member (root, "keypairs"), 0),
                                         &error);
  g_assert_no_error (error);
  store_test_assert_same (via_json_glib, G_OBJECT (keypair));
  /* the store kept its own copy */
  g_assert_true (kf_store_find_keypair (store, kf_keypair_get_id (keypair)) != keypair);
  store_test_assert_same (G_OBJECT (kf_store_find_keypair (store, kf_keypair_get_id (keypair))), G_OBJECT (keypair));

  /* nothing but the file and its lock file is left in the folder */
  {
    g_autofree char *listing = list_dir (dir);
    g_assert_cmpstr (listing, ==, "keyferry.json keyferry.json.lock");
  }
}

/* The fast reader and kf_deserialize_object() accept and refuse the same things. */
static void
test_reader_agrees (void)
{
  static const struct { GType (*type) (void); const char *json; } cases[] = {
    { kf_keypair_get_type, "{\"id\":\"a\",\"name\":\"n\",\"bits\":3072,\"has-private-key\":true,\"created\":5}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"name\":\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20ac\\ud83d\\udd11\"}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"name\":null,\"comment\":null}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"unknown\":{\"x\":[1,2,{\"y\":null}]},\"name\":\"n\"}" },
    { kf_keypair_get_type, "{}" },
    { kf_keypair_get_type, " { \"id\" : \"a\" , \"bits\" : 0 } " },
    { kf_keypair_get_type, "{\"id\":\"a\",\"bits\":\"256\"}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"bits\":-1}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"bits\":65537}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"bits\":256.0}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"bits\":2e3}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"has-private-key\":1}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"has-private-key\":null}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"created\":9223372036854775807}" },
    { kf_keypair_get_type, "{\"id\":5}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"name\":[\"n\"]}" },
    { kf_keypair_get_type, "{\"id\":\"a\",\"usage-count\":7}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"name\":\"n\",\"port\":2222,\"host-keys\":[\"ssh-ed25519 AAAA\",\"ssh-rsa BBBB\"],"
                              "\"setup-method\":\"semi-automatic\",\"test-state\":\"failed\",\"tested-at\":17}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"host-keys\":[]}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"host-keys\":null}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"host-keys\":[\"a\",5]}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"host-keys\":\"a\"}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"port\":0}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"port\":65536}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"connect-timeout\":601}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"setup-method\":\"automatic\"}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"setup-method\":1}" },
    { kf_connection_get_type, "{\"id\":\"c\",\"username\":null}" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GType type = cases[i].type ();
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) fast_error = NULL;
      g_autoptr(GError) slow_error = NULL;
      g_autoptr(GObject) fast = kf_store_reader_parse_object (type, cases[i].json, &fast_error);
      g_autoptr(GObject) slow = NULL;

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_true (json_parser_load_from_data (parser, cases[i].json, -1, NULL));
      slow = kf_deserialize_object (type, json_node_get_object (json_parser_get_root (parser)), &slow_error);
      g_assert_true ((fast == NULL) == (slow == NULL));
      if (fast == NULL)
        {
          g_assert_error (fast_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED);
          g_assert_error (slow_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED);
        }
      else
        {
          /* both give a fresh UUID when "id" is missing */
          if (strstr (cases[i].json, "\"id\"") != NULL)
            store_test_assert_same (fast, slow);
          g_assert_no_error (fast_error);
        }
    }

  /* the reader also insists on well-formed JSON */
  {
    static const char *bad[] = {
      "{\"id\":\"a\",}", "{\"id\":\"a\"", "{\"id\":'a'}", "{\"id\":\"a\" \"name\":\"b\"}",
      "{\"id\":\"a\\x\"}", "{\"id\":\"a\\ud800\"}", "{\"id\":\"\\u0000\"}", "{\"bits\":01}",
      "{\"bits\":1.}", "{\"bits\":-}", "{\"name\":\"\xff\xfe\"}", "{\"a\":tru}",
      "{\"id\":\"a\"} x",
    };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GObject) object = kf_store_reader_parse_object (KF_TYPE_KEYPAIR, bad[i], &error);
        g_test_message ("bad case %u", i);
        g_assert_null (object);
        g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED);
      }
  }
}

/* Thousands of random edits of a real store file: the reader never reads
 * out of bounds or crashes, and answers either with models or DAMAGED /
 * NEWER_VERSION (run under valgrind or ASan to see the first part). */
static char *
object_json (GObject *object)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  kf_serialize_object (object, builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

/* A KfStoreReaderPull over a buffer, in pieces of 1 to @max_piece bytes
 * (at random when @rand is set). */
typedef struct
{
  const char *data;
  gsize       len;
  gsize       at;
  GRand      *rand;
  guint       max_piece;
} MemoryPull;

static gssize
pull_memory (gpointer data,
             char    *buf,
             gsize    size)
{
  MemoryPull *m = data;
  gsize n = MIN (size, m->len - m->at);

  if (m->max_piece > 0)
    {
      /* not inside MIN(): it evaluates twice */
      gsize piece = m->rand ? (gsize) g_rand_int_range (m->rand, 1, m->max_piece + 1) : m->max_piece;
      n = MIN (n, piece);
    }
  memcpy (buf, m->data + m->at, n);
  m->at += n;
  return (gssize) n;
}

/* Both parses of @text: the streaming one, when it succeeds, gives what the
 * whole-text one gives (same serial and version, objects of the same texts
 * in the same order). Returns whether the streaming one succeeded. */
static gboolean
stream_agrees (const char *text,
               gsize       len,
               GRand      *rand,
               guint       max_piece)
{
  g_autofree char *copy = g_malloc (len + 1);
  g_autoptr(GError) error = NULL;
  KfStoreContents whole = { 0 }, streamed = { 0 };
  MemoryPull m = { text, len, 0, rand, max_piece };
  gsize streamed_len = 0;
  gboolean whole_ok, stream_ok;

  memcpy (copy, text, len);
  copy[len] = '\0';
  whole_ok = kf_store_reader_parse (copy, len, NULL, NULL, &whole, &error);
  stream_ok = kf_store_reader_parse_stream (pull_memory, &m, NULL, NULL, FALSE, &streamed, &streamed_len);
  if (stream_ok)
    {
      g_assert_true (whole_ok);
      g_assert_cmpuint (streamed_len, ==, len);
      g_assert_cmpstr (streamed.serial, ==, whole.serial);
      g_assert_cmpint (streamed.version, ==, whole.version);
      g_assert_cmpuint (streamed.keypairs->len, ==, whole.keypairs->len);
      g_assert_cmpuint (streamed.connections->len, ==, whole.connections->len);
      for (guint i = 0; i < whole.keypairs->len; i++)
        g_assert_cmpuint (kf_store_reader_get_text_hash (streamed.keypairs->pdata[i]), ==,
                          kf_store_reader_get_text_hash (whole.keypairs->pdata[i]));
      for (guint i = 0; i < whole.connections->len; i++)
        {
          g_autofree char *a = object_json (streamed.connections->pdata[i]);
          g_autofree char *b = object_json (whole.connections->pdata[i]);
          const char *id_a = kf_connection_get_id (streamed.connections->pdata[i]);
          const char *id_b = kf_connection_get_id (whole.connections->pdata[i]);

          g_assert_cmpuint (kf_store_reader_get_text_hash (streamed.connections->pdata[i]), ==,
                            kf_store_reader_get_text_hash (whole.connections->pdata[i]));
          /* an element without an id gets a new random one in each parse */
          if (g_str_equal (id_a, id_b))
            g_assert_cmpstr (a, ==, b);
          else
            g_assert_true (g_uuid_string_is_valid (id_a) && g_uuid_string_is_valid (id_b));
        }
    }
  else
    g_assert_null (streamed.keypairs);
  kf_store_contents_clear (&whole);
  kf_store_contents_clear (&streamed);
  return stream_ok;
}

static void
test_reader_mutations (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(KfStore) store = make_store (path, 6, TRUE);
  g_autoptr(GBytes) original = read_bytes (path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (17);
  const guint8 *orig = g_bytes_get_data (original, NULL);
  gsize orig_len = g_bytes_get_size (original);
  guint ok = 0, damaged = 0, streamed = 0;

  /* a window of 4 KiB, 2 KiB of it ahead of each element: this store's
   * elements (up to ~1.5 KiB) cross its edges, and grown ones outgrow it */
  kf_store_reader_set_window_for_testing (4096, 2048);
  g_assert_true (stream_agrees ((const char *) orig, orig_len, NULL, 0));

  for (guint round = 0; round < 20000; round++)
    {
      g_autoptr(GByteArray) buf = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      KfStoreContents contents;
      guint edits = 1 + g_rand_int_range (rand, 0, 4);

      g_byte_array_append (buf, orig, orig_len);
      for (guint e = 0; e < edits && buf->len > 2; e++)
        {
          guint at = g_rand_int_range (rand, 0, buf->len);
          guint span = g_rand_int_range (rand, 1, 60);   /* not inside MIN(): it evaluates twice */
          guint8 byte;

          switch (g_rand_int_range (rand, 0, 6))
            {
            case 0:   /* change a byte to one JSON cares about */
              buf->data[at] = "{}[]\\\",:0-9eEtfnu \x01\xc3\xff"[g_rand_int_range (rand, 0, 21)];
              break;
            case 1:   /* any byte */
              buf->data[at] = (guint8) g_rand_int_range (rand, 0, 256);
              break;
            case 2:   /* cut */
              g_byte_array_set_size (buf, at);
              break;
            case 3:   /* delete a range */
              g_byte_array_remove_range (buf, at, MIN (buf->len - at, span));
              break;
            case 4:   /* insert a byte */
              byte = (guint8) g_rand_int_range (rand, 0, 256);
              g_array_insert_vals ((GArray *) buf, at, &byte, 1);
              break;
            default:  /* repeat a range */
              {
                guint n = MIN (buf->len - at, span);
                g_autofree guint8 *copy = g_memdup2 (buf->data + at, n);
                g_byte_array_append (buf, copy, n);
              }
            }
        }

      {
        /* exactly len bytes plus the NUL the reader needs, nothing after */
        gsize len = buf->len;
        char *data = g_malloc (len + 1);
        memcpy (data, buf->data, len);
        data[len] = '\0';
        if (stream_agrees (buf->len > 0 ? (const char *) buf->data : "", len, rand, 700))
          streamed++;
        if (kf_store_reader_parse (data, len, NULL, NULL, &contents, &error))
          {
            ok++;
            g_assert_no_error (error);
            for (guint i = 0; i < contents.keypairs->len; i++)
              g_assert_true (KF_IS_KEYPAIR (contents.keypairs->pdata[i]));
            kf_store_contents_clear (&contents);
          }
        else
          {
            damaged++;
            g_assert_nonnull (error);
            g_assert_true (error->domain == KF_STORE_ERROR
                           && (error->code == KF_STORE_ERROR_DAMAGED || error->code == KF_STORE_ERROR_NEWER_VERSION));
            g_assert_null (contents.keypairs);
          }
        g_free (data);
      }
    }
  g_test_message ("%u parsed, %u refused", ok, damaged);
  g_assert_cmpuint (damaged, >, 10000);
  g_assert_cmpuint (ok, >, 100);
  /* the mutations that leave the JSON whole mostly stream, too */
  g_assert_cmpuint (streamed, >, ok / 2);
  kf_store_reader_set_window_for_testing (1024 * 1024, 256 * 1024);
}

/* The window reader on a store of 2,000 + 2,000 items (3.6 MB, four
 * windows), pulled as a file would be and in random pieces; and on an
 * element longer than the window, where it hands over to the whole-text
 * parse, which loads it. (The window is 1 MiB with at least 256 KiB ahead
 * of each element; longer elements stream when they happen to fit.) */
static void
test_reader_stream (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(KfStore) store = make_store (path, 2000, TRUE);
  g_autoptr(GBytes) text = read_bytes (path);
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(KfStore) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  const char *member = "\"keypairs\": [\n{";
  const char *at;

  g_assert_cmpuint (g_bytes_get_size (text), >, 3 * 1024 * 1024);
  g_assert_true (stream_agrees (g_bytes_get_data (text, NULL), g_bytes_get_size (text), NULL, 0));
  g_assert_true (stream_agrees (g_bytes_get_data (text, NULL), g_bytes_get_size (text), rand, 65536));

  /* an unknown member of 2 MiB in the first key pair: ignored, as any
   * unknown member is, but the element is longer than the whole window */
  g_string_append_len (big, g_bytes_get_data (text, NULL), g_bytes_get_size (text));
  at = strstr (big->str, member);
  g_assert_nonnull (at);
  {
    g_autofree char *padding = g_strnfill (2 * 1024 * 1024, 'A');
    g_autofree char *insert = g_strdup_printf ("\"x-padding\": \"%s\", ", padding);
    g_string_insert (big, at - big->str + strlen (member), insert);
  }
  g_assert_false (stream_agrees (big->str, big->len, NULL, 0));
  write_bytes (path, big->str, big->len);
  reloaded = kf_store_new (path);
  g_assert_true (kf_store_load (reloaded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (reloaded)), ==, 2000);
  g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_connections (reloaded)), ==, 2000);
}

static void
test_garbage (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  guint8 junk[4096];
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(GBytes) first_bytes = NULL;
  g_autoptr(GBytes) again = NULL;

  for (guint i = 0; i < sizeof junk; i++)
    junk[i] = g_rand_int_range (rand, 0, 256);
  write_bytes (path, junk, sizeof junk);
  first = assert_moved_aside (path, KF_STORE_ERROR_DAMAGED, 0);
  first_bytes = read_bytes (first);

  /* a second damaged file within the same second gets its own backup */
  write_store_text (path, "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [}");
  second = assert_moved_aside (path, KF_STORE_ERROR_DAMAGED, 1);
  g_assert_cmpstr (first, !=, second);
  again = read_bytes (first);
  g_assert_true (g_bytes_equal (first_bytes, again));
}

static void
test_truncated (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(KfStore) store = make_store (path, 40, TRUE);
  g_autoptr(GBytes) full = read_bytes (path);
  const char *text = g_bytes_get_data (full, NULL);
  gsize len = g_bytes_get_size (full);
  gsize offsets[12];

  /* a cut in the trailing newline loses nothing: cut into the JSON itself */
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  {
    const gsize cuts[] = { 0, 1, 2, 10, 37, len / 4, len / 3, len / 2, len - 200, len - 3, len - 2, len - 1 };
    memcpy (offsets, cuts, sizeof offsets);
  }

  for (guint i = 0; i < G_N_ELEMENTS (offsets); i++)
    {
      g_autofree char *backup = NULL;

      g_test_message ("cut at %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT, offsets[i], len);
      write_bytes (path, g_bytes_get_data (full, NULL), offsets[i]);
      backup = assert_moved_aside (path, KF_STORE_ERROR_DAMAGED, i);
    }
}

static void
test_versions_and_content (void)
{
  g_autofree char *path = new_store_path ();
  guint backups = 0;
  static const char *damaged[] = {
    "{\"format\": \"keyferry-store\", \"version\": 0, \"keypairs\": [], \"connections\": []}",
    "{\"format\": \"keyferry-store\", \"version\": \"1\", \"keypairs\": [], \"connections\": []}",
    "{\"format\": \"keyferry-store\", \"version\": 1.5, \"keypairs\": [], \"connections\": []}",
    "{\"format\": \"something-else\", \"version\": 1, \"keypairs\": [], \"connections\": []}",
    "{\"version\": 1, \"keypairs\": [], \"connections\": []}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": {}, \"connections\": []}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [5], \"connections\": []}",
    "[{\"format\": \"keyferry-store\", \"version\": 1}]",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [], \"connections\": [{\"id\": \"c\", \"name\": \"c\", \"port\": \"22\"}]}",
    /* duplicate ids, duplicate names, missing id or name */
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [{\"id\": \"a\", \"name\": \"x\"}, {\"id\": \"a\", \"name\": \"y\"}]}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [{\"id\": \"a\", \"name\": \"x\"}, {\"id\": \"b\", \"name\": \"x\"}]}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"connections\": [{\"id\": \"a\", \"name\": \"x\"}, {\"id\": \"a\", \"name\": \"y\"}]}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"connections\": [{\"id\": \"a\", \"name\": \"x\"}, {\"id\": \"b\", \"name\": \"x\"}]}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [{\"id\": \"a\", \"name\": \"\"}]}",
    "{\"format\": \"keyferry-store\", \"version\": 1, \"keypairs\": [{\"id\": \"\", \"name\": \"x\"}]}",
  };
  static const char *newer[] = {
    "{\"format\": \"keyferry-store\", \"version\": 2, \"keypairs\": [], \"connections\": []}",
    /* what a newer version keeps in its lists is not judged */
    "{\"format\": \"keyferry-store\", \"version\": 7, \"keypairs\": [{\"id\": 5, \"keys\": {}}], \"connections\": {}}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (damaged); i++)
    {
      g_autofree char *backup = NULL;
      g_test_message ("damaged: %s", damaged[i]);
      write_store_text (path, damaged[i]);
      backup = assert_moved_aside (path, KF_STORE_ERROR_DAMAGED, backups++);
    }
  for (guint i = 0; i < G_N_ELEMENTS (newer); i++)
    {
      g_autofree char *backup = NULL;
      g_test_message ("newer: %s", newer[i]);
      write_store_text (path, newer[i]);
      backup = assert_moved_aside (path, KF_STORE_ERROR_NEWER_VERSION, backups++);
    }

  /* a hand-written file without "serial" and lists, extra members ignored */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KfStore) store = kf_store_new (path);
    g_autoptr(KfKeypair) keypair = kf_keypair_new ("added");

    write_store_text (path,
                      "{\"version\": 1, \"comment\": [1, {\"a\": null}], \"format\": \"keyferry-store\",\n"
                      " \"keypairs\": [{\"id\": \"k1\", \"name\": \"K1\", \"extra\": true}]}\n");
    g_assert_true (kf_store_load (store, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_keypairs (store), ==, 1);
    g_assert_cmpuint (n_connections (store), ==, 0);
    g_assert_true (kf_store_add_keypair (store, keypair, &error));
    g_assert_no_error (error);
    g_assert_nonnull (kf_store_find_keypair_by_name (store, "K1"));
    g_free (find_backup (path, backups));
  }
}

static void
test_dir_blocked (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("blocked");
  g_autofree char *blocker = g_build_filename (dir, "data", NULL);
  g_autofree char *path = g_build_filename (blocker, "keyferry", "keyferry.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("k");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;

  /* the data folder is a regular file: nothing can be there to read, and
   * nothing can be written */
  write_store_text (blocker, "not a folder\n");
  before = read_bytes (blocker);
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_false (kf_store_add_keypair (store, keypair, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "keyferry"));
  g_assert_cmpuint (n_keypairs (store), ==, 0);
  g_assert_null (kf_store_find_keypair (store, kf_keypair_get_id (keypair)));
  after = read_bytes (blocker);
  g_assert_true (g_bytes_equal (before, after));
}

static void
test_path_is_directory (void)
{
  g_autofree char *path = new_store_path ();
  g_autofree char *inside = g_build_filename (path, "precious", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("k");
  g_autoptr(KfStore) writer = NULL;

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  write_store_text (inside, "keep me");

  g_assert_false (kf_store_load (store, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);
  /* saving is refused while the file cannot be read */
  g_assert_false (kf_store_add_keypair (store, keypair, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_cmpuint (n_keypairs (store), ==, 0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  {
    g_autoptr(GBytes) kept = read_bytes (inside);
    g_assert_cmpmem (g_bytes_get_data (kept, NULL), g_bytes_get_size (kept), "keep me", 7);
  }
  g_assert_null (find_backup (path, 0));

  /* once a load succeeds, saving works again */
  g_assert_cmpint (g_unlink (inside), ==, 0);
  g_assert_cmpint (g_rmdir (path), ==, 0);
  writer = make_store (path, 3, FALSE);
  g_assert_true (kf_store_load (store, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (store), ==, 3);
  g_assert_true (kf_store_add_keypair (store, keypair, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (store), ==, 4);
}

/* A write that fails half-way (file size limit: EFBIG, which root gets too)
 * changes neither the lists nor the file. */
static void
test_write_fails (void)
{
  g_autofree char *path = new_store_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(KfStore) store = make_store (path, 30, FALSE);
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("new");
  KfKeypair *first = g_list_model_get_item (kf_store_get_keypairs (store), 0);
  KfConnection *used = g_list_model_get_item (kf_store_get_connections (store), 0);
  g_autoptr(KfKeypair) renamed = kf_keypair_copy (first);
  g_autofree char *old_name = g_strdup (kf_keypair_get_name (first));
  struct rlimit old_limit, limit;
  void (*old_handler) (int);

  g_assert_cmpuint (g_bytes_get_size (before), >, 4096);
  kf_keypair_set_name (renamed, "renamed");

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  limit = old_limit;
  limit.rlim_cur = 4096;
  old_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);

  g_assert_false (kf_store_add_keypair (store, keypair, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (kf_store_update_keypair (store, renamed, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (kf_store_remove_keypair (store, kf_keypair_get_id (first), TRUE, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_clear_error (&error);

  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &old_limit), ==, 0);
  signal (SIGXFSZ, old_handler);

  g_assert_cmpuint (n_keypairs (store), ==, 30);
  g_assert_cmpuint (n_connections (store), ==, 30);
  g_assert_null (kf_store_find_keypair (store, kf_keypair_get_id (keypair)));
  g_assert_true (kf_store_find_keypair (store, kf_keypair_get_id (first)) == first);
  g_assert_cmpstr (kf_keypair_get_name (first), ==, old_name);
  g_assert_true (kf_store_find_connection (store, kf_connection_get_id (used)) == used);
  g_assert_cmpuint (kf_keypair_get_usage_count (first), ==, 1);
  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  {
    g_autofree char *listing = list_dir (dir);
    g_assert_cmpstr (listing, ==, "keyferry.json keyferry.json.lock");
  }

  /* and the same change goes through once the disk takes it */
  g_assert_true (kf_store_update_keypair (store, renamed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kf_keypair_get_name (first), ==, "renamed");
  g_object_unref (first);
  g_object_unref (used);
}

static void
test_names (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) a = kf_keypair_new ("Alpha");
  g_autoptr(KfKeypair) a2 = kf_keypair_new ("Alpha");
  g_autoptr(KfKeypair) b = kf_keypair_new ("Beta");
  g_autoptr(KfKeypair) blank = kf_keypair_new ("  ");
  g_autoptr(KfKeypair) unnamed = kf_keypair_new (NULL);
  g_autoptr(KfConnection) c = kf_connection_new ("Alpha");   /* other kind: allowed */
  g_autoptr(KfConnection) c2 = kf_connection_new ("Alpha");
  g_autoptr(KfConnection) orphan = kf_connection_new ("Orphan");
  g_autoptr(KfKeypair) b_renamed = NULL;
  g_autoptr(KfKeypair) ghost = kf_keypair_new ("Ghost");

  g_assert_true (kf_store_load (store, &error));
  g_assert_true (kf_store_add_keypair (store, a, &error));
  g_assert_true (kf_store_add_keypair (store, b, &error));
  g_assert_true (kf_store_add_connection (store, c, &error));
  g_assert_no_error (error);

  g_assert_false (kf_store_add_keypair (store, a2, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_assert_cmpstr (error->message, ==, "A key pair named “Alpha” already exists; choose another name.");
  g_clear_error (&error);
  g_assert_false (kf_store_add_connection (store, c2, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_assert_cmpstr (error->message, ==, "A connection named “Alpha” already exists; choose another name.");
  g_clear_error (&error);
  g_assert_false (kf_store_add_keypair (store, blank, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME);
  g_clear_error (&error);
  g_assert_false (kf_store_add_keypair (store, unnamed, &error));
  g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME);
  g_clear_error (&error);

  /* renaming onto a taken name fails; keeping one's own name is fine */
  b_renamed = kf_keypair_copy (b);
  kf_keypair_set_name (b_renamed, "Alpha");
  g_assert_false (kf_store_update_keypair (store, b_renamed, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);
  kf_keypair_set_name (b_renamed, "Beta");
  kf_keypair_set_comment (b_renamed, "new comment");
  g_assert_true (kf_store_update_keypair (store, b_renamed, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kf_keypair_get_comment (kf_store_find_keypair_by_name (store, "Beta")), ==, "new comment");

  /* an update keeps the stored id and creation time, on disk too */
  {
    KfKeypair *stored = kf_store_find_keypair_by_name (store, "Beta");
    gint64 created = kf_keypair_get_created (stored);
    g_autoptr(KfKeypair) impostor = g_object_new (KF_TYPE_KEYPAIR,
                                                  "id", kf_keypair_get_id (stored),
                                                  "created", created + 1000,
                                                  "name", "Beta",
                                                  "comment", "from a fresh object",
                                                  NULL);
    g_autoptr(KfStore) again = kf_store_new (path);

    g_assert_true (kf_store_update_keypair (store, impostor, &error));
    g_assert_no_error (error);
    g_assert_cmpint (kf_keypair_get_created (stored), ==, created);
    g_assert_cmpstr (kf_keypair_get_comment (stored), ==, "from a fresh object");
    g_assert_true (kf_store_load (again, &error));
    g_assert_cmpint (kf_keypair_get_created (kf_store_find_keypair_by_name (again, "Beta")), ==, created);
    g_assert_cmpstr (kf_keypair_get_comment (kf_store_find_keypair_by_name (again, "Beta")), ==, "from a fresh object");
  }

  /* unknown ids and key pairs */
  g_assert_false (kf_store_update_keypair (store, ghost, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kf_store_remove_connection (store, "no-such-id", &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (kf_store_remove_keypair (store, "no-such-id", FALSE, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  kf_connection_set_keypair_id (orphan, kf_keypair_get_id (ghost));
  g_assert_false (kf_store_add_connection (store, orphan, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpuint (n_keypairs (store), ==, 2);
  g_assert_cmpuint (n_connections (store), ==, 1);

  /* the same names come back from the file */
  {
    g_autoptr(KfStore) again = kf_store_new (path);
    g_assert_true (kf_store_load (again, &error));
    g_assert_no_error (error);
    g_assert_nonnull (kf_store_find_keypair_by_name (again, "Alpha"));
    g_assert_nonnull (kf_store_find_keypair_by_name (again, "Beta"));
    g_assert_nonnull (kf_store_find_connection_by_name (again, "Alpha"));
    g_assert_cmpuint (n_keypairs (again), ==, 2);
  }
}

static void
test_in_use (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) store = kf_store_new (path);
  g_autoptr(KfKeypair) k1 = kf_keypair_new ("K1");
  g_autoptr(KfKeypair) k2 = kf_keypair_new ("K2");
  g_autoptr(KfConnection) a = kf_connection_new ("A");
  g_autoptr(KfConnection) b = kf_connection_new ("B");
  g_autoptr(KfConnection) c = kf_connection_new ("C");
  g_autoptr(KfConnection) d = kf_connection_new ("D");
  g_autoptr(KfKeypair) k3 = kf_keypair_new ("K3");
  g_autoptr(KfConnection) a_moved = NULL;
  KfKeypair *s1, *s2;

  g_assert_true (kf_store_load (store, &error));
  g_assert_true (kf_store_add_keypair (store, k1, &error));
  g_assert_true (kf_store_add_keypair (store, k2, &error));
  kf_connection_set_keypair_id (a, kf_keypair_get_id (k1));
  kf_connection_set_keypair_id (b, kf_keypair_get_id (k1));
  kf_connection_set_keypair_id (c, kf_keypair_get_id (k2));
  g_assert_true (kf_store_add_connection (store, a, &error));
  g_assert_true (kf_store_add_connection (store, b, &error));
  g_assert_true (kf_store_add_connection (store, c, &error));
  g_assert_no_error (error);
  s1 = kf_store_find_keypair (store, kf_keypair_get_id (k1));
  s2 = kf_store_find_keypair (store, kf_keypair_get_id (k2));
  g_assert_cmpuint (kf_keypair_get_usage_count (s1), ==, 2);
  g_assert_cmpuint (kf_keypair_get_usage_count (s2), ==, 1);
  {
    g_autoptr(GPtrArray) users = kf_store_list_connections_using (store, kf_keypair_get_id (k1));
    g_assert_cmpuint (users->len, ==, 2);
  }

  /* moving a connection to another key pair moves the count */
  a_moved = kf_connection_copy (kf_store_find_connection (store, kf_connection_get_id (a)));
  kf_connection_set_keypair_id (a_moved, kf_keypair_get_id (k2));
  g_assert_true (kf_store_update_connection (store, a_moved, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (kf_keypair_get_usage_count (s1), ==, 1);
  g_assert_cmpuint (kf_keypair_get_usage_count (s2), ==, 2);

  /* in use: refused, nothing removed */
  g_assert_false (kf_store_remove_keypair (store, kf_keypair_get_id (k2), FALSE, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE);
  g_assert_nonnull (strstr (error->message, "“K2” is used by 2 connections"));
  g_clear_error (&error);
  g_assert_cmpuint (n_keypairs (store), ==, 2);
  g_assert_cmpuint (n_connections (store), ==, 3);

  /* with its connections: all go in one transaction, the rest stays */
  g_assert_true (kf_store_remove_keypair (store, kf_keypair_get_id (k2), TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (store), ==, 1);
  g_assert_cmpuint (n_connections (store), ==, 1);
  g_assert_nonnull (kf_store_find_connection_by_name (store, "B"));
  g_assert_null (kf_store_find_connection_by_name (store, "A"));
  g_assert_null (kf_store_find_connection_by_name (store, "C"));

  /* removing the last user frees the key pair */
  g_assert_true (kf_store_remove_connection (store, kf_connection_get_id (b), &error));
  g_assert_cmpuint (kf_keypair_get_usage_count (s1), ==, 0);
  g_assert_true (kf_store_remove_keypair (store, kf_keypair_get_id (k1), FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (store), ==, 0);

  /* a connection and its new key pair: both or neither */
  g_assert_true (kf_store_add_keypair (store, k1, &error));
  kf_connection_set_keypair_id (d, NULL);
  kf_connection_set_name (d, "B2");
  g_assert_true (kf_store_add_connection (store, d, &error));
  g_assert_no_error (error);
  {
    g_autoptr(KfConnection) taken = kf_connection_new ("B2");
    g_autoptr(KfConnection) fresh = kf_connection_new ("E");
    KfConnection *stored;

    g_assert_false (kf_store_add_connection_with_keypair (store, taken, k3, &error));
    g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
    g_clear_error (&error);
    g_assert_null (kf_store_find_keypair_by_name (store, "K3"));
    g_assert_true (kf_store_add_connection_with_keypair (store, fresh, k3, &error));
    g_assert_no_error (error);
    stored = kf_store_find_connection_by_name (store, "E");
    g_assert_cmpstr (kf_connection_get_keypair_id (stored), ==, kf_keypair_get_id (k3));
    g_assert_cmpuint (kf_keypair_get_usage_count (kf_store_find_keypair (store, kf_keypair_get_id (k3))), ==, 1);
  }

  /* counts are rebuilt on load */
  {
    g_autoptr(KfStore) again = kf_store_new (path);
    g_assert_true (kf_store_load (again, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (kf_keypair_get_usage_count (kf_store_find_keypair_by_name (again, "K3")), ==, 1);
    g_assert_cmpuint (kf_keypair_get_usage_count (kf_store_find_keypair_by_name (again, "K1")), ==, 0);
  }
}

static void
count_notify (guint *count)
{
  (*count)++;
}

/* A change made through another KfStore (as another process would) is seen
 * by the next transaction, which then keeps both. */
static void
test_second_store_sees_changes (void)
{
  g_autofree char *path = new_store_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(KfStore) one = kf_store_new (path);
  g_autoptr(KfStore) two = kf_store_new (path);
  g_autoptr(KfKeypair) a = kf_keypair_new ("A");
  g_autoptr(KfKeypair) b = kf_keypair_new ("B");
  g_autoptr(KfKeypair) clash = kf_keypair_new ("A");
  KfKeypair *kept;
  g_autoptr(KfKeypair) edit = NULL;

  g_assert_true (kf_store_load (one, &error));
  g_assert_true (kf_store_load (two, &error));
  g_assert_true (kf_store_add_keypair (one, a, &error));
  g_assert_true (kf_store_add_keypair (two, b, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (two), ==, 2);
  /* the name check sees what the other store wrote */
  g_assert_false (kf_store_add_keypair (two, clash, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NAME_TAKEN);
  g_clear_error (&error);

  kept = kf_store_find_keypair (one, kf_keypair_get_id (a));
  g_assert_true (kf_store_reload_if_changed (one, &error));
  g_assert_cmpuint (n_keypairs (one), ==, 2);
  /* unchanged ids keep their objects */
  g_assert_true (kf_store_find_keypair (one, kf_keypair_get_id (a)) == kept);

  /* same size, same second: the serial still tells the files apart */
  edit = kf_keypair_copy (kf_store_find_keypair (two, kf_keypair_get_id (a)));
  kf_keypair_set_comment (edit, "x");
  g_assert_true (kf_store_update_keypair (two, edit, &error));
  kf_keypair_set_comment (edit, "y");
  g_assert_true (kf_store_update_keypair (two, edit, &error));
  g_assert_no_error (error);
  g_assert_true (kf_store_reload_if_changed (one, &error));
  g_assert_cmpstr (kf_keypair_get_comment (kept), ==, "y");
  g_assert_true (kf_store_find_keypair (one, kf_keypair_get_id (a)) == kept);

  /* only the changed object hears about a reload */
  {
    KfKeypair *other = kf_store_find_keypair (one, kf_keypair_get_id (b));
    guint kept_notified = 0, other_notified = 0;

    g_signal_connect_swapped (kept, "notify", G_CALLBACK (count_notify), &kept_notified);
    g_signal_connect_swapped (other, "notify", G_CALLBACK (count_notify), &other_notified);
    kf_keypair_set_comment (edit, "w");
    g_assert_true (kf_store_update_keypair (two, edit, &error));
    g_assert_true (kf_store_reload_if_changed (one, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (kept_notified, ==, 1);
    g_assert_cmpuint (other_notified, ==, 0);
    g_assert_cmpstr (kf_keypair_get_comment (kept), ==, "w");
    g_assert_true (kf_store_find_keypair (one, kf_keypair_get_id (b)) == other);
    g_signal_handlers_disconnect_by_data (kept, &kept_notified);
    g_signal_handlers_disconnect_by_data (other, &other_notified);

    /* and the next save by "one" writes what it re-read, not what it had */
    {
      g_autoptr(KfKeypair) c = kf_keypair_new ("C");
      g_autoptr(KfStore) fresh = kf_store_new (path);

      g_assert_true (kf_store_add_keypair (one, c, &error));
      g_assert_no_error (error);
      g_assert_true (kf_store_load (fresh, &error));
      g_assert_cmpstr (kf_keypair_get_comment (kf_store_find_keypair (fresh, kf_keypair_get_id (a))), ==, "w");
      g_assert_cmpuint (g_list_model_get_n_items (kf_store_get_keypairs (fresh)), ==, 3);
    }
    kf_keypair_set_comment (edit, "y");
    g_assert_true (kf_store_update_keypair (two, edit, &error));
  }

  /* A change that leaves inode, size and mtime as they were (rewritten in
   * place, mtime put back): only the serial tells. */
  {
    g_autoptr(GBytes) bytes = read_bytes (path);
    g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    char *serial = strstr (text, "\"serial\"");
    char *comment = strstr (text, "\"comment\":\"y\"");
    struct stat st;
    struct timespec times[2];
    int fd;

    g_assert_nonnull (serial);
    g_assert_nonnull (comment);
    serial = strchr (serial + 8, '"') + 1;
    *serial = *serial == '0' ? '1' : '0';
    comment[strlen ("\"comment\":\"")] = 'z';

    g_assert_cmpint (stat (path, &st), ==, 0);
    fd = open (path, O_WRONLY);
    g_assert_cmpint (fd, >=, 0);
    g_assert_cmpint (pwrite (fd, text, strlen (text), 0), ==, (gssize) strlen (text));
    times[0] = st.st_atim;
    times[1] = st.st_mtim;
    g_assert_cmpint (futimens (fd, times), ==, 0);
    g_assert_cmpint (close (fd), ==, 0);
    {
      struct stat now;
      g_assert_cmpint (stat (path, &now), ==, 0);
      g_assert_true (now.st_ino == st.st_ino && now.st_size == st.st_size
                     && now.st_mtim.tv_sec == st.st_mtim.tv_sec && now.st_mtim.tv_nsec == st.st_mtim.tv_nsec);
    }

    g_assert_true (kf_store_reload_if_changed (two, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (kf_keypair_get_comment (kf_store_find_keypair (two, kf_keypair_get_id (a))), ==, "z");
  }
}

/* Another holder of the lock (here an fd of our own, as a stopped process
 * would hold it): the transaction gives up with a clear error instead of
 * freezing, changes nothing, and works once the lock is free. */
static void
test_lock_busy (void)
{
  g_autofree char *path = new_store_path ();
  g_autofree char *lock_path = g_strconcat (path, ".lock", NULL);
  g_autoptr(KfStore) store = make_store (path, 2, FALSE);
  g_autoptr(GBytes) before = read_bytes (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("waiting");
  gint64 start;
  int fd;

  kf_store_set_lock_timeout_for_testing (300);
  fd = open (lock_path, O_RDWR | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);

  start = g_get_monotonic_time ();
  g_assert_false (kf_store_add_keypair (store, keypair, &error));
  g_assert_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 250000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5000000);
  g_clear_error (&error);
  g_assert_cmpuint (n_keypairs (store), ==, 2);
  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));

  /* the given-up waiter lets go as soon as it gets the lock */
  g_assert_cmpint (close (fd), ==, 0);
  kf_store_set_lock_timeout_for_testing (0);
  g_assert_true (kf_store_add_keypair (store, keypair, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_keypairs (store), ==, 3);
}

int
main (int    argc,
      char **argv)
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/store/round-trip-10k", test_round_trip);
  g_test_add_func ("/store/file-format", test_file_format);
  g_test_add_func ("/store/reader-agrees-with-json-glib", test_reader_agrees);
  g_test_add_func ("/store/damaged/reader-mutations", test_reader_mutations);
  g_test_add_func ("/store/reader-stream", test_reader_stream);
  g_test_add_func ("/store/damaged/garbage", test_garbage);
  g_test_add_func ("/store/damaged/truncated", test_truncated);
  g_test_add_func ("/store/damaged/versions-and-content", test_versions_and_content);
  g_test_add_func ("/store/unwritable/dir-blocked-by-file", test_dir_blocked);
  g_test_add_func ("/store/unwritable/path-is-directory", test_path_is_directory);
  g_test_add_func ("/store/unwritable/write-fails", test_write_fails);
  g_test_add_func ("/store/names", test_names);
  g_test_add_func ("/store/in-use-and-usage-count", test_in_use);
  g_test_add_func ("/store/second-store-sees-changes", test_second_store_sees_changes);
  g_test_add_func ("/store/lock-busy", test_lock_busy);

  return g_test_run ();
}
