#!/bin/bash
# Builds flatpak/io.github.keyferry.Keyferry.json, as committed, without Flathub:
#  1. a stand-in org.gnome.Platform//49 + org.gnome.Sdk//49 made from Debian
#     forky packages (debootstrap), cached: a second run reuses it;
#  2. both exported into a private Flatpak installation (FLATPAK_USER_DIR
#     under the work folder, never the user's own ~/.local/share/flatpak);
#  3. flatpak-builder's download cache pre-seeded with libssh's upstream
#     tarball, taken from Debian's source package (libssh_VERSION.orig.tar.xz)
#     and checked against the manifest's sha256;
#  4. the host's flatpak-builder builds the manifest (bwrap cannot make
#     namespaces inside a plain chroot, on the host as root it can) and the
#     app is installed into the private installation.
# The stand-in is NOT the GNOME 49 runtime (newer GTK/libadwaita/GLib, Debian's
# build flags and patches, no GNOME extensions): see flatpak/README.md.
#
# Work folder: $KF_FLATPAK_DIR, default /var/tmp/keyferry-flatpak. Run as root
# (it installs host packages with apt-get, and debootstraps). Works with no stdin.
# Then: tools/flatpak-smoke.sh. Environment for using the result by hand:
#   export FLATPAK_USER_DIR=$KF_FLATPAK_DIR/flatpak-user
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
manifest=$root/flatpak/io.github.keyferry.Keyferry.json
work=${KF_FLATPAK_DIR:-/var/tmp/keyferry-flatpak}
suite=forky
mirror=${KF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
app_id=io.github.keyferry.Keyferry
export FLATPAK_USER_DIR=$work/flatpak-user
export DEBIAN_FRONTEND=noninteractive

start=$SECONDS
say() { printf 'flatpak-build [%3ds]: %s\n' $((SECONDS - start)) "$*"; }
die() { printf 'flatpak-build: %s\n' "$*" >&2; exit 1; }
trap 'echo "flatpak-build: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, apt-get, chroot)"
mkdir -p "$work"
exec </dev/null

# --- 0. Host tools -----------------------------------------------------------
host_packages=(flatpak flatpak-builder debootstrap elfutils binutils ostree curl
               ca-certificates xz-utils python3 patch)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${host_packages[@]}"; do installed "$p" || missing+=("$p"); done
# flatpak-builder >= 1.3 runs `appstreamcli compose` on the host; Debian 13
# ships that in its own package (Debian 12's flatpak-builder 1.2 runs
# appstream-compose inside the SDK instead).
fb_version=$(flatpak-builder --version 2>/dev/null | awk '{print $2}' || true)
if [ ${#missing[@]} -gt 0 ] || [ -z "$fb_version" ]; then
  say "installing host packages: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fb_version=$(flatpak-builder --version | awk '{print $2}')
fi
if dpkg --compare-versions "$fb_version" ge 1.3 && ! installed appstream-compose; then
  apt-get install -y -qq --no-install-recommends appstream-compose >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends appstream-compose >/dev/null; }
fi
say "host: $(flatpak --version), flatpak-builder $fb_version"

# --- 1. The stand-in runtime -------------------------------------------------
# What goes into it: the build deps of libssh and Keyferry, what GTK needs to
# draw (fonts, icons, the SVG loader), and what flatpak-builder runs inside the
# SDK (strip, debugedit, appstream compose).
sdk_packages=(
  gcc g++ libc6-dev make cmake meson ninja-build pkgconf python3
  gettext desktop-file-utils appstream appstream-compose libxml2-utils
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libgtk-4-bin libadwaita-1-dev
  libsecret-1-dev libsoup-3.0-dev libjson-glib-dev glib-networking
  libssl-dev zlib1g-dev
  elfutils debugedit binutils patch xz-utils bzip2 file
  ca-certificates shared-mime-info gsettings-desktop-schemas
  librsvg2-common adwaita-icon-theme hicolor-icon-theme
  fontconfig fonts-cantarell fonts-dejavu-core
)

# flatpak-builder 1.2 runs `appstream-compose` (appstream-glib's tool, gone
# from Debian) inside the SDK; the GNOME SDK has one. This stand-in maps its
# arguments onto `appstreamcli compose`, as flatpak-builder 1.4 does itself.
read -r -d '' compose_shim <<'SH' || true
#!/bin/sh
# Stand-in for appstream-glib's appstream-compose (keyferry tools/flatpak-build.sh).
prefix=/app origin=flatpak id=
for a in "$@"; do
  case $a in
    --prefix=*) prefix=${a#--prefix=} ;;
    --origin=*) origin=${a#--origin=} ;;
    --*) ;;
    *) id=${id:-$a} ;;
  esac
done
[ -n "$id" ] || { echo "appstream-compose: no component id" >&2; exit 1; }
# flatpak-builder 1.2 has renamed share/metainfo/ID.metainfo.xml to the legacy
# share/appdata/ID.appdata.xml, which appstreamcli does not read: put it back.
if [ -f "$prefix/share/appdata/$id.appdata.xml" ] && [ ! -f "$prefix/share/metainfo/$id.metainfo.xml" ]; then
  mkdir -p "$prefix/share/metainfo"
  cp "$prefix/share/appdata/$id.appdata.xml" "$prefix/share/metainfo/$id.metainfo.xml"
fi
exec appstreamcli compose --prefix=/ --origin="$origin" --result-root="$prefix" \
  --data-dir="$prefix/share/app-info/xmls" --icons-dir="$prefix/share/app-info/icons/flatpak" \
  --components="$id,$id.desktop" "$prefix"
SH

recipe_version=1
stamp_key=$( { echo "$recipe_version $suite"; printf '%s\n' "${sdk_packages[@]}"; echo "$compose_shim"; } | sha256sum | cut -c1-16)
stamp=$work/runtime.stamp
have_runtime() {
  flatpak --user info org.gnome.Sdk//49 >/dev/null 2>&1 &&
    flatpak --user info org.gnome.Platform//49 >/dev/null 2>&1
}

chroot_dir=$work/chroot
mounted=()
cleanup_mounts() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[i]}" 2>/dev/null || true; done
  mounted=()
}
trap cleanup_mounts EXIT
# Never rm -rf a tree that still has the host's /dev or /proc bound into it.
remove_tree() {
  awk '{print $2}' /proc/mounts | grep -q "^$1/" && die "$1 still has mounts; umount them first"
  rm -rf "$1"
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_key" ] && have_runtime; then
  say "stand-in runtime: cached ($stamp_key), org.gnome.Sdk//49 + org.gnome.Platform//49 installed"
else
  say "stand-in runtime: debootstrap $suite (minbase) into $chroot_dir"
  rm -f "$stamp"
  remove_tree "$chroot_dir"
  rm -rf "$work/runtime-tree" "$work/runtime-repo"
  # Bookworm's debootstrap has no script named forky; sid's is the same.
  debootstrap --variant=minbase "$suite" "$chroot_dir" "$mirror" \
    /usr/share/debootstrap/scripts/sid >"$work/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $work/debootstrap.log"
  echo 'Acquire::Check-Valid-Until "false";' >"$chroot_dir/etc/apt/apt.conf.d/99keyferry-no-valid-until"
  printf '#!/bin/sh\nexit 101\n' >"$chroot_dir/usr/sbin/policy-rc.d"
  chmod +x "$chroot_dir/usr/sbin/policy-rc.d"
  for m in proc sys dev dev/pts; do
    mount --bind "/$m" "$chroot_dir/$m"
    mounted+=("$chroot_dir/$m")
  done
  say "stand-in runtime: apt-get install ${#sdk_packages[@]} packages (and their dependencies)"
  chroot "$chroot_dir" apt-get update -qq >"$work/apt.log" 2>&1 ||
    die "apt-get update in the chroot failed; see $work/apt.log"
  chroot "$chroot_dir" apt-get install -y -qq --no-install-recommends "${sdk_packages[@]}" \
    >>"$work/apt.log" 2>&1 || die "apt-get install in the chroot failed; see $work/apt.log"
  # The manifest's libssh module must be the only libssh the app can see.
  ssh_pkgs=$(chroot "$chroot_dir" dpkg-query -W -f='${Package} ${Status}\n' 'libssh-*' 2>/dev/null |
             awk '/install ok installed/ && $1 !~ /^libssh2/ {print $1}' || true)
  if [ -n "$ssh_pkgs" ]; then
    say "stand-in runtime: removing Debian's libssh ($(echo "$ssh_pkgs" | tr '\n' ' '))"
    # shellcheck disable=SC2086
    chroot "$chroot_dir" dpkg --purge --force-depends $ssh_pkgs >>"$work/apt.log" 2>&1
  fi
  chroot "$chroot_dir" apt-get clean
  cleanup_mounts
  if find "$chroot_dir/usr" -name 'libssh.so*' -o -name 'libssh.pc' | grep -q .; then
    die "Debian's libssh is still in the stand-in"
  fi
  versions=$(chroot "$chroot_dir" dpkg-query -W -f='${Package}=${Version} ' \
               libgtk-4-1 libadwaita-1-0 libglib2.0-0t64 libc6 gcc 2>/dev/null || true)
  say "stand-in runtime: $versions"
  # Like the GNOME runtime: /app/lib first for the dynamic linker.
  printf '/app/lib\ninclude /etc/ld.so.conf.d/*.conf\n' >"$chroot_dir/etc/ld.so.conf"
  if [ ! -e "$chroot_dir/usr/bin/appstream-compose" ]; then
    printf '%s\n' "$compose_shim" >"$chroot_dir/usr/bin/appstream-compose"
    chmod 0755 "$chroot_dir/usr/bin/appstream-compose"
  fi
  rm -f "$chroot_dir/usr/sbin/policy-rc.d" "$chroot_dir/etc/apt/apt.conf.d/99keyferry-no-valid-until"

  # A runtime's files/ is what the sandbox sees as /usr, with /etc in files/etc.
  tree=$work/runtime-tree
  mkdir -p "$tree"
  mv "$chroot_dir/usr" "$tree/files"
  mv "$chroot_dir/etc" "$tree/files/etc"
  remove_tree "$chroot_dir"
  repo=$work/runtime-repo
  for name in org.gnome.Sdk org.gnome.Platform; do
    printf '[Runtime]\nname=%s\nruntime=org.gnome.Platform/x86_64/49\nsdk=org.gnome.Sdk/x86_64/49\n' \
      "$name" >"$tree/metadata"
    say "stand-in runtime: exporting $name//49"
    flatpak build-export --runtime --files=files --no-update-summary "$repo" "$tree" 49 >/dev/null
  done
  flatpak build-update-repo "$repo" >/dev/null
  rm -rf "$tree"
  flatpak --user remote-delete --force keyferry-standin >/dev/null 2>&1 || true
  flatpak --user remote-add --no-gpg-verify keyferry-standin "file://$repo"
  say "stand-in runtime: installing into $FLATPAK_USER_DIR"
  flatpak --user install -y --noninteractive --reinstall keyferry-standin \
    org.gnome.Sdk//49 org.gnome.Platform//49 >/dev/null
  # Installed (checked out from its own copy): the export repo is not needed.
  flatpak --user remote-delete --force keyferry-standin >/dev/null
  rm -rf "$repo"
  echo "$stamp_key" >"$stamp"
fi

# --- 2. Pre-seed the download cache from Debian's source package --------------
state=$work/state
read -r url sha256 < <(python3 - "$manifest" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for mod in m["modules"]:
    if mod.get("name") == "libssh":
        s = mod["sources"][0]
        print(s["url"], s["sha256"])
PY
)
file=${url##*/}
version=${file#libssh-}; version=${version%.tar.xz}
[ -n "$version" ] && [ "$file" = "libssh-$version.tar.xz" ] || die "unexpected libssh URL $url"
cached=$state/downloads/$sha256/$file
if [ -f "$cached" ] && [ "$(sha256sum <"$cached" | cut -d' ' -f1)" = "$sha256" ]; then
  say "libssh $version: in flatpak-builder's download cache"
else
  orig=libssh_$version.orig.tar.xz
  say "libssh $version: fetching $orig from Debian's source package"
  mkdir -p "$state/downloads/$sha256"
  curl -fsS --retry 3 -o "$cached.part" "$mirror/pool/main/libs/libssh/$orig" ||
    die "cannot fetch $mirror/pool/main/libs/libssh/$orig"
  got=$(sha256sum <"$cached.part" | cut -d' ' -f1)
  if [ "$got" != "$sha256" ]; then
    rm -f "$cached.part"
    die "$orig has sha256 $got, the manifest says $sha256"
  fi
  mv "$cached.part" "$cached"
  say "libssh $version: sha256 $sha256 matches the manifest"
fi

# --- 3. Build the committed manifest, install privately -------------------------
say "flatpak-builder: building $manifest"
log=$work/flatpak-builder.log
cd "$work"
if ! flatpak-builder --user --disable-rofiles-fuse --disable-download --force-clean \
     --state-dir="$state" --repo="$work/app-repo" "$work/app-build" "$manifest" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  die "flatpak-builder failed; the whole log is $log"
fi
grep -E '^(Starting|Running|Cache hit|Committing|Exporting)' "$log" | sed 's/^/  /' || true
warnings=$(grep -c -E 'warning:' "$log" || true)
say "flatpak-builder: done ($warnings compiler warnings in $log)"
flatpak --user remote-add --if-not-exists --no-gpg-verify keyferry-local "file://$work/app-repo"
# --no-deps: the runtime is installed already, and its remote (the export
# repo, deleted after the install) is not there to be asked for updates.
flatpak --user install -y --noninteractive --reinstall --no-deps keyferry-local "$app_id" >/dev/null
say "installed $(flatpak --user info "$app_id" | awk -F': *' '/Commit:/{print $2; exit}' | cut -c1-12) into $FLATPAK_USER_DIR"
say "disk: $(du -sh "$work" 2>/dev/null | cut -f1) in $work"
