#!/bin/bash
# Brings the translations up to date with the sources: regenerates
# po/POTFILES.in, extracts a fresh template (tools/make-pot.sh) and merges it
# into every po/LANG.po listed in po/LINGUAS. Then lists, per language, what
# still needs a translator (untranslated and fuzzy entries); the po-check test
# fails until that list is empty.
# Usage: tools/update-po.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

tools/update-potfiles.sh
pot=$(mktemp "${TMPDIR:-/tmp}/keyferry.XXXXXX.pot")
trap 'rm -f "$pot"' EXIT
tools/make-pot.sh "$pot"

status=0
for lang in $(grep -v '^#' po/LINGUAS); do
  po=po/$lang.po
  if [ ! -f "$po" ]; then
    msginit --no-wrap --no-translator --locale="$lang" --input="$pot" --output-file="$po"
  else
    msgmerge --quiet --no-wrap --update --backup=none --previous "$po" "$pot"
  fi
  # Obsolete entries only bloat the file; git keeps the history.
  msgattrib --no-wrap --no-obsolete --output-file="$po" "$po"
  untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
  fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
  # msgattrib prints the header entry too when anything is listed.
  [ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
  [ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
  echo "$po: $(msgfmt --statistics -o /dev/null "$po" 2>&1)"
  if [ "$untranslated" -gt 0 ] || [ "$fuzzy" -gt 0 ]; then
    echo "  to translate: $untranslated untranslated, $fuzzy fuzzy (see msgattrib --untranslated / --only-fuzzy $po)"
    status=1
  fi
done
exit $status
