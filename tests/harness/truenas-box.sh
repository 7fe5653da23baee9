#!/bin/sh
# truenas-box.sh ROOT: the ForceCommand of a test sshd that plays a TrueNAS
# box (kf_test_sshd_play_truenas). sshd runs it for every session with the
# client's command in SSH_ORIGINAL_COMMAND. TrueNAS keeps its version in
# /data/manifest.json (the middleware's MANIFEST_FILE); here that file lives
# under ROOT. Only the exact command Keyferry sends for it is mapped, so a
# change of that command shows up as a failing test; anything else runs as
# given. Every command is logged to ROOT/commands for the tests to read.
root=$1
printf '%s\n' "$SSH_ORIGINAL_COMMAND" >> "$root/commands"
case "$SSH_ORIGINAL_COMMAND" in
  "cat /data/manifest.json") exec cat "$root/data/manifest.json" ;;
esac
exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"
