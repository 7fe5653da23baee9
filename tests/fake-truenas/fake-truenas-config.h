/* fake-truenas-config.h
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  FAKE_PROTOCOLS_BOTH,
  FAKE_PROTOCOLS_LEGACY,
  FAKE_PROTOCOLS_JSONRPC,
} FakeProtocols;

typedef enum {
  FAKE_ADMIN_OK,
  FAKE_ADMIN_EXPIRED,
  FAKE_ADMIN_DENIED,
} FakeAdminStatus;

/* An API key of an admin; on the wire "<id>-<key>". */
typedef struct {
  gint64    id;
  char     *key;      /* secret */
  gboolean  revoked;  /* also set when it was used over an insecure transport */
  gboolean  expired;
} FakeApiKey;

typedef struct {
  char            *username;
  char            *password;     /* secret: never logged */
  GPtrArray       *api_keys;     /* of FakeApiKey* */
  char            *otp;          /* fixed 6-digit code, or NULL (no 2FA); secret */
  gboolean         full_admin;
  FakeAdminStatus  status;
} FakeAdmin;

typedef struct {
  gint64    id;
  gint64    uid;
  char     *username;
  char     *full_name;
  char     *home;
  char     *shell;
  GPtrArray *sudo_commands;           /* of char* */
  GPtrArray *sudo_commands_nopasswd;  /* of char* */
  gboolean  local;
  char     *authorized_keys;  /* NULL: the ssh.authorized_keys file */
  char     *update_error;     /* non-NULL: user.update fails with this reason */
  GPtrArray *update_error_fields; /* of char*; NULL: every update fails, else only those touching one */
} FakeUser;

typedef struct {
  guint        drop_after_frames;     /* 0: never */
  guint        slow_reply_ms;         /* every reply, unless per-method */
  GHashTable  *slow_reply_ms_by_method; /* char* -> GUINT_TO_POINTER(ms) */
  char        *malformed_json_method;
  char        *wrong_id_method;
  char        *huge_reply_method;
  guint        huge_reply_bytes;
  char        *silent_method;
  char        *drop_after_method;     /* run it, then drop the connection unanswered (once) */
} FakeFaults;

typedef struct {
  FakeProtocols  protocols;
  GPtrArray     *api_versions;        /* of char*, e.g. "v25.04.0" */
  guint          redirect_status;     /* 301 or 308 */
  guint          public_key_max_length; /* 0: unlimited */
  GPtrArray     *absent_methods;      /* of char*, or NULL: methods this box does not have */
  guint          otp_max_tries;
  GPtrArray     *login_redirect_urls; /* non-NULL: auth.login_ex answers REDIRECT */
  guint          failed_login_delay_ms[2]; /* min, max */
  guint          rate_limit_max_calls;     /* unauthenticated calls per method and address… */
  guint          rate_limit_period_s;      /* …in this window */
  guint          rate_limit_sleep_ms[2];   /* min, max before the EBUSY answer */
  GPtrArray     *valid_shells;        /* of char* */
  GPtrArray     *admins;              /* of FakeAdmin* */
  GPtrArray     *users;               /* of FakeUser* */
  guint          ssh_port;
  gboolean       ssh_enabled;
  gboolean       ssh_running;
  gboolean       ssh_start_fails;     /* service.control START: job result false */
  gboolean       private_methods_refused; /* JSON-RPC: private methods answer -32601 */
  char          *authorized_keys;
  GPtrArray     *host_key_files;      /* of char* */
  FakeFaults     faults;
} FakeConfig;

FakeConfig *fake_config_new_from_file  (const char  *path,
                                        GError     **error);
void        fake_config_free           (FakeConfig  *config);
FakeAdmin  *fake_config_find_admin     (FakeConfig  *config,
                                        const char  *username);
FakeUser   *fake_config_find_user      (FakeConfig  *config,
                                        const char  *username);
FakeUser   *fake_config_find_user_id   (FakeConfig  *config,
                                        gint64       id);
gboolean    fake_config_is_valid_shell (FakeConfig  *config,
                                        const char  *shell);
guint       fake_config_get_delay_ms   (FakeConfig  *config,
                                        const char  *method);
const char *fake_config_user_authorized_keys (FakeConfig *config,
                                              FakeUser   *user);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeConfig, fake_config_free)

G_END_DECLS
