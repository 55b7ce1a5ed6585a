#!/bin/bash
# Import benchmark: a realistic multi-layer image (debootstrap minbase + python3-numpy, 5 layers,
# one deleting files) served by a loopback docker-registry, imported cold and warm by Slipway,
# against the Sarus pipeline (skopeo copy + umoci unpack + mksquashfs -comp zstd
# -Xcompression-level 1) in the same run. Run as root from the repository after `make`.
# The image is built once and kept in tests/.work/bench (delete it to rebuild).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
bench=$repo/tests/.work/bench
mkdir -p "$bench"
WORK=$(mktemp -d /tmp/slipway-bench.XXXXXX)
export WORK
trap 'stop_registry bench; rm -rf "$WORK"' EXIT
# shellcheck source=../integration/lib/registry.bash
source tests/integration/lib/registry.bash

if [ ! -f "$bench/oci/index.json" ]; then
    echo "building the benchmark image (debootstrap, a few minutes)..." >&2
    rm -rf "$bench/oci" "$bench/bundle"
    umoci init --layout "$bench/oci"
    umoci new --image "$bench/oci:numpy"
    umoci unpack --image "$bench/oci:numpy" "$bench/bundle" >/dev/null
    root=$bench/bundle/rootfs
    debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
    umoci repack --refresh-bundle --image "$bench/oci:numpy" "$bench/bundle" >/dev/null                 # 1: base
    mount -t proc proc "$root/proc"
    chroot "$root" apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
    umount "$root/proc"
    umoci repack --refresh-bundle --image "$bench/oci:numpy" "$bench/bundle" >/dev/null                 # 2: numpy
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* "$root"/usr/share/man/*
    umoci repack --refresh-bundle --image "$bench/oci:numpy" "$bench/bundle" >/dev/null                 # 3: deletes
    head -c 20000000 /dev/urandom > "$root/opt/data.bin"
    umoci repack --refresh-bundle --image "$bench/oci:numpy" "$bench/bundle" >/dev/null                 # 4: data
    printf 'print("hi")\n' > "$root/opt/app.py"
    umoci repack --refresh-bundle --image "$bench/oci:numpy" "$bench/bundle" >/dev/null                 # 5: app
    umoci config --image "$bench/oci:numpy" --config.cmd python3 >/dev/null
    umoci gc --layout "$bench/oci"
    rm -rf "$bench/bundle"
fi
layers=$(umoci stat --image "$bench/oci:numpy" | grep -c 'umoci repack' || true)
if [ "$layers" != 5 ]; then
    echo "the benchmark image has $layers layers, not 5: delete $bench and run again" >&2
    exit 1
fi

start_registry bench
port=$(registry_port bench)
skopeo copy -q --dest-tls-verify=false "oci:$bench/oci:numpy" "docker://127.0.0.1:$port/bench/numpy:1"
write_config "$WORK/slipway.toml" "$port"
compressed=$(du -sb "$WORK/reg-bench/data" | cut -f1)

now() { date +%s.%N; }
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true

# Baseline: the Sarus pipeline
t0=$(now)
skopeo copy -q --src-tls-verify=false "docker://127.0.0.1:$port/bench/numpy:1" "oci:$WORK/base:img"
umoci unpack --rootless --image "$WORK/base:img" "$WORK/base-bundle" >/dev/null
m0=$(now)
mksquashfs "$WORK/base-bundle/rootfs" "$WORK/base.sqsh" -comp zstd -Xcompression-level 1 -noappend -quiet -no-progress >/dev/null
t1=$(now)
baseline=$(echo "$t1 - $t0" | bc)
mksquashfs_only=$(echo "$t1 - $m0" | bc)
unpacked=$(du -sb "$WORK/base-bundle/rootfs" | cut -f1)

# The two squashers on the same content, zstd level 1, all cores: mksquashfs on the unpacked tree
# (above) and tar2sqfs on that tree as one tar stream (what Slipway feeds it), the tar written
# beforehand so only the squashing is timed.
tar -C "$WORK/base-bundle/rootfs" -cf "$WORK/tree.tar" .
t0=$(now)
tar2sqfs --quiet --force --no-xattr --num-jobs "$(nproc)" --compressor zstd --comp-extra level=1 "$WORK/t2s.sqsh" < "$WORK/tree.tar"
t1=$(now)
tar2sqfs_only=$(echo "$t1 - $t0" | bc)
rm -rf "$WORK/base-bundle" "$WORK/base" "$WORK/tree.tar" "$WORK/t2s.sqsh"

mkdir -p "$WORK/store"
run_import() { SLIPWAY_CONFIG=$WORK/slipway.toml EDF_IMAGESTORE=$WORK/store build/bin/slipway image import "127.0.0.1:$port/bench/numpy:1" >/dev/null 2>&1; }
t0=$(now); run_import; t1=$(now)
cold=$(echo "$t1 - $t0" | bc)
t0=$(now); run_import; t1=$(now)
warm=$(echo "$t1 - $t0" | bc)
sqsh=$(ls "$WORK"/store/x86/*.sqsh)

echo "image: $((compressed / 1000000)) MB in the registry, $((unpacked / 1000000)) MB unpacked, $layers layers"
echo "baseline (skopeo + umoci + mksquashfs zstd-1): ${baseline} s, squashfs $(($(stat -c %s "$WORK/base.sqsh") / 1000000)) MB"
echo "slipway cold import:                           ${cold} s, squashfs $(($(stat -c %s "$sqsh") / 1000000)) MB"
echo "slipway warm import (cached, unchanged tag):   ${warm} s"
echo "squashing alone, zstd-1: mksquashfs on the tree ${mksquashfs_only} s, tar2sqfs on its tar ${tar2sqfs_only} s"
echo "ratios: cold $(echo "scale=3; $cold / $baseline" | bc)x baseline (goal <= 0.35), warm $(echo "scale=3; $warm / $baseline" | bc)x (goal < 0.3 s)"
