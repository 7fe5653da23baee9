/* kf-cli.h: what every keyferry-cli subcommand shares.
 *
 * Exit status: 0 ok, 1 the operation failed, 2 usage error. Errors go to
 * stderr as one line. Secrets are read from stdin only, never from argv.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "kf-secret.h"
#include "kf-store.h"

G_BEGIN_DECLS

#define KF_CLI_EXIT_OK     0
#define KF_CLI_EXIT_FAILED 1
#define KF_CLI_EXIT_USAGE  2

typedef struct _KfCliCommand KfCliCommand;

/* A subcommand: "keypair list". run() gets the arguments after the verb. */
struct _KfCliCommand
{
  const char *group;      /* "keypair", "connection", or NULL for a top-level verb */
  const char *verb;
  const char *synopsis;   /* the arguments, e.g. "NAME [--json]" */
  const char *summary;
  int       (*run)        (int argc, char **argv);
};

/* The tables of each group (kf-cli-keypair.c, kf-cli-connection.c, kf-cli-known-hosts.c). */
extern const KfCliCommand kf_cli_keypair_commands[];
extern const KfCliCommand kf_cli_connection_commands[];
extern const KfCliCommand kf_cli_semiauto_commands[];
extern const KfCliCommand kf_cli_known_hosts_commands[];

/* Runs the command line; returns the exit status. */
int          kf_cli_main                 (int            argc,
                                          char         **argv);

/* Parses options for a subcommand. Returns TRUE to go on; FALSE with
 * *exit_status set (0 after --help, 2 on a usage error, message printed).
 * @n_positional: how many positional arguments are required (exactly). */
gboolean     kf_cli_parse                (const KfCliCommand *command,
                                          const GOptionEntry *entries,
                                          guint               n_positional,
                                          int                *argc,
                                          char             ***argv,
                                          int                *exit_status);
/* For commands whose only option is --json: parses, then opens the store.
 * NULL with *exit_status set when the command should end. */
KfStore     *kf_cli_begin_json_command   (const KfCliCommand *command,
                                          guint               n_positional,
                                          int                *argc,
                                          char             ***argv,
                                          gboolean           *json,
                                          int                *exit_status);
/* Prints every item of @items: a JSON array through @to_json, or a line each
 * through @print_line. Returns KF_CLI_EXIT_OK. */
typedef JsonNode *(*KfCliToJson)     (KfStore *store, gpointer item);
typedef void      (*KfCliPrintLine)  (KfStore *store, gpointer item);
int          kf_cli_print_list           (KfStore       *store,
                                          GListModel    *items,
                                          gboolean       json,
                                          KfCliToJson    to_json,
                                          KfCliPrintLine print_line);
/* Prints "keyferry-cli: MESSAGE" on stderr; returns KF_CLI_EXIT_FAILED. */
int          kf_cli_fail                 (const GError  *error);
int          kf_cli_fail_message         (const char    *format,
                                          ...) G_GNUC_PRINTF (1, 2);
/* Prints a usage error naming the command; returns KF_CLI_EXIT_USAGE. */
int          kf_cli_usage                (const KfCliCommand *command,
                                          const char    *format,
                                          ...) G_GNUC_PRINTF (2, 3);

/* The user's store, loaded. A damaged file is reported (it was moved aside). */
KfStore     *kf_cli_open_store           (GError       **error);

/* Reads one line from stdin (without the newline) into wiped memory; NULL at EOF.
 * Used for passwords, passphrases and one-time passwords. */
char        *kf_cli_read_secret_line     (GError       **error);
/* The same, but on a terminal shows @prompt on stderr and turns echo off. */
char        *kf_cli_read_secret_prompt   (const char    *prompt,
                                          GError       **error);
/* Reads a whole file, or stdin for "-", up to @max_size bytes. */
char        *kf_cli_read_text            (const char    *path,
                                          gsize          max_size,
                                          GError       **error);
/* @text made safe to quote in a one-line message: control characters and
 * invalid UTF-8 escaped, cut to about 60 characters with "…". */
char        *kf_cli_display              (const char    *text);
/* The same without the cut, for names in listings (NULL gives ""). Returns a
 * string owned by a small ring of buffers: valid until 8 more calls. */
const char  *kf_cli_escape               (const char    *text);
/* A new key pair or connection name (@kind: "key pair" or "connection"),
 * trimmed; NULL with an error when empty, too long, not UTF-8, or holding
 * control characters (line breaks, tabs, escapes) that would break listings. */
char        *kf_cli_check_name           (const char    *text,
                                          const char    *kind,
                                          GError       **error);
/* Looks a key pair / connection up by name (surrounding spaces ignored, as
 * names are stored trimmed); NULL with the "there is no …" message printed. */
KfKeypair   *kf_cli_find_keypair         (KfStore       *store,
                                          const char    *name);
KfConnection *kf_cli_find_connection     (KfStore       *store,
                                          const char    *name);
/* --port / --connect-timeout given as text (NULL: not given, *out untouched).
 * FALSE with a usage error printed and *exit_status set. */
gboolean     kf_cli_parse_port           (const KfCliCommand *command,
                                          const char    *text,
                                          guint         *out,
                                          int           *exit_status);
gboolean     kf_cli_parse_timeout        (const KfCliCommand *command,
                                          const char    *text,
                                          guint         *out,
                                          int           *exit_status);

/* --type / --key-type: kf_key_type_from_string, any letter case. */
gboolean     kf_cli_parse_key_type       (const char    *text,
                                          KfKeyType     *out);

/* Ctrl-C, SIGTERM and SIGHUP. Outside a guard they end the program at once
 * (nothing is being written then). Inside kf_cli_guard_begin/end they are held
 * back: they cancel kf_cli_get_cancellable() (seen while kf_cli_wait runs, so
 * async work rolls back), and the program ends by that signal at the last
 * kf_cli_guard_end(), after the store and keyring are consistent again. */
void         kf_cli_install_signals      (void);
void         kf_cli_guard_begin          (void);
void         kf_cli_guard_end            (void);
GCancellable *kf_cli_get_cancellable     (void);
/* TRUE when stderr is a terminal (progress lines are shown only then). */
gboolean     kf_cli_stderr_is_tty        (void);


/* Runs the default main context until *result is set (by kf_cli_async_done). */
GAsyncResult *kf_cli_wait                (GAsyncResult **result);
void         kf_cli_async_done           (GObject       *source,
                                          GAsyncResult  *res,
                                          gpointer       user_data);

/* Prints @node as pretty JSON followed by a newline; takes ownership. */
void         kf_cli_print_json           (JsonNode      *node);

G_END_DECLS

G_BEGIN_DECLS
/* kf-cli-format.c: how key pairs and connections look in --json and in text. */
JsonNode    *kf_cli_keypair_to_json      (KfStore       *store,
                                          KfKeypair     *keypair,
                                          gboolean       with_private_key_text,
                                          const char    *private_key);
JsonNode    *kf_cli_connection_to_json   (KfStore       *store,
                                          KfConnection  *connection);
void         kf_cli_print_keypair        (KfStore       *store,
                                          KfKeypair     *keypair,
                                          const char    *private_key);
void         kf_cli_print_connection     (KfStore       *store,
                                          KfConnection  *connection);
G_END_DECLS
