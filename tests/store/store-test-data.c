/* store-test-data.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-serialize.h"
#include "store-test-data.h"

static void
put_string (GByteArray   *blob,
            const guint8 *data,
            guint32       len)
{
  guint8 be[4] = { len >> 24, len >> 16, len >> 8, len };

  g_byte_array_append (blob, be, 4);
  g_byte_array_append (blob, data, len);
}

static void
put_random (GRand   *rand,
            guint8  *out,
            gsize    len)
{
  for (gsize i = 0; i < len; i++)
    out[i] = (guint8) g_rand_int_range (rand, 0, 256);
}

char *
store_test_public_key (GRand       *rand,
                       const char  *type,
                       const char  *comment,
                       char       **fingerprint)
{
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  g_autofree char *b64 = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autoptr(GChecksum) sha = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *fp64 = NULL;
  char *eq;

  put_string (blob, (const guint8 *) type, strlen (type));
  if (strcmp (type, "ssh-ed25519") == 0)
    {
      guint8 key[32];
      put_random (rand, key, sizeof key);
      put_string (blob, key, sizeof key);
    }
  else if (strcmp (type, "ecdsa-sha2-nistp256") == 0)
    {
      guint8 point[65];
      put_string (blob, (const guint8 *) "nistp256", 8);
      point[0] = 0x04;
      put_random (rand, point + 1, 64);
      put_string (blob, point, sizeof point);
    }
  else
    {
      static const guint8 e[] = { 0x01, 0x00, 0x01 };
      guint8 n[385];
      g_assert_cmpstr (type, ==, "ssh-rsa");
      put_string (blob, e, sizeof e);
      n[0] = 0;   /* mpint: the top bit of a 3072-bit modulus is set */
      put_random (rand, n + 1, 384);
      n[1] |= 0x80;
      put_string (blob, n, sizeof n);
    }

  b64 = g_base64_encode (blob->data, blob->len);
  if (fingerprint != NULL)
    {
      g_checksum_update (sha, blob->data, blob->len);
      g_checksum_get_digest (sha, digest, &digest_len);
      fp64 = g_base64_encode (digest, digest_len);
      eq = strchr (fp64, '=');
      if (eq != NULL)
        *eq = '\0';
      *fingerprint = g_strconcat ("SHA256:", fp64, NULL);
    }
  return comment ? g_strdup_printf ("%s %s %s", type, b64, comment) : g_strdup_printf ("%s %s", type, b64);
}

static const char *key_types[] = { "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa" };
static const guint key_bits[] = { 256, 256, 3072 };
static const char *tricky_names[] = {
  "Quote \" and backslash \\",
  "Tab\tnewline\nreturn\r",
  "Control \x01\x1f chars",
  "Ünïcödé ключ 鍵",
  "Emoji 🔑🗝",
  "Slash / and </script>",
};

KfKeypair *
store_test_keypair (GRand    *rand,
                    guint     i,
                    gboolean  tricky)
{
  guint t = i % 3;
  g_autofree char *name = NULL;
  g_autofree char *comment = g_strdup_printf ("admin%u@workstation-%u.example.org", i % 97, i % 13);
  g_autofree char *fingerprint = NULL;
  g_autofree char *public_key = store_test_public_key (rand, key_types[t], comment, &fingerprint);
  g_autofree char *id = g_strdup_printf ("%08x-%04x-4%03x-a%03x-%08x%04x",
                                         g_rand_int (rand), g_rand_int (rand) & 0xffff, i & 0xfff,
                                         g_rand_int (rand) & 0xfff, g_rand_int (rand), i & 0xffff);

  if (tricky && i % 5 == 0)
    name = g_strdup_printf ("%s %u", tricky_names[(i / 5) % G_N_ELEMENTS (tricky_names)], i);
  else
    name = g_strdup_printf ("Key pair %u (%s)", i, key_types[t]);

  return g_object_new (KF_TYPE_KEYPAIR,
                       "id", id,
                       "created", (gint64) 1700000000 + i * 37,
                       "name", name,
                       "key-type", key_types[t],
                       "bits", key_bits[t],
                       "fingerprint", fingerprint,
                       "comment", i % 7 == 3 ? NULL : comment,
                       "public-key", public_key,
                       "has-private-key", i % 4 != 1,
                       NULL);
}

KfConnection *
store_test_connection (GRand      *rand,
                       guint       i,
                       const char *keypair_id,
                       gboolean    tricky)
{
  g_autofree char *name = NULL;
  g_autofree char *host = g_strdup_printf ("nas-%u.backup.example.org", i);
  g_autofree char *k0 = store_test_public_key (rand, "ssh-rsa", NULL, NULL);
  g_autofree char *k1 = store_test_public_key (rand, "ecdsa-sha2-nistp256", NULL, NULL);
  g_autofree char *k2 = store_test_public_key (rand, "ssh-ed25519", NULL, NULL);
  const char *host_keys[] = { k0, k1, k2, NULL };
  g_autofree char *message = g_strdup_printf ("Logged in and ran a command in %u ms", 40 + i % 900);
  g_autofree char *id = g_strdup_printf ("%08x-%04x-4%03x-b%03x-%08x%04x",
                                         g_rand_int (rand), g_rand_int (rand) & 0xffff, i & 0xfff,
                                         g_rand_int (rand) & 0xfff, g_rand_int (rand), i & 0xffff);
  gboolean semi = i % 3 == 0;
  g_autofree char *url = semi ? g_strdup_printf ("https://nas-%u.backup.example.org", i) : NULL;
  g_autofree char *pin = NULL;

  if (semi)
    {
      GString *hex = g_string_new ("SHA256:");
      for (guint j = 0; j < 32; j++)
        g_string_append_printf (hex, "%02x", g_rand_int_range (rand, 0, 256));
      pin = g_string_free (hex, FALSE);
    }
  if (tricky && i % 5 == 1)
    name = g_strdup_printf ("%s %u", tricky_names[(i / 5) % G_N_ELEMENTS (tricky_names)], i);
  else
    name = g_strdup_printf ("Backup NAS %u", i);

  return g_object_new (KF_TYPE_CONNECTION,
                       "id", id,
                       "created", (gint64) 1710000000 + i * 11,
                       "name", name,
                       "setup-method", semi ? KF_SETUP_METHOD_SEMI_AUTOMATIC : KF_SETUP_METHOD_MANUAL,
                       "host", i % 10 == 7 ? "fd00::12" : host,
                       "port", 22 + i % 2000,
                       "username", i % 2 ? "root" : "truenas_admin",
                       "keypair-id", keypair_id,
                       "host-keys", host_keys,
                       "connect-timeout", 1 + i % 600,
                       "truenas-url", url,
                       "admin-username", semi ? "truenas_admin" : NULL,
                       "tls-pin", pin,
                       "sudo-zfs", i % 4 == 2,
                       "host-key-verified", i % 3 != 2,
                       "test-state", (KfTestState) (i % 3),
                       "test-message", i % 3 ? message : NULL,
                       "tested-at", (gint64) (i % 3 ? 1720000000 + i : 0),
                       NULL);
}

void
store_test_generate (guint        n,
                     guint32      seed,
                     gboolean     tricky,
                     GPtrArray  **keypairs,
                     GPtrArray  **connections)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  *keypairs = g_ptr_array_new_full (n, g_object_unref);
  *connections = g_ptr_array_new_full (n, g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (*keypairs, store_test_keypair (rand, i, tricky));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (*connections,
                     store_test_connection (rand, i, kf_keypair_get_id ((*keypairs)->pdata[i]), tricky));
}

void
store_test_assert_same (GObject *a,
                        GObject *b)
{
  guint n_pspecs = 0;
  g_autofree GParamSpec **pspecs = NULL;

  g_assert_true (G_OBJECT_TYPE (a) == G_OBJECT_TYPE (b));
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (a), &n_pspecs);
  for (guint i = 0; i < n_pspecs; i++)
    {
      GParamSpec *pspec = pspecs[i];
      g_auto(GValue) va = G_VALUE_INIT;
      g_auto(GValue) vb = G_VALUE_INIT;

      if (!(pspec->flags & KF_PARAM_PERSIST))
        continue;
      g_value_init (&va, pspec->value_type);
      g_value_init (&vb, pspec->value_type);
      g_object_get_property (a, pspec->name, &va);
      g_object_get_property (b, pspec->name, &vb);
      if (pspec->value_type == G_TYPE_STRV)
        {
          const char * const *sa = g_value_get_boxed (&va);
          const char * const *sb = g_value_get_boxed (&vb);
          g_assert_nonnull (sa);
          g_assert_nonnull (sb);
          if (!g_strv_equal (sa, sb))
            g_error ("%s “%s” differs", g_type_name (G_OBJECT_TYPE (a)), pspec->name);
        }
      else if (g_param_values_cmp (pspec, &va, &vb) != 0)
        {
          g_autofree char *sa = g_strdup_value_contents (&va);
          g_autofree char *sb = g_strdup_value_contents (&vb);
          g_error ("%s “%s” differs: %s != %s", g_type_name (G_OBJECT_TYPE (a)), pspec->name, sa, sb);
        }
    }
}
