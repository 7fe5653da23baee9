/* kf-errors.h: error domains of the core.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define KF_STORE_ERROR   (kf_store_error_quark ())
#define KF_KEYRING_ERROR (kf_keyring_error_quark ())
#define KF_KEY_ERROR     (kf_key_error_quark ())
#define KF_SSH_ERROR     (kf_ssh_error_quark ())
#define KF_TRUENAS_ERROR (kf_truenas_error_quark ())
#define KF_INPUT_ERROR   (kf_input_error_quark ())

/* The store file and its models. */
typedef enum {
  KF_STORE_ERROR_DAMAGED,        /* unreadable or malformed: moved aside */
  KF_STORE_ERROR_NEWER_VERSION,  /* written by a newer Keyferry: moved aside */
  KF_STORE_ERROR_IO,             /* cannot read / write / lock */
  KF_STORE_ERROR_NAME_TAKEN,     /* a name that must be unique is used */
  KF_STORE_ERROR_NOT_FOUND,      /* no such key pair / connection */
  KF_STORE_ERROR_IN_USE,         /* key pair is used by connections */
} KfStoreError;

/* The Secret Service. */
typedef enum {
  KF_KEYRING_ERROR_NO_SERVICE,   /* no Secret Service on the bus */
  KF_KEYRING_ERROR_LOCKED,       /* locked and the user declined to unlock */
  KF_KEYRING_ERROR_NOT_FOUND,    /* no secret for that key pair */
  KF_KEYRING_ERROR_FAILED,       /* anything else the service reported */
} KfKeyringError;

/* Key material: generation, import, parsing. */
typedef enum {
  KF_KEY_ERROR_NOT_A_KEY,
  KF_KEY_ERROR_UNSUPPORTED_TYPE,
  KF_KEY_ERROR_WRONG_PASSPHRASE,
  KF_KEY_ERROR_NEEDS_PASSPHRASE,
  KF_KEY_ERROR_TRUNCATED,
  KF_KEY_ERROR_MISMATCH,         /* public key does not match private key */
  KF_KEY_ERROR_NO_PRIVATE_KEY,   /* public-only key pair used where a private key is needed */
  KF_KEY_ERROR_TOO_LARGE,
  KF_KEY_ERROR_FAILED,
} KfKeyError;

/* SSH connections: discovery and test. */
typedef enum {
  KF_SSH_ERROR_RESOLVE,          /* host name does not resolve */
  KF_SSH_ERROR_REFUSED,          /* connection refused */
  KF_SSH_ERROR_TIMEOUT,          /* Connect Timeout elapsed */
  KF_SSH_ERROR_HOST_KEY_MISMATCH,/* presented key is not one of the stored ones */
  KF_SSH_ERROR_NO_HOST_KEYS,     /* no stored host key to verify against */
  KF_SSH_ERROR_AUTH_FAILED,      /* the server did not accept our key */
  KF_SSH_ERROR_COMMAND_FAILED,   /* logged in, the trivial command failed */
  KF_SSH_ERROR_PROTOCOL,         /* handshake failed / connection dropped */
  KF_SSH_ERROR_FAILED,
} KfSshError;

/* The remote TrueNAS API. */
typedef enum {
  KF_TRUENAS_ERROR_BAD_URL,
  KF_TRUENAS_ERROR_UNREACHABLE,
  KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE, /* not trusted and not pinned */
  KF_TRUENAS_ERROR_CERTIFICATE_CHANGED,   /* pinned, but the server now shows another one */
  KF_TRUENAS_ERROR_AUTH_FAILED,           /* wrong admin user / password */
  KF_TRUENAS_ERROR_OTP_REQUIRED,          /* server wants a one-time password */
  KF_TRUENAS_ERROR_OTP_FAILED,            /* one-time password refused */
  KF_TRUENAS_ERROR_NOT_AUTHORIZED,        /* admin is not a full admin */
  KF_TRUENAS_ERROR_NO_SUCH_USER,          /* SSH user missing on the remote */
  KF_TRUENAS_ERROR_NO_HOME,               /* SSH user's home directory missing */
  KF_TRUENAS_ERROR_USER_UPDATE,           /* user.update refused */
  KF_TRUENAS_ERROR_TIMEOUT,               /* a call timed out, or the conversation's deadline ran out */
  KF_TRUENAS_ERROR_PROTOCOL,              /* malformed reply, dropped socket, wrong id */
  KF_TRUENAS_ERROR_REMOTE,                /* any other error the server reported */
  KF_TRUENAS_ERROR_ACCOUNT,               /* expired / denied */
  KF_TRUENAS_ERROR_NO_METHOD,             /* this TrueNAS does not offer a method Keyferry needs */
  KF_TRUENAS_ERROR_STANDBY,               /* HA standby controller: use the active one */
  KF_TRUENAS_ERROR_RATE_LIMITED,          /* too many logins from here: wait a minute */
} KfTruenasError;

/* Validation of what a user typed. */
typedef enum {
  KF_INPUT_ERROR_NAME,
  KF_INPUT_ERROR_HOST,
  KF_INPUT_ERROR_PORT,
  KF_INPUT_ERROR_USERNAME,
  KF_INPUT_ERROR_TIMEOUT,
  KF_INPUT_ERROR_URL,
  KF_INPUT_ERROR_KEYPAIR,
  KF_INPUT_ERROR_HOST_KEY,
  KF_INPUT_ERROR_TOO_LONG,
  KF_INPUT_ERROR_ADMIN_USERNAME, /* the TrueNAS admin of the semi-automatic setup */
  KF_INPUT_ERROR_ADMIN_PASSWORD, /* the password or the API key */
} KfInputError;

GQuark kf_store_error_quark   (void);
GQuark kf_keyring_error_quark (void);
GQuark kf_key_error_quark     (void);
GQuark kf_ssh_error_quark     (void);
GQuark kf_truenas_error_quark (void);
GQuark kf_input_error_quark   (void);

/* Limits on what users and servers can send; see kf-errors.c. */
#define KF_MAX_NAME_LEN        200
#define KF_MAX_HOST_LEN        255
#define KF_MAX_USERNAME_LEN    64
#define KF_MAX_URL_LEN         2048
#define KF_MAX_KEY_TEXT_LEN    (64 * 1024)
#define KF_MAX_COMMENT_LEN     1024
#define KF_MAX_HOST_KEYS       32
#define KF_MAX_REPLY_SIZE      (4 * 1024 * 1024)

G_END_DECLS
