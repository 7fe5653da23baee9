/* kf-cli.h: what every keyferry-cli subcommand shares.
 *
 * Exit status: 0 ok, 1 the operation failed, 2 usage error, 3 a TrueNAS
 * pairing was saved but the SSH login check after it failed. Errors go to
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
#include "kf-test-result.h"
#include "kf-vault.h"

G_BEGIN_DECLS

#define KF_CLI_EXIT_OK     0
#define KF_CLI_EXIT_FAILED 1
#define KF_CLI_EXIT_USAGE  2
/* Paired and saved, but logging in over SSH afterwards failed (the reason is printed). */
#define KF_CLI_EXIT_CHECK_FAILED 3

typedef struct _KfCliCommand KfCliCommand;

/* What a command opens before its own work (kf_cli_command_open). */
typedef enum {
  KF_CLI_NEEDS_NOTHING    = 0,
  KF_CLI_NEEDS_STORE      = 1 << 0,  /* the user's store, loaded */
  KF_CLI_NEEDS_VAULT      = 1 << 1,  /* the store and a vault over it */
  KF_CLI_NEEDS_KEYPAIR    = 1 << 2,  /* the store and the key pair named by the argument */
  KF_CLI_NEEDS_CONNECTION = 1 << 3,  /* the store and the connection named by the argument */
} KfCliNeeds;

/* A subcommand: "keypair list". run() gets the arguments after the verb. */
struct _KfCliCommand
{
  const char *group;      /* "keypair", "connection", or NULL for a top-level verb */
  const char *verb;
  const char *synopsis;   /* the arguments, e.g. "NAME [--json]" */
  const char *summary;
  int       (*run)        (int argc, char **argv);
  guint       n_positional;  /* how many positional arguments it takes (exactly) */
  KfCliNeeds  needs;
  const char *help;          /* more --help text after the options (e.g. exit statuses), or NULL */
};

/* The opening every command shares: options, then the store, the vault and
 * the named key pair or connection, then (for work that writes) the signal
 * guard and the wait. Each field is set by the step that needs it; all are
 * released by kf_cli_context_clear (g_auto(KfCliContext) ctx = { 0 }). */
typedef struct
{
  const KfCliCommand *command;
  const char         *arg;         /* the positional argument, or NULL */
  KfStore            *store;
  KfVault            *vault;
  KfKeypair          *keypair;     /* with KF_CLI_NEEDS_KEYPAIR */
  KfConnection       *connection;  /* with KF_CLI_NEEDS_CONNECTION */
  GAsyncResult       *result;      /* set by kf_cli_async_done (…, &ctx->result) */
  GError             *error;       /* what kf_cli_command_end prints */
  gboolean            json;        /* --json (KF_CLI_OPTION_JSON (&ctx->json)) */
  gboolean            guarded;
  int                 status;      /* the exit status when a step returns FALSE */
} KfCliContext;

void          kf_cli_context_clear       (KfCliContext       *ctx);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (KfCliContext, kf_cli_context_clear)

/* Parses @entries for @command (--help answered, usage errors printed).
 * FALSE with ctx->status set when the command should end. */
gboolean      kf_cli_command_parse       (KfCliContext       *ctx,
                                          const KfCliCommand *command,
                                          const GOptionEntry *entries,
                                          int                 argc,
                                          char              **argv);
/* Opens what command->needs: FALSE with the error printed and ctx->status set. */
gboolean      kf_cli_command_open        (KfCliContext       *ctx);
/* kf_cli_command_parse, then kf_cli_command_open: for commands whose options
 * need no checks of their own in between. */
gboolean      kf_cli_command_begin       (KfCliContext       *ctx,
                                          const KfCliCommand *command,
                                          const GOptionEntry *entries,
                                          int                 argc,
                                          char              **argv);
/* kf_cli_command_begin for commands whose only option is --json. */
gboolean      kf_cli_command_begin_json  (KfCliContext       *ctx,
                                          const KfCliCommand *command,
                                          int                 argc,
                                          char              **argv);
/* Ctrl-C, SIGTERM and SIGHUP end the program at once outside a guard
 * (nothing is being written then). From here to kf_cli_command_release they
 * are held back: they cancel the returned cancellable (seen while
 * kf_cli_command_wait runs, so async work that takes it rolls back), and the
 * program ends by that signal at the release, after the store and the
 * keyring are consistent again. */
GCancellable *kf_cli_command_guard       (KfCliContext       *ctx);
/* Runs the main context until the async call given
 * (kf_cli_async_done, &ctx->result) has ended; returns ctx->result. */
GAsyncResult *kf_cli_command_wait        (KfCliContext       *ctx);
/* Ends the guard (a held-back signal ends the program here). */
void          kf_cli_command_release     (KfCliContext       *ctx);
/* Prints ctx->error unless @ok, then releases; returns the exit status. */
int           kf_cli_command_end         (KfCliContext       *ctx,
                                          gboolean            ok);

/* The --json option, in a command's option table. */
#define KF_CLI_OPTION_JSON(flag) \
  { "json", 0, 0, G_OPTION_ARG_NONE, (flag), N_("Print JSON"), NULL }

/* The tables of each group (kf-cli-keypair.c, kf-cli-connection.c, kf-cli-known-hosts.c). */
extern const KfCliCommand kf_cli_keypair_commands[];
extern const KfCliCommand kf_cli_connection_commands[];
extern const KfCliCommand kf_cli_check_commands[];
extern const KfCliCommand kf_cli_semiauto_commands[];
extern const KfCliCommand kf_cli_known_hosts_commands[];
extern const KfCliCommand kf_cli_agent_commands[];
extern const KfCliCommand kf_cli_ssh_config_commands[];

/* Runs the command line; returns the exit status. */
/* keypair rotate (kf-cli-rotate.c) */
int          kf_cli_keypair_rotate       (int            argc,
                                          char         **argv);

int          kf_cli_main                 (int            argc,
                                          char         **argv);

/* "keypair list" and "connection list": [--json], then every item of the
 * store's list, as one JSON array through @to_json or a line each through
 * @print_line. Returns the exit status. */
typedef GListModel *(*KfCliGetItems) (KfStore *store);
typedef JsonNode   *(*KfCliToJson)   (KfStore *store, gpointer item);
typedef void        (*KfCliPrintLine) (KfStore *store, gpointer item);
int          kf_cli_list_command         (const KfCliCommand *command,
                                          int                 argc,
                                          char              **argv,
                                          KfCliGetItems       get_items,
                                          KfCliToJson         to_json,
                                          KfCliPrintLine      print_line);
/* Prints "keyferry-cli: MESSAGE" on stderr; returns KF_CLI_EXIT_FAILED. */
int          kf_cli_fail                 (const GError  *error);
int          kf_cli_fail_message         (const char    *format,
                                          ...) G_GNUC_PRINTF (1, 2);
/* Prints a usage error naming the command; returns KF_CLI_EXIT_USAGE. */
int          kf_cli_usage                (const KfCliCommand *command,
                                          const char    *format,
                                          ...) G_GNUC_PRINTF (2, 3);

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
/* A number option given as text (NULL: not given, *out untouched), checked
 * by @validate (kf_connection_validate_port or _timeout). FALSE with the usage
 * error "OPTION: why" printed and ctx->status set. */
typedef gboolean (*KfCliValidateNumber) (const char *text, guint *out, GError **error);
gboolean     kf_cli_parse_number         (KfCliContext  *ctx,
                                          const char    *option,
                                          const char    *text,
                                          KfCliValidateNumber validate,
                                          guint         *out);

/* --type / --key-type: kf_key_type_from_string, any letter case. */
gboolean     kf_cli_parse_key_type       (const char    *text,
                                          KfKeyType     *out);

/* Ctrl-C, SIGTERM and SIGHUP: see kf_cli_command_guard. */
void         kf_cli_install_signals      (void);
/* TRUE when stderr is a terminal (progress lines are shown only then). */
gboolean     kf_cli_stderr_is_tty        (void);


/* Sets *(GAsyncResult **) user_data to a reference on @res. */
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
/* An array of host keys (KfHostKey), as "connection discover-host-key" prints them. */
JsonNode    *kf_cli_host_keys_to_json    (GPtrArray     *keys);
void         kf_cli_print_keypair        (KfStore       *store,
                                          KfKeypair     *keypair,
                                          const char    *private_key);
void         kf_cli_print_connection     (KfStore       *store,
                                          KfConnection  *connection);
/* A Test's result as "connection test --json" prints it (ok, message, host
 * key, phases with ms, total_ms, truenas_version when read). */
JsonNode    *kf_cli_test_result_to_json  (KfTestResult  *result);
G_END_DECLS
