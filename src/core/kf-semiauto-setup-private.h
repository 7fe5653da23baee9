/* kf-semiauto-setup-private.h: what the files of the semi-automatic setup share.
 *
 * kf-semiauto-setup.c         the object, the form, the steps of a run
 * kf-semiauto-confirm.c       asking before a change on the TrueNAS ("confirm-change")
 * kf-semiauto-public-route.c  pairing without ssh_pair (user.update, ssh.config, service.*)
 * kf-semiauto-rollback.c      taking back on the TrueNAS what a failed run changed
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "kf-key-material.h"
#include "kf-semiauto-setup.h"
#include "kf-store.h"
#include "kf-truenas-public-methods.h"

G_BEGIN_DECLS

typedef void (*KfSemiautoNext)     (KfSemiautoSetup *self);
typedef void (*KfSemiautoFailFunc) (KfSemiautoSetup *self,
                                    GError          *error);

struct _KfSemiautoSetup
{
  GObject parent_instance;

  KfVault *vault;
  KfStore *store;
  KfConnection *existing;        /* pair again: the store's object */

  /* The form. */
  char *name;
  char *url_text;
  char *admin_username;
  char *password;                /* secret */
  char *api_key;                 /* secret: instead of the password */
  char *otp;                     /* secret */
  char *username;
  gboolean sudo_zfs;
  guint connect_timeout;
  char *keypair_id;
  gboolean generate;
  KfKeyType key_type;
  guint bits;
  char *pin_text;
  KfTruenasProtocol protocol;
  guint call_timeout_ms;
  KfTruenasProtocol used_protocol;

  /* One run. */
  KfSemiautoStep step;
  GTask *task;
  GSource *otp_cancel;
  KfTruenasUrl *url;
  char *pin;
  KfTruenasClient *client;
  KfKeypair *keypair;            /* existing (store object) or generated (not yet saved) */
  KfKeyMaterial *material;       /* generated */
  char *private_key;             /* secret: existing key pair's, from the keyring (kf_secret_free) */
  guint ssh_port;
  GStrv host_keys;
  char *effective_url;
  char *redirect_url;            /* the active HA controller after a standby error */
  KfConnection *connection;      /* the one saved */
  KfConnection *backup;          /* pair again: the connection as it was */
  gboolean keypair_saved;
  gboolean connection_saved;
  GPtrArray *notes;
  gboolean host_key_verified;
  gboolean ssh_login_ok;          /* logged in over SSH after pairing (exit 0, not 3) */
  char *sent_public_key;          /* what ssh_pair installs (maybe without the comment) */
  char *verify_message;
  gboolean keep_shell;

  /* The TrueNAS side of one run: what was there, what Keyferry changed. */
  KfTruenasRemoteUser *remote_user;  /* as user.query showed it before any change */
  gboolean key_was_present;      /* the public key was installed already */
  gboolean key_sent;             /* ssh_pair or user.update {sshpubkey} may have installed it */
  gboolean set_shell, add_zfs;   /* planned (and agreed to) */
  gboolean shell_asked, zfs_asked;
  gboolean shell_changed, zfs_added; /* user.update may have changed them */
  gboolean ssh_enabled, ssh_running; /* public route: the SSH service before */
  gboolean ssh_touched;          /* public route: service.update/control sent */

  /* A change waiting for kf_semiauto_setup_confirm(). */
  KfSemiautoNext confirm_next;
  GSource *confirm_cancel;
  gboolean declined;

  /* Taking the TrueNAS side back after a failure (kf-semiauto-rollback.c). */
  gboolean rolling_back;
  gboolean user_restored;        /* the key, shell and sudo are back; the service next */
  GError *rollback_error;        /* the run's error, waiting */
  KfSemiautoFailFunc rollback_done;
  KfTruenasClient *rollback_client;
  guint rollback_round_trips;    /* those of rollback_client, once it is gone */
  GCancellable *rollback_cancellable;
  GSource *rollback_timer;
  KfTruenasCertificate *peer_certificate;
  guint round_trips;
  gint64 start_us;
  gint64 api_start_us;
  gint64 api_end_us;
  gint64 end_us;
};


/* kf-semiauto-setup.c */
void          kf_semiauto_setup_fail             (KfSemiautoSetup *self,
                                                  GError          *error);
void          kf_semiauto_setup_progress         (KfSemiautoSetup *self,
                                                  KfSemiautoStep   step,
                                                  const char      *message);
void          kf_semiauto_setup_note             (KfSemiautoSetup *self,
                                                  const char      *note);
GCancellable *kf_semiauto_setup_run_cancellable  (KfSemiautoSetup *self);
const char   *kf_semiauto_setup_public_key       (KfSemiautoSetup *self);
/* The TrueNAS part is done: save, then the SSH check. */
void          kf_semiauto_setup_api_done         (KfSemiautoSetup *self);
/* Did the server answer (so the call changed nothing), rather than the
 * connection failing with the outcome unknown? */
gboolean      kf_semiauto_setup_error_is_answer  (const GError    *error);
/* "https://host:port" of the TrueNAS, for messages. */
const char   *kf_semiauto_setup_box              (KfSemiautoSetup *self);

/* kf-semiauto-confirm.c: emits ::confirm-change (@id, @message) and goes on
 * with @next once the user agrees; without a handler it goes on at once and
 * keeps @message as a note (what TrueNAS's own setup does, said). */
void          kf_semiauto_setup_request_confirm  (KfSemiautoSetup *self,
                                                  const char      *id,
                                                  const char      *message,
                                                  KfSemiautoNext   next);
void          kf_semiauto_setup_clear_confirm    (KfSemiautoSetup *self);

/* kf-semiauto-public-route.c: after ssh_pair was refused (JSON-RPC). */
void          kf_semiauto_setup_public_route     (KfSemiautoSetup *self);

/* kf-semiauto-rollback.c: takes back the key (and shell, sudo) this run
 * changed on the TrueNAS, then calls @done with @error (its message extended
 * when the rollback failed). Calls @done at once when nothing needs it. */
void          kf_semiauto_setup_rollback_remote  (KfSemiautoSetup    *self,
                                                  GError             *error,
                                                  KfSemiautoFailFunc  done);
void          kf_semiauto_setup_clear_rollback   (KfSemiautoSetup    *self);

G_END_DECLS
