#!/bin/bash
# The Flatpak manifest passes tools/check-flatpak-manifest.py, and the checker
# rejects manifests broken in each way it is meant to catch.
# Usage: test-flatpak.sh SOURCE_ROOT BUILD_ROOT
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
src=$1 build=$2
. "$src/tests/data/tap.sh"
manifest=$src/flatpak/io.github.keyferry.Keyferry.json
check=$src/tools/check-flatpak-manifest.py

ok "check-flatpak-manifest.py passes on flatpak/" python3 "$check" --source-root "$src" --build-dir "$build" "$manifest"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# mutant NAME PYTHON-STATEMENT: a copy of the manifest changed by the
# statement (acting on the dict m), with the dir source made absolute so the
# copy still points at this tree.
mutant() {
  python3 - "$manifest" "$tmp/$1.json" "$src" "$2" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for mod in m["modules"]:
    for s in mod.get("sources", []):
        if s.get("type") == "dir":
            s["path"] = sys.argv[3]
exec(sys.argv[4])
json.dump(m, open(sys.argv[2], "w"), indent=2)
PY
  echo "$tmp/$1.json"
}
rejects() { # rejects DESCRIPTION PATTERN NAME STATEMENT
  local file
  file=$(mutant "$3" "$4")
  fails_with "rejects $1" "$2" python3 "$check" --source-root "$src" --build-dir "$build" "$file"
}

ok "an unchanged copy passes (the mutants below differ only in their change)" \
  python3 "$check" --source-root "$src" --build-dir "$build" "$(mutant same 'pass')"
rejects "an unknown field (flatpak-builder, fatal warnings)" "show-manifest rejected" \
  unknown 'm["modules"][0]["sources"][0]["sha265"] = m["modules"][0]["sources"][0].pop("sha256")'
rejects "an archive without sha256" "needs a sha256" \
  nosha 'del m["modules"][0]["sources"][0]["sha256"]'
# flatpak-builder up to 1.4.4 (Debian 12 and 13) parses any string as a sha256 and leaves it to
# the checker ("... is not 64 lowercase hex digits"); newer ones (1.4.12 in Debian forky) refuse
# it themselves while parsing ("Invalid source: Invalid sha256 checksum string"), so the checker
# reports that flatpak-builder rejected the manifest. Either way the manifest must be rejected.
rejects "a malformed sha256" "lowercase hex|Invalid sha256 checksum string" \
  badsha 'm["modules"][0]["sources"][0]["sha256"] = "abc"'
rejects "an http URL" "not https" \
  http 'm["modules"][0]["sources"][0]["url"] = m["modules"][0]["sources"][0]["url"].replace("https:", "http:")'
rejects "a git source without a commit" "pin a commit" \
  git 'm["modules"][0]["sources"] = [{"type": "git", "url": "https://git.libssh.org/projects/libssh.git", "branch": "master"}]'
rejects "--filesystem=home" "forbidden: whole-disk or home" \
  home 'm["finish-args"].append("--filesystem=home")'
rejects "--filesystem=host" "forbidden: whole-disk or home" \
  host 'm["finish-args"].append("--filesystem=host:ro")'
rejects "--socket=session-bus" "forbidden: a bus" \
  bus 'm["finish-args"].append("--socket=session-bus")'
rejects "a finish-arg outside the allow-list" "not in the allow-list" \
  extra 'm["finish-args"].append("--talk-name=org.freedesktop.Notifications")'
rejects "an app id that differs from the desktop file and metainfo" "differs from meson.build" \
  appid 'm["id"] = "io.github.keyferry.KeyFerry"'
rejects "a command that is not an installed binary" "is not an installed binary" \
  command 'm["command"] = "keyferry-gui"'
rejects "an old runtime" "not a current GNOME release" \
  runtime 'm["runtime-version"] = "45"'
rejects "a dir source outside the project" "should be the project tree" \
  dir 'm["modules"][-1]["sources"][0]["path"] = "/tmp"'
rejects "keyferry built with its tests" "-Dtests=false" \
  tests 'm["modules"][-1]["config-opts"] = []'
finish
