/* kf-cli.c: the command table, option parsing and the small things every
 * subcommand shares.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-cli"

#include "kf-cli.h"
#include "kf-connection-validate.h"
#include "kf-errors.h"
#include "kf-secret.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <gio/gunixinputstream.h>

/* Set while a terminal prompt has echo off (see on_signal). */
static struct termios prompt_saved;
static volatile sig_atomic_t prompt_active;

static const KfCliCommand * const groups[] = {
  kf_cli_keypair_commands,
  kf_cli_connection_commands,
  kf_cli_check_commands,
  kf_cli_semiauto_commands,
  kf_cli_known_hosts_commands,
  kf_cli_agent_commands,
  kf_cli_ssh_config_commands,
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
  fprintf (out, "%s\n", _("Exit status: 0 success, 1 the operation failed, 2 usage error, "
                          "3 TrueNAS paired and connection saved but the SSH login check failed."));
}

static char *
command_name (const KfCliCommand *command)
{
  if (command->group != NULL)
    return g_strdup_printf ("%s %s", command->group, command->verb);
  return g_strdup (command->verb);
}

static gboolean
is_help (const char *arg)
{
  return g_str_equal (arg, "--help") || g_str_equal (arg, "-h") || g_str_equal (arg, "help");
}

static gboolean
is_group (const char *group)
{
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const KfCliCommand *c = groups[g]; c->verb != NULL; c++)
      if (g_strcmp0 (c->group, group) == 0)
        return TRUE;
  return FALSE;
}

/* "keyferry-cli GROUP --help": the group's commands, from the same table as
 * the overview (so a new group gets its help with no code of its own). */
static void
print_group_help (FILE       *out,
                  const char *group)
{
  g_autofree char *usage = g_strdup_printf (_("Usage: keyferry-cli %s COMMAND [ARGUMENTS…]"), group);
  g_autofree char *more = g_strdup_printf (_("Run “keyferry-cli %s COMMAND --help” for a command’s options."), group);

  fprintf (out, "%s\n\n%s\n", usage, _("Commands:"));
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const KfCliCommand *c = groups[g]; c->verb != NULL; c++)
      if (g_strcmp0 (c->group, group) == 0)
        fprintf (out, "  %-22s %s\n", c->verb, _(c->summary));
  fprintf (out, "\n%s\n", more);
}

/* The command of @group named @verb, or NULL. */
static const KfCliCommand *
find_command (const char *group,
              const char *verb)
{
  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (const KfCliCommand *c = groups[g]; c->verb != NULL; c++)
      if (g_strcmp0 (c->group, group) == 0 && g_str_equal (c->verb, verb))
        return c;
  return NULL;
}

int
kf_cli_main (int    argc,
             char **argv)
{
  const KfCliCommand *command;
  const char *first;

  /* GOption's usage lines start with the program name. */
  if (g_get_prgname () == NULL)
    g_set_prgname ("keyferry-cli");

  if (argc < 2)
    {
      print_overview (stderr);
      return KF_CLI_EXIT_USAGE;
    }

  first = argv[1];
  if (is_help (first))
    {
      print_overview (stdout);
      return KF_CLI_EXIT_OK;
    }
  if (g_str_equal (first, "--version"))
    {
      printf ("keyferry-cli %s\n", KF_VERSION);
      return KF_CLI_EXIT_OK;
    }

  if ((command = find_command (NULL, first)) != NULL)
    return command->run (argc - 1, argv + 1);
  if (!is_group (first))
    {
      fprintf (stderr, "keyferry-cli: %s\n", _("Unknown command; see “keyferry-cli --help”."));
      return KF_CLI_EXIT_USAGE;
    }
  if (argc < 3)
    {
      print_group_help (stderr, first);
      return KF_CLI_EXIT_USAGE;
    }
  if (is_help (argv[2]))
    {
      print_group_help (stdout, first);
      return KF_CLI_EXIT_OK;
    }
  if ((command = find_command (first, argv[2])) != NULL)
    return command->run (argc - 2, argv + 2);

  {
    g_autofree char *shown = kf_cli_display (argv[2]);
    kf_cli_fail_message (_("“%s %s” is not a command; see “keyferry-cli %s --help”."), first, shown, first);
  }
  return KF_CLI_EXIT_USAGE;
}

/* Appends @text with control characters and invalid UTF-8 escaped (so a
 * message stays on one line and cannot drive the terminal); with @max_chars
 * > 0, stops after that many characters and adds "…". */
static void
append_escaped (GString    *out,
                const char *text,
                glong       max_chars)
{
  const char *p = text;
  const char *end = text + strlen (text);
  glong n = 0;

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (max_chars > 0 && n++ >= max_chars)
        {
          g_string_append (out, "…");
          return;
        }
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
        g_string_append_printf (out, "\\x%02x", (guint) c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
}

char *
kf_cli_display (const char *text)
{
  GString *out = g_string_new (NULL);

  append_escaped (out, text ? text : "", 60);
  return g_string_free (out, FALSE);
}

const char *
kf_cli_escape (const char *text)
{
  static char *ring[8];
  static guint next;
  GString *out = g_string_new (NULL);

  append_escaped (out, text ? text : "", 0);
  next = (next + 1) % G_N_ELEMENTS (ring);
  g_free (ring[next]);
  ring[next] = g_string_free (out, FALSE);
  return ring[next];
}

/* Prints "keyferry-cli: MESSAGE" as exactly one line, whatever @message holds
 * (core messages may quote what the user typed). */
static void
print_error_line (const char *prefix,
                  const char *message)
{
  g_autoptr(GString) line = g_string_new (prefix);

  append_escaped (line, message, 0);
  fprintf (stderr, "%s\n", line->str);
}

int
kf_cli_fail (const GError *error)
{
  /* Only a signal cancels (kf_cli_command_guard): say it plainly, whichever layer noticed. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      print_error_line ("keyferry-cli: ", _("Interrupted; nothing was changed."));
      return KF_CLI_EXIT_FAILED;
    }
  print_error_line ("keyferry-cli: ", error->message);
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
  print_error_line ("keyferry-cli: ", message);
  return KF_CLI_EXIT_FAILED;
}

int
kf_cli_usage (const KfCliCommand *command,
              const char         *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;
  g_autofree char *full = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *name = command_name (command);

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  /* Translators: a usage error, then the command and its synopsis */
  full = g_strdup_printf (_("%s (usage: keyferry-cli %s %s)"), message, name, command->synopsis);
  prefix = g_strdup_printf ("keyferry-cli %s: ", name);
  print_error_line (prefix, full);
  return KF_CLI_EXIT_USAGE;
}

/* The user's store, loaded. */
static KfStore *
open_store (GError **error)
{
  g_autoptr(KfStore) store = kf_store_new (NULL);
  g_autoptr(GError) local_error = NULL;

  if (!kf_store_load (store, &local_error))
    {
      /* The file was moved aside, and only this run says so: tell what the
       * next run will do, since this command did nothing. */
      if (g_error_matches (local_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED)
          || g_error_matches (local_error, KF_STORE_ERROR, KF_STORE_ERROR_NEWER_VERSION))
        g_set_error (error, local_error->domain, local_error->code, "%s %s", local_error->message,
                     _("This command did nothing; run it again to go on with empty lists."));
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_steal_pointer (&store);
}

char *
kf_cli_check_name (const char  *text,
                   const char  *kind,
                   GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (text ? text : ""));

  if (*trimmed == '\0')
    {
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME, _("Give a name for the %s."), kind);
      return NULL;
    }
  if (g_utf8_validate (trimmed, -1, NULL))
    for (const char *p = trimmed; *p; p = g_utf8_next_char (p))
      if (g_unichar_iscntrl (g_utf8_get_char (p)))
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME,
                       _("The name must not hold line breaks, tabs or other control characters; choose another name."));
          return NULL;
        }
  /* Length and UTF-8: the same rules as in the app. */
  return kf_connection_validate_name (trimmed, error);
}

/* The key pair (@keypair) or connection named @name, spaces around ignored
 * (names are stored trimmed); NULL with "there is no …" printed. */
static gpointer
find_named (KfStore    *store,
            const char *name,
            gboolean    keypair)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  gpointer found = keypair ? (gpointer) kf_store_find_keypair_by_name (store, trimmed)
                           : (gpointer) kf_store_find_connection_by_name (store, trimmed);

  if (found == NULL)
    {
      g_autofree char *shown = kf_cli_display (name);
      kf_cli_fail_message (keypair ? _("There is no key pair named “%s”; see “keyferry-cli keypair list”.")
                                   : _("There is no connection named “%s”; see “keyferry-cli connection list”."),
                           shown);
    }
  return found;
}

KfKeypair *
kf_cli_find_keypair (KfStore    *store,
                     const char *name)
{
  return find_named (store, name, TRUE);
}

KfConnection *
kf_cli_find_connection (KfStore    *store,
                        const char *name)
{
  return find_named (store, name, FALSE);
}

gboolean
kf_cli_parse_number (KfCliContext        *ctx,
                     const char          *option,
                     const char          *text,
                     KfCliValidateNumber  validate,
                     guint               *out)
{
  g_autoptr(GError) error = NULL;

  if (text == NULL)
    return TRUE;
  if (!validate (text, out, &error))
    {
      ctx->status = kf_cli_usage (ctx->command, "%s: %s", option, error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
kf_cli_parse_key_type (const char *text,
                       KfKeyType  *out)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);

  return kf_key_type_from_string (lower, out);
}

/* Signals: see kf-cli.h. The handler only touches these and async-signal-safe calls. */
static volatile sig_atomic_t guard_depth;
static volatile sig_atomic_t pending_signal;
static int wake_pipe[2] = { -1, -1 };
static GCancellable *cancellable;

static void
on_signal (int signo)
{
  /* At a terminal prompt (echo off) nothing is being written (the one-time
   * password is asked while logging in, before anything is saved): give the
   * terminal back and end now rather than wait for Enter. */
  if (prompt_active)
    tcsetattr (STDIN_FILENO, TCSAFLUSH, &prompt_saved);
  if (guard_depth == 0 || prompt_active)
    {
      signal (signo, SIG_DFL);
      raise (signo);
      return;
    }
  if (pending_signal == 0)
    pending_signal = signo;
  if (wake_pipe[1] >= 0)
    {
      int saved_errno = errno;
      char c = 1;
      if (write (wake_pipe[1], &c, 1) < 0)
        { /* The pipe is full: a wake-up is already pending. */ }
      errno = saved_errno;
    }
}

static gboolean
on_wake (int          fd,
         GIOCondition condition,
         gpointer     user_data)
{
  char buf[16];

  while (read (fd, buf, sizeof buf) > 0)
    ;
  g_cancellable_cancel (cancellable);
  return G_SOURCE_CONTINUE;
}

void
kf_cli_install_signals (void)
{
  const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction action = { 0 };

  /* A closed stdin/stdout/stderr would be reused by the pipe below (reading
   * "stdin" would then wait forever): give them /dev/null, so a closed stdin
   * reads as empty. */
  for (int fd = 0; fd <= 2; fd++)
    if (fcntl (fd, F_GETFD) == -1 && errno == EBADF)
      {
        int null_fd = open ("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (null_fd >= 0 && null_fd != fd)
          close (null_fd);
      }

  cancellable = g_cancellable_new ();
  if (g_unix_open_pipe (wake_pipe, FD_CLOEXEC, NULL))
    {
      g_unix_set_fd_nonblocking (wake_pipe[0], TRUE, NULL);
      g_unix_set_fd_nonblocking (wake_pipe[1], TRUE, NULL);
      g_unix_fd_add (wake_pipe[0], G_IO_IN, on_wake, NULL);
    }
  action.sa_handler = on_signal;
  /* SA_RESTART: library calls in other threads must not see EINTR. */
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      struct sigaction old;
      /* A signal ignored by whoever started us (nohup, a background job) stays ignored. */
      if (sigaction (signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
        continue;
      sigaction (signals[i], &action, NULL);
    }
}

static GCancellable *
get_cancellable (void)
{
  return cancellable;
}

static void
guard_begin (void)
{
  guard_depth++;
}

static void
guard_end (void)
{
  g_return_if_fail (guard_depth > 0);
  if (--guard_depth == 0 && pending_signal != 0)
    {
      int signo = pending_signal;
      fflush (stdout);
      signal (signo, SIG_DFL);
      raise (signo);
    }
}

gboolean
kf_cli_stderr_is_tty (void)
{
  return isatty (STDERR_FILENO);
}

char *
kf_cli_read_secret_line (GError **error)
{
  /* Read byte by byte so that nothing after the newline is consumed:
   * a later prompt (the one-time password) reads the next line. */
  /* Sized for the longest accepted line: appending never reallocates. */
  GString *line = kf_secret_string_new (4096 + 2);
  gboolean got_any = FALSE;
  char c;
  ssize_t n;

  while ((n = read (STDIN_FILENO, &c, 1)) == 1)
    {
      got_any = TRUE;
      if (c == '\n')
        break;
      if (line->len >= 4096)
        {
          kf_secret_string_free (line);
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
      kf_secret_string_free (line);
      return NULL;
    }
  /* An exactly sized copy; the GString's buffer is wiped. */
  return kf_secret_string_steal (line);
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
  prompt_saved = saved;
  prompt_active = TRUE;
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
  secret = kf_cli_read_secret_line (error);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
  prompt_active = FALSE;
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

  g_autofree char *shown = NULL;
  g_autoptr(GError) local_error = NULL;

  if (path == NULL || *path == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("An empty file name was given; give the path of the file, or - for standard input."));
      return NULL;
    }
  if (g_strcmp0 (path, "-") == 0)
    shown = g_strdup (_("Standard input"));
  else
    {
      g_autofree char *display = kf_cli_display (path);
      shown = g_strdup_printf ("“%s”", display);
    }
  if (g_strcmp0 (path, "-") == 0)
    stream = g_unix_input_stream_new (STDIN_FILENO, FALSE);
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
      stream = G_INPUT_STREAM (g_file_read (file, NULL, &local_error));
      if (stream == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                         _("There is no file %s; check the path."), shown);
          else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                         _("%s is a folder; give the path of a file."), shown);
          else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                         _("%s cannot be read (permission denied); check who owns it."), shown);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         _("%s cannot be read; check that it is a readable file."), shown);
          return NULL;
        }
    }

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, NULL, &local_error);
      if (n < 0)
        {
          kf_secret_byte_array_wipe (buffer);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("%s could not be read; check that it is a readable file."), shown);
          return NULL;
        }
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > max_size)
        {
          kf_secret_byte_array_wipe (buffer);
          kf_secret_wipe (chunk, sizeof chunk);
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_TOO_LONG,
                       _("%s is larger than %zu bytes; this is not a key file."),
                       shown, max_size);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, n);
    }
  kf_secret_wipe (chunk, sizeof chunk);
  /* A NUL byte would cut the text short, and key files are text. */
  if (buffer->len > 0 && memchr (buffer->data, '\0', buffer->len) != NULL)
    {
      kf_secret_byte_array_wipe (buffer);
      g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_HOST_KEY,
                   _("%s is a binary file, not a key file; give a key in OpenSSH or PEM text form."), shown);
      return NULL;
    }
  g_byte_array_append (buffer, (const guint8 *) "", 1);
  {
    char *text = g_strdup ((const char *) buffer->data);
    kf_secret_byte_array_wipe (buffer);
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

static GAsyncResult *
wait_for (GAsyncResult **result)
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

/* ---- The opening every command shares (kf-cli.h) ---- */

gboolean
kf_cli_command_parse (KfCliContext       *ctx,
                      const KfCliCommand *command,
                      const GOptionEntry *entries,
                      int                 argc,
                      char              **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = command_name (command);
  g_autofree char *param = g_strdup_printf ("%s %s", name, command->synopsis);

  ctx->command = command;
  context = g_option_context_new (param);
  g_option_context_set_summary (context, _(command->summary));
  if (command->help != NULL)
    g_option_context_set_description (context, _(command->help));
  g_option_context_set_help_enabled (context, TRUE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  /* GOptionContext exits by itself on --help; catch it first to keep exit codes ours. */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
      {
        g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
        fputs (help, stdout);
        ctx->status = KF_CLI_EXIT_OK;
        return FALSE;
      }

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      /* GOption converts string options from the locale's encoding. */
      if (error->domain == G_CONVERT_ERROR)
        ctx->status = kf_cli_usage (command, _("an argument is not valid text in this locale’s encoding (UTF-8 expected)"));
      else
        ctx->status = kf_cli_usage (command, "%s", error->message);
      return FALSE;
    }
  /* argv[0] is the verb itself. */
  if ((guint) (argc - 1) != command->n_positional)
    {
      if ((guint) (argc - 1) < command->n_positional)
        ctx->status = kf_cli_usage (command, _("missing argument"));
      else
        ctx->status = kf_cli_usage (command, _("unexpected argument “%s”"), argv[command->n_positional + 1]);
      return FALSE;
    }
  ctx->arg = command->n_positional > 0 ? argv[1] : NULL;
  return TRUE;
}

gboolean
kf_cli_command_open (KfCliContext *ctx)
{
  KfCliNeeds needs = ctx->command->needs;

  if (needs == KF_CLI_NEEDS_NOTHING)
    return TRUE;
  ctx->status = KF_CLI_EXIT_FAILED;
  if (!(ctx->store = open_store (&ctx->error)))
    {
      ctx->status = kf_cli_fail (ctx->error);
      return FALSE;
    }
  if ((needs & KF_CLI_NEEDS_KEYPAIR) != 0)
    {
      KfKeypair *keypair = kf_cli_find_keypair (ctx->store, ctx->arg);
      if (keypair == NULL)
        return FALSE;
      ctx->keypair = g_object_ref (keypair);
    }
  if ((needs & KF_CLI_NEEDS_CONNECTION) != 0)
    {
      KfConnection *connection = kf_cli_find_connection (ctx->store, ctx->arg);
      if (connection == NULL)
        return FALSE;
      ctx->connection = g_object_ref (connection);
    }
  if ((needs & KF_CLI_NEEDS_VAULT) != 0)
    ctx->vault = kf_vault_new (ctx->store);
  ctx->status = KF_CLI_EXIT_OK;
  return TRUE;
}

gboolean
kf_cli_command_begin (KfCliContext       *ctx,
                      const KfCliCommand *command,
                      const GOptionEntry *entries,
                      int                 argc,
                      char              **argv)
{
  return kf_cli_command_parse (ctx, command, entries, argc, argv) && kf_cli_command_open (ctx);
}

gboolean
kf_cli_command_begin_json (KfCliContext       *ctx,
                           const KfCliCommand *command,
                           int                 argc,
                           char              **argv)
{
  const GOptionEntry entries[] = {
    KF_CLI_OPTION_JSON (&ctx->json),
    { NULL }
  };

  return kf_cli_command_begin (ctx, command, entries, argc, argv);
}

GCancellable *
kf_cli_command_guard (KfCliContext *ctx)
{
  g_return_val_if_fail (!ctx->guarded, NULL);
  ctx->guarded = TRUE;
  guard_begin ();
  return get_cancellable ();
}

GAsyncResult *
kf_cli_command_wait (KfCliContext *ctx)
{
  return wait_for (&ctx->result);
}

void
kf_cli_command_release (KfCliContext *ctx)
{
  if (!ctx->guarded)
    return;
  ctx->guarded = FALSE;
  guard_end ();
}

int
kf_cli_command_end (KfCliContext *ctx,
                    gboolean      ok)
{
  int status = ok ? KF_CLI_EXIT_OK : kf_cli_fail (ctx->error);

  kf_cli_command_release (ctx);
  return status;
}

void
kf_cli_context_clear (KfCliContext *ctx)
{
  kf_cli_command_release (ctx);
  g_clear_object (&ctx->result);
  g_clear_object (&ctx->connection);
  g_clear_object (&ctx->keypair);
  g_clear_object (&ctx->vault);
  g_clear_object (&ctx->store);
  g_clear_error (&ctx->error);
}

int
kf_cli_list_command (const KfCliCommand *command,
                     int                 argc,
                     char              **argv,
                     KfCliGetItems       get_items,
                     KfCliToJson         to_json,
                     KfCliPrintLine      print_line)
{
  g_auto(KfCliContext) ctx = { 0 };
  GListModel *items;
  g_autoptr(JsonArray) array = NULL;

  if (!kf_cli_command_begin_json (&ctx, command, argc, argv))
    return ctx.status;
  items = get_items (ctx.store);
  if (ctx.json)
    array = json_array_new ();
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (items, i);
      if (ctx.json)
        json_array_add_element (array, to_json (ctx.store, item));
      else
        print_line (ctx.store, item);
    }
  if (ctx.json)
    {
      JsonNode *root = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (root, array);
      kf_cli_print_json (root);
    }
  return KF_CLI_EXIT_OK;
}
