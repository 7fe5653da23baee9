#!/bin/bash
# Takes the screenshots the metainfo shows (data/screenshots/*.png): fills a
# throw-away profile through keyferry-cli with a few key pairs and
# connections, opens Keyferry in a private D-Bus session, keyring and X
# server the size of the window, and captures each view.
# Usage: tools/take-screenshots.sh [OUTDIR]   (default data/screenshots)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}
out=${1:-$root/data/screenshots}
case $out in /*) ;; *) out=$PWD/$out ;; esac

if [ "${KF_SCREENSHOT_INNER:-}" != 1 ]; then
  [ -f "$build/build.ninja" ] || meson setup "$build" "$root" -Dwerror=true
  meson compile -C "$build" >/dev/null
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-shots.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/runtime" "$out"
  chmod 0700 "$tmp/runtime"
  unset DBUS_SESSION_BUS_ADDRESS SSH_AUTH_SOCK GNOME_KEYRING_CONTROL DISPLAY WAYLAND_DISPLAY
  HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/runtime \
  XDG_DATA_HOME=$tmp/home/.local/share XDG_CONFIG_HOME=$tmp/home/.config \
  XDG_CACHE_HOME=$tmp/home/.cache KF_SCREENSHOT_INNER=1 KF_BUILD_DIR=$build \
    dbus-run-session -- xvfb-run -a -s '-screen 0 1000x700x24 -nolisten tcp -noreset' "$0" "$out"
  exit
fi

# Inside the private session.
export GTK_A11Y=none NO_AT_BRIDGE=1 GSK_RENDERER=cairo
# keyfile: gsettings below and the app share the settings (memory would not).
export GSETTINGS_SCHEMA_DIR=$build/data GSETTINGS_BACKEND=keyfile
# LANGUAGE only counts under a locale other than C; C.UTF-8 is always there.
export LANG=C.UTF-8 LANGUAGE=${KF_SCREENSHOT_LANGUAGE:-en}
printf %s screenshots | gnome-keyring-daemon --unlock --components=secrets >/dev/null
cli=$build/src/cli/keyferry-cli
keys=$HOME/hostkeys
mkdir -p "$keys"

"$cli" keypair generate "Office NAS Key" --comment "admin@workstation" >/dev/null
"$cli" keypair generate "Backup Key" --type ecdsa-p256 --comment "backup@workstation" >/dev/null
"$cli" keypair generate "Legacy RSA" --type rsa --bits 3072 --comment "ops@workstation" >/dev/null
add() { # add NAME HOST PORT USER KEYPAIR
  ssh-keygen -q -t ed25519 -N '' -C '' -f "$keys/$1" >/dev/null
  "$cli" connection add-manual "$1" --host "$2" --port "$3" --username "$4" \
    --keypair "$5" --host-key-file "$keys/$1.pub" >/dev/null
}
add "Office NAS" nas-office.lan 22 root "Office NAS Key"
add "Offsite Backup" backup.example.org 2222 truenas_admin "Backup Key"
add "Lab TrueNAS" 192.168.10.40 22 root "Office NAS Key"
add "Media Server" media.lan 22 admin "Legacy RSA"

shoot() { # shoot FILE [WINDOW-ACTION [TITLE]]: the main window, or the window titled TITLE that the action opens
  "$build/src/ui/keyferry" & local pid=$!
  sleep 3
  if [ -n "${2:-}" ]; then
    # GtkApplicationWindow exports its actions on the bus (org.gtk.Actions).
    gdbus call --session --dest io.github.keyferry.Keyferry \
      --object-path /io/github/keyferry/Keyferry/window/1 \
      --method org.gtk.Actions.Activate "$2" '[]' '{}' >/dev/null
    sleep 2
  fi
  local window=root
  if [ -n "${3:-}" ]; then
    # Without a window manager a dialog sits on top of the main window at
    # 0,0: capture the dialog's own window, found by its title.
    window=$(xwininfo -root -tree | awk -v t="\"$3\":" '$2 == t || index($0, t) { print $1; exit }')
    [ -n "$window" ] || { echo "no window titled $3" >&2; kill "$pid"; return 1; }
  fi
  import -window "$window" "$1"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
for view in connections keypairs; do
  gsettings set io.github.keyferry.Keyferry last-view "$view"
  shoot "$1/$view.png"
  echo "wrote $1/$view.png"
done
gsettings set io.github.keyferry.Keyferry last-view connections
shoot "$1/add-connection.png" add "Add SSH Connection"
echo "wrote $1/add-connection.png"
