#!/bin/sh
# Mounts the user's home directory into the container when ENROOT_MOUNT_HOME is on: at the same
# path, or at /root when the user is remapped to root, and points HOME at it.
set -eu
case "${ENROOT_MOUNT_HOME:-}" in ""|0|n|N|no|NO|No|f|false|FALSE|False|off) exit 0 ;; esac
home=${HOME:-}
if [ -z "$home" ]; then
    home=$(getent passwd "$(id -u)" | cut -d: -f6)
fi
[ -n "$home" ] && [ -d "$home" ] || { echo "10-home.sh: no home directory to mount" >&2; exit 1; }
dest=$home
case "${ENROOT_REMAP_ROOT:-}" in ""|0|n|N|no|NO|No|f|false|FALSE|False|off) ;; *) dest=/root ;; esac
esc() { printf '%s' "$1" | sed -e 's/\\/\\134/g' -e 's/ /\\040/g' -e 's/\t/\\011/g' -e 's/#/\\043/g'; }
printf '%s %s none x-create=dir,rbind,rw,nosuid\n' "$(esc "$home")" "$(esc "$dest")" >> "$ENROOT_MOUNTS"
printf 'HOME=%s\n' "$dest" >> "$ENROOT_ENVIRON"
