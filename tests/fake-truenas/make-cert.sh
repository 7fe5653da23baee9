#!/bin/sh
# Makes a self-signed certificate and key like TrueNAS's `truenas_default`:
# CN=truenas.local, subjectAltName IP:127.0.0.1, IP:::1, DNS:localhost.
# Usage: make-cert.sh CERT_FILE KEY_FILE [DAYS]
set -eu
if [ $# -lt 2 ]; then
  echo "usage: $0 CERT_FILE KEY_FILE [DAYS]" >&2
  exit 2
fi
cert=$1
key=$2
days=${3:-397}
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
  -keyout "$key" -out "$cert" \
  -subj "/C=US/O=iXsystems/CN=truenas.local" \
  -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
  -addext "basicConstraints=critical,CA:FALSE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=serverAuth" 2>/dev/null
chmod 0644 "$cert"
