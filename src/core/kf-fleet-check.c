/* kf-fleet-check.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-fleet-check"

#include "kf-fleet-check.h"
#include "kf-connection-ops.h"
#include "kf-store.h"

#include <glib/gi18n.h>

typedef struct {
  KfConnection *connection;  /* snapshot; this run's outcome is applied to it */
  KfCheckState  state;
  char         *message;
  KfTestResult *result;
  gboolean      done;
} Item;

struct _KfFleetCheck
{
  GObject   parent_instance;
  KfVault  *vault;
  GArray   *items;
  guint     jobs;
  guint     next;     /* the next item to start */
  guint     running;
  guint     n_done;
  GTask    *task;     /* while running */
  gboolean  saving;   /* all ended; the outcomes are being saved */
  GError   *save_error;  /* why the outcomes could not be saved, once ended */
};

G_DEFINE_FINAL_TYPE (KfFleetCheck, kf_fleet_check, G_TYPE_OBJECT)

enum {
  SIGNAL_CONNECTION_CHECKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
item_clear (Item *item)
{
  g_clear_object (&item->connection);
  g_clear_pointer (&item->message, g_free);
  g_clear_object (&item->result);
}

static void
kf_fleet_check_finalize (GObject *object)
{
  KfFleetCheck *self = (KfFleetCheck *) object;

  g_clear_object (&self->vault);
  g_array_unref (self->items);
  g_clear_error (&self->save_error);

  G_OBJECT_CLASS (kf_fleet_check_parent_class)->finalize (object);
}

static void
kf_fleet_check_class_init (KfFleetCheckClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kf_fleet_check_finalize;

  /* (index): the item at @index has ended, checked or not. */
  signals[SIGNAL_CONNECTION_CHECKED] =
    g_signal_new ("connection-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
kf_fleet_check_init (KfFleetCheck *self)
{
  self->items = g_array_new (FALSE, TRUE, sizeof (Item));
  g_array_set_clear_func (self->items, (GDestroyNotify) item_clear);
  self->jobs = KF_FLEET_CHECK_DEFAULT_JOBS;
}

KfFleetCheck *
kf_fleet_check_new (KfVault   *vault,
                    GPtrArray *connections)
{
  KfFleetCheck *self;

  g_return_val_if_fail (KF_IS_VAULT (vault), NULL);
  g_return_val_if_fail (connections != NULL, NULL);

  self = g_object_new (KF_TYPE_FLEET_CHECK, NULL);
  self->vault = g_object_ref (vault);
  g_array_set_size (self->items, connections->len);
  for (guint i = 0; i < connections->len; i++)
    {
      Item *item = &g_array_index (self->items, Item, i);

      item->connection = kf_connection_copy (g_ptr_array_index (connections, i));
      item->state = KF_CHECK_STATE_NOT_CHECKED;
    }
  return self;
}

void
kf_fleet_check_set_jobs (KfFleetCheck *self,
                         guint         jobs)
{
  g_return_if_fail (KF_IS_FLEET_CHECK (self));
  g_return_if_fail (jobs >= 1 && jobs <= KF_FLEET_CHECK_MAX_JOBS);
  g_return_if_fail (self->task == NULL);
  self->jobs = jobs;
}

guint
kf_fleet_check_get_jobs (KfFleetCheck *self)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), 0);
  return self->jobs;
}

static void
mark_failed (KfConnection *connection,
             const char   *message,
             gint64        now)
{
  kf_connection_set_test_state (connection, KF_TEST_STATE_FAILED);
  kf_connection_set_test_failure (connection, KF_TEST_FAILURE_OTHER);
  kf_connection_set_test_message (connection, message);
  kf_connection_set_tested_at (connection, now);
}

/* The snapshot gets the outcome (@result's, or a failure to start: no key
 * pair, keyring locked, … which the list shows like a failed Test), and the
 * store records it: on the stored connection at once, in the file with the
 * others in a batch (kf_store_record_test). The outcome starts from the
 * snapshot without the fields a check only ever sets, so what it did not
 * learn is not recorded over what the store has now. */
static void
record_outcome (KfFleetCheck *self,
                Item         *item,
                KfTestResult *result,
                const GError *error)
{
  g_autoptr(KfConnection) outcome = kf_connection_copy (item->connection);

  kf_connection_set_host_key_verified (outcome, FALSE);
  kf_connection_set_truenas_version (outcome, NULL);
  if (result != NULL)
    kf_test_result_apply_to_connection (result, outcome);
  else
    mark_failed (outcome, error->message, g_get_real_time () / G_USEC_PER_SEC);
  /* one check time for both, and the state from the one mapping the list uses */
  kf_connection_assign_test (item->connection, outcome);
  item->state = kf_connection_get_check_state (item->connection);
  /* FALSE: removed meanwhile, so only the snapshot has it */
  kf_store_record_test (kf_vault_get_store (self->vault), outcome);
}

static void start_more (KfFleetCheck *self);

static void
on_saved (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  g_autoptr(KfFleetCheck) self = user_data;

  /* The checks themselves ran, so the run's outcome stands; that its
   * outcomes are not in the file is the caller's to tell (they stay
   * recorded in the store, which tries again with its next save). */
  kf_store_save_tests_finish (KF_STORE (source), res, &self->save_error);
  if (!g_task_return_error_if_cancelled (self->task))
    g_task_return_boolean (self->task, TRUE);
  g_clear_object (&self->task);
}

typedef struct {
  KfFleetCheck *self;
  guint         index;
} Job;

static void
on_test_done (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(KfFleetCheck) self = job->self;
  guint index = job->index;
  Item *item = &g_array_index (self->items, Item, index);
  g_autoptr(GError) error = NULL;
  g_autoptr(KfTestResult) result = kf_connection_ops_test_finish (res, &error);

  g_free (job);
  if (result != NULL)
    {
      record_outcome (self, item, result, NULL);
      item->message = g_strdup (kf_test_result_get_message (result));
      item->result = g_steal_pointer (&result);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      record_outcome (self, item, NULL, error);
      item->message = g_strdup (error->message);
    }
  item->done = TRUE;
  self->running--;
  self->n_done++;
  g_signal_emit (self, signals[SIGNAL_CONNECTION_CHECKED], 0, index);
  start_more (self);
}

/* Starts items until @jobs run; returns the task once nothing runs and
 * nothing more will start. */
static void
start_more (KfFleetCheck *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  gboolean cancelled = g_cancellable_is_cancelled (cancellable);

  while (!cancelled && self->running < self->jobs && self->next < self->items->len)
    {
      Job *job = g_new0 (Job, 1);
      Item *item = &g_array_index (self->items, Item, self->next);

      job->self = g_object_ref (self);
      job->index = self->next++;
      self->running++;
      kf_connection_ops_check_async (self->vault, item->connection, cancellable, on_test_done, job);
    }
  if (self->running > 0 || (!cancelled && self->next < self->items->len))
    return;

  /* Items never started count as ended, unchecked, so progress reaches the end. */
  self->n_done = self->items->len;
  if (self->saving)
    return;
  /* The run ends once its outcomes are in the file (also when cancelled):
   * the CLI exits and the GUI reports only what is saved. */
  self->saving = TRUE;
  kf_store_save_tests_async (kf_vault_get_store (self->vault), on_saved, g_object_ref (self));
}

void
kf_fleet_check_run_async (KfFleetCheck        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (KF_IS_FLEET_CHECK (self));
  g_return_if_fail (self->task == NULL);
  g_return_if_fail (self->next == 0);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, kf_fleet_check_run_async);
  start_more (self);
}

gboolean
kf_fleet_check_run_finish (KfFleetCheck  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const GError *
kf_fleet_check_get_save_error (KfFleetCheck *self)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), NULL);
  return self->save_error;
}

guint
kf_fleet_check_get_n_items (KfFleetCheck *self)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), 0);
  return self->items->len;
}

guint
kf_fleet_check_get_n_done (KfFleetCheck *self)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), 0);
  return self->n_done;
}

static Item *
get_item (KfFleetCheck *self,
          guint         index)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), NULL);
  g_return_val_if_fail (index < self->items->len, NULL);
  return &g_array_index (self->items, Item, index);
}

KfConnection *
kf_fleet_check_get_connection (KfFleetCheck *self,
                               guint         index)
{
  Item *item = get_item (self, index);

  return item ? item->connection : NULL;
}

KfCheckState
kf_fleet_check_get_state (KfFleetCheck *self,
                          guint         index)
{
  Item *item = get_item (self, index);

  return item ? item->state : KF_CHECK_STATE_NOT_CHECKED;
}

const char *
kf_fleet_check_get_message (KfFleetCheck *self,
                            guint         index)
{
  Item *item = get_item (self, index);

  return item ? item->message : NULL;
}

KfTestResult *
kf_fleet_check_get_result (KfFleetCheck *self,
                           guint         index)
{
  Item *item = get_item (self, index);

  return item ? item->result : NULL;
}

gint64
kf_fleet_check_get_checked_at (KfFleetCheck *self,
                               guint         index)
{
  Item *item = get_item (self, index);

  if (item == NULL || item->state == KF_CHECK_STATE_NOT_CHECKED)
    return 0;
  return kf_connection_get_tested_at (item->connection);
}

guint
kf_fleet_check_count (KfFleetCheck *self,
                      KfCheckState  state)
{
  guint n = 0;

  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), 0);
  for (guint i = 0; i < self->items->len; i++)
    if (g_array_index (self->items, Item, i).state == state)
      n++;
  return n;
}

gboolean
kf_fleet_check_all_ok (KfFleetCheck *self)
{
  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), FALSE);
  return self->items->len > 0 && kf_fleet_check_count (self, KF_CHECK_STATE_OK) == self->items->len;
}

/* One count of the summary, in words that read in a sentence. */
static char *
format_count (KfCheckState state,
              guint        n)
{
  switch (state)
    {
    case KF_CHECK_STATE_OK:
      /* Translators: part of the Check All summary, e.g. “11 fine, 1 unreachable” */
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u fine", "%u fine", n), n);
    case KF_CHECK_STATE_UNREACHABLE:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unreachable", "%u unreachable", n), n);
    case KF_CHECK_STATE_HOST_KEY_CHANGED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u host key changed", "%u host keys changed", n), n);
    case KF_CHECK_STATE_KEY_REFUSED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u key refused", "%u keys refused", n), n);
    case KF_CHECK_STATE_FAILED:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed", "%u failed", n), n);
    case KF_CHECK_STATE_NOT_CHECKED:
    default:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u not checked", "%u not checked", n), n);
    }
}

char *
kf_fleet_check_format_summary (KfFleetCheck *self)
{
  static const KfCheckState order[] = {
    KF_CHECK_STATE_OK, KF_CHECK_STATE_UNREACHABLE, KF_CHECK_STATE_HOST_KEY_CHANGED,
    KF_CHECK_STATE_KEY_REFUSED, KF_CHECK_STATE_FAILED, KF_CHECK_STATE_NOT_CHECKED,
  };
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (KF_IS_FLEET_CHECK (self), NULL);
  if (self->items->len == 0)
    return g_strdup (_("No connections to check."));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      guint n = kf_fleet_check_count (self, order[i]);
      g_autofree char *part = NULL;

      if (n == 0)
        continue;
      part = format_count (order[i], n);
      /* Translators: separates the counts of the Check All summary */
      g_string_append_printf (out, "%s%s", out->len > 0 ? _(", ") : "", part);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
