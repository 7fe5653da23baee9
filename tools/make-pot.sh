#!/bin/bash
# Writes a fresh translation template of Keyferry to OUT (default: stdout is
# not allowed by xgettext with ITS files, so OUT is required). It extracts
# from the files tools/update-potfiles.sh finds *now*, not from a possibly
# stale po/POTFILES.in, so a string in a brand-new file shows up too.
# The keywords and flags are those of meson's i18n.gettext(preset: 'glib').
# Usage: tools/make-pot.sh OUT.pot
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: make-pot.sh OUT.pot}
case $out in /*) ;; *) out=$PWD/$out ;; esac

cd "$root"
list=$(mktemp "${TMPDIR:-/tmp}/keyferry-potfiles.XXXXXX")
trap 'rm -f "$list"' EXIT
tools/update-potfiles.sh --list > "$list"

xgettext \
  --package-name=keyferry \
  --package-version="$(sed -n "s/^  version: '\(.*\)',$/\1/p" meson.build)" \
  --msgid-bugs-address=https://github.com/keyferry/keyferry/issues \
  --copyright-holder="The Keyferry authors" \
  --from-code=UTF-8 \
  --add-comments \
  --keyword=_ --keyword=N_ \
  --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
  --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
  --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
  --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
  --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
  --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
  --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
  --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
  --sort-by-file \
  --files-from="$list" \
  --directory="$root" \
  --output="$out"
