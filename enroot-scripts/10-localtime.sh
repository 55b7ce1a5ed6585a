#!/bin/sh
# Gives the container the host's time zone: binds the zoneinfo file /etc/localtime resolves to
# over the container's /etc/localtime.
set -eu
[ -e /etc/localtime ] || exit 0
zone=$(readlink -f /etc/localtime)
[ -f "$zone" ] || exit 0
printf '%s /etc/localtime none bind,ro,nosuid,nodev,x-create=file,nofail\n' "$zone" >> "$ENROOT_MOUNTS"
if [ -r /etc/timezone ]; then
    printf '/etc/timezone /etc/timezone none bind,ro,nosuid,nodev,x-create=file,nofail\n' >> "$ENROOT_MOUNTS"
fi
