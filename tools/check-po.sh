#!/bin/bash
# Checks that every translation is complete and well-formed against the
# sources as they are now:
# - po/POTFILES.in lists exactly the files that mark strings for translation;
# - every po/LANG.po compiles with msgfmt --check (formats, header, plurals);
# - every msgid of a freshly extracted template is translated in it: nothing
#   untranslated, nothing fuzzy, nothing missing.
# A new UI string without a German translation makes this fail; the fix is
# tools/update-po.sh and then translating what it lists.
# Usage: tools/check-po.sh   (checks the tree this script lives in)
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-check-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0
problem() { echo "$*"; status=1; }

tools/update-potfiles.sh --check || status=1

if ! tools/make-pot.sh "$tmp/keyferry.pot" 2>"$tmp/xgettext.log"; then
  cat "$tmp/xgettext.log"
  problem "xgettext failed"
elif [ -s "$tmp/xgettext.log" ]; then
  # E.g. a format macro inside a string: xgettext extracts only the part
  # before it, so the real string is never found in a catalogue at run time.
  cat "$tmp/xgettext.log"
  problem "xgettext warns about the sources (a string it cannot extract whole is never translated)"
fi

languages=$(grep -v '^#' po/LINGUAS)
[ -n "$languages" ] || problem "po/LINGUAS lists no language"
for po in po/*.po; do
  [ -e "$po" ] || continue
  lang=$(basename "$po" .po)
  grep -qx "$lang" <<<"$languages" || problem "$po is not listed in po/LINGUAS"
done

for lang in $languages; do
  po=po/$lang.po
  if [ ! -f "$po" ]; then
    problem "po/LINGUAS lists $lang but $po does not exist"
    continue
  fi
  msgfmt --check --check-accelerators=_ -o /dev/null "$po" || problem "$po: msgfmt --check failed"
  [ -f "$tmp/keyferry.pot" ] || continue
  # Merge the file into the fresh template the way tools/update-po.sh does:
  # a new string comes out untranslated, a changed one fuzzy.
  msgmerge --quiet --no-wrap -o "$tmp/$lang.po" "$po" "$tmp/keyferry.pot"
  untranslated=$(msgattrib --no-wrap --untranslated --no-obsolete "$tmp/$lang.po" | grep '^msgid "' | grep -vx 'msgid ""')
  fuzzy=$(msgattrib --no-wrap --only-fuzzy --no-obsolete "$tmp/$lang.po" | grep '^msgid "' | grep -vx 'msgid ""')
  [ -z "$untranslated" ] || problem "$po: untranslated (run tools/update-po.sh and translate):"$'\n'"$untranslated"
  [ -z "$fuzzy" ] || problem "$po: fuzzy (check the translation and remove the fuzzy flag):"$'\n'"$fuzzy"
done

[ $status -eq 0 ] && echo "translations complete: $languages"
exit $status
