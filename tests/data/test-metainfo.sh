#!/bin/bash
# The metainfo as built (translations merged in) passes appstreamcli validate
# with no error and no warning, names the installed binaries, and describes
# this version's release.
# Usage: test-metainfo.sh SOURCE_ROOT BUILD_ROOT
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
src=$1 build=$2
. "$src/tests/data/tap.sh"
app_id=io.github.keyferry.Keyferry
metainfo=$build/data/$app_id.metainfo.xml

as_version=$(appstreamcli --version | sed -n 's/^AppStream version: //p')

# Passes only when validation reports nothing but the issues known and
# accepted here:
# - pedantic cid-contains-uppercase-letter: the app id is given;
# - info "unknown-tag developer" from AppStream < 1.0 (Debian 12 has 0.16),
#   which predates <developer id="…">; 1.0 and later, as in the Flatpak
#   runtime and on Flathub, want exactly that tag.
validate() {
  local out status=0 unexpected
  out=$(appstreamcli validate --no-net --pedantic --no-color "$1" 2>&1) || status=$?
  printf '%s\n' "$out"
  [ $status -eq 0 ] || return 1
  unexpected=$(printf '%s\n' "$out" | grep -E '^[EWIP]: ' |
    grep -Ev '^P: [^ ]+ cid-contains-uppercase-letter ' |
    if dpkg --compare-versions "$as_version" lt 1.0; then grep -Ev '^I: [^ ]+ unknown-tag developer$'; else cat; fi)
  if [ -n "$unexpected" ]; then
    echo "unexpected issues:"; printf '%s\n' "$unexpected"
    return 1
  fi
}

xpath() { xmllint --xpath "$1" "$metainfo" 2>/dev/null; }
project_version=$(meson introspect --projectinfo "$build" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')

ok "appstreamcli $as_version validate --no-net: no unexpected issues" validate "$metainfo"
ok "id is the app id" test "$(xpath 'string(/component/id)')" = "$app_id"
ok "launchable is the desktop file" test "$(xpath 'string(/component/launchable[@type="desktop-id"])')" = "$app_id.desktop"
ok "developer has an id" test -n "$(xpath 'string(/component/developer/@id)')"
ok "provides the binaries keyferry and keyferry-cli" \
  test "$(xpath 'string(/component/provides/binary[1])') $(xpath 'string(/component/provides/binary[2])')" = "keyferry keyferry-cli"
ok "newest release is the project version $project_version" \
  test "$(xpath 'string(/component/releases/release[1]/@version)')" = "$project_version"
ok "newest release has a description" test -n "$(xpath 'string(/component/releases/release[1]/description)')"
ok "German summary and description merged from po/de.po" \
  bash -c "test -n \"\$(xmllint --xpath 'string(/component/summary[@xml:lang=\"de\"])' '$metainfo')\" &&
           test -n \"\$(xmllint --xpath 'string(/component/description/p[@xml:lang=\"de\"][1])' '$metainfo')\""

# Screenshots are fetched from the repository by URL, which --no-net cannot
# check: the files must exist in this tree, with the size the metainfo says.
screenshots_ok() {
  local n i url path w h size status=0
  n=$(xpath 'count(/component/screenshots/screenshot/image)')
  [ "${n:-0}" -ge 1 ] || { echo "no screenshots"; return 1; }
  for i in $(seq 1 "$n"); do
    url=$(xpath "string((/component/screenshots/screenshot/image)[$i])")
    w=$(xpath "string((/component/screenshots/screenshot/image)[$i]/@width)")
    h=$(xpath "string((/component/screenshots/screenshot/image)[$i]/@height)")
    path=${url#https://raw.githubusercontent.com/keyferry/keyferry/main/}
    if [ "$path" = "$url" ] || [ ! -f "$src/$path" ]; then
      echo "$url is not a file of this repository"; status=1; continue
    fi
    size=$(identify -format '%wx%h' "$src/$path")
    [ "$size" = "${w}x$h" ] || { echo "$path is $size, metainfo says ${w}x$h"; status=1; }
  done
  return $status
}
ok "screenshots are files of this repository with the stated size" screenshots_ok
ok "exactly one default screenshot, each with a caption" \
  test "$(xpath 'count(/component/screenshots/screenshot[@type="default"])')" = 1 -a \
       "$(xpath 'count(/component/screenshots/screenshot[not(caption)])')" = 0

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
grep -v '<summary' "$metainfo" > "$tmp/$app_id.metainfo.xml"
fails "validation rejects a metainfo without a summary" validate "$tmp/$app_id.metainfo.xml"
sed 's|date="[0-9-]*"|date="24.11.2026"|' "$metainfo" > "$tmp/$app_id.metainfo.xml"
fails "validation rejects a release date that is not ISO 8601 (only a warning)" validate "$tmp/$app_id.metainfo.xml"
sed 's|</component>|<bogus/></component>|' "$metainfo" > "$tmp/$app_id.metainfo.xml"
fails "validation rejects an unexpected info (unknown tag)" validate "$tmp/$app_id.metainfo.xml"
finish
