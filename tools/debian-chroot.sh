#!/bin/bash
# A fresh Debian chroot in which an ordinary user meets Keyferry as the README
# says: a minbase debootstrap, a user "kf" with sudo, and this checkout's files
# (tracked and new, not ignored ones) copied to /home/kf/keyferry.
#
#   tools/debian-chroot.sh create SUITE DIR    # debootstrap SUITE into DIR (once)
#   tools/debian-chroot.sh run DIR COMMAND...  # copy the checkout in, run COMMAND
#                                              # as kf in it (bash -lc), with /proc,
#                                              # /sys, /dev mounted for the run
#   tools/debian-chroot.sh root DIR COMMAND... # the same as root, no copy
#   tools/debian-chroot.sh destroy DIR         # unmount what is left, remove DIR
#
# Run as root. SUITE: bookworm, trixie, forky, ... (a suite newer than this
# machine's debootstrap knows uses its "sid" script). Needs the network to
# Debian's archive, nothing else.
set -euo pipefail

[ "$(id -u)" = 0 ] || exec sudo "$0" "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${KF_DEBIAN_MIRROR:-http://deb.debian.org/debian}

usage() { echo "usage: $0 create SUITE DIR | run DIR COMMAND... | root DIR COMMAND... | destroy DIR" >&2; exit 2; }

# Removes a chroot; first unmounts anything still mounted inside it (a run
# that was killed), and never crosses into another file system.
destroy() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  dir=$(cd "$dir" && pwd -P)
  while read -r m; do
    [ -n "$m" ] && umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | grep -F "$dir/" | sort -r)
  if findmnt -rn -o TARGET | grep -qF "$dir/"; then
    echo "debian-chroot: $dir still has mounts; not removing it" >&2
    return 1
  fi
  rm -rf --one-file-system "$dir" "$dir.debootstrap.log"
}

create() {
  local suite=$1 dir=$2 script=""
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  [ -e "/usr/share/debootstrap/scripts/$suite" ] || script=/usr/share/debootstrap/scripts/sid
  if [ ! -x "$dir/usr/bin/apt-get" ]; then
    rm -rf "$dir"
    debootstrap --variant=minbase "$suite" "$dir" "$mirror" $script >"$dir.debootstrap.log" 2>&1 || {
      tail -n 20 "$dir.debootstrap.log" >&2; return 1; }
  fi
  # A testing suite's Release file may carry a Valid-Until already past.
  echo 'Acquire::Check-Valid-Until "false";' >"$dir/etc/apt/apt.conf.d/99keyferry-no-valid-until"
  cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  with_mounts "$dir" chroot "$dir" /bin/bash -c '
    set -e
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends sudo git >/dev/null
    id kf >/dev/null 2>&1 || useradd -m -s /bin/bash kf
    echo "kf ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/kf
    chmod 0440 /etc/sudoers.d/kf'
}

mounted=()
unmount_all() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" 2>/dev/null || true
  done
  mounted=()
}

with_mounts() {
  local dir=$1; shift
  trap unmount_all EXIT
  local m
  for m in proc sys dev dev/pts dev/shm; do
    mkdir -p "$dir/$m"
    if ! mountpoint -q "$dir/$m"; then
      case $m in
        proc) mount -t proc proc "$dir/proc" ;;
        *) mount --bind "/$m" "$dir/$m" ;;
      esac
      mounted+=("$dir/$m")
    fi
  done
  local rc=0
  "$@" || rc=$?
  unmount_all
  trap - EXIT
  return $rc
}

copy_checkout() {
  local dir=$1 dest=$1/home/kf/keyferry
  # Build directories of an earlier run stay (meson rebuilds what changed);
  # everything else is this checkout's again.
  mkdir -p "$dest"
  find "$dest" -mindepth 1 -maxdepth 1 ! -name 'build*' -exec rm -rf {} +
  (cd "$root" && git ls-files -z --cached --others --exclude-standard \
     | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
     | tar --null -T - -cf -) | tar -xf - -C "$dest"
  # A git work tree, as a clone would be (some tools ask git for the top).
  rm -rf "$dest/.git"
  (cd "$dest" && git init -q && git -c safe.directory="$dest" add -A \
     && git -c safe.directory="$dest" -c user.name=kf -c user.email=kf@localhost commit -qm checkout)
  chroot "$dir" chown -R kf:kf /home/kf/keyferry
}

[ $# -ge 2 ] || usage
cmd=$1; shift
case $cmd in
  destroy) [ $# -eq 1 ] || usage; destroy "$1" ;;
  create) [ $# -eq 2 ] || usage; create "$1" "$2" ;;
  run)
    dir=$1; shift; [ $# -ge 1 ] || usage
    copy_checkout "$dir"
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
    # A login shell of kf's, with no stdin, as a newcomer's terminal would be
    # minus the terminal; CI is passed on so the suite knows where it runs.
    with_mounts "$dir" chroot "$dir" /usr/bin/env -i HOME=/home/kf USER=kf LOGNAME=kf \
      PATH=/usr/local/bin:/usr/bin:/bin TERM=dumb LANG=C.UTF-8 ${CI:+CI=$CI} \
      /usr/bin/setpriv --reuid=kf --regid=kf --init-groups \
      /bin/bash -lc "cd ~/keyferry && $*" </dev/null ;;
  root)
    dir=$1; shift; [ $# -ge 1 ] || usage
    with_mounts "$dir" chroot "$dir" /bin/bash -lc "$*" </dev/null ;;
  *) usage ;;
esac
