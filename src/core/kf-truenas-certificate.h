/* kf-truenas-certificate.h: the TLS certificate a TrueNAS presents, as the user judges it.
 *
 * Most boxes use a self-signed certificate. Instead of turning verification
 * off, Keyferry shows the certificate's SHA-256 fingerprint, subject, issuer
 * and validity, and continues only with that exact certificate ("pin"):
 * "SHA256:" + 64 lowercase hex digits of the SHA-256 of the DER encoding.
 *
 * Copyright 2026 The Keyferry authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define KF_TYPE_TRUENAS_CERTIFICATE (kf_truenas_certificate_get_type ())

G_DECLARE_FINAL_TYPE (KfTruenasCertificate, kf_truenas_certificate, KF, TRUENAS_CERTIFICATE, GObject)

KfTruenasCertificate *kf_truenas_certificate_new                 (GTlsCertificate      *certificate);

GTlsCertificate      *kf_truenas_certificate_get_certificate     (KfTruenasCertificate *self);
/* "SHA256:" + lowercase hex: the pin stored with a connection. */
const char           *kf_truenas_certificate_get_fingerprint     (KfTruenasCertificate *self);
/* "AB:CD:…" as `openssl x509 -fingerprint -sha256` prints it. */
const char           *kf_truenas_certificate_get_fingerprint_display (KfTruenasCertificate *self);
/* Distinguished names as GLib prints them ("CN=truenas,O=iXsystems"); may be NULL. */
const char           *kf_truenas_certificate_get_subject         (KfTruenasCertificate *self);
const char           *kf_truenas_certificate_get_issuer          (KfTruenasCertificate *self);
/* May be NULL when the TLS backend cannot tell. */
GDateTime            *kf_truenas_certificate_get_not_before      (KfTruenasCertificate *self);
GDateTime            *kf_truenas_certificate_get_not_after       (KfTruenasCertificate *self);
/* Why the system did not trust it (0 when it was trusted). */
GTlsCertificateFlags  kf_truenas_certificate_get_errors          (KfTruenasCertificate *self);
void                  kf_truenas_certificate_set_errors          (KfTruenasCertificate *self,
                                                                  GTlsCertificateFlags  errors);
/* One plain sentence: "self-signed", "expired", … (NULL when trusted). */
char                 *kf_truenas_certificate_describe_errors     (KfTruenasCertificate *self);
/* TRUE when @pin (normalised, see below) names this certificate. */
gboolean              kf_truenas_certificate_matches_pin         (KfTruenasCertificate *self,
                                                                  const char           *pin);

/* Parses a fingerprint a user typed or pasted: OpenSSL colon form or plain
 * hex, either case, optional "SHA256:" / "SHA256 Fingerprint=" prefix.
 * Returns "SHA256:" + lowercase hex, or NULL with KF_INPUT_ERROR_URL. */
char                 *kf_truenas_certificate_parse_pin           (const char           *text,
                                                                  GError              **error);
/* "SHA256:ab…" → "AB:CD:…"; NULL if @pin is not a normalised pin. */
char                 *kf_truenas_certificate_pin_to_display      (const char           *pin);

G_END_DECLS
