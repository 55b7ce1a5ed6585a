#!/bin/bash
# Installs what building and testing Slipway needs on Debian 12, as root. Quick when everything is
# already there, so every test run calls it.
set -euo pipefail

packages=(
    # build
    openjdk-17-jdk-headless maven gcc make libc6-dev
    # test harness
    bats curl ca-certificates procps bc
    # container runtime: squashfs images mounted with FUSE, overlays, a busybox test image
    squashfuse fuse-overlayfs fuse3 squashfs-tools busybox-static util-linux
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages (${missing[*]}); run as root" >&2
        exit 1
    fi
    echo "install-deps: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# FUSE mounts by unprivileged users need /dev/fuse open to them (mode 0600 on some machines).
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ]; then
    chmod 0666 /dev/fuse
fi
