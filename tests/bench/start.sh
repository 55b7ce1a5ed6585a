#!/bin/bash
# Container start-up time: `slipway run IMAGE true` against `unshare -Urm true` and a bare shell
# script doing the same mounts (squashfuse_ll, tmpfs upper, kernel overlay, /proc /dev /sys /tmp
# binds, chroot), each the median of N runs, printed with ratios.
# Usage: tests/bench/start.sh [IMAGE.sqsh] [N]   (run as the user who will run containers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
slipway=${SLIPWAY:-$here/../../build/bin/slipway}
n=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
image=${1:-}
if [ -z "$image" ]; then
    mkdir -p "$work/root/bin" "$work/root/etc"
    cp "$(command -v busybox)" "$work/root/bin/busybox"
    ln -s busybox "$work/root/bin/sh"; ln -s busybox "$work/root/bin/true"
    mksquashfs "$work/root" "$work/img.sqsh" -noappend -quiet -no-progress -all-root >/dev/null
    image=$work/img.sqsh
fi

cat > "$work/bare.sh" <<'SH'
set -e
d=$(mktemp -d)
mkdir "$d/lower" "$d/rw" "$d/root"
squashfuse_ll -f "$1" "$d/lower" & fuse=$!
until mountpoint -q "$d/lower"; do sleep 0.001; done
mount -t tmpfs tmpfs "$d/rw"; mkdir "$d/rw/upper" "$d/rw/work"
mount -t overlay overlay -o "lowerdir=$d/lower,upperdir=$d/rw/upper,workdir=$d/rw/work" "$d/root"
for m in proc dev sys; do mkdir -p "$d/root/$m"; mount --rbind "/$m" "$d/root/$m"; done
mkdir -p "$d/root/tmp"; mount -t tmpfs tmpfs "$d/root/tmp"
chroot "$d/root" /bin/true
kill $fuse
SH

median() {   # median wall time in seconds of N runs of "$@"
    local times=()
    for _ in $(seq "$n"); do
        local s e
        s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
        times+=("$(echo "$e - $s" | bc -l)")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

cfg=$work/none.toml
echo 'hooks_dirs = []' > "$cfg"
# A file changed in the last 2 s is not kept in the parsed-file cache (ParsedFileCache.RACY); one
# run of each first warms the page cache and that cache, as on a machine in use.
sleep 2.1
unshare -Urm sh "$work/bare.sh" "$image" >/dev/null 2>&1 || true
SLIPWAY_CONFIG="$cfg" "$slipway" run --image "$image" true >/dev/null 2>&1 || true
t_unshare=$(median unshare -Urm true)
t_bare=$(median unshare -Urm sh "$work/bare.sh" "$image")
t_slipway=$(median env SLIPWAY_CONFIG="$cfg" "$slipway" run --image "$image" true)
echo "median of $n runs (s):"
printf '  unshare -Urm true            %s\n' "$t_unshare"
printf '  bare squashfuse+overlay+chroot %s\n' "$t_bare"
printf '  slipway run IMAGE true       %s\n' "$t_slipway"
printf 'ratios: slipway/bare = %.2f   slipway/unshare = %.1f   (goal: < 0.3 s and <= 2x bare)\n' \
    "$(echo "$t_slipway / $t_bare" | bc -l)" "$(echo "$t_slipway / $t_unshare" | bc -l)"
