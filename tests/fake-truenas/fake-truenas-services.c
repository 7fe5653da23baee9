/* fake-truenas-services.c: what the public pairing route needs besides
 * user.query / user.update.
 *
 * - ssh.config → the SSHEntry subset a client reads: tcpport and
 *   host_{rsa,ecdsa,ed25519}_key_pub, base64 of each .pub file's text (what
 *   plugins/keychain/ssh_pair.py decodes), the private host keys as null.
 * - service.query → ServiceEntry {id, service, enable, state, pids}; filters
 *   [field, "=", value] and the "get" option.
 * - service.update [id_or_name, {"enable": bool}] → the service id.
 * - service.control [verb, service, options?] is a job: every connection has
 *   legacy_jobs (core.set_options' default), so the reply is the job id. The
 *   job runs for JOB_MS, then ends SUCCESS with result true, or false when
 *   ssh.start_fails (ServiceOptions.silent: false, not an error).
 * - core.get_jobs [filters] → CoreGetJobsItem entries.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas"

#include <errno.h>
#include <string.h>

#include "fake-truenas-services.h"

#define JOB_MS 300

typedef struct {
  gint64 id;
  char *verb;
  char *service;
  char *state;           /* "RUNNING", "SUCCESS" */
  gboolean result;
  gint64 started_ms;
  gint64 finished_ms;
} FakeJob;

/* One server per process: the jobs live as long as it does. */
static GPtrArray *jobs;
static gint64 next_job_id = 1;

typedef struct {
  gint64 id;
  const char *name;
} FakeService;

static const FakeService services[] = { { 1, "ssh" }, { 2, "cifs" }, { 3, "nfs" } };

static guint
n_params (JsonArray *params)
{
  return params != NULL ? json_array_get_length (params) : 0;
}

static gboolean
too_many (JsonArray  *params,
          guint       expected,
          FakeError **error)
{
  FakeError *verrors;

  if (n_params (params) <= expected)
    return FALSE;
  verrors = fake_error_new_validation ();
  fake_error_add_item (verrors, "", EINVAL, "Too many arguments (expected %u, found %u)", expected, n_params (params));
  *error = fake_error_finish_validation (verrors);
  return TRUE;
}

/* ---- ssh.config ---- */

static const char *
host_key_field (const char *line)
{
  if (g_str_has_prefix (line, "ssh-rsa "))
    return "host_rsa_key_pub";
  if (g_str_has_prefix (line, "ecdsa-"))
    return "host_ecdsa_key_pub";
  if (g_str_has_prefix (line, "ssh-ed25519 "))
    return "host_ed25519_key_pub";
  return NULL;
}

JsonNode *
fake_method_ssh_config (FakeTruenas  *server,
                        FakeSession  *session,
                        JsonArray    *params,
                        FakeError   **error)
{
  static const char *const nulls[] = {
    "privatekey", "host_dsa_key", "host_dsa_key_pub", "host_dsa_key_cert_pub", "host_ecdsa_key",
    "host_ecdsa_key_cert_pub", "host_ed25519_key", "host_ed25519_key_cert_pub", "host_key", "host_key_pub",
    "host_rsa_key", "host_rsa_key_cert_pub", "host_rsa_key_pub", "host_ecdsa_key_pub", "host_ed25519_key_pub", NULL
  };
  FakeConfig *config = fake_truenas_get_config (server);
  JsonObject *entry;
  JsonNode *node;

  if (too_many (params, 0, error))
    return NULL;

  entry = json_object_new ();
  json_object_set_int_member (entry, "id", 1);
  json_object_set_array_member (entry, "bindiface", json_array_new ());
  json_object_set_int_member (entry, "tcpport", config->ssh_port);
  json_object_set_array_member (entry, "password_login_groups", json_array_new ());
  json_object_set_boolean_member (entry, "passwordauth", FALSE);
  json_object_set_boolean_member (entry, "kerberosauth", FALSE);
  json_object_set_boolean_member (entry, "tcpfwd", FALSE);
  json_object_set_boolean_member (entry, "compression", FALSE);
  json_object_set_string_member (entry, "sftp_log_level", "");
  json_object_set_string_member (entry, "sftp_log_facility", "");
  json_object_set_array_member (entry, "weak_ciphers", json_array_new ());
  json_object_set_string_member (entry, "options", "");
  for (guint i = 0; nulls[i] != NULL; i++)
    json_object_set_null_member (entry, nulls[i]);
  /* The private keys are not ours to show; the public ones come from the files. */
  for (guint i = 0; i < config->host_key_files->len; i++)
    {
      g_autofree char *text = NULL;
      const char *field;

      if (!g_file_get_contents (g_ptr_array_index (config->host_key_files, i), &text, NULL, NULL))
        continue;
      field = host_key_field (text);
      if (field != NULL)
        {
          g_autofree char *encoded = g_base64_encode ((const guchar *) text, strlen (text));
          json_object_set_string_member (entry, field, encoded);
        }
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, entry);
  return node;
}

/* ---- service.query ---- */

static JsonObject *
service_entry (FakeConfig        *config,
               const FakeService *service)
{
  JsonObject *entry = json_object_new ();
  gboolean ssh = g_str_equal (service->name, "ssh");
  gboolean running = ssh && config->ssh_running;
  JsonArray *pids = json_array_new ();

  if (running)
    json_array_add_int_element (pids, 4242);
  json_object_set_int_member (entry, "id", service->id);
  json_object_set_string_member (entry, "service", service->name);
  json_object_set_boolean_member (entry, "enable", ssh && config->ssh_enabled);
  json_object_set_string_member (entry, "state", running ? "RUNNING" : "STOPPED");
  json_object_set_array_member (entry, "pids", pids);
  return entry;
}

/* [field, "=", value]: the only operator a client of this fake needs. */
static gboolean
entry_matches (JsonObject *entry,
               JsonArray  *filters,
               FakeError **error)
{
  for (guint i = 0; filters != NULL && i < json_array_get_length (filters); i++)
    {
      JsonNode *filter = json_array_get_element (filters, i);
      JsonArray *f = JSON_NODE_HOLDS_ARRAY (filter) ? json_node_get_array (filter) : NULL;
      JsonNode *have;

      if (f == NULL || json_array_get_length (f) != 3 || !g_str_equal (json_array_get_string_element (f, 1), "="))
        {
          *error = fake_error_new_call (EINVAL, "Invalid filter");
          return FALSE;
        }
      have = json_object_get_member (entry, json_array_get_string_element (f, 0));
      if (have == NULL || !json_node_equal (have, json_array_get_element (f, 2)))
        return FALSE;
    }
  return TRUE;
}

/* Runs @filters and the "get" option over @entries (taken). */
static JsonNode *
query_result (GPtrArray  *entries,
              JsonArray  *params,
              FakeError **error)
{
  JsonNode *filters_node = n_params (params) > 0 ? json_array_get_element (params, 0) : NULL;
  JsonNode *options_node = n_params (params) > 1 ? json_array_get_element (params, 1) : NULL;
  JsonArray *filters = filters_node != NULL && JSON_NODE_HOLDS_ARRAY (filters_node) ? json_node_get_array (filters_node) : NULL;
  gboolean get = FALSE;
  g_autoptr(JsonArray) matches = json_array_new ();
  g_autoptr(GPtrArray) owned = entries;
  JsonNode *node;

  if (too_many (params, 2, error))
    return NULL;
  if (options_node != NULL && JSON_NODE_HOLDS_OBJECT (options_node))
    get = json_object_get_boolean_member_with_default (json_node_get_object (options_node), "get", FALSE);
  for (guint i = 0; i < owned->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (owned, i);
      FakeError *filter_error = NULL;

      if (entry_matches (entry, filters, &filter_error))
        json_array_add_object_element (matches, json_object_ref (entry));
      else if (filter_error != NULL)
        {
          *error = filter_error;
          return NULL;
        }
    }
  if (get)
    {
      if (json_array_get_length (matches) == 0)
        {
          *error = fake_error_new_exception ("MatchNotFound", "MatchNotFound()");
          return NULL;
        }
      return json_node_copy (json_array_get_element (matches, 0));
    }
  node = json_node_new (JSON_NODE_ARRAY);
  json_node_set_array (node, matches);
  return node;
}

JsonNode *
fake_method_service_query (FakeTruenas  *server,
                           FakeSession  *session,
                           JsonArray    *params,
                           FakeError   **error)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (services); i++)
    g_ptr_array_add (entries, service_entry (fake_truenas_get_config (server), &services[i]));
  return query_result (entries, params, error);
}

/* ---- service.update ---- */

static const FakeService *
find_service (JsonNode *id_or_name)
{
  for (guint i = 0; id_or_name != NULL && i < G_N_ELEMENTS (services); i++)
    {
      if (JSON_NODE_HOLDS_VALUE (id_or_name) && json_node_get_value_type (id_or_name) == G_TYPE_STRING &&
          g_str_equal (json_node_get_string (id_or_name), services[i].name))
        return &services[i];
      if (JSON_NODE_HOLDS_VALUE (id_or_name) && json_node_get_value_type (id_or_name) == G_TYPE_INT64 &&
          json_node_get_int (id_or_name) == services[i].id)
        return &services[i];
    }
  return NULL;
}

JsonNode *
fake_method_service_update (FakeTruenas  *server,
                            FakeSession  *session,
                            JsonArray    *params,
                            FakeError   **error)
{
  FakeConfig *config = fake_truenas_get_config (server);
  FakeError *verrors = fake_error_new_validation ();
  JsonNode *update = n_params (params) > 1 ? json_array_get_element (params, 1) : NULL;
  JsonObject *object = update != NULL && JSON_NODE_HOLDS_OBJECT (update) ? json_node_get_object (update) : NULL;
  JsonNode *enable = object != NULL ? json_object_get_member (object, "enable") : NULL;
  const FakeService *service;

  if (too_many (params, 2, error))
    {
      fake_error_free (verrors);
      return NULL;
    }
  if (n_params (params) < 2)
    fake_error_add_item (verrors, n_params (params) < 1 ? "id_or_name" : "service_update", EINVAL, "Field required");
  else if (object == NULL)
    fake_error_add_item (verrors, "service_update", EINVAL, "Input should be a valid dictionary or instance of ServiceUpdate");
  else if (enable == NULL || !JSON_NODE_HOLDS_VALUE (enable) || json_node_get_value_type (enable) != G_TYPE_BOOLEAN)
    fake_error_add_item (verrors, "service_update.enable", EINVAL, enable == NULL ? "Field required" : "Input should be a valid boolean");
  else if (json_object_get_size (object) != 1)
    fake_error_add_item (verrors, "service_update", EINVAL, "Extra inputs are not permitted");
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;

  service = find_service (json_array_get_element (params, 0));
  if (service == NULL)
    {
      *error = fake_error_new_call (ENOENT, "Service not found");
      return NULL;
    }
  if (g_str_equal (service->name, "ssh"))
    {
      config->ssh_enabled = json_node_get_boolean (enable);
      g_message ("service.update: ssh %s at boot", config->ssh_enabled ? "enabled" : "disabled");
    }
  return json_node_init_int (json_node_alloc (), service->id);
}

/* ---- service.control + core.get_jobs ---- */

static void
fake_job_free (FakeJob *job)
{
  g_free (job->verb);
  g_free (job->service);
  g_free (job->state);
  g_free (job);
}

typedef struct {
  FakeTruenas *server;
  FakeJob *job;
} JobRun;

static gboolean
on_job_done (gpointer user_data)
{
  JobRun *run = user_data;
  FakeConfig *config = fake_truenas_get_config (run->server);
  FakeJob *job = run->job;
  gboolean ssh = g_str_equal (job->service, "ssh");

  if (g_str_equal (job->verb, "STOP"))
    {
      if (ssh)
        config->ssh_running = FALSE;
      job->result = TRUE;
    }
  else
    {
      /* START / RESTART / RELOAD: "is it running afterwards". */
      if (ssh && !config->ssh_start_fails)
        config->ssh_running = TRUE;
      job->result = ssh && config->ssh_running;
    }
  g_free (job->state);
  job->state = g_strdup ("SUCCESS");
  job->finished_ms = g_get_real_time () / 1000;
  g_message ("job %" G_GINT64_FORMAT " service.control %s %s: %s", job->id, job->verb, job->service,
             job->result ? "true" : "false");
  fake_truenas_write_state (run->server);
  g_object_unref (run->server);
  g_free (run);
  return G_SOURCE_REMOVE;
}

JsonNode *
fake_method_service_control (FakeTruenas  *server,
                             FakeSession  *session,
                             JsonArray    *params,
                             FakeError   **error)
{
  static const char *const verbs[] = { "START", "STOP", "RESTART", "RELOAD", NULL };
  FakeError *verrors = fake_error_new_validation ();
  const char *verb = NULL;
  const FakeService *service = NULL;
  FakeJob *job;
  JobRun *run;

  if (too_many (params, 3, error))
    {
      fake_error_free (verrors);
      return NULL;
    }
  if (n_params (params) < 2)
    fake_error_add_item (verrors, n_params (params) < 1 ? "verb" : "service", EINVAL, "Field required");
  else
    {
      JsonNode *v = json_array_get_element (params, 0);
      if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING &&
          g_strv_contains (verbs, json_node_get_string (v)))
        verb = json_node_get_string (v);
      else
        fake_error_add_item (verrors, "verb", EINVAL, "Input should be 'START', 'STOP', 'RESTART' or 'RELOAD'");
      service = find_service (json_array_get_element (params, 1));
    }
  if ((*error = fake_error_finish_validation (verrors)) != NULL)
    return NULL;
  if (service == NULL)
    {
      *error = fake_error_new_call (ENOENT, "Service not found");
      return NULL;
    }

  if (jobs == NULL)
    jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_job_free);
  job = g_new0 (FakeJob, 1);
  job->id = next_job_id++;
  job->verb = g_strdup (verb);
  job->service = g_strdup (service->name);
  job->state = g_strdup ("RUNNING");
  job->started_ms = g_get_real_time () / 1000;
  g_ptr_array_add (jobs, job);
  run = g_new0 (JobRun, 1);
  run->server = g_object_ref (server);
  run->job = job;
  g_timeout_add (JOB_MS, on_job_done, run);
  /* legacy_jobs: the caller gets the job id and follows it. */
  return json_node_init_int (json_node_alloc (), job->id);
}

static JsonObject *
job_entry (FakeJob *job)
{
  JsonObject *entry = json_object_new ();
  JsonObject *progress = json_object_new ();
  JsonArray *arguments = json_array_new ();
  JsonObject *started = json_object_new ();
  gboolean done = g_str_equal (job->state, "SUCCESS");

  json_array_add_string_element (arguments, job->verb);
  json_array_add_string_element (arguments, job->service);
  json_object_set_int_member (progress, "percent", done ? 100 : 0);
  json_object_set_null_member (progress, "description");
  json_object_set_null_member (progress, "extra");
  json_object_set_int_member (started, "$date", job->started_ms);
  json_object_set_int_member (entry, "id", job->id);
  json_object_set_array_member (entry, "message_ids", json_array_new ());
  json_object_set_string_member (entry, "method", "service.control");
  json_object_set_array_member (entry, "arguments", arguments);
  json_object_set_boolean_member (entry, "transient", FALSE);
  json_object_set_null_member (entry, "description");
  json_object_set_boolean_member (entry, "abortable", FALSE);
  json_object_set_null_member (entry, "logs_path");
  json_object_set_null_member (entry, "logs_excerpt");
  json_object_set_object_member (entry, "progress", progress);
  if (done)
    json_object_set_boolean_member (entry, "result", job->result);
  else
    json_object_set_null_member (entry, "result");
  json_object_set_null_member (entry, "result_encoding_error");
  json_object_set_null_member (entry, "error");
  json_object_set_null_member (entry, "exception");
  json_object_set_null_member (entry, "exc_info");
  json_object_set_string_member (entry, "state", job->state);
  json_object_set_object_member (entry, "time_started", started);
  if (done)
    {
      JsonObject *finished = json_object_new ();
      json_object_set_int_member (finished, "$date", job->finished_ms);
      json_object_set_object_member (entry, "time_finished", finished);
    }
  else
    json_object_set_null_member (entry, "time_finished");
  json_object_set_null_member (entry, "credentials");
  return entry;
}

JsonNode *
fake_method_core_get_jobs (FakeTruenas  *server,
                           FakeSession  *session,
                           JsonArray    *params,
                           FakeError   **error)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    g_ptr_array_add (entries, job_entry (g_ptr_array_index (jobs, i)));
  return query_result (entries, params, error);
}
