/* hardening-util.h: running keyferry-cli against a private data folder, and
 * checking that the store and the keyring still agree, for the fault and
 * secret-hygiene tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  char  *data_home;   /* XDG_DATA_HOME of the CLI */
  char  *tmp_dir;     /* TMPDIR of the CLI */
  char  *bus_address; /* DBUS_SESSION_BUS_ADDRESS, or NULL: the shared one */
  char  *wrapper;     /* a program run in front of keyferry-cli, or NULL */
  GPtrArray *env;     /* more "NAME=value" for the CLI (owned strings) */
} HdCli;

/* A CLI environment with fresh folders below @dir. */
HdCli       *hd_cli_new              (const char          *dir);
void         hd_cli_free             (HdCli               *cli);
/* $XDG_DATA_HOME/keyferry/keyferry.json */
char        *hd_cli_store_path       (HdCli               *cli);
/* The launcher for keyferry-cli with this environment (stdin/out/err pipes). */
GSubprocessLauncher *hd_cli_launcher (HdCli               *cli);
/* Runs keyferry-cli ARGS…; returns the exit status (128 + signal if killed). */
int          hd_cli_run              (HdCli               *cli,
                                      const char          *stdin_text,
                                      char               **out,
                                      char               **err,
                                      ...) G_GNUC_NULL_TERMINATED;
int          hd_cli_runv             (HdCli               *cli,
                                      const char * const  *args,
                                      const char          *stdin_text,
                                      char               **out,
                                      char               **err);
/* The full argv: the wrapper (if any), keyferry-cli, @args. */
GPtrArray   *hd_cli_argv             (HdCli               *cli,
                                      const char * const  *args);
/* The same, started: the caller waits or kills. */
GSubprocess *hd_cli_spawnv           (HdCli               *cli,
                                      const char * const  *args,
                                      const char          *stdin_text);
const char  *hd_cli_path             (void);

/* Checks what every fault must leave behind, and returns the names of the
 * key pairs in the store (sorted, one string "a,b,c"):
 * - the store file loads (no damage, nothing moved aside in its folder);
 * - every key pair that claims a private key has its secret in the keyring
 *   (checked with `keyferry-cli keypair show NAME --private` on @cli's bus);
 * - every connection's key pair is in the store.
 * Keyring items without a key pair (a crash between the two writes) are
 * allowed by design (kf-vault.h); their number goes to *orphans when the
 * keyring is the shared one (else 0). */
char        *hd_check_consistent     (HdCli               *cli,
                                      guint               *orphans);

/* SIGKILLs @pid and every process below it. */
void         hd_kill_tree            (GPid                 pid);
/* The pids of the direct children of @pid. */
GArray      *hd_children_of          (GPid                 pid);

G_END_DECLS
