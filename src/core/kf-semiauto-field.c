/* kf-semiauto-field.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kf-errors.h"
#include "kf-semiauto-field.h"

KfTruenasField
kf_truenas_error_get_field (const GError *error)
{
  if (error == NULL)
    return KF_TRUENAS_FIELD_NONE;

  if (error->domain == KF_TRUENAS_ERROR)
    {
      switch ((KfTruenasError) error->code)
        {
        case KF_TRUENAS_ERROR_BAD_URL:
        case KF_TRUENAS_ERROR_UNREACHABLE:
        case KF_TRUENAS_ERROR_UNTRUSTED_CERTIFICATE:
        case KF_TRUENAS_ERROR_CERTIFICATE_CHANGED:
        case KF_TRUENAS_ERROR_STANDBY:
          return KF_TRUENAS_FIELD_URL;
        case KF_TRUENAS_ERROR_AUTH_FAILED:
          return KF_TRUENAS_FIELD_ADMIN_PASSWORD;
        case KF_TRUENAS_ERROR_OTP_REQUIRED:
        case KF_TRUENAS_ERROR_OTP_FAILED:
          return KF_TRUENAS_FIELD_OTP;
        case KF_TRUENAS_ERROR_NOT_AUTHORIZED:
        case KF_TRUENAS_ERROR_ACCOUNT:
          return KF_TRUENAS_FIELD_ADMIN_USERNAME;
        case KF_TRUENAS_ERROR_NO_SUCH_USER:
        case KF_TRUENAS_ERROR_NO_HOME:
        case KF_TRUENAS_ERROR_USER_UPDATE:
          return KF_TRUENAS_FIELD_USERNAME;
        case KF_TRUENAS_ERROR_TIMEOUT:
        case KF_TRUENAS_ERROR_PROTOCOL:
        case KF_TRUENAS_ERROR_REMOTE:
        case KF_TRUENAS_ERROR_RATE_LIMITED:
        default:
          return KF_TRUENAS_FIELD_NONE;
        }
    }
  if (error->domain == KF_INPUT_ERROR)
    {
      switch ((KfInputError) error->code)
        {
        case KF_INPUT_ERROR_NAME:     return KF_TRUENAS_FIELD_NAME;
        case KF_INPUT_ERROR_URL:      return KF_TRUENAS_FIELD_URL;
        case KF_INPUT_ERROR_HOST:     return KF_TRUENAS_FIELD_URL;
        case KF_INPUT_ERROR_USERNAME: return KF_TRUENAS_FIELD_USERNAME;
        case KF_INPUT_ERROR_KEYPAIR:  return KF_TRUENAS_FIELD_KEYPAIR;
        case KF_INPUT_ERROR_TIMEOUT:  return KF_TRUENAS_FIELD_CONNECT_TIMEOUT;
        case KF_INPUT_ERROR_ADMIN_USERNAME: return KF_TRUENAS_FIELD_ADMIN_USERNAME;
        case KF_INPUT_ERROR_ADMIN_PASSWORD: return KF_TRUENAS_FIELD_ADMIN_PASSWORD;
        case KF_INPUT_ERROR_PORT:
        case KF_INPUT_ERROR_HOST_KEY:
        case KF_INPUT_ERROR_TOO_LONG:
        default:
          return KF_TRUENAS_FIELD_NONE;
        }
    }
  if (error->domain == KF_KEY_ERROR)
    return KF_TRUENAS_FIELD_KEYPAIR;
  if (error->domain == KF_STORE_ERROR && error->code == KF_STORE_ERROR_NAME_TAKEN)
    return KF_TRUENAS_FIELD_NAME;
  return KF_TRUENAS_FIELD_NONE;
}
