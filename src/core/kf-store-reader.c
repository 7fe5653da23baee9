/* kf-store-reader.c
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE   /* memmem */
#define G_LOG_DOMAIN "kf-store-reader"

#include <string.h>
#ifdef __linux__
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "kf-connection.h"
#include "kf-errors.h"
#include "kf-keypair.h"
#include "kf-model-private.h"
#include "kf-serialize.h"
#include "kf-store.h"
#include "kf-store-private.h"
#include "kf-store-reader.h"

#define MAX_DEPTH 64

/* How a saved property's JSON value is read. */
typedef enum
{
  SLOT_STRING,
  SLOT_STRV,
  SLOT_BOOLEAN,
  SLOT_INTEGER,     /* G_TYPE_UINT, G_TYPE_INT or G_TYPE_INT64, in [minimum, maximum] */
  SLOT_ENUM,        /* saved as its nick */
  SLOT_OTHER,       /* a type the store does not save: its value is refused */
} SlotKind;

/* One saved property, looked up once per load rather than once per member:
 * G_PARAM_SPEC_VALUE_TYPE() and the G_PARAM_SPEC_*() casts are checked casts,
 * and with a million members in 10,000 + 10,000 items they were 5 % of it. */
typedef struct
{
  GParamSpec  *pspec;
  const char  *name;
  SlotKind     kind;
  GType        vtype;
  gint64       minimum;
  gint64       maximum;
  gboolean     construct;    /* given to the constructor, not set after */
  gssize       field;        /* where the value lives in the instance, or -1 */
  GPtrArray   *strv;         /* scratch pointer array for SLOT_STRV */
  GEnumClass  *enum_class;   /* for SLOT_ENUM */
} Slot;

/* The saved properties of one model type, and scratch space for one object. */
typedef struct
{
  GType        type;
  Slot        *slots;
  guint        n_slots;
  GValue      *values;
  guint64      present;      /* bit i: slots[i] was in the current object */
  const char **names;        /* for g_object_new_with_properties */
  GValue      *ctor_values;
  guint        id_slot;      /* the "id" property, or G_MAXUINT */
} ModelInfo;

typedef struct
{
  char             *p;
  const char       *start;
  GError           *model_error;   /* first wrong field; parsing goes on to tell damage from version */
  KfStoreReuseFunc  reuse;
  gpointer          reuse_data;
  char             *released;      /* the text before this is given back */
  /* A window on the text (kf_store_reader_parse_stream()); pull NULL: the
   * whole text is in memory. start[0] is byte @base of the text, and the
   * window ends at @end, where a NUL follows. */
  KfStoreReaderPull pull;
  gpointer          pull_data;
  char             *end;
  gsize             base;
  gboolean          eof;
  gboolean          stream_failed; /* a read error or a NUL byte came through pull */
  gboolean          yields;        /* give up the CPU now and then (maybe_yield()) */
  guint             since_yield;
} Reader;

/* The window's size, and how much of it must lie ahead of an element. An
 * element that does not fit in what is left of the window when it starts
 * (at least WINDOW_AHEAD) stops a streaming parse (see
 * kf_store_reader_parse_stream()); ours are a few kilobytes. */
#define WINDOW_SIZE  (1024 * 1024)
#define WINDOW_AHEAD (256 * 1024)

/* kf_store_reader_set_window_for_testing() */
static gsize window_size = WINDOW_SIZE;
static gsize window_ahead = WINDOW_AHEAD;

static GQuark
text_hash_quark (void)
{
  static GQuark quark;

  if (quark == 0)
    quark = g_quark_from_static_string ("kf-store-text-hash");
  return quark;
}

static inline guint64
hash_mix (guint64 h,
          guint64 w)
{
  h = (h ^ w) * G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  return h ^ (h >> 32);
}

/* A 64-bit hash of an element's text (this runs over the whole file on
 * every load). Four independent lanes of 8 bytes, so the multiplications
 * overlap instead of waiting for each other. Only compared with the hash of
 * the same id's previous text, so it needs to tell edits apart, not resist
 * attacks. */
static guint64
hash_text (const char *p,
           gsize       n)
{
  guint64 lane[4] = {
    G_GUINT64_CONSTANT (0x9E3779B97F4A7C15) ^ n,
    G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F),
    G_GUINT64_CONSTANT (0x165667B19E3779F9),
    G_GUINT64_CONSTANT (0x27D4EB2F165667C5),
  };
  guint64 h, w;

  for (; n >= 32; p += 32, n -= 32)
    for (int i = 0; i < 4; i++)
      {
        memcpy (&w, p + 8 * i, 8);
        lane[i] = hash_mix (lane[i], w);
      }
  h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7);
  for (; n >= 8; p += 8, n -= 8)
    {
      memcpy (&w, p, 8);
      h = hash_mix (h, w);
    }
  w = 0;
  memcpy (&w, p, n);
  h = (h ^ w) * G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  h ^= h >> 29;
  return h | 1;   /* never 0, which means "no hash" */
}

/* pointer-sized: the whole hash on 64-bit systems */
guint64
kf_store_reader_get_text_hash (GObject *object)
{
  return (guint64) GPOINTER_TO_SIZE (g_object_get_qdata (object, text_hash_quark ()));
}

void
kf_store_reader_set_text_hash (GObject *object,
                               guint64  text_hash)
{
  g_object_set_qdata (object, text_hash_quark (), GSIZE_TO_POINTER ((gsize) text_hash));
}

static void
slot_init (Slot       *slot,
           GParamSpec *pspec)
{
  GType vtype = G_PARAM_SPEC_VALUE_TYPE (pspec);

  slot->pspec = pspec;
  slot->name = pspec->name;
  slot->vtype = vtype;
  slot->construct = (pspec->flags & (G_PARAM_CONSTRUCT_ONLY | G_PARAM_CONSTRUCT)) != 0;
  slot->field = kf_param_get_field (pspec);
  if (vtype == G_TYPE_STRING)
    slot->kind = SLOT_STRING;
  else if (vtype == G_TYPE_STRV)
    {
      slot->kind = SLOT_STRV;
      slot->strv = g_ptr_array_new ();
    }
  else if (vtype == G_TYPE_BOOLEAN)
    slot->kind = SLOT_BOOLEAN;
  else if (vtype == G_TYPE_UINT)
    {
      slot->kind = SLOT_INTEGER;
      slot->minimum = G_PARAM_SPEC_UINT (pspec)->minimum;
      slot->maximum = G_PARAM_SPEC_UINT (pspec)->maximum;
    }
  else if (vtype == G_TYPE_INT)
    {
      slot->kind = SLOT_INTEGER;
      slot->minimum = G_PARAM_SPEC_INT (pspec)->minimum;
      slot->maximum = G_PARAM_SPEC_INT (pspec)->maximum;
    }
  else if (vtype == G_TYPE_INT64)
    {
      slot->kind = SLOT_INTEGER;
      slot->minimum = G_PARAM_SPEC_INT64 (pspec)->minimum;
      slot->maximum = G_PARAM_SPEC_INT64 (pspec)->maximum;
    }
  else if (G_TYPE_IS_ENUM (vtype))
    {
      slot->kind = SLOT_ENUM;
      slot->enum_class = g_type_class_ref (vtype);
    }
  else
    slot->kind = SLOT_OTHER;
}

static void
model_info_init (ModelInfo *info,
                 GType      type)
{
  GObjectClass *klass = g_type_class_ref (type);
  guint n_all = 0;
  g_autofree GParamSpec **all = g_object_class_list_properties (klass, &n_all);

  memset (info, 0, sizeof *info);
  info->type = type;
  info->slots = g_new0 (Slot, n_all);
  for (guint i = 0; i < n_all; i++)
    if (all[i]->flags & KF_PARAM_PERSIST)
      slot_init (&info->slots[info->n_slots++], all[i]);
  /* "present" is a 64-bit mask */
  g_assert (info->n_slots <= 64);

  info->values = g_new0 (GValue, info->n_slots);
  info->names = g_new0 (const char *, info->n_slots);
  info->ctor_values = g_new0 (GValue, info->n_slots);
  info->id_slot = G_MAXUINT;
  for (guint i = 0; i < info->n_slots; i++)
    {
      if (info->slots[i].kind == SLOT_STRING && strcmp (info->slots[i].name, "id") == 0)
        info->id_slot = i;
      g_value_init (&info->values[i], info->slots[i].vtype);
    }
  g_type_class_unref (klass);
}

static void
model_info_clear (ModelInfo *info)
{
  for (guint i = 0; i < info->n_slots; i++)
    {
      g_value_unset (&info->values[i]);
      if (info->slots[i].strv != NULL)
        g_ptr_array_unref (info->slots[i].strv);
      if (info->slots[i].enum_class != NULL)
        g_type_class_unref (info->slots[i].enum_class);
    }
  g_free (info->values);
  g_free (info->names);
  g_free (info->ctor_values);
  g_free (info->slots);
  memset (info, 0, sizeof *info);
}

/* Where r->p is in the whole text, for messages. */
static gsize
position (const Reader *r)
{
  return r->base + (gsize) (r->p - r->start);
}

static gboolean
fail (Reader     *r,
      GError    **error,
      const char *what)
{
  g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
               "At byte %" G_GSIZE_FORMAT ": %s", position (r), what);
  return FALSE;
}

/* Streaming: keeps window_ahead bytes (or the rest of the text) after r->p
 * in the window, moving what is left to its start and pulling more. Only
 * called between list elements, when nothing points into the text. */
static void
refill (Reader *r)
{
  char *window = (char *) r->start;
  gsize left;

  if (r->pull == NULL || r->eof || (gsize) (r->end - r->p) >= window_ahead)
    return;
  left = r->end - r->p;
  memmove (window, r->p, left);
  r->base += r->p - window;
  r->p = window;
  r->end = window + left;
  while (!r->eof && r->end < window + window_size)
    {
      gssize n = r->pull (r->pull_data, r->end, window + window_size - r->end);

      if (n < 0 || (n > 0 && memchr (r->end, '\0', n) != NULL))
        {
          /* the whole-text parse reports these */
          r->stream_failed = TRUE;
          r->eof = TRUE;
        }
      else if (n == 0)
        r->eof = TRUE;
      else
        r->end += n;
    }
  *r->end = '\0';
}

static inline void
skip_ws (Reader *r)
{
  while (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t')
    r->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (Reader   *r,
           gunichar *out)
{
  gunichar v = 0;

  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (r->p[i]);
      if (h < 0)
        return FALSE;
      v = (v << 4) | (gunichar) h;
    }
  r->p += 4;
  *out = v;
  return TRUE;
}

/* TRUE when a byte of @text[0..len) is not ASCII; eight bytes a step, and
 * the last 1–7 bytes as one word that overlaps the step before. */
static gboolean
any_high_bit (const char *text,
              gsize       len)
{
  guint64 acc = 0, word;
  gsize i = 0;

  if (len < 8)
    {
      for (; i < len; i++)
        acc |= (guchar) text[i];
      return (acc & 0x80) != 0;
    }
  for (; i + 8 <= len; i += 8)
    {
      memcpy (&word, text + i, 8);
      acc |= word;
    }
  memcpy (&word, text + len - 8, 8);
  acc |= word;
  return (acc & G_GUINT64_CONSTANT (0x8080808080808080)) != 0;
}

/* r->p is on the opening quote. Decodes the string in place, NUL-terminates
 * it and returns it in @out; the buffer holds it until the reader is done.
 * Decoded text is never longer than its escaped form, so it fits. */
static gboolean
parse_string (Reader  *r,
              char   **out,
              GError **error)
{
  char *start = ++r->p;
  char *w;
  guchar high = 0;

  /* Fast path: most strings have no escapes. The buffer ends in a NUL,
   * where strcspn() stops too. glibc's strcspn() scans 16 bytes a step:
   * the bulk of a store is long base64 keys, and a byte-by-byte loop here
   * took 40% of loading 10,000 + 10,000 items (callgrind). Raw control
   * characters are let through: json-glib 1.6 writes U+001F unescaped, and
   * the reader must take whatever the writer wrote. */
  r->p += strcspn (r->p, "\"\\");
  if (any_high_bit (start, r->p - start))
    high = 0x80;

  w = r->p;
  while (*r->p != '"')
    {
      guchar c = (guchar) *r->p;

      if (c == 0)
        return fail (r, error, "the file ends inside a string");
      if (c != '\\')
        {
          high |= c;
          *w++ = *r->p++;
          continue;
        }
      r->p++;
      switch (*r->p++)
        {
        case '"':  *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '/':  *w++ = '/'; break;
        case 'b':  *w++ = '\b'; break;
        case 'f':  *w++ = '\f'; break;
        case 'n':  *w++ = '\n'; break;
        case 'r':  *w++ = '\r'; break;
        case 't':  *w++ = '\t'; break;
        case 'u':
          {
            gunichar u, low;

            if (!read_hex4 (r, &u))
              return fail (r, error, "a bad \\u escape");
            if (u >= 0xD800 && u <= 0xDBFF)
              {
                if (r->p[0] != '\\' || r->p[1] != 'u')
                  return fail (r, error, "a lone UTF-16 surrogate");
                r->p += 2;
                if (!read_hex4 (r, &low) || low < 0xDC00 || low > 0xDFFF)
                  return fail (r, error, "a lone UTF-16 surrogate");
                u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
              }
            else if (u >= 0xDC00 && u <= 0xDFFF)
              return fail (r, error, "a lone UTF-16 surrogate");
            else if (u == 0)
              return fail (r, error, "a NUL character inside a string");
            w += g_unichar_to_utf8 (u, w);
          }
          break;
        default:
          r->p--;
          return fail (r, error, "a bad escape in a string");
        }
    }
  *w = '\0';
  r->p++;
  if ((high & 0x80) && !g_utf8_validate_len (start, w - start, NULL))
    return fail (r, error, "a string that is not UTF-8");
  *out = start;
  return TRUE;
}

/* JSON number grammar; @is_int is TRUE for a plain integer that fits gint64. */
static gboolean
parse_number (Reader   *r,
              gint64   *out,
              gboolean *is_int,
              GError  **error)
{
  gboolean negative = FALSE;
  gboolean overflow = FALSE;
  guint64 v = 0;

  *is_int = TRUE;
  if (*r->p == '-')
    {
      negative = TRUE;
      r->p++;
    }
  if (*r->p == '0')
    r->p++;
  else if (*r->p >= '1' && *r->p <= '9')
    {
      while (*r->p >= '0' && *r->p <= '9')
        {
          guint d = *r->p++ - '0';
          if (v > (G_MAXUINT64 - d) / 10)
            overflow = TRUE;
          else
            v = v * 10 + d;
        }
    }
  else
    return fail (r, error, "a malformed number");

  if (*r->p == '.')
    {
      *is_int = FALSE;
      r->p++;
      if (!g_ascii_isdigit (*r->p))
        return fail (r, error, "a malformed number");
      while (g_ascii_isdigit (*r->p))
        r->p++;
    }
  if (*r->p == 'e' || *r->p == 'E')
    {
      *is_int = FALSE;
      r->p++;
      if (*r->p == '+' || *r->p == '-')
        r->p++;
      if (!g_ascii_isdigit (*r->p))
        return fail (r, error, "a malformed number");
      while (g_ascii_isdigit (*r->p))
        r->p++;
    }

  if (overflow || v > (guint64) G_MAXINT64 + (negative ? 1 : 0))
    *is_int = FALSE;
  else if (negative)
    *out = v == (guint64) G_MAXINT64 + 1 ? G_MININT64 : -(gint64) v;
  else
    *out = (gint64) v;
  return TRUE;
}

static gboolean
parse_literal (Reader     *r,
               const char *word,
               GError    **error)
{
  gsize len = strlen (word);

  if (strncmp (r->p, word, len) != 0)
    return fail (r, error, "an unexpected character");
  r->p += len;
  return TRUE;
}

/* Checks and steps over any JSON value. */
static gboolean
skip_value (Reader  *r,
            guint    depth,
            GError **error)
{
  skip_ws (r);
  if (depth > MAX_DEPTH)
    return fail (r, error, "values nested too deeply");

  switch (*r->p)
    {
    case '"':
      {
        char *s;
        return parse_string (r, &s, error);
      }
    case '{':
    case '[':
      {
        char close = *r->p == '{' ? '}' : ']';
        gboolean object = close == '}';

        r->p++;
        skip_ws (r);
        if (*r->p == close)
          {
            r->p++;
            return TRUE;
          }
        for (;;)
          {
            if (object)
              {
                char *name;

                skip_ws (r);
                if (*r->p != '"')
                  return fail (r, error, "expected a member name");
                if (!parse_string (r, &name, error))
                  return FALSE;
                skip_ws (r);
                if (*r->p++ != ':')
                  return fail (r, error, "expected ':'");
              }
            if (!skip_value (r, depth + 1, error))
              return FALSE;
            skip_ws (r);
            if (*r->p == ',')
              r->p++;
            else if (*r->p == close)
              {
                r->p++;
                return TRUE;
              }
            else
              return fail (r, error, object ? "expected ',' or '}'" : "expected ',' or ']'");
          }
      }
    case 't':
      return parse_literal (r, "true", error);
    case 'f':
      return parse_literal (r, "false", error);
    case 'n':
      return parse_literal (r, "null", error);
    default:
      {
        gint64 v;
        gboolean is_int;
        return parse_number (r, &v, &is_int, error);
      }
    }
}

/* r->p is on the '{' or '[' that @close closes: steps over it. TRUE when the
 * object or list is empty (its @close stepped over too). */
static gboolean
open_empty (Reader *r,
            char    close)
{
  r->p++;
  skip_ws (r);
  if (*r->p != close)
    return FALSE;
  r->p++;
  return TRUE;
}

/* After a member or element: steps over ',' (*@more TRUE) or @close
 * (*@more FALSE); anything else is a syntax error. */
static gboolean
next_or_close (Reader    *r,
               char       close,
               gboolean  *more,
               GError   **error)
{
  skip_ws (r);
  if (*r->p == ',' || *r->p == close)
    {
      *more = *r->p++ == ',';
      return TRUE;
    }
  return fail (r, error, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
}

/* A member's name and the ':' after it. */
static gboolean
parse_member_name (Reader  *r,
                   char   **name,
                   GError **error)
{
  skip_ws (r);
  if (*r->p != '"')
    return fail (r, error, "expected a member name");
  if (!parse_string (r, name, error))
    return FALSE;
  skip_ws (r);
  if (*r->p++ != ':')
    return fail (r, error, "expected ':'");
  return TRUE;
}

/* A well-formed value of the wrong type: noted in *@bad and skipped. */
static gboolean
wrong_type (Reader    *r,
            gboolean  *bad,
            GError   **error)
{
  *bad = TRUE;
  return skip_value (r, 1, error);
}

static gboolean
parse_string_member (Reader    *r,
                     GValue    *value,
                     gboolean  *bad,
                     GError   **error)
{
  char *s;

  if (*r->p == 'n')
    {
      if (!parse_literal (r, "null", error))
        return FALSE;
      g_value_set_static_string (value, NULL);
      return TRUE;
    }
  if (*r->p != '"')
    return wrong_type (r, bad, error);
  if (!parse_string (r, &s, error))
    return FALSE;
  g_value_set_static_string (value, s);
  return TRUE;
}

/* The strings go into @strv (scratch space of the slot); a non-string
 * element sets *@bad and is skipped. */
static gboolean
parse_strv_member (Reader     *r,
                   GValue     *value,
                   GPtrArray  *strv,
                   gboolean   *bad,
                   GError    **error)
{
  if (*r->p != '[')
    return wrong_type (r, bad, error);
  g_ptr_array_set_size (strv, 0);
  if (!open_empty (r, ']'))
    for (gboolean more = TRUE; more;)
      {
        char *s;

        skip_ws (r);
        if (*r->p != '"')
          {
            *bad = TRUE;
            if (!skip_value (r, 1, error))
              return FALSE;
          }
        else
          {
            if (!parse_string (r, &s, error))
              return FALSE;
            g_ptr_array_add (strv, s);
          }
        if (!next_or_close (r, ']', &more, error))
          return FALSE;
      }
  g_ptr_array_add (strv, NULL);
  g_value_set_static_boxed (value, strv->pdata);
  return TRUE;
}

static gboolean
parse_boolean_member (Reader    *r,
                      GValue    *value,
                      gboolean  *bad,
                      GError   **error)
{
  if (*r->p == 't')
    {
      if (!parse_literal (r, "true", error))
        return FALSE;
      g_value_set_boolean (value, TRUE);
      return TRUE;
    }
  if (*r->p == 'f')
    {
      if (!parse_literal (r, "false", error))
        return FALSE;
      g_value_set_boolean (value, FALSE);
      return TRUE;
    }
  return wrong_type (r, bad, error);
}

/* G_TYPE_UINT, G_TYPE_INT or G_TYPE_INT64, within the property's range. */
static gboolean
parse_integer_member (Reader      *r,
                      const Slot  *slot,
                      GValue      *value,
                      gboolean    *bad,
                      GError     **error)
{
  gint64 v = 0;
  gboolean is_int;

  if (*r->p != '-' && !g_ascii_isdigit (*r->p))
    return wrong_type (r, bad, error);
  if (!parse_number (r, &v, &is_int, error))
    return FALSE;
  if (!is_int || v < slot->minimum || v > slot->maximum)
    *bad = TRUE;
  else if (slot->vtype == G_TYPE_UINT)
    g_value_set_uint (value, (guint) v);
  else if (slot->vtype == G_TYPE_INT)
    g_value_set_int (value, (int) v);
  else
    g_value_set_int64 (value, v);
  return TRUE;
}

/* An enum is saved as its nick. */
static gboolean
parse_enum_member (Reader      *r,
                   GEnumClass  *enum_class,
                   GValue      *value,
                   gboolean    *bad,
                   GError     **error)
{
  GEnumValue *ev;
  char *s;

  if (*r->p != '"')
    return wrong_type (r, bad, error);
  if (!parse_string (r, &s, error))
    return FALSE;
  ev = g_enum_get_value_by_nick (enum_class, s);
  if (ev == NULL)
    *bad = TRUE;
  else
    g_value_set_enum (value, ev->value);
  return TRUE;
}

/* Reads one member value into slot @i of @info. Returns FALSE on a JSON
 * syntax error (@error set); a well-formed value of the wrong type or out of
 * range sets *@bad instead, as kf_deserialize_object() refuses it. */
static gboolean
parse_member_value (Reader    *r,
                    ModelInfo *info,
                    guint      i,
                    gboolean  *bad,
                    GError   **error)
{
  const Slot *slot = &info->slots[i];
  GValue *value = &info->values[i];

  skip_ws (r);
  switch (slot->kind)
    {
    case SLOT_STRING:  return parse_string_member (r, value, bad, error);
    case SLOT_STRV:    return parse_strv_member (r, value, slot->strv, bad, error);
    case SLOT_BOOLEAN: return parse_boolean_member (r, value, bad, error);
    case SLOT_INTEGER: return parse_integer_member (r, slot, value, bad, error);
    case SLOT_ENUM:    return parse_enum_member (r, slot->enum_class, value, bad, error);
    case SLOT_OTHER:
    default:           return wrong_type (r, bad, error);
    }
}

static guint
find_slot (ModelInfo  *info,
           const char *name,
           guint       hint)
{
  /* Members usually come in property order: try the next one first. */
  if (hint < info->n_slots && strcmp (info->slots[hint].name, name) == 0)
    return hint;
  for (guint i = 0; i < info->n_slots; i++)
    if (strcmp (info->slots[i].name, name) == 0)
      return i;
  return G_MAXUINT;
}

/* Writes @value into the member of the new @object that kf_param_set_field()
 * named for @slot: what the setter would store, without its checks (the
 * value was range-checked when read) and without a notification nobody
 * could receive yet. The reader's string vectors are never NULL. */
static void
write_field (GObject      *object,
             const Slot   *slot,
             const GValue *value)
{
  gpointer member = G_STRUCT_MEMBER_P (object, slot->field);

  switch (slot->kind)
    {
    case SLOT_STRING:
      g_free (*(char **) member);
      *(char **) member = g_strdup (g_value_get_string (value));
      break;
    case SLOT_STRV:
      g_strfreev (*(char ***) member);
      *(char ***) member = g_strdupv (g_value_get_boxed (value));
      break;
    case SLOT_BOOLEAN:
      *(gboolean *) member = g_value_get_boolean (value);
      break;
    case SLOT_ENUM:
      *(int *) member = g_value_get_enum (value);
      break;
    case SLOT_INTEGER:
      if (slot->vtype == G_TYPE_UINT)
        *(guint *) member = g_value_get_uint (value);
      else if (slot->vtype == G_TYPE_INT)
        *(int *) member = g_value_get_int (value);
      else
        *(gint64 *) member = g_value_get_int64 (value);
      break;
    case SLOT_OTHER:
    default:
      g_assert_not_reached ();
    }
}

static GObject *
build_object (ModelInfo *info)
{
  GObject *object;
  GObjectClass *klass;
  guint n_ctor = 0;

  /* Construct-only properties (id, created) go to the constructor. The rest
   * are written into their members (write_field()), or, for a property
   * without one, set through the class's set_property, which calls the
   * model's own setter. g_object_set_property() would validate and queue
   * notifications for every one, which made loading three times slower;
   * the setters' checks and notifications were another quarter of it. */
  for (guint i = 0; i < info->n_slots; i++)
    if ((info->present & (G_GUINT64_CONSTANT (1) << i)) && info->slots[i].construct)
      {
        info->names[n_ctor] = info->slots[i].name;
        info->ctor_values[n_ctor] = info->values[i];   /* a shallow copy, not unset */
        n_ctor++;
      }
  object = g_object_new_with_properties (info->type, n_ctor, info->names, info->ctor_values);
  memset (info->ctor_values, 0, n_ctor * sizeof (GValue));

  klass = G_OBJECT_GET_CLASS (object);
  for (guint i = 0; i < info->n_slots; i++)
    {
      const Slot *slot = &info->slots[i];

      if (!(info->present & (G_GUINT64_CONSTANT (1) << i)) || slot->construct
          || !(slot->pspec->flags & G_PARAM_WRITABLE))
        continue;
      if (slot->field >= 0)
        write_field (object, slot, &info->values[i]);
      else
        klass->set_property (object, slot->pspec->param_id, &info->values[i], slot->pspec);
    }
  return object;
}

/* r->p is on '{'. *@out is the new object, or NULL when a field was wrong
 * (then r->model_error is set). FALSE only on a syntax error. */
static gboolean
parse_model (Reader     *r,
             ModelInfo  *info,
             GObject   **out,
             GError    **error)
{
  gboolean bad = FALSE;
  guint hint = 0;
  char *bad_field = NULL;
  const char *start = r->p;
  guint64 hash;

  *out = NULL;
  info->present = 0;
  if (!open_empty (r, '}'))
    for (gboolean more = TRUE; more;)
      {
        char *name;
        guint slot;

        if (!parse_member_name (r, &name, error))
          return FALSE;
        slot = find_slot (info, name, hint);
        if (slot == G_MAXUINT)
          {
            /* unknown members are ignored, as kf_deserialize_object() does */
            if (!skip_value (r, 2, error))
              return FALSE;
          }
        else
          {
            gboolean was_bad = bad;

            if (!parse_member_value (r, info, slot, &bad, error))
              return FALSE;
            if (bad && !was_bad)
              bad_field = name;
            info->present |= G_GUINT64_CONSTANT (1) << slot;
            hint = slot + 1;
          }
        if (!next_or_close (r, '}', &more, error))
          return FALSE;
      }

  if (bad)
    {
      if (r->model_error == NULL)
        g_set_error (&r->model_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                     "Before byte %" G_GSIZE_FORMAT ": the field “%s” of a %s has a wrong value",
                     position (r), bad_field, g_type_name (info->type));
      return TRUE;
    }
  hash = hash_text (start, r->p - start);
  if (r->reuse != NULL && info->id_slot != G_MAXUINT && (info->present & (G_GUINT64_CONSTANT (1) << info->id_slot)))
    *out = r->reuse (info->type, g_value_get_string (&info->values[info->id_slot]), hash, r->reuse_data);
  if (*out == NULL)
    {
      *out = build_object (info);
      kf_store_reader_set_text_hash (*out, hash);
    }
  return TRUE;
}

/* Gives the pages of text already parsed back to the system. Every object
 * built owns copies of its strings, so nothing points into the text behind
 * r->p between two list elements. Without this the whole file (17.6 MB for
 * 10,000 + 10,000 items) stays resident until the parse ends, beside the
 * objects it became, and that sum was the start-up's peak RSS. */
#define RELEASE_STEP (1024 * 1024)

static void
release_parsed_text (Reader *r)
{
#if defined (__linux__) && defined (MADV_DONTNEED)
  static gsize page_size;
  guintptr from, to;

  if (r->pull != NULL || (gsize) (r->p - r->released) < RELEASE_STEP)
    return;
  if (page_size == 0)
    page_size = (gsize) sysconf (_SC_PAGESIZE);
  /* Whole pages strictly inside the text: never the allocator's own bytes
   * before and after it. */
  from = ((guintptr) r->released + page_size - 1) & ~(guintptr) (page_size - 1);
  to = (guintptr) r->p & ~(guintptr) (page_size - 1);
  if (to > from)
    madvise ((void *) from, to - from, MADV_DONTNEED);
  r->released = r->p;
#endif
}

/* A load in a thread beside a starting GUI (kf_store_load_yielding()) gives
 * up its CPU after every YIELD_EVERY list elements, about a millisecond's
 * work. On two cores, the processes the GUI's start-up waits on (the X
 * server, the D-Bus daemon, GDBus's worker thread) otherwise waited behind
 * the load for the rest of its time slice, several times a start-up. With
 * 10,000 + 10,000 items the first frame came 5.4 and 6.1 ms sooner, medians
 * of 31 paired runs in either order; beside two busy processes, which then
 * get more of the CPU, it came 2 to 6 ms later, of ~190 ms. When nothing else
 * waits for the CPU, sched_yield() returns at once. */
#define YIELD_EVERY 512

static void
maybe_yield (Reader *r)
{
  if (r->yields && ++r->since_yield == YIELD_EVERY)
    {
      r->since_yield = 0;
      g_thread_yield ();
    }
}

/* r->p is on '['. With @into NULL the elements are only checked. */
static gboolean
parse_model_array (Reader     *r,
                   ModelInfo  *info,
                   GPtrArray  *into,
                   GError    **error)
{
  if (open_empty (r, ']'))
    return TRUE;
  for (gboolean more = TRUE; more;)
    {
      refill (r);
      skip_ws (r);
      if (into == NULL || r->model_error != NULL)
        {
          if (!skip_value (r, 2, error))
            return FALSE;
        }
      else if (*r->p != '{')
        {
          g_set_error (&r->model_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                       "At byte %" G_GSIZE_FORMAT ": a list element is not an object",
                       position (r));
          if (!skip_value (r, 2, error))
            return FALSE;
        }
      else
        {
          GObject *object;

          if (!parse_model (r, info, &object, error))
            return FALSE;
          if (object != NULL)
            g_ptr_array_add (into, object);
          release_parsed_text (r);
          maybe_yield (r);
        }
      if (!next_or_close (r, ']', &more, error))
        return FALSE;
    }
  return TRUE;
}

void
kf_store_contents_clear (KfStoreContents *contents)
{
  g_clear_pointer (&contents->serial, g_free);
  g_clear_pointer (&contents->keypairs, g_ptr_array_unref);
  g_clear_pointer (&contents->connections, g_ptr_array_unref);
  contents->version = 0;
}

/* What one pass over a whole store file has found so far. */
typedef struct
{
  Reader           r;
  ModelInfo        keypair_info;
  ModelInfo        connection_info;
  char            *format;
  gboolean         have_version;
  KfStoreContents *contents;
} FileParse;

/* "keypairs" or "connections": r.p is on the value. */
static gboolean
parse_list_member (FileParse   *fp,
                   const char  *name,
                   GError     **error)
{
  Reader *r = &fp->r;
  gboolean is_keypairs = name[0] == 'k';
  /* a newer version may have changed what the lists hold: only check the syntax */
  gboolean newer = fp->have_version && fp->contents->version > KF_STORE_FORMAT_VERSION;

  if (*r->p != '[')
    {
      if (r->model_error == NULL)
        g_set_error (&r->model_error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                     "At byte %" G_GSIZE_FORMAT ": “%s” is not a list",
                     position (r), name);
      return skip_value (r, 1, error);
    }
  return parse_model_array (r,
                            is_keypairs ? &fp->keypair_info : &fp->connection_info,
                            newer ? NULL : is_keypairs ? fp->contents->keypairs : fp->contents->connections,
                            error);
}

/* The value of the top-level member @name: r.p is on it. */
static gboolean
parse_top_member (FileParse   *fp,
                  const char  *name,
                  GError     **error)
{
  Reader *r = &fp->r;
  char *s;

  if (strcmp (name, "keypairs") == 0 || strcmp (name, "connections") == 0)
    return parse_list_member (fp, name, error);
  if (strcmp (name, "format") == 0 && *r->p == '"')
    {
      if (!parse_string (r, &s, error))
        return FALSE;
      g_free (fp->format);
      fp->format = g_strdup (s);
      return TRUE;
    }
  if (strcmp (name, "serial") == 0 && *r->p == '"')
    {
      if (!parse_string (r, &s, error))
        return FALSE;
      g_free (fp->contents->serial);
      fp->contents->serial = g_strdup (s);
      return TRUE;
    }
  if (strcmp (name, "version") == 0 && (*r->p == '-' || g_ascii_isdigit (*r->p)))
    {
      gboolean is_int;

      if (!parse_number (r, &fp->contents->version, &is_int, error))
        return FALSE;
      fp->have_version = is_int;
      return TRUE;
    }
  return skip_value (r, 1, error);
}

/* The file's one JSON object, with nothing but white space after it. */
static gboolean
parse_top_object (FileParse  *fp,
                  gsize       length,
                  GError    **error)
{
  Reader *r = &fp->r;

  skip_ws (r);
  if (*r->p != '{')
    return fail (r, error, "the file does not start with a JSON object");
  if (!open_empty (r, '}'))
    for (gboolean more = TRUE; more;)
      {
        char *name;

        if (!parse_member_name (r, &name, error))
          return FALSE;
        skip_ws (r);
        if (!parse_top_member (fp, name, error) ||
            !next_or_close (r, '}', &more, error))
          return FALSE;
      }
  skip_ws (r);
  if (r->pull != NULL)
    {
      /* only white space may follow, however much of it */
      while (r->p == r->end && !r->eof)
        {
          refill (r);
          skip_ws (r);
        }
      if (r->p != r->end || !r->eof)
        return fail (r, error, "text after the end of the JSON object");
      return TRUE;
    }
  if (r->p != r->start + length)
    return fail (r, error, "text after the end of the JSON object");
  return TRUE;
}

/* Well-formed JSON: is it a store this version can read? */
static gboolean
check_format (FileParse  *fp,
              GError    **error)
{
  if (g_strcmp0 (fp->format, "keyferry-store") != 0)
    g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                         "The “format” member is not “keyferry-store”");
  else if (!fp->have_version || fp->contents->version < 1)
    g_set_error_literal (error, KF_STORE_ERROR, KF_STORE_ERROR_DAMAGED,
                         "The “version” member is missing or wrong");
  else if (fp->contents->version > KF_STORE_FORMAT_VERSION)
    g_set_error (error, KF_STORE_ERROR, KF_STORE_ERROR_NEWER_VERSION,
                 "Version %" G_GINT64_FORMAT " is newer than %d", fp->contents->version, KF_STORE_FORMAT_VERSION);
  else if (fp->r.model_error != NULL)
    g_propagate_error (error, g_steal_pointer (&fp->r.model_error));
  else
    return TRUE;
  return FALSE;
}

/* The parse of kf_store_reader_parse() and kf_store_reader_parse_stream(),
 * once fp->r holds the text (or its first window). */
static gboolean
parse_file (FileParse        *fp,
            gsize             length,
            KfStoreContents  *contents,
            GError          **error)
{
  gboolean ok;

  memset (contents, 0, sizeof *contents);
  contents->keypairs = g_ptr_array_new_with_free_func (g_object_unref);
  contents->connections = g_ptr_array_new_with_free_func (g_object_unref);
  fp->contents = contents;
  model_info_init (&fp->keypair_info, KF_TYPE_KEYPAIR);
  model_info_init (&fp->connection_info, KF_TYPE_CONNECTION);

  if (fp->r.pull == NULL && memchr (fp->r.p, '\0', length) != NULL)
    {
      fp->r.p = memchr (fp->r.p, '\0', length);
      ok = fail (&fp->r, error, "a NUL byte");
    }
  else
    ok = parse_top_object (fp, length, error) && check_format (fp, error);

  g_clear_error (&fp->r.model_error);
  g_free (fp->format);
  model_info_clear (&fp->keypair_info);
  model_info_clear (&fp->connection_info);
  if (!ok)
    kf_store_contents_clear (contents);
  return ok;
}

gboolean
kf_store_reader_parse (char              *data,
                       gsize              length,
                       KfStoreReuseFunc   reuse,
                       gpointer           reuse_data,
                       KfStoreContents   *contents,
                       GError           **error)
{
  FileParse fp = { .r = { .p = data, .start = data, .reuse = reuse, .reuse_data = reuse_data, .released = data } };

  g_return_val_if_fail (data[length] == '\0', FALSE);

  return parse_file (&fp, length, contents, error);
}

gboolean
kf_store_reader_parse_stream (KfStoreReaderPull  pull,
                              gpointer           pull_data,
                              KfStoreReuseFunc   reuse,
                              gpointer           reuse_data,
                              gboolean           yields,
                              KfStoreContents   *contents,
                              gsize             *length)
{
  g_autofree char *window = g_malloc (window_size + 1);
  FileParse fp = { .r = { .p = window, .start = window, .reuse = reuse, .reuse_data = reuse_data,
                          .released = window, .pull = pull, .pull_data = pull_data, .end = window,
                          .yields = yields } };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  *window = '\0';
  refill (&fp.r);
  ok = parse_file (&fp, 0, contents, &error);
  if (fp.r.stream_failed)
    {
      kf_store_contents_clear (contents);
      ok = FALSE;
    }
  *length = fp.r.base + (gsize) (fp.r.end - fp.r.start);
  return ok;
}

void
kf_store_reader_set_window_for_testing (gsize size,
                                        gsize ahead)
{
  g_assert (ahead > 0 && ahead <= size);
  window_size = size;
  window_ahead = ahead;
}

GObject *
kf_store_reader_parse_object (GType        type,
                              const char  *json,
                              GError     **error)
{
  g_autofree char *copy = g_strdup (json);
  Reader r = { copy, copy, NULL, NULL, NULL, copy };
  ModelInfo info;
  GObject *object = NULL;

  model_info_init (&info, type);
  skip_ws (&r);
  if (*r.p != '{')
    fail (&r, error, "not a JSON object");
  else if (parse_model (&r, &info, &object, error))
    {
      skip_ws (&r);
      if (r.model_error != NULL)
        g_propagate_error (error, g_steal_pointer (&r.model_error));
      else if (*r.p != '\0')
        {
          g_clear_object (&object);
          fail (&r, error, "text after the end of the JSON object");
        }
    }
  g_clear_error (&r.model_error);
  model_info_clear (&info);
  return object;
}

char *
kf_store_reader_peek_serial (const char *data,
                             gsize       length)
{
  static const char key[] = "\"serial\"";
  const char *end = data + length;
  const char *p = memmem (data, length, key, strlen (key));
  const char *q;

  if (p == NULL)
    return NULL;
  p += strlen (key);
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  if (p == end || *p++ != ':')
    return NULL;
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  if (p == end || *p++ != '"')
    return NULL;
  /* the serial is plain hex: no escapes to decode */
  for (q = p; q < end && g_ascii_isxdigit (*q); q++)
    ;
  if (q == end || *q != '"' || q == p)
    return NULL;
  return g_strndup (p, q - p);
}
