/* fake-truenas-methods.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-methods"

#include "fake-truenas-methods.h"
#include "fake-truenas-services.h"
#include "fake-truenas-auth.h"

#include <errno.h>
#include <string.h>

/* Everything here follows middlewared's behaviour as read from its sources:
 * pydantic-style strict argument models (extra keys forbidden, strings at
 * most 1024 characters, no type coercion), authorization before argument
 * validation, CallError reasons "[ERRNAME] message". */

#define STRING_MAX_LENGTH 1024  /* middlewared's BaseModel str_max_length */

enum {
  PROTO_JSONRPC = 1 << 0,
  PROTO_LEGACY = 1 << 1,
  PROTO_BOTH = PROTO_JSONRPC | PROTO_LEGACY,
};

/* ---- argument validation (pydantic's messages) ---- */

typedef enum {
  FIELD_STRING,
  FIELD_STRING_OR_NULL,
  FIELD_BOOL,
  FIELD_INT,
  FIELD_STRING_LIST,
  FIELD_LIST,
  FIELD_OBJECT,
  FIELD_ANY,
} FieldType;

typedef struct {
  const char *name;
  FieldType   type;
  gboolean    required;
  guint       min_length;
  guint       max_length;  /* 0: STRING_MAX_LENGTH; G_MAXUINT: unlimited */
} FieldSpec;

static char *
join_path (const char *prefix,
           const char *name)
{
  if (prefix == NULL || *prefix == '\0')
    return g_strdup (name);
  return g_strconcat (prefix, ".", name, NULL);
}

static gboolean
node_is (JsonNode *node,
         GType     type)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static void
validate_string (FakeError  *verrors,
                 const char *path,
                 JsonNode   *node,
                 guint       min_length,
                 guint       max_length)
{
  glong length;

  if (!node_is (node, G_TYPE_STRING))
    {
      fake_error_add_item (verrors, path, EINVAL, "Input should be a valid string");
      return;
    }
  if (max_length == 0)
    max_length = STRING_MAX_LENGTH;
  length = g_utf8_strlen (json_node_get_string (node), -1);
  if (length < (glong) min_length)
    fake_error_add_item (verrors, path, EINVAL, "String should have at least %u character%s",
                         min_length, min_length == 1 ? "" : "s");
  else if (max_length != G_MAXUINT && length > (glong) max_length)
    fake_error_add_item (verrors, path, EINVAL, "String should have at most %u characters", max_length);
}

static void
validate_field (FakeError       *verrors,
                const char      *path,
                JsonNode        *node,
                const FieldSpec *spec)
{
  switch (spec->type)
    {
    case FIELD_STRING_OR_NULL:
      if (JSON_NODE_HOLDS_NULL (node))
        break;
      G_GNUC_FALLTHROUGH;
    case FIELD_STRING:
      validate_string (verrors, path, node, spec->min_length, spec->max_length);
      break;
    case FIELD_BOOL:
      if (!node_is (node, G_TYPE_BOOLEAN))
        fake_error_add_item (verrors, path, EINVAL, "Input should be a valid boolean");
      break;
    case FIELD_INT:
      if (!node_is (node, G_TYPE_INT64))
        fake_error_add_item (verrors, path, EINVAL, "Input should be a valid integer");
      break;
    case FIELD_STRING_LIST:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        fake_error_add_item (verrors, path, EINVAL, "Input should be a valid list");
      else
        {
          JsonArray *array = json_node_get_array (node);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_autofree char *index = g_strdup_printf ("%u", i);
              g_autofree char *item_path = join_path (path, index);
              validate_string (verrors, item_path, json_array_get_element (array, i), 0, 0);
            }
        }
      break;
    case FIELD_LIST:
      if (!JSON_NODE_HOLDS_ARRAY (node))
        fake_error_add_item (verrors, path, EINVAL, "Input should be a valid list");
      break;
    case FIELD_OBJECT:
      if (!JSON_NODE_HOLDS_OBJECT (node))
        fake_error_add_item (verrors, path, EINVAL, "Input should be a valid dictionary");
      break;
    case FIELD_ANY:
    default:
      break;
    }
}

/* Checks an object against @specs: type, required fields, no extra keys.
 * Returns the object when @node is one (even with field errors). */
static JsonObject *
validate_object (FakeError       *verrors,
                 const char      *path,
                 const char      *model,
                 JsonNode        *node,
                 const FieldSpec *specs)
{
  JsonObject *object;
  g_autoptr(GList) members = NULL;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fake_error_add_item (verrors, path, EINVAL, "Input should be a valid dictionary or instance of %s", model);
      return NULL;
    }
  object = json_node_get_object (node);

  for (const FieldSpec *spec = specs; spec->name != NULL; spec++)
    {
      g_autofree char *field_path = join_path (path, spec->name);
      JsonNode *member = json_object_get_member (object, spec->name);

      if (member == NULL)
        {
          if (spec->required)
            fake_error_add_item (verrors, field_path, EINVAL, "Field required");
          continue;
        }
      validate_field (verrors, field_path, member, spec);
    }

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      gboolean known = FALSE;
      for (const FieldSpec *spec = specs; spec->name != NULL && !known; spec++)
        known = g_str_equal (spec->name, l->data);
      if (!known)
        {
          g_autofree char *field_path = join_path (path, l->data);
          fake_error_add_item (verrors, field_path, EINVAL, "Extra inputs are not permitted");
        }
    }
  return object;
}

/* Positional arguments as middlewared maps them onto the args model. */
static gboolean
check_arguments (FakeError         *verrors,
                 JsonArray         *params,
                 const char *const *names,
                 guint              n_required)
{
  guint n_names = g_strv_length ((char **) names);
  guint n_params = params != NULL ? json_array_get_length (params) : 0;

  if (n_params > n_names)
    {
      fake_error_add_item (verrors, "", EINVAL, "Too many arguments (expected %u, found %u)", n_names, n_params);
      return FALSE;
    }
  for (guint i = n_params; i < n_required; i++)
    fake_error_add_item (verrors, names[i], EINVAL, "Field required");
  return n_params >= n_required;
}

static JsonNode *
param (JsonArray *params,
       guint      index)
{
  if (params == NULL || index >= json_array_get_length (params))
    return NULL;
  return json_array_get_element (params, index);
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);
  return node_is (node, G_TYPE_STRING) ? json_node_get_string (node) : NULL;
}

/* ---- JSON helpers ---- */

static JsonNode *
string_array_node (GPtrArray *strings)
{
  JsonArray *array = json_array_sized_new (strings->len);
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; i < strings->len; i++)
    json_array_add_string_element (array, g_ptr_array_index (strings, i));
  json_node_take_array (node, array);
  return node;
}

static GPtrArray *
string_array_from_node (JsonNode *node)
{
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array = json_node_get_array (node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    g_ptr_array_add (strings, g_strdup (json_array_get_string_element (array, i)));
  return strings;
}

static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, object);
  return node;
}

static JsonNode *
build_user_entry (FakeTruenas *server,
                  FakeUser    *user)
{
  FakeConfig *config = fake_truenas_get_config (server);
  JsonObject *entry = json_object_new ();
  JsonObject *group = json_object_new ();
  const char *keys_path = fake_config_user_authorized_keys (config, user);
  g_autofree char *keys = keys_path != NULL ? fake_truenas_read_sshpubkey (keys_path) : NULL;

  json_object_set_int_member (entry, "id", user->id);
  json_object_set_int_member (entry, "uid", user->uid);
  json_object_set_string_member (entry, "username", user->username);
  json_object_set_string_member (entry, "unixhash", "*");
  json_object_set_string_member (entry, "smbhash", "*");
  json_object_set_string_member (entry, "home", user->home);
  json_object_set_string_member (entry, "shell", user->shell);
  json_object_set_string_member (entry, "full_name", user->full_name);
  json_object_set_boolean_member (entry, "builtin", FALSE);
  json_object_set_boolean_member (entry, "smb", FALSE);
  json_object_set_int_member (group, "id", user->id + 40);
  json_object_set_int_member (group, "bsdgrp_gid", user->uid);
  json_object_set_string_member (group, "bsdgrp_group", user->username);
  json_object_set_object_member (entry, "group", group);
  json_object_set_array_member (entry, "groups", json_array_new ());
  json_object_set_boolean_member (entry, "password_disabled", FALSE);
  json_object_set_boolean_member (entry, "ssh_password_enabled", FALSE);
  /* user_extend(): the file's text, "" for an empty file, null for none. */
  if (keys != NULL)
    json_object_set_string_member (entry, "sshpubkey", keys);
  else
    json_object_set_null_member (entry, "sshpubkey");
  json_object_set_boolean_member (entry, "locked", FALSE);
  json_object_set_member (entry, "sudo_commands", string_array_node (user->sudo_commands));
  json_object_set_member (entry, "sudo_commands_nopasswd", string_array_node (user->sudo_commands_nopasswd));
  json_object_set_null_member (entry, "email");
  json_object_set_boolean_member (entry, "local", user->local);
  json_object_set_boolean_member (entry, "immutable", FALSE);
  json_object_set_boolean_member (entry, "twofactor_auth_configured", FALSE);
  json_object_set_null_member (entry, "sid");
  json_object_set_array_member (entry, "roles", json_array_new ());
  return object_node (entry);
}

/* ---- core ---- */

static JsonNode *
method_core_ping (FakeTruenas  *server,
                  FakeSession  *session,
                  JsonArray    *params,
                  FakeError   **error)
{
  FakeError *verrors = fake_error_new_validation ();
  static const char *const names[] = { NULL };

  check_arguments (verrors, params, names, 0);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;
  return json_node_init_string (json_node_alloc (), "pong");
}

static JsonNode *
method_core_set_options (FakeTruenas  *server,
                         FakeSession  *session,
                         JsonArray    *params,
                         FakeError   **error)
{
  static const char *const names[] = { "options", NULL };
  static const FieldSpec specs[] = {
    { "private_methods", FIELD_BOOL, FALSE },
    { "py_exceptions", FIELD_BOOL, FALSE },
    { NULL }
  };
  FakeError *verrors = fake_error_new_validation ();
  JsonObject *options = NULL;

  if (check_arguments (verrors, params, names, 1))
    options = validate_object (verrors, "options", "CoreSetOptionsOptions", param (params, 0), specs);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  if (json_object_has_member (options, "private_methods"))
    session->private_methods = json_object_get_boolean_member (options, "private_methods");
  return json_node_new (JSON_NODE_NULL);
}

/* ---- auth ---- */

typedef FakeLoginResult LoginResult;

/* Constant-time so the fake does not model a timing oracle in real code. */
static gboolean
secret_equal (const char *a,
              const char *b)
{
  gsize la, lb;
  guchar diff;

  if (a == NULL || b == NULL)
    return FALSE;
  la = strlen (a);
  lb = strlen (b);
  diff = la != lb;
  for (gsize i = 0; i < la; i++)
    diff |= (guchar) a[i] ^ (guchar) b[i % (lb ? lb : 1)];
  return diff == 0;
}

static LoginResult
check_password (FakeTruenas  *server,
                const char   *username,
                const char   *password,
                FakeAdmin   **out_admin)
{
  FakeAdmin *admin = fake_config_find_admin (fake_truenas_get_config (server), username);

  *out_admin = NULL;
  if (admin == NULL || !secret_equal (admin->password, password))
    return LOGIN_AUTH_ERR;
  *out_admin = admin;
  if (admin->status == FAKE_ADMIN_EXPIRED)
    return LOGIN_EXPIRED;
  if (admin->status == FAKE_ADMIN_DENIED)
    return LOGIN_DENIED;
  if (admin->otp != NULL)
    return LOGIN_OTP_REQUIRED;
  return LOGIN_SUCCESS;
}

static JsonNode *
method_auth_login (FakeTruenas  *server,
                   FakeSession  *session,
                   JsonArray    *params,
                   FakeError   **error)
{
  static const char *const names[] = { "username", "password", "otp_token", NULL };
  static const FieldSpec string_spec = { "", FIELD_STRING, TRUE };
  static const FieldSpec otp_spec = { "", FIELD_STRING_OR_NULL, FALSE };
  FakeError *verrors = fake_error_new_validation ();
  FakeAdmin *admin = NULL;
  const char *otp = NULL;
  LoginResult result;

  if (check_arguments (verrors, params, names, 2))
    {
      validate_field (verrors, "username", param (params, 0), &string_spec);
      validate_field (verrors, "password", param (params, 1), &string_spec);
      if (param (params, 2) != NULL)
        validate_field (verrors, "otp_token", param (params, 2), &otp_spec);
    }
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  if (param (params, 2) != NULL && !JSON_NODE_HOLDS_NULL (param (params, 2)))
    otp = json_node_get_string (param (params, 2));

  /* auth.login is login_ex underneath: a standby's REDIRECT is just false. */
  if (fake_truenas_get_config (server)->login_redirect_urls != NULL)
    return json_node_init_boolean (json_node_alloc (), FALSE);
  result = check_password (server, json_node_get_string (param (params, 0)),
                           json_node_get_string (param (params, 1)), &admin);
  /* With 2FA the code comes as the third argument; missing or wrong is just false. */
  if (result == LOGIN_OTP_REQUIRED && secret_equal (admin->otp, otp))
    result = LOGIN_SUCCESS;
  if (result == LOGIN_SUCCESS)
    session->admin = admin;
  return json_node_init_boolean (json_node_alloc (), result == LOGIN_SUCCESS);
}

static JsonNode *
login_response (const char *response_type)
{
  JsonObject *object = json_object_new ();
  json_object_set_string_member (object, "response_type", response_type);
  return object_node (object);
}

static JsonNode *
login_success (FakeSession *session,
               FakeAdmin   *admin,
               gboolean     user_info,
               const char  *level)
{
  JsonNode *node = login_response ("SUCCESS");
  JsonObject *object = json_node_get_object (node);

  session->admin = admin;
  session->otp_pending = NULL;
  session->otp_failures = 0;
  if (user_info)
    {
      JsonObject *info = json_object_new ();
      JsonObject *privilege = json_object_new ();
      JsonArray *roles = json_array_new ();

      json_array_add_string_element (roles, admin->full_admin ? "FULL_ADMIN" : "READONLY_ADMIN");
      json_object_set_array_member (privilege, "roles", roles);
      json_object_set_string_member (info, "pw_name", admin->username);
      json_object_set_int_member (info, "pw_uid", 950);
      json_object_set_string_member (info, "pw_dir", "/home/admin");
      json_object_set_object_member (info, "privilege", privilege);
      json_object_set_object_member (object, "user_info", info);
    }
  else
    json_object_set_null_member (object, "user_info");
  json_object_set_string_member (object, "authenticator", level);
  json_object_set_null_member (object, "reconnect_token");
  return node;
}

static gboolean
wants_user_info (JsonObject *login_data)
{
  JsonNode *options = json_object_get_member (login_data, "login_options");
  JsonNode *user_info;

  if (options == NULL)
    return TRUE;  /* the model's default */
  user_info = json_object_get_member (json_node_get_object (options), "user_info");
  return user_info == NULL || json_node_get_boolean (user_info);
}

static JsonNode *
continue_with_otp (FakeTruenas  *server,
                   FakeSession  *session,
                   JsonObject   *login_data,
                   FakeError   **error)
{
  FakeConfig *config = fake_truenas_get_config (server);
  FakeAdmin *admin = session->otp_pending;
  JsonNode *node;

  if (admin == NULL)
    {
      *error = fake_error_new_call (EINVAL, "OTP_TOKEN: no authentication in progress");
      return NULL;
    }
  if (secret_equal (admin->otp, member_string (login_data, "otp_token")))
    return login_success (session, admin, wants_user_info (login_data), "LEVEL_2");

  if (++session->otp_failures >= config->otp_max_tries)
    {
      session->otp_pending = NULL;
      session->otp_failures = 0;
      return login_response ("AUTH_ERR");
    }
  node = login_response ("OTP_REQUIRED");
  json_object_set_string_member (json_node_get_object (node), "username", admin->username);
  return node;
}

static const FieldSpec login_options_specs[] = {
  { "user_info", FIELD_BOOL, FALSE },
  { "reconnect_token", FIELD_BOOL, FALSE },
  { NULL }
};

/* Validates a login_data object (a union discriminated by "mechanism"); NULL on errors. */
static JsonObject *
validate_login_data (FakeError  *verrors,
                     JsonNode   *node,
                     gboolean    otp_only)
{
  static const FieldSpec password_specs[] = {
    { "mechanism", FIELD_STRING, TRUE },
    { "username", FIELD_STRING, TRUE },
    { "password", FIELD_STRING, TRUE },
    { "login_options", FIELD_OBJECT, FALSE },
    { NULL }
  };
  static const FieldSpec otp_specs[] = {
    { "mechanism", FIELD_STRING, TRUE },
    { "otp_token", FIELD_STRING, TRUE },
    { "login_options", FIELD_OBJECT, FALSE },
    { NULL }
  };
  static const FieldSpec api_key_specs[] = {
    { "mechanism", FIELD_STRING, TRUE },
    { "username", FIELD_STRING, TRUE },
    { "api_key", FIELD_STRING, TRUE },
    { "login_options", FIELD_OBJECT, FALSE },
    { NULL }
  };
  static const FieldSpec token_specs[] = {
    { "mechanism", FIELD_STRING, TRUE },
    { "token", FIELD_STRING, TRUE },
    { "login_options", FIELD_OBJECT, FALSE },
    { NULL }
  };
  const FieldSpec *specs;
  JsonObject *object;
  JsonNode *mechanism;
  const char *tag;
  g_autofree char *path = NULL;
  guint before = verrors->items->len;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      fake_error_add_item (verrors, "login_data", EINVAL, "Input should be a valid dictionary or object to extract fields from");
      return NULL;
    }
  object = json_node_get_object (node);
  mechanism = json_object_get_member (object, "mechanism");

  if (otp_only)
    {
      if (mechanism == NULL)
        fake_error_add_item (verrors, "login_data.mechanism", EINVAL, "Field required");
      else if (!node_is (mechanism, G_TYPE_STRING) || !g_str_equal (json_node_get_string (mechanism), "OTP_TOKEN"))
        fake_error_add_item (verrors, "login_data.mechanism", EINVAL, "Input should be 'OTP_TOKEN'");
      validate_object (verrors, "login_data", "AuthOTPToken", node, otp_specs);
      path = g_strdup ("login_data");
    }
  else
    {
      if (mechanism == NULL)
        {
          fake_error_add_item (verrors, "login_data.mechanism", EINVAL, "Field required");
          return NULL;
        }
      tag = node_is (mechanism, G_TYPE_STRING) ? json_node_get_string (mechanism) : "";
      if (g_str_equal (tag, "PASSWORD_PLAIN"))
        specs = password_specs;
      else if (g_str_equal (tag, "OTP_TOKEN"))
        specs = otp_specs;
      else if (g_str_equal (tag, "API_KEY_PLAIN"))
        specs = api_key_specs;
      else if (g_str_equal (tag, "TOKEN_PLAIN"))
        specs = token_specs;
      else
        {
          fake_error_add_item (verrors, "login_data", EINVAL,
                               "Input tag '%s' found using 'mechanism' does not match any of the expected tags: "
                               "'API_KEY_PLAIN', 'PASSWORD_PLAIN', 'TOKEN_PLAIN', 'OTP_TOKEN'", tag);
          return NULL;
        }
      path = g_strconcat ("login_data.", tag, NULL);
      validate_object (verrors, path, tag, node, specs);
    }

  if (json_object_has_member (object, "login_options")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "login_options")))
    {
      g_autofree char *options_path = join_path (path, "login_options");
      validate_object (verrors, options_path, "AuthCommonOptions",
                       json_object_get_member (object, "login_options"), login_options_specs);
    }
  return verrors->items->len == before ? object : NULL;
}

static JsonNode *
method_auth_login_ex (FakeTruenas  *server,
                      FakeSession  *session,
                      JsonArray    *params,
                      FakeError   **error)
{
  static const char *const names[] = { "login_data", NULL };
  FakeConfig *config = fake_truenas_get_config (server);
  FakeError *verrors = fake_error_new_validation ();
  JsonObject *login_data = NULL;
  const char *mechanism;
  FakeAdmin *admin = NULL;
  LoginResult result;
  JsonNode *node;

  if (check_arguments (verrors, params, names, 1))
    login_data = validate_login_data (verrors, param (params, 0), FALSE);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  mechanism = member_string (login_data, "mechanism");
  if (g_str_equal (mechanism, "OTP_TOKEN"))
    return continue_with_otp (server, session, login_data, error);

  /* A new attempt abandons any half-done one. */
  session->otp_pending = NULL;
  session->otp_failures = 0;

  if (config->login_redirect_urls != NULL)
    {
      node = login_response ("REDIRECT");
      json_object_set_member (json_node_get_object (node), "urls", string_array_node (config->login_redirect_urls));
      return node;
    }
  if (g_str_equal (mechanism, "API_KEY_PLAIN"))
    result = fake_auth_check_api_key (server, session, member_string (login_data, "username"),
                                      member_string (login_data, "api_key"), &admin);
  else if (g_str_equal (mechanism, "PASSWORD_PLAIN"))
    result = check_password (server, member_string (login_data, "username"),
                             member_string (login_data, "password"), &admin);
  else
    return login_response ("AUTH_ERR");  /* the fake has no tokens */

  switch (result)
    {
    case LOGIN_SUCCESS:
      return login_success (session, admin, wants_user_info (login_data), "LEVEL_1");
    case LOGIN_OTP_REQUIRED:
      session->otp_pending = admin;
      node = login_response ("OTP_REQUIRED");
      json_object_set_string_member (json_node_get_object (node), "username", admin->username);
      return node;
    case LOGIN_EXPIRED:
      return login_response ("EXPIRED");
    case LOGIN_DENIED:
      return login_response ("DENIED");
    case LOGIN_AUTH_ERR:
    default:
      return login_response ("AUTH_ERR");
    }
}

static JsonNode *
method_auth_login_ex_continue (FakeTruenas  *server,
                               FakeSession  *session,
                               JsonArray    *params,
                               FakeError   **error)
{
  static const char *const names[] = { "login_data", NULL };
  FakeError *verrors = fake_error_new_validation ();
  JsonObject *login_data = NULL;

  if (check_arguments (verrors, params, names, 1))
    login_data = validate_login_data (verrors, param (params, 0), TRUE);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;
  return continue_with_otp (server, session, login_data, error);
}

/* Deprecated (removed in v27) but on every protocol: the key's own user
 * logs in through login_ex; anything but SUCCESS is false. */
static JsonNode *
method_auth_login_with_api_key (FakeTruenas  *server,
                                FakeSession  *session,
                                JsonArray    *params,
                                FakeError   **error)
{
  static const char *const names[] = { "api_key", NULL };
  static const FieldSpec string_spec = { "", FIELD_STRING, TRUE };
  FakeError *verrors = fake_error_new_validation ();
  FakeAdmin *admin = NULL;

  if (check_arguments (verrors, params, names, 1))
    validate_field (verrors, "api_key", param (params, 0), &string_spec);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  if (fake_truenas_get_config (server)->login_redirect_urls == NULL
      && fake_auth_check_api_key (server, session, NULL, json_node_get_string (param (params, 0)), &admin) == LOGIN_SUCCESS)
    {
      session->admin = admin;
      return json_node_init_boolean (json_node_alloc (), TRUE);
    }
  return json_node_init_boolean (json_node_alloc (), FALSE);
}

/* ---- keychaincredential.ssh_pair ---- */

static gboolean
home_exists (const char *home)
{
  return !g_str_has_prefix (home, "/var/empty")
         && !g_str_has_prefix (home, "/nonexistent")
         && g_file_test (home, G_FILE_TEST_IS_DIR);
}

static JsonNode *
method_ssh_pair (FakeTruenas  *server,
                 FakeSession  *session,
                 JsonArray    *params,
                 FakeError   **error)
{
  static const char *const names[] = { "keychain_ssh_pair", NULL };
  FakeConfig *config = fake_truenas_get_config (server);
  FieldSpec specs[] = {
    { "remote_hostname", FIELD_STRING, TRUE, 1 },
    { "username", FIELD_STRING, FALSE },
    { "public_key", FIELD_STRING, TRUE, 1,
      config->public_key_max_length ? config->public_key_max_length : G_MAXUINT },
    { NULL }
  };
  FakeError *verrors = fake_error_new_validation ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *host_keys = NULL;
  JsonObject *data = NULL;
  JsonObject *result;
  const char *username;
  const char *keys_path;
  FakeUser *user;
  gboolean added;

  if (check_arguments (verrors, params, names, 1))
    data = validate_object (verrors, "keychain_ssh_pair", "keychain_ssh_pair", param (params, 0), specs);
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  username = json_object_has_member (data, "username") ? member_string (data, "username") : "root";
  user = fake_config_find_user (config, username);
  if (user == NULL || !user->local)
    {
      *error = fake_error_new_call (EFAULT, "User %s does not exist", username);
      return NULL;
    }
  if (!home_exists (user->home))
    {
      *error = fake_error_new_call (ENOENT, "Home directory %s does not exist", user->home);
      return NULL;
    }

  fake_truenas_set_ssh_enabled (server);

  keys_path = fake_config_user_authorized_keys (config, user);
  if (keys_path == NULL)
    {
      *error = fake_error_new_call (EFAULT, "No authorized_keys file is configured for %s", username);
      return NULL;
    }
  if (!fake_truenas_add_authorized_key (server, keys_path, member_string (data, "public_key"), &added, &local_error)
      || (host_keys = fake_truenas_build_host_keys (server, member_string (data, "remote_hostname"), &local_error)) == NULL)
    {
      *error = fake_error_new_call (EFAULT, "%s", local_error->message);
      return NULL;
    }
  g_message ("ssh_pair for %s: key %s", username, added ? "added" : "already present");

  result = json_object_new ();
  json_object_set_int_member (result, "port", config->ssh_port);
  json_object_set_string_member (result, "host_key", host_keys);
  return object_node (result);
}

/* ---- user.query ---- */

static gboolean
filter_matches (JsonObject *entry,
                const char *field,
                const char *op,
                JsonNode   *value)
{
  JsonNode *actual = json_object_get_member (entry, field);

  if (g_str_equal (op, "=") || g_str_equal (op, "!="))
    {
      gboolean equal = actual != NULL && json_node_equal (actual, value);
      return g_str_equal (op, "=") ? equal : !equal;
    }
  if (g_str_equal (op, "in") || g_str_equal (op, "nin"))
    {
      gboolean found = FALSE;
      JsonArray *array = json_node_get_array (value);
      for (guint i = 0; actual != NULL && i < json_array_get_length (array) && !found; i++)
        found = json_node_equal (actual, json_array_get_element (array, i));
      return g_str_equal (op, "in") ? found : !found;
    }
  if (g_str_equal (op, "^") || g_str_equal (op, "$"))
    {
      const char *s = node_is (actual, G_TYPE_STRING) ? json_node_get_string (actual) : NULL;
      const char *v = json_node_get_string (value);
      if (s == NULL)
        return FALSE;
      return g_str_equal (op, "^") ? g_str_has_prefix (s, v) : g_str_has_suffix (s, v);
    }
  return FALSE;
}

static void
validate_filters (FakeError *verrors,
                  JsonNode  *node)
{
  static const char *const ops[] = { "=", "!=", "in", "nin", "^", "$", NULL };
  JsonArray *filters;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fake_error_add_item (verrors, "filters", EINVAL, "Input should be a valid list");
      return;
    }
  filters = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (filters); i++)
    {
      JsonNode *filter = json_array_get_element (filters, i);
      JsonArray *parts;
      g_autofree char *path = g_strdup_printf ("filters.%u", i);

      if (!JSON_NODE_HOLDS_ARRAY (filter) || json_array_get_length (json_node_get_array (filter)) != 3)
        {
          fake_error_add_item (verrors, path, EINVAL, "Invalid filter: expected [field, operator, value]");
          continue;
        }
      parts = json_node_get_array (filter);
      if (!node_is (json_array_get_element (parts, 0), G_TYPE_STRING))
        fake_error_add_item (verrors, path, EINVAL, "Filter field must be a string");
      else if (!node_is (json_array_get_element (parts, 1), G_TYPE_STRING)
               || !g_strv_contains (ops, json_array_get_string_element (parts, 1)))
        fake_error_add_item (verrors, path, EINVAL, "Invalid operation");
      else if ((g_str_equal (json_array_get_string_element (parts, 1), "in")
                || g_str_equal (json_array_get_string_element (parts, 1), "nin"))
               && !JSON_NODE_HOLDS_ARRAY (json_array_get_element (parts, 2)))
        fake_error_add_item (verrors, path, EINVAL, "Value for “in” must be a list");
      else if ((g_str_equal (json_array_get_string_element (parts, 1), "^")
                || g_str_equal (json_array_get_string_element (parts, 1), "$"))
               && !node_is (json_array_get_element (parts, 2), G_TYPE_STRING))
        fake_error_add_item (verrors, path, EINVAL, "Value must be a string");
    }
}

static JsonNode *
method_user_query (FakeTruenas  *server,
                   FakeSession  *session,
                   JsonArray    *params,
                   FakeError   **error)
{
  static const char *const names[] = { "filters", "options", NULL };
  static const FieldSpec option_specs[] = {
    { "relationships", FIELD_BOOL, FALSE },
    { "extend", FIELD_STRING_OR_NULL, FALSE },
    { "extend_context", FIELD_STRING_OR_NULL, FALSE },
    { "prefix", FIELD_STRING_OR_NULL, FALSE },
    { "extra", FIELD_OBJECT, FALSE },
    { "order_by", FIELD_STRING_LIST, FALSE },
    { "select", FIELD_LIST, FALSE },
    { "count", FIELD_BOOL, FALSE },
    { "get", FIELD_BOOL, FALSE },
    { "offset", FIELD_INT, FALSE },
    { "limit", FIELD_INT, FALSE },
    { "force_sql_filters", FIELD_BOOL, FALSE },
    { NULL }
  };
  FakeConfig *config = fake_truenas_get_config (server);
  FakeError *verrors = fake_error_new_validation ();
  JsonObject *options = NULL;
  JsonArray *filters = NULL;
  g_autoptr(JsonArray) matches = json_array_new ();
  gint64 offset = 0, limit = 0;
  JsonNode *result;

  if (check_arguments (verrors, params, names, 0))
    {
      if (param (params, 0) != NULL)
        validate_filters (verrors, param (params, 0));
      if (param (params, 1) != NULL)
        options = validate_object (verrors, "options", "QueryOptions", param (params, 1), option_specs);
    }
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  if (param (params, 0) != NULL)
    filters = json_node_get_array (param (params, 0));

  for (guint i = 0; i < config->users->len; i++)
    {
      g_autoptr(JsonNode) entry = build_user_entry (server, g_ptr_array_index (config->users, i));
      gboolean match = TRUE;

      for (guint f = 0; filters != NULL && match && f < json_array_get_length (filters); f++)
        {
          JsonArray *filter = json_array_get_array_element (filters, f);
          match = filter_matches (json_node_get_object (entry),
                                  json_array_get_string_element (filter, 0),
                                  json_array_get_string_element (filter, 1),
                                  json_array_get_element (filter, 2));
        }
      if (match)
        json_array_add_element (matches, g_steal_pointer (&entry));
    }

  if (options != NULL && json_object_has_member (options, "offset"))
    offset = json_object_get_int_member (options, "offset");
  if (options != NULL && json_object_has_member (options, "limit"))
    limit = json_object_get_int_member (options, "limit");

  if (options != NULL && json_object_has_member (options, "count")
      && json_object_get_boolean_member (options, "count"))
    return json_node_init_int (json_node_alloc (), json_array_get_length (matches));

  result = json_node_new (JSON_NODE_ARRAY);
  {
    JsonArray *window = json_array_new ();
    for (guint i = 0; i < json_array_get_length (matches); i++)
      if (i >= offset && (limit <= 0 || i < offset + limit))
        json_array_add_element (window, json_node_copy (json_array_get_element (matches, i)));
    json_node_take_array (result, window);
  }

  if (options != NULL && json_object_has_member (options, "get")
      && json_object_get_boolean_member (options, "get"))
    {
      JsonArray *window = json_node_get_array (result);
      JsonNode *first;

      if (json_array_get_length (window) == 0)
        {
          json_node_unref (result);
          /* filter_list raises MatchNotFound, an IndexError middlewared does not adapt. */
          *error = fake_error_new_exception ("MatchNotFound", "MatchNotFound()");
          return NULL;
        }
      first = json_node_copy (json_array_get_element (window, 0));
      json_node_unref (result);
      return first;
    }
  return result;
}

/* ---- user.update ---- */

/* update_error_fields: only updates that touch one of them fail. */
static gboolean
fake_update_error_applies (FakeUser   *user,
                           JsonObject *data)
{
  if (user->update_error_fields == NULL)
    return TRUE;
  for (guint i = 0; i < user->update_error_fields->len; i++)
    if (json_object_has_member (data, g_ptr_array_index (user->update_error_fields, i)))
      return TRUE;
  return FALSE;
}

static JsonNode *
method_user_update (FakeTruenas  *server,
                    FakeSession  *session,
                    JsonArray    *params,
                    FakeError   **error)
{
  static const char *const names[] = { "id", "user_update", NULL };
  static const FieldSpec id_spec = { "id", FIELD_INT, TRUE };
  static const FieldSpec specs[] = {
    { "shell", FIELD_STRING, FALSE },
    { "sudo_commands", FIELD_STRING_LIST, FALSE },
    { "sudo_commands_nopasswd", FIELD_STRING_LIST, FALSE },
    { "sshpubkey", FIELD_STRING_OR_NULL, FALSE, 0, G_MAXUINT },
    { "full_name", FIELD_STRING, FALSE },
    { NULL }
  };
  static const char *const sudo_fields[] = { "sudo_commands", "sudo_commands_nopasswd", NULL };
  FakeConfig *config = fake_truenas_get_config (server);
  FakeError *verrors = fake_error_new_validation ();
  JsonObject *data = NULL;
  FakeUser *user;
  gint64 id;

  if (check_arguments (verrors, params, names, 2))
    {
      validate_field (verrors, "id", param (params, 0), &id_spec);
      data = validate_object (verrors, "user_update", "UserUpdate", param (params, 1), specs);
    }
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  id = json_node_get_int (param (params, 0));
  user = fake_config_find_user_id (config, id);
  if (user == NULL)
    {
      g_autofree char *message = g_strdup_printf ("User %" G_GINT64_FORMAT " does not exist", id);
      *error = fake_error_new_single_validation ("InstanceNotFound", NULL, ENOENT, message);
      return NULL;
    }

  /* What the real service checks after the model. */
  verrors = fake_error_new_validation ();
  if (json_object_has_member (data, "shell")
      && !fake_config_is_valid_shell (config, member_string (data, "shell")))
    fake_error_add_item (verrors, "user_update.shell", EINVAL, "Please select a valid shell.");
  for (guint f = 0; sudo_fields[f] != NULL; f++)
    {
      JsonArray *commands;
      if (!json_object_has_member (data, sudo_fields[f]))
        continue;
      commands = json_object_get_array_member (data, sudo_fields[f]);
      for (guint i = 0; i < json_array_get_length (commands); i++)
        {
          const char *command = json_array_get_string_element (commands, i);
          if (!g_str_equal (command, "ALL") && command[0] != '/')
            {
              g_autofree char *path = g_strdup_printf ("user_update.%s.%u", sudo_fields[f], i);
              fake_error_add_item (verrors, path, EINVAL, "%s: command must be an absolute path or ALL", command);
            }
        }
    }
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  if (user->update_error != NULL && fake_update_error_applies (user, data))
    {
      *error = fake_error_new_call (EFAULT, "%s", user->update_error);
      return NULL;
    }

  if (json_object_has_member (data, "shell"))
    {
      g_free (user->shell);
      user->shell = g_strdup (member_string (data, "shell"));
    }
  if (json_object_has_member (data, "full_name"))
    {
      g_free (user->full_name);
      user->full_name = g_strdup (member_string (data, "full_name"));
    }
  if (json_object_has_member (data, "sudo_commands"))
    {
      g_ptr_array_unref (user->sudo_commands);
      user->sudo_commands = string_array_from_node (json_object_get_member (data, "sudo_commands"));
    }
  if (json_object_has_member (data, "sudo_commands_nopasswd"))
    {
      g_ptr_array_unref (user->sudo_commands_nopasswd);
      user->sudo_commands_nopasswd = string_array_from_node (json_object_get_member (data, "sudo_commands_nopasswd"));
    }
  if (json_object_has_member (data, "sshpubkey"))
    {
      const char *keys_path = fake_config_user_authorized_keys (config, user);
      const char *keys = member_string (data, "sshpubkey");
      g_autoptr(GError) local_error = NULL;

      if (keys_path == NULL || !fake_truenas_write_sshpubkey (keys_path, keys, &local_error))
        {
          *error = fake_error_new_call (EFAULT, "Unable to write the authorized keys of %s", user->username);
          return NULL;
        }
    }
  g_message ("user.update %s", user->username);
  fake_truenas_write_state (server);
  return build_user_entry (server, user);
}

/* ---- dispatch ---- */

typedef JsonNode *(*MethodFunc) (FakeTruenas  *server,
                                 FakeSession  *session,
                                 JsonArray    *params,
                                 FakeError   **error);

typedef struct {
  const char *name;
  guint       protocols;
  gboolean    auth_required;
  gboolean    full_admin;
  gboolean    is_private;
  MethodFunc  func;
} Method;

static const Method methods[] = {
  { "core.ping", PROTO_BOTH, FALSE, FALSE, FALSE, method_core_ping },
  { "core.set_options", PROTO_JSONRPC, FALSE, FALSE, FALSE, method_core_set_options },
  { "auth.login", PROTO_BOTH, FALSE, FALSE, FALSE, method_auth_login },
  { "auth.login_ex", PROTO_JSONRPC, FALSE, FALSE, FALSE, method_auth_login_ex },
  { "auth.login_ex_continue", PROTO_JSONRPC, FALSE, FALSE, FALSE, method_auth_login_ex_continue },
  { "auth.login_with_api_key", PROTO_BOTH, FALSE, FALSE, FALSE, method_auth_login_with_api_key },
  { "keychaincredential.ssh_pair", PROTO_BOTH, TRUE, TRUE, TRUE, method_ssh_pair },
  { "user.query", PROTO_BOTH, TRUE, FALSE, FALSE, method_user_query },
  { "user.update", PROTO_BOTH, TRUE, TRUE, FALSE, method_user_update },
  /* fake-truenas-services.c */
  { "ssh.config", PROTO_BOTH, TRUE, TRUE, FALSE, fake_method_ssh_config },
  { "service.query", PROTO_BOTH, TRUE, TRUE, FALSE, fake_method_service_query },
  { "service.update", PROTO_BOTH, TRUE, TRUE, FALSE, fake_method_service_update },
  { "service.control", PROTO_BOTH, TRUE, TRUE, FALSE, fake_method_service_control },
  { "core.get_jobs", PROTO_BOTH, TRUE, FALSE, FALSE, fake_method_core_get_jobs },
};

JsonNode *
fake_truenas_call_method (FakeTruenas  *server,
                          FakeSession  *session,
                          const char   *name,
                          JsonArray    *params,
                          FakeError   **error)
{
  guint protocol = session->legacy ? PROTO_LEGACY : PROTO_JSONRPC;
  const Method *method = NULL;
  GPtrArray *absent;
  JsonNode *result;

  fake_truenas_note_call (server, session->legacy ? "legacy" : "jsonrpc", name);

  for (guint i = 0; i < G_N_ELEMENTS (methods) && method == NULL; i++)
    if (g_str_equal (methods[i].name, name) && (methods[i].protocols & protocol) != 0)
      method = &methods[i];
  /* A box of another version that lacks it answers exactly as for an unknown name. */
  absent = fake_truenas_get_config (server)->absent_methods;
  if (absent != NULL && method != NULL && g_ptr_array_find_with_equal_func (absent, name, g_str_equal, NULL))
    method = NULL;
  if (method == NULL)
    {
      *error = fake_error_new_no_method (name);
      return NULL;
    }

  if (method->is_private && !session->legacy && fake_truenas_get_config (server)->private_methods_refused)
    {
      /* rpc.py's METHOD_NOT_FOUND: the same answer as for a method that does not exist. */
      *error = fake_error_new_no_method (name);
      return NULL;
    }
  if (method->is_private && !session->legacy && !session->private_methods)
    fake_truenas_note_private_without_options (server, name);

  /* Methods that need no login are rate-limited until one succeeds. */
  if (!method->auth_required && session->admin == NULL
      && (*error = fake_auth_rate_limit (server, session, name)) != NULL)
    return NULL;

  if (method->auth_required && session->admin == NULL)
    {
      *error = fake_error_new_call (FAKE_ENOTAUTHENTICATED, "Not authenticated");
      if (session->legacy)
        g_clear_pointer (&(*error)->exc_class, g_free);  /* sent from the dispatcher: no trace */
      return NULL;
    }
  if (method->full_admin && !session->admin->full_admin)
    {
      *error = fake_error_new_call (EACCES, "Not authorized");
      if (session->legacy)
        g_clear_pointer (&(*error)->exc_class, g_free);
      return NULL;
    }

  result = method->func (server, session, params, error);
  fake_auth_after_login (server, session, name, result);
  return result;
}
