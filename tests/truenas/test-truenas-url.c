/* test-truenas-url.c: the TrueNAS URL normaliser and the certificate pin parser.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kf-errors.h"
#include "kf-test-util.h"
#include "kf-truenas-certificate.h"
#include "kf-truenas-url.h"

typedef struct {
  const char *input;
  const char *base;
  const char *jsonrpc;
  const char *legacy;
  const char *host;
  int port;
  gboolean note; /* a note is expected */
} GoodUrl;

static const GoodUrl good_urls[] = {
  { "https://nas.lan", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, FALSE },
  { "nas.lan", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, FALSE },
  { "  NAS.Lan  ", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, FALSE },
  { "192.168.1.10:8443", "https://192.168.1.10:8443", "wss://192.168.1.10:8443/api/current",
    "wss://192.168.1.10:8443/websocket", "192.168.1.10", 8443, FALSE },
  { "https://[fd00::5]", "https://[fd00::5]", "wss://[fd00::5]/api/current", "wss://[fd00::5]/websocket", "fd00::5", -1, FALSE },
  { "https://[fd00::5]:8443/", "https://[fd00::5]:8443", "wss://[fd00::5]:8443/api/current",
    "wss://[fd00::5]:8443/websocket", "fd00::5", 8443, FALSE },
  { "fd00::5", "https://[fd00::5]", "wss://[fd00::5]/api/current", "wss://[fd00::5]/websocket", "fd00::5", -1, TRUE },
  { "https://fd00::5", "https://[fd00::5]", "wss://[fd00::5]/api/current", "wss://[fd00::5]/websocket", "fd00::5", -1, TRUE },
  { "::1", "https://[::1]", "wss://[::1]/api/current", "wss://[::1]/websocket", "::1", -1, TRUE },
  { "http://nas.lan", "http://nas.lan", "ws://nas.lan/api/current", "ws://nas.lan/websocket", "nas.lan", -1, FALSE },
  { "HTTP://nas.lan:8080", "http://nas.lan:8080", "ws://nas.lan:8080/api/current", "ws://nas.lan:8080/websocket",
    "nas.lan", 8080, FALSE },
  { "https://nas.lan:443", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, FALSE },
  { "https://nas.lan/ui/dashboard?x=1#top", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket",
    "nas.lan", -1, TRUE },
  { "nas.lan/ui/", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, TRUE },
  { "wss://nas.lan/websocket", "https://nas.lan", "wss://nas.lan/api/current", "wss://nas.lan/websocket", "nas.lan", -1, TRUE },
  { "truenas", "https://truenas", "wss://truenas/api/current", "wss://truenas/websocket", "truenas", -1, FALSE },
  { "[fd00::5]:8443", "https://[fd00::5]:8443", "wss://[fd00::5]:8443/api/current", "wss://[fd00::5]:8443/websocket",
    "fd00::5", 8443, FALSE },
  { "fe80::1%eth0", "https://[fe80::1%25eth0]", "wss://[fe80::1%25eth0]/api/current", "wss://[fe80::1%25eth0]/websocket",
    "fe80::1%eth0", -1, TRUE },
  { "https://[FE80::1%25eth0]:8443", "https://[fe80::1%25eth0]:8443", "wss://[fe80::1%25eth0]:8443/api/current",
    "wss://[fe80::1%25eth0]:8443/websocket", "fe80::1%eth0", 8443, FALSE },
  /* A zone id typed as-is (not "%25") is a zone, not a broken port (issue 10). */
  { "https://[fe80::1%lo]:8443", "https://[fe80::1%25lo]:8443", "wss://[fe80::1%25lo]:8443/api/current",
    "wss://[fe80::1%25lo]:8443/websocket", "fe80::1%lo", 8443, FALSE },
  { "[FE80::1%eth0]", "https://[fe80::1%25eth0]", "wss://[fe80::1%25eth0]/api/current",
    "wss://[fe80::1%25eth0]/websocket", "fe80::1%eth0", -1, FALSE },
  /* An international name, as the Host field takes one (issue 11, defect 7). */
  { "https://nås.lan", "https://xn--ns-yia.lan", "wss://xn--ns-yia.lan/api/current", "wss://xn--ns-yia.lan/websocket",
    "xn--ns-yia.lan", -1, TRUE },
  { "NÅS.lan:8443", "https://xn--ns-yia.lan:8443", "wss://xn--ns-yia.lan:8443/api/current",
    "wss://xn--ns-yia.lan:8443/websocket", "xn--ns-yia.lan", 8443, TRUE },
  { "127.0.0.1:1", "https://127.0.0.1:1", "wss://127.0.0.1:1/api/current", "wss://127.0.0.1:1/websocket", "127.0.0.1", 1, FALSE },
};

static void
test_url_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_urls); i++)
    {
      const GoodUrl *t = &good_urls[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (t->input, &error);

      g_test_message ("input: %s", t->input);
      g_assert_no_error (error);
      g_assert_nonnull (url);
      g_assert_cmpstr (kf_truenas_url_get_base (url), ==, t->base);
      g_assert_cmpstr (kf_truenas_url_get_jsonrpc_url (url), ==, t->jsonrpc);
      g_assert_cmpstr (kf_truenas_url_get_legacy_url (url), ==, t->legacy);
      g_assert_cmpstr (kf_truenas_url_get_host (url), ==, t->host);
      g_assert_cmpint (kf_truenas_url_get_port (url), ==, t->port);
      g_assert_true (g_str_has_prefix (kf_truenas_url_get_versions_url (url), t->base));
      g_assert_true (g_str_has_suffix (kf_truenas_url_get_versions_url (url), "/api/versions"));
      g_assert_cmpint (kf_truenas_url_is_https (url), ==, g_str_has_prefix (t->base, "https://"));
      if (t->note)
        g_assert_nonnull (kf_truenas_url_get_note (url));
      else
        g_assert_null (kf_truenas_url_get_note (url));
    }
}

static void
test_url_notes (void)
{
  g_autoptr(KfTruenasUrl) ipv6 = kf_truenas_url_parse ("fd00::5", NULL);
  g_autoptr(KfTruenasUrl) path = kf_truenas_url_parse ("https://nas.lan/ui/", NULL);

  g_assert_nonnull (strstr (kf_truenas_url_get_note (ipv6), "brackets"));
  g_assert_nonnull (strstr (kf_truenas_url_get_note (path), "dropped"));
  {
    g_autoptr(KfTruenasUrl) idn = kf_truenas_url_parse ("https://nås.lan", NULL);

    g_assert_nonnull (strstr (kf_truenas_url_get_note (idn), "xn--ns-yia.lan"));
  }
}

typedef struct {
  const char *input;
  const char *words; /* expected in the message */
} BadUrl;

static void
test_url_bad (void)
{
  g_autofree char *too_long = NULL;
  g_autofree char *long_host = NULL;
  const BadUrl bad[] = {
    { "https://root:secret@nas.lan", "user name and password" },
    { "root@nas.lan", "user name and password" },
    { "ftp://nas.lan", "https://" },
    { "https://", "no host" },
    { "https:///path", "no host" },
    { "nas lan", "spaces" },
    { "nas.lan:0", "port" },
    { "nas.lan:99999", "port" },
    { "nas.lan:abc", "port" },
    { "fd00::zz::1", "square brackets" },
    { "https://[nas.lan]", "IPv6" },
    { "na$s.lan", "valid" },
    { "nas..lan", "valid" },
    { "https:nas.lan", "two slashes" },
    { "\x01nas", "spaces" },
    { "https://[fe80::1%25eth%2F0]", "zone" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (bad[i].input, &error);

      g_test_message ("input: %s", bad[i].input ? bad[i].input : "(null)");
      g_assert_null (url);
      g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
      g_assert_nonnull (strstr (error->message, bad[i].words));
      /* One sentence: ends with a full stop and has no line break. */
      g_assert_true (g_str_has_suffix (error->message, "."));
      g_assert_null (strchr (error->message, '\n'));
    }

  /* An empty field is an input error, with the same sentence. */
  {
    const char *empty[] = { "", "   ", NULL };

    for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (empty[i], &error);

        g_assert_null (url);
        g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL);
        g_assert_nonnull (strstr (error->message, "Enter the address"));
        g_assert_true (g_str_has_suffix (error->message, "."));
        g_assert_null (strchr (error->message, '\n'));
      }
  }

  too_long = g_strnfill (2100, 'a');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (too_long, &error);
    g_assert_null (url);
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
    g_assert_nonnull (strstr (error->message, "too long"));
  }

  /* A host name over 255 characters, within the URL limit. */
  long_host = g_strnfill (300, 'a');
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(KfTruenasUrl) url = kf_truenas_url_parse (long_host, &error);
    g_assert_null (url);
    g_assert_error (error, KF_TRUENAS_ERROR, KF_TRUENAS_ERROR_BAD_URL);
  }
}

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define PIN "SHA256:" HEX
#define COLONS "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"

static void
test_pin_parse (void)
{
  const char *good[] = {
    HEX,
    "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
    PIN,
    "sha256:" HEX,
    COLONS,
    "01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef",
    "SHA256 Fingerprint=" COLONS,
    "sha256 fingerprint=" COLONS "\n",
    "  SHA256:" COLONS "  ",
  };
  const char *bad[] = {
    "",
    "SHA256:",
    "0123",
    HEX "00",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
    "0:123:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:",
    ":01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "01::23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "SHA1:" HEX,
    "SHA256:AbCdEf0123456789AbCdEf0123456789AbCdEf0123456789Ab", /* base64-ish, too short */
    NULL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *pin = kf_truenas_certificate_parse_pin (good[i], &error);

      g_test_message ("pin: %s", good[i]);
      g_assert_no_error (error);
      g_assert_cmpstr (pin, ==, PIN);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *pin = kf_truenas_certificate_parse_pin (bad[i], &error);

      g_test_message ("bad pin: %s", bad[i] ? bad[i] : "(null)");
      g_assert_null (pin);
      g_assert_error (error, KF_INPUT_ERROR, KF_INPUT_ERROR_URL);
      g_assert_nonnull (strstr (error->message, "64 hexadecimal digits"));
    }
}

static void
test_pin_display (void)
{
  g_autofree char *display = kf_truenas_certificate_pin_to_display (PIN);

  g_assert_cmpstr (display, ==, COLONS);
  g_assert_null (kf_truenas_certificate_pin_to_display ("SHA256:0123"));
  g_assert_null (kf_truenas_certificate_pin_to_display (HEX));
}

/* A real certificate made by openssl: our fingerprint equals openssl's. */
static void
test_certificate_info (void)
{
  g_autofree char *dir = kf_test_make_tmpdir ("cert");
  g_autofree char *cert_path = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *key_path = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(KfTruenasCertificate) cert = NULL;
  g_autofree char *reasons = NULL;
  const char *req[] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-days", "30", "-subj", "/CN=truenas.local/O=iXsystems", "-keyout", key_path,
                        "-out", cert_path, NULL };
  const char *fp[] = { "openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", cert_path, NULL };
  char *eq;

  g_assert_cmpint (kf_test_run_command (req, NULL, &out, &err), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (kf_test_run_command (fp, NULL, &out, &err), ==, 0);
  eq = strchr (out, '=');
  g_assert_nonnull (eq);
  expected = g_strstrip (g_strdup (eq + 1));

  tls = g_tls_certificate_new_from_file (cert_path, &error);
  g_assert_no_error (error);
  cert = kf_truenas_certificate_new (tls);

  g_assert_cmpstr (kf_truenas_certificate_get_fingerprint_display (cert), ==, expected);
  {
    g_autofree char *pin = kf_truenas_certificate_parse_pin (expected, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (pin, ==, kf_truenas_certificate_get_fingerprint (cert));
    g_assert_true (kf_truenas_certificate_matches_pin (cert, pin));
  }
  g_assert_false (kf_truenas_certificate_matches_pin (cert, PIN));
  g_assert_false (kf_truenas_certificate_matches_pin (cert, NULL));
  g_assert_nonnull (strstr (kf_truenas_certificate_get_subject (cert), "CN=truenas.local"));
  g_assert_nonnull (strstr (kf_truenas_certificate_get_issuer (cert), "O=iXsystems"));
  g_assert_nonnull (kf_truenas_certificate_get_not_before (cert));
  g_assert_nonnull (kf_truenas_certificate_get_not_after (cert));
  g_assert_cmpint (g_date_time_difference (kf_truenas_certificate_get_not_after (cert),
                                           kf_truenas_certificate_get_not_before (cert)) / G_TIME_SPAN_DAY, ==, 30);

  g_assert_null (kf_truenas_certificate_describe_errors (cert));
  kf_truenas_certificate_set_errors (cert, G_TLS_CERTIFICATE_UNKNOWN_CA | G_TLS_CERTIFICATE_EXPIRED);
  reasons = kf_truenas_certificate_describe_errors (cert);
  g_assert_nonnull (strstr (reasons, "self-signed"));
  g_assert_nonnull (strstr (reasons, "expired"));
}

int
main (int argc, char **argv)
{
  kf_test_init (&argc, &argv);

  g_test_add_func ("/truenas/url/good", test_url_good);
  g_test_add_func ("/truenas/url/notes", test_url_notes);
  g_test_add_func ("/truenas/url/bad", test_url_bad);
  g_test_add_func ("/truenas/pin/parse", test_pin_parse);
  g_test_add_func ("/truenas/pin/display", test_pin_display);
  g_test_add_func ("/truenas/certificate/info", test_certificate_info);

  return g_test_run ();
}
