/* keys-test-util.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "keys-test-util.h"
#include "kf-test-util.h"

char *
kt_write_temp (const char *name,
               const char *content)
{
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%s-%u", name, ++counter);
  char *path = g_build_filename (kf_test_get_tmpdir (), file, NULL);

  g_file_set_contents_full (path, content, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  return path;
}

char *
kt_keygen_fingerprint (const char *public_line,
                       guint      *out_bits)
{
  g_autofree char *path = kt_write_temp ("fp.pub", public_line);
  const char *argv[] = { "ssh-keygen", "-E", "sha256", "-lf", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) fields = NULL;
  int status;

  status = kf_test_run_command (argv, NULL, &out, &err);
  if (status != 0)
    g_error ("ssh-keygen -lf failed (%d): %s", status, err);
  /* "256 SHA256:xxxx comment (ED25519)" */
  fields = g_strsplit (g_strstrip (out), " ", 3);
  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  if (out_bits != NULL)
    *out_bits = (guint) g_ascii_strtoull (fields[0], NULL, 10);
  g_assert_true (g_str_has_prefix (fields[1], "SHA256:"));
  return g_strdup (fields[1]);
}

char *
kt_keygen_public_from_private (const char *private_text)
{
  g_autofree char *path = kt_write_temp ("key", private_text);
  /* -P '': fail instead of prompting if the key turned out encrypted */
  const char *argv[] = { "ssh-keygen", "-y", "-P", "", "-f", path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = kf_test_run_command (argv, NULL, &out, &err);
  if (status != 0)
    g_error ("ssh-keygen -y refused the private key (%d): %s", status, err);
  return kt_key_part (g_strstrip (out));
}

void
kt_keygen_make (const char  *type,
                guint        bits,
                const char  *format,
                const char  *passphrase,
                const char  *comment,
                char       **out_private,
                char       **out_public)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = kf_test_make_tmpdir ("keygen");
  g_autofree char *path = g_build_filename (dir, "id", NULL);
  g_autofree char *pub_path = g_build_filename (dir, "id.pub", NULL);
  g_autofree char *bits_str = g_strdup_printf ("%u", bits);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  int status;

  g_ptr_array_add (argv, (char *) "ssh-keygen");
  g_ptr_array_add (argv, (char *) "-q");
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, (char *) type);
  if (bits != 0)
    {
      g_ptr_array_add (argv, (char *) "-b");
      g_ptr_array_add (argv, bits_str);
    }
  if (format != NULL)
    {
      g_ptr_array_add (argv, (char *) "-m");
      g_ptr_array_add (argv, (char *) format);
    }
  g_ptr_array_add (argv, (char *) "-N");
  g_ptr_array_add (argv, (char *) (passphrase ? passphrase : ""));
  g_ptr_array_add (argv, (char *) "-C");
  g_ptr_array_add (argv, (char *) (comment ? comment : ""));
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, path);
  g_ptr_array_add (argv, NULL);

  status = kf_test_run_command ((const char * const *) argv->pdata, NULL, NULL, &err);
  if (status != 0)
    g_error ("ssh-keygen -t %s failed (%d): %s", type, status, err);

  g_file_get_contents (path, out_private, NULL, &error);
  g_assert_no_error (error);
  if (out_public != NULL)
    {
      g_file_get_contents (pub_path, out_public, NULL, &error);
      g_assert_no_error (error);
    }
}

char *
kt_key_part (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, " ", 3);

  g_assert_cmpuint (g_strv_length (fields), >=, 2);
  return g_strconcat (fields[0], " ", g_strstrip (fields[1]), NULL);
}

typedef struct {
  gboolean       done;
  KfKeyMaterial *material;
  GError        *error;
} GenerateWait;

static void
on_generated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GenerateWait *wait = user_data;

  wait->material = kf_ssh_key_generate_finish (result, &wait->error);
  wait->done = TRUE;
}

KfKeyMaterial *
kt_generate (KfKeyType    type,
             guint        bits,
             const char  *comment,
             GError     **error)
{
  GenerateWait wait = { 0 };

  kf_ssh_key_generate_async (type, bits, comment, NULL, on_generated, &wait);
  kf_test_wait_for (&wait.done, 120);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return wait.material;
}

typedef struct {
  KtStall  *out;
  gint64    last;
  gboolean  done;
} StallProbe;

static void
stall_note_gap (StallProbe *probe)
{
  gint64 now = g_get_monotonic_time ();

  probe->out->max_gap_us = MAX (probe->out->max_gap_us, now - probe->last);
  probe->last = now;
}

static gboolean
on_stall_tick (gpointer user_data)
{
  StallProbe *probe = user_data;

  stall_note_gap (probe);
  probe->out->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
on_stall_generated (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  StallProbe *probe = user_data;

  stall_note_gap (probe);
  probe->out->material = kf_ssh_key_generate_finish (result, &probe->out->error);
  probe->done = TRUE;
}

void
kt_measure_generate_stall (KfKeyType  type,
                           guint      bits,
                           KtStall   *out)
{
  StallProbe probe = { out, 0, FALSE };
  gint64 start;
  guint tick_id;

  memset (out, 0, sizeof *out);
  start = probe.last = g_get_monotonic_time ();
  tick_id = g_timeout_add (5, on_stall_tick, &probe);
  kf_ssh_key_generate_async (type, bits, NULL, NULL, on_stall_generated, &probe);
  while (!probe.done)
    g_main_context_iteration (NULL, TRUE);
  out->elapsed_us = probe.last - start;
  g_source_remove (tick_id);
}
