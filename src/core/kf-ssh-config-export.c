/* kf-ssh-config-export.c: writing the OpenSSH config folder.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The contents are made first (from the store, on the caller's thread), then
 * written (in a thread for the async call): the store is not thread-safe.
 */
#define G_LOG_DOMAIN "kf-ssh-config"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "kf-connection.h"
#include "kf-errors.h"
#include "kf-keypair.h"
#include "kf-known-hosts.h"
#include "kf-ssh-config-export.h"

#define MANIFEST ".keyferry-export"

char *
kf_ssh_config_export_default_dir (void)
{
  return g_build_filename (g_get_home_dir (), ".ssh", "keyferry", NULL);
}

char *
kf_ssh_config_export_alias (const char *connection_name)
{
  GString *alias = g_string_new (NULL);
  gboolean dash = FALSE;

  for (const char *p = connection_name; p != NULL && *p != '\0'; p++)
    {
      char c = g_ascii_tolower (*p);

      if (g_ascii_isalnum (c) || ((c == '.' || c == '_') && alias->len > 0))
        {
          if (dash && alias->len > 0)
            g_string_append_c (alias, '-');
          g_string_append_c (alias, c);
          dash = FALSE;
        }
      else
        dash = TRUE;
    }
  if (alias->len == 0)
    g_string_append (alias, "host");
  return g_string_free (alias, FALSE);
}

char *
kf_ssh_config_export_include_line (const char *dir)
{
  g_autofree char *absolute = g_canonicalize_filename (dir, NULL);
  g_autofree char *config = g_build_filename (absolute, "config", NULL);
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (g_str_has_prefix (config, home) && config[home_len] == '/' && strchr (config, ' ') == NULL)
    return g_strdup_printf ("Include ~%s", config + home_len);
  return g_strdup_printf ("Include \"%s\"", config);
}

/* A path for a config value: quoted, with '%' doubled (ssh expands %
 * tokens in IdentityFile and UserKnownHostsFile). */
static char *
config_path (const char *dir,
             const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_auto(GStrv) parts = g_strsplit (path, "%", -1);
  g_autofree char *escaped = g_strjoinv ("%%", parts);

  return g_strdup_printf ("\"%s\"", escaped);
}

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (kf_connection_get_name (*(KfConnection **) a), kf_connection_get_name (*(KfConnection **) b));
}

/* What one run writes: file name → contents, and the aliases. */
typedef struct {
  char       *dir;
  GHashTable *files;
  GPtrArray  *aliases;
} Plan;

static void
plan_free (Plan *plan)
{
  g_free (plan->dir);
  g_clear_pointer (&plan->files, g_hash_table_unref);
  g_clear_pointer (&plan->aliases, g_ptr_array_unref);
  g_free (plan);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Plan, plan_free)

/* The connections by name (names are unique, so the order and therefore
 * the clash suffixes are the same on every run). */
static GPtrArray *
sorted_connections (KfStore *store)
{
  GListModel *model = kf_store_get_connections (store);
  GPtrArray *list = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (list, g_list_model_get_item (model, i));
  g_ptr_array_sort (list, compare_by_name);
  return list;
}

static void
append_host (Plan         *plan,
             GString      *config,
             KfStore      *store,
             KfConnection *connection,
             const char   *alias)
{
  const char *keypair_id = kf_connection_get_keypair_id (connection);
  KfKeypair *keypair = keypair_id != NULL ? kf_store_find_keypair (store, keypair_id) : NULL;
  g_autofree char *known = config_path (plan->dir, "known_hosts");

  g_string_append_printf (config, "\n# %s\nHost %s\n  HostName %s\n  Port %u\n",
                          kf_connection_get_name (connection), alias, kf_connection_get_host (connection),
                          kf_connection_get_port (connection));
  if (kf_connection_get_username (connection) != NULL && kf_connection_get_username (connection)[0] != '\0')
    g_string_append_printf (config, "  User %s\n", kf_connection_get_username (connection));
  if (keypair != NULL && kf_keypair_get_public_key (keypair) != NULL)
    {
      g_autofree char *pub_name = g_strdup_printf ("%s.pub", alias);
      g_autofree char *pub_path = config_path (plan->dir, pub_name);

      g_hash_table_insert (plan->files, g_steal_pointer (&pub_name),
                           g_strdup_printf ("%s\n", kf_keypair_get_public_key (keypair)));
      g_string_append_printf (config, "  IdentityFile %s\n  IdentitiesOnly yes\n", pub_path);
    }
  g_string_append_printf (config, "  UserKnownHostsFile %s\n  StrictHostKeyChecking yes\n", known);
}

static Plan *
make_plan (const char  *dir,
           KfStore     *store,
           GError     **error)
{
  g_autoptr(Plan) plan = g_new0 (Plan, 1);
  g_autoptr(GPtrArray) connections = sorted_connections (store);
  g_autoptr(GHashTable) used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *config = g_string_new (NULL);

  if (strchr (dir, '"') != NULL || strchr (dir, '\n') != NULL)
    {
      g_string_free (config, TRUE);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                           _("The folder’s path holds a quote or a line break, which an SSH config cannot "
                             "name; choose another folder."));
      return NULL;
    }
  plan->dir = g_canonicalize_filename (dir, NULL);
  plan->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  plan->aliases = g_ptr_array_new_with_free_func (g_free);

  g_string_append (config, "# Written by Keyferry. It rewrites this folder: do not edit it.\n"
                           "# The private keys stay in the keyring; ssh uses them through the SSH agent\n"
                           "# (keyferry-cli agent add NAME).\n");
  for (guint i = 0; i < connections->len; i++)
    {
      KfConnection *connection = g_ptr_array_index (connections, i);
      g_autofree char *base = kf_ssh_config_export_alias (kf_connection_get_name (connection));
      char *alias = g_strdup (base);

      for (guint n = 2; g_hash_table_contains (used, alias); n++)
        {
          g_free (alias);
          alias = g_strdup_printf ("%s-%u", base, n);
        }
      g_hash_table_add (used, g_strdup (alias));
      append_host (plan, config, store, connection, alias);
      g_ptr_array_add (plan->aliases, alias);
    }
  g_hash_table_insert (plan->files, g_strdup ("config"), g_string_free (config, FALSE));
  g_hash_table_insert (plan->files, g_strdup ("known_hosts"),
                       kf_known_hosts_for_connections (kf_store_get_connections (store)));
  return g_steal_pointer (&plan);
}

/* Removes what the last run wrote and this one did not (plain names only). */
static void
remove_stale (Plan *plan)
{
  g_autofree char *manifest = g_build_filename (plan->dir, MANIFEST, NULL);
  g_autofree char *old = NULL;
  g_auto(GStrv) names = NULL;

  if (!g_file_get_contents (manifest, &old, NULL, NULL))
    return;
  names = g_strsplit (old, "\n", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = NULL;

      if (names[i][0] == '\0' || names[i][0] == '.' || strchr (names[i], '/') != NULL ||
          g_hash_table_contains (plan->files, names[i]))
        continue;
      path = g_build_filename (plan->dir, names[i], NULL);
      if (g_unlink (path) != 0)
        g_debug ("could not remove %s", path);
    }
}

static gboolean
write_plan (Plan    *plan,
            GError **error)
{
  g_autoptr(GString) manifest = g_string_new (NULL);
  g_autofree char *manifest_path = g_build_filename (plan->dir, MANIFEST, NULL);
  GHashTableIter iter;
  gpointer name, contents;

  if (g_mkdir_with_parents (plan->dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder %s: %s."), plan->dir, g_strerror (saved));
      return FALSE;
    }
  g_hash_table_iter_init (&iter, plan->files);
  while (g_hash_table_iter_next (&iter, &name, &contents))
    {
      g_autofree char *path = g_build_filename (plan->dir, name, NULL);

      /* ssh refuses a config others can write; 0600 like ~/.ssh/config */
      if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT,
                                     g_str_equal (name, "config") ? 0600 : 0644, error))
        return FALSE;
      g_string_append_printf (manifest, "%s\n", (char *) name);
    }
  remove_stale (plan);
  return g_file_set_contents_full (manifest_path, manifest->str, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static GStrv
plan_aliases (Plan *plan)
{
  GStrvBuilder *builder = g_strv_builder_new ();
  GStrv aliases;

  for (guint i = 0; i < plan->aliases->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (plan->aliases, i));
  aliases = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return aliases;
}

GStrv
kf_ssh_config_export_write (const char  *dir,
                            KfStore     *store,
                            GError     **error)
{
  g_autoptr(Plan) plan = make_plan (dir, store, error);

  if (plan == NULL || !write_plan (plan, error))
    return NULL;
  return plan_aliases (plan);
}

static void
write_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Plan *plan = task_data;
  GError *error = NULL;

  if (write_plan (plan, &error))
    g_task_return_pointer (task, plan_aliases (plan), (GDestroyNotify) g_strfreev);
  else
    g_task_return_error (task, error);
}

void
kf_ssh_config_export_write_async (const char          *dir,
                                  KfStore             *store,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;
  Plan *plan = make_plan (dir, store, &error);

  g_task_set_source_tag (task, kf_ssh_config_export_write_async);
  if (plan == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, plan, (GDestroyNotify) plan_free);
  g_task_run_in_thread (task, write_thread);
}

GStrv
kf_ssh_config_export_write_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
