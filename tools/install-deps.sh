#!/bin/bash
# Installs what a fresh Debian 12 needs to build, run and test Keyferry.
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
  openssh-server openssh-client openssl imagemagick python3
  librsvg2-common  # gdk-pixbuf SVG loader for icons (only a Recommends of GTK)
  flatpak flatpak-builder elfutils
  clang libclang-rt-14-dev valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
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
