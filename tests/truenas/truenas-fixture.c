/* truenas-fixture.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "kf-test-util.h"
#include "truenas-fixture.h"

static char *cert_path;
static char *key_path;
static char *cert_pin;
static char *other_cert_path;
static char *other_key_path;
static char *other_cert_pin;
static char *host_key_paths[4];

static char *
run_ok (const char * const *argv)
{
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = kf_test_run_command (argv, NULL, &out, &err);

  if (status != 0)
    g_error ("%s failed (%d): %s", argv[0], status, err);
  return out;
}

/* make-cert.sh, then the fingerprint as openssl prints it. */
static void
make_certificate (const char  *dir,
                  const char  *name,
                  char       **out_cert,
                  char       **out_key,
                  char       **out_pin)
{
  g_autofree char *script = g_build_filename (kf_test_get_srcdir (), "tests", "fake-truenas", "make-cert.sh", NULL);
  g_autofree char *cert_file = g_strdup_printf ("%s-cert.pem", name);
  g_autofree char *key_file = g_strdup_printf ("%s-key.pem", name);
  g_autofree char *out = NULL;
  g_autoptr(GString) hex = g_string_new (NULL);
  char *eq;

  *out_cert = g_build_filename (dir, cert_file, NULL);
  *out_key = g_build_filename (dir, key_file, NULL);
  {
    const char *argv[] = { "sh", script, *out_cert, *out_key, NULL };
    g_free (run_ok (argv));
  }
  {
    const char *argv[] = { "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", *out_cert, NULL };
    out = run_ok (argv);
  }
  eq = strchr (out, '=');
  g_assert_nonnull (eq);
  for (const char *p = eq + 1; *p != '\0' && *p != '\n'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (hex, g_ascii_tolower (*p));
  g_assert_cmpuint (hex->len, ==, 64);
  *out_pin = g_strconcat ("SHA256:", hex->str, NULL);
}

void
tn_fixture_init (void)
{
  g_autofree char *dir = NULL;
  static const char * const types[] = { "rsa", "ecdsa", "ed25519" };

  if (cert_path != NULL)
    return;

  dir = kf_test_make_tmpdir ("truenas-material");
  make_certificate (dir, "main", &cert_path, &key_path, &cert_pin);
  make_certificate (dir, "other", &other_cert_path, &other_key_path, &other_cert_pin);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *base = g_strdup_printf ("%s/ssh_host_%s_key", dir, types[i]);
      const char *argv[] = { "ssh-keygen", "-q", "-t", types[i], "-N", "", "-C", "root@truenas", "-f", base, NULL };
      g_free (run_ok (argv));
      host_key_paths[i] = g_strconcat (base, ".pub", NULL);
    }
}

const char *
tn_fixture_other_cert_pin (void)
{
  tn_fixture_init ();
  return other_cert_pin;
}

const char *
tn_fixture_cert_path (void)
{
  tn_fixture_init ();
  return cert_path;
}

const char *
tn_fixture_cert_pin (void)
{
  tn_fixture_init ();
  return cert_pin;
}


static const char *base_config =
  "\"admins\": ["
  "  {\"username\": \"truenas_admin\", \"password\": \"s3cret\", \"otp\": null, \"api_keys\": ["
  "     {\"id\": 1, \"key\": \"KcBEKanD0F0rPZkcHFuep88VxcA3iMwyAs0RqDlRtQxiDX3pCNycLapim86tIxX5\"},"
  "     {\"id\": 2, \"key\": \"puQJCBEePLu2Gk1oApccFt0MQeI72fjyK8x6Mjh9XXgCkZm8wBACpRrjNHl3hrDt\", \"revoked\": true},"
  "     {\"id\": 3, \"key\": \"kQP80lXlEXwuBoaITcv5upfqCzLky63FR5pVH6rHEMFekFRD5ziAILwIyFSkJCg9\", \"expired\": true}]},"
  "  {\"username\": \"twofa\", \"password\": \"s3cret\", \"otp\": \"246810\", \"api_keys\": ["
  "     {\"id\": 4, \"key\": \"A1c3aCIedwfjgMD1ZFiD3BXG7CvUq5YSDBvPH6HjVpuNcRmP5LK1OEbZh9sB22pT\"}]},"
  "  {\"username\": \"viewer\", \"password\": \"s3cret\", \"full_admin\": false},"
  "  {\"username\": \"old\", \"password\": \"s3cret\", \"status\": \"expired\"},"
  "  {\"username\": \"nope\", \"password\": \"s3cret\", \"status\": \"denied\", \"api_keys\": ["
  "     {\"id\": 5, \"key\": \"s4fcM6JX9g0skQEjxMz6YmwlfLmBngRt49D3VWS0HUBCQVJnrMxhOYOanBNA3y3Z\"}]}"
  "],"
  /* middlewared waits 1–2 s before answering a failed login: short here. */
  "\"failed_login_delay_ms\": [0, 20],"
  "\"users\": ["
  "  {\"id\": 7, \"username\": \"@USER@\", \"home\": \"@HOME@\", \"shell\": \"/usr/sbin/nologin\","
  "   \"sudo_commands_nopasswd\": [\"/usr/bin/ls\"]},"
  "  {\"id\": 8, \"username\": \"daemon\", \"home\": \"/var/empty\"},"
  "  {\"id\": 9, \"username\": \"remote\", \"home\": \"@HOME@\", \"local\": false},"
  "  {\"id\": 10, \"username\": \"zfsall\", \"home\": \"@HOME@\", \"shell\": \"/usr/bin/zsh\","
  "   \"sudo_commands_nopasswd\": [\"ALL\"]},"
  "  {\"id\": 11, \"username\": \"stubborn\", \"home\": \"@HOME@\", \"shell\": \"/usr/sbin/nologin\","
  "   \"update_error\": \"[EINVAL] user_update.shell: /usr/bin/bash is not a valid shell\","
  "   \"update_error_fields\": [\"shell\"]},"
  "  {\"id\": 12, \"username\": \"sudoer\", \"home\": \"@HOME@\", \"shell\": \"/usr/bin/bash\","
  "   \"sudo_commands_nopasswd\": [\"/usr/bin/ls\"]},"
  "  {\"id\": 13, \"username\": \"frozen\", \"home\": \"@HOME@\", \"shell\": \"/usr/sbin/nologin\","
  "   \"update_error\": \"[EROFS] The user database is read-only\"}"
  "],"
  "\"ssh\": {\"port\": @SSH_PORT@}";

/* A test that aborts must not leave the server behind. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

TnFake *
tn_fake_start (const char          *extra,
               const TnFakeOptions *options)
{
  TnFake *fake = g_new0 (TnFake, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *line = NULL;
  g_autofree char *exe = g_build_filename (kf_test_get_builddir (), "tests", "fake-truenas", "fake-truenas", NULL);
  g_autofree char *ssh_port = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GStrvBuilder) argv_builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  const TnFakeOptions defaults = { 0 };
  const char * const *host_keys;

  tn_fixture_init ();
  if (options == NULL)
    options = &defaults;
  host_keys = options->host_keys != NULL ? options->host_keys : (const char * const *) host_key_paths;

  fake->dir = kf_test_make_tmpdir ("fake");
  fake->home = g_build_filename (fake->dir, "home", NULL);
  g_assert_cmpint (g_mkdir (fake->home, 0700), ==, 0);
  fake->authorized_keys = options->authorized_keys != NULL ? g_strdup (options->authorized_keys)
                                                           : g_build_filename (fake->dir, "authorized_keys", NULL);
  fake->state_out = g_build_filename (fake->dir, "state.json", NULL);

  ssh_port = g_strdup_printf ("%u", options->ssh_port != 0 ? options->ssh_port : 2222);
  text = g_string_new ("{");
  g_string_append (text, base_config);
  if (extra != NULL)
    g_string_append_printf (text, ", %s", extra);
  g_string_append (text, "}");
  g_string_replace (text, "@HOME@", fake->home, 0);
  g_string_replace (text, "@USER@", options->ssh_user != NULL ? options->ssh_user : g_get_user_name (), 0);
  g_string_replace (text, "@SSH_PORT@", ssh_port, 0);
  config_path = g_build_filename (fake->dir, "config.json", NULL);
  g_file_set_contents (config_path, text->str, -1, &error);
  g_assert_no_error (error);

  g_strv_builder_add_many (argv_builder, exe, "--config", config_path,
                           "--cert", options->other_certificate ? other_cert_path : cert_path,
                           "--key", options->other_certificate ? other_key_path : key_path,
                           "--redirect-port", "0", "--state-out", fake->state_out,
                           "--authorized-keys", fake->authorized_keys, NULL);
  for (guint i = 0; host_keys[i] != NULL; i++)
    g_strv_builder_add_many (argv_builder, "--host-key", host_keys[i], NULL);
  argv = g_strv_builder_end (argv_builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  fake->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fake->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "fake-truenas listening https=%u http=%u", &fake->https_port, &fake->http_port), ==, 2);
  fake->https_url = g_strdup_printf ("https://127.0.0.1:%u", fake->https_port);
  fake->http_url = g_strdup_printf ("http://127.0.0.1:%u", fake->http_port);
  return fake;
}

void
tn_fake_stop (TnFake *fake)
{
  g_autoptr(GError) error = NULL;

  if (fake == NULL)
    return;
  g_subprocess_send_signal (fake->process, SIGTERM);
  g_subprocess_wait (fake->process, NULL, &error);
  g_assert_no_error (error);
  g_object_unref (fake->process);
  g_free (fake->dir);
  g_free (fake->home);
  g_free (fake->authorized_keys);
  g_free (fake->state_out);
  g_free (fake->https_url);
  g_free (fake->http_url);
  g_free (fake);
}

char *
tn_fake_read_authorized_keys (TnFake *fake)
{
  char *contents = NULL;

  if (!g_file_get_contents (fake->authorized_keys, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

JsonNode *
tn_fake_read_state (TnFake *fake)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!g_file_test (fake->state_out, G_FILE_TEST_EXISTS))
    return NULL;
  json_parser_load_from_file (parser, fake->state_out, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}
