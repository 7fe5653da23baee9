/* kf-rotation-journal.c: the record of a rotation under way.
 *
 * rotations.json beside the store, written (temporary file, fsync, rename,
 * as the store itself) before each remote step of each box, and removed when
 * the rotation ends with nothing left to do. Its own file, so that the store
 * format and its serializer stay as they are:
 *
 *   { "version": 1, "old-keypair": ID, "new-keypair": ID, "rollback": false,
 *     "boxes": [ { "connection": ID, "step": "install", "added-newline": false }, … ] }
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "kf-errors.h"
#include "kf-rotation-private.h"
#include "kf-store-file.h"

#define JOURNAL_VERSION 1

char *
kf_rotation_journal_path (const char *store_path)
{
  g_autofree char *dir = g_path_get_dirname (store_path);

  return g_build_filename (dir, "rotations.json", NULL);
}

static void
box_free (KfRotationJournalBox *box)
{
  g_free (box->connection_id);
  g_free (box->old_lines);
  g_free (box);
}

KfRotationJournal *
kf_rotation_journal_new (const char *old_keypair_id,
                         const char *new_keypair_id)
{
  KfRotationJournal *journal = g_new0 (KfRotationJournal, 1);

  journal->old_keypair_id = g_strdup (old_keypair_id);
  journal->new_keypair_id = g_strdup (new_keypair_id);
  journal->boxes = g_ptr_array_new_with_free_func ((GDestroyNotify) box_free);
  return journal;
}

void
kf_rotation_journal_free (KfRotationJournal *journal)
{
  if (journal == NULL)
    return;
  g_free (journal->old_keypair_id);
  g_free (journal->new_keypair_id);
  g_ptr_array_unref (journal->boxes);
  g_free (journal);
}

KfRotationJournalBox *
kf_rotation_journal_add_box (KfRotationJournal *journal,
                             const char        *connection_id)
{
  KfRotationJournalBox *box = g_new0 (KfRotationJournalBox, 1);

  box->connection_id = g_strdup (connection_id);
  box->step = KF_ROTATION_STEP_PENDING;
  g_ptr_array_add (journal->boxes, box);
  return box;
}

KfRotationJournalBox *
kf_rotation_journal_find_box (KfRotationJournal *journal,
                              const char        *connection_id)
{
  for (guint i = 0; i < journal->boxes->len; i++)
    {
      KfRotationJournalBox *box = g_ptr_array_index (journal->boxes, i);

      if (g_strcmp0 (box->connection_id, connection_id) == 0)
        return box;
    }
  return NULL;
}

static gboolean
damaged (const char  *path,
         GError     **error)
{
  g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
               _("The record of an unfinished key rotation (%s) cannot be read; check the key pairs' connections by hand, then delete that file."),
               path);
  return FALSE;
}

static gboolean
parse_boxes (KfRotationJournal *journal,
             JsonArray         *boxes)
{
  for (guint i = 0; i < json_array_get_length (boxes); i++)
    {
      JsonObject *object = json_array_get_object_element (boxes, i);
      KfRotationJournalBox *box;
      const char *id, *step;

      if (object == NULL)
        return FALSE;
      id = json_object_get_string_member_with_default (object, "connection", NULL);
      step = json_object_get_string_member_with_default (object, "step", NULL);
      if (id == NULL || step == NULL)
        return FALSE;
      box = kf_rotation_journal_add_box (journal, id);
      if (!kf_rotation_step_from_string (step, &box->step))
        return FALSE;
      box->added_newline = json_object_get_boolean_member_with_default (object, "added-newline", FALSE);
      box->old_lines = g_strdup (json_object_get_string_member_with_default (object, "old-lines", NULL));
    }
  return TRUE;
}

KfRotationJournal *
kf_rotation_journal_load (const char  *path,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(KfRotationJournal) journal = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *root;
  JsonArray *boxes;
  const char *old_id, *new_id;

  if (!json_parser_load_from_mapped_file (parser, path, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      damaged (path, error);
      return NULL;
    }
  root = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (root == NULL || json_object_get_int_member_with_default (root, "version", 0) != JOURNAL_VERSION)
    {
      damaged (path, error);
      return NULL;
    }
  old_id = json_object_get_string_member_with_default (root, "old-keypair", NULL);
  new_id = json_object_get_string_member_with_default (root, "new-keypair", NULL);
  boxes = json_object_has_member (root, "boxes") ? json_object_get_array_member (root, "boxes") : NULL;
  if (old_id == NULL || new_id == NULL || boxes == NULL)
    {
      damaged (path, error);
      return NULL;
    }
  journal = kf_rotation_journal_new (old_id, new_id);
  journal->rollback = json_object_get_boolean_member_with_default (root, "rollback", FALSE);
  if (!parse_boxes (journal, boxes))
    {
      damaged (path, error);
      return NULL;
    }
  return g_steal_pointer (&journal);
}

static gboolean
write_journal (KfRotationJournal  *journal,
               const char         *path,
               gboolean            create,
               GError            **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(KfStoreFile) file = kf_store_file_new (path);
  g_autofree char *text = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, JOURNAL_VERSION);
  json_builder_set_member_name (builder, "old-keypair");
  json_builder_add_string_value (builder, journal->old_keypair_id);
  json_builder_set_member_name (builder, "new-keypair");
  json_builder_add_string_value (builder, journal->new_keypair_id);
  json_builder_set_member_name (builder, "rollback");
  json_builder_add_boolean_value (builder, journal->rollback);
  json_builder_set_member_name (builder, "boxes");
  json_builder_begin_array (builder);
  for (guint i = 0; i < journal->boxes->len; i++)
    {
      KfRotationJournalBox *box = g_ptr_array_index (journal->boxes, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "connection");
      json_builder_add_string_value (builder, box->connection_id);
      json_builder_set_member_name (builder, "step");
      json_builder_add_string_value (builder, kf_rotation_step_to_string (box->step));
      json_builder_set_member_name (builder, "added-newline");
      json_builder_add_boolean_value (builder, box->added_newline);
      if (box->old_lines != NULL)
        {
          json_builder_set_member_name (builder, "old-lines");
          json_builder_add_string_value (builder, box->old_lines);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, &length);
  if (create)
    return kf_store_file_write_new (file, text, length, error);
  return kf_store_file_write (file, text, length, error);
}

gboolean
kf_rotation_journal_save (KfRotationJournal  *journal,
                          const char         *path,
                          GError            **error)
{
  return write_journal (journal, path, FALSE, error);
}

gboolean
kf_rotation_journal_create (KfRotationJournal  *journal,
                            const char         *path,
                            GError            **error)
{
  return write_journal (journal, path, TRUE, error);
}

gboolean
kf_rotation_journal_remove (const char  *path,
                            GError     **error)
{
  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IO,
                   _("Could not remove the record of the key rotation (%s: %s)."), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
