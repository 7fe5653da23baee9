/* kf-cli.c: the command table, option parsing and the small things every
 * subcommand shares.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-errors.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <gio/gunixinputstream.h>

static const KfCliCommand * const groups[] = {
  kf_cli_keypair_commands,
  kf_cli_connection_commands,
  kf_cli_semiauto_commands,
  kf_cli_known_hosts_commands,
};

static void
print_overview (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: keyferry-cli COMMAND [ARGUMENTS…]"));
  fprintf (out, "%s\n\n", _("Manage SSH key pairs and SSH connections kept by Keyferry."));
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const KfCliCommand *c = groups[g]; c->verb != NULL; c++)
      {
        g_autofree char *line = g_strjoin (" ", c->group ? c->group : c->verb,
                                           c->group ? c->verb : "", NULL);
        fprintf (out, "  %-28s %s\n", g_strstrip (line), _(c->summary));
      }
  fprintf (out, "\n%s\n", _("Options: --help, --version. Run “keyferry-cli COMMAND --help” for a command’s options."));
  fprintf (out, "%s\n", _("Secrets (passwords, passphrases, one-time passwords) are read from standard input only."));
  fprintf (out, "%s\n", _("Exit status: 0 success, 1 the operation failed, 2 usage error."));
}

static char *
command_name (const KfCliCommand *command)
{
  if (command->group != NULL)
    return g_strdup_printf ("%s %s", command->group, command->verb);
  return g_strdup (command->verb);
}

int
kf_cli_main (int    argc,
             char **argv)
{
  const char *first;

  if (argc < 2)
    {
      print_overview (stderr);
      return KF_CLI_EXIT_USAGE;
    }

  first = argv[1];
  if (g_str_equal (first, "--help") || g_str_equal (first, "-h") || g_str_equal (first, "help"))
    {
      print_overview (stdout);
      return KF_CLI_EXIT_OK;
    }
  if (g_str_equal (first, "--version"))
    {
      printf ("keyferry-cli %s\n", KF_VERSION);
      return KF_CLI_EXIT_OK;
    }

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const KfCliCommand *c = groups[g]; c->verb != NULL; c++)
      {
        if (c->group == NULL)
          {
            if (g_str_equal (first, c->verb))
              return c->run (argc - 1, argv + 1);
            continue;
          }
        if (!g_str_equal (first, c->group))
          continue;
        if (argc < 3)
          {
            kf_cli_fail_message (_("“%s” needs a command: see “keyferry-cli --help”."), first);
            return KF_CLI_EXIT_USAGE;
          }
        if (g_str_equal (argv[2], c->verb))
          return c->run (argc - 2, argv + 2);
      }

  fprintf (stderr, "keyferry-cli: %s\n", _("Unknown command; see “keyferry-cli --help”."));
  return KF_CLI_EXIT_USAGE;
}

gboolean
kf_cli_parse (const KfCliCommand  *command,
              const GOptionEntry  *entries,
              guint                n_positional,
              int                 *argc,
              char              ***argv,
              int                 *exit_status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = command_name (command);
  g_autofree char *param = g_strdup_printf ("%s %s", name, command->synopsis);

  context = g_option_context_new (param);
  g_option_context_set_summary (context, _(command->summary));
  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* GOptionContext exits by itself on --help; catch it first to keep exit codes ours. */
  for (int i = 1; i < *argc; i++)
    if (g_str_equal ((*argv)[i], "--help") || g_str_equal ((*argv)[i], "-h"))
      {
        g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
        fputs (help, stdout);
        *exit_status = KF_CLI_EXIT_OK;
        return FALSE;
      }

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_status = kf_cli_usage (command, "%s", error->message);
      return FALSE;
    }
  /* (*argv)[0] is the verb itself. */
  if ((guint) (*argc - 1) != n_positional)
    {
      if ((guint) (*argc - 1) < n_positional)
        *exit_status = kf_cli_usage (command, _("missing argument"));
      else
        *exit_status = kf_cli_usage (command, _("unexpected argument “%s”"), (*argv)[n_positional + 1]);
      return FALSE;
    }
  return TRUE;
}

KfStore *
kf_cli_begin_json_command (const KfCliCommand  *command,
                           guint                n_positional,
                           int                 *argc,
                           char              ***argv,
                           gboolean            *json,
                           int                 *exit_status)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, json, N_("Print JSON"), NULL },
    { NULL }
  };
  g_autoptr(GError) error = NULL;
  KfStore *store;

  if (!kf_cli_parse (command, entries, n_positional, argc, argv, exit_status))
    return NULL;
  store = kf_cli_open_store (&error);
  if (store == NULL)
    *exit_status = kf_cli_fail (error);
  return store;
}

int
kf_cli_print_list (KfStore       *store,
                   GListModel    *items,
                   gboolean       json,
                   KfCliToJson    to_json,
                   KfCliPrintLine print_line)
{
  g_autoptr(JsonArray) array = json ? json_array_new () : NULL;

  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, i);
      if (json)
        json_array_add_element (array, to_json (store, item));
      else
        print_line (store, item);
    }
  if (json)
    {
      JsonNode *root = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (root, array);
      kf_cli_print_json (root);
    }
  return KF_CLI_EXIT_OK;
}

int
kf_cli_fail (const GError *error)
{
  fprintf (stderr, "keyferry-cli: %s\n", error->message);
  return KF_CLI_EXIT_FAILED;
}

int
kf_cli_fail_message (const char *format,
                     ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "keyferry-cli: %s\n", message);
  return KF_CLI_EXIT_FAILED;
}

int
kf_cli_usage (const KfCliCommand *command,
              const char         *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *name = command_name (command);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "keyferry-cli %s: %s (usage: keyferry-cli %s %s)\n",
           name, message, name, command->synopsis);
  return KF_CLI_EXIT_USAGE;
}

KfStore *
kf_cli_open_store (GError **error)
{
  g_autoptr(KfStore) store = kf_store_new (NULL);

  if (!kf_store_load (store, error))
    return NULL;
  return g_steal_pointer (&store);
}

void
kf_cli_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

char *
kf_cli_read_secret_line (GError **error)
{
  /* Read byte by byte so that nothing after the newline is consumed:
   * a later prompt (the one-time password) reads the next line. */
  GString *line = g_string_sized_new (128);
  gboolean got_any = FALSE;
  char c;
  ssize_t n;
  char *result;

  while ((n = read (STDIN_FILENO, &c, 1)) == 1)
    {
      got_any = TRUE;
      if (c == '\n')
        break;
      if (line->len >= 4096)
        {
          explicit_bzero (line->str, line->len);
          g_string_free (line, TRUE);
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG,
                       _("The secret read from standard input is longer than 4096 characters."));
          return NULL;
        }
      g_string_append_c (line, c);
    }
  if (line->len > 0 && line->str[line->len - 1] == '\r')
    g_string_truncate (line, line->len - 1);

  if (!got_any)
    {
      g_string_free (line, TRUE);
      return NULL;
    }
  /* Copy into an exactly sized buffer and wipe the GString's. */
  result = g_strndup (line->str, line->len);
  explicit_bzero (line->str, line->allocated_len);
  g_string_free (line, TRUE);
  return result;
}

char *
kf_cli_read_secret_prompt (const char  *prompt,
                           GError     **error)
{
  struct termios saved, quiet;
  gboolean tty = isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved) == 0;
  char *secret;

  if (!tty)
    return kf_cli_read_secret_line (error);

  fputs (prompt, stderr);
  fflush (stderr);
  quiet = saved;
  quiet.c_lflag &= ~(tcflag_t) ECHO;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  secret = kf_cli_read_secret_line (error);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  fputs ("\n", stderr);
  return secret;
}

char *
kf_cli_read_text (const char *path,
                  gsize       max_size,
                  GError    **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[4096];

  if (g_strcmp0 (path, "-") == 0)
    stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      stream = G_INPUT_STREAM (g_file_read (file, NULL, error));
      if (stream == NULL)
        return NULL;
    }

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, NULL, error);
      if (n < 0)
        {
          explicit_bzero (buffer->data, buffer->len);
          return NULL;
        }
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > max_size)
        {
          explicit_bzero (buffer->data, buffer->len);
          explicit_bzero (chunk, sizeof chunk);
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG,
                       _("“%s” is larger than %" G_GSIZE_FORMAT " bytes; this is not a key file."),
                       path, max_size);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, n);
    }
  explicit_bzero (chunk, sizeof chunk);
  g_byte_array_append (buffer, (const guint8 *) "", 1);
  {
    char *text = g_strdup ((const char *) buffer->data);
    explicit_bzero (buffer->data, buffer->len);
    return text;
  }
}

void
kf_cli_async_done (GObject      *source,
                   GAsyncResult *res,
                   gpointer      user_data)
{
  GAsyncResult **result = user_data;
  *result = g_object_ref (res);
}

GAsyncResult *
kf_cli_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

void
kf_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  json_node_unref (node);
}
