#!/bin/bash
# The desktop file as built (translations merged in) validates cleanly and
# launches the installed binary with the app id's icon.
# Usage: test-desktop.sh SOURCE_ROOT BUILD_ROOT
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
src=$1 build=$2
. "$src/tests/data/tap.sh"
app_id=io.github.keyferry.Keyferry
desktop=$build/data/$app_id.desktop

# desktop-file-validate exits 0 on warnings; count them as failures too.
# Hints are shown but allowed: Categories=…;Utility;Network; is asked for on
# purpose and draws a "more than one main category" hint.
validate() {
  local out status=0
  out=$(desktop-file-validate "$1" 2>&1) || status=$?
  printf '%s\n' "$out"
  [ $status -eq 0 ] && ! printf '%s\n' "$out" | grep -E ': (error|warning):' >/dev/null
}

key() { # key FILE KEY: the value of KEY in [Desktop Entry]
  sed -n '/^\[Desktop Entry\]/,/^\[/p' "$1" | sed -n "s/^$2=//p" | head -1
}

ok "desktop-file-validate: no errors or warnings" validate "$desktop"
ok "Exec starts keyferry" test "$(key "$desktop" Exec)" = keyferry
ok "Icon is the app id" test "$(key "$desktop" Icon)" = "$app_id"
ok "Categories" test "$(key "$desktop" Categories)" = "GTK;GNOME;Utility;Network;"
ok "StartupNotify=true" test "$(key "$desktop" StartupNotify)" = true
ok "Keywords end with a semicolon" grep -Eq '^Keywords=.+;$' "$desktop"
ok "German Comment and Keywords merged from po/de.po" \
  bash -c "grep -q '^Comment\[de\]=' '$desktop' && grep -q '^Keywords\[de\]=.*;$' '$desktop'"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '^Type=' "$desktop" > "$tmp/broken.desktop"
fails "validation rejects a desktop file without Type" validate "$tmp/broken.desktop"
finish
