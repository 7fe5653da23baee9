#!/bin/bash
# Installs what a fresh Debian 12 (bookworm), 13 (trixie) or newer (forky)
# needs to build, run and test Keyferry.
# Run as root (or through sudo). Safe to run again.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  exec sudo "$0" "$@"
fi

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libxml2-utils
  libsecret-1-dev libssh-dev libsoup-3.0-dev libjson-glib-dev glib-networking
  appstream desktop-file-utils
  xvfb xauth dbus-daemon dbus-x11 gnome-keyring libsecret-tools
  openssh-server openssh-client openssl ca-certificates imagemagick python3
  at-spi2-core python3-pyatspi  # tests/ui/test-a11y.py reads the app as a screen reader does
  librsvg2-common  # gdk-pixbuf SVG loader for icons (only a Recommends of GTK)
  flatpak flatpak-builder elfutils
  clang llvm valgrind  # llvm: llvm-symbolizer, so sanitizer reports (and their suppressions) see function names
)

export DEBIAN_FRONTEND=noninteractive
installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# The sanitizer and fuzzer runtimes come with the clang of each release
# (libclang-rt-14-dev on bookworm, -19 on trixie, ...): ask apt which clang
# the "clang" package stands for.
updated=false
if ! installed clang; then
  apt-get update -qq
  updated=true
fi
clang_major=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -n 1)
if [ -z "$clang_major" ]; then
  echo "install-deps: apt does not say which clang the clang package stands for" >&2
  exit 1
fi
packages+=("libclang-rt-$clang_major-dev")

# GNOME's SSH agent (gcr-ssh-agent), which the agent tests try besides
# OpenSSH's ssh-agent (openssh-client): in "gcr" on bookworm, in "gcr4"
# (gcr4-ssh-agent) on trixie and later.
for p in gcr4 gcr; do
  if apt-cache show "$p" >/dev/null 2>&1; then
    packages+=("$p")
    break
  fi
done

missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  $updated || apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# D-Bus and GLib want a machine id; minimal images may have none.
if [ ! -s /etc/machine-id ]; then
  dbus-uuidgen --ensure=/etc/machine-id
fi
mkdir -p /var/lib/dbus
[ -e /var/lib/dbus/machine-id ] || ln -s /etc/machine-id /var/lib/dbus/machine-id

# sshd refuses to start without its privilege separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd
