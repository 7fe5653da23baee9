/* fake-truenas-error.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "fake-truenas-error"

#include "fake-truenas-error.h"

#include <errno.h>
#include <string.h>

const char *
fake_errname (int errnum)
{
  switch (errnum)
    {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EBADMSG: return "EBADMSG";
    case ETOOMANYREFS: return "ETOOMANYREFS";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EBUSY: return "EBUSY";
    case FAKE_ENOMETHOD: return "ENOMETHOD";
    case FAKE_ENOTAUTHENTICATED: return "ENOTAUTHENTICATED";
    default: return "EUNKNOWN";
    }
}

static void
item_free (FakeValidationItem *item)
{
  g_free (item->attribute);
  g_free (item->message);
  g_free (item);
}

void
fake_error_free (FakeError *error)
{
  if (error == NULL)
    return;
  g_free (error->reason);
  g_free (error->exc_class);
  g_clear_pointer (&error->items, g_ptr_array_unref);
  g_free (error);
}

/* Like middlewared's CallError: the reason is "[ERRNAME] message". */
FakeError *
fake_error_new_call (int         errnum,
                     const char *format,
                     ...)
{
  FakeError *error = g_new0 (FakeError, 1);
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error->kind = FAKE_ERROR_CALL;
  error->errnum = errnum;
  error->reason = g_strdup_printf ("[%s] %s", fake_errname (errnum), message);
  error->exc_class = g_strdup ("CallError");
  return error;
}

/* An exception middlewared does not adapt: errno EINVAL, reason str(e) or repr(e). */
FakeError *
fake_error_new_exception (const char *exc_class,
                          const char *reason)
{
  FakeError *error = g_new0 (FakeError, 1);

  error->kind = FAKE_ERROR_CALL;
  error->errnum = EINVAL;
  error->reason = g_strdup (reason);
  error->exc_class = g_strdup (exc_class);
  return error;
}

FakeError *
fake_error_new_validation (void)
{
  FakeError *error = g_new0 (FakeError, 1);

  error->kind = FAKE_ERROR_VALIDATION;
  error->errnum = EINVAL;
  error->exc_class = g_strdup ("ValidationErrors");
  error->items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  return error;
}

void
fake_error_add_item (FakeError  *error,
                     const char *attribute,
                     int         errnum,
                     const char *format,
                     ...)
{
  FakeValidationItem *item = g_new0 (FakeValidationItem, 1);
  va_list args;

  g_return_if_fail (error->kind == FAKE_ERROR_VALIDATION);

  va_start (args, format);
  item->message = g_strdup_vprintf (format, args);
  va_end (args);
  item->attribute = g_strdup (attribute);
  item->errnum = errnum;
  g_ptr_array_add (error->items, item);
}

/* Builds the reason as str(ValidationErrors) does; returns NULL (and frees)
 * when no item was added, so callers can write `return finish (e)`. */
FakeError *
fake_error_finish_validation (FakeError *error)
{
  GString *reason;

  if (error->items->len == 0)
    {
      fake_error_free (error);
      return NULL;
    }
  reason = g_string_new (NULL);
  for (guint i = 0; i < error->items->len; i++)
    {
      FakeValidationItem *item = g_ptr_array_index (error->items, i);
      g_string_append_printf (reason, "[%s] %s: %s\n", fake_errname (item->errnum),
                              item->attribute != NULL ? item->attribute : "None", item->message);
    }
  g_free (error->reason);
  error->reason = g_string_free (reason, FALSE);
  return error;
}

FakeError *
fake_error_new_single_validation (const char *exc_class,
                                  const char *attribute,
                                  int         errnum,
                                  const char *message)
{
  FakeError *error = fake_error_new_validation ();

  fake_error_add_item (error, attribute, errnum, "%s", message);
  g_free (error->exc_class);
  error->exc_class = g_strdup (exc_class);
  error->single = TRUE;
  error->reason = g_strdup_printf ("[%s] %s: %s", fake_errname (errnum),
                                   attribute != NULL ? attribute : "None", message);
  return error;
}

FakeError *
fake_error_new_no_method (const char *method)
{
  FakeError *error = g_new0 (FakeError, 1);
  const char *dot = strrchr (method, '.');

  error->kind = FAKE_ERROR_NO_METHOD;
  if (dot == NULL)
    {
      error->errnum = EBADMSG;
      error->reason = g_strdup ("[EBADMSG] Invalid method name");
    }
  else
    {
      g_autofree char *service = g_strndup (method, dot - method);
      error->errnum = FAKE_ENOMETHOD;
      error->reason = g_strdup_printf ("[ENOMETHOD] Method '%s' not found in '%s'", dot + 1, service);
    }
  error->exc_class = g_strdup ("CallError");
  return error;
}

FakeError *
fake_error_new_too_many (guint limit)
{
  FakeError *error = g_new0 (FakeError, 1);

  error->kind = FAKE_ERROR_TOO_MANY;
  error->errnum = ETOOMANYREFS;
  error->reason = g_strdup_printf ("Maximum number of concurrent calls (%u) has exceeded", limit);
  return error;
}

JsonNode *
fake_error_build_trace (const FakeError *error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *formatted = NULL;
  g_autofree char *repr = NULL;

  if (error->exc_class == NULL)
    return json_node_new (JSON_NODE_NULL);

  formatted = g_strdup_printf ("Traceback (most recent call last):\n"
                               "  File \"/usr/lib/python3/dist-packages/middlewared/main.py\", line 1, in call_method\n"
                               "middlewared.service_exception.%s: %s\n",
                               error->exc_class, error->reason);
  repr = g_strdup_printf ("%s(%s)", error->exc_class, error->reason);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "class");
  json_builder_add_string_value (builder, error->exc_class);
  json_builder_set_member_name (builder, "frames");
  json_builder_begin_array (builder);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "formatted");
  json_builder_add_string_value (builder, formatted);
  json_builder_set_member_name (builder, "repr");
  json_builder_add_string_value (builder, repr);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

JsonNode *
fake_error_build_extra (const FakeError *error)
{
  g_autoptr(JsonBuilder) builder = NULL;

  if (error->items == NULL)
    return json_node_new (JSON_NODE_NULL);

  builder = json_builder_new ();
  json_builder_begin_array (builder);
  for (guint i = 0; i < error->items->len; i++)
    {
      FakeValidationItem *item = g_ptr_array_index (error->items, i);

      json_builder_begin_array (builder);
      if (item->attribute != NULL)
        json_builder_add_string_value (builder, item->attribute);
      else
        json_builder_add_null_value (builder);
      json_builder_add_string_value (builder, item->message);
      json_builder_add_int_value (builder, item->errnum);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
