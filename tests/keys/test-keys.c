/* test-keys.c: generating, importing and parsing SSH keys, checked against OpenSSH's ssh-keygen.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include <libssh/libssh.h>

#include "keys-test-util.h"
#include "kf-test-util.h"

#define PASSPHRASE "correct horse battery"

/* ------------------------------------------------------------- helpers */

static char *
read_data_file (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (kf_test_get_srcdir (), "tests", "keys", "data", name, NULL);
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };
  g_byte_array_append (out, be, 4);
}

static void
put_string (GByteArray *out,
            const void *data,
            gsize       len)
{
  put_u32 (out, (guint32) len);
  g_byte_array_append (out, data, (guint) len);
}

static void
put_cstring (GByteArray *out,
             const char *str)
{
  put_string (out, str, strlen (str));
}

/* A public blob of @type with a 32-byte key (and an application for sk keys). */
static GByteArray *
make_ed25519_like_blob (const char *type)
{
  GByteArray *blob = g_byte_array_new ();
  guint8 key[32];

  memset (key, 0x42, sizeof key);
  put_cstring (blob, type);
  put_string (blob, key, sizeof key);
  if (g_str_has_prefix (type, "sk-"))
    put_cstring (blob, "ssh:");
  return blob;
}

static char *
blob_to_line (GByteArray *blob,
              const char *type)
{
  g_autofree char *b64 = g_base64_encode (blob->data, blob->len);
  return g_strconcat (type, " ", b64, " test", NULL);
}

static void
assert_key_error (GError     *error,
                  KfKeyError  code)
{
  g_assert_error (error, KF_KEY_ERROR, (int) code);
  /* one plain sentence, nothing from libssh */
  g_assert_nonnull (error->message);
  g_assert_true (g_str_has_suffix (error->message, "."));
  g_assert_null (strchr (error->message, '\n'));
  g_test_message ("error: %s", error->message);
}

static void
assert_import_fails (const char *private_text,
                     const char *public_text,
                     const char *passphrase,
                     KfKeyError  code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;

  material = kf_ssh_key_import (private_text, public_text, passphrase, &error);
  g_assert_null (material);
  assert_key_error (error, code);
}

/* Checks everything we can check of a key with a private part against ssh-keygen. */
static void
check_material_with_keygen (KfKeyMaterial *material,
                            const char    *key_type,
                            guint          bits)
{
  g_autofree char *fingerprint = NULL;
  g_autofree char *derived = NULL;
  g_autofree char *key_part = NULL;
  guint keygen_bits = 0;
  const char *private_key;

  g_assert_cmpstr (kf_key_material_get_key_type (material), ==, key_type);
  g_assert_cmpuint (kf_key_material_get_bits (material), ==, bits);
  g_assert_true (g_str_has_prefix (kf_key_material_get_public_key (material), key_type));

  fingerprint = kt_keygen_fingerprint (kf_key_material_get_public_key (material), &keygen_bits);
  g_assert_cmpstr (kf_key_material_get_fingerprint (material), ==, fingerprint);
  g_assert_cmpuint (keygen_bits, ==, bits);

  g_assert_true (kf_key_material_get_has_private_key (material));
  private_key = kf_key_material_get_private_key (material);
  g_assert_nonnull (private_key);
  g_assert_true (g_str_has_prefix (private_key, "-----BEGIN "));
  g_assert_true (g_str_has_suffix (private_key, "-----\n"));
  g_assert_null (strstr (private_key, "ENCRYPTED"));

  /* OpenSSH reads the exported private key (unencrypted: -P '' would fail
   * otherwise) and derives the very same public key from it */
  derived = kt_keygen_public_from_private (private_key);
  key_part = kt_key_part (kf_key_material_get_public_key (material));
  g_assert_cmpstr (derived, ==, key_part);
}

/* ------------------------------------------------------------ generate */

typedef struct {
  const char *path;
  KfKeyType   type;
  guint       bits;
  const char *key_type;
  guint       expect_bits;
  const char *armor;        /* how libssh writes it */
} GenerateCase;

static const GenerateCase generate_cases[] = {
  { "/keys/generate/ed25519",    KF_KEY_TYPE_ED25519,    0,    "ssh-ed25519",         256,  "-----BEGIN OPENSSH PRIVATE KEY-----" },
  { "/keys/generate/ecdsa-p256", KF_KEY_TYPE_ECDSA_P256, 0,    "ecdsa-sha2-nistp256", 256,  "-----BEGIN PRIVATE KEY-----" },
  { "/keys/generate/ecdsa-p384", KF_KEY_TYPE_ECDSA_P384, 384,  "ecdsa-sha2-nistp384", 384,  "-----BEGIN PRIVATE KEY-----" },
  { "/keys/generate/ecdsa-p521", KF_KEY_TYPE_ECDSA_P521, 0,    "ecdsa-sha2-nistp521", 521,  "-----BEGIN PRIVATE KEY-----" },
  { "/keys/generate/rsa-2048",   KF_KEY_TYPE_RSA,        2048, "ssh-rsa",             2048, "-----BEGIN PRIVATE KEY-----" },
};

static void
test_generate (gconstpointer data)
{
  const GenerateCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autoptr(KfKeyMaterial) again = NULL;
  g_autoptr(KfKeyMaterial) other = NULL;
  g_autofree char *expected_line_end = NULL;

  material = kt_generate (tc->type, tc->bits, "alice@keyferry test", &error);
  g_assert_no_error (error);
  g_assert_nonnull (material);

  check_material_with_keygen (material, tc->key_type, tc->expect_bits);
  g_assert_cmpstr (kf_key_material_get_comment (material), ==, "alice@keyferry test");
  g_assert_true (g_str_has_suffix (kf_key_material_get_public_key (material), " alice@keyferry test"));
  g_assert_true (g_str_has_prefix (kf_key_material_get_private_key (material), tc->armor));
  g_assert_cmpstr (kf_ssh_key_type_to_name (tc->type), ==, tc->key_type);

  /* what we export, we import again: same key */
  again = kf_ssh_key_import (kf_key_material_get_private_key (material),
                             kf_key_material_get_public_key (material), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_fingerprint (again), ==, kf_key_material_get_fingerprint (material));
  g_assert_cmpstr (kf_key_material_get_public_key (again), ==, kf_key_material_get_public_key (material));
  g_assert_cmpuint (kf_key_material_get_bits (again), ==, tc->expect_bits);

  /* a second key is a different key */
  other = kt_generate (tc->type, tc->bits, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_fingerprint (other), !=, kf_key_material_get_fingerprint (material));
  g_assert_null (kf_key_material_get_comment (other));
  /* no comment: no trailing blank either */
  g_assert_null (strchr (strchr (kf_key_material_get_public_key (other), ' ') + 1, ' '));
}

/* The one key-type table, as the GUI and the CLI read it. */
static void
test_key_types (void)
{
  static const struct {
    KfKeyType   type;
    const char *nick;
    const char *name;
    const char *label;
    guint       bits;
  } types[] = {
    { KF_KEY_TYPE_ED25519, "ed25519", "ssh-ed25519", "Ed25519", 256 },
    { KF_KEY_TYPE_ECDSA_P256, "ecdsa-p256", "ecdsa-sha2-nistp256", "ECDSA P-256", 256 },
    { KF_KEY_TYPE_ECDSA_P384, "ecdsa-p384", "ecdsa-sha2-nistp384", "ECDSA P-384", 384 },
    { KF_KEY_TYPE_ECDSA_P521, "ecdsa-p521", "ecdsa-sha2-nistp521", "ECDSA P-521", 521 },
    { KF_KEY_TYPE_RSA, "rsa", "ssh-rsa", "RSA", 0 },
  };
  static const char * const choice_labels[] = {
    "Ed25519", "ECDSA P-256", "ECDSA P-384", "ECDSA P-521", "RSA 2048", "RSA 3072", "RSA 4096",
  };
  KfKeyType type;
  guint bits;

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *described = kf_key_type_describe (types[i].name, 3072);

      g_assert_cmpstr (kf_key_type_to_string (types[i].type), ==, types[i].nick);
      g_assert_cmpstr (kf_key_type_get_name (types[i].type), ==, types[i].name);
      g_assert_cmpstr (kf_ssh_key_type_to_name (types[i].type), ==, types[i].name);
      g_assert_cmpstr (kf_key_type_get_label (types[i].type), ==, types[i].label);
      g_assert_cmpstr (kf_key_type_label_for_name (types[i].name), ==, types[i].label);
      g_assert_cmpuint (kf_key_type_get_bits (types[i].type), ==, types[i].bits);
      g_assert_true (kf_key_type_from_name (types[i].name, &type));
      g_assert_cmpint (type, ==, types[i].type);
      /* only RSA sizes vary, so only they are said */
      if (types[i].type == KF_KEY_TYPE_RSA)
        g_assert_cmpstr (described, ==, "RSA 3072-bit");
      else
        g_assert_cmpstr (described, ==, types[i].label);
    }

  /* unknown names are shown as they are; DSA is not a type Keyferry knows */
  g_assert_false (kf_key_type_from_name ("ssh-dss", &type));
  g_assert_false (kf_key_type_from_name (NULL, &type));
  g_assert_cmpstr (kf_key_type_label_for_name ("ssh-dss"), ==, "ssh-dss");
  g_assert_cmpstr (kf_key_type_label_for_name (NULL), ==, "");
  g_assert_false (kf_key_type_from_string ("ssh-ed25519", &type));
  g_assert_false (kf_key_type_from_string (NULL, &type));

  g_assert_cmpuint (kf_key_type_n_choices (), ==, G_N_ELEMENTS (choice_labels));
  for (guint i = 0; i < G_N_ELEMENTS (choice_labels); i++)
    {
      g_autofree char *label = kf_key_type_dup_choice_label (i);

      g_assert_cmpstr (label, ==, choice_labels[i]);
    }
  g_assert_cmpint (kf_key_type_get_choice (5, &bits), ==, KF_KEY_TYPE_RSA);
  g_assert_cmpuint (bits, ==, 3072);
  g_assert_cmpint (kf_key_type_get_choice (1, &bits), ==, KF_KEY_TYPE_ECDSA_P256);
  g_assert_cmpuint (bits, ==, 0);

  /* the default-key-type setting: RSA means the default size */
  g_assert_cmpuint (kf_key_type_choice_for_setting ("ed25519"), ==, 0);
  g_assert_cmpuint (kf_key_type_choice_for_setting ("ecdsa-p521"), ==, 3);
  g_assert_cmpuint (kf_key_type_choice_for_setting ("rsa"), ==, 5);
  g_assert_cmpuint (kf_key_type_choice_for_setting ("dsa"), ==, 0);
  g_assert_cmpuint (kf_key_type_choice_for_setting (NULL), ==, 0);

  g_assert_true (kf_key_type_rsa_bits_offered (2048));
  g_assert_true (kf_key_type_rsa_bits_offered (4096));
  g_assert_false (kf_key_type_rsa_bits_offered (1024));
  g_assert_false (kf_key_type_rsa_bits_offered (0));
}

static void
test_generate_bits (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;

  g_assert_cmpuint (kf_ssh_key_check_bits (KF_KEY_TYPE_RSA, 0, NULL), ==, 3072);
  g_assert_cmpuint (kf_ssh_key_check_bits (KF_KEY_TYPE_RSA, 4096, NULL), ==, 4096);
  g_assert_cmpuint (kf_ssh_key_check_bits (KF_KEY_TYPE_ECDSA_P521, 0, NULL), ==, 521);
  g_assert_cmpuint (kf_ssh_key_check_bits (KF_KEY_TYPE_ED25519, 256, NULL), ==, 256);

  g_assert_cmpuint (kf_ssh_key_check_bits (KF_KEY_TYPE_ED25519, 384, &error), ==, 0);
  assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
  g_clear_error (&error);

  material = kt_generate (KF_KEY_TYPE_RSA, 1024, NULL, &error);
  g_assert_null (material);
  assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
  g_assert_nonnull (strstr (error->message, "2048, 3072 or 4096"));
  g_clear_error (&error);

  material = kt_generate (KF_KEY_TYPE_ECDSA_P256, 384, NULL, &error);
  g_assert_null (material);
  assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
}

static void
test_generate_bad_comment (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *long_comment = g_strnfill (KF_MAX_COMMENT_LEN + 1, 'c');

  material = kt_generate (KF_KEY_TYPE_ED25519, 0, "two\nlines", &error);
  g_assert_null (material);
  assert_key_error (error, KF_KEY_ERROR_FAILED);
  g_clear_error (&error);

  material = kt_generate (KF_KEY_TYPE_ED25519, 0, long_comment, &error);
  g_assert_null (material);
  assert_key_error (error, KF_KEY_ERROR_TOO_LARGE);
}

typedef struct {
  gboolean       done;
  KfKeyMaterial *material;
  GError        *error;
  gint64         finished_at;
} CancelWait;

static void
on_cancel_generated (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  CancelWait *wait = user_data;

  wait->material = kf_ssh_key_generate_finish (result, &wait->error);
  wait->finished_at = g_get_monotonic_time ();
  wait->done = TRUE;
}

static gint64 cancelled_at;

static gboolean
cancel_later (gpointer data)
{
  cancelled_at = g_get_monotonic_time ();
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_generate_cancel (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) running = g_cancellable_new ();
  CancelWait wait = { 0 };
  CancelWait wait2 = { 0 };

  /* cancelled before it starts */
  g_cancellable_cancel (cancellable);
  kf_ssh_key_generate_async (KF_KEY_TYPE_RSA, 2048, NULL, cancellable, on_cancel_generated, &wait);
  kf_test_wait_for (&wait.done, 30);
  g_assert_null (wait.material);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);

  /* cancelled while libssh works: the callback comes at once with CANCELLED,
   * not when the (uninterruptible) generation ends */
  kf_ssh_key_generate_async (KF_KEY_TYPE_RSA, 3072, NULL, running, on_cancel_generated, &wait2);
  g_timeout_add (20, cancel_later, running);
  kf_test_wait_for (&wait2.done, 120);
  g_assert_null (wait2.material);
  g_assert_error (wait2.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait2.error);
  g_assert_cmpint (cancelled_at, >, 0);
  g_test_message ("callback %" G_GINT64_FORMAT " us after cancel", wait2.finished_at - cancelled_at);
  g_assert_cmpint (wait2.finished_at - cancelled_at, <, G_USEC_PER_SEC / 2);
}

/* -------------------------------------------------------------- import */

typedef struct {
  const char *path;
  const char *keygen_type;
  guint       keygen_bits;
  const char *format;        /* NULL: OpenSSH */
  gboolean    encrypted;
  const char *key_type;
  guint       bits;
  const char *armor;         /* what ssh-keygen writes */
} ImportCase;

static const ImportCase import_cases[] = {
  { "/keys/import/ed25519/openssh",            "ed25519", 0,    NULL,    FALSE, "ssh-ed25519",         256,  "OPENSSH PRIVATE KEY" },
  { "/keys/import/ed25519/openssh-encrypted",  "ed25519", 0,    NULL,    TRUE,  "ssh-ed25519",         256,  "OPENSSH PRIVATE KEY" },
  { "/keys/import/ecdsa-p256/openssh",         "ecdsa",   256,  NULL,    FALSE, "ecdsa-sha2-nistp256", 256,  "OPENSSH PRIVATE KEY" },
  { "/keys/import/ecdsa-p256/pem",             "ecdsa",   256,  "PEM",   FALSE, "ecdsa-sha2-nistp256", 256,  "EC PRIVATE KEY" },
  { "/keys/import/ecdsa-p256/pem-encrypted",   "ecdsa",   256,  "PEM",   TRUE,  "ecdsa-sha2-nistp256", 256,  "EC PRIVATE KEY" },
  { "/keys/import/ecdsa-p384/openssh-encrypted","ecdsa",  384,  NULL,    TRUE,  "ecdsa-sha2-nistp384", 384,  "OPENSSH PRIVATE KEY" },
  { "/keys/import/ecdsa-p384/pkcs8",           "ecdsa",   384,  "PKCS8", FALSE, "ecdsa-sha2-nistp384", 384,  "PRIVATE KEY" },
  { "/keys/import/ecdsa-p521/pkcs8-encrypted", "ecdsa",   521,  "PKCS8", TRUE,  "ecdsa-sha2-nistp521", 521,  "ENCRYPTED PRIVATE KEY" },
  { "/keys/import/ecdsa-p521/openssh",         "ecdsa",   521,  NULL,    FALSE, "ecdsa-sha2-nistp521", 521,  "OPENSSH PRIVATE KEY" },
  { "/keys/import/rsa-2048/openssh",           "rsa",     2048, NULL,    FALSE, "ssh-rsa",             2048, "OPENSSH PRIVATE KEY" },
  { "/keys/import/rsa-2048/openssh-encrypted", "rsa",     2048, NULL,    TRUE,  "ssh-rsa",             2048, "OPENSSH PRIVATE KEY" },
  { "/keys/import/rsa-2048/pem",               "rsa",     2048, "PEM",   FALSE, "ssh-rsa",             2048, "RSA PRIVATE KEY" },
  { "/keys/import/rsa-2048/pem-encrypted",     "rsa",     2048, "PEM",   TRUE,  "ssh-rsa",             2048, "RSA PRIVATE KEY" },
  { "/keys/import/rsa-3072/pkcs8",             "rsa",     3072, "PKCS8", FALSE, "ssh-rsa",             3072, "PRIVATE KEY" },
  { "/keys/import/rsa-2048/pkcs8-encrypted",   "rsa",     2048, "PKCS8", TRUE,  "ssh-rsa",             2048, "ENCRYPTED PRIVATE KEY" },
};

static void
test_import (gconstpointer data)
{
  const ImportCase *tc = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *armor = g_strdup_printf ("-----BEGIN %s-----\n", tc->armor);
  g_autoptr(KfKeyMaterial) with_public = NULL;
  g_autoptr(KfKeyMaterial) private_only = NULL;
  g_autoptr(KfKeyMaterial) public_only = NULL;
  const char *passphrase = tc->encrypted ? PASSPHRASE : NULL;

  kt_keygen_make (tc->keygen_type, tc->keygen_bits, tc->format, passphrase, "bob@nas", &private_text, &public_text);
  g_assert_true (g_str_has_prefix (private_text, armor));
  /* What the import dialog asks before Save: does it need a passphrase? */
  g_assert_cmpint (kf_ssh_key_private_text_is_encrypted (private_text), ==, tc->encrypted);
  g_assert_false (kf_ssh_key_private_text_is_encrypted (public_text));

#if LIBSSH_VERSION_INT < SSH_VERSION_INT (0, 11, 0)
  /* libssh 0.10 decrypts these but cannot write them out again: a clear
   * refusal (after checking the passphrase), not a generic failure */
  if (tc->encrypted && tc->format == NULL && g_str_equal (tc->keygen_type, "rsa"))
    {
      g_autoptr(KfKeyMaterial) refused = kf_ssh_key_import (private_text, public_text, passphrase, &error);
      g_assert_null (refused);
      assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
      g_assert_nonnull (strstr (error->message, "ssh-keygen -p -m PEM -f FILE"));
      g_clear_error (&error);
      assert_import_fails (private_text, NULL, "wrong horse battery", KF_KEY_ERROR_WRONG_PASSPHRASE);
      assert_import_fails (private_text, NULL, NULL, KF_KEY_ERROR_NEEDS_PASSPHRASE);

      /* and the advice works: converted, it imports with its passphrase */
      {
        g_autofree char *path = kt_write_temp ("id_rsa", private_text);
        const char *argv[] = { "ssh-keygen", "-q", "-p", "-m", "PEM", "-P", PASSPHRASE, "-N", PASSPHRASE,
                               "-f", path, NULL };
        g_autofree char *converted = NULL;
        g_autofree char *err = NULL;
        g_autoptr(KfKeyMaterial) material = NULL;

        g_assert_cmpint (kf_test_run_command (argv, NULL, NULL, &err), ==, 0);
        g_assert_true (g_file_get_contents (path, &converted, NULL, NULL));
        g_assert_true (g_str_has_prefix (converted, "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED"));
        material = kf_ssh_key_import (converted, public_text, passphrase, &error);
        g_assert_no_error (error);
        check_material_with_keygen (material, tc->key_type, tc->bits);
      }
      return;
    }
#endif

  with_public = kf_ssh_key_import (private_text, public_text, passphrase, &error);
  g_assert_no_error (error);
  check_material_with_keygen (with_public, tc->key_type, tc->bits);
  /* the fingerprint ssh-keygen gives the file it wrote */
  {
    g_autofree char *fingerprint = kt_keygen_fingerprint (public_text, NULL);
    g_assert_cmpstr (kf_key_material_get_fingerprint (with_public), ==, fingerprint);
  }
  g_assert_cmpstr (kf_key_material_get_comment (with_public), ==, "bob@nas");
  g_assert_true (g_str_has_suffix (kf_key_material_get_public_key (with_public), " bob@nas"));

  private_only = kf_ssh_key_import (private_text, NULL, passphrase, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_fingerprint (private_only), ==, kf_key_material_get_fingerprint (with_public));
  g_assert_cmpuint (kf_key_material_get_bits (private_only), ==, tc->bits);
  /* the comment of an OpenSSH key is readable only when it is not encrypted */
  if (tc->format == NULL && !tc->encrypted)
    g_assert_cmpstr (kf_key_material_get_comment (private_only), ==, "bob@nas");

  public_only = kf_ssh_key_import (NULL, public_text, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (kf_key_material_get_has_private_key (public_only));
  g_assert_null (kf_key_material_get_private_key (public_only));
  g_assert_cmpstr (kf_key_material_get_fingerprint (public_only), ==, kf_key_material_get_fingerprint (with_public));
  g_assert_cmpuint (kf_key_material_get_bits (public_only), ==, tc->bits);

  if (tc->encrypted)
    {
      assert_import_fails (private_text, NULL, NULL, KF_KEY_ERROR_NEEDS_PASSPHRASE);
      assert_import_fails (private_text, public_text, "", KF_KEY_ERROR_NEEDS_PASSPHRASE);
      assert_import_fails (private_text, NULL, "wrong horse battery", KF_KEY_ERROR_WRONG_PASSPHRASE);
    }
  else
    {
      /* a passphrase given for an unprotected key is not an error */
      g_autoptr(KfKeyMaterial) ignored = kf_ssh_key_import (private_text, NULL, "unused", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (kf_key_material_get_fingerprint (ignored), ==, kf_key_material_get_fingerprint (with_public));
    }
}

/* Pasted keys come with CRLF, indentation, blank lines and odd wrapping. */
static void
test_import_whitespace (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) crlf = g_string_new ("\r\n\r\n   \r\n");
  g_autoptr(GString) rewrapped = g_string_new ("Here is my key:\n\n");
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *public_crlf = NULL;
  guint n;

  kt_keygen_make ("ecdsa", 256, "PEM", PASSPHRASE, "crlf", &private_text, &public_text);
  expected = kt_keygen_fingerprint (public_text, NULL);

  lines = g_strsplit (private_text, "\n", -1);
  n = g_strv_length (lines);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (crlf, "  %s \t\r\n", lines[i]);
  g_string_append (crlf, "\r\n\r\n");
  public_crlf = g_strdup_printf ("\r\n  %s\r\n\r\n", g_strstrip (public_text));

  {
    g_autoptr(KfKeyMaterial) material = kf_ssh_key_import (crlf->str, public_crlf, PASSPHRASE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (kf_key_material_get_fingerprint (material), ==, expected);
    g_assert_cmpstr (kf_key_material_get_comment (material), ==, "crlf");
  }

  /* an OpenSSH key re-wrapped at 40 columns, with text around it */
  g_clear_pointer (&private_text, g_free);
  g_clear_pointer (&public_text, g_free);
  g_clear_pointer (&expected, g_free);
  g_clear_pointer (&lines, g_strfreev);
  kt_keygen_make ("ed25519", 0, NULL, NULL, "wrap", &private_text, &public_text);
  expected = kt_keygen_fingerprint (public_text, NULL);
  lines = g_strsplit (private_text, "\n", -1);
  for (guint i = 1; lines[i] != NULL && !g_str_has_prefix (lines[i], "-----END"); i++)
    g_string_append (body, lines[i]);
  g_string_append (rewrapped, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  for (gsize i = 0; i < body->len; i += 40)
    {
      g_string_append_len (rewrapped, body->str + i, MIN (40, body->len - i));
      g_string_append_c (rewrapped, '\n');
    }
  g_string_append (rewrapped, "-----END OPENSSH PRIVATE KEY-----");   /* no final newline */
  g_string_append (rewrapped, "\n\nThanks!\n");
  {
    g_autoptr(KfKeyMaterial) material = kf_ssh_key_import (rewrapped->str, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (kf_key_material_get_fingerprint (material), ==, expected);
  }
}

typedef struct {
  gboolean       done;
  KfKeyMaterial *material;
  GError        *error;
} ImportWait;

static void
on_imported (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  ImportWait *wait = user_data;

  wait->material = kf_ssh_key_import_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
test_import_async (void)
{
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ImportWait wait = { 0 };

  kt_keygen_make ("ed25519", 0, NULL, PASSPHRASE, "async", &private_text, &public_text);
  expected = kt_keygen_fingerprint (public_text, NULL);

  kf_ssh_key_import_async (private_text, public_text, PASSPHRASE, cancellable, on_imported, &wait);
  /* the texts were copied: overwriting ours must not matter */
  memset (private_text, 'x', strlen (private_text));
  kf_test_wait_for (&wait.done, 60);
  g_assert_no_error (wait.error);
  g_assert_cmpstr (kf_key_material_get_fingerprint (wait.material), ==, expected);
  g_assert_true (kf_key_material_get_has_private_key (wait.material));
  g_clear_object (&wait.material);

  /* errors come through the same way */
  wait.done = FALSE;
  kf_ssh_key_import_async ("no key here", NULL, NULL, NULL, on_imported, &wait);
  kf_test_wait_for (&wait.done, 60);
  g_assert_null (wait.material);
  assert_key_error (wait.error, KF_KEY_ERROR_NOT_A_KEY);
  g_clear_error (&wait.error);

  /* cancelled */
  wait.done = FALSE;
  g_cancellable_cancel (cancellable);
  kf_ssh_key_import_async (public_text, NULL, NULL, cancellable, on_imported, &wait);
  kf_test_wait_for (&wait.done, 60);
  g_assert_null (wait.material);
  g_assert_error (wait.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&wait.error);
}

static void
test_import_mismatch (void)
{
  g_autofree char *private_a = NULL;
  g_autofree char *public_a = NULL;
  g_autofree char *private_b = NULL;
  g_autofree char *public_b = NULL;
  g_autofree char *public_a_other_comment = NULL;
  g_autofree char *key_part = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;

  kt_keygen_make ("ed25519", 0, NULL, NULL, "a", &private_a, &public_a);
  kt_keygen_make ("ed25519", 0, NULL, NULL, "b", &private_b, &public_b);

  assert_import_fails (private_a, public_b, NULL, KF_KEY_ERROR_MISMATCH);
  {
    g_autoptr(KfKeyMaterial) m = NULL;
    g_autoptr(GError) e = NULL;
    m = kf_ssh_key_import (private_b, public_a, NULL, &e);
    g_assert_error (e, KF_KEY_ERROR, KF_KEY_ERROR_MISMATCH);
    g_assert_cmpstr (e->message, ==, "The public key does not match the private key.");
  }

  /* another type altogether */
  {
    g_autofree char *private_rsa = NULL;
    g_autofree char *public_rsa = NULL;
    kt_keygen_make ("rsa", 2048, "PEM", NULL, "rsa", &private_rsa, &public_rsa);
    assert_import_fails (private_rsa, public_a, NULL, KF_KEY_ERROR_MISMATCH);
  }

  /* the comment is not part of the key: another one is fine, and wins */
  key_part = kt_key_part (public_a);
  public_a_other_comment = g_strconcat (key_part, " renamed by hand", NULL);
  material = kf_ssh_key_import (private_a, public_a_other_comment, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_comment (material), ==, "renamed by hand");
  g_clear_object (&material);

  /* a public line without comment: the private key's own comment is used */
  material = kf_ssh_key_import (private_a, key_part, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kf_key_material_get_comment (material), ==, "a");
  g_assert_true (g_str_has_prefix (kf_key_material_get_public_key (material), key_part));
}

static void
test_import_garbage (void)
{
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  char random_bytes[512];
  g_autoptr(GError) error = NULL;

  kt_keygen_make ("ed25519", 0, NULL, NULL, NULL, &private_text, &public_text);

  assert_import_fails (NULL, NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  assert_import_fails ("", "", NULL, KF_KEY_ERROR_NOT_A_KEY);
  assert_import_fails ("  \n\r\n ", NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  assert_import_fails ("hello, world\nthis is not a key\n", NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);

  /* random bytes (not text at all) */
  for (guint i = 0; i < sizeof random_bytes - 1; i++)
    random_bytes[i] = (char) g_rand_int_range (rand, 1, 256);
  random_bytes[sizeof random_bytes - 1] = '\0';
  assert_import_fails (random_bytes, NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);

  /* the public key pasted where the private key goes */
  {
    g_autoptr(KfKeyMaterial) m = kf_ssh_key_import (public_text, NULL, NULL, &error);
    g_assert_null (m);
    assert_key_error (error, KF_KEY_ERROR_NOT_A_KEY);
    g_assert_nonnull (strstr (error->message, "public key"));
    g_clear_error (&error);
  }
  /* and the private key where the public key goes */
  {
    g_autoptr(KfKeyMaterial) m = kf_ssh_key_import (NULL, private_text, NULL, &error);
    g_assert_null (m);
    assert_key_error (error, KF_KEY_ERROR_NOT_A_KEY);
    g_assert_nonnull (strstr (error->message, "private key"));
    g_clear_error (&error);
  }

  /* armor around a body that is not base64 */
  assert_import_fails ("-----BEGIN OPENSSH PRIVATE KEY-----\nthis is *not* base64!\n-----END OPENSSH PRIVATE KEY-----\n",
                       NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  /* base64 of something that is not a key */
  assert_import_fails ("-----BEGIN OPENSSH PRIVATE KEY-----\naGVsbG8gd29ybGQsIG5vdCBhIGtleSBhdCBhbGw=\n-----END OPENSSH PRIVATE KEY-----\n",
                       NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  assert_import_fails ("-----BEGIN RSA PRIVATE KEY-----\naGVsbG8gd29ybGQsIG5vdCBhIGtleSBhdCBhbGw=\n-----END RSA PRIVATE KEY-----\n",
                       NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  /* END of another kind */
  {
    g_autofree char *swapped = g_strdup (private_text);
    char *end = strstr (swapped, "-----END OPENSSH");
    g_assert_nonnull (end);
    memcpy (end, "-----END PGP MESS", 17);
    assert_import_fails (swapped, NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
  }
  /* a certificate is not a key */
  assert_import_fails ("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", NULL, NULL, KF_KEY_ERROR_NOT_A_KEY);
}

static void
test_import_truncated (void)
{
  const char *types[][3] = {
    { "ed25519", NULL,    "0" },
    { "ecdsa",   "PEM",   "521" },
    { "rsa",     "PKCS8", "2048" },
    { "rsa",     "PEM",   "2048" },
  };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autofree char *private_text = NULL;
      g_autofree char *public_text = NULL;
      g_auto(GStrv) lines = NULL;
      guint n;

      kt_keygen_make (types[t][0], (guint) atoi (types[t][2]), types[t][1], NULL, NULL, &private_text, &public_text);
      lines = g_strsplit (private_text, "\n", -1);
      n = g_strv_length (lines);   /* last is "" after the final newline */
      g_assert_cmpuint (n, >=, 5);

      /* cut in the middle: no END line */
      {
        g_autofree char *cut = g_strndup (private_text, strlen (private_text) / 2);
        assert_import_fails (cut, NULL, NULL, KF_KEY_ERROR_TRUNCATED);
      }
      /* cut exactly after a full line: still no END */
      {
        g_autofree char *head = g_strjoinv ("\n", (GStrv) (char *[]) { lines[0], lines[1], lines[2], NULL });
        assert_import_fails (head, NULL, NULL, KF_KEY_ERROR_TRUNCATED);
      }
      /* END kept, full base64 lines lost near the end (a bad copy-paste):
       * the data is shorter than its own lengths say */
      for (guint drop = 1; drop <= 2; drop++)
        {
          g_autoptr(GString) holes = g_string_new (NULL);
          guint first = n - 3 - drop;   /* lines[n-3] is the last, short, base64 line */

          g_assert_cmpuint (first, >=, 2);
          for (guint i = 0; i < n - 1; i++)
            if (i < first || i >= first + drop)
              g_string_append_printf (holes, "%s\n", lines[i]);
          assert_import_fails (holes->str, NULL, NULL, KF_KEY_ERROR_TRUNCATED);
        }
      /* lost right after the first line: for an OpenSSH key that is inside its
       * public part, where missing data cannot be told from damaged data */
      for (guint drop = 1; drop <= 2; drop++)
        {
          g_autoptr(GString) holes = g_string_new (NULL);
          g_autoptr(GError) error = NULL;
          g_autoptr(KfKeyMaterial) m = NULL;

          for (guint i = 0; i < n - 1; i++)
            if (i < 2 || i >= 2 + drop)
              g_string_append_printf (holes, "%s\n", lines[i]);
          m = kf_ssh_key_import (holes->str, NULL, NULL, &error);
          g_assert_null (m);
          if (types[t][1] != NULL)
            assert_key_error (error, KF_KEY_ERROR_TRUNCATED);
          else if (!g_error_matches (error, KF_KEY_ERROR, KF_KEY_ERROR_TRUNCATED))
            assert_key_error (error, KF_KEY_ERROR_NOT_A_KEY);
        }
      /* the last base64 line cut short */
      {
        g_autoptr(GString) short_last = g_string_new (NULL);

        for (guint i = 0; i < n - 1; i++)
          {
            if (i == n - 3)
              g_string_append_printf (short_last, "%.*s\n", (int) strlen (lines[i]) / 2, lines[i]);
            else
              g_string_append_printf (short_last, "%s\n", lines[i]);
          }
        assert_import_fails (short_last->str, NULL, NULL, KF_KEY_ERROR_TRUNCATED);
      }
    }

  /* a public key line cut short */
  {
    g_autofree char *private_text = NULL;
    g_autofree char *public_text = NULL;
    g_autofree char *key_part = NULL;

    kt_keygen_make ("rsa", 2048, NULL, NULL, NULL, &private_text, &public_text);
    key_part = kt_key_part (public_text);
    for (gsize cut = 20; cut < strlen (key_part); cut += 37)
      {
        g_autofree char *line = g_strndup (key_part, cut);
        assert_import_fails (NULL, line, NULL, KF_KEY_ERROR_TRUNCATED);
      }
  }
}

static void
test_import_unsupported (void)
{
  const char *dsa_files[] = { "dsa-openssh.key", "dsa-pem.key", "dsa-pkcs8.key" };
  g_autoptr(GError) error = NULL;

  /* DSA: fixed keys (OpenSSH 9.2 still makes them, newer ones do not) */
  for (guint i = 0; i < G_N_ELEMENTS (dsa_files); i++)
    {
      g_autofree char *text = read_data_file (dsa_files[i]);
      g_autoptr(KfKeyMaterial) m = kf_ssh_key_import (text, NULL, NULL, &error);

      g_assert_null (m);
      assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
      g_assert_nonnull (strstr (error->message, "DSA"));
      g_clear_error (&error);
    }
  {
    g_autofree char *pub = read_data_file ("dsa-openssh.key.pub");
    g_autoptr(KfKeyMaterial) m = kf_ssh_key_parse_public (pub, &error);

    g_assert_null (m);
    assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
    g_assert_nonnull (strstr (error->message, "DSA"));
    g_clear_error (&error);
  }

  /* keys OpenSSL makes that SSH cannot use */
  {
    const char *files[][2] = {
      { "ed25519-pkcs8.key",   "PKCS#8" },
      { "secp256k1-pkcs8.key", "curve" },
      { "secp256k1-ec.key",    "curve" },
      { "ed448-pkcs8.key",     "not supported" },
      { "rsa-768.key",         "1024 bits" },
    };
    for (guint i = 0; i < G_N_ELEMENTS (files); i++)
      {
        g_autofree char *text = read_data_file (files[i][0]);
        g_autoptr(KfKeyMaterial) m = kf_ssh_key_import (text, NULL, NULL, &error);

        g_assert_null (m);
        assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
        g_assert_nonnull (strstr (error->message, files[i][1]));
        g_clear_error (&error);
      }
  }

  /* SSH-1 private key file and SSH-1 public key */
  assert_import_fails ("SSH PRIVATE KEY FILE FORMAT 1.1\n\001\002garbage", NULL, NULL, KF_KEY_ERROR_UNSUPPORTED_TYPE);
  assert_import_fails (NULL, "2048 65537 2323232323232323232323 old@host", NULL, KF_KEY_ERROR_UNSUPPORTED_TYPE);

  /* security keys: public line, and an OpenSSH private key file whose public part says sk */
  {
    g_autoptr(GByteArray) blob = make_ed25519_like_blob ("sk-ssh-ed25519@openssh.com");
    g_autofree char *line = blob_to_line (blob, "sk-ssh-ed25519@openssh.com");
    g_autoptr(GByteArray) file = g_byte_array_new ();
    g_autofree char *b64 = NULL;
    g_autofree char *armored = NULL;

    assert_import_fails (NULL, line, NULL, KF_KEY_ERROR_UNSUPPORTED_TYPE);

    g_byte_array_append (file, (const guint8 *) "openssh-key-v1", 15);   /* with its NUL */
    put_cstring (file, "none");
    put_cstring (file, "none");
    put_cstring (file, "");
    put_u32 (file, 1);
    put_string (file, blob->data, blob->len);
    put_cstring (file, "0123456789abcdef0123456789abcdef");
    b64 = g_base64_encode (file->data, file->len);
    armored = g_strdup_printf ("-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n", b64);
    {
      g_autoptr(KfKeyMaterial) m = kf_ssh_key_import (armored, NULL, NULL, &error);
      g_assert_null (m);
      assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
      g_assert_nonnull (strstr (error->message, "Security-key"));
      g_clear_error (&error);
    }
  }
  /* an OpenSSH certificate line */
  {
    g_autoptr(GByteArray) blob = make_ed25519_like_blob ("ssh-ed25519-cert-v01@openssh.com");
    g_autofree char *line = blob_to_line (blob, "ssh-ed25519-cert-v01@openssh.com");
    assert_import_fails (NULL, line, NULL, KF_KEY_ERROR_UNSUPPORTED_TYPE);
  }
  /* OpenSSH keys encrypted with ciphers libssh 0.10 cannot decrypt (it
   * crashes on them): refused before libssh sees them */
  {
    const char *ciphers[] = { "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com" };

    for (guint i = 0; i < G_N_ELEMENTS (ciphers); i++)
      {
        g_autofree char *private_text = NULL;
        g_autofree char *path = NULL;
        g_autofree char *err = NULL;
        g_autofree char *dir = kf_test_make_tmpdir ("cipher");
        const char *argv[] = { "ssh-keygen", "-q", "-t", "ed25519", "-Z", ciphers[i], "-N", PASSPHRASE,
                               "-f", NULL, NULL };
        g_autoptr(KfKeyMaterial) m = NULL;

        path = g_build_filename (dir, "id", NULL);
        argv[9] = path;
        g_assert_cmpint (kf_test_run_command (argv, NULL, NULL, &err), ==, 0);
        g_assert_true (g_file_get_contents (path, &private_text, NULL, NULL));

        m = kf_ssh_key_import (private_text, NULL, PASSPHRASE, &error);
        g_assert_null (m);
        assert_key_error (error, KF_KEY_ERROR_UNSUPPORTED_TYPE);
        g_assert_nonnull (strstr (error->message, ciphers[i]));
        g_clear_error (&error);
      }
  }

  /* PuTTY */
  assert_import_fails ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\n", NULL, NULL,
                       KF_KEY_ERROR_UNSUPPORTED_TYPE);
}

static void
test_import_too_large (void)
{
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autoptr(GString) huge = g_string_new (NULL);
  g_autoptr(GString) huge_public = g_string_new (NULL);

  kt_keygen_make ("ed25519", 0, NULL, NULL, NULL, &private_text, &public_text);
  /* a valid key buried in blank lines: still too large to accept */
  g_string_append (huge, private_text);
  while (huge->len <= KF_MAX_KEY_TEXT_LEN)
    g_string_append (huge, "\n                                                               ");
  assert_import_fails (huge->str, NULL, NULL, KF_KEY_ERROR_TOO_LARGE);

  /* several MiB of base64 inside the armor */
  g_string_truncate (huge, 0);
  g_string_append (huge, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  for (guint i = 0; i < 50000; i++)
    g_string_append (huge, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n");
  g_string_append (huge, "-----END OPENSSH PRIVATE KEY-----\n");
  assert_import_fails (huge->str, NULL, NULL, KF_KEY_ERROR_TOO_LARGE);

  g_string_append (huge_public, g_strstrip (public_text));
  g_string_append_c (huge_public, ' ');
  while (huge_public->len <= KF_MAX_KEY_TEXT_LEN)
    g_string_append (huge_public, "comment-");
  assert_import_fails (NULL, huge_public->str, NULL, KF_KEY_ERROR_TOO_LARGE);
}

/* Damaged keys of every shape fail cleanly: a KF_KEY_ERROR with a sentence,
 * never a crash or a read out of bounds (run under valgrind/ASan too). */
static void
mutate (GRand      *rand,
        GByteArray *data)
{
  guint n = g_rand_int_range (rand, 1, 4);

  for (guint i = 0; i < n && data->len > 8; i++)
    {
      guint at = g_rand_int_range (rand, 0, data->len);

      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0:   /* flip one byte */
          data->data[at] ^= (guint8) g_rand_int_range (rand, 1, 256);
          break;
        case 1:   /* cut */
          g_byte_array_set_size (data, at);
          break;
        case 2:   /* a huge length where a length may be */
          if (at + 4 <= data->len)
            memset (data->data + at, 0xff, 4);
          break;
        case 3:   /* a zero length */
          if (at + 4 <= data->len)
            memset (data->data + at, 0, 4);
          break;
        default:  /* drop a run of bytes */
          {
            guint run = (guint) g_rand_int_range (rand, 1, 40);
            g_byte_array_remove_range (data, at, MIN (data->len - at, run));
          }
          break;
        }
    }
}

static void
check_mutations (GRand      *rand,
                 const char *private_text,
                 const char *passphrase,
                 guint       rounds)
{
  g_auto(GStrv) lines = g_strsplit (private_text, "\n", -1);
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree guchar *der = NULL;
  gsize der_len;
  const char *begin = lines[0];
  const char *end = NULL;
  guint ok = 0, failed = 0;

  for (guint i = 1; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "-----END"))
        {
          end = lines[i];
          break;
        }
      if (strchr (lines[i], ':') == NULL && lines[i][0] != '\0')
        g_string_append (body, lines[i]);
    }
  g_assert_nonnull (end);
  der = g_base64_decode (body->str, &der_len);

  for (guint r = 0; r < rounds; r++)
    {
      g_autoptr(GByteArray) data = g_byte_array_new ();
      g_autofree char *b64 = NULL;
      g_autofree char *text = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(KfKeyMaterial) m = NULL;

      g_byte_array_append (data, der, (guint) der_len);
      mutate (rand, data);
      b64 = g_base64_encode (data->data, data->len);
      text = g_strdup_printf ("%s\n%s\n%s\n", begin, b64, end);

      m = kf_ssh_key_import (text, NULL, passphrase, &error);
      if (m != NULL)
        {
          g_assert_no_error (error);
          ok++;
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == KF_KEY_ERROR);
          g_assert_true (g_str_has_suffix (error->message, "."));
          failed++;
        }
    }
  g_test_message ("%s: %u mutations imported, %u refused", begin, ok, failed);
  g_assert_cmpuint (failed, >, 0);
}

static void
test_import_mutations (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261124);
  const char *types[][4] = {
    /* type, format, bits, rounds */
    { "ed25519", NULL,    "0",    "400" },
    { "ecdsa",   "PEM",   "384",  "300" },
    { "rsa",     "PKCS8", "2048", "300" },
    { "rsa",     NULL,    "2048", "300" },
  };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autofree char *private_text = NULL;

      kt_keygen_make (types[t][0], (guint) atoi (types[t][2]), types[t][1], NULL, NULL, &private_text, NULL);
      check_mutations (rand, private_text, NULL, (guint) atoi (types[t][3]));
    }

  /* encrypted: each attempt that reaches decryption costs a bcrypt run */
  {
    g_autofree char *private_text = NULL;

    kt_keygen_make ("ed25519", 0, NULL, PASSPHRASE, NULL, &private_text, NULL);
    check_mutations (rand, private_text, PASSPHRASE, 40);
  }

  /* public key blobs */
  {
    g_autofree char *private_text = NULL;
    g_autofree char *public_text = NULL;
    g_auto(GStrv) fields = NULL;
    g_autofree guchar *blob = NULL;
    gsize blob_len;

    kt_keygen_make ("ecdsa", 521, NULL, NULL, NULL, &private_text, &public_text);
    fields = g_strsplit (public_text, " ", 3);
    blob = g_base64_decode (fields[1], &blob_len);
    for (guint r = 0; r < 500; r++)
      {
        g_autoptr(GByteArray) data = g_byte_array_new ();
        g_autofree char *b64 = NULL;
        g_autofree char *line = NULL;
        g_autoptr(GError) error = NULL;
        g_autoptr(KfKeyMaterial) m = NULL;

        g_byte_array_append (data, blob, (guint) blob_len);
        mutate (rand, data);
        b64 = g_base64_encode (data->data, data->len);
        line = g_strdup_printf ("%s %s mutated", fields[0], b64);
        m = kf_ssh_key_parse_public (line, &error);
        g_assert_true ((m == NULL) != (error == NULL));
        if (error != NULL)
          g_assert_true (error->domain == KF_KEY_ERROR);
      }
  }
}

/* -------------------------------------------------------------- public */

static void
test_public_prefixes (void)
{
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *key_part = NULL;
  const char *prefixes[] = {
    "",
    "from=\"10.0.0.1,192.168.1.*\",no-pty ",
    "command=\"echo hello world; exit\",no-port-forwarding ",
    "restrict,command=\"a \\\"quoted\\\" word\" ",
    "[127.0.0.1]:2222 ",
    "nas.example.org,10.0.0.5 ",
    "ssh-nas.lan ",
    "@revoked host.example ",
  };

  kt_keygen_make ("ecdsa", 384, NULL, NULL, "carol@laptop", &private_text, &public_text);
  expected = kt_keygen_fingerprint (public_text, NULL);
  key_part = kt_key_part (public_text);

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *line = g_strdup_printf ("%s%s", prefixes[i], g_strstrip (public_text));
      g_autoptr(GError) error = NULL;
      g_autoptr(KfKeyMaterial) m = kf_ssh_key_parse_public (line, &error);
      g_autofree char *fingerprint = NULL;

      g_test_message ("line: %s", line);
      g_assert_no_error (error);
      g_assert_cmpstr (kf_key_material_get_key_type (m), ==, "ecdsa-sha2-nistp384");
      g_assert_cmpuint (kf_key_material_get_bits (m), ==, 384);
      g_assert_cmpstr (kf_key_material_get_fingerprint (m), ==, expected);
      g_assert_cmpstr (kf_key_material_get_comment (m), ==, "carol@laptop");
      /* options and host fields are dropped */
      g_assert_true (g_str_has_prefix (kf_key_material_get_public_key (m), key_part));
      g_assert_false (kf_key_material_get_has_private_key (m));

      fingerprint = kf_ssh_key_fingerprint (line, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (fingerprint, ==, expected);
    }
}

static void
test_public_damaged (void)
{
  g_autofree char *private_text = NULL;
  g_autofree char *public_text = NULL;
  g_autofree char *key_part = NULL;
  g_autofree char *rsa_private = NULL;
  g_autofree char *rsa_public = NULL;
  g_autoptr(GError) error = NULL;
  char *fingerprint;

  kt_keygen_make ("ed25519", 0, NULL, NULL, NULL, &private_text, &public_text);
  kt_keygen_make ("rsa", 2048, NULL, NULL, NULL, &rsa_private, &rsa_public);
  key_part = kt_key_part (public_text);

  /* not base64 */
  {
    g_autofree char *bad = g_strdup (key_part);
    bad[strlen (bad) - 5] = '!';
    assert_import_fails (NULL, bad, NULL, KF_KEY_ERROR_NOT_A_KEY);
  }
  /* the type says RSA, the data is Ed25519 */
  {
    g_autofree char *swapped = g_strconcat ("ssh-rsa", strchr (key_part, ' '), NULL);
    assert_import_fails (NULL, swapped, NULL, KF_KEY_ERROR_NOT_A_KEY);
  }
  /* one more byte at the end of the key data */
  {
    g_autofree char *b64 = g_strdup (strchr (key_part, ' ') + 1);
    gsize len;
    g_autofree guchar *blob = g_base64_decode (b64, &len);
    g_autofree guchar *longer = g_malloc (len + 3);
    g_autofree char *b64_longer = NULL;
    g_autofree char *line = NULL;

    memcpy (longer, blob, len);
    memset (longer + len, 0, 3);
    b64_longer = g_base64_encode (longer, len + 3);
    line = g_strconcat ("ssh-ed25519 ", b64_longer, NULL);
    assert_import_fails (NULL, line, NULL, KF_KEY_ERROR_NOT_A_KEY);
  }
  /* no key data at all, or only words */
  assert_import_fails (NULL, "ssh-ed25519", NULL, KF_KEY_ERROR_NOT_A_KEY);
  assert_import_fails (NULL, "just some words here", NULL, KF_KEY_ERROR_NOT_A_KEY);
  /* two lines */
  {
    g_autofree char *two = g_strconcat (g_strstrip (public_text), "\n", rsa_public, NULL);
    assert_import_fails (NULL, two, NULL, KF_KEY_ERROR_NOT_A_KEY);
  }
  /* PEM public key (what openssl writes) */
  assert_import_fails (NULL, "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n", NULL,
                       KF_KEY_ERROR_UNSUPPORTED_TYPE);
  /* RFC 4716 */
  assert_import_fails (NULL, "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n---- END SSH2 PUBLIC KEY ----\n", NULL,
                       KF_KEY_ERROR_UNSUPPORTED_TYPE);

  fingerprint = kf_ssh_key_fingerprint ("nope", &error);
  g_assert_null (fingerprint);
  assert_key_error (error, KF_KEY_ERROR_NOT_A_KEY);
}

/* The fingerprints of keys we did not make (an sshd's host keys, made by
 * ssh-keygen -A style) agree with ssh-keygen. */
static void
test_fingerprint (void)
{
  const char *types[][2] = { { "rsa", "3072" }, { "ecdsa", "521" }, { "ed25519", "0" } };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autofree char *private_text = NULL;
      g_autofree char *public_text = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *fingerprint = NULL;
      g_autoptr(GError) error = NULL;

      kt_keygen_make (types[i][0], (guint) atoi (types[i][1]), NULL, NULL, "root@host", &private_text, &public_text);
      expected = kt_keygen_fingerprint (public_text, NULL);
      fingerprint = kf_ssh_key_fingerprint (public_text, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (fingerprint, ==, expected);
    }
}

/* ------------------------------------------------------------ material */

static void
test_material_keypair (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autoptr(KfKeypair) keypair = kf_keypair_new ("laptop");
  g_autofree char *id = g_strdup (kf_keypair_get_id (keypair));
  g_autofree char *type = NULL;
  guint bits = 0;
  gboolean has_private = FALSE;

  material = kt_generate (KF_KEY_TYPE_ECDSA_P256, 0, "dave", &error);
  g_assert_no_error (error);

  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_cmpstr (kf_keypair_get_name (keypair), ==, "laptop");
  g_assert_cmpstr (kf_keypair_get_id (keypair), ==, id);
  g_assert_cmpstr (kf_keypair_get_key_type (keypair), ==, "ecdsa-sha2-nistp256");
  g_assert_cmpuint (kf_keypair_get_bits (keypair), ==, 256);
  g_assert_cmpstr (kf_keypair_get_fingerprint (keypair), ==, kf_key_material_get_fingerprint (material));
  g_assert_cmpstr (kf_keypair_get_comment (keypair), ==, "dave");
  g_assert_cmpstr (kf_keypair_get_public_key (keypair), ==, kf_key_material_get_public_key (material));
  g_assert_true (kf_keypair_get_has_private_key (keypair));

  /* readable as properties, except the secret, which has no property at all */
  g_object_get (material, "key-type", &type, "bits", &bits, "has-private-key", &has_private, NULL);
  g_assert_cmpstr (type, ==, "ecdsa-sha2-nistp256");
  g_assert_cmpuint (bits, ==, 256);
  g_assert_true (has_private);
  g_assert_null (g_object_class_find_property (G_OBJECT_GET_CLASS (material), "private-key"));
  {
    guint n_props;
    g_autofree GParamSpec **props = g_object_class_list_properties (G_OBJECT_GET_CLASS (material), &n_props);
    for (guint i = 0; i < n_props; i++)
      if (G_PARAM_SPEC_VALUE_TYPE (props[i]) == G_TYPE_STRING)
        {
          g_auto(GValue) value = G_VALUE_INIT;
          g_value_init (&value, G_TYPE_STRING);
          g_object_get_property (G_OBJECT (material), props[i]->name, &value);
          g_assert_null (strstr (g_value_get_string (&value) ? g_value_get_string (&value) : "", "PRIVATE"));
        }
  }

  /* a public-only key pair */
  g_clear_object (&material);
  material = kf_ssh_key_parse_public (kf_keypair_get_public_key (keypair), &error);
  g_assert_no_error (error);
  kf_key_material_apply_to_keypair (material, keypair);
  g_assert_false (kf_keypair_get_has_private_key (keypair));
}

int
main (int   argc,
      char *argv[])
{
  kf_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (generate_cases); i++)
    g_test_add_data_func (generate_cases[i].path, &generate_cases[i], test_generate);
  g_test_add_func ("/keys/types", test_key_types);
  g_test_add_func ("/keys/generate/bits", test_generate_bits);
  g_test_add_func ("/keys/generate/bad-comment", test_generate_bad_comment);
  g_test_add_func ("/keys/generate/cancel", test_generate_cancel);

  for (guint i = 0; i < G_N_ELEMENTS (import_cases); i++)
    g_test_add_data_func (import_cases[i].path, &import_cases[i], test_import);
  g_test_add_func ("/keys/import/whitespace", test_import_whitespace);
  g_test_add_func ("/keys/import/async", test_import_async);
  g_test_add_func ("/keys/import/mismatch", test_import_mismatch);
  g_test_add_func ("/keys/import/garbage", test_import_garbage);
  g_test_add_func ("/keys/import/truncated", test_import_truncated);
  g_test_add_func ("/keys/import/unsupported", test_import_unsupported);
  g_test_add_func ("/keys/import/too-large", test_import_too_large);
  g_test_add_func ("/keys/import/mutations", test_import_mutations);

  g_test_add_func ("/keys/public/prefixes", test_public_prefixes);
  g_test_add_func ("/keys/public/damaged", test_public_damaged);
  g_test_add_func ("/keys/public/fingerprint", test_fingerprint);

  g_test_add_func ("/keys/material/keypair", test_material_keypair);

  return g_test_run ();
}
