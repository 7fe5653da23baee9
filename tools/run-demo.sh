#!/bin/bash
# Try semi-automatic setup without a NAS: starts a fake TrueNAS (both API
# protocols, a self-signed certificate, an HTTP port that redirects) and a
# real sshd on loopback that the fake TrueNAS installs keys for, then opens
# Keyferry in a throw-away profile with its own keyring. Everything stops
# when Keyferry closes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${KF_BUILD_DIR:-$root/build}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$root" -Dwerror=true
fi
meson compile -C "$build" keyferry tests/kf-test-sshd tests/fake-truenas/fake-truenas >/dev/null

dir=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-demo.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# 1. A real sshd on loopback (its own host keys and authorized_keys file).
mkdir -p "$dir/sshd"
# Wait until FILE has a line matching PATTERN (at most 20 s).
wait_for_line() {
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "run-demo: $3 did not start; see $1" >&2
  exit 1
}
mkdir -p "$dir/sshd"
"$build/tests/kf-test-sshd" --dir "$dir/sshd" >"$dir/sshd.out" &
pids+=($!)
wait_for_line "$dir/sshd.out" '^ready' sshd
declare -A sshd
while IFS='=' read -r key value; do
  sshd[$key]=$value
done <"$dir/sshd.out"

# 2. The fake TrueNAS: the SSH user is you (the one sshd lets in).
"$root/tests/fake-truenas/make-cert.sh" "$dir/cert.pem" "$dir/key.pem" >/dev/null 2>&1
cat > "$dir/truenas.json" <<JSON
{
  "protocols": "both",
  "admins": [
    {"username": "truenas_admin", "password": "demo-password", "otp": null, "full_admin": true},
    {"username": "twofa_admin", "password": "demo-password", "otp": "123456", "full_admin": true},
    {"username": "readonly_admin", "password": "demo-password", "otp": null, "full_admin": false}
  ],
  "users": [
    {"id": 1, "username": "${sshd[user]}", "home": "$HOME", "shell": "/usr/bin/bash"}
  ],
  "ssh": {
    "port": ${sshd[port]},
    "authorized_keys": "${sshd[authorized_keys]}",
    "host_key_files": ["${sshd[host_key_rsa]}", "${sshd[host_key_ecdsa]}", "${sshd[host_key_ed25519]}"]
  }
}
JSON
"$build/tests/fake-truenas/fake-truenas" --config "$dir/truenas.json" \
  --cert "$dir/cert.pem" --key "$dir/key.pem" --redirect-port 0 >"$dir/truenas.out" 2>"$dir/truenas.log" &
pids+=($!)
wait_for_line "$dir/truenas.out" 'listening' fake-truenas
line=$(head -1 "$dir/truenas.out")
https=$(sed -n 's/.*https=\([0-9]*\).*/\1/p' <<<"$line")
http=$(sed -n 's/.*http=\([0-9]*\).*/\1/p' <<<"$line")
fingerprint=$(openssl x509 -in "$dir/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)

cat <<TEXT

  Keyferry demo
  -------------
  TrueNAS URL:     https://127.0.0.1:$https   (or 127.0.0.1:$http to see the HTTP→HTTPS redirect)
  Certificate:     $fingerprint
  Admin Username:  truenas_admin   Admin Password: demo-password
                   (twofa_admin asks for the one-time password 123456;
                    readonly_admin is not a full admin and is refused)
  Username:        ${sshd[user]}   (the SSH login; sshd listens on 127.0.0.1:${sshd[port]})

  Close Keyferry to stop the demo.

TEXT

# 3. Keyferry in a throw-away profile with its own unlocked keyring.
mkdir -p "$dir/data" "$dir/config" "$dir/cache" "$dir/runtime"
chmod 0700 "$dir/runtime"
export XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache"
export XDG_RUNTIME_DIR="$dir/runtime" GSETTINGS_SCHEMA_DIR="$build/data"
unset DBUS_SESSION_BUS_ADDRESS
dbus-run-session -- bash -c '
  eval "$(printf %s demo | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$0" "$@"' "$build/src/ui/keyferry" "$@"
