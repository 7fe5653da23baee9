/* kf-store-reader.h: reads the store file's JSON straight into models (private to KfStore).
 *
 * KfStore writes its file with kf_serialize_object() through json-glib. Reading
 * it back the same way (JsonParser, then kf_deserialize_object()) took about
 * 230 ms + 55 ms for 10,000 key pairs and 10,000 connections, far over the
 * 100 ms the GUI can afford at start-up. This reader parses the JSON in place
 * (no tree, strings decoded where they lie) and sets each model's saved
 * properties, found through the same KF_PARAM_PERSIST flags, with the same
 * rules as kf_deserialize_object(): missing members keep their defaults,
 * unknown members are ignored, a member of the wrong type or out of range is
 * an error. tests/store/test-store-reader.c checks the two agree.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct
{
  char      *serial;      /* the file's "serial" member, or NULL */
  gint64     version;     /* the file's "version" member */
  GPtrArray *keypairs;    /* KfKeypair, in file order */
  GPtrArray *connections; /* KfConnection, in file order */
} KfStoreContents;

/* Asked for each well-formed element before an object is built for it:
 * @text_hash is a hash of the element's text. Return a new reference to an
 * object to use instead (one read earlier from the same text), or NULL. */
typedef GObject *(*KfStoreReuseFunc) (GType       type,
                                      const char *id,
                                      guint64     text_hash,
                                      gpointer    user_data);

/* Parses a whole store file. @data must hold @length bytes followed by a NUL
 * and is used up: strings are decoded in place, and the pages already
 * parsed are given back to the system (they read as zeros afterwards). Fails with
 * KF_STORE_ERROR_DAMAGED (malformed JSON, not a Keyferry store, a field with a
 * wrong value) or KF_STORE_ERROR_NEWER_VERSION (a version above
 * KF_STORE_FORMAT_VERSION); the message is a technical detail for the log.
 * Every object built gets the hash of its text (see below). */
gboolean  kf_store_reader_parse          (char             *data,
                                          gsize             length,
                                          KfStoreReuseFunc  reuse,
                                          gpointer          reuse_data,
                                          KfStoreContents  *contents,
                                          GError          **error);

/* Puts up to @size more bytes of the text into @buf: returns how many, 0 at
 * the end of the text, or -1 when reading failed. */
typedef gssize (*KfStoreReaderPull) (gpointer  user_data,
                                     char     *buf,
                                     gsize     size);

/* Parses a store file as kf_store_reader_parse() does, a window of 1 MiB at
 * a time pulled through @pull, so the whole text never sits in memory.
 * TRUE: @contents holds exactly what kf_store_reader_parse() would have
 * made of the text, and *@length is its size. FALSE (nothing in @contents):
 * the window could not do, and the caller parses the whole text with
 * kf_store_reader_parse(), which says exactly what is wrong. That is any
 * damage, a read error, a NUL byte, and an element (a key pair or a
 * connection) longer than what is left of the window when it starts: at
 * least 256 KiB. @yields: give up the CPU now and then, for a load beside a
 * starting GUI (kf_store_load_yielding()). */
gboolean  kf_store_reader_parse_stream   (KfStoreReaderPull pull,
                                          gpointer          pull_data,
                                          KfStoreReuseFunc  reuse,
                                          gpointer          reuse_data,
                                          gboolean          yields,
                                          KfStoreContents  *contents,
                                          gsize            *length);

/* The hash of the text an object was built from (0: none, e.g. it was changed
 * since); on 32-bit systems only its lower half is kept. */
guint64   kf_store_reader_get_text_hash  (GObject         *object);
void      kf_store_reader_set_text_hash  (GObject         *object,
                                          guint64          text_hash);
void      kf_store_contents_clear        (KfStoreContents *contents);

/* Parses one JSON object (the text of one list element) into a new @type
 * object, as kf_store_reader_parse() does for each element; for tests. */
GObject  *kf_store_reader_parse_object   (GType            type,
                                          const char      *json,
                                          GError         **error);

/* Reads just the "serial" member from the start of a store file (KfStore
 * writes it before the lists); NULL when it is not in @data. */
char     *kf_store_reader_peek_serial    (const char      *data,
                                          gsize            length);

G_END_DECLS
