#!/bin/bash
# `meson install` into a scratch DESTDIR puts the binaries, the desktop file,
# the metainfo, the schema, the icons and the German catalogue where the
# desktop looks for them, and what it installs still validates there.
# Usage: test-install.sh SOURCE_ROOT BUILD_ROOT
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
src=$1 build=$2
. "$src/tests/data/tap.sh"
app_id=io.github.keyferry.Keyferry

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The prefix of the build dir, e.g. /usr/local; files land in $tmp/$prefix.
prefix=$(meson introspect --buildoptions "$build" |
  python3 -c 'import json,sys; print({o["name"]: o["value"] for o in json.load(sys.stdin)}["prefix"])')
root=$tmp/dest$prefix
share=$root/share

ok "meson install --destdir succeeds" meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/dest"
for f in \
  bin/keyferry \
  bin/keyferry-cli \
  share/applications/$app_id.desktop \
  share/metainfo/$app_id.metainfo.xml \
  share/glib-2.0/schemas/$app_id.gschema.xml \
  share/icons/hicolor/scalable/apps/$app_id.svg \
  share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg \
  share/locale/de/LC_MESSAGES/keyferry.mo; do
  ok "installs $f" test -s "$root/$f"
done
ok "installed binaries are executable" test -x "$root/bin/keyferry" -a -x "$root/bin/keyferry-cli"
ok "nothing is installed outside the prefix" \
  bash -c "cd '$tmp/dest' && test -z \"\$(find . -type f ! -path './${prefix#/}/*')\""
ok "installed schema compiles (--strict)" glib-compile-schemas --strict --targetdir "$tmp" "$share/glib-2.0/schemas"
ok "installed desktop file validates" desktop-file-validate "$share/applications/$app_id.desktop"
ok "German catalogue holds the desktop Comment" \
  bash -c "msgunfmt '$share/locale/de/LC_MESSAGES/keyferry.mo' | grep -q '^msgid \"Keep SSH connections and key pairs for your NAS boxes\"'"
finish
