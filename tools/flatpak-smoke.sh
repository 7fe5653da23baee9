#!/bin/bash
# Smoke test of the Flatpak that tools/flatpak-build.sh installed into its
# private installation: the app runs sandboxed (`flatpak run`) under Xvfb, in a
# private D-Bus session with an unlocked gnome-keyring, with a throw-away HOME
# and XDG dirs. Checks:
#   1. the CLI in the sandbox generates a key pair, and the private key is an
#      item in the *host's* keyring (looked up outside the sandbox);
#   2. add-semiauto from the sandbox against the fake TrueNAS and a real sshd on
#      loopback, then `connection test` says OK;
#   3. the GUI's window is mapped (screenshot saved; look at it);
#   1c. the SSH agent: without --socket=ssh-auth, `agent add` names the
#      flatpak override; with it, the key lands in the host's ssh-agent;
#   4. the FileChooser portal (xdg-desktop-portal + xdg-desktop-portal-gtk) in
#      that session: the app's Download opens the portal's GTK dialog, xdotool
#      answers it with a host path, and the key pair files appear there.
# Work folder: $KF_FLATPAK_DIR (default /var/tmp/keyferry-flatpak), the same
# as the build's. Screenshots go to $KF_FLATPAK_DIR/screenshots.
# Ends with "N passed, N failed, N skipped"; exits non-zero on any failure.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${KF_FLATPAK_DIR:-/var/tmp/keyferry-flatpak}
app=io.github.keyferry.Keyferry
export FLATPAK_USER_DIR=$work/flatpak-user
shots=$work/screenshots
start=$SECONDS
say() { printf 'flatpak-smoke [%3ds]: %s\n' $((SECONDS - start)) "$*"; }

if [ -z "${KF_SMOKE_INNER:-}" ]; then
  exec </dev/null
  # XDG_RUNTIME_DIR must be /run/user/UID: the document portal hands the app
  # paths under the host's $XDG_RUNTIME_DIR/doc, and the sandbox has it at
  # /run/user/UID/doc. A private mount namespace with a tmpfs there (mounted
  # below) keeps it throw-away and leaves a real session's /run/user/UID alone.
  runtime_dir=/run/user/$(id -u)
  if [ -z "${KF_SMOKE_NS:-}" ]; then
    mkdir -p "$runtime_dir"
    exec env KF_SMOKE_NS=1 unshare --mount --propagation private -- "$0"
  fi
  if ! flatpak --user info "$app" >/dev/null 2>&1; then
    say "$app is not installed in $FLATPAK_USER_DIR; run tools/flatpak-build.sh first"
    echo "0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  # Host tools: the X server, session bus, keyring, screenshots, the portal.
  packages=(xvfb xauth dbus-bin dbus-daemon gnome-keyring libsecret-tools imagemagick
            x11-utils xdotool xdg-desktop-portal xdg-desktop-portal-gtk openssl
            openssh-server meson ninja-build pkg-config)
  missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing host packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p /run/sshd
  # The sshd and fake TrueNAS are the test suite's, built on the host (outside
  # the source tree, so flatpak-builder's copy of the tree does not take it).
  build=${KF_SMOKE_BUILD_DIR:-$work/host-build}
  if ! pkg-config --exists gtk4 libadwaita-1 libssh libsoup-3.0 json-glib-1.0 libsecret-1; then
    say "host build deps missing: running tools/install-deps.sh"
    bash "$root/tools/install-deps.sh" >/dev/null
  fi
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" >"$work/host-build.log" 2>&1 ||
      { say "meson setup failed, see $work/host-build.log"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
  fi
  say "building kf-test-sshd and fake-truenas in $build"
  if ! meson compile -C "$build" tests/kf-test-sshd tests/fake-truenas/fake-truenas >>"$work/host-build.log" 2>&1; then
    say "host build failed, see $work/host-build.log"; echo "0 passed, 1 failed, 0 skipped"; exit 1
  fi

  mount -t tmpfs -o mode=0700,size=64m keyferry-smoke-runtime "$runtime_dir"
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/keyferry-flatpak-smoke.XXXXXX")
  # The document portal's FUSE mount may outlive the session for a moment.
  trap 'fusermount3 -u -z "$runtime_dir/doc" 2>/dev/null; rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/home" "$tmp/data" "$tmp/config" "$tmp/cache" "$tmp/state" "$shots"
  export HOME=$tmp/home XDG_DATA_HOME=$tmp/data XDG_CONFIG_HOME=$tmp/config
  export XDG_CACHE_HOME=$tmp/cache XDG_STATE_HOME=$tmp/state XDG_RUNTIME_DIR=$runtime_dir
  export XDG_CURRENT_DESKTOP=GNOME NO_AT_BRIDGE=1 GTK_A11Y=none
  unset DBUS_SESSION_BUS_ADDRESS SSH_AUTH_SOCK GNOME_KEYRING_CONTROL DISPLAY WAYLAND_DISPLAY
  export KF_SMOKE_INNER=1 KF_SMOKE_TMP=$tmp KF_SMOKE_BUILD=$build
  # The session's own chatter (dbus-daemon activations, portal warnings) goes
  # to a log; the checks print to stdout.
  status=0
  dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp -noreset' "$0" \
    2>"$work/smoke-session.log" || status=$?
  [ $status -eq 0 ] || say "the session's stderr (D-Bus, portals, the app) is in $work/smoke-session.log"
  exit $status
fi

# ---------------------------------------------------------------------------
# Inside the private session and X server.
tmp=$KF_SMOKE_TMP build=$KF_SMOKE_BUILD
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
skip() { skipped=$((skipped + 1)); say "SKIP $*"; }
pids=()
cleanup() {
  flatpak kill "$app" >/dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
wait_for_line() { # FILE PATTERN SECONDS
  for _ in $(seq $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
wait_for_socket() { # PATH SECONDS
  for _ in $(seq $(($2 * 10))); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  return 1
}
# The app's own commands, sandboxed; GTK draws with cairo (Xvfb has no GL).
fp_cli() { flatpak run --env=GSK_RENDERER=cairo --command=keyferry-cli "$app" "$@"; }

eval "$(printf %s "smoke-$$" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
# Services that D-Bus starts on demand (the portals, which the first
# `flatpak run` already starts) must find the X server.
dbus-update-activation-environment DISPLAY XAUTHORITY XDG_CURRENT_DESKTOP XDG_RUNTIME_DIR >&2
say "session: DISPLAY=$DISPLAY, keyring unlocked, HOME=$HOME"

# 1. A key pair generated in the sandbox lands in the host keyring.
if fp_cli keypair generate smoke-key >"$tmp/generate.out" 2>&1; then
  if secret-tool search --all xdg:schema io.github.keyferry.Keyferry.PrivateKey >"$tmp/items.out" 2>&1 &&
     grep -q '^label = Keyferry: smoke-key private key' "$tmp/items.out"; then
    pass "keypair generate in the sandbox; the private key is an item in the host keyring"
  else
    fail "keypair generate: no 'Keyferry: smoke-key private key' item in the host keyring"
    sed 's/^/    /' "$tmp/items.out"
  fi
else
  fail "keypair generate (flatpak run --command=keyferry-cli) exited non-zero"
  sed 's/^/    /' "$tmp/generate.out"
fi

# 1b. Files in and out of the sandbox as the README shows them: an encrypted
# key (made on the host) comes in on standard input with its passphrase on
# the first line, and an export lands in the app's own folder on the host.
ssh-keygen -q -t ed25519 -N "smoke pass" -C smoke@host -f "$tmp/host_key" >/dev/null
export_dir=$HOME/.var/app/$app/data
if { printf 'smoke pass\n'; cat "$tmp/host_key"; } \
     | fp_cli keypair import smoke-imported --private-key-file - --passphrase-stdin >"$tmp/import.out" 2>&1 \
   && fp_cli keypair export smoke-imported --output-dir "$export_dir" >>"$tmp/import.out" 2>&1 \
   && [ "$(stat -c %a "$export_dir/smoke-imported")" = 600 ] \
   && [ "$(ssh-keygen -lf "$export_dir/smoke-imported.pub" | cut -d' ' -f2)" = \
        "$(ssh-keygen -lf "$tmp/host_key.pub" | cut -d' ' -f2)" ]; then
  pass "an encrypted key imported from standard input in the sandbox, exported (0600 + .pub) into $export_dir"
else
  fail "import from standard input / export into the app's folder did not work as the README says"
  sed 's/^/    /' "$tmp/import.out"
fi

# 1c. The SSH agent (a real ssh-agent on the host). The manifest has no
# --socket=ssh-auth: without it the sandbox cannot reach the agent and says
# which override enables it; with it (given to `flatpak run` here, as the
# override would) the key goes from the keyring into the host's agent.
ssh-agent -D -a "$tmp/agent.sock" >/dev/null 2>&1 &
pids+=($!)
if ! wait_for_socket "$tmp/agent.sock" 10; then
  fail "ssh-agent did not start"
else
  export SSH_AUTH_SOCK=$tmp/agent.sock
  if fp_cli agent add smoke-key >"$tmp/agent.out" 2>&1; then
    fail "agent add without --socket=ssh-auth succeeded; the sandbox should not reach the agent"
  elif grep -q 'flatpak override --user --socket=ssh-auth io.github.keyferry.Keyferry' "$tmp/agent.out"; then
    pass "agent add without --socket=ssh-auth: refused, naming the flatpak override"
  else
    fail "agent add without --socket=ssh-auth did not name the override"
    sed 's/^/    /' "$tmp/agent.out"
  fi
  if flatpak run --socket=ssh-auth --command=keyferry-cli "$app" agent add smoke-key --lifetime 5m \
       >"$tmp/agent.out" 2>&1 && ssh-add -l 2>&1 | grep -q ' smoke-key '; then
    pass "agent add with --socket=ssh-auth: the key is in the host's ssh-agent (ssh-add -l)"
  else
    fail "agent add with --socket=ssh-auth did not put the key into the host's ssh-agent"
    sed 's/^/    /' "$tmp/agent.out"
  fi
  unset SSH_AUTH_SOCK
fi

# 2. add-semiauto against the fake TrueNAS on loopback, then connection test.
mkdir -p "$tmp/sshd"
"$build/tests/kf-test-sshd" --dir "$tmp/sshd" >"$tmp/sshd.out" 2>"$tmp/sshd.err" &
pids+=($!)
semiauto_ok=false
if wait_for_line "$tmp/sshd.out" '^ready' 20; then
  declare -A sshd
  while IFS='=' read -r key value; do sshd[$key]=$value; done <"$tmp/sshd.out"
  "$root/tests/fake-truenas/make-cert.sh" "$tmp/cert.pem" "$tmp/key.pem" >/dev/null 2>&1
  cat >"$tmp/truenas.json" <<JSON
{
  "protocols": "both",
  "admins": [{"username": "truenas_admin", "password": "smoke-password", "otp": null, "full_admin": true}],
  "users": [{"id": 1, "username": "${sshd[user]}", "home": "$HOME", "shell": "/usr/bin/bash"}],
  "ssh": {
    "port": ${sshd[port]},
    "authorized_keys": "${sshd[authorized_keys]}",
    "host_key_files": ["${sshd[host_key_rsa]}", "${sshd[host_key_ecdsa]}", "${sshd[host_key_ed25519]}"]
  }
}
JSON
  "$build/tests/fake-truenas/fake-truenas" --config "$tmp/truenas.json" --cert "$tmp/cert.pem" \
    --key "$tmp/key.pem" >"$tmp/truenas.out" 2>"$tmp/truenas.log" &
  pids+=($!)
  if wait_for_line "$tmp/truenas.out" 'listening' 20; then
    https=$(sed -n 's/.*https=\([0-9]*\).*/\1/p' "$tmp/truenas.out" | head -1)
    pin=SHA256:$(openssl x509 -in "$tmp/cert.pem" -noout -fingerprint -sha256 | cut -d= -f2)
    if printf 'smoke-password\n' | fp_cli connection add-semiauto smoke-nas --url "https://127.0.0.1:$https" \
         --admin-username truenas_admin --password-stdin --username "${sshd[user]}" \
         --trust-certificate "$pin" >"$tmp/semiauto.out" 2>&1; then
      pass "connection add-semiauto from the sandbox against the fake TrueNAS on 127.0.0.1:$https"
      semiauto_ok=true
    else
      fail "connection add-semiauto from the sandbox"
      sed 's/^/    /' "$tmp/semiauto.out" "$tmp/truenas.log"
    fi
  else
    fail "fake-truenas did not start"; sed 's/^/    /' "$tmp/truenas.log"
  fi
else
  fail "kf-test-sshd did not start"; sed 's/^/    /' "$tmp/sshd.err"
fi
if $semiauto_ok; then
  if fp_cli connection test smoke-nas --json >"$tmp/test.out" 2>"$tmp/test.err" &&
     python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(r["message"]); sys.exit(0 if r["ok"] is True else 1)' \
       "$tmp/test.out" >"$tmp/test.msg" 2>&1; then
    pass "connection test smoke-nas from the sandbox: OK: $(cat "$tmp/test.msg")"
  else
    fail "connection test smoke-nas"
    sed 's/^/    /' "$tmp/test.out" "$tmp/test.err" "$tmp/test.msg"
  fi
else
  skip "connection test: there is no connection (add-semiauto failed)"
fi

# 3. The GUI: a mapped window of the app, and a screenshot.
flatpak run --env=GSK_RENDERER=cairo "$app" >"$tmp/gui.log" 2>&1 &
gui_pid=$!
pids+=("$gui_pid")
window=
for _ in $(seq 60); do
  window=$(xdotool search --onlyvisible --classname "$app" 2>/dev/null | head -1)
  [ -z "$window" ] && window=$(xdotool search --onlyvisible --name '^Keyferry' 2>/dev/null | head -1)
  [ -n "$window" ] && break
  kill -0 "$gui_pid" 2>/dev/null || break
  sleep 0.5
done
if [ -n "$window" ]; then
  sleep 2   # let it draw its first frame
  geometry=$(xwininfo -id "$window" | awk '/Width:|Height:/{printf "%s ", $2}')
  import -window root "$shots/flatpak-window.png" 2>/dev/null
  colours=$(convert "$shots/flatpak-window.png" -format '%k' info: 2>/dev/null || echo 0)
  if [ "${colours:-0}" -gt 16 ]; then
    pass "GUI window $window mapped ($(xwininfo -id "$window" | sed -n 's/.*"\(.*\)".*/\1/p' | head -1), ${geometry% }); screenshot $shots/flatpak-window.png ($colours colours)"
  else
    fail "GUI window mapped but the screenshot is blank ($colours colours): $shots/flatpak-window.png"
  fi
else
  fail "no window of $app appeared within 30 s"
  sed 's/^/    /' "$tmp/gui.log"
fi
# 4. The FileChooser portal, headless: the app's own Download (a
# GtkFileChooserNative, which in a sandbox is the FileChooser portal) is
# started through the window's exported action, xdg-desktop-portal-gtk shows
# its dialog on Xvfb, xdotool types a host folder the sandbox cannot see, and
# the public key must appear there through the document portal.
portal_check() {
  local id dialog main folder=$tmp/downloads saved=$tmp/downloads/smoke-key
  mkdir -p "$folder"
  id=$(fp_cli keypair list --json 2>/dev/null | python3 -c '
import json, sys
for k in json.load(sys.stdin):
    if k.get("name") == "smoke-key":
        print(k["id"])' 2>/dev/null)
  if [ -z "$id" ]; then
    fail "FileChooser portal: no key pair smoke-key to download"; return
  fi
  if ! gdbus call --session --dest "$app" --object-path /io/github/keyferry/Keyferry/window/1 \
       --method org.gtk.Actions.Activate keypair-download "[<'$id'>]" "{}" >"$tmp/portal-call.out" 2>&1; then
    fail "FileChooser portal: could not start Download (win.keypair-download): $(tail -1 "$tmp/portal-call.out")"
    return
  fi
  # Download first asks what to save, in an alert over the main window. Its
  # default answer, Public Key Only, is what Return picks (the private key,
  # written unencrypted, is the native suite's test, /ui/keypairs/download).
  sleep 2
  main=$(xdotool search --onlyvisible --name '^Keyferry' 2>/dev/null | head -1)
  [ -n "$main" ] && xdotool windowfocus --sync "$main" 2>/dev/null
  import -window root "$shots/flatpak-download-choice.png" 2>/dev/null
  xdotool key Return
  for _ in $(seq 40); do
    dialog=$(xdotool search --onlyvisible --name 'Download Public Key' 2>/dev/null | head -1)
    [ -n "$dialog" ] && break
    sleep 0.5
  done
  if [ -z "$dialog" ]; then
    fail "FileChooser portal: Download started, but no portal dialog appeared"
    grep -i 'portal' "$tmp/gui.log" | tail -5 | sed 's/^/    /'
    return
  fi
  sleep 1
  import -window root "$shots/flatpak-portal-dialog.png" 2>/dev/null
  # Download asks for a folder. No window manager: give the dialog the focus
  # ourselves, then type through XTEST (GTK ignores events sent with
  # XSendEvent, i.e. `xdotool --window`): Ctrl+L, the host folder the
  # sandbox cannot see, Return. A chooser that went into the folder instead
  # of choosing it gets a second Return (choose the folder it shows).
  # This portal (OpenFile before version 4) has no current_folder, so its
  # dialog opens in Recent, where no folder can be chosen: Alt+Home first.
  xdotool windowfocus --sync "$dialog" 2>/dev/null
  xdotool key alt+Home
  sleep 1
  xdotool key ctrl+l
  sleep 0.5
  xdotool key ctrl+a
  xdotool type --delay 20 "$folder/"
  sleep 1
  import -window root "$shots/flatpak-portal-typed.png" 2>/dev/null
  xdotool key Return
  for i in $(seq 40); do
    [ -s "$saved.pub" ] && break
    if [ $((i % 6)) = 0 ] && xdotool search --onlyvisible --name 'Download Public Key' >/dev/null 2>&1; then
      xdotool key Return
    fi
    sleep 0.5
  done
  sleep 1
  import -window root "$shots/flatpak-portal-after.png" 2>/dev/null
  if grep -q '^ssh-' "$saved.pub" 2>/dev/null && [ ! -e "$saved" ]; then
    pass "FileChooser portal: Download › Public Key Only to a folder chosen in the portal dialog (screenshots $shots/flatpak-portal-*.png) wrote $saved.pub on the host, and no private key"
  elif [ -e "$saved" ]; then
    fail "FileChooser portal: Public Key Only also wrote the private key $saved (see $shots/flatpak-portal-after.png)"
  else
    fail "FileChooser portal: nothing was written to $folder (screenshots in $shots)"
    tail -5 "$tmp/gui.log" | sed 's/^/    /'
  fi
}
if [ -z "$window" ]; then
  skip "FileChooser portal: needs the GUI, which did not start"
elif [ -x /usr/libexec/xdg-desktop-portal ] && [ -x /usr/libexec/xdg-desktop-portal-gtk ]; then
  portal_check
else
  skip "FileChooser portal: xdg-desktop-portal or xdg-desktop-portal-gtk is not installed"
fi
flatpak kill "$app" >/dev/null 2>&1 || kill "$gui_pid" 2>/dev/null
wait "$gui_pid" 2>/dev/null

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
