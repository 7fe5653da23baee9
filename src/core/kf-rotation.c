/* kf-rotation.c: Rotate Key Pair (see kf-rotation.h).
 *
 * The run is one worker thread that takes the boxes one after the other with
 * blocking SSH/SFTP/API calls. What must happen on the caller's thread (the
 * store, the vault with its keyring calls, the "progress" signal) is handed to
 * the caller's main context, and the worker waits for it (owner_call()).
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-rotation"

#include <glib/gi18n.h>
#include <string.h>

#include "kf-errors.h"
#include "kf-key-type.h"
#include "kf-rotation-private.h"
#include "kf-secret.h"
#include "kf-ssh-key.h"
#include "kf-ssh-probe.h"

static const char * const step_ids[] = {
  "pending", "install", "login-new", "point", "remove-old", "check-old", "done",
  "rollback", "rolled-back", "failed",
};

const char *
kf_rotation_step_to_string (KfRotationStep step)
{
  g_return_val_if_fail ((guint) step < G_N_ELEMENTS (step_ids), NULL);
  return step_ids[step];
}

gboolean
kf_rotation_step_from_string (const char     *text,
                              KfRotationStep *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (step_ids); i++)
    if (g_strcmp0 (text, step_ids[i]) == 0)
      {
        *out = (KfRotationStep) i;
        return TRUE;
      }
  return FALSE;
}

typedef struct {
  KfConnection   *connection;   /* the store's object: owner thread only */
  KfConnection   *copy;         /* what the worker reads */
  KfRotationStep  step;         /* how it ended */
  char           *message;
  double          ms;
  KfSecret       *secret;       /* TrueNAS admin password or API key */
  gboolean        is_api_key;
  KfRotationTruenas *truenas;   /* the worker's API session, while the box runs */
} Box;

static void
box_free (Box *box)
{
  g_clear_object (&box->connection);
  g_clear_object (&box->copy);
  g_free (box->message);
  kf_secret_free (box->secret);
  kf_rotation_truenas_close (box->truenas);
  g_free (box);
}

struct _KfRotation {
  GObject             parent_instance;

  KfVault            *vault;
  KfKeypair          *old_keypair;
  KfKeypair          *new_keypair;
  KfKeyType           type;
  guint               bits;
  gboolean            resume;
  gboolean            rollback;
  gboolean            old_unused;
  GPtrArray          *boxes;          /* Box */
  char               *journal_path;
  KfRotationJournal  *journal;        /* the resumed one, then the worker's */
  GMainContext       *owner;
  KfSecret           *old_private;    /* worker only, during the run */
  KfSecret           *new_private;
  gpointer            otp_call;       /* the OwnerCall waiting for kf_rotation_provide_otp() */
};

G_DEFINE_FINAL_TYPE (KfRotation, kf_rotation, G_TYPE_OBJECT)

enum { SIGNAL_PROGRESS, SIGNAL_OTP_REQUESTED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
kf_rotation_finalize (GObject *object)
{
  KfRotation *self = KF_ROTATION (object);

  g_clear_object (&self->vault);
  g_clear_object (&self->old_keypair);
  g_clear_object (&self->new_keypair);
  g_ptr_array_unref (self->boxes);
  g_free (self->journal_path);
  kf_rotation_journal_free (self->journal);
  g_clear_pointer (&self->owner, g_main_context_unref);
  kf_secret_free (self->old_private);
  kf_secret_free (self->new_private);
  G_OBJECT_CLASS (kf_rotation_parent_class)->finalize (object);
}

static void
kf_rotation_class_init (KfRotationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kf_rotation_finalize;

  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                           NULL, NULL, NULL, G_TYPE_NONE, 3,
                                           KF_TYPE_CONNECTION, G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_OTP_REQUESTED] = g_signal_new ("otp-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 1, KF_TYPE_CONNECTION);
}

static void
kf_rotation_init (KfRotation *self)
{
  self->boxes = g_ptr_array_new_with_free_func ((GDestroyNotify) box_free);
}

static Box *
add_box (KfRotation   *self,
         KfConnection *connection)
{
  Box *box = g_new0 (Box, 1);

  box->connection = g_object_ref (connection);
  box->step = KF_ROTATION_STEP_PENDING;
  g_ptr_array_add (self->boxes, box);
  return box;
}

static KfStore *
store_of (KfRotation *self)
{
  return kf_vault_get_store (self->vault);
}

/* The type and bits of @keypair, for a rotation that keeps them. */
static void
take_key_type (KfRotation *self,
               KfKeypair  *keypair)
{
  const char *name = kf_keypair_get_key_type (keypair);

  if (!kf_key_type_from_name (name, &self->type) && !kf_key_type_from_string (name, &self->type))
    self->type = KF_KEY_TYPE_ED25519;
  self->bits = self->type == KF_KEY_TYPE_RSA ? kf_keypair_get_bits (keypair) : 0;
}

KfRotation *
kf_rotation_new (KfVault   *vault,
                 KfKeypair *old_keypair)
{
  KfRotation *self;
  g_autoptr(GPtrArray) users = NULL;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);
  g_return_val_if_fail (KF_IS_KEYPAIR (old_keypair), NULL);

  self = g_object_new (KF_TYPE_ROTATION, NULL);
  self->vault = g_object_ref (vault);
  self->old_keypair = g_object_ref (old_keypair);
  self->journal_path = kf_rotation_journal_path (kf_store_get_path (kf_vault_get_store (vault)));
  take_key_type (self, old_keypair);
  users = kf_store_list_connections_using (store_of (self), kf_keypair_get_id (old_keypair));
  for (guint i = 0; users != NULL && i < users->len; i++)
    add_box (self, g_ptr_array_index (users, i));
  return self;
}

KfRotation *
kf_rotation_new_resume (KfVault  *vault,
                        GError  **error)
{
  g_autofree char *path = NULL;
  g_autoptr(KfRotationJournal) journal = NULL;
  g_autoptr(GError) local_error = NULL;
  KfStore *store;
  KfKeypair *old_keypair;
  KfRotation *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);

  store = kf_vault_get_store (vault);
  path = kf_rotation_journal_path (kf_store_get_path (store));
  journal = kf_rotation_journal_load (path, &local_error);
  if (journal == NULL)
    {
      if (local_error != NULL)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  old_keypair = kf_store_find_keypair (store, journal->old_keypair_id);
  if (old_keypair == NULL)
    {
      g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
                   _("The unfinished key rotation replaces a key pair that is no longer there; check its connections by hand, then delete %s."),
                   path);
      return NULL;
    }
  self = g_object_new (KF_TYPE_ROTATION, NULL);
  self->vault = g_object_ref (vault);
  self->old_keypair = g_object_ref (old_keypair);
  self->journal_path = g_steal_pointer (&path);
  self->resume = TRUE;
  self->rollback = journal->rollback;
  take_key_type (self, old_keypair);
  if (kf_store_find_keypair (store, journal->new_keypair_id) != NULL)
    self->new_keypair = g_object_ref (kf_store_find_keypair (store, journal->new_keypair_id));
  for (guint i = 0; i < journal->boxes->len; i++)
    {
      KfRotationJournalBox *jbox = g_ptr_array_index (journal->boxes, i);
      KfConnection *connection = kf_store_find_connection (store, jbox->connection_id);

      /* A connection deleted since then has nothing left to rotate. */
      if (connection != NULL)
        add_box (self, connection)->step = jbox->step;
    }
  self->journal = g_steal_pointer (&journal);
  return self;
}

void
kf_rotation_set_key_type (KfRotation *self,
                          KfKeyType   type,
                          guint       bits)
{
  g_return_if_fail (KF_IS_ROTATION (self));
  self->type = type;
  self->bits = bits;
}

gboolean
kf_rotation_set_connections (KfRotation          *self,
                             const char * const  *names,
                             GError             **error)
{
  g_autoptr(GPtrArray) chosen = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (KF_IS_ROTATION (self), FALSE);
  g_return_val_if_fail (!self->resume, FALSE);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      KfConnection *connection = kf_store_find_connection_by_name (store_of (self), names[i]);

      if (connection == NULL)
        {
          g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NOT_FOUND,
                       _("There is no connection named “%s”; check the name with “connection list”."), names[i]);
          return FALSE;
        }
      if (g_strcmp0 (kf_connection_get_keypair_id (connection), kf_keypair_get_id (self->old_keypair)) != 0)
        {
          g_set_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_NAME,
                       _("The connection “%s” does not use the key pair “%s”; leave it out."),
                       names[i], kf_keypair_get_name (self->old_keypair));
          return FALSE;
        }
      g_ptr_array_add (chosen, g_object_ref (connection));
    }
  if (names == NULL)
    return TRUE;
  g_ptr_array_set_size (self->boxes, 0);
  for (guint i = 0; i < chosen->len; i++)
    add_box (self, g_ptr_array_index (chosen, i));
  return TRUE;
}

void
kf_rotation_set_rollback (KfRotation *self,
                          gboolean    rollback)
{
  g_return_if_fail (KF_IS_ROTATION (self));
  self->rollback = rollback;
}

gboolean
kf_rotation_get_rollback (KfRotation *self)
{
  g_return_val_if_fail (KF_IS_ROTATION (self), FALSE);
  return self->rollback;
}

GPtrArray *
kf_rotation_get_boxes (KfRotation *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_object_unref);

  g_return_val_if_fail (KF_IS_ROTATION (self), out);
  for (guint i = 0; i < self->boxes->len; i++)
    g_ptr_array_add (out, g_object_ref (((Box *) g_ptr_array_index (self->boxes, i))->connection));
  return out;
}

static Box *
find_box (KfRotation   *self,
          KfConnection *connection)
{
  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *box = g_ptr_array_index (self->boxes, i);

      if (box->connection == connection ||
          g_strcmp0 (kf_connection_get_id (box->connection), kf_connection_get_id (connection)) == 0)
        return box;
    }
  return NULL;
}

static gboolean
is_truenas (KfConnection *connection)
{
  const char *url = kf_connection_get_truenas_url (connection);

  return url != NULL && *url != '\0';
}

gboolean
kf_rotation_box_needs_secret (KfRotation   *self,
                              KfConnection *connection)
{
  Box *box = find_box (self, connection);

  if (box == NULL || !is_truenas (connection))
    return FALSE;
  /* A box with nothing left to change there needs no login to the API. */
  if (self->rollback)
    return box->step != KF_ROTATION_STEP_PENDING && box->step != KF_ROTATION_STEP_ROLLED_BACK;
  return box->step != KF_ROTATION_STEP_DONE;
}

void
kf_rotation_set_secret (KfRotation   *self,
                        KfConnection *connection,
                        const char   *secret,
                        gboolean      is_api_key)
{
  Box *box = find_box (self, connection);

  g_return_if_fail (box != NULL);
  kf_secret_set (&box->secret, secret);
  box->is_api_key = is_api_key;
}

static const char *
box_label (Box *box)
{
  return kf_connection_get_name (box->connection);
}

GStrv
kf_rotation_describe_plan (KfRotation *self)
{
  g_autoptr(GStrvBuilder) lines = g_strv_builder_new ();

  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *box = g_ptr_array_index (self->boxes, i);
      g_autofree char *line = NULL;
      const char *where = is_truenas (box->connection)
        ? _("through the TrueNAS API (user.update sshpubkey), needs the admin password or API key on standard input")
        : _("over SFTP in ~/.ssh/authorized_keys");

      if (self->rollback)
        line = g_strdup_printf (_("%s (%s@%s): from step “%s”, put the old key back, point the connection at it, remove the new key, %s"),
                                box_label (box), kf_connection_get_username (box->connection),
                                kf_connection_get_host (box->connection), kf_rotation_step_to_string (box->step), where);
      else
        line = g_strdup_printf (_("%s (%s@%s): from step “%s”, install the new key, log in with it, point the connection at it, remove the old key, check the old key is refused, %s"),
                                box_label (box), kf_connection_get_username (box->connection),
                                kf_connection_get_host (box->connection), kf_rotation_step_to_string (box->step), where);
      g_strv_builder_add (lines, line);
    }
  return g_strv_builder_end (lines);
}

gboolean
kf_rotation_is_resume (KfRotation *self)
{
  return self->resume;
}

KfKeypair *
kf_rotation_get_old_keypair (KfRotation *self)
{
  return self->old_keypair;
}

KfKeypair *
kf_rotation_get_new_keypair (KfRotation *self)
{
  return self->new_keypair;
}

KfRotationStep
kf_rotation_get_box_step (KfRotation   *self,
                          KfConnection *connection)
{
  Box *box = find_box (self, connection);

  return box != NULL ? box->step : KF_ROTATION_STEP_PENDING;
}

const char *
kf_rotation_get_box_message (KfRotation   *self,
                             KfConnection *connection)
{
  Box *box = find_box (self, connection);

  return box != NULL ? box->message : NULL;
}

double
kf_rotation_get_box_ms (KfRotation   *self,
                        KfConnection *connection)
{
  Box *box = find_box (self, connection);

  return box != NULL ? box->ms : 0;
}

gboolean
kf_rotation_get_old_keypair_unused (KfRotation *self)
{
  return self->old_unused;
}

/* ----------------------------------------------------- the owner's thread */

typedef struct {
  KfRotation *self;
  Box        *box;
  gpointer    data;
  GMutex      mutex;
  GCond       cond;
  gboolean    done;
  gpointer    result;
  GError     *error;
} OwnerCall;

static void
owner_done (OwnerCall *call,
            gpointer   result,
            GError    *error)
{
  g_mutex_lock (&call->mutex);
  call->result = result;
  call->error = error;
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
}

/* Runs @start on the owner's context and waits for it to call owner_done(). */
static gpointer
owner_call (KfRotation   *self,
            Box          *box,
            gpointer      data,
            GSourceFunc   start,
            GError      **error)
{
  OwnerCall call = { self, box, data };

  g_mutex_init (&call.mutex);
  g_cond_init (&call.cond);
  g_main_context_invoke (self->owner, start, &call);
  g_mutex_lock (&call.mutex);
  while (!call.done)
    g_cond_wait (&call.cond, &call.mutex);
  g_mutex_unlock (&call.mutex);
  g_mutex_clear (&call.mutex);
  g_cond_clear (&call.cond);
  if (call.error != NULL)
    g_propagate_error (error, call.error);
  return call.result;
}

typedef struct {
  KfRotation     *self;
  KfConnection   *connection;
  KfRotationStep  step;
  char           *message;
} Progress;

static gboolean
emit_progress (gpointer data)
{
  Progress *progress = data;

  g_signal_emit (progress->self, signals[SIGNAL_PROGRESS], 0, progress->connection, (int) progress->step,
                 progress->message);
  g_object_unref (progress->self);
  g_clear_object (&progress->connection);
  g_free (progress->message);
  g_free (progress);
  return G_SOURCE_REMOVE;
}

static void
progress (KfRotation     *self,
          Box            *box,
          KfRotationStep  step,
          const char     *message)
{
  Progress *p = g_new0 (Progress, 1);

  p->self = g_object_ref (self);
  p->connection = box != NULL ? g_object_ref (box->connection) : NULL;
  p->step = step;
  p->message = g_strdup (message);
  g_main_context_invoke (self->owner, emit_progress, p);
}

static void
on_private_key (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError *error = NULL;
  char *key = kf_vault_get_private_key_finish (KF_VAULT (source), result, &error);

  owner_done (user_data, key, error);
}

static gboolean
start_get_private_key (gpointer data)
{
  OwnerCall *call = data;

  kf_vault_get_private_key_async (call->self->vault, call->data, NULL, on_private_key, call);
  return G_SOURCE_REMOVE;
}

static void
on_keypair_added (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GError *error = NULL;

  kf_vault_add_keypair_finish (KF_VAULT (source), result, &error);
  owner_done (user_data, NULL, error);
}

static gboolean
start_add_keypair (gpointer data)
{
  OwnerCall *call = data;

  kf_vault_add_keypair_async (call->self->vault, call->self->new_keypair, call->self->new_private, NULL,
                              on_keypair_added, call);
  return G_SOURCE_REMOVE;
}

static void
on_keypair_deleted (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GError *error = NULL;

  kf_vault_delete_keypair_finish (KF_VAULT (source), result, &error);
  owner_done (user_data, NULL, error);
}

static gboolean
start_delete_new_keypair (gpointer data)
{
  OwnerCall *call = data;
  g_autoptr(GPtrArray) users = kf_store_list_connections_using (store_of (call->self),
                                                                kf_keypair_get_id (call->self->new_keypair));

  /* Only a key pair nothing uses: it was made by this rotation for nothing. */
  if (users != NULL && users->len > 0)
    {
      owner_done (call, NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  kf_vault_delete_keypair_async (call->self->vault, kf_keypair_get_id (call->self->new_keypair), FALSE, NULL,
                                 on_keypair_deleted, call);
  return G_SOURCE_REMOVE;
}

/* Points the box's connection at the key pair @data (the store, on its thread). */
static gboolean
start_point (gpointer data)
{
  OwnerCall *call = data;
  KfKeypair *keypair = call->data;
  g_autoptr(KfConnection) updated = kf_connection_copy (call->box->connection);
  GError *error = NULL;

  kf_connection_set_keypair_id (updated, kf_keypair_get_id (keypair));
  kf_store_update_connection (store_of (call->self), updated, &error);
  owner_done (call, NULL, error);
  return G_SOURCE_REMOVE;
}

static gboolean
start_check_old_unused (gpointer data)
{
  OwnerCall *call = data;
  g_autoptr(GPtrArray) users = kf_store_list_connections_using (store_of (call->self),
                                                                kf_keypair_get_id (call->self->old_keypair));

  call->self->old_unused = users == NULL || users->len == 0;
  owner_done (call, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* One rotation at a time: TRUE with the refusal in @error when a journal
 * is there (naming the key pair it replaces and what to do), or with the
 * journal's own error when it cannot be read; FALSE when none is. */
static gboolean
unfinished_error (KfRotation  *self,
                  GError     **error)
{
  g_autoptr(KfRotationJournal) pending = NULL;
  GError *local_error = NULL;
  KfKeypair *keypair;

  pending = kf_rotation_journal_load (self->journal_path, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return TRUE;
    }
  if (pending == NULL)
    return FALSE;
  keypair = kf_store_find_keypair (store_of (self), pending->old_keypair_id);
  if (keypair != NULL)
    g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE,
                 _("Finish or roll back the rotation of “%s” first: keyferry-cli keypair rotate --resume"),
                 kf_keypair_get_name (keypair));
  else
    g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE,
                         _("Finish or roll back the unfinished key rotation first: keyferry-cli keypair rotate --resume"));
  return TRUE;
}

/* Another rotation's journal appeared after run_async looked: refuse as it would. */
static gboolean
start_refuse_second (gpointer data)
{
  OwnerCall *call = data;
  GError *error = NULL;

  if (!unfinished_error (call->self, &error))
    g_set_error_literal (&error, KF_STORE_ERROR, KF_STORE_ERROR_IN_USE,
                         _("Finish or roll back the unfinished key rotation first: keyferry-cli keypair rotate --resume"));
  owner_done (call, NULL, error);
  return G_SOURCE_REMOVE;
}

/* A name for the new key pair that no other key pair has. */
static gboolean
start_name_new_keypair (gpointer data)
{
  OwnerCall *call = data;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d");
  /* Translators: the name of the key pair a rotation makes: old name, date */
  g_autofree char *base = g_strdup_printf (_("%s (rotated %s)"), kf_keypair_get_name (call->self->old_keypair), date);
  char *name = g_strdup (base);

  for (guint n = 2; kf_store_find_keypair_by_name (store_of (call->self), name) != NULL; n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s %u", base, n);
    }
  owner_done (call, name, NULL);
  return G_SOURCE_REMOVE;
}

/* Asks the "otp-requested" handler; it answers with kf_rotation_provide_otp(). */
static gboolean
start_ask_otp (gpointer data)
{
  OwnerCall *call = data;
  KfRotation *self = call->self;

  if (!g_signal_has_handler_pending (self, signals[SIGNAL_OTP_REQUESTED], 0, FALSE))
    {
      owner_done (call, NULL, NULL);
      return G_SOURCE_REMOVE;
    }
  self->otp_call = call;
  g_signal_emit (self, signals[SIGNAL_OTP_REQUESTED], 0, call->box->connection);
  return G_SOURCE_REMOVE;
}

void
kf_rotation_provide_otp (KfRotation *self,
                         const char *otp)
{
  OwnerCall *call;

  g_return_if_fail (KF_IS_ROTATION (self));
  g_return_if_fail (self->otp_call != NULL);

  call = g_steal_pointer (&self->otp_call);
  owner_done (call, otp != NULL && *otp != '\0' ? kf_secret_dup (otp) : NULL, NULL);
}

/* ------------------------------------------------------------- the worker */

/* KfRotationOtpFunc: blocks the worker until the owner's handler answers. */
static KfSecret *
ask_otp (KfConnection *connection,
         gpointer      data)
{
  KfRotation *self = data;

  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *box = g_ptr_array_index (self->boxes, i);

      if (box->copy == connection)
        return owner_call (self, box, NULL, start_ask_otp, NULL);
    }
  return NULL;
}

static gboolean
save_step (KfRotation     *self,
           Box            *box,
           KfRotationStep  step,
           GError        **error)
{
  KfRotationJournalBox *jbox = kf_rotation_journal_find_box (self->journal, kf_connection_get_id (box->copy));

  jbox->step = step;
  return kf_rotation_journal_save (self->journal, self->journal_path, error);
}

static KfSshLogin *
login_with (KfRotation    *self,
            Box           *box,
            gboolean       new_key,
            GCancellable  *cancellable,
            GError       **error)
{
  KfKeypair *keypair = new_key ? self->new_keypair : self->old_keypair;

  return kf_ssh_login_open_sync (box->copy, kf_keypair_get_name (keypair),
                                 new_key ? self->new_private : self->old_private, cancellable, error);
}

/* Adds (@add, may be NULL) then removes (@remove, may be NULL) a public key
 * on the box, logged in with the key that stays. */
/* The box's TrueNAS API session, logged in once (password or API key). */
static gboolean
open_truenas (KfRotation    *self,
              Box           *box,
              GCancellable  *cancellable,
              GError       **error)
{
  if (box->truenas != NULL)
    return TRUE;
  if (box->secret == NULL)
    {
      g_set_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_AUTH_FAILED,
                   _("No admin password or API key was given for this TrueNAS."));
      return FALSE;
    }
  box->truenas = kf_rotation_truenas_open (box->copy, box->secret, box->is_api_key, ask_otp, self,
                                           cancellable, error);
  return box->truenas != NULL;
}

/* Before the old key goes, its lines on the box (options such as from= or
 * command=, and the comment) are written to the journal: a rollback puts
 * back exactly these, not a bare key that would allow more than before. */
static gboolean
remember_old_lines (KfRotation    *self,
                    Box           *box,
                    GCancellable  *cancellable,
                    GError       **error)
{
  KfRotationJournalBox *jbox = kf_rotation_journal_find_box (self->journal, kf_connection_get_id (box->copy));
  const char *old_key = kf_keypair_get_public_key (self->old_keypair);
  g_autofree char *lines = NULL;

  if (jbox->old_lines != NULL)
    return TRUE;
  if (is_truenas (box->copy))
    {
      if (!open_truenas (self, box, cancellable, error) ||
          !kf_rotation_truenas_key_lines (box->truenas, old_key, &lines, cancellable, error))
        return FALSE;
    }
  else
    {
      g_autoptr(KfSshLogin) login = login_with (self, box, TRUE, cancellable, error);

      if (login == NULL || !kf_rotation_sftp_key_lines (login, old_key, &lines, error))
        return FALSE;
    }
  if (lines == NULL)
    return TRUE;   /* already gone (a resumed run): nothing to remember */
  jbox->old_lines = g_steal_pointer (&lines);
  return kf_rotation_journal_save (self->journal, self->journal_path, error);
}

static gboolean
edit_keys (KfRotation    *self,
           Box           *box,
           gboolean       login_new,
           const char    *add,
           const char    *remove,
           GCancellable  *cancellable,
           GError       **error)
{
  KfRotationJournalBox *jbox = kf_rotation_journal_find_box (self->journal, kf_connection_get_id (box->copy));
  g_autoptr(KfSshLogin) login = NULL;

  if (is_truenas (box->copy))
    {
      if (!open_truenas (self, box, cancellable, error))
        return FALSE;
      if (kf_rotation_truenas_edit (box->truenas, add, remove, cancellable, error))
        return TRUE;
      /* The next edit logs in again. */
      g_clear_pointer (&box->truenas, kf_rotation_truenas_close);
      return FALSE;
    }
  login = login_with (self, box, login_new, cancellable, error);
  if (login == NULL)
    return FALSE;
  if (add != NULL)
    {
      gboolean added_newline = FALSE;

      if (!kf_rotation_sftp_add_key (login, add, &added_newline, error))
        return FALSE;
      if (added_newline && !jbox->added_newline)
        {
          jbox->added_newline = TRUE;
          if (!kf_rotation_journal_save (self->journal, self->journal_path, error))
            return FALSE;
        }
    }
  return remove == NULL || kf_rotation_sftp_remove_key (login, remove, jbox->added_newline, error);
}

/* Logs in with the new key and runs the Test's command. */
static gboolean
check_login (KfRotation    *self,
             Box           *box,
             gboolean       new_key,
             GCancellable  *cancellable,
             GError       **error)
{
  KfKeypair *keypair = new_key ? self->new_keypair : self->old_keypair;
  g_autoptr(KfTestResult) result = kf_ssh_probe_test_sync (box->copy, kf_keypair_get_name (keypair),
                                                           new_key ? self->new_private : self->old_private,
                                                           cancellable, error);

  if (result == NULL)
    return FALSE;
  if (!kf_test_result_get_ok (result))
    {
      g_propagate_error (error, g_error_copy (kf_test_result_get_error (result)));
      return FALSE;
    }
  return TRUE;
}

/* Step 5: the old key must be refused now. */
static gboolean
check_old_refused (KfRotation    *self,
                   Box           *box,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (check_login (self, box, FALSE, cancellable, &local_error))
    {
      g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_FAILED,
                   _("The old key is still accepted after it was removed (another file or an AuthorizedKeysCommand may hold it); remove it there by hand."));
      return FALSE;
    }
  if (g_error_matches (local_error, KF_SSH_ERROR, KF_SSH_ERROR_AUTH_FAILED))
    return TRUE;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
point_at (KfRotation  *self,
          Box         *box,
          KfKeypair   *keypair,
          GError     **error)
{
  GError *local_error = NULL;

  owner_call (self, box, keypair, start_point, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
enter_step (KfRotation     *self,
            Box            *box,
            KfRotationStep  step,
            const char     *message,
            GCancellable   *cancellable,
            GError        **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!save_step (self, box, step, error))
    return FALSE;
  progress (self, box, step, message);
  return TRUE;
}

/* Takes the box from where it is to DONE; returns the failure, with the step
 * it happened at in *failed_at. */
static gboolean
rotate_box (KfRotation      *self,
            Box             *box,
            KfRotationStep   from,
            KfRotationStep  *failed_at,
            GCancellable    *cancellable,
            GError         **error)
{
  const char *new_key = kf_keypair_get_public_key (self->new_keypair);
  const char *old_key = kf_keypair_get_public_key (self->old_keypair);

  *failed_at = from;
  /* The API does not check the SSH host key: a TrueNAS whose host key
   * changed must get nothing, so the old key logs in first (manual boxes
   * are edited over that very login). */
  if (from <= KF_ROTATION_STEP_INSTALL &&
      (!enter_step (self, box, *failed_at = KF_ROTATION_STEP_INSTALL, _("installing the new public key"), cancellable, error) ||
       (is_truenas (box->copy) && !check_login (self, box, FALSE, cancellable, error)) ||
       !edit_keys (self, box, FALSE, new_key, NULL, cancellable, error)))
    return FALSE;
  if (from <= KF_ROTATION_STEP_LOGIN_NEW &&
      (!enter_step (self, box, *failed_at = KF_ROTATION_STEP_LOGIN_NEW, _("logging in with the new key"), cancellable, error) ||
       !check_login (self, box, TRUE, cancellable, error)))
    return FALSE;
  if (from <= KF_ROTATION_STEP_POINT &&
      (!enter_step (self, box, *failed_at = KF_ROTATION_STEP_POINT, _("pointing the connection at the new key pair"), cancellable, error) ||
       !point_at (self, box, self->new_keypair, error)))
    return FALSE;
  if (from <= KF_ROTATION_STEP_REMOVE_OLD &&
      (!enter_step (self, box, *failed_at = KF_ROTATION_STEP_REMOVE_OLD, _("removing the old public key"), cancellable, error) ||
       !remember_old_lines (self, box, cancellable, error) ||
       !edit_keys (self, box, TRUE, NULL, old_key, cancellable, error)))
    return FALSE;
  if (from <= KF_ROTATION_STEP_CHECK_OLD &&
      (!enter_step (self, box, *failed_at = KF_ROTATION_STEP_CHECK_OLD, _("checking that the old key is refused"), cancellable, error) ||
       !check_old_refused (self, box, cancellable, error)))
    return FALSE;
  return save_step (self, box, KF_ROTATION_STEP_DONE, error);
}

/* Puts the box back on the old key pair: the old key installed again if it
 * is gone (logged in with the new one), the connection pointed back, then the
 * new key removed (logged in with the old one). */
static gboolean
roll_back_box (KfRotation    *self,
               Box           *box,
               GCancellable  *cancellable,
               GError       **error)
{
  KfRotationJournalBox *jbox = kf_rotation_journal_find_box (self->journal, kf_connection_get_id (box->copy));
  /* The old key's own lines when they were taken away (options, comment). */
  const char *old_key = jbox->old_lines != NULL ? jbox->old_lines : kf_keypair_get_public_key (self->old_keypair);
  g_autoptr(GError) old_refused = NULL;

  if (box->step == KF_ROTATION_STEP_PENDING || self->new_keypair == NULL)
    return save_step (self, box, KF_ROTATION_STEP_ROLLED_BACK, error);
  if (!enter_step (self, box, KF_ROTATION_STEP_ROLLBACK, _("putting the old key back"), cancellable, error))
    return FALSE;
  if (is_truenas (box->copy))
    {
      if (!edit_keys (self, box, FALSE, old_key, kf_keypair_get_public_key (self->new_keypair), cancellable, error))
        return FALSE;
    }
  else
    {
      if (!check_login (self, box, FALSE, cancellable, &old_refused))
        {
          if (!g_error_matches (old_refused, KF_SSH_ERROR, KF_SSH_ERROR_AUTH_FAILED))
            {
              g_propagate_error (error, g_steal_pointer (&old_refused));
              return FALSE;
            }
          if (!edit_keys (self, box, TRUE, old_key, NULL, cancellable, error) ||
              !check_login (self, box, FALSE, cancellable, error))
            return FALSE;
        }
    }
  progress (self, box, KF_ROTATION_STEP_ROLLBACK, _("pointing the connection back at the old key pair"));
  if (!point_at (self, box, self->old_keypair, error))
    return FALSE;
  if (!is_truenas (box->copy))
    {
      progress (self, box, KF_ROTATION_STEP_ROLLBACK, _("removing the new public key"));
      if (!edit_keys (self, box, FALSE, NULL, kf_keypair_get_public_key (self->new_keypair), cancellable, error))
        return FALSE;
    }
  return save_step (self, box, KF_ROTATION_STEP_ROLLED_BACK, error);
}

/* What is left on a box whose rotation stopped at @step. */
static const char *
what_remains (KfRotation     *self,
              KfRotationStep  step)
{
  if (self->rollback)
    return _("Both keys may be installed there and the connection may use either; run “keypair rotate --resume --rollback” again once the box is back.");
  switch (step)
    {
    case KF_ROTATION_STEP_PENDING:
    case KF_ROTATION_STEP_INSTALL:
      return _("It still uses the old key pair, which it still accepts (the new key may be installed as well).");
    case KF_ROTATION_STEP_LOGIN_NEW:
    case KF_ROTATION_STEP_POINT:
      return _("The new key is installed, but the connection still uses the old key pair, which the box still accepts.");
    case KF_ROTATION_STEP_REMOVE_OLD:
      return _("The connection uses the new key pair; the old key is still installed there.");
    case KF_ROTATION_STEP_CHECK_OLD:
    default:
      return _("The connection uses the new key pair; the old key could not be shown to be refused.");
    }
}

static void
run_box (KfRotation   *self,
         Box          *box,
         GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  KfRotationStep failed_at = box->step;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (self->rollback)
    ok = box->step == KF_ROTATION_STEP_ROLLED_BACK || roll_back_box (self, box, cancellable, &error);
  else
    ok = box->step == KF_ROTATION_STEP_DONE || rotate_box (self, box, box->step, &failed_at, cancellable, &error);
  g_clear_pointer (&box->truenas, kf_rotation_truenas_close);
  box->ms = (g_get_monotonic_time () - start) / 1000.0;
  if (ok)
    {
      box->step = self->rollback ? KF_ROTATION_STEP_ROLLED_BACK : KF_ROTATION_STEP_DONE;
      box->message = g_strdup_printf (self->rollback ? _("back on the old key pair, in %.0f ms") : _("rotated in %.0f ms"), box->ms);
    }
  else
    {
      gboolean host_key = g_error_matches (error, KF_SSH_ERROR, KF_SSH_ERROR_HOST_KEY_MISMATCH);

      box->step = KF_ROTATION_STEP_FAILED;
      /* Translators: a box's failure: the reason, then what remains on it */
      box->message = g_strdup_printf (host_key ? _("SKIPPED: %s %s") : _("%s %s"), error->message,
                                      what_remains (self, failed_at));
    }
  progress (self, box, box->step, box->message);
}

/* A new rotation: the new key pair (keyring, then store) and the journal. */
static gboolean
prepare_new (KfRotation    *self,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(KfKeyMaterial) material = NULL;
  g_autofree char *name = NULL;
  GError *local_error = NULL;

  progress (self, NULL, KF_ROTATION_STEP_PENDING, _("generating the new key pair"));
  material = kf_ssh_key_generate_sync (self->type, self->bits, kf_keypair_get_comment (self->old_keypair),
                                       cancellable, error);
  if (material == NULL)
    return FALSE;
  name = owner_call (self, NULL, NULL, start_name_new_keypair, error);
  self->new_keypair = kf_keypair_new (name);
  kf_key_material_apply_to_keypair (material, self->new_keypair);
  self->new_private = kf_secret_dup (kf_key_material_get_private_key (material));

  /* The journal first: a kill between the two leaves a record, not a stray key.
   * Created, never replacing one: two rotations started at once (two CLIs)
   * would otherwise both pass run_async's look and the second journal
   * would overwrite the first. */
  self->journal = kf_rotation_journal_new (kf_keypair_get_id (self->old_keypair), kf_keypair_get_id (self->new_keypair));
  for (guint i = 0; i < self->boxes->len; i++)
    kf_rotation_journal_add_box (self->journal, kf_connection_get_id (((Box *) g_ptr_array_index (self->boxes, i))->copy));
  if (!kf_rotation_journal_create (self->journal, self->journal_path, &local_error))
    {
      g_clear_pointer (&self->journal, kf_rotation_journal_free);
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_EXIST))
        {
          g_clear_error (&local_error);
          owner_call (self, NULL, NULL, start_refuse_second, error);
        }
      else
        g_propagate_error (error, local_error);
      return FALSE;
    }
  owner_call (self, NULL, NULL, start_add_keypair, &local_error);
  if (local_error != NULL)
    {
      kf_rotation_journal_remove (self->journal_path, NULL);
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare (KfRotation    *self,
         GCancellable  *cancellable,
         GError       **error)
{
  self->old_private = owner_call (self, NULL, self->old_keypair, start_get_private_key, error);
  if (self->old_private == NULL)
    return FALSE;
  if (!self->resume)
    return prepare_new (self, cancellable, error);
  if (self->new_keypair == NULL)
    {
      /* Killed before the new key pair was saved: no box has its key. */
      self->rollback = TRUE;
      return TRUE;
    }
  self->journal->rollback = self->rollback;
  if (!kf_rotation_journal_save (self->journal, self->journal_path, error))
    return FALSE;
  self->new_private = owner_call (self, NULL, self->new_keypair, start_get_private_key, error);
  return self->new_private != NULL;
}

/* The journal goes once nothing is left to do, and with it, after a
 * rollback, the new key pair nothing uses. */
static gboolean
finish_run (KfRotation  *self,
            GError     **error)
{
  g_autoptr(GString) failed = g_string_new (NULL);

  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *box = g_ptr_array_index (self->boxes, i);

      if (box->step == KF_ROTATION_STEP_FAILED)
        g_string_append_printf (failed, "%s%s", failed->len ? ", " : "", box_label (box));
    }
  if (failed->len == 0)
    {
      GError *local_error = NULL;

      if (self->rollback && self->new_keypair != NULL)
        owner_call (self, NULL, NULL, start_delete_new_keypair, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (!kf_rotation_journal_remove (self->journal_path, error))
        return FALSE;
    }
  owner_call (self, NULL, NULL, start_check_old_unused, NULL);
  if (failed->len > 0)
    {
      g_set_error (error, KF_SSH_ERROR, KF_SSH_ERROR_FAILED,
                   _("The rotation did not finish on: %s. It is recorded; finish it with “keypair rotate --resume” or take it back with “keypair rotate --resume --rollback”."),
                   failed->str);
      return FALSE;
    }
  return TRUE;
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  KfRotation *self = source_object;
  GError *error = NULL;

  if (!prepare (self, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < self->boxes->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
      run_box (self, g_ptr_array_index (self->boxes, i), cancellable);
    }
  if (!finish_run (self, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
kf_rotation_run_async (KfRotation          *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (KF_IS_ROTATION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, kf_rotation_run_async);
  self->owner = g_main_context_ref_thread_default ();
  if (!self->resume && unfinished_error (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!self->resume && !kf_keypair_get_has_private_key (self->old_keypair))
    {
      g_task_return_new_error (task, KF_KEY_ERROR, KF_KEY_ERROR_NO_PRIVATE_KEY,
                               _("The key pair “%s” has no private key here, so Keyferry cannot log in with it to replace it."),
                               kf_keypair_get_name (self->old_keypair));
      return;
    }
  for (guint i = 0; i < self->boxes->len; i++)
    {
      Box *box = g_ptr_array_index (self->boxes, i);

      g_clear_object (&box->copy);
      box->copy = kf_connection_copy (box->connection);
    }
  g_task_run_in_thread (task, run_thread);
}

gboolean
kf_rotation_run_finish (KfRotation    *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
