#!/bin/sh
# Adds shadow entries for the container's user: /etc/shadow and /etc/gshadow get a locked entry
# for the user and their group (tools such as su, passwd or pwck expect one). The image's files
# are read when readable; the result is bound over them, since image files may not be writable.
set -eu
scratch=${SLIPWAY_HOOK_SCRATCH:-$(dirname "$ENROOT_MOUNTS")}
case "${ENROOT_REMAP_ROOT:-}" in ""|0|n|N|no|NO|No|f|false|FALSE|False|off) ;; *) exit 0 ;; esac
user=$(id -un 2>/dev/null || echo "${USER:-}")
group=$(id -gn 2>/dev/null || echo "$user")
[ -n "$user" ] || exit 0
for kind in shadow gshadow; do
    name=$user
    [ "$kind" = gshadow ] && name=$group
    src="$ENROOT_ROOTFS/etc/$kind"
    out="$scratch/$kind"
    : > "$out"
    if [ -r "$src" ] && [ ! -L "$src" ]; then
        grep -v "^$name:" "$src" >> "$out" || true
    fi
    if [ "$kind" = shadow ]; then
        printf '%s:!:%s:0:99999:7:::\n' "$name" "$(( $(date +%s) / 86400 ))" >> "$out"
    else
        printf '%s:!::%s\n' "$name" "$user" >> "$out"
    fi
    chmod 0600 "$out"
    printf '%s /etc/%s none bind,ro,nosuid,nodev,x-create=file\n' "$out" "$kind" >> "$ENROOT_MOUNTS"
done
