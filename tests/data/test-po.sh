#!/bin/bash
# Translations: tools/check-po.sh passes on the tree, and fails on a copy of
# the tree where one new UI string was added without a translation, and on
# one where a translation was marked fuzzy.
# Usage: test-po.sh SOURCE_ROOT
# Copyright 2026 The Keyferry authors
# SPDX-License-Identifier: GPL-3.0-or-later
set -uo pipefail
src=$1
. "$src/tests/data/tap.sh"

ok "every po file compiles with msgfmt --check" \
  bash -c "cd '$src' && for l in \$(grep -v '^#' po/LINGUAS); do msgfmt --check-format -c -o /dev/null po/\$l.po || exit 1; done"
ok "tools/check-po.sh: POTFILES.in current, every string translated" "$src/tools/check-po.sh"

# A copy of what the check reads: sources, data, po, tools, meson.build.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
copy_tree() {
  mkdir -p "$1"
  (cd "$src" && cp -r meson.build src data po tools "$1/")
}

copy_tree "$tmp/canary"
cat > "$tmp/canary/src/kf-po-canary.c" <<'C'
static const char *canary = N_("A string added to the interface without a translation");
C
(cd "$tmp/canary" && tools/update-potfiles.sh >/dev/null)
fails_with "check-po fails on a new string nobody translated" "A string added to the interface without a translation" "$tmp/canary/tools/check-po.sh"

copy_tree "$tmp/stale"
cat > "$tmp/stale/src/kf-po-canary.c" <<'C'
static const char *canary = N_("Keyferry");
C
fails_with "check-po fails when POTFILES.in misses a file with strings" "POTFILES.in is out of date" "$tmp/stale/tools/check-po.sh"

copy_tree "$tmp/fuzzy"
# Mark the first real entry fuzzy, as msgmerge does when a msgid changes.
awk 'BEGIN{done=0} /^msgid "[^"]/ && !done {print "#, fuzzy"; done=1} {print}' \
  "$src/po/de.po" > "$tmp/fuzzy/po/de.po"
fails_with "check-po fails on a fuzzy translation" "fuzzy \\(check the translation" "$tmp/fuzzy/tools/check-po.sh"
finish
