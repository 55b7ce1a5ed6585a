#!/bin/sh
# dropbear/build.sh WORK OUT
# Builds the SSH hook's dropbear as one static program (dropbear, dbclient, dropbearkey and
# dropbearconvert in a "multi" binary) into OUT, with links named after each program. Static, so
# it runs inside any image, glibc or musl, with no library of its own: with musl-gcc when
# installed (no NSS, so passwd lookups only read the container's /etc/passwd), else gcc -static.
# The source is Debian's dropbear source package (upstream plus Debian's security patches),
# fetched with `apt-get source` into WORK/src once; DROPBEAR_SOURCE=DIR|TARBALL builds another
# upstream tree instead, for machines without Debian's deb-src entries.
set -eu
work=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work/src"
work=$(cd "$work" && pwd)

if [ -n "${DROPBEAR_SOURCE:-}" ]; then
    src=$DROPBEAR_SOURCE
    if [ -f "$src" ]; then
        rm -rf "$work/src/tarball" && mkdir -p "$work/src/tarball"
        tar -xf "$src" -C "$work/src/tarball"
        src=$(find "$work/src/tarball" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    fi
else
    src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'dropbear-*' | head -n 1)
    if [ -z "$src" ]; then
        echo "dropbear: fetching Debian's source package (apt-get source dropbear)"
        if ! (cd "$work/src" && apt-get source -qq dropbear >"$work/src/apt.log" 2>&1); then
            cat "$work/src/apt.log" >&2
            echo "dropbear/build.sh: cannot get dropbear's source with apt-get source: add deb-src entries" \
                "(tests/setup/install-deps.sh does) or set DROPBEAR_SOURCE to an upstream tarball" >&2
            exit 1
        fi
        src=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'dropbear-*' | head -n 1)
    fi
fi
[ -f "$src/configure" ] || { echo "dropbear/build.sh: no dropbear source tree in '$src'" >&2; exit 1; }

cc=${DROPBEAR_CC:-}
if [ -z "$cc" ]; then
    if command -v musl-gcc >/dev/null 2>&1; then cc=musl-gcc; else cc=gcc; fi
fi
obj="$work/obj"
rm -rf "$obj" && mkdir -p "$obj"
echo "dropbear: building $(basename "$src") with $cc (static)"
cp "$here/localoptions.h" "$obj/localoptions.h"
(
    cd "$obj"
    "$src/configure" --quiet CC="$cc" --enable-static --disable-zlib --enable-bundled-libtom \
        --disable-lastlog --disable-utmp --disable-utmpx --disable-wtmp --disable-wtmpx \
        --disable-pututline --disable-pututxline >configure.log 2>&1 \
        || { cat configure.log >&2; exit 1; }
    make -s -j"$(nproc 2>/dev/null || echo 2)" PROGRAMS="dropbear dbclient dropbearkey dropbearconvert" MULTI=1 \
        >make.log 2>&1 || { tail -n 40 make.log >&2; exit 1; }
)
mkdir -p "$out"
install -m 0755 "$obj/dropbearmulti" "$out/dropbearmulti.new"
strip "$out/dropbearmulti.new" 2>/dev/null || true
for p in dropbear dbclient dropbearkey dropbearconvert; do
    ln -sfn dropbearmulti "$out/$p"
done
mv "$out/dropbearmulti.new" "$out/dropbearmulti"
