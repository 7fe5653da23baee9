/* truenas-fixture.h: runs tests/fake-truenas (real TLS, self-signed
 * certificate from make-cert.sh) for the client and setup tests.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct {
  char        *dir;
  char        *home;             /* an existing home directory for users */
  char        *authorized_keys;  /* where ssh_pair writes */
  char        *state_out;
  GSubprocess *process;
  guint        https_port;
  guint        http_port;
  char        *https_url;        /* "https://127.0.0.1:PORT" */
  char        *http_url;         /* "http://127.0.0.1:PORT" (redirects) */
} TnFake;

typedef struct {
  guint        ssh_port;          /* 0: 2222 */
  const char  *authorized_keys;   /* NULL: a file in the fake's dir */
  const char * const *host_keys;  /* three .pub files, or NULL: made once */
  const char  *ssh_user;          /* NULL: the current user */
  gboolean     other_certificate; /* serve a second self-signed certificate */
} TnFakeOptions;

/* API keys of the base config's admins ("<id>-<64 characters>"). */
#define TN_API_KEY          "1-KcBEKanD0F0rPZkcHFuep88VxcA3iMwyAs0RqDlRtQxiDX3pCNycLapim86tIxX5"   /* truenas_admin */
#define TN_API_KEY_REVOKED  "2-puQJCBEePLu2Gk1oApccFt0MQeI72fjyK8x6Mjh9XXgCkZm8wBACpRrjNHl3hrDt"   /* truenas_admin, revoked */
#define TN_API_KEY_EXPIRED  "3-kQP80lXlEXwuBoaITcv5upfqCzLky63FR5pVH6rHEMFekFRD5ziAILwIyFSkJCg9"   /* truenas_admin, expired */
#define TN_API_KEY_TWOFA    "4-A1c3aCIedwfjgMD1ZFiD3BXG7CvUq5YSDBvPH6HjVpuNcRmP5LK1OEbZh9sB22pT"   /* twofa (API keys need no OTP) */
#define TN_API_KEY_DENIED   "5-s4fcM6JX9g0skQEjxMz6YmwlfLmBngRt49D3VWS0HUBCQVJnrMxhOYOanBNA3y3Z"   /* nope: no API access */

/* Makes the certificate and default host keys (once per binary). */
void         tn_fixture_init       (void);
const char  *tn_fixture_cert_path  (void);
/* "SHA256:" + hex of the fake's certificate, computed with openssl. */
const char  *tn_fixture_cert_pin   (void);
/* The base admins/users; @extra adds top-level members ("\"faults\": {…}"). */
TnFake      *tn_fake_start         (const char          *extra,
                                    const TnFakeOptions *options);
void         tn_fake_stop          (TnFake              *fake);
/* The file ssh_pair wrote, or "" when none. */
char        *tn_fake_read_authorized_keys (TnFake       *fake);
/* The server state (--state-out) as JSON, or NULL before the first change. */
JsonNode    *tn_fake_read_state    (TnFake              *fake);
/* "SHA256:" + hex of the second certificate (other_certificate). */
const char  *tn_fixture_other_cert_pin (void);

G_END_DECLS
