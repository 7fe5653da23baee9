/* kf-connection.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "kf-connection"

#include "kf-connection.h"
#include "kf-model-private.h"
#include "kf-serialize.h"

struct _KfConnection
{
  GObject       parent_instance;

  char         *id;
  char         *name;
  KfSetupMethod setup_method;
  char         *host;
  guint         port;
  char         *username;
  char         *keypair_id;
  char        **host_keys;
  guint         connect_timeout;
  char         *truenas_url;
  char         *admin_username;
  char         *tls_pin;
  char         *truenas_version;
  gboolean      sudo_zfs;
  gboolean      host_key_verified;
  KfTestState   test_state;
  KfTestFailure test_failure;
  char         *test_message;
  gint64        tested_at;
  gint64        created;
};

G_DEFINE_FINAL_TYPE (KfConnection, kf_connection, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SETUP_METHOD,
  PROP_HOST,
  PROP_PORT,
  PROP_USERNAME,
  PROP_KEYPAIR_ID,
  PROP_HOST_KEYS,
  PROP_CONNECT_TIMEOUT,
  PROP_TRUENAS_URL,
  PROP_ADMIN_USERNAME,
  PROP_TLS_PIN,
  PROP_TRUENAS_VERSION,
  PROP_SUDO_ZFS,
  PROP_HOST_KEY_VERIFIED,
  PROP_TEST_STATE,
  PROP_TEST_FAILURE,
  PROP_TEST_MESSAGE,
  PROP_TESTED_AT,
  PROP_CREATED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
kf_connection_finalize (GObject *object)
{
  KfConnection *self = (KfConnection *) object;

  g_free (self->id);
  g_free (self->name);
  g_free (self->host);
  g_free (self->username);
  g_free (self->keypair_id);
  g_strfreev (self->host_keys);
  g_free (self->truenas_url);
  g_free (self->admin_username);
  g_free (self->tls_pin);
  g_free (self->truenas_version);
  g_free (self->test_message);

  G_OBJECT_CLASS (kf_connection_parent_class)->finalize (object);
}

static void
kf_connection_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  KfConnection *self = KF_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_ID:                g_value_set_string (value, self->id); break;
    case PROP_NAME:              g_value_set_string (value, self->name); break;
    case PROP_SETUP_METHOD:      g_value_set_enum (value, self->setup_method); break;
    case PROP_HOST:              g_value_set_string (value, self->host); break;
    case PROP_PORT:              g_value_set_uint (value, self->port); break;
    case PROP_USERNAME:          g_value_set_string (value, self->username); break;
    case PROP_KEYPAIR_ID:        g_value_set_string (value, self->keypair_id); break;
    case PROP_HOST_KEYS:         g_value_set_boxed (value, self->host_keys); break;
    case PROP_CONNECT_TIMEOUT:   g_value_set_uint (value, self->connect_timeout); break;
    case PROP_TRUENAS_URL:       g_value_set_string (value, self->truenas_url); break;
    case PROP_ADMIN_USERNAME:    g_value_set_string (value, self->admin_username); break;
    case PROP_TLS_PIN:           g_value_set_string (value, self->tls_pin); break;
    case PROP_TRUENAS_VERSION:   g_value_set_string (value, self->truenas_version); break;
    case PROP_SUDO_ZFS:          g_value_set_boolean (value, self->sudo_zfs); break;
    case PROP_HOST_KEY_VERIFIED: g_value_set_boolean (value, self->host_key_verified); break;
    case PROP_TEST_STATE:        g_value_set_enum (value, self->test_state); break;
    case PROP_TEST_FAILURE:      g_value_set_enum (value, self->test_failure); break;
    case PROP_TEST_MESSAGE:      g_value_set_string (value, self->test_message); break;
    case PROP_TESTED_AT:         g_value_set_int64 (value, self->tested_at); break;
    case PROP_CREATED:           g_value_set_int64 (value, self->created); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_connection_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  KfConnection *self = KF_CONNECTION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_free (self->id);
      self->id = g_value_get_string (value) ? g_value_dup_string (value) : g_uuid_string_random ();
      break;
    case PROP_NAME:              kf_connection_set_name (self, g_value_get_string (value)); break;
    case PROP_SETUP_METHOD:      kf_connection_set_setup_method (self, g_value_get_enum (value)); break;
    case PROP_HOST:              kf_connection_set_host (self, g_value_get_string (value)); break;
    case PROP_PORT:              kf_connection_set_port (self, g_value_get_uint (value)); break;
    case PROP_USERNAME:          kf_connection_set_username (self, g_value_get_string (value)); break;
    case PROP_KEYPAIR_ID:        kf_connection_set_keypair_id (self, g_value_get_string (value)); break;
    case PROP_HOST_KEYS:         kf_connection_set_host_keys (self, g_value_get_boxed (value)); break;
    case PROP_CONNECT_TIMEOUT:   kf_connection_set_connect_timeout (self, g_value_get_uint (value)); break;
    case PROP_TRUENAS_URL:       kf_connection_set_truenas_url (self, g_value_get_string (value)); break;
    case PROP_ADMIN_USERNAME:    kf_connection_set_admin_username (self, g_value_get_string (value)); break;
    case PROP_TLS_PIN:           kf_connection_set_tls_pin (self, g_value_get_string (value)); break;
    case PROP_TRUENAS_VERSION:   kf_connection_set_truenas_version (self, g_value_get_string (value)); break;
    case PROP_SUDO_ZFS:          kf_connection_set_sudo_zfs (self, g_value_get_boolean (value)); break;
    case PROP_HOST_KEY_VERIFIED: kf_connection_set_host_key_verified (self, g_value_get_boolean (value)); break;
    case PROP_TEST_STATE:        kf_connection_set_test_state (self, g_value_get_enum (value)); break;
    case PROP_TEST_FAILURE:      kf_connection_set_test_failure (self, g_value_get_enum (value)); break;
    case PROP_TEST_MESSAGE:      kf_connection_set_test_message (self, g_value_get_string (value)); break;
    case PROP_TESTED_AT:         kf_connection_set_tested_at (self, g_value_get_int64 (value)); break;
    case PROP_CREATED:           self->created = g_value_get_int64 (value); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
kf_connection_class_init (KfConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS | KF_PARAM_PERSIST;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS | KF_PARAM_PERSIST;

  object_class->finalize = kf_connection_finalize;
  object_class->get_property = kf_connection_get_property;
  object_class->set_property = kf_connection_set_property;

  /* FIELD: where the store reader writes a loaded value (kf-model-private.h) */
#define FIELD(member, pspec) KF_PARAM_FIELD (KfConnection, member, pspec)
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, co);
  properties[PROP_NAME] = FIELD (name, g_param_spec_string ("name", NULL, NULL, NULL, rw));
  properties[PROP_SETUP_METHOD] =
    FIELD (setup_method, g_param_spec_enum ("setup-method", NULL, NULL,
                                            KF_TYPE_SETUP_METHOD, KF_SETUP_METHOD_MANUAL, rw));
  properties[PROP_HOST] = FIELD (host, g_param_spec_string ("host", NULL, NULL, NULL, rw));
  properties[PROP_PORT] =
    FIELD (port, g_param_spec_uint ("port", NULL, NULL, 1, 65535, KF_CONNECTION_DEFAULT_PORT, rw));
  properties[PROP_USERNAME] = FIELD (username, g_param_spec_string ("username", NULL, NULL, "root", rw));
  properties[PROP_KEYPAIR_ID] = FIELD (keypair_id, g_param_spec_string ("keypair-id", NULL, NULL, NULL, rw));
  properties[PROP_HOST_KEYS] =
    FIELD (host_keys, g_param_spec_boxed ("host-keys", NULL, NULL, G_TYPE_STRV, rw));
  properties[PROP_CONNECT_TIMEOUT] =
    FIELD (connect_timeout, g_param_spec_uint ("connect-timeout", NULL, NULL,
                                               KF_CONNECTION_MIN_TIMEOUT, KF_CONNECTION_MAX_TIMEOUT,
                                               KF_CONNECTION_DEFAULT_TIMEOUT, rw));
  properties[PROP_TRUENAS_URL] =
    FIELD (truenas_url, g_param_spec_string ("truenas-url", NULL, NULL, NULL, rw));
  properties[PROP_ADMIN_USERNAME] =
    FIELD (admin_username, g_param_spec_string ("admin-username", NULL, NULL, NULL, rw));
  properties[PROP_TLS_PIN] = FIELD (tls_pin, g_param_spec_string ("tls-pin", NULL, NULL, NULL, rw));
  properties[PROP_TRUENAS_VERSION] =
    FIELD (truenas_version, g_param_spec_string ("truenas-version", NULL, NULL, NULL, rw));
  properties[PROP_SUDO_ZFS] = FIELD (sudo_zfs, g_param_spec_boolean ("sudo-zfs", NULL, NULL, FALSE, rw));
  properties[PROP_HOST_KEY_VERIFIED] =
    FIELD (host_key_verified, g_param_spec_boolean ("host-key-verified", NULL, NULL, FALSE, rw));
  properties[PROP_TEST_STATE] =
    FIELD (test_state, g_param_spec_enum ("test-state", NULL, NULL,
                                          KF_TYPE_TEST_STATE, KF_TEST_STATE_UNTESTED, rw));
  properties[PROP_TEST_FAILURE] =
    FIELD (test_failure, g_param_spec_enum ("test-failure", NULL, NULL,
                                            KF_TYPE_TEST_FAILURE, KF_TEST_FAILURE_NONE, rw));
  properties[PROP_TEST_MESSAGE] =
    FIELD (test_message, g_param_spec_string ("test-message", NULL, NULL, NULL, rw));
  properties[PROP_TESTED_AT] =
    FIELD (tested_at, g_param_spec_int64 ("tested-at", NULL, NULL, 0, G_MAXINT64, 0, rw));
  properties[PROP_CREATED] = g_param_spec_int64 ("created", NULL, NULL, 0, G_MAXINT64, 0, co);
#undef FIELD

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
kf_connection_init (KfConnection *self)
{
  self->setup_method = KF_SETUP_METHOD_MANUAL;
  self->port = KF_CONNECTION_DEFAULT_PORT;
  self->username = g_strdup ("root");
  self->connect_timeout = KF_CONNECTION_DEFAULT_TIMEOUT;
  self->host_keys = g_new0 (char *, 1);
}

KfConnection *
kf_connection_new (const char *name)
{
  return g_object_new (KF_TYPE_CONNECTION,
                       "name", name,
                       "created", g_get_real_time () / G_USEC_PER_SEC,
                       NULL);
}

const char *
kf_connection_get_id (KfConnection *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION (self), NULL);
  return self->id;
}

gint64
kf_connection_get_created (KfConnection *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION (self), 0);
  return self->created;
}

const char * const *
kf_connection_get_host_keys (KfConnection *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION (self), NULL);
  return (const char * const *) self->host_keys;
}

void
kf_connection_set_host_keys (KfConnection       *self,
                             const char * const *host_keys)
{
  static const char *empty[] = { NULL };

  g_return_if_fail (KF_IS_CONNECTION (self));
  if (kf_set_strv (&self->host_keys, host_keys ? host_keys : empty))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST_KEYS]);
}

KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, name, PROP_NAME)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, host, PROP_HOST)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, username, PROP_USERNAME)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, keypair_id, PROP_KEYPAIR_ID)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, truenas_url, PROP_TRUENAS_URL)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, admin_username, PROP_ADMIN_USERNAME)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, tls_pin, PROP_TLS_PIN)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, truenas_version, PROP_TRUENAS_VERSION)
KF_STRING_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, test_message, PROP_TEST_MESSAGE)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, KfSetupMethod, setup_method, PROP_SETUP_METHOD)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, guint, port, PROP_PORT)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, guint, connect_timeout, PROP_CONNECT_TIMEOUT)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, gboolean, sudo_zfs, PROP_SUDO_ZFS)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, gboolean, host_key_verified, PROP_HOST_KEY_VERIFIED)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, KfTestState, test_state, PROP_TEST_STATE)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, KfTestFailure, test_failure, PROP_TEST_FAILURE)
KF_SCALAR_ACCESSORS (KfConnection, kf_connection, KF_IS_CONNECTION, gint64, tested_at, PROP_TESTED_AT)

void
kf_connection_assign (KfConnection *self,
                      KfConnection *from)
{
  g_return_if_fail (KF_IS_CONNECTION (self));
  g_return_if_fail (KF_IS_CONNECTION (from));
  kf_model_assign (G_OBJECT (self), G_OBJECT (from));
}

void
kf_connection_assign_test (KfConnection *self,
                           KfConnection *from)
{
  g_return_if_fail (KF_IS_CONNECTION (self));
  g_return_if_fail (KF_IS_CONNECTION (from));

  kf_connection_set_test_state (self, from->test_state);
  kf_connection_set_test_failure (self, from->test_failure);
  kf_connection_set_test_message (self, from->test_message);
  kf_connection_set_tested_at (self, from->tested_at);
  if (from->host_key_verified)
    kf_connection_set_host_key_verified (self, TRUE);
  if (from->truenas_version != NULL)
    kf_connection_set_truenas_version (self, from->truenas_version);
}

KfConnection *
kf_connection_copy (KfConnection *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION (self), NULL);
  return KF_CONNECTION (kf_model_copy (G_OBJECT (self)));
}

KfCheckState
kf_connection_get_check_state (KfConnection *self)
{
  g_return_val_if_fail (KF_IS_CONNECTION (self), KF_CHECK_STATE_NOT_CHECKED);

  if (self->test_state == KF_TEST_STATE_OK)
    return KF_CHECK_STATE_OK;
  if (self->test_state != KF_TEST_STATE_FAILED)
    return KF_CHECK_STATE_NOT_CHECKED;
  switch (self->test_failure)
    {
    case KF_TEST_FAILURE_UNREACHABLE:      return KF_CHECK_STATE_UNREACHABLE;
    case KF_TEST_FAILURE_HOST_KEY_CHANGED: return KF_CHECK_STATE_HOST_KEY_CHANGED;
    case KF_TEST_FAILURE_KEY_REFUSED:      return KF_CHECK_STATE_KEY_REFUSED;
    case KF_TEST_FAILURE_NONE:
    case KF_TEST_FAILURE_OTHER:
    default:                               return KF_CHECK_STATE_FAILED;
    }
}
