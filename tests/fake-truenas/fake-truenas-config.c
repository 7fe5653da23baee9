/* fake-truenas-config.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-config"

#include "fake-truenas-config.h"

#include <json-glib/json-glib.h>
#include <string.h>

/* The config is strict (unknown keys are errors) so that a typo in a test's
 * config fails loudly instead of silently testing something else. */

#define CONFIG_ERROR (g_quark_from_static_string ("fake-truenas-config-error"))

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      volatile char *p = secret;
      while (*p)
        *p++ = 0;
      g_free (secret);
    }
}

static void
fake_api_key_free (FakeApiKey *key)
{
  wipe_free (key->key);
  g_free (key);
}

static void
fake_admin_free (FakeAdmin *admin)
{
  g_clear_pointer (&admin->api_keys, g_ptr_array_unref);
  g_free (admin->username);
  wipe_free (admin->password);
  wipe_free (admin->otp);
  g_free (admin);
}

static void
fake_user_free (FakeUser *user)
{
  g_free (user->username);
  g_free (user->full_name);
  g_free (user->home);
  g_free (user->shell);
  g_clear_pointer (&user->sudo_commands, g_ptr_array_unref);
  g_clear_pointer (&user->sudo_commands_nopasswd, g_ptr_array_unref);
  g_free (user->authorized_keys);
  g_free (user->update_error);
  g_clear_pointer (&user->update_error_fields, g_ptr_array_unref);
  g_free (user);
}

void
fake_config_free (FakeConfig *config)
{
  if (config == NULL)
    return;
  g_clear_pointer (&config->api_versions, g_ptr_array_unref);
  g_clear_pointer (&config->login_redirect_urls, g_ptr_array_unref);
  g_clear_pointer (&config->absent_methods, g_ptr_array_unref);
  g_clear_pointer (&config->valid_shells, g_ptr_array_unref);
  g_clear_pointer (&config->admins, g_ptr_array_unref);
  g_clear_pointer (&config->users, g_ptr_array_unref);
  g_free (config->authorized_keys);
  g_clear_pointer (&config->host_key_files, g_ptr_array_unref);
  g_clear_pointer (&config->faults.slow_reply_ms_by_method, g_hash_table_unref);
  g_free (config->faults.malformed_json_method);
  g_free (config->faults.wrong_id_method);
  g_free (config->faults.huge_reply_method);
  g_free (config->faults.silent_method);
  g_free (config->faults.drop_after_method);
  g_free (config);
}

static gboolean
check_keys (JsonObject  *object,
            const char  *where,
            const char  *const *allowed,
            GError     **error)
{
  g_autoptr(GList) members = json_object_get_members (object);

  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_strv_contains (allowed, l->data))
        {
          g_set_error (error, CONFIG_ERROR, 1, "Unknown key “%s” in %s", (const char *) l->data, where);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
get_string (JsonObject  *object,
            const char  *key,
            const char  *where,
            gboolean     nullable,
            char       **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (node) && nullable)
    {
      g_clear_pointer (out, g_free);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be a string%s", where, key, nullable ? " or null" : "");
      return FALSE;
    }
  g_free (*out);
  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

static gboolean
get_uint (JsonObject  *object,
          const char  *key,
          const char  *where,
          guint       *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64
      || json_node_get_int (node) < 0 || json_node_get_int (node) > G_MAXUINT)
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be a non-negative integer", where, key);
      return FALSE;
    }
  *out = (guint) json_node_get_int (node);
  return TRUE;
}

static gboolean
get_int64 (JsonObject  *object,
           const char  *key,
           const char  *where,
           gint64      *out,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be an integer", where, key);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
get_bool (JsonObject  *object,
          const char  *key,
          const char  *where,
          gboolean    *out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be true or false", where, key);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

/* A list of strings; NULL node or JSON null leaves *out untouched when @nullable. */
static gboolean
get_string_list (JsonObject  *object,
                 const char  *key,
                 const char  *where,
                 gboolean     nullable,
                 GPtrArray  **out,
                 GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  JsonArray *array;
  g_autoptr(GPtrArray) list = NULL;

  if (node == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (node) && nullable)
    {
      g_clear_pointer (out, g_ptr_array_unref);
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node))
    goto bad;
  array = json_node_get_array (node);
  list = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (!JSON_NODE_HOLDS_VALUE (item) || json_node_get_value_type (item) != G_TYPE_STRING)
        goto bad;
      g_ptr_array_add (list, g_strdup (json_node_get_string (item)));
    }
  g_clear_pointer (out, g_ptr_array_unref);
  *out = g_steal_pointer (&list);
  return TRUE;

bad:
  g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be a list of strings", where, key);
  return FALSE;
}

static JsonObject *
get_object (JsonObject  *object,
            const char  *key,
            const char  *where,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be an object", where, key);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject  *object,
           const char  *key,
           const char  *where,
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be a list", where, key);
      return NULL;
    }
  return json_node_get_array (node);
}

/* [min, max] in milliseconds. */
static gboolean
get_range (JsonObject  *object,
           const char  *key,
           const char  *where,
           guint        out[2],
           GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (array == NULL || json_array_get_length (array) != 2
      || !JSON_NODE_HOLDS_VALUE (json_array_get_element (array, 0))
      || !JSON_NODE_HOLDS_VALUE (json_array_get_element (array, 1))
      || json_array_get_int_element (array, 0) < 0
      || json_array_get_int_element (array, 1) < json_array_get_int_element (array, 0))
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s.%s must be [min, max] milliseconds", where, key);
      return FALSE;
    }
  out[0] = (guint) json_array_get_int_element (array, 0);
  out[1] = (guint) json_array_get_int_element (array, 1);
  return TRUE;
}

static gboolean
parse_api_keys (JsonArray   *list,
                FakeAdmin   *admin,
                GError     **error)
{
  static const char *const keys[] = { "id", "key", "revoked", "expired", NULL };

  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      FakeApiKey *key;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error_literal (error, CONFIG_ERROR, 1, "admins[].api_keys[] entries must be objects");
          return FALSE;
        }
      if (!check_keys (json_node_get_object (node), "admins[].api_keys[]", keys, error))
        return FALSE;
      key = g_new0 (FakeApiKey, 1);
      key->id = -1;
      g_ptr_array_add (admin->api_keys, key);
      if (!get_int64 (json_node_get_object (node), "id", "admins[].api_keys[]", &key->id, error)
          || !get_string (json_node_get_object (node), "key", "admins[].api_keys[]", FALSE, &key->key, error)
          || !get_bool (json_node_get_object (node), "revoked", "admins[].api_keys[]", &key->revoked, error)
          || !get_bool (json_node_get_object (node), "expired", "admins[].api_keys[]", &key->expired, error))
        return FALSE;
      if (key->id < 0 || key->key == NULL)
        {
          g_set_error_literal (error, CONFIG_ERROR, 1, "admins[].api_keys[] entries need an id and a key");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
parse_rate_limit (JsonObject  *object,
                  FakeConfig  *config,
                  GError     **error)
{
  static const char *const keys[] = { "max_calls", "period_s", "sleep_ms", NULL };

  return check_keys (object, "rate_limit", keys, error)
         && get_uint (object, "max_calls", "rate_limit", &config->rate_limit_max_calls, error)
         && get_uint (object, "period_s", "rate_limit", &config->rate_limit_period_s, error)
         && get_range (object, "sleep_ms", "rate_limit", config->rate_limit_sleep_ms, error);
}

static gboolean
parse_admin (JsonNode    *node,
             FakeConfig  *config,
             GError     **error)
{
  static const char *const keys[] = { "username", "password", "otp", "full_admin", "status", "api_keys", NULL };
  g_autofree char *status = NULL;
  FakeAdmin *admin;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, CONFIG_ERROR, 1, "admins[] entries must be objects");
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_keys (object, "admins[]", keys, error))
    return FALSE;

  admin = g_new0 (FakeAdmin, 1);
  admin->full_admin = TRUE;
  admin->api_keys = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_api_key_free);
  g_ptr_array_add (config->admins, admin);
  {
    GError *list_error = NULL;
    JsonArray *api_keys = get_array (object, "api_keys", "admins[]", &list_error);

    if (list_error != NULL)
      {
        g_propagate_error (error, list_error);
        return FALSE;
      }
    if (!parse_api_keys (api_keys, admin, error))
      return FALSE;
  }
  if (!get_string (object, "username", "admins[]", FALSE, &admin->username, error)
      || !get_string (object, "password", "admins[]", FALSE, &admin->password, error)
      || !get_string (object, "otp", "admins[]", TRUE, &admin->otp, error)
      || !get_bool (object, "full_admin", "admins[]", &admin->full_admin, error)
      || !get_string (object, "status", "admins[]", FALSE, &status, error))
    return FALSE;
  if (admin->username == NULL || admin->password == NULL)
    {
      g_set_error_literal (error, CONFIG_ERROR, 1, "admins[] entries need a username and a password");
      return FALSE;
    }
  if (admin->otp != NULL && (strlen (admin->otp) != 6 || strspn (admin->otp, "0123456789") != 6))
    {
      g_set_error (error, CONFIG_ERROR, 1, "admins[].otp of %s must be 6 digits or null", admin->username);
      return FALSE;
    }
  if (status == NULL || g_str_equal (status, "ok"))
    admin->status = FAKE_ADMIN_OK;
  else if (g_str_equal (status, "expired"))
    admin->status = FAKE_ADMIN_EXPIRED;
  else if (g_str_equal (status, "denied"))
    admin->status = FAKE_ADMIN_DENIED;
  else
    {
      g_set_error (error, CONFIG_ERROR, 1, "admins[].status must be ok, expired or denied, not “%s”", status);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_user (JsonNode    *node,
            FakeConfig  *config,
            GError     **error)
{
  static const char *const keys[] = {
    "id", "uid", "username", "full_name", "home", "shell", "sudo_commands",
    "sudo_commands_nopasswd", "local", "authorized_keys", "update_error", "update_error_fields", NULL
  };
  FakeUser *user;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, CONFIG_ERROR, 1, "users[] entries must be objects");
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_keys (object, "users[]", keys, error))
    return FALSE;

  user = g_new0 (FakeUser, 1);
  user->id = config->users->len + 1;
  user->uid = -1;
  user->local = TRUE;
  user->shell = g_strdup ("/usr/bin/bash");
  user->sudo_commands = g_ptr_array_new_with_free_func (g_free);
  user->sudo_commands_nopasswd = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (config->users, user);
  if (!get_int64 (object, "id", "users[]", &user->id, error)
      || !get_int64 (object, "uid", "users[]", &user->uid, error)
      || !get_string (object, "username", "users[]", FALSE, &user->username, error)
      || !get_string (object, "full_name", "users[]", FALSE, &user->full_name, error)
      || !get_string (object, "home", "users[]", FALSE, &user->home, error)
      || !get_string (object, "shell", "users[]", FALSE, &user->shell, error)
      || !get_string_list (object, "sudo_commands", "users[]", FALSE, &user->sudo_commands, error)
      || !get_string_list (object, "sudo_commands_nopasswd", "users[]", FALSE, &user->sudo_commands_nopasswd, error)
      || !get_bool (object, "local", "users[]", &user->local, error)
      || !get_string (object, "authorized_keys", "users[]", TRUE, &user->authorized_keys, error)
      || !get_string (object, "update_error", "users[]", TRUE, &user->update_error, error))
    return FALSE;
  if (!get_string_list (object, "update_error_fields", "users[]", TRUE, &user->update_error_fields, error))
    return FALSE;
  if (user->username == NULL || user->home == NULL)
    {
      g_set_error_literal (error, CONFIG_ERROR, 1, "users[] entries need a username and a home");
      return FALSE;
    }
  if (user->uid < 0)
    user->uid = 3000 + user->id;
  if (user->full_name == NULL)
    user->full_name = g_strdup (user->username);
  return TRUE;
}

static gboolean
parse_faults (JsonObject  *object,
              FakeConfig  *config,
              GError     **error)
{
  static const char *const keys[] = {
    "drop_after_frames", "slow_reply_ms", "malformed_json_method", "wrong_id_method",
    "huge_reply_method", "huge_reply_bytes", "silent_method", "drop_after_method", NULL
  };
  FakeFaults *faults = &config->faults;
  JsonNode *slow;

  if (!check_keys (object, "faults", keys, error))
    return FALSE;
  if (!get_uint (object, "drop_after_frames", "faults", &faults->drop_after_frames, error)
      || !get_string (object, "malformed_json_method", "faults", TRUE, &faults->malformed_json_method, error)
      || !get_string (object, "wrong_id_method", "faults", TRUE, &faults->wrong_id_method, error)
      || !get_string (object, "huge_reply_method", "faults", TRUE, &faults->huge_reply_method, error)
      || !get_uint (object, "huge_reply_bytes", "faults", &faults->huge_reply_bytes, error)
      || !get_string (object, "silent_method", "faults", TRUE, &faults->silent_method, error)
      || !get_string (object, "drop_after_method", "faults", TRUE, &faults->drop_after_method, error))
    return FALSE;

  /* slow_reply_ms: a number (every reply) or {"method": ms, ...}. */
  slow = json_object_get_member (object, "slow_reply_ms");
  if (slow != NULL && JSON_NODE_HOLDS_OBJECT (slow))
    {
      JsonObject *per_method = json_node_get_object (slow);
      g_autoptr(GList) members = json_object_get_members (per_method);

      for (GList *l = members; l != NULL; l = l->next)
        {
          guint ms = 0;
          if (!get_uint (per_method, l->data, "faults.slow_reply_ms", &ms, error))
            return FALSE;
          g_hash_table_insert (faults->slow_reply_ms_by_method, g_strdup (l->data), GUINT_TO_POINTER (ms));
        }
    }
  else if (!get_uint (object, "slow_reply_ms", "faults", &faults->slow_reply_ms, error))
    return FALSE;
  return TRUE;
}

static gboolean
parse_ssh (JsonObject  *object,
           FakeConfig  *config,
           GError     **error)
{
  static const char *const keys[] = {
    "port", "enabled", "running", "start_fails", "authorized_keys", "host_key_files", NULL
  };

  return check_keys (object, "ssh", keys, error)
         && get_uint (object, "port", "ssh", &config->ssh_port, error)
         && get_bool (object, "enabled", "ssh", &config->ssh_enabled, error)
         && get_bool (object, "running", "ssh", &config->ssh_running, error)
         && get_bool (object, "start_fails", "ssh", &config->ssh_start_fails, error)
         && get_string (object, "authorized_keys", "ssh", TRUE, &config->authorized_keys, error)
         && get_string_list (object, "host_key_files", "ssh", FALSE, &config->host_key_files, error);
}

static GPtrArray *
strv_to_array (const char *const *strv)
{
  GPtrArray *array = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; strv[i] != NULL; i++)
    g_ptr_array_add (array, g_strdup (strv[i]));
  return array;
}

FakeConfig *
fake_config_new_from_file (const char  *path,
                           GError     **error)
{
  static const char *const keys[] = {
    "protocols", "api_versions", "redirect_status", "public_key_max_length", "otp_max_tries",
    "login_redirect_urls", "valid_shells", "admins", "users", "ssh", "faults", "private_methods", "absent_methods",
    "failed_login_delay_ms", "rate_limit", NULL
  };
  static const char *const default_versions[] = { "v25.04.0", "v25.10.0", NULL };
  static const char *const default_shells[] = {
    "/usr/bin/bash", "/usr/bin/rbash", "/usr/bin/dash", "/usr/bin/sh", "/usr/bin/zsh",
    "/usr/bin/tmux", "/usr/sbin/nologin", "/usr/bin/cli", NULL
  };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(FakeConfig) config = g_new0 (FakeConfig, 1);
  g_autofree char *protocols = NULL;
  g_autofree char *private_methods = NULL;
  JsonObject *root;
  JsonObject *sub;
  JsonArray *list;
  GError *local_error = NULL;

  config->protocols = FAKE_PROTOCOLS_BOTH;
  config->api_versions = strv_to_array (default_versions);
  config->redirect_status = 301;
  config->public_key_max_length = 1024;
  config->otp_max_tries = 3;
  /* middlewared: 1–2 s per failed login (AAL 1); 20 calls per 60 s, then 1–10 s and EBUSY. */
  config->failed_login_delay_ms[0] = 1000;
  config->failed_login_delay_ms[1] = 2000;
  config->rate_limit_max_calls = 20;
  config->rate_limit_period_s = 60;
  config->rate_limit_sleep_ms[0] = 1000;
  config->rate_limit_sleep_ms[1] = 10000;
  config->valid_shells = strv_to_array (default_shells);
  config->admins = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_admin_free);
  config->users = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_user_free);
  config->ssh_port = 22;
  config->host_key_files = g_ptr_array_new_with_free_func (g_free);
  config->faults.huge_reply_bytes = 300 * 1024;
  config->faults.slow_reply_ms_by_method = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, CONFIG_ERROR, 1, "%s: the top level must be an object", path);
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  if (!check_keys (root, "the config", keys, error)
      || !get_string (root, "protocols", "config", FALSE, &protocols, error)
      || !get_string_list (root, "api_versions", "config", FALSE, &config->api_versions, error)
      || !get_uint (root, "redirect_status", "config", &config->redirect_status, error)
      || !get_uint (root, "public_key_max_length", "config", &config->public_key_max_length, error)
      || !get_uint (root, "otp_max_tries", "config", &config->otp_max_tries, error)
      || !get_string_list (root, "login_redirect_urls", "config", TRUE, &config->login_redirect_urls, error)
      || !get_string_list (root, "valid_shells", "config", FALSE, &config->valid_shells, error)
      || !get_string (root, "private_methods", "config", FALSE, &private_methods, error)
      || !get_string_list (root, "absent_methods", "config", TRUE, &config->absent_methods, error)
      || !get_range (root, "failed_login_delay_ms", "config", config->failed_login_delay_ms, error))
    return NULL;

  /* "warn": middlewared today (logs, then runs the call); "refused": what its
   * FIXME promises, answered like a missing method. */
  if (private_methods != NULL && !g_str_equal (private_methods, "warn") && !g_str_equal (private_methods, "refused"))
    {
      g_set_error (error, CONFIG_ERROR, 1, "private_methods must be warn or refused, not “%s”", private_methods);
      return NULL;
    }
  config->private_methods_refused = g_strcmp0 (private_methods, "refused") == 0;

  if (protocols == NULL || g_str_equal (protocols, "both"))
    config->protocols = FAKE_PROTOCOLS_BOTH;
  else if (g_str_equal (protocols, "legacy"))
    config->protocols = FAKE_PROTOCOLS_LEGACY;
  else if (g_str_equal (protocols, "jsonrpc"))
    config->protocols = FAKE_PROTOCOLS_JSONRPC;
  else
    {
      g_set_error (error, CONFIG_ERROR, 1, "protocols must be both, legacy or jsonrpc, not “%s”", protocols);
      return NULL;
    }
  if (config->redirect_status != 301 && config->redirect_status != 302
      && config->redirect_status != 307 && config->redirect_status != 308)
    {
      g_set_error_literal (error, CONFIG_ERROR, 1, "redirect_status must be 301, 302, 307 or 308");
      return NULL;
    }
  if (config->otp_max_tries == 0)
    config->otp_max_tries = 1;

  if ((list = get_array (root, "admins", "config", &local_error)) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      if (!parse_admin (json_array_get_element (list, i), config, error))
        return NULL;
  if (local_error == NULL && (list = get_array (root, "users", "config", &local_error)) != NULL)
    for (guint i = 0; i < json_array_get_length (list); i++)
      if (!parse_user (json_array_get_element (list, i), config, error))
        return NULL;
  if (local_error == NULL && (sub = get_object (root, "ssh", "config", &local_error)) != NULL)
    if (!parse_ssh (sub, config, error))
      return NULL;
  if (local_error == NULL && (sub = get_object (root, "faults", "config", &local_error)) != NULL)
    if (!parse_faults (sub, config, error))
      return NULL;
  if (local_error == NULL && (sub = get_object (root, "rate_limit", "config", &local_error)) != NULL)
    if (!parse_rate_limit (sub, config, error))
      return NULL;
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  return g_steal_pointer (&config);
}

FakeAdmin *
fake_config_find_admin (FakeConfig *config,
                        const char *username)
{
  for (guint i = 0; i < config->admins->len; i++)
    {
      FakeAdmin *admin = g_ptr_array_index (config->admins, i);
      if (g_strcmp0 (admin->username, username) == 0)
        return admin;
    }
  return NULL;
}

FakeUser *
fake_config_find_user (FakeConfig *config,
                       const char *username)
{
  for (guint i = 0; i < config->users->len; i++)
    {
      FakeUser *user = g_ptr_array_index (config->users, i);
      if (g_strcmp0 (user->username, username) == 0)
        return user;
    }
  return NULL;
}

FakeUser *
fake_config_find_user_id (FakeConfig *config,
                          gint64      id)
{
  for (guint i = 0; i < config->users->len; i++)
    {
      FakeUser *user = g_ptr_array_index (config->users, i);
      if (user->id == id)
        return user;
    }
  return NULL;
}

gboolean
fake_config_is_valid_shell (FakeConfig *config,
                            const char *shell)
{
  for (guint i = 0; i < config->valid_shells->len; i++)
    if (g_strcmp0 (g_ptr_array_index (config->valid_shells, i), shell) == 0)
      return TRUE;
  return FALSE;
}

guint
fake_config_get_delay_ms (FakeConfig *config,
                          const char *method)
{
  gpointer value;

  if (method != NULL
      && g_hash_table_lookup_extended (config->faults.slow_reply_ms_by_method, method, NULL, &value))
    return GPOINTER_TO_UINT (value);
  return config->faults.slow_reply_ms;
}

const char *
fake_config_user_authorized_keys (FakeConfig *config,
                                  FakeUser   *user)
{
  return user->authorized_keys != NULL ? user->authorized_keys : config->authorized_keys;
}
