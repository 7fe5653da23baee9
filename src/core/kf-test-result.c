/* kf-test-result.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-test-result"

#include "kf-test-result.h"
#include "kf-errors.h"

#include <glib/gi18n.h>

typedef struct {
  KfTestPhase phase;
  double      ms;
  gboolean    ok;
} PhaseRecord;

struct _KfTestResult
{
  GObject   parent_instance;
  gboolean  ok;
  char     *message;
  GError   *error;
  char     *host_key_type;
  char     *host_key_fingerprint;
  gboolean  host_key_verified;
  GArray   *phases;
  double    total_ms;
  char     *truenas_version;
};

G_DEFINE_FINAL_TYPE (KfTestResult, kf_test_result, G_TYPE_OBJECT)

/* The timing line names a phase in lower case inside a sentence; it has its
 * own string because lower-casing a translated label is wrong in many
 * languages (German nouns, for one). */
static const struct {
  const char *id;
  const char *label;
  const char *in_timing;
} phase_names[] = {
  [KF_TEST_PHASE_CONNECT] = { "connect", N_("Connect"), N_("connect") },
  [KF_TEST_PHASE_HOST_KEY] = { "host-key", N_("Host key"), N_("host key") },
  [KF_TEST_PHASE_AUTHENTICATE] = { "authenticate", N_("Authenticate"), N_("authenticate") },
  [KF_TEST_PHASE_COMMAND] = { "command", N_("Command"), N_("command") },
  [KF_TEST_PHASE_VERSION] = { "version", N_("Version"), N_("version") },
};

const char *
kf_test_phase_to_string (KfTestPhase phase)
{
  g_return_val_if_fail ((guint) phase < G_N_ELEMENTS (phase_names), NULL);
  return phase_names[phase].id;
}

const char *
kf_test_phase_get_label (KfTestPhase phase)
{
  g_return_val_if_fail ((guint) phase < G_N_ELEMENTS (phase_names), NULL);
  return _(phase_names[phase].label);
}

static void
kf_test_result_finalize (GObject *object)
{
  KfTestResult *self = (KfTestResult *) object;

  g_free (self->message);
  g_clear_error (&self->error);
  g_free (self->host_key_type);
  g_free (self->host_key_fingerprint);
  g_free (self->truenas_version);
  g_array_unref (self->phases);

  G_OBJECT_CLASS (kf_test_result_parent_class)->finalize (object);
}

static void
kf_test_result_class_init (KfTestResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = kf_test_result_finalize;
}

static void
kf_test_result_init (KfTestResult *self)
{
  self->phases = g_array_new (FALSE, TRUE, sizeof (PhaseRecord));
}

KfTestResult *
kf_test_result_new (void)
{
  return g_object_new (KF_TYPE_TEST_RESULT, NULL);
}

gboolean
kf_test_result_get_ok (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), FALSE);
  return self->ok;
}

const char *
kf_test_result_get_message (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);
  return self->message;
}

const GError *
kf_test_result_get_error (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);
  return self->error;
}

KfTestFailure
kf_test_result_get_failure (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), KF_TEST_FAILURE_OTHER);

  if (self->ok)
    return KF_TEST_FAILURE_NONE;
  if (self->error == NULL || self->error->domain != KF_SSH_ERROR)
    return KF_TEST_FAILURE_OTHER;
  switch (self->error->code)
    {
    case KF_SSH_ERROR_RESOLVE:
    case KF_SSH_ERROR_REFUSED:
    case KF_SSH_ERROR_TIMEOUT:
      return KF_TEST_FAILURE_UNREACHABLE;
    case KF_SSH_ERROR_HOST_KEY_MISMATCH:
      return KF_TEST_FAILURE_HOST_KEY_CHANGED;
    case KF_SSH_ERROR_AUTH_FAILED:
      return KF_TEST_FAILURE_KEY_REFUSED;
    default:
      return KF_TEST_FAILURE_OTHER;
    }
}

const char *
kf_test_result_get_truenas_version (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);
  return self->truenas_version;
}

void
kf_test_result_set_truenas_version (KfTestResult *self,
                                    const char   *version)
{
  g_return_if_fail (KF_IS_TEST_RESULT (self));
  g_free (self->truenas_version);
  self->truenas_version = g_strdup (version);
}

const char *
kf_test_result_get_host_key_fingerprint (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);
  return self->host_key_fingerprint;
}

const char *
kf_test_result_get_host_key_type (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);
  return self->host_key_type;
}

gboolean
kf_test_result_get_host_key_verified (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), FALSE);
  return self->host_key_verified;
}

guint
kf_test_result_get_n_phases (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), 0);
  return self->phases->len;
}

KfTestPhase
kf_test_result_get_phase (KfTestResult *self,
                          guint         index,
                          double       *out_ms,
                          gboolean     *out_ok)
{
  const PhaseRecord *rec;

  g_return_val_if_fail (KF_IS_TEST_RESULT (self), 0);
  g_return_val_if_fail (index < self->phases->len, 0);

  rec = &g_array_index (self->phases, PhaseRecord, index);
  if (out_ms)
    *out_ms = rec->ms;
  if (out_ok)
    *out_ok = rec->ok;
  return rec->phase;
}

double
kf_test_result_get_phase_ms (KfTestResult *self,
                             KfTestPhase   phase)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), -1);

  for (guint i = 0; i < self->phases->len; i++)
    if (g_array_index (self->phases, PhaseRecord, i).phase == phase)
      return g_array_index (self->phases, PhaseRecord, i).ms;
  return -1;
}

double
kf_test_result_get_total_ms (KfTestResult *self)
{
  g_return_val_if_fail (KF_IS_TEST_RESULT (self), 0);
  return self->total_ms;
}

char *
kf_test_result_format_timing (KfTestResult *self)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (KF_IS_TEST_RESULT (self), NULL);

  for (guint i = 0; i < self->phases->len; i++)
    {
      const PhaseRecord *rec = &g_array_index (self->phases, PhaseRecord, i);
      const char *label = _(phase_names[rec->phase].in_timing);

      if (i > 0)
        g_string_append (out, ", ");
      /* Translators: a test phase (“connect”, “host key”, …) and how long it took */
      g_string_append_printf (out, rec->ok ? _("%s %.0f ms") : _("%s %.0f ms (failed)"), label, rec->ms);
    }
  if (out->len > 0)
    g_string_append (out, "; ");
  /* Translators: how long the whole test took */
  g_string_append_printf (out, _("total %.0f ms"), self->total_ms);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
kf_test_result_apply_to_connection (KfTestResult *self,
                                    KfConnection *connection)
{
  g_return_if_fail (KF_IS_TEST_RESULT (self));
  g_return_if_fail (KF_IS_CONNECTION (connection));

  kf_connection_set_test_state (connection, self->ok ? KF_TEST_STATE_OK : KF_TEST_STATE_FAILED);
  kf_connection_set_test_failure (connection, kf_test_result_get_failure (self));
  kf_connection_set_test_message (connection, self->message);
  kf_connection_set_tested_at (connection, g_get_real_time () / G_USEC_PER_SEC);
  if (self->host_key_verified)
    kf_connection_set_host_key_verified (connection, TRUE);
  /* An unreadable version keeps the last one known: the box did not change
   * version because one check could not read it. */
  if (self->truenas_version != NULL)
    kf_connection_set_truenas_version (connection, self->truenas_version);
}

void
kf_test_result_add_phase (KfTestResult *self,
                          KfTestPhase   phase,
                          double        ms,
                          gboolean      ok)
{
  PhaseRecord rec = { phase, ms, ok };

  g_return_if_fail (KF_IS_TEST_RESULT (self));
  g_array_append_val (self->phases, rec);
}

void
kf_test_result_set_host_key (KfTestResult *self,
                             const char   *key_type,
                             const char   *fingerprint,
                             gboolean      verified)
{
  g_return_if_fail (KF_IS_TEST_RESULT (self));

  g_free (self->host_key_type);
  self->host_key_type = g_strdup (key_type);
  g_free (self->host_key_fingerprint);
  self->host_key_fingerprint = g_strdup (fingerprint);
  self->host_key_verified = verified;
}

void
kf_test_result_finish (KfTestResult *self,
                       const GError *error,
                       const char   *message,
                       double        total_ms)
{
  g_return_if_fail (KF_IS_TEST_RESULT (self));

  g_clear_error (&self->error);
  self->ok = (error == NULL);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_free (self->message);
  self->message = g_strdup (error != NULL ? error->message : message);
  self->total_ms = total_ms;
}
